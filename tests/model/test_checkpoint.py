"""Checkpoints: an interrupted fit resumed from its last checkpoint ends bit-identical."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.model.lda import LDA


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


def test_cli_checkpoint_then_resume_matches_uninterrupted(tmp_path: Path, monkeypatch) -> None:
    import signal

    from click.testing import CliRunner

    from lda_vi import interrupts
    from lda_vi.cli import progress
    from lda_vi.cli.app import cli

    rng = np.random.default_rng(4)
    words = ["apple", "banana", "cherry", "engine", "piston", "wheel", "galaxy", "planet",
             "orbit", "comet"]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(" ".join(rng.choice(words, 20)) for _ in range(80)) + "\n",
                      encoding="utf-8")
    common = [str(corpus), "-k", "3", "--seed", "9", "--tol", "0", "--min-df", "1",
              "--max-df", "1.0", "-q"]
    runner = CliRunner()
    full = runner.invoke(cli, ["fit", *common, "--max-iter", "10", "-o", str(tmp_path / "full")])
    assert full.exit_code == 0, full.output

    def stop_at_7(self, report):             # Ctrl-C during iteration 7
        if report.iteration == 7:
            raise interrupts.Interrupted(signal.SIGINT)

    monkeypatch.setattr(progress.BatchProgress, "__call__", stop_at_7)
    part = runner.invoke(cli, ["fit", *common[:-1], "--max-iter", "10", "--checkpoint-every",
                               "3", "-o", str(tmp_path / "part")])
    monkeypatch.undo()
    assert part.exit_code == 130, part.output
    assert "the checkpoint of iteration 6" in part.stderr and "--resume" in part.stderr
    assert (tmp_path / "part" / "checkpoint.npz").is_file()
    assert not (tmp_path / "part" / "model.json").exists()
    resumed = runner.invoke(cli, ["fit", *common, "--max-iter", "10",
                                  "--resume", str(tmp_path / "part")])
    assert resumed.exit_code == 0, resumed.output
    with np.load(tmp_path / "full" / "arrays.npz") as a, \
            np.load(tmp_path / "part" / "arrays.npz") as b:
        assert np.array_equal(a["lam"], b["lam"])
        assert np.array_equal(a["gamma"], b["gamma"])
    assert (tmp_path / "full" / "doc_topics.csv").read_bytes() == \
        (tmp_path / "part" / "doc_topics.csv").read_bytes()
    assert sorted(p.name for p in (tmp_path / "part").iterdir()) == \
        sorted(p.name for p in (tmp_path / "full").iterdir())      # no checkpoint left
    bad = runner.invoke(cli, ["fit", *common, "--checkpoint-every", "3"])
    assert bad.exit_code == 2 and "-o DIR" in bad.output


# ---- resume mismatches tried from outside (qa2)

def _covariates(n_docs: int = 120) -> dict[str, list[str]]:
    return {"g": [str(i % 3) for i in range(n_docs)], "x": [str(i * 0.5) for i in range(n_docs)]}


def _interrupted(tmp_path: Path, X, **kwargs) -> None:
    def interrupt(report) -> None:
        if report.iteration == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _model().fit_counts(X, callback=interrupt, checkpoint_dir=tmp_path, checkpoint_every=3,
                            **kwargs)


def test_resume_with_covariates_matches_uninterrupted_run(tmp_path: Path) -> None:
    """The checkpoint holds W too: without it the resumed fit starts W afresh, and its
    bound drops ("ELBO decreased ... this is a bug") to another model."""
    X, cov = _counts(), _covariates()
    full = _model().fit_counts(X, covariates=cov)
    _interrupted(tmp_path, X, covariates=cov)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resumed = _model().fit_counts(X, covariates=cov, resume_dir=tmp_path)
    assert np.array_equal(resumed.lam, full.lam)
    assert np.array_equal(resumed.covariates.weights, full.covariates.weights)
    assert resumed.trace.elbo == full.trace.elbo


@pytest.mark.parametrize("given,then", [
    ({"covariates": _covariates()}, {}),                          # dropped on resume
    ({}, {"covariates": _covariates()}),                          # added on resume
    ({"covariates": _covariates()}, {"covariates": {"g": _covariates()["g"]}}),   # another
])
def test_resume_refuses_other_covariates(tmp_path: Path, given, then) -> None:
    X = _counts()
    _interrupted(tmp_path, X, **given)
    with pytest.raises(InputError, match="checkpoint .*covariates") as info:
        _model().fit_counts(X, resume_dir=tmp_path, **then)
    assert "\n" not in str(info.value)


def test_resume_refuses_another_seed_and_takes_the_checkpoints_without_one(tmp_path):
    X = _counts()
    full = _model().fit_counts(X)
    _interrupted(tmp_path, X)
    with pytest.raises(InputError, match="made with seed 3, not 4"):
        LDA(k=4, seed=4, tol=0.0, max_iter=10).fit_counts(X, resume_dir=tmp_path)
    resumed = LDA(k=4, tol=0.0, max_iter=10).fit_counts(X, resume_dir=tmp_path)
    assert resumed.record.settings["seed"] == 3            # recorded as the run it continues
    assert np.array_equal(resumed.lam, full.lam)


def test_resume_mismatch_of_a_value_with_braces_is_one_clear_error(tmp_path):
    """A setting shown with {braces} (seed words) must not break the message itself."""
    X = _counts()
    _interrupted(tmp_path, X)
    with pytest.raises(InputError, match=r"made with seed_words None, not \{'x': \['w1'\]\}"):
        LDA(k=4, seed=3, tol=0.0, max_iter=10, seed_words={"x": ["w1"]}).fit_counts(
            X, resume_dir=tmp_path, vocab=None)


def test_resume_refuses_a_max_iter_below_the_checkpoints_iteration(tmp_path):
    X = _counts()
    _interrupted(tmp_path, X)                               # checkpointed at iteration 6
    with pytest.raises(InputError, match="at iteration 6, beyond max_iter 5") as info:
        LDA(k=4, seed=3, tol=0.0, max_iter=5).fit_counts(X, resume_dir=tmp_path)
    assert info.value.params == ("max_iter",)
    done = LDA(k=4, seed=3, tol=0.0, max_iter=6).fit_counts(X, resume_dir=tmp_path)
    assert done.trace.n_iter == 6
