"""Real-browser fixtures: Playwright driving Debian's chromium against a site served on localhost."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.archive import load_archive
from generator.pipeline import build

from ..support import CONTENT, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these flags chromium phones home (updates, sync, field trials) on start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class names it so
        pass


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve `folder` on an ephemeral localhost port in a daemon thread; returns (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build_site(content: Path, workdir: Path) -> Path:
    site = workdir / "site"
    build(load_archive(content), workdir / "docs", site)
    return site


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Iterator[str]:
    """The project's own content built and served; yields the base URL."""
    site = build_site(CONTENT, tmp_path_factory.mktemp("seed-site"))
    server, url = serve_folder(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/install-browser (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


class PageWatch:
    """Every request a page made, every dialog it opened and every console error, for assertions."""

    def __init__(self, page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def offsite_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about")
                and urlsplit(url).hostname not in ("127.0.0.1", "localhost")]


@pytest.fixture
def watched_page(browser) -> Iterator[PageWatch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page)
    yield watch
    context.close()


OpenPage = Callable[[str], PageWatch]


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., PageWatch]]:
    """A factory of watched pages in fresh contexts: `new_page(width=390, color_scheme="dark")`."""
    contexts = []

    def make(width: int = 1280, height: int = 900, color_scheme: str = "light") -> PageWatch:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme)
        contexts.append(context)
        return PageWatch(context.new_page())

    yield make
    for context in contexts:
        context.close()


# ---- accessibility: axe-core from npm (package.json / package-lock.json; `make test` runs npm ci) ----

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = ("serious", "critical")
AXE_PATH = "/__test__/axe.min.js"  # answered by the test (page.route), never by the site


def axe_violations(page, *, impacts: tuple[str, ...] = AXE_BLOCKING) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA and best-practice rules) on the page; violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Served as if from the site itself, so that the site's Content-Security-Policy
        # (script-src 'self') stays in force while axe runs.
        origin = page.evaluate("() => location.origin")
        page.route(origin + AXE_PATH, lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
        page.add_script_tag(url=origin + AXE_PATH)
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']})")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in violation["nodes"][:5])
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Callable[..., list[dict]]:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in the repository (make test does)")
    return axe_violations


def site_pages(site: Path) -> list[str]:
    """Every page of a built site as a URL path ('/', '/companies/', ...), sorted."""
    paths = []
    for html_file in sorted(site.rglob("*.html")):
        relative = html_file.relative_to(site).as_posix()
        if relative == "404.html":
            paths.append("/404.html")
        elif relative.endswith("index.html"):
            paths.append("/" + relative[: -len("index.html")])
    return paths


SECTORS_YAML = """\
guess.com: {sector: Fashion}
betseyjohnson.com: {sector: Fashion}
jamesperse.com: {sector: Apparel}
"""


# Two later versions of the seed's betseyjohnson.com policy, so that the site has diff pages: the
# first edit adds a "Last updated" date (announced), the second changes the wording only (silent).
BETSEY_SEED = "2006-12-20"
BETSEY_VERSIONS = {
    "2007-08-14": [
        ("We do not sell or rent the information you provide to us online to third parties.",
         "We do not sell the information you provide to us online to third parties, but we may rent our "
         "mailing lists to carefully selected partners."),
        (None, "\n\nLast updated: August 1, 2007\n"),
    ],
    "2009-03-02": [
        ("it may take up to 48 hours to remove", "it may take up to 10 business days to remove"),
    ],
}


def add_betsey_versions(content: Path) -> list[str]:
    """Write BETSEY_VERSIONS beside the seed snapshot (each edits the one before); returns their dates."""
    folder = content / "snapshots" / "betseyjohnson.com"
    text = (folder / f"{BETSEY_SEED}.md").read_text(encoding="utf-8")
    previous = BETSEY_SEED
    for day, edits in BETSEY_VERSIONS.items():
        header_end = text.index("\n")
        header = text[:header_end].replace(previous, day).replace(
            previous.replace("-", ""), day.replace("-", ""))
        body = text[header_end:]
        for old, new in edits:
            if old is None:
                body = body.rstrip("\n") + new
            else:
                assert old in body, old
                body = body.replace(old, new)
        text = header + body
        (folder / f"{day}.md").write_text(text, encoding="utf-8")
        previous = day
    return list(BETSEY_VERSIONS)


@pytest.fixture(scope="session")
def ux_site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The seed content plus a companies.yml with sectors and two later betseyjohnson.com versions
    (so there are diff pages), built and served: (base URL, site folder)."""
    workdir = tmp_path_factory.mktemp("ux-site")
    content = workdir / "content"
    shutil.copytree(CONTENT, content)
    (content / "companies.yml").write_text(SECTORS_YAML, encoding="utf-8")
    add_betsey_versions(content)
    site = build_site(content, workdir)
    server, url = serve_folder(site)
    yield url, site
    server.shutdown()
