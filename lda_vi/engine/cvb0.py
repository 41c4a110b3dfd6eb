"""Collapsed variational Bayes, zero order (CVB0; Asuncion et al. 2009), MATH.md (V1)–(V4).

Glossary of shapes: D documents, V words, K topics, nnz non-zeros.
``phi`` nnz×K (φ_dw· of each non-zero, CSR order, shared by its n_dw tokens),
``ndk`` D×K (N_dk), ``nwkT`` V×K (N_wk transposed), ``nk`` K (N_k),
``alpha`` K, ``eta`` a scalar; ``gamma`` D×K and ``lam`` K×V are implied (V3).
``seeds``: an optional :class:`lda_vi.engine.seeds.SeedPrior`, the seed words' prior
η_kw = η + s [w ∈ S_k] (MATH.md S1), which (V2) then takes in place of η:
φ_dwk ∝ (N¬_wk + η_kw) / (N¬_k + Σ_w η_kw) · (N¬_dk + α_k). The boosts enter the sweep
as pseudo-counts (s added to N_wk at the P seed pairs and s |S_k| to N_k before the
sweep, both summed again from φ after it), so the kernel is the symmetric one; λ is
η_kw + N_wk, the bound takes (S1)'s topic terms, and η is learned with the boosts
held fixed (:mod:`lda_vi.engine.cvb0_hyper`).

Each sweep t:

1. Every document is updated in parallel by (V2) against N_wk, N_k of the
   sweep's start; its own N_dk is updated in place.
2. N_wk is summed again from φ, by shards of documents (each word's documents
   in row order) added over the canonical tree of :mod:`lda_vi.engine.shards`,
   and N_k from N_wk over fixed word blocks: the same bits for any number of
   threads.
3. If asked, α (asymmetric) and η (symmetric) are learned: Minka's fixed point
   (V4) or Newton on (B1) at the implied γ, λ.
4. The exact bound (B1 with B2) at γ = α + N_d·, λ = η + N_·k (V3), and the
   per-token training log-likelihood Σ n_dw log Σ_k θ̄_dk β̄_kw / N, are
   recorded. CVB0 does not maximize (B1), so the bound need not increase at
   every sweep: it is a monitor, not a check.
5. Stop when the relative changes of both fall below ``tol``, or at ``max_iter``.

Memory is the nnz×K φ (8 bytes each) plus a few D×K and V×K arrays:
:func:`memory_bytes`. The engine neither prints nor reads files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lda_vi.engine import cvb0_hyper as hyper
from lda_vi.engine.backend import LazyModule, have_numba, resolve_backend
from lda_vi.engine.cvb0_reference import sweep_reference
from lda_vi.engine.dirichlet import as_prior, dirichlet_expectation
from lda_vi.engine.elbo import doc_terms
from lda_vi.engine.em import init_lam
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.seeds import SeedPrior, topic_terms
from lda_vi.engine.shards import SHARD_DOCS, TreeReducer, shard_ranges
from lda_vi.engine.sums import exact_sum
from lda_vi.engine.topics import expect_topics

#: The compiled kernels, imported on first use (numba is slow to import); usable only
#: where :func:`~lda_vi.engine.backend.have_numba`.
_kernels = LazyModule("lda_vi.engine.cvb0_kernels")

#: As in the kernels: a probability of no token below this is 0.
ZERO_FLOOR = 1e-200
#: Sweeps before α and η start being learned: the counts of the first sweeps
#: still carry the random start.
HYPER_BURN_IN = 10
#: α and η are learned every this many sweeps (each time a few fixed-point steps).
HYPER_EVERY = 5
#: Fold-in of new documents (:func:`fold_in`): sweeps at most, and the tolerance
#: on the mean |ΔN_dk| per token.
FOLD_MAX_ITER = 100
FOLD_TOL = 1e-4


def memory_bytes(nnz: int, n_docs: int, n_words: int, k: int) -> int:
    """Bytes a CVB0 fit holds: φ (nnz×K) and its D×K and V×K companions, float64."""
    return 8 * k * (int(nnz) + 4 * int(n_docs) + 5 * int(n_words))


@dataclass(frozen=True)
class SweepReport:
    """What the loop tells ``callback`` after each sweep (fields as EM's report)."""

    iteration: int
    elbo: float
    rel_change: float
    seconds: float
    loglik: float
    stale: int
    mean_inner: float = 1.0


@dataclass
class CVB0Result:
    """The implied variational parameters (V3) and the record of the run.

    Attribute names follow :class:`lda_vi.engine.em.EMResult`; ``loglik`` is the
    per-token training log-likelihood per sweep, ``stale`` the clipped counts.
    """

    lam: np.ndarray
    gamma: np.ndarray
    alpha: np.ndarray
    eta: float
    topic_tokens: np.ndarray | None = None
    elbo: list[float] = field(default_factory=list)
    loglik: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    mean_inner: list[float] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    converged: bool = False
    stop_reason: str = ""
    restarted: list[float] = field(default_factory=list)
    inference: str = "cvb0"

    @property
    def n_iter(self) -> int:
        return len(self.elbo)


class Counts:
    """φ of every non-zero and its expected counts N_dk, N_wk, N_k (MATH.md, CVB0)."""

    def __init__(self, corpus: CorpusArrays, phi: np.ndarray, compiled: bool,
                 shard_docs: int = SHARD_DOCS) -> None:
        if corpus.row_lo != 0 or corpus.indptr[0] != 0:
            raise ValueError("corpus must be a whole corpus, not a view of some of its rows")
        if phi.shape[0] != corpus.nnz or phi.dtype != np.float64 or not phi.flags.c_contiguous:
            raise ValueError("phi must be a C-contiguous float64 nnz×K array")
        self.corpus, self.phi, self.compiled = corpus, phi, compiled
        self.ranges = shard_ranges(corpus.n_docs, shard_docs)
        K = phi.shape[1]
        self.ndk = np.zeros((corpus.n_docs, K))
        self.nwkT = np.zeros((corpus.n_words, K))
        self.nk = np.zeros(K)
        self.resum(docs=True)

    def resum(self, docs: bool = False) -> None:
        """N_wk (and N_dk when ``docs``) from φ, and N_k from N_wk, in a fixed order."""
        c = self.corpus
        if not self.compiled:
            from lda_vi.engine.cvb0_reference import counts_reference

            ndk, nwkT, _ = counts_reference(c.indptr, c.indices, c.data, self.phi, c.n_words)
            if docs:
                self.ndk[...] = ndk
            self.nwkT[...] = nwkT
            self.nk[...] = _block_sums(nwkT)
            return
        if docs:
            _kernels.doc_counts(c.indptr, c.data, self.phi, self.ndk)
        if len(self.ranges) == 1:
            _kernels.word_counts(c.csc_indptr, c.csc_rows, c.csc_to_csr, c.data, 0,
                                 c.n_docs, self.phi, self.nwkT)
        else:
            reducer = TreeReducer()
            for lo, hi in self.ranges:
                part = np.empty_like(self.nwkT)
                _kernels.word_counts(c.csc_indptr, c.csc_rows, c.csc_to_csr, c.data,
                                     lo, hi, self.phi, part)
                reducer.push(part)
            self.nwkT[...] = reducer.result()
        _kernels.topic_totals(self.nwkT, self.nk)

    def nonzero_probs(self) -> tuple[np.ndarray, np.ndarray]:
        """P(N_dk ≥ 1) (D×K) and P(N_wk ≥ 1) (V×K) under q(z): 1 − Π (1 − φ)^n."""
        c = self.corpus
        zero_d = np.empty_like(self.ndk)
        zero_w = np.empty_like(self.nwkT)
        if self.compiled:
            _kernels.doc_zero_probs(c.indptr, c.data, self.phi, zero_d)
            _kernels.word_zero_probs(c.csc_indptr, c.csc_to_csr, c.data, self.phi, zero_w)
        else:
            terms = c.data[:, np.newaxis] * np.log1p(-self.phi)
            rows = np.repeat(np.arange(c.n_docs), np.diff(c.indptr))
            logs_d, logs_w = np.zeros_like(zero_d), np.zeros_like(zero_w)
            np.add.at(logs_d, rows, terms)
            np.add.at(logs_w, c.indices, terms)
            zero_d, zero_w = np.exp(logs_d), np.exp(logs_w)
            zero_d[zero_d < ZERO_FLOOR] = 0.0
            zero_w[zero_w < ZERO_FLOOR] = 0.0
        return 1.0 - zero_d, 1.0 - zero_w

    def sweep(self, alpha: np.ndarray, eta: float, seeds: SeedPrior | None = None) -> int:
        """One sweep (V2) then the counts summed again; returns the stale count.

        With ``seeds``, their boosts are added to N_wk and N_k as pseudo-counts first (S1
        in V2; the sum again from φ replaces them). Where a seed pair's count is stale,
        the boost hides it from the stale count (it is still clipped the same way)."""
        c = self.corpus
        if seeds is not None:
            self.nwkT[seeds.words, seeds.topics] += seeds.strength
            self.nk += seeds.strength * seeds.n_seeds
        if self.compiled:
            stale = _kernels.sweep_docs(c.indptr, c.indices, c.data, self.phi, self.ndk,
                                        self.nwkT, self.nk, alpha, float(eta), True)
        else:
            stale = sweep_reference(c.indptr, c.indices, c.data, self.phi, self.ndk,
                                    self.nwkT, self.nk, alpha, float(eta), True)
        self.resum()
        return int(stale)


def _block_sums(nwkT: np.ndarray) -> np.ndarray:
    """N_k over blocks of words in order, as the kernel does (numpy fallback)."""
    block = _kernels.WORD_BLOCK if have_numba() else 512
    out = np.zeros(nwkT.shape[1])
    for lo in range(0, nwkT.shape[0], block):
        out += nwkT[lo:lo + block].sum(axis=0)
    return out


def init_phi(rng: np.random.Generator, nnz: int, k: int) -> np.ndarray:
    """Random start: each non-zero's φ drawn from a flat Dirichlet (nnz×K)."""
    phi = rng.standard_exponential((nnz, k))
    phi /= phi.sum(axis=1, keepdims=True)
    return phi


def seeded_phi(rng: np.random.Generator, corpus: CorpusArrays, k: int,
               seeds: SeedPrior | None = None) -> np.ndarray:
    """Seeded start: φ_dw· ∝ λ⁰_·w, λ⁰ the VB engine's seeded λ (noise plus the counts
    of a few random documents per topic, :func:`lda_vi.engine.em.init_lam`; a seeded
    topic's from the words that come with its seeds, :meth:`SeedPrior.init_lam`), so that
    topics differ from the first sweep (nnz×K)."""
    lam = init_lam(rng, k, corpus)
    if seeds is not None:
        seeds.init_lam(lam, corpus)
    lamT = np.ascontiguousarray(lam.T)
    phi = lamT[corpus.indices]
    phi /= phi.sum(axis=1, keepdims=True)
    return phi


@dataclass
class Monitor:
    """The bound (B1 with B2) at the implied γ, λ (V3) and the training log-likelihood."""

    elbo: float
    loglik: float
    gamma: np.ndarray
    lam: np.ndarray
    sum_Elogbeta: float


def monitor(counts: Counts, alpha: np.ndarray, eta: float, backend: str,
            seeds: SeedPrior | None = None) -> Monitor:
    """Evaluate the bound and per-token log-likelihood of ``counts`` at γ = α + N_dk,
    λ = η_kw + N_wk (V3; η_kw = η, or (S1) with ``seeds``)."""
    c = counts.corpus
    gamma = counts.ndk + alpha
    lamT = counts.nwkT + eta
    if seeds is not None:
        seeds.add_boost(lamT.T)
    topics = expect_topics(lamT.T, backend)                              # (E2)
    Elogtheta = dirichlet_expectation(gamma)                             # (E1)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    betaT = lamT / topics.lam_sum
    word_bound, loglik = np.empty(c.n_docs), np.empty(c.n_docs)
    if counts.compiled:
        _kernels.doc_scores(c.indptr, c.indices, c.data, np.exp(Elogtheta),
                            topics.expElogbetaT, theta, betaT, word_bound, loglik)
    else:
        from lda_vi.engine.cvb0_reference import scores_reference

        word_bound, loglik = scores_reference(c.indptr, c.indices, c.data, gamma, lamT.T)
    terms = doc_terms(gamma, alpha, Elogtheta)
    bound = (exact_sum(terms) + exact_sum(word_bound)
             + topic_terms(topics, eta, seeds))                          # (B1) with (B2)
    tokens = float(exact_sum(c.data))
    return Monitor(bound, exact_sum(loglik) / max(tokens, 1.0), gamma, lamT.T,
                   exact_sum(topics.sum_Elogbeta))


def relative_change(new: float, old: float) -> float:
    """|new − old| / |old| (inf when old is 0)."""
    return abs(new - old) / abs(old) if old != 0 else float("inf")


def fit_cvb0(corpus: CorpusArrays, k: int, *, alpha: float | np.ndarray, eta: float,
             rng: np.random.Generator, learn_alpha: bool = False, learn_eta: bool = False,
             hyper_method: str = "corrected", max_iter: int = 200, tol: float = 1e-4,
             backend: str = "auto", burn_in: int = HYPER_BURN_IN,
             hyper_every: int = HYPER_EVERY, init: str = "seeded",
             callback: Callable[[SweepReport], None] | None = None,
             shard_docs: int = SHARD_DOCS, seeds: SeedPrior | None = None) -> CVB0Result:
    """Fit LDA to ``corpus`` by batch CVB0; see the module docstring.

    ``alpha`` is the (initial) prior of θ, ``eta`` the (initial) symmetric prior
    of β (the base η of (S1) with ``seeds``); ``learn_alpha``/``learn_eta`` learn them
    after ``burn_in`` sweeps, every ``HYPER_EVERY`` sweeps, by ``hyper_method``
    (:mod:`lda_vi.engine.cvb0_hyper`: 'corrected', 'fixed-point' (V4) or 'newton' (on B1)).
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    if max_iter < 1:
        raise ValueError("max_iter must be >= 1")
    if tol < 0:
        raise ValueError("tol must be >= 0")
    if hyper_method not in hyper.HYPER_METHODS:
        raise ValueError(f"hyper_method must be one of {', '.join(hyper.HYPER_METHODS)}")
    alpha = as_prior(alpha, k, "alpha")
    eta = float(as_prior(eta, 1, "eta")[0])
    compiled = resolve_backend(backend) == "numba" and have_numba()
    if init not in ("seeded", "random"):
        raise ValueError("init must be 'seeded' or 'random'")
    if hyper_every < 1:
        raise ValueError("hyper_every must be >= 1")
    if seeds is not None and (seeds.n_topics, seeds.n_words) != (k, corpus.n_words):
        raise ValueError("seeds: their prior is not K×V of this corpus and k")
    phi = (seeded_phi(rng, corpus, k, seeds) if init == "seeded"
           else init_phi(rng, corpus.nnz, k))
    counts = Counts(corpus, phi, compiled, shard_docs)
    result = CVB0Result(lam=np.empty((k, 0)), gamma=np.empty((0, k)), alpha=alpha, eta=eta)
    result.stop_reason = f"reached max_iter={max_iter} before the tolerance"
    state = None
    for sweep in range(1, max_iter + 1):
        start = time.perf_counter()
        stale = counts.sweep(alpha, eta, seeds)                          # (V2), (S1)
        if sweep > burn_in and (learn_alpha or learn_eta) and sweep % hyper_every == 0:
            alpha, eta = hyper.learn(counts, alpha, eta, learn_alpha=learn_alpha,
                                     learn_eta=learn_eta, method=hyper_method,
                                     sum_Elogbeta=state.sum_Elogbeta if state else 0.0,
                                     seeds=seeds)
        previous = state
        state = monitor(counts, alpha, eta, backend, seeds)              # (V3), (B1)
        seconds = time.perf_counter() - start
        result.elbo.append(state.elbo)
        result.loglik.append(state.loglik)
        result.seconds.append(seconds)
        result.mean_inner.append(1.0)
        result.stale.append(stale)
        change = float("nan")
        if previous is not None:
            change = relative_change(state.elbo, previous.elbo)
            ll_change = relative_change(state.loglik, previous.loglik)
        if callback is not None:
            callback(SweepReport(sweep, state.elbo, change, seconds, state.loglik, stale))
        if previous is not None and change < tol and ll_change < tol:
            result.converged = True
            result.stop_reason = (f"relative changes of the bound {change:.3g} and of the "
                                  f"training log-likelihood {ll_change:.3g} < tol {tol:g}")
            break
    result.lam, result.gamma = np.ascontiguousarray(state.lam), state.gamma
    result.alpha, result.eta = alpha, eta
    result.topic_tokens = counts.nk.copy()
    return result


def fold_in(corpus: CorpusArrays, lam: np.ndarray, alpha: np.ndarray, *,
            max_iter: int = FOLD_MAX_ITER, tol: float = FOLD_TOL, backend: str = "auto",
            rng: np.random.Generator | None = None) -> np.ndarray:
    """γ = α + N_dk of new documents by CVB0 sweeps with the topics fixed (D×K).

    The topic-word counts are N_wk = λ_kw − η, read from λ as the fit left it,
    so (V2)'s topic factor is β̄_kw = λ_kw / Σ_v λ_kv; the new documents' own
    mass is left out of their N_dk only. φ starts at β̄_k w normalized (or at
    random with ``rng``); sweeps stop when the mean |ΔN_dk| per token is below
    ``tol`` or after ``max_iter``.
    """
    K, V = lam.shape
    if corpus.n_words != V or alpha.shape != (K,):
        raise ValueError("fold_in: shapes of corpus, lam and alpha disagree")
    compiled = resolve_backend(backend) == "numba" and have_numba()
    lo = int(corpus.indptr[0])
    indptr, indices = corpus.indptr - lo, corpus.indices[lo:corpus.indptr[-1]]
    data = corpus.data[lo:corpus.indptr[-1]]
    # a scaled copy of λ whose (V2) factor (N_wk + η)/(N_k + Vη) is β̄_kw, with η ≈ 0
    betaT = np.ascontiguousarray((lam / lam.sum(axis=1, keepdims=True)).T)
    tiny = 1e-300
    nk = np.ones(K)
    if rng is None:
        phi = betaT[indices].copy()
        phi /= phi.sum(axis=1, keepdims=True)
    else:
        phi = init_phi(rng, indices.shape[0], K)
    ndk = np.zeros((corpus.n_docs, K))
    for d in range(corpus.n_docs):
        ndk[d] = data[indptr[d]:indptr[d + 1]] @ phi[indptr[d]:indptr[d + 1]]
    tokens = max(float(exact_sum(data)), 1.0)
    for _ in range(max_iter):
        before = ndk.copy()
        if compiled:
            _kernels.sweep_docs(indptr, indices, data, phi, ndk, betaT, nk, alpha, tiny, False)
        else:
            sweep_reference(indptr, indices, data, phi, ndk, betaT, nk, alpha, tiny, False)
        if np.abs(ndk - before).sum() / tokens < tol:
            break
    return ndk + alpha
