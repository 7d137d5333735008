"""Search in a real browser: a synthetic archive of ~300 snapshots (bench/synth.py), built once,
served from a sub-path (as on GitHub Pages) to check that every URL is relative."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from .conftest import build_site, serve_folder

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("policykb_bench_synth", ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)

HOSTILE_WORD = "grumbletoadix"
HOSTILE = f"""\
> *The following text is extracted and transformed from the hostile-example.com privacy policy that was archived on 2021-03-04. Please check the [original snapshot on the Wayback Machine](https://web.archive.org/web/20210304101010id_/http%3A//hostile-example.com/privacy) for the most accurate reproduction.*

# Hostile Privacy Policy <img src=x onerror=alert(1)>

## Who we are

We call this {HOSTILE_WORD} <img src=x onerror=alert(1) <br> because 5 > 3, <script>alert(2)</script>
<a href="javascript:alert(3)">click</a> and ![pixel](http://tracker.invalid/p.gif) too.

## Cookies

We use cookies. {HOSTILE_WORD} again: &lt;b&gt;not bold&lt;/b&gt; "><svg onload=alert(4)>
"""


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """(URL of the site's root, synth manifest); the site lives at /archive/ on the server."""
    workdir = tmp_path_factory.mktemp("search-site")
    content = workdir / "content"
    manifest = synth.generate(300, content, seed=5, corpus=None)
    hostile = content / "snapshots" / "hostile-example.com" / "2021-03-04.md"
    hostile.parent.mkdir(parents=True)
    hostile.write_text(HOSTILE, encoding="utf-8")
    served = workdir / "served"
    served.mkdir()
    build_site(content, workdir).rename(served / "archive")
    server, url = serve_folder(served)
    yield f"{url}/archive/", manifest
    server.shutdown()


def results(page) -> list:
    page.wait_for_selector("#pkb-search-status:not(:empty):not(:has-text('Searching'))")
    return page.locator("#pkb-search-results > li")


def test_header_search_finds_a_phrase_deep_in_the_archive(synth_site, watched_page):
    root, manifest = synth_site
    planted = manifest["planted"]["unique"]
    page = watched_page.page
    page.goto(root + "companies/")
    box = page.get_by_role("searchbox", name="Search policies", exact=True)
    box.fill(planted["token"])
    box.press("Enter")
    page.wait_for_url("**/archive/search/?q=*")
    items = results(page)
    assert items.count() == 1
    assert page.locator("#pkb-search-status").inner_text().startswith("1 policy version matches")
    expected = planted["paths"][0].replace("snapshots/", "companies/").removesuffix(".md") + "/"
    link = items.first.locator("h2 a")
    assert link.get_attribute("href").endswith("/archive/" + expected)
    page.wait_for_selector("#pkb-search-results mark")
    assert planted["token"] in items.first.locator("mark").first.inner_text().lower()
    link.click()
    page.wait_for_url("**/archive/" + expected)
    assert planted["token"] in page.locator("article").inner_text()
    assert watched_page.offsite_requests() == [] and watched_page.errors == []


def test_a_quoted_phrase_and_filter_chips(synth_site, watched_page):
    root, manifest = synth_site
    phrase = manifest["planted"]["phrase"]
    page = watched_page.page
    page.goto(root + "search/?q=" + quote_plus(f'"{phrase["token"]}"'))
    items = results(page)
    companies = {p.split("/")[1] for p in phrase["paths"]}
    assert items.count() == len(companies)
    # the company chip narrows the search to that company; its active-filter chip removes it
    chip = items.first.locator(".pkb-chip").first
    company = chip.inner_text()
    chip.click()
    page.wait_for_url("**company=*")
    items = results(page)
    assert items.count() == 1 and company in items.first.locator("h2 a").get_attribute("href")
    assert page.locator("#pkb-search-company").input_value() == company
    page.locator("#pkb-search-active a").click()
    items = results(page)
    assert items.count() == len(companies)
    assert watched_page.offsite_requests() == [] and watched_page.errors == []


def test_hostile_policy_text_in_results_is_only_text(synth_site, watched_page):
    root, _ = synth_site
    page = watched_page.page
    page.goto(root + "search/?q=" + HOSTILE_WORD)
    items = results(page)
    assert items.count() == 1
    page.wait_for_selector("#pkb-search-results mark")
    snippet = items.first.locator(".pkb-search__snippet").inner_text()
    # the text index keeps an unclosed tag; as HTML, "<img src=x onerror=alert(1) ... 5 >" would run
    assert "<img src=x onerror=alert(1)" in snippet and "5 > 3" in snippet, snippet
    assert page.locator("#pkb-search-results img, #pkb-search-results script, #pkb-search-results svg").count() == 0
    hrefs = page.locator("#pkb-search-results a").evaluate_all("els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(root) for h in hrefs), hrefs
    items.first.locator("h2 a").click()
    page.wait_for_url("**/hostile-example.com/2021-03-04/")
    page.wait_for_timeout(300)
    assert watched_page.dialogs == []
    assert watched_page.offsite_requests() == [] and watched_page.errors == []


def test_search_box_fits_a_phone(synth_site, new_page):
    root, _ = synth_site
    watch = new_page(width=390, height=800)
    page = watch.page
    page.goto(root)
    box = page.get_by_role("searchbox", name="Search policies", exact=True)
    assert box.is_visible()
    bounds = box.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 390
    box.fill("zorbleflux")
    page.get_by_role("button", name="Search", exact=True).first.click()
    page.wait_for_url("**/search/?q=zorbleflux")
    assert results(page).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_no_material_search_index(synth_site):
    root, _ = synth_site
    # The built site has no Material search plugin index (it grows with every page).
    import urllib.request
    with urllib.request.urlopen(root + "search-index/manifest.json") as response:
        manifest = json.load(response)
    assert manifest["docs"] == 301
    with pytest.raises(Exception):
        urllib.request.urlopen(root + "search/search_index.json")
