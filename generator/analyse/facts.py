"""Per-snapshot facts: what a policy says it collects, whom it names, how to reach the
company, which laws and frameworks it cites, when it says it was last updated, and how hard
it is to read.

Everything here is a pure function of a snapshot's `Passage`s and a `FactVocabulary`
(content/facts.yml). Every fact keeps its evidence: the passage id it came from, the phrase
as it appears in the passage text and the character offset in `Passage.text`, so pages can
link each fact to the sentence that supports it. Results are frozen dataclasses with
`to_dict()` / `from_dict()` for the open-data CSV/JSON exports and the per-snapshot cache.

Robustness: all regular expressions are either alternations of literal phrases or bounded
patterns without nested unbounded repetition, so extraction is linear in the text length and
never raises on arbitrary input (see the hypothesis test in tests/test_facts.py).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from dateutil import parser as dateutil_parser

from generator.model import Passage
from generator.read.yaml_files import YamlFile, load_yaml_file
from generator.util.paths import DEFAULT_CONTENT

__all__ = [
    "FACTS_VERSION",
    "WORDS_PER_MINUTE",
    "DEFAULT_VOCABULARY_PATH",
    "VocabularyEntry",
    "FactVocabulary",
    "Evidence",
    "Fact",
    "StatedDate",
    "Readability",
    "SnapshotFacts",
    "load_vocabulary",
    "extract_facts",
    "find_stated_date",
    "find_contacts",
    "measure_readability",
    "is_negated",
]

#: Bump when extraction logic changes, so per-snapshot caches can be invalidated.
FACTS_VERSION = 1

#: Silent reading speed of adults for non-fiction, words per minute (Brysbaert 2019,
#: "How many words do we read per minute?", J. Memory and Language 109: 238 wpm).
WORDS_PER_MINUTE = 238

DEFAULT_VOCABULARY_PATH = DEFAULT_CONTENT / "facts.yml"

# One-to-one character replacements, so offsets in the normalised text equal offsets in the
# original passage text.
_NORMALISE = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u2002": " ", "\u2003": " ", "\u3000": " ",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    }
)


_NORMALISE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _NORMALISE) + "]")


def _normalise(text: str) -> str:
    # a regex finds the few characters to replace much faster than str.translate walks a dict
    return _NORMALISE_RE.sub(lambda m: _NORMALISE[ord(m.group())], text)


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class VocabularyEntry:
    """One data type, third party or regulation and the phrases that signal it."""

    id: str
    label: str  # display name ("Email address", "Google Analytics", "COPPA (...)")
    kind: str  # third parties: analytics/advertising/...; regulations: law/...; data types: "data_type"
    phrases: tuple[str, ...]  # case-insensitive
    exact: tuple[str, ...] = ()  # case-sensitive


class _Matcher:
    """The phrases of one vocabulary section (data types, third parties or regulations).

    Phrases are bucketed by their first two letters (ignoring case, hyphens, apostrophes and
    spaces); at each word start of the text only the bucket's alternation of escaped literal
    phrases (longest first) is tried (see `FactVocabulary.find_phrases`). That keeps matching
    linear and fast (a single alternation of ~700 phrases costs ~100x more in Python's
    backtracking engine). The matched text's key then maps back to the entries that own the
    phrase (a phrase such as "name and address" may signal two data types)."""

    def __init__(self, entries: Sequence[VocabularyEntry]):
        self.entries = {e.id: e for e in entries}
        self._keys: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
        buckets: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
        for entry in entries:
            for phrase, cs in (*((p, 0) for p in entry.phrases), *((p, 1) for p in entry.exact)):
                fold = not cs
                owners = self._keys[cs].setdefault(_phrase_key(phrase, fold), [])
                if entry.id not in owners:
                    owners.append(entry.id)
                buckets[cs].setdefault(_bucket_key(phrase, fold), []).append(phrase)
        #: per case sensitivity (0: phrases, 1: exact), bucket key -> alternation of its phrases
        self.regexes = tuple(
            {key: _compile_phrases(phrases, 0 if cs else re.IGNORECASE) for key, phrases in buckets[cs].items()}
            for cs in (0, 1)
        )

    def owners(self, matched: str, case_sensitive: int) -> list[str] | None:
        """Ids of the entries owning the phrase that `matched` (text a bucket regex matched) spells."""
        return _lookup(self._keys[case_sensitive], matched, not case_sensitive)


# a word start: (the whole word, its first word character, the next one after at most three
# spaces/hyphens/apostrophes); the bucket key is the two characters
_WORD_START = re.compile(r"(?<!\w)(?=(\w+))(\w)(?:[\s\-']{0,3}(\w))?")


def _bucket_key(phrase: str, fold: bool) -> str:
    key = re.sub(r"[\s\-']+", "", _normalise(phrase))[:2]
    return key.lower() if fold else key


def _phrase_key(phrase: str, fold: bool) -> str:
    key = re.sub(r"[\s\-'\u2019]+", "", _normalise(phrase))
    return key.lower() if fold else key


def _lookup(keys: dict[str, list[str]], matched: str, fold: bool) -> list[str] | None:
    key = _phrase_key(matched, fold)
    if key in keys:
        return keys[key]
    for suffix in ("es", "s", "ES", "S"):
        if key.endswith(suffix) and key[: -len(suffix)] in keys:
            return keys[key[: -len(suffix)]]
    return None


def _phrase_regex(phrase: str) -> str:
    phrase = _collapse(_normalise(phrase))
    parts: list[str] = []
    for ch in phrase:
        if ch == " ":
            parts.append(r"\s+")
        elif ch == "-":
            parts.append(r"[-\s]?")
        elif ch == "'":
            parts.append(r"'?")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    if phrase[:1].isalnum() or phrase[:1] == "_":
        body = r"(?<!\w)" + body
    if phrase[-1:].isalpha():
        body += r"(?:e?s)?(?!\w)"
    elif phrase[-1:].isalnum():
        body += r"(?!\w)"
    return body


def _compile_phrases(phrases: list[str], flags: int) -> re.Pattern[str] | None:
    unique = sorted({_collapse(p) for p in phrases if p and p.strip()}, key=lambda p: (-len(p), p))
    if not unique:
        return None
    return re.compile("|".join(_phrase_regex(p) for p in unique), flags)


_SECTIONS = ("data_types", "third_parties", "regulations")
_PASSAGE_MEMO_MAX = 4096
_WORD_MEMO_MAX = 100_000


@dataclass(frozen=True)
class FactVocabulary:
    """The editable vocabularies of content/facts.yml, with compiled matchers."""

    data_types: tuple[VocabularyEntry, ...]
    third_parties: tuple[VocabularyEntry, ...]
    regulations: tuple[VocabularyEntry, ...]
    _matchers: dict[str, _Matcher] = field(default_factory=dict, compare=False, repr=False, hash=False)
    #: lower-cased bucket key -> (None, or with several buckets a pattern matching where any of
    #: them does; the buckets as (section index, case sensitive, bucket key, regex)): what to
    #: try at a word starting with the key. One pass over the words serves all sections.
    _tries: dict[str, tuple[re.Pattern[str] | None, list[tuple[int, int, str, re.Pattern[str]]]]] = field(
        default_factory=dict, init=False, compare=False, repr=False, hash=False)
    #: matches the start of every word a phrase may start at (see _leads)
    _word_leads: re.Pattern[str] | None = field(default=None, init=False, compare=False, repr=False, hash=False)
    #: word -> whether a phrase may start there; most words cannot start any
    _may_start: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False, hash=False)
    #: passage text -> _find_in_passage's answer: successive versions of a policy share most
    #: of their passages
    _findings: dict[str, _PassageFindings] = field(
        default_factory=dict, init=False, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        tries: dict[str, list[tuple[int, int, str, re.Pattern[str]]]] = {}
        for section, name in enumerate(_SECTIONS):
            matcher = self._matchers[name] = _Matcher(getattr(self, name))
            for cs in (0, 1):
                for key, regex in matcher.regexes[cs].items():
                    if regex is not None:
                        tries.setdefault(key.lower(), []).append((section, cs, key, regex))
        for key, bucket in tries.items():
            self._tries[key] = (_any_of([regex for *_, regex in bucket]) if len(bucket) > 1 else None, bucket)
        entries = (*self.data_types, *self.third_parties, *self.regulations)
        object.__setattr__(self, "_word_leads", _leads(p for e in entries for p in (*e.phrases, *e.exact)))

    def matcher(self, section: str) -> _Matcher:
        return self._matchers[section]

    def forget_findings(self) -> None:
        """Drop the per-passage memo, so a benchmark times the work rather than memo hits."""
        self._findings.clear()

    def passage_findings(self, text: str) -> _PassageFindings:
        """What a passage text says (memoised, see _find_in_passage)."""
        found = self._findings.get(text)
        if found is None:
            found = _find_in_passage(text, self)
            if len(self._findings) >= _PASSAGE_MEMO_MAX:  # bounded: start over rather than grow
                self._findings.clear()
            self._findings[text] = found
        return found

    def _learn_word(self, word: str) -> bool:
        """Whether some phrase may match where `word` (a whole word) starts; memoised."""
        possible = self._word_leads is None or self._word_leads.match(word) is not None
        if len(self._may_start) >= _WORD_MEMO_MAX:  # bounded: start over rather than grow
            self._may_start.clear()
        self._may_start[word] = possible
        return possible

    def find_phrases(self, text: str) -> tuple[list[tuple[int, int, tuple[str, ...]]], ...]:
        """Per section of _SECTIONS: (start, end, entry ids) of each phrase occurrence in `text`
        (already normalised), in text order. Occurrences of one section do not overlap, except
        that a case-sensitive (`exact`) phrase may overlap a case-insensitive one."""
        found: tuple[list[tuple[int, int, tuple[str, ...]]], ...] = tuple([] for _ in _SECTIONS)
        matchers = [self._matchers[name] for name in _SECTIONS]
        resume = [[0, 0] for _ in _SECTIONS]  # per section and case sensitivity: end of the last occurrence
        may_start = self._may_start
        for word in _WORD_START.finditer(text):
            whole, first, second = word.group(1, 2, 3)
            possible = may_start.get(whole)
            if possible is None:
                possible = self._learn_word(whole)
            if not possible:
                continue
            key = first + second if second else first
            tries = self._tries.get(key.lower())
            if tries is None:
                continue
            pos = word.start()
            any_of, bucket = tries
            if any_of is not None and any_of.match(text, pos) is None:
                continue  # one call rules out every section: the common case
            for section, cs, bucket_key, regex in bucket:
                if pos < resume[section][cs] or (cs and key != bucket_key):
                    continue
                m = regex.match(text, pos)
                if m is None:
                    continue
                owners = matchers[section].owners(m.group(0), cs)
                if owners:
                    found[section].append((pos, m.end(), tuple(owners)))
                    resume[section][cs] = m.end()
        return found


def _leads(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern that matches the start of every word a phrase may start at:
    each phrase's leading ASCII letters and digits match word characters only, so they lie
    in the word. None (no filter) if a phrase has no such lead."""
    leads = set()
    for phrase in phrases:
        phrase = _collapse(_normalise(phrase))
        if phrase:
            lead = re.match(r"[A-Za-z0-9]*", phrase).group()
            if not lead:
                return None
            leads.add(lead)
    return re.compile("|".join(map(re.escape, sorted(leads))), re.IGNORECASE) if leads else None


def _any_of(regexes: Sequence[re.Pattern[str]]) -> re.Pattern[str]:
    """A pattern that matches at a position if and only if one of `regexes` does there."""
    scoped = (f"(?i:{r.pattern})" if r.flags & re.IGNORECASE else f"(?:{r.pattern})" for r in regexes)
    return re.compile("|".join(scoped))


def _phrases(value: Any) -> tuple[str, ...]:
    """A `phrases` value of the schema (a phrase or a list of them), stripped, blanks dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(str(v).strip() for v in value if str(v).strip())


def _entries(document: YamlFile, section: str, default_kind: str, phrase_key: str, label_key: str
             ) -> tuple[VocabularyEntry, ...]:
    out: list[VocabularyEntry] = []
    first: dict[str, int] = {}
    for i, item in enumerate((document.data or {}).get(section) or ()):
        where = (section, i)
        entry_id = item["id"].strip()
        if entry_id in first:
            raise document.error(where + ("id",), f"duplicate id {entry_id!r} (first on line {first[entry_id]})")
        first[entry_id] = document.line(where + ("id",))
        label = str(item.get(label_key) or entry_id).strip()
        phrases, exact = _phrases(item.get(phrase_key)), _phrases(item.get("exact"))
        if not phrases and not exact:
            raise document.error(where, f"{entry_id!r} has no phrases (give {phrase_key} or exact)")
        out.append(VocabularyEntry(entry_id, label, item.get("kind") or default_kind, phrases, exact))
    return tuple(out)


def load_vocabulary(path: str | Path = DEFAULT_VOCABULARY_PATH) -> FactVocabulary:
    """Read content/facts.yml (sections data_types, third_parties, regulations).

    schemas/facts.schema.json checks the shape; a ConfigError (a ValueError) names the file and
    line of a duplicate id or of an entry without phrases."""
    document = load_yaml_file(Path(path), "facts")
    return FactVocabulary(
        data_types=_entries(document, "data_types", "data_type", "phrases", "label"),
        third_parties=_entries(document, "third_parties", "other", "aliases", "name"),
        regulations=_entries(document, "regulations", "law", "aliases", "name"),
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Evidence:
    """Where a fact was found: passage anchor, the phrase as written, offset in Passage.text."""

    passage_id: str
    phrase: str
    offset: int


@dataclass(frozen=True)
class Fact:
    """One data type / third party / regulation / contact channel with all its evidence
    (document order)."""

    id: str  # vocabulary id; for contacts the normalised value (lower-case e-mail, digits)
    label: str  # display text
    kind: str  # data types: "data_type"; third parties: analytics/...; contacts: email/phone/fax/postal_address
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "evidence": [{"passage_id": e.passage_id, "phrase": e.phrase, "offset": e.offset} for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fact":
        return cls(d["id"], d["label"], d["kind"], tuple(Evidence(e["passage_id"], e["phrase"], int(e["offset"])) for e in d["evidence"]))


@dataclass(frozen=True)
class StatedDate:
    """The date the policy states for itself ("Last updated September 16, 2014")."""

    date: date
    phrase: str  # cue and date as written, white space collapsed
    kind: str  # "last_updated" | "effective" | "revised"
    precision: str  # "day" | "month" (month-only dates are set to the 1st)
    offset: int  # in the text searched (Passage.text for extract_facts)
    passage_id: str = ""  # set by extract_facts

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "phrase": self.phrase,
            "kind": self.kind,
            "precision": self.precision,
            "offset": self.offset,
            "passage_id": self.passage_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StatedDate":
        return cls(date.fromisoformat(d["date"]), d["phrase"], d["kind"], d["precision"], int(d["offset"]), d.get("passage_id", ""))


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float  # higher is easier; 60-70 plain English, < 30 very difficult
    flesch_kincaid_grade: float  # US school grade
    reading_minutes: float  # words / WORDS_PER_MINUTE, one decimal
    words_per_minute: int = WORDS_PER_MINUTE

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": self.words,
            "sentences": self.sentences,
            "syllables": self.syllables,
            "flesch_reading_ease": self.flesch_reading_ease,
            "flesch_kincaid_grade": self.flesch_kincaid_grade,
            "reading_minutes": self.reading_minutes,
            "words_per_minute": self.words_per_minute,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Readability":
        return cls(**d)


@dataclass(frozen=True)
class SnapshotFacts:
    """All facts of one snapshot; every tuple of facts is in document order."""

    data_types: tuple[Fact, ...]  # stated as collected/used (a non-negated mention exists)
    data_types_negated: tuple[Fact, ...]  # only ever mentioned as not collected
    third_parties: tuple[Fact, ...]
    contacts: tuple[Fact, ...]
    regulations: tuple[Fact, ...]
    stated_date: StatedDate | None
    readability: Readability
    version: int = FACTS_VERSION

    def ids(self, section: str) -> tuple[str, ...]:
        return tuple(f.id for f in getattr(self, section))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "data_types": [f.to_dict() for f in self.data_types],
            "data_types_negated": [f.to_dict() for f in self.data_types_negated],
            "third_parties": [f.to_dict() for f in self.third_parties],
            "contacts": [f.to_dict() for f in self.contacts],
            "regulations": [f.to_dict() for f in self.regulations],
            "stated_date": self.stated_date.to_dict() if self.stated_date else None,
            "readability": self.readability.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SnapshotFacts":
        facts = lambda key: tuple(Fact.from_dict(x) for x in d.get(key, ()))  # noqa: E731
        return cls(
            data_types=facts("data_types"),
            data_types_negated=facts("data_types_negated"),
            third_parties=facts("third_parties"),
            contacts=facts("contacts"),
            regulations=facts("regulations"),
            stated_date=StatedDate.from_dict(d["stated_date"]) if d.get("stated_date") else None,
            readability=Readability.from_dict(d["readability"]),
            version=int(d.get("version", FACTS_VERSION)),
        )


# --------------------------------------------------------------------------- negation

# A clause ends at sentence punctuation, a semicolon/colon followed by space, a blank line or
# a list bullet, or before a contrastive / exceptive connective.
_CLAUSE_BREAK = re.compile(
    r"[.!?;:](?=\s|$)|\n\s*\n|\n\s*(?:[-*+\u2022]|\d{1,3}[.)])\s"
    r"|\b(?:but|however|although|though|whereas|while|except|excepting|unless|instead|besides"
    r"|other\s+than|apart\s+from|aside\s+from|rather\s+than|and\s+(?:we|you|they|it))\b",
    re.IGNORECASE,
)
_NEGATION_CUE = re.compile(
    r"\b(?:not|never|no|none|nor|neither|cannot|without|n't)\b|n't\b", re.IGNORECASE
)
# "not limited to", "not required to provide", "does not identify you personally, such as ..."
_CUE_CANCELLED_AFTER = re.compile(
    r"\s*(?:be\s+)?(?:limited|only|just|necessarily|required|mandatory|obligated|obliged|all|always"
    r"|identify|personally|directly\s+identify|associated|linked|tied|connected)\b",
    re.IGNORECASE,
)
_CUE_CANCELLED_BEFORE = re.compile(r"(?:\b(?:if|whether|you|or)\s+(?:\w+\s+){0,2}$)", re.IGNORECASE)
_NEGATION_WINDOW = 200  # characters before the mention


def _clause_breaks(text: str) -> list[int]:
    return [m.end() for m in _CLAUSE_BREAK.finditer(text)]


def _negated(text: str, start: int, breaks: list[int]) -> bool:
    i = bisect.bisect_right(breaks, start) - 1
    clause_start = breaks[i] if i >= 0 else 0
    clause_start = max(clause_start, start - _NEGATION_WINDOW)
    window = text[clause_start:start]
    for cue in _NEGATION_CUE.finditer(window):
        if _CUE_CANCELLED_AFTER.match(window, cue.end()):
            continue
        if _CUE_CANCELLED_BEFORE.search(window[max(0, cue.start() - 40) : cue.start()]):
            continue
        return True
    return False


def is_negated(sentence: str, phrase: str) -> bool:
    """True if `phrase` (its first occurrence in `sentence`) is negated. For tests/debugging."""
    text = _normalise(sentence)
    at = text.lower().find(_normalise(phrase).lower())
    if at < 0:
        raise ValueError(f"{phrase!r} not in sentence")
    return _negated(text, at, _clause_breaks(text))


# --------------------------------------------------------------------------- stated date

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_DATE = (
    rf"(?P<mdy>{_MONTH}\s{{1,3}}{_DAY},?\s{{1,3}}{_YEAR})"
    rf"|(?P<dmy>{_DAY}\s{{1,3}}(?:of\s{{1,3}})?{_MONTH},?\s{{1,3}}{_YEAR})"
    rf"|(?P<my>{_MONTH},?\s{{1,3}}{_YEAR})"
    rf"|(?P<iso>{_YEAR}[-/.][01]?\d[-/.][0-3]?\d)"
    rf"|(?P<num>[0-3]?\d(?P<sep>[-/.])[0-3]?\d(?P=sep)(?:{_YEAR}|\d\d))"
)
_CUE = (
    r"(?P<last>last\s{1,3}(?:updated|modified|revised|amended|changed|update|revision|modification)"
    r"|date\s{1,3}of\s{1,3}(?:the\s{1,3})?last\s{1,3}(?:revision|update|modification|change)"
    r"|(?:latest|most\s{1,3}recent(?:ly)?)\s{1,3}(?:update[ds]?|revis(?:ed|ion)|modified)"
    r"|updated\s{1,3}last)"
    r"|(?P<eff>effective(?:\s{1,3}date)?|in\s{1,3}effect|takes\s{1,3}effect|date\s{1,3}of\s{1,3}effect)"
    r"|(?P<rev>(?:updated|revised|modified|amended|dated|posted)(?:\s{1,3}on)?"
    r"|revision\s{1,3}date|version\s{1,3}date|date\s{1,3}(?:of\s{1,3})?(?:revision|update|publication)"
    r"|update\s{1,3}date|release\s{1,3}date)"
)
_GAP = r"(?:[\s:*_()\[\],.|#>\-]|\bon\b|\bin\b|\bof\b|\bas\s{1,3}of\b|\bfrom\b|\bdate\b|\bis\b|\bwas\b|\bthe\b|\bday\b){0,12}?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s{1,3})?"
_STATED_DATE = re.compile(rf"\b(?:{_CUE})\b{_GAP}{_WEEKDAY}(?:{_DATE})(?![A-Za-z0-9/])", re.IGNORECASE)
# "effective from June 24, 2021, until October 6, 2025": a past version in a version list
_RANGE_AFTER = re.compile(r"[\s,*_)]{0,4}(?:until|till|to|through|thru|-)\s", re.IGNORECASE)
#: A policy's date block ("Effective Date: ... Last Updated: ...") is short: candidates within
#: this many characters of the first one compete on cue rank; later ones are ignored (they
#: belong to embedded notices, version lists or the body).
_DATE_CLUSTER = 400
_TWO_DIGITS = re.compile(r"\d\d")
_RANK = {"last": 0, "eff": 1, "rev": 2}
_KIND = {"last": "last_updated", "eff": "effective", "rev": "revised"}
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def _parse_date(m: re.Match[str]) -> tuple[date, str] | None:
    try:
        if m.group("mdy") or m.group("dmy"):
            raw = m.group("mdy") or m.group("dmy")
            raw = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|\bof\b", " ", raw, flags=re.IGNORECASE)
            d = dateutil_parser.parse(raw.replace(".", " "), default=datetime(2000, 1, 1)).date()
            result = (d, "day")
        elif m.group("my"):
            d = dateutil_parser.parse(m.group("my").replace(".", " "), default=datetime(2000, 1, 1)).date()
            result = (d.replace(day=1), "month")
        elif m.group("iso"):
            y, mo, dd = (int(x) for x in re.split(r"[-/.]", m.group("iso")))
            result = (date(y, mo, dd), "day")
        else:
            a, b, y = re.split(r"[-/.]", m.group("num"))
            if len(y) == 2:
                if m.group("sep") != "/":
                    return None
                y = "20" + y if int(y) < 70 else "19" + y
            a_i, b_i = int(a), int(b)
            # US month-first unless impossible (policies in the corpus are mostly US)
            mo, dd = (b_i, a_i) if a_i > 12 else (a_i, b_i)
            result = (date(int(y), mo, dd), "day")
    except (ValueError, OverflowError, TypeError):
        return None
    if not (_MIN_YEAR <= result[0].year <= _MAX_YEAR):
        return None
    return result


def _date_candidates(text: str) -> list[tuple[int, int, StatedDate]]:
    """(rank, offset, StatedDate) for every cue + date in `text` (already normalised)."""
    out: list[tuple[int, int, StatedDate]] = []
    if not _TWO_DIGITS.search(text):  # every date has a year (or day and month) of two digits
        return out
    for m in _STATED_DATE.finditer(text):
        parsed = _parse_date(m)
        if parsed is None or _RANGE_AFTER.match(text, m.end()):
            continue
        cue = next(k for k in ("last", "eff", "rev") if m.group(k))
        out.append((_RANK[cue], m.start(), StatedDate(parsed[0], _collapse(m.group(0)), _KIND[cue], parsed[1], m.start())))
    return out


def find_stated_date(text: str) -> StatedDate | None:
    """The policy's own date: a date right after a cue such as "Last updated", "Effective
    date:", "Revised:", "This policy was last modified on". Bare dates and copyright years
    are ignored. With several, "last updated/modified/revised" beats "effective" beats a plain
    "updated/revised/posted"; ties go to the first in the text."""
    if not text:
        return None
    return _choose_date(_date_candidates(_normalise(text)))


def _choose_date(candidates: Sequence[tuple[int, int, StatedDate]]) -> StatedDate | None:
    """(rank, position, date) -> the first date block's best-ranked date."""
    if not candidates:
        return None
    first = min(c[1] for c in candidates)
    block = [c for c in candidates if c[1] - first <= _DATE_CLUSTER]
    return min(block, key=lambda c: (c[0], c[1]))[2]


# --------------------------------------------------------------------------- contacts

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.){1,6}[A-Za-z]{2,24}(?![\w@])"
)
_OBFUSCATED_EMAIL = re.compile(
    r"(?<![\w.])([A-Za-z0-9][A-Za-z0-9._+\-]{0,63})\s{0,3}(?:\[at\]|\(at\)|\{at\}|<at>|\sAT\s)\s{0,3}"
    r"([A-Za-z0-9\-]{1,63})\s{0,3}(?:\[dot\]|\(dot\)|\{dot\}|<dot>|\sDOT\s|\.)\s{0,3}([A-Za-z]{2,24})\b"
)
_PHONE = re.compile(
    r"(?<![\w+\-/.])(?:"
    r"(?:\+?1[\s.\-])?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}"  # North American
    r"|1[\s\-]?8[0-9]{2}[\s\-][A-Z0-9]{3}[\s\-][A-Z0-9]{4}"  # toll-free, maybe vanity
    r"|\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?\d{1,5}(?:[\s.\-]\d{2,5}){1,4}"  # international
    r"|\(0\d{1,4}\)\s?\d{3,4}[\s\-]?\d{3,4}"  # national with trunk prefix, e.g. (020) 7946 0000
    r")(?![\w\-/])"
)
_FAX_BEFORE = re.compile(r"\bfax(?:imile)?\b[^\n\d]{0,12}$", re.IGNORECASE)
_STREET_WORDS = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy"
    r"|Highway|Hwy|Square|Sq|Plaza|Circle|Cir|Terrace|Ter|Alley|Broadway|Center|Centre|Row|Trail|Pike"
    r"|Suite|Ste|Floor|Fl|Building|Bldg|Turnpike|Expressway|Freeway|Crescent|Close|Mews|Gardens"
)
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?(?:-\d{1,5})?,?[ \t]{1,3}(?:[NSEW]\.?[ \t]{1,3})?(?:[A-Z0-9][\w.'&]{0,20}[ \t]{1,3}){0,4}?"
    rf"(?:{_STREET_WORDS})\b\.?"
    r"|\bP\.?\s?O\.?\s{0,2}Box\s{1,3}\d{1,7}\b",
)
_US_STATES = (
    r"Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii"
    r"|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan"
    r"|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New\sHampshire|New\sJersey|New\sMexico"
    r"|New\sYork|North\sCarolina|North\sDakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode\sIsland"
    r"|South\sCarolina|South\sDakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West\sVirginia"
    r"|Wisconsin|Wyoming"
)
_POSTCODE = re.compile(
    rf"\b(?:[A-Z]{{2}}\.?|{_US_STATES}|D\.C\.)\s{{1,3}}\d{{5}}(?:-\d{{4}})?\b"  # US state + ZIP
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b"  # UK
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"  # Canada
)
_ADDRESS_SPAN = 160  # characters after the street line where a postcode may follow


def find_contacts(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, value, start, end) for e-mail addresses, phone/fax numbers and postal addresses
    in `text` (kind: "email", "phone", "fax", "postal_address")."""
    return _find_contacts(_normalise(text)) if text else []


_AT_MARKER = re.compile(r"\[at\]|\(at\)|\{at\}|<at>|\sAT\s")  # every obfuscated address has one
_DIGIT = re.compile(r"\d")
_FIVE_DIGITS = re.compile(r"\d{5}")


def _find_contacts(text: str) -> list[tuple[str, str, int, int]]:
    # Each pattern only runs on text holding a character all its matches need: most passages
    # have no "@" and half have no digit, and scanning for one is much faster than the pattern.
    out: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            value = m.group(0).rstrip(".")
            out.append(("email", value, m.start(), m.start() + len(value)))
            taken.append((m.start(), m.end()))
    if _AT_MARKER.search(text):
        for m in _OBFUSCATED_EMAIL.finditer(text):
            value = f"{m.group(1)}@{m.group(2)}.{m.group(3)}"
            out.append(("email", value, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if _DIGIT.search(text):  # every phone number and postal address has a digit
        out += _phone_numbers(text, taken)
        out += _postal_addresses(text)
    out.sort(key=lambda c: c[2])
    return out


def _phone_numbers(text: str, taken: list[tuple[int, int]]) -> list[tuple[str, str, int, int]]:
    """Phone and fax numbers not inside one of the `taken` spans (e-mail addresses)."""
    out: list[tuple[str, str, int, int]] = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not 10 <= len(digits) + sum(c.isalpha() for c in m.group(0)) <= 15:
            continue
        if any(s <= m.start() < e for s, e in taken):
            continue
        kind = "fax" if _FAX_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) else "phone"
        out.append((kind, m.group(0), m.start(), m.end()))
    return out


def _postal_addresses(text: str) -> list[tuple[str, str, int, int]]:
    out: list[tuple[str, str, int, int]] = []
    last_end = -1
    for m in _STREET.finditer(text):
        if m.start() < last_end:
            continue
        end = m.end()
        zip_m = _POSTCODE.search(text, m.end(), min(len(text), m.end() + _ADDRESS_SPAN))
        if zip_m and "\n\n" not in text[m.end() : zip_m.start()]:
            end = zip_m.end()
        elif not re.search(r"\d", text[m.start() : m.start() + 3]) and "Box" not in m.group(0):
            continue
        value = _collapse(text[m.start() : end])
        out.append(("postal_address", value, m.start(), end))
        last_end = end
    # a city/state/ZIP line without a street line before it ("Los Angeles, CA 90021"): only a
    # US state + ZIP counts there, so text without five digits in a row has none
    if not _FIVE_DIGITS.search(text):
        return out
    for m in _POSTCODE.finditer(text):
        if m.start() < last_end and any(s <= m.start() < e for _, _, s, e in out):
            continue
        if not re.match(r"[A-Z]{2}\.?\s|" + _US_STATES, m.group(0)):
            continue  # only US state + ZIP standing alone
        line_start = text.rfind("\n", 0, m.start()) + 1
        city = text[max(line_start, m.start() - 40) : m.start()]
        cm = re.search(r"[A-Z][A-Za-z.' ]{1,30},?\s{0,3}$", city)
        if not cm:
            continue
        start = m.start() - len(city) + cm.start()
        out.append(("postal_address", _collapse(text[start : m.end()]), start, m.end()))
    return out


def _contact_id(kind: str, value: str) -> str:
    if kind == "email":
        return value.lower()
    if kind in ("phone", "fax"):
        digits = re.sub(r"\D", "", value)
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


# --------------------------------------------------------------------------- readability


@functools.lru_cache(maxsize=65536)
def _syllables(token: str) -> int:
    """Syllables of one `_WORD` token: numbers, hyphenated words and absurdly long tokens count one."""
    return _word_syllables(token.lower()) if token.isalpha() and len(token) < 40 else 1


@functools.lru_cache(maxsize=65536)
def _word_syllables(word: str) -> int:  # "The" and "the": one look-up in pyphen's patterns
    return len(_pyphen().positions(word)) + 1


@functools.lru_cache(maxsize=1)
def _pyphen() -> Any:
    import pyphen  # a dependency of textstat

    return pyphen.Pyphen(lang="en_US")


_WORD = re.compile(r"[A-Za-z\u00c0-\u024f0-9]+(?:['\-][A-Za-z\u00c0-\u024f0-9]+)*")


def measure_readability(text: str) -> Readability:
    """Words and sentences as textstat counts them; syllables with pyphen, the hyphenation
    dictionary textstat itself falls back to (textstat 0.7.13 first tries NLTK's cmudict,
    which it downloads from the network at first use - not acceptable in a build); then the
    standard Flesch reading ease and Flesch-Kincaid grade formulas."""
    tokens = _WORD.findall(text)
    return _readability(text, len(tokens), sum(map(_syllables, tokens)))


def _readability(text: str, tokens: int, syllables: int) -> Readability:
    """measure_readability(text), given the number of `_WORD` tokens of `text` and their syllables."""
    import textstat

    words = textstat.lexicon_count(text) if text.strip() else 0
    sentences = textstat.sentence_count(text) if words else 0
    if not words or not tokens:
        return Readability(0, 0, 0, 0.0, 0.0, 0.0)
    wps = words / max(1, sentences)
    spw = syllables / tokens
    return Readability(
        words=words,
        sentences=sentences,
        syllables=syllables,
        flesch_reading_ease=round(206.835 - 1.015 * wps - 84.6 * spw, 2),
        flesch_kincaid_grade=round(0.39 * wps + 11.8 * spw - 15.59, 2),
        reading_minutes=round(words / WORDS_PER_MINUTE, 1),
    )


# --------------------------------------------------------------------------- extraction


class _Collector:
    def __init__(self) -> None:
        self.order: list[str] = []
        self.label: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        self.evidence: dict[str, list[Evidence]] = {}

    def add(self, fid: str, label: str, kind: str, ev: Evidence) -> None:
        if fid not in self.evidence:
            self.order.append(fid)
            self.label[fid], self.kind[fid] = label, kind
            self.evidence[fid] = []
        self.evidence[fid].append(ev)

    def facts(self, skip: Iterable[str] = ()) -> tuple[Fact, ...]:
        skip = set(skip)
        return tuple(
            Fact(fid, self.label[fid], self.kind[fid], tuple(self.evidence[fid])) for fid in self.order if fid not in skip
        )


@dataclass(frozen=True)
class _PassageFindings:
    """What one passage text says, before it is attributed to a passage id: offsets are in the
    text, phrases as written (white space collapsed)."""

    data_types: tuple[tuple[int, str, tuple[str, ...], bool], ...]  # offset, phrase, entry ids, negated
    third_parties: tuple[tuple[int, str, tuple[str, ...]], ...]  # offset, phrase, entry ids
    regulations: tuple[tuple[int, str, tuple[str, ...]], ...]
    contacts: tuple[tuple[str, str, str, int, str], ...]  # contact id, value, kind, offset, phrase
    dates: tuple[tuple[int, int, StatedDate], ...]  # rank, offset, date (see _date_candidates)
    tokens: int  # `_WORD` tokens, for readability (no token spans two passages)
    syllables: int  # of those tokens


def _find_in_passage(raw: str, vocabulary: FactVocabulary) -> _PassageFindings:
    text = _normalise(raw)
    tokens = _WORD.findall(raw)
    data_types, third_parties, regulations = vocabulary.find_phrases(text)
    breaks: list[int] | None = None  # computed only for passages that mention a data type
    data_findings = []
    for start, end, ids in data_types:
        if breaks is None:
            breaks = _clause_breaks(text)
        data_findings.append((start, _collapse(raw[start:end]), ids, _negated(text, start, breaks)))
    return _PassageFindings(
        data_types=tuple(data_findings),
        third_parties=tuple((start, _collapse(raw[start:end]), ids) for start, end, ids in third_parties),
        regulations=tuple((start, _collapse(raw[start:end]), ids) for start, end, ids in regulations),
        contacts=tuple((_contact_id(kind, value), value, kind, start, _collapse(raw[start:end]))
                       for kind, value, start, end in _find_contacts(text)),
        dates=tuple(_date_candidates(text)),
        tokens=len(tokens),
        syllables=sum(map(_syllables, tokens)),
    )


def extract_facts(passages: Sequence[Passage], vocabulary: FactVocabulary) -> SnapshotFacts:
    """All facts of one snapshot, from its passages in document order."""
    data, negated, parties, contacts, regs = (_Collector() for _ in range(5))
    dates: list[tuple[int, int, StatedDate]] = []
    position = 0  # offset of the passage in the concatenated text
    seen_headings: set[str] = set()
    texts: list[str] = []
    tokens = syllables = 0
    dt_entries = vocabulary.matcher("data_types").entries
    tp_entries = vocabulary.matcher("third_parties").entries
    rg_entries = vocabulary.matcher("regulations").entries
    for passage in passages:
        raw = passage.text or ""
        texts.append(raw)
        found = vocabulary.passage_findings(raw)
        tokens += found.tokens
        syllables += found.syllables
        for offset, phrase, ids, is_negated_mention in found.data_types:
            ev = Evidence(passage.id, phrase, offset)
            target = negated if is_negated_mention else data
            for fid in ids:
                entry = dt_entries[fid]
                target.add(fid, entry.label, entry.kind, ev)
        for entries, mentions, target in ((tp_entries, found.third_parties, parties),
                                          (rg_entries, found.regulations, regs)):
            for offset, phrase, ids in mentions:
                ev = Evidence(passage.id, phrase, offset)
                for fid in ids:
                    entry = entries[fid]
                    target.add(fid, entry.label, entry.kind, ev)
        for contact_id, value, kind, offset, phrase in found.contacts:
            contacts.add(contact_id, value, kind, Evidence(passage.id, phrase, offset))
        heading = passage.heading_path[-1] if passage.heading_path else ""
        if heading and heading not in seen_headings:
            seen_headings.add(heading)
            for rank, _offset, sd in _date_candidates(_normalise(heading)):
                # headings come before their passage text; offset -1 marks "in the heading"
                dates.append((rank, position, _replace_passage(sd, passage.id, offset=-1)))
            position += len(heading) + 2
        for rank, offset, sd in found.dates:
            dates.append((rank, position + offset, _replace_passage(sd, passage.id)))
        position += len(raw) + 2
    stated = _choose_date(dates)
    return SnapshotFacts(
        data_types=data.facts(),
        data_types_negated=negated.facts(skip=data.order),
        third_parties=parties.facts(),
        contacts=contacts.facts(),
        regulations=regs.facts(),
        stated_date=stated,
        readability=_readability("\n\n".join(texts), tokens, syllables),
    )


def _replace_passage(sd: StatedDate, passage_id: str, offset: int | None = None) -> StatedDate:
    # A date object of its own: memoised findings are shared between snapshots, and a page's
    # YAML front matter writes one object met twice as an anchor and an alias, so the page
    # would differ from the same page made from cached (separately pickled) analyses.
    day = date(sd.date.year, sd.date.month, sd.date.day)
    return StatedDate(day, sd.phrase, sd.kind, sd.precision, sd.offset if offset is None else offset, passage_id)
