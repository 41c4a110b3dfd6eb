"""The LDA model: fit, transform, save and load, over the pure engine.

Glossary of shapes: D documents, V words (the vocabulary), K topics.

Fitted attributes, named as in MATH.md:

- ``lam``: K×V, the variational Dirichlet parameters λ of the topics.
- ``alpha``: K, the prior α of θ (learned when ``alpha='auto'``).
- ``eta``: float, the symmetric prior η of β (learned when ``eta='auto'``).
- ``gamma``: D×K, the variational parameters γ of the training documents.
- ``vocab``: the :class:`~lda_vi.text.vocabulary.Vocabulary`; ``doc_ids``: D ids.
- ``trace``: the :class:`~lda_vi.engine.em.EMResult` record (ELBO per iteration, …).

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
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from lda_vi import __version__
from lda_vi.engine.backend import set_threads
from lda_vi.engine.em import EMResult, EStepEngine, IterationReport, fit_batch, init_gamma
from lda_vi.engine.estep import e_step
from lda_vi.engine.layout import CorpusArrays, prepare
from lda_vi.engine.online import MinibatchReport, OnlineResult, fit_online, row_batches
from lda_vi.engine.settings import BatchSettings, EStepSettings, OnlineSettings, Priors
from lda_vi.engine.topics import expect_topics
from lda_vi.errors import InputError, ModelFileError
from lda_vi.evaluate.heldout import resolve_seed
from lda_vi.io.atomic import atomic_open, atomic_write_text
from lda_vi.io.corpus import Corpus, build_corpus, vectorize
from lda_vi.io.stream import count_batches, scan_vocabulary
from lda_vi.model.checkpoint import fingerprint, load_checkpoint, save_checkpoint
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

FORMAT_NAME = "lda-vi-model"
FORMAT_VERSION = 1


@dataclass
class FitSettings:
    """How a model is fitted; stored in ``model.json`` and ``run.json``."""

    k: int = 10
    alpha: float | str = "auto"
    eta: float | str = "auto"
    max_iter: int = 200
    tol: float = 1e-4
    e_tol: float = 1e-3
    e_max_iter: int = 100
    seed: int | None = None
    threads: int | None = None
    backend: str = "auto"
    on_decrease: str = "warn"
    method: str = "batch"
    batch_size: int = 256
    tau0: float = 10.0
    kappa: float = 0.7
    passes: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.k, int | np.integer) or self.k < 1:
            raise InputError(f"the number of topics must be a whole number >= 1, got {self.k!r}")
        for name in ("alpha", "eta"):
            value = getattr(self, name)
            if isinstance(value, str):
                if value.strip().lower() != "auto":
                    try:
                        value = float(value)
                    except ValueError:
                        raise InputError(f"--{name} must be a positive number or 'auto', "
                                         f"got {value!r}") from None
                else:
                    value = "auto"
            if not isinstance(value, str) and not (np.isfinite(value) and value > 0):
                raise InputError(f"--{name} must be a positive number or 'auto', got {value!r}")
            setattr(self, name, value if isinstance(value, str) else float(value))
        if self.max_iter < 1:
            raise InputError("--max-iter must be >= 1")
        if self.tol < 0 or self.e_tol <= 0 or self.e_max_iter < 1:
            raise InputError("--tol must be >= 0, --e-tol > 0 and --e-max-iter >= 1")
        if self.threads is not None and self.threads < 1:
            raise InputError("--threads must be >= 1")
        if self.method not in ("batch", "online"):
            raise InputError(f"--method must be 'batch' or 'online', got {self.method!r}")
        if self.batch_size < 1 or self.passes < 1:
            raise InputError("--batch-size and --passes must be >= 1")
        if not 0.5 < self.kappa <= 1.0 or self.tau0 < 0:
            raise InputError("--kappa must be in (0.5, 1] and --tau0 >= 0 "
                             "(Hoffman et al. 2010)")


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
    run_info: dict = field(default_factory=dict)

    def __init__(self, k: int = 10, *, alpha: float | str = "auto", eta: float | str = "auto",
                 max_iter: int = 200, tol: float = 1e-4, e_tol: float = 1e-3,
                 e_max_iter: int = 100, seed: int | None = None, threads: int | None = None,
                 backend: str = "auto", on_decrease: str = "warn", method: str = "batch",
                 batch_size: int = 256, tau0: float = 10.0, kappa: float = 0.7,
                 passes: int = 1,
                 tokenizer: TokenizerConfig | None = None, prune: PruneConfig | None = None,
                 **pipeline: object) -> None:
        self.settings = FitSettings(k=k, alpha=alpha, eta=eta, max_iter=max_iter, tol=tol,
                                    e_tol=e_tol, e_max_iter=e_max_iter, seed=seed,
                                    threads=threads, backend=backend, on_decrease=on_decrease,
                                    method=method, batch_size=batch_size, tau0=tau0,
                                    kappa=kappa, passes=passes)
        prune_keys = {"min_df", "max_df", "max_vocab"}
        prune_kw = {key: pipeline.pop(key) for key in list(pipeline) if key in prune_keys}
        self.prune_config = prune or PruneConfig(**prune_kw)
        self.tokenizer_config = tokenizer or TokenizerConfig(**pipeline)
        self.lam = self.alpha = self.eta = self.gamma = self.vocab = None
        self.doc_ids, self.trace, self.topic_tokens, self.run_info = [], None, None, {}
        self._expElogbetaT = None

    # ------------------------------------------------------------------ fitting
    @property
    def k(self) -> int:
        return self.settings.k

    def fit(self, docs: Iterable[str] | Iterable[tuple[str, str]], **options) -> LDA:
        """Tokenize ``docs`` (strings, or (id, text) pairs) and fit the model.

        ``options`` are those of :meth:`fit_counts` (callback, checkpoints).
        """
        corpus = build_corpus(_with_ids(docs), Tokenizer(self.tokenizer_config),
                              self.prune_config)
        return self.fit_corpus(corpus, **options)

    def fit_corpus(self, corpus: Corpus, **options) -> LDA:
        """Fit to an already built :class:`~lda_vi.io.corpus.Corpus`."""
        self.vocab, self.doc_ids = corpus.vocab, list(corpus.doc_ids)
        self.run_info["corpus"] = {"documents": corpus.n_docs, "words": corpus.n_words,
                                   "tokens": int(corpus.n_tokens), "empty_documents":
                                   int(corpus.n_empty)}
        return self.fit_counts(corpus.counts, **options)

    def fit_counts(self, X: sp.spmatrix, vocab: Vocabulary | None = None,
                   callback: Callable[[IterationReport], None] | None = None, *,
                   checkpoint_dir: str | os.PathLike | None = None, checkpoint_every: int = 0,
                   resume_dir: str | os.PathLike | None = None,
                   monitor: Callable[[EMResult], None] | None = None,
                   monitor_every: int = 0,
                   engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> LDA:
        """Fit to a D×V count matrix (the vocabulary, if given, names its columns).

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
        if vocab is not None:
            self.vocab = vocab
        if s.method == "online":
            return self._fit_online_counts(X, callback, engine)
        arrays = prepare(X)
        if self.vocab is not None and len(self.vocab) != arrays.n_words:
            raise ValueError("the vocabulary does not match the count matrix")
        if not self.doc_ids or len(self.doc_ids) != arrays.n_docs:
            self.doc_ids = [str(i + 1) for i in range(arrays.n_docs)]
        seed = self._seed()
        threads = set_threads(s.threads)
        print_ = fingerprint(arrays)
        resume = None
        if resume_dir is not None:
            resume, meta = load_checkpoint(resume_dir)
            if meta.get("fingerprint") != print_:
                raise InputError(f"the checkpoint in {resume_dir} was made on another corpus "
                                 "or other pipeline settings; resume with the same input")
        meta = {"fingerprint": print_, "settings": asdict(s) | {"seed": seed},
                "tokenizer": self.tokenizer_config.to_dict(),
                "prune": self.prune_config.to_dict()} | self.run_info.get("checkpoint_meta", {})
        hooks = []
        if checkpoint_dir is not None and checkpoint_every > 0:
            hooks.append((checkpoint_every,
                          lambda state: save_checkpoint(checkpoint_dir, state, meta)))
        if monitor is not None and monitor_every > 0:
            hooks.append((monitor_every, monitor))

        def on_state(state: EMResult) -> None:
            for every, hook in hooks:
                if state.n_iter % every == 0:
                    hook(state)

        start = time.perf_counter()
        estep_engine = engine(arrays) if engine is not None else None
        try:
            batch = BatchSettings(s.k, _priors(s), _estep(s), max_iter=s.max_iter, tol=s.tol,
                                  on_decrease=s.on_decrease)
            result = fit_batch(arrays, batch, np.random.default_rng(seed), resume=resume,
                               engine=estep_engine, callback=callback,
                               checkpoint=on_state if hooks else None)
            if hasattr(estep_engine, "describe"):
                self.run_info["engine"] = estep_engine.describe()
        finally:
            if hasattr(estep_engine, "close"):
                estep_engine.close()
        elapsed = time.perf_counter() - start
        if resume is not None:
            elapsed += float(sum(resume.seconds))
        self.lam, self.alpha, self.eta, self.gamma = (result.lam, result.alpha, result.eta,
                                                      result.gamma)
        self.trace, self.topic_tokens, self._expElogbetaT = result, result.topic_tokens, None
        self.run_info.update({
            "settings": asdict(s) | {"seed": seed, "threads": threads},
            "tokenizer": self.tokenizer_config.to_dict(), "prune": self.prune_config.to_dict(),
            "versions": _versions(), "elbo": result.elbo, "converged": result.converged,
            "stop_reason": result.stop_reason, "iterations": result.n_iter,
            "seconds_per_iteration": result.seconds, "mean_inner_iterations": result.mean_inner,
            "fit_seconds": elapsed, "alpha": result.alpha.tolist(), "eta": result.eta,
        })
        self.run_info.setdefault("corpus", {"documents": arrays.n_docs,
                                            "words": arrays.n_words,
                                            "tokens": int(arrays.data.sum())})
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
    def _online(self, batches, n_docs: int, n_words: int, seed: int,
                callback: Callable[[MinibatchReport], None] | None,
                engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> OnlineResult:
        s = self.settings
        threads = set_threads(s.threads)
        start = time.perf_counter()
        online = OnlineSettings(s.k, _priors(s), _estep(s), tau0=s.tau0, kappa=s.kappa,
                                passes=s.passes)
        result = fit_online(batches, n_docs, n_words, online, np.random.default_rng(seed),
                            callback=callback, engine=engine)
        self.lam, self.alpha, self.eta = result.lam, result.alpha, result.eta
        self.topic_tokens, self._expElogbetaT, self.trace = result.topic_tokens, None, None
        self.run_info.update({
            "settings": asdict(s) | {"seed": seed, "threads": threads},
            "tokenizer": self.tokenizer_config.to_dict(), "prune": self.prune_config.to_dict(),
            "versions": _versions(), "method": "online", "updates": result.n_updates,
            "documents_seen": result.docs_seen, "per_word_bound": result.per_word_bound,
            "seconds_per_update": result.seconds, "fit_seconds": time.perf_counter() - start,
            "alpha": result.alpha.tolist(), "eta": result.eta,
        })
        return result

    def _seed(self) -> int:
        return resolve_seed(self.settings.seed)

    def _fit_online_counts(self, X: sp.spmatrix,
                           callback: Callable[[MinibatchReport], None] | None,
                           engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> LDA:
        """Online VB over the rows of an in-memory matrix (shuffled each pass), then γ."""
        X = sp.csr_matrix(X, dtype=np.float64)
        if self.vocab is not None and len(self.vocab) != X.shape[1]:
            raise ValueError("the vocabulary does not match the count matrix")
        if not self.doc_ids or len(self.doc_ids) != X.shape[0]:
            self.doc_ids = [str(i + 1) for i in range(X.shape[0])]
        seed = self._seed()
        shuffle = np.random.default_rng([seed, 1])
        self._online(row_batches(X, self.settings.batch_size, shuffle), X.shape[0], X.shape[1],
                     seed, callback, engine)
        self.gamma = self.infer(X).gamma
        self.run_info.setdefault("corpus", {"documents": X.shape[0], "words": X.shape[1],
                                            "tokens": int(X.sum())})
        return self

    def fit_stream(self, open_docs: Callable[[], Iterable[tuple[str, str]]],
                   callback: Callable[[MinibatchReport], None] | None = None,
                   vocab: Vocabulary | None = None,
                   engine: Callable[[CorpusArrays], EStepEngine] | None = None) -> LDA:
        """Online VB over documents read from disk, never holding the corpus in memory.

        ``open_docs()`` returns a fresh iterator of ``(doc_id, text)`` pairs each
        time (one counting pass for the vocabulary unless ``vocab`` is given,
        then one per pass). The training documents' γ is not kept: use
        :meth:`transform_stream` to write their θ̄. ``engine`` builds each
        minibatch's E-step engine (e.g. a Dask cluster's; default: this process).
        """
        tokenizer = Tokenizer(self.tokenizer_config)
        if vocab is None:
            vocab, n_docs, n_tokens = scan_vocabulary(open_docs(), tokenizer, self.prune_config)
        else:
            n_docs, n_tokens = sum(1 for _ in open_docs()), None
        self.vocab, self.doc_ids = vocab, []
        size = self.settings.batch_size

        def batches(pass_index: int):
            for X, _, _ in count_batches(open_docs(), tokenizer, vocab, size):
                yield X

        self._online(batches, n_docs, len(vocab), self._seed(), callback, engine)
        self.gamma = np.empty((0, self.k))
        self.run_info["corpus"] = {"documents": n_docs, "words": len(vocab),
                                   "tokens": n_tokens}
        return self

    def transform_stream(self, docs: Iterable[tuple[str, str]], batch_size: int = 1024):
        """θ̄ of documents read in minibatches: yields (ids, θ̄ B×K, out-of-vocabulary)."""
        self._require_fitted()
        tokenizer = Tokenizer(self.tokenizer_config)
        for X, ids, n_oov in count_batches(docs, tokenizer, self.vocab, batch_size):
            yield ids, self.infer(X).theta, n_oov

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
        return vectorize(_with_ids(docs), Tokenizer(self.tokenizer_config), self.vocab)

    def infer(self, X: sp.spmatrix) -> Inference:
        """γ of the documents of X (D×V counts) with λ fixed, and their bound."""
        self._require_fitted()
        arrays: CorpusArrays = prepare(X, n_words=self.lam.shape[1])
        set_threads(self.settings.threads)
        gamma = init_gamma(arrays, self.alpha)
        est = e_step(arrays, self.alpha, self.expElogbetaT, gamma, _estep(self.settings),
                     sstats=False)
        bound = est.bound
        return Inference(gamma=gamma, bound=bound, n_tokens=arrays.doc_lengths)

    def transform(self, docs: Iterable[str] | Iterable[tuple[str, str]]) -> np.ndarray:
        """θ̄ of new documents (D×K, rows sum to 1); words outside the vocabulary are ignored."""
        X, _, _ = self.vectorize(docs)
        return self.infer(X).theta

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
        top_n = max(0, min(int(top_n), self.lam.shape[1]))
        return np.argsort(-self.lam, axis=1, kind="stable")[:, :top_n]

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
        directory = Path(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create {directory}: {exc.strerror}") from None
        with atomic_open(directory / "arrays.npz", "wb") as handle:
            np.savez(handle, lam=self.lam, alpha=self.alpha, gamma=self.gamma,
                     topic_tokens=self.topic_shares() if self.topic_tokens is None
                     else self.topic_tokens)
        atomic_write_text(directory / "vocab.txt", "".join(w + "\n" for w in self.vocab.words))
        atomic_write_text(directory / "doc_ids.txt", "".join(_one_line(i) + "\n"
                                                              for i in self.doc_ids))
        atomic_write_text(directory / "run.json", json.dumps(self.run_info, indent=2) + "\n")
        meta = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                "lda_vi_version": __version__, "k": self.k, "n_words": len(self.vocab),
                "eta": self.eta, "settings": asdict(self.settings),
                "tokenizer": self.tokenizer_config.to_dict(),
                "prune": self.prune_config.to_dict()}
        atomic_write_text(directory / "model.json", json.dumps(meta, indent=2) + "\n")
        return directory

    @classmethod
    def load(cls, directory: str | os.PathLike) -> LDA:
        """Read a model written by :meth:`save`; a clear :class:`ModelFileError` otherwise."""
        directory = Path(directory)
        if not directory.is_dir():
            raise ModelFileError(f"{directory} is not a model directory (fit one with "
                                 "'lda-vi fit CORPUS -o DIR')")
        meta = _read_json(directory / "model.json")
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise ModelFileError(f"{directory}/model.json is not an lda-vi model")
        version = meta.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ModelFileError(f"{directory} was written in model format {version!r}, newer "
                                 f"than this lda-vi {__version__} reads ({FORMAT_VERSION}); "
                                 "upgrade lda-vi")
        try:
            settings = meta["settings"]
            model = cls(**{k: v for k, v in settings.items() if k != "k"}, k=settings["k"],
                        tokenizer=TokenizerConfig.from_dict(meta["tokenizer"]),
                        prune=PruneConfig.from_dict(meta["prune"]))
            eta = float(meta["eta"])
        except (KeyError, TypeError, ValueError, InputError) as exc:
            raise ModelFileError(f"{directory}/model.json is incomplete or corrupt ({exc})") \
                from None
        arrays = _read_npz(directory / "arrays.npz")
        words = _read_lines(directory / "vocab.txt")
        doc_ids = _read_lines(directory / "doc_ids.txt")
        lam, alpha, gamma = arrays["lam"], arrays["alpha"], arrays["gamma"]
        k, v = model.k, len(words)
        if (lam.shape != (k, v) or alpha.shape != (k,) or gamma.ndim != 2
                or gamma.shape[1] != k or len(doc_ids) != gamma.shape[0]
                or meta.get("n_words") != v):
            raise ModelFileError(f"{directory} is inconsistent: array shapes do not match "
                                 "the vocabulary and K; re-save the model")
        if not (np.all(np.isfinite(lam)) and np.all(lam > 0) and np.all(alpha > 0)
                and np.isfinite(eta) and eta > 0):
            raise ModelFileError(f"{directory}/arrays.npz holds invalid parameters")
        model.lam, model.alpha, model.gamma, model.eta = lam, alpha, gamma, eta
        model.topic_tokens = arrays.get("topic_tokens")
        model.vocab, model.doc_ids = Vocabulary(words), doc_ids
        run = directory / "run.json"
        model.run_info = _read_json(run) if run.exists() else {}
        return model


def _with_ids(docs: Iterable[str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    """Strings get ids "1", "2", …; (id, text) pairs pass through."""
    for i, doc in enumerate(docs, start=1):
        yield (str(i), doc) if isinstance(doc, str) else (str(doc[0]), doc[1])


def _one_line(text: str) -> str:
    return " ".join(str(text).splitlines())


def _versions() -> dict:
    """Versions of lda-vi and the packages that shape its results."""
    from importlib import metadata

    versions = {"lda_vi": __version__}
    for name in ("numpy", "scipy", "numba", "click", "nltk"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is corrupt ({exc.__class__.__name__}); re-save the "
                             "model") from None


def _read_lines(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.rstrip("\n") for line in handle]
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} is unreadable ({exc.__class__.__name__})") from None


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Load float arrays from an .npz, refusing pickles and object arrays."""
    names = ("lam", "alpha", "gamma", "topic_tokens")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [n for n in names[:3] if n not in npz.files]
            if missing:
                raise ModelFileError(f"{path} lacks {', '.join(missing)}: the model is "
                                     "incomplete")
            arrays = {n: npz[n] for n in names if n in npz.files}
    except FileNotFoundError:
        raise ModelFileError(f"{path} is missing: the model directory is incomplete") from None
    except ModelFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise ModelFileError(f"{path} is corrupt or holds objects, which lda-vi refuses to load "
                             f"({exc.__class__.__name__})") from None
    for name, arr in arrays.items():
        if arr.dtype != np.float64:
            raise ModelFileError(f"{path}: array {name} has dtype {arr.dtype}, expected float64")
    return arrays


def _priors(s: FitSettings) -> Priors:
    """The engine's priors of these settings ('auto': 1/K and 0.01, then learned)."""
    return Priors(alpha=1.0 / s.k if s.alpha == "auto" else s.alpha,
                  eta=0.01 if s.eta == "auto" else s.eta,
                  learn_alpha=s.alpha == "auto", learn_eta=s.eta == "auto")


def _estep(s: FitSettings) -> EStepSettings:
    """The engine's E-step settings of these settings."""
    return EStepSettings(e_tol=s.e_tol, e_max_iter=s.e_max_iter, backend=s.backend)
