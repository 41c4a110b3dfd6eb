"""The command line: parses, calls, formats."""

from lda_vi.cli.commands import main

__all__ = ["main"]
