"""pycompute's derivative compositions against scipy.ndimage and one gaussian_filter call.

    python benchmarks/run_derivatives.py [--size 4096] [--repeat 7] [--sigma 2]
        [--out benchmarks/results/derivatives.txt]

``gaussian_gradient_magnitude`` and ``gaussian_laplace`` on a size x size image
(float32 and float64, reflect, sigma 2: 17 taps), both native backends at 1 and 2
threads. Every call writes into a preallocated output. For each (dtype, backend,
threads) the derivative call and one ``pycompute.gaussian_filter`` call (same
dtype, backend, threads) alternate ``repeat`` times and the medians are kept, so
the ratio "x gauss" (derivative time / gaussian_filter time; the target is <= 1.5
for the gradient magnitude) compares calls made under the same load; "cpu x g" is
the same ratio of the process's CPU time (all threads), steadier on a busy machine. scipy.ndimage
runs each function twice (it is slow; the better call is kept); "vs scipy" is
scipy's time / ours (> 1 = pycompute faster). The 2-core machine is shared: the
load average before and after the run is printed with the table.
This is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def _alternate(fa, fb, repeat):
    """Medians of ``fa()`` and ``fb()`` timed alternately, after one warm-up call each:
    (wall a, wall b, CPU a, CPU b); CPU = the process's CPU time (all its threads), which a
    busy machine's preemption inflates less than the wall time."""
    fa()
    fb()
    ta, tb, ca, cb = [], [], [], []
    for _ in range(repeat):
        for fn, ts, cs in ((fa, ta, ca), (fb, tb, cb)):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
            cs.append(time.process_time() - c0)
    return tuple(statistics.median(v) for v in (ta, tb, ca, cb))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--sigma", type=float, default=2.0)
    ap.add_argument("--out", default=None, help="also write the table to this file")
    args = ap.parse_args(argv)

    import scipy
    import scipy.ndimage as ndi

    import pycompute as pc
    from pycompute.machine import cpu_name
    from pycompute import derivatives as D

    n, sigma = args.size, args.sigma
    cmd = "python benchmarks/run_derivatives.py " + " ".join(argv if argv is not None
                                                             else sys.argv[1:])
    lines = [f"# machine: {cpu_name()}, {os.cpu_count()} CPUs; {platform.machine()}, "
             f"SIMD level {pc._simd.select().level}",
             f"# command: {cmd.strip()}",
             f"# pycompute {pc.__version__}, scipy {scipy.__version__}, numpy {np.__version__}; "
             f"{n}x{n}, sigma {sigma}, reflect, output preallocated, median of {args.repeat} "
             f"alternating calls",
             f"# load average before: {_loadavg()}"]
    print("\n".join(lines), flush=True)
    funcs = (("gaussian_gradient_magnitude", D.gaussian_gradient_magnitude,
              ndi.gaussian_gradient_magnitude),
             ("gaussian_laplace", D.gaussian_laplace, ndi.gaussian_laplace))
    rng = np.random.default_rng(0)
    rows = []
    for dt in ("float32", "float64"):
        x = (rng.standard_normal((n, n)) * 10).astype(dt)
        out = np.empty_like(x)
        gout = np.empty_like(x)
        out[...] = 0
        gout[...] = 0
        scipy_ms = {}
        for name, _, ref in funcs:
            ts = []
            for _ in range(2):
                t0 = time.perf_counter()
                ref(x, sigma, output=out)
                ts.append(time.perf_counter() - t0)
            scipy_ms[name] = min(ts) * 1e3
            line = f"# scipy.ndimage {name} {dt}: {scipy_ms[name]:.0f} ms"
            lines.append(line)
            print(line, flush=True)
        for be in ("cython", "numba"):
            for t in (1, 2):
                for name, ours, _ in funcs:
                    def fa(ours=ours, be=be, t=t):
                        ours(x, sigma, output=out, backend=be, num_threads=t)

                    def fb(be=be, t=t):
                        pc.gaussian_filter(x, sigma, output=gout, backend=be, num_threads=t)

                    a, b, ca, cb = _alternate(fa, fb, args.repeat)
                    row = (f"{name:<28} {dt:<8} {be:<7} {t:>3} {a * 1e3:9.2f} {b * 1e3:9.2f} "
                           f"{a / b:8.2f} {ca / cb:8.2f} {scipy_ms[name] / (a * 1e3):9.1f}x")
                    rows.append(row)
                    print(row, flush=True)
    head = (f"{'function':<28} {'dtype':<8} {'backend':<7} {'thr':>3} {'ours ms':>9} "
            f"{'gauss ms':>9} {'x gauss':>8} {'cpu x g':>8} {'vs scipy':>10}")
    lines.append(f"# load average after: {_loadavg()}")
    lines.append(head)
    lines += rows
    print(lines[-len(rows) - 2])
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
