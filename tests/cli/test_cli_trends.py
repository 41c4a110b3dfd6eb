"""``fit --covariates`` and ``lda-vi trends`` from the command line, as a user runs them."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from planted import generate_covariate_corpus, word

from lda_vi.cli import main as _main  # noqa: F401  (the console script's module)
from lda_vi.cli.app import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def dated_csv(tmp_path_factory):
    """A planted corpus as a CSV of dated, sectioned news: id, date, section, text."""
    X, _, dates, _ = generate_covariate_corpus(np.random.default_rng(1), n_docs=500,
                                               n_words=90)
    path = tmp_path_factory.mktemp("dated") / "news.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["id", "date", "section", "text"])
        for d in range(X.shape[0]):
            row = X.getrow(d)
            tokens = [word(v) for v, c in zip(row.indices, row.data, strict=True)
                      for _ in range(int(c))]
            section = "world" if row.indices.min() < 30 else "sports"
            w.writerow([f"n{d}", str(dates[d]), section, " ".join(tokens)])
    return path


@pytest.fixture(scope="module")
def covariate_model(dated_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "m"
    result = run("fit", dated_csv, "--id-column", "id", "--covariates", "date,section",
                 "-k", 3, "--seed", 0, "--min-df", 1, "--max-df", 1.0, "-o", out, "-q",
                 "--max-iter", 60)
    assert result.exit_code == 0, result.output
    return out


def test_fit_records_the_covariates(covariate_model):
    run_json = json.loads((covariate_model / "run.json").read_text())
    info = run_json["covariates"]
    assert info["names"] == ["date", "section"]
    assert np.asarray(info["weights"]).shape == (3, len(info["columns"]))
    assert (covariate_model / "covariates.json").exists()


def test_trends_by_date_writes_the_table_and_the_picture(covariate_model, tmp_path):
    table, png = tmp_path / "t.csv", tmp_path / "t.png"
    result = run("trends", covariate_model, "--by", "date", "--freq", "quarter",
                 "--csv", table, "--plot", png)
    assert result.exit_code == 0, result.output
    assert "12 periods (1988-Q1 … 1990-Q4), 500 documents" in result.output
    rows = list(csv.DictReader(open(table, encoding="utf-8")))
    assert list(rows[0]) == ["period", "topic", "label", "prevalence", "lower", "upper",
                             "documents", "model"]
    assert len(rows) == 12 * 3
    for r in rows:
        assert float(r["lower"]) <= float(r["prevalence"]) <= float(r["upper"])
        assert 0 < float(r["model"]) < 1
    by_period = {}
    for r in rows:
        by_period.setdefault(r["period"], []).append(float(r["model"]))
    assert all(abs(sum(v) - 1) < 1e-9 for v in by_period.values())   # E[θ | x] sums to 1
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run("trends", covariate_model, "--by", "date", "--csv", table)
    assert again.exit_code == 2 and "--force" in again.output


def test_compare_two_sections(covariate_model):
    result = run("trends", covariate_model, "--by", "section", "--compare", "world", "sports")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("prevalence in 'world' minus 'sports'") and len(lines) == 4
    bad = run("trends", covariate_model, "--by", "section", "--compare", "world", "nope")
    assert bad.exit_code == 2 and "no group 'nope'" in bad.output


def test_trends_of_a_plain_model_read_the_dates_from_the_corpus(dated_csv, tmp_path):
    out = tmp_path / "plain"
    assert run("fit", dated_csv, "--id-column", "id", "-k", 2, "--seed", 0, "--min-df", 1,
               "-o", out, "-q", "--max-iter", 20).exit_code == 0
    missing = run("trends", out, "--by", "date")
    assert missing.exit_code == 2 and "not fitted with 'date'" in missing.output
    assert "with --docs" in missing.output          # the flag, not the library's name
    text = tmp_path / "plain.txt"
    text.write_text("alpha beta\n", encoding="utf-8")
    no_columns = run("trends", out, "--by", "date", "--docs", text)
    assert no_columns.exit_code == 2
    assert "no columns for --by date" in no_columns.output
    assert "(--covariates-file)" in no_columns.output
    table = tmp_path / "p.csv"
    result = run("trends", out, "--by", "date", "--docs", dated_csv, "--id-column", "id",
                 "--freq", "year", "--csv", table)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(table, encoding="utf-8")))
    assert [r["period"] for r in rows[::2]] == ["1988", "1989", "1990"]
    assert all(r["model"] == "" for r in rows)          # no covariates: prevalence only


@pytest.mark.parametrize("source", ["--docs", "--covariates-file"])
@pytest.mark.parametrize("value,message", [
    ("notadate", "line 9: 'notadate' in column 'date' is not a date"),
    ("", "line 9: no value in column 'date'"),
    ("NA", "line 9: 'NA' in column 'date' marks a missing value"),
])
def test_trends_names_the_column_of_a_bad_date(covariate_model, dated_csv, tmp_path, source,
                                               value, message):
    with open(dated_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[8][1] = value                                  # the 8th record, on line 9
    bad = tmp_path / "dated_bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = run("trends", covariate_model, "--by", "date", source, bad, "--id-column", "id")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "'by'" not in lines[0]


@pytest.mark.parametrize("value,message", [
    ("yesterday", "line 6: 'yesterday' in column 'date' is not a date"),
    ("", "line 6: no value in column 'date'"),
    ("NA", "line 6: 'NA' in column 'date' marks a missing value"),
    (" N/A ", "line 6: 'N/A' in column 'date' marks a missing value"),
])
def test_bad_dates_are_one_line_naming_the_line(tmp_path, value, message):
    rows = [f"1990-01-{d:02d},alpha beta gamma delta" for d in range(1, 21)]
    rows[4] = f"{value},beta gamma delta"              # the 5th record, on line 6
    path = tmp_path / "bad.csv"
    path.write_text("date,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("fit", path, "--covariates", "date", "-k", 2, "--min-df", 1, "--max-df", 1.0,
                 "-q")
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_unknown_covariate_column(dated_csv):
    result = run("fit", dated_csv, "--covariates", "year", "-k", 2, "-q")
    assert result.exit_code == 2 and "no column 'year'" in result.output


def test_transform_and_evaluate_use_the_new_documents_covariates(covariate_model, dated_csv,
                                                                  tmp_path):
    plain, own = tmp_path / "plain.csv", tmp_path / "own.csv"
    args = ("--id-column", "id", "-q")
    assert run("transform", covariate_model, dated_csv, "--doc-topics", plain,
               *args).exit_code == 0
    result = run("transform", covariate_model, dated_csv, "--doc-topics", own, "--covariates",
                 *args)
    assert result.exit_code == 0, result.output
    a = np.loadtxt(plain, delimiter=",", skiprows=1, usecols=(1, 2, 3))
    b = np.loadtxt(own, delimiter=",", skiprows=1, usecols=(1, 2, 3))
    assert a.shape == b.shape == (500, 3) and not np.allclose(a, b)
    scored = run("evaluate", covariate_model, dated_csv, "--id-column", "id", "--covariates",
                 "--json", tmp_path / "e.json")
    assert scored.exit_code == 0, scored.output
    figures = json.loads((tmp_path / "e.json").read_text())
    assert figures["oov_tokens"] == 0 and figures["completion_perplexity"] > 1


@pytest.mark.parametrize("args,fragment", [
    (["--seed", "-1"], "--seed must be a whole number >= 0, got -1"),
    (["--draws", "1"], "--draws must be a whole number >= 10, got 1"),
    (["--draws", "99999999999999999999"], "--draws must be a whole number from 10 to"),
    (["--draws", "100000000"], "--draws 100000000 needs"),     # B×P×K floats: hundreds of GiB
])
def test_trends_refuses_bad_seeds_and_draws_in_one_line(covariate_model, tmp_path, args,
                                                        fragment):
    result = run("trends", covariate_model, "--by", "date", *args, "--csv", tmp_path / "t.csv")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options, named", [
    (["--covariate-prior", "2"], "--covariate-prior applies to covariates"),
    (["--time-bins", "4"], "--time-bins applies to covariates"),
    (["--covariate-prior", "0.5", "--time-bins", "3"],
     "--covariate-prior and --time-bins apply to covariates"),
])
def test_covariate_options_without_covariates_are_refused(dated_csv, tmp_path, options,
                                                          named):
    """They would silently change nothing: one line saying what to add or drop."""
    result = run("fit", dated_csv, "-k", 2, "-q", "--topic-words", tmp_path / "tw.csv",
                 *options)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {named}"), lines
    assert "--covariates NAMES" in lines[0]
    assert not (tmp_path / "tw.csv").exists()
    ok = run("fit", dated_csv, "--id-column", "id", "--covariates", "date", "-k", 2, "-q",
             "--max-iter", 3, "--min-df", 1, "--max-df", 1.0, *options)
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("value, message", [
    ("NaN", "line 4: 'NaN' in column 'price' marks a missing value"),
    ("null", "line 4: 'null' in column 'price' marks a missing value"),
    ("cheap", "line 4: 'cheap' in column 'price' is not a number"),
])
def test_a_missing_number_is_named_as_missing(tmp_path, value, message):
    rows = [f"{1.5 * d},alpha beta gamma delta" for d in range(1, 21)]
    rows[2] = f"{value},beta gamma delta"
    path = tmp_path / "prices.csv"
    path.write_text("price,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("fit", path, "--covariates", "price", "-k", 2, "--min-df", 1, "--max-df", 1.0,
                 "-q")
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_na_is_a_category_of_its_own(tmp_path):
    """In a category column "NA" may be a real value (North America): it is kept."""
    rows = [f"{'NA' if d % 2 else 'EU'},alpha beta gamma delta" for d in range(1, 21)]
    path = tmp_path / "regions.csv"
    path.write_text("region,text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("fit", path, "--covariates", "region", "-k", 2, "--min-df", 1, "--max-df",
                 1.0, "-q", "--max-iter", 3)
    assert result.exit_code == 0, result.output


def _covariates_file(dated_csv, path, repeat: int | None = None):
    """dated_csv's id, date and section as a covariates file; ``repeat``: that row's id
    given again on a last line, with other values."""
    rows = list(csv.reader(open(dated_csv, encoding="utf-8")))
    lines = [",".join(row[:3]) for row in rows]
    if repeat is not None:
        lines.append(f"{rows[repeat][0]},1991-06-01,sports")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


@pytest.mark.parametrize("command", ["fit", "transform", "evaluate", "trends"])
def test_an_id_given_twice_in_the_covariates_file_is_one_line(covariate_model, dated_csv,
                                                              tmp_path, command):
    """Every reader of --covariates-file refuses an id given twice: the file, the line of
    the second row, the id and the line of the first."""
    cov, n_lines = _covariates_file(dated_csv, tmp_path / "cov.csv", repeat=1)
    out = tmp_path / "out"
    args = {"fit": ["fit", dated_csv, "--id-column", "id", "-k", 2, "-q", "-o", out],
            "transform": ["transform", covariate_model, dated_csv, "--id-column", "id",
                          "--doc-topics", tmp_path / "dt.csv", "-q"],
            "evaluate": ["evaluate", covariate_model, dated_csv, "--id-column", "id",
                         "--json", tmp_path / "e.json"],
            "trends": ["trends", covariate_model, "--by", "date", "--csv", tmp_path / "t.csv"],
            }[command]
    result = run(*args, "--covariates-file", cov)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {cov}, line {n_lines}: id 'n0' is given twice (line 2 first); "
                     "give each document one row"], lines
    assert list(tmp_path.iterdir()) == [cov]
    ok, _ = _covariates_file(dated_csv, tmp_path / "ok.csv")
    accepted = run(*args, "--covariates-file", ok, "--force")
    assert accepted.exit_code == 0, accepted.output


def test_a_corpus_with_repeated_ids_is_not_matched_to_a_covariates_file_by_id(dated_csv,
                                                                             tmp_path):
    """Two documents of one id would get the one row of that id: refused, naming the id;
    without its 'id' column the file is matched by position and accepted."""
    rows = list(csv.reader(open(dated_csv, encoding="utf-8")))
    rows[3][0] = rows[1][0]                                # documents 1 and 3 are both n0
    corpus = tmp_path / "corpus.csv"
    with open(corpus, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    cov, _ = _covariates_file(dated_csv, tmp_path / "cov.csv")
    result = run("fit", corpus, "--id-column", "id", "-k", 2, "-q", "--covariates-file", cov)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: the corpus has more than one document with id 'n0', so the rows of "
        f"{cov} cannot be matched to its documents by id"), lines
    by_position = tmp_path / "by_position.csv"
    by_position.write_text("\n".join(",".join(row[1:3]) for row in rows) + "\n")
    assert run("fit", corpus, "--id-column", "id", "-k", 2, "-q", "--max-iter", 3,
               "--min-df", 1, "--max-df", 1.0, "--covariates-file", by_position,
               "-o", tmp_path / "m").exit_code == 0
