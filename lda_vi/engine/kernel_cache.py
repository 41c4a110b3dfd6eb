"""Compiled kernels are cached per source file; this ties them to their helpers' files too.

numba keeps a cached kernel while the file that defines it keeps its modification
time and size, whatever happens to the files of the functions it calls and compiled
into itself: after an edit of :mod:`lda_vi.engine.pass_kernels` alone (or a
``git pull`` into an editable install that changes only that file) the E-step would
go on running the old inner pass, loaded from the cache. :func:`bind_to_sources`,
called at the end of each kernel module, makes the stamp numba checks for each of
the module's cached kernels also hold a digest of the contents of every kernel
source file of the engine (``KERNEL_FILES``), so that a change to any of them
compiles the kernels afresh.

It sets a private attribute of numba's cache (``_cache._cache_file._source_stamp``,
numba 0.5x–0.6x); where that is missing, it does nothing and the kernels are cached
as numba does by itself.

It also has those kernels loaded without numba's full context refresh
(:func:`lda_vi.jit_load.load_without_refresh`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from lda_vi.jit_load import cached_kernels, load_without_refresh

#: The engine's files of compiled code: a kernel may compile in any function of them.
KERNEL_FILES = ("kernels.py", "pass_kernels.py", "special.py", "explog.py", "lanes.py",
                "topic_kernels.py", "cvb0_kernels.py")


def sources_digest(paths: Iterable[Path]) -> str:
    """SHA-256 of the contents of the files ``paths``, in the order given (a missing file
    counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            pass
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def _engine_digest() -> str:
    here = Path(__file__).resolve().parent
    return sources_digest(here / name for name in KERNEL_FILES)


def bind_to_sources(namespace: dict, digest: str | None = None) -> int:
    """Make the cache stamp of every cached kernel defined in ``namespace`` (a module's
    globals) depend on ``digest`` too (default: the digest of the engine's
    ``KERNEL_FILES``). Returns the number of kernels bound."""
    digest = _engine_digest() if digest is None else digest
    bound = 0
    for kernel in cached_kernels(namespace):
        cache_file = kernel._cache._cache_file
        stamp = getattr(cache_file, "_source_stamp", None)
        if stamp is None:
            continue
        cache_file._source_stamp = (stamp, digest)
        bound += 1
    load_without_refresh(namespace)
    return bound
