"""The command line: parses, calls, formats."""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import sys
from pathlib import Path

#: fit's options that take no value (every other option takes one).
_FLAGS = {"--force", "-q", "--quiet", "--all-words", "--replace-stopwords", "--no-stopwords",
          "-h", "--help"}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script.

    The signal handlers go in before the (slow) imports of the commands, so that
    Ctrl-C during start-up is one line and exit 130 too. Then the garbage collector
    is told to leave alone what is loaded by then (:func:`_freeze_imports`).
    """
    from lda_vi import interrupts

    interrupts.install()
    args = sys.argv[1:] if argv is None else argv
    try:
        from lda_vi.cli.app import COMMANDS
        from lda_vi.cli.app import main as run

        if args and args[0] in COMMANDS:          # the command's modules, as click would
            importlib.import_module(COMMANDS[args[0]][0])
    except KeyboardInterrupt as exc:
        name = exc.name if isinstance(exc, interrupts.Interrupted) else "SIGINT"
        print(f"interrupted ({name}) while starting: no output was written"
              + _checkpoint_hint(args), file=sys.stderr)
        sys.exit(130)
    _freeze_imports()
    run(argv)


def _freeze_imports() -> None:
    """Move every object so far (the imported modules: they live as long as the process)
    out of the collector's sight, now and again at exit (issue 17).

    Python's cyclic collector otherwise walks them on every full collection: about 0.1 s
    during a fit, and 0.2 s more in the last collection at exit once numba's machinery is
    loaded, for objects that are freed with the process anyway. Objects made later are
    collected as usual; at exit, only finalizers of objects still in reference cycles
    are skipped (atexit handlers and ``weakref.finalize`` still run). The console script
    only: a program that imports lda-vi keeps its own collector's settings.
    """
    gc.freeze()
    atexit.register(gc.freeze)      # registered early, so it runs after later handlers


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
