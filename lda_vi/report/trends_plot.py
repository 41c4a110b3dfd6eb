"""Topics over time (or by group) as small multiples: one panel per topic, with bands.

Glossary of shapes: P periods or groups, K topics. Reads a
:class:`~lda_vi.evaluate.trends.Trends`; matplotlib is imported lazily (the ``plot``
extra), through :func:`lda_vi.report.plots.require_matplotlib`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from lda_vi.evaluate.trends import Trends
from lda_vi.io.atomic import atomic_open
from lda_vi.report.plots import require_matplotlib

BAND = "#a5b4fc"
LINE = "#3b5bdb"
CURVE = "#e8590c"


def observed_curve(result: Trends) -> np.ndarray | None:
    """The model's curve (P×K) where periods hold documents, NaN elsewhere: across a gap
    in the corpus (AP has no 1989) the spline is an extrapolation the data never saw, and
    a drawn line would show rises and falls that happened nowhere."""
    if result.curve is None:
        return None
    curve = np.array(result.curve, dtype=np.float64)
    curve[np.asarray(result.documents) == 0] = np.nan
    return curve


def plot_trends(result: Trends, titles: Sequence[str], topics: Sequence[int],
                path: str | os.PathLike, *, dates: np.ndarray | None = None,
                y_label: str = "prevalence") -> None:
    """One panel per topic in ``topics`` (titles by topic id): prevalence, band and curve.

    ``dates`` (P datetime64 midpoints) puts a time axis under the panels; without it
    the periods are categories, drawn as points with error bars.
    """
    plt = require_matplotlib()
    n = len(topics)
    cols = 3 if n % 3 == 0 and n % 4 != 0 else min(4, n)     # no empty panels for 6, 9
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.5 * rows + 0.4),
                             sharex=True, squeeze=False, constrained_layout=True)
    x = dates.astype("datetime64[D]").astype("O") if dates is not None \
        else np.arange(len(result.periods))
    curve = observed_curve(result)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        k = topics[i]
        mean, lo, hi = result.prevalence[:, k], result.lower[:, k], result.upper[:, k]
        if dates is not None:
            ax.fill_between(x, lo, hi, color=BAND, alpha=0.55, linewidth=0,
                            label="95% interval")
            ax.plot(x, mean, color=LINE, linewidth=1.3, label="mean θ of the period")
            if curve is not None:
                ax.plot(x, curve[:, k], color=CURVE, linewidth=1.1, linestyle="--",
                        label="model E[θ | date]")
        else:
            ax.errorbar(x, mean, yerr=[mean - lo, hi - mean], fmt="o", color=LINE,
                        ecolor=BAND, elinewidth=3, capsize=0, markersize=4)
            if result.curve is not None:
                ax.plot(x, result.curve[:, k], "x", color=CURVE, markersize=6)
            ax.set_xticks(x)
            ax.set_xticklabels(result.periods, rotation=45, ha="right", fontsize=7)
        ax.set_title(titles[k], fontsize=8.5, loc="left")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
        if i % cols == 0:
            ax.set_ylabel(y_label, fontsize=8)
    if dates is not None:
        fig.autofmt_xdate(rotation=30, ha="right")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=7.5,
                   frameon=False)
    with atomic_open(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=120)
    plt.close(fig)
