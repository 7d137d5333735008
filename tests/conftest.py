"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import CONTENT


@pytest.fixture
def seed_content(tmp_path: Path) -> Path:
    """A copy of the project's content folder (the three seed snapshots and the site YAML)."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target

