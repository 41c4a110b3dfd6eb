"""``--coherence`` and ``--coherence-top-n`` in fit, evaluate, sweep and report."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli
from lda_vi.evaluate.metrics import top_word_ids
from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import Tokenizer

THEMES = ["apple banana cherry orchard fruit harvest sweet juice pear plum",
          "engine piston wheel gearbox diesel motor brake clutch tyre axle",
          "galaxy planet orbit telescope comet nebula asteroid stars moon solar"]
COMMON = "said year time people report"


def _lines(n: int = 45, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        words = (list(rng.choice(THEMES[i % 3].split(), size=int(rng.integers(5, 60))))
                 + list(rng.choice(COMMON.split(), size=6)))
        rng.shuffle(words)
        lines.append(" ".join(words))
    return lines


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    return path


def _run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def _fit(corpus: Path, out: Path, *extra: str):
    result = _run("fit", corpus, "-k", "3", "--seed", "1", "--max-iter", "40", "--min-df", "1",
                  "-q", "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return json.loads((out / "run.json").read_text())


def test_fit_records_the_chosen_measures_equal_to_gensim(corpus: Path, tmp_path: Path) -> None:
    gensim = pytest.importorskip("gensim")
    from gensim.models import CoherenceModel

    measures = ["c_v", "c_npmi", "c_uci", "u_mass", "npmi"]
    record = _fit(corpus, tmp_path / "m", "--coherence", ",".join(measures),
                  "--coherence-top-n", "6")
    assert list(record["coherence"]) == measures and record["coherence_top_n"] == 6
    model = LDA.load(tmp_path / "m")
    tokenizer = Tokenizer(model.tokenizer_config)
    texts = [tokenizer(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    topics = [[model.vocab[int(w)] for w in row] for row in top_word_ids(model.beta, 6)]
    dictionary = gensim.corpora.Dictionary(texts)
    for m in ("c_v", "c_npmi", "c_uci", "u_mass"):
        theirs = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary, coherence=m,
                                topn=6, processes=1).get_coherence_per_topic()
        np.testing.assert_allclose(record["coherence"][m]["per_topic"], theirs, atol=1e-6)
        assert record["coherence"][m]["mean"] == pytest.approx(np.mean(theirs), abs=1e-6)


def test_fit_defaults_keep_the_document_level_measures(corpus: Path, tmp_path: Path) -> None:
    record = _fit(corpus, tmp_path / "m")
    assert list(record["coherence"]) == ["npmi", "umass"]
    assert record["coherence_top_n"] == 10


def test_fit_with_holdout_scores_the_training_documents(corpus: Path, tmp_path: Path) -> None:
    record = _fit(corpus, tmp_path / "m", "--holdout", "0.2", "--coherence", "c_v")
    scores = record["coherence"]["c_v"]["per_topic"]
    assert len(scores) == 3 and all(0 < s <= 1 for s in scores)
    assert record["coherence_reference"] == "training documents"


def _ldac(tmp_path: Path) -> tuple[Path, Path]:
    data, vocab = tmp_path / "c.dat", tmp_path / "vocab.txt"
    data.write_text("2 0:3 1:1\n2 1:2 2:2\n1 2:4\n2 0:1 2:1\n", encoding="utf-8")
    vocab.write_text("alpha\nbeta\ngamma\n", encoding="utf-8")
    return data, vocab


def test_count_formats_refuse_window_measures_in_one_line(tmp_path: Path) -> None:
    data, vocab = _ldac(tmp_path)
    result = _run("fit", data, "--vocab", vocab, "-k", "2", "--coherence", "u_mass,c_v",
                  "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert re.match(r"error: c_v needs the documents' token order, which count formats "
                    r"\(lda-c, UCI, Matrix Market\) do not have; use a document-level "
                    r"measure: u_mass, npmi, umass", result.output)
    assert not (tmp_path / "out").exists()


def test_count_formats_take_document_level_measures(tmp_path: Path) -> None:
    data, vocab = _ldac(tmp_path)
    result = _run("fit", data, "--vocab", vocab, "-k", "2", "--seed", "0", "-q",
                  "--coherence", "u_mass,npmi", "--coherence-top-n", "2", "-o", tmp_path / "m")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "m" / "run.json").read_text())
    assert list(record["coherence"]) == ["u_mass", "npmi"]


@pytest.mark.parametrize("args, message", [
    (["--coherence", "cv"], "error: unknown measure 'cv' in --coherence; choose among c_v"),
    (["--coherence", ","], "error: no measure given in --coherence"),
    (["--coherence-top-n", "1"], "error: --coherence-top-n must be at least 2 (got 1)"),
    (["--method", "online", "--coherence", "c_v"], "error: --coherence and "
     "--coherence-top-n work with --method batch only"),
])
def test_bad_coherence_options(corpus: Path, args, message) -> None:
    result = _run("fit", corpus, "-k", "2", *args)
    assert result.exit_code == 2 and result.output.startswith(message), result.output


def test_evaluate_json_holds_the_chosen_measures(corpus: Path, tmp_path: Path) -> None:
    _fit(corpus, tmp_path / "m")
    held = tmp_path / "held.txt"
    held.write_text("\n".join(_lines(12, seed=5)) + "\n", encoding="utf-8")
    result = _run("evaluate", tmp_path / "m", held, "--coherence", "c_v,umass",
                  "--coherence-top-n", "5", "--json", tmp_path / "e.json")
    assert result.exit_code == 0, result.output
    assert "c_v" in result.output and "UMass" in result.output
    results = json.loads((tmp_path / "e.json").read_text())
    assert list(results["coherence"]) == ["c_v", "umass"]
    assert results["coherence_top_n"] == 5
    assert len(results["coherence"]["c_v"]["per_topic"]) == 3


def test_sweep_csv_has_a_column_per_measure(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = _run("sweep", corpus, "-k", "2,3", "--seeds", "1", "--max-iter", "10",
                  "--min-df", "1", "-q", "--coherence", "c_npmi,u_mass", "--csv", out)
    assert result.exit_code == 0, result.output
    with open(out, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["k", "seed", "completion_perplexity", "c_npmi", "u_mass", "fit_seconds",
                       "iterations", "stability"]
    assert len(rows) == 3 and all(np.isfinite(float(r[3])) for r in rows[1:])


def _page_data(path: Path) -> dict:
    match = re.search(r'<script type="application/json" id="lda-data">(.*?)</script>',
                      path.read_text(encoding="utf-8"), re.S)
    return json.loads(match.group(1))


def test_report_shows_recorded_measures_and_scores_others_over_docs(corpus: Path,
                                                                     tmp_path: Path) -> None:
    record = _fit(corpus, tmp_path / "m", "--coherence", "c_v,npmi")
    page = tmp_path / "r.html"
    assert _run("report", tmp_path / "m", "-o", page).exit_code == 0
    data = _page_data(page)
    assert [label for label, _ in data["summary"]["coherence"]] == ["c_v", "NPMI"]
    assert data["topics"][0]["coherence"][0] == ["c_v", pytest.approx(
        record["coherence"]["c_v"]["per_topic"][0], abs=1e-12)]
    missing = _run("report", tmp_path / "m", "-o", page, "--force", "--coherence", "c_uci")
    assert missing.exit_code == 2
    assert missing.output.startswith("error: the run records the coherence of the top 10 words "
                                     "(c_v, npmi); give --docs, the training corpus, to score "
                                     "c_uci")
    scored = _run("report", tmp_path / "m", "-o", page, "--force", "--coherence", "c_uci,c_v",
                  "--docs", corpus)
    assert scored.exit_code == 0, scored.output
    assert [label for label, _ in _page_data(page)["summary"]["coherence"]] == ["c_uci", "c_v"]


def test_report_scores_a_library_model_that_records_no_coherence(corpus: Path,
                                                                  tmp_path: Path) -> None:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    LDA(k=3, seed=2, max_iter=20, min_df=1).fit(lines).save(tmp_path / "lib")
    page = tmp_path / "r.html"
    result = _run("report", tmp_path / "lib", "-o", page, "--coherence", "c_v", "--docs", corpus)
    assert result.exit_code == 0, result.output
    data = _page_data(page)
    assert data["summary"]["coherence_top_n"] == 10
    (label, value), = data["summary"]["coherence"]
    assert label == "c_v" and 0 < value <= 1
