"""The data model shared by every stage: plain, immutable dataclasses.

Reading produces `Snapshot`s; grouping them produces `Company`s; analysis splits a
snapshot body into `Passage`s and tags them with `Topic`s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime


@dataclass(frozen=True)
class Snapshot:
    """One archived copy of one policy, as read from a snapshot file.

    The body is not kept by default: an archive of 20,000 policies would hold half a gigabyte
    of text that only analysis and diffs read, once. `body` reads it again from the file, with
    the `body_reader` the reader gives (the model knows nothing of the file format).
    """

    source: str  # path of the file it was read from, as given to the reader
    domain: str  # lower-case host name, validated
    archived_on: date
    slug: str  # page name: "YYYY-MM-DD", or "YYYY-MM-DD-2" for a second same-day version
    wayback_url: str
    source_url: str  # the policy's own address, decoded from the Wayback URL
    captured_at: datetime | None  # the Wayback capture timestamp, when the URL has one
    title: str  # from the `# Title` line; "" when the file has none
    body_line: int  # 1-based line of the file where `body` starts
    sha256: str  # of the file's bytes, as stored
    body_sha256: str  # of the body's UTF-8 text: equal bodies (recaptures) share their analysis and diffs
    kept_body: str | None = field(default=None, compare=False, repr=False)  # the body, when kept in memory
    body_reader: Callable[[Snapshot], str] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.domain, self.slug)

    @property
    def body(self) -> str:
        """Markdown after the header and title, newlines normalised to "\n"."""
        if self.kept_body is not None:
            return self.kept_body
        if self.body_reader is None:
            raise ValueError(f"{self.source}: the body was neither kept nor can it be read again")
        return self.body_reader(self)

    def without_body(self) -> Snapshot:
        return replace(self, kept_body=None) if self.kept_body is not None else self


@dataclass(frozen=True)
class TopicAssignment:
    """Why a passage was tagged with a topic: the cues (words, phrases, heading) that fired."""

    topic: str  # Topic.id
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Passage:
    """A heading and the text under it (or one paragraph of a long section)."""

    id: str  # HTML anchor id, stable across rebuilds of the same text
    heading_path: tuple[str, ...]  # enclosing headings, outermost first
    markdown: str  # the passage's source Markdown (untrusted)
    text: str  # plain text for analysis and quoting
    line_start: int  # 1-based, inclusive, lines of the snapshot file
    line_end: int
    topics: tuple[TopicAssignment, ...] = ()


@dataclass(frozen=True)
class Topic:
    """A reader-facing topic from content/topics.yml."""

    id: str
    title: str
    description: str
    category: str  # the OPP-115 category it belongs to


@dataclass(frozen=True)
class Company:
    """A domain and its snapshots, oldest first."""

    domain: str
    name: str
    versions: tuple[Snapshot, ...] = field(default_factory=tuple)

    @property
    def latest(self) -> Snapshot:
        return self.versions[-1]


TITLE_SEPARATORS = re.compile(r"\s+[|\-\u2013\u2014:»·]\s+|\s*\|\s*|::")
GENERIC_TITLE_WORDS = re.compile(r"privacy|policy|policies|legal|terms|statement|notice|datenschutz", re.IGNORECASE)


def display_name(domain: str, titles: Iterable[str], override: str | None = None) -> str:
    """A company's name: the override from companies.yml, else a non-generic part of a title, else the domain."""
    if override:
        return override
    for title in titles:
        for part in TITLE_SEPARATORS.split(title):
            part = part.strip(" \t-|:")
            if 1 < len(part) <= 40 and not GENERIC_TITLE_WORDS.search(part) and any(c.isalpha() for c in part):
                return part
    return domain


def version_order(snapshot: Snapshot) -> tuple:
    """Archive date, then capture time, then file slug: the order versions happened in."""
    return (snapshot.archived_on, snapshot.captured_at is None, snapshot.captured_at or 0, snapshot.slug)


def group_companies(snapshots: Iterable[Snapshot], names: Mapping[str, str | None]) -> list[Company]:
    """Snapshots -> companies sorted by domain, each with its versions oldest first."""
    by_domain: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        by_domain.setdefault(snapshot.domain, []).append(snapshot)
    companies = []
    for domain in sorted(by_domain):
        versions = tuple(sorted(by_domain[domain], key=version_order))
        titles = [v.title for v in reversed(versions) if v.title]
        companies.append(Company(domain, display_name(domain, titles, names.get(domain)), versions))
    return companies
