"""Compiled (numba) kernels of collapsed variational inference, CVB0 (MATH.md V1–V4).

Imported only through :mod:`lda_vi.engine.cvb0`, which falls back to the plain
reference sweep when numba is missing. Glossary of shapes: D documents, V
words, K topics, nnz non-zeros of the D×V counts (CSR ``indptr``, ``indices``,
``data``; CSC index ``csc_indptr``, ``csc_rows``, ``csc_to_csr``).

- ``phi``: nnz×K, φ_dw· of each non-zero, in CSR order (shared by its n_dw tokens).
- ``ndk``: D×K, N_dk.  ``nwkT``: V×K, N_wk (transposed, so a word's topics are
  contiguous).  ``nk``: K, N_k.  ``alpha``: K.  ``eta``: the symmetric prior η.

Every reduction runs in an order fixed by the data alone (one document, one
word or one fixed block of words per parallel task, summed sequentially
inside it, blocks added in order), so results are bit-identical for any
number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from lda_vi.engine.kernel_cache import bind_to_sources
from lda_vi.engine.kernels import FASTMATH
from lda_vi.engine.pass_kernels import first_at_least
from lda_vi.engine.special import digamma

#: Words per block of the η fixed point's sums (fixed, so the sum order is too).
WORD_BLOCK = 512

#: A left-out count below −STALE_TOL·(1 + |count|) is stale, not rounding noise.
STALE_TOL = 1e-9


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def sweep_docs(indptr, indices, data, phi, ndk, nwkT, nk, alpha, eta, exclude_global):
    """One CVB0 sweep over documents in parallel, MATH.md (V2); returns the stale count.

    Each document's non-zeros are updated in order; its N_dk is updated in
    place after each, then summed again from its φ (no drift). The topic-word
    counts ``nwkT``, ``nk`` are those of the sweep's start and are only read.
    One token's mass, min(n_dw, 1)·φ_dwk, is left out of every count (the whole
    mass where a count is below one); with ``exclude_global`` false (documents
    not in ``nwkT``, e.g. new ones) it is left out of N_dk only. A left-out
    count below zero is clipped to zero (the stale-count guard); those beyond
    rounding noise are counted and returned.
    """
    D, K = ndk.shape
    v_eta = nwkT.shape[0] * eta
    g = 1.0 if exclude_global else 0.0
    stale = 0
    for d in prange(D):
        p = np.empty(K)
        nd = ndk[d]
        for j in range(indptr[d], indptr[d + 1]):
            w = indices[j]
            c = data[j]
            own = min(c, 1.0)
            row = phi[j]
            nw = nwkT[w]
            s = 0.0
            worst = 0.0
            for k in range(K):
                f = own * row[k]
                a = nw[k] - g * f
                e = nd[k] - f
                worst = min(worst, a + STALE_TOL * (1.0 + nw[k]), e + STALE_TOL * (1.0 + nd[k]))
                a = max(a, 0.0)                                       # the stale-count guard
                e = max(e, 0.0)
                b = max(nk[k] - g * f, 0.0)
                val = (a + eta) / (b + v_eta) * (e + alpha[k])        # (V2)
                p[k] = val
                s += val
            if worst < 0.0:
                stale += 1
            inv = 1.0 / s
            for k in range(K):
                new = p[k] * inv
                nd[k] += c * (new - row[k])
                row[k] = new
        for k in range(K):
            nd[k] = 0.0
        for j in range(indptr[d], indptr[d + 1]):
            c = data[j]
            row = phi[j]
            for k in range(K):
                nd[k] += c * row[k]
    return stale


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def word_counts(csc_indptr, csc_rows, csc_to_csr, data, row_lo, row_hi, phi, out):
    """N_wk = Σ_d n_dw φ_dwk over documents [row_lo, row_hi), into ``out`` (V×K).

    One word per parallel task, its documents summed in row order.
    """
    V, K = out.shape
    for w in prange(V):
        acc = out[w]
        for k in range(K):
            acc[k] = 0.0
        column = csc_rows[csc_indptr[w]:csc_indptr[w + 1]]
        first = csc_indptr[w] + first_at_least(column, row_lo)
        last = csc_indptr[w] + first_at_least(column, row_hi)
        for q in range(first, last):
            j = csc_to_csr[q]
            c = data[j]
            row = phi[j]
            for k in range(K):
                acc[k] += c * row[k]


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def doc_counts(indptr, data, phi, ndk):
    """N_dk = Σ_w n_dw φ_dwk (D×K), each document's non-zeros in order."""
    D, K = ndk.shape
    for d in prange(D):
        nd = ndk[d]
        for k in range(K):
            nd[k] = 0.0
        for j in range(indptr[d], indptr[d + 1]):
            c = data[j]
            row = phi[j]
            for k in range(K):
                nd[k] += c * row[k]


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def topic_totals(nwkT, out):
    """N_k = Σ_w N_wk (K), over fixed blocks of words added in block order."""
    V, K = nwkT.shape
    n_blocks = (V + WORD_BLOCK - 1) // WORD_BLOCK
    partial = np.zeros((n_blocks, K))
    for blk in prange(n_blocks):
        for w in range(blk * WORD_BLOCK, min(V, (blk + 1) * WORD_BLOCK)):
            for k in range(K):
                partial[blk, k] += nwkT[w, k]
    for k in range(K):
        out[k] = 0.0
    for blk in range(n_blocks):
        for k in range(K):
            out[k] += partial[blk, k]


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def doc_scores(indptr, indices, data, expElogtheta, expElogbetaT, theta, betaT,
               word_bound, loglik):
    """Per document: the word term (B2), Σ_w n_dw log Σ_k exp(Elogθ_dk + Elogβ_kw), into
    ``word_bound``, and Σ_w n_dw log Σ_k θ̄_dk β̄_kw into ``loglik`` (D each)."""
    D, K = theta.shape
    for d in prange(D):
        t = expElogtheta[d]
        th = theta[d]
        wb = 0.0
        ll = 0.0
        for j in range(indptr[d], indptr[d + 1]):
            b = expElogbetaT[indices[j]]
            bb = betaT[indices[j]]
            s1 = 0.0
            s2 = 0.0
            for k in range(K):
                s1 += t[k] * b[k]
                s2 += th[k] * bb[k]
            wb += data[j] * math.log(s1)
            ll += data[j] * math.log(s2)
        word_bound[d] = wb
        loglik[d] = ll


@njit(cache=True, inline="always")
def _psi_gain(n, q, a, psi_a, corrected):
    """E[ψ(n + a)] − ψ(a) for a count of mean ``n``: ψ(n + a) − ψ(a) (V4), or, corrected,
    q·[ψ(n/q + a) − ψ(a)] with q = P(count ≥ 1) (0 where q is 0)."""
    if not corrected:
        return digamma(n + a) - psi_a
    if q <= 0.0:
        return 0.0
    return q * (digamma(n / q + a) - psi_a)


@njit(cache=True, parallel=True)
def alpha_terms(ndk, nd, alpha, qdk, corrected):
    """The sums of the α fixed point (V4): Σ_d [ψ(N_dk + α_k) − ψ(α_k)] (K) (corrected:
    see :func:`_psi_gain`, ``qdk`` D×K) and Σ_d [ψ(N_d + Σα) − ψ(Σα)], one topic per
    parallel task, documents in order."""
    D, K = ndk.shape
    num = np.zeros(K)
    for k in prange(K):
        psi_a = digamma(alpha[k])
        s = 0.0
        for d in range(D):
            s += _psi_gain(ndk[d, k], qdk[d, k] if corrected else 1.0, alpha[k], psi_a,
                           corrected)
        num[k] = s
    a_sum = 0.0
    for k in range(K):
        a_sum += alpha[k]
    psi_sum = digamma(a_sum)
    den = 0.0
    for d in range(D):
        den += digamma(nd[d] + a_sum) - psi_sum
    return num, den


@njit(cache=True, parallel=True)
def eta_terms(nwkT, nk, eta, qwkT, corrected):
    """The sums of the η fixed point (V4): Σ_kw [ψ(N_wk + η) − ψ(η)] (corrected: see
    :func:`_psi_gain`, ``qwkT`` V×K) and Σ_k [ψ(N_k + Vη) − ψ(Vη)], over fixed blocks
    of words added in order."""
    V, K = nwkT.shape
    n_blocks = (V + WORD_BLOCK - 1) // WORD_BLOCK
    partial = np.zeros(n_blocks)
    psi_eta = digamma(eta)
    for blk in prange(n_blocks):
        s = 0.0
        for w in range(blk * WORD_BLOCK, min(V, (blk + 1) * WORD_BLOCK)):
            for k in range(K):
                s += _psi_gain(nwkT[w, k], qwkT[w, k] if corrected else 1.0, eta, psi_eta,
                               corrected)
        partial[blk] = s
    num = 0.0
    for blk in range(n_blocks):
        num += partial[blk]
    psi_v = digamma(V * eta)
    den = 0.0
    for k in range(K):
        den += digamma(nk[k] + V * eta) - psi_v
    return num, den


#: A probability of no token below this is taken as 0 (keeps products out of subnormals).
ZERO_FLOOR = 1e-200


@njit(cache=True, inline="always")
def _times_power(acc, row, c):
    """acc_k ← acc_k · (1 − row_k)^c, floored to 0 below ZERO_FLOOR."""
    K = acc.shape[0]
    if c == 1.0:
        for k in range(K):
            v = acc[k] * (1.0 - row[k])
            acc[k] = v if v >= ZERO_FLOOR else 0.0
    else:
        for k in range(K):
            v = acc[k] * (1.0 - row[k]) ** c
            acc[k] = v if v >= ZERO_FLOOR else 0.0


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def doc_zero_probs(indptr, data, phi, out):
    """P(N_dk = 0) = Π_w (1 − φ_dwk)^n_dw (D×K): under q(z) the tokens are independent,
    so a document holds no token of topic k with this probability."""
    D, K = out.shape
    for d in prange(D):
        acc = out[d]
        for k in range(K):
            acc[k] = 1.0
        for j in range(indptr[d], indptr[d + 1]):
            _times_power(acc, phi[j], data[j])


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def word_zero_probs(csc_indptr, csc_to_csr, data, phi, out):
    """P(N_wk = 0) = Π_d (1 − φ_dwk)^n_dw (V×K), each word's documents in order."""
    V, K = out.shape
    for w in prange(V):
        acc = out[w]
        for k in range(K):
            acc[k] = 1.0
        for q in range(csc_indptr[w], csc_indptr[w + 1]):
            j = csc_to_csr[q]
            _times_power(acc, phi[j], data[j])


bind_to_sources(globals())    # cached kernels recompile when any kernel file changes
