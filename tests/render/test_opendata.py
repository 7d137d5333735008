"""Open data files (data/*.csv, *.json, *.jsonl, manifest) and the data.md page that documents them."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from datetime import date
import jsonschema
import pytest

from generator.render import opendata
from generator.archive import load_archive
from generator.pipeline import generate
from generator.render.units import data_files, render_pages

from ..support import CONTENT, require_shared, snapshot_text


@pytest.fixture(scope="module")
def seed_archive():
    return load_archive(CONTENT)


@pytest.fixture(scope="module")
def seed_files(seed_archive):
    return data_files(seed_archive)


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def documented_columns() -> list[str]:
    return [f.name for f in opendata.SNAPSHOT_FIELDS if f.csv]


def test_all_files_are_written(seed_files):
    for name in ("snapshots.csv", "snapshots.json", "passages.jsonl", "companies.json", "schema.json",
                 "manifest.json", "build-report.json"):
        assert f"data/{name}" in seed_files


def test_csv_has_the_documented_columns_and_one_row_per_snapshot(seed_archive, seed_files):
    header, rows = read_csv(seed_files["data/snapshots.csv"])
    assert header == documented_columns()
    assert len(rows) == len(seed_archive.snapshots) == 3
    assert [(r["domain"], r["slug"]) for r in rows] == sorted((s.domain, s.slug) for s in seed_archive.snapshots)
    guess = next(r for r in rows if r["domain"] == "guess.com")
    snapshot = next(s for s in seed_archive.snapshots if s.domain == "guess.com")
    analysis = seed_archive.analyses[snapshot.key]
    assert guess["archived_on"] == "2003-02-07"
    assert guess["wayback_url"] == snapshot.wayback_url
    assert guess["source_file"] == "snapshots/guess.com/2003-02-07.md"
    assert guess["page"] == "companies/guess.com/2003-02-07/"
    assert guess["change"] == "first"  # from the history stage
    assert int(guess["words"]) == analysis.facts.readability.words
    assert float(guess["flesch_reading_ease"]) == analysis.facts.readability.flesch_reading_ease
    assert guess["data_types"].split(";") == sorted(f.id for f in analysis.facts.data_types)
    assert guess["topics"].split(";") == sorted(analysis.topic_ids)
    date.fromisoformat(guess["archived_on"])


def test_json_rows_match_the_csv_and_validate_against_the_schema(seed_files):
    schema = json.loads(seed_files["data/schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    snapshots = json.loads(seed_files["data/snapshots.json"])
    _, csv_rows = read_csv(seed_files["data/snapshots.csv"])
    assert [(r["domain"], r["slug"]) for r in snapshots] == [(r["domain"], r["slug"]) for r in csv_rows]
    validator = lambda name: jsonschema.Draft202012Validator(  # noqa: E731
        {**schema["$defs"][name], "$defs": schema["$defs"]}, format_checker=jsonschema.FormatChecker())
    for row in snapshots:
        validator("snapshots").validate(row)
        assert list(row) == [f.name for f in opendata.SNAPSHOT_FIELDS]
        assert row["facts"]["readability"]["words"] == row["words"]
    for row in json.loads(seed_files["data/companies.json"]):
        validator("companies").validate(row)
    for line in seed_files["data/passages.jsonl"].decode("utf-8").splitlines():
        validator("passages").validate(json.loads(line))


def test_passages_jsonl_has_one_line_per_passage_with_source_lines(seed_archive, seed_files):
    lines = [json.loads(line) for line in seed_files["data/passages.jsonl"].decode("utf-8").splitlines()]
    expected = [(s.domain, s.slug, p.id) for c in seed_archive.companies for s in c.versions
                for p in seed_archive.analyses[s.key].passages]
    assert [(r["domain"], r["slug"], r["passage_id"]) for r in lines] == expected
    for row in lines:
        source = (CONTENT / row["source_file"]).read_text(encoding="utf-8").split("\n")
        assert 1 <= row["line_start"] <= row["line_end"] <= len(source)
        assert set(row["evidence"]) == set(row["topics"])
        assert row["page"].endswith(f"/#{row['passage_id']}")


def test_manifest_lists_every_data_file_with_its_hash(seed_archive, seed_files):
    manifest = json.loads(seed_files["data/manifest.json"])
    assert manifest["schema_version"] == opendata.SCHEMA_VERSION
    assert manifest["generated_at"] == max(s.archived_on for s in seed_archive.snapshots).isoformat()
    assert manifest["date_range"] == {"first": "2003-02-07", "last": "2015-12-30"}
    assert manifest["counts"]["snapshots"] == 3 and manifest["counts"]["companies"] == 3
    listed = {entry["path"]: entry for entry in manifest["files"]}
    data = {path[len("data/"):]: content for path, content in seed_files.items()
            if path.startswith("data/") and path != "data/manifest.json"}
    assert set(listed) == set(data)
    for path, content in data.items():
        assert listed[path]["sha256"] == hashlib.sha256(content).hexdigest()
        assert listed[path]["bytes"] == len(content)
    assert listed["snapshots.csv"]["rows"] == 3
    assert list(manifest) == [name for name, _, _ in opendata.MANIFEST_FIELDS]


def test_files_are_deterministic(seed_files):
    again = data_files(load_archive(CONTENT))
    assert {k: v for k, v in again.items() if k.startswith("data/")} == \
        {k: v for k, v in seed_files.items() if k.startswith("data/")}


def test_data_page_documents_every_field_from_the_schema(seed_archive):
    page = next(p for p in render_pages(seed_archive) if p.path == "data.md")
    text = html.unescape(page.body)  # names are written with entities for `_`
    for table in opendata.TABLES:
        for field in table.fields:
            assert f"<tr><td><code>{field.name}</code></td>" in text, field.name
    for name, _, _ in opendata.MANIFEST_FIELDS:
        assert f"<code>{name}</code>" in text
    for path in ("snapshots.csv", "snapshots.json", "passages.jsonl", "companies.json", "manifest.json"):
        assert f"](data/{path})" in page.body
    assert f"joined with `{opendata.LIST_SEPARATOR}`" in page.body
    assert "Wayback Machine" in page.body and "doi:10.1145/3442381.3450048" in page.body


def test_every_field_has_a_description_and_known_type():
    for table in opendata.TABLES:
        names = [f.name for f in table.fields]
        assert len(names) == len(set(names)), table.name
        for field in table.fields:
            assert field.description.strip().endswith("."), field.name
            assert field.type in opendata.TYPES


def test_csv_guards_text_against_spreadsheet_formulas_but_json_keeps_it(tmp_path):
    content = tmp_path / "content"
    (content / "snapshots" / "evil.example").mkdir(parents=True)
    (content / "snapshots" / "evil.example" / "2020-01-01.md").write_text(
        snapshot_text("evil.example", "2020-01-01", "We collect your email address.\n",
                      title='=HYPERLINK("http://evil.example","x")'), encoding="utf-8")
    files = data_files(load_archive(content))
    _, rows = read_csv(files["data/snapshots.csv"])
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert json.loads(files["data/snapshots.json"])[0]["title"] == '=HYPERLINK("http://evil.example","x")'
    # numbers are never prefixed, even negative ones
    assert not rows[0]["flesch_reading_ease"].startswith("'")


def test_empty_archive_writes_valid_files(tmp_path):
    content = tmp_path / "content"
    (content / "snapshots").mkdir(parents=True)
    files = data_files(load_archive(content))
    header, rows = read_csv(files["data/snapshots.csv"])
    assert header == documented_columns() and rows == []
    assert json.loads(files["data/snapshots.json"]) == []
    assert files["data/passages.jsonl"] == b""
    assert json.loads(files["data/manifest.json"])["generated_at"] is None


def test_generated_docs_hold_the_data_files(tmp_path):
    generate(CONTENT, tmp_path / "docs")
    for name in ("snapshots.csv", "snapshots.json", "passages.jsonl", "companies.json", "manifest.json"):
        assert (tmp_path / "docs" / "data" / name).is_file()
    assert (tmp_path / "docs" / "data.md").is_file()


def test_citp_sample_csv_opens_with_the_documented_columns(tmp_path):
    corpus = require_shared("corpus", "citp-sample")
    archive = load_archive(corpus, cache_dir=tmp_path / "cache")
    files = data_files(archive)
    header, rows = read_csv(files["data/snapshots.csv"])
    assert header == documented_columns()
    assert len(rows) == len(archive.snapshots) == 120
    assert {r["change"] for r in rows} <= {"first", "recapture", "cosmetic", "changed"}
    assert sum(r["change"] == "first" for r in rows) == len(archive.companies)
    for row in rows:
        date.fromisoformat(row["archived_on"])
        float(row["flesch_reading_ease"])
        int(row["words"])
    passages = files["data/passages.jsonl"].decode("utf-8").splitlines()
    assert len(passages) == sum(len(archive.analyses[s.key].passages) for s in archive.snapshots)
    assert len(json.loads(files["data/companies.json"])) == 62
