"""Text → list of tokens (word strings), one document at a time.

The pipeline applied by :class:`Tokenizer` to each document string:

1. Unicode normalization (``TokenizerConfig.normalization``, NFKC by default, so the ligature
   "ﬁ" becomes "fi" and full-width letters become ASCII);
2. typographic apostrophes (’ ‘ ʼ) become ``'`` and the Unicode hyphen ‐ becomes ``-``;
3. lowercasing (optional);
4. splitting into words with nltk's ``RegexpTokenizer`` and :data:`TOKEN_PATTERN`: runs of
   letters of any script, with their combining marks, joined by single inner apostrophes or
   hyphens ("don't", "o'brien", "state-of-the-art"); or a dotted acronym of single letters
   ("U.S." → "u.s.", "U.N" → "u.n."). Apostrophes and hyphens at either end are not part of
   a word. A run of letters that touches a digit is dropped whole, so "1980", "covid19" and
   "mp3" give no token; "_" separates words. For Chinese and Japanese (``language`` "zh",
   "ja") the runs of CJK characters are split into words by a segmenter
   (:mod:`lda_vi.text.segmenters`); the text between them is split as above;
5. the rules of the language (:mod:`lda_vi.text.languages`): English drops a possessive
   "'s" ("noriega's" → "noriega"); French, Italian and Catalan split elided articles off
   ("l'homme" → "l" + "homme", "dell'arte" → "dell" + "arte");
6. phrases learned from training text (``phrase_table``, see :func:`learn_phrases` and
   :mod:`lda_vi.text.phrases`) are joined into one word ("new_york"), before stopwords go;
7. words shorter than ``min_length`` characters are dropped (words of CJK scripts are kept
   from one character on);
8. stopwords are dropped (compared case-insensitively, before stemming; for Arabic, Greek and
   Romanian also without combining marks, as their lists are written); Chinese and
   Japanese text often quotes English, so their lists are joined by the English one;
9. optional stemming (Snowball of the language, or Porter for English; both also lowercase).
   Phrases are not stemmed.

Steps 5 and 7-9 depend only on the word, so their result is cached per distinct word: after
the first few documents almost every word costs one dict lookup.

With no ``language``, English rules apply, and text whose letters are mostly CJK is refused
(InputError naming ``--language zh`` or ``ja``) rather than read as one-word documents.

Nothing here depends on the shape of a corpus; a document is a ``str`` and its tokens a
``list[str]``. The corpus of D documents and V words is built in :mod:`lda_vi.io.corpus`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable

from lda_vi.errors import InputError
from lda_vi.text import phrases as _phrases
from lda_vi.text.languages import get_language, stopwords_of
from lda_vi.text.segmenters import CjkDetector, is_cjk_word, make_segmenter, split_cjk
from lda_vi.text.tokenizer_config import NORMALIZATIONS, STEMMERS, STOPWORD_LISTS, TokenizerConfig

__all__ = [
    "NORMALIZATIONS",
    "STEMMERS",
    "STOPWORD_LISTS",
    "TOKEN_PATTERN",
    "Tokenizer",
    "TokenizerConfig",
    "english_stopwords",
    "learn_phrases",
    "load_stopword_file",
]

_LETTER = r"[^\W\d_]"  # a letter of any script: a word character that is not a digit nor "_"
# Combining marks (categories Mn, Mc, Me) of every modern script: decomposed accents (NFD "e" +
# U+0301), Devanagari vowel signs and viramas, Thai vowels, Hebrew points, Arabic harakat...
# They belong to the letter before them. (Python's \w counts most of them as word characters
# but not as letters.)


def _mark_class() -> str:
    """A regex class of the combining marks (Mn, Mc, Me) of the Basic Multilingual Plane,
    which holds every modern script. (Marks of the historic scripts of plane 1 are left out:
    with them the class can no longer be a bitmap, and matching gets twice as slow.)"""
    return "[" + "".join(re.escape(chr(c)) for c in range(0x10000)
                         if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")) + "]"


_MARK = _mark_class()
_WORD = rf"{_LETTER}+(?:{_MARK}+{_LETTER}*)*"
_ACRONYM = rf"{_LETTER}(?:\.{_LETTER})+\.?"  # U.S., U.S.A, e.g.
#: The regular expression of one token. The lookarounds refuse a run of letters glued to a
#: digit (``[^\W_]`` is a letter or a digit), so digit-containing strings yield nothing rather
#: than their letter parts.
TOKEN_PATTERN = (
    rf"(?<![^\W_])(?:{_ACRONYM}(?![^\W_])|{_WORD}(?:['-]{_WORD})*(?![^\W_]))"
)
# Tokens, or the things that stand between them and break a phrase: punctuation, numbers
# (and runs of letters glued to digits). "_" separates words, as a space does, and is no
# break: "new_york" gives the words of "new york" (a seed word written as a phrase).
_WORDS_OR_BREAKS = re.compile(rf"({TOKEN_PATTERN})|[^\w\s]|[^\W_]+", re.UNICODE)

# Applied after normalization: typographic apostrophes and the Unicode hyphen.
_CHAR_MAP = (("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2010", "-"))
_CACHE_LIMIT = 1 << 20  # distinct words remembered before the cache starts over


def _parse_stopwords(lines: Iterable[str]) -> tuple[str, ...]:
    """Words of a stopword list: whitespace-separated, '#' starts a comment, order kept."""
    words: dict[str, None] = {}
    for line in lines:
        for word in line.split("#", 1)[0].split():
            words[word] = None
    return tuple(words)


def load_stopword_file(path: str | os.PathLike) -> tuple[str, ...]:
    """Read a stopword list: one word per line (UTF-8), '#' comments and blank lines ignored.

    Several words on one line, separated by spaces, are accepted too. Duplicates are dropped,
    order is kept. Words are returned as written; the :class:`Tokenizer` normalizes and
    lowercases them like the text.

    Raises InputError if the file is missing, is a directory, cannot be read or is not UTF-8.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            raw_lines = f.readlines()
    except FileNotFoundError:
        raise InputError(f"stopword file {name} not found; check the path") from None
    except IsADirectoryError:
        raise InputError(
            f"stopword file {name} is a directory; give a text file with one word per line"
        ) from None
    except OSError as e:
        raise InputError(f"cannot read stopword file {name}: {e.strerror or e}") from None
    lines = []
    for lineno, raw in enumerate(raw_lines, 1):
        if b"\0" in raw:
            raise InputError(
                f"stopword file {name}, line {lineno}: contains NUL bytes, so it looks like a "
                "binary file; give a text file with one word per line"
            )
        try:
            lines.append(raw.decode("utf-8-sig" if lineno == 1 else "utf-8"))
        except UnicodeDecodeError as e:
            raise InputError(
                f"stopword file {name}, line {lineno}: byte 0x{raw[e.start]:02x} is not valid "
                "UTF-8; save the file as UTF-8"
            ) from None
    return _parse_stopwords(lines)


@functools.cache
def english_stopwords() -> frozenset[str]:
    """The English stopword list shipped with lda-vi (``lda_vi/data/stopwords_en.txt``)."""
    text = (
        importlib.resources.files("lda_vi")
        .joinpath("data", "stopwords_en.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(_parse_stopwords(text.splitlines()))


class _WordCache(dict):
    """word → processed word(s); computes and stores missing entries."""

    __slots__ = ("_compute",)

    def __init__(self, compute):
        super().__init__()
        self._compute = compute

    def __missing__(self, word):
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[word] = self._compute(word)
        return value


class Tokenizer:
    """Callable turning one document string into its list of tokens (see the module doc).

    ``Tokenizer()`` uses the default :class:`TokenizerConfig`. Attributes: ``config``,
    ``language`` (its :class:`~lda_vi.text.languages.Language`) and ``stopwords`` (the
    effective stopword set, normalized and lowercased like the text). Picklable (it is
    rebuilt from its config).
    """

    def __init__(self, config: TokenizerConfig | None = None):
        if config is None:
            config = TokenizerConfig()
        if not isinstance(config, TokenizerConfig):
            raise TypeError(f"config must be a TokenizerConfig, not {type(config).__name__}")
        self.config = config
        self.language = lang = get_language(config.language)
        self._form = None if config.normalization == "none" else config.normalization
        base: Iterable[str] = ()
        if not config.replace_stopwords and config.stopwords != "none":
            base = english_stopwords() if config.stopwords == "english" else \
                (*stopwords_of(lang.code), *lang.elisions)
            if lang.segmenter and config.stopwords == "language":
                base = (*base, *english_stopwords())  # CJK text often quotes English
        self.stopwords = frozenset(
            self._normalize(w).lower() for w in (*base, *config.extra_stopwords)
        )
        # the stopwords without their marks, for the languages whose lists lack them
        self._folded = frozenset(map(_strip_marks, self.stopwords)) if lang.fold_marks \
            else None
        self._stem = _make_stemmer(config.stem, lang.stemmer)
        self._segment = make_segmenter(lang.segmenter) if lang.segmenter else None
        self._detector = CjkDetector() if config.language is None else None
        self._passes = [_phrases.phrase_index(table) for table in config.phrase_table]
        self._expanded = _WordCache(self._expand)  # token → words (language rules)
        self._final = _WordCache(self._process)  # word → token or None (filters, stem)
        self._tokens = _WordCache(self._token)  # token → tokens (both of the above)

    @property
    def _regexp(self):
        """nltk's word splitter, built when the first document is split (not before: nltk
        takes about a second to import, and a fit of word counts never splits text)."""
        return _word_splitter()

    def _normalize(self, text: str) -> str:
        if self._form is not None:
            text = unicodedata.normalize(self._form, text)
        for src, dst in _CHAR_MAP:
            if src in text:
                text = text.replace(src, dst)
        return text

    def _prepare(self, text: str) -> str:
        text = self._normalize(text)
        if self.config.lowercase:
            text = text.lower()
        if self._detector is not None:
            self._detector.check(text)
        return text

    def _expand(self, token: str) -> tuple[str, ...]:
        """The language rules for one token: acronym dots, possessive, elision."""
        if "." in token:
            return (token if token.endswith(".") else token + ".",)
        lang = self.language
        if "'" in token:
            key = token if self.config.lowercase else token.lower()
            if lang.possessive and key.endswith("'s") and key not in self.stopwords:
                return (token[:-2],)
            head, _, tail = token.partition("'")
            if head.lower() in lang.elisions:
                return (head, tail)
        return (token,)

    def _process(self, word: str) -> str | None:
        """Length filter, stopword filter, then stemming, for one distinct word."""
        if "_" in word:  # a phrase: no length rule, no stemming
            key = word if self.config.lowercase else word.lower()
            return None if key in self.stopwords else word
        if len(word) < self.config.min_length and not is_cjk_word(word):
            return None
        if not word.isalpha() and any(c.isnumeric() for c in word):
            return None  # a numeral that \w takes for a letter (Rumi, Kharoshthi digits)
        key = word if self.config.lowercase else word.lower()
        if key in self.stopwords or (self._folded is not None
                                     and _strip_marks(key) in self._folded):
            return None
        return self._stem(word) if self._stem is not None else word

    def _token(self, token: str) -> tuple[str, ...]:
        return tuple(w for w in map(self._final.__getitem__, self._expanded[token]) if w)

    def _split(self, text: str) -> list[str | None]:
        """Words of prepared text, with None for each break (punctuation, number)."""
        words: list[str | None] = []
        for m in _WORDS_OR_BREAKS.finditer(text):
            token = m.group(1)
            if token is not None:
                words.extend(self._expanded[token])
            elif words and words[-1] is not None:
                words.append(None)
        return words

    def words(self, text: str) -> list[str | None]:
        """The words of ``text`` before phrases, length filter, stopwords and stemming,
        with None where a phrase cannot continue (punctuation, numbers, segment ends)."""
        text = self._prepare(text)
        if self._segment is None:
            return self._split(text)
        words: list[str | None] = []
        for is_cjk, piece in split_cjk(text):
            words.extend(self._segment(piece) if is_cjk else self._split(piece))
        return words

    def phrase_words(self, text: str, passes: int | None = None) -> list[str | None]:
        """:meth:`words` with the first ``passes`` phrase passes applied (default: all)."""
        words = self.words(text)
        connectors = self.language.connectors
        for index in self._passes[:passes]:
            words = _phrases.apply_phrases(words, index, connectors)
        return words

    def __call__(self, text: str) -> list[str]:
        """Return the tokens of ``text``, in order, repeats included."""
        if self._passes or self._segment is not None:
            return [w for w in map(self._final.__getitem__, filter(None,
                    self.phrase_words(text))) if w]
        tokens = self._regexp.tokenize(self._prepare(text))
        return list(itertools.chain.from_iterable(map(self._tokens.__getitem__, tokens)))

    def __reduce__(self):
        return (Tokenizer, (self.config,))

    def __repr__(self) -> str:
        return f"Tokenizer({self.config!r})"


def _strip_marks(word: str) -> str:
    """``word`` without its combining marks (decomposed first: é → e, أ → ا, ș → s)."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


@functools.cache
def _word_splitter():
    """The ``RegexpTokenizer`` of :data:`TOKEN_PATTERN`, shared by every tokenizer."""
    from nltk.tokenize import RegexpTokenizer

    splitter = RegexpTokenizer(TOKEN_PATTERN)
    # Recent nltk compiles a RegexpTokenizer's pattern lazily with the third-party
    # ``regex`` engine under a 5 s per-call timeout (a ReDoS guard): 2.5x slower than
    # ``re`` on this pattern, and a TimeoutError on one very long document. The pattern
    # is ours and linear, so hand nltk a stdlib-compiled one (it compiles only if unset).
    splitter._regexp = re.compile(TOKEN_PATTERN, re.UNICODE | re.MULTILINE | re.DOTALL)
    return splitter


def _make_stemmer(name: str | None, snowball_language: str | None):
    """The ``stem(word) -> str`` function of the named nltk stemmer, or None."""
    if name is None:
        return None
    if name == "snowball":
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer(snowball_language).stem
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer().stem


def learn_phrases(texts: Iterable[str], config: TokenizerConfig) -> TokenizerConfig:
    """Learn the phrases of ``texts`` (the training documents) as ``config`` asks.

    ``config.phrases`` passes (2: one pass, 3: two) over ``texts``, which must be iterable
    once per pass (a list, or an object that reopens its files). Pass two runs over the text
    rewritten by pass one, so its phrases join a phrase and a word ("new_york" + "city").
    Returns ``config`` with ``phrase_table`` filled; unchanged if ``config.phrases`` is 0 or
    its phrases are learned already.
    """
    if not config.phrases or config.phrase_table:
        return config
    tables: list[tuple] = []
    for _ in range(config.phrases - 1):
        tokenizer = Tokenizer(dataclasses.replace(config, phrase_table=tuple(tables)))
        documents = (tokenizer.phrase_words(text) for text in texts)
        tables.append(_phrases.find_phrases(
            documents, connectors=tokenizer.language.connectors,
            stopwords=tokenizer.stopwords, scoring=config.phrase_scoring,
            threshold=config.threshold, min_count=config.phrase_min_count))
        if not tables[-1]:
            break
    return dataclasses.replace(config, phrase_table=tuple(tables))
