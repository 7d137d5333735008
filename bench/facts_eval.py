"""Precision/recall of generator.analyse.facts on the hand-checked gold set, and its speed.

    .venv/bin/python bench/facts_eval.py [--corpus DIR ...] [--verbose]

Gold: tests/fixtures/facts_gold.yml over tests/fixtures/facts_snapshots/. Scores are micro
averages over (snapshot, fact) pairs. Speed is measured on the fixtures and, when present,
on every snapshot of the given corpus folders (default /work/shared/corpus/*/snapshots).
The passage splitter used here is a stand-in (blank-line paragraphs, light Markdown
stripping); tests/analyse/test_facts.py imports it from this file.
"""

from __future__ import annotations

import argparse
import glob
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analyse.facts import SnapshotFacts, extract_facts, load_vocabulary  # noqa: E402
from generator.model import Passage  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
GOLD = FIXTURES / "facts_gold.yml"
SNAPSHOTS = FIXTURES / "facts_snapshots"
SECTIONS = ("data_types", "data_types_negated", "third_parties", "contacts", "regulations", "stated_date")

_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\([^)\s]{0,2000}(?:\s\"[^\"\n]{0,300}\")?\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def markdown_to_text(markdown: str) -> str:
    text = _LINK.sub(r"\1", markdown)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", "", text, flags=re.M)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()


def split_passages(body: str, first_line: int = 1) -> list[Passage]:
    """Blank-line separated paragraphs -> Passages (stand-in for the real splitter)."""
    passages: list[Passage] = []
    line = first_line
    chunk: list[str] = []
    start = line
    for raw in body.split("\n") + [""]:
        if raw.strip():
            if not chunk:
                start = line
            chunk.append(raw)
        elif chunk:
            md = "\n".join(chunk)
            passages.append(Passage(f"p-{len(passages) + 1}", (), md, markdown_to_text(md), start, line - 1))
            chunk = []
        line += 1
    return passages


def read_snapshot(path: Path) -> list[Passage]:
    """Snapshot file (blockquote header, `# Title`, body) -> passages of the body."""
    lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines) and (lines[i].startswith(">") or not lines[i].strip()):
        i += 1
    if i < len(lines) and lines[i].startswith("# "):
        i += 1
    return split_passages("\n".join(lines[i:]), first_line=i + 1)


def load_gold(path: Path = GOLD) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["snapshots"]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _contact_matches(gold: dict, predicted: set[tuple[str, str]]) -> tuple[str, str] | None:
    value = str(gold["value"]).lower()
    for kind, pid in predicted:
        if kind != gold["kind"]:
            continue
        if kind == "postal_address":
            norm = re.sub(r"[^a-z0-9]+", " ", value).strip()
            if norm in pid:
                return (kind, pid)
        elif pid == value:
            return (kind, pid)
    return None


def compare(gold: dict, facts: SnapshotFacts) -> dict[str, tuple[set, set, set]]:
    """section -> (true positives, false positives, false negatives) for one snapshot."""
    out: dict[str, tuple[set, set, set]] = {}
    for section in ("data_types", "data_types_negated", "third_parties", "regulations"):
        if section not in gold:
            continue
        want, got = set(gold[section] or ()), set(facts.ids(section))
        out[section] = (want & got, got - want, want - got)
    if "contacts" in gold:
        predicted = {(f.kind, f.id) for f in facts.contacts}
        tp, fn = set(), set()
        for g in gold["contacts"] or ():
            hit = _contact_matches(g, predicted)
            if hit:
                tp.add(hit)
            else:
                fn.add((g["kind"], str(g["value"])))
        out["contacts"] = (tp, predicted - tp, fn)
    if "stated_date" in gold:
        want = gold["stated_date"]
        got = facts.stated_date
        want_d = str(want["date"]) if want else None
        got_d = got.date.isoformat() if got else None
        tp = {got_d} if want_d and want_d == got_d else set()
        fp = {got_d} if got_d and got_d != want_d else set()
        fn = {want_d} if want_d and want_d != got_d else set()
        out["stated_date"] = (tp, fp, fn)
    return out


def evaluate(gold: list[dict] | None = None, vocabulary=None, verbose: bool = False) -> dict[str, Score]:
    gold = load_gold() if gold is None else gold
    vocabulary = vocabulary or load_vocabulary()
    scores = {s: Score() for s in SECTIONS}
    for item in gold:
        facts = extract_facts(read_snapshot(SNAPSHOTS / item["file"]), vocabulary)
        for section, (tp, fp, fn) in compare(item, facts).items():
            sc = scores[section]
            sc.tp += len(tp)
            sc.fp += len(fp)
            sc.fn += len(fn)
            if verbose and (fp or fn):
                print(f"  {item['file']} {section}: FP {sorted(map(str, fp))} FN {sorted(map(str, fn))}")
    return scores


def _time(paths: list[Path], vocabulary, repeat: int = 3) -> list[float]:
    docs = [read_snapshot(p) for p in paths]
    for d in docs:  # warm up: compiled regexes, pyphen dictionary, syllable cache
        extract_facts(d, vocabulary)
    times = []
    for d in docs:
        best = min(_one(d, vocabulary) for _ in range(repeat))  # best of N: least disturbed
        times.append(best * 1000)
    return times


def _one(passages, vocabulary) -> float:
    # CPU time of this process: other jobs on a shared machine do not inflate it
    vocabulary.forget_findings()  # cold: successive runs would otherwise time the memo
    t = time.process_time()
    extract_facts(passages, vocabulary)
    return time.process_time() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", help="snapshots folder(s) to time")
    ap.add_argument("--verbose", "-v", action="store_true", help="list false positives / negatives")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    vocabulary = load_vocabulary()
    print(f"vocabulary loaded and compiled in {(time.perf_counter() - t0) * 1000:.1f} ms: "
          f"{len(vocabulary.data_types)} data types, {len(vocabulary.third_parties)} third parties, "
          f"{len(vocabulary.regulations)} regulations")
    gold = load_gold()
    print(f"\ngold set: {len(gold)} snapshots ({GOLD.relative_to(ROOT)})")
    scores = evaluate(gold, vocabulary, verbose=args.verbose)
    print(f"{'extractor':<20} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for section, sc in scores.items():
        print(f"{section:<20} {sc.tp:>4} {sc.fp:>4} {sc.fn:>4} {sc.precision:>10.3f} {sc.recall:>8.3f}")

    corpora = args.corpus or sorted(glob.glob("/work/shared/corpus/*/snapshots"))
    sets = [("fixtures", sorted(SNAPSHOTS.iterdir()))]
    for c in corpora:
        paths = sorted(Path(c).glob("*/*.md"))
        if paths:
            sets.append((c, paths))
    print("\nspeed (extract_facts per snapshot incl. readability, warm code, cold per-passage memo, CPU time, best of 3):")
    for name, paths in sets:
        ms = _time(paths, vocabulary)
        kb = [p.stat().st_size / 1024 for p in paths]
        print(f"  {name}: {len(paths)} files, median {statistics.median(kb):.1f} KB; "
              f"median {statistics.median(ms):.2f} ms, p95 {sorted(ms)[int(0.95 * (len(ms) - 1))]:.2f} ms, "
              f"max {max(ms):.2f} ms ({max(kb):.0f} KB max), {sum(kb) / sum(ms) * 1000 / 1024:.1f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
