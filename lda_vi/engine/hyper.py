"""Empirical-Bayes updates of the Dirichlet priors α and η, MATH.md (H1).

Both maximize, over a Dirichlet prior ``a`` shared by ``n`` distributions, the
terms of (B1) that contain it:

    f(a) = n (log Γ(Σ_j a_j) − Σ_j log Γ(a_j)) + Σ_j (a_j − 1) s_j,

with ``s_j`` the sum over the n distributions of E[log x_j]. For α: n = D
documents, s = Σ_d Elogθ_d (K). For η: n = K topics, s = Σ_k Elogβ_k (V).
f is concave, so Newton's method (linear time thanks to the diagonal-plus-
rank-one Hessian) with step-halving converges to its maximum; every accepted
step increases f, so the ELBO cannot decrease through these updates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import gammaln, polygamma, psi

from lda_vi.engine.sums import exact_sum

if TYPE_CHECKING:
    from lda_vi.engine.settings import Priors
    from lda_vi.engine.topics import TopicExpectations


def hyper_step(priors: Priors, alpha: np.ndarray, eta: float, *, elogtheta: np.ndarray,
               n_docs: float, topics: TopicExpectations | None, scale: float = 1.0,
               rho: float = 1.0) -> tuple[np.ndarray, float]:
    """One learning step of α and η (MATH.md H1), the same for batch and online EM.

    ``elogtheta`` (K) is Σ_d Elogθ_d of the documents' γ after the E-step (as the
    engines return it), ``topics`` the expectations of the new λ (needed when η is
    learned).
    The α objective's statistics are ``scale`` · Σ_d Elogθ_d, for ``n_docs``
    documents; batch EM passes its whole corpus (scale 1), online VB a minibatch
    scaled to the corpus (D/B). The maximizers are damped by ``rho`` (online: ρ_t;
    batch: 1, the maximizer itself). Returns the new (α, η).
    """
    if priors.learn_alpha:
        s = scale * elogtheta                                                 # Σ_d (E1)
        best = newton_dirichlet(alpha, s, n_docs)
        alpha = best if rho == 1.0 else (1.0 - rho) * alpha + rho * best
    if priors.learn_eta:
        if topics is None:
            raise ValueError("topics must be given to learn eta")
        n_words = topics.expElogbetaT.shape[0]
        s_eta = exact_sum(topics.sum_Elogbeta)
        best = (newton_symmetric(eta, s_eta, alpha.shape[0], n_words) if priors.seeds is None
                else priors.seeds.learn_eta(eta, s_eta))            # the base η of (S1)
        eta = best if rho == 1.0 else (1.0 - rho) * eta + rho * best
    return alpha, eta


def _objective(a: np.ndarray, s: np.ndarray, n: float) -> float:
    return float(n * (gammaln(a.sum()) - gammaln(a).sum()) + ((a - 1.0) * s).sum())


def newton_dirichlet(a: np.ndarray, s: np.ndarray, n: float, *, max_iter: int = 100,
                     tol: float = 1e-10) -> np.ndarray:
    """Maximize f over an asymmetric prior ``a`` (length K) by (H1); returns the new prior."""
    a = np.array(a, dtype=np.float64)
    if a.shape[0] < 2:          # one topic: θ = 1 surely, and f does not depend on α
        return a
    f = _objective(a, s, n)
    for _ in range(max_iter):
        g = n * (psi(a.sum()) - psi(a)) + s                    # (H1) gradient
        h = -n * polygamma(1, a)                              # diagonal of the Hessian
        z = n * polygamma(1, a.sum())                         # its rank-one part
        c = (g / h).sum() / (1.0 / z + (1.0 / h).sum())
        step = (g - c) / h
        cand, f, moved = _halving_step(a, step, s, n, f)
        # Stop on a short Newton step, or on a short step taken: near the maximum f's
        # last bits can refuse a full step that is still above tol, and halving then
        # moves a by ~1e-17 per iteration, up to max_iter.
        taken = np.max(np.abs(cand - a))
        a = cand
        if not moved or min(np.max(np.abs(step)), taken) < tol * np.max(a):
            break
    return a


def newton_symmetric(a: float, s_total: float, n: float, dim: int, *, max_iter: int = 100,
                     tol: float = 1e-10) -> float:
    """Maximize f over a symmetric prior a·1 of dimension ``dim``; ``s_total`` = Σ_j s_j."""
    a = float(a)
    f = n * (gammaln(dim * a) - dim * gammaln(a)) + (a - 1.0) * s_total
    for _ in range(max_iter):
        g = n * dim * (psi(dim * a) - psi(a)) + s_total
        h = n * dim * (dim * polygamma(1, dim * a) - polygamma(1, a))
        step = g / h
        scale = 1.0
        while True:
            cand = a - scale * step
            if cand > 0:
                f_new = n * (gammaln(dim * cand) - dim * gammaln(cand)) + (cand - 1.0) * s_total
                if f_new >= f:
                    break
            scale *= 0.5
            if scale < 1e-12:
                return a
        a, f = cand, f_new
        if abs(scale * step) < tol * a:
            break
    return a


def _halving_step(a, step, s, n, f):
    """Take ``a - step``, halving it while it leaves the positive orthant or lowers f."""
    scale = 1.0
    while scale >= 1e-12:
        cand = a - scale * step
        if np.all(cand > 0):
            f_new = _objective(cand, s, n)
            if f_new >= f:
                return cand, f_new, True
        scale *= 0.5
    return a, f, False
