"""Where the Dask engine's data lives: the partitions' shards and γ on the workers.

:class:`Placement` is the part of :class:`lda_vi.engine.dask_engine.DaskEngine` that
scatters, checks and moves the partitions (runs of consecutive shards) between
workers, and finds the copy of a lost worker's γ on another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from distributed import Future

from lda_vi.engine.dask_tasks import ClusterError, WorkerLeft, _nbytes
from lda_vi.engine.shards import standalone


@dataclass
class Partition:
    """A run of consecutive shards, the worker holding it and its γ rows there."""

    first: int                # shard indices [first, last)
    last: int
    lo: int                   # document rows [lo, hi)
    hi: int
    worker: str = ""
    data: list[Future] = field(default_factory=list)
    nbytes: int = 0           # of its shards' arrays
    gamma: Future | None = None    # its γ rows, kept on its worker between E-steps
    backup: Future | None = None   # a copy of them on another worker


class Placement:
    """Placement of the partitions (see the module); the engine provides ``client``,
    ``partitions``, ``shards``, ``call_timeout``, ``traffic``, ``recoveries`` and
    ``_copies`` (the copies of the E-step's new γ, by partition index)."""

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

    def _place(self, part: Partition, worker: str) -> None:
        """Scatter the partition's shards to ``worker`` (its data futures are replaced)."""
        shards = [standalone(s) if len(self.shards) > 1 else s
                  for s in self.shards[part.first:part.last]]     # views would carry it all
        part.data = self._scatter(shards, workers=[worker])
        part.nbytes = sum(_nbytes(s) for s in shards)
        part.worker = worker

    def _prepare(self, rebalance: bool, done: dict | None = None) -> None:
        """Check the placement before running: partitions whose worker left or whose shards
        were lost are scattered again (from the driver's copy) to the least loaded workers;
        with ``rebalance``, a worker with no partition (e.g. restarted after a loss) takes
        one from a worker with two or more. A partition whose γ was lost takes its copy
        from the other worker; one that finished but whose new γ was lost runs again."""
        workers = self._workers()
        done = {} if done is None else done
        keys = [f.key for part in self.partitions
                for f in (*part.data, part.gamma, part.backup) if f is not None]
        keys += [f.key for _, f in done.values()]
        holders = self._call("who_has", keys=keys)
        for index in [i for i, (_, f) in done.items() if not _kept(f, holders)]:
            copy = self._copies.pop(index, None)
            self._release([done.pop(index)[1], *([copy] if copy is not None else [])])
        for index, part in enumerate(self.partitions):
            if index in done or part.gamma is None or _kept(part.gamma, holders):
                continue
            if part.backup is None or not _kept(part.backup, holders):
                raise ClusterError(f"the γ of documents [{part.lo}, {part.hi}) was lost with "
                                   "its worker and no copy of it is left (a cluster of one "
                                   "worker keeps none); resume the fit from a checkpoint")
            self._release([part.gamma])
            part.gamma, part.backup = part.backup, None
            self.recoveries.append(f"gamma of documents [{part.lo}, {part.hi}) restored "
                                   "from its copy on another worker")
        load: dict[str, list[Partition]] = {w: [] for w in workers}
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

    def _release(self, futures: list[Future]) -> None:
        """Let the workers drop these data once nothing needs them (released, not cancelled:
        cancelling would cancel the results computed from them too, γ among them)."""
        for future in futures:
            try:
                future.release()
            except Exception:  # noqa: BLE001 - a cluster already gone has nothing to drop
                pass


def _kept(future: Future, holders: dict) -> bool:
    """Whether a result still exists: held by a worker, or still being computed (a task
    not finished yet has no holder, and is not lost: under load ``who_has`` can run before
    the previous iteration's γ has landed)."""
    return bool(holders.get(future.key)) or future.status == "pending"
