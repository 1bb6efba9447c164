"""Stopping long linear filters: a call cut into task ranges gives the bytes of one call,
Ctrl-C and an aio cancel stop a long filter, and the process stays usable.

The convolution kernels (``correlate1d``, ``correlate``, ``uniform1d``, ``separable2``,
both backends) run only their tasks ``t0 <= t < min(t1, T)`` and return ``T``;
``pycompute._cancel.run_tasks`` cuts a long call into native calls of about 50 ms.
The slicing tests replace ``run_tasks`` by one that runs every task in its own call,
in a shuffled order: equal bytes then show that the tasks write disjoint outputs and
that none depends on another having run. The latencies themselves are measured by
``benchmarks/run_interrupt.py``; the bounds here only tell "stopped" from "ran on".
"""
import asyncio

import numpy as np
import pytest
from stopping import cancel_awaited, run_child

import pycompute as pc
import pycompute.aio as aio
from pycompute import _backends, _cancel
from pycompute import convolution as conv

# ---------------------------------------------------------------- slicing


def _one_task_per_call(seed):
    """A run_tasks that asks for T, then runs each task in its own call, shuffled."""
    order = np.random.default_rng(seed)

    def run_tasks(call, work, threads=1):
        _cancel.check()
        total = int(call(0, 0))
        for t in order.permutation(total):
            assert call(int(t), int(t) + 1) == total
    return run_tasks


def _filters():
    """One or more calls per kernel path: plain, long (K > N), in place, dense generic /
    float32 fast path (ring, and wide rows cut into column blocks), box running sums and
    exact sums, fused pairs (float32 both orders, uint8), odd shapes, several dtypes."""
    rng = np.random.default_rng(11)
    f32 = rng.standard_normal((41, 37)).astype(np.float32)
    f64 = rng.standard_normal((23, 19, 7))
    i16 = rng.integers(-300, 300, (29, 33)).astype(np.int16)
    u8 = rng.integers(0, 256, (40, 35, 3), dtype=np.uint8)
    tall = rng.standard_normal((530, 24)).astype(np.float32)  # Numba ring tasks of 2 blocks
    line = rng.standard_normal(1500)
    wide = rng.standard_normal((5, 16500)).astype(np.float32)  # Cython: 2 column blocks
    k33 = np.arange(9.0).reshape(3, 3) - 4
    k45 = rng.random((45, 45))  # not rank 1: the dense kernel
    return {
        "gaussian f32 (fused)": lambda **k: pc.gaussian_filter(f32, 1.5, **k),
        "gaussian f64 3-D (in place)": lambda **k: pc.gaussian_filter(f64, (1.0, 2.0, 1.0),
                                                                      mode="wrap", **k),
        "gaussian f64 long": lambda **k: pc.gaussian_filter(f64, 9.0, mode="mirror", **k),
        "gaussian1d line long": lambda **k: pc.gaussian_filter1d(line[:700], 300.0, **k),
        "correlate1d i16 -> f32": lambda **k: pc.correlate1d(i16, [1.0, -2.0, 0.5, 4.0], axis=0,
                                                             output=np.float32, **k),
        "convolve1d line": lambda **k: pc.convolve1d(line, np.arange(7.0), mode="constant",
                                                     cval=2.0, **k),
        "correlate f64 (generic)": lambda **k: pc.correlate(f64, np.ones((3, 2, 3)), **k),
        "correlate f32 (ring)": lambda **k: pc.correlate(f32, k33, mode="nearest", **k),
        "convolve f32 tall": lambda **k: pc.convolve(tall, k33, **k),
        "correlate f32 wide": lambda **k: pc.correlate(wide, k45, mode="wrap", **k),
        "correlate i16 sparse": lambda **k: pc.correlate(i16, np.eye(3), **k),
        "uniform f64 (running sums)": lambda **k: pc.uniform_filter(f64, (3, 4, 5), **k),
        "uniform1d line": lambda **k: pc.uniform_filter1d(line, 11, **k),
        "uniform i16 (exact)": lambda **k: pc.uniform_filter(i16, 5, mode="reflect", **k),
        "uniform i16 long (exact)": lambda **k: pc.uniform_filter(i16, 45, **k),
        "uniform u8 (fused box)": lambda **k: pc.uniform_filter(u8, (5, 3, 1), **k),
        "sobel f32 (fused, W pass first)": lambda **k: pc.sobel(f32, 1, **k),
        "sobel f32 tall": lambda **k: pc.sobel(tall, 0, **k),
        "prewitt i16": lambda **k: pc.prewitt(i16, 0, **k),
        "laplace f64": lambda **k: pc.laplace(f64, **k),
        "gaussian out=": lambda **k: pc.gaussian_filter(
            f32, 2.0, output=np.zeros(f32.shape, np.float32), **k),
    }


@pytest.mark.parametrize("num_threads", [1, 2])
def test_a_filter_cut_into_single_tasks_equals_one_call(backend, num_threads, monkeypatch):
    whole = {name: f(backend=backend, num_threads=num_threads)
             for name, f in _filters().items()}
    monkeypatch.setattr(_cancel, "run_tasks", _one_task_per_call(num_threads))
    for name, f in _filters().items():
        got = f(backend=backend, num_threads=num_threads)
        assert got.dtype == whole[name].dtype, name
        assert got.tobytes() == whole[name].tobytes(), name


def test_slices_of_the_real_driver_equal_one_call(backend, monkeypatch):
    # run_tasks itself with one-task first slices that then grow: every filter above
    whole = {name: f(backend=backend, num_threads=2) for name, f in _filters().items()}
    monkeypatch.setattr(_cancel, "FIRST_WORK", 1)
    for name, f in _filters().items():
        assert f(backend=backend, num_threads=2).tobytes() == whole[name].tobytes(), name


def _one_task_per_call_in_order(call, work, threads=1):
    total = int(call(0, 0))
    for t in range(total):
        assert call(t, t + 1) == total


def _boxes():
    """Box filters on float input (scipy's running sums): lines (B == 1) and lanes, windows
    shorter and longer than the line, every mode, integer and float outputs."""
    rng = np.random.default_rng(5)
    f64 = rng.standard_normal((9, 21, 5)) * 100
    f32 = (rng.standard_normal((13, 600)) * 10).astype(np.float32)
    return {
        "lanes 3-D": lambda **k: pc.uniform_filter(f64, (4, 5, 3), mode="mirror", **k),
        "lanes long window": lambda **k: pc.uniform_filter1d(f64, 50, axis=1, mode="wrap",
                                                             origin=-3, **k),
        "lines f32": lambda **k: pc.uniform_filter1d(f32, 9, mode="constant", cval=1.5, **k),
        "lines long window -> int": lambda **k: pc.uniform_filter1d(
            f32[:, :40], 77, mode="nearest", output=np.int32, **k),
        "lanes reflect": lambda **k: pc.uniform_filter1d(f32, 6, axis=0, **k),
    }


@pytest.mark.parametrize("num_threads", [1, 2])
def test_box_running_sums_cut_into_segments_equal_one_pass(backend, num_threads, monkeypatch):
    """A line longer than a task's steps is cut into segments that continue each other's
    sums (kept in ``state``): the same bytes as one pass along the line, whether one call
    runs all the segments or each task is its own call."""
    whole = {n: f(backend=backend, num_threads=num_threads) for n, f in _boxes().items()}
    for steps in (1, 60, 600):  # steps x (lanes + 16) per task: 1 step, a few, dozens
        monkeypatch.setattr(conv, "BOX_LANE_STEPS", steps)
        for name, f in _boxes().items():
            got = f(backend=backend, num_threads=num_threads)
            assert got.tobytes() == whole[name].tobytes(), (name, steps)
        with monkeypatch.context() as m:
            m.setattr(_cancel, "run_tasks", _one_task_per_call_in_order)
            for name, f in _boxes().items():
                got = f(backend=backend, num_threads=num_threads)
                assert got.tobytes() == whole[name].tobytes(), (name, steps, "one task")


def test_kernels_run_only_their_task_range(backend):
    """``t1 == 0`` writes nothing and returns T; a range writes exactly its tasks' outputs;
    ranges past T are clamped."""
    kern = _backends.choose(backend, "convolution", True)
    work = np.float64
    x = np.random.default_rng(2).standard_normal((3, 700, 1))
    out = np.full(x.size, 7.0)
    ob = out.view(np.uint8)
    w = np.array([0.25, 0.5, 0.25], work)
    T = kern.correlate1d(x, ob, 1, w, 1, 1, 0, 0.0, 1, 0, 0)
    assert T == 3 * 2  # 2 chunks of 512 outputs per line
    assert np.all(out == 7.0)
    assert kern.correlate1d(x, ob, 1, w, 1, 1, 0, 0.0, 1, 1, 2) == T
    done = out != 7.0
    assert done.sum() == 700 - 512 and done[512:700].all()  # task 1: line 0, 512 .. 700
    assert kern.correlate1d(x, ob, 1, w, 1, 1, 0, 0.0, 2, 0, 1 << 62) == T
    expect = pc.correlate1d(x.reshape(3, 700), w, backend=backend)
    assert out.tobytes() == expect.tobytes()
    offs = np.array([[0, -1, 0], [0, 0, 0], [0, 1, 1]], np.int64)
    o2 = np.zeros(x.size)
    assert kern.correlate(x.reshape(1, 3, 700), o2.view(np.uint8), 1, np.ones(3), offs, 0,
                          0.0, 1, 0, 0) == 3 * 2
    assert not o2.any()
    none = np.empty(0)
    assert kern.uniform1d(x, ob, 1, 5, 2, 0, 0, 0.0, none, 1 << 20, 1, 0, 0) == 3
    assert kern.uniform1d(x, ob, 1, 5, 2, 0, 0, 0.0, none, 100, 1, 0, 0) == 3 * 8  # segments


def test_wide_rows_cut_into_column_blocks_keep_the_values():
    """The Cython float32 dense path cuts the rows of a wide image into column blocks (a
    task stays below TASK_WORK); the Numba twin runs whole rows from its ring. The two
    backends agree bit for bit on this path (the same fma order per pixel), so the
    blocks change no value."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((7, 16500)).astype(np.float32)
    w = rng.random((45, 45))
    for mode in ("reflect", "constant"):
        a = pc.correlate(x, w, mode=mode, cval=0.5, backend="cython", num_threads=2)
        b = pc.correlate(x, w, mode=mode, cval=0.5, backend="numba", num_threads=2)
        assert a.tobytes() == b.tobytes(), mode


# ---------------------------------------------------------------- dispatcher's task bounds


def test_in_place_passes_and_fused_pairs_keep_tasks_bounded():
    """A task is what a stop request waits for: an in-place slab (one task) stays within
    TASK_WORK and a fused pair's rows x width within FUSED_TASK_WORK, else a temporary /
    the passes apart."""
    class K:
        IN_PLACE = True

    op = ("corr", 1, np.ones(201), 100, 1, 0)
    assert conv._in_place_ok(K, op, (4, 100, 100), np.dtype(np.float64), 0.0)
    assert not conv._in_place_ok(K, op, (4, 1000, 1000), np.dtype(np.float64), 0.0)
    # (np.zeros / empty_like: untouched pages; a declined pair reads nothing. The rows
    # make the image larger than the pair's scratch, which is not what declines here)
    x = np.zeros((140, 200000), np.float32)
    final = np.empty_like(x)
    assert conv._fused_scratch(140, 200000, 1, 101, 101, 4) <= x.nbytes
    kern = _backends.choose("cython" if "cython" in _native() else "numba", "convolution",
                            True)
    w = np.ones(101)
    passes = [("corr", 0, w, 50, 1, 0), ("corr", 1, w, 50, 1, 0)]
    assert conv.FUSED_TASK_ROWS * 200000 * 202 > conv.FUSED_TASK_WORK
    assert conv._fused_pair(kern, x, final, passes, 0.0, 1) is False
    assert conv._fused_pair(kern, x[:, :400], final[:, :400].copy(), passes, 0.0, 1) is True


# ---------------------------------------------------------------- Ctrl-C

_CHILD = r"""
import sys

import numpy as np
import pycompute as pc
from stopping import interrupt_each, report

backend = sys.argv[1]
rng = np.random.default_rng(1)
img = rng.random((2048, 4096), np.float32)
vol = rng.random((2048, 2048))
big = {
    # 1-D passes apart (too long for the fused pair): the long path along axis 0
    # (4001 taps > 2048 rows), then the plain one in place along axis 1
    "gaussian_filter": lambda **k: pc.gaussian_filter(img, 500.0, **k),
    # the dense float64 kernel, 61 x 61 taps (not rank 1: no separable passes)
    "correlate": lambda **k: pc.correlate(vol, rng.random((61, 61)), **k),
}
small = rng.standard_normal((30, 40)).astype(np.float32)
ref = pc.gaussian_filter(small, 2.0, backend="numpy")


def warm():  # compiled and warm, the long-kernel path too (nothing compiles in the calls)
    pc.gaussian_filter(small, 2.0, backend=backend)
    pc.gaussian_filter(small, 500.0, backend=backend)
    pc.correlate(small.astype(np.float64), np.ones((3, 3)), backend=backend)


out = interrupt_each(big, backend, warm, 0.3)
# the process is still usable: right answers
again = pc.gaussian_filter(small, 2.0, backend=backend, num_threads=2)
report(out, np.allclose(again, ref, rtol=1e-5, atol=1e-6))
"""


def test_ctrl_c_stops_a_long_filter(backend):
    """SIGINT 0.3 s into a filter of many seconds (tens of billions of multiply-adds)
    raises KeyboardInterrupt, 1 and 2 threads; afterwards the process computes the right
    answer and holds no lease."""
    res = run_child(_CHILD, backend)
    for name, latency in res.items():
        # each call would take tens of seconds at least; "stopped" is all this asserts
        assert latency is not None and latency < 5.0, (name, latency)


# ---------------------------------------------------------------- aio


def test_cancelling_an_awaited_filter_stops_it_and_frees_its_threads(backend):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2048, 2048)).astype(np.float32)
    w = rng.random((99, 99))  # not rank 1: the dense float32 kernel, not two 1-D passes
    pc.correlate(x[:40, :40], w[:5, :5], backend=backend)  # compiled

    took, in_use = cancel_awaited(lambda: aio.correlate(x, w, backend=backend))  # 4e10 MACs
    assert in_use == 0
    assert took < 5.0  # the call itself would take many seconds
    small = x[:30, :30]
    again = asyncio.run(aio.correlate(small, np.ones((5, 5)), backend=backend))
    np.testing.assert_allclose(again, pc.correlate(small, np.ones((5, 5)), backend="numpy"),
                               rtol=1e-5, atol=1e-5)


def _native():
    return [b.name for b in pc.backends() if b.available and b.name != "numpy"]
