"""Text → list of tokens (word strings), one document at a time.

The pipeline applied by :class:`Tokenizer` to each document string:

1. Unicode normalization (``TokenizerConfig.normalization``, NFKC by default, so the ligature
   "ﬁ" becomes "fi" and full-width letters become ASCII);
2. typographic apostrophes (’ ‘ ʼ) become ``'`` and the Unicode hyphen ‐ becomes ``-``;
3. lowercasing (optional);
4. splitting into words with nltk's ``RegexpTokenizer`` and :data:`TOKEN_PATTERN`: runs of
   letters (any script; accented letters and combining accents are kept) joined by single
   inner apostrophes or hyphens ("don't", "o'brien", "state-of-the-art"). Apostrophes and
   hyphens at either end are not part of a word. A run of letters that touches a digit is
   dropped whole, so "1980", "covid19" and "mp3" give no token; "_" separates words;
5. words shorter than ``min_length`` characters are dropped;
6. stopwords are dropped (compared case-insensitively, before stemming);
7. optional stemming (Snowball English or Porter; both also lowercase).

Steps 5-7 depend only on the word, so their result is cached per distinct word: after the
first few documents almost every word costs one dict lookup.

Nothing here depends on the shape of a corpus; a document is a ``str`` and its tokens a
``list[str]``. The corpus of D documents and V words is built in :mod:`lda_vi.io.corpus`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from lda_vi.config import from_dict
from lda_vi.errors import InputError

__all__ = [
    "TOKEN_PATTERN",
    "Tokenizer",
    "TokenizerConfig",
    "english_stopwords",
    "load_stopword_file",
]

NORMALIZATIONS = ("NFC", "NFKC", "NFD", "NFKD", "none")
STOPWORD_LISTS = ("english", "none")
STEMMERS = ("snowball", "porter")

_LETTER = r"[^\W\d_]"  # a letter of any script: a word character that is not a digit nor "_"
# Combining diacritical marks (for decomposed text such as NFD "e" + U+0301): they belong to
# the letter before them. Latin, Greek and Cyrillic marks; plus half marks and symbol marks.
_MARK = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_WORD = rf"{_LETTER}+(?:{_MARK}+{_LETTER}*)*"
#: The regular expression of one token. The lookarounds refuse a run of letters glued to a
#: digit (``[^\W_]`` is a letter or a digit), so digit-containing strings yield nothing rather
#: than their letter parts.
TOKEN_PATTERN = rf"(?<![^\W_]){_WORD}(?:['-]{_WORD})*(?![^\W_])"

# Applied after normalization: typographic apostrophes and the Unicode hyphen.
_CHAR_MAP = (("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2010", "-"))
_CACHE_LIMIT = 1 << 20  # distinct words remembered before the cache starts over


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class TokenizerConfig:
    """Settings of a :class:`Tokenizer`; saved with a model so new text is tokenized alike.

    Attributes:
        lowercase: lowercase the text before splitting it into words.
        normalization: Unicode normalization form, one of "NFC", "NFKC" (default), "NFD",
            "NFKD" or "none" (case-insensitive on input).
        min_length: words with fewer characters than this are dropped (counted before
            stemming; inner apostrophes and hyphens count). At least 1.
        stopwords: "english" (the list shipped in ``lda_vi/data/stopwords_en.txt``) or "none".
        extra_stopwords: more stopwords, added to the shipped list. With ``stopwords="none"``
            they are the whole list.
        replace_stopwords: if True, ``extra_stopwords`` replaces the shipped list instead of
            extending it (the same as ``stopwords="none"``).
        stem: None (default), "snowball" (Snowball English) or "porter". The string "none"
            is accepted and stored as None.

    Invalid values raise :class:`~lda_vi.errors.InputError` when the config is created.
    """

    lowercase: bool = True
    normalization: str = "NFKC"
    min_length: int = 3
    stopwords: str = "english"
    extra_stopwords: tuple[str, ...] = ()
    replace_stopwords: bool = False
    stem: str | None = None

    def __post_init__(self) -> None:
        for name in ("lowercase", "replace_stopwords"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(
                    f"tokenizer setting {name}={getattr(self, name)!r} is not valid; "
                    "use true or false"
                )
        form = self.normalization
        canonical = {f.lower(): f for f in NORMALIZATIONS}
        if not isinstance(form, str) or form.lower() not in canonical:
            raise InputError(
                f"tokenizer setting normalization={form!r} is not valid; "
                f"use one of {', '.join(NORMALIZATIONS)}"
            )
        object.__setattr__(self, "normalization", canonical[form.lower()])
        if not _is_int(self.min_length) or self.min_length < 1:
            raise InputError(
                f"tokenizer setting min_length={self.min_length!r} is not valid; "
                "use a whole number of characters, 1 or more (e.g. --min-length 3)"
            )
        if not isinstance(self.stopwords, str) or self.stopwords.lower() not in STOPWORD_LISTS:
            raise InputError(
                f"tokenizer setting stopwords={self.stopwords!r} is not valid; "
                f"use one of {', '.join(STOPWORD_LISTS)}"
            )
        object.__setattr__(self, "stopwords", self.stopwords.lower())
        extra = self.extra_stopwords
        if isinstance(extra, str) or not isinstance(extra, Iterable):
            raise InputError(
                f"tokenizer setting extra_stopwords={extra!r} is not valid; "
                "use a list of words"
            )
        extra = tuple(extra)
        bad = [w for w in extra if not isinstance(w, str)]
        if bad:
            raise InputError(
                f"tokenizer setting extra_stopwords contains {bad[0]!r}, which is not a word; "
                "use a list of strings"
            )
        object.__setattr__(self, "extra_stopwords", extra)
        stem = self.stem
        if stem is not None:
            if not isinstance(stem, str) or stem.lower() not in (*STEMMERS, "none"):
                raise InputError(
                    f"tokenizer setting stem={stem!r} is not valid; "
                    f"use one of {', '.join(STEMMERS)} or none"
                )
            stem = None if stem.lower() == "none" else stem.lower()
            object.__setattr__(self, "stem", stem)

    def to_dict(self) -> dict:
        """Return the settings as a JSON-serializable dict (``extra_stopwords`` as a list)."""
        d = dataclasses.asdict(self)
        d["extra_stopwords"] = list(self.extra_stopwords)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TokenizerConfig:
        """Inverse of :meth:`to_dict`. Missing keys take their defaults.

        Raises InputError for a non-dict, an unknown key or an invalid value.
        """
        return from_dict(cls, d, "tokenizer")


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
    """word → processed word (or None if dropped); computes and stores missing entries."""

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

    ``Tokenizer()`` uses the default :class:`TokenizerConfig`. Attributes: ``config`` and
    ``stopwords`` (the effective stopword set, normalized and lowercased like the text).
    Picklable (it is rebuilt from its config).
    """

    def __init__(self, config: TokenizerConfig | None = None):
        if config is None:
            config = TokenizerConfig()
        if not isinstance(config, TokenizerConfig):
            raise TypeError(f"config must be a TokenizerConfig, not {type(config).__name__}")
        self.config = config
        self._form = None if config.normalization == "none" else config.normalization
        base: frozenset[str] = frozenset()
        if config.stopwords == "english" and not config.replace_stopwords:
            base = english_stopwords()
        self.stopwords = frozenset(
            self._normalize(w).lower() for w in (*base, *config.extra_stopwords)
        )
        self._stem = _make_stemmer(config.stem)
        self._words = _WordCache(self._process)

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

    def _process(self, word: str) -> str | None:
        """Length filter, stopword filter, then stemming, for one distinct word."""
        if len(word) < self.config.min_length:
            return None
        if (word if self.config.lowercase else word.lower()) in self.stopwords:
            return None
        return self._stem(word) if self._stem is not None else word

    def __call__(self, text: str) -> list[str]:
        """Return the tokens of ``text``, in order, repeats included."""
        text = self._normalize(text)
        if self.config.lowercase:
            text = text.lower()
        return list(filter(None, map(self._words.__getitem__, self._regexp.tokenize(text))))

    def __reduce__(self):
        return (Tokenizer, (self.config,))

    def __repr__(self) -> str:
        return f"Tokenizer({self.config!r})"


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


def _make_stemmer(name: str | None):
    """The ``stem(word) -> str`` function of the named nltk stemmer, or None."""
    if name is None:
        return None
    if name == "snowball":
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("english").stem
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer().stem
