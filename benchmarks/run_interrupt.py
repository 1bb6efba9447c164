"""What stopping costs: Ctrl-C latency of long runs, and the time slicing adds to a run.

    python benchmarks/run_interrupt.py [--repeat 5] [--backends cython numba] [--threads 1 2]

A long simulation run is cut into native calls of about 50 ms
(``pycompute/_cancel.py``) so that Ctrl-C and ``pycompute.aio`` cancellation
can stop it. Two tables:

* latency: SIGINT is sent (from a timer thread) 0.4 s into a run that would
  take minutes; the time until ``KeyboardInterrupt`` reaches the caller, the
  worst of ``--repeat`` tries, per kernel, backend and thread count;
* cost: the same run (about a second) timed cut into slices and as one native
  call (slicing turned off), best of ``--repeat``, interleaved; the ratio
  sliced / whole (1.00 = free).

A measurement, not a test (tests/test_interrupt.py checks the behaviour).
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import threading
import time

import numpy as np

import pycompute as pc
from pycompute import _cancel


def runs(long: bool):
    rng = np.random.default_rng(0)
    f = 10**4 if long else 1
    u = rng.random((1024, 1024))
    board = rng.random((2048, 2048)) < 0.3
    gu = np.ones((512, 512))
    gv = rng.random((512, 512)) * 0.25
    pos = rng.standard_normal((4096, 3))
    vel = np.zeros_like(pos)
    mass = rng.random(4096)
    return {
        "heat_step 1024^2 f64": lambda **k: pc.heat_step(u, steps=300 * f, alpha=0.2, **k),
        "life_step 2048^2": lambda **k: pc.life_step(board, steps=300 * f, **k),
        "gray_scott_step 512^2 f64": lambda **k: pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=800 * f, **k),
        "nbody_step 4096 f64": lambda **k: pc.nbody_step(pos, vel, mass, dt=1e-4,
                                                         steps=20 * f, softening=0.01, **k),
    }


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
        timer.join()
    return float("nan")  # finished before the signal: not a long run


def whole(total, work, run):
    run(0, total)


def timed(call, backend, nt, sliced):
    real = _cancel.run_sliced
    if not sliced:
        _cancel.run_sliced = whole
    try:
        t0 = time.perf_counter()
        call(backend=backend, num_threads=nt)
        return time.perf_counter() - t0
    finally:
        _cancel.run_sliced = real


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backends", nargs="+", default=["cython", "numba"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    a = ap.parse_args(argv)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}; "
          f"slice target {_cancel.SLICE * 1e3:.0f} ms")
    print("\n## Ctrl-C latency (s from SIGINT to KeyboardInterrupt, worst of "
          f"{a.repeat})\n")
    print("| kernel | backend | threads | worst | median |")
    print("|---|---|---|---|---|")
    for name, call in runs(long=True).items():
        for b in a.backends:
            for nt in a.threads:
                runs(long=False)[name](backend=b, num_threads=nt)  # compiled, warm
                lat = [latency(call, b, nt) for _ in range(a.repeat)]
                print(f"| {name} | {b} | {nt} | {max(lat):.3f} | {float(np.median(lat)):.3f} |",
                      flush=True)
    print(f"\n## Cost of slicing (s, best of {a.repeat}, interleaved)\n")
    print("| kernel | backend | threads | one native call | sliced | sliced / one call |")
    print("|---|---|---|---|---|---|")
    for name, call in runs(long=False).items():
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
