"""Open data: the archive's metadata, facts and passage labels as CSV / JSON / JSONL files.

Files (extra files of the docs folder, so MkDocs copies them to `site/data/`):

- `data/snapshots.csv` and `data/snapshots.json`: one row per snapshot (metadata, change
  class, readability and facts);
- `data/passages.jsonl`: one line per passage (heading path, source lines, topics and why);
- `data/companies.json`: one row per company (versions, dates, the latest version's facts);
- `data/schema.json`: a JSON Schema (draft 2020-12) of every row type;
- `data/manifest.json`: schema version, a generated-at date derived from the content (never
  the wall clock), counts, date range and the sha256 of every other file under `data/`.

Every column is defined once, in the `Field` tables below (name, type, description and the
function that computes it): the writers iterate over them and `data.md` prints them, so the
documentation cannot drift from the files. Rows are sorted (company by domain, versions in
order, passages in document order) and nothing depends on the time of the build, so two
builds of the same content give byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from generator.analyse.snapshot import SnapshotAnalysis
from generator.util.cache import load_pickle, prune_folder, save_pickle
from generator.read.site_data import load_site_data
from generator.analyse.history import VersionInfo
from generator.model import Company, Passage, Snapshot
from generator.render import urls
from generator.render.base import Page, render
from generator.analyse.store import AnalysisSummary

if TYPE_CHECKING:
    from generator.archive import Archive

#: Bump the major number when a column is removed, renamed or changes meaning; the minor
#: number when columns are added (readers that select columns by name keep working).
SCHEMA_VERSION = "1.0"
DATA_DIR = "data"
LIST_SEPARATOR = ";"
#: Spreadsheet programs run a cell that starts with one of these as a formula; text columns
#: that come from the snapshots get an apostrophe in front in the CSV (never in the JSON).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SOURCE_DATASET = "Princeton-Leuven Longitudinal Privacy Policy Dataset"
SOURCE_URL = "https://github.com/citp/privacy-policy-historical"
CITATION = ('R. Amos, G. Acar, E. Lucherini, M. Kshirsagar, A. Narayanan and J. Mayer, "Privacy Policies over '
            'Time: Curation and Analysis of a Million-Document Dataset", The Web Conference (WWW \'21), 2021, '
            "doi:10.1145/3442381.3450048")


# --------------------------------------------------------------------------- schema

TYPES = {
    # name: (JSON Schema, how it is written in the CSV)
    "string": ({"type": "string"}, "text"),
    "integer": ({"type": "integer"}, "whole number"),
    "number": ({"type": "number"}, "decimal number (`.` as decimal point)"),
    "date": ({"type": "string", "format": "date"}, "`YYYY-MM-DD`"),
    "datetime": ({"type": "string", "format": "date-time"}, "ISO 8601 with `Z` (UTC)"),
    "list": ({"type": "array", "items": {"type": "string"}}, f"values joined with `{LIST_SEPARATOR}`"),
    "object": ({"type": "object"}, "(JSON only)"),
}


@dataclass(frozen=True)
class Field:
    """One column: its name, type (a key of TYPES), meaning, and how to compute it from a row context."""

    name: str
    type: str
    description: str
    get: Callable[[Any], Any]
    nullable: bool = False  # may be empty (CSV) / null (JSON)
    untrusted: bool = False  # text taken from a snapshot: guarded against spreadsheet formulas in the CSV
    csv: bool = True  # also a column of the CSV (False: JSON only, e.g. nested evidence)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")

    @property
    def csv_format(self) -> str:
        return TYPES[self.type][1]

    def json_schema(self) -> dict[str, Any]:
        schema = dict(TYPES[self.type][0])
        schema["description"] = self.description
        if self.nullable:
            schema["type"] = [schema["type"], "null"]
        return schema


@dataclass(frozen=True)
class SnapshotRow:
    """What a snapshot row is computed from."""

    company: Company
    index: int  # position in company.versions
    analysis: SnapshotAnalysis
    version: VersionInfo | None  # from the history stage, when known
    source_file: str

    @property
    def snapshot(self) -> Snapshot:
        return self.company.versions[self.index]


@dataclass(frozen=True)
class PassageRow:
    snapshot: Snapshot
    passage: Passage
    source_file: str
    position: int  # 1-based, document order


@dataclass(frozen=True)
class CompanyRow:
    company: Company
    analysis: AnalysisSummary  # of the latest version
    versions: Sequence[VersionInfo]  # may be empty
    sector: str | None


def _ids(facts: Sequence[Any]) -> list[str]:
    return sorted({f.id for f in facts})


def _stated(row: SnapshotRow, attribute: str) -> Any:
    stated = row.analysis.facts.stated_date
    if stated is None:
        return None
    return stated.date if attribute == "date" else getattr(stated, attribute)


def _history(row: SnapshotRow, attribute: str) -> Any:
    return getattr(row.version, attribute) if row.version is not None else None


SNAPSHOT_FIELDS: tuple[Field, ...] = (
    Field("domain", "string", "The site's domain (lower-case host name); one company per domain.",
          lambda r: r.snapshot.domain),
    Field("company", "string", "The company's display name (from companies.yml, else from the policy titles).",
          lambda r: r.company.name, untrusted=True),
    Field("slug", "string", "The snapshot's name within its company: the archive date, with `-2`, `-3` for further "
          "captures of the same day. `domain` + `slug` identify a snapshot.", lambda r: r.snapshot.slug),
    Field("archived_on", "date", "The date the Wayback Machine captured the policy.", lambda r: r.snapshot.archived_on),
    Field("captured_at", "datetime", "The capture time from the Wayback URL (UTC), when the URL has one.",
          lambda r: r.snapshot.captured_at, nullable=True),
    Field("version", "integer", "Position among the company's snapshots, oldest first (1 = first archived).",
          lambda r: r.index + 1),
    Field("versions", "integer", "Number of snapshots of the company in the archive.",
          lambda r: len(r.company.versions)),
    Field("change", "string", "Change against the previous snapshot of the same company: `first` (none before), "
          "`recapture` (same text, only whitespace differs), `cosmetic` (typography, markup, links or copyright "
          "years only) or `changed` (the wording differs).", lambda r: _history(r, "change"), nullable=True),
    Field("announcement", "string", "For `changed` snapshots only: `announced` (the policy's stated date moved), "
          "`silent` (the wording changed but the stated date did not) or `undated` (the policy states no date).",
          lambda r: _history(r, "announcement"), nullable=True),
    Field("words_added", "integer", "Words inserted since the previous snapshot (word-level diff; the first snapshot "
          "counts all its words).", lambda r: _history(r, "words_added"), nullable=True),
    Field("words_removed", "integer", "Words deleted since the previous snapshot.",
          lambda r: _history(r, "words_removed"), nullable=True),
    Field("title", "string", "The policy page's title as archived (the `# Title` line); empty when it had none.",
          lambda r: r.snapshot.title, untrusted=True),
    Field("source_url", "string", "The policy's own address at the time, decoded from the Wayback URL.",
          lambda r: r.snapshot.source_url, untrusted=True),
    Field("wayback_url", "string", "The Wayback Machine capture the text was extracted from: the provenance of the "
          "text, and the place to check it.", lambda r: r.snapshot.wayback_url, untrusted=True),
    Field("page", "string", "The snapshot's page on this site, relative to the site's root.",
          lambda r: urls.snapshot_url(r.snapshot.domain, r.snapshot.slug)),
    Field("source_file", "string", "The snapshot file the row was read from, relative to the content folder.",
          lambda r: r.source_file),
    Field("sha256", "string", "SHA-256 of the snapshot file's bytes.", lambda r: r.snapshot.sha256),
    Field("passages", "integer", "Number of passages (sections or paragraphs) the policy was split into; see "
          "passages.jsonl.", lambda r: len(r.analysis.passages)),
    Field("words", "integer", "Words in the policy text.", lambda r: r.analysis.facts.readability.words),
    Field("sentences", "integer", "Sentences in the policy text.", lambda r: r.analysis.facts.readability.sentences),
    Field("syllables", "integer", "Syllables in the policy text (estimated per word, for the readability formulas).",
          lambda r: r.analysis.facts.readability.syllables),
    Field("flesch_reading_ease", "number", "Flesch reading ease: 206.835 - 1.015 x words per sentence - 84.6 x "
          "syllables per word. Higher is easier: 60-70 is plain English, below 30 very difficult.",
          lambda r: r.analysis.facts.readability.flesch_reading_ease),
    Field("flesch_kincaid_grade", "number", "Flesch-Kincaid grade level: 0.39 x words per sentence + 11.8 x "
          "syllables per word - 15.59, roughly the US school grade needed to follow the text.",
          lambda r: r.analysis.facts.readability.flesch_kincaid_grade),
    Field("reading_minutes", "number", "Estimated reading time in minutes at 238 words a minute (Brysbaert 2019).",
          lambda r: r.analysis.facts.readability.reading_minutes),
    Field("stated_date", "date", "The date the policy states for itself (last updated, effective or revised), "
          "when it states one; a month without a day is read as the 1st.", lambda r: _stated(r, "date"),
          nullable=True),
    Field("stated_date_kind", "string", "What the stated date is: `last_updated`, `effective` or `revised`.",
          lambda r: _stated(r, "kind"), nullable=True),
    Field("stated_date_precision", "string", "`day` or `month`.", lambda r: _stated(r, "precision"), nullable=True),
    Field("stated_date_phrase", "string", "The words the date was read from, as written in the policy.",
          lambda r: _stated(r, "phrase"), nullable=True, untrusted=True),
    Field("stated_date_passage", "string", "The passage the date was found in (an id in passages.jsonl and an "
          "anchor on the snapshot page).", lambda r: _stated(r, "passage_id"), nullable=True),
    Field("topics", "list", "Topics of the policy's passages (ids of content/topics.yml), sorted.",
          lambda r: sorted(r.analysis.topic_ids)),
    Field("data_types", "list", "Kinds of personal data the policy says are collected or used (ids of the "
          "`data_types` vocabulary in content/facts.yml), sorted.", lambda r: _ids(r.analysis.facts.data_types)),
    Field("data_types_negated", "list", "Kinds of data the policy mentions only as not collected (\"we do not "
          "collect your date of birth\").", lambda r: _ids(r.analysis.facts.data_types_negated)),
    Field("third_parties", "list", "Companies and services named in the policy (ids of the `third_parties` "
          "vocabulary), sorted.", lambda r: _ids(r.analysis.facts.third_parties)),
    Field("third_party_kinds", "list", "Kinds of the named third parties (analytics, advertising, social, "
          "payment, hosting, ...), sorted, each once.",
          lambda r: sorted({f.kind for f in r.analysis.facts.third_parties})),
    Field("contact_channels", "list", "Ways to contact the company the policy gives: `email`, `phone`, `fax`, "
          "`postal_address`, each once.", lambda r: sorted({f.kind for f in r.analysis.facts.contacts})),
    Field("regulations", "list", "Laws, regulations and frameworks named (ids of the `regulations` vocabulary), "
          "sorted.", lambda r: _ids(r.analysis.facts.regulations)),
    Field("facts", "object", "Every fact with its evidence: for each data type, third party, contact and regulation "
          "its id, label, kind and the passages (`passage_id`, the phrase as written, character `offset` in the "
          "passage text) it was found in; the stated date and the readability figures.",
          lambda r: r.analysis.facts.to_dict(), csv=False),
)


PASSAGE_FIELDS: tuple[Field, ...] = (
    Field("domain", "string", "The site's domain.", lambda r: r.snapshot.domain),
    Field("slug", "string", "The snapshot (see snapshots.csv); `domain` + `slug` + `passage_id` identify a passage.",
          lambda r: r.snapshot.slug),
    Field("archived_on", "date", "The snapshot's archive date.", lambda r: r.snapshot.archived_on),
    Field("passage_id", "string", "The passage's id: stable for the same text, and the anchor of the passage on its "
          "snapshot page.", lambda r: r.passage.id),
    Field("position", "integer", "Order of the passage in the policy, from 1.", lambda r: r.position),
    Field("heading_path", "list", "The headings above the passage, outermost first.",
          lambda r: list(r.passage.heading_path), untrusted=True),
    Field("source_file", "string", "The snapshot file, relative to the content folder.", lambda r: r.source_file),
    Field("line_start", "integer", "First line of the passage in the source file (1-based, inclusive).",
          lambda r: r.passage.line_start),
    Field("line_end", "integer", "Last line of the passage in the source file (inclusive).",
          lambda r: r.passage.line_end),
    Field("words", "integer", "Words in the passage text.", lambda r: len(r.passage.text.split())),
    Field("topics", "list", "Topics assigned to the passage (ids of content/topics.yml), in the tagger's order.",
          lambda r: [a.topic for a in r.passage.topics]),
    Field("evidence", "object", "Why each topic was assigned: topic id -> the cues (words, phrases or the heading) "
          "that fired.", lambda r: {a.topic: list(a.cues) for a in r.passage.topics}),
    Field("page", "string", "The passage on this site: snapshot page and anchor, relative to the site's root.",
          lambda r: f"{urls.snapshot_url(r.snapshot.domain, r.snapshot.slug)}#{r.passage.id}"),
)


def _latest(row: CompanyRow) -> Snapshot:
    return row.company.latest


def _count(row: CompanyRow, change: str) -> int | None:
    return sum(1 for v in row.versions if v.change == change) if row.versions else None


COMPANY_FIELDS: tuple[Field, ...] = (
    Field("domain", "string", "The site's domain.", lambda r: r.company.domain),
    Field("company", "string", "The company's display name.", lambda r: r.company.name, untrusted=True),
    Field("sector", "string", "The sector from companies.yml, when given.", lambda r: r.sector, nullable=True,
          untrusted=True),
    Field("page", "string", "The company's page on this site, relative to the site's root.",
          lambda r: urls.company_url(r.company.domain)),
    Field("versions", "integer", "Number of snapshots.", lambda r: len(r.company.versions)),
    Field("changes", "integer", "Snapshots whose wording changed against the previous one (change `changed`).",
          lambda r: _count(r, "changed"), nullable=True),
    Field("silent_changes", "integer", "Changes the policy did not announce with a new stated date.",
          lambda r: sum(1 for v in r.versions if v.announcement == "silent") if r.versions else None, nullable=True),
    Field("first_archived", "date", "Archive date of the first snapshot.", lambda r: r.company.versions[0].archived_on),
    Field("last_archived", "date", "Archive date of the latest snapshot.", lambda r: _latest(r).archived_on),
    Field("latest_slug", "string", "The latest snapshot (its `slug` in snapshots.csv).", lambda r: _latest(r).slug),
    Field("latest_words", "integer", "Words in the latest snapshot.", lambda r: r.analysis.facts.readability.words),
    Field("latest_flesch_reading_ease", "number", "Flesch reading ease of the latest snapshot.",
          lambda r: r.analysis.facts.readability.flesch_reading_ease),
    Field("latest_flesch_kincaid_grade", "number", "Flesch-Kincaid grade of the latest snapshot.",
          lambda r: r.analysis.facts.readability.flesch_kincaid_grade),
    Field("latest_stated_date", "date", "The date the latest snapshot states for itself.",
          lambda r: r.analysis.stated_date, nullable=True),
    Field("latest_topics", "list", "Topics of the latest snapshot.", lambda r: sorted(r.analysis.topic_ids)),
    Field("latest_data_types", "list", "Data types the latest snapshot says are collected.",
          lambda r: _ids(r.analysis.facts.data_types)),
    Field("latest_third_parties", "list", "Third parties the latest snapshot names.",
          lambda r: _ids(r.analysis.facts.third_parties)),
    Field("latest_regulations", "list", "Laws and frameworks the latest snapshot names.",
          lambda r: _ids(r.analysis.facts.regulations)),
)

MANIFEST_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("schema_version", "string", "Version of these files' layout: the major number changes when a column is "
     "removed or changes meaning, the minor number when columns are added."),
    ("generated_at", "date", "The latest archive date in the content: the files change only when the content does, "
     "so this is derived from the content, not the clock."),
    ("content_sha256", "string", "SHA-256 over the sorted `domain/slug sha256` lines of all snapshots: equal for "
     "equal content."),
    ("counts", "object", "`companies`, `snapshots`, `passages`, and `rejected` (snapshot files not published; see "
     "build-report.json)."),
    ("date_range", "object", "`first` and `last` archive date."),
    ("files", "list", "Every other file under data/: `path`, `media_type`, `rows` (for tables), `bytes` and "
     "`sha256`."),
    ("source", "object", "The dataset the snapshots come from: `name`, `url` and `citation`."),
)


@dataclass(frozen=True)
class DataFile:
    """A documented table: its file name(s), what a row is, and its fields."""

    name: str  # heading on data.md
    paths: tuple[str, ...]  # under data/
    row: str  # "one row per ..."
    fields: tuple[Field, ...]


TABLES: tuple[DataFile, ...] = (
    DataFile("Snapshots", ("snapshots.csv", "snapshots.json"), "one row per snapshot", SNAPSHOT_FIELDS),
    DataFile("Passages", ("passages.jsonl",), "one line per passage of every snapshot", PASSAGE_FIELDS),
    DataFile("Companies", ("companies.json",), "one row per company", COMPANY_FIELDS),
)


def csv_fields(fields: Sequence[Field]) -> list[Field]:
    return [f for f in fields if f.csv]


# --------------------------------------------------------------------------- rows


def snapshot_rows(archive: Archive, company: Company) -> list[SnapshotRow]:
    versions = archive.histories.get(company.domain) or []
    return [
        SnapshotRow(company, index, archive.analyses[snapshot.key],
                    versions[index] if index < len(versions) and versions[index].slug == snapshot.slug else None,
                    archive.source_files[snapshot.key])
        for index, snapshot in enumerate(company.versions)
    ]


def passage_rows(rows: Sequence[SnapshotRow]) -> Iterator[PassageRow]:
    for row in rows:
        for position, passage in enumerate(row.analysis.passages, 1):
            yield PassageRow(row.snapshot, passage, row.source_file, position)


def company_rows(archive: Archive) -> list[CompanyRow]:
    sectors = {domain: info.sector for domain, info in load_site_data(archive.content_dir).companies.items()}
    return [
        CompanyRow(company, archive.summaries[company.latest.key], archive.histories.get(company.domain) or [],
                   sectors.get(company.domain))
        for company in sorted(archive.companies, key=lambda c: c.domain)
    ]


def record(fields: Sequence[Field], row: Any) -> dict[str, Any]:
    """A row as a dict in field order, values as computed (dates as date objects)."""
    return {f.name: f.get(row) for f in fields}


# --------------------------------------------------------------------------- serialisation


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def csv_value(field: Field, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        # a list item never contains the separator: ids are slugs; headings get it replaced
        text = LIST_SEPARATOR.join(str(v).replace(LIST_SEPARATOR, ",") for v in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (date, datetime)):
        text = json_value(value)
    else:
        text = str(value)
    if field.untrusted and text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text


def _json_default(value: Any) -> Any:
    """For json.dumps: what json_value makes of the values JSON has no type for."""
    if isinstance(value, (date, Mapping)):
        return json_value(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_line(fields: Sequence[Field], row: Any) -> str:
    # json.dumps walks the row itself, calling _json_default for dates (json_value walks it in Python)
    return json.dumps(record(fields, row), ensure_ascii=False, separators=(",", ":"), default=_json_default)


def json_array(fields: Sequence[Field], rows: Sequence[Any]) -> bytes:
    """A JSON array, one object per line (readable with any JSON parser, and diffable)."""
    return b"".join(json_array_chunks([json_objects(fields, rows)]))


def json_objects(fields: Sequence[Field], rows: Sequence[Any]) -> bytes:
    """The objects of a JSON array (see json_array), joined by ",\n", without brackets."""
    return ",\n".join(json_line(fields, row) for row in rows).encode("utf-8")


def json_array_chunks(parts: Iterable[bytes]) -> Iterator[bytes]:
    """A JSON array from parts made by json_objects."""
    yield b"[\n"
    separator = b""
    for part in parts:
        if part:
            yield separator + part
            separator = b",\n"
    yield (b"\n" if separator else b"") + b"]\n"


def csv_header(fields: Sequence[Field]) -> bytes:
    return _csv_rows([[f.name for f in csv_fields(fields)]])


def csv_rows(fields: Sequence[Field], rows: Sequence[Any]) -> bytes:
    """Rows of a CSV table (see csv_header), each ending in "\n"."""
    columns = csv_fields(fields)
    return _csv_rows([csv_value(f, value) for f, value in zip(columns, record(columns, row).values())] for row in rows)


def _csv_rows(rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_table(fields: Sequence[Field], rows: Sequence[Any]) -> bytes:
    return csv_header(fields) + csv_rows(fields, rows)


def json_schema() -> dict[str, Any]:
    """A JSON Schema of each table's rows, from the same Field tables as the files and data.md."""
    defs = {}
    for table in TABLES:
        defs[table.name.lower()] = {
            "type": "object",
            "description": f"{table.name}: {table.row} ({', '.join(table.paths)}).",
            "properties": {f.name: f.json_schema() for f in table.fields},
            "required": [f.name for f in table.fields],
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "policykb open data",
        "description": f"Row schemas of the files under data/, schema version {SCHEMA_VERSION}.",
        "version": SCHEMA_VERSION,
        "$defs": defs,
    }


def _dumps(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json", ".jsonl": "application/jsonl"}


def content_digest(archive: Archive) -> str:
    lines = sorted(f"{s.domain}/{s.slug} {s.sha256}" for s in archive.snapshots)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- per-company rows, cached


@dataclass(frozen=True)
class CompanyFragment:
    """One company's rows of the per-snapshot and per-passage files, serialised."""

    snapshots_csv: bytes  # csv_rows
    snapshots_json: bytes  # json_objects
    passages_jsonl: bytes  # one line per passage


def company_fragment(archive: Archive, company: Company) -> CompanyFragment:
    rows = snapshot_rows(archive, company)
    return CompanyFragment(
        csv_rows(SNAPSHOT_FIELDS, rows),
        json_objects(SNAPSHOT_FIELDS, rows),
        "".join(json_line(PASSAGE_FIELDS, row) + "\n" for row in passage_rows(rows)).encode("utf-8"),
    )


class FragmentStore:
    """Company fragments under `folder` (or in memory), named by a digest of everything they are made from.

    A rebuild reads the fragments of unchanged companies instead of their full analyses: the
    big per-snapshot files are concatenations of fragments.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.memory: dict[str, CompanyFragment] = {}

    def _path(self, digest: str) -> Path:
        assert self.folder is not None
        return self.folder / digest[:2] / f"{digest}.pickle"

    def has(self, digest: str) -> bool:
        return digest in self.memory if self.folder is None else self._path(digest).is_file()

    def put(self, digest: str, fragment: CompanyFragment) -> None:
        if self.folder is None:
            self.memory[digest] = fragment
        else:
            save_pickle(self._path(digest), fragment)

    def get(self, digest: str, compute: Callable[[], CompanyFragment]) -> CompanyFragment:
        found = self.memory.get(digest) if self.folder is None else load_pickle(self._path(digest))
        if not isinstance(found, CompanyFragment):
            found = compute()
            self.put(digest, found)
        return found

    def prune(self, keep: set[str]) -> None:
        """Remove the fragments of companies that changed or left the archive."""
        prune_folder(self.folder, keep)


def table_files(archive: Archive, fragments: FragmentStore,
                digests: Mapping[str, str]) -> list[tuple[str, Iterator[bytes]]]:
    """data/snapshots.csv, data/snapshots.json and data/passages.jsonl, each as the chunks of its bytes.

    `digests`: company domain -> digest of its fragment's inputs.
    """
    companies = sorted(archive.companies, key=lambda c: c.domain)

    def parts(name: str) -> Iterator[bytes]:
        for company in companies:
            yield getattr(fragments.get(digests[company.domain], lambda: company_fragment(archive, company)), name)

    return [
        (f"{DATA_DIR}/snapshots.csv", chain([csv_header(SNAPSHOT_FIELDS)], parts("snapshots_csv"))),
        (f"{DATA_DIR}/snapshots.json", json_array_chunks(parts("snapshots_json"))),
        (f"{DATA_DIR}/passages.jsonl", parts("passages_jsonl")),
    ]


def summary_files(archive: Archive) -> dict[str, bytes]:
    """data/companies.json and data/schema.json (small: made from the summaries every build)."""
    return {
        f"{DATA_DIR}/companies.json": json_array(COMPANY_FIELDS, company_rows(archive)),
        f"{DATA_DIR}/schema.json": _dumps(json_schema()),
    }


def manifest_file(archive: Archive, listed: Mapping[str, tuple[int, str]]) -> tuple[str, bytes]:
    """data/manifest.json; `listed`: every other file under data/ -> (bytes, sha256)."""
    snapshots = archive.snapshots
    dates = [s.archived_on for s in snapshots]
    passages = sum(archive.summaries[s.key].passages for s in snapshots)
    rows = {f"{DATA_DIR}/snapshots.csv": len(snapshots), f"{DATA_DIR}/snapshots.json": len(snapshots),
            f"{DATA_DIR}/passages.jsonl": passages, f"{DATA_DIR}/companies.json": len(archive.companies)}
    files = []
    for path in sorted(listed):
        size, sha256 = listed[path]
        entry: dict[str, Any] = {"path": path[len(DATA_DIR) + 1:],
                                 "media_type": MEDIA_TYPES.get(Path(path).suffix, "application/octet-stream")}
        if path in rows:
            entry["rows"] = rows[path]
        entry.update(bytes=size, sha256=sha256)
        files.append(entry)
    values = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": max(dates).isoformat() if dates else None,
        "content_sha256": content_digest(archive),
        "counts": {
            "companies": len(archive.companies),
            "snapshots": len(dates),
            "passages": passages,
            "rejected": len(archive.rejected),
        },
        "date_range": {"first": min(dates).isoformat() if dates else None,
                       "last": max(dates).isoformat() if dates else None},
        "files": files,
        "source": {"name": SOURCE_DATASET, "url": SOURCE_URL, "citation": CITATION},
    }
    assert list(values) == [name for name, _, _ in MANIFEST_FIELDS]
    return f"{DATA_DIR}/manifest.json", _dumps(values)


# --------------------------------------------------------------------------- data.md


def doc_html(text: str) -> Markup:
    """A description of ours as HTML: escaped, with `code` spans."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False)))


def data_page(env: jinja2.Environment, archive: Archive) -> Page:
    """`data.md`: the downloads, every field of every file, and where the texts come from."""
    dates = [s.archived_on for s in archive.snapshots]
    snapshots = archive.snapshots
    vocabulary: dict[str, dict[str, tuple[str, str]]] = {"data_types": {}, "third_parties": {}, "regulations": {}}
    for snapshot in snapshots:
        facts = archive.summaries[snapshot.key].facts
        for section in vocabulary:
            for fact in (*getattr(facts, section), *(facts.data_types_negated if section == "data_types" else ())):
                vocabulary[section].setdefault(fact.id, (fact.label, fact.kind))
    codes = [
        {"title": "Data types", "column": "data_types, data_types_negated",
         "rows": sorted((i, label, "") for i, (label, _) in vocabulary["data_types"].items())},
        {"title": "Third parties", "column": "third_parties",
         "rows": sorted((i, label, kind) for i, (label, kind) in vocabulary["third_parties"].items())},
        {"title": "Regulations and frameworks", "column": "regulations",
         "rows": sorted((i, label, kind) for i, (label, kind) in vocabulary["regulations"].items())},
        {"title": "Topics", "column": "topics", "rows": [(t.id, t.title, t.category) for t in archive.topics]},
    ]
    docs = {f"{field.name}/{table.name}": doc_html(field.description) for table in TABLES for field in table.fields}
    docs.update({f"{name}/manifest": doc_html(text) for name, _, text in MANIFEST_FIELDS})
    docs.update({f"type/{name}": doc_html(csv_form) for name, (_, csv_form) in TYPES.items()})
    context = {
        "docs": docs,
        "tables": TABLES,
        "manifest_fields": MANIFEST_FIELDS,
        "types": TYPES,
        "codes": codes,
        "schema_version": SCHEMA_VERSION,
        "separator": LIST_SEPARATOR,
        "counts": {
            "companies": len(archive.companies),
            "snapshots": len(snapshots),
            "passages": sum(archive.summaries[s.key].passages for s in snapshots),
        },
        "first_date": min(dates) if dates else None,
        "last_date": max(dates) if dates else None,
        "source_name": SOURCE_DATASET,
        "source_url": Markup(SOURCE_URL),
        "citation": CITATION,
    }
    return render(env, "data.md.j2", "data.md", {"title": "Open data", "hide": ["navigation"]}, **context)
