"""precision="scipy": float32 filters accumulate in float64 as scipy does, and equal it bit
for bit (every filter, mode, backend and thread count); the default stays "fast"."""
import asyncio

import numpy as np
import pytest
import scipy.ndimage as ndi

import pycompute as pc
import pycompute.aio as aio

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-wrap"]
W2 = np.array([[0.3, -1.1, 0.25], [2.0, 0.125, -0.7], [0.9, 0.4, -0.33]])
W17 = np.outer(np.hanning(19)[1:-1], np.linspace(-1.0, 1.0, 17))  # rank 1: separable fast path


def _filters(ndim):
    c1 = [0.1, 0.7, -0.3, 0.2]
    w = W2 if ndim == 2 else (np.arange(1.0, 6.0) / 7 if ndim == 1 else W2[..., None])
    fs = {
        "correlate1d": lambda m, x: (ndi.correlate1d, pc.correlate1d, (x, c1), {"mode": m}),
        "convolve1d": lambda m, x: (ndi.convolve1d, pc.convolve1d, (x, c1, 0), {"mode": m}),
        "correlate": lambda m, x: (ndi.correlate, pc.correlate, (x, w), {"mode": m}),
        "convolve": lambda m, x: (ndi.convolve, pc.convolve, (x, w), {"mode": m, "cval": 1.5}),
        "uniform_filter1d": lambda m, x: (ndi.uniform_filter1d, pc.uniform_filter1d, (x, 4),
                                          {"mode": m}),
        "uniform_filter": lambda m, x: (ndi.uniform_filter, pc.uniform_filter, (x, 3),
                                        {"mode": m}),
        "gaussian_filter1d": lambda m, x: (ndi.gaussian_filter1d, pc.gaussian_filter1d,
                                           (x, 3.0), {"mode": m, "order": 1}),
        "gaussian_filter": lambda m, x: (ndi.gaussian_filter, pc.gaussian_filter, (x, 2.0),
                                         {"mode": m}),
        "gaussian_filter order 2": lambda m, x: (ndi.gaussian_filter, pc.gaussian_filter,
                                                 (x, 1.5), {"mode": m, "order": 2}),
        "sobel": lambda m, x: (ndi.sobel, pc.sobel, (x, 0), {"mode": m}),
        "prewitt": lambda m, x: (ndi.prewitt, pc.prewitt, (x, -1), {"mode": m}),
        "laplace": lambda m, x: (ndi.laplace, pc.laplace, (x,), {"mode": m}),
    }
    if ndim == 2:
        fs["correlate rank-1 17x17"] = lambda m, x: (ndi.correlate, pc.correlate, (x, W17),
                                                     {"mode": m})
    return fs


def _inputs():
    rng = np.random.default_rng(11)
    yield "2-D", (rng.standard_normal((61, 70)) * 100).astype(np.float32)
    yield "1-D", (rng.standard_normal(97) * 3).astype(np.float32)
    yield "3-D", rng.random((5, 6, 7), dtype=np.float32)
    big = (rng.standard_normal((130, 257)) * 1e3).astype(np.float32)
    yield "2-D byteswapped", big.astype(">f4")
    yield "2-D reversed", big[::-1, ::2]


@pytest.mark.parametrize("mode", MODES)
def test_scipy_precision_equals_scipy_bit_for_bit(backend, mode):
    for label, x in _inputs():
        for name, make in _filters(x.ndim).items():
            ref_fn, pc_fn, args, kw = make(mode, x)
            want = ref_fn(*args, **kw)
            for nt in (1, 2):
                got = pc_fn(*args, **kw, backend=backend, num_threads=nt, precision="scipy")
                assert got.dtype == want.dtype == np.float32, (label, name)
                assert got.tobytes() == want.tobytes(), (label, name, nt, np.max(np.abs(
                    got.astype(np.float64) - want)))


def test_scipy_precision_writes_into_a_given_output(backend):
    x = np.random.default_rng(2).random((40, 50), dtype=np.float32)
    out = np.empty_like(x)
    r = pc.gaussian_filter(x, 2.0, output=out, backend=backend, precision="scipy")
    assert r is out and out.tobytes() == ndi.gaussian_filter(x, 2.0).tobytes()
    y = x.copy()
    pc.sobel(y, 0, output=y, backend=backend, precision="scipy")  # in place
    assert y.tobytes() == ndi.sobel(x, 0).tobytes()


def test_context_sets_the_default_and_the_argument_wins(backend):
    x = (np.random.default_rng(3).standard_normal((64, 64)) * 50).astype(np.float32)
    w = np.random.default_rng(4).random((7, 7))
    exact = ndi.correlate(x, w)
    fast = pc.correlate(x, w, backend=backend)
    assert fast.tobytes() != exact.tobytes()  # else this test shows nothing
    with pc.precision("scipy"):
        assert pc.correlate(x, w, backend=backend).tobytes() == exact.tobytes()
        assert pc.correlate(x, w, backend=backend, precision="fast").tobytes() == fast.tobytes()
        with pc.precision("fast"):
            assert pc.correlate(x, w, backend=backend).tobytes() == fast.tobytes()
        assert pc.correlate(x, w, backend=backend).tobytes() == exact.tobytes()
    assert pc.correlate(x, w, backend=backend).tobytes() == fast.tobytes()

    async def task():
        with pc.precision("scipy"):  # travels with the awaiting task's context
            return await aio.correlate(x, w, backend=backend)

    assert asyncio.run(task()).tobytes() == exact.tobytes()


def test_precision_leaves_other_dtypes_alone(backend):
    x = np.random.default_rng(5).random((30, 31))
    for dt in (np.float64, np.uint8, np.int16):
        a = (x * 100).astype(dt)
        got = pc.gaussian_filter(a, 1.5, backend=backend, precision="scipy")
        assert got.tobytes() == ndi.gaussian_filter(a, 1.5).tobytes()
    a = x.astype(np.float32)  # float32 input, float64 output: float64 work either way
    got = pc.correlate1d(a, [1.0, 2.0, -0.5], output=np.float64, backend=backend)
    assert got.tobytes() == ndi.correlate1d(a, [1.0, 2.0, -0.5], output=np.float64).tobytes()


@pytest.mark.parametrize("bad", ["exact", "SCIPY", 1, True])
def test_bad_precision_is_refused(bad):
    x = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"`precision`=.* is not one of 'fast', 'scipy'"):
        pc.gaussian_filter(x, 1.0, precision=bad)
    with pytest.raises(ValueError, match=r"`precision`="):
        with pc.precision(bad):
            pass
