"""Settings for the engine tests, built from keywords (the engine takes settings objects)."""

from __future__ import annotations

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
