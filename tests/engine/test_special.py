"""The branch-free ψ and log Γ of the kernels against scipy, and the kernels' docstrings."""

from __future__ import annotations

import inspect

import numba
import numpy as np
import pytest
from fits import lane_order_dot
from scipy.special import gammaln, psi

from lda_vi.engine import kernels, pass_kernels, special, topic_kernels

X = np.logspace(-100, 10, 20001)


@numba.njit
def _each(f, x):
    """f (a compiled scalar function) of every element of x."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = f(x[i])
    return out


@numba.njit
def _digamma_lgamma_all(x):
    psi_out = np.empty_like(x)
    lgamma_out = np.empty_like(x)
    for i in range(x.shape[0]):
        psi_out[i], lgamma_out[i] = special.digamma_lgamma(x[i])
    return psi_out, lgamma_out


def _assert_close(got, want, what):
    # relative error where |value| > 1, absolute near the zeros of ψ and log Γ; the bound is
    # the first omitted term of the asymptotic series at z = 6 (lda_vi/engine/special.py)
    err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
    worst = int(np.argmax(err))
    assert err[worst] < 3e-13, f"{what} at x={X[worst]!r}: {got[worst]!r} != {want[worst]!r}"


def test_digamma_matches_scipy_over_logspace():
    _assert_close(_each(special.digamma, X), psi(X), "digamma")


def test_digamma_lgamma_matches_scipy_over_logspace():
    got_psi, got_lgamma = _digamma_lgamma_all(X)
    _assert_close(got_psi, psi(X), "digamma_lgamma's psi")
    _assert_close(got_lgamma, gammaln(X), "digamma_lgamma's lgamma")


def test_lgamma_alone_is_the_lgamma_of_digamma_lgamma():
    got = _each(special.lgamma, X)
    _assert_close(got, gammaln(X), "lgamma")
    assert np.array_equal(got, _digamma_lgamma_all(X)[1])


COMPILED = [(module.__name__, name, obj)
            for module in (kernels, pass_kernels, special, topic_kernels)
            for name, obj in vars(module).items()
            if isinstance(obj, numba.core.registry.CPUDispatcher)
            and obj.py_func.__module__ == module.__name__]


@pytest.mark.parametrize("module, name, kernel", COMPILED, ids=[c[1] for c in COMPILED])
def test_every_compiled_kernel_states_its_numpy_equivalent(module, name, kernel):
    doc = inspect.getdoc(kernel.py_func) or ""
    assert "Numpy equivalent" in doc, f"{module}.{name} does not state its numpy equivalent"


def test_the_kernel_list_is_not_empty():
    names = {name for _, name, _ in COMPILED}
    assert {"estep_docs", "sstats_by_word", "topic_blocks", "digamma", "elogtheta_blocks",
            "normalizers", "accumulate", "gather_columns", "first_at_least"} <= names


def test_first_at_least_is_searchsorted():
    """The CSC column search of the statistics passes equals np.searchsorted (side 'left'),
    repeated values, empty columns and rows off either end included."""
    rng = np.random.default_rng(0)
    for _ in range(3000):
        column = np.sort(rng.integers(0, 40, size=int(rng.integers(0, 25)))).astype(np.int32)
        row = int(rng.integers(-2, 43))
        assert pass_kernels.first_at_least(column, row) == np.searchsorted(column, row)


def test_pass_helpers_equal_their_plain_loops_bit_for_bit():
    """The unrolled normalizers and the vector (E4) sums give the bits of the plain loops
    they stand for (the same terms added in the same order), for every remainder of 4
    and of 8."""
    rng = np.random.default_rng(1)
    for K in (1, 3, 4, 7, 50):
        for n in (1, 2, 5, 8, 13, 16, 23):
            table = rng.random((30, K)) * 1e-3
            ids = np.sort(rng.choice(30, size=n, replace=False)).astype(np.int32)
            cts = rng.integers(1, 5, size=n).astype(np.float64)
            t = rng.random(K)
            bT = np.empty((K, n))
            pass_kernels.gather_columns(table, ids, bT)
            assert np.array_equal(bT, table[ids].T)
            norm = np.empty(n)
            pass_kernels.normalizers(bT, t, norm)
            plain = np.zeros(n)
            for k in range(K):
                plain = plain + t[k] * bT[k]
            assert np.array_equal(norm, plain)
            acc = np.empty(K)
            ratio = np.empty(n)
            pass_kernels.accumulate(bT, cts, norm, ratio, acc)
            assert np.array_equal(ratio, cts / norm)
            plain = [lane_order_dot(bT[k], cts / norm) for k in range(K)]
            assert acc.tolist() == plain


RANGE_KERNELS = [(kernels, "estep_docs"), (kernels, "sstats_by_word"),
                 (kernels, "elogtheta_blocks"), (topic_kernels, "topic_totals"),
                 (topic_kernels, "topic_blocks")]


@pytest.mark.parametrize("module, name", RANGE_KERNELS, ids=[n for _, n in RANGE_KERNELS])
def test_range_kernels_release_the_gil(module, name):
    """The engine runs these on its own threads: they must not hold the GIL."""
    assert getattr(module, name).targetoptions.get("nogil") is True
