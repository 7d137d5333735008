"""History pages: change classes on real pages, diff pages, timeline with milestones, charts, feeds."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import frontmatter
import pytest

from generator.render import history as history_pages
from generator.analyse.diff import render_diff_html, word_diff
from generator.render.history import DiffStore, Milestone, load_milestones, timeline_pages, year_chunks
from generator.render.base import make_environment
from generator.archive import load_archive
from generator.pipeline import generate
from generator.render.units import data_files, render_pages
from generator.read.snapshots import parse_snapshot
from generator.read.site_data import ConfigError

from ..support import CONTENT, content_with_versions, snapshot_text

POLICY = """## Information we collect

We collect your name, e-mail address and the pages you visit. We use "cookies" to remember you.

## Sharing

We do not sell your information to third parties. We may share it with service providers.

Last updated: March 1, 2015

(c) 2015 Example Inc. All rights reserved.
"""

# (date, body): first; recapture (whitespace only); cosmetic (quotes, copyright year);
# changed + date moved (announced); changed, same date (silent); changed, no date (undated).
VERSIONS = [
    ("2015-04-02", POLICY),
    ("2015-09-10", POLICY.replace("We do not sell", "We  do not\nsell")),
    ("2016-01-20", POLICY.replace('"cookies"', "\u201ccookies\u201d").replace("(c) 2015", "(c) 2016")),
    ("2016-08-01", POLICY.replace("service providers.", "service providers and advertisers.")
     .replace("March 1, 2015", "July 1, 2016")),
    ("2017-03-03", POLICY.replace("service providers.", "service providers, advertisers and analytics firms.")
     .replace("March 1, 2015", "July 1, 2016")),
    ("2018-06-01", "## Information we collect\n\nWe collect your name only.\n\n## Children\n\n"
                   "We do not knowingly collect data from children under 13.\n"),
]
CLASSES = [("first", None), ("recapture", None), ("cosmetic", None), ("changed", "announced"),
           ("changed", "silent"), ("changed", "undated")]


@pytest.fixture(scope="module")
def history_content(tmp_path_factory) -> Path:
    content = content_with_versions(tmp_path_factory.mktemp("history"), "example.com", VERSIONS)
    return content


@pytest.fixture(scope="module")
def docs(history_content, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("history-docs")
    generate(history_content, folder)
    return folder


def meta_of(docs: Path, page: str) -> dict:
    return frontmatter.loads((docs / page).read_text(encoding="utf-8")).metadata


# ------------------------------------------------------------------ classes and the announcement rule


def test_change_classes_and_announcements(history_content):
    archive = load_archive(history_content)
    versions = archive.histories["example.com"]
    assert [(v.change, v.announcement) for v in versions] == CLASSES
    assert versions[3].stated_date == date(2016, 7, 1) and versions[2].stated_date == date(2015, 3, 1)
    assert versions[1].words_added == versions[1].words_removed == 0
    assert [v.previous_slug for v in versions] == [None] + [d for d, _ in VERSIONS[:-1]]
    # the seed companies have one version each: first
    assert [v.change for v in archive.histories["guess.com"]] == ["first"]


def test_snapshot_front_matter_and_links(docs):
    for (day, _), (change, announced) in zip(VERSIONS, CLASSES):
        meta = meta_of(docs, f"companies/example.com/{day}.md")
        assert (meta["change"], meta["announcement"]) == (change, announced)
    first = meta_of(docs, "companies/example.com/2015-04-02.md")
    assert first["previous"] is None and first["next"] == "2015-09-10"
    silent = (docs / "companies/example.com/2017-03-03.md").read_text(encoding="utf-8")
    assert '<a href="changes/">What changed</a>' in silent
    assert meta_of(docs, "companies/example.com/2017-03-03.md")["stated_date"] == date(2016, 7, 1)
    assert "What changed" not in (docs / "companies/example.com/2015-04-02.md").read_text(encoding="utf-8")


def test_diff_page_for_every_non_first_version(docs):
    pages = sorted(p.parent.name for p in (docs / "companies/example.com").glob("*/changes.md"))
    assert pages == [day for day, _ in VERSIONS[1:]]
    assert not list((docs / "companies/guess.com").glob("*/changes.md"))
    silent = (docs / "companies/example.com/2017-03-03/changes.md").read_text(encoding="utf-8")
    meta = meta_of(docs, "companies/example.com/2017-03-03/changes.md")
    assert meta["change"] == "changed" and meta["announcement"] == "silent" and meta["previous"] == "2016-08-01"
    assert meta["search"] == {"exclude": True}
    assert '<div class="admonition warning">\n<p class="admonition-title">Silent change</p>' in silent
    assert '<a href="../">This version (2017-03-03)</a>' in silent
    assert '<a href="../../2016-08-01/">Previous version (2016-08-01)</a>' in silent
    assert 'href="https://web.archive.org/web/20160801120000id' in silent
    assert 'href="https://web.archive.org/web/20170303120000id' in silent
    assert '<ins class="diff-ins"><span class="diff-sign">+</span>providers, advertisers and analytics firms.</ins>' in silent
    recapture = (docs / "companies/example.com/2015-09-10/changes.md").read_text(encoding="utf-8")
    assert "No change in wording (recapture)" in recapture and '<div class="diff">' not in recapture
    cosmetic = (docs / "companies/example.com/2016-01-20/changes.md").read_text(encoding="utf-8")
    assert "No change in wording (cosmetic)" in cosmetic
    undated = (docs / "companies/example.com/2018-06-01/changes.md").read_text(encoding="utf-8")
    assert "Sections added:</strong> <em>Children</em>" in undated
    assert "Sections removed:</strong> <em>Sharing</em>" in undated
    assert "Topics gained:</strong>" in undated and '<a href="../../../../topics/' in undated


def test_diff_block_is_one_raw_html_block(docs):
    text = (docs / "companies/example.com/2016-08-01/changes.md").read_text(encoding="utf-8")
    block = text[text.index('<div class="diff">'):]
    assert "\n\n" not in block.strip()


def test_company_history_table_and_chart(docs):
    page = (docs / "companies/example.com/index.md").read_text(encoding="utf-8")
    assert ("3 changes in wording (1 silent); 2 later snapshots with the same wording "
            "(1 of them with cosmetic differences only)") in page
    assert '<tr><td><a href="2017-03-03/">2017-03-03</a></td><td><a href="2017-03-03/changes/">changed</a></td>' in page
    assert 'kb-announce--silent">silent</span>' in page
    assert '<td><a href="2015-09-10/">2015-09-10</a></td><td><a href="2015-09-10/changes/">recapture</a></td>' in page
    assert 'src="../../charts/companies/example.com.svg"' in page
    assert 'href="../../feeds/example.com.xml"' in page
    assert meta_of(docs, "companies/example.com/index.md")["feed"] == "feeds/example.com.xml"
    svg = (docs / "charts/companies/example.com.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "<script" not in svg
    assert not (docs / "charts/companies/guess.com.svg").exists()  # one version: no chart


# ------------------------------------------------------------------ timeline


def test_timeline_lists_firsts_and_real_changes_only(docs):
    page = (docs / "timeline.md").read_text(encoding="utf-8")
    for day in ("2015-04-02", "2016-08-01", "2017-03-03", "2018-06-01", "2003-02-07"):
        assert f"/\">{day}</a>" in page
    for day in ("2015-09-10", "2016-01-20"):  # recapture, cosmetic
        assert f"/\">{day}</a>" not in page
    assert page.index("## 2018") < page.index("## 2017") < page.index("## 2003")  # newest first
    # GDPR (2018-05-25) sits below the change of 2018-06-01, in the 2018 section
    gdpr = page.index('!!! milestone "25 May 2018: GDPR applies (EU)"')
    assert page.index('/">2018-06-01</a>') < gdpr < page.index("## 2017")
    assert "](charts/timeline-length.svg)" in page and "](charts/timeline-terms.svg)" in page
    assert "| Year | Median words |" in page
    assert "](feeds/all.xml)" in page


def test_year_chunks_place_milestones_by_date(history_content):
    archive = load_archive(history_content)
    events = [e for e in history_pages.timeline_events(archive.companies, archive.histories) if e.day.year == 2016]
    chunks = year_chunks(events, [Milestone(date(2016, 7, 12), "Privacy Shield"), Milestone(date(2016, 12, 1), "Late")])
    kinds = [("m", c["milestone"].title) if c["milestone"] else ("e", [e.day.isoformat() for e in c["events"]])
             for c in chunks]
    assert kinds == [("m", "Late"), ("e", ["2016-08-01"]), ("m", "Privacy Shield")]


def test_timeline_splits_into_year_pages(history_content):
    archive = load_archive(history_content)
    charts = history_pages.archive_charts(archive.companies, archive.summaries)
    pages = timeline_pages(make_environment(), archive.companies, archive.histories,
                           load_milestones(history_content), charts, limit=3)
    paths = [p.path for p in pages]
    assert paths[0] == "timeline.md" and "timeline/2018.md" in paths and "timeline/2003.md" in paths
    assert "[2018](timeline/2018.md)" in pages[0].body
    year = next(p for p in pages if p.path == "timeline/2018.md")
    assert 'href="../../companies/example.com/2018-06-01/changes/"' in year.body
    assert "GDPR applies" in year.body


def test_milestones_file_is_validated(tmp_path):
    (tmp_path / "milestones.yml").write_text("- date: 2018-05-25\n  title: GDPR\n- title: no date\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"milestones.yml:3: \[1\]: needs 'date'"):
        load_milestones(tmp_path)
    project = load_milestones(CONTENT)
    assert [m.day for m in project] == sorted(m.day for m in project)
    assert {date(2000, 4, 21), date(2004, 7, 1), date(2011, 5, 26), date(2018, 5, 25), date(2020, 1, 1)} <= {
        m.day for m in project}


# ------------------------------------------------------------------ feeds


def test_feeds(docs):
    atom = "{http://www.w3.org/2005/Atom}"
    everything = ET.parse(docs / "feeds/all.xml").getroot()
    entries = everything.findall(f"{atom}entry")
    assert len(entries) == len(VERSIONS) + 3  # and the three seed companies' first versions
    titles = [e.findtext(f"{atom}title") for e in entries]
    assert titles[0].endswith("privacy policy changed (undated)")
    links = [e.find(f"{atom}link").get("href") for e in entries]
    assert links[0] == "../companies/example.com/2018-06-01/changes/"
    assert "../companies/guess.com/2003-02-07/" in links
    company = ET.parse(docs / "feeds/example.com.xml").getroot()
    assert len(company.findall(f"{atom}entry")) == len(VERSIONS)
    assert "silent" in " ".join(e.findtext(f"{atom}title") for e in company.findall(f"{atom}entry"))


# ------------------------------------------------------------------ each diff once, caching


def test_each_diff_computed_once_per_build(history_content, tmp_path):
    archive = load_archive(history_content, cache_dir=tmp_path / "cache")
    changed = sum(1 for v in archive.histories["example.com"] if v.change in ("cosmetic", "changed"))
    assert archive.diffs.computed["diff"] == changed == 4
    render_pages(archive)
    data_files(archive)
    assert archive.diffs.computed["diff"] == changed  # the diff pages reused them
    assert list((tmp_path / "cache" / "diffs").rglob("diff-*.pickle"))
    again = load_archive(history_content, cache_dir=tmp_path / "cache")
    render_pages(again)
    assert again.diffs.computed["diff"] == 0 and again.diffs.computed["sections"] == 0


def test_memory_store_returns_same_result():
    store = DiffStore(None)
    old, new = (parse_snapshot(snapshot_text("example.com", day, body).encode(), "x.md")
                for day, body in (("2010-01-01", "a b c"), ("2010-01-02", "a b d")))
    first = store.diff(old, new)
    assert store.diff(old, new) is first and store.computed["diff"] == 1


# ------------------------------------------------------------------ the diff on tricky input


def test_reordered_paragraphs_are_moves_not_rewrites():
    paras = [f"Paragraph {i} says something specific about clause number {i} of the policy." for i in range(6)]
    old = "\n\n".join(paras)
    new = "\n\n".join(paras[3:] + paras[:3])
    result = word_diff(old, new)
    assert result.changed and result.words_added == result.words_removed == 0
    assert result.paragraphs_moved == 3
    html = render_diff_html(result)
    assert "(moved here)" in html and "(moved away)" in html


def test_one_word_change_in_long_policy_is_collapsed():
    paras = [f"Clause {i}: we keep records for {i % 7 + 1} years and delete them when you ask us to." for i in range(600)]
    old = "\n\n".join(paras)
    new = old.replace("Clause 300: we keep", "Clause 300: we retain")
    result = word_diff(old, new)
    assert (result.words_added, result.words_removed) == (1, 1)
    html = render_diff_html(result)
    assert html.count('<details class="diff-skip">') == 2  # before and after the change
    assert '<del class="diff-del"><span class="diff-sign">\u2212</span>keep</del>' in html
    assert '<ins class="diff-ins"><span class="diff-sign">+</span>retain</ins>' in html
    visible = html.replace("<details", "\x00").split("\x00")
    assert sum(len(part.split("</details>")[-1]) for part in visible) < 2000  # only context is shown open


def test_empty_previous_version_is_all_insertions():
    result = word_diff("", "## Privacy\n\nWe collect nothing.")
    assert (result.words_added, result.words_removed) == (4, 0)
    html = render_diff_html(result)
    assert html.count('<ins class="diff-ins">') == 2 and "<del" not in html
    assert render_diff_html(word_diff("", "")).startswith('<div class="diff"><p class="diff-none">')


def test_diff_page_escapes_hostile_text(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    folder = content / "snapshots" / "evil.example"
    folder.mkdir(parents=True)
    (folder / "2019-01-01.md").write_text(snapshot_text("evil.example", "2019-01-01", "We collect data."),
                                          encoding="utf-8")
    hostile = ('We collect data. <script>alert(1)</script> <img src=x onerror=alert(2)> '
               '[click](javascript:alert(3)) {{ 7*7 }} {% raw %}')
    (folder / "2019-06-01.md").write_text(snapshot_text("evil.example", "2019-06-01", hostile), encoding="utf-8")
    docs = tmp_path / "docs"
    generate(content, docs)
    page = (docs / "companies/evil.example/2019-06-01/changes.md").read_text(encoding="utf-8")
    diff = page[page.index('<div class="diff">'):]
    assert "<script" not in diff and "<img" not in diff and "javascript:" not in diff.replace("javascript:alert(3)", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in diff
    assert "{{ 7*7 }}" in diff and "49" not in diff
