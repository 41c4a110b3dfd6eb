"""The covariates of new documents (``transform``, ``evaluate``), for a covariate model.

A model fitted with covariates (MATH.md C1) gives new documents their own prior α_d
when their covariate values are given: from the documents' own CSV/TSV columns or JSONL
fields (``columns=True``), or from a covariates file (one row per document, in order or
by an ``id`` column). Without them, new documents get the training documents' mean prior.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from lda_vi.errors import InputError
from lda_vi.io.fields import align, document_fields

__all__ = ["new_covariates"]


def new_covariates(model, documents: str | os.PathLike, doc_ids: Sequence[str], *,
                   columns: bool = False, path: str | os.PathLike | None = None,
                   reader: dict | None = None, encoding: str = "utf-8"
                   ) -> tuple[dict | None, list[str] | None]:
    """``(values, where)`` of the model's covariates for the documents ``doc_ids`` of
    ``documents``, or ``(None, None)`` when none are asked for."""
    if not columns and path is None:
        return None, None
    if model.covariates is None:
        raise InputError("this model was fitted without covariates: leave them out",
                         params=("covariates",))
    fields = document_fields(documents, model.covariates.names, path=path, reader=reader,
                             encoding=encoding)
    fields = align(fields, list(doc_ids), str(path if path is not None else documents))
    return fields.values, fields.where
