"""Incremental builds (unchanged docs keep their mtimes; MkDocs `dirty` publish) equal clean builds."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

from generator.archive import load_archive
from generator.pipeline import write_archive
from generator.publish.site import publish

from .support import tree_differences

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("policykb_bench_synth_incremental", ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)

_run_spec = importlib.util.spec_from_file_location("policykb_bench_run_incremental", ROOT / "bench" / "run.py")
bench_run = importlib.util.module_from_spec(_run_spec)
sys.modules[_run_spec.name] = bench_run
_run_spec.loader.exec_module(bench_run)


def build_into(content: Path, work: Path, *, workers: int | None = None) -> bool:
    """Generate + publish like `policykb build`; True when MkDocs ran incrementally."""
    archive = load_archive(content, cache_dir=work / "cache")
    write_archive(archive, work / "docs", workers=workers)
    return publish(work / "docs", work / "site", content_date=archive.last_archived, state_dir=work / "cache" / "publish")



@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("incremental") / "content"
    synth.generate(40, folder, seed=3, corpus=None, progress=False)
    return folder


def test_incremental_build_equals_clean_build(archive_dir: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(archive_dir, content)
    work = tmp_path / "incremental"
    assert build_into(content, work, workers=2) is False  # first build: nothing to start from
    live = work / "site"
    untouched = live / "assets" / "extra.css"
    before = untouched.stat().st_mtime_ns

    # a new version of one company, a withdrawn snapshot of another
    added = bench_run.add_snapshot(content)
    companies = sorted(p for p in (content / "snapshots").iterdir() if p != added.parent)
    withdrawn = sorted(companies[-1].glob("*.md"))[-1]
    withdrawn.unlink()
    if not any(companies[-1].iterdir()):
        companies[-1].rmdir()
    assert build_into(content, work, workers=2) is True
    assert untouched.stat().st_mtime_ns == before  # unchanged output was not rewritten

    clean = tmp_path / "clean"
    assert build_into(content, clean, workers=1) is False
    assert tree_differences(work / "site", clean / "site") == []
    withdrawn_page = withdrawn.parent.name + "/" + withdrawn.stem
    assert not (work / "site" / "companies" / withdrawn_page).exists()
    added_page = work / "site" / "companies" / added.parent.name / added.stem / "index.html"
    assert added_page.is_file()

    # nothing left behind next to the site: no staging folder, and the stamp names the new site
    leftovers = [p.name for p in work.iterdir() if p.name.startswith(".site.building-")]
    assert leftovers == []


def test_rebuild_without_changes_renders_nothing_and_stays_identical(archive_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    build_into(archive_dir, work)
    pages = sorted((work / "site").rglob("index.html"))
    mtimes = {p: p.stat().st_mtime_ns for p in pages}
    snapshot = tmp_path / "first-site"
    shutil.copytree(work / "site", snapshot)
    assert build_into(archive_dir, work) is True
    assert tree_differences(work / "site", snapshot) == []
    # pages MkDocs skipped are the very same files (hard links of the previous site)
    assert all(p.stat().st_mtime_ns == mtimes[p] for p in pages)


def test_a_restored_copy_of_the_site_stays_incremental(archive_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    build_into(archive_dir, work)
    restored = tmp_path / "restored"
    shutil.copytree(work / "site", restored)  # as CI's cache restores it: a new folder, same files and mtimes
    shutil.rmtree(work / "site")
    os.replace(restored, work / "site")
    assert build_into(archive_dir, work) is True


def test_another_site_or_a_new_configuration_means_a_clean_build(archive_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    build_into(archive_dir, work)
    other = tmp_path / "other"
    build_into(archive_dir, other)  # same content, its own build
    sitemap = other / "site" / "sitemap.xml"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace("</urlset>", "<!-- another build --></urlset>"),
                       encoding="utf-8")
    shutil.rmtree(work / "site")
    shutil.copytree(other / "site", work / "site")  # not the site the stamp describes
    assert build_into(archive_dir, work) is False
    assert build_into(archive_dir, work) is True
    config = tmp_path / "mkdocs.yml"
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("site_name: Privacy Policy Archive", "site_name: Another Archive")
    text = text.replace("custom_dir: templates/overrides", f"custom_dir: {ROOT / 'templates' / 'overrides'}")
    assert "Another Archive" in text
    config.write_text(text, encoding="utf-8")
    archive = load_archive(archive_dir, cache_dir=work / "cache")
    assert publish(work / "docs", work / "site", content_date=archive.last_archived, config_file=config,
                   state_dir=work / "cache" / "publish") is False
    assert "Another Archive" in (work / "site" / "companies" / "index.html").read_text(encoding="utf-8")
