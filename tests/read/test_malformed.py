"""Malformed input gets a clear reason naming file and line, never a traceback; nothing is lost.

tests/fixtures/malformed/ is a content folder with one file per malformed case and its
expected fate in expected.json ("accepted", "ignored", or [line, reason fragment]).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.cli import main
from generator.read.intake import file_snapshot
from generator.analyse.markup import render_untrusted
from generator.archive import build_report, load_archive
from generator.pipeline import generate
from generator.read.snapshots import SnapshotError, parse_snapshot, read_content

from ..support import FIXTURES, snapshot_text

MALFORMED = FIXTURES / "malformed"
EXPECTED: dict = json.loads((MALFORMED / "expected.json").read_text(encoding="utf-8"))
TODAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def outcome() -> dict[str, object]:
    result = read_content(MALFORMED, today=TODAY)
    fates: dict[str, object] = {}
    for snapshot in result.snapshots:
        fates[Path(snapshot.source).relative_to(MALFORMED).as_posix()] = snapshot
    for error in result.rejected:
        fates[Path(error.source).relative_to(MALFORMED).as_posix()] = error
    return fates


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_each_malformed_file_gets_its_fate(outcome, relative):
    expected = EXPECTED[relative]
    fate = outcome.get(relative)
    if expected == "ignored":
        assert fate is None
    elif expected == "accepted":
        assert fate is not None and not isinstance(fate, SnapshotError), fate
    else:
        line, reason = expected
        assert isinstance(fate, SnapshotError), fate
        assert reason in fate.reason and fate.line == line, str(fate)
        assert str(fate).startswith(fate.source)


def test_every_file_is_accounted_for(outcome):
    on_disk = {p.relative_to(MALFORMED).as_posix() for p in (MALFORMED / "snapshots").rglob("*") if p.is_file()}
    assert on_disk == set(EXPECTED)
    ignored = {k for k, v in EXPECTED.items() if v == "ignored"}
    assert set(outcome) == on_disk - ignored


def test_normalised_text(outcome):
    assert outcome["snapshots/windows-1252.com/2010-01-01.md"].body == "We don\u2019t sell \u201cdata\u201d \u2013 caf\u00e9 \u20ac5."
    assert outcome["snapshots/mixed-encoding.com/2010-01-01.md"].body == "UTF-8 caf\u00e9 and a stray \n\u201cquote\u201d."
    assert outcome["snapshots/utf16-bom.com/2010-01-01.md"].body == "Caf\u00e9."
    for name in ["bom.com", "crlf.com", "old-mac-cr.com"]:
        snapshot = outcome[f"snapshots/{name}/2010-01-01.md"]
        assert snapshot.body == "We collect nothing." and snapshot.title == "Privacy Policy"
        assert not snapshot.domain.startswith("\ufeff")
    assert outcome["snapshots/Upper-Case.com/2010-01-01.md"].domain == "upper-case.com"
    assert outcome["snapshots/idn-b\u00fccher.de/2010-01-01.md"].domain == "xn--idn-bcher-u9a.de"
    assert outcome["snapshots/trailing-dot.com/2010-01-01.md"].domain == "trailing-dot.com"
    assert outcome["snapshots/case.com/2010-01-02.md"].domain == "case.com"
    assert outcome["snapshots/no-title.com/2010-01-01.md"].title == ""


def test_pathological_nesting_keeps_text(outcome):
    quotes = render_untrusted(outcome["snapshots/deep-quotes.com/2010-01-01.md"].body)
    assert "DEEP-QUOTE-TEXT" in quotes and "after" in quotes and quotes.count("<blockquote>") <= 20
    lists = render_untrusted(outcome["snapshots/deep-lists.com/2010-01-01.md"].body)
    assert all(f"item{i}" in lists for i in (0, 7, 500, 1999))
    assert lists.count("<ul>") <= 20


def test_same_domain_different_case_is_one_company(tmp_path):
    archive = load_archive(MALFORMED, today=TODAY)
    companies = {c.domain: c for c in archive.companies}
    assert [v.slug for v in companies["case.com"].versions] == ["2010-01-01", "2010-01-02"]
    assert companies["case.com"].versions[0].body == "Version A."
    assert not any(domain != domain.lower() for domain in companies)


def test_build_refuses_and_names_every_bad_file(tmp_path, capsys):
    site = tmp_path / "site"
    args = ["build", "--content", str(MALFORMED), "--docs", str(tmp_path / "docs"), "--out", str(site)]
    assert main(args) == 1
    err = capsys.readouterr().err
    rejected = [k for k, v in EXPECTED.items() if isinstance(v, list)]
    for relative in rejected:
        assert relative in err, relative
    assert "Traceback" not in err
    assert not site.exists()


def test_keep_going_publishes_the_rest_and_reports(tmp_path, capsys):
    site = tmp_path / "site"
    args = ["build", "--content", str(MALFORMED), "--docs", str(tmp_path / "docs"), "--out", str(site), "--keep-going"]
    assert main(args) == 0
    report = json.loads((site / "data/build-report.json").read_text(encoding="utf-8"))
    assert {row["source"] for row in report["accepted"]} == {k for k, v in EXPECTED.items() if v == "accepted"}
    assert {row["source"] for row in report["rejected"]} == {k for k, v in EXPECTED.items() if isinstance(v, list)}
    for row in report["accepted"]:
        assert (site / row["page"].removesuffix(".md") / "index.html").is_file()
    for row in report["rejected"]:
        assert row["reason"] and isinstance(row["line"], int)
    page = (site / "report/index.html").read_text(encoding="utf-8")
    for row in report["rejected"]:
        assert row["source"].replace("&", "&amp;") in page or row["source"] in page, row["source"]


def test_generate_exit_codes(tmp_path):
    assert main(["generate", "--content", str(MALFORMED), "--docs", str(tmp_path / "a")]) == 1
    assert main(["generate", "--content", str(MALFORMED), "--docs", str(tmp_path / "b"), "--keep-going"]) == 0
    assert (tmp_path / "b/data/build-report.json").is_file()


def test_check_lists_file_and_line(capsys):
    assert main(["check", "--content", str(MALFORMED)]) == 1
    err = capsys.readouterr().err
    assert "snapshots/impossible-date.com/2003-02-30.md:1: impossible archive date 2003-02-30" in err
    assert "snapshots/late-header.com/2010-01-01.md:4: no snapshot header" in err


# --- file-system oddities (made at test time: git cannot hold them) -----------------------

def _content(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "snapshots" / "ok.com"
    folder.mkdir(parents=True)
    (folder / "2010-01-01.md").write_text(snapshot_text("ok.com", "2010-01-01", "Fine."))
    return tmp_path / "content"


def test_symlinks_are_reported_not_followed(tmp_path):
    content = _content(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2010-01-02.md").write_text(snapshot_text("ok.com", "2010-01-02", "Secret."))
    (content / "snapshots/ok.com/2010-01-03.md").symlink_to(outside / "2010-01-02.md")
    (content / "snapshots/linked.com").symlink_to(outside, target_is_directory=True)
    result = read_content(content, today=TODAY)
    reasons = {Path(e.source).name: e.reason for e in result.rejected}
    assert "symbolic links" in reasons["2010-01-03.md"] and "symbolic links" in reasons["linked.com"]
    assert [s.slug for s in result.snapshots] == ["2010-01-01"]
    assert all("Secret" not in s.body for s in result.snapshots)


def test_undecodable_file_name_is_reported_and_json_safe(tmp_path):
    content = _content(tmp_path)
    name = os.fsdecode(b"2010-01-0\xff.md")
    try:
        (content / "snapshots/ok.com" / name).write_text("x")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses non-UTF-8 names")
    archive = load_archive(content, today=TODAY)
    report = build_report(archive)
    text = json.dumps(report, ensure_ascii=False).encode("utf-8")
    assert b"\\\\xff" in text and len(report["rejected"]) == 1
    generate(content, tmp_path / "docs", today=TODAY)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(tmp_path):
    content = _content(tmp_path)
    locked = content / "snapshots/ok.com/2010-01-02.md"
    locked.write_text(snapshot_text("ok.com", "2010-01-02", "Locked."))
    locked.chmod(0)
    try:
        result = read_content(content, today=TODAY)
    finally:
        locked.chmod(0o644)
    assert "cannot read the file" in result.rejected[0].reason


def test_oversized_file_is_rejected(tmp_path):
    content = _content(tmp_path)
    big = content / "snapshots/ok.com/2010-01-02.md"
    big.write_text(snapshot_text("ok.com", "2010-01-02", "x" * (6 * 1024 * 1024)))
    result = read_content(content, today=TODAY)
    assert "file too large" in result.rejected[0].reason


def test_header_regex_is_fast_on_hostile_lines():
    import time

    start = "> *The following text is extracted and transformed from the "
    lines = [start + "x " * 3900, start + "a privacy policy that was archived on" * 200,
             start + "a privacy policy that was archived on 2010-01-01. Please check the [original snapshot on the "
                     "Wayback Machine](" + ")" * 7000, start + "\t " * 3000]
    began = time.perf_counter()
    for line in lines:
        with pytest.raises(SnapshotError):
            parse_snapshot((line + "\n\nbody\n").encode(), "x.md", today=TODAY)
    assert time.perf_counter() - began < 2


# --- intake (`policykb add`) ----------------------------------------------------------------

def test_add_files_into_existing_folder_of_other_case(tmp_path):
    content = tmp_path / "content"
    (content / "snapshots/Guess.com").mkdir(parents=True)
    (content / "snapshots/Guess.com/2010-01-01.md").write_text(snapshot_text("guess.com", "2010-01-01", "One."))
    second = snapshot_text("GUESS.COM", "2010-01-01", "Two.",
                           url="https://web.archive.org/web/20100101200000/http://guess.com/p").encode()
    filed = file_snapshot(second, "two.txt", content, today=TODAY)
    assert filed.destination == content / "snapshots/Guess.com/2010-01-01-2.md"
    again = file_snapshot(second.replace(b"\n", b"\r\n"), "again.txt", content, today=TODAY)
    assert again.status == "unchanged"
    assert not (content / "snapshots/guess.com").exists() or (content / "snapshots/guess.com").samefile(
        content / "snapshots/Guess.com")
    assert read_content(content, today=TODAY).rejected == []


def test_add_never_overwrites_when_numbers_have_gaps(tmp_path):
    content = tmp_path / "content"
    folder = content / "snapshots/gap.com"
    folder.mkdir(parents=True)
    (folder / "2010-01-01.md").write_text(snapshot_text("gap.com", "2010-01-01", "One."))
    (folder / "2010-01-01-3.md").write_text(snapshot_text("gap.com", "2010-01-01", "Three.",
                                            url="https://web.archive.org/web/20100101230000/http://gap.com/p"))
    new = snapshot_text("gap.com", "2010-01-01", "New.", url="https://web.archive.org/web/20100101100000/http://gap.com/p")
    filed = file_snapshot(new.encode(), "new.txt", content, today=TODAY)
    assert filed.destination.name == "2010-01-01-2.md"
    assert "Three." in (folder / "2010-01-01-3.md").read_text()
    newer = snapshot_text("gap.com", "2010-01-01", "Newer.", url="https://web.archive.org/web/20100101110000/http://gap.com/p")
    assert file_snapshot(newer.encode(), "newer.txt", content, today=TODAY).destination.name == "2010-01-01-4.md"


@pytest.mark.parametrize("name", sorted(k for k, v in EXPECTED.items() if isinstance(v, list)))
def test_add_rejects_the_same_files_cleanly(tmp_path, name):
    data = (MALFORMED / name).read_bytes()
    try:
        file_snapshot(data, name, tmp_path / "content", today=TODAY)
    except SnapshotError as error:
        assert error.reason
    # Layout problems (folder, file name, duplicates) do not apply to `add`: it picks the name.


def test_add_command_never_tracebacks(tmp_path, capsys):
    files = [str(p) for p in sorted((MALFORMED / "snapshots").rglob("*")) if p.is_file()]
    code = main(["add", *files, "--content", str(tmp_path / "content")])
    assert code == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    shutil.rmtree(tmp_path / "content", ignore_errors=True)
