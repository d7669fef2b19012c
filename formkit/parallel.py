"""Spreading batch work over processes (`--jobs N`), in chunks so each worker parses a template once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor


def chunks(items: list, jobs: int) -> list[list]:
    """Return the items in chunks: a few per worker, so work spreads evenly and progress moves."""
    if not items:
        return []
    size = max(1, min(50, -(-len(items) // (jobs * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_chunks(worker: Callable[[list], list], items: list, jobs: int,
               progress: Callable[[list], Iterable] = lambda xs: xs) -> Iterator:
    """Yield worker(chunk) results item by item, in order, over `jobs` processes (1: in this one)."""
    parts = chunks(items, jobs)
    if jobs <= 1:
        for part in progress(parts):
            yield from worker(part)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in progress(_Counted(pool.map(worker, parts), len(parts))):
            yield from result


class _Counted:
    """An iterator that knows its length, so a progress bar can show it."""

    def __init__(self, iterator: Iterator, length: int):
        self._iterator, self._length = iterator, length

    def __iter__(self) -> Iterator:
        return self._iterator

    def __len__(self) -> int:
        return self._length
