"""Where the project's own files are: the templates, the default content and mkdocs.yml.

Every other module asks here, so the layout of the checkout (or of an installed wheel) is
known in one place.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_ROOT = PACKAGE_DIR.parent

TEMPLATES_DIR = PROJECT_ROOT / "templates"
ASSETS_DIR = TEMPLATES_DIR / "assets"
DEFAULT_LOGO = TEMPLATES_DIR / "brand" / "logo.svg"
DEFAULT_CONTENT = PROJECT_ROOT / "content"
MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"
