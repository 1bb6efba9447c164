"""Numba twin of kernels/derivatives.pyx: same name, same arguments, same order.

    fused2(x, out, wc0, sc0, wr0, sr0, wc1, sc1, wr1, sr1, mode, cval, op, n_threads, t0, t1)

Two separable terms of the 2-D image ``x`` (each: the pass along axis 0, rounded
to the pixel type, then the pass along axis 1), combined per pixel into ``out``:
op 0 ``sqrt(t0*t0 + t1*t1)`` (gaussian_gradient_magnitude), op 1 ``t0 + t1``
(gaussian_laplace). See the Cython header for the layout: a band of DROWS
output rows per task, its source rows copied once into a per-task ring, each
source strip read once for both column kernels (``_col2``: each pair of rows
loaded once for both), the intermediates in per-task rows, the row passes and
the combine writing the output once. The row passes hold NVEC vectors of
outputs in registers over all the taps (the convolution family's ``_hline``:
shifted vectors on AVX-512). The column passes are inlined into the strip loop (no
call per strip and row) and add or subtract each pair off the FMA pipes
(``_vec.pair_loops``). Not
ported (speed only, the same values): non-temporal stores, and ring rows kept from
the thread's previous task.

Tasks ``t0 <= t < min(t1, T)`` run, T is returned (``t1 == 0``: no work), as the Cython
kernel: ``pycompute._cancel.run_tasks`` calls it in slices so Ctrl-C and aio
cancellation stop a long call; a band's outputs do not depend on the cut.

Arithmetic: correlate1d's per-pixel term order, each term a multiply-add
(pycompute/_numba/convolution.py's ``_line``, ``_line_px`` and ``_vcol2`` here): a
fused multiply-add (``llvm.fma``; emulated, the same bits, where the CPU lacks FMA)
for float32, as the Cython kernel's fmaf, and mul
then add for float64, as the Cython kernel and scipy. No ``fastmath``
(it would reorder the sums and drop NaN semantics). So the results equal the
Cython kernel's bit for bit in both dtypes (and scipy's in float64), and do not
depend on the thread count (each output is computed by one task in a fixed
order).

Compile time (issue 13): the image and the weights go in read-only (``_layer.readonly``),
so a read-only input shares the one compile per dtype; ``parallel=prange_only()`` and no
``reshape`` in jitted code (see pycompute/_numba/rank.py).

Vectorization: the column and row passes hold NVEC vectors of outputs in registers
over all the taps (``_vcol2``, convolution's ``_line``; tests check the assembly: vfmadd
on zmm for float32, packed fmul + fadd for float64); the combine's loop is vectorized by
LLVM (vector ``llvm.sqrt``).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from ._boundary import boundary_index
from ._layer import call_with_threads, prange_only, readonly
from ._vec import _Arr, _c1, _const, _madd_ir, _splat, _tap_plan, aligned_empty, pair_loops
from .convolution import NVEC, _hline, _line, _line_px

DROWS = 16
STRIP = 256


@intrinsic
def _vcol2(typingctx, buf, starts, K, sa, wa, sb, wb, oa, ob, n):
    """oa[j], ob[j] for j < the returned count (a multiple of NVEC vectors, at most n):
    both column passes of _col2 (sa, sb nonzero: paired taps, centre first, then the
    pairs from the outermost in, each pair's rows loaded once for both), NVEC vectors of
    each kernel's accumulators in registers over all the taps (the convolution family's
    _vline, twice; kernels/derivatives.pyx's pyd_col2). A tap-major pass over the strip
    read and wrote both outputs once a tap pair: the column pass ran at 1.5x Cython's."""
    if not all(_c1(a) for a in (buf, starts, wa, wb, oa, ob)):
        return None
    sig = types.intp(buf, starts, types.intp, types.intp, wa, types.intp, wb, oa, ob,
                     types.intp)
    if not (buf.dtype in (types.float32, types.float64)
            and wa.dtype == wb.dtype == oa.dtype == ob.dtype == buf.dtype):
        return sig, lambda context, builder, signature, args: _const(args[2].type, 0)

    def codegen(context, builder, signature, args):
        bv, sv, Kv, sav, wav, sbv, wbv, oav, obv, nv = args
        B, S, WA, WB, OA, OB = (_Arr(context, builder, t, v) for t, v in
                                ((buf, bv), (starts, sv), (wa, wav), (wb, wbv), (oa, oav),
                                 (ob, obv)))
        vt, f32, it, step, nblk, c, last = _tap_plan(builder, buf.dtype, Kv, nv, NVEC)
        L = vt.count
        acc_a = [cgutils.alloca_once(builder, vt) for _ in range(NVEC)]
        acc_b = [cgutils.alloca_once(builder, vt) for _ in range(NVEC)]

        def vld(base, j, v):
            return B.vget(builder.add(builder.add(base, j), _const(it, v * L)), vt)

        with cgutils.for_range(builder, nblk) as loop:
            j = builder.mul(loop.index, _const(it, step))
            sc = S.get(c)
            wac = _splat(builder, WA.get(c), vt)
            wbc = _splat(builder, WB.get(c), vt)
            for v in range(NVEC):
                x = vld(sc, j, v)
                builder.store(builder.fmul(x, wac), acc_a[v])
                builder.store(builder.fmul(x, wbc), acc_b[v])

            def pairs(opa, opb):  # pv +- qv for each kernel (a loop per pair of signs)
                with cgutils.for_range(builder, c) as lk:
                    k = lk.index
                    p0 = S.get(k)
                    q0 = S.get(builder.sub(last, k))
                    wak = _splat(builder, WA.get(k), vt)
                    wbk = _splat(builder, WB.get(k), vt)
                    for v in range(NVEC):
                        pv, qv = vld(p0, j, v), vld(q0, j, v)
                        ta = opa(pv, qv)
                        tb = ta if opb == opa else opb(pv, qv)
                        builder.store(_madd_ir(builder, builder.load(acc_a[v]), ta, wak, f32),
                                      acc_a[v])
                        builder.store(_madd_ir(builder, builder.load(acc_b[v]), tb, wbk, f32),
                                      acc_b[v])
            pair_loops(builder, sav, lambda opa: pair_loops(builder, sbv,
                                                            lambda opb: pairs(opa, opb)))
            for v in range(NVEC):
                OA.vput(builder.add(j, _const(it, v * L)), builder.load(acc_a[v]))
                OB.vput(builder.add(j, _const(it, v * L)), builder.load(acc_b[v]))
        return builder.mul(nblk, _const(it, step))

    return sig, codegen


@njit(nogil=True, cache=True, inline="always")
def _col2(buf, starts, K, sa, wa, sb, wb, oa, ob, n):
    """Both column passes of a strip from one read of its rows: oa[:n] (sa, wa) and
    ob[:n] (sb, wb), sa and sb nonzero; each output's terms as the convolution family's
    _line_px adds them. Inlined, the vector loop an intrinsic: no call (and no reference
    counting of the arrays) per strip and row."""
    j0 = _vcol2(buf, starts, K, sa, wa, sb, wb, oa, ob, n)
    if j0 < n:
        _col2_tail(buf, starts, K, sa, wa, sb, wb, oa, ob, j0, n)


@njit(nogil=True, cache=True)
def _col2_tail(buf, starts, K, sa, wa, sb, wb, oa, ob, j0, n):
    for j in range(j0, n):   # the remainder: the same terms, a pixel at a time
        oa[j] = _line_px(buf, starts, K, sa, wa, j)
        ob[j] = _line_px(buf, starts, K, sb, wb, j)


@njit(nogil=True, cache=True)
def _rowpass(tpad, W, coltab, Kh, sym, w, cv, starts, dst):
    """dst[:W] = the pass along W of the row at tpad[Kh // 2:], border extended first."""
    lo = Kh // 2
    for j in range(lo):
        col = coltab[j]
        tpad[j] = tpad[lo + col] if col >= 0 else cv
    for j in range(lo + W, W + Kh - 1):
        col = coltab[j]
        tpad[j] = tpad[lo + col] if col >= 0 else cv
    for k in range(Kh):
        starts[k] = k
    # all Kh taps of NVEC vectors of outputs in registers (the convolution family's
    # _hline: the same per-pixel terms, so the same bits), where a tap-major pass over
    # the row read and wrote every output once a tap
    _hline(tpad, Kh, sym, w, dst, np.int64(0), W, starts)


@njit(nogil=True, cache=True)
def _combine(a, b, n, op, out):
    if op == 0:
        for j in range(n):
            p = a[j] * a[j]
            q = b[j] * b[j]
            out[j] = np.sqrt(p + q)
    else:
        for j in range(n):
            out[j] = a[j] + b[j]


@njit(parallel=prange_only(), nogil=True, cache=True)
def _fused2(x, out, wc0, sc0, wr0, sr0, wc1, sc1, wr1, sr1, mode, cval, op, t0, t1):
    H, W = x.shape
    Kv = wc0.shape[0]
    Kh = wr0.shape[0]
    lov = Kv // 2
    loh = Kh // 2
    rowtab = np.empty(H + Kv, np.int64)
    for i in range(H + Kv):
        rowtab[i] = boundary_index(i - lov, H, mode)
    coltab = np.empty(W + Kh, np.int64)
    for i in range(W + Kh):
        coltab[i] = boundary_index(i - loh, W, mode)
    cv = x.dtype.type(cval)
    for i in prange(t1 - t0):
        t = t0 + i
        y0 = t * DROWS
        y1 = min(H, y0 + DROWS)
        S = y1 - y0 + Kv - 1
        # the ring of source rows (no reshape: see above), Wp apart: 16 elements more
        # than the row, so rows of a power-of-two width do not share L1 sets (the column
        # pass reads Kv of them; W apart, 4096-wide float32 rows thrashed the L1 and the
        # column pass ran 1.5-2x slower), as the Cython kernel's ring
        Wp = W + 16
        flat = aligned_empty(S * Wp, x)
        # + 16: _hline's shifted vectors read 16 elements past a block
        P = np.empty((2, DROWS, W + Kh - 1 + 16), x.dtype)
        T0 = np.empty(W, x.dtype)
        T1 = np.empty(W, x.dtype)
        starts = np.empty(max(Kv, Kh), np.int64)
        for s in range(S):
            r = rowtab[y0 + s]
            rr = flat[s * Wp:s * Wp + W]
            if r < 0:
                for j in range(W):
                    rr[j] = cv
            else:
                src = x[r]
                for j in range(W):
                    rr[j] = src[j]
        for x0 in range(0, W, STRIP):  # both column passes, strip by strip
            n = min(STRIP, W - x0)
            for y in range(y0, y1):
                for k in range(Kv):
                    starts[k] = (y - y0 + k) * Wp + x0
                if sc0 != 0 and sc1 != 0:
                    _col2(flat, starts, Kv, sc0, wc0, sc1, wc1,
                          P[0, y - y0, loh + x0:loh + x0 + n], P[1, y - y0, loh + x0:loh + x0 + n],
                          n)
                else:
                    _line(flat, starts, Kv, sc0, wc0, P[0, y - y0], loh + x0, n)
                    _line(flat, starts, Kv, sc1, wc1, P[1, y - y0], loh + x0, n)
        for y in range(y0, y1):
            _rowpass(P[0, y - y0], W, coltab, Kh, sr0, wr0, cv, starts, T0)
            _rowpass(P[1, y - y0], W, coltab, Kh, sr1, wr1, cv, starts, T1)
            _combine(T0, T1, W, op, out[y])


def fused2(x, out, wc0, sc0, wr0, sr0, wc1, sc1, wr1, sr1, mode, cval, op, n_threads, t0, t1):
    """Two separable terms of ``x`` combined into ``out``; see kernels/derivatives.pyx:
    tasks ``t0 <= t < min(t1, T)`` (bands of DROWS rows); returns T."""
    if wc1.shape[0] != wc0.shape[0] or wr1.shape[0] != wr0.shape[0] or not (
            wc0.shape[0] & 1 and wr0.shape[0] & 1):
        raise ValueError("fused2: column / row weights must share one odd length each")
    if out.shape != x.shape:
        raise ValueError("fused2: `out` must have the shape of `x`")
    if op not in (0, 1):
        raise ValueError(f"fused2: `op`={op} must be 0 (magnitude) or 1 (sum)")
    T = (x.shape[0] + DROWS - 1) // DROWS if x.size else 0
    t0, t1 = max(int(t0), 0), min(int(t1), T)
    if t0 < t1:
        # inputs read-only (``_layer.readonly``): a read-only image or weights would
        # otherwise compile the whole kernel a second time per dtype
        call_with_threads(n_threads, _fused2, readonly(x), out, readonly(wc0), int(sc0),
                          readonly(wr0), int(sr0), readonly(wc1), int(sc1), readonly(wr1),
                          int(sr1), int(mode), float(cval), int(op), t0, t1)
    return T
