"""Write stage: `Page`s and files -> the docs folder, skipping what has not changed.

Output is deterministic (sorted keys, no timestamps) and incremental at two levels:

- a file whose bytes would not change is left untouched, so its mtime survives and MkDocs'
  `--dirty` rebuilds can skip it; files no longer generated are removed;
- with a manifest (a file in the cache folder), work is grouped in units (a company's pages,
  the topic pages, ...) each with a digest of its inputs: a unit whose digest and files are as
  the last build left them is not produced at all (`DocsWriter.unchanged`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml

from generator.util.cache import KeyedStore
from generator.render.base import Page
from generator.util.paths import ASSETS_DIR


# What a unit produces: pages, whole files, or files as a stream of chunks (the big data files).
Payload = Page | bytes | Iterable[bytes]


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


@dataclass(frozen=True)
class FileRecord:
    """A file as this build left it: enough to tell it was not touched since, and its checksum."""

    size: int
    mtime_ns: int
    sha256: str


def _plain(dumper: type[yaml.SafeDumper]) -> type[yaml.SafeDumper]:
    """`dumper` without anchors: a value shared by two fields (two versions' equal stated dates, from
    one cached analysis) is written twice, so the bytes never depend on which objects are shared."""
    return type(f"Plain{dumper.__name__}", (dumper,), {"ignore_aliases": lambda self, data: True})


PYTHON_DUMPER = _plain(yaml.SafeDumper)
# libyaml's emitter is five times faster and writes the same bytes as PyYAML's for front matter whose
# keys are short ASCII and whose text YAML can print as it is (tests/test_writer.py): Basic Multilingual
# Plane characters, no control characters, no line or paragraph separators and no byte-order mark.
# Beyond that the two differ (libyaml escapes emoji, measures keys in bytes, folds long escaped
# strings elsewhere), so such pages keep PyYAML's.
C_DUMPER = _plain(yaml.CSafeDumper) if getattr(yaml, "__with_libyaml__", False) else None
C_SAFE_TEXT = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*\\Z")
C_SAFE_KEY = re.compile("[\x20-\x7e]{1,100}\\Z")


def _c_safe(value: object) -> bool:
    if isinstance(value, str):
        return bool(C_SAFE_TEXT.match(value))
    if isinstance(value, dict):
        return all(isinstance(key, str) and C_SAFE_KEY.match(key) and _c_safe(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return all(_c_safe(item) for item in value)
    return True


def serialize(page: Page) -> bytes:
    if not page.meta:
        return page.body.encode("utf-8")
    dumper = C_DUMPER if C_DUMPER is not None and _c_safe(page.meta) else PYTHON_DUMPER
    return (frontmatter.dumps(frontmatter.Post(page.body, **page.meta), Dumper=dumper) + "\n").encode("utf-8")


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


def intact(path: Path, record: FileRecord) -> bool:
    """True when `path` is still the file `record` describes (size and mtime unchanged)."""
    try:
        status = path.stat()
    except OSError:
        return False
    return status.st_size == record.size and status.st_mtime_ns == record.mtime_ns


def _record(path: Path, sha256: str) -> FileRecord:
    status = path.stat()
    return FileRecord(status.st_size, status.st_mtime_ns, sha256)


def write_payload(docs_dir: Path, relative: str, payload: Payload,
                  previous: FileRecord | None = None) -> tuple[FileRecord, bool]:
    """Write one file of the docs folder unless it already holds those bytes: (its record, written?).

    `previous`: the file's record from the last build; when the new bytes have its checksum and
    the file is intact, the old file is not even read.
    """
    path = docs_dir / relative
    if isinstance(payload, Page):
        payload = serialize(payload)
    if isinstance(payload, bytes):
        sha256 = hashlib.sha256(payload).hexdigest()
        if previous is not None and previous.sha256 == sha256 and intact(path, previous):
            return previous, False
        written = write_if_changed(path, payload)
        return _record(path, sha256), written
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    digest = hashlib.sha256()
    with temporary.open("wb") as handle:
        for chunk in payload:
            digest.update(chunk)
            handle.write(chunk)
    sha256 = digest.hexdigest()
    if previous is not None and previous.sha256 == sha256 and intact(path, previous):
        temporary.unlink()
        return previous, False
    os.replace(temporary, path)
    return _record(path, sha256), True


def payload_bytes(payload: Payload) -> bytes:
    if isinstance(payload, Page):
        return serialize(payload)
    return payload if isinstance(payload, bytes) else b"".join(payload)


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

    `finish` removes the files not added and returns the counts; unchanged files are left
    untouched. `manifest`: the cache file recording each unit's digest and files (None: none),
    valid for `digest` (of the generating code: new code, every unit produced again).
    """

    def __init__(self, docs_dir: Path, manifest: Path | None = None, digest: str = "") -> None:
        self.docs_dir = docs_dir
        self.manifest = KeyedStore(manifest, digest)
        self.previous: dict[str, FileRecord] = {
            path: record for _, files in self.manifest.entries.values() for path, record in files.items()}
        self.records: dict[str, FileRecord] = {}
        self.written = 0
        docs_dir.mkdir(parents=True, exist_ok=True)

    def _claim(self, relative: str) -> None:
        if relative in self.records:
            raise ValueError(f"two files would be written to {relative}")

    def unchanged(self, key: str, digest: str) -> bool:
        """True (and its files kept) when unit `key` had this digest last time and its files are intact."""
        entry = self.manifest.get(key, lambda entry: entry[0] == digest and all(
            intact(self.docs_dir / path, record) for path, record in entry[1].items()))
        if entry is None:
            return False
        for path, record in entry[1].items():
            self._claim(path)
            self.records[path] = record
        return True

    def previous_files(self, key: str) -> dict[str, FileRecord]:
        """The files unit `key` wrote in the last build."""
        entry = self.manifest.entries.get(key)
        return dict(entry[1]) if entry is not None else {}

    def add(self, relative: str, payload: Payload) -> FileRecord:
        self._claim(relative)
        record, written = write_payload(self.docs_dir, relative, payload, self.previous.get(relative))
        self.records[relative] = record
        self.written += written
        return record

    def add_page(self, page: Page) -> None:
        self.add(page.path, page)

    def adopt(self, files: dict[str, FileRecord], written: int) -> None:
        """Files another process wrote into the docs folder (with write_payload)."""
        for path, record in files.items():
            self._claim(path)
            self.records[path] = record
        self.written += written

    def done(self, key: str, digest: str, paths: Iterable[str]) -> None:
        """Unit `key` was produced from inputs with `digest`: `paths` are its files."""
        self.manifest.put(key, (digest, {path: self.records[path] for path in paths}))

    def finish(self) -> WriteStats:
        """Remove every file of the docs folder not added or kept, and the folders left empty."""
        removed = 0
        root = os.fspath(self.docs_dir)
        emptied: set[str] = set()  # folders whose every entry was removed (bottom-up walk: children first)
        for folder, dirs, files in os.walk(root, topdown=False):
            prefix = folder[len(root) + 1:] + "/" if folder != root else ""
            kept = False
            for name in files:
                if prefix + name in self.records:
                    kept = True
                else:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
            if folder != root and not kept and all(os.path.join(folder, d) in emptied for d in dirs):
                os.rmdir(folder)
                emptied.add(folder)
        self.manifest.save()
        return WriteStats(written=self.written, unchanged=len(self.records) - self.written, removed=removed)
