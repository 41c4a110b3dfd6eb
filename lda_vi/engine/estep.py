"""The E-step: per-document coordinate ascent of φ and γ with λ fixed.

MATH.md (E1), (E3), (E4), the sufficient statistics of (E5), and the word
term (B2) of the bound, which falls out of the φ normalizers at no extra cost.

Glossary of shapes: D documents, V words, K topics, nnz non-zeros.

- ``corpus``: :class:`CorpusArrays`, the D×V counts as CSR plus a CSC index.
- ``alpha``: K.  ``expElogbetaT``: V×K, exp(Elogβ) transposed so each word's
  K topic weights are contiguous.
- ``gamma``: D×K, warm start on entry, result on exit (updated in place).
- ``expElogtheta``: D×K, exp(Elogθ) of γ_prev, the γ the last update started
  from (see :func:`e_step`).
- ``word_bound``: D, Σ_w n_dw log Σ_k exp(Elogθ_dk + Elogβ_kw)  (B2) at γ_prev.
- ``doc_terms``: D, the θ terms of (B1) at γ_prev.
- ``sstats``: K×V, S_kw = Σ_d n_dw φ_dwk.

Two implementations compute the same thing: a compiled numba kernel, parallel
over documents and bit-identical for any thread count (the default), and a
plain numpy reference, used by the tests and when numba is missing.
φ is never stored; no D×V or nnz×K array is built.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

from lda_vi.engine.dirichlet import dirichlet_expectation
from lda_vi.engine.elbo import doc_terms

RESTART_MARGIN = 1e-8  # as in _kernels: a near-tie keeps the warm start

try:  # numba is a core dependency, but the package must still work without it
    import numba

    from lda_vi.engine import kernels as _kernels

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is absent
    _kernels = None
    numba = None
    HAVE_NUMBA = False


def exact_sum(values: np.ndarray) -> float:
    """Σ values, correctly rounded (math.fsum): the same bits whatever the array's
    memory alignment, unlike numpy's SIMD pairwise sum."""
    return math.fsum(np.ravel(values).tolist())


@dataclass(frozen=True)
class CorpusArrays:
    """The count matrix in the layouts the kernels read, built once per fit.

    ``indptr``/``indices``/``data``: CSR (D+1, nnz, nnz). ``csc_indptr``
    (V+1), ``csc_rows`` (nnz): the same non-zeros by word, each word's
    documents in increasing order; ``csc_to_csr`` (nnz) maps a CSC position
    to its CSR position.

    A shard (:meth:`rows`) is a view of rows [row_lo, row_lo + D) of a larger
    corpus: its ``indptr`` holds positions into the whole corpus's arrays,
    which it shares, CSC index included; nothing is copied.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    csc_indptr: np.ndarray
    csc_rows: np.ndarray
    csc_to_csr: np.ndarray
    n_docs: int
    n_words: int
    row_lo: int = 0

    @property
    def nnz(self) -> int:
        """Non-zeros of these rows."""
        return int(self.indptr[-1] - self.indptr[0])

    def rows(self, lo: int, hi: int) -> CorpusArrays:
        """Documents [lo, hi) of this corpus, as a view."""
        if not 0 <= lo <= hi <= self.n_docs:
            raise ValueError(f"rows [{lo}, {hi}) out of range for {self.n_docs} documents")
        return dataclasses.replace(self, indptr=self.indptr[lo:hi + 1], n_docs=hi - lo,
                                   row_lo=self.row_lo + lo)

    @property
    def doc_lengths(self) -> np.ndarray:
        """Tokens per document (D)."""
        lo = int(self.indptr[0])
        data = self.data[lo:int(self.indptr[-1])]
        starts = self.indptr[:-1] - lo
        lengths = np.zeros(self.n_docs)
        full = np.flatnonzero(self.indptr[1:] > self.indptr[:-1])
        if full.size:   # each non-empty row runs to the next non-empty row's start
            lengths[full] = np.add.reduceat(data, starts[full])
        return lengths


def prepare(X: sp.spmatrix, n_words: int | None = None) -> CorpusArrays:
    """Validate a D×V count matrix and build its :class:`CorpusArrays`."""
    X = sp.csr_matrix(X, dtype=np.float64)
    if n_words is not None and X.shape[1] != n_words:
        raise ValueError(f"count matrix has {X.shape[1]} columns, expected {n_words}")
    X.sum_duplicates()
    X.sort_indices()
    if X.nnz and (not np.all(np.isfinite(X.data)) or X.data.min() < 0):
        raise ValueError("counts must be finite and non-negative")
    X.eliminate_zeros()
    nnz = X.nnz
    index = np.int32 if max(nnz, X.shape[0], X.shape[1]) < 2**31 - 1 else np.int64
    indptr = X.indptr.astype(np.int64, copy=False)
    indices = X.indices.astype(index, copy=False)
    csc_indptr = np.empty(X.shape[1] + 1, dtype=np.int64)
    csc_rows = np.empty(nnz, dtype=index)
    csc_to_csr = np.empty(nnz, dtype=index)
    if HAVE_NUMBA:
        _kernels.build_csc(indptr, indices, X.shape[1], csc_indptr, csc_rows, csc_to_csr)
    else:
        order = np.argsort(indices, kind="stable")             # by word, rows in order
        csc_indptr[0] = 0
        np.cumsum(np.bincount(indices, minlength=X.shape[1]), out=csc_indptr[1:])
        csc_rows[:] = np.repeat(np.arange(X.shape[0]), np.diff(indptr))[order]
        csc_to_csr[:] = order
    return CorpusArrays(indptr=indptr, indices=indices, data=X.data, csc_indptr=csc_indptr,
                        csc_rows=csc_rows, csc_to_csr=csc_to_csr, n_docs=X.shape[0],
                        n_words=X.shape[1])


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
        sums = np.empty((K, 4))
        _kernels.topic_pass(np.asarray(lamT, dtype=np.float64), expElogbetaT, sums)
        return TopicExpectations(expElogbetaT, *sums.T.copy())
    Elogbeta = dirichlet_expectation(lam)
    np.exp(Elogbeta.T, out=expElogbetaT)
    return TopicExpectations(expElogbetaT, lam.sum(axis=1), gammaln(lam).sum(axis=1),
                             (lam * Elogbeta).sum(axis=1), Elogbeta.sum(axis=1))


def set_threads(n: int | None) -> int:
    """Set the number of threads of the compiled kernels (None: all cores); returns it."""
    if not HAVE_NUMBA:
        return 1
    limit = numba.config.NUMBA_NUM_THREADS
    n = limit if n is None else int(n)
    if n < 1:
        raise ValueError("threads must be >= 1")
    n = min(n, limit)
    numba.set_num_threads(n)
    return n


def resolve_backend(backend: str) -> str:
    """'auto' → 'numba' when available, else 'numpy' with a warning."""
    if backend not in ("auto", "numba", "numpy"):
        raise ValueError(f"unknown E-step backend {backend!r}")
    if backend == "numpy":
        return "numpy"
    if not HAVE_NUMBA:
        if backend == "numba":
            raise ValueError("the numba backend was asked for, but numba is not installed")
        warnings.warn("numba is not installed: using the slow numpy E-step", stacklevel=2)
        return "numpy"
    return "numba"


def e_step(corpus: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
           gamma: np.ndarray, *, e_tol: float = 1e-3, e_max_iter: int = 100,
           sstats: bool = True, restart: bool | np.ndarray = False,
           backend: str = "auto", out: np.ndarray | None = None) -> EStepResult:
    """Run the E-step over every document; ``gamma`` is the warm start, updated in place.

    Each document alternates (E3) and (E4) until the mean |Δγ_d| is below
    ``e_tol`` or ``e_max_iter`` updates were made. The φ of the last (E3)
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
    if corpus.n_docs != D or expElogbetaT.shape != (corpus.n_words, K) or alpha.shape != (K,):
        raise ValueError("e_step: shapes of corpus, alpha, expElogbetaT and gamma disagree")
    if gamma.dtype != np.float64 or not gamma.flags.c_contiguous:
        raise ValueError("e_step: gamma must be a C-contiguous float64 array")
    restart = np.broadcast_to(np.asarray(restart, dtype=bool), (D,))
    if resolve_backend(backend) == "numpy":
        result = e_step_reference(corpus, alpha, expElogbetaT, gamma, e_tol=e_tol,
                                  e_max_iter=e_max_iter, sstats=sstats, restart=restart)
        if sstats and out is not None:
            out[...] = result.sstats.T
            result.sstats = out.T
        return result
    expElogbetaT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
    alpha = np.ascontiguousarray(alpha, dtype=np.float64)
    expElogtheta = np.empty((D, K))
    word_bound = np.empty(D)
    doc_bound = np.empty(D)
    n_inner = np.empty(D, dtype=np.int64)
    restarted = np.empty(D, dtype=np.int8)
    _kernels.estep_docs(corpus.indptr, corpus.indices, corpus.data, alpha, expElogbetaT,
                        gamma, float(e_tol), int(e_max_iter), restart.astype(np.int8),
                        expElogtheta, word_bound, doc_bound, n_inner, restarted)
    stats = None
    if sstats:
        statsT = np.empty((corpus.n_words, K)) if out is None else out
        if statsT.shape != (corpus.n_words, K) or not statsT.flags.c_contiguous:
            raise ValueError("e_step: out must be a C-contiguous V×K array")
        _kernels.sstats_by_word(corpus.csc_indptr, corpus.csc_rows, corpus.csc_to_csr,
                                corpus.data, corpus.row_lo, corpus.row_lo + D,
                                expElogtheta, expElogbetaT, statsT)
        stats = statsT.T
    return EStepResult(gamma, expElogtheta, word_bound, doc_bound, n_inner, stats,
                       restarted.astype(bool))


def e_step_reference(corpus: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
                     gamma: np.ndarray, *, e_tol: float = 1e-3, e_max_iter: int = 100,
                     sstats: bool = True, restart: bool | np.ndarray = False) -> EStepResult:
    """Plain numpy E-step, one document at a time; the kernel must agree with it."""
    D, K = gamma.shape
    expElogtheta = np.empty((D, K))
    gamma_prev = np.array(alpha[np.newaxis, :].repeat(D, axis=0))
    word_bound = np.zeros(D)
    n_inner = np.zeros(D, dtype=np.int64)
    restarted = np.zeros(D, dtype=bool)
    stats = np.zeros((K, corpus.n_words)) if sstats else None
    for d in range(D):
        lo, hi = corpus.indptr[d], corpus.indptr[d + 1]
        ids, cts = corpus.indices[lo:hi], corpus.data[lo:hi]
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
    terms = doc_terms(gamma_prev, alpha)
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
