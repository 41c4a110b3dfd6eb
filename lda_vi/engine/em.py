"""Batch variational EM (Blei, Ng & Jordan 2003), monitored by the exact ELBO.

Glossary of shapes: D documents, V words, K topics.
``lam`` K×V (λ), ``gamma`` D×K (γ), ``alpha`` K (α), ``eta`` a scalar (η, a
symmetric prior on every topic). No K×V Elogβ is kept: the E-step reads
exp(Elogβ) transposed, the bound and the η update per-topic sums of it.

Each iteration t:

1. E-step (MATH.md E3/E4) over every document with λ_t fixed, γ warm-started
   from iteration t−1; it returns the sufficient statistics and the word
   term (B2) of the bound. In the first iterations (the warm-up,
   :func:`update_limit`) each document makes at most 8, 16, 32, 64 γ updates: a partial
   E-step still raises the bound (each update is a coordinate ascent step), and EM's
   first λ are too rough to be worth converging every document against.
2. The bound (B1 with B2) at λ_{t−1} and the γ of the E-step's last φ pass
   is recorded (see :func:`lda_vi.engine.estep.e_step`). Each step of the algorithm
   maximizes L over one block of variables, so the trace never decreases; a
   decrease beyond ``DECREASE_TOL`` (relative) is a bug.
3. M-step: λ = η + S (E5); then, if asked, α and η by Newton (H1).
4. Stop when |L_t − L_{t−1}| / |L_{t−1}| < ``tol`` (converged; judged once the warm-up
   is over) or at ``max_iter``.

The engine neither prints nor reads files: progress goes to ``callback``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from lda_vi import interrupts
from lda_vi.engine.dirichlet import as_prior, dirichlet_expectation
from lda_vi.engine.dmr import doc_alpha, fit_weights, initial_weights, log_prior
from lda_vi.engine.hyper import hyper_step
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.seeds import add_prior, topic_terms
from lda_vi.engine.settings import BatchSettings, CovariatePrior, EStepSettings
from lda_vi.engine.shards import CorpusStep, LocalEngine, RestartBlock
from lda_vi.engine.topics import expect_topics


class EStepEngine(Protocol):
    """Runs the E-step of the whole corpus: see :class:`lda_vi.engine.shards.LocalEngine`."""

    def e_step(self, alpha: np.ndarray, expElogbetaT: np.ndarray, gamma: np.ndarray,
               restart: np.ndarray | bool, settings: EStepSettings, *,
               out: np.ndarray | None = None) -> CorpusStep: ...


DECREASE_TOL = 1e-9
RESTART_STOP = 0.01
RESTART_PERIOD = 16
SEED_DOCS = 3


class ELBODecreaseError(RuntimeError):
    """The bound went down between two EM iterations: a bug, never a convergence signal."""


@dataclass(frozen=True)
class IterationReport:
    """What the EM loop tells ``callback`` after each iteration."""

    iteration: int
    elbo: float
    rel_change: float
    seconds: float
    mean_inner: float


@dataclass
class EMResult:
    """The fitted variational parameters and the record of the run."""

    lam: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    eta: float
    topic_tokens: np.ndarray | None = None
    elbo: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    mean_inner: list[float] = field(default_factory=list)
    converged: bool = False
    stop_reason: str = ""
    restarted: list[float] = field(default_factory=list)
    restarting: bool = True
    weights: np.ndarray | None = None      # K×F, W of a covariate prior (MATH.md C1)

    @property
    def n_iter(self) -> int:
        return len(self.elbo)


def init_lam(rng: np.random.Generator, k: int, corpus: CorpusArrays,
             seed_docs: int = SEED_DOCS) -> np.ndarray:
    """Seeded initial λ (K×V): Gamma(100, 1/100) noise plus the counts of a few random documents.

    Each topic starts from ``seed_docs`` distinct documents drawn at random
    (lda-c's "seeded" start): topics are distinct from the first E-step, which
    leads EM to far better optima than near-uniform random noise alone (on AP
    at K=50, held-out completion perplexity 2650 instead of 3280).
    """
    lam = rng.gamma(100.0, 0.01, size=(corpus.n_words, k)).T   # K×V, kept as EM keeps λ
    n = min(seed_docs, corpus.n_docs)
    for topic in range(k):
        for d in rng.choice(corpus.n_docs, size=n, replace=False):
            lo, hi = corpus.indptr[d], corpus.indptr[d + 1]
            lam[topic, corpus.indices[lo:hi]] += corpus.data[lo:hi]
    return lam


def init_gamma(corpus: CorpusArrays, alpha: np.ndarray) -> np.ndarray:
    """γ_d = α + N_d / K: each document's tokens spread evenly over the topics (D×K).

    ``alpha`` is K, or D×K (each document's own α_d, MATH.md C1).
    """
    k = alpha.shape[-1]
    rows = alpha if alpha.ndim == 2 else alpha[np.newaxis, :]
    return np.ascontiguousarray(rows + corpus.doc_lengths[:, np.newaxis] / k)


def restart_block(n_docs: int, iteration: int, period: int) -> np.ndarray:
    """The documents given a cold restart at ``iteration``: every ``period``-th, rotating."""
    return RestartBlock(iteration, period).rows(0, n_docs)


def update_limit(settings: BatchSettings, iteration: int) -> int | None:
    """The E-step's limit of γ updates per document at EM ``iteration`` (from 1) while the
    warm-up lasts, else None (the E-step's own ``e_max_iter``).

    The warm-up: ``e_warmup`` updates at the first iteration, doubled at each iteration
    (8, 16, 32, 64 by default) until the limit reaches ``e_max_iter``. A partial E-step
    still raises the bound, and EM's first λ are too rough to be worth solving every
    document against to convergence: documents settle in modes that EM then leaves
    slowly. Cold restarts wait for the end of the warm-up (a start cut short would be
    judged unfairly), and so does the convergence test. On AP with the defaults (α and η
    learned), fits end at a higher bound and predict held-out words better than with
    e_warmup = 0, in less time or the same, at K = 10, 20, 50 and 100 (README, "The E-step
    warm-up"). ``e_warmup`` = 0: no warm-up.
    """
    if settings.e_warmup == 0 or iteration < 1:
        return None
    limit = settings.e_warmup << min(iteration - 1, 62)
    return limit if limit < settings.estep.e_max_iter else None


def relative_change(new: float, old: float) -> float:
    """|new − old| / |old| (inf when old is 0)."""
    return abs(new - old) / abs(old) if old != 0 else float("inf")


def fit_batch(corpus: CorpusArrays, settings: BatchSettings, rng: np.random.Generator, *,
              resume: EMResult | None = None, engine: EStepEngine | None = None,
              callback: Callable[[IterationReport], None] | None = None,
              checkpoint: Callable[[EMResult], None] | None = None,
              covariates: CovariatePrior | None = None) -> EMResult:
    """Fit LDA to ``corpus`` by batch variational EM; see the module docstring.

    ``covariates`` gives each document its own prior α_d = exp(x_d · w_k) (C1): W is
    then learned in the M-step in place of α (C2–C3, a step kept only if it raises
    the bound), and the bound monitored is (B1) plus the log prior of W.

    ``settings.priors`` gives the (initial) α and η and whether they are learned.
    λ is seeded by :func:`init_lam` (from ``rng``) and γ spread evenly, unless
    ``resume`` (a partial result, e.g. a checkpoint) gives the state to go on
    from: the run then continues exactly as if it had never stopped, and
    ``max_iter`` counts its earlier iterations too. ``callback`` is told each
    iteration's :class:`IterationReport`; ``checkpoint`` is called with the state
    after every iteration that does not end the fit. ``engine`` runs the E-step
    over the shards of the corpus (:class:`lda_vi.engine.shards.LocalEngine` unless
    given, e.g. a Dask cluster); every engine gives the same bits.
    """
    k, priors, estep = settings.k, settings.priors, settings.estep
    V = corpus.n_words
    if resume is None:
        alpha = as_prior(priors.alpha, k, "alpha")
        lam = init_lam(rng, k, corpus)
        if priors.seeds is not None:
            priors.seeds.init_lam(lam, corpus)                          # the seeds' mass
        state = EMResult(lam=lam, gamma=init_gamma(corpus, alpha),
                         alpha=alpha, eta=float(as_prior(priors.eta, 1, "eta")[0]))
    else:
        state = EMResult(lam=np.array(resume.lam, dtype=np.float64),
                         gamma=np.array(resume.gamma, dtype=np.float64),
                         alpha=as_prior(resume.alpha, k, "alpha"), eta=float(resume.eta),
                         elbo=list(resume.elbo), seconds=list(resume.seconds),
                         mean_inner=list(resume.mean_inner),
                         restarted=list(resume.restarted), restarting=resume.restarting)
    if state.lam.shape != (k, V) or state.gamma.shape != (corpus.n_docs, k):
        raise ValueError("the state to resume from does not match the corpus and k")
    if covariates is not None:
        state.weights = _initial_weights(covariates, resume, state.alpha, corpus.n_docs)
        priors = replace(priors, learn_alpha=False)         # W is learned instead (C2)
    engine = engine if engine is not None else LocalEngine(corpus)
    topics = expect_topics(state.lam, estep.backend)                    # (E2)
    state.stop_reason = f"reached max_iter={settings.max_iter} before the tolerance"
    for iteration in range(state.n_iter + 1, settings.max_iter + 1):
        interrupts.check()                 # a signal swallowed anywhere stops the run here
        start = time.perf_counter()
        limit = update_limit(settings, iteration)
        step_settings = estep if limit is None else replace(estep, e_max_iter=limit)
        # cold restarts ('auto') start with the first iteration that solves each document
        # to its tolerance: a start cut short at a few updates would be judged unfairly
        restart = settings.restarts == "always" or (settings.restarts == "auto"
                                                    and state.restarting and limit is None)
        block = RestartBlock(iteration, RESTART_PERIOD) if restart else False
        # λ is not needed again once its expectations are taken: its buffer (V×K)
        # receives the new statistics, and becomes the new λ in place (E5).
        buffer = state.lam.T if state.lam.T.flags.c_contiguous else None
        state.lam = None
        alpha = state.alpha if covariates is None else \
            doc_alpha(covariates.features, state.weights)                # α_d (C1)
        est = engine.e_step(alpha, topics.expElogbetaT, state.gamma, block, step_settings,
                            out=buffer)
        totals = est.totals()
        if restart:
            tried = np.count_nonzero(block.rows(0, corpus.n_docs))
            share = float(totals.restarted / max(1, tried))
            state.restarted.append(share)
            # the first E-step starts cold anyway; judge from the second on
            state.restarting = share >= RESTART_STOP or state.n_iter == 0
        bound = float(totals.bound + topic_terms(topics, state.eta, priors.seeds))  # (B1), (B2)
        if covariates is not None:
            bound += log_prior(state.weights, covariates.precision)     # the prior of W (C2)
        statsT = est.statsT
        state.topic_tokens = statsT.sum(axis=0)
        state.lam = statsT.T                                            # K×V view
        add_prior(state.lam, state.eta, priors.seeds)                   # (E5) with (S1)
        topics = expect_topics(state.lam, estep.backend, out=topics.expElogbetaT)
        state.alpha, state.eta = hyper_step(priors, state.alpha, state.eta,
                                            elogtheta=est.elogtheta, n_docs=corpus.n_docs,
                                            topics=topics)                      # (H1)
        if covariates is not None and limit is None:     # W from documents solved in full
            _sync_gamma(engine, state.gamma)                 # the W step reads every γ_d
            step = fit_weights(state.weights, covariates.features,
                               dirichlet_expectation(state.gamma), covariates.precision)
            state.weights = step.weights                                # (C2)–(C3)
            state.alpha = doc_alpha(covariates.features, state.weights).mean(axis=0)
        seconds = time.perf_counter() - start
        previous = state.elbo[-1] if state.elbo else None
        state.elbo.append(bound)
        state.seconds.append(seconds)
        state.mean_inner.append(totals.mean_inner)
        change = relative_change(bound, previous) if previous is not None else float("nan")
        if previous is not None and bound < previous - DECREASE_TOL * abs(previous):
            _report_decrease(settings.on_decrease, iteration, previous, bound)
        if callback is not None:
            callback(IterationReport(iteration, bound, change, seconds, state.mean_inner[-1]))
        if previous is not None and change < settings.tol and limit is None:
            state.converged = True
            state.stop_reason = f"relative ELBO change {change:.3g} < tol {settings.tol:g}"
            break
        if checkpoint is not None:
            _sync_gamma(engine, state.gamma)
            checkpoint(state)
    _sync_gamma(engine, state.gamma)
    return state


def _sync_gamma(engine: EStepEngine, gamma: np.ndarray) -> None:
    """Bring γ into the caller's array from an engine that keeps it elsewhere (a cluster)."""
    sync = getattr(engine, "sync_gamma", None)
    if sync is not None:
        sync(gamma)


def _initial_weights(covariates: CovariatePrior, resume: EMResult | None, alpha: np.ndarray,
                     n_docs: int) -> np.ndarray:
    """W to start from: the resumed one, the given one, or the plain prior α (K×F)."""
    if covariates.features.shape[0] != n_docs:
        raise ValueError("covariates: features must have one row per document")
    given = resume.weights if resume is not None and resume.weights is not None \
        else covariates.weights
    n_features = covariates.features.shape[1]
    weights = initial_weights(alpha, n_features) if given is None else \
        np.array(given, dtype=np.float64)
    if weights.shape != (alpha.shape[0], n_features):
        raise ValueError("covariates: weights must be K×F")
    return weights


def _report_decrease(on_decrease: str, iteration: int, previous: float, bound: float) -> None:
    message = (f"ELBO decreased at iteration {iteration}: {previous!r} -> {bound!r} "
               f"(relative {(previous - bound) / abs(previous):.3g}); this is a bug")
    if on_decrease == "raise":
        raise ELBODecreaseError(message)
    if on_decrease == "warn":
        warnings.warn(message, RuntimeWarning, stacklevel=3)
