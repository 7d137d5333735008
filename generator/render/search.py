"""Full-text search: a static, hash-sharded inverted index over the snapshot pages.

Fed from the model (never from HTML): one document per snapshot page, whose text is the plain
text of its passages (headings included), title "<company> — <date>", and filter terms
`company:<domain>`, `year:<yyyy>` and `topic:<id>`. `search_files()` returns the files to write
under `search-index/` in the docs folder; `templates/assets/search.js` queries them from the
browser and `search.md` (`search_page()`) shows the results. Why not Pagefind or Material's
search plugin, and what a query costs: bench/SEARCH.md.

Files (every binary file is gzip, inflated by the client with DecompressionStream, so on-disk
size = transferred size and no server set-up is needed):

  manifest.json          {"v", "build", "docs", "shards", "doc_chunk", "k1", "b", "avgdl"}
  t/<shard>.bin.gz       the terms with fnv1a32(term) % shards == shard: "PKT1", varint n_terms,
                         then per term (sorted): varint len, utf-8 term, varint df, varint kind
                         (0: inline postings follow; 1: varint k, postings in b/<shard>-<k>.bin.gz);
                         postings = varint n_delta_bytes, doc-id deltas (varints, the first one is
                         id + 1), then df impact bytes
  b/<shard>-<k>.bin.gz   "PKB1" + postings of the k-th big term (> BIG_BYTES raw) of a shard
  d/<id // 64>.json.gz   doc table: [[url, title, company, year], ...] for ids 64c .. 64c+63
                         (null where no document has the id)
  x/<url>.txt.gz         plain text of one page, for excerpts and phrase checks

Doc ids: the documents are split into segments by company (fnv1a(domain) % segments, sorted by
domain and slug within one) and doc id = segment * stride + rank in the segment. Everything is a
function of the set of documents only, so a build that reuses the cache is byte-identical to a
clean one. The cache (one pickle per segment under `<cache_dir>/search/`) keeps each segment's
postings and compressed texts; adding a snapshot re-analyses only its segment (~1/64 of the
archive at 10,000 snapshots), then re-joins the postings of all segments.

Terms: NFKC, lower case, \\w+ runs of 1-40 characters, plural folding (stem()): the same
functions in search.js. Impact = the BM25 term-frequency part quantised to 1..255 with a fixed
average length, so a document's postings never depend on the other documents; the client
multiplies it by idf(df, N).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.util.cache import code_digest, load_pickle, save_pickle
from generator.util.parallel import parallel_map, worker_count
from generator.model import Company
from generator.render import urls
from generator.render.base import Page
from generator.analyse.store import AnalysisSummary, search_text

INDEX_DIR = "search-index"
FORMAT = 2  # bump when the files or the cache change meaning
TOKEN_RE = re.compile(r"\w+")
K1, B, AVGDL = 1.2, 0.75, 2000.0
DOC_CHUNK = 64
BIG_BYTES = 4096  # postings larger than this (raw) go to their own b/ file
SHARD_TARGET = 12_000  # raw bytes of inline postings per t/ file, on average
SEGMENT_DOCS = 160  # target documents per segment: what one added snapshot costs to re-analyse
POOL_MIN_DOCS = 400  # fewer documents to analyse: no worker processes (starting them costs more)
GZ_LEVEL = 6
TEXT_GZ_LEVEL = 4
_CODE = code_digest()  # a segment cached by other code is analysed again


@dataclass(frozen=True)
class SearchDoc:
    """One snapshot page. `text` is loaded only for the segments that must be analysed again:
    `text_sha256` stands for it everywhere else (and is computed from `text` when it is given)."""

    url: str  # the page's URL relative to the site root, "companies/<domain>/<slug>/"
    title: str
    company: str  # domain: the group whose versions collapse into one result
    year: str
    topics: tuple[str, ...] = ()
    key: tuple[str, str] = ("", "")  # the snapshot's
    text_sha256: str = ""
    text: str | None = None

    def __post_init__(self) -> None:
        if self.text is not None:
            object.__setattr__(self, "text_sha256", hashlib.sha256(self.text.encode("utf-8")).hexdigest())

    @property
    def filters(self) -> list[str]:
        return [f"company:{self.company}", f"year:{self.year}", *(f"topic:{t}" for t in self.topics)]

    @property
    def text_path(self) -> str:
        return f"x/{self.url.strip('/')}.txt.gz"


# ---- terms (mirrored in templates/assets/search.js) ----

def stem(word: str) -> str:
    """Plural folding only: cookies -> cooky (as cooky), policies -> policy, addresses -> address."""
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "siu":
        word = word[:-2] if word.endswith(("sses", "xes", "ches", "shes", "zzes")) else word[:-1]
    if len(word) > 3 and word.endswith("ie"):
        word = word[:-2] + "y"
    return word


def words(text: str) -> list[str]:
    return [t for t in TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()) if len(t) <= 40]


def tokens(text: str) -> list[str]:
    return [stem(t) for t in words(text)]


def fnv1a(s: str) -> int:
    h = 0x811C9DC5
    for byte in s.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def doc_terms(doc: SearchDoc) -> list[tuple[str, int]]:
    """(term, impact) pairs of one document, its filter terms included (impact 1)."""
    counts: Counter[str] = Counter()
    for word, count in Counter(words(f"{doc.title}\n{doc.text}")).items():
        counts[stem(word)] += count  # each distinct word stemmed once: as `tokens` would, in a third of the time
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / AVGDL)
    terms = [(t, max(1, min(255, round(c / (c + norm) * 255)))) for t, c in counts.items()]
    terms.extend((f.lower(), 1) for f in doc.filters)
    return terms


# ---- documents from the model ----

def documents(companies: Sequence[Company], summaries: Mapping[tuple[str, str], AnalysisSummary]) -> list[SearchDoc]:
    """One document per snapshot page, without its text (see SearchDoc)."""
    docs = []
    for company in companies:
        for snapshot in company.versions:
            summary = summaries[snapshot.key]
            when = snapshot.archived_on.isoformat()
            suffix = snapshot.slug[len(when):].lstrip("-")
            title = f"{company.name} — {when}" + (f" ({suffix})" if suffix else "")
            docs.append(SearchDoc(
                url=urls.snapshot_url(snapshot.domain, snapshot.slug), title=title,
                company=snapshot.domain, year=f"{snapshot.archived_on.year:04d}",
                topics=tuple(sorted(summary.topic_ids)), key=snapshot.key, text_sha256=summary.search_sha256))
    return docs


# ---- segments: the unit of caching ----

def segment_count(n_docs: int) -> int:
    count = 1
    while n_docs / (count * 2) >= SEGMENT_DOCS:
        count *= 2
    return count


def _fingerprint(docs: Sequence[SearchDoc]) -> str:
    digest = hashlib.sha256(f"policykb-search-{FORMAT}-{_CODE}".encode())
    for doc in docs:
        for part in (doc.url, doc.title, doc.text_sha256, *doc.filters):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
        digest.update(b"\x00doc")
    return digest.hexdigest()


def _analyse_segment(docs: Sequence[SearchDoc]) -> dict:
    """Postings of one segment in local ids: term -> (first, last, deltas after first, impacts)."""
    post: dict[str, list] = {}
    for local, doc in enumerate(docs):
        for term, imp in doc_terms(doc):
            entry = post.get(term)
            if entry is None:
                post[term] = [local, local, bytearray(), bytearray((imp,))]
            else:
                _varint(local - entry[1], entry[2])
                entry[1] = local
                entry[3].append(imp)
    texts = {doc.text_path: gzip.compress(f"{doc.title}\n{doc.text}".encode("utf-8"), TEXT_GZ_LEVEL, mtime=0)
             for doc in docs}
    rows = [[doc.url, doc.title, doc.company, doc.year] for doc in docs]
    return {"post": {t: (e[0], e[1], bytes(e[2]), bytes(e[3])) for t, e in post.items()},
            "texts": texts, "rows": rows}


def _load(path: Path | None, fingerprint: str) -> dict | None:
    data = load_pickle(path)
    return data if isinstance(data, dict) and data.get("fingerprint") == fingerprint else None


def _segments(docs: Sequence[SearchDoc], count: int) -> list[list[SearchDoc]]:
    segments: list[list[SearchDoc]] = [[] for _ in range(count)]
    for doc in docs:
        segments[fnv1a(doc.company) % count].append(doc)
    for segment in segments:
        segment.sort(key=lambda d: (d.company, d.url))
    return segments


# ---- the index ----

def index_digest(docs: Sequence[SearchDoc]) -> str:
    """Equal for two sets of documents that give the same index files."""
    segments = _segments(docs, segment_count(len(docs)))
    return hashlib.sha256("".join(_fingerprint(segment) for segment in segments).encode()).hexdigest()


def build_index(docs: Sequence[SearchDoc], *, cache_dir: Path | None = None, jobs: int | None = None,
                load_text: Callable[[SearchDoc], str] | None = None) -> dict[str, bytes]:
    """The index files (path relative to the index folder -> bytes) for `docs`.

    `load_text(doc)`: the text of a document given without one, needed when its segment is not cached.
    """
    n_segments = segment_count(len(docs))
    segments = _segments(docs, n_segments)
    cache_root = cache_dir / "search" / f"s{n_segments}" if cache_dir is not None else None
    data: list[dict | None] = []
    todo = []
    for number, segment in enumerate(segments):
        fingerprint = _fingerprint(segment)
        cached = _load(cache_root / f"{number}.pkl" if cache_root else None, fingerprint)
        data.append(cached)
        if cached is None:
            todo.append((number, fingerprint))
    work = [[doc if doc.text is not None else replace(doc, text=load_text(doc)) for doc in segments[number]]
            for number, _ in todo]
    count = worker_count(jobs, len(work), work=sum(len(s) for s in work), serial_below=POOL_MIN_DOCS + 1,
                         default_at_most=4)
    results = parallel_map(_analyse_segment, work, workers=count, name=_segment_name)
    for (number, fingerprint), result in zip(todo, results):
        result["fingerprint"] = fingerprint
        data[number] = result
        if cache_root is not None:
            save_pickle(cache_root / f"{number}.pkl", result)
    return _join(data, len(docs))


def _segment_name(docs: Sequence[SearchDoc]) -> str:
    return f"the search segment of {docs[0].url} ..." if docs else "an empty search segment"


def _join(segments: list[dict], n_docs: int) -> dict[str, bytes]:
    stride = DOC_CHUNK
    while any(len(s["rows"]) > stride for s in segments):
        stride *= 2
    # Postings of every term, segment by segment, in global ids.
    deltas: dict[str, bytearray] = {}
    impacts: dict[str, bytearray] = {}
    last: dict[str, int] = {}
    for number, segment in enumerate(segments):
        base = number * stride
        for term, (first, end, inner, imps) in segment["post"].items():
            d = deltas.get(term)
            if d is None:
                d = deltas[term] = bytearray()
                impacts[term] = bytearray(imps)
                _varint(base + first + 1, d)
            else:
                _varint(base + first - last[term], d)
                impacts[term] += imps
            d += inner
            last[term] = base + end
    inline = sum(len(d) + len(impacts[t]) for t, d in deltas.items() if len(d) + len(impacts[t]) <= BIG_BYTES)
    shards = 1
    while inline / shards > SHARD_TARGET:
        shards *= 2
    buckets: list[list[str]] = [[] for _ in range(shards)]
    for term in deltas:
        buckets[fnv1a(term) % shards].append(term)
    files: dict[str, bytes] = {}
    for shard, terms in enumerate(buckets):
        buf = bytearray(b"PKT1")
        _varint(len(terms), buf)
        big = 0
        for term in sorted(terms):
            encoded, d, im = term.encode("utf-8"), deltas[term], impacts[term]
            _varint(len(encoded), buf)
            buf += encoded
            _varint(len(im), buf)
            if len(d) + len(im) > BIG_BYTES:
                _varint(1, buf)
                _varint(big, buf)
                posting = bytearray(b"PKB1")
                _varint(len(d), posting)
                files[f"b/{shard}-{big}.bin.gz"] = _gz(bytes(posting + d + im))
                big += 1
            else:
                _varint(0, buf)
                _varint(len(d), buf)
                buf += d
                buf += im
        files[f"t/{shard}.bin.gz"] = _gz(bytes(buf))
    for number, segment in enumerate(segments):
        rows = segment["rows"]
        for start in range(0, len(rows), DOC_CHUNK):
            chunk = rows[start:start + DOC_CHUNK]
            files[f"d/{(number * stride + start) // DOC_CHUNK}.json.gz"] = _gz(
                json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    for segment in segments:
        files.update(segment["texts"])
    # The build id names the index by its files alone, so browsers never mix shards of two builds.
    digest = hashlib.sha256(f"policykb-search-{FORMAT}".encode())
    for path in sorted(files):
        digest.update(path.encode() + b"\x00" + hashlib.sha256(files[path]).digest())
    manifest = {"v": FORMAT, "build": digest.hexdigest()[:16], "docs": n_docs, "shards": shards,
                "doc_chunk": DOC_CHUNK, "k1": K1, "b": B, "avgdl": AVGDL}
    files["manifest.json"] = (json.dumps(manifest, sort_keys=True) + "\n").encode("utf-8")
    return files


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, GZ_LEVEL, mtime=0)


# ---- what the pipeline calls ----

def search_files(archive, docs: Sequence[SearchDoc] | None = None) -> dict[str, bytes]:
    """The index as extra docs files under `search-index/`; `docs`: documents(...) when already made."""
    docs = documents(archive.companies, archive.summaries) if docs is None else docs
    files = build_index(docs, cache_dir=archive.cache_dir,
                        load_text=lambda doc: search_text(archive.analyses[doc.key]))
    return {f"{INDEX_DIR}/{path}": data for path, data in files.items()}


SEARCH_BODY = """\
<div class="pkb-search" id="pkb-search" data-index="{index}/">
<form class="pkb-search__form" role="search" action="./" method="get">
<label for="pkb-search-q">Search the text of every archived policy</label>
<div class="pkb-search__row">
<input type="search" id="pkb-search-q" name="q" autocomplete="off" spellcheck="false" placeholder="e.g. &quot;do not track&quot; arbitration">
<button type="submit" class="md-button md-button--primary">Search</button>
</div>
<div class="pkb-search__filters">
<label for="pkb-search-topic">Topic</label>
<select id="pkb-search-topic" name="topic">
<option value="">any topic</option>
{options}
</select>
<label for="pkb-search-year">Year</label>
<input type="text" id="pkb-search-year" name="year" inputmode="numeric" pattern="[0-9]{{4}}" size="5" placeholder="any">
<label for="pkb-search-company">Company (domain)</label>
<input type="text" id="pkb-search-company" name="company" size="18" placeholder="any" autocomplete="off">
</div>
</form>
<p class="pkb-search__help">All words must appear (plural forms match); put a phrase in "double quotes".
Filters narrow the results to one company, year or topic; the chips under each result add one.</p>
<div class="pkb-search__active" id="pkb-search-active"></div>
<p class="pkb-search__status" id="pkb-search-status" role="status" aria-live="polite"></p>
<ol class="pkb-search__results" id="pkb-search-results"></ol>
<noscript><p>The search needs JavaScript; every policy is also listed on the <a href="../companies/">Companies</a> page.</p></noscript>
</div>
<script src="../assets/search.js"></script>
"""


def search_page(topics: Iterable) -> Page:
    """search.md: the results page the header's search box submits to."""
    from html import escape

    options = "\n".join(f'<option value="{escape(t.id)}">{escape(t.title)}</option>' for t in topics)
    return Page(path="search.md", meta={"title": "Search", "hide": ["navigation", "toc"]},
                body=SEARCH_BODY.format(index=f"../{INDEX_DIR}", options=options))
