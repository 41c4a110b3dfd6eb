"""Count files read in blocks of whole lines, each parsed by numpy in one pass.

:class:`LineBlocks` reads a byte stream one line at a time (for headers), then in blocks of
about :data:`BLOCK_BYTES` bytes that end at a line end. :func:`ldac_block` and
:func:`entry_block` parse a block with numpy over the whole byte array: they find the
numbers, fields and lines with vectorized masks and convert every number at once. They
return None for anything unusual (a byte other than digits, separators and, for real
values, a number's signs, point and exponent; a wrong field count; an id out of range);
the caller then checks that block line by line to say which line is wrong and why.

Shapes: a block of L lines holds n entries; ``rows``, ``cols`` and ``vals`` have length n.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from lda_vi.io.decode import SNIFF_BYTES, check_head

__all__ = ["BLOCK_BYTES", "MAX_DIGITS", "LineBlocks", "entry_block", "ldac_block"]

#: Bytes read at once (a block holds whole lines, so it may be a little larger or smaller).
BLOCK_BYTES = 1 << 20
#: Longer numbers are refused (ids and counts fit in an int64).
MAX_DIGITS = 18


def _table(allowed: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(allowed, dtype=np.uint8)] = True
    return table


_DIGITS = b"0123456789"
_SPACE = _table(b" \t\r\n")
_IS_DIGIT = _table(_DIGITS)
_LDAC_OK = _table(_DIGITS + b" \t\r\n:")
_INT_OK = _table(_DIGITS + b" \t\r\n")
_REAL_OK = _table(_DIGITS + b" \t\r\n.eE+-")


class LineBlocks:
    """The lines of a count file's byte stream, numbered from 1.

    :meth:`next_line` gives one line (without its line end) for the headers; then
    :meth:`blocks` the remaining lines in blocks. ``empty`` is True for a stream with no
    bytes. The first bytes are checked for a binary file (:func:`check_head`).
    """

    def __init__(self, stream: BinaryIO, name: str, fmt: str):
        self._stream = stream
        self.lineno = 0  # lines handed out so far
        head = stream.read(SNIFF_BYTES)
        self.empty = not head
        self._eof = self.empty
        if head:
            check_head(head, name, True, fmt)
        self._buffer = head

    def _read(self) -> None:
        chunk = self._stream.read(BLOCK_BYTES)
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True

    def next_line(self) -> tuple[int, bytes] | None:
        """``(line number, line)`` of the next line, without b"\\n" or b"\\r"; None at the end."""
        while b"\n" not in self._buffer and not self._eof:
            self._read()
        if not self._buffer:
            return None
        cut = self._buffer.find(b"\n")
        if cut < 0:
            line, self._buffer = self._buffer, b""
        else:
            line, self._buffer = self._buffer[:cut], self._buffer[cut + 1:]
        self.lineno += 1
        return self.lineno, line.rstrip(b"\r\n")

    def blocks(self) -> Iterator[tuple[int, bytes]]:
        """``(number of its first line, block)`` of the remaining lines, in blocks of whole
        lines (each ends with b"\\n", except perhaps the file's last)."""
        while True:
            if not self._eof:
                self._read()
            if self._eof:
                if self._buffer:
                    block, self._buffer = self._buffer, b""
                    first = self.lineno + 1
                    self.lineno += block.count(b"\n") + (not block.endswith(b"\n"))
                    yield first, block
                return
            cut = self._buffer.rfind(b"\n")
            if cut < 0:
                continue  # a line longer than a block: read on
            block, self._buffer = self._buffer[: cut + 1], self._buffer[cut + 1:]
            first = self.lineno + 1
            self.lineno += block.count(b"\n")
            yield first, block


def block_lines(first: int, block: bytes) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of a block, for checking it line by line."""
    lines = block.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # after the final b"\n"
    for i, raw in enumerate(lines):
        yield first + i, raw.rstrip(b"\r")


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (inclusive) positions of the runs of True in ``mask``."""
    if not len(mask):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    edges = np.empty(len(mask) + 1, dtype=bool)
    edges[0], edges[-1] = mask[0], mask[-1]
    np.not_equal(mask[1:], mask[:-1], out=edges[1:-1])
    where = np.flatnonzero(edges)
    return where[0::2], where[1::2] - 1


def _starts_line(a: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each token starting at ``starts`` (ascending), whether it is the first of its
    line: a newline lies between it and the token before (a block starts with a line)."""
    first = np.ones(len(starts), dtype=bool)
    if len(starts) > 1:
        newline = a == ord("\n")
        first[1:] = np.logical_or.reduceat(newline, starts)[:-1]
    return first


def _numbers(block: bytes, dtype, count: int) -> np.ndarray | None:
    """The ``count`` whitespace-separated numbers of ``block`` (only numbers and
    whitespace in it), or None if numpy reads another number of them."""
    try:
        values = np.fromstring(block, dtype=dtype, sep=" ")
    except ValueError:
        return None
    return values if len(values) == count else None


def ldac_block(block: bytes, n_words: int
               ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """An lda-c block: ``(n_docs, rows, cols, vals)``, rows 0-based within the block; or None.

    Each non-blank line is a document ``N id:count ...`` with exactly N fields ``id:count``
    of whole numbers and ids below ``n_words``; blank lines are skipped.
    """
    a = np.frombuffer(block, dtype=np.uint8)
    if not _LDAC_OK[a].all():
        return None
    digit = _IS_DIGIT[a]
    colon = a == ord(":")
    starts, ends = _runs(digit)
    if len(starts) and int((ends - starts).max()) >= MAX_DIGITS:
        return None
    colons = np.flatnonzero(colon)
    if len(colons):
        if colons[0] == 0 or colons[-1] == len(a) - 1:
            return None
        if not (digit[colons - 1].all() and digit[colons + 1].all()):
            return None
    fields, _ = _runs(~_SPACE[a])
    if not len(fields):  # blank lines only
        empty = np.zeros(0, dtype=np.int64)
        return 0, empty, empty, np.zeros(0)
    first = _starts_line(a, fields)
    colons_per_field = np.bincount(np.searchsorted(fields, colons, side="right") - 1,
                                   minlength=len(fields))
    if not np.array_equal(colons_per_field, (~first).astype(colons_per_field.dtype)):
        return None  # the first field of a line is N alone, every other one id:count
    nums = _numbers(block.replace(b":", b" "), np.int64, len(starts))
    if nums is None:
        return None
    first_num = np.concatenate(([0], np.cumsum(1 + colons_per_field)[:-1]))
    line_starts = np.flatnonzero(first)
    pairs_per_line = np.diff(np.append(line_starts, len(fields))) - 1
    if not np.array_equal(nums[first_num[first]], pairs_per_line):
        return None  # N is not the number of pairs
    pair = first_num[~first]
    cols, vals = nums[pair], nums[pair + 1]
    if len(cols) and int(cols.max()) >= n_words:
        return None
    rows = np.repeat(np.arange(len(line_starts), dtype=np.int64), pairs_per_line)
    return len(line_starts), rows, cols, vals.astype(np.float64)


def entry_block(block: bytes, n_fields: int, real: bool, n_docs: int, n_words: int
                ) -> np.ndarray | None:
    """A block of ``doc word [value]`` lines (1-based ids) as an (n, n_fields) array; or None.

    Integers unless ``real``; blank lines are skipped. Ids must be whole numbers in
    ``1..n_docs`` and ``1..n_words``, values finite and not negative.
    """
    a = np.frombuffer(block, dtype=np.uint8)
    if not (_REAL_OK if real else _INT_OK)[a].all():
        return None
    starts, ends = _runs(~_SPACE[a])
    if not len(starts):
        return np.zeros((0, n_fields))
    if not real and int((ends - starts).max()) >= MAX_DIGITS:
        return None
    if len(starts) % n_fields or not np.array_equal(
            _starts_line(a, starts), np.arange(len(starts)) % n_fields == 0):
        return None  # every non-blank line holds exactly n_fields tokens
    nums = _numbers(block, np.float64 if real else np.int64, len(starts))
    if nums is None:
        return None
    e = nums.reshape(-1, n_fields)
    ids = e[:, :2]
    if real and not (np.isfinite(ids).all() and (ids == np.floor(ids)).all()):
        return None
    if not ((ids[:, 0] >= 1).all() and (ids[:, 0] <= n_docs).all()
            and (ids[:, 1] >= 1).all() and (ids[:, 1] <= n_words).all()):
        return None
    if n_fields == 3 and not (np.isfinite(e[:, 2]).all() and (e[:, 2] >= 0).all()):
        return None
    return e
