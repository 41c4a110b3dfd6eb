"""Helpers shared by the input tests (tests/io, tests/cli): writing files, reading documents,
catching the one-line InputError, running the CLI, and the CLI's one-line error."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lda_vi.errors import InputError
from lda_vi.io.text_readers import iter_documents
from lda_vi.text.vocabulary import PruneConfig

AP_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ap"
KEEP_ALL = PruneConfig(min_df=1, max_df=1.0)


def device_node(path: Path, minor: int) -> Path:
    """A character device like /dev/null (1, 3) or /dev/full (1, 7) at ``path``; skips where
    none can be made (not root) or used: a filesystem mounted ``nodev`` (a tmpfs /tmp often
    is) lets root make the node, and refuses to open it."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    try:
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:
        path.unlink()
        pytest.skip(f"device nodes do not open on this filesystem (nodev?): {exc}")
    return path


def write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (str as UTF-8) to ``path``, creating its folder; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def docs(path, *args, **kwargs) -> list[tuple[str, str]]:
    """All ``(doc_id, text)`` pairs of ``path`` read by the one document reader."""
    return list(iter_documents(path, *args, **kwargs))


def error(func, *args, **kwargs) -> str:
    """The message of the InputError that calling (and iterating) ``func`` raises: one line."""
    with pytest.raises(InputError) as info:
        result = func(*args, **kwargs)
        if hasattr(result, "__next__"):
            list(result)
    message = str(info.value)
    assert "\n" not in message
    return message


def one_line_error(result, *fragments: str, code: int = 2) -> str:
    """A CLI result (click's CliRunner) that exited ``code`` saying one line, ``error: ...``,
    which holds every fragment, and no traceback; returns the line."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def run_cli(*args):
    """``lda-vi ARGS`` through click's CliRunner (each argument as a string)."""
    from click.testing import CliRunner

    from lda_vi.cli.app import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def cli_ok(*args):
    """:func:`run_cli` that must exit 0; returns the result."""
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return result
