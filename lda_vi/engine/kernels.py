"""Compiled (numba) kernels of the E-step, parallel over documents or words.

Imported only through :mod:`lda_vi.engine.backend`, which falls back to the numpy
reference when numba is missing. Shapes: D documents, V words, K topics,
nnz non-zeros of the D×V count matrix (CSR arrays ``indptr``, ``indices``,
``data``).

Every reduction runs in an order fixed by the data alone (one document or one
word per parallel task, summed sequentially inside it), so results are
bit-identical for any number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from lda_vi.engine.special import digamma, digamma_lgamma

#: Let LLVM reassociate sums and fuse multiply-adds so the K-loops vectorize;
#: no approximate functions and no assumptions about NaN or infinity. The
#: vectorized order is fixed by the code, not by the arrays' alignment, so
#: results stay bit-identical run to run (tests/test_engine.py checks this
#: with arrays at different offsets).
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}

#: A cold restart replaces the warm result only when its bound is higher by
#: more than this (relative): near-ties, where both starts reach the same
#: optimum, keep the warm one whatever the rounding.
RESTART_MARGIN = 1e-8


@njit(cache=True, inline="always")
def _exp_elog(g, t):
    """t_k = exp(ψ(g_k) − ψ(Σ_j g_j)): exp of MATH.md (E1) for one document.

    Numpy equivalent: ``t[:] = np.exp(psi(g) - psi(g.sum()))``.
    """
    s = 0.0
    for k in range(g.shape[0]):
        s += g[k]
    psi_s = digamma(s)
    for k in range(g.shape[0]):
        t[k] = math.exp(digamma(g[k]) - psi_s)


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _dot(x, y):
    """Σ_k x_k y_k (the normalizer of φ, MATH.md E3).

    Numpy equivalent: ``x @ y``.
    """
    s = 0.0
    for k in range(x.shape[0]):
        s += x[k] * y[k]
    return s


@njit(cache=True, fastmath=FASTMATH)
def _doc_cavi(ids, cts, alpha, expElogbetaT, g, t, norm, acc, g_prev, e_tol, e_max_iter):
    """CAVI of one document, λ fixed: (E3) then (E4), one pass over its words per update.

    ``g`` (K) is the start on entry and the final γ_d on exit; ``g_prev`` the
    γ_d the last pass started from, ``t`` its exp(Elogθ) and ``norm`` (n) the
    normalizers of its φ. Stops when the mean |Δγ_d| < e_tol or after
    e_max_iter updates; with e_max_iter == 0 it only takes the normalizers.
    Returns the number of updates.

    Numpy equivalent: ``_doc_cavi_reference`` in :mod:`lda_vi.engine.estep`.
    """
    K = g.shape[0]
    n = ids.shape[0]
    _exp_elog(g, t)
    it = 0
    while True:
        for k in range(K):
            acc[k] = 0.0
        for j in range(n):
            b = expElogbetaT[ids[j]]
            s = _dot(t, b)
            norm[j] = s
            r = cts[j] / s
            for k in range(K):
                acc[k] += b[k] * r
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
        _exp_elog(g, t)


@njit(cache=True, fastmath=FASTMATH)
def _doc_bound(cts, norm, g_prev, alpha, neg_log_beta_alpha):
    """Bound of one document at γ_prev: Σ n log norm (B2) plus its θ terms of (B1).

    Numpy equivalent: ``(cts @ np.log(norm), doc_terms(g_prev[None], alpha)[0])``
    with :func:`lda_vi.engine.elbo.doc_terms`.
    """
    wb = 0.0
    for j in range(cts.shape[0]):
        wb += cts[j] * math.log(norm[j])
    return wb, _doc_terms(g_prev, alpha, neg_log_beta_alpha)


@njit(cache=True)
def estep_docs(docs, alpha, expElogbetaT, gamma, control, restart, out):
    """CAVI E-step of every document, λ fixed; updates ``gamma`` in place (warm start).

    ``docs`` = (indptr, indices, data), the CSR counts; ``control`` = (e_tol,
    e_max_iter); ``out`` = (expElogtheta, word_bound, doc_bound, n_inner,
    restarted), preallocated, described below.

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
    expElogtheta, word_bound, doc_bound, n_inner, restarted = out
    _estep_docs(indptr, indices, data, alpha, expElogbetaT, gamma, control[0], control[1],
                restart, expElogtheta, word_bound, doc_bound, n_inner, restarted)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def _estep_docs(indptr, indices, data, alpha, expElogbetaT, gamma, e_tol, e_max_iter, restart,
                expElogtheta, word_bound, doc_bound, n_inner, restarted):
    """The parallel loop of :func:`estep_docs`, over unpacked arguments (numba's parallel
    loops do not write through arrays unpacked from a tuple argument).

    Numpy equivalent: :func:`lda_vi.engine.estep.e_step_reference`.
    """
    D, K = gamma.shape
    A = alpha.shape[0]              # 1 (one α for all) or D (α_d per document, MATH.md C1)
    neg_log_beta = np.empty(A)      # −log B(α_d) = log Γ(Σ α_dk) − Σ log Γ(α_dk)
    for a in range(A):
        sum_alpha = 0.0
        total = 0.0
        for k in range(K):
            sum_alpha += alpha[a, k]
            total -= math.lgamma(alpha[a, k])
        neg_log_beta[a] = total + math.lgamma(sum_alpha)
    for d in prange(D):
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
            _exp_elog(g, t)
            word_bound[d] = 0.0
            doc_bound[d] = 0.0
            n_inner[d] = 0
            continue
        ids = indices[start:end]
        cts = data[start:end]
        norm = np.empty(n)
        acc = np.empty(K)
        g_prev = np.empty(K)
        it = _doc_cavi(ids, cts, alpha_d, expElogbetaT, g, t, norm, acc, g_prev, e_tol,
                       e_max_iter)
        wb, db = _doc_bound(cts, norm, g_prev, alpha_d, neg_log_beta_alpha)
        if restart[d]:
            g2 = np.empty(K)
            t2 = np.empty(K)
            norm2 = np.empty(n)
            g_prev2 = np.empty(K)
            length = 0.0
            for j in range(n):
                length += cts[j]
            for k in range(K):
                g2[k] = alpha_d[k] + length / K
            it2 = _doc_cavi(ids, cts, alpha_d, expElogbetaT, g2, t2, norm2, acc, g_prev2,
                            e_tol, e_max_iter)
            wb2, db2 = _doc_bound(cts, norm2, g_prev2, alpha_d, neg_log_beta_alpha)
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


@njit(cache=True, inline="always")
def _doc_terms(g, alpha, neg_log_beta_alpha):
    """θ terms of (B1) for one document: −log B(α) + log B(γ_d) + Σ_k (α_k − γ_dk) Elogθ_dk.

    Numpy equivalent: ``lda_vi.engine.elbo.doc_terms(g[None], alpha)[0]``.
    """
    s = 0.0
    for k in range(g.shape[0]):
        s += g[k]
    psi_s = digamma(s)
    total = neg_log_beta_alpha - math.lgamma(s)
    for k in range(g.shape[0]):
        total += math.lgamma(g[k]) + (alpha[k] - g[k]) * (digamma(g[k]) - psi_s)
    return total


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def sstats_by_word(csc, rows, expElogtheta, expElogbetaT, out):
    """Sufficient statistics S_kw = Σ_d n_dw φ_dwk, stored transposed in ``out`` (V×K).

    S_kw = b_kw Σ_d t_dk n_dw / (t_d·b_w) (MATH.md, E-step paragraph), with t_d
    the E-step's final exp(Elogθ_d); the normalizer is recomputed here rather
    than stored, which keeps the E-step's memory at the count matrix's size.
    One word per parallel task, its documents summed in row order: a fixed order.
    Only documents [row_lo, row_hi) count (a shard; ``expElogtheta`` holds its rows).
    ``csc`` = (csc_indptr, csc_rows, csc_to_csr, data), ``rows`` = (row_lo, row_hi).

    Numpy equivalent, with X the shard's D×V counts (CSR)::

        norm = (expElogtheta @ expElogbetaT.T)[X.nonzero()]          # t_d·b_w
        R = scipy.sparse.csr_matrix((X.data / norm, X.indices, X.indptr))
        out[...] = expElogbetaT * (R.T @ expElogtheta)
    """
    csc_indptr, csc_rows, csc_to_csr, data = csc
    row_lo, row_hi = rows
    V, K = out.shape
    for w in prange(V):
        acc = np.zeros(K)
        b = expElogbetaT[w]
        column = csc_rows[csc_indptr[w]:csc_indptr[w + 1]]
        first = csc_indptr[w] + np.searchsorted(column, row_lo)
        last = csc_indptr[w] + np.searchsorted(column, row_hi)
        for p in range(first, last):
            t = expElogtheta[csc_rows[p] - row_lo]
            r = data[csc_to_csr[p]] / _dot(t, b)
            for k in range(K):
                acc[k] += t[k] * r
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


#: Words per block of the topic pass: its sums are taken per block, then over the
#: blocks in order, whatever the number of threads.
TOPIC_BLOCK = 512


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def topic_pass(lamT, expElogbetaT, sums):
    """exp(Elogβ) (MATH.md E2) of λ given transposed (``lamT``, V×K) into
    ``expElogbetaT`` (V×K), and per-topic sums.

    ``sums`` (K×4) receives, for each topic k: Σ_w λ_kw, Σ_w log Γ(λ_kw),
    Σ_w λ_kw Elogβ_kw and Σ_w Elogβ_kw, from which the β terms of (B1) and the
    η update (H1) follow without a K×V Elogβ. Parallel over fixed blocks of
    words, each reading and writing whole rows; the blocks' partial sums are
    added in block order.

    Numpy equivalent (:func:`lda_vi.engine.topics.expect_topics`, numpy backend)::

        Elogbeta = psi(lamT.T) - psi(lamT.sum(axis=0))[:, None]          # (E2)
        expElogbetaT[...] = np.exp(Elogbeta.T)
        sums[...] = np.stack([lamT.sum(0), gammaln(lamT).sum(0),
                              (lamT.T * Elogbeta).sum(1), Elogbeta.sum(1)], axis=1)
    """
    V, K = lamT.shape
    n_blocks = (V + TOPIC_BLOCK - 1) // TOPIC_BLOCK
    partial = np.zeros((n_blocks, 4, K))
    for blk in prange(n_blocks):
        for w in range(blk * TOPIC_BLOCK, min(V, (blk + 1) * TOPIC_BLOCK)):
            row = lamT[w]
            for k in range(K):
                partial[blk, 0, k] += row[k]
    totals = np.zeros(K)
    for blk in range(n_blocks):
        for k in range(K):
            totals[k] += partial[blk, 0, k]
    psi_totals = np.empty(K)
    for k in range(K):
        psi_totals[k] = digamma(totals[k])
    for blk in prange(n_blocks):
        for w in range(blk * TOPIC_BLOCK, min(V, (blk + 1) * TOPIC_BLOCK)):
            row = lamT[w]
            out = expElogbetaT[w]
            for k in range(K):
                psi_x, lgamma_x = digamma_lgamma(row[k])
                e = psi_x - psi_totals[k]
                out[k] = math.exp(e)
                partial[blk, 1, k] += lgamma_x
                partial[blk, 2, k] += row[k] * e
                partial[blk, 3, k] += e
    for k in range(K):
        sums[k, 0] = totals[k]
        sums[k, 1] = 0.0
        sums[k, 2] = 0.0
        sums[k, 3] = 0.0
    for blk in range(n_blocks):
        for k in range(K):
            sums[k, 1] += partial[blk, 1, k]
            sums[k, 2] += partial[blk, 2, k]
            sums[k, 3] += partial[blk, 3, k]
