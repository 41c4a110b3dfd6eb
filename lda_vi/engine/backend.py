"""Which implementation runs the engine's loops, and on how many threads.

The compiled numba kernels (:mod:`lda_vi.engine.kernels`) are the default; the
plain numpy references are used by the tests and wherever numba is missing.
The kernels are imported on first use, not with this module (numba takes about half a
second to import, and ``lda-vi show`` needs none of it): ``kernels`` and ``topic_kernels``
stand for the modules and load them when an attribute is first read;
:func:`have_numba` says whether they can be loaded. The kernels work on ranges
of documents or words and release the GIL; :func:`parallel_for` runs the ranges
on a pool of :func:`get_threads` threads.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np

from lda_vi import threads

_have_numba: bool | None = None     # None until the kernels are first asked for


def have_numba() -> bool:
    """Whether the compiled kernels can be used; imports them (and numba) the first time.

    numba is a core dependency, but the package must still work without it.
    """
    global _have_numba
    if _have_numba is None:
        try:
            importlib.import_module("lda_vi.engine.kernels")
            importlib.import_module("lda_vi.engine.topic_kernels")
            _have_numba = True
        except ImportError:  # pragma: no cover - exercised only where numba is absent
            _have_numba = False
    return _have_numba


#: The kernels of a batch VB fit (module, name), whose compile a first run waits for.
FIT_KERNELS = (("lda_vi.engine.kernels", "estep_docs"), ("lda_vi.engine.kernels", "sstats_by_word"),
               ("lda_vi.engine.kernels", "elogtheta_blocks"),
               ("lda_vi.engine.topic_kernels", "topic_totals"),
               ("lda_vi.engine.topic_kernels", "topic_blocks"))

#: The same for a CVB0 fit (MATH.md V1-V4).
CVB0_KERNELS = tuple(("lda_vi.engine.cvb0_kernels", name)
                     for name in ("sweep_docs", "doc_counts", "word_counts", "topic_totals"))


def kernels_cached(names=FIT_KERNELS) -> bool | None:
    """Whether every kernel of ``names`` ((module, function) pairs) is in numba's cache
    for this machine, so that a fit loads them rather than compiling them; None without
    numba, or where numba's cache cannot be read that way."""
    if not have_numba():
        return None
    from lda_vi.jit_load import cached_here

    found = [cached_here(getattr(importlib.import_module(module), name))
             for module, name in names]
    return None if None in found else all(found)


class LazyModule:
    """Stands for a kernel module and imports it when an attribute is first read.

    After that the module's names are copied here, so that later reads are plain
    attribute reads of the very same compiled functions.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):      # copy, pickle, inspect: never an import
            raise AttributeError(attribute)
        module = importlib.import_module(self._name)
        self.__dict__.update(vars(module))
        return getattr(module, attribute)


kernels = LazyModule("lda_vi.engine.kernels")
topic_kernels = LazyModule("lda_vi.engine.topic_kernels")


def __getattr__(name: str):
    if name == "HAVE_NUMBA":            # the former constant, now known on first use
        return have_numba()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

BACKENDS = ("auto", "numba", "numpy")


def resolve_backend(backend: str) -> str:
    """'auto' → 'numba' when available, else 'numpy' with a warning."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown E-step backend {backend!r}")
    if backend == "numpy":
        return "numpy"
    if not have_numba():
        if backend == "numba":
            raise ValueError("the numba backend was asked for, but numba is not installed")
        warnings.warn("numba is not installed: using the slow numpy E-step", stacklevel=2)
        return "numpy"
    return "numba"


def cores() -> int:
    """The cores this process may run on."""
    return threads.cores()


def set_threads(n: int | None) -> int:
    """Set the number of threads of the compiled kernels (None: all cores); returns it.

    The setting is :mod:`lda_vi.threads`'s, which the CSV writers follow too."""
    if not have_numba():
        return 1
    n = cores() if n is None else int(n)
    threads.set_count(n)
    import numba  # kernels still written as numba parallel loops follow the same setting

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    return n


def get_threads() -> int:
    """The number of threads the compiled kernels run on."""
    return threads.count() if have_numba() else 1


def chunks(weights: np.ndarray, n_chunks: int) -> list[tuple[int, int]]:
    """Cut items [0, len(weights)) into at most ``n_chunks`` ranges of about equal total
    weight (``weights``: per-item costs, e.g. non-zeros); empty ranges are dropped."""
    n = len(weights)
    if n == 0:
        return []
    prefix = np.cumsum(np.asarray(weights, dtype=np.float64))
    targets = prefix[-1] * np.arange(1, n_chunks) / n_chunks
    cuts = np.concatenate(([0], np.searchsorted(prefix, targets, side="right"), [n]))
    return [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def parallel_for(kernel, ranges: list[tuple[int, int]], *args) -> None:
    """Run ``kernel(lo, hi, *args)`` for every range, on :func:`get_threads` threads
    (:func:`lda_vi.threads.run_ranges`: the calling thread and the pool's, each taking the
    next range not yet taken).

    The kernels release the GIL and each range writes its own part of the outputs,
    so the result does not depend on the threads or on which range runs where.
    """
    threads.run_ranges(kernel, ranges, get_threads(), *args)


#: Ranges per thread for :func:`parallel_for`: documents differ in cost (length, inner
#: iterations, a cold restart), so more ranges than threads keep every thread busy to the
#: end. 16 rather than 4: on AP at K=50, 2 threads, 3–7% less time per EM iteration (the
#: last range of a pass runs alone for less long), for 12 more kernel calls per pass.
#: Results do not depend on it (each document and word is computed on its own).
RANGES_PER_THREAD = 16
