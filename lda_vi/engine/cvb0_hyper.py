"""Hyperparameters of CVB0: Minka's fixed point on the expected counts (MATH.md V4),
or Newton on the bound (B1) at the implied γ, λ (V3, then H1).

Shapes: D documents, V words, K topics; ``ndk`` D×K, ``nd`` D (N_d = Σ_k N_dk),
``nwkT`` V×K, ``nk`` K, ``alpha`` K, ``eta`` a scalar.

The fixed point raises the Dirichlet-multinomial (Pólya) likelihood of the
expected counts; each call takes a few steps, since the counts move between
sweeps anyway. Both methods are deterministic, whatever the thread count.
"""

from __future__ import annotations

import numpy as np
from scipy.special import psi

from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.hyper import newton_dirichlet, newton_symmetric

try:
    from lda_vi.engine import cvb0_kernels as _kernels
except ImportError:  # pragma: no cover - only where numba is absent
    _kernels = None

#: How α and η can be learned.
HYPER_METHODS = ("fixed-point", "newton")

#: Steps of the fixed point per sweep, and its relative tolerance.
FIXED_POINT_STEPS = 5
FIXED_POINT_TOL = 1e-6

#: Bounds that keep a prior finite and positive whatever the counts.
PRIOR_MIN, PRIOR_MAX = 1e-6, 1e6


def alpha_sums(ndk: np.ndarray, nd: np.ndarray, alpha: np.ndarray, compiled: bool):
    """Σ_d [ψ(N_dk + α_k) − ψ(α_k)] (K) and Σ_d [ψ(N_d + Σα) − ψ(Σα)] (V4)."""
    if compiled and _kernels is not None:
        return _kernels.alpha_terms(ndk, nd, alpha)
    a_sum = alpha.sum()
    return ((psi(ndk + alpha) - psi(alpha)).sum(axis=0),
            float((psi(nd + a_sum) - psi(a_sum)).sum()))


def eta_sums(nwkT: np.ndarray, nk: np.ndarray, eta: float, compiled: bool):
    """Σ_kw [ψ(N_wk + η) − ψ(η)] and Σ_k [ψ(N_k + Vη) − ψ(Vη)] (V4)."""
    if compiled and _kernels is not None:
        return _kernels.eta_terms(nwkT, nk, eta)
    V = nwkT.shape[0]
    return (float((psi(nwkT + eta) - psi(eta)).sum()),
            float((psi(nk + V * eta) - psi(V * eta)).sum()))


def fixed_point_alpha(ndk: np.ndarray, nd: np.ndarray, alpha: np.ndarray, *,
                      steps: int = FIXED_POINT_STEPS, compiled: bool = True) -> np.ndarray:
    """α_k ← α_k · Σ_d [ψ(N_dk + α_k) − ψ(α_k)] / Σ_d [ψ(N_d + Σα) − ψ(Σα)]   (V4)."""
    alpha = np.array(alpha, dtype=np.float64)
    if alpha.shape[0] < 2:          # one topic: θ = 1 surely, α does not matter
        return alpha
    for _ in range(steps):
        num, den = alpha_sums(ndk, nd, alpha, compiled)
        if not den > 0:
            break
        new = np.clip(alpha * np.maximum(num, 0.0) / den, PRIOR_MIN, PRIOR_MAX)
        change = np.max(np.abs(new - alpha) / alpha)
        alpha = new
        if change < FIXED_POINT_TOL:
            break
    return alpha


def fixed_point_eta(nwkT: np.ndarray, nk: np.ndarray, eta: float, *,
                    steps: int = FIXED_POINT_STEPS, compiled: bool = True) -> float:
    """η ← η · Σ_kw [ψ(N_wk + η) − ψ(η)] / (V · Σ_k [ψ(N_k + Vη) − ψ(Vη)])   (V4)."""
    V = nwkT.shape[0]
    eta = float(eta)
    for _ in range(steps):
        num, den = eta_sums(nwkT, nk, eta, compiled)
        if not den > 0:
            break
        new = float(np.clip(eta * max(num, 0.0) / (V * den), PRIOR_MIN, PRIOR_MAX))
        change = abs(new - eta) / eta
        eta = new
        if change < FIXED_POINT_TOL:
            break
    return eta


def newton_alpha(ndk: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """α maximizing (B1) at γ = α + N_dk held fixed (V3, then H1)."""
    gamma = ndk + alpha
    return newton_dirichlet(alpha, dirichlet_expectation(gamma).sum(axis=0), ndk.shape[0])


def newton_eta(sum_Elogbeta: float, eta: float, k: int, n_words: int) -> float:
    """η maximizing (B1) at λ = η + N_wk held fixed (V3, then H1).

    ``sum_Elogbeta`` = Σ_kw Elogβ_kw at that λ."""
    return newton_symmetric(eta, sum_Elogbeta, k, n_words)
