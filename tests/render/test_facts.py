"""Facts on the pages: the snapshot facts card, the company facts summary and the statistics page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from generator.render import facts as fact_pages
from generator.archive import load_archive
from generator.render.units import data_files, render_pages

from ..support import CONTENT, snapshot_text

V1 = """## Information we collect

We collect your name, your email address and your phone number when you register.

## Analytics

We use Google Analytics to understand how visitors use the site.

Last updated: March 3, 2010
"""

V2 = """## Information we collect

We collect your name and your email address when you register. We do not collect your phone number.

## Analytics and advertising

We use Google Analytics and DoubleClick. California residents have rights under the CCPA.

## Contact

Write to privacy@example.com.

Last updated: May 5, 2019
"""


def write(content: Path, domain: str, day: str, body: str) -> None:
    folder = content / "snapshots" / domain
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{day}.md"
    (folder / name).write_text(snapshot_text(domain, day, body), encoding="utf-8")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    content = tmp_path_factory.mktemp("facts") / "content"
    write(content, "example.com", "2010-04-01", V1)
    write(content, "example.com", "2019-06-01", V2)
    write(content, "example.com", "2019-09-01", V2)  # a re-capture of the same text
    write(content, "single.example", "2012-01-01", V1)
    return load_archive(content)


@pytest.fixture(scope="module")
def rendered(archive):
    return {page.path: page for page in render_pages(archive)}


def anchors(body: str) -> list[str]:
    return re.findall(r'<section class="kb-passage" id="([^"]+)"', body)


def card_of(body: str) -> str:
    match = re.search(r'<details class="info kb-facts" open>.*?</details>', body, re.S)
    assert match, "no facts card"
    return match.group(0)


def test_snapshot_card_links_every_fact_to_a_passage_on_the_page(rendered):
    body = rendered["companies/example.com/2019-06-01.md"].body
    card = html.unescape(card_of(body))
    ids = set(anchors(body))
    links = re.findall(r'<a href="#([^"]+)" title="([^"]*)">([^<]+)</a>', card)
    assert links
    assert {target for target, _, _ in links} <= ids
    labels = {label for _, _, label in links}
    assert {"Name", "Email address", "Google Analytics", "DoubleClick", "privacy@example.com"} <= labels
    assert any("CCPA" in label for label in labels)
    assert "Last updated 5 May 2019" in labels
    assert "Says it does not collect" in card and "Phone number" in card
    assert "Found as \u201cGoogle Analytics\u201d" in card
    assert "reading ease" in card and "grade level" in card


def test_card_values_come_from_the_facts(archive):
    snapshot = next(s for s in archive.snapshots if s.slug == "2019-06-01")
    facts = archive.analyses[snapshot.key].facts
    card = fact_pages.facts_card(facts, "companies/example.com/2019-06-01.md")
    groups = {group.key: [item.label for item in group.items] for group in card.groups}
    assert groups["data_types"] == [f.label for f in facts.data_types]
    assert groups["third_parties"] == sorted((f.label for f in facts.third_parties), key=str.casefold)
    assert card.band == fact_pages.reading_band(facts.readability.flesch_reading_ease)
    assert all(str(item.href).startswith("#p-") for group in card.groups for item in group.items)


def test_company_page_shows_latest_facts_and_changes(rendered):
    body = html.unescape(rendered["companies/example.com/index.md"].body)
    assert "## Facts of the latest version" in body
    # links from the company page go to the latest snapshot page's passages
    assert re.search(r'<a href="2019-09-01/#p-[a-z0-9-]+" title="[^"]*">DoubleClick</a>', body)
    # the latest version is a re-capture: "previous wording" is the version before the current wording
    assert '<strong>Since the previous wording</strong> (<a href="2010-04-01/">2010-04-01</a>)' in body
    assert "Since the first version" not in body  # the same version: said once
    changes = body[body.index("<strong>Since the previous wording</strong>"):body.index("## Versions")]
    assert "Third parties named: added" in changes and "DoubleClick" in changes
    assert "Data collected: " in changes and "dropped" in changes and "Phone number" in changes
    # a dropped fact links to the older version, where it was
    assert re.search(r'dropped <a href="2010-04-01/#p-[a-z0-9-]+"[^>]*>Phone number</a>', changes)
    assert '<td>Latest: <a href="2019-09-01/">2019-09-01</a></td>' in body
    assert '<td>First: <a href="2010-04-01/">2010-04-01</a></td>' in body


def test_single_version_company_has_nothing_to_compare(rendered):
    body = rendered["companies/single.example/index.md"].body
    assert "Only one version is archived" in body
    assert "How the facts changed" not in body


def test_wording_start_skips_recaptures_and_cosmetic_versions(archive):
    company = next(c for c in archive.companies if c.domain == "example.com")
    versions = archive.histories[company.domain]
    assert [v.change for v in versions] == ["first", "changed", "recapture"]
    assert fact_pages.wording_start(company, versions) == 1
    assert fact_pages.wording_start(company, None) == 2  # unknown history: the previous version


def test_company_facts_without_history_compares_previous_and_first(archive):
    company = next(c for c in archive.companies if c.domain == "example.com")
    summary = fact_pages.company_facts(company, archive.analyses, None)
    assert [c.label for c in summary.comparisons] == ["the previous wording", "the first version"]
    assert summary.comparisons[0].changes == ()  # the re-capture has the same facts
    assert [row.label for row in summary.trend] == ["First", "Previous wording", "Latest"]


@pytest.mark.parametrize("score, band", [(95, "very easy"), (90, "very easy"), (65, "plain English"),
                                         (30, "difficult"), (29.9, "very difficult"), (-40, "very difficult")])
def test_reading_band(score, band):
    assert fact_pages.reading_band(score) == band


def test_stats_page_has_every_chart_with_alt_text_and_table(archive, rendered):
    page = rendered["stats.md"]
    stats = fact_pages.stats_for(archive)
    assert stats.latest_count == 2
    files = data_files(archive)
    blocks = [block for section in stats.sections for block in section.blocks]
    assert {b.chart.name for b in blocks} >= {"stats-length", "stats-readability", "stats-third-parties",
                                             "stats-data-types", "stats-regulations"}
    for block in blocks:
        assert block.chart.path in files and files[block.chart.path].startswith(b"<svg")
        assert len(block.chart.description) > 40
        assert block.rows and all(len(row) == len(block.headers) for row in block.rows)
        assert f"]({block.chart.path}){{ .kb-chart" in page.body
        assert f"Data table: {block.chart.title}" in html.unescape(page.body)
    assert "**2** companies" in page.body


def test_stats_counts_each_company_once(archive):
    stats = fact_pages.stats_for(archive)
    third = next(s for s in stats.sections if s.title == "Third parties")
    table = {row[0]: row for row in third.blocks[0].rows}
    # Google Analytics: both companies' latest versions; DoubleClick: only example.com (re-captured twice)
    assert table["Google Analytics"][2] == "2" and table["DoubleClick"][2] == "1"


def test_by_year_charts_leave_out_thin_years_but_keep_them_in_the_table(archive):
    per_year = {2010: [1] * 5, 2011: [1], 2012: [1] * 6}
    block = fact_pages._yearly("t", "T", "alt", per_year, {"S": [10.0, 50.0, 20.0]}, "%", "{:.0f}%")
    assert block.chart.rows[1] == ("2011", "")  # a gap in the chart
    assert block.rows[1] == ("2011", "50%", "1")
    assert "2011" in block.note


def test_stats_are_deterministic(archive):
    first = fact_pages.archive_stats(archive.companies, archive.analyses)
    second = fact_pages.archive_stats(archive.companies, archive.analyses)
    assert [c.svg for c in first.charts] == [c.svg for c in second.charts]


def test_seed_snapshot_pages_carry_facts_cards():
    pages = {page.path: page for page in render_pages(load_archive(CONTENT))}
    for path in ("companies/guess.com/2003-02-07.md", "companies/jamesperse.com/2015-12-30.md"):
        body = pages[path].body
        card = card_of(body)
        assert set(re.findall(r'href="#([^"]+)"', card)) <= set(anchors(body))
    assert "stats.md" in pages and "data.md" in pages
