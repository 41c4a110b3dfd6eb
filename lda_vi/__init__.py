"""lda-vi: LDA topic modeling by mean-field variational inference.

The pipeline, one module per concept:
tokenize → vocabulary → corpus (sparse CSR counts) → estep / elbo / hyper / em
(the inference engine: pure functions over arrays) → model (fit / transform /
save / load) → cli (parses, calls, formats).
"""

__version__ = "0.1.0"
