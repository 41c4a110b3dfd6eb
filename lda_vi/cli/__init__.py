"""The command line: parses, calls, formats."""

from lda_vi.cli.app import main

__all__ = ["main"]
