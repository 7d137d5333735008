"""Filing new snapshot files into the content layout (`policykb add`, the git importer).

Files arrive with any name (the dataset's are like `000_6e98ad50f6b6871f.txt`); after
validation each is stored as `content/snapshots/<domain>/<YYYY-MM-DD>.md` in UTF-8
with `\n` newlines. A second, different capture of the same day becomes `<date>-2.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .reader import SLUG_RE, SnapshotError, decode, parse_snapshot


@dataclass(frozen=True)
class Filed:
    source: str
    destination: Path
    status: str  # "added", "unchanged" (an identical file is already there)


def normalised_bytes(data: bytes, source: str) -> bytes:
    """The bytes we store: UTF-8 without BOM, `\n` newlines, one final newline."""
    return (decode(data, source).rstrip("\n") + "\n").encode("utf-8")


def file_snapshot(data: bytes, source: str, content_dir: Path, *, today: date | None = None) -> Filed:
    """Validate one snapshot and store it under `content_dir`; raises SnapshotError when invalid."""
    stored = normalised_bytes(data, source)
    snapshot = parse_snapshot(stored, source, today=today)
    folder = content_dir / "snapshots" / snapshot.domain
    same_day = sorted(folder.glob(f"{snapshot.archived_on.isoformat()}*.md")) if folder.is_dir() else []
    same_day = [path for path in same_day if SLUG_RE.match(path.stem)]
    for existing in same_day:
        if existing.read_bytes() == stored:
            return Filed(source, existing, "unchanged")
    for existing in same_day:
        other = parse_snapshot(existing.read_bytes(), existing.as_posix(), slug=existing.stem, today=today)
        if other.wayback_url == snapshot.wayback_url:
            raise SnapshotError(
                source, 1, f"conflicts with {existing.as_posix()}: same domain, date and capture but different text"
            )
    slug = snapshot.archived_on.isoformat() + (f"-{len(same_day) + 1}" if same_day else "")
    destination = folder / f"{slug}.md"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{slug}.md.tmp"  # hidden: the reader skips it if we are killed here
    temporary.write_bytes(stored)
    temporary.replace(destination)
    return Filed(source, destination, "added")
