"""Compile the kernels once, into numba's cache, so that a first fit does not wait.

``python -m lda_vi.engine.warm`` (run by ``make install``) fits a tiny model with
the compiled backend: every kernel is compiled for the types a fit uses and
saved next to its source (or in ``NUMBA_CACHE_DIR``). Later processes load them
from there.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from lda_vi.engine.backend import have_numba
from lda_vi.engine.em import fit_batch
from lda_vi.engine.estep import e_step
from lda_vi.engine.layout import prepare
from lda_vi.engine.settings import BatchSettings, EStepSettings, Priors


def warm_up() -> bool:
    """Compile (or load) every kernel on a tiny corpus; False when numba is missing."""
    if not have_numba():
        return False
    rng = np.random.default_rng(0)
    X = sp.random(40, 60, density=0.2, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 3)
    corpus = prepare(X)
    settings = BatchSettings(3, Priors(0.3, 0.1, learn_alpha=True, learn_eta=True),
                             EStepSettings(backend="numba"), max_iter=2, tol=0.0)
    result = fit_batch(corpus, settings, np.random.default_rng(0))
    e_step(corpus, result.alpha, np.ones((60, 3)) / 60, result.gamma.copy(),
           settings.estep, sstats=False)
    return True


if __name__ == "__main__":
    warm_up()
