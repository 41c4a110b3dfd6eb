"""Start-up: `lda-vi --version` and `--help` load no numerics (numpy, numba, scipy, nltk)."""

import subprocess
import sys

import pytest

HEAVY = ("numpy", "numba", "scipy", "nltk")


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_numerics(args):
    code = ("import sys\nfrom lda_vi.cli.app import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set("
            f"{HEAVY!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.splitlines()
    assert out[-1] == "", f"{args} imported {out[-1]}"


def test_help_lists_every_command_and_each_command_loads():
    from click.testing import CliRunner

    from lda_vi.cli.app import COMMANDS, cli

    listing = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMANDS:
        assert f"  {name} " in listing
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output, name
