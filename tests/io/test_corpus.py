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
from lda_vi.io.corpus import Corpus, build_corpus, read_documents, vectorize
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


# ------------------------------------------------------------------ read_documents: files


def test_read_file_one_doc_per_line_blank_lines_kept(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"first doc\n\nthird doc\n")
    assert list(read_documents(str(p))) == [("1", "first doc"), ("2", ""), ("3", "third doc")]


def test_read_file_without_final_newline_crlf_and_bom(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\n\r\nfour")
    assert list(read_documents(p)) == [("1", "one"), ("2", "two"), ("3", ""), ("4", "four")]


def test_read_file_only_newline_is_one_blank_doc(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_bytes(b"\n")
    assert list(read_documents(p)) == [("1", "")]


def test_read_file_lines_across_the_sniffed_head(tmp_path):
    long_line = "word " * 3000  # 15 000 bytes: crosses the first 8 KiB read
    p = tmp_path / "docs.txt"
    p.write_text(f"{long_line}\nshort\n" + "x\n" * 5000, encoding="utf-8")
    docs = list(read_documents(p))
    assert len(docs) == 5002
    assert docs[0] == ("1", long_line)
    assert docs[1] == ("2", "short")
    assert docs[-1] == ("5002", "x")


def test_read_file_other_encodings(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("café\nnaïve\n".encode("latin-1"))
    assert list(read_documents(p, encoding="latin-1")) == [("1", "café"), ("2", "naïve")]
    q = tmp_path / "wide.txt"
    q.write_bytes("café\r\nnaïve\r\n".encode("utf-16"))
    assert list(read_documents(q, encoding="utf-16")) == [("1", "café"), ("2", "naïve")]


# ------------------------------------------------------------ read_documents: directories


def test_read_directory_sorted_txt_files_only(tmp_path):
    (tmp_path / "b.txt").write_text("bee text\nsecond line", encoding="utf-8")
    (tmp_path / "a.txt").write_text("ay text", encoding="utf-8")
    (tmp_path / "C.TXT").write_text("upper case suffix", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()
    (tmp_path / "sub.txt" / "inner.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    assert list(read_documents(tmp_path)) == [
        ("C.TXT", "upper case suffix"),
        ("a.txt", "ay text"),
        ("b.txt", "bee text\nsecond line"),
        ("empty.txt", ""),
    ]


def test_read_directory_bad_bytes_name_file_and_line(tmp_path):
    (tmp_path / "a.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"ok\nalso ok\ncaf\xe9\n")
    docs = read_documents(tmp_path)
    with pytest.raises(InputError, match=r"b\.txt, line 3, byte 4: .*--encoding"):
        list(docs)


def test_read_directory_binary_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match=r"a\.txt looks like a binary file"):
        list(read_documents(tmp_path))


# ------------------------------------------------------------------ read_documents: stdin


def test_read_stdin(monkeypatch):
    fake_stdin(monkeypatch, b"one doc\n\nthree\n")
    assert list(read_documents("-")) == [("1", "one doc"), ("2", ""), ("3", "three")]


def test_read_stdin_empty(monkeypatch):
    fake_stdin(monkeypatch, b"")
    with pytest.raises(InputError, match="standard input is empty"):
        list(read_documents("-"))


def test_read_stdin_bad_bytes(monkeypatch):
    fake_stdin(monkeypatch, b"fine\n\xff\xfe oops\n")
    with pytest.raises(InputError, match="standard input, line 2"):
        list(read_documents("-"))


# ----------------------------------------------------------------- read_documents: errors


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt not found"):
        read_documents(tmp_path / "nope.txt")


def test_directory_without_txt_files(tmp_path):
    (tmp_path / "notes.md").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="has no .txt files"):
        read_documents(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt is empty: no documents"):
        read_documents(p)


def test_non_utf8_file_names_file_and_line(tmp_path):
    p = tmp_path / "legacy.txt"
    lines = [b"plain ascii line %d" % i for i in range(1000)]
    lines[733] = b"na\xefve latin-1"  # far beyond the first 8 KiB
    p.write_bytes(b"\n".join(lines) + b"\n")
    docs = read_documents(p)
    with pytest.raises(InputError) as info:
        list(docs)
    message = str(info.value)
    assert "legacy.txt" in message
    assert "line 734" in message
    assert "--encoding" in message
    assert "\n" not in message


def test_binary_file(tmp_path):
    p = tmp_path / "model.bin"
    p.write_bytes(b"\x00\x01\x02binary\x00stuff\n" * 10)
    with pytest.raises(InputError, match="looks like a binary file"):
        read_documents(p)


def test_utf16_without_encoding_gets_a_hint(tmp_path):
    p = tmp_path / "wide.txt"
    p.write_bytes("hello\n".encode("utf-16"))
    with pytest.raises(InputError, match="--encoding utf-16"):
        read_documents(p)


def test_unknown_encoding(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown text encoding 'klingon'"):
        read_documents(p, encoding="klingon")


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
    c = build_corpus(read_documents(p), tok, PruneConfig(min_df=2, max_df=1.0))
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
    assert "--min-df" in message and "--max-df" in message
    assert "5 candidate words" in message


def test_no_words_after_tokenizing(tok):
    with pytest.raises(InputError, match="no words left after tokenizing.*--no-stopwords"):
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
    c = build_corpus(read_documents(AP), Tokenizer(), PruneConfig())
    assert c.n_docs == 2246
    assert c.counts.shape == (2246, len(c.vocab))
    assert 5000 < c.n_words < 50000
    assert c.counts.has_canonical_format
    assert list(c.vocab.words) == sorted(c.vocab.words)
    assert c.doc_ids[0] == "1" and c.doc_ids[-1] == "2246"
