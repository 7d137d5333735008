"""Everything the project uses of MkDocs, in one module: the only one that imports it.

MkDocs 1.x is end-of-life, and we call its private build steps and patch its preview server, so
it is pinned exactly (pyproject.toml: mkdocs==1.6.1) and tests/publish/test_mkdocs_api.py fails,
naming what changed, when the installed MkDocs is another version or a private function we call
no longer has the signature we call it with. Moving to another publisher means rewriting this
module (README: "Moving to another publisher"). The surface the rest of the project uses:

- `load_config`, `Config`, `Abort` and `MkDocsException` (what MkDocs raises when it refuses to build);
- `mkdocs_build(config)`: MkDocs' own build, for a configuration with plugins;
- `build_pages(config, previous, render_all)`: the same build step by step, with the pages
  rendered by the caller's `render_all(pages)` (publish/site.py shares them out among processes),
  and MkDocs' dirty build made safe for an atomic swap (`previous`);
- `quiet_mkdocs_info()`, and `preview(...)`: MkDocs' live-reload server, patched to get past our
  Content-Security-Policy.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from mkdocs import utils
from mkdocs.commands import build as build_steps  # private steps: _build_theme_template, _populate_page ...
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig as Config
from mkdocs.exceptions import Abort, BuildError, MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

__all__ = ["Abort", "Config", "MkDocsException", "PageBuild", "RenderedPage", "build_pages", "load_config",
           "mkdocs_build", "preview", "quiet_mkdocs_info"]


def quiet_mkdocs_info() -> None:
    """MkDocs logs every page not in the nav at INFO; our snapshot pages are deliberately not in it."""
    logging.getLogger("mkdocs.structure.pages").setLevel(logging.WARNING)


# --------------------------------------------------------------------------- MkDocs' build, step by step

@dataclass(frozen=True)
class RenderedPage:
    """What the rest of the build needs of a page once it is written: the warnings logged while
    rendering it (count by level) and, when MkDocs checks links to anchors, its anchors and links."""

    src_uri: str
    warnings: dict[int, int]
    anchors: tuple[set[str], dict[str, dict[str, str]]] | None


@dataclass(frozen=True)
class PageBuild:
    """What rendering any page needs, prepared once (and inherited by forked workers)."""

    config: Config
    files: Files
    doc_files: Sequence[File]
    nav: Navigation
    env: jinja2.Environment
    validate_anchors: bool  # MkDocs would log its anchor checks: keep what they need
    pages: list[File]  # the pages to render, largest first (so no worker is left with a big one at the end)
    sizes: list[int]  # their Markdown's size in bytes

    def render(self, file: File) -> RenderedPage:
        """Read, render and write one page, then let it go back to what it was before (memory stays flat)."""
        page = file.page
        assert page is not None
        counter = utils.CountHandler()
        counter.setLevel(logging.WARNING)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(counter)
        try:
            source = page.markdown, page.meta  # the navigation's pages keep their front matter
            build_steps._populate_page(page, self.config, self.files)
            build_steps._build_page(page, self.config, self.doc_files, self.nav, self.env,
                                    excluded=file.inclusion.is_excluded())
        finally:
            logger.removeHandler(counter)
        anchors = None
        if self.validate_anchors:
            links = {target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()}
            anchors = (set(page.present_anchor_ids or ()), links)
        page.markdown, page.meta = source
        page.content, page.toc, page.present_anchor_ids, page.links_to_anchors = None, [], None, None
        return RenderedPage(file.src_uri, dict(counter.counts), anchors)


def build_pages(config: Config, *, previous: Path | None,
                render_all: Callable[[PageBuild], Sequence[RenderedPage]]) -> None:
    """What `mkdocs build` does (mkdocs.commands.build.build, MkDocs 1.6.1, for a configuration
    without plugins), with the documentation pages rendered by `render_all(build)`: `build.render`
    applied to each of `build.pages`, in this process or in forked ones.

    This process prepares what every page needs once (files, navigation, theme environment, and
    the front matter of the pages in the navigation, which the theme shows on every page), then
    writes static files, theme files, sitemap and 404 page as MkDocs does, in its order. Each
    page's warnings come back with it and count for strict mode, whichever process rendered it.

    `previous`: the last site built from this docs folder with this configuration; MkDocs' dirty
    build: the output files whose source is not newer are hard-linked from it into the (empty)
    site_dir, and only the pages modified since are rendered.
    """
    mkdocs_logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        mkdocs_logger.addHandler(warning_counter)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        if previous is None:
            utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for file in doc_files:
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
        for page in nav.pages:
            page.read_source(config)
        env = config.plugins.on_env(env, config=config, files=files)

        dirty = previous is not None
        if dirty:
            _link_unchanged(files, previous, config.site_dir)
        files.copy_static_files(dirty=dirty, inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            build_steps._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            build_steps._build_extra_template(template, files, config, nav)

        sizes = {file.src_uri: os.path.getsize(file.abs_src_path)
                 for file in doc_files if not dirty or file.is_modified()}
        pages = sorted((file for file in doc_files if file.src_uri in sizes),
                       key=lambda file: sizes[file.src_uri], reverse=True)
        anchors_level = config.validation.links.anchors
        build = PageBuild(config, files, doc_files, nav, env,
                          logging.getLogger("mkdocs.structure.pages").isEnabledFor(anchors_level),
                          pages, [sizes[file.src_uri] for file in pages])
        mkdocs_logger.removeHandler(warning_counter)  # the pages' own warnings come back with them
        try:
            rendered = render_all(build)
        finally:
            if config.strict:
                mkdocs_logger.addHandler(warning_counter)
        if config.strict:
            for page in rendered:
                for level, number in page.warnings.items():
                    warning_counter.counts[level] += number
        if build.validate_anchors:
            _validate_anchors(build, rendered, anchors_level)

        config.plugins.on_post_build(config=config)
        if counts := warning_counter.get_counts():
            message = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {message} in strict mode!")
    except Exception as error:
        config.plugins.on_build_error(error=error)
        if isinstance(error, BuildError):
            logging.getLogger("mkdocs.commands.build").error(str(error))
            raise Abort("Aborted with a BuildError!")
        raise
    finally:
        mkdocs_logger.removeHandler(warning_counter)


def _validate_anchors(build: PageBuild, rendered: Sequence[RenderedPage], level: int) -> None:
    """MkDocs' check of links to anchors on other pages, over what the rendering found."""
    for page in rendered:
        present, links = page.anchors
        target = build.files.get_file_from_path(page.src_uri).page
        target.present_anchor_ids = present
        target.links_to_anchors = {build.files.get_file_from_path(uri): found for uri, found in links.items()}
    for file in build.doc_files:
        file.page.validate_anchor_links(files=build.files, log_level=level)


def _link_unchanged(files: Files, previous: Path, site_dir: str) -> None:
    """Hard-link (or copy) from `previous` into the empty `site_dir` each output file whose source is not
    newer: what MkDocs' dirty build would leave as it is. Everything else (stale pages, withdrawn
    pages, the sitemap and 404 page) is left for this build to write, or out, as a clean build would;
    no write ever goes through a link into `previous`, and no folder is left empty.
    """
    folders: set[str] = set()
    for file in files:
        if not file.inclusion.is_included() or file.abs_src_path is None:
            continue
        old = os.path.join(previous, file.dest_uri)
        try:
            if os.path.getmtime(old) < os.path.getmtime(file.abs_src_path):
                continue  # MkDocs' File.is_modified
        except FileNotFoundError:
            continue
        new = os.path.join(site_dir, file.dest_uri)
        folder = os.path.dirname(new)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        try:
            os.link(old, new)
        except OSError:
            shutil.copy2(old, new)


# --------------------------------------------------------------------------- the preview

def preview(config_file: Path, docs_dir: Path, dev_addr: str) -> None:
    """MkDocs' preview server with live reload (admitted by the pages' Content-Security-Policy), until interrupted."""
    _allow_live_reload_script()
    mkdocs_serve(config_file=str(config_file), docs_dir=str(docs_dir.resolve()), dev_addr=dev_addr, livereload=True)


SCRIPT_SRC = re.compile(rb"(<meta http-equiv=\"Content-Security-Policy\" content=\"[^\"]*?script-src 'self')")


def _allow_live_reload_script() -> None:
    """Let the site's Content-Security-Policy admit MkDocs' live-reload script, in the preview only.

    The policy (`script-src 'self'`) blocks the inline script MkDocs' preview server injects
    into every page to reload it; without it, the browser would never reload. The preview
    adds that one script's hash to the policy of the page it serves, so every other inline
    script stays blocked. The published site is not affected.
    """
    original = LiveReloadServer._inject_js_into_html
    if getattr(original, "policykb", False):
        return

    def inject(self: LiveReloadServer, content: bytes, epoch: int) -> bytes:
        page = original(self, content, epoch)
        start = page.rfind(b"<script>")
        end = page.find(b"</script>", start)
        if start < 0 or end < 0:
            return page
        digest = base64.b64encode(hashlib.sha256(page[start + len(b"<script>"):end]).digest())
        return SCRIPT_SRC.sub(lambda m: m.group(1) + b" 'sha256-" + digest + b"'", page, count=1)

    inject.policykb = True  # type: ignore[attr-defined]
    LiveReloadServer._inject_js_into_html = inject  # type: ignore[method-assign]
