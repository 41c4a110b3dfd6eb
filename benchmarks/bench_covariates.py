#!/usr/bin/env python3
"""Covariates on AP: the cost per EM iteration and the held-out fit, with and without dates.

Builds a dated CSV of ../shared/corpora/ap (each document's wire date is in its id,
AP881218-0003 → 1988-12-18) in a temporary folder, then fits, for each seed, the same
model with and without ``--covariates date`` (``--holdout 0.1``, defaults otherwise) and
reports seconds per EM iteration and the held-out document-completion perplexity.

    .venv/bin/python benchmarks/bench_covariates.py [--k 20] [--seeds 1 2 3]

Results go to stdout and benchmarks/results/covariates.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AP = ROOT.parent / "shared" / "corpora" / "ap"


def dated_csv(folder: Path) -> Path:
    ids = (AP / "ids.txt").read_text().split()
    texts = (AP / "ap.txt").read_text(encoding="utf-8").splitlines()
    path = folder / "ap_dated.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "text"])
        for doc_id, text in zip(ids, texts, strict=True):
            d = doc_id[2:8]
            writer.writerow([doc_id, f"19{d[:2]}-{d[2:4]}-{d[4:6]}", text])
    return path


def fit(corpus: Path, out: Path, k: int, seed: int, covariates: bool) -> dict:
    args = [str(Path(sys.executable).with_name("lda-vi")), "fit", str(corpus), "--id-column", "id",
            "-k", str(k), "--seed", str(seed), "--holdout", "0.1", "-o", str(out), "-q",
            "--force"]
    if covariates:
        args += ["--covariates", "date"]
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    run = json.loads((out / "run.json").read_text())
    per_it = run["seconds_per_iteration"]
    return {"iterations": run["iterations"], "seconds_per_iteration":
            statistics.median(per_it[1:] or per_it),
            "completion_perplexity": run["heldout"]["completion_perplexity"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--write-csv", metavar="DIR", default=None,
                        help="only write ap_dated.csv into DIR (for the README's example)")
    args = parser.parse_args()
    if not AP.is_dir():
        sys.exit(f"{AP} is missing: this benchmark needs ../shared/corpora/ap")
    if args.write_csv:
        print(dated_csv(Path(args.write_csv)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = dated_csv(Path(tmp))
        for seed in args.seeds:
            for covariates in (False, True):
                r = fit(corpus, Path(tmp) / f"m{seed}{int(covariates)}", args.k, seed,
                        covariates)
                r |= {"seed": seed, "covariates": covariates}
                rows.append(r)
                print(f"seed {seed}  {'date' if covariates else 'none':>4}  "
                      f"{r['iterations']:3d} iterations  {r['seconds_per_iteration']:.3f} s/it  "
                      f"completion perplexity {r['completion_perplexity']:.1f}", flush=True)
    plain = [r for r in rows if not r["covariates"]]
    dated = [r for r in rows if r["covariates"]]
    ratio = statistics.median(d["seconds_per_iteration"] / p["seconds_per_iteration"]
                              for d, p in zip(dated, plain, strict=True))
    summary = {"k": args.k, "rows": rows, "time_ratio_per_iteration": ratio,
               "perplexity_plain": statistics.mean(r["completion_perplexity"] for r in plain),
               "perplexity_dated": statistics.mean(r["completion_perplexity"] for r in dated)}
    print(f"per EM iteration, with dates / without: {ratio:.2f}x; mean completion perplexity "
          f"{summary['perplexity_dated']:.1f} with dates, {summary['perplexity_plain']:.1f} "
          "without")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "covariates.json").write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
