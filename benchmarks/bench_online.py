#!/usr/bin/env python
"""Online VB at scale: peak memory and time of ``lda-vi fit --method online`` (issue 6).

Generates synthetic LDA text corpora (K=20 true topics over 5,000 letter-only
words) of each requested size to disk, streamed in chunks of 10,000 documents
(never the whole corpus in memory), then runs the installed ``lda-vi`` on each
as a child process and measures its wall time and peak resident set. The
claim under test: peak memory does not grow with the corpus, time grows
linearly. The topics found are matched against the true ones (Hellinger).

With ``--format uci`` the same synthetic corpora are written as UCI bag-of-words files
(``docword.synth-N.txt``, sorted by document, with ``vocab.synth-N.txt`` beside them) and
``lda-vi fit --method online`` streams them minibatch by minibatch from disk (no
tokenizing; the vocabulary is kept as given).

Usage::

    python benchmarks/bench_online.py [--sizes 100000,1000000] [--workdir DIR] [--quick]
                                      [--format text|uci]

Prints a Markdown table on stdout, progress on stderr, and writes every
number to ``benchmarks/results/online-<date>.json``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "benchmarks" / "results"
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO))

from machine import cpu_busy_seconds  # noqa: E402  (benchmarks/machine.py)

# The generative model (MATH.md, "Model"): every number that shapes the files.
K_TRUE = 20
N_WORDS = 5000
ALPHA = 0.1             # θ_d ~ Dir(α), symmetric
ETA = 0.01              # β_k ~ Dir(η), symmetric
DOC_LENGTH = 60.0       # N_d ~ Poisson(60), at least MIN_DOC_LENGTH
MIN_DOC_LENGTH = 5
CHUNK_DOCS = 10_000     # documents generated (and written) at a time
WORD_LETTERS = 3        # words are "w" + 3 letters: fixed width, 4 characters
GENERATOR_VERSION = 1   # bump when the sampling code changes: regenerates the files
STARTUP_DOCS = 1000     # the tiny corpus timed for the fixed start-up cost

FIT_OPTIONS = ["-k", "20", "--method", "online", "--batch-size", "1024", "--passes", "1",
               "--seed", "0", "--min-df", "5", "--max-df", "0.5"]
#: UCI counts keep their vocabulary as given (count formats are not pruned by default).
UCI_FIT_OPTIONS = FIT_OPTIONS[:-4]
BUSY_CORES = 0.25       # other processes' CPU use above which a run is flagged

# Runs lda-vi and reports its wall time and peak RSS: a fresh process per run, so
# RUSAGE_CHILDREN holds that one child only (wait4's ru_maxrss, as /usr/bin/time -v).
# It also polls the child's VmHWM (Linux) and records when the peak rose, and by how much.
_WRAPPER = """\
import json, resource, subprocess, sys, time
start = time.perf_counter()
steps = []
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    child = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
    while True:
        try:
            with open(f"/proc/{child.pid}/status", "rb") as status:
                hwm = [int(x.split()[1]) for x in status if x.startswith(b"VmHWM")]
        except (OSError, ValueError, IndexError):
            hwm = []
        if hwm and (not steps or hwm[0] >= steps[-1][1] + 1024):
            steps.append((round(time.perf_counter() - start, 1), hwm[0]))
        try:
            child.wait(timeout=0.25)
            break
        except subprocess.TimeoutExpired:
            pass
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": child.returncode, "wall_seconds": wall,
                  "peak_rss_kib": usage.ru_maxrss, "user_seconds": usage.ru_utime,
                  "system_seconds": usage.ru_stime,
                  "peak_rss_steps": [(t, kib / 1024) for t, kib in steps]}))
"""


def log(message: str) -> None:
    print(f"bench_online: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the corpora


def data_params(seed: int) -> dict:
    """Everything the generated files depend on (stored beside them, compared on reuse)."""
    return {"generator_version": GENERATOR_VERSION, "seed": seed, "k": K_TRUE,
            "n_words": N_WORDS, "alpha": ALPHA, "eta": ETA, "doc_length": DOC_LENGTH,
            "min_doc_length": MIN_DOC_LENGTH, "chunk_docs": CHUNK_DOCS,
            "word_letters": WORD_LETTERS}


def make_words(n_words: int) -> list[str]:
    """``n_words`` distinct 4-letter words "waaa", "waab", ..., skipping English stopwords.

    Letters only and 4 characters long, so lda-vi's tokenizer (default settings:
    drops tokens with digits, shorter than 3 characters, or stopwords) keeps
    every one; the fixed width lets a chunk of text be built as one byte array.
    """
    from lda_vi.text.tokenize import Tokenizer, TokenizerConfig, english_stopwords

    stop = english_stopwords()
    words: list[str] = []
    for i in range(26 ** WORD_LETTERS):
        letters, rest = [], i
        for _ in range(WORD_LETTERS):
            rest, digit = divmod(rest, 26)
            letters.append(chr(ord("a") + digit))
        word = "w" + "".join(reversed(letters))
        if word not in stop:
            words.append(word)
            if len(words) == n_words:
                break
    if len(words) < n_words:
        raise SystemExit(f"bench_online: only {len(words)} words of {WORD_LETTERS + 1} letters")
    if Tokenizer(TokenizerConfig())(" ".join(words)) != words:
        raise SystemExit("bench_online: lda-vi's tokenizer does not keep the synthetic words")
    return words


def dirichlet_rows(rng: np.random.Generator, conc: float, n: int, dim: int) -> np.ndarray:
    """n draws from a symmetric Dir(conc) over ``dim`` (an all-zero row becomes one-hot)."""
    g = rng.gamma(conc, 1.0, size=(n, dim))
    total = g.sum(axis=1, keepdims=True)
    bad = total[:, 0] <= 0                         # every gamma underflowed
    if np.any(bad):
        g[bad] = 0.0
        g[bad, rng.integers(dim, size=int(bad.sum()))] = 1.0
        total = g.sum(axis=1, keepdims=True)
    return g / total


def _offset_cdf(p: np.ndarray) -> np.ndarray:
    """Row r of the CDFs of the rows of p, plus r, flattened: one increasing array, so that
    ``searchsorted(flat, r + u, "right") - r * width`` samples row r's distribution."""
    cdf = np.cumsum(p, axis=1)
    cdf[:, -1] = 1.0
    return (cdf + np.arange(p.shape[0])[:, None]).ravel()


def _sample_rows(flat_cdf: np.ndarray, width: int, rows: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    u = rng.random(rows.shape[0])
    drawn = np.searchsorted(flat_cdf, rows + u, side="right") - rows * width
    return np.minimum(drawn, width - 1)            # rounding at a row's end


def _meta_matches(path: Path, params: dict, **expect) -> dict | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("params") != params or any(meta.get(k) != v for k, v in expect.items()):
        return None
    return meta


def true_topics(workdir: Path, params: dict, words: list[str]) -> np.ndarray:
    """The true β (K×V), drawn once per parameter set and saved as ``true_beta.npy``."""
    path, meta_path = workdir / "true_beta.npy", workdir / "true_beta.json"
    if _meta_matches(meta_path, params) and path.is_file():
        beta = np.load(path, allow_pickle=False)
        if beta.shape == (K_TRUE, N_WORDS):
            return beta
    beta = dirichlet_rows(np.random.default_rng([params["seed"], 0]), ETA, K_TRUE, N_WORDS)
    np.save(path, beta)
    (workdir / "true_vocab.txt").write_text("".join(w + "\n" for w in words), encoding="ascii")
    meta_path.write_text(json.dumps({"params": params, "columns": "true_vocab.txt"}, indent=2)
                         + "\n", encoding="utf-8")
    return beta


def generate_corpus(workdir: Path, n_docs: int, params: dict, beta: np.ndarray,
                    words: list[str]) -> dict:
    """Write ``corpus-<n_docs>.txt`` (one document per line) unless the same is there.

    Chunks of CHUNK_DOCS documents: θ, lengths, topic and word of every token,
    vectorized with numpy; the text of the chunk is one (tokens × 5) byte array
    (4 letters and a space, or a newline at a document's end).
    """
    path = workdir / f"corpus-{n_docs}.txt"
    meta_path = workdir / f"corpus-{n_docs}.json"
    meta = _meta_matches(meta_path, params, documents=n_docs)
    if meta and path.is_file() and path.stat().st_size == meta.get("bytes"):
        log(f"reusing {path} ({meta['tokens']:,} tokens)")
        return meta | {"path": str(path), "generated_seconds": None}
    log(f"generating {path} ({n_docs:,} documents) ...")
    meta_path.unlink(missing_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng([params["seed"], 1, n_docs])
    word_bytes = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
    word_bytes = word_bytes.reshape(len(words), WORD_LETTERS + 1)
    beta_cdf = _offset_cdf(beta)
    tokens = 0
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as handle:
        for lo in range(0, n_docs, CHUNK_DOCS):
            c = min(CHUNK_DOCS, n_docs - lo)
            theta = dirichlet_rows(rng, ALPHA, c, K_TRUE)
            lengths = np.maximum(rng.poisson(DOC_LENGTH, size=c), MIN_DOC_LENGTH)
            doc = np.repeat(np.arange(c), lengths)
            z = _sample_rows(_offset_cdf(theta), K_TRUE, doc, rng)     # topic of each token
            w = _sample_rows(beta_cdf, N_WORDS, z, rng)                # word of each token
            text = np.empty((w.shape[0], WORD_LETTERS + 2), dtype=np.uint8)
            text[:, :-1] = word_bytes[w]
            text[:, -1] = ord(" ")
            text[np.cumsum(lengths) - 1, -1] = ord("\n")
            handle.write(text.tobytes())
            tokens += int(w.shape[0])
    os.replace(tmp, path)
    seconds = time.perf_counter() - start
    meta = {"params": params, "documents": n_docs, "tokens": tokens,
            "bytes": path.stat().st_size, "file": path.name}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"  {tokens:,} tokens, {meta['bytes'] / 2**20:,.0f} MiB in {seconds:.1f} s")
    return meta | {"path": str(path), "generated_seconds": seconds}


def generate_uci(workdir: Path, n_docs: int, params: dict, beta: np.ndarray,
                 words: list[str]) -> dict:
    """Write ``docword.synth-<n_docs>.txt`` (UCI: D, W, NNZ, then ``doc word count`` lines
    sorted by document) and ``vocab.synth-<n_docs>.txt`` unless the same are there.

    The same draws as :func:`generate_corpus` (same generator, same order), counted per
    document: chunk by chunk, the entries are written to a body file, then the header and
    the body are joined.
    """
    path = workdir / f"docword.synth-{n_docs}.txt"
    meta_path = workdir / f"docword.synth-{n_docs}.json"
    meta = _meta_matches(meta_path, params, documents=n_docs)
    if meta and path.is_file() and path.stat().st_size == meta.get("bytes"):
        log(f"reusing {path} ({meta['tokens']:,} tokens)")
        return meta | {"path": str(path), "generated_seconds": None}
    log(f"generating {path} ({n_docs:,} documents, UCI) ...")
    meta_path.unlink(missing_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng([params["seed"], 1, n_docs])
    beta_cdf = _offset_cdf(beta)
    tokens = nnz = 0
    body = path.with_name(path.name + ".body")
    with open(body, "wb") as handle:
        for lo in range(0, n_docs, CHUNK_DOCS):
            c = min(CHUNK_DOCS, n_docs - lo)
            theta = dirichlet_rows(rng, ALPHA, c, K_TRUE)
            lengths = np.maximum(rng.poisson(DOC_LENGTH, size=c), MIN_DOC_LENGTH)
            doc = np.repeat(np.arange(c), lengths)
            z = _sample_rows(_offset_cdf(theta), K_TRUE, doc, rng)
            w = _sample_rows(beta_cdf, N_WORDS, z, rng)
            keys, counts = np.unique(doc.astype(np.int64) * N_WORDS + w, return_counts=True)
            entries = np.column_stack((keys // N_WORDS + lo + 1, keys % N_WORDS + 1, counts))
            np.savetxt(handle, entries, fmt="%d")
            tokens += int(w.shape[0])
            nnz += len(keys)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as out, open(body, "rb") as src:
        out.write(f"{n_docs}\n{N_WORDS}\n{nnz}\n".encode("ascii"))
        shutil.copyfileobj(src, out, 1 << 24)
    body.unlink()
    os.replace(tmp, path)
    (workdir / f"vocab.synth-{n_docs}.txt").write_text("".join(w + "\n" for w in words),
                                                       encoding="ascii")
    seconds = time.perf_counter() - start
    meta = {"params": params, "documents": n_docs, "tokens": tokens, "entries": nnz,
            "bytes": path.stat().st_size, "file": path.name, "format": "uci"}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"  {tokens:,} tokens, {nnz:,} entries, {meta['bytes'] / 2**20:,.0f} MiB in "
        f"{seconds:.1f} s")
    return meta | {"path": str(path), "generated_seconds": seconds}


# --------------------------------------------------------------------------- measuring


def measure(cmd: list[str], logs: Path, label: str) -> dict:
    """Run ``cmd`` in a fresh wrapper process: wall time, peak RSS, CPU, its stdout/stderr."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{label}.stdout", logs / f"{label}.stderr"
    source0, busy0 = source_fingerprint(), cpu_busy_seconds()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(out), str(err), *cmd],
                          capture_output=True, text=True)
    busy1, source1 = cpu_busy_seconds(), source_fingerprint()
    if proc.returncode != 0:
        raise SystemExit(f"bench_online: the measuring wrapper failed:\n{proc.stderr}")
    r = json.loads(proc.stdout)
    own = r["user_seconds"] + r["system_seconds"]
    r["cpu_seconds"] = own
    r["peak_rss_mib"] = r.pop("peak_rss_kib") / 1024
    r["other_processes_cores"] = (None if busy0 is None or busy1 is None else
                                  max(0.0, (busy1 - busy0 - own) / r["wall_seconds"]))
    r["command"] = cmd
    r["lda_vi_source"] = source0 if source0 == source1 else f"{source0} -> {source1}"
    if source0 != source1:
        log(f"  WARNING: lda_vi/*.py changed while {label} ran: its numbers mix two versions")
    r["stderr_tail"] = err.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
    if r["returncode"] != 0:
        raise SystemExit(f"bench_online: {label} failed (exit {r['returncode']}): "
                         f"{' '.join(cmd)}\n  " + "\n  ".join(r["stderr_tail"]))
    busy = "" if r["other_processes_cores"] is None else \
        f", other processes {r['other_processes_cores']:.2f} cores"
    steps = r["peak_rss_steps"]
    polled = steps[-1][1] if steps else 0.0
    r["peak_after_last_poll"] = r["peak_rss_mib"] > polled + 1
    when = (" (after the last poll: at exit)" if r["peak_after_last_poll"]
            else f" (reached at {steps[-1][0]:.1f} s)" if steps else "")
    log(f"  {label}: {r['wall_seconds']:.1f} s, peak RSS {r['peak_rss_mib']:.0f} MiB{when}, "
        f"CPU {own:.1f} s{busy}")
    return r


def source_fingerprint() -> str:
    """A hash of lda_vi/*.py: each run records it before and after, to catch the library
    changing under a long benchmark."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "lda_vi").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            n += block.count(b"\n")
    return n


def recovery(model_dir: Path, beta_true: np.ndarray, words: list[str]) -> dict:
    """Match the fitted β̄ to the true β, one to one (Hellinger), on the model's vocabulary.

    The true rows are restricted to the words the model kept (pruning drops rare
    words) and renormalized; ``true_mass_kept`` is the mass they had before.
    """
    from lda_vi.evaluate.metrics import match_topics
    from lda_vi.model.lda import LDA

    model = LDA.load(model_dir)
    index = {w: i for i, w in enumerate(words)}
    ids = np.array([index[w] for w in model.vocab.words])
    sub = beta_true[:, ids]
    mass = sub.sum(axis=1)
    _, dist = match_topics(sub / mass[:, None], model.beta)
    return {"mean_hellinger": float(dist.mean()), "median_hellinger": float(np.median(dist)),
            "max_hellinger": float(dist.max()), "topics_below_0.2": int((dist < 0.2).sum()),
            "hellinger": dist.tolist(), "vocabulary": len(ids),
            "true_mass_kept_mean": float(mass.mean())}


def _mean_share(values: list[float], first: bool) -> float:
    """Mean of the first (or last) tenth of ``values``, at least one value."""
    m = max(1, len(values) // 10)
    part = values[:m] if first else values[-m:]
    return float(sum(part) / len(part))


_FIT_SECONDS = re.compile(r"online VB: .*, ([0-9.]+)s\s*$")


def bench_size(exe: str, corpus: dict, workdir: Path, logs: Path, phases: bool,
               keep_outputs: bool, beta: np.ndarray, words: list[str],
               options: list[str] = FIT_OPTIONS) -> dict:
    n = corpus["documents"]
    path = corpus["path"]
    outdir = workdir / f"out-{n}"
    log(f"{n:,} documents: lda-vi fit ... -o {outdir}")
    full = measure([exe, "fit", path, *options, "-q", "-o", str(outdir), "--force"],
                   logs, f"fit-{n}")
    run = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    csv_path = outdir / "doc_topics.csv"
    rows = count_lines(csv_path) - 1
    record = {"documents": n, "tokens_generated": corpus["tokens"],
              "tokens_in_vocabulary": run["corpus"]["tokens"],
              "vocabulary": run["corpus"]["words"], "file_mib": corpus["bytes"] / 2**20,
              "updates": run["updates"], "full": full,
              "training_seconds": run["fit_seconds"],
              "update_seconds": float(sum(run["seconds_per_update"])),
              "update_seconds_first_tenth": _mean_share(run["seconds_per_update"], first=True),
              "update_seconds_last_tenth": _mean_share(run["seconds_per_update"], first=False),
              "doc_topics_rows": rows, "doc_topics_mib": csv_path.stat().st_size / 2**20}
    if rows != n:
        log(f"  WARNING: doc_topics.csv has {rows} rows for {n} documents")
    record["recovery"] = recovery(outdir, beta, words)
    log(f"  recovery: mean Hellinger {record['recovery']['mean_hellinger']:.3f}")
    if not keep_outputs:
        csv_path.unlink()
    if phases:
        log(f"{n:,} documents: lda-vi fit ... (no -o, progress on: training time)")
        bare = measure([exe, "fit", path, *options], logs, f"fit-no-output-{n}")
        lines = (logs / f"fit-no-output-{n}.stderr").read_text(encoding="utf-8").splitlines()
        found = [m for m in map(_FIT_SECONDS.search, lines) if m]
        record["no_output"] = bare
        record["no_output_training_seconds"] = float(found[-1].group(1)) if found else None
        if not found:
            log("  WARNING: no 'online VB: ... Ns' line on stderr: the time is not split")
    return record


def derive(record: dict, startup: float | None) -> None:
    """Split the wall time: start-up, counting pass, training pass, writing (-o)."""
    full, bare = record["full"], record.get("no_output")
    record["docs_per_second"] = record["documents"] / full["wall_seconds"]
    if bare is None or record.get("no_output_training_seconds") is None:
        return
    train = record["no_output_training_seconds"]
    record["phases"] = {
        "startup_seconds": startup,
        "counting_seconds": bare["wall_seconds"] - train - (startup or 0.0),
        "training_seconds": train,
        "writing_seconds": full["wall_seconds"] - bare["wall_seconds"],
    }


# --------------------------------------------------------------------------- reporting


def _f(x: float | None, spec: str) -> str:
    return "n/a" if x is None else format(x, spec)


def _measured(report: dict) -> list[dict]:
    """Every measured lda-vi run of the report."""
    runs = [report["startup"]] if report.get("startup") else []
    for r in report["runs"]:
        runs += [r[key] for key in ("full", "no_output") if r.get(key)]
    return runs


def markdown(report: dict) -> str:
    runs = report["runs"]
    lines = [
        "| documents | tokens (in vocabulary) | words | wall s | docs/s | peak RSS MiB "
        "| peak RSS MiB, no -o | start-up s | counting pass s | training pass s "
        "| writing θ (-o) s | recovery: mean Hellinger (median; topics < 0.2) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    flagged = False
    for r in runs:
        ph = r.get("phases", {})
        mark = ""
        for key in ("full", "no_output"):
            other = (r.get(key) or {}).get("other_processes_cores")
            if other is not None and other > BUSY_CORES:
                mark, flagged = " †", True
        bare, rec = r.get("no_output"), r["recovery"]
        lines.append(
            f"| {r['documents']:,} | {r['tokens_generated']:,} ({r['tokens_in_vocabulary']:,}) "
            f"| {r['vocabulary']:,} | {r['full']['wall_seconds']:.1f}{mark} "
            f"| {r['docs_per_second']:,.0f} | {r['full']['peak_rss_mib']:.0f} "
            f"| {_f(bare and bare['peak_rss_mib'], '.0f')} "
            f"| {_f(ph.get('startup_seconds'), '.1f')} | {_f(ph.get('counting_seconds'), '.1f')} "
            f"| {_f(ph.get('training_seconds', r['training_seconds']), '.1f')} "
            f"| {_f(ph.get('writing_seconds'), '.1f')} "
            f"| {rec['mean_hellinger']:.3f} ({rec['median_hellinger']:.3f}; "
            f"{rec['topics_below_0.2']}/{len(rec['hellinger'])}) |")
    lines += [
        "",
        "| documents | minibatches | training pass s | E-step + update s | reading + tokenizing s "
        "| s per minibatch, first / last tenth |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r['documents']:,} | {r['updates']:,} | {r['training_seconds']:.1f} "
            f"| {r['update_seconds']:.1f} | {r['training_seconds'] - r['update_seconds']:.1f} "
            f"| {r['update_seconds_first_tenth']:.3f} / {r['update_seconds_last_tenth']:.3f} |")
    lines.append("")
    s = report.get("scaling")
    if s:
        lines.append(
            f"{s['large']:,} vs {s['small']:,} documents ({s['size_ratio']:g}× the data): "
            f"wall time ×{s['time_ratio']:.2f}, ×{s['time_ratio_after_startup']:.2f} after "
            f"start-up (×{s['size_ratio']:g} is linear); peak RSS "
            f"×{s['rss_ratio']:.2f} with -o"
            + (f", ×{s['rss_ratio_no_output']:.2f} without" if s.get("rss_ratio_no_output")
               else "") + " (×1 is flat).")
        lines.append("")
    st = report.get("startup")
    lines.append(
        "`wall s`, `peak RSS MiB`: the whole `lda-vi fit FILE " + " ".join(report["fit_options"])
        + " -q -o OUTDIR --force` process (input: " + report["args"].get("format", "text")
        + "). It reads the file three times: a counting pass "
        "(the vocabulary; for UCI, the pass that checks the file and counts its documents), "
        "the training pass (online VB, one pass) and, because of `-o`, a "
        "pass that infers θ of every document and writes doc_topics.csv. The split: `training "
        "pass s` is the fit time printed by the same command without `-o` and `-q`; `start-up "
        "s` is the wall time of that command on " + f"{STARTUP_DOCS:,}" + " documents "
        "(interpreter, imports, numba cache)"
        + (f", {st['wall_seconds']:.1f} s" if st else "")
        + "; `counting pass s` = wall time without `-o` − training − start-up; `writing θ "
        "(-o) s` = wall time with `-o` − wall time without. Recovery: the fitted β̄ matched one "
        "to one to the true β (Hungarian, Hellinger distance, on the words the model kept). "
        "Second table (the run with `-o`, "
        "run.json): `E-step + update s` is the sum of `seconds_per_update`, the rest of "
        "`fit_seconds` is reading, tokenizing and counting the minibatches.")
    sources = {r["lda_vi_source"] for r in _measured(report)}
    if len(sources) > 1:
        lines.append("")
        lines.append("**Warning:** lda_vi/*.py changed during the benchmark (source hashes "
                     + ", ".join(sorted(sources)) + "): the rows are not comparable.")
    if flagged:
        lines.append("")
        lines.append(f"† other processes used more than {BUSY_CORES} cores on average during "
                     "this size's runs (see `other_processes_cores` in the JSON): the times "
                     "are inflated.")
    return "\n".join(lines)


def version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip() or None
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "lda_vi"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {"cpu_model": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "git_commit": commit,
            "lda_vi_dirty": bool(dirty),
            "versions": {d: version_of(d) for d in ("lda-vi", "numpy", "scipy", "numba")}}


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100000,1000000",
                   help="corpus sizes in documents, comma-separated (default 100000,1000000)")
    p.add_argument("--quick", action="store_true", help="sizes 10000,100000")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/lda-vi-bench"),
                   help="where the corpora, true topics and fitted models go "
                        "(default /tmp/lda-vi-bench; reused when the parameters match)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    p.add_argument("--format", choices=["text", "uci"], default="text",
                   help="write the corpora as text (one document per line, tokenized by "
                        "lda-vi) or as UCI bag-of-words files streamed as counts")
    p.add_argument("--no-phases", action="store_true",
                   help="skip the second run of each size without -o (no time split)")
    p.add_argument("--keep-outputs", action="store_true",
                   help="keep each doc_topics.csv (deleted after checking by default)")
    p.add_argument("--lda-vi", dest="exe", default=None,
                   help="the lda-vi executable (default: beside this Python, else on PATH)")
    p.add_argument("--output", type=Path, default=None, help="the JSON file to write")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes = "10000,100000"
    try:
        args.size_list = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        p.error(f"--sizes: whole numbers separated by commas, got {args.sizes!r}")
    if not args.size_list or min(args.size_list) < 1:
        p.error("--sizes: at least one size >= 1")
    return args


def find_exe(given: str | None) -> str:
    if given:
        return given
    beside = Path(sys.executable).parent / "lda-vi"
    if beside.is_file():
        return str(beside)
    found = shutil.which("lda-vi")
    if not found:
        raise SystemExit("bench_online: no lda-vi executable: pip install -e . or --lda-vi PATH")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exe = find_exe(args.exe)
    info = machine_info()        # the git commit and versions as the benchmark starts
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    logs = workdir / "logs"
    free = shutil.disk_usage(workdir).free
    need = sum(n * (DOC_LENGTH * (WORD_LETTERS + 2) + 450) for n in args.size_list)
    if free < need:
        log(f"WARNING: {free / 2**30:.1f} GiB free in {workdir}; about "
            f"{need / 2**30:.1f} GiB needed (corpora and doc_topics.csv)")
    params = data_params(args.seed)
    words = make_words(N_WORDS)
    beta = true_topics(workdir, params, words)
    generate = generate_uci if args.format == "uci" else generate_corpus
    options = UCI_FIT_OPTIONS if args.format == "uci" else FIT_OPTIONS
    corpora = {n: generate(workdir, n, params, beta, words)
               for n in sorted({STARTUP_DOCS, *args.size_list})}

    # Start-up: twice on a tiny corpus (the first compiles or loads the numba cache).
    tiny = corpora[STARTUP_DOCS]["path"]
    log(f"start-up: lda-vi fit on {STARTUP_DOCS:,} documents, twice")
    measure([exe, "fit", tiny, *options, "-q"], logs, "startup-warm-cache")
    startup = measure([exe, "fit", tiny, *options, "-q"], logs, "startup")

    started = time.time()
    runs = []
    for n in args.size_list:
        record = bench_size(exe, corpora[n], workdir, logs, not args.no_phases,
                            args.keep_outputs, beta, words, options)
        derive(record, startup["wall_seconds"])
        record["corpus_generated_seconds"] = corpora[n]["generated_seconds"]
        runs.append(record)

    report = {"benchmark": "online", "date": _dt.datetime.now().isoformat(timespec="seconds"),
              "args": {"sizes": args.size_list, "workdir": str(workdir), "seed": args.seed,
                       "phases": not args.no_phases, "format": args.format},
              "lda_vi": exe, "fit_options": options, "data": params,
              "machine": info, "startup": startup, "runs": runs,
              "benchmark_seconds": time.time() - started}
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        report["scaling"] = {
            "small": small["documents"], "large": large["documents"],
            "size_ratio": large["documents"] / small["documents"],
            "time_ratio": large["full"]["wall_seconds"] / small["full"]["wall_seconds"],
            "time_ratio_after_startup": (large["full"]["wall_seconds"] - startup["wall_seconds"])
            / (small["full"]["wall_seconds"] - startup["wall_seconds"]),
            "training_ratio": large["training_seconds"] / small["training_seconds"],
            "update_seconds_ratio": large["update_seconds"] / small["update_seconds"],
            "rss_ratio": large["full"]["peak_rss_mib"] / small["full"]["peak_rss_mib"],
            "rss_ratio_no_output": (large["no_output"]["peak_rss_mib"]
                                    / small["no_output"]["peak_rss_mib"])
            if "no_output" in small and "no_output" in large else None,
        }
    table = markdown(report)
    print(table)
    output = args.output
    if output is None:
        day = _dt.date.today().isoformat()
        suffix = ("-uci" if args.format == "uci" else "") + ("-quick" if args.quick else "")
        output = RESULTS_DIR / f"online-{day}{suffix}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report | {"markdown": table}, indent=2) + "\n",
                      encoding="utf-8")
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
