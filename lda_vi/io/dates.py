"""Dates in covariate columns: ISO 8601 and the common written forms, to days.

A column is parsed as a whole, so that an ambiguous slash date (``03/04/1990``)
is read one way for every row: day first when some row's first number exceeds 12
(``25/12/1990``), month first (US) otherwise. Accepted forms, with or without a
time of day after the date (``T`` or a space, then ``HH:MM[:SS[.fff]]`` and an
optional ``Z`` or ``±HH:MM``, which is ignored: a date is the calendar day written):

- ``1990-03-04``, ``1990/03/04``, ``1990.03.04``, ``19900304``
- ``1990-03`` (the month's first day), ``1990`` (1 January)
- ``04.03.1990`` (day first), ``03/04/1990`` or ``04/03/1990`` (see above)
- ``March 4, 1990``, ``Mar 4 1990``, ``4 March 1990``, ``4 Mar. 1990``

Shapes: a column of N strings becomes an N-vector of ``datetime64[D]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from lda_vi.errors import InputError

_MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YM = re.compile(r"(\d{4})-(\d{1,2})")
_Y = re.compile(r"(\d{4})")
_DMY_DOT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME)
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME)
_MDY_WORDS = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_DMY_WORDS = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})")

FORMS = ("1990-03-04 (ISO, with or without a time)", "1990-03", "1990", "19900304",
         "04.03.1990", "03/04/1990", "March 4, 1990", "4 March 1990")


def _day(year: int, month: int, day: int) -> np.datetime64 | None:
    try:
        value = np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D")
    except ValueError:
        return None
    # numpy accepts e.g. 1990-02-30 by rejecting it: check the round trip
    return value if str(value) == f"{year:04d}-{month:02d}-{day:02d}" else None


def _month(name: str) -> int | None:
    return _MONTHS.get(name.lower())


def _parse(text: str, day_first: bool) -> np.datetime64 | None:
    s = text.strip()
    if m := _YMD.fullmatch(s):
        return _day(int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.fullmatch(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _YM.fullmatch(s):
        return _day(int(m[1]), int(m[2]), 1)
    if m := _Y.fullmatch(s):
        return _day(int(m[1]), 1, 1)
    if m := _DMY_DOT.fullmatch(s):
        return _day(int(m[3]), int(m[2]), int(m[1]))
    if m := _SLASH.fullmatch(s):
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if day_first else (second, first)
        return _day(int(m[3]), month, day)
    if (m := _MDY_WORDS.fullmatch(s)) and (month := _month(m[1])):
        return _day(int(m[3]), month, int(m[2]))
    if (m := _DMY_WORDS.fullmatch(s)) and (month := _month(m[2])):
        return _day(int(m[3]), month, int(m[1]))
    return None


def _day_first(values: Sequence[str]) -> bool:
    for v in values:
        m = _SLASH.fullmatch(v.strip())
        if m and int(m[1]) > 12:
            return True
    return False


#: A column is taken for dates when this share of its values parse as dates (the rest are
#: then reported as errors, naming their line, rather than turning the column into
#: categories).
DATE_SHARE = 0.9


def looks_like_dates(values: Sequence[str], sample: int = 500) -> bool:
    """Whether nearly all (:data:`DATE_SHARE`) of the first ``sample`` non-empty values
    parse as dates, and they are not plain numbers (``1990`` alone is a year only among
    other dates)."""
    seen = [v.strip() for v in values if v.strip()][:sample]
    if not seen or all(re.fullmatch(r"[+-]?\d+(\.\d*)?", v) for v in seen):
        return False
    day_first = _day_first(seen)
    parsed = sum(_parse(v, day_first) is not None for v in seen)
    return parsed >= DATE_SHARE * len(seen)


#: What spreadsheets, R and pandas write for a missing value. In a date or number column
#: such a value is reported as missing (not as a bad date or number); in a category column
#: it stays a category of its own ("NA" may well be one: North America).
MISSING_MARKERS = frozenset({"NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "NULL", "null",
                             "Null", "None", "none", "#N/A", "<NA>", "nil", "-", "?"})


def check_not_missing(value: str, column: str, where: str) -> None:
    """An InputError naming ``where`` when ``value`` is a :data:`MISSING_MARKERS` marker."""
    if value.strip() in MISSING_MARKERS:
        raise InputError(f"{where}: {value!r} in column {column!r} marks a missing value; "
                         "every document needs a value for each covariate (fill it in, or "
                         "drop the row)")


def parse_dates(values: Sequence[str], column: str, where: Sequence[str]) -> np.ndarray:
    """The N values of ``column`` as ``datetime64[D]``; one clear error for a bad one.

    ``where[i]`` says where value i came from (e.g. ``"corpus.csv, line 12"``).
    """
    day_first = _day_first(values)
    out = np.empty(len(values), dtype="datetime64[D]")
    for i, v in enumerate(values):
        parsed = _parse(v, day_first)
        if parsed is None:
            check_not_missing(v, column, where[i])
            raise InputError(
                f"{where[i]}: {v!r} in column {column!r} is not a date; write dates as "
                f"{', '.join(FORMS[:4])} or {', '.join(FORMS[4:])}"
            )
        out[i] = parsed
    return out
