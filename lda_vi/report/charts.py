"""The report's SVG pictures, as markup strings: the intertopic map and the ELBO charts.

Each function takes the page's data (:func:`lda_vi.report.data.report_data`) and
returns inline SVG; the styles are the page's (``assets/report.css``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np

from lda_vi.report.data import number

__all__ = ["esc", "map_svg", "convergence_html"]


def esc(x) -> str:
    """``x`` as text safe in HTML content and attribute values."""
    return html.escape(str(x), quote=True)


def map_svg(data: dict, width: int = 600, height: int = 470) -> str:
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
            f'<title>{esc(t.get("label") or "Topic")} {t["id"]} · {100 * t["share"]:.1f}% '
            f'of tokens\n{esc(words)}</title>'
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
             f'role="img" aria-label="{esc(y_title)}">']
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
                 f'text-anchor="middle">{esc(y_title)}</text>')
    if hline is not None:
        hy = Y(math.log10(hline[0]) if log_y else hline[0])
        parts.append(f'<line class="ref-line" x1="{left}" x2="{width - right}" y1="{hy:.1f}" '
                     f'y2="{hy:.1f}"/><text class="ref-label" x="{left + 6}" '
                     f'y="{hy - 5:.1f}" text-anchor="start">{esc(hline[1])}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{X(first_x + i):.1f},{Y(v):.1f}"
                    for i, v in enumerate(tv))
    parts.append(f'<path class="series" d="{path}"/>')
    r = 3.0 if n <= 60 else 2.0 if n <= 200 else 1.2
    for i, v in enumerate(tv):
        parts.append(f'<circle class="{point_class}" cx="{X(first_x + i):.1f}" cy="{Y(v):.1f}" '
                     f'r="{r}"><title>{esc(point_titles[i])}</title></circle>')
    if stop_label:
        sx, sy = X(last_x), Y(tv[-1])
        anchor, dx = ("end", -12) if sx > (left + width) / 2 else ("start", 12)
        ly = sy + 26 if sy < (top + height - bottom) / 2 else sy - 16
        parts.append(f'<line class="stop-line" x1="{sx:.1f}" x2="{sx:.1f}" y1="{top}" '
                     f'y2="{height - bottom}"/><circle class="stop-ring" cx="{sx:.1f}" '
                     f'cy="{sy:.1f}" r="8"/><text class="stop-label" x="{sx + dx:.1f}" '
                     f'y="{ly:.1f}" text-anchor="{anchor}">{esc(stop_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def convergence_html(data: dict) -> str:
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
        tol = number(s.get("tol"))
        rel = np.maximum(change[1:], 1e-16)
        charts.append('<div class="chart-wrap">' + _line_chart(
            "change-chart", rel, first_x=2, y_title="relative change (log scale)",
            point_class="change-pt", point_titles=titles[1:], log_y=True,
            hline=(tol, f"tol {tol:g}") if tol and tol > 0 else None) + "</div>")
    return '<div class="charts">' + "".join(charts) + "</div>"

