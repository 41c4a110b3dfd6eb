"""Progress lines on standard error: EM iterations with an ETA, documents read per second,
and what an interrupted fit leaves to resume from."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import click

from lda_vi.engine.backend import CVB0_KERNELS, FIT_KERNELS, kernels_cached
from lda_vi.errors import LdaViError
from lda_vi.model.checkpoint import checkpoint_iterations, checkpoint_meta
from lda_vi.model.validation import check_resumable

#: Iterations whose mean duration gives the ETA (the recent rate, not the first ones').
RECENT = 5


def eta_text(seconds: float) -> str:
    """``seconds`` as 42s, 3m05s or 2h07m."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class BatchProgress:
    """One line per EM iteration: ``iteration n/max``, the bound, its relative change, the
    time per iteration and an ETA to max_iter from the last ``RECENT`` iterations (the fit
    stops sooner when it converges). The first iteration's time counts only until a second
    one is known: it holds the kernels' compile (a first run) or load."""

    def __init__(self, max_iter: int) -> None:
        self.max_iter = max_iter
        self.recent: deque[float] = deque(maxlen=RECENT)
        self.seen = 0

    def line(self, report) -> str:
        self.seen += 1
        if self.seen == 2:
            self.recent.clear()
        self.recent.append(report.seconds)
        rate = sum(self.recent) / len(self.recent)
        left = self.max_iter - report.iteration
        change = "" if report.rel_change != report.rel_change else f"{report.rel_change:9.2e}"
        eta = f"ETA {eta_text(rate * left)}" if left > 0 else "last"
        width = len(str(self.max_iter))
        last = (f"loglik {report.loglik:.6f}" if hasattr(report, "loglik")     # CVB0 sweeps
                else f"inner {report.mean_inner:5.1f}")
        return (f"iteration {report.iteration:>{width}d}/{self.max_iter}  elbo "
                f"{report.elbo:.8e}  rel {change:>9}  {report.seconds:6.3f}s  {last}  {eta}")

    def __call__(self, report) -> None:
        click.echo(self.line(report), err=True)


class ReadProgress:
    """``reading: N documents, R docs/s`` every ``every`` seconds, for inputs that take
    that long to read and tokenize; silent for small ones."""

    def __init__(self, every: float = 2.0, clock=time.monotonic) -> None:
        self.every, self.clock = every, clock
        self.start = self.last = clock()

    def line(self, n_docs: int) -> str | None:
        now = self.clock()
        if now - self.last < self.every:
            return None
        self.last = now
        rate = n_docs / (now - self.start) if now > self.start else 0.0
        return f"reading and tokenizing: {n_docs:,} documents, {rate:,.0f} docs/s"

    def __call__(self, n_docs: int) -> None:
        line = self.line(n_docs)
        if line is not None:
            click.echo(line, err=True)


def checkpoint_stamp(directory: Path) -> tuple[int, int] | None:
    """Which checkpoint ``directory`` holds now (inode and time of its checkpoint.json)."""
    try:
        info = (directory / "checkpoint.json").stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


def resume_hint(corpus: str, directory: Path, *, before: tuple[int, int] | None = None,
                settings: dict | None = None, resuming: bool = False) -> str | None:
    """What an interrupted fit into ``directory`` can be resumed from, if anything.

    A checkpoint older than this run (``before`` is its stamp when the run began), left by
    a run of other settings than ``settings``, is not named: resuming it "with the same
    options" would be refused."""
    iterations = checkpoint_iterations(directory)
    if iterations is None:
        return None
    if not resuming and settings is not None and before == checkpoint_stamp(directory):
        try:
            check_resumable(checkpoint_meta(directory), settings, directory)
        except LdaViError:
            return None
    return (f"the checkpoint of iteration {iterations} is in {directory}: continue with "
            f"'lda-vi fit {corpus} --resume {directory}' and the same options")


def compile_notice(cvb0: bool = False) -> None:
    """One stderr line when a fit's kernels are not in numba's cache yet: the first fit on
    a machine (or after an upgrade) compiles them before its first iteration."""
    if kernels_cached(CVB0_KERNELS if cvb0 else FIT_KERNELS) is False:
        click.echo("compiling the kernels for this machine: once, a few seconds (later "
                   "runs load them from numba's cache)", err=True)


class OnlineProgress:
    """One stderr line per minibatch: documents seen, rate, ETA of the pass, bound."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, report) -> None:
        self.seconds += report.seconds
        rate = report.docs_seen / self.seconds if self.seconds > 0 else float("inf")
        in_pass = report.docs_seen - report.pass_index * report.n_docs
        eta = (report.n_docs - in_pass) / rate if rate > 0 else 0.0
        click.echo(f"pass {report.pass_index + 1}/{report.passes}  docs {in_pass:,}/"
                   f"{report.n_docs:,}  {rate:,.0f} docs/s  ETA {eta:5.1f}s  "
                   f"bound {report.per_word_bound:.4f} nats/word  rho {report.rho:.3f}",
                   err=True)
