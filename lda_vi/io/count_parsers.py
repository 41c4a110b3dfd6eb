"""Parsers of the count formats' lines into (rows, cols, vals) triples.

* ``ldac``: lda-c: per document a line ``N id:count id:count ...`` with N pairs and 0-based
  word ids;
* ``uci``: UCI bag of words: three header lines D, W, NNZ, then ``docID wordID count``
  lines with 1-based ids;
* ``mtx``: Matrix Market coordinate: ``%%MatrixMarket matrix coordinate
  integer|real|pattern general``, a size line ``D V NNZ``, then ``doc word [count]`` lines
  with 1-based ids (rows are documents, columns words).

:class:`CountParser` reads the header, then parses the entries block by block with numpy
(:mod:`lda_vi.io.count_blocks`); a block numpy refuses is checked line by line, so that
anything malformed is an InputError naming the file and line, and what is wrong with it.
"""

from __future__ import annotations

import re
import warnings
from array import array
from collections.abc import Iterator

import numpy as np

from lda_vi.errors import InputError
from lda_vi.io.count_blocks import MAX_DIGITS, LineBlocks, block_lines, entry_block, ldac_block
from lda_vi.io.detect import DESCRIPTION

__all__ = ["CountParser"]


_CHUNK_LINES = 1 << 16  # lines parsed at once by numpy (UCI, Matrix Market)
_INT = re.compile(rb"[+-]?[0-9]+")
_FLOAT = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)", re.I
)


_MAX_DIM = 2**31 - 1  # documents or words in a count file's header


def _beyond(name: str, lineno: int, word: int, words: list[str], vocab_name: str,
            one_based: bool) -> InputError:
    lo, hi = (1, len(words)) if one_based else (0, len(words) - 1)
    return InputError(
        f"{name}, line {lineno}: word id {word} is beyond the vocabulary ({vocab_name} has "
        f"{len(words)} words, ids {lo} to {hi}); give the vocabulary file that goes with "
        f"{name} (vocab)", params=("vocab",)
    )


def _empty_counts(name: str, fmt: str) -> InputError:
    return InputError(f"file {name} is empty: no documents; give {DESCRIPTION[fmt]}")


def _ldac_lines(lines, name: str, words: list[str], vocab_name: str):
    """Lines of lda-c checked one by one (a block :func:`ldac_block` refused): the entries,
    or the InputError saying which line is wrong and why."""
    V = len(words)
    rows, cols, vals = array("q"), array("q"), array("d")
    doc = 0
    usage = "each lda-c line is 'N id:count id:count ...' with N pairs and 0-based word ids"

    def bad(lineno: int, problem: str) -> InputError:
        return InputError(f"{name}, line {lineno}: {problem}; {usage}")

    for lineno, raw in lines:
        parts = raw.split()
        if not parts:
            continue
        n_tok, pairs = parts[0], parts[1:]
        values = b" ".join(pairs).replace(b":", b" ").split()
        fast = (
            n_tok.isdigit()
            and len(n_tok) <= MAX_DIGITS
            and int(n_tok) == len(pairs)
            and all(p.count(b":") == 1 for p in pairs)
            and len(values) == 2 * len(pairs)
            and all(v.isdigit() and len(v) <= MAX_DIGITS for v in values)
        )
        if fast:
            ints = list(map(int, values))
            ids = ints[0::2]
            if ids and max(ids) >= V:
                word = next(i for i in ids if i >= V)
                raise _beyond(name, lineno, word, words, vocab_name, False)
            cols.extend(ids)
            vals.extend(ints[1::2])
            rows.extend([doc] * len(ids))
            doc += 1
            continue
        if not n_tok.isdigit() or len(n_tok) > MAX_DIGITS:
            raise bad(lineno, f"the first field {_show(n_tok)} is not a number of pairs")
        for pair in pairs:
            w, sep, c = pair.partition(b":")
            if not (sep and w.isdigit() and c.isdigit()) or max(len(w), len(c)) > MAX_DIGITS:
                raise bad(lineno, f"{_show(pair)} is not a pair id:count of whole numbers")
        raise bad(lineno, f"it starts with N = {int(n_tok)} but has {len(pairs)} pairs")
    return (doc, np.frombuffer(rows, dtype=np.int64), np.frombuffer(cols, dtype=np.int64),
            np.frombuffer(vals, dtype=np.float64))


def _show(token: bytes) -> str:
    text = token.decode("utf-8", "replace")
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _header_ints(blocks: LineBlocks, name: str, n: int, what: str, usage: str,
                 comment: bytes | None) -> tuple[list[int], int]:
    """The next non-blank (non-comment) line as ``n`` whole numbers; and its line number."""
    for lineno, raw in iter(blocks.next_line, None):
        parts = raw.split()
        if not parts or (comment and raw.lstrip().startswith(comment)):
            continue
        if len(parts) != n or not all(p.isdigit() and len(p) <= MAX_DIGITS for p in parts):
            raise InputError(f"{name}, line {lineno}: expected {what}, got "
                             f"{_show(raw.strip())}; {usage}")
        values = [int(p) for p in parts]
        if max(values[:2]) > _MAX_DIM:
            raise InputError(f"{name}, line {lineno}: {max(values[:2])} documents or words is "
                             f"more than {_MAX_DIM} (the most supported); {usage}")
        return values, lineno
    raise InputError(f"{name} ends before {what}; {usage}")


def _entry_lines(lines, name: str, *, n_fields: int, real: bool, n_docs: int, n_words: int,
                 words: list[str], vocab_name: str, usage: str, comment: bytes | None):
    """Entry lines checked by numpy in chunks, then line by line where a chunk is refused
    (a block :func:`entry_block` refused): the (n, n_fields) entries, or the InputError
    saying which line is wrong and why."""
    lines = list(lines)
    parts = []
    for lo in range(0, len(lines), _CHUNK_LINES):
        chunk = [raw for _, raw in lines[lo:lo + _CHUNK_LINES]]
        entries = _parse_chunk(chunk, n_fields, real, n_docs, n_words, comment)
        if entries is None:
            for lineno, raw in lines[lo:lo + _CHUNK_LINES]:
                _check_entry(raw, lineno, name, n_fields, real, n_docs, n_words, words,
                             vocab_name, usage, comment)
            first, last = lines[lo][0], lines[min(lo + _CHUNK_LINES, len(lines)) - 1][0]
            raise InputError(f"{name}, lines {first} to {last}: a malformed entry; {usage}")
        parts.append(entries.reshape(-1, n_fields))
    return np.concatenate(parts) if parts else np.zeros((0, n_fields))


def _parse_chunk(chunk, n_fields, real, n_docs, n_words, comment):
    """The chunk as an (n, n_fields) array, or None if any line is wrong."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.loadtxt(chunk, dtype=np.float64 if real else np.int64, ndmin=2,
                           comments=comment.decode() if comment else None)
    except (ValueError, OverflowError, TypeError):
        return None
    if a.size == 0:
        return np.zeros((0, n_fields))
    if a.shape[1] != n_fields:
        return None
    ids = a[:, :2]
    if real and not (np.isfinite(ids).all() and (ids == np.floor(ids)).all()):
        return None
    if not ((ids[:, 0] >= 1).all() and (ids[:, 0] <= n_docs).all()
            and (ids[:, 1] >= 1).all() and (ids[:, 1] <= n_words).all()):
        return None
    if n_fields == 3:
        v = a[:, 2]
        if not (np.isfinite(v).all() and (v >= 0).all()):
            return None
    return a


def _check_entry(raw, lineno, name, n_fields, real, n_docs, n_words, words, vocab_name,
                 usage, comment):
    parts = raw.split()
    if not parts or (comment and raw.lstrip().startswith(comment)):
        return
    if len(parts) != n_fields:
        raise InputError(f"{name}, line {lineno}: {len(parts)} fields instead of "
                         f"{n_fields} ({_show(raw.strip())}); {usage}")
    for p in parts[:2]:
        if not _INT.fullmatch(p) or len(p) > MAX_DIGITS + 1:
            raise InputError(f"{name}, line {lineno}: {_show(p)} is not a whole-number "
                             f"id; {usage}")
    doc, word = int(parts[0]), int(parts[1])
    if not 1 <= doc <= n_docs:
        raise InputError(f"{name}, line {lineno}: document id {doc} is outside 1 to "
                         f"{n_docs}, the number of documents in the header; {usage}")
    if word > len(words) or word < 1:
        if 1 <= word:
            raise _beyond(name, lineno, word, words, vocab_name, True)
        raise InputError(f"{name}, line {lineno}: word id {word} is below 1 (ids are "
                         f"1-based); {usage}")
    if word > n_words:
        raise InputError(f"{name}, line {lineno}: word id {word} is above {n_words}, the "
                         f"number of words in the header; {usage}")
    if n_fields == 3:
        value = parts[2]
        ok = _FLOAT.fullmatch(value) if real else _INT.fullmatch(value)
        if not ok:
            kind = "number" if real else "whole number"
            raise InputError(f"{name}, line {lineno}: the count {_show(value)} is not a "
                             f"{kind}; {usage}")
        x = float(value)
        if not (x >= 0 and np.isfinite(x)):
            raise InputError(f"{name}, line {lineno}: the count {_show(value)} is negative "
                             f"or not finite; counts must be 0 or more; {usage}")


def _check_size(name, lineno, n_words, words, vocab_name, usage, *, transposed_hint=False,
                n_docs=None):
    if n_words == len(words):
        return
    hint = ""
    if transposed_hint and n_docs == len(words):
        hint = " (the matrix looks transposed: rows must be documents, columns words)"
    raise InputError(
        f"{name}, line {lineno}: the header says {n_words} words but {vocab_name} has "
        f"{len(words)}{hint}; give the vocabulary file that goes with {name} (vocab)",
        params=("vocab",)
    )


def _check_nnz(name: str, found: int, declared: int, what: str, n_docs: int) -> None:
    if found != declared:
        raise InputError(
            f"{name} has {found} entries but its header says {what} = {declared}; the file "
            "is truncated or its header is wrong"
        )
    if n_docs > 10**7 and n_docs > 100 * (found + 1):
        raise InputError(
            f"{name}: its header says D = {n_docs} documents for only {found} entries; the "
            "header looks wrong (count formats need D, the number of documents, first)"
        )


_MM_FIELDS = {"integer": False, "real": True, "double": True, "pattern": None}
_USAGE = {
    "uci": ("a UCI bag-of-words file has three header lines D, W and NNZ, then one "
            "'docID wordID count' line per entry with 1-based ids"),
    "mtx": ("a Matrix Market file starts '%%MatrixMarket matrix coordinate integer general', "
            "then a line 'D V NNZ', then one 'doc word count' line per entry with 1-based ids"),
}


class CountParser:
    """One lda-c, UCI or Matrix Market file, parsed block by block from ``blocks``.

    The header (UCI, Matrix Market) is read and checked when the parser is made; then
    :meth:`chunks` yields the entries of each block as ``(rows, cols, vals)``: 0-based
    int64 document and word ids, float64 counts. ``n_docs`` is D: from the header, or
    (lda-c) the number of documents once :meth:`chunks` is exhausted. At the end the number
    of entries is checked against the header. ``complete`` is the number of documents
    whose entries have all been yielded (for UCI and Matrix Market, if sorted by document).
    """

    def __init__(self, blocks: LineBlocks, fmt: str, name: str, words: list[str],
                 vocab_name: str):
        if blocks.empty:
            raise _empty_counts(name, fmt)
        self.blocks, self.fmt, self.name = blocks, fmt, name
        self.words, self.vocab_name = words, vocab_name
        self.n_docs: int | None = None
        self.nnz: int | None = None
        self.complete = 0  # documents whose entries have all been yielded
        self.n_fields, self.real, self.comment = 3, False, None
        if fmt == "uci":
            self._uci_header()
        elif fmt == "mtx":
            self._mtx_header()

    def _uci_header(self) -> None:
        name, usage = self.name, _USAGE["uci"]
        (self.n_docs,), _ = _header_ints(
            self.blocks, name, 1, "the number of documents D alone on a line", usage, None)
        (self.n_words,), w_line = _header_ints(
            self.blocks, name, 1, "the number of words W alone on a line", usage, None)
        (self.nnz,), _ = _header_ints(
            self.blocks, name, 1, "the number of entries NNZ alone on a line", usage, None)
        _check_size(name, w_line, self.n_words, self.words, self.vocab_name, usage)

    def _mtx_header(self) -> None:
        name, usage = self.name, _USAGE["mtx"]
        lineno, banner = self.blocks.next_line()
        tokens = banner.lower().split()
        if not tokens or tokens[0] != b"%%matrixmarket" or len(tokens) != 5:
            raise InputError(f"{name}, line {lineno}: not a Matrix Market header "
                             f"({_show(banner.strip())}); {usage}")
        obj, layout, field, symmetry = (t.decode("ascii", "replace") for t in tokens[1:])
        if obj != "matrix":
            raise InputError(f"{name}, line {lineno}: a Matrix Market {obj!r}, not a matrix; "
                             f"{usage}")
        if layout != "coordinate":
            raise InputError(
                f"{name}, line {lineno}: Matrix Market layout {layout!r} is not supported, "
                "only 'coordinate' (sparse; e.g. scipy.io.mmwrite of a scipy.sparse matrix)"
            )
        if field not in _MM_FIELDS:
            raise InputError(f"{name}, line {lineno}: Matrix Market field {field!r} is not "
                             "supported; word counts must be integer, real or pattern")
        if symmetry != "general":
            raise InputError(f"{name}, line {lineno}: Matrix Market symmetry {symmetry!r} is "
                             "not supported, only 'general' (documents × words)")
        (self.n_docs, self.n_words, self.nnz), size_line = _header_ints(
            self.blocks, name, 3, "the size line 'D V NNZ'", usage, b"%")
        _check_size(name, size_line, self.n_words, self.words, self.vocab_name, usage,
                    transposed_hint=True, n_docs=self.n_docs)
        real = _MM_FIELDS[field]
        self.n_fields, self.real, self.comment = 2 if real is None else 3, bool(real), b"%"

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(rows, cols, vals)`` of each block, in file order."""
        if self.fmt == "ldac":
            yield from self._ldac_chunks()
            return
        found = 0
        for first, block in self.blocks.blocks():
            e = entry_block(block, self.n_fields, self.real, self.n_docs, self.n_words)
            if e is None:
                e = _entry_lines(
                    block_lines(first, block), self.name, n_fields=self.n_fields,
                    real=self.real, n_docs=self.n_docs, n_words=self.n_words,
                    words=self.words, vocab_name=self.vocab_name, usage=_USAGE[self.fmt],
                    comment=self.comment)
            found += len(e)
            vals = e[:, 2].astype(np.float64) if self.n_fields == 3 else np.ones(len(e))
            rows = e[:, 0].astype(np.int64) - 1
            if len(rows):  # documents before the last one seen are complete, when sorted
                self.complete = max(self.complete, int(rows[-1]))
            yield rows, e[:, 1].astype(np.int64) - 1, vals
        _check_nnz(self.name, found, self.nnz, "NNZ", self.n_docs)
        self.complete = self.n_docs

    def _ldac_chunks(self):
        V, n_docs = len(self.words), 0
        for first, block in self.blocks.blocks():
            parsed = ldac_block(block, V)
            if parsed is None:
                parsed = _ldac_lines(block_lines(first, block), self.name, self.words,
                                     self.vocab_name)
            docs, rows, cols, vals = parsed
            self.complete = n_docs + docs
            yield rows + n_docs, cols, vals
            n_docs += docs
        self.n_docs = self.complete = n_docs
