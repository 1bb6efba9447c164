"""pycompute.convolution against scipy.ndimage (the oracle), every native backend.

Tolerance policy (one rule, used by ``assert_matches``):

* float64 work (every call except float32 input -> float32 output): results must
  equal scipy's bit for bit, integers included. The kernels sum the same terms
  in the same order as ni_filters.c with FP contraction off and reproduce its
  double -> integer casts, so there is nothing to tolerate; an integer result
  that is off by one is a real bug (truncation of x.9999 vs x+1).
* float32 input with float32 output: the kernels accumulate in float32 with
  FMA where scipy accumulates in float64 and rounds once. Each of the K taps
  of a pass adds at most one float32 rounding of the running sum, so
  |ours - scipy| <= (K + 2) * eps32 * sum_k |w_k| * max|x| per pass; passes
  compose by multiplying the weight norms. NaN/inf positions must match exactly.
"""
from __future__ import annotations

import concurrent.futures
import math

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from nasty import EPS32, FILTER_DTYPES, FILTER_MODES, make, scaled_settings

import pycompute as pc

BACKENDS = ["cython", "numba"]
MODES = FILTER_MODES
DTYPES = FILTER_DTYPES
SETTINGS = scaled_settings(60)


def assert_matches(ours, ref, x, taps=1, norm=1.0):
    """``ours`` equals scipy's ``ref`` (see module docstring for the float32 rule).

    ``taps`` is the largest kernel length of a pass, ``norm`` the product over
    passes of sum |w| (the growth of the values)."""
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    if ours.dtype == np.float32 and x.dtype == np.float32:
        finite = np.isfinite(ref)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
        np.testing.assert_array_equal(ours[~finite & ~np.isnan(ref)],
                                      ref[~finite & ~np.isnan(ref)])
        xs = np.abs(x[np.isfinite(x)]) if x.size else np.zeros(1)
        scale = max(float(xs.max()) if xs.size else 1.0, 1.0)
        atol = (taps + 2) * EPS32 * norm * scale * 4
        np.testing.assert_allclose(ours[finite], ref[finite], rtol=0, atol=atol)
    else:
        np.testing.assert_array_equal(ours, ref)


# ---------------------------------------------------------------- hypothesis strategies

shapes = st.lists(st.integers(1, 7), min_size=1, max_size=3).map(tuple)
dtypes = st.sampled_from(DTYPES)
modes = st.sampled_from(MODES)
cvals = st.sampled_from([0.0, 1.5, -3.0])
outputs = st.sampled_from([None, "same", "float64", "int32", "uint8", "array64"])
seeds = st.integers(0, 2**32 - 1)


def output_arg(kind, shape, dtype):
    if kind is None:
        return lambda: None
    if kind == "same":
        return lambda: np.dtype(dtype)
    if kind == "array64":
        return lambda: np.zeros(shape, np.float64)
    return lambda: np.dtype(kind)


def both(pc_fn, sp_fn, args, kwargs, out_kind, shape, dtype):
    mk = output_arg(out_kind, shape, dtype)
    ours = pc_fn(*args, output=mk(), **kwargs)
    ref = sp_fn(*args, output=mk(), **{k: v for k, v in kwargs.items()
                                      if k not in ("backend", "num_threads")})
    return ours, ref


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(shape=shapes, dtype=dtypes, k=st.integers(1, 9), mode=modes, cval=cvals, data=st.data(),
       out_kind=outputs, seed=seeds, conv=st.booleans(), special=st.booleans())
def test_correlate1d_matches_scipy(backend, shape, dtype, k, mode, cval, data, out_kind, seed,
                                   conv, special):
    # tolerance (assert_matches): bit-exact for every dtype except float32 -> float32,
    # which may differ by (k + 2) * eps32 * sum|w| * max|x| (float32 FMA accumulation)
    x = make(shape, dtype, seed, special)
    rng = np.random.default_rng(seed + 1)
    w = rng.standard_normal(k)
    if data.draw(st.booleans()):  # symmetric / antisymmetric weights take scipy's paired path
        w = (w + w[::-1]) / 2 if data.draw(st.booleans()) else (w - w[::-1]) / 2
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    # convolve1d maps origin to -origin (-1 for even k): the valid range is the same
    origin = data.draw(st.integers(-(k // 2), (k - 1) // 2))
    pc_fn, sp_fn = (pc.convolve1d, ndi.convolve1d) if conv else (pc.correlate1d, ndi.correlate1d)
    ours, ref = both(pc_fn, sp_fn, (x, w, axis), dict(mode=mode, cval=cval, origin=origin,
                                                      backend=backend),
                     out_kind, shape, dtype)
    assert_matches(ours, ref, x, k, float(np.abs(w).sum()))


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(shape=shapes, dtype=dtypes, mode=modes, cval=cvals, data=st.data(), out_kind=outputs,
       seed=seeds, conv=st.booleans(), special=st.booleans())
def test_correlate_matches_scipy(backend, shape, dtype, mode, cval, data, out_kind, seed, conv,
                                 special):
    # tolerance (assert_matches): bit-exact except float32 -> float32, as correlate1d
    x = make(shape, dtype, seed, special)
    rng = np.random.default_rng(seed + 1)
    wshape = tuple(data.draw(st.integers(1, 5)) for _ in shape)  # may exceed the input, even sizes
    w = rng.standard_normal(wshape)
    if data.draw(st.booleans()):  # zero taps are skipped, as in scipy (else: the full-grid path)
        w[rng.random(wshape) < 0.3] = 0.0
    origin = [data.draw(st.integers(-(n // 2), (n - 1) // 2)) for n in wshape]
    pc_fn, sp_fn = (pc.convolve, ndi.convolve) if conv else (pc.correlate, ndi.correlate)
    ours, ref = both(pc_fn, sp_fn, (x, w), dict(mode=mode, cval=cval, origin=origin,
                                                backend=backend), out_kind, shape, dtype)
    assert_matches(ours, ref, x, w.size, float(np.abs(w).sum()))


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(shape=shapes, dtype=dtypes, cval=cvals, data=st.data(), out_kind=outputs, seed=seeds)
def test_uniform_filter_matches_scipy(backend, shape, dtype, cval, data, out_kind, seed):
    x = make(shape, dtype, seed)
    n = len(shape)
    sizes = [data.draw(st.integers(1, 9)) for _ in range(n)]
    origins = [data.draw(st.integers(-(s // 2), (s - 1) // 2)) for s in sizes]
    mode = data.draw(st.one_of(modes, st.lists(modes, min_size=n, max_size=n)))
    ours, ref = both(pc.uniform_filter, ndi.uniform_filter, (x, sizes),
                     dict(mode=mode, cval=cval, origin=origins, backend=backend),
                     out_kind, shape, dtype)
    # uniform filters run in float64 (or provably exact) work for every dtype: bit-exact
    np.testing.assert_array_equal(ours, ref)
    assert ours.dtype == ref.dtype
    axis = data.draw(st.integers(-n, n - 1))
    ours, ref = both(pc.uniform_filter1d, ndi.uniform_filter1d, (x, sizes[0], axis),
                     dict(mode=mode if isinstance(mode, str) else mode[0], cval=cval,
                          origin=origins[0], backend=backend), out_kind, shape, dtype)
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(shape=shapes, dtype=dtypes, cval=cvals, data=st.data(), out_kind=outputs, seed=seeds)
def test_gaussian_filter_matches_scipy(backend, shape, dtype, cval, data, out_kind, seed):
    # tolerance (assert_matches): bit-exact except float32 -> float32, per pass as correlate1d
    x = make(shape, dtype, seed)
    n = len(shape)
    sigma = [data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.3])) for _ in range(n)]
    order = data.draw(st.integers(0, 2))
    truncate = data.draw(st.sampled_from([4.0, 2.0, 0.5]))
    mode = data.draw(st.one_of(modes, st.lists(modes, min_size=n, max_size=n)))
    ours, ref = both(pc.gaussian_filter, ndi.gaussian_filter, (x, sigma),
                     dict(order=order, mode=mode, cval=cval, truncate=truncate,
                          backend=backend), out_kind, shape, dtype)
    k = 2 * int(truncate * max(sigma) + 0.5) + 1
    norm = (4.0 ** order) ** n  # derivative kernels have sum|w| of order 1/sigma^order <= 4
    assert_matches(ours, ref, x, k, norm)
    radius = data.draw(st.integers(0, 4))
    axis = data.draw(st.integers(-n, n - 1))
    ours, ref = both(pc.gaussian_filter1d, ndi.gaussian_filter1d, (x, 1.5, axis),
                     dict(order=order, radius=radius, mode=mode if isinstance(mode, str)
                          else mode[0], cval=cval, backend=backend), out_kind, shape, dtype)
    assert_matches(ours, ref, x, 2 * radius + 1, 4.0 ** order)


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(shape=shapes, dtype=dtypes, cval=cvals, data=st.data(), out_kind=outputs, seed=seeds,
       which=st.sampled_from(["sobel", "prewitt", "laplace"]))
def test_derivatives_match_scipy(backend, shape, dtype, cval, data, out_kind, seed, which):
    # tolerance (assert_matches): bit-exact except float32 -> float32 (3-tap passes)
    x = make(shape, dtype, seed)
    n = len(shape)
    pc_fn, sp_fn = getattr(pc, which), getattr(ndi, which)
    if which == "laplace":
        axes = data.draw(st.sampled_from([None] + [(i,) for i in range(n)]
                                         + [tuple(range(n))[::-1]]))
        na = n if axes is None else len(axes)
        mode = data.draw(st.one_of(modes, st.lists(modes, min_size=na, max_size=na)))
        ours, ref = both(pc_fn, sp_fn, (x,), dict(mode=mode, cval=cval, axes=axes,
                                                  backend=backend), out_kind, shape, dtype)
        norm = 4.0 * n
    else:
        axis = data.draw(st.integers(-n, n - 1))
        mode = data.draw(st.one_of(modes, st.lists(modes, min_size=n, max_size=n)))
        ours, ref = both(pc_fn, sp_fn, (x, axis), dict(mode=mode, cval=cval, backend=backend),
                         out_kind, shape, dtype)
        norm = 2.0 * 4.0 ** (n - 1)
    assert_matches(ours, ref, x, 3 * n, norm)


# ---------------------------------------------------------------- shapes and layouts

LAYOUT_CASES = {
    "non-contiguous": lambda a: a[:, ::2],
    "negative-stride": lambda a: a[::-1, ::-3],
    "transposed": lambda a: a.T,
    "byte-swapped": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "read-only": lambda a: _readonly(a),
}


def _readonly(a):
    a = a.copy()
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("layout", sorted(LAYOUT_CASES))
@pytest.mark.parametrize("dtype", ["float64", "uint16"])
def test_layouts(backend, layout, dtype):
    x = LAYOUT_CASES[layout](make((19, 24), dtype, 7))
    w2 = np.arange(1.0, 7.0).reshape(2, 3) - 3.5
    for ours, ref in [
        (pc.correlate(x, w2, backend=backend), ndi.correlate(x, w2)),
        (pc.correlate1d(x, [1.0, -2.5, 0.5, 3.0], 0, backend=backend),
         ndi.correlate1d(x, [1.0, -2.5, 0.5, 3.0], 0)),
        (pc.gaussian_filter(x, 1.2, backend=backend), ndi.gaussian_filter(x, 1.2)),
        (pc.uniform_filter(x, (2, 5), backend=backend), ndi.uniform_filter(x, (2, 5))),
        (pc.sobel(x, 0, backend=backend), ndi.sobel(x, 0)),
    ]:
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape,wshape", [((1, 1), (3, 3)), ((1, 9), (3, 4)), ((9, 1), (6, 1)),
                                          ((2, 3), (7, 8)), ((1,), (5,)), ((4, 3, 2), (5, 2, 3))])
@pytest.mark.parametrize("mode", MODES)
def test_small_inputs_and_large_weights(backend, shape, wshape, mode):
    x = make(shape, "float64", 3)
    w = make(wshape, "float64", 4)
    np.testing.assert_array_equal(pc.correlate(x, w, mode=mode, cval=2.0, backend=backend),
                                  ndi.correlate(x, w, mode=mode, cval=2.0))
    np.testing.assert_array_equal(
        pc.correlate1d(x, w.ravel()[:9], mode=mode, cval=2.0, backend=backend),
        ndi.correlate1d(x, w.ravel()[:9], mode=mode, cval=2.0))
    np.testing.assert_array_equal(
        pc.uniform_filter1d(x, 8, 0, mode=mode, cval=2.0, backend=backend),
        ndi.uniform_filter1d(x, 8, 0, mode=mode, cval=2.0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_inf_in_input_and_weights(backend):
    x = make((12, 13), "float64", 5)
    x[3, 4], x[7, 0], x[0, 12] = np.nan, np.inf, -np.inf
    w = np.array([[1.0, 0.0, 2.0], [0.0, np.nan, 0.0], [np.inf, 0.0, 1.0]])
    np.testing.assert_array_equal(pc.correlate(x, w, backend=backend), ndi.correlate(x, w))
    # zero weights are skipped (as scipy): a NaN under a zero tap must not spread
    w0 = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    ours = pc.correlate(x, w0, backend=backend)
    np.testing.assert_array_equal(ours, ndi.correlate(x, w0))
    assert np.isnan(ours).sum() == 1
    np.testing.assert_array_equal(pc.correlate1d(x, [1.0, np.inf, 1.0], backend=backend),
                                  ndi.correlate1d(x, [1.0, np.inf, 1.0]))
    np.testing.assert_array_equal(pc.uniform_filter(x, 3, backend=backend),
                                  ndi.uniform_filter(x, 3))
    x32 = x.astype(np.float32)
    assert_matches(pc.gaussian_filter(x32, 1.0, backend=backend), ndi.gaussian_filter(x32, 1.0),
                   x32, 9, 1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_of_range_integer_casts_match_scipy(backend):
    # scipy's C cast: truncation toward zero; beyond the type, x86-64 cvttsd2si wrap-around
    x = np.array([0.0, 1e3, -7.5, 3e9, -3e9, 2e19, np.nan, 1e300])
    for dt in DTYPES[2:]:
        np.testing.assert_array_equal(
            pc.correlate1d(x, [1.0], output=dt, backend=backend),
            ndi.correlate1d(x, [1.0], output=dt), err_msg=dt)
    u8 = np.array([0, 10, 0, 200, 7], np.uint8)
    np.testing.assert_array_equal(pc.sobel(u8, backend=backend), ndi.sobel(u8))


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_place_output(backend):
    base = make((17, 21), "float64", 11)
    cases = [
        (lambda a, **k: pc.correlate(a, np.ones((3, 2)), output=a, **k),
         lambda a: ndi.correlate(a, np.ones((3, 2)))),
        (lambda a, **k: pc.correlate1d(a, [1.0, 2.0, -1.0], 0, output=a, **k),
         lambda a: ndi.correlate1d(a, [1.0, 2.0, -1.0], 0)),
        (lambda a, **k: pc.gaussian_filter(a, 2.0, output=a, **k),
         lambda a: ndi.gaussian_filter(a, 2.0)),
        (lambda a, **k: pc.uniform_filter(a, 4, output=a, **k),
         lambda a: ndi.uniform_filter(a, 4)),
        (lambda a, **k: pc.sobel(a, 1, output=a, **k), lambda a: ndi.sobel(a, 1)),
        (lambda a, **k: pc.laplace(a, output=a, **k), lambda a: ndi.laplace(a)),
    ]
    for ours_fn, ref_fn in cases:
        a = base.copy()
        expected = ref_fn(base.copy())
        res = ours_fn(a, backend=backend)
        assert res is a
        np.testing.assert_array_equal(a, expected)
    # output is a view overlapping the input; and a non-contiguous output array
    a = base.copy()
    out = a[::-1]
    expected = ndi.uniform_filter(base, 3)
    pc.uniform_filter(a, 3, output=out, backend=backend)
    np.testing.assert_array_equal(out, expected)
    big = np.zeros((17, 42))
    pc.correlate1d(base, [1.0, 2.0], output=big[:, ::2], backend=backend)
    np.testing.assert_array_equal(big[:, ::2], ndi.correlate1d(base, [1.0, 2.0]))
    assert not big[:, 1::2].any()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
def test_bitwise_equal_at_1_and_2_threads(backend, dtype):
    x = make((300, 257), dtype, 13)
    calls = [
        lambda k: pc.correlate(x, np.arange(25.0).reshape(5, 5) - 12.5, num_threads=k,
                               backend=backend),
        lambda k: pc.gaussian_filter(x, 2.0, num_threads=k, backend=backend),
        lambda k: pc.uniform_filter(x, (3, 7), num_threads=k, backend=backend),
        lambda k: pc.correlate1d(x, [1.0, 3.0, -2.0, 0.5], 0, num_threads=k, backend=backend),
    ]
    for call in calls:
        one, two = call(1), call(2)
        assert one.tobytes() == two.tobytes()


# ---------------------------------------------------------------- the fast paths
# (Cython: kernels/_fastconv.h; Numba: the ring and fused kernels of _numba/convolution.py).
# Hypothesis shapes above are tiny and mostly reach the scalar tails; these sizes run the
# vector loops, both border treatments of the Cython dense kernel (rows copied into a
# ring, or read in place with border pieces for rows too wide for the ring) and the
# fused two-pass kernel with and without its row ring.

FAST_DENSE = [((37, 300), (3, 3)), ((21, 1100), (5, 5)), ((19, 150), (9, 9)),
              ((13, 70), (2, 7)), ((9, 200), (4, 17)), ((11, 90), (3, 18)),
              ((6, 15000), (3, 3)),  # rows too wide for the ring: in-place pieces
              ((3, 11, 260), (3, 3)), ((2, 40), (7, 5))]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape,wshape", FAST_DENSE, ids=[f"{s}-{w}" for s, w in FAST_DENSE])
def test_fast_dense_float32_matches_scipy(backend, shape, wshape):
    x = make(shape, "float32", 31)
    rng = np.random.default_rng(32)
    w = rng.standard_normal(wshape)
    if len(shape) == 3:
        w = w[None]
    norm = float(np.abs(w).sum())
    for mode in MODES:
        for origin in [0, [(n - 1) // 2 for n in w.shape]]:
            kw = dict(mode=mode, cval=1.5, origin=origin)
            ours = pc.correlate(x, w, backend=backend, **kw)
            assert_matches(ours, ndi.correlate(x, w, **kw), x, w.size, norm)
            assert ours.tobytes() == pc.correlate(x, w, backend=backend, num_threads=2,
                                                  **kw).tobytes()
    # zero weights are dropped (as scipy does): a row of taps with a gap is no full grid
    wz = w.copy()
    wz[..., 1] = 0.0
    assert_matches(pc.correlate(x, wz, backend=backend), ndi.correlate(x, wz), x, w.size, norm)
    xs = make(shape, "float32", 33, special=True)
    assert_matches(pc.correlate(xs, w, backend=backend), ndi.correlate(xs, w), xs, w.size,
                   norm)


@pytest.mark.parametrize("width", [2896, 2900])
def test_fast_dense_streamed_stores_on_large_outputs(width):
    # outputs of >= 2**23 floats from kernels of <= 16 taps are written with
    # non-temporal stores where the rows are 64-byte aligned (width % 16 == 0)
    x = make((2900, width), "float32", 35)
    w = np.random.default_rng(36).standard_normal((3, 3))
    for mode in ["reflect", "constant"]:
        ours = pc.correlate(x, w, mode=mode, cval=0.5, backend="cython", num_threads=2)
        assert_matches(ours, ndi.correlate(x, w, mode=mode, cval=0.5), x, 9,
                       float(np.abs(w).sum()))
        assert ours.tobytes() == pc.correlate(x, w, mode=mode, cval=0.5, backend="cython",
                                              num_threads=1).tobytes()


FAST_SEP = [(40, 300), (20, 9000), (70, 4000), (5, 3), (130, 67)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", FAST_SEP, ids=[str(s) for s in FAST_SEP])
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_fused_gaussian_equals_two_separate_passes(backend, shape, mode):
    # gaussian_filter on 2-D float32 runs both passes in one kernel (the intermediate in
    # per-thread row buffers); it must equal the two 1-D passes run one after the other
    # bit for bit, and scipy within the float32 tolerance.
    x = make(shape, "float32", 41)
    for sigma, order in [(0.25, 0), (0.5, 1), (1.0, 0), (1.5, 2), (2.0, 0), (3.0, 1), (8.0, 0)]:
        kw = dict(mode=mode, cval=-2.0)
        ours = pc.gaussian_filter(x, sigma, order=order, backend=backend, **kw)
        two = pc.gaussian_filter1d(x, sigma, axis=0, order=order, backend=backend, **kw)
        two = pc.gaussian_filter1d(two, sigma, axis=1, order=order, backend=backend, **kw)
        assert ours.tobytes() == two.tobytes(), (sigma, order)
        taps = 2 * int(4.0 * sigma + 0.5) + 1
        norm = float(np.abs(pc.convolution._gaussian_kernel1d(sigma, order, taps // 2)).sum())
        assert_matches(ours, ndi.gaussian_filter(x, sigma, order=order, **kw), x, taps,
                       norm * norm)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fused_pair_on_channel_stacks_and_derivatives(backend):
    x = make((33, 70, 3), "float32", 43)
    ours = pc.gaussian_filter(x, (1.0, 2.0, 0.0), backend=backend)
    two = pc.gaussian_filter1d(x, 1.0, axis=0, backend=backend)
    two = pc.gaussian_filter1d(two, 2.0, axis=1, backend=backend)
    assert ours.tobytes() == two.tobytes()
    y = make((40, 90), "float32", 44)
    for fn, smooth in ((pc.sobel, [1.0, 2.0, 1.0]), (pc.prewitt, [1.0, 1.0, 1.0])):
        for axis in (0, 1):  # axis 1: the pass along the last axis runs first (hfirst)
            for mode in MODES:
                ours = fn(y, axis=axis, mode=mode, cval=0.5, backend=backend)
                assert_matches(ours, getattr(ndi, fn.__name__)(y, axis=axis, mode=mode, cval=0.5),
                               y, 3, 8.0)
                two = pc.correlate1d(y, [-1.0, 0.0, 1.0], axis, mode=mode, cval=0.5,
                                     backend=backend)
                two = pc.correlate1d(two, smooth, 1 - axis, mode=mode, cval=0.5, backend=backend)
                assert ours.tobytes() == two.tobytes()
    # axes=(1, 0): the Gaussian's passes in the other order; sigma 8 on (70, 4000) needs
    # more rows than the ring holds, so the Cython kernel declines and the passes run apart
    for shape, sigma in (((40, 300), 2.0), ((70, 4000), 8.0)):
        z = make(shape, "float32", 45)
        ours = pc.gaussian_filter(z, sigma, axes=(1, 0), mode="nearest", backend=backend)
        two = pc.gaussian_filter1d(z, sigma, axis=1, mode="nearest", backend=backend)
        two = pc.gaussian_filter1d(two, sigma, axis=0, mode="nearest", backend=backend)
        assert ours.tobytes() == two.tobytes()
    w = np.outer([1.0, -2.0, 0.5, 3.0], [0.25, 1.0, -1.0, 2.0, 0.5, 1.0])  # rank 1, even sizes
    assert_matches(pc.correlate(y, w, backend=backend), ndi.correlate(y, w), y, w.size,
                   float(np.abs(w).sum()))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(40, 130, 3), (7, 300), (2, 2, 2), (300, 9000)],
                         ids=str)
def test_fused_uint8_box_filter_equals_scipy(backend, shape):
    x = make(shape, "uint8", 51) * 2 + 5  # 5 .. 243: sums far from wrapping
    sizes = [(2, 3), (3, 3), (5, 2), (9, 9), (16, 3)]
    for size in sizes:
        sz = size + (1,) * (len(shape) - 2)
        for mode in MODES:
            for cval, origin in [(0, 0), (255, 0), (17, -1)]:
                org = (origin, 0) + (0,) * (len(shape) - 2)
                kw = dict(mode=mode, cval=cval, origin=org)
                ours = pc.uniform_filter(x, sz, backend=backend, **kw)
                np.testing.assert_array_equal(ours, ndi.uniform_filter(x, sz, **kw))
        if shape[0] * shape[1] > 10**6:
            break  # one size is enough for the big image
    big = make((12, 520), "uint8", 52)
    for size in [(257, 3), (258, 2)]:  # the widest uint16 window, then one past it
        np.testing.assert_array_equal(pc.uniform_filter(big, size, backend=backend),
                                      ndi.uniform_filter(big, size))


@pytest.mark.parametrize("size", range(1, 260))
def test_box_divider_is_exact(size):
    from pycompute.convolution import _box_divider
    found = _box_divider(size, 255 * size)
    assert found is not None
    m, sh = found
    s = np.arange(255 * size + 1, dtype=np.uint64)
    np.testing.assert_array_equal((s * np.uint64(m)) >> np.uint64(sh), s // np.uint64(size))
    assert 255 * size * m < 2**32


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", MODES)
def test_rank1_float32_kernels_run_separably_within_tolerance(backend, mode):
    # a rank-1 float32 kernel runs as two 1-D passes: float32 tolerance (module docstring)
    x = make((37, 45), "float32", 21)
    u, v = np.array([1.0, -2.0, 0.5, 3.0, 1.5]), np.array([0.25, 1.0, -1.0, 2.0])
    w = np.outer(u, v)
    for origin in [(0, 0), (-2, 1)]:
        ours = pc.correlate(x, w, mode=mode, origin=origin, backend=backend)
        ref = ndi.correlate(x, w, mode=mode, origin=origin)
        assert_matches(ours, ref, x, w.size, float(np.abs(w).sum()))
    # where the separable path would change the answer (zero weights, cval != 0) the
    # direct path runs: still bit-exact in float64, within tolerance in float32
    w0 = w.copy()
    w0[0, 0] = 0.0
    np.testing.assert_array_equal(pc.correlate(x.astype(np.float64), w0, mode=mode, cval=2.0,
                                               backend=backend),
                                  ndi.correlate(x.astype(np.float64), w0, mode=mode, cval=2.0))
    assert_matches(pc.correlate(x, w, mode=mode, cval=2.0, backend=backend),
                   ndi.correlate(x, w, mode=mode, cval=2.0), x, w.size, float(np.abs(w).sum()))


def test_concurrent_calls_from_python_threads():
    x = make((200, 180), "float32", 17)
    expected = pc.gaussian_filter(x, 1.5, num_threads=1)
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda _: pc.gaussian_filter(x, 1.5), range(8)))
    for r in results:
        assert r.tobytes() == expected.tobytes()


def test_empty_and_identity_cases():
    for be in BACKENDS:
        e = np.zeros((0, 4))
        np.testing.assert_array_equal(pc.correlate(e, np.ones((2, 2)), backend=be),
                                      ndi.correlate(e, np.ones((2, 2))))
        x = make((5, 6), "int16", 1)
        np.testing.assert_array_equal(pc.uniform_filter(x, 1, output=np.float32, backend=be),
                                      ndi.uniform_filter(x, 1, output=np.float32))
        np.testing.assert_array_equal(pc.gaussian_filter(x, 0, backend=be),
                                      ndi.gaussian_filter(x, 0))
        b = x > 0
        np.testing.assert_array_equal(pc.correlate1d(b, [1, 2, 1], output=np.uint8, backend=be),
                                      ndi.correlate1d(b, [1, 2, 1], output=np.uint8))
    assert pc.correlate1d([1, 2, 3], [1]).tolist() == [1, 2, 3]


# ---------------------------------------------------------------- outside native coverage

def test_auto_falls_back_to_scipy_and_named_backends_refuse():
    xc = make((6, 5), "float64", 2) + 1j
    x4 = make((3, 3, 3, 3), "float64", 2)
    x2 = make((6, 5), "float64", 2)
    w2, w4 = np.ones((2, 3)), np.ones((2, 2, 2, 2))
    np.testing.assert_array_equal(pc.correlate(xc, w2), ndi.correlate(xc, w2))
    np.testing.assert_array_equal(pc.correlate1d(xc.real, [1j, 2]),
                                  ndi.correlate1d(xc.real, [1j, 2]))
    np.testing.assert_array_equal(pc.correlate(x4, w4), ndi.correlate(x4, w4))
    np.testing.assert_array_equal(pc.gaussian_filter(x2, 1, output=bool),
                                  ndi.gaussian_filter(x2, 1, output=bool))
    np.testing.assert_array_equal(pc.uniform_filter(xc, 3), ndi.uniform_filter(xc, 3))
    # 4-D is native for separable filters
    np.testing.assert_array_equal(pc.gaussian_filter(x4, 1, backend="cython"),
                                  ndi.gaussian_filter(x4, 1))
    for be in BACKENDS:
        with pytest.raises(TypeError, match=r"`backend`='%s' has no native kernel" % be):
            pc.correlate(xc, w2, backend=be)
        with pytest.raises(TypeError, match="no native kernel for input dtype float64 \\(4-D\\)"):
            pc.correlate(x4, w4, backend=be)
        with pytest.raises(TypeError, match="output dtype bool"):
            pc.gaussian_filter(x2, 1, output=bool, backend=be)
    np.testing.assert_array_equal(pc.correlate(x4, w4, backend="numpy"), ndi.correlate(x4, w4))


# ---------------------------------------------------------------- bad input: scipy's exceptions

BAD = [
    ("mode", lambda m, x: m.correlate1d(x, [1, 2], mode="reflekt"), RuntimeError,
     r"`mode`='reflekt' is not a supported boundary mode"),
    ("origin1d", lambda m, x: m.correlate1d(x, [1, 2, 3], origin=2), ValueError,
     r"Invalid origin; `origin`=2 must satisfy"),
    ("no weights", lambda m, x: m.correlate1d(x, []), RuntimeError, r"no filter weights given"),
    ("axis", lambda m, x: m.correlate1d(x, [1], axis=2), np.exceptions.AxisError, r"axis 2"),
    ("output shape", lambda m, x: m.correlate(x, np.ones((2, 2)), output=np.zeros((3, 3))),
     RuntimeError, r"`output` has shape \(3, 3\)|output shape not correct"),
    ("weights ndim", lambda m, x: m.correlate(x, np.ones(3)), RuntimeError,
     r"weights.ndim \(1\) must match"),
    ("mode sequence", lambda m, x: m.correlate(x, np.ones((2, 2)), mode=["reflect", "wrap"]),
     RuntimeError, r"A sequence of modes is not supported"),
    ("origin nd", lambda m, x: m.correlate(x, np.ones((2, 2)), origin=(0, 1)), ValueError,
     r"Invalid origin"),
    ("uniform size", lambda m, x: m.uniform_filter1d(x, 0), RuntimeError,
     r"incorrect filter size: `size`=0"),
    ("uniform origin", lambda m, x: m.uniform_filter1d(x, 3, origin=2), ValueError,
     r"invalid origin: `origin`=2"),
    ("size length", lambda m, x: m.uniform_filter(x, (3, 3, 3)), RuntimeError,
     r"`size`=\(3, 3, 3\) has 3 entries"),
    ("radius", lambda m, x: m.gaussian_filter1d(x, 1.0, radius=-1), ValueError,
     r"Radius must be a nonnegative integer: got `radius`=-1"),
    ("order", lambda m, x: m.gaussian_filter(x, 1.0, order=-1), ValueError,
     r"`order`=-1 must be non-negative"),
    ("axes unique", lambda m, x: m.gaussian_filter(x, 1.0, axes=(0, 0)), ValueError,
     r"`axes`=\(0, 0\) must be unique"),
    ("axes range", lambda m, x: m.laplace(x, axes=(3,)), ValueError,
     r"`axes` entry 3 is out of range"),
    ("sobel modes", lambda m, x: m.sobel(x, mode=["reflect"]), RuntimeError,
     r"`mode`=\['reflect'\] has 1 entries"),
    ("output dtype", lambda m, x: m.correlate1d(x, [1], output="U3"), RuntimeError,
     r"`output`='U3' must be a numeric dtype"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name,call,exc,match", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_like_scipy(backend, name, call, exc, match):
    x = make((6, 7), "float64", 0)
    with pytest.raises(exc):
        call(ndi, x)

    class Bound:
        def __getattr__(self, attr):
            fn = getattr(pc, attr)
            return lambda *a, **k: fn(*a, backend=backend, **k)

    with pytest.raises(exc, match=match):
        call(Bound(), x)


def test_bad_backend_and_threads():
    x = make((6, 7), "float64", 0)
    with pytest.raises(ValueError, match=r"`backend`='cuda' is not one of"):
        pc.correlate(x, np.ones((2, 2)), backend="cuda")
    with pytest.raises(ValueError, match=r"`num_threads`=0 is out of range"):
        pc.gaussian_filter(x, 1.0, num_threads=0)
    with pytest.raises(TypeError, match=r"`cval` must be a real number"):
        pc.correlate1d(x, [1, 2], cval="a")
    assert math.isclose(float(pc.correlate1d(x, [1.0], backend="cython")[0, 0]), x[0, 0])
