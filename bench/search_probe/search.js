/* policykb search client (prototype) for the index written by build_index.py.
 *
 *   const s = new PolicySearch("/search/");           // folder holding manifest.json
 *   const r = await s.search('cookies "do not track"', {limit: 10, filters: {year: "2019"}});
 *   // r = {total, results: [{id, url, title, group, score, versions}], terms, missing}
 *   const html = await s.excerpt(r.results[0], r);     // escaped HTML with <mark>s
 *
 * Cost per query: manifest.json (cached), one t/ shard per term, a b/ file for each common
 * term, d/ doc-table chunks for the results shown, one x/ text per excerpt shown.
 * No dependencies; needs fetch + DecompressionStream (all current browsers, Node >= 18).
 */
(function (root) {
  "use strict";
  const WORD = /[\p{L}\p{N}\p{M}_]+/gu; // ~ Python's \w+

  function stem(w) {
    if (w.length > 3 && w.endsWith("s") && !"siu".includes(w[w.length - 2])) {
      w = /(sses|xes|ches|shes|zzes)$/.test(w) ? w.slice(0, -2) : w.slice(0, -1);
    }
    if (w.length > 3 && w.endsWith("ie")) w = w.slice(0, -2) + "y";
    return w;
  }
  function words(text) {
    return (text.normalize("NFKC").toLowerCase().match(WORD) || []).filter((t) => t.length <= 40);
  }
  const enc = new TextEncoder();
  function fnv1a(s) {
    let h = 0x811c9dc5;
    for (const b of enc.encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h >>> 0;
  }
  function varint(buf, pos) {
    let n = 0, shift = 0, b;
    do { b = buf[pos.i++]; n += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return n;
  }
  function decodePostings(buf, pos, df) {
    const nd = varint(buf, pos);
    const end = pos.i + nd;
    const ids = new Uint32Array(df);
    let id = -1;
    for (let k = 0; k < df; k++) { id += varint(buf, pos); ids[k] = id; }
    if (pos.i !== end) throw new Error("corrupt postings");
    const imp = buf.subarray(pos.i, pos.i + df);
    pos.i += df;
    return { ids, imp };
  }
  function esc(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  class PolicySearch {
    constructor(base, fetchImpl) {
      this.base = base.endsWith("/") ? base : base + "/";
      this.fetch = fetchImpl || ((u) => fetch(u));
      this.cache = new Map(); // path -> Promise
    }
    _get(path, kind) {
      if (!this.cache.has(path)) {
        this.cache.set(path, (async () => {
          const res = await this.fetch(this.base + path);
          if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
          if (kind === "json") return res.json();
          const stream = res.body.pipeThrough(new DecompressionStream("gzip"));
          const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
          return kind === "text" ? new TextDecoder().decode(bytes) : bytes;
        })());
      }
      return this.cache.get(path);
    }
    manifest() { return this._get("manifest.json", "json"); }

    /** Postings of one term: {df, ids: Uint32Array, imp: Uint8Array} or null. */
    async postings(term) {
      const m = await this.manifest();
      const h = fnv1a(term);
      const shardPath = `t/${h % m.shards}.bin.gz`;
      const key = "parsed:" + shardPath;
      if (!this.cache.has(key)) {
        this.cache.set(key, this._get(shardPath, "bin").then((buf) => {
          const pos = { i: 4 };
          const n = varint(buf, pos), dec = new TextDecoder(), map = new Map();
          for (let k = 0; k < n; k++) {
            const len = varint(buf, pos);
            const t = dec.decode(buf.subarray(pos.i, pos.i + len));
            pos.i += len;
            const df = varint(buf, pos), kind = varint(buf, pos);
            if (kind === 0) map.set(t, { df, ...decodePostings(buf, pos, df) });
            else map.set(t, { df, big: true, fid: varint(buf, pos) });
          }
          return map;
        }));
      }
      const e = (await this.cache.get(key)).get(term);
      if (!e) return null;
      if (!e.big) return e;
      const buf = await this._get(`b/${e.fid}.bin.gz`, "bin");
      return { df: e.df, ...decodePostings(buf, { i: 4 }, e.df) };
    }

    /** Parse a query: words (AND), "quoted phrases" (verified on text), filters {name: value}. */
    parse(q, filters) {
      const phrases = [...q.matchAll(/"([^"]+)"/g)].map((m) => words(m[1]));
      const terms = [...new Set(words(q).map(stem))];
      const fterms = Object.entries(filters || {}).map(([k, v]) => `${k}:${String(v).toLowerCase()}`);
      return { terms, phrases: phrases.filter((p) => p.length > 1), fterms };
    }

    async search(q, opts = {}) {
      const limit = opts.limit || 10;
      const m = await this.manifest();
      const { terms, phrases, fterms } = this.parse(q, opts.filters);
      if (!terms.length) return { total: 0, results: [], terms, missing: [] };
      const lists = await Promise.all([...terms, ...fterms].map((t) => this.postings(t)));
      const missing = [...terms, ...fterms].filter((t, k) => !lists[k]);
      if (missing.length) return { total: 0, results: [], terms, missing };
      // AND: walk the rarest list, probe the others with a moving pointer (all ids ascending).
      const order = lists.map((l, k) => k).sort((a, b) => lists[a].df - lists[b].df);
      const N = m.docs, w = lists.map((l, k) =>
        k < terms.length ? Math.log(1 + (N - l.df + 0.5) / (l.df + 0.5)) * (m.k1 + 1) / 255 : 0);
      const first = lists[order[0]], ptr = new Array(lists.length).fill(0);
      const hits = [];
      outer: for (let j = 0; j < first.ids.length; j++) {
        const id = first.ids[j];
        let score = w[order[0]] * first.imp[j];
        for (let o = 1; o < order.length; o++) {
          const k = order[o], l = lists[k];
          let p = ptr[k];
          while (p < l.ids.length && l.ids[p] < id) p++;
          ptr[k] = p;
          if (p === l.ids.length) break outer;
          if (l.ids[p] !== id) continue outer;
          score += w[k] * l.imp[p];
        }
        hits.push([id, score]);
      }
      hits.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      // Collapse the versions of one company (group): show its best version, count the rest.
      // One round trip for the doc-table chunks of the first `limit` hits (needed anyway).
      await Promise.all(hits.slice(0, limit).map(([id]) => this.doc(id)));
      const results = [], byGroup = new Map();
      let scanned = 0, verified = 0;
      for (const [id, score] of hits) {
        if (results.length >= limit || scanned >= limit * 8) break;
        scanned++;
        const row = await this.doc(id);
        if (phrases.length) {
          if (verified >= (opts.maxVerify || 20)) break;
          verified++;
          const text = words(await this.text(id)).join(" ");
          if (!phrases.every((p) => text.includes(p.join(" ")))) continue;
        }
        const g = row[2] || row[0];
        if (byGroup.has(g)) { byGroup.get(g).versions++; continue; }
        const r = { id, url: row[0], title: row[1], group: row[2], score, versions: 1 };
        byGroup.set(g, r);
        results.push(r);
      }
      return { total: hits.length, results, terms, phrases, missing };
    }

    async doc(id) {
      const m = await this.manifest();
      const chunk = await this._get(`d/${Math.floor(id / m.doc_chunk)}.json.gz`, "json-gz");
      return chunk[id % m.doc_chunk];
    }
    text(id) { return this._get(`x/${id}.txt.gz`, "text"); }

    /** Escaped excerpt (~30 words) around the first query term, terms wrapped in <mark>. */
    async excerpt(result, parsed, width = 30) {
      const text = await this.text(result.id);
      const toks = text.split(/\s+/);
      const want = new Set(parsed.terms);
      const isHit = (tok) => words(tok).some((x) => want.has(stem(x)));
      let at = toks.findIndex(isHit);
      if (at < 0) at = 0;
      const from = Math.max(0, at - (width >> 2));
      const part = toks.slice(from, from + width).map((t) => (isHit(t) ? `<mark>${esc(t)}</mark>` : esc(t)));
      return (from ? "… " : "") + part.join(" ") + (from + width < toks.length ? " …" : "");
    }
  }
  // d/ chunks are gzipped JSON.
  const baseGet = PolicySearch.prototype._get;
  PolicySearch.prototype._get = function (path, kind) {
    if (kind !== "json-gz") return baseGet.call(this, path, kind);
    const key = "json:" + path;
    if (!this.cache.has(key)) this.cache.set(key, baseGet.call(this, path, "text").then(JSON.parse));
    return this.cache.get(key);
  };
  PolicySearch.stem = stem;
  PolicySearch.words = words;
  PolicySearch.fnv1a = fnv1a;
  root.PolicySearch = PolicySearch;
  if (typeof module !== "undefined") module.exports = PolicySearch;
})(typeof globalThis !== "undefined" ? globalThis : this);
