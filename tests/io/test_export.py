"""The CSV writers (lda_vi.io.export): numbers read back bit for bit, the same bytes as
csv.writer, one formatting for several files, streamed = whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from lda_vi.io import export


def _awkward_numbers(rng, n: int) -> np.ndarray:
    """Probabilities over many magnitudes, subnormals, round and long decimals."""
    x = rng.random(n) * 10.0 ** rng.integers(-320, 1, n)
    special = [0.0, 1.0, 5e-324, 2.2250738585072014e-308, 1 / 3, 0.1, 1e-5, 0.9999999999999999]
    m = min(n, len(special))
    x[:m] = special[:m]
    return x


def _reference_topic_words(beta, words, top_n, names=None) -> bytes:
    """lda-vi 0.1.0's writer: csv.writer, one row at a time, repr of each number; with the
    ``label`` column of guided topics (the topic's label, or topic_k) last."""
    K, V = beta.shape
    n = V if top_n is None else min(top_n, V)
    order = np.argsort(-beta, axis=1, kind="stable")[:, :n]
    names = names or [f"topic_{k}" for k in range(K)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["topic", "rank", "word", "probability", "label"])
    for k in range(K):
        for rank, w in enumerate(order[k], start=1):
            writer.writerow([k, rank, words[w], repr(float(beta[k, w])), names[k]])
    return buffer.getvalue().encode("utf-8")


def _reference_doc_topics(ids, theta) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["doc_id"] + [f"topic_{j}" for j in range(theta.shape[1])])
    for doc_id, row in zip(ids, theta, strict=True):
        writer.writerow([doc_id] + [repr(float(x)) for x in row])
    return buffer.getvalue().encode("utf-8")


WORDS = ["plain", "comma,word", 'quote"word', "new\nline", "carriage\rreturn", "été", "",
         " spaced ", "naïve-café", "x"]


def test_topic_words_read_back_bit_identically(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    beta = _awkward_numbers(rng, 3 * len(WORDS)).reshape(3, len(WORDS))
    path = tmp_path / "tw.csv"
    export.write_topic_words(path, beta, WORDS, None)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == beta.size
    for row in rows:
        k, word = int(row["topic"]), row["word"]
        value = float(row["probability"])
        expected = beta[k, WORDS.index(word)]
        assert np.float64(value).view(np.int64) == np.float64(expected).view(np.int64)


def test_doc_topics_read_back_bit_identically(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    theta = rng.dirichlet(np.full(7, 0.05), size=200)
    theta[:2] = _awkward_numbers(rng, 14).reshape(2, 7)
    ids = [f"doc{i}" for i in range(200)]
    ids[3], ids[4] = "a,b", 'say "hi"'
    export.write_doc_topics(tmp_path / "dt.csv", ids, theta)
    with open(tmp_path / "dt.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["doc_id"] + [f"topic_{j}" for j in range(7)]
    assert [r[0] for r in rows[1:]] == ids
    back = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    np.testing.assert_array_equal(back.view(np.int64), theta.view(np.int64))


@pytest.mark.parametrize("top_n", [None, 1, 4, 100])
def test_topic_words_bytes_equal_csv_writer(tmp_path: Path, top_n) -> None:
    rng = np.random.default_rng(2)
    beta = rng.dirichlet(np.full(len(WORDS), 0.3), size=4)
    beta[1, 2:5] = beta[1, 6]                              # ties: by lower word id
    export.write_topic_words(tmp_path / "tw.csv", beta, WORDS, top_n)
    assert (tmp_path / "tw.csv").read_bytes() == _reference_topic_words(beta, WORDS, top_n)


def test_labels_name_the_topics_in_both_tables(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    beta = rng.dirichlet(np.ones(len(WORDS)), size=3)
    names = ["gulf_war", "topic_1", "économie-2.0"]
    export.write_topic_words(tmp_path / "tw.csv", beta, WORDS, 4, names)
    assert (tmp_path / "tw.csv").read_bytes() == _reference_topic_words(beta, WORDS, 4, names)
    theta = rng.dirichlet(np.ones(3), size=5)
    ids = [str(i) for i in range(5)]
    export.write_doc_topics(tmp_path / "dt.csv", ids, theta, names)
    export.write_doc_topics_stream(tmp_path / "ds.csv", 3, iter([(ids, theta)]), names)
    expected = _reference_doc_topics(ids, theta).replace(
        b"topic_0,topic_1,topic_2", ",".join(names).encode())
    assert (tmp_path / "dt.csv").read_bytes() == (tmp_path / "ds.csv").read_bytes() == expected


def test_doc_topics_bytes_equal_csv_writer_whole_and_streamed(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    theta = rng.dirichlet(np.ones(5), size=50)
    ids = [f"d{i}" for i in range(49)] + ["odd,\"id\"\n"]
    expected = _reference_doc_topics(ids, theta)
    export.write_doc_topics(tmp_path / "whole.csv", ids, theta)
    chunks = [(ids[a:a + 16], theta[a:a + 16]) for a in range(0, 50, 16)]
    export.write_doc_topics_stream(tmp_path / "streamed.csv", 5, iter(chunks))
    assert (tmp_path / "whole.csv").read_bytes() == expected
    assert (tmp_path / "streamed.csv").read_bytes() == expected


def test_a_table_for_several_files_is_formatted_once(tmp_path: Path, monkeypatch) -> None:
    calls = []
    original = export.float_text

    def counting(x):
        calls.append(np.size(x))
        return original(x)

    monkeypatch.setattr(export, "float_text", counting)
    beta = np.random.default_rng(4).dirichlet(np.ones(len(WORDS)), size=3)
    targets = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"]
    export.write_topic_words(targets, beta, WORDS, None)
    assert calls == [beta.size]
    data = {p.read_bytes() for p in targets}
    assert data == {_reference_topic_words(beta, WORDS, None)}


def test_empty_tables_have_their_header(tmp_path: Path) -> None:
    export.write_topic_words(tmp_path / "tw.csv", np.ones((2, 3)) / 3, ["a", "b", "c"], 0)
    assert (tmp_path / "tw.csv").read_bytes() == b"topic,rank,word,probability,label\r\n"
    export.write_doc_topics(tmp_path / "dt.csv", [], np.zeros((0, 2)))
    assert (tmp_path / "dt.csv").read_bytes() == b"doc_id,topic_0,topic_1\r\n"


def test_mismatched_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="doc_ids has 1 ids for 2 rows"):
        export.write_doc_topics(tmp_path / "dt.csv", ["a"], np.ones((2, 2)) / 2)
    assert not (tmp_path / "dt.csv").exists()


def test_streamed_rows_go_to_several_files_from_one_pass(tmp_path: Path) -> None:
    theta = np.random.default_rng(5).dirichlet(np.ones(3), size=10)
    ids = [str(i) for i in range(10)]
    passes = []

    def chunks():
        passes.append(1)
        yield ids[:4], theta[:4]
        yield ids[4:], theta[4:]

    targets = [tmp_path / "a.csv", tmp_path / "b.csv"]
    export.write_doc_topics_stream(targets, 3, chunks())
    assert len(passes) == 1
    assert {p.read_bytes() for p in targets} == {_reference_doc_topics(ids, theta)}


def _cells(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_topic_table_aligns_wide_labels_and_wraps_wide_words() -> None:
    # Chinese labels take two columns a character: the share column still lines up
    words = [[("应用", 0.1), ("打印机", 0.1)], [("file", 0.2)], [("选项", 0.3)]]
    table = export.format_topic_table(words, np.array([0.2, 0.3, 0.5]),
                                      labels=["打印服务", "files", None])
    lines = table.splitlines()
    share_ends = {_cells(line[:line.index("%") + 1]) for line in lines[2:]}
    assert len(share_ends) == 1, table
    assert _cells(lines[1]) == _cells(lines[0])          # the rule is as wide as the head
    # wrapped on a terminal of 50 columns, no line is wider than 50 columns
    many = [[(f"词语{i:02d}", 0.1) for i in range(30)]]
    wrapped = export.format_topic_table(many, np.array([1.0]), width=50, labels=["选举"])
    assert all(_cells(line) <= 50 for line in wrapped.splitlines()), wrapped


def test_a_large_table_goes_to_every_path_uncopied_with_the_bytes_of_csv_writer(
        tmp_path: Path) -> None:
    """Tables above the compiled writer's threshold are written from its buffer (not
    copied into bytes first): the same bytes in every file, those of csv.writer."""
    rng = np.random.default_rng(5)
    words = [f"w{i}" if i % 7 else f"w,{i}" for i in range(5000)]
    beta = rng.dirichlet(np.full(len(words), 0.1), size=4)
    expected = _reference_topic_words(beta, words, None)
    buffer = export.topic_words_table(beta, words, None, buffer=True)
    assert not isinstance(buffer, bytes) and bytes(buffer) == expected
    assert export.topic_words_table(beta, words, None) == expected
    paths = [tmp_path / "a.csv", tmp_path / "sub" / "b.csv"]
    export.write_topic_words(paths, beta, words, None)
    assert [p.read_bytes() for p in paths] == [expected, expected]
    theta = rng.dirichlet(np.ones(4), size=5000)
    ids = [str(i) for i in range(5000)]
    export.write_doc_topics(paths, ids, theta)
    assert [p.read_bytes() for p in paths] == [_reference_doc_topics(ids, theta)] * 2


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_large_tables_are_the_same_bytes_on_any_number_of_threads(n_threads) -> None:
    from lda_vi import threads

    rng = np.random.default_rng(6)
    words = [f"word{i}" for i in range(3000)]
    beta = rng.dirichlet(np.full(len(words), 0.1), size=7)
    theta = rng.dirichlet(np.ones(7), size=3000)
    theta[:2] = _awkward_numbers(rng, 14).reshape(2, 7)
    ids = [str(i) for i in range(3000)]
    saved = threads.count()
    threads.set_count(n_threads)
    try:
        tables = (export.topic_words_table(beta, words, None),
                  export.doc_topics_table(ids, theta))
    finally:
        threads.set_count(saved)
    assert tables == (_reference_topic_words(beta, words, None), _reference_doc_topics(ids, theta))
