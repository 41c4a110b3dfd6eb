"""Topic coherence as gensim's ``CoherenceModel`` (4.x) computes it: c_v, c_npmi, c_uci, u_mass.

MATH.md, Coherence (G1-G3); the definitions, with the details that make the numbers equal
gensim's, are in docs/coherence.md. The measures:

- ``c_v`` (G3): boolean sliding windows of 110 tokens; each top word's context vector holds
  its NPMI with every top word of the topic; the score is the mean cosine between each word's
  vector and the sum of them all;
- ``c_npmi`` (G2), ``c_uci``: mean NPMI, or PMI, over the ordered pairs of top words, windows
  of 10 tokens;
- ``u_mass``: mean of ``log((D(w_i, w_j)/D + ε) / (D(w_j)/D))`` over pairs with w_j ranked
  above w_i, D(·) counted over whole documents;
- ``npmi``, ``umass``: lda-vi's own document-level measures (:mod:`lda_vi.evaluate.metrics`):
  NPMI of document co-occurrence, and Mimno's UMass (a sum, with +1 smoothing).

Sliding windows need each document's tokens in order (:func:`token_sequences`); count formats
(lda-c, UCI, Matrix Market) have only counts, so they support the document-level measures.

Shapes: K topics, N top words per topic, R distinct top words of all topics (the "relevant"
words), D documents, T tokens of all documents, V the vocabulary.

Window counting follows gensim's ``WordOccurrenceAccumulator`` exactly, including how it
slides: a document shorter than the window (an empty one too) is one window; a window
moving on one token first drops the token that left it from its set of words, *even when the
same word occurs again inside the window*, then adds the token that entered. Each word's
presence is therefore a union of intervals of windows, computed here for all occurrences at
once with numpy (no Python loop per token or per window).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import scipy.sparse as sp

from lda_vi.errors import InputError
from lda_vi.evaluate.metrics import npmi_coherence, top_word_ids, umass_coherence
from lda_vi.io.detect import COUNT_FORMATS, resolve_format
from lda_vi.text.tokenize import Tokenizer

__all__ = ["MEASURES", "WINDOWED", "DOCUMENT_LEVEL", "EPSILON", "TokenSequences",
           "token_sequences", "window_counts", "document_counts", "scores_from_counts",
           "coherence_scores", "model_coherence", "parse_measures", "needs_token_order",
           "DEFAULT_MEASURES"]

#: gensim's ε in PMI, NPMI and u_mass.
EPSILON = 1e-12
#: Sliding-window measures and gensim's window sizes (tokens).
WINDOWED = {"c_v": 110, "c_npmi": 10, "c_uci": 10}
#: Measures counted over whole documents: they work with count formats too.
DOCUMENT_LEVEL = ("u_mass", "npmi", "umass")
#: The measures scored unless others are chosen (they work with every input format).
DEFAULT_MEASURES = ("npmi", "umass")
#: Every measure, with a one-line description.
MEASURES = {
    "c_v": "gensim c_v: cosine of NPMI context vectors, sliding windows of 110 tokens",
    "c_npmi": "gensim c_npmi: mean NPMI of the pairs of top words, windows of 10 tokens",
    "c_uci": "gensim c_uci: mean PMI of the pairs of top words, windows of 10 tokens",
    "u_mass": "gensim u_mass: mean log conditional probability, document co-occurrence",
    "npmi": "lda-vi's document-level NPMI: mean over pairs, document co-occurrence",
    "umass": "lda-vi's UMass (Mimno et al. 2011): sum over pairs, +1 smoothing",
}
#: Documents' relevant tokens handled at once when counting windows (bounds the memory).
_CHUNK = 1 << 21


@dataclass(frozen=True)
class TokenSequences:
    """Every document's tokens in order: ``ids[offsets[d]:offsets[d + 1]]`` is document d.

    ``ids``: T int64 vocabulary ids, -1 for a token outside the vocabulary (it keeps its
    position in the windows); ``offsets``: D + 1 int64, starting at 0.
    """

    ids: np.ndarray
    offsets: np.ndarray

    @property
    def n_docs(self) -> int:
        return int(self.offsets.size - 1)


def token_sequences(texts: Iterable[str], tokenizer, vocab) -> TokenSequences:
    """The token sequences of ``texts`` (document strings) through ``tokenizer``.

    ``vocab`` maps a word to its id (``Vocabulary`` or any object with ``get(word, default)``);
    words outside it become -1. The mapping runs in C (``map`` over ``dict.get``).
    """
    lookup = vocab.get
    chunks, lengths = [], []
    for text in texts:
        tokens = tokenizer(text)
        lengths.append(len(tokens))
        chunks.append(np.fromiter(map(lookup, tokens, repeat(-1)), dtype=np.int64,
                                  count=len(tokens)))
    ids = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return TokenSequences(ids=ids, offsets=offsets)


@dataclass(frozen=True)
class Counts:
    """Co-occurrence counts of the R relevant words: ``co`` R×R (diagonal: occurrences) over
    ``total`` windows (or documents)."""

    co: np.ndarray
    total: int


def _relevant_tokens(seqs: TokenSequences, relevant: np.ndarray):
    """(doc, word, position) of every token of a relevant word, sorted by doc, word, position."""
    relevant = np.asarray(relevant, dtype=np.int64)
    ids = np.asarray(seqs.ids, dtype=np.int64)
    size = max(int(ids.max(initial=-1)), int(relevant.max(initial=-1))) + 1
    lookup = np.full(size + 1, -1, dtype=np.int64)        # the last slot: id -1
    lookup[relevant] = np.arange(relevant.size)
    r = lookup[ids]
    tok = np.flatnonzero(r >= 0)
    doc = np.searchsorted(seqs.offsets, tok, side="right") - 1
    pos = tok - seqs.offsets[doc]
    word = r[tok]
    order = np.lexsort((pos, word, doc))
    return doc[order], word[order], pos[order]


def window_counts(seqs: TokenSequences, relevant: np.ndarray, window: int) -> Counts:
    """gensim's boolean sliding-window counts of the ``relevant`` vocabulary ids (R).

    A document of n tokens gives max(n − window + 1, 1) windows. For an occurrence at
    position p (in a group of one word in one document, positions sorted), the word
    enters the window set at window a = max(0, p − window + 1) and stays until the window
    at which the first occurrence at position ≥ a leaves it (window p' + 1), or to the
    end; gensim's sliding (see the module docstring) gives exactly this union of intervals.
    """
    window = int(window)
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    R = int(np.size(relevant))
    lengths = np.diff(seqs.offsets)
    n_windows = np.maximum(lengths - window + 1, 1)
    first_window = np.concatenate(([0], np.cumsum(n_windows)))
    doc, word, pos = _relevant_tokens(seqs, relevant)
    group = doc * R + word
    span = int(lengths.max(initial=0)) + 1
    key = group * span + pos                                # increasing
    enter = np.maximum(pos - window + 1, 0)
    first_left = np.searchsorted(key, group * span + enter, side="left")
    leave = np.minimum(pos[first_left] + 1, n_windows[doc])
    same = np.zeros(group.size, dtype=bool)
    same[1:] = group[1:] == group[:-1]
    prev_leave = np.zeros_like(leave)
    prev_leave[1:] = leave[:-1]
    start = np.where(same, np.maximum(enter, prev_leave), enter)
    length = np.maximum(leave - start, 0)
    keep = length > 0
    return Counts(co=_interval_cooccurrence(first_window[doc[keep]] + start[keep],
                                            length[keep], word[keep], doc[keep], R),
                  total=int(first_window[-1]))


def _interval_cooccurrence(starts, lengths, words, docs, R: int) -> np.ndarray:
    """R×R counts of windows holding both words, from disjoint per-word window intervals.

    The intervals (global window ``starts``, ``lengths``) are expanded into a windows × R
    0/1 matrix M, in chunks of whole documents, and ``Mᵀ M`` summed.
    """
    co = np.zeros((R, R), dtype=np.int64)
    if starts.size == 0:
        return co
    ends = np.cumsum(lengths)
    # chunk boundaries: at document changes, about _CHUNK matrix entries each
    doc_change = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    cuts = np.unique(doc_change[np.searchsorted(ends[doc_change] - lengths[doc_change],
                                                np.arange(0, ends[-1], _CHUNK), side="right")
                                - 1])
    cuts = np.r_[cuts, starts.size]
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        st, ln, wd = starts[a:b], lengths[a:b], words[a:b]
        base = st.min()
        n = int(ln.sum())
        offsets = np.cumsum(ln) - ln
        rows = np.repeat(st - base - offsets, ln) + np.arange(n)
        cols = np.repeat(wd, ln)
        M = sp.csr_matrix((np.ones(n, dtype=np.int64), (rows, cols)),
                          shape=(int(rows.max()) + 1, R))
        co += (M.T @ M).toarray()
    return co


def document_counts(X: sp.spmatrix, relevant: np.ndarray) -> Counts:
    """Document co-occurrence of the ``relevant`` ids over the D×V counts ``X`` (D documents)."""
    B = sp.csr_matrix(sp.csr_matrix(X)[:, np.asarray(relevant, dtype=np.int64)] > 0,
                      dtype=np.int64)
    return Counts(co=(B.T @ B).toarray(), total=int(X.shape[0]))


def _pmi(c_i, c_j, c_ij, n: float) -> np.ndarray:
    """gensim's log ratio: log((c_ij/n + ε) / ((c_i/n)(c_j/n))), MATH.md (G1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log((c_ij / n + EPSILON) / (c_i / n * (c_j / n)))


def _npmi(c_i, c_j, c_ij, n: float) -> np.ndarray:
    """NPMI = PMI / −log(c_ij/n + ε), MATH.md (G1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _pmi(c_i, c_j, c_ij, n) / -np.log(c_ij / n + EPSILON)


def scores_from_counts(measure: str, top: np.ndarray, counts: Counts) -> np.ndarray:
    """Per-topic scores (K) of one gensim measure, ``top`` K×N indices into the counts' words."""
    top = np.asarray(top, dtype=np.int64)
    K, N = top.shape
    co = counts.co.astype(np.float64)
    n = float(counts.total)
    occ = np.diagonal(co)
    c_i, c_j = occ[top][:, :, None], occ[top][:, None, :]          # K×N×1, K×1×N
    c_ij = co[top[:, :, None], top[:, None, :]]                    # K×N×N
    off = ~np.eye(N, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        if measure in ("c_npmi", "c_uci"):                         # MATH.md (G2)
            f = _npmi if measure == "c_npmi" else _pmi
            return f(c_i, c_j, c_ij, n)[:, off].mean(axis=1) if N > 1 else np.full(K, np.nan)
        if measure == "c_v":                                       # MATH.md (G3)
            v = _npmi(c_i, c_j, c_ij, n)                           # v[k, i] = context of w_i
            v_set = v.sum(axis=1)                                  # K×N: Σ_i v(w_i)
            cos = (np.einsum("kij,kj->ki", v, v_set)
                   / (np.linalg.norm(v, axis=2) * np.linalg.norm(v_set, axis=1)[:, None]))
            return cos.mean(axis=1)
        if measure == "u_mass":
            below, above = np.tril_indices(N, k=-1)                # w_i ranked below w_j
            joint = c_ij[:, below, above]
            star = occ[top[:, above]]
            ok = (star > 0) & (n > 0)                              # gensim: ZeroDivision → 0
            n1 = n if n > 0 else 1.0
            terms = np.where(ok, np.log((joint / n1 + EPSILON) / (np.where(ok, star, 1.0) / n1)),
                             0.0)
            return terms.mean(axis=1) if below.size else np.full(K, np.nan)
    raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")


def parse_measures(spec: str | Sequence[str]) -> tuple[str, ...]:
    """``"c_v,c_npmi"`` (or a sequence of names) as a tuple of known measures, in order."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        if name not in MEASURES:
            raise InputError(f"unknown measure {name!r} in coherence; choose among "
                             f"{', '.join(MEASURES)}", params=("coherence",))
        if name not in out:
            out.append(name)
    if not out:
        raise InputError(f"no measure given in coherence; choose among {', '.join(MEASURES)}",
                         params=("coherence",))
    return tuple(out)


def _order_error(windowed: Sequence[str]) -> InputError:
    return InputError(f"{', '.join(windowed)} need{'s' if len(windowed) == 1 else ''} the "
                      "documents' token order, which count formats (lda-c, UCI, Matrix "
                      "Market) do not have; use a document-level measure: "
                      f"{', '.join(DOCUMENT_LEVEL)}")


def needs_token_order(measures: Sequence[str], source: str | None = None,
                      fmt: str | None = None) -> bool:
    """Whether ``measures`` include a sliding-window one; if so and ``source`` (read as
    ``fmt``, guessed from its name when None) is a count format, the one-line error."""
    windowed = [m for m in parse_measures(measures) if m in WINDOWED]
    if windowed and source is not None and resolve_format(str(source), fmt) in COUNT_FORMATS:
        raise _order_error(windowed)
    return bool(windowed)


def coherence_scores(top_ids: np.ndarray, measures: Sequence[str], *,
                     sequences: TokenSequences | None = None, X: sp.spmatrix | None = None,
                     windows: dict[str, int] | None = None) -> dict[str, np.ndarray]:
    """``{measure: K scores}`` of the topics' top words ``top_ids`` (K×N vocabulary ids).

    ``sequences``: the reference documents' tokens in order (needed by c_v, c_npmi, c_uci);
    ``X``: their D×V counts (needed by u_mass, npmi, umass; made from ``sequences`` if absent).
    ``windows`` overrides gensim's window sizes (``WINDOWED``). The relevant words are the
    top words of all the topics together, as in gensim.
    """
    top_ids = np.asarray(top_ids, dtype=np.int64)
    measures = parse_measures(measures)
    windowed = [m for m in measures if m in WINDOWED]
    if windowed and sequences is None:
        raise _order_error(windowed)
    if X is None and any(m in DOCUMENT_LEVEL for m in measures):
        if sequences is None:
            raise InputError("coherence needs the reference documents (counts or tokens)")
        X = _counts_of(sequences, int(top_ids.max(initial=-1)) + 1)
    relevant, top = np.unique(top_ids, return_inverse=True)
    top = top.reshape(top_ids.shape)
    sizes = {**WINDOWED, **(windows or {})}
    cache: dict[int | None, Counts] = {}
    out = {}
    for m in measures:
        if m == "npmi":
            out[m] = npmi_coherence(top_ids, sp.csr_matrix(X))
        elif m == "umass":
            out[m] = umass_coherence(top_ids, sp.csr_matrix(X))
        else:
            size = sizes.get(m)
            if size not in cache:
                cache[size] = (document_counts(X, relevant) if size is None
                               else window_counts(sequences, relevant, size))
            out[m] = scores_from_counts(m, top, cache[size])
    return out


def _counts_of(seqs: TokenSequences, V: int) -> sp.csr_matrix:
    """D×V counts of token sequences (tokens outside the vocabulary dropped)."""
    ids = seqs.ids
    doc = np.repeat(np.arange(seqs.n_docs), np.diff(seqs.offsets))
    keep = (ids >= 0) & (ids < V)
    return sp.csr_matrix((np.ones(int(keep.sum())), (doc[keep], ids[keep])),
                         shape=(seqs.n_docs, V))


def model_coherence(model, measures: Sequence[str], top_n: int = 10, *,
                    sequences: TokenSequences | None = None, X: sp.spmatrix | None = None,
                    texts: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """:func:`coherence_scores` of a fitted model's top ``top_n`` words (ties: lower id).

    ``texts``: the reference documents' strings, tokenized here with the model's tokenizer
    when a sliding-window measure needs their ``sequences``.
    """
    measures = parse_measures(measures)
    if sequences is None and texts is not None and any(m in WINDOWED for m in measures):
        sequences = token_sequences(texts, Tokenizer(model.tokenizer_config), model.vocab)
    beta = model.beta
    top_n = int(top_n)
    if top_n < 2:
        raise InputError(f"coherence_top_n must be at least 2 (got {top_n})",
                         params=("coherence_top_n",))
    if beta.shape[1] < 2:
        raise InputError("coherence needs a vocabulary of at least 2 words")
    top = top_word_ids(beta, min(top_n, beta.shape[1]))
    return coherence_scores(top, measures, sequences=sequences, X=X)
