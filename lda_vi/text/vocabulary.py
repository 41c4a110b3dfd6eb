"""The vocabulary (word ↔ id) and the pruning of rare and common words.

Shapes: a corpus has D documents and V words. A :class:`Vocabulary` of V words gives word
``i`` the id ``i`` (its position), which is column ``i`` of the D×V count matrix and of the
K×V topic-word matrices. :func:`prune` works on the *candidate* words of a corpus (every
distinct token, ids ``0..V0-1``) from two arrays of length V0, their document frequencies and
their total counts, and returns the ids to keep.

Count or fraction (the scikit-learn convention), for both ``min_df`` and ``max_df``:

* a number in (0, 1) is a fraction of the D documents: ``min_df=0.01`` keeps words found in
  at least 1% of the documents (at least ``ceil(0.01 * D)`` documents), ``max_df=0.5`` keeps
  words found in at most half of them (at most ``floor(0.5 * D)``);
* ``max_df=1`` (or ``1.0``) is the fraction 1: no upper limit. ``min_df=1`` is the count 1:
  no lower limit;
* any other value is a count of documents and must be a whole number: ``min_df=5``,
  ``max_df=1000`` (``5.0`` and ``1000.0`` are accepted as the same counts); ``2.5`` is refused.

``min_df=0`` keeps every word, even one found in no document: count formats read with a
vocabulary file (lda-c, UCI, Matrix Market) keep the vocabulary as given by default
(:data:`COUNT_PRUNING`), text is pruned with :data:`TEXT_PRUNING` (``min_df=2``,
``max_df=0.5``); :func:`default_pruning` fills the settings a user did not give.

``max_vocab`` is applied last: of the words that pass ``min_df`` and ``max_df``, keep the
``max_vocab`` with the largest total count in the corpus, ties going to the word that sorts
first (:func:`prune` is given words in alphabetical id order by :mod:`lda_vi.io.corpus`; it
breaks ties by the lower id, or by the word when ``words`` is given).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np

from lda_vi.config import from_dict
from lda_vi.errors import InputError

__all__ = ["COUNT_PRUNING", "TEXT_PRUNING", "PruneConfig", "Vocabulary", "default_pruning",
           "prune"]

def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise InputError(
            f"{name}={value!r} is not a number; give a document count like 5 "
            "or a fraction of documents like 0.01", params=(name,)
        )
    return float(value)


@dataclass(frozen=True)
class PruneConfig:
    """How to prune the candidate words of a corpus (see the module doc for count vs fraction).

    Attributes:
        min_df: keep words found in at least this many documents (a count ≥ 1) or this
            fraction of them (in (0, 1)); 0 keeps every word, even those found in no
            document. Default 2: drop words seen in one document only.
        max_df: keep words found in at most this many documents (a whole count > 1) or this
            fraction of them (in (0, 1]; 1 means no limit). Default 0.5.
        max_vocab: then keep at most this many words, the most frequent by total count
            (ties: alphabetical). None (default): no limit.

    Invalid values raise :class:`~lda_vi.errors.InputError` when the config is created.
    """

    min_df: float = 2
    max_df: float = 0.5
    max_vocab: int | None = None

    def __post_init__(self) -> None:
        lo = _number("min_df", self.min_df)
        if lo < 0:
            raise InputError(
                f"min_df={self.min_df!r} must not be negative: a document count (1 or more), "
                "a fraction of documents in (0, 1), or 0 to keep every word, e.g. min_df=2 "
                "or min_df=0.01", params=("min_df",)
            )
        if lo >= 1 and not lo.is_integer():
            raise InputError(
                f"min_df={self.min_df!r} is neither a whole document count nor a fraction "
                "below 1; use e.g. min_df=2 or min_df=0.01", params=("min_df",)
            )
        hi = _number("max_df", self.max_df)
        if hi <= 0:
            raise InputError(
                f"max_df={self.max_df!r} must be positive: a fraction of documents in (0, 1] "
                "or a document count above 1, e.g. max_df=0.5 or max_df=1000",
                params=("max_df",),
            )
        if hi > 1 and not hi.is_integer():
            raise InputError(
                f"max_df={self.max_df!r} is neither a fraction up to 1 nor a whole document "
                "count; use e.g. max_df=0.5 or max_df=1000", params=("max_df",)
            )
        mv = self.max_vocab
        if mv is not None:
            if (
                isinstance(mv, bool)
                or not isinstance(mv, Real)
                or not math.isfinite(mv)
                or not float(mv).is_integer()
                or mv < 1
            ):
                raise InputError(
                    f"max_vocab={mv!r} is not valid; give a whole number of words, 1 or more, "
                    "or leave it unset for no limit", params=("max_vocab",)
                )
            object.__setattr__(self, "max_vocab", int(mv))

    def min_count(self, n_docs: int) -> int:
        """The least number of documents a kept word must appear in, for ``n_docs`` documents."""
        if self.min_df == 0:
            return 0
        if self.min_df < 1:
            return max(1, math.ceil(self.min_df * n_docs - 1e-9))
        return int(self.min_df)

    def max_count(self, n_docs: int) -> int:
        """The most documents a kept word may appear in, for ``n_docs`` documents."""
        if self.max_df <= 1:
            return math.floor(self.max_df * n_docs + 1e-9)
        return int(self.max_df)

    def describe(self, n_docs: int | None = None) -> str:
        """One-line summary, e.g. ``min_df=2, max_df=0.5 (at most 3 of 6 documents), ...``."""
        lo, hi = f"min_df={self.min_df!r}", f"max_df={self.max_df!r}"
        if n_docs is not None:
            if 0 < self.min_df < 1:
                lo += f" (at least {self.min_count(n_docs)} of {n_docs} documents)"
            if self.max_df <= 1:
                hi += f" (at most {self.max_count(n_docs)} of {n_docs} documents)"
        return f"{lo}, {hi}, max_vocab={self.max_vocab!r}"

    def to_dict(self) -> dict:
        """Return the settings as a JSON-serializable dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> PruneConfig:
        """Inverse of :meth:`to_dict`; missing keys take their defaults.

        Raises InputError for a non-dict, an unknown key or an invalid value.
        """
        return from_dict(cls, d, "pruning")


#: Text input: drop words found in one document only, or in more than half of them.
TEXT_PRUNING = PruneConfig(min_df=2, max_df=0.5)
#: Count formats with a vocabulary file: every word kept, even one with no count.
COUNT_PRUNING = PruneConfig(min_df=0, max_df=1.0)


def default_pruning(counts: bool, *, min_df: float | None = None, max_df: float | None = None,
                    max_vocab: int | None = None) -> PruneConfig:
    """The pruning of a corpus: the settings given (not None), the others from the defaults
    of its kind (:data:`COUNT_PRUNING` for count formats, else :data:`TEXT_PRUNING`).

    So count formats are not pruned unless a setting is given, and then only as given.
    """
    base = COUNT_PRUNING if counts else TEXT_PRUNING
    given = {key: value for key, value in
             (("min_df", min_df), ("max_df", max_df), ("max_vocab", max_vocab))
             if value is not None}
    return dataclasses.replace(base, **given)


class Vocabulary:
    """An immutable list of V distinct words; a word's id is its position (0..V-1).

    ``vocab[i]`` is the word of id ``i``, ``vocab.index(word)`` its id (KeyError if absent),
    ``word in vocab`` and ``len(vocab)`` work as expected, iterating yields the words.
    Two vocabularies are equal when they hold the same words in the same order.
    """

    __slots__ = ("words", "_ids")

    def __init__(self, words: Sequence[str]):
        words = tuple(words)
        bad = next((w for w in words if not isinstance(w, str)), None)
        if bad is not None:
            raise ValueError(f"vocabulary words must be strings, got {bad!r}")
        ids = {w: i for i, w in enumerate(words)}
        if len(ids) != len(words):
            seen: set[str] = set()
            dup = next(w for w in words if w in seen or seen.add(w))
            raise ValueError(f"vocabulary has the word {dup!r} more than once")
        self.words: tuple[str, ...] = words
        self._ids: dict[str, int] = ids

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._ids

    def __getitem__(self, i: int) -> str:
        return self.words[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self.words == other.words

    def __hash__(self) -> int:
        return hash(self.words)

    def __repr__(self) -> str:
        head = ", ".join(map(repr, self.words[:5]))
        return f"Vocabulary([{head}{', ...' if len(self) > 5 else ''}], V={len(self)})"

    def index(self, word: str) -> int:
        """The id of ``word``; raises KeyError if it is not in the vocabulary."""
        return self._ids[word]

    def get(self, word: str, default: int | None = None) -> int | None:
        """The id of ``word``, or ``default`` if it is not in the vocabulary."""
        return self._ids.get(word, default)

    def to_list(self) -> list[str]:
        """The words in id order, as a new list (JSON-serializable)."""
        return list(self.words)


def prune(
    doc_freq: np.ndarray,
    term_freq: np.ndarray,
    n_docs: int,
    config: PruneConfig,
    *,
    words: Sequence[str] | None = None,
) -> np.ndarray:
    """Return the sorted ids of the candidate words kept by ``config``.

    Args:
        doc_freq: shape (V0,), number of documents each candidate word appears in.
        term_freq: shape (V0,), total count of each candidate word in the corpus.
        n_docs: D, the number of documents (fractions are of this number).
        config: the pruning settings (see the module doc).
        words: optional, the V0 candidate words, used to break ``max_vocab`` ties
            alphabetically; without it ties go to the lower id.

    Returns:
        int64 array of kept ids into the candidates, ascending; it may be empty (the caller
        reports that, see :func:`lda_vi.io.corpus.build_corpus`).
    """
    doc_freq = np.asarray(doc_freq)
    term_freq = np.asarray(term_freq)
    if doc_freq.ndim != 1 or doc_freq.shape != term_freq.shape:
        raise ValueError(
            f"doc_freq and term_freq must be 1-D of the same length, "
            f"got shapes {doc_freq.shape} and {term_freq.shape}"
        )
    if words is not None and len(words) != len(doc_freq):
        raise ValueError(f"got {len(words)} words for {len(doc_freq)} candidates")
    if n_docs < 0:
        raise ValueError(f"n_docs must be >= 0, got {n_docs}")
    keep = (doc_freq >= config.min_count(n_docs)) & (doc_freq <= config.max_count(n_docs))
    kept = np.flatnonzero(keep)
    if config.max_vocab is not None and len(kept) > config.max_vocab:
        if words is None:
            tiebreak = kept  # ids ascending
        else:
            tiebreak = np.argsort(np.argsort(np.array([words[i] for i in kept], dtype=object)))
        order = np.lexsort((tiebreak, -term_freq[kept].astype(np.float64)))
        kept = np.sort(kept[order[: config.max_vocab]])
    return kept.astype(np.int64)
