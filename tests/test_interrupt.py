"""Stopping long calls: Ctrl-C, aio cancellation, and the slicing that makes both possible.

A long simulation run is cut into native calls of bounded time
(``pycompute/_cancel.py``); these tests check that the cut never changes a
result, that SIGINT and an aio cancel stop a call that would otherwise run for
many minutes, and that the process is usable afterwards. The latencies
themselves are measured by ``benchmarks/run_interrupt.py``, not asserted here;
the bounds below only tell "stopped" from "ran on".
"""
import asyncio

import numpy as np
import pytest
from stopping import cancel_awaited, one_task_slices, run_child

import pycompute as pc
import pycompute.aio as aio
from pycompute import _cancel, _threads

# ---------------------------------------------------------------- slicing


def test_run_sliced_covers_the_range_in_order():
    seen = []
    _cancel.run_sliced(1000, _cancel.FIRST_WORK // 3, lambda first, count: seen.append((first, count)))
    assert seen[0] == (0, 3)
    starts = [f for f, _ in seen]
    assert starts == sorted(starts)
    assert all(f + c == g for (f, c), (g, _) in zip(seen, seen[1:]))
    assert seen[-1][0] + seen[-1][1] == 1000
    one = []
    _cancel.run_sliced(7, 1, lambda first, count: one.append((first, count)))
    assert one == [(0, 7)]  # a short run is one call, as before slicing


def test_prefault_touches_one_byte_a_page_of_large_new_buffers():
    """Large buffers a simulation call allocates are faulted in from Python, in pieces
    between which Ctrl-C is handled, instead of inside the first kernel slices."""
    from pycompute import simulation as sim

    big = np.ones(3 * sim._TOUCH_BYTES + 5000, np.uint8)
    small = np.ones(sim._TOUCH_BYTES, np.uint8)
    sim._prefault(big, small)
    assert not big[::4096].any() and big.sum() == big.size - len(big[::4096])
    assert small.all()


def test_a_short_remainder_joins_the_slice_before_it():
    """A last slice of less than half a slice would be an inefficient block: it joins."""
    for total, expect in ((14, [(0, 14)]), (16, [(0, 10), (10, 6)])):
        seen = []
        _cancel.run_sliced(total, _cancel.FIRST_WORK // 10, lambda f, c: seen.append((f, c)))
        assert seen == expect, total


@pytest.mark.parametrize("threads", [2, 3])
def test_task_slices_keep_every_thread_busy(threads, monkeypatch):
    """Parallel tasks: every slice but the last takes a multiple of the thread count, the
    first one too, however long a task is (a one-task slice would idle all threads but one)."""
    monkeypatch.setattr(_cancel, "SLICE", 0.0)  # slices as short as allowed
    seen = []
    _cancel.run_sliced(101, _cancel.FIRST_WORK * 5, lambda f, c: seen.append((f, c)),
                       threads)
    assert [c % threads for _, c in seen[:-1]] == [0] * (len(seen) - 1)
    assert seen[0][1] == threads
    assert sum(c for _, c in seen) == 101 and seen[-1][0] + seen[-1][1] == 101
    calls = []
    _cancel.run_tasks(lambda t0, t1: calls.append((t0, t1)) or 7, _cancel.FIRST_WORK * 7,
                      threads)
    assert calls[0] == (0, 0) and calls[1] == (0, threads)


def test_a_cancelled_token_stops_before_the_next_slice():
    token = _cancel.Token()
    calls = []

    def run(first, count):
        calls.append(first)
        if len(calls) == 2:
            token.cancel()

    import contextvars

    ctx = contextvars.copy_context()
    ctx.run(_cancel.bind, token)
    with pytest.raises(_cancel.Cancelled):
        ctx.run(_cancel.run_sliced, 10**6, _cancel.FIRST_WORK, run)
    assert len(calls) == 2
    _cancel.run_sliced(3, _cancel.FIRST_WORK, lambda f, c: None)  # this context: no token


def _runs():
    rng = np.random.default_rng(3)
    u3 = rng.random((6, 9, 11))
    u2 = rng.random((40, 37)).astype(np.float32)
    board = rng.random((33, 41)) < 0.35
    gu = np.ones((30, 34))
    gv = np.zeros((30, 34))
    gv[12:18, 14:20] = 0.25
    pos = rng.standard_normal((90, 3)).astype(np.float32)
    vel = (0.1 * rng.standard_normal((90, 3))).astype(np.float32)
    mass = rng.random(90)
    return {
        "heat 3-D": lambda b, **k: pc.heat_step(u3, steps=23, alpha=0.1, mode="reflect",
                                                backend=b, **k),
        "heat 2-D out=u": lambda b, **k: pc.heat_step(u2.copy(), steps=23, alpha=0.2,
                                                      backend=b, **k),
        "life": lambda b, **k: pc.life_step(board, steps=23, rule="B36/S23", backend=b, **k),
        "gray_scott": lambda b, **k: np.stack(pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=23, backend=b, **k)),
        "nbody": lambda b, **k: np.stack(pc.nbody_step(
            pos, vel, mass, dt=1e-3, steps=23, softening=0.05, backend=b, **k)),
    }


@pytest.mark.parametrize("schedule", [[1], [2, 5, 1, 4, 3, 8], [22, 1]])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_a_run_cut_anywhere_equals_the_uncut_run(backend, schedule, num_threads, monkeypatch):
    whole = {name: np.asarray(f(backend, num_threads=num_threads)) for name, f in _runs().items()}
    real = _cancel.run_sliced

    def cut(total, work, run, threads=1):  # the given slice sizes, the last one repeated
        first, i = 0, 0
        while first < total:
            c = min(schedule[min(i, len(schedule) - 1)], total - first)
            run(first, c)
            first, i = first + c, i + 1

    monkeypatch.setattr(_cancel, "run_sliced", cut)
    for name, f in _runs().items():
        got = np.asarray(f(backend, num_threads=num_threads))
        assert got.tobytes() == whole[name].tobytes(), name
    monkeypatch.setattr(_cancel, "run_sliced", real)


@pytest.mark.parametrize("num_threads", [1, 2])
def test_nbody_sliced_by_bodies_equals_one_call(backend, num_threads, monkeypatch):
    """Past ``FIRST_WORK`` pairs a step runs as kick+drift, the pair pass in slices of target
    bodies, kick; the accelerations and energies are sliced the same way. Forced here down to
    one body a slice: the bytes of the fused, uncut kernels."""
    rng = np.random.default_rng(8)
    cases = []
    for dt in (np.float32, np.float64):
        for n in (1, 5, 70, 129):
            cases.append((rng.standard_normal((n, 3)).astype(dt),
                          (0.1 * rng.standard_normal((n, 3))).astype(dt), rng.random(n)))

    def run_all():
        out = []
        for pos, vel, m in cases:
            kw = dict(G=0.7, softening=0.05, backend=backend, num_threads=num_threads)
            out.append(pc.nbody_accelerations(pos, m, **kw).tobytes())
            out.append(np.float64(pc.nbody_energy(pos, vel, m, **kw)).tobytes())
            p, v = pc.nbody_step(pos, vel, m, dt=1e-3, steps=4, **kw)
            out.append(p.tobytes() + v.tobytes())
        return out

    whole = run_all()
    calls = one_task_slices(monkeypatch)
    assert run_all() == whole
    # sliced: every pass over more than one body ran as one-body slices
    assert calls and max(calls) == 129


def test_heat_in_place_keeps_writing_the_callers_array(backend, monkeypatch):
    monkeypatch.setattr(_cancel, "FIRST_WORK", 1)  # one step per slice at first
    u = np.random.default_rng(0).random((50, 60))
    expect = pc.heat_step(u, steps=40, alpha=0.2, backend="numpy")
    r = pc.heat_step(u, steps=40, alpha=0.2, out=u, backend=backend)
    assert r is u
    np.testing.assert_allclose(u, expect, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- Ctrl-C

_CHILD = r"""
import sys

import numpy as np
import pycompute as pc
from stopping import interrupt_each, report

backend = sys.argv[1]
rng = np.random.default_rng(1)
big = {
    "heat_step": lambda **k: pc.heat_step(rng.random((1024, 1024)), steps=10**6, alpha=0.2, **k),
    "life_step": lambda **k: pc.life_step(rng.random((1024, 1024)) < 0.3, steps=10**8, **k),
    "gray_scott_step": lambda **k: pc.gray_scott_step(
        np.ones((512, 512)), rng.random((512, 512)) * 0.25, Du=0.16, Dv=0.08, F=0.035, k=0.065,
        steps=10**7, **k),
    "nbody_step": lambda **k: pc.nbody_step(
        rng.standard_normal((2000, 3)), np.zeros((2000, 3)), np.ones(2000), dt=1e-4,
        steps=10**6, softening=0.01, **k),
    # one step of 10^10 pairs (about a minute): the pair pass itself is sliced
    "nbody_step one step": lambda **k: pc.nbody_step(
        rng.standard_normal((100_000, 3)), np.zeros((100_000, 3)), np.ones(100_000), dt=1e-4,
        steps=1, softening=0.01, **k),
    "nbody_accelerations": lambda **k: pc.nbody_accelerations(
        rng.standard_normal((100_000, 3)), np.ones(100_000), softening=0.01, **k),
}
small = np.random.default_rng(2).random((30, 40))
out = interrupt_each(big, backend, lambda: pc.heat_step(small, steps=3, alpha=0.2,
                                                        backend=backend), 0.4)
# the process is still usable: same answers as before
again = pc.heat_step(small, steps=3, alpha=0.2, backend=backend)
ref = pc.heat_step(small, steps=3, alpha=0.2, backend="numpy")
report(out, np.allclose(again, ref, rtol=1e-12, atol=0))
"""


def test_ctrl_c_stops_a_long_run(backend):
    """SIGINT during a run of many minutes raises KeyboardInterrupt, every step kernel, 1 and 2
    threads; afterwards the process computes the right answers and holds no lease."""
    res = run_child(_CHILD, backend)
    for name, latency in res.items():
        # each run would take minutes to hours; "stopped" is all this asserts
        assert latency is not None and latency < 10.0, (name, latency)


# ---------------------------------------------------------------- aio


def test_cancelling_an_await_stops_the_run_and_frees_its_threads(backend):
    u = np.random.default_rng(4).random((512, 512))
    pc.heat_step(u, steps=2, alpha=0.2, backend=backend)  # compiled

    # an hour's work; the cancelled task ends after its worker stopped: nothing is held
    took, in_use = cancel_awaited(
        lambda: aio.heat_step(u, steps=10**7, alpha=0.2, backend=backend))
    assert in_use == 0
    assert took < 10.0  # the run itself would take about an hour
    again = asyncio.run(aio.heat_step(u[:20, :20], steps=2, alpha=0.2, backend=backend))
    np.testing.assert_allclose(again, pc.heat_step(u[:20, :20], steps=2, alpha=0.2,
                                                   backend="numpy"), rtol=1e-12, atol=0)


def test_cancelling_one_long_nbody_step_stops_its_pair_pass(backend):
    """One step of 10^10 pair interactions (about a minute): the pair pass itself is cut
    into slices of target bodies, so the cancel stops it part-way through the step."""
    rng = np.random.default_rng(6)
    pos = rng.standard_normal((100_000, 3))
    pc.nbody_step(pos[:50], pos[:50], np.ones(50), dt=1e-3, softening=0.01, backend=backend)
    took, in_use = cancel_awaited(
        lambda: aio.nbody_step(pos, np.zeros_like(pos), np.ones(len(pos)), dt=1e-3,
                               softening=0.01, backend=backend))
    assert in_use == 0
    assert took < 10.0  # the step itself would take about a minute


def test_num_threads_context_applies_to_an_awaited_call(monkeypatch):
    """``with pc.num_threads(1): await aio.sum(x)`` runs on 1 thread (the task's context
    travels to the worker)."""
    seen = []
    real = _threads.resolve

    def spy(*args, **kwargs):
        n = real(*args, **kwargs)
        seen.append(n)
        return n

    monkeypatch.setattr(_threads, "resolve", spy)
    monkeypatch.setattr(_threads, "_FOLLOW_LOAD", False)
    x = np.random.default_rng(5).random(1 << 22)

    async def main():
        with pc.num_threads(1):
            a = await aio.sum(x, backend="cython" if "cython" in _native() else "numba")
        seen_in = list(seen)
        seen.clear()
        b = await aio.sum(x, backend="cython" if "cython" in _native() else "numba")
        return a, b, seen_in, list(seen)

    a, b, inside, outside = asyncio.run(main())
    assert a == b
    assert inside == [1]
    assert outside == [min(2, pc.max_threads())] or pc.max_threads() == 1


def _native():
    return [b.name for b in pc.backends() if b.available and b.name != "numpy"]


# ---------------------------------------------------------------- impossible work, empty grids


@pytest.mark.parametrize("steps", [2**63, 2**64 - 1, 2**64, 10**30])
def test_steps_past_the_64_bit_counter_are_refused_the_same_everywhere(steps):
    u = np.zeros((4, 4))
    calls = [
        lambda b: pc.heat_step(u, steps=steps, alpha=0.1, backend=b),
        lambda b: pc.life_step(u > 0, steps=steps, backend=b),
        lambda b: pc.gray_scott_step(u, u, Du=0.1, Dv=0.1, F=0.01, k=0.05, steps=steps, backend=b),
        lambda b: pc.nbody_step(u[:, :3], u[:, :3], np.ones(4), dt=0.1, steps=steps,
                                softening=0.1, backend=b),
    ]
    for b in ["numpy", "auto"] + _native():
        for call in calls:
            with pytest.raises(OverflowError, match=r"`steps`=\d+ is too large"):
                call(b)


def test_an_empty_grid_steps_to_an_empty_grid_on_every_backend():
    for b in ["numpy", "auto"] + _native():
        for shape in [(0,), (0, 5), (3, 0, 2)]:
            r = pc.heat_step(np.zeros(shape), steps=3, alpha=0.1, backend=b)
            assert r.shape == shape and r.dtype == np.float64, (b, shape)
        r = pc.life_step(np.zeros((0, 4), bool), steps=2, backend=b)
        assert r.shape == (0, 4) and r.dtype == np.bool_
        u, v = pc.gray_scott_step(np.zeros((4, 0)), np.zeros((4, 0)), Du=0.1, Dv=0.1, F=0.01,
                                  k=0.05, steps=2, backend=b)
        assert u.shape == v.shape == (4, 0)
