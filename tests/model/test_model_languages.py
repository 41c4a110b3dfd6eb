"""The model keeps its language and learned phrases: LDA.fit and fit_stream learn the
phrases of the training text, save/load keeps them, transform applies them."""

from __future__ import annotations

import numpy as np

from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import TokenizerConfig

FILLER = ("river market garden doctor window music engine letter summer planet forest harbor "
          "pencil bottle castle silver").split()


def _docs(n_docs, seed):
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_docs):
        words = list(rng.choice(FILLER, size=30))
        for phrase in ("New York", "the Bank of America"):
            words.insert(int(rng.integers(len(words))), phrase)
        docs.append(" ".join(words))
    return docs


def _config():
    return TokenizerConfig(language="en", phrases=3, phrase_min_count=20)


def test_fit_learns_phrases_and_save_load_keeps_them(tmp_path):
    docs = _docs(40, 0)
    model = LDA(k=2, seed=0, max_iter=20, tokenizer=_config(), min_df=1, max_df=1.0).fit(docs)
    table = model.tokenizer_config.phrase_table
    assert {"_".join(w) for w, _, _ in table[0]} == {"new_york", "bank_of_america"}
    assert {"new_york", "bank_of_america"} <= set(model.vocab)
    model.save(tmp_path / "m")
    loaded = LDA.load(tmp_path / "m")
    assert loaded.tokenizer_config == model.tokenizer_config
    new = _docs(5, 1)
    assert np.array_equal(loaded.transform(new), model.transform(new))
    X, _, _ = loaded.vectorize(["New York river"])
    assert X[0, loaded.vocab.index("new_york")] == 1 and "york" not in loaded.vocab


def test_fit_stream_learns_the_same_phrases(tmp_path):
    docs = _docs(40, 0)
    batch = LDA(k=2, seed=0, max_iter=5, tokenizer=_config(), min_df=1, max_df=1.0).fit(docs)
    online = LDA(k=2, seed=0, method="online", tokenizer=_config(), min_df=1, max_df=1.0)
    online.fit_stream(lambda: ((str(i), d) for i, d in enumerate(docs)))
    assert online.tokenizer_config == batch.tokenizer_config
    assert online.vocab == batch.vocab
