"""The evidence lower bound (ELBO), MATH.md (B1) with the word line in form (B2).

Glossary of shapes: D documents, V words, K topics.
``gamma`` D×K, ``Elogtheta`` D×K, ``alpha`` K, ``lam`` K×V, ``Elogbeta`` K×V,
``eta`` V (a symmetric prior is passed as a constant vector) or K×V (one prior per
topic, as seed words make it, MATH.md S1), ``word_bound`` D
(from the E-step, B2).

L = Σ_d [doc_terms_d + word_bound_d] + topic_terms.
"""

from __future__ import annotations

import numpy as np

from lda_vi.engine.dirichlet import dirichlet_expectation, log_beta_function


def doc_terms(gamma: np.ndarray, alpha: np.ndarray,
              Elogtheta: np.ndarray | None = None) -> np.ndarray:
    """Per-document θ terms of (B1), D values.

    log Γ(Σα) − Σ log Γ(α_k) + Σ (α_k − 1) Elogθ_dk
    − log Γ(Σγ_d) + Σ log Γ(γ_dk) − Σ (γ_dk − 1) Elogθ_dk
    = −log B(α) + log B(γ_d) + Σ_k (α_k − γ_dk) Elogθ_dk.
    """
    if Elogtheta is None:
        Elogtheta = dirichlet_expectation(gamma)
    return (log_beta_function(gamma) - log_beta_function(alpha)
            + ((alpha - gamma) * Elogtheta).sum(axis=1))


def topic_terms(lam: np.ndarray, eta: np.ndarray, Elogbeta: np.ndarray | None = None) -> float:
    """The β terms of (B1), summed over topics.

    Σ_k [−log B(η_k) + log B(λ_k) + Σ_w (η_kw − λ_kw) Elogβ_kw], with η_k = η for a
    vector η and the row k of a K×V η (S1).
    """
    if Elogbeta is None:
        Elogbeta = dirichlet_expectation(lam)
    eta = np.asarray(eta, dtype=np.float64)
    prior = np.sum(log_beta_function(eta)) * (1 if eta.ndim == 2 else lam.shape[0])
    return float(log_beta_function(lam).sum() - prior
                 + ((eta - lam) * Elogbeta).sum())
