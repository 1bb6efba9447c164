"""Stopping long derivative and rank filter calls: Ctrl-C, aio cancellation, and the cut.

The native calls of ``pycompute.derivatives`` (``fused2``) and ``pycompute.rank``
(``minmax1d``, ``minmax2d``, ``minmax_fp``, ``rank_fp``, ``rank_net``, ``median_box``) run
through ``_cancel.run_tasks``: a long call is several kernel calls over ranges of the
kernel's tasks. These tests check that a call cut into single tasks, run in any
order, gives the bytes of one call (every kernel path, both backends, 1 and 2
threads), that ``t1 == 0`` only counts the tasks, and that SIGINT and an aio cancel
stop a call that would run for many seconds, leaving the process usable. The
latencies are measured by ``benchmarks/run_interrupt.py``, not asserted here; the
bounds below only tell "stopped" from "ran on".
"""
import asyncio

import numpy as np
import pytest
from stopping import cancel_awaited, one_task_slices, run_child

import pycompute as pc
import pycompute.aio as aio
from pycompute import _cancel

# ---------------------------------------------------------------- the cut


def _data(dtype, shape, seed=0, nan=False):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal(shape).astype(dtype)
        if nan:
            x[rng.random(shape) < 0.05] = np.nan
            x.flat[3] = -0.0
        return x
    if dtype == "bool":
        return rng.random(shape) < 0.5
    return rng.integers(0, 100, shape).astype(dtype)


def _calls():
    """name -> (call(output, backend, num_threads), input shape, dtype): each kernel path
    on several tasks (fused2: bands of 16 rows; minmax1d: lines, tiles, row chunks,
    Harter; footprints: row chunks of 512 outputs, fewer for rank_fp's big windows)."""
    f32 = _data("float32", (37, 70))
    f64 = _data("float64", (37, 70), 1)
    u8 = _data("uint8", (9, 600), 2)
    i16 = _data("int16", (3, 7, 530), 3)
    nan = _data("float64", (11, 40), 4, nan=True)
    wide = _data("float32", (2, 1100), 5)
    tall = _data("uint8", (300, 40), 6)
    tall_nan = _data("float32", (300, 40), 7, nan=True)
    fp = [[1, 0, 1], [0, 1, 1]]
    fp9 = [[0, 1, 1, 0], [1, 1, 1, 1], [0, 1, 1, 1]]
    return {
        "fused2 magnitude f32": (lambda o, b, n: pc.gaussian_gradient_magnitude(
            f32, 1.5, o, mode="wrap", backend=b, num_threads=n), f32),
        "fused2 laplace f64": (lambda o, b, n: pc.gaussian_laplace(
            f64, (2.0, 0.7), o, mode="constant", cval=0.5, backend=b, num_threads=n), f64),
        "minmax1d lines": (lambda o, b, n: pc.minimum_filter1d(
            u8, 9, -1, o, mode="mirror", backend=b, num_threads=n), u8),
        "minmax1d long line": (lambda o, b, n: pc.maximum_filter1d(
            wide[:1], 300, -1, o, mode="reflect", backend=b, num_threads=n), wide[:1]),
        "minmax1d tiles": (lambda o, b, n: pc.maximum_filter1d(
            f64, 140, -1, o, mode="wrap", backend=b, num_threads=n), f64),
        "minmax1d rows": (lambda o, b, n: pc.minimum_filter1d(
            wide, 7, 0, o, mode="nearest", backend=b, num_threads=n), wide),
        "minmax1d harter": (lambda o, b, n: pc.minimum_filter1d(
            nan, 5, 0, o, mode="reflect", backend=b, num_threads=n), nan),
        "size= passes 3-D": (lambda o, b, n: pc.maximum_filter(
            i16, (2, 3, 5), output=o, mode="constant", cval=7, backend=b, num_threads=n), i16),
        "minmax_fp": (lambda o, b, n: pc.minimum_filter(
            i16, footprint=[fp], output=o, mode="reflect", backend=b, num_threads=n), i16),
        "rank_fp NaN": (lambda o, b, n: pc.median_filter(
            nan, 4, output=o, mode="wrap", backend=b, num_threads=n), nan),
        "rank_fp big window": (lambda o, b, n: pc.rank_filter(
            f32, 300, size=(30, 30), output=o, mode="mirror", backend=b, num_threads=n), f32),
        "minmax2d": (lambda o, b, n: pc.minimum_filter(
            tall, (3, 4), output=o, mode="wrap", backend=b, num_threads=n), tall),
        "minmax2d van Herk": (lambda o, b, n: pc.maximum_filter(
            tall, (9, 5), output=o, mode="mirror", backend=b, num_threads=n), tall),
        "minmax2d NaN": (lambda o, b, n: pc.maximum_filter(
            tall_nan, (3, 3), output=o, mode="nearest", backend=b, num_threads=n), tall_nan),
        "median_box 3x3": (lambda o, b, n: pc.median_filter(
            tall, 3, output=o, mode="constant", cval=3, backend=b, num_threads=n), tall),
        "median_box 5x5": (lambda o, b, n: pc.median_filter(
            f32, 5, output=o, mode="reflect", backend=b, num_threads=n), f32),
        "rank_net 9 cells": (lambda o, b, n: pc.median_filter(
            i16, footprint=[fp9], output=o, mode="nearest", backend=b, num_threads=n), i16),
        "rank_hist": (lambda o, b, n: pc.median_filter(
            tall, (9, 8), output=o, mode="mirror", backend=b, num_threads=n), tall),
        "rank_hist 16-bit": (lambda o, b, n: pc.percentile_filter(
            i16, 40, footprint=np.ones((1, 7, 9), bool), output=o, mode="wrap", backend=b,
            num_threads=n), i16),
        "rank_net any": (lambda o, b, n: pc.percentile_filter(
            f64, 30, size=(3, 4), output=o, mode="wrap", backend=b, num_threads=n), f64),
    }


@pytest.mark.parametrize("num_threads", [1, 2])
def test_every_task_alone_in_any_order_gives_the_bytes_of_one_call(backend, num_threads,
                                                                   monkeypatch):
    """Each kernel call run one task at a time, last task first (so no task can lean on
    another one having run), equals the uncut call; ``call(0, 0)`` writes nothing."""
    calls = _calls()
    whole = {name: f(None, backend, num_threads) for name, (f, _) in calls.items()}
    seen = {}

    def one_by_one(call, work, threads=1):
        T = call(0, 0)
        if name not in seen:  # the call's first kernel: t1 == 0 counts the tasks only
            assert (out == sentinel).all(), name
        for t in reversed(range(T)):
            call(t, t + 1)
        seen[name] = seen.get(name, 0) + T

    monkeypatch.setattr(_cancel, "run_tasks", one_by_one)
    for name, (f, x) in calls.items():
        sentinel = np.ones(1, x.dtype)
        out = np.full(x.shape, sentinel[0], x.dtype)
        got = f(out, backend, num_threads)
        assert got is out, name
        assert got.tobytes() == whole[name].tobytes(), name
        # it was cut (one line along the axis is one task: the one call that is not)
        assert seen[name] > 1 or name == "minmax1d long line", name


def test_run_tasks_slices_give_the_bytes_of_one_call(backend, monkeypatch):
    """Through the real driver, slices starting at one task (FIRST_WORK = 1, SLICE = 0:
    one task per slice throughout)."""
    calls = _calls()
    whole = {name: f(None, backend, 2) for name, (f, _) in calls.items()}
    one_task_slices(monkeypatch)
    for name, (f, _) in calls.items():
        assert f(None, backend, 2).tobytes() == whole[name].tobytes(), name


# ---------------------------------------------------------------- Ctrl-C

_CHILD = r"""
import sys

import numpy as np
import pycompute as pc
from stopping import interrupt_each, report

backend = sys.argv[1]
rng = np.random.default_rng(1)
img = rng.standard_normal((1024, 1024)).astype(np.float32)
tall = rng.standard_normal((8192, 128))
big = {
    # quickselect over 961 cells per pixel: ~30 s at 1 thread
    "median_filter": lambda **k: pc.median_filter(img, 31, **k),
    # the fused kernel with 24001 column taps: ~10 s at 1 thread
    "gaussian_gradient_magnitude": lambda **k: pc.gaussian_gradient_magnitude(
        tall, (3000, 1), **k),
}
small = rng.standard_normal((30, 40)).astype(np.float32)


def warm():  # compiled and warm
    pc.median_filter(small, 31, backend=backend)
    pc.gaussian_gradient_magnitude(small.astype(np.float64), 2.0, backend=backend)


out = interrupt_each(big, backend, warm, 0.3)
# the process is still usable: same answers as before
x = rng.standard_normal((40, 50)).astype(np.float32)
ok = (pc.median_filter(x, 5, backend=backend).tobytes()
      == pc.median_filter(x, 5, backend="numpy").tobytes())
ok &= bool(np.allclose(pc.gaussian_gradient_magnitude(x.astype(np.float64), 2.0, backend=backend),
                       pc.gaussian_gradient_magnitude(x.astype(np.float64), 2.0, backend="numpy"),
                       rtol=1e-12, atol=0))
report(out, ok)
"""


# slow: a child process per backend (~4 s); the aio test below (default run) stops a call
# at the same place, between two slices
@pytest.mark.slow
def test_ctrl_c_stops_a_long_rank_and_derivative_filter(backend):
    """SIGINT during a filter call of many seconds raises KeyboardInterrupt soon, 1 and 2
    threads; afterwards the process computes the right answers and holds no lease."""
    res = run_child(_CHILD, backend)
    for name, latency in res.items():
        # each call would take 5-30 s more; "stopped" is all this asserts (an uncut call
        # would raise KeyboardInterrupt only once it returned)
        assert latency is not None and latency < 3.0, (name, latency)


# ---------------------------------------------------------------- aio


def test_cancelling_an_awaited_median_stops_it_and_frees_its_threads(backend):
    x = np.random.default_rng(4).standard_normal((1024, 1024)).astype(np.float32)
    pc.median_filter(x[:40, :40], 31, backend=backend)  # compiled

    took, in_use = cancel_awaited(lambda: aio.median_filter(x, 31, backend=backend))  # 15-30 s
    assert in_use == 0
    assert took < 3.0  # the call itself would run for many seconds more
    small = x[:30, :30]
    again = asyncio.run(aio.median_filter(small, 5, backend=backend))
    assert again.tobytes() == pc.median_filter(small, 5, backend="numpy").tobytes()
