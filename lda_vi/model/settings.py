"""How a model is fitted: :class:`FitSettings`, validated once, here.

Errors name the parameter as the library spells it (``max_iter must be >= 1``) and list it
in :attr:`~lda_vi.errors.LdaViError.params`; the CLI shows it as its flag (``--max-iter``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lda_vi.engine.seeds import SeedPrior
from lda_vi.engine.settings import EStepSettings, Priors
from lda_vi.errors import InputError, ParameterError
from lda_vi.model.validation import check_fit_settings, choice, real
from lda_vi.text.seeds import seeds_from_mapping

#: Starting values of the priors when they are learned (``'auto'``): α = 1/K, η = 0.01.
ETA_START = 0.01
#: How a model can be fitted: mean-field VB (the default) or collapsed VB, CVB0 (MATH.md V1-V4).
INFERENCES = ("vb", "cvb0")
#: The boost s of seed words, η_kw = η + s (MATH.md S1); chosen on AP, see docs/seeds.md.
SEED_STRENGTH = 10.0


def resolve_seed(seed: int | None) -> int:
    """``seed`` itself, or a fresh random seed (to be recorded) when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)
    return int(seed)


@dataclass
class FitSettings:
    """How a model is fitted; stored in ``model.json`` and ``run.json``."""

    k: int = 10
    alpha: float | str = "auto"
    eta: float | str = "auto"
    max_iter: int = 200
    tol: float = 1e-4
    e_tol: float = 1e-3
    e_max_iter: int = 100
    e_warmup: int = 8                   # E-step warm-up (lda_vi.engine.em.update_limit)
    seed: int | None = None
    threads: int | None = None
    backend: str = "auto"
    on_decrease: str = "warn"
    method: str = "batch"
    batch_size: int = 256
    tau0: float = 10.0
    kappa: float = 0.7
    passes: int = 1
    covariate_prior: float = 1.0        # σ of the covariates' weights W (MATH.md C2)
    time_bins: int | None = None        # dates as bins rather than splines
    spline_df: int = 5                  # spline columns per date
    inference: str = "vb"
    seed_words: dict[str, list[str]] | None = None     # {label: [words]}, MATH.md (S1)
    seed_strength: float = SEED_STRENGTH

    def __post_init__(self) -> None:
        check_fit_settings(self)       # every value; NaN never passes
        choice("inference", self.inference, INFERENCES)
        if self.inference == "cvb0" and self.method != "batch":
            raise InputError("inference=cvb0 works with method=batch only (stochastic CVB0 is "
                             "not implemented); use inference=vb with method=online",
                             params=("inference", "method"))
        self._check_seeds()

    def _check_seeds(self) -> None:
        """``seed_words`` as {label: [words]} (checked like a seed file); k counts them."""
        real("seed_strength", self.seed_strength, low=0.0, low_open=True)
        self.seed_strength = float(self.seed_strength)
        if not self.seed_words:
            self.seed_words = None
            return
        try:
            topics = seeds_from_mapping(self.seed_words)
        except InputError as exc:
            raise InputError(str(exc), params=("seed_words",)) from None
        self.seed_words = {t.label: list(t.words) for t in topics}
        if self.k < len(topics):
            raise ParameterError("k", f"{{}} counts every topic, seeded or free: it must be "
                                 f">= the {len(topics)} seeded topics, got {self.k}")

    # MATH.md (H1): learned priors start from α = 1/K and η = 0.01
    def priors(self, seeds: SeedPrior | None = None) -> Priors:
        """The engine's priors of these settings ('auto': 1/K and 0.01, then learned),
        with the seed words' prior (S1) when given."""
        return Priors(alpha=1.0 / self.k if self.alpha == "auto" else self.alpha,
                      eta=ETA_START if self.eta == "auto" else self.eta,
                      learn_alpha=self.alpha == "auto", learn_eta=self.eta == "auto",
                      seeds=seeds)

    def estep(self) -> EStepSettings:
        """The engine's E-step settings of these settings."""
        return EStepSettings(e_tol=self.e_tol, e_max_iter=self.e_max_iter, backend=self.backend)
