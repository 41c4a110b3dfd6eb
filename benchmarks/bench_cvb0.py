#!/usr/bin/env python
"""CVB0 side by side with VB, scikit-learn, gensim and tomotopy on the AP split.

Every fit runs in its own child process (this script again, ``--one TOOL K``),
so no library's threads or caches leak into another's timing. The AP corpus,
its held-out split and the completion scorer are those of ``bench_ap.py``
(seeded 10% of documents held out, each split in two halves; MATH.md
"Document completion"). The parent prints a Markdown table and writes every
result, with the machine's load during each fit, to
``benchmarks/results/cvb0-<date>-<time>.json``.

Tools (``--threads`` threads each, 2 by default):

- ``vb``: lda-vi, batch VB, its defaults (α and η learned, stops by ``tol``).
- ``cvb0``: lda-vi ``--inference cvb0``, its defaults.
- ``cvb0-fixed``: CVB0 with tomotopy's priors α = 0.1, η = 0.05, fixed.
- ``tomotopy``: collapsed Gibbs, α = 0.1, η = 0.05, 1,000 iterations
  (``--tomotopy-iters``); θ of held-out halves by its ``infer``.
- ``sklearn``, ``gensim``: batch VB, α = 0.1, η = 0.05, 50 iterations.
- ``cvb0-v4``, ``cvb0-newton`` (only when named in ``--tools``): CVB0 learning α
  and η by (V4) on the expected counts, or by Newton on (B1), instead of the
  default corrected fixed point.

Fit time includes building each tool's input from the count matrix; numba's
compilation is excluded (a tiny warm-up fit first).

Usage::

    python benchmarks/bench_cvb0.py [--k 20,50] [--threads 2] [--tools vb,cvb0,...]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from bench_ap import (  # noqa: E402
    AP_DIR,
    RESULTS_DIR,
    completion_perplexity,
    load_ap,
    machine_info,
    make_split,
    to_bow,
    version_of,
)
from machine import cpu_busy_seconds  # noqa: E402

TOOLS = ("vb", "cvb0", "cvb0-fixed", "tomotopy", "sklearn", "gensim")
#: CVB0 with the other ways of learning α and η (docs/cvb0.md), run only when named.
HYPER_TOOLS = {"cvb0-v4": "fixed-point", "cvb0-newton": "newton"}
LABELS = {"vb": "lda-vi VB, defaults", "cvb0": "**lda-vi CVB0, defaults**",
          "cvb0-fixed": "lda-vi CVB0, α=0.1, η=0.05", "tomotopy": "tomotopy Gibbs",
          "sklearn": "scikit-learn, batch", "gensim": "gensim, batch (update_every=0)",
          "cvb0-v4": "lda-vi CVB0, (V4) on the expected counts",
          "cvb0-newton": "lda-vi CVB0, Newton on (B1)"}
ALPHA, ETA, VB_ITERS = 0.1, 0.05, 50


def _warmup(inference: str) -> None:
    import scipy.sparse as sp

    from lda_vi.model.lda import LDA

    rng = np.random.default_rng(0)
    X = sp.random(40, 60, density=0.2, random_state=rng, format="csr")
    X.data = np.ceil(X.data * 3)
    model = LDA(k=3, max_iter=12, seed=0, threads=1, inference=inference).fit_counts(X)
    model.infer(X[:5])


def _ldavi(tool: str, k: int, threads: int, split: dict):
    from lda_vi.model.lda import LDA

    inference = "vb" if tool == "vb" else "cvb0"
    _warmup(inference)
    priors = {"alpha": ALPHA, "eta": ETA} if tool == "cvb0-fixed" else {}
    model = LDA(k=k, seed=0, threads=threads, inference=inference, **priors)

    def fit():
        return model.fit_counts(split["X_train"])

    def evaluate(m):
        return m.infer(split["X_obs"]).theta, m.beta

    def extra(m):
        return {"iterations": m.trace.n_iter, "stop_reason": m.trace.stop_reason,
                "alpha_sum": float(np.sum(m.alpha)), "eta": float(m.eta)}

    return fit, evaluate, extra


def _cvb0_hyper(tool: str, k: int, threads: int, split: dict):
    """CVB0 as the model's defaults run it, but learning α and η by ``HYPER_TOOLS[tool]``."""
    from lda_vi.engine.backend import set_threads
    from lda_vi.engine.cvb0 import fit_cvb0, fold_in
    from lda_vi.engine.layout import prepare
    from lda_vi.model.cvb0_fit import ALPHA0, ETA0

    _warmup("cvb0")
    set_threads(threads)

    def fit():
        return fit_cvb0(prepare(split["X_train"]), k, alpha=ALPHA0, eta=ETA0,
                        rng=np.random.default_rng(0), learn_alpha=True, learn_eta=True,
                        hyper_method=HYPER_TOOLS[tool])

    def evaluate(r):
        obs = prepare(split["X_obs"], r.lam.shape[1])
        return fold_in(obs, r.lam, r.alpha), r.lam

    return fit, evaluate, lambda r: {"iterations": r.n_iter, "alpha_sum": float(r.alpha.sum()),
                                     "eta": float(r.eta)}


def _tomotopy(k: int, threads: int, split: dict, iters: int):
    import tomotopy as tp

    def words_of(X, d):
        lo, hi = X.indptr[d], X.indptr[d + 1]
        return [str(w) for w, c in zip(X.indices[lo:hi], X.data[lo:hi], strict=True)
                for _ in range(int(c))]

    def fit():
        X = split["X_train"]
        model = tp.LDAModel(k=k, alpha=ALPHA, eta=ETA, seed=0)
        for d in range(X.shape[0]):
            words = words_of(X, d)
            if words:
                model.add_doc(words)
        model.train(iterations=iters, workers=threads)
        return model

    def evaluate(m):
        X, V = split["X_obs"], split["X_obs"].shape[1]
        vocab = {w: i for i, w in enumerate(m.used_vocabs)}
        n_k = np.asarray(m.get_count_by_topics(), dtype=np.float64)
        beta = np.tile((ETA / (n_k + len(vocab) * ETA))[:, None], (1, V))
        cols = np.array([int(w) for w in m.used_vocabs])
        for t in range(k):
            beta[t, cols] = m.get_topic_word_dist(t)
        theta = np.tile(np.full(k, 1.0 / k), (X.shape[0], 1))
        rows, docs = [], []
        for d in range(X.shape[0]):
            words = [w for w in words_of(X, d) if w in vocab]
            if words:
                rows.append(d)
                docs.append(m.make_doc(words))
        if docs:
            dists, _ = m.infer(docs, iterations=100, workers=threads)
            theta[rows] = np.array(dists)
        return theta, beta

    def extra(m):
        return {"iterations": iters, "ll_per_word": float(m.ll_per_word)}

    return fit, evaluate, extra


def _sklearn(k: int, threads: int, split: dict):
    from sklearn.decomposition import LatentDirichletAllocation

    model = LatentDirichletAllocation(n_components=k, doc_topic_prior=ALPHA,
                                      topic_word_prior=ETA, learning_method="batch",
                                      max_iter=VB_ITERS, n_jobs=threads, random_state=0)
    return (lambda: model.fit(split["X_train"]),
            lambda m: (m.transform(split["X_obs"]), m.components_),
            lambda m: {"iterations": int(m.n_iter_)})


def _gensim(k: int, split: dict):
    from gensim.models import LdaModel

    obs = to_bow(split["X_obs"])

    def fit():
        corpus = to_bow(split["X_train"])
        return LdaModel(corpus, num_topics=k, alpha=np.full(k, ALPHA), eta=ETA, update_every=0,
                        chunksize=len(corpus), passes=VB_ITERS, iterations=50, random_state=0,
                        eval_every=None, id2word={i: str(i) for i in range(split["X_train"]
                                                                         .shape[1])})

    return (fit, lambda m: (m.inference(obs)[0], m.state.get_lambda()),
            lambda m: {"iterations": VB_ITERS})


def run_one(tool: str, k: int, threads: int, tomotopy_iters: int, ap_dir: Path) -> dict:
    X, _ = load_ap(ap_dir)
    split = make_split(X)
    if tool in ("vb", "cvb0", "cvb0-fixed"):
        fit, evaluate, extra = _ldavi(tool, k, threads, split)
    elif tool in HYPER_TOOLS:
        fit, evaluate, extra = _cvb0_hyper(tool, k, threads, split)
    elif tool == "tomotopy":
        fit, evaluate, extra = _tomotopy(k, threads, split, tomotopy_iters)
    elif tool == "sklearn":
        fit, evaluate, extra = _sklearn(k, threads, split)
    elif tool == "gensim":
        fit, evaluate, extra = _gensim(k, split)
    else:
        raise SystemExit(f"bench_cvb0: unknown tool {tool!r}")
    start = time.perf_counter()
    model = fit()
    seconds = time.perf_counter() - start
    theta, beta = evaluate(model)
    return {"tool": tool, "k": k, "threads": threads, "fit_seconds": seconds,
            "perplexity": completion_perplexity(split, theta, beta), **extra(model)}


def spawn(args, tool: str, k: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_cvb0_") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one", tool, str(k),
               "--threads", str(args.threads), "--tomotopy-iters", str(args.tomotopy_iters),
               "--ap-dir", str(args.ap_dir), "--result", str(out)]
        print(f"bench_cvb0: {tool} K={k} ...", file=sys.stderr, flush=True)
        busy0, start = cpu_busy_seconds(), time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        busy1 = cpu_busy_seconds()
        if proc.returncode != 0 or not out.is_file():
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
            print(f"bench_cvb0: {tool} K={k} FAILED:\n{tail}", file=sys.stderr, flush=True)
            return {"tool": tool, "k": k, "error": tail}
        result = json.loads(out.read_text(encoding="utf-8"))
    if busy0 is not None and busy1 is not None:
        result["machine_busy_cores"] = (busy1 - busy0) / wall
    result["load_avg_after"] = os.getloadavg()[0]
    print(f"bench_cvb0: {tool} K={k}: {result['fit_seconds']:.1f} s, perplexity "
          f"{result['perplexity']:.0f}", file=sys.stderr, flush=True)
    return result


def table(runs: list[dict], ks: list[int]) -> str:
    lines = ["| tool | K | iterations | fit s | × tomotopy time | completion perplexity "
             "| × tomotopy perplexity |", "|---|---:|---:|---:|---:|---:|---:|"]
    for k in ks:
        tomo = next((r for r in runs if r["tool"] == "tomotopy" and r["k"] == k
                     and "error" not in r), None)
        for r in runs:
            if r["k"] != k or "error" in r:
                continue
            t = f"{r['fit_seconds'] / tomo['fit_seconds']:.2f}" if tomo else "–"
            p = f"{r['perplexity'] / tomo['perplexity']:.3f}" if tomo else "–"
            lines.append(f"| {LABELS[r['tool']]} | {k} | {r.get('iterations', '')} | "
                         f"{r['fit_seconds']:.1f} | {t} | {r['perplexity']:.0f} | {p} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", default="20,50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--tomotopy-iters", type=int, default=1000)
    parser.add_argument("--ap-dir", type=Path, default=AP_DIR)
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "K"))
    parser.add_argument("--result", type=Path)
    args = parser.parse_args(argv)
    if args.one:
        result = run_one(args.one[0], int(args.one[1]), args.threads, args.tomotopy_iters,
                         args.ap_dir)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0
    ks = [int(x) for x in args.k.split(",")]
    tools = [t for t in args.tools.split(",") if t]
    for tool, module in (("tomotopy", "tomotopy"), ("sklearn", "sklearn"),
                         ("gensim", "gensim")):
        if tool in tools and version_of({"sklearn": "scikit-learn"}.get(module, module)) is None:
            print(f"bench_cvb0: skipping {tool}: not installed (pip install -e '.[bench]')",
                  file=sys.stderr)
            tools.remove(tool)
    runs = [spawn(args, tool, k) for k in ks for tool in tools]
    text = table(runs, ks)
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"cvb0-{_dt.datetime.now().strftime('%Y-%m-%d-%H%M%S')}.json"
    info = machine_info(False)
    info["versions"]["tomotopy"] = version_of("tomotopy")
    path.write_text(json.dumps({"machine": info, "runs": runs, "table": text}, indent=1),
                    encoding="utf-8")
    print(f"bench_cvb0: results in {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
