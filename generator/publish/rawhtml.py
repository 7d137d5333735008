"""Python-Markdown extension: the generator's pre-rendered HTML regions pass through unparsed.

The generator writes most of a page as finished HTML (policy text, diffs, facts, index tables)
between two marker lines:

    <!-- kb:html -->
    <div ...>...</div>
    <!-- /kb:html -->

Python-Markdown would scan every such region with regular expressions (whitespace normalisation,
fenced code) and feed it through `html.parser` twice per page under MkDocs (MkDocs' anchor scan,
then md_in_html's raw-HTML block preprocessor) only to stash it unchanged. This extension stashes
each region whole, found with `str.find`, before all of them.

A region is also a valid raw HTML block on its own, so a publisher without this extension
(plain MkDocs, Zensical, ProperDocs) renders exactly the same HTML, only slower. The
generator's side of that contract: the marker lines have a blank line before and after; the
region has no blank line inside; its top-level elements are block-level (or comments), each on
whole lines of its own, starting in the first column; and no line in it starts a Markdown code fence (``` or ~~~). Our HTML
has none: markdown-it turns such lines into <pre> blocks, whose newlines `markup.as_html_block`
makes entities. A region that breaks the blank-line rules is left to Python-Markdown.

MkDocs' anchor scan does not see the ids inside regions. Links to them are HTML, not Markdown,
so MkDocs would not check them anyway; tests/test_publish_parallel.py checks that every link and
anchor of a built site resolves.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown, util
from markdown.preprocessors import Preprocessor

OPEN = "<!-- kb:html -->"
CLOSE = "<!-- /kb:html -->"
# Stands in for a stashed region while Python-Markdown normalises whitespace, which would strip
# the STX/ETX of a stash placeholder. "<!--" never comes from policy text or escaped values.
_TOKEN_PREFIX = "<!-- kb:html:"
_TOKEN = _TOKEN_PREFIX + "{} -->"
_SPACES_ONLY_LINE = re.compile(r"\n +\n")


def region(html: str) -> str:
    """Finished HTML (no blank lines) between the markers; the page puts a blank line before and after."""
    return f"{OPEN}\n{html}\n{CLOSE}"


class RawHtmlRegions(Preprocessor):
    """Stashes each region before whitespace normalisation (which would scan it with a regular
    expression), as that normalisation would have left it; a token line takes its place."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.tokens: dict[str, str] = {}  # token line -> stash placeholder, for RestorePlaceholders

    def run(self, lines: list[str]) -> list[str]:
        self.tokens = {}
        text = "\n".join(lines)
        start = text.find(OPEN)
        if start < 0 or _TOKEN_PREFIX in text:
            return lines
        pieces: list[str] = []
        done = 0
        while start >= 0:
            close = text.find("\n" + CLOSE, start)
            if close < 0:
                break
            end = close + 1 + len(CLOSE)
            html = None
            if (text.startswith("\n", start + len(OPEN))
                    and (start == 0 or text[start - 2:start] == "\n\n")
                    and (text[end:end + 2] == "\n\n" or not text[end:].strip("\n"))
                    and text.find("\n\n", start, end) < 0):
                html = self._normalized(text[start:end])
            if html is None:
                start = text.find(OPEN, start + len(OPEN))
                continue
            # Normalisation ends the text with a blank line, and Python-Markdown keeps the blank
            # line after a raw block as a trailing newline.
            token = _TOKEN.format(len(self.tokens))
            self.tokens[token] = self.md.htmlStash.store(html + "\n")
            pieces += [text[done:start], token]
            done = end
            start = text.find(OPEN, end)
        if not pieces:
            return lines
        pieces.append(text[done:])
        return "".join(pieces).split("\n")

    def _normalized(self, html: str) -> str | None:
        """`html` as markdown.preprocessors.NormalizeWhitespace leaves it; None if it would then
        no longer be one block (a line break of another kind, a line of spaces only)."""
        if "\r" in html:
            return None
        if util.STX in html or util.ETX in html:
            html = html.replace(util.STX, "").replace(util.ETX, "")
        if "\t" in html:
            html = html.expandtabs(self.md.tab_length)  # each line starts a column: the same as in the page
        if "\n " in html and _SPACES_ONLY_LINE.search(html):
            return None
        return html


class RestorePlaceholders(Preprocessor):
    """After whitespace normalisation: the stash placeholders replace RawHtmlRegions' tokens."""

    def __init__(self, md: Markdown, regions: RawHtmlRegions) -> None:
        super().__init__(md)
        self.regions = regions

    def run(self, lines: list[str]) -> list[str]:
        tokens, self.regions.tokens = self.regions.tokens, {}
        return [tokens.get(line, line) for line in lines] if tokens else lines


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        regions = RawHtmlRegions(md)
        # Before whitespace normalisation (30), fenced code (25), MkDocs' anchor scan (21) and
        # html_block (20), which would each scan the whole region again.
        md.preprocessors.register(regions, "policykb_raw_html", 35)
        md.preprocessors.register(RestorePlaceholders(md, regions), "policykb_raw_html_placeholders", 29)


def makeExtension(**kwargs: object) -> RawHtmlExtension:
    return RawHtmlExtension(**kwargs)
