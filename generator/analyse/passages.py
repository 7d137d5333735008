"""Split a snapshot's Markdown body into passages: a heading and the text under it.

Real policies mark headings in many ways, so besides Markdown headings (ATX ``##`` and
setext ``===``/``---``) this module recognises the "pseudo headings" that converted HTML
leaves behind:

* a bold-only line (``**Security**``), including a bold question (``**Do we share ...?**``);
* a bold lead-in at the start of a paragraph (``**Children.** We do not ...``);
* a short ALL-CAPS line (``PERSONAL INFORMATION``);
* a short numbered or lettered title line (``1. Information we collect``, ``1\\. ...``, ``B) Cookies``);
* a short plain title line standing alone before a paragraph (``Use of Cookies``).

A run of short list items / links at the top of a section (a table of contents) never
becomes headings: it stays one passage.

Sections longer than ``MAX_WORDS`` are split at paragraph boundaries into several passages
that keep the same heading path. Passages cover every non-blank line of the body, in order,
without overlap; ``markdown`` is the exact source lines (blank lines inside included).

Everything here is line based and linear in the input size: regular expressions are
anchored per line and bounded, so hostile input (a 5 MB line, 10,000 nested ``>``) is fine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from generator.model import Passage

MAX_WORDS = 250  # a section longer than this is split into paragraph-sized passages
ID_MAX = 60  # longest anchor id (before an ordinal suffix)
HEADING_MAX_CHARS = 160  # pseudo headings longer than this are just text

__all__ = ["split_passages", "plain_text", "slugify", "MAX_WORDS"]

# --------------------------------------------------------------------------- regexes
# All anchored at the start of one line, with bounded or non-overlapping repetition.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^[ \t]{0,12}(?:[-*+•·]|\d{1,9}\\?[.)]|[A-Za-z]\\?[.)])[ \t]+")
_NUMBERED = re.compile(r"^ {0,3}(?:(?:\d{1,2}(?:\\?\.\d{1,2}){0,3})\\?[.)]?|[A-Z]\\?[.)]|[IVX]{1,5}\\?[.)])[ \t]+(\S.*)$")
_BOLD_LINE = re.compile(r"^ {0,3}(\*\*|__)(.+)\1[ \t]*:?$")
_BOLD_LEAD = re.compile(r"^[ \t]{0,12}(?:(?:[-*+•]|\d{1,9}\\?[.)]|[A-Za-z]\\?[.)])[ \t]+)?(\*\*|__)([^*_\n]{1,150}?)\1[ \t]*(\S)")
_LINKISH = re.compile(r"^[ \t]{0,12}(?:[-*+•]|\d{1,9}\\?[.)])?[ \t]*\[[^\]\n]{0,200}\]\([^()\n]{0,2000}\)[\s\u200b]*$")
_MD_LIST_ITEM = re.compile(r"^[ \t]{0,12}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_WORD = re.compile(r"\w+")
_DANGLING = frozenset("a an the and or of to in on at by for with from is are was be our your their "
                      "its this that which who as such including".split())
_DATEISH = re.compile(r"\d{4}|\d{1,2}/\d{1,2}/\d{2}")  # dates, zip codes: not plain titles

# plain-text conversion
_LINK_TAIL = re.compile(r"\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\)")
_TAG = re.compile(r"<[^<>\n]{0,500}>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}[ \t]+|(?:[-*+•]|\d{1,9}\\?[.)])[ \t]+)?")
_SETEXT_LINE = re.compile(r"^[ \t]*(?:=+|-+)[ \t]*$")
_UNDERSCORES = re.compile(r"_+")


def _strip_closing_hashes(line: str) -> str:
    """Drop an ATX closing sequence (``## Title ##`` -> ``## Title``) without a regex search."""
    body = line.rstrip(" \t")
    if not body.endswith("#"):
        return line
    core = body.rstrip("#")
    if core == "" or core[-1] in " \t":
        return core.rstrip(" \t")
    return line


def _underscore_run(m: re.Match, text: str) -> str:
    """Emphasis underscores sit at a word edge; snake_case underscores stay (linear: no lookaround)."""
    a, b = m.start(), m.end()
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    if before.isalnum() and after.isalnum():
        return m.group(0)
    return ""


@lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """Markdown to plain text: syntax removed, whitespace collapsed (linear time).

    Memoised: successive versions of a policy share most of their passages and headings."""
    out = []
    for line in markdown.split("\n"):
        if _SETEXT_LINE.match(line):
            continue
        line = _LINE_PREFIX.sub("", line, count=1)
        line = _strip_closing_hashes(line)
        line = line.replace("|", " ")
        out.append(line)
    text = " ".join(out)
    text = _LINK_TAIL.sub("]", text)
    text = text.replace("![", "[")
    text = text.replace("[", "").replace("]", "")
    text = _TAG.sub(" ", text)
    # emphasis and code marks go; plain str.replace is several times faster than a pattern
    text = text.replace("~~", "").replace("*", "").replace("`", "")
    if "_" in text:
        text = _UNDERSCORES.sub(lambda m: _underscore_run(m, text), text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def slugify(text: str, max_len: int = ID_MAX) -> str:
    """ASCII slug of ``text``: [a-z0-9-], no leading/trailing/double hyphens, bounded."""
    text = unicodedata.normalize("NFKD", text[: max_len * 4])
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2:] else cut
        slug = slug.strip("-")
    return slug


# --------------------------------------------------------------------------- blocks

@dataclass
class _Block:
    start: int  # index into lines (0-based)
    end: int  # inclusive
    kind: str  # "text", "heading"
    level: int = 0  # heading level; pseudo headings get a relative level, see below
    title: str = ""
    style: str = ""  # atx, setext, bold, caps, numbered, plain, lead, list, toc
    words: int = 0


def _words(s: str) -> int:
    return len(s.split())


def _clean_title(s: str) -> str:
    t = plain_text(s).strip()
    return t.rstrip(":").strip()


def _caps_heading(s: str) -> bool:
    t = s.strip()
    if not t or len(t) > 100 or _words(t) > 12:
        return False
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 3:
        return False
    if any(c.islower() for c in letters):
        return False
    if t.endswith((".", ",", ";")) and _words(t) > 4:
        return False
    return any(c.isupper() for c in letters)


def _title_like(t: str, max_words: int) -> bool:
    """Short, starts with a capital/digit, no sentence punctuation at the end."""
    if not t or len(t) > HEADING_MAX_CHARS:
        return False
    n = _words(t)
    if n == 0 or n > max_words:
        return False
    if t[-1] in ".,;!" or t.endswith(("…", ":")):
        return False
    first = t[0]
    return first.isupper() or first.isdigit() or first in "¿\"'“"


def _classify_single(line: str) -> tuple[str, str] | None:
    """Pseudo heading style and title for a block of one line, or None."""
    s = line.rstrip()
    if len(s) > HEADING_MAX_CHARS + 20:
        return None
    m = _BOLD_LINE.match(s)
    if m and "**" not in m.group(2).strip("*") and "__" not in m.group(2):
        title = _clean_title(s)
        n = _words(title)
        if title and (n <= 12 or (title.endswith("?") and n <= 25)):
            if not title.endswith(".") or n <= 6:
                return "bold", title.rstrip(".")
        return None
    if _LINKISH.match(s):
        return None
    m = _NUMBERED.match(s)
    if m:
        title = _clean_title(m.group(1))
        if _title_like(title, 12) or (title.endswith("?") and _words(title) <= 20):
            return "numbered", title
        if _caps_heading(title):
            return "numbered", title
        return None
    if _LIST_ITEM.match(s):
        return None
    stripped = s.strip()
    if stripped.endswith((":", ";", ",")):
        return None
    if stripped.startswith((">", "|", "[", "!", "<", "`", "    ")) or s.startswith("    "):
        return None
    if _caps_heading(stripped):
        return "caps", _clean_title(stripped).rstrip(".")
    title = _clean_title(stripped)
    words = title.split()
    if len(words) >= 6 and not title.endswith("?"):
        caps = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
        if caps * 2 < len(words):
            return None
    if _DATEISH.search(title):
        return None
    if words and words[-1].lower() in _DANGLING:  # "Our postal address is", "... in order to"
        return None
    if _title_like(title, 10) or (title.endswith("?") and 2 <= _words(title) <= 16 and title[0].isupper()):
        return "plain", title
    return None


def _scan_blocks(lines: list[str]) -> list[_Block]:
    """Group lines into blocks (runs of non-blank lines); ATX/setext headings are blocks."""
    blocks: list[_Block] = []
    i, n = 0, len(lines)
    in_fence: str | None = None
    cur_start = -1

    def flush(end: int) -> None:
        nonlocal cur_start
        if cur_start >= 0:
            blocks.append(_Block(cur_start, end, "text"))
        cur_start = -1

    while i < n:
        line = lines[i]
        if in_fence is not None:
            m = _FENCE.match(line)
            if m and m.group(1)[0] == in_fence[0] and len(m.group(1)) >= len(in_fence):
                in_fence = None
            i += 1
            continue
        if not line.strip():
            flush(i - 1)
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            if cur_start < 0:
                cur_start = i
            in_fence = m.group(1)
            i += 1
            continue
        m = _ATX.match(line)
        if m:
            flush(i - 1)
            title = _clean_title(line)
            blocks.append(_Block(i, i, "heading", len(m.group(1)), title, "atx"))
            i += 1
            continue
        m = _SETEXT.match(line)
        if m and cur_start >= 0 and not (m.group(1).startswith("-") and len(m.group(1)) < 2):
            first = lines[cur_start]
            if not _MD_LIST_ITEM.match(first) and not first.lstrip().startswith((">", "|")) \
                    and i - cur_start <= 3:
                title = _clean_title("\n".join(lines[cur_start:i]))
                level = 1 if m.group(1).startswith("=") else 2
                if title:
                    blocks.append(_Block(cur_start, i, "heading", level, title, "setext"))
                    cur_start = -1
                    i += 1
                    continue
        if cur_start < 0:
            cur_start = i
        i += 1
    if in_fence is not None or cur_start >= 0:
        # an unclosed fence runs to the end of the body
        if cur_start >= 0:
            end = n - 1
            while end > cur_start and not lines[end].strip():
                end -= 1
            blocks.append(_Block(cur_start, end, "text"))
    return blocks


def _is_listish(b: _Block, lines: list[str]) -> bool:
    """Every line of the block is a list item or a bare link, and short."""
    for k in range(b.start, b.end + 1):
        s = lines[k]
        if len(s) > 300:
            return False
        if not (_LIST_ITEM.match(s) or _LINKISH.match(s)):
            return False
        if _words(plain_text(s)) > 14:
            return False
    return True


def _classify(blocks: list[_Block], lines: list[str]) -> None:
    """Turn single-line text blocks into pseudo headings; mark tables of contents."""
    # pass 1: candidate pseudo heading per single-line text block
    cand: list[tuple[str, str] | None] = []
    for b in blocks:
        c = None
        if b.kind == "text" and b.start == b.end:
            c = _classify_single(lines[b.start])
        cand.append(c)
    # pass 2: tables of contents / lists of short items: a run of >= 3 consecutive
    # list-like blocks (or one block of >= 3 list lines) ahead of content are not headings.
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == "text" and _is_listish(blocks[j], lines):
            j += 1
        items = sum(blocks[k].end - blocks[k].start + 1 for k in range(i, j))
        if j - i >= 1 and items >= 3:
            for k in range(i, j):
                cand[k] = None
                blocks[k].style = "list"
            i = j
        else:
            i = max(j, i + 1)
    # consecutive numbered candidates with nothing between them form a list, not headings
    for k in range(len(blocks)):
        if cand[k] and cand[k][0] == "numbered":
            prev_num = k > 0 and cand[k - 1] is not None and cand[k - 1][0] == "numbered" \
                and blocks[k - 1].style != "keep"
            next_num = k + 1 < len(blocks) and cand[k + 1] is not None and cand[k + 1][0] == "numbered"
            if prev_num or next_num:
                cand[k] = ("_list", "")
    for k, c in enumerate(cand):
        if c and c[0] == "_list":
            cand[k] = None
    # pass 3: a plain/caps/bold/numbered line is a heading only when real text follows it
    for k, b in enumerate(blocks):
        c = cand[k]
        if not c:
            continue
        style, title = c
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        if nxt is None:
            if style == "plain":
                continue
        elif style == "plain":
            # the next block must be prose (not another short line) or a list
            if nxt.kind != "text" or cand[k + 1] is not None:
                continue
            nxt_first = lines[nxt.start]
            if nxt.start == nxt.end and _words(nxt_first) < 6 and not _LIST_ITEM.match(nxt_first):
                continue
        if not title:
            continue
        b.kind, b.title, b.style = "heading", title, style
    # pass 4: bold lead-ins at the start of a paragraph
    for b in blocks:
        if b.kind != "text" or b.style == "list":
            continue
        line = lines[b.start]
        if b.end > b.start and len(line) <= HEADING_MAX_CHARS + 20:
            # a bold-only or ALL-CAPS first line with text below it (hard line break)
            c = _classify_single(line)
            if c and c[0] in ("bold", "caps", "numbered") and c[1]:
                b.style, b.title = "lead", c[1]
                b.level = _PSEUDO_DEPTH[c[0]]  # ranks like a heading line of that style
                continue
        m = _BOLD_LEAD.match(line)
        if not m:
            continue
        title = _clean_title(m.group(2))
        if title and len(title) > 2 and _words(title) <= 12 and (title[0].isalnum() or title[0] in "\"'“‘("):
            b.style, b.title = "lead", title.rstrip(".")


# Pseudo headings nest below the nearest Markdown heading. Their relative depth:
_PSEUDO_DEPTH = {"caps": 1, "numbered": 1, "bold": 2, "plain": 2, "lead": 3}


@dataclass
class _Section:
    path: tuple[str, ...]
    start: int  # line index of the first line (heading or content)
    blocks: list[_Block]


def split_passages(body: str, first_line: int) -> list[Passage]:
    """Split ``body`` (Markdown) into passages; line numbers start at ``first_line``."""
    if not isinstance(body, str):
        raise TypeError("body must be str")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    blocks = _scan_blocks(lines)
    _classify(blocks, lines)

    # Walk blocks, maintaining a heading stack of (level, title).
    stack: list[tuple[float, str]] = []
    base_level = 0  # level of the innermost Markdown (ATX/setext) heading on the stack
    sections: list[_Section] = []
    pending: list[_Block] = []  # heading blocks with no content yet (merged forward)
    cur: _Section | None = None

    def set_heading(level: float, title: str) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))

    for b in blocks:
        is_heading = b.kind == "heading" or b.style == "lead"
        if is_heading:
            if b.style in ("atx", "setext"):
                level: float = b.level
                base_level = b.level
            else:
                # real-heading depth currently open
                base_level = max((lv for lv, _ in stack if lv == int(lv)), default=0)
                depth = b.level if b.style == "lead" and b.level else _PSEUDO_DEPTH.get(b.style, 2)
                level = base_level + depth / 10.0
            set_heading(level, b.title)
            if b.style == "lead":
                cur = _Section(tuple(t for _, t in stack), b.start, pending + [b])
                pending = []
                sections.append(cur)
            else:
                if cur is not None and not pending and len(cur.blocks) == 0:
                    pass
                pending.append(b)
                cur = None
            continue
        if cur is None:
            cur = _Section(tuple(t for _, t in stack), (pending[0].start if pending else b.start),
                           pending + [b])
            pending = []
            sections.append(cur)
        else:
            cur.blocks.append(b)
    if pending:
        sections.append(_Section(tuple(t for _, t in stack), pending[0].start, pending))

    # Split long sections into chunks at block boundaries; build passages.
    passages: list[Passage] = []
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    for sec in sections:
        chunks: list[list[_Block]] = []
        chunk: list[_Block] = []
        words = 0
        for b in sec.blocks:
            bw = _block_words(b, lines)
            is_head = b.kind == "heading"
            if chunk and not is_head and words + bw > MAX_WORDS and _content_words(chunk, lines) > 0:
                chunks.append(chunk)
                chunk, words = [], 0
            chunk.append(b)
            words += bw
        if chunk:
            chunks.append(chunk)
        for ch in chunks:
            s, e = ch[0].start, ch[-1].end
            md = "\n".join(lines[s: e + 1])
            title = sec.path[-1] if sec.path else ""
            base = "p-" + (slugify(title) or ("intro" if not sec.path else "section"))
            pid = base
            k = next_suffix.get(base, 1)
            while pid in used:  # amortised O(1): each base resumes from its last suffix
                k += 1
                pid = f"{base}-{k}"
            next_suffix[base] = k
            used.add(pid)
            passages.append(Passage(
                id=pid,
                heading_path=sec.path,
                markdown=md,
                text=plain_text(md),
                line_start=first_line + s,
                line_end=first_line + e,
            ))
    return passages


def _block_words(b: _Block, lines: list[str]) -> int:
    if b.words == 0:
        b.words = sum(len(lines[k].split()) for k in range(b.start, b.end + 1))
    return b.words


def _content_words(chunk: list[_Block], lines: list[str]) -> int:
    return sum(_block_words(b, lines) for b in chunk if b.kind != "heading")
