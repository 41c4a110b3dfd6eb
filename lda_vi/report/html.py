"""The report page: one self-contained HTML file of a fitted model.

:func:`render_html` makes the page from the data of
:func:`lda_vi.report.data.report_data` (the summary cards, topic list, map and
charts of :mod:`lda_vi.report.charts`), with the stylesheet and script of the
package data files ``assets/report.css`` and ``assets/report.js`` inlined, so the
page needs no network; :func:`write_report` does both and writes the file atomically.
"""

from __future__ import annotations

import importlib.resources
import json
import os
from collections.abc import Iterable, Sequence

from lda_vi.io.atomic import atomic_write_text
from lda_vi.report.charts import convergence_html, esc, map_svg
from lda_vi.report.data import number, read_snippets, report_coherence, report_data
from lda_vi.report.layout import DOCS_PER_TOPIC
from lda_vi.report.trends_panel import trends_html

__all__ = ["render_html", "write_report", "asset_text", "ASSETS"]

#: The page's package data files, inlined into every page.
ASSETS = ("report.css", "report.js")


def asset_text(name: str) -> str:
    """The text of one of the report's package data files (``lda_vi/report/assets/NAME``)."""
    if name not in ASSETS:
        raise ValueError(f"asset must be one of {', '.join(ASSETS)} (got {name!r})")
    resource = importlib.resources.files("lda_vi.report").joinpath("assets").joinpath(name)
    return resource.read_text(encoding="utf-8")


def _fmt_int(x) -> str:
    return "—" if x is None else f"{int(x):,}"


def _fmt(x, spec: str) -> str:
    x = number(x)
    return "—" if x is None else format(x, spec)


def _card(label: str, value: str, note: str = "", tip: str = "") -> str:
    note_html = f'<div class="card-note">{note}</div>' if note else ""
    title = f' title="{esc(tip)}"' if tip else ""
    return (f'<div class="card"{title}><div class="card-label">{esc(label)}</div>'
            f'<div class="card-value">{value}</div>{note_html}</div>')


def _summary_html(s: dict) -> str:
    learned = '<span class="tag tag-learned">learned</span>'
    fixed = '<span class="tag">fixed</span>'
    docs_note = (f"{_fmt_int(s['empty_documents'])} empty after pruning"
                 if s.get("empty_documents") else "")
    cards = [
        _card("Documents", _fmt_int(s["documents"]), esc(docs_note)),
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
    scored = [(label, value) for label, value in s["coherence"] if value is not None]
    if scored:
        (label, value), rest = scored[0], scored[1:]
        others = "; " + " · ".join(f"{esc(name)} {v:.{1 if name == 'UMass' else 3}f}"
                                   for name, v in rest) if rest else ""
        cards.append(_card("Coherence", f"{value:.3f}",
                           f"mean {esc(label)} of the top {s['coherence_top_n']} words{others}",
                           "topic coherence, mean over topics (docs/coherence.md)"))
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


def topic_title(t: dict) -> str:
    """A topic's name in the report, escaped: ``gulf_war (topic 3)``, or ``Topic 3``."""
    label = t.get("label")
    return f"{esc(label)} <small>(topic {t['id']})</small>" if label else f"Topic {t['id']}"


def _topic_list_html(data: dict) -> str:
    # the seeded topics first, by id (the seed file's order), then the others by share
    topics = sorted(data["topics"], key=lambda t: (not t.get("seeded"),
                                                   0.0 if t.get("seeded") else -t["share"],
                                                   t["id"]))
    top = max((t["share"] for t in topics), default=1.0) or 1.0
    items = []
    for t in topics:
        words = (esc(" · ".join(t["words"][:8])) if t["tokens"] >= 0.5 else
                 "<em>an empty topic: no tokens assigned</em>")
        items.append(
            f'<li><button type="button" class="topic-item" data-topic="{t["id"]}" '
            f'style="--c:{t["color"]}" aria-pressed="false">'
            f'<span class="ti-head"><span class="swatch"></span>'
            f'<span class="ti-name">{topic_title(t)}</span>'
            f'<span class="ti-bar"><span style="width:{100 * t["share"] / top:.1f}%"></span>'
            f'</span><span class="ti-share">{100 * t["share"]:.1f}%</span></span>'
            f'<span class="ti-words">{words}</span></button></li>')
    return "\n".join(items)



def _json_for_script(data: dict) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' characters left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _script_data(data: dict) -> dict:
    """What the page's script reads: the data less what is drawn on the server (trends)."""
    return {key: value for key, value in data.items() if key != "trends"}


def render_html(data: dict, *, model_label: str = "") -> str:
    """The report page: one HTML string with inline CSS, SVG and JavaScript."""
    s = data["summary"]
    subtitle = []
    if model_label:
        subtitle.append(f"model <code>{esc(model_label)}</code>")
    if s.get("input"):
        subtitle.append(f"fitted on <code>{esc(s['input'])}</code>")
    if s.get("seed") is not None:
        subtitle.append(f"seed {esc(s['seed'])}")
    subtitle.append(f"lda-vi {esc(data['version'])} · {esc(data['generated'])}")
    stop = f" Stop: {esc(s['stop_reason'])}." if s.get("stop_reason") else ""
    docs_note = ("" if data["hasSnippets"] else
                 '<p class="muted small">Only document ids are shown: make the report with '
                 "<code>--docs CORPUS</code> (the file the model was fitted on) to see the "
                 "start of each document.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lda-vi {esc(data['version'])}">
<title>{esc(data['title'])} · K={s['k']}</title>
<style>
{asset_text('report.css')}</style>
</head>
<body>
<header class="page-head">
  <div class="wrap">
    <h1>{esc(data['title'])}</h1>
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
    <div class="map-wrap">{map_svg(data)}</div>
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

{trends_html(data)}
<section class="panel" id="convergence">
  <h2>Convergence</h2>
  <p class="hint">The evidence lower bound (ELBO) after each EM iteration, and its relative
    change |ΔELBO| / |ELBO| on a log scale; EM stops when that change falls below tol.
    Hover a point for its value.{stop}</p>
  {convergence_html(data)}
</section>
</main>
<footer class="wrap muted small">Made by <code>lda-vi report</code>; this file is
self-contained and works offline.</footer>
<script type="application/json" id="lda-data">{_json_for_script(_script_data(data))}</script>
<script>
{asset_text('report.js')}</script>
</body>
</html>
"""


def write_report(model, path: str | os.PathLike, *, top_n: int = 30,
                 documents: Iterable[tuple[str, str]] | None = None,
                 model_dir: str | os.PathLike | None = None, source: str = "the given corpus",
                 docs_per_topic: int = DOCS_PER_TOPIC, coherence: Sequence[str] | None = None,
                 coherence_top_n: int | None = None) -> int:
    """Write the report of ``model`` to ``path`` (atomically); returns its size in bytes.

    Snippets come from ``documents`` (the training corpus) if given, else from
    ``model_dir/snippets.txt`` if that exists. ``coherence``: the measures shown (default:
    those of the run record), with ``coherence_top_n``; any the record lacks are scored over
    ``documents`` (:func:`lda_vi.report.data.report_coherence`).
    """
    snippets = read_snippets(model_dir) if documents is None and model_dir else None
    scores = None
    if coherence is not None or coherence_top_n is not None:
        documents = None if documents is None else list(documents)
        scores, coherence_top_n = report_coherence(model, coherence, coherence_top_n,
                                                   documents)
    data = report_data(model, top_n=top_n, documents=documents, snippets=snippets,
                       source=source, docs_per_topic=docs_per_topic, coherence=scores,
                       coherence_top_n=coherence_top_n)
    page = render_html(data, model_label=str(model_dir) if model_dir else "")
    atomic_write_text(path, page)
    return len(page.encode("utf-8"))
