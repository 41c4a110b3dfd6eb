"""The report's numerics: pure functions over a fitted model's arrays.

Shapes: D documents, V words (the vocabulary), K topics.

- :func:`js_distance`: Jensen–Shannon distances between the topics (K×K);
- :func:`classical_mds`: Torgerson's classical multidimensional scaling of a
  distance matrix (the intertopic map);
- :func:`relevance` and :func:`rank_terms`: the relevance of Sievert & Shirley
  (2014), ``λ log p(w|k) + (1 − λ) log(p(w|k) / p(w))``;
- :func:`candidate_terms`: for each topic the words that reach its top N for
  some λ on a grid (the page's slider ranks these, in JavaScript);
- :func:`word_counts`: each word's count in the training corpus, ``Σ_k (λ_kw − η)``;
- :func:`representative_docs`: each topic's documents of highest θ_dk;
- :func:`topic_colors`: one colour per topic, shared by the page and the plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["js_distance", "classical_mds", "relevance", "rank_terms", "candidate_terms",
           "word_counts", "topic_colors", "representative_docs", "LAMBDA_GRID",
           "DOCS_PER_TOPIC"]

#: The λ values at which each topic's top terms are taken into its candidate set.
LAMBDA_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)
#: Representative documents shown per topic.
DOCS_PER_TOPIC = 8


def js_distance(P: np.ndarray) -> np.ndarray:
    """Jensen–Shannon distances between the rows of P (K×V distributions): K×K.

    The distance is √JSD with JSD in bits, so it lies in [0, 1]: 0 for identical
    topics, 1 for topics with disjoint words. Symmetric, zero on the diagonal.
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError("js_distance expects a K×V matrix of distributions")
    P = P / P.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log2(P), 0.0)
    neg_entropy = plogp.sum(axis=1)                       # −H(P_k)
    K = P.shape[0]
    D = np.zeros((K, K))
    for i in range(K - 1):
        M = 0.5 * (P[i] + P[i + 1:])                      # (K−i−1)×V
        with np.errstate(divide="ignore", invalid="ignore"):
            mlogm = np.where(M > 0, M * np.log2(M), 0.0).sum(axis=1)
        jsd = 0.5 * (neg_entropy[i] + neg_entropy[i + 1:]) - mlogm   # H(M) − mean H(P)
        D[i, i + 1:] = np.sqrt(np.clip(jsd, 0.0, 1.0))
    return D + D.T


def classical_mds(D: np.ndarray, dim: int = 2) -> np.ndarray:
    """Classical (Torgerson) MDS: K×dim coordinates whose distances approximate D.

    B = −½ J D² J with J the centring matrix; the coordinates are the top ``dim``
    eigenvectors of B scaled by the square roots of their eigenvalues (negative
    eigenvalues, from non-Euclidean distances, count as 0). Exact, up to rotation
    and reflection, when D is Euclidean in ``dim`` dimensions. Each axis is oriented
    so that its largest coordinate in absolute value is positive (deterministic).
    """
    D = np.asarray(D, dtype=np.float64)
    K = D.shape[0]
    if D.shape != (K, K):
        raise ValueError("classical_mds expects a square distance matrix")
    coords = np.zeros((K, dim))
    if K < 2:
        return coords
    J = np.eye(K) - 1.0 / K
    B = -0.5 * J @ (D ** 2) @ J
    B = 0.5 * (B + B.T)
    values, vectors = np.linalg.eigh(B)
    order = np.argsort(values)[::-1][:dim]
    for j, idx in enumerate(order):
        axis = vectors[:, idx] * math.sqrt(max(values[idx], 0.0))
        if np.any(axis):
            axis = axis if axis[np.argmax(np.abs(axis))] >= 0 else -axis
        coords[:, j] = axis
    return coords


def relevance(p_wk: np.ndarray, p_w: np.ndarray, lam: float) -> np.ndarray:
    """Sievert & Shirley's relevance λ log p(w|k) + (1 − λ) log(p(w|k) / p(w)).

    ``p_wk``: p(w|k) (V, or K×V); ``p_w``: the words' overall probabilities (V);
    ``lam`` in [0, 1]: 1 ranks by p(w|k), 0 by lift p(w|k)/p(w).
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"relevance: λ must be in [0, 1], got {lam}")
    log_p = np.log(p_wk)
    return lam * log_p + (1.0 - lam) * (log_p - np.log(p_w))


def rank_terms(p_wk: np.ndarray, p_w: np.ndarray, lam: float, n: int | None = None
               ) -> np.ndarray:
    """Word ids of one topic by decreasing relevance (ties: higher p(w|k), then lower id)."""
    p_wk = np.asarray(p_wk, dtype=np.float64)
    rel = relevance(p_wk, p_w, lam)
    order = np.lexsort((np.arange(p_wk.size), -p_wk, -rel))
    return order if n is None else order[:n]


def candidate_terms(beta: np.ndarray, p_w: np.ndarray, n: int,
                    grid: Sequence[float] = LAMBDA_GRID,
                    order_by: np.ndarray | None = None) -> list[np.ndarray]:
    """For each topic, the word ids in its top ``n`` by relevance at some λ of ``grid``.

    Returned sorted by decreasing p(w|k) (or decreasing ``order_by``, K×V, e.g. λ,
    so that ties fall as in :meth:`LDA.top_word_ids`), then increasing id. The page
    ranks only these, so its ranking is exact at the grid's λ values (steps of 0.05
    by default) and a close approximation between them.
    """
    beta = np.asarray(beta, dtype=np.float64)
    K, V = beta.shape
    n = max(1, min(int(n), V))
    log_beta = np.log(beta)
    log_lift = log_beta - np.log(p_w)[None, :]
    chosen = [set() for _ in range(K)]
    for lam in grid:
        rel = lam * log_beta + (1.0 - lam) * log_lift
        # every word at least as relevant as the n-th: words tied with it are all kept,
        # so the page can break the tie exactly as the Python ranking does
        cutoff = np.partition(-rel, n - 1, axis=1)[:, n - 1] if n < V else np.full(K, np.inf)
        for k in range(K):
            chosen[k].update(np.flatnonzero(-rel[k] <= cutoff[k]).tolist())
    key = beta if order_by is None else np.asarray(order_by)
    out = []
    for k in range(K):
        ids = np.fromiter(chosen[k], dtype=np.int64)
        out.append(ids[np.lexsort((ids, -key[k, ids]))])
    return out


def word_counts(lam: np.ndarray, eta: float) -> np.ndarray:
    """Each word's count in the training corpus, Σ_k (λ_kw − η) (V, floats ≥ 0).

    λ_kw = η + Σ_d n_dw φ_dwk and Σ_k φ_dwk = 1, so the sum is the count n_w;
    when η was learned, λ holds the η of the last M-step but one, so the
    figure is close, not exact (clipped at a small positive floor).
    """
    counts = np.asarray(lam, dtype=np.float64).sum(axis=0) - lam.shape[0] * float(eta)
    return np.maximum(counts, 1e-3)


def topic_colors(k: int) -> list[str]:
    """K distinct colours (hex): a categorical palette up to 10, golden-angle hues beyond."""
    base = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac"]
    if k <= len(base):
        return base[:k]
    colors = []
    for i in range(k):
        hue = (i * 137.508) % 360.0
        light = (0.45, 0.58, 0.38)[i % 3]
        colors.append(_hsl_to_hex(hue, 0.62, light))
    return colors


def _hsl_to_hex(h: float, s: float, l: float) -> str:  # noqa: E741 (the usual name)
    c = (1 - abs(2 * l - 1)) * s
    x = c * (1 - abs((h / 60.0) % 2 - 1))
    m = l - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


def representative_docs(theta: np.ndarray, n: int = DOCS_PER_TOPIC) -> np.ndarray:
    """K×n row indices of the documents with the highest θ_dk, highest first (ties: lower d)."""
    theta = np.asarray(theta, dtype=np.float64)
    D, K = theta.shape
    n = max(0, min(int(n), D))
    order = np.lexsort((np.tile(np.arange(D)[:, None], (1, K)), -theta), axis=0)
    return order[:n].T.copy()

