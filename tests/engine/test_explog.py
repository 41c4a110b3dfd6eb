"""The branch-free exp and log, the plain IEEE division and the eight-lane dot product
of the compiled kernels, against the C library and a plain Python loop."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("numba")

from fits import lane_order_dot  # noqa: E402
from numba import njit  # noqa: E402

from lda_vi.engine.explog import exp_, fdiv, log_  # noqa: E402
from lda_vi.engine.lanes import lane_dot, transpose8  # noqa: E402


@njit
def _exp_all(x, out):
    for i in range(x.shape[0]):
        out[i] = exp_(x[i])


@njit
def _log_all(x, out):
    for i in range(x.shape[0]):
        out[i] = log_(x[i])


@njit
def _fdiv_all(a, b, out):
    for i in range(a.shape[0]):
        out[i] = fdiv(a[i], b[i])


@njit
def _dot(x, y):
    return lane_dot(x, y)


def ulps(a: np.ndarray, b: np.ndarray) -> int:
    """The largest distance in units in the last place (finite values of one sign)."""
    return int(np.abs(a.view(np.int64) - b.view(np.int64)).max())


def library(f, x: np.ndarray) -> np.ndarray:
    return np.array([f(float(v)) for v in x])


def test_exp_is_within_one_ulp_of_the_c_library_everywhere():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-745.0, 709.7, 200_000),       # every binade of results
                        rng.uniform(-1.0, 1.0, 50_000),
                        rng.uniform(-1e-9, 1e-9, 10_000),
                        rng.uniform(-745.1, -708.0, 20_000),          # subnormal results
                        -np.abs(rng.standard_normal(20_000)) * 60,    # Elogθ-like values
                        [0.0, -0.0, 1.0, -1.0, 709.78, -708.39, -745.13, 1e-300]])
    got = np.empty_like(x)
    _exp_all(x, got)
    want = library(math.exp, x)
    assert ulps(got, want) <= 1
    assert np.mean(got == want) > 0.85


def test_exp_limits():
    x = np.array([-746.0, -800.0, -1e300, 710.0, 1e300, 0.0])
    got = np.empty_like(x)
    _exp_all(x, got)
    assert got.tolist() == [0.0, 0.0, 0.0, math.inf, math.inf, 1.0]


def test_log_is_within_one_ulp_of_the_c_library_everywhere():
    rng = np.random.default_rng(1)
    x = np.concatenate([np.exp(rng.uniform(-700.0, 700.0, 200_000)),
                        rng.uniform(6.0, 1e6, 50_000),                # ψ's shifted argument
                        1.0 + rng.uniform(-1e-6, 1e-6, 20_000),
                        rng.uniform(0.5, 2.0, 50_000),
                        np.exp(rng.uniform(-744.0, -708.5, 20_000)),  # subnormals
                        [1.0, 2.0, 0.5, math.sqrt(2.0), 5e-324, 2.2250738585072014e-308,
                         1.7976931348623157e308]])
    got = np.empty_like(x)
    _log_all(x, got)
    want = library(math.log, x)
    same_sign = np.sign(got) == np.sign(want)
    assert same_sign[want != 0].all()
    assert ulps(np.abs(got), np.abs(want)) <= 1
    assert got[x == 1.0].tolist() == [0.0] * int(np.sum(x == 1.0))


def test_fdiv_is_the_ieee_division():
    rng = np.random.default_rng(2)
    a = rng.standard_normal(10_000) * 10.0 ** rng.integers(-300, 300, 10_000)
    b = rng.standard_normal(10_000) * 10.0 ** rng.integers(-300, 300, 10_000)
    got = np.empty_like(a)
    _fdiv_all(a, b, got)
    with np.errstate(over="ignore", under="ignore"):
        assert np.array_equal(got, a / b)


def test_lane_dot_gives_the_bits_of_its_plain_loop_for_every_length_and_offset():
    rng = np.random.default_rng(3)
    big = rng.standard_normal(200) * 10.0 ** rng.integers(-8, 8, 200)
    other = rng.random(200)
    for n in range(0, 41):
        for offset in (0, 1, 3, 7):                  # unaligned starts of the same buffer
            x, y = big[offset:offset + n], other[offset + 5:offset + 5 + n]
            assert _dot(x, y) == lane_order_dot(x, y), (n, offset)


@njit
def _transpose(table, rows, k, out, j):
    transpose8(table, rows, k, out, j)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_transpose8_moves_an_eight_by_eight_block(dtype):
    rng = np.random.default_rng(4)
    table = rng.standard_normal((40, 19))
    for k, j in ((0, 0), (11, 3), (3, 9)):
        out = np.full((19, 17), np.nan)
        rows = rng.choice(40, size=8).astype(dtype)        # repeats allowed
        _transpose(table, rows, k, out, j)
        want = np.full((19, 17), np.nan)
        want[k:k + 8, j:j + 8] = table[rows, k:k + 8].T
        assert np.array_equal(out, want, equal_nan=True)
