"""Python-Markdown extension: the generator's pre-rendered HTML regions pass through unparsed.

The generator writes most of a page as finished HTML (policy text, diffs, facts, index tables)
between two marker lines:

    <!-- kb:html -->
    <div ...>...</div>
    <!-- /kb:html -->

Python-Markdown would scan every such region with regular expressions (fenced code) and feed it
through `html.parser` twice per page under MkDocs (MkDocs' anchor scan, then md_in_html's raw-HTML
block preprocessor) only to stash it unchanged. This preprocessor runs before all of them and
stashes each region whole, found with `str.find`.

A region is also a valid raw HTML block on its own, so a publisher without this extension
(plain MkDocs, Zensical, ProperDocs) renders exactly the same HTML, only slower. The
generator's side of that contract: the marker lines have a blank line before and after; the
region has no blank line inside; its top-level elements are block-level (or comments), each on
whole lines of its own; and no line in it starts a Markdown code fence (``` or ~~~). Our HTML
has none: markdown-it turns such lines into <pre> blocks, whose newlines `markup.as_html_block`
makes entities. A region that breaks the blank-line rules is left to Python-Markdown.

MkDocs' anchor scan does not see the ids inside regions. Links to them are HTML, not Markdown,
so MkDocs would not check them anyway; tests/test_publish_parallel.py checks that every link and
anchor of a built site resolves.
"""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

OPEN = "<!-- kb:html -->"
CLOSE = "<!-- /kb:html -->"


def region(html: str) -> str:
    """Finished HTML (no blank lines) between the markers; the page puts a blank line before and after."""
    return f"{OPEN}\n{html}\n{CLOSE}"


class RawHtmlRegions(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        start = text.find(OPEN)
        if start < 0:
            return lines
        pieces: list[str] = []
        done = 0
        while start >= 0:
            close = text.find("\n" + CLOSE, start)
            if close < 0:
                break
            end = close + 1 + len(CLOSE)
            rest = text[end:end + 2]
            if (text.startswith("\n", start + len(OPEN))
                    and (start == 0 or text[start - 2:start] == "\n\n")
                    and (rest == "\n\n" or end == len(text))
                    and text.find("\n\n", start, end) < 0):
                # Python-Markdown keeps the blank line after a raw block as a trailing newline.
                html = text[start:end] + ("\n" if rest == "\n\n" else "")
                pieces.append(text[done:start])
                pieces.append(self.md.htmlStash.store(html))
                done = end
                start = text.find(OPEN, end)
            else:
                start = text.find(OPEN, start + len(OPEN))
        if not pieces:
            return lines
        pieces.append(text[done:])
        return "".join(pieces).split("\n")


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After whitespace normalisation (30); before fenced code (25), MkDocs' anchor scan (21) and
        # html_block (20), which would each scan the whole region again.
        md.preprocessors.register(RawHtmlRegions(md), "policykb_raw_html", 28)


def makeExtension(**kwargs: object) -> RawHtmlExtension:
    return RawHtmlExtension(**kwargs)
