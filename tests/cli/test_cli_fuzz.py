"""Property tests through the CLI, one per reader (CSV quoting, JSON Lines, lda-c): random
bad bytes give a fit or one ``error:`` line with exit 2, never a traceback."""

from __future__ import annotations

import bz2
import gzip

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lda_vi.cli.app import cli

CLI_FUZZ = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
FIT = ["-k", "2", "--max-iter", "2", "-q", "--min-df", "1", "--max-df", "1.0"]


def damaged(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text of a format's own characters, random bytes, and (truncated) compressed text."""
    encoded = text.map(lambda s: s.encode("utf-8"))
    return st.one_of(encoded, st.binary(max_size=120), encoded.map(gzip.compress),
                     encoded.map(lambda b: bz2.compress(b)[:-3]),
                     st.tuples(encoded, st.binary(max_size=8)).map(lambda p: p[0] + p[1]))


def fit_clean(path, *options) -> None:
    result = CliRunner().invoke(cli, ["fit", str(path), *FIT, *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


@CLI_FUZZ
@given(data=damaged(st.text(alphabet='ab ,"\n\r\t\\é', max_size=80)))
def test_csv_quoting_never_a_traceback(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(b'id,text\n1,"apple pie"\n' + data)
    fit_clean(path, "--id-column", "id")


@CLI_FUZZ
@given(data=damaged(st.text(alphabet='{}[]":,\\ntexid 0123\n', max_size=80)))
def test_jsonl_never_a_traceback(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("jsonl") / "f.jsonl"
    path.write_bytes(b'{"text": "apple pie"}\n' + data)
    fit_clean(path)


@CLI_FUZZ
@given(data=damaged(st.text(alphabet="0123456789 :\n\r\t-x", max_size=80)))
def test_ldac_never_a_traceback(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("ldac")
    (folder / "vocab.txt").write_text("".join(f"w{i}\n" for i in range(12)))
    path = folder / "f.dat"
    path.write_bytes(b"2 0:1 3:2\n" + data)
    fit_clean(path)
    fit_clean(path, "--method", "online", "--batch-size", "2")
