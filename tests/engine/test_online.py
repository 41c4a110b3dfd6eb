"""Online variational Bayes (MATH.md O1): quality against batch, streaming from disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fits import estep, online
from planted import generate_lda_corpus

from lda_vi.engine.online import fit_online, learning_rate, row_batches
from lda_vi.evaluate.metrics import completion_score, perplexity, split_completion
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.lda import LDA


@pytest.fixture(scope="module")
def planted():
    X, beta, _ = generate_lda_corpus(np.random.default_rng(7), 2200, 300, 5, 0.1, 0.05,
                                     doc_length=60)
    X_train, X_test = X[:2000], X[2000:]
    observed, held = split_completion(X_test, np.random.default_rng(1))
    return X_train, observed, held, beta


def _completion(model: LDA, observed, held) -> float:
    theta = model.infer(observed).theta
    return perplexity(completion_score(held, theta, model.beta), held.sum())


def test_learning_rate_is_hoffman_schedule() -> None:
    assert learning_rate(0, 1.0, 0.7) == 1.0
    assert learning_rate(3, 5.0, 0.5) == pytest.approx(8 ** -0.5)


def test_online_within_five_percent_of_batch(planted) -> None:
    X_train, observed, held, _ = planted
    batch = LDA(k=5, seed=0).fit_counts(X_train)
    online = LDA(k=5, seed=0, method="online", batch_size=100, passes=2).fit_counts(X_train)
    p_batch, p_online = _completion(batch, observed, held), _completion(online, observed, held)
    assert p_online <= 1.05 * p_batch, (p_online, p_batch)
    assert online.gamma.shape == (2000, 5)


def test_online_update_is_o1_on_one_minibatch(planted) -> None:
    """With τ0 = 0 the first ρ is 1: λ is exactly η + (D/B) S of that minibatch."""
    X_train = planted[0][:50]
    one = fit_online(row_batches(X_train, 50), 1000, X_train.shape[1], online(3, alpha=0.3,
                                                                              eta=0.02, tau0=0.0,
                                                                              kappa=0.7),
                     np.random.default_rng(0))
    from lda_vi.engine.em import init_lam
    from lda_vi.engine.estep import e_step
    from lda_vi.engine.layout import prepare
    from lda_vi.engine.topics import expect_topics

    arrays = prepare(X_train)
    lam0 = init_lam(np.random.default_rng(0), 3, arrays)
    gamma = np.ascontiguousarray(np.full(3, 0.3) + arrays.doc_lengths[:, None] / 3)
    est = e_step(arrays, np.full(3, 0.3), expect_topics(lam0).expElogbetaT, gamma, estep())
    np.testing.assert_allclose(one.lam, 0.02 + (1000 / 50) * est.sstats, rtol=1e-12)


def test_fit_stream_reads_from_disk_and_transforms(tmp_path: Path, planted) -> None:
    X_train = planted[0][:300]
    def word(j: int) -> str:
        return "w" + "".join(chr(97 + int(c)) for c in np.base_repr(j, 10))

    lines = [" ".join(word(j) for j in np.repeat(row.indices, row.data.astype(int)))
             for row in X_train]
    lines[5] = ""
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    opened = []

    def open_docs():
        opened.append(1)
        return iter_documents(str(path))

    model = LDA(k=5, seed=1, method="online", batch_size=64, passes=2, min_df=1, max_df=1.0,
                min_length=1)
    model.fit_stream(open_docs)
    assert len(opened) == 3                      # one counting pass, then one per pass
    assert model.lam.shape == (5, len(model.vocab))
    assert model.run_info["documents_seen"] == 2 * 300
    rows = list(model.transform_stream(iter_documents(str(path)), batch_size=100))
    ids = [i for chunk, _, _ in rows for i in chunk]
    theta = np.vstack([t for _, t, _ in rows])
    assert ids == [str(i) for i in range(1, 301)]
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    saved = model.save(tmp_path / "model")
    again = LDA.load(saved)
    assert np.array_equal(again.lam, model.lam)


def test_cli_online_streams_and_writes_every_row(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    rng = np.random.default_rng(2)
    themes = [["apple", "banana", "cherry", "orchard"], ["engine", "piston", "wheel", "brake"]]
    lines = [" ".join(rng.choice(themes[i % 2], 15)) for i in range(150)]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, ["fit", str(corpus), "-k", "2", "--method", "online",
                                      "--batch-size", "32", "--passes", "2", "--seed", "0",
                                      "--min-df", "1", "--max-df", "1.0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "pass 2/2" in result.stderr and "docs/s" in result.stderr
    rows = (out / "doc_topics.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 151
    theta = np.array([[float(x) for x in r.split(",")[1:]] for r in rows[1:]])
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    assert LDA.load(out).lam.shape[0] == 2
    refused = CliRunner().invoke(cli, ["fit", "-", "-k", "2", "--method", "online"],
                                 input="a b c\n")
    assert refused.exit_code == 2 and "standard input" in refused.stderr
