"""Covariates → design matrix: kinds, encodings learned once and applied to new rows."""

import numpy as np
import pytest

from lda_vi.errors import InputError
from lda_vi.model.design import Design, learn_design


def _where(n):
    return [f"c.csv, line {i + 2}" for i in range(n)]


def test_kinds_are_inferred_and_encoded():
    raw = {"date": ["1988-01-01", "1988-06-01", "1990-01-01", "1990-12-31"],
           "score": ["1", "2", "3", "6"], "section": ["b", "a", "c", "a"]}
    design = learn_design(raw, _where(4))
    assert [c.kind for c in design.covariates] == ["date", "number", "category"]
    X = design.matrix(raw, _where(4))
    assert X.shape == (4, 1 + 5 + 1 + 2)
    assert np.all(X[:, 0] == 1)
    score = X[:, 6]
    assert np.isclose(score.mean(), 0) and np.isclose(score.std(), 1)
    # "a" is the reference level; b and c get their own columns
    assert design.columns[-2:] == ["section=b", "section=c"]
    assert X[:, -2:].tolist() == [[1, 0], [0, 0], [0, 1], [0, 0]]
    # splines: non-negative; with the dropped first column they sum to at most one
    spl = X[:, 1:6]
    assert np.all(spl >= -1e-12) and np.all(spl.sum(axis=1) <= 1 + 1e-12)


def test_saved_design_applies_identically_and_clamps_new_dates():
    raw = {"date": [f"1990-{m:02d}-15" for m in range(1, 13)]}
    design = learn_design(raw, _where(12))
    again = Design.from_dict(design.to_dict())
    assert np.array_equal(again.matrix(raw, _where(12)), design.matrix(raw, _where(12)))
    late = again.matrix({"date": ["1995-01-01", "1990-12-15"]}, _where(2))
    assert np.allclose(late[0], late[1])      # beyond the range: the boundary's value


def test_time_bins_are_indicators():
    raw = {"date": ["1990-01-01", "1990-05-01", "1990-08-01", "1990-12-31"]}
    design = learn_design(raw, _where(4), time_bins=4)
    X = design.matrix(raw, _where(4))
    assert X.shape == (4, 4)
    assert X[:, 1:].tolist() == [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]


def test_missing_values_and_unknown_categories_are_errors_naming_the_row():
    with pytest.raises(InputError, match="line 3: no value in column 'section'"):
        learn_design({"section": ["a", "", "b"]}, _where(3))
    design = learn_design({"section": ["a", "b"]}, _where(2))
    with pytest.raises(InputError, match="line 2: 'z' .* not fitted with"):
        design.matrix({"section": ["z"]}, _where(1))
    with pytest.raises(InputError, match="single value"):
        learn_design({"section": ["a", "a"]}, _where(2))


def test_a_category_with_a_level_per_document_is_refused():
    """An id or a text column named by mistake: one-hot would give D×D dense features
    (80 GB at 100,000 documents) and a prior per document; one line instead."""
    import pytest

    from lda_vi.errors import InputError
    from lda_vi.model.design import learn_design

    rows = [f"AP88-{i:04d}" for i in range(40)]
    with pytest.raises(InputError, match="40 different values among 40 documents"):
        learn_design({"id": rows}, [f"line {i + 2}" for i in range(40)])
    ok = learn_design({"g": [f"g{i % 20}" for i in range(40)]}, [str(i) for i in range(40)])
    assert len(ok.covariates[0].levels) == 20          # two documents per level: kept


def test_numbers_beyond_the_float_range_are_an_error_and_huge_ones_standardize():
    import numpy as np
    import pytest

    from lda_vi.errors import InputError
    from lda_vi.model.design import learn_design

    where = ["line 2", "line 3", "line 4", "line 5"]
    with pytest.raises(InputError, match="line 2: '1e400' in column 'x' is too large"):
        learn_design({"x": ["1e400", "1", "2", "3"]}, where)
    raw = {"x": ["1e308", "-1e308", "1e308", "5"]}
    design = learn_design(raw, where)
    column = design.matrix(raw, where)[:, 1]
    assert np.all(np.isfinite(column)) and abs(column.mean()) < 1e-12 and column.std() > 0.5
