"""The CLI shows the parameters a library error names as its flags (cli/common.flag_message)."""

from lda_vi.cli.common import flag_message
from lda_vi.errors import InputError


def shown(message: str, *params: str) -> str:
    return flag_message(InputError(message, params=params))


def test_names_and_assignments_become_flags():
    assert shown("lower min_df or raise max_df", "min_df", "max_df") == \
        "lower --min-df or raise --max-df"
    assert shown("e.g. min_df=2 or min_df=0.01", "min_df") == "e.g. --min-df 2 or --min-df 0.01"
    assert shown("read it with fmt='dir' (one document per file)", "fmt") == \
        "read it with --format dir (one document per file)"
    assert shown("no column 'x'; fix text_column", "text_column") == \
        "no column 'x'; fix --text-column"


def test_a_quoted_pattern_keeps_its_quotes():
    assert shown("choose the files with glob (e.g. glob='**/*.md')", "glob") == \
        "choose the files with --glob (e.g. --glob '**/*.md')"


def test_a_list_of_settings_in_parentheses_is_left_as_the_library_spells_it():
    message = ("pruning removed every word (min_df=100, max_df=0.5 (at most 3 of 6 "
               "documents), max_vocab=None) from 9 words; lower min_df or raise max_df")
    assert shown(message, "min_df", "max_df") == message.replace(
        "lower min_df or raise max_df", "lower --min-df or raise --max-df")


def test_switches_and_prose_names():
    assert shown("try stopwords='none' or a lower min_length (min_length=3, stopwords=english)",
                 "stopwords", "min_length") == \
        "try --no-stopwords or a lower --min-length (min_length=3, stopwords=english)"
    assert shown("x already exists; pass force=True to overwrite it", "force") == \
        "x already exists; pass --force to overwrite it"
    assert shown("unknown text encoding 'x'; give a codec name (encoding)", "encoding") == \
        "unknown text encoding 'x'; give a codec name (--encoding)"
    assert shown("the file's real encoding (e.g. encoding='latin-1')", "encoding") == \
        "the file's real encoding (e.g. --encoding latin-1)"


def test_paths_and_unlisted_words_are_untouched():
    assert shown("/tmp/fmt/a.txt is fmt input; no vocab.txt beside it", "fmt", "vocab") == \
        "/tmp/fmt/a.txt is --format input; no vocab.txt beside it"
    assert shown("min_df must be >= 0") == "min_df must be >= 0"
