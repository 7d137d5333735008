"""Readable word-level diffs between two versions of a policy.

Public surface:

- `plain_paragraphs(body)`: a Markdown body as display paragraphs (markup dropped, link
  text kept, targets dropped) -- the text the diff is computed on.
- `word_key(word)`: the comparison key of one display word (case, quotes, dashes,
  quote mojibake and Wayback prefixes ignored), so cosmetic differences align as "equal".
- `word_diff(old, new, context_words=30) -> DiffResult`
- `section_changes(old_sections, new_sections) -> SectionChanges`
- `render_diff_html(result) -> str`

Algorithm (linear in practice, even for 350 KB / 60k-word policies):

1. Both bodies become paragraphs; each paragraph gets a normalised key.
2. Common leading/trailing paragraphs are trimmed, the rest is aligned paragraph by
   paragraph with difflib's SequenceMatcher (autojunk off: paragraph keys are nearly
   unique, so junk heuristics would only hide real matches; a few thousand paragraphs
   align quickly).
3. Paragraphs only deleted in one place and only inserted in another with the same key
   are reported as *moved* (not counted as words added/removed).
4. Each remaining changed region is diffed word by word (paragraph breaks are tokens, so
   split and merged paragraphs diff well). Regions too big for a word-level
   SequenceMatcher (product of word counts above `_FLAT_LIMIT`) are first paired
   paragraph by paragraph by word-set similarity in a small look-ahead window, so a
   wholesale reword of a long policy stays near-linear; autojunk is only used as the
   last resort for one gigantic paragraph pair.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Sequence

__all__ = [
    "DiffOp",
    "DiffBlock",
    "DiffResult",
    "SectionChange",
    "SectionChanges",
    "markdown_paragraphs",
    "plain_paragraphs",
    "unify_punctuation",
    "LINK_RE",
    "AUTOLINK_RE",
    "WAYBACK_RE",
    "MOJIBAKE_RE",
    "unmojibake_one",
    "word_key",
    "words_of",
    "word_diff",
    "section_changes",
    "render_diff_html",
]

# --------------------------------------------------------------------------- text

_PUNCT_TABLE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u00ad": None,
        "\u2026": "...",
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)

# UTF-8 text decoded as Latin-1/cp1252 ("â€™", "â\x80\x99", "Ã©"): lead byte + 1-3 continuation chars
_CP1252_HIGH = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
MOJIBAKE_RE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_HIGH + "]{1,3}")


def unmojibake_one(match: re.Match[str]) -> str:
    s = match.group()
    raw = bytearray()
    for ch in s:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:
                raw.append(ord(ch))
            else:
                return s
    for end in range(len(raw), 1, -1):  # lead byte may have taken too many followers
        try:
            return raw[:end].decode("utf-8") + s[end:] if end < len(raw) else raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return s


_PUNCT_RE = re.compile("[" + re.escape("".join(chr(c) for c in _PUNCT_TABLE)) + "]")


def unify_punctuation(text: str) -> str:
    """Quotes -> ' and ", dashes -> -, ellipsis -> ..., zero-width/soft hyphen dropped.
    (A regex, not str.translate: much faster on 350 KB texts with few such characters.)"""
    return _PUNCT_RE.sub(lambda m: _PUNCT_TABLE[ord(m.group())] or "", text)


LINK_RE = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"  # [text] (one level of nested brackets)
    r"(?:\((?:[^()\s]|\([^()]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|\[[^\[\]]*\])"
)
AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>", re.I)
WAYBACK_RE = re.compile(
    r"(?:https?:)?(?://)?web\.archive\.org/web/\d{1,14}(?:[a-z]{2}_)?/", re.I
)
_EMPH_RE = re.compile(r"(?<![\\\w])[*_]+|(?<![\\])[*_]+(?!\w)")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_HEADING_CLOSE_RE = re.compile(r"(?<!\s)\s+#+\s*$")  # (?<!\s): linear on long blank runs
_SETEXT_OR_HR_RE = re.compile(r"^\s{0,3}(?:=+|-+|(?:[-*_]\s*){3,})\s*$")
_QUOTE_RE = re.compile(r"^\s*(?:>\s?)+")
_BULLET_RE = re.compile(r"^\s*[-+*](?:\s+|$)")
_TABLE_SEP_RE = re.compile(r"^\s*(?:\|\s*)?:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*(?:\|\s*)?$")  # no adjacent \s*
_REFDEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_DASHES_RE = re.compile(r"-{2,}")
_BLOCK_START_RE = re.compile(r"^\s*(?:[-+*]\s|\d{1,3}[.)]\s|#{1,6}\s|\||>)")


def _strip_inline(line: str) -> str:
    """Inline Markdown of one line -> display text (link text kept, targets dropped)."""
    line = LINK_RE.sub(lambda m: m.group(1), line)
    line = AUTOLINK_RE.sub(r"\1", line)
    line = _EMPH_RE.sub("", line)
    line = _ESCAPE_RE.sub(r"\1", line)
    return line.replace("|", " ")


def _strip_block(line: str) -> str | None:
    """Block markup of one line; None when the line is pure markup (rules, table rules)."""
    if _SETEXT_OR_HR_RE.match(line) or _TABLE_SEP_RE.match(line) or _REFDEF_RE.match(line):
        return None
    line = _QUOTE_RE.sub("", line)
    if _HEADING_RE.match(line):
        line = _HEADING_CLOSE_RE.sub("", _HEADING_RE.sub("", line))
    line = _BULLET_RE.sub("", line)
    return line


def markdown_paragraphs(body: str) -> list[str]:
    """Split a Markdown body into raw paragraphs (source Markdown, markup kept).

    Blank lines separate paragraphs; a line that starts a block of its own (list item,
    heading, table row, blockquote) also starts a new paragraph, so lists and tables diff
    item by item.
    """
    paras: list[str] = []
    cur: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            if cur:
                paras.append("\n".join(cur))
                cur = []
            continue
        if cur and (_BLOCK_START_RE.match(line) or _SETEXT_OR_HR_RE.match(line)):
            paras.append("\n".join(cur))
            cur = []
        cur.append(line)
    if cur:
        paras.append("\n".join(cur))
    return paras


def plain_paragraphs(body: str) -> list[str]:
    """Display text of each paragraph, whitespace collapsed; empty paragraphs dropped."""
    out: list[str] = []
    for para in markdown_paragraphs(body):
        lines = []
        for line in para.split("\n"):
            stripped = _strip_block(line)
            if stripped is not None:
                lines.append(_strip_inline(stripped))
        text = " ".join(" ".join(lines).split())
        if text:
            out.append(text)
    return out


def words_of(body: str) -> list[str]:
    """All display words of a body, in order (what `word_diff` ops reconstruct)."""
    return [w for p in plain_paragraphs(body) for w in p.split()]


@lru_cache(maxsize=1 << 17)  # a policy repeats its words: most keys are looked up, not computed
def word_key(word: str) -> str:
    """Comparison key of one display word: cosmetic variants share a key."""
    if MOJIBAKE_RE.search(word):
        word = MOJIBAKE_RE.sub(unmojibake_one, word)
    key = unicodedata.normalize("NFKC", word).translate(_PUNCT_TABLE)
    key = WAYBACK_RE.sub("", key)
    if "--" in key:
        key = _DASHES_RE.sub("-", key)
    return key.casefold()


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DiffOp:
    """One run of words. `old` words come from the old text, `new` from the new one.

    equal: same words up to cosmetic variants (`old` and `new` hold each side's spelling);
    insert: only `new`; delete: only `old`; replace: both.
    """

    tag: str
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffBlock:
    """One displayed paragraph.

    tag: "equal" (unchanged paragraph), "insert" (paragraph added), "delete" (paragraph
    removed), "replace" (paragraph changed). `moved` marks an added/removed paragraph
    whose identical text appears elsewhere in the other version.
    """

    tag: str
    ops: tuple[DiffOp, ...]
    moved: bool = False


@dataclass(frozen=True)
class DiffResult:
    blocks: tuple[DiffBlock, ...]
    words_added: int
    words_removed: int
    paragraphs_added: int
    paragraphs_removed: int
    paragraphs_changed: int
    paragraphs_moved: int
    context_words: int = 30

    @property
    def ops(self) -> list[DiffOp]:
        return [op for block in self.blocks for op in block.ops]

    @property
    def changed(self) -> bool:
        return any(block.tag != "equal" for block in self.blocks)

    def old_words(self) -> list[str]:
        return [w for op in self.ops if op.tag != "insert" for w in op.old]

    def new_words(self) -> list[str]:
        return [w for op in self.ops if op.tag != "delete" for w in op.new]


# --------------------------------------------------------------------------- diff

_FLAT_LIMIT = 4_000_000  # max (old words x new words) for one word-level SequenceMatcher
_PAIR_WINDOW = 8
_PAIR_MIN_SIMILARITY = 0.3
_BREAK = "\x00\u00b6"  # paragraph-break token: never a word key


@dataclass
class _Para:
    words: list[str]
    keys: list[str]
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = " ".join(self.keys)


@lru_cache(maxsize=4)  # consecutive versions are diffed in turn: each body is the new, then the old one
def _paras(body: str) -> tuple[_Para, ...]:
    return tuple(_Para(words, [word_key(w) for w in words]) for words in (text.split() for text in plain_paragraphs(body)))


def word_count(body: str) -> int:
    """len(words_of(body)), sharing the work with the next word_diff of the same body."""
    return sum(len(p.words) for p in _paras(body))


def _merge_ops(ops: Iterable[DiffOp]) -> list[DiffOp]:
    merged: list[DiffOp] = []
    for op in ops:
        if not op.old and not op.new:
            continue
        if merged and merged[-1].tag == op.tag:
            last = merged.pop()
            op = DiffOp(op.tag, last.old + op.old, last.new + op.new)
        merged.append(op)
    return merged


def _block(ops: list[DiffOp], moved: bool = False) -> DiffBlock:
    ops = _merge_ops(ops)
    tags = {op.tag for op in ops}
    if tags <= {"equal"}:
        tag = "equal"
    elif tags == {"insert"}:
        tag = "insert"
    elif tags == {"delete"}:
        tag = "delete"
    else:
        tag = "replace"
    return DiffBlock(tag, tuple(ops), moved)


def _flat_diff(old: Sequence[_Para], new: Sequence[_Para], autojunk: bool = False) -> list[DiffBlock]:
    """Word-level diff of a region; paragraph breaks are tokens so blocks can be rebuilt."""
    if not old:
        return [_block([DiffOp("insert", (), tuple(p.words))]) for p in new]
    if not new:
        return [_block([DiffOp("delete", tuple(p.words), ())]) for p in old]

    def flatten(paras: Sequence[_Para]) -> tuple[list[str], list[str]]:
        words: list[str] = []
        keys: list[str] = []
        for i, p in enumerate(paras):
            if i:
                words.append(_BREAK)
                keys.append(_BREAK)
            words.extend(p.words)
            keys.extend(p.keys)
        return words, keys

    aw, ak = flatten(old)
    bw, bk = flatten(new)
    matcher = SequenceMatcher(None, ak, bk, autojunk=autojunk)
    blocks: list[DiffBlock] = []
    current: list[DiffOp] = []

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(_block(current))
        current = []

    for tag, i1, i2, j1, j2 in _cleanup(matcher.get_opcodes(), ak):
        if tag == "equal":
            # split at break tokens (which are equal on both sides here)
            start_a, start_b = i1, j1
            for off in range(i2 - i1):
                if ak[i1 + off] == _BREAK:
                    current.append(DiffOp("equal", tuple(aw[start_a : i1 + off]), tuple(bw[start_b : j1 + off])))
                    close()
                    start_a, start_b = i1 + off + 1, j1 + off + 1
            current.append(DiffOp("equal", tuple(aw[start_a:i2]), tuple(bw[start_b:j2])))
            continue
        # changed run: a break inside either side closes the displayed paragraph there.
        old_parts = _split_at_breaks(aw[i1:i2])
        new_parts = _split_at_breaks(bw[j1:j2])
        n = max(len(old_parts), len(new_parts))
        for k in range(n):
            o = tuple(old_parts[k]) if k < len(old_parts) else ()
            w = tuple(new_parts[k]) if k < len(new_parts) else ()
            if k:
                close()
            if o and w:
                current.append(DiffOp("replace", o, w))
            elif o:
                current.append(DiffOp("delete", o, ()))
            elif w:
                current.append(DiffOp("insert", (), w))
    close()
    return blocks


def _cleanup(opcodes: list[tuple[str, int, int, int, int]], ak: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Semantic cleanup (as in diff-match-patch): a short equal run between two changes that
    are each at least as long is folded into one replace, so rewrites read as
    "old sentence -> new sentence" rather than confetti around shared words like "the".
    Runs containing a paragraph break are kept (they carry the paragraph structure)."""
    ops = [list(op) for op in opcodes]
    changed = True
    while changed:
        changed = False
        out: list[list] = []
        k = 0
        while k < len(ops):
            op = ops[k]
            if (
                op[0] == "equal"
                and out
                and out[-1][0] != "equal"
                and k + 1 < len(ops)
                and ops[k + 1][0] != "equal"
            ):
                prev, nxt = out[-1], ops[k + 1]
                length = op[2] - op[1]
                if (
                    length <= max(prev[2] - prev[1], prev[4] - prev[3])
                    and length <= max(nxt[2] - nxt[1], nxt[4] - nxt[3])
                    and _BREAK not in ak[op[1] : op[2]]
                ):
                    out[-1] = ["replace", prev[1], nxt[2], prev[3], nxt[4]]
                    k += 2
                    changed = True
                    continue
            if out and op[0] != "equal" and out[-1][0] != "equal":
                prev = out[-1]
                out[-1] = ["replace", prev[1], op[2], prev[3], op[4]]
            else:
                out.append(op)
            k += 1
        ops = out
    return [tuple(op) for op in ops]  # type: ignore[misc]


def _split_at_breaks(words: Sequence[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for w in words:
        if w == _BREAK:
            parts.append([])
        else:
            parts[-1].append(w)
    return parts


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _paired_diff(old: Sequence[_Para], new: Sequence[_Para]) -> list[DiffBlock]:
    """Big region: pair paragraphs by word-set similarity, then diff each small segment."""
    oset = [frozenset(p.keys) for p in old]
    nset = [frozenset(p.keys) for p in new]
    segments: list[tuple[Sequence[_Para], Sequence[_Para]]] = []
    pending_old: list[_Para] = []
    pending_new: list[_Para] = []

    def flush() -> None:
        if pending_old or pending_new:
            segments.append((list(pending_old), list(pending_new)))
            pending_old.clear()
            pending_new.clear()

    i = j = 0
    while i < len(old) and j < len(new):
        best = None
        for d in range(0, 2 * _PAIR_WINDOW + 1):  # search by increasing di + dj
            for di in range(0, d + 1):
                dj = d - di
                if i + di < len(old) and j + dj < len(new) and di <= _PAIR_WINDOW and dj <= _PAIR_WINDOW:
                    if _similarity(oset[i + di], nset[j + dj]) >= _PAIR_MIN_SIMILARITY:
                        best = (di, dj)
                        break
            if best:
                break
        if best is None:  # unrelated paragraphs: collect, show removed ones before added ones
            pending_old.append(old[i])
            pending_new.append(new[j])
            i += 1
            j += 1
            continue
        di, dj = best
        pending_old.extend(old[i : i + di])
        pending_new.extend(new[j : j + dj])
        flush()
        segments.append((old[i + di : i + di + 1], new[j + dj : j + dj + 1]))
        i += di + 1
        j += dj + 1
    pending_old.extend(old[i:])
    pending_new.extend(new[j:])
    flush()
    blocks: list[DiffBlock] = []
    for o, n in segments:
        if not o and not n:
            continue
        na = sum(len(p.words) for p in o)
        nb = sum(len(p.words) for p in n)
        if na * nb > _FLAT_LIMIT and (len(o) > 1 or len(n) > 1):
            # unmatched spans: report as removed then added, paragraph by paragraph
            blocks.extend(_flat_diff(o, ()))
            blocks.extend(_flat_diff((), n))
        else:
            blocks.extend(_flat_diff(o, n, autojunk=na * nb > _FLAT_LIMIT))
    return blocks


def _diff_region(old: Sequence[_Para], new: Sequence[_Para]) -> list[DiffBlock]:
    na = sum(len(p.words) for p in old)
    nb = sum(len(p.words) for p in new)
    if na * nb <= _FLAT_LIMIT:
        return _flat_diff(old, new)
    return _paired_diff(old, new)


def word_diff(old: str | None, new: str, context_words: int = 30) -> DiffResult:
    """Word-level diff of two Markdown bodies, aligned paragraph-first.

    `old` may be None or "" (first version: everything is inserted). Words are the display
    words of `plain_paragraphs`; words equal up to case/quotes/dashes/Wayback prefixes are
    "equal". Concatenating `op.new` over equal/insert/replace ops gives the new text's
    words; `op.old` over equal/delete/replace gives the old text's.
    """
    a = _paras(old or "")
    b = _paras(new or "")
    # trim common head and tail cheaply
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo].key == b[lo].key:
        lo += 1
    hi_a, hi_b = len(a), len(b)
    while hi_a > lo and hi_b > lo and a[hi_a - 1].key == b[hi_b - 1].key:
        hi_a -= 1
        hi_b -= 1
    mid_a, mid_b = a[lo:hi_a], b[lo:hi_b]
    matcher = SequenceMatcher(None, [p.key for p in mid_a], [p.key for p in mid_b], autojunk=False)
    opcodes = matcher.get_opcodes() if (mid_a or mid_b) else []

    # moved paragraphs: whole paragraphs deleted in one place and inserted in another
    deleted = Counter(p.key for t, i1, i2, _, _ in opcodes if t == "delete" for p in mid_a[i1:i2])
    inserted = Counter(p.key for t, _, _, j1, j2 in opcodes if t == "insert" for p in mid_b[j1:j2])
    movable = Counter({k: min(deleted[k], inserted[k]) for k in deleted if k in inserted and len(k.split()) >= 3})
    move_out, move_in = Counter(movable), Counter(movable)

    def equal_block(pa: _Para, pb: _Para) -> DiffBlock:
        return DiffBlock("equal", (DiffOp("equal", tuple(pa.words), tuple(pb.words)),))

    blocks: list[DiffBlock] = [equal_block(pa, pb) for pa, pb in zip(a[:lo], b[:lo])]
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            blocks.extend(equal_block(pa, pb) for pa, pb in zip(mid_a[i1:i2], mid_b[j1:j2]))
        elif tag == "delete":
            for p in mid_a[i1:i2]:
                moved = move_out[p.key] > 0
                if moved:
                    move_out[p.key] -= 1
                blocks.append(DiffBlock("delete", (DiffOp("delete", tuple(p.words), ()),), moved))
        elif tag == "insert":
            for p in mid_b[j1:j2]:
                moved = move_in[p.key] > 0
                if moved:
                    move_in[p.key] -= 1
                blocks.append(DiffBlock("insert", (DiffOp("insert", (), tuple(p.words)),), moved))
        else:
            blocks.extend(_diff_region(mid_a[i1:i2], mid_b[j1:j2]))
    blocks.extend(equal_block(pa, pb) for pa, pb in zip(a[hi_a:], b[hi_b:]))
    blocks = [blk for blk in blocks if blk.ops]

    added = removed = p_add = p_del = p_chg = p_mov = 0
    for blk in blocks:
        if blk.moved:
            p_mov += blk.tag == "insert"
            continue
        if blk.tag == "insert":
            p_add += 1
        elif blk.tag == "delete":
            p_del += 1
        elif blk.tag == "replace":
            p_chg += 1
        for op in blk.ops:
            if op.tag in ("insert", "replace"):
                added += len(op.new)
            if op.tag in ("delete", "replace"):
                removed += len(op.old)
    return DiffResult(tuple(blocks), added, removed, p_add, p_del, p_chg, p_mov, context_words)


# --------------------------------------------------------------------------- sections

_ENUM_RE = re.compile(r"^\s*(?:\(?\d+(?:\.\d+)*[.)]?|\(?[a-z][.)]|\(?[ivxlc]+[.)])\s+", re.I)


def _text_key(text: str) -> str:
    return " ".join(word_key(w) for w in text.split())


def _heading_key(path: Sequence[str]) -> tuple[str, ...]:
    return tuple(_ENUM_RE.sub("", _text_key(h)).strip(" :.") for h in path)


@dataclass(frozen=True)
class SectionChange:
    heading_path: tuple[str, ...]  # as in the new version (old version for removed ones)
    kind: str  # "added" | "removed" | "changed" | "renamed"
    words_added: int = 0
    words_removed: int = 0
    old_heading_path: tuple[str, ...] | None = None  # for "renamed"


@dataclass(frozen=True)
class SectionChanges:
    added: tuple[SectionChange, ...]
    removed: tuple[SectionChange, ...]
    changed: tuple[SectionChange, ...]
    renamed: tuple[SectionChange, ...]  # same text under a different heading
    unchanged: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.renamed)


def section_changes(
    old_sections: Sequence[tuple[tuple[str, ...], str]],
    new_sections: Sequence[tuple[tuple[str, ...], str]],
) -> SectionChanges:
    """Sections added / removed / changed between two versions, matched by heading.

    Headings match ignoring case, quotes, whitespace and leading enumerators ("3.", "(b)"),
    so renumbering is not a change. Sections whose text is unchanged but whose heading is
    new are reported as renamed. A heading that occurs several times in one version is
    treated as one section (its texts joined in order).
    """

    def group(sections: Sequence[tuple[tuple[str, ...], str]]) -> dict[tuple[str, ...], tuple[tuple[str, ...], str]]:
        out: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        for path, text in sections:
            key = _heading_key(path)
            if key in out:
                out[key] = (out[key][0], out[key][1] + "\n\n" + text)
            else:
                out[key] = (tuple(path), text)
        return out

    old_g, new_g = group(old_sections), group(new_sections)
    added: list[SectionChange] = []
    removed: list[SectionChange] = []
    changed: list[SectionChange] = []
    renamed: list[SectionChange] = []
    unchanged = 0
    for key, (path, text) in new_g.items():
        if key in old_g:
            old_text = old_g[key][1]
            if _text_key(old_text) == _text_key(text):
                unchanged += 1
            else:
                d = word_diff(old_text, text)
                changed.append(SectionChange(path, "changed", d.words_added, d.words_removed))
    old_only = {k: v for k, v in old_g.items() if k not in new_g}
    by_text = {}
    for key, (path, text) in old_only.items():
        tk = _text_key(text)
        if tk:
            by_text.setdefault(tk, []).append(key)
    for key, (path, text) in new_g.items():
        if key in old_g:
            continue
        tk = _text_key(text)
        if tk and by_text.get(tk):
            old_key = by_text[tk].pop(0)
            renamed.append(SectionChange(path, "renamed", old_heading_path=old_g[old_key][0]))
            del old_only[old_key]
        else:
            added.append(SectionChange(path, "added", words_added=len(text.split())))
    for key, (path, text) in old_only.items():
        removed.append(SectionChange(path, "removed", words_removed=len(text.split())))
    return SectionChanges(tuple(added), tuple(removed), tuple(changed), tuple(renamed), unchanged)


# --------------------------------------------------------------------------- HTML
#
# CSS the page needs (e.g. in docs/stylesheets/extra.css; marks stay readable without it
# because <ins>/<del> carry meaning and each run starts with a visible "+"/"−" sign):
#
#   .diff-ins { background: #dafbe1; text-decoration: underline; }
#   .diff-del { background: #ffebe9; text-decoration: line-through; }
#   .diff-sign { font-weight: bold; padding-right: .15em; text-decoration: none; }
#   .diff-para { margin: 0 0 .8em; }
#   .diff-para-insert { border-left: 3px solid #1a7f37; padding-left: .5em; }
#   .diff-para-delete { border-left: 3px dashed #cf222e; padding-left: .5em; }
#   .diff-moved::before { content: "moved "; font-style: italic; }  (text label is also in markup)
#   .diff-skip > summary { cursor: pointer; color: var(--md-default-fg-color--light); }
#   [data-md-color-scheme="slate"] .diff-ins { background: #033a16; }  (dark theme)
#   [data-md-color-scheme="slate"] .diff-del { background: #67060c; }


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class _Piece:
    """Words of one kind ("eq", "del", "ins") in one paragraph of a diff, or a paragraph break ("br")."""

    kind: str
    words: Sequence[str]
    block: int
    hidden: bool = False  # an unchanged stretch folded away


_FAR = 1 << 30  # no change on that side


def _hide_context(result: DiffResult, context: int) -> list[_Piece]:
    """The diff as pieces, unchanged words farther than `context` words from any change hidden.

    A break between two hidden words is hidden too; a hidden stretch of fewer than 8 words is
    not worth its marker and is shown. Works on runs of words, not word by word.
    """
    pieces: list[_Piece] = []
    for bi, blk in enumerate(result.blocks):
        if bi:
            pieces.append(_Piece("br", (), bi))
        for op in blk.ops:
            if op.tag == "equal":
                if op.new:
                    pieces.append(_Piece("eq", op.new, bi))
            else:
                if op.old:
                    pieces.append(_Piece("del", op.old, bi))
                if op.new:
                    pieces.append(_Piece("ins", op.new, bi))
    # distance (in words) from each unchanged run to the nearest change before and after it
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    for order, distance in ((range(len(pieces)), before), (range(len(pieces) - 1, -1, -1), after)):
        last = _FAR
        for index in order:
            piece = pieces[index]
            if piece.kind == "eq":
                distance[index] = last
                if last < _FAR:
                    last += len(piece.words)
            elif piece.kind != "br":
                last = 0
    split: list[_Piece] = []
    for index, piece in enumerate(pieces):
        if piece.kind != "eq":
            split.append(piece)
            continue
        size = len(piece.words)
        # word j is hidden when before + j + 1 > context and after + size - j > context
        start = 0 if before[index] >= _FAR else max(0, context - before[index])
        end = size if after[index] >= _FAR else min(size, size - context + after[index])
        if start >= end:
            split.append(piece)
            continue
        for lo, hi, hidden in ((0, start, False), (start, end, True), (end, size, False)):
            if lo < hi:
                split.append(_Piece("eq", piece.words[lo:hi], piece.block, hidden))
    nearest = True  # is the nearest word before (then after) a break hidden? none counts as hidden
    for piece in split:
        if piece.kind == "br":
            piece.hidden = nearest
        else:
            nearest = piece.hidden
    nearest = True
    for piece in reversed(split):
        if piece.kind == "br":
            piece.hidden = piece.hidden and nearest
        else:
            nearest = piece.hidden
    index = 0
    while index < len(split):
        if not split[index].hidden:
            index += 1
            continue
        end = index
        while end < len(split) and split[end].hidden:
            end += 1
        if sum(len(p.words) for p in split[index:end]) < 8:
            for p in split[index:end]:
                p.hidden = False
        index = end
    return split


def render_diff_html(result: DiffResult, expandable: bool = True) -> str:
    """Safe HTML for a diff: every word html-escaped, <ins>/<del> marks with visible signs,
    unchanged stretches longer than the context collapsed into <details class="diff-skip">
    (the hidden paragraphs are inside, so readers can expand them). Paragraph structure is
    kept as <div class="diff-para ..."> elements.

    expandable=False writes only the "… N unchanged words …" marker (a <p class="diff-skip">)
    without the hidden text -- for summaries of very long policies, where the full text is
    one link away on the snapshot page.
    """
    stream = _hide_context(result, max(0, result.context_words))
    n = len(stream)
    block_cls = {}
    for bi, blk in enumerate(result.blocks):
        cls = "diff-para"
        if blk.tag != "equal":
            cls += f" diff-para-{blk.tag}"
        if blk.moved:
            cls += " diff-moved"
        block_cls[bi] = cls

    out: list[str] = ['<div class="diff">']
    if not result.changed:
        out.append('<p class="diff-none">No changes in the wording.</p>')
    para_open = False
    run_kind: str | None = None
    run_words: list[str] = []

    def flush_run() -> None:
        nonlocal run_kind, run_words
        if run_kind and run_words:
            text = _esc(" ".join(run_words))
            if run_kind == "ins":
                out.append(f'<ins class="diff-ins"><span class="diff-sign">+</span>{text}</ins> ')
            elif run_kind == "del":
                out.append(f'<del class="diff-del"><span class="diff-sign">\u2212</span>{text}</del> ')
            else:
                out.append(text + " ")
        run_kind, run_words = None, []

    def open_para(bi: int) -> None:
        nonlocal para_open
        if not para_open:
            blk = result.blocks[bi]
            out.append(f'<div class="{block_cls[bi]}">')
            if blk.moved:
                label = "moved here" if blk.tag == "insert" else "moved away"
                out.append(f'<span class="diff-label">({label})</span> ')
            para_open = True

    def close_para() -> None:
        nonlocal para_open
        flush_run()
        if para_open:
            out.append("</div>")
            para_open = False

    i = 0
    while i < n:
        piece = stream[i]
        if piece.hidden:
            close_para()
            j = i
            paras: list[list[str]] = [[]]
            while j < n and stream[j].hidden:
                if stream[j].kind == "br":
                    paras.append([])
                else:
                    paras[-1].extend(stream[j].words)
                j += 1
            count = sum(len(p) for p in paras)
            if not expandable:
                out.append(f'<p class="diff-skip">\u2026 {count:,} unchanged words \u2026</p>')
                i = j
                continue
            inner = "".join(f"<p>{_esc(' '.join(p))}</p>" for p in paras if p)
            out.append(
                f'<details class="diff-skip"><summary>\u2026 {count:,} unchanged words \u2026</summary>'
                f'<div class="diff-skip-text">{inner}</div></details>'
            )
            i = j
            continue
        if piece.kind == "br":
            close_para()
            i += 1
            continue
        open_para(piece.block)
        if piece.kind != run_kind:
            flush_run()
            run_kind = piece.kind
        run_words.extend(piece.words)
        i += 1
    close_para()
    out.append("</div>")
    return "".join(out)
