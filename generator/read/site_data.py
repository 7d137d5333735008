"""Editable site data: the YAML files in the content folder.

`companies.yml` (display names, sectors), `site.yml` (the look), and where the others are
found: `topics.yml`, `facts.yml`, `milestones.yml`. A content folder without one of them (such
as the shared sample corpora) falls back to the project's own copy in `content/`. Every one of
them is read by `load_data_file` (generator/read/yaml_files.py: line-aware, schema-validated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.read.yaml_files import ConfigError, YamlFile, load_yaml_file  # noqa: F401 (callers catch ConfigError from here)
from generator.util.paths import DEFAULT_CONTENT


def data_file(content_dir: Path, name: str) -> Path | None:
    """The content folder's own `name`, else the project's default, else None."""
    for folder in (content_dir, DEFAULT_CONTENT):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_data_file(content_dir: Path, name: str) -> YamlFile | None:
    """The editable file `name` (e.g. "companies.yml") for `content_dir`, validated by its schema; None if absent."""
    path = data_file(content_dir, name)
    return None if path is None else load_yaml_file(path, name.removesuffix(".yml"))


@dataclass(frozen=True)
class CompanyInfo:
    name: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class SiteData:
    companies: dict[str, CompanyInfo] = field(default_factory=dict)
    style: "SiteStyle" = field(default_factory=lambda: SiteStyle())


def load_companies(content_dir: Path) -> dict[str, CompanyInfo]:
    document = load_data_file(content_dir, "companies.yml")
    raw = (document.data if document else None) or {}
    companies = {}
    for domain, entry in raw.items():
        if isinstance(entry, str):
            entry = {"name": entry}
        companies[str(domain).lower()] = CompanyInfo(name=entry.get("name"), sector=entry.get("sector"))
    return companies


def load_site_data(content_dir: Path) -> SiteData:
    return SiteData(companies=load_companies(content_dir), style=load_site_style(content_dir))


# --------------------------------------------------------------------------- site.yml: the site's look

WHITE = "#ffffff"
# Material draws white text on the primary colour (header, tabs) and uses it for links on white
# pages: it must read as text (WCAG AA, 4.5:1). The accent marks hover and focus states, which
# need 3:1 against white (WCAG 1.4.11, non-text contrast).
MIN_CONTRAST = {"primary": 4.5, "accent": 3.0}
MAX_LOGO_BYTES = 256 * 1024
# A logo is served from the site's own origin: nothing in it may run or load from elsewhere.
_UNSAFE_SVG_RE = re.compile(
    r"<\s*(?:script|foreignObject|iframe|object|embed)\b|\bon[a-z]+\s*=|javascript:|"
    r"(?:href|src)\s*=\s*[\"']?\s*(?:https?:|//)|@import|url\s*\(\s*[\"']?\s*(?:https?:|//)",
    re.IGNORECASE)


@dataclass(frozen=True)
class SiteStyle:
    """The look chosen in content/site.yml: colours (6-digit hex) and a logo (an SVG in the content folder)."""

    primary: str | None = None
    accent: str | None = None
    logo: Path | None = None
    source: Path | None = None  # the site.yml these came from


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0..1) of the way towards `other`, as #rrggbb."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b))


def readable_shade(colour: str, background: str, minimum: float, towards: str) -> str:
    """The nearest shade of `colour` (mixed towards `towards`) with `minimum` contrast on `background`."""
    for step in range(0, 101):
        shade = mix(colour, towards, step / 100)
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return towards


def load_site_style(content_dir: Path) -> SiteStyle:
    """content/site.yml (or the project's copy); no file means Material's default look.

    The schema checks the shape (known keys, 6-digit hex colours, an .svg path); what it cannot
    say is checked here: contrast, and that the logo is a safe SVG inside the content folder."""
    document = load_data_file(content_dir, "site.yml")
    if document is None or document.data is None:
        return SiteStyle()
    raw, path = document.data, document.path
    colours_key = "colours" if "colours" in raw else "colors"
    chosen: dict[str, str] = {}
    for name, value in (raw.get(colours_key) or {}).items():
        value, minimum = value.lower(), MIN_CONTRAST[name]
        ratio = contrast_ratio(value, WHITE)
        if ratio < minimum:
            use = "white text on it and links on white pages" if name == "primary" else "hover and focus marks on white"
            raise document.error((colours_key, name), f"{value} is unreadable: contrast against white is {ratio:.2f}:1, "
                                                      f"{name} needs at least {minimum:g}:1 ({use}); a darker shade "
                                                      f"such as {readable_shade(value, WHITE, minimum, '#000000')} works")
        chosen[name] = value
    logo = raw.get("logo")
    logo_path = None if logo is None else _checked_logo(document, logo)
    return SiteStyle(chosen.get("primary"), chosen.get("accent"), logo_path, path)


def _checked_logo(document: YamlFile, logo: str) -> Path:
    """The logo's path, once it is known to be a plain SVG inside the content folder."""
    if Path(logo).is_absolute() or ".." in Path(logo).parts:
        raise document.error(("logo",), f"{logo!r} must be the path of an .svg file inside the content folder")
    logo_path = document.path.parent / logo
    try:
        data = logo_path.read_bytes() if logo_path.is_file() else None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        raise document.error(("logo",), f"{logo_path} cannot be read: {error}") from None
    if data is None:
        raise document.error(("logo",), f"{logo_path} does not exist")
    if len(data) > MAX_LOGO_BYTES:
        raise document.error(("logo",), f"{logo_path} is larger than {MAX_LOGO_BYTES // 1024} KB")
    text = data.decode("utf-8", errors="replace")
    if "<svg" not in text:
        raise document.error(("logo",), f"{logo_path} is not an SVG image")
    if _UNSAFE_SVG_RE.search(text):
        raise document.error(("logo",), f"{logo_path} contains scripts, event handlers or "
                                        "references to other files; use a plain SVG of shapes")
    return logo_path
