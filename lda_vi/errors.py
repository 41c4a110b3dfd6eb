"""Errors a user can cause.

Every exception here carries a message written for the person at the terminal:
what is wrong, where, and how to fix it. The CLI prints it on one line and exits
with ``exit_code``; it never shows a traceback for these.
"""


class LdaViError(Exception):
    """Base class of user-facing errors; ``exit_code`` is the CLI's exit status."""

    exit_code = 1


class InputError(LdaViError):
    """Bad input or usage: a missing path, an empty corpus, bad bytes, bad options."""

    exit_code = 2


class ModelFileError(LdaViError):
    """A saved model directory that is corrupt, incomplete or of a newer format."""

    exit_code = 2
