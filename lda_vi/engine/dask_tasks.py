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
    ShardResult,
    TreeReducer,
    assemble,
    canonical_nodes,
    estep_shard,
    rows_of,
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
                  restart: np.ndarray | bool, settings: EStepSettings,
                  threads: int | None = None) -> dict:
    """The task of one partition: shards ``first, first+1, …`` of ``n_shards``.

    ``gamma`` holds the partition's rows (its documents, in order) and is not
    changed; ``alpha`` is the shared prior (K) or the partition's rows of α_d;
    ``restart`` is a bool or the partition's rows of the mask.
    Returns ``nodes`` {(a, b): V×K statistics of canonical node [a, b)}, the new
    ``gamma`` rows and the per-document ``doc_terms``, ``word_bound``,
    ``n_inner`` and ``restarted``.
    """
    gamma = _owned(gamma)
    alpha = _owned(alpha)
    expElogbetaT = np.ascontiguousarray(expElogbetaT, dtype=np.float64)
    mask = np.broadcast_to(np.asarray(restart, dtype=bool), (gamma.shape[0],))
    starts = np.concatenate(([0], np.cumsum([s.n_docs for s in shards])))
    nodes: dict[tuple[int, int], np.ndarray] = {}
    results: list[ShardResult] = []
    with _ESTEP_LOCK:
        set_threads(threads if threads is not None else _worker_threads())
        for a, b in canonical_nodes(first, first + len(shards), n_shards):
            reducer = TreeReducer()
            for i in range(a - first, b - first):
                lo, hi = starts[i], starts[i + 1]
                result = estep_shard(shards[i], rows_of(alpha, lo, hi), expElogbetaT,
                                     gamma[lo:hi], mask[lo:hi], settings)
                reducer.push(result.statsT)
                result.statsT = None
                results.append(result)
            nodes[(a, b)] = reducer.result()
    vectors = assemble(results, np.empty((0, 0)))
    return {"nodes": nodes, "gamma": gamma, "doc_terms": vectors.doc_terms,
            "word_bound": vectors.word_bound, "n_inner": vectors.n_inner,
            "restarted": vectors.restarted}


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
    to_workers: int = 0       # γ rows and restart masks
    from_workers: int = 0     # node statistics, γ rows, per-document vectors
    nodes: int = 0            # V×K node sums returned
    shards_scattered: int = 0  # shard bytes scattered again after lost workers

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _nbytes(corpus: CorpusArrays) -> int:
    return sum(getattr(corpus, name).nbytes for name in
               ("indptr", "indices", "data", "csc_indptr", "csc_rows", "csc_to_csr"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__
