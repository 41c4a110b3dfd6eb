"""Sums whose bits do not depend on memory alignment, thread count or grouping."""

from __future__ import annotations

import math

import numpy as np


def exact_sum(values: np.ndarray) -> float:
    """Σ values, correctly rounded (math.fsum): the same bits whatever the array's
    memory alignment, unlike numpy's SIMD pairwise sum."""
    return math.fsum(np.ravel(values).tolist())
