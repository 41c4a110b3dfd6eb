"""The mathematics of CVB0 (MATH.md V1–V4): compiled sweep == plain reference, planted
topics recovered, the same bits for any thread count, the stale-count guard, the
exact bound at the implied γ, λ, and the hyperparameter steps.

None of these tests times anything.
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
from lda_vi.engine.cvb0_reference import counts_reference, scores_reference, sweep_reference
from lda_vi.engine.layout import prepare
from lda_vi.evaluate.metrics import match_topics

numba = pytest.importorskip("numba")
from lda_vi.engine import cvb0_kernels as kernels  # noqa: E402


def tiny(seed=0, n_docs=30, n_words=40, k=3, fractional=False):
    rng = np.random.default_rng(seed)
    X, beta, theta = generate_lda_corpus(rng, n_docs, n_words, k, 0.3, 0.1, doc_length=30)
    X = sp.csr_matrix(X)
    if fractional:                       # counts below one: a token is less than its mass
        X.data = X.data * rng.uniform(0.2, 0.9, size=X.data.shape)
    return prepare(X), beta, theta


def close(a, b, tol=1e-12):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    scale = max(1.0, float(np.max(np.abs(b))))
    assert float(np.max(np.abs(a - b))) <= tol * scale


# ------------------------------------------------------------------ 1. sweep == reference


@pytest.mark.parametrize("fractional", [False, True])
def test_one_sweep_equals_reference(fractional):
    """One compiled sweep (V2) and the counts summed again == the plain-Python sweep."""
    corpus, _, _ = tiny(1, fractional=fractional)
    K = 3
    phi = cvb0.init_phi(np.random.default_rng(2), corpus.nnz, K)
    alpha, eta = np.array([0.2, 0.5, 0.1]), 0.05
    counts = cvb0.Counts(corpus, phi.copy(), compiled=True)
    ndk, nwkT, nk = counts_reference(corpus.indptr, corpus.indices, corpus.data, phi,
                                     corpus.n_words)
    close(counts.ndk, ndk)
    close(counts.nwkT, nwkT)
    close(counts.nk, nk)
    ref_phi, ref_ndk = phi.copy(), ndk.copy()
    stale_ref = sweep_reference(corpus.indptr, corpus.indices, corpus.data, ref_phi, ref_ndk,
                                nwkT, nk, alpha, eta)
    stale = counts.sweep(alpha, eta)
    assert stale == stale_ref == 0
    close(counts.phi, ref_phi)
    close(counts.ndk, ref_ndk)
    ndk2, nwkT2, nk2 = counts_reference(corpus.indptr, corpus.indices, corpus.data, ref_phi,
                                        corpus.n_words)
    close(counts.nwkT, nwkT2)
    close(counts.nk, nk2)
    close(ref_ndk, ndk2)
    assert np.allclose(counts.phi.sum(axis=1), 1.0, rtol=0, atol=1e-14)


def test_reference_sweep_is_equation_v2():
    """The reference itself, for one non-zero, against (V2) written out by hand."""
    corpus, _, _ = tiny(3)
    K, V = 3, corpus.n_words
    phi = cvb0.init_phi(np.random.default_rng(4), corpus.nnz, K)
    alpha, eta = np.array([0.3, 0.2, 0.4]), 0.07
    ndk, nwkT, nk = counts_reference(corpus.indptr, corpus.indices, corpus.data, phi, V)
    j = corpus.indptr[0]                 # the first non-zero of document 0 is updated first
    w, c = corpus.indices[j], corpus.data[j]
    own = min(c, 1.0) * phi[j]
    expected = (nwkT[w] - own + eta) / (nk - own + V * eta) * (ndk[0] - own + alpha)
    expected /= expected.sum()
    new_phi = phi.copy()
    sweep_reference(corpus.indptr, corpus.indices, corpus.data, new_phi, ndk.copy(), nwkT, nk,
                    alpha, eta)
    close(new_phi[j], expected, 1e-14)


def test_fit_numba_equals_numpy_backend():
    corpus, _, _ = tiny(5)
    runs = [cvb0.fit_cvb0(corpus, 3, alpha=0.2, eta=0.05, rng=np.random.default_rng(0),
                          learn_alpha=True, learn_eta=True, burn_in=2, hyper_every=2,
                          max_iter=6, tol=0.0,
                          backend=backend) for backend in ("numba", "numpy")]
    close(runs[0].lam, runs[1].lam, 1e-9)
    close(runs[0].gamma, runs[1].gamma, 1e-9)
    close(runs[0].alpha, runs[1].alpha, 1e-9)
    close(runs[0].elbo, runs[1].elbo, 1e-9)


# ------------------------------------------------------------------ 2. planted topics


def test_planted_topics_recovered():
    K, V = 5, 100                        # each topic owns a block of 20 words
    X, beta, theta = generate_lda_corpus(np.random.default_rng(11), 300, V, K, 0.2,
                                         block_topics(K, V), doc_length=60)
    result = cvb0.fit_cvb0(prepare(X), K, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                           learn_alpha=True, learn_eta=True, max_iter=200, tol=1e-6)
    est = result.lam / result.lam.sum(axis=1, keepdims=True)
    perm, dist = match_topics(beta, est)
    assert dist.max() < 0.15, dist
    theta_hat = result.gamma / result.gamma.sum(axis=1, keepdims=True)
    assert np.mean(np.abs(theta_hat[:, perm] - theta).sum(axis=1)) < 0.25
    assert result.converged and sum(result.stale) == 0


# ------------------------------------------------------------------ 3. threads, seeds


def test_bit_identical_for_any_thread_count():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has a single thread here")
    corpus, _, _ = tiny(6, n_docs=90, n_words=60, k=4)
    saved = numba.get_num_threads()
    runs = []
    try:
        for threads in sorted({1, 2, numba.config.NUMBA_NUM_THREADS}):
            set_threads(threads)
            for method in cvb0_hyper.HYPER_METHODS:
                runs.append(cvb0.fit_cvb0(
                    corpus, 4, alpha=0.2, eta=0.05, rng=np.random.default_rng(3),
                    learn_alpha=True, learn_eta=True, hyper_method=method, burn_in=2, hyper_every=2,
                    max_iter=8, tol=0.0, shard_docs=16))
    finally:
        set_threads(saved)
    n = len(cvb0_hyper.HYPER_METHODS)
    for i, other in enumerate(runs[n:]):
        first = runs[i % n]
        assert np.array_equal(first.lam, other.lam)
        assert np.array_equal(first.gamma, other.gamma)
        assert np.array_equal(first.alpha, other.alpha) and first.eta == other.eta
        assert first.elbo == other.elbo and first.loglik == other.loglik


def test_shards_change_nothing_but_rounding_and_seed_reproduces():
    corpus, _, _ = tiny(7, n_docs=70)
    kw = dict(alpha=0.2, eta=0.05, max_iter=5, tol=0.0)
    one = cvb0.fit_cvb0(corpus, 3, rng=np.random.default_rng(1), **kw)
    again = cvb0.fit_cvb0(corpus, 3, rng=np.random.default_rng(1), **kw)
    sharded = cvb0.fit_cvb0(corpus, 3, rng=np.random.default_rng(1), shard_docs=8, **kw)
    other = cvb0.fit_cvb0(corpus, 3, rng=np.random.default_rng(2), **kw)
    assert np.array_equal(one.lam, again.lam) and one.elbo == again.elbo
    close(one.lam, sharded.lam, 1e-10)
    assert not np.allclose(one.lam, other.lam)


# ------------------------------------------------------------------ 4. stale-count guard


def test_stale_counts_are_clipped_and_counted():
    """Global counts that do not hold the document's own mass (stale) would make a
    left-out count negative: the guard clips it, counts it, and φ stays a distribution."""
    corpus, _, _ = tiny(8)
    K = 3
    phi = cvb0.init_phi(np.random.default_rng(0), corpus.nnz, K)
    _, nwkT, nk = counts_reference(corpus.indptr, corpus.indices, corpus.data, phi,
                                   corpus.n_words)
    ndk, _, _ = counts_reference(corpus.indptr, corpus.indices, corpus.data, phi,
                                 corpus.n_words)
    stale_nwkT = nwkT * 0.5              # counts from some other φ
    alpha, eta = np.full(K, 0.1), 0.01
    fast_phi, fast_ndk = phi.copy(), ndk.copy()
    stale = kernels.sweep_docs(corpus.indptr, corpus.indices, corpus.data, fast_phi, fast_ndk,
                               stale_nwkT, nk * 0.5, alpha, eta, True)
    ref_phi, ref_ndk = phi.copy(), ndk.copy()
    stale_ref = sweep_reference(corpus.indptr, corpus.indices, corpus.data, ref_phi, ref_ndk,
                                stale_nwkT, nk * 0.5, alpha, eta)
    assert stale == stale_ref > 0
    assert np.all(np.isfinite(fast_phi)) and fast_phi.min() >= 0
    assert np.allclose(fast_phi.sum(axis=1), 1.0)
    close(fast_phi, ref_phi)


def test_consistent_counts_are_never_stale_even_below_one():
    """Fractional counts: one token's mass is min(n_dw, 1)·φ, never more than the count holds."""
    corpus, _, _ = tiny(9, fractional=True)
    assert corpus.data.min() < 1
    result = cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.01, rng=np.random.default_rng(0),
                           max_iter=10, tol=0.0)
    assert sum(result.stale) == 0
    assert np.all(np.isfinite(result.elbo))


# ------------------------------------------------------------------ 5. the exact bound (V3)


def test_monitor_is_the_exact_bound_at_the_implied_parameters():
    corpus, _, _ = tiny(10)
    K = 3
    counts = cvb0.Counts(corpus, cvb0.init_phi(np.random.default_rng(1), corpus.nnz, K), True)
    alpha, eta = np.array([0.2, 0.4, 0.3]), 0.05
    counts.sweep(alpha, eta)
    state = cvb0.monitor(counts, alpha, eta, "auto")
    gamma = counts.ndk + alpha                                   # (V3)
    lam = counts.nwkT.T + eta
    close(state.gamma, gamma, 0)
    close(state.lam, lam, 0)
    expected = bound_by_hand(corpus, gamma, lam, alpha, eta)
    assert abs(state.elbo - expected) <= 1e-10 * abs(expected)
    word_bound, loglik = scores_reference(corpus.indptr, corpus.indices, corpus.data, gamma, lam)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    beta = lam / lam.sum(axis=1, keepdims=True)
    by_hand = (corpus.data * np.log((theta[np.repeat(np.arange(corpus.n_docs),
                                                     np.diff(corpus.indptr))]
                                     * beta[:, corpus.indices].T).sum(axis=1))).sum()
    close(loglik.sum(), by_hand)
    assert abs(state.loglik - by_hand / corpus.data.sum()) <= 1e-12 * abs(state.loglik)
    # the bound is below the marginal log-likelihood's plug-in: the per-token bound < loglik
    assert state.elbo / corpus.data.sum() < state.loglik


def test_convergence_stops_on_both_relative_changes():
    corpus, _, _ = tiny(12)
    result = cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                           max_iter=500, tol=1e-5)
    assert result.converged and result.n_iter < 500
    last = abs(result.elbo[-1] - result.elbo[-2]) / abs(result.elbo[-2])
    last_ll = abs(result.loglik[-1] - result.loglik[-2]) / abs(result.loglik[-2])
    assert last < 1e-5 and last_ll < 1e-5
    assert "tol" in result.stop_reason
    capped = cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                           max_iter=3, tol=1e-5)
    assert not capped.converged and capped.n_iter == 3 and "max_iter" in capped.stop_reason


# ------------------------------------------------------------------ 6. hyperparameters


def polya_loglik_alpha(ndk, alpha):
    """Σ_d log DirMult(N_d· | α) up to terms without α (what V4 climbs)."""
    nd = ndk.sum(axis=1)
    return float((gammaln(alpha.sum()) - gammaln(nd + alpha.sum())).sum()
                 + (gammaln(ndk + alpha) - gammaln(alpha)).sum())


def test_alpha_fixed_point_is_v4_and_climbs_to_the_polya_maximum():
    rng = np.random.default_rng(0)
    ndk = rng.gamma(0.5, 10.0, size=(200, 4))
    nd = ndk.sum(axis=1)
    alpha = np.full(4, 1.0)
    one = cvb0_hyper.fixed_point_alpha(ndk, nd, alpha, steps=1)
    num = (psi(ndk + alpha) - psi(alpha)).sum(axis=0)
    den = (psi(nd + alpha.sum()) - psi(alpha.sum())).sum()
    close(one, alpha * num / den, 1e-12)
    close(one, cvb0_hyper.fixed_point_alpha(ndk, nd, alpha, steps=1, compiled=False), 1e-12)
    values, a = [polya_loglik_alpha(ndk, alpha)], alpha
    for _ in range(200):
        a = cvb0_hyper.fixed_point_alpha(ndk, nd, a, steps=1)
        values.append(polya_loglik_alpha(ndk, a))
    assert np.all(np.diff(values) >= -1e-9)          # Minka's fixed point never goes down
    h = 1e-6
    grad = [(polya_loglik_alpha(ndk, a + h * e) - polya_loglik_alpha(ndk, a - h * e)) / (2 * h)
            for e in np.eye(4)]
    assert np.max(np.abs(grad)) < 1e-3


def test_eta_fixed_point_is_v4():
    rng = np.random.default_rng(1)
    nwkT = rng.gamma(0.3, 5.0, size=(700, 3))         # more than one block of words
    nk = nwkT.sum(axis=0)
    eta, V = 0.1, 700
    new = cvb0_hyper.fixed_point_eta(nwkT, nk, eta, steps=1)
    expected = eta * (psi(nwkT + eta) - psi(eta)).sum() / (
        V * (psi(nk + V * eta) - psi(V * eta)).sum())
    assert abs(new - expected) <= 1e-12 * expected
    assert abs(cvb0_hyper.fixed_point_eta(nwkT, nk, eta, steps=1, compiled=False) - new) \
        <= 1e-12 * new


def test_newton_alpha_maximizes_b1_at_the_implied_gamma():
    rng = np.random.default_rng(2)
    ndk = rng.gamma(0.5, 10.0, size=(100, 3))
    alpha = np.array([0.3, 0.2, 0.5])
    new = cvb0_hyper.newton_alpha(ndk, alpha)
    gamma = ndk + alpha                                # held fixed
    s = (psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))).sum(axis=0)
    grad = 100 * (psi(new.sum()) - psi(new)) + s
    assert np.max(np.abs(grad)) < 1e-6 * np.max(np.abs(s))


# ------------------------------------------------------------------ 7. new documents, memory


def test_fold_in_matches_reference_and_is_a_fixed_point():
    corpus, beta, theta = tiny(13, n_docs=60)
    result = cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                           max_iter=100, tol=1e-6)
    fast = cvb0.fold_in(corpus, result.lam, result.alpha, backend="numba", tol=1e-12,
                        max_iter=400)
    slow = cvb0.fold_in(corpus, result.lam, result.alpha, backend="numpy", tol=1e-12,
                        max_iter=400)
    close(fast, slow, 1e-9)
    # the fit's own documents, folded in against topics that include them, land near their γ
    assert np.mean(np.abs(fast / fast.sum(1, keepdims=True)
                          - result.gamma / result.gamma.sum(1, keepdims=True)).sum(1)) < 0.1
    assert np.allclose(fast.sum(axis=1), corpus.doc_lengths + result.alpha.sum())


def test_memory_estimate_is_dominated_by_phi():
    assert cvb0.memory_bytes(10**6, 1000, 500, 50) >= 8 * 10**6 * 50
    assert cvb0.memory_bytes(10**6, 1000, 500, 50) < 1.2 * 8 * 10**6 * 50


def test_bad_arguments_name_the_parameter():
    corpus, _, _ = tiny(14)
    for kwargs, name in ((dict(max_iter=0), "max_iter"), (dict(tol=-1.0), "tol"),
                         (dict(hyper_method="x"), "hyper_method")):
        with pytest.raises(ValueError, match=name):
            cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                          **kwargs)
    with pytest.raises(ValueError, match="k must"):
        cvb0.fit_cvb0(corpus, 0, alpha=0.1, eta=0.05, rng=np.random.default_rng(0))


def test_corrected_fixed_point_is_plain_v4_for_sure_counts_and_never_above_it():
    """With one-hot φ (every count certain), q ∈ {0, 1} and the corrected step is (V4);
    otherwise each corrected gain q·[ψ(N/q + a) − ψ(a)] ≤ ψ(N + a) − ψ(a) (ψ is concave)."""
    corpus, _, _ = tiny(15)
    K = 3
    rng = np.random.default_rng(0)
    onehot = np.eye(K)[rng.integers(0, K, size=corpus.nnz)]
    counts = cvb0.Counts(corpus, np.ascontiguousarray(onehot), True)
    qdk, qwkT = counts.nonzero_probs()
    assert set(np.unique(qdk)) <= {0.0, 1.0} and np.array_equal(qdk > 0, counts.ndk > 0)
    nd = counts.ndk.sum(axis=1)
    alpha = np.array([0.2, 0.3, 0.1])
    close(cvb0_hyper.fixed_point_alpha(counts.ndk, nd, alpha, qdk=qdk),
          cvb0_hyper.fixed_point_alpha(counts.ndk, nd, alpha), 1e-12)
    close(cvb0_hyper.fixed_point_eta(counts.nwkT, counts.nk, 0.05, qwkT=qwkT),
          cvb0_hyper.fixed_point_eta(counts.nwkT, counts.nk, 0.05), 1e-12)
    spread = cvb0.Counts(corpus, cvb0.init_phi(rng, corpus.nnz, K), True)
    qdk, qwkT = spread.nonzero_probs()
    by_hand = 1 - np.exp(counts_reference(corpus.indptr, corpus.indices, corpus.data,
                                          np.log1p(-spread.phi), corpus.n_words)[0])
    close(qdk, by_hand, 1e-12)
    nd = spread.ndk.sum(axis=1)
    plain, _ = cvb0_hyper.alpha_sums(spread.ndk, nd, alpha, True)
    corrected, _ = cvb0_hyper.alpha_sums(spread.ndk, nd, alpha, True, qdk)
    slow, _ = cvb0_hyper.alpha_sums(spread.ndk, nd, alpha, False, qdk)
    close(corrected, slow, 1e-12)
    assert np.all(corrected <= plain + 1e-12)
    eta_plain, _ = cvb0_hyper.eta_sums(spread.nwkT, spread.nk, 0.05, True)
    eta_corr, _ = cvb0_hyper.eta_sums(spread.nwkT, spread.nk, 0.05, True, qwkT)
    eta_slow, _ = cvb0_hyper.eta_sums(spread.nwkT, spread.nk, 0.05, False, qwkT)
    assert abs(eta_corr - eta_slow) <= 1e-12 * abs(eta_slow) and eta_corr <= eta_plain


def test_seeded_and_random_starts_are_distributions_and_seeded_topics_differ():
    corpus, _, _ = tiny(16, n_docs=60)
    phi = cvb0.seeded_phi(np.random.default_rng(0), corpus, 4)
    assert phi.shape == (corpus.nnz, 4) and np.allclose(phi.sum(axis=1), 1.0)
    counts = cvb0.Counts(corpus, phi, True)
    beta = counts.nwkT.T / counts.nk[:, None]
    assert np.min([np.abs(beta[i] - beta[j]).sum() for i in range(4) for j in range(i)]) > 0.2
    with pytest.raises(ValueError, match="init"):
        cvb0.fit_cvb0(corpus, 3, alpha=0.1, eta=0.05, rng=np.random.default_rng(0),
                      init="zeros")
