(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lda-data").textContent);
  var topics = data.topics;
  var byId = {};
  topics.forEach(function (t) { byId[t.id] = t; });
  var listItems = Array.prototype.slice.call(document.querySelectorAll(".topic-item"));
  var circles = Array.prototype.slice.call(document.querySelectorAll(".topic-circle"));
  var labels = Array.prototype.slice.call(document.querySelectorAll(".topic-label"));
  var trendLines = Array.prototype.slice.call(document.querySelectorAll("#trends-chart .trend"));
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

  function topicName(topic) {
    return topic.label ? topic.label + " (topic " + topic.id + ")" : "Topic " + topic.id;
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
    document.getElementById("detail-title").textContent = topicName(topic);
    var meta = document.getElementById("detail-meta");
    var parts = [(100 * topic.share).toFixed(1) + "% of the tokens (≈ " +
      fmtCount(topic.tokens) + ")"];
    (topic.coherence || []).forEach(function (pair) {
      if (pair[1] !== null && pair[1] !== undefined) {
        parts.push(pair[0] + " " + pair[1].toFixed(3));
      }
    });
    meta.replaceChildren(document.createTextNode(parts.join(" · ")));
    if (topic.nearest.length) {
      meta.appendChild(document.createTextNode(" · closest: "));
      topic.nearest.forEach(function (j, i) {
        if (i) { meta.appendChild(document.createTextNode(", ")); }
        var link = el("button", "near-link", byId[j].label || "topic " + j);
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
    trendLines.forEach(function (g) {
      g.classList.toggle("selected", +g.getAttribute("data-topic") === id);
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
