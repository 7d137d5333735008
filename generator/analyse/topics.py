"""An explainable, rule-based topic tagger for policy passages.

The taxonomy and its cue lexicons live in ``content/topics.yml`` so editors can tune them
without touching code. Each topic has:

* ``cues``: phrases looked for in the passage text, each with a weight (``strong`` = 1.0,
  ``weak`` = 0.5 by default, or an explicit ``{phrase: weight}`` mapping);
* ``headings``: phrases looked for in the passage's heading path (innermost heading counts
  fully, enclosing headings at ``outer_heading_factor``);
* ``threshold``: the score a passage needs to get the topic (default from ``settings``);
* ``except``: phrases that veto the topic's cues they overlap, so a cue does not count in a
  context that means something else ("collectively" is not "collect*", "social security
  number" is not a security statement, "share the information we collect with" is about
  sharing, not collection). A vetoed cue is simply absent from the evidence;
* ``relative_cutoff``: per-topic override of ``settings.relative_cutoff`` (0 = keep the topic
  whenever it reaches its threshold, however strong the other topics of the passage are);
* ``anchors``: clause-level phrases that settle the topic on their own ("you may opt out",
  "we retain ... for"). They are cues like any other (weight ``strong`` unless given), and a
  passage where one of them fires keeps the topic whatever the relative cutoff says, as long
  as its score reaches the threshold. ``except`` vetoes apply to anchors too.

Passages shorter than ``settings.min_words`` words, and short lead-ins that end with a colon
(at most ``settings.lead_in_max_words`` words: "We may use your information to:") get no
topic: they announce a list rather than state a practice.

A passage gets every topic whose score reaches its threshold; the cues that fired are kept
as evidence (``TopicAssignment.cues``), e.g. ``("cookies", "heading 'Cookies'")``.

Phrase syntax (case-insensitive, matched on word tokens, not substrings):

* ``third party`` matches the words "third party" in sequence;
* ``collect*`` matches any word starting with "collect" (collects, collected, collection);
* ``share ... with`` allows up to 3 other words in between (``...`` is the gap);
* ``advertiser* ...8 cookie*`` allows up to 8 (``...N``, N from 1 to 9: a clause-wide gap).

Matching is token-based with dictionary look-ups (no regex alternations), so the cost is
linear in the passage length and independent of lexicon size in practice. No downloads,
no randomness: the same text, headings and taxonomy always give the same answer.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from generator.model import Passage, Topic, TopicAssignment
from generator.read.yaml_files import ConfigError, Where, YamlFile, load_yaml_file
from generator.util.paths import DEFAULT_CONTENT

__all__ = [
    "CATEGORIES",
    "Cue",
    "TaggerTopic",
    "Taxonomy",
    "load_taxonomy",
    "tag_passage",
    "tag_passages",
    "tag_jsonl",
    "main_tag",
    "categories_of",
    "score_passage",
    "DEFAULT_TAXONOMY",
]

CATEGORIES = (
    "First Party Collection/Use",
    "Third Party Sharing/Collection",
    "User Choice/Control",
    "User Access, Edit and Deletion",
    "Data Retention",
    "Data Security",
    "Policy Change",
    "Do Not Track",
    "International and Specific Audiences",
    "Other",
)
FALLBACK_CATEGORY = "Other"  # what tag_jsonl reports for a passage no topic matched

DEFAULT_TAXONOMY = DEFAULT_CONTENT / "topics.yml"

GAP = "..."
MAX_GAP = 3  # words a plain "..." may skip
_GAP_N = re.compile(r"^\.\.\.([1-9])$")  # "...N": up to N words
MAX_TEXT_CHARS = 200_000  # longer passages are tagged on their first 200k characters

_TOKEN = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    """Lower-case, ASCII-folded (é -> e; curly apostrophes dropped)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return text.encode("ascii", "ignore").decode("ascii").lower()


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text[:MAX_TEXT_CHARS]))


# --------------------------------------------------------------------------- lexicon

@dataclass(frozen=True)
class Cue:
    """One lexicon phrase compiled to token patterns."""

    phrase: str  # as written in topics.yml
    parts: tuple[tuple[str, bool] | int, ...]  # (word, is_prefix), or an int: a gap of up to that many words
    weight: float

    def match_at(self, tokens: Sequence[str], i: int) -> int:
        """End index (exclusive) if the cue matches starting at token i, else -1."""
        return _match(self.parts, 0, tokens, i)


def _tok_ok(part: tuple[str, bool], tok: str) -> bool:
    word, prefix = part
    return tok.startswith(word) if prefix else tok == word


def _match(parts, k: int, tokens: Sequence[str], i: int) -> int:
    n = len(tokens)
    while k < len(parts):
        part = parts[k]
        if type(part) is int:  # gap: try 0..part skipped tokens before the next part
            nxt = k + 1
            if nxt >= len(parts):
                return i
            for skip in range(part + 1):
                j = i + skip
                if j >= n:
                    return -1
                if _tok_ok(parts[nxt], tokens[j]):
                    end = _match(parts, nxt + 1, tokens, j + 1)
                    if end >= 0:
                        return end
            return -1
        if i >= n or not _tok_ok(part, tokens[i]):
            return -1
        i += 1
        k += 1
    return i


def compile_cue(phrase: str, weight: float) -> Cue:
    parts: list[tuple[str, bool] | int] = []
    for raw in str(phrase).split():
        gap_n = _GAP_N.match(raw)
        if raw == GAP or gap_n:
            if parts and type(parts[-1]) is not int:
                parts.append(int(gap_n.group(1)) if gap_n else MAX_GAP)
            continue
        prefix = raw.endswith("*")
        words = _TOKEN.findall(_fold(raw.rstrip("*")))
        for idx, w in enumerate(words):
            parts.append((w, prefix and idx == len(words) - 1))
    while parts and type(parts[-1]) is int:
        parts.pop()
    if not parts:
        raise ValueError(f"empty cue phrase: {phrase!r}")
    return Cue(str(phrase), tuple(parts), float(weight))


_Candidate = tuple[int, Cue, int]  # (owner, cue, how many of its leading words the look-up matched)


class _Index:
    """Cues indexed by their leading words.

    A cue starting with two exact words is found by that pair of tokens, one starting with a
    prefix ("collect*") by every token that starts with it, any other by its exact first word.
    What can start at a token is memoised per distinct token (tokens repeat a lot), so a scan
    costs one dict look-up per token plus the cues actually tried."""

    def __init__(self, cues: Iterable[tuple[int, Cue]]):
        self.exact: dict[str, list[_Candidate]] = {}
        self.prefix: dict[str, list[_Candidate]] = {}
        self.pair: dict[str, dict[str, list[_Candidate]]] = {}  # first word -> second word -> cues
        for owner, cue in cues:
            word, is_prefix = cue.parts[0]  # type: ignore[misc]
            second = cue.parts[1] if len(cue.parts) > 1 else None
            if not is_prefix and type(second) is tuple and not second[1]:
                self.pair.setdefault(word, {}).setdefault(second[0], []).append((owner, cue, 2))
            else:
                (self.prefix if is_prefix else self.exact).setdefault(word, []).append((owner, cue, 1))
        self.prefix_lengths = sorted({len(w) for w in self.prefix})
        self.size = sum(map(len, self.exact.values())) + sum(map(len, self.prefix.values())) \
            + sum(len(cands) for seconds in self.pair.values() for cands in seconds.values())
        #: token -> (cues its look-up starts, second word -> cues the pair starts); see _lookup
        self._by_token: dict[str, tuple[tuple[_Candidate, ...], dict[str, list[_Candidate]] | None]] = {}

    def _lookup(self, tok: str) -> tuple[tuple[_Candidate, ...], dict[str, list[_Candidate]] | None]:
        found = list(self.exact.get(tok, ()))
        for L in self.prefix_lengths:
            if L > len(tok):
                break
            found += self.prefix.get(tok[:L], ())
        got = (tuple(found), self.pair.get(tok))
        if len(self._by_token) >= _MEMO_MAX:  # bounded: a huge vocabulary just starts over
            self._by_token.clear()
        self._by_token[tok] = got
        return got

    def candidates(self, tokens: Sequence[str]) -> Iterator[tuple[int, Sequence[_Candidate]]]:
        """(i, cues whose leading words match at token i), for every token where some do."""
        by_token, lookup = self._by_token, self._lookup
        last = len(tokens) - 1
        for i, tok in enumerate(tokens):
            single, pairs = by_token.get(tok) or lookup(tok)
            if single:
                yield i, single
            if pairs is not None and i < last:
                cands = pairs.get(tokens[i + 1])
                if cands:
                    yield i, cands

    def scan(self, tokens: Sequence[str], vetoes: dict[int, list[tuple[int, int]]] | None = None
             ) -> dict[int, dict[str, tuple[float, str, int, int]]]:
        """owner -> {phrase: (weight, matched words, start, end)}: first match of each cue.

        ``vetoes`` (owner -> token spans): a match overlapping one of its owner's spans is
        ignored and the search for that cue goes on further in the text.
        """
        found: dict[int, dict[str, tuple[float, str, int, int]]] = {}
        vetoes = vetoes or _NO_VETOES
        for i, cands in self.candidates(tokens):
            for owner, cue, known in cands:
                got = found.get(owner)
                if got is not None and cue.phrase in got:
                    continue
                end = _match_rest(cue, known, tokens, i)
                if end >= 0:
                    spans = vetoes.get(owner)
                    if spans and any(i < vb and va < end for va, vb in spans):
                        continue
                    found.setdefault(owner, {})[cue.phrase] = (cue.weight, " ".join(tokens[i:end]), i, end)
        return found


_NO_VETOES: dict[int, list[tuple[int, int]]] = {}
_MEMO_MAX = 100_000
_PASSAGE_MEMO_MAX = 4096


def _match_rest(cue: Cue, known: int, tokens: Sequence[str], i: int) -> int:
    """``cue.match_at(tokens, i)`` when its first ``known`` words are known to match there."""
    parts = cue.parts
    return i + known if known == len(parts) else _match(parts, known, tokens, i + known)


def _veto_spans(index: "_Index", tokens: Sequence[str]) -> dict[int, list[tuple[int, int]]]:
    """owner -> every token span matched by one of its ``except`` phrases."""
    if not index.size:
        return _NO_VETOES
    spans: dict[int, list[tuple[int, int]]] = {}
    for i, cands in index.candidates(tokens):
        for owner, cue, known in cands:
            end = _match_rest(cue, known, tokens, i)
            if end >= 0:
                spans.setdefault(owner, []).append((i, end))
    return spans


@dataclass(frozen=True)
class TaggerTopic:
    """A topic plus its cue lexicon (``topic`` is the public model.Topic)."""

    topic: Topic
    cues: tuple[Cue, ...]
    heading_cues: tuple[Cue, ...]
    threshold: float
    heading_weight: float
    requires_text: bool  # a heading cue alone is not enough
    vetoes: tuple[Cue, ...] = ()  # ``except`` phrases: cues overlapping them do not count
    relative_cutoff: float | None = None  # None: settings.relative_cutoff
    anchors: frozenset[str] = frozenset()  # phrases of cues that exempt the topic from the cutoff

    @property
    def id(self) -> str:
        return self.topic.id


class Taxonomy(list):
    """A list of model.Topic (the public shape) that also carries the compiled lexicon."""

    def __init__(self, topics: Sequence[TaggerTopic], settings: dict):
        super().__init__(t.topic for t in topics)
        self.tagger_topics = tuple(topics)
        self.settings = dict(settings)
        self.by_id = {t.id: t for t in topics}
        self.outer_heading_factor = float(settings.get("outer_heading_factor", 0.5))
        self.relative_cutoff = float(settings.get("relative_cutoff", 0.0))
        # a topic whose anchor fired is kept down to this fraction of the best score
        self.anchor_cutoff = float(settings.get("anchor_cutoff", 0.0))
        self.text_index = _Index((n, c) for n, t in enumerate(topics) for c in t.cues)
        self.heading_index = _Index((n, c) for n, t in enumerate(topics) for c in t.heading_cues)
        self.veto_index = _Index((n, c) for n, t in enumerate(topics) for c in t.vetoes)
        self.suppress = tuple(tuple(x) for x in settings.get("suppress", ()))
        self.min_words = int(settings.get("min_words", 0))
        self.lead_in_max_words = int(settings.get("lead_in_max_words", 0))
        #: (text, heading path) -> tag_passage's answer, see there
        self.tagged: dict[tuple[str, tuple[str, ...]], tuple[TopicAssignment, ...]] = {}

    def category_of(self, topic_id: str) -> str:
        return self.by_id[topic_id].topic.category


def _cue_list(spec, default_weight: float, document: YamlFile, where: Where) -> list[Cue]:
    """The cues of a `phrases` value (see the schema): a phrase, a list of phrases and {phrase: weight}
    mappings, or one such mapping; a phrase without a weight gets `default_weight`."""
    if spec is None:
        return []
    items = [(where, spec)] if isinstance(spec, (str, dict)) else [(where + (n,), item) for n, item in enumerate(spec)]
    out: list[Cue] = []
    for item_where, item in items:
        weighted = [(item_where + (phrase,), phrase, w) for phrase, w in item.items()] if isinstance(item, dict) \
            else [(item_where, item, None)]
        for phrase_where, phrase, w in weighted:
            try:
                out.append(compile_cue(phrase, default_weight if w is None else float(w)))
            except ValueError as error:  # a phrase of gaps or punctuation only: no word to match
                raise document.error(phrase_where, str(error)) from None
    return out


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read topics.yml: a list of model.Topic that also carries the compiled cue lexicon.

    schemas/topics.schema.json checks the shape; here only what it cannot say: unique ids, cue
    phrases with a word in them, and `settings.suppress` naming topics that exist."""
    document = load_yaml_file(Path(path), "topics")
    data, base = document.data, ("topics",)
    if isinstance(data, list):
        data, base = {"topics": data}, ()
    settings = data.get("settings") or {}
    strong_w = float(settings.get("strong_weight", 1.0))
    weak_w = float(settings.get("weak_weight", 0.5))
    default_threshold = float(settings.get("threshold", 1.0))
    default_heading_w = float(settings.get("heading_weight", 1.0))
    topics: list[TaggerTopic] = []
    first: dict[str, int] = {}
    for n, row in enumerate(data["topics"]):
        where = base + (n,)
        tid = row["id"]
        if tid in first:
            raise document.error(where + ("id",), f"duplicate topic id {tid!r} (first on line {first[tid]})")
        first[tid] = document.line(where + ("id",))
        category = row["category"]
        title = row.get("title") or tid
        desc = " ".join((row.get("description") or "").split())
        cues_spec = row.get("cues") or {}
        anchor_cues = _cue_list(row.get("anchors"), strong_w, document, where + ("anchors",))
        cues = [*_cue_list(cues_spec.get("strong"), strong_w, document, where + ("cues", "strong")),
                *_cue_list(cues_spec.get("weak"), weak_w, document, where + ("cues", "weak")),
                *_cue_list(cues_spec.get("weighted"), strong_w, document, where + ("cues", "weighted")),
                *anchor_cues]
        heading_w = float(row.get("heading_weight", default_heading_w))
        heading_cues = _cue_list(row.get("headings"), heading_w, document, where + ("headings",))
        topics.append(TaggerTopic(
            topic=Topic(id=tid, title=title, description=desc, category=category),
            cues=tuple(cues),
            heading_cues=tuple(heading_cues),
            threshold=float(row.get("threshold", default_threshold)),
            heading_weight=heading_w,
            requires_text=bool(row.get("requires_text", False)),
            vetoes=tuple(_cue_list(row.get("except"), 0.0, document, where + ("except",))),
            relative_cutoff=None if row.get("relative_cutoff") is None else float(row["relative_cutoff"]),
            anchors=frozenset(c.phrase for c in anchor_cues),
        ))
    for n, pair in enumerate(settings.get("suppress", ())):
        for k, tid in enumerate(pair):
            if tid not in first:
                raise document.error(("settings", "suppress", n, k), f"no topic has the id {tid!r}")
    return Taxonomy(topics, settings)


# --------------------------------------------------------------------------- tagging

def _as_taxonomy(taxonomy) -> Taxonomy:
    """The caller's taxonomy; there is no implicit default (load one with load_taxonomy)."""
    if isinstance(taxonomy, Taxonomy):
        return taxonomy
    raise TypeError("taxonomy must come from load_taxonomy(path)")


def score_passage(text: str, heading_path: Sequence[str], taxonomy) -> dict[str, tuple[float, list[str]]]:
    """Every topic with any cue: topic id -> (score, evidence strings). For tuning/debugging."""
    return _score(text, heading_path, _as_taxonomy(taxonomy))[0]


def _score(text: str, heading_path: Sequence[str], tax: Taxonomy
           ) -> tuple[dict[str, tuple[float, list[str]]], set[str]]:
    """(score_passage's answer, ids of the topics one of whose anchors fired)."""
    anchored: set[str] = set()
    tokens = tokenize(text or "")
    if len(tokens) < tax.min_words:
        return {}, anchored
    if len(tokens) <= tax.lead_in_max_words and (text or "").rstrip().endswith(":"):
        return {}, anchored  # a lead-in ("We use information to:") introduces a list; the items say what
    text_hits = tax.text_index.scan(tokens, _veto_spans(tax.veto_index, tokens))
    head_hits: dict[int, tuple[float, str]] = {}
    hp = [h for h in (heading_path or ()) if h]
    for depth, heading in enumerate(reversed(hp)):
        factor = 1.0 if depth == 0 else tax.outer_heading_factor
        if factor <= 0:
            break
        for owner, cues in tax.heading_index.scan(tokenize(heading)).items():
            w = max(v[0] for v in cues.values()) * factor
            if owner not in head_hits or head_hits[owner][0] < w:
                head_hits[owner] = (w, heading)
    out: dict[str, tuple[float, list[str]]] = {}
    for n, t in enumerate(tax.tagger_topics):
        th = text_hits.get(n)
        hh = head_hits.get(n)
        if not th and not hh:
            continue
        score = 0.0
        ev: list[str] = []
        if th:
            # overlapping matches of one topic count once, at the highest weight
            # ("you may choose" and "may choose" are one piece of evidence)
            taken: list[tuple[int, int]] = []
            kept = []
            for phrase, (w, surface, a, b) in sorted(th.items(), key=lambda kv: (-kv[1][0], kv[1][2] - kv[1][3], kv[1][2])):
                if any(a < tb and ta < b for ta, tb in taken):
                    continue
                taken.append((a, b))
                kept.append((a, surface, w))
            for _, surface, w in sorted(kept):
                score += w
                if surface not in ev:
                    ev.append(surface)
            if t.anchors and not t.anchors.isdisjoint(th):
                anchored.add(t.id)
        text_score = score
        if hh:
            score += hh[0]
            heading = " ".join(hh[1].split())
            if len(heading) > 80:
                heading = heading[:77] + "..."
            ev.append(f"heading '{heading}'")
        if t.requires_text and text_score <= 0:
            score = min(score, t.threshold - 1e-9)
        out[t.id] = (score, ev)
    return out, anchored


def tag_passage(text: str, heading_path: Sequence[str], taxonomy) -> tuple[TopicAssignment, ...]:
    """Topics of one passage with the cues that fired, in taxonomy order.

    Memoised per taxonomy: successive versions of a policy share most of their passages."""
    tax = _as_taxonomy(taxonomy)
    key = (text, tuple(heading_path))
    tagged = tax.tagged.get(key)
    if tagged is None:
        tagged = _tag(text, heading_path, tax)
        if len(tax.tagged) >= _PASSAGE_MEMO_MAX:  # bounded: start over rather than grow
            tax.tagged.clear()
        tax.tagged[key] = tagged
    return tagged


def _tag(text: str, heading_path: Sequence[str], tax: Taxonomy) -> tuple[TopicAssignment, ...]:
    scores, anchored = _score(text, heading_path, tax)
    by_id = tax.by_id
    passed = {tid: s for tid, s in scores.items() if s[0] >= by_id[tid].threshold}
    if len(passed) > 1:
        best = max(s[0] for s in passed.values())
        default_cut = tax.relative_cutoff
        kept = {}
        for tid, s in passed.items():
            cut = by_id[tid].relative_cutoff
            if cut is None:
                cut = default_cut
            if tid in anchored:  # a clause that settles the topic: only anchor_cutoff applies
                cut = min(cut, tax.anchor_cutoff)
            if s[0] >= best * cut:
                kept[tid] = s
        passed = kept
    for winner, loser in tax.suppress:
        if winner in passed and loser in passed and passed[winner][0] >= passed[loser][0]:
            del passed[loser]
    return tuple(TopicAssignment(topic=t.id, cues=tuple(passed[t.id][1]))
                 for t in tax.tagger_topics if t.id in passed)


def tag_passages(passages: Iterable[Passage], taxonomy) -> list[Passage]:
    """Passages with ``topics`` filled in (new objects; inputs are unchanged)."""
    tax = _as_taxonomy(taxonomy)
    return [dataclasses.replace(p, topics=tag_passage(p.text, p.heading_path, tax)) for p in passages]


def categories_of(assignments: Iterable[TopicAssignment], taxonomy) -> list[str]:
    """OPP-115 categories of the assigned topics, in canonical order; ['Other'] if none."""
    tax = _as_taxonomy(taxonomy)
    cats = {tax.category_of(a.topic) for a in assignments}
    if not cats:
        return [FALLBACK_CATEGORY]
    return [c for c in CATEGORIES if c in cats]


# --------------------------------------------------------------------------- JSONL interface

def _heading_path_of(row: dict) -> tuple[str, ...]:
    h = row.get("heading", row.get("heading_path"))
    if h is None:
        return ()
    if isinstance(h, str):
        return (h,) if h.strip() else ()
    if isinstance(h, (list, tuple)):
        return tuple(str(x) for x in h if x is not None and str(x).strip())
    return (str(h),)


def tag_jsonl(infile, outfile, taxonomy) -> int:
    """Tag JSONL rows {"id", "text", "heading"?}; write {"id", "topics", "categories", "evidence"}.

    ``infile``/``outfile`` are text streams or paths. Blank lines are skipped; a line that is
    not a JSON object raises ValueError naming the line. Returns the number of rows written.
    """
    tax = _as_taxonomy(taxonomy)
    close_in = close_out = False
    if isinstance(infile, (str, Path)):
        infile, close_in = open(infile, encoding="utf-8"), True
    if isinstance(outfile, (str, Path)):
        outfile, close_out = open(outfile, "w", encoding="utf-8"), True
    n = 0
    try:
        for lineno, line in enumerate(infile, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"line {lineno}: not JSON: {e.msg}") from None
            if not isinstance(row, dict):
                raise ValueError(f"line {lineno}: expected a JSON object")
            text = row.get("text")
            text = "" if text is None else str(text)
            assigned = tag_passage(text, _heading_path_of(row), tax)
            out = {
                "id": row.get("id"),
                "topics": [a.topic for a in assigned],
                "categories": categories_of(assigned, tax),
                "evidence": {a.topic: list(a.cues) for a in assigned},
            }
            outfile.write(json.dumps(out, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if close_in:
            infile.close()
        if close_out:
            outfile.close()
    return n


def main_tag(input_path: str | None, output_path: str | None, taxonomy_path: Path) -> int:
    """``policykb tag``: JSONL from input_path (stdin if None/'-') to output_path (stdout)."""
    try:
        tax = load_taxonomy(taxonomy_path)
    except ConfigError as e:
        print(f"policykb tag: cannot load taxonomy {taxonomy_path}: {e}", file=sys.stderr)
        return 2
    try:
        if input_path in (None, "-"):
            infile = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8") \
                if hasattr(sys.stdin, "buffer") else sys.stdin
        else:
            infile = open(input_path, encoding="utf-8")
        try:
            if output_path in (None, "-"):
                tag_jsonl(infile, sys.stdout, tax)
                sys.stdout.flush()
            else:
                tmp = Path(str(output_path) + ".tmp")
                try:
                    with open(tmp, "w", encoding="utf-8") as fh:
                        tag_jsonl(infile, fh, tax)
                    tmp.replace(output_path)
                finally:
                    tmp.unlink(missing_ok=True)
        finally:
            if input_path not in (None, "-"):
                infile.close()
    except (OSError, ValueError, UnicodeDecodeError) as e:
        print(f"policykb tag: {e}", file=sys.stderr)
        return 1
    return 0
