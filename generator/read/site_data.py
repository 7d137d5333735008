"""Editable site data: the YAML files in the content folder.

`companies.yml` (display names, sectors), `topics.yml` (the topic taxonomy) and
`milestones.yml` (regulatory dates). A content folder without one of them (such as
the shared sample corpora) falls back to the project's own copy in `content/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from generator.util.paths import DEFAULT_CONTENT



class ConfigError(Exception):
    """A content YAML file that cannot be used; the message names the file and line."""


def data_file(content_dir: Path, name: str) -> Path | None:
    """The content folder's own `name`, else the project's default, else None."""
    for folder in (content_dir, DEFAULT_CONTENT):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_yaml(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: {error.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: {error}") from None


@dataclass(frozen=True)
class CompanyInfo:
    name: str | None = None
    sector: str | None = None


@dataclass(frozen=True)
class SiteData:
    companies: dict[str, CompanyInfo] = field(default_factory=dict)
    style: "SiteStyle" = field(default_factory=lambda: SiteStyle())


def load_companies(content_dir: Path) -> dict[str, CompanyInfo]:
    path = data_file(content_dir, "companies.yml")
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of domain -> {{name, sector}}")
    companies = {}
    for domain, entry in raw.items():
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: entry {domain!r} must be a name or a mapping with name/sector")
        companies[str(domain).lower()] = CompanyInfo(name=entry.get("name"), sector=entry.get("sector"))
    return companies


def load_site_data(content_dir: Path) -> SiteData:
    return SiteData(companies=load_companies(content_dir), style=load_site_style(content_dir))


# --------------------------------------------------------------------------- site.yml: the site's look

HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
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


def _key_line(path: Path, *keys: str) -> int | None:
    """The 1-based line of the value at `keys` in a YAML file, for error messages."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if key_node.value == key:
                node, line = value_node, value_node.start_mark.line + 1
                break
        else:
            break
    return line


def _style_error(path: Path, keys: tuple[str, ...], message: str) -> ConfigError:
    line = _key_line(path, *keys)
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: {'.'.join(keys)}: {message}")


def load_site_style(content_dir: Path) -> SiteStyle:
    """content/site.yml (or the project's copy); no file means Material's default look."""
    path = data_file(content_dir, "site.yml")
    raw = load_yaml(path)
    if path is None or raw is None:
        return SiteStyle()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with colours and/or logo")
    unknown = sorted(str(key) for key in raw if key not in ("colours", "colors", "logo"))
    if unknown:
        raise _style_error(path, (unknown[0],), "unknown setting (known: colours, logo)")
    colours_key = "colours" if "colours" in raw else "colors"
    colours = raw.get(colours_key) or {}
    if not isinstance(colours, dict):
        raise _style_error(path, (colours_key,), "expected a mapping such as {primary: \"#3f51b5\", accent: \"#c2410c\"}")
    chosen: dict[str, str] = {}
    for name, value in colours.items():
        keys = (colours_key, str(name))
        if name not in MIN_CONTRAST:
            raise _style_error(path, keys, "unknown colour (known: primary, accent)")
        if not isinstance(value, str) or not HEX_COLOUR_RE.match(value):
            raise _style_error(path, keys, f"{value!r} is not a 6-digit hex colour such as \"#3f51b5\" "
                                           "(quote it: YAML reads an unquoted # as a comment)")
        value = value.lower()
        ratio, minimum = contrast_ratio(value, WHITE), MIN_CONTRAST[name]
        if ratio < minimum:
            use = "white text on it and links on white pages" if name == "primary" else "hover and focus marks on white"
            raise _style_error(path, keys, f"{value} is unreadable: contrast against white is {ratio:.2f}:1, "
                                           f"{name} needs at least {minimum:g}:1 ({use}); "
                                           f"a darker shade such as {readable_shade(value, WHITE, minimum, '#000000')} works")
        chosen[str(name)] = value
    logo = raw.get("logo")
    logo_path = None
    if logo is not None:
        if not isinstance(logo, str) or not logo.lower().endswith(".svg") or Path(logo).is_absolute() \
                or ".." in Path(logo).parts:
            raise _style_error(path, ("logo",), f"{logo!r} must be the path of an .svg file inside the content folder")
        logo_path = path.parent / logo
        if not logo_path.is_file():
            raise _style_error(path, ("logo",), f"{logo_path} does not exist")
        data = logo_path.read_bytes()
        if len(data) > MAX_LOGO_BYTES:
            raise _style_error(path, ("logo",), f"{logo_path} is larger than {MAX_LOGO_BYTES // 1024} KB")
        text = data.decode("utf-8", errors="replace")
        if "<svg" not in text:
            raise _style_error(path, ("logo",), f"{logo_path} is not an SVG image")
        if _UNSAFE_SVG_RE.search(text):
            raise _style_error(path, ("logo",), f"{logo_path} contains scripts, event handlers or "
                                                "references to other files; use a plain SVG of shapes")
    return SiteStyle(chosen.get("primary"), chosen.get("accent"), logo_path, path)
