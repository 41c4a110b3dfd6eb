"""Choosing K: fit a model for every K and seed, score each on the same held-out documents.

Shapes: D documents, V words, K topics. ``X_train`` and ``X_test`` are D×V count matrices
over one vocabulary (built from the training documents).

For every K and every seed, :func:`run_sweep` fits a model on ``X_train`` and records

* ``completion_perplexity``: document completion on ``X_test`` (MATH.md, Held-out
  evaluation), with one split of the held-out documents in halves shared by every model,
  so that the figures are paired;
* one column per coherence measure (``npmi``, ``umass`` unless others are chosen; see
  :mod:`lda_vi.evaluate.coherence`): the mean coherence of the topics' top words, counted
  over the training documents;
* ``fit_seconds``, ``iterations``;
* ``stability``: for each K, the mean similarity (1 − Hellinger) of Hungarian-matched topics
  over every pair of seeds (``evaluation.topic_stability``), repeated on each row of that K
  (``nan`` with a single seed).

No printing here: progress goes to a callback; :func:`write_sweep_csv` and
:func:`plot_sweep` write files atomically.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.evaluate.coherence import DEFAULT_MEASURES, MEASURES, model_coherence, parse_measures
from lda_vi.evaluate.heldout import (
    completion_from_split,
    completion_rng,
    completion_split,
    evaluate_heldout,
)
from lda_vi.evaluate.metrics import topic_stability
from lda_vi.io.atomic import atomic_open
from lda_vi.model.lda import LDA
from lda_vi.model.record import RESULTS_SCHEMA, SCHEMA_VERSION, UNITS, Results, json_number
from lda_vi.model.validation import MAX_WHOLE

__all__ = ["COLUMNS", "METRICS", "columns", "metrics", "run_sweep", "summarize",
           "write_sweep_csv", "plot_sweep", "parse_ks", "sweep_json"]


def columns(measures=DEFAULT_MEASURES) -> tuple[str, ...]:
    """The CSV columns of a sweep scoring the coherence ``measures``."""
    return ("k", "seed", "completion_perplexity", *measures, "fit_seconds", "iterations",
            "stability")


def metrics(measures=DEFAULT_MEASURES) -> tuple[str, ...]:
    """The metrics summarized per K (mean and sd over seeds) and plotted."""
    return ("completion_perplexity", *measures, "stability", "fit_seconds")


#: The columns and metrics with the default coherence measures.
COLUMNS = columns()
METRICS = metrics()


def _measures(rows: Sequence[dict]) -> tuple[str, ...]:
    """The coherence measures the rows hold, in their order."""
    return tuple(key for key in (rows[0] if rows else {}) if key in MEASURES)


def parse_ks(text: str) -> list[int]:
    """``"5,10,20"`` → ``[5, 10, 20]``: distinct whole numbers >= 1, in the order given."""
    ks: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        try:
            k = int(part)
        except ValueError:
            raise InputError(f"ks takes a comma-separated list of topic counts like 5,10,20; "
                             f"{part!r} is not a whole number", params=("ks",)) from None
        if not 1 <= k <= MAX_WHOLE:
            raise InputError(f"ks: every number of topics must be from 1 to {MAX_WHOLE}, got "
                             f"{k}", params=("ks",))
        if k not in ks:
            ks.append(k)
    return ks


def run_sweep(X_train: sp.spmatrix, X_test: sp.spmatrix, ks: Sequence[int],
              seeds: Sequence[int], *, split_seed: int = 0, top_n: int = 10,
              vocab=None, progress: Callable[[dict], None] | None = None,
              results: bool = False, oov_tokens: int = 0, coherence=DEFAULT_MEASURES,
              sequences=None, **model_kwargs) -> list[dict]:
    """Fit one model per K and seed; one row (a dict keyed by :func:`columns`) per fit.

    ``coherence``: the measures scored over the training documents; the sliding-window
    ones need ``sequences`` (:func:`lda_vi.evaluate.coherence.token_sequences` of the
    training documents, rows of ``X_train``).

    ``model_kwargs`` go to :class:`~lda_vi.model.lda.LDA` (``max_iter``, ``tol``, ``threads``,
    ``alpha``, ``eta``, ...); ``seed`` and ``k`` are set here. ``split_seed`` seeds the split
    of each held-out document's tokens in halves. ``progress`` is called with each row as
    soon as its model is fitted (before ``stability`` is known). With ``results``, each row
    also holds ``"results"``: the model's :class:`~lda_vi.model.record.Results` on the
    held-out documents (the per-word bound too; ``oov_tokens`` of them were out of the
    vocabulary), coherence over the training documents, as ``sweep --json`` writes them.
    """
    if not ks:
        raise InputError("ks: give at least one number of topics", params=("ks",))
    if not seeds:
        raise InputError("seeds: give at least one seed", params=("seeds",))
    if X_test.shape[0] == 0 or X_test.sum() == 0:
        raise InputError("the held-out documents have no word of the vocabulary; "
                         "hold out more documents (holdout)", params=("holdout",))
    measures = parse_measures(coherence)
    X_obs, X_held = completion_split(X_test, completion_rng(split_seed))
    rows: list[dict] = []
    for k in ks:
        betas = []
        k_rows = []
        for seed in seeds:
            model = LDA(k=int(k), seed=int(seed), **model_kwargs)
            model.fit_counts(X_train, vocab=vocab)
            value, _, _ = completion_from_split(model, X_obs, X_held)
            scores = model_coherence(model, measures, min(top_n, X_train.shape[1]),
                                     X=X_train, sequences=sequences)
            row = {"k": int(k), "seed": int(seed), "completion_perplexity": value,
                   **{m: float(scores[m].mean()) for m in measures},
                   "fit_seconds": float(model.record.fit_seconds),
                   "iterations": int(model.trace.n_iter), "stability": float("nan")}
            if results:
                row["results"] = _results(model, X_test, split_seed, scores, top_n,
                                          oov_tokens)
            betas.append(model.beta)
            k_rows.append(row)
            if progress is not None:
                progress(row)
        stability = topic_stability(betas)
        for row in k_rows:
            row["stability"] = stability
        rows.extend(k_rows)
    return rows


def _results(model, X_test, split_seed: int, scores: dict, top_n: int,
             oov_tokens: int) -> Results:
    figures = evaluate_heldout(model, X_test, completion_rng(split_seed))
    return Results.of(figures, oov_tokens, scores, min(top_n, len(model.vocab))
                      if model.vocab is not None else top_n, "training documents")


def sweep_json(rows: Sequence[dict], *, holdout: float, seed: int, corpus: dict) -> str:
    """``sweep --json``: one entry of the shared result schema per K and seed (docs/results.md).

    ``rows`` come from :func:`run_sweep` with ``results=True``.
    """
    runs = [{"k": r["k"], "seed": r["seed"], "iterations": r["iterations"],
             "fit_seconds": r["fit_seconds"], "stability": json_number(r["stability"]),
             **r["results"].to_dict()} for r in rows]
    document = {"schema": RESULTS_SCHEMA, "schema_version": SCHEMA_VERSION, "units": UNITS,
                "holdout": holdout, "seed": seed, "corpus": corpus, "runs": runs}
    return json.dumps(document, indent=2) + "\n"


def summarize(rows: Sequence[dict]) -> list[dict]:
    """One dict per K (in order of first appearance): ``k``, ``runs`` and, per metric,
    ``<metric>`` (mean over seeds) and ``<metric>_sd`` (sample sd, ``nan`` for one seed)."""
    out = []
    for k in dict.fromkeys(r["k"] for r in rows):
        group = [r for r in rows if r["k"] == k]
        entry = {"k": k, "runs": len(group)}
        for metric in metrics(_measures(rows)):
            values = np.array([r[metric] for r in group], dtype=np.float64)
            entry[metric] = float(values.mean())
            entry[f"{metric}_sd"] = float(values.std(ddof=1)) if len(values) > 1 else math.nan
        out.append(entry)
    return out


def write_sweep_csv(rows: Sequence[dict], path: str | os.PathLike) -> None:
    """CSV with the header :func:`columns` and one line per K and seed (atomically)."""
    names = columns(_measures(rows))
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([repr(row[c]) if isinstance(row[c], float) else row[c]
                             for c in names])


_LABELS = {"completion_perplexity": "held-out completion perplexity (lower is better)",
           "npmi": "mean NPMI, training docs (higher is better)",
           "umass": "mean UMass, training docs (higher is better)",
           "stability": "topic stability across seeds (1 = same topics)",
           "fit_seconds": "fit time (s)"}


def require_matplotlib():
    """Import matplotlib with a non-interactive backend, or a one-line install hint."""
    try:
        import matplotlib
    except ImportError:
        raise InputError("plot needs matplotlib: pip install 'lda-vi[plot]'",
                         params=("plot",)) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_sweep(rows: Sequence[dict], path: str | os.PathLike) -> None:
    """One panel per metric against K (mean ± sd over seeds, each seed a dot), as PNG."""
    plt = require_matplotlib()
    summary = sorted(summarize(rows), key=lambda e: e["k"])
    drawn = list(metrics(_measures(rows)))
    ks = [e["k"] for e in summary]
    fig, axes = plt.subplots(len(drawn), 1, figsize=(6.5, 2.3 * len(drawn)), sharex=True,
                             constrained_layout=True)
    for ax, metric in zip(axes, drawn, strict=True):
        means = np.array([e[metric] for e in summary])
        sds = np.nan_to_num(np.array([e[f"{metric}_sd"] for e in summary]))
        ax.errorbar(ks, means, yerr=sds, marker="o", capsize=3, color="C0")
        ax.plot([r["k"] for r in rows], [r[metric] for r in rows], ".", color="C1",
                alpha=0.6, label="each seed")
        ax.set_ylabel(metric if metric in MEASURES else metric.replace("_", " "))
        ax.set_title(_LABELS.get(metric, f"mean {metric}, training docs (higher is better)"),
                     fontsize=9)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    if len(ks) > 1 and ks[-1] / ks[0] >= 4:
        axes[-1].set_xscale("log")                 # K values are usually spaced by factors
        axes[-1].minorticks_off()
    axes[-1].set_xlabel("K (number of topics)")
    axes[-1].set_xticks(ks, [str(k) for k in ks])
    seeds = len({r["seed"] for r in rows})
    fig.suptitle(f"lda-vi sweep: {len(ks)} values of K × {seeds} seed{'s' if seeds > 1 else ''}")
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110)
    plt.close(fig)
