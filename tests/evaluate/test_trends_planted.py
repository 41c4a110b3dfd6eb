"""Trends of a model fitted on a corpus whose prevalence follows a known function of time."""

import numpy as np
import pytest
import scipy.sparse as sp
from planted import generate_covariate_corpus, planted_prevalence

from lda_vi.evaluate.metrics import match_topics
from lda_vi.evaluate.trends import model_trends, period_codes
from lda_vi.model.lda import LDA
from lda_vi.text.vocabulary import Vocabulary


def _coverage(data_seed: int) -> tuple[float, float]:
    X, beta, dates, t = generate_covariate_corpus(np.random.default_rng(data_seed),
                                                  n_docs=1500)
    values = [str(d) for d in dates]
    model = LDA(k=3, seed=0, alpha=0.3, eta=0.05, max_iter=100)
    model.fit_counts(sp.csr_matrix(X), Vocabulary([f"w{i:03d}" for i in range(X.shape[1])]),
                     covariates={"date": values})
    perm, dist = match_topics(beta, model.beta)
    assert dist.max() < 0.15
    report = model_trends(model.gamma, values, values, by="date", covariates=model.covariates,
                          freq="quarter", rng=np.random.default_rng(0), n_draws=300)
    codes, _, _ = period_codes(dates, "quarter")
    truth_d = planted_prevalence(t)                 # E[θ | t_d] of every document
    truth = np.stack([truth_d[codes == p].mean(axis=0) for p in range(len(report.mids))])
    lo, hi = report.trends.lower[:, perm], report.trends.upper[:, perm]
    covered = float(((lo <= truth) & (truth <= hi)).mean())
    curve_error = float(np.abs(report.trends.curve[:, perm] - truth).mean())
    return covered, curve_error


@pytest.mark.parametrize("data_seed", [1, 2])
def test_intervals_cover_the_planted_prevalence_and_the_curve_follows_it(data_seed):
    covered, curve_error = _coverage(data_seed)
    # 12 quarters × 3 topics; nominal 95%. Mean-field posteriors are a little narrow, so
    # a few cells may fall outside: about 95%, never far below
    assert covered >= 0.85, covered
    assert curve_error < 0.03, curve_error
