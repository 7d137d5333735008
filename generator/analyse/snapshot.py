"""Analyse stage: per-snapshot work that depends only on the snapshot's own text.

An analysis is a pure function of the snapshot's body, the line it starts on, and the
analysis context (taxonomy, fact vocabulary, and the analysing code itself), so it is
cached by `analysis_key` (see generator/stores.py) and computed in parallel processes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.analyse import facts as facts_module
from generator.analyse import passages as passages_module
from generator.analyse import topics as topics_module
from generator.util.cache import code_digest
from generator.read.site_data import ConfigError, data_file
from generator.util.paths import DEFAULT_CONTENT
from generator.analyse.markup import render_untrusted
from generator.model import Passage, Snapshot

# The modules whose code decides what an analysis contains: a change to any of them
# invalidates the cache, so a stale result can never be served after an upgrade.


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
    if taxonomy_path is None or vocabulary_path is None:
        raise ConfigError(f"{content_dir}: no topics.yml or facts.yml here or in {DEFAULT_CONTENT}")
    return AnalysisContext(
        taxonomy=topics_module.load_taxonomy(taxonomy_path),
        vocabulary=facts_module.load_vocabulary(vocabulary_path),
        digest=code_digest(taxonomy_path.read_bytes(), vocabulary_path.read_bytes()),
    )


def analysis_key(snapshot: Snapshot, context: AnalysisContext) -> str:
    """Equal for snapshots whose analyses are equal: same body, starting on the same line, same context."""
    return hashlib.sha256(f"{context.digest}:{snapshot.body_line}:{snapshot.body_sha256}".encode()).hexdigest()


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
