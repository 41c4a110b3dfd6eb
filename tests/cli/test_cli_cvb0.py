"""`lda-vi fit --inference cvb0` and the commands that read its model (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli
from lda_vi.model import cvb0_fit

FRUIT = "apple banana cherry orchard fruit harvest sweet juice"
ENGINE = "engine piston wheel gearbox diesel motor brake clutch"
STARS = "galaxy planet orbit telescope comet nebula asteroid stars"


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    themes = [FRUIT.split(), ENGINE.split(), STARS.split()]
    lines = [" ".join(rng.choice(themes[i % 3], size=25)) for i in range(60)]
    path = tmp_path_factory.mktemp("cvb0") / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model_dir(corpus_file: Path, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("cvb0") / "model"
    result = CliRunner().invoke(cli, ["fit", str(corpus_file), "-k", "3", "--seed", "1",
                                      "--min-df", "1", "--inference", "cvb0", "-o", str(out),
                                      "--holdout", "0.2"])
    assert result.exit_code == 0, result.output
    return out, result.stderr


def test_fit_cvb0_records_the_run_and_prints_the_memory(model_dir):
    out, stderr = model_dir
    assert "cvb0: φ holds" in stderr and "loglik" in stderr
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["inference"] == "cvb0" and run["settings"]["inference"] == "cvb0"
    assert run["stop_reason"] and len(run["elbo"]) == run["iterations"]
    assert len(run["train_loglik_per_token"]) == run["iterations"]
    assert run["heldout"]["completion_perplexity"] > 0
    themes = [set(FRUIT.split()), set(ENGINE.split()), set(STARS.split())]
    topics = CliRunner().invoke(cli, ["show", str(out), "--top-n", "5"])
    assert topics.exit_code == 0
    rows = topics.stdout.strip().splitlines()[2:]
    found = {next(i for i, t in enumerate(themes) if set(r.split()[2:]) <= t) for r in rows}
    assert found == {0, 1, 2}


def test_transform_and_evaluate_read_a_cvb0_model(model_dir, corpus_file, tmp_path):
    out, _ = model_dir
    csv = tmp_path / "theta.csv"
    result = CliRunner().invoke(cli, ["transform", str(out), str(corpus_file),
                                      "--doc-topics", str(csv)])
    assert result.exit_code == 0, result.output
    rows = csv.read_text(encoding="utf-8").strip().splitlines()[1:]
    theta = np.array([[float(x) for x in row.split(",")[1:]] for row in rows])
    assert theta.shape == (60, 3) and np.allclose(theta.sum(axis=1), 1.0)
    figures = tmp_path / "figures.json"
    result = CliRunner().invoke(cli, ["evaluate", str(out), str(corpus_file), "--json",
                                      str(figures)])
    assert result.exit_code == 0, result.output
    scores = json.loads(figures.read_text(encoding="utf-8"))
    assert scores["completion_perplexity"] > 0 and scores["per_word_bound"] < 0


def test_memory_refusal_is_one_line_and_exit_2(corpus_file, monkeypatch):
    monkeypatch.setattr(cvb0_fit, "available_memory", lambda: 10_000)
    result = CliRunner().invoke(cli, ["fit", str(corpus_file), "-k", "3", "--min-df", "1",
                                      "--inference", "cvb0", "-q"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("error: --inference cvb0 needs about") and "\n" not in line
    assert "--inference vb" in line and "--method online" in line


def test_cvb0_refuses_online_and_checkpoints(corpus_file, tmp_path):
    result = CliRunner().invoke(cli, ["fit", str(corpus_file), "-k", "3", "--inference",
                                      "cvb0", "--method", "online", "-q"])
    assert result.exit_code == 2 and "--method" in result.stderr
    result = CliRunner().invoke(cli, ["fit", str(corpus_file), "-k", "3", "--inference",
                                      "cvb0", "--checkpoint-every", "2", "-o",
                                      str(tmp_path / "m"), "-q"])
    assert result.exit_code == 2 and "--checkpoint-every" in result.stderr


def test_help_states_the_memory():
    result = CliRunner().invoke(cli, ["fit", "--help"])
    assert "--inference" in result.output and "non-zero" in result.output


def test_sweep_takes_the_inference(corpus_file, tmp_path):
    result = CliRunner().invoke(cli, ["sweep", str(corpus_file), "-k", "2,3", "--seeds", "1",
                                      "--min-df", "1", "--inference", "cvb0", "--max-iter",
                                      "30", "--csv", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "s.csv").read_text(encoding="utf-8").strip().splitlines()) == 3
