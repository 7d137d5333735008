"""A reader opens a diff page (marks, collapsed stretches, links) and the timeline, in chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from ..support import CONTENT, snapshot_text
from .conftest import build_site, serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LONG = "\n\n".join(f"Clause {i}: we keep the records of clause {i} for {i % 5 + 1} years, then delete them."
                   for i in range(80))
OLD = "## Our policy\n\n" + LONG + "\n\nLast updated: January 5, 2016"
NEW = ("## Our policy\n\n" + LONG.replace("Clause 40: we keep", "Clause 40: we sell")
       + "\n\nWe may share your e-mail address with advertisers.\n\nLast updated: January 5, 2016")


@pytest.fixture(scope="module")
def history_site(tmp_path_factory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("history-site")
    content = workdir / "content"
    shutil.copytree(CONTENT, content)
    folder = content / "snapshots" / "example.com"
    folder.mkdir(parents=True)
    for day, body in (("2016-02-01", OLD), ("2018-07-01", NEW)):
        (folder / f"{day}.md").write_text(snapshot_text("example.com", day, body), encoding="utf-8")
    site = build_site(content, workdir)
    server, url = serve_folder(site)
    yield url
    server.shutdown()


def test_diff_page(history_site, watched_page):
    page = watched_page.page
    page.goto(history_site + "/companies/example.com/2018-07-01/changes/")
    article = page.locator("article")
    assert "Silent change" in article.inner_text()
    inserted = page.locator(".diff ins.diff-ins")
    deleted = page.locator(".diff del.diff-del")
    assert inserted.first.is_visible() and deleted.first.is_visible()
    assert "sell" in inserted.all_inner_texts()[0] and "keep" in deleted.all_inner_texts()[0]
    assert any("advertisers" in text for text in inserted.all_inner_texts())
    # the sign is part of the text, so the change is not told by colour alone
    assert inserted.first.inner_text().startswith("+") and deleted.first.inner_text().startswith("\u2212")
    # unchanged stretches are collapsed and expand on click
    skip = page.locator(".diff details.diff-skip").first
    hidden = skip.locator(".diff-skip-text")
    assert "unchanged words" in skip.locator("summary").inner_text()
    assert not hidden.is_visible()
    skip.locator("summary").click()
    assert hidden.is_visible() and "Clause 3:" in hidden.inner_text()
    # links to both versions and both Wayback captures
    page.get_by_role("link", name="Previous version (2016-02-01)", exact=True).wait_for()
    assert page.locator("a.kb-wayback-previous").get_attribute("href").startswith("https://web.archive.org/web/20160201")
    assert page.locator("a.kb-wayback-this").get_attribute("href").startswith("https://web.archive.org/web/20180701")
    feeds = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert feeds.count() == 2
    page.get_by_role("link", name="This version (2018-07-01)", exact=True).click()
    assert page.url.endswith("/companies/example.com/2018-07-01/")
    page.get_by_role("link", name="What changed").first.click()
    assert page.url.endswith("/companies/example.com/2018-07-01/changes/")
    assert watched_page.offsite_requests() == []
    assert watched_page.errors == []


def test_timeline_page(history_site, watched_page):
    page = watched_page.page
    page.goto(history_site + "/")
    page.get_by_role("link", name="Timeline of changes").click()
    assert page.url.endswith("/timeline/")
    text = page.locator("article").inner_text()
    assert "GDPR applies (EU)" in text and "25 May 2018" in text
    assert text.index("2018-07-01") < text.index("GDPR applies") < text.index("2016-02-01")
    charts = page.locator("article img.kb-chart")
    assert charts.count() == 2
    for index in range(2):
        assert charts.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
        assert charts.nth(index).get_attribute("alt").startswith("Line chart")
    assert page.get_by_role("link", name="Subscribe to new snapshots and changes (Atom feed)").get_attribute("href")
    response = page.request.get(history_site + "/feeds/all.xml")
    assert response.ok and b"<feed" in response.body()
    page.get_by_role("link", name="Changed").first.click()
    assert page.url.endswith("/companies/example.com/2018-07-01/changes/")
    assert watched_page.offsite_requests() == []
    assert watched_page.errors == []
