"""The output paths of each command, checked before any work: every path given is a file
name, none writes over another output, over an input, or into a folder whose files
lda-vi keeps (the model of ``-o DIR``, or the saved model a command reads), and each
is writable (:func:`lda_vi.io.atomic.check_writable`). The checks themselves are the
library's (:func:`lda_vi.io.collisions.check_outputs`); here are only the flags.
"""

from __future__ import annotations

import os

from lda_vi.errors import InputError
from lda_vi.io.atomic import check_writable
from lda_vi.io.collisions import check_outputs
from lda_vi.io.lock import LOCK_NAME
from lda_vi.model.checkpoint import JSON, NPZ
from lda_vi.model.persistence import MODEL_FILES

#: The tables ``fit -o DIR`` also writes into DIR, by the flag that writes them elsewhere.
FIT_TABLES = {"--doc-topics": "doc_topics.csv", "--topic-words": "topic_words.csv"}
#: The files of a model folder: the saved model, its tables, a checkpoint, the lock.
KEPT = frozenset((*MODEL_FILES, *FIT_TABLES.values(), NPZ, JSON, LOCK_NAME))


def check_paths(outputs: list, *, force: bool, inputs: list = (), model_dir=None,
                output_dir=None) -> None:
    """``outputs``: (flag, path) pairs (path None when not given); ``inputs`` the files the
    command reads; ``model_dir`` a saved model it reads; ``output_dir`` fit's ``-o``."""
    if output_dir and os.path.exists(output_dir) and not os.path.isdir(output_dir):
        raise InputError(f"-o {output_dir} is not a folder: -o takes the folder to save the "
                         "model in; give a folder's path")
    named = list(outputs) + ([("-o", output_dir)] if output_dir is not None else [])
    folders = [("the saved model", model_dir, KEPT, {}), ("-o", output_dir, KEPT, FIT_TABLES)]
    check_outputs(named, inputs=inputs, folders=folders)
    for _, path in outputs:
        if path:
            check_writable(path, force=force)
