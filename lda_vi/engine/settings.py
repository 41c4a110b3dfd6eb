"""The settings of the engine's calls, each validated once, where it is made.

An engine call takes one of these instead of loose arguments:
:class:`EStepSettings` for an E-step (any engine), :class:`Priors` for the
Dirichlet priors and whether they are learned (MATH.md H1),
:class:`BatchSettings` for :func:`lda_vi.engine.em.fit_batch` and
:class:`OnlineSettings` for :func:`lda_vi.engine.online.fit_online`.
Errors name the parameter, never a command-line flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lda_vi.engine.backend import BACKENDS
from lda_vi.engine.seeds import SeedPrior


@dataclass(frozen=True)
class EStepSettings:
    """When one document's CAVI stops (MATH.md E3/E4), and which implementation runs it.

    Each document alternates (E3) and (E4) until the mean |Δγ_d| < ``e_tol`` or
    ``e_max_iter`` updates were made; ``e_max_iter=0`` only evaluates the bound.
    ``backend``: 'auto', 'numba' or 'numpy' (see :mod:`lda_vi.engine.backend`).
    """

    e_tol: float = 1e-3
    e_max_iter: int = 100
    backend: str = "auto"

    def __post_init__(self) -> None:
        if not float(self.e_tol) > 0:
            raise ValueError("e_tol must be > 0")
        if int(self.e_max_iter) != self.e_max_iter or self.e_max_iter < 0:
            raise ValueError("e_max_iter must be an integer >= 0")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}")
        object.__setattr__(self, "e_tol", float(self.e_tol))
        object.__setattr__(self, "e_max_iter", int(self.e_max_iter))


@dataclass(frozen=True, eq=False)
class Priors:
    """The (initial) Dirichlet priors: ``alpha`` of θ (a scalar or K values), ``eta``
    of β (a scalar, symmetric); ``learn_alpha`` learns an asymmetric α and
    ``learn_eta`` a symmetric η by Newton's method (MATH.md H1). ``seeds``, when
    given, makes the prior of β the K×V η + s [w ∈ S_k] of seed words (MATH.md S1);
    ``eta`` is then its base, and learning η keeps the boost."""

    alpha: float | np.ndarray
    eta: float
    learn_alpha: bool = False
    learn_eta: bool = False
    seeds: SeedPrior | None = None


@dataclass(frozen=True, eq=False)
class CovariatePrior:
    """A prior α_d = exp(x_d · w_k) per document (Dirichlet-multinomial regression, C1).

    ``features``: D×F design matrix x_d (column 0 the intercept); ``precision``: F,
    1/σ² of the Gaussian prior on each column of W (C2); ``weights``: the initial W
    (K×F), or None for intercepts log α and zero slopes. W replaces α: it is learned
    by the M-step of :mod:`lda_vi.engine.dmr` (C2–C3), whatever ``learn_alpha`` says.
    """

    features: np.ndarray
    precision: np.ndarray
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        X = np.asarray(self.features)
        if X.ndim != 2 or X.shape[1] < 1 or not np.all(np.isfinite(X)):
            raise ValueError("features must be a finite D×F matrix")
        if np.shape(self.precision) != (X.shape[1],) or np.any(np.asarray(self.precision) <= 0):
            raise ValueError("precision must hold F values > 0")


ON_DECREASE = ("raise", "warn", "ignore")
RESTARTS = ("auto", "always", "never")


@dataclass(frozen=True, eq=False)
class BatchSettings:
    """Batch variational EM (:func:`lda_vi.engine.em.fit_batch`).

    ``k`` topics; EM stops when the relative change of the bound is below
    ``tol`` or after ``max_iter`` iterations. ``on_decrease``: what a decrease
    of the bound does ('raise', 'warn' or 'ignore'). ``restarts``: cold
    restarts of a rotating block of documents ('auto' while they help,
    'always', 'never'). ``e_warmup``: the E-step's limit of γ updates per
    document at the first EM iteration, doubled at each iteration until it
    reaches ``estep.e_max_iter`` (0: ``e_max_iter`` from the start); see
    :func:`lda_vi.engine.em.update_limit`.
    """

    k: int
    priors: Priors
    estep: EStepSettings = field(default_factory=EStepSettings)
    max_iter: int = 200
    tol: float = 1e-4
    on_decrease: str = "warn"
    restarts: str = "auto"
    e_warmup: int = 8

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be >= 1")
        if self.e_warmup < 0:
            raise ValueError("e_warmup must be >= 0")
        if self.on_decrease not in ON_DECREASE:
            raise ValueError("on_decrease must be 'raise', 'warn' or 'ignore'")
        if self.restarts not in RESTARTS:
            raise ValueError("restarts must be 'auto', 'always' or 'never'")


@dataclass(frozen=True, eq=False)
class OnlineSettings:
    """Online variational Bayes (:func:`lda_vi.engine.online.fit_online`), MATH.md (O1).

    ``k`` topics, ``passes`` over the corpus; the learning rate of minibatch t
    is ρ_t = (``tau0`` + t)^(−``kappa``).
    """

    k: int
    priors: Priors
    estep: EStepSettings = field(default_factory=EStepSettings)
    tau0: float = 10.0
    kappa: float = 0.7
    passes: int = 1

    def __post_init__(self) -> None:
        if self.k < 1 or self.passes < 1:
            raise ValueError("k and passes must be >= 1")
        if not 0.5 < self.kappa <= 1.0 or self.tau0 < 0:
            raise ValueError("kappa must be in (0.5, 1] and tau0 >= 0")
