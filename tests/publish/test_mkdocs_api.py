"""generator/publish/mkdocs_api.py leans on MkDocs internals: this fails, saying what changed, the day
the installed MkDocs is not the pinned one or one of those internals no longer looks as we call it.

Upgrading MkDocs (or moving to a fork of it, such as ProperDocs) starts here: update the pin and
the table below only once mkdocs_api.py's calls match the new signatures, and
tests/publish/test_site.py's byte-identical builds pass.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from importlib import import_module, metadata
from pathlib import Path

import pytest

from generator.publish import mkdocs_api

from ..support import REPO

SOURCE = Path(mkdocs_api.__file__).read_text(encoding="utf-8")

# What mkdocs_api.py calls (module:qualified name) -> the parameters it calls it with, in order.
# The private ones (a leading "_") carry no promise at all from MkDocs.
CALLED = {
    "mkdocs.commands.build:_build_theme_template": ["template_name", "env", "files", "config", "nav"],
    "mkdocs.commands.build:_build_extra_template": ["template_name", "files", "config", "nav"],
    "mkdocs.commands.build:_populate_page": ["page", "config", "files", "dirty"],
    "mkdocs.commands.build:_build_page": ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"],
    "mkdocs.livereload:LiveReloadServer._inject_js_into_html": ["self", "content", "epoch"],
    "mkdocs.commands.build:build": ["config", "serve_url", "dirty"],
    "mkdocs.commands.serve:serve": ["config_file", "livereload", "build_type", "watch_theme", "watch",
                                    "open_in_browser", "kwargs"],
    "mkdocs.structure.files:get_files": ["config"],
    "mkdocs.structure.files:set_exclusions": ["files", "config"],
    "mkdocs.structure.files:Files.add_files_from_theme": ["self", "env", "config"],
    "mkdocs.structure.files:Files.copy_static_files": ["self", "dirty", "inclusion"],
    "mkdocs.structure.nav:get_navigation": ["files", "config"],
    "mkdocs.structure.pages:Page.__init__": ["self", "title", "file", "config"],
    "mkdocs.structure.pages:Page.read_source": ["self", "config"],
    "mkdocs.structure.pages:Page.validate_anchor_links": ["self", "files", "log_level"],
    "mkdocs.utils:clean_directory": ["directory"],
}


def _pinned(package: str) -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        match = re.match(rf"{re.escape(package)}\s*([=<>~!].*)$", requirement)
        if match:
            return match.group(1).strip()
    raise AssertionError(f"pyproject.toml does not list {package}")


def test_the_installed_mkdocs_is_the_pinned_one():
    pin = _pinned("mkdocs")
    assert pin.startswith("=="), f"pyproject.toml must pin MkDocs exactly (mkdocs_api.py calls its internals): {pin}"
    installed = metadata.version("mkdocs")
    assert installed == pin[2:], (
        f"MkDocs {installed} is installed but mkdocs_api.py was written against {pin[2:]}: check every call "
        f"in this test's table against it before moving the pin")


def test_the_installed_material_is_in_the_pinned_range():
    from packaging.specifiers import SpecifierSet

    pin = _pinned("mkdocs-material")
    installed = metadata.version("mkdocs-material")
    assert installed in SpecifierSet(pin), f"mkdocs-material {installed} is installed, pyproject.toml says {pin}"


def test_every_private_name_we_use_is_in_the_table():
    """A new private call or patch in mkdocs_api.py must be added to CALLED (and so be checked)."""
    used = set(re.findall(r"build_steps\.(_\w+)", SOURCE)) | set(re.findall(r"LiveReloadServer\.(_\w+)", SOURCE))
    listed = {name.rsplit(".", 1)[-1].rsplit(":", 1)[-1] for name in CALLED}
    assert used and used <= listed, f"private MkDocs names used but not checked here: {sorted(used - listed)}"


@pytest.mark.parametrize("name", sorted(CALLED))
def test_what_we_call_has_the_signature_we_call(name):
    module_name, qualified = name.split(":")
    target = import_module(module_name)
    for part in qualified.split("."):
        assert hasattr(target, part), (
            f"MkDocs {metadata.version('mkdocs')} has no {module_name}.{qualified} any more: "
            f"generator/publish/mkdocs_api.py calls it")
        target = getattr(target, part)
    parameters = list(inspect.signature(target).parameters)
    assert parameters == CALLED[name], (
        f"MkDocs {metadata.version('mkdocs')} changed {module_name}.{qualified}: its parameters are now "
        f"{parameters}, generator/publish/mkdocs_api.py calls it with {CALLED[name]}")
