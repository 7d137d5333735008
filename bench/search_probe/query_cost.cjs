// Run the real search.js client against an index folder and count what it downloads.
//   node bench/search_probe/query_cost.cjs INDEX_DIR [SYNTH_MANIFEST] [--json]
// Each query runs cold (fresh client): search (10 results, companies collapsed) + excerpts of
// the first 5 results.  Bytes = on-disk sizes of the files fetched (= transfer sizes: the
// files are gzip already) + search.js gzipped (cold only).  Also checks planted-word recall.
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const PolicySearch = require("./search.js");

const dir = process.argv[2];
const manifestPath = process.argv[3] && !process.argv[3].startsWith("--") ? process.argv[3] : null;
const asJson = process.argv.includes("--json");
const QUERIES = [
  "cookies", "privacy", "information", "children", "retention", "arbitration", "california",
  "advertising", "location", "biometric", "gdpr", "do not track", "third parties", "data retention",
  "opt out", "sell personal information", "web beacons", "law enforcement", "delete account",
  "zorbleflux", "quandrivex", "plimsoquat", "velmorant oxbriddle",
  '"do not track"', "cookies year:2019",
];
const jsGz = zlib.gzipSync(fs.readFileSync(path.join(__dirname, "search.js"))).length;

function makeFetch(log) {
  return async (url) => {
    const p = path.join(dir, url);
    let buf;
    try { buf = fs.readFileSync(p); } catch { return new Response(null, { status: 404 }); }
    log.push([url, buf.length]);
    return new Response(buf, { status: 200 });
  };
}

(async () => {
  const rows = [];
  for (let q of QUERIES) {
    let filters;
    const fm = q.match(/ year:(\d+)$/);
    if (fm) { filters = { year: fm[1] }; q = q.replace(fm[0], ""); }
    const log = [];
    const s = new PolicySearch("", makeFetch(log));
    const t0 = process.hrtime.bigint();
    const r = await s.search(q, { limit: 10, filters });
    const ex = [];
    for (const res of r.results.slice(0, 5)) ex.push(await s.excerpt(res, r));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const bytes = log.reduce((a, [, n]) => a + n, 0);
    const kinds = {};
    for (const [u, n] of log) { const k = u.replace(/^\/+/, "")[0]; kinds[k] = (kinds[k] || 0) + n; }
    rows.push({ query: q + (filters ? ` [year=${filters.year}]` : ""), total: r.total, shown: r.results.length,
      files: log.length, bytes, cold: bytes + jsGz, kinds, ms: Math.round(ms),
      top: r.results.slice(0, 3).map((x) => x.url), excerpt: ex[0] ? ex[0].slice(0, 160) : "" });
  }
  const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[Math.floor(b.length / 2)]; };
  const summary = { js_gz: jsGz, median_cold: med(rows.map((r) => r.cold)), median_warm_ish: med(rows.map((r) => r.bytes)),
    max_cold: Math.max(...rows.map((r) => r.cold)) };
  let recall = null;
  if (manifestPath) {
    const man = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
    recall = {};
    for (const [kind, info] of Object.entries(man.planted)) {
      const s = new PolicySearch("", makeFetch([]));
      const q = kind === "phrase" ? `"${info.token}"` : info.token;
      const r = await s.search(q, { limit: 1000, maxVerify: 1000 });
      const got = new Set();
      // collapse hides sibling versions; count by doc ids instead
      const want = info.paths.map((p) => p.replace(/^snapshots\//, "/companies/").replace(/\.md$/, "/"));
      for (const x of r.results) got.add(x.url);
      recall[kind] = { expected: want.length, total_hits: r.total, ok: r.total === want.length };
    }
  }
  if (asJson) { console.log(JSON.stringify({ summary, rows, recall })); return; }
  const kb = (n) => (n / 1024).toFixed(1).padStart(7);
  console.log("query".padEnd(34), "hits".padStart(6), "files".padStart(5), "t/ KiB", " b/ KiB", " d/ KiB", " x/ KiB", "   cold KiB", "  ms");
  for (const r of rows) {
    console.log(r.query.padEnd(34), String(r.total).padStart(6), String(r.files).padStart(5),
      kb(r.kinds.t || 0), kb(r.kinds.b || 0), kb(r.kinds.d || 0), kb(r.kinds.x || 0), "  ", kb(r.cold), String(r.ms).padStart(5));
  }
  console.log(`search.js gz ${jsGz} B; median cold ${kb(summary.median_cold)} KiB; max cold ${kb(summary.max_cold)} KiB`);
  if (recall) console.log("planted recall:", JSON.stringify(recall));
  console.log("example:", rows[0].top, rows[0].excerpt);
})().catch((e) => { console.error(e); process.exit(1); });
