"""Soak test of interrupts, resumes and overwrites (issue 16): many short fits on small
corpora, each sent SIGINT or SIGTERM at a random moment (or left alone), resumed from
its checkpoint when it left one, or written with --force over an earlier model.

After every run it checks that

- the exit status is 0 (finished) or 130 (interrupted), with no traceback and no
  "Exception ignored" on stderr, and an interrupted run's last line says so;
- a finished run's outputs are complete: the model loads, doc_topics.csv has one row
  per document, and no checkpoint is left behind; a resumed run that finished gives
  exactly the arrays of an uninterrupted run with the same settings;
- an interrupted run changed nothing but its checkpoint: every earlier output (model
  files, --doc-topics file) is byte for byte what it was, or still absent;
- a checkpoint, when there is one, is whole (both files, and it loads);
- no temporary file (``.*.tmp``) and no lock file is left anywhere.

    python benchmarks/soak_interrupts.py                 # 100 runs
    python benchmarks/soak_interrupts.py --runs 20 --seed 3 --json soak.json

Not a test (it takes minutes): run it by hand after touching outputs, signals or the CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AP = ROOT.parent / "shared" / "corpora" / "ap" / "ap.txt"
MAIN = "import sys; from lda_vi.cli import main; sys.argv[0] = 'lda-vi'; main()"
MODEL_FILES = ["arrays.npz", "doc_ids.txt", "doc_topics.csv", "model.json", "run.json",
               "topic_words.csv", "vocab.txt"]
CHECKPOINT = ["checkpoint.json", "checkpoint.npz"]

sys.path.insert(0, str(ROOT))


def make_corpora(workdir: Path, rng: random.Random) -> list[Path]:
    """Three small corpora: slices of AP if it is there, else random text."""
    if AP.is_file():
        lines = AP.read_text(encoding="utf-8").splitlines()
    else:
        vocab = [f"w{i}" for i in range(600)]
        lines = [" ".join(rng.choices(vocab, k=rng.randint(20, 120))) for _ in range(2000)]
    corpora = []
    for i, (lo, n) in enumerate([(0, 100), (400, 200), (900, 400)]):
        path = workdir / f"corpus{i}.txt"
        path.write_text("\n".join(lines[lo:lo + n]) + "\n", encoding="utf-8")
        corpora.append(path)
    return corpora


def snapshot(directory: Path, files: list[Path]) -> dict[str, bytes | None]:
    """The bytes of every file in the output ``directory`` (checkpoints aside; none when it
    is absent) and of each of ``files`` (None when absent)."""
    out: dict[str, bytes | None] = {}
    if directory.is_dir():
        for f in sorted(directory.iterdir()):
            if f.name not in CHECKPOINT:
                out[str(f)] = f.read_bytes()
    for path in files:
        out[str(path)] = path.read_bytes() if path.exists() else None
    return out


def leftovers(workdir: Path) -> list[str]:
    return sorted(str(p) for p in workdir.rglob("*")
                  if p.name.endswith(".tmp") or p.name == ".lda-vi.lock")


def run_cli(args: list[str], signum: int | None, when: tuple[str, float | str]
            ) -> tuple[int, list[str], str]:
    """Run ``lda-vi ARGS``; send ``signum`` after ``when`` = ("time", seconds) or
    ("line", text on stderr). Returns (exit status, stderr lines, phase at the signal)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", MAIN, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    phase = ["none"]

    def read() -> None:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if signum is not None:
        kind, value = when
        deadline = time.monotonic() + (value if kind == "time" else 120.0)
        while proc.poll() is None and time.monotonic() < deadline:
            if kind == "line" and any(value in line for line in lines):
                break
            time.sleep(0.01)
        if proc.poll() is None:
            phase[0] = lines[-1].split()[0] if lines else "start-up"
            proc.send_signal(signum)
    proc.wait(timeout=300)
    reader.join(10)
    return proc.returncode, lines, phase[0]


def check_model(out: Path, n_docs: int) -> None:
    from lda_vi.model.lda import LDA

    names = sorted(p.name for p in out.iterdir())
    assert names == MODEL_FILES, f"{out}: {names}"
    model = LDA.load(out)
    rows = (out / "doc_topics.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == n_docs + 1, f"{out}/doc_topics.csv: {len(rows)} lines"
    assert model.gamma.shape[0] == n_docs


def check_checkpoint(out: Path) -> bool:
    from lda_vi.model.checkpoint import load_checkpoint

    present = [name for name in CHECKPOINT if (out / name).exists()]
    if not present:
        return False
    assert present == CHECKPOINT, f"{out}: half a checkpoint {present}"
    load_checkpoint(out)
    return True


def arrays(out: Path) -> dict[str, np.ndarray]:
    with np.load(out / "arrays.npz") as npz:
        return {name: npz[name] for name in ("lam", "alpha", "gamma")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="write the summary here")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    started = time.monotonic()
    outcomes: Counter = Counter()
    phases: Counter = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lda-vi-soak-") as tmp:
        workdir = Path(tmp)
        corpora = make_corpora(workdir, rng)
        n_docs = {c: len(c.read_text(encoding="utf-8").splitlines()) for c in corpora}
        pending: list[tuple[list[str], Path, Path]] = []       # interrupted with a checkpoint
        references: dict[tuple, dict] = {}
        for i in range(options.runs):
            resume = pending and rng.random() < 0.5
            if resume:
                base, out, corpus = pending.pop(rng.randrange(len(pending)))
                args = base + ["--resume", str(out)]
                kind = "resume"
            else:
                corpus = rng.choice(corpora)
                k = rng.choice([3, 5, 8])
                base = [str(corpus), "-k", str(k), "--seed", str(rng.randrange(5)), "--tol",
                        "0", "--max-iter", str(rng.choice([4, 10, 25])), "--threads",
                        str(rng.choice([1, 2]))]
                base = ["fit", *base]
                reuse = [p for p in workdir.glob("out*") if (p / "model.json").exists()]
                if reuse and rng.random() < 0.4:
                    out, kind = rng.choice(reuse), "force"
                    args = base + ["-o", str(out), "--force"]
                else:
                    out, kind = workdir / f"out{i}", "fresh"
                    args = base + ["-o", str(out)]
                if rng.random() < 0.5:
                    args += ["--checkpoint-every", str(rng.choice([1, 2, 3]))]
                theta = workdir / f"theta{i % 4}.csv"
                args += ["--doc-topics", str(theta), "--force"]
            signum = rng.choice([None, signal.SIGINT, signal.SIGINT, signal.SIGTERM])
            when = (("line", rng.choice(["iteration", "coherence", "corpus:"]))
                    if rng.random() < 0.5 else ("time", rng.uniform(0.2, 6.0)))
            files = ([Path(args[args.index("--doc-topics") + 1])]
                     if "--doc-topics" in args else [])
            before = snapshot(out, files)
            code, err, phase = run_cli(args, signum, when)
            label = f"run {i} ({kind}, {' '.join(args)}, signal {signum}, {when})"
            try:
                assert not any("Traceback" in line or "Exception ignored" in line
                               for line in err), "\n".join(err)
                assert code in (0, 130), f"exit {code}: {err[-3:]}"
                if code == 0:
                    check_model(out, n_docs[corpus])
                    outcomes[f"{kind}: finished"] += 1
                    if kind == "resume":
                        key = tuple(base)
                        if key not in references:
                            ref = workdir / f"ref{len(references)}"
                            ref_code, ref_err, _ = run_cli(base + ["-o", str(ref), "-q"],
                                                           None, ("time", 0))
                            assert ref_code == 0, ref_err
                            references[key] = arrays(ref)
                        got = arrays(out)
                        assert all(np.array_equal(got[n], references[key][n]) for n in got), \
                            "a resumed fit differs from the uninterrupted one"
                        outcomes["resume: identical to uninterrupted"] += 1
                else:
                    assert err and err[-1].startswith("interrupted ("), err[-3:]
                    phases[phase] += 1
                    outcomes[f"{kind}: interrupted"] += 1
                    assert snapshot(out, files) == before, "an interrupted run changed an output"
                    if out.exists() and check_checkpoint(out):
                        assert "--resume" in err[-1], err[-1]
                        pending.append((base, out, corpus))
                        outcomes["interrupted with a checkpoint"] += 1
                left = leftovers(workdir)
                assert not left, f"left behind: {left}"
            except AssertionError as exc:
                failures.append(f"{label}: {exc}")
                print(f"FAIL {label}: {exc}", flush=True)
            else:
                print(f"ok   run {i:3d} {kind:6s} exit {code:3d} signal "
                      f"{signal.Signals(signum).name if signum else '-':7s} at {phase}",
                      flush=True)
    summary = {"runs": options.runs, "seed": options.seed, "failures": failures,
               "outcomes": dict(sorted(outcomes.items())),
               "interrupted in phase (last stderr word)": dict(sorted(phases.items())),
               "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(summary, indent=2))
    if options.json:
        Path(options.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
