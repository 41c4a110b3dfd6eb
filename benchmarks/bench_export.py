"""Writing the K×V topic-word table: lda-vi 0.1.0's csv.writer loop against the vectorized writer.

The table of ``fit --all-words`` at K=50, V=10,473 (AP's vocabulary): 523,650 rows of
``topic,rank,word,probability``. "before" is the 0.1.0 code (csv.writer, one row at a time,
``repr`` of each number), restated here; "after" is ``lda_vi.io.export.write_topic_words``.
"two files" is ``fit -o DIR --topic-words FILE --all-words``: before, the table was formatted
twice; now once. Prints the best of --repeat runs of each, and checks that the bytes agree.

    .venv/bin/python benchmarks/bench_export.py
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from lda_vi.io.atomic import atomic_open
from lda_vi.io.export import write_topic_words


def write_topic_words_010(path, beta, words, top_n) -> None:
    """lda-vi 0.1.0's writer, with the ``label`` column the tables have had since."""
    K, V = beta.shape
    n = V if top_n is None else max(0, min(int(top_n), V))
    order = np.argsort(-beta, axis=1, kind="stable")[:, :n]
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["topic", "rank", "word", "probability", "label"])
        for k in range(K):
            for rank, w in enumerate(order[k], start=1):
                writer.writerow([k, rank, words[w], repr(float(beta[k, w])), f"topic_{k}"])


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=50)
    parser.add_argument("-v", type=int, default=10473)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    # a fitted model's λ: η plus sparse, heavy-tailed counts
    lam = 0.01 + rng.gamma(0.05, 200.0, size=(args.k, args.v)) * (rng.random((args.k, args.v))
                                                                  < 0.3)
    beta = lam / lam.sum(axis=1, keepdims=True)
    words = [f"word{i}" for i in range(args.v)]
    with tempfile.TemporaryDirectory() as tmp:
        a, b, c = Path(tmp, "a.csv"), Path(tmp, "b.csv"), Path(tmp, "c.csv")
        one_before = best(lambda: write_topic_words_010(a, beta, words, None), args.repeat)
        one_after = best(lambda: write_topic_words(b, beta, words, None), args.repeat)
        assert a.read_bytes() == b.read_bytes(), "the bytes differ"
        two_before = best(lambda: (write_topic_words_010(a, beta, words, None),
                                   write_topic_words_010(b, beta, words, None)), args.repeat)
        two_after = best(lambda: write_topic_words([b, c], beta, words, None), args.repeat)
        size = a.stat().st_size
    print(f"K={args.k} V={args.v}: {args.k * args.v:,} rows, {size / 2**20:.1f} MiB, "
          f"best of {args.repeat}")
    print(f"  one file   before {one_before:6.2f} s   after {one_after:6.2f} s   "
          f"{one_before / one_after:4.1f}x")
    print(f"  two files  before {two_before:6.2f} s   after {two_after:6.2f} s   "
          f"{two_before / two_after:4.1f}x")


if __name__ == "__main__":
    main()
