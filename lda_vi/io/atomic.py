"""Atomic file output: write to a temporary file beside the target, then rename.

A reader, a crash or Ctrl-C never sees a half-written file: either the old
file (or none) or the complete new one. What is already at the target is
respected:

- a symbolic link is followed: its target is written atomically and the link
  is kept (a dangling link gets its target created);
- a FIFO, a device or another non-regular file (``/dev/null``) is written in
  place, never replaced by a regular file;
- ``-`` is standard output (never a file named ``-``);
- a path naming one of the process's open descriptors (``/dev/stdout``,
  ``/dev/fd/N``, ``/proc/self/fd/N``) is written through that descriptor, at its
  offset, whatever it is open on (``> out.txt`` too): never refused as existing,
  never replaced; a closed pipe there ends the output quietly;
- a file replaced keeps its permissions (a new one gets 0o666 less the umask);
- a loop of symbolic links is refused (one line), and left as it is.

Inside :func:`output_transaction` the renames wait for the end of the block and
then happen together, with signals held back: a command's outputs all appear,
or (after an error or an interrupt) none of them, and no temporary file stays.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lda_vi import interrupts
from lda_vi.errors import InputError, LdaViError

#: Write errors that are about the place written to, not about the program.
_WRITE_ERRORS = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota "
                 "exceeded", errno.EFBIG: "file too large", errno.EROFS: "read-only file system",
                 errno.EIO: "input/output error", errno.EPIPE: "broken pipe",
                 errno.EACCES: "permission denied", errno.EPERM: "operation not permitted"}


class WriteError(LdaViError):
    """An output could not be written (disk full, quota, read-only file system...): exit 2,
    as for any output that cannot be written (docs/inputs.md)."""

    exit_code = 2


def write_error(path: object, exc: OSError) -> WriteError:
    """A one-line error for a failed write of ``path``."""
    reason = _WRITE_ERRORS.get(exc.errno, exc.strerror or type(exc).__name__)
    hint = "; free some space or choose another location" if exc.errno in (
        errno.ENOSPC, errno.EDQUOT) else "; choose another location"
    return WriteError(f"cannot write {path}: {reason}{hint}")


class _Transaction:
    """The renames (temp -> target) and removals waiting for the end of a transaction."""

    def __init__(self) -> None:
        self.renames: list[tuple[str, Path]] = []
        self.removals: list[Path] = []
        self.created: list[Path] = []         # folders made for the outputs, deepest first
        self.committed = False


_active: _Transaction | None = None


@contextlib.contextmanager
def output_transaction() -> Iterator[_Transaction]:
    """Hold back every :func:`atomic_open` rename made inside; at the end of the block
    (unless a signal is pending) rename them all, with signals deferred; after an error
    or an interrupt remove the temporary files instead. Nested blocks join the outer one.
    """
    global _active
    if _active is not None:
        yield _active
        return
    _active = transaction = _Transaction()
    try:
        yield transaction
        interrupts.check()
        with interrupts.deferred():
            _commit(transaction)
    except BaseException:
        with interrupts.deferred():
            for tmp, _ in transaction.renames:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            for folder in transaction.created:      # made for outputs that never came
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    finally:
        _active = None


def _commit(transaction: _Transaction) -> None:
    """Rename every temp file onto its target. A rename refused halfway (EPERM: an immutable
    file; EBUSY...) undoes the ones made before it, so the outputs are all new or all as
    they were: each target replaced is kept as a hard link until the end (where the file
    system has none, that target cannot be restored)."""
    done: list[tuple[Path, str | None, bool]] = []   # (target, its backup, it existed)
    try:
        while transaction.renames:
            tmp, path = transaction.renames[0]
            existed, backup = os.path.lexists(path), _backup(path)
            try:
                os.replace(tmp, path)
            except OSError as exc:    # one line; the temps are removed by the caller
                _remove(backup)
                raise write_error(path, exc) from None
            done.append((path, backup, existed))
            transaction.renames.pop(0)
    except BaseException:
        _undo(done)
        raise
    for _, backup, _ in done:
        _remove(backup)
    for path in transaction.removals:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    transaction.committed = True


def _backup(path: Path) -> str | None:
    """A hard link to the file at ``path`` (to restore it), or None (none there, or no
    hard links on this file system)."""
    if not path.is_file():
        return None
    backup = f"{path.parent}/.{path.name}.{os.getpid()}.{id(path):x}.bak"
    try:
        os.link(path, backup)
    except OSError:
        return None
    return backup


def _undo(done: list[tuple[Path, str | None, bool]]) -> None:
    """Put back what the renames in ``done`` replaced: its backup, or no file where there
    was none (a file replaced without a backup stays new)."""
    for path, backup, existed in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, path)
            elif not existed:
                path.unlink()


def _remove(backup: str | None) -> None:
    if backup is not None:
        with contextlib.suppress(OSError):
            os.unlink(backup)


def remove_on_commit(path: str | os.PathLike) -> None:
    """Remove ``path`` when the current transaction commits (now, outside of one)."""
    if _active is None:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
    else:
        _active.removals.append(Path(path))


def resolve_target(path: str | os.PathLike) -> Path:
    """The file that writing ``path`` should change: the final target of a symbolic link
    (of a dangling one too). A loop of links is an :class:`InputError`."""
    path = Path(path)
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno != errno.ELOOP:       # dangling, or under a file: reported later
            return Path(os.path.realpath(path))
        raise InputError(f"cannot write {path}: it is a loop of symbolic links; point the "
                         "link at a file, or remove it") from None


_DESCRIPTOR = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
_STANDARD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def open_descriptor(path: str | os.PathLike) -> int | None:
    """The descriptor that ``path`` names (``/dev/stdout`` → 1, ``/dev/fd/5`` → 5), if it
    is open in this process; else None."""
    name = os.path.abspath(os.fspath(path))
    match = _DESCRIPTOR.fullmatch(name)
    fd = int(match.group(1)) if match else _STANDARD.get(name)
    if fd is None:
        return None
    try:
        os.fstat(fd)
    except OSError:
        return None
    return fd


@contextlib.contextmanager
def _through_descriptor(fd: int, shown, mode: str, text_options: dict) -> Iterator[IO]:
    """Write through a copy of descriptor ``fd`` (sharing its offset); what Python has
    buffered for fd 1 or 2 goes out first, so the order of the output is kept."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            if stream.fileno() == fd:
                stream.flush()
    try:
        with os.fdopen(os.dup(fd), mode, **text_options) as handle:
            yield handle
    except OSError as exc:
        if exc.errno == errno.EPIPE and fd in (1, 2):
            return                    # `| head` closed it: the rest goes nowhere, quietly
        raise write_error(shown, exc) from None


def _new_mode(path: Path) -> int:
    """The permissions of the file written at ``path``: those of the file it replaces, or
    0o666 less the umask for a new one."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def is_stdout(path: str | os.PathLike) -> bool:
    """Whether ``path`` is ``-``, which names standard output."""
    return os.fspath(path) == "-"


def is_special(path: str | os.PathLike) -> bool:
    """Whether ``path`` exists and is no regular file or directory (FIFO, device, socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *,
                encoding: str | None = "utf-8", newline: str | None = None,
                now: bool = False) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success rename it onto ``path``.

    ``mode`` is 'w' (text) or 'wb' (bytes). On any exception the temporary
    file is removed and ``path`` is left untouched. A symbolic link is followed,
    a non-regular file written in place (see the module docstring). Inside an
    :func:`output_transaction` the rename waits for its end, unless ``now``.
    Missing folders above ``path`` are created (:func:`make_parents`).
    """
    shown = path
    binary = "b" in mode
    text_options = {} if binary else {"encoding": encoding, "newline": newline}
    if is_stdout(path):
        stream = sys.stdout.buffer if binary else sys.stdout
        try:
            yield stream
            stream.flush()
        except OSError as exc:
            raise write_error("standard output", exc) from None
        return
    fd = open_descriptor(path)
    if fd is not None:
        with _through_descriptor(fd, shown, mode, text_options) as handle:
            yield handle
        return
    if is_special(path):      # before resolving: /dev/stdout -> /proc/self/fd/1 -> pipe:[N]
        try:
            with open(path, mode, **text_options) as handle:
                yield handle
        except OSError as exc:
            raise write_error(shown, exc) from None
        return
    path = resolve_target(path)
    directory = make_parents(path, shown)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {shown}: {exc.strerror}; choose a writable location") \
            from None
    try:
        with os.fdopen(fd, mode, **text_options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_mode(path))
        if _active is not None and not now:
            _active.renames.append((tmp, path))
        else:
            with interrupts.deferred():
                os.replace(tmp, path)
    except BaseException as exc:
        with interrupts.deferred(), contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            raise write_error(shown, exc) from None
        raise


def atomic_write_text(path: str | os.PathLike, text: str, *, now: bool = False) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w", now=now) as handle:
        handle.write(text)


def _nearest_existing(directory: Path) -> Path:
    """``directory`` or its nearest ancestor that exists (as anything)."""
    for candidate in (directory, *directory.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def make_parents(path: str | os.PathLike, shown: str | os.PathLike | None = None) -> Path:
    """Create the missing folders above ``path`` (like ``mkdir -p``); return its folder.

    Raises InputError, naming ``shown`` (default ``path``), when one of them is a file or
    cannot be created.
    """
    path = Path(path)
    shown = path if shown is None else shown
    directory = path.parent if str(path.parent) else Path(".")
    if directory.is_dir():
        return directory
    existing = _nearest_existing(directory)
    if not existing.is_dir():
        raise InputError(f"cannot write {shown}: {existing} is not a directory; choose "
                         "another location")
    missing = [d for d in (directory, *directory.parents) if not os.path.lexists(d)]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if _active is not None:
            _active.created.extend(missing)
    except OSError as exc:
        raise InputError(f"cannot write {shown}: cannot create directory {directory} "
                         f"({exc.strerror or exc}); choose a writable location") from None
    return directory


def check_writable(path: str | os.PathLike, *, force: bool) -> None:
    """Refuse an output path that exists (unless ``force``), or that cannot be created: an
    existing folder above it that is a file or not writable. Missing folders are fine (they
    are created when the file is written).

    A FIFO or a device (``/dev/stdout``), or ``-`` (standard output), is written in place
    and overwrites nothing: it needs no ``force``. A symbolic link, even a dangling one,
    counts as existing.
    """
    path = Path(path)
    if is_special(path) or is_stdout(path) or open_descriptor(path) is not None:
        return
    if os.path.lexists(path) and not force:
        raise InputError(f"{path} already exists; pass force=True to overwrite it",
                         params=("force",))
    target = resolve_target(path)
    parent = target.parent if str(target.parent) else Path(".")
    existing = _nearest_existing(parent)
    if not existing.is_dir():
        raise InputError(f"cannot write {path}: {existing} is not a directory; choose "
                         "another location")
    if not os.access(existing, os.W_OK):
        raise InputError(f"cannot write {path}: directory {existing} is not writable")
