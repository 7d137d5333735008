"""Tests for generator.analyse.history: change classes, announcement rule, version_history."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from generator.read.snapshots import parse_snapshot
from generator.analyse.history import (  # noqa: E402
    VersionInfo,
    announcement,
    classify_change,
    normalize_for_comparison,
    version_history,
)

CORPUS = Path("/work/shared/corpus")
CITP = CORPUS / "citp-sample"

POLICY = """## Information we collect

We collect your **name**, e-mail address and the pages you visit. We use "cookies" to
remember you.

## Sharing

We do not sell your information to third parties. We may share it with service
providers who help us run the site.

## Contact

Write to [our privacy team](https://web.archive.org/web/20100615051621id_/http%3A//example.com/contact.htm).

© 2012 Example Inc. All rights reserved.
"""


def long_policy(n_paragraphs: int = 400) -> str:
    paras = []
    for i in range(n_paragraphs):
        paras.append(
            f"Paragraph {i} explains how clause {i} applies: we keep records for {i % 7 + 1} years, "
            f"share them with partner {i % 13} only when required, and delete them on request."
        )
    return "\n\n".join(paras) + "\n"


# ------------------------------------------------------------------ classify_change


def test_first_version():
    assert classify_change(None, POLICY) == "first"
    assert classify_change(None, "") == "first"


def test_identical_and_whitespace_only_is_recapture():
    assert classify_change(POLICY, POLICY) == "recapture"
    rewrapped = POLICY.replace("\n", "\r\n").replace(" the ", "  the ") + "\n\n\n"
    assert classify_change(POLICY, rewrapped) == "recapture"
    # no-break spaces and re-wrapped lines are whitespace too
    assert classify_change("We collect your name.", "We collect\nyour\u00a0name.   ") == "recapture"


def test_quotes_dashes_ellipsis_are_cosmetic():
    curly = POLICY.replace('"cookies"', "\u201ccookies\u201d").replace("e-mail", "e\u2013mail")
    curly = curly.replace("name**,", "name**\u2026,").replace("name**\u2026,", "name**,")
    assert classify_change(POLICY, curly) == "cosmetic"
    assert classify_change("We don't sell data -- ever...", "We don\u2019t sell data \u2014 ever\u2026") == "cosmetic"


def test_markup_only_is_cosmetic():
    plain = POLICY.replace("**name**", "name").replace("## Sharing", "Sharing\n-------")
    assert classify_change(POLICY, plain) == "cosmetic"
    assert classify_change("1\\. We *never* sell data.", "1. We **never** sell data.") == "cosmetic"
    assert classify_change("* first item\n* second", "- first item\n- second") == "cosmetic"


def test_case_only_is_cosmetic():
    assert classify_change("WE DO NOT SELL YOUR DATA.", "We do not sell your data.") == "cosmetic"


def test_copyright_year_bump_is_cosmetic():
    bumped = POLICY.replace("© 2012 Example Inc.", "© 2013 Example Inc.")
    assert classify_change(POLICY, bumped) == "cosmetic"
    assert classify_change(
        "Text.\n\nCopyright (c) 2001-2009 Foo Ltd. All rights reserved.",
        "Text.\n\nCopyright (c) 2001-2010 Foo Ltd. All rights reserved.",
    ) == "cosmetic"
    # ...but only in copyright lines: a year in the policy's wording is a change
    assert classify_change(
        "Copyright infringement: we respond to notices.", "Copyright infringement: we ignore notices."
    ) == "changed"
    assert classify_change("We keep logs since 2012.", "We keep logs since 2013.") == "changed"


def test_wayback_timestamp_change_is_cosmetic():
    later = POLICY.replace("20100615051621", "20101121095934")
    assert classify_change(POLICY, later) == "cosmetic"
    a = "See <https://web.archive.org/web/20100615051621/http://example.com/opt-out>."
    b = "See <https://web.archive.org/web/20120101000000/http://example.com/opt-out>."
    assert classify_change(a, b) == "cosmetic"


def test_navigation_junk_is_cosmetic():
    menu_a = "[Home](/a) | [About](/b) | [Privacy](/c)\n\n" + POLICY + "\n\nBACK TO TOP ^\n"
    menu_b = "[Home](/a) | [About](/b) | [Privacy](/c) | [Donate](/d)\n\n" + POLICY + "\n\n[top]\n"
    assert classify_change(menu_a, menu_b) == "cosmetic"
    assert classify_change("Home >> Privacy Policy\n\n" + POLICY, POLICY) == "cosmetic"


def test_link_in_sentence_is_not_navigation():
    a = "You can opt out at [NAI](http://a) or [DAA](http://b)."
    b = "You can opt out at [NAI](http://a)."
    assert classify_change(a, b) == "changed"


def test_mojibake_of_quotes_is_cosmetic():
    good = "We use a tool called \u201cGoogle Analytics\u201d. Google\u2019s terms apply."
    bad = good.encode("utf-8").decode("latin-1")
    assert bad != good
    assert classify_change(good, bad) == "cosmetic"
    cp = good.encode("utf-8").decode("cp1252", errors="replace")
    assert classify_change(good, cp) in ("cosmetic", "changed")  # never crashes


def test_one_word_change_in_long_policy_is_changed():
    old = long_policy()
    new = old.replace("clause 200 applies", "clause 200 never applies")
    assert classify_change(old, new) == "changed"


def test_real_wording_change():
    assert classify_change(POLICY, POLICY.replace("do not sell", "may sell")) == "changed"
    assert classify_change(POLICY, "") == "changed"
    assert classify_change("", POLICY) == "changed"


def test_normalize_examples():
    assert normalize_for_comparison("  **Hello**  \u201cWorld\u201d\n\n") == 'hello "world"'
    assert normalize_for_comparison("[text](http://x.example/y)") == "text"
    assert normalize_for_comparison("# Title\n\nBody \\* star") == "title body * star"
    assert normalize_for_comparison("") == ""


# ------------------------------------------------------------------ announcement

D1, D2 = date(2018, 5, 25), date(2019, 1, 1)


@pytest.mark.parametrize(
    "change, prev, cur, expected",
    [
        ("changed", D1, D2, "announced"),
        ("changed", None, D2, "announced"),
        ("changed", D2, D1, "announced"),  # moved backwards: still moved
        ("changed", D1, D1, "silent"),
        ("changed", None, None, "undated"),
        ("changed", D1, None, "undated"),
        ("first", None, D1, None),
        ("recapture", D1, D2, None),
        ("cosmetic", D1, D1, None),
    ],
)
def test_announcement(change, prev, cur, expected):
    assert announcement(change, prev, cur) == expected


# ------------------------------------------------------------------ version_history


def test_version_history_links_and_counts():
    v1 = POLICY
    v2 = POLICY.replace("\n", "\r\n")  # recapture
    v3 = POLICY.replace("© 2012", "© 2013")  # cosmetic
    v4 = v3.replace("We do not sell", "We never sell")  # changed, same stated date
    v5 = v4.replace("service\nproviders", "carefully chosen service\nproviders")  # changed, new date
    hist = version_history(
        [("2012-01-01", v1, D1), ("2012-06-01", v2, D1), ("2013-01-01", v3, D1), ("2014-01-01", v4, D1), ("2015-01-01", v5, D2)]
    )
    assert [h.change for h in hist] == ["first", "recapture", "cosmetic", "changed", "changed"]
    assert [h.announcement for h in hist] == [None, None, None, "silent", "announced"]
    assert hist[0].previous_slug is None and hist[0].next_slug == "2012-06-01"
    assert hist[-1].next_slug is None and hist[-1].previous_slug == "2014-01-01"
    assert hist[0].words_added == hist[0].words and hist[0].words_removed == 0
    assert (hist[1].words_added, hist[1].words_removed) == (0, 0)
    assert (hist[3].words_added, hist[3].words_removed) == (1, 2)  # "do not" -> "never"
    assert (hist[4].words_added, hist[4].words_removed) == (2, 0)
    assert all(isinstance(h, VersionInfo) for h in hist)
    with pytest.raises(AttributeError):
        hist[0].slug = "x"  # frozen


def test_version_history_empty():
    assert version_history([]) == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_classify_self_is_recapture(text):
    assert classify_change(text, text) == "recapture"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_never_crashes(a, b):
    assert classify_change(a, b) in ("recapture", "cosmetic", "changed")
    assert isinstance(normalize_for_comparison(a), str)
    hist = version_history([("a", a, None), ("b", b, D1)])
    assert [h.slug for h in hist] == ["a", "b"]


# ------------------------------------------------------------------ real corpus


def _body(path: Path) -> str:
    return parse_snapshot(path.read_bytes(), path.as_posix()).body


def _order(path: Path):
    m = re.match(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?$", path.stem)
    return (m.group(1), int(m.group(2) or 1))


needs_citp = pytest.mark.skipif(
    not (CITP / "MANIFEST.tsv").is_file(),
    reason=f"real corpus not present at {CITP} (shared test data; tests on synthetic text still run)",
)


def _manifest():
    rows = (CITP / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split("\t")
    return [dict(zip(header, r.split("\t"))) for r in rows[1:] if r.strip()]


def _consecutive_pairs():
    by_domain: dict[str, list[Path]] = {}
    for row in _manifest():
        by_domain.setdefault(row["domain"], []).append(CITP / row["path"])
    for domain, paths in sorted(by_domain.items()):
        paths.sort(key=_order)
        for a, b in zip(paths, paths[1:]):
            yield domain, a, b


def _identical_groups():
    """(domain, date) -> group id, from the MANIFEST notes' 'identical to YYYY-MM-DD' links."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for row in _manifest():
        if "header-only" not in row["notes"]:
            continue
        for other in re.findall(r"identical to (\d{4}-\d{2}-\d{2})", row["notes"]):
            parent[find((row["domain"], row["archived_date"]))] = find((row["domain"], other))
    return find


@needs_citp
def test_citp_header_only_pairs_are_recaptures():
    find = _identical_groups()
    marked = [
        (domain, a, b)
        for domain, a, b in _consecutive_pairs()
        if find((domain, a.stem)) == find((domain, b.stem))
    ]
    assert len(marked) == 15, [f"{d} {a.stem}->{b.stem}" for d, a, b in marked]
    for domain, a, b in marked:
        assert classify_change(_body(a), _body(b)) == "recapture", f"{domain} {a.stem}->{b.stem}"
    # and no other consecutive pair is a recapture
    others = [
        f"{d} {b.stem}"
        for d, a, b in _consecutive_pairs()
        if (d, a, b) not in marked and classify_change(_body(a), _body(b)) == "recapture"
    ]
    # 0calc.com 2013-11-21 is the 2012 text with mojibake quotes; the reader repairs them, so it is a recapture.
    assert others == ["0calc.com 2013-11-21"]


@needs_citp
def test_citp_counts_per_class():
    counts: dict[str, int] = {}
    by_domain: dict[str, list[Path]] = {}
    for row in _manifest():
        by_domain.setdefault(row["domain"], []).append(CITP / row["path"])
    for paths in by_domain.values():
        paths.sort(key=_order)
        hist = version_history([(p.stem, _body(p), None) for p in paths])
        for h in hist:
            counts[h.change] = counts.get(h.change, 0) + 1
    assert counts["first"] == 62
    assert counts["recapture"] == 16  # the 15 header-only pairs and 0calc.com (mojibake repaired by the reader)
    assert counts.get("cosmetic", 0) >= 2  # 01webdirectory (Wayback timestamps), bailii (footer menu)
    assert sum(counts.values()) == 120


@needs_citp
@pytest.mark.parametrize(
    "domain, old, new, expected",
    [
        ("01webdirectory.com", "2010-06-15", "2010-11-21", "cosmetic"),  # Wayback timestamps only
        ("0calc.com", "2012-12-31", "2013-11-21", "recapture"),  # mojibake quotes, repaired by the reader
        ("bailii.org", "2002-06-02", "2005-12-10", "cosmetic"),  # 'Donate' added to footer menu
        ("bairdwarner.com", "2015-12-08", "2018-10-03", "changed"),  # typo fix 'service.bWe'
        ("duckduckgo.com", "2011-10-08", "2012-10-23", "changed"),  # documented small edits
        ("npmjs.com", "2016-04-16", "2016-11-24", "changed"),  # requestor -> requester
        ("bain.com", "2017-12-31", "2018-06-30", "changed"),  # GDPR rewrite
    ],
)
def test_citp_known_pairs(domain, old, new, expected):
    folder = CITP / "snapshots" / domain
    assert classify_change(_body(folder / f"{old}.md"), _body(folder / f"{new}.md")) == expected
