"""Input formats: text-like files become ``(doc_id, text)`` pairs, count files a Corpus.

Formats (``fmt``), chosen from the file name by :func:`detect_format` unless given:

* text-like, read as ``(doc_id, text)`` pairs by :func:`iter_documents` and tokenized by
  :func:`lda_vi.io.corpus.build_corpus`:

  - ``text``: one document per line (``.txt`` and any unknown extension; ``-`` is standard
    input); doc ids are line numbers;
  - ``dir``: a directory tree, one document per file matching ``glob`` (default
    ``**/*.txt``; hidden files and directories are skipped); doc ids are the paths relative
    to the directory, sorted;
  - ``csv`` / ``tsv``: a header row, then one document per record (quoted fields may hold
    newlines); the text is in column ``text_column`` (default ``text``), the id in
    ``id_column`` (default: the record number 1, 2, ...);
  - ``jsonl``: one JSON object per line (``.jsonl``, ``.ndjson``, ``.json``); the text is
    field ``text_field`` (default ``text``), the id field ``id_field`` (default: the record
    number); blank lines are skipped.

* counted, read by :func:`read_counts` straight into a :class:`~lda_vi.io.corpus.Corpus` (no
  tokenizing; the vocabulary is pruned with :func:`lda_vi.text.vocabulary.prune` like text's):

  - ``ldac``: lda-c (``.dat``, ``.ldac``): per document a line ``N id:count id:count ...``
    with N pairs and 0-based word ids;
  - ``uci``: UCI bag of words (``docword.NAME.txt``): three header lines D, W, NNZ, then
    ``docID wordID count`` lines with 1-based ids;
  - ``mtx``: Matrix Market coordinate (``.mtx``, ``.mm``): ``%%MatrixMarket matrix
    coordinate integer|real|pattern general``, a size line ``D V NNZ``, then ``doc word
    [count]`` lines with 1-based ids (rows are documents, columns words).

  The words come from a vocabulary file, one word per line (``--vocab``); when it is not
  given, ``vocab.txt`` beside the file (``vocab.NAME.txt`` for ``docword.NAME.txt``) is used.
  Doc ids are the document numbers 1, 2, ...

Every format may be compressed with gzip, bzip2 or xz (recognized by its first bytes; the
extension ``.gz``/``.bz2``/``.xz`` is ignored when detecting the format). ``encoding``
applies to every text read (documents, CSV, JSON Lines, vocabulary files). Files are
streamed line by line (or record by record), never read whole; only a ``dir`` document, a
file, is read at once.

Every problem a user can cause is an :class:`~lda_vi.errors.InputError` with one line saying
what is wrong, where (file and line) and how to fix it.

Shapes: D documents (rows), V words (columns) of the count matrices.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import io
import json
import lzma
import os
import re
import sys
import warnings
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.atomic import atomic_open
from lda_vi.io.corpus import (
    _SNIFF,
    Corpus,
    _check_encoding,
    _decode_failure,
    _Prepend,
    _sniff,
    _stream_documents,
    _strip_bom,
    build_corpus,
    decode_document,
    decode_lines,
    vectorize,
)
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary, prune

__all__ = [
    "COUNT_FORMATS",
    "FORMATS",
    "TEXT_FORMATS",
    "CountMatrix",
    "detect_format",
    "iter_documents",
    "load_corpus",
    "read_count_matrix",
    "read_counts",
    "read_vocab",
    "vectorize_input",
    "write_ldac",
    "write_mtx",
]

TEXT_FORMATS = ("text", "dir", "csv", "tsv", "jsonl")
COUNT_FORMATS = ("ldac", "uci", "mtx")
FORMATS = TEXT_FORMATS + COUNT_FORMATS

DEFAULT_GLOB = "**/*.txt"

_DESCRIPTION = {
    "text": "text with one document per line",
    "dir": "a directory of text files",
    "csv": "a CSV file with a header row",
    "tsv": "a tab-separated file with a header row",
    "jsonl": "JSON Lines (one JSON object per line)",
    "ldac": "an lda-c file ('N id:count ...' per line)",
    "uci": "a UCI bag-of-words file (D, W, NNZ, then 'docID wordID count' lines)",
    "mtx": "a Matrix Market coordinate file",
    "vocab": "a vocabulary file (one word per line)",
}
_EXTENSIONS = {
    ".txt": "text", ".text": "text",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".dat": "ldac", ".ldac": "ldac", ".lda-c": "ldac",
    ".mtx": "mtx", ".mm": "mtx",
}
_COMPRESSED = (".gz", ".bz2", ".xz")
_CSV_FIELD_LIMIT = 1 << 28  # characters in one CSV field (the csv module's default is 128 Ki)
_CHUNK_LINES = 1 << 16  # lines parsed at once by numpy (UCI, Matrix Market)
_INT = re.compile(rb"[+-]?[0-9]+")
_FLOAT = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)", re.I
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_DIGITS = 18  # longer numbers are refused (ids and counts fit in an int64)
_MAX_DIM = 2**31 - 1  # documents or words in a count file's header


# ----------------------------------------------------------------------------- formats


def detect_format(path: str | os.PathLike) -> str:
    """The format of ``path`` from its name: see the module doc. Unknown names are ``text``.

    ``-`` (standard input) is ``text``, a directory ``dir``; ``.gz``, ``.bz2`` and ``.xz`` are
    stripped first, so ``docs.csv.gz`` is ``csv``; ``docword.*`` is ``uci``.
    """
    name = os.fspath(path)
    if name == "-":
        return "text"
    with contextlib.suppress(OSError):
        if Path(name).is_dir():
            return "dir"
    base = Path(name).name.lower()
    for ext in _COMPRESSED:
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    if base.startswith("docword."):
        return "uci"
    return _EXTENSIONS.get(Path(base).suffix, "text")


def _resolve_format(path: str, fmt: str | None) -> str:
    if fmt is None:
        return detect_format(path)
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise InputError(
            f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)} (--format), "
            "or leave it out to guess it from the file name"
        )
    return fmt.lower()


_OPTION_FORMATS = {
    "text_column": ("--text-column", ("csv", "tsv")),
    "id_column": ("--id-column", ("csv", "tsv")),
    "text_field": ("--text-field", ("jsonl",)),
    "id_field": ("--id-field", ("jsonl",)),
    "glob": ("--glob", ("dir",)),
    "vocab": ("--vocab", COUNT_FORMATS),
}


def _check_options(path: str, fmt: str, given: dict) -> None:
    """Refuse reader options that the format does not use (they would be silently ignored)."""
    for key, value in given.items():
        flag, formats = _OPTION_FORMATS[key]
        if value is not None and fmt not in formats:
            either = formats[0] if len(formats) == 1 else (
                f"{', '.join(formats[:-1])} or {formats[-1]}")
            raise InputError(
                f"{flag} applies to {either} input only, but {path} is read as "
                f"{fmt}; drop {flag}, or pass --format if the format was guessed wrong"
            )


def _check_path(path: str, fmt: str) -> None:
    """Report a missing path, or a directory where a file is needed (and vice versa)."""
    if path == "-":
        if fmt == "dir":
            raise InputError("--format dir needs a directory, not - (standard input)")
        return
    p = Path(path)
    try:
        is_dir, exists = p.is_dir(), p.exists()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    if not exists:
        hint = (
            "give a text file (one document per line), a directory of .txt files, a CSV, "
            "JSON Lines, lda-c, UCI or Matrix Market file, or - for standard input"
        )
        raise InputError(f"{path} not found; check the path, or {hint}")
    if fmt == "dir" and not is_dir:
        raise InputError(
            f"{path} is a file, not a directory; --format dir reads a directory of text files "
            "(leave out --format to read the file by its extension)"
        )
    if fmt != "dir" and is_dir:
        raise InputError(
            f"{path} is a directory; read it with --format dir (one document per file), "
            f"or give a {fmt} file"
        )


# ------------------------------------------------------------------------- opening

# (magic bytes, opener, name) of the compressed formats read transparently
_MAGIC = (
    (b"\x1f\x8b", gzip.GzipFile, "gzip"),
    (b"\xfd7zXZ\x00", lzma.LZMAFile, "xz"),
)
_DECOMPRESS_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)


def _is_bzip2(head: bytes) -> bool:
    return (
        len(head) >= 4
        and head.startswith(b"BZh")
        and head[3:4] in b"123456789"
        and (len(head) < 10 or head[4:10] in (b"1AY&SY", b"\x17\x72\x45\x38\x50\x90"))
    )


@contextlib.contextmanager
def _open_input(path: str) -> Iterator[BinaryIO]:
    """The bytes of ``path`` (``-``: standard input), decompressed when compressed."""
    if path == "-":
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:
            raise InputError("no standard input to read from; give a file")
        owned = False
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 (closed below)
        except IsADirectoryError:
            raise InputError(f"{path} is a directory; give a file, or use --format dir") from None
        except OSError as e:
            raise InputError(f"cannot read {path}: {e.strerror or e}") from None
        owned = True
    try:
        head = b""
        if hasattr(raw, "peek"):
            with contextlib.suppress(OSError, ValueError):
                head = raw.peek(10)[:10]
        stream = raw
        if head.startswith(b"PK\x03\x04"):
            raise InputError(
                f"{_display(path)} is a zip archive; unzip it first "
                "(gzip, bzip2 and xz files are read directly)"
            )
        if _is_bzip2(head):
            stream = bz2.BZ2File(raw)
        else:
            for magic, opener, _ in _MAGIC:
                if head.startswith(magic):
                    stream = opener(fileobj=raw) if opener is gzip.GzipFile else opener(raw)
                    break
        yield stream
    finally:
        if owned:
            raw.close()


def _display(path: str) -> str:
    return "standard input" if path == "-" else path


def _guard(items: Iterator, name: str) -> Iterator:
    """Re-raise read and decompression errors while iterating as one-line InputErrors."""
    try:
        yield from items
    except _DECOMPRESS_ERRORS as e:
        if isinstance(e, OSError) and e.strerror:
            raise InputError(f"cannot read {name}: {e.strerror}") from None
        raise InputError(
            f"cannot read {name}: {e}; the compressed file looks damaged or truncated, "
            "check it with gzip -t / bzip2 -t / xz -t"
        ) from None


def _check_head(head: bytes, name: str, ascii_compatible: bool, fmt: str) -> None:
    """Raise InputError if the first bytes of a ``fmt`` input show a binary file."""
    if not ascii_compatible or b"\0" not in head:
        return
    if fmt == "text":
        _sniff(head, name, ascii_compatible)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{name} looks like UTF-16 text (it starts with a UTF-16 byte-order mark); "
            "pass --encoding utf-16 or convert it to UTF-8"
        )
    raise InputError(
        f"{name} looks like a binary file (it has NUL bytes in its first 8 KiB), not "
        f"{_DESCRIPTION[fmt]}; check the path and --format"
    )


def _text_lines(
    stream: BinaryIO, name: str, encoding: str, ascii_compatible: bool, fmt: str
) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a text stream, line endings kept, decoded strictly.

    A byte-order mark at the start is dropped. Yields nothing for an empty stream.
    """
    head = stream.read(_SNIFF)
    if not head:
        return
    _check_head(head, name, ascii_compatible, fmt)
    buffered = io.BufferedReader(_Prepend(head, stream))
    if ascii_compatible:
        yield from decode_lines(buffered, name, encoding)
        return
    reader = io.TextIOWrapper(buffered, encoding=encoding, newline="")
    lineno = 0
    try:
        for lineno, line in enumerate(reader, 1):
            yield lineno, (_strip_bom(line) if lineno == 1 else line)
    except UnicodeError as e:
        raise _decode_failure(name, f"after line {lineno}", encoding, e) from None


def _byte_lines(stream: BinaryIO, name: str, fmt: str) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of a byte stream, without line endings (count formats)."""
    head = stream.read(_SNIFF)
    if not head:
        return
    _check_head(head, name, True, fmt)
    for lineno, raw in enumerate(io.BufferedReader(_Prepend(head, stream)), 1):
        yield lineno, raw.rstrip(b"\r\n")


# ---------------------------------------------------------------- text-like formats


def iter_documents(
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    encoding: str = "utf-8",
    text_column: str | None = None,
    id_column: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    glob: str | None = None,
    vocab: str | os.PathLike | None = None,
    needed_by: str = "this",
) -> Iterator[tuple[str, str]]:
    """Stream ``(doc_id, text)`` pairs of a text-like input (see the module doc).

    ``fmt`` None guesses the format from the name (:func:`detect_format`). Options that do not
    apply to the format (e.g. ``text_column`` for ``jsonl``) are refused, ``None`` meaning "not
    given". Problems with the path, the format and the options are reported at once; problems
    with the contents while iterating. Count formats (ldac, uci, mtx) have no text: they raise
    InputError here (use :func:`read_counts` or :func:`load_corpus`), naming ``needed_by``
    (e.g. "--holdout") as what needs text.
    """
    name = os.fspath(path)
    fmt = _resolve_format(name, fmt)
    if fmt in COUNT_FORMATS:
        raise InputError(
            f"{_display(name)} is read as {fmt} input: word counts, not text; {needed_by} needs "
            f"documents as text ({', '.join(TEXT_FORMATS)}), or pass --format if the format "
            "was guessed wrong"
        )
    _check_options(
        name, fmt,
        {"text_column": text_column, "id_column": id_column, "text_field": text_field,
         "id_field": id_field, "glob": glob, "vocab": vocab},
    )
    ascii_compatible = _check_encoding(encoding)
    _check_path(name, fmt)
    if fmt == "dir":
        files = _glob_files(name, DEFAULT_GLOB if glob is None else glob)
        return _guard(_dir_documents(files, encoding, ascii_compatible), name)
    if fmt == "text":
        return _guard(_text_documents(name, encoding, ascii_compatible), _display(name))
    if fmt in ("csv", "tsv"):
        docs = _csv_documents(
            name, fmt, encoding, ascii_compatible,
            "text" if text_column is None else text_column, id_column,
        )
        return _guard(docs, _display(name))
    docs = _jsonl_documents(
        name, encoding, ascii_compatible, "text" if text_field is None else text_field,
        id_field,
    )
    return _guard(docs, _display(name))


def _text_documents(path: str, encoding: str, ascii_compatible: bool):
    with _open_input(path) as stream:
        yield from _stream_documents(stream, _display(path), encoding, ascii_compatible)


def _glob_files(root: str, pattern: str) -> list[tuple[str, Path]]:
    """``(relative path, path)`` of the visible regular files under ``root`` matching."""
    base = Path(root)
    try:
        matches = list(base.glob(pattern))
    except (ValueError, NotImplementedError) as e:
        raise InputError(
            f"--glob {pattern!r} is not a usable pattern ({e}); give one relative to the "
            "directory, e.g. '**/*.txt' or '*.md'"
        ) from None
    except OSError as e:
        raise InputError(f"cannot list directory {root}: {e.strerror or e}") from None
    files = []
    for f in matches:
        rel = f.relative_to(base)
        if any(part.startswith(".") for part in rel.parts):
            continue
        with contextlib.suppress(OSError):
            if f.is_file():
                files.append((rel.as_posix(), f))
    if not files:
        raise InputError(
            f"directory {root} has no files matching {pattern!r}; put one document per "
            f"file in it, or choose the files with --glob (e.g. --glob '**/*.md')"
        )
    files.sort(key=lambda item: item[0])
    return files


def _dir_documents(files, encoding: str, ascii_compatible: bool):
    for doc_id, file in files:
        name = str(file)
        with _open_input(name) as stream:
            try:
                data = stream.read()
            except _DECOMPRESS_ERRORS as e:
                raise InputError(f"cannot read {name}: {getattr(e, 'strerror', None) or e}") \
                    from None
        _check_head(data[:_SNIFF], name, ascii_compatible, "text")
        yield doc_id, decode_document(data, name, encoding, ascii_compatible)


def _column_list(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:20])
    return shown + (f", ... ({len(names)} columns)" if len(names) > 20 else "")


def _find_column(header: list[str], wanted: str) -> int | None:
    if wanted in header:
        return header.index(wanted)
    stripped = [h.strip() for h in header]
    return stripped.index(wanted.strip()) if wanted.strip() in stripped else None


def _csv_documents(
    path: str, fmt: str, encoding: str, ascii_compatible: bool, text_column: str,
    id_column: str | None,
):
    name = _display(path)
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    delimiter = "\t" if fmt == "tsv" else ","
    kind = "TSV" if fmt == "tsv" else "CSV"
    with _open_input(path) as stream:
        lines = (line for _, line in _text_lines(stream, name, encoding, ascii_compatible, fmt))
        reader = csv.reader(lines, delimiter=delimiter)

        def records():
            try:
                yield from reader
            except csv.Error as e:
                raise InputError(
                    f"{name}, line {reader.line_num}: not valid {kind} ({e}); check the "
                    "quoting of that record"
                ) from None

        rows = records()
        header = next(rows, None)
        while header == []:  # blank lines before the header
            header = next(rows, None)
        if header is None:
            raise InputError(
                f"{kind} file {name} is empty: no header row; its first line must name the "
                f"columns, one of them {text_column!r} (--text-column)"
            )
        text_index = _find_column(header, text_column)
        if text_index is None:
            hint = ""
            if len(header) == 1 and any(c in header[0] for c in ",;\t|"):
                hint = (" (one column only: is the file separated by something else? "
                        "tab-separated files need --format tsv)")
            raise InputError(
                f"{name} has no column {text_column!r}; its columns are "
                f"{_column_list(header)}{hint}; name the text column with --text-column"
            )
        id_index = None
        if id_column is not None:
            id_index = _find_column(header, id_column)
            if id_index is None:
                raise InputError(
                    f"{name} has no column {id_column!r} for the ids; its columns are "
                    f"{_column_list(header)}; fix --id-column or leave it out to number "
                    "the records"
                )
        needed = max(text_index, -1 if id_index is None else id_index) + 1
        record = 0
        for row in rows:
            if not row:
                continue  # a blank line
            if len(row) < needed:
                raise InputError(
                    f"{name}, line {reader.line_num}: the record has {len(row)} field"
                    f"{'' if len(row) == 1 else 's'} but the header has {len(header)}, so "
                    f"column {header[needed - 1]!r} is missing; check the separators and "
                    "quotes of that record"
                )
            record += 1
            doc_id = str(record) if id_index is None else row[id_index]
            yield doc_id, row[text_index]


def _json_problem(name: str, lineno: int, problem: str) -> InputError:
    return InputError(
        f"{name}, line {lineno}: {problem}; JSON Lines input has one JSON object per line, "
        'like {"id": "a1", "text": "..."}'
    )


def _jsonl_documents(
    path: str, encoding: str, ascii_compatible: bool, text_field: str, id_field: str | None
):
    name = _display(path)
    record = 0
    seen_line = False
    with _open_input(path) as stream:
        for lineno, line in _text_lines(stream, name, encoding, ascii_compatible, "jsonl"):
            seen_line = True
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                hint = ""
                if lineno == 1 and line.lstrip().startswith("["):
                    hint = " (a JSON array is not JSON Lines: write one object per line)"
                raise _json_problem(
                    name, lineno, f"not valid JSON ({e.msg} at column {e.colno}){hint}"
                ) from None
            except RecursionError:
                raise _json_problem(name, lineno, "JSON nested too deeply") from None
            if not isinstance(obj, dict):
                raise _json_problem(
                    name, lineno, f"a JSON {_json_type(obj)}, not an object"
                )
            if text_field not in obj:
                fields = ", ".join(repr(k) for k in list(obj)[:20]) or "none"
                raise InputError(
                    f"{name}, line {lineno}: no field {text_field!r} (its fields: {fields}); "
                    "name the text field with --text-field"
                )
            text = obj[text_field]
            if text is None:
                text = ""
            elif not isinstance(text, str):
                raise InputError(
                    f"{name}, line {lineno}: field {text_field!r} is a JSON "
                    f"{_json_type(text)}, not a string; the text field must hold the "
                    "document's text (--text-field)"
                )
            record += 1
            if id_field is None:
                doc_id = str(record)
            else:
                if id_field not in obj or obj[id_field] is None:
                    raise InputError(
                        f"{name}, line {lineno}: no field {id_field!r} for the id; fix "
                        "--id-field or leave it out to number the records"
                    )
                value = obj[id_field]
                if isinstance(value, (dict, list)):
                    raise InputError(
                        f"{name}, line {lineno}: field {id_field!r} is a JSON "
                        f"{_json_type(value)}; an id must be a string or a number"
                    )
                doc_id = value if isinstance(value, str) else json.dumps(value)
            for what, s in (("text", text), ("id", doc_id)):
                if "\\u" in line and _SURROGATE.search(s):
                    raise _json_problem(
                        name, lineno, f"the {what} has an unpaired surrogate escape "
                        "(\\ud800-\\udfff), which is not text"
                    )
            yield doc_id, text
    if not seen_line:
        raise InputError(
            f"JSON Lines file {name} is empty: no documents; give one JSON object per line"
        )


def _json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            type(None): "null"}.get(type(value), "number")


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


def _find_vocab(path: str, fmt: str) -> str:
    if path != "-":
        p = Path(path)
        candidates = []
        base = p.name
        for ext in _COMPRESSED:
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
        f"{fmt} input needs its vocabulary: pass --vocab FILE (one word per line; line 1 is "
        f"word id {one_based}); no vocab.txt was found beside {_display(path)}"
    )


def read_vocab(path: str | os.PathLike, encoding: str = "utf-8") -> list[str]:
    """The words of a vocabulary file: one per line, in id order, stripped of whitespace.

    Blank lines at the end are ignored; a blank line before a word is an InputError (it would
    shift every later id).
    """
    name = os.fspath(path)
    ascii_compatible = _check_encoding(encoding)
    p = Path(name)
    if not p.exists():
        raise InputError(f"vocabulary file {name} not found; check --vocab")
    if p.is_dir():
        raise InputError(f"vocabulary file {name} is a directory; give a file, one word per line")
    words: list[str] = []
    blank = 0
    with _open_input(name) as stream:
        lines = _guard(_text_lines(stream, name, encoding, ascii_compatible, "vocab"), name)
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


def _merge_duplicates(cols: np.ndarray, words: list[str]) -> tuple[np.ndarray, list[str]]:
    """Map columns of repeated words onto the first occurrence; the unique words."""
    first: dict[str, int] = {}
    for w in words:
        first.setdefault(w, len(first))
    if len(first) == len(words):
        return cols, words
    remap = np.fromiter((first[w] for w in words), dtype=np.int64, count=len(words))
    return remap[cols], list(first)


def _coo_to_csr(
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
    name = os.fspath(path)
    fmt = _resolve_format(name, fmt)
    if fmt not in COUNT_FORMATS:
        raise InputError(
            f"{_display(name)} is read as {fmt} input, which is text, not counts; count "
            f"formats are {', '.join(COUNT_FORMATS)} (--format)"
        )
    _check_encoding(encoding)
    _check_path(name, fmt)
    vocab_name = _find_vocab(name, fmt) if vocab_path is None else os.fspath(vocab_path)
    words = read_vocab(vocab_name, encoding)
    parse = {"ldac": _parse_ldac, "uci": _parse_uci, "mtx": _parse_mtx}[fmt]
    with _open_input(name) as stream:
        lines = _guard(_byte_lines(stream, _display(name), fmt), _display(name))
        rows, cols, vals, n_docs = parse(lines, _display(name), words, vocab_name)
    cols, unique = _merge_duplicates(cols, words)
    counts = _coo_to_csr(rows, cols, vals, (n_docs, len(unique)))
    return CountMatrix(counts=counts, doc_ids=[str(i) for i in range(1, n_docs + 1)],
                       words=unique)


def _beyond(name: str, lineno: int, word: int, words: list[str], vocab_name: str,
            one_based: bool) -> InputError:
    lo, hi = (1, len(words)) if one_based else (0, len(words) - 1)
    return InputError(
        f"{name}, line {lineno}: word id {word} is beyond the vocabulary ({vocab_name} has "
        f"{len(words)} words, ids {lo} to {hi}); give the vocabulary file that goes with "
        f"{name} (--vocab)"
    )


def _empty_counts(name: str, fmt: str) -> InputError:
    return InputError(f"file {name} is empty: no documents; give {_DESCRIPTION[fmt]}")


def _parse_ldac(lines, name: str, words: list[str], vocab_name: str):
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


def _parse_uci(lines, name: str, words: list[str], vocab_name: str):
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


def _parse_mtx(lines, name: str, words: list[str], vocab_name: str):
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


def _prune_counts(matrix: CountMatrix, prune_config: PruneConfig, name: str) -> Corpus:
    X, words = matrix.counts, matrix.words
    n_docs = X.shape[0]
    if n_docs == 0:
        raise InputError(f"{name} has no documents (D = 0); nothing to fit")
    if X.nnz == 0:
        raise InputError(f"{name} has no word counts: all {n_docs} documents are empty")
    doc_freq = np.bincount(X.indices, minlength=X.shape[1])
    term_freq = np.asarray(X.sum(axis=0)).ravel()
    kept = prune(doc_freq, term_freq, n_docs, prune_config, words=words)
    if len(kept) == 0:
        raise InputError(
            f"pruning removed every word ({prune_config.describe(n_docs)}) from "
            f"{int(np.count_nonzero(doc_freq))} words used in {n_docs} documents; "
            "lower --min-df or raise --max-df"
        )
    counts = X[:, kept].tocsr()
    counts.sort_indices()
    counts.has_canonical_format = True
    n_empty = int(np.count_nonzero(np.diff(counts.indptr) == 0))
    return Corpus(counts=counts, doc_ids=list(matrix.doc_ids),
                  vocab=Vocabulary([words[i] for i in kept]), n_empty=n_empty)


def read_counts(
    path: str | os.PathLike,
    fmt: str | None = None,
    vocab_path: str | os.PathLike | None = None,
    prune_config: PruneConfig | None = None,
    *,
    encoding: str = "utf-8",
) -> Corpus:
    """An lda-c, UCI or Matrix Market file as a Corpus, its vocabulary pruned.

    The text pipeline is skipped (the words are already counted), but ``prune_config``
    (min_df, max_df, max_vocab; default ``PruneConfig()``) applies as to text. Kept words
    keep the order of the vocabulary file; every document keeps its row (all zero when no
    word of it is left, counted in ``n_empty``).
    """
    matrix = read_count_matrix(path, fmt, vocab_path, encoding=encoding)
    return _prune_counts(matrix, prune_config or PruneConfig(), _display(os.fspath(path)))


# ------------------------------------------------------------------------ entries


def load_corpus(
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    encoding: str = "utf-8",
    tokenizer: Tokenizer | TokenizerConfig | None = None,
    prune_config: PruneConfig | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    glob: str | None = None,
    vocab: str | os.PathLike | None = None,
) -> Corpus:
    """Read any input format into a Corpus: the one entry the CLI calls.

    Text-like formats go through :func:`iter_documents` and
    :func:`~lda_vi.io.corpus.build_corpus` (``tokenizer``, default ``Tokenizer()``); count
    formats through :func:`read_counts` (``vocab``: the vocabulary file). Options that do
    not apply to the format are refused (None means "not given").
    """
    name = os.fspath(path)
    fmt = _resolve_format(name, fmt)
    prune_config = prune_config or PruneConfig()
    if fmt in COUNT_FORMATS:
        _check_options(
            name, fmt,
            {"text_column": text_column, "id_column": id_column, "text_field": text_field,
             "id_field": id_field, "glob": glob},
        )
        return read_counts(name, fmt, vocab, prune_config, encoding=encoding)
    docs = iter_documents(
        name, fmt, encoding=encoding, text_column=text_column, id_column=id_column,
        text_field=text_field, id_field=id_field, glob=glob, vocab=vocab,
    )
    return build_corpus(docs, _as_tokenizer(tokenizer), prune_config)


def _as_tokenizer(tokenizer: Tokenizer | TokenizerConfig | None) -> Tokenizer:
    if tokenizer is None:
        return Tokenizer()
    if isinstance(tokenizer, TokenizerConfig):
        return Tokenizer(tokenizer)
    return tokenizer


def vectorize_input(
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    vocabulary: Vocabulary,
    tokenizer: Tokenizer | TokenizerConfig | None = None,
    encoding: str = "utf-8",
    text_column: str | None = None,
    id_column: str | None = None,
    text_field: str | None = None,
    id_field: str | None = None,
    glob: str | None = None,
    vocab: str | os.PathLike | None = None,
) -> tuple[sp.csr_matrix, list[str], int]:
    """New documents of any format counted over a fixed ``vocabulary`` (for ``transform``).

    Returns ``(counts, doc_ids, n_oov)`` like :func:`lda_vi.io.corpus.vectorize`: a D×V
    canonical CSR matrix over ``vocabulary``, the doc ids, and the number of tokens outside
    it (ignored). Count formats are matched word by word through their vocabulary file
    (``vocab``, as for :func:`load_corpus`); text is tokenized with ``tokenizer``.
    """
    name = os.fspath(path)
    fmt = _resolve_format(name, fmt)
    if fmt in COUNT_FORMATS:
        _check_options(
            name, fmt,
            {"text_column": text_column, "id_column": id_column, "text_field": text_field,
             "id_field": id_field, "glob": glob},
        )
        matrix = read_count_matrix(name, fmt, vocab, encoding=encoding)
        if matrix.counts.shape[0] == 0:
            raise InputError(f"{_display(name)} has no documents (D = 0); nothing to count")
        target = np.fromiter((vocabulary.get(w, -1) for w in matrix.words), dtype=np.int64,
                             count=len(matrix.words))
        X = matrix.counts.tocoo()
        new = target[X.col]
        known = new >= 0
        n_oov = int(round(float(X.data[~known].sum())))
        counts = _coo_to_csr(X.row[known], new[known], X.data[known],
                             (X.shape[0], len(vocabulary)))
        counts.has_canonical_format = True
        return counts, matrix.doc_ids, n_oov
    docs = iter_documents(
        name, fmt, encoding=encoding, text_column=text_column, id_column=id_column,
        text_field=text_field, id_field=id_field, glob=glob, vocab=vocab,
    )
    return vectorize(docs, _as_tokenizer(tokenizer), vocabulary)


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
