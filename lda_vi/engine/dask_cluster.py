"""Dask clusters for the engine: join a scheduler, or start a local cluster here."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from distributed import Client, LocalCluster

from lda_vi.engine.dask_tasks import _one_line
from lda_vi.engine.layout import CorpusArrays
from lda_vi.errors import InputError

if TYPE_CHECKING:
    from lda_vi.engine.dask_engine import DaskEngine


class Cluster:
    """A client of a Dask cluster: joined at ``scheduler``, or a local one started here."""

    def __init__(self, client: Client, cluster: LocalCluster | None = None) -> None:
        self.client, self.local = client, cluster

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def n_workers(self) -> int:
        """The number of workers connected to the scheduler now."""
        return len(self.client.scheduler_info()["workers"])

    def engine_factory(self, **options) -> Callable[[CorpusArrays], DaskEngine]:
        """A function of the prepared corpus giving a :class:`DaskEngine` on this cluster."""
        from lda_vi.engine.dask_engine import DaskEngine  # it imports this module

        return lambda corpus: DaskEngine(corpus, self.client, **options)

    def close(self) -> None:
        """Close the client, and the local cluster if this started one."""
        for thing in (self.client, self.local):
            if thing is not None:
                try:
                    thing.close(timeout=30)
                except Exception:  # noqa: BLE001 - already gone: nothing to free
                    pass

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(scheduler: str | None = None, *, n_workers: int | None = None,
            threads_per_worker: int | None = None, timeout: float = 10.0,
            quiet_logs: bool = True) -> Cluster:
    """Join the scheduler at ``scheduler`` (``tcp://host:8786``), or start a local cluster
    of ``n_workers`` worker processes on 127.0.0.1 (``threads_per_worker`` each, default
    the cores shared out). Raises :class:`InputError` when the scheduler cannot be reached
    within ``timeout`` seconds."""
    if (scheduler is None) == (n_workers is None):
        raise InputError("give either a scheduler address or a number of local workers")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: "
                             f"{_one_line(exc)}; start one with 'dask scheduler'") from None
        return Cluster(client)
    if n_workers < 1:
        raise InputError("the number of Dask workers must be >= 1")
    threads = threads_per_worker or max(1, (os.cpu_count() or 1) // n_workers)
    with _quiet_workers(quiet_logs):
        cluster = LocalCluster(n_workers=n_workers, processes=True, host="127.0.0.1",
                               threads_per_worker=threads, dashboard_address=None,
                               silence_logs=logging.ERROR if quiet_logs else logging.WARN)
    try:
        client = Client(cluster, timeout=timeout, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    return Cluster(client, cluster)


@contextlib.contextmanager
def _quiet_workers(quiet: bool) -> Iterator[None]:
    """Start worker processes that ignore SIGINT and, when ``quiet``, write nothing to this
    process's standard error.

    Ctrl-C at a terminal reaches every process of its group, and each worker stopped on
    its own with a screen of tracebacks (asyncio's runner turns SIGINT into
    KeyboardInterrupt) while this process, interrupted too, closes the cluster in order
    anyway; a worker still shutting down can also log errors of callbacks in flight. An
    ignored signal stays ignored in a child process, across exec (Python leaves an ignored
    SIGINT as it finds it), and a child writes to the standard error it was started with:
    so while the workers start, SIGINT is ignored (a Ctrl-C in those seconds is lost) and,
    when ``quiet``, descriptor 2 is /dev/null; both are restored after. A worker's errors
    still reach the fit through its client, which raises them. Only the main thread can
    set a signal's handler; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    saved = None
    try:
        if quiet:
            saved = os.dup(2)
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
        yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)
        signal.signal(signal.SIGINT, previous)
