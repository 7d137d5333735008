"""Tests for generator.analyse.diff: word_diff, section_changes, render_diff_html."""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from generator.analyse.diff import (  # noqa: E402
    DiffResult,
    plain_paragraphs,
    render_diff_html,
    section_changes,
    word_diff,
    words_of,
)

OTA = Path("/work/shared/corpus/ota-sample")


def long_policy(n: int = 3000, words_per_para: int = 20) -> str:
    """~60k words by default: numbered, distinct paragraphs."""
    return "\n\n".join(
        f"Section {i} states that " + " ".join(f"term{i}x{k}" for k in range(words_per_para - 4))
        for i in range(n)
    )


def changes(result: DiffResult) -> list[tuple[str, str, str]]:
    return [(op.tag, " ".join(op.old), " ".join(op.new)) for op in result.ops if op.tag != "equal"]


# ------------------------------------------------------------------ plain text


def test_plain_paragraphs_drop_markup_keep_text():
    body = "# Title\n\nWe **collect** [data](http://x.example/a \"t\") and ![logo](i.png) \\*stars\\*.\n\n* item one\n* item two\n\n| a | b |\n|---|---|\n| c | d |"
    assert plain_paragraphs(body) == [
        "Title",
        "We collect data and logo *stars*.",
        "item one",
        "item two",
        "a b",
        "c d",
    ]


# ------------------------------------------------------------------ word_diff


def test_identical_texts_have_no_changes():
    text = long_policy(50)
    r = word_diff(text, text)
    assert not r.changed
    assert (r.words_added, r.words_removed, r.paragraphs_changed) == (0, 0, 0)


def test_one_word_change_in_long_policy_gives_small_diff():
    old = long_policy()  # ~60k words
    new = old.replace("Section 1500 states that", "Section 1500 says that")
    t0 = time.perf_counter()
    r = word_diff(old, new)
    elapsed = time.perf_counter() - t0
    assert changes(r) == [("replace", "states", "says")]
    assert (r.words_added, r.words_removed) == (1, 1)
    assert (r.paragraphs_added, r.paragraphs_removed, r.paragraphs_changed) == (0, 0, 1)
    out = render_diff_html(r)
    visible = re.sub(r"<details.*?</details>", "", out, flags=re.S)
    assert len(visible) < 5_000  # collapsed: not the whole 60k-word policy up front...
    assert out.count('<details class="diff-skip"') == 2  # ...but before and after, expandable
    assert len(render_diff_html(r, expandable=False)) < 5_000
    assert elapsed < 30  # generous: only guards against quadratic blow-ups


def test_reordered_paragraphs_are_moves_not_word_changes():
    paras = [f"Paragraph number {i} talks about topic {i} in some detail." for i in range(6)]
    old = "\n\n".join(paras)
    new = "\n\n".join(paras[3:] + paras[:3])
    r = word_diff(old, new)
    assert r.paragraphs_moved == 3
    assert (r.words_added, r.words_removed) == (0, 0)
    assert all(b.moved for b in r.blocks if b.tag != "equal")
    assert r.new_words() == words_of(new)


def test_reordered_long_policy_is_fast():
    old = long_policy(2000)
    paras = old.split("\n\n")
    new = "\n\n".join(paras[1000:] + paras[:1000])
    t0 = time.perf_counter()
    r = word_diff(old, new)
    assert time.perf_counter() - t0 < 30
    assert (r.words_added, r.words_removed) == (0, 0)
    assert r.new_words() == words_of(new) and r.old_words() == words_of(old)


def test_empty_previous_version():
    r = word_diff("", "We collect data.\n\nWe share data.")
    assert [b.tag for b in r.blocks] == ["insert", "insert"]
    assert (r.words_added, r.words_removed, r.paragraphs_added) == (6, 0, 2)
    r2 = word_diff(None, "Text")
    assert r2.words_added == 1
    r3 = word_diff("Gone now.", "")
    assert (r3.words_removed, r3.paragraphs_removed) == (2, 1)


def test_completely_different_texts():
    old = "\n\n".join(f"alpha{i} beta{i} gamma{i} delta{i}" for i in range(200))
    new = "\n\n".join(f"omega{i} psi{i} chi{i}" for i in range(150))
    r = word_diff(old, new)
    assert r.words_removed == 800 and r.words_added == 450
    assert r.new_words() == words_of(new) and r.old_words() == words_of(old)


def test_completely_different_long_texts_fast():
    old = long_policy(2500)
    new = "\n\n".join(f"Clause {i} " + " ".join(f"other{i}y{k}" for k in range(20)) for i in range(2500))
    t0 = time.perf_counter()
    r = word_diff(old, new)
    assert time.perf_counter() - t0 < 60
    assert r.new_words() == words_of(new) and r.old_words() == words_of(old)
    assert r.words_added == len(words_of(new)) - sum(
        len(op.new) for op in r.ops if op.tag == "equal"
    )


def test_every_paragraph_reworded_long_policy():
    old = long_policy(2500)
    new = old.replace("states that", "provides that")  # every paragraph changes
    t0 = time.perf_counter()
    r = word_diff(old, new)
    assert time.perf_counter() - t0 < 60
    assert r.paragraphs_changed == 2500
    assert (r.words_added, r.words_removed) == (2500, 2500)


def test_cosmetic_variants_align_as_equal():
    r = word_diff("We don't sell data -- ever.", "We DON\u2019T sell data \u2014 ever.")
    # case/quote variants are equal; "--" vs "—" are different tokens but equal keys
    assert not r.changed
    assert r.new_words() == ["We", "DON\u2019T", "sell", "data", "\u2014", "ever."]


def test_split_paragraph():
    old = "One two three four. Five six seven eight."
    new = "One two three four.\n\nFive six seven eight."
    r = word_diff(old, new)
    assert (r.words_added, r.words_removed) == (0, 0)
    assert r.new_words() == words_of(new)


def test_html_and_script_text_is_escaped():
    old = "Hello world."
    new = 'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> world & "friends".'
    out = render_diff_html(word_diff(old, new))
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out and "&quot;friends&quot;" in out
    # the only tags are ours
    assert set(re.findall(r"</?([a-zA-Z]+)", out)) <= {"div", "ins", "del", "span", "p", "details", "summary"}


def test_render_marks_and_signs():
    r = word_diff("We keep data for 30 days.", "We keep data for 90 days.")
    out = render_diff_html(r)
    assert '<del class="diff-del"><span class="diff-sign">\u2212</span>30</del>' in out
    assert '<ins class="diff-ins"><span class="diff-sign">+</span>90</ins>' in out
    assert "diff-skip" not in out  # short text: nothing collapsed


def test_render_collapses_unchanged_with_count_and_keeps_paragraphs():
    old = "\n\n".join(f"Para {i} " + "word " * 50 for i in range(10))
    new = old.replace("Para 5 ", "Para 5 changed ")
    r = word_diff(old, new, context_words=10)
    out = render_diff_html(r)
    skips = re.findall(r"\u2026 ([\d,]+) unchanged words \u2026", out)
    assert len(skips) == 2
    total_words = len(words_of(new))
    assert sum(int(s.replace(",", "")) for s in skips) == total_words - 1 - 20  # 1 inserted, 2x10 context
    assert "<details" in out and "<summary>" in out
    assert out.count('class="diff-para') >= 2
    # hidden text is still present (expandable), escaped, in paragraphs
    assert html.unescape(re.sub(r"<[^>]+>", " ", out)).split().count("Para") == 10


def test_render_no_changes():
    out = render_diff_html(word_diff("Same text here.", "Same text here."))
    assert "No changes" in out


# ------------------------------------------------------------------ properties

words = st.sampled_from(["we", "We", "collect", "data", "share", "cookies", "\u201cyou\u201d", "<b>", "&", "a", "the"])
para = st.lists(words, min_size=0, max_size=12).map(" ".join)
doc = st.lists(para, min_size=0, max_size=8).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(doc, doc)
def test_ops_reconstruct_both_sides(a, b):
    r = word_diff(a, b)
    assert r.new_words() == words_of(b)
    assert r.old_words() == words_of(a)
    assert r.words_added <= len(words_of(b)) and r.words_removed <= len(words_of(a))
    render_diff_html(r)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=400), st.integers(min_value=0, max_value=40))
def test_never_crashes_on_any_text(a, b, ctx):
    r = word_diff(a, b, context_words=ctx)
    assert r.new_words() == words_of(b)
    assert r.old_words() == words_of(a)
    out = render_diff_html(r)
    assert "<script" not in out.lower() or "&lt;script" in out.lower()


def _shown_words(html_text: str) -> list[str]:
    """The words a reader can see or unfold, in order (markers, signs and labels left out)."""
    text = re.sub(r"<summary>.*?</summary>|<span class=\"diff-(?:sign|label)\">.*?</span>|<p class=\"diff-none\">.*?</p>",
                  " ", html_text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).split()


@settings(max_examples=300, deadline=None)
@given(doc, doc, st.integers(min_value=0, max_value=12))
def test_render_shows_every_word_in_order_and_folds_only_long_unchanged_stretches(a, b, ctx):
    r = word_diff(a, b, context_words=ctx)
    stream = [w for op in r.ops for w in (op.new if op.tag == "equal" else (*op.old, *op.new))]
    out = render_diff_html(r)
    assert _shown_words(out) == stream
    folded = [int(n.replace(",", "")) for n in re.findall(r"\u2026 ([0-9,]+) unchanged words", out)]
    assert all(n >= 8 for n in folded)
    assert sum(folded) == sum(int(n.replace(",", "")) for n in re.findall(
        r"\u2026 ([0-9,]+) unchanged words", render_diff_html(r, expandable=False)))
    if r.changed and len(stream) <= ctx:  # every unchanged word is within the context of a change
        assert folded == []


@settings(max_examples=100, deadline=None)
@given(doc)
def test_self_diff_is_empty(a):
    r = word_diff(a, a)
    assert not r.changed and r.words_added == r.words_removed == 0


# ------------------------------------------------------------------ sections


def test_section_changes():
    old = [
        (("Privacy Policy",), "Intro text."),
        (("Privacy Policy", "1. Data we collect"), "Name and email."),
        (("Privacy Policy", "2. Cookies"), "We use cookies."),
        (("Privacy Policy", "3. Children"), "We do not target children."),
        (("Privacy Policy", "Contact"), "Write to us."),
    ]
    new = [
        (("Privacy Policy",), "Intro text."),
        (("Privacy Policy", "1. Data We Collect"), "Name, email and location."),  # case + text change
        (("Privacy Policy", "3. Cookies"), "We use cookies."),  # renumbered only
        (("Privacy Policy", "4. Your rights"), "You may ask for a copy."),  # added
        (("Privacy Policy", "Get in touch"), "Write to us."),  # renamed
    ]
    sc = section_changes(old, new)
    assert [c.heading_path[-1] for c in sc.changed] == ["1. Data We Collect"]
    assert sc.changed[0].words_added >= 1
    assert [c.heading_path[-1] for c in sc.added] == ["4. Your rights"]
    assert [c.heading_path[-1] for c in sc.removed] == ["3. Children"]
    assert [(c.old_heading_path[-1], c.heading_path[-1]) for c in sc.renamed] == [("Contact", "Get in touch")]
    assert sc.unchanged == 2
    assert sc.any
    assert not section_changes(old, old).any
    assert section_changes([], new).added and section_changes(old, []).removed


# ------------------------------------------------------------------ real corpus


@pytest.mark.skipif(not OTA.is_dir(), reason=f"real corpus not present at {OTA} (shared test data)")
def test_ota_pair_reconstructs_and_renders():
    folder = OTA / "snapshots" / "wikipedia.org"
    files = sorted(folder.glob("*.md"))[:2]

    def body(p: Path) -> str:
        return p.read_text(encoding="utf-8").split("\n", 3)[3]

    a, b = (body(f) for f in files)
    r = word_diff(a, b)
    assert r.new_words() == words_of(b) and r.old_words() == words_of(a)
    assert r.words_added + r.words_removed < 0.01 * len(words_of(b))
    assert len(render_diff_html(r, expandable=False)) < len(b) / 10
    assert len(render_diff_html(r)) < len(b) * 1.5


def test_rewritten_sentence_is_not_confetti():
    old = "We may collect your name and the email address you give us when you register for an account."
    new = "Registration requires an email, and the partners we work with may process it for the purposes listed below."
    r = word_diff(old, new)
    ops = r.ops
    # no short shared word ("the", "and") left standing between two longer changes
    for prev, op, nxt in zip(ops, ops[1:], ops[2:]):
        if op.tag == "equal" and prev.tag != "equal" and nxt.tag != "equal":
            size = len(op.new)
            assert size > max(len(prev.old), len(prev.new)) or size > max(len(nxt.old), len(nxt.new))
    assert len(ops) <= 3
    assert r.new_words() == words_of(new) and r.old_words() == words_of(old)


def test_moved_paragraph_is_labelled_in_html():
    paras = [f"Paragraph {i} is about subject {i} and nothing else at all." for i in range(4)]
    r = word_diff("\n\n".join(paras), "\n\n".join(paras[1:] + paras[:1]), context_words=50)
    out = render_diff_html(r)
    assert "diff-moved" in out and "(moved away)" in out and "(moved here)" in out
