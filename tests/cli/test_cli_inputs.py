"""Tests of every input format through the CLI."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from io_testing import write

from lda_vi.io.writers import write_ldac, write_mtx

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


def _report_snippets(page: str) -> list[str | None]:
    import json
    import re

    match = re.search(r'<script type="application/json" id="lda-data">(.*?)</script>', page,
                      re.S)
    assert match, "the page has no data block"
    return [d["text"] for t in json.loads(match.group(1))["topics"] for d in t["docs"]]


@pytest.mark.parametrize("kind", ["csv", "gz", "jsonl.bz2"])
def test_cli_report_docs_reads_what_fit_read(tmp_path, kind):
    """report --docs goes through the one document reader: CSV and compressed corpora
    give the representative documents' snippets."""
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    texts = [f"{THEMES[i % 3]} {THEMES[i % 3].split()[i % 5]} doc{i}" for i in range(9)]
    if kind == "csv":
        p = write(tmp_path / "a.csv", "key,body\n" + "".join(
            f'k{i},"{t}"\n' for i, t in enumerate(texts)))
        options = ["--text-column", "body", "--id-column", "key"]
    elif kind == "gz":
        p = write(tmp_path / "a.txt.gz", gzip.compress("\n".join(texts).encode()))
        options = []
    else:
        import json

        lines = "".join(json.dumps({"t": t}) + "\n" for t in texts)
        p = write(tmp_path / "a.jsonl.bz2", bz2.compress(lines.encode()))
        options = ["--text-field", "t"]
    runner = CliRunner()
    model = tmp_path / "model"
    result = runner.invoke(cli, ["fit", str(p), *options, *FIT, "-o", str(model)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "r.html"
    result = runner.invoke(cli, ["report", str(model), "-o", str(out), "--docs", str(p),
                                 *options])
    assert result.exit_code == 0, result.output
    snippets = _report_snippets(out.read_text(encoding="utf-8"))
    assert snippets and all(s is not None for s in snippets)
    assert all(s in texts for s in snippets)  # short documents: the snippet is the text


def test_cli_report_reader_options_need_docs(tmp_path):
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    p = write(tmp_path / "a.txt", "\n".join(THEMES * 2) + "\n")
    model = tmp_path / "model"
    runner = CliRunner()
    assert runner.invoke(cli, ["fit", str(p), *FIT, "-o", str(model)]).exit_code == 0
    result = runner.invoke(cli, ["report", str(model), "-o", str(tmp_path / "r.html"),
                                 "--text-column", "body"])
    assert result.exit_code == 2 and "give --docs CORPUS" in result.stderr
    result = runner.invoke(cli, ["report", str(model), "-o", str(tmp_path / "r.html"),
                                 "--docs", str(p), "--text-column", "body"])
    assert result.exit_code == 2 and "--text-column applies to csv or tsv" in result.stderr


def test_cli_count_formats_keep_the_vocabulary_as_given(tmp_path):
    """lda-c with a vocabulary is not pruned by default: a word in every document and a word
    in none stay; the unused word's λ stays at η; held-out documents using it are not OOV."""
    import json

    from click.testing import CliRunner

    from lda_vi.cli.app import cli
    from lda_vi.model.lda import LDA

    X = sp.lil_matrix(np.kron(np.eye(3), np.ones((2, 4))) * 3)  # 6 docs, words 0..11
    X = sp.hstack([X, np.ones((6, 1)), np.zeros((6, 1))]).tocsr()  # 12: everywhere, 13: unused
    words = write(tmp_path / "words.txt", "".join(f"w{i}\n" for i in range(14)))
    train, test = tmp_path / "train.dat", tmp_path / "test.dat"
    write_ldac(train, X)
    write_ldac(test, sp.csr_matrix(np.r_[np.zeros(13), 2.0][None, :] + X[:1].toarray()))
    runner = CliRunner()
    model_dir = tmp_path / "m"
    result = runner.invoke(cli, ["fit", str(train), "--vocab", str(words), "-k", "3",
                                 "--eta", "0.05", "--max-iter", "5", "-q", "-o",
                                 str(model_dir), "--all-words"])
    assert result.exit_code == 0, result.output
    table = (model_dir / "topic_words.csv").read_text().splitlines()[1:]
    assert {line.split(",")[2] for line in table} == {f"w{i}" for i in range(14)}
    model = LDA.load(model_dir)
    assert len(model.vocab) == 14
    np.testing.assert_array_equal(model.lam[:, 13], np.full(3, 0.05))  # λ_kw = η
    result = runner.invoke(cli, ["evaluate", str(model_dir), str(test), "--vocab", str(words),
                                 "--json", str(tmp_path / "e.json")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "e.json").read_text())["oov_tokens"] == 0
    result = runner.invoke(cli, ["fit", str(train), "--vocab", str(words), "-k", "3",
                                 "--max-iter", "5", "-q", "--min-df", "1", "--topic-words",
                                 str(tmp_path / "tw.csv"), "--all-words"])
    assert result.exit_code == 0, result.output
    pruned = {line.split(",")[2] for line in (tmp_path / "tw.csv").read_text().splitlines()[1:]}
    assert pruned == {f"w{i}" for i in range(13)}  # only the flag given applies: max_df 1.0


@pytest.mark.parametrize("options,named", [
    (["--stopwords", "{stop}"], "--stopwords applies to text"),
    (["--min-length", "5"], "--min-length applies to text"),
    (["--language", "de", "--stem", "snowball"], "--language and --stem apply to text"),
    (["--no-stopwords"], "--no-stopwords applies to text"),
])
def test_cli_count_formats_refuse_the_text_options(tmp_path, options, named):
    """Counts are tokenized already: a tokenizer option would silently do nothing."""
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    words = write(tmp_path / "vocab.txt", "".join(f"w{i}\n" for i in range(6)))
    stop = write(tmp_path / "stop.txt", "w1\n")
    write_ldac(tmp_path / "c.dat", sp.csr_matrix(np.ones((4, 6))))
    args = [a.format(stop=stop) for a in options]
    result = CliRunner().invoke(cli, ["fit", str(tmp_path / "c.dat"), "--vocab", str(words),
                                      "-k", "2", "-q", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {named}"), lines


def test_cli_count_seed_words_are_the_vocabulary_words_as_written(tmp_path):
    """A count file's words ('ms', 'new', 'Covid19') are seeds as written, though the text
    tokenizer would drop them (too short, a stopword, a digit)."""
    import json

    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    words = write(tmp_path / "vocab.txt", "ms\nnew\nCovid19\nriver\nlake\nboat\n")
    X = sp.csr_matrix(np.kron(np.eye(2), np.ones((5, 3))) * 2)
    write_ldac(tmp_path / "c.dat", X)
    seeds = write(tmp_path / "seeds.txt", "people: ms new Covid19\n")
    result = CliRunner().invoke(cli, ["fit", str(tmp_path / "c.dat"), "--vocab", str(words),
                                      "-k", "2", "--seed", "0", "--max-iter", "5",
                                      "--seed-words", str(seeds), "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    record = json.loads((tmp_path / "m" / "run.json").read_text())["seeds"]
    assert record["topics"][0]["terms"] == ["ms", "new", "Covid19"] and record["missing"] == []
