"""Compiled (numba) kernels of the topic pass: exp(Elogβ) and the per-topic sums of λ.

Imported through :mod:`lda_vi.engine.backend`; driven by
:func:`lda_vi.engine.topics.expect_topics`. As in :mod:`lda_vi.engine.kernels`,
each kernel works on a range of fixed blocks of words and releases the GIL,
and the blocks' partial sums are added in block order: the same bits for any
number of threads. Shapes: V words, K topics; ``lamT`` is λ transposed (V×K).
"""

from __future__ import annotations

from numba import njit

from lda_vi.engine.explog import exp_
from lda_vi.engine.special import digamma, digamma_lgamma

#: Words per block of the topic pass: its sums are taken per block, then over the
#: blocks in order, whatever the number of threads.
TOPIC_BLOCK = 512


@njit(cache=True, nogil=True)
def topic_totals(lo, hi, lamT, partial):
    """Per-block column sums of λ: ``partial[blk, 0, k]`` = Σ_{w in block blk} λ_kw,
    for blocks [lo, hi) of ``TOPIC_BLOCK`` words (``lamT`` is λ transposed, V×K;
    ``partial`` is (blocks, 4, K), zeroed by the caller).

    Numpy equivalent: ``partial[blk, 0] = lamT[blk * TOPIC_BLOCK:(blk + 1) * TOPIC_BLOCK].sum(0)``.
    """
    V, K = lamT.shape
    for blk in range(lo, hi):
        for w in range(blk * TOPIC_BLOCK, min(V, (blk + 1) * TOPIC_BLOCK)):
            row = lamT[w]
            for k in range(K):
                partial[blk, 0, k] += row[k]


@njit(cache=True, nogil=True)
def topic_blocks(lo, hi, lamT, psi_totals, expElogbetaT, partial):
    """exp(Elogβ) (MATH.md E2) of the words of blocks [lo, hi) into ``expElogbetaT``
    (V×K), and each block's sums over its words of log Γ(λ_kw), λ_kw Elogβ_kw and
    Elogβ_kw into ``partial[blk, 1:4, k]``. ``psi_totals`` (K): ψ(Σ_w λ_kw).

    Numpy equivalent, for the words ``ws`` of a block::

        Elogbeta = psi(lamT[ws]) - psi_totals                           # (E2)
        expElogbetaT[ws] = np.exp(Elogbeta)
        partial[blk, 1:] = [gammaln(lamT[ws]).sum(0), (lamT[ws] * Elogbeta).sum(0),
                            Elogbeta.sum(0)]
    """
    V, K = lamT.shape
    for blk in range(lo, hi):
        for w in range(blk * TOPIC_BLOCK, min(V, (blk + 1) * TOPIC_BLOCK)):
            row = lamT[w]
            out = expElogbetaT[w]
            for k in range(K):
                psi_x, lgamma_x = digamma_lgamma(row[k])
                e = psi_x - psi_totals[k]
                out[k] = exp_(e)
                partial[blk, 1, k] += lgamma_x
                partial[blk, 2, k] += row[k] * e
                partial[blk, 3, k] += e


@njit(cache=True)
def sum_blocks(partial, row, out):
    """``out[k]`` = Σ_blk partial[blk, row, k], the blocks added in order.

    Numpy equivalent: ``out[:] = partial[:, row].sum(axis=0)`` (up to rounding).
    """
    for k in range(out.shape[0]):
        out[k] = 0.0
    for blk in range(partial.shape[0]):
        for k in range(out.shape[0]):
            out[k] += partial[blk, row, k]


@njit(cache=True)
def digamma_of(x, out):
    """``out[k]`` = ψ(x_k), the branch-free ψ of the kernels.

    Numpy equivalent: ``out[:] = scipy.special.psi(x)``.
    """
    for k in range(x.shape[0]):
        out[k] = digamma(x[k])
