"""The mathematics of inference: E-step kernel, ELBO, EM, hyperparameters (MATH.md).

Each test checks one statement of MATH.md against an independent computation
or a planted truth; none of them times anything.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from fits import batch, estep
from planted import generate_lda_corpus
from scipy.special import gammaln, polygamma, psi
from scipy.stats import spearmanr

from lda_vi.engine.backend import get_threads, set_threads
from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.elbo import doc_terms, topic_terms
from lda_vi.engine.em import ELBODecreaseError, fit_batch
from lda_vi.engine.estep import e_step, e_step_reference
from lda_vi.engine.hyper import newton_dirichlet, newton_symmetric
from lda_vi.engine.layout import prepare
from lda_vi.engine.shards import LocalEngine
from lda_vi.engine.topics import expect_topics
from lda_vi.evaluate.metrics import match_topics
from lda_vi.io.corpus import build_corpus
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig

RTOL = 1e-10


def assert_close(actual, expected, rtol=RTOL, what=""):
    """|actual − expected| ≤ rtol · max|expected| elementwise (a relative error of the array)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, what
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-300)
    err = float(np.max(np.abs(actual - expected), initial=0.0))
    assert err <= rtol * scale, f"{what}: max abs error {err:.3g}, scale {scale:.3g}"


def is_monotone(trace) -> bool:
    trace = np.asarray(trace)
    return bool(np.all(np.diff(trace) >= -1e-9 * np.abs(trace[:-1])))


@pytest.fixture(scope="module")
def sample_counts(sample_corpus_path: Path) -> sp.csr_matrix:
    corpus = build_corpus(iter_documents(sample_corpus_path), Tokenizer(TokenizerConfig()),
                          PruneConfig())
    return corpus.counts


@pytest.fixture(scope="module")
def small_planted() -> sp.csr_matrix:
    """A small planted corpus for the EM-mechanics tests (D=400, V=120, K=4)."""
    X, _, _ = generate_lda_corpus(np.random.default_rng(11), 400, 120, 4, 0.2, 0.1,
                                  doc_length=40)
    return X


# ------------------------------------------------------------------ 1. kernel = reference


def random_estep_inputs(seed: int, D: int = 80, V: int = 50, K: int = 5):
    """Random sparse counts (some rows empty), α, positive exp(Elogβ)ᵀ and a warm-start γ."""
    rng = np.random.default_rng(seed)
    dense = rng.integers(1, 7, size=(D, V)) * (rng.random((D, V)) < 0.15)
    dense[rng.choice(D, size=6, replace=False)] = 0                       # empty documents
    corpus = prepare(sp.csr_matrix(dense.astype(np.float64)))
    alpha = rng.uniform(0.05, 1.5, size=K)
    expElogbetaT = rng.uniform(1e-3, 1.0, size=(V, K))
    gamma = rng.uniform(0.1, 30.0, size=(D, K))
    return corpus, alpha, expElogbetaT, gamma


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("e_max_iter,e_tol", [(0, 1e-3), (1, 1e-3), (100, 1e-3), (500, 1e-9)])
def test_kernel_equals_reference(seed, e_max_iter, e_tol):
    corpus, alpha, expElogbetaT, gamma0 = random_estep_inputs(seed)
    fast = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(e_tol=e_tol,
                                                                    e_max_iter=e_max_iter,
                                                                    backend="numba"))
    ref = e_step_reference(corpus, alpha, expElogbetaT, gamma0.copy(), estep(e_tol=e_tol,
                                                                             e_max_iter=e_max_iter))
    for name in ("gamma", "expElogtheta", "word_bound", "doc_terms", "sstats"):
        assert_close(getattr(fast, name), getattr(ref, name), what=name)
    assert np.array_equal(fast.n_inner, ref.n_inner)
    empty = np.diff(corpus.indptr) == 0
    assert np.all(fast.gamma[empty] == alpha) and np.all(fast.word_bound[empty] == 0)
    if e_max_iter == 0:                          # the bound at the given γ, γ left unchanged
        assert np.array_equal(fast.gamma[~empty], gamma0[~empty])
        assert np.all(fast.n_inner == 0)
    else:
        assert fast.n_inner[~empty].min() >= 1 and fast.n_inner.max() <= e_max_iter
    if e_max_iter >= 100:                        # documents stopped at different iterations
        assert len(np.unique(fast.n_inner[~empty])) > 3


@pytest.mark.parametrize("seed", [0, 1])
def test_restart_kernel_equals_reference_and_never_lowers_bound(seed):
    """Best of warm and cold start per document: kernel == reference, bound >= warm's."""
    corpus, alpha, expElogbetaT, gamma0 = random_estep_inputs(seed)
    mask = np.arange(corpus.n_docs) % 3 != 0
    warm = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(backend="numba"))
    fast = e_step(corpus, alpha, expElogbetaT, gamma0.copy(), estep(backend="numba"), restart=mask)
    ref = e_step_reference(corpus, alpha, expElogbetaT, gamma0.copy(), estep(), restart=mask)
    for name in ("gamma", "expElogtheta", "word_bound", "doc_terms", "sstats"):
        assert_close(getattr(fast, name), getattr(ref, name), what=name)
    assert np.array_equal(fast.restarted, ref.restarted)
    assert np.array_equal(fast.n_inner, ref.n_inner)
    assert not fast.restarted[~mask].any()
    assert np.all(fast.bound >= warm.bound - 1e-9 * np.abs(warm.bound))
    won = fast.restarted
    assert won.any(), "the random warm starts should lose somewhere to the cold start"
    assert np.all(fast.bound[won] > warm.bound[won])
    assert np.array_equal(fast.gamma[~won], warm.gamma[~won])


def test_same_result_whatever_the_memory_alignment(small_planted):
    """The same counts at other memory offsets give the same bits (no alignment-dependent
    SIMD order in the kernels or in the sums of the bound)."""
    X = small_planted
    first = fit_batch(prepare(X), batch(4, alpha=0.2, eta=0.05, max_iter=6, tol=0.0),
                      np.random.default_rng(5))
    for offset in (1, 3):
        arrays = prepare(X)
        shifted = {}
        for name in ("indptr", "indices", "data", "csc_indptr", "csc_rows", "csc_to_csr"):
            value = getattr(arrays, name)
            buffer = np.empty(value.size + offset, dtype=value.dtype)
            shifted[name] = buffer[offset:]
            shifted[name][:] = value
        moved = type(arrays)(**shifted, n_docs=arrays.n_docs, n_words=arrays.n_words)
        again = fit_batch(moved, batch(4, alpha=0.2, eta=0.05, max_iter=6, tol=0.0),
                          np.random.default_rng(5))
        assert np.array_equal(first.lam, again.lam)
        assert np.array_equal(first.gamma, again.gamma)
        assert first.elbo == again.elbo


# ------------------------------------------------------------------ 2. threads


def test_bit_identical_for_any_thread_count(small_planted):
    pytest.importorskip("numba")
    saved = get_threads()
    corpus = prepare(small_planted)
    runs = []
    try:
        for threads in (1, 2, 3, 7):       # the kernel threads are ours: more than cores too
            set_threads(threads)
            assert get_threads() == threads
            runs.append(fit_batch(corpus, batch(6, alpha=0.2, eta=0.05, learn_alpha=True,
                                                learn_eta=True, max_iter=8, tol=0.0,
                                                backend="numba"), np.random.default_rng(3)))
    finally:
        set_threads(saved)
    first = runs[0]
    for other in runs[1:]:
        assert np.array_equal(first.lam, other.lam)
        assert np.array_equal(first.gamma, other.gamma)
        assert np.array_equal(first.alpha, other.alpha) and first.eta == other.eta
        assert first.elbo == other.elbo


CACHE_PROBE = textwrap.dedent("""
    import hashlib, sys
    import numpy as np
    import scipy.sparse as sp
    from lda_vi.engine.em import fit_batch
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.settings import BatchSettings, Priors

    rng = np.random.default_rng(0)
    X = sp.random(300, 200, density=0.05, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 4)
    result = fit_batch(prepare(X), BatchSettings(7, Priors(0.1, 0.05, True, True),
                                                 max_iter=6, tol=0.0), np.random.default_rng(1))
    digest = hashlib.sha256(result.lam.tobytes() + result.gamma.tobytes()
                            + np.array(result.elbo).tobytes()).hexdigest()
    sys.stdout.write(digest)
""")


def test_freshly_compiled_kernels_equal_cached_ones(tmp_path):
    """The first run (kernels compiled) and the next (loaded from numba's cache) give the
    same bits: no fast-math reassociation lets the compiler pick a sum's order."""
    pytest.importorskip("numba")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", CACHE_PROBE], capture_output=True, text=True,
                           timeout=300, cwd=Path(__file__).resolve().parents[2], env=env)
            for _ in range(2)]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
    assert any((tmp_path / "cache").rglob("*.nbi"))            # the second run had a cache
    assert runs[0].stdout == runs[1].stdout


# ------------------------------------------------------------------ 3. ELBO = (B1), term by term

COUNTS = [[2, 0, 1, 0, 3],
          [0, 4, 0, 1, 0],
          [1, 1, 1, 1, 5]]
GAMMA = [[1.7, 3.2], [0.4, 5.9], [2.5, 8.1]]
LAM = [[0.8, 2.3, 1.1, 4.0, 0.3],
       [3.1, 0.2, 2.6, 0.9, 5.4]]
ALPHA = [0.3, 0.7]
ETA = 0.2


def expected_log(param_row):
    """E[log x_i] under Dir(param_row), written out: ψ(param_i) − ψ(Σ param)."""
    total = sum(param_row)
    return [float(psi(p) - psi(total)) for p in param_row]


def optimal_phi(n, Elogtheta, Elogbeta):
    """φ_dwk ∝ exp(Elogθ_dk + Elogβ_kw), MATH.md (E3), for every (d, w) with n_dw > 0."""
    D, V, K = len(n), len(n[0]), len(Elogtheta[0])
    phi = {}
    for d in range(D):
        for w in range(V):
            if n[d][w] > 0:
                un = [math.exp(Elogtheta[d][k] + Elogbeta[k][w]) for k in range(K)]
                phi[d, w] = [u / sum(un) for u in un]
    return phi


def elbo_b1(n, gamma, lam, alpha, eta, phi):
    """MATH.md (B1), every term written out with loops, for a given φ."""
    D, V, K = len(n), len(n[0]), len(alpha)
    Elogtheta = [expected_log(gamma[d]) for d in range(D)]
    Elogbeta = [expected_log(lam[k]) for k in range(K)]
    L = 0.0
    for d in range(D):
        L += gammaln(sum(alpha))                                        # log Γ(Σ α_k)
        for k in range(K):
            L -= gammaln(alpha[k])                                      # − Σ log Γ(α_k)
            L += (alpha[k] - 1.0) * Elogtheta[d][k]                     # + Σ (α_k − 1) Elogθ
        L -= gammaln(sum(gamma[d]))                                     # − log Γ(Σ γ_dk)
        for k in range(K):
            L += gammaln(gamma[d][k])                                   # + Σ log Γ(γ_dk)
            L -= (gamma[d][k] - 1.0) * Elogtheta[d][k]                  # − Σ (γ_dk − 1) Elogθ
        for w in range(V):
            if n[d][w] == 0:
                continue
            for k in range(K):
                p = phi[d, w][k]
                L += n[d][w] * p * (Elogtheta[d][k] + Elogbeta[k][w] - math.log(p))
    for k in range(K):
        L += gammaln(V * eta)                                           # log Γ(Σ_w η_w)
        for w in range(V):
            L -= gammaln(eta)                                           # − Σ log Γ(η_w)
            L += (eta - 1.0) * Elogbeta[k][w]                           # + Σ (η_w − 1) Elogβ
        L -= gammaln(sum(lam[k]))                                       # − log Γ(Σ λ_kw)
        for w in range(V):
            L += gammaln(lam[k][w])                                     # + Σ log Γ(λ_kw)
            L -= (lam[k][w] - 1.0) * Elogbeta[k][w]                     # − Σ (λ_kw − 1) Elogβ
    return float(L)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_elbo_equals_b1_term_by_term(backend):
    n, D, V, K = COUNTS, 3, 5, 2
    Elogtheta = [expected_log(GAMMA[d]) for d in range(D)]
    Elogbeta = [expected_log(LAM[k]) for k in range(K)]
    phi = optimal_phi(n, Elogtheta, Elogbeta)
    expected = elbo_b1(n, GAMMA, LAM, ALPHA, ETA, phi)

    X = sp.csr_matrix(np.array(n, dtype=np.float64))
    gamma, lam, alpha = np.array(GAMMA), np.array(LAM), np.array(ALPHA)
    expElogbetaT = np.exp(dirichlet_expectation(lam).T)
    est = e_step(prepare(X), alpha, expElogbetaT, gamma.copy(), estep(e_max_iter=0,
                                                                      backend=backend))
    assert np.array_equal(est.gamma, gamma)                        # e_max_iter=0: γ as given
    engine = (doc_terms(gamma, alpha).sum() + est.word_bound.sum()
              + topic_terms(lam, np.full(V, ETA)))
    assert_close(engine, expected, what="elbo.doc_terms + word_bound + elbo.topic_terms")
    # the form fit_batch records: the E-step's own θ terms and the topic pass's β terms
    engine_em = (est.doc_terms.sum() + est.word_bound.sum()
                 + expect_topics(lam, backend).topic_terms(ETA))
    assert_close(engine_em, expected, what="EStepResult.doc_terms + TopicExpectations")
    # the sufficient statistics are Σ_d n_dw φ_dwk of that same φ (E5)
    S = np.zeros((K, V))
    for (d, w), p in phi.items():
        S[:, w] += n[d][w] * np.array(p)
    assert_close(est.sstats, S, what="sstats")

    # (B2) is the maximum over φ: (B1) at any other φ is lower
    uniform = {key: [1.0 / K] * K for key in phi}
    assert elbo_b1(n, GAMMA, LAM, ALPHA, ETA, uniform) < expected - 1e-6
    rng = np.random.default_rng(0)
    for _ in range(20):
        other = {key: list(rng.dirichlet(np.ones(K))) for key in phi}
        assert elbo_b1(n, GAMMA, LAM, ALPHA, ETA, other) < expected


# ------------------------------------------------------------------ 4. monotone ELBO


@pytest.mark.parametrize("learn", [False, True], ids=["fixed-priors", "learned-priors"])
def test_elbo_never_decreases_sample(sample_counts, learn):
    result = fit_batch(prepare(sample_counts), batch(8, alpha=1 / 8, eta=0.01, learn_alpha=learn,
                                                     learn_eta=learn, max_iter=30, tol=0.0,
                                                     on_decrease="raise"), np.random.default_rng(0))
    assert result.n_iter == 30
    assert is_monotone(result.elbo), np.diff(result.elbo)
    assert result.elbo[-1] > result.elbo[0]


@pytest.mark.parametrize("learn", [False, True], ids=["fixed-priors", "learned-priors"])
def test_elbo_never_decreases_ap(ap_counts, learn):
    result = fit_batch(prepare(ap_counts), batch(10, alpha=0.1, eta=0.01, learn_alpha=learn,
                                                 learn_eta=learn, max_iter=15, tol=0.0,
                                                 on_decrease="raise"), np.random.default_rng(0))
    assert result.n_iter == 15
    assert is_monotone(result.elbo), np.diff(result.elbo)
    assert result.elbo[-1] > result.elbo[0]


# ------------------------------------------------------------------ 5, 6. planted truth


def best_of_seeds(X, seeds, **settings) -> LDA:
    """Fits from several seeds; the one with the highest final ELBO (model selection)."""
    fits = [LDA(seed=seed, on_decrease="raise", **settings).fit_counts(X) for seed in seeds]
    return max(fits, key=lambda model: model.trace.elbo[-1])


def test_planted_topics_recovered():
    rng = np.random.default_rng(2024)
    X, beta, _ = generate_lda_corpus(rng, 1000, 300, 5, 0.1, 0.05, doc_length=80)
    model = best_of_seeds(X, seeds=(0, 1, 2), k=5, alpha=0.1, eta=0.05, max_iter=300,
                          tol=1e-6)
    _, dist = match_topics(beta, model.beta)
    assert dist.mean() < 0.1, f"Hellinger to the planted topics: {np.round(dist, 3)}"


def test_learned_alpha_moves_toward_truth():
    true_alpha = np.array([0.05, 0.1, 0.2, 0.4, 0.8])
    rng = np.random.default_rng(7)
    X, beta, _ = generate_lda_corpus(rng, 1000, 300, 5, true_alpha, 0.05, doc_length=80)
    model = best_of_seeds(X, seeds=(0, 1, 2), k=5, alpha="auto", eta="auto", max_iter=300,
                          tol=1e-6)
    perm, dist = match_topics(beta, model.beta)
    learned = model.alpha[perm]                          # learned[i] belongs to true topic i
    start = np.full(5, 1 / 5)
    log_err = np.abs(np.log(learned / true_alpha)).sum()
    assert log_err < np.abs(np.log(start / true_alpha)).sum(), (learned, dist)
    assert np.abs(learned - true_alpha).sum() < np.abs(start - true_alpha).sum(), learned
    assert spearmanr(learned, true_alpha).statistic > 0.8, learned
    assert abs(model.eta / 0.05 - 1) < 0.25, model.eta                # η = 0.05 planted


# ------------------------------------------------------------------ 7. Newton (H1)


def dirichlet_objective(a, s, n):
    """f(a) = n (log Γ(Σa) − Σ log Γ(a)) + Σ (a − 1) s: the terms of (B1) holding the prior."""
    a = np.asarray(a, dtype=float)
    return float(n * (gammaln(a.sum()) - gammaln(a).sum()) + ((a - 1.0) * s).sum())


def log_dirichlet(rng, a, n):
    """log x of n draws x ~ Dir(a) (n×K), exact even where x underflows.

    log of x_k = G_k / Σ G with G_k ~ Gamma(a_k), and G(a) = G(a + 1) U^(1/a).
    """
    a = np.asarray(a, dtype=float)
    shape = (n, a.shape[0])
    log_g = np.log(rng.gamma(a + 1.0, size=shape)) + np.log(rng.random(shape)) / a
    top = log_g.max(axis=1, keepdims=True)
    return log_g - top - np.log(np.exp(log_g - top).sum(axis=1, keepdims=True))


def test_newton_dirichlet_recovers_parameters():
    true = np.array([0.05, 0.5, 1.0, 2.0, 6.0])
    n = 20000
    s = log_dirichlet(np.random.default_rng(5), true, n).sum(axis=0)
    fits = []
    for start in (np.ones(5), np.full(5, 0.01), np.full(5, 40.0), true[::-1].copy()):
        a = newton_dirichlet(start, s, n)
        grad = n * (psi(a.sum()) - psi(a)) + s                          # (H1) gradient
        assert np.max(np.abs(grad)) < 1e-6 * n, grad
        assert np.all(a > 0)
        assert dirichlet_objective(a, s, n) >= dirichlet_objective(start, s, n)
        fits.append(a)
    for a in fits[1:]:
        assert_close(a, fits[0], rtol=1e-6, what="a unique maximum from any start")
    assert np.all(np.abs(fits[0] / true - 1) < 0.1), fits[0]


def test_newton_dirichlet_at_maximum_stays():
    true = np.array([0.3, 0.6, 1.2])
    s = log_dirichlet(np.random.default_rng(6), true, 5000).sum(axis=0)
    a = newton_dirichlet(np.ones(3), s, 5000)
    again = newton_dirichlet(a, s, 5000)
    assert_close(again, a, rtol=1e-9, what="a fixed point")


def test_newton_dirichlet_stops_where_f_can_no_longer_tell_steps_apart(monkeypatch):
    """Near the maximum f's last bits refuse Newton steps that are still above tol; the
    step taken then halves to nothing. The search stops there (it used to go on for
    max_iter iterations of some 20 evaluations each: 1961 on this case)."""
    from lda_vi.engine import hyper

    rng = np.random.default_rng(1)
    true, n = rng.uniform(0.01, 0.15, 50), 2246.0          # K = 50, D of AP's training split
    s = n * (psi(true) - psi(true.sum()))                 # the (H1) gradient is 0 at true
    start = true * rng.uniform(0.7, 1.4, 50)
    calls = []
    objective = hyper._objective
    monkeypatch.setattr(hyper, "_objective", lambda *args: calls.append(1) or objective(*args))
    a = newton_dirichlet(start, s, n)
    assert len(calls) < 200
    assert_close(a, true, rtol=1e-8, what="the maximizer")


@pytest.mark.parametrize("true", [0.05, 0.3, 2.0])
def test_newton_symmetric_recovers_parameter(true):
    dim, n = 40, 3000
    s_total = float(log_dirichlet(np.random.default_rng(8), np.full(dim, true), n).sum())

    def f(a):
        return n * (gammaln(dim * a) - dim * gammaln(a)) + (a - 1.0) * s_total

    for start in (1.0, 0.01, 20.0):
        a = newton_symmetric(start, s_total, n, dim)
        grad = n * dim * (psi(dim * a) - psi(a)) + s_total
        curvature = n * dim * (dim * polygamma(1, dim * a) - polygamma(1, a))
        assert abs(grad / curvature) < 1e-8 * a                       # the Newton step left
        assert f(a) >= f(start)
        assert abs(a / true - 1) < 0.1, a


# ------------------------------------------------------------------ 8. seeds


def test_seeds(small_planted):
    def fit(seed):
        return LDA(k=4, seed=seed, max_iter=10, tol=0.0).fit_counts(small_planted)

    a, b, c = fit(5), fit(5), fit(6)
    assert np.array_equal(a.lam, b.lam) and np.array_equal(a.gamma, b.gamma)
    assert np.array_equal(a.alpha, b.alpha) and a.eta == b.eta
    assert a.trace.elbo == b.trace.elbo
    assert not np.array_equal(a.lam, c.lam)
    assert a.trace.elbo != c.trace.elbo


# ------------------------------------------------------------------ 9. stopping and decreases


def test_fit_batch_stops_at_tolerance(small_planted):
    tol = 1e-4
    result = fit_batch(prepare(small_planted), batch(4, alpha=0.2, eta=0.1, max_iter=500, tol=tol),
                       np.random.default_rng(0))
    assert result.converged and 2 <= result.n_iter < 500
    trace = np.array(result.elbo)
    changes = np.abs(np.diff(trace)) / np.abs(trace[:-1])
    assert changes[-1] < tol and np.all(changes[:-1] >= tol)      # stopped at the first one
    assert "tol" in result.stop_reason


def test_fit_batch_stops_at_max_iter(small_planted):
    result = fit_batch(prepare(small_planted), batch(4, alpha=0.2, eta=0.1, max_iter=5, tol=0.0),
                       np.random.default_rng(0))
    assert not result.converged and result.n_iter == 5
    assert "max_iter" in result.stop_reason


@pytest.fixture
def sabotaged_second_bound(monkeypatch):
    """Make the E-step of EM iteration 2 report a bound 1e6 nats too low."""
    calls = []
    real = LocalEngine.e_step

    def e_step_dropping(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            result.word_bound = result.word_bound - 1e6 / len(result.word_bound)
        return result

    monkeypatch.setattr(LocalEngine, "e_step", e_step_dropping)


def test_elbo_decrease_raises(small_planted, sabotaged_second_bound):
    with pytest.raises(ELBODecreaseError, match="iteration 2"):
        fit_batch(prepare(small_planted), batch(4, alpha=0.2, eta=0.1, max_iter=5, tol=0.0,
                                                on_decrease="raise"), np.random.default_rng(0))


def test_elbo_decrease_warns(small_planted, sabotaged_second_bound):
    with pytest.warns(RuntimeWarning, match="ELBO decreased at iteration 2"):
        fit_batch(prepare(small_planted), batch(4, alpha=0.2, eta=0.1, max_iter=3, tol=0.0,
                                                on_decrease="warn"), np.random.default_rng(0))


def test_elbo_decrease_ignored(small_planted, sabotaged_second_bound):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_batch(prepare(small_planted), batch(4, alpha=0.2, eta=0.1, max_iter=3,
                                                         tol=0.0, on_decrease="ignore"),
                           np.random.default_rng(0))
    assert result.elbo[1] < result.elbo[0] and result.n_iter == 3


# ------------------------------------------------------------------ 10. memory: no φ, no D×V

MEMORY_PROBE = textwrap.dedent("""
    import gc, json, sys, tracemalloc
    import numpy as np
    import scipy.sparse as sp
    from lda_vi.engine.estep import e_step
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.settings import EStepSettings

    def status(field):
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return None

    def reset_peak():
        try:
            with open("/proc/self/clear_refs", "w") as handle:
                handle.write("5")
            return True
        except OSError:
            return False

    D, V, K, per_doc = 20000, 20000, 20, 50
    rng = np.random.default_rng(0)
    indices = np.sort(rng.integers(0, V, size=(D, per_doc)), axis=1).ravel()
    counts = rng.integers(1, 4, size=D * per_doc).astype(np.float64)
    indptr = np.arange(0, D * per_doc + 1, per_doc)
    corpus = prepare(sp.csr_matrix((counts, indices, indptr), shape=(D, V)))
    del indices, counts, indptr
    alpha = np.full(K, 0.1)
    expElogbetaT = rng.uniform(1e-4, 1e-2, size=(V, K))
    gamma = np.ascontiguousarray(alpha + corpus.doc_lengths[:, None] / K)

    small = prepare(sp.random(50, V, density=0.01, format="csr", rng=1) * 10)
    e_step(small, alpha, expElogbetaT, np.ones((50, K)), EStepSettings(e_max_iter=3))  # compile
    gc.collect()
    reset = reset_peak()
    before = status("VmHWM") if reset else status("VmRSS")
    e_step(corpus, alpha, expElogbetaT, gamma.copy(), EStepSettings(e_max_iter=10))
    rss_growth = status("VmHWM") - before
    gc.collect()
    tracemalloc.start()
    e_step(corpus, alpha, expElogbetaT, gamma.copy(), EStepSettings(e_max_iter=10))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    csr = corpus.indptr.nbytes + corpus.indices.nbytes + corpus.data.nbytes
    json.dump({"nnz": corpus.nnz, "csr": csr, "lam": K * V * 8, "gamma": gamma.nbytes,
               "traced_peak": traced_peak, "rss_growth": rss_growth, "peak_reset": reset},
              sys.stdout)
""")


def test_estep_memory_has_no_phi_and_no_dense_matrix():
    # fixed glibc thresholds: freed large blocks go back to the system, so the peak RSS
    # of the E-step counts every page it touches (not memory the heap kept from earlier)
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072", MALLOC_TRIM_THRESHOLD_="131072")
    proc = subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2], env=env)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout)
    budget = 2 * (m["csr"] + m["lam"] + m["gamma"])
    assert m["nnz"] > 900_000
    # a D×V float64 would be 3.2 GB and an nnz×K φ 160 MB; the budget is ~45 MB
    assert m["traced_peak"] <= budget, m
    if m["peak_reset"]:
        assert m["rss_growth"] <= budget, m


FIT_MEMORY_PROBE = textwrap.dedent("""
    import gc, json, sys, tracemalloc
    import numpy as np
    import scipy.sparse as sp
    from lda_vi.engine.em import fit_batch
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.settings import BatchSettings, Priors
    from lda_vi.engine.shards import SHARD_DOCS

    D, V, K, per_doc = 16000, 20000, 20, 50
    assert D <= SHARD_DOCS
    rng = np.random.default_rng(0)
    indices = np.sort(rng.integers(0, V, size=(D, per_doc)), axis=1).ravel()
    counts = rng.integers(1, 4, size=D * per_doc).astype(np.float64)
    X = sp.csr_matrix((counts, indices.astype(np.int32),
                       np.arange(0, D * per_doc + 1, per_doc)), shape=(D, V))
    X.sum_duplicates()
    del indices, counts
    small = sp.random(60, 300, density=0.1, format="csr", rng=1) * 10
    fit_batch(prepare(small), BatchSettings(K, Priors(0.1, 0.01), max_iter=3, tol=0.0),
              np.random.default_rng(0))                               # compile, threads
    gc.collect()
    tracemalloc.start()
    corpus = prepare(X)           # the CSC index is the fit's too: counted from here
    result = fit_batch(corpus, BatchSettings(K, Priors(0.1, 0.01), max_iter=4, tol=0.0),
                       np.random.default_rng(0))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    csr = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    json.dump({"nnz": int(X.nnz), "csr": csr, "lam": result.lam.nbytes,
               "gamma": result.gamma.nbytes, "traced_peak": traced_peak}, sys.stdout)
""")


def test_whole_fit_memory_within_twice_csr_lambda_gamma():
    """Batch EM end to end (CSC index, λ and exp(Elogβ) buffers, γ, E-step scratch):
    the input CSR plus everything the fit allocates stays within 2 × (CSR + λ + γ)."""
    proc = subprocess.run([sys.executable, "-c", FIT_MEMORY_PROBE], capture_output=True,
                          text=True, timeout=180, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout)
    assert m["nnz"] > 700_000
    base = m["csr"] + m["lam"] + m["gamma"]
    assert m["csr"] + m["traced_peak"] <= 2 * base, m
