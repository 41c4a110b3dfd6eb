"""Whole arrays of float64 as text (lda_vi.io.float_text, lda_vi.io.csv_columns): Python's
``repr`` to the byte, from the compiled kernel and from the numpy form alike, reading back
bit for bit; CSV rows assembled from columns equal to csv.writer's."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lda_vi.io import csv_columns, float_text

FORMS = [float_text.float_text_compiled, float_text.float_text_numpy]


def _strings(form, x: np.ndarray) -> list[str]:
    text, length = form(x)
    assert text.shape == (x.size, float_text.WIDTH) and text.dtype == np.uint8
    return [bytes(row[:n]).decode("ascii") for row, n in zip(text, length, strict=True)]


def _every_kind(rng, n: int) -> np.ndarray:
    """Random bit patterns (subnormals, huge, negative, inf and nan included), probabilities
    over all magnitudes, integers, powers of two and of ten and their neighbours, and ties
    (x.5 at many scales)."""
    bits = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False).view(np.float64)
    spread = rng.random(n) * 10.0 ** rng.integers(-323, 309, n)
    p2 = 2.0 ** np.arange(-1074, 1024)
    p10 = np.array([float(f"1e{i}") for i in range(-323, 309)])
    edges = np.concatenate([p2, p10, np.nextafter(p2, np.inf), np.nextafter(p10, 0.0),
                            np.nextafter(p10, np.inf)])
    halves = (rng.integers(0, 10**6, n) + 0.5) * 10.0 ** rng.integers(-12, 12, n)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, 0.1, 1 / 3, 5e-324,
                        2.2250738585072014e-308, 1.7976931348623157e308, 1e16, 1e15,
                        9999999999999998.0, 1e-4, 1e-5, 0.9999999999999999, 1e22, 1e23])
    return np.concatenate([bits, -spread, spread, np.arange(-1000.0, 5000.0), edges, halves,
                           special])


@pytest.mark.parametrize("form", FORMS, ids=["compiled", "numpy"])
def test_text_is_reprs_for_every_kind_of_number(form):
    x = _every_kind(np.random.default_rng(0), 40_000)
    assert _strings(form, x) == list(map(repr, x.tolist()))


@pytest.mark.parametrize("form", FORMS, ids=["compiled", "numpy"])
def test_topic_like_numbers_read_back_bit_for_bit(form):
    beta = np.random.default_rng(1).dirichlet(np.full(3000, 0.01), size=5)
    back = np.array([float(s) for s in _strings(form, beta)])
    np.testing.assert_array_equal(back.view(np.int64), beta.ravel().view(np.int64))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=20))
def test_any_floats_both_forms_give_repr(values):
    x = np.array(values, dtype=np.float64)
    expected = list(map(repr, x.tolist()))
    assert _strings(float_text.float_text_compiled, x) == expected
    assert _strings(float_text.float_text_numpy, x) == expected
    assert _strings(float_text.float_text, x) == expected


def test_shortest_decimal_is_the_value():
    x = np.array([0.5, 1e-7, 123.25, 5e-324])
    digits, exp10 = float_text.shortest_decimal(x)
    assert digits.tolist() == [5, 1, 12325, 5] and exp10.tolist() == [-1, -7, -2, -324]
    with pytest.raises(ValueError, match="finite"):
        float_text.shortest_decimal(np.array([np.inf]))


def _csv(rows) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("join", [csv_columns.join_rows, csv_columns.join_rows_compiled,
                                  csv_columns.join_rows_numpy],
                         ids=["chosen", "compiled", "numpy"])
def test_rows_from_columns_are_csv_writers(join, monkeypatch):
    monkeypatch.setattr(csv_columns, "BLOCK", 7)          # several blocks in the numpy form
    rng = np.random.default_rng(2)
    words = ["plain", "comma,word", 'quote"word', "new\nline", "été", "", " x "]
    picks = rng.integers(0, len(words), 50)
    numbers = rng.random(50) * 10.0 ** rng.integers(-9, 3, 50)
    columns = [csv_columns.text_column(range(50)),
               csv_columns.text_column(words, picks),
               csv_columns.Column(*float_text.float_text(numbers))]
    expected = _csv([[i, words[w], repr(float(v))]
                     for i, w, v in zip(range(50), picks, numbers, strict=True)])
    assert join(columns) == expected
    assert join([csv_columns.text_column([])]) == b""


def test_columns_of_different_lengths_are_refused():
    columns = [csv_columns.text_column(["a", "b"]), csv_columns.text_column(["c"])]
    for join in (csv_columns.join_rows_compiled, csv_columns.join_rows_numpy):
        with pytest.raises(ValueError, match="same length"):
            join(columns)


def test_small_tables_do_not_load_numba(tmp_path):
    """Below COMPILED_FROM numbers the numpy forms write the table: a command that fits
    nothing (a transform of a few documents) does not load numba for its CSV; a large
    table does."""
    code = ("import sys, numpy as np\nfrom lda_vi.io import export\n"
            "n = int(sys.argv[1])\ntheta = np.full((n, 4), 0.25)\n"
            "export.write_doc_topics(sys.argv[2], [str(i) for i in range(n)], theta)\n"
            "print('numba' in sys.modules)")
    for n, loads in ((10, "False"), (float_text.COMPILED_FROM, "True")):
        proc = subprocess.run([sys.executable, "-c", code, str(n), str(tmp_path / "t.csv")],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == loads, n
        assert len((tmp_path / "t.csv").read_bytes().splitlines()) == n + 1


def test_without_numba_the_tables_are_the_same_bytes(monkeypatch, tmp_path):
    """Where the kernels cannot be loaded, a large table comes from the numpy forms, byte
    for byte the same."""
    from lda_vi.io import export

    beta = np.random.default_rng(3).dirichlet(np.full(9000, 0.05), size=3)  # 27,000 numbers
    words = [f"w{i}" for i in range(9000)]
    compiled = export.topic_words_table(beta, words, None)
    monkeypatch.setattr(float_text, "_kernel", lambda: None)
    monkeypatch.setattr(csv_columns, "_kernel", lambda: None)
    assert export.topic_words_table(beta, words, None) == compiled
