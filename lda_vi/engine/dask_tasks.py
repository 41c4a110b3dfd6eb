"""The worker side of the Dask engine: the task of one partition, and what can go wrong.

See :mod:`lda_vi.engine.dask_engine` for the protocol. Glossary of shapes: D
documents, V words, K topics, S shards, P partitions.
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError
from dataclasses import dataclass

import numpy as np
from distributed.scheduler import KilledWorker, NoValidWorkerError, NoWorkerError

from lda_vi.engine.backend import set_threads
from lda_vi.engine.layout import CorpusArrays
from lda_vi.engine.settings import EStepSettings
from lda_vi.engine.shards import (
    RestartBlock,
    ShardResult,
    TreeReducer,
    assemble,
    canonical_nodes,
    estep_shard,
    restart_rows,
    rows_of,
    step_totals,
)
from lda_vi.errors import LdaViError

#: Seconds to wait for one E-step's tasks before giving up.
TASK_TIMEOUT = 3600.0
#: Seconds to wait for a scatter, a gather of metadata or a worker to join.
CALL_TIMEOUT = 120.0
#: Retries of one E-step after lost workers, and the pause before retry n (n times this).
MAX_RETRIES = 3
RETRY_PAUSE = 0.5


class WorkerLeft(RuntimeError):
    """A worker the engine was sending data to left the cluster."""


#: What a lost worker looks like from the driver: retried, never a wrong answer.
#: (OSError covers the comm errors, CommClosedError among them, and timeouts of a call.)
LOST = (KilledWorker, NoValidWorkerError, NoWorkerError, CancelledError, OSError, WorkerLeft)


class ClusterError(LdaViError):
    """The cluster could not finish an E-step (workers kept failing, or a timeout)."""

    exit_code = 1


_ESTEP_LOCK = threading.Lock()  # one partition at a time per worker process: the kernels
#                                 are parallel already, and numba's thread pool is shared


def _owned(array: np.ndarray, dtype=np.float64) -> np.ndarray:
    """A writeable C-contiguous copy: inputs stored on a worker are never changed, so a
    retried task sees exactly what the first one saw."""
    return np.array(array, dtype=dtype, order="C", copy=True)


def _worker_threads() -> int | None:
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return None


def run_partition(shards: list[CorpusArrays], first: int, n_shards: int,
                  alpha: np.ndarray, expElogbetaT: np.ndarray, gamma: np.ndarray,
                  restart: RestartBlock | np.ndarray | bool, settings: EStepSettings,
                  threads: int | None = None, row_lo: int = 0) -> dict:
    """The task of one partition: shards ``first, first+1, …`` of ``n_shards``, whose
    documents are rows [row_lo, row_lo + B) of the corpus.

    ``gamma`` holds the partition's rows (B×K) and is not changed (a retried task sees
    what the first saw); ``alpha`` is the shared prior (K) or the partition's rows of
    α_d; ``restart`` a :class:`RestartBlock`, a bool or the partition's rows of a mask.
    Returns ``gamma``, the new rows (they stay on the worker), and ``summary``: the
    ``nodes`` {(a, b): (V×K statistics, K Σ Elogθ) of canonical node [a, b)} and the
    partition's :class:`StepTotals`, all independent of D in size.
    """
    gamma = _owned(gamma)
    alpha = _owned(alpha)
    expElogbetaT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
    B = gamma.shape[0]
    mask = restart.rows(row_lo, row_lo + B) if isinstance(restart, RestartBlock) else \
        restart_rows(restart, 0, B)
    starts = np.concatenate(([0], np.cumsum([s.n_docs for s in shards])))
    nodes: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    results: list[ShardResult] = []
    with _ESTEP_LOCK:
        set_threads(threads if threads is not None else _worker_threads())
        for a, b in canonical_nodes(first, first + len(shards), n_shards):
            stats, elog = TreeReducer(), TreeReducer()
            for i in range(a - first, b - first):
                lo, hi = starts[i], starts[i + 1]
                result = estep_shard(shards[i], rows_of(alpha, lo, hi), expElogbetaT,
                                     gamma[lo:hi], mask[lo:hi], settings)
                stats.push(result.statsT)
                elog.push(result.elogtheta)
                result.statsT = None
                results.append(result)
            nodes[(a, b)] = (stats.result(), elog.result())
    vectors = assemble(results, np.empty((0, 0)), np.empty(0))
    totals = step_totals(vectors.doc_terms, vectors.word_bound, vectors.n_inner,
                         vectors.restarted)
    return {"gamma": gamma, "summary": {"nodes": nodes, "totals": totals}}


def pick(result: dict, name: str):
    """One entry of a task's result (a task of its own, so the rest can stay behind)."""
    return result[name]


def copy_rows(rows: np.ndarray) -> np.ndarray:
    """A copy of γ rows, held by another worker in case this one is lost."""
    return np.array(rows, copy=True)


def summary_nbytes(summary: dict) -> int:
    """Bytes of the arrays and floats in a partition's summary."""
    totals = summary["totals"]
    return (sum(s.nbytes + e.nbytes for s, e in summary["nodes"].values())
            + 8 * (len(totals.doc_terms) + len(totals.word_bound) + 3))


def partition_runs(weights: list[float], n_partitions: int) -> list[tuple[int, int]]:
    """Cut shards [0, S) into ``n_partitions`` runs [first, last) of about equal total weight
    (``weights``: S per-shard costs, e.g. non-zeros); every run has at least one shard."""
    n_shards = len(weights)
    n = max(1, min(n_partitions, n_shards))
    prefix = np.concatenate(([0.0], np.cumsum(np.asarray(weights, dtype=np.float64))))
    cuts = [0]
    for i in range(1, n):
        lo, hi = cuts[-1] + 1, n_shards - (n - i)
        target = prefix[-1] * i / n
        c = int(np.clip(np.searchsorted(prefix, target), lo, hi))
        if c > lo and abs(prefix[c - 1] - target) <= abs(prefix[c] - target):
            c -= 1
        cuts.append(c)
    cuts.append(n_shards)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


@dataclass
class Traffic:
    """Bytes of array data moved by the last E-step (payloads, not protocol overhead)."""

    broadcast: int = 0        # exp(Elogβ) and α, sent once and copied to every worker
    to_workers: int = 0       # γ rows (first iteration only), α_d rows, restart masks
    from_workers: int = 0     # node statistics and the partitions' totals
    nodes: int = 0            # V×K node sums returned
    shards_scattered: int = 0  # shard bytes scattered again after lost workers
    gamma_copied: int = 0     # γ rows copied worker to worker (the copy kept for a loss)
    gamma_gathered: int = 0   # γ rows brought to the driver (sync_gamma)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _nbytes(corpus: CorpusArrays) -> int:
    return sum(getattr(corpus, name).nbytes for name in
               ("indptr", "indices", "data", "csc_indptr", "csc_rows", "csc_to_csr"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__
