"""Helpers of the engine tests: settings built from keywords (the engine takes settings
objects), and plain-Python references (a lane-ordered dot product, the bound (B1) term by
term)."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, psi

from lda_vi.engine.settings import BatchSettings, EStepSettings, OnlineSettings, Priors

_ESTEP = ("e_tol", "e_max_iter", "backend")
_PRIORS = ("alpha", "eta", "learn_alpha", "learn_eta")


def estep(**options) -> EStepSettings:
    """E-step settings: ``e_tol``, ``e_max_iter``, ``backend``."""
    return EStepSettings(**options)


def _split(options: dict) -> tuple[Priors, EStepSettings, dict]:
    priors = Priors(**{name: options.pop(name) for name in _PRIORS if name in options})
    step = EStepSettings(**{name: options.pop(name) for name in _ESTEP if name in options})
    return priors, step, options


def batch(k: int, **options) -> BatchSettings:
    """Batch EM settings from the keywords of Priors, EStepSettings and BatchSettings."""
    priors, step, rest = _split(dict(options))
    return BatchSettings(k, priors, step, **rest)


def online(k: int, **options) -> OnlineSettings:
    """Online VB settings from the keywords of Priors, EStepSettings and OnlineSettings."""
    priors, step, rest = _split(dict(options))
    return OnlineSettings(k, priors, step, **rest)


def lane_order_dot(x, y) -> float:
    """Σ x_k y_k in the order lda_vi.engine.lanes documents, in plain Python floats."""
    m = len(x) - len(x) % 8
    lanes = [0.0] * 8
    for k in range(0, m, 8):
        for i in range(8):
            lanes[i] = lanes[i] + float(x[k + i]) * float(y[k + i])
    s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5])
                                                          + (lanes[6] + lanes[7]))
    for k in range(m, len(x)):
        s = s + float(x[k]) * float(y[k])
    return s


def bound_by_hand(corpus, gamma, lam, alpha, eta) -> float:
    """(B1) with (B2), term by term, with scipy's special functions, at γ (D×K) and λ (K×V)
    of ``corpus`` (CorpusArrays); ``eta`` the symmetric prior or a K×V η_kw (MATH.md S1)."""
    eta_kw = np.broadcast_to(np.asarray(eta, dtype=np.float64), lam.shape)
    Elogtheta = psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))
    Elogbeta = psi(lam) - psi(lam.sum(axis=1, keepdims=True))
    total = 0.0
    for d in range(gamma.shape[0]):
        total += gammaln(alpha.sum()) - gammaln(alpha).sum() + ((alpha - 1) * Elogtheta[d]).sum()
        total -= gammaln(gamma[d].sum()) - gammaln(gamma[d]).sum()
        total -= ((gamma[d] - 1) * Elogtheta[d]).sum()
        for j in range(corpus.indptr[d], corpus.indptr[d + 1]):
            w = corpus.indices[j]
            total += corpus.data[j] * np.log(np.exp(Elogtheta[d] + Elogbeta[:, w]).sum())
    for k in range(lam.shape[0]):
        total += gammaln(eta_kw[k].sum()) - gammaln(eta_kw[k]).sum()
        total += ((eta_kw[k] - 1) * Elogbeta[k]).sum()
        total -= gammaln(lam[k].sum()) - gammaln(lam[k]).sum()
        total -= ((lam[k] - 1) * Elogbeta[k]).sum()
    return total
