"""The one way the build runs work in worker processes: forked children sharing the caller's memory.

Always fork, explicitly (never the platform's default start method): the children inherit the
function, the items and everything they reach (the archive, MkDocs' configuration ...)
copy-on-write, so nothing is pickled on the way in and no module global has to carry state to
them; whatever the caller's function closes over is the workers' context, and it is gone with
them when the pool closes. Only results travel back, pickled through one pipe per worker.

The workers take items in order from a shared counter (a chunk at a time), so an item list
sorted largest first keeps every worker busy to the end; results come back in item order
whatever the timing. An exception in a worker is re-raised in the caller with its type, a note
naming the item and the worker's traceback as its cause; the same note names the item when the
work runs serially. Python's garbage collector is frozen while the workers live: their
collections would otherwise touch, hence copy, every shared page.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from generator.util.progress import progress_bar

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(Exception):
    """A worker process died, or raised an exception that cannot be sent back as it is."""


class WorkerTraceback(Exception):
    """Where a worker raised the exception re-raised in the caller (set as its cause)."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Progress(Generic[T]):
    """A progress bar (util/progress.py) over the items; `size(item)`: what one item counts for."""

    enabled: bool
    desc: str
    unit: str = "it"
    size: Callable[[T], int] = lambda item: 1


def worker_count(requested: int | None, items: int, *, work: int | None = None, serial_below: int = 0,
                 per_worker: int = 1, default_at_most: int | None = None) -> int:
    """How many processes to share `items` among; 0: none, do them in this process.

    `requested` (default: one per CPU, at most `default_at_most`), at most one per item and one per
    `per_worker` of `work` (default: the number of items); 0 when that leaves fewer than two, when
    `work` is below `serial_below` (starting processes would cost more than they save) or when
    the system cannot fork.
    """
    work = items if work is None else work
    if work < serial_below or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = os.cpu_count() or 1
    wanted = requested if requested is not None else min(cpus, default_at_most or cpus)
    count = min(wanted, items, work // per_worker)
    return count if count > 1 else 0


def parallel_map(function: Callable[[T], R], items: Sequence[T], *, workers: int, name: Callable[[T], str],
                 progress: Progress[T] | None = None, chunk: int = 1) -> list[R]:
    """`[function(item) for item in items]`, in `workers` forked processes (see `pool`)."""
    with pool(function, items, workers=workers, name=name, progress=progress, chunk=chunk) as results:
        return list(results)


@contextlib.contextmanager
def pool(function: Callable[[T], R], items: Sequence[T], *, workers: int, name: Callable[[T], str],
         progress: Progress[T] | None = None, chunk: int = 1) -> Iterator[Iterator[R]]:
    """Start `workers` forked processes (at most one per item) applying `function` to `items`, `chunk`
    items at a time; yield the iterator of the results in item order. The caller may do other work
    before reading them: the workers run alongside. `workers` 0: `function` runs in this process
    as the results are read. `name(item)`: how an error names the item it happened on.
    """
    progress = progress or Progress(False, "")
    total = sum(progress.size(item) for item in items) if progress.enabled else 0
    count = min(workers, len(items))
    if count == 0:
        with progress_bar(progress.enabled and total > 0, total=total, desc=progress.desc, unit=progress.unit) as bar:
            yield _serial(function, items, name, lambda item: bar.update(progress.size(item)))
        return
    context = multiprocessing.get_context("fork")
    claimed = context.Value("q", 0)
    current = context.Array("q", [-1] * count, lock=False)  # the item each worker is on (-1: none)
    processes, connections = [], {}
    gc.freeze()
    try:
        for slot in range(count):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(function, items, chunk, claimed, current, slot, sender),
                                      name=f"policykb-worker-{slot}")
            process.start()
            sender.close()
            processes.append(process)
            connections[receiver] = slot
        with progress_bar(progress.enabled and total > 0, total=total, desc=progress.desc, unit=progress.unit) as bar:
            yield _gathered(items, name, connections, current, lambda item: bar.update(progress.size(item)))
    finally:
        for process in processes:
            if process.is_alive():  # the caller stopped early, or a worker failed: the rest is moot
                process.terminate()
            process.join()
        for receiver in connections:
            receiver.close()
        gc.unfreeze()


def _serial(function: Callable[[T], R], items: Sequence[T], name: Callable[[T], str],
            done: Callable[[T], object]) -> Iterator[R]:
    for item in items:
        try:
            result = function(item)
        except Exception as error:
            error.add_note(f"while working on {name(item)}")
            raise
        done(item)
        yield result


def _gathered(items: Sequence[T], name: Callable[[T], str], connections: dict[Any, int], current: Any,
              done: Callable[[T], object]) -> Iterator[R]:
    """The workers' results in item order, as they arrive."""
    waiting = dict(connections)
    arrived: dict[int, Any] = {}
    for index in range(len(items)):
        while index not in arrived:
            if not waiting:
                raise WorkerError(f"the worker processes ended before working on {name(items[index])}")
            for connection in multiprocessing.connection.wait(list(waiting)):
                try:
                    message = connection.recv()
                except EOFError:
                    on = current[waiting.pop(connection)]
                    if on >= 0 and on not in arrived:
                        raise WorkerError(f"a worker process died while working on {name(items[on])}") from None
                    continue
                if message[0] == "failed":
                    _, on, error, trace = message
                    error.add_note(f"while working on {name(items[on]) if on >= 0 else 'no item'}, in a worker process")
                    raise error from WorkerTraceback(trace)
                _, start, results = message
                for offset, result in enumerate(results):
                    arrived[start + offset] = result
                    done(items[start + offset])
        yield arrived.pop(index)


def _worker(function: Callable[[T], R], items: Sequence[T], chunk: int, claimed: Any, current: Any, slot: int,
            connection: multiprocessing.connection.Connection) -> None:
    """A worker's life: claim the next `chunk` items, send their results, until none is left."""
    try:
        while True:
            with claimed.get_lock():
                start = claimed.value
                claimed.value = start + chunk
            if start >= len(items):
                return
            results = []
            for index in range(start, min(start + chunk, len(items))):
                current[slot] = index
                results.append(function(items[index]))
            connection.send(("done", start, results))
            current[slot] = -1
    except BaseException as error:
        trace = traceback.format_exc()
        try:
            connection.send(("failed", current[slot], error, trace))
        except Exception:  # the exception does not pickle: its text must do
            connection.send(("failed", current[slot], WorkerError(f"{type(error).__name__}: {error}"), trace))
    finally:
        connection.close()
