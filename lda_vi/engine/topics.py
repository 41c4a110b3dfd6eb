"""The topic pass: what the E-step and the bound need of λ, MATH.md (E2) and (B1).

Glossary of shapes: V words, K topics. ``lam`` K×V (λ); ``expElogbetaT`` V×K,
exp(Elogβ) transposed so each word's K topic weights are contiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from lda_vi.engine.backend import (
    RANGES_PER_THREAD,
    chunks,
    get_threads,
    parallel_for,
    resolve_backend,
    topic_kernels,
)
from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.sums import exact_sum, in_order


@dataclass
class TopicExpectations:
    """What the E-step and the bound need of λ (K×V), computed in one pass.

    ``expElogbetaT``: V×K, exp(Elogβ) transposed. ``lam_sum``, ``sum_lgamma``,
    ``sum_lam_Elogbeta``, ``sum_Elogbeta``: K each, sums over words of λ_kw,
    log Γ(λ_kw), λ_kw Elogβ_kw and Elogβ_kw.
    """

    expElogbetaT: np.ndarray
    lam_sum: np.ndarray
    sum_lgamma: np.ndarray
    sum_lam_Elogbeta: np.ndarray
    sum_Elogbeta: np.ndarray

    def topic_terms(self, eta: float) -> float:
        """The β terms of (B1) for a symmetric prior η:
        Σ_k [−log B(η·1) + log B(λ_k) + Σ_w (η − λ_kw) Elogβ_kw]."""
        V = self.expElogbetaT.shape[0]
        K = self.lam_sum.shape[0]
        neg_log_beta_eta = gammaln(V * eta) - V * gammaln(eta)
        log_beta_lam = self.sum_lgamma - gammaln(self.lam_sum)
        return float(K * neg_log_beta_eta + exact_sum(log_beta_lam)
                     + eta * exact_sum(self.sum_Elogbeta) - exact_sum(self.sum_lam_Elogbeta))


def expect_topics(lam: np.ndarray, backend: str = "auto",
                  out: np.ndarray | None = None) -> TopicExpectations:
    """exp(Elogβ) (MATH.md E2) and the per-topic sums of :class:`TopicExpectations`.

    ``lam`` is K×V; when it is the transpose of a C-contiguous V×K array (as
    EM keeps it) it is read in place, else copied once. ``out`` (V×K) receives
    exp(Elogβ)ᵀ when given, so EM can reuse one buffer.
    """
    K, V = lam.shape
    lamT = lam.T if lam.T.flags.c_contiguous else np.ascontiguousarray(lam.T, dtype=np.float64)
    expElogbetaT = np.empty((V, K)) if out is None else out
    if expElogbetaT.shape != (V, K) or not expElogbetaT.flags.c_contiguous:
        raise ValueError("out must be a C-contiguous V×K array")
    if resolve_backend(backend) == "numba":
        return _topic_pass(np.asarray(lamT, dtype=np.float64), expElogbetaT)
    Elogbeta = dirichlet_expectation(lam)
    np.exp(Elogbeta.T, out=expElogbetaT)
    return TopicExpectations(expElogbetaT, lam.sum(axis=1), gammaln(lam).sum(axis=1),
                             (lam * Elogbeta).sum(axis=1), Elogbeta.sum(axis=1))


def _topic_pass(lamT: np.ndarray, expElogbetaT: np.ndarray) -> TopicExpectations:
    """The compiled topic pass: per-block sums of fixed blocks of words, on the kernel
    threads, then added in block order (the same bits for any number of threads).
    Two kernels (one compile each on a first run): the totals Σ_w λ_kw, then exp(Elogβ)
    and the other sums."""
    V, K = lamT.shape
    n_blocks = (V + topic_kernels.TOPIC_BLOCK - 1) // topic_kernels.TOPIC_BLOCK
    partial = np.zeros((n_blocks, 4, K))
    ranges = chunks(np.ones(n_blocks), RANGES_PER_THREAD * get_threads())
    parallel_for(topic_kernels.topic_totals, ranges, lamT, partial)
    lam_sum = in_order(partial[:, 0])
    parallel_for(topic_kernels.topic_blocks, ranges, lamT, lam_sum, expElogbetaT, partial)
    sums = (lam_sum, *(in_order(partial[:, row]) for row in (1, 2, 3)))
    return TopicExpectations(expElogbetaT, *sums)
