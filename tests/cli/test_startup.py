"""Start-up: each command imports only what it needs (issue 17).

`lda-vi --version` and `--help` load no numerics (numpy, numba, scipy, nltk); `show` (and
`label`, a read of a saved model) loads neither numba nor nltk nor scipy.stats; a fit of word
counts (lda-c, UCI, Matrix Market) never imports nltk. Each check runs the command in a fresh
interpreter and reads its ``sys.modules`` at the end.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

HEAVY = ("numpy", "numba", "scipy", "nltk")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def run_and_list_modules(args: list[str], watch) -> tuple[str, set[str]]:
    """Run ``lda-vi ARGS`` in a fresh interpreter: its stdout, and which of ``watch``
    (module names, dotted ones included) it imported."""
    code = ("import sys\nfrom lda_vi.cli.app import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            f"print('MODULES:' + ' '.join(m for m in {tuple(watch)!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    *out, last = proc.stdout.splitlines()
    assert last.startswith("MODULES:")
    return "\n".join(out), set(last[len("MODULES:"):].split())


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_numerics(args):
    _, loaded = run_and_list_modules(args, HEAVY)
    assert loaded == set(), f"{args} imported {loaded}"


@pytest.mark.parametrize("fixture", ["v1_cli", "v1_library"])
def test_show_imports_neither_numba_nor_nltk_nor_scipy_stats(fixture):
    out, loaded = run_and_list_modules(["show", str(FIXTURES / fixture)],
                                       ("numba", "nltk", "scipy.stats", "numpy"))
    assert loaded == {"numpy"}, f"show imported {loaded - {'numpy'}}"
    assert len([line for line in out.splitlines() if "%" in line]) >= 2   # the topics


def test_label_imports_neither_numba_nor_nltk_nor_scipy_stats(tmp_path):
    from lda_vi.cli.app import COMMANDS

    if "label" not in COMMANDS:
        pytest.skip("no label command yet")
    model = tmp_path / "model"
    shutil.copytree(FIXTURES / "v1_cli", model)
    out, loaded = run_and_list_modules(["label", str(model), "0", "first"],
                                       ("numba", "nltk", "scipy.stats"))
    assert loaded == set(), f"label imported {loaded}"
    assert "topic 0:" in out and "first" in out


def _count_file(tmp_path: Path, fmt: str) -> Path:
    from lda_vi.io.writers import write_ldac, write_mtx

    X = sp.csr_matrix(np.kron(np.eye(3), np.ones((2, 4))) * 3)  # 6 docs, 12 words, 3 themes
    if fmt == "ldac":
        write_ldac(tmp_path / "c.dat", X)
        return tmp_path / "c.dat"
    if fmt == "mtx":
        write_mtx(tmp_path / "c.mtx", X)
        return tmp_path / "c.mtx"
    coo = X.tocoo()
    body = "".join(f"{r + 1} {c + 1} {int(v)}\n"
                   for r, c, v in zip(coo.row, coo.col, coo.data, strict=True))
    (tmp_path / "docword.c.txt").write_text(f"6\n12\n{coo.nnz}\n{body}")
    return tmp_path / "docword.c.txt"


@pytest.mark.parametrize("fmt", ["ldac", "uci", "mtx"])
def test_count_format_fit_never_imports_nltk(tmp_path, fmt):
    words = tmp_path / "words.txt"
    words.write_text("".join(f"w{i}\n" for i in range(12)))
    source = _count_file(tmp_path, fmt)
    out, loaded = run_and_list_modules(
        ["fit", str(source), "--vocab", str(words), "-k", "3", "--max-iter", "3",
         "--seed", "0", "-o", str(tmp_path / "model"), "-q"], ("nltk", "numba"))
    assert loaded == {"numba"}, f"a {fmt} fit imported nltk"    # numba: it did fit
    assert (tmp_path / "model" / "model.json").is_file()


def test_help_lists_every_command_and_each_command_loads():
    from click.testing import CliRunner

    from lda_vi.cli.app import COMMANDS, cli

    listing = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in listing
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, name


def test_python_dash_m_lda_vi_is_the_command_line():
    """`python -m lda_vi` runs the same command line as the `lda-vi` script."""
    from lda_vi import __version__

    proc = subprocess.run([sys.executable, "-m", "lda_vi", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"lda-vi, version {__version__}"
    proc = subprocess.run([sys.executable, "-m", "lda_vi", "fit", "--k", "x"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error:"), proc.stderr


def test_fit_help_loads_no_kernels():
    """The compiled kernels (numba) load at their first call: ``fit --help`` needs none."""
    out, loaded = run_and_list_modules(["fit", "--help"], ("numba", "nltk", "llvmlite"))
    assert loaded == set(), f"fit --help imported {loaded}"
    assert "Usage: " in out


def test_only_the_console_script_freezes_the_collector():
    """``lda_vi.cli.main`` (the console script) moves the objects of its imports out of
    the collector's sight (gc.freeze); the click entry point that programs and tests call
    leaves the collector as it was."""
    code = ("import gc, sys\nfrom lda_vi.cli{} import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('FROZEN:', gc.get_freeze_count())")
    counts = []
    for module in ("", ".app"):
        proc = subprocess.run([sys.executable, "-c", code.format(module)], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        counts.append(int(proc.stdout.split("FROZEN:")[1]))
    assert counts[0] > 1000 and counts[1] == 0, counts
