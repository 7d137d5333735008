"""Statistics, facts and open data in a real browser: charts load from the site itself, each has a
text alternative and a data table; facts link to their passages; the data files download."""

from __future__ import annotations

import csv
import io
import json
import urllib.request

import pytest

from generator.render import opendata
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_stats_charts_load_from_the_site_with_alt_text_and_a_table(seed_site, watched_page):
    page = watched_page.page
    page.goto(seed_site + "/stats/")
    charts = page.locator("article img.kb-chart")
    count = charts.count()
    assert count >= 5
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        src = chart.evaluate("img => img.currentSrc")
        assert src.startswith(seed_site + "/charts/stats-") and src.endswith(".svg")
        alt = chart.get_attribute("alt") or ""
        assert len(alt) > 40, alt
        # the data table of each chart follows it, before the next chart
        table_rows = chart.evaluate(
            """img => {
                let node = img.closest('p');
                while (node && !(node.matches && node.matches('details.kb-chart-data'))) {
                    node = node.nextElementSibling;
                    if (node && node.querySelector && node.querySelector('img.kb-chart')) return -1;
                }
                return node ? node.querySelectorAll('tbody tr').length : -1;
            }"""
        )
        assert table_rows > 0, f"chart {src} has no data table after it"
    assert watched_page.offsite_requests() == []
    assert watched_page.errors == []


def test_a_data_table_opens_and_reads_as_a_table(seed_site, watched_page):
    page = watched_page.page
    page.goto(seed_site + "/stats/")
    details = page.locator("details.kb-chart-data").first
    details.locator("summary").click()
    table = details.get_by_role("table")
    assert table.is_visible()
    assert table.get_by_role("columnheader").count() >= 2


def test_fact_links_jump_to_their_passage(seed_site, watched_page):
    page = watched_page.page
    page.goto(seed_site + "/companies/guess.com/2003-02-07/")
    card = page.locator("details.kb-facts")
    assert card.is_visible()
    link = card.locator("dd a").first
    target = link.get_attribute("href")
    assert target.startswith("#p-")
    link.click()
    assert page.url.endswith(target)
    section = page.locator(f"section.kb-passage{target}")
    assert section.count() == 1
    assert section.evaluate("el => { const r = el.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
    assert watched_page.errors == []


def test_facts_card_fits_a_phone_screen(seed_site, new_page):
    page = new_page(width=390, height=844).page
    page.goto(seed_site + "/companies/guess.com/2003-02-07/")
    card = page.locator("details.kb-facts")
    box = card.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_data_page_links_download_with_the_documented_columns(seed_site, watched_page):
    page = watched_page.page
    page.goto(seed_site + "/data/")
    link = page.get_by_role("link", name="snapshots.csv", exact=True)
    url = link.evaluate("a => a.href")
    assert url == seed_site + "/data/snapshots.csv"
    with urllib.request.urlopen(url) as response:  # the local test server
        header = next(csv.reader(io.StringIO(response.read().decode("utf-8"))))
    assert header == [f.name for f in opendata.SNAPSHOT_FIELDS if f.csv]
    manifest_url = page.get_by_role("link", name="manifest.json", exact=True).evaluate("a => a.href")
    with urllib.request.urlopen(manifest_url) as response:
        manifest = json.loads(response.read())
    assert {entry["path"] for entry in manifest["files"]} >= {"snapshots.csv", "passages.jsonl", "companies.json"}
    assert watched_page.offsite_requests() == []
