"""The run record: one typed, versioned run.json for the library and the CLI alike."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli
from lda_vi.model.lda import LDA
from lda_vi.model.persistence import FORMAT_VERSION
from lda_vi.model.record import SCHEMA_VERSION, Results, RunRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MODELS = FIXTURES / "models"
SHARED_KEYS = {"documents", "tokens", "oov_tokens", "per_word_bound", "bound_perplexity",
               "completion_perplexity", "coherence", "units"}


def _docs() -> list[str]:
    return (FIXTURES / "sample_subset.txt").read_text(encoding="utf-8").splitlines()


def _cli(*args) -> object:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """The same fit saved by the library and by ``lda-vi fit -o`` (batch and online)."""
    root = tmp_path_factory.mktemp("record")
    corpus = root / "corpus.txt"
    shutil.copy(FIXTURES / "sample_subset.txt", corpus)
    LDA(k=3, seed=4, min_df=3, max_df=0.3).fit(_docs()).save(root / "library")
    _cli("fit", corpus, "-k", 3, "--seed", 4, "--min-df", 3, "--max-df", 0.3, "-q",
         "-o", root / "cli")
    _cli("fit", corpus, "-k", 3, "--seed", 4, "--min-df", 3, "--max-df", 0.3, "-q",
         "--holdout", 0.2, "-o", root / "holdout")
    _cli("fit", corpus, "-k", 3, "--seed", 4, "--min-df", 3, "--max-df", 0.3, "-q",
         "--method", "online", "-o", root / "online")
    return {name: root / name for name in ("library", "cli", "holdout", "online")}


def _run_json(directory: Path) -> dict:
    return json.loads((directory / "run.json").read_text(encoding="utf-8"))


def test_library_and_cli_write_the_same_keys(saved):
    keys = {name: set(_run_json(path)) for name, path in saved.items()}
    assert keys["library"] == keys["cli"] == keys["holdout"] == keys["online"]
    lib, cli_run = _run_json(saved["library"]), _run_json(saved["cli"])
    assert lib["schema"] == "lda-vi-run" and lib["schema_version"] == SCHEMA_VERSION
    for section in ("corpus", "settings", "tokenizer", "prune", "versions"):
        assert set(lib[section]) == set(cli_run[section]), section
    # the same fit: the same numbers, whoever wrote them
    assert lib["elbo"] == cli_run["elbo"] and lib["alpha"] == cli_run["alpha"]
    held = _run_json(saved["holdout"])["heldout"]
    assert SHARED_KEYS <= set(held) and "nats" in held["units"]
    assert held["documents"] == 48 and held["tokens"] > 0 and held["oov_tokens"] > 0


def test_a_library_saved_model_renders_with_the_report_command(saved, tmp_path):
    out = tmp_path / "report.html"
    _cli("report", saved["library"], "-o", out)
    page = out.read_text(encoding="utf-8")
    assert "<html" in page and page.count('class="elbo-pt"') == len(LDA.load(
        saved["library"]).record.elbo)


def test_record_round_trips_through_json(saved):
    for path in saved.values():
        text = (path / "run.json").read_text(encoding="utf-8")
        record = RunRecord.from_json(text)
        assert record.to_json() == text


def test_coherence_uses_the_shared_schema(saved):
    run = _run_json(saved["cli"])
    assert run["coherence_top_n"] == 10 and run["coherence_reference"] == "training documents"
    for measure in ("npmi", "umass"):
        score = run["coherence"][measure]
        assert set(score) == {"mean", "per_topic"} and len(score["per_topic"]) == 3
        assert score["mean"] == pytest.approx(np.mean(score["per_topic"]), rel=1e-12)


def test_results_keys_are_the_documented_ones():
    names = {f.name for f in fields(Results)}
    assert SHARED_KEYS <= names
    doc = (Path(__file__).resolve().parents[2] / "docs" / "results.md").read_text()
    for key in SHARED_KEYS | {"schema_version", "coherence_top_n"}:
        assert f"`{key}`" in doc, key


# ------------------------------------------------------------ saved-model fixtures

FIXTURE_DIRS = sorted(p for p in MODELS.iterdir() if p.is_dir())


def test_there_is_a_fixture_of_every_format_version():
    versions = {json.loads((p / "model.json").read_text())["format_version"]
                for p in FIXTURE_DIRS}
    assert versions == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("path", FIXTURE_DIRS, ids=lambda p: p.name)
def test_saved_model_fixtures_keep_loading(path, tmp_path):
    model = LDA.load(path)
    with np.load(path / "arrays.npz") as arrays:
        np.testing.assert_array_equal(model.lam, arrays["lam"])
    theta = model.transform(["the file is opened for reading and the lines are returned"])
    assert theta.shape == (1, 3) and abs(theta.sum() - 1) < 1e-12
    record = model.record
    assert record.settings["k"] == 3 and record.alpha == model.alpha.tolist()
    _cli("report", path, "-o", tmp_path / "report.html")
    _cli("show", path)


def test_schema_1_run_json_is_read_into_the_new_record():
    legacy = json.loads((MODELS / "v1_cli" / "run.json").read_text())
    assert "schema_version" not in legacy                 # written by lda-vi 0.1.0
    record = LDA.load(MODELS / "v1_cli").record
    assert record.coherence["npmi"].per_topic == legacy["coherence"]["npmi"]
    assert record.coherence["npmi"].mean == legacy["coherence"]["npmi_mean"]
    assert record.coherence_top_n == legacy["coherence"]["top_n"]
    held = record.heldout
    assert held.per_word_bound == legacy["heldout"]["bound_per_word"]
    assert held.oov_tokens == legacy["heldout"]["out_of_vocabulary_tokens"]
    assert held.doc_ids == legacy["heldout"]["doc_ids"]
    online = LDA.load(MODELS / "v1_online").record
    assert online.method == "online" and online.updates is not None
