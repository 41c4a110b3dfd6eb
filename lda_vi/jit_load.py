"""Cached numba kernels load without numba's full context refresh.

numba's ``Cache.load_overload`` first calls ``target_context.refresh()``, which imports
and installs every lowering registry numba has (typed dicts and lists, jitclasses, the
random generators, linalg, datetimes, third-party entry points…): about 0.3 s of a cold
process, spent on the first cached kernel called. Loading a kernel needs none of it: the
cache holds machine code, and what it links against is numba's runtime (NRT), which is
initialized here. Compiling does need the registries, and numba's compiler refreshes the
context by itself before every compile, so a cache miss, or any kernel compiled later,
finds them all.

:func:`load_without_refresh` sets that load on a module's cached kernels. It uses two
private methods of numba's cache (``_load_overload`` and
``_guard_against_spurious_io_errors``, numba 0.5x–0.6x); where they are missing, the
kernels keep numba's own load. Kernels compiled with ``parallel=True`` (CVB0's) load the
same way: what they need of the threading layer, numba starts from the cached result's own
``reload_init`` (``_reload_parfors``), not from the refresh.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator


def cached_kernels(namespace: dict) -> Iterator:
    """The cached numba kernels defined in ``namespace`` (a module's globals): those with
    a cache file, not those the module imported from elsewhere."""
    own = namespace.get("__name__")
    for value in list(namespace.values()):
        py_func = getattr(value, "py_func", None)
        if (py_func is not None and getattr(py_func, "__module__", None) == own
                and getattr(getattr(value, "_cache", None), "_cache_file", None) is not None):
            yield value


def load_without_refresh(namespace: dict) -> int:
    """Load the cached kernels defined in ``namespace`` (a module's globals) with
    :func:`_load`; returns how many."""
    count = 0
    for kernel in cached_kernels(namespace):
        cache = kernel._cache
        if hasattr(cache, "_load_overload") and hasattr(cache,
                                                        "_guard_against_spurious_io_errors"):
            cache.load_overload = functools.partial(_load, cache)
            count += 1
    return count


def _load(cache, sig, target_context):
    """numba's ``Cache.load_overload`` less ``target_context.refresh()``: the runtime is
    initialized, the lowering registries are left for a compile to install. Should that
    fail (a cached kernel needing what only the refresh provides, e.g. a symbol an extension
    registers; or a numba whose private API has changed), numba's own load runs instead,
    refresh first."""
    try:
        from numba.core.runtime import rtsys

        rtsys.initialize(target_context)
        with cache._guard_against_spurious_io_errors():
            return cache._load_overload(sig, target_context)
    except Exception:
        return type(cache).load_overload(cache, sig, target_context)


def cached_here(dispatcher) -> bool | None:
    """Whether numba's cache holds ``dispatcher`` compiled for this machine and for its
    current source (any signature); None where that cannot be told (numba's private
    cache API missing or changed)."""
    try:
        from numba.core.registry import cpu_target

        cache = dispatcher._cache
        probe = cache._index_key(None, cpu_target.target_context.codegen())
        index = cache._cache_file._load_index()
        return any(tuple(key[1:]) == tuple(probe[1:]) for key in index)
    except Exception:
        return None
