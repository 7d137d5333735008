"""Untrusted Markdown -> inert HTML, and escaping for text we put into our own pages.

Snapshot text comes from the web. It is rendered here once, with markdown-it-py
(raw HTML off, links only to http(s)/mailto, images never loaded), cleaned again by
nh3 (an allow-list sanitizer), and then embedded in the generated Markdown page as
one raw HTML block with no blank lines, so MkDocs' Python-Markdown passes it through
untouched instead of interpreting it a second time.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {"a", "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
     "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
# Nesting deeper than FLATTEN_AT is flattened into plain paragraphs: real policies never need
# it, and hostile input with thousands of `>` or list levels would otherwise make the HTML (and
# browsers, and Python's recursion limit) choke. markdown-it itself silently *drops* everything
# past its maxNesting; the `_flatten_deep` rule makes sure it never gets there, so no text is lost.
MAX_NESTING = 20
FLATTEN_AT = MAX_NESTING - 4
# Characters that start Markdown or HTML syntax anywhere in a line, and the few that do at its start.
INLINE_SPECIAL = re.compile(r"[\\`*_{}\[\]<>&|~\"']")
WHITESPACE_RUN = re.compile(r"\s+")
LEADING_SPECIAL = re.compile(r"^(?:[#+=-]|\d+(?=[.)]))")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.block.ruler.before("table", "policykb_flatten_deep", _flatten_deep)
    return md


def _flatten_deep(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Past FLATTEN_AT levels, the rest of the container is one paragraph of its literal text."""
    if silent or state.level < FLATTEN_AT:
        return False
    text = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    state.line = end_line
    if not text:
        return True
    token = state.push("paragraph_open", "p", 1)
    token.map = [start_line, end_line]
    token = state.push("inline", "", 0)
    token.content = text
    token.map = [start_line, end_line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    return True


def _allowed_href(href: str) -> bool:
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    return scheme in ALLOWED_SCHEMES


def _defuse(tokens: list[Token]) -> None:
    """Drop links we do not allow (relative, javascript:, ...) keeping their text; images become text."""
    for token in tokens:
        if token.children:
            _defuse(token.children)
            kept: list[Token] = []
            dropped_depth = 0
            for child in token.children:
                if child.type == "link_open" and not _allowed_href(str(child.attrGet("href") or "")):
                    dropped_depth += 1
                    continue
                if child.type == "link_close" and dropped_depth:
                    dropped_depth -= 1
                    continue
                if child.type == "image":
                    # Loading a picture would send the reader to a third-party host.
                    alt = "".join(grandchild.content for grandchild in child.children or [])
                    child = Token("text", "", 0, content=f"[image: {alt}]" if alt else "[image]")
                if child.type == "link_open":
                    child.attrSet("rel", "nofollow noopener noreferrer")
                kept.append(child)
            token.children = kept


@lru_cache(maxsize=4096)
def render_untrusted(markdown: str) -> str:
    """Snapshot Markdown -> sanitized HTML safe to embed in a generated page.

    Memoised: successive versions of a policy share most of their passages."""
    md = _parser()
    tokens = md.parse(markdown)
    _defuse(tokens)
    rendered = md.renderer.render(tokens, md.options, {})
    cleaned = nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        url_relative="deny",
        filter_style_properties={"text-align"},
    )
    return as_html_block(cleaned)


def as_html_block(fragment: str) -> str:
    """Make an HTML fragment one block Python-Markdown cannot split: no blank lines inside.

    Newlines inside <pre> become `&#10;` (still a newline to the browser); elsewhere
    they are insignificant whitespace, so blank lines can simply go.
    """
    fragment = re.sub(r"<pre>.*?</pre>", lambda m: m.group(0).replace("\n", "&#10;"), fragment, flags=re.S)
    return re.sub(r"\n\s*\n", "\n", fragment).strip()


def plain_text(markdown: str) -> str:
    """The words of a Markdown fragment without its syntax, whitespace collapsed."""
    md = _parser()
    words: list[str] = []
    for token in md.parse(markdown):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
        elif token.type in ("code_block", "fence"):
            words.append(token.content + " ")
    return " ".join("".join(words).split())


def md_escape(value: object) -> str:
    """Text -> Markdown that shows exactly that text (HTML- and Markdown-special characters as entities)."""
    # Runs of white space (newlines included) become one space, but edges are kept: ", " stays ", ".
    text = INLINE_SPECIAL.sub(_entity, WHITESPACE_RUN.sub(" ", str(value)))
    return LEADING_SPECIAL.sub(lambda m: m.group(0)[:-1] + _entity_of(m.group(0)[-1]), text, count=1)


def _entity(match: re.Match[str]) -> str:
    return _entity_of(match.group(0))


def _entity_of(char: str) -> str:
    return f"&#{ord(char)};"


def attr_escape(value: object) -> str:
    return html.escape(str(value), quote=True)
