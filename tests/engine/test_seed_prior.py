"""Seed words as a K×V prior η (MATH.md S1): the bound, the η step and EM with it.

Each test checks a statement of MATH.md (S1, B1, E5, H1) against an independent
computation (loops over every term, finite differences, a planted truth).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from planted import CLOSE_OWN, close_topics_corpus, generate_lda_corpus
from scipy.special import gammaln, psi

from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.elbo import doc_terms, topic_terms
from lda_vi.engine.em import fit_batch
from lda_vi.engine.estep import e_step
from lda_vi.engine.hyper import newton_symmetric
from lda_vi.engine.layout import prepare
from lda_vi.engine.seeds import SeedPrior
from lda_vi.engine.settings import BatchSettings, EStepSettings, Priors
from lda_vi.engine.topics import expect_topics

COUNTS = [[2, 0, 1, 0, 3],
          [0, 1, 0, 4, 0],
          [1, 1, 1, 0, 2]]
GAMMA = [[1.7, 3.2, 0.6], [0.4, 5.9, 1.1], [2.5, 8.1, 0.9]]
LAM = [[0.8, 2.3, 1.1, 4.0, 0.3],
       [3.1, 0.2, 2.6, 0.9, 5.4],
       [1.2, 1.9, 0.7, 2.2, 1.6]]
ALPHA = [0.3, 0.7, 0.5]
ETA, STRENGTH = 0.2, 1.5
SEEDS = [[0, 3], [3, 4]]          # word 3 seeds topics 0 and 1; topic 2 is free


def expected_log(row):
    total = sum(row)
    return [float(psi(p) - psi(total)) for p in row]


def elbo_b1_matrix_eta(n, gamma, lam, alpha, eta_kw):
    """MATH.md (B1) with a K×V prior η_kw, every term written out, at the optimal φ (E3)."""
    D, V, K = len(n), len(n[0]), len(alpha)
    Elogtheta = [expected_log(gamma[d]) for d in range(D)]
    Elogbeta = [expected_log(lam[k]) for k in range(K)]
    L = 0.0
    for d in range(D):
        L += gammaln(sum(alpha)) - sum(gammaln(a) for a in alpha)
        L += sum((alpha[k] - 1.0) * Elogtheta[d][k] for k in range(K))
        L += -gammaln(sum(gamma[d])) + sum(gammaln(g) for g in gamma[d])
        L -= sum((gamma[d][k] - 1.0) * Elogtheta[d][k] for k in range(K))
        for w in range(V):
            if n[d][w] == 0:
                continue
            un = [math.exp(Elogtheta[d][k] + Elogbeta[k][w]) for k in range(K)]
            for k in range(K):
                p = un[k] / sum(un)                                    # (E3)
                L += n[d][w] * p * (Elogtheta[d][k] + Elogbeta[k][w] - math.log(p))
    for k in range(K):
        L += gammaln(sum(eta_kw[k]))                                   # log Γ(Σ_w η_kw)
        for w in range(V):
            L -= gammaln(eta_kw[k][w])                                 # − Σ log Γ(η_kw)
            L += (eta_kw[k][w] - 1.0) * Elogbeta[k][w]                 # + Σ (η_kw − 1) Elogβ
        L -= gammaln(sum(lam[k]))
        for w in range(V):
            L += gammaln(lam[k][w])
            L -= (lam[k][w] - 1.0) * Elogbeta[k][w]
    return float(L)


def tiny_prior() -> SeedPrior:
    return SeedPrior.from_lists(SEEDS, 3, 5, STRENGTH)


def test_eta_matrix_is_s1():
    eta = tiny_prior().eta_matrix(ETA)
    expected = [[ETA + STRENGTH * (w in SEEDS[k]) if k < 2 else ETA for w in range(5)]
                for k in range(3)]
    assert np.array_equal(eta, np.array(expected))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_bound_with_matrix_eta_equals_b1_term_by_term(backend):
    prior = tiny_prior()
    eta_kw = [[ETA + STRENGTH * (w in SEEDS[k]) if k < 2 else ETA for w in range(5)]
              for k in range(3)]
    expected = elbo_b1_matrix_eta(COUNTS, GAMMA, LAM, ALPHA, eta_kw)
    gamma, lam, alpha = np.array(GAMMA), np.array(LAM), np.array(ALPHA)
    expElogbetaT = np.exp(dirichlet_expectation(lam).T)
    est = e_step(prepare(sp.csr_matrix(np.array(COUNTS, dtype=float))), alpha, expElogbetaT,
                 gamma.copy(), EStepSettings(e_max_iter=0, backend=backend))
    # the form EM records: E-step terms + the symmetric topic pass + the seeds' correction
    engine = (est.doc_terms.sum() + est.word_bound.sum()
              + prior.topic_terms(expect_topics(lam, backend), ETA))
    assert engine == pytest.approx(expected, rel=1e-12)
    # and elbo.topic_terms with the dense K×V prior
    dense = doc_terms(gamma, alpha).sum() + est.word_bound.sum() + topic_terms(
        lam, prior.eta_matrix(ETA))
    assert dense == pytest.approx(expected, rel=1e-12)
    # a matrix η differs from the symmetric one: the test can tell them apart
    assert abs(topic_terms(lam, np.full(5, ETA)) - topic_terms(lam, prior.eta_matrix(ETA))) > 1


def test_correction_equals_dense_prior_on_a_larger_model():
    rng = np.random.default_rng(5)
    K, V = 6, 300
    lam = rng.gamma(0.5, 20.0, size=(K, V)) + 0.01
    seeds = [rng.choice(V, size=7, replace=False).tolist() for _ in range(3)] + [[1, 2, 1]]
    prior = SeedPrior.from_lists(seeds, K, V, 4.0)
    for eta in (0.01, 0.3, 2.0):
        assert prior.topic_terms(expect_topics(lam), eta) == pytest.approx(
            topic_terms(lam, prior.eta_matrix(eta)), rel=1e-12)


def random_model(seed: int = 2, K: int = 5, V: int = 80):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.3, 30.0, size=(K, V)) + 0.05
    seeds = [rng.choice(V, size=4, replace=False).tolist() for _ in range(3)]
    return lam, SeedPrior.from_lists(seeds, K, V, 2.5)


def test_eta_objective_is_the_bound_as_a_function_of_base_eta():
    """f(η1) − f(η2) is the change of the topic line of (B1) when only the base η moves."""
    lam, prior = random_model()
    s = float(dirichlet_expectation(lam).sum())
    for e1, e2 in ((0.05, 0.4), (0.4, 3.0)):
        change = topic_terms(lam, prior.eta_matrix(e1)) - topic_terms(lam, prior.eta_matrix(e2))
        assert prior.eta_objective(e1, s) - prior.eta_objective(e2, s) == pytest.approx(
            change, rel=1e-10)


@pytest.mark.parametrize("eta", [0.02, 0.3, 1.7])
def test_eta_gradient_and_curvature_equal_finite_differences(eta):
    lam, prior = random_model()
    s = float(dirichlet_expectation(lam).sum())
    h = 1e-5 * eta
    g, curv = prior.eta_gradient(eta, s)
    fd_g = (prior.eta_objective(eta + h, s) - prior.eta_objective(eta - h, s)) / (2 * h)
    fd_h = (prior.eta_gradient(eta + h, s)[0] - prior.eta_gradient(eta - h, s)[0]) / (2 * h)
    assert g == pytest.approx(fd_g, rel=1e-6, abs=1e-6 * abs(s))
    assert curv == pytest.approx(fd_h, rel=1e-6)
    assert curv < 0                                                   # f is concave


def test_learned_base_eta_maximizes_with_boost_fixed():
    lam, prior = random_model()
    s = float(dirichlet_expectation(lam).sum())
    eta = prior.learn_eta(0.01, s)
    assert abs(prior.eta_gradient(eta, s)[0]) < 1e-6 * abs(s)
    best = prior.eta_objective(eta, s)
    for other in np.geomspace(eta / 3, eta * 3, 25):
        assert prior.eta_objective(other, s) <= best + 1e-9 * abs(best)
    # the boost is kept: the learned prior is the base η plus s at the seeds
    assert np.array_equal(prior.eta_matrix(eta) - eta > 0,
                          prior.eta_matrix(1.0) - 1.0 > 0)


def test_learn_eta_without_seeds_is_the_symmetric_update():
    lam, _ = random_model()
    s = float(dirichlet_expectation(lam).sum())
    free = SeedPrior.from_lists([], 5, 80, 1.0)
    assert free.learn_eta(0.01, s) == pytest.approx(newton_symmetric(0.01, s, 5, 80), rel=1e-9)
    assert free.correction(expect_topics(lam), 0.1) == 0.0


def test_invalid_priors_name_the_parameter():
    with pytest.raises(ValueError, match="seed_strength"):
        SeedPrior.from_lists([[0]], 2, 5, 0.0)
    with pytest.raises(ValueError, match="k must be >="):
        SeedPrior.from_lists([[0], [1], [2]], 2, 5, 1.0)
    with pytest.raises(ValueError, match="seed word ids"):
        SeedPrior.from_lists([[7]], 2, 5, 1.0)


def is_monotone(trace) -> bool:
    trace = np.asarray(trace)
    return bool(np.all(np.diff(trace) >= -1e-9 * np.abs(trace[:-1])))


@pytest.mark.parametrize("learn", [False, True], ids=["fixed-priors", "learned-priors"])
def test_elbo_with_seeds_never_decreases(learn):
    X, _, _ = generate_lda_corpus(np.random.default_rng(11), 400, 120, 4, 0.2, 0.1,
                                  doc_length=40)
    prior = SeedPrior.from_lists([[0, 1, 2], [2, 50, 60]], 4, 120, 5.0)
    settings = BatchSettings(4, Priors(0.25, 0.01, learn, learn, seeds=prior), max_iter=40,
                             tol=0.0, on_decrease="raise")
    result = fit_batch(prepare(X), settings, np.random.default_rng(0))
    assert result.n_iter == 40
    assert is_monotone(result.elbo), np.diff(result.elbo)
    assert result.elbo[-1] > result.elbo[0]
    if not learn:   # (E5) with (S1): λ − η_k· are the expected counts S, summing to the tokens
        counts = result.lam - prior.eta_matrix(result.eta)
        assert counts.min() >= -1e-9
        assert counts.sum() == pytest.approx(X.sum(), rel=1e-9)


def hellinger(p, q):
    return np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=-1))


def test_seeded_topics_start_on_their_theme():
    """λ starts with the seeds' mass: after one EM iteration each seeded topic is already
    near its planted topic, and holds its own words, not those of its close twin."""
    X, beta = close_topics_corpus()
    seeds = [list(own)[:5] for own in CLOSE_OWN]
    prior = SeedPrior.from_lists(seeds, 5, X.shape[1], 10.0)
    for seed in range(3):
        settings = BatchSettings(5, Priors(0.2, 0.01, seeds=prior), max_iter=1)
        result = fit_batch(prepare(X), settings, np.random.default_rng(seed))
        fitted = result.lam / result.lam.sum(axis=1, keepdims=True)
        for k, own in enumerate(CLOSE_OWN):
            twin = CLOSE_OWN[1 - k]
            assert hellinger(beta[k], fitted[k]) < 0.3 < hellinger(beta[1 - k], fitted[k])
            assert fitted[k, list(own)].sum() > 10 * fitted[k, list(twin)].sum()
