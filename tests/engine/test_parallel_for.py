"""The engine's thread runner: every range once, on the calling thread and the pool,
and an error in any range stops the ranges not yet begun."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from lda_vi import threads
from lda_vi.engine.backend import get_threads, parallel_for, set_threads


@pytest.fixture
def two_threads():
    saved = get_threads()
    set_threads(2)
    yield
    set_threads(saved)


def test_every_range_runs_once_and_the_caller_takes_part(two_threads):
    seen: list[tuple[int, int, int]] = []
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=30)   # both threads inside a range at once

    def kernel(lo, hi, out):
        if lo == 0 or lo == 1:
            gate.wait()
        with lock:
            seen.append((lo, hi, threading.get_ident()))
        out[lo:hi] += 1

    out = np.zeros(40)
    ranges = [(i, i + 1) for i in range(40)]
    parallel_for(kernel, ranges, out)
    assert sorted((lo, hi) for lo, hi, _ in seen) == ranges
    assert np.all(out == 1)
    threads = {ident for _, _, ident in seen}
    assert len(threads) == 2 and threading.get_ident() in threads


@pytest.mark.parametrize("failing", [0, 1])      # the calling thread's range, or a helper's
def test_an_error_stops_the_ranges_not_begun_and_is_raised(two_threads, failing):
    started: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=30)

    def kernel(lo, hi):
        with lock:
            started.append(lo)
        if lo < 2:
            gate.wait()             # ranges 0 and 1 run at once, one on each thread
            if lo == failing:
                raise ZeroDivisionError("range failed")
        else:
            time.sleep(0.001)       # lets the failing thread back in (the GIL) to stop the rest

    with pytest.raises(ZeroDivisionError, match="range failed"):
        parallel_for(kernel, [(i, i + 1) for i in range(200)])
    count = len(started)
    assert count < 200                                  # the rest never began
    parallel_for(lambda lo, hi: None, [(0, 1), (1, 2)])  # and nothing is left running:
    assert len(started) == count                        # no range started after the return


def test_one_thread_runs_in_order_on_the_caller():
    saved = get_threads()
    set_threads(1)
    try:
        order = []
        parallel_for(lambda lo, hi: order.append((lo, threading.get_ident())),
                     [(i, i + 1) for i in range(5)])
        assert [lo for lo, _ in order] == list(range(5))
        assert {ident for _, ident in order} == {threading.get_ident()}
    finally:
        set_threads(saved)


def test_the_pool_holds_one_thread_fewer_than_the_kernels(two_threads):
    parallel_for(lambda lo, hi: None, [(0, 1), (1, 2)])
    assert threads._pool is not None and threads._pool._max_workers == 1


def test_even_ranges_cover_every_row_once():
    for n in (0, 1, 5, 16, 17, 1000):
        for pieces in (1, 2, 3, 8, 64):
            ranges = threads.even_ranges(n, pieces)
            assert [i for lo, hi in ranges for i in range(lo, hi)] == list(range(n))
            assert len(ranges) <= max(1, pieces) and all(hi > lo for lo, hi in ranges)


def test_the_engine_setting_is_the_one_the_writers_read(two_threads):
    assert threads.count() == 2
    set_threads(1)
    assert threads.count() == 1 and get_threads() == 1
