"""Compiled (numba) kernels of the E-step and the topic pass.

Imported only through :mod:`lda_vi.engine.backend`, which falls back to the numpy
references when numba is missing and runs these kernels on its threads. Shapes:
D documents, V words, K topics, nnz non-zeros of the D×V count matrix (CSR
arrays ``indptr``, ``indices``, ``data``).

Each kernel works on a range [lo, hi) of documents, words or word blocks and
releases the GIL (``nogil``): :func:`lda_vi.engine.backend.parallel_for` runs the
ranges on its threads. Plain functions compile several times faster than
numba's ``parallel=True`` loops, and a first run is not spent compiling.

Every reduction runs in an order fixed by the code and the data alone (one
document, one word or one block per range item, summed sequentially inside
it), and no fast-math flag lets the compiler reorder a sum: results are
bit-identical for any number of threads, for any memory alignment, and
whether a kernel was just compiled or loaded from numba's cache. (With
``fastmath`` reassociation they were not: LLVM vectorized a sum one way when
compiling and another in the code it cached, so the first run after an install
differed from later ones in the last bits.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from lda_vi.engine.explog import exp_, log_
from lda_vi.engine.lanes import lane_dot, prefetch
from lda_vi.engine.pass_kernels import (
    accumulate,
    first_at_least,
    gather_columns,
    normalizers,
)
from lda_vi.engine.special import digamma, lgamma

#: The fast-math flags a kernel may use: none. Reassociation let LLVM pick a sum's
#: order differently when compiling and in the code it cached; contraction into
#: fused multiply-adds and reciprocal approximations change rounding where the
#: optimizer sees fit. (Kept as a name for the modules that import it.)
FASTMATH: set[str] = set()

#: A cold restart replaces the warm result only when its bound is higher by
#: more than this (relative): near-ties, where both starts reach the same
#: optimum, keep the warm one whatever the rounding.
RESTART_MARGIN = 1e-8

#: How many entries ahead :func:`sstats_by_word` prefetches the counts it will read.
PREFETCH_AHEAD = 8


@njit(cache=True)
def _exp_elog(g, t, elog):
    """elog_k = ψ(g_k) − ψ(Σ_j g_j) (MATH.md E1) and t_k = exp(elog_k), for one document
    (the bound reads ``elog`` back instead of taking ψ again: the same bits).

    Numpy equivalent: ``elog[:] = psi(g) - psi(g.sum()); t[:] = np.exp(elog)``.
    """
    s = 0.0
    for k in range(g.shape[0]):
        s += g[k]
    psi_s = digamma(s)
    for k in range(g.shape[0]):
        e = digamma(g[k]) - psi_s
        elog[k] = e
        t[k] = exp_(e)


@njit(cache=True)
def _doc_cavi(cts, alpha, bT, g, t, elog, norm, ratio, acc, g_prev, e_tol, e_max_iter):
    """CAVI of one document, λ fixed: (E3) then (E4), one pass over its words per update.

    ``g`` (K) is the start on entry and the final γ_d on exit; ``g_prev`` the
    γ_d the last pass started from, ``t`` its exp(Elogθ), ``elog`` its Elogθ and
    ``norm`` (n) the normalizers of its φ. Stops when the mean |Δγ_d| < e_tol or after
    e_max_iter updates; with e_max_iter == 0 it only takes the normalizers.
    Returns the number of updates.

    Numpy equivalent: ``_doc_cavi_reference`` in :mod:`lda_vi.engine.estep`.
    """
    K = g.shape[0]
    _exp_elog(g, t, elog)
    it = 0
    while True:
        normalizers(bT, t, norm)         # norm_j = Σ_k t_k b_jk, k in order (E3)
        accumulate(bT, cts, norm, ratio, acc)   # acc_k = Σ_j b_jk n_j / norm_j (E4)
        for k in range(K):
            g_prev[k] = g[k]
        if it >= e_max_iter:
            return it
        delta = 0.0
        for k in range(K):
            v = alpha[k] + t[k] * acc[k]
            delta += abs(v - g[k])
            g[k] = v
        it += 1
        if delta / K < e_tol or it >= e_max_iter:
            return it
        _exp_elog(g, t, elog)


@njit(cache=True)
def _doc_bound(cts, norm, g_prev, elog, alpha, neg_log_beta_alpha, scratch, scratch_k):
    """Bound of one document at γ_prev: Σ n log norm (B2) plus its θ terms of (B1),
    ``elog`` being Elogθ at γ_prev. The logarithms are taken first, into ``scratch`` (n),
    in a loop that vectorizes, then summed in order; ``scratch_k`` (K) serves
    :func:`_doc_terms` the same way.

    Numpy equivalent: ``(cts @ np.log(norm), doc_terms(g_prev[None], alpha)[0])``
    with :func:`lda_vi.engine.elbo.doc_terms`.
    """
    for j in range(cts.shape[0]):
        scratch[j] = log_(norm[j])
    wb = 0.0
    for j in range(cts.shape[0]):
        wb += cts[j] * scratch[j]
    return wb, _doc_terms(g_prev, elog, alpha, neg_log_beta_alpha, scratch_k)


@njit(cache=True, nogil=True)
def estep_docs(lo, hi, docs, alpha, neg_log_beta, expElogbetaT, gamma, control, restart,
               out):
    """CAVI E-step of documents [lo, hi), λ fixed; updates ``gamma`` in place (warm start).

    ``docs`` = (indptr, indices, data), the CSR counts; ``alpha`` is A×K, A = 1
    (one α for all) or D (a prior α_d per document, MATH.md C1), and
    ``neg_log_beta`` (A) its −log B(α_d) (:func:`neg_log_beta_rows`);
    ``control`` = (e_tol, e_max_iter); ``out`` = (expElogtheta, word_bound,
    doc_bound, n_inner, restarted), preallocated, described below.

    Per document d, with t = exp(Elogθ_d) and b_w = expElogbetaT[w], each
    update is one pass over the document's words:
    norm_w = t·b_w (the normalizer of φ_dw·, MATH.md E3), then
    γ_d ← α + t ⊙ Σ_w b_w n_dw / norm_w (E4), until the mean |Δγ_d| < e_tol
    or e_max_iter updates were made.

    The φ of the last pass is optimal for γ_prev, the γ_d that pass started
    from, so the bound (B2) and the sufficient statistics come from it with
    no further pass: ``word_bound`` and ``doc_bound`` are the bound at
    γ_prev, and γ_d = α + Σ n φ is the optimum for that φ, so returning it
    only raises the bound. With ``e_max_iter == 0`` one pass takes the
    normalizers of the given γ_d, which is left unchanged.

    Where ``restart[d]`` is set, the document is also solved from the cold start
    α + N_d/K and keeps whichever of the two results has the higher bound
    (``restarted[d]`` = 1 when the cold one won): the bound still cannot go
    down, and documents can leave the topic they were locked into.

    Outputs (preallocated): ``expElogtheta`` (D×K) the t of γ_prev (the
    sufficient statistics are taken from it by :func:`sstats_by_word`), ``word_bound[d]``,
    ``doc_bound[d]`` the θ terms of (B1) at γ_prev, ``n_inner[d]`` the number
    of γ updates made (both starts counted).

    Numpy equivalent: :func:`lda_vi.engine.estep.e_step_reference`, per document::

        t = np.exp(psi(g) - psi(g.sum()))             # (E1)
        norm = expElogbetaT[ids] @ t                   # (E3) normalizers
        g = alpha + t * ((cts / norm) @ expElogbetaT[ids])   # (E4)
    """
    indptr, indices, data = docs
    e_tol, e_max_iter = control
    expElogtheta, word_bound, doc_bound, n_inner, restarted = out
    K = gamma.shape[1]
    A = alpha.shape[0]
    for d in range(lo, hi):
        row = d if A > 1 else d - d     # (numba types both branches as d's integer)
        alpha_d = alpha[row]
        neg_log_beta_alpha = neg_log_beta[row]
        start = indptr[d]
        end = indptr[d + 1]
        n = end - start
        g = gamma[d]
        t = expElogtheta[d]
        restarted[d] = 0
        if n == 0:
            for k in range(K):
                g[k] = alpha_d[k]
            _exp_elog(g, t, np.empty(K))
            word_bound[d] = 0.0
            doc_bound[d] = 0.0
            n_inner[d] = 0
            continue
        ids = indices[start:end]
        cts = data[start:end]
        norm = np.empty(n)
        ratio = np.empty(n)
        acc = np.empty(K)
        g_prev = np.empty(K)
        elog = np.empty(K)
        bT = np.empty((K, n))            # the document's words of exp(Elogβ), K×n
        gather_columns(expElogbetaT, ids, bT)
        it = _doc_cavi(cts, alpha_d, bT, g, t, elog, norm, ratio, acc, g_prev, e_tol,
                       e_max_iter)
        wb, db = _doc_bound(cts, norm, g_prev, elog, alpha_d, neg_log_beta_alpha, ratio,
                            acc)
        if restart[d]:
            g2 = np.empty(K)
            t2 = np.empty(K)
            norm2 = np.empty(n)
            g_prev2 = np.empty(K)
            elog2 = np.empty(K)
            length = 0.0
            for j in range(n):
                length += cts[j]
            for k in range(K):
                g2[k] = alpha_d[k] + length / K
            it2 = _doc_cavi(cts, alpha_d, bT, g2, t2, elog2, norm2, ratio, acc, g_prev2, e_tol,
                            e_max_iter)
            wb2, db2 = _doc_bound(cts, norm2, g_prev2, elog2, alpha_d, neg_log_beta_alpha,
                                  ratio, acc)
            if wb2 + db2 > wb + db + RESTART_MARGIN * (1.0 + abs(wb + db)):
                for k in range(K):
                    g[k] = g2[k]
                    t[k] = t2[k]
                for j in range(n):
                    norm[j] = norm2[j]
                wb, db = wb2, db2
                restarted[d] = 1
            it += it2
        word_bound[d] = wb
        doc_bound[d] = db
        n_inner[d] = it


@njit(cache=True)
def neg_log_beta_rows(alpha, out):
    """``out[a]`` = −log B(α_a) = log Γ(Σ_k α_ak) − Σ_k log Γ(α_ak), for each row of
    ``alpha`` (A×K).

    Numpy equivalent: ``out[:] = gammaln(alpha.sum(1)) - gammaln(alpha).sum(1)``.
    """
    for a in range(alpha.shape[0]):
        sum_alpha = 0.0
        total = 0.0
        for k in range(alpha.shape[1]):
            sum_alpha += alpha[a, k]
            total -= math.lgamma(alpha[a, k])
        out[a] = total + math.lgamma(sum_alpha)


@njit(cache=True)
def _doc_terms(g, elog, alpha, neg_log_beta_alpha, scratch):
    """θ terms of (B1) for one document: −log B(α) + log B(γ_d) + Σ_k (α_k − γ_dk) Elogθ_dk,
    with ``elog`` = Elogθ_d of ``g`` (from :func:`_exp_elog`); log Γ(γ_dk) is taken into
    ``scratch`` (K) first, in a loop that vectorizes, then the terms are added in order.

    Numpy equivalent: ``lda_vi.engine.elbo.doc_terms(g[None], alpha)[0]``.
    """
    s = 0.0
    for k in range(g.shape[0]):
        s += g[k]
        scratch[k] = lgamma(g[k])
    total = neg_log_beta_alpha - lgamma(s)
    for k in range(g.shape[0]):
        total += scratch[k] + (alpha[k] - g[k]) * elog[k]
    return total


@njit(cache=True, nogil=True)
def sstats_by_word(lo, hi, csc, rows, expElogtheta, expElogbetaT, out):
    """Sufficient statistics S_kw = Σ_d n_dw φ_dwk of words [lo, hi), stored transposed
    in ``out`` (V×K).

    S_kw = b_kw Σ_d t_dk n_dw / (t_d·b_w) (MATH.md, E-step paragraph), with t_d
    the E-step's final exp(Elogθ_d); the normalizer is recomputed here rather
    than stored, which keeps the E-step's memory at the count matrix's size.
    Each word's documents are summed in row order, one after the other: a fixed order
    (taken two at a time, so that their normalizers overlap, and with the counts of the
    entries ``PREFETCH_AHEAD`` further on prefetched: the same sums).
    Only documents [row_lo, row_hi) count (a shard; ``expElogtheta`` holds its rows).
    ``csc`` = (csc_indptr, csc_rows, csc_to_csr, data), ``rows`` = (row_lo, row_hi).

    Numpy equivalent, with X the shard's D×V counts (CSR)::

        norm = (expElogtheta @ expElogbetaT.T)[X.nonzero()]          # t_d·b_w
        R = scipy.sparse.csr_matrix((X.data / norm, X.indices, X.indptr))
        out[...] = expElogbetaT * (R.T @ expElogtheta)
    """
    csc_indptr, csc_rows, csc_to_csr, data = csc
    row_lo, row_hi = rows
    K = out.shape[1]
    last_entry = csc_rows.shape[0] - 1
    acc = np.empty(K)
    for w in range(lo, hi):
        for k in range(K):
            acc[k] = 0.0
        b = expElogbetaT[w]
        column = csc_rows[csc_indptr[w]:csc_indptr[w + 1]]
        p = csc_indptr[w] + first_at_least(column, row_lo)
        last = csc_indptr[w] + first_at_least(column, row_hi)
        while p + 1 < last:
            ahead = min(p + PREFETCH_AHEAD, last_entry - 1)
            prefetch(data, csc_to_csr[ahead])
            prefetch(data, csc_to_csr[ahead + 1])
            t1 = expElogtheta[csc_rows[p] - row_lo]
            t2 = expElogtheta[csc_rows[p + 1] - row_lo]
            r1 = data[csc_to_csr[p]] / lane_dot(t1, b)
            r2 = data[csc_to_csr[p + 1]] / lane_dot(t2, b)
            for k in range(K):
                acc[k] = (acc[k] + t1[k] * r1) + t2[k] * r2
            p += 2
        if p < last:
            t1 = expElogtheta[csc_rows[p] - row_lo]
            r1 = data[csc_to_csr[p]] / lane_dot(t1, b)
            for k in range(K):
                acc[k] += t1[k] * r1
        for k in range(K):
            out[w, k] = b[k] * acc[k]


@njit(cache=True)
def build_csc(indptr, indices, n_words, csc_indptr, csc_rows, csc_to_csr):
    """The non-zeros by word (a counting sort of the CSR by column): ``csc_indptr``
    (V+1), ``csc_rows`` (each word's documents in increasing order) and
    ``csc_to_csr`` (each entry's CSR position).

    Numpy equivalent::

        order = np.argsort(indices, kind="stable")
        csc_indptr[1:] = np.cumsum(np.bincount(indices, minlength=n_words))
        csc_rows[:] = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))[order]
        csc_to_csr[:] = order
    """
    csc_indptr[:] = 0
    for p in range(indices.shape[0]):
        csc_indptr[indices[p] + 1] += 1
    for w in range(n_words):
        csc_indptr[w + 1] += csc_indptr[w]
    fill = csc_indptr[:-1].copy()
    for d in range(indptr.shape[0] - 1):
        for p in range(indptr[d], indptr[d + 1]):
            q = fill[indices[p]]
            csc_rows[q] = d
            csc_to_csr[q] = p
            fill[indices[p]] = q + 1


#: Documents per block of :func:`elogtheta_blocks`: sums per block, then over the
#: blocks in order, whatever the number of threads.
ELOG_BLOCK = 1024


@njit(cache=True, nogil=True)
def elogtheta_blocks(lo, hi, gamma, partial):
    """``partial[blk, k]`` = Σ_{d in block blk} Elogθ_dk (MATH.md E1) for blocks [lo, hi)
    of ``ELOG_BLOCK`` documents of ``gamma`` (D×K): the statistics of the α update (H1).

    Numpy equivalent: ``partial[blk] = dirichlet_expectation(gamma[rows]).sum(axis=0)``.
    """
    D, K = gamma.shape
    for blk in range(lo, hi):
        for k in range(K):
            partial[blk, k] = 0.0
        for d in range(blk * ELOG_BLOCK, min(D, (blk + 1) * ELOG_BLOCK)):
            g = gamma[d]
            s = 0.0
            for k in range(K):
                s += g[k]
            psi_s = digamma(s)
            for k in range(K):
                partial[blk, k] += digamma(g[k]) - psi_s
