"""content/site.yml: colours (6-digit hex, readable against white) and a logo, and the files they become."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.render import site_style
from generator.read.site_data import ConfigError, SiteStyle, contrast_ratio, load_site_data, load_site_style
from generator.render.site_style import site_css, site_style_files
from generator.util.paths import DEFAULT_CONTENT, DEFAULT_LOGO, MKDOCS_CONFIG

SAFE_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#fff"/></svg>\n'


def write_site(content: Path, text: str) -> Path:
    content.mkdir(parents=True, exist_ok=True)
    path = content / "site.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_colours_become_material_custom_properties(tmp_path):
    content = tmp_path / "content"
    write_site(content, 'colours:\n  primary: "#3F51B5"\n  accent: "#C2410C"\n')
    style = load_site_style(content)
    assert (style.primary, style.accent, style.logo) == ("#3f51b5", "#c2410c", None)
    css = site_style_files(content)["assets/site.css"].decode()
    assert "--md-primary-fg-color: #3f51b5;" in css and "--md-accent-fg-color: #c2410c;" in css
    assert "[data-md-color-primary]" in css and '[data-md-color-scheme="slate"][data-md-color-primary]' in css
    # links on the dark palette are a tint of the primary that reads on its cards
    dark_link = re.search(r'slate"\]\[data-md-color-primary\] \{\s*--md-typeset-a-color: (#[0-9a-f]{6})', css).group(1)
    assert contrast_ratio(dark_link, site_style.LINK_BACKDROP) >= 4.5


def test_the_projects_own_site_yml_is_valid_and_readable():
    style = load_site_style(DEFAULT_CONTENT)
    assert style.primary and contrast_ratio(style.primary, "#ffffff") >= 4.5
    assert style.accent and contrast_ratio(style.accent, "#ffffff") >= 3.0


def test_without_colours_the_stylesheet_is_only_a_comment_and_the_default_logo_is_written(tmp_path):
    content = tmp_path / "content"
    write_site(content, "# nothing chosen\n{}\n")
    files = site_style_files(content)
    css = files["assets/site.css"].decode()
    assert css.startswith("/*") and "{" not in css.split("*/", 1)[1]
    assert files["assets/logo.svg"] == DEFAULT_LOGO.read_bytes()
    assert site_css(SiteStyle()).count("\n") == 1


def test_a_content_folder_without_site_yml_uses_the_projects(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    assert load_site_style(content).source == DEFAULT_CONTENT / "site.yml"


def test_a_logo_is_copied_to_the_fixed_path(tmp_path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "logo.svg").write_text(SAFE_LOGO, encoding="utf-8")
    write_site(content, "logo: images/logo.svg\n")
    assert site_style_files(content)["assets/logo.svg"] == SAFE_LOGO.encode()


@pytest.mark.parametrize(("text", "line", "expected"), [
    ('colours:\n  primary: "#3f51b"\n', 2, "colours.primary: '#3f51b' is not a 6-digit hex colour"),
    ('colours:\n  accent: "#fff"\n', 2, "colours.accent: '#fff' is not a 6-digit hex colour"),
    ("colours:\n  primary: #3f51b5\n", 2, "is not a 6-digit hex colour"),  # unquoted: a YAML comment
    ('colours:\n  primary: "indigo"\n', 2, "'indigo' is not a 6-digit hex colour"),
    ('colours:\n  primary: "#3f51b5"\n  secondary: "#000000"\n', 3, "colours: unknown key 'secondary' (known: primary, accent)"),
    ('colours: "#3f51b5"\n', 1, "colours: expected a mapping"),
    ("# the look\ntheme: dark\n", 2, "unknown key 'theme' (known: colours, colors, logo)"),
])
def test_invalid_settings_name_the_file_line_and_key(tmp_path, text, line, expected):
    path = write_site(tmp_path / "content", text)
    with pytest.raises(ConfigError) as error:
        load_site_style(tmp_path / "content")
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert expected in str(error.value)


@pytest.mark.parametrize(("name", "colour", "minimum"), [("primary", "#ffeb3b", "4.5:1"), ("primary", "#5c9ded", "4.5:1"),
                                                         ("accent", "#ff6d00", "3:1")])
def test_unreadable_colours_are_refused_with_a_readable_suggestion(tmp_path, name, colour, minimum):
    path = write_site(tmp_path / "content", f'colours:\n  {name}: "{colour}"\n')
    with pytest.raises(ConfigError) as error:
        load_site_style(tmp_path / "content")
    message = str(error.value)
    assert message.startswith(f"{path}:2: colours.{name}: {colour} is unreadable: contrast against white is ")
    assert f"at least {minimum}" in message
    suggestion = re.search(r"such as (#[0-9a-f]{6}) works", message).group(1)
    write_site(tmp_path / "content", f'colours:\n  {name}: "{suggestion}"\n')
    assert getattr(load_site_style(tmp_path / "content"), name) == suggestion


@pytest.mark.parametrize(("logo", "svg", "expected"), [
    ("missing.svg", None, "does not exist"),
    ("logo.png", None, "must be the path of an .svg file"),
    ("../outside.svg", None, "must be the path of an .svg file"),
    ("/etc/logo.svg", None, "must be the path of an .svg file"),
    ("logo.svg", "not an image", "is not an SVG image"),
    ("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "contains scripts"),
    ("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "contains scripts"),
    ("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>',
     "references to other files"),
])
def test_bad_logos_are_refused(tmp_path, logo, svg, expected):
    content = tmp_path / "content"
    path = write_site(content, f"colours: {{}}\nlogo: {logo}\n")
    if svg is not None:
        (content / logo).write_text(svg, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_site_style(content)
    assert str(error.value).startswith(f"{path}:2: logo: ") and expected in str(error.value)


def test_check_and_build_read_site_yml_up_front(tmp_path):
    """load_site_data (used by `policykb check` and load_archive) validates site.yml before any work."""
    write_site(tmp_path / "content", 'colours:\n  primary: "#ffffff"\n')
    with pytest.raises(ConfigError, match="unreadable"):
        load_site_data(tmp_path / "content")


def test_mkdocs_yml_uses_the_generated_files():
    mkdocs = yaml.safe_load(MKDOCS_CONFIG.read_text(encoding="utf-8"))
    assert mkdocs["theme"]["logo"] == site_style.LOGO_PATH
    assert mkdocs["extra_css"].count(site_style.CSS_PATH) == 1
    assert mkdocs["extra_css"][-1] == site_style.CSS_PATH  # after extra.css, so its colours win
