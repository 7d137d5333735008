"""Publish stage: the docs folder -> a static site, with MkDocs and Material.

The site is built into a temporary sibling folder and swapped in only when the
build succeeded, so a failed or killed build never destroys the last good site. On
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant `site/` is
either the whole old site or the whole new one. Elsewhere it is two renames, and a kill
between them is healed at the start of the next build (`restore_interrupted_swap`).

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
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timezone
from importlib import metadata
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.exceptions import Abort, MkDocsException

from .config import PROJECT_ROOT
from .progress import mkdocs_progress

MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"


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
            config_file: Path = MKDOCS_CONFIG, state_dir: Path | None = None, progress: bool = False) -> bool:
    """Build `docs_dir` into `site_dir` with MkDocs (atomically); True when the build was incremental.

    With `state_dir` (a folder kept between builds, e.g. the build cache), a build whose MkDocs
    configuration, theme overrides and package versions are those of the previous build into the
    same `site_dir` is incremental: the staging folder starts as a hard-linked copy of the current
    site and MkDocs runs with `dirty=True`, so it renders only the docs files modified since
    (the writer keeps the mtimes of unchanged files). Files MkDocs will write, and files a clean
    build would not produce, are unlinked from the copy first, so nothing is ever written through
    a link into the live site; the swap stays atomic and the result equals a clean build.
    """
    site_dir = site_dir.resolve()
    restore_interrupted_swap(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-{os.getpid()}-", dir=site_dir.parent))
    stamp_file = state_dir / "publish-stamp.json" if state_dir is not None else None
    incremental = False
    try:
        config = load_config(config_file=str(config_file), docs_dir=str(docs_dir.resolve()),
                             site_dir=str(staging), strict=strict)
        stamp = _stamp(config, config_file, site_dir) if stamp_file is not None else None
        if stamp_file is not None and stamp is not None and site_dir.is_dir() and not site_dir.is_symlink():
            incremental = _read_stamp(stamp_file) == {**stamp, "site_inode": site_dir.stat().st_ino}
        if incremental:
            _link_tree(site_dir, staging)
            _prepare_dirty(config, staging)
        pages = sum(1 for _ in docs_dir.rglob("*.md")) if progress else 0
        with source_date_epoch(content_date), _dirty_warning_silenced(), mkdocs_progress(progress, pages):
            if incremental:
                mkdocs_build(config, dirty=True)
            else:
                mkdocs_build(config)
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
        temporary.write_text(json.dumps({**stamp, "site_inode": site_dir.stat().st_ino}, sort_keys=True))
        os.replace(temporary, stamp_file)
    return incremental


# --------------------------------------------------------------------------- incremental publishing

_STAMP_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


def _stamp(config, config_file: Path, site_dir: Path) -> dict | None:
    """What every page's HTML depends on besides its own docs file; None when it cannot be known."""
    digest = hashlib.sha256(Path(config_file).read_bytes())
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


def _read_stamp(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _link_tree(source: Path, target: Path) -> None:
    """`target` (an empty folder) becomes a copy of `source` made of hard links (copies if links fail)."""
    for folder, dirnames, filenames in os.walk(source):
        relative = os.path.relpath(folder, source)
        destination = target if relative == "." else target / relative
        for name in dirnames:
            (destination / name).mkdir()
        for name in filenames:
            try:
                os.link(os.path.join(folder, name), destination / name)
            except OSError:
                shutil.copy2(os.path.join(folder, name), destination / name)


def _prepare_dirty(config, staging: Path) -> None:
    """Leave in `staging` only the files a dirty MkDocs build will keep as they are.

    Removed: files a clean build would not produce (withdrawn pages, old sitemaps) and files MkDocs
    will (re)write because their source is newer, so its writes never go through a hard link.
    """
    files = get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    keep: set[str] = set()
    for file in files:
        if not file.inclusion.is_included() or file.abs_dest_path is None:
            continue
        if not file.is_modified():
            keep.add(os.path.normpath(file.abs_dest_path))
    for folder, _, filenames in os.walk(staging):
        for name in filenames:
            path = os.path.normpath(os.path.join(folder, name))
            if path not in keep:
                os.unlink(path)
    for folder, dirnames, filenames in os.walk(staging, topdown=False):
        if folder != str(staging) and not os.listdir(folder):
            os.rmdir(folder)  # a clean build has no empty folders; MkDocs makes the ones it needs


class _DirtyWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")


@contextlib.contextmanager
def _dirty_warning_silenced() -> Iterator[None]:
    """MkDocs warns that dirty builds may have stale navigation (strict mode would fail on it).

    Ours may not: every page's HTML depends only on its own docs file and on what the stamp covers
    (configuration, nav, theme overrides, versions), and stale files are removed beforehand.
    """
    logger = logging.getLogger("mkdocs.commands.build")
    dirty_filter = _DirtyWarningFilter()
    logger.addFilter(dirty_filter)
    try:
        yield
    finally:
        logger.removeFilter(dirty_filter)


def quiet_mkdocs_info() -> None:
    """MkDocs logs every page not in the nav at INFO; our snapshot pages are deliberately not in it."""
    logging.getLogger("mkdocs.structure.pages").setLevel(logging.WARNING)
