"""``LDA(inference='cvb0')``: fit, infer, save and load, the memory refusal (MATH.md V1–V4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from planted import block_topics, generate_lda_corpus

from lda_vi.errors import InputError
from lda_vi.evaluate.metrics import match_topics
from lda_vi.model import cvb0_fit
from lda_vi.model.lda import LDA


@pytest.fixture(scope="module")
def planted():
    K, V = 4, 80
    X, beta, theta = generate_lda_corpus(np.random.default_rng(21), 200, V, K, 0.2,
                                         block_topics(K, V), doc_length=50)
    return X, beta / beta.sum(axis=1, keepdims=True), theta


@pytest.fixture(scope="module")
def fitted(planted):
    X, _, _ = planted
    return LDA(k=4, seed=3, inference="cvb0", max_iter=150).fit_counts(X)


def test_fit_recovers_planted_topics_and_records_the_run(fitted, planted):
    X, beta, _ = planted
    _, dist = match_topics(beta, fitted.beta)
    assert dist.max() < 0.15
    record = fitted.run_info
    assert record["inference"] == "cvb0" and record["settings"]["inference"] == "cvb0"
    assert record["stop_reason"] and record["iterations"] == len(record["elbo"])
    assert len(record["train_loglik_per_token"]) == record["iterations"]
    assert record["memory_estimate_bytes"] >= 8 * X.nnz * 4
    assert record["stale_counts"] == 0
    assert np.allclose(fitted.theta.sum(axis=1), 1.0)
    assert fitted.alpha.shape == (4,) and fitted.eta > 0   # learned ('auto')


def test_same_seed_same_bits(planted):
    X, _, _ = planted
    a = LDA(k=4, seed=5, inference="cvb0", max_iter=20).fit_counts(X)
    b = LDA(k=4, seed=5, inference="cvb0", max_iter=20).fit_counts(X)
    assert np.array_equal(a.lam, b.lam) and a.trace.elbo == b.trace.elbo


def test_infer_folds_in_with_topics_fixed(fitted, planted):
    X, _, theta = planted
    inference = fitted.infer(X[:50])
    assert np.allclose(inference.gamma.sum(axis=1), X[:50].sum(axis=1).A1 + fitted.alpha.sum())
    assert np.all(np.isfinite(inference.bound))
    # the fit's own documents, folded in again, land near their fitted θ
    assert np.mean(np.abs(inference.theta - fitted.theta[:50]).sum(axis=1)) < 0.1


def test_save_and_load_keep_lambda_and_the_inference(fitted, planted, tmp_path: Path):
    X, _, _ = planted
    fitted.vocab = None
    from lda_vi.text.vocabulary import Vocabulary

    fitted.vocab = Vocabulary([f"w{i}" for i in range(X.shape[1])])
    fitted.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert meta["settings"]["inference"] == "cvb0"
    loaded = LDA.load(tmp_path / "m")
    assert loaded.settings.inference == "cvb0"
    assert np.array_equal(loaded.lam, fitted.lam) and np.array_equal(loaded.alpha, fitted.alpha)
    assert np.array_equal(loaded.infer(X[:10]).gamma, fitted.infer(X[:10]).gamma)


def test_memory_refusal_names_the_alternatives(planted, monkeypatch):
    X, _, _ = planted
    with pytest.raises(InputError) as caught:
        cvb0_fit.check_memory(10**9, 10**6, 10**5, 100, available=2**30)
    message = str(caught.value)
    assert "inference=vb" in message and "method=online" in message
    assert set(caught.value.params) == {"inference", "method"}
    assert cvb0_fit.check_memory(1000, 10, 10, 5, available=2**30) == \
        cvb0_fit.memory_estimate(1000, 10, 10, 5)
    monkeypatch.setattr(cvb0_fit, "available_memory", lambda: 1000)
    with pytest.raises(InputError, match="inference=cvb0 needs about"):
        LDA(k=4, seed=0, inference="cvb0").fit_counts(X)


def test_settings_refuse_what_cvb0_does_not_do(planted):
    with pytest.raises(InputError, match="inference"):
        LDA(k=3, inference="gibbs")
    with pytest.raises(InputError, match="method"):
        LDA(k=3, inference="cvb0", method="online")
    X, _, _ = planted
    with pytest.raises(InputError, match="eval_every"):
        LDA(k=3, inference="cvb0").fit_counts(X, monitor=lambda s: None, monitor_every=2)
    with pytest.raises(InputError, match="covariates"):
        LDA(k=3, inference="cvb0").fit_counts(X, covariates={"x": ["1"] * X.shape[0]})
