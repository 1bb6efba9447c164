"""What stopping costs: Ctrl-C latency of long calls, and the time slicing adds to a call.

    python benchmarks/run_interrupt.py [--repeat 5] [--backends cython numba] [--threads 1 2]
                                       [--families simulation filters] [--only NAME ...]
                                       [--tables latency cost]

A long simulation run is cut into native calls of about 50 ms, and so is a long
filter call (ranges of the kernel's tasks, ``pycompute/_cancel.py``), so that
Ctrl-C and ``pycompute.aio`` cancellation can stop it. Two tables:

* latency: SIGINT is sent (from a timer thread) 0.4 s into a call that would
  take seconds to minutes; the time until ``KeyboardInterrupt`` reaches the
  caller, the worst of ``--repeat`` tries, per kernel, backend and thread count;
* cost: a shorter call (0.1 to 1.3 s on the 2-core Zen 4 VM) timed cut into
  slices and as one native call (slicing turned off: ``run_sliced`` and
  ``run_tasks`` replaced by one call and ``FIRST_WORK`` set past any size, so
  every wrapper runs as before slicing),
  best of ``--repeat``, interleaved; the ratio sliced / whole (1.00 = free).

Rows: ``FAMILIES`` maps a family to a function ``rows(long)`` giving
``{name: call}``, each ``call(backend=, num_threads=)``; add a family (or rows)
there. A measurement, not a test (tests/test_interrupt.py and
tests/test_interrupt_filters.py check the behaviour).
"""
from __future__ import annotations

import argparse
import functools
import os
import platform
import signal
import sys
import threading
import time

import numpy as np

import pycompute as pc
from pycompute import _cancel


def simulation(long: bool):
    rng = np.random.default_rng(0)
    f = 10**4 if long else 1
    u = rng.random((1024, 1024))
    board = rng.random((2048, 2048)) < 0.3
    gu = np.ones((512, 512))
    gv = rng.random((512, 512)) * 0.25
    pos = rng.standard_normal((4096, 3))
    vel = np.zeros_like(pos)
    mass = rng.random(4096)
    big = rng.standard_normal((100_000 if long else 12_000, 3))
    return {
        "heat_step 1024^2 f64": lambda **k: pc.heat_step(u, steps=1000 * f, alpha=0.2, **k),
        "life_step 2048^2": lambda **k: pc.life_step(board, steps=3000 * f, **k),
        "gray_scott_step 512^2 f64": lambda **k: pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=800 * f, **k),
        "nbody_step 4096 f64": lambda **k: pc.nbody_step(pos, vel, mass, dt=1e-4,
                                                         steps=20 * f, softening=0.01, **k),
        # one step's pair pass cut into slices of target bodies (long: 10^5 bodies, ~1 min)
        "nbody_step 1 step f64": lambda **k: pc.nbody_step(
            big, np.zeros_like(big), np.ones(len(big)), dt=1e-4, steps=1, softening=0.01, **k),
        "nbody_accelerations f64": lambda **k: pc.nbody_accelerations(
            big, np.ones(len(big)), softening=0.01, **k),
    }


@functools.lru_cache(maxsize=1)
def _images():
    rng = np.random.default_rng(0)
    return {
        "img32": rng.random((4096, 4096), np.float32),
        "img64": rng.random((4096, 4096)),
        "vol32": rng.random((256, 256, 256), np.float32),
        "small32": rng.random((64, 80), np.float32),
        "small64": rng.random((64, 80)),
        "w21": rng.random((21, 21)),
        "w63": rng.random((63, 63)),
    }


def filters(long: bool):
    """Linear filters: the short call runs 0.1-1 s, the long one (the same kernel path,
    a longer window) seconds to minutes."""
    d = _images()
    img32, img64, vol32 = d["img32"], d["img64"], d["vol32"]
    return {
        "gaussian_filter 4096^2 f32": lambda **k: pc.gaussian_filter(
            img32, 60.0 if long else 16.0, **k),
        "gaussian_filter 256^3 f32": lambda **k: pc.gaussian_filter(
            vol32, 20.0 if long else 4.0, **k),
        "correlate 4096^2 f32": lambda **k: pc.correlate(
            img32, d["w63"] if long else d["w21"], **k),
        "uniform_filter 4096^2 f64": lambda **k: pc.uniform_filter(
            img64, 2 * 10**6 if long else 9, **k),
        "uniform_filter1d 64x80 f64 huge size": lambda **k: pc.uniform_filter1d(
            d["small64"], 10**8 if long else 2 * 10**6, **k),
        "gaussian_filter 64x80 f32 huge sigma": lambda **k: pc.gaussian_filter(
            d["small32"], 2e5 if long else 1e4, **k),
    }


def _disk(r):
    return np.hypot(*np.mgrid[-r:r + 1, -r:r + 1]) <= r


def rank(long: bool):
    """Rank, min/max and derivative filters: the slowest calls per pixel in the library."""
    d = _images()
    img32 = d["img32"]
    tall = d["img64"][:, :128].copy() if not long else np.tile(d["img64"][:, :128], (2, 1))
    u8 = (d["img32"] * 255).astype(np.uint8)
    n = 4096 if long else 192
    return {
        # rank_fp: quickselect over 961 cells a pixel (long: minutes at 1 thread)
        "median_filter 31x31 f32": lambda **k: pc.median_filter(img32[:n, :n], 31, **k),
        # fused2 with 24001 column taps (long: ~13 s at 1 thread)
        "gaussian_gradient_magnitude f64 sigma (3000, 1)":
            lambda **k: pc.gaussian_gradient_magnitude(tall if long else tall[:512],
                                                       (3000, 1), **k),
        # minmax_fp with a disk footprint (long: r30 on 4096^2, ~7 s at 1 thread)
        "maximum_filter disk u8": lambda **k: pc.maximum_filter(
            u8 if long else u8[:2048], footprint=_disk(30 if long else 15), **k),
    }


def reductions(long: bool):
    """Reductions: moving sums and variances over a sliding-window view (rows of 2**16
    elements): the short call runs ~0.1-0.3 s, the long one a minute or more."""
    rng = np.random.default_rng(0)
    rows = 4_000_000 if long else 1 << 14
    x = rng.standard_normal(rows + (1 << 16) - 1)
    w = np.lib.stride_tricks.sliding_window_view(x, 1 << 16)
    return {
        "sum axis=1 sliding 2^16 f64": lambda **k: pc.sum(w, axis=1, **k),
        "var axis=1 sliding 2^16 f64": lambda **k: pc.var(w, axis=1, **k),
    }


#: family -> rows(long) -> {name: call(backend=, num_threads=)}
FAMILIES = {"simulation": simulation, "filters": filters, "rank": rank,
            "reductions": reductions}


def latency(call, backend, nt):
    sent = []
    timer = threading.Timer(0.4, lambda: (sent.append(time.perf_counter()),
                                          os.kill(os.getpid(), signal.SIGINT)))
    timer.start()
    try:
        call(backend=backend, num_threads=nt)
    except KeyboardInterrupt:
        return time.perf_counter() - sent[0]
    finally:
        timer.cancel()
        try:
            timer.join()
        except KeyboardInterrupt:  # the signal came just after the call ended
            pass
    return float("nan")  # finished before the signal: not a long run


def whole(total, work, run, threads=1):
    run(0, total)


def whole_tasks(call, work, threads=1):
    call(0, _cancel.ALL_TASKS)


def timed(call, backend, nt, sliced):
    """One call's seconds; ``sliced=False``: as before slicing existed (every call one
    native call, and ``FIRST_WORK`` past any size, so no wrapper takes its cut path)."""
    real = _cancel.run_sliced, _cancel.run_tasks, _cancel.FIRST_WORK
    if not sliced:
        _cancel.run_sliced, _cancel.run_tasks = whole, whole_tasks
        _cancel.FIRST_WORK = _cancel.ALL_TASKS
    try:
        t0 = time.perf_counter()
        call(backend=backend, num_threads=nt)
        return time.perf_counter() - t0
    finally:
        _cancel.run_sliced, _cancel.run_tasks, _cancel.FIRST_WORK = real


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backends", nargs="+", default=["cython", "numba"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    ap.add_argument("--only", nargs="+", default=None, help="rows whose name contains one of these")
    ap.add_argument("--tables", nargs="+", default=["latency", "cost"], choices=["latency", "cost"])
    a = ap.parse_args(argv)
    # Python's Ctrl-C handler, even where SIGINT came in ignored (a job started in the
    # background by a non-interactive shell, nohup): else no call here is ever stopped
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def rows(long):
        out = {}
        for fam in a.families:
            out.update(FAMILIES[fam](long))
        return {n: c for n, c in out.items() if not a.only or any(o in n for o in a.only)}

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}; "
          f"slice target {_cancel.SLICE * 1e3:.0f} ms")
    short = rows(long=False)
    if "latency" in a.tables:
        latency_table(a, rows(long=True), short)
    if "cost" in a.tables:
        cost_table(a, short)


def latency_table(a, long_rows, short):
    print("\n## Ctrl-C latency (s from SIGINT to KeyboardInterrupt, worst of "
          f"{a.repeat})\n")
    print("| kernel | backend | threads | worst | median |")
    print("|---|---|---|---|---|")
    for name, call in long_rows.items():
        for b in a.backends:
            for nt in a.threads:
                short[name](backend=b, num_threads=nt)  # compiled, warm
                lat = [latency(call, b, nt) for _ in range(a.repeat)]
                print(f"| {name} | {b} | {nt} | {max(lat):.3f} | {float(np.median(lat)):.3f} |",
                      flush=True)


def cost_table(a, short):
    print(f"\n## Cost of slicing (s, best of {a.repeat}, interleaved)\n")
    print("| kernel | backend | threads | one native call | sliced | sliced / one call |")
    print("|---|---|---|---|---|---|")
    for name, call in short.items():
        for b in a.backends:
            for nt in a.threads:
                timed(call, b, nt, True)  # warm
                one, cut = [], []
                for _ in range(a.repeat):
                    one.append(timed(call, b, nt, False))
                    cut.append(timed(call, b, nt, True))
                print(f"| {name} | {b} | {nt} | {min(one):.3f} | {min(cut):.3f} | "
                      f"{min(cut) / min(one):.3f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
