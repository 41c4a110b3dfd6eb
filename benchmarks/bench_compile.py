#!/usr/bin/env python
"""What a first run spends compiling the kernels (issue 17): CPU seconds with an empty
numba cache against a cached run, for ``warm_up()`` and for one small ``lda-vi fit``.

Each figure comes from a fresh process with its own ``NUMBA_CACHE_DIR``: the first run
in an empty one (every kernel compiled, then saved), the second in the same one (every
kernel loaded from it). Both are repeated ``--repeat`` times, each time in a new empty
directory, and the fastest run of each kind counts (the machine's other load only adds):

- ``warm_up()``: :func:`lda_vi.engine.warm.warm_up`, the tiny batch fit ``make install``
  runs to fill the cache, timed from inside with ``time.process_time`` (numba imported,
  every E-step and topic-pass kernel used by a fit with α and η learned);
- the command: ``lda-vi fit corpus.dat --vocab vocab.txt -k 10 --seed 0 -o OUT
  --all-words`` on a synthetic lda-c file (``--docs`` documents, ``--words`` words:
  the K×V topic-word table has enough numbers for the compiled CSV writers of
  :mod:`lda_vi.io.text_kernels`), the child's whole CPU time (interpreter, imports,
  reading, the fit, the outputs), from ``getrusage`` of the children.

The difference (empty less cached) is the compile cost; the target of issue 17 is at most
3 s. ``--tree DIR`` measures the ``lda_vi`` of another checkout (e.g. an older commit:
``git worktree add --detach DIR COMMIT``). Usage::

    python benchmarks/bench_compile.py [--repeat 3] [--docs 300] [--words 2000]
        [--tree DIR] [--skip-fit] [--skip-warm-up]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

WARM_UP = ("import time\n"
           "from lda_vi.engine.warm import warm_up\n"
           "c = time.process_time(); warm_up(); print(time.process_time() - c)\n")


def write_corpus(folder: Path, n_docs: int, n_words: int, seed: int = 0) -> tuple[Path, Path]:
    """A synthetic lda-c file (Zipf-like word frequencies, 20–120 distinct words per
    document) and its vocabulary, in ``folder``."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_words + 1)
    weights /= weights.sum()
    lines = []
    for _ in range(n_docs):
        ids = np.unique(rng.choice(n_words, size=int(rng.integers(20, 121)), p=weights))
        counts = rng.integers(1, 6, size=ids.size)
        lines.append(f"{ids.size} " + " ".join(f"{i}:{c}" for i, c in zip(ids, counts,
                                                                          strict=True)))
    corpus, vocab = folder / "corpus.dat", folder / "vocab.txt"
    corpus.write_text("\n".join(lines) + "\n")
    vocab.write_text("\n".join(f"word{i}" for i in range(n_words)) + "\n")
    return corpus, vocab


def child_cpu(argv: list[str], env: dict, cwd: Path) -> float:
    """CPU seconds (user + system) of one child process, from getrusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def warm_up_cpu(env: dict, cwd: Path) -> float:
    """CPU seconds of warm_up() in a fresh process, measured inside it."""
    out = subprocess.run([sys.executable, "-c", WARM_UP], env=env, cwd=cwd, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def measure(repeat: int, tree: Path, run) -> tuple[float, float]:
    """Fastest (empty cache, cached) CPU seconds of ``run(env)`` over ``repeat`` fresh
    cache directories."""
    empty, cached = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-compile-") as cache:
            env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=cache)
            empty.append(run(env))
            cached.append(run(env))
        print(f"  empty cache {empty[-1]:.2f} s, cached {cached[-1]:.2f} s", file=sys.stderr)
    return min(empty), min(cached)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--tree", type=Path, default=REPO,
                        help="the checkout whose lda_vi is measured (default: this one)")
    parser.add_argument("--skip-warm-up", action="store_true")
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-compile-data-") as data:
        data = Path(data)
        if not args.skip_warm_up:
            print("warm_up():", file=sys.stderr)
            rows.append(("warm_up()", *measure(args.repeat, tree,
                                                lambda env: warm_up_cpu(env, data))))
        if not args.skip_fit:
            corpus, vocab = write_corpus(data, args.docs, args.words)
            command = [sys.executable, "-m", "lda_vi", "fit", str(corpus), "--vocab",
                       str(vocab), "-k", "10", "--seed", "0", "-o", str(data / "out"),
                       "--force", "--all-words", "-q"]
            print(f"lda-vi fit ({args.docs} documents, {args.words} words, K=10):",
                  file=sys.stderr)
            rows.append((f"`lda-vi fit` ({args.docs}×{args.words}, K=10, --all-words)",
                         *measure(args.repeat, tree,
                                  lambda env: child_cpu(command, env, data))))
    print(f"CPU seconds, fastest of {args.repeat}, {tree}:\n")
    print("| run | empty cache | cached | compile (difference) |")
    print("|---|---:|---:|---:|")
    for name, empty, cached in rows:
        print(f"| {name} | {empty:.2f} | {cached:.2f} | {empty - cached:.2f} |")


if __name__ == "__main__":
    main()
