"""The corpus layout every engine reads: the D×V counts as CSR plus a CSC index.

Built once per fit by :func:`prepare`; shards (:meth:`CorpusArrays.rows`) are
views of it. Glossary of shapes: D documents, V words, nnz non-zeros.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class CorpusArrays:
    """The count matrix in the layouts the kernels read, built once per fit.

    ``indptr``/``indices``/``data``: CSR (D+1, nnz, nnz). ``csc_indptr``
    (V+1), ``csc_rows`` (nnz): the same non-zeros by word, each word's
    documents in increasing order; ``csc_to_csr`` (nnz) maps a CSC position
    to its CSR position.

    A shard (:meth:`rows`) is a view of rows [row_lo, row_lo + D) of a larger
    corpus: its ``indptr`` holds positions into the whole corpus's arrays,
    which it shares, CSC index included; nothing is copied.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    csc_indptr: np.ndarray
    csc_rows: np.ndarray
    csc_to_csr: np.ndarray
    n_docs: int
    n_words: int
    row_lo: int = 0

    @property
    def nnz(self) -> int:
        """Non-zeros of these rows."""
        return int(self.indptr[-1] - self.indptr[0])

    def rows(self, lo: int, hi: int) -> CorpusArrays:
        """Documents [lo, hi) of this corpus, as a view."""
        if not 0 <= lo <= hi <= self.n_docs:
            raise ValueError(f"rows [{lo}, {hi}) out of range for {self.n_docs} documents")
        return dataclasses.replace(self, indptr=self.indptr[lo:hi + 1], n_docs=hi - lo,
                                   row_lo=self.row_lo + lo)

    @property
    def doc_lengths(self) -> np.ndarray:
        """Tokens per document (D)."""
        lo = int(self.indptr[0])
        data = self.data[lo:int(self.indptr[-1])]
        starts = self.indptr[:-1] - lo
        lengths = np.zeros(self.n_docs)
        full = np.flatnonzero(self.indptr[1:] > self.indptr[:-1])
        if full.size:   # each non-empty row runs to the next non-empty row's start
            lengths[full] = np.add.reduceat(data, starts[full])
        return lengths


def prepare(X: sp.spmatrix, n_words: int | None = None) -> CorpusArrays:
    """Validate a D×V count matrix and build its :class:`CorpusArrays`."""
    X = sp.csr_matrix(X, dtype=np.float64)
    if n_words is not None and X.shape[1] != n_words:
        raise ValueError(f"count matrix has {X.shape[1]} columns, expected {n_words}")
    X.sum_duplicates()
    X.sort_indices()
    if X.nnz and (not np.all(np.isfinite(X.data)) or X.data.min() < 0):
        raise ValueError("counts must be finite and non-negative")
    X.eliminate_zeros()
    nnz = X.nnz
    index = np.int32 if max(nnz, X.shape[0], X.shape[1]) < 2**31 - 1 else np.int64
    indptr = X.indptr.astype(np.int64, copy=False)
    indices = X.indices.astype(index, copy=False)
    # The index by word: scipy's CSR-to-CSC conversion (a counting sort, each word's
    # documents in increasing order) of the matrix whose values are the CSR positions.
    positions = sp.csr_matrix((np.arange(nnz, dtype=index), X.indices, X.indptr),
                              shape=X.shape).tocsc()
    csc_indptr = positions.indptr.astype(np.int64)
    csc_rows = positions.indices.astype(index, copy=False)
    csc_to_csr = positions.data
    return CorpusArrays(indptr=indptr, indices=indices, data=X.data, csc_indptr=csc_indptr,
                        csc_rows=csc_rows, csc_to_csr=csc_to_csr, n_docs=X.shape[0],
                        n_words=X.shape[1])
