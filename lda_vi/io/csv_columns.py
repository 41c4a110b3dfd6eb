"""CSV tables assembled from whole columns of bytes with numpy, never row by row.

A :class:`Column` is text as an M×W uint8 matrix (each row's bytes first) with M lengths,
and the rows of the table it fills: ``index`` (N) picks a row of the matrix for each row
of the table (a word column: V quoted words, picked by each topic's order), or None for a
column with one entry per row (numbers from :func:`lda_vi.io.float_text.float_text`).
:func:`join_rows` lays the columns side by side with commas and ``\\r\\n`` line ends, a
block of rows at a time, and keeps only each field's own bytes: the bytes ``csv.writer``
writes for the same fields.

Shapes: N rows of the table, M distinct entries of a column, W its widest entry in bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from lda_vi import threads

__all__ = ["COMPILED_FROM", "Column", "csv_fields", "join_rows", "join_rows_compiled",
           "join_rows_numpy", "text_column"]

#: csv.writer's (the "excel" dialect's) line end.
EOL = b"\r\n"
_NEEDS_QUOTES = frozenset(',"\r\n')
#: Rows of the table assembled at once (bounds the temporary matrices to a few MiB).
BLOCK = 1 << 15
#: Fields (rows × columns) from which the compiled kernel is used (see
#: :data:`lda_vi.io.float_text.COMPILED_FROM`).
COMPILED_FROM = 1 << 14


@dataclass(frozen=True)
class Column:
    """One column of a table: ``text`` M×W bytes, ``length`` (M), ``index`` (N or None)."""

    text: np.ndarray
    length: np.ndarray
    index: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.length) if self.index is None else len(self.index)


def _quote(field: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([field])
    return buffer.getvalue()[:-2]


def csv_fields(values: Iterable[object]) -> list[str]:
    """``values`` as CSV fields, quoted only where ``csv.writer`` would (QUOTE_MINIMAL)."""
    out = list(map(str, values))
    joined = "\x00".join(out)                          # one scan in C for the common case
    if _NEEDS_QUOTES.isdisjoint(joined):
        return out
    for i, s in enumerate(out):
        if not _NEEDS_QUOTES.isdisjoint(s):
            out[i] = _quote(s)
    return out


def text_column(values: Sequence[object], index: np.ndarray | None = None) -> Column:
    """``values`` as CSV fields (quoted as ``csv.writer`` would), UTF-8, in a :class:`Column`."""
    encoded = [s.encode("utf-8") for s in csv_fields(values)]
    length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    width = int(length.max()) if len(encoded) else 0
    text = np.zeros((len(encoded), width), dtype=np.uint8)
    text[np.arange(width) < length[:, None]] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return Column(text, length, None if index is None else np.asarray(index))


def _separators(columns: Sequence[Column]) -> list[np.ndarray]:
    """What follows each column's field: a comma, or the line end after the last."""
    n = columns[0].n_rows
    if any(col.n_rows != n for col in columns):
        raise ValueError("the columns of a table must have the same length")
    seps = [np.frombuffer(b",", dtype=np.uint8)] * (len(columns) - 1)
    return seps + [np.frombuffer(EOL, dtype=np.uint8)]


def join_rows(columns: Sequence[Column], head: bytes = b"", *, buffer: bool = False):
    """``head``, then the rows of ``columns`` as CSV: fields joined by commas, each row
    ended by ``\\r\\n``.

    :func:`join_rows_compiled` for tables of :data:`COMPILED_FROM` fields or more where
    numba is installed, else :func:`join_rows_numpy`; the same bytes either way. bytes,
    or with ``buffer`` whatever holds them (for writing: a large table is not copied)."""
    cells = columns[0].n_rows * len(columns) if columns else 0
    if cells >= COMPILED_FROM and _kernel() is not None:
        return join_rows_compiled(columns, head, buffer=buffer)
    return head + join_rows_numpy(columns)


def _kernel():
    """:func:`lda_vi.io.text_kernels.put_column`, or None without numba."""
    try:
        from lda_vi.io.text_kernels import put_column
    except ImportError:  # pragma: no cover - exercised only where numba is absent
        return None
    return put_column


def join_rows_compiled(columns: Sequence[Column], head: bytes = b"", *, buffer: bool = False):
    """:func:`join_rows` by the compiled kernel (:func:`lda_vi.io.text_kernels.put_column`):
    the rows' lengths are summed, then each column's fields copied to their places (ranges
    of rows on the kernel threads, :mod:`lda_vi.threads`), in one buffer copied once into
    bytes (with ``buffer``, that uint8 array itself)."""
    put_column = _kernel()
    if not columns:
        return head
    seps = _separators(columns)
    n = columns[0].n_rows
    every = np.arange(n)
    rows = [every if col.index is None else col.index.astype(np.int64, copy=False)
            for col in columns]
    sizes = sum(col.length[r] for col, r in zip(columns, rows, strict=True))
    sizes = sizes + sum(sep.size for sep in seps)
    pos = np.full(n, len(head), dtype=np.int64)
    np.cumsum(sizes[:-1], out=pos[1:])
    pos[1:] += len(head)
    out = np.empty(int(pos[-1] + sizes[-1]) if n else len(head), dtype=np.uint8)
    out[:len(head)] = np.frombuffer(head, dtype=np.uint8)
    parts = [(np.ascontiguousarray(col.text), col.length, r, sep)
             for col, r, sep in zip(columns, rows, seps, strict=True)]

    def piece(lo: int, hi: int) -> None:     # rows [lo, hi), column after column
        for text, length, r, sep in parts:
            put_column(out, pos[lo:hi], text, length, r[lo:hi], sep)

    threads.run_rows(piece, n)
    return out if buffer else out.tobytes()


def join_rows_numpy(columns: Sequence[Column]) -> bytes:
    """:func:`join_rows` in numpy: a block of rows at a time, the columns' matrices side by
    side, and only each field's own bytes kept (a mask, read in row order)."""
    if not columns:
        return b""
    seps = _separators(columns)
    n = columns[0].n_rows
    parts = []
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        blocks, keep = [], []
        for col, sep in zip(columns, seps, strict=True):
            rows = slice(lo, hi) if col.index is None else col.index[lo:hi]
            blocks.append(col.text[rows])
            keep.append(np.arange(col.text.shape[1]) < col.length[rows][:, None])
            blocks.append(np.broadcast_to(sep, (hi - lo, sep.size)))
            keep.append(np.ones((hi - lo, sep.size), dtype=bool))
        table = np.concatenate(blocks, axis=1)
        parts.append(table[np.concatenate(keep, axis=1)].tobytes())
    return b"".join(parts)
