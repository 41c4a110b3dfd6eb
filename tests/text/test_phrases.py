"""Tests of phrase learning and application (lda_vi.text.phrases, learn_phrases)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lda_vi.text.phrases import find_phrases, npmi, score_function
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig, learn_phrases

AP = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ap" / "ap.txt"
FILLER = ("river market garden doctor window music engine letter summer planet forest "
          "harbor pencil bottle castle silver").split()


def _corpus(sentences, n_docs=60, seed=0):
    """Documents of random filler words with the given sentences planted in each."""
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_docs):
        words = list(rng.choice(FILLER, size=30))
        for sentence in sentences:
            words.insert(int(rng.integers(len(words) + 1)), sentence)
        docs.append(" ".join(words))
    return docs


def test_npmi_matches_its_definition():
    n_ii, n_a, n_b, n = 20, 50, 40, 10_000
    p_ab, p_a, p_b = n_ii / n, n_a / n, n_b / n
    assert npmi(n_ii, (n_a, n_b), n) == pytest.approx(math.log(p_ab / (p_a * p_b))
                                                      / -math.log(p_ab))
    assert npmi(10, (10, 10), 1000) == pytest.approx(1.0)  # seen only together
    assert npmi(1, (10, 100), 1000) == pytest.approx(0.0, abs=1e-12)  # independent
    assert score_function("llr")(20, (50, 40), 10_000) > 100


def test_connectors_inside_never_at_the_ends():
    docs = [["bank", "of", "america", "said", None, "the", "bank", "of", "the", "west"]] * 12
    found = find_phrases(docs, connectors=frozenset({"of", "the"}), stopwords=frozenset(
        {"of", "the", "said"}), scoring="npmi", threshold=0.0, min_count=10)
    spans = {words for words, _, _ in found}
    assert ("bank", "of", "america") in spans
    assert ("bank", "of", "the", "west") in spans  # two connectors inside
    assert all(w[0] not in ("of", "the") and w[-1] not in ("of", "the") for w in spans)
    assert ("america", "said") in spans  # one stopword end is allowed...
    assert not any("said" in w and w[0] in ("the",) for w in spans)
    # ...and no span crosses a break (None)
    assert ("said", "bank") not in spans and ("said", "the", "bank") not in spans


def test_two_stopword_ends_and_single_letters_are_never_phrases():
    docs = [["would", "be", "mikhail", "s", "gorbachev"]] * 20
    found = find_phrases(docs, connectors=frozenset(), stopwords=frozenset({"would", "be"}),
                         scoring="npmi", threshold=-1.0, min_count=1)
    assert {w for w, _, _ in found} == {("be", "mikhail")}


def test_learned_phrases_join_words_before_stopwords_go():
    docs = _corpus(["New York", "the Bank of America", "prime minister"])
    cfg = learn_phrases(docs, TokenizerConfig(phrases=2, phrase_min_count=20))
    phrases = {"_".join(w) for w, _, _ in cfg.phrase_table[0]}
    assert {"new_york", "bank_of_america", "prime_minister"} <= phrases
    tok = Tokenizer(cfg)
    # "new" is an English stopword: without phrases only "york" is left
    assert Tokenizer()("New York") == ["york"]
    assert tok("He went to New York. The Bank of America and the prime minister") == [
        "went", "new_york", "bank_of_america", "prime_minister"]
    # a break between the words: no phrase
    assert tok("something new. York") == ["york"]
    scores = [s for _, s, _ in cfg.phrase_table[0]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    counts = {"_".join(w): c for w, _, c in cfg.phrase_table[0]}
    assert counts["new_york"] == 60


def test_french_phrase_with_two_connectors():
    docs = _corpus(["le ministre de la justice", "l'Assemblée nationale"], seed=1)
    cfg = learn_phrases(docs, TokenizerConfig(language="fr", phrases=2, phrase_min_count=20))
    tok = Tokenizer(cfg)
    assert tok("Le ministre de la Justice devant l'Assemblée nationale") == [
        "ministre_de_la_justice", "assemblée_nationale"]


def test_trigram_pass_and_threshold_and_min_count():
    docs = _corpus(["New York City", "World War II"], seed=2) + _corpus(["New York"], seed=3)
    two = learn_phrases(docs, TokenizerConfig(phrases=2, phrase_min_count=20))
    three = learn_phrases(docs, TokenizerConfig(phrases=3, phrase_min_count=20))
    assert len(two.phrase_table) == 1 and len(three.phrase_table) == 2
    assert three.phrase_table[0] == two.phrase_table[0]
    assert {"_".join(w) for w, _, _ in three.phrase_table[1]} >= {"new_york_city"}
    assert Tokenizer(three)("new york city and new york") == ["new_york_city", "new_york"]
    # a min_count above the counts, or a threshold of 1, finds nothing
    assert learn_phrases(docs, TokenizerConfig(phrases=2, phrase_min_count=500)).phrase_table \
        == ((),)
    strict = learn_phrases(docs, TokenizerConfig(phrases=2, phrase_threshold=0.999,
                                                 phrase_min_count=20))
    assert all(s >= 0.999 for _, s, _ in strict.phrase_table[0])
    llr = learn_phrases(docs, TokenizerConfig(phrases=2, phrase_scoring="llr",
                                              phrase_min_count=20))
    assert all(s >= 10.83 for _, s, _ in llr.phrase_table[0])
    assert ("new", "york") in {w for w, _, _ in llr.phrase_table[0]}


def test_phrases_survive_json_and_apply_identically():
    docs = _corpus(["New York City", "Bank of America"], seed=4)
    cfg = learn_phrases(docs, TokenizerConfig(phrases=3, phrase_min_count=20))
    again = TokenizerConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    assert [Tokenizer(again)(d) for d in docs] == [Tokenizer(cfg)(d) for d in docs]


def test_phrases_on_chinese_text():
    rng = np.random.default_rng(5)
    filler = "河流 市场 花园 医生 窗户 音乐 发动机 信件 夏天 星球 森林 港口 铅笔 城堡".split()
    docs = []
    for _ in range(40):
        words = list(rng.choice(filler, size=20))
        words.insert(int(rng.integers(20)), "人工智能技术")
        docs.append("。".join("".join(words[i:i + 4]) for i in range(0, len(words), 4)))
    cfg = learn_phrases(docs, TokenizerConfig(language="zh", phrases=2, phrase_min_count=20))
    assert ("人工智能", "技术") in {w for w, _, _ in cfg.phrase_table[0]}
    assert Tokenizer(cfg)("我们研究人工智能技术。") == ["研究", "人工智能_技术"]


@pytest.fixture(scope="module")
def ap_phrases():
    if not AP.is_file():
        pytest.skip(f"AP corpus not found at {AP}")
    docs = [line for line in AP.read_text(encoding="utf-8").splitlines() if line.strip()]
    return docs, learn_phrases(docs, TokenizerConfig(phrases=3))


def test_ap_phrases(ap_phrases):
    docs, cfg = ap_phrases
    first = {"_".join(w): s for w, s, _ in cfg.phrase_table[0]}
    second = {"_".join(w) for w, _, _ in cfg.phrase_table[1]}
    for phrase in ("new_york", "united_states", "soviet_union", "prime_minister",
                   "los_angeles", "white_house", "saudi_arabia", "persian_gulf", "hong_kong"):
        assert first[phrase] >= 0.5, phrase
    assert "condition_of_anonymity" in first  # a connector inside
    assert {"world_war_ii", "new_york_city", "u.n._security_council"} <= second
    tok = Tokenizer(cfg)
    counts = {}
    for doc in docs:
        for t in tok(doc):
            counts[t] = counts.get(t, 0) + 1
    assert counts["united_states"] > 500 and counts["new_york"] > 300
    assert counts.get("york", 0) < 60  # "york" alone is nearly always new_york now
