"""Shards and the canonical tree sum: the same bits however the shards are grouped."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from fits import batch, estep
from planted import generate_lda_corpus

from lda_vi.engine.em import fit_batch
from lda_vi.engine.estep import e_step
from lda_vi.engine.layout import prepare
from lda_vi.engine.shards import (
    LocalEngine,
    TreeReducer,
    canonical_nodes,
    estep_shard,
    reduce_nodes,
    shard_ranges,
    split_corpus,
    tree_sum,
)
from lda_vi.engine.topics import expect_topics


def _leaves(n: int, seed: int = 0) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {i: rng.standard_normal(7) * 10.0 ** rng.integers(-8, 8, 7) for i in range(n)}


def test_shard_ranges_cover_the_corpus() -> None:
    assert shard_ranges(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert shard_ranges(8, 4) == [(0, 4), (4, 8)]
    assert shard_ranges(0, 4) == [(0, 0)]


@pytest.mark.parametrize("n", list(range(1, 23)))
def test_streaming_reducer_equals_canonical_tree(n: int) -> None:
    leaves = _leaves(n, seed=n)
    reducer = TreeReducer()
    for i in range(n):
        reducer.push(leaves[i].copy())
    assert np.array_equal(reducer.result(), reduce_nodes(leaves, 0, n))


@pytest.mark.parametrize("n", [5, 9, 16, 21])
def test_any_grouping_of_shards_gives_the_same_bits(n: int) -> None:
    """Workers holding runs of shards pre-add the canonical nodes inside their runs."""
    leaves = _leaves(n, seed=100 + n)
    full = reduce_nodes(leaves, 0, n)
    rng = np.random.default_rng(n)
    for _ in range(20):
        cuts = np.sort(rng.choice(np.arange(1, n), size=rng.integers(0, n - 1), replace=False))
        bounds = [0, *cuts.tolist(), n]
        known = {}
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            for lo, hi in canonical_nodes(a, b, n):
                known[(lo, hi)] = reduce_nodes(leaves, lo, hi)
        assert sorted(x for node in known for x in range(*node)) == list(range(n))
        assert np.array_equal(tree_sum(lambda a, b, k=known: k.get((a, b)), 0, n), full)


def test_sum_order_matters_without_the_tree() -> None:
    """The tree is not decoration: a plain left-to-right sum differs in the last bits."""
    leaves = _leaves(21, seed=3)
    plain = sum(leaves[i] for i in range(21))
    assert not np.array_equal(plain, reduce_nodes(leaves, 0, 21))


def test_sharded_estep_equals_one_shard_up_to_rounding() -> None:
    X, _, _ = generate_lda_corpus(np.random.default_rng(1), 300, 80, 4, 0.2, 0.1,
                                  doc_length=30)
    corpus = prepare(X)
    lam = np.random.default_rng(2).gamma(2.0, 1.0, (4, 80))
    bT = expect_topics(lam).expElogbetaT
    alpha = np.full(4, 0.2)
    gamma0 = np.ascontiguousarray(alpha + corpus.doc_lengths[:, None] / 4)
    whole = e_step(corpus, alpha, bT, gamma0.copy(), estep())
    engine = LocalEngine(corpus, shard_docs=64)
    assert len(engine.shards) == 5
    gamma = gamma0.copy()
    step = engine.e_step(alpha, bT, gamma, False, estep(e_tol=1e-3, e_max_iter=100))
    assert np.array_equal(gamma, whole.gamma)            # per-document work is identical
    assert np.array_equal(step.word_bound, whole.word_bound)
    np.testing.assert_allclose(step.sstats, whole.sstats, rtol=1e-12)
    parts = split_corpus(corpus, 64)
    gamma2 = gamma0.copy()
    results = [estep_shard(p, alpha, bT, gamma2[lo:hi], False, estep(e_tol=1e-3, e_max_iter=100))
               for p, (lo, hi) in zip(parts, shard_ranges(300, 64), strict=True)]
    direct = reduce_nodes({i: r.statsT for i, r in enumerate(results)}, 0, len(results))
    assert np.array_equal(direct, step.statsT)


def test_fit_with_small_shards_is_monotone_and_reproducible() -> None:
    X, _, _ = generate_lda_corpus(np.random.default_rng(4), 500, 100, 4, 0.2, 0.1,
                                  doc_length=30)
    corpus = prepare(X)
    runs = [fit_batch(corpus, batch(4, alpha=0.2, eta=0.1, max_iter=15, tol=0.0,
                                    on_decrease="raise"), np.random.default_rng(0),
                      engine=LocalEngine(corpus, shard_docs=96)) for _ in range(2)]
    assert np.array_equal(runs[0].lam, runs[1].lam)
    assert runs[0].elbo == runs[1].elbo


def test_csc_index_is_the_stable_sort_by_word():
    """prepare's index by word: each word's documents in increasing order and each entry's
    CSR position, as a stable argsort of the column indices gives them (empty rows and
    columns, and a matrix with no entries, included)."""
    rng = np.random.default_rng(4)
    for D, V, density in ((1, 1, 0.0), (30, 17, 0.3), (200, 90, 0.05), (5, 40, 0.6)):
        X = sp.random(D, V, density=density, format="csr", random_state=rng)
        X.data = np.ceil(X.data * 5)
        X = X.tolil()
        X[0, :] = 0                                            # an empty document
        X = X.tocsr()
        corpus = prepare(X)
        order = np.argsort(corpus.indices, kind="stable")
        assert corpus.csc_indptr.dtype == np.int64
        assert np.array_equal(corpus.csc_indptr,
                              np.concatenate(([0], np.cumsum(np.bincount(corpus.indices,
                                                                         minlength=V)))))
        rows = np.repeat(np.arange(D), np.diff(corpus.indptr))
        assert np.array_equal(corpus.csc_rows, rows[order])
        assert np.array_equal(corpus.csc_to_csr, order)
        assert corpus.csc_rows.dtype == corpus.csc_to_csr.dtype == corpus.indices.dtype
