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

import codecs
import hashlib
import os
import re
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.util.cache import KeyedStore, code_digest
from generator.util.parallel import parallel_map, worker_count
from generator.model import Snapshot

# Matched against the first line with every whitespace run collapsed to one space, so the
# pattern has no adjacent variable-width parts: hostile header lines cannot make it backtrack
# catastrophically (the old `\s+(.*?)\s+` form took minutes on a 10,000-character line).
HEADER_RE = re.compile(
    r"^> ?\* ?The following text is extracted and transformed from the (?P<domain>[^*\[\]()]*?) ?"
    r"privacy policy that was archived on (?P<date>[^ ]*?)\. Please check the "
    r"\[original snapshot on the Wayback Machine\]\((?P<url>.*)\) "
    r"for the most accurate reproduction\. ?\* ?$",
    re.IGNORECASE,
)
HEADER_START = "> *the following text is extracted"
MAX_HEADER_CHARS = 8_000
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# One DNS label: letters, digits and inner hyphens, at most 63 characters.
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
WAYBACK_RE = re.compile(r"^/web/(?P<stamp>[0-9]{4,14})(?:[a-z]{2}_)?/(?P<original>.+)$", re.IGNORECASE | re.S)
SLUG_RE = re.compile(r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:-(?P<n>[2-9]|[1-9][0-9]+))?\Z")
TITLE_RE = re.compile(r"^#(?:[ \t]+(?P<title>.*?))?[ \t]*#*[ \t]*$")
# Control characters other than tab and newline carry no text; some (STX/ETX) are even
# Python-Markdown's own placeholders. Bidirectional overrides can disguise a title.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
WAYBACK_HOSTS = ("archive.org",)
# Files an editor or operating system leaves beside ours: skipped without a report line.
DROPPINGS_RE = re.compile(r"^(?:\.DS_Store|\._.*|\..*\.sw[a-p]|.*~|Thumbs\.db|desktop\.ini|\.gitkeep|\.keep)\Z", re.I)
MAX_FILE_BYTES = 5 * 1024 * 1024  # real policies are under 1 MB; bigger is a mistake or an attack


@dataclass(frozen=True)
class SnapshotError(Exception):
    """Why a file is not a usable snapshot; `line` is 1-based, 0 when it concerns the whole file."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"

    def __reduce__(self):  # frozen fields: pickle (to and from reader processes) by the constructor
        return (SnapshotError, (self.source, self.line, self.reason))


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252 (its 5 holes dropped)."""
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start:error.end]
    return chunk.decode("cp1252", errors="ignore"), error.end


codecs.register_error("policykb-cp1252", _cp1252_fallback)


def decode(data: bytes, source: str) -> str:
    """Bytes -> text with `\n` newlines: UTF-8 (BOM optional), UTF-16 with BOM, else Windows-1252.

    A file that is UTF-8 except for a few stray bytes keeps its UTF-8 characters: only the
    bytes that are not UTF-8 are read as Windows-1252. Control characters are dropped.
    """
    if not data.strip():
        raise SnapshotError(source, 0, "empty file" if not data else "empty file (only whitespace)")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise SnapshotError(source, 0, "UTF-32 text is not supported: save the file as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SnapshotError(source, 0, f"starts with a UTF-16 byte-order mark but is not UTF-16 text "
                                           f"(byte {error.start})") from None
        if "\x00" in text:
            raise SnapshotError(source, 0, "binary data (NUL character), not a text file")
    else:
        if b"\x00" in data:
            raise SnapshotError(source, _line_of(data, data.index(b"\x00")), "binary data (NUL byte), not a text file")
        controls = sum(data.count(bytes([byte])) for byte in (*range(0x01, 0x09), *range(0x0e, 0x1b), 0x1c, 0x1d, 0x1e, 0x1f, 0x7f))
        if controls > max(16, len(data) // 100):
            raise SnapshotError(source, 0, f"binary data ({controls:,} control bytes), not a text file")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        text = data.decode("utf-8", errors="policykb-cp1252")
    text = repair_mojibake(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    text = CONTROL_RE.sub("", text)
    if not text.strip():
        raise SnapshotError(source, 0, "empty file (only whitespace and control characters)")
    return text


# UTF-8 text that was once decoded as Windows-1252 or Latin-1 ("â€™" or "â" + C1 controls for "’"):
# a lead character and the continuation characters its UTF-8 sequence needs.
_CONTINUATION = "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014" \
                "\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
# Only the two shapes that are almost never real text: "â" + 2 (quotes, dashes, ellipsis) and
# "Ã" + 1 (accented letters); "Â" + 1 is left alone ("Â¡" can be meant).
MOJIBAKE_RE = re.compile(f"\u00e2{_CONTINUATION}{{2}}|\u00c3{_CONTINUATION}")


def repair_mojibake(text: str) -> str:
    """Re-read runs that are UTF-8 bytes shown as Windows-1252/Latin-1; anything else stays as it is."""
    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        for encoding in ("cp1252", "latin-1"):
            try:
                return run.encode(encoding).decode("utf-8")
            except UnicodeError:
                continue
        return run

    return MOJIBAKE_RE.sub(fix, text)


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


def wayback_host(url: str) -> bool:
    """True when `url` is an http(s) address on archive.org (no user name, no odd port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".")
    return (parts.scheme.lower() in ("http", "https") and "@" not in parts.netloc and port in (None, 80, 443)
            and any(host == allowed or host.endswith("." + allowed) for allowed in WAYBACK_HOSTS))


def parse_wayback(url: str) -> tuple[str, datetime | None]:
    """(original URL, capture time) from a Wayback Machine URL; ("", None) when it is not one."""
    if not wayback_host(url):
        return "", None
    parts = urlsplit(url)
    match = WAYBACK_RE.match(parts.path + (f"?{parts.query}" if parts.query else ""))
    if not match:
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


def _header_error(line: str) -> str:
    if len(line) > MAX_HEADER_CHARS:
        return (f"no snapshot header: the first line is {len(line):,} characters long "
                f"(a header is one line of at most {MAX_HEADER_CHARS:,})")
    if " ".join(line.split()).lower().startswith(HEADER_START):
        return ("malformed snapshot header: it must read '> *The following text is extracted and transformed "
                "from the DOMAIN privacy policy that was archived on YYYY-MM-DD. Please check the [original "
                "snapshot on the Wayback Machine](URL) for the most accurate reproduction.*'")
    return ("no snapshot header: the first line must be '> *The following text is extracted and transformed "
            "from the DOMAIN privacy policy that was archived on YYYY-MM-DD. ...*'")


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
    first = lines[header_index]
    header = HEADER_RE.match(" ".join(first.split())) if len(first) <= MAX_HEADER_CHARS else None
    if not header:
        raise SnapshotError(source, header_line, _header_error(first))
    domain = parse_domain(header.group("domain"))
    if domain is None:
        raise SnapshotError(source, header_line, f"not a domain name: {header.group('domain')[:80]!r}")
    archived_on = _parse_date(header.group("date"), source, header_line, today or date.today())
    url = header.group("url")
    if not re.match(r"^https?://[^\s/]+\S*$", url, re.IGNORECASE):
        raise SnapshotError(source, header_line, f"the Wayback link is not an http(s) URL: {url[:80]!r}")
    if not wayback_host(url):
        raise SnapshotError(source, header_line,
                            f"the Wayback link does not point to web.archive.org: {url[:80]!r}")
    # Characters that have no business in a URL (quotes, angle brackets, spaces, non-ASCII)
    # are percent-encoded, so the link we print is inert whatever template quotes it.
    url = quote(url, safe=URL_SAFE)
    source_url, captured_at = parse_wayback(url)

    index = header_index + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    title = ""
    title_match = TITLE_RE.match(lines[index]) if index < len(lines) and len(lines[index]) < 10_000 else None
    if title_match:
        title = " ".join(BIDI_RE.sub("", title_match.group("title") or "").split())
        index += 1
    body_lines = lines[index:]
    body = "\n".join(body_lines).strip("\n")
    if not body.strip():
        raise SnapshotError(source, header_line, "header only: no policy text after the header"
                            + (" and title" if title_match else ""))
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
        body_line=body_line,
        sha256=hashlib.sha256(data).hexdigest(),
        body_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        kept_body=body,
        body_reader=read_body,
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


def display_path(path: Path) -> str:
    """`path` as text we can print and store in JSON, even when its name is not valid UTF-8."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _walk(root: Path) -> list[Path]:
    """Every entry under `root` that is not a plain folder: files, symbolic links, sockets...

    Symbolic links (to files or folders) are listed, never followed: a link could pull in
    any file on the machine.
    """
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in dirs:
            if (base / name).is_symlink():
                found.append(base / name)
        found.extend(base / name for name in files)
    return sorted(found, key=_reading_order)


def _reading_order(path: Path) -> tuple:
    """Folder by folder; inside one, `<date>.md` before `<date>-2.md` before `<date>-10.md`."""
    match = SLUG_RE.match(path.stem) if path.suffix == ".md" else None
    name_key = (0, match.group("date"), int(match.group("n") or 1)) if match else (1, os.fsencode(path.name))
    return (os.fsencode(path.parent), name_key)


def content_key(snapshot: Snapshot, body: str) -> str:
    """What makes two snapshot files the same snapshot, whatever their bytes (BOM, CRLF, encoding)."""
    return hashlib.sha256("\n".join([snapshot.domain, snapshot.archived_on.isoformat(), snapshot.wayback_url,
                                      snapshot.title, body]).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParsedFile:
    """What reading one accepted file gave: its snapshot and content key."""

    snapshot: Snapshot
    content_key: str


StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
INDEX_FILE = "read-index.pickle"
PARALLEL_READ_THRESHOLD = 200  # files to parse; below this, starting processes costs more than it saves
# A file modified this recently may be modified again within the file system's timestamp
# granularity (up to 2 s) without its mtime changing: it is parsed again next time, not indexed.
RACY_NS = 2_000_000_000


class ReadIndex:
    """What each unchanged file gave when it was last parsed, so a rebuild parses only new and edited files.

    Keyed by the path under snapshots/ and valid while the file's size, mtime, ctime and inode are
    those it had then: an edit in place changes mtime and ctime even when the size stays the same.
    Only accepted files are indexed, so a rejected file is read, and reported, on every build.
    `path` None: no index, every file is parsed.
    """

    def __init__(self, path: Path | None) -> None:
        self.store = KeyedStore(path, code_digest())
        self.started = time.time_ns()

    def get(self, relative: str, stat: StatKey, today: date) -> ParsedFile | None:
        """None for a new or edited file, or one dated after `today` (rejected as in the future when parsed)."""
        entry = self.store.get(relative, lambda entry: entry[0] == stat and entry[1].snapshot.archived_on <= today)
        return entry[1] if entry is not None else None

    def put(self, relative: str, stat: StatKey, parsed: ParsedFile) -> None:
        if self.started - stat[1] > RACY_NS:
            self.store.put(relative, (stat, parsed))

    def save(self) -> None:
        self.store.save()


def read_content(content_dir: Path, *, today: date | None = None, cache_dir: Path | None = None,
                 workers: int | None = None) -> ReadResult:
    """Read every file under `content_dir/snapshots/<domain>/`, in a stable order.

    Nothing is dropped silently: each file becomes a Snapshot or a SnapshotError. Only the
    droppings of editors and operating systems (.DS_Store, *.swp, *~) are skipped. With a
    `cache_dir`, files unchanged since the last build are not read again (see ReadIndex);
    many files to parse are parsed by `workers` processes (default: one per CPU).
    Snapshots come without their body (`Snapshot.body` reads it again when needed).
    """
    root = content_dir / "snapshots"
    if not root.is_dir():
        return ReadResult([], [])
    today = today or date.today()
    index = ReadIndex(cache_dir / INDEX_FILE if cache_dir is not None else None)
    outcomes: list[ParsedFile | SnapshotError | None] = []
    sources: list[str] = []
    relatives: list[Path] = []
    to_parse: list[tuple[int, StatKey]] = []  # (position in outcomes, file status when parsed)
    for path in _walk(root):
        if DROPPINGS_RE.match(path.name) and not path.is_symlink():
            continue  # editor and OS droppings are not snapshots
        source, relative = display_path(path), path.relative_to(root)
        sources.append(source)
        relatives.append(relative)
        try:
            stat = _check_layout(path, relative, source)
        except SnapshotError as error:
            outcomes.append(error)
            continue
        parsed = index.get(relative.as_posix(), stat, today)
        if parsed is None:
            to_parse.append((len(outcomes), stat))
        outcomes.append(ParsedFile(replace(parsed.snapshot, source=source), parsed.content_key) if parsed else None)
    jobs = [(root / relatives[position], sources[position], relatives[position], today) for position, _ in to_parse]
    for (position, stat), outcome in zip(to_parse, _parse_files(jobs, workers)):
        outcomes[position] = outcome
        if isinstance(outcome, ParsedFile) and outcome.snapshot.kept_body is None:
            index.put(relatives[position].as_posix(), stat,
                      ParsedFile(replace(outcome.snapshot, source=""), outcome.content_key))
    index.save()
    return _accept(outcomes, sources, relatives)


def _accept(outcomes: list[ParsedFile | SnapshotError], sources: list[str], relatives: list[Path]) -> ReadResult:
    """The snapshots in reading order, the first of two files claiming the same snapshot winning."""
    snapshots: list[Snapshot] = []
    rejected: list[SnapshotError] = []
    seen: dict[tuple[str, str], ParsedFile] = {}
    seen_content: dict[str, Snapshot] = {}
    names: dict[str, str] = {}  # source -> path relative to the content folder, for messages
    for outcome, source, relative in zip(outcomes, sources, relatives):
        if isinstance(outcome, SnapshotError):
            rejected.append(outcome)
            continue
        snapshot = outcome.snapshot
        first = seen.get(snapshot.key)
        if first is not None:
            same = first.content_key == outcome.content_key
            rejected.append(SnapshotError(source, 0, (
                f"duplicate: the same snapshot as {names[first.snapshot.source]}" if same else
                f"two different snapshots claim {snapshot.domain} on {snapshot.slug}: this one and "
                f"{names[first.snapshot.source]} (rename one <date>-2.md if both are real captures of that day)")))
            continue
        twin = seen_content.get(outcome.content_key)
        if twin is not None:
            rejected.append(SnapshotError(source, 0, f"duplicate: the same snapshot as {names[twin.source]}"))
            continue
        names[source] = display_path(Path("snapshots") / relative)
        seen[snapshot.key] = outcome
        seen_content[outcome.content_key] = snapshot
        snapshots.append(snapshot)
    return ReadResult(snapshots, rejected)


def _check_layout(path: Path, relative: Path, source: str) -> StatKey:
    """Why `path` cannot be a snapshot file, from its name and status alone; else its StatKey."""
    if path.is_symlink():
        raise SnapshotError(source, 0, "symbolic links are not read (a snapshot must be a regular file)")
    if path.name.startswith(".") and path.name.endswith(".md.tmp"):
        raise SnapshotError(source, 0, "left over from an interrupted `policykb add`: add the file again, then delete this")
    if any(part.startswith(".") for part in relative.parts):
        raise SnapshotError(source, 0, "hidden file or folder (name starts with '.'): not read as a snapshot")
    if not path.is_file():
        raise SnapshotError(source, 0, "not a regular file")
    if len(relative.parts) != 2 or path.suffix != ".md":
        raise SnapshotError(source, 0, "not in the layout snapshots/<domain>/<YYYY-MM-DD>.md")
    try:
        status = path.stat()
    except OSError as error:
        raise SnapshotError(source, 0, f"cannot read the file: {error.strerror or error}") from None
    if status.st_size > MAX_FILE_BYTES:
        raise SnapshotError(source, 0, f"file too large ({status.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _parse_file(job: tuple[Path, str, Path, date]) -> ParsedFile | SnapshotError:
    """Read and parse one file that passed `_check_layout`. The body is dropped when the file can be
    opened again by its printed name (always, unless the content folder's path is not UTF-8)."""
    path, source, relative, today = job
    try:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SnapshotError(source, 0, f"cannot read the file: {error.strerror or error}") from None
        snapshot = parse_snapshot(data, source, slug=path.stem, today=today)
        folder = display_path(Path(relative.parts[0]))
        if parse_domain(folder) != snapshot.domain:
            raise SnapshotError(
                source, 1, f"folder {folder!r} does not match the header's domain {snapshot.domain!r}"
            )
    except SnapshotError as error:
        return error
    key = content_key(snapshot, snapshot.body)
    return ParsedFile(snapshot.without_body() if source == os.fspath(path) else snapshot, key)


def _parse_files(jobs: list[tuple[Path, str, Path, date]], workers: int | None) -> list[ParsedFile | SnapshotError]:
    count = worker_count(workers, len(jobs), serial_below=PARALLEL_READ_THRESHOLD)
    return parallel_map(_parse_file, jobs, workers=count, name=lambda job: job[1], chunk=32)


def read_body(snapshot: Snapshot) -> str:
    """The body of an accepted snapshot, read again from its file (see `Snapshot.body`)."""
    try:
        data = Path(snapshot.source).read_bytes()
    except OSError as error:
        raise SnapshotError(snapshot.source, 0, f"cannot read the file again: {error.strerror or error}") from None
    body = parse_snapshot(data, snapshot.source, slug=snapshot.slug, today=snapshot.archived_on).body
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != snapshot.body_sha256:
        raise SnapshotError(snapshot.source, 0, "the file changed while the build was reading it: build again")
    return body
