"""Input formats: their names, detection from the file name, and the checks of path and options.

Formats (``fmt``): text-like ``text`` (one document per line; ``.txt`` and any unknown
extension; ``-`` is standard input), ``dir`` (a directory tree, one document per file),
``csv`` / ``tsv`` (a header row, then one document per record), ``jsonl`` (one JSON object
per line: ``.jsonl``, ``.ndjson``, ``.json``); counted ``ldac`` (``.dat``, ``.ldac``),
``uci`` (``docword.NAME.txt``) and ``mtx`` (``.mtx``, ``.mm``). A ``.gz``, ``.bz2`` or
``.xz`` suffix is ignored when detecting (the bytes are decompressed by
:mod:`lda_vi.io.decode`).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from lda_vi.errors import InputError

__all__ = [
    "COMPRESSED_SUFFIXES", "COUNT_FORMATS", "DEFAULT_GLOB", "DESCRIPTION", "FORMATS",
    "TEXT_FORMATS", "check_options", "check_path", "detect_format", "display_name",
    "resolve_format",
]


TEXT_FORMATS = ("text", "dir", "csv", "tsv", "jsonl")
COUNT_FORMATS = ("ldac", "uci", "mtx")
FORMATS = TEXT_FORMATS + COUNT_FORMATS

DEFAULT_GLOB = "**/*.txt"

DESCRIPTION = {
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
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")


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
    for ext in COMPRESSED_SUFFIXES:
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    if base.startswith("docword."):
        return "uci"
    return _EXTENSIONS.get(Path(base).suffix, "text")


def resolve_format(path: str, fmt: str | None) -> str:
    if fmt is None:
        return detect_format(path)
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise InputError(
            f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)} (fmt), "
            "or leave it out to guess it from the file name", params=("fmt",)
        )
    return fmt.lower()


_OPTION_FORMATS = {
    "text_column": ("csv", "tsv"),
    "id_column": ("csv", "tsv"),
    "text_field": ("jsonl",),
    "id_field": ("jsonl",),
    "glob": ("dir",),
    "vocab": COUNT_FORMATS,
}


def check_options(path: str, fmt: str, given: dict) -> None:
    """Refuse reader options that the format does not use (they would be silently ignored)."""
    for key, value in given.items():
        formats = _OPTION_FORMATS[key]
        if value is not None and fmt not in formats:
            either = formats[0] if len(formats) == 1 else (
                f"{', '.join(formats[:-1])} or {formats[-1]}")
            raise InputError(
                f"{key} applies to {either} input only, but {path} is read as "
                f"{fmt}; drop {key}, or pass fmt if the format was guessed wrong",
                params=(key, "fmt"),
            )


def check_path(path: str, fmt: str) -> None:
    """Report a missing path, or a directory where a file is needed (and vice versa)."""
    if path == "-":
        if fmt == "dir":
            raise InputError("fmt='dir' needs a directory, not - (standard input)",
                             params=("fmt",))
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
            f"{path} is a file, not a directory; fmt='dir' reads a directory of text files "
            "(leave out fmt to read the file by its extension)", params=("fmt",)
        )
    if fmt != "dir" and is_dir:
        raise InputError(
            f"{path} is a directory; read it with fmt='dir' (one document per file), "
            f"or give a {fmt} file", params=("fmt",)
        )



def display_name(path: str) -> str:
    return "standard input" if path == "-" else path

