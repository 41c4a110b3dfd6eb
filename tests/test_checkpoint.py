"""Checkpoints: an interrupted fit resumed from its last checkpoint ends bit-identical."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.model import LDA


def _counts(seed: int = 0, n_docs: int = 120, n_words: int = 60) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    X = sp.random(n_docs, n_words, density=0.15, random_state=rng, format="csr")
    X.data = np.ceil(X.data * 4)
    return X


def _model() -> LDA:
    return LDA(k=4, seed=3, tol=0.0, max_iter=10)


def test_resume_after_interruption_matches_uninterrupted_run(tmp_path: Path) -> None:
    X = _counts()
    full = _model().fit_counts(X)

    def interrupt(report) -> None:
        if report.iteration == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _model().fit_counts(X, callback=interrupt, checkpoint_dir=tmp_path, checkpoint_every=3)
    assert (tmp_path / "checkpoint.npz").is_file()
    assert not list(tmp_path.glob(".*.tmp"))
    resumed = _model().fit_counts(X, resume_dir=tmp_path)
    assert resumed.trace.n_iter == full.trace.n_iter == 10
    assert np.array_equal(resumed.lam, full.lam)
    assert np.array_equal(resumed.gamma, full.gamma)
    assert np.array_equal(resumed.alpha, full.alpha)
    assert resumed.eta == full.eta
    assert resumed.trace.elbo == full.trace.elbo


def test_resume_refuses_another_corpus(tmp_path: Path) -> None:
    _model().fit_counts(_counts(), checkpoint_dir=tmp_path, checkpoint_every=2)
    with pytest.raises(InputError, match="another corpus"):
        _model().fit_counts(_counts(seed=1), resume_dir=tmp_path)


def test_resume_without_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no checkpoint"):
        _model().fit_counts(_counts(), resume_dir=tmp_path)
