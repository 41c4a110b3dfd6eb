"""Property tests: any bytes in give a corpus or a clean InputError, never another exception;
written lda-c and Matrix Market files read back to the same matrix."""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lda_vi.errors import InputError
from lda_vi.io.corpus import Corpus
from lda_vi.io.counts import read_count_matrix
from lda_vi.io.load import load_corpus
from lda_vi.io.writers import write_ldac, write_mtx
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig

KEEP_ALL = PruneConfig(min_df=1, max_df=1.0)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
VOCAB = "\n".join(f"w{i}" for i in range(6)) + "\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "vocab.txt").write_text(VOCAB)
    (d / "vocab.f.txt").write_text(VOCAB)
    return d


def raw_bytes() -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, text-looking bytes, and (damaged) compressed bytes."""
    text = st.text(max_size=200).map(lambda s: s.encode("utf-8"))
    return st.one_of(
        st.binary(max_size=300),
        text,
        text.map(gzip.compress),
        text.map(bz2.compress),
        st.binary(max_size=100).map(lambda b: b"\x1f\x8b" + b),
        text.map(lambda b: gzip.compress(b)[:-5]),
    )


def load_or_input_error(path: Path, fmt: str, **kwargs) -> None:
    """load_corpus either returns a consistent Corpus or raises InputError (one line)."""
    try:
        corpus = load_corpus(path, fmt, prune_config=KEEP_ALL, **kwargs)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert isinstance(corpus, Corpus)
    assert corpus.counts.shape == (len(corpus.doc_ids), len(corpus.vocab))
    assert corpus.counts.has_canonical_format
    assert corpus.n_words > 0 and corpus.n_docs > 0
    assert (corpus.counts.data > 0).all()


ENCODINGS = st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"])


@FUZZ
@given(data=raw_bytes(), encoding=ENCODINGS)
def test_text_reader_any_bytes(workdir, data, encoding):
    path = workdir / "f.txt"
    path.write_bytes(data)
    load_or_input_error(path, "text", encoding=encoding)


@FUZZ
@given(data=raw_bytes(), encoding=ENCODINGS, fmt=st.sampled_from(["csv", "tsv"]))
def test_csv_reader_any_bytes(workdir, data, encoding, fmt):
    path = workdir / "f.csv"
    path.write_bytes(b"text,id\n" + data)
    load_or_input_error(path, fmt, encoding=encoding)
    path.write_bytes(data)
    load_or_input_error(path, fmt, encoding=encoding, id_column="id")


CSV_CHARS = st.sampled_from(list('ab ,"\n\r\t\\xé\x00'))


@FUZZ
@given(body=st.text(CSV_CHARS, max_size=120))
def test_csv_reader_quote_soup(workdir, body):
    path = workdir / "f.csv"
    path.write_text("id,text\n" + body, encoding="utf-8")
    load_or_input_error(path, "csv", id_column="id")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["text", "id", "x"]), children, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(data=raw_bytes())
def test_jsonl_reader_any_bytes(workdir, data):
    path = workdir / "f.jsonl"
    path.write_bytes(data)
    load_or_input_error(path, "jsonl")


@FUZZ
@given(values=st.lists(json_values, min_size=1, max_size=5), id_field=st.sampled_from([None,
                                                                                      "id"]))
def test_jsonl_reader_any_json(workdir, values, id_field):
    path = workdir / "f.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in values) + "\n", encoding="utf-8")
    load_or_input_error(path, "jsonl", id_field=id_field)


COUNT_TEXT = st.lists(
    st.sampled_from(list("0123456789 :\n-x.%") + ["\r\n", "1 ", "2:", "\t", "\n3 "]),
    max_size=60,
).map("".join)


@FUZZ
@given(data=st.one_of(raw_bytes(), COUNT_TEXT.map(str.encode)))
def test_ldac_reader_any_bytes(workdir, data):
    path = workdir / "f.dat"
    path.write_bytes(data)
    load_or_input_error(path, "ldac")


@FUZZ
@given(body=COUNT_TEXT, fmt=st.sampled_from(["uci", "mtx"]),
       header=st.sampled_from(["", "3\n6\n2\n", "%%MatrixMarket matrix coordinate integer "
                               "general\n3 6 2\n", "%%MatrixMarket matrix coordinate real "
                               "general\n"]))
def test_uci_and_mtx_readers_any_text(workdir, body, fmt, header):
    path = workdir / "docword.f.txt"
    path.write_bytes((header + body).encode())
    load_or_input_error(path, fmt)


@FUZZ
@given(text=st.text(max_size=300),
       config=st.builds(TokenizerConfig, lowercase=st.booleans(),
                        normalization=st.sampled_from(["NFC", "NFKC", "NFD", "NFKD", "none"]),
                        min_length=st.integers(1, 4), stem=st.sampled_from([None, "porter"])))
def test_tokenizer_any_unicode(text, config):
    tokens = Tokenizer(config)(text)
    assert all(isinstance(t, str) and t for t in tokens)


counts_matrix = st.tuples(st.integers(1, 8), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 3) | st.integers(0, 10**6))
)


@FUZZ
@given(X=counts_matrix, suffix=st.sampled_from(["", ".gz"]))
def test_ldac_round_trip(workdir, X, suffix):
    path = workdir / f"r.dat{suffix}"
    vocab = workdir / "rvocab.txt"
    vocab.write_text("".join(f"v{i}\n" for i in range(X.shape[1])))
    write_ldac(path, sp.csr_matrix(X))
    m = read_count_matrix(path, vocab_path=vocab)
    np.testing.assert_array_equal(m.counts.toarray(), X)


@FUZZ
@given(X=counts_matrix, real=st.booleans())
def test_mtx_round_trip(workdir, X, real):
    Y = X / 7.0 if real else X
    path = workdir / "r.mtx"
    vocab = workdir / "rvocab.txt"
    vocab.write_text("".join(f"v{i}\n" for i in range(X.shape[1])))
    write_mtx(path, Y)
    m = read_count_matrix(path, vocab_path=vocab)
    np.testing.assert_array_equal(m.counts.toarray(), Y)
