"""Progress bars for long builds: tqdm on stderr, only when asked (`--progress`, or a terminal)."""

from __future__ import annotations

import contextlib
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
