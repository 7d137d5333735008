"""generator.analyse.passages: heading styles, line ranges, ids, robustness."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analyse.passages import MAX_WORDS, plain_text, slugify, split_passages

from ..support import require_shared

ID_RE = re.compile(r"^p-[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_invariants(body: str, first_line: int, passages) -> None:
    """Coverage of every non-blank line, order, no overlap, exact markdown, valid ids."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    covered = set()
    prev_end = first_line - 1
    ids = set()
    for p in passages:
        assert p.line_start <= p.line_end
        assert p.line_start > prev_end, "passages overlap or are out of order"
        prev_end = p.line_end
        assert p.markdown == "\n".join(lines[p.line_start - first_line: p.line_end - first_line + 1])
        covered.update(range(p.line_start, p.line_end + 1))
        assert ID_RE.match(p.id), p.id
        assert len(p.id) <= 80
        assert p.id not in ids
        ids.add(p.id)
        assert isinstance(p.heading_path, tuple)
        assert p.topics == ()
    for i, line in enumerate(lines):
        if line.strip():
            assert first_line + i in covered, f"line {first_line + i} dropped: {line!r}"


def split(body: str, first_line: int = 1):
    ps = split_passages(body, first_line)
    check_invariants(body, first_line, ps)
    return ps


def paths(ps):
    return [p.heading_path for p in ps]


# --------------------------------------------------------------------------- heading styles

def test_atx_headings_nest_and_line_ranges():
    body = ("Intro text about the policy.\n\n## Information We Collect\n\nWe collect your name.\n\n"
            "### Cookies\n\nWe use cookies.\n\n## Security\n\nWe protect data.\n")
    ps = split(body, first_line=5)
    assert paths(ps) == [(), ("Information We Collect",), ("Information We Collect", "Cookies"), ("Security",)]
    assert [p.id for p in ps] == ["p-intro", "p-information-we-collect", "p-cookies", "p-security"]
    assert (ps[1].line_start, ps[1].line_end) == (7, 9)
    assert ps[1].markdown == "## Information We Collect\n\nWe collect your name."
    assert ps[1].text == "Information We Collect We collect your name."
    assert (ps[3].line_start, ps[3].line_end) == (15, 17)


def test_setext_headings():
    body = "Privacy Statement\n=================\n\nHello.\n\nData we collect\n---------------\n\nNames.\n"
    ps = split(body)
    assert paths(ps) == [("Privacy Statement",), ("Privacy Statement", "Data we collect")]
    assert ps[1].text == "Data we collect Names."
    assert (ps[1].line_start, ps[1].line_end) == (6, 9)


def test_hr_is_not_a_heading():
    ps = split("Some text here.\n\n---\n\nMore text.\n")
    assert len(ps) == 1 and ps[0].heading_path == ()


def test_bold_line_heading():
    ps = split("**Security**\n\nWe use SSL encryption to protect your data in transit.\n\n"
               "**Cookies:**\n\nWe use cookies to remember you between visits.\n")
    assert paths(ps) == [("Security",), ("Cookies",)]


def test_bold_question_heading():
    ps = split("**Do we disclose any information to outside parties?**\n\n"
               "We do not sell, trade, or otherwise transfer your information.\n")
    assert paths(ps) == [("Do we disclose any information to outside parties?",)]


def test_bold_sentence_is_not_a_heading():
    ps = split("Intro paragraph here.\n\n**This file was last modified on April 30, 2015 by our staff.**\n\n"
               "More text follows here.\n")
    assert all(p.heading_path == () for p in ps)


def test_bold_lead_in_starts_a_passage():
    body = ("We respect your privacy.\n\n**Kid's policy (individuals under 13 years of age).** GUESS.com is "
            "not intended for children.\n\n**Security.** We protect your data.\n")
    ps = split(body)
    assert paths(ps) == [(), ("Kid's policy (individuals under 13 years of age)",), ("Security",)]
    assert ps[1].markdown.startswith("**Kid's policy")


def test_bold_lead_in_inside_numbered_item():
    ps = split("  1. **Introduction.** Dotster collects information in different ways.\n\n"
               "  2. **Registration and Account Information.** Users are asked to register.\n")
    assert paths(ps) == [("Introduction",), ("Registration and Account Information",)]


def test_all_caps_heading_and_hard_break():
    body = ("PERSONAL INFORMATION\n\nWe collect your name and address when you order.\n\n"
            "CONTACT US  \nWrite to us at the address below.\n")
    ps = split(body)
    assert paths(ps) == [("PERSONAL INFORMATION",), ("CONTACT US",)]


def test_numbered_and_escaped_numbered_headings():
    body = ("1. Information we collect\n\nWe collect names and email addresses from users.\n\n"
            "2\\. How we use information\n\nWe use it to provide the service to you.\n")
    ps = split(body)
    assert paths(ps) == [("Information we collect",), ("How we use information",)]


def test_numbered_list_items_are_not_headings():
    body = ("We collect:\n\n1. The date and time you access our site\n\n"
            "2. The HTTP header of your requests\n\n3. Your IP address\n")
    ps = split(body)
    assert len(ps) == 1 and ps[0].heading_path == ()


def test_table_of_contents_is_one_passage():
    body = ("- [Information we collect](#collect)\n- [How we use it](#use)\n- [Sharing](#share)\n\n"
            "## Information we collect\n\nWe collect your name.\n\n## Sharing\n\nWe do not share it.\n")
    ps = split(body)
    assert paths(ps) == [(), ("Information we collect",), ("Sharing",)]
    assert ps[0].line_end == 3


def test_table_of_contents_with_blank_lines():
    body = ("1. Information we collect\n\n2. How we use it\n\n3. Sharing\n\n"
            "## Information we collect\n\nWe collect your name.\n")
    ps = split(body)
    assert ps[0].heading_path == ()
    assert ps[0].line_end == 5
    assert ps[-1].heading_path == ("Information we collect",)


def test_plain_short_title_line_before_paragraph():
    body = ("Use of Cookies\n\nSci-News.com uses cookie technology to recognise returning visitors.\n\n"
            "Contact Us\n\nIf you have any inquiries about this policy, write to us.\n")
    ps = split(body)
    assert paths(ps) == [("Use of Cookies",), ("Contact Us",)]


def test_plain_lines_that_are_not_titles():
    body = ("You can prevent the installation of such a cookie\n\nby changing the browser settings.\n\n"
            "Last updated July 24, 2014\n\nThis policy explains what we do with your data.\n\n"
            "We collect the following:\n\n- name\n- email\n")
    assert all(p.heading_path == () for p in split(body))


def test_heading_only_sections_merge_forward():
    ps = split("# Privacy Policy\n\n## Overview\n\nHello there.\n")
    assert len(ps) == 1
    assert ps[0].heading_path == ("Privacy Policy", "Overview")
    assert ps[0].line_start == 1


def test_trailing_heading_is_kept():
    ps = split("Text.\n\n## Orphan heading\n")
    assert ps[-1].heading_path == ("Orphan heading",)
    assert ps[-1].markdown == "## Orphan heading"


def test_fenced_code_is_not_split():
    ps = split("## Logs\n\n```\n# not a heading\nSECURITY\n```\n\nafter\n")
    assert paths(ps) == [("Logs",)]


# --------------------------------------------------------------------------- long sections, ids

def test_long_section_splits_into_paragraphs_with_same_heading():
    para = " ".join(["word"] * 120)
    body = "## Information We Gather\n\n" + "\n\n".join([para] * 5) + "\n"
    ps = split(body)
    assert len(ps) >= 3
    assert all(p.heading_path == ("Information We Gather",) for p in ps)
    assert [p.id for p in ps][:3] == ["p-information-we-gather", "p-information-we-gather-2",
                                      "p-information-we-gather-3"]
    assert all(len(p.text.split()) <= MAX_WORDS + 10 for p in ps)


def test_ids_unique_for_repeated_headings_and_suffix_collisions():
    body = "## A\n\nx\n\n## A\n\ny\n\n## A 2\n\nz\n"
    ids = [p.id for p in split(body)]
    assert len(set(ids)) == 3
    assert ids[:2] == ["p-a", "p-a-2"]


def test_ids_stable_across_rebuilds_and_line_offsets():
    body = "## Security\n\nWe protect it.\n\n## Cookies\n\nYes.\n"
    a = split_passages(body, 1)
    b = split_passages(body, 40)
    assert [p.id for p in a] == [p.id for p in b]
    assert [p.line_start + 39 for p in a] == [p.line_start for p in b]


def test_id_non_ascii_and_length_bounded():
    ps = split("## Política de privacidad — Données personnelles " + "très longue " * 20 + "\n\ntext\n")
    assert ps[0].id.startswith("p-politica-de-privacidad-donnees-personnelles")
    assert len(ps[0].id) <= 62
    ps = split("## ★★★\n\ntext\n")
    assert ps[0].id == "p-section"


def test_slugify():
    assert slugify("Information We Gather!") == "information-we-gather"
    assert slugify("   ") == ""
    assert len(slugify("x" * 500)) <= 60


def test_plain_text_strips_markdown():
    md = "> **Bold** and _it_ [link](http://x.y/z \"t\") `code` <b>tag</b> 1\\. | cell |\n- item"
    assert plain_text(md) == "Bold and it link code tag 1. cell item"


def test_plain_text_marks_and_white_space():
    # "~~" pairs and every "*" and "`" go, scanned in the original text ("~*~" leaves "~~");
    # any run of Unicode white space is one space
    assert plain_text("~~old~~ **bold** `code` ~*~ ~~~ a\u00a0\u2003b\n\n c\x1c") == "old bold code ~~ ~ a b c"


def test_empty_and_blank_bodies():
    assert split_passages("", 3) == []
    assert split_passages("\n  \n\t\n", 3) == []


def test_crlf_input():
    ps = split("## A\r\n\r\nText.\r\n")
    assert ps[0].heading_path == ("A",)


# --------------------------------------------------------------------------- robustness

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab #*_-=>\n\\.1:?[]()|`~ÉA\t")), max_size=400),
       st.integers(min_value=1, max_value=10_000))
def test_property_markdownish_text(body, first_line):
    split(body, first_line)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_property_any_text(body):
    split(body, 1)


def test_huge_single_line_and_deep_quotes():
    big = "[" * 200_000 + "](" * 200_000 + "**a " * 200_000 + "x" * 3_000_000
    ps = split_passages(big, 1)
    assert len(ps) == 1 and ps[0].line_start == ps[0].line_end == 1
    deep = ">" * 10_000 + " text\n" + "> " * 10_000 + "# heading\n"
    ps = split(deep)
    assert ps


def test_many_identical_headings_get_unique_ids():
    ps = split("## Same\n\ntext\n\n" * 5000)
    assert len({p.id for p in ps}) == 5000
    assert ps[-1].id == "p-same-5000"


def test_many_lines():
    body = "\n\n".join(f"## Heading {i}\n\nParagraph {i} text." for i in range(3000))
    ps = split(body)
    assert len(ps) == 3000


# --------------------------------------------------------------------------- real corpus

def _corpus_files():
    files = []
    for sub in ("corpus/citp-sample/snapshots", "corpus/ota-sample/snapshots"):
        root = Path(__file__).resolve().parents[3] / "shared" / sub
        files += sorted(root.glob("*/*.md"))
    return files


def test_real_corpus_invariants():
    require_shared("corpus", "citp-sample")
    from generator.read.snapshots import parse_snapshot

    n = 0
    for path in _corpus_files():
        data = path.read_bytes()
        try:
            snap = parse_snapshot(data, str(path))
        except Exception as e:  # the reader's own tests cover malformed files
            print(f"skip {path}: {e}", file=sys.stderr)
            continue
        ps = split_passages(snap.body, snap.body_line)
        check_invariants(snap.body, snap.body_line, ps)
        n += 1
    assert n > 100


def test_real_corpus_finds_headings():
    root = require_shared("corpus", "citp-sample", "snapshots")
    from generator.read.snapshots import parse_snapshot

    path = root / "000domains.com" / "2013-12-17.md"
    if not path.exists():
        pytest.skip(f"{path} not in this corpus version")
    snap = parse_snapshot(path.read_bytes(), str(path))
    heads = {p.heading_path[-1] for p in split_passages(snap.body, snap.body_line) if p.heading_path}
    assert {"Registration and Account Information", "Online Advertisements", "Unsubscribe"} <= heads
