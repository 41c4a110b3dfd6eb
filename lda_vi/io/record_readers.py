"""Record formats: CSV/TSV (a header row, then one document per record) and JSON Lines.

* ``csv`` / ``tsv``: quoted fields may hold newlines; the text is in column ``text_column``
  (default ``text``), the id in ``id_column`` (default: the record number 1, 2, ...);
* ``jsonl``: one JSON object per line; the text is field ``text_field`` (default ``text``),
  the id field ``id_field`` (default: the record number); blank lines are skipped.

Both yield ``(doc_id, text)`` pairs; every problem is an InputError naming the line.
"""

from __future__ import annotations

import csv
import itertools
import json
import re

from lda_vi.errors import InputError
from lda_vi.io.decode import open_input, text_lines
from lda_vi.io.detect import display_name

__all__ = ["csv_documents", "csv_records", "jsonl_documents", "jsonl_records"]


_CSV_FIELD_LIMIT = 1 << 28  # characters in one CSV field (the csv module's default is 128 Ki)


_SURROGATE = re.compile("[\ud800-\udfff]")


#: At most this many column names in a message, each cut to this many characters: the
#: "header" of a file that is not CSV can be a whole document.
SHOWN_COLUMNS, SHOWN_NAME = 5, 30


def column_list(names: list[str]) -> str:
    """The column names for a message, the first :data:`SHOWN_COLUMNS`, each cut short."""
    shown = ", ".join(repr(n) if len(n) <= SHOWN_NAME else repr(n[:SHOWN_NAME]) + "…"
                      for n in names[:SHOWN_COLUMNS])
    return shown + (f", … ({len(names)} columns)" if len(names) > SHOWN_COLUMNS else "")


def separator_hint(header: list[str], fmt: str) -> str:
    """A hint for a header read as one column: the other of CSV and TSV (never the
    format given), and, when that one's separator is not in it either, that the file
    may be separated by something else."""
    other, sep = ("csv", ",") if fmt == "tsv" else ("tsv", "\t")
    if len(header) != 1 or not any(c in header[0] for c in ",;\t|"):
        return ""
    files = "comma-separated" if other == "csv" else "tab-separated"
    maybe = "" if sep in header[0] else "is the file separated by something else? "
    return f" (one column only: {maybe}{files} files need fmt={other!r})"


def find_column(header: list[str], wanted: str) -> int | None:
    if wanted in header:
        return header.index(wanted)
    stripped = [h.strip() for h in header]
    return stripped.index(wanted.strip()) if wanted.strip() in stripped else None


#: A last line fed to the CSV reader after the file's own: inside a field, it shows a quote
#: that is never closed (the csv module would silently end the field at the end of the file).
_END = "\x00lda-vi: end of file\x00"


def _unclosed_quote(name: str, line: int, kind: str) -> InputError:
    return InputError(
        f"{name}, line {line}: a quoted field of the record starting on this line is never "
        f"closed, so it would take in the rest of the file; close the quote (a quote inside "
        f'a quoted field is written twice, "") to make it valid {kind}'
    )


def csv_documents(
    path: str, fmt: str, encoding: str, ascii_compatible: bool, text_column: str,
    id_column: str | None,
):
    """``(doc_id, text)`` of every record of a CSV/TSV file."""
    for _, doc_id, text, _, _ in csv_records(path, fmt, encoding, ascii_compatible,
                                             text_column, id_column):
        yield doc_id, text


def csv_records(
    path: str, fmt: str, encoding: str, ascii_compatible: bool, text_column: str,
    id_column: str | None,
):
    """``(line, doc_id, text, header, row)`` of every record: the documents of
    :func:`csv_documents` with the whole record (its other columns, e.g. covariates)."""
    name = display_name(path)
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    delimiter = "\t" if fmt == "tsv" else ","
    kind = "TSV" if fmt == "tsv" else "CSV"
    with open_input(path) as stream:
        lines = (line for _, line in text_lines(stream, name, encoding, ascii_compatible, fmt))
        reader = csv.reader(itertools.chain(lines, [_END]), delimiter=delimiter)

        def records():
            start = 1  # the line the next record starts on
            try:
                for row in reader:
                    if row == [_END]:
                        return
                    if row and _END in row[-1]:
                        raise _unclosed_quote(name, start, kind)
                    start = reader.line_num + 1
                    yield row
            except csv.Error as e:
                raise InputError(
                    f"{name}, line {reader.line_num}: not valid {kind} ({e}); check the "
                    "quoting of that record"
                ) from None

        rows = records()
        header = next(rows, None)
        while header == []:  # blank lines before the header
            header = next(rows, None)
        if header is None:
            raise InputError(
                f"{kind} file {name} is empty: no header row; its first line must name the "
                f"columns, one of them {text_column!r} (text_column)", params=("text_column",)
            )
        text_index = find_column(header, text_column)
        if text_index is None:
            raise InputError(
                f"{name} has no column {text_column!r}; its columns are "
                f"{column_list(header)}{separator_hint(header, fmt)}; name the text column "
                "with text_column",
                params=("text_column", "fmt")
            )
        id_index = None
        if id_column is not None:
            id_index = find_column(header, id_column)
            if id_index is None:
                raise InputError(
                    f"{name} has no column {id_column!r} for the ids; its columns are "
                    f"{column_list(header)}; fix id_column or leave it out to number "
                    "the records", params=("id_column",)
                )
        needed = max(text_index, -1 if id_index is None else id_index) + 1
        record = 0
        for row in rows:
            if not row:
                continue  # a blank line
            if len(row) < needed:
                raise InputError(
                    f"{name}, line {reader.line_num}: the record has {len(row)} field"
                    f"{'' if len(row) == 1 else 's'} but the header has {len(header)}, so "
                    f"column {header[needed - 1]!r} is missing; check the separators and "
                    "quotes of that record"
                )
            record += 1
            doc_id = str(record) if id_index is None else row[id_index]
            yield reader.line_num, doc_id, row[text_index], header, row


def _json_problem(name: str, lineno: int, problem: str) -> InputError:
    return InputError(
        f"{name}, line {lineno}: {problem}; JSON Lines input has one JSON object per line, "
        'like {"id": "a1", "text": "..."}'
    )


def jsonl_documents(
    path: str, encoding: str, ascii_compatible: bool, text_field: str, id_field: str | None
):
    """``(doc_id, text)`` of every object of a JSON Lines file."""
    for _, doc_id, text, _ in jsonl_records(path, encoding, ascii_compatible, text_field,
                                            id_field):
        yield doc_id, text


def jsonl_records(
    path: str, encoding: str, ascii_compatible: bool, text_field: str, id_field: str | None
):
    """``(line, doc_id, text, object)``: the documents of :func:`jsonl_documents` with
    their whole JSON object (its other fields, e.g. covariates)."""
    name = display_name(path)
    record = 0
    seen_line = False
    with open_input(path) as stream:
        for lineno, line in text_lines(stream, name, encoding, ascii_compatible, "jsonl"):
            seen_line = True
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                hint = ""
                if lineno == 1 and line.lstrip().startswith("["):
                    hint = " (a JSON array is not JSON Lines: write one object per line)"
                raise _json_problem(
                    name, lineno, f"not valid JSON ({e.msg} at column {e.colno}){hint}"
                ) from None
            except RecursionError:
                raise _json_problem(name, lineno, "JSON nested too deeply") from None
            if not isinstance(obj, dict):
                raise _json_problem(
                    name, lineno, f"a JSON {json_type(obj)}, not an object"
                )
            if text_field not in obj:
                fields = ", ".join(repr(k) for k in list(obj)[:20]) or "none"
                raise InputError(
                    f"{name}, line {lineno}: no field {text_field!r} (its fields: {fields}); "
                    "name the text field with text_field", params=("text_field",)
                )
            text = obj[text_field]
            if text is None:
                text = ""
            elif not isinstance(text, str):
                raise InputError(
                    f"{name}, line {lineno}: field {text_field!r} is a JSON "
                    f"{json_type(text)}, not a string; the text field must hold the "
                    "document's text (text_field)", params=("text_field",)
                )
            record += 1
            if id_field is None:
                doc_id = str(record)
            else:
                if id_field not in obj:
                    raise InputError(
                        f"{name}, line {lineno}: no field {id_field!r} for the id; fix "
                        "id_field or leave it out to number the records", params=("id_field",)
                    )
                value = obj[id_field]
                if value is None or isinstance(value, (dict, list)):
                    raise InputError(
                        f"{name}, line {lineno}: field {id_field!r} is "
                        f"{'null' if value is None else 'a JSON ' + json_type(value)}; "
                        "ids must be strings or numbers: give every record its id, or leave "
                        "id_field out to number the records", params=("id_field",)
                    )
                doc_id = value if isinstance(value, str) else json.dumps(value)
            for what, s in (("text", text), ("id", doc_id)):
                if "\\u" in line and _SURROGATE.search(s):
                    raise _json_problem(
                        name, lineno, f"the {what} has an unpaired surrogate escape "
                        "(\\ud800-\\udfff), which is not text"
                    )
            yield lineno, doc_id, text, obj
    if not seen_line:
        raise InputError(
            f"JSON Lines file {name} is empty: no documents; give one JSON object per line"
        )


def json_type(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            type(None): "null"}.get(type(value), "number")

