"""Editable site data: the YAML files in the content folder.

`companies.yml` (display names, sectors), `topics.yml` (the topic taxonomy) and
`milestones.yml` (regulatory dates). A content folder without one of them (such as
the shared sample corpora) falls back to the project's own copy in `content/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = PROJECT_ROOT / "content"


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
    return SiteData(companies=load_companies(content_dir))
