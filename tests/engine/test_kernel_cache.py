"""A cached kernel is compiled afresh when a file it compiles in changes, not only its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("numba")

from lda_vi.engine import kernel_cache  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

HELPER = "from numba import njit\n\n@njit(cache=True)\ndef value():\n    return {}\n"
KERNEL = textwrap.dedent("""
    from pathlib import Path
    from numba import njit
    from lda_vi.engine.kernel_cache import bind_to_sources, sources_digest
    from helper import value

    @njit(cache=True)
    def kernel():
        return value() + 1

    HERE = Path(__file__).parent
    BOUND = BIND and bind_to_sources(globals(), sources_digest([HERE / "helper.py",
                                                                 HERE / "kernel.py"]))
""")


def _run(tmp: Path) -> str:
    code = "import kernel; print(kernel.kernel(), kernel.BOUND)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp, timeout=120,
                          env={"PYTHONPATH": f"{tmp}:{REPO}", "NUMBA_CACHE_DIR": str(tmp / "nc"),
                               "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def _python(code: str, cache_dir: Path, timeout: int = 180) -> list[str]:
    """Run ``code`` in a fresh interpreter with its own numba cache; its stdout, split."""
    env = {"PYTHONPATH": str(REPO), "NUMBA_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def _cached_kernels(modules) -> list:
    """The numba kernels defined (not imported) in ``modules`` that have a cache file."""
    import numba

    return [obj for module in modules for obj in vars(module).values()
            if isinstance(obj, numba.core.registry.CPUDispatcher)
            and obj.py_func.__module__ == module.__name__
            and getattr(obj._cache, "_cache_file", None) is not None]


@pytest.mark.parametrize("bind", [True, False])
def test_an_edit_of_a_compiled_in_helper_reaches_the_cached_kernel(tmp_path, bind):
    (tmp_path / "kernel.py").write_text(f"BIND = {bind}\n" + KERNEL)
    (tmp_path / "helper.py").write_text(HELPER.format(1))
    assert _run(tmp_path) == ["2", "1" if bind else "False"]
    assert _run(tmp_path)[0] == "2"                                # loaded from the cache
    (tmp_path / "helper.py").write_text(HELPER.format(41))         # the helper alone changes
    # bound to its helper's source, the kernel is compiled again; numba's own stamp
    # (the kernel's file only) would have kept the stale one
    assert _run(tmp_path)[0] == ("42" if bind else "2")


def test_every_cached_engine_kernel_is_bound_to_the_kernel_sources():
    from lda_vi.engine import (  # noqa: F401 - imported for their kernels
        cvb0_kernels,
        explog,
        kernels,
        pass_kernels,
        special,
        topic_kernels,
    )

    digest = kernel_cache._engine_digest()
    cached = _cached_kernels((cvb0_kernels, explog, kernels, pass_kernels, special,
                              topic_kernels))
    assert cached
    for kernel in cached:
        stamp = kernel._cache._cache_file._source_stamp
        assert isinstance(stamp, tuple) and stamp[-1] == digest, kernel.py_func.__name__


LOAD_PROBE = textwrap.dedent("""
    import sys
    import numba
    from numba import njit
    from lda_vi.engine.explog import exp_
    value = exp_(1.0)
    skipped = "numba.typed.dictimpl" not in sys.modules     # imported by a full refresh only

    @njit
    def fresh(x):                        # compiled here: needs the registries a load skips
        d = {1: x}
        return d[1] * 2.0

    print(value, skipped, fresh(1.5))
""")


def test_a_cached_kernel_loads_without_numba_s_registries_and_a_compile_still_works(tmp_path):
    """Loading from the cache skips numba's full context refresh
    (jit_load.load_without_refresh); a kernel compiled after it still finds every registry."""
    first = _python(LOAD_PROBE, tmp_path / "nc")       # compiles exp_ (a full refresh)
    second = _python(LOAD_PROBE, tmp_path / "nc")      # loads exp_ from the cache
    assert first[0] == second[0] and abs(float(first[0]) - 2.718281828459045) < 1e-15
    assert first[1] == "False" and second[1] == "True"
    assert first[2] == second[2] == "3.0"


def test_every_cached_kernel_loads_without_the_refresh():
    import functools

    from lda_vi import jit_load
    from lda_vi.engine import (  # noqa: F401 - imported for their kernels
        cvb0_kernels,
        explog,
        kernels,
        pass_kernels,
        special,
        topic_kernels,
    )
    from lda_vi.io import text_kernels

    cached = _cached_kernels((cvb0_kernels, explog, kernels, pass_kernels, special,
                              topic_kernels, text_kernels))
    quick = [obj for obj in cached if isinstance(obj._cache.load_overload, functools.partial)
             and obj._cache.load_overload.func is jit_load._load]
    assert text_kernels.format_floats in quick and kernels.estep_docs in quick
    assert cvb0_kernels.sweep_docs in quick                  # parallel=True ones too
    assert sorted(map(id, quick)) == sorted(map(id, cached))


def test_a_load_that_fails_without_the_refresh_falls_back_to_numba_s_own(monkeypatch):
    import contextlib

    import numba.core.runtime

    from lda_vi import jit_load

    calls, initialized = [], []

    class Context:
        def refresh(self):
            calls.append("refresh")

    class Cache:                          # numba's Cache, as far as _load uses it
        def load_overload(self, sig, context):
            context.refresh()
            return self._load_overload(sig, context)

        def _guard_against_spurious_io_errors(self):
            return contextlib.nullcontext()

        def _load_overload(self, sig, context):
            calls.append("load")
            if "refresh" not in calls:
                raise RuntimeError("Symbols not found: numba_extension_helper")
            return "overload"

    monkeypatch.setattr(numba.core.runtime.rtsys, "initialize", initialized.append)
    context = Context()
    assert jit_load._load(Cache(), "sig", context) == "overload"
    assert calls == ["load", "refresh", "load"] and initialized == [context]


CVB0_PROBE = textwrap.dedent("""
    import hashlib, sys
    import numpy as np
    import scipy.sparse as sp
    from lda_vi.model.lda import LDA
    X = sp.random(60, 80, density=0.2, format="csr", random_state=3, dtype=np.float64)
    X.data = np.ceil(X.data * 4)
    model = LDA(k=3, seed=0, max_iter=8, inference="cvb0", threads=2).fit_counts(X)
    print(hashlib.sha256(model.theta.tobytes() + model.beta.tobytes()).hexdigest(),
          "numba.typed.dictimpl" not in sys.modules)
""")


def test_parallel_kernels_loaded_without_the_refresh_give_the_same_bits(tmp_path):
    """CVB0's kernels are compiled with parallel=True; loaded from the cache without the
    refresh (their threads started by numba's reload_init), a fit on 2 threads gives the
    bits of the fit that compiled them."""
    # compiles, then loads from the cache
    runs = [_python(CVB0_PROBE, tmp_path / "nc", timeout=300) for _ in range(2)]
    assert runs[0][0] == runs[1][0]
    assert runs[1][1] == "True"                  # the second process never refreshed


def test_cached_here_reads_numba_s_index_and_says_none_when_it_cannot(tmp_path):
    from lda_vi import jit_load
    from lda_vi.engine import kernels

    assert jit_load.cached_here(object()) is None          # no numba cache to read
    # make install warmed the package's cache (and any compile here saved to it)
    assert jit_load.cached_here(kernels.estep_docs) is True
    probe = textwrap.dedent("""
        from lda_vi.engine.backend import kernels_cached
        print(kernels_cached())
    """)
    assert _python(probe, tmp_path / "empty") == ["False"]
