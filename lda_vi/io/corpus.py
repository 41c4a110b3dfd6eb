"""Documents → a bag-of-words corpus: a sparse D×V matrix of word counts.

Shapes: D documents (rows), V vocabulary words (columns). ``Corpus.counts[d, v]`` is the
number of times word ``v`` occurs in document ``d``, stored as a float64
``scipy.sparse.csr_matrix`` in canonical form (sorted column indices, no duplicates). A dense
D×V array is never built.

* :func:`build_corpus` tokenizes every document once, counts words, prunes the vocabulary
  (:func:`lda_vi.text.vocabulary.prune`), orders it alphabetically and builds the matrix.
* :func:`vectorize` counts new documents against a fixed vocabulary (for ``transform``).

Every document keeps its row, in input order, even when no word of it is left: such rows are
all zero and counted in ``Corpus.n_empty``. Documents come from
:func:`lda_vi.io.text_readers.iter_documents` (or any iterable of ``(doc_id, text)`` pairs).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lda_vi import interrupts
from lda_vi.errors import InputError
from lda_vi.text.tokenize import Tokenizer
from lda_vi.text.vocabulary import PruneConfig, Vocabulary, prune

__all__ = ["Corpus", "build_corpus", "csr_from_rows", "vectorize"]


@dataclass
class Corpus:
    """A bag-of-words corpus.

    Attributes:
        counts: D×V ``scipy.sparse.csr_matrix`` of float64 word counts, canonical format.
        doc_ids: the D document ids, in row order (line numbers or file names).
        vocab: the V words; column ``v`` of ``counts`` is ``vocab[v]``.
        n_empty: the number of all-zero rows (documents with no word left after
            tokenizing and pruning); they are kept so rows stay aligned with the input.
    """

    counts: sp.csr_matrix
    doc_ids: list[str]
    vocab: Vocabulary
    n_empty: int

    @property
    def n_docs(self) -> int:
        """D, the number of documents (rows)."""
        return self.counts.shape[0]

    @property
    def n_words(self) -> int:
        """V, the vocabulary size (columns)."""
        return self.counts.shape[1]

    @property
    def n_tokens(self) -> int:
        """The total number of word occurrences counted (the sum of ``counts``)."""
        return int(round(self.counts.sum()))



# ---------------------------------------------------------------------------- counting


def csr_from_rows(
    data: np.ndarray, indices: np.ndarray, row_nnz: np.ndarray, n_cols: int
) -> sp.csr_matrix:
    """Canonical float64 CSR from per-row (column, count) pieces (no duplicates in a row)."""
    indptr = np.zeros(len(row_nnz) + 1, dtype=np.int64)
    np.cumsum(row_nnz, out=indptr[1:])
    idx_dtype = np.int32 if max(indptr[-1], n_cols) < np.iinfo(np.int32).max else np.int64
    m = sp.csr_matrix(
        (
            np.asarray(data, dtype=np.float64),
            np.asarray(indices, dtype=idx_dtype),
            indptr.astype(idx_dtype),
        ),
        shape=(len(row_nnz), n_cols),
    )
    m.sort_indices()
    m.has_canonical_format = True  # rows hold distinct columns, now sorted
    return m


def _tokenizer_settings(tokenizer) -> str:
    config = getattr(tokenizer, "config", None)
    if config is None:
        return ""
    stop = config.stopwords if not config.replace_stopwords else "replaced"
    extra = len(config.extra_stopwords)
    return (
        f" (min_length={config.min_length}, stopwords={stop}"
        f"{f' + {extra} extra' if extra else ''}, stem={config.stem})"
    )


#: Documents between two calls of build_corpus's ``progress`` (and interrupt checks).
PROGRESS_EVERY = 1000


def with_progress(docs: Iterable, progress: Callable[[int], None] | None) -> Iterator:
    """``docs`` as they come, calling ``progress(n)`` every ``PROGRESS_EVERY`` documents and
    checking for an interrupt there."""
    for n, doc in enumerate(docs, start=1):
        yield doc
        if n % PROGRESS_EVERY == 0:
            interrupts.check()
            if progress is not None:
                progress(n)


def build_corpus(
    docs: Iterable[tuple[str, str]], tokenizer: Tokenizer, prune_config: PruneConfig,
    progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Tokenize ``(doc_id, text)`` pairs once, prune the vocabulary and count words.

    ``progress(n)`` is called after every ``PROGRESS_EVERY`` documents (n read so far).

    The kept vocabulary is ordered alphabetically (by code point), so equal inputs give equal
    corpora. Rows follow the input order; documents left with no word keep an all-zero row.

    Raises InputError if there are no documents, if no document has a word left after
    tokenizing, or if pruning removes every word (the message names the settings).
    """
    ids: defaultdict[str, int] = defaultdict()
    ids.default_factory = ids.__len__  # a new word gets the next id
    word_id = ids.__getitem__
    indices = array("i")  # per document: its distinct provisional word ids ...
    data = array("i")  # ... and their counts
    row_nnz = array("q")
    doc_ids: list[str] = []
    for doc_id, text in docs:
        counts = Counter(map(word_id, tokenizer(text)))
        indices.extend(counts.keys())
        data.extend(counts.values())
        row_nnz.append(len(counts))
        doc_ids.append(doc_id)
        if len(doc_ids) % PROGRESS_EVERY == 0:
            interrupts.check()
            if progress is not None:
                progress(len(doc_ids))

    n_docs, n_candidates = len(doc_ids), len(ids)
    if n_docs == 0:
        raise InputError("no documents to build a corpus from; the input has no text")
    if n_candidates == 0:
        raise InputError(
            f"no words left after tokenizing: all {n_docs} documents are empty"
            f"{_tokenizer_settings(tokenizer)}; check the input, or try stopwords='none' "
            "or a lower min_length", params=("stopwords", "min_length")
        )
    indices_np = np.frombuffer(indices, dtype=np.intc)
    data_np = np.frombuffer(data, dtype=np.intc)
    doc_freq = np.bincount(indices_np, minlength=n_candidates)
    term_freq = np.bincount(indices_np, weights=data_np, minlength=n_candidates)

    # Number candidates alphabetically so that kept ids come out in alphabetical order.
    alphabetical = sorted(ids)
    order = np.fromiter(map(ids.__getitem__, alphabetical), dtype=np.int64, count=n_candidates)
    kept = prune(doc_freq[order], term_freq[order], n_docs, prune_config)
    if len(kept) == 0:
        raise InputError(
            f"pruning removed every word ({prune_config.describe(n_docs)}) from "
            f"{n_candidates} candidate words in {n_docs} documents; "
            "lower min_df or raise max_df", params=("min_df", "max_df")
        )
    vocab = Vocabulary([alphabetical[i] for i in kept])
    remap = np.full(n_candidates, -1, dtype=np.int64)
    remap[order[kept]] = np.arange(len(kept))
    new_ids = remap[indices_np]
    keep = new_ids >= 0
    rows = np.repeat(np.arange(n_docs), np.frombuffer(row_nnz, dtype=np.int64))
    counts = csr_from_rows(
        data_np[keep], new_ids[keep], np.bincount(rows[keep], minlength=n_docs), len(vocab)
    )
    n_empty = int(np.count_nonzero(np.diff(counts.indptr) == 0))
    return Corpus(counts=counts, doc_ids=doc_ids, vocab=vocab, n_empty=n_empty)


def vectorize(
    docs: Iterable[tuple[str, str]], tokenizer: Tokenizer, vocab: Vocabulary
) -> tuple[sp.csr_matrix, list[str], int]:
    """Count new documents against a fixed vocabulary of V words.

    Returns ``(counts, doc_ids, n_oov)``: a D×V float64 canonical CSR matrix (column ``v`` is
    ``vocab[v]``; a document with no known word has an all-zero row), the D doc ids, and the
    number of tokens that were not in the vocabulary (ignored).

    Raises InputError if there are no documents.
    """
    word_id = vocab.get
    indices = array("q")
    data = array("q")
    row_nnz = array("q")
    doc_ids: list[str] = []
    n_oov = 0
    for doc_id, text in docs:
        n = 0
        for word, count in Counter(tokenizer(text)).items():
            i = word_id(word)
            if i is None:
                n_oov += count
            else:
                indices.append(i)
                data.append(count)
                n += 1
        row_nnz.append(n)
        doc_ids.append(doc_id)
    if not doc_ids:
        raise InputError("no documents to count; the input has no text")
    counts = csr_from_rows(
        np.frombuffer(data, dtype=np.int64),
        np.frombuffer(indices, dtype=np.int64),
        np.frombuffer(row_nnz, dtype=np.int64),
        len(vocab),
    )
    return counts, doc_ids, n_oov


def with_ids(docs: Iterable[str] | Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    """Strings get ids "1", "2", …; (id, text) pairs pass through.

    A single string is one document (never a sequence of one-character documents); bytes
    are refused with a TypeError that says to decode them.
    """
    if isinstance(docs, str):
        docs = [docs]
    elif isinstance(docs, bytes | bytearray):
        raise TypeError("documents must be str, not bytes: decode them first, "
                        "e.g. data.decode('utf-8')")
    for i, doc in enumerate(docs, start=1):
        if isinstance(doc, bytes | bytearray):
            raise TypeError(f"document {i} is bytes, not str: decode it first, "
                            "e.g. data.decode('utf-8')")
        yield (str(i), doc) if isinstance(doc, str) else (str(doc[0]), doc[1])
