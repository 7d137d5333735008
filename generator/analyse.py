"""Analyse stage: per-snapshot work that depends only on the snapshot's own text.

Everything here is a pure function of one snapshot file and the analysis context
(taxonomy, fact vocabulary, and the analysing code itself), so results are cached
by content hash and computed in parallel processes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import facts as facts_module
from . import passages as passages_module
from . import topics as topics_module
from .config import DEFAULT_CONTENT, ConfigError, data_file
from .markup import render_untrusted
from .model import Passage, Snapshot
from .progress import progress_bar

# The modules whose code decides what an analysis contains: a change to any of them
# invalidates the cache, so a stale result can never be served after an upgrade.
ANALYSIS_MODULES = ("analyse", "markup", "passages", "topics", "facts")
PARALLEL_THRESHOLD = 200  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class SnapshotAnalysis:
    words: int
    reading_minutes: int
    passages: tuple[Passage, ...]  # in document order, topics assigned
    passage_html: tuple[str, ...]  # each passage's sanitized HTML, one raw block each
    facts: facts_module.SnapshotFacts

    @property
    def stated_date(self):
        return self.facts.stated_date.date if self.facts.stated_date else None

    @property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(a.topic for p in self.passages for a in p.topics)


@dataclass(frozen=True)
class AnalysisContext:
    """What analysis depends on besides the snapshot; `digest` keys the cache."""

    taxonomy: topics_module.Taxonomy
    vocabulary: facts_module.FactVocabulary
    digest: str


def load_context(content_dir: Path) -> AnalysisContext:
    taxonomy_path = data_file(content_dir, "topics.yml")
    vocabulary_path = data_file(content_dir, "facts.yml")
    digest = hashlib.sha256()
    for path in (taxonomy_path, vocabulary_path):
        digest.update(path.read_bytes() if path else b"-")
    package = Path(__file__).resolve().parent
    for module in ANALYSIS_MODULES:
        digest.update((package / f"{module}.py").read_bytes())
    if taxonomy_path is None or vocabulary_path is None:
        raise ConfigError(f"{content_dir}: no topics.yml or facts.yml here or in {DEFAULT_CONTENT}")
    return AnalysisContext(
        taxonomy=topics_module.load_taxonomy(taxonomy_path),
        vocabulary=facts_module.load_vocabulary(vocabulary_path),
        digest=digest.hexdigest(),
    )


def analyse_snapshot(snapshot: Snapshot, context: AnalysisContext) -> SnapshotAnalysis:
    passages = passages_module.split_passages(snapshot.body, snapshot.body_line)
    passages = topics_module.tag_passages(passages, context.taxonomy)
    snapshot_facts = facts_module.extract_facts(passages, context.vocabulary)
    words = snapshot_facts.readability.words
    return SnapshotAnalysis(
        words=words,
        reading_minutes=max(1, round(snapshot_facts.readability.reading_minutes)),
        passages=tuple(passages),
        passage_html=tuple(render_untrusted(p.markdown) for p in passages),
        facts=snapshot_facts,
    )


class AnalysisCache:
    """One pickle per snapshot under `folder`, named by the file's sha256 and the context digest."""

    def __init__(self, folder: Path | None, context_digest: str) -> None:
        self.folder = folder
        self.digest = context_digest[:16]

    def _path(self, snapshot: Snapshot) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / snapshot.sha256[:2] / f"{snapshot.sha256}-{self.digest}.pickle"

    def get(self, snapshot: Snapshot) -> SnapshotAnalysis | None:
        path = self._path(snapshot)
        if path is None or not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
        except Exception:  # a truncated or foreign file is just a miss; it gets rewritten
            return None
        return cached if isinstance(cached, SnapshotAnalysis) else None

    def put(self, snapshot: Snapshot, analysis: SnapshotAnalysis) -> None:
        path = self._path(snapshot)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(analysis, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)


_worker_context: AnalysisContext | None = None


def _init_worker(context: AnalysisContext) -> None:
    global _worker_context  # one context per worker process, set once by the pool initializer
    _worker_context = context


def _analyse_in_worker(snapshot: Snapshot) -> SnapshotAnalysis:
    assert _worker_context is not None
    return analyse_snapshot(snapshot, _worker_context)


def analyse_all(snapshots: Sequence[Snapshot], context: AnalysisContext, *, cache_dir: Path | None = None,
                workers: int | None = None, progress: bool = False) -> dict[tuple[str, str], SnapshotAnalysis]:
    """Analyse every snapshot, reusing cached results and spreading the rest over processes."""
    cache = AnalysisCache(cache_dir, context.digest)
    results: dict[tuple[str, str], SnapshotAnalysis] = {}
    missing: list[Snapshot] = []
    for snapshot in snapshots:
        cached = cache.get(snapshot)
        if cached is None:
            missing.append(snapshot)
        else:
            results[snapshot.key] = cached
    workers = workers if workers is not None else (os.cpu_count() or 1)
    with progress_bar(progress and bool(missing), total=len(missing), desc="analyse", unit="snapshot") as bar:
        if len(missing) >= PARALLEL_THRESHOLD and workers > 1:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(context,)) as pool:
                fresh = pool.map(_analyse_in_worker, missing, chunksize=16)
                for snapshot, analysis in zip(missing, fresh):
                    cache.put(snapshot, analysis)
                    results[snapshot.key] = analysis
                    bar.update(1)
        else:
            for snapshot in missing:
                analysis = analyse_snapshot(snapshot, context)
                cache.put(snapshot, analysis)
                results[snapshot.key] = analysis
                bar.update(1)
    return results
