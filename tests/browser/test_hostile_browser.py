"""Every page built from the hostile corpus, opened in chromium: no script from the content
runs, no dialog opens, nothing is requested from anywhere but localhost, and the
Content-Security-Policy blocks nothing of the site's own (so Material keeps working)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.archive import load_archive
from generator.pipeline import build

from ..support import FIXTURES
from .conftest import serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HOSTILE = FIXTURES / "hostile"
MALFORMED = FIXTURES / "malformed"
# Installed before any page script: records every way a payload could show it ran.
TRIPWIRE = """
window.__pwned = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  const original = window[name];
  window[name] = function (...args) { window.__pwned.push(name + ":" + args.join(",")); };
}
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || "")));
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile-browser")
    content = work / "content"
    shutil.copytree(HOSTILE, content)
    # Add the malformed corpus' accepted files too (encodings, nesting, case), keeping the rejects out.
    archive = load_archive(MALFORMED, today=date(2026, 1, 1))
    for snapshot in archive.snapshots:
        target = content / "snapshots" / snapshot.domain / Path(snapshot.source).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(snapshot.source, target)
    archive = load_archive(content, today=date(2026, 1, 1))
    build(archive, work / "docs", work / "site")
    server, url = serve_folder(work / "site")
    yield work / "site", url
    server.shutdown()


def _pages(site: Path) -> list[str]:
    return sorted("/" + p.relative_to(site).as_posix().removesuffix("index.html")
                  for p in site.rglob("*.html"))


def test_every_hostile_page_is_inert(hostile_site, browser):
    site, url = hostile_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(TRIPWIRE)
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("popup", lambda popup: dialogs.append("popup " + popup.url))
    failures: dict[str, list[str]] = {}
    pages = _pages(site)
    assert len(pages) > 50
    for path in pages:
        before = len(requests), len(dialogs), len(errors)
        page.goto(url + path, wait_until="load")
        page.mouse.move(640, 450)
        page.mouse.move(10, 10)
        page.wait_for_timeout(30)
        problems = [f"request {r}" for r in requests[before[0]:] if not r.startswith(url)]
        problems += [f"dialog {d}" for d in dialogs[before[1]:]] + [f"error {e}" for e in errors[before[2]:]]
        problems += [f"ran {p}" for p in page.evaluate("window.__pwned")]
        problems += [f"csp {c}" for c in page.evaluate("window.__csp")]
        if page.evaluate("document.querySelectorAll('article script:not([src]), article iframe, article object, article embed, "
                         "article img:not(.kb-chart), .kb-policy form, .kb-policy svg, .kb-policy input, "
                         ".kb-policy math, .kb-policy style').length"):
            problems.append("active element inside the article")
        if problems:
            failures[path] = problems
    context.close()
    assert failures == {}


def test_search_results_for_payload_words_are_inert(hostile_site, watched_page):
    """The search results page quotes snapshot text: searching for payload words runs nothing."""
    _, url = hostile_site
    page = watched_page.page
    page.add_init_script(TRIPWIRE)
    page.goto(url + "/")
    page.wait_for_function("typeof __md_get === 'function'")  # Material's start-up script ran under the CSP
    shown = 0
    for query in ["alert", "script", "onerror", "javascript", "iframe", "img", "title", "%3Cscript%3E"]:
        page.goto(f"{url}/search/?q={query}")
        page.wait_for_timeout(500)
        shown += page.locator("#pkb-search-results li").count()
        assert page.evaluate("document.querySelectorAll('#pkb-search-results script, #pkb-search-results img, "
                             "#pkb-search-results iframe, #pkb-search-results svg, #pkb-search-results [onerror], "
                             "#pkb-search-results [onload], #pkb-search-results [onclick]').length") == 0
        assert page.evaluate("window.__pwned") == [] and page.evaluate("window.__csp") == [], query
    assert shown > 0  # the payload text is found, and shown as text
    page.goto(url + "/companies/script-tags.com/2010-01-01/?h=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") == [] and page.evaluate("window.__csp") == []
    assert watched_page.dialogs == [] and watched_page.offsite_requests() == [] and watched_page.errors == []


def test_csp_blocks_injected_script_even_if_sanitizer_failed(hostile_site, watched_page, tmp_path):
    """Defence in depth: plant a script and a handler in a copy of a built page; the policy stops both."""
    site, _ = hostile_site
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    target = copy / "companies/script-tags.com/2010-01-01/index.html"
    html = target.read_text(encoding="utf-8")
    planted = '<script>alert("inline")</script><img src="/x" onerror="alert(\'handler\')"><a id="js" href="javascript:alert(\'href\')">x</a>'
    target.write_text(html.replace('<div class="kb-policy"', planted + '<div class="kb-policy"', 1), encoding="utf-8")
    server, url = serve_folder(copy)
    try:
        page = watched_page.page
        page.add_init_script(TRIPWIRE)
        page.goto(url + "/companies/script-tags.com/2010-01-01/")
        page.click("#js")
        page.wait_for_timeout(200)
        assert watched_page.dialogs == []
        assert page.evaluate("window.__pwned") == []
        assert len(page.evaluate("window.__csp")) >= 2  # the planted inline script and handler were refused
    finally:
        server.shutdown()


def test_palette_toggle_still_works_under_the_csp(hostile_site, watched_page):
    _, url = hostile_site
    page = watched_page.page
    page.goto(url + "/")
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_timeout(200)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme
    page.reload()
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme  # kept via __md_set
    assert watched_page.errors == []
