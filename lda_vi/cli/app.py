"""The ``lda-vi`` click group: registers every command; ``main`` is the console script.

Commands are imported when they run, not before: ``lda-vi --version`` and ``lda-vi --help``
load neither numba nor scipy nor nltk. :data:`COMMANDS` names each command's module and
function, with the one-line help that ``--help`` lists.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import sys
import warnings

import click

from lda_vi import __version__, interrupts
from lda_vi.cli import streams
from lda_vi.cli.common import INTERRUPTED, OneLineGroup, show_warning
from lda_vi.errors import LdaViError

#: name -> (module, function, short help), in the order ``--help`` lists them.
COMMANDS = {
    "fit": ("lda_vi.cli.fit", "fit", "Fit an LDA model to CORPUS."),
    "show": ("lda_vi.cli.models", "show", "Print the topics of a saved model."),
    "label": ("lda_vi.cli.label", "label", "Name the topics of a saved model."),
    "transform": ("lda_vi.cli.models", "transform",
                  "Topic proportions of new documents under a saved model."),
    "evaluate": ("lda_vi.cli.models", "evaluate",
                 "Score a saved model on held-out documents."),
    "sweep": ("lda_vi.cli.sweep", "sweep", "Fit several K and seeds; compare them."),
    "phrases": ("lda_vi.cli.phrases", "phrases_command",
                "List the phrases 'fit --phrases' learns, with their scores."),
    "trends": ("lda_vi.cli.trends", "trends",
               "Topic prevalence over time or by group, with intervals."),
    "report": ("lda_vi.cli.report", "report_command",
               "Write a self-contained HTML report of a saved model."),
    "plot": ("lda_vi.cli.report", "plot_command", "Draw PNG plots of a model or a sweep."),
}


class LazyGroup(OneLineGroup):
    """A group whose commands are imported only when one is run (or asked for help)."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS) + sorted(set(self.commands) - set(COMMANDS))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        command = getattr(importlib.import_module(module), attribute)
        self.commands[name] = command
        return command

    def format_commands(self, ctx, formatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lda-vi")
def cli() -> None:
    """LDA topic models by mean-field variational inference."""
    warnings.showwarning = show_warning


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script: signals honoured, polite streams.

    At the end SIGINT and SIGTERM are ignored (:func:`lda_vi.interrupts.ignore_from_now`):
    Python's shutdown would put their default actions back, and a signal then would kill
    the process with no word. One that came after the command's outputs were complete is
    reported (exit 130).
    """
    interrupts.install()
    streams.install()
    try:
        result = cli.main(args=argv, prog_name="lda-vi", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except LdaViError as exc:          # outside of a command: --help or --version > /dev/full
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        name = getattr(exc.__context__, "name", getattr(exc, "name", "SIGINT"))
        click.echo(f"interrupted ({name}): no output was written", err=True)
        code = INTERRUPTED
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    late = interrupts.ignore_from_now()
    if late is not None and code != INTERRUPTED:
        click.echo(f"interrupted ({signal.Signals(late).name}) after the command had "
                   "finished; its outputs are complete", err=True)
        code = INTERRUPTED
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
