"""Every real sample in ../shared/corpus parses (skipped where ../shared is absent)."""

import csv
from datetime import date

import pytest

from generator.read.snapshots import read_content

from .support import require_shared


@pytest.mark.parametrize("sample", ["citp-sample", "ota-sample"])
def test_every_sample_file_is_read(sample):
    folder = require_shared("corpus", sample)
    with open(folder / "MANIFEST.tsv", newline="", encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle, delimiter="\t"))
    result = read_content(folder, today=date(2026, 11, 21))
    assert result.rejected == []
    by_path = {s.source.split(f"{sample}/", 1)[1]: s for s in result.snapshots}
    assert set(by_path) == {row["path"] for row in manifest}
    for row in manifest:
        snapshot = by_path[row["path"]]
        assert snapshot.domain == row["domain"]
        assert snapshot.archived_on.isoformat() == row["archived_date"]
        assert snapshot.sha256 == row["sha256"]
        assert snapshot.body.strip()
        if row.get("wayback_url"):
            assert snapshot.wayback_url == row["wayback_url"]
            assert snapshot.source_url.startswith("http")


def test_seed_files_parse():
    seeds = require_shared("seeds")
    from generator.read.snapshots import parse_snapshot

    domains = sorted(parse_snapshot(p.read_bytes(), p.name).domain for p in seeds.glob("*.txt"))
    assert domains == ["betseyjohnson.com", "guess.com", "jamesperse.com"]
