"""The report page's inline stylesheet and script (no network, no dependencies).

The script reads the JSON in ``<script id="lda-data">`` (made by
:func:`lda_vi.report.html.report_data`) and makes the page interactive: selecting a
topic (list, map, keyboard), the relevance slider, the term bars and the
representative documents.
"""

CSS = r"""
:root {
  --bg: #f5f6f8; --panel: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec;
  --soft: #eef0f4; --accent: #3b5bdb; --total: #d5d9e0; --c: #4e79a7;
  --radius: 12px; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", sans-serif; }
code, .mono { font-family: var(--mono); font-size: .92em; }
.wrap { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
.page-head { background: linear-gradient(120deg, #1f2a44 0%, #2f3f6b 100%); color: #fff;
  padding: 26px 0 22px; margin-bottom: 22px; }
.page-head h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: -.01em; }
.page-head .subtitle { margin: 0; color: #c9d2e6; font-size: 13px; }
.page-head code { background: rgba(255,255,255,.12); padding: 1px 6px; border-radius: 5px;
  color: #fff; }
h2 { font-size: 16px; font-weight: 650; margin: 0 0 4px; letter-spacing: -.005em; }
h2 .muted { font-weight: 400; font-size: 13px; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.hint { color: var(--muted); font-size: 12.5px; margin: 0 0 12px; max-width: 70ch; }
section { margin-bottom: 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
  gap: 12px; }
.card { background: var(--panel); border-radius: var(--radius); box-shadow: var(--shadow);
  padding: 12px 14px; min-width: 0; }
.card-label { color: var(--muted); font-size: 12.5px; font-weight: 550;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card-value { font-size: 22px; font-weight: 650; margin-top: 2px;
  font-variant-numeric: tabular-nums; }
.card-note { color: var(--muted); font-size: 12px; margin-top: 2px; }
.tag { display: inline-block; padding: 0 7px; border-radius: 99px; font-size: 11.5px;
  background: var(--soft); color: var(--muted); font-weight: 550; margin-right: 4px;
  white-space: nowrap; }
.tag-learned { background: #e7ecff; color: #3b5bdb; }
.tag-ok { background: #e3f6e8; color: #1e7b3c; }
.tag-warn { background: #fff1db; color: #a15c00; }
.panel-row { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 6fr); gap: 20px; }
.panel { background: var(--panel); border-radius: var(--radius); box-shadow: var(--shadow);
  padding: 18px 20px; min-width: 0; }
#topic-list { list-style: none; margin: 0; padding: 0 6px 0 0; max-height: 560px;
  overflow-y: auto; }
#topic-list li + li { margin-top: 4px; }
.topic-item { all: unset; box-sizing: border-box; display: block; width: 100%;
  padding: 8px 10px; border-radius: 9px; cursor: pointer; border: 1px solid transparent; }
.topic-item:hover { background: var(--soft); }
.topic-item:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.topic-item[aria-pressed="true"] { background: color-mix(in srgb, var(--c) 10%, white);
  border-color: color-mix(in srgb, var(--c) 55%, white); }
.ti-head { display: flex; align-items: center; gap: 8px; }
.swatch { width: 12px; height: 12px; border-radius: 4px; background: var(--c);
  flex: none; display: inline-block; }
.swatch.big { width: 18px; height: 18px; border-radius: 5px; margin-top: 3px; }
.ti-name { font-weight: 600; width: 68px; flex: none; }
.ti-bar { flex: 1; height: 6px; background: var(--soft); border-radius: 99px;
  overflow: hidden; }
.ti-bar span { display: block; height: 100%; background: var(--c); border-radius: 99px; }
.ti-share { width: 48px; text-align: right; color: var(--muted);
  font-variant-numeric: tabular-nums; font-size: 12.5px; }
.ti-words { display: block; color: #475467; font-size: 12.5px; margin: 2px 0 0 20px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.map-wrap svg, .chart-wrap svg { width: 100%; height: auto; display: block; }
#topic-map .axis { stroke: #cfd4dc; stroke-dasharray: 4 4; }
#topic-map .axis-label { fill: #98a2b3; font-size: 11px; }
.topic-circle { cursor: pointer; }
.topic-circle circle { fill: var(--c); fill-opacity: .45; stroke: var(--c);
  stroke-width: 1.5; transition: fill-opacity .15s; }
.topic-circle:hover circle { fill-opacity: .7; }
.topic-label { font-size: 12px; font-weight: 650; fill: #1d2330; pointer-events: none;
  paint-order: stroke; stroke: rgba(255,255,255,.7); stroke-width: 2.5px; }
.topic-circle.selected circle { fill-opacity: .85; stroke: #1d2330; stroke-width: 2.5; }
.topic-label.selected { fill: #fff; stroke: rgba(0,0,0,.35); }
.topic-circle.near circle { stroke-dasharray: 3 2; stroke-width: 2; }
.detail-head { display: flex; gap: 10px; align-items: flex-start; margin-bottom: 10px; }
.detail-head h2 { font-size: 19px; margin: 0; }
.detail-head p { margin: 0; }
.near-link { all: unset; cursor: pointer; color: var(--accent); font-weight: 550; }
.near-link:hover { text-decoration: underline; }
.slider-row { display: flex; align-items: center; gap: 14px; margin: 6px 0 6px;
  flex-wrap: wrap; }
.slider-row label { font-weight: 600; white-space: nowrap; }
#lambda { flex: 1; min-width: 160px; accent-color: var(--c); }
.legend { display: flex; align-items: center; gap: 6px; color: var(--muted);
  font-size: 12px; margin-bottom: 8px; flex-wrap: wrap; }
.key { width: 22px; height: 10px; border-radius: 3px; display: inline-block; }
.key-total { background: var(--total); }
.key-topic { background: var(--c); margin-left: 14px; }
#term-bars { display: grid; grid-template-columns: max-content 1fr max-content;
  column-gap: 10px; row-gap: 3px; align-items: center; }
.term-word { text-align: right; font-weight: 550; white-space: nowrap; max-width: 180px;
  overflow: hidden; text-overflow: ellipsis; }
.term-track { position: relative; height: 16px; }
.term-track span { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; }
.bar-total { background: var(--total); }
.bar-topic { background: var(--c); }
.term-val { color: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums;
  font-family: var(--mono); text-align: right; }
.term-row-moved .term-word { color: var(--accent); }
#doc-list { list-style: none; padding: 0; margin: 0; }
#doc-list li { padding: 10px 0; border-top: 1px solid var(--line); }
#doc-list li:first-child { border-top: none; padding-top: 2px; }
.doc-head { display: flex; align-items: center; gap: 10px; font-size: 12.5px; }
.doc-id { font-family: var(--mono); font-weight: 600; }
.doc-theta { flex: none; width: 90px; height: 6px; background: var(--soft);
  border-radius: 99px; overflow: hidden; }
.doc-theta span { display: block; height: 100%; background: var(--c); }
.doc-text { margin: 4px 0 0; color: #344054; font-size: 13px; line-height: 1.55; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; }
.line-chart .grid { stroke: #eef0f4; }
.line-chart .axis-line { stroke: #98a2b3; }
.line-chart .tick { fill: #667085; font-size: 11px; font-variant-numeric: tabular-nums; }
.line-chart .axis-title { fill: #475467; font-size: 12px; }
.line-chart .series { fill: none; stroke: #3b5bdb; stroke-width: 2; stroke-linejoin: round; }
.line-chart circle { fill: #fff; stroke: #3b5bdb; stroke-width: 1.5; }
.line-chart circle:hover { fill: #3b5bdb; }
#change-chart .series { stroke: #7c8db5; }
#change-chart circle { stroke: #7c8db5; }
.line-chart .ref-line { stroke: #e8590c; stroke-dasharray: 5 4; stroke-width: 1.2; }
.line-chart .ref-label { fill: #c2410c; font-size: 11.5px; }
.line-chart .stop-ring { fill: none; stroke: #e8590c; stroke-width: 2; }
.line-chart .stop-line { stroke: #e8590c; stroke-dasharray: 3 4; stroke-width: 1; }
.line-chart .stop-label { fill: #c2410c; font-size: 12px; font-weight: 600; }
footer { padding: 8px 24px 30px; }
@media (max-width: 980px) {
  .panel-row, .charts { grid-template-columns: minmax(0, 1fr); }
  #topic-list { max-height: 420px; }
}
@media (max-width: 560px) {
  .wrap { padding: 0 12px; }
  .card-value { font-size: 19px; }
  .term-word { max-width: 110px; }
}
@media print {
  body { background: #fff; }
  .panel, .card { box-shadow: none; border: 1px solid var(--line); }
  #topic-list { max-height: none; overflow: visible; }
}
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lda-data").textContent);
  var topics = data.topics;
  var byId = {};
  topics.forEach(function (t) { byId[t.id] = t; });
  var listItems = Array.prototype.slice.call(document.querySelectorAll(".topic-item"));
  var circles = Array.prototype.slice.call(document.querySelectorAll(".topic-circle"));
  var labels = Array.prototype.slice.call(document.querySelectorAll(".topic-label"));
  var slider = document.getElementById("lambda");
  var lambdaOut = document.getElementById("lambda-value");
  var bars = document.getElementById("term-bars");
  var docList = document.getElementById("doc-list");
  var state = { topic: null, lambda: data.lambda };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function fmtProb(p) {
    return p >= 0.001 ? (100 * p).toFixed(p >= 0.1 ? 1 : 2) + "%" : p.toExponential(1);
  }
  function fmtCount(c) {
    return c >= 100 ? Math.round(c).toLocaleString("en-US") : c.toFixed(1);
  }

  // relevance = λ log p(w|k) + (1 − λ) log(p(w|k) / p(w)), over the topic's candidates
  function rankTerms(topic, lambda) {
    var rows = topic.cand.map(function (c, pos) {
      var pw = data.termCount[c[0]] / data.totalTokens;
      var lp = Math.log(c[1]);
      return { term: c[0], p: c[1], count: c[2], pw: pw, pos: pos,
               rel: lambda * lp + (1 - lambda) * (lp - Math.log(pw)) };
    });
    // ties: the candidates' order (decreasing p(w|k), as in `lda-vi show`)
    rows.sort(function (a, b) { return (b.rel - a.rel) || (a.pos - b.pos); });
    return rows.slice(0, data.topN);
  }

  function renderTerms() {
    var topic = byId[state.topic];
    var rows = rankTerms(topic, state.lambda);
    var max = 0;
    rows.forEach(function (r) { max = Math.max(max, data.termCount[r.term], r.count); });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) {
      var total = data.termCount[r.term];
      var word = el("span", "term-word", data.terms[r.term]);
      var track = el("span", "term-track");
      var barTotal = el("span", "bar-total");
      var barTopic = el("span", "bar-topic");
      barTotal.style.width = (100 * total / max).toFixed(2) + "%";
      barTopic.style.width = (100 * Math.min(r.count, total) / max).toFixed(2) + "%";
      track.appendChild(barTotal);
      track.appendChild(barTopic);
      var val = el("span", "term-val", fmtProb(r.p));
      var tip = data.terms[r.term] + "\np(w|k) = " + r.p.toPrecision(3) +
        "\np(w) = " + r.pw.toPrecision(3) + "\nlift p(w|k)/p(w) = " + (r.p / r.pw).toPrecision(3) +
        "\nrelevance = " + r.rel.toFixed(3) + "\n≈ " + fmtCount(r.count) + " of " +
        fmtCount(total) + " occurrences in this topic";
      [word, track, val].forEach(function (n) {
        n.title = tip;
        n.setAttribute("data-term", data.terms[r.term]);
        frag.appendChild(n);
      });
      word.className += " term-label";
    });
    bars.replaceChildren(frag);
    lambdaOut.textContent = state.lambda.toFixed(2);
  }

  function renderDocs() {
    var topic = byId[state.topic];
    var frag = document.createDocumentFragment();
    topic.docs.forEach(function (d) {
      var li = el("li");
      var head = el("div", "doc-head");
      head.appendChild(el("span", "doc-id", "doc " + d.id));
      var bar = el("span", "doc-theta");
      var fill = el("span");
      fill.style.width = (100 * d.theta).toFixed(1) + "%";
      bar.appendChild(fill);
      head.appendChild(bar);
      head.appendChild(el("span", "muted", "θ = " + (100 * d.theta).toFixed(0) + "% · " +
        d.tokens.toLocaleString("en-US") + " words"));
      li.appendChild(head);
      if (d.text) { li.appendChild(el("p", "doc-text", d.text)); }
      frag.appendChild(li);
    });
    if (!topic.docs.length) { frag.appendChild(el("li", "muted", "No documents.")); }
    docList.replaceChildren(frag);
  }

  function renderHead() {
    var topic = byId[state.topic];
    document.getElementById("detail-title").textContent = "Topic " + topic.id;
    var meta = document.getElementById("detail-meta");
    var parts = [(100 * topic.share).toFixed(1) + "% of the tokens (≈ " +
      fmtCount(topic.tokens) + ")"];
    if (topic.npmi !== null && topic.npmi !== undefined) {
      parts.push("NPMI " + topic.npmi.toFixed(3));
    }
    meta.replaceChildren(document.createTextNode(parts.join(" · ")));
    if (topic.nearest.length) {
      meta.appendChild(document.createTextNode(" · closest: "));
      topic.nearest.forEach(function (j, i) {
        if (i) { meta.appendChild(document.createTextNode(", ")); }
        var link = el("button", "near-link", "topic " + j);
        link.type = "button";
        link.addEventListener("click", function () { select(j, true); });
        meta.appendChild(link);
      });
    }
  }

  function select(id, fromUser) {
    if (!byId.hasOwnProperty(id)) { return; }
    state.topic = id;
    var topic = byId[id];
    document.documentElement.style.setProperty("--c", topic.color);
    listItems.forEach(function (b) {
      b.setAttribute("aria-pressed", String(+b.getAttribute("data-topic") === id));
    });
    circles.forEach(function (c) {
      var t = +c.getAttribute("data-topic");
      c.classList.toggle("selected", t === id);
      c.classList.toggle("near", topic.nearest.indexOf(t) >= 0);
    });
    labels.forEach(function (c) {
      c.classList.toggle("selected", +c.getAttribute("data-topic") === id);
    });
    renderHead();
    renderTerms();
    renderDocs();
    if (fromUser) {
      var item = listItems.filter(function (b) { return +b.getAttribute("data-topic") === id; })[0];
      if (item && item.scrollIntoView) { item.scrollIntoView({ block: "nearest" }); }
      saveHash();
    }
  }

  function saveHash() {
    try {
      history.replaceState(null, "", "#topic=" + state.topic + "&lambda=" +
        state.lambda.toFixed(2));
    } catch (e) { /* some browsers refuse history on file:// pages */ }
  }

  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var parts = kv.split("=");
      if (parts.length === 2) { out[parts[0]] = parseFloat(parts[1]); }
    });
    return out;
  }

  listItems.forEach(function (b, i) {
    b.addEventListener("click", function () { select(+b.getAttribute("data-topic"), true); });
    b.addEventListener("keydown", function (ev) {
      var step = ev.key === "ArrowDown" ? 1 : ev.key === "ArrowUp" ? -1 : 0;
      if (!step) { return; }
      ev.preventDefault();
      var next = listItems[Math.max(0, Math.min(listItems.length - 1, i + step))];
      next.focus();
      select(+next.getAttribute("data-topic"), true);
    });
  });
  circles.forEach(function (c) {
    c.addEventListener("click", function () { select(+c.getAttribute("data-topic"), true); });
  });
  slider.addEventListener("input", function () {
    state.lambda = Math.max(0, Math.min(1, parseFloat(slider.value)));
    renderTerms();
    saveHash();
  });

  var hash = readHash();
  if (hash.lambda >= 0 && hash.lambda <= 1) { state.lambda = hash.lambda; }
  slider.value = String(state.lambda);
  var first = listItems.length ? +listItems[0].getAttribute("data-topic") : null;
  if (first !== null) { select(byId.hasOwnProperty(hash.topic) ? hash.topic : first, false); }
}());
"""
