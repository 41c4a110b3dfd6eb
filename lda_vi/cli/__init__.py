"""The command line: parses, calls, formats."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lda-vi`` console script.

    The signal handlers go in before the (slow) imports of the commands, so that
    Ctrl-C during start-up is one line and exit 130 too.
    """
    import sys

    from lda_vi import interrupts

    interrupts.install()
    try:
        from lda_vi.cli.app import main as run
    except KeyboardInterrupt as exc:
        name = exc.name if isinstance(exc, interrupts.Interrupted) else "SIGINT"
        print(f"interrupted ({name}) while starting", file=sys.stderr)
        sys.exit(130)
    run(argv)


__all__ = ["main"]
