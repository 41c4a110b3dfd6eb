"""Tests of Chinese and Japanese word segmentation (extras zh and ja, installed by dev) on
small texts written for these tests."""

import builtins
import pickle

import pytest

from lda_vi.errors import InputError
from lda_vi.text import segmenters
from lda_vi.text.segmenters import CjkDetector, is_cjk_word, split_cjk
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig

CHINESE = [
    "我们在北京大学学习自然语言处理。",
    "我们去公园散步，天气很好。",
    "他用Python和NumPy编写了一个程序，在GitHub上发布。",
    "经济发展需要科技创新，政府支持中小企业。",
]
JAPANESE = [
    "私は東京の大学で日本語を勉強しています。",
    "昨日、友達と一緒に映画を見に行きました。",
    "このプログラムはPythonで書かれていて、GitHubで公開されています。",
    "美しい花が公園に咲いている。",
]


@pytest.fixture(scope="module")
def zh():
    return Tokenizer(TokenizerConfig(language="zh"))


@pytest.fixture(scope="module")
def ja():
    return Tokenizer(TokenizerConfig(language="ja"))


def test_split_cjk_pieces():
    assert list(split_cjk("用Python编程。ok")) == [(True, "用"), (False, "Python"),
                                                   (True, "编程"), (False, "。ok")]
    assert list(split_cjk("")) == []
    assert list(split_cjk("カタカナーと漢字")) == [(True, "カタカナーと漢字")]


def test_chinese_words_of_natural_length(zh):
    assert zh(CHINESE[0]) == ["北京大学", "学习", "自然语言", "处理"]
    assert zh(CHINESE[1]) == ["公园", "散步", "天气"]  # 我们, 去, 很, 好 are stopwords
    tokens = [t for text in CHINESE for t in zh(text)]
    assert all(1 <= len(t) <= 4 for t in tokens if is_cjk_word(t))
    assert any(len(t) == 2 for t in tokens)  # two-character words survive min_length 3


def test_latin_words_inside_chinese_tokenized_as_usual(zh):
    tokens = zh(CHINESE[2])
    assert {"python", "numpy", "github"} <= set(tokens)
    assert "编写" in tokens and "程序" in tokens and "发布" in tokens
    assert "和" not in tokens and "了" not in tokens  # stopwords of the shipped zh list


def test_chinese_negations_modals_and_aspect_words_dropped(zh):
    # gettext Chinese: 没有, 无法, 不能, 必须, 需要, 是否, 正在, 已经 (and their Traditional
    # forms) are function words, as "not", "cannot", "must", "need", "whether" are in English
    tokens = zh("没有找到文件，无法打开。不能删除目录，必须指定参数。需要确认是否正在运行，"
                "已经安装。沒有檔案，無法開啟，必須指定。")
    assert not {"没有", "无法", "不能", "必须", "需要", "是否", "正在", "已经", "沒有", "無法",
                "必須"} & set(tokens), tokens
    assert {"找到", "文件", "打开", "删除", "目录", "指定", "参数", "确认", "运行", "安装",
            "檔案"} <= set(tokens)


def test_japanese_words_particles_dropped_verbs_in_dictionary_form(ja):
    assert ja(JAPANESE[0]) == ["東京", "大学", "日本語", "勉強"]
    assert ja(JAPANESE[3]) == ["美しい", "花", "公園", "咲く"]  # 咲い(て) → 咲く
    tokens = ja(JAPANESE[1])
    assert "映画" in tokens and "友達" in tokens and "行く" in tokens
    assert not {"は", "を", "と", "に", "が", "ました"} & set(tokens)


def test_japanese_dependent_words_affixes_and_pronouns_dropped(ja):
    # real error-message Japanese: ください (くださる), いる after て, こと/もの (dependent
    # nouns), 内/中/用/書 (suffixes), 再 (a prefix), これ (a pronoun), この (an adnominal),
    # 二 (a numeral) are function words, as "please", "is", "in", "this" are in English
    text = ("再起動中にエラーが発生した場合は、ファイル内のデータを使用しないでください。"
            "これは署名用の鍵です。この証明書をインストールしています。二つのことを確認する。")
    tokens = ja(text)
    assert not {"くださる", "いる", "こと", "中", "内", "用", "書", "再", "これ", "この", "二",
                "つ"} & set(tokens), tokens
    assert {"起動", "エラー", "発生", "ファイル", "データ", "使用", "署名", "鍵", "証明",
            "インストール", "確認"} <= set(tokens)


def test_latin_words_inside_japanese_tokenized_as_usual(ja):
    tokens = ja(JAPANESE[2])
    assert {"python", "github", "プログラム", "公開"} <= set(tokens)


def test_cjk_tokenizers_pickle(zh, ja):
    for tok in (zh, ja):
        again = pickle.loads(pickle.dumps(tok))
        assert again(CHINESE[0] + JAPANESE[0]) == tok(CHINESE[0] + JAPANESE[0])


def test_min_length_applies_to_latin_words_only(zh):
    t = Tokenizer(TokenizerConfig(language="zh", min_length=4))
    assert t("水 abc abcd 城市") == ["水", "abcd", "城市"]


def test_missing_extra_is_one_line_naming_pip(monkeypatch):
    real_import = builtins.__import__

    def no_segmenters(name, *args, **kwargs):
        if name.split(".")[0] in ("jieba", "janome"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_segmenters)
    with pytest.raises(InputError) as info:
        Tokenizer(TokenizerConfig(language="zh"))
    assert str(info.value) == ("Chinese word segmentation needs the package jieba; install it "
                               "with: pip install 'lda-vi[zh]'")
    with pytest.raises(InputError, match=r"pip install 'lda-vi\[ja\]'"):
        segmenters.make_segmenter("janome")


def test_detector_counts_only_the_first_letters():
    d = CjkDetector(min_letters=10, max_letters=40)
    d.check("english words only here, many letters")  # 32 letters, no CJK
    d.check("more english text")  # passes max_letters: the detector stops looking
    d.check("中文" * 100)  # no error: past max_letters, and one CJK document of three
    assert d.cjk == 0 and d.cjk_documents == 1 and not d.done
    d = CjkDetector(min_letters=10)
    with pytest.raises(InputError, match="looks Chinese: 71% of its letters"):
        d.check("中文中文中文中文中文abcd")


def test_traditional_chinese_function_words_and_quoted_english_dropped(zh):
    # Traditional forms of the Simplified stopwords, and English stopwords in CJK text
    assert zh("這個檔案為使用者設定。") == ["檔案", "使用者", "設定"]
    assert zh("使用the file选项") == ["使用", "file", "选项"]


def test_detector_finds_cjk_documents_anywhere_in_a_mixed_corpus():
    # a German corpus whose later documents are Chinese: past the first letters, the
    # documents that are mostly CJK are counted, and refused once they are too many
    d = CjkDetector(max_letters=1000)
    german = "Die Datei konnte nicht geöffnet werden, bitte prüfen Sie den Pfad. " * 3
    for _ in range(200):
        d.check(german)
    d.check("中文" * 100)            # one Chinese document among 200 German ones: fine
    d.check("The word 中文 means Chinese, and 日本語 means Japanese.")   # mostly Latin
    with pytest.raises(InputError, match=r"^11 of the first 212 documents look Chinese.*"
                                         r"language='zh'"):
        for _ in range(10):
            d.check("无法打开文件，请检查路径是否正确。需要指定软件仓库和参数。")
    d = CjkDetector(max_letters=1000)
    for _ in range(100):
        d.check(german)
    with pytest.raises(InputError, match="documents look Japanese.*language='ja'"):
        for _ in range(10):
            d.check("ファイルを開けませんでした。パスを確認してください。")
