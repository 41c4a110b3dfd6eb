"""Validation of the library's parameters: each error names the parameter.

The messages say ``max_iter must be ...``; the CLI puts its flag (``--max-iter``) in
the parameter's place (:class:`~lda_vi.errors.ParameterError`). NaN is refused
everywhere a number is expected: every comparison is written so that NaN fails it.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from lda_vi.errors import InputError, ParameterError

#: The largest whole number a parameter may take: a count beyond 64 bits sizes no array.
MAX_WHOLE = 2**63 - 1
#: More threads than this is a typing error, not a machine (each one gets a slice of work).
MAX_THREADS = 4096


def whole(name: str, value: object, least: int, *, optional: bool = False,
          most: int = MAX_WHOLE) -> None:
    """``value`` must be a whole number in [``least``, ``most``] (or None when ``optional``)."""
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
        raise ParameterError(name, f"{{}} must be a whole number >= {least}, got {value!r}")
    if value > most:
        raise ParameterError(name, f"{{}} must be a whole number from {least} to {most}, got "
                             f"{value!r}")


def real(name: str, value: object, *, low: float, low_open: bool = False,
         high: float = math.inf, high_open: bool = False, note: str = "") -> None:
    """``value`` must be a finite number in the interval given (NaN never is)."""
    ok = (isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
          and (value > low if low_open else value >= low)
          and (value < high if high_open else value <= high))
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open or high == math.inf else "]"
        interval = f"{left}{low:g}, {high:g}{right}" if high != math.inf else (
            f"> {low:g}" if low_open else f">= {low:g}")
        where = f"in {interval}" if high != math.inf else interval
        raise ParameterError(name, f"{{}} must be a finite number {where}, got {value!r}"
                             + (f" ({note})" if note else ""))


#: The largest prior α or η taken: far beyond any useful one (a Dirichlet of concentration
#: 1e6 is uniform to six digits), and well inside the compiled ψ and log Γ's range.
PRIOR_MAX = 1e6


def prior(name: str, value: object) -> float | str:
    """A positive prior, or 'auto' (to learn it); returns it normalized."""
    if isinstance(value, str):
        if value.strip().lower() == "auto":
            return "auto"
        try:
            value = float(value)
        except ValueError:
            raise ParameterError(name, f"{{}} must be a positive number or 'auto', got "
                                 f"{value!r}") from None
    if isinstance(value, bool) or not isinstance(value, Real) or not (
            math.isfinite(value) and value > 0):
        raise ParameterError(name, f"{{}} must be a positive number or 'auto', got {value!r}")
    if value > PRIOR_MAX:
        raise ParameterError(name, f"{{}} must be at most {PRIOR_MAX:g} (a prior that large "
                             f"makes every distribution uniform), got {value!r}")
    return float(value)


def choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ParameterError(name, f"{{}} must be one of {', '.join(map(repr, choices))}, got "
                             f"{value!r}")


def check_top_n(top_n: object) -> int:
    """The number of top words shown per topic: a whole number >= 1."""
    whole("top_n", top_n, 1)
    return int(top_n)


def check_fit_settings(s) -> None:
    """Check a :class:`~lda_vi.model.lda.FitSettings`, normalizing α and η in place."""
    whole("k", s.k, 1)
    s.alpha, s.eta = prior("alpha", s.alpha), prior("eta", s.eta)
    whole("max_iter", s.max_iter, 1)
    real("tol", s.tol, low=0.0)
    real("e_tol", s.e_tol, low=0.0, low_open=True)
    whole("e_max_iter", s.e_max_iter, 1)
    whole("e_warmup", s.e_warmup, 0)
    whole("seed", s.seed, 0, optional=True)
    whole("threads", s.threads, 1, optional=True, most=MAX_THREADS)
    choice("method", s.method, ("batch", "online"))
    whole("batch_size", s.batch_size, 1)
    whole("passes", s.passes, 1)
    real("tau0", s.tau0, low=0.0)
    real("kappa", s.kappa, low=0.5, low_open=True, high=1.0, note="Hoffman et al. 2010")
    real("covariate_prior", s.covariate_prior, low=0.0, low_open=True)
    whole("time_bins", s.time_bins, 2, optional=True)
    whole("spline_df", s.spline_df, 3)


#: Settings a resumed fit must share with its checkpoint (all but those that only say
#: when to stop, max_iter and tol, or how fast, threads).
RESUME_SETTINGS = ("k", "alpha", "eta", "e_tol", "e_max_iter", "e_warmup", "backend",
                   "method", "inference", "seed", "seed_words", "seed_strength", "covariates",
                   "covariate_prior", "time_bins", "spline_df")


def check_resumable(meta: dict, settings: dict, directory: object) -> None:
    """A checkpoint's settings (``meta["settings"]``) must match those of the run resuming
    it (:data:`RESUME_SETTINGS`). A ``seed`` of None takes the checkpoint's; the names of
    the ``covariates`` are compared when ``settings`` has them (once they are read)."""
    saved = meta.get("settings") or {}
    for name in RESUME_SETTINGS:
        if name not in saved or (name == "seed" and settings.get(name) is None):
            continue
        if name == "covariates" and name not in settings:
            continue
        if saved[name] != settings.get(name):
            raise ParameterError(name, f"the checkpoint was made with {{}} {saved[name]!r}, "
                                 f"not {settings.get(name)!r}; resume {directory} with the "
                                 "same value (or start a new fit elsewhere)")


#: The settings that shape a covariate prior, and their defaults (unused without covariates).
COVARIATE_ONLY = (("covariate_prior", 1.0), ("time_bins", None))


def check_covariate_options(s, covariates) -> None:
    """Refuse ``covariate_prior`` or ``time_bins`` away from its default for a fit without
    ``covariates``: it would have been left unused without a word."""
    unused = [name for name, default in COVARIATE_ONLY if getattr(s, name) != default]
    if unused and not covariates:
        raise ParameterError(unused[0], "{} applies to covariates only: pass covariates= to "
                             "the fit (a dict of one value per document by name), or leave "
                             "it at its default")


#: The largest count of one word in one document taken: beyond it the bound's float64
#: sums no longer resolve one EM iteration's gain (at 1e14 an iteration's bound "fell"
#: by rounding alone).
MAX_COUNT = 1e12


def check_fit_inputs(s, X, covariates) -> None:
    """Before a fit of the D×V counts ``X`` with settings ``s``: no count beyond
    :data:`MAX_COUNT`, and the covariate-only settings only with ``covariates``."""
    data = getattr(X, "data", None)
    if data is not None and data.size and float(np.max(data)) > MAX_COUNT:
        raise InputError(f"a count of {float(np.max(data)):g} is beyond the {MAX_COUNT:g} "
                         "per document and word that the bound's float64 sums resolve; "
                         "scale the counts down", params=())
    check_covariate_options(s, covariates)


def check_topics_fit(k: int, n_words: int) -> None:
    """More topics than words cannot be told apart: refuse k > V."""
    if k > n_words:
        raise ParameterError("k", f"{{}} is {k}, more topics than the {n_words} words of the "
                             "vocabulary; use fewer topics, or prune fewer words")
