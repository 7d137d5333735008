"""The home page: counts, latest changes, the topics as cards and the archive chart."""

from __future__ import annotations


import pytest

from generator.render import home
from generator.archive import load_archive
from generator.render.units import data_files, render_pages

from ..support import CONTENT, content_with_versions
from .test_history import CLASSES, VERSIONS


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    content = content_with_versions(tmp_path_factory.mktemp("home"), "example.com", VERSIONS)
    return load_archive(content)


def home_body(archive) -> str:
    return next(page for page in render_pages(archive) if page.path == "index.md").body


def test_latest_changes_are_real_changes_only_newest_first(archive):
    rows = home.latest_changes(archive.companies, archive.histories)
    changed = [day for (day, _), (change, _) in zip(VERSIONS, CLASSES) if change == "changed"]
    assert [row.snapshot.archived_on.isoformat() for row in rows] == sorted(changed, reverse=True)
    assert [row.version.announcement for row in rows] == ["undated", "silent", "announced"]
    assert rows[0].diff_path == "companies/example.com/2018-06-01/changes.md"
    assert home.latest_changes(archive.companies, archive.histories, limit=1) == rows[:1]


def test_home_page_lists_the_latest_changes_with_links_to_their_diffs(archive):
    body = home_body(archive)
    section = body.split("## Latest changes", 1)[1].split("\n## ", 1)[0]
    for day, announcement in (("2018-06-01", "undated"), ("2017-03-03", "silent"), ("2016-08-01", "announced")):
        assert f"[{day}](companies/example.com/{day}/changes.md)" in section
        assert f'kb-announce--{announcement}">{announcement}</span>' in section
    # the recapture and the cosmetic version are not changes
    assert "2015-09-10" not in section and "2016-01-20" not in section
    row = next(line for line in section.splitlines() if "2017-03-03" in line)
    version = archive.histories["example.com"][4]
    assert f"+{version.words_added} / −{version.words_removed} words" in row


def test_home_page_says_so_when_nothing_changed():
    body = home_body(load_archive(CONTENT))
    assert "No policy has changed its wording yet" in body.split("## Latest changes", 1)[1].split("\n## ", 1)[0]


def test_topic_cards_link_every_topic_with_its_coverage(archive):
    body = home_body(archive)
    cards = body.split('<div class="grid cards kb-topic-cards" markdown>', 1)[1].split("</div>", 1)[0]
    total = len(archive.companies)
    for topic in archive.topics:
        assert f"- [{topic.title}](topics/{topic.id}.md)" in cards
        addressing = sum(1 for c in archive.companies if topic.id in archive.analyses[c.latest.key].topic_ids)
        assert f"**{addressing}** of {total} companies" in cards


def test_topic_card_descriptions_are_one_line():
    long = ("What personal information the company says it collects about you - such as your name, email address, "
            "payment details, device information or location - and how it gets it.")
    assert home.first_sentence(long) == "What personal information the company says it collects about you."
    assert home.first_sentence("Short.  Then more.") == "Short."
    words = "word " * 60
    cut = home.first_sentence(words)
    assert len(cut) <= home.SUMMARY_LIMIT + 1 and cut.endswith("…")


def test_archive_chart_counts_snapshots_and_first_archived_companies_by_year(archive):
    chart = home.archive_chart(archive.companies)
    assert chart.headers == ("Year", "Snapshots archived", "Companies first archived")
    rows = {row[0]: row[1:] for row in chart.rows}
    assert rows["2003"] == ("1", "1")  # guess.com
    assert rows["2004"] == ("0", "0")  # gaps are shown as such
    assert rows["2015"] == ("3", "2")  # jamesperse.com first; example.com first and a recapture
    assert rows["2016"] == ("2", "0")
    body = home_body(archive)
    assert f"![{chart.description}](charts/home-archive.svg){{ .kb-chart loading=lazy }}" in body
    assert '<details class="kb-chart-data">' in body and "<td>2003</td>" in body
    assert data_files(archive)["charts/home-archive.svg"] == chart.svg
    assert home.archive_chart([]) is None


def test_data_files_always_carry_the_site_stylesheet_and_logo(archive):
    files = data_files(archive)
    assert files["assets/site.css"].startswith(b"/* policykb")
    assert files["assets/logo.svg"].lstrip().startswith(b"<svg")
