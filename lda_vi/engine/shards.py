"""Shards of documents and the fixed-order reduction of their sufficient statistics.

The documents are cut into shards of ``SHARD_DOCS`` consecutive documents, a
size fixed by the algorithm, not by the number of threads, workers or
partitions. Each shard's E-step gives its statistics S_shard (stored V×K);
the corpus's S is their sum over a canonical binary tree of the shard
indices: the tree over [lo, hi) adds the tree over [lo, mid) and the tree
over [mid, hi), mid = lo + the largest power of two below hi − lo. Every
node is an aligned range, so whoever holds a run of consecutive shards can
add up the nodes inside it, and the sum is the same bits wherever and in
whatever order the shards were computed: the local engine and a cluster
agree exactly.

Glossary of shapes: D documents, B documents in a shard, V words, K topics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from lda_vi import interrupts
from lda_vi.engine.estep import e_step, elogtheta_sum
from lda_vi.engine.layout import CorpusArrays, prepare
from lda_vi.engine.settings import EStepSettings
from lda_vi.engine.sums import exact_partials

#: Documents per shard.
SHARD_DOCS = 16384


def shard_ranges(n_docs: int, shard_docs: int = SHARD_DOCS) -> list[tuple[int, int]]:
    """The [lo, hi) document ranges of the shards, in order (at least one)."""
    if shard_docs < 1:
        raise ValueError("shard_docs must be >= 1")
    return [(lo, min(lo + shard_docs, n_docs)) for lo in range(0, max(n_docs, 1), shard_docs)]


def split_corpus(corpus: CorpusArrays, shard_docs: int = SHARD_DOCS) -> list[CorpusArrays]:
    """The corpus's shards: views of its rows, sharing its arrays (nothing is copied)."""
    return [corpus.rows(lo, hi) for lo, hi in shard_ranges(corpus.n_docs, shard_docs)]


def standalone(shard: CorpusArrays) -> CorpusArrays:
    """A shard with arrays of its own (for sending it to another process)."""
    lo, hi = int(shard.indptr[0]), int(shard.indptr[-1])
    X = sp.csr_matrix((shard.data[lo:hi], shard.indices[lo:hi], shard.indptr - lo),
                      shape=(shard.n_docs, shard.n_words))
    return prepare(X)


def _mid(lo: int, hi: int) -> int:
    """Where the canonical tree splits [lo, hi): lo + the largest power of two < hi − lo."""
    return lo + (1 << ((hi - lo - 1).bit_length() - 1))


def canonical_nodes(lo: int, hi: int, total: int) -> list[tuple[int, int]]:
    """The maximal nodes of the canonical tree over [0, total) lying inside [lo, hi)."""
    nodes: list[tuple[int, int]] = []

    def visit(a: int, b: int) -> None:
        if b <= lo or a >= hi:
            return
        if lo <= a and b <= hi:
            nodes.append((a, b))
            return
        m = _mid(a, b)
        visit(a, m)
        visit(m, b)

    visit(0, total)
    return nodes


def tree_sum(get: Callable[[int, int], np.ndarray | None], lo: int, hi: int) -> np.ndarray:
    """The canonical tree sum over [lo, hi); ``get(a, b)`` returns a node's sum when known
    (a leaf (i, i+1) must always be known), or None to recurse into its halves."""
    known = get(lo, hi)
    if known is not None:
        return known
    if hi - lo == 1:
        raise KeyError(f"shard {lo} has no statistics")
    m = _mid(lo, hi)
    return tree_sum(get, lo, m) + tree_sum(get, m, hi)


def reduce_nodes(leaves: dict[int, np.ndarray], lo: int, hi: int) -> np.ndarray:
    """The canonical sum over [lo, hi) of the given per-shard arrays."""
    return tree_sum(lambda a, b: leaves.get(a) if b == a + 1 else None, lo, hi)


class TreeReducer:
    """The canonical tree sum of arrays pushed in shard order, holding O(log S) of them.

    The canonical tree is the binary-counter decomposition of [0, S): merging
    equal-sized runs as leaves arrive, then the remaining runs from the right,
    adds exactly the same pairs as :func:`reduce_nodes`.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, np.ndarray]] = []

    def push(self, array: np.ndarray) -> None:
        """Add the next shard's array (it becomes the reducer's to modify)."""
        size = 1
        while self._stack and self._stack[-1][0] == size:
            _, left = self._stack.pop()
            left += array                      # left + right, in place (a + b == b + a)
            array, size = left, 2 * size
        self._stack.append((size, array))

    def result(self) -> np.ndarray:
        """The sum; it is stored in the first array pushed."""
        if not self._stack:
            raise ValueError("nothing to reduce")
        _, total = self._stack.pop()
        while self._stack:
            _, left = self._stack.pop()
            left += total
            total = left
        return total


@dataclass(frozen=True)
class RestartBlock:
    """The documents given a cold restart at an iteration: every ``period``-th, rotating
    (document d when (d + iteration) % period == 0). Sent as these two numbers, not as a
    mask of D documents."""

    iteration: int
    period: int

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """The mask of documents [lo, hi)."""
        return (np.arange(lo, hi) + self.iteration) % self.period == 0


def restart_rows(restart: RestartBlock | np.ndarray | bool, lo: int, hi: int) -> np.ndarray:
    """The restart mask of documents [lo, hi) of a block, a whole-corpus mask or a bool."""
    if isinstance(restart, RestartBlock):
        return restart.rows(lo, hi)
    if isinstance(restart, bool | np.bool_):
        return np.full(hi - lo, bool(restart))
    return np.asarray(restart, dtype=bool)[lo:hi]


@dataclass
class ShardResult:
    """One shard's E-step: its γ, statistics and bound terms (see :mod:`lda_vi.engine.estep`)."""

    gamma: np.ndarray          # B×K
    statsT: np.ndarray         # V×K, S transposed
    doc_terms: np.ndarray      # B
    word_bound: np.ndarray     # B
    n_inner: np.ndarray        # B
    restarted: np.ndarray      # B, bool
    elogtheta: np.ndarray      # K, Σ_d Elogθ_d of the new γ (the α statistics, H1)


def estep_shard(shard: CorpusArrays, alpha: np.ndarray, expElogbetaT: np.ndarray,
                gamma: np.ndarray, restart: np.ndarray | bool, settings: EStepSettings, *,
                out: np.ndarray | None = None) -> ShardResult:
    """The E-step of one shard; ``gamma`` (B×K) is updated in place and returned;
    ``out`` (V×K), when given, receives the statistics."""
    est = e_step(shard, alpha, expElogbetaT, gamma, settings, restart=restart, out=out)
    return ShardResult(est.gamma, np.ascontiguousarray(est.sstats.T), est.doc_terms,
                       est.word_bound, est.n_inner, est.restarted,
                       elogtheta_sum(est.gamma, settings.backend))


def rows_of(alpha: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The prior of documents [lo, hi): α itself (K), or those rows of α_d (D×K)."""
    return alpha if alpha.ndim == 1 else alpha[lo:hi]


@dataclass
class StepTotals:
    """The sums over documents fit_batch needs of an E-step, exact and small: the bound
    terms as exact partials (floats whose exact sum is the documents' exact sum, so
    ``math.fsum`` of any engine's partials gives the same bits), the number of γ
    updates and of documents the cold restart won."""

    doc_terms: list[float]
    word_bound: list[float]
    n_inner: int
    restarted: int
    n_docs: int

    @property
    def bound(self) -> float:
        """Σ_d doc_terms_d + Σ_d word_bound_d, each sum correctly rounded."""
        return math.fsum(self.doc_terms) + math.fsum(self.word_bound)

    @property
    def mean_inner(self) -> float:
        return self.n_inner / self.n_docs if self.n_docs else 0.0


def step_totals(doc_terms: np.ndarray, word_bound: np.ndarray, n_inner: np.ndarray,
                restarted: np.ndarray) -> StepTotals:
    """The :class:`StepTotals` of per-document vectors."""
    return StepTotals(exact_partials(doc_terms), exact_partials(word_bound),
                      int(np.sum(n_inner, dtype=np.int64)), int(np.count_nonzero(restarted)),
                      int(len(n_inner)))


def merge_totals(parts: list[StepTotals]) -> StepTotals:
    """The totals of several runs of documents."""
    return StepTotals([x for p in parts for x in p.doc_terms],
                      [x for p in parts for x in p.word_bound],
                      sum(p.n_inner for p in parts), sum(p.restarted for p in parts),
                      sum(p.n_docs for p in parts))


@dataclass
class CorpusStep:
    """The E-step of the whole corpus, assembled from its shards in order.

    The per-document vectors are there when the engine has them in this process
    (None from a cluster, which sends back only ``totals``)."""

    statsT: np.ndarray                 # V×K
    elogtheta: np.ndarray              # K, Σ_d Elogθ_d (canonical tree order)
    doc_terms: np.ndarray | None = None    # D
    word_bound: np.ndarray | None = None   # D
    n_inner: np.ndarray | None = None      # D
    restarted: np.ndarray | None = None    # D
    summary: StepTotals | None = None

    @property
    def sstats(self) -> np.ndarray:
        """S (K×V), a view."""
        return self.statsT.T

    def totals(self) -> StepTotals:
        """The sums over documents (from the vectors when this process has them)."""
        if self.doc_terms is not None:
            return step_totals(self.doc_terms, self.word_bound, self.n_inner, self.restarted)
        return self.summary


def assemble(results: list[ShardResult], statsT: np.ndarray,
             elogtheta: np.ndarray) -> CorpusStep:
    """Concatenate per-shard vectors (in shard order) around the reduced sums."""
    return CorpusStep(statsT, elogtheta, *(np.concatenate([getattr(r, name) for r in results])
                                           for name in ("doc_terms", "word_bound", "n_inner",
                                                        "restarted")))


class LocalEngine:
    """Runs the shards' E-steps in this process (the kernels use every thread)."""

    def __init__(self, corpus: CorpusArrays, shard_docs: int = SHARD_DOCS) -> None:
        self.ranges = shard_ranges(corpus.n_docs, shard_docs)
        self.shards = [corpus] if len(self.ranges) == 1 else split_corpus(corpus, shard_docs)

    def e_step(self, alpha: np.ndarray, expElogbetaT: np.ndarray, gamma: np.ndarray,
               restart: RestartBlock | np.ndarray | bool, settings: EStepSettings, *,
               out: np.ndarray | None = None) -> CorpusStep:
        """E-step of every shard, γ (D×K) updated in place; S reduced in the canonical order.

        ``out`` (V×K), when given, holds the result: it is the first shard's buffer,
        which the reduction adds every other into.
        """
        stats, elog, results = TreeReducer(), TreeReducer(), []
        for i, (shard, (lo, hi)) in enumerate(zip(self.shards, self.ranges, strict=True)):
            interrupts.check()
            result = estep_shard(shard, rows_of(alpha, lo, hi), expElogbetaT, gamma[lo:hi],
                                 restart_rows(restart, lo, hi), settings,
                                 out=out if i == 0 else None)
            stats.push(result.statsT)
            elog.push(result.elogtheta)
            result.statsT = None               # held by the reducer now
            results.append(result)
        return assemble(results, stats.result(), elog.result())

    def sync_gamma(self, gamma: np.ndarray) -> None:
        """γ is the caller's own array, updated in place: nothing to fetch."""
