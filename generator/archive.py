"""The archive: what reading and analysing a content folder gives, the input of every page.

`load_archive` runs the read and analyse stages (read/, model.py, analyse/); the render
stage makes pages and files from the `Archive` (render/units.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from generator.analyse.history import VersionInfo
from generator.analyse.snapshot import SnapshotAnalysis, load_context
from generator.analyse.store import AnalysisSummary, DiffStore, analyse_archive
from generator.model import Company, Snapshot, Topic, group_companies
from generator.read.site_data import load_site_data
from generator.read.snapshots import SnapshotError, display_path, read_content
from generator.render import urls


@dataclass(frozen=True)
class Archive:
    """Everything known about the content folder after reading and analysis."""

    content_dir: Path
    companies: list[Company]
    summaries: Mapping[tuple[str, str], AnalysisSummary]  # of every snapshot, in memory
    analyses: Mapping[tuple[str, str], SnapshotAnalysis]  # full analyses, loaded when asked for
    rejected: list[SnapshotError]
    topics: list[Topic]
    histories: dict[str, list[VersionInfo]] = field(default_factory=dict)  # domain -> versions in order
    diffs: DiffStore = field(default_factory=lambda: DiffStore(None))
    cache_dir: Path | None = None  # build caches; None: none, everything in memory
    sectors: dict[str, str | None] = field(default_factory=dict)  # domain -> sector, from companies.yml

    @property
    def snapshots(self) -> list[Snapshot]:
        return [snapshot for company in self.companies for snapshot in company.versions]

    @property
    def last_archived(self) -> date | None:
        return max((s.archived_on for s in self.snapshots), default=None)

    @cached_property
    def source_files(self) -> dict[tuple[str, str], str]:
        """Snapshot key -> its file, relative to the content folder."""
        return {s.key: relative_source(s.source, self.content_dir) for s in self.snapshots}


def load_archive(content_dir: Path, *, cache_dir: Path | None = None, today: date | None = None,
                 progress: bool = False) -> Archive:
    """Read and analyse the content folder; `cache_dir` keeps what was read and analysed between builds."""
    site = load_site_data(content_dir)
    context = load_context(content_dir)
    result = read_content(content_dir, today=today, cache_dir=cache_dir)
    names = {domain: info.name for domain, info in site.companies.items()}
    companies = group_companies(result.snapshots, names)
    analysed = analyse_archive(companies, context, cache_dir=cache_dir, progress=progress)
    return Archive(content_dir, companies, analysed.summaries, analysed.analyses, result.rejected,
                   list(context.taxonomy), analysed.histories, analysed.diffs, cache_dir,
                   {domain: info.sector for domain, info in site.companies.items()})


def relative_source(source: str, content_dir: Path) -> str:
    prefix = display_path(content_dir) + os.sep
    if source.startswith(prefix):  # the reader's sources are under the folder as given to it
        return Path(source[len(prefix):]).as_posix()
    try:
        return Path(source).resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        return source


def build_report(archive: Archive) -> dict:
    """Which files became which page, and which were rejected and why (data/build-report.json)."""
    accepted = sorted(
        ({"source": archive.source_files[s.key], "page": urls.snapshot_page(s.domain, s.slug)}
         for s in archive.snapshots),
        key=lambda row: row["source"],
    )
    rejected = [
        {"source": relative_source(e.source, archive.content_dir), "line": e.line, "reason": e.reason}
        for e in archive.rejected
    ]
    return {"accepted": accepted, "rejected": rejected}
