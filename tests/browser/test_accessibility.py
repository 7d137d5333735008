"""axe-core on every page of the built site, in the light and the dark palette: no serious or critical violations.

axe-core comes from npm (package-lock.json pins it; `make test` runs `npm ci`) and is
injected into each page by Playwright; nothing is fetched from the network.
"""

from __future__ import annotations

import pytest

from .conftest import describe_violations, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The pages that must exist now; every other page of the site is checked as well. The ux_site
# fixture gives betseyjohnson.com two later versions, so there are diff pages (announced, silent).
REQUIRED = ["/", "/companies/", "/companies/guess.com/", "/companies/guess.com/2003-02-07/", "/report/",
            "/companies/betseyjohnson.com/", "/companies/betseyjohnson.com/2007-08-14/changes/",
            "/companies/betseyjohnson.com/2009-03-02/changes/", "/topics/", "/topics/information-collected/",
            "/timeline/", "/stats/", "/compare/", "/data/"]


def test_the_required_pages_exist(ux_site):
    _, site = ux_site
    assert set(REQUIRED) <= set(site_pages(site))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations_on_any_page(ux_site, new_page, axe, scheme):
    url, site = ux_site
    watch = new_page(color_scheme=scheme)
    page = watch.page
    failures = []
    for path in site_pages(site):
        page.goto(url + path)
        expected = "slate" if scheme == "dark" else "default"
        assert page.get_attribute("body", "data-md-color-scheme") == expected
        violations = axe(page)
        if violations:
            failures.append(f"{path} ({scheme}):\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)
    assert watch.errors == []


def test_no_serious_axe_violations_at_phone_width(ux_site, new_page, axe):
    url, _ = ux_site
    page = new_page(width=390, height=844).page
    failures = []
    for path in REQUIRED:
        page.goto(url + path)
        violations = axe(page)
        if violations:
            failures.append(f"{path} (390 px):\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)


def test_companies_table_controls_after_sorting_and_filtering(ux_site, new_page, axe):
    """The enhanced table (sort buttons, filter form, hidden rows) stays accessible in every state."""
    url, _ = ux_site
    page = new_page().page
    page.goto(url + "/companies/")
    page.get_by_role("button", name="Words (latest)").click()
    page.get_by_label("Sector").select_option("Fashion")
    page.get_by_label("Filter by name").fill("zzz-no-such-company")
    violations = axe(page)
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize(("path", "label"), [("/compare/", "Filter by name"), ("/topics/", "Filter topics")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_compare_and_topic_tables_stay_accessible_when_sorted_and_filtered(ux_site, new_page, axe, path, label,
                                                                        scheme):
    url, _ = ux_site
    page = new_page(color_scheme=scheme).page
    page.goto(url + path)
    page.locator(".kb-sortable thead th button").nth(1).click()
    assert axe(page) == []
    page.get_by_label(label).fill("zzz-no-such-row")
    assert page.locator(".kb-filter__empty").is_visible()
    violations = axe(page)
    assert not violations, describe_violations(violations)


def test_images_and_charts_have_text_alternatives(ux_site, new_page):
    url, site = ux_site
    page = new_page().page
    missing = []
    for path in site_pages(site):
        page.goto(url + path)
        missing += [f"{path}: {name}" for name in page.evaluate(
            """() => Array.from(document.querySelectorAll('article img, article svg, article canvas, article object'))
                .filter(el => !el.closest('[aria-hidden="true"]'))
                .filter(el => {
                    if (el.tagName === 'IMG') return !el.hasAttribute('alt');
                    const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                        || (el.querySelector && el.querySelector('title'));
                    return !label && el.getAttribute('role') !== 'presentation';
                })
                .map(el => el.outerHTML.slice(0, 80))"""
        )]
    assert missing == []
