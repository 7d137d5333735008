"""Publish stage: the docs folder -> a static site, with MkDocs and Material.

The site is built into a temporary sibling folder and swapped in only when the
build succeeded, so a failed or killed build never destroys the last good site. On
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant `site/` is
either the whole old site or the whole new one. Elsewhere it is two renames, and a kill
between them is healed at the start of the next build (`restore_interrupted_swap`).

The build is MkDocs' own, step by step (`build_site`), with the pages shared out among forked
worker processes that each render and write one page at a time: the same bytes as `mkdocs
build`, on every core, without holding every page in memory.

Output is deterministic: MkDocs' only clock reading (sitemap dates, the gzip header of
sitemap.xml.gz) comes from SOURCE_DATE_EPOCH, which we derive from the content.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from mkdocs import utils
from mkdocs.commands import build as build_steps  # its page and template steps; MkDocs is pinned <2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError, MkDocsException
from mkdocs.structure.files import File, Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from generator.publish import rawhtml
from generator.util.paths import MKDOCS_CONFIG
from generator.util.progress import progress_bar



class PublishError(Exception):
    """MkDocs refused to build the site (in strict mode, any warning)."""


@contextlib.contextmanager
def source_date_epoch(day: date | None) -> Iterator[None]:
    """Let MkDocs stamp the sitemap with a date derived from the content, not the clock.

    An empty archive has no date; it gets the epoch itself, so even its build is reproducible.
    """
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    epoch = 0 if day is None else int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when the system cannot, so the caller falls back."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # old kernel, or a file system without RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(second))


def _backup_of(site_dir: Path) -> Path:
    return site_dir.with_name(site_dir.name + ".previous")


def swap_in(new_site: Path, site_dir: Path) -> None:
    """Replace `site_dir` by `new_site`; `site_dir` is never missing or half-written at any instant.

    With an atomic exchange the old site ends up in `new_site`'s place and is deleted after.
    Without one, two renames; `restore_interrupted_swap` heals a kill between them.
    """
    if not site_dir.exists() and not site_dir.is_symlink():
        os.replace(new_site, site_dir)
        return
    if site_dir.is_dir() and not site_dir.is_symlink() and _exchange(new_site, site_dir):
        shutil.rmtree(new_site, ignore_errors=True)  # now the old site
        return
    backup = _backup_of(site_dir)
    if backup.exists():
        shutil.rmtree(backup)
    os.replace(site_dir, backup)
    os.replace(new_site, site_dir)
    shutil.rmtree(backup, ignore_errors=True)


def restore_interrupted_swap(site_dir: Path) -> None:
    """Undo the effects of a build killed while swapping (fallback path) or while building."""
    backup = _backup_of(site_dir)
    if backup.exists() and not site_dir.exists():
        os.replace(backup, site_dir)
    elif backup.is_dir() and site_dir.is_dir():
        shutil.rmtree(backup, ignore_errors=True)  # killed after the swap, before the clean-up
    remove_stale_staging(site_dir)


STAGING_RE = re.compile(r"^\.(?P<site>.+)\.building-(?P<pid>[0-9]+)-[A-Za-z0-9_]+$")


def remove_stale_staging(site_dir: Path) -> None:
    """Delete staging folders left by builds that were killed (their process is gone)."""
    if not site_dir.parent.is_dir():
        return
    for path in site_dir.parent.iterdir():
        match = STAGING_RE.match(path.name)
        if not match or match.group("site") != site_dir.name or not path.is_dir() or path.is_symlink():
            continue
        if not _process_alive(int(match.group("pid"))):
            shutil.rmtree(path, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # perhaps another thread's build in progress: never pull a folder from under it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(docs_dir: Path, site_dir: Path, *, content_date: date | None, strict: bool = True,
            config_file: Path = MKDOCS_CONFIG, state_dir: Path | None = None, progress: bool = False,
            workers: int | None = None) -> bool:
    """Build `docs_dir` into `site_dir` with MkDocs (atomically); True when the build was incremental.

    `workers`: processes rendering pages (default: one per CPU; see `build_site`).

    With `state_dir` (a folder kept between builds, e.g. the build cache), a build whose MkDocs
    configuration, theme overrides and package versions are those of the previous build into the
    same `site_dir` is incremental: the staging folder starts with hard links to the current site's
    files whose docs file is not newer, and only the docs files modified since are rendered (the
    writer keeps the mtimes of unchanged files). Nothing is ever written through a link into the
    live site; the swap stays atomic and the result equals a clean build.
    """
    site_dir = site_dir.resolve()
    restore_interrupted_swap(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-{os.getpid()}-", dir=site_dir.parent))
    stamp_file = state_dir / "publish-stamp.json" if state_dir is not None else None
    incremental = False
    stamp = None
    try:
        config = load_config(config_file=str(config_file), docs_dir=str(docs_dir.resolve()),
                             site_dir=str(staging), strict=strict)
        if stamp_file is not None and not config.plugins:
            stamp = _stamp(config, config_file, site_dir)
        if stamp is not None and site_dir.is_dir() and not site_dir.is_symlink():
            incremental = _read_stamp(stamp_file) == {**stamp, "site": _site_identity(site_dir)}
        with source_date_epoch(content_date):
            if config.plugins:
                # Plugins may gather every page before writing any (search does): MkDocs' own build.
                mkdocs_build(config)
            else:
                build_site(config, previous=site_dir if incremental else None, workers=workers, progress=progress)
    except (Abort, MkDocsException) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"MkDocs could not build the site: {error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o755)
    swap_in(staging, site_dir)
    if stamp_file is not None and stamp is not None:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = stamp_file.with_name(f".{stamp_file.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({**stamp, "site": _site_identity(site_dir)}, sort_keys=True))
        os.replace(temporary, stamp_file)
    return incremental


# --------------------------------------------------------------------------- MkDocs' build, page by page in parallel

# A worker renders at least this much Markdown (~200 ms of work), or forking costs more than it saves.
# Bytes, not pages: a topic page of the whole archive costs as much as thousands of snapshot pages.
MIN_BYTES_PER_WORKER = 2 << 20


def build_site(config: MkDocsConfig, *, previous: Path | None = None, workers: int | None = None,
               progress: bool = False) -> None:
    """What `mkdocs build` does (mkdocs.commands.build.build, MkDocs 1.6.1, for a configuration
    without plugins), with the documentation pages rendered by forked worker processes.

    The main process prepares what every page needs once (files, navigation, theme environment,
    and the front matter of the pages in the navigation, which the theme shows on every page),
    then writes static files, theme files, sitemap and 404 page as MkDocs does, in its order.
    The workers share the pages out (largest first); each reads, renders and writes one page at
    a time and then drops its Markdown and HTML, where MkDocs keeps every page's until the end.
    Warnings logged in a worker count for strict mode. The output is byte-identical to MkDocs'
    (tests/test_publish_parallel.py).

    `workers`: at most this many processes (default: one per CPU), and one (no fork) for less
    than MIN_BYTES_PER_WORKER of Markdown each. `previous`: the last site built from this docs
    folder with this configuration; MkDocs' dirty build: the output files whose source is not
    newer are hard-linked from it into the (empty) `site_dir`, and only the others are written.
    """
    mkdocs_logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        mkdocs_logger.addHandler(warning_counter)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        if previous is None:
            utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for file in doc_files:
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
        for page in nav.pages:
            page.read_source(config)
        env = config.plugins.on_env(env, config=config, files=files)

        dirty = previous is not None
        if dirty:
            _link_unchanged(files, previous, config.site_dir)
        files.copy_static_files(dirty=dirty, inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            build_steps._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            build_steps._build_extra_template(template, files, config, nav)

        sizes = {file.src_uri: os.path.getsize(file.abs_src_path)
                 for file in doc_files if not dirty or file.is_modified()}
        # Largest first, so no worker is left with a big page at the end.
        todo = sorted((file for file in doc_files if file.src_uri in sizes),
                      key=lambda file: sizes[file.src_uri], reverse=True)
        anchors_level = config.validation.links.anchors
        job = _Job(config, files, doc_files, nav, env,
                   validate_anchors=logging.getLogger("mkdocs.structure.pages").isEnabledFor(anchors_level))
        count = min(workers or os.cpu_count() or 1, sum(sizes.values()) // MIN_BYTES_PER_WORKER)
        if count > 1 and "fork" in multiprocessing.get_all_start_methods():
            anchors = _render_in_workers(job, todo, count, warning_counter, progress)
        else:
            with progress_bar(progress, total=len(todo), desc="publish", unit="page") as bar:
                anchors = _render(job, todo, bar.update)
        if job.validate_anchors:
            _validate_anchors(job, anchors, anchors_level)

        config.plugins.on_post_build(config=config)
        if counts := warning_counter.get_counts():
            message = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {message} in strict mode!")
    except Exception as error:
        config.plugins.on_build_error(error=error)
        if isinstance(error, BuildError):
            logging.getLogger("mkdocs.commands.build").error(str(error))
            raise Abort("Aborted with a BuildError!")
        raise
    finally:
        mkdocs_logger.removeHandler(warning_counter)


@dataclass
class _Job:
    """What rendering any page needs; prepared once, inherited by the forked workers."""

    config: MkDocsConfig
    files: Files
    doc_files: Sequence[File]
    nav: Navigation
    env: jinja2.Environment
    validate_anchors: bool  # MkDocs would log its anchor checks: keep what they need


# src_uri -> (anchor ids on that page, {linked src_uri: {anchor: link as written}})
Anchors = dict[str, tuple[set[str], dict[str, dict[str, str]]]]


def _render(job: _Job, todo: Iterable[File], done: Callable[[int], object]) -> Anchors:
    """Read, render and write each page, then let it go back to what it was before (memory stays flat)."""
    anchors: Anchors = {}
    for file in todo:
        page = file.page
        assert page is not None
        source = page.markdown, page.meta  # the navigation's pages keep their front matter
        build_steps._populate_page(page, job.config, job.files)
        build_steps._build_page(page, job.config, job.doc_files, job.nav, job.env,
                                excluded=file.inclusion.is_excluded())
        if job.validate_anchors:
            links = {target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()}
            anchors[file.src_uri] = (set(page.present_anchor_ids or ()), links)
        page.markdown, page.meta = source
        page.content, page.toc, page.present_anchor_ids, page.links_to_anchors = None, [], None, None
        done(1)
    return anchors


class _WorkerTraceback(Exception):
    """Where a publish worker raised the exception re-raised in the main process (its cause)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _render_in_workers(job: _Job, todo: list[File], count: int, warning_counter: utils.CountHandler,
                       progress: bool) -> Anchors:
    """`_render` in `count` forked processes taking pages from a shared counter; their warnings
    are added to `warning_counter`, the first failure is re-raised here."""
    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)
    processes, connections = [], []
    try:
        for _ in range(count):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(job, todo, claimed, warning_counter, sender),
                                      name="publish-worker", daemon=True)
            process.start()
            sender.close()
            processes.append(process)
            connections.append(receiver)
        anchors: Anchors = {}
        with progress_bar(progress, total=len(todo), desc="publish", unit="page") as bar:
            while connections:
                for connection in multiprocessing.connection.wait(connections):
                    try:
                        message = connection.recv()
                    except EOFError:
                        raise BuildError("a publish worker died before finishing its pages") from None
                    if message[0] == "done":
                        bar.update(message[1])
                        continue
                    connections.remove(connection)
                    if message[0] == "failed":
                        raise message[1] from _WorkerTraceback(message[2])
                    _, counts, found = message
                    for level, number in counts.items():
                        warning_counter.counts[level] += number
                    anchors.update(found)
        return anchors
    finally:
        for process in processes:
            if connections:  # a worker failed, or we were interrupted: the others' pages are moot
                process.terminate()
            process.join()


def _worker(job: _Job, todo: list[File], claimed: Any, warning_counter: utils.CountHandler,
            connection: multiprocessing.connection.Connection) -> None:
    warning_counter.counts.clear()  # the copy inherited from the main process: count this worker's only

    def claim() -> Iterator[File]:
        while True:
            with claimed.get_lock():
                index = claimed.value
                claimed.value = index + 1
            if index >= len(todo):
                return
            yield todo[index]

    try:
        anchors = _render(job, claim(), lambda n: connection.send(("done", n)))
        connection.send(("finished", dict(warning_counter.counts), anchors))
    except BaseException as error:
        trace = traceback.format_exc()
        try:
            connection.send(("failed", error, trace))
        except Exception:  # the exception does not pickle: its text must do
            connection.send(("failed", BuildError(f"{type(error).__name__}: {error}"), trace))
    finally:
        connection.close()


def _validate_anchors(job: _Job, anchors: Anchors, level: int) -> None:
    """MkDocs' check of links to anchors on other pages, over what the workers found."""
    for src_uri, (present, links) in anchors.items():
        page = job.files.get_file_from_path(src_uri).page
        page.present_anchor_ids = present
        page.links_to_anchors = {job.files.get_file_from_path(target): found for target, found in links.items()}
    for file in job.doc_files:
        file.page.validate_anchor_links(files=job.files, log_level=level)


# --------------------------------------------------------------------------- incremental publishing

_STAMP_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


def _stamp(config, config_file: Path, site_dir: Path) -> dict:
    """What every page's HTML depends on besides its own docs file."""
    digest = hashlib.sha256(Path(config_file).read_bytes())
    digest.update(Path(rawhtml.__file__).read_bytes())  # our Markdown extension
    custom_dir = config.theme.custom_dir
    if custom_dir:
        for path in sorted(Path(custom_dir).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(custom_dir).as_posix().encode() + b"\0" + path.read_bytes())
    versions = {}
    for package in _STAMP_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"config": digest.hexdigest(), "docs_dir": config.docs_dir, "site_dir": str(site_dir),
            "strict": bool(config.strict), "versions": versions}


def _site_identity(site_dir: Path) -> str | None:
    """Which build `site_dir` holds: the digest of the sitemap that build wrote.

    Not the folder's inode: CI restores the last site from a cache archive (a new inode, same
    files and mtimes) and that site must still be published incrementally.
    """
    try:
        return hashlib.sha256((site_dir / "sitemap.xml").read_bytes()).hexdigest()
    except OSError:
        return None


def _read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _link_unchanged(files: Files, previous: Path, site_dir: str) -> None:
    """Hard-link (or copy) from `previous` into the empty `site_dir` each output file whose source is not
    newer: what MkDocs' dirty build would leave as it is. Everything else (stale pages, withdrawn
    pages, the sitemap and 404 page) is left for this build to write, or out, as a clean build would;
    no write ever goes through a link into `previous`, and no folder is left empty.
    """
    folders: set[str] = set()
    for file in files:
        if not file.inclusion.is_included() or file.abs_src_path is None:
            continue
        old = os.path.join(previous, file.dest_uri)
        try:
            if os.path.getmtime(old) < os.path.getmtime(file.abs_src_path):
                continue  # MkDocs' File.is_modified
        except FileNotFoundError:
            continue
        new = os.path.join(site_dir, file.dest_uri)
        folder = os.path.dirname(new)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        try:
            os.link(old, new)
        except OSError:
            shutil.copy2(old, new)


def quiet_mkdocs_info() -> None:
    """MkDocs logs every page not in the nav at INFO; our snapshot pages are deliberately not in it."""
    logging.getLogger("mkdocs.structure.pages").setLevel(logging.WARNING)
