"""Tests of lda_vi.io.record_readers: CSV, TSV and JSON Lines."""

from __future__ import annotations

import io
import sys
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from io_testing import docs, error, write

from lda_vi.io.text_readers import iter_documents

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
    assert "with text_column" in message


def test_csv_missing_id_column(tmp_path):
    p = write(tmp_path / "a.csv", "id,text\n1,x\n")
    assert "fix id_column" in error(iter_documents, p, id_column="key")


def test_csv_semicolons_hint(tmp_path):
    p = write(tmp_path / "a.csv", "id;text\n1;x\n")
    assert "separated by something else" in error(iter_documents, p)


@pytest.mark.parametrize("name,body,fmt,hint", [
    ("a.csv", "id,text\n1,x\n", "tsv", "comma-separated files need fmt='csv')"),
    ("a.tsv", "id\ttext\n1\tx\n", "csv", "tab-separated files need fmt='tsv')"),
    ("a.csv", "id;text\n1;x\n", "tsv", "something else? comma-separated files need fmt='csv'"),
    ("a.csv", "id;text\n1;x\n", "csv", "something else? tab-separated files need fmt='tsv'"),
])
def test_one_column_hint_names_the_other_format(tmp_path, name, body, fmt, hint):
    """Never the format given: a comma-separated file read as TSV is told to use csv."""
    message = error(iter_documents, write(tmp_path / name, body), fmt)
    assert hint in message, message
    assert f"need fmt='{fmt}'" not in message


def test_column_list_is_cut_short(tmp_path):
    """A plain text file read as CSV: its first document is no list of columns to show."""
    line = ", ".join(["word " * 80] * 40)              # 40 "columns" of 400 characters
    message = error(iter_documents, write(tmp_path / "a.txt", line + "\nmore\n"), "csv")
    assert f"'{('word ' * 80)[:30]}'…, " in message and "… (40 columns)" in message
    assert message.count("'word") == 1 and message.count("' word") == 4
    assert len(message) < 400


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
    assert "a.csv, line 3, byte 10" in message and "encoding='latin-1'" in message
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
    assert "with text_field" in message


def test_jsonl_missing_id_field(tmp_path):
    p = write(tmp_path / "a.jsonl", '{"text": "a", "id": 1}\n{"text": "b"}\n')
    assert "line 2: no field 'id'" in error(iter_documents, p, id_field="id")


@pytest.mark.parametrize(("value", "expect"), [
    ("null", "line 2: field 'id' is null; ids must be strings or numbers"),
    ("[1]", "line 2: field 'id' is a JSON array; ids must be strings or numbers"),
])
def test_jsonl_id_field_that_is_there_but_no_id(tmp_path, value, expect):
    p = write(tmp_path / "a.jsonl", f'{{"text": "a", "id": 1}}\n{{"id": {value}, "text": "b"}}\n')
    message = error(iter_documents, p, id_field="id")
    assert expect in message and "no field" not in message, message


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




def test_csv_unterminated_quote_names_its_line(tmp_path):
    p = write(tmp_path / "a.csv", 'id,text\n1,"apple pie\n2,banana split\n3,cherry tart\n')
    message = error(docs, p)
    assert "line 2: a quoted field" in message and "never closed" in message
    assert "pruning" not in message
    p = write(tmp_path / "b.csv", 'text\n"no newline at the end')
    assert "line 2: a quoted field" in error(docs, p)
    p = write(tmp_path / "c.csv", 'text\n"quoted ""inner"" and\na newline"\n')
    assert docs(p) == [("1", 'quoted "inner" and\na newline')]


@settings(max_examples=60, deadline=None)
@given(before=st.lists(st.text(alphabet='ab ,\n"', max_size=8), max_size=5),
       after=st.lists(st.text(alphabet="ab ", min_size=1, max_size=8), max_size=5),
       opened=st.text(alphabet="ab ,\n", max_size=8))
def test_csv_an_unclosed_quote_is_reported_at_its_record(tmp_path_factory, before, after,
                                                         opened):
    """Valid records, then a record whose quote never closes, then quote-free lines: the
    error names the line that record starts on; nothing is swallowed silently."""
    import csv as csv_module
    import io as io_module

    buffer = io_module.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\n")
    writer.writerow(["text"])
    for text in before:
        writer.writerow([text])
    head = buffer.getvalue()
    line = head.count("\n") + 1
    body = head + '"' + opened + "\n" + "".join(f"{t}\n" for t in after)
    p = write(tmp_path_factory.mktemp("q") / "f.csv", body)
    message = error(docs, p)
    assert f"line {line}: a quoted field" in message
