"""Two builds of the same input are byte-identical; a failed or killed build leaves the
previous site/ intact (the new one is built aside and swapped in atomically)."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.publish import site as publish_module
from generator.archive import load_archive
from generator.pipeline import build
from generator.publish.site import PublishError, swap_in

from .support import CONTENT, FIXTURES

HOSTILE = FIXTURES / "hostile"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(content: Path, work: Path) -> Path:
    build(load_archive(content), work / "docs", work / "site")
    return work


def test_two_builds_are_byte_identical(tmp_path):
    copy = tmp_path / "elsewhere" / "content"
    shutil.copytree(CONTENT, copy)
    first = _build(CONTENT, tmp_path / "a")
    time.sleep(1.1)  # a different wall-clock second: nothing may depend on it
    second = _build(copy, tmp_path / "b")
    assert tree(first / "docs") == tree(second / "docs")
    site_a, site_b = tree(first / "site"), tree(second / "site")
    assert site_a.keys() == site_b.keys()
    assert [name for name in site_a if site_a[name] != site_b[name]] == []


def test_sitemap_dates_come_from_the_content(tmp_path):
    work = _build(CONTENT, tmp_path / "a")
    archive = load_archive(CONTENT)
    sitemap = (work / "site/sitemap.xml").read_text()
    for stamp in sitemap.split("<lastmod>")[1:]:
        assert stamp.startswith(archive.last_archived.isoformat())
    raw = (work / "site/sitemap.xml.gz").read_bytes()
    epoch = int.from_bytes(raw[4:8], "little")  # the gzip header's MTIME
    assert time.gmtime(epoch)[:3] == archive.last_archived.timetuple()[:3]
    assert gzip.decompress(raw).decode() == sitemap


def test_empty_archive_builds_reproducibly(tmp_path):
    empty = tmp_path / "content"
    (empty / "snapshots").mkdir(parents=True)
    first = _build(empty, tmp_path / "a")
    time.sleep(1.1)
    second = _build(empty, tmp_path / "b")
    assert tree(first / "site") == tree(second / "site")


def test_failed_build_keeps_previous_site(tmp_path, monkeypatch):
    work = _build(CONTENT, tmp_path)
    before = tree(work / "site")

    def broken(config, **options):
        (Path(config["site_dir"]) / "half.html").write_text("half")
        raise publish_module.Abort("simulated MkDocs failure")

    monkeypatch.setattr(publish_module, "build_site", broken)
    with pytest.raises(PublishError):
        build(load_archive(HOSTILE), work / "docs", work / "site")
    assert tree(work / "site") == before
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name] == []


def test_swap_is_atomic_exchange_on_linux(tmp_path):
    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir(), new.mkdir()
    (old / "v").write_text("old")
    (new / "v").write_text("new")
    if not publish_module._exchange(new, old):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert (old / "v").read_text() == "new" and (new / "v").read_text() == "old"


def test_fallback_swap_killed_between_renames_is_healed(tmp_path, monkeypatch):
    site, new = tmp_path / "site", tmp_path / "new"
    site.mkdir(), new.mkdir()
    (site / "v").write_text("old")
    (new / "v").write_text("new")
    monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls = []

    def dying_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed between the two renames
        real_replace(src, dst)

    monkeypatch.setattr(publish_module.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        swap_in(new, site)
    monkeypatch.setattr(publish_module.os, "replace", real_replace)
    assert not site.exists()
    publish_module.restore_interrupted_swap(site)
    assert (site / "v").read_text() == "old"


KILL_SCRIPT = """
import sys
from pathlib import Path
from generator.archive import load_archive
from generator.pipeline import build
build(load_archive(Path(sys.argv[1])), Path(sys.argv[2]), Path(sys.argv[3]))
"""


def test_build_killed_at_any_moment_leaves_a_whole_site(tmp_path):
    """SIGKILL a build at several moments: site/ is always the old site or the whole new one."""
    work = _build(CONTENT, tmp_path / "old")
    old = tree(work / "site")
    new = tree(_build(HOSTILE, tmp_path / "reference") / "site")
    site = work / "site"
    outcomes = set()
    for delay in (0.3, 0.8, 1.2, 1.6, 2.0, 2.5, 3.5):
        process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(HOSTILE), str(work / "docs"), str(site)],
                                   cwd=Path(__file__).resolve().parent.parent)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        publish_module.restore_interrupted_swap(site)  # what the next build does first
        current = tree(site)
        assert current in (old, new), f"killed after {delay}s: site is neither the old nor the new one"
        outcomes.add("new" if current == new else "old")
        if current == new:
            shutil.rmtree(site)
            build(load_archive(CONTENT), work / "docs", site)
            assert tree(site) == old
    build(load_archive(HOSTILE), work / "docs", site)
    assert tree(site) == new
    assert [p.name for p in work.iterdir() if ".building-" in p.name or p.name.endswith(".previous")] == []
