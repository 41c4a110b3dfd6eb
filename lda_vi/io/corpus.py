"""Documents → a bag-of-words corpus: a sparse D×V matrix of word counts.

Shapes: D documents (rows), V vocabulary words (columns). ``Corpus.counts[d, v]`` is the
number of times word ``v`` occurs in document ``d``, stored as a float64
``scipy.sparse.csr_matrix`` in canonical form (sorted column indices, no duplicates). A dense
D×V array is never built.

* :func:`read_documents` streams ``(doc_id, text)`` pairs from a file (one document per line),
  a directory (one document per ``.txt`` file) or standard input (``"-"``).
* :func:`build_corpus` tokenizes every document once, counts words, prunes the vocabulary
  (:func:`lda_vi.text.vocabulary.prune`), orders it alphabetically and builds the matrix.
* :func:`vectorize` counts new documents against a fixed vocabulary (for ``transform``).

Every document keeps its row, in input order, even when no word of it is left: such rows are
all zero and counted in ``Corpus.n_empty``.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.text.tokenize import Tokenizer
from lda_vi.text.vocabulary import PruneConfig, Vocabulary, prune

__all__ = ["Corpus", "build_corpus", "read_documents", "vectorize"]

_SNIFF = 8192  # bytes examined for NUL bytes (binary files)
_STDIN = "standard input"


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


# ----------------------------------------------------------------------------- reading


def _check_encoding(encoding: str) -> bool:
    """Validate ``encoding``; return True if it is ASCII-compatible (lines split on b"\\n")."""
    try:
        codecs.lookup(encoding)
        probe = "\n\r az".encode(encoding)
    except (LookupError, TypeError):
        raise InputError(
            f"unknown text encoding {encoding!r}; give a Python codec name such as "
            "utf-8, latin-1, cp1252 or utf-16 (--encoding)"
        ) from None
    return probe == b"\n\r az"


def _decode_error(name: str, where: str, encoding: str, bad: bytes) -> InputError:
    return InputError(
        f"{name}, {where}: bytes that are not valid {encoding} (0x{bad.hex()}); "
        "pass the file's real encoding with --encoding (e.g. --encoding latin-1) "
        "or convert it to UTF-8"
    )


def _decode_failure(name: str, where: str, encoding: str, e: UnicodeError) -> InputError:
    """:func:`_decode_error` for any UnicodeError (a codec may raise one without the bytes)."""
    if isinstance(e, UnicodeDecodeError):
        return _decode_error(name, where, encoding, e.object[e.start : e.end])
    return InputError(
        f"{name}, {where}: not valid {encoding} ({e}); pass the file's real encoding with "
        "--encoding (e.g. --encoding latin-1) or convert it to UTF-8"
    )


def _sniff(head: bytes, name: str, ascii_compatible: bool) -> None:
    """Raise InputError if ``head`` (the first bytes of a stream) shows a binary file."""
    if not ascii_compatible or b"\0" not in head:
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            f"{name} looks like UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "pass --encoding utf-16 or convert it to UTF-8"
        )
    raise InputError(
        f"{name} looks like a binary file (it has NUL bytes in its first 8 KiB); "
        "give plain text, one document per line, or a directory of .txt files"
    )


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _byte_lines(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """Lines (without b"\\n" and a trailing b"\\r") of ``head`` followed by ``stream``."""
    pieces = head.split(b"\n")
    tail = pieces.pop()  # an unfinished line, completed by the stream
    for raw in pieces:
        yield raw[:-1] if raw.endswith(b"\r") else raw
    for raw in stream:
        if tail:
            raw, tail = tail + raw, b""
        if not raw.endswith(b"\n"):
            tail = raw  # the last line, with no newline: the stream is at its end
            break
        raw = raw[:-1]
        yield raw[:-1] if raw.endswith(b"\r") else raw
    if tail:
        yield tail[:-1] if tail.endswith(b"\r") else tail


class _Prepend(io.RawIOBase):
    """A readable raw stream: ``head`` then the rest of ``stream`` (which it never closes)."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)


def _stream_documents(
    stream: BinaryIO, name: str, encoding: str, ascii_compatible: bool
) -> Iterator[tuple[str, str]]:
    """One document per line of a binary stream; doc ids are 1-based line numbers."""
    head = stream.read(_SNIFF)
    if not head:
        what = "standard input" if name == _STDIN else f"file {name}"
        raise InputError(
            f"{what} is empty: no documents; give text with one document per line"
        )
    _sniff(head, name, ascii_compatible)
    if ascii_compatible:
        for lineno, text in decode_lines(_byte_lines(head, stream), name, encoding):
            yield str(lineno), text
        return
    # UTF-16, UTF-32 and other encodings where b"\n" is not a newline: decode as a stream.
    reader = io.TextIOWrapper(
        io.BufferedReader(_Prepend(head, stream)), encoding=encoding, newline="\n"
    )
    lineno = 0
    try:
        for lineno, line in enumerate(reader, 1):
            line = line[:-1] if line.endswith("\n") else line
            line = line[:-1] if line.endswith("\r") else line
            yield str(lineno), (_strip_bom(line) if lineno == 1 else line)
    except UnicodeError as e:
        raise _decode_failure(name, f"after line {lineno}", encoding, e) from None


def _file_documents(path: str, encoding: str, ascii_compatible: bool):
    try:
        with open(path, "rb") as f:
            yield from _stream_documents(f, path, encoding, ascii_compatible)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None


def _stdin_documents(encoding: str, ascii_compatible: bool):
    # Looked up now, so tests (and callers) can replace sys.stdin.
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("no standard input to read documents from; give a file or directory")
    yield from _stream_documents(stream, _STDIN, encoding, ascii_compatible)


def _directory_documents(files: list[Path], encoding: str, ascii_compatible: bool):
    for file in files:
        name = str(file)
        try:
            data = file.read_bytes()
        except OSError as e:
            raise InputError(f"cannot read {name}: {e.strerror or e}") from None
        _sniff(data[:_SNIFF], name, ascii_compatible)
        yield file.name, decode_document(data, name, encoding, ascii_compatible)


def decode_lines(lines: Iterable[bytes], name: str, encoding: str
                 ) -> Iterator[tuple[int, str]]:
    """(line number, text) of byte lines in an ASCII-compatible encoding (BOM removed from
    the first); a bad byte is named by line and byte."""
    for lineno, raw in enumerate(lines, 1):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            where = f"line {lineno}, byte {e.start + 1}"
            raise _decode_error(name, where, encoding, raw[e.start : e.end]) from None
        except UnicodeError as e:
            raise _decode_failure(name, f"line {lineno}", encoding, e) from None
        yield lineno, (_strip_bom(text) if lineno == 1 else text)


def decode_document(data: bytes, name: str, encoding: str, ascii_compatible: bool) -> str:
    """A whole file's bytes as text (BOM removed); a bad byte is named by line and column."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        if ascii_compatible:
            lineno = data.count(b"\n", 0, e.start) + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            where = f"line {lineno}, byte {column}"
        else:
            where = f"byte {e.start + 1}"
        raise _decode_error(name, where, encoding, data[e.start : e.end]) from None
    except UnicodeError as e:
        raise _decode_failure(name, "its text", encoding, e) from None
    return _strip_bom(text)


def read_documents(path: str | os.PathLike, encoding: str = "utf-8") -> Iterator[tuple[str, str]]:
    """Stream ``(doc_id, text)`` pairs from a file, a directory or standard input.

    * ``"-"``: standard input, one document per line; doc ids "1", "2", ... (line numbers).
    * a file: one document per line, doc ids "1", "2", ... Blank lines are (empty) documents,
      so rows stay aligned with input lines; a final newline does not start a document.
      The file is read line by line, never whole.
    * a directory: one document per ``*.txt`` file directly inside it (case-insensitive
      ``.txt``; hidden files and subdirectories are skipped), sorted by file name; doc ids
      are the file names (e.g. "a.txt").

    A UTF-8 byte-order mark at the start of a file or document is dropped; a ``\\r`` before
    a newline too. Problems with the path, the directory and the encoding name are reported
    at once; problems with the contents when the documents are iterated. All are
    :class:`~lda_vi.errors.InputError`: missing path, directory without ``.txt`` files, empty
    file or standard input, binary file (NUL bytes in the first 8 KiB) and bytes that are not
    valid in ``encoding`` (with the file and line).
    """
    ascii_compatible = _check_encoding(encoding)
    if isinstance(path, str) and path == "-":
        return _stdin_documents(encoding, ascii_compatible)
    name = os.fspath(path)
    p = Path(name)
    try:
        is_dir = p.is_dir()
        exists = is_dir or p.exists()
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from None
    if is_dir:
        try:
            files = sorted(
                (
                    f
                    for f in p.iterdir()
                    if f.name.lower().endswith(".txt")
                    and not f.name.startswith(".")
                    and f.is_file()
                ),
                key=lambda f: f.name,
            )
        except OSError as e:
            raise InputError(f"cannot list directory {name}: {e.strerror or e}") from None
        if not files:
            raise InputError(
                f"directory {name} has no .txt files; put one document per .txt file in it, "
                "or give a file with one document per line"
            )
        return _directory_documents(files, encoding, ascii_compatible)
    if not exists:
        raise InputError(
            f"{name} not found; give a text file (one document per line), "
            "a directory of .txt files, or - for standard input"
        )
    if p.is_file():  # regular file: report what can be seen from its start right away
        try:
            with open(name, "rb") as f:
                head = f.read(_SNIFF)
        except OSError as e:
            raise InputError(f"cannot read {name}: {e.strerror or e}") from None
        if not head:
            raise InputError(
                f"file {name} is empty: no documents; give text with one document per line"
            )
        _sniff(head, name, ascii_compatible)
    return _file_documents(name, encoding, ascii_compatible)


# ---------------------------------------------------------------------------- counting


def _csr(
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


def build_corpus(
    docs: Iterable[tuple[str, str]], tokenizer: Tokenizer, prune_config: PruneConfig
) -> Corpus:
    """Tokenize ``(doc_id, text)`` pairs once, prune the vocabulary and count words.

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

    n_docs, n_candidates = len(doc_ids), len(ids)
    if n_docs == 0:
        raise InputError("no documents to build a corpus from; the input has no text")
    if n_candidates == 0:
        raise InputError(
            f"no words left after tokenizing: all {n_docs} documents are empty"
            f"{_tokenizer_settings(tokenizer)}; check the input, or try --no-stopwords "
            "or a lower --min-length"
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
            "lower --min-df or raise --max-df"
        )
    vocab = Vocabulary([alphabetical[i] for i in kept])
    remap = np.full(n_candidates, -1, dtype=np.int64)
    remap[order[kept]] = np.arange(len(kept))
    new_ids = remap[indices_np]
    keep = new_ids >= 0
    rows = np.repeat(np.arange(n_docs), np.frombuffer(row_nnz, dtype=np.int64))
    counts = _csr(
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
    counts = _csr(
        np.frombuffer(data, dtype=np.int64),
        np.frombuffer(indices, dtype=np.int64),
        np.frombuffer(row_nnz, dtype=np.int64),
        len(vocab),
    )
    return counts, doc_ids, n_oov
