"""Paths and helpers shared by the tests."""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


def require_shared(*parts: str) -> Path:
    """A path inside ../shared, or skip the test with a clear reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present (the ../shared corpus is only beside CI and dev checkouts)")
    return path


def snapshot_text(domain: str, day: str, body: str, *, title: str | None = "Privacy Policy",
                  url: str | None = None) -> str:
    """A well-formed snapshot file, for tests that need one with a particular body."""
    url = url or f"https://web.archive.org/web/{day.replace('-', '')}120000id_/http%3A//www.{domain}/privacy"
    header = (f"> *The following text is extracted and transformed from the {domain} privacy policy that was "
              f"archived on {day}. Please check the [original snapshot on the Wayback Machine]({url}) "
              f"for the most accurate reproduction.*\n\n")
    return header + (f"# {title}\n\n" if title is not None else "") + body + "\n"


def content_with_versions(folder: Path, domain: str, versions: Iterable[tuple[str, str]]) -> Path:
    """A copy of the project's content plus one company with the given (day, body) versions."""
    content = folder / "content"
    shutil.copytree(CONTENT, content)
    target = content / "snapshots" / domain
    target.mkdir(parents=True)
    for day, body in versions:
        (target / f"{day}.md").write_text(snapshot_text(domain, day, body, title="Example privacy"), encoding="utf-8")
    return content


def tree_differences(left: Path, right: Path) -> list[str]:
    """Every file only in one of two folders or different between them (byte for byte)."""
    problems: list[str] = []

    def walk(compared: filecmp.dircmp, prefix: str) -> None:
        problems.extend(f"only in {left}: {prefix}{name}" for name in compared.left_only)
        problems.extend(f"only in {right}: {prefix}{name}" for name in compared.right_only)
        _, mismatch, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files, shallow=False)
        problems.extend(f"differs: {prefix}{name}" for name in mismatch + errors)
        for name, sub in compared.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return problems
