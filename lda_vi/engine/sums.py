"""Sums whose bits do not depend on memory alignment, thread count or grouping."""

from __future__ import annotations

import math

import numpy as np


def exact_sum(values: np.ndarray) -> float:
    """Σ values, correctly rounded (math.fsum): the same bits whatever the array's
    memory alignment, unlike numpy's SIMD pairwise sum."""
    return math.fsum(np.ravel(values).tolist())


def exact_partials(values: np.ndarray) -> list[float]:
    """A few floats whose exact sum is the exact sum of ``values`` (at most ~40, usually
    two or three): ``math.fsum`` of the partials of several arrays, in any order, is
    the correctly rounded sum of all their values, the same bits as ``exact_sum`` of
    them joined. How a cluster sums per-document terms without sending them."""
    rest = np.ravel(values).tolist()
    partials: list[float] = []
    while True:
        s = math.fsum(rest)            # the remainder, rounded; exact once it is 0
        if s == 0.0 or not math.isfinite(s):
            return partials + ([s] if s != 0.0 else [])
        partials.append(s)
        rest.append(-s)


def in_order(partial: np.ndarray) -> np.ndarray:
    """Σ_i partial[i] over the first axis, added one row after the other from 0 (the
    blocks of a compiled pass, in block order): ``np.add.accumulate`` adds row i to the
    sum of the rows before it, element by element, which fixes the order (``sum``
    leaves it to numpy). Zeros when there are no rows."""
    if partial.shape[0] == 0:
        return np.zeros(partial.shape[1:])
    return np.add.accumulate(partial, axis=0)[-1]
