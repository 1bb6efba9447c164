"""Numba twins of kernels/rank.pyx: same names, same arguments, same order.

    minmax1d(x, out, size, lo, mode, cval, minimum, harter, n_threads, t0, t1)
    minmax2d(x, out, ky, loy, modey, kx, lox, modex, cval, minimum, flag, n_threads, t0, t1)
    minmax_fp(x, out, offs, mode, cval, minimum, n_threads, t0, t1)
    rank_fp(x, out, offs, rank, mode, cval, n_threads, t0, t1)
    rank_net(x, out, offs, net, sel, mode, cval, n_threads, t0, t1)
    median_box(x, out, k, oz, oy, ox, mode, cval, n_threads, t0, t1)

Each runs tasks ``t0 <= t < min(t1, T)`` of the same T tasks as the Cython kernel and
returns T (``t1 == 0``: no work; T is computed here in Python, the jitted kernel gets
the clamped range): ``pycompute._cancel.run_tasks`` calls long filters in slices so that
Ctrl-C and aio cancellation stop them. A task's outputs do not depend on the cut.

Same algorithms, same comparison order and tie rules as the Cython kernels (see
that file's header): van Herk / Gil-Werman with the rightmost-on-ties combine (rows),
doubling sweeps or transposed tiles (lines), both passes of a 2-D filter fused
(minmax2d: the same tasks, the same NaN check of the rows it reads),
scipy's deque when NaN is present, scipy's per-pixel footprint loop, scipy's
NI_Select, and the pruned selection networks. Results equal the Cython kernels'
(and scipy's) bit for bit. No ``fastmath`` (it would drop the NaN semantics).
Scratch is allocated per task (one line, one row chunk) inside the parallel loop.
Row loops index views from 0 so LLVM vectorizes them (checked on the LLVM IR:
``fcmp olt`` + ``select`` on <16 x float> / <64 x i8> vectors).

Compile time (a cold first call compiles a whole call tree; issue 13), as in
convolution.py: the Python wrappers flatten the arrays (no ``reshape`` in jitted code:
its error formatting compiles for seconds) and pass the input read-only
(``_layer.readonly``), so read-only and writeable inputs share one compile, and the
scratch a helper only reads goes in read-only too (``_ro``), so each helper compiles
once per dtype (``_copy``, ``_comb*``, ``_row``, ``_rows_task`` took both before); each
algorithm is its own small parallel kernel, picked in Python (Harter's deque, lines,
tiles, rows; box 3 x 3 median, 5 x 5 median, 9-cell median, general network), so a
call compiles only the path it runs; every ``prange`` body is one call to a plain
``@njit`` task taking ``np.int64(t)``; ``parallel=prange_only()``; no literal
constants as arguments (``np.int64(0)``); copies go through ``_copy`` instead of slice
assignment (which compiles Numba's shape-mismatch error formatting). The unrolled
networks (``_median3x3``, ``_median9``, ``_median25``) compare-exchange through ``_lo`` /
``_hi``, one ``select`` each: the code their ``a if a < b else b`` became after LLVM's
clean-up (the same vector selects and min/max in the IR), without a branch per ternary
for Numba's SSA pass to walk (the 5 x 5 network's ~600 blocks took ~4 s per dtype; the
builtin ``min``/``max`` compile fast too but do not vectorize there: 3x slower).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic

from ._boundary import boundary_index
from ._layer import call_with_threads, prange_only, readonly

DIRECT_MAX = 4
DOUBLING_MAX = 128
TILE_BYTES = 64
ROW_CHUNK = 1024
COL_CHUNK = 512
SEL_TAPS = 1 << 15  # rank_fp: taps per task at most (output columns x cells), as kernels/rank.pyx
# minmax2d, as kernels/rank.pyx
FUSE_CHUNK_BYTES = 65536
FUSE_HBUF_BYTES = 1 << 18
FUSE_ROWS = 128
BOX_ROWS = 16  # median_box 5 x 5, as kernels/rank.pyx
BOX_LINE = COL_CHUNK + 64
BOX3_ROWS = 16
BOX3_COLS = 4096
BOX3_LINE = BOX3_COLS + 64
M5LS = 528  # median_box 5 x 5: a row's sorted lines (kernels/rank.pyx's PYC_M5LS)
VB = 64  # a loop's remainder runs as one block of VB ending at n (PYC_VB, PYC_TAILED)
HIST_ROWS = 8  # rank_hist, as kernels/rank.pyx
HIST_COLS = 4096


def _flat(a):
    """``a`` as a flat view (the kernels need C-contiguous arrays)."""
    if not a.flags.c_contiguous:
        raise ValueError("rank kernels need C-contiguous arrays")
    return a.reshape(-1)


@intrinsic
def _ro(typingctx, a):
    """``a`` typed read-only: the same array (no copy, no code), as ``_layer.readonly``
    does in Python. Numba types a read-only array apart from a writeable one, so a helper
    fed the (read-only) input at one call and scratch at another compiles twice per
    dtype; every array a helper only reads goes in read-only, scratch through this."""
    if not isinstance(a, types.Array):
        return None
    ro = a.copy(readonly=True)

    def codegen(context, builder, signature, args):
        return impl_ret_borrowed(context, builder, ro, args[0])

    return ro(a), codegen


def _lt(builder, ty, x, y):
    """``x < y`` as Numba compiles it: ordered for floats (NaN: false), signed or not."""
    if isinstance(ty, types.Float):
        return builder.fcmp_ordered("<", x, y)
    if ty.signed:
        return builder.icmp_signed("<", x, y)
    return builder.icmp_unsigned("<", x, y)


@intrinsic
def _lo(typingctx, a, b):
    """``a if a < b else b`` as one ``select``, no branch."""
    if a != b or not isinstance(a, (types.Integer, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        x, y = args
        return builder.select(_lt(builder, a, x, y), x, y)

    return a(a, b), codegen


@intrinsic
def _hi(typingctx, a, b):
    """``b if a < b else a`` as one ``select``, no branch."""
    if a != b or not isinstance(a, (types.Integer, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        x, y = args
        return builder.select(_lt(builder, a, x, y), y, x)

    return a(a, b), codegen


@njit(nogil=True, cache=True)
def _copy(d, s, n):
    for i in range(n):
        d[i] = s[i]


@njit(nogil=True, cache=True)
def _comb(r, s, n, mn):
    """r = combine(r, s), r the earlier data: ties keep s."""
    if mn:
        for i in range(n):
            r[i] = r[i] if r[i] < s[i] else s[i]
    else:
        for i in range(n):
            r[i] = r[i] if r[i] > s[i] else s[i]


@njit(nogil=True, cache=True)
def _comb_to(d, a, b, n, mn):
    if mn:
        for i in range(n):
            d[i] = a[i] if a[i] < b[i] else b[i]
    else:
        for i in range(n):
            d[i] = a[i] if a[i] > b[i] else b[i]


@njit(nogil=True, cache=True)
def _comb3(d, a, b, c, n, mn):
    """d = combine(combine(a, b), c) in one sweep."""
    if mn:
        for i in range(n):
            t = a[i] if a[i] < b[i] else b[i]
            d[i] = t if t < c[i] else c[i]
    else:
        for i in range(n):
            t = a[i] if a[i] > b[i] else b[i]
            d[i] = t if t > c[i] else c[i]


@njit(nogil=True, cache=True)
def _comb4(d, a, n, mn):
    """d[i] = combine of a[i .. i + 3], left to right (kernels/rank.pyx's pyc_comb4)."""
    if mn:
        for i in range(n):
            t = a[i] if a[i] < a[i + 1] else a[i + 1]
            t = t if t < a[i + 2] else a[i + 2]
            d[i] = t if t < a[i + 3] else a[i + 3]
    else:
        for i in range(n):
            t = a[i] if a[i] > a[i + 1] else a[i + 1]
            t = t if t > a[i + 2] else a[i + 2]
            d[i] = t if t > a[i + 3] else a[i + 3]


@njit(nogil=True, cache=True)
def _row(xf, base, p, lo, N, B, nb, mode, crow):
    s = boundary_index(p - lo, N, mode)
    if s < 0:
        return crow
    st = base + s * B
    return xf[st:st + nb]


@njit(nogil=True, cache=True)
def _rows_task(xf, of, base, N, B, nb, K, lo, mode, mn, cv):
    crow = _ro(np.full(nb, cv, dtype=xf.dtype))
    if K == 3:
        for i in range(N):
            _comb3(of[base + i * B:base + i * B + nb], _row(xf, base, i, lo, N, B, nb, mode, crow),
                   _row(xf, base, i + 1, lo, N, B, nb, mode, crow),
                   _row(xf, base, i + 2, lo, N, B, nb, mode, crow), nb, mn)
        return
    if K <= DIRECT_MAX:
        for i in range(N):
            o = of[base + i * B:base + i * B + nb]
            _copy(o, _row(xf, base, i, lo, N, B, nb, mode, crow), nb)
            for j in range(1, K):
                _comb(o, _row(xf, base, i + j, lo, N, B, nb, mode, crow), nb, mn)
        return
    h = np.empty((K, nb), dtype=xf.dtype)
    g = np.empty(nb, dtype=xf.dtype)
    s = 0
    while s < N:
        _copy(h[K - 1], _row(xf, base, s + K - 1, lo, N, B, nb, mode, crow), nb)
        for j in range(K - 2, -1, -1):
            _comb_to(h[j], _row(xf, base, s + j, lo, N, B, nb, mode, crow), _ro(h[j + 1]), nb,
                     mn)
        _copy(of[base + s * B:base + s * B + nb], _ro(h[0]), nb)
        e = s + K if s + K < N else N
        for i in range(s + 1, e):
            q = i + K - 1
            if i == s + 1:
                _copy(g, _row(xf, base, q, lo, N, B, nb, mode, crow), nb)
            else:
                _comb(g, _row(xf, base, q, lo, N, B, nb, mode, crow), nb, mn)
            _comb_to(of[base + i * B:base + i * B + nb], _ro(h[i - s]), _ro(g), nb, mn)
        s += K


@njit(nogil=True, cache=True)
def _extend_line(xf, base, N, K, lo, mode, cv, e):
    """e[p] = the border-extended line at p - lo (the interior copied)."""
    P = N + K - 1
    a = lo if lo < P else P
    b = lo + N if lo + N < P else P
    for p in range(a):
        s = boundary_index(p - lo, N, mode)
        e[p] = cv if s < 0 else xf[base + s]
    if b > a:
        _copy(e[a:b], xf[base + a - lo:base + b - lo], b - a)
    for p in range(b, P):
        s = boundary_index(p - lo, N, mode)
        e[p] = cv if s < 0 else xf[base + s]


@njit(nogil=True, cache=True)
def _lines_tile(xf, of, base, nl, N, K, lo, mode, mn, cv, L):
    """``nl`` <= L contiguous lines as the lanes of a transposed (N, L) tile (row pass)."""
    tin = np.empty(N * L, dtype=xf.dtype)
    tout = np.empty(N * L, dtype=xf.dtype)
    for ln in range(nl):
        for n in range(N):
            tin[n * L + ln] = xf[base + ln * N + n]
    _rows_task(_ro(tin), tout, np.int64(0), N, L, nl, K, lo, mode, mn, cv)
    for ln in range(nl):
        for n in range(N):
            of[base + ln * N + n] = tout[n * L + ln]


@njit(nogil=True, cache=True)
def _line_task(xf, of, t, N, K, lo, mode, mn, cv):
    base = t * N
    P = N + K - 1
    e = np.empty(P, dtype=xf.dtype)
    _extend_line(xf, base, N, K, lo, mode, cv, e)
    o = of[base:base + N]
    if K <= DOUBLING_MAX:
        _hline(_ro(e), np.empty(P, dtype=xf.dtype), np.empty(P, dtype=xf.dtype), o, N, K, mn)
        return
    g = np.empty(P, dtype=xf.dtype)
    h = np.empty(P, dtype=xf.dtype)
    for p in range(P):
        if p % K == 0:
            g[p] = e[p]
        elif mn:
            g[p] = g[p - 1] if g[p - 1] < e[p] else e[p]
        else:
            g[p] = g[p - 1] if g[p - 1] > e[p] else e[p]
    for p in range(P - 1, -1, -1):
        if p == P - 1 or (p + 1) % K == 0:
            h[p] = e[p]
        elif mn:
            h[p] = e[p] if e[p] < h[p + 1] else h[p + 1]
        else:
            h[p] = e[p] if e[p] > h[p + 1] else h[p + 1]
    _comb_to(o, _ro(h), _ro(g[K - 1:K - 1 + N]), N, mn)


@njit(nogil=True, cache=True)
def _harter_line(xf, of, t, N, B, K, lo, mode, mn, cv):
    """scipy's NI_MinOrMaxFilter1D (Harter's deque) on line ``t`` (stride B)."""
    a = t // B
    base = a * N * B + (t - a * B)
    if K == 1:
        for ll in range(N):
            of[base + ll * B] = xf[base + ll * B]
        return
    rv = np.empty(K, dtype=xf.dtype)
    rd = np.empty(K, dtype=np.int64)
    P = N + K - 1
    s = boundary_index(-lo, N, mode)
    minpair = 0
    rv[0] = cv if s < 0 else xf[base + s * B]
    rd[0] = K
    last = 0
    for ll in range(1, P):
        s = boundary_index(ll - lo, N, mode)
        val = cv if s < 0 else xf[base + s * B]
        if rd[minpair] == ll:
            minpair += 1
            if minpair >= K:
                minpair = 0
        if (mn and val <= rv[minpair]) or (not mn and val >= rv[minpair]):
            rv[minpair] = val
            rd[minpair] = ll + K
            last = minpair
        else:
            while (mn and rv[last] >= val) or (not mn and rv[last] <= val):
                if last == 0:
                    last = K
                last -= 1
            last += 1
            if last >= K:
                last = 0
            rv[last] = val
            rd[last] = ll + K
        if ll >= K - 1:
            of[base + (ll - K + 1) * B] = rv[minpair]


@njit(nogil=True, cache=True)
def _tile_task(xf, of, t, A, N, K, lo, mode, mn, cv, L):
    a = t * L
    nl = A - a if A - a < L else L
    _lines_tile(xf, of, a * N, nl, N, K, lo, mode, mn, cv, L)


@njit(nogil=True, cache=True)
def _rowchunk_task(xf, of, t, nch, cw, N, B, K, lo, mode, mn, cv):
    a = t // nch
    b0 = (t - a * nch) * cw
    nb = B - b0 if B - b0 < cw else cw
    _rows_task(xf, of, a * N * B + b0, N, B, nb, K, lo, mode, mn, cv)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _mm_harter(xf, of, A, N, B, K, lo, mode, mn, cv, t0, t1):
    for i in prange(t1 - t0):
        _harter_line(xf, of, np.int64(t0 + i), N, B, K, lo, mode, mn, cv)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _mm_lines(xf, of, A, N, K, lo, mode, mn, cv, t0, t1):
    for i in prange(t1 - t0):
        _line_task(xf, of, np.int64(t0 + i), N, K, lo, mode, mn, cv)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _mm_tiles(xf, of, A, N, K, lo, mode, mn, cv, L, t0, t1):
    for i in prange(t1 - t0):
        _tile_task(xf, of, np.int64(t0 + i), A, N, K, lo, mode, mn, cv, L)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _mm_rows(xf, of, A, N, B, K, lo, mode, mn, cv, t0, t1):
    cw = ROW_CHUNK if B > ROW_CHUNK else B
    nch = (B + cw - 1) // cw
    for i in prange(t1 - t0):
        _rowchunk_task(xf, of, np.int64(t0 + i), nch, cw, N, B, K, lo, mode, mn, cv)


def _span(T, t0, t1):
    """The task range ``t0 <= t < min(t1, T)`` as two np.int64 (empty: None)."""
    t0, t1 = max(int(t0), 0), min(int(t1), T)
    return (np.int64(t0), np.int64(t1)) if t0 < t1 else None


def minmax1d(x, out, size, lo, mode, cval, minimum, harter, n_threads, t0, t1):
    """Minimum or maximum filter of length ``size`` along axis 1 of (A, N, B): tasks
    ``t0 <= t < min(t1, T)`` (lines, tiles or row chunks, as the Cython kernel); returns T."""
    if x.size == 0:
        return 0
    A, N, B = (np.int64(n) for n in x.shape)
    L = TILE_BYTES // x.dtype.itemsize
    cw = min(ROW_CHUNK, int(B))
    if harter:
        T, kern = int(A * B), _mm_harter
    elif B == 1 and (size <= DOUBLING_MAX or A < 2):
        T, kern = int(A), _mm_lines
    elif B == 1:
        T, kern = (int(A) + L - 1) // L, _mm_tiles
    else:
        T, kern = int(A) * ((int(B) + cw - 1) // cw), _mm_rows
    span = _span(T, t0, t1)
    if span is None:
        return T
    xf = readonly(_flat(x))
    of = _flat(out)
    K = np.int64(size)
    cv = x.dtype.type(cval)
    rest = (K, np.int64(lo), np.int64(mode), np.bool_(minimum), cv)
    if kern is _mm_harter:
        call_with_threads(n_threads, _mm_harter, xf, of, A, N, B, *rest, *span)
    elif kern is _mm_lines:
        call_with_threads(n_threads, _mm_lines, xf, of, A, N, *rest, *span)
    elif kern is _mm_tiles:
        call_with_threads(n_threads, _mm_tiles, xf, of, A, N, *rest, np.int64(L), *span)
    else:
        call_with_threads(n_threads, _mm_rows, xf, of, A, N, B, *rest, *span)
    return T


# ---------------------------------------------------------------- minmax2d (fused)

@njit(nogil=True, cache=True)
def _band_chunk(t, nbd, nch, R, cw, H, W):
    """(plane, first row, end row, first column, columns) of task t of a (plane, band of R
    rows, chunk of cw columns) grid, chunks fastest (kernels/rank.pyx's _band_chunk)."""
    z = t // (nbd * nch)
    r = t - z * nbd * nch
    b = r // nch
    i0 = b * R
    c0 = (r - b * nch) * cw
    return z, i0, min(i0 + R, H), c0, min(W - c0, cw)


@njit(nogil=True, cache=True, inline="always")
def _rowc(xf, base, p, lo, H, W, mode, crow, ia, n):
    """Columns ia .. ia + n - 1 of the row at extended position ``p``, or the constant
    row (kernels/rank.pyx's _rowc). Inlined: minmax2d calls it 3-4 times an output row,
    and each call (a slice returned, reference counts) cost ~40 ns: on a 4096^2 uint8
    3 x 3 at one thread, 4.9 -> 3.1 ms (Cython 1.4-1.8), on 262144 x 64 107 -> 71 ms; a
    cold first call compiles 0.8 s longer."""
    s = boundary_index(p - lo, H, mode)
    if s < 0:
        return crow[:n]
    st = base + s * W + ia
    return xf[st:st + n]


@njit(nogil=True, cache=True)
def _any_nan(r, n):
    """True if r[0:n] holds a NaN (integers: never; the compare folds away)."""
    f = False
    for i in range(n):
        f |= r[i] != r[i]
    return f


@njit(nogil=True, cache=True)
def _hline(src, t2, t3, o, n, K, mn):
    """o[j] = combine of src[j .. j + K - 1], j < n (kernels/rank.pyx's _hline)."""
    if K == 1:
        _copy(o, src, n)
        return
    if K == 2:
        _comb_to(o, src, src[1:], n, mn)
        return
    if K == 3:
        _comb3(o, src, src[1:], src[2:], n, mn)
        return
    if K == 4:
        _comb4(o, src, n, mn)
        return
    # m_4 from ``src`` (read-only), doublings while 3w < K, the last sweep: two or
    # three overlapping pieces of w (the sweeps of kernels/rank.pyx's _hline)
    m = n + K - 4
    _comb4(t2, src, m, mn)
    w = 4
    cur = t2
    nxt = t3
    while 3 * w < K:
        _comb_to(nxt, _ro(cur), _ro(cur[w:]), m - w, mn)
        m -= w
        w *= 2
        cur, nxt = nxt, cur
    if K <= 2 * w:
        _comb_to(o, _ro(cur), _ro(cur[K - w:]), n, mn)
    else:
        _comb3(o, _ro(cur), _ro(cur[w:]), _ro(cur[K - w:]), n, mn)


@njit(nogil=True, cache=True)
def _border(xf, base, e, p0, p1, i, H, W, Ky, loy, my, ca, ia, ib, mx, cv, mn, crow):
    """e[p0:p1]: line positions outside the image (kernels/rank.pyx's _border)."""
    for p in range(p0, p1):
        s = boundary_index(ca + p, W, mx)
        if s < 0:
            e[p] = cv
        elif ia <= s < ib:
            e[p] = e[s - ca]
        else:
            acc = _rowc(xf, base, i, loy, H, W, my, crow, s, 1)[0]
            for j in range(1, Ky):
                v = _rowc(xf, base, i + j, loy, H, W, my, crow, s, 1)[0]
                if mn:
                    acc = acc if acc < v else v
                else:
                    acc = acc if acc > v else v
            e[p] = acc


@njit(nogil=True, cache=True, inline="always")
def _row_out(xf, base, of, ob0, e, t2, t3, g, i, H, W, Ky, loy, my, ca, ia, ib, nc, Kx, mx,
             cv, mn, crow, kind, scan_all, hrow, qrow):
    """Output row ``i`` at of[ob0:ob0 + nc] (kernels/rank.pyx's _row_out). Returns True
    if a row it read for the first time holds a NaN. Inlined into _band_task (a call a
    row with 28 arguments, arrays among them: 262144 x 64 uint8 3 x 3 at one thread
    71 -> 58 ms; the cold first call compiles no longer, measured)."""
    P = nc + Kx - 1
    pa = ia - ca
    nv = ib - ia
    nan = False
    ev = e[pa:]
    if kind == 0:
        for j in range(Ky if scan_all else 1):
            nan |= _any_nan(_rowc(xf, base, i + (j if scan_all else Ky - 1), loy, H, W, my, crow,
                                  ia, nv), nv)
        if Ky == 3:
            _comb3(ev, _rowc(xf, base, i, loy, H, W, my, crow, ia, nv),
                   _rowc(xf, base, i + 1, loy, H, W, my, crow, ia, nv),
                   _rowc(xf, base, i + 2, loy, H, W, my, crow, ia, nv), nv, mn)
        else:
            _copy(ev, _rowc(xf, base, i, loy, H, W, my, crow, ia, nv), nv)
            for j in range(1, Ky):
                _comb(ev, _rowc(xf, base, i + j, loy, H, W, my, crow, ia, nv), nv, mn)
    elif kind == 1:
        _copy(ev, hrow, nv)
    else:
        nan |= _any_nan(qrow, nv)
        if kind == 2:
            _copy(g, qrow, nv)
        else:
            _comb(g, qrow, nv, mn)
        _comb_to(ev, hrow, _ro(g), nv, mn)
    _border(xf, base, e, np.int64(0), pa, i, H, W, Ky, loy, my, ca, ia, ib, mx, cv, mn, crow)
    _border(xf, base, e, pa + nv, P, i, H, W, Ky, loy, my, ca, ia, ib, mx, cv, mn, crow)
    _hline(_ro(e), t2, t3, of[ob0:ob0 + nc], nc, Kx, mn)
    return nan


@njit(nogil=True, cache=True)
def _band_task(xf, of, t, A, H, W, R, cw, nbd, nch, Ky, loy, my, Kx, lox, mx, cv, mn):
    """Task ``t`` of minmax2d (kernels/rank.pyx's minmax2d / _band_task)."""
    a, i0, i1, c0, nc = _band_chunk(t, nbd, nch, R, cw, H, W)
    base = a * H * W
    P = nc + Kx - 1
    ca = c0 - lox
    ia = ca if ca > 0 else 0
    ib = ca + P if ca + P < W else W
    nv = ib - ia
    crow = _ro(np.full(P, cv, dtype=xf.dtype))
    e = np.empty(P, dtype=xf.dtype)
    t2 = np.empty(P, dtype=xf.dtype)
    t3 = np.empty(P, dtype=xf.dtype)
    g = np.empty(P, dtype=xf.dtype)
    nan = False
    if Ky <= DIRECT_MAX:
        for i in range(i0, i1):
            nan |= _row_out(xf, base, of, base + i * W + c0, e, t2, t3, g, i, H, W, Ky, loy, my,
                            ca, ia, ib, nc, Kx, mx, cv, mn, crow, np.int64(0), i == i0, crow,
                            crow)
        return nan
    h = np.empty((Ky, nv), dtype=xf.dtype)
    s = i0
    while s < i1:
        rr = _rowc(xf, base, s + Ky - 1, loy, H, W, my, crow, ia, nv)
        nan |= _any_nan(rr, nv)
        _copy(h[Ky - 1], rr, nv)
        for j in range(Ky - 2, -1, -1):
            rr = _rowc(xf, base, s + j, loy, H, W, my, crow, ia, nv)
            if s == i0:
                nan |= _any_nan(rr, nv)
            _comb_to(h[j], rr, _ro(h[j + 1]), nv, mn)
        e_ = s + Ky if s + Ky < i1 else i1
        for i in range(s, e_):
            kind = np.int64(1) if i == s else (np.int64(2) if i == s + 1 else np.int64(3))
            nan |= _row_out(xf, base, of, base + i * W + c0, e, t2, t3, g, i, H, W, Ky, loy, my,
                            ca, ia, ib, nc, Kx, mx, cv, mn, crow, kind, False, _ro(h[i - s]),
                            _rowc(xf, base, i + Ky - 1, loy, H, W, my, crow, ia, nv))
        s += Ky
    return nan


@njit(parallel=prange_only(), nogil=True, cache=True)
def _mm2d(xf, of, A, H, W, R, cw, nbd, nch, Ky, loy, my, Kx, lox, mx, cv, mn, flag, t0, t1):
    for i in prange(t1 - t0):
        if _band_task(xf, of, np.int64(t0 + i), A, H, W, R, cw, nbd, nch, Ky, loy, my, Kx, lox,
                      mx, cv, mn):
            flag[0] = 1


def _band_rows(ky):
    """kernels/rank.pyx's _band_rows."""
    return FUSE_ROWS if ky <= DIRECT_MAX else ky * -(-FUSE_ROWS // ky)


def _chunk_bytes(ky):
    """kernels/rank.pyx's _chunk_bytes."""
    if ky <= DIRECT_MAX:
        return FUSE_CHUNK_BYTES
    return min(max(FUSE_HBUF_BYTES // ky, 4096), FUSE_CHUNK_BYTES)


def _band_grid(x, R, cw, t0, t1):
    """(T, bands, chunks, span) of the (plane, band of R rows, chunk of cw columns) task
    grid over the (D, H, W) input ``x`` (_band_chunk's tasks), the span as _span's."""
    D, H, W = (int(n) for n in x.shape)
    nbd, nch = -(-H // R), -(-W // cw)
    T = D * nbd * nch
    return T, nbd, nch, _span(T, t0, t1)


def minmax2d(x, out, ky, loy, modey, kx, lox, modex, cval, minimum, flag, n_threads, t0, t1):
    """The two 1-D passes of a separable min/max filter over axes 1 then 2 of (A, H, W)
    in one (kernels/rank.pyx's minmax2d, the same tasks and bits); sets ``flag[0] = 1``
    if the input holds a NaN. Returns T."""
    if x.size == 0:
        return 0
    A, H, W = (int(n) for n in x.shape)
    R = _band_rows(ky)
    cw = min(_chunk_bytes(ky) // x.dtype.itemsize, W)
    T, nbd, nch, span = _band_grid(x, R, cw, t0, t1)
    if span is None:
        return T
    i64 = np.int64
    call_with_threads(n_threads, _mm2d, readonly(_flat(x)), _flat(out), i64(A), i64(H), i64(W),
                      i64(R), i64(cw), i64(nbd), i64(nch), i64(ky), i64(loy), i64(modey),
                      i64(kx), i64(lox), i64(modex), x.dtype.type(cval), np.bool_(minimum),
                      flag, *span)
    return T


# ---------------------------------------------------------------- footprint kernels

@njit(nogil=True, cache=True)
def _ext_row(xf, r0, W, c, n, mode, cv, d):
    """d[j] = the row at xf[r0:r0 + W] (r0 < 0: a row of cval) at column c + j,
    border-extended along the row, j < n (kernels/rank.pyx's _ext_row)."""
    if r0 < 0:
        for j in range(n):
            d[j] = cv
        return
    lo_j = -c if c < 0 else 0
    hi_j = W - c if W - c < n else n
    if lo_j > n:
        lo_j = n
    if hi_j < lo_j:
        hi_j = lo_j
    for j in range(lo_j):
        q = boundary_index(c + j, W, mode)
        d[j] = cv if q < 0 else xf[r0 + q]
    if hi_j > lo_j:
        _copy(d[lo_j:hi_j], xf[r0 + c + lo_j:r0 + c + hi_j], hi_j - lo_j)
    for j in range(hi_j, n):
        q = boundary_index(c + j, W, mode)
        d[j] = cv if q < 0 else xf[r0 + q]


@njit(nogil=True, cache=True)
def _plane_row(D, H, W, z, y, mode):
    """Start of row (z, y) of the (D, H, W) input, border-extended along z and y; -1:
    cval."""
    zz = boundary_index(z, D, mode)
    yy = boundary_index(y, H, mode)
    if zz < 0 or yy < 0:
        return np.int64(-1)
    return (zz * H + yy) * W


@njit(nogil=True, cache=True)
def _tap_row(xf, D, H, W, z, y, c0, nc, oz, oy, ox, mode, cv, d):
    """d[j] = the border-extended input at (z + oz, y + oy, c0 + j + ox)."""
    _ext_row(xf, _plane_row(D, H, W, z + oz, y + oy, mode), W, c0 + ox, nc, mode, cv, d)


@njit(nogil=True, cache=True)
def _mmfp_task(xf, of, t, D, H, W, offs, mode, cv, mn):
    k = offs.shape[0]
    nch = (W + COL_CHUNK - 1) // COL_CHUNK
    r = t // nch
    c0 = (t - r * nch) * COL_CHUNK
    nc = W - c0 if W - c0 < COL_CHUNK else COL_CHUNK
    z = r // H
    y = r - z * H
    s = np.empty(nc, dtype=xf.dtype)
    acc = of[r * W + c0:r * W + c0 + nc]
    _tap_row(xf, D, H, W, z, y, c0, nc, offs[0, 0], offs[0, 1], offs[0, 2], mode, cv, acc)
    for q in range(1, k):
        _tap_row(xf, D, H, W, z, y, c0, nc, offs[q, 0], offs[q, 1], offs[q, 2], mode, cv, s)
        if mn:
            for j in range(nc):
                acc[j] = s[j] if s[j] < acc[j] else acc[j]
        else:
            for j in range(nc):
                acc[j] = s[j] if s[j] > acc[j] else acc[j]


@njit(parallel=prange_only(), nogil=True, cache=True)
def _minmax_fp(xf, of, D, H, W, offs, mode, cv, mn, t0, t1):
    for i in prange(t1 - t0):
        _mmfp_task(xf, of, np.int64(t0 + i), D, H, W, offs, mode, cv, mn)


def _dims(x):
    return tuple(np.int64(n) for n in x.shape)


def _fp_tasks(x, cw=COL_CHUNK):
    """T of the footprint kernels: ``cw`` outputs of one row per task."""
    D, H, W = x.shape
    return D * H * ((W + cw - 1) // cw)


def minmax_fp(x, out, offs, mode, cval, minimum, n_threads, t0, t1):
    """scipy's NI_MinOrMaxFilter over a footprint (taps ``offs``, in scipy's order):
    tasks ``t0 <= t < min(t1, T)``; returns T."""
    T = _fp_tasks(x)
    span = _span(T, t0, t1)
    if span is not None:
        call_with_threads(n_threads, _minmax_fp, readonly(_flat(x)), _flat(out), *_dims(x),
                          readonly(offs), np.int64(mode), x.dtype.type(cval),
                          np.bool_(minimum), *span)
    return T


@njit(nogil=True, cache=True)
def _select(buf, n, rank):
    """scipy's NI_Select(buffer, 0, n - 1, rank), its recursion as a loop."""
    lo = 0
    hi = n - 1
    while lo != hi:
        xv = buf[lo]
        ii = lo - 1
        jj = hi + 1
        while True:
            jj -= 1
            while buf[jj] > xv:
                jj -= 1
            ii += 1
            while buf[ii] < xv:
                ii += 1
            if ii < jj:
                tv = buf[ii]
                buf[ii] = buf[jj]
                buf[jj] = tv
            else:
                break
        ii = jj - lo + 1
        if rank < ii:
            hi = jj
        else:
            lo = jj + 1
            rank -= ii
    return buf[lo]


def _sel_chunk(k):
    """Output columns per rank_fp task (kernels/rank.pyx's _sel_chunk): COL_CHUNK, fewer
    for windows of more than SEL_TAPS / COL_CHUNK cells (a task stays about 1.5 ms, so
    a ~50 ms slice holds many and its threads end together)."""
    return max(1, min(COL_CHUNK, SEL_TAPS // k))


@njit(nogil=True, cache=True)
def _rankfp_task(xf, of, t, D, H, W, offs, rank, mode, cv, cw):
    k = offs.shape[0]
    nch = (W + cw - 1) // cw
    r = t // nch
    c0 = (t - r * nch) * cw
    nc = W - c0 if W - c0 < cw else cw
    z = r // H
    y = r - z * H
    rows = np.empty((k, nc), dtype=xf.dtype)
    sel = np.empty(k, dtype=xf.dtype)
    for q in range(k):
        _tap_row(xf, D, H, W, z, y, c0, nc, offs[q, 0], offs[q, 1], offs[q, 2], mode, cv,
                 rows[q])
    for j in range(nc):
        for q in range(k):
            sel[q] = rows[q, j]
        of[r * W + c0 + j] = _select(sel, k, rank)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _rank_fp(xf, of, D, H, W, offs, rank, mode, cv, cw, t0, t1):
    for i in prange(t1 - t0):
        _rankfp_task(xf, of, np.int64(t0 + i), D, H, W, offs, rank, mode, cv, cw)


def rank_fp(x, out, offs, rank, mode, cval, n_threads, t0, t1):
    """scipy's NI_RankFilter: element ``rank`` (0-based) of the footprint's values:
    tasks (``_sel_chunk(k)`` outputs of a row) ``t0 <= t < min(t1, T)``; returns T."""
    cw = _sel_chunk(offs.shape[0])
    T = _fp_tasks(x, cw)
    span = _span(T, t0, t1)
    if span is not None:
        call_with_threads(n_threads, _rank_fp, readonly(_flat(x)), _flat(out), *_dims(x),
                          readonly(offs), np.int64(rank), np.int64(mode), x.dtype.type(cval),
                          np.int64(cw), *span)
    return T


@njit(nogil=True, cache=True)
def _cx(a, b, n, op):
    if op == 0:
        for i in range(n):
            u = a[i]
            v = b[i]
            a[i] = u if u < v else v
            b[i] = v if u < v else u
    elif op == 1:
        for i in range(n):
            a[i] = a[i] if a[i] < b[i] else b[i]
    else:
        for i in range(n):
            b[i] = a[i] if b[i] < a[i] else b[i]


@njit(nogil=True, cache=True)
def _median9(rows, o, n):
    """Element 4 of 9 tap rows: ``pycompute.rank._network(9, 4)`` unrolled
    (generated from it, as in kernels/rank.pyx; its ``a if a < b else b`` is ``_lo(a, b)``,
    its ``b if a < b else a`` is ``_hi(a, b)``)."""
    for i in range(n):
        v0 = rows[0, i]
        v1 = rows[1, i]
        v2 = rows[2, i]
        v3 = rows[3, i]
        v4 = rows[4, i]
        v5 = rows[5, i]
        v6 = rows[6, i]
        v7 = rows[7, i]
        v8 = rows[8, i]
        t = _lo(v0, v1)
        v1 = _hi(v0, v1)
        v0 = t
        t = _lo(v2, v3)
        v3 = _hi(v2, v3)
        v2 = t
        t = _lo(v4, v5)
        v5 = _hi(v4, v5)
        v4 = t
        t = _lo(v6, v7)
        v7 = _hi(v6, v7)
        v6 = t
        t = _lo(v0, v2)
        v2 = _hi(v0, v2)
        v0 = t
        t = _lo(v1, v3)
        v3 = _hi(v1, v3)
        v1 = t
        t = _lo(v4, v6)
        v6 = _hi(v4, v6)
        v4 = t
        t = _lo(v5, v7)
        v7 = _hi(v5, v7)
        v5 = t
        t = _lo(v1, v2)
        v2 = _hi(v1, v2)
        v1 = t
        t = _lo(v5, v6)
        v6 = _hi(v5, v6)
        v5 = t
        t = _lo(v0, v4)
        v4 = _hi(v0, v4)
        v0 = t
        t = _lo(v1, v5)
        v5 = _hi(v1, v5)
        v1 = t
        t = _lo(v2, v6)
        v6 = _hi(v2, v6)
        v2 = t
        v3 = _lo(v3, v7)
        t = _lo(v2, v4)
        v4 = _hi(v2, v4)
        v2 = t
        t = _lo(v3, v5)
        v5 = _hi(v3, v5)
        v3 = t
        v2 = _hi(v2, v1)
        t = _lo(v3, v4)
        v4 = _hi(v3, v4)
        v3 = t
        v5 = _lo(v5, v6)
        v8 = _hi(v8, v0)
        v4 = _lo(v4, v8)
        v4 = _hi(v4, v2)
        v3 = _lo(v3, v5)
        v4 = _hi(v4, v3)
        o[i] = v4


@njit(nogil=True, cache=True)
def _median25(rows, o, n):
    """Element 12 of 25 tap rows: ``pycompute.rank._network(25, 12)`` unrolled
    (generated from it, as in kernels/rank.pyx, ternaries as in ``_median9``)."""
    for i in range(n):
        v0 = rows[0, i]
        v1 = rows[1, i]
        v2 = rows[2, i]
        v3 = rows[3, i]
        v4 = rows[4, i]
        v5 = rows[5, i]
        v6 = rows[6, i]
        v7 = rows[7, i]
        v8 = rows[8, i]
        v9 = rows[9, i]
        v10 = rows[10, i]
        v11 = rows[11, i]
        v12 = rows[12, i]
        v13 = rows[13, i]
        v14 = rows[14, i]
        v15 = rows[15, i]
        v16 = rows[16, i]
        v17 = rows[17, i]
        v18 = rows[18, i]
        v19 = rows[19, i]
        v20 = rows[20, i]
        v21 = rows[21, i]
        v22 = rows[22, i]
        v23 = rows[23, i]
        v24 = rows[24, i]
        t = _lo(v0, v1)
        v1 = _hi(v0, v1)
        v0 = t
        t = _lo(v2, v3)
        v3 = _hi(v2, v3)
        v2 = t
        t = _lo(v4, v5)
        v5 = _hi(v4, v5)
        v4 = t
        t = _lo(v6, v7)
        v7 = _hi(v6, v7)
        v6 = t
        t = _lo(v8, v9)
        v9 = _hi(v8, v9)
        v8 = t
        t = _lo(v10, v11)
        v11 = _hi(v10, v11)
        v10 = t
        t = _lo(v12, v13)
        v13 = _hi(v12, v13)
        v12 = t
        t = _lo(v14, v15)
        v15 = _hi(v14, v15)
        v14 = t
        t = _lo(v16, v17)
        v17 = _hi(v16, v17)
        v16 = t
        t = _lo(v18, v19)
        v19 = _hi(v18, v19)
        v18 = t
        t = _lo(v20, v21)
        v21 = _hi(v20, v21)
        v20 = t
        t = _lo(v22, v23)
        v23 = _hi(v22, v23)
        v22 = t
        t = _lo(v0, v2)
        v2 = _hi(v0, v2)
        v0 = t
        t = _lo(v1, v3)
        v3 = _hi(v1, v3)
        v1 = t
        t = _lo(v4, v6)
        v6 = _hi(v4, v6)
        v4 = t
        t = _lo(v5, v7)
        v7 = _hi(v5, v7)
        v5 = t
        t = _lo(v8, v10)
        v10 = _hi(v8, v10)
        v8 = t
        t = _lo(v9, v11)
        v11 = _hi(v9, v11)
        v9 = t
        t = _lo(v12, v14)
        v14 = _hi(v12, v14)
        v12 = t
        t = _lo(v13, v15)
        v15 = _hi(v13, v15)
        v13 = t
        t = _lo(v16, v18)
        v18 = _hi(v16, v18)
        v16 = t
        t = _lo(v17, v19)
        v19 = _hi(v17, v19)
        v17 = t
        t = _lo(v20, v22)
        v22 = _hi(v20, v22)
        v20 = t
        t = _lo(v21, v23)
        v23 = _hi(v21, v23)
        v21 = t
        t = _lo(v1, v2)
        v2 = _hi(v1, v2)
        v1 = t
        t = _lo(v5, v6)
        v6 = _hi(v5, v6)
        v5 = t
        t = _lo(v9, v10)
        v10 = _hi(v9, v10)
        v9 = t
        t = _lo(v13, v14)
        v14 = _hi(v13, v14)
        v13 = t
        t = _lo(v17, v18)
        v18 = _hi(v17, v18)
        v17 = t
        t = _lo(v21, v22)
        v22 = _hi(v21, v22)
        v21 = t
        t = _lo(v0, v4)
        v4 = _hi(v0, v4)
        v0 = t
        t = _lo(v1, v5)
        v5 = _hi(v1, v5)
        v1 = t
        t = _lo(v2, v6)
        v6 = _hi(v2, v6)
        v2 = t
        t = _lo(v3, v7)
        v7 = _hi(v3, v7)
        v3 = t
        t = _lo(v8, v12)
        v12 = _hi(v8, v12)
        v8 = t
        t = _lo(v9, v13)
        v13 = _hi(v9, v13)
        v9 = t
        t = _lo(v10, v14)
        v14 = _hi(v10, v14)
        v10 = t
        t = _lo(v11, v15)
        v15 = _hi(v11, v15)
        v11 = t
        t = _lo(v16, v20)
        v20 = _hi(v16, v20)
        v16 = t
        t = _lo(v17, v21)
        v21 = _hi(v17, v21)
        v17 = t
        t = _lo(v18, v22)
        v22 = _hi(v18, v22)
        v18 = t
        t = _lo(v19, v23)
        v23 = _hi(v19, v23)
        v19 = t
        t = _lo(v2, v4)
        v4 = _hi(v2, v4)
        v2 = t
        t = _lo(v3, v5)
        v5 = _hi(v3, v5)
        v3 = t
        t = _lo(v10, v12)
        v12 = _hi(v10, v12)
        v10 = t
        t = _lo(v11, v13)
        v13 = _hi(v11, v13)
        v11 = t
        t = _lo(v18, v20)
        v20 = _hi(v18, v20)
        v18 = t
        t = _lo(v19, v21)
        v21 = _hi(v19, v21)
        v19 = t
        t = _lo(v1, v2)
        v2 = _hi(v1, v2)
        v1 = t
        t = _lo(v3, v4)
        v4 = _hi(v3, v4)
        v3 = t
        t = _lo(v5, v6)
        v6 = _hi(v5, v6)
        v5 = t
        t = _lo(v9, v10)
        v10 = _hi(v9, v10)
        v9 = t
        t = _lo(v11, v12)
        v12 = _hi(v11, v12)
        v11 = t
        t = _lo(v13, v14)
        v14 = _hi(v13, v14)
        v13 = t
        t = _lo(v17, v18)
        v18 = _hi(v17, v18)
        v17 = t
        t = _lo(v19, v20)
        v20 = _hi(v19, v20)
        v19 = t
        t = _lo(v21, v22)
        v22 = _hi(v21, v22)
        v21 = t
        t = _lo(v0, v8)
        v8 = _hi(v0, v8)
        v0 = t
        t = _lo(v1, v9)
        v9 = _hi(v1, v9)
        v1 = t
        t = _lo(v2, v10)
        v10 = _hi(v2, v10)
        v2 = t
        t = _lo(v3, v11)
        v11 = _hi(v3, v11)
        v3 = t
        t = _lo(v4, v12)
        v12 = _hi(v4, v12)
        v4 = t
        t = _lo(v5, v13)
        v13 = _hi(v5, v13)
        v5 = t
        t = _lo(v6, v14)
        v14 = _hi(v6, v14)
        v6 = t
        v7 = _lo(v7, v15)
        t = _lo(v16, v24)
        v24 = _hi(v16, v24)
        v16 = t
        t = _lo(v4, v8)
        v8 = _hi(v4, v8)
        v4 = t
        t = _lo(v5, v9)
        v9 = _hi(v5, v9)
        v5 = t
        t = _lo(v6, v10)
        v10 = _hi(v6, v10)
        v6 = t
        t = _lo(v7, v11)
        v11 = _hi(v7, v11)
        v7 = t
        t = _lo(v20, v24)
        v24 = _hi(v20, v24)
        v20 = t
        t = _lo(v2, v4)
        v4 = _hi(v2, v4)
        v2 = t
        t = _lo(v3, v5)
        v5 = _hi(v3, v5)
        v3 = t
        t = _lo(v6, v8)
        v8 = _hi(v6, v8)
        v6 = t
        t = _lo(v7, v9)
        v9 = _hi(v7, v9)
        v7 = t
        t = _lo(v10, v12)
        v12 = _hi(v10, v12)
        v10 = t
        t = _lo(v11, v13)
        v13 = _hi(v11, v13)
        v11 = t
        t = _lo(v18, v20)
        v20 = _hi(v18, v20)
        v18 = t
        t = _lo(v19, v21)
        v21 = _hi(v19, v21)
        v19 = t
        t = _lo(v22, v24)
        v24 = _hi(v22, v24)
        v22 = t
        t = _lo(v1, v2)
        v2 = _hi(v1, v2)
        v1 = t
        t = _lo(v3, v4)
        v4 = _hi(v3, v4)
        v3 = t
        t = _lo(v5, v6)
        v6 = _hi(v5, v6)
        v5 = t
        t = _lo(v7, v8)
        v8 = _hi(v7, v8)
        v7 = t
        t = _lo(v9, v10)
        v10 = _hi(v9, v10)
        v9 = t
        t = _lo(v11, v12)
        v12 = _hi(v11, v12)
        v11 = t
        v13 = _lo(v13, v14)
        t = _lo(v17, v18)
        v18 = _hi(v17, v18)
        v17 = t
        t = _lo(v19, v20)
        v20 = _hi(v19, v20)
        v19 = t
        t = _lo(v21, v22)
        v22 = _hi(v21, v22)
        v21 = t
        t = _lo(v23, v24)
        v24 = _hi(v23, v24)
        v23 = t
        v16 = _hi(v16, v0)
        v17 = _hi(v17, v1)
        v18 = _hi(v18, v2)
        v19 = _hi(v19, v3)
        v20 = _hi(v20, v4)
        v21 = _hi(v21, v5)
        v6 = _lo(v6, v22)
        v7 = _lo(v7, v23)
        v8 = _lo(v8, v24)
        v16 = _hi(v16, v8)
        v17 = _hi(v17, v9)
        v10 = _lo(v10, v18)
        v11 = _lo(v11, v19)
        v12 = _lo(v12, v20)
        v13 = _lo(v13, v21)
        v10 = _hi(v10, v6)
        v11 = _hi(v11, v7)
        v12 = _lo(v12, v16)
        v13 = _lo(v13, v17)
        v12 = _hi(v12, v10)
        v11 = _lo(v11, v13)
        v12 = _hi(v12, v11)
        o[i] = v12


@njit(nogil=True, cache=True)
def _median3x3(a0, b0, c0, a, b, c, o, n):
    """3 x 3 median from three rows a0, b0, c0 of n + 2 columns, column sorts (into a, b,
    c) shared (see kernels/rank.pyx, same operations; ``a if a > b else b`` is
    ``_hi(b, a)``)."""
    for j in range(n + 2):
        u = a0[j]
        v = b0[j]
        w = c0[j]
        t = _lo(u, v)
        v = _hi(u, v)
        u = t
        t = _lo(v, w)
        w = _hi(v, w)
        v = t
        t = _lo(u, v)
        v = _hi(u, v)
        a[j] = t
        b[j] = v
        c[j] = w
    for j in range(n):
        p = _hi(a[j + 1], a[j])
        p = _hi(a[j + 2], p)
        r = _lo(c[j], c[j + 1])
        r = _lo(r, c[j + 2])
        u = _lo(b[j], b[j + 1])
        v = _hi(b[j + 1], b[j])
        v = _lo(v, b[j + 2])
        q = _hi(v, u)
        u = _lo(p, q)
        v = _hi(q, p)
        v = _lo(v, r)
        o[j] = _hi(v, u)


@njit(nogil=True, cache=True)
def _chunk(t, H, W):
    nch = (W + COL_CHUNK - 1) // COL_CHUNK
    r = t // nch
    c0 = (t - r * nch) * COL_CHUNK
    nc = W - c0 if W - c0 < COL_CHUNK else COL_CHUNK
    z = r // H
    return r, c0, nc, z, r - z * H


@njit(nogil=True, cache=True)
def _tap_rows(xf, t, D, H, W, offs, mode, cv):
    """(the k tap rows of chunk ``t``, the output offset, the chunk's width)."""
    r, c0, nc, z, y = _chunk(t, H, W)
    k = offs.shape[0]
    rows = np.empty((k, nc), dtype=xf.dtype)
    for q in range(k):
        _tap_row(xf, D, H, W, z, y, c0, nc, offs[q, 0], offs[q, 1], offs[q, 2], mode, cv,
                 rows[q])
    return rows, r * W + c0, nc


@njit(nogil=True, cache=True)
def _m25_task(xf, of, t, D, H, W, offs, mode, cv):
    """25-cell medians: the network, in registers."""
    rows, o0, nc = _tap_rows(xf, t, D, H, W, offs, mode, cv)
    _median25(rows, of[o0:o0 + nc], nc)


@njit(nogil=True, cache=True)
def _m9_task(xf, of, t, D, H, W, offs, mode, cv):
    """Other 9-cell footprints' medians."""
    rows, o0, nc = _tap_rows(xf, t, D, H, W, offs, mode, cv)
    _median9(rows, of[o0:o0 + nc], nc)


@njit(nogil=True, cache=True)
def _net_task(xf, of, t, D, H, W, offs, net, sel, mode, cv):
    rows, o0, nc = _tap_rows(xf, t, D, H, W, offs, mode, cv)
    for q in range(net.shape[0]):
        _cx(rows[net[q, 0]], rows[net[q, 1]], nc, net[q, 2])
    _copy(of[o0:o0 + nc], _ro(rows[sel]), nc)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _net_m25(xf, of, D, H, W, offs, mode, cv, t0, t1):
    for i in prange(t1 - t0):
        _m25_task(xf, of, np.int64(t0 + i), D, H, W, offs, mode, cv)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _net_m9(xf, of, D, H, W, offs, mode, cv, t0, t1):
    for i in prange(t1 - t0):
        _m9_task(xf, of, np.int64(t0 + i), D, H, W, offs, mode, cv)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _net_any(xf, of, D, H, W, offs, net, sel, mode, cv, t0, t1):
    for i in prange(t1 - t0):
        _net_task(xf, of, np.int64(t0 + i), D, H, W, offs, net, sel, mode, cv)


def rank_net(x, out, offs, net, sel, mode, cval, n_threads, t0, t1):
    """Order statistic by a selection network on whole tap rows; wire ``sel`` answers:
    tasks ``t0 <= t < min(t1, T)``; returns T. The 25- and 9-cell medians run their
    unrolled networks, each its own kernel (a call compiles only the one it runs)."""
    T = _fp_tasks(x)
    span = _span(T, t0, t1)
    if span is None:
        return T
    k = offs.shape[0]
    args = (readonly(_flat(x)), _flat(out), *_dims(x), readonly(offs))
    rest = (np.int64(mode), x.dtype.type(cval))
    if k == 25 and sel == 12:
        call_with_threads(n_threads, _net_m25, *args, *rest, *span)
    elif k == 9 and sel == 4:
        call_with_threads(n_threads, _net_m9, *args, *rest, *span)
    else:
        call_with_threads(n_threads, _net_any, *args, readonly(np.ascontiguousarray(net)),
                          np.int64(sel), *rest, *span)
    return T


@njit(nogil=True, cache=True)
def _sort3(a, b, c):
    """(lo, mid, hi) of three values: 6 min/max (kernels/rank.pyx's PYC_SORT3)."""
    s = _lo(a, b)
    t = _hi(a, b)
    u = _hi(s, c)
    return _lo(s, c), _lo(t, u), _hi(t, u)


@njit(nogil=True, cache=True)
def _med3(p, q, r):
    return _hi(_lo(p, q), _lo(_hi(p, q), r))


@njit(nogil=True, cache=True)
def _med3_pair(a, b, c, d):
    """The 3 x 3 medians of rows (a, b, c) and (b, c, d), each row's (lo, mid, hi) sort
    given, rows b and c shared (kernels/rank.pyx's PYC_MED3_PAIR)."""
    lo = _hi(b[0], c[0])
    hi = _lo(b[2], c[2])
    ml = _lo(b[1], c[1])
    mh = _hi(b[1], c[1])
    return (_med3(_hi(lo, a[0]), _hi(ml, _lo(mh, a[1])), _lo(hi, a[2])),
            _med3(_hi(lo, d[0]), _hi(ml, _lo(mh, d[1])), _lo(hi, d[2])))


@njit(nogil=True, cache=True)
def _med3x2_run(r0, r1, r2, r3, o0, o1, m):
    for j in range(m):
        o0[j], o1[j] = _med3_pair(_sort3(r0[j], r0[j + 1], r0[j + 2]),
                                  _sort3(r1[j], r1[j + 1], r1[j + 2]),
                                  _sort3(r2[j], r2[j + 1], r2[j + 2]),
                                  _sort3(r3[j], r3[j + 1], r3[j + 2]))


@njit(nogil=True, cache=True)
def _med3x2(r0, r1, r2, r3, o0, o1, n):
    """Two output rows of 3 x 3 medians straight from four image rows, n >= VB columns
    (kernels/rank.pyx's pyc_med3x2: each row's neighbours sorted, med3 of (max of the
    lows, med3 of the mids, min of the highs), rows 1 and 2 shared); the last n % VB
    columns as one more block of VB ending at n (kernels/rank.pyx's PYC_TAILED)."""
    m = n - n % VB
    _med3x2_run(r0, r1, r2, r3, o0, o1, m)
    if m < n:
        a = n - VB
        _med3x2_run(r0[a:], r1[a:], r2[a:], r3[a:], o0[a:], o1[a:], VB)


@njit(nogil=True, cache=True)
def _med3x4_run(r0, r1, r2, r3, r4, r5, o0, o1, o2, o3, m):
    for j in range(m):
        s2 = _sort3(r2[j], r2[j + 1], r2[j + 2])
        s3 = _sort3(r3[j], r3[j + 1], r3[j + 2])
        o0[j], o1[j] = _med3_pair(_sort3(r0[j], r0[j + 1], r0[j + 2]),
                                  _sort3(r1[j], r1[j + 1], r1[j + 2]), s2, s3)
        o2[j], o3[j] = _med3_pair(s2, s3, _sort3(r4[j], r4[j + 1], r4[j + 2]),
                                  _sort3(r5[j], r5[j + 1], r5[j + 2]))


@njit(nogil=True, cache=True)
def _med3x4(r0, r1, r2, r3, r4, r5, o0, o1, o2, o3, n):
    """Four output rows from six image rows, n >= VB columns: the pair of _med3x2 on rows
    0-3 and on rows 2-5, each row sorted once (kernels/rank.pyx's pyc_med3x4)."""
    m = n - n % VB
    _med3x4_run(r0, r1, r2, r3, r4, r5, o0, o1, o2, o3, m)
    if m < n:
        a = n - VB
        _med3x4_run(r0[a:], r1[a:], r2[a:], r3[a:], r4[a:], r5[a:], o0[a:], o1[a:], o2[a:],
                    o3[a:], VB)


@njit(nogil=True, cache=True)
def _hsort5_run(r, s, m):
    for j in range(m):
        # BEGIN generated _hsort5_run (kernels/gen_median5.py)
        x0 = r[j + 0]
        x1 = r[j + 1]
        x2 = r[j + 2]
        x3 = r[j + 3]
        x4 = r[j + 4]
        t0 = _lo(x0, x1)
        t1 = _hi(x0, x1)
        t2 = _lo(x3, x4)
        t3 = _hi(x3, x4)
        t4 = _lo(x2, t3)
        t5 = _hi(x2, t3)
        t6 = _lo(t4, t2)
        t7 = _hi(t4, t2)
        t8 = _lo(t0, t7)
        t9 = _hi(t0, t7)
        t10 = _lo(t8, t6)
        t11 = _hi(t8, t6)
        t12 = _lo(t1, t5)
        t13 = _hi(t1, t5)
        t14 = _lo(t12, t9)
        t15 = _hi(t12, t9)
        t16 = _lo(t14, t11)
        t17 = _hi(t14, t11)
        s[0 * M5LS + j] = t10
        s[1 * M5LS + j] = t16
        s[2 * M5LS + j] = t17
        s[3 * M5LS + j] = t15
        s[4 * M5LS + j] = t13
        # END generated _hsort5_run


@njit(nogil=True, cache=True)
def _hsort5(r, s, n):
    """s[k M5LS + j] = rank k of r[j .. j + 4], j < n (n >= VB; kernels/rank.pyx's
    pyc_hsort5, generated the same way); the last n % VB as a block of VB (PYC_TAILED)."""
    m = n - n % VB
    _hsort5_run(r, s, m)
    if m < n:
        a = n - VB
        _hsort5_run(r[a:], s[a:], VB)


@njit(nogil=True, cache=True)
def _med5x2_run(q, o0, o1, m):
    for j in range(m):
        # BEGIN generated _med5x2_run (kernels/gen_median5.py)
        s00 = q[0 * M5LS + j]
        s01 = q[1 * M5LS + j]
        s02 = q[2 * M5LS + j]
        s03 = q[3 * M5LS + j]
        s04 = q[4 * M5LS + j]
        s10 = q[5 * M5LS + j]
        s11 = q[6 * M5LS + j]
        s12 = q[7 * M5LS + j]
        s13 = q[8 * M5LS + j]
        s14 = q[9 * M5LS + j]
        s20 = q[10 * M5LS + j]
        s21 = q[11 * M5LS + j]
        s22 = q[12 * M5LS + j]
        s23 = q[13 * M5LS + j]
        s24 = q[14 * M5LS + j]
        s30 = q[15 * M5LS + j]
        s31 = q[16 * M5LS + j]
        s32 = q[17 * M5LS + j]
        s33 = q[18 * M5LS + j]
        s34 = q[19 * M5LS + j]
        s40 = q[20 * M5LS + j]
        s41 = q[21 * M5LS + j]
        s42 = q[22 * M5LS + j]
        s43 = q[23 * M5LS + j]
        s44 = q[24 * M5LS + j]
        s50 = q[25 * M5LS + j]
        s51 = q[26 * M5LS + j]
        s52 = q[27 * M5LS + j]
        s53 = q[28 * M5LS + j]
        s54 = q[29 * M5LS + j]
        t0 = _lo(s10, s20)
        t1 = _hi(s10, s20)
        t2 = _lo(s30, s40)
        t3 = _hi(s30, s40)
        t5 = _hi(t0, t2)
        t6 = _lo(t1, t3)
        t7 = _hi(t1, t3)
        t9 = _hi(t6, t5)
        t10 = _lo(s00, t7)
        t11 = _hi(t9, t10)
        t12 = _hi(s00, t7)
        t13 = _lo(s50, t7)
        t14 = _hi(t9, t13)
        t15 = _hi(s50, t7)
        t16 = _lo(s11, s21)
        t17 = _hi(s11, s21)
        t18 = _lo(s31, s41)
        t19 = _hi(s31, s41)
        t21 = _hi(t16, t18)
        t22 = _lo(t17, t19)
        t23 = _hi(t17, t19)
        t24 = _lo(t22, t21)
        t25 = _hi(t22, t21)
        t26 = _lo(s01, t25)
        t27 = _hi(t24, t26)
        t28 = _lo(s01, t23)
        t29 = _hi(t25, t28)
        t30 = _hi(s01, t23)
        t31 = _lo(s51, t25)
        t32 = _hi(t24, t31)
        t33 = _lo(s51, t23)
        t34 = _hi(t25, t33)
        t35 = _hi(s51, t23)
        t36 = _lo(s12, s22)
        t37 = _hi(s12, s22)
        t38 = _lo(s32, s42)
        t39 = _hi(s32, s42)
        t40 = _lo(t36, t38)
        t41 = _hi(t36, t38)
        t42 = _lo(t37, t39)
        t43 = _hi(t37, t39)
        t44 = _lo(t42, t41)
        t45 = _hi(t42, t41)
        t46 = _lo(s02, t44)
        t47 = _hi(t40, t46)
        t48 = _lo(s02, t45)
        t49 = _hi(t44, t48)
        t50 = _lo(s02, t43)
        t51 = _hi(t45, t50)
        t52 = _lo(s52, t44)
        t53 = _hi(t40, t52)
        t54 = _lo(s52, t45)
        t55 = _hi(t44, t54)
        t56 = _lo(s52, t43)
        t57 = _hi(t45, t56)
        t58 = _lo(s13, s23)
        t59 = _hi(s13, s23)
        t60 = _lo(s33, s43)
        t61 = _hi(s33, s43)
        t62 = _lo(t58, t60)
        t63 = _hi(t58, t60)
        t64 = _lo(t59, t61)
        t66 = _lo(t64, t63)
        t67 = _hi(t64, t63)
        t68 = _lo(s03, t62)
        t69 = _lo(s03, t66)
        t70 = _hi(t62, t69)
        t71 = _lo(s03, t67)
        t72 = _hi(t66, t71)
        t73 = _lo(s53, t62)
        t74 = _lo(s53, t66)
        t75 = _hi(t62, t74)
        t76 = _lo(s53, t67)
        t77 = _hi(t66, t76)
        t78 = _lo(s14, s24)
        t79 = _hi(s14, s24)
        t80 = _lo(s34, s44)
        t81 = _hi(s34, s44)
        t82 = _lo(t78, t80)
        t83 = _hi(t78, t80)
        t84 = _lo(t79, t81)
        t86 = _lo(t84, t83)
        t88 = _lo(s04, t82)
        t89 = _lo(s04, t86)
        t90 = _hi(t82, t89)
        t91 = _lo(s54, t82)
        t92 = _lo(s54, t86)
        t93 = _hi(t82, t92)
        t94 = _lo(t30, t47)
        t95 = _hi(t30, t47)
        t96 = _lo(t72, t88)
        t97 = _hi(t72, t88)
        t99 = _hi(t11, t27)
        t100 = _lo(t12, t29)
        t101 = _hi(t12, t29)
        t102 = _lo(t95, t51)
        t104 = _lo(t100, t99)
        t105 = _hi(t100, t99)
        t106 = _lo(t102, t49)
        t107 = _hi(t102, t49)
        t108 = _lo(t104, t106)
        t109 = _hi(t104, t106)
        t111 = _hi(t105, t94)
        t112 = _lo(t101, t109)
        t113 = _hi(t101, t109)
        t114 = _lo(t112, t111)
        t115 = _hi(t112, t111)
        t116 = _lo(t113, t107)
        t117 = _hi(t113, t107)
        t118 = _lo(t70, t96)
        t119 = _hi(t70, t96)
        t120 = _lo(t97, t90)
        t123 = _hi(t108, t118)
        t124 = _lo(t114, t120)
        t127 = _hi(t115, t68)
        t128 = _lo(t116, t123)
        t130 = _lo(t117, t119)
        t133 = _hi(t124, t128)
        t134 = _lo(t130, t127)
        t137 = _hi(t133, t134)
        t138 = _lo(t35, t53)
        t139 = _hi(t35, t53)
        t140 = _lo(t77, t91)
        t141 = _hi(t77, t91)
        t143 = _hi(t14, t32)
        t144 = _lo(t15, t34)
        t145 = _hi(t15, t34)
        t146 = _lo(t139, t57)
        t148 = _lo(t144, t143)
        t149 = _hi(t144, t143)
        t150 = _lo(t146, t55)
        t151 = _hi(t146, t55)
        t152 = _lo(t148, t150)
        t153 = _hi(t148, t150)
        t155 = _hi(t149, t138)
        t156 = _lo(t145, t153)
        t157 = _hi(t145, t153)
        t158 = _lo(t156, t155)
        t159 = _hi(t156, t155)
        t160 = _lo(t157, t151)
        t161 = _hi(t157, t151)
        t162 = _lo(t75, t140)
        t163 = _hi(t75, t140)
        t164 = _lo(t141, t93)
        t167 = _hi(t152, t162)
        t168 = _lo(t158, t164)
        t171 = _hi(t159, t73)
        t172 = _lo(t160, t167)
        t174 = _lo(t161, t163)
        t177 = _hi(t168, t172)
        t178 = _lo(t174, t171)
        t181 = _hi(t177, t178)
        o0[j] = t137
        o1[j] = t181
        # END generated _med5x2_run


@njit(nogil=True, cache=True)
def _med5x2(q, o0, o1, n):
    """Two output rows of 5 x 5 medians from the six input rows' sorted lines (row r's
    rank c at q[(5 r + c) M5LS + j]), j < n (n >= VB; kernels/rank.pyx's pyc_med5x2,
    generated the same way); the last n % VB as a block of VB (PYC_TAILED)."""
    m = n - n % VB
    _med5x2_run(q, o0, o1, m)
    if m < n:
        a = n - VB
        _med5x2_run(q[a:], o0[a:], o1[a:], VB)


@njit(nogil=True, cache=True)
def _med3_edge(xf, of, z, i0, i1, H, W, D, ca, cb, oz, oy, ox, mode, cv, lines, srt):
    """Columns ca <= c < cb of the band (edge columns, or a band that reads a row of
    cval) through border-extended lines and the shared-column _median3x3 (kernels/
    rank.pyx's _med3_edge)."""
    n = cb - ca
    if n <= 0:
        return
    for p in range(i1 - i0 + 2):
        _ext_row(xf, _plane_row(D, H, W, z + oz, i0 + oy + p, mode), W, ca + ox, n + 2, mode,
                 cv, lines[p])
        if p >= 2:
            o0 = (z * H + i0 + p - 2) * W + ca
            _median3x3(_ro(lines[p - 2]), _ro(lines[p - 1]), _ro(lines[p]), srt[0], srt[1],
                       srt[2], of[o0:o0 + n], n)


@njit(nogil=True, cache=True)
def _med3_inner(xf, of, rp, z, i0, i1, H, W, ca, n, ox):
    """Columns ca <= c < ca + n of the band (n >= VB, at least two rows) straight from
    the image rows, four output rows a step, then pairs, the last pair ending at the
    band's last row (again rows done before it where their count is odd; kernels/
    rank.pyx's _med3_inner)."""
    y = i0
    while y < i1:
        q = 4 if y + 4 <= i1 else 2
        if q == 2:
            y = min(y, i1 - 2)
        p = y - i0
        o0 = (z * H + y) * W + ca
        r0 = _ro(xf[rp[p] + ca + ox:rp[p] + ca + ox + n + 2])
        r1 = _ro(xf[rp[p + 1] + ca + ox:rp[p + 1] + ca + ox + n + 2])
        r2 = _ro(xf[rp[p + 2] + ca + ox:rp[p + 2] + ca + ox + n + 2])
        r3 = _ro(xf[rp[p + 3] + ca + ox:rp[p + 3] + ca + ox + n + 2])
        if q == 4:
            _med3x4(r0, r1, r2, r3, _ro(xf[rp[p + 4] + ca + ox:rp[p + 4] + ca + ox + n + 2]),
                    _ro(xf[rp[p + 5] + ca + ox:rp[p + 5] + ca + ox + n + 2]), of[o0:o0 + n],
                    of[o0 + W:o0 + W + n], of[o0 + 2 * W:o0 + 2 * W + n],
                    of[o0 + 3 * W:o0 + 3 * W + n], n)
        else:
            _med3x2(r0, r1, r2, r3, of[o0:o0 + n], of[o0 + W:o0 + W + n], n)
        y += q


@njit(nogil=True, cache=True)
def _med5_inner(xf, of, rp, z, i0, i1, H, W, ca, n, ox, srt):
    """Columns ca <= c < ca + n of the band (n >= VB, at least two rows): each input
    row's neighbours sorted once (_hsort5; row p's lines from srt[5 p M5LS]), output rows in pairs as soon as their last
    row is sorted, an odd last row with the row before it, again (kernels/rank.pyx's
    _med5_inner)."""
    nr = i1 - i0
    for p in range(nr + 4):
        a = rp[p] + ca + ox
        _hsort5(_ro(xf[a:a + n + 4]), srt[p * 5 * M5LS:], n)
        k = p - 5                # output rows k, k + 1 (band-relative) read rows k .. p
        if k >= 0 and (k % 2 == 0 or k == nr - 2):
            o0 = (z * H + i0 + k) * W + ca
            _med5x2(_ro(srt[k * 5 * M5LS:]), of[o0:o0 + n], of[o0 + W:o0 + W + n], n)


@njit(nogil=True, cache=True)
def _med5_edge(xf, of, z, i0, i1, H, W, D, ca, cb, oz, oy, ox, mode, cv, taps, L):
    """Columns ca <= c < cb of the band through border-extended lines copied shifted into
    tap rows and the 25-tap network (kernels/rank.pyx's _med5_edge)."""
    n = cb - ca
    if n <= 0:
        return
    for p in range(i1 - i0 + 4):
        _ext_row(xf, _plane_row(D, H, W, z + oz, i0 + oy + p, mode), W, ca + ox, n + 4,
                 mode, cv, L)
        for dx in range(5):
            _copy(taps[p * 5 + dx], _ro(L[dx:]), n)
        if p >= 4:   # output row y right after its last input row (its tap rows in L1)
            o0 = (z * H + i0 + p - 4) * W + ca
            # (writeable, as the tap-row path passes it: one compile of the network per dtype)
            _median25(taps[(p - 4) * 5:(p - 4) * 5 + 25], of[o0:o0 + n], n)


@njit(nogil=True, cache=True)
def _box_span(D, H, W, z, i0, i1, c0, nc, k, oz, oy, ox, mode, rp):
    """(ci0, ci1): the columns of the band's chunk that read the image rows in place
    (0 <= c + ox, c + ox + k - 1 < W), rp[p] the band's image rows; an empty span (the
    whole chunk through lines) where a row is cval, the band has one row or the span is
    narrower than VB (kernels/rank.pyx's _box_span)."""
    ci0 = min(max(c0, -ox), c0 + nc)
    ci1 = max(min(c0 + nc, W - k + 1 - ox), ci0)
    for p in range(i1 - i0 + k - 1):
        rp[p] = _plane_row(D, H, W, z + oz, i0 + oy + p, mode)
        if rp[p] < 0:
            ci1 = ci0
    if i1 - i0 < 2 or ci1 - ci0 < VB:
        ci1 = ci0
    return ci0, ci1


@njit(nogil=True, cache=True)
def _box3_task(xf, of, t, D, H, W, oz, oy, ox, mode, cv, nbd, nch):
    """Task ``t`` of median_box k = 3 (kernels/rank.pyx's, the same span and lines)."""
    z, i0, i1, c0, nc = _band_chunk(t, nbd, nch, BOX3_ROWS, BOX3_COLS, H, W)
    nrow = i1 - i0 + 2
    rp = np.empty(nrow, dtype=np.int64)
    ci0, ci1 = _box_span(D, H, W, z, i0, i1, c0, nc, 3, oz, oy, ox, mode, rp)
    lines = np.empty((nrow, BOX3_LINE), dtype=xf.dtype)
    srt = np.empty((3, BOX3_LINE), dtype=xf.dtype)
    _med3_edge(xf, of, z, i0, i1, H, W, D, c0, ci0, oz, oy, ox, mode, cv, lines, srt)
    if ci1 > ci0:
        _med3_inner(xf, of, rp, z, i0, i1, H, W, ci0, ci1 - ci0, ox)
    _med3_edge(xf, of, z, i0, i1, H, W, D, ci1, c0 + nc, oz, oy, ox, mode, cv, lines, srt)


@njit(nogil=True, cache=True)
def _box5_task(xf, of, t, D, H, W, oz, oy, ox, mode, cv, nbd, nch):
    """Task ``t`` of median_box k = 5 (kernels/rank.pyx's, the same span and lines)."""
    z, i0, i1, c0, nc = _band_chunk(t, nbd, nch, BOX_ROWS, COL_CHUNK, H, W)
    nrow = i1 - i0 + 4
    rp = np.empty(nrow, dtype=np.int64)
    ci0, ci1 = _box_span(D, H, W, z, i0, i1, c0, nc, 5, oz, oy, ox, mode, rp)
    taps = np.empty((nrow * 5, COL_CHUNK), dtype=xf.dtype)
    L = np.empty(BOX_LINE, dtype=xf.dtype)
    _med5_edge(xf, of, z, i0, i1, H, W, D, c0, ci0, oz, oy, ox, mode, cv, taps, L)
    if ci1 > ci0:
        srt = np.empty(nrow * 5 * M5LS, dtype=xf.dtype)   # row p's lines from 5 p M5LS
        _med5_inner(xf, of, rp, z, i0, i1, H, W, ci0, ci1 - ci0, ox, srt)
    _med5_edge(xf, of, z, i0, i1, H, W, D, ci1, c0 + nc, oz, oy, ox, mode, cv, taps, L)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _med_box3(xf, of, D, H, W, oz, oy, ox, mode, cv, nbd, nch, t0, t1):
    for i in prange(t1 - t0):
        _box3_task(xf, of, np.int64(t0 + i), D, H, W, oz, oy, ox, mode, cv, nbd, nch)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _med_box5(xf, of, D, H, W, oz, oy, ox, mode, cv, nbd, nch, t0, t1):
    for i in prange(t1 - t0):
        _box5_task(xf, of, np.int64(t0 + i), D, H, W, oz, oy, ox, mode, cv, nbd, nch)


def median_box(x, out, k, oz, oy, ox, mode, cval, n_threads, t0, t1):
    """Median of a full k x k box (k = 3 or 5) in one plane (kernels/rank.pyx's
    median_box: the same tasks, spans, lines and circuits): tasks ``t0 <= t < min(t1,
    T)``; returns T. Each k its own kernel (a call compiles only the one it runs)."""
    if x.size == 0:
        return 0
    R, cw = (BOX3_ROWS, BOX3_COLS) if k == 3 else (BOX_ROWS, COL_CHUNK)
    T, nbd, nch, span = _band_grid(x, R, cw, t0, t1)
    if span is not None:
        i64 = np.int64
        call_with_threads(n_threads, _med_box3 if k == 3 else _med_box5,
                          readonly(_flat(x)), _flat(out), *_dims(x), i64(oz), i64(oy),
                          i64(ox), i64(mode), x.dtype.type(cval), i64(nbd), i64(nch), *span)
    return T


# ---------------------------------------------------------------- 8/16-bit box ranks: histograms

@njit(nogil=True, cache=True)
def _hist_row(lines, l0, ky, kx, nc, rank, hist, o):
    """o[c] = element ``rank`` of the ky x kx window on lines[l0 + j, c:c + kx]: Huang's
    sliding histogram (kernels/rank.pyx's _hist_row)."""
    hist[:] = 0
    for j in range(ky):
        L = lines[l0 + j]
        for i in range(kx):
            hist[L[i]] += 1
    lt = 0
    m = 0
    while lt + hist[m] <= rank:
        lt += hist[m]
        m += 1
    o[0] = m
    for c in range(1, nc):
        for j in range(l0, l0 + ky):  # 2-D indexing: a row view a step cost 1.8x
            d = np.int64(lines[j, c - 1])
            a = np.int64(lines[j, c + kx - 1])
            if a != d:
                hist[d] -= 1
                hist[a] += 1
                lt += np.int64(a < m) - np.int64(d < m)
        while lt > rank:
            m -= 1
            lt -= hist[m]
        while lt + hist[m] <= rank:
            lt += hist[m]
            m += 1
        o[c] = m


@njit(nogil=True, cache=True)
def _sum16(h, i):
    s = np.int32(0)
    for j in range(16):
        s += h[i + j]
    return s


@njit(nogil=True, cache=True)
def _hist_row16(lines, l0, ky, kx, nc, rank, coarse, fine, o):
    """_hist_row for 16-bit values: two levels, ``coarse`` (256 bins: the high byte) and
    ``fine`` (bin v + 16 counts value v, 16 zero bins each side; all zero on entry and
    on return) (kernels/rank.pyx's _hist_row16: the same walk)."""
    coarse[:] = 0
    for j in range(ky):
        L = lines[l0 + j]
        for i in range(kx):
            v = np.int64(L[i])
            coarse[v >> 8] += 1
            fine[v + 16] += 1
    ltc = np.int64(0)
    lt = np.int64(0)
    M = np.int64(0)
    m = np.int64(0)
    for c in range(nc):
        if c > 0:
            for j in range(l0, l0 + ky):
                d = np.int64(lines[j, c - 1])
                a = np.int64(lines[j, c + kx - 1])
                if a != d:
                    coarse[d >> 8] -= 1
                    coarse[a >> 8] += 1
                    fine[d + 16] -= 1
                    fine[a + 16] += 1
                    ltc += np.int64((a >> 8) < M) - np.int64((d >> 8) < M)
                    lt += np.int64(a < m) - np.int64(d < m)
        if c == 0 or ltc > rank or ltc + coarse[M] <= rank:
            while ltc > rank:
                M -= 1
                ltc -= coarse[M]
            while ltc + coarse[M] <= rank:
                ltc += coarse[M]
                M += 1
            r = rank - ltc
            if 2 * r < coarse[M]:
                m = M << 8
                lt = ltc
            else:
                m = (M << 8) | 255
                lt = ltc + coarse[M] - fine[m + 16]
        if lt > rank:
            while True:
                s = _sum16(fine, m)
                m -= 16
                lt -= s
                if lt <= rank:
                    break
        else:
            while True:
                s = _sum16(fine, m + 16)
                if lt + s > rank:
                    break
                lt += s
                m += 16
        # the bin among the 16: the number of running counts <= rank - lt
        need = rank - lt
        p = np.int64(0)
        b = np.int64(0)
        k = np.int64(0)
        for j in range(16):
            p += fine[m + 16 + j]
            le = p <= need
            k += np.int64(le)
            b = p if le else b
        m += k
        lt += b
        o[c] = m
    for j in range(ky):  # back to all zero
        L = lines[l0 + j]
        for i in range(nc - 1, nc - 1 + kx):
            fine[np.int64(L[i]) + 16] -= 1


@njit(nogil=True, cache=True)
def _hist_lines(xf, t, D, H, W, ky, kx, oz, oy, ox, mode, cv, nbd, nch):
    """Task ``t``'s input rows, border-extended once: (lines, z, i0, i1, c0, nc)."""
    z, i0, i1, c0, nc = _band_chunk(t, nbd, nch, HIST_ROWS, HIST_COLS, H, W)
    nrow = i1 - i0 + ky - 1
    lines = np.empty((nrow, nc + kx - 1), dtype=xf.dtype)
    for p in range(nrow):
        _ext_row(xf, _plane_row(D, H, W, z + oz, i0 + oy + p, mode), W, c0 + ox, nc + kx - 1,
                 mode, cv, lines[p])
    return lines, z, i0, i1, c0, nc


@njit(nogil=True, cache=True)
def _hist_task(xf, of, t, D, H, W, ky, kx, oz, oy, ox, rank, mode, cv, nbd, nch):
    lines, z, i0, i1, c0, nc = _hist_lines(xf, t, D, H, W, ky, kx, oz, oy, ox, mode, cv,
                                           nbd, nch)
    hist = np.empty(256, dtype=np.int32)
    for y in range(i0, i1):
        o0 = (z * H + y) * W + c0
        _hist_row(lines, y - i0, ky, kx, nc, rank, hist, of[o0:o0 + nc])


@njit(nogil=True, cache=True)
def _hist_task16(xf, of, t, D, H, W, ky, kx, oz, oy, ox, rank, mode, cv, nbd, nch):
    lines, z, i0, i1, c0, nc = _hist_lines(xf, t, D, H, W, ky, kx, oz, oy, ox, mode, cv,
                                           nbd, nch)
    coarse = np.empty(256, dtype=np.int32)
    fine = np.zeros(65536 + 32, dtype=np.int32)
    for y in range(i0, i1):
        o0 = (z * H + y) * W + c0
        _hist_row16(lines, y - i0, ky, kx, nc, rank, coarse, fine, of[o0:o0 + nc])


# 8- and 16-bit input run separate kernels: one task compiling both row loops for
# every dtype took 3.3 s to compile cold for uint8 (2.1 s with the 8-bit loop alone)
@njit(parallel=prange_only(), nogil=True, cache=True)
def _rank_hist(xf, of, D, H, W, ky, kx, oz, oy, ox, rank, mode, cv, nbd, nch, t0, t1):
    for i in prange(t1 - t0):
        _hist_task(xf, of, np.int64(t0 + i), D, H, W, ky, kx, oz, oy, ox, rank, mode, cv,
                   nbd, nch)


@njit(parallel=prange_only(), nogil=True, cache=True)
def _rank_hist16(xf, of, D, H, W, ky, kx, oz, oy, ox, rank, mode, cv, nbd, nch, t0, t1):
    for i in prange(t1 - t0):
        _hist_task16(xf, of, np.int64(t0 + i), D, H, W, ky, kx, oz, oy, ox, rank, mode, cv,
                     nbd, nch)


def rank_hist(x, out, ky, kx, oz, oy, ox, rank, mode, cval, n_threads, t0, t1):
    """Element ``rank`` of a full ky x kx box in one plane of uint8 or uint16 input
    (kernels/rank.pyx's rank_hist: the same tasks and histograms): tasks
    ``t0 <= t < min(t1, T)``; returns T."""
    if x.size == 0:
        return 0
    T, nbd, nch, span = _band_grid(x, HIST_ROWS, HIST_COLS, t0, t1)
    if span is not None:
        i64 = np.int64
        call_with_threads(n_threads, _rank_hist16 if x.dtype.itemsize == 2 else _rank_hist,
                          readonly(_flat(x)), _flat(out), *_dims(x),
                          i64(ky), i64(kx), i64(oz), i64(oy), i64(ox), i64(rank), i64(mode),
                          x.dtype.type(cval), i64(nbd), i64(nch), *span)
    return T

