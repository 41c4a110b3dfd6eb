"""Tests of lda_vi.io.detect: format detection and the checks of options."""

from __future__ import annotations

import pytest
from io_testing import docs, error, write

from lda_vi.io.detect import detect_format
from lda_vi.io.text_readers import iter_documents

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




# ------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("a.txt", {"text_column": "t"}), ("a.csv", {"text_field": "t"}), ("a.jsonl", {"glob": "*"}),
     ("a.txt", {"vocab": "v"}), ("a.jsonl", {"id_column": "t"})],
)
def test_options_of_other_formats_are_refused(tmp_path, name, kwargs):
    p = write(tmp_path / name, "x\n")
    (option,) = kwargs
    assert f"{option} applies to" in error(iter_documents, p, **kwargs)


def test_count_format_has_no_text(tmp_path):
    p = write(tmp_path / "a.dat", "1 0:1\n")
    assert "word counts, not text" in error(iter_documents, p)


