"""Tests of lda_vi.text.languages and the per-language rules of the tokenizer, on small
German, French, Spanish and Italian texts written for these tests."""

import importlib.resources

import pytest

from lda_vi.errors import InputError
from lda_vi.text.languages import LANGUAGES, get_language, language_codes, stopwords_of
from lda_vi.text.tokenize import Tokenizer, TokenizerConfig

GERMAN = [
    "Der Hund läuft schnell über die Wiese, und die Katze schläft auf dem Sofa.",
    "Die Regierung hat gestern ein neues Gesetz über die Steuern beschlossen.",
    "Im Stadion spielten die Fußballspieler vor vielen Zuschauern ein spannendes Spiel.",
]
FRENCH = [
    "L'homme est allé à l'école avec les enfants de la voisine.",
    "Le ministre de la Justice a présenté une réforme qu'il juge nécessaire.",
    "Nous n'avons pas vu d'oiseaux dans le jardin aujourd'hui.",
]
SPANISH = [
    "Los niños juegan en el parque y las niñas cantan canciones.",
    "El gobierno de España aprobó una nueva ley sobre la vivienda.",
    "La nieve cubre las montañas durante el invierno más frío.",
]
FUNCTION_WORDS = {
    "de": {"der", "die", "das", "und", "ist", "hat", "ein", "auf", "dem", "über", "im", "vor"},
    "fr": {"le", "la", "les", "est", "de", "à", "avec", "une", "pas", "nous", "dans", "il"},
    "es": {"los", "las", "el", "la", "y", "en", "de", "una", "sobre", "más", "durante"},
}


def test_at_least_twenty_languages_with_stopwords():
    codes = language_codes()
    assert len(codes) >= 20
    for code in codes:
        words = stopwords_of(code)
        assert len(words) >= 40, code
        assert not any(w.startswith("#") or " " in w for w in words), code
        # a stopword is a word: no quotes or commas copied from a source's list syntax
        assert not any(c in w for w in words for c in '",'), code


def test_stopword_lists_come_with_provenance_and_license():
    folder = importlib.resources.files("lda_vi").joinpath("data", "stopwords")
    provenance = folder.joinpath("PROVENANCE.md").read_text(encoding="utf-8")
    for code in language_codes():
        if code != "en":
            assert folder.joinpath(f"{code}.txt").is_file(), code
            assert f"`{code}`" in provenance, code
    assert "Redistribution and use in source and binary forms" in \
        folder.joinpath("LICENSE-stop-words.txt").read_text(encoding="utf-8")
    assert "MIT" in folder.joinpath("LICENSE-stopwords-iso.txt").read_text(encoding="utf-8")


def test_unknown_language_names_the_codes():
    with pytest.raises(InputError, match="language 'klingon' is not supported.*de, el, en"):
        get_language("klingon")
    assert get_language(None).code == "en"
    assert get_language("DE").name == "German"


@pytest.mark.parametrize("code, texts", [("de", GERMAN), ("fr", FRENCH), ("es", SPANISH)])
def test_function_words_removed(code, texts):
    tok = Tokenizer(TokenizerConfig(language=code))
    tokens = [t for text in texts for t in tok(text)]
    assert not FUNCTION_WORDS[code] & set(tokens)
    # while the English list would keep them: the language matters
    english = {t for text in texts for t in Tokenizer(TokenizerConfig(language="en"))(text)}
    assert FUNCTION_WORDS[code] & english


def test_german_content_words_and_stemming():
    tok = Tokenizer(TokenizerConfig(language="de"))
    assert tok(GERMAN[2]) == ["stadion", "spielten", "fußballspieler", "vielen",
                              "zuschauern", "spannendes", "spiel"]
    stem = Tokenizer(TokenizerConfig(language="de", stem="snowball"))
    # German Snowball: ß → ss, inflections off; "Spiel" and "spielten" share a stem
    assert stem("Fußball Spiele spielten Zuschauern") == ["fussball", "spiel", "spielt",
                                                          "zuschau"]


def test_french_elisions_split_and_stemmed():
    tok = Tokenizer(TokenizerConfig(language="fr"))
    assert tok(FRENCH[0]) == ["homme", "allé", "école", "enfants", "voisine"]
    assert tok(FRENCH[2]) == ["oiseaux", "jardin", "aujourd'hui"]  # aujourd'hui is one word
    keep = Tokenizer(TokenizerConfig(language="fr", stopwords="none", min_length=1))
    assert keep("l'homme qu'il") == ["l", "homme", "qu", "il"]
    stem = Tokenizer(TokenizerConfig(language="fr", stem="snowball"))
    # French Snowball (English Snowball leaves "nationaux" as it is)
    assert stem("nations nationale nationaux") == ["nation", "national", "national"]


def test_italian_elided_prepositions():
    tok = Tokenizer(TokenizerConfig(language="it"))
    assert tok("La storia dell'arte nell'Italia dell'Ottocento") == ["storia", "arte", "italia",
                                                                     "ottocento"]


def test_spanish_stemming():
    tok = Tokenizer(TokenizerConfig(language="es", stem="snowball"))
    # Spanish Snowball; English Snowball would leave "montaña invierno frío" as they are
    assert tok(SPANISH[2]) == ["niev", "cubr", "montañ", "inviern", "fri"]


def test_english_snowball_unchanged_by_language_en():
    text = "running runners generously connections"
    assert Tokenizer(TokenizerConfig(language="en", stem="snowball"))(text) == \
        Tokenizer(TokenizerConfig(stem="snowball"))(text)


def test_every_snowball_stemmer_builds():
    for code, lang in LANGUAGES.items():
        if lang.stemmer:
            tok = Tokenizer(TokenizerConfig(language=code, stem="snowball", stopwords="none"))
            assert all(tok("abcdefgh"))


def test_stem_without_a_stemmer_is_an_error_that_says_so():
    with pytest.raises(InputError, match="not available for Polish .pl.: nltk has no Snowball"):
        TokenizerConfig(language="pl", stem="snowball")
    with pytest.raises(InputError, match="stems English only.*German"):
        TokenizerConfig(language="de", stem="porter")


def test_german_additions_to_the_snowball_list():
    tok = Tokenizer(TokenizerConfig(language="de"))
    # contractions, forms of werden, adverbs and abbreviations the Snowball list lacks
    assert tok("beim Start wurde seit jeher immer bzw. z.B. außer Betrieb gesetzt") == [
        "start", "jeher", "betrieb", "gesetzt"]


# Real sentences of gettext catalogs (error messages), and their most common function words.
OTHER_SCRIPTS = {
    "el": ("Το αρχείο δεν είναι έγκυρο και δεν μπορεί να ανοιχτεί από την εφαρμογή για την "
           "εκτύπωση του εγγράφου στο σύστημα.",
           {"το", "δεν", "είναι", "και", "να", "από", "την", "για", "του", "στο"}),
    "he": ("אבל אחרי ההתקנה לא ניתן לפתוח את הקובץ של המשתמש איפה שהוא.",
           {"אבל", "אחרי", "איפה"}),
    "ar": ("تعذّر فتح الملف إلى المجلد أو الطابعة، أن الملف غير موجود في النظام.",
           {"إلى", "أو", "أن", "في"}),
    "ro": ("Fișierul nu poate fi deschis în acest director și nu există dacă să fie mutat.",
           {"nu", "în", "acest", "și", "dacă", "să"}),
    "it": ("Così il file già aperto non può essere letto più volte.", {"così", "già", "più"}),
}


SMALL_LISTS = {
    "ca": ("Només es pot mostrar així el fitxer després de la còpia, encara durant l'ordre.",
           {"només", "així", "després", "encara", "durant"}),
    "da": ("Filen kan ikke åbnes, fordi der ingen adgang er, kun ved hjælp af root.",
           {"kan", "fordi", "ingen", "kun", "ved"}),
    "nl": ("Het bestand kan echter niet worden geopend, omdat de map tussen de schijven "
           "ontbreekt, zoals eerder gemeld.", {"echter", "tussen", "zoals", "eerder"}),
    "tr": ("Dosya olarak açılamadı, değil mi; yetki yok, yalnızca yönetici yerine geçebilir.",
           {"olarak", "değil", "yok", "yalnızca", "yerine"}),
    "ar": ("كيف يمكنني فتح الملف؟ هل تريد حفظ التغييرات؟ نحن سوف نحاول مرة أخرى، لماذا لا.",
           {"كيف", "هل", "نحن", "سوف"}),
}


FUNCTION_WORD_CASES = [pytest.param(code, *cases[code], id=f"{group}-{code}")
                       for group, cases in (("other-scripts", OTHER_SCRIPTS),
                                            ("small-lists", SMALL_LISTS))
                       for code in sorted(cases)]


@pytest.mark.parametrize("code, text, function", FUNCTION_WORD_CASES)
def test_function_words_of_other_scripts_and_small_lists_removed(code, text, function):
    # other scripts: lists written without accents (ro), with Ancient Greek or without
    # hamza (el, ar), or with a source's quotes (he, it) still remove the words as the text
    # writes them. small lists: Catalan, Danish, Dutch, Turkish and Arabic had lists of 94
    # to 162 words, which left these in the top words of real gettext text (or, for
    # Arabic, left them out: how, we)
    tokens = set(Tokenizer(TokenizerConfig(language=code))(text))
    assert not function & tokens, function & tokens
    assert tokens, text


def test_korean_auxiliaries_in_their_polite_forms_removed():
    # gettext Korean ends its messages with polite forms of the auxiliaries: 수 없습니다
    # ("cannot"), 않습니다 ("not"), 있습니다, 합니다, 됩니다, 입니다
    text = ("파일을 열 수 없습니다. 디렉터리가 존재하지 않습니다. 옵션을 지정할 수 있습니다. "
            "설정을 변경합니다. 또는 기본값이 사용됩니다. 이것은 오류입니다.")
    tokens = set(Tokenizer(TokenizerConfig(language="ko"))(text))
    assert not {"수", "없습니다", "않습니다", "있습니다", "또는"} & tokens, tokens
    assert {"파일을", "디렉터리가", "옵션을", "설정을"} <= tokens
