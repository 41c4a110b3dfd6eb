"""Seed files and topic labels: parsing, checking, and mapping onto a corpus's vocabulary."""

from __future__ import annotations

import pytest

from lda_vi.errors import InputError
from lda_vi.text.seeds import (
    SeedTopic,
    check_label,
    load_seed_file,
    missing_warning,
    parse_seed_lines,
    resolve_seeds,
    seeds_from_mapping,
)
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig
from lda_vi.text.vocabulary import Vocabulary


def test_parse_lines_comments_order_and_repeats():
    lines = ["# themes", "", "gulf_war: iraq kuwait  iraq # repeated", "  oil : crude opec",
             "economy:stocks iraq"]
    topics = parse_seed_lines(lines)
    assert topics == [SeedTopic("gulf_war", ("iraq", "kuwait")),
                      SeedTopic("oil", ("crude", "opec")),
                      SeedTopic("economy", ("stocks", "iraq"))]     # a word may seed two topics


@pytest.mark.parametrize("lines,message", [
    (["gulf iraq kuwait"], "line 1: expected 'label: word word"),
    (["# nothing", ""], "holds no seeded topic"),
    (["gulf:"], "line 1: topic 'gulf' has no seed words"),
    (["gulf: iraq", "gulf: kuwait"], "'gulf' is given twice"),
    ([": iraq"], "line 1: label '' is not valid"),
    (["gulf war: iraq"], "label 'gulf war' is not valid"),
    (["topic_3: iraq"], "is the name of an unlabelled topic"),
    (["gulf: iraq", "1991: kuwait"], r"^seeds.txt, line 2: label '1991' cannot be a number"),
])
def test_parse_errors_say_where_and_what(lines, message):
    with pytest.raises(InputError, match=message):
        parse_seed_lines(lines, "seeds.txt")


def test_labels():
    assert check_label("  gulf_war ") == "gulf_war"
    assert check_label("Économie-2.0") == "Économie-2.0"
    assert check_label("1988_war") == "1988_war" and check_label("3.5") == "3.5"
    for bad in ("", "_x", "a,b", "x" * 41, "topic_12", "two words", "3", " 042 "):
        with pytest.raises(InputError):
            check_label(bad)
    assert check_label("3", number_ok=True) == "3"      # as a model saved with one holds


def test_load_seed_file(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_bytes("\ufeffgulf: iraq kuwait\r\noil: crude\n".encode())
    assert [t.label for t in load_seed_file(path)] == ["gulf", "oil"]
    with pytest.raises(InputError, match="not found"):
        load_seed_file(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        load_seed_file(tmp_path)
    path.write_bytes(b"gulf: \xff\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_seed_file(path)


def test_from_mapping_as_the_python_api_takes_it():
    topics = seeds_from_mapping({"gulf": ["iraq", "kuwait"], "oil": "crude opec"})
    assert topics == [SeedTopic("gulf", ("iraq", "kuwait")), SeedTopic("oil", ("crude", "opec"))]
    with pytest.raises(InputError, match="may not hold"):
        seeds_from_mapping({"gulf": ["iraq: war"]})
    with pytest.raises(InputError, match="list of words"):
        seeds_from_mapping({"gulf": [3]})
    # a mapping has keys, not lines: its errors name the key
    with pytest.raises(InputError, match=r"^seed_words\['gulf'\] has no seed words"):
        seeds_from_mapping({"gulf": []})
    with pytest.raises(InputError, match=r"^seed_words: label 'gulf war' is not valid"):
        seeds_from_mapping({"gulf war": ["iraq"]})
    with pytest.raises(InputError, match=r"^seed_words: label '12' cannot be a number"):
        seeds_from_mapping({"12": ["iraq"]})


def test_resolve_through_the_corpus_tokenizer():
    tokenizer = Tokenizer(TokenizerConfig(stem="snowball"))
    vocab = Vocabulary(["iraq", "kuwaiti", "troop", "price", "oil"])
    topics = [SeedTopic("gulf", ("Iraq", "Kuwaiti", "troops", "saddam", "the")),
              SeedTopic("oil", ("oil", "prices", "troops"))]
    resolved = resolve_seeds(topics, tokenizer, vocab.get)
    assert resolved.labels == ["gulf", "oil"]
    assert resolved.terms == [["iraq", "kuwaiti", "troop"], ["oil", "price", "troop"]]
    assert resolved.ids == [[0, 1, 2], [4, 3, 2]]
    assert resolved.missing == ["saddam", "the"]          # absent, and a stopword
    line = missing_warning(resolved.missing)
    assert line == ("2 seed words not in the vocabulary (after tokenizing, stemming and "
                    "pruning), ignored: saddam, the")


def test_a_phrase_seeds_its_phrase_word():
    # a corpus fitted with --phrases has "new_york" in its vocabulary: the seed new_york
    # (or New_York) is that word, not "york" nor missing
    tokenizer = Tokenizer(TokenizerConfig(phrase_table=[[[["new", "york"], 0.9, 12],
                                                         [["united", "states"], 0.9, 30]]]))
    vocab = Vocabulary(["new_york", "york", "united_states", "city"])
    resolved = resolve_seeds([SeedTopic("us", ("New_York", "united_states", "city"))],
                             tokenizer, vocab.get)
    assert resolved.terms == [["new_york", "united_states", "city"]]
    assert resolved.missing == []


def test_a_vocabulary_word_as_written_is_that_word():
    # word counts keep their vocabulary as given: words the text tokenizer would drop
    # (stopwords, short words, digits, capitals) seed as written
    vocab = Vocabulary(["ms", "new", "Covid19", "the", "states"])
    resolved = resolve_seeds([SeedTopic("a", ("ms", "new", "Covid19", "the", "States"))],
                             Tokenizer(), vocab.get)
    assert resolved.terms == [["ms", "new", "Covid19", "the", "states"]]
    assert resolved.missing == []


def test_a_seeded_topic_with_no_word_left_is_an_error():
    with pytest.raises(InputError, match="seeded topic 'space': none of its seed words"):
        resolve_seeds([SeedTopic("space", ("nasa", "shuttle"))], Tokenizer(),
                      Vocabulary(["iraq"]).get)
