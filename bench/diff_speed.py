"""Time word_diff / classify_change over all consecutive versions of a corpus sample.

Usage: .venv/bin/python bench/diff_speed.py [CONTENT_DIR]   (default: /work/shared/corpus/ota-sample)
Prints one line per version pair and totals. No assertions: a measurement, not a test.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.analyse.diff import render_diff_html, word_diff  # noqa: E402
from generator.analyse.history import classify_change  # noqa: E402
from generator.read.snapshots import parse_snapshot  # noqa: E402

DEFAULT = Path("/work/shared/corpus/ota-sample")


def body_of(path: Path) -> str:
    return parse_snapshot(path.read_bytes(), path.as_posix()).body


def order(path: Path) -> tuple[str, int]:
    m = re.match(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?$", path.stem)
    return (m.group(1), int(m.group(2) or 1)) if m else (path.stem, 0)


def main(root: Path) -> None:
    snaps = root / "snapshots"
    if not snaps.is_dir():
        sys.exit(f"no snapshots folder under {root}")
    total_diff = total_cls = total_html = 0.0
    pairs = 0
    worst = (0.0, "")
    print(f"{'pair':45} {'KB':>6} {'class':>9} {'+words':>7} {'-words':>7} {'diff ms':>8} {'html ms':>8}")
    for d in sorted(snaps.iterdir()):
        files = sorted(d.glob("*.md"), key=order)
        bodies = [body_of(f) for f in files]
        for (fa, a), (fb, b) in zip(zip(files, bodies), zip(files[1:], bodies[1:])):
            t0 = time.perf_counter()
            cls = classify_change(a, b)
            t1 = time.perf_counter()
            result = word_diff(a, b)
            t2 = time.perf_counter()
            render_diff_html(result)
            t3 = time.perf_counter()
            pairs += 1
            total_cls += t1 - t0
            total_diff += t2 - t1
            total_html += t3 - t2
            name = f"{d.name} {fa.stem}->{fb.stem}"
            worst = max(worst, (t2 - t1, name))
            print(
                f"{name:45} {len(b.encode()) / 1024:6.0f} {cls:>9} {result.words_added:7} "
                f"{result.words_removed:7} {(t2 - t1) * 1000:8.1f} {(t3 - t2) * 1000:8.1f}"
            )
    print(
        f"\n{pairs} pairs: word_diff {total_diff:.2f} s total ({total_diff / max(pairs, 1) * 1000:.0f} ms/pair, "
        f"slowest {worst[0] * 1000:.0f} ms {worst[1]}); classify_change {total_cls:.2f} s; "
        f"render_diff_html {total_html:.2f} s"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
