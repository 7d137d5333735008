"""Build caches on disk: pickles written atomically, read back as a miss when damaged or stale.

Every cache of the build (read index, analyses, summaries, diffs, search segments, page
manifest) lives under the cache folder and is only ever an optimisation: a missing,
truncated, foreign or outdated file is a miss, never an error, and the build that meets one
computes the value again and rewrites it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.util import paths

# Libraries whose output the caches store or the pages carry: a new version may change it.
CACHED_LIBRARIES = ("jinja2", "markdown-it-py", "markupsafe", "nh3", "pygal", "pyphen", "python-dateutil",
                    "python-frontmatter", "pyyaml", "textstat")


def library_versions() -> str:
    return "".join(f"{library} {importlib.metadata.version(library)}\n" for library in CACHED_LIBRARIES)


@functools.cache
def source_digest() -> str:
    """Of every module of the package, the Python version and the versions of CACHED_LIBRARIES."""
    digest = hashlib.sha256(f"{sys.version}\n{library_versions()}".encode())
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


def code_digest(*extra: bytes) -> str:
    """sha256 over `source_digest()` and `extra` (settings a cache depends on): any code change is a new key."""
    digest = hashlib.sha256(source_digest().encode())
    for part in extra:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def load_pickle(path: Path | None) -> Any:
    """The object pickled at `path`, or None when there is none or it cannot be read."""
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # missing, truncated, written by other code: a miss
        return None


def save_pickle(path: Path, value: Any) -> None:
    """Write atomically (a temporary file renamed over `path`), so a killed build leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


class KeyedStore:
    """A dict kept in one pickle file, valid for one `digest` (of the code and settings that made it).

    Loaded whole at the start of a build, so thousands of small entries cost one file read. Only
    the entries `get` or `put` in this build are saved: removed snapshots leave no garbage behind.
    `path` None: in memory only.
    """

    def __init__(self, path: Path | None, digest: str) -> None:
        self.path = path
        self.digest = digest
        loaded = load_pickle(path)
        valid = isinstance(loaded, dict) and loaded.get("digest") == digest and isinstance(loaded.get("entries"), dict)
        self.entries: dict[Any, Any] = loaded["entries"] if valid else {}
        self.used: dict[Any, Any] = {}
        self.added = 0

    def get(self, key: Any, accept: Callable[[Any], bool] | None = None) -> Any:
        """The entry, or None when there is none or `accept(entry)` is false (such an entry is not kept)."""
        value = self.entries.get(key)
        if value is None or (accept is not None and not accept(value)):
            return None
        self.used[key] = value
        return value

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = self.used[key] = value
        self.added += 1

    def save(self) -> bool:
        """Keep what this build used; written (and True) only when that differs from the file."""
        if not self.added and len(self.used) == len(self.entries):
            return False
        if self.path is not None:
            save_pickle(self.path, {"digest": self.digest, "entries": self.used})
        self.entries = dict(self.used)
        self.added = 0
        return True


def prune_folder(folder: Path | None, keep: set[str]) -> None:
    """Remove the pickles under `folder` (in its <xx>/ subfolders) whose name is not in `keep`."""
    if folder is None or not folder.is_dir():
        return
    for path in folder.glob("*/*.pickle"):
        if path.stem not in keep:
            path.unlink()
