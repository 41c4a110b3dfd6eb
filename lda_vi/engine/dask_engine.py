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
to the same result, since a task is a pure function of its inputs.

Pure functions over arrays, like the rest of the engine: nothing is printed;
a recovery is recorded in :attr:`DaskEngine.recoveries` and announced with a
:class:`RuntimeWarning`.

Glossary of shapes: D documents, V words, K topics, S shards, P partitions.
"""

from __future__ import annotations

import time
import uuid
import warnings
from dataclasses import dataclass, field

import numpy as np
from distributed import Client, Future

from lda_vi.engine.dask_cluster import Cluster, connect
from lda_vi.engine.dask_tasks import (
    CALL_TIMEOUT,
    LOST,
    MAX_RETRIES,
    RETRY_PAUSE,
    TASK_TIMEOUT,
    ClusterError,
    Traffic,
    WorkerLeft,
    _nbytes,
    _one_line,
    partition_runs,
    run_partition,
)
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.settings import EStepSettings
from lda_vi.engine.shards import (
    SHARD_DOCS,
    CorpusStep,
    ShardResult,
    assemble,
    shard_ranges,
    split_corpus,
    standalone,
    tree_sum,
)

__all__ = ["Cluster", "ClusterError", "DaskEngine", "connect", "minibatch_e_step",
           "partition_runs"]


@dataclass
class _Partition:
    first: int                # shard indices [first, last)
    last: int
    lo: int                   # document rows [lo, hi)
    hi: int
    worker: str = ""
    data: list[Future] = field(default_factory=list)
    nbytes: int = 0           # of its shards' arrays


class DaskEngine:
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
        workers = self._workers()
        weights = [s.nnz + s.n_docs for s in self.shards]    # the E-step's cost, roughly
        runs = partition_runs(weights, n_partitions or len(workers))
        self.partitions = [_Partition(a, b, self.ranges[a][0], self.ranges[b - 1][1])
                           for a, b in runs]
        for i, part in enumerate(self.partitions):
            self._place(part, workers[i % len(workers)])
        self._closed = False

    # -------------------------------------------------------------- placement
    def _call(self, method: str, **kwargs):
        """A scheduler RPC, bounded by ``call_timeout`` (OSError/TimeoutError when not met)."""
        return self.client.sync(getattr(self.client.scheduler, method),
                                callback_timeout=self.call_timeout, **kwargs)

    def _running(self) -> list[str]:
        """The addresses of the running workers, in order."""
        return sorted(self._call("ncores_running"))

    def _workers(self) -> list[str]:
        """The running workers (waits ``call_timeout`` for one to join)."""
        workers = self._running()
        if not workers:
            try:
                self.client.wait_for_workers(1, timeout=self.call_timeout)
            except TimeoutError:
                raise ClusterError(f"no Dask worker joined the scheduler within "
                                   f"{self.call_timeout:g}s; start one with "
                                   f"'dask worker {self.client.scheduler.address}'") from None
            workers = self._running()
        return workers

    def _scatter(self, data: list, **options) -> list[Future]:
        try:
            return self.client.scatter(data, hash=False, timeout=self.call_timeout, **options)
        except KeyError as exc:              # the scheduler no longer knows a target worker
            raise WorkerLeft(f"worker {exc} left") from None

    def _place(self, part: _Partition, worker: str) -> None:
        """Scatter the partition's shards to ``worker`` (its data futures are replaced)."""
        shards = [standalone(s) if len(self.shards) > 1 else s
                  for s in self.shards[part.first:part.last]]     # views would carry it all
        part.data = self._scatter(shards, workers=[worker])
        part.nbytes = sum(_nbytes(s) for s in shards)
        part.worker = worker

    def _prepare(self, rebalance: bool) -> None:
        """Check the placement before running: partitions whose worker left or whose shards
        were lost are scattered again (from the driver's copy) to the least loaded workers;
        with ``rebalance``, a worker with no partition (e.g. restarted after a loss) takes
        one from a worker with two or more."""
        workers = self._workers()
        keys = [f.key for part in self.partitions for f in part.data]
        holders = self._call("who_has", keys=keys)
        load: dict[str, list[_Partition]] = {w: [] for w in workers}
        broken = []
        for part in self.partitions:
            if part.worker in load and all(holders.get(f.key) for f in part.data):
                load[part.worker].append(part)
            else:
                broken.append(part)
        for part in broken:
            worker = min(workers, key=lambda w: (len(load[w]), w))
            self._release(part.data)
            self._place(part, worker)
            load[worker].append(part)
            self.traffic.shards_scattered += part.nbytes
        for worker in sorted(w for w in workers if not load[w]) if rebalance else ():
            busiest = max(workers, key=lambda w: (len(load[w]), w))
            if len(load[busiest]) < 2:
                break
            part = load[busiest].pop()
            old = part.data
            self._place(part, worker)
            self._release(old)
            load[worker].append(part)

    # ----------------------------------------------------------------- E-step
    def e_step(self, alpha: np.ndarray, expElogbetaT: np.ndarray, gamma: np.ndarray,
               restart: np.ndarray | bool, settings: EStepSettings, *,
               out: np.ndarray | None = None) -> CorpusStep:
        """E-step of every shard on the workers, γ (D×K) updated in place; see the module.
        ``out`` (V×K), when given, receives the statistics."""
        if self._closed:
            raise RuntimeError("this DaskEngine is closed")
        if gamma.shape[0] != self.n_docs:
            raise ValueError("e_step: gamma does not have one row per document")
        if not isinstance(restart, bool | np.bool_):
            restart = np.broadcast_to(np.asarray(restart, dtype=bool), (self.n_docs,))
        self.traffic = Traffic()
        done: dict[int, dict] = {}
        for attempt in range(self.max_retries + 1):
            try:
                if attempt:
                    time.sleep(RETRY_PAUSE * attempt)   # let the scheduler see who left
                self._prepare(rebalance=attempt == 0)
                self._run(alpha, expElogbetaT, gamma, restart, done, settings)
                break
            except LOST as exc:
                reason = f"{type(exc).__name__}: {_one_line(exc)}"
                if attempt == self.max_retries:
                    raise ClusterError(f"the Dask E-step failed {attempt + 1} times; last: "
                                       f"{reason}") from exc
                self.recoveries.append(reason)
                warnings.warn(f"lost a Dask worker during the E-step ({reason}); running "
                              f"{len(self.partitions) - len(done)} of {len(self.partitions)} "
                              f"partitions again (retry {attempt + 1} of {self.max_retries})",
                              RuntimeWarning, stacklevel=2)
        known: dict[tuple[int, int], np.ndarray] = {}
        parts = []
        for index, part in enumerate(self.partitions):
            res = done[index]
            known.update(res["nodes"])
            gamma[part.lo:part.hi] = res["gamma"]
            parts.append(ShardResult(res["gamma"], None, res["doc_terms"], res["word_bound"],
                                     res["n_inner"], res["restarted"]))
        statsT = tree_sum(lambda a, b: known.get((a, b)), 0, len(self.ranges))
        if out is not None:
            np.copyto(out, statsT)
            statsT = out
        elif not statsT.flags.writeable:     # received from a worker: EM adds η in place
            statsT = statsT.copy()
        return assemble(parts, statsT)

    def _run(self, alpha, expElogbetaT, gamma, restart, done: dict[int, dict],
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
                rows = gamma[part.lo:part.hi]
                mask = restart if isinstance(restart, bool | np.bool_) else \
                    np.ascontiguousarray(restart[part.lo:part.hi])
                (rows_f,) = self._scatter([rows], workers=[part.worker])
                sent.append(rows_f)
                self.traffic.to_workers += rows.nbytes + np.asarray(mask).nbytes
                if per_doc:
                    part_alpha = np.ascontiguousarray(alpha[part.lo:part.hi])
                    (alpha_f,) = self._scatter([part_alpha], workers=[part.worker])
                    sent.append(alpha_f)
                    self.traffic.to_workers += part_alpha.nbytes
                futures[index] = client.submit(
                    run_partition, part.data, part.first, len(self.ranges), alpha_f, bT_f,
                    rows_f, mask, settings,
                    threads=self.threads, key=f"lda-vi-estep-{index}-{token}", pure=False,
                    workers=[part.worker], allow_other_workers=True)
            lost: BaseException | None = None
            deadline = time.monotonic() + self.timeout
            for index, future in futures.items():     # the finished ones count, even if
                try:                                  # another was lost
                    out = future.result(timeout=max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    raise self._timed_out() from None
                except LOST as exc:
                    lost = lost or exc
                    continue
                done[index] = out
                self.traffic.from_workers += sum(
                    a.nbytes for a in (*out["nodes"].values(), out["gamma"], out["doc_terms"],
                                       out["word_bound"], out["n_inner"], out["restarted"]))
                self.traffic.nodes += len(out["nodes"])
            if lost is not None:
                raise lost
        finally:
            self._release([*sent, *futures.values()])

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

    def _release(self, futures: list[Future]) -> None:
        """Let the workers drop these data (a cluster already gone has nothing to drop)."""
        try:
            self.client.cancel(futures)
        except Exception:  # noqa: BLE001
            pass

    def close(self) -> None:
        """Release the scattered shards on the workers (the client stays open)."""
        if self._closed:
            return
        self._closed = True
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
        return engine.e_step(alpha, expElogbetaT, gamma, False, settings)
