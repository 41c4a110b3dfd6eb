"""The fit workflow: hold out, fit, score, merge θ, coherence, write outputs → run record.

What ``lda-vi fit`` does, as library functions (the CLI only parses, calls and formats):

>>> from lda_vi.evaluate.workflow import fit_source                # doctest: +SKIP
>>> run = fit_source(LDA(k=20, seed=1), "corpus.txt", holdout=0.1)   # doctest: +SKIP
>>> write_outputs(run, output="out/")                               # doctest: +SKIP

Progress and results are told to a :class:`FitReporter` as they come (the CLI prints
them); every figure also lands in ``model.record`` (:class:`~lda_vi.model.record.RunRecord`),
which :meth:`LDA.save <lda_vi.model.lda.LDA.save>` writes as ``run.json``.

Shapes: D documents (all of the input), K topics, V words.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lda_vi.errors import LdaViError
from lda_vi.evaluate.coherence import DEFAULT_MEASURES, model_coherence, needs_token_order
from lda_vi.evaluate.heldout import (
    DocumentSplit,
    HeldoutMonitor,
    completion_rng,
    evaluate_heldout,
    merge_rows,
    split_documents,
)
from lda_vi.evaluate.training_phrases import DocumentTexts, learn_training_phrases
from lda_vi.io.atomic import output_transaction
from lda_vi.io.corpus import Corpus, build_corpus, vectorize, with_progress
from lda_vi.io.count_stream import CountStream
from lda_vi.io.detect import COUNT_FORMATS, check_options, resolve_format
from lda_vi.io.export import write_doc_topics, write_doc_topics_stream, write_topic_words
from lda_vi.io.fields import Fields, align, document_fields
from lda_vi.io.load import load_corpus
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.checkpoint import discard_checkpoint, resumed_seed
from lda_vi.model.lda import LDA
from lda_vi.model.record import Heldout, Results, json_number
from lda_vi.model.settings import resolve_seed
from lda_vi.model.validation import check_topics_fit
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig

__all__ = ["FIT_COHERENCE_TOP_N", "FitReporter", "FitRun", "fit_source",
           "fit_documents",
           "fit_stream_source", "score_coherence", "score_heldout", "write_outputs",
           "write_stream_outputs"]

#: Top words per topic for the coherence a fit reports.
FIT_COHERENCE_TOP_N = 10


@contextlib.contextmanager
def _naming(*params: str):
    """Errors raised inside name these parameters too (a reader's ``needed_by``)."""
    try:
        yield
    except LdaViError as exc:
        exc.params = (*exc.params, *params)
        raise


class FitReporter:
    """What a fit tells its caller as it goes. Every hook does nothing by default.

    ``iteration``, ``minibatch`` and ``heldout_iteration`` are callables or None (None:
    nothing is called): each EM iteration's report, each online minibatch's, each
    held-out score during the fit (``eval_every``), and the number of documents read and
    tokenized so far, now and then while the corpus is built.
    """

    iteration: Callable | None = None
    minibatch: Callable | None = None
    heldout_iteration: Callable[[dict], None] | None = None
    reading: Callable[[int], None] | None = None      # documents read and tokenized so far

    def split(self, split: DocumentSplit) -> None:
        """The documents were split into training and held-out ones."""

    def phrases(self, config: TokenizerConfig) -> None:
        """Phrases were learned from the training text (``config.phrase_table``)."""

    def corpus(self, corpus: Corpus) -> None:
        """The training corpus is built (before the fit)."""

    def fitted(self, model: LDA) -> None:
        """The fit has ended."""

    def coherence(self, scores: dict, top_n: int) -> None:
        """Coherence of the top words over the training documents (``{measure: K}``)."""

    def heldout(self, figures, oov_tokens: int, seed: int) -> None:
        """The held-out documents' figures (:class:`~lda_vi.evaluate.heldout.HeldoutFigures`)."""


@dataclass
class FitRun:
    """The result of a fit: the model, and θ of every input document in input order."""

    model: LDA
    doc_ids: list[str]
    theta: np.ndarray | None            # D×K; None for a streamed fit (θ is re-inferred)
    corpus: Corpus | None = None
    split: DocumentSplit | None = None
    open_docs: Callable[[], Iterable[tuple[str, str]]] | None = None   # streamed fits
    theta_chunks: Callable[[], Iterable] | None = None  # streamed: (ids, θ B×K, oov) chunks


def fit_source(model: LDA, source: str, *, encoding: str = "utf-8",
               reader: dict | None = None, holdout: float | None = None,
               eval_every: int | None = None, checkpoint_dir: str | os.PathLike | None = None,
               checkpoint_every: int = 0, resume_dir: str | os.PathLike | None = None,
               engine=None, reporter: FitReporter | None = None,
               covariates: Sequence[str] | None = None,
               covariates_file: str | os.PathLike | None = None,
               coherence: Sequence[str] = DEFAULT_MEASURES,
               coherence_top_n: int = FIT_COHERENCE_TOP_N) -> FitRun:
    """Read ``source`` (any input format; ``reader`` holds the format options of
    :func:`lda_vi.io.text_readers.iter_documents`), fit ``model`` in batch, and score it.

    ``coherence``: the measures (:mod:`lda_vi.evaluate.coherence`) of the top
    ``coherence_top_n`` words over the training documents; a sliding-window one (c_v, ...)
    keeps the documents' text for their token order, and is refused for count formats
    before anything is read.

    With ``holdout`` a seeded fraction of the documents is set aside (the seed is the
    model's, drawn and recorded when it has none), the vocabulary is built from the rest,
    and the held-out documents are scored (``model.record.heldout``); ``eval_every`` N also
    scores them every N iterations. Coherence over the training documents is recorded.

    ``covariates`` names CSV/TSV columns or JSONL fields of ``source`` (or, with
    ``covariates_file``, columns of that file: one row per document, by position or by
    an ``id`` column) to fit prevalence on (MATH.md C1–C3); the held-out documents are
    scored with their own priors.
    """
    reporter = reporter or FitReporter()
    reader = reader or {}
    fields = None
    if covariates or covariates_file:
        with _naming("covariates"):
            fields = document_fields(source, covariates, path=covariates_file, reader=reader,
                                     encoding=encoding)
    keep_text = needs_token_order(coherence, source, reader.get("fmt"))
    split = texts = None
    if holdout is not None:                  # one seed, recorded (a resumed fit's own)
        model.settings.seed = resolve_seed(resumed_seed(resume_dir, model.settings.seed))
        with _naming("holdout"):
            documents = iter_documents(source, encoding=encoding, needed_by="holdout",
                                       **reader)
            split = split_documents(documents, holdout, model.settings.seed)
        reporter.split(split)
        learn_training_phrases(model, [text for _, text in split.train], reporter)
        corpus = build_corpus(split.train, Tokenizer(model.tokenizer_config),
                              model.prune_config, reporter.reading)
        texts = [text for _, text in split.train] if keep_text else None
    elif keep_text:
        with _naming("coherence"):
            documents = list(iter_documents(source, encoding=encoding, needed_by="coherence",
                                            **reader))
        learn_training_phrases(model, [text for _, text in documents], reporter)
        corpus = build_corpus(documents, Tokenizer(model.tokenizer_config), model.prune_config,
                              reporter.reading)
        texts = [text for _, text in documents]
    else:
        if model.tokenizer_config.phrases:
            learn_training_phrases(model, DocumentTexts(source, encoding, reader), reporter)
        corpus = load_corpus(source, encoding=encoding,
                             tokenizer=Tokenizer(model.tokenizer_config),
                             prune_config=model.prune_config, progress=reporter.reading,
                             **reader)
    if fields is not None:
        fields = align(fields, split.doc_ids if split else corpus.doc_ids,
                       str(covariates_file or source))
    return _fit(model, corpus, split, source=str(source), eval_every=eval_every,
                checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
                resume_dir=resume_dir, engine=engine, reporter=reporter, fields=fields,
                coherence=(coherence, coherence_top_n, texts))


def _rows(fields: Fields | None, idx) -> tuple[dict | None, list[str] | None]:
    """The covariates and row names of the documents ``idx`` (all when idx is None)."""
    if fields is None:
        return None, None
    if idx is None:
        return fields.values, fields.where
    return ({k: [v[i] for i in idx] for k, v in fields.values.items()},
            [fields.where[i] for i in idx])


def fit_documents(model: LDA, docs: Iterable[tuple[str, str]], *,
                  holdout: float | None = None, eval_every: int | None = None,
                  reporter: FitReporter | None = None, source: str | None = None,
                  coherence: Sequence[str] = DEFAULT_MEASURES,
                  coherence_top_n: int = FIT_COHERENCE_TOP_N) -> FitRun:
    """:func:`fit_source` over ``(id, text)`` pairs already in memory."""
    reporter = reporter or FitReporter()
    split = None
    docs = list(docs)
    if holdout is not None:
        model.settings.seed = resolve_seed(model.settings.seed)
        split = split_documents(docs, holdout, model.settings.seed)
        reporter.split(split)
        docs = split.train
    learn_training_phrases(model, [text for _, text in docs], reporter)
    corpus = build_corpus(docs, Tokenizer(model.tokenizer_config), model.prune_config)
    return _fit(model, corpus, split, source=source, eval_every=eval_every, reporter=reporter,
                coherence=(coherence, coherence_top_n, [text for _, text in docs]))


def _fit(model: LDA, corpus: Corpus, split: DocumentSplit | None, *, source, eval_every,
         reporter: FitReporter, checkpoint_dir=None, checkpoint_every: int = 0,
         resume_dir=None, engine=None, fields: Fields | None = None,
         coherence: tuple = (DEFAULT_MEASURES, FIT_COHERENCE_TOP_N, None)) -> FitRun:
    heldout = monitor = None
    if split is not None:
        heldout = vectorize(split.test, Tokenizer(model.tokenizer_config), corpus.vocab)
        if eval_every:
            monitor = HeldoutMonitor(model, heldout[0], split.seed,
                                     report=reporter.heldout_iteration)
    reporter.corpus(corpus)
    check_topics_fit(model.k, corpus.n_words)
    if model.k > corpus.n_docs:
        warnings.warn(f"k={model.k} is larger than the number of documents "
                      f"({corpus.n_docs}); some topics will be empty", stacklevel=2)
    train_values, train_where = _rows(fields, None if split is None else split.train_idx)
    model.fit_corpus(corpus, callback=reporter.iteration, monitor=monitor,
                     monitor_every=eval_every or 0,
                     checkpoint_dir=checkpoint_dir if checkpoint_every else None,
                     checkpoint_every=checkpoint_every or 0, resume_dir=resume_dir,
                     engine=engine, covariates=train_values, covariates_where=train_where)
    model.record.input = source
    reporter.fitted(model)
    measures, top_n, texts = coherence
    score_coherence(model, corpus.counts, reporter, top_n, measures=measures, texts=texts)
    doc_ids, theta = model.doc_ids, model.theta
    if split is not None:
        test_values, test_where = _rows(fields, split.test_idx)
        doc_ids, theta = score_heldout(model, split, *heldout, monitor, reporter,
                                       covariates=test_values, where=test_where)
    return FitRun(model=model, doc_ids=list(doc_ids), theta=theta, corpus=corpus, split=split)


def score_coherence(model: LDA, X_train, reporter: FitReporter | None = None,
                    top_n: int = FIT_COHERENCE_TOP_N, *,
                    measures: Sequence[str] = DEFAULT_MEASURES,
                    texts: Sequence[str] | None = None) -> dict | None:
    """Coherence of the top words over the training documents, into ``model.record``:
    ``measures`` over ``X_train`` (D×V) and, for the sliding-window ones, ``texts`` (the
    same D documents' strings)."""
    if len(model.vocab) < 2:
        return None
    top_n = min(top_n, len(model.vocab))
    scores = model_coherence(model, measures, top_n, X=X_train, texts=texts)
    model.record.set_coherence(scores, top_n, "training documents")
    if reporter is not None:
        reporter.coherence(scores, top_n)
    return scores


def score_heldout(model: LDA, split: DocumentSplit, X_test, test_ids, oov_tokens: int,
                  monitor: HeldoutMonitor | None = None,
                  reporter: FitReporter | None = None, *, covariates: dict | None = None,
                  where: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Score the held-out documents into ``model.record.heldout``; θ of every document.

    ``covariates`` (the held-out documents' own) give a covariate model their priors.
    """
    inference = model.infer(X_test, covariates, where)    # γ with λ fixed
    figures = evaluate_heldout(model, X_test, completion_rng(split.seed), inference=inference,
                               covariates=covariates, where=where)
    results = Results.of(figures, oov_tokens)
    model.record.heldout = Heldout(
        **{name: getattr(results, name) for name in results.__dataclass_fields__},
        fraction=split.fraction, seed=split.seed, doc_ids=list(test_ids))
    if monitor is not None:
        model.record.heldout.during_fit = [
            {key: json_number(v) if isinstance(v, float) else v for key, v in record.items()}
            for record in monitor.records]
        model.record.heldout.during_fit_seconds = monitor.seconds
    if reporter is not None:
        reporter.heldout(figures, oov_tokens, split.seed)
    theta = merge_rows(split.train_idx, model.theta, split.test_idx, inference.theta)
    return split.doc_ids, theta


def fit_stream_source(model: LDA, source: str, *, encoding: str = "utf-8",
                      reader: dict | None = None, engine=None,
                      reporter: FitReporter | None = None) -> FitRun:
    """Online VB streaming ``source`` from disk (``model.settings.method == 'online'``):
    text is tokenized minibatch by minibatch; count formats (lda-c, UCI, Matrix Market)
    are read minibatch by minibatch (:class:`~lda_vi.io.count_stream.CountStream`)."""
    reporter = reporter or FitReporter()
    reader = dict(reader or {})
    fmt = resolve_format(str(source), reader.get("fmt"))
    if fmt in COUNT_FORMATS:
        check_options(str(source), fmt, {key: reader.get(key) for key in (
            "text_column", "id_column", "text_field", "id_field", "glob")})
        stream = CountStream(source, fmt, reader.get("vocab"),
                             encoding=encoding, prune_config=model.prune_config)
        with _naming("method"):
            model.fit_stream(stream, callback=reporter.minibatch, engine=engine)
        model.record.input = str(source)
        reporter.fitted(model)
        return FitRun(model=model, doc_ids=[], theta=None,
                      theta_chunks=lambda: model.transform_stream(stream))

    def open_docs():
        return iter_documents(source, encoding=encoding, needed_by="method online", **reader)

    if model.tokenizer_config.phrases:
        learn_training_phrases(model, DocumentTexts(source, encoding, reader), reporter)
    passes = []

    def open_docs_reporting():         # the first pass (counting the vocabulary) is reported
        passes.append(None)
        docs = open_docs()
        return with_progress(docs, reporter.reading) if len(passes) == 1 else docs

    with _naming("method"):
        model.fit_stream(open_docs_reporting, callback=reporter.minibatch, engine=engine)
    model.record.input = str(source)
    reporter.fitted(model)
    return FitRun(model=model, doc_ids=[], theta=None, open_docs=open_docs,
                  theta_chunks=lambda: model.transform_stream(open_docs()))


def write_outputs(run: FitRun, *, doc_topics=None, topic_words=None, all_words: bool = False,
                  top_n: int = 10, output=None) -> None:
    """θ (``doc_topics`` CSV), the topic words (``topic_words`` CSV: the top ``top_n``, or
    all with ``all_words``) and, in ``output``, the model with both CSVs and run.json:
    all of them, or (after an error or an interrupt) none."""
    with output_transaction():
        if run.theta is None:
            write_stream_outputs(run, doc_topics=doc_topics, topic_words=topic_words,
                                 all_words=all_words, top_n=top_n, output=output)
        else:
            _write_outputs(run, doc_topics, topic_words, all_words, top_n, output)


def _write_outputs(run: FitRun, doc_topics, topic_words, all_words: bool, top_n: int,
                   output) -> None:
    model, words, names = run.model, run.model.vocab.words, run.model.topic_names
    n_words = None if all_words else top_n
    if output:
        model.save(output)
    # each table is formatted once and written to every place it goes
    write_doc_topics(_targets(doc_topics, output, "doc_topics.csv"), run.doc_ids, run.theta,
                     names)
    write_topic_words(_targets(topic_words, output, "topic_words.csv"), model.beta, words,
                      n_words, names)
    if output:
        discard_checkpoint(output)       # a completed fit needs none (once all is written)


def write_stream_outputs(run: FitRun, *, doc_topics=None, topic_words=None,
                         all_words: bool = False, top_n: int = 10, output=None) -> None:
    """:func:`write_outputs` of a streamed fit: θ re-inferred minibatch by minibatch."""
    model, words, names = run.model, run.model.vocab.words, run.model.topic_names
    n_words = None if all_words else top_n
    if output:
        model.save(output)
    write_topic_words(_targets(topic_words, output, "topic_words.csv"), model.beta, words,
                      n_words, names)
    targets = _targets(doc_topics, output, "doc_topics.csv")
    if targets:                       # θ of every document, streamed once in minibatches
        write_doc_topics_stream(targets, model.k, run.theta_chunks(), names)


def _targets(path, output, name: str) -> list:
    """Where one table goes: the file of its own option, and ``name`` in the ``output`` folder."""
    return [p for p in (path, Path(output) / name if output else None) if p]
