"""Tests of lda_vi.io.writers: lda-c and Matrix Market round trips."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from io_testing import write

from lda_vi.io.counts import read_count_matrix
from lda_vi.io.writers import write_ldac, write_mtx

# --------------------------------------------------------------------------- writers


def _random_counts(seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    X = sp.random(7, 5, density=0.4, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 9)
    return X


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_write_ldac_round_trip(tmp_path, suffix):
    X = _random_counts(1).tolil()
    X[3, :] = 0  # an empty document
    X = X.tocsr()
    write(tmp_path / "vocab.txt", "a\nb\nc\nd\ne\n")
    write_ldac(tmp_path / f"x.dat{suffix}", X)
    m = read_count_matrix(tmp_path / f"x.dat{suffix}")
    np.testing.assert_array_equal(m.counts.toarray(), X.toarray())
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("values", ["integer", "real"])
def test_write_mtx_round_trip(tmp_path, values):
    X = _random_counts(2)
    if values == "real":
        X.data = X.data / 3
    write(tmp_path / "vocab.txt", "a\nb\nc\nd\ne\n")
    write_mtx(tmp_path / "x.mtx", X)
    assert (tmp_path / "x.mtx").read_text().startswith(
        f"%%MatrixMarket matrix coordinate {values} general")
    m = read_count_matrix(tmp_path / "x.mtx")
    np.testing.assert_array_equal(m.counts.toarray(), X.toarray())


def test_write_ldac_refuses_fractions():
    with pytest.raises(ValueError):
        write_ldac("unused.dat", np.array([[0.5]]))


