#!/usr/bin/env python3
"""Cost of building the search index alone (generator/search.py), clean and incremental.

    python bench/search_build.py SYNTH_DIR [--cache DIR] [--jobs N]

SYNTH_DIR is an archive written by bench/synth.py. Documents are made from the snapshot files
directly (title + Markdown body as text, company and year filters; no topic analysis), which is what
the index costs, without the rest of the pipeline. Measures: clean build with an empty cache; the
archive minus one snapshot from the middle, then that snapshot added back with the cache (the
"add one snapshot" case); a rebuild with nothing changed; and checks incremental == clean.
Prints wall and CPU seconds (this process + workers) and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.render import search  # noqa: E402


def synth_docs(root: Path) -> list[search.SearchDoc]:
    docs = []
    for path in sorted((root / "snapshots").rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        title = lines[2].lstrip("# ").strip()
        domain, slug = path.parent.name, path.stem
        docs.append(search.SearchDoc(url=f"companies/{domain}/{slug}/", title=f"{title} — {slug}",
                                     text="\n".join(lines[4:]), company=domain, year=slug[:4]))
    return docs


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, fn):
    w0, c0 = time.perf_counter(), cpu()
    out = fn()
    print(f"{label:44} wall {time.perf_counter() - w0:7.2f} s   cpu {cpu() - c0:7.2f} s", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("synth_dir", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    docs = timed("read snapshot files", lambda: synth_docs(args.synth_dir))
    cache = args.cache or Path(tempfile.mkdtemp(prefix="search-cache-"))
    shutil.rmtree(cache, ignore_errors=True)
    victim = len(docs) // 2
    fewer = docs[:victim] + docs[victim + 1:]
    timed(f"clean build, empty cache ({len(fewer)} docs)", lambda: search.build_index(fewer, cache_dir=cache, jobs=args.jobs))
    added = timed(f"add 1 snapshot with the cache ({len(docs)} docs)", lambda: search.build_index(docs, cache_dir=cache, jobs=args.jobs))
    timed("rebuild, nothing changed", lambda: search.build_index(docs, cache_dir=cache, jobs=args.jobs))
    clean = timed("clean build, no cache", lambda: search.build_index(docs, jobs=args.jobs))
    print("incremental == clean:", added == clean)
    sizes: dict[str, int] = {}
    for path, data in clean.items():
        sizes[path.split("/")[0]] = sizes.get(path.split("/")[0], 0) + len(data)
    print("files", len(clean), {k: f"{v / 2**20:.1f} MiB" for k, v in sorted(sizes.items())})
    print("peak RSS MiB: this process", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
          "largest worker", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
    if not args.cache:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
