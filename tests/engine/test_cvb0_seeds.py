"""Seed words under CVB0: (V2) with the prior η_kw = η + s [w ∈ S_k] of (S1), the exact
bound with (S1)'s topic terms, η learned with the boosts held fixed, and the same bits on
any number of threads. None of these tests times anything.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from fits import bound_by_hand
from planted import block_topics, generate_lda_corpus
from scipy.special import gammaln, psi

from lda_vi.engine import cvb0, cvb0_hyper
from lda_vi.engine.backend import set_threads
from lda_vi.engine.layout import prepare
from lda_vi.engine.seeds import SeedPrior
from lda_vi.evaluate.metrics import match_topics

numba = pytest.importorskip("numba")

K, V = 3, 40
SEED_LISTS = [[0, 1, 2], [5, 6]]          # topic 0 seeded by words 0-2, topic 1 by 5-6
STRENGTH = 4.0


def tiny(seed=0, n_docs=30, fractional=False):
    rng = np.random.default_rng(seed)
    X, _, _ = generate_lda_corpus(rng, n_docs, V, K, 0.3, 0.1, doc_length=30)
    X = sp.csr_matrix(X)
    if fractional:
        X.data = X.data * rng.uniform(0.2, 0.9, size=X.data.shape)
    return prepare(X)


def prior() -> SeedPrior:
    return SeedPrior.from_lists(SEED_LISTS, K, V, STRENGTH)


def close(a, b, tol):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    assert float(np.max(np.abs(a - b))) <= tol * max(1.0, float(np.max(np.abs(b))))


def dense_sweep(corpus, phi, alpha, eta_kw):
    """(V2) with a K×V prior, written out: one document and one non-zero at a time, the
    topic-word counts of the sweep's start, one token's mass left out of every count."""
    phi = phi.copy()
    rows = np.repeat(np.arange(corpus.n_docs), np.diff(corpus.indptr))
    nwk = np.zeros((K, V))
    np.add.at(nwk.T, corpus.indices, corpus.data[:, None] * phi)
    nk = nwk.sum(axis=1)
    ndk = np.zeros((corpus.n_docs, K))
    np.add.at(ndk, rows, corpus.data[:, None] * phi)
    for d in range(corpus.n_docs):
        for j in range(corpus.indptr[d], corpus.indptr[d + 1]):
            w, c = corpus.indices[j], corpus.data[j]
            own = min(c, 1.0) * phi[j]
            p = ((np.maximum(nwk[:, w] - own, 0) + eta_kw[:, w])
                 / (np.maximum(nk - own, 0) + eta_kw.sum(axis=1))
                 * (np.maximum(ndk[d] - own, 0) + alpha))
            new = p / p.sum()
            ndk[d] += c * (new - phi[j])
            phi[j] = new
    return phi


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("fractional", [False, True])
def test_seeded_sweep_is_v2_with_the_s1_prior(compiled, fractional):
    corpus = tiny(1, fractional=fractional)
    phi = cvb0.init_phi(np.random.default_rng(2), corpus.nnz, K)
    alpha, eta, seeds = np.array([0.2, 0.5, 0.1]), 0.05, prior()
    expected = dense_sweep(corpus, phi, alpha, seeds.eta_matrix(eta))
    counts = cvb0.Counts(corpus, phi.copy(), compiled)
    assert counts.sweep(alpha, eta, seeds) == 0
    close(counts.phi, expected, 1e-12)
    # the counts are summed again from φ: the boosts were pseudo-counts of the sweep only
    nwkT = np.zeros((V, K))
    np.add.at(nwkT, corpus.indices, corpus.data[:, None] * counts.phi)
    close(counts.nwkT, nwkT, 1e-12)
    close(counts.nk, nwkT.sum(axis=0), 1e-12)
    # and the seeds change the sweep: their words lean to their topics
    plain = cvb0.Counts(corpus, phi.copy(), compiled)
    plain.sweep(alpha, eta)
    for k, words in enumerate(SEED_LISTS):
        assert counts.nwkT[words, k].sum() > plain.nwkT[words, k].sum()


def test_monitor_is_the_exact_bound_with_the_seeded_prior():
    corpus = tiny(10)
    counts = cvb0.Counts(corpus, cvb0.init_phi(np.random.default_rng(1), corpus.nnz, K), True)
    alpha, eta, seeds = np.array([0.2, 0.4, 0.3]), 0.05, prior()
    counts.sweep(alpha, eta, seeds)
    state = cvb0.monitor(counts, alpha, eta, "auto", seeds)
    eta_kw = seeds.eta_matrix(eta)
    lam = counts.nwkT.T + eta_kw                                   # (V3) with (S1)
    close(state.lam, lam, 1e-15)
    expected = bound_by_hand(corpus, counts.ndk + alpha, lam, alpha, eta_kw)
    assert abs(state.elbo - expected) <= 1e-10 * abs(expected)
    symmetric = cvb0.monitor(counts, alpha, eta, "auto")
    assert abs(symmetric.elbo - state.elbo) > 1e-6 * abs(expected)   # the prior counts


def polya_eta(nwkT, eta, seeds):
    """The Pólya log-likelihood of the expected topic-word counts in the base η, boosts
    fixed: Σ_k [log Γ(Σ_w η_kw) − log Γ(N_k + Σ_w η_kw) + Σ_w (log Γ(N_wk + η_kw) −
    log Γ(η_kw))]."""
    eta_kw = seeds.eta_matrix(eta)
    nwk = nwkT.T
    return float((gammaln(eta_kw.sum(axis=1)) - gammaln(nwk.sum(axis=1) + eta_kw.sum(axis=1))
                  + (gammaln(nwk + eta_kw) - gammaln(eta_kw)).sum(axis=1)).sum())


@pytest.mark.parametrize("compiled", [True, False])
def test_seeded_eta_sums_are_the_polya_derivative(compiled):
    rng = np.random.default_rng(3)
    nwkT = rng.gamma(0.3, 5.0, size=(V, K))
    seeds = prior()
    for eta in (0.02, 0.3):
        num, den = cvb0_hyper.eta_sums(nwkT, nwkT.sum(axis=0), eta, compiled, seeds=seeds)
        h = 1e-6 * eta
        numeric = (polya_eta(nwkT, eta + h, seeds) - polya_eta(nwkT, eta - h, seeds)) / (2 * h)
        assert abs((num - V * den) - numeric) <= 1e-5 * max(1.0, abs(numeric))


def test_seeded_eta_fixed_point_climbs_to_the_polya_maximum():
    rng = np.random.default_rng(4)
    nwkT = rng.gamma(0.3, 5.0, size=(V, K))
    nk, seeds = nwkT.sum(axis=0), prior()
    eta = cvb0_hyper.fixed_point_eta(nwkT, nk, 0.5, steps=2000, seeds=seeds)
    best = polya_eta(nwkT, eta, seeds)
    for other in (eta * 0.99, eta * 1.01):
        assert polya_eta(nwkT, other, seeds) < best
    unseeded = cvb0_hyper.fixed_point_eta(nwkT, nk, 0.5, steps=2000)
    assert abs(unseeded - eta) > 1e-3 * eta            # the boosts held fixed move it


def test_seeded_newton_is_the_seed_priors_eta_step():
    seeds = prior()
    lam = np.random.default_rng(5).gamma(0.5, 4.0, size=(K, V)) + seeds.eta_matrix(0.1)
    sum_Elogbeta = float((psi(lam) - psi(lam.sum(axis=1, keepdims=True))).sum())
    got = cvb0_hyper.newton_eta(sum_Elogbeta, 0.1, K, V, seeds)
    assert got == seeds.learn_eta(0.1, sum_Elogbeta)
    assert abs(got - cvb0_hyper.newton_eta(sum_Elogbeta, 0.1, K, V)) > 1e-6 * got


def fit(corpus, seeds, method="corrected", backend="auto", **kw):
    return cvb0.fit_cvb0(corpus, K, alpha=0.2, eta=0.05, rng=np.random.default_rng(0),
                         learn_alpha=True, learn_eta=True, hyper_method=method, burn_in=2,
                         hyper_every=2, max_iter=8, tol=0.0, backend=backend, seeds=seeds, **kw)


def test_seeded_fit_numba_equals_numpy_and_is_bit_identical_for_any_thread_count():
    corpus = tiny(6, n_docs=60)
    seeds = prior()
    runs = [fit(corpus, seeds, backend=backend) for backend in ("numba", "numpy")]
    close(runs[0].lam, runs[1].lam, 1e-9)
    close(runs[0].elbo, runs[1].elbo, 1e-9)
    assert runs[0].eta != fit(corpus, None).eta
    if numba.config.NUMBA_NUM_THREADS < 2:
        return
    saved = numba.get_num_threads()
    try:
        by_threads = []
        for threads in sorted({1, 2, numba.config.NUMBA_NUM_THREADS}):
            set_threads(threads)
            by_threads.append([fit(corpus, seeds, method, shard_docs=16)
                               for method in cvb0_hyper.HYPER_METHODS])
    finally:
        set_threads(saved)
    for other in by_threads[1:]:
        for a, b in zip(by_threads[0], other, strict=True):
            assert np.array_equal(a.lam, b.lam) and a.elbo == b.elbo and a.eta == b.eta


def test_planted_topics_land_where_their_seeds_put_them():
    """Five planted topics, each owning 20 words; topic 0 is seeded with three words of
    planted topic 3 and topic 1 with three of planted topic 0: those topics are recovered
    in the seeded places, and the rest found as without seeds."""
    k, v = 5, 100
    X, beta, _ = generate_lda_corpus(np.random.default_rng(11), 300, v, k, 0.2,
                                     block_topics(k, v), doc_length=60)
    corpus = prepare(X)
    seeds = SeedPrior.from_lists([[60, 61, 62], [0, 1, 2]], k, v, STRENGTH)
    for start in range(3):
        result = cvb0.fit_cvb0(corpus, k, alpha=0.1, eta=0.05,
                               rng=np.random.default_rng(start), learn_alpha=True,
                               learn_eta=True, max_iter=200, tol=1e-6, seeds=seeds)
        est = result.lam / result.lam.sum(axis=1, keepdims=True)
        perm, dist = match_topics(beta, est)
        assert perm[3] == 0 and perm[0] == 1, perm
        assert dist.max() < 0.15, dist
        assert result.converged and sum(result.stale) == 0
        assert np.all(result.lam[0, [60, 61, 62]] >= result.eta + STRENGTH)   # (V3), (S1)


def test_seeds_of_another_shape_are_refused():
    with pytest.raises(ValueError, match="seeds"):
        fit(tiny(9), SeedPrior.from_lists(SEED_LISTS, K, V + 1, STRENGTH))
