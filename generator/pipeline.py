"""The pipeline, top to bottom: read -> model -> analyse -> render -> write -> publish."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import fact_pages, history_pages, opendata, pages, topic_pages
from . import home, site_style
from . import search as search_index
from .analyse import SnapshotAnalysis, analyse_all, load_context
from .config import load_site_data
from .history import VersionInfo
from .model import Company, Snapshot, Topic, group_companies
from .publish import publish
from .reader import SnapshotError, read_content
from .progress import progress_bar
from .writer import DocsWriter, WriteStats, asset_files


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


def load_archive(content_dir: Path, *, cache_dir: Path | None = None, today: date | None = None,
                 progress: bool = False) -> Archive:
    """Read and analyse the content folder; `cache_dir` keeps analyses between builds."""
    site = load_site_data(content_dir)
    context = load_context(content_dir)
    result = read_content(content_dir, today=today)
    names = {domain: info.name for domain, info in site.companies.items()}
    companies = group_companies(result.snapshots, names)
    analyses = analyse_all(result.snapshots, context, cache_dir=cache_dir, progress=progress)
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


def _company_pages(env, archive: Archive, sectors: dict[str, str | None], company: Company) -> list[pages.Page]:
    """A company's page and its snapshot pages (the bulk of the site: one page per snapshot)."""
    versions = archive.histories.get(company.domain)
    history = history_pages.company_history(company, versions) if versions else None
    rendered = [pages.company_page(env, company, archive.analyses, sectors.get(company.domain), history)]
    for index, snapshot in enumerate(company.versions):
        rendered.append(pages.snapshot_page(env, company, index, archive.analyses[snapshot.key], archive.topics,
                                            versions[index] if versions else None))
    return rendered


def _iter_pages(archive: Archive, company_pages: Iterable[list[pages.Page]] | None = None) -> Iterator[pages.Page]:
    env = pages.make_environment()
    site = load_site_data(archive.content_dir)
    sectors = {domain: info.sector for domain, info in site.companies.items()}
    yield pages.home_page(env, archive.companies, archive.analyses,
                          **home.home_sections(archive.companies, archive.analyses, archive.histories, archive.topics))
    yield pages.companies_page(env, archive.companies, archive.analyses, sectors)
    yield pages.report_page(env, build_report(archive))
    if company_pages is None:
        company_pages = (_company_pages(env, archive, sectors, company) for company in archive.companies)
    for rendered in company_pages:
        yield from rendered
    yield from topic_pages.topic_pages(env, archive.companies, archive.analyses, archive.topics)
    yield from history_pages.history_pages(
        env, archive.companies, archive.analyses, archive.histories, archive.topics, archive.diffs,
        history_pages.load_milestones(archive.content_dir))
    yield fact_pages.stats_page(env, archive)
    yield opendata.data_page(env, archive)
    yield search_index.search_page(archive.topics)


def render_pages(archive: Archive) -> list[pages.Page]:
    return list(_iter_pages(archive))


# Company and snapshot pages are rendered in forked worker processes above this many snapshots.
RENDER_PARALLEL_THRESHOLD = 500
_render_state: tuple[Archive, dict[str, str | None]] | None = None  # set before forking render workers
_render_env = None


def _render_company_in_worker(index: int) -> list[pages.Page]:
    global _render_env  # one Jinja environment per worker process
    assert _render_state is not None
    archive, sectors = _render_state
    if _render_env is None:
        _render_env = pages.make_environment()
    return _company_pages(_render_env, archive, sectors, archive.companies[index])


def _parallel_company_pages(archive: Archive, workers: int) -> Iterator[list[pages.Page]]:
    """Company pages in order, rendered by `workers` forked processes that inherit the archive."""
    global _render_state
    site = load_site_data(archive.content_dir)
    _render_state = (archive, {domain: info.sector for domain, info in site.companies.items()})
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_render_company_in_worker, range(len(archive.companies)), chunksize=8)
    finally:
        _render_state = None


def data_files(archive: Archive) -> dict[str, bytes]:
    report = json.dumps(build_report(archive), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    files = {"data/build-report.json": report.encode("utf-8")}
    files.update(history_pages.history_files(archive.companies, archive.analyses, archive.histories, archive.diffs))
    files.update(fact_pages.stats_files(archive))
    files.update(home.home_files(archive.companies))  # charts/home-archive.svg
    files.update(opendata.open_data_files(archive, files))  # last: its manifest lists every data/ file
    files.update(search_index.search_files(archive, archive.cache_dir))  # search-index/, not data/
    files.update(site_style.site_style_files(archive.content_dir))  # assets/site.css, assets/logo.svg
    return files


def write_archive(archive: Archive, docs_dir: Path, *, workers: int | None = None,
                  progress: bool = False) -> GenerateResult:
    """Render every page and data file into `docs_dir`.

    Large archives (RENDER_PARALLEL_THRESHOLD snapshots and more) stream: pages are written as they
    come, so no build holds them all. Smaller ones are rendered first and written in one burst, so
    a preview server watching `docs_dir` sees one change, not a trickle over the rendering.
    `workers`: processes rendering the snapshot pages (default: the CPU count for large archives, else 1).
    """
    large = len(archive.snapshots) >= RENDER_PARALLEL_THRESHOLD
    if workers is None:
        workers = (os.cpu_count() or 1) if large else 1
    parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    company_pages = _parallel_company_pages(archive, workers) if parallel else None
    writer = DocsWriter(docs_dir)
    with progress_bar(progress, total=len(archive.companies), desc="pages", unit="company") as bar:
        rendered = _iter_pages(archive, _counted(company_pages, archive, bar))
        if not large:
            rendered = list(rendered)
            extra = {**asset_files(), **data_files(archive)}
        for page in rendered:
            writer.add_page(page)
    for relative, data in (extra if not large else {**asset_files(), **data_files(archive)}).items():
        writer.add(relative, data)
    return GenerateResult(archive, writer.finish())


def _counted(company_pages, archive: Archive, bar) -> Iterator[list[pages.Page]]:
    if company_pages is None:
        env = pages.make_environment()
        site = load_site_data(archive.content_dir)
        sectors = {domain: info.sector for domain, info in site.companies.items()}
        company_pages = (_company_pages(env, archive, sectors, company) for company in archive.companies)
    for rendered in company_pages:
        bar.update(1)
        yield rendered


def generate(content_dir: Path, docs_dir: Path, *, cache_dir: Path | None = None,
             today: date | None = None) -> GenerateResult:
    return write_archive(load_archive(content_dir, cache_dir=cache_dir, today=today), docs_dir)


def build(archive: Archive, docs_dir: Path, site_dir: Path, *, strict: bool = True,
          progress: bool = False) -> GenerateResult:
    """Generate and publish; with a cache folder, publishing is incremental (see `publish`)."""
    result = write_archive(archive, docs_dir, progress=progress)
    publish(docs_dir, site_dir, content_date=archive.last_archived, strict=strict,
            state_dir=archive.cache_dir / "publish" if archive.cache_dir is not None else None, progress=progress)
    return result
