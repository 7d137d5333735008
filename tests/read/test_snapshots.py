import os
import pickle
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.read import snapshots as reader
from generator.read.snapshots import MOJIBAKE_RE, SnapshotError, parse_domain, parse_snapshot, parse_wayback, read_content

from ..support import CONTENT, snapshot_text

TODAY = date(2026, 11, 21)


def parse(text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_snapshot(data, "x.md", today=TODAY, **kwargs)


def test_seed_guess_fields():
    snapshot = parse((CONTENT / "snapshots/guess.com/2003-02-07.md").read_bytes())
    assert snapshot.domain == "guess.com"
    assert snapshot.archived_on == date(2003, 2, 7)
    assert snapshot.slug == "2003-02-07"
    assert snapshot.wayback_url == (
        "https://web.archive.org/web/20030207154422id_/http%3A//www.guess.com/section.asp%3Fsection%3Dprivacy")
    assert snapshot.source_url == "http://www.guess.com/section.asp?section=privacy"
    assert snapshot.captured_at == datetime(2003, 2, 7, 15, 44, 22, tzinfo=timezone.utc)
    assert snapshot.title == "GUESS?"
    assert snapshot.body.startswith("**Privacy Policy**")
    assert snapshot.body_line == 5


def test_missing_and_empty_title():
    untitled = parse(snapshot_text("example.com", "2010-01-02", "We respect you.", title=None))
    assert untitled.title == "" and untitled.body == "We respect you." and untitled.body_line == 3
    empty = parse(snapshot_text("example.com", "2010-01-02", "We respect you.", title=""))
    assert empty.title == "" and empty.body == "We respect you."


def test_crlf_bom_and_windows_1252():
    text = snapshot_text("example.com", "2010-01-02", "We don\u2019t sell \u201cdata\u201d.")
    crlf_bom = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    assert parse(crlf_bom).body == "We don\u2019t sell \u201cdata\u201d."
    assert parse(text.encode("cp1252")).body == "We don\u2019t sell \u201cdata\u201d."


def test_domain_is_lower_cased_and_validated():
    assert parse(snapshot_text("WWW.Example.COM", "2010-01-02", "Text.")).domain == "www.example.com"
    for bad in ["../../etc", "exa mple.com", "localhost", "-bad.com", "1.2.3.4", "a..b.com"]:
        assert parse_domain(bad) is None, bad


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 0, "empty file"),
        ("# Just a title\n\nSome text", 1, "no snapshot header"),
        (snapshot_text("example.com", "2003-02-30", "Text."), 1, "impossible archive date 2003-02-30"),
        (snapshot_text("example.com", "2031-01-01", "Text."), 1, "in the future"),
        (snapshot_text("../../etc", "2010-01-02", "Text."), 1, "not a domain name"),
        (snapshot_text("example.com", "2010-01-02", "", title="Title"), 1, "header only"),
        ("\n\n" + snapshot_text("example.com", "2010-01-02", "x", url="javascript:alert(1)"), 3, "not an http(s) URL"),
    ],
)
def test_errors_name_line_and_reason(text, line, reason):
    with pytest.raises(SnapshotError) as caught:
        parse(text)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith("x.md")


def test_binary_is_rejected_with_line():
    with pytest.raises(SnapshotError, match="binary data") as caught:
        parse(b"> header\nline two\x00")
    assert caught.value.line == 2


def test_wayback_url_decoding():
    assert parse_wayback("https://web.archive.org/web/20151230224932id_/http%3A//www.jamesperse.com/x") == (
        "http://www.jamesperse.com/x", datetime(2015, 12, 30, 22, 49, 32, tzinfo=timezone.utc))
    assert parse_wayback("https://example.com/privacy") == ("", None)


def test_slug_must_agree_with_header():
    text = snapshot_text("example.com", "2010-01-02", "Text.")
    assert parse(text, slug="2010-01-02-2").slug == "2010-01-02-2"
    with pytest.raises(SnapshotError, match="file name says 2011-01-02"):
        parse(text, slug="2011-01-02")


def test_read_content_accounts_for_every_file(tmp_path):
    snapshots = tmp_path / "snapshots"
    (snapshots / "example.com").mkdir(parents=True)
    (snapshots / "example.com" / "2010-01-02.md").write_text(snapshot_text("example.com", "2010-01-02", "A."))
    (snapshots / "example.com" / "2010-01-03.md").write_text("not a snapshot")
    (snapshots / "other.com").mkdir()
    (snapshots / "other.com" / "2010-01-02.md").write_text(snapshot_text("example.com", "2010-01-02", "B."))
    (snapshots / "example.com" / ".DS_Store").write_bytes(b"\x00")
    result = read_content(tmp_path, today=TODAY)
    assert [s.key for s in result.snapshots] == [("example.com", "2010-01-02")]
    reasons = {e.source.split("snapshots/")[1]: e.reason for e in result.rejected}
    assert set(reasons) == {"example.com/2010-01-03.md", "other.com/2010-01-02.md"}
    assert "does not match the header's domain" in reasons["other.com/2010-01-02.md"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_fail_cleanly(data):
    try:
        snapshot = parse(data)
    except SnapshotError as error:
        assert error.reason and error.line >= 0
    else:
        assert snapshot.body.strip()


_word = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    domain=st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|de|co\.uk)", fullmatch=True),
    day=st.dates(min_value=date(1996, 1, 1), max_value=TODAY),
    title=st.one_of(st.none(), _word.filter(lambda t: t.strip() and "\n" not in t and "\r" not in t
                                                  and not t.rstrip().endswith("#")  # "# x #": closing sequence
                                                  and not MOJIBAKE_RE.search(t))),  # repaired on purpose
    body=st.lists(_word.filter(lambda t: t.strip() and not t.lstrip().startswith("#") and not MOJIBAKE_RE.search(t)),
                  min_size=1, max_size=8),
    crlf=st.booleans(),
)
def test_generated_snapshots_round_trip(domain, day, title, body, crlf):
    body_text = "\n\n".join(" ".join(part.split()) for part in body)
    text = snapshot_text(domain, day.isoformat(), body_text, title=title)
    if crlf:
        text = text.replace("\n", "\r\n")
    snapshot = parse(text)
    assert snapshot.domain == domain and snapshot.archived_on == day
    assert snapshot.title == (" ".join(title.split()) if title else "")
    assert snapshot.body == body_text.strip("\n")


def test_mojibake_is_repaired_and_real_accents_kept():
    text = snapshot_text("example.com", "2010-01-02", "We don\u00e2\u0080\u0099t sell. We donâ€™t rent. Ã©tÃ©, café, Grüße, naïve")
    assert parse(text).body == "We don\u2019t sell. We don\u2019t rent. été, café, Grüße, naïve"


# ------------------------------------------------------------------ the read index (cache of parsed files)


def _content_folder(tmp_path, files: dict[str, str]):
    """A content folder whose files look written long ago (older than the index's racy window)."""
    root = tmp_path / "content"
    for relative, text in files.items():
        path = root / "snapshots" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return root


@pytest.fixture
def parses(monkeypatch):
    """The files parse_snapshot was called for."""
    calls: list[str] = []
    real = reader.parse_snapshot

    def counting(data, source, **kwargs):
        calls.append(Path(source).name)
        return real(data, source, **kwargs)

    monkeypatch.setattr(reader, "parse_snapshot", counting)
    return calls


def _outcome(result):
    return ([(s.key, s.title, s.body, s.sha256, s.source) for s in result.snapshots],
            [str(e) for e in result.rejected])


def test_unchanged_files_are_not_parsed_again(tmp_path, parses):
    content = _content_folder(tmp_path, {f"example.com/2010-01-0{i}.md": snapshot_text(
        "example.com", f"2010-01-0{i}", f"Version {i}.") for i in range(1, 4)})
    cache = tmp_path / "cache"
    first = read_content(content, today=TODAY, cache_dir=cache)
    assert len(parses) == 3
    parses.clear()
    again = read_content(content, today=TODAY, cache_dir=cache)
    assert parses == []
    assert _outcome(again) == _outcome(first) == _outcome(read_content(content, today=TODAY))
    assert all(s.kept_body is None for s in again.snapshots)  # bodies are read again only when needed


def test_an_edit_in_place_of_the_same_size_is_seen(tmp_path, parses):
    content = _content_folder(tmp_path, {"example.com/2010-01-02.md": snapshot_text("example.com", "2010-01-02", "We sell.")})
    cache = tmp_path / "cache"
    read_content(content, today=TODAY, cache_dir=cache)
    path = content / "snapshots/example.com/2010-01-02.md"
    before = path.stat()
    path.write_text(snapshot_text("example.com", "2010-01-02", "We tell."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # even with its old mtime: ctime moved
    assert path.stat().st_size == before.st_size
    parses.clear()
    result = read_content(content, today=TODAY, cache_dir=cache)
    assert parses == ["2010-01-02.md"] and result.snapshots[0].body == "We tell."


def test_a_file_written_just_now_is_not_indexed(tmp_path, parses):
    content = _content_folder(tmp_path, {})
    path = content / "snapshots/example.com/2010-01-02.md"
    path.parent.mkdir(parents=True)
    path.write_text(snapshot_text("example.com", "2010-01-02", "Fresh."), encoding="utf-8")
    cache = tmp_path / "cache"
    read_content(content, today=TODAY, cache_dir=cache)
    read_content(content, today=TODAY, cache_dir=cache)
    assert parses == ["2010-01-02.md"] * 2  # it could change again within the same timestamp tick


def test_rejected_files_are_reported_on_every_build(tmp_path):
    content = _content_folder(tmp_path, {
        "example.com/2010-01-02.md": snapshot_text("example.com", "2010-01-02", "Fine."),
        "example.com/2010-01-03.md": "not a snapshot",
        "example.com/2010-01-04.md": snapshot_text("example.com", "2010-01-02", "Fine."),
    })
    cache = tmp_path / "cache"
    first = read_content(content, today=TODAY, cache_dir=cache)
    assert len(first.rejected) == 2
    assert _outcome(read_content(content, today=TODAY, cache_dir=cache)) == _outcome(first)


def test_deleted_and_future_snapshots_with_the_index(tmp_path):
    content = _content_folder(tmp_path, {
        "example.com/2010-01-02.md": snapshot_text("example.com", "2010-01-02", "Old."),
        "example.com/2026-06-01.md": snapshot_text("example.com", "2026-06-01", "New."),
    })
    cache = tmp_path / "cache"
    assert len(read_content(content, today=TODAY, cache_dir=cache).snapshots) == 2
    # read on an earlier day (another clock): the indexed snapshot is in the future there
    earlier = read_content(content, today=date(2026, 1, 1), cache_dir=cache)
    assert [e.reason for e in earlier.rejected] == ["archive date 2026-06-01 is in the future"]
    (content / "snapshots/example.com/2010-01-02.md").unlink()
    result = read_content(content, today=TODAY, cache_dir=cache)
    assert [s.slug for s in result.snapshots] == ["2026-06-01"] and result.rejected == []
    index = pickle.loads((cache / reader.INDEX_FILE).read_bytes())
    assert list(index["entries"]) == ["example.com/2026-06-01.md"]  # the deleted file's entry is gone


def test_a_damaged_index_is_a_miss(tmp_path, parses):
    content = _content_folder(tmp_path, {"example.com/2010-01-02.md": snapshot_text("example.com", "2010-01-02", "A.")})
    cache = tmp_path / "cache"
    first = read_content(content, today=TODAY, cache_dir=cache)
    (cache / reader.INDEX_FILE).write_bytes(b"\x80\x05 truncated")
    parses.clear()
    again = read_content(content, today=TODAY, cache_dir=cache)
    assert parses == ["2010-01-02.md"]
    assert _outcome(again) == _outcome(first)


def test_many_files_are_parsed_by_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "PARALLEL_READ_THRESHOLD", 2)
    content = _content_folder(tmp_path, {f"example.com/2010-01-0{i}.md": snapshot_text(
        "example.com", f"2010-01-0{i}", f"Version {i}.") for i in range(1, 6)} | {"bad.com/x.md": "no"})
    assert _outcome(read_content(content, today=TODAY, workers=2)) == _outcome(read_content(content, today=TODAY, workers=1))


def test_a_body_changed_during_the_build_is_an_error(tmp_path):
    content = _content_folder(tmp_path, {"example.com/2010-01-02.md": snapshot_text("example.com", "2010-01-02", "A.")})
    snapshot = read_content(content, today=TODAY).snapshots[0]
    (content / "snapshots/example.com/2010-01-02.md").write_text(snapshot_text("example.com", "2010-01-02", "B."))
    with pytest.raises(SnapshotError, match="changed while the build was reading it"):
        snapshot.body
