"""Standard output and error that fail politely.

- A closed pipe (``lda-vi show m | head``): the rest of that stream's output is
  dropped and the command goes on (a fit still saves its model), no traceback.
- A full disk or another write error on standard output (``> /dev/full``): one
  line ``error: cannot write to standard output: ...``, exit 2 (an output that cannot be
  written, as a full disk for a file).

:func:`install` replaces ``sys.stdout`` and ``sys.stderr`` of the console script
(not those of tests that capture them).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys

from lda_vi.errors import LdaViError


class StreamError(LdaViError):
    """Standard output cannot be written (disk full, I/O error)."""

    exit_code = 2


_REASONS = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
            errno.EIO: "input/output error", errno.EFBIG: "file too large"}


class PoliteStream(io.TextIOWrapper):
    """A text stream over ``fd`` that goes quiet once its reader is gone."""

    def __init__(self, stream: io.TextIOWrapper, name: str) -> None:
        super().__init__(stream.buffer, encoding=stream.encoding, errors=stream.errors,
                         line_buffering=stream.line_buffering)
        self._name, self._gone, self._silenced = name, False, False

    def _fail(self, exc: OSError) -> None:
        """Point the descriptor at /dev/null (so that pending bytes go nowhere), then
        report a write error on standard output; a closed pipe or stderr stays silent."""
        self._gone = True
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.buffer.fileno())
            os.close(null)
        if exc.errno != errno.EPIPE and self._name == "stdout":
            reason = _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
            raise StreamError(f"cannot write to standard output: {reason}") from None

    def write(self, text: str) -> int:
        if self._gone or self._silenced:
            return len(text)
        try:
            return super().write(text)
        except OSError as exc:
            self._fail(exc)
            return len(text)

    def flush(self) -> None:
        if self._gone:
            with contextlib.suppress(OSError, ValueError):
                super().flush()
            return
        try:
            super().flush()
        except OSError as exc:
            self._fail(exc)


def install() -> None:
    """Wrap the process's real stdout and stderr (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, PoliteStream) or not isinstance(stream, io.TextIOWrapper):
            continue
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
        _originals.append(stream)      # kept: collecting it would close the shared buffer
        setattr(sys, name, PoliteStream(stream, name))


_originals: list[io.TextIOWrapper] = []


def silence_loggers(*prefixes: str) -> None:
    """Silence every logger whose name starts with one of ``prefixes`` (``"tornado"``,
    ``"distributed"``): for the end of a command whose cluster is shutting down, when
    callbacks still in flight (after Ctrl-C above all) log errors that are not the user's
    and would follow the command's one line."""
    import logging

    names = [name for name in logging.root.manager.loggerDict
             if name.split(".")[0] in prefixes]
    for name in (*prefixes, *names):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
