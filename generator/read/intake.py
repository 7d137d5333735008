"""Filing new snapshot files into the content layout (`policykb add`, the git importer).

Files arrive with any name (the dataset's are like `000_6e98ad50f6b6871f.txt`); after
validation each is stored as `content/snapshots/<domain>/<YYYY-MM-DD>.md` in UTF-8
with `\n` newlines. A second, different capture of the same day becomes `<date>-2.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.read.snapshots import MAX_FILE_BYTES, SLUG_RE, SnapshotError, decode, parse_domain, parse_snapshot


@dataclass(frozen=True)
class Filed:
    source: str
    destination: Path
    status: str  # "added", "unchanged" (an identical file is already there)


def normalised_bytes(data: bytes, source: str) -> bytes:
    """The bytes we store: UTF-8 without BOM, `\n` newlines, one final newline."""
    return (decode(data, source).rstrip("\n") + "\n").encode("utf-8")


def _domain_folders(content_dir: Path, domain: str) -> list[Path]:
    """Existing folders holding `domain`, whatever their letter case (`Guess.com/` and `guess.com/`)."""
    root = content_dir / "snapshots"
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir()
                  if path.is_dir() and not path.is_symlink() and parse_domain(path.name) == domain)


def file_snapshot(data: bytes, source: str, content_dir: Path, *, today: date | None = None) -> Filed:
    """Validate one snapshot and store it under `content_dir`; raises SnapshotError when invalid."""
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(source, 0, f"file too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})")
    stored = normalised_bytes(data, source)
    snapshot = parse_snapshot(stored, source, today=today)
    folders = _domain_folders(content_dir, snapshot.domain)
    day = snapshot.archived_on.isoformat()
    same_day = sorted(path for folder in folders for path in folder.glob(f"{day}*.md")
                      if SLUG_RE.match(path.stem) and path.is_file() and not path.is_symlink())
    for existing in same_day:
        if existing.read_bytes() == stored:
            return Filed(source, existing, "unchanged")
    for existing in same_day:
        try:
            other = parse_snapshot(existing.read_bytes(), existing.as_posix(), today=today)
        except SnapshotError:
            continue  # a broken file already filed is `policykb check`'s to report, not a conflict
        if (other.wayback_url, other.title, other.body) == (snapshot.wayback_url, snapshot.title, snapshot.body):
            return Filed(source, existing, "unchanged")
        if other.wayback_url == snapshot.wayback_url:
            raise SnapshotError(
                source, 1, f"conflicts with {existing.as_posix()}: same domain, date and capture but different text"
            )
    # File into the folder that already holds the domain (even if its case differs), else a new lower-case one.
    folder = folders[0] if folders else content_dir / "snapshots" / snapshot.domain
    taken = {path.stem for path in same_day} | {path.stem.lower() for path in folder.glob(f"{day}*")}
    slug = next(candidate for n in range(1, len(taken) + 2)
                if (candidate := day if n == 1 else f"{day}-{n}") not in taken)
    destination = folder / f"{slug}.md"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{slug}.md.tmp"  # hidden: `check` reports it if we are killed here
    temporary.write_bytes(stored)
    temporary.replace(destination)
    return Filed(source, destination, "added")
