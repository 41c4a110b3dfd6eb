"""Formatting and exporting fitted models: the topic table, the CSV files.

Shapes: D documents, K topics, V words. Every file is written atomically.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence

import numpy as np

from lda_vi.io.atomic import atomic_open


def format_topic_table(topics: Sequence[Sequence[tuple[str, float]]], shares: np.ndarray,
                       width: int | None = None, only: Sequence[int] | None = None) -> str:
    """A readable table: one row per topic, its share of the corpus and every one of its top
    words. ``width`` (a terminal's columns) wraps long rows onto indented lines; None
    (output to a file or a pipe) keeps each topic on one line. No word is ever dropped."""
    rows = list(range(len(topics))) if only is None else list(only)
    id_width = max(5, len(str(len(topics) - 1)))
    head = f"{'topic':>{id_width}}  {'share':>6}  top words"
    indent = id_width + 10
    rule = len(head) if width is None else max(len(head), min(width, 100))
    lines = [head, "-" * rule]
    room = None if width is None else max(20, width - indent)
    for k in rows:
        prefix = f"{k:>{id_width}}  {100 * shares[k]:5.1f}%  "
        for chunk in _wrap([word for word, _ in topics[k]], room):
            lines.append(prefix + chunk)
            prefix = " " * indent
    return "\n".join(lines)


def _wrap(words: list[str], room: int | None) -> list[str]:
    """The words joined by spaces, cut into lines of at most ``room`` characters (a longer
    word gets a line of its own); one line when ``room`` is None."""
    if room is None or not words:
        return [" ".join(words)]
    lines, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def write_doc_topics(path: str | os.PathLike, doc_ids: Sequence[str], theta: np.ndarray) -> None:
    """CSV ``doc_id,topic_0..topic_{K-1}``: one row per document, θ̄ rows summing to 1."""
    write_doc_topics_stream(path, theta.shape[1], [(doc_ids, theta)])


def write_doc_topics_stream(path: str | os.PathLike, k: int, chunks) -> None:
    """:func:`write_doc_topics` from chunks of (ids, θ̄ B×K, ...), never holding all rows."""
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["doc_id"] + [f"topic_{j}" for j in range(k)])
        for ids, theta, *_ in chunks:
            for doc_id, row in zip(ids, theta, strict=True):
                writer.writerow([doc_id] + [repr(float(x)) for x in row])


def write_topic_words(path: str | os.PathLike, beta: np.ndarray, words: Sequence[str],
                      top_n: int | None) -> None:
    """CSV ``topic,rank,word,probability``: the top ``top_n`` words (all when None)."""
    K, V = beta.shape
    n = V if top_n is None else max(0, min(int(top_n), V))
    order = np.argsort(-beta, axis=1, kind="stable")[:, :n]
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["topic", "rank", "word", "probability"])
        for k in range(K):
            for rank, w in enumerate(order[k], start=1):
                writer.writerow([k, rank, words[w], repr(float(beta[k, w]))])
