"""A fitted model's covariates: their encoding, the weights W, the training values.

Glossary of shapes: D training documents, K topics, F design columns, M new values.

- ``design``: the :class:`~lda_vi.model.design.Design` learned from the training rows;
- ``weights``: K×F, W of Dirichlet-multinomial regression (MATH.md C1);
- ``values``: the raw training values, one list of D strings per covariate (kept so
  that ``trends`` and the report need no corpus);
- ``sigma``: the prior's standard deviation of the covariates' weights (the
  intercept's is :data:`INTERCEPT_SIGMA`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lda_vi.engine.dmr import doc_alpha, initial_weights, prevalence
from lda_vi.engine.settings import CovariatePrior
from lda_vi.errors import InputError
from lda_vi.model.design import Design, learn_design

INTERCEPT_SIGMA = 10.0
DEFAULT_SIGMA = 1.0


def precision(n_features: int, sigma: float) -> np.ndarray:
    """1/σ² per design column: the intercept's prior is wider (F)."""
    out = np.full(n_features, 1.0 / sigma ** 2)
    out[0] = 1.0 / INTERCEPT_SIGMA ** 2
    return out


@dataclass
class CovariateState:
    """Everything a fitted model knows about its covariates."""

    design: Design
    weights: np.ndarray
    values: dict[str, list[str]]
    sigma: float = DEFAULT_SIGMA

    @property
    def names(self) -> list[str]:
        return self.design.names

    def training_features(self) -> np.ndarray:
        """x_d of the training documents (D×F)."""
        n = len(next(iter(self.values.values())))
        return self.design.matrix(self.values, [f"document {i + 1}" for i in range(n)])

    def alpha(self, raw: dict[str, Sequence[str]], where: Sequence[str]) -> np.ndarray:
        """α_d of new documents from their raw covariate values (M×K), (C1)."""
        return doc_alpha(self.design.matrix(raw, where), self.weights)

    def marginal_prevalence(self, name: str, new: Sequence[str]) -> np.ndarray:
        """E[θ | name = v], averaged over the training documents' other covariates (M×K).

        Each of the M values replaces covariate ``name`` in every training row; the
        model's prevalence α/Σα is then averaged over the rows (an average marginal
        effect, so a second covariate is neither ignored nor fixed at one level).
        """
        X = self.training_features()
        cols = self.design.column_slice(name)
        covariate = self.design.covariates[self.design.names.index(name)]
        encoded = covariate.encode(list(new), [f"value {v!r}" for v in new])
        out = np.empty((len(new), self.weights.shape[0]))
        for i in range(len(new)):
            X[:, cols] = encoded[i]
            out[i] = prevalence(X, self.weights).mean(axis=0)
        return out

    def describe(self) -> dict:
        """What ``run.json`` records: the covariates, the design's columns and W (K×F)."""
        return {"names": self.names, "kinds": [c.kind for c in self.design.covariates],
                "columns": self.design.columns, "sigma": self.sigma,
                "intercept_sigma": INTERCEPT_SIGMA, "weights": self.weights.tolist()}

    def to_dict(self) -> dict:
        return {"design": self.design.to_dict(), "values": self.values, "sigma": self.sigma}

    @classmethod
    def from_dict(cls, d: dict, weights: np.ndarray) -> CovariateState:
        design = Design.from_dict(d["design"])
        values = {str(k): [str(x) for x in v] for k, v in d["values"].items()}
        if weights.ndim != 2 or weights.shape[1] != len(design.columns):
            raise ValueError("covariate weights do not match the design")
        lengths = {len(v) for v in values.values()}
        if set(values) != set(design.names) or len(lengths) != 1:
            raise ValueError("covariate values do not match the design")
        return cls(design, weights, values, float(d.get("sigma", DEFAULT_SIGMA)))


def covariate_prior(raw: dict[str, Sequence[str]], where: Sequence[str], *, alpha: np.ndarray,
                    sigma: float, time_bins: int | None, df: int
                    ) -> tuple[CovariateState, CovariatePrior]:
    """Learn the design of the training rows; the engine's prior and the state to keep.

    ``alpha`` (K) starts W at the plain prior: intercepts log α, zero slopes.
    """
    if not raw:
        raise InputError("covariates: give at least one covariate", params=("covariates",))
    if not (np.isfinite(sigma) and sigma > 0):
        raise InputError(f"covariate_prior must be a positive number, got {sigma!r}",
                         params=("covariate_prior",))
    lengths = {name: len(values) for name, values in raw.items()}
    if set(lengths.values()) != {len(where)}:
        raise InputError(f"covariates: every covariate needs one value per document "
                         f"({len(where)}); got {lengths}", params=("covariates",))
    values = {name: [str(v) for v in vals] for name, vals in raw.items()}
    design = learn_design(values, where, df=df, time_bins=time_bins)
    features = design.matrix(values, where)
    weights = initial_weights(alpha, features.shape[1])
    prior = CovariatePrior(features, precision(features.shape[1], sigma), weights)
    return CovariateState(design, weights, values, sigma), prior


def document_prior(state: CovariateState | None, alpha: np.ndarray,
                   raw: dict[str, Sequence[str]] | None, where: Sequence[str] | None,
                   n_docs: int) -> np.ndarray:
    """The prior of new documents: α_d from their covariates (C1) when the model has them
    and they are given (M×K), else the model's ``alpha`` (K)."""
    if not raw:
        return alpha
    if state is None:
        raise InputError("this model was fitted without covariates: leave them out",
                         params=("covariates",))
    where = where or [f"document {i + 1}" for i in range(n_docs)]
    return state.alpha(raw, where)
