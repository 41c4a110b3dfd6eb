"""`lda-vi fit` through click's CliRunner: the table, the CSVs, run.json, exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]

FRUIT = "apple banana cherry orchard fruit harvest sweet juice"
ENGINE = "engine piston wheel gearbox diesel motor brake clutch"
STARS = "galaxy planet orbit telescope comet nebula asteroid stars"


def _corpus_lines(n: int = 60, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    themes = [FRUIT.split(), ENGINE.split(), STARS.split()]
    lines = []
    for i in range(n):
        words = themes[i % 3]
        lines.append(" ".join(rng.choice(words, size=25)))
    return lines


@pytest.fixture()
def corpus_file(tmp_path: Path) -> Path:
    lines = _corpus_lines()
    lines[7] = "the and of"               # emptied by stopwords: keeps its row
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fit(args: list[str]):
    return CliRunner().invoke(cli, ["fit", *args])


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_fit_prints_topic_table_and_recovers_themes(corpus_file: Path) -> None:
    result = _fit([str(corpus_file), "-k", "3", "--seed", "1", "--min-df", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["topic", "share", "top"]
    rows = lines[2:]
    assert len(rows) == 3
    themes = [set(FRUIT.split()), set(ENGINE.split()), set(STARS.split())]
    found = []
    for row in rows:
        fields = row.split()
        assert fields[1].endswith("%")
        top = set(fields[2:6])
        found.append(next(i for i, theme in enumerate(themes) if top <= theme))
    assert sorted(found) == [0, 1, 2]
    shares = [float(row.split()[1].rstrip("%")) for row in rows]
    assert sum(shares) == pytest.approx(100, abs=0.2)


def test_fit_writes_csvs_and_run_json(corpus_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    doc_topics = tmp_path / "theta.csv"
    topic_words = tmp_path / "words.csv"
    result = _fit([str(corpus_file), "-k", "3", "--seed", "2", "--min-df", "1",
                   "--doc-topics", str(doc_topics), "--topic-words", str(topic_words),
                   "--top-n", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    n_lines = len(corpus_file.read_text(encoding="utf-8").splitlines())
    for path in (doc_topics, out / "doc_topics.csv"):
        rows = _read_csv(path)
        assert rows[0] == ["doc_id", "topic_0", "topic_1", "topic_2"]
        assert len(rows) - 1 == n_lines
        assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, n_lines + 1)]
        theta = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
        np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-12)
        assert np.all(theta >= 0)
    words = _read_csv(topic_words)
    assert words[0] == ["topic", "rank", "word", "probability", "label"]
    assert len(words) - 1 == 3 * 5
    probs = [float(r[3]) for r in words[1:6]]
    assert probs == sorted(probs, reverse=True)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    trace = run["elbo"]
    assert run["iterations"] == len(trace) >= 2
    assert isinstance(run["converged"], bool)
    assert run["settings"]["seed"] == 2 and run["settings"]["k"] == 3
    assert {"numpy", "scipy", "lda_vi"} <= set(run["versions"])
    assert run["corpus"]["empty_documents"] == 1
    assert len(run["seconds_per_iteration"]) == len(trace)
    for name in ("model.json", "arrays.npz", "vocab.txt", "run.json", "topic_words.csv"):
        assert (out / name).is_file()
    assert not list(out.glob(".*.tmp"))
    assert "1 documents empty" in result.stderr or "1 document" in result.stderr


def test_all_words_writes_full_table(corpus_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.csv"
    result = _fit([str(corpus_file), "-k", "2", "--seed", "0", "--min-df", "1", "--quiet",
                   "--topic-words", str(target), "--all-words"])
    assert result.exit_code == 0, result.output
    rows = _read_csv(target)[1:]
    vocab_size = len({r[2] for r in rows})
    assert len(rows) == 2 * vocab_size
    for k in ("0", "1"):
        total = sum(float(r[3]) for r in rows if r[0] == k)
        assert total == pytest.approx(1.0, abs=1e-9)


def test_same_seed_identical_outputs_different_seed_differs(corpus_file: Path,
                                                             tmp_path: Path) -> None:
    texts = []
    for seed in ("5", "5", "6"):
        target = tmp_path / f"theta-{len(texts)}.csv"
        result = _fit([str(corpus_file), "-k", "3", "--seed", seed, "--min-df", "1",
                       "--quiet", "--doc-topics", str(target), "--alpha", "0.3"])
        assert result.exit_code == 0, result.output
        texts.append(target.read_bytes())
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]


def test_progress_goes_to_stderr_and_quiet_silences_it(corpus_file: Path) -> None:
    loud = _fit([str(corpus_file), "-k", "2", "--seed", "0", "--min-df", "1"])
    assert loud.exit_code == 0
    assert "iteration   1/200" in loud.stderr and "elbo" in loud.stderr
    assert "ETA" in loud.stderr
    assert "iter" not in loud.stdout
    quiet = _fit([str(corpus_file), "-k", "2", "--seed", "0", "--min-df", "1", "-q"])
    assert quiet.exit_code == 0
    assert quiet.stderr == ""                  # -q: nothing on stderr but errors
    assert quiet.stdout == loud.stdout


def test_reads_stdin_and_directories(tmp_path: Path) -> None:
    lines = _corpus_lines(30)
    result = CliRunner().invoke(cli, ["fit", "-", "-k", "3", "--seed", "0", "--min-df", "1",
                                      "-q"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, line in enumerate(lines):
        (folder / f"doc{i:02d}.txt").write_text(line, encoding="utf-8")
    target = tmp_path / "theta.csv"
    result = _fit([str(folder), "-k", "3", "--seed", "0", "--min-df", "1", "-q",
                   "--doc-topics", str(target)])
    assert result.exit_code == 0, result.output
    ids = [r[0] for r in _read_csv(target)[1:]]
    assert ids == [f"doc{i:02d}.txt" for i in range(30)]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["{missing}", "-k", "3"], "not found"),
        (["{corpus}", "-k", "0"], "-k"),
        (["{corpus}", "-k", "3", "--alpha", "-1"], "--alpha"),
        (["{corpus}", "-k", "3", "--eta", "abc"], "--eta"),
        (["{corpus}", "-k", "3", "--min-df", "1000"], "min"),
        (["{corpus}", "-k", "3", "--min-df", "abc"], "--min-df 'abc' is not a number"),
        (["{corpus}", "-k", "3", "--max-df", "half"], "--max-df 'half' is not a number"),
        (["{empty}", "-k", "3"], "empty"),
        (["{corpus}", "-k", "3", "--doc-topics", "{corpus}/x.csv"], "not a directory"),
    ],
)
def test_user_errors_exit_2_with_one_line(args, fragment, corpus_file: Path,
                                          tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    values = {"missing": str(tmp_path / "nope.txt"), "corpus": str(corpus_file),
              "empty": str(empty), "nodir": str(tmp_path / "no" / "such")}
    result = _fit([a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and fragment in errors[0]
    assert "Traceback" not in result.output


def test_existing_output_refused_without_force(corpus_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "theta.csv"
    target.write_text("precious\n", encoding="utf-8")
    result = _fit([str(corpus_file), "-k", "2", "--min-df", "1", "-q",
                   "--doc-topics", str(target)])
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "precious\n"
    result = _fit([str(corpus_file), "-k", "2", "--min-df", "1", "-q",
                   "--doc-topics", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("doc_id,")


def test_checkout_launcher_runs_the_cli(corpus_file: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "fit", str(corpus_file),
                           "-k", "2", "--min-df", "1", "--seed", "0", "-q"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("topic")


def test_e_warmup_is_recorded_and_a_bad_value_is_one_line(corpus_file: Path, tmp_path: Path):
    runner = CliRunner()
    runs = {}
    for warmup in ("0", "2"):
        out = tmp_path / f"m{warmup}"
        result = runner.invoke(cli, ["fit", str(corpus_file), "-k", "3", "--seed", "0", "-q",
                                     "--e-warmup", warmup, "--e-tol", "1e-9", "-o", str(out)])
        assert result.exit_code == 0, result.output
        runs[warmup] = json.loads((out / "run.json").read_text())
    assert runs["0"]["settings"]["e_warmup"] == 0 and runs["2"]["settings"]["e_warmup"] == 2
    assert runs["2"]["mean_inner_iterations"][0] <= 2 < runs["0"]["mean_inner_iterations"][0]
    result = runner.invoke(cli, ["fit", str(corpus_file), "-k", "3", "--e-warmup", "-1"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == ["error: --e-warmup must be a whole number >= 0, got -1"], lines
