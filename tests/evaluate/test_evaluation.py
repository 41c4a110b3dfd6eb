"""Mathematical tests of lda_vi.evaluate.metrics (MATH.md, Held-out evaluation, coherence)."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.evaluate.metrics import (
    completion_score,
    hellinger,
    match_topics,
    npmi_coherence,
    perplexity,
    split_completion,
    top_word_ids,
    topic_stability,
    umass_coherence,
)


def random_counts(rng, D=40, V=30, density=0.3, max_count=6, empty_rows=(0, 7)):
    A = rng.integers(1, max_count + 1, size=(D, V)) * (rng.random((D, V)) < density)
    for r in empty_rows:
        A[r] = 0
    return sp.csr_matrix(A.astype(np.float64))


def dirichlet_rows(rng, n, dim, conc=0.3):
    return rng.dirichlet(np.full(dim, conc), size=n)


# --------------------------------------------------------------------------- split_completion


def test_split_partitions_each_document_in_halves():
    X = random_counts(np.random.default_rng(0))
    X_obs, X_held = split_completion(X, np.random.default_rng(1))
    assert (X_obs + X_held != X).nnz == 0
    for M in (X_obs, X_held):
        assert isinstance(M, sp.csr_matrix)
        assert M.dtype == np.float64 and M.shape == X.shape
        assert M.has_canonical_format
        assert np.all(M.data > 0)  # no negatives, no explicit zeros
        assert np.all(M.data == np.round(M.data))
    n_d = np.asarray(X.sum(axis=1)).ravel()
    obs_d = np.asarray(X_obs.sum(axis=1)).ravel()
    np.testing.assert_array_equal(obs_d, np.floor(n_d / 2))
    assert obs_d[0] == 0 and obs_d[7] == 0  # empty rows stay empty


def test_split_with_small_token_chunks_still_partitions():
    X = random_counts(np.random.default_rng(2), D=25)
    for chunk in (1, 5, 37):
        X_obs, X_held = split_completion(X, np.random.default_rng(3), chunk_tokens=chunk)
        assert (X_obs + X_held != X).nnz == 0
        np.testing.assert_array_equal(
            np.asarray(X_obs.sum(axis=1)).ravel(), np.floor(np.asarray(X.sum(axis=1)).ravel() / 2)
        )


def test_split_is_deterministic_per_seed():
    X = random_counts(np.random.default_rng(4))
    a_obs, _ = split_completion(X, np.random.default_rng(5))
    b_obs, _ = split_completion(X, np.random.default_rng(5))
    c_obs, _ = split_completion(X, np.random.default_rng(6))
    assert (a_obs != b_obs).nnz == 0
    assert (a_obs != c_obs).nnz > 0


def test_split_accepts_non_canonical_input_and_empty_corpus():
    # duplicate entries and an explicit zero
    X = sp.csr_matrix(
        (np.array([1.0, 2.0, 0.0, 3.0]), np.array([1, 1, 2, 0]), np.array([0, 3, 4])),
        shape=(2, 3),
    )
    X_obs, X_held = split_completion(X, np.random.default_rng(0))
    np.testing.assert_array_equal((X_obs + X_held).toarray(), [[0, 3, 0], [3, 0, 0]])
    np.testing.assert_array_equal(np.asarray(X_obs.sum(axis=1)).ravel(), [1, 1])
    E = sp.csr_matrix((3, 4))
    E_obs, E_held = split_completion(E, np.random.default_rng(0))
    assert E_obs.nnz == 0 and E_held.nnz == 0 and E_obs.shape == (3, 4)


def test_split_is_uniform_over_tokens():
    # A document with one token of word 0 and one of word 1: floor(2/2) = 1 observed
    # token, word 0 with probability 1/2. Another document with counts (1, 3): one of
    # four tokens observed... floor(4/2) = 2 observed; P(word 0 observed) = 2/4.
    # Expected observed count of word w is n_dw * floor(n_d/2) / n_d (hypergeometric mean).
    X = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [1.0, 3.0, 0.0], [2.0, 1.0, 4.0]]))
    trials = 4000
    seeds = np.random.SeedSequence(1234).spawn(trials)
    total = np.zeros(X.shape)
    for s in seeds:
        X_obs, _ = split_completion(X, np.random.default_rng(s))
        total += X_obs.toarray()
    mean = total / trials
    n_d = X.toarray().sum(axis=1, keepdims=True)
    expected = X.toarray() * np.floor(n_d / 2) / n_d
    # Each indicator/count has standard deviation <= 2; 4000 trials -> s.e. <= 0.032.
    np.testing.assert_allclose(mean, expected, atol=0.12)
    assert abs(mean[0, 0] - 0.5) < 0.05  # 1 of 2 tokens observed ~ half the time


def test_split_rejects_bad_counts():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="integer"):
        split_completion(sp.csr_matrix(np.array([[0.5, 1.0]])), rng)
    with pytest.raises(ValueError, match="negative"):
        split_completion(sp.csr_matrix(np.array([[-1.0, 1.0]])), rng)
    with pytest.raises(ValueError, match="sparse"):
        split_completion(np.ones((2, 2)), rng)


# --------------------------------------------------------------------------- completion_score


def reference_score(X, theta, beta):
    A = X.toarray()
    total = 0.0
    for d in range(A.shape[0]):
        for w in range(A.shape[1]):
            n = A[d, w]
            if n:
                total += n * math.log(sum(theta[d, k] * beta[k, w] for k in range(theta.shape[1])))
    return total


@pytest.mark.parametrize("chunk_nnz", [1, 3, 17, 65_536])
def test_completion_score_matches_double_loop(chunk_nnz):
    rng = np.random.default_rng(7)
    X = random_counts(rng, D=30, V=25, density=0.5)
    K = 4
    theta = dirichlet_rows(rng, 30, K, 1.0)
    beta = dirichlet_rows(rng, K, 25, 0.5)
    # chunk sizes 3 and 17 make most rows (about 12 non-zeros each) span several chunks
    got = completion_score(X, theta, beta, chunk_nnz=chunk_nnz)
    ref = reference_score(X, theta, beta)
    assert got == pytest.approx(ref, rel=1e-10)


def test_completion_score_shape_errors():
    X = sp.csr_matrix(np.ones((3, 5)))
    th = np.full((3, 2), 0.5)
    be = np.full((2, 5), 0.2)
    with pytest.raises(ValueError, match="theta_bar has 4 rows"):
        completion_score(X, np.full((4, 2), 0.5), be)
    with pytest.raises(ValueError, match="beta_bar has 6 columns"):
        completion_score(X, th, np.full((2, 6), 1 / 6))
    with pytest.raises(ValueError, match="topics"):
        completion_score(X, th, np.full((3, 5), 0.2))
    assert completion_score(sp.csr_matrix((3, 5)), th, be) == 0.0


def test_uniform_model_has_perplexity_V():
    rng = np.random.default_rng(8)
    V, K = 37, 5
    X = random_counts(rng, D=20, V=V)
    theta = np.full((20, K), 1 / K)
    beta = np.full((K, V), 1 / V)
    score = completion_score(X, theta, beta)
    assert perplexity(score, X.sum()) == pytest.approx(V, rel=1e-12)


def test_perplexity_edge_cases():
    assert math.isnan(perplexity(0.0, 0))
    assert perplexity(0.0, 10) == 1.0
    assert perplexity(-10 * math.log(4), 10) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        perplexity(1.0, -1)


# --------------------------------------------------------------------------- top words


def test_top_word_ids_order_and_ties():
    beta = np.array(
        [
            [0.1, 0.3, 0.1, 0.3, 0.2],
            [0.2, 0.2, 0.2, 0.2, 0.2],
            [0.0, 0.0, 0.5, 0.0, 0.5],
        ]
    )
    np.testing.assert_array_equal(top_word_ids(beta, 3), [[1, 3, 4], [0, 1, 2], [2, 4, 0]])
    np.testing.assert_array_equal(top_word_ids(beta, 5)[0], [1, 3, 4, 0, 2])
    rng = np.random.default_rng(9)
    b = dirichlet_rows(rng, 6, 50)
    np.testing.assert_array_equal(top_word_ids(b, 7), np.argsort(-b, axis=1, kind="stable")[:, :7])
    with pytest.raises(ValueError):
        top_word_ids(beta, 6)
    with pytest.raises(ValueError):
        top_word_ids(beta, 0)


# --------------------------------------------------------------------------- coherence

# 8 documents × 10 words. Word 0 is in every document; words 8 and 9 never co-occur;
# word 7 appears in no document.
DOCS = [
    [0, 1, 2, 8],
    [0, 1, 3],
    [0, 2, 3, 8],
    [0, 1, 2, 4, 5],
    [0, 4, 5, 9],
    [0, 4, 6, 9],
    [0, 5, 6],
    [0, 1, 6, 9],
]


def ref_corpus():
    A = np.zeros((len(DOCS), 10))
    for d, ws in enumerate(DOCS):
        A[d, ws] = np.arange(1, len(ws) + 1)  # counts > 1 must not matter
    return sp.csr_matrix(A)


def doc_freq(w):
    return sum(w in ws for ws in DOCS)


def co_doc_freq(w1, w2):
    return sum(w1 in ws and w2 in ws for ws in DOCS)


def ref_umass(top):
    out = []
    for row in top:
        s = 0.0
        for m in range(1, len(row)):
            for up in range(m):  # up < m: row[up] is ranked above row[m]
                if doc_freq(row[up]) == 0:
                    continue
                s += math.log((co_doc_freq(row[m], row[up]) + 1) / doc_freq(row[up]))
        out.append(s)
    return np.array(out)


def ref_npmi(top):
    D = len(DOCS)
    out = []
    for row in top:
        vals = []
        for i in range(len(row)):
            for j in range(i + 1, len(row)):
                pij = co_doc_freq(row[i], row[j]) / D
                pi, pj = doc_freq(row[i]) / D, doc_freq(row[j]) / D
                if pij == 0:
                    vals.append(-1.0)
                elif pij == 1:
                    vals.append(1.0)
                else:
                    vals.append(math.log(pij / (pi * pj)) / -math.log(pij))
        out.append(sum(vals) / len(vals))
    return np.array(out)


TOP = np.array(
    [
        [1, 2, 0, 3],  # word 0 in every document
        [8, 9, 4, 5],  # 8 and 9 never co-occur
        [6, 7, 9, 4],  # 7 appears nowhere: UMass pairs conditioned on it are skipped
    ]
)


def test_umass_matches_double_loop():
    got = umass_coherence(TOP, ref_corpus())
    assert got.shape == (3,)
    np.testing.assert_allclose(got, ref_umass(TOP), rtol=1e-12, atol=1e-12)
    # hand check of one pair: topic 1, m=2 (v=9), l=1 (v=8): log((0+1)/D(8)) = log(1/2)
    assert co_doc_freq(9, 8) == 0 and doc_freq(8) == 2


def test_umass_depends_on_rank_order():
    swapped = TOP[:, [1, 0, 2, 3]]
    a = umass_coherence(TOP, ref_corpus())
    b = umass_coherence(swapped, ref_corpus())
    np.testing.assert_allclose(b, ref_umass(swapped), rtol=1e-12, atol=1e-12)
    assert not np.isclose(a[0], b[0])  # D(1)=4 and D(2)=3: the conditioning word matters


def test_npmi_matches_double_loop_and_conventions():
    got = npmi_coherence(TOP, ref_corpus())
    assert got.shape == (3,)
    np.testing.assert_allclose(got, ref_npmi(TOP), rtol=1e-12, atol=1e-12)
    # symmetric in the pair: rank order does not matter
    np.testing.assert_allclose(npmi_coherence(TOP[:, ::-1], ref_corpus()), got, rtol=1e-12)
    # two words present in every document: P = 1 -> NPMI = 1 by convention
    X = sp.csr_matrix(np.ones((3, 2)))
    np.testing.assert_array_equal(npmi_coherence(np.array([[0, 1]]), X), [1.0])
    # never co-occur -> -1
    X = sp.csr_matrix(np.eye(2))
    np.testing.assert_array_equal(npmi_coherence(np.array([[0, 1]]), X), [-1.0])
    # independent words (P(a,b) = P(a) P(b)) -> 0
    X = sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=float))
    np.testing.assert_allclose(npmi_coherence(np.array([[0, 1]]), X), [0.0], atol=1e-15)


def test_coherence_validation():
    X = ref_corpus()
    for f in (umass_coherence, npmi_coherence):
        with pytest.raises(ValueError, match="word ids"):
            f(np.array([[0, 10]]), X)
        with pytest.raises(ValueError, match="repeated"):
            f(np.array([[1, 1]]), X)
        with pytest.raises(ValueError, match="at least 2"):
            f(np.array([[1], [2]]), X)
        with pytest.raises(ValueError, match="no documents"):
            f(np.array([[0, 1]]), sp.csr_matrix((0, 10)))


# --------------------------------------------------------------------------- topic comparison


def test_hellinger_basic_properties():
    rng = np.random.default_rng(10)
    P = dirichlet_rows(rng, 5, 40)
    Q = dirichlet_rows(rng, 3, 40)
    H = hellinger(P, Q)
    assert H.shape == (5, 3)
    assert np.all((H >= 0) & (H <= 1))
    np.testing.assert_allclose(hellinger(Q, P), H.T, rtol=0, atol=1e-15)
    assert np.all(np.diag(hellinger(P, P)) == 0.0)
    # disjoint supports -> 1
    A = np.array([[0.5, 0.5, 0.0, 0.0]])
    B = np.array([[0.0, 0.0, 0.25, 0.75]])
    assert hellinger(A, B)[0, 0] == pytest.approx(1.0, abs=1e-15)
    # against the definition sqrt(½ Σ (√p − √q)²)
    ref = np.sqrt(0.5 * ((np.sqrt(P)[:, None, :] - np.sqrt(Q)[None, :, :]) ** 2).sum(-1))
    np.testing.assert_allclose(H, ref, rtol=1e-12, atol=1e-14)
    # nearly identical rows are resolved accurately (no sqrt(eps) floor)
    R = P[:1] * (1 - 1e-14)
    R[0, 0] += 1e-14
    ref_small = np.sqrt(0.5 * ((np.sqrt(P[:1]) - np.sqrt(R)) ** 2).sum())
    assert hellinger(P[:1], R)[0, 0] == pytest.approx(ref_small, rel=1e-6)


def test_hellinger_validation():
    with pytest.raises(ValueError, match="columns"):
        hellinger(np.full((1, 2), 0.5), np.full((1, 3), 1 / 3))
    with pytest.raises(ValueError, match="sum to 1"):
        hellinger(np.full((1, 2), 0.6), np.full((1, 2), 0.5))
    with pytest.raises(ValueError, match="negative"):
        hellinger(np.array([[1.5, -0.5]]), np.full((1, 2), 0.5))


def test_match_topics_recovers_permutation():
    rng = np.random.default_rng(11)
    P = dirichlet_rows(rng, 8, 60, 0.1)
    perm = rng.permutation(8)
    Q = np.empty_like(P)
    Q[perm] = P  # P[i] sits at Q[perm[i]]
    got, dist = match_topics(P, Q)
    np.testing.assert_array_equal(got, perm)
    np.testing.assert_array_equal(dist, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        match_topics(P, Q[:5])


def test_topic_stability():
    rng = np.random.default_rng(12)
    beta = dirichlet_rows(rng, 10, 200, 0.1)
    copies = [beta] + [beta[rng.permutation(10)] for _ in range(3)]
    assert topic_stability(copies) == pytest.approx(1.0, abs=1e-12)
    independent = [dirichlet_rows(rng, 10, 200, 0.1) for _ in range(3)]
    s = topic_stability(independent)
    assert 0.0 <= s < 0.9
    assert math.isnan(topic_stability([beta]))
    assert math.isnan(topic_stability([]))
    with pytest.raises(ValueError, match="same"):
        topic_stability([beta, beta[:, :100] / beta[:, :100].sum(1, keepdims=True)])
