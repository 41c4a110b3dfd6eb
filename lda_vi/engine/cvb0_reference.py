"""Plain-Python/numpy reference of the CVB0 sweep and counts (MATH.md V2, V3).

The compiled kernels of :mod:`lda_vi.engine.cvb0_kernels` must agree with
these; they are also the fallback where numba is missing. Shapes as in
:mod:`lda_vi.engine.cvb0_kernels`: ``phi`` nnz×K (CSR order), ``ndk`` D×K,
``nwkT`` V×K, ``nk`` K, ``alpha`` K, ``eta`` a scalar.
"""

from __future__ import annotations

import numpy as np

#: As in the kernels: a left-out count below −STALE_TOL·(1 + |count|) is stale.
STALE_TOL = 1e-9


def sweep_reference(indptr, indices, data, phi, ndk, nwkT, nk, alpha, eta,
                    exclude_global: bool = True) -> int:
    """One CVB0 sweep (V2), one document and one non-zero at a time; returns the stale count.

    Same contract as :func:`lda_vi.engine.cvb0_kernels.sweep_docs`: ``phi``
    and ``ndk`` are updated in place, ``nwkT`` and ``nk`` (the counts of the
    sweep's start) only read.
    """
    V = nwkT.shape[0]
    g = 1.0 if exclude_global else 0.0
    stale = 0
    for d in range(ndk.shape[0]):
        for j in range(indptr[d], indptr[d + 1]):
            w, c = indices[j], data[j]
            f = min(c, 1.0) * phi[j]                       # one token's mass left out
            a = nwkT[w] - g * f
            e = ndk[d] - f
            if np.any(a < -STALE_TOL * (1.0 + nwkT[w])) or np.any(e < -STALE_TOL * (1.0 + ndk[d])):
                stale += 1
            a, e = np.maximum(a, 0.0), np.maximum(e, 0.0)
            b = np.maximum(nk - g * f, 0.0)
            p = (a + eta) / (b + V * eta) * (e + alpha)    # (V2)
            new = p / p.sum()
            ndk[d] += c * (new - phi[j])
            phi[j] = new
        lo, hi = indptr[d], indptr[d + 1]
        ndk[d] = data[lo:hi] @ phi[lo:hi] if hi > lo else 0.0
    return stale


def counts_reference(indptr, indices, data, phi, n_words: int):
    """(N_dk D×K, N_wk transposed V×K, N_k K) of φ, by plain sums."""
    D, K = indptr.shape[0] - 1, phi.shape[1]
    ndk = np.zeros((D, K))
    nwkT = np.zeros((n_words, K))
    for d in range(D):
        for j in range(indptr[d], indptr[d + 1]):
            ndk[d] += data[j] * phi[j]
            nwkT[indices[j]] += data[j] * phi[j]
    return ndk, nwkT, nwkT.sum(axis=0)


def scores_reference(indptr, indices, data, gamma, lam):
    """Per document, the word term (B2) and Σ_w n_dw log Σ_k θ̄_dk β̄_kw at γ, λ (D each)."""
    from scipy.special import psi

    Elogtheta = psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))
    Elogbeta = psi(lam) - psi(lam.sum(axis=1, keepdims=True))
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    beta = lam / lam.sum(axis=1, keepdims=True)
    D = gamma.shape[0]
    word_bound, loglik = np.zeros(D), np.zeros(D)
    for d in range(D):
        for j in range(indptr[d], indptr[d + 1]):
            w, c = indices[j], data[j]
            word_bound[d] += c * np.log(np.exp(Elogtheta[d] + Elogbeta[:, w]).sum())
            loglik[d] += c * np.log(theta[d] @ beta[:, w])
    return word_bound, loglik
