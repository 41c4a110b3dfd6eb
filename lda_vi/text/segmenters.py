"""Word segmentation of Chinese and Japanese, and the detection of unsegmented CJK text.

Chinese and Japanese are written without spaces between words, so a regular expression sees a
whole clause as one "word". :func:`make_segmenter` returns a function splitting a run of CJK
characters (Han ideographs, hiragana, katakana) into words:

* "jieba" (Chinese, extra ``lda-vi[zh]``): jieba's accurate mode with its HMM for unknown words;
* "janome" (Japanese, extra ``lda-vi[ja]``): janome's morphological analysis. Function
  words are dropped by their part of speech: particles, auxiliary verbs, symbols,
  conjunctions, adnominals, prefixes, and dependent words, pronouns, suffixes and numerals;
  verbs and adjectives are given in their dictionary form (行き, 行った → 行く), so
  conjugations count as one word.

The tokenizer hands a segmenter only the CJK runs of a text (:func:`split_cjk`); Latin-script
words between them (command names, acronyms) are tokenized as usual. A missing package is an
:class:`~lda_vi.errors.InputError` of one line naming the pip command.

:class:`CjkDetector` measures the share of CJK characters among the letters of the first
documents of a corpus, and counts the documents that are mostly CJK anywhere in it, so that
a corpus of Chinese or Japanese, or one with enough of them among other text, read without
``--language`` is refused with a message naming the option, instead of giving one-word
documents.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

from lda_vi.errors import InputError

__all__ = ["CJK_RUN", "CjkDetector", "is_cjk_word", "make_segmenter", "split_cjk"]

# Han ideographs (with the iteration marks 々 〆 〇 and the extensions), hiragana, katakana
# (with the prolonged sound mark ー). Hangul is left out: Korean separates words by spaces.
_CJK_CHARS = (
    "\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
_KANA = re.compile("[\u3040-\u309f\u30a0-\u30fa\u30fd-\u30ff\u31f0-\u31ff]")
_LETTER = re.compile(r"[^\W\d_]")
# Scripts whose words may be one character long (the per-script minimum length): CJK above
# and Hangul syllables.
_SHORT_WORD_START = re.compile(f"[{_CJK_CHARS}\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")

_EXTRAS = {
    "jieba": ("jieba", "Chinese", "zh"),
    "janome": ("janome", "Japanese", "ja"),
}


def is_cjk_word(word: str) -> bool:
    """True for a word of a script whose words can be one character long (CJK, Hangul)."""
    return _SHORT_WORD_START.match(word) is not None


def split_cjk(text: str) -> Iterator[tuple[bool, str]]:
    """Split ``text`` into alternating pieces ``(is_cjk_run, piece)``, in order, none empty."""
    pos = 0
    for m in CJK_RUN.finditer(text):
        if m.start() > pos:
            yield False, text[pos:m.start()]
        yield True, m.group()
        pos = m.end()
    if pos < len(text):
        yield False, text[pos:]


def _missing(name: str) -> InputError:
    package, language, extra = _EXTRAS[name]
    return InputError(
        f"{language} word segmentation needs the package {package}; "
        f"install it with: pip install 'lda-vi[{extra}]'"
    )


def make_segmenter(name: str) -> Callable[[str], list[str]]:
    """The function ``run -> words`` of the named segmenter ("jieba" or "janome").

    Raises InputError if its package is not installed.
    """
    if name == "jieba":
        return _jieba()
    if name == "janome":
        return _janome()
    raise ValueError(f"unknown segmenter {name!r}")


def _jieba() -> Callable[[str], list[str]]:
    try:
        import jieba
    except ImportError:
        raise _missing("jieba") from None
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    tokenizer = jieba.Tokenizer()

    def segment(run: str) -> list[str]:
        return tokenizer.lcut(run, HMM=True)

    return segment


# janome parts of speech dropped, the function words: particles, auxiliary verbs, symbols,
# fillers, conjunctions, adnominals (この, その), interjections, prefixes (再, 各, 非).
_JA_DROP = ("助詞", "助動詞", "記号", "フィラー", "接続詞", "連体詞", "感動詞", "接頭詞")
# ... and these subclasses of any part of speech: dependent words (ください → くださる,
# いる of ている, こと, もの, よう), pronouns (これ, それ, 私), suffixes (中, 内, 用, 的, 書
# of 証明書, counters) and numerals (二, 三).
_JA_DROP_SUB = ("非自立", "代名詞", "接尾", "数")
# parts of speech given in their dictionary form.
_JA_BASE = ("動詞", "形容詞")


def _janome() -> Callable[[str], list[str]]:
    try:
        from janome.tokenizer import Tokenizer
    except ImportError:
        raise _missing("janome") from None
    tokenizer = Tokenizer()

    def segment(run: str) -> list[str]:
        words = []
        for token in tokenizer.tokenize(run):
            pos, sub = (token.part_of_speech.split(",") + [""])[:2]
            if pos in _JA_DROP or sub in _JA_DROP_SUB:
                continue
            base = token.base_form
            words.append(base if pos in _JA_BASE and base and base != "*" else token.surface)
        return words

    return segment


class CjkDetector:
    """Looks for Chinese or Japanese text in the documents given to it, one at a time.

    ``check(text)`` raises InputError

    * once at least ``min_letters`` letters have been seen and more than half of them are
      CJK (it stops counting letters after ``max_letters``): a CJK corpus;
    * or, anywhere in the corpus, once ``min_documents`` documents are mostly CJK (more
      than half of their letters, and at least 20 letters) and they are more than
      ``share`` of the documents seen: a mixed corpus, say German, then Chinese.
    """

    def __init__(self, min_letters: int = 200, max_letters: int = 100_000,
                 min_documents: int = 10, share: float = 0.05):
        self.min_letters, self.max_letters = min_letters, max_letters
        self.min_documents, self.share = min_documents, share
        self.letters = self.cjk = self.kana = 0
        self.documents = self.cjk_documents = 0
        self.doc_cjk = self.doc_kana = 0      # CJK characters and kana of the CJK documents
        self.done = False

    def check(self, text: str) -> None:
        if self.done:
            return
        self.documents += 1
        counting = self.letters < self.max_letters
        if CJK_RUN.search(text) is None:
            if counting:
                self.letters += len(_LETTER.findall(text))
            return
        letters = len(_LETTER.findall(text))
        cjk = sum(map(len, CJK_RUN.findall(text)))
        kana = len(_KANA.findall(text))
        if counting:
            self.letters += letters
            self.cjk += cjk
            self.kana += kana
            if self.letters >= self.min_letters and 2 * self.cjk > self.letters:
                self.done = True
                raise InputError(self.message(), params=("language",))
        if letters >= 20 and 2 * cjk > letters:
            self.cjk_documents += 1
            self.doc_cjk += cjk
            self.doc_kana += kana
            if self.cjk_documents >= self.min_documents and \
                    self.cjk_documents > self.share * self.documents:
                self.done = True
                raise InputError(self.mixed_message(), params=("language",))

    @staticmethod
    def _language(cjk: int, kana: int) -> tuple[str, str]:
        if 10 * kana > cjk:
            return "Japanese", "language='ja'"
        return "Chinese", "language='zh'"

    def message(self) -> str:
        share = 100 * self.cjk / max(self.letters, 1)
        what, option = self._language(self.cjk, self.kana)
        return (
            f"the text looks {what}: {share:.0f}% of its letters are CJK characters, written "
            f"without spaces between words, and no language was given; use {option} to split "
            "it into words (or language='en' to tokenize it as it is)"
        )

    def mixed_message(self) -> str:
        what, option = self._language(self.doc_cjk, self.doc_kana)
        return (
            f"{self.cjk_documents} of the first {self.documents} documents look {what} (mostly "
            "CJK characters, written without spaces between words), and no language was "
            f"given; use {option} to split them into words (words of other scripts are "
            "tokenized as usual), fit them apart from the others, or use language='en' to "
            "tokenize them as they are"
        )
