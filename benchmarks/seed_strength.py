#!/usr/bin/env python
"""How strong should seed words be? The experiment behind ``--seed-strength``'s default.

On AP text (``/work/shared/corpora/ap/ap.txt``) with the seed file
``docs/examples/ap_seeds.txt`` (three themes), fit K topics for every strength s
(and once without seeds), holding out 10% of the documents, and report per s:

* ``kept``: the share of the seed words (found in the vocabulary) that are among
  their topic's top 10 words, over the seeded topics: are the topics on their theme?
* ``top3``: the share of seeded topics whose 3 most probable words are all seeds:
  has the prior taken the topic over, so it says only what the seeds said?
* held-out document-completion perplexity (lower is better), and its change
  against the unseeded fit with the same seed: what the prior costs in fit.

Usage::

    python benchmarks/seed_strength.py [--k 20] [--seeds 1,2] [--strengths 1,3,10,30,100]

Prints a Markdown table (one row per s, means over the seeds) and writes the rows
to ``benchmarks/results/seed-strength.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lda_vi.evaluate.workflow import fit_documents  # noqa: E402
from lda_vi.io.text_readers import iter_documents  # noqa: E402
from lda_vi.model.lda import LDA  # noqa: E402
from lda_vi.text.seeds import load_seed_file  # noqa: E402

AP_TEXT = REPO.parent / "shared" / "corpora" / "ap" / "ap.txt"
SEED_FILE = REPO / "docs" / "examples" / "ap_seeds.txt"


def one_fit(docs, k: int, seed: int, seed_words, strength: float | None, max_iter: int):
    options = {} if strength is None else {"seed_words": seed_words, "seed_strength": strength}
    model = LDA(k=k, seed=seed, max_iter=max_iter, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = fit_documents(model, docs, holdout=0.1)
    perplexity = run.model.record.heldout.completion_perplexity
    if strength is None:
        return {"perplexity": perplexity}
    top = run.model.top_word_ids(10)
    kept, top3 = [], []
    for entry in run.model.record.seeds["topics"]:
        ids = {run.model.vocab.index(w) for w in entry["terms"]}
        kept.append(len(ids & set(top[entry["topic"]].tolist())) / len(ids))
        top3.append(set(top[entry["topic"], :3].tolist()) <= ids)
    return {"perplexity": perplexity, "kept": float(np.mean(kept)),
            "top3": float(np.mean(top3)),
            "tops": [[run.model.vocab[int(w)] for w in top[k]] for k in range(len(kept))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--strengths", default="1,3,10,30,100,300")
    parser.add_argument("--max-iter", type=int, default=100)
    args = parser.parse_args()
    docs = list(iter_documents(str(AP_TEXT)))
    seed_words = {t.label: list(t.words) for t in load_seed_file(SEED_FILE)}
    seeds = [int(s) for s in args.seeds.split(",")]
    strengths = [float(s) for s in args.strengths.split(",")]
    base = {seed: one_fit(docs, args.k, seed, seed_words, None, args.max_iter)["perplexity"]
            for seed in seeds}
    rows = [{"strength": None, "perplexity": float(np.mean(list(base.values())))}]
    print(f"| s | kept (seeds in their topic's top 10) | top 3 all seeds | completion "
          f"perplexity | vs unseeded |\n|---|---|---|---|---|\n"
          f"| no seeds | | | {rows[0]['perplexity']:.1f} | |", flush=True)
    for s in strengths:
        fits = [one_fit(docs, args.k, seed, seed_words, s, args.max_iter) for seed in seeds]
        change = np.mean([f["perplexity"] / base[seed] - 1 for f, seed in zip(fits, seeds,
                                                                               strict=True)])
        row = {"strength": s, "kept": float(np.mean([f["kept"] for f in fits])),
               "top3": float(np.mean([f["top3"] for f in fits])),
               "perplexity": float(np.mean([f["perplexity"] for f in fits])),
               "change": float(change), "tops": fits[0]["tops"]}
        rows.append(row)
        print(f"| {s:g} | {row['kept']:.2f} | {row['top3']:.2f} | {row['perplexity']:.1f} | "
              f"{100 * change:+.1f}% |", flush=True)
    out = REPO / "benchmarks" / "results" / "seed-strength.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"k": args.k, "seeds": seeds, "max_iter": args.max_iter,
                               "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
