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
<16 x float> on AVX-512); the N-body source loop runs with
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

from ._boundary import boundary_index
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


@njit(parallel=True, nogil=True, cache=True)
def _heat_pass(a, b, n0, n1, n2, nout, nch, L, c0, al, m0, m1, m2, cval):
    # Rows are offsets into the flat arrays; a neighbour row outside a
    # 'constant' border has offset -1 and its row takes the slow loop (slices of
    # the input and a row of constants would unify to an 'A'-layout array type
    # that LLVM does not vectorize).
    for t in prange(n0 * n1 * nch):
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
        dst[:] = tmp[:dst.size]


# ================================================================ Game of Life

@njit(nogil=True, cache=True)
def _cell(a, off, j, n, mode):
    """Cell j of the row at ``off`` (0 outside a 'constant' border, or for off < 0)."""
    if off < 0:
        return np.uint32(0)
    k = boundary_index(j, n, mode)
    return np.uint32(0) if k < 0 else np.uint32(a[off + k])


@njit(nogil=True, cache=True)
def _life_cell(a, b, up, c, dn, j, n1, rule, m1):
    cnt = np.uint32(0)
    for dj in (-1, 0, 1):
        cnt += _cell(a, up, j + dj, n1, m1) + _cell(a, dn, j + dj, n1, m1)
        if dj != 0:
            cnt += _cell(a, c, j + dj, n1, m1)
    idx = cnt + np.uint32(9) * np.uint32(a[c + j])
    b[c + j] = np.uint8((rule >> idx) & np.uint32(1))


@njit(parallel=True, nogil=True, cache=True)
def _life_pass(a, b, n0, n1, rule, m0, m1):
    # rows by offset into the flat board (see _heat_pass); -1 = a dead row
    for i in prange(n0):
        ku = boundary_index(i - 1, n0, m0)
        kd = boundary_index(i + 1, n0, m0)
        up = ku * n1 if ku >= 0 else -1
        dn = kd * n1 if kd >= 0 else -1
        c = i * n1
        if up >= 0 and dn >= 0:
            # shifted slices, index from 0 (see _heat_pass)
            m = n1 - 2 if n1 > 2 else 0
            ul, uc, ur = a[up:up + m], a[up + 1:up + 1 + m], a[up + 2:up + 2 + m]
            cl, cc, cr = a[c:c + m], a[c + 1:c + 1 + m], a[c + 2:c + 2 + m]
            dl, dc, dr = a[dn:dn + m], a[dn + 1:dn + 1 + m], a[dn + 2:dn + 2 + m]
            o = b[c + 1:c + 1 + m]
            for j in range(m):
                cnt = (((ul[j] + uc[j]) + (ur[j] + cl[j])) + ((cr[j] + dl[j]) + (dc[j] + dr[j])))
                idx = np.uint32(cnt) + np.uint32(9) * np.uint32(cc[j])
                o[j] = np.uint8((rule >> idx) & np.uint32(1))
            _life_cell(a, b, up, c, dn, 0, n1, rule, m1)
            if n1 > 1:
                _life_cell(a, b, up, c, dn, n1 - 1, n1, rule, m1)
        else:  # next to a dead border row: the whole row through the modes
            for j in range(n1):
                _life_cell(a, b, up, c, dn, j, n1, rule, m1)


@njit(nogil=True, cache=True)
def _life(src, dst, tmp, n0, n1, steps, rule, m0, m1, inplace, n_threads):
    r = np.uint32(rule)
    for s in range(steps):
        p = _plan(s, steps, inplace)
        if p == 0:
            _life_pass(src, dst, n0, n1, r, m0, m1)
        elif p == 1:
            _life_pass(src, tmp, n0, n1, r, m0, m1)
        elif p == 2:
            _life_pass(tmp, dst, n0, n1, r, m0, m1)
        else:
            _life_pass(dst, tmp, n0, n1, r, m0, m1)
    if inplace and steps % 2 == 1:
        dst[:] = tmp[:dst.size]


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
        p = _plan(s, steps, False)
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
life = threaded(_life)
gray_scott = threaded(_gray_scott)
nbody_accelerations = threaded(_nbody_accelerations)
nbody_potentials = threaded(_nbody_potentials)
nbody_step = threaded(_nbody_step)
