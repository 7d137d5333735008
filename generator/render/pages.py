"""Render stage, the page families about companies: a snapshot page, a company page, the
companies index; and the home page and the build report.

The tools they share (`Page`, `render`, the Jinja environment) are in render/base.py; where
each page lives, in render/urls.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from generator.analyse.snapshot import SnapshotAnalysis
from generator.model import Company, Passage, Topic
from generator.render import facts as fact_pages
from generator.render import urls
from generator.render.base import Page, html_title, render

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]


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
            tuple(Badge(titles[a.topic], urls.href(page_path, urls.topic_page(a.topic)), "; ".join(a.cues))
                  for a in passage.topics if a.topic in titles),
            Markup(html),
        )
        for passage, html in zip(analysis.passages, analysis.passage_html)
    ]


def snapshot_page(env: jinja2.Environment, company: Company, index: int, analysis: SnapshotAnalysis,
                  topics: Sequence[Topic], version: Any = None) -> Page:
    """`version`: the snapshot's history.VersionInfo (change class, announcement, stated date), if known."""
    snapshot = company.versions[index]
    path = urls.snapshot_page(company.domain, snapshot.slug)
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
    return render(env, "company.md.j2", urls.company_page(company.domain), meta,
                  company=company, rows=rows, sector=sector, history=history,
                  facts=fact_pages.company_facts(
                      company, analyses, [row["version"] for row in reversed(history["rows"])] if history else None))


def companies_page(env: jinja2.Environment, companies: Sequence[Company], analyses: Analyses,
                   sectors: Mapping[str, str | None] | None = None) -> Page:
    sectors = sectors or {}
    rows = [{"company": c, "words": analyses[c.latest.key].words, "sector": sectors.get(c.domain)} for c in companies]
    total = sum(len(c.versions) for c in companies)
    return render(env, "companies.md.j2", urls.COMPANIES_PAGE, {"title": "Companies", "hide": ["navigation", "toc"]},
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
