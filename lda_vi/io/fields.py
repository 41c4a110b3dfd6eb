"""Per-document fields beside the text: the covariates of CSV/TSV columns or JSONL fields.

Read in the same record order as :func:`lda_vi.io.text_readers.iter_documents`, so
row i belongs to document i. Every value is a string (a JSON number is written as JSON
writes it, ``null`` as empty); what a value means (a date, a number, a category) is
decided by the model (:mod:`lda_vi.model.design`).

A covariates file (``--covariates-file``) is a CSV or TSV with a header and one record
per document, in the corpus's order, or matched by an ``id`` column when it has one: each
id given once, and matched to a corpus whose ids are unique.

Returns :class:`Fields`: ``values[name]`` holds N strings; ``where[i]`` says where row i
came from (``news.csv, line 12``), for error messages; ``doc_ids`` the N ids.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

from lda_vi.errors import InputError
from lda_vi.io.decode import check_encoding, open_input, text_lines
from lda_vi.io.detect import check_path, display_name, resolve_format
from lda_vi.io.record_readers import (
    column_list,
    csv_records,
    find_column,
    json_type,
    jsonl_records,
)

__all__ = ["Fields", "document_fields", "read_fields", "read_fields_file"]


@dataclass
class Fields:
    """N documents' values of some named fields (see the module docstring)."""

    values: dict[str, list[str]]
    where: list[str]
    doc_ids: list[str]

    def __len__(self) -> int:
        return len(self.where)


def _json_value(value: object, name: str, field: str, lineno: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise InputError(f"{name}, line {lineno}: field {field!r} is a JSON {json_type(value)}; "
                         "a covariate must be a string or a number")
    return json.dumps(value)


def _csv_fields(records, name: str, names: Sequence[str], what: str,
                unique_ids: bool = False) -> Fields:
    """``unique_ids``: refuse an id given twice (a covariates file's ``id`` column)."""
    values: dict[str, list[str]] = {n: [] for n in names}
    where, ids, index = [], [], None
    first: dict[str, int] = {}
    for line, doc_id, _, header, row in records:
        if unique_ids:
            if doc_id in first:
                raise InputError(f"{name}, line {line}: id {doc_id!r} is given twice (line "
                                 f"{first[doc_id]} first); give each document one row")
            first[doc_id] = line
        if index is None:
            index = {}
            for n in names:
                i = find_column(header, n)
                if i is None:
                    raise InputError(f"{name} has no column {n!r} for {what}; its columns are "
                                     f"{column_list(header)}")
                index[n] = i
        for n, i in index.items():
            values[n].append(row[i].strip() if i < len(row) else "")
        where.append(f"{name}, line {line}")
        ids.append(doc_id)
    return Fields(values, where, ids)


def read_fields(path: str | os.PathLike, names: Sequence[str], fmt: str | None = None, *,
                encoding: str = "utf-8", text_column: str | None = None,
                id_column: str | None = None, text_field: str | None = None,
                id_field: str | None = None, what: str = "the covariates") -> Fields:
    """The fields ``names`` of every document of a CSV, TSV or JSONL corpus.

    Other formats have no fields: an InputError says to use a covariates file.
    """
    source = os.fspath(path)
    fmt = resolve_format(source, fmt)
    name = display_name(source)
    if fmt not in ("csv", "tsv", "jsonl"):
        raise InputError(f"{name} is {fmt} input, which has no columns for {what}; give them "
                         "in a CSV file with one row per document (covariates_file)",
                         params=("covariates_file",))
    ascii_compatible = check_encoding(encoding)
    check_path(source, fmt)
    if fmt in ("csv", "tsv"):
        records = csv_records(source, fmt, encoding, ascii_compatible,
                              "text" if text_column is None else text_column, id_column)
        return _csv_fields(records, name, names, what)
    values: dict[str, list[str]] = {n: [] for n in names}
    where, ids = [], []
    for lineno, doc_id, _, obj in jsonl_records(source, encoding, ascii_compatible,
                                                "text" if text_field is None else text_field,
                                                id_field):
        for n in names:
            if n not in obj:
                raise InputError(f"{name}, line {lineno}: no field {n!r} for {what}")
            values[n].append(_json_value(obj[n], name, n, lineno).strip())
        where.append(f"{name}, line {lineno}")
        ids.append(doc_id)
    return Fields(values, where, ids)


def read_fields_file(path: str | os.PathLike, names: Sequence[str] | None, *,
                     encoding: str = "utf-8", what: str = "the covariates") -> Fields:
    """A covariates file: CSV/TSV, a header, one record per document.

    ``names`` None takes every column but ``id``. The ``id`` column, when present, gives
    each row's document id (see :func:`align`).
    """
    source = os.fspath(path)
    fmt = "tsv" if resolve_format(source, None) == "tsv" else "csv"
    name = display_name(source)
    ascii_compatible = check_encoding(encoding)
    check_path(source, fmt)
    header = [h.strip() for h in _header(source, fmt, encoding, ascii_compatible)]
    id_column = "id" if "id" in header else None
    wanted = list(names) if names else [h for h in header if h != "id"]
    if not wanted:
        raise InputError(f"{name} has no columns besides 'id': nothing to use as {what}")
    # any column serves as the records' "text": the first one
    records = csv_records(source, fmt, encoding, ascii_compatible, header[0], id_column)
    fields = _csv_fields(records, name, wanted, what, unique_ids=id_column is not None)
    if id_column is None:
        fields.doc_ids = []
    return fields


def _header(source: str, fmt: str, encoding: str, ascii_compatible: bool) -> list[str]:
    with open_input(source) as stream:
        lines = (line for _, line in text_lines(stream, display_name(source), encoding,
                                                ascii_compatible, fmt))
        for row in csv.reader(lines, delimiter="\t" if fmt == "tsv" else ","):
            if row:
                return row
    raise InputError(f"{display_name(source)} is empty: it needs a header row naming the "
                     "columns, then one row per document")


#: The reader options (of :func:`lda_vi.io.text_readers.iter_documents`) that say where a
#: record's text and id are, and so which record is which document.
RECORD_OPTIONS = ("text_column", "id_column", "text_field", "id_field")


def document_fields(source: str | os.PathLike, names: Sequence[str] | None, *,
                    path: str | os.PathLike | None = None, reader: dict | None = None,
                    encoding: str = "utf-8", what: str = "the covariates") -> Fields:
    """The fields ``names`` of every document: from the covariates file ``path`` when given
    (``names`` None: all its columns but ``id``), else from ``source``'s own columns or
    fields, read with the corpus's ``reader`` options (``fmt`` and :data:`RECORD_OPTIONS`)."""
    if path is not None:
        return read_fields_file(path, names or None, encoding=encoding, what=what)
    reader = reader or {}
    return read_fields(source, list(names or ()), reader.get("fmt"), encoding=encoding,
                       what=what, **{key: reader.get(key) for key in RECORD_OPTIONS})


def align(fields: Fields, doc_ids: Sequence[str], name: str) -> Fields:
    """The rows of ``fields`` in the order of ``doc_ids``: by id when the file has ids,
    else by position (the counts must then agree).

    Rows that are already the documents' own, in their order (a corpus's own columns),
    are kept as they are. Matched by id, an id must name one document and one row.
    """
    n = len(doc_ids)
    if fields.doc_ids and list(fields.doc_ids) != list(doc_ids):
        _refuse_repeated_ids(fields, doc_ids, name)
        index = {d: i for i, d in enumerate(fields.doc_ids)}
        missing = [d for d in doc_ids if d not in index]
        if missing:
            raise InputError(f"{name} has no row for document {missing[0]!r} (its 'id' column "
                             f"must list every document; {len(missing)} missing)")
        order = [index[d] for d in doc_ids]
        return Fields({k: [v[i] for i in order] for k, v in fields.values.items()},
                      [fields.where[i] for i in order], list(doc_ids))
    if len(fields) != n:
        raise InputError(f"{name} has {len(fields)} rows for {n} documents: give one row per "
                         "document, in the corpus's order, or an 'id' column")
    return Fields(fields.values, fields.where, list(doc_ids))


def _refuse_repeated_ids(fields: Fields, doc_ids: Sequence[str], name: str) -> None:
    """InputError when matching ``fields`` to ``doc_ids`` by id is ambiguous: an id shared
    by two documents, or by two rows."""
    seen: set[str] = set()
    for d in doc_ids:
        if d in seen:
            raise InputError(f"the corpus has more than one document with id {d!r}, so the rows "
                             f"of {name} cannot be matched to its documents by id: make the "
                             "corpus's ids unique, or give one row per document in the "
                             "corpus's order, without an 'id' column")
        seen.add(d)
    rows: dict[str, int] = {}
    for i, d in enumerate(fields.doc_ids):
        if d in rows:
            at, first = fields.where[i], fields.where[rows[d]]
            source = at.rsplit(", line ", 1)[0] + ", "
            first = first[len(source):] if first.startswith(source) else first
            raise InputError(f"{at}: id {d!r} is given twice ({first} first), so its rows "
                             "cannot be matched to one document by id; give each document "
                             "one row")
        rows[d] = i
