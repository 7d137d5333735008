"""The static search index (generator/search.py) and its client (templates/assets/search.js)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render import search
from generator.archive import load_archive

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "templates" / "assets" / "search.js"
NODE = shutil.which("node")

_spec = importlib.util.spec_from_file_location("policykb_bench_synth", ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth-search")
    manifest = synth.generate(90, out, seed=11, corpus=None)
    return load_archive(out), manifest


@pytest.fixture(scope="module")
def docs(archive):
    """The documents with their texts (the pipeline gives them without, and texts when needed)."""
    arch, _ = archive
    return [dataclasses.replace(doc, text=search.search_text(arch.analyses[doc.key]))
            for doc in search.documents(arch.companies, arch.summaries)]


@pytest.fixture
def small_segments(monkeypatch):
    """~8 documents a segment, so that a 90-snapshot archive has several segments."""
    monkeypatch.setattr(search, "SEGMENT_DOCS", 8)


def test_documents_come_from_the_model(archive, docs):
    arch, _ = archive
    stubs = search.documents(arch.companies, arch.summaries)
    assert [doc.text_sha256 for doc in stubs] == [doc.text_sha256 for doc in docs]  # the summaries know the texts
    assert all(doc.text is None for doc in stubs)
    assert len(docs) == len(arch.snapshots)
    first = arch.companies[0].versions[0]
    doc = docs[0]
    assert doc.url == f"companies/{first.domain}/{first.slug}/"
    assert doc.title.startswith(arch.companies[0].name) and first.archived_on.isoformat() in doc.title
    analysis = arch.analyses[first.key]
    assert doc.text.split("\n")[0] == analysis.passages[0].text.strip()
    assert f"company:{first.domain}" in doc.filters and f"year:{first.archived_on.year}" in doc.filters
    assert {f"topic:{t}" for t in analysis.topic_ids} <= set(doc.filters)


def test_build_is_deterministic_and_order_independent(docs, small_segments):
    one = search.build_index(docs, jobs=1)
    two = search.build_index(list(reversed(docs)), jobs=1)
    assert one == two
    manifest = json.loads(one["manifest.json"])
    assert manifest["docs"] == len(docs) and manifest["shards"] >= 1 and len(manifest["build"]) == 16
    assert {p.split("/")[0] for p in one} == {"manifest.json", "t", "b", "d", "x"} - ({"b"} if not any(
        p.startswith("b/") for p in one) else set())
    assert sum(p.startswith("x/") for p in one) == len(docs)


def test_worker_processes_build_the_same_index(docs, small_segments, monkeypatch):
    serial = search.build_index(docs, jobs=1)
    monkeypatch.setattr(search, "POOL_MIN_DOCS", 0)
    assert search.build_index(docs, jobs=2) == serial


def _count_segment_analyses(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = search._analyse_segment

    def counting(segment_docs):
        calls.append(len(segment_docs))
        return real(segment_docs)

    monkeypatch.setattr(search, "_analyse_segment", counting)
    return calls


def test_adding_a_snapshot_with_the_cache_equals_a_clean_build(docs, small_segments, monkeypatch, tmp_path):
    clean = search.build_index(docs, jobs=1)
    # a version in the middle of a company's history: its segment's ids shift
    middle = next(k for k in range(1, len(docs) - 1)
                  if docs[k - 1].company == docs[k].company == docs[k + 1].company)
    before = docs[:middle] + docs[middle + 1:]
    assert search.segment_count(len(before)) == search.segment_count(len(docs))
    cache = tmp_path / "cache"
    first = search.build_index(before, cache_dir=cache, jobs=1)
    assert first != clean
    calls = _count_segment_analyses(monkeypatch)
    incremental = search.build_index(docs, cache_dir=cache, jobs=1)
    assert len(calls) == 1, "only the new snapshot's segment is analysed again"
    assert incremental == clean
    # nothing new: nothing analysed, same bytes
    calls.clear()
    assert search.build_index(docs, cache_dir=cache, jobs=1) == clean and calls == []


def test_removed_and_edited_snapshots_with_the_cache_equal_a_clean_build(docs, small_segments, tmp_path):
    cache = tmp_path / "cache"
    search.build_index(docs, cache_dir=cache, jobs=1)
    edited = list(docs)
    edited[5] = dataclasses.replace(edited[5], text=edited[5].text + "\nA brand new sentence about quokkas.")
    del edited[40]
    assert search.build_index(edited, cache_dir=cache, jobs=1) == search.build_index(edited, jobs=1)


def test_a_damaged_cache_is_ignored(docs, small_segments, tmp_path):
    cache = tmp_path / "cache"
    clean = search.build_index(docs, cache_dir=cache, jobs=1)
    for path in (cache / "search").rglob("*.pkl"):
        path.write_bytes(b"not a pickle")
    assert search.build_index(docs, cache_dir=cache, jobs=1) == clean


def test_search_files_and_page(archive):
    arch, _ = archive
    files = search.search_files(arch)
    assert all(p.startswith("search-index/") for p in files)
    page = search.search_page(arch.topics)
    assert page.path == "search.md"
    assert 'data-index="../search-index/"' in page.body and '<script src="../assets/search.js"></script>' in page.body
    assert all(f'<option value="{t.id}">' in page.body for t in arch.topics)


# ---- the JavaScript client, run in Node against a built index ----

NODE_RUNNER = r"""
const fs = require("fs"), path = require("path");
const PolicySearch = require(process.argv[2]);
const dir = process.argv[3];
const fetched = [];
const fetchFile = async (url) => {
  fetched.push(url);
  try { return new Response(fs.readFileSync(path.join(dir, url.split("?")[0]))); }
  catch { return new Response(null, { status: 404 }); }
};
(async () => {
  const out = [];
  for (const c of JSON.parse(fs.readFileSync(0, "utf8"))) {
    if (c.tokens !== undefined) {
      out.push(PolicySearch.words(c.tokens).map(PolicySearch.stem));
      continue;
    }
    const s = new PolicySearch("", fetchFile);
    fetched.length = 0;
    const r = await s.search(c.q, { limit: 1000, maxVerify: 1000, filters: c.filters });
    const excerpt = r.results.length ? await s.excerpt(r.results[0], r) : [];
    out.push({ total: r.total, urls: r.results.map((x) => x.url), versions: r.results.map((x) => x.versions),
      excerpt, fetched: [...fetched], missing: r.missing });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def built_index(docs, tmp_path_factory):
    out = tmp_path_factory.mktemp("search-index")
    for relative, data in search.build_index(docs, jobs=1).items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return out


def run_client(index: Path, cases: list[dict]) -> list:
    if NODE is None:
        pytest.skip("node is not installed")
    runner = index.parent / f"{index.name}-runner.cjs"
    runner.write_text(NODE_RUNNER, encoding="utf-8")
    done = subprocess.run([NODE, str(runner), str(CLIENT), str(index)], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def page_url(snapshot_path: str) -> str:
    return snapshot_path.replace("snapshots/", "companies/", 1).removesuffix(".md") + "/"


def reference_hits(docs, query_words: list[str], filters: list[str] = ()) -> set[str]:
    """Python reference of the query semantics: every term (after folding) and every filter."""
    want = {search.stem(w) for w in query_words}
    return {d.url for d in docs
            if want <= set(search.tokens(f"{d.title}\n{d.text}")) and set(filters) <= set(d.filters)}


def test_client_finds_a_rare_word_a_phrase_and_applies_filters(archive, docs, built_index):
    _, manifest = archive
    planted = manifest["planted"]
    unique, phrase, few = planted["unique"], planted["phrase"], planted["few"]
    target = next(d for d in docs if d.url == page_url(unique["paths"][0]))
    other_year = "1999" if target.year != "1999" else "2000"
    topic = next(f for f in target.filters if f.startswith("topic:")).split(":", 1)[1]
    cases = [
        {"q": unique["token"]},
        {"q": f'"{phrase["token"]}"'},
        {"q": phrase["token"].upper()},  # words in any order and case: AND
        {"q": few["token"]},
        {"q": unique["token"], "filters": {"year": target.year, "company": target.company, "topic": topic}},
        {"q": unique["token"], "filters": {"year": other_year}},
        {"q": "privacy", "filters": {"company": target.company}},
        {"q": "nosuchwordanywhere"},
    ]
    rare, quoted, loose, several, filtered, wrong_year, company, missing = run_client(built_index, cases)
    assert rare["total"] == 1 and rare["urls"] == [target.url]
    assert any(part["hit"] and unique["token"] in part["text"].lower() for part in rare["excerpt"])
    fetched = [f.lstrip("/") for f in rare["fetched"]]
    assert fetched[0] == "manifest.json" and all(f.endswith("?v=" + built_index.joinpath(
        "manifest.json").read_text().split('"build": "')[1][:16]) for f in fetched[1:]), "build id on every file"
    assert quoted["total"] == len(phrase["paths"]) and set(quoted["urls"]) <= {page_url(p) for p in phrase["paths"]}
    assert loose["total"] >= quoted["total"]
    assert several["total"] == len(few["paths"])  # versions of one company collapse into one result
    assert sum(several["versions"]) == len(few["paths"])
    assert filtered["urls"] == [target.url]
    assert wrong_year["total"] == 0
    expected = reference_hits(docs, ["privacy"], [f"company:{target.company}"])
    assert company["total"] == len(expected) and set(company["urls"]) <= expected
    assert missing["total"] == 0 and missing["missing"] == ["nosuchwordanywhere"]


def test_client_agrees_with_the_python_reference(docs, built_index):
    queries = [["cookies"], ["third", "parties"], ["retain", "legal"], ["children"]]
    results = run_client(built_index, [{"q": " ".join(q)} for q in queries])
    for words, result in zip(queries, results):
        assert result["total"] == len(reference_hits(docs, words)), words


def test_python_and_javascript_tokenise_alike(built_index):
    samples = ["Cookies, policies & ADDRESSES; the user's data", "Ｆｕｌｌｗｉｄｔｈ café naïve crème_brûlée 2019",
               "do-not-track e-mail opt‑out", "x" * 41 + " short boxes wishes status"]
    assert run_client(built_index, [{"tokens": s} for s in samples]) == [search.tokens(s) for s in samples]


def test_bench_search_cost_counts_the_bytes_of_a_query(built_index, tmp_path):
    if NODE is None:
        pytest.skip("node is not installed")
    spec = importlib.util.spec_from_file_location("policykb_bench_search_cost", ROOT / "bench" / "search_cost.py")
    cost = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cost)
    site = tmp_path / "site"
    shutil.copytree(built_index, site / "search-index")
    (site / "assets").mkdir()
    shutil.copy(CLIENT, site / "assets" / "search.js")
    rows = cost.query_costs(site, ["privacy", "privacy year:1999"], excerpts=1)
    assert [r["query"] for r in rows] == ["privacy", "privacy year:1999"]
    first = rows[0]
    assert first["total"] > 0 and first["files"] >= 4
    assert first["bytes"] == sum(first["kinds"].values()) and first["cold"] > first["bytes"]
    assert first["kinds"]["manifest"] == (site / "search-index" / "manifest.json").stat().st_size
    assert rows[1]["total"] <= first["total"]
