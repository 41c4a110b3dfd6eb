"""The ``lda-vi`` click group: registers every command; ``main`` is the console script.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import warnings

import click

from lda_vi import __version__, interrupts
from lda_vi.cli import streams
from lda_vi.cli.common import OneLineGroup, show_warning
from lda_vi.cli.fit import fit
from lda_vi.cli.models import evaluate, show, transform
from lda_vi.cli.report import plot_command, report_command
from lda_vi.cli.sweep import sweep
from lda_vi.cli.trends import trends


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lda-vi")
def cli() -> None:
    """LDA topic models by mean-field variational inference."""
    warnings.showwarning = show_warning


for _command in (fit, show, transform, evaluate, sweep, report_command, plot_command, trends):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script: signals honoured, polite streams."""
    interrupts.install()
    streams.install()
    cli.main(args=argv, prog_name="lda-vi")


if __name__ == "__main__":  # pragma: no cover
    main()
