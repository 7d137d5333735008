"""A reader opens the home page, follows links to a snapshot and reads the policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_home_to_snapshot_page(seed_site, watched_page):
    page = watched_page.page
    page.goto(seed_site + "/")
    assert "snapshots of the privacy policies" in page.inner_text("article")
    page.get_by_role("link", name="Browse all companies").click()
    page.get_by_role("link", name="GUESS?").click()
    assert page.url.endswith("/companies/guess.com/")
    page.get_by_role("link", name="Read the latest version").click()
    assert page.url.endswith("/companies/guess.com/2003-02-07/")
    article = page.inner_text("article")
    assert "GUESS.com is committed to protecting the safety of children online" in article
    wayback = page.locator("a.kb-wayback")
    assert wayback.get_attribute("href").startswith("https://web.archive.org/web/20030207154422")
    assert watched_page.offsite_requests() == []
    assert watched_page.errors == []
