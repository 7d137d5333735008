"""Render stage, facts: the facts card of a snapshot page, the facts of a company's latest
version and how they changed, and the archive-wide statistics page with its charts.

Facts come from `analysis.facts` (generator/analyse/facts.py). Every fact shown links to the passage
it was found in (the `id` of the passage's `<section>` on the snapshot page), so a reader
can check it. The statistics count each company once: distributions use each company's
latest version; "by year" series use each company's last version archived in that year, so
a site captured ten times does not weigh ten times as much.
"""

from __future__ import annotations

import statistics
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from generator.render import charts
from generator.render import urls
from generator.render.base import Page, long_date, render
from generator.analyse.snapshot import SnapshotAnalysis
from generator.analyse.facts import Fact, Readability, SnapshotFacts, StatedDate
from generator.analyse.history import CHANGED, FIRST, VersionInfo
from generator.model import Company, Snapshot

if TYPE_CHECKING:
    from generator.archive import Archive

Analyses = Mapping[tuple[str, str], SnapshotAnalysis]

STATS_PAGE = "stats.md"
CHART_PREFIX = "stats-"
TOP_THIRD_PARTIES = 15
TOP_SERIES = 6  # lines on a "by year" chart
TOP_BARS = 15  # bars on a horizontal bar chart (its table lists all)
MIN_YEAR_POLICIES = 5  # a year with fewer policies is left out of the "by year" charts (kept in the table)

# Flesch's (1948) interpretation of reading ease scores, easiest first.
FLESCH_BANDS: tuple[tuple[float, str], ...] = (
    (90, "very easy"), (80, "easy"), (70, "fairly easy"), (60, "plain English"),
    (50, "fairly difficult"), (30, "difficult"), (float("-inf"), "very difficult"),
)
LENGTH_BINS: tuple[tuple[int, str], ...] = (
    (0, "under 500"), (500, "500–999"), (1000, "1,000–1,999"), (2000, "2,000–2,999"),
    (3000, "3,000–4,999"), (5000, "5,000–9,999"), (10000, "10,000 or more"),
)
GROUP_TITLES = {
    "data_types": "Data collected",
    "data_types_negated": "Says it does not collect",
    "third_parties": "Third parties named",
    "contacts": "Contact",
    "regulations": "Laws and frameworks",
}
STATED_KINDS = {"last_updated": "Last updated", "effective": "Effective", "revised": "Revised"}
CONTACT_KINDS = {"email": "email", "phone": "phone", "fax": "fax", "postal_address": "post"}


def reading_band(score: float) -> str:
    for floor, label in FLESCH_BANDS:
        if score >= floor:
            return label
    return FLESCH_BANDS[-1][1]


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------- facts card


@dataclass(frozen=True)
class FactLink:
    """One fact as shown: its label, the passage it links to and why (the phrase found)."""

    label: str
    href: Markup  # "#p-..." on the snapshot page, or a relative link to it
    why: str  # shown on hover/focus: the phrase as written and how often it occurs
    kind: str = ""  # third parties: analytics, advertising, ...; contacts: email, phone, ...


@dataclass(frozen=True)
class FactGroup:
    key: str
    title: str
    items: tuple[FactLink, ...]


@dataclass(frozen=True)
class FactsCard:
    groups: tuple[FactGroup, ...]  # the non-empty ones, in a fixed order
    readability: Readability
    band: str  # of the reading ease
    stated: FactLink | None  # the stated date, linked to its passage
    stated_date: StatedDate | None

    @property
    def empty(self) -> bool:
        return not self.groups and self.stated is None

    def count(self, key: str) -> int:
        return next((len(g.items) for g in self.groups if g.key == key), 0)


def _anchor(from_path: str, to_path: str, passage_id: str) -> Markup:
    if from_path == to_path:
        return urls.link(f"#{passage_id}")
    return urls.href(from_path, to_path, passage_id)


def _why(fact: Fact) -> str:
    first = fact.evidence[0].phrase if fact.evidence else ""
    passages = len({e.passage_id for e in fact.evidence})
    where = f"{plural(len(fact.evidence), 'mention')} in {plural(passages, 'passage')}"
    return f"Found as \u201c{first}\u201d; {where}" if first else where


def fact_link(fact: Fact, from_path: str, to_path: str) -> FactLink:
    passage = fact.evidence[0].passage_id if fact.evidence else ""
    kind = CONTACT_KINDS.get(fact.kind, fact.kind) if fact.kind != "data_type" else ""
    return FactLink(fact.label, _anchor(from_path, to_path, passage), _why(fact), kind)


def facts_card(facts: SnapshotFacts, from_path: str, to_path: str | None = None) -> FactsCard:
    """The card for the snapshot page `to_path` (default: `from_path`, the page itself)."""
    to_path = to_path or from_path
    groups = tuple(
        FactGroup(key, title, tuple(fact_link(f, from_path, to_path) for f in _sorted(key, getattr(facts, key))))
        for key, title in GROUP_TITLES.items()
        if getattr(facts, key)
    )
    stated = None
    if facts.stated_date is not None:
        sd = facts.stated_date
        label = f"{STATED_KINDS.get(sd.kind, sd.kind.replace('_', ' ').capitalize())} " + (
            long_date(sd.date) if sd.precision == "day" else f"{sd.date:%B %Y}")
        stated = FactLink(label, _anchor(from_path, to_path, sd.passage_id), f"Found as \u201c{sd.phrase}\u201d")
    r = facts.readability
    return FactsCard(groups, r, reading_band(r.flesch_reading_ease), stated, facts.stated_date)


def _sorted(key: str, facts: Sequence[Fact]) -> list[Fact]:
    # data types in document order read as the policy lists them; names alphabetically
    if key in ("third_parties", "regulations"):
        return sorted(facts, key=lambda f: f.label.casefold())
    return list(facts)


# --------------------------------------------------------------------------- company page


@dataclass(frozen=True)
class FactChange:
    title: str  # "Data collected", ...
    gained: tuple[FactLink, ...]  # linked to the newer version's passages
    lost: tuple[FactLink, ...]  # linked to the older version's passages


@dataclass(frozen=True)
class Comparison:
    label: str  # "the previous wording", "the first version"
    snapshot: Snapshot
    path: Markup  # Markdown link target from the company page
    changes: tuple[FactChange, ...]  # only the groups that changed


@dataclass(frozen=True)
class TrendRow:
    label: str
    snapshot: Snapshot
    path: Markup
    readability: Readability
    band: str
    counts: dict[str, int]  # data_types / third_parties / regulations


@dataclass(frozen=True)
class CompanyFacts:
    latest: Snapshot
    card: FactsCard
    comparisons: tuple[Comparison, ...]
    trend: tuple[TrendRow, ...]  # first, previous wording, latest (distinct versions only)
    trend_text: str


COMPARED_GROUPS = ("data_types", "third_parties", "regulations", "contacts")


def compare_facts(old: SnapshotFacts, new: SnapshotFacts, from_path: str, old_path: str,
                  new_path: str) -> tuple[FactChange, ...]:
    changes = []
    for key in COMPARED_GROUPS:
        before = {f.id: f for f in getattr(old, key)}
        after = {f.id: f for f in getattr(new, key)}
        gained = tuple(fact_link(after[i], from_path, new_path)
                       for i in sorted(after.keys() - before.keys(), key=lambda i: after[i].label.casefold()))
        lost = tuple(fact_link(before[i], from_path, old_path)
                     for i in sorted(before.keys() - after.keys(), key=lambda i: before[i].label.casefold()))
        if gained or lost:
            changes.append(FactChange(GROUP_TITLES[key], gained, lost))
    return tuple(changes)


def wording_start(company: Company, versions: Sequence[VersionInfo] | None) -> int:
    """Index of the version that introduced the latest version's wording: re-captures and
    cosmetic edits (known from the history stage) are not new wording."""
    index = len(company.versions) - 1
    if not versions or len(versions) != len(company.versions):
        return index
    while index > 0 and versions[index].change not in (FIRST, CHANGED):
        index -= 1
    return index


def trend_sentence(first: Readability, latest: Readability, first_day: str) -> str:
    delta = latest.flesch_reading_ease - first.flesch_reading_ease
    if abs(delta) < 5:
        direction = "about as hard to read as"
    elif delta > 0:
        direction = "easier to read than"
    else:
        direction = "harder to read than"
    words = latest.words - first.words
    length = ("the same length" if words == 0 else
              f"{abs(words):,} words {'longer' if words > 0 else 'shorter'}")
    return (f"The latest version is {direction} the first one archived ({first_day}): reading ease "
            f"{first.flesch_reading_ease:.0f} \u2192 {latest.flesch_reading_ease:.0f}, grade level "
            f"{first.flesch_kincaid_grade:.1f} \u2192 {latest.flesch_kincaid_grade:.1f}, and {length}.")


def company_facts(company: Company, analyses: Analyses,
                  versions: Sequence[VersionInfo] | None = None) -> CompanyFacts:
    """What the company page shows about facts: the latest version's card, and what changed since
    the previous wording and since the first version."""
    page = urls.company_page(company.domain)

    def snapshot_path(snapshot: Snapshot) -> str:
        return urls.snapshot_page(company.domain, snapshot.slug)

    def link_from_page(snapshot: Snapshot) -> Markup:
        return urls.link(urls.relative(page, snapshot_path(snapshot)))

    latest = company.latest
    latest_facts = analyses[latest.key].facts
    card = facts_card(latest_facts, page, snapshot_path(latest))
    start = wording_start(company, versions)
    candidates: list[tuple[str, Snapshot]] = []
    if start > 0:
        candidates.append(("the previous wording", company.versions[start - 1]))
    if company.versions[0] is not latest and (start - 1 != 0):
        candidates.append(("the first version", company.versions[0]))
    comparisons = tuple(
        Comparison(label, old, link_from_page(old),
                   compare_facts(analyses[old.key].facts, latest_facts, page, snapshot_path(old), snapshot_path(latest)))
        for label, old in candidates
    )
    rows: list[TrendRow] = []
    shown: list[tuple[str, Snapshot]] = []
    if len(company.versions) > 1:
        shown.append(("First", company.versions[0]))
        if start > 1:
            shown.append(("Previous wording", company.versions[start - 1]))
        shown.append(("Latest", latest))
    for label, snapshot in shown:
        f = analyses[snapshot.key].facts
        rows.append(TrendRow(label, snapshot, link_from_page(snapshot), f.readability,
                             reading_band(f.readability.flesch_reading_ease),
                             {key: len(getattr(f, key)) for key in ("data_types", "third_parties", "regulations")}))
    text = ""
    if len(company.versions) > 1:
        text = trend_sentence(analyses[company.versions[0].key].facts.readability, latest_facts.readability,
                              company.versions[0].archived_on.isoformat())
    return CompanyFacts(latest, card, comparisons, tuple(rows), text)


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class ChartBlock:
    """A chart on the stats page: the SVG, its text alternative and its data table."""

    chart: charts.Chart
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # a sentence under the chart

    @property
    def src(self) -> Markup:
        return urls.link(self.chart.path)  # a Markdown image: MkDocs makes it relative to the page


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    blocks: tuple[ChartBlock, ...]
    empty: str = ""  # shown when there is nothing to chart


@dataclass(frozen=True)
class ArchiveStats:
    summary: tuple[tuple[str, str], ...]  # (value, what it counts)
    sections: tuple[Section, ...]
    latest_count: int

    @property
    def charts(self) -> list[charts.Chart]:
        return [block.chart for section in self.sections for block in section.blocks]


def _share(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def latest_versions(companies: Sequence[Company]) -> list[Snapshot]:
    return [company.latest for company in companies]


def year_versions(companies: Sequence[Company]) -> dict[int, list[Snapshot]]:
    """Per year, each company's last version archived that year (one policy per company and year)."""
    years: dict[int, dict[str, Snapshot]] = {}
    for company in companies:
        for snapshot in company.versions:
            years.setdefault(snapshot.archived_on.year, {})[company.domain] = snapshot
    return {year: list(by_domain.values()) for year, by_domain in sorted(years.items())}


def _bin_label(value: int, bins: Sequence[tuple[int, str]]) -> str:
    label = bins[0][1]
    for floor, name in bins:
        if value >= floor:
            label = name
    return label


def _series_alt(kind: str, what: str, items: Sequence[tuple[str, str]], more: int = 0) -> str:
    listed = "; ".join(f"{label}: {value}" for label, value in items)
    tail = f"; and {more} more" if more > 0 else ""
    return f"{kind} of {what}. {listed}{tail}. The same numbers are in the data table below the chart."


def _length_section(latest: list[SnapshotFacts], per_year: dict[int, list[SnapshotFacts]]) -> Section:
    counts = Counter(_bin_label(f.readability.words, LENGTH_BINS) for f in latest)
    labels = [label for _, label in LENGTH_BINS]
    values = [counts.get(label, 0) for label in labels]
    n = len(latest)
    distribution = charts.bar_chart(
        f"{CHART_PREFIX}length", "Length of the latest policies",
        _series_alt("Bar chart", f"the length in words of each company's latest policy ({n} policies)",
                    [(label, plural(v, "policy", "policies")) for label, v in zip(labels, values)]),
        labels, values, "Policies", label_title="Words",
    )
    years = [str(y) for y in per_year]
    medians = [float(statistics.median(f.readability.words for f in fs)) for fs in per_year.values()]
    by_year = _yearly(
        f"{CHART_PREFIX}length-by-year", "Median policy length by year",
        _series_alt("Line chart", "the median length in words of the policies archived each year "
                    "(each company's last version of the year)",
                    _ends(years, [f"{m:,.0f} words" for m in medians])),
        per_year, {"Median words": medians}, "Words", "{:,.0f}",
    )
    words = sorted(f.readability.words for f in latest)
    note = (f"Half of the latest policies are shorter than {statistics.median(words):,.0f} words; the longest has "
            f"{words[-1]:,}, the shortest {words[0]:,}.") if words else ""
    return Section("Length", "How long the policies are, in words.", (
        ChartBlock(distribution, distribution.headers, distribution.rows, note),
        by_year,
    ))


def _ends(labels: Sequence[str], values: Sequence[str]) -> list[tuple[str, str]]:
    """First and last point of a series (and the points between when there are few)."""
    pairs = list(zip(labels, values))
    return pairs if len(pairs) <= 4 else [pairs[0], pairs[-1]]


def _yearly(name: str, title: str, description: str, per_year: Mapping[int, Sequence[Any]],
            series: Mapping[str, Sequence[float]], y_title: str, value_format: str) -> ChartBlock:
    """A line chart by year. Years with fewer than MIN_YEAR_POLICIES policies are gaps in the chart
    (one policy makes a share jump between 0 and 100%) but stay in the table, which also gives the
    number of policies behind each year."""
    years = [str(y) for y in per_year]
    sizes = [len(items) for items in per_year.values()]
    keep = [size >= MIN_YEAR_POLICIES for size in sizes]
    if not any(keep):  # a small archive: chart every year rather than nothing
        keep = [True] * len(sizes)
    shown = {label: [v if k else None for v, k in zip(values, keep)] for label, values in series.items()}
    chart = charts.line_chart(name, title, description, years, shown, y_title=y_title, value_format=value_format)
    rows = tuple((year, *(value_format.format(values[i]) for values in series.values()), f"{sizes[i]:,}")
                 for i, year in enumerate(years))
    left_out = [year for year, k in zip(years, keep) if not k]
    note = (f"Years with fewer than {MIN_YEAR_POLICIES} policies ({', '.join(left_out)}) are left out of the chart: "
            "too few to compare. The table has every year and the number of policies behind it.") if left_out else \
        "The table gives the number of policies behind each year."
    return ChartBlock(chart, (chart.headers[0], *series.keys(), "Policies"), rows, note)


def _readability_section(latest: list[SnapshotFacts], per_year: dict[int, list[SnapshotFacts]]) -> Section:
    bands = list(reversed(FLESCH_BANDS))  # hardest first
    labels = []  # short, so they fit under the bars; the band names are in the alt text and the table
    for i, (floor, name) in enumerate(bands):
        upper = bands[i + 1][0] if i + 1 < len(bands) else None
        if floor == float("-inf"):
            labels.append(f"below {upper:.0f}")
        elif upper is None:
            labels.append(f"{floor:.0f} and over")
        else:
            labels.append(f"{floor:.0f}–{upper - 1:.0f}")
    counts = Counter(reading_band(f.readability.flesch_reading_ease) for f in latest if f.readability.words)
    values = [counts.get(name, 0) for _, name in bands]
    scored = [f for f in latest if f.readability.words]
    distribution = charts.bar_chart(
        f"{CHART_PREFIX}readability", "Readability of the latest policies",
        _series_alt("Bar chart", f"the Flesch reading ease of each company's latest policy ({len(scored)} "
                    "policies), in Flesch's bands from very difficult to very easy",
                    [(f"{label} ({name})", plural(v, "policy", "policies"))
                     for label, (_, name), v in zip(labels, bands, values)]),
        labels, values, "Policies", label_title="Flesch reading ease",
    )
    band_rows = tuple((f"{label} ({name})", f"{v:,}") for label, (_, name), v in zip(labels, bands, values))
    years = [str(y) for y in per_year]
    ease = [float(statistics.median(f.readability.flesch_reading_ease for f in fs)) for fs in per_year.values()]
    grade = [float(statistics.median(f.readability.flesch_kincaid_grade for f in fs)) for fs in per_year.values()]
    by_year = _yearly(
        f"{CHART_PREFIX}readability-by-year", "Median readability by year",
        _series_alt("Line chart", "the median Flesch reading ease and Flesch-Kincaid grade level of the policies "
                    "archived each year (each company's last version of the year)",
                    _ends(years, [f"reading ease {e:.0f}, grade {g:.1f}" for e, g in zip(ease, grade)])),
        per_year, {"Reading ease (higher is easier)": ease, "Grade level": grade}, "Score", "{:.1f}",
    )
    median = statistics.median(f.readability.flesch_reading_ease for f in scored) if scored else 0.0
    note = (f"The median latest policy scores {median:.0f} ({reading_band(median)}); plain English scores 60 to 70. "
            "Reading ease = 206.835 \u2212 1.015 \u00d7 words per sentence \u2212 84.6 \u00d7 syllables per word.")
    return Section("Readability", "How hard the policies are to read, by the Flesch reading-ease score "
                   "(0\u2013100, higher is easier) and the Flesch-Kincaid grade (US school years).", (
                       ChartBlock(distribution, distribution.headers, band_rows, note),
                       by_year,
                   ))


def _labels(facts: Sequence[SnapshotFacts], key: str) -> tuple[dict[str, str], dict[str, str]]:
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for f in facts:
        for fact in getattr(f, key):
            labels.setdefault(fact.id, fact.label)
            kinds.setdefault(fact.id, fact.kind)
    return labels, kinds


def _mentions_section(title: str, intro: str, key: str, noun: str, nouns: str, latest: list[SnapshotFacts],
                      per_year: dict[int, list[SnapshotFacts]], limit: int | None, with_kind: bool,
                      empty: str, by_year: bool = True) -> Section:
    everything = [f for fs in per_year.values() for f in fs] + latest
    labels, kinds = _labels(everything, key)
    n = len(latest)
    counts = Counter(i for f in latest for i in set(f.ids(key)))
    ranked = sorted(counts, key=lambda i: (-counts[i], labels[i].casefold()))
    if not ranked:
        return Section(title, intro, (), empty)
    shown = ranked[:limit] if limit else ranked
    bars = shown[:TOP_BARS]
    only = f" ({len(bars)} most named; the table lists all {len(shown)})" if len(bars) < len(shown) else ""
    if with_kind:
        values = [float(counts[i]) for i in shown]
        chart = charts.bar_chart(
            f"{CHART_PREFIX}{key.replace('_', '-')}", f"{title}: most named in the latest policies",
            _series_alt("Horizontal bar chart", f"the {nouns} named most often in the latest policies of the {n} "
                        f"companies, by number of policies naming each{only}",
                        [(labels[i], str(counts[i])) for i in bars[:8]], len(bars) - 8),
            [labels[i] for i in bars], values[:len(bars)], "Policies naming it", label_title=noun.capitalize(),
            horizontal=True,
        )
        rows = tuple((labels[i], kinds[i], f"{counts[i]:,}", _pct(_share(counts[i], n))) for i in shown)
        headers = (noun.capitalize(), "Kind", "Policies naming it", f"Share of {n}")
    else:
        values = [_share(counts[i], n) for i in shown]
        chart = charts.bar_chart(
            f"{CHART_PREFIX}{key.replace('_', '-')}", f"{title}: % of the latest policies naming each",
            _series_alt("Horizontal bar chart", f"the percentage of the {n} companies' latest policies that mention "
                        f"each {noun}{only}", [(labels[i], _pct(_share(counts[i], n))) for i in bars[:8]],
                        len(bars) - 8),
            [labels[i] for i in bars], values[:len(bars)], "% of policies", label_title=noun.capitalize(),
            horizontal=True, value_format="{:.0f}%",
        )
        rows = tuple((labels[i], f"{counts[i]:,}", _pct(_share(counts[i], n))) for i in shown)
        headers = (noun.capitalize(), "Policies", f"Share of {n}")
    blocks = [ChartBlock(chart, headers, rows)]
    top = ranked[:TOP_SERIES]
    if by_year and len(per_year) > 1:
        series = {labels[i]: [_share(sum(1 for f in fs if i in f.ids(key)), len(fs)) for fs in per_year.values()]
                  for i in top}
        blocks.append(_yearly(
            f"{CHART_PREFIX}{key.replace('_', '-')}-by-year", f"{title} by year",
            f"Line chart of the percentage of policies archived each year (each company's last version of the "
            f"year) that mention each of the {len(top)} {nouns} mentioned most in the latest policies: "
            f"{', '.join(labels[i] for i in top)}. The same numbers are in the data table below the chart.",
            per_year, series, "% of policies", "{:.0f}%",
        ))
    return Section(title, intro, tuple(blocks))


def archive_stats(companies: Sequence[Company], analyses: Analyses) -> ArchiveStats:
    latest = [analyses[s.key].facts for s in latest_versions(companies)]
    per_year = {year: [analyses[s.key].facts for s in snapshots]
                for year, snapshots in year_versions(companies).items()}
    snapshots = sum(len(c.versions) for c in companies)
    n = len(latest)
    if not n:
        return ArchiveStats((), (), 0)
    words = statistics.median(f.readability.words for f in latest)
    ease = statistics.median(f.readability.flesch_reading_ease for f in latest)
    summary = (
        (f"{n:,}", "companies"),
        (f"{snapshots:,}", "snapshots"),
        (f"{words:,.0f}", "words in the median latest policy"),
        (f"{ease:.0f}", f"median reading ease ({reading_band(ease)})"),
        (_pct(_share(sum(1 for f in latest if f.stated_date), n)), "state a last-updated or effective date"),
        (_pct(_share(sum(1 for f in latest if f.third_parties), n)), "name a third party"),
        (_pct(_share(sum(1 for f in latest if f.regulations), n)), "name a law or framework"),
    )
    sections = (
        _length_section(latest, per_year),
        _readability_section(latest, per_year),
        _mentions_section("Third parties", "Companies and services the policies name (analytics, advertising, "
                          "social networks, payment, hosting ...).", "third_parties", "third party", "third parties", latest,
                          per_year, TOP_THIRD_PARTIES, True, "No policy names a known third party.", by_year=False),
        _mentions_section("Data types", "Kinds of personal data the policies say they collect or use (a mention "
                          "that is negated, as in \u201cwe do not collect\u201d, does not count).", "data_types",
                          "data type", "data types", latest, per_year, None, False, "No policy mentions a known data type."),
        _mentions_section("Laws and frameworks", "Laws, regulations, self-regulatory programmes and standards "
                          "the policies name.", "regulations", "law or framework", "laws and frameworks", latest, per_year, None, False,
                          "No policy names a known law or framework."),
    )
    return ArchiveStats(summary, sections, n)


_memo: dict[int, tuple[weakref.ref, ArchiveStats]] = {}


def stats_for(archive: Archive) -> ArchiveStats:
    """`archive_stats` once per archive object (the page and the chart files both need it)."""
    key = id(archive)
    hit = _memo.get(key)
    if hit is not None and hit[0]() is archive:
        return hit[1]
    stats = archive_stats(archive.companies, archive.summaries)
    _memo[key] = (weakref.ref(archive, lambda _ref, key=key: _memo.pop(key, None)), stats)
    return stats


def stats_page(env: jinja2.Environment, archive: Archive) -> Page:
    stats = stats_for(archive)
    meta = {"title": "Statistics", "hide": ["navigation"]}
    return render(env, "stats.md.j2", STATS_PAGE, meta, stats=stats)


def stats_files(archive: Archive) -> dict[str, bytes]:
    """The SVG charts of the stats page, as extra files for the docs folder."""
    return {chart.path: chart.svg for chart in stats_for(archive).charts}

