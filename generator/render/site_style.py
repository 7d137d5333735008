"""The site's look from content/site.yml: `assets/site.css` (Material colour properties) and `assets/logo.svg`.

mkdocs.yml lists `assets/site.css` once in `extra_css` and points `theme.logo` at
`assets/logo.svg`; both files are always written (without site.yml the stylesheet only
carries a comment and the logo is the one we ship), so the paths always exist.
"""

from __future__ import annotations

from pathlib import Path

from generator.read.site_data import SiteStyle, WHITE, load_site_style, mix, readable_shade
from generator.util.paths import DEFAULT_LOGO

CSS_PATH = "assets/site.css"
LOGO_PATH = "assets/logo.svg"
# Material's dark ("slate") page background, hsl(225, 15%, 14%).
SLATE_BG = "#1e2129"
LINK_BACKDROP = "#30343f"  # a little lighter than cards and table stripes: links must read on all of them


def site_css(style: SiteStyle) -> str:
    """Material's colour custom properties for the chosen colours (light and dark palettes)."""
    lines = ["/* policykb: the colours chosen in content/site.yml (generated; edit site.yml, not this file). */"]
    if style.primary:
        primary = style.primary
        dark_link = readable_shade(primary, LINK_BACKDROP, 4.5, WHITE)
        lines += [
            # Same specificity as Material's [data-md-color-primary=indigo] rules, and loaded after them.
            "[data-md-color-primary] {",
            f"  --md-primary-fg-color: {primary};",
            f"  --md-primary-fg-color--light: {mix(primary, WHITE, 0.15)};",
            f"  --md-primary-fg-color--dark: {mix(primary, '#000000', 0.2)};",
            "  --md-primary-bg-color: #ffffff;",
            "  --md-primary-bg-color--light: #ffffffb3;",
            f"  --md-typeset-a-color: {primary};",
            "}",
            # Links on the dark palette: a light tint of the primary colour that reads on cards (4.5:1).
            '[data-md-color-scheme="slate"][data-md-color-primary] {',
            f"  --md-typeset-a-color: {dark_link};",
            "}",
        ]
    if style.accent:
        accent = style.accent
        dark_accent = readable_shade(accent, SLATE_BG, 3.0, WHITE)
        lines += [
            "[data-md-color-accent] {",
            f"  --md-accent-fg-color: {accent};",
            f"  --md-accent-fg-color--transparent: {accent}1a;",
            "  --md-accent-bg-color: #ffffff;",
            "  --md-accent-bg-color--light: #ffffffb3;",
            "}",
            '[data-md-color-scheme="slate"][data-md-color-accent] {',
            f"  --md-accent-fg-color: {dark_accent};",
            f"  --md-accent-fg-color--transparent: {dark_accent}1a;",
            "}",
        ]
    return "\n".join(lines) + "\n"


def site_style_files(content_dir: Path) -> dict[str, bytes]:
    """`assets/site.css` and `assets/logo.svg` for the docs folder (always both)."""
    style = load_site_style(content_dir)
    logo = (style.logo or DEFAULT_LOGO).read_bytes()
    return {CSS_PATH: site_css(style).encode("utf-8"), LOGO_PATH: logo}
