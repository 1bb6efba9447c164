"""Serial (NumPy reference) vs parallel timings of pycompute's kernels, as a table."""
from __future__ import annotations

import numpy as np

from . import _threads
from ._timing import median_time

# name -> (pycompute function, reference function, bytes read per element)
KERNELS = {
    "sum": ("sum", np.sum),
    "mean": ("mean", np.mean),
    "max": ("max", np.max),
    "argmin": ("argmin", np.argmin),
    "var": ("var", np.var),
    "histogram": ("histogram", lambda a: np.histogram(a, bins=256)),
}


def _data(quick: bool):
    n = 1 << (20 if quick else 26)
    return np.random.default_rng(0).standard_normal(n).astype(np.float32)


def run_compare(kernels=None, threads=None, quick=False, backends=("cython", "numba")):
    import pycompute as pc

    kernels = list(kernels or KERNELS)
    mx = _threads.max_threads()
    threads = sorted(set(threads or [1, mx]))
    for t in threads:
        _threads._check(t, "--threads")
    a = _data(quick)
    repeat = 3 if quick else 7
    gb = a.nbytes / 1e9
    print(f"{a.size:,} float32 ({gb * 1e3:.0f} MB); median of {repeat}; max threads {mx}")
    hdr = f"{'kernel':10s} {'backend':8s} {'threads':>7s} {'time ms':>9s} {'GB/s':>7s} " \
          f"{'vs numpy':>9s} {'vs 1 thr':>9s}"
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for k in kernels:
        name, ref = KERNELS[k]
        t_ref = median_time(lambda: ref(a), repeat)
        print(f"{k:10s} {'numpy':8s} {1:7d} {t_ref * 1e3:9.2f} {gb / t_ref:7.1f} {1.0:9.2f} {'':>9s}")
        fn = getattr(pc, name)
        for be in backends:
            if name == "histogram":
                call = lambda n: fn(a, bins=256, backend=be, num_threads=n)  # noqa: E731
            else:
                call = lambda n: fn(a, backend=be, num_threads=n)  # noqa: E731
            t1 = None
            for n in threads:
                t = median_time(lambda: call(n), repeat)
                t1 = t if n == threads[0] else t1
                print(f"{'':10s} {be:8s} {n:7d} {t * 1e3:9.2f} {gb / t:7.1f} {t_ref / t:9.2f}"
                      f" {t1 / t:9.2f}")
                rows.append((k, be, n, t, t_ref))
    return rows
