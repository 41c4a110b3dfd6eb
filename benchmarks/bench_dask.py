#!/usr/bin/env python
"""The Dask engine against the local one: bytes moved and seconds per EM iteration.

A synthetic LDA corpus (100,000 documents by default) is fitted for a few batch EM
iterations twice from the same seed: in this process (:class:`LocalEngine`, every
core) and on a local cluster of 2 worker processes (:class:`DaskEngine`). Both give
the same bits (checked here too); the table gives, per iteration, the seconds and
the bytes of array data the driver sent and received (γ goes out once, at the first
iteration, then stays on the workers) and the bytes of γ copied from worker to
worker (the copy that survives a lost worker). Usage::

    python benchmarks/bench_dask.py [--docs 100000] [--iters 5] [--k 20]

Results go to stdout (Markdown) and ``benchmarks/results/dask-<date>.json``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from machine import cpu_busy_seconds  # noqa: E402


def synthetic(n_docs: int, n_words: int, k: int, doc_length: int, seed: int = 0):
    """Documents drawn from an LDA model (α = 0.1, η = 0.05), as D×V counts."""
    rng = np.random.default_rng(seed)
    beta = rng.dirichlet(np.full(n_words, 0.05), size=k)
    theta = rng.dirichlet(np.full(k, 0.1), size=n_docs)
    theta_cdf = np.cumsum(theta, axis=1)
    topics = (theta_cdf[:, None, :] < rng.random((n_docs, doc_length, 1))).sum(axis=-1)
    topics = np.minimum(topics, k - 1).ravel()
    words = np.empty_like(topics)
    u = rng.random(topics.shape)
    for t in range(k):                 # each topic's tokens by its word distribution
        mine = topics == t
        words[mine] = np.searchsorted(np.cumsum(beta[t]), u[mine])
    words = np.minimum(words, n_words - 1)
    rows = np.repeat(np.arange(n_docs), doc_length)
    X = sp.csr_matrix((np.ones(n_docs * doc_length), (rows, words)), shape=(n_docs, n_words))
    X.sum_duplicates()
    return X


def fit(corpus, k: int, iters: int, engine) -> tuple[object, list[dict]]:
    from lda_vi.engine.em import fit_batch
    from lda_vi.engine.settings import BatchSettings, Priors

    records: list[dict] = []

    def callback(report) -> None:
        row = {"iteration": report.iteration, "seconds": report.seconds}
        traffic = getattr(engine, "traffic", None)
        if traffic is not None:
            row |= traffic.as_dict()
        records.append(row)

    settings = BatchSettings(k, Priors(0.1, 0.05, learn_alpha=True, learn_eta=True),
                             max_iter=iters, tol=0.0)
    result = fit_batch(corpus, settings, np.random.default_rng(1), engine=engine,
                       callback=callback)
    return result, records


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--words", type=int, default=5000)
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--length", type=int, default=60, help="tokens per document (60)")
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--output", type=Path, default=None)
    args = p.parse_args(argv)

    from lda_vi.engine.backend import set_threads
    from lda_vi.engine.dask_engine import DaskEngine, connect
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.shards import LocalEngine
    from lda_vi.engine.warm import warm_up

    warm_up()
    X = synthetic(args.docs, args.words, args.k, args.length)
    corpus = prepare(X)
    cores = len(os.sched_getaffinity(0))
    busy0, wall0 = cpu_busy_seconds(), time.monotonic()
    set_threads(cores)
    local, local_rows = fit(corpus, args.k, args.iters, LocalEngine(corpus))
    with connect(n_workers=args.workers, threads_per_worker=max(1, cores // args.workers)) \
            as cluster:
        cluster.client.run(warm_up)
        with DaskEngine(corpus, cluster.client) as engine:
            remote, dask_rows = fit(corpus, args.k, args.iters, engine)
            describe = engine.describe()
    busy1, wall1 = cpu_busy_seconds(), time.monotonic()
    same = (np.array_equal(local.lam, remote.lam) and np.array_equal(local.gamma, remote.gamma)
            and local.elbo == remote.elbo)
    load = None if busy0 is None else (busy1 - busy0) / (wall1 - wall0)
    report = {"date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "docs": args.docs, "words": args.words, "k": args.k, "nnz": int(X.nnz),
              "iters": args.iters, "workers": args.workers, "cores": cores,
              "machine_busy_cores": load, "bit_identical": bool(same),
              "gamma_bytes": int(local.gamma.nbytes), "local": local_rows, "dask": dask_rows,
              "engine": describe}
    out = args.output or REPO / "benchmarks" / "results" / \
        f"dask-{_dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    mib = 2.0 ** 20
    print(f"{args.docs:,} documents, V={args.words}, K={args.k}, {X.nnz:,} non-zeros; "
          f"{args.workers} workers on {cores} cores; machine busy {load:.1f} cores on "
          f"average (all processes); bit-identical: {same}; γ is {local.gamma.nbytes / mib:.1f}"
          " MiB\n")
    print("| iteration | local s | dask s | to workers MiB | broadcast MiB | from workers MiB"
          " | γ copied worker→worker MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for a, b in zip(local_rows, dask_rows, strict=True):
        print(f"| {a['iteration']} | {a['seconds']:.2f} | {b['seconds']:.2f} | "
              f"{b['to_workers'] / mib:.2f} | {b['broadcast'] / mib:.2f} | "
              f"{b['from_workers'] / mib:.2f} | {b['gamma_copied'] / mib:.2f} |")
    print(f"\n(written to {out})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
