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
from lda_vi.io.fields import align, read_fields, read_fields_file

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
    names = model.covariates.names
    if path is not None:
        fields = read_fields_file(path, names, encoding=encoding)
        source = str(path)
    else:
        reader = reader or {}
        options = {key: reader.get(key) for key in ("text_column", "id_column", "text_field",
                                                     "id_field")}
        fields = read_fields(documents, names, reader.get("fmt"), encoding=encoding,
                             **options)
        source = str(documents)
    fields = align(fields, list(doc_ids), source)
    return fields.values, fields.where
