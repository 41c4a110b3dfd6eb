"""Hyperparameters of CVB0: Minka's fixed point on the expected counts (MATH.md V4),
corrected for the counts' spread, or Newton on the bound (B1) at the implied γ, λ.

Shapes: D documents, V words, K topics; ``ndk`` D×K, ``nd`` D (N_d = Σ_k N_dk),
``nwkT`` V×K, ``nk`` K, ``alpha`` K, ``eta`` a scalar; ``qdk`` D×K and ``qwkT``
V×K the probabilities under q(z) that a count is at least one.

Methods (``HYPER_METHODS``):

- ``'fixed-point'``: (V4) as written, ψ(N + a) − ψ(a) of the expected counts N.
- ``'corrected'`` (the default): (V4) with each ψ(N + a) − ψ(a) replaced by an
  estimate of its expectation under q(z), q·[ψ(N/q + a) − ψ(a)], q = P(count ≥ 1)
  = 1 − Π (1 − φ)^n (the tokens are independent under q(z)), N/q the count's mean
  given that it is not zero. ψ is concave, so (V4) on the expected counts
  overstates every numerator, most for the many small expected counts CVB0
  spreads over every topic and word (ψ(N + a) − ψ(a) ≈ N/a² where the count is
  almost surely 0 or 1 and the expectation is ≈ N/a); on AP at K=50 it drives
  η from 0.05 to 0.27 and Σα to 16, and the held-out completion perplexity up
  by 13%. The corrected step settles at η ≈ 0.06, Σα ≈ 3.4, and scores better
  than fixed priors (benchmarks/bench_cvb0.py).
- ``'newton'``: α and η maximizing (B1) at γ = α + N_d·, λ = η + N_·k held
  fixed (V3, then H1); it lands where (V4) does.

With seed words (MATH.md S1, η_kw = η + s [w ∈ S_k]) the base η is learned with every
boost held fixed, as VB learns it: (V4)'s numerator takes ψ(N_wk + η_kw) − ψ(η_kw) at
the P seed pairs and its denominator Σ_k [ψ(N_k + Σ_w η_kw) − ψ(Σ_w η_kw)], Σ_w η_kw =
Vη + s |S_k|. The step η ← η · num / (V · den) still stands still exactly where the
Pólya likelihood's derivative in η, num − V · den, is zero. Newton climbs the seeded
(B1) terms of :meth:`lda_vi.engine.seeds.SeedPrior.learn_eta`.

Each call takes a few fixed-point steps, since the counts move between sweeps
anyway. Every method is deterministic, whatever the thread count.
"""

from __future__ import annotations

import numpy as np
from scipy.special import psi

from lda_vi.engine.backend import LazyModule, have_numba
from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.hyper import newton_dirichlet, newton_symmetric
from lda_vi.engine.seeds import SeedPrior
from lda_vi.engine.sums import exact_sum

#: The compiled kernels, imported on first use (numba is slow to import); usable only
#: where :func:`~lda_vi.engine.backend.have_numba`.
_kernels = LazyModule("lda_vi.engine.cvb0_kernels")

#: How α and η can be learned; the first is the default.
HYPER_METHODS = ("corrected", "fixed-point", "newton")

#: Steps of the fixed point per sweep, and its relative tolerance.
FIXED_POINT_STEPS = 5
FIXED_POINT_TOL = 1e-6

#: Bounds that keep a prior finite and positive whatever the counts.
PRIOR_MIN, PRIOR_MAX = 1e-6, 1e6


def _gain(n: np.ndarray, q: np.ndarray | None, a) -> np.ndarray:
    """ψ(n + a) − ψ(a), or q·[ψ(n/q + a) − ψ(a)] (0 where q = 0) when q is given."""
    if q is None:
        return psi(n + a) - psi(a)
    safe = np.where(q > 0, q, 1.0)
    return np.where(q > 0, q * (psi(n / safe + a) - psi(a)), 0.0)


def alpha_sums(ndk: np.ndarray, nd: np.ndarray, alpha: np.ndarray, compiled: bool,
               qdk: np.ndarray | None = None):
    """Σ_d [ψ(N_dk + α_k) − ψ(α_k)] (K; corrected with ``qdk``) and
    Σ_d [ψ(N_d + Σα) − ψ(Σα)] (V4)."""
    if compiled and have_numba():
        return _kernels.alpha_terms(ndk, nd, alpha, ndk if qdk is None else qdk,
                                    qdk is not None)
    a_sum = alpha.sum()
    return (_gain(ndk, qdk, alpha).sum(axis=0), float((psi(nd + a_sum) - psi(a_sum)).sum()))


def eta_sums(nwkT: np.ndarray, nk: np.ndarray, eta: float, compiled: bool,
             qwkT: np.ndarray | None = None, seeds: SeedPrior | None = None):
    """Σ_kw [ψ(N_wk + η_kw) − ψ(η_kw)] (corrected with ``qwkT``) and
    Σ_k [ψ(N_k + Σ_w η_kw) − ψ(Σ_w η_kw)] (V4), η_kw = η without ``seeds``, else (S1)."""
    V = nwkT.shape[0]
    if compiled and have_numba():
        num, den = _kernels.eta_terms(nwkT, nk, eta, nwkT if qwkT is None else qwkT,
                                      qwkT is not None)
    else:
        num = float(_gain(nwkT, qwkT, eta).sum())
        den = float((psi(nk + V * eta) - psi(V * eta)).sum())
    if seeds is None or seeds.topics.size == 0:
        return num, den
    pairs = (seeds.words, seeds.topics)                   # the P seed pairs' counts
    q = None if qwkT is None else qwkT[pairs]
    boosted = _gain(nwkT[pairs], q, eta + seeds.strength) - _gain(nwkT[pairs], q, eta)
    prior_sums = V * eta + seeds.strength * seeds.n_seeds           # Σ_w η_kw (K)
    return (num + float(exact_sum(boosted)),
            float(exact_sum(psi(nk + prior_sums) - psi(prior_sums))))


def fixed_point_alpha(ndk: np.ndarray, nd: np.ndarray, alpha: np.ndarray, *,
                      steps: int = FIXED_POINT_STEPS, compiled: bool = True,
                      qdk: np.ndarray | None = None) -> np.ndarray:
    """α_k ← α_k · Σ_d [ψ(N_dk + α_k) − ψ(α_k)] / Σ_d [ψ(N_d + Σα) − ψ(Σα)]   (V4);
    corrected (module docstring) when ``qdk`` is given."""
    alpha = np.array(alpha, dtype=np.float64)
    if alpha.shape[0] < 2:          # one topic: θ = 1 surely, α does not matter
        return alpha
    for _ in range(steps):
        num, den = alpha_sums(ndk, nd, alpha, compiled, qdk)
        if not den > 0:
            break
        new = np.clip(alpha * np.maximum(num, 0.0) / den, PRIOR_MIN, PRIOR_MAX)
        change = np.max(np.abs(new - alpha) / alpha)
        alpha = new
        if change < FIXED_POINT_TOL:
            break
    return alpha


def fixed_point_eta(nwkT: np.ndarray, nk: np.ndarray, eta: float, *,
                    steps: int = FIXED_POINT_STEPS, compiled: bool = True,
                    qwkT: np.ndarray | None = None, seeds: SeedPrior | None = None) -> float:
    """η ← η · Σ_kw [ψ(N_wk + η) − ψ(η)] / (V · Σ_k [ψ(N_k + Vη) − ψ(Vη)])   (V4);
    corrected (module docstring) when ``qwkT`` is given, the seeds' boosts held fixed
    (S1) when ``seeds`` is."""
    V = nwkT.shape[0]
    eta = float(eta)
    for _ in range(steps):
        num, den = eta_sums(nwkT, nk, eta, compiled, qwkT, seeds)
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


def newton_eta(sum_Elogbeta: float, eta: float, k: int, n_words: int,
               seeds: SeedPrior | None = None) -> float:
    """η maximizing (B1) at λ = η_k· + N_wk held fixed (V3, then H1), the seeds' boosts
    held fixed (S1) when ``seeds`` is given.

    ``sum_Elogbeta`` = Σ_kw Elogβ_kw at that λ."""
    if seeds is not None:
        return seeds.learn_eta(eta, sum_Elogbeta)
    return newton_symmetric(eta, sum_Elogbeta, k, n_words)


def learn(counts, alpha: np.ndarray, eta: float, *, learn_alpha: bool, learn_eta: bool,
          method: str, sum_Elogbeta: float,
          seeds: SeedPrior | None = None) -> tuple[np.ndarray, float]:
    """α and η after one step of ``method`` (:data:`HYPER_METHODS`) on the expected counts
    of ``counts`` (a :class:`lda_vi.engine.cvb0.Counts`: ``ndk``, ``nwkT``, ``nk``,
    ``compiled`` and ``nonzero_probs()``)."""
    if method in ("fixed-point", "corrected"):
        qdk, qwkT = counts.nonzero_probs() if method == "corrected" else (None, None)
        if learn_alpha:
            alpha = fixed_point_alpha(counts.ndk, counts.ndk.sum(axis=1), alpha,
                                      compiled=counts.compiled, qdk=qdk)
        if learn_eta:
            eta = fixed_point_eta(counts.nwkT, counts.nk, eta, compiled=counts.compiled,
                                  qwkT=qwkT, seeds=seeds)
    else:
        if learn_alpha:
            alpha = newton_alpha(counts.ndk, alpha)
        if learn_eta:
            eta = newton_eta(sum_Elogbeta, eta, alpha.shape[0], counts.nwkT.shape[0], seeds)
    return alpha, eta
