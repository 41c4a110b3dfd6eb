"""``trends`` of a saved model: where the grouping values come from, and the outputs.

The values of the covariate ``by`` for the model's training documents come from the
model itself when it was fitted with that covariate, else from a corpus (its CSV/TSV
column or JSONL field, matched by document id) or a covariates file. Glossary of shapes:
D training documents, K topics, P periods or groups.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence

import numpy as np

from lda_vi.errors import InputError
from lda_vi.evaluate.trends import (
    CSV_COLUMNS,
    DEFAULT_DRAWS,
    TrendsReport,
    compare,
    model_trends,
    trends_rows,
)
from lda_vi.io.atomic import atomic_open
from lda_vi.io.fields import align, document_fields
from lda_vi.model.validation import whole

__all__ = ["trends_of_model", "write_trends_csv", "comparison", "topic_titles", "sparkline"]

SPARKS = "▁▂▃▄▅▆▇█"


def _values(model, by: str, docs, docs_file, reader: dict, encoding: str):
    if model.covariates is not None and by in model.covariates.names and not (docs or docs_file):
        values = model.covariates.values[by]
        return values, [f"document {model.doc_ids[i]!r}" for i in range(len(values))]
    if not (docs or docs_file):
        known = model.covariates.names if model.covariates is not None else []
        hint = f" (the model's covariates: {', '.join(known)})" if known else ""
        raise InputError(f"the model was not fitted with {by!r}{hint}: give the corpus it was "
                         "fitted on with docs, or a covariates file, to read it from",
                         params=("by", "docs"))
    try:
        fields = document_fields(docs, [by], path=docs_file or None, reader=reader,
                                 encoding=encoding, what=f"by={by!r}")
    except InputError as exc:
        exc.params = (*exc.params, "by")  # the message names it: by='date'
        raise
    fields = align(fields, model.doc_ids, str(docs_file or docs))
    return fields.values[by], fields.where


def trends_of_model(model, by: str, *, docs: str | os.PathLike | None = None,
                    docs_file: str | os.PathLike | None = None, reader: dict | None = None,
                    encoding: str = "utf-8", freq: str = "auto", seed: int = 0,
                    n_draws: int = DEFAULT_DRAWS) -> TrendsReport:
    """The prevalence of every topic of ``model`` by ``by`` (see the module docstring)."""
    if model.gamma is None or model.gamma.shape[0] == 0:
        raise InputError("this model keeps no training documents (an online fit): trends "
                         "need their θ")
    whole("draws", n_draws, 10)
    whole("seed", seed, 0)
    values, where = _values(model, by, docs, docs_file, reader or {}, encoding)
    return model_trends(model.gamma, values, where, by=by, covariates=model.covariates,
                        freq=freq, rng=np.random.default_rng(seed), n_draws=n_draws)


def topic_titles(model, n_words: int = 3) -> list[str]:
    """A title per topic: its label when it has one, else its number and top words."""
    return [f"{k}: {label}" if label else f"{k}: {' '.join(w for w, _ in words)}"
            for k, (label, words) in enumerate(zip(model.labels, model.topics(n_words),
                                                   strict=True))]


def write_trends_csv(path, report: TrendsReport, labels: Sequence[str],
                     topics: Sequence[int]) -> None:
    """The trends table as CSV (columns :data:`~lda_vi.evaluate.trends.CSV_COLUMNS`)."""
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(trends_rows(report.trends, labels, topics))


def comparison(report: TrendsReport, a: str, b: str, topics: Sequence[int]):
    """Rows (topic, difference, lower, upper) of prevalence in group ``a`` minus ``b``."""
    periods = report.trends.periods
    for name in (a, b):
        if name not in periods:
            shown = ", ".join(map(repr, periods[:20]))
            raise InputError(f"compare: no group {name!r}; the groups are {shown}",
                             params=("compare",))
    diff, lo, hi = compare(report.trends, a, b)
    return [(k, float(diff[k]), float(lo[k]), float(hi[k])) for k in topics]


def peak(result, k: int) -> str:
    """The period (or group) where topic ``k`` is most prevalent."""
    series = result.prevalence[:, k]
    return result.periods[int(np.nanargmax(series))] if np.isfinite(series).any() else ""


def sparkline(values: np.ndarray) -> str:
    """One character per period, ▁ for the lowest, █ for the highest; ' ' when empty."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return ""
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo if hi > lo else 1.0
    return "".join(" " if not np.isfinite(v) else
                   SPARKS[min(len(SPARKS) - 1, int((v - lo) / span * len(SPARKS)))]
                   for v in values)
