"""Numba twins of kernels/convolution.pyx: same names, same arguments, same order.

    correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads, t0, t1)
    correlate(x, out, ocode, w, offs, mode, cval, n_threads, t0, t1)
    uniform1d(x, out, ocode, size, lo, exact, mode, cval, state, steps, n_threads, t0, t1)
    separable2(x, out, ..., cval, hfirst, n_threads, t0, t1)

``x`` is C-contiguous 3-D, ``out`` the output as flat bytes with dtype code
``ocode`` (see ``OUT_CODES``), ``w``'s dtype the working precision. One
difference from the Cython kernels, made by the dispatcher: ``x`` arrives
already in the working dtype (float64, or float32 for float32 work), so each
kernel compiles for two input types only instead of ten input x ten output
types; the exact int -> float64 conversion happens before the call instead of
in the loop. Per-pixel term order and the final casts are those of the Cython
kernels (and of scipy.ndimage), so results agree bit for bit in float64 work.

Stopping: as the Cython kernels, each runs only its tasks ``t0 <= t < min(t1, T)``
and returns T (``t1 == 0``: no work); the task count is worked out here in Python
from the shape and the prange runs over ``t1 - t0`` tasks, so
``pycompute._cancel.run_tasks`` can cut a long call into native calls of about
50 ms. An output does not depend on which call computes it. The fast paths'
tasks (several blocks of rows sharing one ring copy) take at most ``TASK_WORK``
multiply-adds where a block allows it.
No ``fastmath``: multiply-adds go through ``_madd``, an explicit ``llvm.fma`` in
float32 work (as the Cython kernels' fmaf: the two backends agree bit for bit
there too; built from double arithmetic, the same bits, where the CPU lacks FMA:
``_vec._madd_ir``) and a plain multiply then add in float64 work (scipy's arithmetic).
The Cython fast paths have twins here with the same structure: ``separable2``
(two passes fused, source rows copied once per task into a ring) and
``_dense_ring`` (float32 full grids: ring-copied rows, 4 output rows x 32
columns per register block, each source row loaded once per block for every
output row that reads it). Their hot loops are intrinsics that emit the vector
code directly (``_vline``, ``_vhline``, ``_vdense4``/``_vdense1``, ``_vbox``:
64-byte vectors, zmm on AVX-512; checked in the assembly by
tests/test_numba_vectorized_convolution.py), since LLVM keeps accumulators
held in arrays in memory. As in the Cython kernel, the pass along H runs in
strips of 1 KiB (the strip's Kv source rows stay in L1 for the block's rows),
its vector loop inlined into the strip loop (``_pass``: a call per strip cost
as much as the strip), and the row pass of a float32 line takes each tap's
vector as a shuffle of two loaded ones (``_vhline``, AVX-512 targets) rather
than a cache-line-splitting load. Symmetric pairs are a plain add or subtract
(``_vec.pair_loops``), off the FMA pipes. Together (4096^2 float32, sigma 2,
one thread, Zen 5): Numba's Gaussian from 1.6x the Cython kernel's time to
1.2-1.3x. Not ported: prefetches, in-place slab passes (the dispatcher gives
Numba a temporary instead), and non-temporal stores (measured slower here:
correlate 3x3 25%). The other loops index views from 0 so LLVM vectorizes them.
The generic correlation (float64 work, and footprints the dense path does not
take) has the Cython one's structure too: four taps fused per pass over the
accumulators (``_taps4``) and, on full grids, two output rows fed by each
loaded value (``_taps4x2``, ``_correlate_pairs``); one tap a pass before, it ran
float64 correlate 9x9 at 2.6x the Cython time (4096^2, Zen 5), now 1.2-1.3x,
for ~2 s more of cold compile (groups of 2 and 3 taps run tap by tap: two loop
bodies to compile instead of four, the same sums). Likewise the 1-D correlation
adds four terms a pass (``_terms4``, the Cython ``_group1d``), and calls its border
helpers only where a chunk has border outputs (a call with array arguments cost
as much as a short loop): the float64 Gaussian (4096^2) from 1.57-1.73x the
Cython time to 1.16-1.17x, for ~3 s more of its cold compile (7 -> 10 s).

Compile time (a cold first call compiles a whole call tree; issue 11): every
prange body is one call to a plain ``@njit`` task function (``_sep_task``,
``_c1d_task``...), so the parfor passes see one call; ``parallel=prange_only()``
turns off Numba's automatic parfor conversions; input arrays go in read-only
(``_threaded``), so a read-only input does not compile a second specialization;
no literal constant is passed where a variable is elsewhere (``np.int64(0)``,
``np.bool_``), nor an unsigned prange index (``np.int64(t)``), each of which
compiles a helper twice; ``_pass`` picks the uint8 box or the float32 line by
dtype at typing time, so each specialization compiles only its own branch; and
``_store`` writes through ``_part`` instead of ``out.view``, whose checks (ten
dtypes) cost about 2 s per process.
"""
from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic, overload
from numba.np.arrayobj import populate_array

from ._boundary import boundary_index
from ._vec import (_I32, _Arr, _c1, _const, _madd_ir, _splat, _tap_plan, _vec_of,
                   aligned_empty, pair_loops, target_features)
from ._layer import call_with_threads, prange_only, readonly

CHUNK = 512
#: the dispatcher hands these kernels the input already in the working dtype
READS_WORK_DTYPE = True
#: output dtype -> code (same table as kernels/convolution.pyx)
OUT_CODES = {np.dtype(n): i for i, n in enumerate(
    ("float32", "float64", "int8", "int16", "int32", "int64",
     "uint8", "uint16", "uint32", "uint64"))}
_TWO63 = 9223372036854775808.0
_TOP = np.uint64(1 << 63)


# ---------------------------------------------------------------- explicit vectors (intrinsics)
# LLVM's vectorizers leave a loop over taps with its accumulators in registers scalar
# (or keep the accumulators in memory); these intrinsics emit the register-blocked loops
# of kernels/_fastconv.h directly: 64-byte vectors (<16 x float>, <8 x double>,
# <64 x i8>), legalized by LLVM to the host's width (2 zmm... on AVX-512, ymm on AVX2,
# xmm on SSE), each lane running the scalar arithmetic in the scalar order. float32
# multiply-adds are ``llvm.fma`` (one rounding, as the Cython kernels' fmaf), float64 ones
# a plain fmul + fadd with no fast-math flags (scipy's arithmetic, bit for bit).
# tests/test_numba_vectorized_convolution.py checks the packed instructions in the assembly.

NVEC = 4  # vectors per step of _vline (4 independent FMA chains, as pyc_line_f32)


@intrinsic
def _vline(typingctx, buf, starts, K, sym, w, n, out, o):
    """out[o + j] for j < the returned count (a multiple of NVEC vectors, at most n) =
    the 1-D correlation of K taps, tap k reading buf[starts[k] + j]: in _line_px's order
    (symmetric pairs when sym != 0), NVEC vectors of accumulators in registers."""
    if not (_c1(buf) and _c1(starts) and _c1(w) and _c1(out)):
        return None
    sig = types.intp(buf, starts, types.intp, types.intp, w, types.intp, out, types.intp)
    if not (buf.dtype in (types.float32, types.float64) and w.dtype == buf.dtype
            and out.dtype == buf.dtype):  # (a branch not taken for this dtype: no vectors)
        return sig, lambda context, builder, signature, args: _const(args[2].type, 0)

    def codegen(context, builder, signature, args):
        bv, sv, Kv, symv, wv, nv, ov, oo = args
        B, S, Wt, O = (_Arr(context, builder, t, v) for t, v in
                       ((buf, bv), (starts, sv), (w, wv), (out, ov)))
        vt, f32, it, step, nblk, c, last = _tap_plan(builder, buf.dtype, Kv, nv, NVEC)
        L = vt.count
        accs = [cgutils.alloca_once(builder, vt) for _ in range(NVEC)]

        def vld(base, j, v):
            return B.vget(builder.add(builder.add(base, j), _const(it, v * L)), vt)

        with cgutils.for_range(builder, nblk) as loop:
            j = builder.mul(loop.index, _const(it, step))
            with builder.if_else(builder.icmp_signed("!=", symv, _const(it, 0))) as (pair, plain):
                with pair:
                    sc = S.get(c)
                    wc = _splat(builder, Wt.get(c), vt)
                    for v in range(NVEC):
                        builder.store(builder.fmul(vld(sc, j, v), wc), accs[v])

                    def pairs(op):
                        with cgutils.for_range(builder, c) as lk:
                            k = lk.index
                            sa = S.get(k)
                            sb = S.get(builder.sub(last, k))
                            wk = _splat(builder, Wt.get(k), vt)
                            for v in range(NVEC):
                                t = op(vld(sa, j, v), vld(sb, j, v))
                                builder.store(_madd_ir(builder, builder.load(accs[v]), t, wk,
                                                       f32), accs[v])
                    pair_loops(builder, symv, pairs)
                with plain:
                    sl = S.get(last)
                    wl = _splat(builder, Wt.get(last), vt)
                    for v in range(NVEC):
                        builder.store(builder.fmul(vld(sl, j, v), wl), accs[v])
                    with cgutils.for_range(builder, last) as lk:
                        k = lk.index
                        sk = S.get(k)
                        wk = _splat(builder, Wt.get(k), vt)
                        for v in range(NVEC):
                            builder.store(_madd_ir(builder, builder.load(accs[v]),
                                                   vld(sk, j, v), wk, f32), accs[v])
            for v in range(NVEC):
                O.vput(builder.add(builder.add(oo, j), _const(it, v * L)),
                       builder.load(accs[v]))
        return builder.mul(nblk, _const(it, step))

    return sig, codegen


def _dense_intrinsic(R, V):
    """Intrinsic ``f(src, roff, r0, kh, kw, w, n, out, obase, ostride)``: R output rows x
    V vectors of columns per step (R * V FMA chains in registers), row r, column j =
    sum over taps (p, q) in C order of fma(src[roff[r0 + r + p] + j + q], w[p * kw + q])
    from 0, stored at out[obase + r * ostride + j]; returns the columns done (a multiple
    of V vectors, at most n). float32 only (the dense fast path)."""

    @intrinsic
    def dense(typingctx, src, roff, r0, kh, kw, w, n, out, obase, ostride):
        if not (_c1(src) and _c1(roff) and _c1(w) and _c1(out) and src.dtype == types.float32
                and w.dtype == types.float32 and out.dtype == types.float32):
            return None
        ip = types.intp
        sig = ip(src, roff, ip, ip, ip, w, ip, out, ip, ip)

        def codegen(context, builder, signature, args):
            sv, rv, r0v, khv, kwv, wv, nv, ov, ob, ost = args
            S, RO, Wt, O = (_Arr(context, builder, t, v) for t, v in
                            ((src, sv), (roff, rv), (w, wv), (out, ov)))
            mv = r0v
            elt, L = _vec_of(types.float32)
            vt = ir.VectorType(elt, L)
            it = mv.type
            step = V * L
            nblk = builder.sdiv(nv, _const(it, step))
            accs = [[cgutils.alloca_once(builder, vt) for _ in range(V)] for _ in range(R)]
            zero = ir.Constant(vt, [0.0] * L)
            with cgutils.for_range(builder, nblk) as loop:
                j = builder.mul(loop.index, _const(it, step))
                for row in accs:
                    for a in row:
                        builder.store(zero, a)
                # each source row s once per step, feeding every output row r that reads it
                # (kernel row p = s - r): per pixel still p ascending, then q, C order
                with cgutils.for_range(builder, builder.add(khv, _const(it, R - 1))) as ls:
                    sv_ = ls.index
                    base = builder.add(RO.get(builder.add(r0v, sv_)), j)
                    with cgutils.for_range(builder, kwv) as lq:
                        q = lq.index
                        xs = [S.vget(builder.add(builder.add(base, q), _const(it, v * L)), vt)
                              for v in range(V)]
                        for r in range(R):
                            p = builder.sub(sv_, _const(it, r))
                            ok = builder.and_(builder.icmp_signed(">=", p, _const(it, 0)),
                                              builder.icmp_signed("<", p, khv))
                            with builder.if_then(ok, likely=True):
                                wq = _splat(builder, Wt.get(builder.add(builder.mul(p, kwv), q)),
                                            vt)
                                for v in range(V):
                                    a = accs[r][v]
                                    builder.store(_madd_ir(builder, builder.load(a), xs[v], wq,
                                                           True), a)
                for r in range(R):
                    orow = builder.add(builder.add(ob, builder.mul(_const(it, r), ost)), j)
                    for v in range(V):
                        O.vput(builder.add(orow, _const(it, v * L)), builder.load(accs[r][v]))
            return builder.mul(nblk, _const(it, step))

        return sig, codegen

    return dense


_vdense4 = _dense_intrinsic(4, 2)  # 4 rows x 32 columns: 8 chains, as pyc_dense4_f32
_vdense1 = _dense_intrinsic(1, 4)  # the last rows: 64 columns, 4 chains (pyc_dense1_f32)

BOX_LANES = 64


@intrinsic
def _vbox(typingctx, buf, starts, K, mul, sh, n, out, o):
    """out[o + j] = (S * mul) >> sh, S = sum over k < K of buf[starts[k] + j], for j below
    the returned count (a multiple of BOX_LANES, at most n): uint8 in, window sums in
    uint16 lanes (K <= 257), the product in uint32 (S * mul < 2**32, checked by the
    caller), as pyc_box_u8."""
    if not (_c1(buf) and _c1(starts) and _c1(out)):
        return None
    ip = types.intp
    sig = ip(buf, starts, ip, ip, ip, ip, out, ip)
    if not (buf.dtype == types.uint8 and out.dtype == types.uint8):
        return sig, lambda context, builder, signature, args: _const(args[2].type, 0)

    def codegen(context, builder, signature, args):
        bv, sv, Kv, mv, shv, nv, ov, oo = args
        B, S, O = (_Arr(context, builder, t, v) for t, v in ((buf, bv), (starts, sv), (out, ov)))
        it = Kv.type
        L = BOX_LANES
        v8 = ir.VectorType(ir.IntType(8), L)
        v16 = ir.VectorType(ir.IntType(16), L)
        v32 = ir.VectorType(ir.IntType(32), L)
        mvec = _splat(builder, builder.trunc(mv, _I32), v32)
        svec = _splat(builder, builder.trunc(shv, _I32), v32)
        nblk = builder.sdiv(nv, _const(it, L))
        acc = cgutils.alloca_once(builder, v16)
        with cgutils.for_range(builder, nblk) as loop:
            j = builder.mul(loop.index, _const(it, L))
            builder.store(builder.zext(B.vget(builder.add(S.get(_const(it, 0)), j), v8), v16),
                          acc)
            with cgutils.for_range(builder, builder.sub(Kv, _const(it, 1))) as lk:
                sk = S.get(builder.add(lk.index, _const(it, 1)))
                x = builder.zext(B.vget(builder.add(sk, j), v8), v16)
                builder.store(builder.add(builder.load(acc), x), acc)
            q = builder.lshr(builder.mul(builder.zext(builder.load(acc), v32), mvec), svec)
            O.vput(builder.add(oo, j), builder.trunc(q, v8))
        return builder.mul(nblk, _const(it, L))

    return sig, codegen


@intrinsic
def _madd(typingctx, acc, a, b):
    """acc + a * b in the type of ``acc``: fma for float32 (the Cython kernels' fmaf),
    plain multiply then add for float64 (scipy's arithmetic)."""
    if not (isinstance(acc, types.Float) and acc in (types.float32, types.float64)):
        return None
    sig = acc(acc, acc, acc)

    def codegen(context, builder, signature, args):
        return _madd_ir(builder, args[0], args[1], args[2], acc == types.float32)

    return sig, codegen


@intrinsic
def _part(typingctx, out, off, n, dt):
    """Elements off .. off + n of the bytes ``out`` viewed as ``dt`` (a C array sharing
    out's memory): ``out.view(dt)[off:off + n]`` without view's checks, whose error paths
    (one per dtype, ten dtypes) cost about 2 s of compile per process."""
    if not (_c1(out) and out.dtype == types.uint8 and isinstance(dt, types.NumberClass)):
        return None
    T = dt.instance_type
    rt = types.Array(T, 1, "C")
    sig = rt(out, types.intp, types.intp, dt)

    def codegen(context, builder, signature, args):
        src = context.make_array(out)(context, builder, args[0])
        res = context.make_array(rt)(context, builder)
        lt = context.get_data_type(T)
        isz = _const(args[1].type, context.get_abi_sizeof(lt))
        data = builder.gep(builder.bitcast(src.data, lt.as_pointer()), [args[1]])
        populate_array(res, data=data, shape=[args[2]], strides=[isz], itemsize=isz,
                       meminfo=src.meminfo)
        return impl_ret_borrowed(context, builder, rt, res._getvalue())

    return sig, codegen


@njit(nogil=True, cache=True)
def _store(acc, n, out, off, code):
    """Bytes of ``out`` from element ``off``: acc[:n] cast as scipy's C casts do (x86-64).

    Loops index views from 0 (non-negative indices: no wrap-around branch, so
    LLVM vectorizes them); the same holds for every hot loop below."""
    if code == 0:
        o = _part(out, off, n, np.float32)
        for i in range(n):
            o[i] = np.float32(acc[i])
    elif code == 1:
        o = _part(out, off, n, np.float64)
        for i in range(n):
            o[i] = np.float64(acc[i])
    elif code == 2:
        o = _part(out, off, n, np.int8)
        for i in range(n):
            o[i] = np.int8(np.int32(acc[i]))
    elif code == 3:
        o = _part(out, off, n, np.int16)
        for i in range(n):
            o[i] = np.int16(np.int32(acc[i]))
    elif code == 4:
        o = _part(out, off, n, np.int32)
        for i in range(n):
            o[i] = np.int32(acc[i])
    elif code == 5:
        o = _part(out, off, n, np.int64)
        for i in range(n):
            o[i] = np.int64(acc[i])
    elif code == 6:
        o = _part(out, off, n, np.uint8)
        for i in range(n):
            o[i] = np.uint8(np.int32(acc[i]))
    elif code == 7:
        o = _part(out, off, n, np.uint16)
        for i in range(n):
            o[i] = np.uint16(np.int32(acc[i]))
    elif code == 8:
        o = _part(out, off, n, np.uint32)
        for i in range(n):
            o[i] = np.uint32(np.int64(acc[i]))
    else:
        o = _part(out, off, n, np.uint64)
        for i in range(n):
            v = np.float64(acc[i])
            if not (v >= _TWO63):
                o[i] = np.uint64(np.int64(v))
            else:
                o[i] = np.uint64(np.int64(v - _TWO63)) ^ _TOP


@njit(nogil=True, cache=True)
def _src(x, r, p, cv):
    """``x[p]`` if its source row ``r`` exists (``r >= 0``), else ``cv``: the value (and
    the type: the two unified) of the padded input at a border."""
    if r < 0:
        return cv
    return x[p]


@njit(nogil=True, cache=True)
def _row_seg(m0, j, j1, B):
    """Output m0 + j is (row, lane) of the slab; and the end (<= j1) of that row's run."""
    i = (m0 + j) // B
    lane = m0 + j - i * B
    return i, lane, min(j1, j + B - lane)


@njit(nogil=True, cache=True)
def _edge1(acc, x, base, m0, j0, j1, sh, wk, init, N, B, mode, cv):
    """``acc[j] (+)= v * wk`` for ``j0 <= j < j1`` where ``v`` is the padded input ``sh``
    rows from output ``m0 + j``: _term1's outputs whose tap leaves the (N, B) slab. The
    source row is found once per output row, not per output (a border row ran ~35x slower
    than an inner one when each output divided by B and ran boundary_index)."""
    j = j0
    while j < j1:
        i, lane, e = _row_seg(m0, j, j1, B)
        r = boundary_index(i + sh, N, mode)
        p = base + r * B + lane
        a = acc[j:e]
        if init:
            for q in range(e - j):
                a[q] = _src(x, r, p + q, cv) * wk
        else:
            for q in range(e - j):
                a[q] = _madd(a[q], _src(x, r, p + q, cv), wk)
        j = e


@njit(nogil=True, cache=True)
def _edge2(acc, x, base, m0, j0, j1, sa, sb, wk, sym, N, B, mode, cv):
    """``acc[j] += (va ± vb) * wk`` for ``j0 <= j < j1``, the padded inputs ``sa`` and
    ``sb`` rows from output ``m0 + j``: _term2's border outputs, as :func:`_edge1`."""
    j = j0
    while j < j1:
        i, lane, e = _row_seg(m0, j, j1, B)
        ra = boundary_index(i + sa, N, mode)
        rb = boundary_index(i + sb, N, mode)
        pa = base + ra * B + lane
        pb = base + rb * B + lane
        a = acc[j:e]
        for q in range(e - j):
            va = _src(x, ra, pa + q, cv)
            vb = _src(x, rb, pb + q, cv)
            a[q] = _madd(a[q], (va + vb) if sym > 0 else (va - vb), wk)
        j = e


@njit(nogil=True, cache=True)
def _clip(v, n):
    return 0 if v < 0 else (n if v > n else v)


@njit(nogil=True, cache=True)
def _term1(acc, x, base, m0, n, sh, wk, init, N, B, mode, cv):
    M = N * B
    s = sh * B
    jlo = _clip(-s - m0, n)
    jhi = max(_clip(M - s - m0, n), jlo)
    p = base + m0 + s
    xs = x[p + jlo:p + jhi]
    ac = acc[jlo:jhi]
    if jlo > 0:   # (a call with array arguments costs as much as a short loop)
        _edge1(acc, x, base, m0, 0, jlo, sh, wk, init, N, B, mode, cv)
    if init:
        for j in range(jhi - jlo):
            ac[j] = xs[j] * wk
    else:
        for j in range(jhi - jlo):
            ac[j] = _madd(ac[j], xs[j], wk)
    if jhi < n:
        _edge1(acc, x, base, m0, jhi, n, sh, wk, init, N, B, mode, cv)


@njit(nogil=True, cache=True)
def _term2(acc, x, base, m0, n, sa, sb, wk, sym, N, B, mode, cv):
    M = N * B
    ta = sa * B
    tb = sb * B
    jlo = max(_clip(-ta - m0, n), _clip(-tb - m0, n))
    jhi = max(min(_clip(M - ta - m0, n), _clip(M - tb - m0, n)), jlo)
    pa = base + m0 + ta
    pb = base + m0 + tb
    xa = x[pa + jlo:pa + jhi]
    xb = x[pb + jlo:pb + jhi]
    ac = acc[jlo:jhi]
    if jlo > 0:
        _edge2(acc, x, base, m0, 0, jlo, sa, sb, wk, sym, N, B, mode, cv)
    if sym > 0:
        for j in range(jhi - jlo):
            ac[j] = _madd(ac[j], xa[j] + xb[j], wk)
    else:
        for j in range(jhi - jlo):
            ac[j] = _madd(ac[j], xa[j] - xb[j], wk)
    if jhi < n:
        _edge2(acc, x, base, m0, jhi, n, sa, sb, wk, sym, N, B, mode, cv)


@njit(nogil=True, cache=True)
def _terms4(acc, x, base, m0, n, s, w, k, sym, N, B, mode, cv):
    """Terms k .. k + 3 in one pass over ``acc`` (kernels/convolution.pyx's _group1d):
    term q is x[row + s[q]] * w[k + q] (sym == 0) or (x[row + s[q]] +/- x[row + s[4 + q]])
    * w[k + q]; every output adds them in order. The border outputs take them term by
    term (_edge1 / _edge2): per output still in order."""
    M = N * B   # (init below: a runtime False, not a literal: one _edge1 specialization)
    jlo = 0
    jhi = n
    for q in range(8 if sym != 0 else 4):
        jlo = max(jlo, _clip(-s[q] * B - m0, n))
        jhi = min(jhi, _clip(M - s[q] * B - m0, n))
    jhi = max(jhi, jlo)
    for q in range(4 if jlo > 0 or jhi < n else 0):
        for part in range(2):
            j0 = 0 if part == 0 else jhi
            j1 = jlo if part == 0 else n
            if j1 <= j0:   # (no call: one with array arguments costs a short loop's time)
                continue
            if sym == 0:
                _edge1(acc, x, base, m0, j0, j1, s[q], w[k + q], n < 0, N, B, mode, cv)
            else:
                _edge2(acc, x, base, m0, j0, j1, s[q], s[4 + q], w[k + q], sym, N, B, mode,
                       cv)
    m = jhi - jlo
    ac = acc[jlo:jhi]
    p = base + m0 + jlo
    a0 = x[p + s[0] * B:p + s[0] * B + m]
    a1 = x[p + s[1] * B:p + s[1] * B + m]
    a2 = x[p + s[2] * B:p + s[2] * B + m]
    a3 = x[p + s[3] * B:p + s[3] * B + m]
    w0 = w[k]
    w1 = w[k + 1]
    w2 = w[k + 2]
    w3 = w[k + 3]
    if sym == 0:
        for j in range(m):
            ac[j] = _madd(_madd(_madd(_madd(ac[j], a0[j], w0), a1[j], w1), a2[j], w2),
                          a3[j], w3)
        return
    b0 = x[p + s[4] * B:p + s[4] * B + m]
    b1 = x[p + s[5] * B:p + s[5] * B + m]
    b2 = x[p + s[6] * B:p + s[6] * B + m]
    b3 = x[p + s[7] * B:p + s[7] * B + m]
    sg = acc.dtype.type(sym)   # a + (-1) * b is exactly a - b (no contraction)
    for j in range(m):
        ac[j] = _madd(_madd(_madd(_madd(ac[j], a0[j] + sg * b0[j], w0), a1[j] + sg * b1[j], w1),
                            a2[j] + sg * b2[j], w2), a3[j] + sg * b3[j], w3)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _correlate1d(x, out, ocode, w, lo, sym, mode, cval, div, t0, t1):
    """1-D correlation along axis 1 of ``x`` (A, N, B), tasks t0 .. t1 of CHUNK outputs;
    ``div`` != 1 divides the sums."""
    A, N, B = x.shape
    nch = (N * B + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    dv = w.dtype.type(div)
    for i in prange(t1 - t0):
        _c1d_task(xf, out, ocode, w, lo, sym, mode, cv, div, dv, np.int64(t0 + i), nch, N, B)


@njit(nogil=True, cache=True)
def _c1d_task(xf, out, ocode, w, lo, sym, mode, cv, div, dv, t, nch, N, B):
    """Task t of _correlate1d (prange bodies are plain functions: the parfor passes then
    see one call, which cuts their compile time)."""
    K = w.shape[0]
    M = N * B
    c = K // 2
    a = t // nch
    m0 = (t - a * nch) * CHUNK
    n = min(M - m0, CHUNK)
    base = a * M
    acc = np.empty(CHUNK, w.dtype)
    s = np.empty(8, np.int64)
    first = np.bool_(True)  # (not a literal True / False: one _term1 specialization)
    # the terms in NI_Correlate1D's order, four a pass over acc (_terms4), the last
    # ones alone (the Cython kernel also fuses twos and threes: the same sums)
    k = 0
    if sym != 0:
        _term1(acc, xf, base, m0, n, c - lo, w[c], first, N, B, mode, cv)
        while k + 4 <= c:
            for q in range(4):
                s[q] = k + q - lo
                s[4 + q] = 2 * c - (k + q) - lo
            _terms4(acc, xf, base, m0, n, s, w, k, sym, N, B, mode, cv)
            k += 4
        for k in range(k, c):
            _term2(acc, xf, base, m0, n, k - lo, 2 * c - k - lo, w[k], sym, N, B, mode, cv)
    else:
        _term1(acc, xf, base, m0, n, K - 1 - lo, w[K - 1], first, N, B, mode, cv)
        while k + 4 <= K - 1:
            for q in range(4):
                s[q] = k + q - lo
            _terms4(acc, xf, base, m0, n, s, w, k, np.int64(0), N, B, mode, cv)
            k += 4
        for k in range(k, K - 1):
            _term1(acc, xf, base, m0, n, k - lo, w[k], not first, N, B, mode, cv)
    if div != 1:
        for j in range(n):
            acc[j] = acc[j] / dv
    _store(acc, n, out, base + m0, ocode)


@njit(nogil=True, cache=True)
def _long_piece(xf, base, i0, n, tab, w, K, sym, cv, dv, div, out, ocode):
    """Outputs i0 .. i0 + n (n <= CHUNK) of one contiguous line of a kernel longer than
    the line (kernels/convolution.pyx _long_task): the n + K - 1 values they read padded
    through ``tab``, then _line, the helper of the fused passes (the per-pixel term
    order of _correlate1d)."""
    line = np.empty(n + K - 1, w.dtype)
    for t in range(n + K - 1):
        r = tab[i0 + t]
        line[t] = cv if r < 0 else xf[base + r]
    starts = np.empty(K, np.int64)
    for k in range(K):
        starts[k] = k
    acc = np.empty(CHUNK, w.dtype)
    _line(line, starts, K, sym, w, acc, np.int64(0), n)
    if div != 1:
        for j in range(n):
            acc[j] = acc[j] / dv
    _store(acc, n, out, base + i0, ocode)


@njit(nogil=True, cache=True)
def _long_row(xf, base, B, i, b0, nb, tab, w, K, sym, cv, dv, div, acc, out, ocode):
    """Output row i, lanes b0 .. b0+nb of the (N, B) slab at ``base`` (B > 1), source rows
    by ``tab`` (-1: cv), the terms of _correlate1d in its order."""
    c = K // 2
    first = tab[i + c] if sym != 0 else tab[i + K - 1]
    wk = w[c] if sym != 0 else w[K - 1]
    if first < 0:
        for b in range(nb):
            acc[b] = cv * wk
    else:
        src = xf[base + first * B + b0:base + first * B + b0 + nb]
        for b in range(nb):
            acc[b] = src[b] * wk
    if sym != 0:
        for k in range(c):
            ra = tab[i + k]
            rb = tab[i + 2 * c - k]
            wk = w[k]
            sa = xf[base + max(ra, 0) * B + b0:base + max(ra, 0) * B + b0 + nb]
            sb = xf[base + max(rb, 0) * B + b0:base + max(rb, 0) * B + b0 + nb]
            if ra >= 0 and rb >= 0:  # (branches outside the lane loops: they vectorize)
                if sym > 0:
                    for b in range(nb):
                        acc[b] = _madd(acc[b], sa[b] + sb[b], wk)
                else:
                    for b in range(nb):
                        acc[b] = _madd(acc[b], sa[b] - sb[b], wk)
            elif ra >= 0:
                for b in range(nb):
                    acc[b] = _madd(acc[b], (sa[b] + cv) if sym > 0 else (sa[b] - cv), wk)
            elif rb >= 0:
                for b in range(nb):
                    acc[b] = _madd(acc[b], (cv + sb[b]) if sym > 0 else (cv - sb[b]), wk)
            else:
                tc = (cv + cv) if sym > 0 else (cv - cv)
                for b in range(nb):
                    acc[b] = _madd(acc[b], tc, wk)
    else:
        for k in range(K - 1):
            ra = tab[i + k]
            wk = w[k]
            if ra < 0:
                for b in range(nb):
                    acc[b] = _madd(acc[b], cv, wk)
            else:
                src = xf[base + ra * B + b0:base + ra * B + b0 + nb]
                for b in range(nb):
                    acc[b] = _madd(acc[b], src[b], wk)
    if div != 1:
        for b in range(nb):
            acc[b] = acc[b] / dv
    _store(acc, nb, out, base + i * B + b0, ocode)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _correlate1d_long(x, out, ocode, w, lo, sym, mode, cval, div, t0, t1):
    """_correlate1d for a kernel longer than the axis (K > N): the border resolved once
    per call into a table of N + K - 1 source rows (O(N + K), below one task's work),
    as the Cython kernel's long path; tasks t0 .. t1 of CHUNK outputs of a line
    (B == 1, each padding the values it reads) or of (slab, row, CHUNK lanes).
    ``out`` is never ``x`` here (no in-place passes)."""
    A, N, B = x.shape
    K = w.shape[0]
    M = N * B
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    dv = w.dtype.type(div)
    tab = np.empty(N + K - 1, np.int64)
    for t in range(N + K - 1):
        tab[t] = boundary_index(t - lo, N, mode)
    if B == 1:
        nc = (N + CHUNK - 1) // CHUNK
        for i in prange(t1 - t0):
            t = t0 + i
            a = t // nc
            i0 = (t - a * nc) * CHUNK
            _long_piece(xf, a * N, i0, min(N - i0, CHUNK), tab, w, K, sym, cv, dv, div, out,
                        ocode)
        return
    nch = (B + CHUNK - 1) // CHUNK
    for ii in prange(t1 - t0):
        t = t0 + ii
        a = t // (N * nch)
        r = t - a * N * nch
        i = r // nch
        b0 = (r - i * nch) * CHUNK
        acc = np.empty(CHUNK, w.dtype)
        _long_row(xf, a * M, B, i, b0, min(B - b0, CHUNK), tab, w, K, sym, cv, dv, div, acc,
                  out, ocode)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _correlate(x, out, ocode, w, offs, mode, cval, t0, t1):
    """Dense correlation of ``x`` (D, H, W) over taps ``offs`` (dz, dy, dx) / ``w``, tasks
    t0 .. t1 (CHUNK outputs of one row each)."""
    D, H, W = x.shape
    nch = (W + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    for i in prange(t1 - t0):
        _corr_task(xf, out, ocode, w, offs, mode, cv, np.int64(t0 + i), nch, D, H, W)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _correlate_pairs(x, out, ocode, w, offs, kw, mode, cval, t0, t1):
    """_correlate for taps forming a full kh x kw grid (one dz, consecutive dy, the same dx
    in every row), tasks t0 .. t1: CHUNK outputs of a pair of rows each."""
    D, H, W = x.shape
    nch = (W + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    for i in prange(t1 - t0):
        _corr_pair_task(xf, out, ocode, w, offs, kw, mode, cv, np.int64(t0 + i), nch, D, H,
                        W)


@njit(nogil=True, cache=True)
def _inner(offs, k, g, x0, n, W):
    """(jlo, jhi): outputs x0 + jlo .. x0 + jhi of a chunk of n whose taps k .. k + g - 1
    (dx = offs[., 2]) all read inside the row of W."""
    jlo = 0
    jhi = n
    for q in range(g):
        dx = offs[k + q, 2]
        jlo = max(jlo, _clip(-dx - x0, n))
        jhi = min(jhi, _clip(W - dx - x0, n))
    return jlo, max(jhi, jlo)


@njit(nogil=True, cache=True)
def _fetch(xf, base, c, W, mode, cv):
    """Column c of the row at xf[base:] (W values), border-extended by ``mode``."""
    xx = boundary_index(c, W, mode)
    return cv if xx < 0 else xf[base + xx]


@njit(nogil=True, cache=True)
def _taps4(acc, xf, sb, x0, n, W, w, offs, k, g, mode, cv):
    """Taps k .. k + g - 1 (g = 1 or 4, C order), tap q reading the source row at
    xf[sb[q]:], fused: one pass over ``acc`` for four taps (one load and one store of acc
    instead of four), every output still adding its terms in tap order
    (kernels/convolution.pyx's _taps4, which also fuses 2 and 3: here a group of fewer
    than 4 runs tap by tap, the same sums, two loop bodies to compile instead of four)."""
    jlo, jhi = _inner(offs, k, g, x0, n, W)
    for part in range(2):   # border outputs (j < jlo, j >= jhi): the group's taps in order
        for j in range(0 if part == 0 else jhi, jlo if part == 0 else n):
            t = acc[j]
            for q in range(g):
                t = _madd(t, _fetch(xf, sb[q], x0 + j + offs[k + q, 2], W, mode, cv), w[k + q])
            acc[j] = t
    m = jhi - jlo
    a = acc[jlo:jhi]
    p0 = sb[0] + x0 + offs[k, 2] + jlo
    s0 = xf[p0:p0 + m]
    w0 = w[k]
    if g == 1:
        for j in range(m):
            a[j] = _madd(a[j], s0[j], w0)
        return
    p1 = sb[1] + x0 + offs[k + 1, 2] + jlo
    p2 = sb[2] + x0 + offs[k + 2, 2] + jlo
    p3 = sb[3] + x0 + offs[k + 3, 2] + jlo
    s1 = xf[p1:p1 + m]
    s2 = xf[p2:p2 + m]
    s3 = xf[p3:p3 + m]
    w1 = w[k + 1]
    w2 = w[k + 2]
    w3 = w[k + 3]
    for j in range(m):
        a[j] = _madd(_madd(_madd(_madd(a[j], s0[j], w0), s1[j], w1), s2[j], w2), s3[j], w3)


@njit(nogil=True, cache=True)
def _corr_row(xf, out, ocode, w, offs, mode, cv, row, x0, n, D, H, W, acc, sb):
    """Outputs x0 .. x0 + n of output row ``row`` (= z * H + y): the taps in C order,
    runs of taps whose source rows exist fused four at a time (_taps4;
    kernels/convolution.pyx's _corr_task)."""
    ntap = w.shape[0]
    z = row // H
    y = row - z * H
    acc[:n] = 0
    k = 0
    while k < ntap:
        g = 0
        while g < 4 and k + g < ntap:
            zz = boundary_index(z + offs[k + g, 0], D, mode)
            yy = boundary_index(y + offs[k + g, 1], H, mode)
            if zz < 0 or yy < 0:
                break
            sb[g] = (zz * H + yy) * W
            g += 1
        g = 4 if g == 4 else min(g, 1)
        if g == 0:  # constant-mode tap outside the rows: cval for the whole chunk
            wk = w[k]
            for j in range(n):
                acc[j] = _madd(acc[j], cv, wk)
            k += 1
            continue
        _taps4(acc, xf, sb, x0, n, W, w, offs, k, g, mode, cv)
        k += g
    _store(acc, n, out, row * W + x0, ocode)


@njit(nogil=True, cache=True)
def _corr_task(xf, out, ocode, w, offs, mode, cv, t, nch, D, H, W):
    """Task t of _correlate (the prange body as a plain function): CHUNK outputs of a row."""
    row = t // nch
    x0 = (t - row * nch) * CHUNK
    _corr_row(xf, out, ocode, w, offs, mode, cv, row, x0, min(W - x0, CHUNK), D, H, W,
              np.empty(CHUNK, w.dtype), np.empty(4, np.int64))


@njit(nogil=True, cache=True)
def _taps4x2(a0, a1, xf, src, x0, n, W, w, ka, kb, offs, g, mode, cv):
    """Register blocking over two output rows: taps ka .. ka + g - 1 (g = 1 or 4) of one
    source row (at xf[src:]) into ``a0``, each loaded value also feeding ``a1`` with the
    weights from kb (the same dx): half the loads per multiply-add of _taps4, each
    accumulator still adding its taps in order (kernels/convolution.pyx's _taps4x2)."""
    jlo, jhi = _inner(offs, ka, g, x0, n, W)
    for part in range(2):   # border outputs (j < jlo, j >= jhi): the taps in order
        for j in range(0 if part == 0 else jhi, jlo if part == 0 else n):
            t0 = a0[j]
            t1 = a1[j]
            for q in range(g):
                v = _fetch(xf, src, x0 + j + offs[ka + q, 2], W, mode, cv)
                t0 = _madd(t0, v, w[ka + q])
                t1 = _madd(t1, v, w[kb + q])
            a0[j] = t0
            a1[j] = t1
    m = jhi - jlo
    b0 = a0[jlo:jhi]
    b1 = a1[jlo:jhi]
    p = src + x0 + jlo
    v0 = xf[p + offs[ka, 2]:p + offs[ka, 2] + m]
    wa0 = w[ka]
    wb0 = w[kb]
    if g == 1:
        for j in range(m):
            b0[j] = _madd(b0[j], v0[j], wa0)
            b1[j] = _madd(b1[j], v0[j], wb0)
        return
    v1 = xf[p + offs[ka + 1, 2]:p + offs[ka + 1, 2] + m]
    v2 = xf[p + offs[ka + 2, 2]:p + offs[ka + 2, 2] + m]
    v3 = xf[p + offs[ka + 3, 2]:p + offs[ka + 3, 2] + m]
    wa1 = w[ka + 1]
    wb1 = w[kb + 1]
    wa2 = w[ka + 2]
    wb2 = w[kb + 2]
    wa3 = w[ka + 3]
    wb3 = w[kb + 3]
    for j in range(m):
        b0[j] = _madd(_madd(_madd(_madd(b0[j], v0[j], wa0), v1[j], wa1), v2[j], wa2),
                      v3[j], wa3)
        b1[j] = _madd(_madd(_madd(_madd(b1[j], v0[j], wb0), v1[j], wb1), v2[j], wb2),
                      v3[j], wb3)


@njit(nogil=True, cache=True)
def _corr_pair_task(xf, out, ocode, w, offs, kw, mode, cv, t, nch, D, H, W):
    """Task t of _correlate_pairs: CHUNK outputs of output rows y and y + 1 (plane z) of a
    full kh x kw grid of taps (one dz), skewed: phase p loads source row y + dy(p) once
    for kernel row p of output y and kernel row p - 1 of output y + 1, the same source
    row (kernels/convolution.pyx's _corr_pair). A last odd row runs as a pair too, its
    second row (row H, read through the border) not stored: the first row's sums are the
    same, and the task tree compiles without _corr_row (the Cython kernel runs that row
    alone)."""
    kh = w.shape[0] // kw
    hp = (H + 1) // 2
    r = t // nch
    x0 = (t - r * nch) * CHUNK
    n = min(W - x0, CHUNK)
    z = r // hp
    y = 2 * (r - z * hp)
    acc0 = np.zeros(CHUNK, w.dtype)
    acc1 = np.zeros(CHUNK, w.dtype)
    sb = np.empty(4, np.int64)
    zz = boundary_index(z + offs[0, 0], D, mode)
    for p in range(kh + 1):
        ra = p * kw          # first tap of kernel row p (output y), if p < kh
        rb = (p - 1) * kw    # first tap of kernel row p - 1 (output y + 1), if p >= 1
        if p < kh:
            yy = boundary_index(y + offs[ra, 1], H, mode)
        else:
            yy = boundary_index(y + 1 + offs[rb, 1], H, mode)
        if zz < 0 or yy < 0:
            if p < kh:
                for q in range(kw):
                    wk = w[ra + q]
                    for j in range(n):
                        acc0[j] = _madd(acc0[j], cv, wk)
            if p >= 1:
                for q in range(kw):
                    wk = w[rb + q]
                    for j in range(n):
                        acc1[j] = _madd(acc1[j], cv, wk)
            continue
        src = (zz * H + yy) * W
        for g in range(4):
            sb[g] = src
        q = 0
        while q < kw:
            g = 4 if kw - q >= 4 else 1
            if 1 <= p < kh:
                _taps4x2(acc0, acc1, xf, src, x0, n, W, w, ra + q, rb + q, offs, g, mode, cv)
            elif p < kh:
                _taps4(acc0, xf, sb, x0, n, W, w, offs, ra + q, g, mode, cv)
            else:
                _taps4(acc1, xf, sb, x0, n, W, w, offs, rb + q, g, mode, cv)
            q += g
    _store(acc0, n, out, (z * H + y) * W + x0, ocode)
    if y + 1 < H:   # (an odd last row: its pair's row H, read through the border, unused)
        _store(acc1, n, out, (z * H + y + 1) * W + x0, ocode)


@njit(nogil=True, cache=True)
def _val(xf, base, r, N, B, b, mode, cv):
    rr = boundary_index(r, N, mode)
    return cv if rr < 0 else xf[base + rr * B + b]


@njit(parallel=prange_only(), nogil=True, cache=True)
def _uniform1d(x, out, ocode, size, lo, mode, cval, state, s0, s1, l0, l1):
    """Box filter along axis 1 of ``x`` (A, N, B): scipy's running sum, divided per output;
    lane groups l0 .. l1 (CHUNK lanes of one (N, B) slab each), steps s0 .. s1 of the
    size + N of their lines (see uniform1d)."""
    A, N, B = x.shape
    nch = (B + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    fs = np.float64(size)
    cv = np.float64(cval)
    for i in prange(l1 - l0):
        _unif_task(xf, out, ocode, size, lo, mode, cv, fs, np.int64(l0 + i), nch, N, B,
                   state, s0, s1)


@njit(nogil=True, cache=True)
def _unif_task(xf, out, ocode, size, lo, mode, cv, fs, t, nch, N, B, state, s0, s1):
    """Lane group t of _uniform1d, steps s0 .. s1: its sums start from ``state`` unless
    s0 == 0, and are left there unless s1 ends the line (the prange body as a plain
    function)."""
    M = N * B
    a = t // nch
    base = a * M
    b0 = (t - a * nch) * CHUNK
    nb = min(B - b0, CHUNK)
    acc = np.zeros(nb, np.float64)
    q = np.empty(nb, np.float64)
    st = state[a * B + b0:a * B + b0 + nb] if s0 > 0 or s1 < size + N else state[:0]
    if s0 > 0:
        for b in range(nb):
            acc[b] = st[b]
    for j in range(s0, min(s1, size)):
        for b in range(nb):
            acc[b] = acc[b] + _val(xf, base, j - lo, N, B, b0 + b, mode, cv)
    for i in range(max(s0 - size, 0), s1 - size):
        if i > 0:
            ra = boundary_index(i - 1 + size - lo, N, mode)
            rs = boundary_index(i - 1 - lo, N, mode)
            if ra >= 0 and rs >= 0:
                xa = xf[base + ra * B + b0:base + ra * B + b0 + nb]
                xs = xf[base + rs * B + b0:base + rs * B + b0 + nb]
                for b in range(nb):
                    acc[b] = acc[b] + (xa[b] - xs[b])
            else:
                for b in range(nb):
                    va = cv if ra < 0 else xf[base + ra * B + b0 + b]
                    vs = cv if rs < 0 else xf[base + rs * B + b0 + b]
                    acc[b] = acc[b] + (va - vs)
        for b in range(nb):
            q[b] = acc[b] / fs
        _store(q, nb, out, base + i * B + b0, ocode)
    if s1 < size + N:
        for b in range(nb):
            st[b] = acc[b]


# ---------------------------------------------------------------- fast paths (as the Cython ones)

#: _vhline's shifted vectors: an AVX-512 target only (one shuffle a tap; a 64-byte
#: shuffle legalized to AVX2 takes several), as pyc_hline_f32 in kernels/_fastconv.h
HLINE_SHIFTS = "avx512f" in target_features()
HLINE_KMAX = 17  # _vhline: odd windows up to this (K - 1 shifted lanes fit one vector)


@intrinsic
def _vhline(typingctx, buf, K, sym, w, n, out, o):
    """_vline's outputs with taps on neighbouring elements (tap k reads buf[k + j]):
    symmetric or antisymmetric pairs (sym != 0), odd 3 <= K <= HLINE_KMAX, float32,
    AVX-512 target; ``out`` not overlapping ``buf``. Returns e: outputs h .. e - 1 are
    done, h = HLINE_KMAX // 2 - K // 2 (0 for the longest window), in blocks of 64, the
    last one ending at e (overlapping the one before: the same values written again);
    e = 0 where it does not apply (the caller's _line does the rest). A block at b reads
    buf[b .. b + 79] in five loads, and each tap's vector is a shuffle of two of them by
    a constant offset (LLVM emits vpermt2ps / vpermt2pd, GCC valignd): the window is
    centred on offset 8 of the block, so the offsets do not depend on K, and a switch on
    K // 2 enters the chain of pair steps at the outermost pair (one body for every K;
    one per K compiled 1.2 s longer). _vline loads every tap's vector instead (a
    cache-line split for 15 of 16 offsets). The terms of _vline in its order (the
    centre product, then the pairs from the outermost in: the same bits), as
    pyc_hline_f32's loop in kernels/_fastconv.h."""
    if not (_c1(buf) and _c1(w) and _c1(out)):
        return None
    sig = types.intp(buf, types.intp, types.intp, w, types.intp, out, types.intp)
    if not (HLINE_SHIFTS and buf.dtype == types.float32 and w.dtype == buf.dtype
            and out.dtype == buf.dtype):
        return sig, lambda context, builder, signature, args: _const(args[1].type, 0)

    def codegen(context, builder, signature, args):
        bv, Kv, symv, wv, nv, ov, oo = args
        B, Wt, O = (_Arr(context, builder, t, v) for t, v in
                    ((buf, bv), (w, wv), (out, ov)))
        it = Kv.type
        vt = ir.VectorType(ir.FloatType(), 16)
        H = HLINE_KMAX // 2
        zero = _const(it, 0)

        def lt(a, b):
            return builder.icmp_signed("<", a, b)
        c = builder.sdiv(Kv, _const(it, 2))
        h = builder.sub(_const(it, H), c)
        # block b: outputs h + 64 b .. + 63 (within n), reads up to 64 b + 79 (within buf)
        lim = builder.add(builder.sub(B.a.nitems, _const(it, 16)), h)
        m = builder.select(lt(lim, nv), lim, nv)
        span = builder.sub(m, h)
        ok = builder.and_(builder.icmp_signed("!=", symv, zero),
                          builder.and_(builder.icmp_signed("==", builder.srem(Kv, _const(it, 2)),
                                                           _const(it, 1)),
                                       builder.and_(lt(_const(it, 2), Kv),
                                                    lt(Kv, _const(it, HLINE_KMAX + 1)))))
        ok = builder.and_(ok, lt(_const(it, 63), span))
        # whole blocks, then one more ending at m (overlapping the one before: the same
        # values written again) where span is not a multiple of 64
        full = builder.sdiv(span, _const(it, 64))
        more = builder.icmp_signed("!=", builder.srem(span, _const(it, 64)), zero)
        nblk = builder.select(ok, builder.add(full, builder.zext(more, it)), zero)
        bmax = builder.sub(span, _const(it, 64))
        wc = _splat(builder, Wt.get(c), vt)
        accs = [cgutils.alloca_once(builder, vt) for _ in range(4)]

        def blocks(op):
            with cgutils.for_range(builder, nblk) as loop:
                b = builder.mul(loop.index, _const(it, 64))
                b = builder.select(lt(bmax, b), bmax, b)
                A = [B.vget(builder.add(b, _const(it, 16 * i)), vt) for i in range(5)]

                def sh(v, d):  # buf[b + 16 v + d ..][:16]
                    if d == 0:
                        return A[v]
                    return builder.shuffle_vector(
                        A[v], A[v + 1], ir.Constant(ir.VectorType(_I32, 16),
                                                    list(range(d, d + 16))))
                for v in range(4):
                    builder.store(builder.fmul(sh(v, H), wc), accs[v])
                steps = {i: builder.append_basic_block(f"vh.pair{i}") for i in range(1, H + 1)}
                done = builder.append_basic_block("vh.store")
                sw = builder.switch(c, done)
                for i in range(1, H + 1):
                    sw.add_case(_const(it, i), steps[i])
                for i in range(H, 0, -1):  # the pair (c - i, c + i) of the window
                    builder.position_at_end(steps[i])
                    wk = _splat(builder, Wt.get(builder.sub(c, _const(it, i))), vt)
                    for v in range(4):
                        t = op(sh(v, H - i), sh(v, H + i))
                        builder.store(_madd_ir(builder, builder.load(accs[v]), t, wk, True),
                                      accs[v])
                    builder.branch(steps[i - 1] if i > 1 else done)
                builder.position_at_end(done)
                for v in range(4):
                    O.vput(builder.add(builder.add(builder.add(oo, h), b), _const(it, 16 * v)),
                           builder.load(accs[v]))
        pair_loops(builder, symv, blocks)
        return builder.select(builder.icmp_signed(">", nblk, zero), m, zero)

    return sig, codegen


SEP_ROWS = 16    # output rows per block of separable2
SEP_BLOCKS = 8   # blocks per task at most (the ring's rows are copied once per task)
RING_ROWS = 16   # output rows per block of the dense ring kernel
RING_BLOCKS = 8  # blocks per task at most (the ring's rows are copied once per task)
#: multiply-adds one task of the ring kernels stays below where a block allows (a stop
#: request waits for the running tasks; the dispatcher's convolution.TASK_WORK)
TASK_WORK = 1 << 27
DENSE_SCRATCH_MAX = 1 << 26  # bytes of one task's ring above which the generic kernel runs


@njit(nogil=True, cache=True)
def _fill_row(row, b, x_from, m, W, dx0, coltab, cv, have):
    """b[jj] = column x_from + jj + dx0 of ``row`` (``have`` False: the constant),
    border-extended through ``coltab`` (coltab[i] = column i + dx0 or -1)."""
    if not have:
        for jj in range(m):
            b[jj] = cv
        return
    lo = _clip(-(x_from + dx0), m)
    hi = max(_clip(W - (x_from + dx0), m), lo)
    for jj in range(lo):
        c = coltab[x_from + jj]
        b[jj] = cv if c < 0 else row[c]
    src = row[x_from + dx0 + lo:x_from + dx0 + hi]  # the in-range part: a plain copy
    dst = b[lo:hi]
    for jj in range(hi - lo):
        dst[jj] = src[jj]
    for jj in range(hi, m):
        c = coltab[x_from + jj]
        b[jj] = cv if c < 0 else row[c]


@njit(nogil=True, cache=True)
def _line_px(buf, starts, K, sym, w, j):
    """Output j of _line, one pixel: the first term a product, the others multiply-adds
    (_madd) in _correlate1d's order (symmetric / antisymmetric pairs when sym != 0)."""
    c = K // 2
    if sym != 0:
        a = buf[starts[c] + j] * w[c]
        for k in range(c):
            u = buf[starts[k] + j]
            v = buf[starts[K - 1 - k] + j]
            a = _madd(a, (u + v) if sym > 0 else (u - v), w[k])
        return a
    a = buf[starts[K - 1] + j] * w[K - 1]
    for k in range(K - 1):
        a = _madd(a, buf[starts[k] + j], w[k])
    return a


@njit(nogil=True, cache=True, inline="always")
def _line(buf, starts, K, sym, w, out, o, n):
    """out[o:o + n] = 1-D correlation of K taps, tap k reading buf[starts[k]:starts[k] + n]
    (rows of a ring, shifted windows of a padded row, or of a long kernel's padded line):
    the per-pixel term order and arithmetic of _correlate1d (so fused passes equal the
    passes run apart bit for bit), NVEC vectors at a time in registers (_vline), the
    remainder by _line_px. The one paired-tap loop of the fused and the long paths.
    Inlined, the vector loop an intrinsic, the tail a call only where there is one: the
    fused passes call it per strip and row, and a call to a jitted function costs the
    arrays' reference counts, ~60 ns, as long as a 256-element strip's work."""
    j = _vline(buf, starts, K, sym, w, n, out, o)
    if j < n:
        _line_tail(buf, starts, K, sym, w, out, o, j, n)


@njit(nogil=True, cache=True)
def _line_tail(buf, starts, K, sym, w, out, o, j, n):
    """Outputs j .. n - 1 of _line, a pixel at a time (_line_px)."""
    for jj in range(j, n):
        out[o + jj] = _line_px(buf, starts, K, sym, w, jj)


@njit(nogil=True, cache=True)
def _hline(buf, K, sym, w, out, o, n, starts):
    """out[o:o + n] = _line with taps on neighbouring elements (tap k reads buf[k:][:n]):
    _vhline's shifted vectors where they apply, _line for the rest (the same terms, so
    the same bits). ``starts``: K scratch slots."""
    for k in range(K):
        starts[k] = k
    e = _vhline(buf, K, sym, w, n, out, o)
    if e == 0:
        _line(buf, starts, K, sym, w, out, o, n)
    else:  # the head (fewer than 8 outputs) and a tail past a buffer too short for a block
        _line_tail(buf, starts, K, sym, w, out, o, 0, HLINE_KMAX // 2 - K // 2)
        _line_tail(buf, starts, K, sym, w, out, o, e, n)


@njit(nogil=True, cache=True)
def _extend(tpad, mid, coltab, lo, W, K, C, cv):
    """The border pixels (0 .. lo and lo + W .. W + K - 1) of a padded row: the pixel
    coltab[j] of ``mid`` or cv. (Both sides in one call: no Literal[int](0) twin.)"""
    for jj in range(lo):
        col = coltab[jj]
        for ch in range(C):
            tpad[jj * C + ch] = mid[col * C + ch] if col >= 0 else cv
    for jj in range(lo + W, W + K - 1):
        col = coltab[jj]
        for ch in range(C):
            tpad[jj * C + ch] = mid[col * C + ch] if col >= 0 else cv


@njit(nogil=True, cache=True, inline="always")
def _box(buf, starts, K, m, sh, n, out, o):
    """out[o:o + n] = the uint8 window sums over the K taps buf[starts[k]:][:n], divided
    as (S * m) >> sh (_vbox, the remainder in int64: the same integers). Inlined, as
    _line."""
    j = _vbox(buf, starts, K, m, sh, n, out, o)
    if j < n:
        _box_tail(buf, starts, K, m, sh, out, o, j, n)


@njit(nogil=True, cache=True)
def _box_tail(buf, starts, K, m, sh, out, o, j, n):
    """Outputs j .. n - 1 of _box, in int64: the same integers."""
    for jj in range(j, n):
        t = np.int64(0)
        for k in range(K):
            t += np.int64(buf[starts[k] + jj])
        out[o + jj] = out.dtype.type((t * m) >> sh)


def _pass(buf, starts, K, sym, w, m, sh, n, out, o):
    """out[o:o + n] = one 1-D pass of separable2 over the K taps buf[starts[k]:][:n]: a
    uint8 box filter (_box) or a float32 correlation (_line), chosen by the dtype at
    typing time (an overload, below), so a specialization compiles only its own branch
    (a runtime ``if`` compiled _line for uint8 and the box for float32 too)."""
    raise NotImplementedError("njit only")


@overload(_pass, jit_options=dict(nogil=True), inline="always")
def _pass_typed(buf, starts, K, sym, w, m, sh, n, out, o):
    # inlined (as _box and _line): no call per strip (see _line)
    if buf.dtype == types.uint8:
        def box(buf, starts, K, sym, w, m, sh, n, out, o):
            _box(buf, starts, K, m, sh, n, out, o)
        return box

    def line(buf, starts, K, sym, w, m, sh, n, out, o):
        _line(buf, starts, K, sym, w, out, o, n)
    return line


def _row(buf, starts, K, sym, w, m, sh, n, out):
    """out[:n] = the pass along a padded row, taps on neighbouring elements (one channel):
    the uint8 box (_box), or the float line through _hline (by dtype at typing time, as
    _pass)."""
    raise NotImplementedError("njit only")


@overload(_row, jit_options=dict(nogil=True))
def _row_typed(buf, starts, K, sym, w, m, sh, n, out):
    if buf.dtype == types.uint8:
        def box(buf, starts, K, sym, w, m, sh, n, out):
            _box(buf, starts, K, m, sh, n, out, np.int64(0))
        return box

    def line(buf, starts, K, sym, w, m, sh, n, out):
        _hline(buf, K, sym, w, out, np.int64(0), n, starts)
    return line


@njit(nogil=True, cache=True)
def _wpass(tpad, coltab, W, C, K, lo, sym, w, m, sh, cv, starts, dst):
    """dst[:W * C] = the pass along W of the row at tpad[lo * C:][:W * C], its border
    extended through ``coltab`` first."""
    mid = tpad[lo * C:lo * C + W * C]
    _extend(tpad, mid, coltab, lo, W, K, C, cv)
    for k in range(K):
        starts[k] = k * C
    if C == 1:
        _row(tpad, starts, K, sym, w, m, sh, W, dst)
    else:
        _pass(tpad, starts, K, sym, w, m, sh, W * C, dst, np.int64(0))


@njit(nogil=True, cache=True)
def _hpass(ring, Lp, NS, y0, y1, L, K, sym, w, m, sh, strip, starts, roff, dst, d0,
           dstride):
    """Rows y0 .. y1 of the pass along H (output y reads ring rows y .. y + K - 1, row i in
    slot i % NS, ``Lp`` apart) into dst[d0 + (y - y0) * dstride:][:L], ``strip`` columns
    at a time for all the rows, so the strips of the source rows are reused from L1.
    ``roff``: scratch for the y1 - y0 + K - 1 rows' offsets (a modulo per row and block,
    not per tap, strip and row: K integer divisions cost as much as a short strip)."""
    for i in range(y1 - y0 + K - 1):
        roff[i] = ((y0 + i) % NS) * Lp
    for x0 in range(0, L, strip):
        n = min(L - x0, strip)
        for y in range(y0, y1):
            for k in range(K):
                starts[k] = roff[y - y0 + k] + x0
            _pass(ring, starts, K, sym, w, m, sh, n, dst, d0 + (y - y0) * dstride + x0)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _separable2(x, o, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh, mh, shh,
                cval, hfirst, per, t0, t1):
    """Two 1-D passes fused (axis 1 then axis 2 of x (A, H, W, C), or with ``hfirst`` axis 2
    first), as kernels/convolution.pyx separable2. A task runs up to SEP_BLOCKS blocks of
    SEP_ROWS output rows of one plane; the source rows are copied once per task into a
    ring of SEP_ROWS + Kv - 1 rows (hfirst: through the axis-2 pass on the way), rows
    64 bytes longer than the data so neighbouring rows sit in different L1 sets. Per
    block, the H pass (into SEP_ROWS padded rows, or with hfirst straight to the
    output), then the W pass of each padded row, its border extended. uint8 ``x``:
    box filters (integer window sums, divided by (S * m) >> sh), float32 ``x``:
    correlations (chosen by the dtype at typing time, see _pass). Every output is computed
    the same way whatever the task cut. ``per``: blocks per task (_blocks); tasks t0 .. t1
    run."""
    A, H, W, C = x.shape
    L = W * C
    xf = x.reshape(A * H, L)
    of = o.reshape(-1)
    isz = x.itemsize
    Lp = ((L * isz + 63) // 64 * 64 + 64) // isz
    P = (((W + Kh - 1) * C * isz + 63) // 64 * 64 + 64) // isz  # a padded row (W pass)
    NS = SEP_ROWS + Kv - 1
    # the pass along H in strips (the Cython kernel's: 1 KiB of float32, 1024 uint8), so
    # the Kv source rows of a strip are reused from L1 by the block's rows
    strip = min(L, 256 if isz == 4 else 1024)
    nb = (H + SEP_ROWS - 1) // SEP_ROWS
    nt = (nb + per - 1) // per
    rowtab = np.empty(H + Kv, np.int64)
    for i in range(H + Kv):
        rowtab[i] = boundary_index(i - lov, H, modev)
    coltab = np.empty(W + Kh, np.int64)
    for i in range(W + Kh):
        coltab[i] = boundary_index(i - loh, W, modeh)
    cv = x.dtype.type(cval)
    for i in prange(t1 - t0):
        _sep_task(xf, of, np.int64(t0 + i), H, W, C, nt, nb, per, Lp, P, NS, strip, rowtab,
                  coltab, cv, wv, Kv, symv, mv, shv, wh, Kh, loh, symh, mh, shh, hfirst)


@njit(nogil=True, cache=True)
def _sep_task(xf, of, t, H, W, C, nt, nb, per, Lp, P, NS, strip, rowtab, coltab, cv,
              wv, Kv, symv, mv, shv, wh, Kh, loh, symh, mh, shh, hfirst):
    """Task t of _separable2 (the prange body as a plain function: the parfor passes
    then see one call, which cuts their compile time)."""
    L = W * C
    a = t // nt
    b0 = (t - a * nt) * per
    b1 = min(nb, b0 + per)
    ring = aligned_empty(NS * Lp, xf)
    tpads = aligned_empty(SEP_ROWS * P, xf)
    starts = np.empty(max(Kv, Kh), np.int64)
    roff = np.empty(SEP_ROWS + Kv - 1, np.int64)
    filled = b0 * SEP_ROWS
    for blk in range(b0, b1):
        y0 = blk * SEP_ROWS
        y1 = min(H, y0 + SEP_ROWS)
        for yy in range(filled, y1 + Kv - 1):  # the ring rows this block adds
            r = rowtab[yy]
            q = (yy % NS) * Lp
            if r < 0:  # the constant (with hfirst: the H pass extends the intermediate)
                for j in range(L):
                    ring[q + j] = cv
            elif hfirst:  # the W pass first, from the source row into the ring
                src = xf[a * H + r]
                mid = tpads[loh * C:loh * C + L]
                for j in range(L):
                    mid[j] = src[j]
                _wpass(tpads, coltab, W, C, Kh, loh, symh, wh, mh, shh, cv, starts,
                       ring[q:q + L])
            else:
                src = xf[a * H + r]
                rr = ring[q:q + L]
                for j in range(L):
                    rr[j] = src[j]
        filled = y1 + Kv - 1
        if hfirst:  # then the H pass from the ring to the output
            _hpass(ring, Lp, NS, y0, y1, L, Kv, symv, wv, mv, shv, strip, starts, roff,
                   of, (a * H + y0) * L, L)
        else:
            _hpass(ring, Lp, NS, y0, y1, L, Kv, symv, wv, mv, shv, strip, starts, roff,
                   tpads, loh * C, P)
            for y in range(y0, y1):
                i = (y - y0) * P
                _wpass(tpads[i:i + P], coltab, W, C, Kh, loh, symh, wh, mh, shh, cv,
                       starts, of[(a * H + y) * L:(a * H + y + 1) * L])


def _blocks(nb, most, rows, work_per_row):
    """Blocks of ``rows`` rows per task of the ring kernels: up to ``most`` (the ring
    copied once for all of them) while keeping at least 16 tasks per plane and a task
    below ``TASK_WORK`` multiply-adds (a stop request waits for the running tasks)."""
    return max(1, min(most, nb // 16, TASK_WORK // max(1, rows * work_per_row)))


def separable2(x, out, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh, mh, shh,
               cval, hfirst, n_threads, t0, t1):
    """Two 1-D passes fused; see kernels/convolution.pyx separable2 (same arguments):
    tasks t0 <= t < min(t1, T) of ``per`` blocks of SEP_ROWS rows of one plane; returns T."""
    if x.size == 0:
        return 0
    A, H, W, C = x.shape
    nb = (H + SEP_ROWS - 1) // SEP_ROWS
    per = _blocks(nb, SEP_BLOCKS, SEP_ROWS, W * C * (Kv + Kh))
    T = A * ((nb + per - 1) // per)
    t0, t1 = max(int(t0), 0), min(int(t1), T)
    if t0 < t1:
        _threaded(_separable2, (x, out, wv, Kv, lov, symv, modev, np.int64(mv), np.int64(shv),
                                wh, Kh, loh, symh, modeh, np.int64(mh), np.int64(shh),
                                float(cval), bool(hfirst), per, t0, t1), n_threads)
    return T


@njit(nogil=True, cache=True)
def _dense_px(ring, roff, r0, kh, kw, w, j):
    """One output of the dense ring kernel: fma from 0 over the taps in C order."""
    a = np.float32(0.0)
    for p in range(kh):
        b = roff[r0 + p] + j
        for q in range(kw):
            a = _madd(a, ring[b + q], w[p * kw + q])
    return a


@njit(nogil=True, cache=True)
def _dense_rows(ring, roff, r0, R, kh, kw, w, W, of, obase):
    """Output rows r < R (at of[obase + r * W:]) from ring rows r0 + r .. r0 + r + kh - 1
    (row i at ring[roff[i]:]): 4 rows x 32 columns per register block (_vdense4), the
    last rows 64 columns at a time (_vdense1), the remaining columns by _dense_px."""
    r = 0
    while r + 4 <= R:
        j = _vdense4(ring, roff, r0 + r, kh, kw, w, W, of, obase + r * W, W)
        for i in range(r, r + 4):
            for jj in range(j, W):
                of[obase + i * W + jj] = _dense_px(ring, roff, r0 + i, kh, kw, w, jj)
        r += 4
    while r < R:
        j = _vdense1(ring, roff, r0 + r, kh, kw, w, W, of, obase + r * W, W)
        for jj in range(j, W):
            of[obase + r * W + jj] = _dense_px(ring, roff, r0 + r, kh, kw, w, jj)
        r += 1


@njit(parallel=prange_only(), nogil=True, cache=True)
def _dense_ring(x, out, w, kh, kw, dz, dy0, dx0, mode, cval, per, t0, t1):
    """A full kh x kw float32 grid (one dz) into float32 ``out`` (D, H, W). A task runs up
    to RING_BLOCKS blocks of RING_ROWS output rows of one plane; the source rows are
    copied border-extended, once per task, into a ring of RING_ROWS + kh - 1 rows (64
    bytes longer than the data: neighbouring rows in different L1 sets), then
    _dense_rows per block (register-blocked, fma in C tap order per pixel: the values of
    the generic kernel _correlate, and of the Cython kernels). ``per``: blocks per task
    (_blocks); tasks t0 .. t1 run."""
    D, H, W = x.shape
    nb = (H + RING_ROWS - 1) // RING_ROWS
    nt = (nb + per - 1) // per
    m = W + kw - 1
    mp = (m + 15) // 16 * 16 + 16
    NS = RING_ROWS + kh - 1
    rowtab = np.empty(H + kh, np.int64)
    for i in range(H + kh):
        rowtab[i] = boundary_index(i + dy0, H, mode)
    coltab = np.empty(m, np.int64)
    for i in range(m):
        coltab[i] = boundary_index(i + dx0, W, mode)
    cv = w.dtype.type(cval)
    of = out.reshape(-1)
    for i in prange(t1 - t0):
        _ring_task(x, of, w, kh, kw, dz, dx0, mode, cv, rowtab, coltab, np.int64(t0 + i), nt,
                   nb, per, m, mp, NS)


@njit(nogil=True, cache=True)
def _ring_task(x, of, w, kh, kw, dz, dx0, mode, cv, rowtab, coltab, t, nt, nb, per, m, mp, NS):
    """Task t of _dense_ring (the prange body as a plain function)."""
    D, H, W = x.shape
    z = t // nt
    b0 = (t - z * nt) * per
    b1 = min(nb, b0 + per)
    Y0 = b0 * RING_ROWS
    nrows = min(H, b1 * RING_ROWS) - Y0 + kh - 1
    zz = boundary_index(z + dz, D, mode)
    ring = aligned_empty(NS * mp, w)
    roff = np.empty(nrows, np.int64)
    for i in range(nrows):
        roff[i] = (i % NS) * mp
    filled = 0
    for blk in range(b0, b1):
        y0 = blk * RING_ROWS
        R = min(H, y0 + RING_ROWS) - y0
        for i in range(filled, y0 - Y0 + R + kh - 1):
            r = rowtab[Y0 + i] if zz >= 0 else -1
            _fill_row(x[max(zz, 0), max(r, 0)], ring[roff[i]:roff[i] + m], 0, m, W, dx0,
                      coltab, cv, r >= 0)
        filled = y0 - Y0 + R + kh - 1
        _dense_rows(ring, roff, y0 - Y0, R, kh, kw, w, W, of, (z * H + y0) * W)


def _grid(offs):
    """(kh, kw) if the taps form a full grid in C order with one dz and consecutive dy and
    dx (no zero-skipped tap), else None (convolution.pyx: _grid_width + _consecutive_dx)."""
    kw = _grid_width(offs)
    if kw and np.all(offs[:kw, 2] == offs[0, 2] + np.arange(kw)):
        return offs.shape[0] // kw, kw
    return None


def _grid_width(offs):
    """kw if the taps form a full kh x kw grid in C order with one dz, consecutive dy and
    the same dx sequence in every row (no zero-skipped tap), else 0; one tap: 0
    (convolution.pyx's _grid_width, used as there: more than one tap)."""
    ntap = offs.shape[0]
    if ntap < 2:
        return 0
    kw = int(np.argmax(offs[:, 1] != offs[0, 1])) or ntap
    if ntap % kw:
        return 0
    rr, qq = np.divmod(np.arange(ntap), kw)
    if (np.all(offs[:, 0] == offs[0, 0]) and np.all(offs[:, 1] == offs[0, 1] + rr)
            and np.all(offs[:, 2] == offs[qq, 2])):
        return kw
    return 0


def _threaded(fn, args, n_threads):
    """Run ``fn(*args)`` on ``n_threads`` Numba threads (see ``_layer.call_with_threads``).
    Every kernel writes its argument 1 only: the other arrays go in read-only, so a
    read-only input does not compile a second specialization."""
    args = tuple(readonly(a) if i != 1 and isinstance(a, np.ndarray) else a
                 for i, a in enumerate(args))
    call_with_threads(n_threads, fn, *args)


def _run(fn, args, T, n_threads, t0, t1):
    """``fn(*args, t0, t1)`` over tasks t0 <= t < min(t1, T) (none: no call); returns T."""
    t0, t1 = max(int(t0), 0), min(int(t1), T)
    if t0 < t1:
        _threaded(fn, args + (t0, t1), n_threads)
    return T


def _corr1d_plan(x, K):
    """(kernel, task count) of a 1-D correlation of K taps along axis 1 of ``x``: the long
    path (K > N: CHUNK outputs of a line, or CHUNK lanes of one row per task) or the plain
    one (CHUNK outputs of a slab per task)."""
    A, N, B = x.shape
    if K > N:
        return _correlate1d_long, (A * ((N + CHUNK - 1) // CHUNK) if B == 1
                                   else A * N * ((B + CHUNK - 1) // CHUNK))
    return _correlate1d, A * ((N * B + CHUNK - 1) // CHUNK)


def correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads, t0, t1):
    """1-D correlation along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx.
    Tasks t0 <= t < min(t1, T); returns T."""
    if x.size == 0:
        return 0
    fn, T = _corr1d_plan(x, w.shape[0])
    return _run(fn, (x, out, ocode, w, lo, sym, mode, cval, 1.0), T, n_threads, t0, t1)


def correlate(x, out, ocode, w, offs, mode, cval, n_threads, t0, t1):
    """Dense correlation of ``x`` (D, H, W) over taps ``offs`` (dz, dy, dx) / ``w``.
    Tasks t0 <= t < min(t1, T); returns T."""
    D, H, W = x.shape
    if x.size == 0:
        return 0
    grid = _grid(offs) if ocode == 0 and w.dtype == np.float32 else None
    if grid is not None and (RING_ROWS + grid[0]) * (W + grid[1]) * 4 > DENSE_SCRATCH_MAX:
        grid = None  # the ring of a task would be huge: the generic kernel, same values
    if grid is not None:
        kh, kw = grid
        nb = (H + RING_ROWS - 1) // RING_ROWS
        per = _blocks(nb, RING_BLOCKS, RING_ROWS, W * kh * kw)
        out3 = out.view(np.float32).reshape(x.shape)
        return _run(_dense_ring, (x, out3, w, kh, kw, int(offs[0, 0]), int(offs[0, 1]),
                                  int(offs[0, 2]), mode, float(cval), per),
                    D * ((nb + per - 1) // per), n_threads, t0, t1)
    nch = (W + CHUNK - 1) // CHUNK
    kw = _grid_width(offs)
    if kw:
        return _run(_correlate_pairs, (x, out, ocode, w, offs, kw, mode, cval),
                    D * ((H + 1) // 2) * nch, n_threads, t0, t1)
    return _run(_correlate, (x, out, ocode, w, offs, mode, cval), D * H * nch, n_threads,
                t0, t1)


def uniform1d(x, out, ocode, size, lo, exact, mode, cval, state, steps, n_threads, t0, t1):
    """Box filter along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx.
    Tasks t0 <= t < min(t1, T); returns T. The running sums: task g * L + l runs segment
    g (``steps`` steps) of lane group l, from the sums in ``state``; the segments of a
    call run in order, one kernel call each.

    ``exact``: direct window sums (a correlation with ones, then / size), equal
    to scipy's recurrence when every partial sum is an exact integer."""
    A, N, B = x.shape
    if A * N * B == 0:
        return 0
    if exact:
        fn, T = _corr1d_plan(x, size)
        if max(int(t0), 0) >= min(int(t1), T):
            return T
        if exact == 2:
            x = x.astype(np.float32, copy=False)  # exact: integers below 2**24
        ones = np.ones(size, np.float32 if exact == 2 else np.float64)
        return _run(fn, (x, out, ocode, ones, lo, 0, mode, cval, float(size)), T, n_threads,
                    t0, t1)
    L = A * ((B + CHUNK - 1) // CHUNK)
    steps = max(1, int(steps))
    S = size + N
    nseg = (S + steps - 1) // steps
    T = nseg * L
    t0, t1 = max(int(t0), 0), min(int(t1), T)
    if nseg > 1 and t0 < t1 and state.shape[0] < A * B:
        raise ValueError(f"uniform1d: `state` needs {A * B} values, got {state.shape[0]}")
    for g in range(t0 // L, (t1 - 1) // L + 1 if t0 < t1 else 0):
        s0 = g * steps
        call_with_threads(n_threads, _uniform1d, readonly(x), out, ocode, size, lo, mode,
                          cval, state, s0, min(S, s0 + steps), max(t0 - g * L, 0),
                          min(t1 - g * L, L))  # (state is written: not via _threaded)
    return T
