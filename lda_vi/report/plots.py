"""Static plots of a fitted model and of a sweep, as PNG files (matplotlib, imported lazily).

matplotlib is the optional ``plot`` extra (``pip install 'lda-vi[plot]'``); nothing
here imports it until a plot is drawn, and :func:`require_matplotlib` turns its
absence into one clear :class:`~lda_vi.errors.InputError`.

- :func:`plot_elbo`: the ELBO per EM iteration and its relative change (log scale);
- :func:`plot_topics`: every topic's top words as bars of p(w|k), by prevalence;
- :func:`read_sweep_csv` + :func:`plot_sweep`: the metrics of ``lda-vi sweep --csv``
  against K (drawn by :func:`lda_vi.evaluate.sweep.plot_sweep`).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence

import numpy as np

from lda_vi.errors import InputError
from lda_vi.io.atomic import atomic_open

__all__ = ["require_matplotlib", "plot_elbo", "plot_topics", "read_sweep_csv", "plot_sweep",
           "INSTALL_HINT"]

INSTALL_HINT = "plotting needs matplotlib: pip install 'lda-vi[plot]'"


def require_matplotlib():
    """Import matplotlib with the non-interactive Agg backend; ``pyplot``, or InputError."""
    try:
        import matplotlib
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | os.PathLike, plt) -> None:
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=120)
    plt.close(fig)


def plot_elbo(record, path: str | os.PathLike) -> None:
    """The ELBO per EM iteration (stop marked) and its relative change with tol, as PNG.

    ``record`` is the model's :class:`~lda_vi.model.record.RunRecord` (or a run.json dict).
    """
    if isinstance(record, dict):
        from lda_vi.model.record import RunRecord

        record = RunRecord.from_dict(record)
    elbo = np.asarray(record.elbo or [], dtype=np.float64)
    if elbo.size == 0:
        raise InputError("this model has no ELBO trace in its run.json; nothing to plot")
    plt = require_matplotlib()
    n = elbo.size
    its = np.arange(1, n + 1)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    ax.plot(its, elbo, "-o", color="#3b5bdb", markersize=3.5, markerfacecolor="white")
    converged = record.converged
    label = ("converged" if converged else "stopped") + f" at iteration {n}"
    ax.plot([n], [elbo[-1]], "o", markersize=11, markerfacecolor="none",
            markeredgecolor="#e8590c", markeredgewidth=2, label=label)
    ax.axvline(n, color="#e8590c", linestyle=":", linewidth=1)
    ax.set_xlabel("EM iteration")
    ax.set_ylabel("ELBO (nats)")
    ax.set_title("Evidence lower bound", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(True, alpha=0.3)
    if n >= 2:
        change = np.maximum(np.abs(np.diff(elbo)) / np.abs(elbo[:-1]), 1e-16)
        ax2.semilogy(its[1:], change, "-o", color="#7c8db5", markersize=3.5,
                     markerfacecolor="white")
        tol = record.settings.get("tol")
        if isinstance(tol, int | float) and tol > 0:
            ax2.axhline(tol, color="#e8590c", linestyle="--", linewidth=1, label=f"tol {tol:g}")
            ax2.legend(loc="upper right", fontsize=8, frameon=False)
        ax2.grid(True, which="major", alpha=0.3)
    else:
        ax2.text(0.5, 0.5, "one iteration: no change to show", ha="center", va="center",
                 transform=ax2.transAxes, color="0.4")
    ax2.set_xlabel("EM iteration")
    ax2.set_ylabel("|ΔELBO| / |ELBO|")
    ax2.set_title("Relative change (EM stops below tol)", fontsize=10)
    for a in (ax, ax2):
        a.xaxis.get_major_locator().set_params(integer=True)
        a.spines[["top", "right"]].set_visible(False)
    _save(fig, path, plt)


def plot_topics(model, path: str | os.PathLike, top_n: int = 10, ncols: int = 5) -> None:
    """Every topic's ``top_n`` words as horizontal bars of p(w|k), topics by prevalence."""
    if top_n < 1:
        raise InputError(f"top_n must be at least 1 (got {top_n})", params=("top_n",))
    plt = require_matplotlib()
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from lda_vi.report.layout import topic_colors

    K = model.k
    shares = model.topic_shares()
    topics = model.topics(top_n)
    colors = topic_colors(K)
    order = sorted(range(K), key=lambda k: (-shares[k], k))
    ncols = max(1, min(ncols, K))
    nrows = math.ceil(K / ncols)
    rows_h = 0.26 * min(top_n, len(model.vocab)) + 0.7
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols, rows_h * nrows + 0.6),
                             squeeze=False, constrained_layout=True)
    for ax in axes.ravel()[K:]:
        ax.set_visible(False)
    for ax, k in zip(axes.ravel(), order, strict=False):
        words = [w for w, _ in topics[k]][::-1]
        probs = [p for _, p in topics[k]][::-1]
        ax.barh(range(len(words)), probs, color=colors[k], height=0.7)
        ax.set_yticks(range(len(words)), words, fontsize=8)
        ax.set_title(f"Topic {k} · {100 * shares[k]:.1f}%", fontsize=9, loc="left",
                     fontweight="bold")
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.01)
    fig.suptitle(f"Top {top_n} words of {K} topics, p(w|k); by share of the corpus",
                 fontsize=11)
    _save(fig, path, plt)


_INT_COLUMNS = ("k", "seed", "iterations")
_FLOAT_COLUMNS = ("completion_perplexity", "fit_seconds", "stability")
#: Coherence columns a sweep CSV may hold (``sweep --coherence``); read as numbers.
_MEASURE_COLUMNS = ("c_v", "c_npmi", "c_uci", "u_mass", "npmi", "umass")


def read_sweep_csv(path: str | os.PathLike) -> list[dict]:
    """The rows of a ``lda-vi sweep --csv`` file, typed (empty or 'nan' cells are NaN)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _INT_COLUMNS + _FLOAT_COLUMNS
                       if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path} is not a sweep CSV: it lacks the column(s) "
                                 f"{', '.join(missing)} (make one with 'lda-vi sweep --csv')")
            measures = [c for c in reader.fieldnames if c in _MEASURE_COLUMNS]
            if not measures:
                raise InputError(f"{path} is not a sweep CSV: it has no coherence column "
                                 f"({', '.join(_MEASURE_COLUMNS)})")
            floats = ["completion_perplexity", *measures, "fit_seconds", "stability"]
            rows = []
            for line, raw in enumerate(reader, start=2):
                try:
                    row = {c: int(float(raw[c])) for c in _INT_COLUMNS}
                    row |= {c: float(raw[c]) if (raw[c] or "").strip() else math.nan
                            for c in floats}
                except (TypeError, ValueError):
                    raise InputError(f"{path}, line {line}: a value is not a number") from None
                rows.append(row)
    except FileNotFoundError:
        raise InputError(f"{path} not found; give the CSV written by 'lda-vi sweep --csv'") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path} ({exc.__class__.__name__})") from None
    if not rows:
        raise InputError(f"{path} has no rows to plot")
    return rows


def plot_sweep(rows: Sequence[dict], path: str | os.PathLike) -> None:
    """The sweep's metrics against K, drawn by :func:`lda_vi.evaluate.sweep.plot_sweep`."""
    require_matplotlib()
    from lda_vi.evaluate.sweep import plot_sweep as draw

    draw(rows, path)
