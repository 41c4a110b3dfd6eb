"""The shipped sample corpus: corpora/make_sample.py over the stdlib docstrings."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "corpora" / "make_sample.py"
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def make_sample(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(out), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def read_lines(path: Path) -> list[str]:
    data = path.read_bytes().decode("utf-8")
    assert data.endswith("\n")
    return data[:-1].split("\n")


@pytest.fixture(scope="module")
def full_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sample") / "stdlib_docstrings.txt"
    proc = make_sample(out)
    return out, proc.stderr


def test_full_sample_shape(full_sample: tuple[Path, str]) -> None:
    out, stderr = full_sample
    docs = read_lines(out)
    ids = read_lines(Path(str(out) + ".ids"))
    assert 1_000 <= len(docs) <= 10_000
    assert len(ids) == len(docs)
    assert len(set(ids)) == len(ids)
    for doc in docs:
        assert doc, "empty line"
        assert doc == doc.strip()
        assert "\r" not in doc and "  " not in doc and "\t" not in doc
        assert len(doc.split()) >= 25
        assert len(doc.splitlines()) == 1
    assert len(set(docs)) == len(docs)  # duplicates dropped by default
    for doc_id in ids:
        path, _, qualname = doc_id.partition(":")
        assert path.endswith(".py") and qualname
        assert not path.startswith(("test/", "site-packages/"))
    assert f"{len(docs):,} documents" in stderr
    # No temp files left beside the output.
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name, out.name + ".ids"]


def test_full_sample_ids_name_known_definitions(full_sample: tuple[Path, str]) -> None:
    out, _ = full_sample
    ids = set(read_lines(Path(str(out) + ".ids")))
    if (STDLIB / "json" / "decoder.py").is_file():
        assert "json/decoder.py:JSONDecoder.raw_decode" in ids


def test_min_words_and_determinism_on_subset(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    for pkg in ("json", "email"):
        if not (STDLIB / pkg).is_dir():
            pytest.skip(f"stdlib has no {pkg} package")
        shutil.copytree(STDLIB / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    # Files that must be skipped: one that does not parse, one inside a tests/ dir.
    (root / "broken.py").write_text('"""' + "word " * 40 + '"""\ndef (:\n')
    (root / "json" / "tests").mkdir()
    (root / "json" / "tests" / "test_x.py").write_text('"""' + "word " * 40 + '"""\n')

    a, b = tmp_path / "a" / "s.txt", tmp_path / "b" / "s.txt"
    proc = make_sample(a, "--stdlib", str(root))
    make_sample(b, "--stdlib", str(root))
    assert a.read_bytes() == b.read_bytes()
    assert Path(str(a) + ".ids").read_bytes() == Path(str(b) + ".ids").read_bytes()
    assert "1 skipped" in proc.stderr

    docs = read_lines(a)
    ids = read_lines(Path(str(a) + ".ids"))
    assert len(docs) == len(ids) > 10
    assert all(i.split("/")[0] in ("json", "email") for i in ids)
    assert all(len(d.split()) >= 25 for d in docs)

    c = tmp_path / "c" / "s.txt"
    make_sample(c, "--stdlib", str(root), "--min-words", "100")
    longer = read_lines(c)
    assert 0 < len(longer) < len(docs)
    assert all(len(d.split()) >= 100 for d in longer)
