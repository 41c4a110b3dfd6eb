"""The console script in real subprocesses: SIGINT and SIGTERM at several moments, closed
pipes and full disks. Each run is short; a signal is sent once the process has reached
the moment wanted (it says so on stderr), never after a fixed sleep alone."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from planted import planted_texts

from lda_vi.model.checkpoint import checkpoint_iterations

ROOT = Path(__file__).resolve().parents[2]
MAIN = "import sys; from lda_vi.cli import main; sys.argv[0] = 'lda-vi'; main()"
SLOW = ["-k", "8", "--tol", "0", "--max-iter", "100000", "--min-df", "1", "--seed", "0"]


def spawn(*args, stdout=subprocess.PIPE, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    return subprocess.Popen([sys.executable, "-c", MAIN, *map(str, args)], stdout=stdout,
                            stderr=subprocess.PIPE, env=env, text=True, **kwargs)


def wait_for(proc: subprocess.Popen, text: str, timeout: float = 60.0) -> list[str]:
    """Read stderr lines until one contains ``text``; return the lines read."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    proc.kill()
    raise AssertionError(f"never saw {text!r}: {''.join(lines)}")


def finish(proc: subprocess.Popen, timeout: float = 60.0) -> tuple[int, list[str]]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.splitlines()


def clean(directory: Path) -> list[str]:
    """Temporary or lock files left in ``directory`` (there must be none)."""
    return sorted(p.name for p in directory.rglob("*")
                  if p.name.endswith(".tmp") or p.name == ".lda-vi.lock")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signals") / "planted.txt"
    path.write_text("\n".join(planted_texts(1, 1000)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model(corpus, tmp_path_factory) -> Path:
    """A model fitted with standard output closed (`| head` gone): quiet, and saved."""
    out = tmp_path_factory.mktemp("model") / "m"
    proc = spawn("fit", corpus, "-k", "4", "--max-iter", "3", "--min-df", "1", "-q", "-o", out)
    proc.stdout.close()
    code, err = finish(proc)
    assert code == 0 and err == [], err
    assert (out / "model.json").is_file()
    return out


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_em_exits_130_and_keeps_the_old_model(model, corpus, tmp_path, signum):
    out = tmp_path / "m"
    out.mkdir()
    for name, data in snapshot(model).items():
        (out / name).write_bytes(data)
    before = snapshot(out)
    proc = spawn("fit", corpus, *SLOW, "-o", out, "--force", "--doc-topics",
                 tmp_path / "theta.csv")
    wait_for(proc, " 2/1")
    proc.send_signal(signum)
    code, err = finish(proc)
    assert code == 130, err
    name = signal.Signals(signum).name
    assert err[-1] == f"interrupted ({name}): no output was written", err
    assert not any("Traceback" in line or "Exception ignored" in line for line in err)
    assert snapshot(out) == before                   # --force did not touch it
    assert not (tmp_path / "theta.csv").exists()
    assert clean(tmp_path) == []


def test_interrupt_names_the_checkpoint_and_resume_finishes(corpus, tmp_path):
    # An iteration takes milliseconds, so the signal must reach the fit before its end
    # however late this process reads: the child blocks writing its progress once the
    # stderr pipe (shrunk to a page) is full, and this test stops reading after iteration
    # 5, so the child gets at most two pipefuls past that line (what the reader buffered,
    # then the pipe), in lines of over 40 bytes. It waits there, interruptible, before n.
    shrink = hasattr(fcntl, "F_SETPIPE_SZ")
    capacity = os.sysconf("SC_PAGE_SIZE") if shrink else 65536
    n = 5 + 2 * capacity // 40 + 10
    out = tmp_path / "run"
    args = ["fit", corpus, *SLOW[:-4], "--max-iter", n, "--min-df", "1", "--seed", "0"]
    proc = spawn(*args, "--checkpoint-every", "2", "-o", out)
    if shrink:                                       # the child is still starting Python
        fcntl.fcntl(proc.stderr.fileno(), fcntl.F_SETPIPE_SZ, capacity)
        assert fcntl.fcntl(proc.stderr.fileno(), fcntl.F_GETPIPE_SZ) == capacity
    wait_for(proc, f" 5/{n} ")                      # "iteration   5/219  elbo ..."
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert code == 130, err
    named = re.match(r"interrupted \(SIGINT\): no output was written; the checkpoint of "
                     r"iteration (\d+) is in .*: continue with 'lda-vi fit .* --resume ",
                     err[-1])
    assert named, err[-1]
    iteration = int(named.group(1))                  # the last one saved: 4 or later
    assert iteration % 2 == 0 and 4 <= iteration < n, err[-1]
    assert checkpoint_iterations(out) == iteration
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint.json", "checkpoint.npz"]
    code, err = finish(spawn(*args, "--resume", out, "-q"))
    assert code == 0 and err == [], err
    assert "checkpoint.npz" not in {p.name for p in out.iterdir()}
    assert (out / "model.json").is_file() and clean(tmp_path) == []


def handlers_installed(pid: int) -> bool | None:
    """Whether process ``pid`` catches SIGTERM (its /proc status, SigCgt): lda-vi's main
    installs its handlers first thing, and Python alone catches SIGINT only. None where
    there is no /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    caught = next(line.split()[1] for line in status.splitlines()
                  if line.startswith("SigCgt:"))
    return bool(int(caught, 16) >> (signal.SIGTERM - 1) & 1)


def test_interrupt_while_starting_up(corpus, tmp_path):
    proc = spawn("fit", corpus, *SLOW, "-o", tmp_path / "out")
    deadline = time.monotonic() + 120                # a signal before the handlers would
    while not handlers_installed(proc.pid):         # end Python with a traceback
        if handlers_installed(proc.pid) is None:     # no /proc: the imports take longer
            time.sleep(0.3)
            break
        assert proc.poll() is None and time.monotonic() < deadline, "main never started"
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)                  # still importing numpy, numba...
    code, err = finish(proc)
    assert code == 130, err
    assert len(err) == 1 and err[0].startswith("interrupted (SIGINT)"), err
    assert not (tmp_path / "out").exists()


def test_interrupt_while_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("\n".join(planted_texts(2, 400)) * 200 + "\n", encoding="utf-8")
    proc = spawn("fit", big, *SLOW, "-o", tmp_path / "out")
    lines = []
    while not any("corpus:" in line for line in lines):   # 80,000 documents to tokenize
        time.sleep(0.2)
        if proc.poll() is not None:
            break
        if os.path.exists(tmp_path / "out"):          # the lock is taken: reading begins
            time.sleep(0.5)
            break
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert code == 130, err
    assert err[-1].startswith("interrupted (SIGINT)"), err
    assert not (tmp_path / "out").exists() and clean(tmp_path) == []


def test_closed_pipe_is_quiet(model):
    proc = spawn("show", model, "--top-n", "50")
    proc.stdout.close()                              # `| head` that already exited
    code, err = finish(proc)
    assert code == 0 and err == [], err             # (fit: see the model fixture)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_standard_output_is_one_line(model, corpus, tmp_path):
    with open("/dev/full", "w") as full:
        code, err = finish(spawn("show", model, stdout=full))
        assert code == 2 and err == ["error: cannot write to standard output: no space left "
                                     "on the device"], err
        code, err = finish(spawn("fit", corpus, "-k", "4", "--max-iter", "3", "--min-df", "1",
                                 "-q", "-o", tmp_path / "m", stdout=full))
    assert code == 2 and len(err) == 1 and "no space left" in err[0], err
    assert not (tmp_path / "m").exists()             # all outputs or none


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["fit", "--help"]])
def test_help_and_version_onto_a_full_disk_are_one_line(args):
    with open("/dev/full", "w") as full:
        code, err = finish(spawn(*args, stdout=full))
    assert code == 2 and err == ["error: cannot write to standard output: no space left "
                                 "on the device"], err


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc/self/fd")
def test_doc_topics_onto_a_closed_dev_stdout_is_quiet(model, corpus):
    """`transform ... --doc-topics /dev/stdout | head`: a closed pipe, as for the table."""
    proc = spawn("transform", model, corpus, "--doc-topics", "/dev/stdout")
    proc.stdout.close()
    code, err = finish(proc)
    assert code == 0 and not any(line.startswith("error") for line in err), err


def test_signal_while_shutting_down_is_reported_not_fatal(model):
    """Python's shutdown restores the default action of SIGTERM, which would kill the
    process with no word: main blocks it first, and reports one that is pending."""
    code = ("import os, signal, sys, time\n"
            "from lda_vi.cli import app\n"
            "switch = signal.signal\n"
            "def late(signum, handler):\n"
            "    if handler is signal.SIG_IGN and signum == signal.SIGINT and WHEN == 'before':\n"
            "        os.kill(os.getpid(), signal.SIGTERM); time.sleep(0.2)\n"
            "    old = switch(signum, handler)\n"
            "    if handler is signal.SIG_IGN and signum == signal.SIGTERM and WHEN == 'after':\n"
            "        os.kill(os.getpid(), signal.SIGTERM); time.sleep(0.2)\n"
            "    return old\n"
            "signal.signal = late\n"
            f"app.main(['show', {str(model)!r}])\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for when, status, err in [
            ("before", 130, ["interrupted (SIGTERM) after the command had finished; its "
                             "outputs are complete"]),
            ("after", 0, [])]:                          # ignored: the work was done
        done = subprocess.run([sys.executable, "-c", f"WHEN = {when!r}\n" + code],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == status, done.stderr
        assert done.stderr.splitlines() == err
        assert done.stdout.startswith("topic")


def test_ctrl_c_of_a_local_dask_fit_is_one_line(corpus, tmp_path):
    """A terminal's Ctrl-C reaches the whole process group, Dask's worker processes too:
    they ignore it (started so), and the fit closes them in order and says one line."""
    pytest.importorskip("distributed")
    proc = spawn("fit", corpus, *SLOW, "--engine", "dask", "--workers", "1", "-o",
                 tmp_path / "m", start_new_session=True)
    wait_for(proc, "iteration", timeout=120)
    os.killpg(proc.pid, signal.SIGINT)
    code, err = finish(proc, timeout=120)
    assert code == 130, err
    rest = err[err.index(next(line for line in err if line.startswith("interrupted"))):]
    assert len(rest) == 1 and "Traceback" not in "\n".join(err), err
    assert not (tmp_path / "m").exists()
