"""Streaming corpora: a vocabulary from one counting pass, then count minibatches.

For corpora larger than memory (online VB): documents are read again on
every pass through a callable that reopens the input; nothing but the
vocabulary (V words) and one minibatch (B×V sparse counts) is held at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.io.corpus import vectorize
from lda_vi.text.tokenize import Tokenizer
from lda_vi.text.vocabulary import PruneConfig, Vocabulary, prune


def scan_vocabulary(docs: Iterable[tuple[str, str]], tokenizer: Tokenizer,
                    prune_config: PruneConfig) -> tuple[Vocabulary, int, int]:
    """One pass over ``(doc_id, text)`` pairs: the pruned vocabulary (alphabetical),
    the number of documents and of kept tokens."""
    doc_freq: Counter[str] = Counter()
    term_freq: Counter[str] = Counter()
    n_docs = 0
    for _, text in docs:
        counts = Counter(tokenizer(text))
        term_freq.update(counts)
        doc_freq.update(counts.keys())
        n_docs += 1
    if n_docs == 0:
        raise InputError("no documents to build a vocabulary from; the input has no text")
    if not doc_freq:
        raise InputError(f"no words left after tokenizing: all {n_docs} documents are empty; "
                         "check the input, or try stopwords='none' or a lower min_length",
                         params=("stopwords", "min_length"))
    words = sorted(doc_freq)
    df = np.fromiter((doc_freq[w] for w in words), dtype=np.int64, count=len(words))
    tf = np.fromiter((term_freq[w] for w in words), dtype=np.float64, count=len(words))
    kept = prune(df, tf, n_docs, prune_config)
    if len(kept) == 0:
        raise InputError(f"pruning removed every word ({prune_config.describe(n_docs)}) from "
                         f"{len(words)} candidate words in {n_docs} documents; "
                         "lower min_df or raise max_df", params=("min_df", "max_df"))
    return Vocabulary([words[i] for i in kept]), n_docs, int(tf[kept].sum())


def count_batches(docs: Iterable[tuple[str, str]], tokenizer: Tokenizer, vocab: Vocabulary,
                  batch_size: int) -> Iterator[tuple[sp.csr_matrix, list[str], int]]:
    """Minibatches of at most ``batch_size`` documents: (B×V counts, ids, out-of-vocabulary)."""
    if batch_size < 1:
        raise InputError("batch_size must be at least 1", params=("batch_size",))
    iterator = iter(docs)
    while True:
        chunk = list(islice(iterator, batch_size))
        if not chunk:
            return
        yield vectorize(chunk, tokenizer, vocab)
