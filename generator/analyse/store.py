"""What the build keeps about each snapshot between runs, and the analysis of a whole archive.

Per snapshot, the build needs three things of very different sizes:

- the full analysis (passages, their HTML, facts with evidence: tens of KB), only for the pages
  that show it: `AnalysisStore`, one pickle per analysis, loaded when a page needs it;
- a summary (words, topics, facts without evidence ...: a few hundred bytes), for the pages
  about the whole archive: `AnalysisSummary`, all of them in one file;
- what its history needs (the body's `BodyTraits`, and the word counts of each diff with the
  previous version), all in one file; the diffs themselves are in `DiffStore`, for diff pages.

Analyses are keyed by the body, its first line and the analysis context (`analysis_key`), so
recaptures of the same text are analysed once. `analyse_archive` finds what is missing,
computes it company by company (in worker processes when there is much to do; a company's
files are read once, for its analyses, body traits and diffs) and derives every company's
version history from the summaries and history inputs.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from generator.analyse.snapshot import AnalysisContext, SnapshotAnalysis, analyse_snapshot, analysis_key
from generator.util.cache import KeyedStore, code_digest, load_pickle, prune_folder, save_pickle
from generator.analyse.diff import DiffResult, SectionChanges, section_changes, word_diff
from generator.analyse.facts import SnapshotFacts
from generator.analyse.history import CHANGED, COSMETIC, BodyTraits, VersionInfo, body_traits, classify_traits, history_from_traits
from generator.model import Company, Snapshot
from generator.util.parallel import Progress, pool, worker_count

PARALLEL_THRESHOLD = 200  # snapshots to analyse; below this, starting processes costs more than it saves
LOADED_ANALYSES = 64  # full analyses kept in memory by an `Analyses` view (the pages of one company use a few)

# Key terms charted on the timeline: share of policies (one per company and year) mentioning each.
KEY_TERMS: dict[str, re.Pattern[str]] = {
    "cookies": re.compile(r"\bcookies?\b", re.I),
    "third parties": re.compile(r"\bthird[- ]?part(?:y|ies)\b", re.I),
    "children": re.compile(r"\bchild(?:ren)?\b|\bCOPPA\b", re.I),
    "Do Not Track": re.compile(r"\bdo[- ]not[- ]track\b", re.I),
    "GDPR": re.compile(r"\bGDPR\b|General Data Protection Regulation", re.I),
    "California": re.compile(r"\bCalifornia\b|\bCCPA\b|\bCalOPPA\b", re.I),
}


def search_text(analysis: SnapshotAnalysis) -> str:
    """The passages' plain text, one passage a line (a section's first passage starts with its heading)."""
    return "\n".join(p.text.strip() for p in analysis.passages if p.text.strip())


# --------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class AnalysisSummary:
    """What the pages about the whole archive need of one analysis.

    It answers `words`, `reading_minutes`, `topic_ids`, `stated_date` and `facts` (without the
    evidence) like the SnapshotAnalysis it summarises, so those pages take either.
    """

    key: str  # analysis_key of the analysis
    words: int
    reading_minutes: int
    passages: int  # how many
    topic_ids: frozenset[str]
    first_passages: dict[str, str]  # topic id -> id of the first passage on it
    facts: SnapshotFacts  # every Fact's evidence left out
    key_terms: frozenset[str]  # the KEY_TERMS the text mentions
    search_sha256: str  # of search_text(analysis): a search segment is rebuilt when it changes

    @property
    def stated_date(self) -> date | None:
        return self.facts.stated_date.date if self.facts.stated_date else None


FACT_GROUPS = ("data_types", "data_types_negated", "third_parties", "contacts", "regulations")


class Interner:
    """One object for equal values: summaries share their facts and topic ids, in memory and in the
    pickle (pickle writes an object shared by many summaries once), which halves loading them."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        return self.values.setdefault(value, value)

    def summary(self, summary: AnalysisSummary) -> AnalysisSummary:
        facts = replace(summary.facts, **{group: tuple(map(self, getattr(summary.facts, group)))
                                          for group in FACT_GROUPS})
        return replace(summary, facts=facts, topic_ids=frozenset(map(self, summary.topic_ids)),
                       first_passages={self(topic): passage for topic, passage in summary.first_passages.items()},
                       key_terms=self(summary.key_terms))


def summarise(key: str, analysis: SnapshotAnalysis) -> AnalysisSummary:
    first: dict[str, str] = {}
    for passage in analysis.passages:
        for assignment in passage.topics:
            first.setdefault(assignment.topic, passage.id)
    text = " ".join(p.text for p in analysis.passages)
    facts = analysis.facts
    light = replace(facts, **{group: tuple(replace(fact, evidence=()) for fact in getattr(facts, group))
                              for group in FACT_GROUPS})
    return AnalysisSummary(
        key=key,
        words=analysis.words,
        reading_minutes=analysis.reading_minutes,
        passages=len(analysis.passages),
        topic_ids=analysis.topic_ids,
        first_passages=first,
        facts=light,
        key_terms=frozenset(term for term, pattern in KEY_TERMS.items() if pattern.search(text)),
        search_sha256=hashlib.sha256(search_text(analysis).encode("utf-8")).hexdigest(),
    )


# --------------------------------------------------------------------------- full analyses


class AnalysisStore:
    """Full analyses, one pickle each under `folder` (or in memory when `folder` is None)."""

    def __init__(self, folder: Path | None, context: AnalysisContext) -> None:
        self.folder = folder
        self.context = context
        self.memory: dict[str, SnapshotAnalysis] = {}

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.pickle"

    def stored(self, key: str) -> SnapshotAnalysis | None:
        if self.folder is None:
            return self.memory.get(key)
        loaded = load_pickle(self._path(key))
        return loaded if isinstance(loaded, SnapshotAnalysis) else None

    def put(self, key: str, analysis: SnapshotAnalysis) -> None:
        if self.folder is None:
            self.memory[key] = analysis
        else:
            save_pickle(self._path(key), analysis)

    def load(self, snapshot: Snapshot) -> SnapshotAnalysis:
        """The stored analysis of `snapshot`, analysed (and stored) again when it is missing or damaged."""
        key = analysis_key(snapshot, self.context)
        analysis = self.stored(key)
        if analysis is None:
            analysis = analyse_snapshot(snapshot, self.context)
            self.put(key, analysis)
        return analysis


class Analyses(Mapping[tuple[str, str], SnapshotAnalysis]):
    """Full analyses by snapshot key, loaded from the store when asked for (a few kept in memory)."""

    def __init__(self, store: AnalysisStore, snapshots: Sequence[Snapshot]) -> None:
        self.store = store
        self.snapshots = {snapshot.key: snapshot for snapshot in snapshots}
        self.loaded: OrderedDict[tuple[str, str], SnapshotAnalysis] = OrderedDict()

    def __getitem__(self, key: tuple[str, str]) -> SnapshotAnalysis:
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return self.loaded[key]
        analysis = self.store.load(self.snapshots[key])
        self.loaded[key] = analysis
        if len(self.loaded) > LOADED_ANALYSES:
            self.loaded.popitem(last=False)
        return analysis

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.snapshots)

    def __len__(self) -> int:
        return len(self.snapshots)


# --------------------------------------------------------------------------- diffs


DIFF_KINDS = ("diff", "sections")  # what DiffStore keeps per pair of versions


class DiffStore:
    """Diffs between two versions (and other per-pair results) computed once, kept on disk or in memory.

    Keys are the sha256 of both bodies plus a digest of the code that computes them, so a
    re-captured pair (same bodies, new headers) reuses its diff and an upgrade never serves
    a stale one. `computed` counts, by kind, the results computed (not loaded) in this process.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.digest = code_digest()[:16]
        self.memory: dict[str, Any] = {}
        self.computed: Counter[str] = Counter()

    def name(self, kind: str, parts: Sequence[str]) -> str:
        return f"{kind}-{hashlib.sha256(chr(0).join((kind, self.digest, *parts)).encode('utf-8')).hexdigest()}"

    def cached(self, kind: str, parts: Sequence[str], compute: Callable[[], Any]) -> Any:
        name = self.name(kind, parts)
        if self.folder is None:
            if name not in self.memory:
                self.memory[name] = compute()
                self.computed[kind] += 1
            return self.memory[name]
        path = self.folder / name[len(kind) + 1:][:2] / f"{name}.pickle"
        value = load_pickle(path)
        if value is None:
            value = compute()
            self.computed[kind] += 1
            save_pickle(path, value)
        return value

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Kept in memory for this build only (results needed by two stages of one build)."""
        if key not in self.memory:
            self.memory[key] = compute()
        return self.memory[key]

    def diff(self, old: Snapshot, new: Snapshot) -> DiffResult:
        return self.cached("diff", (old.body_sha256, new.body_sha256), lambda: word_diff(old.body, new.body))

    def sections(self, old: Snapshot, new: Snapshot, old_analysis: SnapshotAnalysis,
                 new_analysis: SnapshotAnalysis) -> SectionChanges:
        def compute() -> SectionChanges:
            return section_changes(
                [(p.heading_path, p.text) for p in old_analysis.passages],
                [(p.heading_path, p.text) for p in new_analysis.passages],
            )
        return self.cached("sections", (old.body_sha256, new.body_sha256), compute)


# --------------------------------------------------------------------------- analysing an archive


@dataclass(frozen=True)
class CompanyWork:
    """What is missing for one company: analyses to make, and whether its history inputs are complete."""

    versions: tuple[Snapshot, ...]
    analyse: tuple[int, ...]  # versions whose analysis this task makes (each analysis key once per archive)
    traits: dict[str, BodyTraits]  # the known traits of its bodies, by body sha256
    counts: dict[tuple[str, str], tuple[int, int]]  # known diff word counts, by the pair of body sha256


@dataclass
class WorkResult:
    summaries: dict[str, AnalysisSummary] = field(default_factory=dict)
    traits: dict[str, BodyTraits] = field(default_factory=dict)
    counts: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    analyses: dict[str, SnapshotAnalysis] = field(default_factory=dict)  # made by a worker with in-memory stores
    diffs: dict[str, Any] = field(default_factory=dict)  # idem


def do_company_work(work: CompanyWork, analyses: AnalysisStore, diffs: DiffStore) -> WorkResult:
    """Make the missing analyses, body traits and diff counts of one company (reading each body once)."""
    result = WorkResult()
    bodies: dict[int, str] = {}

    def body(index: int) -> str:
        if index not in bodies:
            bodies[index] = work.versions[index].body
        return bodies[index]

    for index in work.analyse:
        snapshot = work.versions[index]
        key = analysis_key(snapshot, analyses.context)
        analysis = analyses.stored(key)
        if analysis is None:
            analysis = analyse_snapshot(replace(snapshot, kept_body=body(index)), analyses.context)
            analyses.put(key, analysis)
        result.summaries[key] = summarise(key, analysis)
    traits = dict(work.traits)
    for index, snapshot in enumerate(work.versions):  # in order: each body's words are split once (diff._paras)
        if snapshot.body_sha256 not in traits:
            traits[snapshot.body_sha256] = result.traits[snapshot.body_sha256] = body_traits(body(index))
        if index == 0:
            continue
        old = work.versions[index - 1]
        pair = (old.body_sha256, snapshot.body_sha256)
        if pair in work.counts or classify_traits(traits[pair[0]], traits[pair[1]]) not in (COSMETIC, CHANGED):
            continue
        found = diffs.diff(replace(old, kept_body=body(index - 1)), replace(snapshot, kept_body=body(index)))
        result.counts[pair] = (found.words_added, found.words_removed)
    return result


def _work_in_worker(work: CompanyWork, analyses: AnalysisStore, diffs: DiffStore) -> WorkResult:
    """do_company_work in a worker process (with its copy of the stores): what the stores keep in
    memory goes back with the result."""
    analyses.memory.clear()
    diffs.memory.clear()
    result = do_company_work(work, analyses, diffs)
    result.analyses, result.diffs = dict(analyses.memory), dict(diffs.memory)
    return result


@dataclass(frozen=True)
class ArchiveAnalysis:
    summaries: dict[tuple[str, str], AnalysisSummary]  # by snapshot key
    analyses: Analyses
    histories: dict[str, list[VersionInfo]]  # domain -> its versions classified, in order
    diffs: DiffStore


class ArchiveStores:
    """The stores of one build: under `cache_dir`, or in memory when it is None."""

    def __init__(self, cache_dir: Path | None, context: AnalysisContext) -> None:
        def under(name: str) -> Path | None:
            return cache_dir / name if cache_dir is not None else None

        self.context = context
        self.analyses = AnalysisStore(under("analyses"), context)
        self.diffs = DiffStore(under("diffs"))
        self.summaries = KeyedStore(under("summaries.pickle"), context.digest + code_digest())
        self.history = KeyedStore(under("history.pickle"), code_digest())
        self.interner = Interner()

    def traits(self, sha256: str) -> BodyTraits | None:
        return self.history.get(("traits", sha256))

    def counts(self, pair: tuple[str, str]) -> tuple[int, int] | None:
        return self.history.get(("counts", *pair))

    def absorb(self, result: WorkResult) -> None:
        for key, summary in result.summaries.items():
            self.summaries.put(key, self.interner.summary(summary))
        for sha256, traits in result.traits.items():
            self.history.put(("traits", sha256), traits)
        for pair, counts in result.counts.items():
            self.history.put(("counts", *pair), counts)
        self.analyses.memory.update(result.analyses)
        self.diffs.memory.update(result.diffs)

    def save(self, companies: Sequence[Company]) -> None:
        """Save the summaries and history inputs; when they changed, remove the analyses and diffs
        no snapshot of `companies` uses any more (edited or removed ones, or made by older code)."""
        changed = self.summaries.save()
        changed = self.history.save() or changed
        if changed:
            prune_folder(self.analyses.folder, set(self.summaries.entries))
            pairs = [(old.body_sha256, new.body_sha256) for c in companies for old, new in zip(c.versions, c.versions[1:])]
            prune_folder(self.diffs.folder, {self.diffs.name(kind, pair) for pair in pairs for kind in DIFF_KINDS})


def plan_work(companies: Sequence[Company], stores: ArchiveStores) -> list[CompanyWork]:
    planned: set[str] = set()
    plans = []
    for company in companies:
        versions = company.versions
        analyse = []
        for index, snapshot in enumerate(versions):
            key = analysis_key(snapshot, stores.context)
            if key not in planned and stores.summaries.get(key) is None:
                planned.add(key)
                analyse.append(index)
        traits = {s.body_sha256: t for s in versions if (t := stores.traits(s.body_sha256)) is not None}
        counts = {}
        for old, new in zip(versions, versions[1:]):
            pair = (old.body_sha256, new.body_sha256)
            if (found := stores.counts(pair)) is not None:
                counts[pair] = found
        complete = len(traits) == len({s.body_sha256 for s in versions}) and all(
            (old.body_sha256, new.body_sha256) in counts
            or classify_traits(traits[old.body_sha256], traits[new.body_sha256]) not in (COSMETIC, CHANGED)
            for old, new in zip(versions, versions[1:]))
        if analyse or not complete:
            plans.append(CompanyWork(versions, tuple(analyse), traits, counts))
    return plans


def analyse_archive(companies: Sequence[Company], context: AnalysisContext, *, cache_dir: Path | None = None,
                    workers: int | None = None, progress: bool = False) -> ArchiveAnalysis:
    """Analyse what is not analysed yet, and every company's history, reusing everything cached."""
    stores = ArchiveStores(cache_dir, context)
    plans = plan_work(companies, stores)
    total = sum(len(work.analyse) for work in plans)
    count = worker_count(workers, len(plans), work=total, serial_below=PARALLEL_THRESHOLD)
    # In this process, the work goes straight into the stores; a worker's in-memory results come back.
    function = partial(_work_in_worker if count else do_company_work, analyses=stores.analyses, diffs=stores.diffs)
    with pool(function, plans, workers=count, name=lambda work: work.versions[0].domain, chunk=4,
              progress=Progress(progress, "analyse", "snapshot", lambda work: len(work.analyse))) as results:
        for result in results:
            stores.absorb(result)
    summaries = {s.key: stores.summaries.get(analysis_key(s, context)) for c in companies for s in c.versions}
    histories = {
        company.domain: history_from_traits(
            [(s.slug, stores.traits(s.body_sha256), summaries[s.key].stated_date) for s in company.versions],
            lambda index, versions=company.versions: stores.counts(
                (versions[index - 1].body_sha256, versions[index].body_sha256)),
        )
        for company in companies
    }
    stores.save(companies)
    snapshots = [s for c in companies for s in c.versions]
    return ArchiveAnalysis(summaries, Analyses(stores.analyses, snapshots), histories, stores.diffs)
