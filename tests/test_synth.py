"""Tests for bench/synth.py: the deterministic synthetic archive generator."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYNTH = ROOT / "bench" / "synth.py"

_spec = importlib.util.spec_from_file_location("policykb_bench_synth", SYNTH)
synth = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = synth
_spec.loader.exec_module(synth)

HEADER_RE = re.compile(
    r"^> \*The following text is extracted and transformed from the (?P<domain>[a-z0-9.-]+) "
    r"privacy policy that was archived on (?P<date>\d{4}-\d{2}-\d{2})\. Please check the "
    r"\[original snapshot on the Wayback Machine\]\((?P<url>https://web\.archive\.org/web/"
    r"(?P<ts>\d{14})id_/http%3A//[^)\s]+)\) for the most accurate reproduction\.\*$"
)


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def builtin_archive(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth-builtin")
    synth.generate(300, out, seed=7, corpus=None)
    return out


def test_same_seed_is_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    synth.generate(120, a, seed=3, corpus=None)
    synth.generate(120, b, seed=3, corpus=None)
    assert _tree_digest(a) == _tree_digest(b)


def test_different_seed_differs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    synth.generate(40, a, seed=1, corpus=None)
    synth.generate(40, b, seed=2, corpus=None)
    assert _tree_digest(a) != _tree_digest(b)


def test_cli_matches_api_and_works_without_shared(tmp_path):
    """The CLI with a missing corpus folder falls back to the built-in vocabulary."""
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"
    subprocess.run(
        [sys.executable, str(SYNTH), "--count", "50", "--out", str(cli_out), "--seed", "5",
         "--corpus", str(tmp_path / "does-not-exist"), "-q"],
        check=True,
    )
    synth.generate(50, api_out, seed=5, corpus=None)
    assert _tree_digest(cli_out) == _tree_digest(api_out)
    assert json.loads((cli_out / "synth-manifest.json").read_text())["source"] == "builtin"


def test_layout_and_headers(builtin_archive):
    files = sorted((builtin_archive / "snapshots").glob("*/*.md"))
    assert len(files) == 300
    assert not [p for p in (builtin_archive / "snapshots").rglob("*") if p.is_file() and p.suffix != ".md"]
    for f in files:
        raw = f.read_bytes()
        assert b"\r" not in raw
        text = raw.decode("utf-8")
        lines = text.split("\n")
        m = HEADER_RE.match(lines[0])
        assert m, lines[0]
        assert m["domain"] == f.parent.name
        assert m["date"] == f.stem
        assert m["ts"][:8] == f.stem.replace("-", "")
        d = date.fromisoformat(m["date"])
        assert date(1999, 1, 1) <= d <= date(2026, 8, 31)
        assert lines[1] == ""
        assert lines[2].startswith("# ") and len(lines[2]) > 2
        assert lines[3] == ""
        assert text.endswith("\n")
        words = len("\n".join(lines[4:]).split())
        assert 450 <= words <= 6100, (f, words)


def test_version_counts_and_evolution(builtin_archive):
    manifest = json.loads((builtin_archive / "synth-manifest.json").read_text())
    by_domain: dict[str, list[Path]] = {}
    for f in (builtin_archive / "snapshots").glob("*/*.md"):
        by_domain.setdefault(f.parent.name, []).append(f)
    assert manifest["domains"] == {d: len(v) for d, v in by_domain.items()}
    assert manifest["companies"] == len(by_domain)
    counts = [len(v) for v in by_domain.values()]
    assert max(counts) <= 12 and min(counts) >= 1
    assert sum(c == 1 for c in counts) > sum(c >= 6 for c in counts)  # skewed
    assert max(counts) >= 5
    identical = changed = 0
    for files in by_domain.values():
        bodies = [f.read_text().split("\n", 1)[1] for f in sorted(files)]
        for prev, cur in zip(bodies, bodies[1:]):
            if prev == cur:
                identical += 1
            else:
                changed += 1
    assert identical > 0 and changed > identical


def test_word_count_distribution(builtin_archive):
    m = json.loads((builtin_archive / "synth-manifest.json").read_text())["words"]
    assert 1500 <= m["median"] <= 3500
    assert m["min"] >= 450 and m["max"] <= 6100


def test_planted_words(builtin_archive):
    manifest = json.loads((builtin_archive / "synth-manifest.json").read_text())
    planted = manifest["planted"]
    assert len(planted["unique"]["paths"]) == 1
    assert len(planted["few"]["paths"]) == 5
    assert len(planted["percent"]["paths"]) == 3  # 300 // 100
    assert len(planted["phrase"]["paths"]) == 3
    all_files = sorted((builtin_archive / "snapshots").glob("*/*.md"))
    for kind, info in planted.items():
        tok = info["token"]
        holders = sorted(
            str(f.relative_to(builtin_archive)) for f in all_files if tok in f.read_text()
        )
        assert holders == info["paths"], kind
    for word, n in manifest["common"].items():
        real = sum(
            1 for f in all_files if re.search(rf"\b{word}\b", f.read_text(), re.I)
        )
        assert real == n, word


def test_uses_corpus_when_present(tmp_path):
    corpus = tmp_path / "corpus" / "citp-sample" / "snapshots" / "example.com"
    corpus.mkdir(parents=True)
    for k in range(60):
        (corpus / f"2001-01-{k % 28 + 1:02d}-{k}.md").write_text(
            "> *header*\n\n# Title\n\n## Heading number %d\n\n" % k
            + "\n\n".join(f"Paragraph {k}-{j} says corpusword{k}x{j} about personal data and cookies."
                          for j in range(3))
            + "\n"
        )
    out = tmp_path / "out"
    m = synth.generate(20, out, seed=1, corpus=tmp_path / "corpus")
    assert m["source"].startswith("corpus:")
    text = "".join(f.read_text() for f in (out / "snapshots").glob("*/*.md"))
    assert "corpusword" in text
