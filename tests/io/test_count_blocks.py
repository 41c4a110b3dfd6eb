"""Tests of lda_vi.io.count_blocks: the vectorized block parsers agree with the line-by-line
reference, and refuse (None) whatever the reference would reject."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lda_vi.errors import InputError
from lda_vi.io import count_parsers
from lda_vi.io.count_blocks import block_lines, entry_block, ldac_block

SPACE = st.sampled_from([" ", "  ", "\t", " \t"])


@st.composite
def ldac_text(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        pairs = draw(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 10 ** 6)),
                              max_size=5))
        sep = draw(SPACE)
        line = sep.join([str(len(pairs))] + [f"{w}:{c}" for w, c in pairs])
        lines.append(draw(st.sampled_from(["", " ", "\t"])) + line + draw(
            st.sampled_from(["", " ", "\r"])))
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "  "])))  # blank lines are skipped
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def reference_ldac(block: bytes, n_words: int):
    words = [f"w{i}" for i in range(n_words)]
    return count_parsers._ldac_lines(block_lines(1, block), "f", words, "v")


@settings(max_examples=150, deadline=None)
@given(ldac_text(), st.integers(1, 14))
def test_ldac_block_equals_the_line_by_line_reference(text, n_words):
    block = text.encode()
    fast = ldac_block(block, n_words)
    try:
        ref = reference_ldac(block, n_words)
    except InputError:
        assert fast is None  # the reference rejects: the fast path must not accept
        return
    assert fast is not None
    assert fast[0] == ref[0]
    for a, b in zip(fast[1:], ref[1:], strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60) | st.text(alphabet="0123456789: \n\t\r-x", max_size=40).map(
    str.encode))
def test_ldac_block_accepts_only_what_the_reference_accepts(block):
    fast = ldac_block(block, 10)
    try:
        ref = reference_ldac(block, 10)
    except InputError:
        assert fast is None
        return
    if fast is not None:
        assert fast[0] == ref[0]
        np.testing.assert_array_equal(fast[2], ref[2])
        np.testing.assert_array_equal(fast[3], ref[3])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 \n\t.eE+-", max_size=50).map(str.encode),
       st.sampled_from([(3, False), (3, True), (2, False)]))
def test_entry_block_accepts_only_what_the_reference_accepts(block, shape):
    n_fields, real = shape
    fast = entry_block(block, n_fields, real, 9, 9)
    try:
        ref = count_parsers._entry_lines(
            block_lines(1, block), "f", n_fields=n_fields, real=real, n_docs=9, n_words=9,
            words=[f"w{i}" for i in range(9)], vocab_name="v", usage="u", comment=None)
    except InputError:
        assert fast is None
        return
    if fast is not None:
        np.testing.assert_array_equal(fast, ref)


def test_entry_block_parses_whole_blocks():
    block = b"1 2 3\n\n2 1 4\r\n3 3 0\n"
    np.testing.assert_array_equal(entry_block(block, 3, False, 3, 3),
                                  [[1, 2, 3], [2, 1, 4], [3, 3, 0]])
    assert entry_block(b"1 2 3\n4 1 1\n", 3, False, 3, 3) is None  # document 4 > D
    assert entry_block(b"1 2\n", 3, False, 3, 3) is None           # a field missing
    np.testing.assert_array_equal(entry_block(b"1 2 0.5\n2 1 1e1\n", 3, True, 2, 2),
                                  [[1, 2, 0.5], [2, 1, 10]])
