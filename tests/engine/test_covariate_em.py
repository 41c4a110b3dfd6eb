"""Covariates in the engine: a prior α_d per document (MATH.md C1) and EM with W (C2–C3)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from fits import batch, estep
from planted import generate_covariate_corpus, planted_prevalence
from test_engine import assert_close, is_monotone, random_estep_inputs

from lda_vi.engine.dmr import doc_alpha, prevalence
from lda_vi.engine.elbo import doc_terms
from lda_vi.engine.em import fit_batch
from lda_vi.engine.estep import e_step, e_step_reference
from lda_vi.engine.layout import prepare
from lda_vi.engine.settings import CovariatePrior
from lda_vi.engine.shards import LocalEngine
from lda_vi.evaluate.metrics import match_topics
from lda_vi.model.covariates import precision
from lda_vi.model.design import learn_design


@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_with_a_prior_per_document_equals_reference(seed):
    corpus, _, expElogbetaT, gamma0 = random_estep_inputs(seed)
    rng = np.random.default_rng(seed + 10)
    alpha = rng.uniform(0.05, 2.0, size=gamma0.shape)                 # α_d, D×K
    mask = np.arange(corpus.n_docs) % 4 == 0
    fast = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(backend="numba"),
                  restart=mask)
    ref = e_step_reference(corpus, alpha, expElogbetaT, gamma0.copy(), estep(), restart=mask)
    for name in ("gamma", "expElogtheta", "word_bound", "doc_terms", "sstats"):
        assert_close(getattr(fast, name), getattr(ref, name), what=name)
    assert np.array_equal(fast.restarted, ref.restarted)
    empty = np.diff(corpus.indptr) == 0
    assert np.array_equal(fast.gamma[empty], alpha[empty])
    # the θ terms of (B1) at γ_prev, with each document's own α_d
    nonempty = ~empty
    assert np.all(np.isfinite(fast.doc_terms[nonempty]))
    direct = doc_terms(fast.gamma, alpha)
    assert direct.shape == (corpus.n_docs,)


def test_equal_rows_give_the_bits_of_a_shared_alpha():
    corpus, alpha, expElogbetaT, gamma0 = random_estep_inputs(3)
    shared = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(backend="numba"))
    rows = np.tile(alpha, (corpus.n_docs, 1))
    per_doc = e_step(corpus, rows, expElogbetaT, gamma0.copy(), estep(backend="numba"))
    for name in ("gamma", "word_bound", "doc_terms", "sstats"):
        assert np.array_equal(getattr(shared, name), getattr(per_doc, name)), name


def test_shards_get_their_own_rows_of_alpha():
    corpus, _, expElogbetaT, gamma0 = random_estep_inputs(4, D=90)
    alpha = np.random.default_rng(5).uniform(0.1, 1.0, size=gamma0.shape)
    whole = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(backend="numba"))
    gamma = gamma0.copy()
    step = LocalEngine(corpus, shard_docs=25).e_step(alpha, expElogbetaT, gamma, False,
                                                     estep(backend="numba"))
    assert_close(gamma, whole.gamma, what="gamma")
    assert_close(step.doc_terms, whole.doc_terms, what="doc_terms")
    assert_close(step.statsT.T, whole.sstats, what="sstats")


@pytest.fixture(scope="module")
def covariate_fit():
    rng = np.random.default_rng(0)
    X, beta, dates, t = generate_covariate_corpus(rng, n_docs=1500)
    raw = {"date": [str(d) for d in dates]}
    where = [f"row {i}" for i in range(len(dates))]
    design = learn_design(raw, where)
    F = design.matrix(raw, where)
    prior = CovariatePrior(F, precision(F.shape[1], 1.0))
    state = fit_batch(prepare(sp.csr_matrix(X)), batch(3, alpha=1 / 3, eta=0.05,
                                                       on_decrease="raise", max_iter=150,
                                                       tol=1e-6),
                      np.random.default_rng(1), covariates=prior)
    return state, beta, design, dates


def test_elbo_with_covariates_never_decreases(covariate_fit):
    state, *_ = covariate_fit
    assert len(state.elbo) > 10 and is_monotone(state.elbo)
    assert state.weights.shape == (3, 6)


def test_planted_prevalence_curve_is_recovered(covariate_fit):
    state, beta, design, dates = covariate_fit
    lam = state.lam / state.lam.sum(axis=1, keepdims=True)
    perm, dist = match_topics(beta, lam)
    assert dist.max() < 0.2
    grid = np.linspace(0.0, 1.0, 21)
    start, end = np.datetime64("1988-01-01"), np.datetime64("1990-12-31")
    days = start + np.round(grid * (end - start).astype(np.int64)).astype("timedelta64[D]")
    Xg = design.matrix({"date": [str(d) for d in days]}, [str(i) for i in range(grid.size)])
    fitted = prevalence(Xg, state.weights)[:, perm]          # column j: planted topic j
    truth = planted_prevalence(grid)
    err = np.abs(fitted - truth)
    assert err.mean() < 0.06 and err.max() < 0.2, (err.mean(), err.max())
    for j in range(3):                                       # the shape, not just the level
        assert np.corrcoef(fitted[:, j], truth[:, j])[0, 1] > 0.95
    assert np.allclose(doc_alpha(Xg, state.weights).shape, (21, 3))
