"""Compiled (numba) kernels of the E-step, parallel over documents or words.

Imported only through :mod:`lda_vi.estep`, which falls back to the numpy
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


@njit(cache=True, inline="always")
def digamma(x):
    """ψ(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series (error < 1e-14)."""
    r = 0.0
    while x < 6.0:
        r -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    series = f * (
        -1.0 / 12.0
        + f
        * (
            1.0 / 120.0
            + f * (-1.0 / 252.0 + f * (1.0 / 240.0 + f * (-1.0 / 132.0 + f * (691.0 / 32760.0))))
        )
    )
    return r + math.log(x) - 0.5 / x + series


@njit(cache=True, inline="always")
def _exp_elog(g, t):
    """t_k = exp(ψ(g_k) − ψ(Σ_j g_j)): exp of MATH.md (E1) for one document."""
    s = 0.0
    for k in range(g.shape[0]):
        s += g[k]
    psi_s = digamma(s)
    for k in range(g.shape[0]):
        t[k] = math.exp(digamma(g[k]) - psi_s)


@njit(cache=True, parallel=True)
def estep_docs(indptr, indices, data, alpha, expElogbetaT, gamma, e_tol, e_max_iter,
               ratio, expElogtheta, word_bound, n_inner):
    """CAVI E-step of every document, λ fixed; updates ``gamma`` in place (warm start).

    Per document d, with t = exp(Elogθ_d) and b_w = expElogbetaT[w]:
    loop { norm_w = t·b_w  (the normalizer of φ_dw·, MATH.md E3);
           stop if converged or e_max_iter updates done;
           γ_d ← α + t ⊙ Σ_w b_w n_dw / norm_w  (MATH.md E4) }.
    The final normalizers belong to the final γ_d, so φ is optimal for it.

    Outputs (preallocated): ``ratio[p] = n_dw / norm_w`` for each non-zero p,
    ``expElogtheta`` (D×K) the final t, ``word_bound[d] = Σ_w n_dw log norm_w``
    (MATH.md B2), ``n_inner[d]`` the number of γ updates.
    """
    D, K = gamma.shape
    for d in prange(D):
        start = indptr[d]
        end = indptr[d + 1]
        n = end - start
        g = gamma[d]
        t = expElogtheta[d]
        if n == 0:
            for k in range(K):
                g[k] = alpha[k]
            _exp_elog(g, t)
            word_bound[d] = 0.0
            n_inner[d] = 0
            continue
        norm = np.empty(n)
        acc = np.empty(K)
        _exp_elog(g, t)
        it = 0
        converged = False
        while True:
            for j in range(n):
                b = expElogbetaT[indices[start + j]]
                s = 0.0
                for k in range(K):
                    s += t[k] * b[k]
                norm[j] = s
            if converged or it >= e_max_iter:
                break
            for k in range(K):
                acc[k] = 0.0
            for j in range(n):
                b = expElogbetaT[indices[start + j]]
                r = data[start + j] / norm[j]
                for k in range(K):
                    acc[k] += b[k] * r
            delta = 0.0
            for k in range(K):
                v = alpha[k] + t[k] * acc[k]
                delta += abs(v - g[k])
                g[k] = v
            it += 1
            _exp_elog(g, t)
            converged = delta / K < e_tol
        wb = 0.0
        for j in range(n):
            c = data[start + j]
            ratio[start + j] = c / norm[j]
            wb += c * math.log(norm[j])
        word_bound[d] = wb
        n_inner[d] = it


@njit(cache=True, parallel=True)
def sstats_by_word(csc_indptr, csc_rows, csc_to_csr, ratio, expElogtheta, expElogbetaT, out):
    """Sufficient statistics S_kw = Σ_d n_dw φ_dwk, stored transposed in ``out`` (V×K).

    S_kw = b_kw Σ_d t_dk n_dw / norm_dw (MATH.md, E-step paragraph); one word
    per parallel task, its documents summed in row order: a fixed order.
    """
    V, K = out.shape
    for w in prange(V):
        acc = np.zeros(K)
        for p in range(csc_indptr[w], csc_indptr[w + 1]):
            t = expElogtheta[csc_rows[p]]
            r = ratio[csc_to_csr[p]]
            for k in range(K):
                acc[k] += t[k] * r
        b = expElogbetaT[w]
        for k in range(K):
            out[w, k] = b[k] * acc[k]
