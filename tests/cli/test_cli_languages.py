"""The command line in other languages and with phrases: fit --language, --phrases,
transform/evaluate/sweep with the saved pipeline, and the phrases command."""

from __future__ import annotations

import builtins
import json

import numpy as np
import pytest
from click.testing import CliRunner
from io_testing import one_line_error

from lda_vi.cli.app import cli
from lda_vi.model.lda import LDA

PIPELINE = ["--min-df", "2", "--max-df", "1.0"]
GERMAN_FUNCTION = "der die das und ist nicht auf mit".split()  # each as common as a theme word
GERMAN_THEMES = [
    "Fußball Tor Spieler Mannschaft Trainer Stadion Liga Meisterschaft Elfmeter Verein".split(),
    "Regierung Gesetz Minister Parlament Wahl Partei Steuern Kanzlerin Opposition Haushalt"
    .split(),
]
CHINESE_THEMES = [["足球", "球员", "比赛", "教练", "球场", "冠军", "进球", "联赛"],
                  ["政府", "法律", "部长", "议会", "选举", "政党", "税收", "预算"]]
CHINESE_FUNCTION = ["我们", "的", "了", "是", "在", "和", "他们", "因为", "所以", "这个"]
FILLER = ("river market garden doctor window music engine letter summer planet forest harbor "
          "pencil bottle castle silver").split()


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def ok(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def top_words(model, n):
    return [[word for word, _ in topic] for topic in model.topics(n)]


def _themed(themes, function_words, n_docs, seed, sep=" ", end=""):
    rng = np.random.default_rng(seed)
    docs = []
    for d in range(n_docs):
        theme = themes[d % len(themes)]
        words = list(rng.choice(theme, size=25)) + list(rng.choice(function_words, size=25))
        rng.shuffle(words)
        docs.append(sep.join(words) + end)
    return docs


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    root = tmp_path_factory.mktemp("de")
    docs = _themed(GERMAN_THEMES, GERMAN_FUNCTION, 60, 0, end=".")
    (root / "train.txt").write_text("\n".join(docs[:50]) + "\n", encoding="utf-8")
    (root / "new.txt").write_text("\n".join(docs[50:]) + "\n", encoding="utf-8")
    ok("fit", root / "train.txt", "-k", 2, "--seed", 1, "--language", "de", "-q",
       "-o", root / "model", *PIPELINE)
    return root


def test_german_top_words_hold_no_function_words(german):
    model = LDA.load(german / "model")
    assert model.tokenizer_config.language == "de"
    top = {w for topic in top_words(model, 10) for w in topic}
    assert not top & set(GERMAN_FUNCTION)
    # the two themes come out as the two topics
    themes = [{w.lower() for w in theme} for theme in GERMAN_THEMES]
    assert sorted(len(set(topic) & theme) for topic in top_words(model, 10) for theme in themes) \
        == [0, 0, 10, 10]
    # without --language the English list keeps them
    ok("fit", german / "train.txt", "-k", 2, "--seed", 1, "-q", "-o", german / "english",
       *PIPELINE)
    english = {w for topic in top_words(LDA.load(german / "english"), 10) for w in topic}
    assert {"der", "die", "das", "und", "ist", "nicht"} & english


def test_transform_and_evaluate_use_the_saved_language(german, tmp_path):
    ok("transform", german / "model", german / "new.txt", "--doc-topics", tmp_path / "theta.csv")
    rows = (tmp_path / "theta.csv").read_text().splitlines()
    assert len(rows) == 11
    result = ok("evaluate", german / "model", german / "new.txt")
    assert "0 out of it" in result.output or "0 out of it" in result.stderr


def test_stem_without_stemmer_is_one_line(german):
    one_line_error(run("fit", german / "train.txt", "-k", 2, "--language", "pl", "--stem",
                       "snowball"), "Polish", "no Snowball stemmer")
    one_line_error(run("fit", german / "train.txt", "-k", 2, "--language", "xx"),
                   "language 'xx' is not supported")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh")
    docs = _themed(CHINESE_THEMES, CHINESE_FUNCTION, 40, 1, sep="", end="。")
    (root / "train.txt").write_text("\n".join(docs) + "\n", encoding="utf-8")
    return root


def test_chinese_without_language_says_so(chinese):
    one_line_error(run("fit", chinese / "train.txt", "-k", 2, *PIPELINE), "looks Chinese",
                   "--language zh")


def test_german_then_chinese_without_language_says_so(german, chinese, tmp_path):
    # a mixed corpus: 50 German documents, then 40 Chinese ones
    mixed = tmp_path / "mixed.txt"
    mixed.write_text((german / "train.txt").read_text(encoding="utf-8")
                     + (chinese / "train.txt").read_text(encoding="utf-8"), encoding="utf-8")
    one_line_error(run("fit", mixed, "-k", 2, *PIPELINE), "of the first", "look Chinese",
                   "--language zh")


def test_chinese_with_language_gives_words(chinese):
    ok("fit", chinese / "train.txt", "-k", 2, "--seed", 0, "--language", "zh", "-q",
       "-o", chinese / "model", *PIPELINE)
    model = LDA.load(chinese / "model")
    top = [w for topic in top_words(model, 8) for w in topic]
    assert set(top) == {w for theme in CHINESE_THEMES for w in theme}
    assert all(1 <= len(w) <= 4 for w in model.vocab)


def test_missing_extra_is_one_line(chinese, monkeypatch):
    real_import = builtins.__import__

    def no_jieba(name, *args, **kwargs):
        if name.split(".")[0] == "jieba":
            raise ImportError("No module named 'jieba'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jieba)
    one_line_error(run("fit", chinese / "train.txt", "-k", 2, "--language", "zh"),
                   "pip install 'lda-vi[zh]'")


def _phrase_corpus(n_docs, seed):
    rng = np.random.default_rng(seed)
    docs = []
    for _ in range(n_docs):
        words = list(rng.choice(FILLER, size=30))
        for phrase in ("New York", "the Bank of America", "prime minister"):
            words.insert(int(rng.integers(len(words))), phrase)
        docs.append(" ".join(words))
    return docs


@pytest.fixture(scope="module")
def phrased(tmp_path_factory):
    root = tmp_path_factory.mktemp("phrases")
    docs = _phrase_corpus(50, 2)
    (root / "train.txt").write_text("\n".join(docs[:40]) + "\n")
    (root / "new.txt").write_text("\n".join(docs[40:]) + "\n")
    result = ok("fit", root / "train.txt", "-k", 2, "--seed", 0, "--phrases",
                "--phrase-min-count", 20, "-o", root / "model", *PIPELINE)
    return root, result


def test_fit_phrases_saved_with_the_model(phrased):
    root, result = phrased
    assert "phrases: 3 pairs learned (npmi >= 0.5, seen >= 20 times" in result.stderr
    meta = json.loads((root / "model" / "model.json").read_text())
    table = meta["tokenizer"]["phrase_table"]
    assert {"_".join(words) for words, _, _ in table[0]} == {"new_york", "bank_of_america",
                                                            "prime_minister"}
    model = LDA.load(root / "model")
    assert {"new_york", "bank_of_america", "prime_minister"} <= set(model.vocab)
    assert "york" not in model.vocab


def test_transform_applies_the_saved_phrases(phrased, tmp_path):
    root, _ = phrased
    model = LDA.load(root / "model")
    X, _, n_oov = model.vectorize(["river New York, market the Bank of America"])
    assert n_oov == 0 and X[0, model.vocab.index("new_york")] == 1
    assert X[0, model.vocab.index("bank_of_america")] == 1
    ok("transform", root / "model", root / "new.txt", "--doc-topics", tmp_path / "theta.csv")
    again = ok("transform", root / "model", root / "new.txt", "--doc-topics",
               tmp_path / "t2.csv")
    assert (tmp_path / "theta.csv").read_text() == (tmp_path / "t2.csv").read_text(), \
        again.output


def test_sweep_with_phrases(phrased, tmp_path):
    root, _ = phrased
    result = ok("sweep", root / "train.txt", "-k", "2", "--seeds", 1, "--max-iter", 5,
                "--phrases", "--phrase-min-count", 15, *PIPELINE)
    assert "phrases: 3 pairs learned" in result.stderr


def test_phrases_command_lists_scores(phrased):
    root, _ = phrased
    result = ok("phrases", root / "train.txt", "--phrase-min-count", 20)
    lines = result.output.splitlines()
    assert lines[0] == "pass 1: 3 phrases (npmi >= 0.5, seen >= 20 times):"
    assert lines[1].split() == ["score", "count", "phrase"]
    listed = {line.split()[2]: (float(line.split()[0]), int(line.split()[1]))
              for line in lines[2:]}
    assert set(listed) == {"new_york", "bank_of_america", "prime_minister"}
    assert listed["new_york"][1] == 40 and 0.5 <= listed["new_york"][0] <= 1
    top = ok("phrases", root / "train.txt", "--phrase-min-count", 20, "--top", 1,
             "--phrases", 3).output.splitlines()
    assert top[0].startswith("pass 1: 3 phrases") and top[0].endswith("the best 1:")
    assert len([line for line in top if line.startswith("pass ")]) == 2


def test_phrases_need_text(tmp_path):
    (tmp_path / "c.dat").write_text("2 0:1 1:2\n")
    (tmp_path / "vocab.txt").write_text("a\nb\n")
    one_line_error(run("phrases", tmp_path / "c.dat"), "phrases")
    one_line_error(run("fit", "-", "-k", 2, "--phrases", *PIPELINE, input="a b\n"),
                   "--phrases reads the input more than once")


@pytest.mark.parametrize("command", ["fit", "sweep", "phrases"])
def test_help_lists_every_language(command):
    from lda_vi.text.languages import language_codes

    text = " ".join(ok(command, "--help").output.split())
    assert ", ".join(language_codes()) in text.replace("- ", "-")
