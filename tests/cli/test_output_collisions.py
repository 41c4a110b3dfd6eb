"""Outputs that would write over each other, over an input or over a model's own files, and
empty output paths, are refused in one line before anything is read or written; inputs
that are read twice must be regular files (a FIFO would hang the second read)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from io_testing import cli_ok as ok
from io_testing import one_line_error
from io_testing import run_cli as run
from planted import planted_texts

from lda_vi.errors import InputError
from lda_vi.io.collisions import check_outputs

FAST = ["-k", "2", "--max-iter", "3", "--seed", "1", "-q", "--min-df", "1", "--max-df", "1.0"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("collide") / "train.txt"
    path.write_text("\n".join(planted_texts(0, n_docs=40)) + "\n")
    return path


@pytest.fixture(scope="module")
def model(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("collide_model") / "m"
    ok("fit", corpus, *FAST, "-o", out)
    return out


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("flag,name", [("--topic-words", "model.json"),
                                       ("--doc-topics", "vocab.txt"),
                                       ("--doc-topics", "topic_words.csv"),
                                       ("--topic-words", "arrays.npz")])
def test_fit_refuses_an_output_onto_a_file_of_its_own_model(corpus, tmp_path, flag, name):
    out = tmp_path / "col"
    one_line_error(run("fit", corpus, *FAST, "-o", out, flag, out / name),
                   flag, name, "choose another path")
    assert not out.exists()


def test_fit_refusal_leaves_an_existing_model_as_it_was(corpus, model, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(model, copy)
    before = snapshot(copy)
    one_line_error(run("fit", corpus, *FAST, "-o", copy, "--force", "--topic-words",
                       copy / "model.json"), "--topic-words", "model.json")
    assert snapshot(copy) == before


def test_fit_allows_the_same_table_where_o_puts_it_and_other_files_in_o(corpus, tmp_path):
    out = tmp_path / "col"
    ok("fit", corpus, *FAST, "-o", out, "--topic-words", out / "topic_words.csv",
       "--doc-topics", out / "mine.csv")
    assert (out / "mine.csv").read_bytes() == (out / "doc_topics.csv").read_bytes()
    ok("show", out)


def test_two_outputs_on_one_file_or_on_stdout_are_refused(corpus, tmp_path):
    same = tmp_path / "same.csv"
    one_line_error(run("fit", corpus, *FAST, "--doc-topics", same, "--topic-words", same),
                   "--doc-topics and --topic-words name the same file")
    assert not same.exists()
    link = tmp_path / "link.csv"
    os.symlink(same, link)                          # a link to the other output: the same file
    one_line_error(run("fit", corpus, *FAST, "--doc-topics", same, "--topic-words", link),
                   "name the same file")
    one_line_error(run("fit", corpus, *FAST, "--doc-topics", "-", "--topic-words", "-"),
                   "standard output")
    ok("fit", corpus, *FAST, "--doc-topics", os.devnull, "--topic-words", os.devnull)


def test_an_output_onto_an_input_is_refused_and_the_input_kept(corpus, model, tmp_path):
    victim = tmp_path / "victim.txt"
    shutil.copy(corpus, victim)
    before = victim.read_bytes()
    one_line_error(run("fit", victim, *FAST, "--doc-topics", victim, "--force"),
                   "--doc-topics", "is CORPUS", "choose another path")
    one_line_error(run("transform", model, victim, "--doc-topics", victim, "--force"),
                   "is DOCUMENTS")
    stopwords = tmp_path / "stop.txt"
    stopwords.write_text("the\n")
    one_line_error(run("fit", victim, *FAST, "--stopwords", stopwords, "--topic-words",
                       stopwords, "--force"), "is --stopwords")
    assert victim.read_bytes() == before and stopwords.read_text() == "the\n"


def test_transform_and_plot_refuse_the_saved_models_files(model, corpus, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(model, copy)
    before = snapshot(copy)
    one_line_error(run("transform", copy, corpus, "--doc-topics", copy / "doc_topics.csv",
                       "--force"), "the saved model", "doc_topics.csv")
    one_line_error(run("evaluate", copy, corpus, "--json", copy / "run.json", "--force"),
                   "--json", "run.json")
    assert snapshot(copy) == before
    pytest.importorskip("matplotlib")
    one_line_error(run("plot", copy, "--elbo", tmp_path / "e.png", "--topics",
                       tmp_path / "e.png"), "--elbo and --topics name the same file")


@pytest.mark.parametrize("command", [
    ["fit", "{corpus}", *FAST, "-o", ""],
    ["fit", "{corpus}", *FAST, "--doc-topics", ""],
    ["transform", "{model}", "{corpus}", "--doc-topics", "", "--force"],
    ["report", "{model}", "-o", "", "--force"],
    ["evaluate", "{model}", "{corpus}", "--json", ""],
])
def test_an_empty_output_path_is_refused(command, corpus, model):
    args = [str(a).format(corpus=corpus, model=model) for a in command]
    one_line_error(run(*args), "needs a file name")


def test_inputs_read_twice_must_be_regular_files(corpus, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=lambda: fifo.write_bytes(corpus.read_bytes()), daemon=True)
    feeder.start()                     # would let a first read pass, and hang the second
    try:
        one_line_error(run("fit", fifo, *FAST, "--method", "online"),
                       "--method online reads its input more than once", "pipe")
        one_line_error(run("fit", fifo, *FAST, "--phrases", "2"),
                       "reads the input more than once", "pipe")
    finally:
        with open(fifo, "rb") as handle:   # release the feeder
            handle.read()
        feeder.join(timeout=5)


def test_the_library_check_names_the_output_to_change(tmp_path):
    with pytest.raises(InputError) as info:
        check_outputs([("a", tmp_path / "x"), ("b", tmp_path / "." / "x")])
    assert info.value.params == ("b",) and "a and b name the same file" in str(info.value)
    check_outputs([("a", tmp_path / "x"), ("b", None), ("c", tmp_path / "y")],
                  inputs=[("in", tmp_path / "z"), ("stdin", "-")])
