"""Generators of awkward arrays, shared by the test modules (bottleneck's idea).

Each yields arrays that are views or variants a user can hand us: empty, 0-d,
one element, NaN/inf mixes, F-order, transposed, strided, negative strides,
byte-swapped, read-only.
"""
import numpy as np
from hypothesis import HealthCheck, settings

#: scipy.ndimage's boundary modes, every one a filter takes
FILTER_MODES = ["reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror",
                "grid-constant", "grid-wrap"]
#: the dtypes the filters run natively (bool and float16 go through the reference)
FILTER_DTYPES = ["float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
                 "uint32", "uint64"]
EPS32 = float(np.finfo(np.float32).eps)


def scaled_settings(examples: int):
    """hypothesis settings for ``examples`` examples at the default profile, scaled with the
    profile in use (conftest.py: ``--hypothesis-profile=long`` runs 50x as many)."""
    return settings(max_examples=examples * settings.default.max_examples
                    // settings.get_profile("pycompute").max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


DTYPES = ["float64", "float32", "int64", "int32", "int16", "int8",
          "uint64", "uint32", "uint16", "uint8", "bool"]


def _values(rng, shape, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return np.asarray(rng.standard_normal(shape) * 100).astype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    info = np.iinfo(dt)
    lo = max(info.min, -1000)
    hi = min(info.max, 1000)
    return rng.integers(lo, hi, shape, endpoint=True).astype(dt)


def layouts(a):
    """``a`` and views/variants of it with the same logical content where possible."""
    yield "C", a
    if a.ndim >= 2:
        yield "F", np.asfortranarray(a)
        yield "T", a.T
    if a.ndim >= 1 and a.shape[0] > 1:
        yield "step2", a[::2]
        yield "neg", a[::-1]
    if a.ndim >= 2 and a.shape[-1] > 2:
        yield "neg-last-step", a[..., ::-3]
    if a.dtype.itemsize > 1:
        yield "byteswapped", a.astype(a.dtype.newbyteorder())
    ro = a.copy()
    ro.flags.writeable = False
    yield "readonly", ro


SHAPES = [(), (0,), (1,), (7,), (33,), (0, 3), (3, 0), (1, 1), (5, 4), (17, 33),
          (4, 5, 6), (3, 1, 40), (2, 3, 4, 5)]


def arrays(dtypes=DTYPES, shapes=SHAPES, seed=0):
    """(label, array) pairs covering dtypes x shapes x layouts, with NaN/inf for floats."""
    rng = np.random.default_rng(seed)
    for dtype in dtypes:
        for shape in shapes:
            a = np.asarray(_values(rng, shape, dtype))
            for name, v in layouts(a):
                yield f"{dtype}{shape}-{name}", v
            if np.dtype(dtype).kind == "f" and a.size >= 3:
                b = a.copy()
                flat = b.reshape(-1)
                flat[rng.integers(0, flat.size)] = np.nan
                yield f"{dtype}{shape}-nan", b
                c = a.copy()
                flat = c.reshape(-1)
                flat[0] = np.inf
                flat[-1] = -np.inf if flat.size > 1 else np.inf
                yield f"{dtype}{shape}-infs", c
                d = a.copy()
                d.reshape(-1)[-1] = np.inf
                yield f"{dtype}{shape}-inf", d


def axes_for(a):
    """None, every single axis (both signs) and, for ndim >= 2, pairs of axes."""
    yield None
    for i in range(a.ndim):
        yield i
        yield i - a.ndim
    if a.ndim >= 2:
        yield (0, a.ndim - 1)
    if a.ndim >= 3:
        yield (0, 1)
        yield (1, 2)


def make(shape, dtype, seed, special=False):
    """Seeded test data that fits ``dtype``; with ``special`` some NaN/inf (floats only)."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        a = (rng.standard_normal(shape) * 10).astype(dt)
        if special and a.size:
            flat = a.reshape(-1)
            idx = rng.integers(0, a.size, size=min(3, a.size))
            flat[idx] = rng.choice([np.nan, np.inf, -np.inf], size=idx.size)
        return a
    if dt.kind == "u":
        return rng.integers(0, 120, shape).astype(dt)
    return rng.integers(-60, 60, shape).astype(dt)
