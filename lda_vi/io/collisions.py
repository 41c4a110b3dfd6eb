"""Output paths that would write over each other, over an input, or into a folder whose
files another output (or the model read) owns: refused before anything is read or written.

Paths are compared as the files they name: links, ``.`` and ``..`` resolved (a path that
does not exist yet resolves through what does). Standard output (``-``) may be given to
one output only. FIFOs and devices (``/dev/null``, a pipe) are written in place and
damage nothing, so they may be given twice and may name an input.

The labels are the caller's names for the paths (a command's flags: ``--doc-topics``,
``-o``, ``CORPUS``); each error names the label of the output to change.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence

from lda_vi.errors import InputError
from lda_vi.io.atomic import is_special, is_stdout, open_descriptor

__all__ = ["check_outputs"]

PathLike = str | os.PathLike
Named = Sequence[tuple[str, PathLike | None]]


def _file(path: PathLike) -> str | None:
    """The file ``path`` names, resolved; None for standard output, an open descriptor,
    a FIFO or a device (written in place)."""
    if is_stdout(path) or open_descriptor(path) is not None or is_special(path):
        return None
    return os.path.realpath(os.fspath(path))


Folder = tuple[str, PathLike | None, Collection[str], Mapping[str, str]]


def check_outputs(outputs: Named, *, inputs: Named = (), folders: Sequence[Folder] = ()
                  ) -> None:
    """Refuse outputs that collide; ``None`` paths are not given and are skipped.

    - every output must be a file name (``''`` is refused);
    - standard output (``-``) may go to one output only;
    - no two outputs may name the same file, and no output may name an input;
    - ``folders``: ``(label, folder, kept, own)``, a folder whose files named ``kept`` are
      written (``-o``) or read (a saved model): no output may name one of them, except
      the file ``own[label]`` that the folder itself gives that output's table (``-o DIR``
      writes ``DIR/topic_words.csv`` too: ``--topic-words DIR/topic_words.csv`` writes the
      same bytes, and is allowed). Other files in the folder are the user's.
    """
    given = [(label, path) for label, path in outputs if path is not None]
    for label, path in given:
        if os.fspath(path) == "":
            raise InputError(f"{label} needs a file name, got an empty one", params=(label,))
    to_stdout = [label for label, path in given if is_stdout(path)]
    if len(to_stdout) > 1:
        raise InputError(f"{' and '.join(to_stdout)} would all write to standard output (-); "
                         "give all but one of them a file", params=tuple(to_stdout))
    read = {file: label for label, file in
            ((label, _file(path)) for label, path in inputs if path is not None)
            if file is not None}
    seen: dict[str, str] = {}
    for label, path in given:
        file = _file(path)
        if file is None:
            continue
        if file in seen:
            raise InputError(f"{seen[file]} and {label} name the same file ({path}); give "
                             "each its own path", params=(label,))
        if file in read:
            raise InputError(f"{label} {path} is {read[file]}, which it would overwrite; "
                             "choose another path", params=(label,))
        seen[file] = label
        for folder_label, folder, kept, own in folders:
            if folder is None or os.path.dirname(file) != os.path.realpath(os.fspath(folder)):
                continue
            name = os.path.basename(file)
            if name in kept and name != own.get(label):
                raise InputError(f"{label} {path} is a file of {folder_label} {folder} "
                                 f"({name}), which lda-vi keeps there; choose another path",
                                 params=(label,))
