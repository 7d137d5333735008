"""Render stage, history: diff pages, the timeline, version-history tables, charts and feeds.

Inputs are the companies, their analyses and `histories` (domain -> `VersionInfo`s in
order, from store.analyse_archive). Every word-level diff is computed once, with the
history, and kept in a `DiffStore` (generator/analyse/store.py) for the diff pages.

Pages and files:

- `companies/<domain>/<slug>/changes.md` for every non-first version;
- `timeline.md` (and `timeline/<year>.md` when the timeline is too long for one page);
- `charts/timeline-length.svg`, `charts/timeline-terms.svg`, `charts/companies/<domain>.svg`;
- `feeds/all.xml` and `feeds/<domain>.xml` (Atom).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.render import charts

from generator.render import feeds
from generator.analyse.snapshot import SnapshotAnalysis
from generator.read.site_data import load_data_file
from generator.analyse.diff import DiffResult, SectionChanges, render_diff_html
from generator.analyse.history import ANNOUNCED, CHANGED, COSMETIC, FIRST, RECAPTURE, SILENT, UNDATED, VersionInfo
from generator.analyse.markup import as_html_block
from generator.model import Company, Snapshot, Topic
from generator.render import urls
from generator.render.base import Page, html_title, long_date, render
from generator.analyse.store import KEY_TERMS, AnalysisSummary, DiffStore

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]
Summaries = Mapping[tuple[str, str], AnalysisSummary]
Histories = Mapping[str, Sequence[VersionInfo]]

# Above this many events (first captures + real changes) the timeline gets one page per year.
TIMELINE_PAGE_LIMIT = 400
ALL_FEED_LIMIT = 50
CHANGE_LABELS = {FIRST: "first version", RECAPTURE: "recapture", COSMETIC: "cosmetic", CHANGED: "changed"}
CHANGE_TEXT = {
    RECAPTURE: "The archive captured the same text again: only whitespace differs from the previous version.",
    COSMETIC: ("Only cosmetic differences: typography (quotes, dashes), markup, link targets, copyright years or "
               "navigation links. The wording a reader sees is the same, so this is not counted as a change."),
    CHANGED: "The wording of the policy changed.",
}


# --------------------------------------------------------------------------- labels


def change_label(version: VersionInfo) -> str:
    label = CHANGE_LABELS[version.change]
    return f"{label}, {version.announcement}" if version.announcement else label


def announcement_text(version: VersionInfo, previous: VersionInfo | None) -> str:
    """One sentence on whether the policy said it changed (only for changed versions)."""
    stated = long_date(version.stated_date) if version.stated_date else None
    before = long_date(previous.stated_date) if previous and previous.stated_date else None
    if version.announcement == ANNOUNCED:
        if before:
            return f"Announced: the policy's stated date moved from {before} to {stated}."
        return f"Announced: the policy now states a date ({stated}); the previous version stated none."
    if version.announcement == SILENT:
        return (f"Silent change: the wording changed but the policy still states the same date ({stated}). "
                "Nothing in the policy tells a reader it was edited.")
    if version.announcement == UNDATED:
        return "Undated: this version states no \"last updated\" or effective date, so a reader cannot tell it changed."
    return ""


# --------------------------------------------------------------------------- diff pages


@dataclass(frozen=True)
class TopicLink:
    title: str
    path: str  # docs path of the topic page


def topic_changes(old: SnapshotAnalysis, new: SnapshotAnalysis,
                  topics: Sequence[Topic]) -> tuple[list[TopicLink], list[TopicLink]]:
    known = {topic.id: topic for topic in topics}
    gained = sorted(new.topic_ids - old.topic_ids)
    lost = sorted(old.topic_ids - new.topic_ids)

    def links(ids: Sequence[str]) -> list[TopicLink]:
        return [TopicLink(known[i].title, urls.topic_page(i)) for i in ids if i in known]

    return links(gained), links(lost)


def diff_page(env: jinja2.Environment, company: Company, index: int, versions: Sequence[VersionInfo],
              analyses: Analyses, topics: Sequence[Topic], store: DiffStore) -> Page:
    snapshot, previous = company.versions[index], company.versions[index - 1]
    version, prev_version = versions[index], versions[index - 1]
    analysis, prev_analysis = analyses[snapshot.key], analyses[previous.key]
    path = urls.changes_page(company.domain, snapshot.slug)
    result: DiffResult | None = None
    sections: SectionChanges | None = None
    diff_html = Markup("")
    if version.change != RECAPTURE:
        result = store.diff(previous, snapshot)  # computed with the history: a cache hit
        sections = store.sections(previous, snapshot, prev_analysis, analysis)
        diff_html = Markup(as_html_block(render_diff_html(result)))
    gained, lost = topic_changes(prev_analysis, analysis, topics)
    meta = {
        "title": html_title(f"{company.name}: what changed on {snapshot.archived_on.isoformat()}"),
        "domain": company.domain,
        "company": company.name,
        "archived_on": snapshot.archived_on,
        "change": version.change,
        "announcement": version.announcement,
        "stated_date": version.stated_date,
        "previous_stated_date": prev_version.stated_date,
        "previous": previous.slug,
        "next": version.next_slug,
        "words_added": version.words_added,
        "words_removed": version.words_removed,
        "feed": urls.feed_path(company.domain),
        "hide": ["navigation"],
        "search": {"exclude": True},  # the text is on the two snapshot pages already
    }
    return render(
        env, "changes.md.j2", path, meta,
        company=company, snapshot=snapshot, previous=previous, version=version, prev_version=prev_version,
        analysis=analysis, prev_analysis=prev_analysis, result=result, sections=sections,
        gained=gained, lost=lost, diff_html=diff_html,
        change_text=CHANGE_TEXT.get(version.change, ""),
        announcement=announcement_text(version, prev_version),
        feed=urls.feed_path(company.domain),
    )


# --------------------------------------------------------------------------- company pages


def company_history(company: Company, versions: Sequence[VersionInfo]) -> dict[str, Any]:
    """What company.md.j2 shows about the history: table rows newest first, chart, feed."""
    page = urls.company_page(company.domain)
    rows = [
        {"snapshot": snapshot, "version": version, "label": change_label(version),
         "diff": urls.relative(page, urls.changes_page(company.domain, snapshot.slug))
         if version.change != FIRST else None}
        for snapshot, version in zip(reversed(company.versions), reversed(versions))
    ]
    chart = None
    if len(versions) >= 2:
        first, last = company.versions[0], company.versions[-1]
        chart = {
            "src": urls.relative(page, urls.chart_path(urls.company_chart_name(company.domain))),
            "alt": (f"Line chart: length of the {company.name} privacy policy in words at each of its "
                    f"{len(versions)} archived versions, from {versions[0].words:,} words on "
                    f"{first.archived_on.isoformat()} to {versions[-1].words:,} words on "
                    f"{last.archived_on.isoformat()}. The values are in the Words column of the table below."),
        }
    counts = {kind: sum(1 for v in versions if v.change == kind) for kind in CHANGE_LABELS}
    silent = sum(1 for v in versions if v.announcement == SILENT)
    return {"rows": rows, "chart": chart, "feed": urls.feed_path(company.domain), "counts": counts, "silent": silent}


def company_chart(company: Company, versions: Sequence[VersionInfo]) -> charts.Chart:
    labels = [s.archived_on.strftime("%Y-%m") for s in company.versions]  # short enough not to overlap
    return charts.line_chart(
        urls.company_chart_name(company.domain), f"{company.name}: policy length", "",
        labels, {"Words": [v.words for v in versions]}, y_title="Words", x_title="Version",
    )


# --------------------------------------------------------------------------- milestones


@dataclass(frozen=True)
class Milestone:
    day: date
    title: str
    detail: str = ""
    url: str | None = None

    @property
    def source_html(self) -> Markup:
        if not self.url:
            return Markup("")
        return Markup(' <a href="{}" rel="nofollow noopener noreferrer">Source</a>').format(self.url)


def load_milestones(content_dir: Path) -> list[Milestone]:
    """content/milestones.yml: a list of {date, title, detail?, url?}, oldest first after loading.

    The shape, and that each date (quoted or not) is a real YYYY-MM-DD day, is checked by
    schemas/milestones.schema.json."""
    document = load_data_file(content_dir, "milestones.yml")
    raw = (document.data if document else None) or []
    if isinstance(raw, dict):
        raw = raw.get("milestones") or []
    out = [Milestone(date.fromisoformat(entry["date"]), entry["title"], entry.get("detail") or "", entry.get("url"))
           for entry in raw]
    return sorted(out, key=lambda m: m.day)


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Event:
    company: Company
    snapshot: Snapshot
    version: VersionInfo

    @property
    def day(self) -> date:
        return self.snapshot.archived_on


def timeline_events(companies: Sequence[Company], histories: Histories) -> list[Event]:
    """Every first capture and every real change (never recaptures or cosmetic edits), newest first."""
    events = [
        Event(company, snapshot, version)
        for company in companies
        for snapshot, version in zip(company.versions, histories[company.domain])
        if version.change in (FIRST, CHANGED)
    ]
    return sorted(events, key=lambda e: (e.day, e.company.domain, e.snapshot.slug), reverse=True)


def year_chunks(events: Sequence[Event], milestones: Sequence[Milestone]) -> list[dict[str, Any]]:
    """One year's events (newest first) cut into runs, with each milestone placed between them by date."""
    chunks: list[dict[str, Any]] = []
    pending = sorted(milestones, key=lambda m: m.day, reverse=True)
    for event in events:
        while pending and pending[0].day > event.day:
            chunks.append({"milestone": pending.pop(0), "events": None})
        if not chunks or chunks[-1]["events"] is None:
            chunks.append({"milestone": None, "events": []})
        chunks[-1]["events"].append(event)
    chunks.extend({"milestone": m, "events": None} for m in pending)
    return chunks


def _year_snapshots(companies: Sequence[Company]) -> dict[int, list[Snapshot]]:
    """Per year, each company's last version archived that year (so frequent captures do not weigh more)."""
    years: dict[int, dict[str, Snapshot]] = {}
    for company in companies:
        for snapshot in company.versions:
            years.setdefault(snapshot.archived_on.year, {})[company.domain] = snapshot
    return {year: list(by_domain.values()) for year, by_domain in sorted(years.items())}


def archive_charts(companies: Sequence[Company], summaries: Summaries) -> list[charts.Chart]:
    """The timeline's charts: median length and key terms by year."""
    if not companies:
        return []
    found = _year_snapshots(companies)
    per_year = {year: found.get(year, []) for year in range(min(found), max(found) + 1)}  # gaps stay gaps
    labels = [str(year) for year in per_year]
    medians = [statistics.median(summaries[s.key].words for s in snapshots) if snapshots else None
               for snapshots in per_year.values()]
    length = charts.line_chart(
        "timeline-length", "Median privacy policy length by year",
        "Line chart of the median length in words of the archived privacy policies, year by year "
        "(each company's last version archived that year). The data table follows the chart.",
        labels, {"Median words": medians}, y_title="Words",
    )
    shares: dict[str, list[float]] = {term: [] for term in KEY_TERMS}
    for snapshots in per_year.values():
        mentioned = [summaries[s.key].key_terms for s in snapshots]
        for term in KEY_TERMS:
            shares[term].append(100.0 * sum(1 for terms in mentioned if term in terms) / len(mentioned)
                                if mentioned else None)
    terms = charts.line_chart(
        "timeline-terms", "Share of policies mentioning key terms, by year",
        "Line chart of the percentage of archived privacy policies (each company's last version archived "
        "that year) that mention each of " + ", ".join(KEY_TERMS) + ". The data table follows the chart.",
        labels, shares, y_title="% of policies", value_format="{:.0f}%",
    )
    return [length, terms]


def timeline_pages(env: jinja2.Environment, companies: Sequence[Company], histories: Histories,
                   milestones: Sequence[Milestone], chart_list: Sequence[charts.Chart],
                   limit: int = TIMELINE_PAGE_LIMIT) -> list[Page]:
    """`chart_list`: archive_charts(...), shown on the timeline page (their SVGs are files of their own)."""
    events = timeline_events(companies, histories)
    years_with_events = sorted({e.day.year for e in events}, reverse=True)
    if years_with_events:
        lo, hi = years_with_events[-1], years_with_events[0]
        shown = [m for m in milestones if lo <= m.day.year <= hi]
    else:
        shown = []
    all_years = sorted({e.day.year for e in events} | {m.day.year for m in shown}, reverse=True)
    by_year = {year: [e for e in events if e.day.year == year] for year in all_years}
    sections = []
    for year in all_years:
        year_events = by_year[year]
        sections.append({
            "year": year,
            "chunks": year_chunks(year_events, [m for m in shown if m.day.year == year]),
            "firsts": sum(1 for e in year_events if e.version.change == FIRST),
            "changes": sum(1 for e in year_events if e.version.change == CHANGED),
            "silent": sum(1 for e in year_events if e.version.announcement == SILENT),
            "milestones": [m for m in shown if m.day.year == year],
        })
    split = len(events) > limit
    totals = {
        "firsts": sum(s["firsts"] for s in sections),
        "changes": sum(s["changes"] for s in sections),
        "announced": sum(1 for e in events if e.version.announcement == ANNOUNCED),
        "silent": sum(1 for e in events if e.version.announcement == SILENT),
        "undated": sum(1 for e in events if e.version.announcement == UNDATED),
    }
    meta = {"title": "Timeline", "feed": urls.feed_path(), "hide": ["navigation"]}
    pages = [render(env, "timeline.md.j2", urls.TIMELINE_PAGE, meta, sections=sections, split=split,
                    charts=chart_list, totals=totals, feed=urls.feed_path(), root="")]
    if split:
        for section in sections:
            pages.append(render(
                env, "timeline_year.md.j2", urls.timeline_year_page(section["year"]),
                {"title": f"Timeline {section['year']}", "feed": urls.feed_path(), "hide": ["navigation"]},
                section=section, root="../", feed=urls.feed_path(),
            ))
    return pages


# --------------------------------------------------------------------------- feeds


def _entry(company: Company, snapshot: Snapshot, version: VersionInfo, previous: VersionInfo | None) -> feeds.FeedEntry:
    if version.change == FIRST:
        title = f"{company.name}: privacy policy first archived"
        target = urls.snapshot_url(company.domain, snapshot.slug)
        summary = f"First archived version of the {company.domain} privacy policy, {version.words:,} words."
    elif version.change == CHANGED:
        title = f"{company.name}: privacy policy changed ({version.announcement})"
        target = urls.changes_url(company.domain, snapshot.slug)
        summary = (f"The wording changed: {version.words_added:,} words added, {version.words_removed:,} removed; "
                   f"now {version.words:,} words. " + announcement_text(version, previous))
    else:
        title = f"{company.name}: new snapshot, wording unchanged ({CHANGE_LABELS[version.change]})"
        target = urls.changes_url(company.domain, snapshot.slug)
        summary = CHANGE_TEXT[version.change]
    return feeds.FeedEntry(f"{company.domain}/{snapshot.slug}", title, snapshot.archived_on, urls.from_feed(target),
                           summary)


def company_feed(company: Company, versions: Sequence[VersionInfo]) -> tuple[str, bytes]:
    """(path, Atom document) of one company's snapshots and changes."""
    entries = feed_entries(company, versions)
    return urls.feed_path(company.domain), feeds.atom_feed(
        f"company/{company.domain}", f"{company.name} privacy policy: snapshots and changes",
        f"{company.domain}.xml", urls.from_feed(urls.company_url(company.domain)), entries, limit=max(1, len(entries)),
    )


def feed_entries(company: Company, versions: Sequence[VersionInfo]) -> list[feeds.FeedEntry]:
    return [_entry(company, s, v, versions[i - 1] if i else None)
            for i, (s, v) in enumerate(zip(company.versions, versions))]


def all_feed(companies: Sequence[Company], histories: Histories) -> tuple[str, bytes]:
    """(path, Atom document) of the newest snapshots and changes of the whole archive."""
    everything = [entry for company in companies for entry in feed_entries(company, histories[company.domain])]
    return urls.feed_path(), feeds.atom_feed(
        "all", "Privacy policy archive: new snapshots and changes", "all.xml",
        urls.from_feed(urls.page_url(urls.TIMELINE_PAGE)), everything, limit=ALL_FEED_LIMIT,
    )


# --------------------------------------------------------------------------- entry points


def diff_pages(env: jinja2.Environment, company: Company, versions: Sequence[VersionInfo], analyses: Analyses,
               topics: Sequence[Topic], store: DiffStore) -> list[Page]:
    """The diff page of every version of `company` but the first."""
    return [diff_page(env, company, index, versions, analyses, topics, store)
            for index in range(1, len(company.versions))]


def company_files(company: Company, versions: Sequence[VersionInfo]) -> dict[str, bytes]:
    """The company's Atom feed, and its policy-length chart when it has two versions or more."""
    files = dict([company_feed(company, versions)])
    if len(versions) >= 2:
        chart = company_chart(company, versions)
        files[chart.path] = chart.svg
    return files
