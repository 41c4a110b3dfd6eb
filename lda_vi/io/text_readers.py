"""The one document reader: ``(doc_id, text)`` pairs of any text-like input.

:func:`iter_documents` is what fit, transform, evaluate, sweep and ``report --docs`` read
documents with. Formats (see :mod:`lda_vi.io.detect`):

* ``text``: one document per line (``-`` is standard input); doc ids are line numbers
  "1", "2", ...; blank lines are (empty) documents, so rows stay aligned with input lines;
* ``dir``: a directory tree, one document per file matching ``glob`` (default
  ``**/*.txt``; hidden files and directories are skipped); doc ids are the paths relative
  to the directory, sorted;
* ``csv`` / ``tsv`` and ``jsonl``: :mod:`lda_vi.io.record_readers`.

Every format may be compressed (gzip, bzip2, xz). Files are streamed line by line (or
record by record), never read whole; only a ``dir`` document, a file, is read at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from lda_vi.errors import InputError
from lda_vi.io.decode import (
    DECOMPRESS_ERRORS,
    SNIFF_BYTES,
    check_encoding,
    check_head,
    decode_document,
    guard,
    open_input,
    stream_documents,
)
from lda_vi.io.detect import (
    COUNT_FORMATS,
    DEFAULT_GLOB,
    TEXT_FORMATS,
    check_options,
    check_path,
    display_name,
    resolve_format,
)
from lda_vi.io.record_readers import csv_documents, jsonl_documents

__all__ = ["iter_documents"]


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
    InputError here (use :func:`lda_vi.io.load.load_corpus`), naming ``needed_by``
    (e.g. "--holdout") as what needs text.
    """
    name = os.fspath(path)
    fmt = resolve_format(name, fmt)
    if fmt in COUNT_FORMATS:
        raise InputError(
            f"{display_name(name)} is read as {fmt} input: word counts, not text; {needed_by} "
            f"needs documents as text ({', '.join(TEXT_FORMATS)}), or pass fmt if the format "
            "was guessed wrong", params=("fmt",)
        )
    check_options(
        name, fmt,
        {"text_column": text_column, "id_column": id_column, "text_field": text_field,
         "id_field": id_field, "glob": glob, "vocab": vocab},
    )
    ascii_compatible = check_encoding(encoding)
    check_path(name, fmt)
    if fmt == "dir":
        files = _glob_files(name, DEFAULT_GLOB if glob is None else glob)
        return guard(_dir_documents(files, encoding, ascii_compatible), name)
    if fmt == "text":
        return guard(_text_documents(name, encoding, ascii_compatible), display_name(name))
    if fmt in ("csv", "tsv"):
        docs = csv_documents(
            name, fmt, encoding, ascii_compatible,
            "text" if text_column is None else text_column, id_column,
        )
        return guard(docs, display_name(name))
    docs = jsonl_documents(
        name, encoding, ascii_compatible, "text" if text_field is None else text_field,
        id_field,
    )
    return guard(docs, display_name(name))


def _text_documents(path: str, encoding: str, ascii_compatible: bool):
    with open_input(path) as stream:
        yield from stream_documents(stream, display_name(path), encoding, ascii_compatible)


def _glob_files(root: str, pattern: str) -> list[tuple[str, Path]]:
    """``(relative path, path)`` of the visible regular files under ``root`` matching."""
    base = Path(root)
    try:
        matches = list(base.glob(pattern))
    except (ValueError, NotImplementedError) as e:
        raise InputError(
            f"glob={pattern!r} is not a usable pattern ({e}); give one relative to the "
            "directory, e.g. '**/*.txt' or '*.md'", params=("glob",)
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
            f"file in it, or choose the files with glob (e.g. glob='**/*.md')",
            params=("glob",)
        )
    files.sort(key=lambda item: item[0])
    return files


def _dir_documents(files, encoding: str, ascii_compatible: bool):
    for doc_id, file in files:
        name = str(file)
        with open_input(name) as stream:
            try:
                data = stream.read()
            except DECOMPRESS_ERRORS as e:
                raise InputError(f"cannot read {name}: {getattr(e, 'strerror', None) or e}") \
                    from None
        check_head(data[:SNIFF_BYTES], name, ascii_compatible, "text")
        yield doc_id, decode_document(data, name, encoding, ascii_compatible)

