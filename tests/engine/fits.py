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
