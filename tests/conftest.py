"""Shared fixtures: the AP corpus (read in place, skipped when absent) and the sample corpus."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
AP_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ap"
SAMPLE = ROOT / "corpora" / "stdlib_docstrings.txt"

# Property tests run the same examples on every run (derandomized: what passes once
# passes on every rerun), keep no database of earlier failures, and never fail for a
# slow machine (no deadline, no too-slow health check). `pytest --hypothesis-profile=
# explore` draws new examples each run, to look for bugs.
settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")

# tests/planted.py and other helper modules are imported by name from the tests
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))


def read_lda_c(dat: Path, n_words: int) -> sp.csr_matrix:
    """An lda-c ``.dat`` file (``N id:count ...`` per line) as a D×V float64 CSR matrix."""
    indptr, indices, data = [0], [], []
    with open(dat, encoding="ascii") as handle:
        for line in handle:
            fields = line.split()
            if not fields:
                continue
            for pair in fields[1:]:
                word, count = pair.split(":")
                indices.append(int(word))
                data.append(float(count))
            indptr.append(len(indices))
    X = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int64),
                       np.array(indptr, dtype=np.int64)), shape=(len(indptr) - 1, n_words))
    X.sum_duplicates()
    X.sort_indices()
    return X


@pytest.fixture(scope="session")
def ap_counts() -> sp.csr_matrix:
    """The AP corpus of lda-c (``ap.dat`` over ``vocab.txt``) as CSR counts; skips if absent."""
    dat, vocab = AP_DIR / "ap.dat", AP_DIR / "vocab.txt"
    if not (dat.is_file() and vocab.is_file()):
        pytest.skip(f"the AP corpus is not at {AP_DIR}")
    with open(vocab, encoding="utf-8") as handle:
        n_words = sum(1 for _ in handle)
    return read_lda_c(dat, n_words)


@pytest.fixture(scope="session")
def sample_corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpora/stdlib_docstrings.txt, built into a temporary directory when it is missing."""
    if SAMPLE.is_file():
        return SAMPLE
    out = tmp_path_factory.mktemp("sample") / "stdlib_docstrings.txt"
    proc = subprocess.run([sys.executable, str(ROOT / "corpora" / "make_sample.py"),
                           "-o", str(out)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(f"corpora/make_sample.py failed:\n{proc.stderr}")
    return out


@pytest.fixture()
def vocab4(tmp_path) -> Path:
    """A vocabulary file of 4 words, vocab.txt in tmp_path (found beside count files there)."""
    path = tmp_path / "vocab.txt"
    path.write_text("apple\nbanana\ncherry\ndate\n", encoding="utf-8")
    return path
