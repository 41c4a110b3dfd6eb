"""The E-step: per-document coordinate ascent of φ and γ with λ fixed.

MATH.md (E1), (E3), (E4), the sufficient statistics of (E5), and the word
term (B2) of the bound, which falls out of the φ normalizers at no extra cost.

Glossary of shapes: D documents, V words, K topics, nnz non-zeros.

- ``corpus``: :class:`lda_vi.engine.layout.CorpusArrays`, the D×V counts as CSR
  plus a CSC index.
- ``alpha``: K, or D×K (a prior α_d per document, MATH.md C1).
- ``expElogbetaT``: V×K, exp(Elogβ) transposed so each word's K topic weights are
  contiguous.
- ``gamma``: D×K, warm start on entry, result on exit (updated in place).
- ``expElogtheta``: D×K, exp(Elogθ) of γ_prev, the γ the last update started
  from (see :func:`e_step`).
- ``word_bound``: D, Σ_w n_dw log Σ_k exp(Elogθ_dk + Elogβ_kw)  (B2) at γ_prev.
- ``doc_terms``: D, the θ terms of (B1) at γ_prev.
- ``sstats``: K×V, S_kw = Σ_d n_dw φ_dwk.

Two implementations compute the same thing: a compiled numba kernel, parallel
over documents and bit-identical for any thread count (the default), and a
plain numpy reference, used by the tests and when numba is missing
(:mod:`lda_vi.engine.backend` chooses). When to stop is an
:class:`lda_vi.engine.settings.EStepSettings`.
φ is never stored; no D×V or nnz×K array is built.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from lda_vi.engine.backend import (
    RANGES_PER_THREAD,
    chunks,
    get_threads,
    kernels,
    parallel_for,
    resolve_backend,
)
from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.elbo import doc_terms
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.settings import EStepSettings
from lda_vi.engine.sums import in_order
from lda_vi.errors import ParameterError

RESTART_MARGIN = 1e-8  # as in kernels: a near-tie keeps the warm start

DEFAULT = EStepSettings()


@dataclass
class EStepResult:
    """What one E-step returns; see the module glossary for the shapes."""

    gamma: np.ndarray
    expElogtheta: np.ndarray
    word_bound: np.ndarray
    doc_terms: np.ndarray
    n_inner: np.ndarray
    sstats: np.ndarray | None
    restarted: np.ndarray | None = None

    @property
    def bound(self) -> np.ndarray:
        """Per-document bound with λ fixed: θ terms of (B1) plus the word term (B2) (D)."""
        return self.doc_terms + self.word_bound


def e_step(corpus: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
           gamma: np.ndarray, settings: EStepSettings = DEFAULT, *, sstats: bool = True,
           restart: bool | np.ndarray = False, out: np.ndarray | None = None) -> EStepResult:
    """Run the E-step over every document; ``gamma`` is the warm start, updated in place.

    Each document alternates (E3) and (E4) until the mean |Δγ_d| is below
    ``settings.e_tol`` or ``settings.e_max_iter`` updates were made. The φ of the last (E3)
    is optimal for γ_prev, the γ the last update started from: ``word_bound``,
    ``doc_terms`` (the bound, B2) and ``expElogtheta`` belong to γ_prev, and
    ``sstats`` to that φ, for which the returned γ = α + Σ n φ is optimal.
    ``e_max_iter=0`` evaluates the bound at the given γ without changing it.

    ``restart`` (True, or a boolean mask of D documents) also solves those
    documents from the cold start α + N_d/K and keeps, per document, the
    result with the higher bound
    (``restarted`` marks where the cold start won): the bound cannot go down,
    and documents locked into a topic by their warm start can leave it.

    ``out`` (V×K, C-contiguous) receives the statistics transposed, when given
    (``sstats`` is then its transpose): EM passes λ's own buffer, which the
    E-step no longer needs.
    """
    D, K = gamma.shape
    if (corpus.n_docs != D or expElogbetaT.shape != (corpus.n_words, K)
            or alpha.shape not in ((K,), (D, K))):
        raise ValueError("e_step: shapes of corpus, alpha, expElogbetaT and gamma disagree")
    if gamma.dtype != np.float64 or not gamma.flags.c_contiguous:
        raise ValueError("e_step: gamma must be a C-contiguous float64 array")
    restart = np.broadcast_to(np.asarray(restart, dtype=bool), (D,))
    if resolve_backend(settings.backend) == "numpy":
        result = e_step_reference(corpus, alpha, expElogbetaT, gamma, settings, sstats=sstats,
                                  restart=restart)
        if sstats and out is not None:
            out[...] = result.sstats.T
            result.sstats = out.T
        return result
    expElogbetaT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
    alpha = np.ascontiguousarray(alpha.reshape(-1, K), dtype=np.float64)   # A×K, A = 1 or D
    expElogtheta = np.empty((D, K))
    word_bound = np.empty(D)
    doc_bound = np.empty(D)
    n_inner = np.empty(D, dtype=np.int64)
    restarted = np.empty(D, dtype=np.int8)
    with _underflow_guard(K):
        n_ranges = RANGES_PER_THREAD * get_threads()
        lengths = np.diff(corpus.indptr) + 1                  # a document's cost, roughly
        parallel_for(kernels.estep_docs, chunks(lengths, n_ranges),
                     (corpus.indptr, corpus.indices, corpus.data), alpha, expElogbetaT, gamma,
                     (settings.e_tol, settings.e_max_iter), restart.astype(np.int8),
                     (expElogtheta, word_bound, doc_bound, n_inner, restarted))
    stats = None
    if sstats:
        statsT = np.empty((corpus.n_words, K)) if out is None else out
        if statsT.shape != (corpus.n_words, K) or not statsT.flags.c_contiguous:
            raise ValueError("e_step: out must be a C-contiguous V×K array")
        with _underflow_guard(K):
            word_nnz = np.diff(corpus.csc_indptr) + 1
            parallel_for(kernels.sstats_by_word, chunks(word_nnz, n_ranges),
                         (corpus.csc_indptr, corpus.csc_rows, corpus.csc_to_csr, corpus.data),
                         (corpus.row_lo, corpus.row_lo + D), expElogtheta, expElogbetaT, statsT)
        stats = statsT.T
    return EStepResult(gamma, expElogtheta, word_bound, doc_bound, n_inner, stats,
                       restarted.astype(bool))


@contextlib.contextmanager
def _underflow_guard(k: int):
    """A kernel's division by zero, as one error naming ``k``: exp(E[log θ]) · exp(E[log β])
    underflows to 0 when the documents are too short for so many topics (α = 1/K)."""
    try:
        yield
    except (ZeroDivisionError, SystemError) as exc:
        if not isinstance(exc, ZeroDivisionError) and not isinstance(
                exc.__cause__, ZeroDivisionError):
            raise
        raise ParameterError("k", f"{{}} is {k}, too many topics for documents this short "
                             "(the E-step underflows: exp E[log theta] = 0); use fewer "
                             "topics") from None


def e_step_reference(corpus: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
                     gamma: np.ndarray, settings: EStepSettings = DEFAULT, *,
                     sstats: bool = True, restart: bool | np.ndarray = False) -> EStepResult:
    """Plain numpy E-step, one document at a time; the kernel must agree with it."""
    e_tol, e_max_iter = settings.e_tol, settings.e_max_iter
    D, K = gamma.shape
    alphas = np.broadcast_to(alpha, (D, K))                    # α_d per document (C1)
    expElogtheta = np.empty((D, K))
    gamma_prev = np.array(alphas)
    word_bound = np.zeros(D)
    n_inner = np.zeros(D, dtype=np.int64)
    restarted = np.zeros(D, dtype=bool)
    stats = np.zeros((K, corpus.n_words)) if sstats else None
    for d in range(D):
        lo, hi = corpus.indptr[d], corpus.indptr[d + 1]
        ids, cts = corpus.indices[lo:hi], corpus.data[lo:hi]
        alpha = alphas[d]
        if hi == lo:
            gamma[d] = alpha
            expElogtheta[d] = np.exp(dirichlet_expectation(alpha))
            continue
        b = expElogbetaT[ids]                                  # n_d × K
        best = _doc_cavi_reference(b, cts, alpha, gamma[d], e_tol, e_max_iter)
        if np.broadcast_to(restart, (D,))[d]:
            cold = _doc_cavi_reference(b, cts, alpha, alpha + cts.sum() / K, e_tol, e_max_iter)
            updates = best[5] + cold[5]
            if cold[0] > best[0] + RESTART_MARGIN * (1.0 + abs(best[0])):
                best = cold
                restarted[d] = True
            best = best[:5] + (updates,)
        _, g, g_prev, t, norm, it = best
        gamma[d], gamma_prev[d], expElogtheta[d] = g, g_prev, t
        word_bound[d] = cts @ np.log(norm)                     # (B2) at γ_prev
        n_inner[d] = it
        if sstats:
            stats[:, ids] += np.outer(t, cts / norm) * b.T     # Σ n_dw φ_dwk
    terms = doc_terms(gamma_prev, alphas)
    terms[corpus.indptr[1:] == corpus.indptr[:-1]] = 0.0      # γ_d = α exactly
    return EStepResult(gamma, expElogtheta, word_bound, terms, n_inner, stats, restarted)


def _doc_cavi_reference(b, cts, alpha, g, e_tol, e_max_iter):
    """One document's CAVI from γ = g: (bound at γ_prev, γ, γ_prev, t, norm, updates)."""
    g = np.array(g, dtype=np.float64)
    it = 0
    while True:
        t = np.exp(dirichlet_expectation(g))                  # (E1)
        norm = b @ t                                           # normalizers of (E3)
        g_prev = g
        if it >= e_max_iter:
            break
        g = alpha + t * ((cts / norm) @ b)                     # (E4)
        it += 1
        if np.mean(np.abs(g - g_prev)) < e_tol or it >= e_max_iter:
            break
    bound = cts @ np.log(norm) + doc_terms(g_prev[np.newaxis, :], alpha)[0]
    return bound, g, g_prev, t, norm, it


def elogtheta_sum(gamma: np.ndarray, backend: str = "auto") -> np.ndarray:
    """Σ_d Elogθ_d (K) of ``gamma`` (D×K), MATH.md (E1): the α statistics of (H1).

    Compiled: per fixed block of documents, then over the blocks in order (the same bits
    for any number of threads); numpy: :func:`dirichlet_expectation` summed.
    """
    D, K = gamma.shape
    if resolve_backend(backend) == "numpy":
        return dirichlet_expectation(gamma).sum(axis=0)
    gamma = np.ascontiguousarray(gamma, dtype=np.float64)
    n_blocks = (D + kernels.ELOG_BLOCK - 1) // kernels.ELOG_BLOCK
    partial = np.empty((n_blocks, K))
    ranges = chunks(np.ones(n_blocks), RANGES_PER_THREAD * get_threads())
    parallel_for(kernels.elogtheta_blocks, ranges, gamma, partial)
    return in_order(partial)
