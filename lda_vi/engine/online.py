"""Online variational Bayes for LDA (Hoffman, Blei & Bach 2010), MATH.md (O1).

Glossary of shapes: D documents in the whole corpus (or an estimate), B
documents in one minibatch, V words, K topics. ``lam`` K×V, ``alpha`` K,
``eta`` a scalar.

For minibatch t = 1, 2, …, with ρ_t = (τ0 + t)^(−κ):

1. E-step on the minibatch with λ fixed (the same kernel as batch EM), γ
   starting from α + N_d/K (no per-document state is kept across minibatches,
   so memory does not grow with the corpus);
2. λ̂ = η + (D/B) S_batch; λ ← (1 − ρ_t) λ + ρ_t λ̂                 (O1)
3. α and η, if learned: the maximizer of (H1) on the minibatch's objective
   (scaled to D documents), damped by ρ_t like λ.

The bound of each minibatch, scaled to the corpus, gives a running per-word
bound: (D/B) Σ_{d∈B} L_d + topic terms, over (D/B) N_batch tokens.

Pure functions over arrays: minibatches come in as sparse matrices from an
iterable the caller supplies (read from disk in chunks, or rows of a matrix).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from lda_vi import interrupts
from lda_vi.engine.dirichlet import as_prior
from lda_vi.engine.em import EStepEngine, init_gamma, init_lam
from lda_vi.engine.hyper import hyper_step
from lda_vi.engine.layout import CorpusArrays, prepare
from lda_vi.engine.seeds import add_prior, topic_terms
from lda_vi.engine.settings import EStepSettings, OnlineSettings
from lda_vi.engine.shards import CorpusStep, LocalEngine
from lda_vi.engine.topics import expect_topics


@dataclass(frozen=True)
class MinibatchReport:
    """What :func:`fit_online` tells its callback after each minibatch."""

    update: int             # minibatches processed so far (t + 1)
    pass_index: int         # 0-based pass over the corpus
    docs_seen: int          # documents processed so far, over all passes
    rho: float
    per_word_bound: float   # running estimate for the corpus, nats per token
    seconds: float
    n_docs: int             # D, documents in one pass
    passes: int


@dataclass
class OnlineResult:
    """The fitted λ, α, η and the per-minibatch record."""

    lam: np.ndarray
    alpha: np.ndarray
    eta: float
    per_word_bound: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    docs_seen: int = 0
    topic_tokens: np.ndarray | None = None

    @property
    def n_updates(self) -> int:
        return len(self.per_word_bound)


def learning_rate(t: int, tau0: float, kappa: float) -> float:
    """ρ_t = (τ0 + t)^(−κ), MATH.md (O1)."""
    return float((tau0 + t) ** (-kappa))


def fit_online(batches: Callable[[int], Iterable[sp.spmatrix]], n_docs: int, n_words: int,
               settings: OnlineSettings, rng: np.random.Generator, *,
               callback: Callable[[MinibatchReport], None] | None = None,
               engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> OnlineResult:
    """Fit λ by online VB over ``settings.passes`` passes; ``batches(p)`` yields pass p's
    minibatches.

    Each minibatch is a B×V count matrix. ``n_docs`` is D, the corpus size
    the minibatch statistics are scaled to. λ is seeded from the first
    minibatch (:func:`lda_vi.engine.em.init_lam`). ``engine`` builds the E-step engine
    of each minibatch (default: :class:`lda_vi.engine.shards.LocalEngine`; e.g. a Dask
    cluster's), closed after use when it has ``close()``.
    """
    if n_docs < 1:
        raise ValueError("n_docs must be >= 1")
    k, priors, estep = settings.k, settings.priors, settings.estep
    alpha = as_prior(priors.alpha, k, "alpha")
    eta = float(as_prior(priors.eta, 1, "eta")[0])
    result = OnlineResult(lam=np.empty((0, 0)), alpha=alpha, eta=eta)
    lam = topics = None
    tokens_total = np.zeros(k)
    t = 0
    for pass_index in range(settings.passes):
        for X in batches(pass_index):
            interrupts.check()
            start = time.perf_counter()
            arrays = prepare(X, n_words=n_words)
            if arrays.n_docs == 0:
                continue
            if lam is None:
                lam = init_lam(rng, k, arrays)
                if priors.seeds is not None:
                    priors.seeds.init_lam(lam, arrays)                  # the seeds' mass
            if topics is None:     # else the η step already took them of this λ
                topics = expect_topics(lam, estep.backend)              # (E2)
            gamma = init_gamma(arrays, alpha)
            est = _minibatch_e_step(engine, arrays, alpha, topics.expElogbetaT, gamma, estep)
            scale = n_docs / arrays.n_docs
            tokens = float(arrays.data.sum())
            bound = (scale * est.totals().bound
                     + topic_terms(topics, eta, priors.seeds))
            per_word = bound / (scale * tokens) if tokens > 0 else float("nan")
            rho = learning_rate(t + 1, settings.tau0, settings.kappa)   # t = 1, 2, ...
            target = scale * est.sstats
            add_prior(target, eta, priors.seeds)                        # λ̂ of (O1), with (S1)
            lam = (1.0 - rho) * lam + rho * target                      # (O1)
            tokens_total = (1.0 - rho) * tokens_total + rho * scale * est.sstats.sum(axis=1)
            topics = expect_topics(lam, estep.backend) if priors.learn_eta else None
            alpha, eta = hyper_step(priors, alpha, eta, elogtheta=est.elogtheta, n_docs=n_docs,
                                    topics=topics, scale=scale, rho=rho)          # (H1)
            t += 1
            result.docs_seen += arrays.n_docs
            seconds = time.perf_counter() - start
            result.per_word_bound.append(per_word)
            result.seconds.append(seconds)
            if callback is not None:
                callback(MinibatchReport(t, pass_index, result.docs_seen, rho, per_word,
                                         seconds, n_docs, settings.passes))
    if lam is None:
        raise ValueError("no documents in any minibatch")
    result.lam, result.alpha, result.eta, result.topic_tokens = lam, alpha, eta, tokens_total
    return result


def _minibatch_e_step(engine, arrays: CorpusArrays, alpha: np.ndarray,
                      expElogbetaT: np.ndarray, gamma: np.ndarray,
                      settings: EStepSettings) -> CorpusStep:
    runner = LocalEngine(arrays) if engine is None else engine(arrays)
    try:
        return runner.e_step(alpha, expElogbetaT, gamma, False, settings)
    finally:
        close = getattr(runner, "close", None)
        if close is not None:
            close()


def row_batches(X: sp.spmatrix, batch_size: int, rng: np.random.Generator | None = None
                ) -> Callable[[int], Iterable[sp.csr_matrix]]:
    """Minibatches of the rows of an in-memory matrix; shuffled each pass when ``rng`` is given."""
    X = sp.csr_matrix(X)
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")

    def batches(pass_index: int) -> Iterable[sp.csr_matrix]:
        order = np.arange(X.shape[0]) if rng is None else rng.permutation(X.shape[0])
        for lo in range(0, X.shape[0], batch_size):
            yield X[np.sort(order[lo:lo + batch_size])]

    return batches
