"""Phrases learned from the training text of a fit (``fit --phrases``), before its corpus
is built; the model keeps them in its tokenizer settings (``phrase_table``), so every later
use of the model (transform, evaluate, sweep) joins the same phrases.
"""

from __future__ import annotations

from collections.abc import Iterable

from lda_vi.errors import InputError, LdaViError
from lda_vi.io.atomic import is_special
from lda_vi.io.text_readers import iter_documents
from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import learn_phrases

__all__ = ["DocumentTexts", "learn_training_phrases"]


class DocumentTexts:
    """The texts of a text-like input, read anew at each iteration (one per phrase pass)."""

    def __init__(self, source: str, encoding: str = "utf-8", reader: dict | None = None,
                 needed_by: str = "phrases"):
        if str(source) == "-" or is_special(source):
            raise InputError(f"{needed_by} reads the input more than once; give a regular "
                             "file instead of - (standard input) or a pipe",
                             params=(needed_by,))
        reader = reader or {}
        self.open = lambda: iter_documents(source, encoding=encoding, needed_by=needed_by,
                                           **reader)
        try:
            self.open()  # a count format, or a bad path or option, is refused now
        except LdaViError as exc:
            exc.params = (*exc.params, needed_by)
            raise

    def __iter__(self):
        return (text for _, text in self.open())


def learn_training_phrases(model: LDA, texts: Iterable[str], reporter=None) -> None:
    """Learn the phrases of the training ``texts`` into ``model.tokenizer_config``, if its
    ``phrases`` asks for them and none are learned yet (iterated once per pass); then tell
    ``reporter.phrases(config)`` (a :class:`~lda_vi.evaluate.workflow.FitReporter`)."""
    config = model.tokenizer_config
    if not config.phrases or config.phrase_table:
        return
    model.tokenizer_config = learn_phrases(texts, config)
    if reporter is not None:
        reporter.phrases(model.tokenizer_config)
