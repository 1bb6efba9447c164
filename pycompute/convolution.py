"""Parallel SIMD drop-ins for scipy.ndimage's linear filters.

``correlate, convolve, correlate1d, convolve1d, uniform_filter, uniform_filter1d,
gaussian_filter, gaussian_filter1d, sobel, prewitt, laplace`` take
scipy.ndimage's arguments, defaults and semantics, plus keyword-only
``backend=`` and ``num_threads=``.

How a call runs: validate exactly as scipy does (same exception types) ->
describe the filter as 1-D passes along axes (separable filters) or one dense
pass -> resolve threads -> kernel -> output. Every pass sees the array as
``(A, N, B)`` (filter axis N), so the 1-D filters cover any number of
dimensions; dense ``correlate``/``convolve`` cover 1-D to 3-D.

Results: the output dtype rules and integer casting of scipy; float64 work
reproduces scipy's per-pixel operation order (so results agree bit for bit,
integers included). float32 input with float32 output is computed in float32
with FMA (scipy rounds a float64 sum): within a few float32 ulps of the sum of
|terms|, see tests/test_convolution.py.

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
"""
from __future__ import annotations

import functools
import numbers
import operator
from collections.abc import Iterable

import numpy as np

from . import _backends, _reference, _threads

try:  # numpy >= 2.0
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # pragma: no cover
    from numpy.core.multiarray import normalize_axis_index
from ._validation import NATIVE_REAL, MODE_CODES, as_array, kernel_dtype, readable

__all__ = ["correlate1d", "convolve1d", "correlate", "convolve", "uniform_filter1d",
           "uniform_filter", "gaussian_filter1d", "gaussian_filter", "sobel", "prewitt",
           "laplace"]

_FAMILY = "convolution"
#: multiply-adds one thread must have before a second one is worth starting
GRAIN = 1 << 16
_DBL_EPS = float(np.finfo(np.float64).eps)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
#: output dtype -> the OUT_* code of kernels/convolution.pyx and pycompute/_numba/convolution.py
_OUT_CODES = {np.dtype(n): i for i, n in enumerate(
    ("float32", "float64", "int8", "int16", "int32", "int64",
     "uint8", "uint16", "uint32", "uint64"))}


# ---------------------------------------------------------------- scipy-compatible arguments

def _check_common(backend, num_threads):
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)


def _mode_code(mode) -> int:
    """scipy's filter mode -> kernel code; RuntimeError (as scipy) for anything else."""
    if not isinstance(mode, str) or mode not in MODE_CODES:
        raise RuntimeError(
            f"`mode`={mode!r} is not a supported boundary mode; allowed are "
            f"{', '.join(map(repr, MODE_CODES))}")
    return MODE_CODES[mode]


def _sequence(value, n: int, name: str) -> list:
    """scipy's _normalize_sequence: a scalar repeated, or a sequence of length ``n``."""
    if not isinstance(value, str) and np.iterable(value):
        seq = list(value)
        if len(seq) != n:
            raise RuntimeError(
                f"`{name}`={value!r} has {len(seq)} entries; it must have one per filtered "
                f"axis ({n})")
        return seq
    return [value] * n


def _check_axes(axes, ndim: int) -> tuple[int, ...]:
    """scipy's _check_axes: None, an int or a sequence of unique in-range ints."""
    if axes is None:
        return tuple(range(ndim))
    if np.isscalar(axes):
        axes = (operator.index(axes),)
    elif isinstance(axes, Iterable):
        axes = tuple(operator.index(ax) for ax in axes)
    else:
        raise ValueError(f"`axes`={axes!r} must be an int, a sequence of ints or None")
    for ax in axes:
        if ax < -ndim or ax > ndim - 1:
            raise ValueError(f"`axes` entry {ax} is out of range for an input with {ndim} axes")
    axes = tuple(ax % ndim for ax in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"`axes`={axes!r} must be unique")
    return axes


def _axis(axis, ndim: int) -> int:
    return int(normalize_axis_index(operator.index(axis), ndim))


def _cval(cval) -> float:
    if isinstance(cval, (complex, np.complexfloating)) and not isinstance(cval, float):
        raise TypeError(f"`cval`={cval!r} must be a real number for real input")
    try:
        return float(cval)
    except (TypeError, ValueError):
        raise TypeError(f"`cval` must be a real number, got {cval!r}") from None


def _origin(origin, name="origin") -> int:
    try:
        return operator.index(origin)
    except TypeError:
        raise TypeError(f"`{name}` must be an int, got {origin!r}") from None


def _check_origin(origin: int, lenw: int, name="origin"):
    if origin < -(lenw // 2) or origin > (lenw - 1) // 2:
        raise ValueError(
            f"Invalid origin; `{name}`={origin} must satisfy -(len(weights) // 2) <= origin "
            f"<= (len(weights) - 1) // 2, i.e. {-(lenw // 2)}..{(lenw - 1) // 2} for "
            f"{lenw} weights")


def _output_spec(output, inp):
    """scipy's _get_output without allocating: (array or None, result dtype)."""
    if output is None:
        return None, np.dtype(inp.dtype.name)
    if isinstance(output, (type, np.dtype)):
        return None, np.dtype(output)
    if isinstance(output, str):
        dt = np.dtype(output)
        if not issubclass(dt.type, np.number):
            raise RuntimeError(f"`output`={output!r} must be a numeric dtype")
        return None, dt
    out = np.asarray(output)
    if out.shape != inp.shape:
        raise RuntimeError(
            f"`output` has shape {out.shape}, but it must have the input's shape {inp.shape}")
    return out, out.dtype


def _native_dtype(dt):
    return dt if dt.isnative else dt.newbyteorder("=")


def _covered(inp, odt) -> bool:
    """Can a native kernel read ``inp`` and write dtype ``odt``?"""
    return (inp.ndim >= 1 and inp.dtype.kind in "biuf" and kernel_dtype(inp) is not None
            and _native_dtype(odt) in NATIVE_REAL)


def _choose(backend, ok, inp, odt):
    return _backends.choose(backend, _FAMILY, ok,
                            f"input dtype {inp.dtype} ({inp.ndim}-D) with output dtype {odt}")


def _symmetry(w: np.ndarray) -> int:
    """NI_Correlate1D's test: +1 symmetric, -1 antisymmetric, 0 neither (odd lengths only)."""
    k = w.shape[0]
    if not k & 1:
        return 0
    c = k // 2
    right, left = w[c + 1:], w[:c][::-1]
    if np.all(np.abs(right - left) <= _DBL_EPS):
        return 1
    if np.all(np.abs(right + left) <= _DBL_EPS):
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


def _pass(kern, src, dst, op, cval, num_threads, in_place=False):
    """One kernel call: ``dst`` (C-contiguous, native) = filter(``src``); with
    ``in_place``, ``src`` is ``dst``."""
    kind = op[0]
    explicit = num_threads is not None
    code = _OUT_CODES[dst.dtype]
    out_bytes = dst.reshape(-1).view(np.uint8)
    if kind == "dense":
        _, w, offs, mode = op
        work = _F32 if src.dtype == _F32 and dst.dtype == _F32 else _F64
        x = _own(kern, _kernel_input(kern, src, work), dst, False)
        x = x.reshape((1,) * (3 - x.ndim) + x.shape)
        n = _threads.resolve(num_threads, dst.size * max(len(w), 1), GRAIN)
        with _threads.lease(n, explicit) as k:
            kern.correlate(x, out_bytes, code, w.astype(work), offs, mode, cval, k)
        return
    axis = op[1]
    shape = src.shape
    A = int(np.prod(shape[:axis], dtype=np.int64))
    B = int(np.prod(shape[axis + 1:], dtype=np.int64))
    if kind == "corr":
        _, _, w, lo, sym, mode = op
        work = _F32 if src.dtype == _F32 and dst.dtype == _F32 else _F64
        x = _own(kern, _kernel_input(kern, src, work), dst, in_place)
        x = x.reshape(A, shape[axis], B)
        n = _threads.resolve(num_threads, dst.size * len(w), GRAIN)
        with _threads.lease(n, explicit) as k:
            kern.correlate1d(x, out_bytes, code, w.astype(work), lo, sym, mode, cval, k)
    else:  # uniform
        _, _, size, lo, mode = op
        exact = _exact_box(src.dtype, dst.dtype, size, cval)
        x = _own(kern, _kernel_input(kern, src, _F32 if exact == 2 else _F64), dst,
                 in_place and exact > 0)
        x = x.reshape(A, shape[axis], B)
        n = _threads.resolve(num_threads, dst.size * (size if exact else 4), GRAIN)
        with _threads.lease(n, explicit) as k:
            kern.uniform1d(x, out_bytes, code, size, lo, exact, mode, cval, k)


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
    return A >= 2 and int(np.prod(shape[axis:], dtype=np.int64)) <= SLAB_MAX


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
        (Kv, lov, modev), (Kh, loh, modeh) = a0, a1
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
    x = np.ascontiguousarray(readable(inp, work))
    if np.may_share_memory(x, final):
        x = x.copy()
    x4 = x.reshape(A, shape[ax0], shape[ax1], C)
    o4 = final.reshape(x4.shape)
    n = _threads.resolve(num_threads, final.size * (Kv + Kh), GRAIN)
    with _threads.lease(n, num_threads is not None) as k:
        return bool(fn(x4, o4, wv, Kv, lov, symv, modev, mv, shv, wh, Kh, loh, symh, modeh,
                       mh, shh, float(cval), hfirst, k))


def _run(kern, inp, out, odt, passes, cval, num_threads):
    """Apply ``passes`` in order (each pass's result in the output dtype, as scipy); return output.

    Passes that can run in place (1-D passes after the first, slab copies per
    thread) write where they read; the others alternate between the output and
    one temporary, arranged so the last of them writes the output. A 2-D
    Gaussian or box filter thus needs no temporary at all."""
    if out is None:
        out = np.empty(inp.shape, odt)
    if inp.size == 0:
        return out
    if not passes:
        out[...] = inp
        return out
    direct = (out.flags.c_contiguous and out.dtype.isnative and out.flags.writeable)
    final = out if direct else np.empty(inp.shape, _native_dtype(out.dtype))
    if _fused_pair(kern, inp, final, passes, cval, num_threads):
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
        _pass(kern, src, dst, op, cval, num_threads, in_place[p])
        src = dst
    if not direct:
        out[...] = final
    return out


# ---------------------------------------------------------------- correlate1d / convolve1d

def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
                *, backend="auto", num_threads=None):
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
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    w = as_array(weights, "weights")
    if inp.dtype.kind == "c" or w.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.correlate1d(input, weights, axis, output, mode, cval, origin)
    out, odt = _output_spec(output, inp)
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] < 1:
        raise RuntimeError(
            f"no filter weights given: `weights` must be 1-D with at least one weight, "
            f"got shape {w.shape}")
    axis = _axis(axis, inp.ndim)
    origin = _origin(origin)
    _check_origin(origin, w.shape[0])
    mode_c = _mode_code(mode)
    cv = _cval(cval)
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return _reference.correlate1d(input, weights, axis, output, mode, cval, origin)
    op = ("corr", axis, np.ascontiguousarray(w), w.shape[0] // 2 + origin, _symmetry(w), mode_c)
    return _run(kern, inp, out, odt, [op], cv, num_threads)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
               *, backend="auto", num_threads=None):
    """1-D convolution along ``axis``, like :func:`scipy.ndimage.convolve1d`.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.convolve1d([2, 8, 0, 4, 1, 9, 9, 0], weights=[1, 3])
    array([14, 24,  4, 13, 12, 36, 27,  0])
    """
    weights = np.asarray(weights)
    weights = weights[::-1]
    origin = -_origin(origin)
    if not weights.shape[0] & 1:
        origin -= 1
    if weights.dtype.kind == "c":
        weights = weights.conj()
    return correlate1d(input, weights, axis, output, mode, cval, origin,
                       backend=backend, num_threads=num_threads)


# ---------------------------------------------------------------- correlate / convolve

def _dense(input, weights, output, mode, cval, origin, convolution, axes, backend,
           num_threads):
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    w = as_array(weights, "weights")
    ref = _reference.convolve if convolution else _reference.correlate
    if inp.dtype.kind == "c" or w.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return ref(input, weights, output, mode, cval, origin, axes=axes)
    axes = _check_axes(axes, inp.ndim)
    w = np.asarray(w, dtype=np.float64)
    nax = len(axes)
    if nax < inp.ndim:
        if w.ndim != nax:
            raise RuntimeError(f"weights.ndim ({w.ndim}) must match len(axes) ({nax})")
        w = np.expand_dims(w, tuple(ax for ax in range(inp.ndim) if ax not in axes))
    origins = [_origin(o) for o in _sequence(origin, nax, "origin")]
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
    if convolution:
        w = w[(slice(None, None, -1),) * w.ndim]
        for i in range(len(origins)):
            origins[i] = -origins[i]
            if not w.shape[i] & 1:
                origins[i] -= 1
    for o, n in zip(origins, wshape):
        if o < -(n // 2) or o > (n - 1) // 2:
            raise ValueError(
                f"Invalid origin; origin must satisfy -(weights.shape[k] // 2) <= origin[k] "
                f"<= (weights.shape[k]-1) // 2, got origin {origins} for weights of shape "
                f"{w.shape}")
    out, odt = _output_spec(output, inp)
    if not isinstance(mode, str) and isinstance(mode, Iterable):
        raise RuntimeError(f"A sequence of modes is not supported: `mode`={mode!r}")
    mode_c = _mode_code(mode)
    cv = _cval(cval)
    kern = _choose(backend, _covered(inp, odt) and inp.ndim <= 3, inp, odt)
    if kern is None:
        return ref(input, weights, output, mode, cval, origin, axes=axes)
    sep = _separable(inp, odt, w, mode_c, cv)
    if sep is not None:
        u, v = sep
        ops = [("corr", 0, u, u.shape[0] // 2 + origins[0], _symmetry(u), mode_c),
               ("corr", 1, v, v.shape[0] // 2 + origins[1], _symmetry(v), mode_c)]
        return _run(kern, inp, out, odt, ops, cv, num_threads)
    pad = 3 - inp.ndim
    w3 = w.reshape((1,) * pad + w.shape)
    o3 = [0] * pad + list(origins)
    idx = np.nonzero(np.abs(w3) > _DBL_EPS)  # scipy drops |w| <= DBL_EPSILON, C order
    offs = np.stack([idx[d] - (w3.shape[d] // 2 + o3[d]) for d in range(3)], axis=1)
    op = ("dense", np.ascontiguousarray(w3[idx]), np.ascontiguousarray(offs, np.int64), mode_c)
    return _run(kern, inp, out, odt, [op], cv, num_threads)


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
              backend="auto", num_threads=None):
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
    return _dense(input, weights, output, mode, cval, origin, False, axes, backend, num_threads)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
             backend="auto", num_threads=None):
    """Multidimensional convolution, like :func:`scipy.ndimage.convolve`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.convolve(np.array([1, 2, 3]), np.array([1, 1, 0]), mode="constant")
    array([3, 5, 3])
    """
    return _dense(input, weights, output, mode, cval, origin, True, axes, backend, num_threads)


# ---------------------------------------------------------------- uniform

def _uniform_op(axis, size, origin, mode):
    size = operator.index(size)
    if size < 1:
        raise RuntimeError(f"incorrect filter size: `size`={size} must be >= 1")
    origin = _origin(origin)
    if size // 2 + origin < 0 or size // 2 + origin >= size:
        raise ValueError(
            f"invalid origin: `origin`={origin} must satisfy 0 <= size // 2 + origin < size "
            f"for `size`={size}")
    return ("uniform", axis, size, size // 2 + origin, _mode_code(mode))


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
                     *, backend="auto", num_threads=None):
    """1-D box filter, like :func:`scipy.ndimage.uniform_filter1d`.

    O(1) work per output (scipy's running-sum recurrence, so integer results
    equal scipy's bit for bit).

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.uniform_filter1d([2, 8, 0, 4, 1, 9, 9, 0], size=3)
    array([4, 3, 4, 1, 4, 6, 6, 3])
    """
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    axis = _axis(axis, inp.ndim)
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.uniform_filter1d(input, size, axis, output, mode, cval, origin)
    out, odt = _output_spec(output, inp)
    op = _uniform_op(axis, size, origin, mode)
    cv = _cval(cval)
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return _reference.uniform_filter1d(input, size, axis, output, mode, cval, origin)
    return _run(kern, inp, out, odt, [op], cv, num_threads)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *,
                   axes=None, backend="auto", num_threads=None):
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
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.uniform_filter(input, size, output, mode, cval, origin, axes=axes)
    out, odt = _output_spec(output, inp)
    ax = _check_axes(axes, inp.ndim)
    sizes = _sequence(size, len(ax), "size")
    origins = _sequence(origin, len(ax), "origin")
    modes = _sequence(mode, len(ax), "mode")
    ops = [_uniform_op(ax[i], int(sizes[i]), origins[i], modes[i])
           for i in range(len(ax)) if sizes[i] > 1]
    cv = _cval(cval)
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return _reference.uniform_filter(input, size, output, mode, cval, origin, axes=axes)
    return _run(kern, inp, out, odt, ops, cv, num_threads)


# ---------------------------------------------------------------- gaussian

def _gaussian_kernel1d(sigma, order, radius):
    """scipy.ndimage's Gaussian kernel construction, operation for operation."""
    if order < 0:
        raise ValueError(f"`order`={order} must be non-negative")
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


def _gaussian_weights(sigma, order, truncate, radius):
    sd = float(sigma)
    lw = int(truncate * sd + 0.5)
    if radius is not None:
        lw = radius
    if not isinstance(lw, numbers.Integral) or lw < 0:
        raise ValueError(f"Radius must be a nonnegative integer: got `radius`={lw!r}")
    return _gaussian_kernel1d(sigma, order, lw)[::-1]


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None, backend="auto", num_threads=None):
    """1-D Gaussian filter, like :func:`scipy.ndimage.gaussian_filter1d`.

    The kernel is built exactly as scipy builds it; symmetric kernels run as
    paired taps (half the multiplies), as in scipy.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.gaussian_filter1d([1.0, 2.0, 3.0, 4.0, 5.0], 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    """
    weights = _gaussian_weights(sigma, order, truncate, radius)
    return correlate1d(input, weights, axis, output, mode, cval, 0, backend=backend,
                       num_threads=num_threads)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0,
                    truncate=4.0, *, radius=None, axes=None, backend="auto",
                    num_threads=None):
    """Multidimensional Gaussian filter, like :func:`scipy.ndimage.gaussian_filter`.

    One 1-D pass per axis with sigma > 1e-15 (scipy's rule), the intermediate
    in the output dtype.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.gaussian_filter(np.arange(25.0).reshape(5, 5), sigma=1)[2]
    array([10.42704095, 11.06782203, 12.        , 12.93217797, 13.57295905])
    """
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    if inp.dtype.kind == "c":
        _choose(backend, False, inp, "complex")
        return _reference.gaussian_filter(input, sigma, order, output, mode, cval, truncate,
                                          radius=radius, axes=axes)
    out, odt = _output_spec(output, inp)
    ax = _check_axes(axes, inp.ndim)
    n = len(ax)
    orders = _sequence(order, n, "order")
    sigmas = _sequence(sigma, n, "sigma")
    modes = _sequence(mode, n, "mode")
    radii = _sequence(radius, n, "radius")
    ops = []
    for i in range(n):
        if sigmas[i] > 1e-15:
            w = np.ascontiguousarray(_gaussian_weights(sigmas[i], orders[i], truncate, radii[i]))
            ops.append(("corr", ax[i], w, w.shape[0] // 2, _symmetry(w), _mode_code(modes[i])))
    cv = _cval(cval)
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return _reference.gaussian_filter(input, sigma, order, output, mode, cval, truncate,
                                          radius=radius, axes=axes)
    return _run(kern, inp, out, odt, ops, cv, num_threads)


# ---------------------------------------------------------------- sobel / prewitt / laplace

def _derivative(input, axis, output, mode, cval, smooth, backend, num_threads, ref):
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    axis = _axis(axis, inp.ndim)
    out, odt = _output_spec(output, inp)
    modes = _sequence(mode, inp.ndim, "mode")
    codes = [_mode_code(m) for m in modes]
    cv = _cval(cval) if inp.dtype.kind != "c" else cval
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return ref(input, axis, output, mode, cval)
    diff = np.array([-1.0, 0.0, 1.0])
    sm = np.array(smooth, dtype=np.float64)
    ops = [("corr", axis, diff, 1, -1, codes[axis])]
    ops += [("corr", ii, sm, 1, 1, codes[ii]) for ii in range(inp.ndim) if ii != axis]
    return _run(kern, inp, out, odt, ops, cv, num_threads)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0, *, backend="auto",
          num_threads=None):
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
                       _reference.sobel)


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0, *, backend="auto",
            num_threads=None):
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
                       _reference.prewitt)


def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None, backend="auto",
            num_threads=None):
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
    _check_common(backend, num_threads)
    inp = as_array(input, "input")
    out, odt = _output_spec(output, inp)
    ax = _check_axes(axes, inp.ndim)
    codes = [_mode_code(m) for m in _sequence(mode, len(ax), "mode")] if ax else []
    cv = _cval(cval) if inp.dtype.kind != "c" else cval
    kern = _choose(backend, _covered(inp, odt), inp, odt)
    if kern is None:
        return _reference.laplace(input, output, mode, cval, axes=axes)
    if out is None:
        out = np.empty(inp.shape, odt)
    if not ax or inp.size == 0:
        return _run(kern, inp, out, odt, [], cv, num_threads)
    if np.may_share_memory(inp, out):
        inp = inp.copy()
    d2 = np.array([1.0, -2.0, 1.0])
    _run(kern, inp, out, odt, [("corr", ax[0], d2, 1, 1, codes[0])], cv, num_threads)
    if len(ax) > 1:
        tmp = np.empty(inp.shape, _native_dtype(out.dtype))
        for i in range(1, len(ax)):
            _run(kern, inp, tmp, tmp.dtype, [("corr", ax[i], d2, 1, 1, codes[i])], cv,
                 num_threads)
            out += tmp
    return out
