"""Render stage, topics: what every company's policy says on each topic, quoted and linked.

`topics/index.md` lists the topics, `topics/<id>.md` quotes each company's passages on
one topic from its latest snapshot (older versions linked), and `compare.md` is the
companies x topics matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from .analyse import SnapshotAnalysis
from .model import Company, Passage, Snapshot, Topic
from .pages import Page, html_title, render

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]


@dataclass(frozen=True)
class Quote:
    passage: Passage
    html: Markup
    cues: str  # why the tagger chose this topic, for the reader


@dataclass(frozen=True)
class Coverage:
    """One company's passages on one topic: quotes from the latest version, earlier versions that address it."""

    company: Company
    latest: Snapshot
    quotes: tuple[Quote, ...]
    earlier: tuple[tuple[Snapshot, Passage], ...]  # newest first, the first passage of each


def topic_page_path(topic_id: str) -> str:
    return f"topics/{topic_id}.md"


def cue_text(passage: Passage, topic_id: str) -> str:
    for assignment in passage.topics:
        if assignment.topic == topic_id:
            return "; ".join(assignment.cues)
    return ""


def passages_on(analysis: SnapshotAnalysis, topic_id: str) -> list[tuple[Passage, str]]:
    return [
        (passage, html)
        for passage, html in zip(analysis.passages, analysis.passage_html)
        if any(a.topic == topic_id for a in passage.topics)
    ]


def coverage(company: Company, analyses: Analyses, topic_id: str) -> Coverage:
    latest = company.latest
    quotes = tuple(
        Quote(passage, Markup(html), cue_text(passage, topic_id))
        for passage, html in passages_on(analyses[latest.key], topic_id)
    )
    earlier = []
    for snapshot in reversed(company.versions[:-1]):
        found = passages_on(analyses[snapshot.key], topic_id)
        if found:
            earlier.append((snapshot, found[0][0]))
    return Coverage(company, latest, quotes, tuple(earlier))


def topic_pages(env: jinja2.Environment, companies: Sequence[Company], analyses: Analyses,
                topics: Sequence[Topic]) -> list[Page]:
    """The topics index, one page per topic, and the comparison matrix."""
    table = {topic.id: [coverage(company, analyses, topic.id) for company in companies] for topic in topics}
    pages = []
    for topic in topics:
        rows = table[topic.id]
        addressed = [row for row in rows if row.quotes]
        silent = [row for row in rows if not row.quotes]
        meta = {"title": html_title(topic.title), "topic": topic.id, "category": topic.category,
                "companies_addressing": len(addressed), "companies": len(rows),
                "hide": ["navigation"]}  # not in the nav: its sidebar would be empty
        pages.append(render(env, "topic.md.j2", topic_page_path(topic.id), meta,
                            topic=topic, addressed=addressed, silent=silent, total=len(rows)))
    counts = {topic.id: sum(1 for row in table[topic.id] if row.quotes) for topic in topics}
    pages.append(render(env, "topics.md.j2", "topics/index.md", {"title": "Topics"},
                        topics=topics, counts=counts, total=len(companies)))
    matrix = [
        {"company": company, "cells": [table[topic.id][index] for topic in topics]}
        for index, company in enumerate(companies)
    ]
    pages.append(render(env, "compare.md.j2", "compare.md", {"title": "Compare companies"},
                        topics=topics, matrix=matrix))
    return pages
