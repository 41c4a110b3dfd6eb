"""Any input format into a Corpus (fit) or counts over a fixed vocabulary (transform).

:func:`load_corpus` is the one entry the CLI calls to read a training corpus: text-like
formats are read by :func:`~lda_vi.io.text_readers.iter_documents` and tokenized by
:func:`~lda_vi.io.corpus.build_corpus`; count formats by
:func:`~lda_vi.io.counts.read_count_matrix`.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.corpus import Corpus, build_corpus, vectorize
from lda_vi.io.counts import CountMatrix, coo_to_csr, read_count_matrix
from lda_vi.io.detect import COUNT_FORMATS, check_options, display_name, resolve_format
from lda_vi.io.text_readers import iter_documents
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import COUNT_PRUNING, TEXT_PRUNING, PruneConfig, Vocabulary, prune

__all__ = ["load_corpus", "read_counts", "vectorize_input"]


def _prune_counts(matrix: CountMatrix, prune_config: PruneConfig, name: str) -> Corpus:
    X, words = matrix.counts, matrix.words
    n_docs = X.shape[0]
    if n_docs == 0:
        raise InputError(f"{name} has no documents (D = 0); nothing to fit")
    if X.nnz == 0:
        raise InputError(f"{name} has no word counts: all {n_docs} documents are empty")
    doc_freq = np.bincount(X.indices, minlength=X.shape[1])
    term_freq = np.asarray(X.sum(axis=0)).ravel()
    kept = prune(doc_freq, term_freq, n_docs, prune_config, words=words)
    if len(kept) == 0:
        raise InputError(
            f"pruning removed every word ({prune_config.describe(n_docs)}) from "
            f"{int(np.count_nonzero(doc_freq))} words used in {n_docs} documents; "
            "lower min_df or raise max_df", params=("min_df", "max_df")
        )
    if len(kept) == X.shape[1]:
        counts = X  # every word kept (COUNT_PRUNING): the vocabulary as given
    else:
        counts = X[:, kept].tocsr()
        counts.sort_indices()
        counts.has_canonical_format = True
    n_empty = int(np.count_nonzero(np.diff(counts.indptr) == 0))
    return Corpus(counts=counts, doc_ids=list(matrix.doc_ids),
                  vocab=Vocabulary([words[i] for i in kept]), n_empty=n_empty)


def read_counts(
    path: str | os.PathLike,
    fmt: str | None = None,
    vocab_path: str | os.PathLike | None = None,
    prune_config: PruneConfig | None = None,
    *,
    encoding: str = "utf-8",
) -> Corpus:
    """An lda-c, UCI or Matrix Market file as a Corpus: by default its vocabulary as given.

    The text pipeline is skipped (the words are already counted). ``prune_config`` None
    (default) is :data:`~lda_vi.text.vocabulary.COUNT_PRUNING`: every word of the vocabulary
    file is kept, even one with no count (its topic-word weights stay at the prior). A
    ``prune_config`` (min_df, max_df, max_vocab) prunes as for text. Kept words keep the
    order of the vocabulary file; every document keeps its row (all zero when no word of it
    is left, counted in ``n_empty``).
    """
    matrix = read_count_matrix(path, fmt, vocab_path, encoding=encoding)
    return _prune_counts(matrix, prune_config or COUNT_PRUNING, display_name(os.fspath(path)))


# ------------------------------------------------------------------------ entries


def load_corpus(
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    encoding: str = "utf-8",
    tokenizer: Tokenizer | TokenizerConfig | None = None,
    prune_config: PruneConfig | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    glob: str | None = None,
    vocab: str | os.PathLike | None = None,
    progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Read any input format into a Corpus: the one entry the CLI calls.

    ``progress(n)`` hears how many documents of a text-like input were read and tokenized.

    Text-like formats go through :func:`iter_documents` and
    :func:`~lda_vi.io.corpus.build_corpus` (``tokenizer``, default ``Tokenizer()``); count
    formats through :func:`read_counts` (``vocab``: the vocabulary file). Options that do
    not apply to the format are refused (None means "not given"). ``prune_config`` None
    takes the defaults of the format's kind: text is pruned with
    :data:`~lda_vi.text.vocabulary.TEXT_PRUNING` (min_df=2, max_df=0.5), count formats are
    not pruned (:data:`~lda_vi.text.vocabulary.COUNT_PRUNING`).
    """
    name = os.fspath(path)
    fmt = resolve_format(name, fmt)
    if fmt in COUNT_FORMATS:
        _no_text_options(name, fmt, text_column, id_column, text_field, id_field, glob)
        return read_counts(name, fmt, vocab, prune_config, encoding=encoding)
    docs = iter_documents(
        name, fmt, encoding=encoding, text_column=text_column, id_column=id_column,
        text_field=text_field, id_field=id_field, glob=glob, vocab=vocab,
    )
    return build_corpus(docs, _as_tokenizer(tokenizer), prune_config or TEXT_PRUNING, progress)


def _no_text_options(name, fmt, text_column, id_column, text_field, id_field, glob) -> None:
    """Count formats have no text: refuse the options that say how to read text."""
    check_options(name, fmt, {"text_column": text_column, "id_column": id_column,
                              "text_field": text_field, "id_field": id_field, "glob": glob})


def _as_tokenizer(tokenizer: Tokenizer | TokenizerConfig | None) -> Tokenizer:
    if tokenizer is None:
        return Tokenizer()
    if isinstance(tokenizer, TokenizerConfig):
        return Tokenizer(tokenizer)
    return tokenizer


def vectorize_input(
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    vocabulary: Vocabulary,
    tokenizer: Tokenizer | TokenizerConfig | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    id_column: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    glob: str | None = None,
    vocab: str | os.PathLike | None = None,
) -> tuple[sp.csr_matrix, list[str], int]:
    """New documents of any format counted over a fixed ``vocabulary`` (for ``transform``).

    Returns ``(counts, doc_ids, n_oov)`` like :func:`lda_vi.io.corpus.vectorize`: a D×V
    canonical CSR matrix over ``vocabulary``, the doc ids, and the number of tokens outside
    it (ignored). Count formats are matched word by word through their vocabulary file
    (``vocab``, as for :func:`load_corpus`); text is tokenized with ``tokenizer``.
    """
    name = os.fspath(path)
    fmt = resolve_format(name, fmt)
    if fmt in COUNT_FORMATS:
        _no_text_options(name, fmt, text_column, id_column, text_field, id_field, glob)
        matrix = read_count_matrix(name, fmt, vocab, encoding=encoding)
        if matrix.counts.shape[0] == 0:
            raise InputError(f"{display_name(name)} has no documents (D = 0); nothing to count")
        target = np.fromiter((vocabulary.get(w, -1) for w in matrix.words), dtype=np.int64,
                             count=len(matrix.words))
        X = matrix.counts.tocoo()
        new = target[X.col]
        known = new >= 0
        n_oov = int(round(float(X.data[~known].sum())))
        counts = coo_to_csr(X.row[known], new[known], X.data[known],
                             (X.shape[0], len(vocabulary)))
        counts.has_canonical_format = True
        return counts, matrix.doc_ids, n_oov
    docs = iter_documents(
        name, fmt, encoding=encoding, text_column=text_column, id_column=id_column,
        text_field=text_field, id_field=id_field, glob=glob, vocab=vocab,
    )
    return vectorize(docs, _as_tokenizer(tokenizer), vocabulary)

