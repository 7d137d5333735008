"""`policykb import-git`: every version of a file in a small git repository the test builds itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.read.git_import import GitImportError, import_git, iter_versions
from generator.archive import load_archive

from ..support import snapshot_text

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BODY_1 = "## What we collect\n\nWe collect your name and e-mail address.\n\nLast updated: March 1, 2015"
BODY_2 = "## What we collect\n\nWe collect your name, e-mail address and location.\n\nLast updated: June 1, 2016"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)


EXAMPLE = "e/ex/exa/example.com.md"
OTHER = "o/ot/oth/other.org.md"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """example.com: 3 versions, then a revert to the first (a duplicate); other.org: 1 version, later
    deleted; a broken file; a README outside the layout."""
    repo = tmp_path / "dataset"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {EXAMPLE: snapshot_text("example.com", "2015-04-02", BODY_1),
                  "README.md": "# Dataset\n"}, "first")
    commit(repo, {EXAMPLE: snapshot_text("example.com", "2016-07-09", BODY_2),
                  OTHER: snapshot_text("other.org", "2016-01-05", "We do not collect anything.")}, "second")
    commit(repo, {EXAMPLE: snapshot_text("example.com", "2017-02-11", BODY_2)}, "recapture")
    commit(repo, {EXAMPLE: snapshot_text("example.com", "2015-04-02", BODY_1)}, "revert")
    commit(repo, {"b/ba/bad/bad.com.md": "no header at all\n", OTHER: None}, "broken and removed")
    return repo


def test_iter_versions_oldest_first(repo):
    versions = list(iter_versions(repo))
    assert [v.path for v in versions] == [EXAMPLE, EXAMPLE, OTHER, EXAMPLE, EXAMPLE, "b/ba/bad/bad.com.md"]
    assert len({v.commit for v in versions}) == 5
    assert versions[0].blob == versions[4].blob  # the revert has the first version's bytes


def test_import_files_every_version_once(repo, tmp_path):
    content = tmp_path / "content"
    report = import_git(repo, content)
    assert report.versions == 6
    assert sorted(f.destination.relative_to(content).as_posix() for f in report.added) == [
        "snapshots/example.com/2015-04-02.md",
        "snapshots/example.com/2016-07-09.md",
        "snapshots/example.com/2017-02-11.md",
        "snapshots/other.org/2016-01-05.md",
    ]
    assert [v.path for v in report.duplicates] == [EXAMPLE]
    assert len(report.rejected) == 1 and report.rejected[0].source.startswith("b/ba/bad/bad.com.md@")
    assert "README" not in " ".join(report.paths)
    assert (content / "snapshots/example.com/2016-07-09.md").read_text(encoding="utf-8") == \
        snapshot_text("example.com", "2016-07-09", BODY_2)

    again = import_git(repo, content)  # a re-run adds nothing
    assert again.added == [] and len(again.unchanged) == 4 and len(again.duplicates) == 1

    archive = load_archive(content)
    changes = [(v.slug, v.change, v.announcement) for v in archive.histories["example.com"]]
    assert changes == [("2015-04-02", "first", None), ("2016-07-09", "changed", "announced"),
                       ("2017-02-11", "recapture", None)]


def test_paths_glob_selects_files(repo, tmp_path):
    report = import_git(repo, tmp_path / "content", ["o/*/*/*.md"])
    assert report.versions == 1 and [f.destination.name for f in report.added] == ["2016-01-05.md"]


def test_cli_reports_what_it_did(repo, tmp_path, capsys):
    content = tmp_path / "content"
    assert main(["import-git", str(repo), "--content", str(content)]) == 1  # one file was rejected
    out, err = capsys.readouterr()
    assert "4 added, 0 already present, 1 duplicates skipped, 1 rejected" in out
    assert "added: e/ex/exa/example.com.md@" in out
    assert "b/ba/bad/bad.com.md@" in err
    assert main(["import-git", str(repo), "--content", str(content), "--paths", "e/*/*/*.md"]) == 0
    assert "0 added, 3 already present, 1 duplicates skipped, 0 rejected" in capsys.readouterr().out


def test_not_a_repository(tmp_path, capsys):
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitImportError):
        import_git(tmp_path / "plain", tmp_path / "content")
    assert main(["import-git", str(tmp_path / "missing"), "--content", str(tmp_path / "content")]) == 2
    assert "no such folder" in capsys.readouterr().err
