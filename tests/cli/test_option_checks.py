"""Options that change nothing where they are given, or that contradict each other, are
refused in one line (as --covariate-prior without --covariates is)."""

from __future__ import annotations

import os

import pytest
from io_testing import one_line_error
from io_testing import run_cli as run
from planted import planted_texts

FAST = ["-k", "2", "--max-iter", "3", "--seed", "1", "-q", "--min-df", "1", "--max-df", "1.0"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("options") / "train.txt"
    path.write_text("\n".join(planted_texts(0, n_docs=30)) + "\n")
    return path


@pytest.mark.parametrize("args,fragments", [
    (["--tau0", "5"], ["--tau0 applies with --method online only"]),
    (["--batch-size", "10", "--passes", "2"], ["--batch-size and --passes apply with --method "
                                               "online only", "drop them"]),
    (["--seed-strength", "5"], ["--seed-strength applies with --seed-words FILE only"]),
    (["--phrase-threshold", "0.5"], ["--phrase-threshold applies with --phrases only"]),
    (["--connect-timeout", "3"], ["--connect-timeout applies with --engine dask only"]),
    (["--all-words"], ["--all-words applies with --topic-words FILE or -o DIR only"]),
    (["--no-stopwords", "--replace-stopwords"], ["--no-stopwords and --replace-stopwords "
                                                 "contradict each other"]),
    (["--covariates", ""], ["--covariates needs column names"]),
    (["--covariates", "date,date"], ["'date' more than once"]),
    (["-o", os.devnull], ["is not a folder"]),
])
def test_options_that_would_change_nothing_are_refused(corpus, args, fragments):
    one_line_error(run("fit", corpus, *FAST, *args), *fragments)


def test_the_same_options_where_they_apply_are_taken(corpus, tmp_path):
    for args in (["--method", "online", "--tau0", "5", "--batch-size", "10"],
                 ["--all-words", "--topic-words", tmp_path / "tw.csv"],
                 ["--phrases", "--phrase-threshold", "0.5"]):
        result = run("fit", corpus, *FAST, *args)
        assert result.exit_code == 0, result.output
