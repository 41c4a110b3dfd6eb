"""Held-out evaluation of a fitted model: per-word bound, document completion, coherence.

Pure functions over a fitted :class:`~lda_vi.model.lda.LDA` and count matrices: no printing, no
file I/O. Equations are those of MATH.md, sections "Held-out evaluation" and "Topic
coherence"; the array-level pieces live in :mod:`lda_vi.evaluate.metrics`.

Glossary of shapes: D documents, V words (the model's vocabulary), K topics, M top words.
``X`` is a D×V ``scipy.sparse`` matrix of counts over the model's vocabulary, as returned by
``model.vectorize`` (words outside the vocabulary are already dropped).

Units: every log-likelihood and bound is in nats; a perplexity is ``exp(−score / N)`` with N
the number of tokens scored.

* :func:`per_word_bound` — (B1) without the topic terms, with λ fixed: for each document the
  doc terms of (B1) plus the word term (B2) at its optimal γ; summed over documents.
* :func:`completion_perplexity` — document completion: each document's tokens split in two
  halves at random, γ inferred from the first half with λ fixed, the second half scored by
  ``Σ_w n_dw log Σ_k θ̄_dk β̄_kw``.
* :func:`coherence` — UMass and NPMI of each topic's top M words, counted over the documents
  of a reference matrix.
* :func:`holdout_split` / :func:`split_documents` — a seeded split of a corpus into training
  and held-out documents.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from lda_vi.engine.sums import exact_sum
from lda_vi.errors import InputError
from lda_vi.evaluate.metrics import (
    completion_score,
    npmi_coherence,
    perplexity,
    split_completion,
    top_word_ids,
    umass_coherence,
)
from lda_vi.model.settings import resolve_seed  # noqa: F401  (re-exported)
from lda_vi.model.validation import whole

__all__ = [
    "HeldoutFigures",
    "HeldoutMonitor",
    "DocumentSplit",
    "per_word_bound",
    "completion_split",
    "completion_from_split",
    "completion_perplexity",
    "evaluate_heldout",
    "coherence",
    "holdout_split",
    "split_documents",
    "merge_rows",
    "resolve_seed",
    "split_rng",
    "completion_rng",
]


# --------------------------------------------------------------------------- seeds


def split_rng(seed: int) -> np.random.Generator:
    """The generator that chooses held-out documents for ``seed`` (independent of the fit's)."""
    return np.random.default_rng([int(seed), 1])


def completion_rng(seed: int) -> np.random.Generator:
    """The generator that splits held-out documents in halves for ``seed`` (>= 0)."""
    whole("seed", seed, 0)
    return np.random.default_rng([int(seed), 2])


# --------------------------------------------------------------------------- scores


def per_word_bound(model, X: sp.spmatrix) -> tuple[float, int]:
    """``(bound, n_tokens)``: the held-out bound of X's documents (nats) and their tokens.

    MATH.md, Held-out evaluation: the doc terms of (B1) plus the word term (B2) for each
    document at its optimal γ with λ fixed (the topic terms are left out), summed over the
    documents. The per-word bound is ``bound / n_tokens`` and its perplexity
    ``exp(−bound / n_tokens)`` (``evaluation.perplexity``).
    """
    inference = model.infer(X)
    return exact_sum(inference.bound), int(round(float(inference.n_tokens.sum())))


def completion_split(X: sp.spmatrix, rng: np.random.Generator
                     ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Each document's tokens in two random halves ``(X_obs, X_held)`` (MATH.md)."""
    return split_completion(sp.csr_matrix(X), rng)


def completion_from_split(model, X_obs: sp.spmatrix, X_held: sp.spmatrix,
                          covariates: dict | None = None, where: list[str] | None = None
                          ) -> tuple[float, float, int]:
    """``(perplexity, score, n_scored)`` of document completion on a given split.

    γ is inferred from ``X_obs`` with λ fixed (``model.infer``); the held-out halves are
    scored by ``Σ_w n_dw log Σ_k θ̄_dk β̄_kw`` (nats), θ̄ = γ/Σγ, β̄ = λ/Σλ; the perplexity
    is ``exp(−score / n_scored)`` (``nan`` when no token is scored). ``covariates`` (the
    documents' own) give a covariate model their priors.
    """
    theta = model.infer(X_obs, covariates, where).theta
    score = completion_score(X_held, theta, model.beta)
    n_scored = int(round(float(X_held.sum())))
    return perplexity(score, n_scored), float(score), n_scored


def completion_perplexity(model, X: sp.spmatrix, rng: np.random.Generator
                          ) -> tuple[float, int]:
    """``(perplexity, n_scored_tokens)``: document completion on X (MATH.md).

    ``rng`` draws the split of each document's tokens in halves (``split_completion``).
    """
    X_obs, X_held = completion_split(X, rng)
    value, _, n_scored = completion_from_split(model, X_obs, X_held)
    return value, n_scored


@dataclass
class HeldoutFigures:
    """The held-out figures of one model on one set of documents (nats; perplexities)."""

    documents: int
    tokens: int                      # N, tokens in the model's vocabulary
    bound: float                     # Σ_d bound_d (nats)
    bound_per_word: float            # bound / N (nats per word)
    bound_perplexity: float          # exp(−bound / N)
    completion_perplexity: float     # exp(−score / tokens scored)
    completion_log_likelihood: float  # score (nats)
    completion_tokens: int           # tokens in the second halves, scored

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_heldout(model, X: sp.spmatrix, rng: np.random.Generator,
                     inference=None, covariates: dict | None = None,
                     where: list[str] | None = None) -> HeldoutFigures:
    """Per-word bound and document completion of X's documents (``rng`` splits them).

    ``inference``, if given, is ``model.infer(X)`` already computed (it is not redone);
    ``covariates`` (X's documents' own) give a covariate model their priors.
    """
    if inference is None:
        inference = model.infer(X, covariates, where)
    bound = exact_sum(inference.bound)
    n_tokens = int(round(float(inference.n_tokens.sum())))
    value, score, n_scored = completion_from_split(model, *completion_split(X, rng),
                                                   covariates, where)
    return HeldoutFigures(
        documents=int(X.shape[0]), tokens=n_tokens, bound=bound,
        bound_per_word=bound / n_tokens if n_tokens else float("nan"),
        bound_perplexity=perplexity(bound, n_tokens), completion_perplexity=value,
        completion_log_likelihood=score, completion_tokens=n_scored)


class HeldoutMonitor:
    """Scores held-out documents every few EM iterations, while a model is fitted.

    Pass it as ``monitor`` to :meth:`LDA.fit_counts <lda_vi.model.lda.LDA.fit_counts>` (or
    ``fit_corpus``) with ``monitor_every=N``: after iterations N, 2N, ... it computes the
    per-word bound and the completion perplexity of ``X_test`` under the current topics
    (``model.with_state``), on the split in halves that :func:`evaluate_heldout` draws with
    ``completion_rng(seed)``, so the figures are comparable with the final ones. Each record
    is appended to ``records`` and passed to ``report`` (if given). It reads the EM state
    only: the fit is the same with or without it. ``seconds`` is the time it took (counted
    in the fit's wall-clock time, not in its per-iteration times).
    """

    def __init__(self, model, X_test: sp.spmatrix, seed: int,
                 report: Callable[[dict], None] | None = None) -> None:
        self.model, self.X_test, self.report = model, X_test, report
        self.X_obs, self.X_held = completion_split(X_test, completion_rng(seed))
        self.records: list[dict] = []
        self.seconds = 0.0

    def __call__(self, state) -> None:
        start = time.perf_counter()
        view = self.model.with_state(state)
        bound, n_tokens = per_word_bound(view, self.X_test)
        value, _, _ = completion_from_split(view, self.X_obs, self.X_held)
        record = {"iteration": int(state.n_iter),
                  "per_word_bound": bound / n_tokens if n_tokens else float("nan"),
                  "bound_perplexity": perplexity(bound, n_tokens),
                  "completion_perplexity": value}
        self.records.append(record)
        self.seconds += time.perf_counter() - start
        if self.report is not None:
            self.report(record)


# --------------------------------------------------------------------------- coherence


def coherence(model, X_ref: sp.spmatrix, top_n: int = 10) -> dict[str, np.ndarray]:
    """``{"umass": K, "npmi": K}``: the coherence of each topic's top ``top_n`` words.

    MATH.md, Topic coherence; document frequencies are counted over the documents of
    ``X_ref`` (D×V over the model's vocabulary, entries > 0 count as present). ``top_n`` is
    capped at V and must be at least 2.
    """
    top_n = int(top_n)
    if top_n < 2:
        raise InputError(f"coherence needs at least 2 top words per topic (top_n), got {top_n}",
                         params=("top_n",))
    if X_ref.shape[0] == 0:
        raise InputError("coherence needs at least one reference document")
    beta = model.beta
    top = top_word_ids(beta, min(top_n, beta.shape[1]))
    if top.shape[1] < 2:
        raise InputError("coherence needs a vocabulary of at least 2 words")
    X_ref = sp.csr_matrix(X_ref)
    return {"umass": umass_coherence(top, X_ref), "npmi": npmi_coherence(top, X_ref)}


# --------------------------------------------------------------------------- splitting


def _check_fraction(fraction: float) -> float:
    fraction = float(fraction)
    if not 0.0 < fraction < 1.0:
        raise InputError(f"holdout must be a fraction between 0 and 1 (exclusive), "
                         f"got {fraction:g}", params=("holdout",))
    return fraction


def holdout_split(n_docs: int, fraction: float, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``(train_idx, test_idx)``: a random ``fraction`` of ``range(n_docs)`` held out.

    ``round(fraction · n_docs)`` documents (at least 1, and at least 1 left for training)
    chosen uniformly by ``rng``; both index arrays are sorted (input order).
    """
    fraction = _check_fraction(fraction)
    if n_docs < 2:
        raise InputError(f"cannot hold out documents from a corpus of {n_docs} document"
                         f"{'' if n_docs == 1 else 's'}; need at least 2")
    n_test = min(max(int(round(fraction * n_docs)), 1), n_docs - 1)
    perm = rng.permutation(n_docs)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


@dataclass
class DocumentSplit:
    """Documents ``(id, text)`` split into training and held-out lists, in input order."""

    train: list[tuple[str, str]]
    test: list[tuple[str, str]]
    train_idx: np.ndarray
    test_idx: np.ndarray
    fraction: float
    seed: int

    @property
    def n_docs(self) -> int:
        return len(self.train) + len(self.test)

    @property
    def doc_ids(self) -> list[str]:
        """The ids of all the documents, in input order."""
        ids = [""] * self.n_docs
        for idx, docs in ((self.train_idx, self.train), (self.test_idx, self.test)):
            for i, (doc_id, _) in zip(idx, docs, strict=True):
                ids[i] = doc_id
        return ids


def split_documents(docs: Iterable[tuple[str, str]], fraction: float, seed: int
                    ) -> DocumentSplit:
    """Read every document and hold out a seeded ``fraction`` of them (:func:`holdout_split`).

    The texts are kept in memory, so that the vocabulary can be built from the training
    documents only (the held-out ones are then counted over it, as unseen text would be).
    """
    _check_fraction(fraction)                   # before reading a possibly large corpus
    docs = list(docs)
    train_idx, test_idx = holdout_split(len(docs), fraction, split_rng(seed))
    return DocumentSplit(train=[docs[i] for i in train_idx], test=[docs[i] for i in test_idx],
                         train_idx=train_idx, test_idx=test_idx, fraction=float(fraction),
                         seed=int(seed))


def merge_rows(train_idx: np.ndarray, train_rows: np.ndarray, test_idx: np.ndarray,
               test_rows: np.ndarray) -> np.ndarray:
    """Interleave the rows of training and held-out documents back into input order."""
    out = np.empty((len(train_idx) + len(test_idx), train_rows.shape[1]), dtype=train_rows.dtype)
    out[train_idx] = train_rows
    out[test_idx] = test_rows
    return out
