"""Topic labels: the name each topic goes by everywhere, and names made from its words.

A model holds ``labels``, K entries, a label (see :func:`lda_vi.text.seeds.check_label`)
or None. A topic's *name* is its label, or ``topic_k`` when it has none: the
doc-topics CSV header, the topic-words CSV's ``label`` column, the topic table
and the report all use it.

Automatic labels come from a topic's most relevant words (Sievert & Shirley
2014, relevance λ log p(w|k) + (1 − λ) log(p(w|k) / p(w)), λ = 0.6): its most
relevant phrase (a vocabulary term joining words by ``_``, as phrase detection
writes them) when one is among its top few, else its two most relevant words
joined by ``_`` (``iraq_kuwait``). A name already taken gets a suffix ``_2``, ``_3``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from lda_vi.errors import InputError
from lda_vi.text.seeds import DEFAULT_NAME, check_label, check_unique, reads_as_number

RELEVANCE_LAMBDA = 0.6
PHRASE_WINDOW = 3          # a phrase among a topic's 3 most relevant terms names it
_NOT_IN_LABEL = re.compile(r"[^\w.\-]+")


def default_name(k: int) -> str:
    """The name of unlabelled topic k."""
    return f"topic_{k}"


def topic_names(labels: Sequence[str | None] | None, k: int) -> list[str]:
    """Every topic's name: its label, or ``topic_k``."""
    labels = list(labels) if labels is not None else [None] * k
    return [label if label else default_name(j) for j, label in enumerate(labels)]


def check_labels(labels: Sequence[str | None], k: int) -> list[str | None]:
    """K labels (or None), each valid and none twice; InputError otherwise.

    These are a saved model's labels, so one of only digits, refused for new labels
    (:func:`with_label`, seed words), still passes: models saved before that load.
    """
    labels = list(labels)
    if len(labels) != k:
        raise InputError(f"labels must have one entry per topic ({k}), got {len(labels)}")
    checked = [None if label is None
               else check_label(label, f"label of topic {j}", number_ok=True)
               for j, label in enumerate(labels)]
    check_unique(checked)
    return checked


def with_label(labels: Sequence[str | None], topic: int, name: str | None) -> list[str | None]:
    """The labels with topic ``topic`` named ``name`` (None or '' removes its label)."""
    k = len(labels)
    if not isinstance(topic, int | np.integer) or not 0 <= topic < k:
        raise InputError(f"topic must be between 0 and {k - 1} (got {topic})")
    new = list(labels)
    new[topic] = check_label(name, "label") if name else None
    for j, label in enumerate(new):
        if j != topic and label is not None and label == new[topic]:
            raise InputError(f"label {label!r} is already topic {j}'s; choose another")
    return new


def relevance(beta: np.ndarray, p_w: np.ndarray, lam: float = RELEVANCE_LAMBDA) -> np.ndarray:
    """λ log β_kw + (1 − λ) log(β_kw / p_w) for every topic and word (K×V)."""
    with np.errstate(divide="ignore"):
        log_beta = np.log(beta)
        return lam * log_beta + (1.0 - lam) * (log_beta - np.log(p_w)[np.newaxis, :])


def auto_labels(labels: Sequence[str | None], beta: np.ndarray, shares: np.ndarray,
                words: Sequence[str]) -> list[str | None]:
    """Labels with every unlabelled topic named from its most relevant words (module doc).

    ``beta`` K×V topic-word probabilities, ``shares`` K topic shares of the
    tokens (p_w = Σ_k share_k β_kw), ``words`` the V vocabulary terms.
    """
    labels = list(labels)
    p_w = np.maximum(shares @ beta, 1e-300)
    rel = relevance(beta, p_w)
    taken = {label for label in labels if label}
    for k, label in enumerate(labels):
        if label:
            continue
        order = np.argsort(-rel[k], kind="stable")
        terms = [_clean(words[w]) for w in order[:20]]
        terms = [t for t in terms if t]
        phrases = [t for t in terms[:PHRASE_WINDOW] if "_" in t.strip("_")]
        base = phrases[0] if phrases else "_".join(terms[:2]) or default_name(k)
        base = base[:40].strip("_.-") or default_name(k)
        name, n = base, 1
        while name in taken or DEFAULT_NAME.fullmatch(name) or reads_as_number(name):
            n += 1
            name = f"{base[:36]}_{n}"
        labels[k] = check_label(name)
        taken.add(name)
    return labels


def _clean(term: str) -> str:
    """A vocabulary term as label material: spaces to '_', other signs dropped."""
    term = "_".join(term.split())
    return _NOT_IN_LABEL.sub("", term).strip("_.-")
