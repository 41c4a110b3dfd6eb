"""Tests of lda_vi.io.counts and count_parsers: lda-c, UCI, Matrix Market, vocabularies."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import scipy.sparse as sp
from io_testing import AP_DIR, error, write

from lda_vi.errors import InputError
from lda_vi.io import count_blocks, count_parsers
from lda_vi.io.counts import read_count_matrix, read_vocab

# ----------------------------------------------------------------------------- lda-c


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
    assert "pass vocab FILE" in error(read_count_matrix, p)


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
    monkeypatch.setattr(count_blocks, "BLOCK_BYTES", 16)
    monkeypatch.setattr(count_parsers, "_CHUNK_LINES", 3)
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




def _vocab_line_by_line(path, encoding="utf-8"):
    """The vocabulary reader before it decoded the file whole: its words or its error."""
    from lda_vi.io.decode import check_encoding, guard, open_input, text_lines

    words, blank = [], 0
    try:
        with open_input(str(path)) as stream:
            for lineno, line in guard(text_lines(stream, str(path), encoding,
                                                 check_encoding(encoding), "vocab"), str(path)):
                if not line.strip():
                    blank = blank or lineno
                elif blank:
                    return f"blank line {blank}"
                else:
                    words.append(line.strip())
    except InputError as exc:
        return str(exc)
    return words


@pytest.mark.parametrize("data", [b"a\nb\n", b"\xef\xbb\xbfa\nb", b" a \r\nb\r\n\r\n",
                                  b"a\x0bb\nc\n", b"a\n\xe9t\xc3\n", b"w\xc3\xa9\n\xff\xfe\n",
                                  b"a\nb\0c\n", "\u2028x\ny\n".encode(), b"\n\n"])
def test_vocab_read_whole_equals_line_by_line(tmp_path, data):
    for name, raw in (("v.txt", data), ("v.txt.gz", gzip.compress(data))):
        path = tmp_path / name
        path.write_bytes(raw)
        expected = _vocab_line_by_line(path)
        try:
            got = read_vocab(path)
        except InputError as exc:
            got = str(exc)
        if isinstance(expected, list) and expected:
            assert got == expected, (name, data)
        elif isinstance(expected, str) and expected.startswith("blank line"):
            assert f"line {expected.split()[-1]}: a blank line" in got
        elif isinstance(expected, str):
            assert got == expected, (name, data)
        else:
            assert "is empty" in got
