"""generator/writer.py: front matter, files written only when they change, units kept by the manifest."""

from __future__ import annotations

import os
from datetime import date, timezone

import frontmatter
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.write import docs as writer
from generator.render.base import Page
from generator.write.docs import DocsWriter, FileRecord, serialize, write_payload

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(), st.dates(), st.datetimes(timezones=st.just(timezone.utc)),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                              max_size=4), max_leaves=12)


_keys = st.from_regex(r"[a-z][a-z_]{0,14}", fullmatch=True)
_printable = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc"))
_texts = st.one_of(
    st.text(), st.text(_printable),
    st.lists(st.text(_printable, max_size=15), max_size=40).map(" ".join),  # long enough to be folded
)
_meta_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.dates(), _texts),
                            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys | _texts, inner, max_size=4),
                            max_leaves=12)


@settings(max_examples=1000, deadline=None)
@given(meta=st.dictionaries(_keys, _meta_values, min_size=1, max_size=8), body=st.text(max_size=50))
def test_front_matter_is_what_pyyaml_writes(meta, body):
    """libyaml writes it when it gives the same bytes (see writer.C_SAFE_TEXT), PyYAML otherwise."""
    expected = frontmatter.dumps(frontmatter.Post(body, **meta), Dumper=writer.PYTHON_DUMPER) + "\n"
    try:
        expected_bytes = expected.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: no page can hold them
        return
    assert serialize(Page("x.md", meta, body)) == expected_bytes


def test_shared_values_are_written_twice_not_as_anchors():
    day = date(2020, 1, 2)
    text = serialize(Page("x.md", {"stated_date": day, "previous_stated_date": day, "a": [1], "b": None})).decode()
    assert "&id" not in text and "*id" not in text and text.count("2020-01-02") == 2


def test_a_file_holding_the_same_bytes_is_not_rewritten(tmp_path):
    record, written = write_payload(tmp_path, "a/b.md", b"one")
    assert written and (tmp_path / "a/b.md").read_bytes() == b"one"
    os.utime(tmp_path / "a/b.md", ns=(1, 1))
    again, written = write_payload(tmp_path, "a/b.md", b"one")
    assert not written and (tmp_path / "a/b.md").stat().st_mtime_ns == 1
    streamed, written = write_payload(tmp_path, "a/c.bin", iter([b"x" * 10, b"y" * 5]))
    assert written and streamed.size == 15 and (tmp_path / "a/c.bin").read_bytes() == b"x" * 10 + b"y" * 5
    kept, written = write_payload(tmp_path, "a/c.bin", iter([b"x" * 10, b"y" * 5]), previous=streamed)
    assert not written and kept == streamed and not list(tmp_path.glob("a/.*.tmp"))


def test_a_file_changed_behind_the_writers_back_is_written_again(tmp_path):
    record, _ = write_payload(tmp_path, "p.md", b"page")
    (tmp_path / "p.md").write_bytes(b"edited by hand")
    _, written = write_payload(tmp_path, "p.md", b"page", previous=record)
    assert written and (tmp_path / "p.md").read_bytes() == b"page"


def test_an_unchanged_unit_keeps_its_files_and_a_touched_one_does_not(tmp_path):
    docs, manifest = tmp_path / "docs", tmp_path / "cache" / "pages.pickle"
    first = DocsWriter(docs, manifest, "code-1")
    first.add("u/one.md", b"1")
    first.add("u/two.md", b"2")
    first.done("unit", "digest-1", ["u/one.md", "u/two.md"])
    first.add("stray.md", b"s")
    first.finish()
    second = DocsWriter(docs, manifest, "code-1")
    assert not second.unchanged("unit", "digest-2")  # new inputs
    assert second.unchanged("unit", "digest-1") and set(second.records) == {"u/one.md", "u/two.md"}
    stats = second.finish()
    assert stats.removed == 1 and not (docs / "stray.md").exists() and stats.unchanged == 2
    (docs / "u/two.md").write_bytes(b"tampered")
    assert not DocsWriter(docs, manifest, "code-1").unchanged("unit", "digest-1")
    assert not DocsWriter(docs, manifest, "code-2").unchanged("unit", "digest-1")  # new code: all made again


def test_finish_removes_what_was_not_produced_and_empty_folders(tmp_path):
    docs = tmp_path / "docs"
    (docs / "old/deep").mkdir(parents=True)
    (docs / "old/deep/gone.md").write_text("x")
    (docs / "keep").mkdir()
    (docs / "keep/gone.md").write_text("x")
    docs_writer = DocsWriter(docs)
    docs_writer.add("keep/page.md", b"y")
    stats = docs_writer.finish()
    assert stats.removed == 2 and stats.written == 1
    assert sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*")) == ["keep", "keep/page.md"]


def test_two_files_on_one_path_are_an_error(tmp_path):
    docs_writer = DocsWriter(tmp_path)
    docs_writer.add("a.md", b"1")
    with pytest.raises(ValueError, match="two files would be written to a.md"):
        docs_writer.adopt({"a.md": FileRecord(1, 0, "")}, 1)
