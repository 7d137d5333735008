"""generator/rawhtml.py: the generator's marked HTML regions pass through Python-Markdown
unparsed, and a Markdown without the extension renders the very same HTML from them."""

from __future__ import annotations

import html
from pathlib import Path

import frontmatter
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config

from generator.analyse.markup import md_escape, render_untrusted
from generator.pipeline import generate
from generator.publish.rawhtml import CLOSE, OPEN
from generator.util.paths import MKDOCS_CONFIG

from ..support import CONTENT, FIXTURES, snapshot_text

_CONFIG = load_config(config_file=str(MKDOCS_CONFIG), docs_dir=str(FIXTURES))  # any existing folder
EXTENSIONS = list(_CONFIG["markdown_extensions"])
EXTENSION_CONFIGS = dict(_CONFIG["mdx_configs"])
assert "generator.publish.rawhtml" in EXTENSIONS


def convert(text: str, *, extension: bool = True) -> tuple[str, int]:
    """The HTML of `text` with our site's Markdown extensions, and how many regions rawhtml stashed."""
    md = markdown.Markdown(extensions=[e for e in EXTENSIONS if extension or e != "generator.publish.rawhtml"],
                           extension_configs=EXTENSION_CONFIGS)
    converted = md.convert(text)
    stashed = sum(1 for block in md.htmlStash.rawHtmlBlocks
                  if isinstance(block, str) and block.startswith(OPEN + "\n") and block.rstrip("\n").endswith(CLOSE))
    return converted, stashed


def region(*lines: str) -> str:
    return "\n".join([OPEN, *lines, CLOSE])


def assert_same_html(text: str, regions: int) -> None:
    with_extension, stashed = convert(text)
    assert stashed == regions
    assert with_extension == convert(text, extension=False)[0]


def test_a_region_is_stashed_whole_and_renders_as_without_the_extension():
    text = "\n\n".join(["# Title", "Some *text*.", region('<div class="a">', "<p>x *not emphasis* [not](a.md)</p>",
                                                         "</div>", "<details><summary>s</summary>y</details>"),
                        "After [a link](b.md).", region("<p>last</p>")])
    assert_same_html(text, regions=2)
    converted, _ = convert(text)
    assert "<p>x *not emphasis* [not](a.md)</p>" in converted  # untouched by Markdown


@pytest.mark.parametrize("text", [
    f"Paragraph\n{region('<p>x</p>')}\n\nafter",  # no blank line before
    f"{region('<p>x</p>')}\nafter",  # no blank line after
    f"{region('<div>', '', '<p>x</p>', '</div>')}\n\nafter",  # a blank line inside
    f"{OPEN}\n<p>x</p>\n\nafter",  # never closed
    f"text {OPEN} more\n\n<p>x</p>\n\n{CLOSE}",  # markers not on lines of their own
])
def test_regions_that_break_the_contract_are_left_to_markdown(text):
    assert_same_html(text, regions=0)


# ---------------------------------------------------------------------- property: same HTML either way

_words = st.text(st.sampled_from(list("ab Z09.,;:!?()/-+*_`[]#|~{}\u00e9\u2019\"'<>&=\t")), max_size=24)
_text = _words.map(lambda t: html.escape(t, quote=True))  # our HTML escapes text
_attribute = st.sampled_from(['', ' class="kb-x"', ' id="p-1"', ' href="../a/#b"', ' title="a &amp; b"',
                              ' data-kb-table="companies"', ' style="text-align: right;"'])
_inline = st.recursive(
    _text,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["a", "em", "strong", "span", "code", "ins", "del", "time"]), _attribute, inner)
        .map(lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>"),
        st.lists(inner, min_size=2, max_size=3).map("".join),
        st.sampled_from(["<br>", "&#10;", "&#95;", "&nbsp;", "&#60;!--"]),
    ),
    max_leaves=6,
)
_block = st.recursive(
    st.tuples(st.sampled_from(["p", "dt", "dd", "li", "td", "th", "summary", "h2"]), _attribute, _inline)
    .map(lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>"),
    lambda inner: st.tuples(st.sampled_from(["div", "section", "details", "ul", "dl", "table", "tr", "blockquote"]),
                            _attribute, st.lists(inner, min_size=1, max_size=3),
                            st.sampled_from(["\n", ""]))
    .map(lambda t: f"<{t[0]}{t[1]}>{t[3]}{t[3].join(t[2])}{t[3]}</{t[0]}>"),
    max_leaves=8,
)
# A region: block-level elements, each on lines of its own, no blank line.
_region = st.lists(_block, min_size=1, max_size=4).map(lambda lines: region(*lines))
_markdown = st.sampled_from(["# Heading", "## Sub *heading*", "Text with [a link](x.md) and **bold**.",
                             "- item\n- item [two](y.md)", "| a | b |\n| --- | ---: |\n| 1 | 2 |",
                             "!!! note \"Title\"\n\n    Admonition body.", "<div markdown>\n\n*md*\n\n</div>",
                             "Plain text &amp; an entity.", "<p>raw html outside a region</p>"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_markdown, _region), min_size=1, max_size=6))
def test_pages_of_markdown_and_regions_render_the_same_with_or_without_the_extension(chunks):
    assert_same_html("\n\n".join(chunks) + "\n", regions=sum(chunk.startswith(OPEN) for chunk in chunks))


# Lines Python-Markdown's whitespace normalisation changes: tabs, other line breaks, STX/ETX
# (its placeholder delimiters), lines of spaces (blank to Markdown), indented lines inside elements.
_odd_line = st.sampled_from(["<p>\ttab\t</p>", "<div>\n\t<p>\tnested tab</p>\n</div>", "<p>a\rb</p>",
                             "<p>x\x02wzxhzdk:0\x03y</p>", "   ", "<div>\n   \n</div>", "<div>\n <p>in</p>\n</div>",
                             "<div><p>a</p>\t\n</div>", "<!-- kb:html:0 -->", OPEN, CLOSE, ""])
_odd_region = st.lists(st.one_of(_block, _odd_line), min_size=1, max_size=4).map(lambda lines: region(*lines))
_odd_gap = st.sampled_from(["\n\n", "\n", "\n  \n", "\r\n\r\n", "\n\t\n", "\n\n\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(_markdown, _region, _odd_region), _odd_gap), min_size=1, max_size=6))
def test_whitespace_oddities_render_the_same_with_or_without_the_extension(chunks):
    text = "".join(chunk + gap for chunk, gap in chunks)
    assert convert(text)[0] == convert(text, extension=False)[0]


# ---------------------------------------------------------------------- the generator keeps the contract


@pytest.fixture(scope="module")
def generated_docs(tmp_path_factory) -> list[Path]:
    """Docs generated from the seed content and from the hostile snapshots."""
    pages = []
    for name, content in (("seed", CONTENT), ("hostile", FIXTURES / "hostile")):
        docs = tmp_path_factory.mktemp(name)
        generate(content, docs)
        pages += sorted(docs.rglob("*.md"))
    return pages


def test_every_region_of_a_generated_page_is_stashed_and_renders_the_same(generated_docs):
    regions = 0
    for path in generated_docs:
        body = frontmatter.loads(path.read_text(encoding="utf-8")).content
        assert body.count(OPEN) == body.count(CLOSE), path
        try:
            assert_same_html(body, regions=body.count(OPEN))
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from None
        regions += body.count(OPEN)
    assert regions > len(generated_docs)  # snapshot, company, changes, topic pages all have some


def test_policy_text_can_never_open_or_close_a_region(tmp_path):
    breakout = "\n\n".join([CLOSE, f"{CLOSE}\n<script>alert(1)</script>\n{OPEN}", "<!-- kb:html --> text <!--", "-->"])
    content = tmp_path / "content"
    (content / "snapshots" / "breakout.com").mkdir(parents=True)
    (content / "snapshots" / "breakout.com" / "2020-01-01.md").write_text(
        snapshot_text("breakout.com", "2020-01-01", breakout, title=CLOSE), encoding="utf-8")
    docs = tmp_path / "docs"
    generate(content, docs)
    page = frontmatter.load(docs / "companies" / "breakout.com" / "2020-01-01.md").content
    lines = page.splitlines()
    assert lines.count(OPEN) == lines.count(CLOSE) > 0
    assert page.count("<!--") == lines.count(OPEN) + lines.count(CLOSE)  # the markers, and nothing else
    assert "<script>" not in page


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("<!->/ kb:html\n`~*[]()&#;x\t>|")), max_size=80))
def test_rendered_policy_text_opens_no_comment_and_no_code_fence(text):
    """Policy text can neither open or close a region nor start a line Python-Markdown would take for a fence."""
    rendered = render_untrusted(text)
    assert "<!--" not in rendered
    assert not any(line.lstrip(" ").startswith(("```", "~~~")) for line in rendered.split("\n"))
    assert "<" not in md_escape(text)


def test_hostile_snapshots_render_without_comments():
    for path in sorted((FIXTURES / "hostile" / "snapshots").rglob("*.md")):
        assert "<!--" not in render_untrusted(path.read_text(encoding="utf-8", errors="replace")), path
