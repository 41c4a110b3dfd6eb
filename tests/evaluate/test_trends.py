"""Topic prevalence by period: periods, intervals that cover the truth, differences."""

import numpy as np

from lda_vi.evaluate.trends import auto_freq, category_codes, compare, period_codes, trends


def _planted(rng, n_periods=40, per=60, K=3):
    t = np.linspace(0, 1, n_periods)
    m = np.stack([0.2 + 0.6 * t, 0.8 - 0.6 * t, np.full_like(t, 0.0)], axis=1)[:, :K]
    m[:, 2] = 0.2
    m /= m.sum(axis=1, keepdims=True)
    codes = np.repeat(np.arange(n_periods), per)
    theta = np.vstack([rng.dirichlet(5.0 * m[p], size=per) for p in range(n_periods)])
    gamma = 200.0 * theta + 1e-3           # a sharp posterior around each θ_d
    return gamma, codes, m


def test_intervals_cover_the_planted_prevalence_about_95_percent():
    rng = np.random.default_rng(0)
    gamma, codes, m = _planted(rng)
    labels = [str(p) for p in range(m.shape[0])]
    result = trends(gamma, codes, labels, rng=np.random.default_rng(1), n_draws=300)
    covered = (result.lower <= m) & (m <= result.upper)
    assert 0.88 <= covered.mean() <= 0.995
    assert np.allclose(result.prevalence, m, atol=0.08)
    assert np.all(result.lower <= result.prevalence) and np.all(result.prevalence <= result.upper)
    assert list(result.documents) == [60] * 40


def test_periods_of_dates_list_empty_periods_too():
    dates = np.array(["1988-02-03", "1988-02-28", "1988-05-01", "1990-12-31"],
                     dtype="datetime64[D]")
    codes, labels, mids = period_codes(dates, "month")
    assert labels[0] == "1988-02" and labels[-1] == "1990-12" and len(labels) == 35
    assert list(codes[:3]) == [0, 0, 3]
    qcodes, qlabels, _ = period_codes(dates, "quarter")
    assert qlabels[:2] == ["1988-Q1", "1988-Q2"] and list(qcodes[:3]) == [0, 0, 1]
    wcodes, wlabels, _ = period_codes(dates, "week")
    assert wlabels[0] == "1988-02-01"          # the Monday of 1988-02-03's week
    ycodes, ylabels, _ = period_codes(dates, "year")
    assert ylabels == ["1988", "1989", "1990"] and list(ycodes) == [0, 0, 0, 2]
    assert mids[0] == np.datetime64("1988-02-15")   # February 1988 had 29 days
    assert auto_freq(dates) == "month"


def test_compare_two_groups_gives_the_difference_with_its_interval():
    rng = np.random.default_rng(3)
    a = rng.dirichlet([8, 2, 2], size=300) * 100
    b = rng.dirichlet([2, 8, 2], size=300) * 100
    codes, labels = category_codes(["a"] * 300 + ["b"] * 300)
    result = trends(np.vstack([a, b]), codes, labels, rng=rng, n_draws=200)
    diff, lo, hi = compare(result, "a", "b")
    assert diff[0] > 0.4 and lo[0] > 0.3 and hi[1] < -0.3
    assert lo[2] < 0 < hi[2]
