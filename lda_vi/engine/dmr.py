"""Covariates on topic prevalence: Dirichlet-multinomial regression inside variational EM.

Mimno & McCallum 2008; MATH.md "Covariates on topic prevalence" (C1)–(C3).

Glossary of shapes: D documents, K topics, F features (an intercept first, then the
covariates' columns).

- ``features``: D×F, the design matrix x_d (column 0 is the intercept, all ones).
- ``weights``: K×F, W; row w_k gives topic k's log prior α_dk = exp(x_d · w_k) (C1).
- ``precision``: F, 1/σ² of the Gaussian prior on each column of W (the intercept's
  σ is wider).
- ``Elogtheta``: D×K, E_q[log θ_dk] at the current γ (E1).

The M-step for W maximizes the terms of (B1) that hold α_d, plus the log prior of W
(C2), by L-BFGS with the analytic gradient (C3), warm-started from the last W. Only
(C2) depends on W at fixed γ, φ and λ, so a step that raises (C2) raises the bound:
:func:`fit_weights` keeps the new W only then, and the EM trace stays monotone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, psi

#: The largest linear predictor x_d · w_k allowed (α_dk ≤ e^40); beyond it the step
#: is refused, which keeps gammaln and ψ finite.
MAX_LOG_ALPHA = 40.0


def doc_alpha(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """α_dk = exp(x_d · w_k), D×K (C1)."""
    return np.exp(features @ weights.T)


def log_prior(weights: np.ndarray, precision: np.ndarray) -> float:
    """log N(W; 0, σ²) up to its constant: −Σ_kf w_kf² / (2σ_f²)."""
    return float(-0.5 * np.sum(weights * weights * precision[np.newaxis, :]))


def weights_objective(weights: np.ndarray, features: np.ndarray, Elogtheta: np.ndarray,
                      precision: np.ndarray) -> tuple[float, np.ndarray]:
    """(L_W, ∂L_W/∂W): the objective (C2) and its gradient (C3), K×F.

    Returns (−inf, zeros) when some x_d · w_k exceeds :data:`MAX_LOG_ALPHA`.
    """
    linear = features @ weights.T                                       # D×K
    if not np.all(np.isfinite(linear)) or linear.max(initial=-np.inf) > MAX_LOG_ALPHA:
        return -np.inf, np.zeros_like(weights)
    alpha = np.exp(linear)                                              # (C1)
    sum_alpha = alpha.sum(axis=1)
    value = (gammaln(sum_alpha).sum() - gammaln(alpha).sum()
             + ((alpha - 1.0) * Elogtheta).sum())                       # (C2), data part
    value += log_prior(weights, precision)
    inner = alpha * (psi(sum_alpha)[:, np.newaxis] - psi(alpha) + Elogtheta)
    grad = inner.T @ features - weights * precision[np.newaxis, :]     # (C3)
    return float(value), grad


@dataclass(frozen=True)
class WeightsStep:
    """The result of one M-step for W."""

    weights: np.ndarray   # K×F, the kept W (the old one when the step was refused)
    objective: float      # L_W at the kept W (C2)
    accepted: bool        # whether the new W raised (C2)
    iterations: int       # L-BFGS iterations


#: L-BFGS iterations per M-step. EM needs only an increase of (C2) per step, and the next
#: step starts from this one's W, so a few iterations each time keep the M-step cheap
#: (about a tenth of an E-step at K=20 on AP) while W converges over the EM iterations.
M_STEP_ITERATIONS = 10


def fit_weights(weights: np.ndarray, features: np.ndarray, Elogtheta: np.ndarray,
                precision: np.ndarray, *, max_iter: int = M_STEP_ITERATIONS) -> WeightsStep:
    """Maximize (C2) over W by L-BFGS from ``weights``; keep the result only if it is higher."""
    shape = weights.shape
    start = np.array(weights, dtype=np.float64)
    old_value, _ = weights_objective(start, features, Elogtheta, precision)

    def negative(flat: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = weights_objective(flat.reshape(shape), features, Elogtheta, precision)
        if not np.isfinite(value):
            return np.inf, np.zeros(flat.size)
        return -value, -grad.ravel()

    from scipy.optimize import minimize  # slow to import: only when covariates are fitted
    from threadpoolctl import threadpool_limits

    # L-BFGS works on K×F numbers: one BLAS thread, or its threads fight the kernels' (a
    # hundredfold slowdown seen after a parallel E-step)

    with threadpool_limits(1, user_api="blas"):
        result = minimize(negative, start.ravel(), jac=True, method="L-BFGS-B",
                          options={"maxiter": max_iter, "gtol": 1e-8, "ftol": 1e-14})
    new = np.ascontiguousarray(result.x.reshape(shape))
    new_value, _ = weights_objective(new, features, Elogtheta, precision)
    if np.isfinite(new_value) and new_value > old_value:
        return WeightsStep(new, new_value, True, int(result.nit))
    return WeightsStep(start, old_value, False, int(result.nit))


def initial_weights(alpha: np.ndarray, n_features: int) -> np.ndarray:
    """W with intercepts log α_k and zero slopes: the plain-LDA prior α (K×F)."""
    weights = np.zeros((alpha.shape[0], n_features))
    weights[:, 0] = np.log(alpha)
    return weights


def prevalence(features: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """E[θ | x] = α(x) / Σ_k α_k(x), one row per row of ``features`` (M×K)."""
    alpha = doc_alpha(features, weights)
    return alpha / alpha.sum(axis=1, keepdims=True)
