"""Which implementation runs the engine's loops, and on how many threads.

The compiled numba kernels (:mod:`lda_vi.engine.kernels`) are the default; the
plain numpy references are used by the tests and wherever numba is missing.
``kernels`` is None when numba cannot be imported.
"""

from __future__ import annotations

import warnings

try:  # numba is a core dependency, but the package must still work without it
    import numba

    from lda_vi.engine import kernels

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is absent
    kernels = None
    numba = None
    HAVE_NUMBA = False

BACKENDS = ("auto", "numba", "numpy")


def resolve_backend(backend: str) -> str:
    """'auto' → 'numba' when available, else 'numpy' with a warning."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown E-step backend {backend!r}")
    if backend == "numpy":
        return "numpy"
    if not HAVE_NUMBA:
        if backend == "numba":
            raise ValueError("the numba backend was asked for, but numba is not installed")
        warnings.warn("numba is not installed: using the slow numpy E-step", stacklevel=2)
        return "numpy"
    return "numba"


def set_threads(n: int | None) -> int:
    """Set the number of threads of the compiled kernels (None: all cores); returns it."""
    if not HAVE_NUMBA:
        return 1
    limit = numba.config.NUMBA_NUM_THREADS
    n = limit if n is None else int(n)
    if n < 1:
        raise ValueError("threads must be >= 1")
    n = min(n, limit)
    numba.set_num_threads(n)
    return n
