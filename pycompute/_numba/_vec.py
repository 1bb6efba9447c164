"""LLVM IR helpers for the Numba backend's explicit-vector intrinsics.

Shared by :mod:`.convolution` (the register-blocked filter loops),
:mod:`.derivatives` (the column pair) and :mod:`.simulation` (the fast N-body pair
loop): 64-byte vectors (<16 x float>, <8 x double>), legalized by LLVM to the host's
width.

Numba's on-disk cache keys a function on its own source file: after an edit here,
also touch the modules that use these helpers (convolution.py, derivatives.py,
simulation.py, reductions.py) so their cached kernels are recompiled.
"""
from __future__ import annotations

import platform

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic
from numba.core import cgutils, config

_I32 = ir.IntType(32)


def target_features():
    """The x86 features of the CPU Numba compiles for (the host, or NUMBA_CPU_NAME /
    NUMBA_CPU_FEATURES), as a set of names ("avx512f", "fma"...); empty off x86 and
    for a named CPU without a feature list (its features are not known here)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return frozenset()
    if config.CPU_NAME is not None and config.CPU_FEATURES is None:
        return frozenset()
    if config.CPU_FEATURES is not None:
        feats = config.CPU_FEATURES
    else:
        from numba.core.codegen import get_host_cpu_features
        feats = get_host_cpu_features()
    return frozenset(f[1:] for f in feats.split(",") if f.startswith("+"))


@njit(nogil=True, cache=True)
def aligned_empty(n, like):
    """np.empty(n, like.dtype) starting on a 64-byte boundary. NumPy's buffers of a
    few hundred KiB and more come from mmap 16 bytes past a page (glibc's chunk
    header), so every 64-byte vector load of a ring row split two cache lines: the
    column passes read their rows ~2x slower than the Cython kernels' (which align)."""
    isz = like.itemsize
    raw = np.empty(n + 64 // isz, like.dtype)
    off = ((64 - raw.ctypes.data % 64) % 64) // isz
    return raw[off:off + n]


def emit_prefetch(builder, ptr):
    """A software prefetch of ``ptr`` for reading, into L1 (``llvm.prefetch``, locality
    3: the prefetcht0 of the Cython kernels' ``__builtin_prefetch(p, 0, 3)``)."""
    p = builder.bitcast(ptr, ir.IntType(8).as_pointer())
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(ir.VoidType(), [p.type, _I32, _I32, _I32]),
        "llvm.prefetch.p0")
    builder.call(fn, [p, _const(_I32, 0), _const(_I32, 3), _const(_I32, 1)])


@intrinsic
def prefetch(typingctx, arr, i):
    """emit_prefetch of arr[i] (any layout: the element's address)."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and isinstance(i, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        emit_prefetch(builder, _Arr(context, builder, arr, args[0]).ptr(args[1]))
        return context.get_dummy_value()

    return types.void(arr, i), codegen


def _int64_at(arr, i):
    return (isinstance(arr, types.Array) and arr.ndim == 1 and arr.dtype == types.int64
            and isinstance(i, types.Integer))


@intrinsic
def load_relaxed(typingctx, arr, i):
    """arr[i] of an int64 array as a relaxed (monotonic) atomic load: a value other
    threads' tasks store (the reductions' argext row stops; kernels/reductions.pyx
    pyc_load_relaxed). No bounds check."""
    if not _int64_at(arr, i):
        return None

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_Arr(context, builder, arr, args[0]).ptr(args[1]),
                                   "monotonic", 8)

    return types.int64(arr, i), codegen


@intrinsic
def store_relaxed(typingctx, arr, i, v):
    """arr[i] = v for an int64 array as a relaxed (monotonic) atomic store
    (kernels/reductions.pyx pyc_store_relaxed). No bounds check."""
    if not (_int64_at(arr, i) and isinstance(v, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        val = context.cast(builder, args[2], signature.args[2], types.int64)
        builder.store_atomic(val, _Arr(context, builder, arr, args[0]).ptr(args[1]),
                             "monotonic", 8)
        return context.get_dummy_value()

    return types.void(arr, i, v), codegen


def _vec_of(dt):
    """(LLVM element type, lanes of one 64-byte vector) of a Numba float dtype."""
    return (ir.FloatType(), 16) if dt == types.float32 else (ir.DoubleType(), 8)


def _const(ty, v):
    return ir.Constant(ty, v)


def _vload(builder, ptr, vt, align):
    p = builder.bitcast(ptr, vt.as_pointer())
    kw = dict(typ=vt) if getattr(p.type, "is_opaque", False) else {}
    return builder.load(p, align=align, **kw)


def _vstore(builder, v, ptr, align):
    builder.store(v, builder.bitcast(ptr, v.type.as_pointer()), align=align)


def _splat(builder, x, vt):
    v = builder.insert_element(ir.Constant(vt, ir.Undefined), x, _const(_I32, 0))
    return builder.shuffle_vector(v, ir.Constant(vt, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, vt.count), [0] * vt.count))


def _has_fma():
    """False where Numba compiles for an x86 CPU known to lack FMA (where LLVM turns
    ``llvm.fma`` into a libm ``fmaf`` call per lane: glibc's software routine)."""
    feats = target_features()
    return not feats or "fma" in feats


def _fma_f32_emulated(builder, a, b, c):
    """fma(a, b, c) of float32 (scalar or vector) without an FMA unit, bit for bit:
    kernels/_fastconv.h ``pyc_fma_round2`` in IR. The product of two floats is exact
    in double; the sum is rounded once in double, and to odd instead (one ulp
    towards the exact sum, which TwoSum gives, where it was inexact and the double
    is even) where it landed on a float32 midpoint or is subnormal as a float32:
    rounding to odd, then to float32, rounds once (Boldo & Melquiond). The TwoSum
    runs only for a vector with such a lane (a branch: branch-free, the filters ran
    3x slower)."""
    ty = a.type
    vec = isinstance(ty, ir.VectorType)
    n = ty.count if vec else None
    f64 = ir.VectorType(ir.DoubleType(), n) if vec else ir.DoubleType()
    i64 = ir.VectorType(ir.IntType(64), n) if vec else ir.IntType(64)

    def k(t, v):
        return ir.Constant(t, [v] * n) if vec else ir.Constant(t, v)

    p = builder.fmul(builder.fpext(a, f64), builder.fpext(b, f64))
    c64 = builder.fpext(c, f64)
    s = builder.fadd(p, c64)
    bits = builder.bitcast(s, i64)
    mid = builder.icmp_unsigned("==", builder.and_(bits, k(i64, 0x1FFFFFFF)), k(i64, 0x10000000))
    mag = builder.and_(bits, k(i64, 0x7FFFFFFFFFFFFFFF))
    tiny = builder.icmp_unsigned("<", mag, k(i64, 0x3810000000000000))  # |s| < 2^-126
    rare = builder.or_(mid, tiny)
    any_rare = builder.icmp_unsigned("!=", builder.bitcast(rare, ir.IntType(n)),
                                     ir.Constant(ir.IntType(n), 0)) if vec else rare
    slot = cgutils.alloca_once_value(builder, bits)
    with builder.if_then(any_rare, likely=False):  # the common path: no TwoSum
        bp = builder.fsub(s, p)
        e = builder.fadd(builder.fsub(p, builder.fsub(s, bp)), builder.fsub(c64, bp))
        inexact = builder.fcmp_ordered("!=", e, k(f64, 0.0))  # false for a NaN error
        even = builder.icmp_unsigned("==", builder.and_(bits, k(i64, 1)), k(i64, 0))
        differ = builder.icmp_signed("<", builder.xor(builder.bitcast(e, i64), bits),
                                     k(i64, 0))
        delta = builder.select(differ, k(i64, -1), k(i64, 1))
        fix = builder.and_(rare, builder.and_(inexact, even))
        builder.store(builder.add(bits, builder.select(fix, delta, k(i64, 0))), slot)
    r = builder.fptrunc(builder.bitcast(builder.load(slot), f64), ty)
    # NaNs as the instruction gives them (kernels/_fastconv.h pyc_fma4): the mul then
    # add agrees except for an invalid product (inf * 0) with a NaN c, which is c
    i32 = ir.VectorType(ir.IntType(32), n) if vec else ir.IntType(32)

    def nan(v):
        return builder.fcmp_unordered("uno", v, v)
    take_c = builder.and_(nan(c), builder.not_(builder.or_(nan(a), nan(b))))
    qc = builder.bitcast(builder.or_(builder.bitcast(c, i32), k(i32, 0x00400000)), ty)
    return builder.select(take_c, qc, r)


def _madd_ir(builder, acc, a, b, f32, emulate=None):
    """acc + a * b: fma for float32 (scalar or vector), fmul then fadd for float64.
    ``emulate`` (default: the target CPU lacks FMA) builds the float32 fma from
    double arithmetic (:func:`_fma_f32_emulated`, the same bits)."""
    if not f32:
        return builder.fadd(acc, builder.fmul(a, b))
    if emulate if emulate is not None else not _has_fma():
        return _fma_f32_emulated(builder, a, b, acc)
    ty = acc.type
    name = (f"llvm.fma.v{ty.count}f32" if isinstance(ty, ir.VectorType) else "llvm.fma.f32")
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ty, [ty] * 3), name)
    return builder.call(fn, [a, b, acc])


def _tap_plan(builder, dtype, K, n, nvec):
    """The shape of a register-blocked loop over K taps (convolution's _vline,
    derivatives' _vcol2): (vector type, float32?, index type, outputs a step, steps in
    n, the centre tap K // 2, the last tap K - 1)."""
    elt, L = _vec_of(dtype)
    it = K.type
    step = nvec * L
    return (ir.VectorType(elt, L), dtype == types.float32, it, step,
            builder.sdiv(n, _const(it, step)), builder.sdiv(K, _const(it, 2)),
            builder.sub(K, _const(it, 1)))


def pair_loops(builder, sym, body):
    """Emit ``body(op)`` twice, under one test outside it: op = builder.fadd where
    sym > 0 (a symmetric kernel's pairs u + v), builder.fsub otherwise (u - v). A plain
    add or subtract, as the Cython kernels' (and scipy's), so the same bits, NaN signs
    included. (Written once as u + (+-1) * v in one fma, every pair ran on the FMA
    pipes and Zen's separate add pipes sat idle: a 17-tap column pass at half the
    Cython kernel's speed.)"""
    with builder.if_else(builder.icmp_signed(">", sym, ir.Constant(sym.type, 0))) as (pos, neg):
        with pos:
            body(builder.fadd)
        with neg:
            body(builder.fsub)


class _Arr:
    """Element access to a 1-D array argument of an intrinsic."""

    def __init__(self, context, builder, aryty, val):
        self.c, self.b, self.ty = context, builder, aryty
        self.a = context.make_array(aryty)(context, builder, val)
        self.align = context.get_abi_sizeof(context.get_data_type(aryty.dtype))

    def ptr(self, i):
        return cgutils.get_item_pointer(self.c, self.b, self.ty, self.a, [i])

    def get(self, i):
        return self.c.unpack_value(self.b, self.ty.dtype, self.ptr(i))

    def vget(self, i, vt):
        return _vload(self.b, self.ptr(i), vt, self.align)

    def vput(self, i, v):
        _vstore(self.b, v, self.ptr(i), self.align)


def _c1(a):
    return isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C"
