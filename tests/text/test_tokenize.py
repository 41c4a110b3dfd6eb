"""Tests of lda_vi.text.tokenize: the tokenizer pipeline, stopword lists and config handling."""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lda_vi.errors import InputError
from lda_vi.text.segmenters import is_cjk_word
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
        ({"language": "xx"}, "language 'xx' is not supported"),
        ({"stem": "porter", "language": "de"}, "stem='porter' stems English only"),
        ({"stem": "snowball", "language": "ja"}, "no Snowball stemmer"),
        ({"phrases": 1}, "phrases=1"),
        ({"phrase_scoring": "pmi"}, "phrase_scoring='pmi'"),
        ({"phrase_threshold": 2.0}, "phrase_threshold=2.0"),
        ({"phrase_threshold": float("nan")}, "phrase_threshold=nan"),
        ({"phrase_min_count": 0}, "phrase_min_count=0"),
        ({"phrase_table": [[["new"], 0.5, 3]]}, "phrase_table"),
        ({"phrase_table": [[[["a", "b"], 0.5]]]}, "phrase_table"),
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
@settings(max_examples=300, deadline=None)
def test_tokens_are_clean_words(text):
    tok = _PROPERTY_TOKENIZER
    for token in tok(text):
        assert len(token) >= 3 or is_cjk_word(token)
        assert token not in tok.stopwords
        assert token == token.lower()
        assert not any(ch.isdigit() or ch == "_" or ch.isspace() for ch in token)
        assert token[0].isalpha() and token[-1] not in "'-"
        assert tok(token) == [token]  # a token re-tokenizes to itself


# English rules, stated explicitly: with no language, mostly-CJK text is refused instead.
_PROPERTY_TOKENIZER = Tokenizer(TokenizerConfig(language="en"))


def test_english_possessive_stripped(tok):
    assert tok("Noriega's lawyers and the students' union") == ["noriega", "lawyers",
                                                               "students", "union"]
    # a stopword with 's is a stopword, not a stripped word
    assert tok("it's that's let's") == []
    upper = Tokenizer(TokenizerConfig(lowercase=False))
    assert upper("Noriega's") == ["Noriega"]


def test_possessive_kept_in_other_languages():
    t = Tokenizer(TokenizerConfig(language="de", stopwords="none"))
    assert t("Peter's") == ["peter's"]


def test_dotted_acronyms_are_one_token(tok):
    assert tok("The U.S. and the U.N. met in the U.S.A; U.S troops left") == [
        "u.s.", "u.n.", "met", "u.s.a.", "u.s.", "troops", "left"]
    # a sentence that ends on an acronym; initials of one letter are no acronym
    assert tok("aid to the U.S.. Then John F. Kennedy") == ["aid", "u.s.", "john", "kennedy"]
    assert tok("e.g. i.e. a.m.") == []  # dotted abbreviations are English stopwords
    assert tok("U.S.-Soviet talks") == ["u.s.", "soviet", "talks"]


def test_combining_marks_of_every_script_stay_in_the_word():
    t = Tokenizer(TokenizerConfig(language="hi", stopwords="none"))
    assert t("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # Devanagari vowel signs and virama
    t = Tokenizer(TokenizerConfig(language="en", normalization="none", stopwords="none"))
    assert t("ภาษาไทย") == ["ภาษาไทย"]  # Thai vowel marks (one token: no Thai segmenter)
    assert t("שָׁלוֹם") == ["שָׁלוֹם"]  # Hebrew points
    assert t("cafe\u0301s") == ["cafe\u0301s"]


def test_cjk_words_of_one_character_kept_without_language_rules():
    t = Tokenizer(TokenizerConfig(language="en"))
    assert t("word 水 ab") == ["word", "水"]  # "ab" is shorter than min_length, 水 is not


def test_mostly_cjk_text_without_language_is_refused(tok):
    zh = "我们在北京大学学习自然语言处理，并且研究中文分词的方法。" * 10
    with pytest.raises(InputError, match="looks Chinese.*language='zh'"):
        Tokenizer()(zh)
    ja = "私たちは東京の大学で日本語の自然言語処理を勉強しています。" * 10
    with pytest.raises(InputError, match="looks Japanese.*language='ja'"):
        Tokenizer()(ja)
    # a few CJK words inside English text are fine
    assert Tokenizer()("The word 中文 means Chinese. " * 30)[:3] == ["word", "中文", "means"]
    # stated explicitly, the language is not questioned
    assert Tokenizer(TokenizerConfig(language="en"))(zh)


def test_config_round_trip_with_language_and_phrases():
    cfg = TokenizerConfig(language="FR", stem="snowball", phrases=3, phrase_scoring="LLR",
                          phrase_threshold=20, phrase_min_count=3,
                          phrase_table=[[[["new", "york"], 0.9, 12]], [[["new_york", "city"],
                                                                         0.7, 4]]])
    assert cfg.language == "fr" and cfg.phrase_scoring == "llr"
    assert cfg.phrase_table == (((("new", "york"), 0.9, 12),), ((("new_york", "city"), 0.7, 4),))
    d = json.loads(json.dumps(cfg.to_dict()))
    assert TokenizerConfig.from_dict(d) == cfg
    assert TokenizerConfig(language="no").language == "nb"


def test_legacy_english_stopwords_setting_reads_as_the_language_list():
    # models saved before languages existed say stopwords="english"
    old = TokenizerConfig.from_dict({"stopwords": "english"})
    assert old == TokenizerConfig()
    assert Tokenizer(old)("the cat") == ["cat"]
    # with another language, "english" still means the English list
    t = Tokenizer(TokenizerConfig(language="de", stopwords="english"))
    assert t("the der katze") == ["der", "katze"]


def test_numerals_outside_the_decimal_digits_are_no_letters():
    # U+10E60 RUMI DIGIT ONE is a word character but not a decimal digit (found by
    # hypothesis): a word touching it is dropped like one touching 1
    t = Tokenizer(TokenizerConfig(language="en", stopwords="none"))
    assert t("AA\U00010e60 word") == ["word"]


@given(st.text(alphabet=st.sampled_from("ab_c'-.1 é水,U.S"), max_size=60))
@settings(max_examples=300, deadline=None)
def test_word_list_path_gives_the_plain_tokens(text):
    # the path taken with phrases or a segmenter (words(), breaks as None) finds the same
    # tokens as the plain one: "_" separates words there too ("new_york" -> new, york)
    tok = _PROPERTY_TOKENIZER
    assert [w for w in map(tok._final.__getitem__, filter(None, tok.words(text))) if w] \
        == tok(text)


def test_underscored_words_are_phrase_candidates():
    # a phrase written with "_" (a seed word "new_york") is found like the words it joins
    cfg = TokenizerConfig(phrase_table=[[[["new", "york"], 0.9, 12]]])
    tok = Tokenizer(cfg)
    assert tok("new_york") == tok("New York") == ["new_york"]
    assert tok("snake_case_name") == ["snake", "case", "name"]
