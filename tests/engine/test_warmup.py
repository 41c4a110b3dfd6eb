"""The E-step warm-up of batch EM (lda_vi.engine.em.update_limit): 8, 16, 32, 64 updates
per document in the first iterations, then the E-step's own limit; restarts, the W step
and the convergence test wait for its end; the bound still never decreases."""

from __future__ import annotations

import numpy as np
import pytest
from planted import generate_lda_corpus

from lda_vi.engine.em import fit_batch, update_limit
from lda_vi.engine.layout import prepare
from lda_vi.engine.settings import BatchSettings, EStepSettings, Priors

K = 4


@pytest.fixture(scope="module")
def corpus():
    X, _, _ = generate_lda_corpus(np.random.default_rng(3), n_docs=300, n_words=120, k=K,
                                  alpha=0.2, eta_or_beta=0.05, doc_length=90)
    return prepare(X)


def _settings(**kw) -> BatchSettings:
    estep = EStepSettings(e_tol=kw.pop("e_tol", 1e-6), e_max_iter=kw.pop("e_max_iter", 100))
    return BatchSettings(K, Priors(kw.pop("alpha", 0.1), kw.pop("eta", 0.05),
                                   learn_alpha=kw.pop("learn", False),
                                   learn_eta=False), estep, **kw)


def test_the_limit_doubles_from_e_warmup_until_e_max_iter():
    s = _settings(e_warmup=8)
    assert [update_limit(s, t) for t in range(1, 8)] == [8, 16, 32, 64, None, None, None]
    assert [update_limit(_settings(e_warmup=3, e_max_iter=20), t)
            for t in range(1, 5)] == [3, 6, 12, None]
    assert all(update_limit(_settings(e_warmup=0), t) is None for t in range(1, 5))
    assert update_limit(_settings(e_warmup=100), 1) is None        # not below e_max_iter
    assert update_limit(_settings(e_warmup=1), 10_000) is None       # no overflow
    with pytest.raises(ValueError, match="e_warmup"):
        _settings(e_warmup=-1)


def test_each_document_makes_at_most_the_limit_and_the_bound_still_rises(corpus):
    r = fit_batch(corpus, _settings(e_warmup=2, max_iter=12, tol=0.0, restarts="auto"),
                  np.random.default_rng(0))
    limits = [2, 4, 8, 16, 32, 64]
    assert all(inner <= limit for inner, limit in zip(r.mean_inner, limits, strict=False))
    assert r.mean_inner[0] == pytest.approx(2.0, abs=0.05)  # a tight e_tol: the limit binds
    elbo = np.array(r.elbo)
    assert np.all(np.diff(elbo) >= -1e-9 * np.abs(elbo[:-1]))
    # cold restarts begin with the first full E-step (the seventh iteration here)
    assert len(r.restarted) <= 12 - 6


def test_convergence_is_judged_after_the_warm_up(corpus):
    loose = dict(max_iter=50, tol=1.0)                # any change passes the test
    assert fit_batch(corpus, _settings(e_warmup=0, **loose),
                     np.random.default_rng(0)).n_iter == 2
    r = fit_batch(corpus, _settings(e_warmup=8, **loose), np.random.default_rng(0))
    assert r.n_iter == 5 and r.converged                 # 8, 16, 32, 64, then in full


def test_without_warm_up_the_first_e_step_runs_to_its_limit(corpus):
    none = fit_batch(corpus, _settings(e_warmup=0, max_iter=1, tol=0.0),
                     np.random.default_rng(0))
    warm = fit_batch(corpus, _settings(e_warmup=8, max_iter=1, tol=0.0),
                     np.random.default_rng(0))
    assert warm.mean_inner[0] <= 8 < none.mean_inner[0]
    assert warm.elbo[0] <= none.elbo[0]      # same λ: more coordinate ascent, a higher bound
