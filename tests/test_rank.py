"""pycompute.rank against scipy.ndimage (the oracle), every native backend.

Tolerance: none, for every dtype. Min/max and order statistics pick one of the
window's values, so there is no arithmetic to round: results must equal scipy's
bit for bit (compared as bytes, so NaN payloads and the sign of zero count). The
kernels reproduce scipy's tie rules (the deque's rightmost minimum, the footprint
loop's first one, NI_Select's answer among equal values).

Default run and slow run: Cython runs every case by default. Numba runs every kernel
path and mode by default, its dtype sweeps over NUMBA_DTYPES only (the hypothesis tests
draw from those and bool); the same sweeps over the other dtypes are marked slow (CI's
``pytest -m slow`` step), so the two runs together hold what one run held before.
"""
from __future__ import annotations

import os
import re
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st

import pycompute as pc
from pycompute import rank as R
from nasty import FILTER_MODES, scaled_settings

BACKENDS = ["cython", "numba"]
MODES = FILTER_MODES
NATIVE_DTYPES = ["float32", "float64", "int8", "int16", "int32", "uint8", "uint16", "uint32"]
#: Numba's dtype sweeps in the default run: one integer, one float (bool runs as uint8).
#: Its kernels are one generic source for every dtype, and each dtype is one more cold
#: compile (seconds) of every kernel it reaches: most of this module's time with an empty
#: Numba cache, when it swept all eight.
NUMBA_DTYPES = ["uint8", "float64"]
SETTINGS = scaled_settings(60)
SLOW = pytest.mark.slow
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.nan, 2.0, np.inf, -np.inf, 3.0, 2.0])


def by_backend(dtypes):
    """``(backend, dtype)`` params: each of ``dtypes`` on Cython, and on Numba, where
    those outside NUMBA_DTYPES are marked slow (the slow run has exactly those)."""
    return [pytest.param(b, d, id=f"{d}-{b}",
                         marks=SLOW if b == "numba" and d not in NUMBA_DTYPES else ())
            for b in BACKENDS for d in dtypes]


def drawing(dtypes):
    """``(backend, dtypes)`` params for the hypothesis tests: Cython draws from all of
    ``dtypes``, Numba from NUMBA_DTYPES (and bool) by default and from the rest in the
    slow run (``numba-more-dtypes``)."""
    few = [d for d in dtypes if d in NUMBA_DTYPES or d == "bool"]
    rest = [d for d in dtypes if d not in few]
    return [pytest.param("cython", dtypes, id="cython"), pytest.param("numba", few, id="numba"),
            pytest.param("numba", rest, id="numba-more-dtypes", marks=SLOW)]


def same(ours, ref):
    """Bit-for-bit equality (dtype, shape and bytes)."""
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    assert ours.shape == ref.shape
    if not np.array_equal(np.ascontiguousarray(ours).view(np.uint8),
                          np.ascontiguousarray(ref).view(np.uint8)):
        bad = np.argwhere(ours != ref)
        raise AssertionError(f"differ at {bad[:5].tolist()}: ours {ours.ravel()[:20]} "
                             f"scipy {ref.ravel()[:20]}")


def make(shape, dtype, seed, special=False):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        if special:
            return rng.choice(SPECIAL, size=shape).astype(dt)
        return rng.integers(-6, 6, shape).astype(dt) * dt.type(0.5)  # many ties
    if dt.kind == "b":
        return rng.random(shape) > 0.5
    info = np.iinfo(dt)
    return rng.integers(max(info.min, -100), min(info.max, 100), shape).astype(dt)


# ---------------------------------------------------------------- hypothesis

shapes = st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple)


@st.composite
def cases(draw, dtypes):
    shape = draw(shapes)
    dtype = draw(st.sampled_from(dtypes))
    special = np.dtype(dtype).kind == "f" and draw(st.booleans())
    x = make(shape, dtype, draw(st.integers(0, 2**16)), special)
    mode = draw(st.sampled_from(MODES))
    cval = draw(st.sampled_from([0.0, 1.0, -0.0, np.nan] if np.dtype(dtype).kind == "f"
                                else [0.0, 1.0]))
    return x, mode, cval


@st.composite
def footprints(draw, ndim):
    fshape = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    bits = draw(st.lists(st.booleans(), min_size=int(np.prod(fshape)),
                         max_size=int(np.prod(fshape))))
    fp = np.array(bits, bool).reshape(fshape)
    if not fp.any():
        fp.flat[draw(st.integers(0, fp.size - 1))] = True
    origin = [draw(st.integers(-(n // 2), (n - 1) // 2)) for n in fshape]
    return fp, origin


@pytest.mark.parametrize("backend,dtypes", drawing(NATIVE_DTYPES + ["bool"]))
@SETTINGS
@given(data=st.data())
def test_minmax_size_matches_scipy(backend, dtypes, data):
    x, mode, cval = data.draw(cases(dtypes))
    sizes = [data.draw(st.integers(1, 12)) for _ in range(x.ndim)]
    origin = [data.draw(st.integers(-(s // 2), (s - 1) // 2)) for s in sizes]
    for name in ("minimum_filter", "maximum_filter"):
        ours = getattr(pc.rank, name)(x, size=sizes, mode=mode, cval=cval, origin=origin,
                                      backend=backend)
        same(ours, getattr(ndi, name)(x, size=sizes, mode=mode, cval=cval, origin=origin))


@pytest.mark.parametrize("backend,dtypes", drawing(NATIVE_DTYPES + ["bool"]))
@SETTINGS
@given(data=st.data())
def test_minmax1d_matches_scipy(backend, dtypes, data):
    x, mode, cval = data.draw(cases(dtypes))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    size = data.draw(st.integers(1, 2 * x.shape[axis] + 3))  # also longer than the axis
    origin = data.draw(st.integers(-(size // 2), (size - 1) // 2))
    for name in ("minimum_filter1d", "maximum_filter1d"):
        ours = getattr(pc.rank, name)(x, size, axis, mode=mode, cval=cval, origin=origin,
                                      backend=backend)
        same(ours, getattr(ndi, name)(x, size, axis, mode=mode, cval=cval, origin=origin))


@pytest.mark.parametrize("backend,dtypes", drawing(NATIVE_DTYPES + ["bool"]))
@SETTINGS
@given(data=st.data())
def test_minmax_footprint_matches_scipy(backend, dtypes, data):
    x, mode, cval = data.draw(cases(dtypes))
    fp, origin = data.draw(footprints(x.ndim))
    for name in ("minimum_filter", "maximum_filter"):
        ours = getattr(pc.rank, name)(x, footprint=fp, mode=mode, cval=cval, origin=origin,
                                      backend=backend)
        same(ours, getattr(ndi, name)(x, footprint=fp, mode=mode, cval=cval, origin=origin))


def _rank_call(fn_name, x, arg, fp, mode, cval, origin, backend):
    """Ours (backend, or the reference where the native one declines: 1-D NaN/-0.0)."""
    fn = getattr(pc.rank, fn_name)
    args = () if arg is None else (arg,)
    try:
        return fn(x, *args, footprint=fp, mode=mode, cval=cval, origin=origin,
                  backend=backend)
    except TypeError as exc:
        assert x.ndim == 1 and "1-D input" in str(exc)
        return fn(x, *args, footprint=fp, mode=mode, cval=cval, origin=origin)


@pytest.mark.parametrize("backend,dtypes", drawing(NATIVE_DTYPES + ["bool"]))
@SETTINGS
@given(data=st.data())
def test_rank_footprint_matches_scipy(backend, dtypes, data):
    x, mode, cval = data.draw(cases(dtypes))
    fp, origin = data.draw(footprints(x.ndim))
    k = int(fp.sum())
    rank = data.draw(st.integers(-k, k - 1))
    pct = data.draw(st.sampled_from([-100, -37.5, 0, 10, 50, 99.9, 100]))
    for fn_name, arg in (("rank_filter", rank), ("median_filter", None),
                         ("percentile_filter", pct)):
        ours = _rank_call(fn_name, x, arg, fp, mode, cval, origin, backend)
        same(ours, _rank_oracle(fn_name, x, arg, fp, mode, cval, origin))


def _scipy_rank(fn_name, arg, k):
    """The order statistic scipy's rank filters select among ``k`` cells."""
    if fn_name == "median_filter":
        return k // 2
    if fn_name == "rank_filter":
        return arg + k if arg < 0 else arg
    p = arg + 100.0 if arg < 0 else arg
    return k - 1 if p == 100.0 else int(float(k) * p / 100.0)


def _rank_oracle(fn_name, x, arg, fp, mode, cval, origin):
    """scipy's answer, except where scipy's 1-D heap algorithm runs with a window not
    shorter than the line: it reads past its buffers there (its answers change from
    call to call: values from nowhere), and pycompute gives the n-D definition, scipy's
    answer for the line as a (1, n) image (the heap's window: all footprint.size cells,
    the order statistic of its True ones)."""
    args = () if arg is None else (arg,)
    k = int(np.count_nonzero(fp))
    r = _scipy_rank(fn_name, arg, k)
    heap = x.ndim == 1 and (x.size - ((fp.size - 1) // 2 - origin[0]) >= 0 or x.size == 1)
    if heap and fp.size >= x.size and 0 < r < k - 1:
        return ndi.rank_filter(x[None], r, footprint=np.ones((1, fp.size), bool), mode=mode,
                               cval=cval, origin=(0, origin[0]))[0]
    return getattr(ndi, fn_name)(x, *args, footprint=fp, mode=mode, cval=cval, origin=origin)


def test_1d_windows_not_shorter_than_the_line():
    """scipy's 1-D rank filter reads past its buffers when the window is not shorter
    than the line (the same call can give a value that is in neither the input nor
    cval); pycompute gives the n-D definition there, on both backends and under auto,
    NaN or not, and the same answer every call."""
    x = np.array([-18, 67], np.int32)
    fp = np.ones(5, bool)
    want = ndi.rank_filter(x[None], 2, footprint=fp[None], mode="mirror", origin=(0, 2))[0]
    for backend in ["auto"] + BACKENDS:
        for _ in range(3):
            same(pc.rank.median_filter(x, footprint=fp, mode="mirror", origin=2,
                                       backend=backend), want)
    y = np.array([np.nan, 1.0, -0.0], np.float64)
    for backend in ["auto"] + BACKENDS:
        same(pc.rank.rank_filter(y, 1, size=4, mode="wrap", backend=backend),
             ndi.rank_filter(y[None], 1, size=(1, 4), mode="wrap")[0])


@pytest.mark.parametrize("backend,dtypes", drawing(NATIVE_DTYPES))
@SETTINGS
@given(data=st.data())
def test_axes_and_mode_sequences(backend, dtypes, data):
    x = make((5, 6, 7), data.draw(st.sampled_from(dtypes)), data.draw(st.integers(0, 99)))
    axes = data.draw(st.sampled_from([(0,), (2,), (0, 2), (1, 0), (-1, 0), (2, 1, 0)]))
    sizes = [data.draw(st.integers(1, 5)) for _ in axes]
    modes = [data.draw(st.sampled_from(MODES)) for _ in axes]
    for name in ("minimum_filter", "maximum_filter"):
        same(getattr(pc.rank, name)(x, size=sizes, mode=modes, axes=axes, backend=backend),
             getattr(ndi, name)(x, size=sizes, mode=modes, axes=axes))
    same(pc.rank.median_filter(x, size=sizes, axes=axes, backend=backend),
         ndi.median_filter(x, size=sizes, axes=axes))


# ---------------------------------------------------------------- fixed cases

@pytest.mark.parametrize("backend,dtype", by_backend(NATIVE_DTYPES))
@pytest.mark.parametrize("mode", MODES)
def test_every_dtype_and_mode(backend, dtype, mode):
    x = make((23, 41), dtype, 7)
    for size in (2, 3, 5, 9, 31):
        for name in ("minimum_filter", "maximum_filter"):
            same(getattr(pc.rank, name)(x, size=size, mode=mode, cval=1, backend=backend),
                 getattr(ndi, name)(x, size=size, mode=mode, cval=1))
    for size in (3, 5):  # the selection networks (and rank 0 / last: min / max)
        same(pc.rank.median_filter(x, size=size, mode=mode, cval=1, backend=backend),
             ndi.median_filter(x, size=size, mode=mode, cval=1))
        for r in (0, 1, size * size - 1):
            same(pc.rank.rank_filter(x, r, size=size, mode=mode, cval=1, backend=backend),
                 ndi.rank_filter(x, r, size=size, mode=mode, cval=1))
    same(pc.rank.median_filter(x, size=8, mode=mode, cval=1, backend=backend),  # quickselect
         ndi.median_filter(x, size=8, mode=mode, cval=1))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nan_inf_signed_zero(backend, dtype):
    """scipy's deque, footprint loop and NI_Select each treat NaN their own way."""
    x = make((17, 19), dtype, 3, special=True)
    fp = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool)
    for mode in ("reflect", "constant"):
        for cval in (0.0, -0.0, np.nan):
            kw = dict(mode=mode, cval=cval)
            for name in ("minimum_filter", "maximum_filter"):
                same(getattr(pc.rank, name)(x, size=(3, 4), backend=backend, **kw),
                     getattr(ndi, name)(x, size=(3, 4), **kw))
                same(getattr(pc.rank, name)(x, footprint=fp, backend=backend, **kw),
                     getattr(ndi, name)(x, footprint=fp, **kw))
            for r in range(1, 5):
                same(pc.rank.rank_filter(x, r, footprint=fp, backend=backend, **kw),
                     ndi.rank_filter(x, r, footprint=fp, **kw))
            same(pc.rank.median_filter(x, size=3, backend=backend, **kw),
                 ndi.median_filter(x, size=3, **kw))


@pytest.mark.parametrize("backend", BACKENDS)
def test_threads_bitwise_identical(backend):
    x = make((67, 1100), "float32", 5, special=True)
    xi = make((67, 1100), "uint8", 5)
    fp = np.ones((3, 3), bool)
    fp[0, 0] = False
    for a in (x, xi):
        for fn, kw in ((pc.rank.minimum_filter, dict(size=(5, 9))),
                       (pc.rank.maximum_filter, dict(size=(2, 31))),
                       (pc.rank.maximum_filter, dict(footprint=fp)),
                       (pc.rank.median_filter, dict(size=3)),
                       (pc.rank.rank_filter, dict(rank=3, footprint=fp))):
            one = fn(a, backend=backend, num_threads=1, **kw)
            two = fn(a, backend=backend, num_threads=2, **kw)
            same(one, two)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_agree(backend):
    x = make((40, 50), "float32", 9, special=True)
    same(pc.rank.median_filter(x, size=5, backend=backend),
         pc.rank.median_filter(x, size=5, backend="numpy"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_layouts(backend):
    """Non-contiguous, negative strides, byte-swapped, read-only input; output arrays."""
    base = make((30, 40), "float64", 11)
    variants = [base[::2, ::3], base[::-1, ::-1], base.T, base.astype(">f8"),
                np.asfortranarray(base)]
    ro = base.copy()
    ro.flags.writeable = False
    variants.append(ro)
    for v in variants:
        for fn, kw in ((pc.rank.minimum_filter, dict(size=4)),
                       (pc.rank.maximum_filter, dict(footprint=[[1, 0], [1, 1]])),
                       (pc.rank.median_filter, dict(size=3))):
            ref = getattr(ndi, fn.__name__)(v, **kw)
            ours = fn(v, backend=backend, **kw)
            np.testing.assert_array_equal(ours, ref)
            assert ours.dtype == ref.dtype
            out = np.empty(v.shape, v.dtype)
            assert fn(v, output=out, backend=backend, **kw) is out
            np.testing.assert_array_equal(out, ref)
    # output that is the input (scipy: through a temporary), and a strided output
    x = base.copy()
    ref = ndi.minimum_filter(x, size=3)
    pc.rank.minimum_filter(x, size=3, output=x, backend=backend)
    np.testing.assert_array_equal(x, ref)
    out = np.zeros((30, 80))[:, ::2]
    pc.rank.median_filter(base, size=3, output=out, backend=backend)
    np.testing.assert_array_equal(out, ndi.median_filter(base, size=3))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(0,), (0, 5), (4, 0), (1,), (1, 1), (1, 1, 1), (2, 3)])
def test_edge_shapes_and_big_windows(backend, shape):
    x = make(shape, "int16", 1)
    for size in (1, 2, 5, 13):  # windows larger than the image
        fp = np.ones((size,) * x.ndim, bool)
        for name in ("minimum_filter", "maximum_filter", "median_filter"):
            ours = getattr(pc.rank, name)(x, size=size, mode="wrap", backend=backend)
            if name == "median_filter":  # (1-D: the n-D definition, see _rank_oracle)
                want = _rank_oracle(name, x, None, fp, "wrap", 0.0, [0] * x.ndim)
            else:
                want = getattr(ndi, name)(x, size=size, mode="wrap")
            same(ours, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_huge_window_1d(backend):
    x = make((9,), "float32", 2)
    for size in (1000, 4097):
        same(pc.rank.minimum_filter1d(x, size, mode="mirror", backend=backend),
             ndi.minimum_filter1d(x, size, mode="mirror"))


def test_fallbacks_under_auto():
    """Outside native coverage ``auto`` runs scipy; a named backend refuses."""
    x = np.arange(12, dtype=np.int64).reshape(3, 4)
    same(pc.rank.minimum_filter(x, size=2), ndi.minimum_filter(x, size=2))
    xu8 = np.arange(12, dtype=np.uint8).reshape(3, 4)
    same(pc.rank.maximum_filter(xu8, size=2, mode="constant", cval=300),
         ndi.maximum_filter(xu8, size=2, mode="constant", cval=300))
    same(pc.rank.median_filter(xu8, size=2, output=np.float32),
         ndi.median_filter(xu8, size=2, output=np.float32))
    with pytest.raises(TypeError, match="no native kernel"):
        pc.rank.minimum_filter(x, size=2, backend="cython")
    y = np.array([1.0, np.nan, 3.0, 0.0, 2.0])  # 1-D with NaN: scipy's heap algorithm
    same(pc.rank.median_filter(y, size=3), ndi.median_filter(y, size=3))


def test_selection_networks_sort():
    """0-1 principle: a network that selects rank r on every 0/1 input selects it always."""
    for k in range(2, 13):
        bits = ((np.arange(2 ** k)[:, None] >> np.arange(k)) & 1).astype(np.int64)
        for r in range(k):
            net, sel = R._network(k, r)
            w = bits.copy()
            for i, j, op in net:
                lo = np.minimum(w[:, i], w[:, j])
                hi = np.maximum(w[:, i], w[:, j])
                if op in (0, 1):
                    w[:, i] = lo
                if op in (0, 2):
                    w[:, j] = hi
            np.testing.assert_array_equal(w[:, sel], np.sort(bits, axis=1)[:, r])


# ---------------------------------------------------------------- errors

def _scipy_error(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(*args, **kwargs)
    return info.value


ERROR_CASES = [
    ("minimum_filter", (np.ones((3, 3)),), dict(footprint=np.zeros((3, 3), bool))),
    ("minimum_filter", (np.ones((3, 3)),), dict(footprint=np.ones(3, bool) > 0,
                                                size=None, origin=0)),
    ("minimum_filter", (np.ones((3, 3)),), dict()),
    ("maximum_filter", (np.ones((3, 3)),), dict(size=3, origin=2)),
    ("maximum_filter", (np.ones((3, 3)),), dict(size=3, mode="bogus")),
    ("maximum_filter", (np.ones((3, 3)),), dict(size=3, axes=(0, 5))),
    ("maximum_filter", (np.ones((3, 3)),), dict(size=3, axes=(0, 0))),
    ("maximum_filter", (np.ones((3, 3)),), dict(footprint=[[1, 0], [0, 1]],
                                                mode=["reflect", "wrap"])),
    ("maximum_filter", (np.ones((3, 3)) + 1j,), dict(size=3)),
    ("minimum_filter1d", (np.ones(5),), dict(size=0)),
    ("minimum_filter1d", (np.ones(5),), dict(size=3, origin=-2)),
    ("median_filter", (np.ones((3, 3)),), dict(footprint=np.zeros((3, 3), bool))),
    ("median_filter", (np.ones((3, 3)),), dict(size=0)),
    ("median_filter", (np.ones((3, 3)),), dict(size=-1)),
    ("median_filter", (np.ones((3, 3)),), dict(footprint=np.ones((3, 3, 3)))),
    ("rank_filter", (np.ones((3, 3)), 9), dict(size=3)),
    ("rank_filter", (np.ones((3, 3)), -10), dict(size=3)),
    ("percentile_filter", (np.ones((3, 3)), 101), dict(size=3)),
    ("percentile_filter", (np.ones((3, 3)), -100.5), dict(size=3)),
    ("median_filter", (np.ones((3, 3)),), dict(size=3, origin=(0, 2))),
    ("median_filter", (np.ones((3, 3)),), dict(size=3, mode=["reflect", "wrap"])),
    ("median_filter", (np.ones((3, 3)),), dict(size=3, mode="bogus")),
]


@pytest.mark.parametrize("backend", ["auto"] + BACKENDS)
@pytest.mark.parametrize("name,args,kwargs", ERROR_CASES)
def test_errors_like_scipy(backend, name, args, kwargs):
    """scipy's exception type, its message inside ours."""
    ref = _scipy_error(getattr(ndi, name), *args, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(type(ref), match=re.escape(str(ref))):
            getattr(pc.rank, name)(*args, backend=backend, **kwargs)


def test_error_messages_name_the_argument():
    with pytest.raises(RuntimeError, match=r"`percentile`=101 must be in \[-100, 100\]"):
        pc.rank.percentile_filter(np.ones((3, 3)), 101, size=3)
    with pytest.raises(RuntimeError, match=r"`rank`=9 gives rank 9.*allowed: -9..8"):
        pc.rank.rank_filter(np.ones((3, 3)), 9, size=3)
    with pytest.raises(ValueError, match=r"`footprint` of shape \(2, 2\) has no True"):
        pc.rank.minimum_filter(np.ones((3, 3)), footprint=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"`origin`=2"):
        pc.rank.maximum_filter(np.ones((3, 3)), size=3, origin=2)
    with pytest.raises(ValueError, match="`backend`='gpu'"):
        pc.rank.median_filter(np.ones(3), size=3, backend="gpu")


def test_huge_window_refused_up_front(monkeypatch):
    from pycompute import _validation

    monkeypatch.setattr(_validation, "memory_limit", lambda: 1 << 30)
    with pytest.raises(MemoryError, match="`size`=1000000000"):
        pc.rank.minimum_filter1d(np.ones(10, np.float32), 10**9, backend="cython")
    with pytest.raises(MemoryError, match="footprint of"):
        pc.rank.median_filter(np.ones((4, 4), np.float32), footprint=np.ones((3000, 3000)),
                              backend="cython")


def test_size_zero_minmax_copies_like_scipy():
    """scipy's separable min/max skips axes with size <= 1: size 0 returns a copy."""
    x = np.arange(6.0).reshape(2, 3)
    same(pc.rank.minimum_filter(x, size=0), ndi.minimum_filter(x, size=0))
    with pytest.warns(UserWarning, match="ignoring size because footprint is set"):
        pc.rank.minimum_filter(x, size=3, footprint=np.ones((2, 2)))


@pytest.mark.parametrize("backend,dtype", by_backend(["uint8", "float32", "float64"]))
def test_long_windows_every_path(backend, dtype):
    """Windows past the doubling limit (transposed tiles of lines), the van Herk row pass
    with partial blocks, and a 5 x 5 median (its unrolled network) on wide rows."""
    x = make((70, 300), dtype, 4)
    for size in (129, 200, 611):
        for axis in (0, 1):
            for mode in ("reflect", "constant", "wrap"):
                same(pc.rank.maximum_filter1d(x, size, axis, mode=mode, cval=1, backend=backend),
                     ndi.maximum_filter1d(x, size, axis, mode=mode, cval=1))
    same(pc.rank.minimum_filter(x, size=(13, 150), backend=backend),
         ndi.minimum_filter(x, size=(13, 150)))
    y = make((9, 1100), dtype, 6)
    for s in (3, 5):
        same(pc.rank.median_filter(y, size=s, mode="mirror", backend=backend),
             ndi.median_filter(y, size=s, mode="mirror"))


# ---------------------------------------------------------------- the fused 2-D kernel

def _two_passes(kern, x, ky, kx, loy, lox, my, mx, cv, mn):
    """The two 1-D passes (minmax1d: rows then columns) that minmax2d fuses."""
    A, H, W = x.shape
    mid, out = np.empty_like(x), np.empty_like(x)
    kern.minmax1d(x, mid, ky, loy, my, cv, mn, 0, 2, 0, 1 << 40)
    kern.minmax1d(mid.reshape(A * H, W, 1), out.reshape(A * H, W, 1), kx, lox, mx, cv, mn, 0,
                  2, 0, 1 << 40)
    return out


@pytest.mark.parametrize("backend,dtype", by_backend(["float32", "float64", "uint8", "int16"]))
def test_fused_2d_kernel_equals_the_two_passes(backend, dtype):
    """minmax2d (rows then columns in one pass over memory) gives the bits of the two 1-D
    passes it replaces: several bands of rows, column chunks (float64 rows of 2,500:
    chunks of 1,057 to 8,192 columns, so the borders of some chunks' lines fall in other
    chunks: the per-column fold), windows on both sides of DIRECT_MAX, origins at
    both ends, every mode, signed zeros and ties."""
    from pycompute import _backends
    kern = _backends.kernels(backend, "rank")
    x = make((2, 300, 2500), dtype, 11)
    if x.dtype.kind == "f":
        x[x == 0] = np.where(np.random.default_rng(1).random((x == 0).sum()) < 0.5, -0.0, 0.0)
    for ky, kx in ((3, 3), (2, 9), (31, 4), (9, 128), (256, 5)):
        for loy, lox in ((ky // 2, kx // 2), (0, kx - 1), (ky - 1, 0)):
            for my, mx in ((0, 3), (3, 1), (4, 2), (1, 0)):
                for mn in (1, 0):
                    flag = np.zeros(1, np.uint8)
                    got = np.empty_like(x)
                    T = kern.minmax2d(x, got, ky, loy, my, kx, lox, mx, 1.0, mn, flag, 2, 0,
                                      1 << 40)
                    assert T > 1 and flag[0] == 0
                    same(got, _two_passes(kern, x, ky, kx, loy, lox, my, mx, 1.0, mn))


@pytest.mark.parametrize("backend,dtype", by_backend(["uint8", "float32", "float64"]))
def test_row_windows_at_every_length_and_start(backend, dtype):
    """Every window length along the row from 1 to 50, and past it to 128 at some widths
    (the line pass's folds of 2, 3, 4, its doublings and its last sweep of two or three
    overlapping pieces), on rows that
    start 0 to 3 elements past a cache line (the Cython combines align their vectors to
    the row they read, and run a first block and an overlapping last one around an
    aligned middle) and rows shorter and longer than a block of 64, with ties between
    -0.0 and +0.0 (scipy keeps the rightmost), against scipy: the fused 2-D kernel and
    the 1-D line pass."""
    rng = np.random.default_rng(5)
    if np.dtype(dtype).kind == "f":   # windows whose minimum is a tie of -0.0 and +0.0
        base = rng.choice(np.array([-0.0, 0.0, 1.0, 2.0], dtype), size=(6, 300))
    else:
        base = make((6, 300), dtype, 21)
    for start in range(4):
        for width in (37, 64, 65, 200):
            x = base[:, start:start + width]
            buf = np.empty(x.size + 8, x.dtype)   # a fresh buffer, ``start`` elements in
            y = buf[start:start + x.size].reshape(x.shape)
            y[...] = x
            for k in list(range(1, 51)) + ([73, 100, 108, 109, 128] if width == 200 else []):
                same(pc.rank.minimum_filter(y, size=(3, k), backend=backend),
                     ndi.minimum_filter(y, size=(3, k)))
                same(pc.rank.maximum_filter(-y, size=(3, k), backend=backend),
                     ndi.maximum_filter(-y, size=(3, k)))
                same(pc.rank.minimum_filter1d(y, k, axis=1, mode="wrap", backend=backend),
                     ndi.minimum_filter1d(y, k, axis=1, mode="wrap"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", [(0, 0), (0, 299), (150, 1400), (299, 2499), (77, 0)])
def test_fused_2d_kernel_reports_nan(backend, where):
    """One NaN anywhere in the input sets minmax2d's flag (its tasks check the rows they
    read: the first band's, a band's last, a chunk's edge columns), and the public call
    then gives scipy's answer from the deque passes; with no NaN the flag stays 0."""
    from pycompute import _backends
    kern = _backends.kernels(backend, "rank")
    x = make((300, 2500), "float64", 12)
    for ky, kx in ((3, 3), (9, 5)):
        flag = np.zeros(1, np.uint8)
        kern.minmax2d(x[None], np.empty_like(x)[None], ky, ky // 2, 0, kx, kx // 2, 0, 0.0, 1,
                      flag, 2, 0, 1 << 40)
        assert flag[0] == 0
    x[where] = np.nan
    for ky, kx in ((3, 3), (9, 5)):
        flag = np.zeros(1, np.uint8)
        kern.minmax2d(x[None], np.empty_like(x)[None], ky, ky // 2, 0, kx, kx // 2, 0, 0.0, 1,
                      flag, 2, 0, 1 << 40)
        assert flag[0] == 1
        for name in ("minimum_filter", "maximum_filter"):
            same(getattr(pc.rank, name)(x, size=(ky, kx), mode="nearest", backend=backend),
                 getattr(ndi, name)(x, size=(ky, kx), mode="nearest"))


@pytest.mark.parametrize("backend,dtype", by_backend(["uint8", "float32", "int16", "uint32"]))
def test_box_medians_match_scipy(backend, dtype):
    """median_box (the image rows read in place: the 3 x 3 row quad and row pair, the
    5 x 5 row sorts and row pair; the edge columns, and the bands that read a row of
    cval, have one row or fewer than 64 columns of such windows, through lines) against
    scipy: shapes smaller than the box, one and several tasks (bands of 16 rows; chunks
    of 512 columns (5 x 5) and 4,096 (3 x 3); a last chunk of a few columns; a last band
    of 1, 3, 5, 6 and 7 rows: quads, then pairs, the last one overlapping), 3-D input
    with a one-plane box, every mode, origins."""
    for shape in [(1, 1), (2, 3), (4, 7), (2, 100), (17, 200), (19, 1030), (5, 4100),
                  (21, 130), (22, 130), (23, 70), (3, 11, 515)]:
        x = make(shape, dtype, 7)
        for s in (3, 5):
            fp = np.ones((1, s, s) if len(shape) == 3 else (s, s), bool)
            for mode in MODES:
                for origin in (0, -(s // 2), (s - 1) // 2):
                    org = (0, origin, -origin) if len(shape) == 3 else (origin, -origin)
                    kw = dict(mode=mode, cval=3, origin=org)
                    same(pc.rank.median_filter(x, footprint=fp, backend=backend, **kw),
                         ndi.median_filter(x, footprint=fp, **kw))
    assert R._box_median(np.ones((3, 3), bool), 4) == 3
    assert R._box_median(np.ones((1, 5, 5), bool), 12) == 5
    assert not R._box_median(np.ones((3, 3, 3), bool), 13)
    assert not R._box_median(np.ones((3, 3), bool), 3)   # not the median: rank_net
    assert not R._box_median(np.ones((3, 5), bool), 7)


_NP_PAD = {"reflect": "symmetric", "grid-mirror": "symmetric", "mirror": "reflect",
           "nearest": "edge", "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant",
           "grid-constant": "constant"}


def _box_rank_oracle(x, rank, size, mode, cval, origin):
    """Element ``rank`` of each ky x kx window of the border-extended image (np.pad, then a
    sort of every window), planes of the last two axes: the definition, for the boxes
    where scipy's NI_RankFilter itself goes wrong: with a box larger than the image
    along an axis it can return values from nowhere (0 among them), and other values
    on the next call (scipy 1.17)."""
    ky, kx = size
    oy, ox = (ky // 2 + origin[-2], kx // 2 + origin[-1])
    kw = {"constant_values": cval} if _NP_PAD[mode] == "constant" else {}
    pad = ((0, 0),) * (x.ndim - 2) + ((ky, ky), (kx, kx))
    p = np.pad(x, pad, mode=_NP_PAD[mode], **kw)
    H, W = x.shape[-2:]
    p = p[..., ky - oy:ky - oy + H + ky - 1, kx - ox:kx - ox + W + kx - 1]
    win = np.lib.stride_tricks.sliding_window_view(p, (ky, kx), axis=(-2, -1))
    ranks = sorted(set(np.atleast_1d(rank).tolist()))
    part = np.partition(win.reshape(win.shape[:-2] + (-1,)), ranks, axis=-1)
    if np.ndim(rank) == 0:
        return part[..., rank].astype(x.dtype)
    return {r: part[..., r].astype(x.dtype) for r in ranks}


@pytest.mark.parametrize("backend,dtype", by_backend(["uint8", "int8"]))
def test_8bit_box_ranks_match_scipy(backend, dtype):
    """rank_hist (8-bit boxes of more than NET_MAX cells in one plane: Huang's sliding
    histogram along each output row; int8 through uint8 with the sign bit flipped, an
    order-preserving map, and back) against scipy: median, percentile and rank
    at both ends, boxes square, flat and tall, wider or taller than the image, every
    mode, origins, a constant cval, 3-D input with a one-plane box, one and several
    tasks (bands of 8 rows, chunks of 4,096 columns and a last chunk of a few); flat
    regions (the updates that cancel are skipped) and noise. Also against the
    definition (_box_rank_oracle, every rank from one partition), which is the answer
    where scipy's is not."""
    rng = np.random.default_rng(3)
    flat = np.repeat(np.repeat(rng.integers(0, 256, (6, 9), dtype=np.uint8).astype(dtype), 7, 0),
                     50, 1)
    cases = [make((1, 1), dtype, 1), make((5, 4), dtype, 2), make((37, 70), dtype, 3),
             make((21, 4103), dtype, 4), flat, make((3, 11, 60), dtype, 5)]
    for x in cases:
        for size in ((8, 8), (15, 15), (1, 60), (60, 1), (9, 13)):
            fp = np.ones((1,) * (x.ndim - 2) + size, bool)
            k = int(fp.sum())
            calls = (("median_filter", (), k // 2), ("rank_filter", (1,), 1),
                     ("rank_filter", (k - 2,), k - 2),
                     ("percentile_filter", (30,), int(k * 0.3)))
            for mode in MODES:
                org = tuple([0] * (x.ndim - 2)) + ((size[0] - 1) // 2, -(size[1] // 2))
                scipy_ok = all(s <= n for s, n in zip(size, x.shape[-2:]))
                want = _box_rank_oracle(x, [r for *_, r in calls], size, mode, 3, org)
                for name, arg, r in calls:
                    kw = dict(footprint=fp, mode=mode, cval=3, origin=org)
                    got = getattr(pc.rank, name)(x, *arg, backend=backend, **kw)
                    if scipy_ok:
                        same(got, getattr(ndi, name)(x, *arg, **kw))
                    same(got, want[r])
    assert R._plane_box(np.ones((1, 9, 9), bool)) and R._plane_box(np.ones((8, 8), bool))
    assert not R._plane_box(np.ones((2, 9, 9), bool))
    fp = np.ones((9, 9), bool)
    fp[0, 0] = False
    assert not R._plane_box(fp)


def _wide16(dtype, seed):
    """16-bit images for the two-level histogram: values over the whole range (the
    answer's high byte changes from one window to the next), a narrow range (one coarse
    bin for uint16; int16's straddles 0, two bins after the sign flip), values piled at both ends of the range (walks to the first and last bins of
    the padded fine histogram) and flat regions, with 9 rows of 4,103 columns (two bands
    of rows, two column chunks) and a 3-D stack."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    full = rng.integers(info.min, info.max, (37, 70), endpoint=True).astype(dtype)
    narrow = (rng.integers(-40, 40, (9, 4103)) + (0 if info.min else 2000)).astype(dtype)
    ends = rng.choice(np.array([info.min, info.min + 1, info.max - 1, info.max], dtype),
                      size=(30, 40))
    flat = np.repeat(np.repeat(rng.integers(info.min, info.max, (6, 9), endpoint=True)
                               .astype(dtype), 7, 0), 50, 1)
    stack = rng.integers(info.min, info.max, (3, 11, 60), endpoint=True).astype(dtype)
    return [make((1, 1), dtype, 1), make((5, 4), dtype, 2), full, narrow, ends, flat, stack]


@pytest.mark.parametrize("backend,dtype", by_backend(["uint16", "int16"]))
def test_16bit_box_ranks_match_scipy(backend, dtype):
    """rank_hist on 16-bit boxes of more than NET_MAX cells in one plane (Huang's sliding
    histogram in two levels: the high byte, then the value, with 16-bin steps and a
    branch-free pick among the last 16; int16 through uint16 with the sign bit flipped)
    against scipy and the definition: median, percentile, ranks at both ends, boxes
    square, flat and tall, wider or taller than the image, every mode, origins, cvals at
    both ends of the dtype."""
    info = np.iinfo(dtype)
    for x in _wide16(dtype, 11):
        for size in ((8, 8), (15, 15), (1, 60), (60, 1), (9, 13)):
            fp = np.ones((1,) * (x.ndim - 2) + size, bool)
            k = int(fp.sum())
            scipy_ok = all(s <= n for s, n in zip(size, x.shape[-2:]))
            calls = (("median_filter", (), k // 2), ("rank_filter", (1,), 1),
                     ("rank_filter", (k - 2,), k - 2),
                     ("percentile_filter", (30,), int(k * 0.3)))
            for mode in MODES:
                cval = (info.min, info.max, 3)[(k + len(mode)) % 3]
                org = tuple([0] * (x.ndim - 2)) + ((size[0] - 1) // 2, -(size[1] // 2))
                want = _box_rank_oracle(x, [r for *_, r in calls], size, mode, cval, org)
                for name, arg, r in calls:
                    kw = dict(footprint=fp, mode=mode, cval=cval, origin=org)
                    got = getattr(pc.rank, name)(x, *arg, backend=backend, **kw)
                    if scipy_ok:
                        same(got, getattr(ndi, name)(x, *arg, **kw))
                    same(got, want[r])


def test_16bit_boxes_run_the_histogram(monkeypatch):
    """uint16 and int16 boxes past NET_MAX cells reach rank_hist (not quickselect), and
    an int16 call into an output= array leaves it right (the flip runs in a temporary)."""
    seen = []
    real = R._run_footprint

    def spy(kern, inp, out, odt, fp, origins, mode_c, cv, how, num_threads):
        seen.append((inp.dtype, how[0]))
        return real(kern, inp, out, odt, fp, origins, mode_c, cv, how, num_threads)

    monkeypatch.setattr(R, "_run_footprint", spy)
    for dtype in ("uint16", "int16"):
        x = _wide16(dtype, 5)[2]
        out = np.full(x.shape, 9, dtype)
        got = pc.rank.median_filter(x, size=9, output=out, backend="cython")
        assert got is out
        same(out, ndi.median_filter(x, size=9))
    assert seen == [(np.dtype("uint16"), "hist"), (np.dtype("int16"), "hist")]


@pytest.mark.parametrize("backend", [b for b in BACKENDS])
def test_int8_box_ranks_cval_and_output(backend):
    """int8 boxes through the uint8 histogram (sign bit flipped): constant-mode cvals at
    both ends of int8 and in between, into a preallocated output= array and into a new
    one, against the definition and scipy."""
    x = make((23, 70), "int8", 9)
    fp = np.ones((9, 8), bool)
    for cval in (-128, -100, -1, 0, 77, 127):
        kw = dict(footprint=fp, mode="constant", cval=cval)
        out = np.full(x.shape, 5, np.int8)
        got = pc.rank.median_filter(x, output=out, backend=backend, **kw)
        assert got is out
        same(out, ndi.median_filter(x, **kw))
        same(out, _box_rank_oracle(x, 36, (9, 8), "constant", cval, (0, 0)))
        same(pc.rank.percentile_filter(x, 20, backend=backend, **kw),
             ndi.percentile_filter(x, 20, **kw))


def test_fused_path_is_taken():
    """2-D (and the last two axes of 3-D) ``size=`` calls run fused; windows past the
    kernel's scratch, a NaN cval in constant mode and other axes do not."""
    ops = lambda *sz: [(a, s, s // 2, 0) for a, s in sz]  # noqa: E731
    assert R._fusable(ops((0, 3), (1, 9)), 2, 0.0)
    assert R._fusable(ops((0, 5), (1, 3), (2, 7)), 3, 0.0)
    assert R._fusable(ops((0, R.FUSE_KY_MAX), (1, R.DOUBLING_MAX)), 2, 0.0)
    assert not R._fusable(ops((0, R.FUSE_KY_MAX + 1), (1, 3)), 2, 0.0)
    assert not R._fusable(ops((0, 3), (1, R.DOUBLING_MAX + 1)), 2, 0.0)
    assert not R._fusable(ops((0, 3), (1, 3)), 3, 0.0)   # axes 0 and 1 of a 3-D array
    assert not R._fusable(ops((1, 3)), 2, 0.0)
    assert not R._fusable([(0, 3, 1, 4), (1, 3, 1, 4)], 2, float("nan"))
    assert R._fusable([(0, 3, 1, 0), (1, 3, 1, 0)], 2, float("nan"))  # cval unused


def test_median3x3_circuit_zero_one():
    """The 3 x 3 median of the kernels (_median3x3: columns sorted, then med3 of the max of
    the lows, the med3 of the mids and the min of the highs), replayed on all 512 0/1
    windows: a min/max circuit right on every 0/1 input is right on every input."""
    w = ((np.arange(512)[:, None] >> np.arange(9)) & 1)  # cell dy * 3 + dx
    mn, mx = np.minimum, np.maximum

    def med3(a, b, c):
        return mx(mn(a, b), mn(mx(a, b), c))

    lo, mid, hi = [], [], []
    for dx in range(3):
        u, v, x = w[:, dx], w[:, 3 + dx], w[:, 6 + dx]
        u, v = mn(u, v), mx(u, v)
        v, x = mn(v, x), mx(v, x)
        u, v = mn(u, v), mx(u, v)
        lo.append(u)
        mid.append(v)
        hi.append(x)
    got = med3(mx(mx(lo[0], lo[1]), lo[2]), med3(*mid), mn(mn(hi[0], hi[1]), hi[2]))
    np.testing.assert_array_equal(got, np.sort(w, axis=1)[:, 4])


def test_median3x3_row_pair_circuit_zero_one():
    """The 3 x 3 median of the image rows read in place (pyc_med3x2 and _med3x2: each row's
    three neighbours sorted, the lows' max, the mids' med3 and the highs' min over rows
    shared between two output rows), replayed on all 4,096 0/1 inputs of four rows of
    three: both outputs right on every 0/1 input, so right on every input."""
    w = ((np.arange(1 << 12)[:, None] >> np.arange(12)) & 1)  # cell row * 3 + dx
    mn, mx = np.minimum, np.maximum

    def med3(p, q, r):
        return mx(mn(p, q), mn(mx(p, q), r))

    def sort3(a, b, c):
        s, t = mn(a, b), mx(a, b)
        u = mx(s, c)
        return mn(s, c), mn(t, u), mx(t, u)

    (l0, m0, h0), (l1, m1, h1), (l2, m2, h2), (l3, m3, h3) = (
        sort3(*(w[:, 3 * r + dx] for dx in range(3))) for r in range(4))
    lo, hi, ml, mh = mx(l1, l2), mn(h1, h2), mn(m1, m2), mx(m1, m2)
    top = med3(mx(lo, l0), mx(ml, mn(mh, m0)), mn(hi, h0))
    bottom = med3(mx(lo, l3), mx(ml, mn(mh, m3)), mn(hi, h3))
    np.testing.assert_array_equal(top, np.sort(w[:, :9], axis=1)[:, 4])
    np.testing.assert_array_equal(bottom, np.sort(w[:, 3:], axis=1)[:, 4])


def _run_circuit(ops, outs, inputs):
    """Evaluate a straight-line min/max program (R._med5_circuits) on 0/1 inputs (bool
    arrays by name): min is ``&``, max is ``|``."""
    v = dict(inputs)
    for name, kind, a, b in ops:
        v[name] = (v[a] & v[b]) if kind == "mn" else (v[a] | v[b])
    return [v[o] for o in outs]


POP5 = np.array([bin(v).count("1") for v in range(32)])  # ones in a row of five


@pytest.mark.parametrize("out", [0, 1])
def test_median5x5_circuit_every_zero_one_window(out):
    """The 5 x 5 box median's circuit (R._med5_circuits: rows sorted once, the pair of
    output rows sharing four rows' column sorts, rank 6 of the 13 cells that can be the
    median by the pruned _MED13), on every one of the 2^25 0/1 windows of each output of
    the pair: right on every 0/1 window, so (the 0-1 principle, min/max only) right on
    every input. The other output's sixth row is held at 0 and at 1."""
    cir = R._med5_circuits()
    hops, hout = cir["hsort"]
    pops, pout = cir["pair"]
    # the row sort on all 32 rows of five, as the rank bits of each row value
    rows = np.arange(32)
    hx = {f"x{k}": ((rows >> k) & 1).astype(bool) for k in range(5)}
    ranks = np.stack(_run_circuit(hops, hout, hx), axis=1)   # (32, 5): row -> its ranks
    np.testing.assert_array_equal(ranks.sum(1), [bin(r).count("1") for r in rows])
    np.testing.assert_array_equal(ranks, np.sort(ranks, axis=1))
    chunk = 1 << 20
    for start in range(0, 1 << 25, chunk):
        win = np.arange(start, start + chunk, dtype=np.int64)
        own = [(win >> (5 * r)) & 31 for r in range(5)]   # the window's 5 rows of 5 bits
        want = (sum(POP5[o] for o in own) >= 13)
        for other in (0, 31):
            rws = own + [np.full(chunk, other)] if out == 0 else [np.full(chunk, other)] + own
            inp = {f"s{r}{c}": ranks[rws[r], c] for r in range(6) for c in range(5)}
            got = _run_circuit(pops, pout, inp)[out]
            assert np.array_equal(got, want), (out, start, other)


def test_median5x5_kernels_are_the_generated_circuit():
    """Both backends' 5 x 5 loops are what kernels/gen_median5.py writes from
    R._med5_circuits (the circuit tested above), byte for byte."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "kernels", "gen_median5.py")
    spec = importlib.util.spec_from_file_location("gen_median5", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for file, text in gen.generated().items():
        with open(file) as f:
            assert f.read() == text, f"{file}: run python kernels/gen_median5.py"


def test_numba_kernels_type_each_dtype_once():
    """A read-only and a writeable input run the same compiled code: every array a Numba
    rank function only reads is typed read-only, the input and scratch alike, so no jitted
    function holds two signatures that differ only in an array's writeability (each would
    be one more cold compile per dtype; issue 13). Every path, on uint8 (compiled already
    by the default run's sweeps) and a float64 NaN for the deque. The entry kernels are
    checked always; their helpers where this process compiled them (a kernel loaded from
    the disk cache brings its helpers' code along: they list no signatures then)."""
    from numba import types
    from numba.core.registry import CPUDispatcher

    from pycompute._numba import rank as nbr

    x = make((9, 140), "uint8", 1)
    fp = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool)
    fp9 = np.array([[0, 1, 1, 0], [1, 1, 1, 1], [0, 1, 1, 1]], bool)
    fp25 = np.ones((5, 6), bool)
    fp25[::2, 0] = False
    fp25[1::2, 5] = False   # 25 cells, not a box: the tap-row network (_net_m25)
    xn = make((9, 14), "float64", 1, special=True)
    for a in (x, xn):
        ro = a.copy()
        ro.flags.writeable = False
        for v in (a, ro):
            for kw in (dict(size=(5, 2)), dict(size=(1, 140)), dict(footprint=fp)):
                pc.rank.maximum_filter(v, backend="numba", **kw)
            pc.rank.minimum_filter1d(v[:1], 140, backend="numba")  # one long line
            pc.rank.minimum_filter1d(v, 5, axis=0, backend="numba")  # rows as vectors
            for kw in (dict(size=3), dict(size=5), dict(size=8), dict(footprint=fp9),
                       dict(footprint=fp), dict(footprint=fp25)):
                pc.rank.median_filter(v, backend="numba", **kw)

    def writeable(sig):
        return tuple(t.copy(readonly=False) if isinstance(t, types.Array) else t for t in sig)

    xr = x.copy()
    xr.flags.writeable = False
    for v in (x, xr):
        pc.rank.median_filter(v, size=8, backend="numba")  # 64 uint8 cells: rank_hist

    entries = {"_mm_harter", "_mm_lines", "_mm_tiles", "_mm_rows", "_mm2d", "_minmax_fp",
               "_rank_fp", "_med_box3", "_med_box5", "_net_m25", "_net_m9", "_net_any", "_rank_hist"}
    for name, fn in vars(nbr).items():
        if isinstance(fn, CPUDispatcher):
            assert fn.signatures or name not in entries, name  # every path ran
            sigs = [writeable(s) for s in fn.signatures]
            assert len(sigs) == len(set(sigs)), (name, fn.signatures)
