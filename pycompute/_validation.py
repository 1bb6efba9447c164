"""Argument normalization shared by every public function.

Errors name the argument in backticks, show the value received and say what is
allowed; exception types follow NumPy/SciPy for the same mistake.
"""
from __future__ import annotations

import operator

import numpy as np

try:  # numpy >= 2.0
    from numpy.lib.array_utils import normalize_axis_tuple
except ImportError:  # pragma: no cover
    from numpy.core.numeric import normalize_axis_tuple

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


def normalize_axis(axis, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative axes.

    Raises :class:`numpy.exceptions.AxisError` for out-of-range axes and
    ``TypeError`` for non-integers, like NumPy.
    """
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be an int, a tuple of ints or None, got {axis!r}")
    try:
        return tuple(sorted(normalize_axis_tuple(axis, ndim, argname=name)))
    except TypeError:
        raise TypeError(
            f"`{name}` must be an int, a tuple of ints or None, got {axis!r}"
        ) from None


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
