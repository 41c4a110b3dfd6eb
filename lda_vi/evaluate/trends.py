"""Topic prevalence by period or group, with intervals from the posterior.

Glossary of shapes: D documents, K topics, P periods (or groups), B draws.

- ``gamma``: D×K, the variational Dirichlet parameters γ_d of the documents.
- ``groups``: D integer codes in [0, P), the period or group of each document.

The prevalence of topic k in period p is the mean θ_dk of the period's documents.
Its interval combines the two sources of uncertainty, as stm's "method of
composition" does: each of B draws samples θ_d ~ Dir(γ_d) for every document and
resamples the period's documents with replacement (a bootstrap), then takes the
mean; the interval is the draws' central ``level`` quantiles. The point estimate
is the mean of θ̄_d = γ_d / Σ_k γ_dk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lda_vi.errors import InputError
from lda_vi.io.dates import parse_dates
from lda_vi.model.design import check_missing, infer_kind, parse_numbers
from lda_vi.model.memory import available_memory, format_bytes

FREQS = ("day", "week", "month", "quarter", "year")
DEFAULT_DRAWS = 200


@dataclass(frozen=True)
class Trends:
    """Prevalence per period and topic, with its interval (P×K arrays)."""

    periods: list[str]        # P labels, in order
    documents: np.ndarray     # P, documents per period
    prevalence: np.ndarray    # P×K, mean θ̄ of the period's documents
    lower: np.ndarray         # P×K
    upper: np.ndarray         # P×K
    draws: np.ndarray         # B×P×K, the composition draws (for differences)
    curve: np.ndarray | None = None   # P×K, E[θ | x] at each period's midpoint, if known


def sample_theta(gamma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw θ_d ~ Dir(γ_d) for every document (D×K), by normalized Gamma variates."""
    g = rng.standard_gamma(gamma)
    total = g.sum(axis=1, keepdims=True)
    # a row whose variates all underflow (tiny γ) falls back to its mean
    bad = total[:, 0] <= 0
    if np.any(bad):
        g[bad] = gamma[bad]
        total[bad] = gamma[bad].sum(axis=1, keepdims=True)
    return g / total


def check_draws_fit(n_draws: int, n_groups: int, k: int) -> None:
    """Refuse draws whose B×P×K table (twice: the quantiles sort a copy) would not fit in
    the memory available, before anything is allocated."""
    need = 2 * 8 * n_draws * n_groups * k
    room = available_memory()
    if room is not None and need > 0.8 * room:
        raise InputError(f"draws={n_draws} needs about {format_bytes(need)} ({n_draws} draws × "
                         f"{n_groups} periods or groups × {k} topics × 8 bytes, twice) but "
                         f"only {format_bytes(room)} of memory is available; use fewer draws "
                         "(200 give 95% intervals to about ±0.01)", params=("draws",))


def group_prevalence(gamma: np.ndarray, groups: np.ndarray, n_groups: int, *,
                     rng: np.random.Generator, n_draws: int = DEFAULT_DRAWS,
                     level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                   np.ndarray, np.ndarray]:
    """(documents P, prevalence P×K, lower P×K, upper P×K, draws B×P×K); see the module."""
    D, K = gamma.shape
    theta_bar = gamma / gamma.sum(axis=1, keepdims=True)
    counts = np.bincount(groups, minlength=n_groups)
    prevalence = np.zeros((n_groups, K))
    np.add.at(prevalence, groups, theta_bar)
    prevalence /= np.maximum(counts, 1)[:, None]
    check_draws_fit(n_draws, n_groups, K)
    order = np.argsort(groups, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)])
    draws = np.empty((n_draws, n_groups, K))
    for b in range(n_draws):
        theta = sample_theta(gamma, rng)[order]
        # one bootstrap resample per group: offsets within the group's block
        picks = starts[:-1].repeat(counts) + (rng.random(D) * counts.repeat(counts)).astype(int)
        sums = np.zeros((n_groups, K))
        np.add.at(sums, groups[order], theta[picks])
        draws[b] = sums / np.maximum(counts, 1)[:, None]
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    empty = counts == 0
    for arr in (prevalence, lower, upper):
        arr[empty] = np.nan
    draws[:, empty] = np.nan
    return counts, prevalence, lower, upper, draws


def period_codes(dates: np.ndarray, freq: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(codes D, labels P, midpoints P as datetime64[D]) of the dates' periods.

    Every period from the first date's to the last's is listed, empty ones too, so a
    plot's time axis has no silent jumps.
    """
    d = dates.astype("datetime64[D]")
    if freq == "day":
        start, step, unit = d, np.timedelta64(1, "D"), "D"
    elif freq == "week":     # weeks start on Monday; 1970-01-01 was a Thursday
        start = d - ((d.astype(np.int64) + 3) % 7).astype("timedelta64[D]")
        step, unit = np.timedelta64(7, "D"), "D"
    elif freq in ("month", "quarter"):
        months = d.astype("datetime64[M]").astype(np.int64)
        if freq == "quarter":
            months -= months % 3
        start, step, unit = months.astype("datetime64[M]"), None, "M"
    elif freq == "year":
        start, step, unit = d.astype("datetime64[Y]"), None, "Y"
    else:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}")
    first, last = start.min(), start.max()
    if unit == "D":
        n = int((last - first) // step) + 1
        grid = first + np.arange(n) * step
    else:
        stride = 3 if freq == "quarter" else 1
        grid = np.arange(first, last + 1, stride)
    codes = np.searchsorted(grid, start)
    labels = [_label(g, freq) for g in grid]
    ends = np.append(grid[1:], _next(grid[-1], freq, unit, step)).astype("datetime64[D]")
    begins = grid.astype("datetime64[D]")
    mids = begins + (ends - begins) // 2
    return codes, labels, mids


def _next(g, freq: str, unit: str, step):
    if unit == "D":
        return g + step
    return g + (3 if freq == "quarter" else 1)


def _label(g: np.datetime64, freq: str) -> str:
    if freq == "quarter":
        month = int(g.astype("datetime64[M]").astype(np.int64) % 12)
        return f"{g.astype('datetime64[Y]')}-Q{month // 3 + 1}"
    return str(g)


def auto_freq(dates: np.ndarray, target: int = 40) -> str:
    """The finest of FREQS giving at most ``target`` periods over the dates' span."""
    span = float((dates.max() - dates.min()).astype("timedelta64[D]").astype(np.int64)) + 1
    for freq, days in (("day", 1), ("week", 7), ("month", 30.44), ("quarter", 91.3)):
        if span / days <= target:
            return freq
    return "year"


def category_codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """(codes D, labels P) of categories, sorted."""
    labels = sorted(set(values))
    index = {v: i for i, v in enumerate(labels)}
    return np.array([index[v] for v in values], dtype=np.int64), labels


def trends(gamma: np.ndarray, codes: np.ndarray, labels: list[str], *,
           rng: np.random.Generator, n_draws: int = DEFAULT_DRAWS, level: float = 0.95,
           curve: np.ndarray | None = None) -> Trends:
    """Prevalence of every topic in every period or group; see the module docstring."""
    counts, prevalence, lower, upper, draws = group_prevalence(
        gamma, codes, len(labels), rng=rng, n_draws=n_draws, level=level)
    return Trends(labels, counts, prevalence, lower, upper, draws, curve)


def compare(result: Trends, a: str, b: str, level: float = 0.95
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(difference K, lower K, upper K) of prevalence in group ``a`` minus group ``b``."""
    ia, ib = result.periods.index(a), result.periods.index(b)
    diff = result.draws[:, ia] - result.draws[:, ib]
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(diff, [tail, 1.0 - tail], axis=0)
    return result.prevalence[ia] - result.prevalence[ib], lo, hi


NUMBER_GROUPS = 5


def grouping(values: Sequence[str], where: Sequence[str], *, column: str,
             freq: str = "auto"):
    """How documents group by a covariate's raw values (the column or field ``column``,
    as errors name it).

    Returns ``(kind, codes, labels, mids)``: 'date' (periods of ``freq``, ``mids`` their
    midpoints), 'number' (quintile ranges) or 'category' (one group per value; ``mids``
    is None for both).
    """
    check_missing(values, column, where)
    kind = infer_kind(values)
    if kind == "date":
        dates = parse_dates(values, column, where)
        chosen = auto_freq(dates) if freq == "auto" else freq
        codes, labels, mids = period_codes(dates, chosen)
        return kind, codes, labels, mids
    if kind == "number" and len(set(values)) > 12:
        x = parse_numbers(values, column, where)
        edges = np.unique(np.quantile(x, np.linspace(0, 1, NUMBER_GROUPS + 1)))
        codes = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
        labels = [f"{edges[i]:.4g}–{edges[i + 1]:.4g}" for i in range(len(edges) - 1)]
        return kind, codes, labels, None
    codes, labels = category_codes(values)
    return "category", codes, labels, None


@dataclass(frozen=True)
class TrendsReport:
    """What ``lda-vi trends`` shows: the trends, how documents were grouped, the times."""

    trends: Trends
    kind: str                       # 'date', 'number' or 'category'
    mids: np.ndarray | None         # P period midpoints (dates only)


def model_trends(gamma: np.ndarray, values: Sequence[str], where: Sequence[str], *,
                 by: str, covariates=None, freq: str = "auto",
                 rng: np.random.Generator, n_draws: int = DEFAULT_DRAWS) -> TrendsReport:
    """Prevalence of a model's topics by the covariate ``by`` (``values``: one per document).

    ``covariates`` (a :class:`~lda_vi.model.covariates.CovariateState`, or None) gives
    the model's own curve E[θ | by] when the model was fitted with ``by``.
    """
    if len(values) != gamma.shape[0]:
        raise ValueError(f"by: {len(values)} values for {gamma.shape[0]} documents")
    if freq != "auto" and freq not in FREQS:
        raise ValueError(f"freq must be 'auto' or one of {', '.join(FREQS)}")
    kind, codes, labels, mids = grouping(values, where, column=by, freq=freq)
    curve = None
    if covariates is not None and by in covariates.names and kind != "number":
        new = [str(m) for m in mids] if kind == "date" else labels
        curve = covariates.marginal_prevalence(by, new)
    result = trends(gamma, codes, labels, rng=rng, n_draws=n_draws, curve=curve)
    return TrendsReport(result, kind, mids)


CSV_COLUMNS = ("period", "topic", "label", "prevalence", "lower", "upper", "documents", "model")


def trends_rows(result: Trends, labels: Sequence[str], topics: Sequence[int]):
    """The rows of the trends CSV (:data:`CSV_COLUMNS`), period by period, topic by topic.

    ``model`` is the model's E[θ | x] (empty without covariates); an empty period has
    no prevalence or interval.
    """
    for p, period in enumerate(result.periods):
        for k in topics:
            def cell(x):
                return "" if not np.isfinite(x) else repr(float(x))
            model = "" if result.curve is None else cell(result.curve[p, k])
            yield (period, k, labels[k], cell(result.prevalence[p, k]),
                   cell(result.lower[p, k]), cell(result.upper[p, k]),
                   int(result.documents[p]), model)
