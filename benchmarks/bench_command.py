#!/usr/bin/env python
"""The whole ``lda-vi fit`` command on AP at K=50, split into its parts, beside
scikit-learn's fit alone.

The command (issue 17)::

    lda-vi fit ap.dat --vocab vocab.txt -k 50 --threads 2 --seed 0 \\
        -o out --topic-words tw.csv --all-words

runs in a fresh child process, ``--repeat`` times; each part counts its fastest run. The child
is the CLI itself, started as ``python -c`` with a stamping import hook in front
(:func:`child`): when a module of the command is first imported, the functions that
mark its phases are wrapped to note CLOCK_MONOTONIC on entry and exit. Nothing is
imported earlier than the command itself imports it, so a lazy import shows up in the
phase that triggers it. The parts of the wall time:

- interpreter: ``python -c pass`` (fastest of ``--repeat``), start to exit;
- imports: from the child's start to the command's first work (``fit_source``),
  less the interpreter (this holds the imports, click's parsing and the checks);
- reading: ``load_corpus``; fit: ``LDA.fit_corpus`` (of which ``prepare``: the count
  layout and the first numba dispatch, which loads numba's machinery and the cached
  kernels); coherence: ``score_coherence``; writing: ``write_outputs``;
- the rest: the wall time less all of the above (between phases, the topic table on
  stdout, and the interpreter's exit, from the last atexit handler to the end).

Each part's CPU seconds (all threads; for "imports", the interpreter's start included) are
shown beside its wall seconds: on a loaded machine the CPU figures move less.
``--tree DIR`` measures the ``lda_vi`` of another checkout (e.g. an older commit: ``git
worktree add --detach DIR COMMIT``) with this script; ``--compare DIR`` measures both, run
by run in turn (so that both see the same load), and prints them side by side.

Beside it: scikit-learn's batch fit alone (50 iterations, ``n_jobs=2``, the same
2,246 documents, α = 1/K, η = 0.01, data already loaded; ``--sklearn-repeat`` runs),
in a child process too. The machine's busy cores (all processes, /proc/stat) are
recorded during every run. Usage::

    python benchmarks/bench_command.py [--repeat 5] [--sklearn-repeat 1] [--no-sklearn]
        [--compare OLD_CHECKOUT]
"""

import sys
import time

_T0 = time.monotonic()

#: The phases: (module, qualified name of the function, phase).
STAMPS = (
    ("lda_vi.evaluate.workflow", "fit_source", "work"),
    ("lda_vi.evaluate.workflow", "load_corpus", "reading"),
    ("lda_vi.evaluate.workflow", "score_coherence", "coherence"),
    ("lda_vi.evaluate.workflow", "write_outputs", "writing"),
    ("lda_vi.model.lda", "LDA.fit_corpus", "fit"),
    ("lda_vi.model.lda", "prepare", "prepare"),
)


def _stamped(fn, phase, marks):
    def wrapper(*args, **kwargs):
        start, cpu = time.monotonic(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            marks.append((phase, start, time.monotonic(), cpu, time.process_time()))
    return wrapper


class _Hook:
    """A meta-path finder that wraps the STAMPS of a module once it has run."""

    def __init__(self, marks):
        self.marks = marks
        self.modules = {m for m, _, _ in STAMPS}

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        run, marks = spec.loader.exec_module, self.marks

        def exec_module(module):
            run(module)
            for mod, qualname, phase in STAMPS:
                if mod != name:
                    continue
                owner, _, attr = qualname.rpartition(".")
                holder = getattr(module, owner) if owner else module
                setattr(holder, attr, _stamped(getattr(holder, attr), phase, marks))
        spec.loader.exec_module = exec_module
        return spec


def child(argv, stamps_path):
    """Run ``lda-vi`` with ``argv``, writing the phases' stamps to ``stamps_path``."""
    import atexit

    marks = [("start", _T0, _T0, 0.0, 0.0)]
    sys.meta_path.insert(0, _Hook(marks))

    def dump():
        import json

        with open(stamps_path, "w") as handle:
            json.dump({"marks": marks, "exit": time.monotonic(),
                       "exit_cpu": time.process_time()}, handle)
    atexit.register(dump)
    from lda_vi.cli import main

    marks.append(("cli imported", time.monotonic(), time.monotonic(), time.process_time(),
                  time.process_time()))
    sys.argv = ["lda-vi", *argv]
    main()


# ---------------------------------------------------------------------------- the parent

PARTS = ("reading", "fit", "coherence", "writing")


def _busy():
    from machine import cpu_busy_seconds

    return cpu_busy_seconds(), time.monotonic()


def _load(busy0):
    busy1, wall1 = _busy()
    return (busy1 - busy0[0]) / (wall1 - busy0[1]) if busy0[0] is not None else None


def run_command(python, repo, argv, workdir, tree=None):
    """One run of the command in a child; its parts in seconds."""
    import json
    import os
    import resource
    import shutil
    import subprocess

    shutil.rmtree(workdir / "out", ignore_errors=True)
    (workdir / "tw.csv").unlink(missing_ok=True)
    stamps = workdir / "stamps.json"
    code = (f"import sys; sys.path.insert(0, {str(repo / 'benchmarks')!r}); import bench_command;"
            f" bench_command.child({argv!r}, {str(stamps)!r})")
    env = dict(os.environ, PYTHONPATH=str(tree or repo))
    busy0 = _busy()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run([python, "-c", code], cwd=workdir, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    load = _load(busy0)
    data = json.loads(stamps.read_text())
    first = {}
    for phase, *stamps in data["marks"]:
        first.setdefault(phase, stamps)
    out = {"wall": end - start, "cpu": cpu, "machine_busy_cores": load,
           "to_work": first["work"][0] - start, "to_cli": first["cli imported"][0] - start,
           "to_work_cpu": first["work"][2], "exit": end - data["exit"],
           "exit_cpu": cpu - data["exit_cpu"]}
    for phase in ("reading", "fit", "prepare", "coherence", "writing"):
        a, b, ca, cb = first[phase]
        out[phase], out[phase + "_cpu"] = b - a, cb - ca
    return out


def run_bare(python, argv):
    """Wall seconds of ``python argv`` in a child."""
    import subprocess

    start = time.monotonic()
    subprocess.run([python, *argv], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def sklearn_child(ap_dir, k, iters, jobs):
    from bench_ap import load_ap
    from sklearn.decomposition import LatentDirichletAllocation

    X, _ = load_ap(ap_dir)
    model = LatentDirichletAllocation(n_components=k, doc_topic_prior=1 / k,
                                      topic_word_prior=0.01, learning_method="batch",
                                      max_iter=iters, n_jobs=jobs, random_state=0,
                                      evaluate_every=-1)
    start = time.perf_counter()
    model.fit(X)
    return {"fit_seconds": time.perf_counter() - start, "n_iter": model.n_iter_}


def main(argv=None):
    import argparse
    import datetime as dt
    import json
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo / "benchmarks"))
    from bench_ap import AP_DIR

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5,
                   help="runs of the command (each part: its fastest)")
    p.add_argument("--sklearn-repeat", type=int, default=1)
    p.add_argument("--no-sklearn", action="store_true")
    p.add_argument("--k", type=int, default=50)
    p.add_argument("--ap-dir", type=Path, default=AP_DIR)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--tree", type=Path, default=None,
                   help="measure the lda_vi of this checkout instead (e.g. an older commit)")
    p.add_argument("--compare", type=Path, default=None, metavar="DIR",
                   help="also measure the lda_vi of checkout DIR, alternating run by run")
    p.add_argument("--sklearn-child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.sklearn_child:
        print(json.dumps(sklearn_child(args.ap_dir, *args.sklearn_child)))
        return 0
    ap = args.ap_dir
    if not (ap / "ap.dat").is_file() or not (ap / "vocab.txt").is_file():
        print(f"error: {ap}/ap.dat and vocab.txt are needed (--ap-dir)", file=sys.stderr)
        return 2
    cmd = ["fit", str(ap / "ap.dat"), "--vocab", str(ap / "vocab.txt"), "-k", str(args.k),
           "--threads", "2", "--seed", "0", "-o", "out", "--topic-words", "tw.csv",
           "--all-words"]
    trees = [("before", args.compare), ("now", args.tree)] if args.compare else \
        [("now", args.tree)]
    runs, bare = {name: [] for name, _ in trees}, []
    with tempfile.TemporaryDirectory(prefix="lda-vi-command-") as tmp:
        work = Path(tmp)
        for _, tree in trees:
            run_command(args.python, repo, cmd, work, tree)     # warm the caches (not counted)
        for _ in range(args.repeat):                             # the trees alternate
            bare.append(run_bare(args.python, ["-c", "pass"]))
            for name, tree in trees:
                runs[name].append(run_command(args.python, repo, cmd, work, tree))
                print(json.dumps({"tree": name, **runs[name][-1]}), file=sys.stderr)
    sk = []
    if not args.no_sklearn:
        for _ in range(args.sklearn_repeat):
            busy0 = _busy()
            proc = subprocess.run([args.python, __file__, "--ap-dir", str(ap), "--sklearn-child",
                                   str(args.k), "50", "2"], capture_output=True, text=True,
                                  check=True, env=dict(os.environ, PYTHONPATH=str(repo)))
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["machine_busy_cores"] = _load(busy0)
            sk.append(row)
            print(json.dumps(row), file=sys.stderr)
    out = repo / "benchmarks" / "results" / f"command-{dt.date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": cmd, "runs": runs, "python_pass": bare,
                               "trees": {n: str(t) if t else None for n, t in trees},
                               "sklearn": sk}, indent=1))
    interp = min(bare)
    tables = {name: _parts(rows, interp) for name, rows in runs.items()}
    fastest = {name: min(rows, key=lambda r: r["wall"]) for name, rows in runs.items()}
    busy = ", ".join(f"{fastest[n]['machine_busy_cores']:.2f} ({n})" for n in runs)
    print(f"`lda-vi {cmd[0]} ap.dat {' '.join(cmd[2:])}` (AP, {args.k} topics): each part's "
          f"fastest of {args.repeat} runs; the machine's busy cores (all processes) during "
          f"the fastest run: {busy}\n")
    names = list(runs)
    print("| part | " + " | ".join(f"wall s ({n})" for n in names) + " | "
          + " | ".join(f"CPU s ({n})" for n in names) + " |")
    print("|---|" + "---:|" * (2 * len(names)))
    for i, (label, *_) in enumerate(tables[names[0]]):
        walls = [f"{tables[n][i][1]:.3f}" for n in names]
        cpus = ["" if tables[n][i][2] is None else f"{tables[n][i][2]:.3f}" for n in names]
        print(f"| {label} | " + " | ".join(walls) + " | " + " | ".join(cpus) + " |")
    print("| **whole command** (the fastest run) | "
          + " | ".join(f"**{fastest[n]['wall']:.3f}**" for n in names) + " | "
          + " | ".join(f"{fastest[n]['cpu']:.3f}" for n in names) + " |")
    if sk:
        fast = min(sk, key=lambda r: r["fit_seconds"])
        print(f"\nscikit-learn's fit alone ({fast['n_iter']} iterations, n_jobs=2): "
              f"{fast['fit_seconds']:.2f} s (machine busy cores "
              f"{fast['machine_busy_cores']:.2f}); the whole command (now) is "
              f"{fast['fit_seconds'] / fastest['now']['wall']:.1f}× faster")
    print(f"\n(written to {out})")
    return 0


def _parts(runs: list[dict], interp: float) -> list[tuple[str, float, float | None]]:
    """(part, wall s, CPU s): each part's fastest over ``runs``."""
    best = {key: min(r[key] for r in runs) for key in runs[0]}
    rest = min(r["wall"] - r["to_work"] - sum(r[k] for k in PARTS) for r in runs)
    rest_cpu = min(r["cpu"] - r["to_work_cpu"] - sum(r[k + "_cpu"] for k in PARTS)
                   for r in runs)
    return [("interpreter (`python -c pass`)", interp, None),
            ("imports, parsing, checks", best["to_work"] - interp, best["to_work_cpu"]),
            ("reading the input", best["reading"], best["reading_cpu"]),
            ("the fit", best["fit"], best["fit_cpu"]),
            ("  of which the count layout and first numba dispatch", best["prepare"],
             best["prepare_cpu"]),
            ("coherence", best["coherence"], best["coherence_cpu"]),
            ("writing the outputs", best["writing"], best["writing_cpu"]),
            ("the rest (between phases, the table, exit)", rest, rest_cpu),
            ("  of which the interpreter's exit", best["exit"], best["exit_cpu"])]


if __name__ == "__main__":
    sys.exit(main())
