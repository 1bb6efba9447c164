"""Huge windows: refused before any kernel runs, or computed in scipy's memory.

* A Gaussian whose kernel cannot be built, or a box window whose running sum
  scipy could not buffer, raises MemoryError at once, naming the argument, its
  value and the bytes needed (pycompute/_validation.py, ``check_alloc``), on
  every backend. The sizes used here are far beyond any machine, so the tests
  allocate nothing.
* A kernel longer than the axis runs through the kernels' long path (the border
  resolved once into a table; O(N + K) scratch, like scipy's line buffer), not
  through the fused two-pass kernel, whose per-thread rows grow with K. Results
  stay those of scipy: bit for bit in float64 work, within the float32
  tolerance of tests/test_convolution.py otherwise, and equal to the separate
  1-D passes.
* A box filter of integer input whose window is longer than the line costs
  O(length), not O(size) (exact window sums from periodic prefix sums), with
  scipy's results.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tracemalloc

import numpy as np
import pytest
import scipy.ndimage as ndi

import pycompute as pc
from pycompute import convolution as conv
from nasty import FILTER_MODES, EPS32

MODES = FILTER_MODES


def _refused_at_once(call, *needles):
    """``call`` raises MemoryError within a second, allocating next to nothing, and its
    message holds each of ``needles``."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(MemoryError) as info:
            call()
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(info.value)
    for needle in needles:
        assert needle in msg, (needle, msg)
    assert "bytes" in msg and "more than" in msg, msg
    assert elapsed < 1.0 and peak < 1 << 20, (elapsed, peak)


# ---------------------------------------------------------------- refused at once

@pytest.mark.parametrize("fn", ["gaussian_filter", "gaussian_filter1d"])
def test_impossible_gaussian_kernels_raise_memoryerror(backend, fn):
    x = np.zeros((64, 80), np.float32)
    f = getattr(pc, fn)
    f(x, 1.0, backend=backend)  # first calls set up threads and backends: not measured
    _refused_at_once(lambda: f(x, 1e15, backend=backend), "`sigma`=1000000000000000.0",
                     "8000000000000001 taps")
    _refused_at_once(lambda: f(x, 1.0, radius=10**14, backend=backend), "`radius`=",
                     "200000000000001 taps")
    # beyond what an array can hold at all: NumPy's ValueError, as scipy raises it
    with pytest.raises(ValueError, match="Maximum allowed size exceeded"):
        f(x, 1e300, backend=backend)
    with pytest.raises(ValueError, match="Maximum allowed size exceeded"):
        getattr(ndi, fn)(x, 1e300)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_impossible_box_windows_raise_memoryerror(backend, dtype):
    # float (and unbounded int64) input: scipy's running sum costs O(size) per line and
    # scipy needs a line buffer of length + size - 1 doubles: refused as scipy refuses it
    x = np.full((16, 16), 2**62 if dtype == "int64" else 0.5, dtype)
    size = 2**50
    pc.uniform_filter(x, 3, backend=backend)  # first calls set up threads and backends
    _refused_at_once(lambda: pc.uniform_filter1d(x, size, backend=backend),
                     f"`size`={size}", "axis of length 16")
    _refused_at_once(lambda: pc.uniform_filter(x, (3, size), backend=backend),
                     f"`size`={size}")
    with pytest.raises(MemoryError):
        ndi.uniform_filter1d(x, size)


# ---------------------------------------------------------------- long kernels

@pytest.mark.parametrize("dtype", ["float64", "float32", "int16"])
@pytest.mark.parametrize("shape,axis", [((7,), 0), ((5, 6), 0), ((5, 6), 1), ((3, 4, 5), 1),
                                        ((1, 9), 1)])
def test_kernels_longer_than_the_axis_match_scipy(backend, dtype, shape, axis):
    # float64 work: bit for bit; the long path takes the same terms in the same order
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(shape) * 30).astype(dtype)
    n = shape[axis]
    for k in (n + 1, 2 * n + 3, 41):
        w = rng.standard_normal(k)
        for ws in (w, (w + w[::-1]) / 2, (w - w[::-1]) / 2):
            for mode in MODES:
                for origin in (-(k // 2), 0, (k - 1) // 2):
                    kw = dict(mode=mode, cval=-1.5, origin=origin)
                    ours = pc.correlate1d(x, ws, axis, backend=backend, output=np.float64, **kw)
                    ref = ndi.correlate1d(x, ws, axis, output=np.float64, **kw)
                    np.testing.assert_array_equal(ours, ref)
                    ours = pc.correlate1d(x, ws, axis, backend=backend, **kw)
                    ref = ndi.correlate1d(x, ws, axis, **kw)
                    if dtype == "float32":  # float32 work: test_convolution.py's tolerance
                        atol = (k + 2) * EPS32 * float(np.abs(ws).sum()) * 30 * 4 * 4
                        np.testing.assert_allclose(ours, ref, rtol=0, atol=atol)
                    else:
                        np.testing.assert_array_equal(ours, ref)


def test_long_kernels_in_place_passes_and_threads(backend):
    # the second pass of a 2-D or 3-D Gaussian runs in place (Cython: per-thread slab
    # copies); the long path must read every value before it is overwritten, and give
    # the same bytes at 1 and 2 threads
    rng = np.random.default_rng(8)
    for shape in [(6, 5), (3, 4, 5), (2, 40, 3)]:
        x = rng.standard_normal(shape)
        for sigma in (3.0, 11.0):
            for mode in ("reflect", "mirror", "wrap", "nearest", "constant"):
                one = pc.gaussian_filter(x, sigma, mode=mode, backend=backend, num_threads=1)
                two = pc.gaussian_filter(x, sigma, mode=mode, backend=backend, num_threads=2)
                assert one.tobytes() == two.tobytes()
                np.testing.assert_array_equal(one, ndi.gaussian_filter(x, sigma, mode=mode))


def test_huge_sigma_runs_the_passes_apart_and_exactly(backend):
    # float32: the fused two-pass kernel would need (16 + K) rows of scratch per task or
    # thread; past FUSED_SCRATCH_MAX the passes run apart, with the same bytes
    x = np.random.default_rng(9).standard_normal((12, 10)).astype(np.float32)
    sigma = 7e4  # 560001 taps on a 12 x 10 image: ~70 MB of fused scratch per thread
    taps = 2 * int(4 * sigma + 0.5) + 1
    assert conv._fused_scratch(12, 10, 1, taps, taps, 4) > conv.FUSED_SCRATCH_MAX
    ours = pc.gaussian_filter(x, sigma, backend=backend)
    two = pc.gaussian_filter1d(x, sigma, axis=0, backend=backend)
    two = pc.gaussian_filter1d(two, sigma, axis=1, backend=backend)
    assert ours.tobytes() == two.tobytes()
    ref = ndi.gaussian_filter(x, sigma)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=(taps + 2) * EPS32 * 4 * 4)
    # float64: scipy's bits
    x64 = x.astype(np.float64)
    np.testing.assert_array_equal(pc.gaussian_filter(x64, 800.0, backend=backend),
                                  ndi.gaussian_filter(x64, 800.0))


def test_big_sigma_memory_is_scipys_order():
    """Peak memory of gaussian_filter(64 x 80 float32, sigma=3e4): its kernel has 240001
    taps (1.9 MB of float64). scipy needs a few copies of it; the fused kernel took
    16 padded rows of K floats and 3 K pointers per thread. Measured in a fresh process
    (ru_maxrss), each backend after a warm-up call, so imports and JIT do not count."""
    code = textwrap.dedent("""
        import resource, numpy as np, pycompute as pc
        x = np.random.default_rng(0).standard_normal((64, 80)).astype(np.float32)
        for be in ("cython", "numba"):
            if not any(b.name == be and b.available for b in pc.backends()):
                continue
            pc.gaussian_filter(x, 30.0, backend=be)
            pc.gaussian_filter(x, 300.0, backend=be)
            r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            pc.gaussian_filter(x, 3e4, backend=be, num_threads=2)
            print(be, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - r0) * 1024)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    for line in out.stdout.split("\n"):
        if line:
            be, grew = line.split()
            # the kernel's own size is 1.9 MB (float64) + 1 MB (float32); building it
            # holds 3 float64 copies (5.8 MB); scratch: a 1.9 MB border table and a padded
            # line per thread. The fused kernel grew by ~45 MB here.
            assert int(grew) < 24 << 20, (be, int(grew))


# ---------------------------------------------------------------- box windows longer than the line

@pytest.mark.parametrize("dtype", ["uint8", "int16", "int32", "int64", "uint64"])
def test_long_integer_box_windows_match_scipy(backend, dtype):
    rng = np.random.default_rng(10)
    x = rng.integers(0, 100, (4, 7)).astype(dtype)
    for size in (8, 15, 50_001):
        for mode in MODES:
            for origin in (-(size // 2), 0, (size - 1) // 2):
                for cval in (0, 3, -7):
                    for out in (None, np.float64, np.int8):
                        kw = dict(mode=mode, cval=cval, origin=origin, output=out)
                        np.testing.assert_array_equal(
                            pc.uniform_filter1d(x, size, backend=backend, **kw),
                            ndi.uniform_filter1d(x, size, **kw))
                        kw["origin"] = (1, origin)
                        np.testing.assert_array_equal(
                            pc.uniform_filter(x, (3, size), backend=backend, **kw),
                            ndi.uniform_filter(x, (3, size), **kw))


def test_integer_box_window_of_2_to_the_40_is_o_of_length(backend):
    # scipy cannot run this (8 TiB of line buffer); the folded sums can, exactly:
    # wrap with a whole number of periods is the line's mean, constant covers the line
    # and size - N copies of cval
    x = np.random.default_rng(11).integers(-50, 50, (16, 16)).astype(np.int16)
    n = 16
    t0 = time.perf_counter()
    y = pc.uniform_filter1d(x, n * 2**36, mode="wrap", output=np.float64, backend=backend)
    assert time.perf_counter() - t0 < 5.0
    np.testing.assert_array_equal(y, np.repeat(x.sum(axis=1, dtype=np.int64)[:, None] / n, n,
                                               axis=1))
    size = 2**40
    y = pc.uniform_filter1d(x, size, mode="constant", cval=3, output=np.float64, backend=backend)
    s = x.sum(axis=1, dtype=np.int64) + (size - n) * 3
    np.testing.assert_array_equal(y, np.repeat((s.astype(np.float64) / size)[:, None], n, axis=1))
    y = pc.uniform_filter(x.astype(np.uint8), 2**40, backend=backend)
    assert y.dtype == np.uint8 and y.shape == x.shape


def test_long_box_after_a_float_pass_into_integers(backend):
    # float input (NaN, inf) into an integer output: the second pass reads integers that
    # casts made, bounded by the output dtype only, never by the input's (non-finite) range
    for x in (np.array([[np.nan]]), np.array([[np.inf, 1.0]]), np.array([[2.5, -7.25, 1e30]])):
        for out in (np.int32, np.int8, np.uint16):
            np.testing.assert_array_equal(pc.uniform_filter(x, 3, output=out, backend=backend),
                                          ndi.uniform_filter(x, 3, output=out))
