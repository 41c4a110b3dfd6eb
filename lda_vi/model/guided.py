"""Guided topics on a model: its seed words as the engine's prior, and what a fit records.

A model's ``settings.seed_words`` ({label: [words]}, in order) name its first
topics; each seed word goes through the model's own tokenizer and is looked up
in the corpus's vocabulary (:func:`lda_vi.text.seeds.resolve_seeds`). Words
left out are reported in one warning; a seeded topic with none left is an error.
The prior is η_kw = η + s [w ∈ S_k], s = ``settings.seed_strength`` (MATH.md S1).
"""

from __future__ import annotations

import warnings

import numpy as np

from lda_vi.engine.seeds import SeedPrior
from lda_vi.errors import InputError
from lda_vi.text.seeds import ResolvedSeeds, missing_warning, resolve_seeds, seeds_from_mapping
from lda_vi.text.tokenize import Tokenizer
from lda_vi.text.vocabulary import Vocabulary


class SeedWordsWarning(UserWarning):
    """Seed words not in the corpus's vocabulary were left out."""


def seed_prior(model, vocab: Vocabulary | None, n_words: int
               ) -> tuple[SeedPrior | None, ResolvedSeeds | None]:
    """The prior (S1) of ``model``'s seed words over ``vocab`` (None, None without seeds)."""
    s = model.settings
    if not s.seed_words:
        return None, None
    if vocab is None:
        raise InputError("seed_words need the vocabulary of the counts: fit text, or pass "
                         "vocab= to fit_counts", params=("seed_words",))
    resolved = resolve_seeds(seeds_from_mapping(s.seed_words),
                             Tokenizer(model.tokenizer_config), vocab.get)
    if resolved.missing:
        warnings.warn(missing_warning(resolved.missing), SeedWordsWarning, stacklevel=4)
    prior = SeedPrior.from_lists(resolved.ids, s.k, n_words, s.seed_strength)
    return prior, resolved


def seeded_labels(resolved: ResolvedSeeds | None, k: int) -> list[str | None]:
    """The labels after a fit: the seeded topics' first, in order, then unlabelled ones."""
    labels = list(resolved.labels) if resolved is not None else []
    return labels + [None] * (k - len(labels))


def seed_record(resolved: ResolvedSeeds | None, strength: float) -> dict | None:
    """What ``run.json`` records of the seeds: strength, each topic's seed terms, missing."""
    if resolved is None:
        return None
    return {"strength": strength,
            "topics": [{"topic": k, "label": label, "terms": terms}
                       for k, (label, terms) in enumerate(zip(resolved.labels, resolved.terms,
                                                              strict=True))],
            "missing": list(resolved.missing)}


def guide(model, n_words: int) -> SeedPrior | None:
    """Before a fit: ``model``'s seed prior (or None), its labels and their record."""
    prior, resolved = seed_prior(model, model.vocab, n_words)
    model.labels = seeded_labels(resolved, model.k)
    model.record.seeds = seed_record(resolved, model.settings.seed_strength)
    model.record.labels = list(model.labels)
    return prior


def expected_counts(model) -> np.ndarray:
    """λ − η_k·: each topic's expected word counts S (K×V), the prior taken out (E5, S1)."""
    counts = model.lam - float(model.eta)
    seeds = model.record.seeds or {}
    for entry in seeds.get("topics", []):
        ids = [model.vocab.get(w) for w in entry.get("terms", [])]
        counts[int(entry["topic"]), [i for i in ids if i is not None]] -= seeds["strength"]
    return counts
