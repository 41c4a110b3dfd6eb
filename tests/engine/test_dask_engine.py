"""The E-step on a Dask cluster: the same bits as the local engine, through lost workers.

Skipped where the ``dask`` extra (dask.distributed) is not installed, except the
test of the message that asks for it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from fits import batch, estep
from planted import generate_lda_corpus

from lda_vi.cli.app import cli
from lda_vi.engine.em import fit_batch
from lda_vi.engine.layout import prepare
from lda_vi.engine.shards import LocalEngine
from lda_vi.engine.topics import expect_topics

HAVE_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason="the dask extra is not installed")



def assert_same_step(step, local) -> None:
    """A cluster's E-step equals the local one: statistics, α statistics and the sums over
    documents (a cluster returns no per-document vectors)."""
    assert np.array_equal(step.statsT, local.statsT)
    assert np.array_equal(step.elogtheta, local.elogtheta)
    a, b = step.totals(), local.totals()
    assert a.bound == b.bound
    assert math.fsum(a.doc_terms) == math.fsum(b.doc_terms)
    assert (a.n_inner, a.restarted, a.n_docs) == (b.n_inner, b.restarted, b.n_docs)

FIT = dict(alpha=0.2, eta=0.1, tol=0.0, on_decrease="raise", learn_alpha=True,
           learn_eta=True)


@pytest.fixture(scope="module")
def client():
    """Two worker processes (with nannies) on loopback; at least two alive for each test.

    Tests kill workers and their nannies start new ones. A cluster closes for good the
    nanny of a worker gone for ``lost-worker-timeout`` (15 s) with no worker of its name
    back, looking at a cached list: a kill 15 s after an earlier one of that worker (under
    load) had the second restart refused. Here no nanny is given up on."""
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1 day"}):
        cluster = distributed.LocalCluster(n_workers=2, processes=True, host="127.0.0.1",
                                           threads_per_worker=1, dashboard_address=None)
        dask_client = distributed.Client(cluster, set_as_default=False)
        try:
            yield dask_client
        finally:
            dask_client.close()
            cluster.close()


@pytest.fixture()
def two_workers(client):
    client.wait_for_workers(2, timeout=60)
    return client


@pytest.fixture(scope="module")
def corpus():
    X, _, _ = generate_lda_corpus(np.random.default_rng(1), 660, 120, 4, 0.2, 0.1,
                                  doc_length=30)
    return prepare(X)


def _estep_inputs(corpus, k=4):
    lam = np.random.default_rng(2).gamma(2.0, 1.0, (k, corpus.n_words))
    alpha = np.full(k, 0.2)
    gamma0 = np.ascontiguousarray(alpha + corpus.doc_lengths[:, None] / k)
    mask = np.arange(corpus.n_docs) % 3 == 0
    return alpha, expect_topics(lam).expElogbetaT, gamma0, mask


@needs_dask
def test_partitions_are_runs_of_about_equal_weight():
    from lda_vi.engine.dask_engine import partition_runs

    assert partition_runs([1.0] * 7, 1) == [(0, 7)]
    assert partition_runs([1.0] * 7, 2) == [(0, 3), (3, 7)]
    assert partition_runs([1.0] * 6, 3) == [(0, 2), (2, 4), (4, 6)]
    assert partition_runs([10.0, 10.0, 1.0], 2) == [(0, 1), (1, 3)]
    assert partition_runs([1.0, 1.0], 5) == [(0, 1), (1, 2)]
    assert partition_runs([0.0] * 4, 2) == [(0, 1), (1, 4)]
    rng = np.random.default_rng(0)
    for _ in range(200):
        weights = rng.integers(0, 50, rng.integers(1, 30)).tolist()
        runs = partition_runs(weights, int(rng.integers(1, 8)))
        assert runs[0][0] == 0 and runs[-1][1] == len(weights)
        assert all(a < b for a, b in runs)
        assert all(runs[i][1] == runs[i + 1][0] for i in range(len(runs) - 1))


@needs_dask
@pytest.mark.parametrize("n_partitions", [1, 2, 3, None])
def test_e_step_is_bit_identical_to_the_local_engine(two_workers, corpus, n_partitions):
    from lda_vi.engine.dask_engine import DaskEngine

    alpha, bT, gamma0, mask = _estep_inputs(corpus)
    local_gamma = gamma0.copy()
    local = LocalEngine(corpus, shard_docs=100).e_step(alpha, bT, local_gamma, mask,
                                                       estep(e_tol=1e-3, e_max_iter=100))
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=n_partitions) as engine:
        assert len(engine.ranges) == 7
        assert len(engine.partitions) == (n_partitions or 2)
        gamma = gamma0.copy()
        out = np.empty_like(local.statsT)
        step = engine.e_step(alpha, bT, gamma, mask, estep(e_tol=1e-3, e_max_iter=100), out=out)
        assert step.statsT is out
        assert np.array_equal(gamma, gamma0)            # γ stays on the workers ...
        engine.sync_gamma(gamma)
        assert np.array_equal(gamma, local_gamma)       # ... until it is asked for
        assert_same_step(step, local)
        traffic = engine.traffic
        assert traffic.broadcast == bT.nbytes + alpha.nbytes
        assert traffic.nodes >= len(engine.partitions)
        gamma2 = gamma0.copy()                  # again, no restarts, no out: same answer
        again = engine.e_step(alpha, bT, gamma2, False, estep(e_tol=1e-3, e_max_iter=100))
        local2 = LocalEngine(corpus, shard_docs=100).e_step(alpha, bT, gamma0.copy(), False,
                                                            estep(e_tol=1e-3, e_max_iter=100))
        assert np.array_equal(again.statsT, local2.statsT)
        assert again.statsT.flags.writeable


@needs_dask
def test_gamma_stays_on_the_workers(two_workers, corpus):
    """After the first E-step only exp(Elogβ) and α go out and the K×V statistics (and a
    few sums) come back: the bytes do not grow with the number of documents."""
    from lda_vi.engine.dask_engine import DaskEngine
    from lda_vi.engine.shards import RestartBlock

    alpha, bT, gamma0, _ = _estep_inputs(corpus)
    local_gamma = gamma0.copy()
    engine_local = LocalEngine(corpus, shard_docs=100)
    settings = estep(e_tol=1e-3, e_max_iter=100)
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=3) as engine:
        gamma = gamma0.copy()
        for iteration in (1, 2, 3):
            block = RestartBlock(iteration, 4)
            step = engine.e_step(alpha, bT, gamma, block, settings)
            local = engine_local.e_step(alpha, bT, local_gamma, block, settings)
            assert_same_step(step, local)
            traffic = engine.traffic
            if iteration == 1:
                assert traffic.to_workers == gamma.nbytes      # γ goes out once
            else:
                assert traffic.to_workers == 0
            assert traffic.broadcast == bT.nbytes + alpha.nbytes
            node_bytes = traffic.nodes * (bT.nbytes + 8 * bT.shape[1])
            assert node_bytes <= traffic.from_workers <= node_bytes + 4096
            assert traffic.gamma_copied == gamma.nbytes        # the copy for a lost worker
        assert np.array_equal(gamma, gamma0)
        engine.sync_gamma(gamma)
        assert np.array_equal(gamma, local_gamma)
        assert engine.traffic.gamma_gathered == gamma.nbytes


@needs_dask
def test_fit_batch_over_dask_equals_the_local_fit(two_workers, corpus):
    from lda_vi.engine.dask_engine import DaskEngine

    local = fit_batch(corpus, batch(4, max_iter=5, **FIT), np.random.default_rng(0),
                      engine=LocalEngine(corpus, shard_docs=100))
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=3) as engine:
        remote = fit_batch(corpus, batch(4, max_iter=5, **FIT), np.random.default_rng(0),
                           engine=engine)
    assert np.array_equal(remote.lam, local.lam)
    assert np.array_equal(remote.gamma, local.gamma)
    assert np.array_equal(remote.alpha, local.alpha) and remote.eta == local.eta
    assert remote.elbo == local.elbo and len(remote.elbo) == 5


def _kill(client, worker: str) -> None:
    """SIGKILL ``worker``'s process and return once the scheduler has seen it go."""
    pid = client.run(os.getpid, workers=[worker])[worker]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while worker in client.scheduler_info(n_workers=-1)["workers"]:
        assert time.monotonic() < deadline, "the scheduler did not see the loss"
        time.sleep(0.05)


@needs_dask
def test_a_worker_killed_mid_fit_changes_nothing(two_workers):
    """SIGKILL a worker while it runs a partition: the fit retries and ends at the same bits.
    The worker kills itself inside its task of the third E-step, so the kill never misses
    the task, however the machine's load moves the timing."""
    from lda_vi.engine.dask_engine import DaskEngine

    X, _, _ = generate_lda_corpus(np.random.default_rng(4), 3000, 300, 6, 0.2, 0.1,
                                  doc_length=60)
    corpus = prepare(X)
    options = dict(max_iter=6, e_tol=1e-5, **FIT)
    local = fit_batch(corpus, batch(6, **options), np.random.default_rng(0),
                      engine=LocalEngine(corpus, shard_docs=300))
    armed: list[str] = []

    def die_at_the_next_shard() -> None:     # (nested: sent by value, run in the worker)
        import lda_vi.engine.dask_tasks as tasks

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        tasks.estep_shard = die

    with pytest.warns(RuntimeWarning, match="lost a Dask worker"):
        with DaskEngine(corpus, two_workers, shard_docs=300) as engine:
            def callback(report) -> None:
                if report.iteration == 2:
                    victim = engine.partitions[0].worker
                    two_workers.run(die_at_the_next_shard, workers=[victim])
                    armed.append(victim)

            remote = fit_batch(corpus, batch(6, **options), np.random.default_rng(0),
                               engine=engine, callback=callback)
    assert armed and armed[0] not in two_workers.scheduler_info(n_workers=-1)["workers"]
    assert engine.recoveries
    assert np.array_equal(remote.lam, local.lam)
    assert np.array_equal(remote.gamma, local.gamma)
    assert remote.elbo == local.elbo
    two_workers.wait_for_workers(2, timeout=120)       # the nanny restarts it


@needs_dask
def test_a_worker_lost_before_its_new_gamma_is_copied_costs_a_rerun(two_workers, corpus):
    """Kill the worker holding a partition's new γ once every partition has finished but
    before that γ is copied: the old γ's copy is still kept, so the partition runs again
    from it (nothing comes from the driver) and the E-step gives the local engine's bits."""
    from lda_vi.engine.dask_engine import DaskEngine
    from lda_vi.engine.shards import RestartBlock

    alpha, bT, gamma0, _ = _estep_inputs(corpus)
    settings = estep(e_tol=1e-3, e_max_iter=100)
    local_gamma = gamma0.copy()
    engine_local = LocalEngine(corpus, shard_docs=100)
    killed: list[str] = []
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=2) as engine:
        back_up = engine._back_up

        def kill_first(done):
            if not killed:
                new_gamma = done[0][1]
                new_gamma.result(timeout=120)                  # landed, on its worker only
                (holder,) = two_workers.who_has([new_gamma])[new_gamma.key]
                _kill(two_workers, holder)
                killed.append(holder)
            back_up(done)

        gamma = gamma0.copy()
        for iteration in (1, 2):
            if iteration == 2:
                engine._back_up = kill_first
            with pytest.warns(RuntimeWarning, match="lost a Dask worker") if iteration == 2 \
                    else contextlib.nullcontext():
                step = engine.e_step(alpha, bT, gamma, RestartBlock(iteration, 3), settings)
            local = engine_local.e_step(alpha, bT, local_gamma, RestartBlock(iteration, 3),
                                        settings)
            assert_same_step(step, local)
        assert killed and any("before its copy landed" in r for r in engine.recoveries)
        assert engine.traffic.to_workers == 0 and engine.traffic.shards_scattered > 0
        engine.sync_gamma(gamma)
        assert np.array_equal(gamma, local_gamma)
    two_workers.wait_for_workers(2, timeout=120)       # the nanny restarts it


@needs_dask
def test_a_lost_workers_gamma_comes_back_from_its_copy(two_workers, corpus):
    """Kill the worker holding a partition's γ between two E-steps: the next E-step takes
    the copy the other worker holds (none comes from the driver) and gives the local
    engine's bits."""
    from lda_vi.engine.dask_engine import DaskEngine
    from lda_vi.engine.shards import RestartBlock

    alpha, bT, gamma0, _ = _estep_inputs(corpus)
    settings = estep(e_tol=1e-3, e_max_iter=100)
    local_gamma = gamma0.copy()
    engine_local = LocalEngine(corpus, shard_docs=100)
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=2) as engine:
        gamma = gamma0.copy()
        for iteration in (1, 2):
            if iteration == 2:
                futures = [f for part in engine.partitions for f in (part.gamma, part.backup)]
                where = two_workers.who_has(futures)
                for part in engine.partitions:                        # each copy is elsewhere
                    assert where[part.backup.key]
                    assert not set(where[part.gamma.key]) & set(where[part.backup.key])
                (holder,) = where[engine.partitions[0].gamma.key]
                _kill(two_workers, holder)
            step = engine.e_step(alpha, bT, gamma, RestartBlock(iteration, 3), settings)
            local = engine_local.e_step(alpha, bT, local_gamma, RestartBlock(iteration, 3),
                                        settings)
            assert_same_step(step, local)
        assert engine.traffic.to_workers == 0 and engine.traffic.shards_scattered > 0
        engine.sync_gamma(gamma)
        assert np.array_equal(gamma, local_gamma)
    two_workers.wait_for_workers(2, timeout=120)       # the nanny restarts it


@needs_dask
def test_minibatch_e_step_equals_the_local_engine(two_workers, corpus):
    from lda_vi.engine.dask_engine import minibatch_e_step

    alpha, bT, gamma0, _ = _estep_inputs(corpus)
    local_gamma = gamma0.copy()
    local = LocalEngine(corpus, shard_docs=200).e_step(alpha, bT, local_gamma, False,
                                                       estep(e_tol=1e-3, e_max_iter=100))
    gamma = gamma0.copy()
    step = minibatch_e_step(two_workers, corpus, alpha, bT, gamma, estep(e_tol=1e-3,
                                                                         e_max_iter=100),
                            shard_docs=200)
    assert np.array_equal(gamma, local_gamma)
    assert_same_step(step, local)


@needs_dask
def test_model_fit_counts_takes_an_engine_factory(two_workers, corpus):
    from lda_vi.engine.dask_engine import DaskEngine
    from lda_vi.model.lda import LDA

    X = sp.csr_matrix((corpus.data, corpus.indices, corpus.indptr),
                      shape=(corpus.n_docs, corpus.n_words))
    engines = []

    def factory(arrays):
        engines.append(DaskEngine(arrays, two_workers, shard_docs=100))
        return engines[-1]

    remote = LDA(k=4, seed=2, max_iter=4, tol=0.0).fit_counts(X, engine=factory)
    local = LDA(k=4, seed=2, max_iter=4, tol=0.0).fit_counts(
        X, engine=lambda arrays: LocalEngine(arrays, shard_docs=100))
    assert np.array_equal(remote.lam, local.lam) and np.array_equal(remote.gamma, local.gamma)
    assert remote.run_info["engine"]["partitions"] == 2
    assert engines[0]._closed                           # closed after the fit
    # online VB: every minibatch's E-step on the cluster, the same bits as in process
    online = [LDA(k=4, seed=2, method="online", batch_size=90, passes=2).fit_counts(
        X, engine=make) for make in (lambda a: DaskEngine(a, two_workers, shard_docs=40),
                                     lambda a: LocalEngine(a, shard_docs=40))]
    assert np.array_equal(online[0].lam, online[1].lam)
    assert np.array_equal(online[0].alpha, online[1].alpha)


# ------------------------------------------------------------------------ CLI
def _corpus_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    themes = ["apple banana cherry orchard fruit harvest sweet juice".split(),
              "engine piston wheel gearbox diesel motor brake clutch".split(),
              "galaxy planet orbit telescope comet nebula asteroid stars".split()]
    lines = [" ".join(rng.choice(themes[i % 3], size=25)) for i in range(90)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fit(args: list[str]):
    return CliRunner().invoke(cli, ["fit", *args])


FIT_ARGS = ["-k", "3", "--seed", "3", "--min-df", "1", "--max-iter", "15", "--quiet"]


def _same_model(a: Path, b: Path) -> None:
    with np.load(a / "arrays.npz") as left, np.load(b / "arrays.npz") as right:
        assert sorted(left.files) == sorted(right.files)
        for name in left.files:
            assert np.array_equal(left[name], right[name]), name


@needs_dask
def test_cli_joins_a_scheduler_and_workers_started_apart(tmp_path: Path) -> None:
    corpus = _corpus_file(tmp_path)
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs = []
    try:
        procs.append(subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            assert procs[0].poll() is None, "the scheduler exited"
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        procs.append(subprocess.Popen(
            [*dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
             "--no-dashboard", "--local-directory", str(tmp_path / "worker")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        result = _fit([str(corpus), *FIT_ARGS, "-o", str(tmp_path / "dask"), "--engine",
                       "dask", "--scheduler", address])
        assert result.exit_code == 0, result.output
        local = _fit([str(corpus), *FIT_ARGS, "-o", str(tmp_path / "local")])
        assert local.exit_code == 0, local.output
        _same_model(tmp_path / "dask", tmp_path / "local")
        run = json.loads((tmp_path / "dask" / "run.json").read_text())
        assert run["engine"]["name"] == "dask" and run["engine"]["scheduler"] == address
        assert json.loads((tmp_path / "local" / "run.json").read_text())["engine"] is None
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


@needs_dask
def test_cli_starts_local_workers(tmp_path: Path) -> None:
    corpus = _corpus_file(tmp_path)
    result = _fit([str(corpus), *FIT_ARGS, "-o", str(tmp_path / "dask"), "--engine", "dask",
                   "--workers", "1", "--threads", "1"])
    assert result.exit_code == 0, result.output
    local = _fit([str(corpus), *FIT_ARGS, "-o", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    _same_model(tmp_path / "dask", tmp_path / "local")
    engine = json.loads((tmp_path / "dask" / "run.json").read_text())["engine"]
    assert engine["workers"] == 1 and engine["recoveries"] == []


@needs_dask
def test_cli_unreachable_scheduler_is_one_line_after_the_connect_timeout(tmp_path: Path) -> None:
    """Quick: the connection gives up after --connect-timeout (it says so), not after the
    10 s default or Dask's own 30 s (checked in the message: a test never times anything)."""
    corpus = _corpus_file(tmp_path)
    result = _fit([str(corpus), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1",
                   "--connect-timeout", "1"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:1")
    assert "after 1 s" in lines[0], lines[0]
    assert "dask scheduler" in lines[0]


@pytest.mark.parametrize("args, message", [
    (["--workers", "2"], "--scheduler and --workers need --engine dask"),
    (["--engine", "dask"], "--engine dask needs --scheduler"),
    (["--engine", "dask", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "--engine dask needs --scheduler"),
    (["--engine", "dask", "--workers", "0"], "--workers must be >= 1"),
])
def test_cli_engine_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = _fit([str(_corpus_file(tmp_path)), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_cli_without_the_extra_says_how_to_install_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)     # import distributed fails
    result = _fit([str(_corpus_file(tmp_path)), "--engine", "dask", "--workers", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: --engine dask needs the dask extra: "
                                     "pip install 'lda-vi[dask]'")


@needs_dask
def test_a_prior_per_document_over_dask_equals_the_local_engine(two_workers, corpus):
    """Covariates (MATH.md C1): each partition gets its own rows of α_d; same bits."""
    from lda_vi.engine.dask_engine import DaskEngine

    _, bT, gamma0, mask = _estep_inputs(corpus)
    alpha = np.random.default_rng(9).uniform(0.05, 1.0, size=gamma0.shape)
    settings = estep(e_tol=1e-3, e_max_iter=100)
    local_gamma = gamma0.copy()
    local = LocalEngine(corpus, shard_docs=100).e_step(alpha, bT, local_gamma, mask, settings)
    with DaskEngine(corpus, two_workers, shard_docs=100, n_partitions=3) as engine:
        gamma = gamma0.copy()
        step = engine.e_step(alpha, bT, gamma, mask, settings)
        engine.sync_gamma(gamma)                          # γ stays on the workers until then
    assert np.array_equal(gamma, local_gamma)
    assert_same_step(step, local)
