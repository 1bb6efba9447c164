"""Reductions vs NumPy and a parallel memory-copy roofline, side by side in one run.

    python benchmarks/run_reductions.py [--log2n 27] [--threads N]

Prints one table: time, GB/s of input read, ratio to NumPy, and the fraction
of the parallel copy bandwidth (bytes read + written per second, STREAM-copy
style, pycompute.machine.copy_bandwidth on the same number of threads) that
the reduction reaches. Also the per-call cost on 1000 elements against NumPy's.
"""
import argparse
import os
import platform

import numpy as np

import pycompute as pc
from pycompute.scaling import time_call


def median_time(fn, repeat=5):
    return time_call(fn, repeat).median


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log2n", type=int, default=27)
    ap.add_argument("--threads", type=int, default=pc.max_threads())
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--calls-only", action="store_true", help="only the 1000-element call costs")
    args = ap.parse_args()
    if args.calls_only:
        return small_calls(np.random.default_rng(0).standard_normal(1000, dtype=np.float32))
    n, t = 1 << args.log2n, args.threads
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n, dtype=np.float32)
    gb = a.nbytes / 1e9
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"threads {t}; n = 2^{args.log2n} float32 ({gb:.2f} GB)")
    from pycompute.machine import copy_bandwidth

    copy_bw = max(copy_bandwidth(t, nbytes=a.nbytes) for _ in range(3))
    print(f"parallel copy (pycompute.machine, {t} threads, ordinary vector stores): "
          f"{copy_bw:.1f} GB/s counted read + write, i.e. {copy_bw / 2:.1f} GB/s of reading\n")
    rows = [
        ("sum", lambda: np.sum(a), lambda be, k: pc.sum(a, backend=be, num_threads=k)),
        ("min", lambda: np.min(a), lambda be, k: pc.min(a, backend=be, num_threads=k)),
        ("max", lambda: np.max(a), lambda be, k: pc.max(a, backend=be, num_threads=k)),
        ("mean", lambda: np.mean(a), lambda be, k: pc.mean(a, backend=be, num_threads=k)),
        ("var", lambda: np.var(a), lambda be, k: pc.var(a, backend=be, num_threads=k)),
        ("argmax", lambda: np.argmax(a), lambda be, k: pc.argmax(a, backend=be, num_threads=k)),
        ("histogram", lambda: np.histogram(a, 256),
         lambda be, k: pc.histogram(a, 256, backend=be, num_threads=k)),
    ]
    print(f"{'kernel':10s} {'impl':14s} {'ms':>9s} {'GB/s':>7s} {'x numpy':>8s} {'% copy bw':>9s}")
    for name, ref, ours in rows:
        tr = median_time(ref, 3 if name in ("var", "histogram") else args.repeat)
        print(f"{name:10s} {'numpy':14s} {tr * 1e3:9.2f} {gb / tr:7.1f} {1:8.2f} "
              f"{100 * gb / tr / copy_bw:8.0f}%")
        for be in ("cython", "numba"):
            for k in sorted({1, t}):
                tt = median_time(lambda: ours(be, k), args.repeat)
                print(f"{'':10s} {be + ' x' + str(k):14s} {tt * 1e3:9.2f} {gb / tt:7.1f} "
                      f"{tr / tt:8.2f} {100 * gb / tt / copy_bw:8.0f}%")
    small_calls(a[:1000].copy())


def small_calls(small):
    print("\nper call on 1000 float32 (default backend):")
    for name in ("sum", "min", "max", "mean", "argmin", "var"):
        tn = median_time(lambda: getattr(np, name)(small))
        tp = median_time(lambda: getattr(pc, name)(small))
        print(f"  {name:7s} numpy {tn * 1e6:6.2f} us   pycompute {tp * 1e6:6.2f} us   "
              f"ratio {tp / tn:4.2f}")


if __name__ == "__main__":
    main()
