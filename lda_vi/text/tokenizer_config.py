"""The settings of a tokenizer (:class:`TokenizerConfig`), saved with a model.

A model saves its tokenizer settings, learned phrases included, so that ``transform``,
``evaluate`` and ``sweep`` turn new text into the same tokens as the training text.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real

from lda_vi.config import from_dict
from lda_vi.errors import InputError
from lda_vi.text.languages import LANGUAGES, get_language

__all__ = ["NORMALIZATIONS", "PHRASE_SCORINGS", "STEMMERS", "STOPWORD_LISTS", "TokenizerConfig"]

NORMALIZATIONS = ("NFC", "NFKC", "NFD", "NFKD", "none")
STOPWORD_LISTS = ("language", "english", "none")
STEMMERS = ("snowball", "porter")
PHRASE_SCORINGS = ("npmi", "llr")
#: The default ``phrase_threshold`` of each scoring: NPMI in [-1, 1]; the likelihood ratio
#: 10.83 is the chi-squared critical value of p = 0.001 with one degree of freedom.
DEFAULT_THRESHOLDS = {"npmi": 0.5, "llr": 10.83}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(name: str, value: object, fix: str) -> InputError:
    return InputError(f"tokenizer setting {name}={value!r} is not valid; {fix}", params=(name,))


@dataclass(frozen=True)
class TokenizerConfig:
    """Settings of a :class:`~lda_vi.text.tokenize.Tokenizer`.

    Attributes:
        lowercase: lowercase the text before splitting it into words.
        normalization: Unicode normalization form, one of "NFC", "NFKC" (default), "NFD",
            "NFKD" or "none" (case-insensitive on input).
        min_length: words with fewer characters than this are dropped (counted before
            stemming; inner apostrophes and hyphens count). At least 1. Words of CJK scripts
            (Han, kana, Hangul) are kept from one character on.
        stopwords: "language" (default: the list shipped for ``language``), "english" (the
            English list, as saved by models made before languages) or "none".
        extra_stopwords: more stopwords, added to the shipped list. With ``stopwords="none"``
            they are the whole list.
        replace_stopwords: if True, ``extra_stopwords`` replaces the shipped list instead of
            extending it (the same as ``stopwords="none"``).
        stem: None (default), "snowball" (the Snowball stemmer of ``language``) or "porter"
            (English only). The string "none" is accepted and stored as None.
        language: ISO 639-1 code (see :mod:`lda_vi.text.languages`), or None: English rules,
            and text that is mostly Chinese or Japanese is refused with a hint.
        phrases: 0 (default) no phrases; 2 join pairs of words that go together ("new_york");
            3 adds a second pass, for phrases of three or more words ("new_york_city").
        phrase_scoring: "npmi" (default, normalized PMI in [-1, 1]) or "llr" (likelihood ratio).
        phrase_threshold: the least score of a phrase; None: 0.5 for npmi, 10.83 for llr.
        phrase_min_count: the least number of times a phrase occurs in the training text.
        phrase_table: the learned phrases, one tuple per pass, of ``(words, score, count)``;
            filled by :func:`lda_vi.text.tokenize.learn_phrases`, empty until then.

    Invalid values raise :class:`~lda_vi.errors.InputError` when the config is created.
    """

    lowercase: bool = True
    normalization: str = "NFKC"
    min_length: int = 3
    stopwords: str = "language"
    extra_stopwords: tuple[str, ...] = ()
    replace_stopwords: bool = False
    stem: str | None = None
    language: str | None = None
    phrases: int = 0
    phrase_scoring: str = "npmi"
    phrase_threshold: float | None = None
    phrase_min_count: int = 10
    phrase_table: tuple = ()

    def __post_init__(self) -> None:
        for name in ("lowercase", "replace_stopwords"):
            if not isinstance(getattr(self, name), bool):
                raise _invalid(name, getattr(self, name), "use true or false")
        form = self.normalization
        canonical = {f.lower(): f for f in NORMALIZATIONS}
        if not isinstance(form, str) or form.lower() not in canonical:
            raise _invalid("normalization", form, f"use one of {', '.join(NORMALIZATIONS)}")
        self._set("normalization", canonical[form.lower()])
        if not _is_int(self.min_length) or self.min_length < 1:
            raise _invalid("min_length", self.min_length,
                           "use a whole number of characters, 1 or more (e.g. min_length=3)")
        if self.language is not None:
            self._set("language", get_language(self.language).code)
        self._check_stopwords()
        self._check_stem()
        self._check_phrases()

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_stopwords(self) -> None:
        if not isinstance(self.stopwords, str) or self.stopwords.lower() not in STOPWORD_LISTS:
            raise _invalid("stopwords", self.stopwords, f"use one of {', '.join(STOPWORD_LISTS)}")
        stopwords = self.stopwords.lower()
        if stopwords == "english" and self.language in (None, "en"):
            stopwords = "language"  # the same list
        self._set("stopwords", stopwords)
        extra = self.extra_stopwords
        if isinstance(extra, str) or not isinstance(extra, Iterable):
            raise _invalid("extra_stopwords", extra, "use a list of words")
        extra = tuple(extra)
        bad = [w for w in extra if not isinstance(w, str)]
        if bad:
            raise InputError(
                f"tokenizer setting extra_stopwords contains {bad[0]!r}, which is not a word; "
                "use a list of strings"
            )
        self._set("extra_stopwords", extra)

    def _check_stem(self) -> None:
        stem = self.stem
        if stem is None:
            return
        if not isinstance(stem, str) or stem.lower() not in (*STEMMERS, "none"):
            raise _invalid("stem", stem, f"use one of {', '.join(STEMMERS)} or none")
        stem = None if stem.lower() == "none" else stem.lower()
        self._set("stem", stem)
        lang = get_language(self.language)
        if stem == "porter" and lang.code != "en":
            raise InputError(
                f"stem='porter' stems English only, and the language is {lang.name} "
                f"({lang.code}); use stem='snowball'", params=("stem",)
            )
        if stem == "snowball" and lang.stemmer is None:
            have = ", ".join(code for code, lg in sorted(LANGUAGES.items()) if lg.stemmer)
            raise InputError(
                f"stem='snowball' is not available for {lang.name} ({lang.code}): nltk has no "
                f"Snowball stemmer for it; leave out stem (stemmers exist for {have})",
                params=("stem",)
            )

    def _check_phrases(self) -> None:
        if not _is_int(self.phrases) or self.phrases not in (0, 2, 3):
            raise _invalid("phrases", self.phrases,
                           "use 2 (pairs of words), 3 (up to triples, two passes) or 0 (none)")
        scoring = self.phrase_scoring
        if not isinstance(scoring, str) or scoring.lower() not in PHRASE_SCORINGS:
            raise _invalid("phrase_scoring", scoring, f"use one of {', '.join(PHRASE_SCORINGS)}")
        self._set("phrase_scoring", scoring.lower())
        threshold = self.phrase_threshold
        if threshold is not None:
            if (isinstance(threshold, bool) or not isinstance(threshold, Real)
                    or not math.isfinite(threshold)):
                raise _invalid("phrase_threshold", threshold,
                               "use a number (e.g. phrase_threshold=0.5 for npmi)")
            if self.phrase_scoring == "npmi" and not -1 <= threshold <= 1:
                raise _invalid("phrase_threshold", threshold,
                               "npmi scores lie in [-1, 1]; use e.g. phrase_threshold=0.5")
            self._set("phrase_threshold", float(threshold))
        if not _is_int(self.phrase_min_count) or self.phrase_min_count < 1:
            raise _invalid("phrase_min_count", self.phrase_min_count,
                           "use a whole number of occurrences, 1 or more")
        self._set("phrase_table", _check_table(self.phrase_table))

    @property
    def threshold(self) -> float:
        """``phrase_threshold``, or the default of ``phrase_scoring`` when it is None."""
        if self.phrase_threshold is not None:
            return self.phrase_threshold
        return DEFAULT_THRESHOLDS[self.phrase_scoring]

    def to_dict(self) -> dict:
        """Return the settings as a JSON-serializable dict (tuples as lists)."""
        d = dataclasses.asdict(self)
        d["extra_stopwords"] = list(self.extra_stopwords)
        d["phrase_table"] = [[[list(words), score, count] for words, score, count in table]
                             for table in self.phrase_table]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TokenizerConfig:
        """Inverse of :meth:`to_dict`. Missing keys take their defaults.

        Raises InputError for a non-dict, an unknown key or an invalid value.
        """
        return from_dict(cls, d, "tokenizer")


def _check_table(table: object) -> tuple:
    """The phrase table as nested tuples; InputError if it is not a list of passes of
    ``[words, score, count]`` entries."""
    fix = "it must be a list of passes, each a list of [words, score, count]"
    if isinstance(table, (str, bytes)) or not isinstance(table, Iterable):
        raise _invalid("phrase_table", table, fix)
    passes = []
    for entries in table:
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise _invalid("phrase_table", entries, fix)
        checked = []
        for entry in entries:
            try:
                words, score, count = entry
                words = tuple(words)
            except (TypeError, ValueError):
                raise _invalid("phrase_table", entry, fix) from None
            if (len(words) < 2 or not all(isinstance(w, str) and w for w in words)
                    or isinstance(score, bool) or not isinstance(score, Real)
                    or not _is_int(count) or count < 1):
                raise _invalid("phrase_table", entry, fix)
            checked.append((words, float(score), count))
        passes.append(tuple(checked))
    return tuple(passes)
