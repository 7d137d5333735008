"""The caches of a build (generator/analyse/store.py, the docs manifest, open-data fragments): a rebuild renders
only what changed, gives the same docs folder as a clean build, and treats any damaged cache file as a miss."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from generator import pipeline
from generator.analyse import snapshot as analyse
from generator.analyse import store as stores
from generator.archive import load_archive
from generator.pipeline import write_archive
from generator.render import base, facts, history, opendata, pages, topics, units
from generator.util import paths

from .support import CONTENT, snapshot_text, tree_differences

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("policykb_bench_synth_cache", ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)

OLD = 1_600_000_000_000_000_000  # ns: files written long ago are indexed by the reader at once


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cache") / "content"
    synth.generate(30, folder, seed=5, corpus=None, progress=False)
    shutil.copy(CONTENT / "topics.yml", folder / "topics.yml")
    for path in folder.rglob("*.md"):
        os.utime(path, ns=(OLD, OLD))
    return folder


@pytest.fixture
def content(archive_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(archive_dir, copy)
    return copy


@pytest.fixture
def rendered(monkeypatch) -> Counter:
    """How many pages of each template were rendered."""
    counts: Counter = Counter()
    real = base.render

    def counting(env, template, path, meta, **context):
        counts[template] += 1
        return real(env, template, path, meta, **context)

    for module in (pages, history, topics, facts, opendata):  # each imported `render` by name
        monkeypatch.setattr(module, "render", counting)
    return counts


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """The bodies analysed (by their sha256)."""
    calls: list[str] = []
    real = analyse.analyse_snapshot

    def counting(snapshot, context):
        calls.append(snapshot.body_sha256)
        return real(snapshot, context)

    monkeypatch.setattr(stores, "analyse_snapshot", counting)
    return calls


def generate(content: Path, work: Path) -> pipeline.GenerateResult:
    return write_archive(load_archive(content, cache_dir=work / "cache"), work / "docs", workers=1)



def same_as_clean(content: Path, work: Path, tmp_path: Path) -> list[str]:
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    write_archive(load_archive(content), clean / "docs", workers=1)
    return tree_differences(work / "docs", clean / "docs")


def companies(content: Path) -> list[Path]:
    return sorted(p for p in (content / "snapshots").iterdir() if p.is_dir())


def test_a_rebuild_without_changes_renders_and_analyses_nothing(content, tmp_path, rendered, analysed):
    work = tmp_path / "work"
    generate(content, work)
    assert rendered["snapshot.md.j2"] > 0 and analysed
    rendered.clear()
    analysed.clear()
    result = generate(content, work)
    assert analysed == []
    # only the small pages about the whole archive are made again (from the summaries)
    assert set(rendered) <= {"home.md.j2", "companies.md.j2", "report.md.j2", "timeline.md.j2",
                             "timeline_year.md.j2", "stats.md.j2", "data.md.j2"}
    assert result.stats.written == 0 and result.stats.removed == 0


def test_a_new_version_renders_its_company_only(content, tmp_path, rendered, analysed, monkeypatch):
    work = tmp_path / "work"
    generate(content, work)
    quoted = []
    real_quotes = topics.analysis_quotes
    monkeypatch.setattr(topics, "analysis_quotes", lambda analysis: quoted.append(1) or real_quotes(analysis))
    folder = companies(content)[0]
    latest = sorted(folder.glob("*.md"))[-1]
    text = latest.read_text(encoding="utf-8").replace(f"archived on {latest.stem}", "archived on 2026-09-30", 1)
    (folder / "2026-09-30.md").write_text(text + "\nA new paragraph about quokkas.\n", encoding="utf-8")
    rendered.clear()
    analysed.clear()
    generate(content, work)
    assert len(analysed) == 1
    assert rendered["snapshot.md.j2"] == len(list(folder.glob("*.md")))  # "version i of n" changed on each
    assert rendered["company.md.j2"] == 1
    assert len(quoted) == 1  # the topic pages quote the other companies from the cache
    assert same_as_clean(content, work, tmp_path) == []


def test_an_edit_in_place_and_a_deleted_snapshot(content, tmp_path):
    work = tmp_path / "work"
    generate(content, work)
    first, second = companies(content)[:2]
    edited = sorted(first.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("the", "thy", 1), encoding="utf-8")
    deleted = sorted(second.glob("*.md"))[-1]
    deleted.unlink()
    if not any(second.iterdir()):
        second.rmdir()
    generate(content, work)
    assert same_as_clean(content, work, tmp_path) == []
    assert not (work / "docs" / "companies" / second.name / f"{deleted.stem}.md").exists()
    fragments = {p.stem for p in (work / "cache" / "fragments").rglob("*.pickle")}
    assert len(fragments) == len(companies(content))  # the old fragments of both companies are gone


def test_recaptures_are_analysed_once(tmp_path, analysed):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    folder = content / "snapshots" / "example.com"
    folder.mkdir()
    for day in ("2019-01-01", "2019-06-01", "2020-01-01"):
        (folder / f"{day}.md").write_text(snapshot_text("example.com", day, "We sell nothing."), encoding="utf-8")
    archive = load_archive(content, cache_dir=tmp_path / "cache")
    assert Counter(analysed)[archive.companies[1].versions[0].body_sha256] == 1
    assert [v.change for v in archive.histories["example.com"]] == ["first", "recapture", "recapture"]


def test_a_changed_taxonomy_analyses_and_renders_again(content, tmp_path, rendered, analysed):
    work = tmp_path / "work"
    generate(content, work)
    taxonomy = content / "topics.yml"
    text = taxonomy.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    taxonomy.write_text(text.replace(title, title + " (renamed)", 1), encoding="utf-8")
    rendered.clear()
    analysed.clear()
    archive = generate(content, work).archive
    bodies = {s.body_sha256 for s in archive.snapshots}  # recaptures share their analysis
    assert sorted(analysed) == sorted(bodies) and rendered["snapshot.md.j2"] == len(archive.snapshots)
    assert same_as_clean(content, work, tmp_path) == []
    assert "(renamed)" in (work / "docs" / "topics" / "index.md").read_text(encoding="utf-8")


def test_a_changed_template_renders_again(content, tmp_path, monkeypatch, rendered):
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES_DIR, templates)
    monkeypatch.setattr(paths, "TEMPLATES_DIR", templates)
    units.generation_digest.cache_clear()
    units.environment.cache_clear()
    work = tmp_path / "work"
    generate(content, work)
    template = templates / "snapshot.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\nTemplate changed.\n", encoding="utf-8")
    units.generation_digest.cache_clear()
    units.environment.cache_clear()
    rendered.clear()
    generate(content, work)
    snapshots = sum(1 for _ in content.rglob("snapshots/*/*.md"))
    assert rendered["snapshot.md.j2"] == snapshots
    page = next((work / "docs" / "companies").rglob("????-??-??.md"))
    assert "Template changed." in page.read_text(encoding="utf-8")
    units.generation_digest.cache_clear()
    units.environment.cache_clear()


@pytest.mark.parametrize("damage", ["summaries.pickle", "history.pickle", "pages.pickle", "read-index.pickle",
                                    "topic-quotes.pickle", "analyses", "diffs", "fragments", "search"])
def test_a_damaged_cache_file_is_a_miss(content, tmp_path, damage):
    work = tmp_path / "work"
    generate(content, work)
    reference = tmp_path / "reference"
    shutil.copytree(work / "docs", reference)
    target = work / "cache" / damage
    for path in [target] if target.is_file() else sorted(target.rglob("*.p*kl*"))[:5]:
        path.write_bytes(b"\x80\x05 not what it was")
    for page in (work / "docs" / "companies").rglob("*.md"):  # and a page edited by hand
        page.write_text("edited", encoding="utf-8")
        break
    generate(content, work)
    assert tree_differences(work / "docs", reference) == []


def test_parallel_rendering_equals_serial(content, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "RENDER_PARALLEL_THRESHOLD", 2)
    archive = load_archive(content, cache_dir=tmp_path / "cache")
    write_archive(archive, tmp_path / "parallel", workers=2)
    write_archive(load_archive(content), tmp_path / "serial", workers=1)
    assert tree_differences(tmp_path / "parallel", tmp_path / "serial") == []


def test_analyses_and_diffs_no_snapshot_uses_are_removed(content, tmp_path):
    work = tmp_path / "work"
    generate(content, work)
    folder = next(c for c in companies(content) if len(list(c.glob("*.md"))) >= 3)
    latest = sorted(folder.glob("*.md"))[-1]
    latest.write_text(latest.read_text(encoding="utf-8") + "\nA sentence that was not there.\n", encoding="utf-8")
    archive = generate(content, work).archive
    analyses = {p.stem for p in (work / "cache" / "analyses").rglob("*.pickle")}
    assert analyses == {archive.summaries[s.key].key for s in archive.snapshots}
    pairs = [(old, new) for c in archive.companies for old, new in zip(c.versions, c.versions[1:])]
    kept = {p.stem for p in (work / "cache" / "diffs").rglob("*.pickle")}
    assert kept <= {archive.diffs.name(kind, (old.body_sha256, new.body_sha256))
                    for old, new in pairs for kind in stores.DIFF_KINDS}
    assert archive.diffs.name("diff", (pairs[0][0].body_sha256, pairs[0][1].body_sha256)) in kept or \
        archive.histories[archive.companies[0].domain][1].change in ("first", "recapture")
