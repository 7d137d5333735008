"""Write stage: `Page`s -> files in the docs folder.

Output is deterministic (sorted keys, no timestamps) and incremental: a file whose
bytes would not change is left untouched, so its mtime survives and MkDocs'
`--dirty` rebuilds can skip it; files no longer generated are removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import frontmatter

from .pages import Page

ASSETS_DIR = Path(__file__).resolve().parent.parent / "templates" / "assets"


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def serialize(page: Page) -> bytes:
    if not page.meta:
        return page.body.encode("utf-8")
    return (frontmatter.dumps(frontmatter.Post(page.body, **page.meta)) + "\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; True when written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def asset_files(assets_dir: Path = ASSETS_DIR) -> dict[str, bytes]:
    """Static files (stylesheets, scripts) copied into the docs folder under `assets/`."""
    if not assets_dir.is_dir():
        return {}
    return {
        f"assets/{path.relative_to(assets_dir).as_posix()}": path.read_bytes()
        for path in sorted(assets_dir.rglob("*"))
        if path.is_file()
    }


def write_docs(pages: Iterable[Page], docs_dir: Path, extra_files: dict[str, bytes] | None = None) -> WriteStats:
    """Make `docs_dir` hold exactly `pages` and `extra_files` (relative path -> bytes)."""
    files: dict[str, bytes] = {}
    for page in pages:
        if page.path in files:
            raise ValueError(f"two pages would be written to {page.path}")
        files[page.path] = serialize(page)
    for relative, data in (extra_files or {}).items():
        if relative in files:
            raise ValueError(f"two files would be written to {relative}")
        files[relative] = data
    docs_dir.mkdir(parents=True, exist_ok=True)
    written = sum(write_if_changed(docs_dir / relative, data) for relative, data in sorted(files.items()))
    removed = 0
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        relative = path.relative_to(docs_dir).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return WriteStats(written=written, unchanged=len(files) - written, removed=removed)


def clear_folder(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
