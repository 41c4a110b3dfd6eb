"""The report's "Topics over time" panel, for a model fitted with a date covariate."""

import numpy as np
import scipy.sparse as sp
from planted import generate_covariate_corpus

from lda_vi.model.lda import LDA
from lda_vi.report.data import report_data
from lda_vi.report.html import render_html
from lda_vi.text.vocabulary import Vocabulary


def _model(with_dates: bool) -> LDA:
    X, _, dates, _ = generate_covariate_corpus(np.random.default_rng(4), n_docs=300,
                                               n_words=60)
    vocab = Vocabulary([f"w{i:02d}" for i in range(X.shape[1])])
    covariates = {"date": [str(d) for d in dates]} if with_dates else None
    return LDA(k=3, seed=0, max_iter=20).fit_counts(sp.csr_matrix(X), vocab,
                                                     covariates=covariates)


def test_a_dated_model_gets_one_line_and_band_per_topic():
    page = render_html(report_data(_model(True)))
    assert '<section class="panel" id="trends">' in page
    chart = page[page.index('<svg id="trends-chart"'):]
    chart = chart[:chart.index("</svg>")]
    assert chart.count('<g class="trend" data-topic=') == 3
    assert chart.count('class="trend-band"') == 3 and chart.count('class="trend-curve"') == 3
    script = page[page.index('id="lda-data">'):]
    assert '"trends"' not in script[:script.index("</script>")]


def test_a_model_without_dates_has_no_panel():
    page = render_html(report_data(_model(False)))
    assert 'id="trends"' not in page


def test_the_plotted_model_curve_stops_where_the_corpus_has_a_gap():
    """Periods without documents (AP's 1989) get no model line: the spline there was never
    fitted to anything (the CSV keeps its values, in its own column)."""
    from lda_vi.evaluate.trends import Trends
    from lda_vi.report.trends_plot import observed_curve

    curve = np.array([[0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    nan = np.full((3, 2), np.nan)
    result = Trends(["a", "b", "c"], np.array([5, 0, 4]), nan, nan, nan, np.zeros((1, 3, 2)),
                    curve)
    shown = observed_curve(result)
    assert np.array_equal(shown[[0, 2]], curve[[0, 2]]) and np.isnan(shown[1]).all()
    assert not np.isnan(result.curve).any()                  # the table's values stay
