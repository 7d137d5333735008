#!/usr/bin/env python3
"""Estimate what the Pagefind client downloads for each benchmark query.

    python bench/search_probe/pf_query_cost.py BUNDLE_DIR [BUNDLE_DIR ...] [--results 5]

Model of Pagefind 1.5 (pagefind.js + wasm): a cold query fetches pagefind-entry.json, pagefind.js,
wasm.<lang>.pagefind, pagefind.<lang>_<hash>.pf_meta, then for every query term every index chunk
whose [from, to] word range overlaps the term's stem prefix range (Pagefind matches stems as
prefixes), then one fragment per displayed result (default UI: 5).  Sizes are on-disk sizes,
which are what is transferred (the .pf_* files are already gzipped).  "warm" = the same query
after another one (JS, wasm and meta cached).  UI files (pagefind-ui.js/css) are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import pfcbor  # noqa: E402
from queries import QUERIES  # noqa: E402

try:
    from nltk.stem.snowball import SnowballStemmer

    _stem = SnowballStemmer("english").stem
except Exception:  # pragma: no cover
    def _stem(w):
        return w


def bundle_cost(b: Path, n_results: int):
    """(fixed sizes, [per-query dict(hits, chunks, index bytes, fragment sizes of first hits)])."""
    entry = json.loads((b / "pagefind-entry.json").read_text())
    lang, info = next(iter(entry["languages"].items()))
    meta_path = b / f"pagefind.{info['hash']}.pf_meta"
    meta = pfcbor.load(meta_path)
    chunks = meta[2]  # [from, to, hash]
    fixed = {
        "entry": os.path.getsize(b / "pagefind-entry.json"),
        "pagefind.js": os.path.getsize(b / "pagefind.js"),
        "wasm": os.path.getsize(b / f"wasm.{info['wasm']}.pagefind"),
        "meta": os.path.getsize(meta_path),
    }
    cache: dict[str, dict] = {}

    def chunk_words(h):
        if h not in cache:
            data = pfcbor.load(b / "index" / f"{h}.pf_index")
            words = {}
            for w in data[0]:
                # [word, [[page_delta, [locs], [...]], ...], ...]
                acc, ps = 0, []
                for p in w[1]:
                    acc += p[0]
                    ps.append(acc)
                words[w[0]] = ps
            cache[h] = words
        return cache[h]

    pages = meta[1]
    rows = []
    for q in QUERIES:
        terms = [_stem(t) for t in q.lower().split()]  # Pagefind stems (Snowball) and matches stems as prefixes
        need: set[str] = set()
        hits = None
        for t in terms:
            hi = t + "\uffff"
            ch = [c for c in chunks if c[0] <= hi and c[1] >= t]
            need.update(c[2] for c in ch)
            docs = set()
            for c in ch:
                for w, ps in chunk_words(c[2]).items():
                    if w.startswith(t):
                        docs.update(ps)
            hits = docs if hits is None else hits & docs
        hits = sorted(hits or [])
        idx_bytes = sum(os.path.getsize(b / "index" / f"{h}.pf_index") for h in need)
        frags = [os.path.getsize(b / "fragment" / f"{pages[p][0]}.pf_fragment") for p in hits[:n_results]]
        rows.append({"query": q, "hits": len(hits), "chunks": len(need), "index": idx_bytes, "frags": frags})
    return fixed, rows, len(pages), len(chunks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", type=Path, nargs="+",
                    help="one bundle, or several merged in the browser with mergeIndex()")
    ap.add_argument("--results", type=int, default=5)
    a = ap.parse_args()
    per = [bundle_cost(b, a.results) for b in a.bundle]
    # Shared once: pagefind.js and the wasm (same version; optimistic for merged bundles).
    js_wasm = per[0][0]["pagefind.js"] + per[0][0]["wasm"]
    per_bundle_fixed = sum(f["entry"] + f["meta"] for f, _, _, _ in per)
    rows = []
    for k, q in enumerate(QUERIES):
        hits = sum(p[1][k]["hits"] for p in per)
        chunks = sum(p[1][k]["chunks"] for p in per)
        idx = sum(p[1][k]["index"] for p in per)
        frags = [x for p in per for x in p[1][k]["frags"]][: a.results]
        warm = idx + sum(frags)
        rows.append({"query": q, "hits": hits, "chunks": chunks, "index": idx, "fragments": sum(frags),
                     "cold": js_wasm + per_bundle_fixed + warm, "warm": warm})
    print(f"bundles: {len(per)}, pages: {sum(p[2] for p in per)}, chunks: {sum(p[3] for p in per)}, "
          f"js+wasm {js_wasm} B, entry+meta per cold query {per_bundle_fixed} B")
    print(f"{'query':28} {'hits':>6} {'chunks':>6} {'index KiB':>9} {'frag KiB':>8} {'cold KiB':>8} {'warm KiB':>8}")
    for r in rows:
        print(f"{r['query']:28} {r['hits']:6} {r['chunks']:6} {r['index']/1024:9.1f} {r['fragments']/1024:8.1f} "
              f"{r['cold']/1024:8.1f} {r['warm']/1024:8.1f}")
    print(f"median cold {statistics.median(r['cold'] for r in rows)/1024:.1f} KiB, "
          f"median warm {statistics.median(r['warm'] for r in rows)/1024:.1f} KiB, "
          f"max cold {max(r['cold'] for r in rows)/1024:.1f} KiB")


if __name__ == "__main__":
    main()
