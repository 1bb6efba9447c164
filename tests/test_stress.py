"""Stress: 8 Python threads calling every kernel family on both native backends at once.

Each thread runs a shuffled mix of reductions, filters and simulation steps, on
the Cython and the Numba backend, under mixed thread counts: the
``num_threads=`` keyword (1, 2, -1), ``with pc.num_threads(k):`` blocks
(nested too, and left through an exception), and the default count (which the
sharing rule of ``_threads.lease`` cuts to the cores other calls leave free).
``pc.set_num_threads`` is process-wide, so it is not used. The inputs are big
enough that a call given two threads runs on two (work >= 2 x GRAIN).

Every result is compared byte for byte with the result of the same call made
before the threads start, at ``num_threads=1``: results are bitwise identical
at any thread count (README), whoever else is running. At the end no thread
count is left leased (``_threads._in_use == 0``) and every thread's
``pc.num_threads`` context is back to its default.
"""
from __future__ import annotations

import os
import random
import threading
import time

import numpy as np
import pytest

import pycompute as pc
from pycompute import _threads

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
N_WORKERS = 8
SECONDS = float(os.environ.get("PYCOMPUTE_STRESS_SECONDS", "10"))
MAX = pc.max_threads()


def _cases():
    """(name, call(backend, **threads) -> result) with inputs of >= 2 x GRAIN work."""
    rng = np.random.default_rng(2024)
    f32 = rng.standard_normal((300, 400)).astype(np.float32)
    f64 = rng.standard_normal((150, 520))
    f64[3, 7] = np.nan
    i16 = rng.integers(-3000, 3000, (260, 300)).astype(np.int16)
    u8 = rng.integers(0, 256, (120, 200, 3)).astype(np.uint8)
    w5 = rng.standard_normal((5, 5))
    heat = rng.random((128, 128))
    board = rng.random((128, 256)) < 0.35
    gu = np.ones((96, 130), np.float32)
    gv = np.zeros((96, 130), np.float32)
    gu[40:56, 50:70], gv[40:56, 50:70] = 0.5, 0.25
    pos = rng.standard_normal((400, 3))
    vel = 0.1 * rng.standard_normal((400, 3))
    mass = rng.uniform(0.5, 1.5, 400)
    gs = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065)

    def filt_in_place(be, **t):
        out = f64.copy()
        pc.gaussian_filter(out, 1.5, output=out, backend=be, **t)  # in place
        return out

    def heat_in_place(be, **t):
        u = heat.copy()
        return pc.heat_step(u, steps=8, alpha=0.2, mode="reflect", out=u, backend=be, **t)

    return [
        ("sum f32 axis=None", lambda be, **t: pc.sum(f32, backend=be, **t)),
        ("sum f32 axis=1", lambda be, **t: pc.sum(f32, axis=1, backend=be, **t)),
        ("mean f64 axis=0 with NaN", lambda be, **t: pc.mean(f64, axis=0, backend=be, **t)),
        ("var f32 T ddof=1", lambda be, **t: pc.var(f32.T, ddof=1, backend=be, **t)),
        ("std f64 neg strides", lambda be, **t: pc.std(f64[::-1, ::-2], axis=1, backend=be, **t)),
        ("min/max i16", lambda be, **t: (pc.min(i16, axis=0, backend=be, **t),
                                         pc.max(i16, backend=be, **t))),
        ("argmax f32 F-order", lambda be, **t: pc.argmax(np.asfortranarray(f32), axis=0,
                                                          backend=be, **t)),
        ("sum i16 -> int64", lambda be, **t: pc.sum(i16, axis=(0, 1), backend=be, **t)),
        ("histogram f32", lambda be, **t: pc.histogram(f32, bins=64, backend=be, **t)),
        ("correlate 5x5 f64", lambda be, **t: pc.correlate(f64, w5, mode="wrap", backend=be,
                                                           **t)),
        ("correlate1d i16 -> f32", lambda be, **t: pc.correlate1d(
            i16, [1.0, -2.0, 0.5], axis=0, output=np.float32, backend=be, **t)),
        ("gaussian_filter f32", lambda be, **t: pc.gaussian_filter(f32, 2.0, backend=be, **t)),
        ("gaussian_filter f64 in place", filt_in_place),
        ("uniform_filter u8 3-D", lambda be, **t: pc.uniform_filter(u8, (5, 3, 1), backend=be,
                                                                      **t)),
        ("sobel f32 constant", lambda be, **t: pc.sobel(f32, axis=0, mode="constant", cval=1.0,
                                                        backend=be, **t)),
        ("laplace i16", lambda be, **t: pc.laplace(i16, backend=be, **t)),
        ("heat_step 8 steps", lambda be, **t: pc.heat_step(heat, steps=8, alpha=0.24,
                                                           backend=be, **t)),
        ("heat_step in place", heat_in_place),
        ("life_step 4 steps", lambda be, **t: pc.life_step(board, steps=4, rule="B36/S23",
                                                           backend=be, **t)),
        ("gray_scott_step 11 steps", lambda be, **t: pc.gray_scott_step(gu, gv, steps=11,
                                                                        backend=be, **gs, **t)),
        ("nbody_accelerations", lambda be, **t: pc.nbody_accelerations(
            pos, mass, softening=0.01, backend=be, **t)),
        ("nbody_energy", lambda be, **t: pc.nbody_energy(pos, vel, mass, softening=0.01,
                                                         backend=be, **t)),
        ("nbody_step", lambda be, **t: pc.nbody_step(pos, vel, mass, dt=1e-3, softening=0.01,
                                                     backend=be, **t)),
    ]


def _bytes(res):
    """A result as comparable bytes: dtype, shape and data of each array in it."""
    parts = res if isinstance(res, tuple) else (res,)
    out = []
    for p in parts:
        if isinstance(p, tuple):
            out.extend(_bytes(p))
            continue
        a = np.asarray(p)
        out.append((a.dtype.str, a.shape, a.tobytes()))
    return out


def _run(call, be, mode):
    """``call`` under thread-count ``mode``; checks that a context it opened is closed."""
    kind, k = mode
    before = _threads._context.get()
    if kind == "keyword":
        res = call(be, num_threads=k)
    elif kind == "context":
        with pc.num_threads(k):
            res = call(be)
    elif kind == "nested":  # the inner block and the keyword win; both blocks restore
        with pc.num_threads(k):
            with pc.num_threads(1):
                res = call(be, num_threads=k)
            assert _threads._context.get() == (k if k > 0 else MAX + 1 + k)
    elif kind == "raising":  # a call that raises inside a block: the block still restores
        with pytest.raises(ValueError):
            with pc.num_threads(k):
                call(be, num_threads=0)
        res = call(be)
    else:
        res = call(be)
    assert _threads._context.get() == before, "a pycompute.num_threads block leaked"
    return res


MODES = ([("keyword", k) for k in (1, 2, -1) if abs(k) <= MAX]
         + [("context", k) for k in (1, 2) if k <= MAX]
         + [("nested", k) for k in (2, -1) if abs(k) <= MAX]
         + [("raising", 1), ("default", None), ("default", None)])


def test_eight_threads_mixed_kernels_backends_and_thread_counts():
    cases = _cases()
    jobs = [(name, call, be) for name, call in cases for be in NATIVE]
    # expected results, one thread, before any concurrency (this also compiles Numba)
    expected = {(name, be): _bytes(call(be, num_threads=1)) for name, call, be in jobs}
    context_default = _threads._context.get()
    global_before = _threads._global_threads
    failures = []
    counts = [0] * N_WORKERS
    end_state = [None] * N_WORKERS
    start = threading.Barrier(N_WORKERS)
    deadline = [0.0]

    def worker(w):
        rnd = random.Random(w)
        try:
            start.wait()
            first = True
            while first or time.monotonic() < deadline[0]:
                order = [(job, mode) for job in jobs for mode in [rnd.choice(MODES)]]
                rnd.shuffle(order)
                for (name, call, be), mode in order:  # every job at least once per thread
                    if not first and time.monotonic() >= deadline[0]:
                        break
                    got = _bytes(_run(call, be, mode))
                    counts[w] += 1
                    if got != expected[(name, be)]:
                        failures.append(f"thread {w}: {name} on {be} under {mode} differs "
                                        f"from its num_threads=1 result")
                first = False
        except BaseException as exc:  # noqa: BLE001 - reported below, with the thread
            failures.append(f"thread {w} raised {type(exc).__name__}: {exc}")
        finally:
            end_state[w] = (_threads._context.get(), pc.get_num_threads())

    threads = [threading.Thread(target=worker, args=(w,), name=f"stress-{w}")
               for w in range(N_WORKERS)]
    deadline[0] = time.monotonic() + SECONDS
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 300)
    assert not any(t.is_alive() for t in threads), "a worker thread hangs"
    assert not failures, failures[:10]
    assert all(c >= len(jobs) for c in counts), counts
    # no lease left behind, every thread's context back to the default, nothing global touched
    assert _threads._in_use == 0
    default = pc.get_num_threads()
    assert end_state == [(context_default, default)] * N_WORKERS, end_state
    assert _threads._context.get() == context_default
    assert _threads._global_threads == global_before
