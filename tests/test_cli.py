"""The `policykb` command line, end to end on small content folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

from .support import CONTENT, snapshot_text


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_add_files_any_name_into_layout(tmp_path, capsys):
    content = tmp_path / "content"
    source = tmp_path / "000_6e98ad50f6b6871f.txt"
    source.write_bytes(snapshot_text("Example.com", "2012-03-04", "Policy text.").replace("\n", "\r\n").encode())
    assert main(["add", str(source), "--content", str(content)]) == 0
    stored = content / "snapshots/example.com/2012-03-04.md"
    assert stored.read_bytes() == snapshot_text("Example.com", "2012-03-04", "Policy text.").encode()
    assert main(["add", str(source), "--content", str(content)]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_add_same_day_second_capture_and_conflict(tmp_path, capsys):
    content = tmp_path / "content"
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    clash = tmp_path / "c.txt"
    first.write_text(snapshot_text("example.com", "2012-03-04", "One."))
    second.write_text(snapshot_text("example.com", "2012-03-04", "Two.",
                                    url="https://web.archive.org/web/20120304180000id_/http%3A//www.example.com/p"))
    clash.write_text(snapshot_text("example.com", "2012-03-04", "Three."))
    assert main(["add", str(first), str(second), "--content", str(content)]) == 0
    assert sorted(p.name for p in (content / "snapshots/example.com").iterdir()) == ["2012-03-04-2.md", "2012-03-04.md"]
    assert main(["add", str(clash), "--content", str(content)]) == 1
    assert "conflicts with" in capsys.readouterr().err


def test_add_rejects_invalid_file_naming_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\nworld\n")
    assert main(["add", str(bad), "--content", str(tmp_path / "content")]) == 1
    assert f"{bad}:1: no snapshot header" in capsys.readouterr().err
    assert not (tmp_path / "content").exists()


def test_generate_is_deterministic(tmp_path):
    assert main(["generate", "--content", str(CONTENT), "--docs", str(tmp_path / "a")]) == 0
    assert main(["generate", "--content", str(CONTENT), "--docs", str(tmp_path / "b")]) == 0
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert first == second
    assert "companies/guess.com/2003-02-07.md" in first


def test_generate_keeps_unchanged_files_and_removes_stale(tmp_path, seed_content):
    docs = tmp_path / "docs"
    assert main(["generate", "--content", str(seed_content), "--docs", str(docs)]) == 0
    page = docs / "companies/guess.com/2003-02-07.md"
    before = page.stat().st_mtime_ns
    shutil.rmtree(seed_content / "snapshots/jamesperse.com")
    assert main(["generate", "--content", str(seed_content), "--docs", str(docs)]) == 0
    assert page.stat().st_mtime_ns == before
    assert not (docs / "companies/jamesperse.com").exists()


def test_check_lists_each_bad_file(tmp_path, seed_content, capsys):
    assert main(["check", "--content", str(seed_content)]) == 0
    bad = seed_content / "snapshots/guess.com/2004-01-01.md"
    bad.write_text(snapshot_text("guess.com", "2004-01-31", "Text."))
    assert main(["check", "--content", str(seed_content)]) == 1
    err = capsys.readouterr().err
    assert "guess.com/2004-01-01.md:1: file name says 2004-01-01 but the header says archived on 2004-01-31" in err


def test_build_publishes_every_seed_and_reports(tmp_path, seed_content):
    site = tmp_path / "site"
    assert main(["build", "--content", str(seed_content), "--docs", str(tmp_path / "docs"), "--out", str(site)]) == 0
    for page in ["companies/guess.com/2003-02-07", "companies/betseyjohnson.com/2006-12-20",
                 "companies/jamesperse.com/2015-12-30", "companies/guess.com", "companies"]:
        assert (site / page / "index.html").is_file(), page
    report = json.loads((site / "data/build-report.json").read_text())
    assert report["rejected"] == []
    assert {row["page"] for row in report["accepted"]} == {
        "companies/guess.com/2003-02-07.md", "companies/betseyjohnson.com/2006-12-20.md",
        "companies/jamesperse.com/2015-12-30.md"}
    html = (site / "companies/guess.com/2003-02-07/index.html").read_text()
    assert "GUESS.com is committed to protecting the safety of children online" in html
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_build_refuses_rejected_input_unless_keep_going(tmp_path, seed_content, capsys):
    (seed_content / "snapshots/guess.com/2004-01-01.md").write_text("garbage")
    site = tmp_path / "site"
    args = ["build", "--content", str(seed_content), "--docs", str(tmp_path / "docs"), "--out", str(site)]
    assert main(args) == 1
    assert "2004-01-01.md:1: no snapshot header" in capsys.readouterr().err
    assert not site.exists()
    assert main([*args, "--keep-going"]) == 0
    report = json.loads((site / "data/build-report.json").read_text())
    assert [row["source"] for row in report["rejected"]] == ["snapshots/guess.com/2004-01-01.md"]
    assert "snapshots/guess.com/2004-01-01.md" in (site / "report/index.html").read_text()


@pytest.mark.parametrize("command", ["generate", "build", "check", "add", "serve"])
def test_help_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert "--content" in capsys.readouterr().out


def test_tag_reads_jsonl_and_writes_topics(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "We use cookies and web beacons to track visits.",
                                  "heading": "Cookies"}) + "\n")
    target = tmp_path / "out.jsonl"
    assert main(["tag", "--input", str(source), "--output", str(target)]) == 0
    row = json.loads(target.read_text())
    assert row["id"] == "a"
    assert "cookies-and-tracking" in row["topics"]
    assert "First Party Collection/Use" in row["categories"]
    assert row["evidence"]["cookies-and-tracking"]
