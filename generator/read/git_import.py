"""`policykb import-git`: every historical version of the snapshot files in a git repository.

The public dataset (citp/privacy-policy-historical) keeps one file per site, laid out as
`a/ab/abc/<domain>.md`, and each snapshot of the policy is a commit of that file. This
walks the history of the matching files oldest commit first (`git log --raw`, one pass),
reads each version's bytes (`git cat-file --batch`, streamed) and files it with
`intake.file_snapshot`, which validates it and stores it as `snapshots/<domain>/<date>.md`.

Skipped: the same bytes seen twice in the run (a revert, a file copied to two paths) and
files identical to one already in the content folder (a re-run). Deleted files are ignored.
Nothing is executed from the repository: git only reads it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.read.intake import Filed, file_snapshot
from generator.read.snapshots import SnapshotError

DEFAULT_GLOBS = ("*/*/*/*.md",)  # the dataset's a/ab/abc/<domain>.md; its README.md is not a snapshot


class GitImportError(Exception):
    """The repository cannot be read (not a git repository, git missing, ...)."""


@dataclass(frozen=True)
class Version:
    commit: str
    path: str
    blob: str

    @property
    def source(self) -> str:
        return f"{self.path}@{self.commit[:12]}"


@dataclass
class ImportReport:
    versions: int = 0  # file versions found in the history
    added: list[Filed] = field(default_factory=list)
    unchanged: list[Filed] = field(default_factory=list)  # identical file already in the content folder
    duplicates: list[Version] = field(default_factory=list)  # same bytes as a version earlier in this run
    rejected: list[SnapshotError] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)

    def summary(self, repo: str) -> str:
        return (f"imported {repo}: {self.versions} versions of {len(self.paths)} files; "
                f"{len(self.added)} added, {len(self.unchanged)} already present, "
                f"{len(self.duplicates)} duplicates skipped, {len(self.rejected)} rejected")


def _git(repo: Path) -> list[str]:
    git = shutil.which("git")
    if git is None:
        raise GitImportError("git is not installed")
    # safe.directory: reading someone else's checkout must not fail on ownership checks.
    return [git, "-c", "core.quotePath=false", "-c", f"safe.directory={repo.resolve()}", "-C", str(repo)]


def _env(repo: Path) -> dict[str, str]:
    """Never search above `repo` for a repository: a plain folder inside some checkout is an error."""
    return {**os.environ, "GIT_CEILING_DIRECTORIES": str(repo.resolve().parent)}


def iter_versions(repo: Path, globs: Sequence[str] = DEFAULT_GLOBS) -> Iterator[Version]:
    """Every added or modified version of a matching file, oldest commit first."""
    pathspecs = [f":(glob){pattern}" for pattern in globs]
    command = [*_git(repo), "log", "--reverse", "--format=commit %H", "--raw", "--no-renames", "--no-abbrev",
               "--no-color", "HEAD", "--", *pathspecs]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(repo))
    except OSError as error:
        raise GitImportError(f"cannot run git: {error}") from None
    assert process.stdout is not None
    commit = ""
    for raw in process.stdout:
        line = raw.decode("utf-8", "surrogateescape").rstrip("\n")
        if line.startswith("commit "):
            commit = line[len("commit "):]
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) >= 5 and fields[4][:1] in ("A", "M", "T") and fields[1] != "160000":
                yield Version(commit, path, fields[3])
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.wait() != 0:
        raise GitImportError(f"{repo}: git log failed: {stderr.strip() or 'not a git repository?'}")


class BlobReader:
    """`git cat-file --batch`, one long-running process reading blobs by id."""

    def __init__(self, repo: Path) -> None:
        self.process = subprocess.Popen([*_git(repo), "cat-file", "--batch"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=_env(repo))

    def read(self, blob: str) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode("ascii") + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().decode("ascii", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            raise GitImportError(f"cannot read blob {blob}: {' '.join(header)}")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after the contents
        return data

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def import_git(repo: Path, content_dir: Path, globs: Sequence[str] | None = None) -> ImportReport:
    """File every historical version of the matching files of `repo` into `content_dir`."""
    if not repo.is_dir():
        raise GitImportError(f"{repo}: no such folder")
    report = ImportReport()
    seen: set[str] = set()
    reader = BlobReader(repo)
    try:
        for version in iter_versions(repo, globs or DEFAULT_GLOBS):
            report.versions += 1
            report.paths.add(version.path)
            if version.blob in seen:
                report.duplicates.append(version)
                continue
            seen.add(version.blob)
            try:
                filed = file_snapshot(reader.read(version.blob), version.source, content_dir)
            except SnapshotError as error:
                report.rejected.append(error)
                continue
            (report.added if filed.status == "added" else report.unchanged).append(filed)
    finally:
        reader.close()
    return report
