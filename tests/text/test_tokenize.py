"""Tests of lda_vi.text.tokenize: the tokenizer pipeline, stopword lists and config handling."""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lda_vi.errors import InputError
from lda_vi.text.tokenize import (
    Tokenizer,
    TokenizerConfig,
    english_stopwords,
    load_stopword_file,
)


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


def test_lowercases_by_default(tok):
    assert tok("Hello WORLD Planet") == ["hello", "world", "planet"]


def test_lowercase_off_keeps_case_but_stopwords_still_match(tok):
    t = Tokenizer(TokenizerConfig(lowercase=False))
    assert t("The Quick brown THE Fox") == ["Quick", "brown", "Fox"]


def test_nfkc_ligature_and_fullwidth(tok):
    assert tok("ﬁle ｆｕｌｌｗｉｄｔｈ") == ["file", "fullwidth"]


def test_normalization_none_keeps_ligature():
    t = Tokenizer(TokenizerConfig(normalization="none"))
    assert t("ﬁle") == ["ﬁle"]


def test_decomposed_accents_stay_in_the_word():
    t = Tokenizer(TokenizerConfig(normalization="NFD"))
    assert t("naïve café") == ["nai\u0308ve", "cafe\u0301"]


def test_inner_apostrophes_and_hyphens_kept(tok):
    text = "State-of-the-art work by O'Brien, x-ray 'quoted' -dashed- rock'n'roll"
    assert tok(text) == [
        "state-of-the-art",
        "work",
        "o'brien",
        "x-ray",
        "quoted",
        "dashed",
        "rock'n'roll",
    ]


def test_curly_apostrophe_normalized(tok):
    t = Tokenizer(TokenizerConfig(stopwords="none"))
    assert t("Don\u2019t O\u2019Brien") == ["don't", "o'brien"]
    assert tok("don\u2019t stop") == ["stop"]  # "don't" is a stopword in either spelling


def test_double_punctuation_splits(tok):
    assert tok("foo--bar foo''bar") == ["foo", "bar", "foo", "bar"]


def test_numbers_and_digit_words_dropped(tok):
    assert tok("1980 in 1980s covid19 mp3 3.14 apples 42nd street") == ["apples", "street"]


def test_accented_and_other_scripts_kept(tok):
    assert tok("Café naïve ÉCOLE русский") == ["café", "naïve", "école", "русский"]


def test_underscore_separates(tok):
    assert tok("snake_case_name") == ["snake", "case", "name"]


def test_min_length():
    text = "a bb ccc dddd"
    assert Tokenizer(TokenizerConfig(min_length=1, stopwords="none"))(text) == text.split()
    assert Tokenizer(TokenizerConfig(min_length=3, stopwords="none"))(text) == ["ccc", "dddd"]
    assert Tokenizer(TokenizerConfig(min_length=4, stopwords="none"))(text) == ["dddd"]


def test_stopwords_default_on_and_off():
    text = "the cat and the hat"
    assert Tokenizer()(text) == ["cat", "hat"]
    assert Tokenizer(TokenizerConfig(stopwords="none"))(text) == ["the", "cat", "and", "the", "hat"]


def test_extra_stopwords_added_to_list():
    t = Tokenizer(TokenizerConfig(extra_stopwords=("Cat",)))
    assert t("the cat and the hat") == ["hat"]


def test_replace_stopwords():
    t = Tokenizer(TokenizerConfig(extra_stopwords=("cat",), replace_stopwords=True))
    assert t("the cat and the hat") == ["the", "and", "the", "hat"]
    # stopwords="none" with extras: only the extras
    t = Tokenizer(TokenizerConfig(stopwords="none", extra_stopwords=("hat",)))
    assert t("the cat and the hat") == ["the", "cat", "and", "the"]


def test_stemming_snowball_and_porter():
    text = "running runners generously connections"
    snow = Tokenizer(TokenizerConfig(stem="snowball"))(text)
    port = Tokenizer(TokenizerConfig(stem="porter"))(text)
    assert snow == ["run", "runner", "generous", "connect"]
    assert port == ["run", "runner", "gener", "connect"]


def test_stopwords_checked_before_stemming():
    t = Tokenizer(TokenizerConfig(stem="snowball"))
    # "becoming" is a stopword (its stem "becom" is not): dropped.
    # "wells" is not a stopword (its stem "well" is): kept, stemmed.
    assert t("becoming wells") == ["well"]


def test_repeated_calls_use_cache_consistently():
    t = Tokenizer(TokenizerConfig(stem="porter"))
    first = t("connections connected connecting")
    assert t("connections connected connecting") == first == ["connect"] * 3


def test_tokenizer_pickles(tok):
    t2 = pickle.loads(pickle.dumps(tok))
    assert t2.config == tok.config
    assert t2("Hello there, World") == ["hello", "world"]


def test_english_stopwords_shipped():
    words = english_stopwords()
    assert isinstance(words, frozenset)
    assert 300 <= len(words) <= 600
    assert {"the", "and", "don't", "it's", "would"} <= words
    assert not any(w.startswith("#") for w in words)
    assert all(w == w.lower() for w in words)


def test_load_stopword_file(tmp_path):
    p = tmp_path / "stop.txt"
    p.write_text("# my list\nfoo\n\n  bar  # inline comment\nbaz qux\nfoo\n", encoding="utf-8")
    assert load_stopword_file(p) == ("foo", "bar", "baz", "qux")
    assert load_stopword_file(str(p)) == ("foo", "bar", "baz", "qux")


def test_load_stopword_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_stopword_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        load_stopword_file(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"foo\ncaf\xe9\n")
    with pytest.raises(InputError, match=r"latin1\.txt, line 2: .*UTF-8"):
        load_stopword_file(bad)


def test_config_round_trip_through_json():
    cfg = TokenizerConfig(
        lowercase=False,
        normalization="NFC",
        min_length=2,
        stopwords="none",
        extra_stopwords=("foo", "bar"),
        replace_stopwords=True,
        stem="porter",
    )
    d = json.loads(json.dumps(cfg.to_dict()))
    assert TokenizerConfig.from_dict(d) == cfg
    assert TokenizerConfig.from_dict(TokenizerConfig().to_dict()) == TokenizerConfig()
    assert TokenizerConfig.from_dict({}) == TokenizerConfig()


def test_config_canonicalizes_values():
    cfg = TokenizerConfig(normalization="nfkc", stem="None", extra_stopwords=["a", "b"])
    assert cfg.normalization == "NFKC"
    assert cfg.stem is None
    assert cfg.extra_stopwords == ("a", "b")
    assert TokenizerConfig(stem="Snowball").stem == "snowball"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"stem": "lancaster"}, "stem='lancaster'"),
        ({"min_length": 0}, "min_length=0"),
        ({"min_length": 2.5}, "min_length=2.5"),
        ({"stopwords": "french"}, "stopwords='french'"),
        ({"normalization": "NFX"}, "normalization='NFX'"),
        ({"extra_stopwords": "the"}, "extra_stopwords"),
        ({"extra_stopwords": ("ok", 3)}, "extra_stopwords"),
        ({"lowercase": "yes"}, "lowercase='yes'"),
    ],
)
def test_bad_config_raises_input_error(kwargs, fragment):
    with pytest.raises(InputError) as info:
        TokenizerConfig(**kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_from_dict_rejects_unknown_keys_and_non_dicts():
    with pytest.raises(InputError, match="unknown tokenizer setting.*stemmer"):
        TokenizerConfig.from_dict({"stemmer": "porter"})
    with pytest.raises(InputError, match="JSON object"):
        TokenizerConfig.from_dict(["stem"])
    with pytest.raises(InputError, match="min_length"):
        TokenizerConfig.from_dict({"min_length": -1})


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_tokens_are_clean_words(text):
    tok = _PROPERTY_TOKENIZER
    for token in tok(text):
        assert len(token) >= 3
        assert token not in tok.stopwords
        assert token == token.lower()
        assert not any(ch.isdigit() or ch == "_" or ch.isspace() for ch in token)
        assert token[0].isalpha() and token[-1] not in "'-"
        assert tok(token) == [token]  # a token re-tokenizes to itself


_PROPERTY_TOKENIZER = Tokenizer()
