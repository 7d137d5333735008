#!/usr/bin/env python3
"""Evaluate the topic tagger on the OPP-115 development split.

Usage: python bench/topics_eval.py [--shared DIR] [--taxonomy FILE] [--out DIR] [--quiet]

Tags every dev segment (with the heading path our passage splitter finds above it in the
policy's snapshot file), writes predictions in the scorer's PRED format and runs
``<shared>/eval/score_topics.py``, printing its table for all 75 dev policies and for two
fixed halves (policies sorted by id, alternating): tune on one half, check the other, so
that a lexicon change that helps only the documents it was tuned on shows up as a gap.

Nothing from OPP-115 is copied into the project: this script only reads it to measure.
Skips (exit 0) with a message when the shared folder is absent.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.analyse.passages import split_passages  # noqa: E402
from generator.analyse.topics import DEFAULT_TAXONOMY, categories_of, load_taxonomy, tag_passage  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def snapshot_body(path: Path) -> tuple[str, int]:
    """Body and its first line (1-based) of a snapshot file, as the pipeline's reader gives them."""
    try:
        from generator.read.snapshots import parse_snapshot

        snap = parse_snapshot(path.read_bytes(), str(path))
        return snap.body, snap.body_line
    except Exception:  # fall back to a plain split after the header and # Title
        pass
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    i = 0
    while i < len(lines) and (lines[i].startswith(">") or not lines[i].strip()):
        i += 1
    if i < len(lines) and (lines[i].startswith("# ") or lines[i].strip() == "#"):
        i += 1
    return "\n".join(lines[i:]), i + 1


def heading_paths(eval_dir: Path, seg_map: list[dict]) -> dict[tuple[str, int], tuple[str, ...]]:
    """(policy_id, segment_id) -> heading path of the passage holding the segment's first line."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for s in seg_map:
        by_file[s["file"]].append(s)
    out = {}
    for fname, segs in by_file.items():
        path = eval_dir / "snapshots" / fname
        if not path.is_file():
            continue
        body, first = snapshot_body(path)
        passages = split_passages(body, first)
        for s in segs:
            hp: tuple[str, ...] = ()
            for p in passages:
                if p.line_start <= s["start_line"] <= p.line_end:
                    hp = p.heading_path
                    break
            out[(str(s["policy_id"]), int(s["segment_id"]))] = hp
    return out


def halves(policy_ids) -> tuple[set[str], set[str]]:
    ids = sorted(set(policy_ids), key=lambda x: int(x) if x.isdigit() else x)
    return set(ids[0::2]), set(ids[1::2])


def run_scorer(scorer: Path, gold: Path, pred: Path, quiet: bool) -> str:
    proc = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--splits", "dev"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"scorer failed: {proc.stderr.strip()}")
    if not quiet:
        print(proc.stdout, end="")
        if proc.stderr.strip():
            print(proc.stderr.strip(), file=sys.stderr)
    return proc.stdout.strip().splitlines()[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--taxonomy", default=str(DEFAULT_TAXONOMY))
    ap.add_argument("--out", help="keep predictions here (default: a temporary folder)")
    ap.add_argument("--no-headings", action="store_true", help="tag segment text alone")
    ap.add_argument("--quiet", action="store_true", help="print only the summary lines")
    args = ap.parse_args(argv)

    shared = Path(args.shared)
    eval_dir = shared / "eval" / "opp115-dev"
    seg_path = eval_dir / "segments.jsonl"
    scorer = next((p for p in (eval_dir.parent / "score_topics.py", eval_dir / "score_topics.py")
                   if p.is_file()), None)
    if not seg_path.is_file() or scorer is None:
        print(f"SKIP: OPP-115 dev data not found under {shared} "
              f"(need eval/opp115-dev/segments.jsonl and eval/score_topics.py)")
        return 0

    tax = load_taxonomy(args.taxonomy)
    gold = read_jsonl(seg_path)
    map_path = eval_dir / "segment_map.jsonl"
    hps = {} if args.no_headings or not map_path.is_file() else heading_paths(eval_dir, read_jsonl(map_path))

    t0 = time.perf_counter()
    preds = []
    for g in gold:
        key = (str(g["policy_id"]), int(g["segment_id"]))
        assigned = tag_passage(g["text"], hps.get(key, ()), tax)
        preds.append({"policy_id": key[0], "segment_id": key[1],
                      "labels": categories_of(assigned, tax),
                      "topics": [a.topic for a in assigned]})
    dt = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        pred_path = out / "pred_dev.jsonl"
        with open(pred_path, "w", encoding="utf-8") as fh:
            for p in preds:
                fh.write(json.dumps(p) + "\n")
        print(f"# tagged {len(gold)} segments in {dt:.3f}s ({len(gold) / max(dt, 1e-9):.0f}/s); "
              f"headings from passages: {'no' if not hps else 'yes'}")
        print("# all 75 dev policies")
        summary = {"all": run_scorer(scorer, seg_path, pred_path, args.quiet)}
        a, b = halves(g["policy_id"] for g in gold)
        for name, ids in (("half A (tuning)", a), ("half B (check)", b)):
            gpath = out / f"gold_{name.split()[1]}.jsonl"
            with open(gpath, "w", encoding="utf-8") as fh:
                for g in gold:
                    if g["policy_id"] in ids:
                        fh.write(json.dumps(g) + "\n")
            print(f"# {name}: {len(ids)} policies")
            summary[name] = run_scorer(scorer, gpath, pred_path, args.quiet)
    print("# summary")
    for k, v in summary.items():
        print(f"{k:16} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
