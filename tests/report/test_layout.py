"""The report's numerics (lda_vi.report.layout): distances, MDS, relevance, candidates."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from lda_vi.report import layout


def test_js_distance_is_symmetric_zero_on_diagonal_and_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.full(50, 0.3), size=6)
    D = layout.js_distance(P)
    assert D.shape == (6, 6)
    np.testing.assert_array_equal(D, D.T)
    np.testing.assert_array_equal(np.diag(D), 0.0)
    assert np.all((D >= 0) & (D <= 1))
    for i in range(6):
        for j in range(6):
            assert D[i, j] == pytest.approx(jensenshannon(P[i], P[j], base=2), abs=1e-7)


def test_js_distance_extremes() -> None:
    P = np.array([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 0.0, 0.0]])
    D = layout.js_distance(P)
    assert D[0, 1] == pytest.approx(1.0)            # disjoint supports: the maximum
    assert D[0, 2] == pytest.approx(0.0, abs=1e-7)  # identical rows


@pytest.mark.parametrize("dim", [2, 3])
def test_classical_mds_reproduces_a_euclidean_configuration(dim: int) -> None:
    rng = np.random.default_rng(dim)
    X = rng.normal(size=(9, dim)) * [3.0, 1.0, 0.5][:dim]
    D = np.linalg.norm(X[:, None] - X[None, :], axis=-1)
    Y = layout.classical_mds(D, dim=dim)
    DY = np.linalg.norm(Y[:, None] - Y[None, :], axis=-1)
    np.testing.assert_allclose(DY, D, atol=1e-9)
    np.testing.assert_allclose(Y.mean(axis=0), 0.0, atol=1e-9)    # centred


def test_classical_mds_of_one_and_two_points() -> None:
    np.testing.assert_array_equal(layout.classical_mds(np.zeros((1, 1))), [[0.0, 0.0]])
    Y = layout.classical_mds(np.array([[0.0, 0.8], [0.8, 0.0]]))
    assert np.linalg.norm(Y[0] - Y[1]) == pytest.approx(0.8)


def test_relevance_at_lambda_one_ranks_by_probability_and_at_zero_by_lift() -> None:
    rng = np.random.default_rng(2)
    p_wk = rng.dirichlet(np.ones(40))
    p_w = rng.dirichlet(np.ones(40))
    np.testing.assert_array_equal(layout.rank_terms(p_wk, p_w, 1.0),
                                  np.argsort(-p_wk, kind="stable"))
    np.testing.assert_array_equal(layout.rank_terms(p_wk, p_w, 0.0),
                                  np.argsort(-(p_wk / p_w), kind="stable"))
    np.testing.assert_allclose(layout.relevance(p_wk, p_w, 0.6),
                               0.6 * np.log(p_wk) + 0.4 * np.log(p_wk / p_w))
    with pytest.raises(ValueError):
        layout.relevance(p_wk, p_w, 1.5)


def test_candidate_terms_hold_the_top_terms_at_every_grid_lambda() -> None:
    rng = np.random.default_rng(3)
    beta = rng.dirichlet(np.full(200, 0.1), size=5)
    p_w = beta.mean(axis=0)
    cands = layout.candidate_terms(beta, p_w, 10)
    for k, ids in enumerate(cands):
        assert np.all(np.diff(beta[k, ids]) <= 0)            # sorted by p(w|k)
        for lam in (0.0, 0.35, 0.6, 1.0):
            top = set(layout.rank_terms(beta[k], p_w, lam, 10).tolist())
            assert top <= set(ids.tolist())


def test_representative_docs_are_the_highest_theta_first() -> None:
    theta = np.array([[0.9, 0.1], [0.2, 0.8], [0.9, 0.1], [0.5, 0.5]])
    np.testing.assert_array_equal(layout.representative_docs(theta, 3), [[0, 2, 3], [1, 3, 0]])


def test_topic_colors_are_distinct() -> None:
    for k in (1, 4, 10, 11, 50):
        colors = layout.topic_colors(k)
        assert len(colors) == k and len(set(colors)) == k
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)
