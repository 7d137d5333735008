#!/usr/bin/env python3
"""What one search costs a reader: bytes downloaded per query from a built site.

    python bench/search_cost.py SITE_DIR [QUERY ...] [--json] [--excerpts 5]

Runs the site's real client (SITE_DIR/assets/search.js) in Node against SITE_DIR/search-index/
with a file-backed fetch that logs every file, as the results page does: one search (20 results,
versions of one company collapsed) plus the excerpts of the first `--excerpts` results. Each query
runs cold (fresh client). Bytes are the files' sizes on disk (= transfer sizes: the index files are
gzip already) plus search.js gzipped; the results page's HTML, CSS and Material's own bundle are not
counted (they are the same on every page and cached). A query may end with ` year:2019`,
` company:example.com` or ` topic:<id>` filters. Without QUERY, a default reader-style list.

As a function: `query_costs(site_dir, queries, excerpts=5) -> list[dict]` with per query
{query, total, shown, files, bytes, cold, kinds: {t, b, d, x, manifest}} (bytes: index files only;
cold: + search.js gzipped).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_QUERIES = [
    "cookies", "privacy", "information", "children", "retention", "arbitration", "california",
    "advertising", "location", "biometric", "gdpr", "do not track", "third parties", "data retention",
    "opt out", "sell personal information", "web beacons", "law enforcement", "delete account",
    "zorbleflux", "quandrivex", "plimsoquat", "velmorant oxbriddle", '"do not track"', "cookies year:2019",
]

RUNNER = r"""
"use strict";
const fs = require("fs"), path = require("path");
const [client, dir, excerpts] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const PolicySearch = require(client);
const FILTER = /\s+(year|company|topic):(\S+)/g;
(async () => {
  const rows = [];
  for (const raw of JSON.parse(fs.readFileSync(0, "utf8"))) {
    const filters = {};
    const q = raw.replace(FILTER, (m, k, v) => { filters[k] = v; return ""; }).trim();
    const log = [];
    const s = new PolicySearch("", async (url) => {
      const rel = url.replace(/^\/+/, "").split("?")[0];
      let buf;
      try { buf = fs.readFileSync(path.join(dir, rel)); } catch { return new Response(null, { status: 404 }); }
      log.push([rel, buf.length]);
      return new Response(buf);
    });
    const t0 = process.hrtime.bigint();
    const r = await s.search(q, { limit: 20, filters });
    for (const res of r.results.slice(0, excerpts)) await s.excerpt(res, r);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const kinds = {};
    for (const [rel, n] of log) { const k = rel.includes("/") ? rel.split("/")[0] : "manifest"; kinds[k] = (kinds[k] || 0) + n; }
    rows.push({ query: raw, total: r.total, shown: r.results.length, files: log.length,
      bytes: log.reduce((a, [, n]) => a + n, 0), kinds, ms: Math.round(ms) });
  }
  console.log(JSON.stringify(rows));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def query_costs(site_dir: Path | str, queries: list[str] | None = None, *, excerpts: int = 5) -> list[dict]:
    site = Path(site_dir)
    client = site / "assets" / "search.js"
    index = site / "search-index"
    if not (index / "manifest.json").is_file() or not client.is_file():
        raise SystemExit(f"{site}: no search-index/manifest.json or assets/search.js (build the site first)")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed")
    js_gz = len(gzip.compress(client.read_bytes(), 9))
    with tempfile.TemporaryDirectory() as tmp:
        runner = Path(tmp) / "runner.cjs"
        runner.write_text(RUNNER, encoding="utf-8")
        done = subprocess.run([node, str(runner), str(client.resolve()), str(index), str(excerpts)],
                              input=json.dumps(queries or DEFAULT_QUERIES), capture_output=True, text=True,
                              check=True)
    rows = json.loads(done.stdout)
    for row in rows:
        row["cold"] = row["bytes"] + js_gz
        row["search_js_gz"] = js_gz
    return rows


def summary(rows: list[dict]) -> dict:
    cold = [r["cold"] for r in rows]
    return {"queries": len(rows), "median_cold": statistics.median(cold), "max_cold": max(cold),
            "median_index_only": statistics.median(r["bytes"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_dir")
    parser.add_argument("queries", nargs="*")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--excerpts", type=int, default=5)
    args = parser.parse_intermixed_args(argv)
    rows = query_costs(args.site_dir, args.queries or None, excerpts=args.excerpts)
    if args.json:
        print(json.dumps({"summary": summary(rows), "rows": rows}, indent=1))
        return 0
    kib = lambda n: f"{n / 1024:8.1f}"  # noqa: E731
    print(f"{'query':34} {'hits':>6} {'files':>5} {'t/ KiB':>8} {'b/ KiB':>8} {'d/ KiB':>8} {'x/ KiB':>8} {'cold KiB':>9} {'ms':>5}")
    for r in rows:
        k = r["kinds"]
        print(f"{r['query'][:34]:34} {r['total']:6} {r['files']:5} {kib(k.get('t', 0))} {kib(k.get('b', 0))} "
              f"{kib(k.get('d', 0))} {kib(k.get('x', 0))} {kib(r['cold']):>9} {r['ms']:5}")
    s = summary(rows)
    print(f"search.js {rows[0]['search_js_gz']} B gzipped; median cold {s['median_cold'] / 1024:.1f} KiB, "
          f"max {s['max_cold'] / 1024:.1f} KiB over {s['queries']} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
