"""What the report shows, gathered from a fitted model into one JSON-ready dict.

:func:`report_data` computes the page's data (topics, terms, map coordinates,
representative documents and their snippets, the run summary) with the numerics
of :mod:`lda_vi.report.layout`; :func:`read_snippets` reads a model directory's
optional ``snippets.txt``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from lda_vi import __version__
from lda_vi.errors import InputError
from lda_vi.evaluate.coherence import model_coherence, parse_measures
from lda_vi.model.guided import expected_counts
from lda_vi.model.record import coherence_scores
from lda_vi.report.layout import (
    DOCS_PER_TOPIC,
    candidate_terms,
    classical_mds,
    js_distance,
    representative_docs,
    topic_colors,
    word_counts,
)
from lda_vi.report.trends_panel import trends_data

__all__ = ["report_data", "read_snippets", "report_coherence", "number", "SNIPPET_CHARS",
           "SNIPPETS_FILE", "COHERENCE_LABELS"]

#: How the page names the coherence measures (lda_vi.evaluate.coherence.MEASURES).
COHERENCE_LABELS = {"npmi": "NPMI", "umass": "UMass", "c_v": "c_v", "c_npmi": "c_npmi",
                    "c_uci": "c_uci", "u_mass": "u_mass"}

#: Characters of a document's text kept as its snippet.
SNIPPET_CHARS = 200
#: The optional file of snippets in a model directory: line i = the start of document i.
SNIPPETS_FILE = "snippets.txt"


# ----------------------------------------------------------------------- snippets
def _snippet(text: str, chars: int = SNIPPET_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= chars else text[:chars].rstrip() + "…"


def read_snippets(model_dir: str | os.PathLike) -> list[str] | None:
    """The lines of ``DIR/snippets.txt`` (one per training document), or None if absent."""
    path = Path(model_dir) / SNIPPETS_FILE
    if not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.rstrip("\n") for line in handle]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is unreadable ({exc.__class__.__name__})") from None


def _collect_snippets(model, wanted: set[int], documents: Iterable[tuple[str, str]] | None,
                      snippets: Sequence[str] | None, source: str) -> dict[int, str]:
    """Row index → snippet for the ``wanted`` training documents.

    ``documents`` (the training corpus, as (id, text) pairs) are matched to the
    model's documents by id. The corpus is refused when none of its ids is the model's,
    when it holds another number of documents than the model was fitted on (its training
    documents, and those ``fit --holdout`` set aside), or when the token counts in the
    model's vocabulary of the documents shown differ from the model's.
    """
    if documents is None:
        if snippets is None or len(snippets) != len(model.doc_ids):
            return {}
        return {d: _snippet(snippets[d]) for d in wanted}
    rows = {model.doc_ids[d]: d for d in wanted}
    known = set(model.doc_ids)
    texts: dict[int, str] = {}
    n_docs = matched = 0
    for doc_id, text in documents:          # read to the end: the count is checked
        n_docs += 1
        doc_id = str(doc_id)
        matched += doc_id in known
        d = rows.get(doc_id)
        if d is not None and d not in texts:
            texts[d] = text
    if not matched:
        raise InputError(f"none of the documents of {source} has the ids of the model's "
                         "training documents; give the file the model was fitted on")
    _check_document_count(model, n_docs, source)
    order = sorted(texts)
    X, _, _ = model.vectorize([(model.doc_ids[d], texts[d]) for d in order])
    found = np.asarray(X.sum(axis=1)).ravel()
    expected = _doc_lengths(model)[order]
    off = np.abs(found - expected) > np.maximum(2.0, 0.05 * expected)
    if off.sum() * 2 > len(order):
        raise InputError(f"the documents of {source} do not match the model's training "
                         f"documents ({int(off.sum())} of {len(order)} have other word counts); "
                         "give the file the model was fitted on")
    return {d: _snippet(texts[d]) for d in order}


def _check_document_count(model, n_docs: int, source: str) -> None:
    """InputError unless ``source`` holds as many documents as were given to the fit: the
    model's training documents and, after ``fit --holdout``, the held-out ones (their ids
    are in the run record; a record without them leaves the count unchecked)."""
    n_train = len(model.doc_ids)
    held = model.record.heldout
    n_held = len(held.doc_ids) if held is not None and held.doc_ids else 0
    if held is not None and not n_held:
        return
    if n_docs == n_train + n_held:
        return
    fitted = (f"{n_train + n_held:,} ({n_train:,} for training, {n_held:,} held out)"
              if n_held else f"{n_train:,}")
    raise InputError(f"{source} has {n_docs:,} document{'' if n_docs == 1 else 's'} but the "
                     f"model was fitted on {fitted}; give the training documents, the file "
                     "given to fit")


def _doc_lengths(model) -> np.ndarray:
    """Each training document's tokens in the vocabulary: as the fit counted them, or (a
    model saved before lda-vi 0.2 kept them) from γ, Σ_k γ_dk − Σ_k α_k, which is off by the
    change of Σα in the fit's last M-step."""
    tokens = model.doc_tokens
    if tokens is not None and len(tokens) == model.gamma.shape[0]:
        return np.asarray(tokens, dtype=np.float64)
    return np.maximum(model.gamma.sum(axis=1) - float(np.sum(model.alpha)), 0.0)


# ------------------------------------------------------------------- the page's data
def _sig(x: float, digits: int = 4) -> float:
    """x rounded to ``digits`` significant digits (for a compact JSON)."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return 0.0 if not math.isfinite(x) else x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def number(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def report_data(model, *, top_n: int = 30, documents: Iterable[tuple[str, str]] | None = None,
                snippets: Sequence[str] | None = None, source: str = "the given corpus",
                docs_per_topic: int = DOCS_PER_TOPIC, title: str | None = None,
                coherence: dict | None = None, coherence_top_n: int | None = None) -> dict:
    """Everything the report shows, computed from a fitted model (a JSON-ready dict).

    ``documents``: the training corpus as (id, text) pairs (read by
    :func:`lda_vi.io.text_readers.iter_documents`), for the representative documents'
    snippets; or ``snippets``, one per training document in order. Without either,
    documents are shown by id.
    """
    model._require_fitted()
    if top_n < 1:
        raise InputError(f"top_n must be at least 1 (got {top_n})", params=("top_n",))
    K, V = model.lam.shape
    beta = model.beta
    counts = word_counts(model.lam, model.eta)
    total = float(counts.sum())
    p_w = counts / total
    shares = model.topic_shares()
    topic_tokens = shares * total
    dist = js_distance(beta)
    coords = classical_mds(dist)
    colors = topic_colors(K)
    cands = candidate_terms(beta, p_w, top_n, order_by=model.lam)
    term_ids = np.unique(np.concatenate(cands)) if K else np.zeros(0, dtype=np.int64)
    term_index = {int(w): i for i, w in enumerate(term_ids)}
    sstats = np.maximum(expected_counts(model), 0.0)
    seeded = {int(e["topic"]) for e in (model.record.seeds or {}).get("topics", [])}
    label_ids = model.top_word_ids(min(10, V))
    theta = model.theta
    rep = representative_docs(theta, docs_per_topic)
    texts = _collect_snippets(model, {int(d) for d in rep.ravel()}, documents, snippets, source)
    lengths = _doc_lengths(model)
    if coherence is None:
        coherence, coherence_top_n = model.record.coherence, model.record.coherence_top_n
    shown = {m: s for m, s in coherence.items() if len(s.per_topic) == K}
    topics = []
    for k in range(K):
        order = cands[k]
        topics.append({
            "id": k, "label": model.labels[k] if model.labels else None, "seeded": k in seeded,
            "color": colors[k], "share": _sig(shares[k]),
            "tokens": round(float(topic_tokens[k]), 1),
            "x": _sig(coords[k, 0]), "y": _sig(coords[k, 1]),
            "words": [model.vocab[int(w)] for w in label_ids[k]],
            "coherence": [[COHERENCE_LABELS.get(m, m), number(s.per_topic[k])]
                          for m, s in shown.items()],
            "nearest": [int(j) for j in np.argsort(dist[k], kind="stable") if j != k][:3],
            "cand": [[term_index[int(w)], _sig(beta[k, w], 6), round(float(sstats[k, w]), 1)]
                     for w in order],
            "docs": [{"id": model.doc_ids[d], "theta": round(float(theta[d, k]), 3),
                      "tokens": int(round(float(lengths[d]))), "text": texts.get(int(d))}
                     for d in rep[k]],
        })
    return {
        "title": title or "Topic report",
        "summary": _summary(model, shown, coherence_top_n),
        "topN": int(min(top_n, V)),
        "lambda": 1.0,
        "terms": [model.vocab[int(w)] for w in term_ids],
        "termCount": [round(float(counts[w]), 1) for w in term_ids],
        "totalTokens": round(total, 1),
        "topics": topics,
        "hasSnippets": bool(texts),
        "elbo": [float(e) for e in model.record.elbo],
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "trends": trends_data(model, colors),      # drawn as SVG, not sent to the script
    }


def _summary(model, coherence: dict, coherence_top_n: int | None) -> dict:
    """The run's figures for the summary cards, from the run record (missing ones: None)."""
    r = model.record
    settings, corpus = r.settings, r.corpus
    alpha = np.asarray(model.alpha, dtype=np.float64)
    held = r.heldout
    return {
        "documents": corpus.get("documents", len(model.doc_ids)),
        "empty_documents": corpus.get("empty_documents"),
        "words": corpus.get("words", len(model.vocab)),
        "tokens": corpus.get("tokens"),
        "k": int(model.k),
        "alpha_learned": settings.get("alpha", model.settings.alpha) == "auto",
        "alpha_mean": float(alpha.mean()), "alpha_min": float(alpha.min()),
        "alpha_max": float(alpha.max()),
        "eta_learned": settings.get("eta", model.settings.eta) == "auto",
        "eta": float(model.eta),
        "iterations": r.iterations if r.iterations is not None else len(r.elbo),
        "max_iter": settings.get("max_iter"),
        "tol": settings.get("tol"),
        "converged": r.converged,
        "stop_reason": r.stop_reason,
        "fit_seconds": number(r.fit_seconds),
        "seed": settings.get("seed"),
        "input": r.input,
        "heldout": None if held is None else {
            "fraction": held.fraction, "documents": held.documents, "tokens": held.tokens,
            "bound_per_word": held.per_word_bound, "bound_perplexity": held.bound_perplexity,
            "completion_perplexity": held.completion_perplexity},
        "coherence": [[COHERENCE_LABELS.get(m, m), number(s.mean)] for m, s in coherence.items()],
        "coherence_top_n": coherence_top_n if coherence else None,
    }



def report_coherence(model, measures: Sequence[str] | None = None, top_n: int | None = None,
                     documents: Sequence[tuple[str, str]] | None = None
                     ) -> tuple[dict, int | None]:
    """The coherence the page shows: ``({measure: CoherenceScore}, top_n)``.

    The measures recorded in the run (all of them when ``measures`` is None); those it lacks,
    or all when ``top_n`` differs from the recorded one, are scored over ``documents`` (the
    training corpus, as (id, text) pairs).
    """
    record = model.record
    measures = parse_measures(measures) if measures is not None else tuple(record.coherence)
    top_n = int(top_n if top_n is not None else record.coherence_top_n or 10)
    fresh = top_n != record.coherence_top_n
    missing = [m for m in measures if fresh or m not in record.coherence]
    if not missing:
        return {m: record.coherence[m] for m in measures}, top_n
    if documents is None:
        held = ", ".join(record.coherence) or "none"
        raise InputError(f"the run records the coherence of the top {record.coherence_top_n} "
                         f"words ({held}); give documents, the training corpus, to score "
                         f"{', '.join(missing)} of the top {top_n} words", params=("documents",))
    documents = list(documents)
    X, _, _ = model.vectorize(documents)
    scores = model_coherence(model, missing, top_n, X=X, texts=[t for _, t in documents])
    new = coherence_scores(scores)
    return {m: new[m] if m in new else record.coherence[m] for m in measures}, top_n
