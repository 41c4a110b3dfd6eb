"""The run record: what a fit did and scored, typed and versioned; ``run.json`` on disk.

One :class:`RunRecord` is written by :meth:`LDA.save <lda_vi.model.lda.LDA.save>` (library) and
by ``lda-vi fit -o DIR`` (CLI) alike, with the same keys, and read back by the report and the
plots. The held-out figures share one schema, :class:`Results`, with ``lda-vi evaluate --json``
and ``lda-vi sweep --json`` (docs/results.md):

* ``documents``, ``tokens`` (tokens in the model's vocabulary), ``oov_tokens`` (ignored);
* ``per_word_bound`` (nats per token), ``bound_perplexity`` = exp(−bound/tokens),
  ``completion_perplexity`` = exp(−log-likelihood of the second halves / their tokens);
* ``coherence``: ``{measure: {"mean": x, "per_topic": [...]}}``.

Units: nats, natural logarithms. Numbers that are not finite are written as ``null``.

Schema versions: 1 is the untyped ``run.json`` of lda-vi 0.1.0 (no ``schema_version`` key);
2 is this one. :meth:`RunRecord.from_json` reads both.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

SCHEMA = "lda-vi-run"
SCHEMA_VERSION = 2
RESULTS_SCHEMA = "lda-vi-results"

UNITS = ("nats (natural log): bound in nats, per_word_bound in nats per token; "
         "bound_perplexity = exp(-bound / tokens); completion_perplexity = "
         "exp(-log-likelihood of the second halves / their tokens)")


def json_number(x: Any) -> float | None:
    """A float for JSON: NaN and infinities (and None) become null."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def versions() -> dict:
    """Versions of lda-vi and the packages that shape its results."""
    from importlib import metadata

    from lda_vi import __version__

    out = {"lda_vi": __version__}
    for name in ("numpy", "scipy", "numba", "click", "nltk"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _numbers(values) -> list[float | None]:
    return [json_number(v) for v in values]


def _take(cls, data: dict) -> dict:
    """The entries of ``data`` that are fields of the dataclass ``cls``."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass
class CoherenceScore:
    """One coherence measure of every topic's top words, and its mean over topics."""

    mean: float | None
    per_topic: list[float | None]

    @classmethod
    def of(cls, values) -> CoherenceScore:
        values = np.asarray(values, dtype=np.float64)
        mean = values.mean() if values.size else float("nan")
        return cls(mean=json_number(mean), per_topic=_numbers(values))

    def to_dict(self) -> dict:
        return {"mean": json_number(self.mean), "per_topic": _numbers(self.per_topic)}


def coherence_scores(scores: dict) -> dict[str, CoherenceScore]:
    """``{measure: array of K}`` (``evaluate.heldout.coherence``) as :class:`CoherenceScore`."""
    return {measure: CoherenceScore.of(values) for measure, values in scores.items()}


def _read_coherence(data: Any) -> dict[str, CoherenceScore]:
    """``{measure: {"mean", "per_topic"}}``; also the 0.1.0 layout (``npmi_mean``, ``npmi``)."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for measure, value in data.items():
        if isinstance(value, dict) and "per_topic" in value:
            out[measure] = CoherenceScore(mean=json_number(value.get("mean")),
                                          per_topic=_numbers(value["per_topic"]))
        elif isinstance(value, list) and f"{measure}_mean" in data:        # schema 1
            out[measure] = CoherenceScore(mean=json_number(data[f"{measure}_mean"]),
                                          per_topic=_numbers(value))
    return out


@dataclass
class Results:
    """The figures of one model on one set of documents: the shared result schema."""

    documents: int
    tokens: int
    oov_tokens: int
    per_word_bound: float | None
    bound_perplexity: float | None
    completion_perplexity: float | None
    coherence: dict[str, CoherenceScore] = field(default_factory=dict)
    coherence_top_n: int | None = None
    coherence_reference: str | None = None
    bound: float | None = None
    completion_log_likelihood: float | None = None
    completion_tokens: int | None = None
    units: str = UNITS

    @classmethod
    def of(cls, figures, oov_tokens: int, scores: dict | None = None, top_n: int | None = None,
           reference: str | None = None) -> Results:
        """From :class:`~lda_vi.evaluate.heldout.HeldoutFigures` and coherence scores."""
        return cls(documents=int(figures.documents), tokens=int(figures.tokens),
                   oov_tokens=int(oov_tokens), per_word_bound=json_number(figures.bound_per_word),
                   bound_perplexity=json_number(figures.bound_perplexity),
                   completion_perplexity=json_number(figures.completion_perplexity),
                   coherence=coherence_scores(scores or {}),
                   coherence_top_n=top_n if scores else None,
                   coherence_reference=reference if scores else None,
                   bound=json_number(figures.bound),
                   completion_log_likelihood=json_number(figures.completion_log_likelihood),
                   completion_tokens=int(figures.completion_tokens))

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["coherence"] = {m: s.to_dict() for m, s in self.coherence.items()}
        for key in ("per_word_bound", "bound_perplexity", "completion_perplexity", "bound",
                    "completion_log_likelihood"):
            out[key] = json_number(out[key])
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Results:
        data = dict(data)
        if "bound_per_word" in data:                                  # schema 1 names
            data.setdefault("per_word_bound", data["bound_per_word"])
        if "out_of_vocabulary_tokens" in data:
            data.setdefault("oov_tokens", data["out_of_vocabulary_tokens"])
        data["coherence"] = _read_coherence(data.get("coherence"))
        for key in ("documents", "tokens", "oov_tokens"):
            data.setdefault(key, None)
        for key in ("per_word_bound", "bound_perplexity", "completion_perplexity"):
            data.setdefault(key, None)
        data["units"] = UNITS
        return cls(**_take(cls, data))


def results_json(results: Results, **context) -> str:
    """One :class:`Results` as a JSON document (``evaluate --json``), with its ``context``
    (model directory, documents, seed...) before the figures."""
    document = {"schema": RESULTS_SCHEMA, "schema_version": SCHEMA_VERSION, **context,
                **results.to_dict()}
    return json.dumps(document, indent=2) + "\n"


@dataclass
class Heldout(Results):
    """``fit --holdout``: the held-out documents' :class:`Results`, and how they were chosen."""

    fraction: float | None = None
    seed: int | None = None
    doc_ids: list[str] = field(default_factory=list)
    during_fit: list[dict] | None = None
    during_fit_seconds: float | None = None


@dataclass
class RunRecord:
    """Everything ``run.json`` holds about a fit (keys: docs/results.md)."""

    method: str = "batch"
    inference: str = "vb"
    input: str | None = None
    corpus: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    tokenizer: dict = field(default_factory=dict)
    prune: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    engine: dict | None = None
    # the fit: batch EM fills the trace, online VB the update counts
    elbo: list[float] = field(default_factory=list)
    converged: bool | None = None
    stop_reason: str | None = None
    iterations: int | None = None
    seconds_per_iteration: list[float] = field(default_factory=list)
    mean_inner_iterations: list[float] = field(default_factory=list)
    updates: int | None = None
    documents_seen: int | None = None
    per_word_bound: list[float] | None = None          # online: per update, nats/token
    seconds_per_update: list[float] = field(default_factory=list)
    fit_seconds: float | None = None
    # CVB0 only: the per-token training log-likelihood per sweep, memory, clipped counts
    train_loglik_per_token: list[float] = field(default_factory=list)
    memory_estimate_bytes: int | None = None
    stale_counts: int | None = None
    alpha: list[float] = field(default_factory=list)
    eta: float | None = None
    covariates: dict | None = None        # names, design columns and W (MATH.md C1)
    # guided topics: every topic's label (None: unlabelled), and the seed words' prior
    labels: list[str | None] = field(default_factory=list)
    seeds: dict | None = None
    # scores: coherence over the training documents, and the held-out documents' figures
    coherence: dict[str, CoherenceScore] = field(default_factory=dict)
    coherence_top_n: int | None = None
    coherence_reference: str | None = None
    heldout: Heldout | None = None
    units: str = UNITS
    extra: dict = field(default_factory=dict)     # keys this version does not know, kept

    @property
    def seed(self) -> int | None:
        return self.settings.get("seed")

    def record_batch_fit(self, result, *, settings: dict, tokenizer: dict, prune: dict,
                         seconds: float, corpus) -> None:
        """What every batch fit (VB or CVB0) records: its settings, tokenizer and pruning,
        the versions, the trace and why it stopped, α and η, and the corpus's size when no
        reader gave it. ``result`` is the engine's result (an EM or CVB0 result), ``corpus``
        the fitted :class:`lda_vi.engine.layout.CorpusArrays`."""
        self.method, self.settings = "batch", settings
        self.tokenizer, self.prune = tokenizer, prune
        self.versions, self.elbo, self.converged = versions(), result.elbo, result.converged
        self.stop_reason, self.iterations = result.stop_reason, result.n_iter
        self.seconds_per_iteration, self.mean_inner_iterations = result.seconds, result.mean_inner
        self.fit_seconds, self.alpha, self.eta = seconds, result.alpha.tolist(), result.eta
        if not self.corpus:
            self.corpus = {"documents": corpus.n_docs, "words": corpus.n_words,
                           "tokens": int(corpus.data.sum())}

    def set_coherence(self, scores: dict, top_n: int, reference: str) -> None:
        """Record ``{measure: K values}`` over ``reference`` documents (top ``top_n`` words)."""
        self.coherence = coherence_scores(scores)
        self.coherence_top_n, self.coherence_reference = int(top_n), reference

    def to_dict(self) -> dict:
        out = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION}
        for f in fields(self):
            if f.name != "extra":
                out[f.name] = getattr(self, f.name)
        out["coherence"] = {m: s.to_dict() for m, s in self.coherence.items()}
        out["heldout"] = None if self.heldout is None else self.heldout.to_dict()
        out["fit_seconds"] = json_number(self.fit_seconds)
        return {**self.extra, **out}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> RunRecord:
        """A record from a ``run.json`` object of any schema version (unknown keys kept)."""
        if not isinstance(data, dict):
            return cls()
        data = dict(data)
        version = data.pop("schema_version", 1)
        data.pop("schema", None)
        if version == 1:
            legacy = data.get("coherence")
            if isinstance(legacy, dict):
                data.setdefault("coherence_top_n", legacy.get("top_n"))
                data.setdefault("coherence_reference", legacy.get("reference"))
            if "updates" in data:
                data.setdefault("method", "online")
        data["coherence"] = _read_coherence(data.get("coherence"))
        held = data.get("heldout")
        data["heldout"] = Heldout.from_dict(held) if isinstance(held, dict) else None
        data["units"] = UNITS
        known = _take(cls, data)
        known["extra"] = {k: v for k, v in data.items() if k not in known and k != "extra"}
        return cls(**known)

    @classmethod
    def from_json(cls, text: str) -> RunRecord:
        return cls.from_dict(json.loads(text))
