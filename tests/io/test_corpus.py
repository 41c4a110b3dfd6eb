"""Tests of lda_vi.io.corpus: reading documents, building the D×V count matrix, vectorizing."""

import io
import random
import sys
import types
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.corpus import Corpus, build_corpus, vectorize
from lda_vi.io.text_readers import iter_documents
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

AP = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ap" / "ap.txt"


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


def docs_of(*texts):
    return [(str(i), t) for i, t in enumerate(texts, 1)]


def fake_stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


# ------------------------------------------------------------------------- build_corpus

# Hand-computed example (min_df=2, max_df=1.0). Candidates, document frequency, total count:
# cherry 2 3, banana 2 2, apple 2 3, date 1 1, zebra 1 1 -> kept: apple, banana, cherry.
HAND_DOCS = docs_of(
    "Cherry banana cherry!",  # cherry 2, banana 1
    "",  # empty line: empty row
    "the apple, an APPLE and a cherry",  # apple 2, cherry 1 (stopwords dropped)
    "Banana apple date",  # banana 1, apple 1 (date pruned)
    "zebra 42",  # zebra pruned: empty row
)
HAND_COUNTS = [
    [0, 1, 2],
    [0, 0, 0],
    [2, 0, 1],
    [1, 1, 0],
    [0, 0, 0],
]


def test_build_corpus_hand_example(tok):
    c = build_corpus(HAND_DOCS, tok, PruneConfig(min_df=2, max_df=1.0))
    assert isinstance(c, Corpus)
    assert c.vocab.to_list() == ["apple", "banana", "cherry"]
    assert c.doc_ids == ["1", "2", "3", "4", "5"]
    assert sp.issparse(c.counts) and c.counts.format == "csr"
    assert c.counts.dtype == np.float64
    assert c.counts.has_canonical_format
    np.testing.assert_array_equal(c.counts.toarray(), HAND_COUNTS)
    assert (c.n_docs, c.n_words, c.n_tokens, c.n_empty) == (5, 3, 8, 2)
    assert isinstance(c.n_tokens, int)


def test_build_corpus_max_df_and_max_vocab(tok):
    c = build_corpus(HAND_DOCS, tok, PruneConfig(min_df=1, max_df=0.3))
    assert c.vocab.to_list() == ["date", "zebra"]  # at most floor(0.3 * 5) = 1 document
    np.testing.assert_array_equal(c.counts.toarray(), [[0, 0], [0, 0], [0, 0], [1, 0], [0, 1]])
    assert c.n_empty == 3
    c = build_corpus(HAND_DOCS, tok, PruneConfig(min_df=1, max_df=1.0, max_vocab=2))
    assert c.vocab.to_list() == ["apple", "cherry"]  # the two with count 3
    c = build_corpus(HAND_DOCS, tok, PruneConfig(min_df=1, max_df=1.0, max_vocab=4))
    assert c.vocab.to_list() == ["apple", "banana", "cherry", "date"]  # date beats zebra


def test_build_corpus_accepts_a_generator(tok, tmp_path):
    p = tmp_path / "docs.txt"
    p.write_text("\n".join(text for _, text in HAND_DOCS) + "\n", encoding="utf-8")
    c = build_corpus(iter_documents(p), tok, PruneConfig(min_df=2, max_df=1.0))
    np.testing.assert_array_equal(c.counts.toarray(), HAND_COUNTS)


def test_build_corpus_matches_naive_counts():
    rng = random.Random(7)
    words = [f"w{chr(97 + i)}{chr(97 + j)}x" for i in range(8) for j in range(8)]
    texts = [" ".join(rng.choices(words, k=rng.randrange(0, 40))) for _ in range(60)]
    tok = Tokenizer(TokenizerConfig(stopwords="none"))
    c = build_corpus(docs_of(*texts), tok, PruneConfig(min_df=3, max_df=0.9))
    counters = [Counter(t.split()) for t in texts]
    df = Counter(w for ctr in counters for w in ctr)
    expected_vocab = sorted(w for w, n in df.items() if 3 <= n <= 54)
    assert c.vocab.to_list() == expected_vocab
    dense = np.array([[ctr[w] for w in expected_vocab] for ctr in counters], dtype=float)
    np.testing.assert_array_equal(c.counts.toarray(), dense)
    assert c.n_empty == int((dense.sum(axis=1) == 0).sum())


def test_pruning_everything_names_the_options(tok):
    with pytest.raises(InputError) as info:
        build_corpus(HAND_DOCS, tok, PruneConfig(min_df=4, max_df=1.0))
    message = str(info.value)
    assert "pruning removed every word" in message
    assert "min_df=4" in message and "max_df=1.0" in message
    assert "lower min_df or raise max_df" in message
    assert "5 candidate words" in message


def test_no_words_after_tokenizing(tok):
    with pytest.raises(InputError, match="no words left after tokenizing.*stopwords='none'"):
        build_corpus(docs_of("the and of", "", "42 1999"), tok, PruneConfig())


def test_no_documents(tok):
    with pytest.raises(InputError, match="no documents"):
        build_corpus([], tok, PruneConfig())


# ---------------------------------------------------------------------------- vectorize


def test_vectorize_counts_and_oov(tok):
    vocab = Vocabulary(["apple", "banana", "cherry"])
    docs = docs_of("banana kiwi banana apple", "kiwi mango", "", "cherry cherry the")
    counts, doc_ids, n_oov = vectorize(docs, tok, vocab)
    assert counts.shape == (4, 3)
    assert counts.dtype == np.float64 and counts.has_canonical_format
    np.testing.assert_array_equal(
        counts.toarray(), [[1, 2, 0], [0, 0, 0], [0, 0, 0], [0, 0, 2]]
    )
    assert doc_ids == ["1", "2", "3", "4"]
    assert n_oov == 3  # kiwi, kiwi, mango ("the" is a stopword, not OOV)


def test_vectorize_matches_build_corpus(tok):
    c = build_corpus(HAND_DOCS, tok, PruneConfig(min_df=2, max_df=1.0))
    counts, doc_ids, n_oov = vectorize(HAND_DOCS, tok, c.vocab)
    assert (counts != c.counts).nnz == 0
    assert doc_ids == c.doc_ids
    assert n_oov == 2  # date, zebra


def test_vectorize_no_documents(tok):
    with pytest.raises(InputError, match="no documents"):
        vectorize([], tok, Vocabulary(["apple"]))


# ------------------------------------------------------------------------ the AP corpus


def test_ap_corpus_builds():
    if not AP.is_file():
        pytest.skip(f"AP corpus not found at {AP}")
    c = build_corpus(iter_documents(AP), Tokenizer(), PruneConfig())
    assert c.n_docs == 2246
    assert c.counts.shape == (2246, len(c.vocab))
    assert 5000 < c.n_words < 50000
    assert c.counts.has_canonical_format
    assert list(c.vocab.words) == sorted(c.vocab.words)
    assert c.doc_ids[0] == "1" and c.doc_ids[-1] == "2246"
