"""One writer per output directory: a lock file that a second writer finds taken.

``DIR/.lda-vi.lock`` is held with ``flock`` (released by the system if the process
dies, so a crash leaves no stale lock) and removed when the writer is done. A
directory the lock created is removed again if the writer leaves it empty.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from lda_vi import interrupts
from lda_vi.errors import InputError

LOCK_NAME = ".lda-vi.lock"


class LockedError(InputError):
    """Another process is writing to the directory."""


def _acquire(lock: Path) -> int:
    """Open and lock ``lock``; retry when the file was removed by its previous holder."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise LockedError(f"{lock.parent} is in use by another lda-vi{holder}; wait for it "
                              "to finish or write to another directory") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)                 # the holder removed it between our open and lock


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextlib.contextmanager
def directory_lock(directory: str | os.PathLike) -> Iterator[Path]:
    """Hold the lock of ``directory`` (created if missing) for the block.

    Raises :class:`LockedError` (one line) when another process holds it.
    """
    directory = Path(directory)
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {directory}: {exc.strerror}") from None
    lock = directory / LOCK_NAME
    try:
        fd = _acquire(lock)
    except OSError as exc:
        _remove_if_empty(directory, created)
        raise InputError(f"cannot write in {directory}: {exc.strerror}") from None
    except BaseException:
        _remove_if_empty(directory, created)
        raise
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield lock
    finally:
        with interrupts.deferred():
            with contextlib.suppress(OSError):
                lock.unlink()
            os.close(fd)
            _remove_if_empty(directory, created)


def _remove_if_empty(directory: Path, created: bool) -> None:
    if created:
        with contextlib.suppress(OSError):
            directory.rmdir()
