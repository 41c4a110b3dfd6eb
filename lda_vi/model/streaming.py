"""Online variational Bayes for an :class:`~lda_vi.model.lda.LDA` model (MATH.md, O1).

Three sources of minibatches: the rows of an in-memory count matrix (shuffled each pass,
:func:`fit_online_counts`), documents streamed from disk and counted minibatch by
minibatch, never holding the corpus (:func:`fit_stream`), or a count file read minibatch
by minibatch from disk (:func:`fit_count_stream`). The engine does the arithmetic
(:func:`lda_vi.engine.online.fit_online`); this module feeds it and fills the model and its
run record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict

import numpy as np
import scipy.sparse as sp

from lda_vi.engine.backend import set_threads
from lda_vi.engine.em import EStepEngine
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.online import MinibatchReport, OnlineResult, fit_online, row_batches
from lda_vi.engine.settings import OnlineSettings
from lda_vi.io.count_stream import CountStream
from lda_vi.io.stream import count_batches, scan_vocabulary
from lda_vi.model.guided import guide
from lda_vi.model.record import versions
from lda_vi.model.settings import resolve_seed
from lda_vi.model.validation import check_topics_fit
from lda_vi.text.tokenize import Tokenizer, learn_phrases
from lda_vi.text.vocabulary import Vocabulary

Callback = Callable[[MinibatchReport], None] | None
Engine = Callable[[CorpusArrays], EStepEngine] | None


def run_online(model, batches, n_docs: int, n_words: int, seed: int, callback: Callback,
               engine: Engine = None) -> OnlineResult:
    """Fit ``model``'s topics by online VB over ``batches``; record the run."""
    s = model.settings
    check_topics_fit(s.k, n_words)
    threads = set_threads(s.threads)
    start = time.perf_counter()
    seeds = guide(model, n_words)
    online = OnlineSettings(s.k, s.priors(seeds), s.estep(), tau0=s.tau0, kappa=s.kappa,
                            passes=s.passes)
    result = fit_online(batches, n_docs, n_words, online, np.random.default_rng(seed),
                        callback=callback, engine=engine)
    model.lam, model.alpha, model.eta = result.lam, result.alpha, result.eta
    model.topic_tokens, model._expElogbetaT, model.trace = result.topic_tokens, None, None
    r = model.record
    r.settings = asdict(s) | {"seed": seed, "threads": threads}
    r.tokenizer, r.prune = model.tokenizer_config.to_dict(), model.prune_config.to_dict()
    r.versions, r.method = versions(), "online"
    r.updates, r.documents_seen = result.n_updates, result.docs_seen
    r.per_word_bound, r.seconds_per_update = result.per_word_bound, result.seconds
    r.fit_seconds = time.perf_counter() - start
    r.alpha, r.eta = result.alpha.tolist(), result.eta
    return result


def fit_online_counts(model, X: sp.spmatrix, callback: Callback, engine: Engine = None):
    """Online VB over the rows of an in-memory matrix (shuffled each pass), then γ."""
    X = sp.csr_matrix(X, dtype=np.float64)
    if model.vocab is not None and len(model.vocab) != X.shape[1]:
        raise ValueError("the vocabulary does not match the count matrix")
    if not model.doc_ids or len(model.doc_ids) != X.shape[0]:
        model.doc_ids = [str(i + 1) for i in range(X.shape[0])]
    seed = resolve_seed(model.settings.seed)
    shuffle = np.random.default_rng([seed, 1])
    run_online(model, row_batches(X, model.settings.batch_size, shuffle), X.shape[0],
               X.shape[1], seed, callback, engine)
    model.gamma = model.infer(X).gamma
    if not model.record.corpus:
        model.record.corpus = {"documents": X.shape[0], "words": X.shape[1],
                               "tokens": int(X.sum())}
    return model


class _Texts:
    """The texts of ``open_docs()``, read anew at each iteration (one per phrase pass)."""

    def __init__(self, open_docs):
        self.open_docs = open_docs

    def __iter__(self):
        return (text for _, text in self.open_docs())


def fit_stream(model, open_docs: Callable[[], Iterable[tuple[str, str]]],
               callback: Callback = None, vocab: Vocabulary | None = None,
               engine: Engine = None):
    """Online VB over documents read from disk: see :meth:`LDA.fit_stream`."""
    if isinstance(open_docs, CountStream):
        return fit_count_stream(model, open_docs, callback, engine)
    model.tokenizer_config = learn_phrases(_Texts(open_docs), model.tokenizer_config)
    tokenizer = Tokenizer(model.tokenizer_config)
    if vocab is None:
        vocab, n_docs, n_tokens = scan_vocabulary(open_docs(), tokenizer, model.prune_config)
    else:
        n_docs, n_tokens = sum(1 for _ in open_docs()), None
    model.vocab, model.doc_ids = vocab, []
    size = model.settings.batch_size

    def batches(pass_index: int):
        for X, _, _ in count_batches(open_docs(), tokenizer, vocab, size):
            yield X

    run_online(model, batches, n_docs, len(vocab), resolve_seed(model.settings.seed),
               callback, engine)
    model.gamma = np.empty((0, model.k))
    model.record.corpus = {"documents": n_docs, "words": len(vocab), "tokens": n_tokens}
    return model


def transform_stream(model, docs: Iterable[tuple[str, str]], batch_size: int = 1024):
    """θ̄ of documents read in minibatches: yields (ids, θ̄ B×K, out-of-vocabulary)."""
    if isinstance(docs, CountStream):
        yield from transform_count_stream(model, docs, batch_size)
        return
    model._require_fitted()
    tokenizer = Tokenizer(model.tokenizer_config)
    for X, ids, n_oov in count_batches(docs, tokenizer, model.vocab, batch_size):
        yield ids, model.infer(X).theta, n_oov


def fit_count_stream(model, stream: CountStream, callback: Callback = None,
                     engine: Engine = None):
    """Online VB over a count file read minibatch by minibatch from disk; its vocabulary
    becomes the model's."""
    model.vocab, model.doc_ids = stream.vocab, []
    size = model.settings.batch_size

    def batches(pass_index: int):
        for X, _ in stream.batches(size):
            yield X

    run_online(model, batches, stream.n_docs, len(stream.vocab),
               resolve_seed(model.settings.seed), callback, engine)
    model.gamma = np.empty((0, model.k))
    model.record.corpus = {"documents": stream.n_docs, "words": len(stream.vocab),
                           "tokens": stream.n_tokens}
    return model


def transform_count_stream(model, stream: CountStream, batch_size: int = 1024):
    """θ̄ of a count file's documents in minibatches: yields (ids, θ̄ B×K, 0)."""
    model._require_fitted()
    if stream.vocab != model.vocab:
        raise ValueError("the count file's vocabulary is not the model's")
    for X, ids in stream.batches(batch_size):
        yield ids, model.infer(X).theta, 0
