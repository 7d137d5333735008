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


class DocsWriter:
    """Fill `docs_dir` file by file (so no build holds every page in memory), then `finish()`.

    `finish` removes the files not added and returns the counts; like `write_docs`, unchanged
    files are left untouched.
    """

    def __init__(self, docs_dir: Path) -> None:
        self.docs_dir = docs_dir
        self.paths: set[str] = set()
        self.written = 0
        docs_dir.mkdir(parents=True, exist_ok=True)

    def add(self, relative: str, data: bytes) -> None:
        if relative in self.paths:
            raise ValueError(f"two files would be written to {relative}")
        self.paths.add(relative)
        self.written += write_if_changed(self.docs_dir / relative, data)

    def add_page(self, page: Page) -> None:
        self.add(page.path, serialize(page))

    def finish(self) -> WriteStats:
        removed = 0
        for path in sorted(self.docs_dir.rglob("*"), reverse=True):
            relative = path.relative_to(self.docs_dir).as_posix()
            if path.is_file() and relative not in self.paths:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return WriteStats(written=self.written, unchanged=len(self.paths) - self.written, removed=removed)


def write_docs(pages: Iterable[Page], docs_dir: Path, extra_files: dict[str, bytes] | None = None) -> WriteStats:
    """Make `docs_dir` hold exactly `pages` and `extra_files` (relative path -> bytes)."""
    writer = DocsWriter(docs_dir)
    for page in pages:
        writer.add_page(page)
    for relative, data in (extra_files or {}).items():
        writer.add(relative, data)
    return writer.finish()


def clear_folder(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
