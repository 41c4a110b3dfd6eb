"""The threads that run compiled kernels over ranges of rows: how many, and the runner.

Part of the foundation (importable by every layer): the engine's passes
(:func:`lda_vi.engine.backend.parallel_for`) and the CSV writers of :mod:`lda_vi.io`
run here, on one setting (``--threads``; :func:`set_count`). The kernels release the
GIL and each range writes its own part of the outputs, so what they compute does not
depend on the number of threads or on which thread ran which range.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from lda_vi import interrupts


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_count = cores()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def set_count(n: int) -> None:
    """The number of threads for compiled kernels (at least 1)."""
    global _count
    if n < 1:
        raise ValueError("threads must be >= 1")
    _count = int(n)


def count() -> int:
    """The number of threads for compiled kernels (all cores unless set)."""
    return _count


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers != n:
            if _pool is not None:
                _pool.shutdown(wait=True)
            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="lda-vi-kernel")
        return _pool


class _Ranges:
    """The ranges of one :func:`run_ranges`, handed out one at a time to whichever
    thread asks first, until they run out or :meth:`stop` is called."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self._items = iter(ranges)
        self._lock = threading.Lock()
        self._stopped = False

    def take(self) -> tuple[int, int] | None:
        with self._lock:
            return None if self._stopped else next(self._items, None)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True

    def run(self, kernel, args: tuple, check) -> None:
        """Run ranges until none is left; an error stops every thread's next range."""
        try:
            while (item := self.take()) is not None:
                check()
                kernel(item[0], item[1], *args)
        except BaseException:
            self.stop()
            raise


def _no_check() -> None:
    """What a helper thread checks between ranges: nothing (signals reach the main thread)."""


def run_ranges(kernel, ranges: list[tuple[int, int]], threads: int, *args) -> None:
    """Run ``kernel(lo, hi, *args)`` for every range, on ``threads`` threads.

    The calling thread is one of them and the pool gives the others; each thread takes
    the next range not yet taken (so a thread that drew short ranges takes more), one
    submission per helper thread rather than per range. Ctrl-C or an error in any range:
    no range not yet begun is started, the ranges running are waited for (they cannot be
    cut short), and the error is raised.
    """
    n = min(threads, len(ranges))
    if n <= 1:
        for lo, hi in ranges:
            interrupts.check()
            kernel(lo, hi, *args)
        return
    work = _Ranges(ranges)
    pool = _executor(threads - 1)
    helpers = [pool.submit(work.run, kernel, args, _no_check) for _ in range(n - 1)]
    try:
        work.run(kernel, args, interrupts.check)
    except BaseException:
        work.stop()
        wait(helpers)
        raise
    for helper in helpers:
        helper.result()          # a helper's error, raised here


def run_rows(piece, n: int, *, per_thread: int = 4, threads: int | None = None) -> None:
    """``piece(lo, hi)`` over rows [0, n) cut into :func:`even_ranges`, ``per_thread`` of
    them per thread, on ``threads`` threads (:func:`count` unless given): for work whose
    rows all cost about the same (the CSV writers)."""
    n_threads = count() if threads is None else threads
    run_ranges(piece, even_ranges(n, per_thread * n_threads), n_threads)


def even_ranges(n: int, pieces: int) -> list[tuple[int, int]]:
    """[0, n) cut into at most ``pieces`` ranges of (nearly) equal length, none empty."""
    pieces = max(1, min(pieces, n))
    cuts = [n * i // pieces for i in range(pieces + 1)]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
