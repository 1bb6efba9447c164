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
No ``fastmath``: it would reorder the sums and drop NaN semantics. Not
ported from the Cython kernels (speed only, results are the same): the fused
four-tap passes, two-row register blocking and in-place slab passes (the
dispatcher gives Numba a temporary instead). Hot loops index views from 0 so
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


def _threaded(fn, args, n_threads):
    """Run ``fn(*args)`` on ``n_threads`` Numba threads (see ``_layer.call_with_threads``)."""
    call_with_threads(n_threads, fn, *args)


def correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads):
    """1-D correlation along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx."""
    _threaded(_correlate1d, (x, out, ocode, w, lo, sym, mode, cval, 1.0), n_threads)


def correlate(x, out, ocode, w, offs, mode, cval, n_threads):
    """Dense correlation of ``x`` (D, H, W) over taps ``offs`` (dz, dy, dx) / ``w``."""
    _threaded(_correlate, (x, out, ocode, w, offs, mode, cval), n_threads)


def uniform1d(x, out, ocode, size, lo, exact, mode, cval, n_threads):
    """Box filter along axis 1 of ``x`` (A, N, B); see kernels/convolution.pyx.

    ``exact``: direct window sums (a correlation with ones, then / size), equal
    to scipy's recurrence when every partial sum is an exact integer."""
    if exact:
        ones = np.ones(size, np.float32 if exact == 2 else np.float64)
        if exact == 2:
            x = x.astype(np.float32, copy=False)  # exact: integers below 2**24
        _threaded(_correlate1d, (x, out, ocode, ones, lo, 0, mode, cval, float(size)), n_threads)
    else:
        _threaded(_uniform1d, (x, out, ocode, size, lo, mode, cval), n_threads)
