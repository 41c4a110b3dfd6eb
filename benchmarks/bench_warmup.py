#!/usr/bin/env python
"""The E-step warm-up (``e_warmup``, lda_vi.engine.em.update_limit) against none, on AP.

For each K and seed, lda-vi's defaults (α and η learned, EM stopping at its tolerance)
are fitted to the AP training split of ``bench_ap.py`` twice, with each ``--warmups``
value (8 is the default: at most 8, 16, 32, 64 γ updates per document in the first EM
iterations; 0 is no warm-up, every E-step to its tolerance from the first iteration),
and each fit's final bound (nats), EM iterations, fit seconds (2 threads, kernels
compiled before the clock starts) and held-out completion perplexity (the halves of
``bench_ap.py``; lower is better) are printed as a Markdown table. Usage::

    python benchmarks/bench_warmup.py [--k 10,20,50,100] [--seeds 0,1] [--warmups 0,8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_ap import AP_DIR, load_ap, make_split  # noqa: E402


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--k", type=_ints, default=[10, 20, 50, 100])
    p.add_argument("--seeds", type=_ints, default=[0, 1])
    p.add_argument("--warmups", type=_ints, default=[0, 8])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ap-dir", type=Path, default=AP_DIR)
    args = p.parse_args(argv)

    from lda_vi.engine.warm import warm_up
    from lda_vi.evaluate.heldout import completion_from_split
    from lda_vi.model.lda import LDA

    X, _ = load_ap(args.ap_dir)
    split = make_split(X)
    warm_up()
    print("| K | seed | e_warmup | final bound | EM iterations | fit s | completion perplexity |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for k in args.k:
        for seed in args.seeds:
            for warmup in args.warmups:
                model = LDA(k=k, seed=seed, threads=args.threads, e_warmup=warmup)
                start = time.perf_counter()
                model.fit_counts(split["X_train"])
                seconds = time.perf_counter() - start
                perplexity, _, _ = completion_from_split(model, split["X_obs"],
                                                         split["X_second"])
                print(f"| {k} | {seed} | {warmup} | {model.trace.elbo[-1]:.6g} | "
                      f"{model.trace.n_iter} | {seconds:.2f} | {perplexity:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
