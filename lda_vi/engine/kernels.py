"""Compiled (numba) kernels of the E-step and the topic pass.

Imported only through :mod:`lda_vi.engine.backend`, which falls back to the numpy
references when numba is missing and runs these kernels on its threads. Shapes:
D documents, V words, K topics, nnz non-zeros of the D×V count matrix (CSR
arrays ``indptr``, ``indices``, ``data``).

Each kernel works on a range [lo, hi) of documents, words or word blocks and
releases the GIL (``nogil``): :func:`lda_vi.engine.backend.parallel_for` runs the
ranges on its threads. Plain functions compile several times faster than
numba's ``parallel=True`` loops, and a first run is not spent compiling.

Compile time (issue 17: a first run, with numba's cache empty, compiles every kernel
it uses): numba's typing and lowering cost grows with the code it is given and with
the number of functions, so :func:`estep_docs` holds the CAVI, the bound and both
starts of a document in one body (one call site per helper, no kernel of its own for
−log B(α)), and its helpers are compiled without Python wrappers or cache entries of
their own. ``benchmarks/bench_compile.py`` measures it.

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
from lda_vi.engine.kernel_cache import bind_to_sources
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

#: The E-step's error where a normalizer of φ underflowed to 0 (reported by
#: :mod:`lda_vi.engine.estep` as too many topics for the documents).
UNDERFLOW = "exp(E[log theta]) exp(E[log beta]) underflowed"

#: How many entries ahead :func:`sstats_by_word` prefetches the counts it will read.
PREFETCH_AHEAD = 8

#: How the E-step's helpers are compiled: called from compiled code only, so without the
#: wrappers that let Python call them, and not cached on their own (their code is in the
#: cached kernel that calls them). A first run compiles each once.
_HELPER = njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)


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


def _helper(kernel):
    """A private copy of a compiled helper for the kernels below (see ``_HELPER``); the
    helper itself stays as it is, cached and callable from Python (the tests call it)."""
    return _HELPER(kernel.py_func)


_exp_elog_helper = _helper(_exp_elog)
_gather_helper = _helper(gather_columns)
_normalizers_helper = _helper(normalizers)
_accumulate_helper = _helper(accumulate)


@njit(cache=True, nogil=True)
def estep_docs(lo, hi, docs, alpha, expElogbetaT, gamma, control, restart, out):
    """CAVI E-step of documents [lo, hi), λ fixed; updates ``gamma`` in place (warm start).

    ``docs`` = (indptr, indices, data), the CSR counts; ``alpha`` is A×K, A = 1
    (one α for all) or D (a prior α_d per document, MATH.md C1), whose −log B(α_d)
    (B1) is taken once per range (A = 1) or per document;
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
    down, and documents can leave the topic they were locked into. Both starts
    go through the same code (a loop over the starts).

    Outputs (preallocated): ``expElogtheta`` (D×K) the t of γ_prev (the
    sufficient statistics are taken from it by :func:`sstats_by_word`), ``word_bound[d]``,
    ``doc_bound[d]`` the θ terms of (B1) at γ_prev, ``n_inner[d]`` the number
    of γ updates made (both starts counted). An empty document gets γ_d = α,
    its t, and zeros.

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
    longest = 0
    for d in range(lo, hi):
        if indptr[d + 1] - indptr[d] > longest:
            longest = indptr[d + 1] - indptr[d]
    # per range: rows 0-1 the cold start's γ and t, 2-3 both starts' γ_prev, 4-5 their
    # Elogθ, 6 the sums of (E4) (and the bound's log Γ); rows 0-1 the normalizers of
    # both starts, 2 the ratios n_j / norm_j of (E4) (and the bound's logarithms)
    # and ``columns`` the document's K×n columns of exp(Elogβ)
    work = np.empty((7, K))
    words = np.empty((3, longest))
    columns = np.empty(K * longest)
    acc = work[6]
    for d in range(lo, hi):
        row = d if A > 1 else d - d     # (numba types both branches as d's integer)
        alpha_d = alpha[row]
        if d == lo or A > 1:             # −log B(α_d) = log Γ(Σ_k α_dk) − Σ_k log Γ(α_dk)
            sum_alpha = 0.0
            neg_log_beta = 0.0
            for k in range(K):
                sum_alpha += alpha_d[k]
                neg_log_beta -= math.lgamma(alpha_d[k])
            neg_log_beta += math.lgamma(sum_alpha)
        start = indptr[d]
        n = indptr[d + 1] - start
        ids = indices[start:start + n]
        cts = data[start:start + n]
        ratio = words[2, :n]
        bT = columns[:K * n].reshape((K, n))   # the document's words of exp(Elogβ), K×n
        _gather_helper(expElogbetaT, ids, bT)
        restarted[d] = 0
        it = 0
        wb = db = 0.0
        limit = e_max_iter if n > 0 else 0
        for cold in range(2 if n > 0 and restart[d] else 1):
            if cold:                     # the cold start α + N_d/K
                g = work[0]
                t = work[1]
                length = 0.0
                for j in range(n):
                    length += cts[j]
                for k in range(K):
                    g[k] = alpha_d[k] + length / K
            else:                        # the warm start, in place
                g = gamma[d]
                t = expElogtheta[d]
                if n == 0:
                    for k in range(K):
                        g[k] = alpha_d[k]
            norm = words[cold, :n]
            g_prev = work[2 + cold]
            elog = work[4 + cold]
            updates = 0
            while True:                  # CAVI: (E1), (E3), then (E4)
                _exp_elog_helper(g, t, elog)
                _normalizers_helper(bT, t, norm)    # norm_j = Σ_k t_k b_jk (E3)
                _accumulate_helper(bT, cts, norm, ratio, acc)   # acc_k = Σ_j b_jk n_j / norm_j
                for k in range(K):
                    g_prev[k] = g[k]
                if updates >= limit:
                    break
                delta = 0.0
                for k in range(K):
                    v = alpha_d[k] + t[k] * acc[k]
                    delta += abs(v - g[k])
                    g[k] = v
                if not delta < math.inf:     # a normalizer underflowed to 0 (inf or NaN):
                    for k in range(K):       # γ_d as it was, then the error
                        g[k] = g_prev[k]
                    raise ZeroDivisionError(UNDERFLOW)
                updates += 1
                if delta / K < e_tol or updates >= limit:
                    break
            it += updates
            # the bound at γ_prev: (B2), then the θ terms of (B1); the logarithms and
            # log Γ first, into ratio and acc, in loops that vectorize, then summed in order
            for j in range(n):
                ratio[j] = log_(norm[j])
            wb2 = 0.0
            for j in range(n):
                if norm[j] == 0.0:           # (log_ is defined for positive numbers only)
                    raise ZeroDivisionError(UNDERFLOW)
                wb2 += cts[j] * ratio[j]
            s = 0.0
            for k in range(K):
                s += g_prev[k]
                acc[k] = lgamma(g_prev[k])
            db2 = neg_log_beta - lgamma(s)
            for k in range(K):
                db2 += acc[k] + (alpha_d[k] - g_prev[k]) * elog[k]
            if n == 0:
                wb2 = db2 = 0.0
            if not cold:
                wb, db = wb2, db2
            elif wb2 + db2 > wb + db + RESTART_MARGIN * (1.0 + abs(wb + db)):
                for k in range(K):
                    gamma[d, k] = g[k]
                    expElogtheta[d, k] = t[k]
                wb, db = wb2, db2
                restarted[d] = 1
        word_bound[d] = wb
        doc_bound[d] = db
        n_inner[d] = it


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


bind_to_sources(globals())    # cached kernels recompile when any kernel file changes
