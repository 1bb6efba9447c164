"""pycompute.derivatives against scipy.ndimage (the oracle), every native backend.

Tolerance policy (the convolution family's rule, tests/test_convolution.py):

* float64 work (every call except float32 input -> float32 output, and float32
  with ``precision="scipy"``): results equal scipy's bit for bit, integer outputs
  included. The fused kernel and the composed passes sum the same terms in the
  same order as scipy's ni_filters.c without FMA, and combine them with the same
  NumPy operations in the output dtype; nothing to tolerate.
* float32 input with float32 output: each term (two passes) accumulates in
  float32 with FMA where scipy accumulates in float64 and rounds once per pass:
  per term |ours - scipy| <= 4 (K + 2) eps32 N max|x| (K the longest kernel, N
  the product of the passes' sum |w|: the growth of the values). The gradient
  magnitude is 1-Lipschitz in the terms (sqrt(2) x the term error for two), the
  Laplace a sum of them; both add a few float32 roundings of the result, done
  the same way on both sides: 2 x the term bound + 8 eps32 N max|x| covers both.
  NaN/inf positions must match exactly.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from nasty import EPS32, FILTER_DTYPES, FILTER_MODES, make, scaled_settings

import pycompute as pc
from pycompute import derivatives as D

# NaN/inf data and wrapping integer squares make NumPy warn (scipy's side and ours alike)
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

BACKENDS = ["cython", "numba"]
MODES = FILTER_MODES
DTYPES = FILTER_DTYPES
SETTINGS = scaled_settings(40)
PAIRS = [(D.gaussian_gradient_magnitude, ndi.gaussian_gradient_magnitude, 1),
         (D.gaussian_laplace, ndi.gaussian_laplace, 2)]
IDS = ["gradient_magnitude", "laplace"]


def _bound(sigma, order, truncate=4.0, radius=None):
    """(taps, sum |w|) of scipy's Gaussian kernel (scipy builds it: the oracle's weights)."""
    if not sigma > 1e-15:
        return 1, 1.0
    lw = radius if radius is not None else int(truncate * float(sigma) + 0.5)
    w = ndi._filters._gaussian_kernel1d(sigma, order, lw)
    return len(w), float(np.abs(w).sum())


def growth(ndim, sigma, kind, truncate=4.0, radius=None):
    """(largest taps, largest product of sum |w| over one term's passes)."""
    sig = list(sigma) if np.iterable(sigma) else [sigma] * ndim
    rad = list(radius) if np.iterable(radius) else [radius] * ndim
    taps, norm = 1, 1.0
    for a in range(ndim):
        n = 1.0
        for b in range(ndim):
            k, s = _bound(sig[b], kind if a == b else 0, truncate, rad[b])
            taps, n = max(taps, k), n * s
        norm = max(norm, n)
    return taps, norm


def assert_matches(ours, ref, x, taps=1, norm=1.0):
    """``ours`` equals scipy's ``ref`` (see the module docstring for the float32 rule)."""
    assert ours.dtype == ref.dtype
    assert ours.shape == ref.shape
    if ours.dtype == np.float32 and x.dtype == np.float32:
        finite = np.isfinite(ref)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
        np.testing.assert_array_equal(ours[~finite & ~np.isnan(ref)],
                                      ref[~finite & ~np.isnan(ref)])
        xs = np.abs(x[np.isfinite(x)]) if x.size else np.zeros(1)
        scale = max(float(xs.max()) if xs.size else 1.0, 1.0)
        atol = 2 * (taps + 2) * EPS32 * norm * scale * 4 + 8 * EPS32 * norm * scale
        np.testing.assert_allclose(ours[finite], ref[finite], rtol=0, atol=atol)
    else:
        assert_same_bits(ours, ref)


def assert_same_bits(a, b):
    """Bit for bit, except the sign and payload of NaNs (which operand's NaN an
    addition of two NaNs keeps is the compiler's choice of operand order, scipy's
    included; NumPy does not define it either): NaN positions must match."""
    assert a.dtype == b.dtype and a.shape == b.shape
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    np.testing.assert_array_equal(nan, np.isnan(b) if b.dtype.kind == "f" else nan)
    assert a[~nan].tobytes() == b[~nan].tobytes()


# ---------------------------------------------------------------- hypothesis against scipy

sigmas = st.sampled_from([0.0, 0.4, 1.0, 1.7, 3.0])
out_kinds = st.sampled_from([None, "same", "float64", "float32", "int16", "uint8",
                             "array64"])


def _output(kind, shape, dtype):
    if kind is None:
        return None
    if kind == "same":
        return np.dtype(dtype)
    if kind == "array64":
        return np.zeros(shape, np.float64)
    return np.dtype(kind)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
@SETTINGS
@given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple),
       dtype=st.sampled_from(DTYPES), mode=st.sampled_from(MODES),
       cval=st.sampled_from([0.0, 1.5, -3.0]), sigma=sigmas, out_kind=out_kinds,
       seed=st.integers(0, 2**32 - 1), special=st.booleans(),
       truncate=st.sampled_from([4.0, 2.0, 1.0]))
def test_nd_matches_scipy(backend, pair, shape, dtype, mode, cval, sigma, out_kind, seed,
                          special, truncate):
    ours_fn, ref_fn, kind = pair
    x = make(shape, dtype, seed, special)
    ours = ours_fn(x, sigma, output=_output(out_kind, shape, dtype), mode=mode, cval=cval,
                   truncate=truncate, backend=backend)
    ref = ref_fn(x, sigma, output=_output(out_kind, shape, dtype), mode=mode, cval=cval,
                 truncate=truncate)
    assert_matches(ours, ref, x, *growth(x.ndim, sigma, kind, truncate))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
@SETTINGS
@given(h=st.integers(1, 70), w=st.integers(1, 70), dtype=st.sampled_from(["float32", "float64"]),
       mode=st.sampled_from(MODES), cval=st.sampled_from([0.0, 2.5]),
       sigma=st.sampled_from([0.5, 1.0, 2.0, 3.3, (1.0, 2.5), (4.0, 0.7)]),
       seed=st.integers(0, 2**32 - 1), special=st.booleans(),
       radius=st.sampled_from([None, 0, 3, (2, 5)]))
def test_fused_2d_matches_scipy_and_threads(backend, pair, h, w, dtype, mode, cval, sigma,
                                            seed, special, radius):
    """The fused 2-D kernel (float input, both axes, one mode): scipy's results, and the
    same bits at 1 and 2 threads."""
    ours_fn, ref_fn, kind = pair
    x = make((h, w), dtype, seed, special)
    kw = {} if radius is None else {"radius": radius}
    ref = ref_fn(x, sigma, mode=mode, cval=cval, **kw)
    one = ours_fn(x, sigma, mode=mode, cval=cval, backend=backend, num_threads=1, **kw)
    two = ours_fn(x, sigma, mode=mode, cval=cval, backend=backend, num_threads=2, **kw)
    assert_matches(one, ref, x, *growth(2, sigma, kind, 4.0, radius))
    assert one.tobytes() == two.tobytes()


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
# (40, 9000): rows too long for the per-thread ring of source rows, read in place
@pytest.mark.parametrize("shape", [(131, 97), (40, 300), (17, 16), (300, 5), (40, 9000)])
def test_fused_thread_counts_and_backends_bitwise(pair, shape):
    """Bands of 16 rows shared out differently per thread count: 1 and 2 threads give the
    same bits; both backends give the same bits (the same arithmetic: FMA in float32, none
    in float64), and float64 is scipy's."""
    ours_fn, ref_fn, _ = pair
    for dtype in ("float32", "float64"):
        x = make(shape, dtype, 7, special=True)
        for be in BACKENDS:
            outs = [ours_fn(x, 2.0, backend=be, num_threads=t).tobytes() for t in (1, 2, -1)]
            assert outs[0] == outs[1] == outs[2]
        c = ours_fn(x, 2.0, backend="cython")
        assert_same_bits(c, ours_fn(x, 2.0, backend="numba"))
        if dtype == "float64":
            assert_same_bits(c, ref_fn(x, 2.0))


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap"])
def test_fused_float32_equals_composed_gaussian_filters(mode):
    """Cython's fused float32 result is the composition of pycompute.gaussian_filter's
    float32 passes bit for bit (the same terms, the same FMA order)."""
    x = make((67, 201), "float32", 3)
    g0 = pc.gaussian_filter(x, 1.5, order=(1, 0), mode=mode, cval=1.0, backend="cython")
    g1 = pc.gaussian_filter(x, 1.5, order=(0, 1), mode=mode, cval=1.0, backend="cython")
    ours = D.gaussian_gradient_magnitude(x, 1.5, mode=mode, cval=1.0, backend="cython")
    assert ours.tobytes() == np.sqrt(g0 * g0 + g1 * g1).tobytes()
    l0 = pc.gaussian_filter(x, 1.5, order=(2, 0), mode=mode, cval=1.0, backend="cython")
    l1 = pc.gaussian_filter(x, 1.5, order=(0, 2), mode=mode, cval=1.0, backend="cython")
    ours = D.gaussian_laplace(x, 1.5, mode=mode, cval=1.0, backend="cython")
    assert ours.tobytes() == (l0 + l1).tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_large_output_streaming_and_misaligned(backend, dtype):
    """Outputs of 16 MiB and more take the non-temporal-store path of the combine; an
    output array 4 bytes off a 64-byte boundary, and rows of a width that is no multiple
    of 16, exercise its alignment head. Same bits as a small-output (cached stores) run
    as the cached-store path gives for a band of the top rows (the rows the kernel's
    reach keeps away from the band's lower edge)."""
    h, w = (1024, 4099) if dtype == "float32" else (520, 4099)
    x = make((h, w), dtype, 21)
    itemsize = np.dtype(dtype).itemsize
    buf = np.empty(h * w + 16, dtype)
    off = (-(buf.ctypes.data // itemsize) % 16 + 1) % 16  # one element past a 64 B boundary
    out = buf[off:off + h * w].reshape(h, w)
    assert out.ctypes.data % 64 != 0 and out.nbytes >= 1 << 24
    for fn, k in ((D.gaussian_gradient_magnitude, 1), (D.gaussian_laplace, 2)):
        res = fn(x, 1.5, output=out, backend=backend)
        assert res is out
        band = fn(x[:300], 1.5, backend=backend)  # small: the cached-store path
        # rows away from the band's edge depend only on rows within the kernel's reach
        assert_same_bits(res[:280], band[:280])
        if dtype == "float64":  # and scipy's bits (the whole image is slow: a corner)
            sub = x[:200, :300]
            assert_same_bits(fn(sub, 1.5, backend=backend),
                             (ndi.gaussian_gradient_magnitude if k == 1 else
                              ndi.gaussian_laplace)(sub, 1.5))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fused_kernel_much_longer_than_image(backend):
    """sigma 300 (2401 taps) on a 6 x 9 image: every tap reflects many times, in the
    fused kernel's border tables."""
    for dtype in ("float64", "float32"):
        x = make((6, 9), dtype, 8)
        for ours_fn, ref_fn, kind in PAIRS:
            for mode in MODES:
                assert_matches(ours_fn(x, 300.0, mode=mode, backend=backend),
                               ref_fn(x, 300.0, mode=mode), x, *growth(2, 300.0, kind))


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_calls_from_python_threads(backend):
    """Kernels hold no shared state: calls from several Python threads at once give the
    results of one call at a time."""
    import concurrent.futures

    xs = [make((90, 77), dt, s) for s in range(3) for dt in ("float32", "float64")]
    fns = [D.gaussian_gradient_magnitude, D.gaussian_laplace]
    want = [fn(x, 1.7, backend=backend, num_threads=1) for x in xs for fn in fns]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futs = [ex.submit(fn, x, 1.7, backend=backend, num_threads=2) for _ in range(3)
                for x in xs for fn in fns]
        got = [f.result() for f in futs]
    for i, g in enumerate(got):
        assert g.tobytes() == want[i % len(want)].tobytes()


def test_numba_fused_kernel_types_each_dtype_once():
    """A read-only image runs the code compiled for a writeable one: the Numba fused
    kernel takes its image and weights read-only always, so it holds no two signatures
    that differ only in an array's writeability (each one more cold compile; issue 13)."""
    from numba import types

    from pycompute._numba import derivatives as nbd

    for dtype in ("float32", "float64"):
        x = make((20, 30), dtype, 3)
        ro = x.copy()
        ro.flags.writeable = False
        for a in (x, ro):
            D.gaussian_laplace(a, 1.5, backend="numba")
    sigs = [tuple(t.copy(readonly=False) if isinstance(t, types.Array) else t for t in s)
            for s in nbd._fused2.signatures]
    assert len(sigs) >= 2 and len(sigs) == len(set(sigs)), nbd._fused2.signatures


def test_precision_scipy_float32_is_bitwise():
    x = make((40, 50), "float32", 5)
    for ours_fn, ref_fn, _ in PAIRS:
        ours = ours_fn(x, 2.0, precision="scipy")
        assert ours.tobytes() == ref_fn(x, 2.0).tobytes()


# ---------------------------------------------------------------- semantics and edge cases

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layouts(backend, pair, dtype):
    """Non-contiguous, negative strides, byte-swapped, read-only, Fortran order."""
    ours_fn, ref_fn, kind = pair
    base = make((60, 70), dtype, 11, special=True)
    swapped = base.astype(base.dtype.newbyteorder(">"))
    ro = base.copy()
    ro.flags.writeable = False
    taps, norm = growth(2, 1.5, kind)
    for x in (base[::2, ::3], base[::-1, ::-1], base[5:40, 3:50].T, swapped, ro,
              np.asfortranarray(base)):
        ours = ours_fn(x, 1.5, backend=backend)
        ref = ref_fn(x, 1.5)
        assert_matches(ours, ref.astype(ref.dtype.newbyteorder("=")),
                       np.ascontiguousarray(x, x.dtype.newbyteorder("=")), taps, norm)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_edge_shapes(backend, pair):
    ours_fn, ref_fn, kind = pair
    for shape in [(0,), (0, 5), (5, 0), (1, 1), (1,), (1, 7), (7, 1), (3, 4), (2, 3, 4)]:
        for dtype in ("float32", "float64", "int16"):
            x = make(shape, dtype, 1)
            for sigma in (0.0, 1.0, 5.0):  # sigma 0: no pass (scipy's rule); 5: window > image
                for mode in MODES:
                    ours = ours_fn(x, sigma, mode=mode, backend=backend)
                    ref = ref_fn(x, sigma, mode=mode)
                    assert_matches(ours, ref, x, *growth(x.ndim, sigma, kind))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
@pytest.mark.parametrize("odt", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                 "uint32", "uint64", "float32", "float64"])
def test_integer_and_mixed_outputs(backend, pair, odt):
    """scipy's output rules: each term in the output dtype, squares that wrap, a
    truncated square root (np.sqrt casting='unsafe')."""
    ours_fn, ref_fn, kind = pair
    for dtype in ("float64", "float32", "int32", "uint8"):
        x = make((23, 29), dtype, 4)
        for output in (np.dtype(odt), np.zeros((23, 29), odt)):
            ours = ours_fn(x, 1.2, output=output, backend=backend)
            ref_out = output if isinstance(output, np.dtype) else np.zeros((23, 29), odt)
            ref = ref_fn(x, 1.2, output=ref_out)
            if not isinstance(output, np.dtype):
                assert ours is output  # written in place, returned
            assert_matches(ours, ref, x, *growth(2, 1.2, kind))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_axes_modes_kwargs(backend, pair):
    ours_fn, ref_fn, kind = pair
    x = make((9, 11, 13), "float64", 2)
    cases = [dict(axes=(0, 2)), dict(axes=(2, 0), mode=("wrap", "constant")),
             dict(axes=1), dict(mode=("reflect", "nearest", "mirror")),
             dict(radius=2), dict(truncate=1.5), dict(axes=())]
    for kw in cases:
        sigma = (1.0, 2.0) if kind == 2 and kw.get("axes") in ((0, 2), (2, 0)) else 1.3
        ours = ours_fn(x, sigma, cval=1.0, backend=backend, **kw)
        ref = ref_fn(x, sigma, cval=1.0, **kw)
        assert ours.tobytes() == ref.tobytes(), kw
    y = make((30, 40), "float32", 2)  # 2-D, two modes: the composed path
    for axes in (None, (1, 0)):
        ours = ours_fn(y, (1.0, 2.0), mode=("wrap", "constant"), axes=axes, backend=backend)
        ref = ref_fn(y, (1.0, 2.0), mode=("wrap", "constant"), axes=axes)
        assert_matches(ours, ref, y, *growth(2, (1.0, 2.0), kind))


@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_output_aliasing_input(pair):
    """output is the input: the out-of-place result (scipy's later terms would read its
    partly overwritten input)."""
    ours_fn, ref_fn, _ = pair
    for shape in ((30, 40), (5, 6, 7)):
        x = make(shape, "float64", 9)
        expected = ref_fn(x.copy(), 1.0)
        y = x.copy()
        res = ours_fn(y, 1.0, output=y)
        assert res is y
        np.testing.assert_array_equal(y, expected)


def test_numpy_backend_and_complex_are_scipy():
    x = make((12, 13), "float32", 1)
    for ours_fn, ref_fn, _ in PAIRS:
        assert ours_fn(x, 1.0, backend="numpy").tobytes() == ref_fn(x, 1.0).tobytes()
        z = x + 1j * x[::-1]
        np.testing.assert_array_equal(ours_fn(z, 1.0), ref_fn(z, 1.0))
        with pytest.raises(TypeError, match="backend"):
            ours_fn(z, 1.0, backend="cython")


# ---------------------------------------------------------------- errors like scipy

@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_errors(pair):
    ours_fn, ref_fn, _ = pair
    x = make((10, 12), "float32", 0)
    cases = [
        (dict(mode="bogus"), RuntimeError, "boundary mode not supported", "bogus"),
        (dict(sigma=(1.0, 2.0, 3.0)), RuntimeError,
         "sequence argument must have length equal to input rank", r"\(1\.0, 2\.0, 3\.0\)"),
        (dict(radius=-1), ValueError, "Radius must be a nonnegative integer", "-1"),
        (dict(output=np.zeros((3, 3))), RuntimeError, "output shape not correct", r"\(3, 3\)"),
        (dict(axes=(0, 5)), ValueError, "out of range", "5"),
        (dict(cval=1j), TypeError, "must be real number, not complex", "1j"),
    ]
    for kw, exc, scipy_msg, shown in cases:
        kw = dict(kw)
        sigma = kw.pop("sigma", 1.0)
        with pytest.raises(exc) as ref_err:
            ref_fn(x, sigma, **kw)
        assert scipy_msg in str(ref_err.value)
        for be in ("auto", "cython", "numba"):
            with pytest.raises(exc, match=shown) as err:
                ours_fn(x, sigma, backend=be, **kw)
            assert scipy_msg in str(err.value)
    ro = np.zeros((10, 12), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        ours_fn(x, 1.0, output=ro)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        ours_fn(x, 1.0, bogus=3)
    with pytest.raises(ValueError, match="`backend`='gpu'"):
        ours_fn(x, 1.0, backend="gpu")
    with pytest.raises(ValueError, match="num_threads"):
        ours_fn(x, 1.0, num_threads=0)


# ---------------------------------------------------------------- generic_*

GENERIC = [(D.generic_gradient_magnitude, ndi.generic_gradient_magnitude),
           (D.generic_laplace, ndi.generic_laplace)]
GIDS = ["generic_gradient_magnitude", "generic_laplace"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("gen", GENERIC, ids=GIDS)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int16"])
def test_generic_with_pycompute_derivatives(backend, gen, dtype):
    ours_fn, ref_fn = gen
    x = make((21, 25), dtype, 6)
    laplace2 = lambda a, ax, o, m, c: ndi.correlate1d(a, [1, -2, 1], ax, o, m, c, 0)  # noqa: E731
    cases = [(pc.sobel, ndi.sobel, (), None), (pc.prewitt, ndi.prewitt, (), None),
             (D.laplace_derivative2, laplace2, (), None),
             (D.gaussian_derivative, None, (1.3,), {"truncate": 3.0}),
             (D.gaussian_derivative2, None, (1.3,), None)]
    for ours_d, ref_d, extra, kw in cases:
        if ref_d is None:  # scipy's Gaussian partial, as its gaussian_* functions define it
            order_of = 1 if ours_d is D.gaussian_derivative else 2

            def ref_d(a, ax, o, m, c, sigma, _k=order_of, **k):
                order = [0] * a.ndim
                order[ax] = _k
                return ndi.gaussian_filter(a, sigma, order, o, m, c, **k)
        for mode in ("reflect", ("constant", "wrap")):
            ours = ours_fn(x, ours_d, mode=mode, cval=2.0, extra_arguments=extra,
                           extra_keywords=kw, backend=backend)
            ref = ref_fn(x, ref_d, mode=mode, cval=2.0, extra_arguments=extra,
                         extra_keywords=kw)
            taps, norm = growth(2, 1.3, 2) if extra else (3, 16.0)
            assert_matches(ours, ref, x, taps, norm)


@pytest.mark.parametrize("gen", GENERIC, ids=GIDS)
def test_generic_user_callable_falls_back_to_scipy(gen):
    ours_fn, ref_fn = gen
    x = make((8, 9), "float64", 2)
    calls = []

    def deriv(a, axis, output, mode, cval, scale, offset=0.0):
        calls.append(axis)
        res = ndi.sobel(a, axis, output, mode, cval)
        res *= scale
        res += offset
        return res

    ours = ours_fn(x, deriv, extra_arguments=(0.5,), extra_keywords={"offset": 1.0})
    n = len(calls)
    ref = ref_fn(x, deriv, extra_arguments=(0.5,), extra_keywords={"offset": 1.0})
    assert n == 2 and len(calls) == 4
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(ours_fn(x, deriv, extra_arguments=(1.0,), backend="numpy"),
                                  ref_fn(x, deriv, extra_arguments=(1.0,)))
    # a named native backend has no kernel for a user callable
    with pytest.raises(TypeError, match="not one of pycompute's own"):
        ours_fn(x, deriv, extra_arguments=(1.0,), backend="cython")


def test_recognition_is_by_identity():
    import functools

    assert D._own_derivative(pc.sobel) is pc.convolution.sobel  # the public object
    assert D._own_derivative(pc.convolution.prewitt) is pc.convolution.prewitt
    assert D._own_derivative(D.gaussian_derivative) is D.gaussian_derivative

    def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0):  # same name, not ours
        return ndi.sobel(input, axis, output, mode, cval)

    assert D._own_derivative(sobel) is None
    assert D._own_derivative(functools.partial(pc.sobel)) is None
    assert D._own_derivative(ndi.sobel) is None
    assert D._own_derivative([]) is None  # unhashable


def test_docstring_examples_hold():
    x = np.zeros((5, 5))
    x[2, 2] = 1.0
    np.testing.assert_array_equal(D.gaussian_gradient_magnitude(x, 1.0),
                                  ndi.gaussian_gradient_magnitude(x, 1.0))
    np.testing.assert_array_equal(D.gaussian_laplace(x, 1.0), ndi.gaussian_laplace(x, 1.0))
