"""The ``lda-vi`` click group: registers every command; ``main`` is the console script.

Commands are imported when they run, not before: ``lda-vi --version`` and ``lda-vi --help``
load neither numba nor scipy nor nltk. :data:`COMMANDS` names each command's module and
function, with the one-line help that ``--help`` lists.

Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
"""

from __future__ import annotations

import importlib
import warnings

import click

from lda_vi import __version__, interrupts
from lda_vi.cli import streams
from lda_vi.cli.common import OneLineGroup, show_warning

#: name -> (module, function, short help), in the order ``--help`` lists them.
COMMANDS = {
    "fit": ("lda_vi.cli.fit", "fit", "Fit an LDA model to CORPUS."),
    "show": ("lda_vi.cli.models", "show", "Print the topics of a saved model."),
    "transform": ("lda_vi.cli.models", "transform",
                  "Topic proportions of new documents under a saved model."),
    "evaluate": ("lda_vi.cli.models", "evaluate",
                 "Score a saved model on held-out documents."),
    "sweep": ("lda_vi.cli.sweep", "sweep", "Fit several K and seeds; compare them."),
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
    """Entry point of the ``lda-vi`` console script: signals honoured, polite streams."""
    interrupts.install()
    streams.install()
    cli.main(args=argv, prog_name="lda-vi")


if __name__ == "__main__":  # pragma: no cover
    main()
