#!/usr/bin/env python3
"""Measure passage splitting and topic tagging speed on one core.

Usage: python bench/topics_speed.py [--shared DIR] [--repeat N]

Uses the real corpus under ../shared when present (citp-sample and ota-sample snapshots),
otherwise a synthetic policy. Prints passages/second for tagging and MB/second for
splitting. Target: >= 1,000 passages/second tagged.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.analyse.passages import split_passages  # noqa: E402
from generator.analyse.topics import DEFAULT_TAXONOMY, load_taxonomy, tag_passage  # noqa: E402

SYNTHETIC = """## Information We Collect

We collect your name, email address and IP address when you register, and we use cookies.

## Sharing

We may share your personal information with third parties such as service providers.

## Your Choices

You may opt out of receiving promotional emails by clicking the unsubscribe link.

## Security

We use SSL encryption to safeguard your information from unauthorized access.
"""


def bodies(shared: Path) -> list[tuple[str, int]]:
    out = []
    files = sorted((shared / "corpus").glob("*/snapshots/*/*.md")) if shared.is_dir() else []
    if files:
        from generator.read.snapshots import parse_snapshot

        for f in files:
            try:
                s = parse_snapshot(f.read_bytes(), str(f))
            except Exception:
                continue
            out.append((s.body, s.body_line))
    if not out:
        out = [(SYNTHETIC * 5, 3)] * 50
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    docs = bodies(Path(args.shared))
    mb = sum(len(b.encode("utf-8")) for b, _ in docs) / 1e6
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        passages = [p for body, line in docs for p in split_passages(body, line)]
    split_s = (time.perf_counter() - t0) / args.repeat

    tax = load_taxonomy(DEFAULT_TAXONOMY)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for p in passages:
            tag_passage(p.text, p.heading_path, tax)
    tag_s = (time.perf_counter() - t0) / args.repeat
    words = sum(len(p.text.split()) for p in passages) / max(len(passages), 1)

    print(f"documents: {len(docs)}  ({mb:.1f} MB)   passages: {len(passages)}  (mean {words:.0f} words)")
    print(f"split:  {split_s:.3f}s  = {mb / split_s:.1f} MB/s, {len(passages) / split_s:,.0f} passages/s")
    print(f"tag:    {tag_s:.3f}s  = {len(passages) / tag_s:,.0f} passages/s (one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
