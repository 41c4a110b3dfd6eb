"""Damaged model files and bad parameters: one line naming the file or the parameter."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp
from planted import planted_texts

from lda_vi.engine.estep import e_step
from lda_vi.engine.layout import prepare
from lda_vi.engine.settings import EStepSettings
from lda_vi.errors import ModelFileError, ParameterError
from lda_vi.model.checkpoint import load_checkpoint, save_checkpoint
from lda_vi.model.lda import LDA
from lda_vi.model.settings import FitSettings


@pytest.fixture(scope="module")
def model() -> LDA:
    return LDA(k=3, seed=0, max_iter=20, min_df=1, max_df=1.0).fit(planted_texts(0, 60))


@pytest.fixture()
def saved(model, tmp_path):
    return model.save(tmp_path / "model")


def refused(saved, *fragments: str) -> str:
    with pytest.raises(ModelFileError) as info:
        LDA.load(saved)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated_arrays_are_named(saved, keep):
    data = (saved / "arrays.npz").read_bytes()
    (saved / "arrays.npz").write_bytes(data[:int(len(data) * keep)])
    refused(saved, "arrays.npz", "corrupt or truncated")


def test_garbage_arrays_file(saved):
    (saved / "arrays.npz").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    refused(saved, "arrays.npz")


def test_changed_k_in_model_json_is_caught(saved):
    meta = json.loads((saved / "model.json").read_text())
    meta["k"] = 7
    (saved / "model.json").write_text(json.dumps(meta))
    refused(saved, "model.json", "k")


def test_changed_k_everywhere_in_model_json_is_caught_by_the_arrays(saved):
    meta = json.loads((saved / "model.json").read_text())
    meta["k"] = meta["settings"]["k"] = 4
    (saved / "model.json").write_text(json.dumps(meta))
    refused(saved, "lam", "shape", "K=4")


def _rewrite(saved, **changes):
    with np.load(saved / "arrays.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays.update(changes)
    with open(saved / "arrays.npz", "wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize("name,make", [
    ("alpha", lambda m: np.ones(m.k + 1)),
    ("topic_tokens", lambda m: np.ones(m.k - 1)),
    ("doc_tokens", lambda m: np.ones(m.gamma.shape[0] + 1)),
    ("gamma", lambda m: np.ones((m.gamma.shape[0] - 1, m.k))),
    ("gamma", lambda m: np.ones(m.gamma.shape[0] * m.k)),
    ("lam", lambda m: m.lam.T.copy()),
])
def test_every_array_shape_is_checked(model, saved, name, make):
    _rewrite(saved, **{name: make(model)})
    refused(saved, name, "shape")


@pytest.mark.parametrize("name", ["alpha", "topic_tokens", "gamma"])
def test_every_array_dtype_is_checked(model, saved, name):
    _rewrite(saved, **{name: getattr(model, name if name != "topic_tokens" else "topic_tokens")
                       .astype(np.float32)})
    refused(saved, name, "float32")


def test_negative_document_tokens_are_refused(model, saved):
    bad = np.array(model.doc_tokens, dtype=np.float64)
    bad[0] = -1.0
    _rewrite(saved, doc_tokens=bad)
    refused(saved, "doc_tokens", "invalid")


@pytest.mark.parametrize("name", ["alpha", "gamma", "lam"])
def test_non_finite_parameters_are_refused(model, saved, name):
    bad = getattr(model, name).copy()
    bad.flat[0] = np.nan
    _rewrite(saved, **{name: bad})
    refused(saved, name, "finite")


def test_duplicate_vocabulary_word(saved):
    words = (saved / "vocab.txt").read_text().splitlines()
    words[1] = words[0]
    (saved / "vocab.txt").write_text("\n".join(words) + "\n")
    refused(saved, "vocab.txt", "more than once")


def test_truncated_checkpoint_is_named(model, tmp_path):
    from lda_vi.engine.em import EMResult

    state = EMResult(lam=model.lam, gamma=model.gamma, alpha=model.alpha, eta=model.eta,
                     elbo=[1.0], seconds=[0.1], mean_inner=[1.0])
    save_checkpoint(tmp_path, state, {"fingerprint": "x"})
    data = (tmp_path / "checkpoint.npz").read_bytes()
    (tmp_path / "checkpoint.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupt") as info:
        load_checkpoint(tmp_path)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("name,value", [
    ("tol", math.nan), ("tol", -1.0), ("tol", math.inf), ("e_tol", math.nan), ("e_tol", 0.0),
    ("tau0", math.nan), ("kappa", math.nan), ("kappa", 0.5), ("max_iter", 0),
    ("e_max_iter", 0), ("threads", 0), ("seed", -1), ("k", 0), ("k", 2.5), ("alpha", math.nan),
    ("eta", "abc"), ("batch_size", 0), ("passes", 0), ("method", "gibbs"), ("max_iter", True),
])
def test_settings_errors_name_the_parameter(name, value):
    with pytest.raises(ParameterError) as info:
        FitSettings(**{name: value})
    assert info.value.parameter == name
    assert str(info.value).startswith(f"{name} must be")
    assert info.value.params == (name,)


@pytest.mark.parametrize("top_n", [0, -1])
def test_top_n_below_one_is_refused(model, top_n):
    with pytest.raises(ParameterError, match="top_n must be a whole number >= 1"):
        model.topics(top_n)


def test_more_topics_than_words_is_refused():
    X = sp.csr_matrix(np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]))
    with pytest.raises(ParameterError, match="k is 4, more topics than the 3 words"):
        LDA(k=4, seed=0).fit_counts(X)


def test_underflowing_e_step_is_one_line_naming_k():
    """Thousands of topics on three-word documents: exp(E[log θ]) underflows to zero."""
    k, v = 4000, 5000
    X = sp.csr_matrix(np.eye(3, v) * 3.0)
    arrays = prepare(X)
    alpha = np.full(k, 1.0 / k)
    gamma = np.ascontiguousarray(alpha + 3.0 / k + np.zeros((3, k)))
    start = gamma.copy()
    with pytest.raises(ParameterError, match="k is 4000, too many topics") as info:
        e_step(arrays, alpha, np.full((v, k), 1e-300), gamma, EStepSettings(backend="numba"))
    assert info.value.parameter == "k"
    assert np.array_equal(gamma, start)         # no document's γ left half-updated
    # the bound alone (no γ update) finds the zero normalizers too
    with pytest.raises(ParameterError, match="k is 4000, too many topics"):
        e_step(arrays, alpha, np.full((v, k), 1e-300), gamma.copy(),
               EStepSettings(backend="numba", e_max_iter=0))


def test_resume_with_another_k_names_k(model, tmp_path):
    X = sp.csr_matrix(np.random.default_rng(0).poisson(1.0, (30, 12)).astype(float))
    LDA(k=3, seed=1, max_iter=4, tol=0).fit_counts(X, checkpoint_dir=tmp_path,
                                                   checkpoint_every=2)
    with pytest.raises(ParameterError, match="made with k 3, not 4") as info:
        LDA(k=4, seed=1, max_iter=6, tol=0).fit_counts(X, resume_dir=tmp_path)
    assert info.value.parameter == "k"


def test_a_failed_save_leaves_the_old_model_whole(model, saved, monkeypatch):
    """LDA.save is one transaction of its own: a failure half-way changes no file."""
    before = {p.name: p.read_bytes() for p in saved.iterdir()}
    other = LDA(k=2, seed=1, max_iter=5, min_df=1, max_df=1.0).fit(planted_texts(3, 30))
    monkeypatch.setattr(type(other.record), "to_json",
                        lambda self: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OSError):
        other.save(saved)
    assert {p.name: p.read_bytes() for p in saved.iterdir()} == before
