"""What a reader sees and does: the sortable company index, phones, dark mode, printing, and privacy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from generator.archive import load_archive
from generator.pipeline import write_archive
from generator.publish.site import publish
from generator.util.paths import MKDOCS_CONFIG

from ..support import CONTENT
from .conftest import serve_folder, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def body_rows(page) -> list[list[str]]:
    """The visible rows of the companies table, as cell texts."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.kb-sortable tbody tr'))
              .filter(row => !row.hidden)
              .map(row => Array.from(row.cells).map(cell => cell.textContent.trim()))"""
    )


def column(page, heading: str) -> list[str]:
    headings = page.eval_on_selector_all(".kb-sortable thead th", "cells => cells.map(c => c.textContent.trim())")
    index = next(i for i, text in enumerate(headings) if text.startswith(heading))
    return [row[index] for row in body_rows(page)]


# ---- the company index ------------------------------------------------------------------

def test_company_index_sorts_by_each_kind_of_column(ux_site, new_page):
    url, _ = ux_site
    watch = new_page()
    page = watch.page
    page.goto(url + "/companies/")
    words = page.get_by_role("button", name="Words (latest)")
    heading = page.locator("th", has=words)
    assert heading.get_attribute("aria-sort") is None

    words.click()
    assert heading.get_attribute("aria-sort") == "ascending"
    numbers = [int(value.replace(",", "")) for value in column(page, "Words")]
    assert numbers == sorted(numbers) and len(numbers) == 3
    words.click()
    assert heading.get_attribute("aria-sort") == "descending"
    assert [int(value.replace(",", "")) for value in column(page, "Words")] == sorted(numbers, reverse=True)

    page.get_by_role("button", name="First archived").click()
    assert heading.get_attribute("aria-sort") is None  # only one column says how the table is sorted
    assert column(page, "First archived") == sorted(column(page, "First archived"))

    page.get_by_role("button", name="Company").click()
    names = column(page, "Company")
    assert names == sorted(names, key=str.casefold)
    assert watch.errors == []


def test_company_index_filters_by_name_sector_and_years(ux_site, new_page):
    url, _ = ux_site
    page = new_page().page
    page.goto(url + "/companies/")
    status = page.get_by_role("status")
    assert status.inner_text() == "Showing 3 of 3 companies."

    page.get_by_label("Filter by name").fill("GUESS")
    assert column(page, "Domain") == ["guess.com"]
    assert status.inner_text() == "Showing 1 of 3 companies."
    page.get_by_label("Filter by name").fill("perse.com")  # the domain counts too
    assert column(page, "Domain") == ["jamesperse.com"]
    page.get_by_label("Filter by name").fill("")

    page.get_by_label("Sector").select_option("Fashion")
    assert sorted(column(page, "Domain")) == ["betseyjohnson.com", "guess.com"]
    assert set(column(page, "Sector")) == {"Fashion"}

    page.get_by_label("Archived from").select_option("2005")
    assert column(page, "Domain") == ["betseyjohnson.com"]
    page.get_by_label("until").select_option("2005")
    assert column(page, "Domain") == []
    assert page.locator(".kb-filter__empty").is_visible()

    page.get_by_label("Sector").select_option("")
    page.get_by_label("Archived from").select_option("2010")
    page.get_by_label("until").select_option("")
    assert column(page, "Domain") == ["jamesperse.com"]


def test_company_index_is_a_plain_complete_table_without_javascript(ux_site, browser):
    url, _ = ux_site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url + "/companies/")
        assert page.locator(".kb-filter").count() == 0
        assert page.locator(".kb-sort").count() == 0
        assert len(body_rows(page)) == 3
        assert page.locator(".kb-sortable thead th").all_inner_texts()[:3] == ["Company", "Domain", "Sector"]
        page.get_by_role("link", name="GUESS?").click()
        assert page.url.endswith("/companies/guess.com/")
    finally:
        context.close()


def test_company_index_has_no_sector_column_when_no_company_has_one(seed_site, new_page):
    page = new_page().page
    page.goto(seed_site + "/companies/")
    headings = page.locator(".kb-sortable thead th").all_inner_texts()
    assert "Sector" not in [text.strip() for text in headings]
    assert page.get_by_label("Sector").count() == 0
    assert page.get_by_label("Filter by name").is_visible()


@pytest.fixture(scope="module")
def instant_site(tmp_path_factory):
    """The seed site built with Material's instant navigation switched on."""
    workdir = tmp_path_factory.mktemp("instant")
    site = workdir / "site"
    site.mkdir()
    server, url = serve_folder(site)  # first, for its address: instant navigation needs site_url
    config = yaml.safe_load(MKDOCS_CONFIG.read_text(encoding="utf-8"))
    config["theme"]["features"].append("navigation.instant")
    config["site_url"] = url + "/"
    if config["theme"].get("custom_dir"):  # relative to the real mkdocs.yml, not to this copy
        config["theme"]["custom_dir"] = str(MKDOCS_CONFIG.parent / config["theme"]["custom_dir"])
    instant_config = workdir / "mkdocs.yml"
    instant_config.write_text(yaml.safe_dump(config), encoding="utf-8")
    archive = load_archive(CONTENT)
    write_archive(archive, workdir / "docs")
    publish(workdir / "docs", site, content_date=archive.last_archived, config_file=instant_config)
    yield url
    server.shutdown()


def test_company_index_works_after_instant_navigation(instant_site, new_page):
    watch = new_page()
    page = watch.page
    page.goto(instant_site + "/")
    page.evaluate("() => { window.__kbNoReload = true; }")
    page.locator(".md-tabs").get_by_role("link", name="Companies").click()
    page.wait_for_url("**/companies/")
    page.get_by_label("Filter by name").fill("guess")
    assert len(body_rows(page)) == 1
    # it really was an instant (XHR) navigation, not a page load
    assert page.evaluate("() => window.__kbNoReload") is True
    assert page.locator(".kb-filter").count() == 1
    assert watch.errors == []


# ---- home page --------------------------------------------------------------------------

def test_home_page_answers_what_is_here_and_where_to_start(ux_site, browser):
    """Counts, entry points and a search box that works without JavaScript."""
    url, _ = ux_site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url + "/")
        stats = page.locator(".kb-stats li").all_inner_texts()
        assert [" ".join(text.split()) for text in stats] == ["3 companies", "5 snapshots", "13 years covered, 2003–2015"]
        assert page.get_by_role("link", name="Browse all companies").is_visible()
        assert page.get_by_role("link", name="Build report").first.is_visible()
        article = page.locator("article")
        article.get_by_label("Find words in every policy").fill("cookies")
        article.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search/?q=cookies")
    finally:
        context.close()


def test_home_page_shows_latest_changes_topic_cards_and_the_archive_chart(ux_site, new_page):
    url, _ = ux_site
    watch = new_page()
    page = watch.page
    page.goto(url + "/")
    changes = page.locator(".kb-changes tbody tr")
    assert [" ".join(text.split()) for text in changes.all_inner_texts()] == [
        "Betsey Johnson Official Store 2009-03-02 silent, +3 / −2 words",
        "Betsey Johnson Official Store 2007-08-14 announced, +17 / −3 words",
    ]
    cards = page.locator(".kb-topic-cards")
    assert cards.locator("li").count() == cards.get_by_role("link").count() >= 10  # one link per card
    assert "of 3 companies" in cards.locator("li").first.inner_text()
    chart = page.locator("article img.kb-chart[src$='charts/home-archive.svg']")
    assert chart.get_attribute("alt").startswith("Line chart of the number of privacy policy snapshots")
    chart.scroll_into_view_if_needed()  # loading=lazy
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    table = page.locator("details.kb-chart-data")
    assert not table.locator("table").is_visible()
    table.locator("summary").click()
    assert "2009" in table.locator("table").inner_text()
    changes.first.get_by_role("link", name="2009-03-02").click()
    assert page.url.endswith("/companies/betseyjohnson.com/2009-03-02/changes/")
    assert watch.errors == []


def test_reader_walk_home_topic_passage_snapshot_diff_wayback(ux_site, new_page):
    """The issue's walk: home -> topic -> quoted passage -> snapshot -> diff -> Wayback link present."""
    url, _ = ux_site
    watch = new_page()
    page = watch.page
    page.goto(url + "/")
    page.locator(".kb-topic-cards").get_by_role("link", name="Children", exact=True).click()
    page.wait_for_url("**/topics/children/")
    section = page.locator("h2", has_text="Betsey Johnson Official Store")
    quote = section.locator("xpath=following-sibling::blockquote[1]")
    quoted = " ".join(quote.inner_text().split())
    assert "kids" in quoted.lower()
    section.locator("xpath=following-sibling::p[contains(@class, 'kb-quote-meta')][1]").get_by_role(
        "link", name="Read in context").click()
    page.wait_for_url(re.compile(r".*/companies/betseyjohnson\.com/2009-03-02/#p-[a-z0-9-]+$"))
    anchor = page.url.split("#", 1)[1]
    passage = page.locator(f"[id='{anchor}']")
    expect(passage).to_be_in_viewport()
    assert quoted[:60] in " ".join(page.locator("article").inner_text().split())
    page.locator("article").get_by_role("link", name="What changed").first.click()
    page.wait_for_url("**/companies/betseyjohnson.com/2009-03-02/changes/")
    assert "Silent change" in page.locator("article").inner_text()
    this = page.locator("a.kb-wayback-this")
    previous = page.locator("a.kb-wayback-previous")
    assert this.is_visible() and previous.is_visible()
    assert this.get_attribute("href").startswith("https://web.archive.org/web/20090302")
    assert previous.get_attribute("href").startswith("https://web.archive.org/web/20070814")
    assert watch.offsite_requests() == []
    assert watch.errors == []


@pytest.mark.parametrize(("path", "label", "needle", "rows", "noun"), [
    ("/compare/", "Filter by name", "betsey", 3, "companies"),
    ("/topics/", "Filter topics", "advertis", None, "topics"),
])
def test_compare_and_topic_tables_sort_and_filter(ux_site, new_page, path, label, needle, rows, noun):
    url, _ = ux_site
    watch = new_page()
    page = watch.page
    page.goto(url + path)
    total = len(body_rows(page))
    assert rows is None or total == rows
    status = page.get_by_role("status")
    assert status.inner_text() == f"Showing {total} of {total} {noun}."
    first = page.locator(".kb-sortable thead th").first
    first.get_by_role("button").click()
    assert first.get_attribute("aria-sort") == "ascending"
    names = [row[0] for row in body_rows(page)]
    assert names == sorted(names, key=str.casefold)
    first.get_by_role("button").click()
    assert [row[0] for row in body_rows(page)] == sorted(names, key=str.casefold, reverse=True)
    page.get_by_label(label).fill(needle)
    shown = body_rows(page)
    assert 0 < len(shown) < total
    assert all(needle in " ".join(row[:2]).lower() for row in shown)
    assert status.inner_text() == f"Showing {len(shown)} of {total} {noun}."
    assert watch.errors == []


def test_compare_headings_keep_their_topic_links_beside_the_sort_buttons(ux_site, new_page):
    url, _ = ux_site
    page = new_page().page
    page.goto(url + "/compare/")
    heading = page.locator(".kb-sortable thead th").nth(1)
    link = heading.get_by_role("link")
    button = heading.get_by_role("button")
    title = link.inner_text().strip()
    assert button.get_attribute("class") == "kb-sort kb-sort--beside"
    expect(button).to_have_accessible_name(f"Sort by {title}")
    assert page.locator(".kb-sortable thead button a, .kb-sortable thead a button").count() == 0
    button.click()
    assert heading.get_attribute("aria-sort") == "ascending"
    link.click()
    page.wait_for_url("**/topics/*/")
    assert page.locator("h1").inner_text().startswith(title)


# ---- phones -----------------------------------------------------------------------------

def test_no_page_scrolls_sideways_at_390_px(ux_site, new_page):
    url, site = ux_site
    page = new_page(width=390, height=844).page
    too_wide = {}
    for path in site_pages(site):
        page.goto(url + path)
        width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > 390:
            too_wide[path] = width
    assert too_wide == {}


def test_navigation_drawer_works_at_390_px(ux_site, new_page):
    url, _ = ux_site
    page = new_page(width=390, height=844).page
    page.goto(url + "/companies/guess.com/2003-02-07/")
    drawer = page.locator("nav.md-nav--primary")
    assert not page.locator(".md-tabs").is_visible()  # the tabs give way to the drawer on phones
    page.locator("label.md-header__button[for='__drawer']").click()
    link = drawer.get_by_role("link", name="Companies", exact=True)
    expect(link).to_be_in_viewport(ratio=1)  # the drawer slid fully in
    link.click()
    page.wait_for_url("**/companies/")
    assert page.locator("h1").inner_text().startswith("Companies")


# ---- dark mode --------------------------------------------------------------------------

def test_dark_mode_toggle_switches_and_persists(ux_site, new_page):
    url, _ = ux_site
    page = new_page(color_scheme="light").page
    page.goto(url + "/")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.get_attribute("body", "data-md-color-scheme") == "default"
    light = page.evaluate(background)
    page.get_by_title("Switch to dark mode").first.click()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert page.evaluate(background) != light
    page.reload()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    page.goto(url + "/companies/guess.com/2003-02-07/")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    page.get_by_title("Switch to light mode").first.click()
    assert page.get_attribute("body", "data-md-color-scheme") == "default"


def test_system_dark_preference_is_followed(ux_site, new_page):
    url, _ = ux_site
    page = new_page(color_scheme="dark").page
    page.goto(url + "/")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"


# ---- diffs: colour is never the only cue, in both palettes ------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_diff_marks_have_non_colour_cues(ux_site, new_page, scheme):
    url, _ = ux_site
    page = new_page(color_scheme=scheme).page
    page.goto(url + "/companies/guess.com/2003-02-07/")
    styles = page.evaluate(
        """() => {
            const article = document.querySelector('article');
            const box = document.createElement('div');
            box.innerHTML = '<p>kept <ins class="diff-ins">added</ins> <del class="diff-del">removed</del></p>'
                + '<p class="diff-ins">new paragraph</p><div class="diff-skip">unchanged</div>';
            article.appendChild(box);
            const style = (selector, pseudo) => getComputedStyle(box.querySelector(selector), pseudo);
            return {
                ins: style('ins').textDecorationLine, del: style('del').textDecorationLine,
                insBg: style('ins').backgroundColor, delBg: style('del').backgroundColor,
                marker: style('p.diff-ins', '::before').content, skip: style('.diff-skip').fontStyle,
            };
        }"""
    )
    assert "underline" in styles["ins"] and "line-through" in styles["del"]
    assert styles["insBg"] != styles["delBg"]
    assert styles["marker"] == '"+"' and styles["skip"] == "italic"


# ---- printing ---------------------------------------------------------------------------

def test_print_stylesheet_keeps_only_the_policy(ux_site, new_page):
    url, _ = ux_site
    page = new_page().page
    page.goto(url + "/companies/guess.com/2003-02-07/")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-tabs", ".md-footer", ".md-sidebar--primary"):
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator(".kb-card").is_visible()
    assert page.locator(".kb-policy").is_visible()
    after = page.evaluate("() => getComputedStyle(document.querySelector('a.kb-wayback'), '::after').content")
    assert "web.archive.org" in after  # a printed page still says where the original is
    assert page.pdf(format="A4")[:4] == b"%PDF"


# ---- reader privacy ---------------------------------------------------------------------

def test_no_page_requests_anything_from_another_host(ux_site, new_page):
    url, site = ux_site
    watch = new_page()
    for path in site_pages(site):
        watch.page.goto(url + path, wait_until="networkidle")
    assert watch.offsite_requests() == []
    assert len(watch.requests) > len(site_pages(site))  # stylesheets, scripts, the search index were seen


def test_no_page_requests_anything_from_another_host_on_a_phone_in_dark_mode(ux_site, new_page):
    url, _ = ux_site
    watch = new_page(width=390, height=844, color_scheme="dark")
    for path in ["/", "/companies/", "/companies/guess.com/", "/companies/guess.com/2003-02-07/", "/404.html"]:
        watch.page.goto(url + path, wait_until="networkidle")
    watch.page.goto(url + "/")
    watch.page.locator("article").get_by_label("Find words in every policy").fill("cookies")
    watch.page.keyboard.press("Enter")
    watch.page.wait_for_url("**/search/?q=cookies")
    watch.page.wait_for_load_state("networkidle")
    assert watch.offsite_requests() == []


EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|img|iframe|link|source|video|audio|embed|object|image|use)\b[^>]*?"
    r"\b(?:src|href|srcset|data|poster|xlink:href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
CSS_EXTERNAL = re.compile(r"(?:url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"']?(?:https?:)?//)", re.IGNORECASE)


def test_built_files_reference_no_external_resources(ux_site):
    _, site = ux_site
    offenders = []
    for path in sorted(Path(site).rglob("*")):
        if path.suffix == ".html":
            offenders += [f"{path.relative_to(site)}: {m.group(0)[:100]}"
                          for m in EXTERNAL_RESOURCE.finditer(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".css" and not path.name.endswith(".map"):
            offenders += [f"{path.relative_to(site)}: {m.group(0)}"
                          for m in CSS_EXTERNAL.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


# ---- preview --------------------------------------------------------------------------

def test_serve_reloads_the_open_page_when_content_changes(tmp_path, new_page):
    from ..publish.test_serve import RELOAD_SECONDS, add_snapshot, serve_process

    with serve_process(tmp_path) as (url, content):
        watch = new_page()
        page = watch.page
        page.goto(url + "/companies/")
        assert "newco.example" not in page.inner_text("article")
        page.evaluate("() => { window.__kbBeforeReload = true; }")
        add_snapshot(content)
        # no action from the reader: the page reloads itself once the site is rebuilt
        page.wait_for_function("() => document.querySelector('article')?.innerText.includes('newco.example')",
                               timeout=RELOAD_SECONDS * 1000)
        assert page.evaluate("() => window.__kbBeforeReload") is None  # a real reload
        assert watch.offsite_requests() == []
