"""exp and log in plain arithmetic, so that the compiled loops calling them vectorize.

``math.exp`` and ``math.log`` compile to calls into the C library, one element at a
time: in the K-loops of the E-step (ψ and exp of every topic, every update) they
cost as much as the passes over the document's words. These are the same
algorithms as fdlibm's ``__ieee754_exp`` and ``__ieee754_log`` (Sun Microsystems,
1993; the polynomials and the split of log 2 are theirs), written without
branches: the exponent is read and written through the float's bits. Error below
1 ulp (tests/engine/test_explog.py checks them against the C library over every
binade they serve, and the ulp count).

Plain ``njit`` functions (not inlined by numba): LLVM inlines them into the loops that
call them and vectorizes those, and numba types them once instead of once per caller,
which keeps the first compile short. Only IEEE additions, multiplications and divisions
are used, each in the order the code gives (no fast-math), so the results are the same
bits on every machine, vectorized or not, compiled or cached.

Domains: :func:`exp_` any x (x < −745.2 gives 0, x > 709.8 gives inf, results
under 2^−1022 are rounded once into the subnormals); :func:`log_` any positive finite x,
subnormals included. NaN, 0 and negative x are not handled.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from lda_vi.engine.kernel_cache import bind_to_sources


def _bit_cast(source, target):
    """An intrinsic reinterpreting the bits of a ``source`` scalar as a ``target`` one
    (an LLVM bitcast: no conversion, no instruction once compiled)."""

    def cast(typingctx, value):
        if value != source:
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    return intrinsic(cast)


#: The bits of a float64 as an int64, and the float64 whose bits are an int64.
float_bits = _bit_cast(types.float64, types.int64)
bits_float = _bit_cast(types.int64, types.float64)


@intrinsic
def fdiv(typingctx, a, b):
    """a / b as the IEEE division alone: numba's ``/`` first tests b == 0 to raise
    ZeroDivisionError, a branch that keeps a loop from vectorizing. For divisors that
    cannot be zero."""
    if a != types.float64 or b != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.fdiv(args[0], args[1])

    return types.float64(types.float64, types.float64), codegen


LN2_HI = 6.93147180369123816490e-01    # log 2 rounded to 32 significant bits (fdlibm)
LN2_LO = 1.90821492927058770002e-10    # log 2 − LN2_HI
INV_LN2 = 1.44269504088896338700e+00
SQRT2 = 1.4142135623730951
MIN_NORMAL = 2.2250738585072014e-308   # 2^−1022
TWO54 = 18014398509481984.0            # 2^54
#: Adding it to an integer-valued |k| < 2^51 puts k + 1023 in the low mantissa bits.
SHIFTER = 4503599627370496.0 + 1023.0  # 2^52 + 1023
#: The bits of 2^52: OR-ed with an integer 0 <= b < 2^52, they make the float 2^52 + b.
TWO52_BITS = 0x4330000000000000
MANTISSA = 0x000FFFFFFFFFFFFF
ONE_BITS = 0x3FF0000000000000

# fdlibm's minimax polynomials: exp's P1..P5 on |r| ≤ log(2)/2, log's Lg1..Lg7.
P1, P2, P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
P4, P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
LG1, LG2, LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
LG4, LG5 = 2.222219843214978396e-01, 1.818357216161805012e-01
LG6, LG7 = 1.531383769920937332e-01, 1.479819860511658591e-01


@njit(cache=True)
def _pow2(kf):
    """2^k for an integer-valued float k in [−1022, 1023], built from its bits."""
    biased = float_bits(kf + SHIFTER) & MANTISSA        # k + 1023
    return bits_float(biased << 52)


@njit(cache=True)
def exp_(x):
    """e^x (fdlibm's algorithm, error < 1 ulp), without branches.

    Numpy equivalent: ``np.exp(x)``.
    """
    x = min(max(x, -1000.0), 1000.0)
    kf = np.floor(x * INV_LN2 + 0.5)                 # k = round(x / log 2)
    hi = x - kf * LN2_HI
    lo = kf * LN2_LO
    r = hi - lo
    rr = r * r
    c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))))
    y = 1.0 - ((lo - fdiv(r * c, 2.0 - c)) - hi)        # e^r
    k1 = np.floor(kf * 0.5)                           # 2^k as 2^k1 · 2^k2, both normal
    return (y * _pow2(k1)) * _pow2(kf - k1)


@njit(cache=True)
def log_(x):
    """log x for positive finite x (fdlibm's algorithm, error < 1 ulp), without branches.

    Numpy equivalent: ``np.log(x)``.
    """
    small = x < MIN_NORMAL                           # a subnormal: scale it up first
    x = x * TWO54 if small else x
    bits = float_bits(x)
    m = bits_float((bits & MANTISSA) | ONE_BITS)     # x = m · 2^e, m in [1, 2)
    e = bits_float((bits >> 52) | TWO52_BITS) - SHIFTER     # the exponent, as a float
    up = m > SQRT2                                   # m in [√2/2, √2) instead
    m = m * 0.5 if up else m
    e = e + 1.0 if up else e
    e = e - 54.0 if small else e
    f = m - 1.0
    s = fdiv(f, 2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LG2 + w * (LG4 + w * LG6))
    t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
    R = t2 + t1
    hfsq = 0.5 * f * f
    return e * LN2_HI - ((hfsq - (s * (hfsq + R) + e * LN2_LO)) - f)


bind_to_sources(globals())    # cached kernels recompile when any kernel file changes
