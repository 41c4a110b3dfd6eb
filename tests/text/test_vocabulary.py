"""Tests of lda_vi.text.vocabulary: Vocabulary, PruneConfig and prune."""

import json

import numpy as np
import pytest

from lda_vi.errors import InputError
from lda_vi.text.vocabulary import (
    COUNT_PRUNING,
    TEXT_PRUNING,
    PruneConfig,
    Vocabulary,
    default_pruning,
    prune,
)

# 10 documents; document frequencies of 6 candidate words, and their total counts.
DF = np.array([1, 2, 3, 5, 6, 10])
TF = np.array([1, 4, 9, 9, 20, 30])
D = 10


def kept(**kwargs):
    return prune(DF, TF, D, PruneConfig(**kwargs)).tolist()


def test_vocabulary_basics():
    v = Vocabulary(["apple", "banana", "cherry"])
    assert len(v) == 3
    assert v[1] == "banana"
    assert v[np.int64(2)] == "cherry"
    assert v.index("cherry") == 2
    assert v.get("durian") is None
    assert v.get("durian", -1) == -1
    assert v.get("apple") == 0
    assert "apple" in v and "durian" not in v
    assert v.to_list() == ["apple", "banana", "cherry"]
    assert list(v) == v.to_list()
    assert v.words == ("apple", "banana", "cherry")
    assert v == Vocabulary(("apple", "banana", "cherry"))
    assert v != Vocabulary(["banana", "apple", "cherry"])
    with pytest.raises(KeyError):
        v.index("durian")


def test_vocabulary_rejects_duplicates():
    with pytest.raises(ValueError, match="'b' more than once"):
        Vocabulary(["a", "b", "c", "b"])


def test_defaults_min_df_2_max_df_half():
    # df must be in [2, 5]
    assert kept() == [1, 2, 3]


def test_min_df_zero_keeps_words_found_in_no_document():
    cfg = PruneConfig(min_df=0, max_df=1.0)
    assert cfg.min_count(10) == 0
    np.testing.assert_array_equal(prune(np.array([0, 3, 0, 1]), np.array([0, 5, 0, 1]), 10, cfg),
                                  [0, 1, 2, 3])
    assert COUNT_PRUNING == cfg
    assert "min_df=0, max_df=1.0" in cfg.describe(10)


def test_default_pruning_by_kind_fills_only_what_is_not_given():
    assert default_pruning(False) == TEXT_PRUNING == PruneConfig()
    assert default_pruning(True) == COUNT_PRUNING
    assert default_pruning(True, max_vocab=50) == PruneConfig(min_df=0, max_df=1.0, max_vocab=50)
    assert default_pruning(False, min_df=5) == PruneConfig(min_df=5, max_df=0.5)
    assert default_pruning(True, min_df=2, max_df=0.9) == PruneConfig(min_df=2, max_df=0.9)


def test_min_df_as_count():
    assert kept(min_df=1, max_df=1.0) == [0, 1, 2, 3, 4, 5]
    assert kept(min_df=3, max_df=1.0) == [2, 3, 4, 5]
    assert kept(min_df=3.0, max_df=1.0) == [2, 3, 4, 5]  # int-valued float is a count


def test_min_df_as_fraction():
    assert kept(min_df=0.3, max_df=1.0) == [2, 3, 4, 5]  # at least ceil(3.0) = 3 docs
    assert kept(min_df=0.25, max_df=1.0) == [2, 3, 4, 5]  # ceil(2.5) = 3
    assert kept(min_df=0.05, max_df=1.0) == [0, 1, 2, 3, 4, 5]  # at least 1


def test_max_df_as_fraction_and_count():
    assert kept(min_df=1, max_df=0.5) == [0, 1, 2, 3]
    assert kept(min_df=1, max_df=0.6) == [0, 1, 2, 3, 4]
    assert kept(min_df=1, max_df=1.0) == [0, 1, 2, 3, 4, 5]  # 1.0: no upper limit
    assert kept(min_df=1, max_df=1) == [0, 1, 2, 3, 4, 5]
    assert kept(min_df=1, max_df=3) == [0, 1, 2]  # a count above 1
    assert kept(min_df=1, max_df=5.0) == [0, 1, 2, 3]


def test_effective_counts():
    cfg = PruneConfig(min_df=0.01, max_df=0.5)
    assert cfg.min_count(2246) == 23
    assert cfg.max_count(2246) == 1123
    assert PruneConfig(min_df=5, max_df=1000).min_count(10) == 5
    assert PruneConfig(min_df=5, max_df=1000).max_count(10) == 1000


def test_max_vocab_keeps_most_frequent_ties_by_id():
    # TF = [1, 4, 9, 9, 20, 30]; words 2 and 3 tie at 9.
    assert kept(min_df=1, max_df=1.0, max_vocab=3) == [2, 4, 5]
    assert kept(min_df=1, max_df=1.0, max_vocab=4) == [2, 3, 4, 5]
    assert kept(min_df=1, max_df=1.0, max_vocab=100) == [0, 1, 2, 3, 4, 5]


def test_max_vocab_ties_by_word_when_given():
    words = ["f", "e", "d", "c", "b", "a"]  # word 3 ("c") sorts before word 2 ("d")
    cfg = PruneConfig(min_df=1, max_df=1.0, max_vocab=3)
    assert prune(DF, TF, D, cfg, words=words).tolist() == [3, 4, 5]


def test_max_vocab_applies_after_df_filters():
    # df filter leaves [1, 2, 3] (tf 4, 9, 9); the top 2 by count are 2 and 3.
    assert kept(max_vocab=2) == [2, 3]


def test_prune_can_return_empty():
    assert kept(min_df=6, max_df=0.5) == []
    out = prune(np.array([], dtype=int), np.array([]), 0, PruneConfig())
    assert out.dtype == np.int64 and out.size == 0


def test_prune_shape_mismatch_is_a_programming_error():
    with pytest.raises(ValueError):
        prune(DF, TF[:3], D, PruneConfig())


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"min_df": -1}, "min_df=-1"),
        ({"min_df": -0.5}, "min_df=-0.5"),
        ({"min_df": 2.5}, "min_df=2.5"),
        ({"min_df": "2"}, "min_df='2'"),
        ({"min_df": True}, "min_df=True"),
        ({"min_df": float("nan")}, "min_df=nan"),
        ({"max_df": 0}, "max_df=0"),
        ({"max_df": 1.5}, "max_df=1.5"),
        ({"max_df": -0.5}, "max_df=-0.5"),
        ({"max_vocab": 0}, "max_vocab=0"),
        ({"max_vocab": 2.5}, "max_vocab=2.5"),
        ({"max_vocab": "10"}, "max_vocab='10'"),
    ],
)
def test_bad_prune_config_raises_input_error(kwargs, fragment):
    with pytest.raises(InputError) as info:
        PruneConfig(**kwargs)
    message = str(info.value)
    assert fragment in message
    assert "--" not in message and info.value.params == (next(iter(kwargs)),)  # the
    # parameter to fix, by its name (the CLI shows it as its flag)
    assert "\n" not in message


def test_prune_config_round_trip():
    for cfg in (PruneConfig(), PruneConfig(min_df=0.01, max_df=1000, max_vocab=5000)):
        assert PruneConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    assert PruneConfig(max_vocab=10.0).max_vocab == 10
    assert PruneConfig.from_dict({}) == PruneConfig()
    with pytest.raises(InputError, match="unknown pruning setting.*min_count"):
        PruneConfig.from_dict({"min_count": 3})


def test_describe_mentions_effective_counts():
    text = PruneConfig(min_df=0.5, max_df=0.5).describe(6)
    assert "min_df=0.5 (at least 3 of 6 documents)" in text
    assert "max_df=0.5 (at most 3 of 6 documents)" in text
    assert "max_vocab=None" in text
