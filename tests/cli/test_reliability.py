"""What a new user broke (issue 16), through the CLI in this process: one line, the right
exit code, nothing existing damaged. Signals and pipes: tests/cli/test_signals.py."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from io_testing import device_node, one_line_error
from planted import planted_texts

from lda_vi.cli.app import cli
from lda_vi.cli.progress import BatchProgress, ReadProgress
from lda_vi.engine.em import IterationReport
from lda_vi.io.export import format_topic_table
from lda_vi.io.lock import directory_lock

FAST = ["--max-iter", "3", "--min-df", "1", "--max-df", "1.0", "--seed", "0"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line(result, code: int, *fragments: str) -> str:
    return one_line_error(result, *fragments, code=code)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "planted.txt"
    path.write_text("\n".join(planted_texts(0, 80)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model_dir(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fitted") / "m"
    result = run("fit", corpus, "-k", "3", *FAST, "-q", "-o", out)
    assert result.exit_code == 0, result.output
    return out


# ------------------------------------------------------------------- usage errors


@pytest.mark.parametrize("args,fragment,command", [
    (["fit", "x.txt", "--format", "xml"], "invalid value for '--format'", "lda-vi fit"),
    (["fit", "x.txt", "--fo", "x"], "no such option '--fo'", "lda-vi fit"),
    (["fit"], "missing argument 'CORPUS'", "lda-vi fit"),
    (["fit", "x.txt", "-k", "ten"], "'ten' is not a valid integer", "lda-vi fit"),
    (["show", "m", "--top-n", "many"], "is not a valid integer", "lda-vi show"),
    (["transform", "m", "docs.txt"], "missing option '--doc-topics'", "lda-vi transform"),
    (["fitt"], "no such command 'fitt'", "lda-vi"),
    (["fit", "x.txt", "--method", "gibbs"], "'gibbs' is not one of", "lda-vi fit"),
    (["plot", "m", "--elbo"], "option '--elbo' requires an argument", "lda-vi plot"),
])
def test_click_usage_errors_are_one_line_with_a_help_hint(args, fragment, command):
    line = one_line(run(*args), 2, fragment)
    assert line.endswith(f"see '{command} --help'")


def test_no_arguments_still_shows_the_help():
    result = run()
    assert "Usage:" in result.output and "fit" in result.output


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize("args,fragment", [
    (["--tol", "nan"], "--tol must be a finite number >= 0, got nan"),
    (["--e-tol", "nan"], "--e-tol must be"),
    (["--tau0", "nan", "--method", "online"], "--tau0 must be"),
    (["--top-n", "0"], "--top-n must be a whole number >= 1"),
    (["--top-n", "-1"], "--top-n must be a whole number >= 1"),
    (["--seed", "-3"], "--seed must be a whole number >= 0"),
    (["--max-iter", "0"], "--max-iter must be"),
    (["-k", "0"], "-k must be a whole number >= 1"),
])
def test_fit_refuses_bad_numbers_naming_the_flag(corpus, tmp_path, args, fragment):
    one_line(run("fit", corpus, "--min-df", "1", *args, "-o", tmp_path / "out"), 2, fragment)
    assert not (tmp_path / "out").exists()


HUGE = "99999999999999999999"          # beyond 64 bits: no array can be that long


@pytest.mark.parametrize("args,fragment", [
    (["-k", HUGE], "-k must be a whole number from 1 to"),
    (["--threads", HUGE], "--threads must be a whole number from 1 to"),
    (["--threads", "1000000000"], "--threads must be a whole number from 1 to"),
    (["--e-max-iter", HUGE], "--e-max-iter must be a whole number from 1 to"),
    (["--max-iter", HUGE], "--max-iter must be a whole number from 1 to"),
    (["--method", "online", "--batch-size", HUGE], "--batch-size must be a whole number"),
])
def test_fit_refuses_whole_numbers_too_large_naming_the_flag(corpus, tmp_path, args, fragment):
    one_line(run("fit", corpus, "--min-df", "1", *args, "-o", tmp_path / "out"), 2, fragment)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args,fragment", [
    (["-k", f"2,{HUGE}"], "-k"),
    (["-k", "2", "--threads", HUGE], "--threads must be a whole number from 1 to"),
])
def test_sweep_refuses_whole_numbers_too_large(corpus, tmp_path, args, fragment):
    one_line(run("sweep", corpus, "--max-iter", "2", *args, "--csv", tmp_path / "s.csv"), 2,
             fragment)
    assert list(tmp_path.iterdir()) == []


def test_evaluate_refuses_a_negative_seed(model_dir, corpus):
    one_line(run("evaluate", model_dir, corpus, "--seed", "-1"), 2,
             "--seed must be a whole number >= 0, got -1")


@pytest.mark.parametrize("command", ["show", "evaluate", "report", "plot", "sweep"])
@pytest.mark.parametrize("top_n", ["0", "-1"])
def test_every_command_refuses_top_n_below_one(command, top_n, model_dir, corpus, tmp_path):
    args = {"show": [model_dir], "evaluate": [model_dir, corpus],
            "report": [model_dir, "-o", tmp_path / "r.html"],
            "plot": [model_dir, "--topics", tmp_path / "t.png"],
            "sweep": [corpus, "-k", "2,3"]}[command]
    one_line(run(command, *args, "--top-n", top_n), 2, "--top-n must")
    assert list(tmp_path.iterdir()) == []


def test_more_topics_than_words(tmp_path):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("apple banana fruit\nbanana apple pie\ncar engine wheel\nwheel car road\n")
    one_line(run("fit", tiny, "-k", "10000", "--min-df", "1", "-q"), 2, "-k is 10000",
             "8 words")


def test_completed_fit_leaves_no_checkpoint(corpus, tmp_path):
    out = tmp_path / "run"
    base = ["fit", corpus, *FAST, "--tol", "0", "-q"]
    assert run(*base, "-k", "3", "--checkpoint-every", "2", "-o", out).exit_code == 0
    # a completed fit leaves no checkpoint behind
    assert not (out / "checkpoint.npz").exists() and not (out / "checkpoint.json").exists()


def test_resume_with_another_k_after_an_interrupt(corpus, tmp_path, monkeypatch):
    import signal

    from lda_vi import interrupts
    from lda_vi.cli import progress

    def stop_at_3(self, report):
        if report.iteration == 3:
            raise interrupts.Interrupted(signal.SIGINT)

    monkeypatch.setattr(progress.BatchProgress, "__call__", stop_at_3)
    out = tmp_path / "run"
    first = run("fit", corpus, *FAST[2:], "--max-iter", "9", "--tol", "0", "-k", "3",
                "--checkpoint-every", "2", "-o", out)
    monkeypatch.undo()
    assert first.exit_code == 130
    last = first.stderr.strip().splitlines()[-1]
    assert last.startswith("interrupted (SIGINT): no output was written; the checkpoint of "
                           f"iteration 2 is in {out}: continue with 'lda-vi fit {corpus} "
                           f"--resume {out}'")
    one_line(run("fit", corpus, *FAST[2:], "-k", "4", "--resume", out), 2,
             "made with -k 3, not 4")


def test_an_older_runs_checkpoint_of_other_settings_is_not_offered(corpus, tmp_path,
                                                                     monkeypatch):
    """`fit -k 4 -o DIR --force` over the checkpoint of an interrupted `-k 3` run, stopped
    before its own first checkpoint: "--resume DIR with the same options" would be refused,
    so that checkpoint is not offered; the same settings' is."""
    import signal

    from lda_vi import interrupts
    from lda_vi.cli import progress

    def stop_at(iteration):
        def stop(self, report):
            if report.iteration == iteration:
                raise interrupts.Interrupted(signal.SIGINT)
        return stop

    out = tmp_path / "run"
    common = [corpus, *FAST[2:], "--max-iter", "9", "--tol", "0", "--checkpoint-every", "2",
              "-o", out, "--force"]
    monkeypatch.setattr(progress.BatchProgress, "__call__", stop_at(3))
    assert run("fit", *common, "-k", "3").exit_code == 130
    monkeypatch.setattr(progress.BatchProgress, "__call__", stop_at(1))
    other = run("fit", *common, "-k", "4")
    assert other.exit_code == 130
    assert other.stderr.strip().splitlines()[-1] == "interrupted (SIGINT): no output was written"
    same = run("fit", *common, "-k", "3")
    assert same.exit_code == 130
    assert "the checkpoint of iteration 2 is in" in same.stderr.strip().splitlines()[-1]


# ------------------------------------------------------------------ model files


@pytest.mark.parametrize("command", ["show", "transform", "report", "plot", "evaluate"])
def test_truncated_arrays_through_every_command(command, model_dir, corpus, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in model_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    data = (broken / "arrays.npz").read_bytes()
    (broken / "arrays.npz").write_bytes(data[: len(data) // 2])
    args = {"show": [], "transform": [corpus, "--doc-topics", tmp_path / "t.csv"],
            "report": ["-o", tmp_path / "r.html"], "plot": ["--topics", tmp_path / "t.png"],
            "evaluate": [corpus]}[command]
    one_line(run(command, broken, *args), 2, "arrays.npz", "corrupt or truncated")


# ---------------------------------------------------------------- existing files


def test_force_onto_a_symlink_keeps_the_link(corpus, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "theta.csv"
    link.symlink_to(real)
    result = run("fit", corpus, "-k", "3", *FAST, "-q", "--doc-topics", link, "--force")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_text().startswith("doc_id,topic_0")


def test_force_onto_a_device_keeps_the_device(corpus, tmp_path):
    null = device_node(tmp_path / "null", 3)
    result = run("fit", corpus, "-k", "3", *FAST, "-q", "--doc-topics", null, "--force")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_full_device_is_one_line_and_nothing_else_is_written(corpus, tmp_path):
    full = device_node(tmp_path / "full", 7)
    result = run("fit", corpus, "-k", "3", *FAST, "-q", "--doc-topics", full, "-o",
                 tmp_path / "out")
    one_line(result, 2, "no space left")   # an output that cannot be written
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert not (tmp_path / "out").exists()       # all outputs or none


def test_running_out_of_memory_is_one_line(corpus, tmp_path, monkeypatch):
    from lda_vi.model import lda

    def no_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 391. GiB for an array")

    monkeypatch.setattr(lda, "fit_batch", no_memory)
    line = one_line(run("fit", corpus, "-k", "3", *FAST, "-q", "-o", tmp_path / "m"), 1,
                    "out of memory")
    assert "391. GiB" in line and not (tmp_path / "m").exists()


def test_second_writer_of_a_directory_is_refused(corpus, model_dir, tmp_path):
    out = tmp_path / "busy"
    before = None
    with directory_lock(out):
        result = run("fit", corpus, "-k", "3", *FAST, "-q", "-o", out, "--force")
        before = sorted(p.name for p in out.iterdir())
    one_line(result, 2, "in use by another lda-vi", f"process {os.getpid()}")
    assert before == [".lda-vi.lock"]
    assert not out.exists()


def test_label_waits_for_no_one_writing_the_model(model_dir, tmp_path):
    """`label` rewrites model.json: while a fit writes the same directory, it is refused
    (its label would be lost, or model.json would not match the new arrays)."""
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(model_dir, copy)
    before = (copy / "model.json").read_bytes()
    with directory_lock(copy):
        result = run("label", copy, "0", "busy")
    one_line(result, 2, "in use by another lda-vi")
    assert (copy / "model.json").read_bytes() == before
    result = run("label", copy, "0", "free")
    assert result.exit_code == 0, result.output
    assert not (copy / ".lda-vi.lock").exists()


def test_fit_output_directory_has_no_lock_or_temp_left(corpus, tmp_path):
    out = tmp_path / "out"
    assert run("fit", corpus, "-k", "3", *FAST, "-q", "-o", out).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["arrays.npz", "doc_ids.txt", "doc_topics.csv", "model.json", "run.json",
                     "topic_words.csv", "vocab.txt"]


# ----------------------------------------------------------------------- output


def test_topic_table_into_a_pipe_keeps_every_word(model_dir):
    result = run("show", model_dir, "--top-n", "40")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()[2:]
    assert len(rows) == 3 and all(len(row.split()) == 2 + 40 for row in rows)


def test_topic_table_wraps_on_a_terminal():
    words = [(f"word{i:02d}", 0.1) for i in range(30)]
    import numpy as np

    table = format_topic_table([words, words[:3]], np.array([0.6, 0.4]), width=60)
    lines = table.splitlines()
    assert all(len(line) <= 60 for line in lines)
    printed = " ".join(lines[2:]).split()
    assert [w for w in printed if w.startswith("word")] == [w for w, _ in words + words[:3]]
    assert lines[3].startswith(" " * 15)                  # continuation lines are indented


def test_quiet_leaves_stderr_empty(corpus, tmp_path):
    result = run("fit", corpus, "-k", "3", *FAST, "-q", "--holdout", "0.2", "-o",
                 tmp_path / "o")
    assert result.exit_code == 0 and result.stderr == ""


def test_progress_says_iteration_of_max_and_eta():
    progress = BatchProgress(max_iter=10)
    lines = [progress.line(IterationReport(i, -100.0 + i, 0.01, seconds, 5.0))
             for i, seconds in enumerate([9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], start=1)]
    assert lines[0].startswith("iteration  1/10") and lines[0].endswith("ETA 1m21s")
    assert lines[1].endswith("ETA 8s")        # the first iteration (a compile) left out
    assert lines[-1].startswith("iteration  7/10") and lines[-1].endswith("ETA 3s")  # recent


def test_reading_progress_in_documents_per_second():
    clock = iter([0.0, 1.0, 2.5, 3.0, 5.0]).__next__
    progress = ReadProgress(every=2.0, clock=clock)
    assert progress.line(1000) is None
    assert progress.line(5000) == "reading and tokenizing: 5,000 documents, 2,000 docs/s"
    assert progress.line(6000) is None
    assert progress.line(10000) == "reading and tokenizing: 10,000 documents, 2,000 docs/s"


def test_corpus_building_reports_documents_read():
    from lda_vi.io.corpus import PROGRESS_EVERY, build_corpus, with_progress
    from lda_vi.text.tokenize import Tokenizer
    from lda_vi.text.vocabulary import PruneConfig

    seen: list[int] = []
    docs = [(str(i), "apple banana cherry") for i in range(2 * PROGRESS_EVERY + 5)]
    build_corpus(docs, Tokenizer(), PruneConfig(min_df=1, max_df=1.0), seen.append)
    assert seen == [PROGRESS_EVERY, 2 * PROGRESS_EVERY]
    seen.clear()
    assert list(with_progress(iter(docs), seen.append)) == docs
    assert seen == [PROGRESS_EVERY, 2 * PROGRESS_EVERY]


def test_start_up_interrupt_names_the_checkpoint_from_the_arguments(tmp_path):
    from lda_vi.cli import _checkpoint_hint

    (tmp_path / "checkpoint.json").write_text('{"iterations": 6}')
    for args in (["fit", "c.txt", "-k", "3", "--force", "--resume", str(tmp_path)],
                 ["fit", "-k", "3", f"--output={tmp_path}", "-q", "c.txt"]):
        assert _checkpoint_hint(args) == (
            f"; the checkpoint of iteration 6 is in {tmp_path}: continue with 'lda-vi fit "
            f"c.txt --resume {tmp_path}' and the same options")
    assert _checkpoint_hint(["fit", "c.txt", "-o", str(tmp_path / "none")]) == ""
    assert _checkpoint_hint(["show", str(tmp_path)]) == ""


def test_every_command_runs_inside_the_error_and_output_handling():
    """A command outside handle_errors would get no transaction, no one-line errors and no
    exit 130: every registered command must be wrapped."""
    import click

    from lda_vi.cli.app import COMMANDS

    ctx = click.Context(cli)
    assert len(cli.list_commands(ctx)) >= len(COMMANDS) >= 8
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert getattr(command.callback, "handles_errors", False), name


def test_a_first_fit_on_a_machine_says_it_compiles_and_a_cached_one_does_not(tmp_path):
    """The compile notice comes from numba's cache index (empty NUMBA_CACHE_DIR: compiling;
    the same directory again: loading, no notice)."""
    (tmp_path / "c.dat").write_text("2 0:1 1:2\n2 1:1 2:3\n1 3:2\n")
    (tmp_path / "v.txt").write_text("w\nx\ny\nz\n")
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "nc"), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    code = "from lda_vi.cli import main; main()"
    notices = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code, "fit", str(tmp_path / "c.dat"),
                               "--vocab", str(tmp_path / "v.txt"), "-k", "2", "--seed", "0",
                               "--max-iter", "3"], capture_output=True, text=True,
                              timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        notices.append("compiling the kernels for this machine" in proc.stderr)
    assert notices == [True, False]
