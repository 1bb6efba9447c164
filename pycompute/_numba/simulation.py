"""Simulation steps for the Numba backend: the twin of kernels/simulation.pyx.

Same functions, same arguments in the same order, the thread count last. A
top-level kernel sets Numba's thread count for the call, runs the step loop
and restores the previous count; each step (for heat and Gray-Scott: each
temporal block of steps) is one ``prange`` pass (Numba has no persistent
parallel region, so a pass is one fork/join on the TBB pool, and no Python runs
between passes). Grids are double buffered exactly as the Cython kernels do
(``_plan``). Every output element is computed from the previous
state alone, so results are bitwise identical at any thread count.

SIMD: the stencil interior loops are contiguous, branch free loops over 1-D
row views that LLVM vectorizes (checked in the LLVM IR: <8 x double> /
<16 x float> on AVX-512); the bit-sliced Life word loops run 8 x uint64 a zmm
(checked with ``inspect_asm``: vpternlogq for the adders and the rule, and, as
Numba compiles for the host CPU, vpshldq for the one-bit shifts where the CPU
has AVX512-VBMI2: 32 instructions per 512 cells for B3/S23). The N-body pair
loops with softening are the ``_vaccel`` (float32, AVX2 or AVX-512) and
``_vaccel64`` (float64, AVX-512) intrinsics: the CPU's reciprocal square root
estimate and a correction, the operations of the Cython kernel's fast paths (so
the same bits on the same CPU and level); the exact N-body loop (``softening=0`` or
below the fast paths' thresholds, float64 without AVX-512, a CPU without an
estimate) runs with ``fastmath={"reassoc", "contract"}`` so its sums vectorize
(the order of the per-body sum is fixed at compile time, so it does not depend on
threads).
Compiled lazily on first call per dtype and cached on disk; the thread count
(last argument) is applied around each call by ``_layer.threaded`` (a jitted
function that called ``numba.set_num_threads`` could not be cached).
C-contiguous arrays only.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import literal_unroll, njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from ._boundary import MODE_WRAP, boundary_index
from ._layer import prange_only, threaded
from ._vec import _I32, _Arr, _c1, _const, _splat, target_features

CHUNK = 16384
_FM = {"reassoc", "contract"}  # N-body source sums only: order inside a body's sum may change


@njit(nogil=True, cache=True)
def _plan(s, steps, inplace):
    """0 = input -> out, 1 = input -> tmp, 2 = tmp -> out, 3 = out -> tmp (as the Cython kernels)."""
    if inplace:
        return 3 if s % 2 == 0 else 2
    to_out = (steps - 1 - s) % 2 == 0
    if s == 0:
        return 0 if to_out else 1
    return 2 if to_out else 3


@njit(nogil=True, cache=True)
def _copy(src, dst):
    """dst[:] = src[:dst.size] as a loop: a slice assignment compiles Numba's shape-mismatch
    error path (f-string formatting of both shapes: about 3 s of compile per process)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


# ================================================================ heat
# Temporally blocked as the Cython kernel (kernels/simulation.pyx, "heat"):
# the same wavefront over bands of slabs (2-D, 3-D) or trapezoids over tiles
# of the row (1-D), the same ranges, ring slots and border handling, one prange
# fork/join per block of steps. Depth 1 (one step a block) runs the same code
# with no ring: one parallel function for every case keeps the cold compile
# short. Every cell goes through _heat_row / _heat_span with the operations
# of the step-by-step kernel, so the bits are the same at any depth.

@njit(nogil=True, cache=True)
def _get(a, off, j, cval):
    return cval if off < 0 else a[off + j]


@njit(nogil=True, cache=True)
def _at(a, co, j, n, mode, cval):
    k = boundary_index(j, n, mode)
    return cval if k < 0 else a[co + k]


@njit(nogil=True, cache=True)
def _heat_span(a, co, pm, pp, qm, qp, b, bo, ja, jb, nout, c0, al):
    """Interior elements [ja, jb) of a row (see _heat_row), no row of constants."""
    if jb <= ja:
        return
    # slices that start at the loop's first element: the index runs from 0,
    # so Numba emits no negative-index wraparound selects and LLVM vectorizes
    m = jb - ja
    c = a[co + ja:co + jb]
    cl = a[co + ja - 1:co + jb - 1]
    cr = a[co + ja + 1:co + jb + 1]
    o = b[bo + ja:bo + jb]
    if nout == 0:
        for j in range(m):
            o[j] = c0 * c[j] + al * (cl[j] + cr[j])
    elif nout == 1:
        u0 = a[pm + ja:pm + jb]
        u1 = a[pp + ja:pp + jb]
        for j in range(m):
            o[j] = c0 * c[j] + al * ((u0[j] + u1[j]) + (cl[j] + cr[j]))
    else:
        u0 = a[pm + ja:pm + jb]
        u1 = a[pp + ja:pp + jb]
        w0 = a[qm + ja:qm + jb]
        w1 = a[qp + ja:qp + jb]
        for j in range(m):
            o[j] = c0 * c[j] + al * (((u0[j] + u1[j]) + (w0[j] + w1[j]))
                                     + (cl[j] + cr[j]))


@njit(nogil=True, cache=True)
def _heat_row(a, co, pm, pp, qm, qp, b, bo, lo, hi, n2, nout, c0, al, m2, cval):
    """Elements [lo, hi) of one row of one step: the row at ``a[co:]``, its
    neighbour rows along the outer axes at offsets pm, pp (first axis) and qm, qp
    (second; -1: the row of constants), into ``b[bo:]``. A plain function, so the
    parfor passes (array analysis, hoisting, gufunc typing) see a one-call loop body."""
    ja = max(lo, 1)
    jb = min(hi, n2 - 1)
    if pm < 0 or pp < 0 or qm < 0 or qp < 0:
        for j in range(ja, jb):
            x = (_get(a, pm, j, cval) + _get(a, pp, j, cval))
            if nout == 2:
                x = x + (_get(a, qm, j, cval) + _get(a, qp, j, cval))
            b[bo + j] = c0 * a[co + j] + al * (x + (a[co + j - 1] + a[co + j + 1]))
    else:
        _heat_span(a, co, pm, pp, qm, qp, b, bo, ja, jb, nout, c0, al)
    for e in range(2):
        j = 0 if e == 0 else n2 - 1
        if j < lo or j >= hi or (e == 1 and n2 == 1):
            continue
        lft = _at(a, co, j - 1, n2, m2, cval)
        rgt = _at(a, co, j + 1, n2, m2, cval)
        if nout == 0:
            x = lft + rgt
        elif nout == 1:
            x = (_get(a, pm, j, cval) + _get(a, pp, j, cval)) + (lft + rgt)
        else:
            x = (((_get(a, pm, j, cval) + _get(a, pp, j, cval))
                  + (_get(a, qm, j, cval) + _get(a, qp, j, cval))) + (lft + rgt))
        b[bo + j] = c0 * a[co + j] + al * x


@njit(nogil=True, cache=True)
def _heat_slab(a, cen, up, dn, b, bo, nout, n1, n2, m1, m2, c0, al, cval):
    """One slab (2-D: a row; 3-D: a plane of n1 rows) of one step: the slab at
    ``a[cen:]``, its neighbour slabs at ``up``/``dn`` (-1: constants), into ``b[bo:]``.
    (One _heat_row call site: each is one more inlined copy of its loops to compile.)"""
    nr = 1 if nout == 1 else n1
    zero = n2 - n2  # (an int64, not a literal 0: one specialization of _heat_row for all callers)
    for i1 in range(nr):
        qm = cen
        qp = cen
        if nout == 2:
            k = boundary_index(i1 - 1, n1, m1)
            qm = cen + k * n2 if k >= 0 else -1
            k = boundary_index(i1 + 1, n1, m1)
            qp = cen + k * n2 if k >= 0 else -1
        _heat_row(a, cen + i1 * n2, up + i1 * n2 if up >= 0 else -1,
                  dn + i1 * n2 if dn >= 0 else -1, qm, qp, b, bo + i1 * n2, zero, n2, n2, nout,
                  c0, al, m2, cval)


@njit(nogil=True, cache=True)
def _slab_at(t, v, ns, S):
    """Offset of slab ``v`` of level ``t``: in the input grid for t = 0 (slab v mod ns),
    else in the band's ring (slot v mod 3 of level t's 3)."""
    if t == 0:
        return (v % ns) * S
    return ((t - 1) * 3 + v % 3) * S


@njit(nogil=True, cache=True)
def _in_level(r, t, lo, hi, T, ns, wrap):
    """Whether band [lo, hi) of a T-step block computes slab ``r`` of level ``t`` (as the
    Cython kernel's _in_level)."""
    a = lo - (T - t)
    b = hi + (T - t)
    if not wrap:
        a = max(a, 0)
        b = min(b, ns)
    return a <= r < b


@njit(nogil=True, cache=True)
def _heat_band(X, Y, ring, lo, hi, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cval):
    """``T`` steps of the slabs [lo, hi) of ``X`` into ``Y``, as _heat_band of the Cython kernel."""
    ns = n1 if nout == 1 else n0
    S = n2 if nout == 1 else n1 * n2
    mb = m1 if nout == 1 else m0
    wrap = mb == MODE_WRAP
    for i in range(lo - (T - 1), hi + T - 1):
        for t in range(1, T + 1):
            r = i - (t - 1)
            if not _in_level(r, t, lo, hi, T, ns, wrap):
                continue
            cen = _slab_at(t - 1, r, ns, S)
            if wrap:
                up = _slab_at(t - 1, r - 1, ns, S)
                dn = _slab_at(t - 1, r + 1, ns, S)
            else:
                k = boundary_index(r - 1, ns, mb)
                up = _slab_at(t - 1, k, ns, S) if k >= 0 else -1
                k = boundary_index(r + 1, ns, mb)
                dn = _slab_at(t - 1, k, ns, S) if k >= 0 else -1
            out = Y if t == T else ring
            bo = (r % ns) * S if t == T else _slab_at(t, r, ns, S)
            if t == 1:
                _heat_slab(X, cen, up, dn, out, bo, nout, n1, n2, m1, m2, c0, al, cval)
            else:
                _heat_slab(ring, cen, up, dn, out, bo, nout, n1, n2, m1, m2, c0, al, cval)


@njit(nogil=True, cache=True)
def _heat_tiles(X, Y, buf, k0, k1, L, T, n2, c0, al, m2, cval):
    """``T`` steps of the 1-D grid over tiles k0..k1-1 of ``L`` elements, as _heat_tiles of
    the Cython kernel (the two halves of ``buf`` at offsets 0 and Wp)."""
    Wp = L + 2 * T
    wrap = m2 == MODE_WRAP
    z = L - L  # int64 zeros, not literals (see _heat_slab)
    for k in range(k0, k1):
        lo = k * L
        hi = min(lo + L, n2)
        if T == 1:  # one step: no copy
            _heat_row(X, z, z, z, z, z, Y, z, lo, hi, n2, z, c0, al, m2, cval)
            continue
        base = lo - T
        cur = 0
        nxt = Wp
        a = lo - T
        b = hi + T
        if not wrap:
            a = max(a, 0)
            b = min(b, n2)
        for j in range(a, b):
            buf[j - base] = X[j % n2]
        for t in range(1, T + 1):
            a = lo - (T - t)
            b = hi + (T - t)
            if not wrap:
                a = max(a, 0)
                b = min(b, n2)
            # offsets cur - base: element j of the level at index j
            out = Y if t == T else buf
            bo = z if t == T else nxt - base
            if wrap:
                _heat_span(buf, cur - base, z, z, z, z, out, bo, a, b, z, c0, al)
            else:
                _heat_row(buf, cur - base, z, z, z, z, out, bo, a, b, n2, z, c0, al, m2, cval)
            cur, nxt = nxt, cur


@njit(parallel=prange_only(), nogil=True, cache=True)
def _heat_bands_pass(X, Y, ring, nband, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cval):
    # 2-D and 3-D: one band of slabs per thread, each with its own ring; the one
    # parallel function at any depth (T = 1: one step, no ring)
    ns = n1 if nout == 1 else n0
    R = ring.shape[0] // nband
    for t in prange(nband):
        _heat_band(X, Y, ring[t * R:(t + 1) * R], t * ns // nband, (t + 1) * ns // nband,
                   T, n0, n1, n2, nout, c0, al, m0, m1, m2, cval)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _heat_tiles_pass(X, Y, buf, nband, ntile, L, T, n2, c0, al, m2, cval):
    # 1-D: one band of tiles per thread, each with its own two buffers
    R = buf.shape[0] // nband
    for t in prange(nband):
        _heat_tiles(X, Y, buf[t * R:(t + 1) * R], t * ntile // nband, (t + 1) * ntile // nband,
                    L, T, n2, c0, al, m2, cval)


@njit(nogil=True, cache=True)
def _heat_setup(dst, n0, n1, n2, nout, steps, alpha, cval, depth, n_threads):
    """(c0, alpha, cval) in the grid's dtype, (depth, blocks, bands, ring) of a heat call."""
    one = dst[:1].copy()
    one[0] = 1.0 - 2.0 * (nout + 1) * alpha
    c0 = one[0]
    one[0] = alpha
    al = one[0]
    one[0] = cval
    cv = one[0]
    # blocks of about ``depth`` steps (equal sizes; depth 1: one block a step)
    depth = max(1, min(depth, steps))
    nblk = (steps + depth - 1) // depth
    nch = (n2 + CHUNK - 1) // CHUNK
    L = (n2 + nch - 1) // nch
    ns = nch if nout == 0 else (n1 if nout == 1 else n0)
    nband = min(n_threads, ns)
    if depth == 1:
        R = 0
    elif nout == 0:
        R = 2 * (L + 2 * depth)
    else:
        R = 3 * (depth - 1) * (n0 * n1 * n2 // ns)
    return c0, al, cv, nblk, nband, np.empty(nband * R, dst.dtype)


@njit(nogil=True, cache=True)
def _heat_nd(src, dst, tmp, n0, n1, n2, nout, steps, alpha, m0, m1, m2, cval, inplace, depth,
             n_threads):
    # 2-D and 3-D grids (a separate entry from 1-D: a process compiles the one it uses)
    c0, al, cv, nblk, nband, ring = _heat_setup(dst, n0, n1, n2, nout, steps, alpha, cval,
                                                depth, n_threads)
    for s in range(nblk):
        p = _plan(s, nblk, inplace)
        T = steps * (s + 1) // nblk - steps * s // nblk
        if p == 0:
            _heat_bands_pass(src, dst, ring, nband, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cv)
        elif p == 1:
            _heat_bands_pass(src, tmp, ring, nband, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cv)
        elif p == 2:
            _heat_bands_pass(tmp, dst, ring, nband, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cv)
        else:
            _heat_bands_pass(dst, tmp, ring, nband, T, n0, n1, n2, nout, c0, al, m0, m1, m2, cv)
    if inplace and nblk % 2 == 1:
        _copy(tmp, dst)


@njit(nogil=True, cache=True)
def _heat_1d(src, dst, tmp, n0, n1, n2, nout, steps, alpha, m0, m1, m2, cval, inplace, depth,
             n_threads):
    c0, al, cv, nblk, nband, buf = _heat_setup(dst, n0, n1, n2, nout, steps, alpha, cval,
                                               depth, n_threads)
    nch = (n2 + CHUNK - 1) // CHUNK
    L = (n2 + nch - 1) // nch
    for s in range(nblk):
        p = _plan(s, nblk, inplace)
        T = steps * (s + 1) // nblk - steps * s // nblk
        if p == 0:
            _heat_tiles_pass(src, dst, buf, nband, nch, L, T, n2, c0, al, m2, cv)
        elif p == 1:
            _heat_tiles_pass(src, tmp, buf, nband, nch, L, T, n2, c0, al, m2, cv)
        elif p == 2:
            _heat_tiles_pass(tmp, dst, buf, nband, nch, L, T, n2, c0, al, m2, cv)
        else:
            _heat_tiles_pass(dst, tmp, buf, nband, nch, L, T, n2, c0, al, m2, cv)
    if inplace and nblk % 2 == 1:
        _copy(tmp, dst)


def _heat(src, dst, tmp, n0, n1, n2, nout, *rest):
    """The heat kernel: the 1-D or the 2-D/3-D entry, chosen here (in Python)."""
    return (_heat_1d if nout == 0 else _heat_nd)(src, dst, tmp, n0, n1, n2, nout, *rest)


# ================================================================ Game of Life
# Bit sliced, as kernels/simulation.pyx ("Game of Life"): the same packed layout
# (row stride S = W + 2 words: left guard, W data words, right guard; row n0 of
# each buffer is the dead row), the same blocks of rows per thread walked with a
# ring of horizontal sums H, the same adders, the same rule evaluation (B3/S23
# as a 2-operation rule, any other through the multiplexer tree), the same
# border fix-up after each row. Every value is a uint64 (a Python int mixed in
# would make Numba compute in float64). Unlike the Cython kernel, each
# generation is one prange fork/join (see the module docstring).

_U1 = np.uint64(1)
_U2 = np.uint64(2)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_CONWAY = (1 << 3) | (1 << (9 + 2)) | (1 << (9 + 3))


@njit(nogil=True, cache=True)
def _life_fix(b, ob, W, n1, wrap):
    """The border bits of the packed row at ``b[ob:ob + W + 2]``, as pyc_life_fix (int64
    ``ob``, ``W``)."""
    t = n1 - 64 * (W - 1)  # cells in the last word, 1..64
    last = b[ob + W] & (_ONES >> np.uint64(64 - t))
    if wrap:
        first = (last if W == 1 else b[ob + 1]) & _U1
        b[ob] = ((last >> np.uint64(t - 1)) & _U1) << _U63
        b[ob + W + 1] = first
        if t < 64:
            last |= first << np.uint64(t)
    else:
        b[ob] = np.uint64(0)
        b[ob + W + 1] = np.uint64(0)
    b[ob + W] = last


@njit(nogil=True, cache=True)
def _maj(a, b, c):
    return (a & b) | (c & (a | b))


@njit(nogil=True, cache=True)
def _mux(s, x1, x0):
    return (s & x1) | (~s & x0)


# The row loops take whole arrays and unsigned offsets, not row slices: a slice
# made per row costs two atomic reference-count updates (Numba's NRT) on the
# buffer shared by all threads, ~50 ns a row; unsigned indices carry no
# negative-index wraparound, so the loops still vectorize.

@njit(nogil=True, cache=True)
def _life_hrow(a, p, g, h0, W):
    """H of the packed row at ``a[p:]`` (guard word first) into g[h0:h0 + W], g[h0 + W:h0 + 2W]."""
    h1 = h0 + W
    for k in range(W):
        x = a[p + k + _U1]
        lft = (x << _U1) | (a[p + k] >> _U63)
        rgt = (x >> _U1) | (a[p + k + _U2] << _U63)
        g[h0 + k] = lft ^ x ^ rgt
        g[h1 + k] = _maj(lft, x, rgt)


@njit(nogil=True, cache=True)
def _life_count(a, p, c, g, hu, hm, hd, W, k):
    """Word k of a row (PYC_LIFE_LOOP up to the rule): stores H(i + 1) and returns
    (alive, s0, s1, k1, k2), the count being s0 + 2 s1 + 4 (k1 + k2). Inlined by LLVM."""
    x = a[p + k + _U1]
    lft = (x << _U1) | (a[p + k] >> _U63)
    rgt = (x >> _U1) | (a[p + k + _U2] << _U63)
    d0 = lft ^ x ^ rgt
    d1 = _maj(lft, x, rgt)
    g[hd + k] = d0
    g[hd + W + k] = d1
    cc = a[c + k + _U1]
    a0 = g[hu + k]
    a1 = g[hu + W + k]
    h0 = g[hm + k]
    m0 = h0 ^ cc
    m1 = g[hm + W + k] & (h0 | ~cc)
    t1 = a1 ^ m1 ^ d1
    k0 = _maj(a0, m0, d0)
    return cc, a0 ^ m0 ^ d0, t1 ^ k0, _maj(a1, m1, d1), t1 & k0


@njit(nogil=True, cache=True)
def _life_row_conway(a, p, c, g, hu, hm, hd, b, o, W):
    # as pyc_life_row (PYC_LIFE_LOOP with PYC_LIFE_CONWAY): rows p (i + 1), c (i) of
    # ``a``, H rows hu, hm (read) and hd (written) of ``g``, output row o of ``b``
    for k in range(W):
        cc, s0, s1, k1, k2 = _life_count(a, p, c, g, hu, hm, hd, W, k)
        b[o + k + _U1] = s1 & (s0 | cc) & ~(k1 | k2)


@njit(nogil=True, cache=True)
def _life_row_any(a, p, c, g, hu, hm, hd, b, o, W, m):
    # as pyc_life_row (PYC_LIFE_LOOP with PYC_LIFE_ANY)
    B0, B1, B2, B3, B4, B5, B6, B7, B8 = m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
    S0, S1, S2, S3, S4, S5, S6, S7, S8 = (m[9], m[10], m[11], m[12], m[13], m[14], m[15],
                                          m[16], m[17])
    for k in range(W):
        cc, s0, s1, k1, k2 = _life_count(a, p, c, g, hu, hm, hd, W, k)
        lo = _mux(s1, _mux(s0, _mux(cc, S3, B3), _mux(cc, S2, B2)),
                  _mux(s0, _mux(cc, S1, B1), _mux(cc, S0, B0)))
        hi = _mux(s1, _mux(s0, _mux(cc, S7, B7), _mux(cc, S6, B6)),
                  _mux(s0, _mux(cc, S5, B5), _mux(cc, S4, B4)))
        b[o + k + _U1] = _mux(k1 & k2, _mux(cc, S8, B8), _mux(k1 ^ k2, hi, lo))


@njit(nogil=True, cache=True)
def _life_src(r, n0, m0):
    """The packed row that row position ``r`` reads: its border image, or n0 (the dead row)."""
    k = boundary_index(r, n0, m0)
    return n0 if k < 0 else k


@njit(nogil=True, cache=True)
def _life_block(a, b, g, r0, r1, n0, n1, S, conway, m, m0, m1):
    """Rows r0..r1-1 of one generation, ``a`` -> ``b``, as _life_block of the Cython
    kernel; ``g``: the block's ring of H rows, 3 slots of 2 W words at offsets
    hu (row i - 1), hm (row i), hd (row i + 1, written), rotated after each row."""
    W = np.uint64(S - 2)
    US = np.uint64(S)
    wrap = m1 == MODE_WRAP
    hu = np.uint64(0)
    hm = W + W  # (2 * W would be int64 * uint64: float64)
    hd = hm + hm
    if r0 < r1:
        _life_hrow(a, np.uint64(_life_src(r0 - 1, n0, m0)) * US, g, hu, W)
        _life_hrow(a, np.uint64(r0) * US, g, hm, W)
    for i in range(r0, r1):
        p = np.uint64(_life_src(i + 1, n0, m0)) * US
        c = np.uint64(i) * US
        if conway:
            _life_row_conway(a, p, c, g, hu, hm, hd, b, c, W)
        else:
            _life_row_any(a, p, c, g, hu, hm, hd, b, c, W, m)
        _life_fix(b, i * S, S - 2, n1, wrap)  # int64 offsets: a uint64 would mix into float
        hu, hm, hd = hm, hd, hu


@njit(parallel=True, nogil=True, cache=True)
def _life_bits_pass(a, b, ring, nblk, n0, n1, S, conway, m, m0, m1):
    # one block of rows per thread, walked top to bottom with its own ring of H rows
    R = 6 * (S - 2)
    for t in prange(nblk):
        _life_block(a, b, ring[t * R:(t + 1) * R], t * n0 // nblk, (t + 1) * n0 // nblk,
                    n0, n1, S, conway, m, m0, m1)


@njit(nogil=True, cache=True)
def _life_bits(a, b, state, n0, n1, S, steps, rule, m0, m1, n_threads):
    # state = [buffer holding the board (0: a, 1: b), generation], updated at the end
    if state[0] == 1:
        a, b = b, a
    nblk = max(1, min(n_threads, n0))
    ring = np.empty(nblk * 6 * (S - 2), np.uint64)
    m = np.empty(18, np.uint64)
    for k in range(18):
        m[k] = _ONES if (rule >> k) & 1 else np.uint64(0)
    for j in range(S):
        a[n0 * S + j] = np.uint64(0)
        b[n0 * S + j] = np.uint64(0)
    conway = rule == _CONWAY
    for s in range(steps):
        if s % 2 == 0:
            _life_bits_pass(a, b, ring, nblk, n0, n1, S, conway, m, m0, m1)
        else:
            _life_bits_pass(b, a, ring, nblk, n0, n1, S, conway, m, m0, m1)
    state[0] ^= steps & 1
    state[1] += steps


@njit(parallel=True, nogil=True, cache=True)
def _life_pack(src, pk, n0, n1, S, m1, n_threads):
    # a bit per nonzero byte, 64 a word (LLVM: one vector compare into a mask per
    # word at the avx512 level); unsigned offsets, no slices (see _life_hrow)
    W = S - 2
    wrap = m1 == MODE_WRAP
    for i in prange(n0):
        for k in range(W):
            base = np.uint64(i * n1 + 64 * k)
            w = np.uint64(0)
            if n1 - 64 * k >= 64:  # a constant trip count
                for j in range(_U64):
                    if src[base + j] != 0:
                        w |= _U1 << j
            else:
                for j in range(np.uint64(n1 - 64 * k)):
                    if src[base + j] != 0:
                        w |= _U1 << j
            pk[i * S + k + 1] = w
        _life_fix(pk, i * S, W, n1, wrap)


@njit(parallel=True, nogil=True, cache=True)
def _life_unpack(pk, dst, n0, n1, S, n_threads):
    # byte j of a word's 64 = bit j (LLVM: variable shifts and narrowing stores)
    W = S - 2
    for i in prange(n0):
        for k in range(W):
            base = np.uint64(i * n1 + 64 * k)
            w = pk[i * S + k + 1]
            if n1 - 64 * k >= 64:
                for j in range(_U64):
                    dst[base + j] = np.uint8((w >> j) & _U1)
            else:
                for j in range(np.uint64(n1 - 64 * k)):
                    dst[base + j] = np.uint8((w >> j) & _U1)


# ================================================================ Gray-Scott

@njit(nogil=True, cache=True)
def _gs_rowp(ua, va, dv, c, up, dn, ub, vb, bo, dvo, n1, Du, Dv, F, Fk, dt, four, one, m1):
    """One row of one Gray-Scott step, as _gs_rowp of the Cython kernel: the u rows at
    offsets c, up, dn of ``ua``, the v rows ``dv`` further on in ``va``; out to ``ub[bo:]``
    and ``vb[bo + dvo:]``."""
    u = ua[c:c + n1]
    v = va[c + dv:c + dv + n1]
    uu = ua[up:up + n1]
    ud = ua[dn:dn + n1]
    vu = va[up + dv:up + dv + n1]
    vd = va[dn + dv:dn + dv + n1]
    uo = ub[bo:bo + n1]
    vo = vb[bo + dvo:bo + dvo + n1]
    for j in range(1, n1 - 1):
        x = u[j]
        y = v[j]
        lu = (uu[j] + ud[j]) + (u[j - 1] + u[j + 1]) - four * x
        lv = (vu[j] + vd[j]) + (v[j - 1] + v[j + 1]) - four * y
        uvv = x * y * y
        uo[j] = x + dt * (Du * lu - uvv + F * (one - x))
        vo[j] = y + dt * (Dv * lv + uvv - Fk * y)
    for e in range(2 if n1 > 1 else 1):
        j = 0 if e == 0 else n1 - 1
        jl = boundary_index(j - 1, n1, m1)
        jr = boundary_index(j + 1, n1, m1)
        x = u[j]
        y = v[j]
        lu = (uu[j] + ud[j]) + (u[jl] + u[jr]) - four * x
        lv = (vu[j] + vd[j]) + (v[jl] + v[jr]) - four * y
        uvv = x * y * y
        uo[j] = x + dt * (Du * lu - uvv + F * (one - x))
        vo[j] = y + dt * (Dv * lv + uvv - Fk * y)


@njit(nogil=True, cache=True)
def _gs_band(U, V, UY, VY, ring, lo, hi, T, n0, n1, Du, Dv, F, Fk, dt, four, one, m0, m1):
    """``T`` steps of the rows [lo, hi), as _gs_band of the Cython kernel (ring slots:
    a u row, then its v row ``Sp`` further on)."""
    Sp = (n1 + 15) // 16 * 16
    wrap = m0 == MODE_WRAP
    for i in range(lo - (T - 1), hi + T - 1):
        for t in range(1, T + 1):
            r = i - (t - 1)
            if not _in_level(r, t, lo, hi, T, n0, wrap):
                continue
            if wrap:
                ku = r - 1
                kd = r + 1
            else:
                ku = boundary_index(r - 1, n0, m0)
                kd = boundary_index(r + 1, n0, m0)
            ou = UY if t == T else ring
            ov = VY if t == T else ring
            bo = (r % n0) * n1 if t == T else ((t - 1) * 3 + r % 3) * 2 * Sp
            dvo = Sp - Sp if t == T else Sp  # (int64s, never a literal 0: see _heat_slab)
            if t == 1:
                _gs_rowp(U, V, Sp - Sp, (r % n0) * n1, (ku % n0) * n1, (kd % n0) * n1, ou, ov, bo,
                         dvo, n1, Du, Dv, F, Fk, dt, four, one, m1)
            else:
                q = (t - 2) * 3
                _gs_rowp(ring, ring, Sp, (q + r % 3) * 2 * Sp, (q + ku % 3) * 2 * Sp,
                         (q + kd % 3) * 2 * Sp, ou, ov, bo, dvo, n1, Du, Dv, F, Fk, dt, four,
                         one, m1)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _gs_blocks_pass(U, V, UY, VY, ring, nband, T, n0, n1, Du, Dv, F, Fk, dt, four, one, m0,
                    m1):
    # the one parallel Gray-Scott function, at any depth (T = 1: one step, no ring)
    R = ring.shape[0] // nband
    for t in prange(nband):
        _gs_band(U, V, UY, VY, ring[t * R:(t + 1) * R], t * n0 // nband, (t + 1) * n0 // nband,
                 T, n0, n1, Du, Dv, F, Fk, dt, four, one, m0, m1)


@njit(nogil=True, cache=True)
def _gray_scott(u_in, v_in, u_out, v_out, u_tmp, v_tmp, n0, n1, steps, Du, Dv, F, k, dt,
                m0, m1, depth, n_threads):
    sc = np.empty(7, u_out.dtype)  # the coefficients in the arrays' dtype, as the Cython kernel
    sc[0] = Du
    sc[1] = Dv
    sc[2] = F
    sc[3] = F + k
    sc[4] = dt
    sc[5] = 4.0
    sc[6] = 1.0
    a, b, c, d, e, f, g = sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6]
    # blocks of about ``depth`` steps (equal sizes; depth 1: one block a step),
    # bands of rows, one a thread
    depth = max(1, min(depth, steps))
    nblk = (steps + depth - 1) // depth
    nband = min(n_threads, n0)
    ring = np.empty(nband * 6 * (depth - 1) * ((n1 + 15) // 16 * 16), u_out.dtype)
    for s in range(nblk):
        p = _plan(s, nblk, s < 0)  # (False, typed bool: _heat's and _life's specialization)
        T = steps * (s + 1) // nblk - steps * s // nblk
        if p == 0:
            _gs_blocks_pass(u_in, v_in, u_out, v_out, ring, nband, T, n0, n1, a, b, c, d,
                            e, f, g, m0, m1)
        elif p == 1:
            _gs_blocks_pass(u_in, v_in, u_tmp, v_tmp, ring, nband, T, n0, n1, a, b, c, d,
                            e, f, g, m0, m1)
        elif p == 2:
            _gs_blocks_pass(u_tmp, v_tmp, u_out, v_out, ring, nband, T, n0, n1, a, b, c,
                            d, e, f, g, m0, m1)
        else:
            _gs_blocks_pass(u_out, v_out, u_tmp, v_tmp, ring, nband, T, n0, n1, a, b, c,
                            d, e, f, g, m0, m1)


# ================================================================ N-body
# The fast float32 pair loop (kernels/simulation.pyx, "The fast float32 path"): the
# CPU's reciprocal square root estimate and a first-order correction, 32 lanes,
# the same operations as pyc_accel_fast_f, so the same bits as the Cython kernel
# on the same CPU at the same level. Which estimate LLVM may emit depends on the
# CPU Numba compiles for (the host, or NUMBA_CPU_NAME / NUMBA_CPU_FEATURES).


def _nbody_estimate():
    """"rsqrt14" (AVX-512F), "rsqrtps" (AVX2 + FMA) or "" (the exact path) for the CPU
    Numba compiles for; a named CPU without a feature list takes the exact path."""
    on = target_features()
    if "avx512f" in on:
        return "rsqrt14"
    if "avx2" in on and "fma" in on:
        return "rsqrtps"
    return ""


NBODY_ESTIMATE = _nbody_estimate()
#: float64's estimate: AVX-512 only (AVX2 has no float64 reciprocal square root)
NBODY_ESTIMATE_F64 = "rsqrt14" if NBODY_ESTIMATE == "rsqrt14" else ""
NB_LANES = 32  # lanes of the fast loop: two <16 x float> vectors a component
FAST_EPS2 = np.float32(2.0 ** -80)  # the fast loop needs r2 >= eps2 >= this (see the .pyx)


def _fcall(builder, name, ret, args):
    fn = cgutils.get_or_insert_function(builder.module,
                                        ir.FunctionType(ret, [a.type for a in args]), name)
    return builder.call(fn, args)


def _rsqrt_est(builder, x):
    """The CPU's estimate of 1/sqrt(x) on a <16 x float> (vrsqrt14ps zmm, or vrsqrtps
    on two ymm halves)."""
    vt = x.type
    if NBODY_ESTIMATE == "rsqrt14":
        return _fcall(builder, "llvm.x86.avx512.rsqrt14.ps.512", vt,
                      [x, ir.Constant(vt, [0.0] * 16), ir.Constant(ir.IntType(16), -1)])
    ht = ir.VectorType(vt.element, 8)
    halves = []
    for h in range(2):
        part = builder.shuffle_vector(x, ir.Constant(vt, ir.Undefined),
                                      ir.Constant(ir.VectorType(_I32, 8),
                                                  list(range(8 * h, 8 * h + 8))))
        halves.append(_fcall(builder, "llvm.x86.avx.rsqrt.ps.256", ht, [part]))
    return builder.shuffle_vector(halves[0], halves[1],
                                  ir.Constant(ir.VectorType(_I32, 16), list(range(16))))


def _blocks(builder, P, tail, it, lanes, L, nsrc, pair):
    """The pair loops' driver: full blocks of ``lanes`` sources from the arrays ``P``
    (two vectors of ``L``), then the zero-padded ``tail`` array once where n % lanes;
    ``pair(*vectors of the nsrc source arrays, v)`` for vector v of a block."""
    n = cgutils.unpack_tuple(builder, P[0].a.shape, 1)[0]
    vt = ir.VectorType(P[0].c.get_data_type(P[0].ty.dtype), L)
    nblk = builder.sdiv(n, _const(it, lanes))
    with cgutils.for_range(builder, nblk) as loop:
        j = builder.mul(loop.index, _const(it, lanes))
        for v in range(2):
            k = builder.add(j, _const(it, L * v))
            pair(*(P[c].vget(k, vt) for c in range(nsrc)), v)
    with builder.if_then(builder.icmp_signed("!=", builder.mul(nblk, _const(it, lanes)), n)):
        for v in range(2):
            pair(*(tail.vget(_const(it, lanes * c + L * v), vt) for c in range(nsrc)), v)


def _fold(builder, acc, L):
    """Each component's two accumulator vectors folded pairwise as the C fold (lane
    l < w += lane l + w, w = L, L/2, ... 1): the three lane-0 sums."""
    out = []
    for a0, a1 in acc:
        s = builder.fadd(builder.load(a0), builder.load(a1))
        w = L // 2
        while w >= 1:
            idx = [l + w if l + w < L else L - 1 for l in range(L)]
            s = builder.fadd(s, builder.shuffle_vector(
                s, ir.Constant(s.type, ir.Undefined), ir.Constant(ir.VectorType(_I32, L), idx)))
            w //= 2
        out.append(builder.extract_element(s, _const(_I32, 0)))
    return out


def _accel_codegen(context, builder, signature, arrs, args, L, lanes, weight):
    """The fast pair loops' shared body (``arrs``: px, py, pz, the mass arrays, then
    the zero-padded tail; ``args``: their values, then i and eps2): d = x_j - x_i,
    r2 = fma(dz, dz, fma(dy, dy, fma(dx, dx, eps2))) clamped as vminps(MAX, r2) (a NaN
    stays NaN), w = ``weight(builder, vt, r2, *mass vectors)``, acc += w d by fma, in
    two vectors of ``L`` lanes a component; returns the tuple of the folded sums."""
    nsrc = len(arrs) - 1
    P = [_Arr(context, builder, t, v) for t, v in zip(arrs, args[:nsrc + 1])]
    iv, ev = args[nsrc + 1], args[nsrc + 2]
    f32 = isinstance(ev.type, ir.FloatType)
    vt = ir.VectorType(ev.type, L)
    fma = f"llvm.fma.v{L}{'f32' if f32 else 'f64'}"
    xi, yi, zi = (_splat(builder, P[c].get(iv), vt) for c in range(3))
    e = _splat(builder, ev, vt)
    big = ir.Constant(vt, [float(np.finfo(np.float32 if f32 else np.float64).max)] * L)
    zero = ir.Constant(vt, [0.0] * L)
    acc = [[cgutils.alloca_once_value(builder, zero) for _ in range(2)] for _ in range(3)]

    def pair(X, Y, Z, *rest):
        *M, v = rest
        d = [builder.fsub(X, xi), builder.fsub(Y, yi), builder.fsub(Z, zi)]
        r2 = _fcall(builder, fma, vt, [d[0], d[0], e])
        r2 = _fcall(builder, fma, vt, [d[1], d[1], r2])
        r2 = _fcall(builder, fma, vt, [d[2], d[2], r2])
        r2 = builder.select(builder.fcmp_ordered("<", big, r2), big, r2)
        w = weight(builder, vt, fma, r2, *M)
        for k in range(3):
            a = acc[k][v]
            builder.store(_fcall(builder, fma, vt, [w, d[k], builder.load(a)]), a)

    _blocks(builder, P, P[nsrc], iv.type, lanes, L, nsrc, pair)
    return context.make_tuple(builder, signature.return_type, _fold(builder, acc, L))


@intrinsic
def _vaccel(typingctx, px, py, pz, m, m53, tail, i, eps2):
    """The fast loop's three folded lane sums for body ``i`` (the caller multiplies by
    G * 1.5): full blocks of 32 sources from the arrays, then the last n % 32 from
    ``tail`` (px, py, pz, m, m53 of those sources, 32 each, zero padded), as
    pyc_accel_fast_f reads them with masked loads."""
    arrs = (px, py, pz, m, m53, tail)
    if not all(_c1(a) and a.dtype == types.float32 for a in arrs):
        return None
    f = types.float32
    sig = types.UniTuple(f, 3)(px, py, pz, m, m53, tail, types.intp, f)

    def weight(builder, vt, fma, r2, M, MA):
        # y = estimate, c = m53 - m r2 y^2 (one fma), w = c y^3
        y = _rsqrt_est(builder, r2)
        y2 = builder.fmul(y, y)
        c = _fcall(builder, fma, vt, [builder.fneg(M), builder.fmul(r2, y2), MA])
        return builder.fmul(c, builder.fmul(y, y2))

    def codegen(context, builder, signature, args):
        return _accel_codegen(context, builder, signature, arrs, args, 16, NB_LANES, weight)

    return sig, codegen


NB_LANES64 = 16  # float64 lanes: two <8 x double> vectors a component
FAST_EPS2_64 = 2.0 ** -600  # keeps y^3 finite (the .pyx: pyc_nbody_fast_d)


@intrinsic
def _vaccel64(typingctx, px, py, pz, m, tail, i, eps2):
    """float64 twin of _vaccel (AVX-512 only, kernels/simulation.pyx pyc_accel_fast_d):
    vrsqrt14pd, d = r2 y^2 - 1, w = (m p(d)) (y y^2) with p(d) = 1 - 1.5 d + 1.875 d^2
    - 2.1875 d^3; 16 lanes; ``tail``: px, py, pz, m of the last n % 16 sources, 16 each,
    zero padded."""
    arrs = (px, py, pz, m, tail)
    if not all(_c1(a) and a.dtype == types.float64 for a in arrs):
        return None
    f = types.float64
    sig = types.UniTuple(f, 3)(px, py, pz, m, tail, types.intp, f)

    def weight(builder, vt, fma, r2, M):
        def cst(v):
            return ir.Constant(vt, [v] * 8)

        one = cst(1.0)
        y = _fcall(builder, "llvm.x86.avx512.rsqrt14.pd.512", vt,
                   [r2, cst(0.0), ir.Constant(ir.IntType(8), -1)])
        y2 = builder.fmul(y, y)
        dd = _fcall(builder, fma, vt, [r2, y2, builder.fneg(one)])  # vfmsub
        q = _fcall(builder, fma, vt, [cst(-2.1875), dd, cst(1.875)])
        q = _fcall(builder, fma, vt, [q, dd, cst(-1.5)])
        q = _fcall(builder, fma, vt, [q, dd, one])
        return builder.fmul(builder.fmul(M, q), builder.fmul(y, y2))

    def codegen(context, builder, signature, args):
        return _accel_codegen(context, builder, signature, arrs, args, 8, NB_LANES64, weight)

    return sig, codegen


@njit(parallel=True, nogil=True, cache=True)
def _accel_pass_fast64(px, py, pz, m, tail, ax, ay, az, G, eps2, lo, hi):
    for t in prange(hi - lo):
        i = lo + t
        sx, sy, sz = _vaccel64(px, py, pz, m, tail, i, eps2)
        ax[i] = G * sx
        ay[i] = G * sy
        az[i] = G * sz


@njit(parallel=True, nogil=True, cache=True)
def _accel_pass_fast(px, py, pz, m, m53, tail, ax, ay, az, G, eps2, lo, hi):
    g = G * np.float32(1.5)
    for t in prange(hi - lo):
        i = lo + t
        sx, sy, sz = _vaccel(px, py, pz, m, m53, tail, i, eps2)
        ax[i] = g * sx
        ay[i] = g * sy
        az[i] = g * sz


@njit(nogil=True, cache=True)
def _tail(srcs, lanes):
    """The last n % lanes sources of each array in ``srcs``, ``lanes`` each, zero padded,
    one after the other: the fast loops' tail block (the Cython kernels' masked loads)."""
    n = srcs[0].shape[0]
    k0 = n - n % lanes
    tail = np.zeros(len(srcs) * lanes, srcs[0].dtype)
    c = 0
    for a in literal_unroll(srcs):
        for j in range(k0, n):
            tail[c * lanes + j - k0] = a[j]
        c += 1
    return tail


def _fast_pass(px, py, pz, m, ax, ay, az, G, eps2, lo, hi):
    """Run the fast pair loop for bodies lo..hi and return True where it applies
    (float32, softening, a CPU with an estimate); False: the caller runs the exact one."""
    raise NotImplementedError("jitted code only")


@overload(_fast_pass)
def _fast_pass_jit(px, py, pz, m, ax, ay, az, G, eps2, lo, hi):
    if (NBODY_ESTIMATE == "rsqrt14" and isinstance(px, types.Array)
            and px.dtype == types.float64 and m.dtype == types.float64):
        def impl64(px, py, pz, m, ax, ay, az, G, eps2, lo, hi):
            if not eps2 >= FAST_EPS2_64:
                return False
            tail = _tail((px, py, pz, m), NB_LANES64)
            _accel_pass_fast64(px, py, pz, m, tail, ax, ay, az, G, eps2, lo, hi)
            return True

        return impl64
    if not (NBODY_ESTIMATE and isinstance(px, types.Array) and px.dtype == types.float32
            and m.dtype == types.float32):
        return lambda px, py, pz, m, ax, ay, az, G, eps2, lo, hi: False

    def impl(px, py, pz, m, ax, ay, az, G, eps2, lo, hi):
        # as kernels/simulation.pyx _m53: the exact loop where G * 3/2 or a mass * 5/3
        # would overflow float32
        if not eps2 >= FAST_EPS2 or np.isinf(G * np.float32(1.5)):
            return False
        n = px.shape[0]
        m53 = np.empty(n, np.float32)
        for j in range(n):
            m53[j] = np.float32(np.float64(m[j]) * (5.0 / 3.0))
            if np.isinf(m53[j]):
                return False
        tail = _tail((px, py, pz, m, m53), NB_LANES)
        _accel_pass_fast(px, py, pz, m, m53, tail, ax, ay, az, G, eps2, lo, hi)
        return True

    return impl


@njit(parallel=True, nogil=True, cache=True, fastmath=_FM)
def _accel_pass(px, py, pz, m, ax, ay, az, G, eps2, lo, hi):
    n = px.shape[0]
    zero = G - G
    for t in prange(hi - lo):
        i = lo + t
        xi = px[i]
        yi = py[i]
        zi = pz[i]
        sx = zero
        sy = zero
        sz = zero
        for j in range(n):
            dx = px[j] - xi
            dy = py[j] - yi
            dz = pz[j] - zi
            r2 = dx * dx + dy * dy + dz * dz + eps2
            w = m[j] / (r2 * np.sqrt(r2)) if r2 > zero else zero
            sx += w * dx
            sy += w * dy
            sz += w * dz
        ax[i] = G * sx
        ay[i] = G * sy
        az[i] = G * sz


@njit(nogil=True, cache=True)
def _scalar(like, x):
    one = like[:1].copy()
    one[0] = x
    return one[0]


@njit(nogil=True, cache=True)
def _nbody_accelerations(px, py, pz, m, ax, ay, az, G, eps2, n_threads, t0, t1):
    """Accelerations of bodies ``t0 <= i < min(t1, n)``; returns ``n`` (one task a body)."""
    n = px.shape[0]
    lo = max(t0, 0)
    hi = min(t1, n)
    if lo < hi:
        fG = _scalar(px, G)
        fe = _scalar(px, eps2)
        if not _fast_pass(px, py, pz, m, ax, ay, az, fG, fe, lo, hi):
            _accel_pass(px, py, pz, m, ax, ay, az, fG, fe, lo, hi)
    return n


@njit(parallel=True, nogil=True, cache=True, fastmath=_FM)
def _potential_pass(px, py, pz, m, eps2, out, lo, hi):
    n = px.shape[0]
    for t in prange(hi - lo):
        i = lo + t
        xi = np.float64(px[i])
        yi = np.float64(py[i])
        zi = np.float64(pz[i])
        s = 0.0
        for j in range(n):
            dx = np.float64(px[j]) - xi
            dy = np.float64(py[j]) - yi
            dz = np.float64(pz[j]) - zi
            r2 = dx * dx + dy * dy + dz * dz + eps2
            s += np.float64(m[j]) / np.sqrt(r2) if r2 > 0.0 else 0.0
        out[i] = s


@njit(nogil=True, cache=True)
def _nbody_potentials(px, py, pz, m, eps2, out, n_threads, t0, t1):
    """Potentials of bodies ``t0 <= i < min(t1, n)``; returns ``n`` (one task a body)."""
    n = px.shape[0]
    lo = max(t0, 0)
    hi = min(t1, n)
    if lo < hi:
        _potential_pass(px, py, pz, m, np.float64(eps2), out, lo, hi)
    return n


@njit(parallel=True, nogil=True, cache=True)
def _kick_drift(px, py, pz, vx, vy, vz, ax, ay, az, h, dt):
    for i in prange(px.shape[0]):
        vx[i] += h * ax[i]
        vy[i] += h * ay[i]
        vz[i] += h * az[i]
        px[i] += dt * vx[i]
        py[i] += dt * vy[i]
        pz[i] += dt * vz[i]


@njit(parallel=True, nogil=True, cache=True)
def _kick(vx, vy, vz, ax, ay, az, h):
    for i in prange(vx.shape[0]):
        vx[i] += h * ax[i]
        vy[i] += h * ay[i]
        vz[i] += h * az[i]


@njit(nogil=True, cache=True)
def _nbody_step(px, py, pz, vx, vy, vz, m, ax, ay, az, steps, dt, G, eps2, acc_ready,
                n_threads):
    fdt = _scalar(px, dt)
    h = _scalar(px, 0.5 * dt)
    fG = _scalar(px, G)
    fe = _scalar(px, eps2)
    n = px.shape[0]
    if not acc_ready:  # else ax/ay/az hold the accelerations at px/py/pz (a previous call's)
        if not _fast_pass(px, py, pz, m, ax, ay, az, fG, fe, 0, n):
            _accel_pass(px, py, pz, m, ax, ay, az, fG, fe, 0, n)
    for s in range(steps):
        _kick_drift(px, py, pz, vx, vy, vz, ax, ay, az, h, fdt)
        if not _fast_pass(px, py, pz, m, ax, ay, az, fG, fe, 0, n):
            _accel_pass(px, py, pz, m, ax, ay, az, fG, fe, 0, n)
        _kick(vx, vy, vz, ax, ay, az, h)


# One step cut in three for a long pair pass (as kernels/simulation.pyx): the same
# element operations as _nbody_step's, so the same bits.

@njit(nogil=True, cache=True)
def _nbody_kick_drift(px, py, pz, vx, vy, vz, ax, ay, az, dt, n_threads):
    _kick_drift(px, py, pz, vx, vy, vz, ax, ay, az, _scalar(px, 0.5 * dt), _scalar(px, dt))


@njit(nogil=True, cache=True)
def _nbody_kick(vx, vy, vz, ax, ay, az, dt, n_threads):
    _kick(vx, vy, vz, ax, ay, az, _scalar(vx, 0.5 * dt))


# Public kernels: the thread count (last argument) is applied around the call.
heat = threaded(_heat)
life_pack = threaded(_life_pack)
life_bits = threaded(_life_bits)
life_unpack = threaded(_life_unpack)
gray_scott = threaded(_gray_scott)
nbody_accelerations = threaded(_nbody_accelerations, -3)
nbody_potentials = threaded(_nbody_potentials, -3)
nbody_step = threaded(_nbody_step)
nbody_kick_drift = threaded(_nbody_kick_drift)
nbody_kick = threaded(_nbody_kick)
