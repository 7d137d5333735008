"""Render stage: model + analysis -> `Page`s (Markdown with front matter) from Jinja templates.

Every `{{ value }}` in a template is escaped for Markdown *and* HTML by default
(`md_escape`), so text from a snapshot (titles, company names) can never become markup
or a template: only values we mark as `Markup` (pre-sanitized HTML, our own link
targets) go through as they are.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.render import facts as fact_pages

from generator.publish import rawhtml
from generator.analyse.snapshot import SnapshotAnalysis
from generator.analyse.markup import as_html_block, md_escape
from generator.model import Company, Passage, Topic
from generator.util.paths import TEMPLATES_DIR

SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9._/#-]*$")
Analyses = Mapping[tuple[str, str], SnapshotAnalysis]


@dataclass(frozen=True)
class Page:
    """A generated docs file: `path` relative to the docs folder, YAML front matter and Markdown body."""

    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(md_escape(value))


def link(path: str) -> Markup:
    """A link target we built ourselves (domains and slugs are validated): passed through unescaped."""
    if not SAFE_PATH_RE.match(path) or ".." in path.replace("../", ""):
        raise ValueError(f"unsafe link target {path!r}")
    return Markup(path)


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def thousands(value: int) -> str:
    return f"{value:,}"


def make_environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=False,  # _finalize escapes for Markdown and HTML at once
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(link=link, long_date=long_date, thousands=thousands, href=_href_from_page,
                       html_region=html_region)
    return env


def render(env: jinja2.Environment, template: str, path: str, meta: dict[str, Any], **context: Any) -> Page:
    """`path`: the page's docs path; templates see it as `page_path` (the `href` filter resolves links from it)."""
    body = env.get_template(template).render(page_path=path, **context)
    return Page(path=path, meta=meta, body=body)


def html_region(html: str) -> Markup:
    """Finished HTML from a template -> a region Python-Markdown passes through unparsed (generator/rawhtml.py)."""
    # + "\n": trim_blocks eats the newline after `{% endfilter %}`, and the region needs its line to itself.
    return Markup(rawhtml.region(as_html_block(str(html))) + "\n")


def html_title(text: str) -> str:
    """A page title for front matter: Material inserts `page.meta.title` into HTML unescaped."""
    return html.escape(" ".join(text.split()), quote=True)


@dataclass(frozen=True)
class Badge:
    title: str
    href: Markup
    cues: str


@dataclass(frozen=True)
class Section:
    """One passage as shown on its snapshot page: anchor, topic badges and sanitized HTML."""

    passage: Passage
    badges: tuple[Badge, ...]
    html: Markup


def passage_sections(page_path: str, analysis: SnapshotAnalysis, topics: Sequence[Topic]) -> list[Section]:
    titles = {topic.id: topic.title for topic in topics}
    return [
        Section(
            passage,
            tuple(Badge(titles[a.topic], href(page_path, f"topics/{a.topic}.md"), "; ".join(a.cues))
                  for a in passage.topics if a.topic in titles),
            Markup(html),
        )
        for passage, html in zip(analysis.passages, analysis.passage_html)
    ]


def snapshot_page(env: jinja2.Environment, company: Company, index: int, analysis: SnapshotAnalysis,
                  topics: Sequence[Topic], version: Any = None) -> Page:
    """`version`: the snapshot's history.VersionInfo (change class, announcement, stated date), if known."""
    snapshot = company.versions[index]
    path = f"companies/{company.domain}/{snapshot.slug}.md"
    meta = {
        "title": html_title(f"{company.name} privacy policy, {snapshot.archived_on.isoformat()}"),
        "domain": snapshot.domain,
        "company": company.name,
        "archived_on": snapshot.archived_on,
        "captured_at": snapshot.captured_at.isoformat() if snapshot.captured_at else None,
        "wayback_url": snapshot.wayback_url,
        "source_url": snapshot.source_url,
        "policy_title": snapshot.title,
        "words": analysis.words,
        "reading_minutes": analysis.reading_minutes,
        "topics": sorted(analysis.topic_ids),
        "sha256": snapshot.sha256,
        "previous": company.versions[index - 1].slug if index > 0 else None,
        "next": company.versions[index + 1].slug if index + 1 < len(company.versions) else None,
        "hide": ["navigation"],
    }
    if version is not None:
        meta.update(change=version.change, announcement=version.announcement, stated_date=version.stated_date)
    return render(
        env,
        "snapshot.md.j2",
        path,
        meta,
        company=company,
        snapshot=snapshot,
        analysis=analysis,
        sections=passage_sections(path, analysis, topics),
        position=index + 1,
        previous=company.versions[index - 1] if index > 0 else None,
        next=company.versions[index + 1] if index + 1 < len(company.versions) else None,
        version=version,
        facts_card=fact_pages.facts_card(analysis.facts, path),
    )


def company_page(env: jinja2.Environment, company: Company, analyses: Analyses, sector: str | None,
                 history: Mapping[str, Any] | None = None) -> Page:
    """`history`: history_pages.company_history(...) (version table rows, length chart, feed), if known."""
    rows = [{"snapshot": s, "analysis": analyses[s.key]} for s in reversed(company.versions)]
    meta = {
        "title": html_title(company.name),
        "domain": company.domain,
        "company": company.name,
        "versions": len(company.versions),
        "latest": company.latest.slug,
    }
    if history is not None:
        meta["feed"] = history["feed"]
    return render(env, "company.md.j2", f"companies/{company.domain}/index.md", meta,
                  company=company, rows=rows, sector=sector, history=history,
                  facts=fact_pages.company_facts(
                      company, analyses, [row["version"] for row in reversed(history["rows"])] if history else None))


def companies_page(env: jinja2.Environment, companies: Sequence[Company], analyses: Analyses,
                   sectors: Mapping[str, str | None] | None = None) -> Page:
    sectors = sectors or {}
    rows = [{"company": c, "words": analyses[c.latest.key].words, "sector": sectors.get(c.domain)} for c in companies]
    total = sum(len(c.versions) for c in companies)
    return render(env, "companies.md.j2", "companies/index.md", {"title": "Companies", "hide": ["navigation", "toc"]},
                  companies=companies, rows=rows, total_snapshots=total)


def home_page(env: jinja2.Environment, companies: Sequence[Company], analyses: Analyses, recent: int = 10, *,
              changes: Sequence[Any] = (), topic_cards: Sequence[Any] = (), chart: Any = None) -> Page:
    """`changes`, `topic_cards`, `chart`: from home.home_sections (latest changes, topic cards, archive chart)."""
    snapshots = [(c, s) for c in companies for s in c.versions]
    dates = [s.archived_on for _, s in snapshots]
    newest = sorted(snapshots, key=lambda pair: (pair[1].archived_on, pair[1].domain, pair[1].slug), reverse=True)
    context = {
        "total_snapshots": len(snapshots),
        "total_companies": len(companies),
        "first_date": min(dates) if dates else None,
        "last_date": max(dates) if dates else None,
        "years": (max(dates).year - min(dates).year + 1) if dates else 0,
        "recent": [{"company": c, "snapshot": s, "analysis": analyses[s.key]} for c, s in newest[:recent]],
        "changes": changes,
        "topic_cards": topic_cards,
        "chart": chart,
    }
    return render(env, "home.md.j2", "index.md", {"title": "Home", "hide": ["navigation"]}, **context)


def report_page(env: jinja2.Environment, report: Mapping[str, Sequence[Mapping[str, Any]]]) -> Page:
    """The human-readable twin of data/build-report.json."""
    return render(env, "report.md.j2", "report.md", {"title": "Build report"},
                  accepted=report["accepted"], rejected=report["rejected"])


def page_url(path: str) -> str:
    """The site URL (directory style, relative to the site root) of a docs file path; other files keep theirs."""
    if not path.endswith(".md"):
        return path
    if path == "index.md":
        return ""
    if path.endswith("/index.md"):
        return path[: -len("index.md")]
    return path[: -len(".md")] + "/"


def href(from_path: str, to_path: str, anchor: str = "") -> Markup:
    """A relative link from a generated page to a docs file, for raw HTML (MkDocs rewrites only Markdown links).

    The same string MkDocs writes for the Markdown link: directory URLs end in "/", files do not.
    """
    start = page_url(from_path) or "."
    target = page_url(to_path)
    relative = posixpath.relpath(target or ".", start)
    if not target or target.endswith("/"):
        relative = "./" if relative == "." else relative + "/"
    return link(relative + (f"#{anchor}" if anchor else ""))


@jinja2.pass_context
def _href_from_page(context: jinja2.runtime.Context, target: str) -> Markup:
    """The `href` filter: a link written as in Markdown, relative to the page's docs file ("../index.md#id")."""
    page = context["page_path"]
    path, _, anchor = str(target).partition("#")
    return href(page, posixpath.normpath(posixpath.join(posixpath.dirname(page), path)), anchor)
