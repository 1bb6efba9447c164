"""Kernels on a busy machine: default threads against one thread, idle and loaded.

    python benchmarks/run_contention.py [--busy 1] [--repeat 3] [--quick] [--backends cython numba]

For each kernel and backend the script times the call at one thread and at the
default thread count (what a user gets without ``num_threads=``), first on the
idle machine, then with ``--busy`` competing processes (``while True: pass``,
each pinned to one core, the last cores first) running beside it. The table
gives both times and their ratio (default / 1 thread): above 1, the default
threads are slower than one thread would have been. A measurement, not a test.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

import pycompute as pc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best  # noqa: E402 - benchmarks/_timing.py


def calls(quick: bool):
    rng = np.random.default_rng(0)
    s = 2 if quick else 1
    x = rng.random((1 << 24) // s, dtype=np.float32)
    img = rng.random((2048 // s, 2048), dtype=np.float32)
    w5 = rng.random((5, 5), dtype=np.float32) / 25
    u = rng.random((512, 512))
    board = rng.random((512, 512)) < 0.3
    gu = np.ones((384, 384), np.float32)
    gv = (rng.random((384, 384)) * 0.25).astype(np.float32)
    pos = rng.standard_normal((2048, 3))
    vel = np.zeros_like(pos)
    mass = rng.random(2048)
    n = 1000 // s
    return [
        ("sum f32 2^24", lambda **k: pc.sum(x, **k)),
        ("var f32 2^24", lambda **k: pc.var(x, **k)),
        ("gaussian_filter 2048^2", lambda **k: pc.gaussian_filter(img, 2.0, **k)),
        ("correlate 5x5 2048^2", lambda **k: pc.correlate(img, w5, **k)),
        (f"heat 512^2 x{n}", lambda **k: pc.heat_step(u, steps=n, alpha=0.2, **k)),
        (f"life 512^2 x{n}", lambda **k: pc.life_step(board, steps=n, **k)),
        (f"gray_scott 384^2 x{n}", lambda **k: pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=n, **k)),
        (f"nbody_step 2048 x{10 // s}", lambda **k: pc.nbody_step(
            pos, vel, mass, dt=1e-3, steps=10 // s, softening=0.01, **k)),
    ]


def start_busy(count: int):
    procs = []
    ncpu = os.cpu_count() or 1
    for i in range(count):
        p = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            os.sched_setaffinity(p.pid, {(ncpu - 1 - i) % ncpu})
        except (AttributeError, OSError):
            pass
        procs.append(p)
    time.sleep(0.5)
    return procs


def measure(table, state, backends, repeat, quick):
    for name, fn in calls(quick):
        for b in backends:
            one = best(lambda: fn(backend=b, num_threads=1), repeat)
            dflt = best(lambda: fn(backend=b), repeat)
            table[(name, b, state)] = (one, dflt)
            print(f"  {state:6s} {b:6s} {name:26s} 1 thread {one * 1e3:9.2f} ms   "
                  f"default ({pc.get_num_threads()}) {dflt * 1e3:9.2f} ms   x{dflt / one:5.2f}",
                  flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--busy", type=int, default=1, help="competing busy processes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="half sizes and steps")
    ap.add_argument("--backends", nargs="+", default=["cython", "numba"])
    a = ap.parse_args(argv)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, pycompute "
          f"{pc.__version__}, SIMD level {pc.info()['simd']['level']}, default threads "
          f"{pc.get_num_threads()}; load average at start {os.getloadavg()[0]:.2f}")
    table = {}
    measure(table, "idle", a.backends, a.repeat, a.quick)
    procs = start_busy(a.busy)
    try:
        measure(table, "loaded", a.backends, a.repeat, a.quick)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    print(f"\n{'kernel':26s} {'backend':7s} {'idle 1 thr':>11s} {'idle dflt':>10s} {'x':>5s}"
          f" {'loaded 1 thr':>13s} {'loaded dflt':>12s} {'x':>5s}")
    worst = 0.0
    for name, _ in calls(a.quick):
        for b in a.backends:
            i1, idf = table[(name, b, "idle")]
            l1, ldf = table[(name, b, "loaded")]
            worst = max(worst, ldf / l1)
            print(f"{name:26s} {b:7s} {i1 * 1e3:9.2f}ms {idf * 1e3:8.2f}ms {idf / i1:5.2f}"
                  f" {l1 * 1e3:11.2f}ms {ldf * 1e3:10.2f}ms {ldf / l1:5.2f}")
    print(f"# x: default-threads time / 1-thread time; {a.busy} busy process(es) when loaded; "
          f"worst loaded x = {worst:.2f}")


if __name__ == "__main__":
    main()
