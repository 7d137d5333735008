"""Where every generated page and file lives: its docs path, and the site URL MkDocs gives it.

A docs path is relative to the docs folder ("companies/<domain>/<slug>.md"); its URL is the
directory-style address relative to the site root ("companies/<domain>/<slug>/", see
`page_url`). Links between pages are made from the docs paths of both ends (`href`,
`relative`), so the layout is spelled out here and nowhere else. (Pages that are one of a
kind, such as stats.md or search.md, are named where they are rendered.)
"""

from __future__ import annotations

import posixpath
import re

from markupsafe import Markup

SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9._/#-]*$")

COMPANIES_PAGE = "companies/index.md"
TOPICS_PAGE = "topics/index.md"
TIMELINE_PAGE = "timeline.md"


def company_folder(domain: str) -> str:
    return f"companies/{domain}"


def company_page(domain: str) -> str:
    return f"{company_folder(domain)}/index.md"


def snapshot_page(domain: str, slug: str) -> str:
    return f"{company_folder(domain)}/{slug}.md"


def changes_page(domain: str, slug: str) -> str:
    """The diff page of a version against the one before it."""
    return f"{company_folder(domain)}/{slug}/changes.md"


def topic_page(topic_id: str) -> str:
    return f"topics/{topic_id}.md"


def timeline_year_page(year: int) -> str:
    """One year of the timeline, when it is too long for one page."""
    return f"timeline/{year}.md"


def feed_path(domain: str | None = None) -> str:
    """The Atom feed of one company, or of the whole archive."""
    return f"feeds/{domain or 'all'}.xml"


def chart_path(name: str) -> str:
    return f"charts/{name}.svg"


def company_chart_name(domain: str) -> str:
    """The company's policy-length chart: charts/companies/<domain>.svg."""
    return company_folder(domain)


def from_feed(url: str) -> str:
    """A site URL as a feed links it: the feeds are one folder below the site root."""
    return "../" + url


def page_url(path: str) -> str:
    """The site URL (directory style, relative to the site root) of a docs file path; other files keep theirs."""
    if not path.endswith(".md"):
        return path
    if path == "index.md":
        return ""
    if path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def company_url(domain: str) -> str:
    return page_url(company_page(domain))


def snapshot_url(domain: str, slug: str) -> str:
    return page_url(snapshot_page(domain, slug))


def changes_url(domain: str, slug: str) -> str:
    return page_url(changes_page(domain, slug))


def relative(from_path: str, to_path: str) -> str:
    """A Markdown link from one docs file to another (MkDocs turns it into the URL)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_path))


def link(path: str) -> Markup:
    """A link target we built ourselves (domains and slugs are validated): passed through unescaped."""
    if not SAFE_PATH_RE.match(path) or ".." in path.replace("../", ""):
        raise ValueError(f"unsafe link target {path!r}")
    return Markup(path)


def href(from_path: str, to_path: str, anchor: str = "") -> Markup:
    """A relative link from a generated page to a docs file, for raw HTML (MkDocs rewrites only Markdown links).

    The same string MkDocs writes for the Markdown link: directory URLs end in "/", files do not.
    """
    start = page_url(from_path) or "."
    target = page_url(to_path)
    url = posixpath.relpath(target or ".", start)
    if not target or target.endswith("/"):
        url = "./" if url == "." else url + "/"
    return link(url + (f"#{anchor}" if anchor else ""))
