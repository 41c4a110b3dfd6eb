"""The inner pass of the compiled E-step: one document's words against exp(Elogβ).

Helpers of :func:`lda_vi.engine.kernels.estep_docs` (compiled functions it calls); see
that module for the rules every kernel keeps. Shapes: K topics, n the document's
distinct words; ``bT`` (K×n) the document's columns of exp(Elogβ), ``t`` (K) its
exp(Elogθ), ``norm`` (n) the normalizers of φ (MATH.md E3), ``acc`` (K) the sums
Σ_w b_w n_dw / norm_w of (E4).

Every sum runs in one fixed order, written out in the code: the unrolled loops
below keep that order (they add the same terms to the same partial sum one after
the other) and only save loads and stores, so they give the bits of the plain
loops named in each docstring.
"""

from __future__ import annotations

from numba import njit

from lda_vi.engine.explog import fdiv
from lda_vi.engine.kernel_cache import bind_to_sources
from lda_vi.engine.lanes import lane_dot, transpose8


@njit(cache=True)
def gather_columns(expElogbetaT, ids, bT):
    """``bT[k, j]`` = expElogbetaT[ids[j], k]: a document's words of exp(Elogβ), K×n, so
    that (E3)'s normalizers vectorize over words. Blocks of eight words by eight topics
    go through :func:`lda_vi.engine.lanes.transpose8` (an 8×8 transpose in vector
    registers); the topics and words left over are copied one by one. Values are moved,
    never computed.

    Numpy equivalent: ``bT[...] = expElogbetaT[ids].T``.
    """
    K, n = bT.shape
    m = n - n % 8
    k8 = K - K % 8
    for j in range(0, m, 8):
        rows = ids[j:j + 8]
        for k in range(0, k8, 8):
            transpose8(expElogbetaT, rows, k, bT, j)
        for k in range(k8, K):
            for i in range(8):
                bT[k, j + i] = expElogbetaT[rows[i], k]
    for j in range(m, n):
        row = expElogbetaT[ids[j]]
        for k in range(K):
            bT[k, j] = row[k]


@njit(cache=True)
def normalizers(bT, t, norm):
    """norm_j = Σ_k t_k b_jk, k in order for each word j (MATH.md E3), vectorized over j.

    The plain loop: ``norm[:] = 0; for k: norm += t[k] * bT[k]``; eight topics per sweep
    of ``norm``, added one after the other. Numpy equivalent: ``norm[:] = t @ bT``.
    """
    K, n = bT.shape
    for j in range(n):
        norm[j] = 0.0
    k8 = K - K % 8
    for k in range(0, k8, 8):
        t0, t1, t2, t3 = t[k], t[k + 1], t[k + 2], t[k + 3]
        t4, t5, t6, t7 = t[k + 4], t[k + 5], t[k + 6], t[k + 7]
        c0, c1, c2, c3 = bT[k], bT[k + 1], bT[k + 2], bT[k + 3]
        c4, c5, c6, c7 = bT[k + 4], bT[k + 5], bT[k + 6], bT[k + 7]
        for j in range(n):
            s = (((norm[j] + t0 * c0[j]) + t1 * c1[j]) + t2 * c2[j]) + t3 * c3[j]
            norm[j] = (((s + t4 * c4[j]) + t5 * c5[j]) + t6 * c6[j]) + t7 * c7[j]
    for k in range(k8, K):
        tk = t[k]
        column = bT[k]
        for j in range(n):
            norm[j] += tk * column[j]


@njit(cache=True)
def accumulate(bT, cts, norm, ratio, acc):
    """acc_k = Σ_j b_jk n_j / norm_j (MATH.md E4): ``ratio`` (n) receives n_j / norm_j
    (a plain IEEE division: a normalizer that underflowed to 0 makes ``acc`` inf or NaN,
    which :func:`lda_vi.engine.kernels.estep_docs` turns into ZeroDivisionError),
    then each topic's row of ``bT`` is summed against it by :func:`lda_vi.engine.lanes.lane_dot`
    (eight lanes over j, in vector instructions), reading the document's gathered columns
    rather than scattered rows of exp(Elogβ).

    The plain loop: ``ratio = cts / norm; for k: acc[k] = lane_dot(bT[k], ratio)``, the
    order of :mod:`lda_vi.engine.lanes`. Numpy equivalent: ``acc[:] = bT @ (cts / norm)``.
    """
    K, n = bT.shape
    for j in range(n):
        ratio[j] = fdiv(cts[j], norm[j])   # vectorized; a zero norm gives inf, caught by the caller
    for k in range(K):
        acc[k] = lane_dot(bT[k], ratio)


@njit(cache=True)
def first_at_least(sorted_rows, row):
    """The first position in ``sorted_rows`` (increasing) whose value is ≥ ``row``: where a
    shard's documents begin in a word's column of the CSC index. A plain binary search:
    numba's ``np.searchsorted`` takes seconds to compile, this a fraction of one.

    Numpy equivalent: ``np.searchsorted(sorted_rows, row)`` (side 'left').
    """
    lo = 0
    hi = sorted_rows.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_rows[mid] < row:
            lo = mid + 1
        else:
            hi = mid
    return lo


bind_to_sources(globals())    # cached kernels recompile when any kernel file changes
