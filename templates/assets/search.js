/* policykb search: client for the static index written by generator/search.py, and the
 * results page (search/, the target of the header's search form).
 *
 *   const s = new PolicySearch("../search-index/");     // folder holding manifest.json
 *   const r = await s.search('cookies "do not track"', {limit: 10, filters: {year: "2019"}});
 *   // r = {total, results: [{id, url, title, company, year, score, versions}], terms, phrases, missing}
 *   const parts = await s.excerpt(r.results[0], r);     // [{text, hit}] around the first match
 *
 * Cost per query: manifest.json (revalidated), one t/ shard per term and filter, a b/ file per
 * common term, d/ doc-table chunks of the results shown, one x/ text per excerpt. Every file but
 * the manifest is fetched with ?v=<build id> so a reader never mixes two builds.
 *
 * Results quote untrusted policy text: the page builds them with textContent and
 * createElement only (never innerHTML), and links only to our own pages (relative URLs
 * checked against a strict pattern). No dependencies; needs fetch + DecompressionStream.
 */
(function (root) {
  "use strict";
  var WORD = /[\p{L}\p{N}\p{M}_]+/gu; // = Python's \w+ on ordinary text

  function stem(w) {
    if (w.length > 3 && w.endsWith("s") && !"siu".includes(w[w.length - 2])) {
      w = /(sses|xes|ches|shes|zzes)$/.test(w) ? w.slice(0, -2) : w.slice(0, -1);
    }
    if (w.length > 3 && w.endsWith("ie")) w = w.slice(0, -2) + "y";
    return w;
  }
  function words(text) {
    return (text.normalize("NFKC").toLowerCase().match(WORD) || []).filter(function (t) { return t.length <= 40; });
  }
  var enc = new TextEncoder();
  function fnv1a(s) {
    var h = 0x811c9dc5;
    for (var b of enc.encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h >>> 0;
  }
  function varint(buf, pos) {
    var n = 0, shift = 0, b;
    do { b = buf[pos.i++]; n += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
    return n;
  }
  function decodePostings(buf, pos, df) {
    var nd = varint(buf, pos), end = pos.i + nd, ids = new Uint32Array(df), id = -1;
    for (var k = 0; k < df; k++) { id += varint(buf, pos); ids[k] = id; }
    if (pos.i !== end) throw new Error("corrupt postings");
    var imp = buf.subarray(pos.i, pos.i + df);
    pos.i += df;
    return { ids: ids, imp: imp };
  }
  /* Only our own snapshot pages: "companies/<domain>/<slug>/". */
  var SAFE_URL = /^companies\/[a-z0-9.-]+\/[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9]+)?\/$/;

  class PolicySearch {
    constructor(base, fetchImpl) {
      this.base = base.endsWith("/") ? base : base + "/";
      this.fetch = fetchImpl || function (u, init) { return fetch(u, init); };
      this.cache = new Map(); // key -> Promise
    }
    _once(key, make) {
      if (!this.cache.has(key)) this.cache.set(key, make());
      return this.cache.get(key);
    }
    manifest() {
      var self = this;
      return this._once("manifest", async function () {
        var res = await self.fetch(self.base + "manifest.json", { cache: "no-cache" });
        if (!res.ok) throw new Error("manifest.json: HTTP " + res.status);
        return res.json();
      });
    }
    /* A gzip file of the index as bytes (kind "bin"), text or JSON. */
    _get(path, kind) {
      var self = this;
      return this._once(kind + ":" + path, async function () {
        var m = await self.manifest();
        var res = await self.fetch(self.base + path + "?v=" + encodeURIComponent(m.build));
        if (!res.ok) throw new Error(path + ": HTTP " + res.status);
        var stream = res.body.pipeThrough(new DecompressionStream("gzip"));
        var bytes = new Uint8Array(await new Response(stream).arrayBuffer());
        if (kind === "bin") return bytes;
        var text = new TextDecoder().decode(bytes);
        return kind === "json" ? JSON.parse(text) : text;
      });
    }
    async _shard(shard) {
      var self = this;
      return this._once("shard:" + shard, async function () {
        var buf = await self._get("t/" + shard + ".bin.gz", "bin");
        var pos = { i: 4 }, n = varint(buf, pos), dec = new TextDecoder(), map = new Map();
        for (var k = 0; k < n; k++) {
          var len = varint(buf, pos), t = dec.decode(buf.subarray(pos.i, pos.i + len));
          pos.i += len;
          var df = varint(buf, pos), kind = varint(buf, pos);
          if (kind === 0) map.set(t, Object.assign({ df: df }, decodePostings(buf, pos, df)));
          else map.set(t, { df: df, big: varint(buf, pos) });
        }
        return map;
      });
    }
    /** Postings of one term: {df, ids: Uint32Array, imp: Uint8Array} or null. */
    async postings(term) {
      var m = await this.manifest();
      var shard = fnv1a(term) % m.shards;
      var e = (await this._shard(shard)).get(term);
      if (!e) return null;
      if (e.big === undefined) return e;
      var buf = await this._get("b/" + shard + "-" + e.big + ".bin.gz", "bin");
      return Object.assign({ df: e.df }, decodePostings(buf, { i: 4 }, e.df));
    }
    /** Words (all required), "quoted phrases" (checked on the text), filters {name: value}. */
    parse(q, filters) {
      var phrases = Array.from(q.matchAll(/"([^"]+)"/g), function (m) { return words(m[1]); });
      var terms = Array.from(new Set(words(q).map(stem)));
      var fterms = Object.entries(filters || {}).filter(function (e) { return e[1]; })
        .map(function (e) { return e[0] + ":" + String(e[1]).trim().toLowerCase(); });
      return { terms: terms, phrases: phrases.filter(function (p) { return p.length > 1; }), fterms: fterms };
    }
    async search(q, opts) {
      opts = opts || {};
      var limit = opts.limit || 10;
      var m = await this.manifest();
      var p = this.parse(q, opts.filters), terms = p.terms, all = terms.concat(p.fterms);
      if (!all.length) return { total: 0, results: [], terms: terms, phrases: p.phrases, missing: [] };
      var self = this;
      var lists = await Promise.all(all.map(function (t) { return self.postings(t); }));
      var missing = all.filter(function (t, k) { return !lists[k]; });
      if (missing.length) return { total: 0, results: [], terms: terms, phrases: p.phrases, missing: missing };
      // AND: walk the rarest list and probe the others (ids ascending in every list).
      var order = lists.map(function (l, k) { return k; }).sort(function (a, b) { return lists[a].df - lists[b].df; });
      var N = m.docs;
      var w = lists.map(function (l, k) {
        return k < terms.length ? Math.log(1 + (N - l.df + 0.5) / (l.df + 0.5)) * (m.k1 + 1) / 255 : 0;
      });
      var first = lists[order[0]], ptr = new Array(lists.length).fill(0), hits = [];
      outer: for (var j = 0; j < first.ids.length; j++) {
        var id = first.ids[j], score = w[order[0]] * first.imp[j];
        for (var o = 1; o < order.length; o++) {
          var k = order[o], l = lists[k], at = ptr[k];
          while (at < l.ids.length && l.ids[at] < id) at++;
          ptr[k] = at;
          if (at === l.ids.length) break outer;
          if (l.ids[at] !== id) continue outer;
          score += w[k] * l.imp[at];
        }
        hits.push([id, score]);
      }
      hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      await Promise.all(hits.slice(0, limit).map(function (h) { return self.doc(h[0]); }));
      // Phrases: check the text of the best candidates (at most maxVerify of them).
      var results = [], byCompany = new Map(), scanned = 0, verified = 0, rejected = 0;
      for (var h of hits) {
        if (results.length >= limit || scanned >= limit * 8) break;
        scanned++;
        var row = await this.doc(h[0]);
        if (!row) continue;
        if (p.phrases.length) {
          if (verified >= (opts.maxVerify || 20)) break;
          verified++;
          var text = " " + words(await this.text(row)).join(" ") + " ";
          if (!p.phrases.every(function (ph) { return text.includes(" " + ph.join(" ") + " "); })) { rejected++; continue; }
        }
        var g = row[2] || row[0];
        if (byCompany.has(g)) { byCompany.get(g).versions++; continue; }
        var r = { id: h[0], url: row[0], title: row[1], company: row[2], year: row[3], score: h[1], versions: 1 };
        byCompany.set(g, r);
        results.push(r);
      }
      var total = p.phrases.length ? hits.length - rejected : hits.length;
      return { total: total, approximate: p.phrases.length > 0 && verified < hits.length,
        results: results, terms: terms, phrases: p.phrases, missing: [] };
    }
    async doc(id) {
      var m = await this.manifest();
      var chunk = await this._get("d/" + Math.floor(id / m.doc_chunk) + ".json.gz", "json");
      return chunk[id % m.doc_chunk] || null;
    }
    text(row) { return this._get("x/" + row[0].replace(/\/$/, "") + ".txt.gz", "text"); }
    /** Excerpt (~width words) around the first match: [{text, hit}], to be shown as text. */
    async excerpt(result, parsed, width) {
      width = width || 30;
      var text = await this.text([result.url]);
      var toks = text.split(/\s+/).filter(Boolean);
      var want = new Set(parsed.terms);
      var isHit = function (tok) { return words(tok).some(function (x) { return want.has(stem(x)); }); };
      var at = toks.findIndex(isHit);
      if (at < 0) at = 0;
      var from = Math.max(0, at - (width >> 2)), parts = [];
      if (from) parts.push({ text: "… ", hit: false });
      toks.slice(from, from + width).forEach(function (t, k) {
        if (k) parts.push({ text: " ", hit: false });
        parts.push({ text: t, hit: isHit(t) });
      });
      if (from + width < toks.length) parts.push({ text: " …", hit: false });
      return parts;
    }
  }
  PolicySearch.stem = stem;
  PolicySearch.words = words;
  PolicySearch.fnv1a = fnv1a;
  PolicySearch.SAFE_URL = SAFE_URL;
  root.PolicySearch = PolicySearch;
  if (typeof module !== "undefined" && module.exports) module.exports = PolicySearch;

  // ---- the results page ----
  if (typeof document === "undefined") return;
  var FILTERS = ["company", "year", "topic"];
  var SCRIPT_SRC = document.currentScript ? document.currentScript.src : null; // <root>/assets/search.js

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function start() {
    var box = document.getElementById("pkb-search");
    if (!box) return;
    var pageUrl = new URL(window.location.href);
    var siteRoot = new URL("../", SCRIPT_SRC || new URL("../assets/", pageUrl));
    var client = new PolicySearch(new URL(box.getAttribute("data-index"), pageUrl).href);
    var input = document.getElementById("pkb-search-q");
    var status = document.getElementById("pkb-search-status");
    var list = document.getElementById("pkb-search-results");
    var active = document.getElementById("pkb-search-active");
    var params = pageUrl.searchParams;
    var q = (params.get("q") || "").trim();
    var filters = {};
    FILTERS.forEach(function (name) {
      var v = (params.get(name) || "").trim();
      if (v) filters[name] = v;
      var field = box.querySelector("[name='" + name + "']");
      if (field) field.value = v;
    });
    input.value = q;
    var header = document.querySelector(".pkb-header-search input[name='q']");
    if (header) header.value = q;

    function linkWith(changes) {
      var u = new URL(pageUrl.href);
      Object.keys(changes).forEach(function (k) {
        if (changes[k]) u.searchParams.set(k, changes[k]); else u.searchParams.delete(k);
      });
      return u.pathname + u.search;
    }
    function chip(label, href, title) {
      var a = el("a", { "class": "pkb-chip", href: href }, label);
      if (title) a.setAttribute("title", title);
      return a;
    }
    // Active filters, each with a link that removes it.
    Object.keys(filters).forEach(function (name) {
      var removal = {};
      removal[name] = "";
      active.appendChild(chip(name + ": " + filters[name] + " ✕", linkWith(removal), "Remove this filter"));
    });
    if (!q && !Object.keys(filters).length) { input.focus(); return; }
    if (!q) { status.textContent = "Type one or more words to search for."; input.focus(); return; }
    status.textContent = "Searching…";
    client.search(q, { limit: 20, filters: filters }).then(async function (r) {
      var shown = r.results.filter(function (x) { return SAFE_URL.test(x.url); });
      var n = r.total;
      status.textContent = n === 0
        ? "No policy matches " + JSON.stringify(q) + (r.missing.length ? " (no page contains: " + r.missing.join(", ") + ")" : "") + "."
        : (r.approximate ? "About " : "") + n.toLocaleString("en") + (n === 1 ? " policy version matches" : " policy versions match") +
          "; " + shown.length + (shown.length === 1 ? " company shown" : " companies shown") + ", best first.";
      for (var res of shown) {
        var item = el("li", { "class": "pkb-search__result" });
        var heading = el("h2", { "class": "pkb-search__title" });
        heading.appendChild(el("a", { href: new URL(res.url, siteRoot).href }, res.title));
        item.appendChild(heading);
        var snippet = el("p", { "class": "pkb-search__snippet" });
        item.appendChild(snippet);
        var chips = el("p", { "class": "pkb-search__chips" });
        chips.appendChild(chip(res.company, linkWith({ company: res.company }), "Only this company"));
        chips.appendChild(chip(res.year, linkWith({ year: res.year }), "Only this year"));
        if (res.versions > 1) {
          chips.appendChild(el("span", { "class": "pkb-search__more" },
            "+" + (res.versions - 1) + " more matching version" + (res.versions > 2 ? "s" : "") + " of this company"));
        }
        item.appendChild(chips);
        list.appendChild(item);
        client.excerpt(res, r).then(function (target, parts) {
          parts.forEach(function (part) {
            target.appendChild(part.hit ? el("mark", {}, part.text) : document.createTextNode(part.text));
          });
        }.bind(null, snippet)).catch(function () {});
      }
    }).catch(function (err) {
      status.textContent = "The search index could not be loaded (" + err.message + "). Try again later.";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof globalThis !== "undefined" ? globalThis : this);
