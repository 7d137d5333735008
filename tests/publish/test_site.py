"""generator/publish.py's `build_site`: MkDocs' build with the pages rendered by forked workers.

The site is byte-identical to a stock `mkdocs build` of the same docs folder (also without our
Markdown extension), every internal link of it resolves, warnings logged in a worker fail a
strict build, a worker's error reaches the caller, and no page's HTML is kept after it is written.
"""

from __future__ import annotations

import importlib.util
import os
import posixpath
import shutil
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from generator.publish import mkdocs_api
from generator.publish import site as publish_module
from generator.pipeline import generate
from generator.publish.site import PublishError, build_site, publish, source_date_epoch
from generator.util.paths import MKDOCS_CONFIG

from ..support import FIXTURES, REPO, tree_differences

_spec = importlib.util.spec_from_file_location("policykb_bench_synth_parallel", REPO / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)

DAY = date(2024, 1, 1)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Docs of 40 synthetic snapshots (versions, changes, topics, timeline) and the hostile ones."""
    work = tmp_path_factory.mktemp("parallel")
    content = work / "content"
    synth.generate(40, content, seed=3, corpus=None, progress=False)
    for company in (FIXTURES / "hostile" / "snapshots").iterdir():
        shutil.copytree(company, content / "snapshots" / company.name)
    generate(content, work / "docs", today=date(2026, 1, 1))
    return work / "docs"


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every build fork (even for a few pages); the list records each forked run's worker count."""
    runs: list[int] = []
    parallel_map = publish_module.parallel_map

    def recording(function, items, *, workers, **options):
        if workers:
            runs.append(workers)
        return parallel_map(function, items, workers=workers, **options)

    monkeypatch.setattr(publish_module, "MIN_BYTES_PER_WORKER", 1)
    monkeypatch.setattr(publish_module, "parallel_map", recording)
    return runs


def stock_build(docs: Path, site: Path, config_file: Path = MKDOCS_CONFIG) -> None:
    with source_date_epoch(DAY):
        mkdocs_build(load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site), strict=True))


def parallel_build(docs: Path, site: Path, workers: int = 2) -> None:
    with source_date_epoch(DAY):
        build_site(load_config(config_file=str(MKDOCS_CONFIG), docs_dir=str(docs), site_dir=str(site), strict=True),
                   workers=workers)



def config_variant(tmp_path: Path, replace: str, by: str) -> Path:
    text = MKDOCS_CONFIG.read_text(encoding="utf-8")
    assert replace in text
    text = text.replace(replace, by).replace("custom_dir: templates/overrides",
                                             f"custom_dir: {REPO / 'templates' / 'overrides'}")
    config = tmp_path / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def stock_site(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("stock") / "site"
    stock_build(docs, site)
    return site


def test_parallel_build_is_byte_identical_to_mkdocs(docs, stock_site, tmp_path, forked):
    parallel_build(docs, tmp_path / "site", workers=2)
    assert forked == [2]
    assert tree_differences(stock_site, tmp_path / "site") == []


def test_one_process_build_is_byte_identical_to_mkdocs(docs, stock_site, tmp_path):
    parallel_build(docs, tmp_path / "site", workers=1)
    assert tree_differences(stock_site, tmp_path / "site") == []


def test_markdown_without_our_extension_builds_the_same_site(docs, stock_site, tmp_path):
    """What a publisher without generator.publish.rawhtml (Zensical, ProperDocs, plain MkDocs) would make of our docs."""
    config = config_variant(tmp_path, "  - generator.publish.rawhtml", "")
    stock_build(docs, tmp_path / "site", config)
    assert tree_differences(stock_site, tmp_path / "site") == []


# ---------------------------------------------------------------------- links


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("id"):
            self.ids.add(named["id"])
        for attribute in ("href", "src"):
            if named.get(attribute) is not None and tag in ("a", "link", "img", "script"):
                self.links.append(named[attribute])


def parsed(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_of_the_site_resolves(stock_site):
    """MkDocs checks only Markdown links; most of ours are in raw HTML. Every href/src of every page
    (anchors included) must name a file of the site."""
    pages = sorted(stock_site.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    broken: list[str] = []
    checked = 0
    for page in pages:
        base = page.parent.relative_to(stock_site).as_posix()
        for url in parsed(page).links:
            scheme, netloc, path, _, fragment = urlsplit(url)
            if scheme or netloc:
                continue
            if path.startswith("/"):  # 404.html: from the site root
                target = path.lstrip("/")
            elif path:
                target = posixpath.normpath(posixpath.join(base, path))
            else:  # an anchor on the page itself
                target = page.relative_to(stock_site).as_posix()
            file = stock_site / target
            if file.is_dir():
                file = file / "index.html"
            checked += 1
            if not file.is_file():
                broken.append(f"{page.relative_to(stock_site)}: {url}")
            elif fragment and file.suffix == ".html":
                if file not in ids:
                    ids[file] = parsed(file).ids
                if fragment not in ids[file]:
                    broken.append(f"{page.relative_to(stock_site)}: {url} (no such anchor)")
    assert checked > 10 * len(pages)
    assert broken == []


# ---------------------------------------------------------------------- warnings, errors, memory


def test_a_warning_in_a_worker_fails_a_strict_build(docs, tmp_path, forked):
    broken = tmp_path / "docs"
    shutil.copytree(docs, broken)
    (broken / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    with pytest.raises(PublishError, match="1 warnings in strict mode"):
        publish(broken, tmp_path / "site", content_date=DAY, workers=2)
    assert not (tmp_path / "site").exists()
    publish(broken, tmp_path / "site", content_date=DAY, strict=False, workers=2)
    assert (tmp_path / "site" / "broken" / "index.html").is_file()
    assert forked == [2, 2]


def test_links_to_anchors_are_checked_across_workers(docs, tmp_path, forked):
    """With `validation: anchors: warn`, a link to an anchor on a page another worker rendered is checked."""
    linked = tmp_path / "docs"
    shutil.copytree(docs, linked)
    (linked / "a.md").write_text("# A\n\n[fine](zz.md#here) and [broken](zz.md#nowhere)\n", encoding="utf-8")
    (linked / "zz.md").write_text("# Z\n\n## Here\n\ntext\n", encoding="utf-8")
    config = config_variant(tmp_path, "  unrecognized_links: warn", "  unrecognized_links: warn\n  anchors: warn")
    with pytest.raises(PublishError, match="1 warnings in strict mode"):
        publish(linked, tmp_path / "site", content_date=DAY, config_file=config, workers=2)
    (linked / "a.md").write_text("# A\n\n[fine](zz.md#here)\n", encoding="utf-8")
    publish(linked, tmp_path / "site", content_date=DAY, config_file=config, workers=2)
    assert forked == [2, 2]


def test_an_error_in_a_worker_reaches_the_caller_and_keeps_the_last_site(docs, tmp_path, monkeypatch, forked):
    site = tmp_path / "site"
    publish(docs, site, content_date=DAY, workers=2)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    build_page = mkdocs_api.build_steps._build_page

    def failing(page, *args, **kwargs):
        if page.file.src_uri == "compare.md":
            raise RuntimeError("simulated failure")
        return build_page(page, *args, **kwargs)

    monkeypatch.setattr(mkdocs_api.build_steps, "_build_page", failing)
    with pytest.raises(RuntimeError, match="simulated failure") as raised:
        publish(docs, site, content_date=DAY, workers=2)
    assert "failing" in str(raised.value.__cause__)  # the worker's traceback
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name] == []


def test_each_page_lets_go_of_its_markdown_and_html_once_written(docs, tmp_path, monkeypatch):
    build_page = mkdocs_api.build_steps._build_page
    written = []

    def watching(page, *args, **kwargs):
        assert all(p.content is None and not p.toc for p in written)
        build_page(page, *args, **kwargs)
        written.append(page)

    monkeypatch.setattr(mkdocs_api.build_steps, "_build_page", watching)
    parallel_build(docs, tmp_path / "site", workers=1)
    assert len(written) > 100 and all(p.content is None for p in written)
    assert sum(p.markdown is not None for p in written) == 8  # the navigation's pages keep their front matter


def test_an_incremental_build_in_workers_equals_a_clean_one(docs, tmp_path, forked):
    work = tmp_path / "docs"
    shutil.copytree(docs, work)
    (work / "extra.md").write_text("# Extra\n\nA page the next build withdraws.\n", encoding="utf-8")
    state = tmp_path / "state"
    assert publish(work, tmp_path / "site", content_date=DAY, state_dir=state, workers=2) is False
    for page in sorted(work.glob("companies/*/index.md"))[:3]:
        page.write_text(page.read_text(encoding="utf-8").replace("## Versions", "## Versions\n\nNew line."),
                        encoding="utf-8")
        later = page.stat().st_mtime_ns + 10**9
        os.utime(page, ns=(later, later))
    (work / "extra.md").unlink()
    assert publish(work, tmp_path / "site", content_date=DAY, state_dir=state, workers=2) is True
    assert forked[-1] == 2  # the three changed pages, in two workers
    publish(work, tmp_path / "clean", content_date=DAY, workers=2)
    assert tree_differences(tmp_path / "site", tmp_path / "clean") == []
    assert not (tmp_path / "site" / "extra").exists()


def test_progress_bar_counts_the_pages(docs, tmp_path, capsys):
    publish(docs, tmp_path / "site", content_date=DAY, workers=2, progress=True)
    pages = sum(1 for _ in docs.rglob("*.md"))
    assert f"{pages}/{pages}" in capsys.readouterr().err


def test_a_configuration_with_plugins_is_built_by_mkdocs_itself(docs, tmp_path):
    """Plugins may collect every page before writing (search does): no workers, no incremental builds."""
    config = config_variant(tmp_path, "plugins: []", "plugins:\n  - search")
    state = tmp_path / "state"
    assert publish(docs, tmp_path / "site", content_date=DAY, config_file=config, state_dir=state) is False
    assert publish(docs, tmp_path / "site", content_date=DAY, config_file=config, state_dir=state) is False
    assert (tmp_path / "site" / "search" / "search_index.json").is_file()
