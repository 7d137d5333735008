#!/usr/bin/env python3
"""Deterministic synthetic privacy-policy archive for benchmarks and tests.

    python bench/synth.py --count 20000 --out /tmp/synth [--seed 1] [--corpus DIR | --no-corpus]

Writes ``DIR/snapshots/<domain>/<YYYY-MM-DD>.md`` files in the snapshot format (header line,
blank line, ``# Title``, blank line, Markdown body) plus ``DIR/synth-manifest.json``.

Realism, roughly:
  * companies have 1-12 versions (skewed: most have 1-3, a few have 10+);
  * versions evolve over the years: paragraphs added / removed / reworded, some recaptures are
    byte-identical bodies (only the header changes), some changes are cosmetic only;
  * bodies are 500-6,000 words (log-normal, median ~2,500), built by recombining paragraphs of
    the real samples in /work/shared/corpus (citp-sample, ota-sample) when present, else from a
    built-in vocabulary (so tests run anywhere).

Same seed, count and paragraph source => byte-identical output.  Company ``i`` depends only on
(seed, i, source), so a larger ``--count`` extends a smaller archive (except the last, truncated
company and the planted words, whose positions depend on the count).

Planted words (recorded in the manifest under ``planted``, each with the exact snapshot paths
holding it) let search benchmarks check recall: one made-up token in exactly one snapshot deep
in the archive, one in a handful, one in ~1% of snapshots, and a made-up two-word phrase.
The manifest also lists a few common words with their snapshot counts (whole word,
case-insensitive).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import time
from pathlib import Path

DEFAULT_CORPUS = Path("/work/shared/corpus")
CORPUS_SAMPLES = ("citp-sample", "ota-sample")

# Made-up tokens: not English, not in the corpus; each must be a single \w+ token.
PLANTED = {
    "unique": ("zorbleflux", 1),  # exactly one snapshot, deep in the archive
    "few": ("quandrivex", 5),  # a handful of snapshots
    "percent": ("plimsoquat", None),  # ~1% of snapshots (count computed from N)
}
PLANTED_PHRASE = ("velmorant", "oxbriddle")  # two made-up words, adjacent in a few snapshots
COMMON_WORDS = ("privacy", "information", "cookies", "children", "retention", "arbitration")

LAST_DATE = (2026, 8, 31)  # no snapshot after this
MIN_WORDS, MAX_WORDS = 500, 6000
MONTHS = (
    "January February March April May June July August September October November December"
).split()

# ---------------------------------------------------------------------------------------------
# Built-in fallback material (no corpus): privacy-policy flavoured vocabulary.

_FALLBACK_HEADINGS = [
    "Information We Collect", "How We Use Your Information", "Cookies and Similar Technologies",
    "Sharing With Third Parties", "Advertising and Analytics", "Your Choices", "Opting Out",
    "Access, Correction and Deletion", "Data Retention", "Security", "Children's Privacy",
    "International Transfers", "Your California Privacy Rights", "Rights in the European Union",
    "Do Not Track", "Changes to This Policy", "Contact Us", "Business Transfers",
    "Legal Disclosures", "Information From Other Sources", "Location Information",
]
_FALLBACK_WORDS = (
    "we you your our us information personal data collect use share third parties service "
    "services website site account email address name phone number device browser cookies "
    "cookie web beacons pixels analytics advertising partners providers affiliates law "
    "enforcement request consent opt out choices preferences marketing communications may "
    "will not sell rent disclose purposes including such as order to provide improve "
    "personalize content features security measures protect unauthorized access retain "
    "retention period delete deletion correct update children under age of thirteen parents "
    "policy changes notice effective date contact questions regarding practices location "
    "identifiers IP logs usage interactions aggregated de-identified processing legal basis "
    "legitimate interests transfer countries outside European Economic Area safeguards "
    "California residents rights categories business purpose reasonable appropriate time "
    "applicable laws regulations comply obligations and or the a an to of in for with by on "
    "from that this these those which when where if any all other"
).split()


def _fallback_pool(rng: random.Random) -> tuple[list[str], list[str]]:
    words = _FALLBACK_WORDS
    paras = []
    for _ in range(600):
        n_sent = rng.randint(1, 6)
        sents = []
        for _ in range(n_sent):
            k = rng.randint(8, 28)
            s = " ".join(rng.choice(words) for _ in range(k))
            sents.append(s[0].upper() + s[1:] + ".")
        paras.append(" ".join(sents))
    return list(_FALLBACK_HEADINGS), paras


# ---------------------------------------------------------------------------------------------
# Corpus paragraphs.

_HEADING_RE = re.compile(r"^#{1,6}\s+(.*)$")
_BOLD_RE = re.compile(r"^\*\*([^*\n]{2,80})\*\*$")
_SETEXT_RE = re.compile(r"^(.{2,100})\n(=+|-+)\s*$")
_WORD_RE = re.compile(r"\w+")


def _corpus_pool(corpus: Path) -> tuple[list[str], list[str], str] | None:
    files: list[Path] = []
    for sample in CORPUS_SAMPLES:
        d = corpus / sample / "snapshots"
        if d.is_dir():
            files.extend(sorted(d.glob("*/*.md")))
    if not files:
        return None
    h = hashlib.sha256()
    headings: dict[str, None] = {}
    paras: dict[str, None] = {}
    for f in files:
        raw = f.read_bytes()
        h.update(raw)
        text = raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        # Drop header line and the '# Title' line.
        body = "\n".join(lines[1:])
        body = re.sub(r"^\s*# [^\n]*\n", "", body, count=1)
        for block in re.split(r"\n\s*\n", body):
            block = block.strip("\n")
            if not block.strip():
                continue
            stripped = block.strip()
            m = _HEADING_RE.match(stripped) or _BOLD_RE.match(stripped) or _SETEXT_RE.match(stripped)
            if m and "\n" not in m.group(1):
                title = m.group(1).strip().strip("*#").strip()
                if 1 <= len(title.split()) <= 10:
                    headings.setdefault(title, None)
                continue
            n = len(block.split())
            if n < 6 or n > 400:
                continue
            if max(len(w) for w in block.split()) > 120:
                continue  # urls / debug dumps
            # Avoid accidental planted tokens.
            paras.setdefault(block.rstrip(), None)
    if len(paras) < 50:
        return None
    hs = list(headings) or list(_FALLBACK_HEADINGS)
    return hs, list(paras), h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Companies.

_SYL = (
    "ac ad al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du el en er es fa fe fi "
    "fo ga ge gi go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe "
    "pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za zo"
).split()
_SUFFIX = ["", "", "", "", "hub", "ly", "soft", "net", "shop", "labs", "media", "go", "app", "co"]
_TLDS = ["com"] * 12 + ["net", "org", "co.uk", "de", "io", "fr", "com.au"]
_VERSION_WEIGHTS = [30, 22, 15, 10, 7, 5, 4, 3, 2, 1, 0.6, 0.4]  # 1..12 versions, skewed


def _domain(rng: random.Random, i: int) -> str:
    name = "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))) + rng.choice(_SUFFIX)
    # The index suffix keeps domains unique without a global registry.
    return f"{name}{i:x}.{rng.choice(_TLDS)}" if i % 3 == 0 else f"{name}-{i:x}.{rng.choice(_TLDS)}"


def _target_words(rng: random.Random) -> int:
    return int(min(6000, max(500, rng.lognormvariate(math.log(2250), 0.5))))


def _wc(s: str) -> int:
    return len(s.split())


def _edit_paragraph(rng: random.Random, p: str, vocab: list[str]) -> str:
    words = p.split(" ")
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        j = rng.randrange(len(words))
        if op < 0.4:
            words[j] = rng.choice(vocab)
        elif op < 0.7:
            words.insert(j, rng.choice(vocab))
        elif len(words) > 6:
            del words[j]
    return " ".join(words)


def _cosmetic(rng: random.Random, p: str) -> str:
    op = rng.random()
    if op < 0.35:
        return p.replace(" and ", " & ", 1) if " and " in p else p.replace(". ", ".  ", 1)
    if op < 0.7:
        return p.replace("\u2019", "'") if "\u2019" in p else p.replace(", ", " , ", 1).replace(" , ", ", ", 1) + " "
    return p.replace("e-mail", "email") if "e-mail" in p else p.rstrip() + ("" if p.endswith(".") else ".")


class Company:
    """One domain's versions, produced lazily from its own RNG."""

    def __init__(self, seed: int, i: int, headings: list[str], paras: list[str], vocab: list[str]):
        self.rng = rng = random.Random(f"policykb-synth:{seed}:{i}")
        self.domain = _domain(rng, i)
        self.n_versions = rng.choices(range(1, 13), weights=_VERSION_WEIGHTS)[0]
        self.headings, self.paras, self.vocab = headings, paras, vocab
        self.brand = self.domain.split(".")[0].split("-")[0].capitalize()
        self.host = rng.choice(["www.", "www.", "", "legal.", "policies."]) + self.domain
        self.path = rng.choice(["privacy", "privacy-policy", "legal/privacy", "privacy.html",
                                "about/privacy", "policies/privacy", "help/privacy.asp%3Fid%3D2"])
        self.title = rng.choice(["Privacy Policy", f"{self.brand} Privacy Policy",
                                 "Privacy Notice", f"{self.brand} Privacy Statement", "Privacy"])

    def _section(self) -> list[str]:
        rng = self.rng
        out = [f"## {rng.choice(self.headings)}"]
        for _ in range(rng.randint(1, 5)):
            out.append(rng.choice(self.paras))
        return out

    def versions(self):
        """Yield (date, body) per version; dates strictly increasing, bodies evolving."""
        rng = self.rng
        year = rng.choices(range(1999, 2026), weights=[1 + (y - 1999) // 3 for y in range(1999, 2026)])[0]
        day = _date_ord(year, rng.randint(1, 12), rng.randint(1, 28))
        last = _date_ord(*LAST_DATE)
        day = min(day, last - 20 * self.n_versions)
        max_gap = max(20, min(700, (last - day) // max(1, self.n_versions - 1)))
        target = _target_words(rng)
        blocks: list[str] = []
        while sum(_wc(b) for b in blocks) < target:
            blocks.extend(self._section())
        while sum(_wc(b) for b in blocks) > MAX_WORDS and len(blocks) > 4:
            blocks.pop()
        updated_line = rng.random() < 0.6
        for v in range(self.n_versions):
            if v:
                day += rng.randint(20, max_gap)
                r = rng.random()
                if r < 0.18:
                    pass  # identical recapture
                elif r < 0.33:
                    for _ in range(rng.randint(1, 3)):
                        j = rng.randrange(len(blocks))
                        if not blocks[j].startswith("#"):
                            blocks[j] = _cosmetic(rng, blocks[j])
                else:
                    target = int(min(6000, max(500, target * rng.uniform(0.9, 1.25))))
                    for _ in range(rng.randint(0, 3)):  # removals
                        if len(blocks) > 4:
                            del blocks[rng.randrange(1, len(blocks))]
                    for _ in range(rng.randint(1, 6)):  # rewordings
                        j = rng.randrange(len(blocks))
                        if not blocks[j].startswith("#"):
                            blocks[j] = _edit_paragraph(rng, blocks[j], self.vocab)
                    for _ in range(rng.randint(0, 4)):  # additions
                        blocks.insert(rng.randrange(1, len(blocks) + 1), rng.choice(self.paras))
                    if rng.random() < 0.3:
                        pos = rng.randrange(1, len(blocks) + 1)
                        blocks[pos:pos] = self._section()
                    while sum(_wc(b) for b in blocks) > min(MAX_WORDS, target * 1.15) and len(blocks) > 4:
                        del blocks[rng.randrange(1, len(blocks))]
                    while sum(_wc(b) for b in blocks) < MIN_WORDS:
                        blocks.append(rng.choice(self.paras))
            date = _ord_date(day)
            body = list(blocks)
            if updated_line:
                y, m, d = _ord_ymd(day - rng.randint(0, 40) if v == 0 or r >= 0.33 else day)
                if v and r < 0.33:
                    y, m, d = self._last_updated
                self._last_updated = (y, m, d)
                body.insert(0, f"*Last updated: {MONTHS[m - 1]} {d}, {y}*")
            yield date, body

    def header(self, date: str) -> str:
        rng = self.rng
        ts = date.replace("-", "") + f"{rng.randrange(24):02d}{rng.randrange(60):02d}{rng.randrange(60):02d}"
        url = f"https://web.archive.org/web/{ts}id_/http%3A//{self.host}/{self.path}"
        return (
            f"> *The following text is extracted and transformed from the {self.domain} privacy "
            f"policy that was archived on {date}. Please check the [original snapshot on the "
            f"Wayback Machine]({url}) for the most accurate reproduction.*"
        )


def _date_ord(y: int, m: int, d: int) -> int:
    import datetime as _dt
    return _dt.date(y, m, d).toordinal()


def _ord_ymd(o: int) -> tuple[int, int, int]:
    import datetime as _dt
    d = _dt.date.fromordinal(o)
    return d.year, d.month, d.day


def _ord_date(o: int) -> str:
    import datetime as _dt
    return _dt.date.fromordinal(o).isoformat()


# ---------------------------------------------------------------------------------------------


def _plant_plan(n: int, seed: int) -> dict[int, list[str]]:
    """snapshot index -> tokens/phrases to insert.  Depends only on (n, seed)."""
    rng = random.Random(f"policykb-synth-plant:{seed}:{n}")
    plan: dict[int, list[str]] = {}
    if n <= 0:
        return plan
    unique_at = min(n - 1, int(n * 0.83))  # deep in the archive
    plan.setdefault(unique_at, []).append(PLANTED["unique"][0])
    for j in rng.sample(range(n), min(n, PLANTED["few"][1])):
        plan.setdefault(j, []).append(PLANTED["few"][0])
    for j in rng.sample(range(n), max(1, n // 100)):
        plan.setdefault(j, []).append(PLANTED["percent"][0])
    for j in rng.sample(range(n), min(n, 3)):
        plan.setdefault(j, []).append(" ".join(PLANTED_PHRASE))
    return plan


def generate(count: int, out: Path, seed: int = 1, corpus: Path | None = DEFAULT_CORPUS,
             progress: bool = False) -> dict:
    """Write ``count`` snapshots under ``out``; return the manifest (also written to disk)."""
    t0 = time.perf_counter()
    pool = _corpus_pool(corpus) if corpus is not None else None
    if pool:
        headings, paras, corpus_hash = pool
        source = f"corpus:{corpus_hash}"
    else:
        headings, paras = _fallback_pool(random.Random(f"policykb-synth-fallback:{seed}"))
        source = "builtin"
    vocab = sorted({w for p in paras[:400] for w in _WORD_RE.findall(p) if len(w) > 3})[:5000]
    vocab = vocab or list(_FALLBACK_WORDS)
    plan = _plant_plan(count, seed)
    planted_paths: dict[str, list[str]] = {}
    common_re = re.compile(r"\b(" + "|".join(COMMON_WORDS) + r")\b", re.I)
    common_counts = dict.fromkeys(COMMON_WORDS, 0)
    domains: dict[str, int] = {}
    words_hist: list[int] = []
    snap_dir = out / "snapshots"
    snap_dir.mkdir(parents=True, exist_ok=True)
    k = 0
    i = 0
    while k < count:
        c = Company(seed, i, headings, paras, vocab)
        i += 1
        d = snap_dir / c.domain
        d.mkdir(exist_ok=True)
        n_here = 0
        for date, blocks in c.versions():
            if k >= count:
                break
            extra = plan.get(k)
            if extra:
                blocks = list(blocks)
                prng = random.Random(f"policykb-synth-plant-pos:{seed}:{k}")
                for tok in extra:
                    j = prng.randrange(len(blocks))
                    if blocks[j].startswith("#"):
                        j = min(len(blocks) - 1, j + 1)
                    if blocks[j].startswith("#") or blocks[j].startswith("*Last updated"):
                        blocks.append(f"We may refer to this as {tok} in other notices.")
                    else:
                        blocks[j] = blocks[j].rstrip() + f" Internally this is called {tok}."
                    rel = f"snapshots/{c.domain}/{date}.md"
                    planted_paths.setdefault(tok, []).append(rel)
            body = "\n\n".join(blocks)
            text = f"{c.header(date)}\n\n# {c.title}\n\n{body}\n"
            (d / f"{date}.md").write_text(text, encoding="utf-8", newline="\n")
            lower = text.lower()
            for w in {m.lower() for m in common_re.findall(lower)}:
                common_counts[w] += 1
            words_hist.append(len(body.split()))
            k += 1
            n_here += 1
            if progress and k % 2000 == 0:
                print(f"{k}/{count} {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        domains[c.domain] = n_here
    words_hist.sort()
    planted = {}
    for kind, (tok, _) in PLANTED.items():
        planted[kind] = {"token": tok, "paths": sorted(set(planted_paths.get(tok, [])))}
    phrase = " ".join(PLANTED_PHRASE)
    planted["phrase"] = {"token": phrase, "paths": sorted(set(planted_paths.get(phrase, [])))}
    manifest = {
        "generator": "bench/synth.py",
        "seed": seed,
        "count": count,
        "source": source,
        "companies": len(domains),
        "words": {
            "min": words_hist[0] if words_hist else 0,
            "median": words_hist[len(words_hist) // 2] if words_hist else 0,
            "max": words_hist[-1] if words_hist else 0,
            "total": sum(words_hist),
        },
        "planted": planted,
        "common": common_counts,
        "versions_per_company": _hist(domains.values()),
        "domains": domains,
    }
    (out / "synth-manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                            encoding="utf-8")
    if progress:
        print(f"done: {count} snapshots, {len(domains)} companies, {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)
    return manifest


def _hist(values) -> dict[str, int]:
    h: dict[int, int] = {}
    for v in values:
        h[v] = h.get(v, 0) + 1
    return {str(k): h[k] for k in sorted(h)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help="folder holding citp-sample/ and ota-sample/ (default: %(default)s)")
    ap.add_argument("--no-corpus", action="store_true", help="use the built-in vocabulary only")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.count < 0:
        ap.error("--count must be >= 0")
    generate(a.count, a.out, a.seed, None if a.no_corpus else a.corpus, progress=not a.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
