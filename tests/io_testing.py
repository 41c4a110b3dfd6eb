"""Helpers shared by the input tests (tests/io, tests/cli): writing files, reading documents,
catching the one-line InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from lda_vi.errors import InputError
from lda_vi.io.text_readers import iter_documents
from lda_vi.text.vocabulary import PruneConfig

AP_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ap"
KEEP_ALL = PruneConfig(min_df=1, max_df=1.0)


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
