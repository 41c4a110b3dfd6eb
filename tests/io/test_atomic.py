"""Atomic writes respect what is already there: links are followed and kept, FIFOs and
devices written in place; a transaction's outputs appear together or not at all; one
writer per output directory."""

from __future__ import annotations

import errno
import os
import signal
import stat
import threading
from pathlib import Path

import pytest
from io_testing import device_node

from lda_vi import interrupts
from lda_vi.errors import InputError
from lda_vi.io import atomic
from lda_vi.io.atomic import (
    WriteError,
    atomic_open,
    atomic_write_text,
    check_writable,
    output_transaction,
    remove_on_commit,
)
from lda_vi.io.lock import LOCK_NAME, LockedError, directory_lock


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_symlink_is_followed_and_kept(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new\n"
    assert leftovers(tmp_path) == []


def test_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "sub" / "later.csv")
    (tmp_path / "sub").mkdir()
    atomic_write_text(link, "x\n")
    assert link.is_symlink() and (tmp_path / "sub" / "later.csv").read_text() == "x\n"


def test_symlink_chain_to_a_file_in_another_directory(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    final = tmp_path / "b" / "final.txt"
    final.write_text("old")
    (tmp_path / "a" / "hop").symlink_to(final)
    (tmp_path / "first").symlink_to(tmp_path / "a" / "hop")
    atomic_write_text(tmp_path / "first", "new")
    assert (tmp_path / "first").is_symlink() and (tmp_path / "a" / "hop").is_symlink()
    assert final.read_text() == "new"
    assert leftovers(tmp_path / "b") == [] and leftovers(tmp_path) == []


def test_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    atomic_write_text(fifo, "through the pipe\n")
    reader.join(10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def _device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (1, 3) or /dev/full (1, 7), made in tmp_path."""
    return device_node(tmp_path / name, minor)


def test_device_is_written_in_place(tmp_path):
    null = _device(tmp_path, "null", 3)
    atomic_write_text(null, "gone\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    link = tmp_path / "to-null"
    link.symlink_to(null)
    atomic_write_text(link, "gone\n")
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(null).st_mode)
    assert leftovers(tmp_path) == []


def test_full_device_gives_one_line_and_stays_a_device(tmp_path):
    full = _device(tmp_path, "full", 7)
    with pytest.raises(WriteError, match="no space left") as info:
        with atomic_open(full, "w") as handle:
            handle.write("x" * 100_000)
    assert "\n" not in str(info.value) and str(full) in str(info.value)
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_disk_full_on_a_regular_file_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match="no space left on the device; free some space"):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n" and leftovers(tmp_path) == []


def test_check_writable_respects_links_and_devices(tmp_path):
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="already exists; pass force=True"):
        check_writable(link, force=False)
    check_writable(link, force=True)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_writable(fifo, force=False)        # written in place: overwrites nothing
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "missing-dir" / "x")
    check_writable(broken, force=True)       # the link's missing folder is created ...
    atomic_write_text(broken, "through the link")
    assert broken.is_symlink() and (tmp_path / "missing-dir" / "x").read_text() == \
        "through the link"                   # ... and the link is kept
    blocked = tmp_path / "blocked"
    blocked.symlink_to(tmp_path / "plain" / "x")
    (tmp_path / "plain").write_text("a file")
    with pytest.raises(InputError, match="not a directory"):
        check_writable(blocked, force=True)


def test_transaction_renames_at_the_end_only(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    b.write_text("old b")
    with output_transaction() as transaction:
        atomic_write_text(a, "new a")
        atomic_write_text(b, "new b")
        assert not a.exists() and b.read_text() == "old b"
    assert transaction.committed
    assert a.read_text() == "new a" and b.read_text() == "new b"
    assert leftovers(tmp_path) == []


def test_transaction_after_an_error_writes_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    b.write_text("old b")
    with pytest.raises(RuntimeError), output_transaction():
        atomic_write_text(a, "new a")
        atomic_write_text(b, "new b")
        raise RuntimeError("the fit failed")
    assert not a.exists() and b.read_text() == "old b" and leftovers(tmp_path) == []


def test_transaction_with_a_swallowed_interrupt_writes_nothing(tmp_path):
    """A signal whose exception was lost (e.g. in a __del__) still stops the commit."""
    interrupts._received = signal.SIGINT
    try:
        with pytest.raises(interrupts.Interrupted), output_transaction():
            atomic_write_text(tmp_path / "a.txt", "new a")
    finally:
        interrupts.reset()
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_like_writes_land_at_once_and_removals_wait(tmp_path):
    keep = tmp_path / "checkpoint.json"
    keep.write_text("{}")
    with output_transaction():
        atomic_write_text(tmp_path / "now.txt", "now", now=True)
        assert (tmp_path / "now.txt").exists()
        remove_on_commit(keep)
        assert keep.exists()
    assert not keep.exists()


def test_lock_refuses_a_second_writer(tmp_path):
    out = tmp_path / "out"
    with directory_lock(out) as lock:
        assert lock.name == LOCK_NAME and lock.read_text().strip() == str(os.getpid())
        with pytest.raises(LockedError, match="in use by another lda-vi") as info:
            with directory_lock(out):
                pass
        assert "\n" not in str(info.value)
    assert not out.exists()                  # created by the lock, left empty: removed
    out.mkdir()
    with directory_lock(out):
        (out / "model.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["model.json"]


def test_write_error_names_reason(tmp_path):
    err = atomic.write_error(tmp_path / "x", OSError(errno.EROFS, "Read-only file system"))
    assert "read-only file system" in str(err) and str(tmp_path / "x") in str(err)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc/self/fd")
def test_dev_stdout_style_link_to_a_pipe_is_written_in_place(tmp_path):
    """/dev/stdout is a link to /proc/self/fd/1, itself a link to 'pipe:[N]' (no such
    path): the chain must not be resolved, the pipe written through it."""
    r, w = os.pipe()
    try:
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{w}")
        atomic_write_text(link, "through\n")
        assert os.read(r, 100) == b"through\n"
        assert link.is_symlink()
    finally:
        os.close(r)
        os.close(w)


def test_folders_made_for_outputs_go_again_when_nothing_is_written(tmp_path):
    target = tmp_path / "new" / "deeper" / "out.csv"
    with pytest.raises(RuntimeError), output_transaction():
        atomic_write_text(target, "x")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with output_transaction():
        atomic_write_text(target, "x")
    assert target.read_text() == "x"


def test_dash_is_standard_output(tmp_path, monkeypatch, capsysbinary):
    # "-" names standard output, for every output file: never a file named "-", even
    # when one exists (it is not overwritten and needs no force)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("keep me")
    check_writable("-", force=False)
    with output_transaction():
        atomic_write_text("-", "text out\n")
        with atomic_open(Path("-"), "wb") as handle:
            handle.write(b"bytes out\n")
    assert capsysbinary.readouterr().out == b"text out\nbytes out\n"
    assert (tmp_path / "-").read_text() == "keep me" and len(list(tmp_path.iterdir())) == 1


# ---- neighbouring cases found by trying them from outside (qa2)


def test_a_loop_of_symlinks_is_refused_and_kept(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    for check in (lambda: check_writable(a, force=True), lambda: atomic_write_text(a, "x")):
        with pytest.raises(InputError, match="loop of symbolic links") as info:
            check()
        assert "\n" not in str(info.value)
    assert a.is_symlink() and b.is_symlink() and os.readlink(a) == str(b)
    assert leftovers(tmp_path) == []


def test_overwriting_keeps_the_files_permissions(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n" and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    fresh = tmp_path / "fresh.csv"
    old = os.umask(0o027)
    try:
        atomic_write_text(fresh, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o640      # 0o666 less the umask


def test_a_rename_refused_at_commit_is_one_line_and_leaves_no_temp(tmp_path, monkeypatch):
    b = tmp_path / "b.txt"
    b.write_text("old b")

    def refuse(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    with pytest.raises(WriteError, match="cannot write .*b.txt: operation not permitted"):
        with output_transaction():
            atomic_write_text(b, "new b")
            monkeypatch.setattr(os, "replace", refuse)
    assert b.read_text() == "old b" and leftovers(tmp_path) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc/self/fd")
@pytest.mark.parametrize("name", ["/dev/fd/{fd}", "/proc/self/fd/{fd}"])
def test_a_standard_stream_redirected_to_a_file_is_written_through_it(tmp_path, name):
    """`--doc-topics /dev/stdout > out.txt`: the descriptor is written (at its offset, after
    what was printed before), never refused as existing, never replaced by a new file."""
    out = tmp_path / "out.txt"
    with open(out, "w") as redirected:
        redirected.write("table\n")
        redirected.flush()
        path = name.format(fd=redirected.fileno())
        check_writable(path, force=False)
        with output_transaction():
            atomic_write_text(path, "csv\n")
        redirected.write("after\n")
    assert out.read_text() == "table\ncsv\nafter\n"
    assert leftovers(tmp_path) == []


def test_a_rename_refused_halfway_puts_back_the_outputs_already_renamed(tmp_path, monkeypatch):
    """Outputs are all new or all as they were: the second of three renames fails, and the
    first target (replaced) gets its old content back, the new one made before goes away."""
    a, b, c, fresh = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt", "fresh.txt"))
    for path in (a, b, c):
        path.write_text(f"old {path.name}")
    real = os.replace

    def refuse_b(src, dst):
        if Path(dst) == b:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return real(src, dst)

    with pytest.raises(WriteError, match="cannot write .*b.txt: operation not permitted"):
        with output_transaction():
            atomic_write_text(fresh, "new fresh")
            atomic_write_text(a, "new a")
            atomic_write_text(b, "new b")
            atomic_write_text(c, "new c")
            monkeypatch.setattr(os, "replace", refuse_b)
    monkeypatch.setattr(os, "replace", real)
    assert [p.read_text() for p in (a, b, c)] == ["old a.txt", "old b.txt", "old c.txt"]
    assert not fresh.exists() and leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_a_committed_transaction_leaves_no_backup(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("old")
    with output_transaction():
        atomic_write_text(a, "new")
    assert a.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert os.stat(a).st_nlink == 1
