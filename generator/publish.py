"""Publish stage: the docs folder -> a static site, with MkDocs and Material.

The site is built into a temporary sibling folder and swapped in only when the
build succeeded, so a failed or killed build never destroys the last good site.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from .config import PROJECT_ROOT

MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"


class PublishError(Exception):
    """MkDocs refused to build the site (in strict mode, any warning)."""


@contextlib.contextmanager
def source_date_epoch(day: date | None) -> Iterator[None]:
    """Let MkDocs stamp the sitemap with a date derived from the content, not the clock."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if day is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def swap_in(new_site: Path, site_dir: Path) -> None:
    """Replace `site_dir` by `new_site` with two renames; `restore_interrupted_swap` heals a kill between them."""
    backup = site_dir.with_name(site_dir.name + ".previous")
    if backup.exists():
        shutil.rmtree(backup)
    if site_dir.exists():
        os.replace(site_dir, backup)
    os.replace(new_site, site_dir)
    if backup.exists():
        shutil.rmtree(backup)


def restore_interrupted_swap(site_dir: Path) -> None:
    backup = site_dir.with_name(site_dir.name + ".previous")
    if backup.exists() and not site_dir.exists():
        os.replace(backup, site_dir)


def publish(docs_dir: Path, site_dir: Path, *, content_date: date | None, strict: bool = True,
            config_file: Path = MKDOCS_CONFIG) -> None:
    """Build `docs_dir` into `site_dir` with MkDocs (atomically)."""
    site_dir = site_dir.resolve()
    restore_interrupted_swap(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    try:
        config = load_config(config_file=str(config_file), docs_dir=str(docs_dir.resolve()),
                             site_dir=str(staging), strict=strict)
        with source_date_epoch(content_date):
            mkdocs_build(config)
    except (Abort, MkDocsException) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"MkDocs could not build the site: {error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o755)
    swap_in(staging, site_dir)


def quiet_mkdocs_info() -> None:
    """MkDocs logs every page not in the nav at INFO; our snapshot pages are deliberately not in it."""
    logging.getLogger("mkdocs.structure.pages").setLevel(logging.WARNING)
