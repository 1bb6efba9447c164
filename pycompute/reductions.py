"""Parallel, deterministic drop-ins for NumPy's reductions.

``sum, mean, min, max, argmin, argmax, var, std`` take NumPy's arguments and
return NumPy's result dtypes, with NaN propagating as in NumPy; ``histogram``
matches ``np.histogram`` bin for bin. Each also takes keyword-only
``backend=`` and ``num_threads=``.

How a call runs: validate -> view the input as ``(A, R, B)`` (reduce over R,
output ``(A, B)``) without copying -> resolve threads -> kernel -> cast to
NumPy's result dtype. Float sums run in float64 lanes: blocked TwoSum for
float64 input (each lane's values in groups of 8 added as a tree, 3 roundings,
then compensated: 1.75 additions an element where TwoSum on every element took
7, and an error bound of 3 eps sum|x| + eps |sum| against NumPy's pairwise
~log2(n) eps sum|x|; rows read at a stride other than 1 TwoSum every element),
plain for float32 input (float64 accumulation already beats NumPy's float32
pairwise bound), so they are at least as accurate as NumPy's pairwise
summation; variances use per-block two-pass sums merged with Chan's update.
Results are bitwise identical at any thread count: the work is cut into tasks
from the shape alone and partials are combined in task order.

Long calls can be stopped (Ctrl-C, ``pycompute.aio`` cancellation): a kernel call
of more than ``_cancel.FIRST_WORK`` elements runs its tasks in slices of about
50 ms (:func:`_tasks`), its chunk partials in arrays allocated here. The result
is the same bits either way; ``out=`` is written only once the result is
complete, so a stopped call leaves it untouched.
"""
from __future__ import annotations

import builtins
import math
import numbers
import operator
import warnings

import numpy as np

from . import _backends, _cancel, _reference, _threads
from ._validation import (
    NATIVE_REAL,
    aligned,
    as_array,
    check_alloc,
    check_int,
    kernel_dtype,
    native_dtype,
    normalize_axis,
    readable,
    strided_buffer,
)

__all__ = ["sum", "mean", "min", "max", "argmin", "argmax", "var", "std", "histogram"]

_NoValue = np._NoValue
_FAMILY = "reductions"
#: elements one thread must have before a second one is worth starting
GRAIN = 1 << 15
#: Elements per thread that a call with the default thread count needs before it
#: takes a second thread, by kernel (an explicit ``num_threads`` splits from
#: ``2 * GRAIN``). Starting a parallel region costs ~10-20 us on the VM these were
#: measured on (Zen 4, 2 cores: ``python benchmarks/run_reductions.py --crossover``),
#: and below these sizes two threads lost to one: sums pay from 256K elements,
#: variance and min/max from 512K, argmin/argmax from 1M.
AUTO_GRAIN = {"sum_float": 1 << 17, "sum_int": 1 << 17, "var": 1 << 18, "minmax": 1 << 18,
              "argext": 1 << 19}
#: The scans' grains are in 4-byte elements: min/max and argmin/argmax of 1- and 2-byte
#: integers (and bool) read 4 and 2 of them in a float32's time. Counted in elements,
#: uint8 max of 10^6 took 2 threads at 1.7x the time of one (Zen 4, 2 cores; one wins
#: to ~2M elements, two from ~4M). The integer sums' per-element work does not shrink.
_SCANS = frozenset(("minmax", "argext"))


def _auto_grain(name: str, dt: np.dtype) -> int:
    """AUTO_GRAIN of kernel ``name`` for elements of ``dt`` (see _SCANS)."""
    g = AUTO_GRAIN.get(name, GRAIN)
    return g * (4 // dt.itemsize) if dt.itemsize < 4 and name in _SCANS else g


_FLOAT_RESULTS = frozenset((np.dtype(np.float32), np.dtype(np.float64)))
#: float64 totals beyond this may round to inf in float32 (the exact test is a cast)
_F32_SUM_LIMIT = float(np.finfo(np.float32).max)


# ---------------------------------------------------------------- view canonicalization

class _View:
    """``v`` as (buf, off, A, R, B, sa, sr, sb), or None where that needs a copy."""

    __slots__ = ("buf", "off", "A", "R", "B", "sa", "sr", "sb")


def _merge(dims):
    """Merge consecutive (n, stride) pairs that address memory as one axis."""
    out = []
    for n, s in dims:
        if out and out[-1][1] == n * s:
            out[-1] = (out[-1][0] * n, s)
        else:
            out.append((n, s))
    return out


def _canonical(v: np.ndarray, axes, ordered: bool, flip: bool = True):
    """(A, R, B) description of reducing ``v`` over ``axes``, or None.

    ``ordered`` keeps the reduced axes in logical order (argmin/argmax); else
    reduced axes may be reordered (outer to inner by stride, as NumPy's
    iterator) so they merge, and, with ``flip``, negative strides flipped to
    run forward. Float min/max pass ``flip=False``: which of two equal zeros
    comes out depends on the direction NumPy reads an axis in (its logical one).
    """
    buf, off, strides = strided_buffer(v)
    red = []
    kept = []
    for i, (n, s) in enumerate(zip(v.shape, strides)):
        if i in axes:
            if n == 1 and not ordered:
                continue
            if s < 0 and flip and not ordered:
                off += (n - 1) * s
                s = -s
            red.append((n, s))
        elif n != 1:
            kept.append((n, s))
    if not ordered:
        red.sort(key=lambda d: -abs(d[1]))
    red = _merge(red) if red else [(1, 0)]
    kept = _merge(kept)
    if len(red) != 1 or len(kept) > 2:
        return None
    cv = _View()
    cv.buf, cv.off = buf, off
    cv.R, cv.sr = red[0]
    if len(kept) == 2:
        (cv.A, cv.sa), (cv.B, cv.sb) = kept
    elif len(kept) == 1:
        n, s = kept[0]
        # rows when the reduced axis is the tighter one, columns otherwise; a reduced
        # length of 1 (an axis-0 reduction of one row) as columns: one task, where
        # rows of one element would be n tasks (40 us for n = 1000, 20x NumPy's time)
        if abs(cv.sr) <= abs(s) and cv.R > 1:
            cv.A, cv.sa, cv.B, cv.sb = n, s, 1, 0
        else:
            cv.A, cv.sa, cv.B, cv.sb = 1, 0, n, s
    else:
        cv.A, cv.sa, cv.B, cv.sb = 1, 0, 1, 0
    return cv


def _run(kern, name, v, axes, num_threads, make_outputs, ordered=False, extra=(), flip=True):
    """Run kernel ``name`` of ``kern`` over ``v`` reduced along ``axes``; return its
    outputs shaped as the kept axes.

    Layouts that need a copy to be seen as (A, R, B) are split: several
    reduced axes are handled one at a time by the caller (``None`` is
    returned), several kept axes loop over the first one here.
    """
    kept_shape = tuple(n for i, n in enumerate(v.shape) if i not in axes)
    cv = _canonical(v, axes, ordered, flip)
    if cv is None:
        red = [i for i in axes if v.shape[i] != 1 or ordered]
        if len(red) > 1:
            return None
        # kept axes do not merge into two: split the first kept axis
        first = next(i for i in range(v.ndim) if i not in axes)
        sub_axes = tuple(i - 1 if i > first else i for i in axes)
        parts = [_run(kern, name, v[(slice(None),) * first + (k,)], sub_axes, num_threads,
                      make_outputs, ordered, extra, flip) for k in range(v.shape[first])]
        return tuple(np.stack([p[j] for p in parts]).reshape(kept_shape)
                     for j in range(len(parts[0])))
    outs = make_outputs(cv.A * cv.B)
    _leased_tasks(kern, name, getattr(kern, name),
                  (cv.buf, cv.off, cv.A, cv.R, cv.B, cv.sa, cv.sr, cv.sb, *extra, *outs),
                  v.dtype, cv.A * cv.R * cv.B, num_threads, name)
    return tuple(o.reshape(kept_shape) for o in outs)


def _leased_tasks(kern, name, fn, args, dt, elements, num_threads, grain):
    """:func:`_tasks` on the thread count resolved for ``elements`` (the AUTO_GRAIN of
    kernel ``grain`` without an explicit count), under a lease of that many threads."""
    explicit = num_threads is not None
    n = _threads.resolve(num_threads, elements,
                         GRAIN if explicit else _auto_grain(grain, dt))
    with _threads.lease(n, explicit) as k:
        _tasks(kern, name, fn, args, dt, elements, k)


# ---------------------------------------------------------------- sliced kernel calls

#: each kernel's partial arrays, as (multiple of the plan's partial count, dtype; None:
#: the input's), in the order of its ``parts`` arguments
_PARTS = {
    "sum_float": ((2, np.dtype(np.float64)),),
    "sum_int": ((1, np.dtype(np.uint64)),),
    "minmax": ((1, None),),
    "minmax2": ((2, None),),  # the minmax kernel with want 2 (minima and maxima)
    "argext": ((1, None), (1, np.dtype(np.int64)), (1, np.dtype(np.int64))),  # values, indices, row stops
    "var": ((2, np.dtype(np.float64)),),
}
#: work per element, in a sum's (a variance reads each block twice)
_WEIGHT = {"var": 2}
_no_parts_cache: dict = {}


def _no_parts(name: str, dt: np.dtype) -> tuple:
    """Empty ``parts`` for a whole (unsliced) call: the kernel then uses its own scratch."""
    key = (name, dt)
    parts = _no_parts_cache.get(key)
    if parts is None:
        parts = _no_parts_cache[key] = tuple(
            np.empty(0, dt if pdt is None else pdt) for _, pdt in _PARTS[name])
    return parts


def _tasks(kern, name, fn, args, dt, elements, k):
    """``fn(*args, *parts, k, t0, t1)``: kernel ``name`` of module ``kern`` (``fn``: it or
    its specialization for ``dt``) over ``elements`` input elements, on ``k`` threads.

    A long call runs in slices of its tasks (:func:`pycompute._cancel.run_tasks`), so
    Ctrl-C and ``aio`` cancellation stop it within about one slice; its chunk partials
    then live in ``parts``, allocated here and shared by the slices, and the slice that
    runs the last task folds them. A short one is one native call with empty ``parts``.
    Either way the kernel runs the same tasks and fold: the same bits.
    """
    work = elements * _WEIGHT.get(name, 1)
    if work > _cancel.FIRST_WORK:
        A, R, B = args[2:5]
        P = kern.plan(A, R, B)[1]
        parts = tuple(np.empty(m * P, dt if pdt is None else pdt) for m, pdt in _PARTS[name])
    else:
        parts = _no_parts(name, dt)
    _cancel.run_tasks(lambda t0, t1: fn(*args, *parts, k, t0, t1), work, k)


# ---------------------------------------------------------------- shared plumbing

_dtype_cache: dict = {}


def _result_dtype(op: str, in_dt: np.dtype, dtype) -> np.dtype | None:
    """NumPy's result dtype for ``op`` on ``in_dt`` with ``dtype=`` (asked of NumPy once).

    None where NumPy refuses the combination (datetime64 sums, strings...): the
    caller then runs the reference, which raises NumPy's own error.
    """
    key = (op, in_dt, dtype)
    try:
        return _dtype_cache[key]
    except KeyError:
        pass
    fn = np.sum if op == "sum" else np.mean if op == "mean" else np.var
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # keepdims: an array even where NumPy returns a Python object (object dtype)
            res = fn(np.ones(2, in_dt), dtype=dtype, keepdims=True).dtype
        except Exception:  # noqa: BLE001 - NumPy's refusal is re-raised by the reference
            res = None
    _dtype_cache[key] = res
    return res


def _ufunc_axis(a: np.ndarray, axis):
    """``axis`` as np.sum/np.min/np.max read it: () for ``0`` or ``-1`` on a 0-d array.

    ``ufunc.reduce`` lets an integer axis 0 or -1 through for 0-d input (a
    NumPy backwards-compatibility rule), reducing over nothing; a tuple such as
    ``(0,)`` and any other integer still raise AxisError, and np.mean/var/std
    (which check axes themselves) raise for all of them.
    """
    if a.ndim or axis is None or isinstance(axis, (tuple, bool, np.bool_)):
        return axis
    try:
        return () if operator.index(axis) in (0, -1) else axis
    except TypeError:
        return axis


def _prepare(a, axis, backend, num_threads, ufunc=False):
    a = as_array(a, "a")
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)
    axes = normalize_axis(_ufunc_axis(a, axis) if ufunc else axis, a.ndim)
    return a, axes


def _reduced_size(a, axes):
    n = 1
    for i in axes:
        n *= a.shape[i]
    return n


def _native_input(a, kd):
    """The array the kernels read: ``a`` itself, or a copy if it is misaligned."""
    v = readable(a, kd)
    return v if aligned(v) else v.copy()


def _out_differs(out, dt) -> bool:
    """Is ``out`` an array of another dtype than ``dt`` (native byte order aside)?"""
    return isinstance(out, np.ndarray) and native_dtype(out.dtype) != native_dtype(np.dtype(dt))


def _finish(res, res_dt, a, axes, out, keepdims):
    """Cast to the result dtype, apply keepdims and ``out``, return a NumPy scalar or array."""
    res = np.asarray(res).astype(res_dt, copy=False)
    if keepdims:
        res = res.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"`out` must be a numpy.ndarray, got {type(out).__name__}")
        if out.shape != res.shape:
            raise ValueError(
                f"`out` has shape {out.shape}, but the result has shape {res.shape}"
            )
        # NumPy's reductions store into `out` under 'same_kind' casting (np.std into an
        # integer array is a TypeError there too)
        np.copyto(out, res, casting="same_kind")
        return out
    return res[()] if res.ndim == 0 else res


#: what the native kernels read, for error messages (byte-swapped variants included)
_NATIVE_NAMES = ", ".join(["bool"] + [
    str(d) for d in sorted(NATIVE_REAL, key=lambda d: (d.kind == "f", d.kind, d.itemsize))])


class _What:
    """The inputs, described for an error message only when one is raised
    (formatting a dtype costs several microseconds on every call otherwise)."""

    __slots__ = ("dt", "covered")

    def __init__(self, dt, covered):
        self.dt = dt
        self.covered = covered

    def __str__(self):
        if not self.covered:
            return f"dtype {self.dt} of `a` (native kernels take {_NATIVE_NAMES})"
        return f"dtype {self.dt} with these arguments"

    def __format__(self, spec):
        return format(str(self), spec)


def _choose(backend, ok, a, kd=True, kernel=None):
    """Kernel module for ``backend``, or None for the reference (``kd`` None: dtype not covered);
    ``kernel``: the public function's name, for ``auto``'s per-kernel table."""
    return _backends.choose(backend, _FAMILY, ok, _What(a.dtype, kd is not None), kernel=kernel)


# ---------------------------------------------------------------- one-thread fast path

_fast_cache: dict = {}
_flat_cache: dict = {}  # (kernel module, entry name, dtype) -> that entry for that dtype
_FAST_BACKENDS = frozenset(("auto", "cython", "numba"))
#: float64 values from this magnitude up round to inf in float32 (2**128 - 2**103)
_F32_INF = 2.0 ** 128 - 2.0 ** 103


#: C type of each kernel dtype in kernels/_fused.pxd (the keys of a Cython fused
#: function's ``__signatures__``)
_CTYPES = {"float32": "float", "float64": "double", **{
    f"{k}{b}": f"{k}{b}_t" for k in ("int", "uint") for b in (8, 16, 32, 64)}}


def _specialized(fn, dt: np.dtype):
    """``fn`` for ``dt``: a Cython fused function's specialization (its dispatch by
    buffer dtype costs ~1 us a call), anything else as it is."""
    sigs = getattr(fn, "__signatures__", None)
    return sigs.get(_CTYPES.get(dt.name), fn) if sigs else fn


def _flat_kernel(kern, name: str, dt: np.dtype):
    """Entry point ``name`` (ext_flat, sum_flat, argext) of ``kern`` for ``dt``, cached
    (a Cython fused function's specialization lookup costs ~2 us a call)."""
    key = (kern, name, dt)
    fn = _flat_cache.get(key)
    if fn is None:
        fn = _flat_cache[key] = _specialized(getattr(kern, name), dt)
    return fn


def _fast_kernel(op: str, dt: np.dtype, backend: str):
    """(kernel function, result dtype, kernel output dtype, kernel module, kernel name,
    empty ``parts``) for ``op`` on ``dt``, or False."""
    key = (op, dt, backend)
    hit = _fast_cache.get(key)
    if hit is not None:
        return hit
    kd = kernel_dtype(np.empty(0, dt))
    entry = False
    if kd == dt or (dt == np.bool_ and op in _BOOL_OPS):  # bool: the uint8 kernels
        kern = _backends.choose(backend, _FAMILY, True, kernel=op)
        if kern is not None:
            if op in ("sum", "mean"):
                res = _result_dtype(op, dt, None)
                if res in _FLOAT_RESULTS:
                    entry = ("sum_float", res, np.float64)
                elif op == "sum" and res.kind in "iu" and dt.kind in "iu":
                    entry = ("sum_int", res, np.uint64)
            elif op in ("min", "max"):
                entry = ("minmax", dt, kd)  # bool: its result, uint8 outputs
            elif op == "var":
                res = _result_dtype("var", dt, None)
                if res in _FLOAT_RESULTS:
                    entry = ("var", res, np.float64)
            else:  # whole-array argmin/argmax: argext_flat, no outputs (argext when long)
                entry = ("argext", np.dtype(np.intp), np.int64)
    if entry:
        name = entry[0]
        fn = kern.argext_flat if op in ("argmin", "argmax") else getattr(kern, name)
        fn = _specialized(fn, kd)
        entry = (fn,) + entry[1:] + (kern, name, _no_parts(name, kd))
    _fast_cache[key] = entry
    return entry


#: the reductions whose kernels take bool input (as uint8, with ``vbool``: 0 and 1 only)
_BOOL_OPS = frozenset(("min", "max", "argmin", "argmax"))


def _fast_call(entry, buf, geom, *args):
    """The fast paths' kernel call on one thread: ``geom`` (A, R, B, sa, sr, sb), then
    ``args`` (the outputs); one native call, or sliced where it is long (:func:`_tasks`)."""
    fn, _, _, kern, name, parts = entry
    elements = geom[0] * geom[1] * geom[2]
    if elements * _WEIGHT.get(name, 1) <= _cancel.FIRST_WORK:
        fn(buf, 0, *geom, *args, *parts, 1, 0, _cancel.ALL_TASKS)
    else:
        _tasks(kern, name, fn, (buf, 0, *geom, *args), buf.dtype, elements, 1)


def _fast(op: str, a, backend="auto", num_threads=None) -> object:
    """Result of a whole-array reduction that runs on one thread, or None.

    One thread: ``num_threads=1``, or no count and fewer than ``2 * AUTO_GRAIN``
    elements of the kernel (where :func:`_run` gives 1 thread too). The input
    is a 1-D view of any element-aligned stride (the kernels take it as is) or
    a C-contiguous array; the kernels and their task plan are those of the
    general path, so the result is bitwise the same. This skips ~30 us of
    general-path work (validation of axes and ``out``, view canonicalization,
    thread leases) that NumPy does not pay on small arrays (issue 11).
    """
    if type(a) is not np.ndarray or backend not in _FAST_BACKENDS:
        return None
    n = a.size
    entry = _fast_kernel(op, a.dtype, backend)
    if entry is False:
        return None
    if num_threads is None:
        if not 0 < n < 2 * _auto_grain(entry[4], a.dtype):
            return None
    elif type(num_threads) is not int or num_threads != 1 or n == 0:
        return None
    flags = a.flags
    if not flags.aligned:
        return None
    if flags.c_contiguous:
        buf = a if a.ndim == 1 else a.reshape(-1)
    elif a.ndim == 1 and a.strides[0] % a.itemsize == 0:
        # read in the general path's order: sums and variances run forwards in
        # memory (_canonical flips), min/max and argmin/argmax in logical order
        buf = a[::-1] if a.strides[0] < 0 and op in ("sum", "mean", "var") else a
    else:
        return None
    fn, res_dt, out_dt = entry[:3]
    vbool = a.dtype == np.bool_
    if vbool:
        buf = buf.view(np.uint8)
    geom = (1, n, 1, 0, 1, 0)
    if op in ("min", "max") and flags.c_contiguous and res_dt in _FLOAT_RESULTS \
            and n <= _cancel.FIRST_WORK:
        # one of min and max, not both (the minmax kernel's): one packed op a vector
        return res_dt.type(_flat_kernel(entry[3], "ext_flat", a.dtype)(buf, op == "max"))
    if op in ("min", "max"):
        o = np.empty(1, out_dt)
        _fast_call(entry, buf, geom, int(op == "max"), vbool, o)
        return o.view(res_dt)[0] if vbool else o[0]
    if op in ("argmin", "argmax"):
        if n <= _cancel.FIRST_WORK:
            return res_dt.type(fn(buf, op == "argmax", vbool))
        o = np.empty(1, np.int64)  # long: argext's tasks, sliced (the same first index)
        _fast_call((_flat_kernel(entry[3], "argext", buf.dtype),) + entry[1:], buf, geom,
                   op == "argmax", vbool, o)
        return res_dt.type(o[0])
    if op == "var":
        o = np.empty(2, out_dt)
        _fast_call(entry, buf, geom, o[:1], o[1:])
        return _fast_var(float(o[0]), float(o[1]), n, res_dt)
    if entry[4] == "sum_float" and n <= _cancel.FIRST_WORK:
        # sum_float's tasks and fold in one call that returns the float (no outputs)
        total = _flat_kernel(entry[3], "sum_flat", a.dtype)(buf)
        if op == "sum":
            return res_dt.type(total)
        if res_dt == np.float32 and not abs(total) < _F32_SUM_LIMIT:
            o = np.array([total])
            return _mean_overflow(o / n, o, res_dt).astype(res_dt)[0]
        return res_dt.type(total / n)
    o = np.empty(1, out_dt)
    _fast_call(entry, buf, geom, o)
    if op == "mean":
        if res_dt == np.float32 and not abs(o[0]) < _F32_SUM_LIMIT:
            return _mean_overflow(o[:1] / n, o[:1], res_dt).astype(res_dt)[0]
        return res_dt.type(o[0] / n)
    if res_dt == out_dt:
        return o[0]
    if res_dt.kind == "f":
        return res_dt.type(o[0])  # one rounding, as astype
    return o.astype(res_dt)[0]


#: (op, backend) -> the kernel module's ``small`` and op code, or None (see _small_call)
_small_cache: dict = {}
_SMALL_OPS = ("sum", "mean", "min", "max", "argmin", "argmax", "var", "std")


def _small_init(op: str, backend) -> tuple | None:
    if backend not in _FAST_BACKENDS:
        return None  # numpy, or a bad name: the general path decides
    kern = _backends.choose(backend, _FAMILY, True, kernel=op)
    fn = getattr(kern, "small", None) if kern is not None else None
    hit = _small_cache[op, backend] = (fn, _SMALL_OPS.index(op)) if fn is not None else None
    return hit


def _small_call(op: str, a, backend, axis, num_threads):
    """``op`` of a small ndarray (the whole array, or a C-contiguous 2-D one along
    ``axis``; integers and bool: see the kernels' ``small``) by the kernels' ``small`` (its checks and loop in one native call: the
    general path's bits, NumPy's result type), or None where it does not serve the
    call (another backend, dtype, layout, axis or size, or a thread count other than
    None or 1: its sizes run on one thread by default). Callers pass only calls with
    NumPy's defaults."""
    if num_threads is not None and not (type(num_threads) is int and num_threads == 1):
        return None
    try:
        hit = _small_cache[op, backend]
    except KeyError:
        hit = _small_init(op, backend)
    except TypeError:  # an unhashable backend: the general path's error
        return None
    return None if hit is None else hit[0](hit[1], a, axis)


def _whole(a, axis) -> bool:
    """True where ``axis`` reduces the whole array: None, or 0 / -1 of a 1-D ndarray
    (which the whole-array fast path :func:`_fast` serves, as NumPy returns the same
    scalar: a 1-D ``axis=0`` call took the general path, 9 us where NumPy takes 1.7)."""
    return axis is None or (type(a) is np.ndarray and a.ndim == 1 and type(axis) is int
                            and (axis == 0 or axis == -1))


def _fast_any(op: str, a, axis, backend, num_threads):
    """:func:`_fast` for a whole-array reduction, else :func:`_fast_axis` (or None)."""
    if _whole(a, axis):
        return _fast(op, a, backend, num_threads)
    return _fast_axis(op, a, axis, backend, num_threads)


def _fast_axis(op: str, a, axis, backend, num_threads, take_sqrt=False):
    """Result of reducing a C-contiguous 2-D ``a`` (both sides > 1, or one row along
    axis 0) along ``axis``
    0 or 1 on one thread, or None: the (A, R, B) view the general path's
    :func:`_canonical` gives it (axis 0: columns, axis 1: rows), without its work."""
    if (type(a) is not np.ndarray or a.ndim != 2 or type(axis) is not int
            or backend not in _FAST_BACKENDS or not -2 <= axis <= 1):
        return None
    n0, n1 = a.shape
    n = n0 * n1
    entry = _fast_kernel(op, a.dtype, backend)
    if entry is False:
        return None
    if num_threads is None:
        if n >= 2 * _auto_grain(entry[4], a.dtype):
            return None
    elif type(num_threads) is not int or num_threads != 1:
        return None
    flags = a.flags
    # one row along axis 0 is the general path's view too (one column task); another
    # side of length 1 is viewed differently there
    if n0 < (2 if axis % 2 else 1) or n1 < 2 or not flags.c_contiguous or not flags.aligned:
        return None
    res_dt, out_dt = entry[1:3]
    buf = a.reshape(-1)
    vbool = a.dtype == np.bool_
    if vbool:
        buf = buf.view(np.uint8)
    if axis % 2 == 0:
        R, geom = n0, (1, n0, n1, 0, n1, 1)
        m = n1
    else:
        R, geom = n1, (n0, n1, 1, n1, 1, 0)
        m = n0
    if op in ("min", "max"):
        o = np.empty(m, out_dt)
        _fast_call(entry, buf, geom, int(op == "max"), vbool, o)
        return o.view(res_dt) if vbool else o
    if op in ("argmin", "argmax"):
        o = np.empty(m, np.int64)
        _fast_call((_flat_kernel(entry[3], "argext", buf.dtype),) + entry[1:], buf, geom,
                   op == "argmax", vbool, o)
        return o.astype(np.intp, copy=False)
    if op == "var":
        o = np.empty(2 * m, out_dt)
        _fast_call(entry, buf, geom, o[:m], o[m:])
        res = _var_overflow(o[m:] / R, o[:m], o[m:], R, res_dt)
        if take_sqrt:
            res = np.sqrt(res)
        return res.astype(res_dt, copy=False)
    o = np.empty(m, out_dt)
    _fast_call(entry, buf, geom, o)
    if op == "mean":
        o = _mean_overflow(o / R, o, res_dt)
    return o.astype(res_dt, copy=False)


def _fast_var(mu: float, m2: float, n: int, res_dt: np.dtype) -> float:
    """``m2 / n`` with :func:`_var_overflow`'s rule, on Python floats (ddof 0)."""
    res = m2 / n
    if m2 == m2:  # NaN input keeps NaN
        if res_dt == np.float32:
            over = abs(mu) * n >= _F32_INF or m2 >= _F32_INF
        else:
            over = math.isinf(abs(mu) * n)
        if over:
            res = math.inf
    return res


# ---------------------------------------------------------------- sum / mean

def _sum_native(kern, v, axes, num_threads, float_path):
    if float_path:
        res = _run(kern, "sum_float", v, axes, num_threads,
                   lambda n: (np.empty(n, np.float64),))
    else:
        res = _run(kern, "sum_int", v, axes, num_threads, lambda n: (np.empty(n, np.uint64),))
    if res is None:  # several reduced axes that do not merge: one at a time
        first, rest = axes[-1:], axes[:-1]
        part = _sum_native(kern, v, first, num_threads, float_path)
        return _sum_native(kern, readable(part, part.dtype), rest, num_threads, float_path)
    return res[0]


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
        where=_NoValue, *, backend="auto", num_threads=None):
    """Sum of array elements over the given axes, like :func:`numpy.sum`.

    Float results are float64 sums (blocked TwoSum for float64 input, plain
    float64 lanes for float32 input), at least as accurate as NumPy's pairwise
    summation; integer sums wrap around exactly as NumPy's. Bitwise
    identical results at any thread count and on both native backends.

    Parameters
    ----------
    a : array_like
    axis, dtype, out, keepdims, initial, where
        As :func:`numpy.sum` (``initial`` and ``where`` run the reference).
    backend : {"auto", "numpy", "cython", "numba"}, keyword-only
    num_threads : int, optional, keyword-only
        Threads to use (negative counts back from the maximum).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.sum(np.arange(10.0))
    np.float64(45.0)
    >>> pc.sum(np.ones((2, 3), np.int32), axis=0)
    array([2, 2, 2])
    """
    if (dtype is None and out is None and not keepdims
            and initial is _NoValue and where is _NoValue):
        res = _small_call("sum", a, backend, axis, num_threads)
        if res is not None:
            return res
        res = _fast_any("sum", a, axis, backend, num_threads)
        if res is not None:
            return res
    a, axes = _prepare(a, axis, backend, num_threads, ufunc=True)
    kd = kernel_dtype(a)
    dt = None if dtype is None else np.dtype(dtype)
    res_dt = None if kd is None else _result_dtype("sum", a.dtype, dt)
    float_path = res_dt in _FLOAT_RESULTS
    int_path = res_dt is not None and res_dt.kind in "iu" and a.dtype.kind in "iub"
    ok = (kd is not None and (float_path or int_path) and initial is _NoValue
          and where is _NoValue)
    kern = _choose(backend, ok, a, kd, "sum")
    if kern is None or (int_path and dt is None and _out_differs(out, res_dt)):
        # an integer sum into an `out` of another dtype: NumPy reduces in out's
        # dtype (uint64 into int32 runs float64 and saturates), not in ours
        return _reference.sum(a, axis, dtype, out, keepdims, initial, where)
    v = _native_input(a, kd)
    if a.size == 0 or _reduced_size(a, axes) == 0:
        shape = tuple(n for i, n in enumerate(a.shape) if i not in axes)
        return _finish(np.zeros(shape, res_dt), res_dt, a, axes, out, keepdims)
    res = _sum_native(kern, v, axes, num_threads, float_path)
    return _finish(res, res_dt, a, axes, out, keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=_NoValue, *,
         backend="auto", num_threads=None):
    """Arithmetic mean over the given axes, like :func:`numpy.mean`.

    Computed as :func:`sum`'s float64 total divided by the count, then cast to
    NumPy's result dtype (float64 for integer input).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.mean(np.array([[1, 2], [3, 4]]), axis=1)
    array([1.5, 3.5])
    """
    if (dtype is None and out is None and not keepdims
            and where is _NoValue):
        res = _small_call("mean", a, backend, axis, num_threads)
        if res is not None:
            return res
        res = _fast_any("mean", a, axis, backend, num_threads)
        if res is not None:
            return res
    a, axes = _prepare(a, axis, backend, num_threads)
    kd = kernel_dtype(a)
    dt = None if dtype is None else np.dtype(dtype)
    res_dt = None if kd is None else _result_dtype("mean", a.dtype, dt)
    count = _reduced_size(a, axes)
    ok = kd is not None and res_dt in _FLOAT_RESULTS and where is _NoValue
    kern = _choose(backend, ok, a, kd, "mean")
    if kern is None or count == 0:  # empty: NumPy's nan and warning
        return _reference.mean(a, axis, dtype, out, keepdims, where)
    v = _native_input(a, kd)
    if a.size == 0:
        shape = tuple(n for i, n in enumerate(a.shape) if i not in axes)
        return _finish(np.zeros(shape, res_dt), res_dt, a, axes, out, keepdims)
    total = _sum_native(kern, v, axes, num_threads, True)
    res = _mean_overflow(total / count, total, res_dt)
    return _finish(res, res_dt, a, axes, out, keepdims)


def _mean_overflow(res, total, res_dt):
    """``res`` where NumPy's own sum overflows replaced by that sum's ±inf.

    NumPy sums float32 input in float32, so its mean is ±inf once the sum passes
    float32's range; ours sums in float64 and would return a finite mean. Only
    float32 results can differ (a float64 total overflows in both).
    """
    if res_dt != np.float32:
        return res
    with np.errstate(over="ignore"):
        over = np.isinf(np.asarray(total).astype(res_dt))
    return np.where(over, total, res) if over.any() else res


# ---------------------------------------------------------------- min / max

def _minmax_native(kern, v, axes, num_threads, which, vbool=False):
    """The minimum (``which`` 1: maximum) of ``v`` over ``axes`` (``vbool``: ``v`` is
    bool input viewed as uint8, 0 and 1 only: rows stop at their first 1)."""
    # Equal elements are told apart only by a zero's sign; NumPy returns the last
    # one it reads, each axis in its logical direction, axes outer to inner by
    # stride. Integers may be read in any order (equal means identical).
    res = _run(kern, "minmax", v, axes, num_threads, lambda n: (np.empty(n, v.dtype),),
               extra=(int(which), vbool), flip=v.dtype.kind != "f")
    if res is None:  # reduced axes that do not merge: the innermost first
        inner = builtins.min(axes, key=lambda i: (abs(v.strides[i]), -i))
        rest = tuple(i - (i > inner) for i in axes if i != inner)
        return _minmax_native(kern, _minmax_native(kern, v, (inner,), num_threads, which,
                                                   vbool), rest, num_threads, which, vbool)
    return res[0]


def _extreme(which, a, axis, out, keepdims, initial, where, backend, num_threads):
    if out is None and not keepdims and initial is _NoValue and where is _NoValue:
        op = "max" if which else "min"
        res = _fast_any(op, a, axis, backend, num_threads)
        if res is not None:
            return res
    a, axes = _prepare(a, axis, backend, num_threads, ufunc=True)
    kd = kernel_dtype(a)
    ok = kd is not None and initial is _NoValue and where is _NoValue
    kern = _choose(backend, ok, a, kd, "max" if which else "min")
    if kern is None or a.size == 0 or _out_differs(out, a.dtype):
        # empty: NumPy's error or empty result; an `out` of another dtype: NumPy runs
        # the comparisons in that dtype (the input cast into it first)
        ref = _reference.min if which == 0 else _reference.max
        return ref(a, axis, out, keepdims, initial, where)
    v = _native_input(a, kd)
    res = _minmax_native(kern, v, axes, num_threads, which, a.dtype == np.bool_)
    return _finish(res, native_dtype(a.dtype), a, axes, out, keepdims)


def min(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue, *,
        backend="auto", num_threads=None):
    """Minimum over the given axes, like :func:`numpy.min` (NaN propagates).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.min(np.array([[3, 1], [2, 5]]), axis=0)
    array([2, 1])
    """
    if out is None and not keepdims and initial is _NoValue and where is _NoValue:
        res = _small_call("min", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _extreme(0, a, axis, out, keepdims, initial, where, backend, num_threads)


def max(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue, *,
        backend="auto", num_threads=None):
    """Maximum over the given axes, like :func:`numpy.max` (NaN propagates).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.max(np.array([1.0, np.nan, 3.0]))
    np.float64(nan)
    """
    if out is None and not keepdims and initial is _NoValue and where is _NoValue:
        res = _small_call("max", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _extreme(1, a, axis, out, keepdims, initial, where, backend, num_threads)


# ---------------------------------------------------------------- argmin / argmax

def _arg(want_max, a, axis, out, keepdims, backend, num_threads):
    if out is None and not keepdims:
        op = "argmax" if want_max else "argmin"
        res = _fast_any(op, a, axis, backend, num_threads)
        if res is not None:
            return res
    a = as_array(a, "a")
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)
    if axis is not None:
        axis = check_int(axis, "axis")
    if a.ndim == 0 and axis is not None:
        # NumPy's argmin/argmax read 0-d input as 1-d: axis 0 and -1 give 0, others AxisError
        normalize_axis(axis, 1)
        axes = ()
    else:
        axes = normalize_axis(axis, a.ndim)
    kd = kernel_dtype(a)
    kern = _choose(backend, kd is not None, a, kd, "argmax" if want_max else "argmin")
    if kern is None or a.size == 0 or _out_differs(out, np.intp):
        # empty: NumPy's error; an `out` that is not intp: NumPy's TypeError or cast
        ref = _reference.argmax if want_max else _reference.argmin
        return ref(a, axis, out, keepdims)
    v = _native_input(a, kd)
    if v.ndim == 0:
        res = np.zeros((), np.intp)
    elif axis is None:
        res = _argall(kern, v, want_max, num_threads, a.dtype == np.bool_)
    else:
        res = _run(kern, "argext", v, axes, num_threads, lambda n: (np.empty(n, np.int64),),
                   ordered=True, extra=(want_max, a.dtype == np.bool_))[0]
    return _finish(res, np.dtype(np.intp), a, axes if keepdims else (), out, keepdims)


def _argall(kern, v, want_max, num_threads, vbool):
    """Flat C-order index of the first extreme of ``v`` (any layout, no copy;
    ``vbool``: bool input viewed as uint8)."""
    res = _run(kern, "argext", v, tuple(range(v.ndim)), num_threads,
               lambda n: (np.empty(n, np.int64),), ordered=True, extra=(want_max, vbool))
    if res is not None:
        return res[0]
    # no single C-order stride: per-row first extremes, then the first row holding the extreme
    last = v.ndim - 1
    idx = _run(kern, "argext", v, (last,), num_threads, lambda n: (np.empty(n, np.int64),),
               ordered=True, extra=(want_max, vbool))[0]
    vals = np.take_along_axis(v, idx[..., None], axis=last)[..., 0].ravel()
    row = int(np.argmax(vals) if want_max else np.argmin(vals))
    return np.intp(row * v.shape[last] + int(idx.ravel()[row]))


def argmin(a, axis=None, out=None, *, keepdims=False, backend="auto", num_threads=None):
    """Index of the first minimum, like :func:`numpy.argmin` (the first NaN wins).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.argmin(np.array([3, 1, 1, 2]))
    np.int64(1)
    """
    if out is None and not keepdims:
        res = _small_call("argmin", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _arg(False, a, axis, out, keepdims, backend, num_threads)


def argmax(a, axis=None, out=None, *, keepdims=False, backend="auto", num_threads=None):
    """Index of the first maximum, like :func:`numpy.argmax` (the first NaN wins).

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pc.argmax(np.array([[1, 5], [7, 2]]), axis=1)
    array([1, 0])
    """
    if out is None and not keepdims:
        res = _small_call("argmax", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _arg(True, a, axis, out, keepdims, backend, num_threads)


# ---------------------------------------------------------------- var / std

def _var_native(kern, v, axes, num_threads):
    """(mean, M2) over ``axes`` in float64."""
    res = _run(kern, "var", v, axes, num_threads,
               lambda n: (np.empty(n, np.float64), np.empty(n, np.float64)))
    if res is not None:
        return res
    # reduced axes that do not merge: one axis, then Chan's merge of equal-count groups
    first, rest = axes[-1:], axes[:-1]
    mean1, m2 = _var_native(kern, v, first, num_threads)
    n1 = v.shape[first[0]]
    rest_shape = tuple(i - (1 if i > first[0] else 0) for i in rest)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.mean(mean1, axis=rest_shape)
        dev = mean1 - np.expand_dims(mean, rest_shape)
        total = np.sum(m2, axis=rest_shape) + n1 * np.sum(dev * dev, axis=rest_shape)
    # as the kernels' merge: finite input whose group means overflow gives inf, not NaN
    overflow = np.isnan(total) & ~np.isnan(m2).any(axis=rest_shape)
    return mean, np.where(overflow, np.inf, total) if overflow.any() else total


def _var_overflow(res, mean, m2, count, res_dt):
    """``res`` set to inf where NumPy's own variance overflows.

    NumPy accumulates ``sum(x)`` and ``sum((x - mean)**2)`` in the result dtype,
    so its variance of finite input is inf wherever either total leaves that
    dtype's range, even where the true variance is small (``[fmax, fmax]``).
    The kernels accumulate in float64 and, for finite input, return M2 = inf
    (never NaN) where their own sums overflow; NaN/inf input keeps M2 = NaN.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        over = np.isinf((np.abs(mean) * count).astype(res_dt))
        if res_dt != np.float64:  # float32 sums of squares overflow long before float64's
            over |= np.isinf(m2.astype(res_dt))
        over &= ~np.isnan(m2)
    return np.where(over, np.inf, res) if over.any() else res


def _variance(take_sqrt, a, axis, dtype, out, ddof, keepdims, where, mean, correction,
              backend, num_threads):
    if (dtype is None and out is None and type(ddof) is int and ddof == 0
            and not keepdims and where is _NoValue and mean is _NoValue
            and correction is _NoValue):
        whole = _whole(a, axis)
        if not whole:
            res = _fast_axis("var", a, axis, backend, num_threads, take_sqrt)
            if res is not None:
                return res
        res = _fast("var", a, backend, num_threads) if whole else None
        if res is not None:
            entry = _fast_kernel("var", a.dtype, backend)
            res_dt = entry[1]
            if take_sqrt:
                res = math.sqrt(res) if res >= 0 else math.nan
            return res_dt.type(res)
    a, axes = _prepare(a, axis, backend, num_threads)
    if correction is not _NoValue:
        if ddof != 0:
            raise ValueError("`ddof` and `correction` are the same thing; give only one")
        ddof = correction
    kd = kernel_dtype(a)
    dt = None if dtype is None else np.dtype(dtype)
    res_dt = None if kd is None else _result_dtype("var", a.dtype, dt)
    count = _reduced_size(a, axes)
    if not isinstance(ddof, (numbers.Real, np.number)) or isinstance(ddof, np.complexfloating):
        raise TypeError(f"`ddof` must be a real number, got {ddof!r}")
    dof = count - float(ddof)
    ok = kd is not None and res_dt in _FLOAT_RESULTS and where is _NoValue and mean is _NoValue
    kern = _choose(backend, ok, a, kd, "std" if take_sqrt else "var")
    if kern is None or a.size == 0 or dof <= 0:  # degenerate: NumPy's nan/inf and warning
        ref = _reference.std if take_sqrt else _reference.var
        kw = {} if mean is _NoValue else {"mean": mean}
        if kw:
            fn = np.std if take_sqrt else np.var
            return fn(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, **kw)
        return ref(a, axis, dtype, out, ddof, keepdims, where)
    mu, m2 = _var_native(kern, _native_input(a, kd), axes, num_threads)
    res = _var_overflow(m2 / dof, mu, m2, count, res_dt)
    if take_sqrt:
        res = np.sqrt(res)
    return _finish(res, res_dt, a, axes, out, keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue, backend="auto", num_threads=None):
    """Variance over the given axes, like :func:`numpy.var`.

    Numerically stable: two passes per cache-sized block (block mean, then
    squared deviations), blocks merged with Chan's parallel update; never the
    naive sum of squares.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> float(pc.var(np.array([1.0, 2.0, 3.0, 4.0])))
    1.25
    """
    if (dtype is None and out is None and type(ddof) is int and ddof == 0 and not keepdims
            and where is _NoValue and mean is _NoValue and correction is _NoValue):
        res = _small_call("var", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _variance(False, a, axis, dtype, out, ddof, keepdims, where, mean, correction,
                     backend, num_threads)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue, backend="auto", num_threads=None):
    """Standard deviation over the given axes, like :func:`numpy.std`.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> float(pc.std(np.array([1.0, 3.0]), ddof=1))
    1.4142135623730951
    """
    if (dtype is None and out is None and type(ddof) is int and ddof == 0 and not keepdims
            and where is _NoValue and mean is _NoValue and correction is _NoValue):
        res = _small_call("std", a, backend, axis, num_threads)
        if res is not None:
            return res
    return _variance(True, a, axis, dtype, out, ddof, keepdims, where, mean, correction,
                     backend, num_threads)


# ---------------------------------------------------------------- histogram

def _flat_parts(v):
    """(buf, off, n, stride) pieces covering ``v`` once each, in any order, no copy."""
    cv = _canonical(v, tuple(range(v.ndim)), ordered=False)
    if cv is not None:
        return [(cv.buf, cv.off, cv.R, cv.sr)]
    return [p for k in range(v.shape[0]) for p in _flat_parts(v[k])]


def _data_range(kern, v, num_threads):
    """(min, max) of ``v`` in one pass: the minmax kernel with want 2 over each flat
    piece (a NaN in any: NaN, which the caller refuses)."""
    mn = mx = None
    for buf, off, n, s in _flat_parts(v):
        o = np.empty(2, v.dtype)
        _leased_tasks(kern, "minmax2", kern.minmax, (buf, off, 1, n, 1, 0, s, 0, 2, False, o),
                      v.dtype, n, num_threads, "minmax")
        lo, hi = o[0], o[1]
        mn = lo if mn is None or lo < mn or lo != lo else mn
        mx = hi if mx is None or hi > mx or hi != hi else mx
    return mn, mx


def _outer_edges(kern, v, range, num_threads):
    """np.histogram's ``_get_outer_edges``, with the data range from our min/max kernel."""
    if range is not None:
        first_edge, last_edge = range
        if first_edge > last_edge:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"supplied range of [{first_edge}, {last_edge}] is not finite")
    elif v.size == 0:
        first_edge, last_edge = 0, 1
    else:
        first_edge, last_edge = _data_range(kern, v, num_threads)
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(
                f"autodetected range of [{first_edge}, {last_edge}] is not finite")
    if first_edge == last_edge:
        first_edge = first_edge - 0.5
        last_edge = last_edge + 0.5
    return first_edge, last_edge


def _unsigned_subtract(a, b):
    """``a - b`` as NumPy's histogram computes it (signed integers subtract as unsigned)."""
    dt = np.result_type(a, b)
    if dt.kind == "i":
        udt = np.dtype(dt.str.replace("i", "u"))
        return np.subtract(np.asarray(a, dtype=dt), np.asarray(b, dtype=dt),
                           casting="unsafe", dtype=udt)
    return np.subtract(a, b, dtype=dt)


_NO_COUNTS = np.empty(0, np.int64)


def _hist_tasks(kern, fn, args, n, nbins, per, k):
    """``fn(*args, parts, k, t0, t1)`` over ``n`` values, sliced where long (as :func:`_tasks`):
    ``parts`` holds one private histogram per task."""
    work = n * per
    parts = _NO_COUNTS
    if work > _cancel.FIRST_WORK:
        parts = np.empty(kern.hist_plan(n, nbins)[1], np.int64)
    _cancel.run_tasks(lambda t0, t1: fn(*args, parts, k, t0, t1), work, k)


def histogram(a, bins=10, range=None, density=None, weights=None, *, backend="auto",
              num_threads=None):
    """Histogram of ``a``, like :func:`numpy.histogram` (same counts, same edges).

    Native for integer ``bins`` (NumPy's equal-width algorithm, reproduced bit
    for bit) and for an array of edges (binary search), without ``weights``.
    Each thread counts into a private histogram; they are merged at the end.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> counts, edges = pc.histogram(np.array([0.0, 0.5, 1.0, 1.0]), bins=2)
    >>> counts
    array([1, 3])
    """
    a = as_array(a, "a")
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)
    kd = kernel_dtype(a)
    int_bins = isinstance(bins, (int, np.integer)) and not isinstance(bins, (bool, np.bool_))
    arr_bins = not int_bins and not isinstance(bins, str) and np.ndim(bins) == 1
    ok = kd is not None and weights is None and (int_bins or arr_bins)
    kern = _choose(backend, ok, a, kd, "histogram")
    if kern is None:
        return _reference.histogram(a, bins, range, density, weights)
    v = _native_input(a, kd)
    if int_bins:
        if bins < 1:
            raise ValueError("`bins` must be positive, when an integer")
        # edges (bins + 1) and counts (bins), 8 bytes each: refused before any work
        check_alloc((2 * int(bins) + 1) * 8, f"`bins`={bins}: the bin edges and counts")
        first_edge, last_edge = _outer_edges(kern, v, range, num_threads)
        bin_type = np.result_type(first_edge, last_edge, a)
        if np.issubdtype(bin_type, np.integer):
            bin_type = np.result_type(bin_type, float)
        edges = np.linspace(first_edge, last_edge, int(bins) + 1, endpoint=True, dtype=bin_type)
        if np.any(edges[:-1] >= edges[1:]):
            raise ValueError(
                f"Too many bins for data range. Cannot create {bins} finite-sized bins.")
        if bin_type not in _FLOAT_RESULTS:
            return _reference.histogram(a, bins, range, density, weights)
        ft = bin_type.type
        denom = _unsigned_subtract(last_edge, first_edge)  # NumPy's norm_denom
        extra = (edges, ft(first_edge), ft(last_edge), ft(denom))
        fn = kern.histogram_uniform
    else:
        edges = np.asarray(bins)
        if np.any(edges[:-1] > edges[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
        if edges.size < 2:
            return _reference.histogram(a, bins, range, density, weights)
        extra = (np.ascontiguousarray(edges, dtype=np.float64),)
        fn = kern.histogram_edges
    counts = np.zeros(edges.size - 1, np.int64)
    if v.size:
        explicit = num_threads is not None
        n = _threads.resolve(num_threads, v.size, GRAIN)
        # work per value: a binary search over the edges costs about log2(bins) steps
        per = 1 if int_bins else builtins.max(1, (edges.size - 1).bit_length() // 2)
        with _threads.lease(n, explicit) as k:
            for buf, off, cnt, s in _flat_parts(v.reshape(v.shape or (1,))):
                _hist_tasks(kern, fn, (buf, off, cnt, s, *extra, counts), cnt, edges.size - 1,
                            per, k)
    if density:
        widths = np.diff(edges)
        return counts / widths / counts.sum(), edges
    return counts, edges
