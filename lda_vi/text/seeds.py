"""Seed words of guided topics, and topic labels: read, checked and mapped onto a vocabulary.

A seed file holds one seeded topic per line, ``label: word word word``; ``#``
starts a comment, blank lines are skipped. The seeded topics are the first
topics of the model, in file order; a word may seed several topics. Seed words
go through the corpus's own tokenizer (lowercasing, stemming, ...) before they
are looked up in the vocabulary, so ``Kuwaiti`` seeds the stem ``kuwaiti`` of a
stemmed corpus.

Example::

    # themes known in advance
    gulf_war: iraq kuwait saddam troops
    economy:  stocks market dollar prices

Labels name topics everywhere (tables, CSV headers, the report): 1 to 40
letters, digits, ``_``, ``-`` or ``.``, starting with a letter or digit, unique
in a model, never ``topic_N`` (the name an unlabelled topic goes by) and never only
digits (``3`` would read as topic 3 where a topic is given by number or name).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lda_vi.errors import InputError

LABEL_PATTERN = re.compile(r"[^\W_][\w.\-]{0,39}")
DEFAULT_NAME = re.compile(r"topic_\d+")


@dataclass(frozen=True)
class SeedTopic:
    """One seeded topic as written: its label and its seed words (order kept, no repeats)."""

    label: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedSeeds:
    """Seeded topics mapped onto a vocabulary.

    ``labels``: one per seeded topic. ``ids``: each topic's seed word ids (no
    repeats). ``terms``: the vocabulary words of those ids. ``missing``: the
    seed words, as written, that are not in the vocabulary once tokenized.
    """

    labels: list[str]
    ids: list[list[int]]
    terms: list[list[str]]
    missing: list[str]


def reads_as_number(text: str) -> bool:
    """Whether ``text`` (stripped) is only digits, so reads as a topic number."""
    return text.strip().isdecimal()


def check_label(label: object, where: str = "label", *, number_ok: bool = False) -> str:
    """The label, stripped, if it is a valid topic label; InputError saying why not otherwise.

    ``number_ok`` lets a label of only digits through: models saved before such labels
    were refused may hold one, and still load.
    """
    if not isinstance(label, str):
        raise InputError(f"{where} must be a string, not {type(label).__name__}")
    name = label.strip()
    if DEFAULT_NAME.fullmatch(name):
        raise InputError(f"{where} {name!r} is the name of an unlabelled topic; choose another")
    if reads_as_number(name) and not number_ok:
        raise InputError(f"{where} {name!r} cannot be a number (it would read as a topic "
                         "number); give a name with a letter in it (e.g. year_1988)")
    if not LABEL_PATTERN.fullmatch(name):
        raise InputError(f"{where} {name!r} is not valid: use 1 to 40 letters, digits, '_', "
                         "'-' or '.', starting with a letter or digit (e.g. gulf_war)")
    return name


def check_unique(labels: Iterable[str | None], what: str = "topic labels") -> None:
    """InputError when a label occurs twice (None, an unlabelled topic, may repeat)."""
    seen: set[str] = set()
    for label in labels:
        if label is not None and label in seen:
            raise InputError(f"{what}: {label!r} is given twice; each topic needs its own label")
        if label is not None:
            seen.add(label)


def parse_seed_lines(lines: Iterable[str], source: str = "seed words") -> list[SeedTopic]:
    """The seeded topics of a seed file's lines (see the module doc), in order."""
    topics: list[SeedTopic] = []
    for lineno, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        where = f"{source}, line {lineno}"
        if ":" not in text:
            raise InputError(f"{where}: expected 'label: word word ...', got {text[:60]!r}")
        label, _, rest = text.partition(":")
        label = check_label(label, f"{where}: label")
        words = tuple(dict.fromkeys(rest.split()))
        if not words:
            raise InputError(f"{where}: topic {label!r} has no seed words after the ':'")
        topics.append(SeedTopic(label, words))
    if not topics:
        raise InputError(f"{source} holds no seeded topic; write one per line, "
                         "'label: word word ...'")
    check_unique((t.label for t in topics), source)
    return topics


def load_seed_file(path: str | os.PathLike) -> list[SeedTopic]:
    """Read and parse a UTF-8 seed file; InputError if it is missing, unreadable or malformed."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        raise InputError(f"seed file {name} not found; check the path") from None
    except IsADirectoryError:
        raise InputError(f"seed file {name} is a directory; give a text file with one "
                         "'label: word word ...' line per topic") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"seed file {name}: byte 0x{exc.object[exc.start]:02x} is not valid "
                         "UTF-8; save the file as UTF-8") from None
    except OSError as exc:
        raise InputError(f"cannot read seed file {name}: {exc.strerror or exc}") from None
    if any("\0" in line for line in lines):
        raise InputError(f"seed file {name} contains NUL bytes, so it looks like a binary "
                         "file; give a text file")
    return parse_seed_lines(lines, f"seed file {name}")


def seeds_from_mapping(seeds: Mapping[str, Sequence[str] | str]
                       | Sequence[tuple[str, Sequence[str] | str]]) -> list[SeedTopic]:
    """Seeded topics from ``{"gulf": ["iraq", "kuwait"]}`` (or label/words pairs, or
    words as one string ``"iraq kuwait"``), checked as a seed file would be."""
    items = list(seeds.items()) if isinstance(seeds, Mapping) else list(seeds)
    lines = []
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise InputError("seed_words must map each label to its seed words, e.g. "
                             "{'gulf': ['iraq', 'kuwait']}")
        label, words = item
        words = words.split() if isinstance(words, str) else list(words)
        if not all(isinstance(w, str) for w in words):
            raise InputError(f"seed_words[{label!r}] must be a list of words (strings)")
        if any(c in w for w in words for c in "#:\n") or not isinstance(label, str) \
                or "\n" in label:
            raise InputError(f"seed_words[{label!r}]: labels and words may not hold "
                             "'#', ':' or line breaks")
        check_label(label, "seed_words: label")       # named by its key, not a line number
        if not any(w.split() for w in words):
            raise InputError(f"seed_words[{label!r}] has no seed words; give it a list of "
                             "words, e.g. ['iraq', 'kuwait']")
        lines.append(f"{label}: {' '.join(words)}")
    return parse_seed_lines(lines, "seed_words")


def resolve_seeds(topics: Sequence[SeedTopic], tokenize: Callable[[str], list[str]],
                  lookup: Callable[[str], int | None]) -> ResolvedSeeds:
    """Map seed words onto vocabulary ids, through the corpus's ``tokenize``.

    A seed word that is a vocabulary word as written is that word: the vocabulary of
    word counts is used as given, so its words need no tokenizing (``ms``, ``new``,
    ``covid19`` would not survive the text tokenizer's stopwords and length rules).
    Any other word is tokenized and may give several tokens (``cease-fire`` stays one,
    ``U.S.`` may give two): each token found by ``lookup`` (word → id or None)
    seeds the topic. A word none of whose tokens is in the vocabulary is
    ``missing``. A seeded topic left without any seed word is an InputError.
    """
    labels, ids, terms, missing = [], [], [], []
    for topic in topics:
        found: dict[int, str] = {}
        for word in topic.words:
            exact = lookup(word)
            hits = [(exact, word)] if exact is not None else \
                [(lookup(token), token) for token in tokenize(word)]
            hits = [(i, token) for i, token in hits if i is not None]
            if not hits:
                missing.append(word)
            found.update((i, token) for i, token in hits if i not in found)
        if not found:
            raise InputError(f"seeded topic {topic.label!r}: none of its seed words "
                             f"({' '.join(topic.words)}) is in the corpus's vocabulary after "
                             "tokenizing and pruning; choose words that occur in the corpus")
        labels.append(topic.label)
        ids.append(list(found))
        terms.append(list(found.values()))
    return ResolvedSeeds(labels, ids, terms, list(dict.fromkeys(missing)))


def missing_warning(missing: Sequence[str]) -> str:
    """The one warning line that lists seed words left out."""
    return (f"{len(missing)} seed word{'s' if len(missing) != 1 else ''} not in the vocabulary "
            f"(after tokenizing, stemming and pruning), ignored: {', '.join(missing)}")
