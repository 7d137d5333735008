"""Publish stage: the docs folder -> a static site, with MkDocs and Material.

The site is built into a temporary sibling folder and swapped in only when the
build succeeded, so a failed or killed build never destroys the last good site. On
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant `site/` is
either the whole old site or the whole new one. Elsewhere it is two renames, and a kill
between them is healed at the start of the next build (`restore_interrupted_swap`).

The build is MkDocs' own, step by step (`build_site`, with mkdocs_api.py, the only module that
touches MkDocs), with the pages shared out among forked worker processes that each render and
write one page at a time: the same bytes as `mkdocs build`, on every core, without holding every
page in memory.

Output is deterministic: MkDocs' only clock reading (sitemap dates, the gzip header of
sitemap.xml.gz) comes from SOURCE_DATE_EPOCH, which we derive from the content.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path

from generator.publish import rawhtml
from generator.publish.mkdocs_api import (Abort, Config, MkDocsException, PageBuild, RenderedPage, build_pages,
                                          load_config, mkdocs_build, quiet_mkdocs_info)
from generator.util.parallel import Progress, parallel_map, worker_count
from generator.util.paths import MKDOCS_CONFIG

__all__ = ["MKDOCS_CONFIG", "PublishError", "build_site", "publish", "quiet_mkdocs_info", "source_date_epoch"]


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


def build_site(config: Config, *, previous: Path | None = None, workers: int | None = None,
               progress: bool = False) -> None:
    """What `mkdocs build` does, for a configuration without plugins (mkdocs_api.build_pages), with
    the documentation pages rendered by forked worker processes. The workers share the pages out
    (largest first); each reads, renders and writes one page at a time and then drops its Markdown
    and HTML, where MkDocs keeps every page's until the end. The output is byte-identical to
    MkDocs' (tests/publish/test_site.py).

    `workers`: at most this many processes (default: one per CPU), and none (this process renders
    the pages) for less than MIN_BYTES_PER_WORKER of Markdown each. `previous`: the last site built
    from this docs folder with this configuration (see build_pages).
    """
    def render_all(build: PageBuild) -> Sequence[RenderedPage]:
        count = worker_count(workers, len(build.pages), work=sum(build.sizes), per_worker=MIN_BYTES_PER_WORKER)
        return parallel_map(build.render, build.pages, workers=count, name=lambda file: f"page {file.src_uri}",
                            progress=Progress(progress, "publish", "page"))

    build_pages(config, previous=previous, render_all=render_all)


# --------------------------------------------------------------------------- incremental publishing

_STAMP_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


def _stamp(config: Config, config_file: Path, site_dir: Path) -> dict:
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
