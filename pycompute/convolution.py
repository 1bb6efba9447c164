"""Parallel SIMD drop-ins for scipy.ndimage's linear filters.

``correlate, convolve, correlate1d, convolve1d, uniform_filter, uniform_filter1d,
gaussian_filter, gaussian_filter1d, sobel, prewitt, laplace`` take
scipy.ndimage's arguments, defaults and semantics, plus keyword-only
``backend=`` and ``num_threads=``.

How a call runs: validate exactly as scipy does (scipy's exception types, and
messages that contain scipy's wording after pycompute's own, see
``_validation.ndi_error``) ->
describe the filter as 1-D passes along axes (separable filters) or one dense
pass -> resolve threads -> kernel -> output. Every pass sees the array as
``(A, N, B)`` (filter axis N), so the 1-D filters cover any number of
dimensions; dense ``correlate``/``convolve`` cover 1-D to 3-D.

Results: the output dtype rules and integer casting of scipy; float64 work
reproduces scipy's per-pixel operation order (so results agree bit for bit,
integers included). float32 input with float32 output is computed in float32
with FMA (scipy rounds a float64 sum): each output is within c * eps32 * the sum
of its |terms| of scipy's (c measured below 6, README), not within a few ulps
of its own value. ``precision="scipy"`` (argument, or the context
``pycompute.precision("scipy")``) accumulates float32 in float64 and rounds once
per pass, as scipy: equal to scipy bit for bit, at the cost of float64 lanes.

Outside native coverage (complex input or weights, float16/longdouble/bool
output, dense weights on ndim > 3, 0-d input) ``backend="auto"`` calls
scipy.ndimage; a named native backend raises ``TypeError``.

Memory: no padded copy of the image (borders by index arithmetic and
per-thread row buffers). Two passes along neighbouring axes (a 2-D Gaussian,
sobel-like pairs, rank-1 kernels in float32; uint8 box filters) run fused
(``_fused_pair``): the intermediate lives in per-thread rows. Other separable
filters keep their intermediates in the output (in the output dtype, as
scipy): 1-D passes after the first run in place with per-thread copies of one
slab (the data after the leading axes, e.g. one image row), so a 2-D Gaussian
or box filter allocates nothing of image size; a pass that cannot (a leading
axis after another pass, e.g. sobel's second pass, or the Numba backend) uses
one temporary of the output's size. Non-contiguous or byte-swapped inputs, and
inputs that share memory with ``output``, are copied once.

Huge windows: work that cannot be done is refused before any kernel runs, with
a MemoryError naming the argument, its value and the bytes needed (a Gaussian
kernel too large to build; a box window over float input whose running sum
scipy could not buffer). A 1-D kernel longer than its axis runs the kernels'
long path: the border resolved once into a table of N + K - 1 source rows, a
padded line per thread for contiguous lines, O(N + K) scratch as scipy's line
buffer; the fused pair declines where its per-thread rows would grow past
``FUSED_SCRATCH_MAX`` (a sigma of 1e6 on a 64 x 80 image needed gigabytes).
A box window longer than the line over integer input costs O(length), with
exact window sums (``_box_fold``), whatever its size.

Stopping: a pass whose work exceeds a few ms runs as several native calls over
ranges of the kernel's tasks (``_cancel.run_tasks``, slices of about 50 ms), so
Ctrl-C raises ``KeyboardInterrupt`` and a cancelled ``pycompute.aio`` await stops,
both between two slices; the results are the same bits however a pass is cut.
A stopped call leaves ``output`` partly written (the passes and tasks that ran).
What one task may take is bounded here where the dispatcher chooses it
(``TASK_WORK``: an in-place slab, the rows of a fused pair; ``BOX_LANE_STEPS``: a
box filter's running sums along a long line are cut into segments that continue
each other's sums); elsewhere a task is at most CHUNK outputs x taps. The NumPy
steps around the kernels (``_box_fold``, casts, ``laplace``'s sums) are single
passes over the data, not loops over a window.
"""
from __future__ import annotations

import functools
import numbers
import operator
from collections.abc import Iterable

import numpy as np

from . import _backends, _cancel, _reference, _threads

from ._validation import (
    MODE_CODES,
    NATIVE_REAL,
    as_array,
    check_alloc,
    kernel_dtype,
    ndi_axes,
    ndi_axis,
    ndi_cval,
    ndi_error,
    ndi_index,
    ndi_mode,
    ndi_origin,
    ndi_output,
    ndi_sequence,
    readable,
)

__all__ = ["correlate1d", "convolve1d", "correlate", "convolve", "uniform_filter1d",
           "uniform_filter", "gaussian_filter1d", "gaussian_filter", "sobel", "prewitt",
           "laplace"]

_FAMILY = "convolution"
#: multiply-adds one thread must have before a second one is worth starting
GRAIN = 1 << 16
#: multiply-adds one kernel task may take at most where the dispatcher chooses its size
#: (an in-place slab, a fused pair's rows; ~10-40 ms on one core): a stop request waits
#: for the tasks that are running
TASK_WORK = 1 << 27
#: steps x (lanes + 16) of a box filter's running sums per task (a step costs about 16
#: lanes more: its border test, the loop around the lanes; ~5-30 ms on one core): a
#: longer line is cut into segments, each task continuing the sums the previous left
BOX_LANE_STEPS = 1 << 23
_LANES = 512  # lanes of one running-sum task at most (the kernels' CHUNK)
_DBL_EPS = float(np.finfo(np.float64).eps)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
#: output dtype -> the OUT_* code of kernels/convolution.pyx and pycompute/_numba/convolution.py
_OUT_CODES = {np.dtype(n): i for i, n in enumerate(
    ("float32", "float64", "int8", "int16", "int32", "int64",
     "uint8", "uint16", "uint32", "uint64"))}


# ---------------------------------------------------------------- scipy-compatible arguments

def _check_common(backend, num_threads, precision=None) -> bool:
    """Check the common keywords; True when float32 must accumulate as scipy's (float64)."""
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)
    return _backends.resolve_precision(precision) == "scipy"


def _native_dtype(dt):
    return dt if dt.isnative else dt.newbyteorder("=")


def _covered(inp, odt) -> bool:
    """Can a native kernel read ``inp`` and write dtype ``odt``?"""
    return (inp.ndim >= 1 and inp.dtype.kind in "biuf" and kernel_dtype(inp) is not None
            and _native_dtype(odt) in NATIVE_REAL)


def _choose(backend, ok, inp, odt, kernel=None):
    # the message only where it is raised: formatting two dtypes costs ~15 us a call
    what = "" if ok else f"input dtype {inp.dtype} ({inp.ndim}-D) with output dtype {odt}"
    return _backends.choose(backend, _FAMILY, ok, what, kernel=kernel)


def _symmetry(w: np.ndarray) -> int:
    """NI_Correlate1D's test: +1 symmetric, -1 antisymmetric, 0 neither (odd lengths only)."""
    k = w.shape[0]
    if not k & 1:
        return 0
    c = k // 2
    right, left = w[c + 1:], w[:c][::-1]
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, which scipy's `>` test lets pass
        if not np.any(np.abs(right - left) > _DBL_EPS):
            return 1
        if not np.any(np.abs(right + left) > _DBL_EPS):
            return -1
    return 0


# ---------------------------------------------------------------- running passes

def _kernel_input(kern, a, work):
    """``a`` as the C-contiguous array the kernel reads (Numba reads the work dtype)."""
    if getattr(kern, "READS_WORK_DTYPE", False):
        return np.ascontiguousarray(a, dtype=work)
    return np.ascontiguousarray(readable(a, kernel_dtype(a)))


def _own(kern, x, dst, in_place):
    """``x`` as the kernel may read it while writing ``dst``: a copy if they share memory,
    unless this is an in-place pass (the kernel copies one slab at a time)."""
    if in_place and x.ctypes.data == dst.ctypes.data:
        return x
    return x.copy() if np.may_share_memory(x, dst) else x


def _pass(kern, src, dst, op, cval, num_threads, in_place=False, scipy_sum=False):
    """One kernel pass: ``dst`` (C-contiguous, native) = filter(``src``); with
    ``in_place``, ``src`` is ``dst``; ``scipy_sum``: float32 work in float64, as scipy.

    A long pass runs as several native calls over ranges of the kernel's tasks
    (``_cancel.run_tasks``), so Ctrl-C and ``aio`` cancellation stop it between two;
    ``dst`` then holds the outputs of the tasks that ran."""
    kind = op[0]
    explicit = num_threads is not None
    code = _OUT_CODES[dst.dtype]
    out_bytes = dst.reshape(-1).view(np.uint8)
    if kind == "dense":
        _, w, offs, mode = op
        work = _F32 if src.dtype == _F32 and dst.dtype == _F32 and not scipy_sum else _F64
        x = _own(kern, _kernel_input(kern, src, work), dst, False)
        x = x.reshape((1,) * (3 - x.ndim) + x.shape)
        w = w.astype(work, copy=False)
        taps = dst.size * max(len(w), 1)
        n = _threads.resolve(num_threads, taps, GRAIN)
        with _threads.lease(n, explicit) as k:
            _cancel.run_tasks(lambda t0, t1: kern.correlate(x, out_bytes, code, w, offs, mode,
                                                            cval, k, t0, t1), taps, k)
        return
    axis = op[1]
    shape = src.shape
    A = int(np.prod(shape[:axis], dtype=np.int64))
    B = int(np.prod(shape[axis + 1:], dtype=np.int64))
    if kind == "corr":
        _, _, w, lo, sym, mode = op
        work = _F32 if src.dtype == _F32 and dst.dtype == _F32 and not scipy_sum else _F64
        x = _own(kern, _kernel_input(kern, src, work), dst, in_place)
        x = x.reshape(A, shape[axis], B)
        w = w.astype(work, copy=False)
        taps = dst.size * len(w)
        n = _threads.resolve(num_threads, taps, GRAIN)
        with _threads.lease(n, explicit) as k:
            _cancel.run_tasks(lambda t0, t1: kern.correlate1d(x, out_bytes, code, w, lo, sym,
                                                              mode, cval, k, t0, t1), taps, k)
    else:  # uniform
        _, _, size, lo, mode, fold = op
        if fold:  # exact window sums in O(length), stored by a 1-tap pass (scipy's casts)
            q = _box_fold(src.reshape(A, shape[axis], B), size, lo, mode, cval)
            _pass(kern, q.reshape(shape), dst, ("corr", axis, _ONE, 0, 1, mode), cval,
                  num_threads, scipy_sum=scipy_sum)
            return
        exact = _exact_box(src.dtype, dst.dtype, size, cval)
        x = _own(kern, _kernel_input(kern, src, _F32 if exact == 2 else _F64), dst,
                 in_place and exact > 0)
        x = x.reshape(A, shape[axis], B)
        n = _threads.resolve(num_threads, dst.size * (size if exact else 4), GRAIN)
        # the running sums: 4 operations per output, and size per line to start them; a
        # line longer than a task's steps is cut into segments, its sums kept in `state`
        work = dst.size * size if exact else dst.size * 4 + A * B * size
        steps = max(1, BOX_LANE_STEPS // (min(B, _LANES) + 16))
        state = np.empty(A * B if not exact and size + shape[axis] > steps else 0)
        with _threads.lease(n, explicit) as k:
            _cancel.run_tasks(lambda t0, t1: kern.uniform1d(x, out_bytes, code, size, lo, exact,
                                                            mode, cval, state, steps, k, t0, t1),
                              work, k)


_ONE = np.ones(1)


def _box_fold(x, size, lo, mode, cval):
    """scipy's box-filter quotients ``S / size`` of (A, N, B) integer ``x`` in O(N) per line,
    whatever ``size``: window sums ``S`` as differences of the prefix sum ``F`` of the
    border-extended line, in int64. ``F`` of a periodic extension (reflect, mirror,
    wrap) is whole periods plus a prefix of one; beyond the edges of 'nearest' and
    'constant' it grows by the edge value or ``cval`` per step. The caller
    (:func:`_box_plan`) guarantees |values| * (size + N) < 2**53: every partial sum
    of scipy's recurrence is then an exact integer, equal to ``S``, and so is the
    quotient it stores."""
    A, N, B = x.shape
    v = x.astype(np.int64)
    a = np.arange(N, dtype=np.int64) - lo  # window of output i: [a_i, a_i + size)
    b = a + size
    if mode in (MODE_CODES["reflect"], MODE_CODES["mirror"], MODE_CODES["wrap"]):
        if mode == MODE_CODES["wrap"] or N == 1:
            ext = v
        elif mode == MODE_CODES["reflect"]:
            ext = np.concatenate([v, v[:, ::-1]], axis=1)
        else:
            ext = np.concatenate([v, v[:, N - 2:0:-1]], axis=1)
        P = ext.shape[1]
        C = np.zeros((A, P + 1, B), np.int64)
        np.cumsum(ext, axis=1, out=C[:, 1:])
        T = C[:, P][:, None, :]

        def F(t):
            q, r = np.divmod(t, P)
            return q[None, :, None] * T + C[:, r, :]
    else:
        C = np.zeros((A, N + 1, B), np.int64)
        np.cumsum(v, axis=1, out=C[:, 1:])
        if mode == MODE_CODES["nearest"]:
            left, right = v[:, :1, :], v[:, N - 1:, :]
        else:
            left = right = np.int64(int(cval))

        def F(t):
            t3 = t[None, :, None]
            return np.where(t3 < 0, t3 * left,
                            np.where(t3 > N, C[:, N:N + 1, :] + (t3 - N) * right,
                                     C[:, np.clip(t, 0, N), :]))
    return (F(b) - F(a)).astype(np.float64) / float(size)


def _box_hull(x, cval):
    """(lo, hi): the smallest and largest of integer ``x`` and an integral ``cval``."""
    c = int(cval)
    if x.size == 0:
        return c, c
    return min(int(x.min()), c), max(int(x.max()), c)


def _box_plan(inp, odt, ops, cval):
    """The box-filter passes ``ops`` with a last entry ``fold`` (True: exact O(length)
    window sums, :func:`_box_fold`), checked before any runs.

    A window longer than the line costs scipy's recurrence O(size) per line. With
    integer input (and an integral cval) whose window sums stay below 2**53, that
    recurrence adds exact integers, so the folded sums give its results in
    O(length). Otherwise the recurrence runs, and a window whose line buffer scipy
    could not allocate (length + size - 1 doubles) is refused with MemoryError, as
    scipy refuses it, rather than started (2**40 steps per line do not end)."""
    dt = np.dtype(kernel_dtype(inp) or inp.dtype)
    odt = np.dtype(odt)
    integral = float(cval).is_integer() and abs(cval) < 2.0 ** 62
    hull = None
    planned = []
    for p, (kind, axis, size, lo, mode) in enumerate(ops):
        n = inp.shape[axis]
        src = dt if p == 0 else odt
        fold = False
        if size > n and src.kind in "biu" and integral and inp.size:
            lo_v = hi_v = None
            if dt.kind in "biu":  # integer input: its values (float input: only casts)
                if hull is None:
                    hull = _box_hull(inp, cval)
                lo_v, hi_v = hull
            if p > 0:
                # a mean of values in the hull is in the hull (truncated too); an output
                # dtype that cannot hold the hull wraps them, and a float input's values
                # reach it through casts: then only its range bounds them
                info = np.iinfo(odt)
                if lo_v is None or lo_v < info.min or hi_v > info.max:
                    lo_v, hi_v = min(int(info.min), int(cval)), max(int(info.max), int(cval))
            fold = max(-lo_v, hi_v) * (size + n) < (1 << 53)
        if not fold:
            check_alloc((2 * n + size - 1) * 8,
                        f"`size`={size} on an axis of length {n}: a running sum over it "
                        f"(O(size) work per line; scipy.ndimage's line buffer of length + size - 1 "
                        f"doubles)")
        planned.append((kind, axis, size, lo, mode, fold))
    return planned


def _exact_box(dt, odt, size, cval) -> int:
    """How exactly a box filter's window sums can be formed (0: scipy's recurrence).

    1: inputs of at most 32-bit integers (and bool), an integral cval and
    windows below 2**20: every partial sum is an integer below 2**53, so scipy's
    running-sum recurrence and a direct window sum give the same double.
    2: also integer output and every window sum below 2**24: float32 lanes
    give the same truncated integers (see kernels/convolution.pyx, uniform1d)."""
    if not (dt.kind in "biu" and dt.itemsize <= 4 and size < (1 << 20)
            and float(cval).is_integer() and abs(cval) <= 2.0 ** 32):
        return 0
    if odt.kind in "iu" and dt.itemsize <= 2:
        info = np.iinfo(np.uint8 if dt.kind == "b" else dt)
        bound = max(abs(int(info.min)), int(info.max), abs(int(cval)))
        if bound * size < (1 << 24):
            return 2
    return 1


#: a 1-D pass after the first runs in place when one slab (the data after the
#: leading axes) has at most this many elements: per-thread copies stay small
SLAB_MAX = 1 << 20


def _in_place_ok(kern, op, shape, dt, cval) -> bool:
    """Can this (non-first) pass write into the array it reads? (No temp needed.)"""
    if not getattr(kern, "IN_PLACE", False) or op[0] == "dense":
        return False
    axis = op[1]
    if op[0] == "uniform" and not _exact_box(dt, dt, op[2], cval):
        return False  # the running-sum kernel reads lines directly
    A = int(np.prod(shape[:axis], dtype=np.int64))
    slab = int(np.prod(shape[axis:], dtype=np.int64))
    taps = op[2] if op[0] == "uniform" else len(op[2])
    # in place, a kernel task is one whole slab (copied first): bounded, as any task, so
    # that a stop request does not wait long for it
    return A >= 2 and slab <= SLAB_MAX and slab * taps <= TASK_WORK


@functools.lru_cache(maxsize=64)
def _box_divider(size: int, smax: int):
    """(m, sh) with (s * m) >> sh == s // size for every 0 <= s <= smax and s * m < 2**32,
    checked exhaustively, or None."""
    s = np.arange(smax + 1, dtype=np.uint64)
    for sh in range(33):
        m = -(-(1 << sh) // size)
        if smax * m >= 1 << 32:
            return None
        if np.array_equal((s * np.uint64(m)) >> np.uint64(sh), s // np.uint64(size)):
            return m, sh
    return None


#: per-thread scratch above which (and above the input's size) two passes run apart
FUSED_SCRATCH_MAX = 1 << 26
#: output rows of one task of ``separable2`` (SEP_ROWS; the Numba twin groups up to 8 such
#: blocks per task, as far as TASK_WORK allows)
FUSED_TASK_ROWS = 16
#: multiply-adds of one such task above which the two passes run apart (tasks of CHUNK
#: outputs). Above TASK_WORK: apart, a Gaussian of sigma 16-40 on 4096^2 float32 ran
#: 4-8x slower on Numba (measured, Zen 4), so the pair keeps tasks of up to ~0.1 s;
#: on a 4096-wide image it declines only for kernels longer than the image anyway
FUSED_TASK_WORK = 1 << 29


def _fused_scratch(H, W, C, Kv, Kh, isz) -> int:
    """Bytes of per-thread scratch of ``separable2`` (the larger twin's: Numba's ring of
    SEP_ROWS + Kv - 1 source rows per task; Cython's SEP_ROWS padded rows of W + Kh - 1
    pixels and 2 Kv + Kh row pointers), plus the border tables. They grow with the
    kernel lengths: a Gaussian of sigma 1e6 on a 64 x 80 image would need gigabytes
    per thread, where the passes run apart need none."""
    return (isz * ((16 + Kv) * W * C + 16 * (W + Kh) * C)
            + 8 * (2 * Kv + Kh + H + W + 16))


def _fused_pair(kern, inp, final, passes, cval, num_threads) -> bool:
    """Run two 1-D passes along neighbouring axes (in either order) as one fused kernel
    call when one covers them (float32 correlations, uint8 box filters), with the
    intermediate in per-thread rows instead of the output; False if not.

    Results are those of the two passes run one after the other: the intermediate is
    rounded to the output dtype in between, as scipy does."""
    fn = getattr(kern, "separable2", None)
    if fn is None or len(passes) != 2:
        return False
    (kind, ax0, *a0), (kind1, ax1, *a1) = passes
    if kind != kind1 or abs(ax1 - ax0) != 1:
        return False
    hfirst = int(ax1 < ax0)  # e.g. sobel along the last axis: that pass comes first
    if hfirst:
        ax0, ax1, a0, a1 = ax1, ax0, a1, a0  # (a0: the pass along the earlier axis)
    dt = np.dtype(inp.dtype.name)
    if kind == "corr" and dt == _F32 and final.dtype == _F32:
        (wv, lov, symv, modev), (wh, loh, symh, modeh) = a0, a1
        Kv, Kh = len(wv), len(wh)
        mv = shv = mh = shh = 0
        wv, wh = wv.astype(_F32), wh.astype(_F32)
        work = _F32
    elif (kind == "uniform" and dt == np.uint8 and final.dtype == np.uint8
          and float(cval).is_integer() and 0 <= cval <= 255):
        (Kv, lov, modev, fv), (Kh, loh, modeh, fh) = a0, a1
        if fv or fh:
            return False
        if Kv > 257 or Kh > 257:
            return False
        dv, dh = _box_divider(Kv, 255 * Kv), _box_divider(Kh, 255 * Kh)
        if dv is None or dh is None:
            return False
        (mv, shv), (mh, shh) = dv, dh
        symv = symh = 0
        wv = wh = np.zeros(1, _F32)
        work = np.dtype(np.uint8)
    else:
        return False
    shape = inp.shape
    A = int(np.prod(shape[:ax0], dtype=np.int64))
    C = int(np.prod(shape[ax1 + 1:], dtype=np.int64))
    if _fused_scratch(shape[ax0], shape[ax1], C, Kv, Kh, work.itemsize) > max(
            FUSED_SCRATCH_MAX, inp.nbytes):
        return False
    if FUSED_TASK_ROWS * shape[ax1] * C * (Kv + Kh) > FUSED_TASK_WORK:
        return False  # a task (rows x the whole width) too long to wait for: passes apart
    x = np.ascontiguousarray(readable(inp, work))
    if np.may_share_memory(x, final):
        x = x.copy()
    x4 = x.reshape(A, shape[ax0], shape[ax1], C)
    o4 = final.reshape(x4.shape)
    taps = final.size * (Kv + Kh)
    n = _threads.resolve(num_threads, taps, GRAIN)
    with _threads.lease(n, num_threads is not None) as k:
        def call(t0, t1):
            return fn(x4, o4, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh, mh,
                      shh, float(cval), hfirst, k, t0, t1)

        if call(0, 0) < 0:  # declined (nothing done): the passes run apart
            return False
        _cancel.run_tasks(call, taps, k)
        return True


def _run(kern, inp, out, odt, passes, cval, num_threads, exact=False):
    """Apply ``passes`` in order (each pass's result in the output dtype, as scipy); return output.

    Passes that can run in place (1-D passes after the first, slab copies per
    thread) write where they read; the others alternate between the output and
    one temporary, arranged so the last of them writes the output. A 2-D
    Gaussian or box filter thus needs no temporary at all. ``exact``
    (``precision="scipy"``): float32 passes accumulate in float64, as scipy's."""
    if out is None:
        out = np.empty(inp.shape, odt)
    if inp.size == 0:
        return out
    # float32 work is for float32 input only: an intermediate rounded to a float32 output
    # from other input is read as scipy reads it (float64), so such results stay exact
    exact = exact or np.dtype(inp.dtype.name) != _F32
    if not passes:
        out[...] = inp
        return out
    direct = (out.flags.c_contiguous and out.dtype.isnative and out.flags.writeable)
    final = out if direct else np.empty(inp.shape, _native_dtype(out.dtype))
    if not (exact and inp.dtype.kind == "f") and _fused_pair(kern, inp, final, passes, cval,
                                                         num_threads):
        if not direct:
            out[...] = final
        return out
    in_place = [p > 0 and _in_place_ok(kern, op, inp.shape, final.dtype, cval)
                for p, op in enumerate(passes)]
    writers = [p for p in range(len(passes)) if not in_place[p]]
    src, tmp = inp, None
    for p, op in enumerate(passes):
        if in_place[p]:
            dst = src
        elif (len(writers) - 1 - writers.index(p)) % 2 == 0:
            dst = final
        else:
            if tmp is None:
                tmp = np.empty(inp.shape, final.dtype)
            dst = tmp
        _pass(kern, src, dst, op, cval, num_threads, in_place[p], exact)
        src = dst
    if not direct:
        out[...] = final
    return out


# ---------------------------------------------------------------- correlate1d / convolve1d

def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
                *, backend="auto", num_threads=None,
                precision=None):
    """1-D correlation along ``axis``, like :func:`scipy.ndimage.correlate1d`.

    Parameters
    ----------
    input, weights, axis, output, mode, cval, origin
        As :func:`scipy.ndimage.correlate1d`.
    backend : {"auto", "numpy", "cython", "numba"}, keyword-only
        "numpy" runs scipy.ndimage.
    num_threads : int, optional, keyword-only
        Threads to use (negative counts back from the maximum).

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.correlate1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([ 8, 26,  8, 12,  7, 28, 36,  9])
    """
    return _correlate1d(input, weights, axis, output, mode, cval, origin, backend, num_threads,
                        precision=precision)


def _correlate1d(input, weights, axis, output, mode, cval, origin, backend, num_threads,
                 given_origin=None, precision=None):
    """correlate1d; ``given_origin``: the origin the caller was given (convolve1d mirrors
    it), shown in an origin error (its allowed range is the mirrored one's)."""
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    w = as_array(weights, "weights")
    if inp.dtype.kind == "c" or w.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.correlate1d(input, weights, axis, output, mode, cval, origin)
    out, odt = ndi_output(output, inp)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] < 1:
        raise RuntimeError(
            f"no filter weights given: `weights` must be 1-D with at least one weight, "
            f"got shape {w.shape}")
    axis = ndi_axis(axis, inp.ndim)
    origin = ndi_origin(origin, w.shape[0], shown=given_origin)
    mode_c = ndi_mode(mode)
    cv = ndi_cval(cval)
    if inp.size:
        check_alloc(_long_pass_bytes(w.shape[0], inp.shape[axis], num_threads),
                    f"`weights` of {w.shape[0]} taps along an axis of length "
                    f"{inp.shape[axis]}: running them")
    kern = _choose(backend, _covered(inp, odt), inp, odt, "correlate1d")
    if kern is None:
        return _reference.correlate1d(input, weights, axis, output, mode, cval, origin)
    op = ("corr", axis, np.ascontiguousarray(w), w.shape[0] // 2 + origin, _symmetry(w), mode_c)
    return _run(kern, inp, out, odt, [op], cv, num_threads, exact)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
               *, backend="auto", num_threads=None,
               precision=None):
    """1-D convolution along ``axis``, like :func:`scipy.ndimage.convolve1d`.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.convolve1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    given = origin
    weights = np.asarray(weights)
    weights = weights[::-1]
    origin = -origin
    if not weights.shape[0] & 1:
        origin -= 1
    if weights.dtype.kind == "c":
        weights = weights.conj()
    # an origin error shows the origin given: the range scipy checks for the mirrored
    # origin is the range of the given one too (odd lengths: symmetric; even: shifted by 1)
    return _correlate1d(input, weights, axis, output, mode, cval, origin, backend, num_threads,
                        given_origin=given, precision=precision)


# ---------------------------------------------------------------- correlate / convolve

def _dense(input, weights, output, mode, cval, origin, convolution, axes, backend,
           num_threads, precision=None):
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    w = as_array(weights, "weights")
    ref = _reference.convolve if convolution else _reference.correlate
    if inp.dtype.kind == "c" or w.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return ref(input, weights, output, mode, cval, origin, axes=axes)
    given_axes = axes
    axes = ndi_axes(axes, inp.ndim, check_scalar=False)
    w = np.asarray(w, dtype=np.float64)
    nax = len(axes)
    if nax < inp.ndim:
        if w.ndim != nax:
            raise RuntimeError(f"weights.ndim ({w.ndim}) must match len(axes) ({nax}): "
                               f"`weights` has shape {w.shape}, `axes`={given_axes!r}")
        axes = ndi_axes(given_axes, inp.ndim)  # an int out of range: AxisError, now
        w = np.expand_dims(w, tuple(ax for ax in range(inp.ndim) if ax not in axes))
    origins = ndi_sequence(origin, nax, "origin")
    if nax < inp.ndim:
        full = [0] * inp.ndim
        for o, ax in zip(origins, axes):
            full[ax] = o
        origins = full
    wshape = [n for n in w.shape if n > 0]
    if len(wshape) != inp.ndim:
        raise RuntimeError(
            f"weights.ndim ({len(wshape)}) must match len(axes) ({nax}): `weights` has "
            f"shape {w.shape}, the input has {inp.ndim} axes")
    given = list(origins)
    if convolution:
        w = w[(slice(None, None, -1),) * w.ndim]
        for i in range(len(origins)):
            origins[i] = -origins[i]
            if not w.shape[i] & 1:
                origins[i] -= 1
    # (the range of a mirrored origin is the range of the given one: errors show the latter)
    for k, (o, n) in enumerate(zip(origins, wshape)):
        if o < -(n // 2) or o > (n - 1) // 2:
            raise ndi_error(
                ValueError, f"Invalid origin; `origin`={origin!r} gives {given[k]!r} on axis "
                f"{k}, outside {-(n // 2)}..{(n - 1) // 2} for weights of shape {w.shape}",
                "Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= origin[k] <= "
                "(weights.shape[k]-1) // 2")
    origins = [ndi_index(o, "origin") for o in origins]
    out, odt = ndi_output(output, inp)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        raise RuntimeError(f"A sequence of modes is not supported: `mode`={mode!r} must be one "
                           f"mode name for correlate and convolve")
    mode_c = ndi_mode(mode)
    cv = ndi_cval(cval)
    kern = _choose(backend, _covered(inp, odt) and inp.ndim <= 3, inp, odt, "correlate")
    if kern is None:
        return ref(input, weights, output, mode, cval, origin, axes=axes)
    sep = None if exact else _separable(inp, odt, w, mode_c, cv)
    if sep is not None:
        u, v = sep
        ops = [("corr", 0, u, u.shape[0] // 2 + origins[0], _symmetry(u), mode_c),
               ("corr", 1, v, v.shape[0] // 2 + origins[1], _symmetry(v), mode_c)]
        return _run(kern, inp, out, odt, ops, cv, num_threads, exact)
    pad = 3 - inp.ndim
    w3 = w.reshape((1,) * pad + w.shape)
    o3 = [0] * pad + list(origins)
    idx = np.nonzero(np.abs(w3) > _DBL_EPS)  # scipy drops |w| <= DBL_EPSILON, C order
    offs = np.stack([idx[d] - (w3.shape[d] // 2 + o3[d]) for d in range(3)], axis=1)
    op = ("dense", np.ascontiguousarray(w3[idx]), np.ascontiguousarray(offs, np.int64), mode_c)
    return _run(kern, inp, out, odt, [op], cv, num_threads, exact)


#: smallest dense kernel worth running as two 1-D passes when it is rank 1
SEPARABLE_MIN_TAPS = 16


def _separable(inp, odt, w, mode_c, cval):
    """(u, v) with w == outer(u, v) when a float32 -> float32 2-D correlation may run as
    two 1-D passes, else None.

    Only where the float32 tolerance already applies (float64 work stays bit-exact
    with scipy), for kernels of >= SEPARABLE_MIN_TAPS taps, at least 2 x 2, with
    no zero weight (scipy skips those: NaN under them must not spread) and not
    for 'constant' with cval != 0 (outside the image the first pass's value
    would be cval * sum(u), not cval). Rank 1 means |outer(u, v) - w| <= 2
    float32 ulps of max|w|, within the float32 tolerance of the filter.
    """
    if not (inp.dtype == _F32 and _native_dtype(odt) == _F32 and inp.ndim == 2
            and w.ndim == 2 and min(w.shape) >= 2 and w.size >= SEPARABLE_MIN_TAPS
            and np.all(np.abs(w) > _DBL_EPS) and np.all(np.isfinite(w))
            and not (mode_c == MODE_CODES["constant"] and cval != 0.0)):
        return None
    i, j = np.unravel_index(np.argmax(np.abs(w)), w.shape)
    u = w[:, j].copy()
    v = w[i, :] / w[i, j]
    if np.max(np.abs(np.outer(u, v) - w)) > 2 * float(np.finfo(np.float32).eps) * abs(w[i, j]):
        return None
    return np.ascontiguousarray(u), np.ascontiguousarray(v)


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
              backend="auto", num_threads=None,
              precision=None):
    """Multidimensional correlation, like :func:`scipy.ndimage.correlate`.

    Native for 1-D to 3-D real input; weights with ``|w| <= DBL_EPSILON`` are
    skipped as scipy does (so a NaN under a zero weight does not spread).
    Rank-1 float32 kernels of 16+ taps run as two 1-D passes (see ``_separable``).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.correlate(np.arange(9.0).reshape(3, 3), np.ones((3, 3)), mode="constant")
    array([[ 8., 15., 12.],
           [21., 36., 27.],
           [20., 33., 24.]])
    """
    return _dense(input, weights, output, mode, cval, origin, False, axes, backend, num_threads,
                  precision)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
             backend="auto", num_threads=None,
             precision=None):
    """Multidimensional convolution, like :func:`scipy.ndimage.convolve`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.convolve(np.array([1, 2, 3]), np.array([1, 1, 0]), mode="constant")
    array([3, 5, 3])
    """
    return _dense(input, weights, output, mode, cval, origin, True, axes, backend, num_threads,
                  precision)


# ---------------------------------------------------------------- uniform

def _uniform_size(size):
    """scipy's size test (a comparison first: TypeError for what does not compare)."""
    if size < 1:
        raise RuntimeError(f"incorrect filter size: `size`={size!r} must be >= 1")


def _uniform_op(axis, size, origin, mode):
    """A box-filter pass, checked in scipy's order: size, origin, mode, then the ints."""
    _uniform_size(size)
    if size // 2 + origin < 0 or size // 2 + origin >= size:
        raise ValueError(
            f"invalid origin: `origin`={origin!r} must satisfy 0 <= size // 2 + origin < size "
            f"for `size`={size!r}")
    mode_c = ndi_mode(mode)
    size, origin = ndi_index(size, "size"), ndi_index(origin, "origin")
    return ("uniform", axis, size, size // 2 + origin, mode_c)


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
                     *, backend="auto", num_threads=None,
                     precision=None):
    """1-D box filter, like :func:`scipy.ndimage.uniform_filter1d`.

    O(1) work per output (scipy's running-sum recurrence, so results equal
    scipy's bit for bit), plus O(size) per line to start the sum; integer input
    with a window longer than the line: O(1) per output whatever the size
    (exact sums). A float window scipy could not buffer raises MemoryError.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.uniform_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)
    array([4, 3, 4, 1, 4, 6, 6, 3])
    """
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    axis = ndi_axis(axis, inp.ndim)
    _uniform_size(size)
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.uniform_filter1d(input, size, axis, output, mode, cval, origin)
    out, odt = ndi_output(output, inp)
    op = _uniform_op(axis, size, origin, mode)
    cv = ndi_cval(cval)
    ok = _covered(inp, odt)
    ops = _box_plan(inp, odt, [op], cv) if ok else None  # refusals before any backend loads
    kern = _choose(backend, ok, inp, odt, "uniform_filter1d")
    if kern is None:
        return _reference.uniform_filter1d(input, size, axis, output, mode, cval, origin)
    return _run(kern, inp, out, odt, ops, cv, num_threads, exact)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *,
                   axes=None, backend="auto", num_threads=None,
                   precision=None):
    """Multidimensional box filter, like :func:`scipy.ndimage.uniform_filter`.

    One O(1)-per-pixel pass per axis with size > 1; the intermediate is in
    the output dtype, as in scipy.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.uniform_filter(np.arange(9.0).reshape(3, 3), size=3, mode="nearest")
    array([[1.33333333, 2.        , 2.66666667],
           [3.33333333, 4.        , 4.66666667],
           [5.33333333, 6.        , 6.66666667]])
    """
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.uniform_filter(input, size, output, mode, cval, origin, axes=axes)
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    sizes = ndi_sequence(size, len(ax), "size")
    origins = ndi_sequence(origin, len(ax), "origin")
    modes = ndi_sequence(mode, len(ax), "mode")
    ops = [_uniform_op(ax[i], int(sizes[i]), origins[i], modes[i])
           for i in range(len(ax)) if sizes[i] > 1]
    cv = ndi_cval(cval) if ops else 0.0  # scipy never reads cval when nothing is filtered
    ok = _covered(inp, odt)
    ops = _box_plan(inp, odt, ops, cv) if ok else None  # refusals before any backend loads
    kern = _choose(backend, ok, inp, odt, "uniform_filter")
    if kern is None:
        return _reference.uniform_filter(input, size, output, mode, cval, origin, axes=axes)
    return _run(kern, inp, out, odt, ops, cv, num_threads, exact)


# ---------------------------------------------------------------- gaussian

def _gaussian_kernel1d(sigma, order, radius):
    """scipy.ndimage's Gaussian kernel construction, operation for operation."""
    if order < 0:
        raise ndi_error(ValueError, f"`order`={order!r} must be non-negative (0: the Gaussian, "
                        f"k: its k-th derivative)", "order must be non-negative")
    exponent_range = np.arange(order + 1)
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi_x = np.exp(-0.5 / sigma2 * x ** 2)
    phi_x = phi_x / phi_x.sum()
    if order == 0:
        return phi_x
    q = np.zeros(order + 1)
    q[0] = 1
    D = np.diag(exponent_range[1:], 1)
    P = np.diag(np.ones(order) / -sigma2, -1)
    Q_deriv = D + P
    for _ in range(order):
        q = Q_deriv.dot(q)
    q = (x[:, None] ** exponent_range).dot(q)
    return q * phi_x


def _long_pass_bytes(taps: int, n: int, num_threads) -> int:
    """Bytes a 1-D pass of ``taps`` weights along an axis of ``n`` holds beyond its input and
    output: the weights (float64 and a float32 copy) and, for a kernel longer than the
    axis, the long path's border table and per-thread padded lines (float64 at most)."""
    threads = _threads.resolve(num_threads, 1 << 62, 1)
    long = (n + taps) * (8 + 8 * threads) if taps > n else 0
    return taps * 12 + long


def _gaussian_weights(sigma, order, truncate, radius, name="sigma", n=0, num_threads=None):
    """scipy's Gaussian weights (reversed, contiguous), after scipy's radius check and a
    check that building them, and running them along an axis of ``n``, fits in memory
    (MemoryError naming the argument first)."""
    sd = float(sigma)
    lw = int(truncate * sd + 0.5)
    if radius is not None:
        lw = radius
    if not isinstance(lw, numbers.Integral) or lw < 0:
        got = (f"`radius`={radius!r}" if radius is not None else
               f"{lw!r} from `{name}`={sigma!r} and `truncate`={truncate!r} "
               f"(int(truncate * sigma + 0.5))")
        raise ndi_error(ValueError, f"Radius must be a nonnegative integer: got {got}",
                        "Radius must be a nonnegative integer.")
    if isinstance(order, numbers.Integral) and order >= 0:
        taps = 2 * int(lw) + 1
        # scipy's construction holds three arrays of `taps` values at once (x, x**2 and
        # the exponent), a derivative also x ** range(order + 1) and its small matrices
        need = max(8 * (taps * (3 if order == 0 else int(order) + 4) + 3 * (int(order) + 1) ** 2),
                   _long_pass_bytes(taps, n, num_threads))
        src = (f"`radius`={radius!r}" if radius is not None else
               f"`{name}`={sigma!r} (truncate {truncate!r})")
        if taps > np.iinfo(np.intp).max:  # NumPy's answer to scipy's arange of that length
            raise ValueError(f"Maximum allowed size exceeded: {src} gives a Gaussian kernel of "
                             f"{taps:.3g} taps, more than an array can hold")
        check_alloc(need, f"{src} gives a Gaussian kernel of {taps} taps: building and "
                          f"running it")
    return np.ascontiguousarray(_gaussian_kernel1d(sigma, order, lw)[::-1])


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None, backend="auto", num_threads=None,
                      precision=None):
    """1-D Gaussian filter, like :func:`scipy.ndimage.gaussian_filter1d`.

    The kernel is built exactly as scipy builds it; symmetric kernels run as
    paired taps (half the multiplies), as in scipy.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.gaussian_filter1d([1.0, 2.0, 3.0, 4.0, 5.0], 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    """
    shape = np.shape(input)
    try:
        n = shape[operator.index(axis)] if shape else 0
    except (TypeError, IndexError):
        n = 0  # correlate1d reports a bad axis, after the weights (scipy's order)
    weights = _gaussian_weights(sigma, order, truncate, radius, n=n, num_threads=num_threads)
    return correlate1d(input, weights, axis, output, mode, cval, 0, backend=backend,
                       num_threads=num_threads, precision=precision)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0,
                    truncate=4.0, *, radius=None, axes=None, backend="auto",
                    num_threads=None, precision=None):
    """Multidimensional Gaussian filter, like :func:`scipy.ndimage.gaussian_filter`.

    One 1-D pass per axis with sigma > 1e-15 (scipy's rule), the intermediate
    in the output dtype.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.gaussian_filter(np.arange(25.0).reshape(5, 5), sigma=1)[2]
    array([10.42704095, 11.06782203, 12.        , 12.93217797, 13.57295905])
    """
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.gaussian_filter(input, sigma, order, output, mode, cval, truncate,
                                          radius=radius, axes=axes)
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    n = len(ax)
    orders = ndi_sequence(order, n, "order")
    sigmas = ndi_sequence(sigma, n, "sigma")
    modes = ndi_sequence(mode, n, "mode")
    radii = ndi_sequence(radius, n, "radius")
    ops = []
    built = {}  # axes with the same sigma, order and radius share one weights array
    for i in range(n):
        if sigmas[i] > 1e-15:
            try:
                key = tuple((type(v), v) for v in (sigmas[i], orders[i], radii[i]))
                w, sym = built.get(key, (None, 0))
            except TypeError:  # unhashable: scipy's errors come from building
                key, w = None, None
            if w is None:
                w = _gaussian_weights(sigmas[i], orders[i], truncate, radii[i],
                                      n=inp.shape[ax[i]], num_threads=num_threads)
                sym = _symmetry(w)
                if key is not None:
                    built[key] = (w, sym)
            ops.append(("corr", ax[i], w, w.shape[0] // 2, sym, ndi_mode(modes[i])))
    cv = ndi_cval(cval) if ops else 0.0  # scipy never reads cval when nothing is filtered
    kern = _choose(backend, _covered(inp, odt), inp, odt, "gaussian_filter")
    if kern is None:
        return _reference.gaussian_filter(input, sigma, order, output, mode, cval, truncate,
                                          radius=radius, axes=axes)
    return _run(kern, inp, out, odt, ops, cv, num_threads, exact)


# ---------------------------------------------------------------- sobel / prewitt / laplace

def _derivative(input, axis, output, mode, cval, smooth, backend, num_threads, ref,
                precision=None):
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    axis = ndi_axis(axis, inp.ndim)
    out, odt = ndi_output(output, inp)
    modes = ndi_sequence(mode, inp.ndim, "mode")
    codes = [ndi_mode(m) for m in modes]
    cv = ndi_cval(cval) if inp.dtype.kind != "c" else cval
    kern = _choose(backend, _covered(inp, odt), inp, odt, "sobel")
    if kern is None:
        return ref(input, axis, output, mode, cval)
    diff = np.array([-1.0, 0.0, 1.0])
    sm = np.array(smooth, dtype=np.float64)
    ops = [("corr", axis, diff, 1, -1, codes[axis])]
    ops += [("corr", ii, sm, 1, 1, codes[ii]) for ii in range(inp.ndim) if ii != axis]
    return _run(kern, inp, out, odt, ops, cv, num_threads, exact)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0, *, backend="auto",
          num_threads=None, precision=None):
    """Sobel derivative along ``axis``, like :func:`scipy.ndimage.sobel`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.sobel(np.array([[0, 0, 4], [0, 0, 4], [0, 0, 4]]), axis=1)
    array([[ 0, 16, 16],
           [ 0, 16, 16],
           [ 0, 16, 16]])
    """
    return _derivative(input, axis, output, mode, cval, [1, 2, 1], backend, num_threads,
                       _reference.sobel, precision)


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0, *, backend="auto",
            num_threads=None, precision=None):
    """Prewitt derivative along ``axis``, like :func:`scipy.ndimage.prewitt`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.prewitt(np.array([[0, 0, 4], [0, 0, 4], [0, 0, 4]]), axis=1)
    array([[ 0, 12, 12],
           [ 0, 12, 12],
           [ 0, 12, 12]])
    """
    return _derivative(input, axis, output, mode, cval, [1, 1, 1], backend, num_threads,
                       _reference.prewitt, precision)


def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None, backend="auto",
            num_threads=None, precision=None):
    """Laplace filter (sum of [1, -2, 1] second differences), like :func:`scipy.ndimage.laplace`.

    Each axis's second difference is in the output dtype and they are summed
    in it (``output += tmp``), as in scipy. With ``output`` sharing memory
    with ``input`` the result is that of the out-of-place call (scipy's
    reads the partly overwritten input).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.laplace(np.array([0.0, 0.0, 1.0, 0.0, 0.0]))
    array([ 0.,  1., -2.,  1.,  0.])
    """
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    codes = [ndi_mode(m) for m in ndi_sequence(mode, len(ax), "mode")] if ax else []
    cv = ndi_cval(cval) if inp.dtype.kind != "c" else cval
    kern = _choose(backend, _covered(inp, odt), inp, odt, "laplace")
    if kern is None:  # the out-of-place result, also where `output` is the input (see above)
        src = inp.copy() if out is not None and np.may_share_memory(inp, out) else input
        return _reference.laplace(src, output, mode, cval, axes=axes)
    if out is None:
        out = np.empty(inp.shape, odt)
    if not ax or inp.size == 0:
        return _run(kern, inp, out, odt, [], cv, num_threads, exact)
    if np.may_share_memory(inp, out):
        inp = inp.copy()
    d2 = np.array([1.0, -2.0, 1.0])
    _run(kern, inp, out, odt, [("corr", ax[0], d2, 1, 1, codes[0])], cv, num_threads, exact)
    if len(ax) > 1:
        tmp = np.empty(inp.shape, _native_dtype(out.dtype))
        for i in range(1, len(ax)):
            _run(kern, inp, tmp, tmp.dtype, [("corr", ax[i], d2, 1, 1, codes[i])], cv,
                 num_threads, exact)
            out += tmp
    return out
