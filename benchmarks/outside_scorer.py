#!/usr/bin/env python3
"""Held-out figures as an outside scorer computes them, from the exported topic-word table.

For each corpus: a seeded 10% of the documents is held out and each held-out document's
tokens are split in halves at random; the training documents are written as lda-c and
fitted by ``lda-vi fit --topic-words tw.csv --all-words`` with its defaults, and by
scikit-learn's batch LDA on the same counts. The scorer knows nothing of either tool: it
reads β (K×V) from the table (lda-vi) or ``components_`` (scikit-learn), folds each first
half in by EM for a multinomial mixture with β fixed (θ ∝ θ ⊙ β (n / θβ), from uniform,
200 steps), and scores the second halves by Σ n log Σ_k θ_k β_kw. Completion perplexity =
exp(−score / tokens scored). A word missing from a table scores probability 0 (inf).

Corpora: AP's training split in lda-c (../shared/corpora/ap/ap.dat + vocab.txt, 2,021 +
225 documents), and a small news corpus of its first 395 documents.

    .venv/bin/python benchmarks/outside_scorer.py [--k 20] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
AP = ROOT.parent / "shared" / "corpora" / "ap"


def read_ldac(path: Path, n_words: int) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for d, line in enumerate(path.read_text().splitlines()):
        for item in line.split()[1:]:
            w, c = item.split(":")
            rows.append(d)
            cols.append(int(w))
            vals.append(float(c))
    return sp.csr_matrix((vals, (rows, cols)), shape=(d + 1, n_words))


def write_ldac(path: Path, X: sp.csr_matrix) -> None:
    with open(path, "w") as handle:
        for d in range(X.shape[0]):
            row = X.getrow(d)
            items = " ".join(f"{w}:{int(c)}" for w, c in zip(row.indices, row.data,
                                                             strict=True))
            handle.write(f"{row.nnz} {items}\n")


def halves(X: sp.csr_matrix, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each document's tokens split at random into two halves (dense, small corpora)."""
    first = np.zeros(X.shape)
    second = np.zeros(X.shape)
    for d in range(X.shape[0]):
        row = X.getrow(d)
        tokens = np.repeat(row.indices, row.data.astype(int))
        rng.shuffle(tokens)
        half = len(tokens) // 2
        np.add.at(first[d], tokens[:half], 1)
        np.add.at(second[d], tokens[half:], 1)
    return first, second


def score(beta: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """Completion perplexity with θ folded in by EM on the first halves (β fixed)."""
    K = beta.shape[0]
    theta = np.full((first.shape[0], K), 1.0 / K)
    for _ in range(200):
        mix = theta @ beta
        ratio = np.divide(first, mix, out=np.zeros_like(first), where=first > 0)
        theta = theta * (ratio @ beta.T)
        theta /= np.maximum(theta.sum(axis=1, keepdims=True), 1e-300)
    prob = theta @ beta
    with np.errstate(divide="ignore"):
        ll = np.where(second > 0, second * np.log(prob), 0.0).sum()
    return float(np.exp(-ll / second.sum()))


def ldavi_beta(train: Path, vocab: Path, k: int, seed: int, work: Path) -> np.ndarray:
    table = work / "tw.csv"
    subprocess.run([str(Path(sys.executable).with_name("lda-vi")), "fit", str(train),
                    "--format", "ldac", "--vocab", str(vocab), "-k", str(k), "--seed",
                    str(seed), "--topic-words", str(table), "--all-words", "-q", "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    words = {w: i for i, w in enumerate(vocab.read_text().split("\n")[:-1])}
    beta = np.zeros((k, len(words)))
    with open(table, newline="") as handle:
        for row in csv.DictReader(handle):
            beta[int(row["topic"]), words[row["word"]]] = float(row["probability"])
    return beta


def sklearn_beta(X: sp.csr_matrix, k: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import LatentDirichletAllocation

    lda = LatentDirichletAllocation(n_components=k, learning_method="batch", max_iter=50,
                                    random_state=seed, n_jobs=1)
    lda.fit(X)
    return lda.components_ / lda.components_.sum(axis=1, keepdims=True)


def run(name: str, X: sp.csr_matrix, words: list[str], k: int, seeds: list[int]) -> dict:
    D = X.shape[0]
    perm = np.random.default_rng(0).permutation(D)
    n_held = int(round(0.1 * D))
    held, train = np.sort(perm[:n_held]), np.sort(perm[n_held:])
    first, second = halves(X[held], np.random.default_rng(1))
    out = {"lda-vi": [], "scikit-learn": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_ldac(work / "train.dat", X[train])
        (work / "vocab.txt").write_text("".join(w + "\n" for w in words))
        for seed in seeds:
            beta = ldavi_beta(work / "train.dat", work / "vocab.txt", k, seed, work)
            out["lda-vi"].append(score(beta, first, second))
            out["scikit-learn"].append(score(sklearn_beta(X[train], k, seed), first, second))
            print(f"{name}  K={k}  seed {seed}  lda-vi {out['lda-vi'][-1]:8.1f}  "
                  f"scikit-learn {out['scikit-learn'][-1]:8.1f}  (V in table: "
                  f"{int((beta.sum(axis=0) > 0).sum())} of {len(words)})", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    if not AP.is_dir():
        sys.exit(f"{AP} is missing: this benchmark needs ../shared/corpora/ap")
    words = (AP / "vocab.txt").read_text().split()
    X = read_ldac(AP / "ap.dat", len(words))
    for name, counts in (("AP", X), ("AP-395", X[:395])):
        res = run(name, counts, words, args.k, args.seeds)
        print(f"{name}  K={args.k}  mean over seeds: lda-vi "
              f"{statistics.mean(res['lda-vi']):.1f}, scikit-learn "
              f"{statistics.mean(res['scikit-learn']):.1f}")


if __name__ == "__main__":
    main()
