"""Expectations and normalizers of Dirichlet distributions, in plain numpy/scipy.

Glossary of shapes: K topics, V words, D documents.

- ``gamma``: D×K variational Dirichlet parameters of the documents' θ_d.
- ``lam``: K×V variational Dirichlet parameters of the topics' β_k.
- ``alpha``: K prior of θ; ``eta``: scalar or V prior of β.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, psi


def dirichlet_expectation(param: np.ndarray) -> np.ndarray:
    """E[log x] under Dir(param), row by row.

    MATH.md (E1) for ``param = gamma`` (giving ``Elogtheta``) and (E2) for
    ``param = lam`` (giving ``Elogbeta``). Accepts a vector (one distribution)
    or a matrix (one distribution per row).
    """
    param = np.asarray(param, dtype=np.float64)
    if param.ndim == 1:
        return psi(param) - psi(param.sum())
    return psi(param) - psi(param.sum(axis=1))[:, np.newaxis]


def log_beta_function(param: np.ndarray) -> np.ndarray | float:
    """log B(param) = Σ log Γ(param_i) − log Γ(Σ param_i), row by row."""
    param = np.asarray(param, dtype=np.float64)
    if param.ndim == 1:
        return float(gammaln(param).sum() - gammaln(param.sum()))
    return gammaln(param).sum(axis=1) - gammaln(param.sum(axis=1))


def as_prior(value: float | np.ndarray, size: int, name: str) -> np.ndarray:
    """A Dirichlet prior as a float64 vector of ``size`` strictly positive entries."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(size, float(arr))
    if arr.shape != (size,):
        raise ValueError(f"{name} must be a scalar or have length {size}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0")
    return arr
