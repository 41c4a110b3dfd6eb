"""Covariates → the design matrix x_d of Dirichlet-multinomial regression (MATH.md C1).

Glossary of shapes: N rows (documents), F features. Column 0 of the design is the
intercept; each covariate then adds its own columns:

- a **date** becomes a smooth basis over time: cubic B-splines with knots at the
  dates' quantiles (``df`` columns after dropping one, since the splines sum to one
  like the intercept), or, with ``time_bins``, indicators of equal-width bins (the
  first bin is the reference);
- a **number** is standardized: (x − mean) / sd of the training rows;
- a **category** is one-hot with its first level (sorted) as the reference.

A :class:`Design` is learned from the training rows (:func:`learn_design`), saved
with the model (:meth:`Design.to_dict`), and applied unchanged to new documents
(:meth:`Design.matrix`): a new date outside the training range takes the boundary's
value, and an unseen category is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lda_vi.errors import InputError
from lda_vi.io.dates import DATE_SHARE, check_not_missing, looks_like_dates, parse_dates

KINDS = ("date", "number", "category")
DEFAULT_DF = 5          # spline columns per date (stm's s() uses 10 on long series)
SPLINE_DEGREE = 3
_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


@dataclass
class Covariate:
    """One covariate's encoding, learned from the training rows."""

    name: str
    kind: str                                   # one of KINDS
    mean: float = 0.0                           # number
    sd: float = 1.0                             # number
    levels: list[str] = field(default_factory=list)   # category, reference first
    knots: list[float] = field(default_factory=list)  # date: spline knots (days)
    bins: list[float] = field(default_factory=list)   # date with time_bins: bin edges (days)

    @property
    def columns(self) -> list[str]:
        """The names of this covariate's design columns."""
        if self.kind == "number":
            return [self.name]
        if self.kind == "category":
            return [f"{self.name}={level}" for level in self.levels[1:]]
        if self.bins:
            return [f"{self.name}[bin {i + 1}]" for i in range(1, len(self.bins) - 1)]
        n = len(self.knots) - SPLINE_DEGREE - 1
        return [f"{self.name}[spline {i + 1}]" for i in range(1, n)]

    def encode(self, raw: Sequence[str], where: Sequence[str]) -> np.ndarray:
        """The design columns (N×c) of the raw string values."""
        if self.kind == "number":
            x = parse_numbers(raw, self.name, where)
            with np.errstate(over="ignore", invalid="ignore"):
                z = (x - self.mean) / self.sd
            if not np.all(np.isfinite(z)):           # near the float range: x - mean overflows
                z = x / self.sd - self.mean / self.sd
            return z[:, None]
        if self.kind == "category":
            index = {level: i for i, level in enumerate(self.levels)}
            out = np.zeros((len(raw), len(self.levels) - 1))
            for row, value in enumerate(raw):
                if value not in index:
                    raise InputError(
                        f"{where[row]}: {value!r} in column {self.name!r} is a category the "
                        f"model was not fitted with (it knows {', '.join(map(repr, self.levels))})"
                    )
                if index[value] > 0:
                    out[row, index[value] - 1] = 1.0
            return out
        return self.encode_days(days(parse_dates(raw, self.name, where)))

    def encode_days(self, t: np.ndarray) -> np.ndarray:
        """The design columns of dates given as days since 1970-01-01 (floats)."""
        if self.bins:
            edges = np.asarray(self.bins)
            which = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(edges) - 2)
            out = np.zeros((t.size, len(edges) - 2))
            rows = np.nonzero(which > 0)[0]
            out[rows, which[rows] - 1] = 1.0
            return out
        knots = np.asarray(self.knots)
        lo, hi = knots[SPLINE_DEGREE], knots[-SPLINE_DEGREE - 1]
        x = np.clip(np.asarray(t, dtype=np.float64), lo, hi)
        from scipy.interpolate import BSpline  # slow to import: only for splines

        basis = BSpline.design_matrix(x, knots, SPLINE_DEGREE).toarray()
        return basis[:, 1:]

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "mean": self.mean, "sd": self.sd,
                "levels": list(self.levels), "knots": list(self.knots), "bins": list(self.bins)}

    @classmethod
    def from_dict(cls, d: dict) -> Covariate:
        if d.get("kind") not in KINDS or not isinstance(d.get("name"), str):
            raise ValueError("covariate: bad kind or name")
        return cls(d["name"], d["kind"], float(d.get("mean", 0.0)), float(d.get("sd", 1.0)),
                   [str(x) for x in d.get("levels", [])], [float(x) for x in d.get("knots", [])],
                   [float(x) for x in d.get("bins", [])])


@dataclass
class Design:
    """The encodings of every covariate: raw rows → the N×F design matrix."""

    covariates: list[Covariate]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.covariates]

    @property
    def columns(self) -> list[str]:
        return ["(intercept)"] + [col for c in self.covariates for col in c.columns]

    def matrix(self, raw: dict[str, Sequence[str]], where: Sequence[str]) -> np.ndarray:
        """x_d for N rows: ``raw[name]`` holds covariate ``name``'s N strings (N×F)."""
        n = len(where)
        parts = [np.ones((n, 1))]
        for c in self.covariates:
            if c.name not in raw:
                raise InputError(f"no values for the covariate {c.name!r}")
            parts.append(c.encode(raw[c.name], where))
        return np.ascontiguousarray(np.hstack(parts))

    def column_slice(self, name: str) -> slice:
        """Where covariate ``name``'s columns sit in the design matrix."""
        start = 1
        for c in self.covariates:
            width = len(c.columns)
            if c.name == name:
                return slice(start, start + width)
            start += width
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {"covariates": [c.to_dict() for c in self.covariates]}

    @classmethod
    def from_dict(cls, d: dict) -> Design:
        return cls([Covariate.from_dict(c) for c in d.get("covariates", [])])


def days(dates: np.ndarray) -> np.ndarray:
    """``datetime64[D]`` → days since 1970-01-01 as floats."""
    return dates.astype("datetime64[D]").astype(np.int64).astype(np.float64)


def parse_numbers(raw: Sequence[str], name: str, where: Sequence[str]) -> np.ndarray:
    """The values of a numeric column; one clear error for a non-number."""
    out = np.empty(len(raw))
    for i, v in enumerate(raw):
        if not _NUMBER.fullmatch(v):
            check_not_missing(v, name, where[i])
            raise InputError(f"{where[i]}: {v!r} in column {name!r} is not a number")
        out[i] = float(v)
        if not np.isfinite(out[i]):
            raise InputError(f"{where[i]}: {v!r} in column {name!r} is too large for a number "
                             "(beyond ±1.8e308); rescale the column")
    return out


def infer_kind(raw: Sequence[str]) -> str:
    """'date', 'number' or 'category' from the values themselves: dates or numbers when
    nearly all values are (a stray bad value is then an error naming its row, not a
    reason to treat the column as categories)."""
    if looks_like_dates(raw):
        return "date"
    numbers = sum(bool(_NUMBER.fullmatch(v)) for v in raw)
    if raw and numbers >= DATE_SHARE * len(raw):
        return "number"
    return "category"


def check_missing(raw: Sequence[str], name: str, where: Sequence[str]) -> None:
    """A missing value is an error naming its row (documented choice: no imputation)."""
    for i, v in enumerate(raw):
        if not v.strip():
            raise InputError(
                f"{where[i]}: no value in column {name!r}; every document needs a value for "
                "each covariate (fill it in, or drop the row)"
            )


def learn_covariate(name: str, raw: Sequence[str], where: Sequence[str], *, kind: str | None,
                    df: int = DEFAULT_DF, time_bins: int | None = None) -> Covariate:
    """The encoding of one covariate, learned from its training values."""
    check_missing(raw, name, where)
    kind = kind or infer_kind(raw)
    if kind not in KINDS:
        raise InputError(f"covariate {name!r}: kind must be one of {', '.join(KINDS)}")
    if kind == "number":
        x = parse_numbers(raw, name, where)
        scale = float(np.abs(x).max()) or 1.0        # mean and sd without overflow
        mean, sd = float((x / scale).mean() * scale), float((x / scale).std() * scale)
        return Covariate(name, kind, mean=mean, sd=sd if sd > 0 else 1.0)
    if kind == "category":
        levels = sorted(set(raw))
        if len(levels) > max(len(raw) / 2, 10):
            raise InputError(f"covariate {name!r} has {len(levels)} different values among "
                             f"{len(raw)} documents: as a category that is nearly a prior per "
                             "document (and a dense documents × values table); is it an id or "
                             "a text column? Leave it out, or group its values")
        if len(levels) < 2:
            raise InputError(f"covariate {name!r} has a single value ({levels[0]!r}): it "
                             "cannot explain any difference; leave it out")
        return Covariate(name, kind, levels=levels)
    t = days(parse_dates(raw, name, where))
    lo, hi = float(t.min()), float(t.max())
    if hi <= lo:
        raise InputError(f"covariate {name!r}: every document has the same date; leave it out")
    if time_bins is not None:
        if time_bins < 2:
            raise InputError("time_bins must be >= 2")
        edges = np.linspace(lo, hi, time_bins + 1)
        edges[-1] = np.nextafter(hi, np.inf)
        return Covariate(name, kind, bins=[float(e) for e in edges])
    if df < 2:
        raise InputError("df must be >= 2")
    n_basis = df + 1
    interior = np.quantile(t, np.linspace(0, 1, n_basis - SPLINE_DEGREE + 1)[1:-1])
    interior = np.unique(np.clip(interior, lo, hi))
    interior = interior[(interior > lo) & (interior < hi)]
    knots = np.concatenate([[lo] * (SPLINE_DEGREE + 1), interior, [hi] * (SPLINE_DEGREE + 1)])
    return Covariate(name, kind, knots=[float(k) for k in knots])


def learn_design(raw: dict[str, Sequence[str]], where: Sequence[str], *,
                 kinds: dict[str, str] | None = None, df: int = DEFAULT_DF,
                 time_bins: int | None = None) -> Design:
    """Learn every covariate's encoding from the training rows (in ``raw``'s order)."""
    kinds = kinds or {}
    return Design([learn_covariate(name, values, where, kind=kinds.get(name), df=df,
                                   time_bins=time_bins)
                   for name, values in raw.items()])
