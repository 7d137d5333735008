#!/usr/bin/env python3
"""Pagefind via its Python API from plain text (no HTML parsing): add_custom_record per doc.

    python bench/search_probe/pf_api.py DOCS_JSONL OUT_DIR [--limit N]
"""
import argparse
import asyncio
import json
from itertools import islice

import types

import pagefind.service as _pf_service
from pagefind.index import PagefindIndex

# pagefind 1.5.2's Python service reader sleeps 0.1 s before reading EACH response
# (_wait_for_responses), capping the API at ~10 records/s (20k docs = 33 min) whatever the
# concurrency.  For the probe, make that sleep a bare yield.
_real_sleep = asyncio.sleep
_pf_service.asyncio = types.SimpleNamespace(
    **{k: getattr(asyncio, k) for k in dir(asyncio) if not k.startswith("__")})
_pf_service.asyncio.sleep = lambda _t: _real_sleep(0)


async def run(path, out, limit, concurrency=1):
    cfg = {"force_language": "en", "output_path": out}
    async with PagefindIndex(config=cfg) as index:
        with open(path, encoding="utf-8") as f:
            batch = []
            for line in islice(f, limit or None):
                d = json.loads(line)
                batch.append(index.add_custom_record(
                    url=d["url"], content=d["text"], language="en", meta={"title": d["title"]},
                    filters={k: [v] for k, v in d["filters"].items()}))
                if len(batch) >= concurrency:
                    await asyncio.gather(*batch)
                    batch = []
            await asyncio.gather(*batch)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("docs")
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--concurrency", type=int, default=64, help="records in flight")
    a = ap.parse_args()
    asyncio.run(run(a.docs, a.out, a.limit, a.concurrency))
