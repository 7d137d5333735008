"""Render stage, topics: what every company's policy says on each topic, quoted and linked.

`topics/index.md` lists the topics, `topics/<id>.md` quotes each company's passages on
one topic from its latest snapshot (older versions linked), and `compare.md` is the
companies x topics matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import jinja2
from markupsafe import Markup

from generator.analyse.snapshot import SnapshotAnalysis
from generator.model import Company, Passage, Snapshot, Topic
from generator.render import urls
from generator.render.base import Page, html_title, render
from generator.analyse.store import AnalysisSummary

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


def cue_text(passage: Passage, topic_id: str) -> str:
    for assignment in passage.topics:
        if assignment.topic == topic_id:
            return "; ".join(assignment.cues)
    return ""


class QuotedPassage(NamedTuple):
    """A passage of a company's latest version as the topic pages quote it (plain values: the quotes
    of every company are cached in one file and held together while the pages are rendered)."""

    id: str
    heading_path: tuple[str, ...]
    line_start: int
    line_end: int
    html: str
    cues: tuple[tuple[str, str], ...]  # (topic id, why the tagger chose it), one per topic


def analysis_quotes(analysis: SnapshotAnalysis) -> tuple[QuotedPassage, ...]:
    """What the topic pages quote of an analysis (of a company's latest version)."""
    return tuple(
        QuotedPassage(passage.id, passage.heading_path, passage.line_start, passage.line_end, html,
                      tuple((topic_id, cue_text(passage, topic_id))
                            for topic_id in dict.fromkeys(a.topic for a in passage.topics)))
        for passage, html in zip(analysis.passages, analysis.passage_html) if passage.topics
    )


def by_topic(quoted: Sequence[QuotedPassage]) -> dict[str, list[tuple[QuotedPassage, str]]]:
    """Topic id -> the passages on it, each with the cues for that topic."""
    topics: dict[str, list[tuple[QuotedPassage, str]]] = {}
    for passage in quoted:
        for topic_id, cues in passage.cues:
            topics.setdefault(topic_id, []).append((passage, cues))
    return topics


def quotes_on(quoted: Sequence[tuple[QuotedPassage, str]]) -> tuple[Quote, ...]:
    return tuple(Quote(Passage(q.id, q.heading_path, "", "", q.line_start, q.line_end), Markup(q.html), cues)
                 for q, cues in quoted)


def earlier_versions(company: Company, summaries: Summaries) -> dict[str, tuple[tuple[Snapshot, PassageLink], ...]]:
    """Topic id -> the earlier versions addressing it, newest first, each with its first passage on it."""
    earlier: dict[str, list[tuple[Snapshot, PassageLink]]] = {}
    for snapshot in reversed(company.versions[:-1]):
        for topic_id, passage_id in summaries[snapshot.key].first_passages.items():
            earlier.setdefault(topic_id, []).append((snapshot, PassageLink(passage_id)))
    return {topic_id: tuple(found) for topic_id, found in earlier.items()}


def topic_pages(env: jinja2.Environment, companies: Sequence[Company],
                quotes: Callable[[Company], Sequence[QuotedPassage]], summaries: Summaries,
                topics: Sequence[Topic]) -> Iterator[Page]:
    """The topics index, one page per topic, and the comparison matrix.

    `quotes(company)`: analysis_quotes of the company's latest version (from a cache, or computed).
    Each page's rows are made while it is rendered: only the plain quotes are held for all topics.
    """
    quoted = [by_topic(quotes(company)) for company in companies]
    earlier = [earlier_versions(company, summaries) for company in companies]

    def coverage(topic_id: str) -> list[Coverage]:
        return [Coverage(company, company.latest, quotes_on(q.get(topic_id, ())), e.get(topic_id, ()))
                for company, q, e in zip(companies, quoted, earlier)]

    counts: dict[str, int] = {}
    first_quotes: dict[str, list[Coverage]] = {}  # the compare matrix links each cell's first quote
    for topic in topics:
        rows = coverage(topic.id)
        addressed = [row for row in rows if row.quotes]
        silent = [row for row in rows if not row.quotes]
        counts[topic.id] = len(addressed)
        first_quotes[topic.id] = [replace(row, quotes=row.quotes[:1], earlier=()) for row in rows]
        meta = {"title": html_title(topic.title), "topic": topic.id, "category": topic.category,
                "companies_addressing": len(addressed), "companies": len(rows),
                "hide": ["navigation"]}  # not in the nav: its sidebar would be empty
        yield render(env, "topic.md.j2", urls.topic_page(topic.id), meta,
                     topic=topic, addressed=addressed, silent=silent, total=len(rows))
    yield render(env, "topics.md.j2", urls.TOPICS_PAGE, {"title": "Topics"},
                 topics=topics, counts=counts, total=len(companies))
    matrix = [
        {"company": company, "cells": [first_quotes[topic.id][index] for topic in topics]}
        for index, company in enumerate(companies)
    ]
    yield render(env, "compare.md.j2", "compare.md", {"title": "Compare companies"}, topics=topics, matrix=matrix)
