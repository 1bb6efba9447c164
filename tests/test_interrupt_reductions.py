"""Stopping a long reduction: sliced kernel calls, Ctrl-C and aio cancellation (issue 12).

A reduction's tasks (cut from the shape alone) run in slices of about 50 ms
(``pycompute._cancel.run_tasks``); their chunk partials live in arrays the
wrapper owns and the slice that runs the last task folds them. These tests
check that a call cut into one-task slices gives the bytes of the uncut call
(every kernel, both backends, 1 and 2 threads), the kernels' slicing protocol
itself, and that SIGINT and an aio cancel stop a call that would run for
minutes. Latencies are measured by ``benchmarks/run_interrupt.py``, not here.
"""
import asyncio

import numpy as np
import pytest
from stopping import cancel_awaited, one_task_slices, run_child

import pycompute as pc
import pycompute.aio as aio
from pycompute import _backends, _cancel


def _arrays():
    rng = np.random.default_rng(11)
    x = rng.standard_normal(40_001) * 10.0 ** rng.integers(-5, 5, 40_001)
    z = np.zeros(20_000)
    z[::7] = -0.0
    z2 = z.copy()
    z2[9_000] = np.nan
    return {
        # rows of one task (nch == 1) and rows cut in chunks (R > 16384: nch > 1)
        "f64 rows": rng.standard_normal((5, 333)),
        "f64 1-D chunks": x,
        "f32 1-D chunks rev": x.astype(np.float32)[::-1],
        "f64 1-D strided": x[::3],
        "signed zeros": z,
        "zeros and NaN": z2,
        "i32 chunks": rng.integers(-1000, 1000, 50_000).astype(np.int32),
        "u8 2-D": rng.integers(0, 255, (70, 300)).astype(np.uint8),
        # columns: R = 3000 gives chunks of 12 rows, the last ones empty (R = 40000 too)
        "f64 columns": rng.standard_normal((3000, 7)),
        "f32 tall": rng.standard_normal((40_000, 3)).astype(np.float32),
        "f64 3-D": rng.standard_normal((3, 200, 300))[:, ::2, 1::2],
        "i16 F-order": np.asfortranarray(rng.integers(-300, 300, (90, 77)).astype(np.int16)),
        # argmin/argmax chunks past one that stops skip (the row stops of the first slice)
        "i16 limit chunks": _stops_at(rng.integers(-300, 300, 50_000).astype(np.int16),
                                      np.iinfo(np.int16).min),
        "mask first True": _stops_at(np.zeros(50_000, bool), True),
    }


def _stops_at(a, v):
    """``a`` holding ``v`` (its minimum's or maximum's stop) in its second row chunk
    and often in its last ones."""
    a[20_000] = v
    a[33_000::97] = v
    return a


def _calls(a, backend, nt):
    axes = [None] + list(range(a.ndim))
    out = {}
    for ax in axes:
        kw = dict(axis=ax, backend=backend, num_threads=nt)
        out[("sum", ax)] = pc.sum(a, **kw)
        out[("mean", ax)] = pc.mean(a, **kw)
        out[("min", ax)] = pc.min(a, **kw)
        out[("max", ax)] = pc.max(a, **kw)
        out[("argmin", ax)] = pc.argmin(a, **kw)
        out[("argmax", ax)] = pc.argmax(a, **kw)
        out[("var", ax)] = pc.var(a, **kw)
        out[("std", ax)] = pc.std(a, ddof=1, **kw)
    if a.dtype.kind == "f":
        out["sum f64 of f32"] = pc.sum(a.astype(np.float32), axis=0, backend=backend,
                                       num_threads=nt)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if a.dtype != bool:  # (NumPy's histogram refuses bool)
        out["hist"] = pc.histogram(finite, bins=17, backend=backend, num_threads=nt)
        out["hist edges"] = pc.histogram(a, bins=np.linspace(-3, 3, 40), backend=backend,
                                         num_threads=nt)
    return {k: np.asarray(v).tobytes() if not isinstance(v, tuple)
            else b"".join(np.asarray(p).tobytes() for p in v) for k, v in out.items()}


@pytest.mark.parametrize("num_threads", [1, 2])
def test_one_task_slices_give_the_bytes_of_one_call(backend, num_threads, monkeypatch):
    arrays = _arrays()
    whole = {name: _calls(a, backend, num_threads) for name, a in arrays.items()}
    seen = one_task_slices(monkeypatch)
    for name, a in arrays.items():
        got = _calls(a, backend, num_threads)
        bad = [k for k in whole[name] if got[k] != whole[name][k]]
        assert not bad, (name, bad)
    assert max(seen) > 100  # calls of many tasks were cut, one task per slice


def _kernel_cases(dt):
    """(kernel name, args before ``parts``, parts) over a (3, 5000, 41) column view
    (column blocks cut into chunks) and a 1-D row cut into chunks."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(3 * 5000 * 41) * 100).astype(dt)
    geoms = [(3, 5000, 41, 5000 * 41, 41, 1), (1, 3 * 5000 * 41, 1, 0, 1, 0)]
    for A, R, B, sa, sr, sb in geoms:
        head = (x, 0, A, R, B, sa, sr, sb)
        n = A * B
        if dt.kind == "f":
            yield "sum_float", head, (np.empty(n),), ((2, np.float64),)
            yield "var", head, (np.empty(n), np.empty(n)), ((2, np.float64),)
        else:
            yield "sum_int", head, (np.empty(n, np.uint64),), ((1, np.uint64),)
        yield "minmax", head + (0, False), (np.empty(n, dt),), ((1, dt),)
        yield "minmax", head + (1, False), (np.empty(n, dt),), ((1, dt),)
        yield "minmax", head + (2, False), (np.empty(2 * n, dt),), ((2, dt),)  # both
        yield ("argext", head + (True, False), (np.empty(n, np.int64),),
               ((1, dt), (1, np.int64), (1, np.int64)))


@pytest.mark.parametrize("dt", [np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int16)])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_kernels_run_any_task_ranges_in_order(backend, dt, num_threads):
    """The protocol of the kernels: ``t1 == 0`` only returns the task count; a whole call
    may pass empty ``parts``; slices [t0, t1) given in order (out-of-range ``t1``
    clamped) give the bytes of the whole call; a slice without ``parts`` is refused."""
    kern = _backends.kernels(backend, "reductions")
    for name, head, outs, spec in _kernel_cases(dt):
        fn = getattr(kern, name)
        A, R, B = head[2:5]
        T, P = kern.plan(A, R, B)
        assert P > 0, name  # these shapes cut blocks into chunks
        empty = tuple(np.empty(0, d) for _, d in spec)
        assert fn(*head, *outs, *empty, num_threads, 0, 0) == T
        assert fn(*head, *outs, *empty, num_threads, 0, _cancel.ALL_TASKS) == T
        whole = [o.copy() for o in outs]
        for o in outs:
            o[...] = 0
        parts = tuple(np.full(m * P, 7, d) for m, d in spec)  # stale values: tasks overwrite
        with pytest.raises(ValueError, match="parts"):
            fn(*head, *outs, *empty, num_threads, 0, 1)
        cuts = [0, 1, 2, 9, T // 2, T - 1, T + 5]
        for t0, t1 in zip(cuts, cuts[1:]):
            assert fn(*head, *outs, *parts, num_threads, t0, t1) == T
        for o, w in zip(outs, whole):
            assert o.tobytes() == w.tobytes(), name


@pytest.mark.parametrize("num_threads", [1, 2])
def test_histogram_kernels_slice_by_task(backend, num_threads):
    kern = _backends.kernels(backend, "reductions")
    x = np.random.default_rng(6).standard_normal(600_000)
    edges = np.linspace(-2.5, 2.5, 33)
    T, P = kern.hist_plan(x.size, 32)
    assert T > 1 and P == T * 32
    cases = [
        (kern.histogram_uniform, (x, 0, x.size, 1, edges, -2.5, 2.5, 5.0)),
        (kern.histogram_edges, (x, 0, x.size, 1, edges)),
    ]
    for fn, head in cases:
        whole = np.zeros(32, np.int64)
        assert fn(*head, whole, np.empty(0, np.int64), num_threads, 0, _cancel.ALL_TASKS) == T
        counts = np.zeros(32, np.int64)
        parts = np.full(P, -5, np.int64)  # stale: each task zeroes its own histogram
        for t0 in range(0, T, 37):
            fn(*head, counts, parts, num_threads, t0, t0 + 37)
        assert counts.tobytes() == whole.tobytes()
    assert whole.tobytes() == np.histogram(x, edges)[0].tobytes()
    uniform = np.zeros(32, np.int64)
    kern.histogram_uniform(*cases[0][1], uniform, np.empty(0, np.int64), num_threads, 0,
                           _cancel.ALL_TASKS)
    assert uniform.tobytes() == np.histogram(x, 32, range=(-2.5, 2.5))[0].tobytes()


@pytest.mark.parametrize("num_threads", [1, 2])
def test_column_extremes_skip_empty_trailing_chunks(backend, num_threads):
    """R = 40000 rows in 256 chunks of 157: chunk 255 starts past the last row. Its task
    used to read the row after the array and fold it in (here: -inf and +inf)."""
    x = np.random.default_rng(8).random(40_000 * 3 + 600)
    x[40_000 * 3:] = np.inf
    x[40_000 * 3::2] = -np.inf
    v = x[:40_000 * 3].reshape(40_000, 3)
    for nt in (None, num_threads):
        assert pc.min(v, axis=0, backend=backend, num_threads=nt).tolist() == v.min(0).tolist()
        assert pc.max(v, axis=0, backend=backend, num_threads=nt).tolist() == v.max(0).tolist()
        assert pc.argmin(v, axis=0, backend=backend, num_threads=nt).tolist() == \
            v.argmin(0).tolist()
        assert pc.argmax(v, axis=0, backend=backend, num_threads=nt).tolist() == \
            v.argmax(0).tolist()


# ---------------------------------------------------------------- Ctrl-C

# Long calls on little memory: moving sums and variances, the rows of a sliding window
# view (2**16 elements a row, ROWS rows over ROWS + 2**16 values: 32 MB). One call
# takes a minute or more; each task is one row (~20 us).
ROWS = 4_000_000
_CHILD = r"""
import sys

import numpy as np
import pycompute as pc
from stopping import interrupt_each, report

backend, rows = sys.argv[1], int(sys.argv[2])
x = np.random.default_rng(1).standard_normal(rows + (1 << 16) - 1)
big = np.lib.stride_tricks.sliding_window_view(x, 1 << 16)
calls = {
    "sum axis 1": lambda **k: pc.sum(big, axis=1, **k),
    "var axis 1": lambda **k: pc.var(big, axis=1, **k),
}
small = np.random.default_rng(2).random((30, 700))


def warm():  # compiled and warm, for the long calls' layout too (nothing compiles in them)
    pc.sum(small[:3], axis=1, backend=backend)
    pc.var(small[:3], axis=1, backend=backend)
    pc.sum(big[:3], axis=1, backend=backend)
    pc.var(big[:3], axis=1, backend=backend)


out = interrupt_each(calls, backend, warm, 0.5)
# the process is still usable: the right answers
ok = True
for nt in (1, 2):
    ok &= pc.sum(small, axis=1, backend=backend, num_threads=nt).tobytes() == \
        pc.sum(small, axis=1, backend=backend, num_threads=1).tobytes()
    ok &= bool(np.allclose(pc.var(small, axis=0, backend=backend, num_threads=nt),
                           np.var(small, axis=0), rtol=1e-13, atol=0))
report(out, ok)
"""


def test_ctrl_c_stops_a_long_reduction(backend):
    """SIGINT during one reduction call of minutes raises KeyboardInterrupt, 1 and 2
    threads; afterwards the process computes the right answers and holds no lease."""
    res = run_child(_CHILD, backend, ROWS)
    for name, latency in res.items():
        # each call would take minutes; "stopped" is all this asserts
        assert latency is not None and latency < 10.0, (name, latency)


# ---------------------------------------------------------------- aio


def test_cancelling_an_awaited_reduction_stops_it(backend):
    x = np.random.default_rng(4).standard_normal(ROWS + (1 << 16) - 1)
    big = np.lib.stride_tricks.sliding_window_view(x, 1 << 16)
    pc.sum(big[:3], axis=1, backend=backend)  # compiled

    took, in_use = cancel_awaited(lambda: aio.sum(big, axis=1, backend=backend))  # minutes
    assert in_use == 0
    assert took < 10.0
    again = asyncio.run(aio.sum(big[:5, :100], axis=1, backend=backend))
    assert again.tobytes() == pc.sum(big[:5, :100], axis=1, backend=backend).tobytes()


# ---------------------------------------------------------------- issue 11: backends agree


def _wide(rng, shape, axis=-1):
    """Values over 28 decades whose sum along ``axis`` cancels to a residue: there the
    compensations carry rounding errors and the order of the additions shows."""
    x = rng.standard_normal(shape) * 10.0 ** rng.uniform(-12, 16, shape)
    if x.size and x.shape[axis] > 1:
        head = np.take(x, np.arange(x.shape[axis] - 1), axis=axis)
        last = [slice(None)] * x.ndim
        last[axis] = -1
        x[tuple(last)] = -head.sum(axis=axis)
    return x


def _sum_cases(dt):
    rng = np.random.default_rng(12)
    for n in range(301):  # every tail length, around and past the 16 lanes
        yield f"n={n}", _wide(rng, n).astype(dt), None
    x = _wide(rng, 100_003).astype(dt)
    yield "large", x, None
    yield "strided", x[::3], None
    yield "reversed", x[::-2], None
    m = _wide(rng, (330, 303)).astype(dt)
    yield "rows", m, 1
    yield "strided rows", m[:, ::2], 1
    yield "columns", _wide(rng, (303, 330), axis=0).astype(dt), 0
    yield "3-D", _wide(rng, (30, 33, 100)).astype(dt)[:, 1:, ::3], (0, 2)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_float_sums_are_the_same_bits_on_both_backends(dt, num_threads):
    """Cython's contiguous float64 rows added their tail after folding the lanes,
    Numba's (and Cython's strided rows) into lane 0 before: the sums of these cases
    differed in the last bit in about 60% of the sizes."""
    for name, x, axis in _sum_cases(dt):
        for op in (pc.sum, pc.mean) if x.size else (pc.sum,):  # an empty mean: NumPy's NaN
            c, n = (np.asarray(op(x, axis=axis, backend=b, num_threads=num_threads))
                    for b in ("cython", "numba"))
            assert c.tobytes() == n.tobytes(), (op.__name__, name)
