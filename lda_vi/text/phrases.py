"""Phrases: word sequences that go together ("new_york", "bank_of_america"), learned and applied.

Works on documents given as *word lists*: the words of a text before stopword removal and
length filtering, with ``None`` where punctuation or a number stood (a phrase never spans
one). See :meth:`lda_vi.text.tokenize.Tokenizer.words`.

A *span* is a word ``a``, then at most :data:`MAX_CONNECTORS` connector words of the
language (articles, prepositions: "of", "de la"), then a word ``b``; ``a`` and ``b`` are not
connectors, so a connector may stand inside a phrase but never at its ends. Other stopwords
may open or close a phrase ("new_york": "new" is an English stopword), but not both ends.

:func:`find_phrases` counts the spans of a corpus with an nltk ``BigramCollocationFinder``
whose n-grams are the spans, and scores each span from the counts of the span (n_ii), of
``a`` (n_ix), of ``b`` (n_xi) and of all words (n_xx), with nltk's association measures:

* ``llr``: ``BigramAssocMeasures.likelihood_ratio``, Dunning's log-likelihood ratio;
* ``npmi``: normalized PMI (Bouma 2009), ``pmi / -log2(n_ii / n_xx)`` with nltk's ``pmi``,
  in [-1, 1]: 1 for words seen only together, 0 for independent ones.

Spans seen at least ``min_count`` times and scoring at least ``threshold`` are phrases.
:func:`apply_phrases` rewrites a word list left to right, joining each phrase found into one
word with ``_``. A second pass over rewritten text finds longer phrases ("new_york_city").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from lda_vi.text.segmenters import is_cjk_word

__all__ = ["MAX_CONNECTORS", "Phrase", "apply_phrases", "find_phrases", "npmi", "score_function"]

#: The most connector words inside one span ("ministre de la justice" has two).
MAX_CONNECTORS = 2
#: One learned phrase: its words, its score and its number of occurrences.
Phrase = tuple[tuple[str, ...], float, int]
WordList = Sequence[str | None]


def npmi(n_ii: float, n_ix_xi: tuple[float, float], n_xx: float) -> float:
    """Normalized pointwise mutual information of a pair, from nltk's ``pmi``: in [-1, 1]."""
    from nltk.metrics import BigramAssocMeasures

    if n_ii >= n_xx:
        return 1.0
    return BigramAssocMeasures.pmi(n_ii, n_ix_xi, n_xx) / -math.log2(n_ii / n_xx)


def score_function(scoring: str) -> Callable:
    """The ``score(n_ii, (n_ix, n_xi), n_xx)`` function of "npmi" or "llr"."""
    if scoring == "npmi":
        return npmi
    if scoring == "llr":
        from nltk.metrics import BigramAssocMeasures

        return BigramAssocMeasures.likelihood_ratio
    raise ValueError(f"phrase scoring must be npmi or llr, not {scoring!r}")


def _spans(words: WordList, connectors: frozenset[str]):
    """Yield ``(i, j)``: words[i] and words[j] are the ends of a span (j > i)."""
    n = len(words)
    for i, a in enumerate(words):
        if a is None or a in connectors:
            continue
        j = i + 1
        while j < n and j - i - 1 <= MAX_CONNECTORS and words[j] is not None \
                and words[j] in connectors:
            j += 1
        if j < n and j - i - 1 <= MAX_CONNECTORS and words[j] is not None:
            yield i, j


def _finder(documents: Iterable[WordList], connectors: frozenset[str]):
    """An nltk BigramCollocationFinder over the spans of ``documents``."""
    from nltk.collocations import BigramCollocationFinder
    from nltk.probability import FreqDist

    class SpanFinder(BigramCollocationFinder):
        """A bigram finder whose n-grams are spans (a, connectors..., b), scored by a, b."""

        def score_ngram(self, score_fn, *span):
            n_ii = self.ngram_fd[span]
            if not n_ii:
                return None
            return score_fn(n_ii, (self.word_fd[span[0]], self.word_fd[span[-1]]), self.N)

    word_fd, span_fd = FreqDist(), FreqDist()
    for words in documents:
        word_fd.update(w for w in words if w is not None)
        span_fd.update(tuple(words[i:j + 1]) for i, j in _spans(words, connectors))
    return SpanFinder(word_fd, span_fd)


def find_phrases(documents: Iterable[WordList], *, connectors: frozenset[str],
                 stopwords: frozenset[str], scoring: str, threshold: float,
                 min_count: int) -> tuple[Phrase, ...]:
    """Learn the phrases of one pass over ``documents`` (word lists, see the module doc).

    A span whose two ends are both stopwords ("would_be"), or one of whose ends is a single
    letter of an alphabet, is never a phrase. Returns the
    phrases sorted by score, best first (ties: more frequent first, then alphabetical).
    """
    finder = _finder(documents, connectors)
    finder.apply_freq_filter(min_count)
    finder.apply_ngram_filter(lambda *span: (span[0] in stopwords and span[-1] in stopwords)
                              or _initial(span[0]) or _initial(span[-1]))
    found = [(span, float(score), int(finder.ngram_fd[span]))
             for span, score in finder.score_ngrams(score_function(scoring))
             if score >= threshold]
    found.sort(key=lambda p: (-p[1], -p[2], p[0]))
    return tuple(found)


def _initial(word: str) -> bool:
    """A one-letter word of an alphabet ("s" of "Mikhail S. Gorbachev"): no phrase end."""
    return len(word) == 1 and not is_cjk_word(word)


def phrase_index(phrases: Iterable[Phrase]) -> frozenset[tuple[str, ...]]:
    """The set of the word tuples of ``phrases``, for :func:`apply_phrases`."""
    return frozenset(words for words, _, _ in phrases)


def apply_phrases(words: WordList, index: frozenset[tuple[str, ...]],
                  connectors: frozenset[str]) -> list[str | None]:
    """Rewrite ``words`` left to right, joining each span in ``index`` with "_"."""
    if not index:
        return list(words)
    out: list[str | None] = []
    n, i = len(words), 0
    while i < n:
        a = words[i]
        if a is not None and a not in connectors:
            j = i + 1
            while j < n and j - i - 1 <= MAX_CONNECTORS and words[j] is not None \
                    and words[j] in connectors:
                j += 1
            if j < n and words[j] is not None:
                span = tuple(words[i:j + 1])
                if span in index:
                    out.append("_".join(span))
                    i = j + 1
                    continue
        out.append(a)
        i += 1
    return out
