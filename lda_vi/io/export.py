"""Formatting and exporting fitted models: the topic table, the CSV files.

Shapes: D documents, K topics, V words. Every file is written atomically.

The CSV files are made a whole column at a time, never through ``csv.writer`` row by row:
every number of a table is turned into text in one numpy pass (:func:`float_text`: Python's
shortest round-trip ``repr``, so every number reads back to the same float64 bit for bit),
each distinct word or id is quoted once (as ``csv.writer`` would), and the rows are laid
out in bytes by numpy (:mod:`lda_vi.io.csv_columns`). A table is formatted once into
bytes, however many files it goes to (:func:`write_table`). The bytes are those
``csv.writer`` wrote before: the same quoting, ``\r\n`` line ends, UTF-8.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Sequence

import numpy as np

from lda_vi import threads
from lda_vi.io.atomic import atomic_open
from lda_vi.io.csv_columns import EOL, Column, csv_fields, join_rows, text_column
from lda_vi.io.float_text import COMPILED_FROM, float_text

__all__ = ["format_topic_table", "float_strings", "csv_fields", "topic_words_table",
           "doc_topics_table", "write_table", "write_topic_words", "write_doc_topics",
           "write_doc_topics_stream"]

PathOrPaths = str | os.PathLike | Sequence[str | os.PathLike]


def float_strings(x: np.ndarray) -> list[str]:
    """Every number of ``x`` (flattened, as float64) as its shortest round-trip text.

    ``float(s)`` gives back the same float64, bit for bit (``repr``'s contract); NaN and
    infinities read as ``nan``, ``inf``, ``-inf``.
    """
    text, length = float_text(x)
    return [bytes(row[:n]).decode("ascii") for row, n in zip(text, length.tolist(), strict=True)]


def _numbers(x: np.ndarray) -> Column:
    """The numbers of ``x`` (flattened) as one column of text."""
    return Column(*float_text(x))


def topic_words_table(beta: np.ndarray, words: Sequence[str], top_n: int | None,
                      names: Sequence[str] | None = None, *, buffer: bool = False):
    """CSV ``topic,rank,word,probability,label``: each topic's top ``top_n`` words (all when
    None); ``label`` is the topic's name (its label, or ``topic_k``: :func:`topic_columns`).
    bytes, or with ``buffer`` an object holding them, not copied (for :func:`write_table`).

    Words in decreasing probability, ties by lower word id (a stable sort).
    """
    beta = np.asarray(beta, dtype=np.float64)
    K, V = beta.shape
    n = V if top_n is None else max(0, min(int(top_n), V))
    order = _rank_words(beta)[:, :n]
    topic = np.repeat(np.arange(K), n)
    columns = [text_column(range(K), topic), text_column(range(1, n + 1), np.tile(np.arange(n), K)),
               text_column(words, order.ravel()),
               _numbers(np.take_along_axis(beta, order, axis=1)),
               text_column(topic_columns(K, names), topic)]
    return join_rows(columns, b"topic,rank,word,probability,label" + EOL, buffer=buffer)


def _rank_words(beta: np.ndarray) -> np.ndarray:
    """Each topic's words by decreasing probability, ties by lower word id (a stable sort),
    K×V: ranges of topics on the kernel threads (numpy's sort releases the GIL)."""
    order = np.empty(beta.shape, dtype=np.intp)

    def piece(lo: int, hi: int) -> None:
        order[lo:hi] = np.argsort(-beta[lo:hi], axis=1, kind="stable")

    threads.run_rows(piece, beta.shape[0], per_thread=2,
                     threads=None if beta.size >= COMPILED_FROM else 1)
    return order


def _doc_topic_rows(doc_ids: Sequence[str], theta: np.ndarray, head: bytes = b"",
                    buffer: bool = False):
    theta = np.asarray(theta, dtype=np.float64)
    if len(doc_ids) != theta.shape[0]:
        raise ValueError(f"doc_ids has {len(doc_ids)} ids for {theta.shape[0]} rows of theta")
    D, K = theta.shape
    text, length = float_text(theta.T)                   # topic by topic: K·D numbers
    columns = [text_column(doc_ids)] + [Column(text[j * D:(j + 1) * D], length[j * D:(j + 1) * D])
                                        for j in range(K)]
    return join_rows(columns, head, buffer=buffer)


def _doc_topics_header(k: int, names: Sequence[str] | None = None) -> bytes:
    return (",".join(["doc_id"] + csv_fields(topic_columns(k, names)))).encode("utf-8") + EOL


def doc_topics_table(doc_ids: Sequence[str], theta: np.ndarray,
                     names: Sequence[str] | None = None, *, buffer: bool = False):
    """CSV ``doc_id,<topic names>``: one row per document, θ̄ rows summing to 1. The names
    are the topics' labels where they have one (``gulf_war``), else ``topic_k``. bytes, or
    with ``buffer`` an object holding them, not copied (for :func:`write_table`)."""
    theta = np.asarray(theta, dtype=np.float64)
    return _doc_topic_rows(doc_ids, theta, _doc_topics_header(theta.shape[1], names), buffer)


def _paths(paths: PathOrPaths) -> list:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def write_table(paths: PathOrPaths, data) -> None:
    """Write the same ``data`` (bytes, or any buffer of them) to each of ``paths``,
    atomically (formatted once, written to each)."""
    for path in _paths(paths):
        with atomic_open(path, "wb") as handle:
            handle.write(data)


def write_doc_topics(paths: PathOrPaths, doc_ids: Sequence[str], theta: np.ndarray,
                     names: Sequence[str] | None = None) -> None:
    """:func:`doc_topics_table` written to one path or several (none: nothing is formatted)."""
    if _paths(paths):
        write_table(paths, doc_topics_table(doc_ids, theta, names, buffer=True))


def write_doc_topics_stream(paths: PathOrPaths, k: int, chunks,
                            names: Sequence[str] | None = None) -> None:
    """:func:`write_doc_topics` from chunks of (ids, θ̄ B×K, ...), never holding all rows;
    each chunk is formatted once and goes to every one of ``paths``."""
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(atomic_open(path, "wb")) for path in _paths(paths)]
        if not handles:
            return
        data = _doc_topics_header(k, names)
        for ids, theta, *_ in chunks:
            for handle in handles:
                handle.write(data)
            data = _doc_topic_rows(list(ids), theta)
        for handle in handles:
            handle.write(data)


def write_topic_words(paths: PathOrPaths, beta: np.ndarray, words: Sequence[str],
                      top_n: int | None, names: Sequence[str] | None = None) -> None:
    """:func:`topic_words_table` written to one path or several (none: nothing is formatted)."""
    if _paths(paths):
        write_table(paths, topic_words_table(beta, words, top_n, names, buffer=True))


def format_topic_table(topics: Sequence[Sequence[tuple[str, float]]], shares: np.ndarray,
                       width: int | None = None, only: Sequence[int] | None = None,
                       labels: Sequence[str | None] | None = None) -> str:
    """A readable table: one row per topic, its label (a column shown when any topic has
    one), its share of the corpus and every one of its top words. ``width`` (a terminal's
    columns) wraps long rows onto indented lines; None (output to a file or a pipe) keeps
    each topic on one line. No word is ever dropped."""
    rows = list(range(len(topics))) if only is None else list(only)
    id_width = max(5, len(str(len(topics) - 1)))
    names = [label or "" for label in labels] if labels and any(labels) else None
    label_width = max([5] + [cells(names[k]) for k in rows]) if names else 0
    label_head = f"  {'label':<{label_width}}" if names else ""
    head = f"{'topic':>{id_width}}{label_head}  {'share':>6}  top words"
    indent = id_width + 10 + (label_width + 2 if names else 0)
    rule = len(head) if width is None else max(len(head), min(width, 100))
    lines = [head, "-" * rule]
    room = None if width is None else max(20, width - indent)
    for k in rows:
        label = f"  {names[k]}{' ' * (label_width - cells(names[k]))}" if names else ""
        prefix = f"{k:>{id_width}}{label}  {100 * shares[k]:5.1f}%  "
        for chunk in _wrap([word for word, _ in topics[k]], room):
            lines.append(prefix + chunk)
            prefix = " " * indent
    return "\n".join(lines)


def cells(text: str) -> int:
    """The terminal columns ``text`` takes: two for an East Asian wide or full-width
    character (Chinese, Japanese, Korean), none for a combining mark, one otherwise."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def topic_columns(k: int, names: Sequence[str] | None = None) -> list[str]:
    """The K topic names of CSV headers: ``names`` (labels), or ``topic_0..topic_{K-1}``."""
    if names is None:
        return [f"topic_{j}" for j in range(k)]
    if len(names) != k:
        raise ValueError(f"names must have {k} entries, got {len(names)}")
    return list(names)


def _wrap(words: list[str], room: int | None) -> list[str]:
    """The words joined by spaces, cut into lines of at most ``room`` columns (a longer
    word gets a line of its own); one line when ``room`` is None."""
    if room is None or not words:
        return [" ".join(words)]
    lines, current = [], ""
    for word in words:
        if current and cells(current) + 1 + cells(word) > room:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines
