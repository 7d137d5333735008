"""Property tests: generated snapshot files (random headers, bodies, bytes) go through
read -> generate without a crash, and every input file is accounted for."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.analyse.markup import render_untrusted
from generator.pipeline import generate

from .hostile_checks import audit_html

TODAY = date(2026, 1, 1)
MARKDOWN_ALPHABET = st.sampled_from(list("abc XYZ019\n\n\t#>-*_`[]()!<>&\"'|{}%:;=/\\~.\u00e9\u2019\u202e\x00\x02\r\ufeff"))
_snippets = st.sampled_from(["<script>alert(1)</script>", "javascript:alert(1)", "[x](javascript:alert(1))",
                             "<img src=x onerror=alert(1)>", "{{ config }}", "{% raw %}", "---", "<!--", "> > >",
                             "- - -", "| a | b |\n|---|---|", "```", "](", "&#106;", "\u0000", "\r\n"])
bodies = st.lists(st.one_of(st.text(MARKDOWN_ALPHABET, max_size=40), _snippets), max_size=12).map("".join)
domains = st.one_of(st.from_regex(r"[a-zA-Z][a-z0-9-]{0,12}\.(com|org|de)", fullmatch=True),
                    st.sampled_from(["../../etc", "exa mple.com", "", "localhost", "xn--bcher-kva.de", "a..b", "-a.com"]))
days = st.one_of(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat),
                 st.sampled_from(["2003-02-30", "2010-1-1", "", "9999-99-99"]))
titles = st.one_of(st.none(), st.text(MARKDOWN_ALPHABET, max_size=30).map(lambda t: t.replace("\n", " ")), _snippets)
urls = st.one_of(st.just(None), st.sampled_from(["javascript:alert(1)", "https://evil.example/x",
                                                 'https://web.archive.org/web/2010/http://x.com/"><script>',
                                                 "https://web.archive.org/web/20100101/x y"]))


def snapshot_bytes(domain: str, day: str, title: str | None, body: str, url: str | None, encoding: str) -> bytes:
    url = url or f"https://web.archive.org/web/{day.replace('-', '')}120000/http://www.{domain}/privacy"
    text = (f"> *The following text is extracted and transformed from the {domain} privacy policy that was "
            f"archived on {day}. Please check the [original snapshot on the Wayback Machine]({url}) "
            f"for the most accurate reproduction.*\n\n" + (f"# {title}\n\n" if title is not None else "") + body)
    return text.encode(encoding, errors="replace")


files = st.lists(
    st.tuples(
        st.one_of(st.tuples(domains, days, titles, bodies, urls, st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
                  .map(lambda args: snapshot_bytes(*args)), st.binary(max_size=300)),
        st.one_of(domains, st.just("x.com")),  # folder
        st.one_of(days, st.sampled_from(["latest", "2010-01-01-2", ".hidden"])),  # file stem
    ),
    min_size=1, max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files)
def test_generate_never_crashes_and_accounts_for_every_file(entries):
    work = Path(tempfile.mkdtemp(prefix="policykb-prop-"))
    try:
        written = set()
        for data, folder, stem in entries:
            folder = folder.replace("/", "_").replace("..", "__").strip() or "empty"
            path = work / "content" / "snapshots" / folder / f"{stem}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.add(path.relative_to(work / "content").as_posix())
        generate(work / "content", work / "docs", today=TODAY)
        report = json.loads((work / "docs/data/build-report.json").read_text(encoding="utf-8"))
        accepted = {row["source"] for row in report["accepted"]}
        rejected = {row["source"] for row in report["rejected"]}
        assert accepted | rejected == written
        assert not accepted & rejected
        for row in report["rejected"]:
            assert row["reason"].strip()
        for row in report["accepted"]:
            assert (work / "docs" / row["page"]).is_file()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_rendered_body_is_always_inert(body):
    html = render_untrusted(body)
    audit = audit_html(html)
    assert audit.problems == [] and audit.scripts == []
    assert "\n\n" not in html
