"""Progress bars for long builds: tqdm on stderr, only when asked (`--progress`, or a terminal)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass


def wanted(flag: bool) -> bool:
    """`--progress` given, or stderr is a terminal."""
    return flag or sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(enabled: bool, *, total: int | None, desc: str, unit: str = "it") -> Iterator[Any]:
    if not enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
    try:
        yield bar
    finally:
        bar.close()


class _PageCounter(logging.Handler):
    """Counts MkDocs' per-page debug records ("Reading: ...", "Building page ...") into a bar."""

    def __init__(self, bar: Any) -> None:
        super().__init__(logging.DEBUG)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, str) else ""
        if message.startswith("Reading: "):
            self.bar.update(1)
        elif message.startswith("Building page "):
            self.bar.update(1)


@contextlib.contextmanager
def mkdocs_progress(enabled: bool, pages: int) -> Iterator[None]:
    """A bar over MkDocs' two passes (read + render every page, then write it) while it builds."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("mkdocs.commands.build")
    with progress_bar(True, total=2 * pages, desc="publish", unit="step") as bar:
        handler = _PageCounter(bar)
        level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
