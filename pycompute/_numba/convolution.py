"""Numba twins of kernels/convolution.pyx: same names, same arguments, same order.

    correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads)
    correlate(x, out, ocode, w, offs, mode, cval, n_threads)
    uniform1d(x, out, ocode, size, lo, exact, mode, cval, n_threads)

``x`` is C-contiguous 3-D, ``out`` the output as flat bytes with dtype code
``ocode`` (see ``OUT_CODES``), ``w``'s dtype the working precision. One
difference from the Cython kernels, made by the dispatcher: ``x`` arrives
already in the working dtype (float64, or float32 for float32 work), so each
kernel compiles for two input types only instead of ten input x ten output
types; the exact int -> float64 conversion happens before the call instead of
in the loop. Per-pixel term order and the final casts are those of the Cython
kernels (and of scipy.ndimage), so results agree bit for bit in float64 work.
No ``fastmath``: it would reorder the sums and drop NaN semantics (so float32
work is mul + add where Cython uses fma: within the float32 tolerance, not
bit-equal to Cython). The Cython fast paths have twins here with the same
structure: ``separable2`` (two passes fused, rows copied into a ring) and
``_dense_ring`` (float32 full grids: ring-copied rows, up to four taps fused per
pass over an L1-sized accumulator). Not ported (speed only, results are the
same): explicit register blocking with vector shuffles, non-temporal stores,
and in-place slab passes (the dispatcher gives Numba a temporary instead). Hot loops index views from 0 so
LLVM vectorizes them (checked on the LLVM IR: <16 x float> / <8 x double>).
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from ._boundary import boundary_index
from ._layer import call_with_threads

CHUNK = 512
#: the dispatcher hands these kernels the input already in the working dtype
READS_WORK_DTYPE = True
#: output dtype -> code (same table as kernels/convolution.pyx)
OUT_CODES = {np.dtype(n): i for i, n in enumerate(
    ("float32", "float64", "int8", "int16", "int32", "int64",
     "uint8", "uint16", "uint32", "uint64"))}
_TWO63 = 9223372036854775808.0
_TOP = np.uint64(1 << 63)


@njit(inline="always", nogil=True, cache=True)
def _store(acc, n, out, off, code):
    """Bytes of ``out`` from element ``off``: acc[:n] cast as scipy's C casts do (x86-64).

    Loops index views from 0 (non-negative indices: no wrap-around branch, so
    LLVM vectorizes them); the same holds for every hot loop below."""
    if code == 0:
        o = out.view(np.float32)[off:off + n]
        for i in range(n):
            o[i] = np.float32(acc[i])
    elif code == 1:
        o = out.view(np.float64)[off:off + n]
        for i in range(n):
            o[i] = np.float64(acc[i])
    elif code == 2:
        o = out.view(np.int8)[off:off + n]
        for i in range(n):
            o[i] = np.int8(np.int32(acc[i]))
    elif code == 3:
        o = out.view(np.int16)[off:off + n]
        for i in range(n):
            o[i] = np.int16(np.int32(acc[i]))
    elif code == 4:
        o = out.view(np.int32)[off:off + n]
        for i in range(n):
            o[i] = np.int32(acc[i])
    elif code == 5:
        o = out.view(np.int64)[off:off + n]
        for i in range(n):
            o[i] = np.int64(acc[i])
    elif code == 6:
        o = out.view(np.uint8)[off:off + n]
        for i in range(n):
            o[i] = np.uint8(np.int32(acc[i]))
    elif code == 7:
        o = out.view(np.uint16)[off:off + n]
        for i in range(n):
            o[i] = np.uint16(np.int32(acc[i]))
    elif code == 8:
        o = out.view(np.uint32)[off:off + n]
        for i in range(n):
            o[i] = np.uint32(np.int64(acc[i]))
    else:
        o = out.view(np.uint64)[off:off + n]
        for i in range(n):
            v = np.float64(acc[i])
            if not (v >= _TWO63):
                o[i] = np.uint64(np.int64(v))
            else:
                o[i] = np.uint64(np.int64(v - _TWO63)) ^ _TOP


@njit(inline="always", nogil=True, cache=True)
def _fetch1(x, base, m, sh, N, B, mode, cv):
    i = m // B
    r = boundary_index(i + sh, N, mode)
    if r < 0:
        return cv
    return x[base + r * B + (m - i * B)]


@njit(inline="always", nogil=True, cache=True)
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
    if init:
        for j in range(jlo):
            acc[j] = _fetch1(x, base, m0 + j, sh, N, B, mode, cv) * wk
        for j in range(jhi - jlo):
            ac[j] = xs[j] * wk
        for j in range(jhi, n):
            acc[j] = _fetch1(x, base, m0 + j, sh, N, B, mode, cv) * wk
    else:
        for j in range(jlo):
            acc[j] = acc[j] + _fetch1(x, base, m0 + j, sh, N, B, mode, cv) * wk
        for j in range(jhi - jlo):
            ac[j] = ac[j] + xs[j] * wk
        for j in range(jhi, n):
            acc[j] = acc[j] + _fetch1(x, base, m0 + j, sh, N, B, mode, cv) * wk


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
    for j in range(jlo):
        a = _fetch1(x, base, m0 + j, sa, N, B, mode, cv)
        b = _fetch1(x, base, m0 + j, sb, N, B, mode, cv)
        acc[j] = acc[j] + ((a + b) if sym > 0 else (a - b)) * wk
    if sym > 0:
        for j in range(jhi - jlo):
            ac[j] = ac[j] + (xa[j] + xb[j]) * wk
    else:
        for j in range(jhi - jlo):
            ac[j] = ac[j] + (xa[j] - xb[j]) * wk
    for j in range(jhi, n):
        a = _fetch1(x, base, m0 + j, sa, N, B, mode, cv)
        b = _fetch1(x, base, m0 + j, sb, N, B, mode, cv)
        acc[j] = acc[j] + ((a + b) if sym > 0 else (a - b)) * wk


@njit(parallel=True, nogil=True, cache=True)
def _correlate1d(x, out, ocode, w, lo, sym, mode, cval, div):
    """1-D correlation along axis 1 of ``x`` (A, N, B); ``div`` != 1 divides the sums."""
    A, N, B = x.shape
    K = w.shape[0]
    M = N * B
    nch = (M + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    dv = w.dtype.type(div)
    c = K // 2
    for t in prange(A * nch):
        a = t // nch
        m0 = (t - a * nch) * CHUNK
        n = min(M - m0, CHUNK)
        base = a * M
        acc = np.empty(CHUNK, w.dtype)
        if sym != 0:
            _term1(acc, xf, base, m0, n, c - lo, w[c], True, N, B, mode, cv)
            for k in range(c):
                _term2(acc, xf, base, m0, n, k - lo, 2 * c - k - lo, w[k], sym, N, B, mode, cv)
        else:
            _term1(acc, xf, base, m0, n, K - 1 - lo, w[K - 1], True, N, B, mode, cv)
            for k in range(K - 1):
                _term1(acc, xf, base, m0, n, k - lo, w[k], False, N, B, mode, cv)
        if div != 1:
            for j in range(n):
                acc[j] = acc[j] / dv
        _store(acc, n, out, base + m0, ocode)


@njit(nogil=True, cache=True)
def _long_line(xf, base, N, tab, w, K, sym, cv, dv, div, acc, line, out, obase, ocode):
    """One contiguous line of a kernel longer than the line (kernels/convolution.pyx
    _long_line): padded into ``line`` through ``tab``, then CHUNK outputs at a time,
    tap-major (the per-pixel term order of _correlate1d)."""
    for t in range(N + K - 1):
        r = tab[t]
        line[t] = cv if r < 0 else xf[base + r]
    c = K // 2
    for i0 in range(0, N, CHUNK):
        n = min(N - i0, CHUNK)
        if sym != 0:
            pa = line[i0 + c:i0 + c + n]
            wk = w[c]
            for j in range(n):
                acc[j] = pa[j] * wk
            for k in range(c):
                pa = line[i0 + k:i0 + k + n]
                pb = line[i0 + 2 * c - k:i0 + 2 * c - k + n]
                wk = w[k]
                if sym > 0:
                    for j in range(n):
                        acc[j] = acc[j] + (pa[j] + pb[j]) * wk
                else:
                    for j in range(n):
                        acc[j] = acc[j] + (pa[j] - pb[j]) * wk
        else:
            pa = line[i0 + K - 1:i0 + K - 1 + n]
            wk = w[K - 1]
            for j in range(n):
                acc[j] = pa[j] * wk
            for k in range(K - 1):
                pa = line[i0 + k:i0 + k + n]
                wk = w[k]
                for j in range(n):
                    acc[j] = acc[j] + pa[j] * wk
        if div != 1:
            for j in range(n):
                acc[j] = acc[j] / dv
        _store(acc, n, out, obase + i0, ocode)


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
                        acc[b] = acc[b] + (sa[b] + sb[b]) * wk
                else:
                    for b in range(nb):
                        acc[b] = acc[b] + (sa[b] - sb[b]) * wk
            elif ra >= 0:
                for b in range(nb):
                    acc[b] = acc[b] + ((sa[b] + cv) if sym > 0 else (sa[b] - cv)) * wk
            elif rb >= 0:
                for b in range(nb):
                    acc[b] = acc[b] + ((cv + sb[b]) if sym > 0 else (cv - sb[b])) * wk
            else:
                tc = (cv + cv) if sym > 0 else (cv - cv)
                for b in range(nb):
                    acc[b] = acc[b] + tc * wk
    else:
        for k in range(K - 1):
            ra = tab[i + k]
            wk = w[k]
            if ra < 0:
                for b in range(nb):
                    acc[b] = acc[b] + cv * wk
            else:
                src = xf[base + ra * B + b0:base + ra * B + b0 + nb]
                for b in range(nb):
                    acc[b] = acc[b] + src[b] * wk
    if div != 1:
        for b in range(nb):
            acc[b] = acc[b] / dv
    _store(acc, nb, out, base + i * B + b0, ocode)


@njit(parallel=True, nogil=True, cache=True)
def _correlate1d_long(x, out, ocode, w, lo, sym, mode, cval, div):
    """_correlate1d for a kernel longer than the axis (K > N): the border resolved once
    into a table of N + K - 1 source rows, lines padded per task (B == 1), as the
    Cython kernel's long path. ``out`` is never ``x`` here (no in-place passes)."""
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
        for a in prange(A):
            acc = np.empty(CHUNK, w.dtype)
            line = np.empty(N + K - 1, w.dtype)
            _long_line(xf, a * N, N, tab, w, K, sym, cv, dv, div, acc, line, out, a * N, ocode)
        return
    nch = (B + CHUNK - 1) // CHUNK
    for t in prange(A * N * nch):
        a = t // (N * nch)
        r = t - a * N * nch
        i = r // nch
        b0 = (r - i * nch) * CHUNK
        acc = np.empty(CHUNK, w.dtype)
        _long_row(xf, a * M, B, i, b0, min(B - b0, CHUNK), tab, w, K, sym, cv, dv, div, acc,
                  out, ocode)


@njit(parallel=True, nogil=True, cache=True)
def _correlate(x, out, ocode, w, offs, mode, cval):
    """Dense correlation of ``x`` (D, H, W) over taps ``offs`` (dz, dy, dx) / ``w``."""
    D, H, W = x.shape
    ntap = w.shape[0]
    nch = (W + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    cv = w.dtype.type(cval)
    for t in prange(D * H * nch):
        row = t // nch
        x0 = (t - row * nch) * CHUNK
        n = min(W - x0, CHUNK)
        z = row // H
        y = row - z * H
        acc = np.zeros(CHUNK, w.dtype)
        for k in range(ntap):
            wk = w[k]
            zz = boundary_index(z + offs[k, 0], D, mode)
            yy = boundary_index(y + offs[k, 1], H, mode)
            dx = offs[k, 2]
            if zz < 0 or yy < 0:
                for j in range(n):
                    acc[j] = acc[j] + cv * wk
                continue
            src = (zz * H + yy) * W
            jlo = _clip(-dx - x0, n)
            jhi = max(_clip(W - dx - x0, n), jlo)
            for j in range(jlo):
                xx = boundary_index(x0 + j + dx, W, mode)
                acc[j] = acc[j] + (cv if xx < 0 else xf[src + xx]) * wk
            p = src + x0 + dx
            xs = xf[p + jlo:p + jhi]
            ac = acc[jlo:jhi]
            for j in range(jhi - jlo):
                ac[j] = ac[j] + xs[j] * wk
            for j in range(jhi, n):
                xx = boundary_index(x0 + j + dx, W, mode)
                acc[j] = acc[j] + (cv if xx < 0 else xf[src + xx]) * wk
        _store(acc, n, out, row * W + x0, ocode)


@njit(inline="always", nogil=True, cache=True)
def _val(xf, base, r, N, B, b, mode, cv):
    rr = boundary_index(r, N, mode)
    return cv if rr < 0 else xf[base + rr * B + b]


@njit(parallel=True, nogil=True, cache=True)
def _uniform1d(x, out, ocode, size, lo, mode, cval):
    """Box filter along axis 1 of ``x`` (A, N, B): scipy's running sum, divided per output."""
    A, N, B = x.shape
    M = N * B
    nch = (B + CHUNK - 1) // CHUNK
    xf = x.reshape(-1)
    fs = np.float64(size)
    cv = np.float64(cval)
    for t in prange(A * nch):
        a = t // nch
        base = a * M
        b0 = (t - a * nch) * CHUNK
        nb = min(B - b0, CHUNK)
        acc = np.zeros(nb, np.float64)
        q = np.empty(nb, np.float64)
        for j in range(size):
            for b in range(nb):
                acc[b] = acc[b] + _val(xf, base, j - lo, N, B, b0 + b, mode, cv)
        for i in range(N):
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


# ---------------------------------------------------------------- fast paths (as the Cython ones)

SEP_ROWS = 16    # output rows per task of separable2
LINE_CHUNK = 1024  # columns per pass over an accumulator: it stays in L1
RING_ROWS = 16   # output rows per task of the dense ring kernel
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
def _line(buf, starts, K, sym, w, acc, n):
    """acc[:n] = 1-D correlation of K taps, tap k reading buf[starts[k]:starts[k] + n]
    (rows of a ring, or shifted windows of a padded row), in the term order of
    _correlate1d (mul, then add: the arithmetic of the per-pass Numba kernels, so the
    fused passes equal them bit for bit)."""
    c = K // 2
    if sym != 0:
        rc = buf[starts[c]:starts[c] + n]
        wc = w[c]
        for j in range(n):
            acc[j] = rc[j] * wc
        for k in range(c):
            ra = buf[starts[k]:starts[k] + n]
            rb = buf[starts[K - 1 - k]:starts[K - 1 - k] + n]
            wk = w[k]
            if sym > 0:
                for j in range(n):
                    acc[j] = acc[j] + (ra[j] + rb[j]) * wk
            else:
                for j in range(n):
                    acc[j] = acc[j] + (ra[j] - rb[j]) * wk
        return
    rl = buf[starts[K - 1]:starts[K - 1] + n]
    wl = w[K - 1]
    for j in range(n):
        acc[j] = rl[j] * wl
    for k in range(K - 1):
        rk = buf[starts[k]:starts[k] + n]
        wk = w[k]
        for j in range(n):
            acc[j] = acc[j] + rk[j] * wk


@njit(nogil=True, cache=True)
def _extend(tpad, mid, coltab, jlo, jhi, C, cv):
    """Border pixels jlo .. jhi of a padded row: the pixel coltab[j] of ``mid`` or cv."""
    for jj in range(jlo, jhi):
        col = coltab[jj]
        for ch in range(C):
            tpad[jj * C + ch] = mid[col * C + ch] if col >= 0 else cv


@njit(nogil=True, cache=True)
def _pass(buf, starts, K, sym, w, m, sh, isint, acc, iacc, n, out):
    """out[:n] = one 1-D pass of separable2 over the K taps buf[starts[k]:][:n]: a float32
    correlation (_line), or (isint) a uint8 window sum divided as (S * m) >> sh."""
    if isint:
        for j in range(n):
            iacc[j] = 0
        for k in range(K):
            sk = buf[starts[k]:starts[k] + n]
            for j in range(n):
                iacc[j] += np.int64(sk[j])
        for j in range(n):
            out[j] = out.dtype.type((iacc[j] * m) >> sh)
    else:
        _line(buf, starts, K, sym, w, acc, n)
        for j in range(n):
            out[j] = acc[j]


@njit(nogil=True, cache=True)
def _hpass(flat, starts, s0, L, K, sym, w, m, sh, isint, acc, iacc, dst):
    """dst[:L] = the pass along H over the K ring rows from row s0 (``flat``: the ring)."""
    for c0 in range(0, L, LINE_CHUNK):
        n = min(L - c0, LINE_CHUNK)
        for k in range(K):
            starts[k] = (s0 + k) * L + c0
        _pass(flat, starts, K, sym, w, m, sh, isint, acc, iacc, n, dst[c0:c0 + n])


@njit(nogil=True, cache=True)
def _wpass(tpad, mid, coltab, W, C, K, lo, sym, w, m, sh, isint, cv, starts, acc, iacc, dst):
    """dst[:W * C] = the pass along W of the row in ``mid`` (tpad[lo * C:]), its border
    extended through ``coltab`` first."""
    L = W * C
    _extend(tpad, mid, coltab, 0, lo, C, cv)
    _extend(tpad, mid, coltab, lo + W, W + K - 1, C, cv)
    for c0 in range(0, L, LINE_CHUNK):
        n = min(L - c0, LINE_CHUNK)
        for k in range(K):
            starts[k] = k * C + c0
        _pass(tpad, starts, K, sym, w, m, sh, isint, acc, iacc, n, dst[c0:c0 + n])


@njit(parallel=True, nogil=True, cache=True)
def _separable2(x, o, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh, mh, shh,
                cval, isint, hfirst):
    """Two 1-D passes fused (axis 1 then axis 2 of x (A, H, W, C), or with ``hfirst`` axis 2
    first), as kernels/convolution.pyx separable2: the source rows of a task copied into a
    ring (hfirst: already through the axis-2 pass), the H pass, the W pass on a padded row
    with its border extended. ``isint``: uint8 box filters
    (integer window sums, divided by (S * m) >> sh), else float32 correlations."""
    A, H, W, C = x.shape
    L = W * C
    xf = x.reshape(A * H, L)
    of = o.reshape(A * H, L)
    nb = (H + SEP_ROWS - 1) // SEP_ROWS
    rowtab = np.empty(H + Kv, np.int64)
    for i in range(H + Kv):
        rowtab[i] = boundary_index(i - lov, H, modev)
    coltab = np.empty(W + Kh, np.int64)
    for i in range(W + Kh):
        coltab[i] = boundary_index(i - loh, W, modeh)
    cv = x.dtype.type(cval)
    for t in prange(A * nb):
        a = t // nb
        y0 = (t - a * nb) * SEP_ROWS
        y1 = min(H, y0 + SEP_ROWS)
        S = y1 - y0 + Kv - 1
        ring = np.empty((S, L), x.dtype)
        flat = ring.reshape(-1)
        starts = np.empty(max(Kv, Kh), np.int64)
        tpad = np.empty((W + Kh - 1) * C, x.dtype)
        mid = tpad[loh * C:loh * C + L]
        acc = np.empty(LINE_CHUNK, wv.dtype)
        iacc = np.empty(LINE_CHUNK, np.int64)
        for s in range(S):
            r = rowtab[y0 + s]
            rr = ring[s]
            if r < 0:  # the constant (with hfirst: the H pass extends the intermediate)
                for j in range(L):
                    rr[j] = cv
            elif hfirst:  # the W pass first, from the source row into the ring
                src = xf[a * H + r]
                for j in range(L):
                    mid[j] = src[j]
                _wpass(tpad, mid, coltab, W, C, Kh, loh, symh, wh, mh, shh, isint, cv, starts,
                       acc, iacc, rr)
            else:
                src = xf[a * H + r]
                for j in range(L):
                    rr[j] = src[j]
        for y in range(y0, y1):
            if hfirst:  # then the H pass from the ring to the output
                _hpass(flat, starts, y - y0, L, Kv, symv, wv, mv, shv, isint, acc, iacc,
                       of[a * H + y])
            else:
                _hpass(flat, starts, y - y0, L, Kv, symv, wv, mv, shv, isint, acc, iacc, mid)
                _wpass(tpad, mid, coltab, W, C, Kh, loh, symh, wh, mh, shh, isint, cv, starts,
                       acc, iacc, of[a * H + y])


def separable2(x, out, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh, mh, shh,
               cval, hfirst, n_threads):
    """Two 1-D passes fused; see kernels/convolution.pyx separable2 (same arguments)."""
    if x.size == 0:
        return True
    _threaded(_separable2, (x, out, wv, Kv, lov, symv, modev, np.int64(mv), np.int64(shv), wh,
                            Kh, loh, symh, modeh, np.int64(mh), np.int64(shh), float(cval),
                            x.dtype == np.uint8, bool(hfirst)), n_threads)
    return True


@njit(nogil=True, cache=True)
def _taps_row(acc, row, w, b, kw, n):
    """acc[j] += row[j + q] * w[b + q] for q < kw in order, up to four taps fused per
    pass over acc (each pixel still adds its terms in C order)."""
    q = 0
    while q < kw:
        k = b + q
        if kw - q >= 4:
            w0, w1, w2, w3 = w[k], w[k + 1], w[k + 2], w[k + 3]
            s0, s1 = row[q:q + n], row[q + 1:q + 1 + n]
            s2, s3 = row[q + 2:q + 2 + n], row[q + 3:q + 3 + n]
            for j in range(n):
                acc[j] = (((acc[j] + s0[j] * w0) + s1[j] * w1) + s2[j] * w2) + s3[j] * w3
            q += 4
        elif kw - q == 3:
            w0, w1, w2 = w[k], w[k + 1], w[k + 2]
            s0, s1, s2 = row[q:q + n], row[q + 1:q + 1 + n], row[q + 2:q + 2 + n]
            for j in range(n):
                acc[j] = ((acc[j] + s0[j] * w0) + s1[j] * w1) + s2[j] * w2
            q += 3
        elif kw - q == 2:
            w0, w1 = w[k], w[k + 1]
            s0, s1 = row[q:q + n], row[q + 1:q + 1 + n]
            for j in range(n):
                acc[j] = (acc[j] + s0[j] * w0) + s1[j] * w1
            q += 2
        else:
            w0 = w[k]
            s0 = row[q:q + n]
            for j in range(n):
                acc[j] = acc[j] + s0[j] * w0
            q += 1


@njit(parallel=True, nogil=True, cache=True)
def _dense_ring(x, out, w, kh, kw, dz, dy0, dx0, mode, cval):
    """A full kh x kw float32 grid (one dz) into float32 ``out`` (D, H, W): per task
    RING_ROWS output rows, their source rows copied border-extended into a ring, then
    per output row the taps of each kernel row fused up to four per pass over the row
    (C order kept per pixel)."""
    D, H, W = x.shape
    nb = (H + RING_ROWS - 1) // RING_ROWS
    m = W + kw - 1
    rowtab = np.empty(H + kh, np.int64)
    for i in range(H + kh):
        rowtab[i] = boundary_index(i + dy0, H, mode)
    coltab = np.empty(m, np.int64)
    for i in range(m):
        coltab[i] = boundary_index(i + dx0, W, mode)
    cv = w.dtype.type(cval)
    for t in prange(D * nb):
        z = t // nb
        y0 = (t - z * nb) * RING_ROWS
        R = min(H, y0 + RING_ROWS) - y0
        zz = boundary_index(z + dz, D, mode)
        ring = np.empty((R + kh - 1, m), w.dtype)
        for s in range(R + kh - 1):
            r = rowtab[y0 + s] if zz >= 0 else -1
            _fill_row(x[max(zz, 0), max(r, 0)], ring[s], 0, m, W, dx0, coltab, cv, r >= 0)
        acc = np.empty(LINE_CHUNK, w.dtype)
        for r in range(R):
            for c0 in range(0, W, LINE_CHUNK):
                n = min(W - c0, LINE_CHUNK)
                for j in range(n):
                    acc[j] = 0
                for p in range(kh):
                    _taps_row(acc, ring[r + p, c0:c0 + n + kw - 1], w, p * kw, kw, n)
                orow = out[z, y0 + r, c0:c0 + n]
                for j in range(n):
                    orow[j] = acc[j]


def _grid(offs):
    """(kh, kw) if the taps form a full grid in C order with one dz and consecutive dy and
    dx (no zero-skipped tap), else None (convolution.pyx: _grid_width + _consecutive_dx)."""
    ntap = offs.shape[0]
    if ntap < 2:
        return None
    kw = int(np.argmax(offs[:, 1] != offs[0, 1])) or ntap
    if ntap % kw:
        return None
    kh = ntap // kw
    rr, qq = np.divmod(np.arange(ntap), kw)
    if (np.all(offs[:, 0] == offs[0, 0]) and np.all(offs[:, 1] == offs[0, 1] + rr)
            and np.all(offs[:, 2] == offs[0, 2] + qq)):
        return kh, kw
    return None


def _threaded(fn, args, n_threads):
    """Run ``fn(*args)`` on ``n_threads`` Numba threads (see ``_layer.call_with_threads``)."""
    call_with_threads(n_threads, fn, *args)


def correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads):
    """1-D correlation along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx."""
    fn = _correlate1d_long if w.shape[0] > x.shape[1] else _correlate1d
    _threaded(fn, (x, out, ocode, w, lo, sym, mode, cval, 1.0), n_threads)


def correlate(x, out, ocode, w, offs, mode, cval, n_threads):
    """Dense correlation of ``x`` (D, H, W) over taps ``offs`` (dz, dy, dx) / ``w``."""
    grid = _grid(offs) if ocode == 0 and w.dtype == np.float32 else None
    if grid is not None and (RING_ROWS + grid[0]) * (x.shape[2] + grid[1]) * 4 > DENSE_SCRATCH_MAX:
        grid = None  # the ring of a task would be huge: the generic kernel, same values
    if grid is not None and x.size:
        kh, kw = grid
        out3 = out.view(np.float32).reshape(x.shape)
        _threaded(_dense_ring, (x, out3, w, kh, kw, int(offs[0, 0]), int(offs[0, 1]),
                                int(offs[0, 2]), mode, float(cval)), n_threads)
        return
    _threaded(_correlate, (x, out, ocode, w, offs, mode, cval), n_threads)


def uniform1d(x, out, ocode, size, lo, exact, mode, cval, n_threads):
    """Box filter along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx.

    ``exact``: direct window sums (a correlation with ones, then / size), equal
    to scipy's recurrence when every partial sum is an exact integer."""
    if exact:
        ones = np.ones(size, np.float32 if exact == 2 else np.float64)
        if exact == 2:
            x = x.astype(np.float32, copy=False)  # exact: integers below 2**24
        fn = _correlate1d_long if size > x.shape[1] else _correlate1d
        _threaded(fn, (x, out, ocode, ones, lo, 0, mode, cval, float(size)), n_threads)
    else:
        _threaded(_uniform1d, (x, out, ocode, size, lo, mode, cval), n_threads)
