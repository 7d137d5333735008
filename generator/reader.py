"""Read stage: snapshot files -> `Snapshot`s, or a `SnapshotError` naming file and line.

A snapshot file (Princeton-Leuven Longitudinal Privacy Policy Dataset format) is:

    > *The following text is extracted and transformed from the DOMAIN privacy policy
      that was archived on YYYY-MM-DD. Please check the [original snapshot on the
      Wayback Machine](URL) for the most accurate reproduction.*      (one line)

    # Title                                                          (optional)

    Markdown body ...

Real files carry BOMs, CRLF newlines, Windows-1252 bytes and empty titles; all of
that is normalised here so later stages see clean `\n`-separated Unicode text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import Snapshot

HEADER_RE = re.compile(
    r"^>\s*\*\s*The following text is extracted and transformed from the\s+(?P<domain>.*?)\s+"
    r"privacy policy that was archived on\s+(?P<date>\S+?)\.\s+Please check the\s+"
    r"\[original snapshot on the Wayback Machine\]\((?P<url>.*)\)\s+"
    r"for the most accurate reproduction\.\s*\*\s*$",
    re.IGNORECASE,
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# One DNS label: letters, digits and inner hyphens, at most 63 characters.
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
WAYBACK_RE = re.compile(r"^/web/(?P<stamp>\d{4,14})(?:[a-z]{2}_)?/(?P<original>.+)$", re.IGNORECASE)
SLUG_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?:-(?P<n>[2-9]|[1-9]\d+))?$")
TITLE_RE = re.compile(r"^#(?:\s+(?P<title>.*?))?\s*#*\s*$")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SnapshotError(Exception):
    """Why a file is not a usable snapshot; `line` is 1-based, 0 when it concerns the whole file."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


def decode(data: bytes, source: str) -> str:
    """Bytes -> text with `\n` newlines: UTF-8 (BOM optional), UTF-16 with BOM, else Windows-1252."""
    if not data.strip():
        raise SnapshotError(source, 0, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data:
            raise SnapshotError(source, _line_of(data, data.index(b"\x00")), "binary data (NUL byte), not a text file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Old pages were often Windows-1252; the five bytes it leaves undefined carry no text.
            text = data.decode("cp1252", errors="ignore")
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_domain(raw: str) -> str | None:
    """A lower-case host name, or None when `raw` is not one (paths, spaces, empty labels...)."""
    candidate = raw.strip().rstrip(".").lower()
    try:
        candidate = candidate.encode("idna").decode("ascii") if not candidate.isascii() else candidate
    except UnicodeError:
        return None
    labels = candidate.split(".")
    if len(candidate) > 253 or len(labels) < 2 or not all(LABEL_RE.match(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # an IP address or a number, not a domain
    return candidate


def parse_wayback(url: str) -> tuple[str, datetime | None]:
    """(original URL, capture time) from a Wayback Machine URL; ("", None) when it is not one."""
    parts = urlsplit(url)
    match = WAYBACK_RE.match(parts.path + (f"?{parts.query}" if parts.query else ""))
    if not parts.netloc.lower().endswith("archive.org") or not match:
        return "", None
    original = unquote(match.group("original"))
    if not re.match(r"^https?://", original, re.IGNORECASE):
        original = "http://" + original.lstrip("/")
    stamp = match.group("stamp").ljust(14, "0")
    try:
        captured = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        captured = None
    return original, captured


def parse_snapshot(data: bytes, source: str, *, slug: str | None = None, today: date | None = None) -> Snapshot:
    """Parse one snapshot file's bytes. `slug` is the content-layout file stem, when there is one."""
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(source, 0, f"file too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})")
    text = decode(data, source)
    lines = text.split("\n")
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise SnapshotError(source, 0, "empty file")
    header_line = header_index + 1
    header = HEADER_RE.match(lines[header_index].strip()) if len(lines[header_index]) < 10_000 else None
    if not header:
        raise SnapshotError(
            source,
            header_line,
            "no snapshot header: the first line must be '> *The following text is extracted and transformed "
            "from the DOMAIN privacy policy that was archived on YYYY-MM-DD. ...*'",
        )
    domain = parse_domain(header.group("domain"))
    if domain is None:
        raise SnapshotError(source, header_line, f"not a domain name: {header.group('domain')[:80]!r}")
    archived_on = _parse_date(header.group("date"), source, header_line, today or date.today())
    url = header.group("url")
    if not re.match(r"^https?://[^\s/]+\S*$", url, re.IGNORECASE):
        raise SnapshotError(source, header_line, f"the Wayback link is not an http(s) URL: {url[:80]!r}")
    source_url, captured_at = parse_wayback(url)

    index = header_index + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    title = ""
    title_match = TITLE_RE.match(lines[index]) if index < len(lines) and len(lines[index]) < 10_000 else None
    if title_match:
        title = " ".join((title_match.group("title") or "").split())
        index += 1
    body_lines = lines[index:]
    body = "\n".join(body_lines).strip("\n")
    if not body.strip():
        raise SnapshotError(source, header_line, "header only: no policy text after the header")
    body_line = index + 1 + next((i for i, line in enumerate(body_lines) if line.strip()), 0)
    return Snapshot(
        source=source,
        domain=domain,
        archived_on=archived_on,
        slug=_check_slug(slug, archived_on, source) if slug else archived_on.isoformat(),
        wayback_url=url,
        source_url=source_url,
        captured_at=captured_at,
        title=title,
        body=body,
        body_line=body_line,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _parse_date(raw: str, source: str, line: int, today: date) -> date:
    if not DATE_RE.match(raw):
        raise SnapshotError(source, line, f"archive date is not YYYY-MM-DD: {raw[:40]!r}")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise SnapshotError(source, line, f"impossible archive date {raw}") from None
    if value > today:
        raise SnapshotError(source, line, f"archive date {raw} is in the future")
    if value.year < 1994:
        raise SnapshotError(source, line, f"archive date {raw} is before the web archive existed")
    return value


def _check_slug(slug: str, archived_on: date, source: str) -> str:
    match = SLUG_RE.match(slug)
    if not match:
        raise SnapshotError(source, 0, f"file name {slug!r} is not YYYY-MM-DD or YYYY-MM-DD-N")
    if match.group("date") != archived_on.isoformat():
        raise SnapshotError(
            source, 1, f"file name says {match.group('date')} but the header says archived on {archived_on}"
        )
    return slug


@dataclass(frozen=True)
class ReadResult:
    snapshots: list[Snapshot]
    rejected: list[SnapshotError]


def read_content(content_dir: Path, *, today: date | None = None) -> ReadResult:
    """Read every file under `content_dir/snapshots/<domain>/`, in a stable order.

    Nothing is dropped silently: each file becomes a Snapshot or a SnapshotError.
    """
    root = content_dir / "snapshots"
    snapshots: list[Snapshot] = []
    rejected: list[SnapshotError] = []
    seen: dict[tuple[str, str], str] = {}
    if not root.is_dir():
        return ReadResult(snapshots, rejected)
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        source = path.as_posix()
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue  # editor and OS droppings (.DS_Store, .swp) are not snapshots
        try:
            snapshot = _read_layout_file(path, relative, source, today)
        except SnapshotError as error:
            rejected.append(error)
            continue
        if snapshot.key in seen:
            rejected.append(SnapshotError(source, 0, f"duplicate of {seen[snapshot.key]} (same domain and date)"))
            continue
        seen[snapshot.key] = source
        snapshots.append(snapshot)
    return ReadResult(snapshots, rejected)


def _read_layout_file(path: Path, relative: Path, source: str, today: date | None) -> Snapshot:
    if path.is_symlink():
        raise SnapshotError(source, 0, "symbolic links are not read (a snapshot must be a regular file)")
    if len(relative.parts) != 2 or path.suffix != ".md":
        raise SnapshotError(source, 0, "not in the layout snapshots/<domain>/<YYYY-MM-DD>.md")
    snapshot = parse_snapshot(path.read_bytes(), source, slug=path.stem, today=today)
    if relative.parts[0] != snapshot.domain:
        raise SnapshotError(
            source, 1, f"folder {relative.parts[0]!r} does not match the header's domain {snapshot.domain!r}"
        )
    return snapshot
