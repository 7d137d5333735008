"""The pipeline, top to bottom; each stage is a package of its own:

1. read (read/): the content folder's snapshot files and companies.yml -> `Snapshot`s;
2. model (model.py): snapshots grouped into `Company`s, versions in order;
3. analyse (analyse/): passages, topics, facts, the version history and its diffs;
   `archive.load_archive` runs 1-3 and gives the `Archive`;
4. render (render/): the archive -> pages and data files, in units (render/units.py) that
   are skipped when what they are made from has not changed;
5. write (write/): the units' files -> the docs folder, with a manifest (here: `write_archive`);
6. publish (publish/): MkDocs builds the site from the docs folder (here: `build`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from generator.archive import Archive, load_archive
from generator.publish.site import publish
from generator.render.units import Unit, company_digest, company_unit, fragment_store, generation_digest, site_units
from generator.util.parallel import Progress, parallel_map, pool, worker_count
from generator.write.docs import DocsWriter, FileRecord, WriteStats, write_payload

# Company units are rendered in forked worker processes above this many.
RENDER_PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class GenerateResult:
    archive: Archive
    stats: WriteStats


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


def _write_in_worker(writer: DocsWriter, unit: Unit) -> tuple[dict[str, FileRecord], int]:
    """Write the files of one unit from a worker process (with its copy of `writer`): (records, written),
    for the writer of the main process to adopt."""
    previous = writer.previous_files(unit.key)
    files: dict[str, FileRecord] = {}
    written = 0
    for path, payload in unit.produce({}):
        files[path], changed = write_payload(writer.docs_dir, path, payload, previous.get(path))
        written += changed
    return files, written


def _unit_name(unit: Unit) -> str:
    return f"unit {unit.key}"


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
    fragments = fragment_store(archive)
    todo = [unit for unit in (company_unit(archive, fragments, c, digests[c.domain]) for c in archive.companies)
            if not writer.unchanged(unit.key, unit.digest)]
    count = worker_count(workers, len(todo), serial_below=RENDER_PARALLEL_THRESHOLD)
    bar = Progress(progress, "pages", "company")
    if count:
        with pool(partial(_write_in_worker, writer), todo, workers=count, name=_unit_name, progress=bar,
                  chunk=4) as results:
            for unit, result in zip(todo, results):
                _adopt(writer, unit, result)
    else:
        parallel_map(partial(_write, writer), todo, workers=0, name=_unit_name, progress=bar)
    units = site_units(archive, fragments, digests)
    parallel = worker_count(workers, len(units)) > 0
    background = [unit for unit in units if parallel and unit.background
                  and (unit.digest is None or not writer.unchanged(unit.key, unit.digest))]
    # A process for each background unit, working alongside this one writing the others.
    with pool(partial(_write_in_worker, writer), background, workers=len(background), name=_unit_name) as results:
        for unit in units:
            if not (parallel and unit.background):
                _produce(writer, unit)
        for unit, result in zip(background, results):
            _adopt(writer, unit, result)
    stats = writer.finish()
    fragments.prune(set(digests.values()))
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
