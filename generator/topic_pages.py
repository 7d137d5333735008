"""Render stage, topics: what every company's policy says on each topic, quoted and linked.

`topics/index.md` lists the topics, `topics/<id>.md` quotes each company's passages on
one topic from its latest snapshot (older versions linked), and `compare.md` is the
companies x topics matrix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import jinja2
from markupsafe import Markup

from .analyse import SnapshotAnalysis
from .model import Company, Passage, Snapshot, Topic
from .pages import Page, html_title, render
from .stores import AnalysisSummary

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]
Summaries = Mapping[tuple[str, str], AnalysisSummary]


@dataclass(frozen=True)
class Quote:
    passage: Passage  # its text and Markdown left out: the page shows `html`
    html: Markup
    cues: str  # why the tagger chose this topic, for the reader


@dataclass(frozen=True)
class PassageLink:
    """The first passage on a topic in an earlier version: the page links to it by its anchor."""

    id: str


@dataclass(frozen=True)
class Coverage:
    """One company's passages on one topic: quotes from the latest version, earlier versions that address it."""

    company: Company
    latest: Snapshot
    quotes: tuple[Quote, ...]
    earlier: tuple[tuple[Snapshot, PassageLink], ...]  # newest first


def topic_page_path(topic_id: str) -> str:
    return f"topics/{topic_id}.md"


def cue_text(passage: Passage, topic_id: str) -> str:
    for assignment in passage.topics:
        if assignment.topic == topic_id:
            return "; ".join(assignment.cues)
    return ""


def company_coverage(company: Company, analyses: Analyses, summaries: Summaries,
                     topics: Sequence[Topic]) -> dict[str, Coverage]:
    """Topic id -> the company's coverage of it; only the latest version's full analysis is loaded."""
    latest = company.latest
    analysis = analyses[latest.key]
    quotes: dict[str, list[Quote]] = {topic.id: [] for topic in topics}
    for passage, html in zip(analysis.passages, analysis.passage_html):
        light = replace(passage, markdown="", text="")
        for topic_id in dict.fromkeys(a.topic for a in passage.topics):
            if topic_id in quotes:
                quotes[topic_id].append(Quote(light, Markup(html), cue_text(passage, topic_id)))
    earlier: dict[str, list[tuple[Snapshot, PassageLink]]] = {topic.id: [] for topic in topics}
    for snapshot in reversed(company.versions[:-1]):
        for topic_id, passage_id in summaries[snapshot.key].first_passages.items():
            if topic_id in earlier:
                earlier[topic_id].append((snapshot, PassageLink(passage_id)))
    return {topic.id: Coverage(company, latest, tuple(quotes[topic.id]), tuple(earlier[topic.id])) for topic in topics}


def topic_pages(env: jinja2.Environment, companies: Sequence[Company], analyses: Analyses, summaries: Summaries,
                topics: Sequence[Topic]) -> Iterator[Page]:
    """The topics index, one page per topic, and the comparison matrix."""
    by_company = [company_coverage(company, analyses, summaries, topics) for company in companies]
    for topic in topics:
        rows = [coverage[topic.id] for coverage in by_company]
        addressed = [row for row in rows if row.quotes]
        silent = [row for row in rows if not row.quotes]
        meta = {"title": html_title(topic.title), "topic": topic.id, "category": topic.category,
                "companies_addressing": len(addressed), "companies": len(rows),
                "hide": ["navigation"]}  # not in the nav: its sidebar would be empty
        yield render(env, "topic.md.j2", topic_page_path(topic.id), meta,
                     topic=topic, addressed=addressed, silent=silent, total=len(rows))
    counts = {topic.id: sum(1 for coverage in by_company if coverage[topic.id].quotes) for topic in topics}
    yield render(env, "topics.md.j2", "topics/index.md", {"title": "Topics"},
                 topics=topics, counts=counts, total=len(companies))
    matrix = [
        {"company": company, "cells": [coverage[topic.id] for topic in topics]}
        for company, coverage in zip(companies, by_company)
    ]
    yield render(env, "compare.md.j2", "compare.md", {"title": "Compare companies"}, topics=topics, matrix=matrix)
