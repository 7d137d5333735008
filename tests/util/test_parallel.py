"""generator/util/parallel.py: results in item order, errors naming their item, the serial fallback,
the same results either way, and nothing left behind (processes, frozen GC, module state)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time

import pytest

from generator.util import parallel
from generator.util.parallel import Progress, WorkerError, parallel_map, pool, worker_count


def square_slowly(number: int) -> int:
    time.sleep(0.001 * (number % 7))  # finish out of order
    return number * number


def test_results_come_in_item_order():
    items = list(range(200))
    assert parallel_map(square_slowly, items, workers=3, name=str, chunk=5) == [n * n for n in items]


def test_serial_and_parallel_results_are_identical():
    items = [f"item-{n}" * n for n in range(50)]

    def describe(text: str) -> tuple[int, str, int]:
        return len(text), text[-3:], os.getpid()

    serial = parallel_map(describe, items, workers=0, name=str)
    forked = parallel_map(describe, items, workers=2, name=str)
    assert [r[:2] for r in serial] == [r[:2] for r in forked]
    assert {r[2] for r in serial} == {os.getpid()}
    assert os.getpid() not in {r[2] for r in forked}


def test_workers_share_the_callers_memory_without_pickling_it():
    """A closure (not picklable) over state made after import: the workers inherit both by fork."""
    shared = {n: str(n) * 3 for n in range(1000)}
    assert parallel_map(lambda n: shared[n], [5, 999, 0], workers=2, name=str) == ["555", "999999999", "000"]


def fail_on_13(number: int) -> int:
    if number == 13:
        raise ValueError("thirteen is unlucky")
    return number


@pytest.mark.parametrize("workers", [0, 2])
def test_an_error_names_its_item_and_keeps_its_type(workers):
    with pytest.raises(ValueError, match="unlucky") as raised:
        parallel_map(fail_on_13, list(range(40)), workers=workers, name=lambda n: f"number {n}", chunk=3)
    assert any("number 13" in note for note in raised.value.__notes__)
    if workers:
        assert "fail_on_13" in str(raised.value.__cause__)  # the worker's traceback


def test_an_error_that_does_not_pickle_still_names_its_item():
    def fail(number: int) -> int:
        raise ValueError(lambda: number)  # a lambda does not pickle

    with pytest.raises(WorkerError, match="ValueError") as raised:
        parallel_map(fail, [1, 2], workers=2, name=lambda n: f"number {n}")
    assert any("number" in note for note in raised.value.__notes__)


def test_a_worker_that_dies_is_named():
    def die(number: int) -> int:
        if number == 3:
            os._exit(9)
        return number

    with pytest.raises(WorkerError, match="died while working on number 3"):
        parallel_map(die, list(range(6)), workers=2, name=lambda n: f"number {n}")


def test_the_caller_works_while_the_workers_do():
    with pool(lambda n: (n, os.getpid()), [1, 2], workers=2, name=str) as results:
        here = os.getpid()  # the workers have started: this runs alongside them
        gathered = list(results)
    assert [n for n, _ in gathered] == [1, 2] and here not in {pid for _, pid in gathered}


def test_progress_counts_item_sizes(monkeypatch):
    updates: list[int] = []

    class Bar:
        def update(self, n: int = 1) -> None:
            updates.append(n)

    class Opened:
        def __init__(self, enabled, *, total, desc, unit):
            assert enabled and total == 6 and desc == "test" and unit == "thing"

        def __enter__(self):
            return Bar()

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(parallel, "progress_bar", Opened)
    for workers in (0, 2):
        updates.clear()
        parallel_map(str, [1, 2, 3], workers=workers, name=str, progress=Progress(True, "test", "thing", lambda n: n))
        assert sorted(updates) == [1, 2, 3]


def test_nothing_is_left_behind():
    module_state = {name: value for name, value in vars(parallel).items() if not name.startswith("__")}
    with pytest.raises(ValueError):
        parallel_map(fail_on_13, list(range(40)), workers=2, name=str)
    parallel_map(square_slowly, list(range(40)), workers=2, name=str)
    with pool(square_slowly, list(range(400)), workers=2, name=str) as results:
        next(results)  # stop early: the workers still working are stopped
    assert multiprocessing.active_children() == []
    assert gc.get_freeze_count() == 0
    assert {name: value for name, value in vars(parallel).items() if not name.startswith("__")} == module_state


@pytest.mark.parametrize(("requested", "items", "options", "expected"), [
    (4, 100, {}, 4),
    (4, 3, {}, 3),  # at most one per item
    (4, 1, {}, 0),  # one item: no process of its own
    (1, 100, {}, 0),
    (4, 100, {"serial_below": 200}, 0),
    (4, 100, {"work": 500, "serial_below": 200}, 4),
    (8, 100, {"work": 10 << 20, "per_worker": 2 << 20}, 5),
    (None, 100, {"default_at_most": 1}, 0),
])
def test_worker_count(requested, items, options, expected):
    assert worker_count(requested, items, **options) == expected


def test_worker_count_defaults_to_one_per_cpu():
    assert worker_count(None, 10_000) == (os.cpu_count() if (os.cpu_count() or 1) > 1 else 0)
