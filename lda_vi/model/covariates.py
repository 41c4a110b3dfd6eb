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

from lda_vi.engine.dmr import doc_alpha, prevalence
from lda_vi.model.design import Design

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
