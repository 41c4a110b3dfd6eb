"""The E-step on a Dask cluster: the same bits as :class:`lda_vi.engine.shards.LocalEngine`.

The corpus is cut into the fixed shards of :mod:`lda_vi.engine.shards`; the shards
are grouped into *partitions*, runs of consecutive shards, one per worker by
default, and each partition's shards are scattered once to its worker. Each
E-step:

1. exp(Elogβ) (V×K) and α (K) are broadcast, once, to the workers holding partitions;
2. each partition gets its rows of γ (and of the restart mask);
3. one task per partition runs :func:`lda_vi.engine.shards.estep_shard` over its
   shards and adds up, with :class:`~lda_vi.engine.shards.TreeReducer`, the
   statistics of each canonical tree node inside its run
   (:func:`~lda_vi.engine.shards.canonical_nodes`); it returns those node sums
   (V×K each), its documents' new γ rows and per-document vectors;
4. the driver finishes the canonical tree (:func:`~lda_vi.engine.shards.tree_sum`)
   and writes γ back in place.

Every node is summed in the canonical order wherever it is computed, so the
statistics, γ and the bound are bit-identical to the local engine's for any
number of workers or partitions. A worker lost mid-iteration (killed,
disconnected) costs a retry of the unfinished partitions: shards whose data
was lost are scattered again from the driver's copy and the tasks run again,
to the same result, since a task is a pure function of its inputs. Each
partition's new γ is copied to a second worker before its old γ (and that one's
copy) is dropped, so a partition finished but lost before its copy landed runs
again too.

Pure functions over arrays, like the rest of the engine: nothing is printed;
a recovery is recorded in :attr:`DaskEngine.recoveries` and announced with a
:class:`RuntimeWarning`.

Glossary of shapes: D documents, V words, K topics, S shards, P partitions.
"""

from __future__ import annotations

import time
import uuid
import warnings

import numpy as np
from distributed import Client, Future
from distributed.client import _wait

from lda_vi.engine.dask_cluster import Cluster, connect
from lda_vi.engine.dask_placement import Partition, Placement, _kept
from lda_vi.engine.dask_tasks import (
    CALL_TIMEOUT,
    LOST,
    MAX_RETRIES,
    RETRY_PAUSE,
    TASK_TIMEOUT,
    ClusterError,
    Traffic,
    WorkerLeft,
    _one_line,
    copy_rows,
    partition_runs,
    pick,
    run_partition,
    summary_nbytes,
)
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.settings import EStepSettings
from lda_vi.engine.shards import (
    SHARD_DOCS,
    CorpusStep,
    RestartBlock,
    merge_totals,
    shard_ranges,
    split_corpus,
    tree_sum,
)

__all__ = ["Cluster", "ClusterError", "DaskEngine", "connect", "minibatch_e_step",
           "partition_runs"]


class DaskEngine(Placement):
    """Runs the shards' E-steps on the workers of a :class:`distributed.Client`.

    ``corpus`` is scattered once, as ``n_partitions`` runs of consecutive shards of
    ``shard_docs`` documents (default: one run per worker; the shard size is the
    algorithm's, and changes the last bits of the result, the partitions do not).
    ``threads``: kernel threads per task (default: the worker's ``nthreads``).
    ``timeout`` bounds each E-step, ``max_retries`` the retries after lost workers.
    Use as a context manager, or call :meth:`close` to free the workers' memory.
    """

    def __init__(self, corpus: CorpusArrays, client: Client, *, shard_docs: int = SHARD_DOCS,
                 n_partitions: int | None = None,
                 threads: int | None = None, timeout: float = TASK_TIMEOUT,
                 call_timeout: float = CALL_TIMEOUT, max_retries: int = MAX_RETRIES) -> None:
        if threads is not None and threads < 1:
            raise ValueError("threads must be >= 1")
        self.client = client
        self.threads = threads
        self.timeout, self.call_timeout, self.max_retries = timeout, call_timeout, max_retries
        self.n_docs = corpus.n_docs
        self.ranges = shard_ranges(corpus.n_docs, shard_docs)
        self.shards = [corpus] if len(self.ranges) == 1 else split_corpus(corpus, shard_docs)
        self.recoveries: list[str] = []
        self.traffic = Traffic()
        self._owner: np.ndarray | None = None    # the caller's γ the workers' γ came from
        self._stale = False                      # True once the workers' γ moved on
        self._copies: dict[int, Future] = {}     # copies of this E-step's new γ, by partition
        workers = self._workers()
        weights = [s.nnz + s.n_docs for s in self.shards]    # the E-step's cost, roughly
        runs = partition_runs(weights, n_partitions or len(workers))
        self.partitions = [Partition(a, b, self.ranges[a][0], self.ranges[b - 1][1])
                           for a, b in runs]
        for i, part in enumerate(self.partitions):
            self._place(part, workers[i % len(workers)])
        self._closed = False

    # ----------------------------------------------------------------- E-step
    def e_step(self, alpha: np.ndarray, expElogbetaT: np.ndarray, gamma: np.ndarray,
               restart: RestartBlock | np.ndarray | bool, settings: EStepSettings, *,
               out: np.ndarray | None = None) -> CorpusStep:
        """E-step of every shard on the workers; see the module. ``out`` (V×K), when given,
        receives the statistics.

        γ stays on the workers: the first call (or a call with another array) sends
        ``gamma``'s rows; later calls with the same array continue from the workers' γ,
        and ``gamma`` itself is brought up to date only by :meth:`sync_gamma`.
        """
        if self._closed:
            raise RuntimeError("this DaskEngine is closed")
        if gamma.shape[0] != self.n_docs:
            raise ValueError("e_step: gamma does not have one row per document")
        if gamma is not self._owner:
            self._drop_gamma()
            self._owner, self._stale = gamma, False
        self.traffic = Traffic()
        done: dict[int, tuple[dict, Future]] = {}
        self._copies = {}
        try:
            self._attempts(alpha, expElogbetaT, restart, done, settings)
        except BaseException:
            self._release([*(f for _, f in done.values()), *self._copies.values()])
            self._copies = {}
            raise
        known: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        totals = []
        for index, part in enumerate(self.partitions):
            summary, new_gamma = done[index]
            known.update(summary["nodes"])
            totals.append(summary["totals"])
            self._release([f for f in (part.gamma, part.backup) if f is not None])
            part.gamma, part.backup = new_gamma, self._copies.get(index)
        self._copies = {}
        self._stale = True
        n_shards = len(self.ranges)
        statsT = tree_sum(lambda a, b: known[(a, b)][0] if (a, b) in known else None,
                          0, n_shards)
        elogtheta = tree_sum(lambda a, b: known[(a, b)][1] if (a, b) in known else None,
                             0, n_shards)
        if out is not None:
            np.copyto(out, statsT)
            statsT = out
        elif not statsT.flags.writeable:     # received from a worker: EM adds η in place
            statsT = statsT.copy()
        return CorpusStep(statsT, np.array(elogtheta), summary=merge_totals(totals))

    def _attempts(self, alpha, expElogbetaT, restart, done, settings) -> None:
        """Run the partitions, retrying those a lost worker took with it."""
        for attempt in range(self.max_retries + 1):
            try:
                if attempt:
                    time.sleep(RETRY_PAUSE * attempt)   # let the scheduler see who left
                self._prepare(rebalance=attempt == 0, done=done)
                self._run(alpha, expElogbetaT, restart, done, settings)
                self._back_up(done)
                return
            except LOST as exc:
                reason = f"{type(exc).__name__}: {_one_line(exc)}"
                if attempt == self.max_retries:
                    raise ClusterError(f"the Dask E-step failed {attempt + 1} times; last: "
                                       f"{reason}") from exc
                self.recoveries.append(reason)
                warnings.warn(f"lost a Dask worker during the E-step ({reason}); running "
                              f"{len(self.partitions) - len(done)} of {len(self.partitions)} "
                              f"partitions again (retry {attempt + 1} of {self.max_retries})",
                              RuntimeWarning, stacklevel=3)

    def _run(self, alpha, expElogbetaT, restart, done: dict[int, tuple[dict, Future]],
             settings: EStepSettings) -> None:
        """Run the partitions not in ``done`` once; results go into ``done``."""
        client = self.client
        bT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
        alpha = np.ascontiguousarray(alpha, dtype=np.float64)
        holders = sorted({part.worker for i, part in enumerate(self.partitions)
                          if i not in done})
        per_doc = alpha.ndim == 2            # α_d (D×K, MATH.md C1) travels by partition
        if per_doc:
            (bT_f,) = self._scatter([bT], workers=holders, broadcast=True)
            self.traffic.broadcast += bT.nbytes
            sent: list[Future] = [bT_f]
        else:
            bT_f, alpha_f = self._scatter([bT, alpha], workers=holders, broadcast=True)
            self.traffic.broadcast += bT.nbytes + alpha.nbytes
            sent = [bT_f, alpha_f]
        futures: dict[int, Future] = {}
        token = uuid.uuid4().hex[:12]
        try:
            for index, part in enumerate(self.partitions):
                if index in done:
                    continue
                rows_f = part.gamma
                if rows_f is None:           # γ from the caller's array: the first E-step
                    rows = self._owner[part.lo:part.hi]
                    (rows_f,) = self._scatter([rows], workers=[part.worker])
                    sent.append(rows_f)
                    self.traffic.to_workers += rows.nbytes
                mask = restart
                if isinstance(restart, np.ndarray):
                    mask = np.ascontiguousarray(np.broadcast_to(
                        restart, (self.n_docs,))[part.lo:part.hi])
                    self.traffic.to_workers += mask.nbytes
                if per_doc:
                    part_alpha = np.ascontiguousarray(alpha[part.lo:part.hi])
                    (alpha_f,) = self._scatter([part_alpha], workers=[part.worker])
                    sent.append(alpha_f)
                    self.traffic.to_workers += part_alpha.nbytes
                futures[index] = client.submit(
                    run_partition, part.data, part.first, len(self.ranges), alpha_f, bT_f,
                    rows_f, mask, settings, threads=self.threads, row_lo=part.lo,
                    key=f"lda-vi-estep-{index}-{token}", pure=False,
                    workers=[part.worker], allow_other_workers=True)
            picks = {index: tuple(client.submit(
                pick, f, name, key=f"{f.key}-{name}", pure=False,
                workers=[self.partitions[index].worker], allow_other_workers=True)
                for name in ("summary", "gamma")) for index, f in futures.items()}
            lost: BaseException | None = None
            deadline = time.monotonic() + self.timeout
            for index, (summary_f, gamma_f) in picks.items():   # the finished ones count,
                try:                                            # even if another was lost
                    summary = summary_f.result(timeout=max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    raise self._timed_out() from None
                except LOST as exc:
                    lost = lost or exc
                    self._release([gamma_f])
                    continue
                done[index] = (summary, gamma_f)
                self.traffic.from_workers += summary_nbytes(summary)
                self.traffic.nodes += len(summary["nodes"])
            self._release([f for f, _ in picks.values()])
            if lost is not None:
                raise lost
        finally:
            self._release([*sent, *futures.values()])

    def _back_up(self, done: dict[int, tuple[dict, Future]]) -> None:
        """Copy each finished partition's new γ to another worker (into ``_copies``), while
        the old γ and its copy are still kept: a worker lost at any moment loses no γ.

        A new γ lost before its copy landed is dropped from ``done`` (the retry runs its
        partition again from the old γ, or that one's copy) and raises :class:`WorkerLeft`;
        one whose copy landed is replaced by the copy. The holder is asked, not assumed (a
        task may have run away from its partition's worker). γ itself never leaves its
        holder: a local copy travels instead and is released, since the scheduler's replica
        reduction could otherwise keep γ's one replica on the very worker that holds the copy.
        """
        self._copy_gamma({index: gamma for index, (_, gamma) in done.items()
                          if index not in self._copies})
        holders = self._call("who_has", keys=[f.key for f in (
            *(gamma for _, gamma in done.values()), *self._copies.values())])
        lost = []
        for index, (summary, gamma) in list(done.items()):
            if _kept(gamma, holders):
                continue
            copy = self._copies.pop(index, None)
            self._release([gamma])
            if copy is not None and _kept(copy, holders):
                done[index] = (summary, copy)       # the copy stands in (with none of its own)
                continue
            self._release([copy] if copy is not None else [])
            done.pop(index)
            lost.append(self.partitions[index])
        if lost:
            raise WorkerLeft("the new γ of documents " + ", ".join(
                f"[{p.lo}, {p.hi})" for p in lost) + " was lost before its copy landed")

    def _copy_gamma(self, todo: dict[int, Future]) -> None:
        """Copy these γ (by partition index) each to a worker other than its holder; a worker
        that leaves meanwhile only leaves some without a copy."""
        workers = self._running()
        if len(workers) < 2:
            return
        carriers = []
        try:                    # (distributed.wait would look for a default client)
            self.client.sync(_wait, list(todo.values()), timeout=self.call_timeout)
            holders = self._call("who_has", keys=[f.key for f in todo.values()])
            for index, gamma in todo.items():
                held = list(holders.get(gamma.key) or ())
                if not held or held[0] not in workers:
                    continue    # lost, or on a worker leaving
                start = workers.index(held[0]) + 1
                other = next(w for w in (workers[(start + i) % len(workers)]
                                         for i in range(len(workers))) if w != held[0])
                carrier = self.client.submit(copy_rows, gamma, workers=[held[0]],
                                             allow_other_workers=False, pure=False)
                self._copies[index] = self.client.submit(copy_rows, carrier, workers=[other],
                                                         allow_other_workers=False, pure=False)
                carriers.append(carrier)
                part = self.partitions[index]
                self.traffic.gamma_copied += (part.hi - part.lo) * self._owner.shape[1] * 8
            self.client.sync(_wait, [self._copies[i] for i in todo if i in self._copies],
                             timeout=self.call_timeout)
        except LOST:
            pass
        finally:
            self._release(carriers)

    def sync_gamma(self, gamma: np.ndarray) -> None:
        """Bring the workers' γ into ``gamma`` (D×K), which the E-steps left as it was."""
        if not self._stale or self._owner is None:
            return
        rows = self.client.gather([part.gamma for part in self.partitions])
        for part, values in zip(self.partitions, rows, strict=True):
            gamma[part.lo:part.hi] = values
            self.traffic.gamma_gathered += values.nbytes
        if gamma is self._owner:
            self._stale = False

    def _drop_gamma(self) -> None:
        for part in self.partitions:
            self._release([f for f in (part.gamma, part.backup) if f is not None])
            part.gamma = part.backup = None

    def _timed_out(self) -> ClusterError:
        return ClusterError(f"the Dask E-step did not finish within {self.timeout:g}s (a worker "
                            "hung, or the cluster is overloaded)")

    # ------------------------------------------------------------- lifetime
    def describe(self) -> dict:
        """What run.json records of this engine."""
        return {"name": "dask", "scheduler": self.client.scheduler.address,
                "workers": len(self._running()),
                "partitions": len(self.partitions), "shards": len(self.ranges),
                "recoveries": list(self.recoveries),
                "bytes_last_iteration": self.traffic.as_dict()}

    def close(self) -> None:
        """Release the scattered shards on the workers (the client stays open)."""
        if self._closed:
            return
        self._closed = True
        self._drop_gamma()
        self._release([f for part in self.partitions for f in part.data])
        for part in self.partitions:
            part.data = []

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def minibatch_e_step(client: Client, arrays: CorpusArrays, alpha: np.ndarray,
                     expElogbetaT: np.ndarray, gamma: np.ndarray, settings: EStepSettings,
                     **options) -> CorpusStep:
    """One E-step of a minibatch on the cluster (online VB): its shards are scattered, run
    and released; γ (B×K) is updated in place. ``options`` go to :class:`DaskEngine`."""
    with DaskEngine(arrays, client, **options) as engine:
        step = engine.e_step(alpha, expElogbetaT, gamma, False, settings)
        engine.sync_gamma(gamma)
        return step
