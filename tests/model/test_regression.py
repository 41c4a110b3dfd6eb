"""Numbers pinned: a change to the initialization, the restart rule or the bound fails here.

* The ELBO trace of a seeded fit of ``tests/fixtures/sample_subset.txt`` (240 docstrings of
  the sample corpus, shipped so that the input is the same on every machine; the full sample
  depends on the installed Python), to 1e-10 relative, with α and η learned and fixed. The
  pinned values were written by lda-vi at commit 42a3221, before issue 11's restructuring,
  and re-pinned when issue 14 changed English tokenization (the fixture's "about" says how).
* The held-out completion perplexity of AP at K = 50 with the defaults, on the split of
  benchmarks/bench_ap.py, within a stated band (skipped without /work/shared).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lda_vi.evaluate.heldout import completion_from_split
from lda_vi.evaluate.metrics import split_completion
from lda_vi.model.lda import LDA

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PINNED = json.loads((FIXTURES / "regression" / "sample_subset_k5_seed1.json").read_text())


def _docs() -> list[str]:
    return (FIXTURES / "sample_subset.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("case, options", [("learned", {}),
                                           ("fixed", {"alpha": 0.1, "eta": 0.01})])
def test_elbo_trace_of_seeded_sample_fit_is_pinned(case, options):
    pinned = PINNED[case]
    model = LDA(k=5, seed=1, max_iter=100, **options).fit(_docs())
    assert model.trace.n_iter == pinned["iterations"]
    np.testing.assert_allclose(model.trace.elbo, pinned["elbo"], rtol=1e-10, atol=0)
    if case == "learned":
        np.testing.assert_allclose(model.alpha, pinned["alpha"], rtol=1e-10, atol=0)
        assert model.eta == pytest.approx(pinned["eta"], rel=1e-10)


def test_elbo_trace_is_the_same_for_any_thread_count():
    one = LDA(k=5, seed=1, max_iter=100, threads=1).fit(_docs())
    two = LDA(k=5, seed=1, max_iter=100, threads=2).fit(_docs())
    assert one.trace.elbo == two.trace.elbo


#: With the E-step warm-up (issue 17, e_warmup=8, the default) seeds 0, 1, 2 give 2568.5,
#: 2573.5, 2556.1; without it (e_warmup=0, the default before) 2626.1, 2606.4, 2591.9. The
#: band allows the spread over seeds and excludes what a broken initialization, restart rule
#: or warm-up gives: the former default at seed 0 (2626), the 50-iteration fixed-prior
#: figure (2681), scikit-learn's (2871).
AP_K50_BAND = (2500.0, 2610.0)


def test_ap_k50_completion_perplexity_within_band(ap_counts):
    D = ap_counts.shape[0]
    perm = np.random.default_rng(0).permutation(D)
    n_held = int(round(0.1 * D))
    held, train = np.sort(perm[:n_held]), np.sort(perm[n_held:])
    X_obs, X_second = split_completion(ap_counts[held], np.random.default_rng(1))
    model = LDA(k=50, seed=0).fit_counts(ap_counts[train])
    value, _, _ = completion_from_split(model, X_obs, X_second)
    low, high = AP_K50_BAND
    assert low <= value <= high, f"AP K=50 completion perplexity {value:.1f} outside {AP_K50_BAND}"
