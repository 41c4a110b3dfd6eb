"""Whole arrays of float64 as their shortest round-trip text, the text of Python's ``repr``,
computed with numpy on the whole array at once (no Python loop per number).

Why: ``fit --all-words`` writes K×V probabilities (523,650 at K=50 on AP); ``repr`` of each,
even in a C loop (``map(repr, x.tolist())``), took 0.45 s of a 3.5 s command.

How: the Ryū algorithm (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018),
written here as numpy operations over arrays of uint64: for every number, the shortest
decimal d × 10^e inside the interval of reals that round to it, the closest to it among
those (ties to even), using 128-bit multiplications by tables of 5^±q (built exactly with
Python integers on first use) done as 32-bit halves. That is the same digits as Python's
``repr`` (David Gay's shortest mode, which has the same contract), laid out as ``repr`` does:
positional when the decimal point falls between 10^-4 and 10^16, else ``1e-05``-style
exponents; ``0.0``, ``-0.0``, ``inf``, ``-inf``, ``nan``. ``float(text)`` gives back the same
float64 bit for bit. The tests compare with ``repr`` on millions of numbers of every kind.

Shapes: N numbers; text as an N×W uint8 matrix of ASCII (W = :data:`WIDTH`), each row's
characters first, and N lengths.
"""

from __future__ import annotations

import numpy as np

from lda_vi import threads

__all__ = ["COMPILED_FROM", "WIDTH", "float_text", "float_text_compiled", "float_text_numpy",
           "shortest_decimal"]

#: Characters of the longest repr of a float64 (``-2.2250738585072014e-308``).
WIDTH = 24

_U = np.uint64
_M32 = _U(0xFFFFFFFF)
_POW5_INV_BITS = _POW5_BITS = 125
_TABLES: dict[str, np.ndarray] = {}
_POW10 = np.array([10 ** i for i in range(20)], dtype=_U)
_ZERO = ord("0")


def _pow5bits(e):
    """Bits of 5^e (e >= 0; exact for e <= 3528)."""
    return ((np.asarray(e, dtype=np.int64) * 1217359) >> 19) + 1


def _tables() -> dict[str, np.ndarray]:
    """5^-q (q < 342) and 5^i (i < 326) scaled to 125 bits, as (low, high) halves: the
    exact integers ⌊2^(bits(5^q) − 1 + 125) / 5^q⌋ + 1 and ⌊5^i · 2^(125 − bits(5^i))⌋,
    bits(n) being n's bit length."""
    if not _TABLES:
        inv = [(1 << (p.bit_length() - 1 + _POW5_INV_BITS)) // p + 1
               for p in (5 ** q for q in range(342))]
        pos = [p << (_POW5_BITS - p.bit_length()) if p.bit_length() < _POW5_BITS
               else p >> (p.bit_length() - _POW5_BITS) for p in (5 ** i for i in range(326))]
        mask = (1 << 64) - 1
        for name, values in (("inv", inv), ("pos", pos)):
            _TABLES[name + "_lo"] = np.array([v & mask for v in values], dtype=_U)
            _TABLES[name + "_hi"] = np.array([v >> 64 for v in values], dtype=_U)
    return _TABLES


def _umul128(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 128-bit products a·b as (low, high) 64-bit halves, from 32-bit pieces."""
    a0, a1, b0, b1 = a & _M32, a >> _U(32), b & _M32, b >> _U(32)
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _U(32)) + (p10 & _M32) + (p01 & _M32)
    low = (mid << _U(32)) | (p00 & _M32)
    high = p11 + (p10 >> _U(32)) + (p01 >> _U(32)) + (mid >> _U(32))
    return low, high


def _mul_shift(m: np.ndarray, lo: np.ndarray, hi: np.ndarray, j: np.ndarray) -> np.ndarray:
    """⌊m · (hi·2^64 + lo) / 2^j⌋ for 64 < j < 128 (m below 2^55): fits in 64 bits."""
    low1, high1 = _umul128(m, hi)
    _, high0 = _umul128(m, lo)
    total = high0 + low1
    high1 = high1 + (total < high0).astype(_U)          # the carry
    shift = (j - 64).astype(_U)
    return (high1 << (_U(64) - shift)) | (total >> shift)


def _pow5_factor(v: np.ndarray) -> np.ndarray:
    """How many times 5 divides each v (v > 0)."""
    count = np.zeros(v.shape, dtype=np.int64)
    v = v.copy()
    live = np.flatnonzero(v % _U(5) == 0)
    while live.size:
        v[live] //= _U(5)
        count[live] += 1
        live = live[v[live] % _U(5) == 0]
    return count


def _shortest(m2, e2, mm_shift) -> tuple[np.ndarray, np.ndarray]:
    """Ryū's core on finite non-zero numbers m2 · 2^e2 (m2 with the implicit bit):
    the shortest decimal digits (uint64) and their power of ten."""
    t = _tables()
    n = m2.shape[0]
    accept = (m2 & _U(1)) == 0                         # even: the bounds round to it
    mv = m2 << _U(2)
    vr, vp, vm = (np.empty(n, dtype=_U) for _ in range(3))
    e10 = np.empty(n, dtype=np.int64)
    vm_zeros = np.zeros(n, dtype=bool)
    vr_zeros = np.zeros(n, dtype=bool)
    big = np.flatnonzero(e2 >= 0)
    if big.size:
        e = e2[big]
        q = ((e * 78913) >> 18) - (e > 3)              # ⌊log10 2^e⌋, less one past e = 3
        j = -e + q + _POW5_INV_BITS + _pow5bits(q) - 1
        lo, hi = t["inv_lo"][q], t["inv_hi"][q]
        m, s = mv[big], mm_shift[big]
        vr[big], vp[big] = _mul_shift(m, lo, hi, j), _mul_shift(m + _U(2), lo, hi, j)
        vm[big] = _mul_shift(m - _U(1) - s, lo, hi, j)
        e10[big] = q
        small = q <= 21                                # could the product end in zeros?
        if small.any():
            idx, qq, mm, acc = big[small], q[small], m[small], accept[big][small]
            div5 = mm % _U(5) == 0
            vr_zeros[idx[div5]] = _pow5_factor(mm[div5]) >= qq[div5]
            sel = ~div5 & acc
            vm_zeros[idx[sel]] = _pow5_factor(mm[sel] - _U(1) - s[small][sel]) >= qq[sel]
            sel = ~div5 & ~acc
            vp[idx[sel]] -= (_pow5_factor(mm[sel] + _U(2)) >= qq[sel]).astype(_U)
    neg = np.flatnonzero(e2 < 0)
    if neg.size:
        e = -e2[neg]
        q = ((e * 732923) >> 20) - (e > 1)             # ⌊log10 5^e⌋, less one past e = 1
        i = e - q
        j = q - (_pow5bits(i) - _POW5_BITS)
        lo, hi = t["pos_lo"][i], t["pos_hi"][i]
        m, s = mv[neg], mm_shift[neg]
        vr[neg], vp[neg] = _mul_shift(m, lo, hi, j), _mul_shift(m + _U(2), lo, hi, j)
        vm[neg] = _mul_shift(m - _U(1) - s, lo, hi, j)
        e10[neg] = q - e
        tiny = q <= 1
        vr_zeros[neg[tiny]] = True
        acc = accept[neg]
        vm_zeros[neg[tiny & acc]] = s[tiny & acc] == 1
        vp[neg[tiny & ~acc]] -= _U(1)
        mid = ~tiny & (q < 63)
        mask = (_U(1) << q[mid].astype(_U)) - _U(1)
        vr_zeros[neg[mid]] = (m[mid] & mask) == 0
    return _remove_digits(vr, vp, vm, e10, vm_zeros, vr_zeros, accept)


def _remove_digits(vr, vp, vm, e10, vm_zeros, vr_zeros, accept):
    """Ryū's step 4: drop digits while the interval [vm, vp] still holds a shorter
    number, then round vr (up past half, half to even, up when vr is out of bounds)."""
    last = np.zeros(vr.shape, dtype=_U)
    removed = np.zeros(vr.shape, dtype=np.int64)
    ten = _U(10)
    live = np.flatnonzero(vp // ten > vm // ten)
    while live.size:
        r, m = vr[live], vm[live]
        vm_zeros[live] &= m % ten == 0
        vr_zeros[live] &= last[live] == 0
        last[live] = r % ten
        vr[live], vp[live], vm[live] = r // ten, vp[live] // ten, m // ten
        removed[live] += 1
        live = live[vp[live] // ten > vm[live] // ten]
    live = np.flatnonzero(vm_zeros)
    live = live[vm[live] % ten == 0]
    while live.size:                                   # vm itself ends in zeros: keep going
        vr_zeros[live] &= last[live] == 0
        last[live] = vr[live] % ten
        vr[live], vp[live], vm[live] = vr[live] // ten, vp[live] // ten, vm[live] // ten
        removed[live] += 1
        live = live[vm[live] % ten == 0]
    half_even = vr_zeros & (last == 5) & (vr % _U(2) == 0)
    last[half_even] = 4
    up = ((vr == vm) & (~accept | ~vm_zeros)) | (last >= 5)
    return vr + up.astype(_U), e10 + removed


def shortest_decimal(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For finite float64 ``x`` (N): digits d (uint64, 0 for zeros) and exponents e
    (int64) with |x| = d · 10^e, d as short as can be while ``float`` reads it back as x."""
    bits = np.ascontiguousarray(x, dtype=np.float64).view(_U)
    mantissa = bits & _U((1 << 52) - 1)
    exponent = ((bits >> _U(52)) & _U(0x7FF)).astype(np.int64)
    if np.any(exponent == 0x7FF):
        raise ValueError("shortest_decimal takes finite numbers only")
    digits = np.zeros(x.shape[0], dtype=_U)
    exp10 = np.zeros(x.shape[0], dtype=np.int64)
    live = np.flatnonzero((exponent != 0) | (mantissa != 0))
    if live.size:
        mant, ex = mantissa[live], exponent[live]
        normal = ex != 0
        m2 = np.where(normal, mant | _U(1 << 52), mant)
        e2 = np.where(normal, ex, 1) - (1023 + 52 + 2)
        mm_shift = ((mant != 0) | (ex <= 1)).astype(_U)
        digits[live], exp10[live] = _shortest(m2, e2, mm_shift)
    return digits, exp10


#: Numbers from which the compiled kernel is used: below, the numpy form takes a few
#: milliseconds, and a command that fits nothing (``transform`` of a few documents) does
#: not load numba for it.
COMPILED_FROM = 1 << 14


def _kernel():
    """:func:`lda_vi.io.text_kernels.format_floats`, or None without numba."""
    try:
        from lda_vi.io.text_kernels import format_floats
    except ImportError:  # pragma: no cover - exercised only where numba is absent
        return None
    return format_floats


def float_text(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``repr`` of every number of ``x`` (flattened, as float64): an N×:data:`WIDTH`
    uint8 matrix of ASCII, each row's text first, and the N lengths.

    :func:`float_text_compiled` from :data:`COMPILED_FROM` numbers on where numba is
    installed, else :func:`float_text_numpy`; the same text either way."""
    if np.size(x) >= COMPILED_FROM and _kernel() is not None:
        return float_text_compiled(x)
    return float_text_numpy(x)


def float_text_compiled(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`float_text` by the compiled kernel (:mod:`lda_vi.io.text_kernels`), on the
    kernel threads (:mod:`lda_vi.threads`), a range of the numbers each."""
    bits = np.ascontiguousarray(x, dtype=np.float64).ravel().view(_U)
    text = np.zeros((bits.shape[0], WIDTH), dtype=np.uint8)
    length = np.zeros(bits.shape[0], dtype=np.int64)
    t = _tables()
    kernel, tables = _kernel(), (t["inv_lo"], t["inv_hi"], t["pos_lo"], t["pos_hi"])

    def piece(lo: int, hi: int) -> None:     # each number is formatted on its own
        kernel(bits[lo:hi], text[lo:hi], length[lo:hi], *tables)

    threads.run_rows(piece, bits.shape[0])
    return text, length


def float_text_numpy(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`float_text` in numpy on whole arrays (no numba)."""
    x = np.ascontiguousarray(x, dtype=np.float64).ravel()
    n = x.shape[0]
    text = np.zeros((n, WIDTH), dtype=np.uint8)
    length = np.zeros(n, dtype=np.int64)
    finite = np.isfinite(x)
    idx = np.flatnonzero(finite)
    digits, exp10 = shortest_decimal(x[idx])
    count = np.searchsorted(_POW10, digits, side="right").clip(1)   # digits of d (0: one)
    padded = digits * _POW10[17 - count]                           # 17 digits, 0s after
    chars = np.empty((idx.size, 17), dtype=np.uint8)
    for col in range(17):
        chars[:, col] = padded // _POW10[16 - col] % _U(10) + _U(_ZERO)
    point = exp10 + count              # the value is 0.d1d2... × 10^point
    body = np.zeros((idx.size, WIDTH - 1), dtype=np.uint8)
    size = np.zeros(idx.size, dtype=np.int64)
    _positional(chars, count, point, body, size)
    _scientific(chars, count, point, body, size)
    negative = np.signbit(x[idx])
    pos, neg = idx[~negative], idx[negative]
    text[pos, :WIDTH - 1], length[pos] = body[~negative], size[~negative]
    text[neg, 0] = ord("-")
    text[neg, 1:], length[neg] = body[negative], size[negative] + 1
    for bad in np.flatnonzero(~finite):               # inf, -inf, nan: a few at most
        word = repr(float(x[bad])).encode("ascii")
        text[bad, :len(word)] = np.frombuffer(word, dtype=np.uint8)
        length[bad] = len(word)
    return text, length


def _positional(chars, count, point, body, size) -> None:
    """Numbers whose point falls in -3..16: ``0.000ddd``, ``dd.ddd``, ``ddd00.0``."""
    for p in range(-3, 17):
        rows = np.flatnonzero(point == p)
        if not rows.size:
            continue
        c, n = chars[rows], count[rows]
        block = np.full((rows.size, WIDTH - 1), _ZERO, dtype=np.uint8)
        if p <= 0:                                     # 0.[zeros]digits
            block[:, 1] = ord(".")
            block[:, 2 - p:19 - p] = c
            size[rows] = 2 - p + n
        else:                                          # digits, the point, the rest or 0
            block[:, :p] = c[:, :p]
            block[:, p] = ord(".")
            block[:, p + 1:18] = c[:, p:]
            size[rows] = np.maximum(n, p + 1) + 1
        body[rows] = block


def _scientific(chars, count, point, body, size) -> None:
    """The others: ``d.ddde-05``, ``de+16`` (at least two exponent digits)."""
    rows = np.flatnonzero((point < -3) | (point > 16))
    if not rows.size:
        return
    c, n = chars[rows], count[rows]
    block = np.zeros((rows.size, WIDTH - 1), dtype=np.uint8)
    block[:, 0] = c[:, 0]
    block[:, 1] = ord(".")
    block[:, 2:18] = c[:, 1:]
    at = np.where(n > 1, n + 1, 1)                     # where 'e' goes
    e = point[rows] - 1
    ar = np.arange(rows.size)
    block[ar, at] = ord("e")
    block[ar, at + 1] = np.where(e < 0, ord("-"), ord("+"))
    e = np.abs(e)
    three = e >= 100
    block[ar[three], at[three] + 2] = e[three] // 100 + _ZERO
    tens = at + 2 + three
    block[ar, tens] = e // 10 % 10 + _ZERO
    block[ar, tens + 1] = e % 10 + _ZERO
    size[rows] = tens + 2
    body[rows] = block


if __name__ == "__main__":          # make install: compile the kernels into numba's cache
    from lda_vi.io.csv_columns import Column, join_rows_compiled, text_column

    join_rows_compiled([text_column(["a"]), Column(*float_text_compiled(np.array([0.5])))])
