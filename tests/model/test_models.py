"""Models you keep: save/load round trips, refused model files, held-out evaluation, sweeps.

Small planted corpora (tests/planted.py) written as text, so that every test runs the real
pipeline (tokenizer → vocabulary → corpus → model) in well under a second.
"""

from __future__ import annotations

import csv
import json
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from planted import PLANTED_K, PLANTED_V, planted_texts

from lda_vi.errors import InputError, ModelFileError
from lda_vi.evaluate.heldout import (
    HeldoutMonitor,
    coherence,
    completion_perplexity,
    completion_rng,
    evaluate_heldout,
    holdout_split,
    merge_rows,
    per_word_bound,
    split_documents,
)
from lda_vi.evaluate.metrics import completion_score, perplexity, split_completion
from lda_vi.evaluate.sweep import (
    COLUMNS,
    parse_ks,
    plot_sweep,
    run_sweep,
    summarize,
    write_sweep_csv,
)
from lda_vi.model.lda import LDA
from lda_vi.model.persistence import FORMAT_VERSION

K, V = PLANTED_K, PLANTED_V


def fitted(texts, k: int = K, seed: int = 0, **kwargs) -> LDA:
    kwargs.setdefault("max_iter", 100)
    return LDA(k=k, seed=seed, min_df=1, max_df=1.0, **kwargs).fit(texts)


@pytest.fixture(scope="module")
def planted() -> list[str]:
    return planted_texts(0, n_docs=200)


@pytest.fixture(scope="module")
def texts(planted) -> list[str]:
    """Training documents."""
    return planted[:160]


@pytest.fixture(scope="module")
def unseen(planted) -> list[str]:
    """Documents of the same planted topics, never seen by the model."""
    return planted[160:]


@pytest.fixture(scope="module")
def model(texts) -> LDA:
    return fitted(texts)


@pytest.fixture()
def saved(model, tmp_path):
    return model.save(tmp_path / "model")


# --------------------------------------------------------------------------- save and load


def test_load_reproduces_transform_bit_for_bit(model, saved, unseen):
    loaded = LDA.load(saved)
    assert np.array_equal(loaded.lam, model.lam)
    assert np.array_equal(loaded.alpha, model.alpha)
    assert loaded.eta == model.eta
    assert loaded.vocab == model.vocab and loaded.doc_ids == model.doc_ids
    assert np.array_equal(loaded.transform(unseen), model.transform(unseen))
    assert loaded.topics(8) == model.topics(8)
    assert np.array_equal(loaded.topic_shares(), model.topic_shares())
    # and a second save of the loaded model is read back identically
    again = LDA.load(loaded.save(saved.parent / "again"))
    assert np.array_equal(again.transform(unseen), model.transform(unseen))


def test_transform_is_deterministic(model, unseen):
    assert np.array_equal(model.transform(unseen), model.transform(unseen))


def test_object_array_in_npz_is_refused(saved):
    with open(saved / "arrays.npz", "wb") as handle:
        np.savez(handle, lam=np.array([{"x": 1}], dtype=object),
                 alpha=np.ones(K), gamma=np.ones((2, K)))
    with pytest.raises(ModelFileError, match="objects") as info:
        LDA.load(saved)
    assert "\n" not in str(info.value)


def test_random_bytes_for_arrays_are_corrupt_not_objects(saved):
    (saved / "arrays.npz").write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ModelFileError, match="arrays.npz is corrupt \\(not an .npz file\\)"):
        LDA.load(saved)


def test_non_float_array_is_refused(saved):
    with open(saved / "arrays.npz", "wb") as handle:
        np.savez(handle, lam=np.ones((K, 3), dtype=np.int64), alpha=np.ones(K),
                 gamma=np.ones((2, K)))
    with pytest.raises(ModelFileError, match="dtype"):
        LDA.load(saved)


def test_newer_format_version_is_refused(saved):
    meta = json.loads((saved / "model.json").read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (saved / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="newer") as info:
        LDA.load(saved)
    assert "upgrade lda-vi" in str(info.value)


@pytest.mark.parametrize("name", ["arrays.npz", "vocab.txt", "doc_ids.txt", "model.json"])
def test_missing_file_is_named(saved, name):
    (saved / name).unlink()
    with pytest.raises(ModelFileError, match=name.replace(".", r"\.")) as info:
        LDA.load(saved)
    assert "missing" in str(info.value)


def test_inconsistent_vocabulary_is_refused(saved):
    words = (saved / "vocab.txt").read_text().splitlines()
    (saved / "vocab.txt").write_text("\n".join(words[:-1]) + "\n")
    with pytest.raises(ModelFileError, match="inconsistent"):
        LDA.load(saved)


def test_directory_that_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError, match="not a model directory"):
        LDA.load(tmp_path / "nowhere")
    (tmp_path / "model.json").write_text('{"hello": 1}')
    with pytest.raises(ModelFileError, match="not an lda-vi model"):
        LDA.load(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="corrupt"):
        LDA.load(tmp_path)


# --------------------------------------------------------------------------- held-out scores


def test_per_word_bound_is_the_inference_bound(model, unseen):
    X, _, _ = model.vectorize(unseen)
    bound, n_tokens = per_word_bound(model, X)
    inference = model.infer(X)
    assert bound == pytest.approx(float(inference.bound.sum()), rel=1e-12)
    assert n_tokens == int(X.sum())
    assert bound < 0
    # a bound on log p(w): the per-word perplexity is at least 1 and at most about V
    assert 1.0 < perplexity(bound, n_tokens) < 2 * V


def test_completion_perplexity_by_hand(model, unseen):
    X, _, _ = model.vectorize(unseen)
    value, n_scored = completion_perplexity(model, X, np.random.default_rng(5))
    X_obs, X_held = split_completion(X, np.random.default_rng(5))
    theta = model.infer(X_obs).theta
    score = completion_score(X_held, theta, model.lam / model.lam.sum(1, keepdims=True))
    assert n_scored == int(X_held.sum())
    assert value == pytest.approx(np.exp(-score / n_scored), rel=1e-12)
    again, _ = completion_perplexity(model, X, np.random.default_rng(5))
    assert again == value                                     # seeded: reproducible


def test_good_topics_beat_random_topics(model, saved, unseen):
    X, _, _ = model.vectorize(unseen)
    good, _ = completion_perplexity(model, X, np.random.default_rng(0))
    random_model = LDA.load(saved)
    random_model.lam = np.random.default_rng(3).gamma(1.0, 1.0, size=model.lam.shape)
    bad, _ = completion_perplexity(random_model, X, np.random.default_rng(0))
    assert good < 0.8 * bad
    assert per_word_bound(model, X)[0] > per_word_bound(random_model, X)[0]


def test_evaluate_heldout_collects_the_figures(model, unseen):
    X, _, _ = model.vectorize(unseen)
    figures = evaluate_heldout(model, X, np.random.default_rng(0))
    bound, n_tokens = per_word_bound(model, X)
    value, n_scored = completion_perplexity(model, X, np.random.default_rng(0))
    assert figures.documents == len(unseen) and figures.tokens == n_tokens
    assert figures.bound == pytest.approx(bound, rel=1e-12)
    assert figures.bound_per_word == pytest.approx(bound / n_tokens, rel=1e-12)
    assert figures.bound_perplexity == pytest.approx(np.exp(-bound / n_tokens), rel=1e-12)
    assert figures.completion_perplexity == value and figures.completion_tokens == n_scored
    with_inference = evaluate_heldout(model, X, np.random.default_rng(0), model.infer(X))
    assert with_inference == figures


def test_documents_without_known_words_give_nan_not_errors(model):
    X, _, n_oov = model.vectorize(["unknown zebra words", ""])
    assert n_oov == 3 and X.sum() == 0
    figures = evaluate_heldout(model, X, np.random.default_rng(0))
    assert np.isnan(figures.bound_perplexity) and np.isnan(figures.completion_perplexity)


def test_coherence_shapes_and_ranges(model, texts):
    X, _, _ = model.vectorize(texts)
    scores = coherence(model, X, 10)
    assert set(scores) == {"umass", "npmi"}
    assert scores["umass"].shape == scores["npmi"].shape == (K,)
    assert np.all(scores["npmi"] >= -1) and np.all(scores["npmi"] <= 1)
    assert np.all(scores["umass"] <= 45 * np.log(2) + 1e-9)   # each pair at most log 2-ish
    assert coherence(model, X, 10_000)["npmi"].shape == (K,)  # top_n capped at V
    with pytest.raises(InputError, match="at least 2"):
        coherence(model, X, 1)


def test_planted_topics_are_more_coherent_than_random_ones(model, saved, texts):
    X, _, _ = model.vectorize(texts)
    random_model = LDA.load(saved)
    random_model.lam = np.random.default_rng(3).gamma(1.0, 1.0, size=model.lam.shape)
    assert coherence(model, X, 8)["npmi"].mean() > coherence(random_model, X, 8)["npmi"].mean()


# --------------------------------------------------------------------------- during the fit


def test_monitor_scores_during_the_fit_without_changing_it(texts, unseen):
    plain = fitted(texts, max_iter=6, tol=0.0)
    probe = LDA(k=K, seed=0, min_df=1, max_df=1.0, max_iter=6, tol=0.0)
    X_test, _, _ = plain.vectorize(unseen)
    reported = []
    monitor = HeldoutMonitor(probe, X_test, seed=4, report=reported.append)
    probe.fit(texts, monitor=monitor, monitor_every=3)
    assert np.array_equal(probe.lam, plain.lam) and np.array_equal(probe.gamma, plain.gamma)
    assert probe.trace.elbo == plain.trace.elbo      # the kernels' sums have a fixed order
    assert [r["iteration"] for r in monitor.records] == [3, 6] and reported == monitor.records
    # after the last iteration the monitor saw the final model: the same figures as at the end
    final = evaluate_heldout(probe, X_test, completion_rng(4))
    assert monitor.records[-1]["completion_perplexity"] == pytest.approx(
        final.completion_perplexity, rel=1e-12)
    assert monitor.records[-1]["bound_perplexity"] == pytest.approx(final.bound_perplexity,
                                                                    rel=1e-12)
    # earlier topics score differently, and the model itself was never touched
    assert monitor.records[0]["completion_perplexity"] != final.completion_perplexity
    assert monitor.seconds > 0


def test_with_state_leaves_the_model_alone(model):
    lam, alpha = model.lam.copy(), model.alpha.copy()
    cached = model.expElogbetaT.copy()                        # cache built
    state = type(model.trace)(lam=lam * 2.0, gamma=model.gamma, alpha=alpha / 2.0, eta=0.5)
    view = model.with_state(state)
    assert np.array_equal(view.lam, lam * 2.0) and view.eta == 0.5
    assert not np.array_equal(view.expElogbetaT, model.expElogbetaT)
    assert np.array_equal(model.lam, lam) and np.array_equal(model.alpha, alpha)
    assert np.array_equal(model.expElogbetaT, cached)


# --------------------------------------------------------------------------- splitting


def test_holdout_split_is_seeded_and_partitions():
    train, test = holdout_split(50, 0.2, np.random.default_rng(7))
    assert len(test) == 10 and len(train) == 40
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(50))
    assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
    again = holdout_split(50, 0.2, np.random.default_rng(7))
    assert np.array_equal(again[0], train) and np.array_equal(again[1], test)
    other = holdout_split(50, 0.2, np.random.default_rng(8))
    assert not np.array_equal(other[1], test)
    assert len(holdout_split(3, 0.01, np.random.default_rng(0))[1]) == 1   # at least one
    assert len(holdout_split(3, 0.99, np.random.default_rng(0))[0]) == 1   # one left to fit


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 2.0, float("nan")])
def test_holdout_split_refuses_bad_fractions(fraction):
    with pytest.raises(InputError, match="^holdout must be a fraction"):
        holdout_split(10, fraction, np.random.default_rng(0))


def test_holdout_split_needs_two_documents():
    with pytest.raises(InputError, match="at least 2"):
        holdout_split(1, 0.5, np.random.default_rng(0))


def test_split_documents_keeps_ids_and_order():
    docs = [(f"d{i}", f"text {i}") for i in range(20)]
    split = split_documents(iter(docs), 0.25, seed=4)
    assert split.n_docs == 20 and len(split.test) == 5
    assert split.doc_ids == [d for d, _ in docs]
    assert [docs[i] for i in split.test_idx] == split.test
    rows = merge_rows(split.train_idx, np.zeros((15, 2)), split.test_idx, np.ones((5, 2)))
    assert np.array_equal(np.flatnonzero(rows[:, 0]), split.test_idx)


# --------------------------------------------------------------------------- sweep


def test_parse_ks():
    assert parse_ks("5, 10,20,10") == [5, 10, 20]
    for bad in ("5,x", "0,3", ""):
        with pytest.raises(InputError, match="^ks") as info:
            parse_ks(bad)
        assert info.value.params == ("ks",)


@pytest.fixture(scope="module")
def sweep_rows(model, texts, unseen):
    X_train, _, _ = model.vectorize(texts)
    X_test, _, _ = model.vectorize(unseen)
    seen = []
    rows = run_sweep(X_train, X_test, [2, 3], [0, 1], max_iter=30, top_n=8,
                     vocab=model.vocab, progress=seen.append)
    assert len(seen) == 4
    return rows


def test_sweep_returns_one_row_per_k_and_seed(sweep_rows):
    assert [(r["k"], r["seed"]) for r in sweep_rows] == [(2, 0), (2, 1), (3, 0), (3, 1)]
    for row in sweep_rows:
        assert set(row) == set(COLUMNS)
        assert row["completion_perplexity"] > 1 and -1 <= row["npmi"] <= 1
        assert row["iterations"] >= 1 and row["fit_seconds"] >= 0
        assert 0 <= row["stability"] <= 1
    # stability is per K, repeated on each of its rows
    assert sweep_rows[0]["stability"] == sweep_rows[1]["stability"]
    # the planted K=3 fits the held-out documents better than K=2
    by_k = {e["k"]: e for e in summarize(sweep_rows)}
    assert by_k[3]["completion_perplexity"] < by_k[2]["completion_perplexity"]
    assert by_k[3]["stability"] > 0.5
    assert by_k[3]["runs"] == 2 and by_k[3]["npmi_sd"] >= 0


def test_sweep_csv_parses_with_the_right_columns(sweep_rows, tmp_path):
    path = tmp_path / "sweep.csv"
    write_sweep_csv(sweep_rows, path)
    with open(path, newline="") as handle:
        records = list(csv.DictReader(handle))
    assert list(records[0]) == list(COLUMNS)
    assert len(records) == 4
    for record, row in zip(records, sweep_rows, strict=True):
        assert int(record["k"]) == row["k"] and int(record["seed"]) == row["seed"]
        assert int(record["iterations"]) == row["iterations"]
        for column in ("completion_perplexity", "npmi", "umass", "fit_seconds", "stability"):
            assert float(record[column]) == row[column]        # repr round-trips exactly


def test_sweep_with_one_seed_has_no_stability(model, texts, unseen):
    X_train, _, _ = model.vectorize(texts)
    X_test, _, _ = model.vectorize(unseen)
    rows = run_sweep(X_train, X_test, [2], [0], max_iter=5, vocab=model.vocab)
    assert len(rows) == 1 and np.isnan(rows[0]["stability"])
    assert np.isnan(summarize(rows)[0]["npmi_sd"])


def test_sweep_refuses_an_empty_test_set(model, texts):
    X_train, _, _ = model.vectorize(texts)
    with pytest.raises(InputError, match="held-out"):
        run_sweep(X_train, sp.csr_matrix((2, X_train.shape[1])), [2], [0], max_iter=5)


def test_plot_sweep_writes_a_png(sweep_rows, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "sweep.png"
    plot_sweep(sweep_rows, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_sweep_without_matplotlib_says_how_to_install(sweep_rows, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)       # import matplotlib fails
    with pytest.raises(InputError, match=r"pip install 'lda-vi\[plot\]'"):
        plot_sweep(sweep_rows, tmp_path / "sweep.png")
    assert not (tmp_path / "sweep.png").exists()
