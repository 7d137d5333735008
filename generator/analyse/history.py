"""Version history of one company's policy: what changed between consecutive snapshots.

Pure functions, no I/O. The stated "last updated" date of each version is extracted
elsewhere (`find_stated_date`) and passed in.

Change classes (see `classify_change`):

- "first": no previous version.
- "recapture": the bodies are identical once whitespace is collapsed (line endings,
  trailing spaces, re-wrapped lines, blank lines, no-break vs plain spaces). Only the
  snapshot header (archive date, Wayback URL) differs: the archive simply captured the
  same page again.
- "cosmetic": not a recapture, but `normalize_for_comparison` gives the same text: the
  differences are only in typography (quotes, dashes, ellipsis, case, Unicode width
  forms, mojibake of those), Markdown markup (emphasis, heading hashes and underlines,
  list bullets, table pipes, escapes, link *targets*), Wayback-rewritten URLs and their
  timestamps, copyright years/lines and recognisable navigation junk (link-only menu
  lines, breadcrumbs, "back to top"). A reader of the policy would see the same wording.
- "changed": anything else -- at least one word of the policy's wording differs, even a
  single one in a 60k-word policy, and including a changed "last updated" date.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from generator.analyse.diff import (
    AUTOLINK_RE,
    LINK_RE,
    MOJIBAKE_RE,
    WAYBACK_RE,
    unmojibake_one,
    markdown_paragraphs,
    plain_paragraphs,
    unify_punctuation,
    DiffResult,
    word_count,
    word_diff,
)

__all__ = [
    "FIRST",
    "RECAPTURE",
    "COSMETIC",
    "CHANGED",
    "ANNOUNCED",
    "SILENT",
    "UNDATED",
    "BodyTraits",
    "VersionInfo",
    "body_traits",
    "normalize_for_comparison",
    "classify_change",
    "classify_traits",
    "announcement",
    "history_from_traits",
    "version_history",
]

FIRST, RECAPTURE, COSMETIC, CHANGED = "first", "recapture", "cosmetic", "changed"
ANNOUNCED, SILENT, UNDATED = "announced", "silent", "undated"

# ---------------------------------------------------------------- normalisation helpers

_CONTROL_RE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]")
_COPYRIGHT_LINE_RE = re.compile(
    r"^\W*(?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4})|^\W*copyright\b.*\ball rights reserved", re.I
)
_COPYRIGHT_YEARS_RE = re.compile(
    r"(©|\(c\)|copyright)(\s*(?:©|\(c\)))?\s*(?:\d{4}(?:\s*[-/,]\s*(?:\d{4}|present|now))?)", re.I
)
_NAV_PHRASES_RE = re.compile(
    r"^(?:back to top|to top|top of page|return to top|go to top|top|\[?top\]?|"
    r"skip to (?:main )?content|print(?: this page)?|printer[- ]friendly(?: version)?|"
    r"home|menu|close|share|email this page)\W*$",
    re.I,
)
_NAV_SEPARATORS_RE = re.compile(r"[\s|•·\-–—:,;/>»<«*_^#\\]+")
_BREADCRUMB_RE = re.compile(r"(?:>>|»|>|/|::)")


def _is_nav_line(line: str) -> bool:
    """A menu line: two or more links and nothing but separators between them (a short
    label like "**Site:**" allowed: at most one word per three links)."""
    links = LINK_RE.findall(line)
    if len(links) < 2:
        return False
    rest = _NAV_SEPARATORS_RE.sub(" ", LINK_RE.sub(" ", line))
    return len(rest.split()) <= len(links) // 3


def _is_breadcrumb(text: str) -> bool:
    """'Home >> Privacy Policy', 'Home > Legal > Privacy' (short, separator-joined)."""
    if not _BREADCRUMB_RE.search(text):
        return False
    parts = [p.strip() for p in re.split(r">>|»|>|::", text) if p.strip()]
    return 2 <= len(parts) <= 6 and parts[0].casefold() == "home" and all(len(p.split()) <= 5 for p in parts)


def _is_copyright_line(text: str) -> bool:
    """'© 2012 Foo', 'Copyright (c) 2001-2009 Foo', 'Copyright Foo. All rights reserved.'
    (short lines only; a paragraph about copyright infringement is wording)."""
    return bool(_COPYRIGHT_LINE_RE.match(text)) and len(text.split()) <= 30


def normalize_for_comparison(body: str) -> str:
    """The text that counts as "the same policy wording", as one normalised string.

    Steps: repair UTF-8-as-Latin-1 mojibake; NFKC (no-break/width variants); drop
    zero-width and control characters; drop navigation junk (link-only menu lines,
    breadcrumbs like "Home >> Privacy Policy", "back to top"/"print"/"[top]" lines);
    strip Wayback prefixes (`web.archive.org/web/<timestamp>/`) from any remaining URL;
    drop Markdown markup (link targets -- link text kept --, images' URLs, emphasis
    markers, heading hashes/underlines, bullets, table pipes and rules, escapes); drop
    copyright lines and copyright years; unify quotes, dashes, ellipsis; casefold;
    collapse all whitespace (paragraph breaks included) to single spaces.
    """
    text = MOJIBAKE_RE.sub(unmojibake_one, body)
    text = unicodedata.normalize("NFKC", text)
    text = unify_punctuation(_CONTROL_RE.sub(" ", text))
    kept: list[str] = []
    for para in markdown_paragraphs(text):
        lines = [ln for ln in para.split("\n") if not _is_nav_line(ln)]
        if not lines:
            continue
        para = "\n".join(lines)
        para = AUTOLINK_RE.sub(lambda m: WAYBACK_RE.sub("", m.group(1)), para)
        for plain in plain_paragraphs(para):
            plain = WAYBACK_RE.sub("", plain)
            if _NAV_PHRASES_RE.match(plain) or _is_breadcrumb(plain) or _is_copyright_line(plain):
                continue
            plain = _COPYRIGHT_YEARS_RE.sub(r"\1", plain)
            kept.append(plain)
    out = unify_punctuation(" ".join(kept)).casefold()
    out = re.sub(r"-{2,}", "-", out)
    out = re.sub(r"\.{4,}", "...", out)
    return " ".join(out.split())


def _trivial(body: str) -> str:
    return " ".join(body.split())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BodyTraits:
    """What classifying a version needs of its body, so a history is computed without the texts
    (they are hashed once per distinct body and cached)."""

    spacing: str  # sha256 of the body with its whitespace collapsed: equal for recaptures
    wording: str  # sha256 of normalize_for_comparison(body): equal for cosmetic differences
    words: int  # display words of the body (`words_of`)


def body_traits(body: str) -> BodyTraits:
    return BodyTraits(_sha256(_trivial(body)), _sha256(normalize_for_comparison(body)), word_count(body))


def classify_traits(previous: BodyTraits | None, current: BodyTraits) -> str:
    """`classify_change` from the bodies' traits."""
    if previous is None:
        return FIRST
    if previous.spacing == current.spacing:
        return RECAPTURE
    if previous.wording == current.wording:
        return COSMETIC
    return CHANGED


def classify_change(previous_body: str | None, body: str) -> str:
    """Classify a version against the previous one of the same policy.

    Returns:
    - "first": `previous_body` is None (no earlier version);
    - "recapture": `" ".join(b.split())` is equal for both -- only whitespace (any Unicode
      whitespace, newlines, line wrapping) differs, so the page was re-archived unchanged;
    - "cosmetic": otherwise equal after `normalize_for_comparison` -- typography,
      markup, link targets, Wayback timestamps, copyright years, navigation junk;
    - "changed": the normalised wording differs (any real word added, removed or altered).
    """
    if previous_body is None:
        return FIRST
    return classify_traits(body_traits(previous_body), body_traits(body))


def announcement(change: str, previous_stated: date | None, stated: date | None) -> str | None:
    """Was a wording change announced by the policy's own "last updated" date?

    Only for change == "changed" (None for every other class):
    - "undated": the new version states no date, so there is nothing to judge by
      (covers neither version stating one, and a version that dropped its date);
    - "announced": the new version states a date and it differs from the previous
      version's stated date (or the previous version stated none);
    - "silent": both state the same date although the wording changed.
    """
    if change != CHANGED:
        return None
    if stated is None:
        return UNDATED
    if previous_stated != stated:
        return ANNOUNCED
    return SILENT


@dataclass(frozen=True)
class VersionInfo:
    """One version in a company's history.

    words: display words of the body. words_added / words_removed: from `word_diff`
    against the previous version (first version: all words added; recaptures: 0; cosmetic
    versions may show a few, e.g. a bumped copyright year or an edited menu line).
    """

    slug: str
    change: str  # first | recapture | cosmetic | changed
    announcement: str | None  # announced | silent | undated, only for "changed"
    previous_slug: str | None
    next_slug: str | None
    words: int
    words_added: int
    words_removed: int
    stated_date: date | None = None


def version_history(
    bodies: Sequence[tuple[str, str, date | None]],
    diff: Callable[[str, str], DiffResult] = word_diff,
) -> list[VersionInfo]:
    """History of one company's versions, given in order as (slug, body, stated_date)."""
    traits = [body_traits(body) for _, body, _ in bodies]

    def counts(index: int) -> tuple[int, int]:
        result = diff(bodies[index - 1][1], bodies[index][1])
        return result.words_added, result.words_removed

    return history_from_traits([(slug, trait, stated) for (slug, _, stated), trait in zip(bodies, traits)], counts)


def history_from_traits(
    versions: Sequence[tuple[str, BodyTraits, date | None]],
    diff_counts: Callable[[int], tuple[int, int]],
) -> list[VersionInfo]:
    """History of one company's versions, given in order as (slug, body traits, stated_date).

    `diff_counts(i)` gives (words added, words removed) from version i - 1 to version i; it is
    called once per cosmetic or changed version only.
    """
    out: list[VersionInfo] = []
    previous: BodyTraits | None = None
    prev_stated: date | None = None
    slugs = [slug for slug, _, _ in versions]
    for i, (slug, traits, stated) in enumerate(versions):
        change = classify_traits(previous, traits)
        if change == FIRST:
            added, removed = traits.words, 0
        elif change == RECAPTURE:
            added = removed = 0
        else:
            added, removed = diff_counts(i)
        out.append(
            VersionInfo(
                slug=slug,
                change=change,
                announcement=announcement(change, prev_stated, stated),
                previous_slug=slugs[i - 1] if i else None,
                next_slug=slugs[i + 1] if i + 1 < len(slugs) else None,
                words=traits.words,
                words_added=added,
                words_removed=removed,
                stated_date=stated,
            )
        )
        previous, prev_stated = traits, stated
    return out
