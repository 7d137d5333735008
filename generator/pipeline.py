"""The pipeline, top to bottom: read -> model -> analyse -> render -> write -> publish.

Rendering is organised in units (see `Unit`): each company's pages and files, the topic
pages, the timeline, the data tables, the search index ... A unit whose inputs have a
digest is skipped when the digest and the files it wrote are what the last build left
(writer.DocsWriter keeps the manifest), so adding one snapshot renders one company and the
pages about the whole archive, which are made from the small per-snapshot summaries.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path

import jinja2

from generator.render import facts as fact_pages

from generator.render import history as history_pages

from generator.render import opendata

from generator.render import pages
from generator.render import urls
from generator.render.base import Page, make_environment

from generator.render import topics as topic_pages
from generator.render import home
from generator.render import site_style
from generator.render import search as search_index
from generator.analyse.snapshot import SnapshotAnalysis, load_context
from generator.util import paths
from generator.util.cache import KeyedStore, code_digest
from generator.read.site_data import load_site_data
from generator.analyse.history import VersionInfo
from generator.model import Company, Snapshot, Topic, group_companies
from generator.util.progress import progress_bar
from generator.publish.site import publish
from generator.read.snapshots import SnapshotError, display_path, read_content
from generator.analyse.store import AnalysisSummary, DiffStore, analyse_archive
from generator.write.docs import DocsWriter, FileRecord, Payload, WriteStats, asset_files, payload_bytes, write_payload

# Company units are rendered in forked worker processes above this many.
RENDER_PARALLEL_THRESHOLD = 64


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

    @cached_property
    def fragments(self) -> opendata.FragmentStore:
        return opendata.FragmentStore(self.cache_dir / "fragments" if self.cache_dir is not None else None)


@dataclass(frozen=True)
class GenerateResult:
    archive: Archive
    stats: WriteStats


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
    accepted = sorted(
        ({"source": archive.source_files[s.key], "page": urls.snapshot_page(s.domain, s.slug)} for s in archive.snapshots),
        key=lambda row: row["source"],
    )
    rejected = [
        {"source": relative_source(e.source, archive.content_dir), "line": e.line, "reason": e.reason}
        for e in archive.rejected
    ]
    return {"accepted": accepted, "rejected": rejected}


# --------------------------------------------------------------------------- units


Produce = Callable[[Mapping[str, FileRecord]], Iterable[tuple[str, Payload]]]


@dataclass(frozen=True)
class Unit:
    """Files rendered together. `produce(done)` yields (path, payload); `done` holds the records of
    the files produced before it in this build (the open-data manifest lists some of them).
    `digest`: of everything the files are made from (beyond the code); None when the unit is
    produced on every build (it is cheap, or depends on every snapshot anyway)."""

    key: str
    digest: str | None
    produce: Produce
    background: bool = False  # heavy, and no other unit needs its files: produced in a process of its own


def fingerprint(*parts: object) -> str:
    """A digest of plain values (str, int, date, None and tuples of them): their repr is stable."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


@cache
def generation_digest() -> str:
    """Of everything that renders pages besides the content: our code and libraries, and the templates."""
    templates = paths.TEMPLATES_DIR
    return code_digest(*(path.relative_to(templates).as_posix().encode() + b"\x00" + path.read_bytes()
                         for path in sorted(templates.rglob("*")) if path.is_file()))


@cache
def environment() -> jinja2.Environment:
    """One Jinja environment per process (its templates compile once)."""
    return make_environment(paths.TEMPLATES_DIR)


def company_digest(archive: Archive, company: Company) -> str:
    """Of everything a company's own pages and files are made from: the code, its files and their
    analyses, its name and sector (the topic titles are part of the analysis key)."""
    return fingerprint(generation_digest(), company.domain, company.name, archive.sectors.get(company.domain), tuple(
        (s.slug, s.sha256, archive.source_files[s.key], archive.summaries[s.key].key) for s in company.versions))


def company_outputs(archive: Archive, company: Company, digest: str) -> Iterator[tuple[str, Payload]]:
    """A company's page, its snapshot and diff pages, feed and chart; and its rows of the data files."""
    env = environment()
    versions = archive.histories[company.domain]
    history = history_pages.company_history(company, versions)
    page = pages.company_page(env, company, archive.analyses, archive.sectors.get(company.domain), history)
    yield page.path, page
    for index, snapshot in enumerate(company.versions):
        page = pages.snapshot_page(env, company, index, archive.analyses[snapshot.key], archive.topics,
                                   versions[index])
        yield page.path, page
    for page in history_pages.diff_pages(env, company, versions, archive.analyses, archive.topics, archive.diffs):
        yield page.path, page
    yield from history_pages.company_files(company, versions).items()
    if not archive.fragments.has(digest):  # made here, while the company's analyses are loaded
        archive.fragments.put(digest, opendata.company_fragment(archive, company))


def company_unit(archive: Archive, company: Company, digest: str) -> Unit:
    return Unit(f"company:{company.domain}", digest, lambda done: company_outputs(archive, company, digest))


def _pages(*rendered: Page) -> list[tuple[str, Payload]]:
    return [(page.path, page) for page in rendered]


def topics_digest(archive: Archive) -> str:
    """Of what the topic pages show: the topics, and every company's name and versions."""
    return fingerprint(tuple(archive.topics), tuple(
        (c.domain, c.name, tuple((s.slug, s.archived_on, s.wayback_url, archive.summaries[s.key].key)
                                 for s in c.versions))
        for c in archive.companies))


def site_units(archive: Archive, company_digests: Mapping[str, str]) -> list[Unit]:
    """The pages and files about the whole archive, made from the summaries; in the order they are produced."""
    env = environment()

    def home_outputs(done):
        sections = home.home_sections(archive.companies, archive.summaries, archive.histories, archive.topics)
        return [*_pages(pages.home_page(env, archive.companies, archive.summaries, **sections)),
                *home.home_files(archive.companies).items()]

    def report_outputs(done):
        report = build_report(archive)
        text = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        return [*_pages(pages.report_page(env, report)), ("data/build-report.json", text.encode("utf-8"))]

    def timeline_outputs(done):
        charts = history_pages.archive_charts(archive.companies, archive.summaries)
        rendered = history_pages.timeline_pages(env, archive.companies, archive.histories,
                                                history_pages.load_milestones(archive.content_dir), charts)
        return [*_pages(*rendered), *((chart.path, chart.svg) for chart in charts),
                history_pages.all_feed(archive.companies, archive.histories)]

    def stats_outputs(done):
        return [*_pages(fact_pages.stats_page(env, archive)), *fact_pages.stats_files(archive).items()]

    def data_outputs(done):
        return [*_pages(opendata.data_page(env, archive)), *opendata.summary_files(archive).items()]

    def data_manifest(done):
        listed = {path: (record.size, record.sha256) for path, record in done.items()
                  if path.startswith(opendata.DATA_DIR + "/")}
        return [opendata.manifest_file(archive, listed)]

    docs = search_index.documents(archive.companies, archive.summaries)

    def search_outputs(done):
        return [*_pages(search_index.search_page(archive.topics)), *search_index.search_files(archive, docs).items()]

    def topic_outputs(done):
        # What the topic pages quote of each company's latest version, kept between builds: a rebuild
        # does not load thousands of full analyses to quote the same passages again.
        cached = KeyedStore(archive.cache_dir / "topic-quotes.pickle" if archive.cache_dir is not None else None,
                            code_digest())

        def quotes(company: Company) -> tuple[topic_pages.QuotedPassage, ...]:
            key = archive.summaries[company.latest.key].key
            found = cached.get(key)
            if found is None:
                found = topic_pages.analysis_quotes(archive.analyses[company.latest.key])
                cached.put(key, found)
            return found

        for page in topic_pages.topic_pages(env, archive.companies, quotes, archive.summaries, archive.topics):
            yield page.path, page
        cached.save()

    return [
        Unit("home", None, home_outputs),
        Unit("companies", None, lambda done: _pages(pages.companies_page(
            env, archive.companies, archive.summaries, archive.sectors))),
        Unit("report", None, report_outputs),
        Unit("topics", topics_digest(archive), topic_outputs, background=True),
        Unit("timeline", None, timeline_outputs),
        Unit("stats", None, stats_outputs),
        Unit("data-tables", fingerprint(tuple(company_digests[c.domain] for c in archive.companies)),
             lambda done: opendata.table_files(archive, archive.fragments, company_digests)),
        Unit("data", None, data_outputs),
        Unit("search", fingerprint(search_index.index_digest(docs), tuple(archive.topics)), search_outputs),
        Unit("site", None, lambda done: [*asset_files().items(),
                                          *site_style.site_style_files(archive.content_dir).items()]),
        Unit("data-manifest", None, data_manifest),  # last: it lists every file under data/
    ]


def all_units(archive: Archive) -> list[Unit]:
    digests = {company.domain: company_digest(archive, company) for company in archive.companies}
    return [*(company_unit(archive, c, digests[c.domain]) for c in archive.companies),
            *site_units(archive, digests)]


def outputs(archive: Archive) -> Iterator[tuple[str, Payload]]:
    """Every file of the docs folder, produced in memory (no manifest, no docs folder)."""
    done: dict[str, FileRecord] = {}
    for unit in all_units(archive):
        for path, payload in unit.produce(done):
            data = payload_bytes(payload)
            done[path] = FileRecord(len(data), 0, hashlib.sha256(data).hexdigest())
            yield path, payload if isinstance(payload, Page) else data


def render_pages(archive: Archive) -> list[Page]:
    return [payload for _, payload in outputs(archive) if isinstance(payload, Page)]


def data_files(archive: Archive) -> dict[str, bytes]:
    """The files of the docs folder that are not pages (data, charts, feeds, search index, assets)."""
    return {path: payload for path, payload in outputs(archive) if not isinstance(payload, Page)}


# --------------------------------------------------------------------------- writing


def _produce(writer: DocsWriter, unit: Unit) -> None:
    """Write the unit's files, unless its digest says they are as the last build left them."""
    if unit.digest is None or not writer.unchanged(unit.key, unit.digest):
        _write(writer, unit)


def _write(writer: DocsWriter, unit: Unit) -> None:
    paths = []
    for path, payload in unit.produce(writer.records):
        writer.add(path, payload)
        paths.append(path)
    writer.done(unit.key, unit.digest or "", paths)


_fork_state: tuple[Sequence[Unit], Path] | None = None  # set before forking writer processes


def _write_in_worker(task: tuple[int, dict[str, FileRecord]]) -> tuple[dict[str, FileRecord], int]:
    """Write the files of one unit (by its index in the forked list) from a worker process: (records, written)."""
    assert _fork_state is not None
    units, docs_dir = _fork_state
    index, previous = task
    files: dict[str, FileRecord] = {}
    written = 0
    for path, payload in units[index].produce({}):
        files[path], changed = write_payload(docs_dir, path, payload, previous.get(path))
        written += changed
    return files, written


@contextmanager
def _writer_processes(units: Sequence[Unit], docs_dir: Path, processes: int) -> Iterator[multiprocessing.pool.Pool]:
    """Forked processes writing `units` (see _write_in_worker): they share the archive copy-on-write."""
    global _fork_state
    _fork_state = (units, docs_dir)
    gc.freeze()  # keep the workers' garbage collector off the shared pages (touching them copies them)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield pool
    finally:
        gc.unfreeze()
        _fork_state = None


def _adopt(writer: DocsWriter, unit: Unit, result: tuple[dict[str, FileRecord], int]) -> None:
    files, written = result
    writer.adopt(files, written)
    writer.done(unit.key, unit.digest or "", files)


def write_archive(archive: Archive, docs_dir: Path, *, workers: int | None = None,
                  progress: bool = False) -> GenerateResult:
    """Render every page and data file into `docs_dir`, skipping the units that have not changed.

    Pages are written as they come (no build holds them all). `workers`: processes rendering
    the company units when many changed, and the background units alongside the others
    (default: the CPU count).
    """
    cache_dir = archive.cache_dir
    writer = DocsWriter(docs_dir, cache_dir / "pages.pickle" if cache_dir is not None else None, generation_digest())
    digests = {company.domain: company_digest(archive, company) for company in archive.companies}
    todo = [unit for unit in (company_unit(archive, c, digests[c.domain]) for c in archive.companies)
            if not writer.unchanged(unit.key, unit.digest)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    parallel = workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    with progress_bar(progress and bool(todo), total=len(todo), desc="pages", unit="company") as bar:
        if parallel and len(todo) >= RENDER_PARALLEL_THRESHOLD:
            with _writer_processes(todo, docs_dir, workers) as pool:
                tasks = [(index, writer.previous_files(unit.key)) for index, unit in enumerate(todo)]
                for unit, result in zip(todo, pool.imap(_write_in_worker, tasks, chunksize=4)):
                    _adopt(writer, unit, result)
                    bar.update(1)
        else:
            for unit in todo:
                _write(writer, unit)
                bar.update(1)
    units = site_units(archive, digests)
    background = [unit for unit in units if parallel and unit.background
                  and (unit.digest is None or not writer.unchanged(unit.key, unit.digest))]
    with _writer_processes(background, docs_dir, len(background)) if background else nullcontext() as pool:
        pending = [pool.apply_async(_write_in_worker, ((index, writer.previous_files(unit.key)),))
                   for index, unit in enumerate(background)]
        for unit in units:
            if not (parallel and unit.background):
                _produce(writer, unit)
        for unit, result in zip(background, pending):
            _adopt(writer, unit, result.get())
    stats = writer.finish()
    archive.fragments.prune(set(digests.values()))
    return GenerateResult(archive, stats)


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
