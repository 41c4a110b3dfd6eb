"""Count files (lda-c, UCI, Matrix Market) and their vocabulary files, as a count matrix.

The words come from a vocabulary file, one word per line (``--vocab``); when it is not
given, ``vocab.txt`` beside the file (``vocab.NAME.txt`` for ``docword.NAME.txt``) is used.
Doc ids are the document numbers 1, 2, ... The lines themselves are parsed by
:mod:`lda_vi.io.count_parsers`.

Shapes: D documents (rows), V words (columns).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.count_blocks import LineBlocks
from lda_vi.io.count_parsers import CountParser
from lda_vi.io.decode import (
    DECOMPRESS_ERRORS,
    SNIFF_BYTES,
    check_encoding,
    check_head,
    decode_document,
    guard,
    open_input,
    read_failure,
    text_lines,
)
from lda_vi.io.detect import (
    COMPRESSED_SUFFIXES,
    COUNT_FORMATS,
    check_path,
    display_name,
    resolve_format,
)

__all__ = ["CountMatrix", "coo_to_csr", "find_vocab", "iter_count_chunks", "merge_duplicates",
           "open_count_file", "read_count_matrix", "read_vocab"]


# ------------------------------------------------------------------- count formats


@dataclass
class CountMatrix:
    """Counts read from an lda-c, UCI or Matrix Market file, before pruning.

    Attributes:
        counts: D×V canonical float64 CSR matrix; column ``v`` is ``words[v]``.
        doc_ids: the D document ids ("1", "2", ...).
        words: the V distinct words of the vocabulary file (columns of repeated words are
            merged into the first one's).
    """

    counts: sp.csr_matrix
    doc_ids: list[str]
    words: list[str]


def find_vocab(path: str, fmt: str) -> str:
    if path != "-":
        p = Path(path)
        candidates = []
        base = p.name
        for ext in COMPRESSED_SUFFIXES:
            if base.lower().endswith(ext):
                base = base[: -len(ext)]
        if fmt == "uci" and base.lower().startswith("docword."):
            candidates.append(p.with_name("vocab." + base[len("docword."):]))
        candidates.append(p.with_name("vocab.txt"))
        for c in candidates:
            if c.is_file():
                return str(c)
    one_based = "1" if fmt in ("uci", "mtx") else "0"
    raise InputError(
        f"{fmt} input needs its vocabulary: pass vocab FILE (one word per line; line 1 is "
        f"word id {one_based}); no vocab.txt was found beside {display_name(path)}",
        params=("vocab",),
    )


def read_vocab(path: str | os.PathLike, encoding: str = "utf-8") -> list[str]:
    """The words of a vocabulary file: one per line, in id order, stripped of whitespace.

    Blank lines at the end are ignored; a blank line before a word is an InputError (it would
    shift every later id).
    """
    name = os.fspath(path)
    ascii_compatible = check_encoding(encoding)
    p = Path(name)
    if not p.exists():
        raise InputError(f"vocabulary file {name} not found; check vocab", params=("vocab",))
    if p.is_dir():
        raise InputError(f"vocabulary file {name} is a directory; give a file, one word per line")
    words: list[str] = []
    blank = 0
    with open_input(name) as stream:
        lines = (_whole_lines(stream, name, encoding) if ascii_compatible else
                 guard(text_lines(stream, name, encoding, ascii_compatible, "vocab"), name))
        for lineno, line in lines:
            word = line.strip()
            if not word:
                blank = blank or lineno
                continue
            if blank:
                raise InputError(
                    f"vocabulary file {name}, line {blank}: a blank line before more words; "
                    "every line must hold one word (its line number gives its id)"
                )
            words.append(word)
    if not words:
        raise InputError(f"vocabulary file {name} is empty; it must list one word per line")
    return words


def _whole_lines(stream, name: str, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of a vocabulary file in an ASCII-compatible encoding, decoded
    whole (a vocabulary is small; AP's 10,473 words: 1 ms, against 5 ms line by line through
    three generators), with the checks and messages of :func:`~lda_vi.io.decode.text_lines`."""
    try:
        data = stream.read()
    except DECOMPRESS_ERRORS as e:
        raise read_failure(e, name) from None
    if not data:
        return iter(())
    check_head(data[:SNIFF_BYTES], name, True, "vocab")
    return enumerate(decode_document(data, name, encoding, True).split("\n"), 1)


def merge_duplicates(cols: np.ndarray, words: list[str]) -> tuple[np.ndarray, list[str]]:
    """Map columns of repeated words onto the first occurrence; the unique words."""
    first: dict[str, int] = {}
    for w in words:
        first.setdefault(w, len(first))
    if len(first) == len(words):
        return cols, words
    remap = np.fromiter((first[w] for w in words), dtype=np.int64, count=len(words))
    return remap[cols], list(first)


def coo_to_csr(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    idx = np.int32 if max(shape + (len(vals),)) < np.iinfo(np.int32).max else np.int64
    m = sp.coo_matrix(
        (np.asarray(vals, dtype=np.float64), (rows.astype(idx), cols.astype(idx))), shape=shape
    ).tocsr()
    m.sum_duplicates()
    m.eliminate_zeros()
    m.sort_indices()
    return m


def open_count_file(path: str | os.PathLike, fmt: str | None = None,
                    vocab_path: str | os.PathLike | None = None, *,
                    encoding: str = "utf-8") -> tuple[str, str, str, list[str]]:
    """Check a count file's path and format and read its vocabulary file:
    ``(path, fmt, vocabulary file, words)`` (the words as listed, repeats included)."""
    name = os.fspath(path)
    fmt = resolve_format(name, fmt)
    if fmt not in COUNT_FORMATS:
        raise InputError(
            f"{display_name(name)} is read as {fmt} input, which is text, not counts; count "
            f"formats are {', '.join(COUNT_FORMATS)} (fmt)", params=("fmt",)
        )
    check_encoding(encoding)
    check_path(name, fmt)
    vocab_name = find_vocab(name, fmt) if vocab_path is None else os.fspath(vocab_path)
    return name, fmt, vocab_name, read_vocab(vocab_name, encoding)


def iter_count_chunks(name: str, fmt: str, words: list[str], vocab_name: str,
                      on_header=None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(rows, cols, vals)`` of each block of the count file ``name`` (see
    :class:`~lda_vi.io.count_parsers.CountParser`), read from disk as they are used;
    ``on_header(parser)`` is called once the header is read; the last value it is given
    holds D (``parser.n_docs``) when the iterator is exhausted."""
    shown = display_name(name)
    with open_input(name) as stream:
        try:
            parser = CountParser(LineBlocks(stream, shown, fmt), fmt, shown, words, vocab_name)
            if on_header is not None:
                on_header(parser)
            yield from parser.chunks()
        except DECOMPRESS_ERRORS as e:
            raise read_failure(e, shown) from None


def read_count_matrix(
    path: str | os.PathLike,
    fmt: str | None = None,
    vocab_path: str | os.PathLike | None = None,
    *,
    encoding: str = "utf-8",
) -> CountMatrix:
    """Read an lda-c, UCI or Matrix Market file and its vocabulary, without pruning.

    ``vocab_path`` None looks for ``vocab.txt`` (UCI: ``vocab.NAME.txt``) beside the file.
    ``encoding`` is that of the vocabulary file. Raises InputError with the file and line of
    anything malformed, and for a word id beyond the vocabulary.
    """
    name, fmt, vocab_name, words = open_count_file(path, fmt, vocab_path, encoding=encoding)
    parsers = []
    chunks = list(iter_count_chunks(name, fmt, words, vocab_name, parsers.append))
    n_docs = parsers[-1].n_docs
    if chunks:
        rows, cols, vals = (np.concatenate(parts) for parts in zip(*chunks, strict=True))
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
        vals = np.zeros(0)
    cols, unique = merge_duplicates(cols, words)
    counts = coo_to_csr(rows, cols, vals, (n_docs, len(unique)))
    return CountMatrix(counts=counts, doc_ids=[str(i) for i in range(1, n_docs + 1)],
                       words=unique)
