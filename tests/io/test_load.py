"""Tests of lda_vi.io.load: count pruning, load_corpus and vectorize_input."""

from __future__ import annotations

import numpy as np
from io_testing import KEEP_ALL, error, write

from lda_vi.io.load import load_corpus, read_counts, vectorize_input
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

# ------------------------------------------------------------------- pruning counts


def test_read_counts_prunes_keeps_rows_and_vocab_order(tmp_path):
    write(tmp_path / "vocab.txt", "zeta\nalpha\nmid\nrare\n")
    p = write(tmp_path / "c.dat", "2 0:2 1:1\n2 0:1 1:4\n1 3:1\n1 2:1\n")
    corpus = read_counts(p, prune_config=PruneConfig(min_df=2, max_df=1.0))
    assert corpus.vocab == Vocabulary(["zeta", "alpha"])
    np.testing.assert_array_equal(corpus.counts.toarray(), [[2, 1], [1, 4], [0, 0], [0, 0]])
    assert corpus.n_empty == 2 and corpus.doc_ids == ["1", "2", "3", "4"]
    assert corpus.counts.has_canonical_format and corpus.counts.dtype == np.float64


def test_read_counts_max_vocab_ties_alphabetical(tmp_path):
    write(tmp_path / "vocab.txt", "b\na\nc\n")
    p = write(tmp_path / "c.dat", "3 0:1 1:1 2:2\n")
    corpus = read_counts(p, prune_config=PruneConfig(min_df=1, max_df=1.0, max_vocab=2))
    assert corpus.vocab.words == ("a", "c")


def test_read_counts_pruning_everything_names_the_settings(tmp_path):
    write(tmp_path / "vocab.txt", "a\nb\n")
    p = write(tmp_path / "c.dat", "1 0:1\n1 1:1\n")
    message = error(read_counts, p, prune_config=PruneConfig())
    assert "min_df=2" in message and "lower min_df" in message


def test_read_counts_all_empty(tmp_path):
    write(tmp_path / "vocab.txt", "a\n")
    assert "no word counts" in error(read_counts, write(tmp_path / "c.dat", "0\n0\n"))


# ------------------------------------------------------------------ load / vectorize


def test_load_corpus_dispatches_on_the_format(tmp_path):
    text = write(tmp_path / "a.jsonl", '{"text": "apple pie"}\n{"text": "apple tart"}\n')
    corpus = load_corpus(text, tokenizer=TokenizerConfig(), prune_config=KEEP_ALL)
    assert corpus.vocab.words == ("apple", "pie", "tart")
    write(tmp_path / "vocab.txt", "apple\npie\n")
    counts = load_corpus(write(tmp_path / "c.dat", "1 0:2\n1 1:1\n"), prune_config=KEEP_ALL)
    assert counts.vocab.words == ("apple", "pie") and counts.n_tokens == 3


def test_load_corpus_refuses_text_options_for_counts(tmp_path, vocab4):
    p = write(tmp_path / "c.dat", "1 0:1\n")
    assert "text_column applies" in error(load_corpus, p, text_column="body")


def test_vectorize_input_text_and_counts(tmp_path):
    vocab = Vocabulary(["apple", "pie"])
    p = write(tmp_path / "a.csv", "text\napple apple cake\n")
    X, ids, oov = vectorize_input(p, vocabulary=vocab, tokenizer=Tokenizer())
    assert X.toarray().tolist() == [[2, 0]] and ids == ["1"] and oov == 1
    write(tmp_path / "v.txt", "cake\npie\napple\n")
    c = write(tmp_path / "c.mtx", "%%MatrixMarket matrix coordinate integer general\n"
                                  "2 3 3\n1 1 4\n1 3 2\n2 2 1\n")
    X, ids, oov = vectorize_input(c, vocabulary=vocab, vocab=tmp_path / "v.txt")
    assert X.toarray().tolist() == [[2, 0], [0, 1]] and ids == ["1", "2"] and oov == 4
    assert X.has_canonical_format


