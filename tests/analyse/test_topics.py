"""generator.analyse.topics: taxonomy loading, explainable tagging, JSONL interface."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.analyse import topics as topics_module
from generator.model import Passage, Topic, TopicAssignment
from generator.analyse.topics import (
    CATEGORIES,
    DEFAULT_TAXONOMY,
    categories_of,
    compile_cue,
    load_taxonomy,
    main_tag,
    tag_jsonl,
    tag_passage,
    tag_passages,
)

from ..support import REPO, require_shared


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy(DEFAULT_TAXONOMY)


def topics_of(text, tax, heading=()):
    return [a.topic for a in tag_passage(text, heading, tax)]


def cats(text, tax, heading=()):
    return categories_of(tag_passage(text, heading, tax), tax)


# --------------------------------------------------------------------------- taxonomy

def test_taxonomy_shape(tax):
    assert 15 <= len(tax) <= 22
    assert all(isinstance(t, Topic) for t in tax)
    ids = [t.id for t in tax]
    assert len(set(ids)) == len(ids)
    for t in tax:
        assert t.category in CATEGORIES
        assert t.title and len(t.description) > 60
    # every OPP-115 category is reachable
    assert {t.category for t in tax} == set(CATEGORIES)


def test_taxonomy_rejects_bad_input(tmp_path):
    bad = tmp_path / "t.yml"
    bad.write_text("topics:\n  - id: Bad Id\n    title: x\n    category: Other\n", encoding="utf-8")
    with pytest.raises(ValueError, match="slug"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: ok\n    category: Nonsense\n", encoding="utf-8")
    with pytest.raises(ValueError, match="category"):
        load_taxonomy(bad)
    bad.write_text("topics:\n  - id: ok\n    category: Other\n  - id: ok\n    category: Other\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate"):
        load_taxonomy(bad)


def test_cue_syntax():
    toks = "we may share your data with our partners".split()
    assert compile_cue("share ... with", 1).match_at(toks, 2) == 6
    assert compile_cue("share ... with", 1).match_at(toks, 0) == -1
    assert compile_cue("partner*", 1).match_at(toks, 7) == 8
    assert compile_cue("we may", 1).match_at(toks, 0) == 2
    with pytest.raises(ValueError):
        compile_cue("...", 1)


def test_clause_wide_gap():
    toks = "our third party advertiser may place or recognize a unique cookie on your browser".split()
    # plain "..." skips at most 3 words; "...N" at most N (a clause-wide window)
    assert compile_cue("advertiser* ... cookie*", 1).match_at(toks, 3) == -1
    assert compile_cue("advertiser* ...6 cookie*", 1).match_at(toks, 3) == 11
    assert compile_cue("advertiser* ...5 cookie*", 1).match_at(toks, 3) == -1
    assert compile_cue("third ...2 advertiser*", 1).match_at(toks, 1) == 4
    # a gap is never leading or trailing
    assert compile_cue("...6 cookie ...6", 1).parts == (("cookie", False),)
    with pytest.raises(ValueError):
        compile_cue("...6", 1)


# --------------------------------------------------------------------------- one case per topic

CASES = [
    ("information-collected", "We collect your name, email address and IP address when you register."),
    ("how-information-is-used", "We use this information to provide our services and to improve the site."),
    ("cookies-and-tracking", "Our site uses cookies and web beacons to recognise your browser."),
    ("sharing-with-third-parties", "We may share your personal information with third parties such as "
                                   "service providers who work on our behalf."),
    ("advertising-and-analytics", "We work with third-party advertising networks and use Google Analytics "
                                  "to serve interest-based ads."),
    ("legal-disclosure", "We may disclose information when required by law, for example in response to a "
                         "subpoena or court order from law enforcement."),
    ("business-transfers", "If we are involved in a merger, acquisition or bankruptcy, your information may "
                           "be transferred to the successor."),
    ("your-choices", "You may opt out of receiving promotional emails by clicking the unsubscribe link."),
    ("access-correction-deletion", "You can review, update or correct your personal information and ask us "
                                   "to delete your account at any time."),
    ("data-retention", "We retain your personal data only as long as necessary for the purposes described "
                       "and then destroy it."),
    ("security", "We use SSL encryption and firewalls to safeguard your information from unauthorized access."),
    ("policy-changes", "We may change this privacy policy from time to time; material changes will be posted "
                       "on this page with a new effective date."),
    ("do-not-track", "Our site does not respond to Do Not Track signals sent by your browser."),
    ("children", "Our service is not directed to children under 13 and we do not knowingly collect "
                 "information from them; parents may contact us."),
    ("international-transfers", "Your information may be transferred to and processed in other countries, "
                                "including outside the European Economic Area, under standard contractual "
                                "clauses."),
    ("regional-privacy-rights", "California residents may request information under California Civil Code "
                                "Section 1798.83 (Shine the Light)."),
    ("about-this-policy", "This privacy policy applies to all websites operated by Example Inc. We respect "
                          "your privacy and are committed to protecting it."),
    ("contact", "If you have questions or concerns about this policy, please contact us at "
                "privacy@example.com or write to us."),
    ("links-to-other-sites", "Our site contains links to other websites. We are not responsible for the "
                             "privacy practices of those other sites."),
]


@pytest.mark.parametrize("topic,text", CASES, ids=[c[0] for c in CASES])
def test_topic_cases(tax, topic, text):
    assert topic in topics_of(text, tax)


def test_cases_cover_every_topic(tax):
    assert {c[0] for c in CASES} == {t.id for t in tax}


def test_heading_context(tax):
    text = "We use industry-standard measures and limit employee access to what they need to know."
    assert "security" in topics_of(text, tax, heading=("Privacy Policy", "Security"))
    assert "cookies-and-tracking" in topics_of(
        "They can be disabled at any time in your browser.", tax, heading=("Cookies",))


def test_negatives(tax):
    # recipe cookies mention no tracking vocabulary beyond the word itself: no data-sharing topics
    recipe = "Bake the chocolate chip cookies for twelve minutes and let them cool on a rack."
    assert not {"sharing-with-third-parties", "security", "your-choices"} & set(topics_of(recipe, tax))
    # "protect" in an unrelated sense alone is not a security statement
    assert "security" not in topics_of("Our newsletter covers how birds protect their nests in spring.", tax)
    # a lone heading or date is too short to state a practice
    assert topics_of("Last updated: May 2015", tax) == []
    assert cats("Third Party Cookies", tax) == ["Other"]
    # substring matches do not count: 'childhood' is not 'children', 'merged' needs a business context
    assert "children" not in topics_of("Our childhood museum has exhibits from the nineteenth century.", tax)


def test_evidence_is_recorded(tax):
    got = tag_passage("Like most websites, we use cookies to remember your preferences.", ("Cookies",), tax)
    by = {a.topic: a for a in got}
    assert "cookies-and-tracking" in by
    cues = by["cookies-and-tracking"].cues
    assert "cookies" in cues
    assert "heading 'Cookies'" in cues
    assert all(isinstance(a, TopicAssignment) and a.cues for a in got)


def test_overlapping_cues_count_once(tax):
    from generator.analyse.topics import score_passage

    one = score_passage("You may choose to opt out here, if you like, at any moment.", (), tax)
    assert one["your-choices"][1].count("opt out") == 1


def test_deterministic(tax):
    text = CASES[3][1] + " " + CASES[10][1]
    first = tag_passage(text, ("Sharing",), tax)
    for _ in range(5):
        assert tag_passage(text, ("Sharing",), tax) == first
    assert tag_passage(text, ("Sharing",), load_taxonomy(DEFAULT_TAXONOMY)) == first


def test_multi_label(tax):
    text = ("We use cookies to collect information about your visit, and share it with our advertising "
            "partners. You can opt out of interest-based ads at any time.")
    c = set(cats(text, tax))
    assert {"First Party Collection/Use", "Third Party Sharing/Collection"} <= c


def test_categories_of_fallback(tax):
    assert categories_of((), tax) == ["Other"]
    c = categories_of(tag_passage(CASES[10][1], (), tax), tax)
    assert c == ["Data Security"]


def test_tag_passages_replaces(tax):
    p = Passage(id="p-security", heading_path=("Security",), markdown="x", text=CASES[10][1],
                line_start=1, line_end=1)
    out = tag_passages([p], tax)
    assert p.topics == ()
    assert out[0].topics and out[0].topics[0].topic == "security"
    assert out[0].id == p.id


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500), st.lists(st.text(max_size=40), max_size=3))
def test_property_never_crashes(text, heading):
    tax = load_taxonomy(DEFAULT_TAXONOMY)
    got = tag_passage(text, tuple(heading), tax)
    assert all(a.topic in tax.by_id for a in got)


def test_huge_text(tax):
    tag_passage("cookies " * 300_000 + "x" * 1_000_000, ("Cookies",) * 50, tax)


# --------------------------------------------------------------------------- JSONL interface

def test_jsonl_round_trip(tax):
    rows = [{"id": "a", "text": CASES[10][1]},
            {"id": 7, "text": "They can be turned off in your browser.", "heading": "Cookies"},
            {"id": "c", "text": "Hello.", "heading": ["Intro", "Welcome"]},
            {"id": "d"}]
    src = io.StringIO("\n".join(json.dumps(r) for r in rows) + "\n\n")
    dst = io.StringIO()
    assert tag_jsonl(src, dst, tax) == 4
    out = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c", "d"]
    for o in out:
        assert set(o) == {"id", "topics", "categories", "evidence"}
        assert set(o["evidence"]) == set(o["topics"])
        assert all(c in CATEGORIES for c in o["categories"])
    assert out[0]["topics"] == ["security"] and out[0]["categories"] == ["Data Security"]
    assert "cookies-and-tracking" in out[1]["topics"]
    assert out[3] == {"id": "d", "topics": [], "categories": ["Other"], "evidence": {}}


def test_jsonl_bad_line(tax):
    with pytest.raises(ValueError, match="line 2"):
        tag_jsonl(io.StringIO('{"id": 1, "text": "x"}\nnot json\n'), io.StringIO(), tax)


def test_main_tag_files(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": 1, "text": CASES[12][1]}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main_tag(str(inp), str(out), DEFAULT_TAXONOMY) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert "do-not-track" in row["topics"] and row["evidence"]["do-not-track"]
    assert main_tag(str(tmp_path / "missing.jsonl"), str(out), DEFAULT_TAXONOMY) == 1
    assert main_tag(str(inp), str(out), tmp_path / "nope.yml") == 2


def test_main_tag_stdin_stdout():
    code = ("import sys; from pathlib import Path; from generator.analyse.topics import main_tag, DEFAULT_TAXONOMY; "
            "sys.exit(main_tag(None, None, DEFAULT_TAXONOMY))")
    proc = subprocess.run([sys.executable, "-c", code], input='{"id": "x", "text": "Diese Website verwendet Cookies für Statistik."}\n',
                          capture_output=True, text=True, cwd=REPO, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["id"] == "x" and "cookies-and-tracking" in row["topics"]


# --------------------------------------------------------------------------- real data smoke

def test_real_segments_smoke(tax):
    path = require_shared("eval", "opp115-dev", "segments.jsonl")
    n = tagged = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            got = tag_passage(row["text"], (), tax)
            n += 1
            tagged += bool(got)
            if n >= 300:
                break
    assert tagged > n * 0.6


# --------------------------------------------------------------------------- rule types

MINI = """
settings: {threshold: 1.0, relative_cutoff: 0.6, anchor_cutoff: 0.3, min_words: 1, lead_in_max_words: 8}
topics:
  - id: collection
    title: Collection
    category: First Party Collection/Use
    description: What is collected, in a description long enough for the loader's shape checks.
    cues: {strong: [collect*]}
    except: [collectively, describes ... collect*]
  - id: sharing
    title: Sharing
    category: Third Party Sharing/Collection
    description: Who it is shared with, in a description long enough for the loader's shape checks.
    cues: {strong: [share, third party, partners]}
  - id: dnt
    title: DNT
    category: Do Not Track
    description: Do Not Track signals, in a description long enough for the loader's shape checks.
    cues: {strong: [do not track]}
    relative_cutoff: 0
  - id: choice
    title: Choice
    category: User Choice/Control
    description: Opting out, in a description long enough for the loader's shape checks.
    cues: {strong: [preferences]}
    anchors: [opt out]
    except: [cannot opt out]
"""


@pytest.fixture()
def mini(tmp_path):
    path = tmp_path / "mini.yml"
    path.write_text(MINI, encoding="utf-8")
    return load_taxonomy(path)


def test_except_vetoes_overlapping_cue(mini):
    # "collectively" is not "collect*"
    assert topics_of("Acme and its affiliates (collectively, Acme) run this site.", mini) == []
    # a policy summarising itself is not a collection statement
    assert topics_of("This policy describes what we collect and why.", mini) == []
    # a veto only removes the overlapping match: a later genuine use still counts, and is the evidence
    got = tag_passage("Acme (collectively, we) collect your email address.", (), mini)
    assert [a.topic for a in got] == ["collection"] and got[0].cues == ("collect",)


def test_per_topic_relative_cutoff(mini):
    text = "We share data with a third party and partners; we ignore do not track signals."
    # sharing scores 3, dnt 1: the global cutoff (0.6) would drop dnt, its own cutoff (0) keeps it
    assert topics_of(text, mini) == ["sharing", "dnt"]
    text = "We share data with a third party and partners; we collect logs."
    assert topics_of(text, mini) == ["sharing"]


def test_anchor_escapes_relative_cutoff(mini, tmp_path):
    # sharing scores 3; "opt out" (an anchor, weight 1) is kept down to anchor_cutoff (0.3 x 3)
    text = "We share data with a third party and partners; you may opt out at any time."
    got = tag_passage(text, (), mini)
    assert [a.topic for a in got] == ["sharing", "choice"]
    assert got[1].cues == ("opt out",)  # an anchor is evidence like any other cue
    # the same weight from an ordinary cue is dropped by the global cutoff (1 < 0.6 x 3)
    assert topics_of("We share data with a third party and partners; see your preferences.", mini) \
        == ["sharing"]
    # below anchor_cutoff even an anchor goes (1 < 0.4 x 3)
    path = tmp_path / "strict.yml"
    path.write_text(MINI.replace("anchor_cutoff: 0.3", "anchor_cutoff: 0.4"), encoding="utf-8")
    assert topics_of(text, load_taxonomy(path)) == ["sharing"]
    # vetoes apply to anchors: a vetoed anchor neither scores nor rescues the topic
    assert topics_of("You cannot opt out of service messages.", mini) == []
    assert topics_of("You may opt out of marketing messages.", mini) == ["choice"]


def test_short_lead_in_gets_no_topic(mini, tax):
    assert topics_of("We collect the following:", mini) == []
    assert topics_of("We collect the following things.", mini) == ["collection"]
    assert topics_of("How we use information We may use your personal information to:", tax) == []


def test_taxonomy_is_required():
    with pytest.raises(TypeError):
        tag_passage("We collect your name.", (), None)
    with pytest.raises(TypeError):
        tag_passage("We collect your name.", (), str(DEFAULT_TAXONOMY))


@pytest.mark.parametrize("text, topic, expected", [
    ("Last updated: May 4, 2015. Effective date: June 1, 2015.", "policy-changes", False),
    ("We may change this privacy policy from time to time and will post the changes here.",
     "policy-changes", True),
    ("We may ask for your social security number when you apply for credit.", "security", False),
    ("We use encryption and firewalls to protect your information.", "security", True),
    ("We retain your search logs for 18 months and then delete them.", "data-retention", True),
    ("See our archived versions of this policy for earlier wording.", "data-retention", False),
    ("You may opt out of receiving marketing emails at any time.", "your-choices", True),
    ("This site contains links to third party websites whose practices we do not control.",
     "sharing-with-third-parties", False),
    # cookies placed by other companies are third-party collection, not the company's own tracking
    ("Third-party ad servers may use cookies to serve ads on our site.", "advertising-and-analytics", True),
    ("Third-party ad servers may use cookies to serve ads on our site.", "cookies-and-tracking", False),
    ("Our third-party advertiser may place or recognize a unique cookie on your browser.",
     "cookies-and-tracking", False),
    ("We use cookies to remember your settings.", "cookies-and-tracking", True),
    ("We do not respond to browser do not track signals.", "cookies-and-tracking", False),
    # a stated keeping period is retention even inside a longer collection passage
    ("We collect your name and email address to send you our newsletter and retain them for two years.",
     "data-retention", True),
    ("We store this information for the sole purpose of sending the invitation.", "data-retention", False),
    ("You can visit our website without revealing any personal information.", "your-choices", True),
    ("Users may not opt out of service announcements about their account.", "your-choices", False),
])
def test_precise_cues(tax, text, topic, expected):
    assert (topic in topics_of(text, tax)) is expected


# --------------------------------------------------------------------------- fast paths

_TAX = load_taxonomy(DEFAULT_TAXONOMY)
_CUE_WORDS = sorted({w for t in _TAX.tagger_topics for c in (*t.cues, *t.vetoes, *t.heading_cues)
                     for part in c.parts if type(part) is tuple for w in (part[0], part[0] + "s", part[0] + "ed")})
_TOKENS = st.lists(st.one_of(st.sampled_from(_CUE_WORDS), st.sampled_from(["a", "the", "we", "of", "x"])), max_size=60)


def _plain_scan(cues, tokens, vetoes):
    """What _Index.scan computes, the plain way: every cue tried at every token, in lexicon order."""
    found: dict = {}
    for i in range(len(tokens)):
        for owner, cue in cues:
            if cue.phrase in found.get(owner, {}):
                continue
            end = cue.match_at(tokens, i)
            if end >= 0 and not any(i < b and a < end for a, b in vetoes.get(owner, ())):
                found.setdefault(owner, {})[cue.phrase] = (cue.weight, " ".join(tokens[i:end]), i, end)
    return found


@settings(max_examples=300, deadline=None)
@given(_TOKENS)
def test_index_scan_equals_trying_every_cue_everywhere(tokens):
    """The per-token memo of what a token can start, the pair look-up and skipping the words
    the look-up matched only skip work."""
    text_cues = [(n, c) for n, t in enumerate(_TAX.tagger_topics) for c in t.cues]
    veto_cues = [(n, c) for n, t in enumerate(_TAX.tagger_topics) for c in t.vetoes]
    vetoes = topics_module._veto_spans(_TAX.veto_index, tokens)
    plain_vetoes: dict = {}
    for i in range(len(tokens)):
        for owner, cue in veto_cues:
            end = cue.match_at(tokens, i)
            if end >= 0:
                plain_vetoes.setdefault(owner, []).append((i, end))
    assert {k: sorted(v) for k, v in vetoes.items()} == plain_vetoes
    assert _TAX.text_index.scan(tokens, vetoes) == _plain_scan(text_cues, tokens, plain_vetoes)


def test_tagging_is_memoised_by_text_and_headings(tax):
    text = "We use cookies and similar technologies to remember your preferences."
    first = tag_passage(text, ("Cookies",), tax)
    assert tag_passage(text, ("Cookies",), tax) is first
    assert tag_passage(text, ["Cookies"], tax) is first  # a list heading path is the same key
    assert any("heading 'Cookies'" in a.cues for a in first)
    assert not any("heading" in cue for a in tag_passage(text, (), tax) for cue in a.cues)
