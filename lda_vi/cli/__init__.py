"""The command line: parses, calls, formats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: fit's options that take no value (every other option takes one).
_FLAGS = {"--force", "-q", "--quiet", "--all-words", "--replace-stopwords", "--no-stopwords",
          "-h", "--help"}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script.

    The signal handlers go in before the (slow) imports of the commands, so that
    Ctrl-C during start-up is one line and exit 130 too.
    """
    from lda_vi import interrupts

    interrupts.install()
    try:
        from lda_vi.cli.app import main as run
    except KeyboardInterrupt as exc:
        name = exc.name if isinstance(exc, interrupts.Interrupted) else "SIGINT"
        print(f"interrupted ({name}) while starting: no output was written"
              + _checkpoint_hint(sys.argv[1:] if argv is None else argv), file=sys.stderr)
        sys.exit(130)
    run(argv)


def _checkpoint_hint(args: list[str]) -> str:
    """For ``fit ... -o DIR`` or ``--resume DIR`` where DIR holds a checkpoint: where it
    is and how to resume it (read from the arguments; the commands are not loaded yet)."""
    if not args or args[0] != "fit":
        return ""
    corpus, directory, i = "CORPUS", None, 1
    while i < len(args):
        token = args[i]
        name, _, value = token.partition("=")
        if token in _FLAGS or not token.startswith("-") or token == "-":
            if not token.startswith("-") or token == "-":
                corpus = token if corpus == "CORPUS" else corpus
            i += 1
            continue
        if not value:
            value = args[i + 1] if i + 1 < len(args) else ""
            i += 1
        if name in ("-o", "--output", "--resume"):
            directory = value
        i += 1
    if directory is None:
        return ""
    try:
        info = json.loads((Path(directory) / "checkpoint.json").read_text(encoding="utf-8"))
        iterations = int(info["iterations"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return (f"; the checkpoint of iteration {iterations} is in {directory}: continue with "
            f"'lda-vi fit {corpus} --resume {directory}' and the same options")


__all__ = ["main"]
