"""Tests of lda_vi.io.count_stream: count files read minibatch by minibatch from disk, and
online VB over them against batch EM."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import scipy.sparse as sp
from io_testing import error, write
from planted import generate_lda_corpus

from lda_vi.io import count_blocks
from lda_vi.io.count_stream import CountStream
from lda_vi.io.counts import read_count_matrix
from lda_vi.io.writers import write_ldac
from lda_vi.text.vocabulary import PruneConfig


def uci_text(X: sp.csr_matrix, order=None) -> str:
    coo = X.tocoo()
    order = np.lexsort((coo.col, coo.row)) if order is None else order
    body = "".join(f"{r + 1} {c + 1} {int(v)}\n" for r, c, v in
                   zip(coo.row[order], coo.col[order], coo.data[order], strict=True))
    return f"{X.shape[0]}\n{X.shape[1]}\n{coo.nnz}\n{body}"


@pytest.fixture()
def counts():
    rng = np.random.default_rng(3)
    X = sp.random(23, 9, density=0.3, format="csr", random_state=rng)
    X.data = np.ceil(X.data * 5)
    X = X.tolil()
    X[4, :] = 0
    X[22, :] = 0  # empty documents, the last one too
    return X.tocsr()


@pytest.mark.parametrize("kind", ["ldac", "ldac.gz", "uci", "uci.gz"])
@pytest.mark.parametrize("batch", [1, 5, 23, 100])
def test_minibatches_are_the_matrix_in_order(tmp_path, monkeypatch, counts, kind, batch):
    monkeypatch.setattr(count_blocks, "BLOCK_BYTES", 7)  # many blocks, split mid-document
    write(tmp_path / "vocab.txt", "".join(f"w{i}\n" for i in range(9)))
    if kind.startswith("ldac"):
        path = tmp_path / f"c.dat{'.gz' if kind.endswith('gz') else ''}"
        write_ldac(path, counts)
    else:
        text = uci_text(counts).encode()
        path = write(tmp_path / ("docword.c.txt.gz" if kind.endswith("gz")
                                 else "docword.c.txt"),
                     gzip.compress(text) if kind.endswith("gz") else text)
    stream = CountStream(path, vocab_path=tmp_path / "vocab.txt")
    assert stream.n_docs == 23 and stream.n_tokens == counts.sum()
    assert stream.vocab.words == tuple(f"w{i}" for i in range(9))
    for _ in range(2):  # every call reads the file again
        parts = list(stream.batches(batch))
        assert [X.shape[0] for X, _ in parts[:-1]] == [batch] * (len(parts) - 1)
        X = sp.vstack([X for X, _ in parts]).tocsr()
        np.testing.assert_array_equal(X.toarray(), counts.toarray())
        assert [i for _, ids in parts for i in ids] == [str(d) for d in range(1, 24)]


def test_unsorted_uci_is_refused_for_streaming_but_read_in_batch(tmp_path, counts):
    write(tmp_path / "vocab.c.txt", "".join(f"w{i}\n" for i in range(9)))
    coo = counts.tocoo()
    order = np.lexsort((coo.col, -coo.row))  # documents last to first
    path = write(tmp_path / "docword.c.txt", uci_text(counts, order))
    message = error(CountStream, path)
    assert "not sorted by document" in message and "fit in batch" in message
    np.testing.assert_array_equal(read_count_matrix(path).counts.toarray(), counts.toarray())


def test_pruning_a_stream_only_when_asked(tmp_path, counts):
    write(tmp_path / "vocab.txt", "".join(f"w{i}\n" for i in range(9)))
    X = counts.tolil()
    X[:, 8] = 0
    path = tmp_path / "c.dat"
    write_ldac(path, X.tocsr())
    assert len(CountStream(path).vocab) == 9  # a word with no count stays
    pruned = CountStream(path, prune_config=PruneConfig(min_df=1, max_df=1.0))
    assert "w8" not in pruned.vocab and len(pruned.vocab) == 8
    Y = sp.vstack([b for b, _ in pruned.batches(4)]).toarray()
    np.testing.assert_array_equal(Y, X.toarray()[:, :8])
    assert "pruning removed every word" in error(CountStream, path,
                                                 prune_config=PruneConfig(min_df=30))


def test_online_on_ldac_is_within_10_percent_of_batch(tmp_path):
    """Online VB streamed from an lda-c file reaches a held-out bound perplexity
    exp(-bound/N) within 10% of batch EM's on a planted corpus."""
    from lda_vi.io.load import load_corpus
    from lda_vi.model.lda import LDA

    rng = np.random.default_rng(0)
    X, _, _ = generate_lda_corpus(rng, 1200, 150, 5, 0.2, 0.05, doc_length=60)
    write(tmp_path / "vocab.txt", "".join(f"w{i}\n" for i in range(150)))
    write_ldac(tmp_path / "train.dat", X[:1000])
    held = X[1000:]

    def perplexity(model):
        return float(np.exp(-model.infer(held).bound.sum() / held.sum()))

    batch = LDA(k=5, seed=1, max_iter=100).fit_corpus(load_corpus(tmp_path / "train.dat"))
    online = LDA(k=5, seed=1, method="online", batch_size=100, passes=8)
    online.fit_stream(CountStream(tmp_path / "train.dat"))
    assert len(online.vocab) == len(batch.vocab) == 150
    assert perplexity(online) <= 1.10 * perplexity(batch)
