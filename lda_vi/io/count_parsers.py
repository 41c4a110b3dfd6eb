"""Parsers of the count formats' lines into (rows, cols, vals) triples.

* ``ldac``: lda-c: per document a line ``N id:count id:count ...`` with N pairs and 0-based
  word ids;
* ``uci``: UCI bag of words: three header lines D, W, NNZ, then ``docID wordID count``
  lines with 1-based ids;
* ``mtx``: Matrix Market coordinate: ``%%MatrixMarket matrix coordinate
  integer|real|pattern general``, a size line ``D V NNZ``, then ``doc word [count]`` lines
  with 1-based ids (rows are documents, columns words).

Each parser takes ``(line number, bytes)`` pairs and returns ``(rows, cols, vals, D)``:
0-based int64 row and column indices and float64 counts of every entry. Anything malformed
is an InputError naming the file and line.
"""

from __future__ import annotations

import re
import warnings
from array import array

import numpy as np

from lda_vi.errors import InputError
from lda_vi.io.detect import DESCRIPTION

__all__ = ["parse_ldac", "parse_mtx", "parse_uci"]


_CHUNK_LINES = 1 << 16  # lines parsed at once by numpy (UCI, Matrix Market)
_INT = re.compile(rb"[+-]?[0-9]+")
_FLOAT = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)", re.I
)


_MAX_DIGITS = 18  # longer numbers are refused (ids and counts fit in an int64)
_MAX_DIM = 2**31 - 1  # documents or words in a count file's header


def _beyond(name: str, lineno: int, word: int, words: list[str], vocab_name: str,
            one_based: bool) -> InputError:
    lo, hi = (1, len(words)) if one_based else (0, len(words) - 1)
    return InputError(
        f"{name}, line {lineno}: word id {word} is beyond the vocabulary ({vocab_name} has "
        f"{len(words)} words, ids {lo} to {hi}); give the vocabulary file that goes with "
        f"{name} (--vocab)"
    )


def _empty_counts(name: str, fmt: str) -> InputError:
    return InputError(f"file {name} is empty: no documents; give {DESCRIPTION[fmt]}")


def parse_ldac(lines, name: str, words: list[str], vocab_name: str):
    V = len(words)
    rows, cols, vals = array("q"), array("q"), array("d")
    doc = 0
    seen = False
    usage = "each lda-c line is 'N id:count id:count ...' with N pairs and 0-based word ids"

    def bad(lineno: int, problem: str) -> InputError:
        return InputError(f"{name}, line {lineno}: {problem}; {usage}")

    for lineno, raw in lines:
        seen = True
        parts = raw.split()
        if not parts:
            continue
        n_tok, pairs = parts[0], parts[1:]
        values = b" ".join(pairs).replace(b":", b" ").split()
        fast = (
            n_tok.isdigit()
            and len(n_tok) <= _MAX_DIGITS
            and int(n_tok) == len(pairs)
            and len(n_tok) <= _MAX_DIGITS
            and int(n_tok) == len(pairs)
            and all(p.count(b":") == 1 for p in pairs)
            and len(values) == 2 * len(pairs)
            and all(v.isdigit() and len(v) <= _MAX_DIGITS for v in values)
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
        # slow path: say exactly what is wrong
        if not n_tok.isdigit() or len(n_tok) > _MAX_DIGITS:
            raise bad(lineno, f"the first field {_show(n_tok)} is not a number of pairs")
        for pair in pairs:
            w, sep, c = pair.partition(b":")
            if not (sep and w.isdigit() and c.isdigit()) or max(len(w), len(c)) > _MAX_DIGITS:
                raise bad(lineno, f"{_show(pair)} is not a pair id:count of whole numbers")
        raise bad(lineno, f"it starts with N = {int(n_tok)} but has {len(pairs)} pairs")
    if not seen:
        raise _empty_counts(name, "ldac")
    return (np.frombuffer(rows, dtype=np.int64), np.frombuffer(cols, dtype=np.int64),
            np.frombuffer(vals, dtype=np.float64), doc)


def _show(token: bytes) -> str:
    text = token.decode("utf-8", "replace")
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _header_ints(lines, name: str, n: int, what: str, usage: str, comment: bytes | None
                 ) -> tuple[list[int], int]:
    """The next non-blank (non-comment) line as ``n`` whole numbers; and its line number."""
    for lineno, raw in lines:
        parts = raw.split()
        if not parts or (comment and raw.lstrip().startswith(comment)):
            continue
        if len(parts) != n or not all(p.isdigit() and len(p) <= _MAX_DIGITS for p in parts):
            raise InputError(f"{name}, line {lineno}: expected {what}, got "
                             f"{_show(raw.strip())}; {usage}")
        values = [int(p) for p in parts]
        if max(values[:2]) > _MAX_DIM:
            raise InputError(f"{name}, line {lineno}: {max(values[:2])} documents or words is "
                             f"more than {_MAX_DIM} (the most supported); {usage}")
        return values, lineno
    raise InputError(f"{name} ends before {what}; {usage}")


def _parse_entries(
    lines, name: str, *, n_fields: int, real: bool, n_docs: int, n_words: int,
    words: list[str], vocab_name: str, usage: str, comment: bytes | None,
):
    """The ``doc word [value]`` lines (1-based ids) in chunks parsed by numpy.

    A chunk numpy cannot parse, or with an id out of range, is checked line by line to say
    which line is wrong and why.
    """
    rows, cols, vals = [], [], []
    chunk: list[bytes] = []
    first = 0

    def flush():
        if not chunk:
            return
        entries = _parse_chunk(chunk, n_fields, real, n_docs, n_words, comment)
        if entries is None:
            for i, raw in enumerate(chunk):
                _check_entry(raw, first + i, name, n_fields, real, n_docs, n_words, words,
                             vocab_name, usage, comment)
            raise InputError(
                f"{name}, lines {first} to {first + len(chunk) - 1}: a malformed entry; {usage}"
            )
        rows.append(entries[:, 0].astype(np.int64) - 1)
        cols.append(entries[:, 1].astype(np.int64) - 1)
        vals.append(entries[:, 2].astype(np.float64) if n_fields == 3
                    else np.ones(len(entries)))
        chunk.clear()

    for lineno, raw in lines:
        if not chunk:
            first = lineno
        chunk.append(raw)
        if len(chunk) >= _CHUNK_LINES:
            flush()
    flush()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


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
        if not _INT.fullmatch(p) or len(p) > _MAX_DIGITS + 1:
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
        f"{len(words)}{hint}; give the vocabulary file that goes with {name} (--vocab)"
    )


def parse_uci(lines, name: str, words: list[str], vocab_name: str):
    usage = ("a UCI bag-of-words file has three header lines D, W and NNZ, then one "
             "'docID wordID count' line per entry with 1-based ids")
    lines = iter(lines)
    peeked = next(lines, None)
    if peeked is None:
        raise _empty_counts(name, "uci")
    lines = _chain(peeked, lines)
    (n_docs,), _ = _header_ints(lines, name, 1, "the number of documents D alone on a line",
                                usage, None)
    (n_words,), w_line = _header_ints(lines, name, 1, "the number of words W alone on a line",
                                      usage, None)
    (nnz,), _ = _header_ints(lines, name, 1, "the number of entries NNZ alone on a line",
                             usage, None)
    _check_size(name, w_line, n_words, words, vocab_name, usage)
    rows, cols, vals = _parse_entries(
        lines, name, n_fields=3, real=False, n_docs=n_docs, n_words=n_words, words=words,
        vocab_name=vocab_name, usage=usage, comment=None)
    _check_nnz(name, len(vals), nnz, "NNZ", n_docs)
    return rows, cols, vals, n_docs


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


def _chain(first, rest):
    yield first
    yield from rest


_MM_FIELDS = {"integer": False, "real": True, "double": True, "pattern": None}


def parse_mtx(lines, name: str, words: list[str], vocab_name: str):
    usage = ("a Matrix Market file starts '%%MatrixMarket matrix coordinate integer general', "
             "then a line 'D V NNZ', then one 'doc word count' line per entry with 1-based ids")
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        raise _empty_counts(name, "mtx")
    lineno, banner = first
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
            f"{name}, line {lineno}: Matrix Market layout {layout!r} is not supported, only "
            "'coordinate' (sparse; e.g. scipy.io.mmwrite of a scipy.sparse matrix)"
        )
    if field not in _MM_FIELDS:
        raise InputError(f"{name}, line {lineno}: Matrix Market field {field!r} is not "
                         "supported; word counts must be integer, real or pattern")
    if symmetry != "general":
        raise InputError(f"{name}, line {lineno}: Matrix Market symmetry {symmetry!r} is not "
                         "supported, only 'general' (documents × words)")
    (n_docs, n_words, nnz), size_line = _header_ints(
        lines, name, 3, "the size line 'D V NNZ'", usage, b"%")
    _check_size(name, size_line, n_words, words, vocab_name, usage, transposed_hint=True,
                n_docs=n_docs)
    real = _MM_FIELDS[field]
    rows, cols, vals = _parse_entries(
        lines, name, n_fields=2 if real is None else 3, real=bool(real), n_docs=n_docs,
        n_words=n_words, words=words, vocab_name=vocab_name, usage=usage, comment=b"%")
    _check_nnz(name, len(vals), nnz, "NNZ", n_docs)
    return rows, cols, vals, n_docs

