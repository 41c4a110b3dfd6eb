"""Bad input through the CLI: one line ``error: ...`` on stderr, exit code 2, no traceback and
no output file; and the few cases that only warn (exit 0)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli
from lda_vi.evaluate import workflow as workflow_module

THEMES = ["apple banana cherry orchard fruit harvest", "engine piston wheel gearbox diesel",
          "galaxy planet orbit telescope comet nebula"]
FAST = ["-k", "2", "--max-iter", "3", "-q"]


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text("\n".join(THEMES[i % 3] for i in range(12)) + "\n", encoding="utf-8")
    return path


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args])


def fails(result, *expected: str) -> str:
    """Assert exit 2 with exactly one line 'error: ...' containing ``expected``; return it."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ------------------------------------------------------------------------- paths


def test_missing_path(tmp_path):
    fails(run("fit", tmp_path / "nope.txt"), "nope.txt not found")


def test_directory_without_matching_files(tmp_path):
    write(tmp_path / "docs" / "a.md", "text")
    fails(run("fit", tmp_path / "docs"), "no files matching '**/*.txt'", "--glob")


def test_empty_file(tmp_path):
    fails(run("fit", write(tmp_path / "e.txt", "")), "e.txt is empty")


def test_empty_stdin():
    result = CliRunner().invoke(cli, ["fit", "-"], input="")
    fails(result, "standard input is empty")


def test_unknown_format_is_a_usage_error(good):
    result = run("fit", good, "--format", "xml")
    assert result.exit_code == 2 and "Traceback" not in result.output


# ------------------------------------------------------------------- empty corpus


def test_corpus_emptied_by_stopwords_names_the_settings(tmp_path):
    path = write(tmp_path / "stop.txt", "the and of\nit is a we\n")
    fails(run("fit", path), "no words left", "--no-stopwords", "--min-length")


def test_corpus_emptied_by_pruning_names_the_settings(good):
    fails(run("fit", good, "--min-df", "100"), "pruning removed every word", "min_df=100",
          "--min-df", "--max-df")


def test_count_corpus_emptied_by_pruning(tmp_path):
    write(tmp_path / "vocab.txt", "a\nb\n")
    path = write(tmp_path / "c.dat", "1 0:1\n1 1:1\n")
    fails(run("fit", path, "--min-df", "2"), "pruning removed every word", "--min-df")


# ----------------------------------------------------------------- bytes and text


def test_non_utf8_names_file_and_line(tmp_path):
    path = write(tmp_path / "latin.txt", "good line\ncaf\xe9 au lait\n".encode("latin-1"))
    fails(run("fit", path), "latin.txt, line 2", "--encoding")


def test_non_utf8_in_csv(tmp_path):
    path = write(tmp_path / "a.csv", "text\ngood\ncaf\xe9\n".encode("latin-1"))
    fails(run("fit", path), "a.csv, line 3", "--encoding")


def test_binary_file(tmp_path):
    path = write(tmp_path / "bin.txt", bytes(range(256)) * 8)
    fails(run("fit", path), "looks like a binary file")


def test_binary_file_as_csv(tmp_path):
    path = write(tmp_path / "bin.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50)
    fails(run("fit", path), "looks like a binary file", "CSV")


def test_damaged_gzip(tmp_path):
    data = gzip.compress(("apple banana cherry\n" * 2000).encode())
    path = write(tmp_path / "docs.txt.gz", data[: len(data) // 2])
    fails(run("fit", path), "docs.txt.gz", "truncated")


# ---------------------------------------------------------------- csv and jsonl


def test_csv_without_the_column_lists_its_columns(tmp_path):
    path = write(tmp_path / "a.csv", "id,body,date\n1,hello,2020\n")
    fails(run("fit", path), "no column 'text'", "'id', 'body', 'date'", "--text-column")


def test_csv_read_as_tsv_is_told_to_use_csv(tmp_path):
    path = write(tmp_path / "g.csv", "id,text\n1,hello world\n")
    line = fails(run("fit", path, "--format", "tsv", *FAST), "its columns are 'id,text'",
                 "comma-separated files need --format csv")
    assert "--format tsv" not in line
    path = write(tmp_path / "g.tsv", "id\ttext\n1\thello world\n")
    fails(run("fit", path, "--format", "csv", *FAST), "tab-separated files need --format tsv")


def test_text_read_as_csv_shows_a_short_column_list(tmp_path):
    sentence = "the pastor said a sixteen-year-old student at the school"
    path = write(tmp_path / "ap50.txt", ", ".join([sentence] * 300) + "\n")
    line = fails(run("fit", path, "--format", "csv", *FAST), f"'{sentence[:30]}'…",
                 "… (300 columns)")
    assert len(line) < 400, line


def test_csv_without_the_id_column(tmp_path):
    path = write(tmp_path / "a.csv", "id,text\n1,hello\n")
    fails(run("fit", path, "--id-column", "key"), "no column 'key'", "--id-column")


def test_jsonl_bad_json_has_the_line(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "a"}\n\n{"text": "b",}\n')
    fails(run("fit", path), "a.jsonl, line 3: not valid JSON")


def test_jsonl_missing_field_has_the_line(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "a"}\n{"body": "b"}\n')
    fails(run("fit", path), "a.jsonl, line 2: no field 'text'", "--text-field")


def test_jsonl_null_id_says_it_is_null(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"id": null, "text": "hello world"}\n')
    line = fails(run("fit", path, "--id-field", "id", *FAST),
                 "a.jsonl, line 1: field 'id' is null; ids must be strings or numbers",
                 "--id-field")
    assert "no field" not in line


def test_options_of_another_format(good):
    fails(run("fit", good, "--text-column", "body"), "--text-column applies to csv or tsv")


# -------------------------------------------------------------------- count files


@pytest.fixture()
def vocab(tmp_path: Path) -> Path:
    return write(tmp_path / "vocab.txt", "apple\nbanana\ncherry\n")


def test_malformed_ldac_line(tmp_path, vocab):
    path = write(tmp_path / "c.dat", "2 0:1 1:2\n2 0:1 1;2\n")
    fails(run("fit", path), "c.dat, line 2", "'1;2' is not a pair")


def test_malformed_uci_line(tmp_path, vocab):
    path = write(tmp_path / "docword.x.txt", "2\n3\n2\n1 1 4\n2 two 1\n")
    fails(run("fit", path, "--vocab", vocab), "docword.x.txt, line 5", "'two'")


def test_malformed_matrix_market_line(tmp_path, vocab):
    path = write(tmp_path / "m.mtx", "%%MatrixMarket matrix coordinate integer general\n"
                                     "2 3 2\n1 1 3\n2 2 3 4\n")
    fails(run("fit", path), "m.mtx, line 4", "4 fields instead of 3")


def test_word_id_beyond_the_vocabulary(tmp_path, vocab):
    path = write(tmp_path / "c.dat", "1 0:1\n1 3:2\n")
    fails(run("fit", path), "c.dat, line 2: word id 3 is beyond the vocabulary",
          "3 words", "--vocab")


def test_word_id_beyond_the_vocabulary_matrix_market(tmp_path, vocab):
    path = write(tmp_path / "m.mtx", "%%MatrixMarket matrix coordinate integer general\n"
                                     "2 3 1\n1 9 3\n")
    fails(run("fit", path), "line 3: word id 9 is beyond the vocabulary")


def test_count_file_without_vocabulary(tmp_path):
    path = write(tmp_path / "c.dat", "1 0:1\n")
    fails(run("fit", path), "needs its vocabulary", "--vocab")


def test_holdout_needs_text(tmp_path, vocab):
    path = write(tmp_path / "c.dat", "1 0:1\n1 1:1\n")
    fails(run("fit", path, "--holdout", "0.5"), "--holdout needs documents as text")


# ----------------------------------------------------------------------- options


def test_k_below_one(good):
    fails(run("fit", good, "-k", "0"), "-k must be a whole number >= 1")


def test_k_larger_than_the_documents_warns(tmp_path):
    path = write(tmp_path / "few.txt", "apple banana grape\nbanana cherry melon\n"
                 "apple cherry lemon\n")
    result = run("fit", path, "-k", "5", "--min-df", "1", "--max-df", "1.0", "--max-iter", "3")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "k=5 is larger than the number of documents (3)" in warnings[0]
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------- outputs


def test_unwritable_output_path(good, tmp_path):
    a_file = write(tmp_path / "plain.txt", "a file, not a folder\n")
    target = a_file / "dir" / "theta.csv"
    fails(run("fit", good, *FAST, "--doc-topics", target), "cannot write", "not a directory")
    fails(run("fit", good, *FAST, "-o", a_file / "model"), "cannot write", "not a directory")
    assert a_file.read_text() == "a file, not a folder\n"


def test_missing_output_folders_are_created(good, tmp_path):
    """Every output file's missing parent folders are created, as -o creates its own."""
    out = tmp_path / "out"
    result = run("fit", good, *FAST, "-o", out, "--doc-topics", out / "dt.csv",
                 "--topic-words", tmp_path / "a" / "b" / "tw.csv")
    assert result.exit_code == 0, result.output
    assert (out / "dt.csv").is_file() and (tmp_path / "a" / "b" / "tw.csv").is_file()
    assert (out / "model.json").is_file()
    assert not list(tmp_path.rglob("*.tmp"))


def test_output_that_exists_is_refused_without_force(good, tmp_path):
    existing = write(tmp_path / "theta.csv", "keep me\n")
    fails(run("fit", good, *FAST, "--doc-topics", existing), "already exists", "--force")
    assert existing.read_text() == "keep me\n"
    result = run("fit", good, *FAST, "--doc-topics", existing, "--force")
    assert result.exit_code == 0, result.output
    assert existing.read_text().startswith("doc_id,topic_0,topic_1")


def test_model_directory_that_exists_is_refused_without_force(good, tmp_path):
    write(tmp_path / "model" / "other.txt", "x")
    fails(run("fit", good, *FAST, "-o", tmp_path / "model"), "not empty", "--force")


def test_no_output_is_written_when_the_input_is_bad(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "apple banana"}\n{"text": 3}\n')
    theta = tmp_path / "theta.csv"
    fails(run("fit", path, "--doc-topics", theta, "-o", tmp_path / "model"), "line 2")
    assert not theta.exists() and not (tmp_path / "model").exists()
    assert list(tmp_path.iterdir()) == [path]


def test_interrupt_exits_130(good, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(workflow_module, "load_corpus", interrupted)
    result = run("fit", good)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output


# --------------------------------------------------------------------- transform


def test_transform_bad_input(good, tmp_path):
    model = tmp_path / "model"
    assert run("fit", good, *FAST, "--min-df", "1", "-o", model).exit_code == 0
    path = write(tmp_path / "new.csv", "body\nhello\n")
    fails(run("transform", model, path, "--doc-topics", tmp_path / "t.csv"), "no column 'text'")
    assert not (tmp_path / "t.csv").exists()
    fails(run("transform", model, tmp_path / "nope.txt", "--doc-topics", tmp_path / "t.csv"),
          "not found")
