"""Count files read minibatch by minibatch straight from disk, never as a whole matrix.

For online VB over lda-c, UCI and Matrix Market files (``.gz``, ``.bz2``, ``.xz`` too):
:class:`CountStream` makes one pass to check the file and count its documents and tokens
(and, when pruning is asked, each word's document frequency), then every call of
:meth:`CountStream.batches` reads the file again, block by block, and yields B×V sparse
count matrices of ``batch_size`` consecutive documents. Only one block of the file and one
minibatch are held at a time, so memory stays flat however large the file. UCI and Matrix
Market entries must be sorted by document (UCI files are).

Shapes: D documents, V kept words, B documents per minibatch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.counts import coo_to_csr, iter_count_chunks, open_count_file
from lda_vi.text.vocabulary import COUNT_PRUNING, PruneConfig, Vocabulary, prune

__all__ = ["CountStream"]

#: Documents per minibatch of the checking pass.
SCAN_BATCH = 4096


class CountStream:
    """A count file read in minibatches of documents (see the module doc).

    Attributes:
        name: the file. vocab: the V kept words (the vocabulary file's words, repeats
        merged, pruned by ``prune_config``; default :data:`COUNT_PRUNING`, all kept).
        n_docs: D. n_tokens: the total count of the kept words.

    Raises InputError at once for anything malformed in the file (with its line), a file
    not sorted by document, no documents, no counts, or pruning that removes every word.
    """

    def __init__(self, path: str | os.PathLike, fmt: str | None = None,
                 vocab_path: str | os.PathLike | None = None, *, encoding: str = "utf-8",
                 prune_config: PruneConfig | None = None):
        self.name, self._fmt, self._vocab_name, self._listed = open_count_file(
            path, fmt, vocab_path, encoding=encoding)
        first: dict[str, int] = {}
        for word in self._listed:
            first.setdefault(word, len(first))
        words = list(first)
        self._merge = np.fromiter((first[w] for w in self._listed), dtype=np.int64,
                                  count=len(self._listed))
        self._keep = np.arange(len(words), dtype=np.int64)
        self.n_docs, doc_freq, term_freq = 0, np.zeros(len(words)), np.zeros(len(words))
        for X, _ in self._batches(SCAN_BATCH, len(words)):
            self.n_docs += X.shape[0]
            doc_freq += np.bincount(X.indices, minlength=len(words))
            term_freq += np.asarray(X.sum(axis=0)).ravel()
        if self.n_docs == 0:
            raise InputError(f"{self.name} has no documents (D = 0); nothing to fit")
        if not term_freq.any():
            raise InputError(f"{self.name} has no word counts: all {self.n_docs} documents "
                             "are empty")
        config = prune_config or COUNT_PRUNING
        kept = prune(doc_freq, term_freq, self.n_docs, config, words=words)
        if len(kept) == 0:
            raise InputError(
                f"pruning removed every word ({config.describe(self.n_docs)}) from "
                f"{int(np.count_nonzero(doc_freq))} words used in {self.n_docs} documents; "
                "lower min_df or raise max_df", params=("min_df", "max_df"))
        self._keep = np.full(len(words), -1, dtype=np.int64)
        self._keep[kept] = np.arange(len(kept))
        self.vocab = Vocabulary([words[i] for i in kept])
        self.n_tokens = int(round(float(term_freq[kept].sum())))

    def batches(self, batch_size: int) -> Iterator[tuple[sp.csr_matrix, list[str]]]:
        """``(B×V counts, doc ids)`` of ``batch_size`` consecutive documents at a time (the
        last minibatch may be smaller), read from disk; every document has its row."""
        if batch_size < 1:
            raise InputError("batch_size must be at least 1")
        return self._batches(batch_size, len(self.vocab))

    def _batches(self, size: int, n_words: int):
        parsers = []
        chunks = iter_count_chunks(self.name, self._fmt, self._listed, self._vocab_name,
                                   parsers.append)
        start, last = 0, -1  # first document of the pending minibatch; last row seen
        pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for rows, cols, vals in chunks:
            if len(rows):
                if rows[0] < last or (np.diff(rows) < 0).any():
                    raise self._unsorted(rows, last)
                last = int(rows[-1])
                pending.append((rows, cols, vals))
            while parsers[0].complete >= start + size:
                yield self._batch(pending, start, start + size, n_words)
                start += size
        while start < parsers[0].n_docs:
            stop = min(start + size, parsers[0].n_docs)
            yield self._batch(pending, start, stop, n_words)
            start = stop

    def _batch(self, pending: list, start: int, stop: int, n_words: int):
        """The minibatch of documents ``start..stop-1`` from the pending entries (which all
        belong to documents >= ``start``, sorted); what is left stays pending."""
        if pending:
            rows, cols, vals = (np.concatenate(parts) for parts in zip(*pending, strict=True))
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        cut = int(np.searchsorted(rows, stop))
        pending.clear()
        if cut < len(rows):
            pending.append((rows[cut:], cols[cut:], vals[cut:]))
        new = self._keep[self._merge[cols[:cut]]]
        known = new >= 0
        X = coo_to_csr(rows[:cut][known] - start, new[known], vals[:cut][known],
                       (stop - start, n_words))
        X.has_canonical_format = True
        return X, [str(d) for d in range(start + 1, stop + 1)]

    def _unsorted(self, rows: np.ndarray, last: int) -> InputError:
        seen = np.concatenate(([last], rows)) if last >= 0 else rows
        i = int(np.flatnonzero(np.diff(seen) < 0)[0])
        return InputError(
            f"{self.name}: its entries are not sorted by document (document {seen[i + 1] + 1} "
            f"comes after document {seen[i] + 1}); streaming (online VB) reads a "
            f"{self._fmt} file document by document: sort its entries by document id, or "
            "fit in batch")
