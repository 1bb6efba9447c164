"""Parallel drop-ins for scipy.ndimage's min/max and rank filters.

``minimum_filter1d, maximum_filter1d, minimum_filter, maximum_filter, rank_filter,
median_filter, percentile_filter`` take scipy.ndimage's arguments, defaults and
semantics, plus keyword-only ``backend=`` and ``num_threads=``.

How a call runs: the arguments are checked in scipy's order, with scipy's exception
types and messages that contain scipy's wording after pycompute's own
(``_validation.ndi_error``); then, where scipy calls its C code, a native kernel
(``kernels/rank.pyx`` / ``pycompute/_numba/rank.py``) runs instead when it covers
the call, else scipy.ndimage itself (``backend="auto"``).

Results equal scipy's bit for bit, NaN and signed zeros included:

* ``size=`` (and an all-True footprint, as scipy): one 1-D pass per axis in scipy's
  axis order, the intermediate in the output dtype. Van Herk / Gil-Werman (three
  comparisons per output whatever the window); ties resolve as scipy's deque does.
  The last two axes (an image's rows, then its columns) run as one fused pass
  (``minmax2d``: each output row's column pass goes into an L1 line that the row
  pass reads, so the image is read once and written once, the intermediate never
  in memory) for windows up to FUSE_KY_MAX rows and DOUBLING_MAX columns; the same
  combines in the same order, so the same bits. When the data (or a constant-mode
  cval) hold a NaN, the passes run scipy's own deque algorithm (its NaN answers
  depend on it), still in parallel; the fused kernel finds a NaN itself, in the
  rows it reads (no separate pass over the input), and the call then reruns as
  deque passes.
* ``footprint=``: scipy's per-pixel loop (first tap, then ``tmp < res``), rows as
  vectors.
* rank/median/percentile: rank 0 and the last rank are scipy's min/max filters (as
  in scipy). Otherwise windows of at most ``NET_MAX`` cells run a selection network
  on whole rows (vectorized across pixels) when every order statistic is a single
  bit pattern (integers; floats without NaN and -0.0); the 3 x 3 and 5 x 5 box
  medians among those run ``median_box`` (the image rows read in place, two output
  rows a pass: 3 x 3 from each row's three neighbours sorted, 5 x 5 from each row's
  five sorted once and shared by the five outputs that read it, then rank 6 of the
  13 cells that can be the median, ``_med5_circuits``); larger full boxes in one plane
  of 8- and 16-bit input run ``rank_hist`` (Huang's sliding histogram along each output
  row: 2 ky updates an output, where scipy's quickselect reads ky kx values; 16-bit
  values in two levels, the high byte and then the value; int8 / int16 as uint8 /
  uint16 with the sign bit flipped, an order-preserving map, and back); all other
  cases run scipy's quickselect (NI_Select) per pixel, so ties, NaN and -0.0 come
  out as scipy's. For
  1-D input scipy uses another algorithm (a double heap); float 1-D input holding
  NaN or -0.0 therefore goes to scipy, except windows not shorter than the line,
  where scipy's heap reads past its buffers (its answers change from call to call):
  there the kernels give the n-D definition (scipy's answer for the line as a
  (1, n) image), whatever the data.

Native coverage: float32/64, (u)int8/16/32 and bool input, output of the input's
dtype, 1-D to 3-D for footprints (any rank for ``size=``), a constant-mode cval
that is a value of the dtype (scipy compares in float64: another cval changes the
answer in ways only its code reproduces). Everything else runs scipy.ndimage
under ``backend="auto"`` (a named native backend raises TypeError).

Memory: no padded copy of the image; per-thread scratch of one line (``size=``
along the last axis), ``size`` row chunks (other axes; the fused pass: at most
FUSE_KY_MAX lines of 64 KiB) or one row chunk per footprint cell. Windows whose
scratch cannot be allocated raise MemoryError first.

Stopping: a long native call runs as several kernel calls of about 50 ms
(``_cancel.run_tasks`` over the kernel's tasks: lines, row chunks, or up to 512
outputs of a row), so Ctrl-C raises ``KeyboardInterrupt`` and a cancelled
``pycompute.aio`` call stops between two of them; an ``output=`` array then holds a
partly written result (a stopped call returns nothing). The cut never changes a
value. The ``_W_*`` weights estimate a call's time per kernel path, so that the
first slice, sized before any is timed, stays short even where each output costs
much (large rank windows); the kernels keep each task short (rank_fp: fewer
outputs per task for large windows), so a slice can end every ~50 ms.
"""
from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable

import numpy as np

from . import _backends, _cancel, _reference, _threads
from ._validation import (
    MODE_CODES,
    as_array,
    check_alloc,
    kernel_cval,
    kernel_dtype,
    native_dtype,
    ndi_axes,
    ndi_axis,
    ndi_cval,
    ndi_error,
    ndi_expand_footprint,
    ndi_expand_origin,
    ndi_filter_size,
    ndi_footprint_origins,
    ndi_index,
    ndi_mode,
    ndi_output,
    ndi_separable,
    ndi_sequence,
    ndi_size_footprint,
    ndi_window_origin,
    readable,
)

__all__ = ["minimum_filter1d", "maximum_filter1d", "minimum_filter", "maximum_filter",
           "rank_filter", "median_filter", "percentile_filter"]

_FAMILY = "rank"
#: comparisons one thread must have before a second one is worth starting
GRAIN = 1 << 16
#: dtypes the kernels are compiled for (bool runs as uint8)
KERNEL_DTYPES = frozenset(np.dtype(n) for n in (
    "float32", "float64", "int8", "int16", "int32", "uint8", "uint16", "uint32"))
#: largest window a selection network serves (rank_net)
NET_MAX = 49
#: window lengths up to this one fold directly (as DIRECT_MAX in the kernels)
DIRECT_MAX = 4
#: line windows up to this run doubling sweeps (as DOUBLING_MAX in the kernels)
DOUBLING_MAX = 128
#: longest column window of the fused 2-D min/max kernel (as FUSE_KY_MAX in the kernels)
FUSE_KY_MAX = 256
_CONSTANT = MODE_CODES["constant"]
_ROW_CHUNK = 1024
_COL_CHUNK = 512
_HIST_ROWS = 8  # rank_hist's task: rows, columns (as HIST_ROWS, HIST_COLS in the kernels)
_HIST_COLS = 4096
#: kernel dtypes of rank_hist (the signed ones through the unsigned with the sign bit flipped)
_HIST_DTYPES = (np.uint8, np.int8, np.uint16, np.int16)


# ---------------------------------------------------------------- coverage

def _check_common(backend, num_threads):
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)


def _kdt(inp):
    """The kernel dtype of ``inp`` or None."""
    dt = kernel_dtype(inp)
    return dt if dt in KERNEL_DTYPES else None


def _cval_dt(inp):
    """The dtype whose values a constant-mode cval must be (bool: 0 and 1)."""
    return np.dtype(np.bool_) if inp.dtype == np.bool_ else _kdt(inp)


def _out_ok(inp, odt) -> bool:
    """Native kernels write the input's own dtype only (min/max/rank keep values)."""
    return native_dtype(np.dtype(odt)) == native_dtype(inp.dtype) and _kdt(inp) is not None


def _choose(backend, ok, inp, odt, why=""):
    # the message only where it is raised: formatting two dtypes costs ~15 us a call
    what = "" if ok else (f"input dtype {inp.dtype} ({inp.ndim}-D) with output dtype "
                          f"{np.dtype(odt)}{why}")
    return _backends.choose(backend, _FAMILY, ok, what)


def _target(inp, out, odt):
    """(array the kernels write, True if it is ``out`` itself)."""
    ndt = native_dtype(np.dtype(odt))
    if (out is not None and out.flags.c_contiguous and out.dtype.isnative
            and out.flags.writeable):
        return out, True
    return np.empty(inp.shape, ndt), False


def _as_kernel(a):
    """``a`` viewed/converted as the kernels' dtype (bool as uint8)."""
    return a.view(np.uint8) if a.dtype == np.bool_ else a


def _kernel_input(inp, final):
    x = np.ascontiguousarray(readable(inp, _kdt(inp)))
    if np.may_share_memory(x, final):
        x = x.copy()
    return x


def _finish(out, final, direct, odt):
    if out is None:  # a byte-swapped output dtype asked for: scipy returns that dtype
        return final if final.dtype == np.dtype(odt) else final.astype(odt)
    if not direct:
        out[...] = final
    return out


def _nthreads(num_threads, work):
    return _threads.resolve(num_threads, work, GRAIN)


# ---------------------------------------------------------------- work, for the slicing

#: A call's time in ``_cancel.FIRST_WORK`` units (about 0.5 ns at one thread: FIRST_WORK
#: is a few ms), per element of each kernel path: the slowest backend, dtype and window
#: measured on Zen 4 (AVX-512, one thread), rounded up. Only the first slice, sized before
#: any is timed, depends on it (it must not run long on the slowest path, large rank
#: windows above all); later slices are sized from the measured time. Per extended line
#: element (N + size - 1 per line) for the 1-D passes:
_W_HARTER = 96      # scipy's deque, scalar and branchy: up to 45 ns
_W_DOUBLING = 2     # per doubling sweep (log2(size) + 2 per element), vectorized: <= 1 ns
_W_VANHERK = 96     # the scalar van Herk recurrences of one long line: up to 52 ns
_W_TILE = 48        # transposed tiles (transpose in and out, van Herk on vectors): <= 22 ns
_W_ROWS = 4         # per combine (3, or size up to DIRECT_MAX), rows as vectors: <= 2.3 ns
_W_FUSED = 2        # minmax2d, per output and (log2(size along the row) + 5) sweeps
#: per output and footprint cell: scipy's quickselect (scalar, branchy: 25-50 ns);
#: the min/max loop (<= 1 ns); the networks, per tap and comparator (<= 0.4 ns)
_W_SELECT = 96
_W_FP = 4
_W_NET = 1
#: per output and histogram update (2 ky an output) of rank_hist: scalar, 1-2 ns (8-bit),
#: ~3 ns (16-bit: two levels, the fine one in L2); and the 16-bit walk per output, ~15 ns
_W_HIST = 4
_W_HIST16 = 8
_W_WALK16 = 32


def _pass_work(A, N, B, size, nan) -> int:
    """One minmax1d call's time (FIRST_WORK units): every path goes over each line's
    N + size - 1 extended positions (a window longer than the line costs its length)."""
    ext = A * B * (N + size - 1)
    if nan:
        return ext * _W_HARTER
    if B == 1 and (size <= DOUBLING_MAX or A < 2):
        return ext * (_W_DOUBLING * (size.bit_length() + 2) if size <= DOUBLING_MAX
                      else _W_VANHERK)
    if B == 1:
        return ext * _W_TILE
    return ext * _W_ROWS * (size if size <= DIRECT_MAX else 3)


# ---------------------------------------------------------------- 1-D passes

def _fusable(ops, ndim, cv) -> bool:
    """Can the last two passes run as one minmax2d call? Axes ndim-2 then ndim-1 (the
    image's rows then columns: scipy's order), windows the fused kernel's scratch is
    sized for, no NaN cval (NaN in the data: the kernel reports it, see _run_passes)."""
    if len(ops) < 2 or (math.isnan(cv) and any(op[3] == _CONSTANT for op in ops)):
        return False
    (ay, ky, _, _), (ax, kx, _, _) = ops[-2], ops[-1]
    return ay == ndim - 2 and ax == ndim - 1 and ky <= FUSE_KY_MAX and kx <= DOUBLING_MAX


def _run_fused(kern, src, fk, op_y, op_x, cv, minimum, num_threads) -> bool:
    """Rows then columns of the last two axes in one kernel call (``src`` is not ``fk``).
    False if the input held a NaN (``fk`` then holds no answer)."""
    (_, ky, loy, my), (_, kx, lox, mx) = op_y, op_x
    H, W = src.shape[-2:]
    s3, o3 = src.reshape(-1, H, W), fk.reshape(-1, H, W)
    flag = np.zeros(1, np.uint8)
    n = _nthreads(num_threads, src.size * (ky if ky <= DIRECT_MAX else 3))
    work = s3.shape[0] * H * (W + kx - 1) * _W_FUSED * (kx.bit_length() + 5)
    with _threads.lease(n, num_threads is not None) as k:
        _cancel.run_tasks(
            lambda t0, t1: kern.minmax2d(s3, o3, ky, loy, my, kx, lox, mx, cv, int(minimum),
                                         flag, k, t0, t1), work, k)
    return not flag[0]


def _run_passes(kern, inp, out, odt, ops, cv, minimum, num_threads):
    """scipy's separable min/max: ``ops`` = [(axis, size, lo, mode code)], in order. The
    last two run fused (minmax2d) where ``_fusable`` says so; the fused kernel checks
    the rows it reads for NaN itself (no separate pass over the input), and a NaN it
    finds sends the call to the 1-D passes with scipy's deque."""
    final, direct = _target(inp, out, odt)
    if inp.size:
        x = _kernel_input(inp, final)
        fk = _as_kernel(final)
        fused = _fusable(ops, inp.ndim, cv)
        nan = x.dtype.kind == "f" and (not fused or len(ops) > 2) and _has_nan(x)
        if fused and not nan:
            src = _passes(kern, inp.shape, x, fk, ops[:-2], cv, minimum, False, num_threads)
            if _run_fused(kern, fk.copy() if src is fk else src, fk, ops[-2], ops[-1], cv,
                          minimum, num_threads):
                return _finish(out, final, direct, odt)
            nan = True
        _passes(kern, inp.shape, x, fk, ops, cv, minimum, nan, num_threads)
    return _finish(out, final, direct, odt)


def _passes(kern, shape, x, fk, ops, cv, minimum, nan, num_threads):
    """The 1-D passes ``ops`` in order, ``x`` into ``fk``; returns the array the last one
    wrote (``x`` itself when there are none)."""
    src = x
    for p, op in enumerate(ops):
        if op[3] == _CONSTANT and math.isnan(cv):
            nan = True
        B = math.prod(shape[op[0] + 1:])
        _run_pass(kern, shape, fk.copy() if p > 0 and (nan or B > 1) else src, fk, op, cv,
                  minimum, nan, num_threads)  # (those passes cannot run in place)
        src = fk
    return src


def _run_pass(kern, shape, src, fk, op, cv, minimum, nan, num_threads):
    """One 1-D pass (minmax1d) along ``op``'s axis, ``src`` into ``fk``."""
    axis, size, lo, mode = op
    A = math.prod(shape[:axis])
    N = shape[axis]
    B = math.prod(shape[axis + 1:])
    n = _nthreads(num_threads, src.size * (size if size <= DIRECT_MAX else 3))
    s3, o3 = src.reshape(A, N, B), fk.reshape(A, N, B)
    with _threads.lease(n, num_threads is not None) as k:
        _cancel.run_tasks(
            lambda t0, t1: kern.minmax1d(s3, o3, size, lo, mode, cv, int(minimum), int(nan),
                                         k, t0, t1),
            _pass_work(A, N, B, size, nan), k)


def _pass_bytes(shape, axis, size, itemsize, threads, nan):
    N = shape[axis]
    B = math.prod(shape[axis + 1:])
    if nan:
        per = size * (itemsize + 8)
    elif B == 1:  # one extended line, or a transposed tile of 64 bytes of lanes
        per = max(3 * (N + size - 1) * itemsize, (2 * N + size + 2) * 64)
    else:
        per = (size + 2) * min(B, _ROW_CHUNK) * itemsize
    return per * threads


def _check_pass_memory(inp, ops, num_threads):
    if not inp.size:
        return
    threads = _threads.resolve(num_threads, 1 << 62, 1)
    isz = inp.dtype.itemsize
    for axis, size, _lo, _mode in ops:
        need = max(_pass_bytes(inp.shape, axis, size, isz, threads, nan)
                   for nan in (False, True))
        check_alloc(need, f"`size`={size} along axis {axis} (length {inp.shape[axis]}): "
                          f"the min/max filter's per-thread window scratch")


def _minmax1d(input, size, axis, output, mode, cval, origin, minimum, backend, num_threads):
    _check_common(backend, num_threads)
    ref = _reference.minimum_filter1d if minimum else _reference.maximum_filter1d
    inp = as_array(input, "input")
    if np.iscomplexobj(inp):
        raise ndi_error(TypeError, f"`input` has dtype {inp.dtype}; complex input is not "
                        f"supported by the min/max filters", "Complex type not supported")
    axis = ndi_axis(axis, inp.ndim)
    ndi_filter_size(size)
    out, odt = ndi_output(output, inp)
    ndi_window_origin(origin, size)
    mode_c = ndi_mode(mode)
    size, origin = ndi_index(size, "size"), ndi_index(origin, "origin")
    cv = ndi_cval(cval)
    kcv = kernel_cval(_cval_dt(inp), cv, False) if _kdt(inp) is not None else None
    ok = (inp.ndim >= 1 and _out_ok(inp, odt)
          and (kcv is not None or mode_c != _CONSTANT))
    ops = [(axis, size, size // 2 + origin, mode_c)]
    if ok:
        _check_pass_memory(inp, ops, num_threads)
    kern = _choose(backend, ok, inp, odt)
    if kern is None:
        return ref(input, size, axis, output, mode, cval, origin)
    if out is not None and np.may_share_memory(inp, out):
        inp = inp.copy()
    return _run_passes(kern, inp, out, odt, ops, kcv if kcv is not None else 0.0, minimum,
                       num_threads)


def minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, *,
                     backend="auto", num_threads=None):
    """1-D minimum filter along ``axis``, like :func:`scipy.ndimage.minimum_filter1d`.

    O(1) comparisons per output whatever ``size`` (van Herk / Gil-Werman), scipy's
    answers bit for bit (NaN: scipy's deque algorithm).

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.rank.minimum_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)
    array([2, 0, 0, 0, 1, 1, 0, 0])
    """
    return _minmax1d(input, size, axis, output, mode, cval, origin, True, backend, num_threads)


def maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, *,
                     backend="auto", num_threads=None):
    """1-D maximum filter along ``axis``, like :func:`scipy.ndimage.maximum_filter1d`.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.rank.maximum_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)
    array([8, 8, 8, 4, 9, 9, 9, 9])
    """
    return _minmax1d(input, size, axis, output, mode, cval, origin, False, backend, num_threads)


# ---------------------------------------------------------------- footprints

def _offsets(fp, origins):
    """(k, 3) int64 taps of ``fp`` (1-D to 3-D) in C order, relative to centre + origin
    (read-only; one array per footprint and origins cached, for footprints of at most
    _OFFSETS_CACHED cells: the cache holds no large ones)."""
    args = (fp.shape, np.asarray(fp, bool).tobytes(), tuple(int(o) for o in origins))
    return _offsets_cached(*args) if fp.size <= _OFFSETS_CACHED else _offsets_of(*args)


_OFFSETS_CACHED = 4096


@functools.lru_cache(maxsize=64)
def _offsets_cached(shape, cells, origins):
    return _offsets_of(shape, cells, origins)


def _offsets_of(shape, cells, origins):
    fp = np.frombuffer(cells, bool).reshape(shape)
    pad = 3 - fp.ndim
    f3 = fp.reshape((1,) * pad + fp.shape)
    o3 = [0] * pad + list(origins)
    idx = np.nonzero(f3)
    offs = np.stack([idx[d] - (f3.shape[d] // 2 + o3[d]) for d in range(3)], axis=1)
    offs = np.ascontiguousarray(offs, dtype=np.int64)
    offs.flags.writeable = False
    return offs


def _x3(a):
    return a.reshape((1,) * (3 - a.ndim) + a.shape)


def _run_footprint(kern, inp, out, odt, fp, origins, mode_c, cv, how, num_threads):
    """One footprint kernel call: ``how`` = ("minmax", minimum) | ("rank", rank) |
    ("net", rank) | ("hist", rank)."""
    final, direct = _target(inp, out, odt)
    if inp.size:
        x = _kernel_input(inp, final)
        fk = _as_kernel(final)
        offs = _offsets(fp, origins)
        k = offs.shape[0]
        kind = how[0]
        x3, o3 = _x3(x), _x3(fk)
        # int8 / int16 through uint8 / uint16, the sign bit flipped
        flip = kind == "hist" and x.dtype in (np.int8, np.int16)
        # work: the thread-count estimate; slow: the time estimate that sizes the slices
        box = _box_median(fp, how[1]) if kind == "net" else 0
        if box:
            nops = 22 if box == 3 else 100  # min/max a pixel: the row-pair circuits
            work, slow = inp.size * nops // 2, inp.size * (box + nops) * _W_NET
            kernel, args = kern.median_box, (x3, o3, box, *(int(v) for v in offs[0]), mode_c,
                                             cv)
        elif kind == "net":
            net, sel = _network(k, how[1])
            work, slow = inp.size * max(len(net), 1), inp.size * (k + len(net)) * _W_NET
            kernel, args = kern.rank_net, (x3, o3, offs, net, sel, mode_c, cv)
        elif kind == "hist":
            _, ky, kx = _x3(fp).shape
            work = inp.size * 2 * ky * 4
            slow = (inp.size * (2 * ky * _W_HIST16 + _W_WALK16) if x.dtype.itemsize == 2
                    else inp.size * 2 * ky * _W_HIST)
            if flip:  # unsigned with the sign bit flipped: the same order
                # (into a temporary: a stopped call leaves the output as it was, where
                # flipped rows written straight into an out= array would stay flipped)
                udt, sign = (np.uint8, 0x80) if x.dtype == np.int8 else (np.uint16, 0x8000)
                x3, o3, cv = (_x3(x.view(udt) ^ udt(sign)), np.empty(o3.shape, udt),
                              cv + sign)
            kernel, args = kern.rank_hist, (x3, o3, ky, kx, *(int(v) for v in offs[0]), how[1],
                                            mode_c, cv)
        elif kind == "rank":
            work, slow = inp.size * k * 4, inp.size * k * _W_SELECT
            kernel, args = kern.rank_fp, (x3, o3, offs, how[1], mode_c, cv)
        else:
            work, slow = inp.size * k, inp.size * k * _W_FP
            kernel, args = kern.minmax_fp, (x3, o3, offs, mode_c, cv, int(how[1]))
        n = _nthreads(num_threads, work)
        with _threads.lease(n, num_threads is not None) as t:
            _cancel.run_tasks(lambda t0, t1: kernel(*args, t, t0, t1), slow, t)
        if flip:
            np.bitwise_xor(o3, udt(sign), out=_x3(fk).view(udt))
    return _finish(out, final, direct, odt)


def _plane_box(fp) -> bool:
    """Is ``fp`` a full box in one plane of the last two axes (rank_hist's windows)?"""
    f3 = _x3(fp)
    return f3.shape[0] == 1 and bool(f3.all())


def _box_median(fp, rank) -> int:
    """k if ``fp`` is a full k x k box (k = 3 or 5) in one plane of the last two axes and
    ``rank`` its median (median_box runs it), else 0."""
    f3 = _x3(fp)
    k = f3.shape[-1]
    if (f3.shape[0] == 1 and f3.shape[1] == k and k in (3, 5) and rank == k * k // 2
            and f3.all()):
        return k
    return 0


def _check_fp_memory(k, itemsize, num_threads):
    threads = _threads.resolve(num_threads, 1 << 62, 1)
    check_alloc((k + 1) * _COL_CHUNK * itemsize * threads,
                f"a footprint of {k} cells: per-thread rows of {_COL_CHUNK} pixels per cell")


def _min_or_max_filter(input, size, footprint, output, mode, cval, origin, minimum, axes,
                       backend, num_threads, stacklevel=4):
    """scipy's ``_min_or_max_filter`` (structure None), its checks in its order."""
    _check_common(backend, num_threads)
    ref = _reference.minimum_filter if minimum else _reference.maximum_filter
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning,
                      stacklevel=stacklevel)
    if footprint is None:
        if size is None:
            raise ndi_error(RuntimeError, "give `size` or `footprint` (both are None)",
                            "no footprint provided")
        separable = True
    else:
        footprint = np.asarray(footprint, dtype=bool)
        if not footprint.any():
            raise ndi_error(ValueError, f"`footprint` of shape {footprint.shape} has no True "
                            f"cell", "All-zero footprint is not supported.")
        if footprint.all():
            size = footprint.shape
            footprint = None
            separable = True
        else:
            separable = False
    inp = as_array(input, "input")
    if np.iscomplexobj(inp):
        raise ndi_error(TypeError, f"`input` has dtype {inp.dtype}; complex input is not "
                        f"supported by the min/max filters", "Complex type not supported")
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    if separable:
        origins = ndi_sequence(origin, len(ax), "origin")
        sizes = ndi_sequence(size, len(ax), "size")
        modes = ndi_sequence(mode, len(ax), "mode")
        ops = ndi_separable(ax, sizes, origins, modes, origin)
        cv = ndi_cval(cval) if ops else 0.0
        if not ops:
            res = np.empty(inp.shape, odt) if out is None else out
            res[...] = inp
            return res
        kdt = _kdt(inp)
        kcv = kernel_cval(_cval_dt(inp), cv, False) if kdt is not None else None
        ok = (inp.ndim >= 1 and _out_ok(inp, odt)
              and (kcv is not None or all(op[3] != _CONSTANT for op in ops)))
        if ok:
            _check_pass_memory(inp, ops, num_threads)
        kern = _choose(backend, ok, inp, odt)
        if kern is None:
            return _ref_call(ref, input, size, None, output, mode, cval, origin, axes)
        if out is not None and np.may_share_memory(inp, out):
            inp = inp.copy()
        return _run_passes(kern, inp, out, odt, ops, kcv if kcv is not None else 0.0,
                           minimum, num_threads)
    fp = ndi_expand_footprint(inp.ndim, ax, footprint)
    origins = ndi_footprint_origins(fp, ndi_expand_origin(inp.ndim, ax, origin), inp.ndim, len(ax),
                               origin)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        raise ndi_error(RuntimeError, f"`mode`={mode!r}: one mode name only with a footprint "
                        f"that is not all True",
                        "A sequence of modes is not supported for non-separable footprints")
    mode_c = ndi_mode(mode)
    cv = ndi_cval(cval)
    kdt = _kdt(inp)
    kcv = kernel_cval(_cval_dt(inp), cv, True) if kdt is not None else None
    ok = (1 <= inp.ndim <= 3 and _out_ok(inp, odt)
          and (kcv is not None or mode_c != _CONSTANT))
    if ok:
        _check_fp_memory(int(fp.sum()), inp.dtype.itemsize, num_threads)
    kern = _choose(backend, ok, inp, odt)
    if kern is None:
        return _ref_call(ref, input, None, footprint, output, mode, cval, origin, axes)
    if out is not None and np.may_share_memory(inp, out):
        inp = inp.copy()
    return _run_footprint(kern, inp, out, odt, fp, origins, mode_c,
                          kcv if kcv is not None else 0.0, ("minmax", minimum), num_threads)


def _ref_call(ref, input, size, footprint, output, mode, cval, origin, axes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # already warned once, here
        return ref(input, size, footprint, output, mode, cval, origin, axes=axes)


def minimum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None, backend="auto", num_threads=None):
    """Multidimensional minimum filter, like :func:`scipy.ndimage.minimum_filter`.

    ``size=`` (or an all-True footprint): one O(1)-per-pixel pass per axis.
    ``footprint=``: scipy's per-pixel minimum over the footprint, rows as vectors.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.rank.minimum_filter(np.arange(9).reshape(3, 3), size=2)
    array([[0, 0, 1],
           [0, 0, 1],
           [3, 3, 4]])
    """
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin, True, axes,
                              backend, num_threads)


def maximum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None, backend="auto", num_threads=None):
    """Multidimensional maximum filter, like :func:`scipy.ndimage.maximum_filter`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.rank.maximum_filter(np.arange(9).reshape(3, 3), footprint=[[0, 1], [1, 0]])
    array([[0, 1, 2],
           [3, 3, 4],
           [6, 6, 7]])
    """
    return _min_or_max_filter(input, size, footprint, output, mode, cval, origin, False, axes,
                              backend, num_threads)


# ---------------------------------------------------------------- rank filters

def _oddeven_merge_sort(n):
    """Batcher's odd-even merge sort comparators for ``n`` wires (a power of two)."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return pairs


@functools.lru_cache(maxsize=128)
def _network(k: int, rank: int):
    """(net, sel): a selection network for element ``rank`` of ``k`` values.

    Batcher's sorting network on the next power of two (comparators touching the
    missing wires, +inf at the end, dropped), pruned backwards to the comparators
    the output wire depends on; a comparator whose other output is not needed
    keeps only the min (op 1) or the max (op 2)."""
    p = 1
    while p < k:
        p *= 2
    full = [(i, j) for i, j in _oddeven_merge_sort(p) if j < k]
    needed = {rank}
    kept = []
    for i, j in reversed(full):
        a, b = i in needed, j in needed
        if a and b:
            kept.append((i, j, 0))
        elif a:
            kept.append((i, j, 1))
            needed.add(j)
        elif b:
            kept.append((i, j, 2))
            needed.add(i)
    kept.reverse()
    net = np.array(kept, dtype=np.int64).reshape(-1, 3)
    return np.ascontiguousarray(net), rank


# ---------------------------------------------------------------- 5 x 5 box median circuit

#: Optimal sorting networks of 5 values (9 comparators) and of 4 (5).
_SORT5 = ((0, 1), (3, 4), (2, 4), (2, 3), (0, 3), (0, 2), (1, 4), (1, 3), (1, 2))
_SORT4 = ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))
#: Of the 5 x 5 window with its rows sorted and then its columns, the only cells that can
#: hold the median (rank 12): column c's ranks _MED5_RANKS[c] (a cell (i, j) has at least
#: (i + 1)(j + 1) - 1 cells below it and (5 - i)(5 - j) - 1 above). 6 cells lie below all
#: 13 and 6 above, so the median is rank 6 of the 13, in this order.
_MED5_RANKS = ((3, 4), (2, 3, 4), (1, 2, 3), (0, 1, 2), (0, 1))
#: Rank 6 of those 13 cells: Batcher's odd-even merge sort of 16 (comparators on wires
#: past 12 dropped), pruned to the comparators that the 162 0/1 patterns the 13 cells can
#: take (all 2^25 0/1 windows, enumerated) need: 22 comparators, 32 min/max where the
#: plain pruned selection of 13 takes 66. tests/test_rank.py checks the whole circuit on
#: every 0/1 window; by the 0-1 principle it is then right on every input.
_MED13 = ((4, 5), (10, 11), (0, 2), (1, 3), (5, 7), (1, 2), (5, 6), (1, 5), (2, 4), (3, 5),
          (3, 4), (5, 6), (9, 10), (11, 12), (1, 9), (3, 11), (4, 8), (5, 9), (6, 10), (3, 5),
          (6, 8), (5, 6))


def _med5_circuits():
    """The 5 x 5 box median as straight-line min/max programs, which
    ``kernels/gen_median5.py`` writes out as the kernels' loops (both backends):

    * ``hsort``: inputs ``x0 .. x4`` (a row's five neighbours), outputs the five ranks;
    * ``pair``: inputs ``s{r}{c}`` (rank c of input row r's neighbours, rows 0 .. 5),
      outputs the medians of output rows 0 (input rows 0 .. 4) and 1 (rows 1 .. 5). The
      four rows the two share are sorted once per column (_SORT4); each output inserts
      its own fifth value x: rank k of x and sorted w is max(w[k - 1], min(x, w[k]))
      (min(x, w[0]) for k = 0, max(x, w[3]) for k = 4); then _MED13 on the 13 cells.

    Each program: (ops, outputs), ops a list of (name, "mn" | "mx", a, b) in order, only
    those the outputs need."""
    ops = []

    def op(kind, a, b):
        ops.append((f"t{len(ops)}", kind, a, b))
        return ops[-1][0]

    def net(v, pairs):
        v = list(v)
        for i, j in pairs:
            v[i], v[j] = op("mn", v[i], v[j]), op("mx", v[i], v[j])
        return v

    def live(outs):
        by = {o[0]: o for o in ops}
        keep, todo = set(), list(outs)
        while todo:
            n = todo.pop()
            if n in by and n not in keep:
                keep.add(n)
                todo += by[n][2:]
        return [o for o in ops if o[0] in keep], list(outs)

    hsort = live(net([f"x{k}" for k in range(5)], _SORT5))
    ops.clear()
    cells = ([], [])
    for c, ranks in enumerate(_MED5_RANKS):
        w = net([f"s{r}{c}" for r in range(1, 5)], _SORT4)
        for out, x in ((0, f"s0{c}"), (1, f"s5{c}")):
            for k in ranks:
                cells[out].append(op("mn", x, w[0]) if k == 0 else op("mx", x, w[3])
                                  if k == 4 else op("mx", w[k - 1], op("mn", x, w[k])))
    meds = [net(cell, _MED13)[6] for cell in cells]
    return {"hsort": hsort, "pair": live(meds)}


def _has_nan(x) -> bool:
    """Does float array ``x`` hold a NaN? (One reduction, no temporary: min propagates NaN.)"""
    return x.size > 0 and math.isnan(x.min())


def _unique_order(x, mode_c, cv) -> bool:
    """True when every order statistic of ``x`` (and cval) is one bit pattern: integers,
    or floats without NaN and without -0.0 (scipy's selection decides those)."""
    if x.dtype.kind != "f":
        return True
    if mode_c == _CONSTANT and (math.isnan(cv) or (cv == 0.0 and math.copysign(1.0, cv) < 0)):
        return False
    if x.size == 0:
        return True
    if _has_nan(x):
        return False
    bits = np.dtype(f"u{x.dtype.itemsize}").newbyteorder(x.dtype.byteorder)
    neg_zero = 1 << (8 * x.dtype.itemsize - 1)  # -0.0's bit pattern
    return not bool((x.view(bits) == neg_zero).any()) if x.flags.c_contiguous else \
        not bool(((x == 0) & np.signbit(x)).any())


def _rank_filter(input, rank, size, footprint, output, mode, cval, origin, operation, axes,
                 backend, num_threads):
    """scipy's ``_rank_filter``, its checks in its order."""
    _check_common(backend, num_threads)
    if size is not None and footprint is not None:
        warnings.warn("ignoring size because footprint is set", UserWarning, stacklevel=4)
    inp = as_array(input, "input")
    if np.iscomplexobj(inp):
        raise ndi_error(TypeError, f"`input` has dtype {inp.dtype}; complex input is not "
                        f"supported by the rank filters", "Complex type not supported")
    ax = ndi_axes(axes, inp.ndim)
    if footprint is None:
        if size is None:
            raise ndi_error(RuntimeError, "give `size` or `footprint` (both are None)",
                            "no footprint or filter size provided")
        footprint = ndi_size_footprint(size, len(ax))
    else:
        footprint = np.asarray(footprint, dtype=bool)
    fp = ndi_expand_footprint(inp.ndim, ax, footprint)
    origins = ndi_expand_origin(inp.ndim, ax, origin)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        modes = ndi_sequence(mode, len(ax), "mode")
        full = ["constant"] * inp.ndim
        for m, a in zip(modes, ax):
            full[a] = m
        mode_x = full
    else:
        mode_x = mode
    origins = ndi_footprint_origins(fp, origins, inp.ndim, len(ax), origin)
    filter_size = int(np.count_nonzero(fp))
    given_rank = rank
    if operation == "median":
        rank = filter_size // 2
    elif operation == "percentile":
        percentile = rank
        if percentile < 0.0:
            percentile += 100.0
        if percentile < 0 or percentile > 100:
            raise ndi_error(RuntimeError, f"`percentile`={given_rank!r} must be in "
                            f"[-100, 100]", "invalid percentile")
        if percentile == 100.0:
            rank = filter_size - 1
        else:
            rank = int(float(filter_size) * percentile / 100.0)
    if rank < 0:
        rank += filter_size
    if rank < 0 or rank >= filter_size:
        what = {"median": "the median", "percentile": f"`percentile`={given_rank!r}"}.get(
            operation, f"`rank`={given_rank!r}")
        raise ndi_error(RuntimeError, f"{what} gives rank {rank}, outside the footprint's "
                        f"{filter_size} cells (allowed: {-filter_size}..{filter_size - 1})",
                        "rank not within filter footprint size")
    if rank == 0 or rank == filter_size - 1:
        return _min_or_max_filter(input, None, fp, output, mode_x, cval, origins, rank == 0,
                                  None, backend, num_threads, stacklevel=5)
    rank = ndi_index(rank, "rank")
    out, odt = ndi_output(output, inp)
    if not isinstance(mode_x, str) and isinstance(mode_x, Iterable):
        raise ndi_error(RuntimeError, f"`mode`={mode!r}: one mode name only for rank filters",
                        "A sequence of modes is not supported by non-separable rank filters")
    mode_c = ndi_mode(mode_x)
    cv = ndi_cval(cval)
    kdt = _kdt(inp)
    kcv = kernel_cval(_cval_dt(inp), cv, True) if kdt is not None else None
    ok = (1 <= inp.ndim <= 3 and _out_ok(inp, odt)
          and (kcv is not None or mode_c != _CONSTANT))
    kcv = kcv if kcv is not None else 0.0
    unique = ok and _unique_order(inp, mode_c, kcv)
    why = ""
    if inp.ndim == 1 and (inp.size - ((fp.size - 1) // 2 - origins[0]) >= 0 or inp.size == 1):
        # scipy's 1-D rank filter (a double heap over a window of footprint.size cells,
        # the footprint's False cells ignored): the same answers as the n-D selection
        # where every order statistic is one bit pattern and the window is shorter than
        # the line; NaN and -0.0 there are the heap's to decide, so scipy runs. A window
        # not shorter than the line: scipy's heap reads past its buffers (its answer can
        # change from one call to the next: values from nowhere), so the kernels give
        # the n-D definition, scipy's answer for the same line as a (1, n) image.
        fp = np.ones(fp.size, bool)
        if ok and fp.size < inp.size and not unique:
            ok = False
            why = " (1-D input: scipy's heap algorithm decides NaN and -0.0)"
    if unique and np.count_nonzero(fp) <= NET_MAX:
        how = ("net", rank)
    elif kdt in _HIST_DTYPES and _plane_box(fp):
        how = ("hist", rank)
    else:
        how = ("rank", rank)
    if ok and how[0] == "hist":
        _, ky, kx = _x3(fp).shape
        threads = _threads.resolve(num_threads, 1 << 62, 1)
        isz = inp.dtype.itemsize
        check_alloc(((_HIST_ROWS + ky - 1) * (_HIST_COLS + kx - 1) * isz
                     + (isz > 1) * 4 * 65536) * threads,
                    f"a {ky} x {kx} box: per-thread lines of {_HIST_COLS} + {kx - 1} pixels")
    elif ok:
        _check_fp_memory(int(fp.sum()), inp.dtype.itemsize, num_threads)
    kern = _choose(backend, ok, inp, odt, why)
    if kern is None:
        return _ref_rank(input, given_rank, size, footprint, output, mode, cval, origin,
                         operation, axes)
    if out is not None and np.may_share_memory(inp, out):
        inp = inp.copy()
    return _run_footprint(kern, inp, out, odt, fp, origins, mode_c, kcv, how, num_threads)


def _ref_rank(input, rank, size, footprint, output, mode, cval, origin, operation, axes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if operation == "median":
            return _reference.median_filter(input, size, footprint, output, mode, cval, origin,
                                            axes=axes)
        if operation == "percentile":
            return _reference.percentile_filter(input, rank, size, footprint, output, mode,
                                                cval, origin, axes=axes)
        return _reference.rank_filter(input, rank, size, footprint, output, mode, cval, origin,
                                      axes=axes)


def rank_filter(input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                origin=0, *, axes=None, backend="auto", num_threads=None):
    """Multidimensional rank filter, like :func:`scipy.ndimage.rank_filter`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.rank.rank_filter(np.array([[5, 1, 4], [2, 8, 3], [9, 0, 7]]), rank=1, size=2)
    array([[5, 1, 1],
           [2, 2, 3],
           [2, 2, 3]])
    """
    return _rank_filter(input, rank, size, footprint, output, mode, cval, origin, "rank", axes,
                        backend, num_threads)


def median_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                  origin=0, *, axes=None, backend="auto", num_threads=None):
    """Multidimensional median filter, like :func:`scipy.ndimage.median_filter`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.rank.median_filter(np.array([[5, 1, 4], [2, 8, 3], [9, 0, 7]]), size=3)
    array([[5, 4, 4],
           [5, 4, 4],
           [8, 7, 7]])
    """
    return _rank_filter(input, 0, size, footprint, output, mode, cval, origin, "median", axes,
                        backend, num_threads)


def percentile_filter(input, percentile, size=None, footprint=None, output=None,
                      mode="reflect", cval=0.0, origin=0, *, axes=None, backend="auto",
                      num_threads=None):
    """Multidimensional percentile filter, like :func:`scipy.ndimage.percentile_filter`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.rank.percentile_filter(np.array([[5, 1, 4], [2, 8, 3], [9, 0, 7]]), 75, size=3)
    array([[5, 5, 4],
           [8, 7, 7],
           [9, 8, 7]])
    """
    return _rank_filter(input, percentile, size, footprint, output, mode, cval, origin,
                        "percentile", axes, backend, num_threads)
