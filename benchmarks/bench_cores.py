#!/usr/bin/env python
"""Do this machine's cores run floating-point code independently? A check for the
2-thread figures of ``bench_iteration.py``.

Two kernels of an EM iteration, each run in one process alone, then in ``--procs``
processes at once (separate processes: no GIL, no shared data, nothing in common but the
hardware):

- ``inner``: the inner pass of lda-vi's E-step (the normalizers of (E3) and the sums of
  (E4) for one document of 134 words at K = 50, whose 53 KB stay near the core), ``--n``
  passes; chains of dependent additions, which leave execution units idle;
- ``topic``: the topic pass (ψ, log Γ and exp of every λ_kw, K = 50 by V = 10,473, as on
  AP), ``--n`` / 150 passes; vector arithmetic that keeps the units busy.
 On cores that
do not share execution units each process keeps its solo speed (a slowdown of 1.0);
on two hardware threads of one core (SMT siblings, as a VM's vCPUs may be) the
vector units are shared and each process slows down, which bounds what a second
thread can give the E-step. The machine's busy cores during the solo run are printed
too: another job running at the same time makes any figure meaningless. Usage::

    python benchmarks/bench_cores.py [--procs 2] [--n 300000] [--repeat 3] [--kernels inner,topic]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from machine import cpu_busy_seconds  # noqa: E402


def child(kernel: str, n: int) -> float:
    """Microseconds per pass of ``kernel`` ('inner' or 'topic'), in this process."""
    import numpy as np
    from numba import njit

    from lda_vi.engine.pass_kernels import accumulate, normalizers
    from lda_vi.engine.topic_kernels import TOPIC_BLOCK, topic_blocks

    K, words = 50, 134
    rng = np.random.default_rng(0)
    if kernel == "topic":
        lamT = rng.gamma(0.3, 3.0, size=(10_473, K)) + 0.01
        out = np.empty_like(lamT)
        blocks = -(-lamT.shape[0] // TOPIC_BLOCK)
        partial = np.zeros((blocks, 4, K))
        lam_sum = lamT.sum(axis=0)
        count = max(1, n // 150)
        topic_blocks(0, blocks, lamT, lam_sum, out, partial)            # compile or load
        start = time.perf_counter()
        for _ in range(count):
            topic_blocks(0, blocks, lamT, lam_sum, out, partial)
        return (time.perf_counter() - start) / count * 1e6
    bT, t, cts = rng.random((K, words)), rng.random(K), rng.random(words) + 1.0
    norm, ratio, acc = np.empty(words), np.empty(words), np.empty(K)

    @njit
    def passes(count, bT, t, norm, cts, ratio, acc):
        for _ in range(count):
            normalizers(bT, t, norm)
            accumulate(bT, cts, norm, ratio, acc)

    passes(10, bT, t, norm, cts, ratio, acc)                       # compile
    start = time.perf_counter()
    passes(n, bT, t, norm, cts, ratio, acc)
    return (time.perf_counter() - start) / n * 1e6


def run(kernel: str, procs: int, n: int) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    children = [subprocess.Popen([sys.executable, __file__, "--child", kernel, str(n)],
                                 stdout=subprocess.PIPE, text=True, env=env)
                for _ in range(procs)]
    return [float(c.communicate()[0].strip().splitlines()[-1]) for c in children]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--n", type=int, default=300_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--kernels", default="inner,topic", help="inner, topic or both")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(child(args.child[0], int(args.child[1])))
        return 0
    for kernel in args.kernels.split(","):
        solo, together, busy = [], [], []
        for _ in range(args.repeat):
            b0, w0 = cpu_busy_seconds(), time.monotonic()
            solo.append(run(kernel, 1, args.n)[0])
            b1, w1 = cpu_busy_seconds(), time.monotonic()
            busy.append((b1 - b0) / (w1 - w0) if b0 is not None else None)
            together.append(max(run(kernel, args.procs, args.n)))
        best_solo, best_together = min(solo), min(together)
        print(json.dumps({"kernel": kernel, "solo_us": solo, "together_us": together,
                          "busy_cores_solo": busy}))
        print(f"{kernel}: one process alone: {best_solo:.3f} µs per pass; {args.procs} at "
              f"once: {best_together:.3f} µs (the slowest of them; fastest of {args.repeat} "
              f"runs)\nslowdown {best_together / best_solo:.2f}× (1.0: independent cores; the "
              f"most {args.procs} threads can give this kernel is about "
              f"{args.procs * best_solo / best_together:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
