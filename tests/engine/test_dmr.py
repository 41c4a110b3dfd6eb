"""Dirichlet-multinomial regression's M-step (MATH.md C1–C3): objective, gradient, steps."""

import numpy as np
from scipy.special import gammaln

from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.dmr import (
    doc_alpha,
    fit_weights,
    initial_weights,
    prevalence,
    weights_objective,
)


def _problem(seed=0, D=40, K=4, F=3):
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((D, 1)), rng.normal(size=(D, F - 1))])
    gamma = rng.gamma(2.0, 1.0, size=(D, K)) + 0.1
    W = rng.normal(scale=0.3, size=(K, F))
    precision = np.array([0.01] + [1.0] * (F - 1))
    return X, dirichlet_expectation(gamma), W, precision


def test_objective_is_the_alpha_terms_of_the_bound_term_by_term():
    X, Elogtheta, W, precision = _problem()
    value, _ = weights_objective(W, X, Elogtheta, precision)
    expected = 0.0
    for d in range(X.shape[0]):
        a = [np.exp(sum(X[d, f] * W[k, f] for f in range(X.shape[1]))) for k in range(W.shape[0])]
        expected += gammaln(sum(a)) - sum(gammaln(x) for x in a)
        expected += sum((a[k] - 1.0) * Elogtheta[d, k] for k in range(len(a)))
    expected -= sum(W[k, f] ** 2 * precision[f] / 2 for k in range(W.shape[0])
                    for f in range(W.shape[1]))
    assert np.isclose(value, expected, rtol=1e-12)


def test_gradient_equals_finite_differences():
    X, Elogtheta, W, precision = _problem(1)
    _, grad = weights_objective(W, X, Elogtheta, precision)
    h = 1e-6
    numeric = np.zeros_like(W)
    for k in range(W.shape[0]):
        for f in range(W.shape[1]):
            up, down = W.copy(), W.copy()
            up[k, f] += h
            down[k, f] -= h
            numeric[k, f] = (weights_objective(up, X, Elogtheta, precision)[0]
                             - weights_objective(down, X, Elogtheta, precision)[0]) / (2 * h)
    assert np.allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_step_never_lowers_the_objective_and_reaches_a_stationary_point():
    X, Elogtheta, W, precision = _problem(2)
    before, _ = weights_objective(W, X, Elogtheta, precision)
    step = fit_weights(W, X, Elogtheta, precision, max_iter=500)
    assert step.accepted and step.objective > before
    _, grad = weights_objective(step.weights, X, Elogtheta, precision)
    assert np.abs(grad).max() < 1e-4
    again = fit_weights(step.weights, X, Elogtheta, precision)
    assert again.objective >= step.objective


def test_a_refused_step_keeps_the_old_weights():
    X, Elogtheta, W, precision = _problem(3)
    huge = W.copy()
    huge[:, 0] = 60.0          # α beyond exp(40): the objective is −inf there
    value, _ = weights_objective(huge, X, Elogtheta, precision)
    assert value == -np.inf
    step = fit_weights(W, X, Elogtheta, precision, max_iter=0)
    assert np.array_equal(step.weights, W) or step.objective >= weights_objective(
        W, X, Elogtheta, precision)[0]


def test_initial_weights_give_the_plain_prior_and_prevalence_its_mean():
    alpha = np.array([0.1, 0.3, 0.6])
    W = initial_weights(alpha, 4)
    X = np.hstack([np.ones((5, 1)), np.random.default_rng(0).normal(size=(5, 3))])
    assert np.allclose(doc_alpha(X, W), alpha[None, :])
    assert np.allclose(prevalence(X, W), alpha / alpha.sum())
