"""Min/max and median filters: pycompute.rank against OpenCV and scipy.ndimage, same run.

    python benchmarks/run_rank.py [--n 4096] [--threads 2] [--repeat 5]
                                  [--backend cython] [--out benchmarks/results/rank.txt]

Every row times pycompute (``--backend``, Cython by default; ``num_threads``), OpenCV
(``cv2.setNumThreads``; ``erode``/``dilate`` with a rectangular kernel and a reflect
border, ``medianBlur``) and scipy.ndimage (one thread) on the same seeded image, in
alternation (ours, OpenCV, ours, scipy, ...), and reports the median of ``repeat``
calls of each after a warm-up, plus the ratios peer / ours (> 1: pycompute faster).
The min/max filters and uint8 medians are timed twice: each call with a fresh output
(the OS zeroes its pages on first touch, for both libraries), and into preallocated
outputs.
scipy's float32 5x5 median and its large windows are timed with fewer calls (each
takes seconds), and its 15x15 uint8 median on the top 1/8 of the image (scaled). The load of the machine (``/proc/loadavg``) is written before and
after: on a shared machine only the ratios of one run mean anything.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from pycompute.machine import cpu_name


def _median_time(fns, repeat):
    """Median seconds per function, calls interleaved round by round."""
    for fn in fns:
        fn()  # warm-up: imports, thread pools, first-touch page faults
    ts = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            ts[i].append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in ts]


def _load():
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--backend", choices=("cython", "numba"), default="cython")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "rank.txt"))
    args = ap.parse_args()

    import scipy
    import scipy.ndimage as ndi

    import pycompute.rank as R
    from pycompute import _simd

    try:
        import cv2

        cv2.setNumThreads(args.threads)
    except ImportError:
        cv2 = None
    n, k, be = args.n, args.threads, args.backend
    rng = np.random.default_rng(0)
    imgs = {"uint8": rng.integers(0, 256, (n, n), dtype=np.uint8),
            "float32": rng.random((n, n), dtype=np.float32)}
    lines = [
        f"# benchmarks/run_rank.py: pycompute.rank vs OpenCV and scipy.ndimage, {n}x{n}",
        f"# command: python {' '.join(sys.argv)}",
        f"# machine: {cpu_name()}, {os.cpu_count()} CPUs; python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"opencv {cv2.__version__ if cv2 else 'not installed'}; "
        f"pycompute SIMD level {_simd.select().level}",
        f"# backend {be}; threads: pycompute {k}, OpenCV {k}, scipy 1; median of "
        f"{args.repeat} interleaved "
        f"calls after a warm-up",
        f"# load before: {_load()}",
        f"# {'filter':<34} {'ours ms':>9} {'cv2 ms':>9} {'scipy ms':>10} "
        f"{'cv2/ours':>9} {'scipy/ours':>10}",
    ]
    print("\n".join(lines), flush=True)

    def row(name, ours, peer_cv, peer_sp, repeat_sp=None, sp_scale=1):
        fns = [ours] + ([peer_cv] if peer_cv else [])
        t = _median_time(fns, args.repeat)
        t_ours, t_cv = t[0], (t[1] if peer_cv else None)
        t_sp = None
        if peer_sp is not None and sp_scale > 1:  # a strip, one call: minutes otherwise
            t0 = time.perf_counter()
            peer_sp()
            t_sp = (time.perf_counter() - t0) * sp_scale
        elif peer_sp is not None:
            t_sp = _median_time([peer_sp], repeat_sp or args.repeat)[0]
        fmt = (lambda v: f"{v * 1e3:9.1f}" if v is not None else f"{'-':>9}")
        rat = (lambda v, w: f"{v / t_ours:9.2f}" if v is not None else f"{'-':>9}")
        line = (f"  {name:<34} {fmt(t_ours)} {fmt(t_cv)} {fmt(t_sp):>10} "
                f"{rat(t_cv, 9)} {rat(t_sp, 10):>10}")
        lines.append(line)
        print(line, flush=True)

    for dt in ("uint8", "float32"):
        x = imgs[dt]
        for s in (3, 9, 31):
            kern = np.ones((s, s), np.uint8)
            for nm, fn, cvf, spf in (("minimum_filter", R.minimum_filter, "erode",
                                      ndi.minimum_filter),
                                     ("maximum_filter", R.maximum_filter, "dilate",
                                      ndi.maximum_filter)):
                cvfn = (lambda f=getattr(cv2, cvf), kk=kern: f(
                    x, kk, borderType=cv2.BORDER_REFLECT)) if cv2 else None
                row(f"{nm} {dt} {s}x{s}",
                    lambda f=fn, ss=s: f(x, size=ss, backend=be, num_threads=k),
                    cvfn, lambda f=spf, ss=s: f(x, size=ss), repeat_sp=3)
    # The same filters into preallocated outputs (output= / dst=): the calls above
    # each get a fresh 16-64 MiB output, whose first touch has the OS zero its pages
    # (perf: clear_page_erms, ~30% of a float32 9x9 call at one thread) for both
    # libraries alike; here only the filters run.
    lines.append("# into preallocated outputs (output= / dst=), scipy not timed:")
    print(lines[-1], flush=True)
    for dt in ("uint8", "float32"):
        x = imgs[dt]
        o1, o2 = np.empty_like(x), np.empty_like(x)
        for s in (3, 9, 31):
            kern = np.ones((s, s), np.uint8)
            for nm, fn, cvf in (("minimum_filter", R.minimum_filter, "erode"),
                                ("maximum_filter", R.maximum_filter, "dilate")):
                cvfn = (lambda f=getattr(cv2, cvf), kk=kern: f(
                    x, kk, dst=o2, borderType=cv2.BORDER_REFLECT)) if cv2 else None
                row(f"{nm} {dt} {s}x{s} out=",
                    lambda f=fn, ss=s: f(x, size=ss, output=o1, backend=be, num_threads=k),
                    cvfn, None)
    x = imgs["uint8"]
    for s in (3, 5):
        row(f"median_filter uint8 {s}x{s}",
            lambda ss=s: R.median_filter(x, size=ss, backend=be, num_threads=k),
            (lambda ss=s: cv2.medianBlur(x, ss)) if cv2 else None,
            lambda ss=s: ndi.median_filter(x, size=ss), repeat_sp=1)
    # 15 x 15: rank_hist; OpenCV's medianBlur runs its O(1) histogram median there.
    # scipy's quickselect would take ~45 s on 4096^2: timed on the top 1/8 of the
    # image, one call, times 8 (its cost per pixel does not depend on the rows).
    row("median_filter uint8 15x15",
        lambda: R.median_filter(x, size=15, backend=be, num_threads=k),
        (lambda: cv2.medianBlur(x, 15)) if cv2 else None,
        lambda: ndi.median_filter(x[:max(n // 8, 15)], size=15),
        sp_scale=n / max(n // 8, 15))
    lines.append("#   (scipy's 15x15: one call on the top 1/8 of the rows, times 8)")
    print(lines[-1], flush=True)
    # 16-bit: rank_hist in two levels. Values over the whole range (the worst case:
    # the answer's high byte changes from pixel to pixel) and a 12-bit camera-like
    # image (normal, sigma 100); OpenCV's medianBlur takes 16-bit input only up to 5x5.
    x16 = {"uniform": rng.integers(0, 65536, (n, n)).astype(np.uint16),
           "12-bit": np.clip(rng.normal(2000, 100, (n, n)), 0, 4095).astype(np.uint16)}
    for nm, xv in x16.items():
        row(f"median_filter uint16 15x15 {nm}",
            lambda xx=xv: R.median_filter(xx, size=15, backend=be, num_threads=k), None,
            lambda xx=xv: ndi.median_filter(xx[:max(n // 8, 15)], size=15),
            sp_scale=n / max(n // 8, 15))
    lines.append("#   (scipy's 16-bit 15x15: one call on the top 1/8 of the rows, times 8)")
    print(lines[-1], flush=True)
    xf = imgs["float32"]
    row("median_filter float32 5x5",
        lambda: R.median_filter(xf, size=5, backend=be, num_threads=k),
        (lambda: cv2.medianBlur(xf, 5)) if cv2 else None,
        lambda: ndi.median_filter(xf, size=5), repeat_sp=1)
    x = imgs["uint8"]
    o1, o2 = np.empty_like(x), np.empty_like(x)
    for s in (3, 5, 15):
        row(f"median_filter uint8 {s}x{s} out=",
            lambda ss=s: R.median_filter(x, size=ss, output=o1, backend=be, num_threads=k),
            (lambda ss=s: cv2.medianBlur(x, ss, dst=o2)) if cv2 else None, None)
    lines.append(f"# load after: {_load()}")
    print(lines[-1])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
