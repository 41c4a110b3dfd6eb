#!/usr/bin/env python
"""Per EM iteration on AP at K=50: lda-vi on 1 and 2 threads, scikit-learn batch, and the
bare kernel pass, side by side in one run.

The AP training split of ``bench_ap.py`` (2,021 documents), α = 0.02, η = 0.01 fixed, no
E-step warm-up (``e_warmup=0``: every iteration's E-step runs to its tolerance, as scikit-learn's),
``--iters`` EM iterations (20). Each fit runs in its own child process, one after the
other, so one tool's threads do not slow another's. lda-vi's seconds per iteration
are the median over iterations 2..N of its own per-iteration clock; scikit-learn's are
its fit time over its iterations. The bare kernel pass is the E-step kernel alone
making exactly 10 updates of every document at the fitted state (no statistics, no
restarts, no bound or topic pass), divided by 10, the median of 5 runs;
lda-vi's seconds per inner iteration are an iteration's seconds over the mean number
of γ updates per document (both starts counted). The machine's load (all processes'
busy cores) is recorded beside each run. Usage::

    python benchmarks/bench_iteration.py [--iters 20] [--k 50] [--repeat 2]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_ap import AP_DIR, load_ap, make_split  # noqa: E402
from machine import cpu_busy_seconds  # noqa: E402

ALPHA, ETA = 0.02, 0.01
BARE_UPDATES = 10


def child(tool: str, k: int, iters: int, threads: int) -> dict:
    X, _ = load_ap(AP_DIR)
    X_train = make_split(X)["X_train"]
    if tool == "sklearn":
        from sklearn.decomposition import LatentDirichletAllocation

        model = LatentDirichletAllocation(n_components=k, doc_topic_prior=ALPHA,
                                          topic_word_prior=ETA, learning_method="batch",
                                          max_iter=iters, n_jobs=threads, random_state=0,
                                          evaluate_every=-1)
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        return {"s_per_iteration": seconds / model.n_iter_, "fit_seconds": seconds}
    from lda_vi.engine.backend import set_threads
    from lda_vi.engine.em import fit_batch
    from lda_vi.engine.estep import e_step
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.settings import BatchSettings, EStepSettings, Priors
    from lda_vi.engine.topics import expect_topics
    from lda_vi.engine.warm import warm_up

    warm_up()
    set_threads(threads)
    corpus = prepare(X_train)
    start = time.perf_counter()
    result = fit_batch(corpus, BatchSettings(k, Priors(ALPHA, ETA), max_iter=iters, tol=0.0,
                                             e_warmup=0),
                       np.random.default_rng(0))
    fit_seconds = time.perf_counter() - start
    per_iteration = float(np.median(result.seconds[1:]))
    inner = float(np.mean(result.mean_inner[1:]))
    bT = expect_topics(result.lam).expElogbetaT
    passes = []
    for _ in range(5):             # exactly BARE_UPDATES updates of every document
        gamma = result.gamma.copy()
        t0 = time.perf_counter()
        e_step(corpus, result.alpha, bT, gamma,
               EStepSettings(e_max_iter=BARE_UPDATES, e_tol=1e-300), sstats=False)
        passes.append((time.perf_counter() - t0) / BARE_UPDATES)
    bare = float(np.median(passes))
    return {"s_per_iteration": per_iteration, "fit_seconds": fit_seconds,
            "mean_inner": inner, "bare_pass_seconds": bare,
            "s_per_inner_iteration": per_iteration / inner,
            "inner_over_bare": per_iteration / inner / bare,
            "restart_share": result.restarted}


def spawn(tool: str, k: int, iters: int, threads: int) -> dict:
    busy0, wall0 = cpu_busy_seconds(), time.monotonic()
    proc = subprocess.run([sys.executable, __file__, "--child", tool, str(k), str(iters),
                           str(threads)], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
    busy1, wall1 = cpu_busy_seconds(), time.monotonic()
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row |= {"tool": tool, "threads": threads,
            "machine_busy_cores": (busy1 - busy0) / (wall1 - wall0) if busy0 else None}
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--k", type=int, default=50)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--repeat", type=int, default=2, help="runs of each (the fastest counts)")
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        tool, k, iters, threads = args.child
        print(json.dumps(child(tool, int(k), int(iters), int(threads))))
        return 0
    runs = []
    for _ in range(args.repeat):
        for tool, threads in (("lda-vi", 1), ("lda-vi", 2), ("sklearn", 2)):
            runs.append(spawn(tool, args.k, args.iters, threads))
            print(json.dumps(runs[-1]), file=sys.stderr)
    best = {}
    for r in runs:
        key = (r["tool"], r["threads"])
        if key not in best or r["s_per_iteration"] < best[key]["s_per_iteration"]:
            best[key] = r
    one, two, sk = best[("lda-vi", 1)], best[("lda-vi", 2)], best[("sklearn", 2)]
    out = REPO / "benchmarks" / "results" / f"iteration-{_dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"k": args.k, "iters": args.iters, "runs": runs}, indent=1))
    print(f"AP training split, K={args.k}, α={ALPHA}, η={ETA}, {args.iters} iterations, "
          f"fastest of {args.repeat}\n")
    print("| run | s / iteration | × lda-vi (2 threads) | machine busy cores |")
    print("|---|---:|---:|---:|")
    for label, r in (("lda-vi, 1 thread", one), ("lda-vi, 2 threads", two),
                     ("scikit-learn batch, n_jobs=2", sk)):
        print(f"| {label} | {r['s_per_iteration']:.4f} | "
              f"{r['s_per_iteration'] / two['s_per_iteration']:.1f} | "
              f"{r['machine_busy_cores']:.1f} |")
    ratio = sk["s_per_iteration"] / two["s_per_iteration"]
    print(f"\n- scikit-learn / lda-vi per iteration: {ratio:.1f}×"
          f"\n- 2 threads over 1: {one['s_per_iteration'] / two['s_per_iteration']:.2f}×"
          f"\n- per inner iteration {two['s_per_inner_iteration'] * 1e3:.2f} ms against a bare "
          f"kernel pass of {two['bare_pass_seconds'] * 1e3:.2f} ms: "
          f"{two['inner_over_bare']:.2f}× (mean {two['mean_inner']:.1f} γ updates per document)"
          f"\n\n(written to {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
