"""Seed words as a prior on β: a K×V η (MATH.md S1), its terms of the bound, its η step, λ's start.

Glossary of shapes: K topics, V words, P seed pairs.

- ``SeedPrior.topics``, ``SeedPrior.words``: P ints, the pairs (k, w) with
  w ∈ S_k (sorted, no repeats); a word may seed several topics.
- ``strength``: s > 0, the boost of every seed pair.
- η: the base prior, a scalar; η_kw = η + s · [w ∈ S_k]                     (S1)
- ``n_seeds``: K, |S_k| (0 for a free topic).

The K×V matrix η is never built by the engine: every quantity that depends on
it is the symmetric one plus a correction over the P pairs. With n_k = |S_k|,
Σ_w η_kw = Vη + s n_k, so the prior's normalizer is

    −log B(η_k·) = log Γ(Vη + s n_k) − (V − n_k) log Γ(η) − n_k log Γ(η + s),

and the topic line of (B1) is the symmetric one plus, for each topic,
log Γ(Vη + s n_k) − log Γ(Vη) − n_k (log Γ(η + s) − log Γ(η)) + s Σ_{w∈S_k} Elogβ_kw.

Learning η keeps every boost fixed (S1): the terms of (B1) that hold η are

    f(η) = Σ_k [log Γ(Vη + s n_k) − (V − n_k) log Γ(η) − n_k log Γ(η + s)] + η Σ_kw Elogβ_kw

(+ terms free of η). f is concave (−log B is concave, and η ↦ η_k· is affine),
so Newton's method with step-halving climbs to its maximum, and with no seeds
it is the symmetric update of :func:`lda_vi.engine.hyper.newton_symmetric`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln, polygamma, psi

from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.sums import exact_sum
from lda_vi.engine.topics import TopicExpectations


def topic_terms(topics: TopicExpectations, eta: float, seeds: SeedPrior | None) -> float:
    """The β terms of (B1): with the symmetric η, or with the η_k· of (S1) when ``seeds``."""
    return topics.topic_terms(eta) if seeds is None else seeds.topic_terms(topics, eta)


def add_prior(lam: np.ndarray, eta: float, seeds: SeedPrior | None) -> None:
    """λ += η_k· in place (λ K×V, or a K×V view): (E5) from the statistics, with (S1)."""
    lam += eta
    if seeds is not None:
        seeds.add_boost(lam)


@dataclass(frozen=True, eq=False)
class SeedPrior:
    """The seed pairs (k, w) of a K×V prior (S1) and their boost ``strength``."""

    topics: np.ndarray
    words: np.ndarray
    strength: float
    n_topics: int
    n_words: int

    @classmethod
    def from_lists(cls, seeds: list[list[int]], n_topics: int, n_words: int,
                   strength: float) -> SeedPrior:
        """``seeds[k]`` lists the word ids of S_k for the first len(seeds) topics."""
        if not np.isfinite(strength) or strength <= 0:
            raise ValueError(f"seed_strength must be finite and > 0, got {strength!r}")
        if len(seeds) > n_topics:
            raise ValueError(f"k must be >= the number of seeded topics ({len(seeds)}), "
                             f"got {n_topics}")
        pairs = sorted({(k, int(w)) for k, ids in enumerate(seeds) for w in ids})
        if any(not 0 <= w < n_words for _, w in pairs):
            raise ValueError(f"seed word ids must lie in [0, {n_words})")
        topics = np.array([k for k, _ in pairs], dtype=np.int64)
        words = np.array([w for _, w in pairs], dtype=np.int64)
        return cls(topics, words, float(strength), int(n_topics), int(n_words))

    @property
    def n_seeds(self) -> np.ndarray:
        """|S_k| for every topic (K)."""
        return np.bincount(self.topics, minlength=self.n_topics).astype(np.float64)

    def eta_matrix(self, eta: float) -> np.ndarray:
        """The K×V prior η_kw = η + s [w ∈ S_k] (S1), dense: for tests and small models."""
        out = np.full((self.n_topics, self.n_words), float(eta))
        out[self.topics, self.words] += self.strength
        return out

    def add_boost(self, lam: np.ndarray) -> None:
        """λ_kw += s for every seed pair, in place (λ K×V, or a K×V view of a V×K buffer).

        With λ = η + S this gives (E5) with the matrix prior: λ_kw = η_kw + S_kw.
        """
        lam[self.topics, self.words] += self.strength

    def topic_terms(self, topics: TopicExpectations, eta: float) -> float:
        """The β terms of (B1) with the prior η_k· of (S1), from the topic pass of λ."""
        return topics.topic_terms(eta) + self.correction(topics, eta)

    def correction(self, topics: TopicExpectations, eta: float) -> float:
        """(B1) topic line with η_k· minus the line with the symmetric η (see the module doc)."""
        if self.topics.size == 0:
            return 0.0
        V, s = self.n_words, self.strength
        n = self.n_seeds
        per_topic = (gammaln(V * eta + s * n) - gammaln(V * eta)
                     - n * (gammaln(eta + s) - gammaln(eta)))
        Elogbeta = np.log(topics.expElogbetaT[self.words, self.topics])     # (E2) at seeds
        return float(exact_sum(per_topic) + s * exact_sum(Elogbeta))

    def eta_objective(self, eta: float, sum_Elogbeta: float) -> float:
        """f(η) of the module doc, with ``sum_Elogbeta`` = Σ_kw Elogβ_kw."""
        V, s, n = self.n_words, self.strength, self.n_seeds
        return float(np.sum(gammaln(V * eta + s * n) - (V - n) * gammaln(eta)
                            - n * gammaln(eta + s)) + eta * sum_Elogbeta)

    def eta_gradient(self, eta: float, sum_Elogbeta: float) -> tuple[float, float]:
        """f'(η) and f''(η)."""
        V, s, n = self.n_words, self.strength, self.n_seeds
        g = np.sum(V * psi(V * eta + s * n) - (V - n) * psi(eta) - n * psi(eta + s))
        h = np.sum(V * V * polygamma(1, V * eta + s * n) - (V - n) * polygamma(1, eta)
                   - n * polygamma(1, eta + s))
        return float(g + sum_Elogbeta), float(h)

    def learn_eta(self, eta: float, sum_Elogbeta: float, *, max_iter: int = 100,
                  tol: float = 1e-10) -> float:
        """The base η that maximizes f with every boost held fixed (S1), by Newton (H1).

        Each accepted step raises f (halved while η would leave (0, ∞) or f would fall),
        so the bound cannot decrease through this update.
        """
        eta = float(eta)
        f = self.eta_objective(eta, sum_Elogbeta)
        for _ in range(max_iter):
            g, h = self.eta_gradient(eta, sum_Elogbeta)
            step = g / h
            scale = 1.0
            while scale >= 1e-12:
                cand = eta - scale * step
                if cand > 0:
                    f_new = self.eta_objective(cand, sum_Elogbeta)
                    if f_new >= f:
                        break
                scale *= 0.5
            else:
                return eta
            eta, f = cand, f_new
            if abs(scale * step) < tol * eta:
                break
        return eta

    def init_lam(self, lam: np.ndarray, corpus: CorpusArrays) -> np.ndarray:
        """Give the seeded topics of an initial λ (K×V) the seeds' mass, in place; returns λ.

        A seeded topic does not start, as a free one does, from the counts of a
        few random documents, but from the words that come with its seeds. With
        r_dk = (tokens of S_k in d) / N_d, C_kw = Σ_d r_dk n_dw counts word w
        in documents weighted by their share of seeds, T_k = Σ_w C_kw, and
        n_w T_k / N is what C_kw would be if w did not go with the seeds:

            λ_kw = 1 + max(0, C_kw − n_w T_k / N) + s [w ∈ S_k]

        so the seeds and the words they go with hold the topic's mass (words
        common everywhere do not), and from the first E-step on each seeded
        topic is on its theme. Free topics are left as they are.
        """
        X = _counts_matrix(corpus)
        member = sp.csr_matrix((np.ones(self.words.size), (self.words, self.topics)),
                               shape=(self.n_words, self.n_topics))    # V×K, [w ∈ S_k]
        share = (X @ member).toarray() / np.maximum(corpus.doc_lengths, 1.0)[:, np.newaxis]
        together = np.asarray((X.T @ share).T)                          # K×V, C_kw
        words = np.asarray(X.sum(axis=0)).ravel()                       # V, n_w
        expected = np.outer(together.sum(axis=1) / max(words.sum(), 1.0), words)
        seeded = np.unique(self.topics)
        lam[seeded] = 1.0 + np.maximum(together[seeded] - expected[seeded], 0.0)
        self.add_boost(lam)
        return lam


def _counts_matrix(corpus: CorpusArrays) -> sp.csr_matrix:
    """The D×V counts of ``corpus`` (a view of its CSR arrays, rebased to row 0)."""
    lo = corpus.indptr[0]
    return sp.csr_matrix((corpus.data[lo:corpus.indptr[-1]],
                          corpus.indices[lo:corpus.indptr[-1]], corpus.indptr - lo),
                         shape=(corpus.n_docs, corpus.n_words))
