"""Errors a user can cause.

Every exception here carries a message written for the person at the terminal:
what is wrong, where, and how to fix it. The CLI prints it on one line and exits
with ``exit_code``; it never shows a traceback for these.
"""


class LdaViError(Exception):
    """Base class of user-facing errors; ``exit_code`` is the CLI's exit status.

    ``params`` names the library parameters the message mentions (``"max_iter"``), so that
    the CLI can show them as its flags (``--max-iter``); the library never names a flag.
    """

    exit_code = 1

    def __init__(self, *args: object, params: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        self.params = tuple(params)


class InputError(LdaViError):
    """Bad input or usage: a missing path, an empty corpus, bad bytes, bad options."""

    exit_code = 2


class ModelFileError(LdaViError):
    """A saved model directory that is corrupt, incomplete or of a newer format."""

    exit_code = 2


class ParameterError(InputError):
    """A bad value of one named parameter of the library (``max_iter``, ``top_n``...).

    ``template`` holds ``{}`` where the parameter's name goes (its first ``{}``: the values
    shown after it may hold braces of their own, ``{'x': [...]}``); the parameter is listed
    in ``params``, so that the CLI shows it as its flag.
    """

    def __init__(self, parameter: str, template: str) -> None:
        self.parameter, self.template = parameter, template
        super().__init__(template.replace("{}", parameter, 1), params=(parameter,))
