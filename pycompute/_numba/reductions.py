"""Numba twins of kernels/reductions.pyx: same names, same arguments, same task plan.

Arguments: ``buf, off, A, R, B, sa, sr, sb, <outputs...>, <parts...>, n_threads,
t0, t1``; element ``(a, r, b)`` is ``buf[off + a*sa + r*sr + b*sb]``; reduce over
``r``. Tasks are cut from the shape alone and partials combined in task order, so
results are bitwise identical at any thread count. A call runs tasks
``t0 <= t < min(t1, T)`` and returns ``T``: long reductions run in slices
(``pycompute._cancel.run_tasks``) with their chunk partials in ``parts``. No ``fastmath``: the compensated sums
rely on IEEE rounding that reassociation would remove.

SIMD: the float row loops (sum, mean, var, std) keep 16 independent lanes and
run them as one ``<16 x double>`` LLVM vector (``_lanes``, an intrinsic): LLVM's
loop and SLP vectorizers leave the same code written over a small local array
scalar, since they cannot keep array-held accumulators in registers. The vector
is legalized to the host's width: 2 zmm (AVX-512), 4 ymm (AVX2), 8 xmm (SSE2);
each lane runs the scalar operations in the scalar order, with no fast-math
flags, so results are bitwise those of the scalar loop. Rows with stride 1
load 16 elements at once; other strides assemble the vector from 16 loads.
tests/test_numba_vectorized.py checks the packed instructions in the assembly.
The column loops run along ``b``, which LLVM vectorizes when ``sb`` is 1.

float32 sums (issue 11) accumulate plainly in the 16 float64 lanes (``"plain"``
lanes, ``_psum_lanes``), in the order of the Cython twin's ``pyc_psum_f32``, so
both backends give the same bits. Min/max rows (and argmin/argmax's block scan)
run NaN-sticky compare-and-select lanes as one ``<32 x T>`` vector
(``_minmax_lanes``) at every stride. At one thread the kernels run a serial
compilation of the same code (``_serial_twin``), skipping the parallel launch.
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._layer import call_with_threads, direct, readonly
from ._vec import aligned_empty, emit_prefetch, load_relaxed, prefetch, store_relaxed

LANES = 16
GRP = 8  # blocks (rows) a float64 sum adds as a tree before its TwoSum (kernels/_simd.h PYC_GRP)
MM_LANES = 32  # min/max lanes: <32 x T>, two or more registers of independent chains
ROW_CHUNK = 16384
MAX_TASKS = 256
COLS = 4096  # output columns per column task (kernels/reductions.pyx: whole rows to 4096)
#: float32 column sums prefetch the rows PF_BYTES ahead into L1, where the call reads
#: more than PF_MIN bytes (kernels/reductions.pyx pyc_psum_cols_f32)
PF_BYTES = 16384
PF_MIN = 1 << 24
#: runs longer than this go in passes of 32 (8) rows (pyc_psum_cols_f32)
PF_RUN = 4096
#: contiguous min/max rows prefetch MM_PF bytes ahead (kernels/_simd.h PYC_MM_PF);
#: argmin's rows do not (kernels/reductions.pyx _argext_row)
MM_PF = 4096
COL_TASKS = 64  # column tasks to aim for
COL_MIN = 65536  # minimum elements per column task
FOLD = 256  # columns a chunk-partial fold runs side by side
COL_CHUNK = 64
COL_PASS = 32  # column tasks' chunks are whole multiples of it (pyc_psum_cols_f32)
SUB = 2048
ISUB_BYTES = 16384  # contiguous integer rows' argmin block (_argext_row), in bytes

_opts = dict(nogil=True, cache=True)


@njit(**_opts)
def _cdiv(a, b):
    return (a + b - 1) // b


@njit(**_opts)
def _row_chunks(A, R):
    if A >= MAX_TASKS or R <= ROW_CHUNK:
        return 1
    c = _cdiv(R, ROW_CHUNK)
    want = _cdiv(MAX_TASKS, A)
    return c if c < want else want


@njit(**_opts)
def _col_chunks(A, R, B):
    nbb = _cdiv(B, COLS)
    if A * nbb >= COL_TASKS or R <= COL_CHUNK:
        return 1
    c = _cdiv(R, COL_CHUNK)
    want = _cdiv(COL_TASKS, A * nbb)
    most = (R * (B if B < COLS else COLS)) // COL_MIN  # chunks of COL_MIN elements
    if want > most:
        want = most if most > 1 else 1
    return c if c < want else want


@njit(**_opts)
def _plan(A, R, B):
    """(tasks, chunks along R, chunk length, column blocks)."""
    if B == 1:
        nch = _row_chunks(A, R)
        return A * nch, nch, _cdiv(R, nch), 1
    nbb = _cdiv(B, COLS)
    nch = _col_chunks(A, R, B)
    if nch == 1:
        return A * nbb, 1, R, nbb
    L = _cdiv(_cdiv(R, nch), COL_PASS) * COL_PASS  # whole passes, as kernels/reductions.pyx
    nch = _cdiv(R, L)
    return A * nbb * nch, nch, L, nbb


@njit(**_opts)
def _task(t, nch, nbb, L, R, B):
    """(a, lo, hi, b0, nb) of task t."""
    c = t % nch
    if B == 1:
        a = t // nch
        b0 = 0
        nb = 1
    else:  # column blocks fastest, as kernels/reductions.pyx (rows stay in cache)
        bb = t % nbb
        c = (t // nbb) % nch
        a = t // (nch * nbb)
        b0 = bb * COLS
        nb = B - b0 if B - b0 < COLS else COLS
    lo = c * L
    hi = lo + L if lo + L < R else R
    return a, lo, hi, b0, nb


@njit(**_opts)
def plan(A, R, B):
    """(tasks, partials) of the (A, R, B) reductions: what a sliced call's ``parts`` hold."""
    ntask, nch, L, nbb = _plan(A, R, B)
    return ntask, (0 if nch == 1 else A * nch * B)


# Sliced calls (issue 12, pycompute/_cancel.py run_tasks), as kernels/reductions.pyx:
# every kernel takes ``..., parts, n_threads, t0, t1``, runs tasks t0 <= t < min(t1, T)
# and returns T. Chunk partials (nch > 1) go to ``parts`` (the caller's, shared by the
# slices of one reduction) and the call that runs the last task folds them in chunk
# order; where nch == 1 each task writes its own outputs. A whole call may pass an
# empty ``parts`` and then allocates its own.

@njit(**_opts)
def _clamp(T, t0, t1):
    return (t0 if t0 > 0 else 0), (t1 if t1 < T else T)


@njit(**_opts)
def _scratch(parts, need, whole):
    """``parts`` if it holds ``need`` partials, else (a whole call only) a new array."""
    if parts.shape[0] >= need:
        return parts
    if not whole:
        raise ValueError("a sliced call needs `parts` of the plan's size")
    return np.empty(need, parts.dtype)


@njit(**_opts)
def _finish(s, c):
    # a NaN sum is the default NaN, whatever NaN signs met (kernels/reductions.pyx _finish)
    if s - s != 0.0:
        return s if s == s else np.nan
    return s + c


@njit(**_opts)
def _two_sum(s, c, x):
    t = s + x
    bp = t - s
    return t, c + ((s - (t - bp)) + (x - bp))


@njit(**_opts)
def _fold1(s, c):
    """The chunk-order fold over a single partial (nch == 1), bit for bit (0.0 + -0.0 is +0.0)."""
    rs, rc = _two_sum(0.0, 0.0, s)
    return _finish(rs, rc + c)


@njit(**_opts)
def _fold_sums(S, C, nch, B, out):
    """out[b] = the chunk-order TwoSum fold of the nch x B partials (S, C) of one ``a``,
    chunk-major over FOLD columns, the partials left as they are
    (kernels/reductions.pyx _fold_sums)."""
    rs = np.empty(FOLD)
    rc = np.empty(FOLD)
    for b0 in range(0, B, FOLD):
        nb = min(B - b0, FOLD)
        for b in range(nb):
            rs[b] = 0.0
            rc[b] = 0.0
        for c in range(nch):
            s = S[c * B + b0:c * B + b0 + nb]
            e = C[c * B + b0:c * B + b0 + nb]
            for b in range(nb):
                x, y = _two_sum(rs[b], rc[b], s[b])
                rs[b] = x
                rc[b] = y + e[b]
        for b in range(nb):
            out[b0 + b] = _finish(rs[b], rc[b])


@njit(**_opts)
def _fold_ext(E, nch, L, R, B, want_max, out):
    """out[b] = the chunk-order fold of the nch x B chunk extremes E of one ``a``
    (NaN-sticky, ties to the later chunk), up to the empty trailing chunks
    (kernels/reductions.pyx _fold_ext)."""
    m = np.empty(FOLD, E.dtype)
    for b0 in range(0, B, FOLD):
        nb = min(B - b0, FOLD)
        for b in range(nb):
            m[b] = E[b0 + b]
        for c in range(1, nch):
            if c * L >= R:  # empty trailing chunks
                break
            q = E[c * B + b0:c * B + b0 + nb]
            for b in range(nb):
                v = q[b]
                e = m[b]
                m[b] = v if ((v >= e if want_max else v <= e) or v != v) else e
        for b in range(nb):
            out[b0 + b] = m[b]


# ---------------------------------------------------------------- sum (float)

def _load_lanes(context, builder, aryty, ary, start, step, pair_ok=None):
    """``np.float64`` of elements ``start + j*step`` (j < LANES) of 1-D ``ary``, as a
    ``<LANES x double>``; ``step`` None: stride 1, one (unaligned) vector load.

    A float view of any stride ('A' layout, ``step`` None) whose stride is two
    elements (``x[::2]``) loads the 2 * LANES elements under the block as one
    vector and keeps the even ones (a shuffle), where ``pair_ok`` (i1) says that
    its last, skipped element lies before the view's end; otherwise, and at other
    strides, element by element (LANES scalar loads: Numba's strided float32 sum
    ran at 0.6x NumPy's)."""
    dt = aryty.dtype
    f64 = ir.DoubleType()
    vd = ir.VectorType(f64, LANES)
    if step is None and aryty.layout != "C" and isinstance(dt, types.Float) \
            and pair_ok is not None:
        elt = context.get_data_type(dt)
        size = context.get_abi_sizeof(elt)
        stride = builder.extract_value(ary.strides, 0)
        pair = builder.and_(pair_ok, builder.icmp_signed(
            "==", stride, ir.Constant(stride.type, 2 * size)))
        slot = cgutils.alloca_once(builder, vd)
        with builder.if_else(pair, likely=True) as (two, other):
            with two:
                ve = ir.VectorType(elt, 2 * LANES)
                ptr = builder.bitcast(cgutils.get_item_pointer(context, builder, aryty, ary,
                                                               [start]), ve.as_pointer())
                kw = dict(typ=ve) if getattr(ptr.type, "is_opaque", False) else {}
                both = builder.load(ptr, align=size, **kw)
                even = builder.shuffle_vector(both, both, ir.Constant(
                    ir.VectorType(ir.IntType(32), LANES), list(range(0, 2 * LANES, 2))))
                builder.store(even if elt == f64 else builder.fpext(even, vd), slot)
            with other:
                builder.store(_load_lanes(context, builder, aryty, ary, start, None), slot)
        return builder.load(slot)
    if step is None and aryty.layout == "C" and isinstance(dt, (types.Float, types.Integer)):
        elt = context.get_data_type(dt)
        ve = ir.VectorType(elt, LANES)
        ptr = builder.bitcast(builder.gep(ary.data, [start]), ve.as_pointer())
        kw = dict(typ=ve) if getattr(ptr.type, "is_opaque", False) else {}
        x = builder.load(ptr, align=context.get_abi_sizeof(elt), **kw)
        if isinstance(dt, types.Integer):  # as Numba's scalar int -> float cast
            return builder.sitofp(x, vd) if dt.signed else builder.uitofp(x, vd)
        return x if elt == f64 else builder.fpext(x, vd)
    x = ir.Constant(vd, ir.Undefined)
    for j in range(LANES):
        idx = builder.add(start, builder.mul(ir.Constant(start.type, j),
                                             step or ir.Constant(start.type, 1)))
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [idx])
        v = context.cast(builder, context.unpack_value(builder, dt, ptr), dt, types.float64)
        x = builder.insert_element(x, v, ir.Constant(ir.IntType(32), j))
    return x


def _lanes(kind):
    """Intrinsic ``f(buf, p, s, nblk, mb, U, V)``: run ``nblk`` blocks of LANES elements
    (element ``j`` of block ``k`` is ``buf[p + (k*LANES + j)*s]``) into lane ``j`` of the
    float64 arrays U, V (length LANES, read at entry, written at exit):

    * ``"plain"``: ``U += x`` (V, ``mb`` unused): float32 sums (see ``_psum_row``);
    * ``"two_sum"``: TwoSum, U the sums, V the compensations (``mb`` unused);
    * ``"two_sum8"``: the same over ``nblk`` groups of GRP blocks each, a group's
      GRP values of a lane added as the tree of ``_tree8`` before its TwoSum;
    * ``"sq_dev"``: ``d = x - mb; U += d*d; V += d``.

    Returns the pair (contiguous, strided): the first ignores ``s`` and reads
    stride 1 with one vector load per block, the second loads element by element
    at stride ``s``. Either carries U, V as ``<LANES x double>`` in registers.
    """
    def make(contig):
        @intrinsic
        def lanes(typingctx, buf, p, s, nblk, mb, U, V):
            if not (isinstance(buf, types.Array) and buf.ndim == 1):
                return None
            sig = types.void(buf, types.intp, types.intp, types.intp, types.float64, U, V)

            def codegen(context, builder, signature, args):
                bufv, pv, sv, nv, mbv, Uv, Vv = args
                ary = context.make_array(buf)(context, builder, bufv)
                ua = context.make_array(U)(context, builder, Uv)
                va = context.make_array(V)(context, builder, Vv)
                vd = ir.VectorType(ir.DoubleType(), LANES)
                pu = builder.bitcast(ua.data, vd.as_pointer())
                pvv = builder.bitcast(va.data, vd.as_pointer())
                kw = dict(typ=vd) if getattr(pu.type, "is_opaque", False) else {}
                acc_u = cgutils.alloca_once(builder, vd)
                acc_v = cgutils.alloca_once(builder, vd)
                builder.store(builder.load(pu, align=8, **kw), acc_u)
                builder.store(builder.load(pvv, align=8, **kw), acc_v)
                m = ir.Constant(vd, ir.Undefined)
                for j in range(LANES):
                    m = builder.insert_element(m, mbv, ir.Constant(ir.IntType(32), j))
                width = ir.Constant(pv.type, LANES)
                step = builder.mul(width, sv)
                grp = GRP if kind == "two_sum8" else 1
                gw = ir.Constant(pv.type, grp)
                with cgutils.for_range(builder, nv) as loop:
                    start = builder.add(pv, builder.mul(builder.mul(loop.index, gw),
                                                        width if contig else step))
                    # a pair load reads one element past its block: not in the last
                    pair_ok = builder.icmp_signed("<", loop.index,
                                                  builder.sub(nv, ir.Constant(nv.type, 1)))
                    xs = [_load_lanes(context, builder, buf, ary,
                                      builder.add(start, builder.mul(ir.Constant(pv.type, r),
                                                                     width if contig else step)),
                                      None if contig else sv, pair_ok) for r in range(grp)]
                    while len(xs) > 1:  # ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))
                        xs = [builder.fadd(xs[r], xs[r + 1]) for r in range(0, len(xs), 2)]
                    x = xs[0]
                    u = builder.load(acc_u)
                    v = builder.load(acc_v)
                    if kind == "plain":  # U += x (V untouched)
                        builder.store(builder.fadd(u, x), acc_u)
                    elif kind in ("two_sum", "two_sum8"):  # as _two_sum, lane-wise
                        t = builder.fadd(u, x)
                        bp = builder.fsub(t, u)
                        err = builder.fadd(builder.fsub(u, builder.fsub(t, bp)), builder.fsub(x, bp))
                        builder.store(t, acc_u)
                        builder.store(builder.fadd(v, err), acc_v)
                    else:
                        d = builder.fsub(x, m)
                        builder.store(builder.fadd(u, builder.fmul(d, d)), acc_u)
                        builder.store(builder.fadd(v, d), acc_v)
                builder.store(builder.load(acc_u), pu, align=8)
                if kind != "plain":  # V may alias U there
                    builder.store(builder.load(acc_v), pvv, align=8)
                return context.get_dummy_value()

            return sig, codegen
        return lanes
    return make(True), make(False)


_plain_c, _plain_s = _lanes("plain")
_two_sum_c, _two_sum_s = _lanes("two_sum")
_two_sum8_c = _lanes("two_sum8")[0]
_sq_dev_c, _sq_dev_s = _lanes("sq_dev")


@njit(**_opts)
def _sum_lanes(buf, p, n, s, S, C):
    """(sum, compensation) of ``n`` elements from ``p`` at stride ``s``; S, C: LANES scratch.

    Lane ``j`` takes elements ``i % LANES == j`` of the full blocks, the tail goes
    into lane 0, the lanes fold in order. Stride 1: blocked TwoSum, kernels/_simd.h
    ``pyc_sum_f64``'s order (groups of GRP blocks added as a tree before their
    TwoSum, the blocks after the last group one at a time); other strides: TwoSum
    on every element, kernels/reductions.pyx ``pyc_sum_strided_f64``'s order. So
    the backends agree bit for bit.
    """
    S[:] = 0.0
    C[:] = 0.0
    nblk = n // LANES
    if s == 1 and _is_c(buf):  # a strided view handed in as it is reads at s == 1
        ngrp = nblk // GRP
        _two_sum8_c(buf, p, 1, ngrp, 0.0, S, C)
        _two_sum_c(buf, p + ngrp * GRP * LANES, 1, nblk - ngrp * GRP, 0.0, S, C)
    else:
        _two_sum_s(buf, p, s, nblk, 0.0, S, C)
    i = nblk * LANES
    while i < n:
        S[0], C[0] = _two_sum(S[0], C[0], np.float64(buf[p + i * s]))
        i += 1
    rs = 0.0
    rc = 0.0
    for j in range(LANES):
        rs, rc = _two_sum(rs, rc, S[j])
        rc += C[j]
    return rs, rc


def _is_c(buf):
    """True for a C-contiguous array (not a strided view of one, which the one-thread
    fast path hands in as it is): a compile-time constant in jitted code."""
    return buf.flags.c_contiguous


@overload(_is_c)
def _is_c_jit(buf):
    val = isinstance(buf, types.Array) and buf.layout == "C"
    return lambda buf: val


def _is_f32(buf):
    """True for a float32 array: a compile-time constant in jitted code."""
    return buf.dtype == np.float32


@overload(_is_f32)
def _is_f32_jit(buf):
    val = isinstance(buf, types.Array) and buf.dtype == types.float32
    return lambda buf: val


def _canon_nan(buf, v):
    """``v``, or the default NaN (positive, quiet) if ``v`` is a NaN; ``v`` as it is for
    integer ``buf`` (in jitted code the type of ``v`` is kept: a float NaN in an
    integer kernel would make its results float64)."""
    return v if v == v else buf.dtype.type(np.nan)


@overload(_canon_nan)
def _canon_nan_jit(buf, v):
    if buf.dtype == types.float32:
        return lambda buf, v: v if v == v else np.float32(np.nan)
    if buf.dtype == types.float64:
        return lambda buf, v: v if v == v else np.float64(np.nan)
    return lambda buf, v: v


def _is_float_c(buf):
    """True for a C-contiguous float32 or float64 array (not a strided view of one,
    which the one-thread fast path hands in as it is): a compile-time constant in
    jitted code."""
    return buf.dtype.kind == "f" and buf.flags.c_contiguous


@overload(_is_float_c)
def _is_float_c_jit(buf):
    val = (isinstance(buf, types.Array) and isinstance(buf.dtype, types.Float)
           and buf.layout == "C")
    return lambda buf: val


def _is_int_c(buf):
    """True for a C-contiguous integer array: a compile-time constant in jitted code."""
    return buf.dtype.kind in "iu" and buf.flags.c_contiguous


@overload(_is_int_c)
def _is_int_c_jit(buf):
    val = (isinstance(buf, types.Array) and isinstance(buf.dtype, types.Integer)
           and buf.layout == "C")
    return lambda buf: val


def _ilimit(buf, want_max, vbool):
    """The value no element of the integer ``buf`` can pass in the wanted direction:
    the dtype's limit, or 1 for the maximum of bool input read as uint8 (``vbool``)
    (kernels/reductions.pyx _ilimit); jitted code only."""
    raise NotImplementedError


@overload(_ilimit)
def _ilimit_jit(buf, want_max, vbool):
    dt = np.dtype(str(buf.dtype))
    if not isinstance(buf.dtype, types.Integer):
        # floats: a NaN, which equals nothing (float rows may type _iext_row on a
        # branch they never take)
        nan = dt.type(np.nan)
        return lambda buf, want_max, vbool: nan
    info = np.iinfo(dt)
    lo, hi, one = dt.type(info.min), dt.type(info.max), dt.type(1)

    def impl(buf, want_max, vbool):
        if want_max:
            return one if vbool else hi
        return lo
    return impl


def _stops(buf, best, want_max, vbool):
    """True where no later element of ``buf`` can replace its extreme ``best``: an
    integer at its _ilimit, or a float NaN (kernels/reductions.pyx _stops); jitted
    code only."""
    raise NotImplementedError


@overload(_stops)
def _stops_jit(buf, best, want_max, vbool):
    if isinstance(buf.dtype, types.Integer):
        return lambda buf, best, want_max, vbool: best == _ilimit(buf, want_max, vbool)
    return lambda buf, best, want_max, vbool: best != best  # the first NaN wins


@njit(**_opts)
def _iext_row(buf, p, n, want_max, vbool):
    """min (max) of the contiguous integer row buf[p:p + n], n >= 1: a plain reduction,
    which LLVM packs (integer ties are one value, so any order gives it;
    kernels/reductions.pyx pyc_iext). The lanes of _minmax_row ran at 0.3-0.8x NumPy.
    In pieces of 4 KB, stopping at the first piece that reaches _ilimit (an exit inside
    the loop would keep it scalar): NumPy's bool reductions stop at the first True
    (False); ours read every byte (0.01-0.2x NumPy on random masks)."""
    stop = _ilimit(buf, want_max, vbool)
    m = buf[p]
    step = 4096 // buf.itemsize
    i = 1
    while i < n:
        e = min(n, i + step)
        row = buf[p + i:p + e]
        if want_max:
            for j in range(e - i):
                x = row[j]
                m = x if x > m else m
        else:
            for j in range(e - i):
                x = row[j]
                m = x if x < m else m
        if m == stop:
            return m
        i = e
    return m


@njit(**_opts)
def _psum_lanes(buf, p, n, s, S):
    """Plain float64 sum of ``n`` float32 elements from ``p`` at stride ``s``.

    Lane ``j`` takes elements ``i % LANES == j`` of the full blocks; lanes fold as
    ``(S[0] + S[8]) + (S[1] + S[9]) + ...``, then the tail elements one by one:
    kernels/reductions.pyx ``pyc_psum_f32`` in the same order, so the backends
    agree bit for bit. Error <= (n + 15) eps64 sum|x|, far below NumPy's float32
    pairwise bound; one add per element instead of TwoSum's six (issue 11).
    """
    S[:] = 0.0
    nblk = n // LANES
    if s == 1:
        _plain_c(buf, p, 1, nblk, 0.0, S, S)
    else:
        _plain_s(buf, p, s, nblk, 0.0, S, S)
    r = 0.0
    for j in range(LANES // 2):
        r += S[j] + S[j + LANES // 2]
    i = nblk * LANES
    while i < n:
        r += np.float64(buf[p + i * s])
        i += 1
    return r


@njit(**_opts)
def _sum_row(buf, p, n, s):
    if _is_f32(buf):  # resolved at compile time
        return _psum_lanes(buf, p, n, s, np.empty(LANES)), 0.0
    return _sum_lanes(buf, p, n, s, np.empty(LANES), np.empty(LANES))


@njit(inline="always", **_opts)
def _eight_rows(buf, q, sr, nb):
    """Rows q, q + sr, ..., q + 7 sr of ``buf`` as slices of ``nb`` elements."""
    return (buf[q:q + nb], buf[q + sr:q + sr + nb], buf[q + 2 * sr:q + 2 * sr + nb],
            buf[q + 3 * sr:q + 3 * sr + nb], buf[q + 4 * sr:q + 4 * sr + nb],
            buf[q + 5 * sr:q + 5 * sr + nb], buf[q + 6 * sr:q + 6 * sr + nb],
            buf[q + 7 * sr:q + 7 * sr + nb])


@njit(inline="always", **_opts)
def _add8(s, rows, b):
    """s plus the b-th float32 value of each of eight rows, in row order, in float64."""
    s = (((s + np.float64(rows[0][b])) + np.float64(rows[1][b])) + np.float64(rows[2][b])
         + np.float64(rows[3][b]))
    return (((s + np.float64(rows[4][b])) + np.float64(rows[5][b])) + np.float64(rows[6][b])
            + np.float64(rows[7][b]))


@njit(inline="always", **_opts)
def _psum_rows32(S, buf, q, sr):
    """32 rows of float32 from ``q`` (row stride ``sr``) added into ``S`` in row order:
    kernels/reductions.pyx pyc_psum_rows32_f32, the bits of 32 one-row passes (a vector
    of columns reads all 32 rows: 32 streams side by side)."""
    nb = S.shape[0]
    g0 = _eight_rows(buf, q, sr, nb)
    g1 = _eight_rows(buf, q + 8 * sr, sr, nb)
    g2 = _eight_rows(buf, q + 16 * sr, sr, nb)
    g3 = _eight_rows(buf, q + 24 * sr, sr, nb)
    for b in range(nb):
        S[b] = _add8(_add8(_add8(_add8(S[b], g0, b), g1, b), g2, b), g3, b)


@njit(inline="always", **_opts)
def _psum_rows8(S, buf, q, sr):
    """8 rows of float32 from ``q`` (row stride ``sr``) added into ``S`` in row order:
    kernels/reductions.pyx pyc_psum_rows8_f32, the bits of 8 one-row passes."""
    nb = S.shape[0]
    g = _eight_rows(buf, q, sr, nb)
    for b in range(nb):
        S[b] = _add8(S[b], g, b)


@njit(**_opts)
def _rows_per_pass(sr_bytes):
    """32, or 8 where more than two of 32 rows start in one 64-byte slot of a 4 KB
    page (L1 set aliasing): kernels/reductions.pyx pyc_rows_per_pass."""
    n = np.zeros(64, np.uint8)
    for j in range(32):
        i = ((j * sr_bytes) & 4095) >> 6
        n[i] += 1
        if n[i] > 2:
            return 8
    return 32


@njit(**_opts)
def _sum_cols(buf, p, nr, sr, nb, sb, S, C, k, pf):
    # Unit column stride: the loops index slices with the loop counter, which
    # LLVM vectorizes (``buf[q + b]`` carries Numba's negative-index wraparound,
    # which keeps it scalar: 20x slower). ``pf``: the call streams from memory:
    # float32 rows prefetch the run PF_BYTES ahead, as pyc_psum_cols_f32.
    Sk = S[k:k + nb]
    Ck = C[k:k + nb]
    Sk[:] = 0.0  # (indexed S[k + b], a loop: 0.7 us for 1000 columns, the whole (1, 1000) sum)
    Ck[:] = 0.0
    if _is_f32(buf):  # plain float64 accumulation, as the rows
        r0 = 0
        if pf and sb == 1 and 4 * nb > PF_RUN:  # from memory, long runs: passes of rows
            if _rows_per_pass(sr * 4) == 32:
                while r0 + 32 <= nr:
                    _psum_rows32(Sk, buf, p + r0 * sr, sr)
                    r0 += 32
            while r0 + 8 <= nr:
                _psum_rows8(Sk, buf, p + r0 * sr, sr)
                r0 += 8
        d = (PF_BYTES + 4 * nb - 1) // (4 * nb)  # rows ahead
        for r in range(r0, nr):
            q = p + r * sr
            if pf and sb == 1 and r + d < nr:
                for b in range(0, nb, 16):
                    prefetch(buf, q + d * sr + b)
            if sb == 1:
                row = buf[q:q + nb]
                for b in range(nb):
                    Sk[b] += np.float64(row[b])
            else:
                for b in range(nb):
                    S[k + b] += np.float64(buf[q + b * sb])
        return
    # blocked TwoSum, kernels/reductions.pyx pyc_sum_cols_f64's order: rows in
    # groups of GRP added as a tree (into X), then TwoSum; the rows after the last
    # group one at a time
    X = aligned_empty(nb, S)  # (on the 64-byte grid, as the accumulators)
    r = 0
    while r < nr:
        q = p + r * sr
        full = r + GRP <= nr
        if sb == 1 and full:
            _tree8_rows(buf[q:q + nb], buf[q + sr:q + sr + nb],
                        buf[q + 2 * sr:q + 2 * sr + nb], buf[q + 3 * sr:q + 3 * sr + nb],
                        buf[q + 4 * sr:q + 4 * sr + nb], buf[q + 5 * sr:q + 5 * sr + nb],
                        buf[q + 6 * sr:q + 6 * sr + nb], buf[q + 7 * sr:q + 7 * sr + nb], X)
        elif sb == 1:
            row = buf[q:q + nb]
            for b in range(nb):
                X[b] = np.float64(row[b])
        elif full:
            for b in range(nb):
                X[b] = _tree8(buf, q + b * sb, sr)
        else:
            for b in range(nb):
                X[b] = np.float64(buf[q + b * sb])
        for b in range(nb):
            x = X[b]
            t = Sk[b] + x
            bp = t - Sk[b]
            Ck[b] += (Sk[b] - (t - bp)) + (x - bp)
            Sk[b] = t
        r += GRP if full else 1


@njit(inline="always", **_opts)
def _tree8_rows(r0, r1, r2, r3, r4, r5, r6, r7, X):
    """X[b] = the tree of the eight rows' b-th values in float64: the 8-row group of
    ``_sum_cols`` (tests/test_numba_vectorized.py checks its loop is packed). Inlined:
    no call (and reference counts of nine arrays) per group of rows. (Fused with the
    TwoSum that follows, as pyc_sum_rows8_f64, it was faster in cache and 15% slower
    out of it: kept apart.)"""
    for b in range(X.shape[0]):
        X[b] = (((np.float64(r0[b]) + np.float64(r1[b]))
                 + (np.float64(r2[b]) + np.float64(r3[b])))
                + ((np.float64(r4[b]) + np.float64(r5[b]))
                   + (np.float64(r6[b]) + np.float64(r7[b]))))


@njit(**_opts)
def _tree8(buf, q, st):
    """The group of the blocked float64 sums: buf[q], buf[q + st], ..., buf[q + 7 st]
    in float64, added as ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))."""
    return (((np.float64(buf[q]) + np.float64(buf[q + st]))
             + (np.float64(buf[q + 2 * st]) + np.float64(buf[q + 3 * st])))
            + ((np.float64(buf[q + 4 * st]) + np.float64(buf[q + 5 * st]))
               + (np.float64(buf[q + 6 * st]) + np.float64(buf[q + 7 * st]))))


@njit(**_opts)
def _sum_col_task(buf, p, nr, sr, nb, sb, out, ps, pc, k, nch, pf):
    # the accumulators on a 64-byte boundary (see kernels/reductions.pyx _per_thread)
    S = aligned_empty(nb, out)
    C = aligned_empty(nb, out)
    _sum_cols(buf, p, nr, sr, nb, sb, S, C, np.int64(0), pf)  # typed: no Literal[int](0) twin
    if nch == 1:  # k == a * B + b0: the outputs themselves
        ok = out[k:k + nb]
        for b in range(nb):
            ok[b] = _fold1(S[b], C[b])
    else:
        ps[k:k + nb] = S
        pc[k:k + nb] = C


@njit(parallel=True, **_opts)
def _sum_float(buf, off, A, R, B, sa, sr, sb, out, parts, n_threads, t0, t1):
    ntask, nch, L, nbb = _plan(A, R, B)
    t0, t1 = _clamp(ntask, t0, t1)
    if t0 >= t1:
        return ntask
    P = 0 if nch == 1 else A * nch * B
    sc = _scratch(parts, 2 * P, t0 == 0 and t1 == ntask)
    ps = sc[:P]
    pc = sc[P:2 * P]
    pf = A * R * B * buf.itemsize > PF_MIN
    for i in prange(t1 - t0):
        t = t0 + i
        a, lo, hi, b0, nb = _task(t, nch, nbb, L, R, B)
        p = off + a * sa + lo * sr + b0 * sb
        if B == 1:
            s, c = _sum_row(buf, p, hi - lo, sr)
            if nch == 1:
                out[t] = _fold1(s, c)
            else:
                ps[t] = s
                pc[t] = c
        else:
            _sum_col_task(buf, p, hi - lo, sr, nb, sb, out, ps, pc,
                          (a * nch + lo // L) * B + b0, nch, pf)
    if P > 0 and t1 == ntask:  # the last task ran: fold the chunks in order
        for a in range(A):
            _fold_sums(ps[a * nch * B:(a + 1) * nch * B], pc[a * nch * B:(a + 1) * nch * B],
                       nch, B, out[a * B:(a + 1) * B])
    return ntask


# ---------------------------------------------------------------- sum (integer)

@njit(**_opts)
def _isum_task(buf, p, n, sr, nb, sb, ps, k):
    Pk = ps[k:k + nb]  # slices (see _sum_cols)
    Pk[:] = np.uint64(0)
    if nb == 1:  # a row: wrapping adds in any order give the same sum
        acc = np.uint64(0)
        if sr == 1:  # LLVM packs this loop (lanes indexed buf[p + i + j] stayed
            row = buf[p:p + n]  # scalar: 0.3-0.7x NumPy)
            for i in range(n):
                acc += np.uint64(np.int64(row[i]))
        else:
            for i in range(n):
                acc += np.uint64(np.int64(buf[p + i * sr]))
        ps[k] = acc
        return
    for r in range(n):
        q = p + r * sr
        if sb == 1:  # packed: the row as a slice (indexed buf[q + b] it ran scalar,
            row = buf[q:q + nb]  # 0.2-0.6x NumPy's axis-0 integer sums)
            for b in range(nb):
                Pk[b] += np.uint64(np.int64(row[b]))
        else:
            for b in range(nb):
                Pk[b] += np.uint64(np.int64(buf[q + b * sb]))


@njit(parallel=True, **_opts)
def _sum_int(buf, off, A, R, B, sa, sr, sb, out, parts, n_threads, t0, t1):
    ntask, nch, L, nbb = _plan(A, R, B)
    t0, t1 = _clamp(ntask, t0, t1)
    if t0 >= t1:
        return ntask
    P = 0 if nch == 1 else A * nch * B
    # nch == 1: a task's partial is its output
    ps = out if P == 0 else _scratch(parts, P, t0 == 0 and t1 == ntask)
    for i in prange(t1 - t0):
        t = t0 + i
        a, lo, hi, b0, nb = _task(t, nch, nbb, L, R, B)
        _isum_task(buf, off + a * sa + lo * sr + b0 * sb, hi - lo, sr, nb, sb, ps,
                   (a * nch + lo // L) * B + b0)
    if P > 0 and t1 == ntask:  # the last task ran: fold the chunks (wrap-around: any order)
        for a in range(A):
            o = out[a * B:(a + 1) * B]
            for b in range(B):
                o[b] = ps[a * nch * B + b]
            for c in range(1, nch):
                q = ps[(a * nch + c) * B:(a * nch + c + 1) * B]
                for b in range(B):
                    o[b] += q[b]
    return ntask


# ---------------------------------------------------------------- min / max

@njit(**_opts)
def _lanes_zero(L, val):
    """(ambiguous, zero): the zero lanes' common value, or ambiguous if they hold both signs."""
    neg = False
    pos = False
    for j in range(L.shape[0]):
        if L[j] == 0:
            val = L[j]
            if math.copysign(1.0, np.float64(L[j])) < 0:
                neg = True
            else:
                pos = True
    return neg and pos, val


@njit(**_opts)
def _last_zero(buf, p, n, s, val):
    for i in range(n - 1, -1, -1):
        if buf[p + i * s] == 0:
            return buf[p + i * s]
    return val


def _minmax_lanes(contig):
    """Intrinsic ``f(buf, p0, bstep, estep, nblk, MN, MX)``: NaN-sticky min and max in
    MM_LANES lanes, carried as one ``<MM_LANES x T>`` vector (T the element type) in
    registers: element ``j`` of block ``k`` is ``buf[p0 + k*bstep + j*estep]``;
    lane ``j`` of MN (MX) takes it where ``x <= mn or x != x`` (``x >= mx or
    x != x``), the scalar rule of ``_minmax_row``, lane by lane (integers: ``<=``).
    MN, MX (arrays of MM_LANES T) are read at entry and written at exit. ``contig``:
    ``estep`` is 1, one vector load per block from a C-contiguous ``buf``."""
    @intrinsic
    def lanes(typingctx, buf, p0, bstep, estep, nblk, MN, MX):
        if not (isinstance(buf, types.Array) and buf.ndim == 1):
            return None
        sig = types.void(buf, types.intp, types.intp, types.intp, types.intp, MN, MX)
        dt = buf.dtype

        def codegen(context, builder, signature, args):
            bufv, pv, bv, ev, nv, mnv, mxv = args
            ary = context.make_array(buf)(context, builder, bufv)
            mna = context.make_array(MN)(context, builder, mnv)
            mxa = context.make_array(MX)(context, builder, mxv)
            elt = context.get_data_type(dt)
            vt = ir.VectorType(elt, MM_LANES)
            pmn = builder.bitcast(mna.data, vt.as_pointer())
            pmx = builder.bitcast(mxa.data, vt.as_pointer())
            kw = dict(typ=vt) if getattr(pmn.type, "is_opaque", False) else {}
            align = context.get_abi_sizeof(elt)
            acc_mn = cgutils.alloca_once(builder, vt)
            acc_mx = cgutils.alloca_once(builder, vt)
            builder.store(builder.load(pmn, align=align, **kw), acc_mn)
            builder.store(builder.load(pmx, align=align, **kw), acc_mx)
            flt = isinstance(dt, types.Float)
            if flt:  # NaNs seen, lane by lane (a NaN may leave a lane below: see there)
                bt = ir.VectorType(ir.IntType(1), MM_LANES)
                acc_nan = cgutils.alloca_once_value(builder, ir.Constant(bt, [0] * MM_LANES))
            if contig and buf.layout == "C":
                # each block prefetches the one MM_PF bytes ahead in the direction of the
                # read, as the Cython rows do
                it = pv.type
                pfe = MM_PF // align
                pfo = builder.select(builder.icmp_signed("<", bv, ir.Constant(it, 0)),
                                     ir.Constant(it, -pfe), ir.Constant(it, pfe))
            with cgutils.for_range(builder, nv) as loop:
                start = builder.add(pv, builder.mul(loop.index, bv))
                if contig and buf.layout == "C":
                    emit_prefetch(builder, builder.gep(ary.data, [builder.add(start, pfo)]))
                    ptr = builder.bitcast(builder.gep(ary.data, [start]), vt.as_pointer())
                    x = builder.load(ptr, align=align, **kw)
                else:
                    x = ir.Constant(vt, ir.Undefined)
                    for j in range(MM_LANES):
                        idx = builder.add(start, builder.mul(ir.Constant(start.type, j), ev))
                        ptr = cgutils.get_item_pointer(context, builder, buf, ary, [idx])
                        x = builder.insert_element(x, builder.load(ptr),
                                                   ir.Constant(ir.IntType(32), j))
                mn = builder.load(acc_mn)
                mx = builder.load(acc_mx)
                if flt:
                    # keep = acc < x (acc > x): x otherwise, ties to the later element as
                    # ``x <= mn``; the select is one vminps/vmaxps (acc, x) on x86, which
                    # lets a NaN x pass and the next x replace it, so NaNs are counted
                    # apart and put back into the lanes at the end (NaN-sticky result)
                    builder.store(builder.or_(builder.load(acc_nan),
                                              builder.fcmp_unordered("uno", x, x)), acc_nan)
                    take_mn = builder.not_(builder.fcmp_ordered("<", mn, x))
                    take_mx = builder.not_(builder.fcmp_ordered(">", mx, x))
                elif dt.signed:
                    take_mn = builder.icmp_signed("<=", x, mn)
                    take_mx = builder.icmp_signed(">=", x, mx)
                else:
                    take_mn = builder.icmp_unsigned("<=", x, mn)
                    take_mx = builder.icmp_unsigned(">=", x, mx)
                builder.store(builder.select(take_mn, x, mn), acc_mn)
                builder.store(builder.select(take_mx, x, mx), acc_mx)
            mn = builder.load(acc_mn)
            mx = builder.load(acc_mx)
            if flt:
                nan = builder.load(acc_nan)
                qnan = ir.Constant(vt, [float("nan")] * MM_LANES)
                mn = builder.select(nan, qnan, mn)
                mx = builder.select(nan, qnan, mx)
            builder.store(mn, pmn, align=align)
            builder.store(mx, pmx, align=align)
            return context.get_dummy_value()

        return sig, codegen
    return lanes


_minmax_c = _minmax_lanes(True)
_minmax_s = _minmax_lanes(False)


#: bytes of argmin's block extreme per step (_ext_c): 4 zmm / 8 ymm accumulators,
#: independent chains, as kernels/reductions.pyx pyc_ext's 4 vectors (on Zen 5 no
#: faster than MM_LANES' 2 chains in a same-process A/B: the block's per-call work,
#: not the chain, bounded it)
EXT_BYTES = 256


@njit(**_opts)
def _ext_w(buf):
    return EXT_BYTES // buf.itemsize


@intrinsic
def _ext_c(typingctx, buf, p0, n, want_max):
    """The minimum (``want_max``: maximum) of the ``n`` >= W contiguous floats from
    ``buf[p0]`` (W: EXT_BYTES of them), NaN if one is a NaN: argmin/argmax's block
    extreme (kernels/reductions.pyx ``pyc_ext``). One packed min or max per vector of
    W (NaNs counted apart); where W does not divide n the last vector overlaps the one
    before (min and max are idempotent: no scalar tail); the lanes folded with
    shuffles in registers."""
    if not (isinstance(buf, types.Array) and buf.ndim == 1):
        return None
    sig = buf.dtype(buf, types.intp, types.intp, types.boolean)
    if not (buf.layout == "C" and isinstance(buf.dtype, types.Float)):
        # typed for _argext_row's integer and strided specializations, where the
        # branch that calls it (_is_float_c) never runs
        return sig, lambda context, builder, signature, args: context.get_constant(
            buf.dtype, 0)

    def codegen(context, builder, signature, args):
        bufv, pv, nv, wv = args
        ary = context.make_array(buf)(context, builder, bufv)
        elt = context.get_data_type(buf.dtype)
        align = context.get_abi_sizeof(elt)
        W = EXT_BYTES // align
        vt = ir.VectorType(elt, W)

        def vload(start):
            ptr = builder.bitcast(builder.gep(ary.data, [start]), vt.as_pointer())
            kw = dict(typ=vt) if getattr(ptr.type, "is_opaque", False) else {}
            return builder.load(ptr, align=align, **kw)

        first = vload(pv)
        acc = cgutils.alloca_once_value(builder, first)
        nan = cgutils.alloca_once_value(builder, builder.fcmp_unordered("uno", first, first))
        res = cgutils.alloca_once(builder, elt)
        wm = wv if wv.type == ir.IntType(1) else builder.trunc(wv, ir.IntType(1))
        with builder.if_else(wm) as (as_max, as_min):
            for branch, op in ((as_max, ">"), (as_min, "<")):
                with branch:
                    cw = ir.Constant(nv.type, W)
                    nblk = builder.sdiv(nv, cw)
                    # vectors after the first: whole ones, and an overlapping last one
                    steps = builder.sub(builder.add(nblk, builder.zext(builder.icmp_signed(
                        "!=", builder.srem(nv, cw), ir.Constant(nv.type, 0)), nv.type)),
                        ir.Constant(nv.type, 1))
                    last = builder.add(pv, builder.sub(nv, cw))
                    with cgutils.for_range(builder, steps) as lp:
                        k = builder.add(lp.index, ir.Constant(nv.type, 1))
                        start = builder.select(builder.icmp_signed("<", k, nblk),
                                               builder.add(pv, builder.mul(k, cw)), last)
                        x = vload(start)
                        builder.store(builder.or_(builder.load(nan),
                                                  builder.fcmp_unordered("uno", x, x)), nan)
                        a = builder.load(acc)
                        # keep = acc < x (max: acc > x): one vminps/vmaxps (acc, x)
                        builder.store(builder.select(builder.fcmp_ordered(op, a, x), a, x), acc)
                    v = builder.load(acc)
                    w = W // 2
                    while w >= 1:  # halves: each step on half the lanes of the last
                        lo, hi = (builder.shuffle_vector(
                            v, v, ir.Constant(ir.VectorType(ir.IntType(32), w),
                                              list(range(h, h + w)))) for h in (0, w))
                        v = builder.select(builder.fcmp_ordered(op, lo, hi), lo, hi)
                        w //= 2
                    builder.store(builder.extract_element(v, ir.Constant(ir.IntType(32), 0)),
                                  res)
        anynan = builder.load(nan)
        bits = builder.bitcast(anynan, ir.IntType(W))
        out = builder.load(res)
        return builder.select(builder.icmp_unsigned("!=", bits, ir.Constant(bits.type, 0)),
                              ir.Constant(elt, float("nan")), out)

    return sig, codegen


@njit(**_opts)
def _ext_row(buf, p, n, want_max):
    """min (max) of the contiguous float row buf[p:p + n], n >= 1, NaN if it holds one.
    The value only: argmin/argmax then look for its position."""
    if n >= _ext_w(buf):
        return _canon_nan(buf, _ext_c(buf, p, n, want_max))
    m = buf[p]
    i = 1
    while i < n:
        v = buf[p + i]
        if m == m and (v != v or (v > m if want_max else v < m)):
            m = v
        i += 1
    return _canon_nan(buf, m)  # the default NaN, as the Cython rows (_simd.h PYC_X86_FINISH)


@njit(**_opts)
def _minmax_row(buf, p, n, s):
    # NaN is sticky: ``x != x`` picks a NaN up, and ``x <= NaN`` is false afterwards.
    # Ties go to the later element (``x <= m``), as in NumPy, whose np.min keeps the
    # last of equal elements: that decides the sign of a zero result (-0.0 == 0.0).
    # Lanes interleave, so a zero result takes the sign its zero lanes agree on, and
    # only where they disagree is the row scanned from its end (kernels/_simd.h).
    # Rows read backwards (s == -1, NumPy's logical order) run the lanes too: block
    # k holds the row's elements [k*LANES, (k+1)*LANES), loaded in memory order.
    # The lanes run as one vector (_minmax_c/_minmax_s) at every stride.
    return _minmax_row_in(buf, p, n, s, np.empty(MM_LANES, buf.dtype),
                          np.empty(MM_LANES, buf.dtype))


@njit(**_opts)
def _minmax_row_in(buf, p, n, s, MN, MX):
    """_minmax_row with its lane scratch ``MN``, ``MX`` (MM_LANES each) given: a caller
    that runs many rows (argmin's blocks) allocates them once."""
    x0 = buf[p]
    for j in range(MM_LANES):
        MN[j] = x0
        MX[j] = x0
    nblk = n // MM_LANES
    if s == 1:
        _minmax_c(buf, p, MM_LANES, 1, nblk, MN, MX)
    elif s == -1:
        _minmax_c(buf, p - (MM_LANES - 1), -MM_LANES, 1, nblk, MN, MX)
    else:
        _minmax_s(buf, p, MM_LANES * s, s, nblk, MN, MX)
    i = nblk * MM_LANES
    mn = MN[0]
    mx = MX[0]
    for j in range(1, MM_LANES):
        mn = MN[j] if (MN[j] < mn or MN[j] != MN[j]) else mn
        mx = MX[j] if (MX[j] > mx or MX[j] != MX[j]) else mx
    amb_mn = False
    amb_mx = False
    if mn == 0:
        amb_mn, mn = _lanes_zero(MN, mn)
    if mx == 0:
        amb_mx, mx = _lanes_zero(MX, mx)
    while i < n:
        x = buf[p + i * s]
        mn = x if (x <= mn or x != x) else mn
        mx = x if (x >= mx or x != x) else mx
        i += 1
    # a row holding a NaN gives the default NaN, as the Cython rows (kernels/_simd.h
    # PYC_X86_FINISH): which input NaN a lane or the tail kept depended on the path
    # (one thread: +nan, two: -nan for [1, nan, -nan, 2])
    mn = _canon_nan(buf, mn)
    mx = _canon_nan(buf, mx)
    if amb_mn and mn == 0:
        mn = _last_zero(buf, p, n, s, mn)
    if amb_mx and mx == 0:
        mx = _last_zero(buf, p, n, s, mx)
    return mn, mx


@njit(**_opts)
def _ext_cols(buf, p, nr, sr, nb, sb, want_max, E, k):
    """Column minimum (want_max: maximum) of a block into E[k:k + nb]: NaN-sticky, ties
    to the later row. Unit column stride: ``e = e < x ? e : x`` (vminps; ties and a
    NaN x go to x), NaNs only noted, and a block holding one redone by the exact rule
    (kernels/reductions.pyx pyc_ext_cols, the same elements)."""
    if nr <= 0:  # an empty trailing chunk: no partial (kernels/reductions.pyx _empty_chunks)
        return
    Ek = E[k:k + nb]
    if sb == 1:  # on slices (see _sum_cols): LLVM vectorizes it
        Ek[:] = buf[p:p + nb]
        bad = False
        for b in range(nb):
            bad |= Ek[b] != Ek[b]
        for r in range(1, nr):
            row = buf[p + r * sr:p + r * sr + nb]
            if want_max:
                for b in range(nb):
                    e = Ek[b]
                    x = row[b]
                    Ek[b] = e if e > x else x
                    bad |= x != x
            else:
                for b in range(nb):
                    e = Ek[b]
                    x = row[b]
                    Ek[b] = e if e < x else x
                    bad |= x != x
        if not bad:
            return
        Ek[:] = buf[p:p + nb]  # a NaN: the block again, by the exact rule
    else:
        for b in range(nb):
            Ek[b] = buf[p + b * sb]
    for r in range(1, nr):  # the exact rule; ties go to the later row (see _minmax_row)
        q = p + r * sr
        for b in range(nb):
            x = buf[q + b * sb]
            e = Ek[b]
            Ek[b] = x if ((x >= e if want_max else x <= e) or x != x) else e


@njit(parallel=True, **_opts)
def _minmax(buf, off, A, R, B, sa, sr, sb, want, vbool, out, parts, n_threads, t0, t1):
    """Minimum (want 0), maximum (1) or both (2: ``out`` holds A * B minima, then A * B
    maxima) along r; ``vbool``: uint8 ``buf`` holds bool input (kernels/reductions.pyx
    minmax)."""
    ntask, nch, L, nbb = _plan(A, R, B)
    t0, t1 = _clamp(ntask, t0, t1)
    if t0 >= t1:
        return ntask
    sides = 2 if want == 2 else 1
    if out.shape[0] < sides * A * B:
        raise ValueError("`out` needs room for every side asked for")
    want_max = want == 1
    maxima = want != 0  # (True as a typed bool: a literal would compile twins)
    P = 0 if nch == 1 else A * nch * B
    sc = _scratch(parts, sides * P, t0 == 0 and t1 == ntask)
    # nch == 1: a task's partials are its outputs
    pe = out[:A * B] if P == 0 else sc[:P]
    px = out[A * B:] if P == 0 else sc[P:sides * P]
    for i in prange(t1 - t0):
        t = t0 + i
        a, lo, hi, b0, nb = _task(t, nch, nbb, L, R, B)
        p = off + a * sa + lo * sr + b0 * sb
        if B == 1:
            if hi > lo:  # never empty by the row plan; as the Cython twin
                if sr == 1 and _is_int_c(buf):  # (as kernels/reductions.pyx _ext_row2)
                    pe[t] = _iext_row(buf, p, hi - lo, want_max, vbool)
                    if want == 2:
                        px[t] = _iext_row(buf, p, hi - lo, maxima, vbool)
                else:
                    mn, mx = _minmax_row(buf, p, hi - lo, sr)
                    pe[t] = mx if want_max else mn
                    if want == 2:
                        px[t] = mx
        else:
            k = (a * nch + lo // L) * B + b0
            _ext_cols(buf, p, hi - lo, sr, nb, sb, want_max, pe, k)
            if want == 2:
                _ext_cols(buf, p, hi - lo, sr, nb, sb, maxima, px, k)
    if P > 0 and t1 == ntask:  # the last task ran: fold the chunks in order
        for a in range(A):
            _fold_ext(pe[a * nch * B:(a + 1) * nch * B], nch, L, R, B, want_max,
                      out[a * B:(a + 1) * B])
            if want == 2:
                _fold_ext(px[a * nch * B:(a + 1) * nch * B], nch, L, R, B, maxima,
                          out[A * B + a * B:A * B + (a + 1) * B])
    return ntask


# ---------------------------------------------------------------- argmin / argmax

@njit(**_opts)
def _better(x, best, want_max):
    if best != best:
        return False
    if x != x:
        return True
    return x > best if want_max else x < best


@njit(inline="always", **_opts)
def _block_has(buf, i, m, want_max):
    """Whether buf[i:i + m] holds a truthy byte (``want_max``) or a zero: an or of
    packed compares (an early exit would keep the loop scalar); unsigned indices (no
    wraparound test), no slice (its reference counting cost a row ~9 ns)."""
    hit = False
    if want_max:
        for j in range(m):
            hit |= buf[np.uint64(i + j)] != 0
    else:
        for j in range(m):
            hit |= buf[np.uint64(i + j)] == 0
    return hit


@njit(inline="always", **_opts)
def _block_eq(buf, i, m, best):
    """Whether buf[i:i + m] holds ``best`` (or a NaN): an or of packed compares,
    unsigned indices, no slice (see _block_has)."""
    hit = False
    for j in range(m):
        x = buf[np.uint64(i + j)]
        hit |= (x == best) | (x != x)
    return hit


@njit(**_opts)
def _find_bool(buf, p, n, want_max):
    """(value, index) of argmax (argmin) of the contiguous bool row buf[p:p + n] read
    as uint8: its first truthy byte (zero), else index 0, as NumPy's; the value is 1 or
    0 (kernels/reductions.pyx pyc_find_nz_u8 and memchr). The first 16 bytes one by
    one (nearly every row of a random mask ends there), then blocks of 256 and 64
    bytes, then one by one. Through the general row (the block's extreme, a find of
    it, two lane allocations) a (1000, 1000) mask's row took ~85 ns, NumPy's 5-8."""
    e = p + n
    h = p + 16 if n > 16 else e
    i = p
    while i < h and (buf[np.uint64(i)] != 0) != want_max:
        i += 1
    if i == h:
        while i + 256 <= e and not _block_has(buf, i, 256, want_max):
            i += 256
        while i + 64 <= e and not _block_has(buf, i, 64, want_max):
            i += 64
        while i < e and (buf[np.uint64(i)] != 0) != want_max:
            i += 1
    if i < e:
        return _ilimit(buf, want_max, True), i - p
    return _ilimit(buf, not want_max, True), 0


@njit(**_opts)
def _argext_row(buf, p, n, s, want_max, vbool):
    # as kernels/reductions.pyx: the first SUB block whose extreme beats every earlier
    # one's holds the answer, found with one scan of that block at the end, no software
    # prefetch; integers stop at the first block whose extreme is _ilimit (``vbool``:
    # bool input read as uint8), floats at the first holding a NaN; contiguous bool
    # rows are one find (_find_bool; here also a strided 1-D view, whose logical stride
    # is 1: bytes other than 0 and 1, outside bool's contract, may answer otherwise
    # than Cython's strided rows, which compare values)
    if vbool and s == 1:
        return _find_bool(buf, p, n, want_max)
    if s != 1 or not (_is_float_c(buf) or _is_int_c(buf)):
        return _argext_row_lanes(buf, p, n, s, want_max, vbool)
    best = buf[p]
    i0 = 0
    b0 = 0
    bm = 0
    first = True
    # contiguous integer blocks of ISUB_BYTES (kernels/reductions.pyx)
    blk = ISUB_BYTES // buf.itemsize if _is_int_c(buf) else SUB
    while i0 < n:
        m = n - i0 if n - i0 < blk else blk
        if _is_int_c(buf):
            ext = _iext_row(buf, p + i0, m, want_max, vbool)
        else:
            ext = _ext_row(buf, p + i0, m, want_max)
        if first or _better(ext, best, want_max):
            best = ext
            b0 = i0
            bm = m
            first = False
            if _stops(buf, best, want_max, vbool):
                break
        i0 += m
    # the block's answer in blocks of 64 elements (integers: 256, then 64;
    # _block_eq), then the scalar scan of the 64 that hold it. best is a NaN where the
    # block holds one (it would have been chosen), so x != x matches only then
    # (kernels/reductions.pyx pyc_find). Blocks of 64 on a slice (signed indices) found
    # uint8 at 7 bytes a ns: the find of a uint8 argmax row of 1024 took ~105 ns, now
    # ~48 (int32 91 -> 72, float32 68 -> 55, float64 86 -> 80; float blocks of 256
    # ran 10-37% slower than 64).
    i = p + b0
    e = i + bm
    if _is_int_c(buf):
        while i + 256 <= e and not _block_eq(buf, i, 256, best):
            i += 256
    while i + 64 <= e and not _block_eq(buf, i, 64, best):
        i += 64
    while i < e:
        x = buf[np.uint64(i)]
        if x == best or (best != best and x != x):
            break
        i += 1
    return best, i - p


@njit(**_opts)
def _argext_row_lanes(buf, p, n, s, want_max, vbool):
    """_argext_row of a strided row (or one the packed loops do not take): the blocks'
    extremes by the min/max lanes (their scratch allocated here only: two allocations
    cost a small call ~0.1 us)."""
    best = buf[p]
    i0 = 0
    b0 = 0
    bm = 0
    first = True
    MN = np.empty(MM_LANES, buf.dtype)
    MX = np.empty(MM_LANES, buf.dtype)
    while i0 < n:
        m = n - i0 if n - i0 < SUB else SUB
        mn, mx = _minmax_row_in(buf, p + i0 * s, m, s, MN, MX)
        ext = mx if want_max else mn
        if first or _better(ext, best, want_max):
            best = ext
            b0 = i0
            bm = m
            first = False
            if _stops(buf, best, want_max, vbool):
                break
        i0 += m
    i = 0
    while i < bm:
        x = buf[p + (b0 + i) * s]
        if x == best or (best != best and x != x):
            break
        i += 1
    return best, b0 + i


@njit(**_opts)
def _argext_cols(buf, p, lo, nr, sr, nb, sb, want_max, V, I, k, kv):
    """Column block: values into V[kv:], indices into I[k:]."""
    if nr <= 0:  # an empty trailing chunk: no partial (kernels/reductions.pyx _empty_chunks)
        return
    Vk = V[kv:kv + nb]  # slices (see _sum_cols)
    Ik = I[k:k + nb]
    Ik[:] = lo
    if sb == 1:  # packed on slices: x where strictly better, NaNs only noted
        Vk[:] = buf[p:p + nb]  # (kernels/reductions.pyx pyc_argext_cols)
        bad = False
        for b in range(nb):
            bad |= Vk[b] != Vk[b]
        for r in range(1, nr):
            row = buf[p + r * sr:p + r * sr + nb]
            at = lo + r
            if want_max:
                for b in range(nb):
                    x = row[b]
                    v = Vk[b]
                    t = x > v
                    Vk[b] = x if t else v
                    Ik[b] = at if t else Ik[b]
                    bad |= x != x
            else:
                for b in range(nb):
                    x = row[b]
                    v = Vk[b]
                    t = x < v
                    Vk[b] = x if t else v
                    Ik[b] = at if t else Ik[b]
                    bad |= x != x
        if not bad:
            return
        Vk[:] = buf[p:p + nb]  # a NaN: the block again, by the exact rule
        Ik[:] = lo
    else:
        for b in range(nb):
            Vk[b] = buf[p + b * sb]
    for r in range(1, nr):
        q = p + r * sr
        for b in range(nb):
            x = buf[q + b * sb]
            if _better(x, Vk[b], want_max):
                Vk[b] = x
                Ik[b] = lo + r


@njit(**_opts)
def _argext_col_task(buf, p, lo, nr, sr, nb, sb, want_max, pv, pi, k, nch):
    if nch == 1:  # the fold needs no values: a block's own
        _argext_cols(buf, p, lo, nr, sr, nb, sb, want_max, np.empty(nb, buf.dtype), pi, k,
                     np.int64(0))  # typed: no Literal[int](0) twin
    else:
        _argext_cols(buf, p, lo, nr, sr, nb, sb, want_max, pv, pi, k, k)


@njit(parallel=True, **_opts)
def _argext(buf, off, A, R, B, sa, sr, sb, want_max, vbool, out_idx, parts_v, parts_i,
            parts_h, n_threads, t0, t1):
    ntask, nch, L, nbb = _plan(A, R, B)
    t0, t1 = _clamp(ntask, t0, t1)
    if t0 >= t1:
        return ntask
    P = 0 if nch == 1 else A * nch * B
    whole = t0 == 0 and t1 == ntask
    pv = _scratch(parts_v, P, whole)[:P]
    # nch == 1: a task's indices are its outputs
    pi = out_idx if P == 0 else _scratch(parts_i, P, whole)[:P]
    # ph[a]: a chunk of row a whose extreme _stops, or nch; later chunks skip (relaxed
    # atomics; kernels/reductions.pyx _argext_row_task), set by the slice from task 0
    ph = _scratch(parts_h, P, whole)[:P]
    if P > 0 and t0 == 0:
        ph[:A] = nch
    for i in prange(t1 - t0):
        t = t0 + i
        if B == 1:
            # _task's row arithmetic with one division (none where nch == 1): three
            # cost a task ~10 ns, half of a 1000-byte bool row's
            a = t // nch if nch > 1 else t
            c = t - a * nch
            lo = c * L
            hi = lo + L if lo + L < R else R
            p = off + a * sa + lo * sr
            # never empty by the row plan; as the Cython twin
            if hi > lo and (nch == 1 or c <= load_relaxed(ph, a)):
                if vbool and sr == 1:  # (not through _argext_row: ~5 ns a row)
                    v, j = _find_bool(buf, p, hi - lo, want_max)
                else:
                    v, j = _argext_row(buf, p, hi - lo, sr, want_max, vbool)
                if nch > 1:
                    pv[t] = v
                    if c < load_relaxed(ph, a) and _stops(buf, v, want_max, vbool):
                        store_relaxed(ph, a, c)
                pi[t] = lo + j
        else:
            a, lo, hi, b0, nb = _task(t, nch, nbb, L, R, B)
            p = off + a * sa + lo * sr + b0 * sb
            _argext_col_task(buf, p, lo, hi - lo, sr, nb, sb, want_max, pv, pi,
                             (a * nch + lo // L) * B + b0, nch)
    if P > 0 and t1 == ntask:  # the last task ran: fold the chunks in order
        for a in range(A):
            for b in range(B):
                k = a * nch * B + b
                best = pv[k]
                besti = pi[k]
                for c in range(1, nch):
                    # empty trailing chunks; past one that stops: skipped chunks
                    if c * L >= R or _stops(buf, best, want_max, vbool):
                        break
                    if _better(pv[k + c * B], best, want_max):
                        best = pv[k + c * B]
                        besti = pi[k + c * B]
                out_idx[a * B + b] = besti
    return ntask


# ---------------------------------------------------------------- variance

@njit(**_opts)
def _m2_merge(m2a, m2b, q):
    """m2a + m2b + q; a NaN from ``q`` alone (overflowed means of finite input) is inf."""
    r = m2a + m2b + q
    if r != r and m2a == m2a and m2b == m2b:
        return np.inf
    return r


@njit(**_opts)
def _chan(n, mean, m2, nb, mb, m2b):
    if n == 0.0:
        return nb, mb, m2b
    tot = n + nb
    delta = mb - mean
    return tot, mean + delta * (nb / tot), _m2_merge(m2, m2b, delta * delta * (n * nb / tot))


@njit(**_opts)
def _var_block_fix(buf, p, m, s):
    """(mean, M2) of a block whose mean is not finite or whose M2 is NaN: NaN for
    non-finite input (NumPy's var is NaN), else overflow of finite input: inf."""
    for i in range(m):
        x = np.float64(buf[p + i * s])
        if x - x != 0.0:
            return np.nan, np.nan
    return 0.0, np.inf


@njit(**_opts)
def _var_row(buf, p, n, s):
    tot = 0.0
    mean = 0.0
    m2 = 0.0
    Q = np.empty(LANES)
    E = np.empty(LANES)
    i0 = 0
    while i0 < n:
        m = n - i0 if n - i0 < SUB else SUB
        q = 0.0
        e = 0.0
        i = (m // LANES) * LANES
        if s == 1 and _is_float_c(buf):
            # contiguous float rows, as kernels/_simd.h pyc_mean / pyc_dev (so the bits
            # of Cython's): a plain pilot mean (its rounding cancels to first order in
            # the corrected sum below; TwoSum there cost Numba's var 1.6x Cython's
            # time), lanes folded in pairs, the tail after the fold
            mb = _psum_lanes(buf, p + i0, m, 1, Q) / m
            Q[:] = 0.0
            E[:] = 0.0
            _sq_dev_c(buf, p + i0, 1, m // LANES, mb, Q, E)
            for j in range(LANES // 2):
                q += Q[j] + Q[j + LANES // 2]
                e += E[j] + E[j + LANES // 2]
            while i < m:
                d = np.float64(buf[p + i0 + i]) - mb
                q += d * d
                e += d
                i += 1
        else:  # strided rows and integers: TwoSum pilot mean, the tail in lane 0
            bs, bc = _sum_lanes(buf, p + i0 * s, m, s, Q, E)
            mb = _finish(bs, bc) / m
            Q[:] = 0.0
            E[:] = 0.0
            if s == 1:
                _sq_dev_c(buf, p + i0, 1, m // LANES, mb, Q, E)
            else:
                _sq_dev_s(buf, p + i0 * s, s, m // LANES, mb, Q, E)
            while i < m:
                d = np.float64(buf[p + (i0 + i) * s]) - mb
                Q[0] += d * d
                E[0] += d
                i += 1
            for j in range(LANES):
                q += Q[j]
                e += E[j]
        bmean = mb + e / m
        bm2 = q - e * e / m
        if bmean - bmean != 0.0 or bm2 != bm2:  # rare: non-finite input or overflow
            bmean, bm2 = _var_block_fix(buf, p + i0 * s, m, s)
        tot, mean, m2 = _chan(tot, mean, m2, np.float64(m), bmean, bm2)
        i0 += m
    return mean, m2


@njit(inline="always", **_opts)
def _dev_row(row, S, D, E):
    """One row of var's column deviations: d = row[b] - S[b] in float64, D[b] += d * d,
    E[b] += d. On a slice indexed by the loop counter, LLVM vectorizes it (indexed
    buf[q + b] it stayed scalar: float32 column variances at 0.44x NumPy). Inlined:
    no call a row; tests/test_numba_vectorized.py checks its loop is packed."""
    for b in range(row.shape[0]):
        d = np.float64(row[b]) - S[b]
        D[b] += d * d
        E[b] += d


@njit(**_opts)
def _var_cols(buf, p, nr, sr, nb, sb, M, Q, k):
    # rows of accumulators on the 64-byte grid (see _sum_col_task)
    S = aligned_empty(nb, M)
    Cc = aligned_empty(nb, M)
    D = aligned_empty(nb, M)
    E = aligned_empty(nb, M)
    Mk = M[k:k + nb]  # slices: M[k + b] keeps a loop scalar (see _sum_cols)
    Qk = Q[k:k + nb]
    Mk[:] = 0.0
    Qk[:] = 0.0
    tot = 0.0
    r0 = 0
    while r0 < nr:
        m = nr - r0 if nr - r0 < COL_CHUNK else COL_CHUNK
        _sum_cols(buf, p + r0 * sr, m, sr, nb, sb, S, Cc, np.int64(0), np.bool_(False))
        for b in range(nb):
            S[b] = _finish(S[b], Cc[b]) / m
            D[b] = 0.0
            E[b] = 0.0
        for r in range(r0, r0 + m):
            q = p + r * sr
            if sb == 1:
                _dev_row(buf[q:q + nb], S, D, E)
            else:
                for b in range(nb):
                    d = np.float64(buf[q + b * sb]) - S[b]
                    D[b] += d * d
                    E[b] += d
        # block (mean, M2) per column into (S, D); then the rare fix-up (see _var_row)
        bad = False
        for b in range(nb):
            S[b] = S[b] + E[b] / m
            D[b] = D[b] - E[b] * E[b] / m
            bad = bad | (S[b] - S[b] != 0.0) | (D[b] != D[b])
        if bad:
            for b in range(nb):
                if S[b] - S[b] != 0.0 or D[b] != D[b]:
                    S[b], D[b] = _var_block_fix(buf, p + r0 * sr + b * sb, m, sr)
        for b in range(nb):
            mb = S[b]
            d = mb - Mk[b]
            if tot == 0.0:
                Mk[b] = mb
                Qk[b] = D[b]
            else:
                Mk[b] = Mk[b] + d * (m / (tot + m))
                Qk[b] = _m2_merge(Qk[b], D[b], d * d * (tot * m / (tot + m)))
        tot += m
        r0 += m


@njit(parallel=True, **_opts)
def _var(buf, off, A, R, B, sa, sr, sb, out_mean, out_m2, parts, n_threads, t0, t1):
    ntask, nch, L, nbb = _plan(A, R, B)
    t0, t1 = _clamp(ntask, t0, t1)
    if t0 >= t1:
        return ntask
    P = 0 if nch == 1 else A * nch * B
    sc = _scratch(parts, 2 * P, t0 == 0 and t1 == ntask)
    # nch == 1: a task's (mean, M2) are its outputs (Chan's merge into an empty
    # accumulator copies them)
    pm = out_mean if P == 0 else sc[:P]
    pq = out_m2 if P == 0 else sc[P:2 * P]
    for i in prange(t1 - t0):
        t = t0 + i
        a, lo, hi, b0, nb = _task(t, nch, nbb, L, R, B)
        p = off + a * sa + lo * sr + b0 * sb
        if B == 1:
            pm[t], pq[t] = _var_row(buf, p, hi - lo, sr)
        else:
            _var_cols(buf, p, hi - lo, sr, nb, sb, pm, pq, (a * nch + lo // L) * B + b0)
    if P > 0 and t1 == ntask:  # the last task ran: fold the chunks in order
        for a in range(A):
            for b in range(B):
                k = a * nch * B + b
                n = 0.0
                mean = 0.0
                m2 = 0.0
                for c in range(nch):
                    lo = c * L
                    hi = lo + L if lo + L < R else R
                    if hi > lo:
                        n, mean, m2 = _chan(n, mean, m2, np.float64(hi - lo), pm[k + c * B],
                                            pq[k + c * B])
                out_mean[a * B + b] = mean
                out_m2[a * B + b] = m2
    return ntask


# ---------------------------------------------------------------- histogram

@njit(**_opts)
def _hist_tasks(n):
    return MAX_TASKS if n > MAX_TASKS * SUB else _cdiv(n, SUB)


@njit(**_opts)
def hist_plan(n, nbins):
    """(tasks, partials) of a histogram of n values: a sliced call's ``parts`` hold one
    private histogram per task (none for a single task, which counts into ``counts``)."""
    nch = _hist_tasks(n)
    return nch, (nch * nbins if nch > 1 else 0)


@njit(**_opts)
def _zero(h, k0, nbins):
    for k in range(nbins):
        h[k0 + k] = 0


@njit(**_opts)
def _hist_chunk(buf, p, n, s, edges, first, last, denom, h, k0, zero):
    nbins = edges.shape[0] - 1
    if zero:  # a private histogram: this task's alone, whichever call runs it
        _zero(h, k0, nbins)
    tmp = np.empty(1, edges.dtype)  # casts to the edges' dtype, as NumPy does
    tmp[0] = nbins
    fn = tmp[0]
    for i in range(n):
        tmp[0] = buf[p + i * s]
        x = tmp[0]
        if not (x >= first and x <= last):
            continue
        f = ((x - first) / denom) * fn
        k = np.intp(f)
        if k == nbins:
            k -= 1
        # k >= 0 here (x >= first = edges[0]): unsigned indices spare Numba's wraparound
        # selects for negative indices on the three accesses below
        if x < edges[np.uintp(k)]:
            k -= 1
        elif k != nbins - 1 and x >= edges[np.uintp(k + 1)]:
            k += 1
        h[np.uintp(k0 + k)] += 1


@njit(parallel=True, **_opts)
def _histogram_uniform(buf, off, n, s, edges, first, last, denom, counts, parts, n_threads,
                       t0, t1):
    nbins = edges.shape[0] - 1
    nch = _hist_tasks(n)
    t0, t1 = _clamp(nch, t0, t1)
    if t0 >= t1:
        return nch
    L = _cdiv(n, nch)
    P = nch * nbins if nch > 1 else 0
    # one task: it counts into ``counts`` itself
    priv = counts if P == 0 else _scratch(parts, P, t0 == 0 and t1 == nch)
    for i in prange(t1 - t0):
        t = t0 + i
        lo = t * L
        hi = lo + L if lo + L < n else n
        _hist_chunk(buf, off + lo * s, hi - lo, s, edges, first, last, denom, priv,
                    t * nbins if P > 0 else 0, P > 0)
    if P > 0 and t1 == nch:
        for t in range(nch):
            for k in range(nbins):
                counts[k] += priv[t * nbins + k]
    return nch


@njit(**_opts)
def _hist_edges_chunk(buf, p, n, s, edges, h, k0, zero):
    nbins = edges.shape[0] - 1
    if zero:  # a private histogram (see _hist_chunk)
        _zero(h, k0, nbins)
    for i in range(n):
        x = np.float64(buf[p + i * s])
        if not (x >= edges[0] and x <= edges[nbins]):
            continue
        k = np.searchsorted(edges, x, side="right") - 1
        if k == nbins:
            k = nbins - 1
        h[k0 + k] += 1


@njit(parallel=True, **_opts)
def _histogram_edges(buf, off, n, s, edges, counts, parts, n_threads, t0, t1):
    nbins = edges.shape[0] - 1
    nch = _hist_tasks(n)
    t0, t1 = _clamp(nch, t0, t1)
    if t0 >= t1:
        return nch
    L = _cdiv(n, nch)
    P = nch * nbins if nch > 1 else 0
    priv = counts if P == 0 else _scratch(parts, P, t0 == 0 and t1 == nch)
    for i in prange(t1 - t0):
        t = t0 + i
        lo = t * L
        hi = lo + L if lo + L < n else n
        _hist_edges_chunk(buf, off + lo * s, hi - lo, s, edges, priv,
                          t * nbins if P > 0 else 0, P > 0)
    if P > 0 and t1 == nch:
        for t in range(nch):
            for k in range(nbins):
                counts[k] += priv[t * nbins + k]
    return nch


@njit(**_opts)
def _sum_flat(buf, n):
    """sum_float's (1, n, 1) tasks and fold on one thread (kernels/reductions.pyx sum_flat)."""
    ntask, nch, L, nbb = _plan(1, n, 1)
    if nch == 1:  # one task: no partials to allocate (each allocation ~50 ns)
        s, c = _sum_row(buf, 0, n, 1)
        return _fold1(s, c)
    ps = np.empty(nch)
    pc = np.empty(nch)
    out = np.empty(1)
    for t in range(ntask):
        lo = t * L
        hi = min(lo + L, n)
        s, c = _sum_row(buf, lo, hi - lo, 1)
        if nch == 1:
            out[0] = _fold1(s, c)
        else:
            ps[t] = s
            pc[t] = c
    if nch > 1:
        _fold_sums(ps, pc, nch, 1, out)
    return out[0]


def sum_flat(buf):
    """The float64 sum of 1-D ``buf``, one thread (the twin of the Cython one)."""
    return _sum_flat(readonly(buf), buf.shape[0])


@njit(**_opts)
def _argext_flat(buf, off, n, s, want_max, vbool):
    return _argext_row(buf, off, n, s, want_max, vbool)[1]


@njit(**_opts)
def _ext_flat(buf, n, want_max):
    v = _ext_row(buf, 0, n, want_max)
    if v == 0:  # the sign of the last zero: NumPy's rule (kernels/reductions.pyx ext_flat)
        i = n - 1
        while buf[i] != 0:
            i -= 1
        v = buf[i]
    return v


def ext_flat(buf, want_max):
    """min (max) of a contiguous float row, one thread (the twin of the Cython one)."""
    return _ext_flat(readonly(buf), buf.shape[0], want_max)


def argext_flat(buf, want_max, vbool):
    """Index of the first minimum (maximum) of 1-D ``buf`` (any element-aligned
    stride), one thread (``vbool``: uint8 ``buf`` holds bool input). Offset and stride
    come from Python, as int64: passed as constants from jitted code they would compile
    Literal[int] twins of the row kernels."""
    return _argext_flat(readonly(buf), 0, buf.shape[0], 1, want_max, vbool)


#: small()'s operations (kernels/reductions.pyx SMALL_SUM ... SMALL_STD)
SMALL_SUM, SMALL_MEAN, SMALL_MIN, SMALL_MAX, SMALL_ARGMIN, SMALL_ARGMAX, SMALL_VAR, \
    SMALL_STD = range(8)
SMALL_N = ROW_CHUNK  # one row task: every kernel's plan for (1, n, 1) has nch == 1
_F32, _F64, _INTP = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.intp).type
#: NumPy's intp scalars 0..SMALL_N: indexing this array boxes one in ~0.04 us, where
#: ``np.intp(i)`` takes ~0.16 (a small argmin's index; see :func:`_index`)
_IDX = np.arange(SMALL_N + 1, dtype=np.intp)


def _index(i):
    """The index ``i`` (a Python int) as NumPy's intp scalar, as np.argmin returns it."""
    return _IDX[i] if i <= SMALL_N else _INTP(i)
_F32_MAX = float(np.finfo(np.float32).max)
_F32_INF = 2.0 ** 128 - 2.0 ** 103  # float64 values from here up round to inf in float32


@njit(**_opts)
def _small_ext(buf, n, want_max):
    """min (max) of the read-only 1-D ``buf`` (n elements, logical stride 1) as the
    general path finds it: ext_flat's packed loop where contiguous, else the minmax
    kernel's row."""
    if _is_float_c(buf):
        return _ext_flat(buf, n, want_max)
    mn, mx = _minmax_row(buf, 0, n, 1)
    return mx if want_max else mn


@njit(**_opts)
def _var_value(mean, m2, n, buf):
    """m2 / n, or inf where NumPy's own variance of ``buf``'s dtype overflows
    (pycompute.reductions _fast_var / _var_overflow; kernels/reductions.pyx
    _var_value); NaN input keeps NaN."""
    if m2 != m2:
        return m2 / n
    if _is_f32(buf):
        over = abs(mean) * n >= _F32_INF or m2 >= _F32_INF
    else:
        over = math.isinf(abs(mean) * n)
    return math.inf if over else m2 / n


@njit(**_opts)
def _small_var(buf, n, want_std):
    """Variance (standard deviation) of the read-only 1-D ``buf`` as float64, with the
    overflow rule of pycompute.reductions._fast_var."""
    mean, m2 = _var_row(buf, 0, n, 1)
    res = _var_value(mean, m2, n, buf)
    if want_std:
        res = math.sqrt(res) if res >= 0 else math.nan
    return res


_ALL_TASKS = 1 << 62
# The small axis calls' constant arguments, typed: literals passed from jitted code
# (0, 1, a global) compile Literal[int] twins of the general path's kernels, one
# more compile per dtype (tests/test_numba_signatures.py counts them)
_I0, _I1, _IALL = np.int64(0), np.int64(1), np.int64(_ALL_TASKS)


@njit(**_opts)
def _axis_view(n0, n1, ax):
    """(A, R, B, sa, sr, sb, outputs) of a C-contiguous (n0, n1) array reduced along
    ``ax``: pycompute.reductions._fast_axis's view."""
    if ax == 0:
        return 1, n0, n1, 0, n1, 1, n1
    return n0, n1, 1, n1, 1, 0, n0


@njit(**_opts)
def _small_axis_sum(a, ax, mean, res):
    """Sum (mean) of the read-only C-contiguous 2-D ``a`` along ``ax`` into ``res``:
    sum_float's serial kernel, then _mean_overflow's rule, in the input's float dtype.
    (The _small_axis kernels fill an output the caller allocates: returning a new
    array cost 0.45 us of boxing a call, a quarter of NumPy's (1, 1000) sum.)"""
    buf = a.reshape(a.size)
    A, R, B, sa, sr, sb, m = _axis_view(a.shape[0], a.shape[1], ax)
    o = np.empty(m)
    _sum_float_serial(buf, _I0, A, R, B, sa, sr, sb, o, np.empty(0), _I1, _I0, _IALL)
    for i in range(m):
        v = o[i]
        if mean:
            v = o[i] / R
            if _is_f32(a) and math.isinf(np.float32(o[i])):  # NumPy's float32 sum's inf
                v = o[i]
        res[i] = v


@njit(**_opts)
def _small_axis_ext(a, ax, want_max, vbool, res):
    buf = a.reshape(a.size)
    A, R, B, sa, sr, sb, m = _axis_view(a.shape[0], a.shape[1], ax)
    _minmax_serial(buf, _I0, A, R, B, sa, sr, sb, np.int64(want_max), vbool, res,
                   np.empty(0, a.dtype), _I1, _I0, _IALL)


@njit(**_opts)
def _small_axis_arg(a, ax, want_max, vbool, res):
    buf = a.reshape(a.size)
    A, R, B, sa, sr, sb, m = _axis_view(a.shape[0], a.shape[1], ax)
    _argext_serial(buf, _I0, A, R, B, sa, sr, sb, want_max, vbool, res,
                   np.empty(0, a.dtype), np.empty(0, np.int64), np.empty(0, np.int64), _I1, _I0,
                   _IALL)


@njit(**_opts)
def _small_axis_var(a, ax, want_std, res):
    """Variance (standard deviation) along ``ax``: the var kernel's serial twin, then
    _var_overflow's rule, in the input's float dtype."""
    buf = a.reshape(a.size)
    A, R, B, sa, sr, sb, m = _axis_view(a.shape[0], a.shape[1], ax)
    mu = np.empty(m)
    q = np.empty(m)
    _var_serial(buf, _I0, A, R, B, sa, sr, sb, mu, q, np.empty(0), _I1, _I0, _IALL)
    for i in range(m):
        v = _var_value(mu[i], q[i], R, a)
        if want_std:
            v = np.sqrt(v)
        res[i] = v


def _small_axis(op, a, axis):
    """``op`` of the small C-contiguous 2-D ``a`` along int ``axis`` (the Python fast
    path's shapes; integers and bool: min/max/argmin/argmax only), or None: the twin
    of the Cython kernels' axis path."""
    if a.ndim != 2 or type(axis) is not int or not -2 <= axis <= 1:
        return None
    n0, n1 = a.shape
    ax = axis % 2
    dt = a.dtype
    if dt.kind in "iub":
        # integers and bool: min/max/argmin/argmax (any plan's answer), up to
        # SMALL_INT_N 4-byte elements, exclusive (kernels/reductions.pyx small)
        isz = dt.itemsize
        if (not SMALL_MIN <= op <= SMALL_ARGMAX or not dt.isnative
                or a.size >= SMALL_INT_N * (4 // isz if isz < 4 else 1)):
            return None
    elif dt is not _F64 and dt is not _F32 or a.size > _small_float_n(op, True):
        return None
    if n0 < (2 if ax else 1) or n1 < 2:
        return None
    if SMALL_MIN <= op <= SMALL_MAX and a.size > SMALL_N and dt.kind == "f" \
            and plan(*((n0, n1, 1) if ax else (1, n0, n1)))[1]:
        return None  # float min/max past SMALL_N: where the plan has one chunk only
    flags = a.flags
    if not (flags.c_contiguous and flags.aligned):
        return None
    vbool = dt.kind == "b"
    src = a.view(np.uint8) if vbool else a
    ch = src.dtype.char
    m = n0 if ax else n1
    if op <= SMALL_MEAN:
        res = np.empty(m, dt)
        direct(("axis_sum", ch), _small_axis_sum, src, ax, op == SMALL_MEAN, res, out=res)
    elif op <= SMALL_MAX:
        res = np.empty(m, dt)
        o = res.view(np.uint8) if vbool else res
        direct(("axis_ext", ch), _small_axis_ext, src, ax, op == SMALL_MAX, vbool, o, out=o)
    elif op <= SMALL_ARGMAX:
        res = np.empty(m, np.int64)
        direct(("axis_arg", ch), _small_axis_arg, src, ax, op == SMALL_ARGMAX, vbool, res,
               out=res)
        return res.astype(np.intp, copy=False)
    else:
        res = np.empty(m, dt)
        direct(("axis_var", ch), _small_axis_var, src, ax, op == SMALL_STD, res, out=res)
    return res


@njit(**_opts)
def _small_isum(buf, n):
    """Wrapping uint64 sum of the integer ``buf`` (the general path's _isum_task row)."""
    acc = np.uint64(0)
    for i in range(n):
        acc += np.uint64(np.int64(buf[i]))
    return acc


@njit(**_opts)
def _small_iext(buf, n, want_max, vbool):
    """min (max) of the integer ``buf``: _iext_row (logical indices: any layout)."""
    return _iext_row(buf, 0, n, want_max, vbool)


@njit(**_opts)
def _small_iarg(buf, n, want_max, vbool):
    """(extreme, index of its first occurrence) of the integer ``buf``."""
    return _argext_row(buf, 0, n, 1, want_max, vbool)


def _small_int(op, a, dt, n):
    """small() of a whole integer or bool array (1-D at an element stride, or
    C-contiguous), the twin of kernels/reductions.pyx _small_int: sum (wrapping, int64 or
    uint64 as NumPy's) up to SMALL_N elements, min/max/argmin/argmax (bool: read as
    uint8, stopping at the first True or False) up to SMALL_INT_N; past it, these from
    the first 4 KB where their extreme is the dtype's limit (then it is the answer),
    else None.
    Through the one-thread path integer calls of 10^4 elements ran at 0.4-0.7x NumPy."""
    vbool = dt.kind == "b"
    if not dt.isnative or (vbool and not SMALL_MIN <= op <= SMALL_ARGMAX) or op == SMALL_MEAN \
            or op >= SMALL_VAR:
        return None
    buf = a if a.ndim == 1 else a.reshape(-1)
    if vbool:
        buf = buf.view(np.uint8)
    probe = n > SMALL_INT_N
    if n > SMALL_N and not SMALL_MIN <= op <= SMALL_ARGMAX:
        return None
    if probe:
        n = PROBE_BYTES // dt.itemsize
        buf = buf[:n]
    ch = buf.dtype.char
    c = buf.flags.c_contiguous
    if op == SMALL_SUM:
        acc = np.uint64(direct(("isum", ch, c), _small_isum, buf, n))
        return acc if dt.kind == "u" else acc.astype(np.int64)
    want_max = op == SMALL_MAX or op == SMALL_ARGMAX
    if op <= SMALL_MAX:
        v = direct(("iext", ch, c), _small_iext, buf, n, want_max, vbool)
        res = dt.type(v)
    else:
        v, i = direct(("iarg", ch, c), _small_iarg, buf, n, want_max, vbool)
        res = _index(i)
    if probe and v != _LIMITS[dt.char][want_max]:
        return None  # the head does not hold the limit: the general path answers
    return res


#: (min, max) of each integer dtype by its character code, and of bool (its values
#: read as uint8): _ilimit's values
_LIMITS = {np.dtype(c).char: (int(np.iinfo(c).min), int(np.iinfo(c).max))
           for c in np.typecodes["AllInteger"]}
_LIMITS["?"] = (0, 1)
PROBE_BYTES = 4096  # the head of a longer integer array that small() reads
SMALL_INT_N = 1 << 19  # integer min/max/argmin/argmax small() serves whole (kernels/reductions.pyx)


def _small_float_n(op, wide):
    """The most float elements small() serves for ``op``, as the Cython kernels': SMALL_N;
    argmin/argmax SMALL_INT_N - 1 (any task plan gives the first extreme), and min/max
    where ``wide``: along an axis (where the general path's plan has one chunk:
    _small_axis) or a whole C-contiguous array (the fast path's one ext_flat pass)."""
    if op == SMALL_ARGMIN or op == SMALL_ARGMAX or (wide and SMALL_MIN <= op <= SMALL_MAX):
        return SMALL_INT_N - 1
    return SMALL_N


def small(op, a, axis=None):
    """``op`` of a small 1-D float ndarray (``axis`` None, 0 or -1), or of a 2-D one
    along an int axis (_small_axis), one thread (the twin of the Cython kernels'
    ``small``: the same coverage, the same bits, NumPy's result type), or None; whole
    integer and bool arrays: :func:`_small_int` (along an axis: _small_axis). Python
    checks the array (~0.2 us); the kernels run through their compiled entry points
    (_layer.direct: the dispatcher's typing and the read-only view cost ~0.6 us a
    call), typed read-only, one compile per dtype and layout (see _canonical_args)."""
    if type(a) is not np.ndarray:
        return None
    dt = a.dtype
    if dt.kind in "iub" and (axis is None or (a.ndim == 1 and type(axis) is int
                                              and (axis == 0 or axis == -1))):
        n = a.size
        if n == 0 or not a.flags.aligned:
            return None
        if a.ndim == 1:
            if a.strides[0] % dt.itemsize:
                return None
        elif not a.flags.c_contiguous:
            return None
        return _small_int(op, a, dt, n)
    if a.ndim != 1:
        return None if axis is None else _small_axis(op, a, axis)
    if axis is not None and (type(axis) is not int or not (axis == 0 or axis == -1)):
        return None
    if dt is not _F64 and dt is not _F32:  # a byte-swapped float dtype is neither
        return None
    n = a.shape[0]
    st = a.strides[0]
    if n == 0 or n > SMALL_N and n > _small_float_n(op, a.flags.c_contiguous):
        return None
    if st % dt.itemsize or not a.flags.aligned:
        return None
    # (the entry point for the dtype and layout: see _layer.direct; 'C' exactly where
    # the array is C-contiguous, as Numba types it)
    ch = dt.char
    if op == SMALL_ARGMIN or op == SMALL_ARGMAX:
        return _index(direct(("argext_flat", ch, a.flags.c_contiguous), _argext_flat, a,
                             0, n, 1, op == SMALL_ARGMAX, False))
    if op == SMALL_MIN or op == SMALL_MAX:
        return dt.type(direct(("small_ext", ch, a.flags.c_contiguous), _small_ext, a, n,
                              op == SMALL_MAX))
    if st < 0:
        a = a[::-1]  # sums and variances read forwards in memory (as _canonical flips)
    c = a.flags.c_contiguous
    if op >= SMALL_VAR:
        return dt.type(direct(("small_var", ch, c), _small_var, a, n, op == SMALL_STD))
    v = direct(("sum_flat", ch, c), _sum_flat, a, n)
    if op == SMALL_MEAN:
        if dt is _F32 and not abs(v) < _F32_MAX:
            return None  # float32 overflow: the caller's rule (_mean_overflow)
        v = v / n
    return dt.type(v)


def _canonical_args(args):
    """``(buf, ...)`` with ``buf`` read-only: one typing per dtype and layout (issue 13).

    Numba types a read-only array apart from a writeable one, so a kernel fed both
    compiled (and cached) every row and column helper twice per dtype. The strided
    1-D views of the one-thread fast path (``x[::2]``) stay 'A' arrays: handed in as
    the C buffer under them, with the stride folded into ``sr``, they ran 1.2-1.9x
    slower (the 'A' typing's stride-1 lane loads beat the strided ones); 'A' kernels
    compile only where such views are reduced."""
    return (readonly(args[0]),) + args[1:]


def _serial_twin(kernel):
    """``kernel`` compiled without ``parallel`` (its prange runs as range): the same
    code, so the same results, without the cost of a parallel launch and of setting
    Numba's thread count (~5-10 us a call, more than NumPy takes for 10^4 elements).
    A copy of the function under its own name, so the on-disk cache keeps the two
    compilations apart (Numba's cache index does not key on ``parallel``)."""
    import types as _pytypes

    fn = kernel.py_func
    twin = _pytypes.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial",
                                 fn.__defaults__, fn.__closure__)
    twin.__qualname__ = fn.__qualname__ + "_serial"
    twin.__doc__ = fn.__doc__
    return njit(**_opts)(twin)


def _with_threads(kernel):
    """``kernel(*args, n_threads, t0, t1)`` with the thread count applied around the
    call (``_layer.call_with_threads``; the count is third from last here)."""

    def call(*args):
        return call_with_threads(args[-3], kernel, *args)

    call.__name__ = kernel.__name__
    call.__doc__ = kernel.__doc__
    call.kernel = kernel
    return call


def _threaded(kernel):
    """``kernel(*args, n_threads, t0, t1)``: the serial twin at one thread, else the
    parallel kernel with the count applied around the call (:func:`_with_threads`);
    the input as :func:`_canonical_args` makes it (one typing per dtype)."""
    par = _with_threads(kernel)
    serial = _serial_twin(kernel)

    def call(*args):
        args = _canonical_args(args)
        if args[-3] <= 1:
            return serial(*args)
        return par(*args)

    call.__name__ = kernel.__name__
    call.__doc__ = kernel.__doc__
    call.kernel = kernel
    call.serial = serial
    return call


def _hist_entry(kernel):
    """A histogram kernel with its inputs read-only (``buf``, ``edges``: one typing per
    dtype) and the thread count applied around the call."""
    par = _with_threads(kernel)

    def call(buf, off, n, s, edges, *rest):
        return par(readonly(buf), off, n, s, readonly(edges), *rest)

    call.__name__ = kernel.__name__
    call.__doc__ = kernel.__doc__
    call.kernel = kernel
    return call


# Public kernels: the thread count (third from last argument) is applied around the call.
# ``buf`` goes in read-only (:func:`_canonical_args`); it may be a strided 1-D view
# (indices are then logical; Numba compiles an 'A'-layout specialization for it): the
# one-thread fast path passes x[::2] as is.
sum_float = _threaded(_sum_float)
sum_int = _threaded(_sum_int)
minmax = _threaded(_minmax)
argext = _threaded(_argext)
var = _threaded(_var)
# the serial twins, for the small axis calls (_small_axis_*)
_sum_float_serial, _minmax_serial = sum_float.serial, minmax.serial
_argext_serial, _var_serial = argext.serial, var.serial
histogram_uniform = _hist_entry(_histogram_uniform)
histogram_edges = _hist_entry(_histogram_edges)
