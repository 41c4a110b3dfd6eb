"""fit --seed-words, label, show: guided topics and their labels from the terminal."""

from __future__ import annotations

import csv
import json
import shutil
import warnings

import pytest
from io_testing import cli_ok as ok
from io_testing import one_line_error
from io_testing import run_cli as run
from planted import planted_texts

PIPELINE = ["--min-df", "1", "--max-df", "1.0"]


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_seeds")
    (root / "train.txt").write_text("\n".join(planted_texts(0, n_docs=160)) + "\n")
    (root / "seeds.txt").write_text("# two themes\nfirst_theme: zqaa zqab missing1\n"
                                    "second: zqac  # a comment\n")
    with warnings.catch_warnings():
        warnings.simplefilter("always")      # shown even if another test warned alike
        result = ok("fit", root / "train.txt", "-k", 4, "--seed", 0, "-o",
                    root / "model", "--seed-words", root / "seeds.txt", *PIPELINE)
    return root, result


def test_fit_labels_the_seeded_topics_first_everywhere(fitted):
    root, result = fitted
    table = result.stdout.splitlines()
    assert table[0].split()[:3] == ["topic", "label", "share"]
    assert table[2].split()[:2] == ["0", "first_theme"] and table[3].split()[:2] == ["1", "second"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: 1 seed word not in the vocabulary (after tokenizing, stemming "
                        "and pruning), ignored: missing1"]
    header = read_csv(root / "model" / "doc_topics.csv")[0]
    assert header == ["doc_id", "first_theme", "second", "topic_2", "topic_3"]
    rows = read_csv(root / "model" / "topic_words.csv")
    assert rows[0] == ["topic", "rank", "word", "probability", "label"]
    assert {(r[0], r[4]) for r in rows[1:]} == {("0", "first_theme"), ("1", "second"),
                                                ("2", "topic_2"), ("3", "topic_3")}
    run_json = json.loads((root / "model" / "run.json").read_text())
    assert run_json["labels"] == ["first_theme", "second", None, None]
    assert run_json["seeds"]["missing"] == ["missing1"]
    assert json.loads((root / "model" / "model.json").read_text())["labels"][:2] == [
        "first_theme", "second"]


@pytest.fixture()
def model(fitted, tmp_path):
    """A copy of the fitted model, to relabel."""
    copy = tmp_path / "m"
    shutil.copytree(fitted[0] / "model", copy)
    return copy


def test_label_renames_and_show_prints_the_new_name(fitted, model, tmp_path):
    root, _ = fitted
    assert ok("label", model, "1", "gulf_war").stdout == "topic 1: second -> gulf_war\n"
    assert ok("label", model, "first_theme", "oil").stdout == "topic 0: first_theme -> oil\n"
    shown = ok("show", model).stdout.splitlines()
    assert shown[2].split()[:2] == ["0", "oil"] and shown[3].split()[:2] == ["1", "gulf_war"]
    assert ok("show", model, "--topic", 1).stdout.startswith("topic 1 (gulf_war): ")
    ok("transform", model, root / "train.txt", "--doc-topics", tmp_path / "t.csv", "-q")
    assert read_csv(tmp_path / "t.csv")[0] == ["doc_id", "oil", "gulf_war", "topic_2",
                                               "topic_3"]
    auto = ok("label", model, "--auto").stdout.splitlines()
    assert [line.split(":")[0] for line in auto] == ["topic 2", "topic 3"]
    labels = json.loads((model / "model.json").read_text())["labels"]
    assert labels[:2] == ["oil", "gulf_war"] and all(labels[2:])
    assert json.loads((model / "run.json").read_text())["labels"] == labels


@pytest.mark.parametrize("args,fragments", [
    (["1", "oil"], ["'oil' is already topic 0's"]),
    (["9", "x"], ["between 0 and 3"]),
    (["nosuch", "x"], ["topic number (0 to 3) or a topic's name"]),
    (["1", "two words"], ["is not valid"]),
    (["1", "3"], ["label '3' cannot be a number", "topic number"]),
    (["1", " 07 "], ["label '07' cannot be a number"]),
    (["topic_9", "x"], ["between 0 and 3 (got topic_9)"]),
    (["2"], ["give the new NAME"]),
    ([], ["give either TOPIC NAME or --auto"]),
])
def test_label_errors(model, args, fragments):
    ok("label", model, "0", "oil")
    before = (model / "model.json").read_text()
    one_line_error(run("label", model, *args), *fragments)
    assert (model / "model.json").read_text() == before


def test_label_topic_is_a_number_or_topic_n_before_a_label(model):
    # topic_N, the name an unlabelled topic shows, names topic N; so it does once labelled
    assert ok("label", model, "topic_3", "bar").stdout == "topic 3: topic_3 -> bar\n"
    assert ok("label", model, "topic_3", "baz").stdout == "topic 3: bar -> baz\n"
    # a model saved with a label of only digits still loads, and a number is a topic number
    meta = json.loads((model / "model.json").read_text())
    meta["labels"][1] = "3"
    (model / "model.json").write_text(json.dumps(meta))
    assert ok("show", model).stdout.splitlines()[3].split()[:2] == ["1", "3"]
    assert ok("label", model, "3", "foo").stdout == "topic 3: baz -> foo\n"
    assert ok("label", model, "1", "second").stdout == "topic 1: 3 -> second\n"


def test_fit_seed_errors(fitted, tmp_path):
    root, _ = fitted
    train = root / "train.txt"
    one_line_error(run("fit", train, "-k", 1, "--seed-words", root / "seeds.txt", *PIPELINE),
                   "-k counts every topic", "2 seeded topics")
    one_line_error(run("fit", train, "--seed-words", tmp_path / "nope.txt", *PIPELINE),
                   "seed file", "not found")
    (tmp_path / "bad.txt").write_text("no colon here\n")
    one_line_error(run("fit", train, "--seed-words", tmp_path / "bad.txt", *PIPELINE),
                   "line 1: expected 'label: word word")
    (tmp_path / "number.txt").write_text("first_theme: zqaa\n1988: zqac\n")
    one_line_error(run("fit", train, "--seed-words", tmp_path / "number.txt", *PIPELINE),
                   "number.txt, line 2: label '1988' cannot be a number")
    (tmp_path / "gone.txt").write_text("space: nasa shuttle\n")
    one_line_error(run("fit", train, "-q", "--seed-words", tmp_path / "gone.txt", *PIPELINE),
                   "seeded topic 'space': none of its seed words")
    one_line_error(run("fit", train, "--seed-words", root / "seeds.txt", "--seed-strength", 0,
                       *PIPELINE), "--seed-strength must be a finite number > 0")


def test_fit_cvb0_takes_the_seed_words_too(fitted, tmp_path):
    root, _ = fitted
    result = ok("fit", root / "train.txt", "-k", 4, "--seed", 0, "-o", tmp_path / "model",
                "--inference", "cvb0", "--seed-words", root / "seeds.txt", *PIPELINE)
    table = result.stdout.splitlines()
    assert table[2].split()[:2] == ["0", "first_theme"] and table[3].split()[:2] == ["1", "second"]
    run_json = json.loads((tmp_path / "model" / "run.json").read_text())
    assert run_json["labels"] == ["first_theme", "second", None, None]
    assert run_json["seeds"]["topics"][0]["terms"] == ["zqaa", "zqab"]
    assert run_json["inference"] == "cvb0"
    ok("transform", tmp_path / "model", root / "train.txt", "--doc-topics", tmp_path / "t.csv",
       "-q")
    assert read_csv(tmp_path / "t.csv")[0] == ["doc_id", "first_theme", "second", "topic_2",
                                               "topic_3"]
