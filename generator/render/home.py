"""Render stage, home page sections: latest changes, the topics as cards, the archive over time.

`home_sections(...)` gives the extra context for `pages.home_page` (templates/home.md.j2);
`home_files(...)` the chart it embeds (`charts/home-archive.svg`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.render import charts, urls
from generator.analyse.snapshot import SnapshotAnalysis
from generator.analyse.history import CHANGED, VersionInfo
from generator.model import Company, Snapshot, Topic

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]
Histories = Mapping[str, Sequence[VersionInfo]]

LATEST_CHANGES = 10
SUMMARY_LIMIT = 140  # characters of a topic card's one-line description
CHART_NAME = "home-archive"
_SENTENCE_RE = re.compile(r"^(.+?[.!?])(?:\s|$)")


@dataclass(frozen=True)
class ChangeRow:
    company: Company
    snapshot: Snapshot
    version: VersionInfo

    @property
    def diff_path(self) -> str:
        return urls.changes_page(self.company.domain, self.snapshot.slug)


@dataclass(frozen=True)
class TopicCard:
    topic: Topic
    summary: str  # the first sentence of the description
    addressing: int  # companies whose latest policy addresses the topic
    total: int


def latest_changes(companies: Sequence[Company], histories: Histories, limit: int = LATEST_CHANGES) -> list[ChangeRow]:
    """The newest real changes in wording (never first captures, recaptures or cosmetic edits), newest first."""
    rows = [
        ChangeRow(company, snapshot, version)
        for company in companies
        for snapshot, version in zip(company.versions, histories.get(company.domain, ()))
        if version.change == CHANGED
    ]
    rows.sort(key=lambda r: (r.snapshot.archived_on, r.company.domain, r.snapshot.slug), reverse=True)
    return rows[:limit]


def first_sentence(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """A one-line summary of a topic description: its first sentence, cut at a clause if long."""
    text = " ".join(text.split())
    match = _SENTENCE_RE.match(text)
    sentence = match.group(1) if match else text
    if len(sentence) <= limit:
        return sentence
    clauses = [i for i in (sentence.find(mark) for mark in (" - ", " – ", ": ", "; ")) if 40 <= i <= limit]
    if clauses:
        return sentence[:min(clauses)].rstrip(" ,") + "."
    cut = sentence.rfind(", ", 50, limit)
    if cut < 0:
        cut = sentence.rfind(" ", 0, limit)
    return sentence[:cut].rstrip(" ,") + "…"


def topic_cards(topics: Sequence[Topic], companies: Sequence[Company], analyses: Analyses) -> list[TopicCard]:
    addressing: Counter[str] = Counter()
    for company in companies:
        addressing.update(analyses[company.latest.key].topic_ids)
    return [TopicCard(topic, first_sentence(topic.description), addressing[topic.id], len(companies))
            for topic in topics]


def archive_chart(companies: Sequence[Company]) -> charts.Chart | None:
    """Snapshots archived and companies first archived, per year (gaps as zero)."""
    if not companies:
        return None
    snapshots = Counter(s.archived_on.year for c in companies for s in c.versions)
    firsts = Counter(c.versions[0].archived_on.year for c in companies)
    years = list(range(min(snapshots), max(snapshots) + 1))
    first_year, last_year = years[0], years[-1]
    return charts.line_chart(
        CHART_NAME, "The archive by year",
        f"Line chart of the number of privacy policy snapshots archived each year and of the companies whose "
        f"policy was first archived that year, {first_year} to {last_year}. The data table follows the chart.",
        [str(y) for y in years],
        {"Snapshots archived": [snapshots[y] for y in years], "Companies first archived": [firsts[y] for y in years]},
        y_title="Count",
    )


def home_sections(companies: Sequence[Company], analyses: Analyses, histories: Histories,
                  topics: Sequence[Topic]) -> dict[str, Any]:
    """Extra context for pages.home_page: changes, topic_cards, chart."""
    return {
        "changes": latest_changes(companies, histories),
        "topic_cards": topic_cards(topics, companies, analyses),
        "chart": archive_chart(companies),
    }


def home_files(companies: Sequence[Company]) -> dict[str, bytes]:
    chart = archive_chart(companies)
    return {chart.path: chart.svg} if chart else {}
