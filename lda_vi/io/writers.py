"""Writing count matrices as lda-c or Matrix Market files (atomic, optionally compressed).

Shapes: D documents (rows), V words (columns).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import os
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from lda_vi.io.atomic import atomic_open

__all__ = ["write_ldac", "write_mtx"]


# ------------------------------------------------------------------------- writing


def _as_counts(X) -> sp.csr_matrix:
    X = sp.csr_matrix(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {X.shape}")
    X.sum_duplicates()
    X.eliminate_zeros()
    X.sort_indices()
    if X.nnz and not (np.isfinite(X.data).all() and (X.data >= 0).all()):
        raise ValueError("counts must be finite and non-negative")
    return X


@contextlib.contextmanager
def _atomic_binary(path: str | os.PathLike):
    """A binary handle on ``path``, written atomically; gzip/bz2/xz by its extension."""
    with atomic_open(path, "wb") as handle:
        lower = os.fspath(path).lower()
        if lower.endswith(".gz"):
            with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as z:
                yield z
        elif lower.endswith(".bz2"):
            with bz2.BZ2File(handle, "wb") as z:
                yield z
        elif lower.endswith(".xz"):
            with lzma.LZMAFile(handle, "wb") as z:
                yield z
        else:
            yield handle


def _write_lines(handle, lines: Iterator[str]) -> None:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 4096:
            handle.write("".join(batch).encode("ascii"))
            batch.clear()
    handle.write("".join(batch).encode("ascii"))


def write_ldac(path: str | os.PathLike, X) -> None:
    """Write a D×V matrix of whole counts as lda-c (``N id:count ...``, 0-based ids).

    Atomic; compressed when ``path`` ends in .gz, .bz2 or .xz. An all-zero row is ``0``.
    Raises ValueError for counts that are not whole, non-negative numbers.
    """
    X = _as_counts(X)
    if X.nnz and not (X.data == np.round(X.data)).all():
        raise ValueError("lda-c holds whole counts only; these counts have fractions")

    def lines():
        for d in range(X.shape[0]):
            lo, hi = X.indptr[d], X.indptr[d + 1]
            pairs = " ".join(f"{w}:{int(c)}" for w, c in
                             zip(X.indices[lo:hi].tolist(), X.data[lo:hi].tolist(), strict=True))
            yield f"{hi - lo} {pairs}\n" if hi > lo else "0\n"

    with _atomic_binary(path) as handle:
        _write_lines(handle, lines())


def write_mtx(path: str | os.PathLike, X) -> None:
    """Write a D×V matrix as Matrix Market coordinate (``integer`` if every count is whole,
    else ``real``), rows = documents, 1-based ids, row by row.

    Atomic; compressed when ``path`` ends in .gz, .bz2 or .xz.
    """
    X = _as_counts(X)
    whole = not X.nnz or bool((X.data == np.round(X.data)).all())
    field = "integer" if whole else "real"

    def lines():
        yield f"%%MatrixMarket matrix coordinate {field} general\n"
        yield "% written by lda-vi: rows are documents, columns words\n"
        yield f"{X.shape[0]} {X.shape[1]} {X.nnz}\n"
        for d in range(X.shape[0]):
            lo, hi = X.indptr[d], X.indptr[d + 1]
            for w, c in zip(X.indices[lo:hi].tolist(), X.data[lo:hi].tolist(), strict=True):
                yield f"{d + 1} {w + 1} {int(c) if whole else repr(c)}\n"

    with _atomic_binary(path) as handle:
        _write_lines(handle, lines())
