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

from llvmlite import binding as llvm
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LANES = 8


#: LLVM's prefetch intrinsic, named for its pointer argument: ``ptr`` where pointers are
#: opaque (LLVM 15 on, llvmlite 0.44 on), ``i8*`` before.
_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


def _load_vector(builder, data, offset, vector):
    """The ``vector`` of doubles at ``data + offset`` (alignment of a double): a pointer
    cast and a load, which every llvmlite accepts (typed or opaque pointers)."""
    address = builder.bitcast(builder.gep(data, [offset], inbounds=True), vector.as_pointer())
    return builder.load(address, align=8)


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
            xs = _load_vector(builder, x_data, offset, vector)
            ys = _load_vector(builder, y_data, offset, vector)
            builder.store(builder.fadd(builder.load(acc), builder.fmul(xs, ys)), acc)
        lanes = builder.load(acc)
        s = [builder.extract_element(lanes, ir.Constant(ir.IntType(32), i))
             for i in range(LANES)]
        pairs = [builder.fadd(s[i], s[i + 1]) for i in range(0, LANES, 2)]
        total = builder.fadd(builder.fadd(pairs[0], pairs[1]), builder.fadd(pairs[2], pairs[3]))
        result = cgutils.alloca_once_value(builder, total)
        start = builder.mul(chunks, ir.Constant(index_type, LANES))
        with cgutils.for_range_slice(builder, start, n, ir.Constant(index_type, 1)) as (k, _):
            xk = builder.load(builder.gep(x_data, [k], inbounds=True))
            yk = builder.load(builder.gep(y_data, [k], inbounds=True))
            builder.store(builder.fadd(builder.load(result),
                                       builder.fmul(xk, yk)), result)
        return builder.load(result)

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
        address = builder.bitcast(builder.gep(data, [position]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        hint = ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, hint, _PREFETCH)
        # read (0), high temporal locality (3), data cache (1)
        builder.call(function, [address, ir.Constant(i32, 0), ir.Constant(i32, 3),
                                ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.none(array, index), codegen


def _shuffle_rows(builder, vectors, mask_of):
    """One stage of the 8×8 transpose: pairs (a, b) of vectors shuffled by two masks."""
    out = []
    for a, b in vectors:
        for mask in mask_of:
            out.append(builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(ir.IntType(32), 8),
                                                              mask)))
    return out


#: The transpose's three stages (LLVM shufflevector masks over the 16 lanes of a pair).
_STAGE_1 = ([0, 8, 2, 10, 4, 12, 6, 14], [1, 9, 3, 11, 5, 13, 7, 15])
_STAGE_2 = ([0, 1, 8, 9, 4, 5, 12, 13], [2, 3, 10, 11, 6, 7, 14, 15])
_STAGE_3 = ([0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15])


@intrinsic
def transpose8(typingctx, table, rows, k, out, j):
    """``out[k + c, j + i] = table[rows[i], k + c]`` for i, c < 8: eight rows of ``table``
    (their columns k..k+7) into eight columns of ``out`` (its rows k..k+7), as an 8×8
    transpose in vector registers. ``table`` and ``out`` are C-contiguous 2-D float64;
    ``rows`` a C-contiguous integer array of 8 row numbers. Moves values only.

    Numpy equivalent: ``out[k:k + 8, j:j + 8] = table[rows, k:k + 8].T``.
    """
    ok = (isinstance(table, types.Array) and isinstance(out, types.Array)
          and table.ndim == out.ndim == 2 and table.dtype == out.dtype == types.float64
          and table.layout == out.layout == "C" and isinstance(rows, types.Array)
          and rows.ndim == 1 and isinstance(rows.dtype, types.Integer)
          and isinstance(k, types.Integer) and isinstance(j, types.Integer))
    if not ok:
        return None

    def codegen(context, builder, signature, args):
        table_type, rows_type, k_type, out_type, j_type = signature.args
        double = ir.DoubleType()
        vector = ir.VectorType(double, LANES)
        src = context.make_array(table_type)(context, builder, args[0])
        dst = context.make_array(out_type)(context, builder, args[3])
        row_ids = context.make_array(rows_type)(context, builder, args[1])
        intp = context.get_value_type(types.intp)
        k0 = context.cast(builder, args[2], k_type, types.intp)
        j0 = context.cast(builder, args[4], j_type, types.intp)
        n_cols = builder.extract_value(src.shape, 1)
        n_out = builder.extract_value(dst.shape, 1)
        loaded = []
        for i in range(LANES):
            rid = builder.load(builder.gep(row_ids.data, [ir.Constant(intp, i)]))
            rid = context.cast(builder, rid, rows_type.dtype, types.intp)
            offset = builder.add(builder.mul(rid, n_cols), k0)
            loaded.append(_load_vector(builder, src.data, offset, vector))
        stage1 = _shuffle_rows(builder, [(loaded[2 * p], loaded[2 * p + 1]) for p in range(4)],
                               _STAGE_1)           # [rows 01 even c, rows 01 odd c, rows 23 ...]
        stage2 = _shuffle_rows(builder, [(stage1[0], stage1[2]), (stage1[1], stage1[3]),
                                         (stage1[4], stage1[6]), (stage1[5], stage1[7])],
                               _STAGE_2)           # rows 0-3: c 0|4, 2|6, 1|5, 3|7; rows 4-7
        stage3 = _shuffle_rows(builder, [(stage2[i], stage2[i + 4]) for i in range(4)],
                               _STAGE_3)           # c = 0, 4, 2, 6, 1, 5, 3, 7
        for c, column in zip((0, 4, 2, 6, 1, 5, 3, 7), stage3, strict=True):
            offset = builder.add(builder.mul(builder.add(k0, ir.Constant(intp, c)), n_out), j0)
            address = builder.bitcast(builder.gep(dst.data, [offset]), vector.as_pointer())
            builder.store(column, address, align=8)
        return context.get_dummy_value()

    return types.none(table, rows, k, out, j), codegen
