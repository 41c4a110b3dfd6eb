"""Corpora sampled from the LDA generative model, for tests that know the truth.

Not a test module: ``generate_lda_corpus`` is imported by the engine tests.

Generative model (MATH.md, "Model"), shapes D documents, V words, K topics:

    β_k ~ Dir(η)               (or the given K×V β)
    θ_d ~ Dir(α)
    N_d ~ Poisson(doc_length), at least 1
    n_d· ~ Multinomial(N_d, θ_d @ β)    (the z_dn summed out)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_BLOCK_CELLS = 1 << 22  # documents are sampled in blocks of at most this many D×V cells


def _dirichlet_rows(rng: np.random.Generator, conc: np.ndarray, n: int) -> np.ndarray:
    """n draws from Dir(conc), robust to tiny concentrations (no all-zero or NaN rows)."""
    g = rng.gamma(np.broadcast_to(conc, (n, conc.shape[0])), 1.0)
    total = g.sum(axis=1, keepdims=True)
    bad = total[:, 0] <= 0                       # every gamma underflowed: redraw as one-hot
    if np.any(bad):
        g[bad] = 0.0
        g[bad, rng.choice(conc.shape[0], size=int(bad.sum()), p=conc / conc.sum())] = 1.0
        total = g.sum(axis=1, keepdims=True)
    return g / total


def generate_lda_corpus(rng: np.random.Generator, n_docs: int, n_words: int, k: int,
                        alpha: float | np.ndarray, eta_or_beta: float | np.ndarray, *,
                        doc_length: float = 80.0
                        ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Sample a corpus from LDA; returns ``(X, beta, theta)``.

    ``X``: D×V float64 CSR counts (canonical). ``beta``: K×V true topics (rows
    sum to 1), drawn from Dir(η) when ``eta_or_beta`` is a scalar or a length-V
    vector, else taken as given (K×V). ``theta``: D×K true proportions, drawn
    from Dir(α) (``alpha`` a scalar or a length-K vector). Document lengths are
    Poisson(``doc_length``), at least 1.
    """
    alpha = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (k,)).copy()
    given = np.asarray(eta_or_beta, dtype=np.float64)
    if given.ndim == 2:
        if given.shape != (k, n_words):
            raise ValueError(f"beta must be {k}×{n_words}, got {given.shape}")
        beta = given / given.sum(axis=1, keepdims=True)
    else:
        eta = np.broadcast_to(given, (n_words,)).copy()
        beta = _dirichlet_rows(rng, eta, k)
    theta = _dirichlet_rows(rng, alpha, n_docs)
    lengths = np.maximum(rng.poisson(doc_length, size=n_docs), 1)
    block = max(1, _BLOCK_CELLS // max(n_words, 1))             # bounded dense scratch
    pieces = []
    for lo in range(0, n_docs, block):
        probs = theta[lo:lo + block] @ beta                     # rows: θ_d @ β
        probs /= probs.sum(axis=1, keepdims=True)
        counts = rng.multinomial(lengths[lo:lo + block], probs)  # one draw per document
        pieces.append(sp.csr_matrix(counts.astype(np.float64)))
    X = sp.vstack(pieces, format="csr") if pieces else sp.csr_matrix((0, n_words))
    X.sort_indices()
    return X, beta, theta


PLANTED_K, PLANTED_V = 3, 60


def block_topics(k: int, n_words: int, own: int = 20) -> np.ndarray:
    """K×V planted topics that each own a block of ``own`` words (weight 1 there, 1e-3
    elsewhere, unnormalized: :func:`generate_lda_corpus` normalizes them)."""
    beta = np.full((k, n_words), 1e-3)
    for t in range(k):
        beta[t, t * own:(t + 1) * own] = 1.0
    return beta


def word(v: int) -> str:
    """A distinct alphabetic word per id, never a stopword ("zqaa", "zqab", ...)."""
    return "zq" + chr(ord("a") + v // 26) + chr(ord("a") + v % 26)


def planted_texts(seed: int = 0, n_docs: int = 160, k: int = PLANTED_K, n_words: int = PLANTED_V,
                  doc_length: float = 60.0) -> list[str]:
    """Documents sampled from LDA (few topics, peaked β), one string each."""
    rng = np.random.default_rng(seed)
    X, _, _ = generate_lda_corpus(rng, n_docs, n_words, k, 0.1, 0.05, doc_length=doc_length)
    return _shuffled_texts(X, rng)


def planted_prevalence(t: np.ndarray) -> np.ndarray:
    """E[θ | t] of :func:`generate_covariate_corpus`, t in [0, 1] (N×3): a rising topic,
    a falling one and one that peaks in the middle."""
    logits = np.stack([2.0 * t - 1.0, 1.0 - 2.0 * t, 1.2 - 8.0 * (t - 0.5) ** 2], axis=1)
    a = np.exp(logits)
    return a / a.sum(axis=1, keepdims=True)


def generate_covariate_corpus(rng: np.random.Generator, n_docs: int = 1500,
                              n_words: int = 300, concentration: float = 1.5,
                              doc_length: float = 80.0):
    """A corpus whose topic prevalence follows a known function of a date.

    Returns ``(X, beta, dates, t)``: D×V CSR counts, the 3×V true topics (disjoint
    blocks of words, lightly mixed), the D dates (datetime64[D], uniform over
    1988–1990) and t, their position in [0, 1]. θ_d ~ Dir(c · E[θ | t_d]).
    """
    k = 3
    t = rng.random(n_docs)
    start = np.datetime64("1988-01-01")
    span = (np.datetime64("1990-12-31") - start).astype(np.int64)
    dates = start + np.round(t * span).astype("timedelta64[D]")
    t = (dates - start).astype(np.int64) / span
    block = n_words // k
    beta = np.full((k, n_words), 0.02 / n_words)
    for j in range(k):
        beta[j, j * block:(j + 1) * block] += 1.0 / block
    beta /= beta.sum(axis=1, keepdims=True)
    mean = planted_prevalence(t)
    theta = np.vstack([_dirichlet_rows(rng, concentration * k * mean[d], 1)
                       for d in range(n_docs)])
    lengths = np.maximum(rng.poisson(doc_length, size=n_docs), 1)
    probs = theta @ beta
    counts = rng.multinomial(lengths, probs / probs.sum(axis=1, keepdims=True))
    X = sp.csr_matrix(counts.astype(np.float64))
    X.sort_indices()
    return X, beta, dates, t


CLOSE_V = 240
CLOSE_OWN = (range(30, 45), range(45, 60))   # the words only planted topic 0, resp. 1, use


def close_topics_corpus(seed: int = 3, n_docs: int = 600, shared: float = 0.8
                        ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Five planted topics, two of them close: ``(X, beta)`` (D×240 counts, 5×240).

    Topics 0 and 1 put ``shared`` of their mass evenly on the same 30 words
    (0-29) and the rest evenly on 15 words of their own (``CLOSE_OWN``);
    topics 2-4 each hold a block of 50 words of their own (60-209) with
    Dir(1) weights. Words 210-239 are rare (mass 1e-4 in every topic).
    """
    rng = np.random.default_rng(seed)
    beta = np.full((5, CLOSE_V), 1e-4)
    beta[:2, 0:30] = shared / 30
    for k, own in enumerate(CLOSE_OWN):
        beta[k, own.start:own.stop] = (1.0 - shared) / len(own)
    for k in range(2, 5):
        lo = 60 + (k - 2) * 50
        beta[k, lo:lo + 50] = rng.dirichlet(np.ones(50))
    X, beta, _ = generate_lda_corpus(rng, n_docs, CLOSE_V, 5, 0.3, beta, doc_length=60)
    return X, beta


def counts_to_texts(X: sp.csr_matrix, seed: int = 0) -> list[str]:
    """Each row of counts as a document of :func:`word` tokens, in random order."""
    return _shuffled_texts(X, np.random.default_rng(seed))


def _shuffled_texts(X: sp.csr_matrix, rng: np.random.Generator) -> list[str]:
    """Each row of counts as :func:`word` tokens, shuffled by ``rng`` (row by row)."""
    texts = []
    for d in range(X.shape[0]):
        row = X.getrow(d)
        tokens = [word(v) for v, c in zip(row.indices, row.data, strict=True)
                  for _ in range(int(c))]
        rng.shuffle(tokens)
        texts.append(" ".join(tokens))
    return texts
