"""Guided topics through the LDA API: planted truth, seeds kept, labels everywhere."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from planted import (
    CLOSE_OWN,
    close_topics_corpus,
    counts_to_texts,
    generate_lda_corpus,
    planted_texts,
    word,
)

from lda_vi.errors import InputError, ModelFileError
from lda_vi.model.guided import SeedWordsWarning, expected_counts
from lda_vi.model.labels import auto_labels, topic_names, with_label
from lda_vi.model.lda import LDA
from lda_vi.model.persistence import save_labels

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"
SEEDS = {"first": [word(v) for v in list(CLOSE_OWN[0])[:5]],
         "second": [word(v) for v in list(CLOSE_OWN[1])[:5]]}


def hellinger(p, q):
    return np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=-1))


def word_id(term: str) -> int:
    """The planted id of a :func:`planted.word` term."""
    return (ord(term[2]) - ord("a")) * 26 + ord(term[3]) - ord("a")


@pytest.fixture(scope="module")
def close():
    """Two close planted topics (90% of their mass on the same 30 words), as text."""
    X, beta = close_topics_corpus(shared=0.9)
    return counts_to_texts(X), beta


def best_fit(texts, **options) -> LDA:
    """Three fits from different seeds; the one with the highest final ELBO."""
    fits = [LDA(k=5, seed=seed, min_df=1, max_df=1.0, max_iter=300, tol=1e-5,
                **options).fit(texts) for seed in range(3)]
    return max(fits, key=lambda m: m.trace.elbo[-1])


def distances(model: LDA, beta: np.ndarray) -> np.ndarray:
    """Hellinger distances between planted (rows) and fitted (columns) topics, on the
    model's vocabulary."""
    ids = [word_id(w) for w in model.vocab.words]
    true = beta[:, ids] / beta[:, ids].sum(axis=1, keepdims=True)
    return hellinger(true[:, np.newaxis, :], model.beta[np.newaxis, :, :])


def test_seeds_separate_two_close_topics(close):
    texts, beta = close
    free = distances(best_fit(texts), beta)
    # without seeds the close pair is confused: one of them has no fitted topic near it
    assert max(free[0].min(), free[1].min()) > 0.15, np.round(free, 3)
    model = best_fit(texts, seed_words=SEEDS, seed_strength=10.0)
    guided = distances(model, beta)
    assert guided[0, 0] < 0.15 and guided[1, 1] < 0.15, np.round(guided, 3)
    assert model.labels == ["first", "second", None, None, None]


def test_cvb0_puts_the_close_topics_where_their_seeds_are(close):
    """CVB0 separates the close pair even without seeds (at its best start), but only the
    seeds put them in the seeded places, each on its own planted topic."""
    texts, beta = close
    model = best_fit(texts, seed_words=SEEDS, seed_strength=10.0, inference="cvb0")
    guided = distances(model, beta)
    assert guided[0, 0] < 0.15 and guided[1, 1] < 0.15, np.round(guided, 3)
    assert model.labels == ["first", "second", None, None, None]
    assert model.record.seeds["strength"] == 10.0 and model.record.inference == "cvb0"


@pytest.mark.parametrize("inference", ["vb", "cvb0"])
def test_seeded_topics_keep_their_seeds_among_their_top_words(inference):
    """Seeds (three words most in that topic) name planted topics 2 and 0, in that order:
    seeded topic 0 becomes planted topic 2 and seeded topic 1 planted topic 0, each with
    all its seeds among its top words; by VB and by CVB0 alike."""
    X, beta, _ = generate_lda_corpus(np.random.default_rng(7), 300, 60, 3, 0.1, 0.05,
                                     doc_length=50)
    texts = counts_to_texts(X)
    planted = [2, 0]
    own = beta.argmax(axis=0)                        # the planted topic each word is most in
    seeds = {f"planted_{j}": [word(int(v)) for v in np.argsort(-beta[j]) if own[v] == j][:3]
             for j in planted}
    model = LDA(k=3, seed=0, min_df=1, max_df=1.0, seed_words=seeds,
                inference=inference).fit(texts)
    assert model.labels == ["planted_2", "planted_0", None]
    top = model.top_word_ids(10)
    near = distances(model, beta)
    for k, (j, words) in enumerate(zip(planted, seeds.values(), strict=True)):
        assert {model.vocab.index(w) for w in words} <= set(top[k].tolist())
        assert near[j, k] < 0.15 and near[j].argmin() == k


def test_free_topics_unaffected_in_number_and_order(close):
    texts, _ = close
    swapped = dict(reversed(list(SEEDS.items())))
    a = LDA(k=6, seed=0, min_df=1, max_df=1.0, seed_words=SEEDS, max_iter=30).fit(texts)
    b = LDA(k=6, seed=0, min_df=1, max_df=1.0, seed_words=swapped, max_iter=30).fit(texts)
    assert a.labels == ["first", "second", None, None, None, None]
    assert b.labels == ["second", "first", None, None, None, None]
    assert a.topic_names[2:] == b.topic_names[2:] == [f"topic_{k}" for k in range(2, 6)]
    # the seeded topics follow the file order; each is on its own theme in both
    for model, order in ((a, [0, 1]), (b, [1, 0])):
        for k, own in zip(range(2), [CLOSE_OWN[i] for i in order], strict=True):
            mass = model.beta[k, [model.vocab.index(word(v)) for v in own]].sum()
            assert mass > 0.05
    assert b.k - 2 == a.k - 2 == 4


def test_online_vb_takes_the_seeds_too():
    X, beta, _ = generate_lda_corpus(np.random.default_rng(7), 600, 60, 3, 0.1, 0.05,
                                     doc_length=50)
    own = beta.argmax(axis=0)
    seeds = {"planted_1": [word(int(v)) for v in np.argsort(-beta[1]) if own[v] == 1][:3]}
    model = LDA(k=3, seed=0, min_df=1, max_df=1.0, method="online", batch_size=100,
                passes=5, seed_words=seeds).fit(counts_to_texts(X))
    assert model.labels == ["planted_1", None, None]
    assert {model.vocab.index(w) for w in seeds["planted_1"]} <= set(
        model.top_word_ids(10)[0].tolist())
    assert distances(model, beta)[1].argmin() == 0


def test_k_smaller_than_the_seeded_topics_is_an_error():
    with pytest.raises(InputError, match="must be >= the 2 seeded topics") as info:
        LDA(k=1, seed_words=SEEDS)
    assert "k" in info.value.params
    with pytest.raises(InputError, match="must be >= the 2 seeded topics"):
        LDA(k=1, seed_words=SEEDS, inference="cvb0")


def test_missing_seed_words_one_warning_and_a_topic_left_empty_is_an_error():
    texts = planted_texts(0, n_docs=60)
    seeds = {"one": ["zqaa", "nothere", "the"], "two": ["zqab", "absent"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LDA(k=3, seed=0, min_df=1, max_df=1.0, max_iter=5, seed_words=seeds).fit(texts)
    lines = [str(w.message) for w in caught if issubclass(w.category, SeedWordsWarning)]
    assert lines == ["3 seed words not in the vocabulary (after tokenizing, stemming and "
                     "pruning), ignored: nothere, the, absent"]
    assert model.record.seeds["missing"] == ["nothere", "the", "absent"]
    assert model.record.seeds["topics"][0]["terms"] == ["zqaa"]
    with pytest.raises(InputError, match="seeded topic 'gone': none of its seed words"):
        LDA(k=3, max_iter=5, min_df=1, max_df=1.0,
            seed_words={"ok": ["zqaa"], "gone": ["nothere"]}).fit(texts)


@pytest.mark.parametrize("inference", ["vb", "cvb0"])
def test_labels_survive_save_load_and_transform(tmp_path, inference):
    texts = planted_texts(0, n_docs=120)
    model = LDA(k=3, seed=0, min_df=1, max_df=1.0, max_iter=20, inference=inference,
                seed_words={"gulf_war": ["zqaa", "zqab"]}).fit(texts)
    model.save(tmp_path / "m")
    loaded = LDA.load(tmp_path / "m")
    assert loaded.labels == ["gulf_war", None, None]
    assert loaded.topic_names == ["gulf_war", "topic_1", "topic_2"]
    assert loaded.record.labels == ["gulf_war", None, None]
    assert loaded.settings.seed_words == {"gulf_war": ["zqaa", "zqab"]}
    assert np.array_equal(loaded.transform(texts[:5]), model.transform(texts[:5]))
    # renamed on disk: both files, and the arrays untouched
    save_labels(tmp_path / "m", with_label(loaded.labels, 2, "other"))
    again = LDA.load(tmp_path / "m")
    assert again.labels == ["gulf_war", None, "other"]
    assert again.record.labels == ["gulf_war", None, "other"]
    assert np.array_equal(again.lam, model.lam)


def test_models_saved_before_labels_still_load():
    for name in ("v1_cli", "v1_library", "v1_online"):
        model = LDA.load(FIXTURES / name)
        assert model.labels == [None] * model.k
        assert model.topic_names == [f"topic_{k}" for k in range(model.k)]
        assert model.settings.seed_words is None


def test_corrupt_labels_are_refused(tmp_path):
    shutil.copytree(FIXTURES / "v1_library", tmp_path / "m")
    model = LDA.load(tmp_path / "m")
    text = (tmp_path / "m" / "model.json").read_text()
    bad = text.rstrip().rstrip("}") + f', "labels": {["x"] * (model.k + 1)}}}'.replace("'", '"')
    (tmp_path / "m" / "model.json").write_text(bad)
    with pytest.raises(ModelFileError, match="labels must have one entry per topic"):
        LDA.load(tmp_path / "m")


def test_label_checks():
    assert topic_names(["a", None], 2) == ["a", "topic_1"]
    with pytest.raises(InputError, match="already topic 0's"):
        with_label(["gulf", None], 1, "gulf")
    with pytest.raises(InputError, match="between 0 and 1"):
        with_label(["gulf", None], 2, "x")
    assert with_label(["gulf", None], 0, "") == [None, None]


def test_auto_labels_name_unlabelled_topics_from_relevant_words():
    words = ["iraq", "kuwait", "oil", "stock", "market", "the_end", "price"]
    beta = np.array([[0.4, 0.3, 0.2, 0.02, 0.02, 0.02, 0.04],
                     [0.02, 0.02, 0.1, 0.4, 0.3, 0.02, 0.14],
                     [0.02, 0.02, 0.02, 0.02, 0.02, 0.8, 0.1]])
    shares = np.array([0.4, 0.4, 0.2])
    labels = auto_labels(["gulf", None, None], beta, shares, words)
    assert labels == ["gulf", "stock_market", "the_end"]     # a phrase names its topic
    twins = auto_labels([None, None], beta[[1, 1]], shares[:2] * 1.25, words)
    assert twins == ["stock_market", "stock_market_2"]
    # a name of only digits would read as a topic number: it gets a suffix
    assert auto_labels([None], np.ones((1, 1)), np.ones(1), ["1988"]) == ["1988_2"]


def test_report_lists_the_seeded_topics_first_by_their_labels(tmp_path):
    from lda_vi.report import html as report

    texts = planted_texts(0, n_docs=120)
    model = LDA(k=3, seed=0, min_df=1, max_df=1.0, max_iter=20, eta=0.05,
                seed_words={"later": ["zqac"], "gulf_war": ["zqaa", "zqab"]}).fit(texts)
    report.write_report(model, tmp_path / "r.html", top_n=5)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    order = [int(k) for k in re.findall(r'class="topic-item" data-topic="(\d+)"', page)]
    assert order[:2] == [0, 1] and sorted(order) == [0, 1, 2]
    assert "later <small>(topic 0)</small>" in page and "gulf_war <small>(topic 1)" in page
    counts = expected_counts(model)      # λ − η_k· (η fixed): the seeds' boost removed
    assert np.allclose(counts.sum(axis=1), model.topic_tokens) and counts.min() > -1e-9
