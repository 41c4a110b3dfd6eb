"""A self-contained HTML report of a fitted model: the numerics and the page.

Shapes: D documents, V words (the vocabulary), K topics.

The numerics are pure functions over arrays:

- :func:`js_distance`: Jensen–Shannon distances between the topics (K×K);
- :func:`classical_mds`: Torgerson's classical multidimensional scaling of a
  distance matrix (the intertopic map);
- :func:`relevance` and :func:`rank_terms`: the relevance of Sievert & Shirley
  (2014), ``λ log p(w|k) + (1 − λ) log(p(w|k) / p(w))``;
- :func:`candidate_terms`: for each topic the words that reach its top N for
  some λ on a grid (the page's slider ranks these, in JavaScript);
- :func:`word_counts`: each word's count in the training corpus, ``Σ_k (λ_kw − η)``.

:func:`report_data` gathers what the page shows from an :class:`~lda_vi.model.lda.LDA`;
:func:`render_html` makes the page (inline CSS and JavaScript, no network);
:func:`write_report` does both and writes the file atomically.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from lda_vi import __version__
from lda_vi.errors import InputError
from lda_vi.io.atomic import atomic_write_text
from lda_vi.report.assets import CSS, JS

__all__ = ["js_distance", "classical_mds", "relevance", "rank_terms", "candidate_terms",
           "word_counts", "topic_colors", "representative_docs", "read_snippets",
           "report_data", "render_html", "write_report", "SNIPPET_CHARS", "LAMBDA_GRID"]

#: Characters of a document's text kept as its snippet.
SNIPPET_CHARS = 200
#: The λ values at which each topic's top terms are taken into its candidate set.
LAMBDA_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)
#: Representative documents shown per topic.
DOCS_PER_TOPIC = 8
#: The optional file of snippets in a model directory: line i = the start of document i.
SNIPPETS_FILE = "snippets.txt"


# ---------------------------------------------------------------------------- numerics
def js_distance(P: np.ndarray) -> np.ndarray:
    """Jensen–Shannon distances between the rows of P (K×V distributions): K×K.

    The distance is √JSD with JSD in bits, so it lies in [0, 1]: 0 for identical
    topics, 1 for topics with disjoint words. Symmetric, zero on the diagonal.
    """
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError("js_distance expects a K×V matrix of distributions")
    P = P / P.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log2(P), 0.0)
    neg_entropy = plogp.sum(axis=1)                       # −H(P_k)
    K = P.shape[0]
    D = np.zeros((K, K))
    for i in range(K - 1):
        M = 0.5 * (P[i] + P[i + 1:])                      # (K−i−1)×V
        with np.errstate(divide="ignore", invalid="ignore"):
            mlogm = np.where(M > 0, M * np.log2(M), 0.0).sum(axis=1)
        jsd = 0.5 * (neg_entropy[i] + neg_entropy[i + 1:]) - mlogm   # H(M) − mean H(P)
        D[i, i + 1:] = np.sqrt(np.clip(jsd, 0.0, 1.0))
    return D + D.T


def classical_mds(D: np.ndarray, dim: int = 2) -> np.ndarray:
    """Classical (Torgerson) MDS: K×dim coordinates whose distances approximate D.

    B = −½ J D² J with J the centring matrix; the coordinates are the top ``dim``
    eigenvectors of B scaled by the square roots of their eigenvalues (negative
    eigenvalues, from non-Euclidean distances, count as 0). Exact, up to rotation
    and reflection, when D is Euclidean in ``dim`` dimensions. Each axis is oriented
    so that its largest coordinate in absolute value is positive (deterministic).
    """
    D = np.asarray(D, dtype=np.float64)
    K = D.shape[0]
    if D.shape != (K, K):
        raise ValueError("classical_mds expects a square distance matrix")
    coords = np.zeros((K, dim))
    if K < 2:
        return coords
    J = np.eye(K) - 1.0 / K
    B = -0.5 * J @ (D ** 2) @ J
    B = 0.5 * (B + B.T)
    values, vectors = np.linalg.eigh(B)
    order = np.argsort(values)[::-1][:dim]
    for j, idx in enumerate(order):
        axis = vectors[:, idx] * math.sqrt(max(values[idx], 0.0))
        if np.any(axis):
            axis = axis if axis[np.argmax(np.abs(axis))] >= 0 else -axis
        coords[:, j] = axis
    return coords


def relevance(p_wk: np.ndarray, p_w: np.ndarray, lam: float) -> np.ndarray:
    """Sievert & Shirley's relevance λ log p(w|k) + (1 − λ) log(p(w|k) / p(w)).

    ``p_wk``: p(w|k) (V, or K×V); ``p_w``: the words' overall probabilities (V);
    ``lam`` in [0, 1]: 1 ranks by p(w|k), 0 by lift p(w|k)/p(w).
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"relevance: λ must be in [0, 1], got {lam}")
    log_p = np.log(p_wk)
    return lam * log_p + (1.0 - lam) * (log_p - np.log(p_w))


def rank_terms(p_wk: np.ndarray, p_w: np.ndarray, lam: float, n: int | None = None
               ) -> np.ndarray:
    """Word ids of one topic by decreasing relevance (ties: higher p(w|k), then lower id)."""
    p_wk = np.asarray(p_wk, dtype=np.float64)
    rel = relevance(p_wk, p_w, lam)
    order = np.lexsort((np.arange(p_wk.size), -p_wk, -rel))
    return order if n is None else order[:n]


def candidate_terms(beta: np.ndarray, p_w: np.ndarray, n: int,
                    grid: Sequence[float] = LAMBDA_GRID,
                    order_by: np.ndarray | None = None) -> list[np.ndarray]:
    """For each topic, the word ids in its top ``n`` by relevance at some λ of ``grid``.

    Returned sorted by decreasing p(w|k) (or decreasing ``order_by``, K×V, e.g. λ,
    so that ties fall as in :meth:`LDA.top_word_ids`), then increasing id. The page
    ranks only these, so its ranking is exact at the grid's λ values (steps of 0.05
    by default) and a close approximation between them.
    """
    beta = np.asarray(beta, dtype=np.float64)
    K, V = beta.shape
    n = max(1, min(int(n), V))
    log_beta = np.log(beta)
    log_lift = log_beta - np.log(p_w)[None, :]
    chosen = [set() for _ in range(K)]
    for lam in grid:
        rel = lam * log_beta + (1.0 - lam) * log_lift
        # every word at least as relevant as the n-th: words tied with it are all kept,
        # so the page can break the tie exactly as the Python ranking does
        cutoff = np.partition(-rel, n - 1, axis=1)[:, n - 1] if n < V else np.full(K, np.inf)
        for k in range(K):
            chosen[k].update(np.flatnonzero(-rel[k] <= cutoff[k]).tolist())
    key = beta if order_by is None else np.asarray(order_by)
    out = []
    for k in range(K):
        ids = np.fromiter(chosen[k], dtype=np.int64)
        out.append(ids[np.lexsort((ids, -key[k, ids]))])
    return out


def word_counts(lam: np.ndarray, eta: float) -> np.ndarray:
    """Each word's count in the training corpus, Σ_k (λ_kw − η) (V, floats ≥ 0).

    λ_kw = η + Σ_d n_dw φ_dwk and Σ_k φ_dwk = 1, so the sum is the count n_w;
    when η was learned, λ holds the η of the last M-step but one, so the
    figure is close, not exact (clipped at a small positive floor).
    """
    counts = np.asarray(lam, dtype=np.float64).sum(axis=0) - lam.shape[0] * float(eta)
    return np.maximum(counts, 1e-3)


def topic_colors(k: int) -> list[str]:
    """K distinct colours (hex): a categorical palette up to 10, golden-angle hues beyond."""
    base = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac"]
    if k <= len(base):
        return base[:k]
    colors = []
    for i in range(k):
        hue = (i * 137.508) % 360.0
        light = (0.45, 0.58, 0.38)[i % 3]
        colors.append(_hsl_to_hex(hue, 0.62, light))
    return colors


def _hsl_to_hex(h: float, s: float, l: float) -> str:  # noqa: E741 (the usual name)
    c = (1 - abs(2 * l - 1)) * s
    x = c * (1 - abs((h / 60.0) % 2 - 1))
    m = l - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#" + "".join(f"{round((v + m) * 255):02x}" for v in (r, g, b))


def representative_docs(theta: np.ndarray, n: int = DOCS_PER_TOPIC) -> np.ndarray:
    """K×n row indices of the documents with the highest θ_dk, highest first (ties: lower d)."""
    theta = np.asarray(theta, dtype=np.float64)
    D, K = theta.shape
    n = max(0, min(int(n), D))
    order = np.lexsort((np.tile(np.arange(D)[:, None], (1, K)), -theta), axis=0)
    return order[:n].T.copy()


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
    model's documents by id; their token counts in the model's vocabulary are
    checked against the model's (from γ), so that another corpus is refused.
    """
    if documents is None:
        if snippets is None or len(snippets) != len(model.doc_ids):
            return {}
        return {d: _snippet(snippets[d]) for d in wanted}
    rows = {model.doc_ids[d]: d for d in wanted}
    texts: dict[int, str] = {}
    for doc_id, text in documents:
        d = rows.get(str(doc_id))
        if d is not None:
            texts[d] = text
            if len(texts) == len(rows):
                break
    if not texts:
        raise InputError(f"none of the documents of {source} has the ids of the model's "
                         "training documents; give the file the model was fitted on")
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


def _doc_lengths(model) -> np.ndarray:
    """Each training document's tokens in the vocabulary, from γ: Σ_k γ_dk − Σ_k α_k."""
    return np.maximum(model.gamma.sum(axis=1) - float(np.sum(model.alpha)), 0.0)


# ------------------------------------------------------------------- the page's data
def _sig(x: float, digits: int = 4) -> float:
    """x rounded to ``digits`` significant digits (for a compact JSON)."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return 0.0 if not math.isfinite(x) else x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def _number(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def report_data(model, *, top_n: int = 30, documents: Iterable[tuple[str, str]] | None = None,
                snippets: Sequence[str] | None = None, source: str = "--docs",
                docs_per_topic: int = DOCS_PER_TOPIC, title: str | None = None) -> dict:
    """Everything the report shows, computed from a fitted model (a JSON-ready dict).

    ``documents``: the training corpus as (id, text) pairs (``read_documents``), for
    the representative documents' snippets; or ``snippets``, one per training
    document in order. Without either, documents are shown by id.
    """
    model._require_fitted()
    if top_n < 1:
        raise InputError(f"--top-n must be at least 1 (got {top_n})")
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
    sstats = np.maximum(model.lam - float(model.eta), 0.0)
    label_ids = model.top_word_ids(min(10, V))
    theta = model.theta
    rep = representative_docs(theta, docs_per_topic)
    texts = _collect_snippets(model, {int(d) for d in rep.ravel()}, documents, snippets, source)
    lengths = _doc_lengths(model)
    coherence = model.run_info.get("coherence") or {}
    npmi = coherence.get("npmi") if isinstance(coherence.get("npmi"), list) else None
    topics = []
    for k in range(K):
        order = cands[k]
        topics.append({
            "id": k, "color": colors[k], "share": _sig(shares[k]),
            "tokens": round(float(topic_tokens[k]), 1),
            "x": _sig(coords[k, 0]), "y": _sig(coords[k, 1]),
            "words": [model.vocab[int(w)] for w in label_ids[k]],
            "npmi": _number(npmi[k]) if npmi and len(npmi) == K else None,
            "nearest": [int(j) for j in np.argsort(dist[k], kind="stable") if j != k][:3],
            "cand": [[term_index[int(w)], _sig(beta[k, w], 6), round(float(sstats[k, w]), 1)]
                     for w in order],
            "docs": [{"id": model.doc_ids[d], "theta": round(float(theta[d, k]), 3),
                      "tokens": int(round(float(lengths[d]))), "text": texts.get(int(d))}
                     for d in rep[k]],
        })
    return {
        "title": title or "Topic report",
        "summary": _summary(model),
        "topN": int(min(top_n, V)),
        "lambda": 1.0,
        "terms": [model.vocab[int(w)] for w in term_ids],
        "termCount": [round(float(counts[w]), 1) for w in term_ids],
        "totalTokens": round(total, 1),
        "topics": topics,
        "hasSnippets": bool(texts),
        "elbo": [float(e) for e in model.run_info.get("elbo", [])],
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
    }


def _summary(model) -> dict:
    """The run's figures for the summary cards, from ``run_info`` (missing ones: None)."""
    info = model.run_info or {}
    settings = info.get("settings") or {}
    corpus = info.get("corpus") or {}
    alpha = np.asarray(model.alpha, dtype=np.float64)
    heldout = info.get("heldout") if isinstance(info.get("heldout"), dict) else None
    coherence = info.get("coherence") if isinstance(info.get("coherence"), dict) else None
    elbo = info.get("elbo") or []
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
        "iterations": info.get("iterations", len(elbo)),
        "max_iter": settings.get("max_iter"),
        "tol": settings.get("tol"),
        "converged": info.get("converged"),
        "stop_reason": info.get("stop_reason"),
        "fit_seconds": _number(info.get("fit_seconds")),
        "seed": settings.get("seed"),
        "input": info.get("input"),
        "heldout": None if heldout is None else {
            key: heldout.get(key) for key in ("fraction", "documents", "tokens",
                                              "bound_per_word", "bound_perplexity",
                                              "completion_perplexity")},
        "npmi": _number(coherence.get("npmi_mean")) if coherence else None,
        "umass": _number(coherence.get("umass_mean")) if coherence else None,
        "coherence_top_n": coherence.get("top_n") if coherence else None,
    }


# -------------------------------------------------------------------------- the page
def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _fmt_int(x) -> str:
    return "—" if x is None else f"{int(x):,}"


def _fmt(x, spec: str) -> str:
    x = _number(x)
    return "—" if x is None else format(x, spec)


def _card(label: str, value: str, note: str = "", tip: str = "") -> str:
    note_html = f'<div class="card-note">{note}</div>' if note else ""
    title = f' title="{_esc(tip)}"' if tip else ""
    return (f'<div class="card"{title}><div class="card-label">{_esc(label)}</div>'
            f'<div class="card-value">{value}</div>{note_html}</div>')


def _summary_html(s: dict) -> str:
    learned = '<span class="tag tag-learned">learned</span>'
    fixed = '<span class="tag">fixed</span>'
    docs_note = (f"{_fmt_int(s['empty_documents'])} empty after pruning"
                 if s.get("empty_documents") else "")
    cards = [
        _card("Documents", _fmt_int(s["documents"]), _esc(docs_note)),
        _card("Vocabulary", _fmt_int(s["words"]), "distinct words"),
        _card("Tokens", _fmt_int(s["tokens"]), "in the vocabulary"),
        _card("Topics", f"K = {s['k']}"),
        _card("α prior", f"{s['alpha_mean']:.3g}",
              (learned if s["alpha_learned"] else fixed)
              + _alpha_range(s["alpha_min"], s["alpha_max"]),
              "the Dirichlet prior of each document's topic proportions θ (mean over topics)"),
        _card("η prior", f"{s['eta']:.3g}", learned if s["eta_learned"] else fixed,
              "the symmetric Dirichlet prior of each topic's word distribution β"),
    ]
    if s["converged"] is None:
        status = ""
    elif s["converged"]:
        status = '<span class="tag tag-ok">converged</span>'
    else:
        status = '<span class="tag tag-warn">not converged</span>'
    cards.append(_card("EM iterations", _fmt_int(s["iterations"]),
                       status + (f" tol {s['tol']:g}" if s.get("tol") is not None else "")))
    if s["fit_seconds"] is not None:
        per = (f"{s['fit_seconds'] / s['iterations']:.2f} s per iteration"
               if s["iterations"] else "")
        cards.append(_card("Fit time", _duration(s["fit_seconds"]), per))
    if s["npmi"] is not None:
        cards.append(_card("Coherence", f"{s['npmi']:.3f}",
                           f"mean NPMI of the top {s['coherence_top_n']} words; UMass "
                           f"{_fmt(s['umass'], '.1f')}"))
    h = s["heldout"]
    if h:
        cards.append(_card("Held-out perplexity", _fmt(h.get("completion_perplexity"), ",.1f"),
                           f"document completion; {_fmt_int(h.get('documents'))} docs held out"))
        cards.append(_card("Held-out bound", _fmt(h.get("bound_per_word"), ".3f"),
                           f"nats per word; perplexity {_fmt(h.get('bound_perplexity'), ',.1f')}"))
    return "\n".join(cards)


def _alpha_range(lo: float, hi: float) -> str:
    if hi <= lo:
        return " symmetric"
    low, high = f"{lo:.3g}", f"{hi:.3g}"
    return " nearly symmetric" if low == high else f" range {low}–{high}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)} min {sec:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min"


def _topic_list_html(data: dict) -> str:
    topics = sorted(data["topics"], key=lambda t: (-t["share"], t["id"]))
    top = max((t["share"] for t in topics), default=1.0) or 1.0
    items = []
    for t in topics:
        words = (_esc(" · ".join(t["words"][:8])) if t["tokens"] >= 0.5 else
                 "<em>an empty topic: no tokens assigned</em>")
        items.append(
            f'<li><button type="button" class="topic-item" data-topic="{t["id"]}" '
            f'style="--c:{t["color"]}" aria-pressed="false">'
            f'<span class="ti-head"><span class="swatch"></span>'
            f'<span class="ti-name">Topic {t["id"]}</span>'
            f'<span class="ti-bar"><span style="width:{100 * t["share"] / top:.1f}%"></span>'
            f'</span><span class="ti-share">{100 * t["share"]:.1f}%</span></span>'
            f'<span class="ti-words">{words}</span></button></li>')
    return "\n".join(items)


def _map_svg(data: dict, width: int = 600, height: int = 470) -> str:
    """The intertopic distance map: circles at the MDS coordinates, area ∝ prevalence."""
    topics = data["topics"]
    K = len(topics)
    xs = np.array([t["x"] for t in topics], dtype=np.float64)
    ys = np.array([t["y"] for t in topics], dtype=np.float64)
    shares = np.array([t["share"] for t in topics], dtype=np.float64)
    radii = np.maximum(np.sqrt(shares * 0.15 * width * height / math.pi), 5.0)
    radii = np.minimum(radii, 0.16 * min(width, height))
    pad = float(radii.max()) + 6 if K else 10.0
    span_x = float(np.ptp(xs)) if K else 0.0
    span_y = float(np.ptp(ys)) if K else 0.0
    scale = min((width - 2 * pad) / span_x if span_x > 0 else math.inf,
                (height - 2 * pad) / span_y if span_y > 0 else math.inf)
    scale = 1.0 if not math.isfinite(scale) else scale
    cx = width / 2 + (xs - (xs.max() + xs.min()) / 2 if K else xs) * scale
    cy = height / 2 - (ys - (ys.max() + ys.min()) / 2 if K else ys) * scale
    ox = width / 2 - (xs.max() + xs.min()) / 2 * scale if K else width / 2
    oy = height / 2 + (ys.max() + ys.min()) / 2 * scale if K else height / 2
    parts = [f'<svg id="topic-map" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Intertopic distance map">',
             f'<line class="axis" x1="0" y1="{oy:.1f}" x2="{width}" y2="{oy:.1f}"/>',
             f'<line class="axis" x1="{ox:.1f}" y1="0" x2="{ox:.1f}" y2="{height}"/>',
             f'<text class="axis-label" x="{width - 4}" y="{oy - 5:.1f}" '
             f'text-anchor="end">PC1</text>',
             f'<text class="axis-label" x="{ox + 5:.1f}" y="12">PC2</text>']
    order = np.argsort(-radii, kind="stable")
    for i in order:
        t = topics[i]
        words = ", ".join(t["words"][:6])
        parts.append(
            f'<g class="topic-circle" data-topic="{t["id"]}" style="--c:{t["color"]}">'
            f'<title>Topic {t["id"]} · {100 * t["share"]:.1f}% of tokens\n{_esc(words)}</title>'
            f'<circle cx="{cx[i]:.1f}" cy="{cy[i]:.1f}" r="{radii[i]:.1f}"/></g>')
    placed: list[tuple[float, float]] = []
    for i in order:                               # labels above every circle, apart
        t = topics[i]
        tx, ty = cx[i], (cy[i] + 4 if radii[i] >= 11 else cy[i] - radii[i] - 3)
        candidates = [(tx, ty), (tx, cy[i] - radii[i] - 3), (tx, cy[i] + radii[i] + 12)]
        candidates += [(tx + dx, y) for dx in (16, -16, 30, -30) for _, y in candidates[1:]]
        tx, ty = next(((x, y) for x, y in candidates
                       if all(abs(x - px) > 16 or abs(y - py) > 11 for px, py in placed)),
                      (tx, ty))
        placed.append((tx, ty))
        parts.append(f'<text class="topic-label" data-topic="{t["id"]}" x="{tx:.1f}" '
                     f'y="{ty:.1f}" text-anchor="middle">{t["id"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_ticks(lo: float, hi: float, n: int = 5) -> tuple[np.ndarray, float]:
    """About ``n`` round tick values covering [lo, hi], and their step."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo]), 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(start, hi + step * 1e-9, step)
    return ticks, step


def _tick_label(v: float, step: float) -> str:
    """A compact tick label: k/M/G suffixes with as many decimals as the step needs."""
    av = max(abs(v), abs(step))
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, "")):
        if av >= div or div == 1.0:
            decimals = max(0, -math.floor(math.log10(step / div) + 1e-9))
            return f"{v / div:,.{decimals}f}{suffix}".replace("-", "\u2212")
    return str(v)  # pragma: no cover


def _line_chart(svg_id: str, ys: np.ndarray, *, first_x: int = 1, y_title: str,
                point_class: str, point_titles: Sequence[str], log_y: bool = False,
                hline: tuple[float, str] | None = None, stop_label: str | None = None,
                width: int = 620, height: int = 300) -> str:
    """An SVG line chart of ``ys`` against x = first_x, first_x + 1, …, a circle per point.

    ``log_y``: a log10 axis (values must be > 0); ``hline``: a dashed reference line
    (value, label); ``stop_label``: the last point ringed and labelled.
    """
    n = ys.size
    left, right, top, bottom = 70, 20, 16, 42
    tv = np.log10(ys) if log_y else ys
    lo, hi = float(tv.min()), float(tv.max())
    if hline is not None:
        h = math.log10(hline[0]) if log_y else hline[0]
        lo, hi = min(lo, h), max(hi, h)
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - (0.5 if log_y else 1.0), hi + (0.5 if log_y else 1.0)
    pad = 0.06 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    last_x = first_x + n - 1
    x_lo, x_hi = (first_x - 0.5, last_x + 0.5) if n < 3 else (float(first_x), float(last_x))

    def X(i: float) -> float:
        return left + (i - x_lo) / (x_hi - x_lo) * (width - left - right)

    def Y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * (height - top - bottom)

    parts = [f'<svg id="{svg_id}" class="line-chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{_esc(y_title)}">']
    if log_y:
        ticks = np.arange(math.ceil(lo), math.floor(hi) + 1)
        if ticks.size > 7:
            ticks = ticks[::int(math.ceil(ticks.size / 6))]
        labels = [f"1e{int(t)}".replace("-", "\u2212") for t in ticks]
    else:
        ticks, step = _nice_ticks(lo, hi, 5)
        labels = [_tick_label(v, step) for v in ticks]
    for v, label in zip(ticks, labels, strict=True):
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{Y(v):.1f}" '
                     f'y2="{Y(v):.1f}"/><text class="tick" x="{left - 8}" y="{Y(v) + 4:.1f}" '
                     f'text-anchor="end">{label}</text>')
    xticks, _ = _nice_ticks(first_x, last_x, min(8, max(1, n - 1)))
    for i in xticks:
        if abs(i - round(i)) < 1e-9:
            parts.append(f'<text class="tick" x="{X(i):.1f}" y="{height - bottom + 18}" '
                         f'text-anchor="middle">{int(round(i))}</text>')
    parts.append(f'<line class="axis-line" x1="{left}" x2="{width - right}" '
                 f'y1="{height - bottom}" y2="{height - bottom}"/>'
                 f'<text class="axis-title" x="{(left + width - right) / 2:.1f}" '
                 f'y="{height - 6}" text-anchor="middle">EM iteration</text>'
                 f'<text class="axis-title" transform="translate(14 '
                 f'{(top + height - bottom) / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle">{_esc(y_title)}</text>')
    if hline is not None:
        hy = Y(math.log10(hline[0]) if log_y else hline[0])
        parts.append(f'<line class="ref-line" x1="{left}" x2="{width - right}" y1="{hy:.1f}" '
                     f'y2="{hy:.1f}"/><text class="ref-label" x="{left + 6}" '
                     f'y="{hy - 5:.1f}" text-anchor="start">{_esc(hline[1])}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{X(first_x + i):.1f},{Y(v):.1f}"
                    for i, v in enumerate(tv))
    parts.append(f'<path class="series" d="{path}"/>')
    r = 3.0 if n <= 60 else 2.0 if n <= 200 else 1.2
    for i, v in enumerate(tv):
        parts.append(f'<circle class="{point_class}" cx="{X(first_x + i):.1f}" cy="{Y(v):.1f}" '
                     f'r="{r}"><title>{_esc(point_titles[i])}</title></circle>')
    if stop_label:
        sx, sy = X(last_x), Y(tv[-1])
        anchor, dx = ("end", -12) if sx > (left + width) / 2 else ("start", 12)
        ly = sy + 26 if sy < (top + height - bottom) / 2 else sy - 16
        parts.append(f'<line class="stop-line" x1="{sx:.1f}" x2="{sx:.1f}" y1="{top}" '
                     f'y2="{height - bottom}"/><circle class="stop-ring" cx="{sx:.1f}" '
                     f'cy="{sy:.1f}" r="8"/><text class="stop-label" x="{sx + dx:.1f}" '
                     f'y="{ly:.1f}" text-anchor="{anchor}">{_esc(stop_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _convergence_html(data: dict) -> str:
    """The ELBO chart (one point per iteration, the stop marked) and its relative change."""
    elbo = np.asarray(data["elbo"], dtype=np.float64)
    s = data["summary"]
    n = elbo.size
    if n == 0 or not np.all(np.isfinite(elbo)):
        return '<p class="muted">This model has no ELBO trace in its run.json.</p>'
    change = np.full(n, np.nan)
    change[1:] = np.abs(np.diff(elbo)) / np.maximum(np.abs(elbo[:-1]), 1e-300)
    if s.get("converged"):
        label = f"converged at iteration {n}"
    elif s.get("converged") is False:
        label = f"stopped at iteration {n}" + (" (max_iter)" if s.get("max_iter") == n else "")
    else:
        label = f"last iteration, {n}"
    titles = [f"iteration {i + 1}: ELBO {v:,.1f}"
              + ("" if i == 0 else f", relative change {change[i]:.2e}")
              for i, v in enumerate(elbo)]
    charts = ['<div class="chart-wrap">' + _line_chart(
        "elbo-chart", elbo, y_title="ELBO (nats)", point_class="elbo-pt",
        point_titles=titles, stop_label=label) + "</div>"]
    if n >= 2:
        tol = _number(s.get("tol"))
        rel = np.maximum(change[1:], 1e-16)
        charts.append('<div class="chart-wrap">' + _line_chart(
            "change-chart", rel, first_x=2, y_title="relative change (log scale)",
            point_class="change-pt", point_titles=titles[1:], log_y=True,
            hline=(tol, f"tol {tol:g}") if tol and tol > 0 else None) + "</div>")
    return '<div class="charts">' + "".join(charts) + "</div>"


def _json_for_script(data: dict) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' characters left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(data: dict, *, model_label: str = "") -> str:
    """The report page: one HTML string with inline CSS, SVG and JavaScript."""
    s = data["summary"]
    subtitle = []
    if model_label:
        subtitle.append(f"model <code>{_esc(model_label)}</code>")
    if s.get("input"):
        subtitle.append(f"fitted on <code>{_esc(s['input'])}</code>")
    if s.get("seed") is not None:
        subtitle.append(f"seed {_esc(s['seed'])}")
    subtitle.append(f"lda-vi {_esc(data['version'])} · {_esc(data['generated'])}")
    stop = f" Stop: {_esc(s['stop_reason'])}." if s.get("stop_reason") else ""
    docs_note = ("" if data["hasSnippets"] else
                 '<p class="muted small">Only document ids are shown: make the report with '
                 "<code>--docs CORPUS</code> (the file the model was fitted on) to see the "
                 "start of each document.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lda-vi {_esc(data['version'])}">
<title>{_esc(data['title'])} · K={s['k']}</title>
<style>{CSS}</style>
</head>
<body>
<header class="page-head">
  <div class="wrap">
    <h1>{_esc(data['title'])}</h1>
    <p class="subtitle">{' · '.join(subtitle)}</p>
  </div>
</header>
<main class="wrap">
<section id="summary" aria-label="Run summary">
  <div class="cards">
{_summary_html(s)}
  </div>
</section>

<section class="panel-row" id="overview">
  <div class="panel" id="topics-panel">
    <h2>Topics <span class="muted">by share of the corpus</span></h2>
    <p class="hint">Share: the fraction of the training tokens assigned to the topic.
      Click a topic (or use ↑/↓) to see its terms and documents.</p>
    <ol id="topic-list">
{_topic_list_html(data)}
    </ol>
  </div>
  <div class="panel" id="map-panel">
    <h2>Intertopic distance map</h2>
    <p class="hint">Jensen–Shannon distances between the topics' word distributions,
      projected to two dimensions by classical multidimensional scaling. Circle area is
      proportional to the topic's share; close circles are topics with similar words.</p>
    <div class="map-wrap">{_map_svg(data)}</div>
  </div>
</section>

<section class="panel-row" id="detail">
  <div class="panel" id="terms-panel">
    <div class="detail-head">
      <span class="swatch big" id="detail-swatch"></span>
      <div>
        <h2 id="detail-title">Topic</h2>
        <p class="muted small" id="detail-meta"></p>
      </div>
    </div>
    <div class="slider-row">
      <label for="lambda">Relevance <span class="mono">λ = <output id="lambda-value">1.00</output>
        </span></label>
      <input type="range" id="lambda" min="0" max="1" step="0.01" value="1"
        list="lambda-marks">
      <datalist id="lambda-marks"><option value="0"></option><option value="0.6"></option>
        <option value="1"></option></datalist>
    </div>
    <p class="hint">λ = 1 ranks terms by their probability in the topic, p(w|k); smaller λ
      favours terms specific to the topic, by their lift p(w|k)/p(w)
      (relevance = λ log p(w|k) + (1−λ) log lift; Sievert &amp; Shirley 2014 found λ ≈ 0.6
      best for interpreting topics).</p>
    <div class="legend"><span class="key key-total"></span>overall term count in the corpus
      <span class="key key-topic" id="legend-topic"></span>estimated count in this topic</div>
    <div id="term-bars" aria-live="polite"></div>
  </div>
  <div class="panel" id="docs-panel">
    <h2>Representative documents</h2>
    <p class="hint">The training documents with the highest proportion θ of this topic.</p>
    {docs_note}
    <ol id="doc-list"></ol>
  </div>
</section>

<section class="panel" id="convergence">
  <h2>Convergence</h2>
  <p class="hint">The evidence lower bound (ELBO) after each EM iteration, and its relative
    change |ΔELBO| / |ELBO| on a log scale; EM stops when that change falls below tol.
    Hover a point for its value.{stop}</p>
  {_convergence_html(data)}
</section>
</main>
<footer class="wrap muted small">Made by <code>lda-vi report</code>; this file is
self-contained and works offline.</footer>
<script type="application/json" id="lda-data">{_json_for_script(data)}</script>
<script>{JS}</script>
</body>
</html>
"""


def write_report(model, path: str | os.PathLike, *, top_n: int = 30,
                 documents: Iterable[tuple[str, str]] | None = None,
                 model_dir: str | os.PathLike | None = None, source: str = "--docs",
                 docs_per_topic: int = DOCS_PER_TOPIC) -> int:
    """Write the report of ``model`` to ``path`` (atomically); returns its size in bytes.

    Snippets come from ``documents`` (the training corpus) if given, else from
    ``model_dir/snippets.txt`` if that exists.
    """
    snippets = read_snippets(model_dir) if documents is None and model_dir else None
    data = report_data(model, top_n=top_n, documents=documents, snippets=snippets,
                       source=source, docs_per_topic=docs_per_topic)
    page = render_html(data, model_label=str(model_dir) if model_dir else "")
    atomic_write_text(path, page)
    return len(page.encode("utf-8"))
