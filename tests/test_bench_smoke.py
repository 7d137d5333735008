"""The scale benchmark (bench/run.py) in its smoke mode: small N, end to end, no timing assertions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_smoke_benchmark_runs_end_to_end_and_writes_its_table(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--work", str(tmp_path / "work"),
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = results.read_text(encoding="utf-8")
    assert "smoke run: no timing claims" in table
    assert "| 60 |" in table
    assert "| 60 | after adding `snapshots/" in table
    data = json.loads(results.with_suffix(".json").read_text(encoding="utf-8"))
    (row,) = data["sizes"]
    assert row["count"] == 60 and row["site_files"] > 60 and 0 < row["page_median"] <= row["page_max"]
    assert row["peak_tree_rss"] > 0
    incremental = data["incremental"]["incremental"]
    assert "publish (incremental)" in incremental["phases"]  # the rebuild reused the previous site
    assert not (ROOT / "bench" / "RESULTS.md").exists() or "smoke run" not in (ROOT / "bench" / "RESULTS.md").read_text()
