"""Analyse stage: per-snapshot work that depends only on the snapshot's own text.

Everything here is a pure function of one snapshot (and the taxonomy), so results
can be cached by content hash and computed in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

from .markup import plain_text, render_untrusted
from .model import Snapshot

WORDS_PER_MINUTE = 230  # adult silent reading of non-fiction (Brysbaert 2019: 238)


@dataclass(frozen=True)
class SnapshotAnalysis:
    words: int
    reading_minutes: int
    html: str  # the sanitized policy body, one raw HTML block


def reading_minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def analyse_snapshot(snapshot: Snapshot) -> SnapshotAnalysis:
    words = len(plain_text(snapshot.body).split())
    return SnapshotAnalysis(words=words, reading_minutes=reading_minutes(words), html=render_untrusted(snapshot.body))
