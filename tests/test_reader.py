from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.reader import MOJIBAKE_RE, SnapshotError, parse_domain, parse_snapshot, parse_wayback, read_content

from .support import CONTENT, snapshot_text

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
