"""The compiled (numba) kernels of the CSV writers: ``repr`` of every float64 of an array
(:func:`format_floats`, the compiled form of :mod:`lda_vi.io.float_text`) and one column's
fields copied into the rows of a table (:func:`put_column`, of
:func:`lda_vi.io.csv_columns.join_rows`), one number or row after another in machine code.

Imported only by those two modules, which fall back to their numpy forms (the same steps
on whole arrays, several times slower) when numba is missing; the tests check that both
forms give the same bytes. Scalars only: the exponent arithmetic is int64, the mantissa
arithmetic uint64 (never mixed: numba would make float64 of the two).

Shapes: N numbers or rows; ``text`` N×24 (or M×W) uint8, ``length`` N (or M).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from lda_vi.jit_load import load_without_refresh

_U0, _U1, _U2, _U4, _U5 = (np.uint64(v) for v in (0, 1, 2, 4, 5))
_U10, _U32, _U52, _U63, _U64 = (np.uint64(v) for v in (10, 32, 52, 63, 64))
_M32 = np.uint64(0xFFFFFFFF)
_MANTISSA = np.uint64((1 << 52) - 1)
_HIDDEN = np.uint64(1 << 52)
_EXPONENT = np.uint64(0x7FF)
_NOSIGN = np.uint64((1 << 63) - 1)

#: The helpers of :func:`format_floats`: called from compiled code only, so compiled
#: without the wrappers that let Python call them, and not cached on their own (their
#: code is in the cached kernel that calls them).
_HELPER = njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)


@_HELPER
def _umul128(a, b):
    """The 128-bit product a·b as (low, high) 64-bit halves, from 32-bit pieces."""
    a0, a1, b0, b1 = a & _M32, a >> _U32, b & _M32, b >> _U32
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _U32) + (p10 & _M32) + (p01 & _M32)
    return (mid << _U32) | (p00 & _M32), p11 + (p10 >> _U32) + (p01 >> _U32) + (mid >> _U32)


@_HELPER
def _mul_shift(m, lo, hi, j):
    """⌊m · (hi·2^64 + lo) / 2^j⌋ for 64 < j < 128 (int64 j)."""
    low1, high1 = _umul128(m, hi)
    high0 = _umul128(m, lo)[1]
    total = high0 + low1
    if total < high0:
        high1 += _U1
    shift = np.uint64(j - 64)
    return (high1 << (_U64 - shift)) | (total >> shift)


@_HELPER
def _pow5_factor(v):
    count = 0
    while v % _U5 == _U0:
        v //= _U5
        count += 1
    return count


@_HELPER
def _pow5bits(e):
    return ((e * 1217359) >> 19) + 1


@_HELPER
def _shortest(bits, inv_lo, inv_hi, pos_lo, pos_hi):
    """Ryū (see :mod:`lda_vi.io.float_text`) on a finite non-zero number's bits: the
    shortest digits (uint64) and their power of ten (int64)."""
    mant = bits & _MANTISSA
    ex = np.int64((bits >> _U52) & _EXPONENT)
    m2 = mant if ex == 0 else mant | _HIDDEN
    e2 = (1 if ex == 0 else ex) - 1077                 # 1023 + 52 + 2
    accept = (m2 & _U1) == _U0
    mv = m2 * _U4
    mm_shift = _U1 if (mant != _U0 or ex <= 1) else _U0
    vm_zeros = vr_zeros = False
    if e2 >= 0:
        q = ((e2 * 78913) >> 18) - (1 if e2 > 3 else 0)
        e10 = q
        j = -e2 + q + 125 + _pow5bits(q) - 1
        lo, hi = inv_lo[q], inv_hi[q]
        vr, vp = _mul_shift(mv, lo, hi, j), _mul_shift(mv + _U2, lo, hi, j)
        vm = _mul_shift(mv - _U1 - mm_shift, lo, hi, j)
        if q <= 21:
            if mv % _U5 == _U0:
                vr_zeros = _pow5_factor(mv) >= q
            elif accept:
                vm_zeros = _pow5_factor(mv - _U1 - mm_shift) >= q
            elif _pow5_factor(mv + _U2) >= q:
                vp -= _U1
    else:
        e = -e2
        q = ((e * 732923) >> 20) - (1 if e > 1 else 0)
        e10 = q - e
        i = e - q
        j = q - (_pow5bits(i) - 125)
        lo, hi = pos_lo[i], pos_hi[i]
        vr, vp = _mul_shift(mv, lo, hi, j), _mul_shift(mv + _U2, lo, hi, j)
        vm = _mul_shift(mv - _U1 - mm_shift, lo, hi, j)
        if q <= 1:
            vr_zeros = True
            if accept:
                vm_zeros = mm_shift == _U1
            else:
                vp -= _U1
        elif q < 63:
            vr_zeros = (mv & ((_U1 << np.uint64(q)) - _U1)) == _U0
    removed = 0
    last = _U0
    while vp // _U10 > vm // _U10:
        vm_zeros = vm_zeros and vm % _U10 == _U0
        vr_zeros = vr_zeros and last == _U0
        last = vr % _U10
        vr, vp, vm = vr // _U10, vp // _U10, vm // _U10
        removed += 1
    if vm_zeros:
        while vm % _U10 == _U0:
            vr_zeros = vr_zeros and last == _U0
            last = vr % _U10
            vr, vp, vm = vr // _U10, vp // _U10, vm // _U10
            removed += 1
    if vr_zeros and last == _U5 and vr % _U2 == _U0:
        last = _U4
    if (vr == vm and (not accept or not vm_zeros)) or last >= _U5:
        vr += _U1
    return vr, e10 + removed


@_HELPER
def _put_digits(row, start, digits, n, split):
    """The n digits of ``digits`` at row[start:], with a '.' after the first ``split``
    (none when split >= n); returns the position after them."""
    for i in range(n - 1, -1, -1):
        row[start + i + (1 if i >= split else 0)] = 48 + np.int64(digits % _U10)
        digits //= _U10
    if split < n:
        row[start + split] = 46
        return start + n + 1
    return start + n


@njit(cache=True, nogil=True)
def format_floats(bits, text, length, inv_lo, inv_hi, pos_lo, pos_hi):
    """``repr`` of the float64 whose bits are ``bits`` (N uint64), into ``text`` (N×24,
    zeros) and ``length`` (N)."""
    for r in range(bits.shape[0]):
        b = bits[r]
        row = text[r]
        at = 0
        if (b >> _U52) & _EXPONENT == _EXPONENT:          # inf, nan
            if b & _MANTISSA != _U0:
                row[0], row[1], row[2] = 110, 97, 110
                length[r] = 3
                continue
            if b >> _U63 != _U0:
                row[0] = 45
                at = 1
            row[at], row[at + 1], row[at + 2] = 105, 110, 102
            length[r] = at + 3
            continue
        if b >> _U63 != _U0:
            row[0] = 45
            at = 1
        digits, e10 = _U0, 0
        if b & _NOSIGN != _U0:
            digits, e10 = _shortest(b, inv_lo, inv_hi, pos_lo, pos_hi)
        n = 1
        while n < 17 and digits >= _POW10[n]:
            n += 1
        point = e10 + n                          # the value is 0.d1d2... × 10^point
        if point <= 0 and point >= -3:           # 0.[zeros]digits
            row[at], row[at + 1] = 48, 46
            for z in range(-point):
                row[at + 2 + z] = 48
            length[r] = _put_digits(row, at + 2 - point, digits, n, n)
        elif 0 < point < n:                      # dd.ddd
            length[r] = _put_digits(row, at, digits, n, point)
        elif n <= point <= 16:                   # ddd00.0
            end = _put_digits(row, at, digits, n, n)
            for z in range(point - n):
                row[end + z] = 48
            row[at + point], row[at + point + 1] = 46, 48
            length[r] = at + point + 2
        else:                                    # d.ddde-05, de+16
            # np.int64(1), not 1: a literal would compile _put_digits a second time
            end = _put_digits(row, at, digits, n, np.int64(1))
            e = point - 1
            row[end], row[end + 1] = 101, 45 if e < 0 else 43
            e = -e if e < 0 else e
            end += 2
            if e >= 100:
                row[end] = 48 + e // 100
                end += 1
            row[end], row[end + 1] = 48 + e // 10 % 10, 48 + e % 10
            length[r] = end + 2


_POW10 = np.array([10 ** i for i in range(18)], dtype=np.uint64)


@njit(cache=True, nogil=True)
def put_column(out, pos, text, length, index, sep):
    """Row r of a table gets entry ``index[r]`` of a column (``text`` M×W, ``length`` M)
    at ``out[pos[r]:]``, then the bytes of ``sep``; ``pos[r]`` moves past them."""
    for r in range(index.shape[0]):
        e = index[r]
        p = pos[r]
        for c in range(length[e]):
            out[p + c] = text[e, c]
        p += length[e]
        for c in range(sep.shape[0]):
            out[p + c] = sep[c]
        pos[r] = p + sep.shape[0]


load_without_refresh(globals())    # cached kernels load without numba's registries
