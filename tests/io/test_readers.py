"""Tests of lda_vi.io.readers: every input format, compression, the count formats and writers."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io import readers
from lda_vi.io.readers import (
    detect_format,
    iter_documents,
    load_corpus,
    read_count_matrix,
    read_counts,
    read_vocab,
    vectorize_input,
    write_ldac,
    write_mtx,
)
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import PruneConfig, Vocabulary

AP_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ap"
KEEP_ALL = PruneConfig(min_df=1, max_df=1.0)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def docs(path, *args, **kwargs) -> list[tuple[str, str]]:
    return list(iter_documents(path, *args, **kwargs))


def error(func, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        result = func(*args, **kwargs)
        if hasattr(result, "__next__"):
            list(result)
    message = str(info.value)
    assert "\n" not in message
    return message


# ------------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("docs.txt", "text"), ("docs", "text"), ("notes.md", "text"), ("docs.txt.gz", "text"),
        ("a.csv", "csv"), ("a.CSV.bz2", "csv"), ("a.tsv", "tsv"), ("a.tab", "tsv"),
        ("a.jsonl", "jsonl"), ("a.ndjson.xz", "jsonl"), ("a.json", "jsonl"),
        ("ap.dat", "ldac"), ("x.ldac.gz", "ldac"), ("docword.nips.txt", "uci"),
        ("docword.kos.txt.gz", "uci"), ("m.mtx", "mtx"), ("m.mtx.gz", "mtx"), ("-", "text"),
    ],
)
def test_detect_format_from_the_name(tmp_path, monkeypatch, name, fmt):
    monkeypatch.chdir(tmp_path)
    assert detect_format(name) == fmt


def test_detect_format_directory(tmp_path):
    assert detect_format(tmp_path) == "dir"


def test_unknown_format_is_refused(tmp_path):
    p = write(tmp_path / "a.txt", "x\n")
    assert "unknown input format 'xml'" in error(iter_documents, p, "xml")


def test_format_is_case_insensitive_and_overrides_the_extension(tmp_path):
    p = write(tmp_path / "a.txt", "text\nhello there\n")
    assert docs(p, "CSV") == [("1", "hello there")]


# ----------------------------------------------------------------------------- text


def test_text_file_one_document_per_line(tmp_path):
    p = write(tmp_path / "a.txt", "one\n\nthree\n")
    assert docs(p) == [("1", "one"), ("2", ""), ("3", "three")]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_text_compressed_by_content(tmp_path, compress):
    p = write(tmp_path / "a.txt.gz", compress(b"alpha beta\ngamma\n"))
    assert docs(p) == [("1", "alpha beta"), ("2", "gamma")]


def test_compressed_file_without_compression_extension(tmp_path):
    p = write(tmp_path / "a.txt", gzip.compress(b"alpha\n"))
    assert docs(p) == [("1", "alpha")]


def test_text_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"a b\nc\n")))
    assert docs("-") == [("1", "a b"), ("2", "c")]


def test_text_from_gzipped_stdin(monkeypatch):
    raw = io.BufferedReader(io.BytesIO(gzip.compress(b"a b\nc\n")))
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=raw))
    assert docs("-") == [("1", "a b"), ("2", "c")]


def test_text_other_encoding(tmp_path):
    p = write(tmp_path / "a.txt", "café\n".encode("latin-1"))
    assert docs(p, encoding="latin-1") == [("1", "café")]
    assert "--encoding" in error(iter_documents, p)


def test_truncated_gzip_is_an_input_error(tmp_path):
    data = gzip.compress(b"alpha beta gamma\n" * 1000)
    p = write(tmp_path / "a.txt.gz", data[: len(data) // 2])
    message = error(iter_documents, p)
    assert "a.txt.gz" in message and "truncated" in message


def test_zip_archive_is_refused(tmp_path):
    p = tmp_path / "a.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "hello\n")
    assert "zip archive; unzip it first" in error(iter_documents, p)


def test_missing_path(tmp_path):
    assert "not found" in error(iter_documents, tmp_path / "nope.txt")


def test_directory_given_a_file_format(tmp_path):
    assert "--format dir" in error(iter_documents, tmp_path, "text")


# ------------------------------------------------------------------------------ dir


def test_dir_recursive_sorted_relative_ids_hidden_skipped(tmp_path):
    write(tmp_path / "b.txt", "bee\n")
    write(tmp_path / "sub" / "a.txt", "ay")
    write(tmp_path / "a.txt", "\ufeffroot a")
    write(tmp_path / ".hidden" / "x.txt", "no")
    write(tmp_path / ".h.txt", "no")
    write(tmp_path / "notes.md", "no")
    assert docs(tmp_path) == [("a.txt", "root a"), ("b.txt", "bee\n"), ("sub/a.txt", "ay")]


def test_dir_custom_glob_and_compressed_files(tmp_path):
    write(tmp_path / "x" / "one.md", "one")
    write(tmp_path / "two.md.gz", gzip.compress(b"two"))
    write(tmp_path / "three.txt", "three")
    assert docs(tmp_path, glob="**/*.md*") == [("two.md.gz", "two"), ("x/one.md", "one")]


def test_dir_without_matching_files(tmp_path):
    write(tmp_path / "a.md", "x")
    message = error(iter_documents, tmp_path)
    assert "no files matching '**/*.txt'" in message and "--glob" in message


def test_dir_bad_glob(tmp_path):
    assert "--glob" in error(iter_documents, tmp_path, glob="/abs/*.txt")


def test_dir_decode_error_names_the_file_and_line(tmp_path):
    write(tmp_path / "a.txt", b"fine\nbad \xff here\n")
    message = error(iter_documents, tmp_path)
    assert "a.txt, line 2" in message and "--encoding" in message


def test_dir_binary_file(tmp_path):
    write(tmp_path / "a.txt", b"\x00\x01\x02binary")
    assert "binary" in error(iter_documents, tmp_path)


def test_dir_format_on_a_file(tmp_path):
    p = write(tmp_path / "a.txt", "x")
    assert "not a directory" in error(iter_documents, p, "dir")


# ------------------------------------------------------------------------------ csv


def test_csv_quoted_newlines_ids_and_extra_columns(tmp_path):
    p = write(tmp_path / "a.csv", 'id,text,x\nd1,"two\nlines, and a comma",9\n\nd2,plain,8\n')
    assert docs(p, id_column="id") == [("d1", "two\nlines, and a comma"), ("d2", "plain")]
    assert docs(p) == [("1", "two\nlines, and a comma"), ("2", "plain")]


def test_csv_named_text_column_bom_and_crlf(tmp_path):
    p = write(tmp_path / "a.csv", "\ufeffbody,title\r\nhello world,t\r\n")
    assert docs(p, text_column="body", id_column="title") == [("t", "hello world")]


def test_csv_header_names_are_matched_ignoring_surrounding_spaces(tmp_path):
    p = write(tmp_path / "a.csv", "id, text\n1, hi\n")
    assert docs(p) == [("1", " hi")]


def test_tsv(tmp_path):
    p = write(tmp_path / "a.tsv", "text\tid\nhello, world\tq\n")
    assert docs(p, id_column="id") == [("q", "hello, world")]


def test_csv_field_larger_than_the_default_limit(tmp_path):
    big = "word " * 60_000  # 300 000 characters: above the csv module's 131 072
    p = write(tmp_path / "a.csv", f'text\n"{big}"\n')
    assert docs(p) == [("1", big)]


def test_csv_missing_column_lists_the_columns(tmp_path):
    p = write(tmp_path / "a.csv", "id,body\n1,x\n")
    message = error(iter_documents, p)
    assert "no column 'text'" in message and "'id', 'body'" in message
    assert "--text-column" in message


def test_csv_missing_id_column(tmp_path):
    p = write(tmp_path / "a.csv", "id,text\n1,x\n")
    assert "--id-column" in error(iter_documents, p, id_column="key")


def test_csv_semicolons_hint(tmp_path):
    p = write(tmp_path / "a.csv", "id;text\n1;x\n")
    assert "separated by something else" in error(iter_documents, p)


def test_csv_short_record_names_the_line(tmp_path):
    p = write(tmp_path / "a.csv", 'id,x,text\n1,2,three\n"multi\nline",2\n')
    message = error(iter_documents, p)
    assert "line 4" in message and "'text' is missing" in message


def test_csv_empty_file(tmp_path):
    p = write(tmp_path / "a.csv", "")
    assert "is empty" in error(iter_documents, p)


def test_csv_decode_error_line(tmp_path):
    p = write(tmp_path / "a.csv", b'text\n"ok\nstill ok \xe9"\n')
    message = error(iter_documents, p)
    assert "a.csv, line 3, byte 10" in message and "--encoding" in message
    assert docs(p, encoding="latin-1") == [("1", "ok\nstill ok é")]


def test_csv_utf16(tmp_path):
    p = write(tmp_path / "a.csv", "text\nhéllo\n".encode("utf-16"))
    assert "utf-16" in error(iter_documents, p)
    assert docs(p, encoding="utf-16") == [("1", "héllo")]


def test_csv_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"text\nab\n")))
    assert docs("-", "csv") == [("1", "ab")]


# ---------------------------------------------------------------------------- jsonl


def test_jsonl_fields_ids_blank_lines_and_null(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"text": "one", "id": 7}\n\n{"id": "b", "text": null}\n')
    assert docs(p) == [("1", "one"), ("2", "")]
    assert docs(p, id_field="id") == [("7", "one"), ("b", "")]


def test_jsonl_custom_text_field(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"body": "x y"}\n')
    assert docs(p, text_field="body") == [("1", "x y")]


def test_jsonl_bad_json_has_the_line(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"text": "a"}\n{"text": "b",}\n')
    message = error(iter_documents, p)
    assert "a.jsonl, line 2: not valid JSON" in message


def test_jsonl_missing_field_has_the_line_and_fields(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"text": "a"}\n{"body": "b"}\n')
    message = error(iter_documents, p)
    assert "line 2: no field 'text'" in message and "'body'" in message
    assert "--text-field" in message


def test_jsonl_missing_id_field(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"text": "a", "id": 1}\n{"text": "b"}\n')
    assert "line 2: no field 'id'" in error(iter_documents, p, id_field="id")


@pytest.mark.parametrize(
    ("line", "expect"),
    [('["a"]', "array, not an object"), ('{"text": 5}', "number, not a string"),
     ('"text"', "string, not an object"), ('{"text": "\\ud800"}', "surrogate")],
)
def test_jsonl_wrong_types(tmp_path, line, expect):
    p = write(tmp_path / "a.jsonl", line + "\n")
    assert expect in error(iter_documents, p)


def test_jsonl_array_file_hint(tmp_path):
    p = write(tmp_path / "a.json", '[\n{"text": "a"}\n]\n')
    assert "JSON array is not JSON Lines" in error(iter_documents, p)


def test_jsonl_empty(tmp_path):
    p = write(tmp_path / "a.jsonl", "")
    assert "is empty" in error(iter_documents, p)


def test_jsonl_deep_nesting_is_an_input_error(tmp_path):
    p = write(tmp_path / "a.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    assert "line 1" in error(iter_documents, p)


# ------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("name", "kwargs", "flag"),
    [("a.txt", {"text_column": "t"}, "--text-column"), ("a.csv", {"text_field": "t"},
     "--text-field"), ("a.jsonl", {"glob": "*"}, "--glob"), ("a.txt", {"vocab": "v"},
     "--vocab"), ("a.jsonl", {"id_column": "t"}, "--id-column")],
)
def test_options_of_other_formats_are_refused(tmp_path, name, kwargs, flag):
    p = write(tmp_path / name, "x\n")
    assert flag in error(iter_documents, p, **kwargs)


def test_count_format_has_no_text(tmp_path):
    p = write(tmp_path / "a.dat", "1 0:1\n")
    assert "word counts, not text" in error(iter_documents, p)


# ----------------------------------------------------------------------------- lda-c


@pytest.fixture()
def vocab4(tmp_path) -> Path:
    return write(tmp_path / "vocab.txt", "apple\nbanana\ncherry\ndate\n")


def test_ldac_reads_counts_and_sums_repeated_ids(tmp_path, vocab4):
    p = write(tmp_path / "c.dat", "2 0:3 2:1\n\n0\n3 1:1 1:2 3:4\n")
    m = read_count_matrix(p)
    assert m.words == ["apple", "banana", "cherry", "date"]
    assert m.doc_ids == ["1", "2", "3"]
    np.testing.assert_array_equal(m.counts.toarray(), [[3, 0, 1, 0], [0, 0, 0, 0], [0, 3, 0, 4]])
    assert m.counts.has_canonical_format


def test_ldac_explicit_vocab_and_gzip(tmp_path, vocab4):
    other = write(tmp_path / "words.txt", "x\ny\n")
    p = write(tmp_path / "c.dat.gz", gzip.compress(b"1 1:5\n"))
    m = read_count_matrix(p, vocab_path=other)
    assert m.words == ["x", "y"] and m.counts.toarray().tolist() == [[0, 5]]


@pytest.mark.parametrize(
    ("text", "expect"),
    [("2 0:1\n", "line 1: it starts with N = 2 but has 1 pairs"),
     ("1 0:1\n1 0-1\n", "line 2: '0-1' is not a pair"),
     ("1 0:1:2\n", "'0:1:2' is not a pair"), ("x 0:1\n", "'x' is not a number of pairs"),
     ("1 0:-1\n", "'0:-1' is not a pair"), ("1 a:1\n", "'a:1' is not a pair"),
     ("1 0:1\n1 4:1\n", "line 2: word id 4 is beyond the vocabulary"),
     ("1 0:99999999999999999999999\n", "is not a pair")],
)
def test_ldac_malformed_lines(tmp_path, vocab4, text, expect):
    p = write(tmp_path / "c.dat", text)
    message = error(read_count_matrix, p)
    assert expect in message and "c.dat" in message


def test_ldac_empty_file(tmp_path, vocab4):
    p = write(tmp_path / "c.dat", "")
    assert "is empty" in error(read_count_matrix, p)


def test_ldac_without_a_vocabulary(tmp_path):
    p = write(tmp_path / "c.dat", "1 0:1\n")
    assert "--vocab" in error(read_count_matrix, p)


def test_vocab_file_problems(tmp_path):
    p = write(tmp_path / "c.dat", "1 0:1\n")
    assert "not found" in error(read_count_matrix, p, vocab_path=tmp_path / "nope.txt")
    write(tmp_path / "v.txt", "a\n\nb\n")
    assert "v.txt, line 2: a blank line" in error(read_count_matrix, p, vocab_path=tmp_path
                                                  / "v.txt")
    write(tmp_path / "v.txt", "")
    assert "is empty" in error(read_vocab, tmp_path / "v.txt")
    write(tmp_path / "v.txt", b"a\n\xff\n")
    assert "v.txt, line 2" in error(read_vocab, tmp_path / "v.txt")


def test_vocab_trailing_blank_lines_and_spaces(tmp_path):
    assert read_vocab(write(tmp_path / "v.txt", " a \r\nb\n\n\n")) == ["a", "b"]
    assert read_vocab(write(tmp_path / "v.txt", "é\n".encode("latin-1")),
                      encoding="latin-1") == ["é"]


def test_duplicate_vocabulary_words_are_merged(tmp_path):
    write(tmp_path / "vocab.txt", "a\nb\na\n")
    m = read_count_matrix(write(tmp_path / "c.dat", "2 0:1 2:2\n1 1:1\n"))
    assert m.words == ["a", "b"] and m.counts.toarray().tolist() == [[3, 0], [0, 1]]


@pytest.mark.skipif(not (AP_DIR / "ap.dat").exists(), reason="AP corpus absent")
def test_ldac_ap_corpus_matches_the_reference_reader():
    from conftest import read_lda_c

    m = read_count_matrix(AP_DIR / "ap.dat")
    expected = read_lda_c(AP_DIR / "ap.dat", len(m.words))
    assert m.counts.shape == (2246, 10473)
    assert (m.counts != expected).nnz == 0


# ------------------------------------------------------------------------------- UCI


def test_uci_reads_and_finds_its_vocabulary(tmp_path):
    write(tmp_path / "vocab.kos.txt", "a\nb\nc\n")
    p = write(tmp_path / "docword.kos.txt", "3\n3\n4\n1 1 2\n1 3 1\n3 2 5\n1 1 1\n")
    m = read_count_matrix(p)
    assert m.words == ["a", "b", "c"]
    np.testing.assert_array_equal(m.counts.toarray(), [[3, 0, 1], [0, 0, 0], [0, 5, 0]])


@pytest.mark.parametrize(
    ("text", "expect"),
    [("3 3 1\n1 1 1\n", "line 1: expected the number of documents D alone"),
     ("2\n4\n1\n1 1 1\n", "line 2: the header says 4 words but"),
     ("2\n3\n2\n1 1 1\n", "has 1 entries but its header says NNZ = 2"),
     ("2\n3\n1\n3 1 1\n", "line 4: document id 3 is outside 1 to 2"),
     ("2\n3\n1\n1 4 1\n", "line 4: word id 4 is beyond the vocabulary"),
     ("2\n3\n1\n1 0 1\n", "line 4: word id 0 is below 1"),
     ("2\n3\n2\n1 1 1\n2 1 x\n", "line 5: the count 'x' is not a whole number"),
     ("2\n3\n1\n1 1\n", "line 4: 2 fields instead of 3"),
     ("2\n3\n1\n1 1 -2\n", "line 4: the count '-2' is negative"),
     ("2\n3\n", "ends before the number of entries NNZ"),
     ("", "is empty")],
)
def test_uci_malformed(tmp_path, text, expect):
    write(tmp_path / "vocab.x.txt", "a\nb\nc\n")
    p = write(tmp_path / "docword.x.txt", text)
    message = error(read_count_matrix, p)
    assert expect in message


def test_uci_error_line_numbers_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_CHUNK_LINES", 7)
    write(tmp_path / "vocab.x.txt", "a\nb\n")
    lines = [f"{d} {1 + d % 2} 1" for d in range(1, 31)]
    lines[22] = "23 3 1"  # file line 26
    p = write(tmp_path / "docword.x.txt", "30\n2\n30\n" + "\n".join(lines) + "\n")
    assert "line 26: word id 3 is beyond" in error(read_count_matrix, p)
    lines[22] = "23 2 1"
    write(p, "30\n2\n30\n" + "\n".join(lines) + "\n")
    m = read_count_matrix(p)
    assert m.counts.shape == (30, 2) and m.counts.sum() == 30


def test_uci_implausible_document_count(tmp_path):
    write(tmp_path / "vocab.x.txt", "a\n")
    p = write(tmp_path / "docword.x.txt", "2000000000\n1\n1\n1 1 1\n")
    assert "header looks wrong" in error(read_count_matrix, p)


# ----------------------------------------------------------------------- Matrix Market


def test_mtx_integer_real_pattern_and_comments(tmp_path, vocab4):
    body = "% comment\n\n2 4 3\n1 1 2\n2 4 1\n%late\n1 2 1\n"
    p = write(tmp_path / "m.mtx", "%%MatrixMarket matrix coordinate integer general\n" + body)
    np.testing.assert_array_equal(read_count_matrix(p).counts.toarray(),
                                  [[2, 1, 0, 0], [0, 0, 0, 1]])
    write(p, "%%MatrixMarket matrix coordinate real general\n" + body.replace("1 1 2", "1 1 2.5"))
    assert read_count_matrix(p).counts[0, 0] == 2.5
    write(p, "%%matrixmarket MATRIX coordinate pattern general\n2 4 2\n1 1\n2 3\n")
    np.testing.assert_array_equal(read_count_matrix(p).counts.toarray(),
                                  [[1, 0, 0, 0], [0, 0, 1, 0]])


def test_mtx_written_by_scipy(tmp_path, vocab4):
    import scipy.io

    X = sp.random(5, 4, density=0.5, format="coo", random_state=0)
    X.data = np.round(X.data * 10) + 1
    scipy.io.mmwrite(tmp_path / "s.mtx", X)
    m = read_count_matrix(tmp_path / "s.mtx")
    np.testing.assert_array_equal(m.counts.toarray(), X.toarray())


@pytest.mark.parametrize(
    ("text", "expect"),
    [("2 4 1\n1 1 1\n", "line 1: not a Matrix Market header"),
     ("%%MatrixMarket matrix array integer general\n", "'array' is not supported"),
     ("%%MatrixMarket matrix coordinate complex general\n", "'complex' is not supported"),
     ("%%MatrixMarket matrix coordinate integer symmetric\n", "'symmetric' is not supported"),
     ("%%MatrixMarket matrix coordinate integer general\n4 2 0\n", "looks transposed"),
     ("%%MatrixMarket matrix coordinate integer general\n2 4\n", "line 2: expected the size"),
     ("%%MatrixMarket matrix coordinate integer general\n2 4 1\n1 5 1\n",
      "line 3: word id 5 is beyond the vocabulary"),
     ("%%MatrixMarket matrix coordinate integer general\n2 4 1\n1 1 1.5\n",
      "line 3: the count '1.5' is not a whole number"),
     ("%%MatrixMarket matrix coordinate real general\n2 4 1\n1 1 nan\n",
      "line 3: the count 'nan' is negative or not finite"),
     ("%%MatrixMarket matrix coordinate real general\n2 4 1\n1.5 1 1\n",
      "line 3: '1.5' is not a whole-number id")],
)
def test_mtx_malformed(tmp_path, vocab4, text, expect):
    p = write(tmp_path / "m.mtx", text)
    assert expect in error(read_count_matrix, p)


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
    assert "min_df=2" in message and "--min-df" in message


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
    assert "--text-column" in error(load_corpus, p, text_column="body")


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


# --------------------------------------------------------------------------- writers


def _random_counts(seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    X = sp.random(7, 5, density=0.4, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 9)
    return X


@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_write_ldac_round_trip(tmp_path, suffix):
    X = _random_counts(1).tolil()
    X[3, :] = 0  # an empty document
    X = X.tocsr()
    write(tmp_path / "vocab.txt", "a\nb\nc\nd\ne\n")
    write_ldac(tmp_path / f"x.dat{suffix}", X)
    m = read_count_matrix(tmp_path / f"x.dat{suffix}")
    np.testing.assert_array_equal(m.counts.toarray(), X.toarray())
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("values", ["integer", "real"])
def test_write_mtx_round_trip(tmp_path, values):
    X = _random_counts(2)
    if values == "real":
        X.data = X.data / 3
    write(tmp_path / "vocab.txt", "a\nb\nc\nd\ne\n")
    write_mtx(tmp_path / "x.mtx", X)
    assert (tmp_path / "x.mtx").read_text().startswith(
        f"%%MatrixMarket matrix coordinate {values} general")
    m = read_count_matrix(tmp_path / "x.mtx")
    np.testing.assert_array_equal(m.counts.toarray(), X.toarray())


def test_write_ldac_refuses_fractions():
    with pytest.raises(ValueError):
        write_ldac("unused.dat", np.array([[0.5]]))


# ------------------------------------------------------------------ through the CLI

THEMES = ["apple banana cherry orchard fruit", "engine piston wheel gearbox diesel",
          "galaxy planet orbit telescope comet"]
FIT = ["-k", "2", "--max-iter", "3", "-q", "--min-df", "1", "--max-df", "1.0"]


def fit_ids(*args) -> list[str]:
    """Run ``lda-vi fit ... --doc-topics`` and return the doc ids of the CSV."""
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    out = Path(args[0]).parent / "theta.out.csv"
    result = CliRunner().invoke(cli, ["fit", *map(str, args), *FIT, "--doc-topics", str(out),
                                      "--force"])
    assert result.exit_code == 0, result.output
    return [line.split(",")[0] for line in out.read_text().splitlines()[1:]]


def test_cli_csv_columns(tmp_path):
    rows = "".join(f'd{i},"{THEMES[i % 3]}",x\n' for i in range(6))
    p = write(tmp_path / "a.csv", "key,body,other\n" + rows)
    assert fit_ids(p, "--text-column", "body", "--id-column", "key") == [
        f"d{i}" for i in range(6)]


def test_cli_jsonl_fields_gzipped(tmp_path):
    import json

    lines = "".join(json.dumps({"n": i, "t": THEMES[i % 3]}) + "\n" for i in range(6))
    p = write(tmp_path / "a.jsonl.gz", gzip.compress(lines.encode()))
    assert fit_ids(p, "--text-field", "t", "--id-field", "n") == [str(i) for i in range(6)]


def test_cli_dir_with_glob(tmp_path):
    for i in range(6):
        write(tmp_path / "docs" / f"g{i % 2}" / f"{i}.md", THEMES[i % 3])
    write(tmp_path / "docs" / "skip.txt", "not this")
    ids = fit_ids(tmp_path / "docs", "--glob", "**/*.md")
    assert ids == sorted(f"g{i % 2}/{i}.md" for i in range(6))


@pytest.mark.parametrize("fmt", ["ldac", "uci", "mtx"])
def test_cli_count_formats_and_transform(tmp_path, fmt):
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    X = sp.csr_matrix(np.kron(np.eye(3), np.ones((2, 4))) * 3)  # 6 docs, 12 words, 3 themes
    words = write(tmp_path / "words.txt", "".join(f"w{i}\n" for i in range(12)))
    if fmt == "ldac":
        p = tmp_path / "c.dat"
        write_ldac(p, X)
    elif fmt == "mtx":
        p = tmp_path / "c.mtx.gz"
        write_mtx(p, X)
    else:
        p = tmp_path / "docword.c.txt"
        coo = X.tocoo()
        body = "".join(f"{r + 1} {c + 1} {int(v)}\n" for r, c, v in
                       zip(coo.row, coo.col, coo.data, strict=True))
        write(p, f"6\n12\n{coo.nnz}\n{body}")
    assert fit_ids(p, "--vocab", words) == [str(i) for i in range(1, 7)]
    model = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(cli, ["fit", str(p), "--vocab", str(words), *FIT, "-o", str(model)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["transform", str(model), str(p), "--vocab", str(words),
                                 "--doc-topics", str(tmp_path / "t.csv"), "-q"])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "t.csv").read_text().splitlines()) == 7
