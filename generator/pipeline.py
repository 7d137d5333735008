"""The pipeline, top to bottom: read -> model -> analyse -> render -> write -> publish."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import fact_pages, history_pages, opendata, pages, topic_pages
from . import search as search_index
from .analyse import SnapshotAnalysis, analyse_all, load_context
from .config import load_site_data
from .history import VersionInfo
from .model import Company, Snapshot, Topic, group_companies
from .publish import publish
from .reader import SnapshotError, read_content
from .writer import WriteStats, asset_files, write_docs


@dataclass(frozen=True)
class Archive:
    """Everything known about the content folder after reading and analysis."""

    content_dir: Path
    companies: list[Company]
    analyses: dict[tuple[str, str], SnapshotAnalysis]
    rejected: list[SnapshotError]
    topics: list[Topic]
    histories: dict[str, list[VersionInfo]] = field(default_factory=dict)  # domain -> versions in order
    diffs: history_pages.DiffStore = field(default_factory=lambda: history_pages.DiffStore(None))
    cache_dir: Path | None = None  # build caches (search index segments); None: no cache

    @property
    def snapshots(self) -> list[Snapshot]:
        return [snapshot for company in self.companies for snapshot in company.versions]

    @property
    def last_archived(self) -> date | None:
        return max((s.archived_on for s in self.snapshots), default=None)


@dataclass(frozen=True)
class GenerateResult:
    archive: Archive
    stats: WriteStats


def load_archive(content_dir: Path, *, cache_dir: Path | None = None, today: date | None = None) -> Archive:
    """Read and analyse the content folder; `cache_dir` keeps analyses between builds."""
    site = load_site_data(content_dir)
    context = load_context(content_dir)
    result = read_content(content_dir, today=today)
    names = {domain: info.name for domain, info in site.companies.items()}
    companies = group_companies(result.snapshots, names)
    analyses = analyse_all(result.snapshots, context, cache_dir=cache_dir)
    diffs = history_pages.DiffStore(cache_dir / "diffs" if cache_dir is not None else None)
    histories = history_pages.compute_histories(companies, analyses, diffs)
    return Archive(content_dir, companies, analyses, result.rejected, list(context.taxonomy), histories, diffs,
                   cache_dir=cache_dir)


def relative_source(source: str, content_dir: Path) -> str:
    try:
        return Path(source).resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        return source


def snapshot_page_path(snapshot: Snapshot) -> str:
    return f"companies/{snapshot.domain}/{snapshot.slug}.md"


def build_report(archive: Archive) -> dict:
    accepted = sorted(
        ({"source": relative_source(s.source, archive.content_dir), "page": snapshot_page_path(s)}
         for s in archive.snapshots),
        key=lambda row: row["source"],
    )
    rejected = [
        {"source": relative_source(e.source, archive.content_dir), "line": e.line, "reason": e.reason}
        for e in archive.rejected
    ]
    return {"accepted": accepted, "rejected": rejected}


def render_pages(archive: Archive) -> list[pages.Page]:
    env = pages.make_environment()
    site = load_site_data(archive.content_dir)
    rendered = [
        pages.home_page(env, archive.companies, archive.analyses),
        pages.companies_page(env, archive.companies, archive.analyses,
                             {domain: info.sector for domain, info in site.companies.items()}),
        pages.report_page(env, build_report(archive)),
    ]
    for company in archive.companies:
        info = site.companies.get(company.domain)
        versions = archive.histories.get(company.domain)
        history = history_pages.company_history(company, versions) if versions else None
        rendered.append(pages.company_page(env, company, archive.analyses, info.sector if info else None, history))
        for index, snapshot in enumerate(company.versions):
            rendered.append(pages.snapshot_page(env, company, index, archive.analyses[snapshot.key], archive.topics,
                                                versions[index] if versions else None))
    rendered.extend(topic_pages.topic_pages(env, archive.companies, archive.analyses, archive.topics))
    rendered.extend(history_pages.history_pages(
        env, archive.companies, archive.analyses, archive.histories, archive.topics, archive.diffs,
        history_pages.load_milestones(archive.content_dir)))
    rendered.append(fact_pages.stats_page(env, archive))
    rendered.append(opendata.data_page(env, archive))
    rendered.append(search_index.search_page(archive.topics))
    return rendered


def data_files(archive: Archive) -> dict[str, bytes]:
    report = json.dumps(build_report(archive), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    files = {"data/build-report.json": report.encode("utf-8")}
    files.update(history_pages.history_files(archive.companies, archive.analyses, archive.histories, archive.diffs))
    files.update(fact_pages.stats_files(archive))
    files.update(opendata.open_data_files(archive, files))  # last: its manifest lists every data/ file
    files.update(search_index.search_files(archive, archive.cache_dir))  # search-index/, not data/
    return files


def write_archive(archive: Archive, docs_dir: Path) -> GenerateResult:
    stats = write_docs(render_pages(archive), docs_dir, {**asset_files(), **data_files(archive)})
    return GenerateResult(archive, stats)


def generate(content_dir: Path, docs_dir: Path, *, cache_dir: Path | None = None,
             today: date | None = None) -> GenerateResult:
    return write_archive(load_archive(content_dir, cache_dir=cache_dir, today=today), docs_dir)


def build(archive: Archive, docs_dir: Path, site_dir: Path, *, strict: bool = True) -> GenerateResult:
    result = write_archive(archive, docs_dir)
    publish(docs_dir, site_dir, content_date=archive.last_archived, strict=strict)
    return result
