#!/usr/bin/env python3
"""Static, hash-sharded inverted index for policykb full-text search (prototype).

API
    build_index(docs, out_dir, *, shard_target=..., jobs=2, cache=None) -> dict (stats; also
        out_dir/manifest.json); with cache=path it also pickles the postings for add_documents
    add_documents(docs, out_dir, cache) -> dict: append docs, rewriting only what they touch
    docs: iterable of (url, title, text, filters) with filters a {name: value | [values]} dict.
    Doc ids are assigned in iteration order (feed snapshots sorted by domain, date so that the
    versions of one company are neighbours and share doc-table chunks).

CLI
    python bench/search_probe/build_index.py DOCS_JSONL OUT_DIR [--limit N] [--jobs 2]
    (DOCS_JSONL: one {"url","title","text","filters"} per line, e.g. from make_html.py)

Files written (every binary file is gzip; the client inflates with DecompressionStream, so no
server Content-Encoding setup is needed and the on-disk size is the transferred size):

  manifest.json         {"v":1,"docs":N,"shards":S,"doc_chunk":64,"k1":..,"b":..,"avgdl":..}
  t/<shard>.bin.gz      terms whose fnv1a32(term) % S == shard:  "PKT1", varint n_terms, then
                        per term: varint len, utf-8 term, varint df, varint kind
                        (0: inline postings follow; 1: varint file id, postings in b/<id>.bin.gz),
                        inline: varint n_delta_bytes, varint doc-id deltas, df impact bytes
  b/<id>.bin.gz         "PKB1", varint n_delta_bytes, deltas, impacts  (terms too big to inline;
                        ids are allocated in order and never reused, so no hash collisions)
  d/<id // 64>.json.gz  doc table chunk: [[url, title, group], ...] for ids 64k .. 64k+63
  x/<id>.txt.gz         plain text of one doc, for result excerpts and phrase verification

Terms: NFKC, lower case, \\w+ runs, 1-40 chars, plural folding (see stem()); filters become
terms "<name>:<value>" (e.g. "year:2019", "company:example.com") so filtering is an intersection.  Impact = BM25 tf part quantised to
1..255 with a fixed avgdl (so adding documents never changes existing postings); the client
multiplies by idf = ln(1 + (N - df + .5)/(df + .5)).
"""

from __future__ import annotations

import gzip
import json
import multiprocessing as mp
import os
import pickle
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

TOKEN_RE = re.compile(r"\w+")
K1, B, AVGDL = 1.2, 0.75, 2000.0
DOC_CHUNK = 64
BIG_BYTES = 4096  # postings larger than this (raw) go to their own b/ file
GZ_LEVEL = 6
TEXT_GZ_LEVEL = 4  # x/ files: faster, ~5% larger


def stem(w: str) -> str:
    """Plural folding only (predictable, tiny, identical in the JS client):
    cookies/cookie -> cooky, policies -> policy, addresses -> address, purposes -> purpose."""
    if len(w) > 3 and w[-1] == "s" and w[-2] not in "siu":
        w = w[:-2] if w.endswith(("sses", "xes", "ches", "shes", "zzes")) else w[:-1]
    if len(w) > 3 and w.endswith("ie"):
        w = w[:-2] + "y"
    return w


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return [stem(t) for t in TOKEN_RE.findall(text) if len(t) <= 40]


def fnv1a(s: str) -> int:
    h = 0x811C9DC5
    for byte in s.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def impact(tf: int, dl: int) -> int:
    s = tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / AVGDL))
    return max(1, min(255, round(s / (K1 + 1) * 255)))


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


_STEMS: dict[str, str] = {}


def doc_terms(text: str, filters) -> list[tuple[str, int]]:
    """(term, impact) pairs of one document, filter terms included."""
    raw = Counter(TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()))
    counts: dict[str, int] = {}
    dl = 0
    cache = _STEMS
    for t, c in raw.items():  # stem each distinct token once (memoised across documents)
        st = cache.get(t)
        if st is None:
            st = cache[t] = stem(t) if len(t) <= 40 else ""
            if len(cache) > 2_000_000:
                cache.clear()
        if st:
            counts[st] = counts.get(st, 0) + c
            dl += c
    norm = K1 * (1 - B + B * dl / AVGDL)
    imp: dict[int, int] = {}
    terms = []
    for t, c in counts.items():
        i = imp.get(c)
        if i is None:
            i = imp[c] = max(1, min(255, round(c / (c + norm) * 255)))
        terms.append((t, i))
    for name, vals in (filters or {}).items():
        for v in ([vals] if isinstance(vals, str) else vals):
            terms.append((f"{name}:{str(v).lower()}", 1))
    return terms


def _analyse_batch(args):
    """Worker: partial postings of a contiguous doc-id range; writes the x/ text files."""
    out, write_text, batch = args
    post: dict[str, list] = {}  # term -> [first_id, last_id, deltas-after-first, impacts]
    for doc_id, text, filters in batch:
        if write_text:
            with open(os.path.join(out, "x", f"{doc_id}.txt.gz"), "wb") as f:
                f.write(gzip.compress(text.encode("utf-8"), TEXT_GZ_LEVEL, mtime=0))
        for t, imp in doc_terms(text, filters):
            p = post.get(t)
            if p is None:
                post[t] = [doc_id, doc_id, bytearray(), bytearray((imp,))]
            else:
                _varint(doc_id - p[1], p[2])
                p[1] = doc_id
                p[3].append(imp)
    return post


def build_index(docs, out_dir, *, shard_target: int = 12_000, jobs: int = 2,
                write_text: bool = True, batch: int = 128, cache=None) -> dict:
    """Build the index for ``docs`` (iterable of (url, title, text, filters)) into ``out_dir``."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    for sub in ("t", "b", "d", "x"):
        (out / sub).mkdir(parents=True)
    deltas: dict[str, bytearray] = {}
    impacts: dict[str, bytearray] = {}
    last: dict[str, int] = {}
    table: list = []
    n = 0

    def batches():
        nonlocal n
        cur = []
        for url, title, text, filters in docs:
            doc_id = n
            n += 1
            group = ""
            if filters and "company" in filters:
                g = filters["company"]
                group = g if isinstance(g, str) else g[0]
            table.append([url, title, group])
            if len(table) == DOC_CHUNK:
                _write_gz(out / "d" / f"{doc_id // DOC_CHUNK}.json.gz",
                          json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode())
                table.clear()
            cur.append((doc_id, f"{title}\n{text}", filters))
            if len(cur) == batch:
                yield str(out), write_text, cur
                cur = []
        if cur:
            yield str(out), write_text, cur

    pool = mp.Pool(jobs) if jobs > 1 else None
    it = pool.imap(_analyse_batch, batches()) if pool else map(_analyse_batch, batches())
    for post in it:  # batches arrive in doc-id order: append each partial list
        for t, (first, lst, d, im) in post.items():
            dd = deltas.get(t)
            if dd is None:
                dd = deltas[t] = bytearray()
                impacts[t] = im
                _varint(first + 1, dd)
            else:
                _varint(first - last[t], dd)
                impacts[t] += im
            dd += d
            last[t] = lst
    if pool:
        pool.close()
        pool.join()
    if table:
        _write_gz(out / "d" / f"{(n - 1) // DOC_CHUNK}.json.gz",
                  json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode())
    t_index = time.perf_counter() - t0

    # Shards: enough that an average shard holds ~shard_target raw bytes of inline postings.
    inline_bytes = sum(len(d) + len(impacts[t]) for t, d in deltas.items()
                       if len(d) + len(impacts[t]) <= BIG_BYTES)
    shards = 1
    while inline_bytes / shards > shard_target:
        shards *= 2
    buckets: list[list[str]] = [[] for _ in range(shards)]
    for t in deltas:
        buckets[fnv1a(t) % shards].append(t)
    big = 0
    big_ids: dict[str, int] = {}
    for sh, terms in enumerate(buckets):
        big += _write_shard(out, sh, terms, deltas, impacts, big_ids)
    manifest = {"v": 1, "docs": n, "shards": shards, "doc_chunk": DOC_CHUNK, "k1": K1, "b": B,
                "avgdl": AVGDL, "text": write_text}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if cache:
        with open(cache, "wb") as f:
            pickle.dump({"manifest": manifest, "deltas": deltas, "impacts": impacts, "last": last,
                         "buckets": buckets, "table": table, "big_ids": big_ids}, f,
                        protocol=pickle.HIGHEST_PROTOCOL)
    stats = {**manifest, "terms": len(deltas), "big_terms": big,
             "postings": sum(len(v) for v in impacts.values()),
             "seconds_analyse": round(t_index, 1), "seconds_total": round(time.perf_counter() - t0, 1)}
    return stats


def _write_shard(out: Path, sh: int, terms, deltas, impacts, big_ids, only_big=None) -> int:
    """Write t/<sh>.bin.gz (and the b/ files of its big terms, or only those in only_big)."""
    buf = bytearray(b"PKT1")
    _varint(len(terms), buf)
    big = 0
    for t in sorted(terms):
        tb = t.encode("utf-8")
        d, im = deltas[t], impacts[t]
        _varint(len(tb), buf)
        buf += tb
        _varint(len(im), buf)
        if len(d) + len(im) > BIG_BYTES:
            fid = big_ids.get(t)
            if fid is None:
                fid = big_ids[t] = len(big_ids)
            _varint(1, buf)
            _varint(fid, buf)
            if only_big is None or t in only_big:
                p = bytearray(b"PKB1")
                _varint(len(d), p)
                p += d
                p += im
                _write_gz(out / "b" / f"{fid}.bin.gz", bytes(p))
            big += 1
        else:
            _varint(0, buf)
            _varint(len(d), buf)
            buf += d
            buf += im
    _write_gz(out / "t" / f"{sh}.bin.gz", bytes(buf))
    return big


def add_documents(docs, out_dir, cache) -> dict:
    """Append docs to an index built with build_index(..., cache=path): new doc ids N, N+1, ...
    Rewrites only the shards / big-term files / doc-table chunk they touch, then the manifest.
    (Deletions would be a tombstone list in the manifest; re-sharding happens on a full build.)"""
    t0 = time.perf_counter()
    out = Path(out_dir)
    with open(cache, "rb") as f:
        c = pickle.load(f)
    m, deltas, impacts, last, buckets, table, big_ids = (
        c["manifest"], c["deltas"], c["impacts"], c["last"], c["buckets"], c["table"], c["big_ids"])
    t_load = time.perf_counter() - t0
    n = m["docs"]
    touched_shards: set[int] = set()
    touched_terms: set[str] = set()
    for url, title, text, filters in docs:
        doc_id = n
        n += 1
        group = ""
        if filters and "company" in filters:
            g = filters["company"]
            group = g if isinstance(g, str) else g[0]
        if len(table) == DOC_CHUNK:
            table = []
        table.append([url, title, group])
        _write_gz(out / "d" / f"{doc_id // DOC_CHUNK}.json.gz",
                  json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode())
        full = f"{title}\n{text}"
        if m.get("text", True):
            with open(out / "x" / f"{doc_id}.txt.gz", "wb") as f:
                f.write(gzip.compress(full.encode("utf-8"), TEXT_GZ_LEVEL, mtime=0))
        for t, imp in doc_terms(full, filters):
            dd = deltas.get(t)
            if dd is None:
                dd = deltas[t] = bytearray()
                impacts[t] = bytearray()
                _varint(doc_id + 1, dd)
                buckets[fnv1a(t) % m["shards"]].append(t)
            else:
                _varint(doc_id - last[t], dd)
            impacts[t].append(imp)
            last[t] = doc_id
            touched_terms.add(t)
            touched_shards.add(fnv1a(t) % m["shards"])
    for sh in sorted(touched_shards):
        _write_shard(out, sh, buckets[sh], deltas, impacts, big_ids, only_big=touched_terms)
    m["docs"] = n
    (out / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    t_write = time.perf_counter() - t0
    with open(cache, "wb") as f:
        pickle.dump({"manifest": m, "deltas": deltas, "impacts": impacts, "last": last,
                     "buckets": buckets, "table": table, "big_ids": big_ids}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return {"docs": n, "shards_rewritten": len(touched_shards), "terms_touched": len(touched_terms),
            "seconds_load_cache": round(t_load, 2), "seconds_update_write": round(t_write - t_load, 2),
            "seconds_total_incl_cache_save": round(time.perf_counter() - t0, 2)}


def _write_gz(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(gzip.compress(data, GZ_LEVEL, mtime=0))


def _jsonl_docs(path, limit=0):
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            d = json.loads(line)
            yield d["url"], d["title"], d["text"], d.get("filters") or {}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("docs")
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--shard-target", type=int, default=12_000)
    ap.add_argument("--no-text", action="store_true")
    ap.add_argument("--skip", type=int, default=0, help="skip the first N docs of DOCS_JSONL")
    ap.add_argument("--cache", help="pickle of the in-memory postings, for --add")
    ap.add_argument("--add", action="store_true", help="append DOCS to an existing index (needs --cache)")
    a = ap.parse_args()
    docs = _jsonl_docs(a.docs, a.limit + a.skip if a.limit else 0)
    docs = (d for k, d in enumerate(docs) if k >= a.skip)
    if a.add:
        st = add_documents(docs, a.out, a.cache)
    else:
        st = build_index(docs, a.out, shard_target=a.shard_target, jobs=a.jobs,
                         write_text=not a.no_text, cache=a.cache)
    print(json.dumps(st), file=sys.stderr)
