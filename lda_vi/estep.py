"""The E-step: per-document coordinate ascent of φ and γ with λ fixed.

MATH.md (E1), (E3), (E4), the sufficient statistics of (E5), and the word
term (B2) of the bound, which falls out of the φ normalizers at no extra cost.

Glossary of shapes: D documents, V words, K topics, nnz non-zeros.

- ``corpus``: :class:`CorpusArrays`, the D×V counts as CSR plus a CSC index.
- ``alpha``: K.  ``expElogbetaT``: V×K, exp(Elogβ) transposed so each word's
  K topic weights are contiguous.
- ``gamma``: D×K, warm start on entry, result on exit (updated in place).
- ``expElogtheta``: D×K, exp(Elogθ) of the final γ.
- ``word_bound``: D, Σ_w n_dw log Σ_k exp(Elogθ_dk + Elogβ_kw)  (B2).
- ``sstats``: K×V, S_kw = Σ_d n_dw φ_dwk.

Two implementations compute the same thing: a compiled numba kernel, parallel
over documents and bit-identical for any thread count (the default), and a
plain numpy reference, used by the tests and when numba is missing.
φ is never stored; no D×V or nnz×K array is built.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .dirichlet import dirichlet_expectation

try:  # numba is a core dependency, but the package must still work without it
    import numba

    from . import _kernels

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is absent
    _kernels = None
    numba = None
    HAVE_NUMBA = False


@dataclass(frozen=True)
class CorpusArrays:
    """The count matrix in the layouts the kernels read, built once per fit.

    ``indptr``/``indices``/``data``: CSR (D+1, nnz, nnz). ``csc_indptr``
    (V+1), ``csc_rows`` (nnz): the same non-zeros by word, each word's
    documents in increasing order; ``csc_to_csr`` (nnz) maps a CSC position
    to its CSR position.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    csc_indptr: np.ndarray
    csc_rows: np.ndarray
    csc_to_csr: np.ndarray
    n_docs: int
    n_words: int

    @property
    def nnz(self) -> int:
        return int(self.data.shape[0])

    @property
    def doc_lengths(self) -> np.ndarray:
        """Tokens per document (D)."""
        cumulative = np.concatenate(([0.0], np.cumsum(self.data)))
        return cumulative[self.indptr[1:]] - cumulative[self.indptr[:-1]]


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
    positions = sp.csr_matrix(
        (np.arange(nnz, dtype=np.int64), X.indices, X.indptr), shape=X.shape
    ).tocsc()
    positions.sort_indices()
    return CorpusArrays(
        indptr=X.indptr.astype(np.int64),
        indices=X.indices.astype(np.int64),
        data=np.ascontiguousarray(X.data),
        csc_indptr=positions.indptr.astype(np.int64),
        csc_rows=positions.indices.astype(np.int64),
        csc_to_csr=positions.data.astype(np.int64),
        n_docs=X.shape[0],
        n_words=X.shape[1],
    )


@dataclass
class EStepResult:
    """What one E-step returns; see the module glossary for the shapes."""

    gamma: np.ndarray
    expElogtheta: np.ndarray
    word_bound: np.ndarray
    n_inner: np.ndarray
    sstats: np.ndarray | None


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
           sstats: bool = True, backend: str = "auto") -> EStepResult:
    """Run the E-step over every document; ``gamma`` is the warm start, updated in place.

    Each document alternates (E3) and (E4) until the mean |Δγ_d| is below
    ``e_tol`` or ``e_max_iter`` updates were made, then φ is recomputed once
    for the final γ_d: the returned ``word_bound`` and ``sstats`` belong to
    that φ, which is optimal for the returned γ.
    """
    D, K = gamma.shape
    if corpus.n_docs != D or expElogbetaT.shape != (corpus.n_words, K) or alpha.shape != (K,):
        raise ValueError("e_step: shapes of corpus, alpha, expElogbetaT and gamma disagree")
    if gamma.dtype != np.float64 or not gamma.flags.c_contiguous:
        raise ValueError("e_step: gamma must be a C-contiguous float64 array")
    if resolve_backend(backend) == "numpy":
        return e_step_reference(corpus, alpha, expElogbetaT, gamma, e_tol=e_tol,
                                e_max_iter=e_max_iter, sstats=sstats)
    expElogbetaT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
    alpha = np.ascontiguousarray(alpha, dtype=np.float64)
    ratio = np.empty(corpus.nnz)
    expElogtheta = np.empty((D, K))
    word_bound = np.empty(D)
    n_inner = np.empty(D, dtype=np.int64)
    _kernels.estep_docs(corpus.indptr, corpus.indices, corpus.data, alpha, expElogbetaT,
                        gamma, float(e_tol), int(e_max_iter), ratio, expElogtheta,
                        word_bound, n_inner)
    stats = None
    if sstats:
        statsT = np.empty((corpus.n_words, K))
        _kernels.sstats_by_word(corpus.csc_indptr, corpus.csc_rows, corpus.csc_to_csr, ratio,
                                expElogtheta, expElogbetaT, statsT)
        stats = statsT.T
    return EStepResult(gamma, expElogtheta, word_bound, n_inner, stats)


def e_step_reference(corpus: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
                     gamma: np.ndarray, *, e_tol: float = 1e-3, e_max_iter: int = 100,
                     sstats: bool = True) -> EStepResult:
    """Plain numpy E-step, one document at a time; the kernel must agree with it."""
    D, K = gamma.shape
    expElogtheta = np.empty((D, K))
    word_bound = np.zeros(D)
    n_inner = np.zeros(D, dtype=np.int64)
    stats = np.zeros((K, corpus.n_words)) if sstats else None
    for d in range(D):
        lo, hi = corpus.indptr[d], corpus.indptr[d + 1]
        ids, cts = corpus.indices[lo:hi], corpus.data[lo:hi]
        if hi == lo:
            gamma[d] = alpha
            expElogtheta[d] = np.exp(dirichlet_expectation(alpha))
            continue
        b = expElogbetaT[ids]                                  # n_d × K
        g = gamma[d].copy()
        t = np.exp(dirichlet_expectation(g))                  # (E1)
        it, converged = 0, False
        while True:
            norm = b @ t                                       # normalizers of (E3)
            if converged or it >= e_max_iter:
                break
            new = alpha + t * ((cts / norm) @ b)               # (E4)
            converged = np.mean(np.abs(new - g)) < e_tol
            g = new
            it += 1
            t = np.exp(dirichlet_expectation(g))
        gamma[d] = g
        expElogtheta[d] = t
        word_bound[d] = cts @ np.log(norm)                     # (B2)
        n_inner[d] = it
        if sstats:
            stats[:, ids] += np.outer(t, cts / norm) * b.T     # Σ n_dw φ_dwk
    return EStepResult(gamma, expElogtheta, word_bound, n_inner, stats)
