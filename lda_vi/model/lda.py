"""The LDA model: fit, transform, save and load, over the pure engine.

Glossary of shapes: D documents, V words (the vocabulary), K topics.

Fitted attributes, named as in MATH.md:

- ``lam``: K×V, the variational Dirichlet parameters λ of the topics.
- ``alpha``: K, the prior α of θ (learned when ``alpha='auto'``).
- ``eta``: float, the symmetric prior η of β (learned when ``eta='auto'``).
- ``gamma``: D×K, the variational parameters γ of the training documents.
- ``vocab``: the :class:`~lda_vi.text.vocabulary.Vocabulary`; ``doc_ids``: D ids.
- ``trace``: the :class:`~lda_vi.engine.em.EMResult` record (ELBO per iteration, …).
- ``covariates``: a :class:`~lda_vi.model.covariates.CovariateState` (the design, the
  weights W and the training values) when fitted with covariates, else None; ``alpha``
  is then the training documents' mean prior.

Example, on a corpus small enough to read:

>>> from lda_vi.model.lda import LDA
>>> docs = ["apple banana apple fruit", "banana fruit apple apple",
...         "engine wheel car engine", "car wheel engine road"] * 5
>>> model = LDA(k=2, seed=0, max_iter=50, min_df=1, max_df=1.0).fit(docs)
>>> model.lam.shape, model.gamma.shape
((2, 7), (20, 2))
>>> sorted({words[0][0] for words in model.topics(top_n=1)})
['apple', 'engine']
>>> theta = model.transform(["apple fruit banana"])
>>> theta.shape, bool(abs(theta.sum() - 1) < 1e-12)
((1, 2), True)
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from lda_vi.engine.backend import set_threads
from lda_vi.engine.dirichlet import as_prior
from lda_vi.engine.em import EMResult, EStepEngine, IterationReport, fit_batch, init_gamma
from lda_vi.engine.estep import e_step
from lda_vi.engine.layout import CorpusArrays, prepare
from lda_vi.engine.online import MinibatchReport
from lda_vi.engine.settings import BatchSettings
from lda_vi.engine.topics import expect_topics
from lda_vi.errors import InputError
from lda_vi.io.corpus import Corpus, build_corpus, vectorize, with_ids
from lda_vi.model import cvb0_fit, persistence, streaming
from lda_vi.model.checkpoint import checkpoint_hooks, resumed_seed
from lda_vi.model.covariates import CovariateState, covariate_prior, document_prior
from lda_vi.model.guided import guide
from lda_vi.model.labels import topic_names
from lda_vi.model.record import RunRecord
from lda_vi.model.settings import SEED_STRENGTH, FitSettings, resolve_seed
from lda_vi.model.validation import check_fit_inputs, check_top_n, check_topics_fit
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig, learn_phrases
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

__all__ = ["LDA", "FitSettings", "Inference"]

@dataclass
class Inference:
    """γ of new documents with λ fixed, and their bound (no topic terms)."""

    gamma: np.ndarray          # D×K
    bound: np.ndarray          # D, doc terms of (B1) + word term (B2)
    n_tokens: np.ndarray       # D

    @property
    def theta(self) -> np.ndarray:
        """θ̄ = γ / Σγ (D×K, rows sum to 1)."""
        return self.gamma / self.gamma.sum(axis=1, keepdims=True)


@dataclass
class LDA:
    """Latent Dirichlet allocation fitted by batch variational EM.

    ``k`` topics; ``alpha``/``eta`` a positive number or 'auto' (learned by
    Newton's method, MATH.md H1, starting from 1/K and 0.01); ``seed`` makes
    runs bit-identical. Tokenizer and pruning settings are keyword arguments
    of :class:`TokenizerConfig` and :class:`PruneConfig` (``min_df``,
    ``max_df``, ``max_vocab``, ``stem``, ``min_length``, ...).

    ``seed_words`` (``{"gulf": ["iraq", "kuwait"], ...}``) guides the first topics,
    in order, to themes known in advance: their prior is η + ``seed_strength`` on
    their seed words (MATH.md S1), and they are labelled with their keys
    (:attr:`labels`, :attr:`topic_names`). ``k`` counts all topics, seeded or free.
    """

    settings: FitSettings
    tokenizer_config: TokenizerConfig
    prune_config: PruneConfig
    lam: np.ndarray | None = None
    alpha: np.ndarray | None = None
    eta: float | None = None
    gamma: np.ndarray | None = None
    vocab: Vocabulary | None = None
    doc_ids: list[str] = field(default_factory=list)
    trace: EMResult | None = None
    topic_tokens: np.ndarray | None = None
    doc_tokens: np.ndarray | None = None      # D, each training document's tokens
    record: RunRecord = field(default_factory=RunRecord)
    covariates: CovariateState | None = None
    labels: list[str | None] = field(default_factory=list)

    def __init__(self, k: int = 10, *, alpha: float | str = "auto", eta: float | str = "auto",
                 max_iter: int = 200, tol: float = 1e-4, e_tol: float = 1e-3,
                 e_max_iter: int = 100, e_warmup: int = 8, seed: int | None = None,
                 threads: int | None = None,
                 backend: str = "auto", on_decrease: str = "warn", method: str = "batch",
                 batch_size: int = 256, tau0: float = 10.0, kappa: float = 0.7,
                 passes: int = 1, covariate_prior: float = 1.0, time_bins: int | None = None,
                 spline_df: int = 5, inference: str = "vb", seed_words: dict | None = None,
                 seed_strength: float = SEED_STRENGTH,
                 tokenizer: TokenizerConfig | None = None, prune: PruneConfig | None = None,
                 **pipeline: object) -> None:
        self.settings = FitSettings(k=k, alpha=alpha, eta=eta, max_iter=max_iter, tol=tol,
                                    e_tol=e_tol, e_max_iter=e_max_iter, e_warmup=e_warmup,
                                    seed=seed,
                                    threads=threads, backend=backend, on_decrease=on_decrease,
                                    method=method, batch_size=batch_size, tau0=tau0,
                                    kappa=kappa, passes=passes,
                                    covariate_prior=covariate_prior, time_bins=time_bins,
                                    spline_df=spline_df, inference=inference,
                                    seed_words=seed_words, seed_strength=seed_strength)
        prune_keys = {"min_df", "max_df", "max_vocab"}
        prune_kw = {key: pipeline.pop(key) for key in list(pipeline) if key in prune_keys}
        self.prune_config = prune or PruneConfig(**prune_kw)
        self.tokenizer_config = tokenizer or TokenizerConfig(**pipeline)
        self.lam = self.alpha = self.eta = self.gamma = self.vocab = None
        self.doc_ids, self.trace, self.topic_tokens = [], None, None
        self.doc_tokens = None
        self.labels: list[str | None] = [None] * self.k
        self.record = RunRecord()
        self.covariates = None
        self._expElogbetaT = None

    # ------------------------------------------------------------------ fitting
    @property
    def k(self) -> int:
        return self.settings.k

    @property
    def run_info(self) -> dict:
        """The run record as the dict ``run.json`` holds (a copy: change :attr:`record`)."""
        return self.record.to_dict()

    @run_info.setter
    def run_info(self, data: dict) -> None:
        self.record = RunRecord.from_dict(data)

    def fit(self, docs: Iterable[str] | Iterable[tuple[str, str]], **options) -> LDA:
        """Tokenize ``docs`` (strings, or (id, text) pairs; phrases are learned first if
        ``tokenizer_config.phrases`` asks) and fit the model. ``options`` are those of
        :meth:`fit_counts` (callback, checkpoints, covariates)."""
        docs = list(with_ids(docs))
        self.tokenizer_config = learn_phrases([t for _, t in docs], self.tokenizer_config)
        corpus = build_corpus(docs, Tokenizer(self.tokenizer_config), self.prune_config)
        return self.fit_corpus(corpus, **options)

    def fit_corpus(self, corpus: Corpus, **options) -> LDA:
        """Fit to an already built :class:`~lda_vi.io.corpus.Corpus`."""
        self.vocab, self.doc_ids = corpus.vocab, list(corpus.doc_ids)
        self.record.corpus = {"documents": corpus.n_docs, "words": corpus.n_words,
                              "tokens": int(corpus.n_tokens), "empty_documents":
                              int(corpus.n_empty)}
        return self.fit_counts(corpus.counts, **options)

    def fit_counts(self, X: sp.spmatrix, vocab: Vocabulary | None = None,
                   callback: Callable[[IterationReport], None] | None = None, *,
                   checkpoint_dir: str | os.PathLike | None = None, checkpoint_every: int = 0,
                   resume_dir: str | os.PathLike | None = None,
                   monitor: Callable[[EMResult], None] | None = None,
                   monitor_every: int = 0,
                   engine: Callable[[CorpusArrays], EStepEngine] | None = None,
                   covariates: dict[str, Sequence[str]] | None = None,
                   covariates_where: Sequence[str] | None = None) -> LDA:
        """Fit to a D×V count matrix (the vocabulary, if given, names its columns).

        ``covariates`` ({name: D raw values}: dates, numbers or categories) gives each
        document its own prior α_d = exp(x_d · w_k) (Dirichlet-multinomial regression,
        MATH.md C1–C3); ``covariates_where`` names each row for error messages.

        With ``checkpoint_dir`` and ``checkpoint_every=N`` the state is saved
        there (atomically) every N iterations; ``resume_dir`` continues from such
        a checkpoint, to the same result as a run that never stopped.
        ``monitor`` is called with the current EM state (read it, never change
        it) every ``monitor_every`` iterations, e.g. to score held-out documents
        with :meth:`with_state`; it does not change the fit.
        ``engine`` builds the E-step engine from the prepared corpus (e.g.
        :meth:`lda_vi.engine.dask_engine.Cluster.engine_factory`; default: this process);
        it is closed after the fit when it has ``close()``, and its ``describe()``,
        if any, is recorded in ``run_info["engine"]``. Every engine gives the same bits.
        """
        s = self.settings
        check_fit_inputs(s, X, covariates)
        if vocab is not None:
            self.vocab = vocab
        if s.method == "online":
            if covariates:
                raise InputError("covariates need method='batch'", params=("covariates",
                                                                           "method"))
            return self._fit_online_counts(X, callback, engine)
        if s.inference == "cvb0":                  # MATH.md (V1)-(V4), model/cvb0_fit.py
            return cvb0_fit.fit_counts(self, X, callback, checkpoint_dir and checkpoint_every,
                                       resume_dir, monitor, engine, covariates)
        arrays = prepare(X)
        if self.vocab is not None and len(self.vocab) != arrays.n_words:
            raise ValueError("the vocabulary does not match the count matrix")
        check_topics_fit(s.k, arrays.n_words)
        if not self.doc_ids or len(self.doc_ids) != arrays.n_docs:
            self.doc_ids = [str(i + 1) for i in range(arrays.n_docs)]
        seed = resolve_seed(resumed_seed(resume_dir, s.seed))
        threads = set_threads(s.threads)
        cov_state, cov_prior = None, None
        if covariates:
            where = covariates_where or [f"document {i + 1}" for i in range(arrays.n_docs)]
            cov_state, cov_prior = covariate_prior(
                covariates, where, alpha=as_prior(s.priors().alpha, s.k, "alpha"),
                sigma=s.covariate_prior, time_bins=s.time_bins, df=s.spline_df)
        meta = {"settings": asdict(s) | {"seed": seed, "covariates": None if cov_state is None
                                         else cov_state.names},
                "tokenizer": self.tokenizer_config.to_dict(),
                "prune": self.prune_config.to_dict()}
        resume, on_state = checkpoint_hooks(
            arrays, meta, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
            resume_dir=resume_dir, monitor=monitor, monitor_every=monitor_every)
        start = time.perf_counter()
        estep_engine = engine(arrays) if engine is not None else None
        seeds = guide(self, arrays.n_words)
        try:
            batch = BatchSettings(s.k, s.priors(seeds), s.estep(), max_iter=s.max_iter, tol=s.tol,
                                  on_decrease=s.on_decrease, e_warmup=s.e_warmup)
            result = fit_batch(arrays, batch, np.random.default_rng(seed), resume=resume,
                               engine=estep_engine, callback=callback, checkpoint=on_state,
                               covariates=cov_prior)
            if hasattr(estep_engine, "describe"):
                self.record.engine = estep_engine.describe()
        finally:
            if hasattr(estep_engine, "close"):
                estep_engine.close()
        elapsed = time.perf_counter() - start
        if resume is not None:
            elapsed += float(sum(resume.seconds))
        self.lam, self.alpha, self.eta, self.gamma = (result.lam, result.alpha, result.eta,
                                                      result.gamma)
        self.trace, self.topic_tokens, self._expElogbetaT = result, result.topic_tokens, None
        self.doc_tokens = arrays.doc_lengths
        if cov_state is not None:
            cov_state.weights = result.weights
        self.covariates = cov_state
        self.record.record_batch_fit(
            result, settings=asdict(s) | {"seed": seed, "threads": threads},
            tokenizer=self.tokenizer_config.to_dict(), prune=self.prune_config.to_dict(),
            seconds=elapsed, corpus=arrays)
        self.record.covariates = None if cov_state is None else cov_state.describe()
        return self

    def with_state(self, state: EMResult) -> LDA:
        """A shallow copy of this model with the λ, α and η of an EM state.

        For inference while a fit goes on (a ``monitor`` of :meth:`fit_counts`):
        this model is left as it is.
        """
        view = copy.copy(self)
        view.lam, view.alpha, view.eta = state.lam, state.alpha, state.eta
        view._expElogbetaT = None
        return view

    # ------------------------------------------------------------ online fits
    def _fit_online_counts(self, X: sp.spmatrix,
                           callback: Callable[[MinibatchReport], None] | None,
                           engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> LDA:
        return streaming.fit_online_counts(self, X, callback, engine)

    def fit_stream(self, open_docs: Callable[[], Iterable[tuple[str, str]]],
                   callback: Callable[[MinibatchReport], None] | None = None,
                   vocab: Vocabulary | None = None,
                   engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> LDA:
        """Online VB over documents read from disk, never holding the corpus in memory.
        (``open_docs`` may be a :class:`~lda_vi.io.count_stream.CountStream`: a count file.)
        ``open_docs()`` returns a fresh iterator of ``(doc_id, text)`` pairs each
        time (one counting pass for the vocabulary unless ``vocab`` is given,
        then one per pass). The training documents' γ is not kept: use
        :meth:`transform_stream` to write their θ̄. ``engine`` builds each
        minibatch's E-step engine (e.g. a Dask cluster's; default: this process).
        """
        check_fit_inputs(self.settings, None, None)
        return streaming.fit_stream(self, open_docs, callback, vocab, engine)

    def transform_stream(self, docs: Iterable[tuple[str, str]], batch_size: int = 1024):
        """θ̄ of documents read in minibatches: yields (ids, θ̄ B×K, out-of-vocabulary)."""
        return streaming.transform_stream(self, docs, batch_size)

    # ---------------------------------------------------------------- inference
    def _require_fitted(self) -> None:
        if self.lam is None:
            raise ValueError("this LDA model is not fitted yet: call fit() or LDA.load()")

    @property
    def expElogbetaT(self) -> np.ndarray:
        """exp(Elogβ) transposed (V×K), cached for inference."""
        self._require_fitted()
        if self._expElogbetaT is None:
            self._expElogbetaT = expect_topics(self.lam, self.settings.backend).expElogbetaT
        return self._expElogbetaT

    def vectorize(self, docs: Iterable[str] | Iterable[tuple[str, str]]
                  ) -> tuple[sp.csr_matrix, list[str], int]:
        """New documents as counts over the model's vocabulary: (X, ids, out-of-vocabulary)."""
        self._require_fitted()
        return vectorize(with_ids(docs), Tokenizer(self.tokenizer_config), self.vocab)

    def infer(self, X: sp.spmatrix, covariates: dict[str, Sequence[str]] | None = None,
              where: Sequence[str] | None = None) -> Inference:
        """γ of the documents of X (D×V counts) with λ fixed, and their bound.

        A model fitted with covariates takes the documents' own prior α_d from their
        ``covariates`` ({name: D raw values}); without them, the training documents'
        mean prior :attr:`alpha`.
        """
        self._require_fitted()
        arrays: CorpusArrays = prepare(X, n_words=self.lam.shape[1])
        set_threads(self.settings.threads)
        alpha = document_prior(self.covariates, self.alpha, covariates, where, arrays.n_docs)
        gamma, estep = (cvb0_fit.infer_start(self, arrays) if self.settings.inference == "cvb0"
                        else (init_gamma(arrays, alpha), self.settings.estep()))
        est = e_step(arrays, alpha, self.expElogbetaT, gamma, estep, sstats=False)
        bound = est.bound
        return Inference(gamma=gamma, bound=bound, n_tokens=arrays.doc_lengths)

    def transform(self, docs: Iterable[str] | Iterable[tuple[str, str]],
                  covariates: dict[str, Sequence[str]] | None = None) -> np.ndarray:
        """θ̄ of new documents (D×K, rows sum to 1); words outside the vocabulary are ignored.

        ``covariates`` ({name: one raw value per document}) gives a covariate model the
        documents' own priors (see :meth:`infer`).
        """
        X, _, _ = self.vectorize(docs)
        return self.infer(X, covariates).theta

    # ----------------------------------------------------------------- reading
    @property
    def beta(self) -> np.ndarray:
        """β̄ = λ / Σλ, the expected topic-word distributions (K×V)."""
        self._require_fitted()
        return self.lam / self.lam.sum(axis=1, keepdims=True)

    @property
    def theta(self) -> np.ndarray:
        """θ̄ of the training documents (D×K, rows sum to 1)."""
        self._require_fitted()
        return self.gamma / self.gamma.sum(axis=1, keepdims=True)

    def topic_shares(self) -> np.ndarray:
        """Each topic's share of the training tokens, Σ_w S_kw / N (K, sums to 1)."""
        self._require_fitted()
        tokens = self.topic_tokens if self.topic_tokens is not None else self.gamma.sum(0)
        total = tokens.sum()
        return tokens / total if total > 0 else np.full(self.k, 1.0 / self.k)

    def top_word_ids(self, top_n: int = 10) -> np.ndarray:
        """K×M ids of each topic's most probable words, highest first (ties: lower id)."""
        self._require_fitted()
        top_n = min(check_top_n(top_n), self.lam.shape[1])
        return np.argsort(-self.lam, axis=1, kind="stable")[:, :top_n]

    @property
    def topic_names(self) -> list[str]:
        """Every topic's name: its label, or ``topic_k`` (CSV headers, tables, the report)."""
        return topic_names(self.labels, self.k)

    def topics(self, top_n: int = 10) -> list[list[tuple[str, float]]]:
        """The top words of every topic with their probability under β̄."""
        beta = self.beta
        return [[(self.vocab[w], float(beta[k, w])) for w in row]
                for k, row in enumerate(self.top_word_ids(top_n))]

    # ----------------------------------------------------------- save and load
    def save(self, directory: str | os.PathLike) -> Path:
        """Write the model to ``directory`` (created if needed), every file atomically.

        Files: ``model.json`` (format, settings, tokenizer and pruning),
        ``arrays.npz`` (λ, α, γ, topic tokens; no pickles), ``vocab.txt``,
        ``doc_ids.txt`` and ``run.json``.
        """
        self._require_fitted()
        return persistence.save_model(self, directory)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> LDA:
        """Read a model written by :meth:`save`; a clear :class:`ModelFileError` otherwise."""
        return persistence.load_model(cls, directory)
