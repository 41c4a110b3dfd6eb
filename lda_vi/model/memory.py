"""How much memory this process may still take, for refusing work that would not fit.

The least of three limits, each where it exists:

- what the system has available (Linux ``MemAvailable`` in ``/proc/meminfo``);
- what the process's cgroup leaves (a container's limit, ``memory.max`` less
  ``memory.current`` in cgroup v2, ``memory.limit_in_bytes`` less
  ``memory.usage_in_bytes`` in v1): ``MemAvailable`` there still counts the host's;
- what its address-space limit leaves (``ulimit -v``, ``RLIMIT_AS``, less the
  process's ``VmSize``; ``RLIMIT_DATA`` less ``VmData`` likewise).

None where none is known. ``(ulimit -v 2000000; lda-vi fit ...)`` makes a refusal
happen on purpose.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

#: A cgroup limit at least this large means "no limit" (v1 writes 2^63 rounded to pages).
_UNLIMITED = 2**60


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _proc_bytes(path: str, field: str) -> int | None:
    """The ``field: N kB`` line of a /proc file, in bytes (None where absent)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    return None


def _meminfo(field: str = "MemAvailable") -> int | None:
    return _proc_bytes("/proc/meminfo", field)


def _cgroup_dirs() -> list[Path]:
    """The process's own cgroup directories (v2, then v1 memory), then the roots."""
    dirs = []
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers == "":
                dirs.append(Path("/sys/fs/cgroup") / path.lstrip("/"))
            elif "memory" in controllers.split(","):
                dirs.append(Path("/sys/fs/cgroup/memory") / path.lstrip("/"))
    return [*dirs, Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory")]


def _cgroup_room() -> int | None:
    for directory in _cgroup_dirs():
        for limit, usage in (("memory.max", "memory.current"),
                             ("memory.limit_in_bytes", "memory.usage_in_bytes")):
            most = _read_int(directory / limit)
            if most is None:
                continue
            if most >= _UNLIMITED:
                return None
            return max(most - (_read_int(directory / usage) or 0), 0)
    return None


def _status(field: str) -> int | None:
    return _proc_bytes("/proc/self/status", field)


def _rlimit_room() -> int | None:
    try:
        import resource
    except ImportError:                      # not on this platform
        return None
    rooms = []
    for limit, used in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
        soft, _ = resource.getrlimit(limit)
        if soft != resource.RLIM_INFINITY and soft >= 0:
            rooms.append(max(soft - (_status(used) or 0), 0))
    return min(rooms) if rooms else None


def available_memory() -> int | None:
    """Bytes this process may still allocate (module docstring), or None where unknown."""
    known = [room for room in (_meminfo(), _cgroup_room(), _rlimit_room()) if room is not None]
    return min(known) if known else None


def format_bytes(n: float) -> str:
    """1536 → '1.5 KiB'."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
