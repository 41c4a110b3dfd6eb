"""Interrupts (SIGINT, SIGTERM) honoured at any point and never swallowed.

Python's own SIGINT handler raises KeyboardInterrupt wherever the main thread
happens to be: inside a ``__del__`` or a callback the exception is reported as
"ignored" and lost, and the program runs on. The handler installed here records
the signal first and then raises :class:`Interrupted`; the record stays until the
process ends, so where the exception is swallowed, the next :func:`check` (the
engine calls it between EM iterations, shards and minibatches, the readers
between documents) raises it again. Compiled kernels cannot be stopped midway:
the signal takes effect when they return.

:func:`deferred` holds a signal back over a few instructions that must not be
cut in half (renaming a set of finished files into place); it is raised at the
end of the block. Part of the foundation: importable by every layer.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: int | None = None
_defer_depth = 0


class Interrupted(KeyboardInterrupt):
    """The process was asked to stop by ``signum``; a KeyboardInterrupt, so that
    ``except Exception`` never catches it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _handler(signum: int, frame: object) -> None:
    global _received
    _received = signum
    if _defer_depth == 0:
        raise Interrupted(signum)


def _unraisable(hook):
    """An unraisable-exception hook that stays quiet about our own interrupts (they are
    re-raised at the next :func:`check`) and passes everything else to ``hook``."""

    def quiet(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and _received is not None:
            return
        hook(unraisable)

    quiet.lda_vi = True
    return quiet


def install() -> None:
    """Route SIGINT and SIGTERM through the recording handler (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        signal.signal(signum, _handler)
    if not getattr(sys.unraisablehook, "lda_vi", False):
        sys.unraisablehook = _unraisable(sys.unraisablehook)


def ignore_from_now() -> int | None:
    """At the very end of a program: from now on SIGINT and SIGTERM are ignored (Python's
    shutdown would put back their default action, and a signal then kills the process
    without a word; an ignored one stays ignored). Returns the signal received before,
    if any: the handler only records from the first line here."""
    global _defer_depth
    _defer_depth += 1
    if threading.current_thread() is threading.main_thread():
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
    return _received


def received() -> int | None:
    """The signal received so far (its number), or None."""
    return _received


def check() -> None:
    """Raise :class:`Interrupted` if a signal was received (cheap: call it in loops)."""
    if _received is not None:
        raise Interrupted(_received)


def reset() -> None:
    """Forget a received signal (for tests and long-lived library callers)."""
    global _received
    _received = None


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold signals back inside the block; a signal received meanwhile is raised at its end."""
    global _defer_depth
    _defer_depth += 1
    try:
        yield
    finally:
        _defer_depth -= 1
    if _defer_depth == 0:
        check()
