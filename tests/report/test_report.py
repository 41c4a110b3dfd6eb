"""The HTML report and the plots, without a browser: numerics, page contents, size, CLI."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lda_vi.cli.app import cli
from lda_vi.errors import InputError
from lda_vi.model.lda import LDA
from lda_vi.report import html as report
from lda_vi.report import layout
from lda_vi.report.data import SNIPPET_CHARS, SNIPPETS_FILE, report_data
from lda_vi.text.vocabulary import Vocabulary

THEMES = [
    "apple banana cherry orchard fruit harvest sweet juice pear plum",
    "engine piston wheel gearbox diesel motor brake clutch tyre axle",
    "galaxy planet orbit telescope comet nebula asteroid stars moon solar",
    "violin piano cello orchestra sonata melody chord tempo opera choir",
]
COMMON = "said year time people"


def corpus_lines(n: int = 48, seed: int = 0) -> list[str]:
    """Documents of four themes, each with some words common to all."""
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        theme = THEMES[i % len(THEMES)].split()
        words = list(rng.choice(theme, size=22)) + list(rng.choice(COMMON.split(), size=6))
        rng.shuffle(words)
        lines.append(" ".join(words))
    return lines


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[Path, Path, LDA]:
    """A K=4 model saved in a directory, and its corpus file."""
    tmp = tmp_path_factory.mktemp("report")
    corpus = tmp / "corpus.txt"
    corpus.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    model = LDA(k=4, seed=0, max_iter=60, min_df=2, max_df=1.0)
    model.fit(corpus.read_text(encoding="utf-8").splitlines())
    model.record.input = str(corpus)
    model.save(tmp / "model")
    return tmp / "model", corpus, model


def page_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="lda-data">(.*?)</script>', page,
                      re.S)
    assert match, "the page has no data block"
    return json.loads(match.group(1))


# ------------------------------------------------------------------ word counts
def test_word_counts_are_the_corpus_counts_with_a_fixed_eta() -> None:
    lines = corpus_lines(24)
    model = LDA(k=3, eta=0.05, seed=1, max_iter=20, min_df=1, max_df=1.0).fit(lines)
    X, _, _ = model.vectorize(lines)
    np.testing.assert_allclose(layout.word_counts(model.lam, model.eta),
                               np.asarray(X.sum(axis=0)).ravel(), rtol=1e-9)


# -------------------------------------------------------------------------- the page
def test_report_is_self_contained_and_holds_every_section(fitted, tmp_path) -> None:
    model_dir, corpus, model = fitted
    out = tmp_path / "report.html"
    size = report.write_report(LDA.load(model_dir), out, top_n=10,
                               documents=[(str(i + 1), line) for i, line in
                                          enumerate(corpus.read_text().splitlines())],
                               model_dir=model_dir)
    page = out.read_text(encoding="utf-8")
    assert size == len(page.encode("utf-8"))
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "@import" not in page and "url(" not in page
    for section in ('id="summary"', 'id="topic-list"', 'id="topic-map"', 'id="term-bars"',
                    'id="doc-list"', 'id="elbo-chart"', 'id="lambda"'):
        assert section in page
    assert page.count('class="topic-item"') == 4
    assert page.count('class="topic-circle"') == 4
    assert page.count('class="elbo-pt"') == len(model.run_info["elbo"])
    data = page_data(page)
    assert len(data["topics"]) == 4 and data["topN"] == 10 and data["hasSnippets"]
    for topic in data["topics"]:
        assert len(topic["cand"]) >= 10
        probs = [c[1] for c in topic["cand"]]
        assert probs == sorted(probs, reverse=True)
        assert all(len(d["text"]) <= SNIPPET_CHARS + 1 for d in topic["docs"])
    assert data["summary"]["alpha_learned"] and data["summary"]["eta_learned"]
    assert data["summary"]["iterations"] == model.run_info["iterations"]


def test_report_ranking_data_agrees_with_the_python_ranking(fitted) -> None:
    _, _, model = fitted
    data = report_data(model, top_n=10)
    p_w = np.array(data["termCount"]) / data["totalTokens"]
    for topic in data["topics"]:
        ids = np.array([c[0] for c in topic["cand"]])
        p = np.array([c[1] for c in topic["cand"]])
        top = ids[layout.rank_terms(p, p_w[ids], 1.0, 10)]
        words = [data["terms"][i] for i in top]
        assert words == [w for w, _ in model.topics(10)[topic["id"]]]


def test_report_escapes_document_text(fitted, tmp_path) -> None:
    model_dir, corpus, _ = fitted
    lines = corpus.read_text().splitlines()
    model = LDA.load(model_dir)
    evil = "</script><script>alert(1)</script> & <b>"
    data = report_data(model, snippets=[evil + line for line in lines])
    page = report.render_html(data)
    assert "alert(1)" in page and "</script><script>alert" not in page
    assert page_data(page)["topics"][0]["docs"][0]["text"].startswith(evil)


def test_report_without_documents_shows_ids_only(fitted) -> None:
    _, _, model = fitted
    data = report_data(model)
    assert not data["hasSnippets"]
    assert all(d["text"] is None for t in data["topics"] for d in t["docs"])
    assert "--docs CORPUS" in report.render_html(data)


def test_report_reads_snippets_saved_with_the_model(fitted, tmp_path) -> None:
    model_dir, corpus, model = fitted
    copy = tmp_path / "model"
    model.save(copy)
    (copy / SNIPPETS_FILE).write_text(corpus.read_text(), encoding="utf-8")
    out = tmp_path / "r.html"
    report.write_report(LDA.load(copy), out, model_dir=copy)
    assert page_data(out.read_text())["hasSnippets"]


def test_report_refuses_documents_of_another_corpus(fitted) -> None:
    _, _, model = fitted
    other = [(str(i + 1), "nothing here matches") for i in range(len(model.doc_ids))]
    with pytest.raises(InputError, match="do not match"):
        report_data(model, documents=other)
    with pytest.raises(InputError, match="ids"):
        report_data(model, documents=[("x", "apple")])


def test_report_checks_the_documents_by_their_token_counts_as_fitted(fitted) -> None:
    """The training documents' token counts are kept with the model (γ sums to N_d plus the
    Σα of the E-step that made it, which the last M-step moved): the right file passes
    whatever α did, the same documents cut in half do not, and a model saved without the
    counts (before lda-vi 0.2) is checked from γ as before."""
    import copy

    model_dir, corpus, model = fitted
    loaded = LDA.load(model_dir)
    np.testing.assert_array_equal(loaded.doc_tokens, model.doc_tokens)
    lines = corpus.read_text(encoding="utf-8").splitlines()
    moved = copy.copy(loaded)
    moved.alpha = np.asarray(model.alpha) * 4.0 + 2.0          # Σα moved by many tokens
    docs = [(str(i + 1), line) for i, line in enumerate(lines)]
    assert report_data(moved, documents=docs)
    halves = [(str(i + 1), " ".join(line.split()[:max(1, len(line.split()) // 2)]))
              for i, line in enumerate(lines)]
    with pytest.raises(InputError, match="do not match"):
        report_data(moved, documents=halves)
    old = copy.copy(loaded)
    old.doc_tokens = None
    assert report_data(old, documents=docs)
    with pytest.raises(InputError, match="do not match"):
        report_data(old, documents=halves)


def test_report_refuses_a_corpus_of_another_number_of_documents(fitted) -> None:
    """Documents beyond a shorter file would show no snippet, and a longer file is another
    corpus: the number of documents must be the model's, whatever the word counts say."""
    _, corpus, model = fitted
    docs = [(str(i + 1), line) for i, line in
            enumerate(corpus.read_text(encoding="utf-8").splitlines())]
    n = len(model.doc_ids)
    assert len(docs) == n and report_data(model, documents=docs)["hasSnippets"]
    with pytest.raises(InputError, match=f"^short.txt has 20 documents but the model was "
                                         f"fitted on {n}; give the training documents"):
        report_data(model, documents=docs[:20], source="short.txt")
    extra = docs + [(str(n + i + 1), text) for i, (_, text) in enumerate(docs)]
    with pytest.raises(InputError, match=f"has {2 * n} documents but the model was fitted "
                                         f"on {n};"):
        report_data(model, documents=extra)


def _big_model(k: int = 50, v: int = 20_000, d: int = 2_000, iterations: int = 200) -> LDA:
    rng = np.random.default_rng(0)
    model = LDA(k=k)
    model.lam = rng.gamma(0.1, 1.0, size=(k, v)) * 50 + 0.01
    model.alpha = np.full(k, 0.05)
    model.eta = 0.01
    model.gamma = rng.gamma(0.2, 20.0, size=(d, k)) + 0.05
    model.vocab = Vocabulary([f"word{i:05d}" for i in range(v)])
    model.doc_ids = [str(i + 1) for i in range(d)]
    elbo = -1e7 * (1 + np.exp(-np.arange(iterations) / 20.0))
    model.run_info = {"elbo": elbo.tolist(), "iterations": iterations, "converged": False,
                      "settings": {"alpha": "auto", "eta": 0.01, "max_iter": iterations,
                                   "tol": 1e-4},
                      "corpus": {"documents": d, "words": v, "tokens": 10**6},
                      "fit_seconds": 123.4, "stop_reason": "reached max_iter"}
    return model


def test_report_size_for_k50_v20k_is_under_2mb(tmp_path) -> None:
    model = _big_model()
    snippets = ["lorem ipsum dolor sit amet " * 12] * len(model.doc_ids)
    data = report_data(model, top_n=30, snippets=snippets)
    page = report.render_html(data)
    assert len(page.encode("utf-8")) < 2 * 1024 * 1024
    assert page.count('class="elbo-pt"') == 200
    assert page.count('class="topic-item"') == 50


# ------------------------------------------------------------------------------ CLI
def _run(args: list[str]):
    return CliRunner().invoke(cli, args)


def test_cli_report_writes_the_page(fitted, tmp_path) -> None:
    model_dir, corpus, _ = fitted
    out = tmp_path / "r.html"
    result = _run(["report", str(model_dir), "-o", str(out), "--docs", str(corpus),
                   "--top-n", "12"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and out.is_file()
    assert page_data(out.read_text())["topN"] == 12
    again = _run(["report", str(model_dir), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert _run(["report", str(model_dir), "-o", str(out), "--force"]).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["report", "{missing}", "-o", "{out}"], "not a model directory"),
    (["report", "{tmp}", "-o", "{out}"], "no model.json"),
    (["report", "{model}", "-o", "{out}", "--top-n", "0"], "--top-n"),
    (["report", "{model}", "-o", "{out}", "--docs", "{missing}"], "not found"),
    (["report", "{model}", "-o", "{model}/model.json/r.html"], "not a directory"),
])
def test_cli_report_errors_are_one_line_and_exit_2(fitted, tmp_path, args, message) -> None:
    model_dir, _, _ = fitted
    values = {"missing": str(tmp_path / "missing"), "out": str(tmp_path / "r.html"),
              "tmp": str(tmp_path), "model": str(model_dir)}
    result = _run([a.format(**values) for a in args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("lines", [20, 47, 49, 1000])
def test_cli_report_refuses_docs_of_another_length(fitted, tmp_path, lines) -> None:
    """A --docs file shorter or longer than the training corpus: one line, exit 2, nothing
    written (the representative documents beyond a short file would lose their snippets)."""
    model_dir, corpus, model = fitted
    text = corpus.read_text(encoding="utf-8").splitlines()
    docs = tmp_path / "docs.txt"
    docs.write_text("\n".join((text * 25)[:lines]) + "\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = _run(["report", str(model_dir), "-o", str(out), "--force", "--docs", str(docs)])
    assert result.exit_code == 2, result.output
    lines_out = result.stderr.strip().splitlines()
    assert lines_out == [f"error: {docs} has {lines:,} documents but the model was fitted on "
                         f"{len(model.doc_ids)}; give the training documents, the file given "
                         "to fit"]
    assert not out.exists()


def test_cli_report_counts_the_held_out_documents_too(fitted, tmp_path) -> None:
    """A model fitted with --holdout was given the training and the held-out documents: the
    same file is accepted, a shorter one refused with both counts."""
    _, corpus, _ = fitted
    model_dir = tmp_path / "held"
    fit = _run(["fit", str(corpus), "-k", "4", "--seed", "0", "--max-iter", "10", "--min-df",
                "2", "--max-df", "1.0", "--holdout", "0.25", "-q", "-o", str(model_dir)])
    assert fit.exit_code == 0, fit.output
    out = tmp_path / "r.html"
    ok = _run(["report", str(model_dir), "-o", str(out), "--docs", str(corpus)])
    assert ok.exit_code == 0, ok.output
    assert page_data(out.read_text())["hasSnippets"]
    short = tmp_path / "short.txt"
    short.write_text("\n".join(corpus.read_text().splitlines()[:40]) + "\n")
    result = _run(["report", str(model_dir), "-o", str(out), "--force", "--docs", str(short)])
    assert result.exit_code == 2, result.output
    assert "has 40 documents but the model was fitted on 48 (36 for training, 12 held out)" \
        in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_plot_without_matplotlib_is_one_line_exit_2(fitted, tmp_path, monkeypatch) -> None:
    model_dir, _, _ = fitted
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib fails
    result = _run(["plot", str(model_dir), "--elbo", str(tmp_path / "e.png")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "pip install 'lda-vi[plot]'" in lines[0]


@pytest.mark.parametrize("args, message", [
    (["plot", "{model}"], "nothing to plot"),
    (["plot", "--elbo", "{tmp}/e.png"], "DIR"),
    (["plot", "--sweep", "{tmp}/s.csv"], "go together"),
    (["plot", "{missing}", "--elbo", "{tmp}/e.png"], "not a model directory"),
])
def test_cli_plot_usage_errors(fitted, tmp_path, args, message) -> None:
    pytest.importorskip("matplotlib")
    values = {"model": str(fitted[0]), "tmp": str(tmp_path), "missing": str(tmp_path / "no")}
    result = _run([a.format(**values) for a in args])
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_plot_draws_pngs(fitted, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    from lda_vi.evaluate import sweep

    model_dir, _, _ = fitted
    rows = [{"k": k, "seed": s, "completion_perplexity": 100.0 / k + s, "npmi": 0.1 * k,
             "umass": -k - s, "fit_seconds": 0.5 * k, "iterations": 10 + k,
             "stability": float("nan")} for k in (2, 4) for s in (0, 1)]
    sweep.write_sweep_csv(rows, tmp_path / "s.csv")
    outs = [tmp_path / n for n in ("e.png", "t.png", "s.png")]
    result = _run(["plot", str(model_dir), "--elbo", str(outs[0]), "--topics", str(outs[1]),
                   "--sweep", str(tmp_path / "s.csv"), "--out", str(outs[2])])
    assert result.exit_code == 0, result.output
    for out in outs:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = _run(["plot", str(model_dir), "--elbo", str(outs[0])])
    assert again.exit_code == 2 and "--force" in again.stderr


def test_read_sweep_csv_types_and_errors(tmp_path) -> None:
    from lda_vi.report.plots import read_sweep_csv

    path = tmp_path / "s.csv"
    path.write_text("k,seed,completion_perplexity,npmi,umass,fit_seconds,iterations,"
                    "stability\n5,0,123.5,0.1,-2.5,1.5,20,nan\n", encoding="utf-8")
    (row,) = read_sweep_csv(path)
    assert row["k"] == 5 and row["iterations"] == 20 and np.isnan(row["stability"])
    path.write_text("k,seed\n5,0\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks the column"):
        read_sweep_csv(path)


@pytest.mark.parametrize("k, max_iter", [(1, 1), (2, 3)])
def test_report_of_tiny_models(k, max_iter) -> None:
    lines = corpus_lines(12)
    alpha = 1.0 if k == 1 else "auto"           # (learning α with K = 1 warns in hyper.py)
    model = LDA(k=k, alpha=alpha, seed=0, max_iter=max_iter, min_df=1, max_df=1.0).fit(lines)
    page = report.render_html(report_data(model, top_n=5))
    assert page.count('class="topic-item"') == k
    assert page.count('class="elbo-pt"') == max_iter
    assert ('id="change-chart"' in page) == (max_iter > 1)
    assert "stopped at iteration" in page or "converged" in page
