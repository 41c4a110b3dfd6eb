"""Formatting and exporting fitted models: the topic table, the CSV files.

Shapes: D documents, K topics, V words. Every file is written atomically.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Sequence

import numpy as np

from lda_vi.io.atomic import atomic_open


def format_topic_table(topics: Sequence[Sequence[tuple[str, float]]], shares: np.ndarray,
                       width: int | None = None, only: Sequence[int] | None = None) -> str:
    """A readable table: one row per topic, its share of the corpus and its top words."""
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    rows = list(range(len(topics))) if only is None else list(only)
    id_width = max(5, len(str(len(topics) - 1)))
    head = f"{'topic':>{id_width}}  {'share':>6}  top words"
    lines = [head, "-" * min(max(len(head), width), width)]
    room = max(20, width - id_width - 10)
    for k in rows:
        words, used = [], 0
        for word, _ in topics[k]:
            if used + len(word) + (1 if words else 0) > room and words:
                break
            used += len(word) + (1 if words else 0)
            words.append(word)
        lines.append(f"{k:>{id_width}}  {100 * shares[k]:5.1f}%  {' '.join(words)}")
    return "\n".join(lines)


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
