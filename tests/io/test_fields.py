"""Covariate fields beside the text: CSV/TSV columns, JSONL fields, covariates files."""

import gzip
import json

import pytest

from lda_vi.errors import InputError
from lda_vi.io.fields import align, read_fields, read_fields_file
from lda_vi.io.text_readers import iter_documents


def test_csv_columns_follow_the_documents_order(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text('id,date,text,section\na,1990-01-02,"first, doc",world\n\n'
                    'b,1990-02-03,"second\ndoc",sports\n', encoding="utf-8")
    fields = read_fields(path, ["date", "section"], id_column="id")
    docs = list(iter_documents(path, id_column="id"))
    assert [d for d, _ in docs] == fields.doc_ids == ["a", "b"]
    assert fields.values == {"date": ["1990-01-02", "1990-02-03"],
                             "section": ["world", "sports"]}
    # csv counts a quoted record's lines to its end
    assert [w.rsplit("/", 1)[-1] for w in fields.where] == ["news.csv, line 2",
                                                            "news.csv, line 5"]


def test_jsonl_fields_and_compressed_input(tmp_path):
    path = tmp_path / "docs.jsonl.gz"
    lines = [{"text": "a b", "year": 1990, "group": "x"}, {"text": "c", "year": 1991,
                                                           "group": None}]
    path.write_bytes(gzip.compress("\n".join(json.dumps(x) for x in lines).encode()))
    fields = read_fields(path, ["year", "group"])
    assert fields.values == {"year": ["1990", "1991"], "group": ["x", ""]}


def test_missing_column_or_field_is_one_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("text,date\nhello,1990\n")
    with pytest.raises(InputError, match="no column 'section' for the covariates; its columns"):
        read_fields(path, ["section"])
    j = tmp_path / "d.jsonl"
    j.write_text('{"text": "x", "date": "1990"}\n{"text": "y"}\n')
    with pytest.raises(InputError, match="line 2: no field 'date'"):
        read_fields(j, ["date"])
    t = tmp_path / "plain.txt"
    t.write_text("one doc\n")
    with pytest.raises(InputError, match="covariates_file"):
        read_fields(t, ["date"])


def test_covariates_file_by_position_or_by_id(tmp_path):
    f = tmp_path / "cov.csv"
    f.write_text("date,section\n1990-01-01,a\n1990-01-02,b\n")
    fields = align(read_fields_file(f, None), ["d1", "d2"], "cov.csv")
    assert fields.values["section"] == ["a", "b"] and fields.doc_ids == ["d1", "d2"]
    with pytest.raises(InputError, match="2 rows for 3 documents"):
        align(read_fields_file(f, None), ["1", "2", "3"], "cov.csv")
    g = tmp_path / "ids.tsv"
    g.write_text("id\tdate\nx\t1990-01-05\ny\t1990-01-06\n")
    fields = align(read_fields_file(g, ["date"]), ["y", "x"], "ids.tsv")
    assert fields.values["date"] == ["1990-01-06", "1990-01-05"]
    with pytest.raises(InputError, match="no row for document 'z'"):
        align(read_fields_file(g, ["date"]), ["z"], "ids.tsv")


def test_an_id_given_twice_in_a_covariates_file_is_refused(tmp_path):
    """Matched by id, the second row of an id would be silently dropped: the file's line of
    the second one, the id and the line of the first are named."""
    f = tmp_path / "cov.csv"
    f.write_text("id,date\nx,1990-01-05\ny,1990-01-06\nz,1990-01-07\ny,1991-01-01\n")
    with pytest.raises(InputError, match=r"/cov.csv, line 5: id 'y' is given twice "
                                         r"\(line 3 first\)"):
        read_fields_file(f, ["date"])
    g = tmp_path / "cov.tsv"                     # TSV too, and every column taken
    g.write_text("id\tdate\na\t1990\nb\t1991\na\t1992\n")
    with pytest.raises(InputError, match=r"cov.tsv, line 4: id 'a' is given twice \(line 2"):
        read_fields_file(g, None)
    plain = tmp_path / "plain.csv"               # no id column: rows by position, may repeat
    plain.write_text("date\n1990\n1990\n")
    assert align(read_fields_file(plain, None), ["a", "a"], "plain.csv").values == {
        "date": ["1990", "1990"]}


def test_a_covariates_file_is_not_matched_by_id_to_a_corpus_with_repeated_ids(tmp_path):
    f = tmp_path / "cov.csv"
    f.write_text("id,date\nx,1990-01-05\ny,1990-01-06\n")
    with pytest.raises(InputError, match="the corpus has more than one document with id 'x', "
                                         "so the rows of cov.csv cannot be matched"):
        align(read_fields_file(f, ["date"]), ["x", "y", "x"], "cov.csv")


def test_a_corpus_with_repeated_ids_keeps_its_own_columns_in_order(tmp_path):
    """A corpus's own columns are its documents' rows, in order: two documents with one id
    keep their own values (matching by id gave both the last one's)."""
    path = tmp_path / "news.csv"
    path.write_text("id,date,text\na,1990-01-01,one\nb,1990-01-02,two\n"
                    "a,1990-01-03,three\n", encoding="utf-8")
    fields = read_fields(path, ["date"], id_column="id")
    ids = [d for d, _ in iter_documents(path, id_column="id")]
    assert align(fields, ids, "news.csv").values["date"] == ["1990-01-01", "1990-01-02",
                                                             "1990-01-03"]
    # matched by id to some of the documents (say a model's training documents): ambiguous
    with pytest.raises(InputError, match=r"news.csv, line 4: id 'a' is given twice "
                                         r"\(line 2 first\)"):
        align(fields, ["b", "a"], "news.csv")
    with pytest.raises(InputError, match="the corpus has more than one document with id 'a'"):
        align(fields, ["a", "a"], "news.csv")
