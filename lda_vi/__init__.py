"""lda-vi: LDA topic models by mean-field variational inference.

The public API, importable from here (each name is imported on first use, so that
``import lda_vi`` stays cheap):

- :class:`LDA`: the model (fit, transform, save, load); :class:`Corpus` and
  :func:`load_corpus`: a corpus read from any input format as sparse counts;
- :class:`LdaViError` and its kinds :class:`InputError` and :class:`ModelFileError`: the
  errors a user can cause, each with a message that says what to fix.

>>> import lda_vi
>>> docs = ["apple banana apple fruit", "banana fruit apple apple",
...         "engine wheel car engine", "car wheel engine road"] * 5
>>> model = lda_vi.LDA(k=2, seed=0, min_df=1, max_df=1.0).fit(docs)
>>> sorted(words[0][0] for words in model.topics(top_n=1))
['apple', 'engine']
>>> model.transform("car engine wheel").shape      # a string is one document
(1, 2)

The layers, one subpackage each, every one importing only those before it:
text (tokenize, vocabulary) → io (readers, corpus, atomic writes) → engine (pure functions
over arrays) → model (settings, LDA, persistence, run record) → evaluate (held-out scores,
sweep, the fit workflow) → report (HTML, plots) → cli (parses, calls, formats).
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "LDA": "lda_vi.model.lda",
    "Corpus": "lda_vi.io.corpus",
    "load_corpus": "lda_vi.io.load",
    "LdaViError": "lda_vi.errors",
    "InputError": "lda_vi.errors",
    "ModelFileError": "lda_vi.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lda_vi' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
