"""Spreading batch work over processes (`--jobs N`), in chunks so each worker parses a template once."""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

_T_co = TypeVar("_T_co", covariant=True)


class Countable(Protocol[_T_co]):
    """Items to go through that know how many they are: a list, or an iterator with a length."""

    def __iter__(self) -> Iterator[_T_co]: ...

    def __len__(self) -> int: ...


#: A progress display: takes items that know their number, returns them (shown as they pass).
Progress = Callable[[Countable[Any]], Iterable[Any]]


def chunks(items: list, jobs: int) -> list[list]:
    """Return the items in chunks: a few per worker, so work spreads evenly and progress moves."""
    if not items:
        return []
    size = max(1, min(20, -(-len(items) // (jobs * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_chunks(worker: Callable[[list], list], items: list, jobs: int,
               progress: Progress = lambda xs: xs,
               prepare: Callable[[list], list] = lambda chunk: chunk) -> Iterator:
    """Yield worker(prepare(chunk)) results item by item, in order, over `jobs` processes (1: in this one).

    `prepare` runs here just before its chunk is handed out, and only a few chunks are out
    at a time, so the work's inputs are made as they are needed, not all at once.
    """
    parts = chunks(items, jobs)
    if jobs <= 1:
        for part in progress(parts):
            yield from worker(prepare(part))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = _in_order(pool, worker, map(prepare, parts), window=2 * jobs)
        for result in progress(_Counted(results, len(parts))):
            yield from result


def _in_order(pool: ProcessPoolExecutor, worker: Callable[[list], list], parts: Iterator[list],
              window: int) -> Iterator[list]:
    """Yield worker(part) for each part in order, with at most `window` parts handed out and not yet done."""
    pending: deque = deque()
    for part in parts:
        pending.append(pool.submit(worker, part))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def one_by_one(items: Iterable) -> Iterator:
    """Yield the items of a chunk; after each, free what its document left in reference cycles.

    python-docx, docxtpl and openpyxl objects point back at their package, so a finished
    document waits for a collection, and Python's full one is rare: meanwhile its XML trees
    (native memory, 0.5 to 1 MB a document) pile up. Collecting the young generations after
    each document frees them at almost no cost (a full collection would cost 15 ms).
    """
    for item in items:
        yield item
        gc.collect(1)


class _Counted:
    """An iterator that knows its length, so a progress bar can show it (a :class:`Countable`)."""

    def __init__(self, iterator: Iterator, length: int) -> None:
        self._iterator, self._length = iterator, length

    def __iter__(self) -> Iterator:
        return self._iterator

    def __len__(self) -> int:
        return self._length
