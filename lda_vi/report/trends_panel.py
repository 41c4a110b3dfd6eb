"""The report's "Topics over time" panel: one line per topic, the selected one with its band.

Shown for a model fitted with a date covariate (``fit --covariates date``): the mean θ of
each period's documents (:mod:`lda_vi.evaluate.trends`), every topic a thin grey line,
the selected topic in its colour with its 95% interval and the model's curve E[θ | date].
The page's script highlights the topic selected elsewhere on the page (``data-topic``).
Glossary of shapes: P periods, K topics.
"""

from __future__ import annotations

from html import escape

import numpy as np

from lda_vi.evaluate.trends import model_trends

__all__ = ["trends_data", "trends_html"]

WIDTH, HEIGHT = 960, 300
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 52, 16, 12, 34
DRAWS = 100


def trends_data(model, colors: list[str]) -> dict | None:
    """What the panel draws, or None when the model has no date covariate."""
    cov = model.covariates
    if cov is None or model.gamma is None:
        return None
    dates = [c.name for c in cov.design.covariates if c.kind == "date"]
    if not dates:
        return None
    by = dates[0]
    values = cov.values[by]
    report = model_trends(model.gamma, values, [f"document {i + 1}" for i in
                                                range(len(values))],
                          by=by, covariates=cov, rng=np.random.default_rng(0), n_draws=DRAWS)
    t = report.trends
    return {"by": by, "periods": t.periods, "mids": [str(m) for m in report.mids],
            "prevalence": t.prevalence, "lower": t.lower, "upper": t.upper, "curve": t.curve,
            "colors": colors}


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    """An SVG path through the finite points; a gap (empty period) breaks the line."""
    parts, pen_down = [], False
    for x, y in zip(xs, ys, strict=True):
        if not np.isfinite(y):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def _band(xs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """Polygons of the interval, one per run of non-empty periods."""
    out, run = [], []
    for i in range(len(xs) + 1):
        if i < len(xs) and np.isfinite(lo[i]) and np.isfinite(hi[i]):
            run.append(i)
            continue
        if run:
            top = " ".join(f"{xs[j]:.1f},{hi[j]:.1f}" for j in run)
            bottom = " ".join(f"{xs[j]:.1f},{lo[j]:.1f}" for j in reversed(run))
            out.append(f'<polygon points="{top} {bottom}"/>')
            run = []
    return "".join(out)


def trends_html(data: dict) -> str:
    """The panel's HTML (an SVG), or '' when the page has no trends."""
    tr = data.get("trends")
    if not tr:
        return ""
    mids = np.array(tr["mids"], dtype="datetime64[D]").astype(np.int64).astype(float)
    prevalence, lower, upper = (np.asarray(tr[k], dtype=float)
                                for k in ("prevalence", "lower", "upper"))
    P, K = prevalence.shape
    span = mids.max() - mids.min() if P > 1 else 1.0
    xs = PAD_LEFT + (mids - mids.min()) / span * (WIDTH - PAD_LEFT - PAD_RIGHT)
    top = float(np.nanmax(upper)) if np.isfinite(upper).any() else 1.0
    top = top * 1.05 if top > 0 else 1.0

    def y(v):
        return PAD_TOP + (1 - np.asarray(v) / top) * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    parts = [f'<svg id="trends-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="Topic prevalence over time">']
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        v = frac * top
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" '
                     f'y1="{y(v):.1f}" y2="{y(v):.1f}"/><text class="tick" x="{PAD_LEFT - 6}" '
                     f'y="{y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    step = max(1, P // 8)
    for i in range(0, P, step):
        parts.append(f'<text class="tick" x="{xs[i]:.1f}" y="{HEIGHT - 12}" '
                     f'text-anchor="middle">{escape(tr["periods"][i])}</text>')
    for k in range(K):
        color = tr["colors"][k]
        curve = "" if tr["curve"] is None else \
            f'<path class="trend-curve" d="{_path(xs, y(np.asarray(tr["curve"])[:, k]))}"/>'
        parts.append(
            f'<g class="trend" data-topic="{k}" style="--c:{color}">'
            f'<title>Topic {k}</title>'
            f'<g class="trend-band">{_band(xs, y(lower[:, k]), y(upper[:, k]))}</g>'
            f'{curve}<path class="trend-line" d="{_path(xs, y(prevalence[:, k]))}"/></g>')
    parts.append("</svg>")
    return f"""<section class="panel" id="trends">
  <h2>Topics over time <span class="muted">by {escape(tr["by"])}</span></h2>
  <p class="hint">The mean topic proportion θ of each period's documents; the selected topic
    in colour with its 95% interval (θ drawn from each document's posterior, documents
    resampled) and, dashed, the model's E[θ | {escape(tr["by"])}]. Select a topic above to
    follow it.</p>
  {''.join(parts)}
</section>
"""
