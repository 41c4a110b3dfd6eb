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
from lda_vi.engine.kernel_cache import bind_to_sources
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
        end = (blk + 1) * TOPIC_BLOCK
        for w in range(blk * TOPIC_BLOCK, end if end < V else V):
            row = lamT[w]
            for k in range(K):
                partial[blk, 0, k] += row[k]


@njit(cache=True, nogil=True)
def topic_blocks(lo, hi, lamT, lam_sum, expElogbetaT, partial):
    """exp(Elogβ) (MATH.md E2) of the words of blocks [lo, hi) into ``expElogbetaT``
    (V×K), and each block's sums over its words of log Γ(λ_kw), λ_kw Elogβ_kw and
    Elogβ_kw into ``partial[blk, 1:4, k]``. ``lam_sum`` (K): Σ_w λ_kw, whose ψ each
    range takes once, into ``partial[lo, 0]`` (read back from there; the block sums of
    row 0 are no longer needed).

    Numpy equivalent, for the words ``ws`` of a block::

        Elogbeta = psi(lamT[ws]) - psi(lam_sum)                         # (E2)
        expElogbetaT[ws] = np.exp(Elogbeta)
        partial[blk, 1:] = [gammaln(lamT[ws]).sum(0), (lamT[ws] * Elogbeta).sum(0),
                            Elogbeta.sum(0)]
    """
    V, K = lamT.shape
    psi_totals = partial[lo, 0]
    for k in range(K):
        psi_totals[k] = digamma(lam_sum[k])
    for blk in range(lo, hi):
        end = (blk + 1) * TOPIC_BLOCK
        for w in range(blk * TOPIC_BLOCK, end if end < V else V):
            row = lamT[w]
            out = expElogbetaT[w]
            for k in range(K):
                psi_x, lgamma_x = digamma_lgamma(row[k])
                e = psi_x - psi_totals[k]
                out[k] = exp_(e)
                partial[blk, 1, k] += lgamma_x
                partial[blk, 2, k] += row[k] * e
                partial[blk, 3, k] += e


bind_to_sources(globals())    # cached kernels recompile when any kernel file changes
