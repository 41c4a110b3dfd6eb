"""The memory a process may still take: the least of the system's, its cgroup's (a
container) and its address-space limit's (ulimit -v), which /proc/meminfo alone misses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lda_vi.model import memory

ROOT = Path(__file__).resolve().parents[2]


def test_a_cgroup_limit_counts(tmp_path, monkeypatch):
    (tmp_path / "memory.max").write_text("3000000000\n")
    (tmp_path / "memory.current").write_text("1000000000\n")
    monkeypatch.setattr(memory, "_cgroup_dirs", lambda: [tmp_path])
    monkeypatch.setattr(memory, "_meminfo", lambda: 50 * 2**30)
    assert memory.available_memory() == 2_000_000_000
    (tmp_path / "memory.max").write_text("max\n")             # no limit: the system's
    assert memory.available_memory() == 50 * 2**30


def test_a_cgroup_v1_limit_counts_and_its_no_limit_value_does_not(tmp_path, monkeypatch):
    (tmp_path / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    monkeypatch.setattr(memory, "_cgroup_dirs", lambda: [tmp_path])
    assert memory._cgroup_room() is None
    (tmp_path / "memory.limit_in_bytes").write_text("4096\n")
    (tmp_path / "memory.usage_in_bytes").write_text("1024\n")
    assert memory._cgroup_room() == 3072


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc")
def test_ulimit_v_counts():
    code = ("import resource; from lda_vi.model import memory; "
            "size = memory._status('VmSize'); "
            "resource.setrlimit(resource.RLIMIT_AS, (size + 2**30, resource.RLIM_INFINITY)); "
            "print(memory.available_memory())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT)}, check=True).stdout
    assert 0 < int(out) <= 2**30


def test_format_bytes():
    assert memory.format_bytes(512) == "512 bytes"
    assert memory.format_bytes(1536) == "1.5 KiB"
    assert memory.format_bytes(5 * 2**30) == "5.0 GiB"
