"""Languages: stopword lists, Snowball stemmers and token rules, by ISO 639-1 code.

:func:`get_language` returns the :class:`Language` of a code ("de", "fr", "zh", ...). Each
language says

* which stopword list is shipped for it (``lda_vi/data/stopwords/CODE.txt``; English keeps the
  project's own ``lda_vi/data/stopwords_en.txt``). The lists, their sources and licenses are
  described in ``lda_vi/data/stopwords/PROVENANCE.md``;
* which Snowball stemmer of nltk stems it (None where nltk has none: then ``--stem`` is an
  error that says so);
* its token rules: elided articles and prepositions split off a word ("l'homme" → "l" +
  "homme", "dell'arte" → "dell" + "arte"), whether the English possessive "'s" is stripped,
  and which word segmenter splits text written without spaces (Chinese, Japanese);
* its *connector words*: function words allowed inside a phrase but never at its ends
  ("bank_of_america", "ministre_de_la_justice"), see :mod:`lda_vi.text.phrases`.
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass

from lda_vi.errors import InputError

__all__ = [
    "LANGUAGES", "Language", "canonical_code", "get_language", "language_codes", "stopwords_of",
]


@dataclass(frozen=True)
class Language:
    """One language's text rules (see the module doc).

    Attributes:
        code: ISO 639-1 code, e.g. "de".
        name: English name, e.g. "German".
        stemmer: the nltk ``SnowballStemmer`` language name, or None.
        elisions: elided words (without the apostrophe) split off the front of a word.
        possessive: strip a final "'s" (English).
        segmenter: "jieba" or "janome" for text without spaces between words, else None.
        connectors: words allowed inside a phrase but not at its ends.
        fold_marks: match stopwords without their combining marks (accents, hamza on
            alef, harakat), for lists written without them: Romanian's has no diacritics
            (si for și), Arabic's mostly no hamza (الى for إلى), Greek's mixes accented and
            unaccented forms (ειναι for είναι). Tokens keep their marks.
    """

    code: str
    name: str
    stemmer: str | None = None
    elisions: frozenset[str] = frozenset()
    possessive: bool = False
    segmenter: str | None = None
    connectors: frozenset[str] = frozenset()
    fold_marks: bool = False


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FR_ELISIONS = _words("l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu")
_IT_ELISIONS = _words(
    "l d c s m t v n un all dall dell nell sull coll quell quest bell sant anch ch po"
)

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("ar", "Arabic", "arabic", fold_marks=True),
        Language("bg", "Bulgarian"),
        Language("ca", "Catalan", None, _words("l d s n m t"),
                 connectors=_words("de del dels la el els les l d i a")),
        Language("cs", "Czech"),
        Language("da", "Danish", "danish", connectors=_words("og af i for til")),
        Language("de", "German", "german",
                 connectors=_words("der die das des dem den von vom und für zu zur zum im am")),
        Language("el", "Greek", fold_marks=True),
        Language("en", "English", "english", possessive=True,
                 connectors=_words("a an the of for with without at from to in on by and or")),
        Language("es", "Spanish", "spanish",
                 connectors=_words("de del la el los las y e a al en por para con")),
        Language("fa", "Persian"),
        Language("fi", "Finnish", "finnish"),
        Language("fr", "French", "french", _FR_ELISIONS,
                 connectors=_words("de du des la le les l d et à au aux en sur pour")),
        Language("gu", "Gujarati"),
        Language("he", "Hebrew"),
        Language("hi", "Hindi"),
        Language("hu", "Hungarian", "hungarian", connectors=_words("a az és")),
        Language("id", "Indonesian", connectors=_words("dan di ke dari")),
        Language("it", "Italian", "italian", _IT_ELISIONS,
                 connectors=_words("di del della dei degli delle dell da dal dalla e a al "
                                   "alla in nel nella l d per con")),
        Language("ja", "Japanese", segmenter="janome"),
        Language("ko", "Korean"),
        Language("ms", "Malay", connectors=_words("dan di ke dari")),
        Language("nb", "Norwegian", "norwegian", connectors=_words("og av i for til")),
        Language("nl", "Dutch", "dutch",
                 connectors=_words("de het van der den en in op voor")),
        Language("pl", "Polish"),
        Language("pt", "Portuguese", "portuguese",
                 connectors=_words("de do da dos das e a o os as em no na por para")),
        Language("ro", "Romanian", "romanian", connectors=_words("de din la și a al"),
                 fold_marks=True),
        Language("ru", "Russian", "russian", connectors=_words("и в на по")),
        Language("sk", "Slovak"),
        Language("sv", "Swedish", "swedish", connectors=_words("och av i för till")),
        Language("tr", "Turkish", connectors=_words("ve")),
        Language("uk", "Ukrainian"),
        Language("vi", "Vietnamese"),
        Language("zh", "Chinese", segmenter="jieba"),
    )
}
# Other codes for the same language: Norwegian "no" is shipped as Bokmål "nb".
_ALIASES = {"no": "nb"}


def language_codes() -> list[str]:
    """The supported ISO 639-1 codes, sorted."""
    return sorted(LANGUAGES)


def get_language(code: str | None) -> Language:
    """The :class:`Language` of ``code`` (case-insensitive); None means English.

    Raises InputError naming the supported codes for an unknown one.
    """
    if code is None:
        return LANGUAGES["en"]
    if not isinstance(code, str) or _ALIASES.get(code.lower(), code.lower()) not in LANGUAGES:
        raise InputError(
            f"language {code!r} is not supported; use an ISO 639-1 code, one of "
            f"{', '.join(language_codes())}", params=("language",)
        )
    return LANGUAGES[_ALIASES.get(code.lower(), code.lower())]


def canonical_code(code: str) -> str:
    """The code as stored: lowercase, aliases resolved ("NO" → "nb")."""
    return get_language(code).code


@functools.cache
def stopwords_of(code: str) -> frozenset[str]:
    """The stopword list shipped for the language ``code`` (as written in the file)."""
    lang = get_language(code)
    data = importlib.resources.files("lda_vi").joinpath("data")
    if lang.code == "en":
        path = data.joinpath("stopwords_en.txt")
    else:
        path = data.joinpath("stopwords", f"{lang.code}.txt")
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)
