"""Simulation steps for the Numba backend: the twin of kernels/simulation.pyx.

Same functions, same arguments in the same order, the thread count last. A
top-level kernel sets Numba's thread count for the call, runs the step loop
and restores the previous count; each step is one ``prange`` pass (Numba has no
persistent parallel region, so a step is one fork/join on the TBB pool, and no
Python runs between steps). Grids are double buffered exactly as the Cython
kernels do (``_plan``). Every output element is computed from the previous
state alone, so results are bitwise identical at any thread count.

SIMD: the stencil interior loops are contiguous, branch free loops over 1-D
row views that LLVM vectorizes (checked in the LLVM IR: <8 x double> /
<16 x float> on AVX-512); the bit-sliced Life word loops run 8 x uint64 a zmm
(checked with ``inspect_asm``: vpternlogq for the adders and the rule, and, as
Numba compiles for the host CPU, vpshldq for the one-bit shifts where the CPU
has AVX512-VBMI2: 32 instructions per 512 cells for B3/S23); the N-body source
loop runs with
``fastmath={"reassoc", "contract"}`` so its sums vectorize (the order of the
per-body sum is fixed at compile time, so it does not depend on threads).
Compiled lazily on first call per dtype and cached on disk; the thread count
(last argument) is applied around each call by ``_layer.threaded`` (a jitted
function that called ``numba.set_num_threads`` could not be cached).
C-contiguous arrays only.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._boundary import MODE_WRAP, boundary_index
from ._layer import threaded

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

@njit(nogil=True, cache=True)
def _off(k, n2):
    """Start of row ``k`` in the flat grid, or -1 (the row of constants) for k < 0."""
    return k * n2 if k >= 0 else -1


@njit(nogil=True, cache=True)
def _get(a, off, j, cval):
    return cval if off < 0 else a[off + j]


@njit(nogil=True, cache=True)
def _at(a, co, j, n, mode, cval):
    k = boundary_index(j, n, mode)
    return cval if k < 0 else a[co + k]


@njit(nogil=True, cache=True)
def _heat_task(a, b, t, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cval):
    """Task ``t`` of _heat_pass (one row chunk): a plain function, so the parfor
    passes (array analysis, hoisting, gufunc typing) see a one-call loop body."""
    r = t // nch
    lo = (t % nch) * L
    hi = min(lo + L, n2)
    i0 = r // n1
    i1 = r % n1
    co = r * n2
    pm = co
    pp = co
    qm = co
    qp = co
    if nout == 2:
        k = boundary_index(i0 - 1, n0, m0)
        pm = _off(k * n1 + i1 if k >= 0 else -1, n2)
        k = boundary_index(i0 + 1, n0, m0)
        pp = _off(k * n1 + i1 if k >= 0 else -1, n2)
        k = boundary_index(i1 - 1, n1, m1)
        qm = _off(i0 * n1 + k if k >= 0 else -1, n2)
        k = boundary_index(i1 + 1, n1, m1)
        qp = _off(i0 * n1 + k if k >= 0 else -1, n2)
    elif nout == 1:
        pm = _off(boundary_index(i1 - 1, n1, m1), n2)
        pp = _off(boundary_index(i1 + 1, n1, m1), n2)
    ja = max(lo, 1)
    jb = min(hi, n2 - 1)
    if pm < 0 or pp < 0 or qm < 0 or qp < 0:
        for j in range(ja, jb):
            x = (_get(a, pm, j, cval) + _get(a, pp, j, cval))
            if nout == 2:
                x = x + (_get(a, qm, j, cval) + _get(a, qp, j, cval))
            b[co + j] = c0 * a[co + j] + al * (x + (a[co + j - 1] + a[co + j + 1]))
    else:
        # slices that start at the loop's first element: the index runs from 0,
        # so Numba emits no negative-index wraparound selects and LLVM vectorizes
        m = jb - ja
        c = a[co + ja:co + jb]
        cl = a[co + ja - 1:co + jb - 1]
        cr = a[co + ja + 1:co + jb + 1]
        o = b[co + ja:co + jb]
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
        b[co + j] = c0 * a[co + j] + al * x


@njit(parallel=True, nogil=True, cache=True)
def _heat_pass(a, b, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cval):
    # Rows are offsets into the flat arrays; a neighbour row outside a
    # 'constant' border has offset -1 and its row takes the slow loop (slices of
    # the input and a row of constants would unify to an 'A'-layout array type
    # that LLVM does not vectorize).
    for t in prange(n0 * n1 * nch):
        _heat_task(a, b, np.int64(t), n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cval)


@njit(nogil=True, cache=True)
def _heat(src, dst, tmp, n0, n1, n2, nout, steps, alpha, m0, m1, m2, cval, inplace, n_threads):
    nch = (n2 + CHUNK - 1) // CHUNK
    L = (n2 + nch - 1) // nch
    one = dst[:1].copy()
    one[0] = 1.0 - 2.0 * (nout + 1) * alpha
    c0 = one[0]
    one[0] = alpha
    al = one[0]
    one[0] = cval
    cv = one[0]
    for s in range(steps):
        p = _plan(s, steps, inplace)
        if p == 0:
            _heat_pass(src, dst, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cv)
        elif p == 1:
            _heat_pass(src, tmp, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cv)
        elif p == 2:
            _heat_pass(tmp, dst, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cv)
        else:
            _heat_pass(dst, tmp, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cv)
    if inplace and steps % 2 == 1:
        _copy(tmp, dst)


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

@njit(parallel=True, nogil=True, cache=True)
def _gs_pass(ua, va, ub, vb, n0, n1, Du, Dv, F, Fk, dt, four, one, m0, m1):
    for i in prange(n0):
        ku = boundary_index(i - 1, n0, m0)
        kd = boundary_index(i + 1, n0, m0)
        u = ua[i * n1:(i + 1) * n1]
        v = va[i * n1:(i + 1) * n1]
        uu = ua[ku * n1:(ku + 1) * n1]
        ud = ua[kd * n1:(kd + 1) * n1]
        vu = va[ku * n1:(ku + 1) * n1]
        vd = va[kd * n1:(kd + 1) * n1]
        uo = ub[i * n1:(i + 1) * n1]
        vo = vb[i * n1:(i + 1) * n1]
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
def _gray_scott(u_in, v_in, u_out, v_out, u_tmp, v_tmp, n0, n1, steps, Du, Dv, F, k, dt,
               m0, m1, n_threads):
    sc = np.empty(7, u_out.dtype)  # the coefficients in the arrays' dtype, as the Cython kernel
    sc[0] = Du
    sc[1] = Dv
    sc[2] = F
    sc[3] = F + k
    sc[4] = dt
    sc[5] = 4.0
    sc[6] = 1.0
    a, b, c, d, e, f, g = sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6]
    for s in range(steps):
        p = _plan(s, steps, s < 0)  # (False, typed bool: _heat's and _life's specialization)
        if p == 0:
            _gs_pass(u_in, v_in, u_out, v_out, n0, n1, a, b, c, d, e, f, g, m0, m1)
        elif p == 1:
            _gs_pass(u_in, v_in, u_tmp, v_tmp, n0, n1, a, b, c, d, e, f, g, m0, m1)
        elif p == 2:
            _gs_pass(u_tmp, v_tmp, u_out, v_out, n0, n1, a, b, c, d, e, f, g, m0, m1)
        else:
            _gs_pass(u_out, v_out, u_tmp, v_tmp, n0, n1, a, b, c, d, e, f, g, m0, m1)


# ================================================================ N-body

@njit(parallel=True, nogil=True, cache=True, fastmath=_FM)
def _accel_pass(px, py, pz, m, ax, ay, az, G, eps2):
    n = px.shape[0]
    zero = G - G
    for i in prange(n):
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
def _nbody_accelerations(px, py, pz, m, ax, ay, az, G, eps2, n_threads):
    _accel_pass(px, py, pz, m, ax, ay, az, _scalar(px, G), _scalar(px, eps2))


@njit(parallel=True, nogil=True, cache=True, fastmath=_FM)
def _potential_pass(px, py, pz, m, eps2, out):
    n = px.shape[0]
    for i in prange(n):
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
def _nbody_potentials(px, py, pz, m, eps2, out, n_threads):
    _potential_pass(px, py, pz, m, np.float64(eps2), out)


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
    if not acc_ready:  # else ax/ay/az hold the accelerations at px/py/pz (a previous call's)
        _accel_pass(px, py, pz, m, ax, ay, az, fG, fe)
    for s in range(steps):
        _kick_drift(px, py, pz, vx, vy, vz, ax, ay, az, h, fdt)
        _accel_pass(px, py, pz, m, ax, ay, az, fG, fe)
        _kick(vx, vy, vz, ax, ay, az, h)


# Public kernels: the thread count (last argument) is applied around the call.
heat = threaded(_heat)
life_pack = threaded(_life_pack)
life_bits = threaded(_life_bits)
life_unpack = threaded(_life_unpack)
gray_scott = threaded(_gray_scott)
nbody_accelerations = threaded(_nbody_accelerations)
nbody_potentials = threaded(_nbody_potentials)
nbody_step = threaded(_nbody_step)
