"""lda-vi's coherence against gensim's CoherenceModel on AP text (a corpus the tests never see).

Fits lda-vi to the last --docs documents of ``ap.txt``, takes each topic's top 10 words, and
scores them with both tools on the same token lists (lda-vi's tokenizer): c_v, c_npmi, c_uci,
u_mass. Prints the means, the largest per-topic difference and the seconds of each tool.

    .venv/bin/python benchmarks/coherence_vs_gensim.py --docs 600 -k 20
    .venv/bin/python benchmarks/coherence_vs_gensim.py --docs 2246 -k 50
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from lda_vi.evaluate.coherence import model_coherence, token_sequences
from lda_vi.evaluate.metrics import top_word_ids
from lda_vi.model.lda import LDA
from lda_vi.text.tokenize import Tokenizer

MEASURES = ("c_v", "c_npmi", "c_uci", "u_mass")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=600, help="the last N documents of AP")
    parser.add_argument("-k", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--ap", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "corpora"
                        / "ap" / "ap.txt")
    args = parser.parse_args()
    if not args.ap.is_file():
        print(f"{args.ap} is missing (give --ap PATH/ap.txt)", file=sys.stderr)
        return 2
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    docs = args.ap.read_text(encoding="utf-8").splitlines()[-args.docs:]
    model = LDA(k=args.k, seed=args.seed, max_iter=50).fit(docs)
    tokenizer = Tokenizer(model.tokenizer_config)
    t0 = time.perf_counter()
    seqs = token_sequences(docs, tokenizer, model.vocab)
    t1 = time.perf_counter()
    ours = model_coherence(model, MEASURES, 10, sequences=seqs)
    t2 = time.perf_counter()
    print(f"AP: last {len(docs)} documents, K={args.k}, V={len(model.vocab)}, "
          f"{seqs.ids.size} tokens; lda-vi: tokenize {t1 - t0:.2f} s, "
          f"all {len(MEASURES)} measures {t2 - t1:.2f} s")
    texts = [tokenizer(d) for d in docs]
    topics = [[model.vocab[int(w)] for w in row] for row in top_word_ids(model.beta, 10)]
    dictionary = Dictionary(texts)
    for m in MEASURES:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cm = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary,
                                coherence=m, topn=10, processes=1)
            theirs = np.array(cm.get_coherence_per_topic())
        seconds = time.perf_counter() - start
        print(f"{m:7s} lda-vi {ours[m].mean():.10f}  gensim {theirs.mean():.10f}  "
              f"max per-topic |diff| {np.max(np.abs(theirs - ours[m])):.1e}  "
              f"(gensim {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
