"""Atomic file output: write to a temporary file beside the target, then rename.

A reader, a crash or Ctrl-C never sees a half-written file: either the old
file (or none) or the complete new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lda_vi.errors import InputError


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *,
                encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success rename it onto ``path``.

    ``mode`` is 'w' (text) or 'wb' (bytes). On any exception the temporary
    file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {path}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}; choose a writable location") \
            from None
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w") as handle:
        handle.write(text)


def check_writable(path: str | os.PathLike, *, force: bool) -> None:
    """Refuse an output path that exists (unless ``force``) or whose directory is missing."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path} already exists; pass --force to overwrite it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"cannot write {path}: directory {parent} is not writable")
