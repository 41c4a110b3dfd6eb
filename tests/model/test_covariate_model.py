"""A model fitted with covariates: fit, save/load, transform with new documents' priors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from planted import generate_covariate_corpus

from lda_vi.errors import InputError
from lda_vi.model.lda import LDA
from lda_vi.text.vocabulary import Vocabulary


@pytest.fixture(scope="module")
def fitted():
    X, beta, dates, t = generate_covariate_corpus(np.random.default_rng(2), n_docs=600)
    values = {"date": [str(d) for d in dates],
              "group": ["a" if i % 2 else "b" for i in range(len(dates))]}
    model = LDA(k=3, seed=0, alpha=0.3, eta=0.05, max_iter=60, on_decrease="raise")
    model.fit_counts(sp.csr_matrix(X), Vocabulary([f"w{v:03d}" for v in range(X.shape[1])]),
                     covariates=values)
    return model, X, values


def test_fit_records_the_covariates_and_a_monotone_bound(fitted):
    model, _, values = fitted
    trace = np.asarray(model.record.elbo)
    assert np.all(np.diff(trace) >= -1e-9 * np.abs(trace[:-1]))
    info = model.record.to_dict()["covariates"]
    assert info["names"] == ["date", "group"] and info["kinds"] == ["date", "category"]
    assert np.asarray(info["weights"]).shape == (3, len(info["columns"]))
    assert info["columns"][0] == "(intercept)" and "group=b" in info["columns"]
    assert model.alpha.shape == (3,)


def test_save_load_round_trip_keeps_the_covariates(fitted, tmp_path):
    model, X, values = fitted
    model.save(tmp_path / "m")
    again = LDA.load(tmp_path / "m")
    assert again.covariates is not None
    assert np.array_equal(again.covariates.weights, model.covariates.weights)
    assert again.covariates.values == values
    new = {"date": ["1988-03-01", "1990-11-01"], "group": ["a", "b"]}
    a = model.infer(sp.csr_matrix(X[:2]), new).gamma
    b = again.infer(sp.csr_matrix(X[:2]), new).gamma
    assert np.array_equal(a, b)
    run = json.loads((tmp_path / "m" / "run.json").read_text())
    assert run["covariates"]["weights"] == model.covariates.weights.tolist()


def test_new_documents_take_their_own_prior(fitted):
    model, X, _ = fitted
    early = model.covariates.alpha({"date": ["1988-01-15"], "group": ["a"]}, ["x"])
    late = model.covariates.alpha({"date": ["1990-12-15"], "group": ["a"]}, ["x"])
    assert not np.allclose(early, late)
    empty = sp.csr_matrix((1, X.shape[1]))
    gamma = model.infer(empty, {"date": ["1988-01-15"], "group": ["a"]}).gamma
    assert np.allclose(gamma[0], early[0])        # an empty document keeps its prior
    with pytest.raises(InputError, match="not fitted with"):
        model.infer(empty, {"date": ["1988-01-15"], "group": ["zz"]})


def test_a_model_without_covariates_refuses_them_and_online_too():
    X, _, dates, _ = generate_covariate_corpus(np.random.default_rng(3), n_docs=60)
    plain = LDA(k=2, seed=0, max_iter=5).fit_counts(sp.csr_matrix(X))
    with pytest.raises(InputError, match="without covariates"):
        plain.infer(sp.csr_matrix(X[:1]), {"date": ["1990-01-01"]})
    with pytest.raises(InputError, match="method='batch'"):
        LDA(k=2, seed=0, method="online").fit_counts(
            sp.csr_matrix(X), covariates={"date": [str(d) for d in dates]})


@pytest.mark.parametrize("options, named", [({"covariate_prior": 2.0}, "covariate_prior"),
                                            ({"time_bins": 4}, "time_bins"),
                                            ({"covariate_prior": 0.5, "time_bins": 3},
                                             "covariate_prior")])
@pytest.mark.parametrize("how", ["batch", "cvb0", "online", "stream"])
def test_covariate_options_without_covariates_are_refused_by_name(options, named, how):
    """The CLI refuses --covariate-prior and --time-bins without --covariates; the library
    does the same for its parameters, whatever the method, rather than leave them unused."""
    X = sp.csr_matrix(generate_covariate_corpus(np.random.default_rng(4), n_docs=40)[0])
    extra = {"cvb0": {"inference": "cvb0"}, "online": {"method": "online"},
             "stream": {"method": "online"}}.get(how, {})
    model = LDA(k=2, seed=0, max_iter=3, **options, **extra)
    with pytest.raises(InputError, match=f"^{named} applies to covariates only") as caught:
        if how == "stream":
            model.fit_stream(lambda: iter([("d1", "some words here"), ("d2", "more words")]))
        else:
            model.fit_counts(X)
    assert caught.value.params == (named,)


def test_covariate_options_at_their_defaults_fit_without_covariates():
    X = sp.csr_matrix(generate_covariate_corpus(np.random.default_rng(4), n_docs=40)[0])
    model = LDA(k=2, seed=0, max_iter=3, covariate_prior=1.0, time_bins=None).fit_counts(X)
    assert model.record.to_dict()["covariates"] is None
