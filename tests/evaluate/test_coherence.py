"""gensim-equal coherence (lda_vi.evaluate.coherence): against gensim itself, against a
plain per-window reference of gensim's accumulator, and on hand-counted examples."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.evaluate import coherence as coh
from lda_vi.evaluate.metrics import npmi_coherence, umass_coherence
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import Vocabulary

GENSIM_MEASURES = ("c_v", "c_npmi", "c_uci", "u_mass")


def _random_corpus(seed: int, V: int = 40, D: int = 60):
    """Token lists of many lengths (empty, shorter than, equal to and longer than each
    window), skewed word frequencies so that words repeat inside windows."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(V)]
    texts = []
    for _ in range(D):
        n = int(rng.choice([0, 1, 3, 9, 10, 11, 30, 109, 110, 111, 250]))
        p = rng.dirichlet(np.full(V, 0.3))
        texts.append([words[i] for i in rng.choice(V, size=n, p=p)])
    texts.append(["oov", "w1", "oov", "w2"])             # tokens outside the vocabulary
    vocab = Vocabulary(words)
    top = np.array([rng.permutation(V)[:8] for _ in range(5)])
    return texts, vocab, top


def _sequences(texts, vocab) -> coh.TokenSequences:
    ids = [np.array([vocab.get(w, -1) for w in t], dtype=np.int64) for t in texts]
    offsets = np.r_[0, np.cumsum([len(t) for t in texts])].astype(np.int64)
    return coh.TokenSequences(np.concatenate(ids), offsets)


def _counts(seqs: coh.TokenSequences, V: int) -> sp.csr_matrix:
    doc = np.repeat(np.arange(seqs.n_docs), np.diff(seqs.offsets))
    keep = seqs.ids >= 0
    return sp.csr_matrix((np.ones(int(keep.sum())), (doc[keep], seqs.ids[keep])),
                         shape=(seqs.n_docs, V))


def _gensim_reference_counts(texts, vocab, relevant, window):
    """gensim's WordOccurrenceAccumulator, restated window by window in plain Python."""
    index = {int(w): i for i, w in enumerate(relevant)}
    R = len(relevant)
    co = np.zeros((R, R), dtype=np.int64)
    total = 0
    for text in texts:
        t = [index.get(vocab.get(w, -1), R) for w in text]     # R: a word not counted
        n = len(t)
        wins = [t] if n < window else [t[i:i + window] for i in range(n - window + 1)]
        present = np.zeros(R + 1, dtype=bool)
        edge = None
        for m, win in enumerate(wins):
            total += 1
            if not win:
                continue
            if m == 0:
                present[:] = False
                present[list(set(win))] = True
            else:
                present[edge] = False                  # even if it occurs again in the window
                present[win[-1]] = True
            edge = win[0]
            on = np.flatnonzero(present[:R])
            co[np.ix_(on, on)] += 1
    return co, total


# ---------------------------------------------------------------------- against gensim
@pytest.mark.parametrize("seed", [0, 1])
def test_every_measure_equals_gensim_coherencemodel(seed: int) -> None:
    pytest.importorskip("gensim")
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    texts, vocab, top = _random_corpus(seed)
    seqs = _sequences(texts, vocab)
    ours = coh.coherence_scores(top, GENSIM_MEASURES, sequences=seqs,
                                X=_counts(seqs, len(vocab)))
    dictionary = Dictionary(texts)
    topics = [[vocab[int(w)] for w in row] for row in top]
    for measure in GENSIM_MEASURES:
        model = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary,
                               coherence=measure, topn=top.shape[1], processes=1)
        theirs = np.array(model.get_coherence_per_topic())
        np.testing.assert_allclose(ours[measure], theirs, rtol=0, atol=1e-6, err_msg=measure)
        assert ours[measure].mean() == pytest.approx(model.aggregate_measures(theirs), abs=1e-6)


def test_tokens_from_the_tokenizer_equal_gensim_on_the_same_token_lists() -> None:
    pytest.importorskip("gensim")
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    docs = ["The cat sat on the mat with another cat and a dog.",
            "Dogs and cats: the dog chased the cat around the mat, then the cat slept.",
            "A mat is a mat; a cat is a cat.", "", "dog"] * 3
    tokenizer = Tokenizer(TokenizerConfig(stopwords="none"))
    texts = [tokenizer(d) for d in docs]
    vocab = Vocabulary(sorted({w for t in texts for w in t} - {"a", "is"}))   # some OOV
    seqs = coh.token_sequences(docs, tokenizer, vocab)
    np.testing.assert_array_equal(np.diff(seqs.offsets), [len(t) for t in texts])
    top = np.array([[vocab.index(w) for w in ("cat", "mat", "dog", "the")],
                    [vocab.index(w) for w in ("dogs", "chased", "cat", "slept")]])
    ours = coh.coherence_scores(top, ["c_v", "c_npmi"], sequences=seqs,
                                windows={"c_v": 6, "c_npmi": 3})
    for measure, window in (("c_v", 6), ("c_npmi", 3)):
        model = CoherenceModel(topics=[[vocab[int(w)] for w in row] for row in top],
                               texts=texts, dictionary=Dictionary(texts), coherence=measure,
                               topn=4, window_size=window, processes=1)
        np.testing.assert_allclose(ours[measure], model.get_coherence_per_topic(), atol=1e-6)


# ------------------------------------------------------------- the window counting
@pytest.mark.parametrize("window", [1, 2, 5, 10, 110])
def test_window_counts_equal_the_per_window_reference(window: int) -> None:
    texts, vocab, top = _random_corpus(3)
    relevant = np.unique(top)
    counts = coh.window_counts(_sequences(texts, vocab), relevant, window)
    co, total = _gensim_reference_counts(texts, vocab, relevant, window)
    assert counts.total == total
    np.testing.assert_array_equal(counts.co, co)


def test_window_counts_are_the_same_in_small_chunks(monkeypatch) -> None:
    texts, vocab, top = _random_corpus(4)
    seqs, relevant = _sequences(texts, vocab), np.unique(top)
    whole = coh.window_counts(seqs, relevant, 10)
    monkeypatch.setattr(coh, "_CHUNK", 7)
    chunked = coh.window_counts(seqs, relevant, 10)
    np.testing.assert_array_equal(chunked.co, whole.co)
    assert chunked.total == whole.total


def test_gensim_drops_a_word_leaving_the_window_even_if_it_occurs_again() -> None:
    # a b a c, windows of 3: [a b a], [b a c]. gensim's set: {a, b}, then a (the token that
    # left) is dropped although the window still holds an a: {b, c}.
    vocab = Vocabulary(["a", "b", "c"])
    counts = coh.window_counts(_sequences([["a", "b", "a", "c"]], vocab), np.arange(3), 3)
    assert counts.total == 2
    np.testing.assert_array_equal(np.diagonal(counts.co), [1, 2, 1])
    assert counts.co[0, 1] == 1 and counts.co[1, 2] == 1 and counts.co[0, 2] == 0


def test_short_and_empty_documents_are_one_window_each() -> None:
    vocab = Vocabulary(["a", "b"])
    texts = [["a", "b"], [], ["b"], ["a", "x", "b", "a"]]
    counts = coh.window_counts(_sequences(texts, vocab), np.arange(2), 10)
    assert counts.total == 4
    np.testing.assert_array_equal(counts.co, [[2, 2], [2, 3]])


# ------------------------------------------------------------------ the measures
def test_npmi_and_cv_by_hand_on_a_tiny_count_table() -> None:
    # 4 windows; a in 2, b in 2, both in 1
    counts = coh.Counts(co=np.array([[2, 1], [1, 2]]), total=4)
    eps = coh.EPSILON
    pmi = np.log((1 / 4 + eps) / (0.5 * 0.5))
    npmi = pmi / -np.log(1 / 4 + eps)
    top = np.array([[0, 1]])
    assert coh.scores_from_counts("c_uci", top, counts)[0] == pytest.approx(pmi, abs=1e-15)
    assert coh.scores_from_counts("c_npmi", top, counts)[0] == pytest.approx(npmi, abs=1e-15)
    self_npmi = np.log((0.5 + eps) / 0.25) / -np.log(0.5 + eps)           # NPMI(a, a) = 1
    assert self_npmi == pytest.approx(1.0)
    v_a, v_b = np.array([self_npmi, npmi]), np.array([npmi, self_npmi])
    v_w = v_a + v_b
    cos = [v @ v_w / (np.linalg.norm(v) * np.linalg.norm(v_w)) for v in (v_a, v_b)]
    assert coh.scores_from_counts("c_v", top, counts)[0] == pytest.approx(np.mean(cos))
    umass = np.log((1 / 4 + eps) / (2 / 4))                 # pair (b, a): a ranked above b
    assert coh.scores_from_counts("u_mass", top, counts)[0] == pytest.approx(umass)


def test_the_document_level_measures_keep_their_own_names() -> None:
    texts, vocab, top = _random_corpus(5)
    X = _counts(_sequences(texts, vocab), len(vocab))
    scores = coh.coherence_scores(top, ["npmi", "umass", "u_mass"], X=X)
    np.testing.assert_array_equal(scores["npmi"], npmi_coherence(top, X))
    np.testing.assert_array_equal(scores["umass"], umass_coherence(top, X))
    assert not np.allclose(scores["u_mass"], scores["umass"])         # another measure


def test_count_formats_get_a_clear_error_for_window_measures() -> None:
    texts, vocab, top = _random_corpus(6)
    X = _counts(_sequences(texts, vocab), len(vocab))
    with pytest.raises(InputError, match="token order.*count formats.*u_mass, npmi, umass"):
        coh.coherence_scores(top, ["u_mass", "c_v"], X=X)


def test_measure_names_are_checked() -> None:
    assert coh.parse_measures("c_v, u_mass,c_v") == ("c_v", "u_mass")
    with pytest.raises(InputError, match="unknown measure 'cv' in coherence"):
        coh.parse_measures("cv")
    with pytest.raises(InputError, match="no measure given"):
        coh.parse_measures(" , ")
