"""The commands for models you keep: fit -o / --holdout, show, transform, evaluate, sweep."""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from io_testing import one_line_error as assert_one_line_error
from planted import planted_texts

from lda_vi.cli.app import cli
from lda_vi.evaluate.heldout import completion_rng, evaluate_heldout
from lda_vi.model.lda import LDA

PIPELINE = ["--min-df", "1", "--max-df", "1.0"]


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def ok(*args: str):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def read_csv(path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """train.txt (160 planted documents), unseen.txt (40 more of the same topics), a model."""
    root = tmp_path_factory.mktemp("cli_models")
    docs = planted_texts(0, n_docs=200)
    (root / "train.txt").write_text("\n".join(docs[:160]) + "\n")
    (root / "unseen.txt").write_text("\n".join(docs[160:]) + "\n")
    fit = ok("fit", root / "train.txt", "-k", 3, "--seed", 0, "-q", "-o", root / "model",
             *PIPELINE)
    return {"root": root, "train": root / "train.txt", "unseen": root / "unseen.txt",
            "model": root / "model", "fit_stdout": fit.stdout, "unseen_docs": docs[160:]}


# --------------------------------------------------------------------------- show


def test_show_prints_the_table_fit_printed(files):
    assert ok("show", files["model"]).stdout == files["fit_stdout"]


def test_show_is_the_same_after_load_and_save(files, tmp_path):
    LDA.load(files["model"]).save(tmp_path / "copy")
    for args in ([], ["--top-n", "4"], ["--topic", "1", "--top-n", "6"]):
        assert ok("show", tmp_path / "copy", *args).stdout == \
            ok("show", files["model"], *args).stdout


def test_show_one_topic(files):
    out = ok("show", files["model"], "--topic", 2, "--top-n", 5).stdout.splitlines()
    assert out[0].startswith("topic 2: ") and "% of the training tokens" in out[0]
    words = [line.split()[2] for line in out[2:]]
    assert len(words) == 5
    assert words == [w for w, _ in LDA.load(files["model"]).topics(5)[2]]


# --------------------------------------------------------------------------- transform


def test_transform_writes_fit_layout_reproducibly(files, tmp_path):
    out = tmp_path / "theta.csv"
    result = ok("transform", files["model"], files["unseen"], "--doc-topics", out)
    assert "40 documents" in result.stderr and "out of it" in result.stderr
    rows = read_csv(out)
    assert rows[0] == ["doc_id", "topic_0", "topic_1", "topic_2"]
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 41)]
    theta = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-12)
    # exactly the library's transform of the loaded model (repr round-trips floats)
    assert np.array_equal(theta, LDA.load(files["model"]).transform(files["unseen_docs"]))
    first = out.read_bytes()
    ok("transform", files["model"], files["unseen"], "--doc-topics", out, "--force")
    assert out.read_bytes() == first                         # deterministic


def test_transform_counts_out_of_vocabulary_tokens(files, tmp_path):
    docs = tmp_path / "docs.txt"
    docs.write_text("zebra giraffe zqaa\nnothing known here\n")
    result = ok("transform", files["model"], docs, "--doc-topics", tmp_path / "t.csv")
    assert "2 documents" in result.stderr
    assert "documents with no known word" in result.stderr


def test_transform_refuses_to_overwrite(files, tmp_path):
    out = tmp_path / "theta.csv"
    out.write_text("keep me")
    result = run("transform", files["model"], files["unseen"], "--doc-topics", out)
    assert_one_line_error(result, "already exists", "--force")
    assert out.read_text() == "keep me"


# --------------------------------------------------------------------------- evaluate


@pytest.mark.parametrize("flag", [["--json"], ["--json", "-"]])
def test_evaluate_json_to_standard_output(files, tmp_path, monkeypatch, flag):
    # --json alone (as the README writes it) or --json -: the JSON is standard output,
    # the table goes to stderr, and no file named "-" appears
    monkeypatch.chdir(tmp_path)
    result = ok("evaluate", files["model"], files["unseen"], "--seed", 3, *flag)
    record = json.loads(result.stdout)
    assert record["schema"] == "lda-vi-results" and record["documents"] == 40
    assert "completion perplexity" in result.stderr
    assert list(tmp_path.iterdir()) == []
    again = ok("evaluate", files["model"], files["unseen"], "--seed", 3, *flag)  # no --force
    assert json.loads(again.stdout) == record


def test_fit_doc_topics_to_standard_output(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = ok("fit", files["train"], "-k", 3, "--seed", 0, "--doc-topics", "-", *PIPELINE)
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["doc_id", "topic_0", "topic_1", "topic_2"] and len(rows) == 161
    assert "top words" in result.stderr and list(tmp_path.iterdir()) == []


def test_evaluate_prints_units_and_writes_json(files, tmp_path):
    report = tmp_path / "eval.json"
    result = ok("evaluate", files["model"], files["unseen"], "--seed", 3, "--json", report)
    out = result.stdout
    for text in ("nats per word", "exp(-bound/N)", "completion perplexity", "NPMI", "UMass",
                 "counted over these documents"):
        assert text in out
    record = json.loads(report.read_text())
    model = LDA.load(files["model"])
    X, _, _ = model.vectorize(files["unseen_docs"])
    figures = evaluate_heldout(model, X, completion_rng(3))
    assert record["documents"] == 40 and record["seed"] == 3
    assert record["tokens"] == figures.tokens
    assert record["schema"] == "lda-vi-results" and record["schema_version"] == 2
    assert record["oov_tokens"] >= 0 and "nats" in record["units"]
    assert record["per_word_bound"] == pytest.approx(figures.bound_per_word, rel=1e-12)
    assert record["completion_perplexity"] == pytest.approx(figures.completion_perplexity,
                                                            rel=1e-12)
    assert f"{figures.completion_perplexity:.1f}" in out
    npmi = record["coherence"]["npmi"]
    assert len(npmi["per_topic"]) == 3 and record["coherence_top_n"] == 10
    assert npmi["mean"] == pytest.approx(np.mean(npmi["per_topic"]), rel=1e-12)
    assert record["coherence_reference"] == "these documents"
    assert 1 < record["bound_perplexity"] < 60 and 1 < record["completion_perplexity"] < 60


def test_evaluate_refuses_text_without_known_words(files, tmp_path):
    docs = tmp_path / "docs.txt"
    docs.write_text("zebra giraffe\nelephant\n")
    assert_one_line_error(run("evaluate", files["model"], docs), "vocabulary")


# --------------------------------------------------------------------------- fit


def test_fit_reports_coherence(files):
    run_json = json.loads((files["model"] / "run.json").read_text())
    info = run_json["coherence"]
    assert run_json["coherence_top_n"] == 10
    assert run_json["coherence_reference"] == "training documents"
    assert len(info["npmi"]["per_topic"]) == len(info["umass"]["per_topic"]) == 3
    assert info["npmi"]["mean"] == pytest.approx(np.mean(info["npmi"]["per_topic"]))
    assert run_json["heldout"] is None


def test_fit_holdout(files, tmp_path):
    out = tmp_path / "held"
    result = ok("fit", files["train"], "-k", 3, "--seed", 5, "--holdout", 0.25, "-o", out,
                *PIPELINE)
    assert "40 of 160 documents set aside" in result.stderr
    assert "completion perplexity" in result.stderr and "nats per word" in result.stderr
    assert "coherence of the top 10 words" in result.stderr
    run_info = json.loads((out / "run.json").read_text())
    held = run_info["heldout"]
    assert held["documents"] == 40 and held["seed"] == 5 and held["fraction"] == 0.25
    assert run_info["corpus"]["documents"] == 120
    # one row per input document, in input order, even for the held-out ones
    rows = read_csv(out / "doc_topics.csv")
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 161)]
    model = LDA.load(out)
    assert len(model.doc_ids) == 120 and not set(model.doc_ids) & set(held["doc_ids"])
    # the held-out rows are θ inferred with λ fixed, as transform gives
    lines = files["train"].read_text().splitlines()
    held_docs = [lines[int(i) - 1] for i in held["doc_ids"]]
    by_id = {r[0]: [float(x) for x in r[1:]] for r in rows[1:]}
    assert np.array_equal(np.array([by_id[i] for i in held["doc_ids"]]),
                          model.transform(held_docs))
    # evaluate on the same documents with the same seed gives the same figures
    held_file = tmp_path / "held.txt"
    held_file.write_text("\n".join(held_docs) + "\n")
    ok("evaluate", out, held_file, "--seed", 5, "--json", tmp_path / "e.json")
    again = json.loads((tmp_path / "e.json").read_text())
    for key in ("tokens", "bound", "completion_perplexity", "completion_tokens"):
        assert again[key] == pytest.approx(held[key], rel=1e-12)


def test_fit_eval_every(files, tmp_path):
    result = ok("fit", files["train"], "-k", 3, "--seed", 5, "--holdout", 0.25, "--max-iter", 7,
                "--tol", 0, "--eval-every", 3, "-o", tmp_path / "m", *PIPELINE)
    assert result.stderr.count("held-out at iter") == 2
    held = json.loads((tmp_path / "m" / "run.json").read_text())["heldout"]
    assert [r["iteration"] for r in held["during_fit"]] == [3, 6]
    assert all(r["completion_perplexity"] > 1 for r in held["during_fit"])
    ok("fit", files["train"], "-k", 3, "--seed", 5, "--holdout", 0.25, "--max-iter", 7,
       "--tol", 0, "-q", "-o", tmp_path / "plain", *PIPELINE)
    assert (tmp_path / "m" / "arrays.npz").read_bytes() == \
        (tmp_path / "plain" / "arrays.npz").read_bytes()          # the same fit


def test_fit_holdout_is_seeded(files, tmp_path):
    def held_ids(name):
        ok("fit", files["train"], "-k", 3, "--seed", 9, "--holdout", 0.1, "-q", "-o",
           tmp_path / name, "--max-iter", 3, *PIPELINE)
        return json.loads((tmp_path / name / "run.json").read_text())["heldout"]["doc_ids"]

    assert held_ids("a") == held_ids("b")


# --------------------------------------------------------------------------- sweep


def test_sweep_table_and_csv(files, tmp_path):
    table = tmp_path / "sweep.csv"
    result = ok("sweep", files["train"], "-k", "2,3", "--seeds", 2, "--max-iter", 20,
                "--holdout", 0.2, "--csv", table, *PIPELINE)
    lines = result.stdout.splitlines()
    assert "completion perplexity" in lines[1] and "stability" in lines[1]
    assert [line.split()[0] for line in lines[3:]] == ["2", "3"]
    assert "±" in lines[3]
    assert result.stderr.count("k=") == 4
    rows = read_csv(table)
    assert rows[0] == ["k", "seed", "completion_perplexity", "npmi", "umass", "fit_seconds",
                       "iterations", "stability"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("2", "0"), ("2", "1"), ("3", "0"), ("3", "1")]


def test_sweep_json_uses_the_shared_result_schema(files, tmp_path):
    table, report = tmp_path / "sweep.csv", tmp_path / "sweep.json"
    ok("sweep", files["train"], "-k", "2,3", "--seeds", 2, "--max-iter", 20, "--holdout", 0.2,
       "--csv", table, "--json", report, "-q", *PIPELINE)
    data = json.loads(report.read_text())
    assert data["schema"] == "lda-vi-results" and data["schema_version"] == 2
    assert "nats" in data["units"] and data["holdout"] == 0.2 and data["seed"] == 0
    shared = {"documents", "tokens", "oov_tokens", "per_word_bound", "bound_perplexity",
              "completion_perplexity", "coherence"}
    rows = read_csv(table)[1:]
    assert len(data["runs"]) == len(rows) == 4
    for run_, row in zip(data["runs"], rows, strict=True):
        assert shared <= set(run_) and (str(run_["k"]), str(run_["seed"])) == (row[0], row[1])
        assert run_["documents"] == 32 and run_["coherence_reference"] == "training documents"
        # the same figures as the CSV's, which --json does not change
        assert run_["completion_perplexity"] == float(row[2])
        assert run_["coherence"]["npmi"]["mean"] == float(row[3])
        assert run_["bound_perplexity"] == pytest.approx(np.exp(-run_["per_word_bound"]))


def test_sweep_plot(files, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "sweep.png"
    ok("sweep", files["train"], "-k", "2,3", "--seeds", 1, "--max-iter", 5, "--plot", plot,
       "-q", *PIPELINE)
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_sweep_plot_without_matplotlib_fails_before_fitting(files, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run("sweep", files["train"], "-k", "2,3", "--csv", tmp_path / "s.csv",
                 "--plot", tmp_path / "s.png", *PIPELINE)
    assert_one_line_error(result, "pip install 'lda-vi[plot]'")
    assert not (tmp_path / "s.csv").exists()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("command", ["show", "transform", "evaluate"])
def test_missing_model_directory(files, tmp_path, command):
    args = [command, tmp_path / "nowhere"]
    if command != "show":
        args.append(files["unseen"])
    if command == "transform":
        args += ["--doc-topics", tmp_path / "t.csv"]
    assert_one_line_error(run(*args), "not a model directory")


def test_directory_that_is_not_a_model(files):
    assert_one_line_error(run("show", files["root"]), "not an lda-vi model directory")


def test_model_with_object_array(files, tmp_path):
    LDA.load(files["model"]).save(tmp_path / "m")
    with open(tmp_path / "m" / "arrays.npz", "wb") as handle:
        np.savez(handle, lam=np.array([None, {}], dtype=object), alpha=np.ones(3),
                 gamma=np.ones((2, 3)))
    assert_one_line_error(run("show", tmp_path / "m"), "refuses to load")


def test_model_of_a_newer_format(files, tmp_path):
    LDA.load(files["model"]).save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    assert_one_line_error(run("show", tmp_path / "m"), "newer", "upgrade lda-vi")


def test_model_with_a_missing_file(files, tmp_path):
    LDA.load(files["model"]).save(tmp_path / "m")
    (tmp_path / "m" / "vocab.txt").unlink()
    assert_one_line_error(run("show", tmp_path / "m"), "vocab.txt is missing")


@pytest.mark.parametrize("args, fragment", [
    (["show", "{model}", "--topic", "3"], "--topic must be between 0 and 2"),
    (["show", "{model}", "--top-n", "0"], "--top-n"),
    (["transform", "{model}", "{root}/absent.txt", "--doc-topics", "{root}/x.csv"], "not found"),
    (["evaluate", "{model}", "{root}/absent.txt"], "not found"),
    (["evaluate", "{model}", "{unseen}", "--json", "{unseen}/no/dir/e.json"],
     "not a directory"),
    (["fit", "{train}", "--holdout", "1.5"], "--holdout"),
    (["fit", "{train}", "--eval-every", "5"], "--eval-every N needs --holdout"),
    (["sweep", "{train}", "-k", "5,x"], "-k"),
    (["sweep", "{train}", "-k", "5", "--seeds", "0"], "--seeds"),
    (["sweep", "{train}", "-k", "5", "--holdout", "0"], "--holdout"),
])
def test_user_errors_are_one_line(files, args, fragment):
    names = {key: str(value) for key, value in files.items() if key in
             ("model", "root", "train", "unseen")}
    assert_one_line_error(run(*[a.format(**names) for a in args]), fragment)
