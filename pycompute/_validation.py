"""Argument normalization shared by every public function.

Errors name the argument in backticks, show the value received and say what is
allowed; exception types follow NumPy/SciPy for the same mistake.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Iterable

import numpy as np

try:  # numpy >= 2.0
    from numpy.lib.array_utils import normalize_axis_tuple
except ImportError:  # pragma: no cover
    from numpy.core.numeric import normalize_axis_tuple
try:  # numpy >= 1.25
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover
    from numpy import AxisError

#: dtypes (native byte order) that the native kernels are compiled for.
NATIVE_REAL = frozenset(
    np.dtype(c) for c in ("float32", "float64", "int8", "int16", "int32", "int64",
                          "uint8", "uint16", "uint32", "uint64")
)
NATIVE_FLOAT = frozenset(np.dtype(c) for c in ("float32", "float64"))


def as_array(x, name: str) -> np.ndarray:
    """``np.asarray`` that refuses what no kernel can read, with a clear message."""
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be array-like, got {type(x).__name__}: {exc}") from None


def native_dtype(dt: np.dtype) -> np.dtype:
    """``dt`` in native byte order."""
    return dt if dt.isnative else dt.newbyteorder("=")


def kernel_dtype(a: np.ndarray) -> np.dtype | None:
    """The native-kernel dtype for ``a`` (bool read as uint8), or None if uncovered."""
    dt = a.dtype
    if dt == np.bool_:
        return np.dtype(np.uint8)
    nd = native_dtype(dt)
    return nd if nd in NATIVE_REAL else None


def readable(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``a`` as dtype ``dt`` without a copy where possible.

    bool is viewed as uint8; a byte-swapped array is converted to native order
    (the one case that copies: kernels read native-endian memory).
    """
    if a.dtype == dt:
        return a
    if a.dtype == np.bool_ and dt == np.uint8:
        return a.view(np.uint8)
    return a.astype(dt)


def strided_buffer(v: np.ndarray):
    """Describe view ``v`` as (1-D buffer, element offset, element strides).

    The buffer starts at ``v``'s lowest-addressed element and covers all of it,
    so a kernel reads element ``idx`` at ``buf[off + sum(idx * strides)]`` for
    any strides, negative ones included, without copying. Requires element-aligned
    strides (checked by the caller through :func:`aligned`) and ``v.size > 0``.
    """
    item = v.itemsize
    strides = tuple(s // item for s in v.strides)
    lo = 0
    hi = 0
    for n, s in zip(v.shape, strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    span = hi - lo + 1
    if lo == 0 and span == v.size and v.flags.c_contiguous:
        return v.reshape(-1), 0, strides
    base = v
    if lo:
        # re-point at the lowest address: flip every negative-stride axis
        base = v[tuple(slice(None, None, -1) if s < 0 else slice(None) for s in strides)]
    buf = np.lib.stride_tricks.as_strided(base, shape=(span,), strides=(item,), writeable=False)
    return buf, -lo, strides


def aligned(v: np.ndarray) -> bool:
    """True if every stride is a whole number of elements and the data is aligned."""
    item = v.itemsize
    return v.flags.aligned and all(s % item == 0 for s in v.strides)


def _axis_range(ndim: int) -> str:
    return f"{-ndim}..{ndim - 1}" if ndim else "none: the array has no axes"


def axis_error(ax: int, ndim: int, name: str, value=None) -> AxisError:
    """NumPy's :class:`~numpy.exceptions.AxisError` for axis ``ax`` (its message, its
    ``axis`` and ``ndim`` attributes), prefixed with the argument, the value received
    and the allowed range: "`axis`=5 is out of range (allowed: -2..1): axis 5 is out of
    bounds for array of dimension 2"."""
    where = "" if value is None or (not isinstance(value, (tuple, list))
                                    and operator.index(value) == ax) else f" has {ax}, which"
    got = ax if value is None else value
    return AxisError(ax, ndim, f"`{name}`={got!r}{where} is out of range "
                               f"(allowed: {_axis_range(ndim)})")


def normalize_axis(axis, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative axes.

    Raises :class:`numpy.exceptions.AxisError` for out-of-range axes (NumPy's
    message, after the argument, the value and the allowed range; see
    :func:`axis_error`), ``ValueError`` for repeated axes and ``TypeError`` for
    non-integers, like NumPy.
    """
    if axis is None:
        return tuple(range(ndim))
    bad = TypeError(f"`{name}` must be an int, a tuple of ints or None, got {axis!r}")
    if isinstance(axis, (bool, np.bool_)):
        raise bad
    try:  # as normalize_axis_tuple: an int, else any sequence of ints
        items = None
        if not isinstance(axis, (tuple, list)):
            try:
                items = [operator.index(axis)]
            except TypeError:
                pass
        if items is None:
            items = list(axis)
            if any(isinstance(a, (bool, np.bool_)) for a in items):
                raise bad
            items = [operator.index(a) for a in items]
    except TypeError:
        raise bad from None
    for a in items:
        if not -ndim <= a < ndim:
            raise axis_error(a, ndim, name, axis)
    return tuple(sorted(normalize_axis_tuple(items, ndim, argname=name)))


def check_int(value, name: str, minimum: int | None = None) -> int:
    """``value`` as an int (anything with ``__index__``), optionally >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be an int, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"`{name}` must be an int, got {value!r} of type {type(value).__name__}") from None
    if minimum is not None and v < minimum:
        raise ValueError(f"`{name}`={v} must be >= {minimum}")
    return v


def check_finite_scalar(value, name: str) -> float:
    """``value`` as a finite float."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a real number, got {value!r}") from None
    if not np.isfinite(v):
        raise ValueError(f"`{name}`={value!r} must be finite")
    return v


#: scipy.ndimage border modes -> codes of kernels/_boundary.pxd and pycompute/_numba/_boundary.py
MODE_CODES = {
    "reflect": 0, "grid-mirror": 0,
    "mirror": 1,
    "nearest": 2,
    "wrap": 3, "grid-wrap": 3,
    "constant": 4, "grid-constant": 4,
}


def normalize_mode(mode, ndim: int, name: str = "mode", allowed=None) -> tuple[int, ...]:
    """``mode`` (a name, or one name per axis) as a tuple of ``ndim`` mode codes.

    ``ValueError`` for an unknown name or a sequence of the wrong length, as scipy.
    """
    names = allowed or tuple(MODE_CODES)
    if isinstance(mode, str):
        modes = (mode,) * ndim
    else:
        try:
            modes = tuple(mode)
        except TypeError:
            raise TypeError(f"`{name}` must be a string or a sequence of strings, got {mode!r}") from None
        if len(modes) != ndim:
            raise ValueError(
                f"`{name}` has {len(modes)} entries but the input has {ndim} axes; "
                f"give one mode, or one per axis")
    out = []
    for m in modes:
        if not isinstance(m, str) or m not in names:
            raise ValueError(f"`{name}`={m!r} is not one of {', '.join(map(repr, names))}")
        out.append(MODE_CODES[m])
    return tuple(out)


# ---------------------------------------------------------------- scipy.ndimage's arguments
# The convolution family takes scipy.ndimage's arguments and raises scipy's
# exception type for each mistake. Code written against scipy matches on its
# messages, so each message is pycompute's own (the argument in backticks, the
# value received, what is allowed) followed by scipy's wording in parentheses,
# "(scipy.ndimage: <its message>)": ``pytest.raises(E, match=re.escape(msg))``
# with scipy's message passes against pycompute. tests/test_scipy_errors.py
# takes the expected text from the installed scipy, so a reworded scipy shows.

def ndi_error(exc_type, detail: str, scipy_msg: str) -> Exception:
    """``exc_type`` with pycompute's ``detail``, then scipy.ndimage's message for the mistake."""
    return exc_type(f"{detail} (scipy.ndimage: {scipy_msg})")


def ndi_index(value, name: str) -> int:
    """``value`` as an int; ``TypeError`` with Python's message (what scipy's C layer raises)."""
    try:
        return operator.index(value)
    except TypeError as exc:
        raise TypeError(f"{exc}: `{name}` must be an int, got {value!r}") from None


def ndi_axis(axis, ndim: int, name: str = "axis") -> int:
    """One axis in range, as scipy's ``normalize_axis_index`` (AxisError / TypeError)."""
    ax = ndi_index(axis, name)
    if not -ndim <= ax < ndim:
        raise axis_error(ax, ndim, name)
    return ax % ndim


def ndi_axes(axes, ndim: int, name: str = "axes", check_scalar: bool = True) -> tuple[int, ...]:
    """scipy's ``_check_axes``: None, an int or a sequence of unique in-range ints.

    scipy range-checks only sequences (ValueError "specified axis: ... is out of
    range"); an out-of-range int fails later, in the 1-D filter, with NumPy's
    AxisError (a ValueError and an IndexError), raised here; ``check_scalar=False``
    leaves that to the caller (correlate checks the weights' rank first, as scipy).
    """
    if axes is None:
        return tuple(range(ndim))
    if np.isscalar(axes):
        ax = ndi_index(axes, name)
        if check_scalar and not -ndim <= ax < ndim:
            raise axis_error(ax, ndim, name)
        axes = (ax % ndim if -ndim <= ax < ndim else ax,)
    elif isinstance(axes, Iterable):
        axes = tuple(ndi_index(ax, name) for ax in axes)
        for ax in axes:
            if not -ndim <= ax < ndim:
                raise ndi_error(
                    ValueError, f"`{name}` entry {ax} is out of range for an input with {ndim} "
                    f"axes (allowed: {_axis_range(ndim)})", f"specified axis: {ax} is out of range")
        axes = tuple(ax % ndim for ax in axes)
    else:
        raise ndi_error(ValueError, f"`{name}`={axes!r} must be an int, a sequence of ints or None",
                        "axes must be an integer, iterable of integers, or None")
    if len(set(axes)) != len(axes):
        raise ndi_error(ValueError, f"`{name}`={axes!r} must be unique",
                        "axes must be unique")
    return axes


def ndi_sequence(value, n: int, name: str) -> list:
    """scipy's ``_normalize_sequence``: a scalar (or a string) repeated, or a sequence of
    length ``n`` (RuntimeError otherwise, as scipy)."""
    if not isinstance(value, str) and np.iterable(value):
        seq = list(value)
        if len(seq) != n:
            raise ndi_error(
                RuntimeError, f"`{name}`={value!r} has {len(seq)} entries; it must have one "
                f"per filtered axis ({n})",
                "sequence argument must have length equal to input rank")
        return seq
    return [value] * n


def ndi_mode(mode, name: str = "mode") -> int:
    """A scipy.ndimage filter mode as a :data:`MODE_CODES` code (RuntimeError, as scipy)."""
    if not isinstance(mode, str) or mode not in MODE_CODES:
        raise ndi_error(
            RuntimeError, f"`{name}`={mode!r} is not a supported boundary mode; allowed are "
            f"{', '.join(map(repr, MODE_CODES))}", "boundary mode not supported")
    return MODE_CODES[mode]


def ndi_cval(cval, name: str = "cval") -> float:
    """``cval`` of real input as a float (TypeError, as scipy's C layer)."""
    if isinstance(cval, (complex, np.complexfloating)) and not isinstance(cval, float):
        raise ndi_error(TypeError, f"`{name}`={cval!r} must be a real number for real input",
                        "must be real number, not complex")
    try:
        return float(cval)
    except (TypeError, ValueError):
        raise ndi_error(TypeError, f"`{name}` must be a real number, got {cval!r}",
                        f"must be real number, not {type(cval).__name__}") from None


def ndi_output(output, inp: np.ndarray):
    """scipy's ``_get_output`` without allocating: (the array or None, the result dtype)."""
    if output is None:
        return None, np.dtype(inp.dtype.name)
    if isinstance(output, (type, np.dtype)):
        return None, np.dtype(output)
    if isinstance(output, str):
        dt = np.dtype(output)
        if not issubclass(dt.type, np.number):
            raise ndi_error(RuntimeError, f"`output`={output!r} must be a numeric dtype, got {dt}",
                            "output must have numeric dtype")
        return None, dt
    out = np.asarray(output)
    if out.shape != inp.shape:
        raise ndi_error(
            RuntimeError, f"`output` has shape {out.shape}, but it must have the input's shape "
            f"{inp.shape}", "output shape not correct")
    if not out.flags.writeable:  # also when there is nothing to write, as scipy
        raise ndi_error(ValueError, "`output` is a read-only array; it must be writeable",
                        "output array is read-only.")
    return out, out.dtype


def ndi_origin(origin, lenw: int, name: str = "origin", shown=None) -> int:
    """The origin of a 1-D filter of ``lenw`` weights: scipy's range check first
    (ValueError, also for non-integers out of range), then an int (TypeError, from
    scipy's C layer). ``shown``: the value to report (default ``origin``)."""
    lo, hi = -(lenw // 2), (lenw - 1) // 2
    if origin < lo or origin > hi:
        got = origin if shown is None else shown
        raise ndi_error(ValueError, f"Invalid origin; `{name}`={got!r} must satisfy "
                        f"{lo} <= origin <= {hi} for {lenw} weights",
                        "Invalid origin; origin must satisfy -(len(weights) // 2) <= origin <= "
                        "(len(weights)-1) // 2")
    return ndi_index(origin, name)



# ---------------------------------------------------------------- windows: size, footprint, origin
# scipy.ndimage's min/max and rank filters (pycompute.rank), their checks in scipy's order.

def ndi_filter_size(size) -> None:
    """A 1-D filter's ``size`` is at least 1 (RuntimeError, as scipy's C layer)."""
    if size < 1:
        raise ndi_error(RuntimeError, f"`size`={size!r} must be >= 1", "incorrect filter size")


def ndi_window_origin(origin, size) -> None:
    """scipy's origin rule for a 1-D window of ``size``: 0 <= size // 2 + origin < size."""
    if (size // 2 + origin < 0) or (size // 2 + origin >= size):
        raise ndi_error(ValueError, f"`origin`={origin!r} must satisfy 0 <= size // 2 + origin "
                        f"< size for `size`={size!r}", "invalid origin")


def ndi_separable(axes, sizes, origins, modes, given_origin) -> list:
    """The passes of a separable min/max filter: ``[(axis, size, lo, mode code)]`` for the
    axes whose size is over 1, in scipy's order (its origin rule, then the mode, then the
    origin as an int, per axis); ``lo`` = size // 2 + origin taps before the centre."""
    ops = []
    for i in range(len(axes)):
        if sizes[i] > 1:
            s, o = sizes[i], origins[i]
            s_int = int(s)
            if (s_int // 2 + o < 0) or (s_int // 2 + o >= s_int):
                raise ndi_error(ValueError, f"`origin`={given_origin!r} gives {o!r} for axis "
                                f"{axes[i]}; it must satisfy 0 <= size // 2 + origin < size "
                                f"for size {s_int}", "invalid origin")
            mc = ndi_mode(modes[i])
            o = ndi_index(o, "origin")
            ops.append((axes[i], s_int, s_int // 2 + o, mc))
    return ops


def ndi_size_footprint(size, naxes: int) -> np.ndarray:
    """The all-True footprint of ``size`` (a scalar or one per filtered axis), as scipy's
    rank filters make it (its ValueError / TypeError, with the size named)."""
    sizes = ndi_sequence(size, naxes, "size")
    try:
        return np.ones(sizes, dtype=bool)
    except ValueError as exc:
        raise ValueError(f"`size`={size!r}: {exc}") from None
    except TypeError as exc:
        raise TypeError(f"`size`={size!r}: {exc}") from None


def ndi_expand_footprint(ndim: int, axes, fp: np.ndarray) -> np.ndarray:
    """``fp`` over the filtered ``axes`` given one length-1 axis per other input axis."""
    if len(axes) < ndim:
        if fp.ndim != len(axes):
            raise ndi_error(RuntimeError, f"`footprint` has {fp.ndim} dimensions (shape "
                            f"{fp.shape}); it must have one per filtered axis, `axes` has "
                            f"{len(axes)}",
                            f"footprint.ndim ({fp.ndim}) must match len(axes) ({len(axes)})")
        fp = np.expand_dims(fp, tuple(ax for ax in range(ndim) if ax not in axes))
    return fp


def ndi_expand_origin(ndim: int, axes, origin) -> list:
    """``origin`` (a scalar or one per filtered axis) as one per input axis (0 elsewhere)."""
    origins = ndi_sequence(origin, len(axes), "origin")
    if len(axes) < ndim:
        full = [0] * ndim
        for o, ax in zip(origins, axes):
            full[ax] = o
        origins = full
    return origins


def ndi_footprint_origins(fp: np.ndarray, origins, ndim: int, naxes: int,
                          given_origin) -> list:
    """scipy's footprint checks: one non-empty axis per input axis, each origin within
    its footprint axis; the origins as ints (``given_origin``: the value to report)."""
    fshape = [n for n in fp.shape if n > 0]
    if len(fshape) != ndim:
        raise ndi_error(RuntimeError, f"`footprint` has shape {fp.shape}: {len(fshape)} "
                        f"non-empty axes where the input has {ndim}",
                        f"footprint.ndim ({fp.ndim}) must match len(axes) ({naxes})")
    for k, (o, n) in enumerate(zip(origins, fshape)):
        if (n // 2 + o < 0) or (n // 2 + o >= n):
            raise ndi_error(ValueError, f"`origin`={given_origin!r} gives {o!r} on axis {k}; "
                            f"it must satisfy 0 <= {n} // 2 + origin < {n} for the footprint "
                            f"of shape {fp.shape}", "invalid origin")
    return [ndi_index(o, "origin") for o in origins]


def kernel_cval(dt, cv: float, cast: bool):
    """``cv`` as the value a min/max or rank kernel of dtype ``dt`` uses, or None when it
    cannot (the call then runs scipy).

    ``cast`` False (the 1-D passes: scipy compares cval in float64): only values of
    the dtype. ``cast`` True (footprint and rank: scipy casts ``(type)cval``): the
    C cast, for floats always (rounding, inf on overflow) and for integers where
    the truncated value is in range."""
    dt = np.dtype(dt)
    if dt == np.bool_:  # a bool output holds 0 and 1 only
        return float(cv) if cv in (0.0, 1.0) else None
    if dt.kind == "f":
        with np.errstate(over="ignore"):
            v = float(dt.type(cv))
        if cast or v == cv or (math.isnan(v) and math.isnan(cv)):
            return v
        return None
    if not math.isfinite(cv):
        return None
    info = np.iinfo(dt)
    v = math.trunc(cv) if cast else cv
    if v != int(v) or not info.min <= v <= info.max:
        return None
    return float(v)


# ---------------------------------------------------------------- memory

def _read_int(path: str):
    try:
        with open(path) as f:
            v = f.read().strip()
    except OSError:
        return None
    return int(v) if v.isdigit() else None


def memory_limit() -> int:
    """Bytes this process may still allocate (an estimate, read at each call): the
    machine's available memory and free swap (``/proc/meminfo``), within the
    cgroup's limit (v2 or v1) and ``RLIMIT_AS``; 2**62 where none can be read."""
    limit = 1 << 62
    try:
        with open("/proc/meminfo") as f:
            info = {k: int(v.split()[0]) * 1024 for k, v in
                    (line.split(":", 1) for line in f if ":" in line)}
        if "MemAvailable" in info:
            limit = info["MemAvailable"] + info.get("SwapFree", 0)
    except (OSError, ValueError):
        try:
            import os

            limit = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            pass
    for cap, used in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                      ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                       "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        c, u = _read_int(cap), _read_int(used)
        if c is not None and u is not None and c < (1 << 60):
            limit = min(limit, max(c - u, 0))
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/statm") as f:
                vm = int(f.read().split()[0]) * resource.getpagesize()
            limit = min(limit, max(soft - vm, 0))
    except (ImportError, OSError, ValueError):
        pass
    return limit


def _human(nbytes: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return ""  # pragma: no cover


def check_alloc(nbytes: int, what: str) -> None:
    """``MemoryError`` before any work if ``what`` needs more than :func:`memory_limit`.

    ``what`` names the argument and its value, e.g. "`sigma`=1e8 (truncate 4.0)
    gives a Gaussian kernel of 800000001 taps: building it"."""
    if nbytes <= 1 << 26:  # 64 MiB: not worth reading /proc
        return
    limit = memory_limit()
    if nbytes > limit:
        raise MemoryError(f"{what} needs {nbytes} bytes ({_human(nbytes)}), more than the "
                          f"{_human(limit)} this process can allocate")


# ---------------------------------------------------------------- simulation helpers

def float_array(x, name: str, ndims=None) -> np.ndarray:
    """``x`` as a C-contiguous, native-endian float32/float64 array (a copy only where needed).

    ``TypeError`` for other dtypes (no silent casts: the dtype decides the
    precision of a whole simulation), ``ValueError`` for a dimension count not
    in ``ndims``.
    """
    a = as_array(x, name)
    dt = native_dtype(a.dtype) if a.dtype.kind == "f" else a.dtype
    if dt not in NATIVE_FLOAT:
        raise TypeError(f"`{name}` must have dtype float32 or float64, got {a.dtype}")
    if ndims is not None and a.ndim not in ndims:
        allowed = " or ".join(str(n) for n in ndims)
        raise ValueError(f"`{name}` must have {allowed} dimensions, got shape {a.shape}")
    return np.ascontiguousarray(a, dtype=dt)


def check_all_finite(a: np.ndarray, name: str) -> None:
    """``ValueError`` if ``a`` holds a NaN or an infinity.

    One pass in the common case: a sum is finite only if every element is
    (NaN and inf propagate); a non-finite sum may also be an overflow of
    finite values, so then min and max decide.
    """
    if not a.size:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.sum(a)):
            return
    if not (np.isfinite(a.min()) and np.isfinite(a.max())):
        raise ValueError(f"`{name}` contains NaN or infinite values")


def check_out(out, shape, dtype, name: str = "out") -> np.ndarray:
    """``out`` checked as a writeable, C-contiguous, native-endian array of ``shape`` and ``dtype``."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"`{name}` must be a numpy.ndarray or None, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"`{name}` has shape {out.shape}, but the result has shape {tuple(shape)}")
    if out.dtype != dtype:
        raise TypeError(f"`{name}` has dtype {out.dtype}, but the result has dtype {dtype}")
    if not (out.flags.c_contiguous and out.flags.writeable and out.dtype.isnative):
        raise ValueError(f"`{name}` must be a writeable, C-contiguous, native-endian array")
    return out


def life_rule_bits(rule, name: str = "rule") -> int:
    """A life-like rule in B/S notation ("B3/S23", "b36/s23", "B2/S") as an 18-bit mask.

    Bits 0-8 are the neighbour counts that give birth, bits 9-17 the counts
    that let a live cell survive.
    """
    if not isinstance(rule, str):
        raise TypeError(f"`{name}` must be a string in B/S notation like 'B3/S23', got {rule!r}")
    parts = rule.strip().upper().split("/")
    if (len(parts) != 2 or not parts[0].startswith("B") or not parts[1].startswith("S")
            or not all(c in "012345678" for c in parts[0][1:] + parts[1][1:])):
        raise ValueError(
            f"`{name}`={rule!r} is not a life-like rule in B/S notation: expected "
            f"'B<digits>/S<digits>' with digits 0-8, like 'B3/S23' or 'B36/S23'")
    bits = 0
    for c in parts[0][1:]:
        bits |= 1 << int(c)
    for c in parts[1][1:]:
        bits |= 1 << (9 + int(c))
    return bits
