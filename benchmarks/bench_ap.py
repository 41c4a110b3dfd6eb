#!/usr/bin/env python
"""Benchmark lda-vi against scikit-learn and gensim on the AP corpus (lda-c format).

Every fit runs in its own child process (this script again, in ``--one TOOL K``
mode), so that peak memory is measured per fit and no library's threads or
caches leak into another's timing. The parent collects the children's JSON
results, prints Markdown tables to stdout and writes everything, with the
machine's description, to ``benchmarks/results/ap-<date>.json``.

Usage::

    python benchmarks/bench_ap.py [--k 20,50] [--iters 50] [--threads N] [--quick]

See ``benchmarks/README.md`` for what each number means.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
AP_DIR = REPO.parent / "shared" / "corpora" / "ap"
RESULTS_DIR = REPO / "benchmarks" / "results"
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

from machine import cpu_busy_seconds  # noqa: E402  (benchmarks/machine.py)

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
HELD_OUT_FRACTION = 0.10
CURVE_POINTS = (5, 10, 20, 30, 50)
ETA = 0.01
BUSY_CORES = 0.25   # other processes' average CPU use above which a run is flagged
TOOLS = ("lda-vi", "sklearn", "gensim", "gensim-decay0", "lda-vi-defaults")
TOOL_LABELS = {
    "lda-vi": "lda-vi",
    "sklearn": "scikit-learn (batch)",
    "gensim": "gensim (update_every=0)",
    "gensim-decay0": "gensim (update_every=0, decay=0)",
    "lda-vi-defaults": "lda-vi, own defaults",
}


# --------------------------------------------------------------------------- data


def load_ap(ap_dir: Path) -> tuple[sp.csr_matrix, list[str]]:
    """The AP corpus as a D×V float64 CSR count matrix, and its vocabulary."""
    dat, vocab_path = ap_dir / "ap.dat", ap_dir / "vocab.txt"
    missing = [str(p) for p in (dat, vocab_path) if not p.is_file()]
    if missing:
        raise SystemExit(
            "bench_ap: the AP corpus is missing: " + ", ".join(missing) + "\n"
            f"  expected ap.dat and vocab.txt (lda-c format) in {ap_dir}"
        )
    vocab = vocab_path.read_text(encoding="utf-8").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    indptr, indices, data = [0], [], []
    with dat.open(encoding="ascii") as handle:
        for line_no, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            pairs = [p.split(":") for p in parts[1:]]
            if int(parts[0]) != len(pairs):
                raise SystemExit(f"bench_ap: {dat}:{line_no}: expected {parts[0]} id:count pairs")
            indices.extend(int(i) for i, _ in pairs)
            data.extend(float(c) for _, c in pairs)
            indptr.append(len(indices))
    X = sp.csr_matrix(
        (np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(indptr) - 1, len(vocab)),
    )
    X.sum_duplicates()
    X.sort_indices()
    return X, vocab


def make_split(X: sp.csr_matrix) -> dict:
    """The held-out split shared by every tool.

    A seeded 10% of documents (``default_rng(0)``) is held out; each held-out
    document's tokens are split in two halves with ``split_completion`` and
    ``default_rng(1)``.
    """
    from lda_vi.evaluate.metrics import split_completion

    D = X.shape[0]
    perm = np.random.default_rng(0).permutation(D)
    n_held = int(round(HELD_OUT_FRACTION * D))
    held = np.sort(perm[:n_held])
    train = np.sort(perm[n_held:])
    X_held = X[held]
    X_obs, X_second = split_completion(X_held, np.random.default_rng(1))
    return {"X_train": X[train], "X_obs": X_obs, "X_second": X_second,
            "n_train": len(train), "n_held": len(held)}


def to_bow(X: sp.csr_matrix) -> list[list[tuple[int, float]]]:
    """A CSR matrix as gensim's bag-of-words corpus (a list, so it has a len())."""
    ind, dat, ptr = X.indices.tolist(), X.data.tolist(), X.indptr.tolist()
    return [list(zip(ind[ptr[d]:ptr[d + 1]], dat[ptr[d]:ptr[d + 1]], strict=True))
            for d in range(X.shape[0])]


def completion_perplexity(split: dict, theta: np.ndarray, beta: np.ndarray) -> float:
    """Document-completion perplexity of the second halves (MATH.md, Held-out evaluation)."""
    from lda_vi.evaluate.metrics import completion_score, perplexity

    theta = np.asarray(theta, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    theta = theta / theta.sum(axis=1, keepdims=True)
    beta = beta / beta.sum(axis=1, keepdims=True)
    X2 = split["X_second"]
    return perplexity(completion_score(X2, theta, beta), float(X2.sum()))


# --------------------------------------------------------------------------- memory and machine


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB (empty if /proc is unavailable)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    """Live descendant process ids of ``pid`` (e.g. scikit-learn's loky workers)."""
    parent_of = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1:
            parent_of[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, pp in parent_of.items() if pp == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "?"


def source_fingerprint() -> str:
    """A hash of lda_vi/*.py, to notice the library changing during a long run."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "lda_vi").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def git_state() -> dict:
    def git(*cmd: str) -> str | None:
        try:
            return subprocess.run(["git", *cmd], cwd=REPO, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    status = git("status", "--porcelain", "--", "lda_vi")
    return {"commit": git("rev-parse", "HEAD"),
            "lda_vi_dirty": bool(status) if status is not None else None}


def threadpool_info() -> list[dict] | None:
    """threadpoolctl's view of the BLAS/OpenMP pools loaded, if threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_info as info
    except ImportError:
        return None
    keep = ("user_api", "internal_api", "num_threads", "version", "threading_layer",
            "architecture", "filepath")
    return [{k: pool.get(k) for k in keep} for pool in info()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info(unset_openblas: bool) -> dict:
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gib": mem_total_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version_of(name) for name in
                     ("lda-vi", "numpy", "scipy", "numba", "scikit-learn", "gensim",
                      "threadpoolctl", "joblib")},
        "openblas_env": {name: os.environ.get(name) for name in OPENBLAS_VARS},
        "openblas_env_unset_in_children": unset_openblas,
        "numba_num_threads_env": os.environ.get("NUMBA_NUM_THREADS"),
    }


# --------------------------------------------------------------------------- child: one fit


def _ldavi_warmup() -> float:
    """A tiny fit, so that compiling (or loading) the numba kernels is not timed."""
    from lda_vi.model.lda import LDA

    rng = np.random.default_rng(0)
    X = sp.random(40, 60, density=0.2, random_state=rng, format="csr")
    X.data = np.ceil(X.data * 3)
    start = time.perf_counter()
    model = LDA(k=3, alpha=0.3, eta=ETA, max_iter=2, tol=0, seed=0, threads=1).fit_counts(X)
    model.infer(X[:5])
    return time.perf_counter() - start


def _fit_ldavi(tool: str, k: int, iters: int, threads: int, split: dict):
    from lda_vi.model.lda import LDA

    if tool == "lda-vi-defaults":
        model = LDA(k=k, seed=0, threads=threads)
    else:
        model = LDA(k=k, alpha=1.0 / k, eta=ETA, max_iter=iters, tol=0, seed=0,
                    threads=threads)

    def fit():
        model.fit_counts(split["X_train"])
        return model

    def evaluate(m):
        return m.infer(split["X_obs"]).theta, m.beta

    def extra(m):
        info = {"stop_reason": m.trace.stop_reason, "converged": bool(m.trace.converged),
                "seconds_per_iteration_trace": [round(s, 4) for s in m.trace.seconds],
                "mean_inner_iterations": [round(x, 2) for x in m.trace.mean_inner],
                "final_elbo": m.trace.elbo[-1] if m.trace.elbo else None,
                "threads_used": m.run_info.get("settings", {}).get("threads")}
        if tool == "lda-vi-defaults":
            info["alpha_mean"] = float(np.mean(m.alpha))
            info["alpha_sum"] = float(np.sum(m.alpha))
            info["eta"] = float(m.eta)
        return info

    return fit, lambda m: m.trace.n_iter, evaluate, extra


def _fit_sklearn(k: int, iters: int, threads: int, split: dict):
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(
        n_components=k, doc_topic_prior=1.0 / k, topic_word_prior=ETA,
        learning_method="batch", max_iter=iters, n_jobs=threads, random_state=0,
        evaluate_every=-1)   # mean_change_tol, max_doc_update_iter: defaults

    def fit():
        return model.fit(split["X_train"])

    def evaluate(m):
        return m.transform(split["X_obs"]), m.components_

    def extra(m):
        params = m.get_params()
        return {"mean_change_tol": params["mean_change_tol"],
                "max_doc_update_iter": params["max_doc_update_iter"],
                "n_jobs": params["n_jobs"]}

    return fit, lambda m: int(m.n_iter_), evaluate, extra


def _fit_gensim(tool: str, k: int, iters: int, split: dict, vocab: list[str]):
    from gensim.models import LdaModel

    corpus = to_bow(split["X_train"])
    obs = to_bow(split["X_obs"])
    id2word = dict(enumerate(vocab))
    kwargs = {"decay": 0.0} if tool == "gensim-decay0" else {}

    def fit():
        return LdaModel(corpus, id2word=id2word, num_topics=k, alpha=np.full(k, 1.0 / k),
                        eta=ETA, update_every=0, chunksize=len(corpus), passes=iters,
                        iterations=50, random_state=0, eval_every=None, **kwargs)

    def evaluate(m):
        return m.inference(obs)[0], m.state.get_lambda()

    def extra(m):
        return {"decay": m.decay, "offset": m.offset, "gamma_threshold": m.gamma_threshold,
                "inner_iterations": m.iterations, "dtype": np.dtype(m.dtype).name,
                "blas_threads": [p.get("num_threads") for p in (threadpool_info() or [])
                                 if p.get("user_api") == "blas"]}

    return fit, lambda m: int(m.passes), evaluate, extra


def run_one(tool: str, k: int, iters: int, threads: int, ap_dir: Path) -> dict:
    """One fit in this (child) process: time, peak memory, completion perplexity."""
    X, vocab = load_ap(ap_dir)
    split = make_split(X)
    result = {"tool": tool, "k": k, "max_iter": iters, "threads": threads,
              "n_train_docs": split["n_train"], "n_held_docs": split["n_held"]}
    if tool in ("lda-vi", "lda-vi-defaults"):
        result["warmup_seconds"] = _ldavi_warmup()
        fit, n_iter, evaluate, extra = _fit_ldavi(tool, k, iters, threads, split)
    elif tool == "sklearn":
        fit, n_iter, evaluate, extra = _fit_sklearn(k, iters, threads, split)
    elif tool in ("gensim", "gensim-decay0"):
        fit, n_iter, evaluate, extra = _fit_gensim(tool, k, iters, split, vocab)
    else:
        raise SystemExit(f"bench_ap: unknown tool {tool!r}")
    del X
    gc.collect()
    before = proc_status()
    result["peak_reset"] = reset_peak_rss()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model = fit()
        result["fit_seconds"] = time.perf_counter() - start
    after = proc_status()
    worker_pids = descendants(os.getpid())
    workers = [proc_status(p) for p in worker_pids]
    result["iterations"] = n_iter(model)
    result["seconds_per_iteration"] = result["fit_seconds"] / max(result["iterations"], 1)
    result["rss_before_fit_mib"] = before.get("VmRSS", 0) / 1024
    result["peak_rss_mib"] = after.get("VmHWM", 0) / 1024
    result["fit_peak_mib"] = (after.get("VmHWM", 0) - before.get("VmRSS", 0)) / 1024
    result["workers"] = len(workers)
    result["workers_peak_rss_mib"] = sum(w.get("VmHWM", 0) for w in workers) / 1024
    result["worker_processes"] = [
        {"comm": _comm(p), "peak_rss_mib": w.get("VmHWM", 0) / 1024}
        for p, w in zip(worker_pids, workers, strict=True)]
    result["warnings"] = sorted({f"{w.category.__name__}: {w.message}"[:200] for w in caught})
    start = time.perf_counter()
    theta, beta = evaluate(model)
    result["perplexity"] = completion_perplexity(split, theta, beta)
    result["eval_seconds"] = time.perf_counter() - start
    result.update(extra(model))
    result["threadpools"] = threadpool_info()
    return result


def run_curve(k: int, iters: int, threads: int, ap_dir: Path) -> dict:
    """lda-vi's completion perplexity after n = 5, 10, 20, ... iterations (refits, tol=0)."""
    from lda_vi.model.lda import LDA

    X, _ = load_ap(ap_dir)
    split = make_split(X)
    _ldavi_warmup()
    points = sorted({n for n in CURVE_POINTS if n <= iters} | {iters})
    curve = []
    for n in points:
        model = LDA(k=k, alpha=1.0 / k, eta=ETA, max_iter=n, tol=0, seed=0, threads=threads)
        start = time.perf_counter()
        model.fit_counts(split["X_train"])
        seconds = time.perf_counter() - start
        theta, beta = model.infer(split["X_obs"]).theta, model.beta
        curve.append({"iterations": n, "fit_seconds": seconds,
                      "perplexity": completion_perplexity(split, theta, beta)})
    return {"tool": "lda-vi-curve", "k": k, "threads": threads, "curve": curve}


def run_compile() -> dict:
    """Import lda-vi and fit a tiny model; NUMBA_CACHE_DIR is set by the parent."""
    start = time.perf_counter()
    import lda_vi.model.lda  # noqa: F401

    import_seconds = time.perf_counter() - start
    fit_seconds = _ldavi_warmup()
    return {"tool": "compile", "import_seconds": import_seconds,
            "tiny_fit_seconds": fit_seconds,
            "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR")}


# --------------------------------------------------------------------------- parent


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_env(unset_openblas: bool, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    if unset_openblas:
        for name in OPENBLAS_VARS:
            env.pop(name, None)
    env.update(extra)
    return env


def spawn(args: argparse.Namespace, tool: str, k: int, threads: int, env: dict,
          label: str) -> dict:
    """Run one child (``--one TOOL K``) and return its JSON result (or the error)."""
    with tempfile.TemporaryDirectory(prefix="bench_ap_") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one", tool, str(k),
               "--iters", str(args.iters), "--threads", str(threads),
               "--ap-dir", str(args.ap_dir), "--result", str(out)]
        print(f"bench_ap: {label} ...", file=sys.stderr, flush=True)
        busy0, own0, load0 = cpu_busy_seconds(), children_cpu_seconds(), os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        busy1, own = cpu_busy_seconds(), children_cpu_seconds() - own0
        # CPU used by other processes on the machine while this child ran, in cores
        other = (None if busy0 is None or busy1 is None
                 else max(0.0, (busy1 - busy0 - own) / wall))
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or "").strip().splitlines()[-5:]
            print(f"bench_ap: {label} FAILED (exit {proc.returncode}):\n  " + "\n  ".join(tail),
                  file=sys.stderr, flush=True)
            return {"tool": tool, "k": k, "threads": threads, "error": "\n".join(tail),
                    "returncode": proc.returncode}
        result = json.loads(out.read_text(encoding="utf-8"))
    result["child_wall_seconds"] = wall
    result["child_cpu_seconds"] = own
    result["other_processes_cores"] = other
    result["loadavg_1min_before"] = load0
    summary = ""
    if "fit_seconds" in result:
        summary = (f"{result['fit_seconds']:.1f} s fit, {result['iterations']} it, "
                   f"perplexity {result['perplexity']:.1f}")
    if other is not None:
        summary += f" [other processes: {other:.2f} cores]"
    print(f"bench_ap: {label} done in {wall:.1f} s {summary}", file=sys.stderr, flush=True)
    return result


def importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def orchestrate(args: argparse.Namespace) -> dict:
    ks = args.k
    tools = list(args.tools)
    skipped = {}
    for tool, module in (("sklearn", "sklearn"), ("gensim", "gensim"),
                         ("gensim-decay0", "gensim")):
        if tool in tools and not importable(module):
            tools.remove(tool)
            skipped[tool] = f"{module} is not installed (pip install -e '.[bench]')"
    for tool, why in skipped.items():
        print(f"bench_ap: skipping {tool}: {why}", file=sys.stderr)
    env = child_env(args.unset_openblas_env)
    T = args.threads
    report: dict = {"runs": [], "curves": [], "skipped": skipped}

    # numba compile time: a fresh cache directory, then the same one again
    cache_dir = tempfile.mkdtemp(prefix="bench_ap_numba_")
    try:
        cenv = child_env(args.unset_openblas_env, NUMBA_CACHE_DIR=cache_dir)
        cold = spawn(args, "compile", 0, 1, cenv, "numba compile, cold cache")
        warm = spawn(args, "compile", 0, 1, cenv, "numba compile, warm cache")
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    report["compile"] = {"cold": cold, "warm": warm}

    for k in ks:
        for tool in tools:
            report["runs"].append(spawn(args, tool, k, T, env, f"{tool} K={k} threads={T}"))
        if "lda-vi" in tools:
            report["curves"].append(spawn(args, "lda-vi-curve", k, T, env,
                                          f"lda-vi convergence curve K={k}"))

    # thread scaling: lda-vi at the largest K (50 by default), 1 thread vs 2 (or T)
    if "lda-vi" in tools:
        k_scale = 50 if 50 in ks else max(ks)
        multi = T if T > 1 else 2
        scaling = {"k": k_scale, "runs": {}}
        for t in sorted({1, multi}):
            same = [r for r in report["runs"] if r.get("tool") == "lda-vi"
                    and r.get("k") == k_scale and r.get("threads") == t]
            scaling["runs"][str(t)] = same[0] if same else spawn(
                args, "lda-vi", k_scale, t, env, f"lda-vi K={k_scale} threads={t}")
        report["scaling"] = scaling
    return report


# --------------------------------------------------------------------------- tables


def _find(runs: list[dict], tool: str, k: int) -> dict | None:
    for r in runs:
        if r.get("tool") == tool and r.get("k") == k and "error" not in r:
            return r
    return None


def summarize(report: dict, args: argparse.Namespace) -> dict:
    """Derived numbers: time ratios, thread speed-up, compile time, time-to-quality."""
    runs = report["runs"]
    summary: dict = {"ratios": {}, "time_to_sklearn_perplexity": {}}
    for k in args.k:
        base = _find(runs, "lda-vi", k)
        for r in runs:
            if r.get("k") == k and "fit_seconds" in r and base:
                r["time_vs_ldavi"] = r["fit_seconds"] / base["fit_seconds"]
                r["s_per_iter_vs_ldavi"] = (r["seconds_per_iteration"]
                                            / base["seconds_per_iteration"])
        sk = _find(runs, "sklearn", k)
        curve = next((c for c in report["curves"] if c.get("k") == k and "curve" in c), None)
        if sk and curve:
            target = sk["perplexity"]
            hit = next((p for p in curve["curve"] if p["perplexity"] <= target), None)
            summary["time_to_sklearn_perplexity"][str(k)] = {
                "sklearn_iterations": sk["iterations"], "sklearn_perplexity": target,
                "sklearn_fit_seconds": sk["fit_seconds"],
                "ldavi_iterations": hit["iterations"] if hit else None,
                "ldavi_fit_seconds": hit["fit_seconds"] if hit else None,
                "speedup": sk["fit_seconds"] / hit["fit_seconds"] if hit else None,
                "first_checkpoint": curve["curve"][0]["iterations"],
            }
    scaling = report.get("scaling")
    if scaling:
        r = scaling["runs"]
        keys = sorted(r, key=int)
        if len(keys) == 2 and all("fit_seconds" in r[x] for x in keys):
            one, many = r[keys[0]], r[keys[1]]
            scaling["speedup"] = one["seconds_per_iteration"] / many["seconds_per_iteration"]
            scaling["same_perplexity"] = one["perplexity"] == many["perplexity"]
    comp = report.get("compile", {})
    cold, warm = comp.get("cold", {}), comp.get("warm", {})
    if "tiny_fit_seconds" in cold and "tiny_fit_seconds" in warm:
        comp["compile_seconds"] = cold["tiny_fit_seconds"] - warm["tiny_fit_seconds"]
    return summary


def _all_runs(report: dict) -> list[dict]:
    runs = list(report["runs"]) + list(report["curves"])
    scaling = report.get("scaling", {}).get("runs", {})
    runs += [r for r in scaling.values() if r not in runs]
    return [r for r in runs if isinstance(r, dict)]


def _busy_mark(r: dict) -> str:
    return " †" if (r.get("other_processes_cores") or 0) > BUSY_CORES else ""


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def _mem(r: dict) -> str:
    text = f"{r['fit_peak_mib']:.0f}"
    if r.get("workers"):
        text += f" (+{r['workers_peak_rss_mib']:.0f} in {r['workers']} workers)"
    return text


def markdown(report: dict, summary: dict, args: argparse.Namespace, info: dict) -> str:
    lines = [
        f"AP corpus: {report['corpus']['documents']} documents, {report['corpus']['words']} "
        f"words, {report['corpus']['tokens']} tokens; {report['split']['n_train']} train, "
        f"{report['split']['n_held']} held out (document completion). "
        f"{info['cpu_model']}, {info['cores']} cores, threads={args.threads}, "
        f"max {args.iters} EM iterations, α=1/K, η={ETA} unless noted.",
        "",
        "| Tool | K | EM iterations | s / iteration | fit s | × lda-vi time "
        "| completion perplexity | fit peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k in args.k:
        for tool in TOOLS:
            r = _find(report["runs"], tool, k)
            if r is None:
                continue
            ratio = r.get("time_vs_ldavi")
            lines.append(
                f"| {TOOL_LABELS[tool]} | {k} | {r['iterations']} "
                f"| {r['seconds_per_iteration']:.3f} | {r['fit_seconds']:.1f}{_busy_mark(r)} "
                f"| {_fmt(ratio, '.1f')} | {r['perplexity']:.1f} | {_mem(r)} |")
    errors = [r for r in report["runs"] if "error" in r]
    for r in errors:
        lines.append(f"| {TOOL_LABELS.get(r['tool'], r['tool'])} | {r['k']} | failed "
                     "| | | | | |")
    lines.append("")

    ttq = summary["time_to_sklearn_perplexity"]
    if ttq or report["curves"]:
        lines += ["lda-vi completion perplexity by EM iterations (refits with tol=0):", "",
                  "| K | " + " | ".join(f"{p['iterations']} it" for p in
                                        report["curves"][0].get("curve", [])) + " |",
                  "|---:|" + "---:|" * len(report["curves"][0].get("curve", []))]
        for c in report["curves"]:
            if "curve" in c:
                lines.append(f"| {c['k']} | " + " | ".join(
                    f"{p['perplexity']:.1f} ({p['fit_seconds']:.1f} s)" for p in c["curve"])
                    + _busy_mark(c)
                    + " |")
        lines.append("")
        for k, t in ttq.items():
            if t["ldavi_iterations"] is None:
                lines.append(f"- K={k}: lda-vi did not reach scikit-learn's "
                             f"{t['sklearn_iterations']}-iteration perplexity "
                             f"({t['sklearn_perplexity']:.1f}) within {args.iters} iterations.")
            else:
                first = t["ldavi_iterations"] == t.get("first_checkpoint")
                lines.append(
                    f"- K={k}: lda-vi reaches scikit-learn's {t['sklearn_iterations']}-iteration "
                    f"perplexity ({t['sklearn_perplexity']:.1f}) after "
                    f"{'≤ ' if first else ''}{t['ldavi_iterations']} "
                    f"iterations{' (the first checkpoint)' if first else ''}, "
                    f"{t['ldavi_fit_seconds']:.1f} s vs "
                    f"{t['sklearn_fit_seconds']:.1f} s ({t['speedup']:.0f}× faster).")
    scaling = report.get("scaling")
    if scaling and "speedup" in scaling:
        r = scaling["runs"]
        keys = sorted(r, key=int)
        lines.append(
            f"- Threads, lda-vi K={scaling['k']}: {r[keys[0]]['seconds_per_iteration']:.3f} "
            f"s/iteration with {keys[0]}, {r[keys[1]]['seconds_per_iteration']:.3f} with "
            f"{keys[1]}: speed-up {scaling['speedup']:.2f}× "
            f"(perplexity identical: {'yes' if scaling['same_perplexity'] else 'no'})"
            f"{_busy_mark(r[keys[0]]) or _busy_mark(r[keys[1]])}.")
    comp = report.get("compile", {})
    if "compile_seconds" in comp:
        lines.append(
            f"- numba: first fit with an empty cache {comp['cold']['tiny_fit_seconds']:.1f} s, "
            f"with a warm cache {comp['warm']['tiny_fit_seconds']:.2f} s "
            f"(compile ≈ {comp['compile_seconds']:.1f} s, once per machine); "
            f"import lda_vi {comp['warm']['import_seconds']:.2f} s.")
    for k in args.k:
        d = _find(report["runs"], "lda-vi-defaults", k)
        if d:
            lines.append(
                f"- lda-vi defaults, K={k}: {d['iterations']} iterations "
                f"({d.get('stop_reason', '')}), {d['fit_seconds']:.1f} s, perplexity "
                f"{d['perplexity']:.1f}; learned Σα={d.get('alpha_sum', float('nan')):.3f}, "
                f"η={d.get('eta', float('nan')):.4f}.")
    g = _find(report["runs"], "gensim", args.k[0]) or _find(report["runs"], "gensim-decay0",
                                                             args.k[0])
    if g:
        lines.append(
            f"- gensim: one Python process, {g.get('dtype')} arithmetic, BLAS threads "
            f"{g.get('blas_threads')}; with update_every=0 each pass is a full E-step but "
            "λ is blended with the new statistics with weight ρ = 1 on the first pass, then "
            f"(offset + p + 1)^-decay on pass p ≥ 1 (offset={g.get('offset')}, "
            "default decay=0.5: ρ = 1, 1/√3, 1/2, ...); "
            "decay=0 makes every pass an exact batch EM iteration.")
    busy = [(r, r["other_processes_cores"]) for r in _all_runs(report)
            if (r.get("other_processes_cores") or 0) > BUSY_CORES]
    if busy:
        worst = max(c for _, c in busy)
        lines.append(
            f"- WARNING: other processes kept the machine busy during {len(busy)} of the runs "
            f"(up to {worst:.1f} of {info['cores']} cores; † in the table): their timings are "
            "inflated, "
            "most of all the multi-threaded ones (`other_processes_cores` in the JSON).")
    if info.get("lda_vi_source_changed_during_run"):
        lines.append("- WARNING: lda_vi/*.py changed while the benchmark ran.")
    env = info["openblas_env"]
    lines.append(
        "- OpenBLAS env: " + ", ".join(f"{k}={v!r}" for k, v in env.items())
        + (" (unset in the children)" if args.unset_openblas_env else ""))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--k", default="20,50", help="comma-separated numbers of topics (20,50)")
    p.add_argument("--iters", type=int, default=50, help="EM iterations of every tool (50)")
    p.add_argument("--threads", type=int, default=cores,
                   help=f"threads for lda-vi and n_jobs for scikit-learn (all cores: {cores})")
    p.add_argument("--quick", action="store_true", help="smoke run: K=20, 10 iterations")
    p.add_argument("--tools", default=",".join(TOOLS),
                   help="comma-separated subset of: " + ", ".join(TOOLS))
    p.add_argument("--unset-openblas-env", action="store_true",
                   help="unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the child processes")
    p.add_argument("--ap-dir", type=Path, default=AP_DIR, help=f"AP corpus folder ({AP_DIR})")
    p.add_argument("--output", type=Path, default=None,
                   help="JSON results file (benchmarks/results/ap-<date>.json)")
    p.add_argument("--one", nargs=2, metavar=("TOOL", "K"), help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.k, args.iters = "20", 10
    try:
        args.k = [int(x) for x in str(args.k).split(",") if x.strip()]
    except ValueError:
        p.error(f"--k must be comma-separated whole numbers, got {args.k!r}")
    if not args.k or min(args.k) < 1:
        p.error("--k needs at least one number of topics >= 1")
    if args.iters < 1 or args.threads < 1:
        p.error("--iters and --threads must be >= 1")
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown:
        p.error(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")
    return args


def child_main(args: argparse.Namespace) -> int:
    tool, k = args.one[0], int(args.one[1])
    if tool == "compile":
        result = run_compile()
    elif tool == "lda-vi-curve":
        result = run_curve(k, args.iters, args.threads, args.ap_dir)
    else:
        result = run_one(tool, k, args.iters, args.threads, args.ap_dir)
    args.result.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.one:
        return child_main(args)
    X, _ = load_ap(args.ap_dir)   # exits with a clear message if the corpus is absent
    split = make_split(X)
    info = machine_info(args.unset_openblas_env)
    info["threadpools_parent"] = threadpool_info()
    info["git"] = git_state()
    fingerprint = source_fingerprint()
    started = time.perf_counter()
    report = orchestrate(args)
    info["lda_vi_source_sha256"] = fingerprint
    info["lda_vi_source_changed_during_run"] = source_fingerprint() != fingerprint
    if info["lda_vi_source_changed_during_run"]:
        print("bench_ap: WARNING: lda_vi/*.py changed while the benchmark ran; "
              "the lda-vi runs may not all measure the same code", file=sys.stderr)
    report["corpus"] = {"path": str(args.ap_dir), "documents": X.shape[0],
                        "words": X.shape[1], "tokens": int(X.sum())}
    report["split"] = {"n_train": split["n_train"], "n_held": split["n_held"],
                       "held_out_fraction": HELD_OUT_FRACTION,
                       "tokens_observed": int(split["X_obs"].sum()),
                       "tokens_scored": int(split["X_second"].sum())}
    summary = summarize(report, args)
    table = markdown(report, summary, args, info)
    now = _dt.datetime.now()
    output = args.output or RESULTS_DIR / (
        f"ap-{now:%Y-%m-%d}{'-quick' if args.quick else ''}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = {"date": now.isoformat(timespec="seconds"),
               "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
               "settings": {"k": args.k, "iters": args.iters, "threads": args.threads,
                            "tools": args.tools, "quick": args.quick, "eta": ETA,
                            "alpha": "1/K", "curve_points": list(CURVE_POINTS)},
               "machine": info, **report, "summary": summary,
               "total_seconds": time.perf_counter() - started, "markdown": table}
    output.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(table)
    print(f"bench_ap: results written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
