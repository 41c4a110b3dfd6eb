"""Evaluation of fitted topic models: held-out scoring, coherence, topic comparison.

Pure functions over arrays: no printing, no file I/O. Invalid arguments (wrong
shapes, negative counts, non-distributions) raise ``ValueError``; these are
library-level errors, the callers (model, CLI) check user input before.

Glossary of shapes
------------------
D    documents (rows of a count matrix)
V    word types (columns of a count matrix, length of a topic)
K    topics
M    top words per topic (``top_n``)
U    distinct word ids among all topics' top words (U <= K*M)
N    tokens (sum of the counts); ``nnz`` stored non-zeros of a sparse matrix

X, X_obs, X_held, X_ref   D×V ``scipy.sparse.csr_matrix`` of counts (float64)
theta_bar                 D×K, rows sum to 1 (θ̄ = γ/Σγ)
beta_bar, beta, P, Q      K×V (or A×V, B×V), rows sum to 1 (β̄ = λ/Σλ)
top_ids                   K×M int word ids, column 0 the most probable word

Equations are those of MATH.md, sections "Held-out evaluation" and "Topic
coherence".
"""

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = [
    "split_completion",
    "completion_score",
    "perplexity",
    "top_word_ids",
    "umass_coherence",
    "npmi_coherence",
    "hellinger",
    "match_topics",
    "topic_stability",
]

# Default work sizes: bounded temporaries whatever the corpus size.
_CHUNK_NNZ = 65_536  # non-zeros per chunk in completion_score (chunk×K temporaries)
_CHUNK_TOKENS = 1 << 22  # expanded tokens per chunk in split_completion
# Hellinger: below this squared distance, 1 - Σ√(pq) loses too many digits to
# cancellation, so the pair is recomputed as ½ Σ (√p − √q)² (exact 0 for p == q).
_H2_REFINE = 1e-6
_ROW_SUM_ATOL = 1e-6


# --------------------------------------------------------------------------- helpers


def _as_csr(X, name: str) -> sp.csr_matrix:
    """A canonical float64 CSR copy of ``X`` (duplicates summed, explicit zeros removed)."""
    if not sp.issparse(X):
        raise ValueError(f"{name} must be a scipy.sparse matrix, got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {X.shape}")
    X = sp.csr_matrix(X, dtype=np.float64, copy=True)
    X.sum_duplicates()
    X.eliminate_zeros()
    if not np.all(np.isfinite(X.data)):
        raise ValueError(f"{name} contains non-finite values")
    if np.any(X.data < 0):
        raise ValueError(f"{name} contains negative counts")
    return X


def _as_2d(a, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains non-finite values")
    return a


def _as_distributions(a, name: str) -> np.ndarray:
    """``a`` as a float64 2-D array whose rows are probability distributions."""
    a = _as_2d(a, name)
    if np.any(a < 0):
        raise ValueError(f"{name} has negative entries; its rows must be distributions")
    sums = a.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > _ROW_SUM_ATOL)
    if bad.size:
        raise ValueError(f"rows of {name} must sum to 1; row {bad[0]} sums to {sums[bad[0]]!r}")
    return a


# --------------------------------------------------------------------------- completion


def split_completion(
    X: sp.csr_matrix, rng: np.random.Generator, *, chunk_tokens: int = _CHUNK_TOKENS
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Split each document's tokens into two halves at random (document completion).

    MATH.md, Held-out evaluation. ``X`` is D×V counts (integer-valued). For each
    row, the observed half receives ``floor(n_d / 2)`` of the document's ``n_d``
    tokens, chosen uniformly without replacement (a multivariate hypergeometric
    draw per row); the held-out half gets the rest, so ``X_obs + X_held == X``.

    Implementation: the tokens of a block of rows are expanded (one entry per
    token, at most ``chunk_tokens`` per block unless a single row is longer),
    each gets a uniform random key, and the ``floor(n_d/2)`` smallest keys of
    each row are observed, i.e. a uniform random permutation of the row's
    tokens. Never builds a dense D×V array. Deterministic for a given ``rng``
    state (and ``chunk_tokens``, a keyword for tests).

    Returns ``(X_obs, X_held)``, both canonical float64 CSR of X's shape.
    """
    X = _as_csr(X, "X")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be >= 1, got {chunk_tokens}")
    counts = X.data.astype(np.int64)
    if np.any(counts != X.data):
        raise ValueError("X must hold integer-valued counts")

    D = X.shape[0]
    indptr = X.indptr.astype(np.int64)
    tok_cum = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=tok_cum[1:])
    tok_ptr = tok_cum[indptr]  # token offset of each row, length D+1
    n_d = np.diff(tok_ptr)
    half = n_d // 2

    obs = np.zeros(counts.size, dtype=np.int64)
    r0 = 0
    while r0 < D:
        r1 = int(np.searchsorted(tok_ptr, tok_ptr[r0] + chunk_tokens, side="right")) - 1
        r1 = min(max(r1, r0 + 1), D)
        a, b = indptr[r0], indptr[r1]
        c = counts[a:b]
        n_tok = int(tok_ptr[r1] - tok_ptr[r0])
        if n_tok:
            tok_nnz = np.repeat(np.arange(b - a), c)  # non-zero (within block) of each token
            tok_row = np.repeat(np.arange(r0, r1), n_d[r0:r1])  # sorted by construction
            keys = rng.random(n_tok)
            order = np.lexsort((keys, tok_row))  # rows kept together, random order within
            # After sorting, position p still belongs to row tok_row[p]; its rank in the row:
            rank = np.arange(n_tok) - (tok_ptr[tok_row] - tok_ptr[r0])
            chosen = order[rank < half[tok_row]]
            obs[a:b] = np.bincount(tok_nnz[chosen], minlength=b - a)
        r0 = r1

    held = counts - obs

    def build(vals: np.ndarray) -> sp.csr_matrix:
        M = sp.csr_matrix(
            (vals.astype(np.float64), X.indices.copy(), X.indptr.copy()), shape=X.shape
        )
        M.eliminate_zeros()
        M.has_sorted_indices = True
        return M

    return build(obs), build(held)


def completion_score(
    X_held: sp.csr_matrix,
    theta_bar: np.ndarray,
    beta_bar: np.ndarray,
    *,
    chunk_nnz: int = _CHUNK_NNZ,
) -> float:
    """Held-out log likelihood ``Σ_d Σ_w n_dw log Σ_k θ̄_dk β̄_kw``.

    MATH.md, Held-out evaluation (document completion). Sums over the non-zeros
    of ``X_held`` (D×V); ``theta_bar`` is D×K and ``beta_bar`` K×V, rows summing
    to 1 (not checked here: the caller normalizes γ and λ). The non-zeros are
    processed in consecutive slices of at most ``chunk_nnz`` (a row may span
    several slices), so the largest temporary is chunk_nnz×K, never nnz×K or
    D×V. A held-out word with zero predicted probability gives ``-inf``.
    """
    X = _as_csr(X_held, "X_held")
    theta = _as_2d(theta_bar, "theta_bar")
    beta = _as_2d(beta_bar, "beta_bar")
    D, V = X.shape
    if theta.shape[0] != D:
        raise ValueError(f"theta_bar has {theta.shape[0]} rows but X_held has {D} documents")
    if beta.shape[1] != V:
        raise ValueError(f"beta_bar has {beta.shape[1]} columns but X_held has {V} words")
    if theta.shape[1] != beta.shape[0]:
        raise ValueError(f"theta_bar has {theta.shape[1]} topics but beta_bar has {beta.shape[0]}")
    if chunk_nnz < 1:
        raise ValueError(f"chunk_nnz must be >= 1, got {chunk_nnz}")

    beta_t = np.ascontiguousarray(beta.T)  # V×K: one contiguous row per word
    indptr = X.indptr
    total = 0.0
    with np.errstate(divide="ignore"):
        for s in range(0, X.nnz, chunk_nnz):
            e = min(s + chunk_nnz, X.nnz)
            rows = np.searchsorted(indptr, np.arange(s, e), side="right") - 1
            # MATH.md, Held-out evaluation: p_dw = Σ_k θ̄_dk β̄_kw
            p = np.einsum("nk,nk->n", theta[rows], beta_t[X.indices[s:e]])
            total += float(np.dot(X.data[s:e], np.log(p)))
    return total


def perplexity(score: float, n_tokens: float) -> float:
    """``exp(-score / n_tokens)`` (MATH.md, Held-out evaluation); ``nan`` if ``n_tokens == 0``."""
    if n_tokens < 0:
        raise ValueError(f"n_tokens must be >= 0, got {n_tokens}")
    if n_tokens == 0:
        return float("nan")
    return float(np.exp(-score / n_tokens))


# --------------------------------------------------------------------------- coherence


def top_word_ids(beta: np.ndarray, top_n: int) -> np.ndarray:
    """K×M array of the ``top_n`` most probable word ids of each topic, highest first.

    Ties are broken by the lower word id (as a stable sort of ``-beta`` would).
    Uses a partition per topic, then sorts only the candidates, so the cost is
    O(K·V) rather than O(K·V log V).
    """
    beta = _as_2d(beta, "beta")
    K, V = beta.shape
    top_n = int(top_n)
    if not 1 <= top_n <= V:
        raise ValueError(f"top_n must be between 1 and V={V}, got {top_n}")
    out = np.empty((K, top_n), dtype=np.int64)
    for k in range(K):
        row = beta[k]
        threshold = np.partition(row, V - top_n)[V - top_n]  # the top_n-th largest value
        cand = np.flatnonzero(row >= threshold)  # ascending ids, ties included
        out[k] = cand[np.argsort(-row[cand], kind="stable")[:top_n]]
    return out


def _cooccurrence(top_ids, X_ref, name: str = "X_ref"):
    """Validate and return ``(idx, C, n_docs)``.

    ``idx`` is K×M positions into the U distinct top words, ``C`` the U×U dense
    co-document counts (diagonal: document frequencies) over ``X_ref`` from a
    binarized D×U sparse matrix B: ``C = Bᵀ B``.
    """
    top = np.asarray(top_ids)
    if top.ndim != 2:
        raise ValueError(f"top_ids must be a 2-D K×M array, got shape {top.shape}")
    if top.size and not np.issubdtype(top.dtype, np.integer):
        raise ValueError(f"top_ids must hold integer word ids, got dtype {top.dtype}")
    if top.shape[1] < 2:
        raise ValueError(f"coherence needs at least 2 top words per topic, got {top.shape[1]}")
    if not sp.issparse(X_ref) or X_ref.ndim != 2:
        raise ValueError(f"{name} must be a 2-D scipy.sparse matrix")
    D, V = X_ref.shape
    if D == 0:
        raise ValueError(f"{name} has no documents; coherence needs a reference corpus")
    if top.size and (top.min() < 0 or top.max() >= V):
        raise ValueError(f"top_ids must be word ids in [0, {V}), the columns of {name}")
    s = np.sort(top, axis=1)
    if np.any(s[:, 1:] == s[:, :-1]):
        raise ValueError("top_ids has a repeated word id within a topic")
    U, inv = np.unique(top, return_inverse=True)
    idx = inv.reshape(top.shape)
    B = sp.csr_matrix(X_ref)[:, U]
    B = sp.csr_matrix(B > 0, dtype=np.float64)  # binarize: word present in document
    C = (B.T @ B).toarray()  # U×U co-document counts, exact integers in float64
    return idx, C, D


def umass_coherence(top_ids: np.ndarray, X_ref: sp.csr_matrix) -> np.ndarray:
    """Per-topic UMass coherence (Mimno et al. 2011), shape (K,).

    MATH.md, Topic coherence: ``Σ_{i<j} log((D(w_i, w_j) + 1) / D(w_j))`` with
    w_j ranked above w_i; for top words v_1..v_M (v_1 the most probable) this is
    ``Σ_{m=2..M} Σ_{l<m} log((D(v_m, v_l) + 1) / D(v_l))``. D(w) is the number of
    documents of ``X_ref`` (D×V, entries > 0 count as present) containing w and
    D(w, w') the number containing both.

    Convention: a conditioning word v_l absent from the reference corpus
    (D(v_l) = 0) makes its terms undefined; those pairs are skipped (they add
    0). Pairs whose lower-ranked word v_m is absent are kept (log(1/D(v_l))).
    """
    idx, C, _ = _cooccurrence(top_ids, X_ref)
    K, M = idx.shape
    below, above = np.tril_indices(M, k=-1)  # pairs (m, l), m > l: v_m ranked below v_l
    wm, wl = idx[:, below], idx[:, above]  # K×P positions of v_m and v_l
    joint = C[wm, wl]
    df_l = C[wl, wl]
    ok = df_l > 0
    # MATH.md, Topic coherence (UMass)
    terms = np.where(ok, np.log((joint + 1.0) / np.where(ok, df_l, 1.0)), 0.0)
    return terms.sum(axis=1)


def npmi_coherence(top_ids: np.ndarray, X_ref: sp.csr_matrix) -> np.ndarray:
    """Per-topic mean NPMI over the M(M-1)/2 pairs of top words (Bouma 2009), shape (K,).

    MATH.md, Topic coherence:
    ``NPMI(w_i, w_j) = log(P(w_i, w_j) / (P(w_i) P(w_j))) / -log P(w_i, w_j)``, with
    P estimated as document frequencies over ``X_ref`` (entries > 0 count as
    present) divided by its number of documents D. Symmetric in the pair, so
    the rank order does not matter.

    Conventions at the limits: ``P(w_i, w_j) = 0`` (never co-occur, including a
    word absent from the corpus) gives NPMI = -1; ``P(w_i, w_j) = 1`` (both in
    every document, where the formula is 0/0) gives NPMI = 1.
    """
    idx, C, D = _cooccurrence(top_ids, X_ref)
    K, M = idx.shape
    i, j = np.triu_indices(M, k=1)
    wi, wj = idx[:, i], idx[:, j]
    p_ij = C[wi, wj] / D
    p_i = C[wi, wi] / D
    p_j = C[wj, wj] / D
    inner = (p_ij > 0) & (p_ij < 1)
    safe_ij = np.where(inner, p_ij, 0.5)
    # MATH.md, Topic coherence (NPMI)
    npmi = np.log(safe_ij / (np.where(inner, p_i * p_j, 0.25))) / -np.log(safe_ij)
    npmi = np.where(p_ij <= 0, -1.0, np.where(p_ij >= 1, 1.0, npmi))
    return npmi.mean(axis=1)


# --------------------------------------------------------------------------- topic comparison


def hellinger(P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Pairwise Hellinger distances between the rows of P (A×V) and Q (B×V): A×B in [0, 1].

    ``H(p, q) = sqrt(1 - Σ_v sqrt(p_v q_v))`` via ``sqrt(P) @ sqrt(Q).T``, clipped at 0.
    Rows must be distributions (non-negative, summing to 1 within 1e-6). Pairs
    closer than ~1e-3 are recomputed as ``sqrt(½ Σ_v (√p_v − √q_v)²)`` (the same
    quantity for normalized rows), which avoids the cancellation in ``1 - Σ``:
    identical rows give exactly 0.
    """
    P = _as_distributions(P, "P")
    Q = _as_distributions(Q, "Q")
    if P.shape[1] != Q.shape[1]:
        raise ValueError(
            f"P and Q must have the same number of columns (words), got {P.shape[1]} "
            f"and {Q.shape[1]}"
        )
    sP, sQ = np.sqrt(P), np.sqrt(Q)
    h2 = 1.0 - sP @ sQ.T
    rows, cols = np.nonzero(h2 < _H2_REFINE)
    for i in np.unique(rows):
        js = cols[rows == i]
        diff = sP[i][None, :] - sQ[js]
        h2[i, js] = 0.5 * np.einsum("jv,jv->j", diff, diff)
    return np.sqrt(np.clip(h2, 0.0, 1.0))


def match_topics(P: np.ndarray, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match the rows of P to the rows of Q (both K×V distributions), one to one.

    Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) minimizing
    the total Hellinger distance. Returns ``(perm, dist)``, both length K:
    ``Q[perm[i]]`` is matched to ``P[i]``, at Hellinger distance ``dist[i]``.
    """
    P = np.asarray(P)
    Q = np.asarray(Q)
    if P.ndim != 2 or P.shape != Q.shape:
        raise ValueError(
            f"P and Q must be K×V arrays of the same shape, got {P.shape} and {Q.shape}"
        )
    H = hellinger(P, Q)
    from scipy.optimize import linear_sum_assignment  # ~0.5 s to import: only when used

    rows, perm = linear_sum_assignment(H)
    # rows is 0..K-1 in order for a square matrix
    return perm.astype(np.int64), H[rows, perm]


def topic_stability(betas: Sequence[np.ndarray]) -> float:
    """Agreement of the topics of several runs, in [0, 1] (1 = same topics up to permutation).

    For every pair of runs i < j (each K×V, rows summing to 1), topics are
    matched one to one by ``match_topics``; the pair's similarity is the mean of
    ``1 - Hellinger`` over matched topics. Returns the mean over pairs, ``nan``
    with fewer than 2 runs.
    """
    betas = [np.asarray(b, dtype=np.float64) for b in betas]
    if len(betas) < 2:
        return float("nan")
    shape = betas[0].shape
    for r, b in enumerate(betas):
        if b.ndim != 2 or b.shape != shape:
            raise ValueError(
                f"all runs must have the same K×V shape; run 0 is {shape}, run {r} is {b.shape}"
            )
    sims = []
    for i in range(len(betas)):
        for j in range(i + 1, len(betas)):
            _, dist = match_topics(betas[i], betas[j])
            sims.append(1.0 - float(dist.mean()))
    return float(np.mean(sims))
