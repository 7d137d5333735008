"""Render stage, the units of a build: the files rendered together, and what they are made from.

Each company's pages and files are one unit; so are the topic pages, the timeline, the data
tables, the search index ... A unit whose inputs have a digest is skipped when the digest and
the files it wrote are what the last build left (write/docs.py keeps the manifest), so adding
one snapshot renders one company and the pages about the whole archive, which are made from
the small per-snapshot summaries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, partial

import jinja2

from generator.archive import Archive, build_report
from generator.model import Company
from generator.render import facts as fact_pages
from generator.render import history as history_pages
from generator.render import home, opendata, pages, site_style
from generator.render import search as search_index
from generator.render import topics as topic_pages
from generator.render.base import Page, make_environment
from generator.util import paths
from generator.util.cache import KeyedStore, code_digest
from generator.write.docs import FileRecord, Payload, asset_files, payload_bytes

Done = Mapping[str, FileRecord]
Produce = Callable[[Done], Iterable[tuple[str, Payload]]]


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


def fragment_store(archive: Archive) -> opendata.FragmentStore:
    """Each company's rows of the data files: its unit leaves them, the data-tables unit joins them."""
    return opendata.FragmentStore(archive.cache_dir / "fragments" if archive.cache_dir is not None else None)


# --------------------------------------------------------------------------- company units


def company_digest(archive: Archive, company: Company) -> str:
    """Of everything a company's own pages and files are made from: the code, its files and their
    analyses, its name and sector (the topic titles are part of the analysis key)."""
    return fingerprint(generation_digest(), company.domain, company.name, archive.sectors.get(company.domain), tuple(
        (s.slug, s.sha256, archive.source_files[s.key], archive.summaries[s.key].key) for s in company.versions))


def company_outputs(archive: Archive, fragments: opendata.FragmentStore, company: Company,
                    digest: str) -> Iterator[tuple[str, Payload]]:
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
    if not fragments.has(digest):  # made here, while the company's analyses are loaded
        fragments.put(digest, opendata.company_fragment(archive, company))


def company_unit(archive: Archive, fragments: opendata.FragmentStore, company: Company, digest: str) -> Unit:
    return Unit(f"company:{company.domain}", digest, lambda done: company_outputs(archive, fragments, company, digest))


# --------------------------------------------------------------------------- units about the whole archive
# Each takes what it renders from, and `done` (see Unit), as partial(...) binds them in site_units.


def _pages(*rendered: Page) -> list[tuple[str, Payload]]:
    return [(page.path, page) for page in rendered]


def home_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    sections = home.home_sections(archive.companies, archive.summaries, archive.histories, archive.topics)
    return [*_pages(pages.home_page(env, archive.companies, archive.summaries, **sections)),
            *home.home_files(archive.companies).items()]


def companies_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    return _pages(pages.companies_page(env, archive.companies, archive.summaries, archive.sectors))


def report_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    report = build_report(archive)
    text = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return [*_pages(pages.report_page(env, report)), ("data/build-report.json", text.encode("utf-8"))]


def topics_digest(archive: Archive) -> str:
    """Of what the topic pages show: the topics, and every company's name and versions."""
    return fingerprint(tuple(archive.topics), tuple(
        (c.domain, c.name, tuple((s.slug, s.archived_on, s.wayback_url, archive.summaries[s.key].key)
                                 for s in c.versions))
        for c in archive.companies))


def latest_quotes(archive: Archive, cached: KeyedStore, company: Company) -> tuple[topic_pages.QuotedPassage, ...]:
    """What the topic pages quote of the company's latest version, from `cached` when its analysis is unchanged."""
    key = archive.summaries[company.latest.key].key
    found = cached.get(key)
    if found is None:
        found = topic_pages.analysis_quotes(archive.analyses[company.latest.key])
        cached.put(key, found)
    return found


def topic_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> Iterator[tuple[str, Payload]]:
    # The quotes are kept between builds: a rebuild does not load thousands of full analyses
    # to quote the same passages again.
    cached = KeyedStore(archive.cache_dir / "topic-quotes.pickle" if archive.cache_dir is not None else None,
                        code_digest())
    quotes = partial(latest_quotes, archive, cached)
    for page in topic_pages.topic_pages(env, archive.companies, quotes, archive.summaries, archive.topics):
        yield page.path, page
    cached.save()


def timeline_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    charts = history_pages.archive_charts(archive.companies, archive.summaries)
    rendered = history_pages.timeline_pages(env, archive.companies, archive.histories,
                                            history_pages.load_milestones(archive.content_dir), charts)
    return [*_pages(*rendered), *((chart.path, chart.svg) for chart in charts),
            history_pages.all_feed(archive.companies, archive.histories)]


def stats_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    return [*_pages(fact_pages.stats_page(env, archive)), *fact_pages.stats_files(archive).items()]


def data_table_outputs(archive: Archive, fragments: opendata.FragmentStore, company_digests: Mapping[str, str],
                       done: Done) -> list[tuple[str, Payload]]:
    return opendata.table_files(archive, fragments, company_digests)


def data_outputs(env: jinja2.Environment, archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    return [*_pages(opendata.data_page(env, archive)), *opendata.summary_files(archive).items()]


def search_outputs(archive: Archive, docs: list[search_index.SearchDoc], done: Done) -> list[tuple[str, Payload]]:
    return [*_pages(search_index.search_page(archive.topics)), *search_index.search_files(archive, docs).items()]


def site_outputs(archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    """The stylesheets, scripts and images every page uses."""
    return [*asset_files().items(), *site_style.site_style_files(archive.content_dir).items()]


def data_manifest_outputs(archive: Archive, done: Done) -> list[tuple[str, Payload]]:
    listed = {path: (record.size, record.sha256) for path, record in done.items()
              if path.startswith(opendata.DATA_DIR + "/")}
    return [opendata.manifest_file(archive, listed)]


def site_units(archive: Archive, fragments: opendata.FragmentStore, company_digests: Mapping[str, str]) -> list[Unit]:
    """The pages and files about the whole archive, made from the summaries; in the order they are produced."""
    env = environment()
    docs = search_index.documents(archive.companies, archive.summaries)
    return [
        Unit("home", None, partial(home_outputs, env, archive)),
        Unit("companies", None, partial(companies_outputs, env, archive)),
        Unit("report", None, partial(report_outputs, env, archive)),
        Unit("topics", topics_digest(archive), partial(topic_outputs, env, archive), background=True),
        Unit("timeline", None, partial(timeline_outputs, env, archive)),
        Unit("stats", None, partial(stats_outputs, env, archive)),
        Unit("data-tables", fingerprint(tuple(company_digests[c.domain] for c in archive.companies)),
             partial(data_table_outputs, archive, fragments, company_digests)),
        Unit("data", None, partial(data_outputs, env, archive)),
        Unit("search", fingerprint(search_index.index_digest(docs), tuple(archive.topics)),
             partial(search_outputs, archive, docs)),
        Unit("site", None, partial(site_outputs, archive)),
        Unit("data-manifest", None, partial(data_manifest_outputs, archive)),  # last: it lists every file under data/
    ]


# --------------------------------------------------------------------------- every unit, in memory


def all_units(archive: Archive) -> list[Unit]:
    digests = {company.domain: company_digest(archive, company) for company in archive.companies}
    fragments = fragment_store(archive)
    return [*(company_unit(archive, fragments, c, digests[c.domain]) for c in archive.companies),
            *site_units(archive, fragments, digests)]


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
