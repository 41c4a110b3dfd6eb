"""LLVM code the compiled kernels cannot get from numba: a dot product in eight vector
lanes, and a prefetch.

``lane_dot(x, y)`` sums x_k y_k in eight partial sums, lane i taking the k ≡ i (mod 8)
of the first 8⌊K/8⌋ terms in order, adds the lanes pairwise,
((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), then the remaining terms in
order. Written in plain numba the eight sums stay scalar (LLVM does not vectorize
them without fast-math, which would also let it reorder them); here each step is
one vector multiply and one vector add, with the same roundings, so the result is
the bits of the scalar loop (tests/engine/test_lanes.py checks it against that
loop). No fused multiply-add: each product is rounded before it is added.

``prefetch(array, i)`` asks the processor to bring the cache line of ``array[i]`` in
ahead of its use (LLVM's ``llvm.prefetch``, a hint: it changes no value, and a
position out of range is never read).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LANES = 8


def _data_and_length(context, builder, array_type, value):
    array = context.make_array(array_type)(context, builder, value)
    return array.data, builder.extract_value(array.shape, 0)


@intrinsic
def lane_dot(typingctx, x, y):
    """Σ_k x_k y_k in the fixed order of the module docstring, for contiguous float64
    vectors of equal length (the length of ``x`` is used).

    Numpy equivalent: ``x @ y`` (up to rounding).
    """
    ok = (isinstance(x, types.Array) and isinstance(y, types.Array) and x.ndim == y.ndim == 1
          and x.dtype == y.dtype == types.float64 and x.layout == y.layout == "C")
    if not ok:
        return None

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        vector = ir.VectorType(double, LANES)
        x_data, n = _data_and_length(context, builder, signature.args[0], args[0])
        y_data, _ = _data_and_length(context, builder, signature.args[1], args[1])
        index_type = n.type
        chunks = builder.udiv(n, ir.Constant(index_type, LANES))
        acc = cgutils.alloca_once_value(builder, ir.Constant(vector, [0.0] * LANES))
        with cgutils.for_range(builder, chunks) as loop:
            offset = builder.mul(loop.index, ir.Constant(index_type, LANES))
            xs = builder.load(builder.gep(x_data, [offset], inbounds=True, source_etype=double),
                              align=8, typ=vector)
            ys = builder.load(builder.gep(y_data, [offset], inbounds=True, source_etype=double),
                              align=8, typ=vector)
            builder.store(builder.fadd(builder.load(acc, typ=vector), builder.fmul(xs, ys)), acc)
        lanes = builder.load(acc, typ=vector)
        s = [builder.extract_element(lanes, ir.Constant(ir.IntType(32), i))
             for i in range(LANES)]
        pairs = [builder.fadd(s[i], s[i + 1]) for i in range(0, LANES, 2)]
        total = builder.fadd(builder.fadd(pairs[0], pairs[1]), builder.fadd(pairs[2], pairs[3]))
        result = cgutils.alloca_once_value(builder, total)
        start = builder.mul(chunks, ir.Constant(index_type, LANES))
        with cgutils.for_range_slice(builder, start, n, ir.Constant(index_type, 1)) as (k, _):
            xk = builder.load(builder.gep(x_data, [k], inbounds=True, source_etype=double),
                              typ=double)
            yk = builder.load(builder.gep(y_data, [k], inbounds=True, source_etype=double),
                              typ=double)
            builder.store(builder.fadd(builder.load(result, typ=double),
                                       builder.fmul(xk, yk)), result)
        return builder.load(result, typ=double)

    return types.float64(x, y), codegen


@intrinsic
def prefetch(typingctx, array, index):
    """A hint to load the cache line holding ``array.flat[index]`` (a C-contiguous array)
    for reading soon. Reads nothing and changes nothing.

    Numpy equivalent: none (no effect on any value).
    """
    if not isinstance(array, types.Array) or array.layout != "C" \
            or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        position = context.cast(builder, args[1], signature.args[1], types.intp)
        address = builder.gep(data, [position],
                              source_etype=context.get_data_type(signature.args[0].dtype))
        i32 = ir.IntType(32)
        hint = ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, hint, "llvm.prefetch.p0")
        # read (0), high temporal locality (3), data cache (1)
        builder.call(function, [address, ir.Constant(i32, 0), ir.Constant(i32, 3),
                                ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.none(array, index), codegen
