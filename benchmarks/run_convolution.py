"""pycompute's filters against OpenCV and scipy.ndimage, side by side in one run.

    python benchmarks/run_convolution.py [--size 4096] [--repeat 5]

float32 size x size (uint8 size x size x 3 for the box filter); every
contender writes into a preallocated output (``dst=`` / ``output=``), the same
border rule (reflect: cv2.BORDER_REFLECT), and is timed best-of-``repeat``
after one warm-up call (scipy.ndimage: best of 3 calls, it is slow). pycompute
runs both backends at 1 and 2 threads, OpenCV at 1 and 2 threads
(cv2.setNumThreads). Ratios are "times faster than" (> 1 = pycompute wins).
This is a measurement, not a test.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys

import numpy as np

# run from a source checkout (an in-place build) as well as from an installed package
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _timing import best, once  # noqa: E402 - benchmarks/_timing.py


_MEM_PROBE = r"""
import sys, numpy as np
sys.path.insert(0, sys.argv[1])
import pycompute as pc
n, which = int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
if which == "uniform":
    x = rng.integers(0, 256, (n, n, 3), dtype=np.uint8)
else:
    x = rng.random((n, n), dtype=np.float32)
out = np.empty_like(x)
out[...] = 0
small = x[:512, :512].copy()  # big enough to start the thread pool too
call = {
    "correlate 9x9": lambda a, o: pc.correlate(a, np.ones((9, 9), np.float32), output=o),
    "gaussian": lambda a, o: pc.gaussian_filter(a, 2.0, output=o),
    "uniform": lambda a, o: pc.uniform_filter(a, (3, 3, 1), output=o),
}[which]
call(small, np.empty_like(small))  # imports, thread pool, first-call set-up: not measured
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset VmHWM (the peak) to the current resident size
base = status("VmRSS")
call(x, out)
print(max(status("VmHWM") - base, 0), x.nbytes + out.nbytes)
"""


def peak_memory(n, which):
    """Extra resident memory of one call: (peak - resident before, input + output bytes),
    in a fresh process with the output preallocated and touched (Linux /proc)."""
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = subprocess.run([sys.executable, "-c", _MEM_PROBE, root, str(n), which],
                         capture_output=True, text=True, check=True)
    extra, data = map(int, res.stdout.split())
    return extra, data


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-scipy", action="store_true", help="skip the (slow) scipy.ndimage runs")
    args = ap.parse_args()

    import cv2
    import scipy
    import scipy.ndimage as ndi

    import pycompute as pc

    n, rep = args.size, args.repeat
    rng = np.random.default_rng(0)
    x = rng.random((n, n), dtype=np.float32)
    out = np.empty_like(x)
    dst = np.empty_like(x)
    threads = [t for t in (1, 2) if t <= pc.max_threads()]
    backends = ["cython", "numba"]
    print(f"# pycompute {pc.__version__}, OpenCV {cv2.__version__}, scipy {scipy.__version__}, "
          f"numpy {np.__version__}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs; float32 {n}x{n}, best of {rep}")
    rows = []

    def compare(name, ours_fn, cv_fn, sp_fn, flops=None):
        cv_t = {}
        for t in threads:
            cv2.setNumThreads(t)
            cv_t[t] = best(cv_fn, rep)
        sp_t = None if args.no_scipy or sp_fn is None else min(once(sp_fn) for _ in range(3))
        for be in backends:
            for t in threads:
                ours = best(lambda: ours_fn(be, t), rep)
                gf = f"{flops / ours / 1e9:7.1f}" if flops else "      -"
                sp = f"{sp_t / ours:8.1f}x" if sp_t else "        -"
                rows.append((name, be, t, ours * 1e3, cv_t[t] * 1e3, cv_t[t] / ours, sp, gf))
        if sp_t:
            print(f"# {name}: scipy.ndimage {sp_t * 1e3:.0f} ms")

    for k in (3, 5, 9):
        w = rng.standard_normal((k, k)).astype(np.float32)
        compare(f"correlate {k}x{k}",
                lambda be, t, w=w: pc.correlate(x, w, output=out, mode="reflect", backend=be,
                                                num_threads=t),
                lambda w=w: cv2.filter2D(x, -1, w, dst=dst, borderType=cv2.BORDER_REFLECT),
                lambda w=w: ndi.correlate(x, w, output=out, mode="reflect"),
                flops=2.0 * k * k * x.size)

    # gaussian_filter(sigma=2): truncate 4.0 -> radius 8 -> 17 taps, the same length for OpenCV
    compare("gaussian sigma=2 (17 taps)",
            lambda be, t: pc.gaussian_filter(x, 2.0, output=out, mode="reflect", backend=be,
                                             num_threads=t),
            lambda: cv2.GaussianBlur(x, (17, 17), 2.0, dst=dst, sigmaY=2.0,
                                     borderType=cv2.BORDER_REFLECT),
            lambda: ndi.gaussian_filter(x, 2.0, output=out, mode="reflect"))

    # sobel along the last axis: its first pass runs along that axis (the fused kernel's
    # "later axis first" order); cv2.Sobel dx=1, ksize=3 is the same 3x3 kernel
    compare("sobel axis=-1",
            lambda be, t: pc.sobel(x, -1, output=out, mode="reflect", backend=be,
                                   num_threads=t),
            lambda: cv2.Sobel(x, -1, 1, 0, dst=dst, ksize=3, borderType=cv2.BORDER_REFLECT),
            lambda: ndi.sobel(x, -1, output=out, mode="reflect"))

    # precision="scipy": float32 accumulated in float64 and rounded once per pass, equal to
    # scipy bit for bit (the default "fast" runs float32 lanes with FMA)
    w9 = rng.standard_normal((9, 9)).astype(np.float32)
    compare("correlate 9x9 prec=scipy",
            lambda be, t: pc.correlate(x, w9, output=out, mode="reflect", backend=be,
                                       num_threads=t, precision="scipy"),
            lambda: cv2.filter2D(x, -1, w9, dst=dst, borderType=cv2.BORDER_REFLECT),
            lambda: ndi.correlate(x, w9, output=out, mode="reflect"),
            flops=2.0 * 81 * x.size)
    compare("gaussian sigma=2 prec=scipy",
            lambda be, t: pc.gaussian_filter(x, 2.0, output=out, mode="reflect", backend=be,
                                             num_threads=t, precision="scipy"),
            lambda: cv2.GaussianBlur(x, (17, 17), 2.0, dst=dst, sigmaY=2.0,
                                     borderType=cv2.BORDER_REFLECT),
            lambda: ndi.gaussian_filter(x, 2.0, output=out, mode="reflect"))

    img = rng.integers(0, 256, (n, n, 3), dtype=np.uint8)
    iout = np.empty_like(img)
    idst = np.empty_like(img)
    compare("uniform (3,3,1) uint8 HxWx3",
            lambda be, t: pc.uniform_filter(img, (3, 3, 1), output=iout, mode="reflect",
                                            backend=be, num_threads=t),
            lambda: cv2.blur(img, (3, 3), dst=idst, borderType=cv2.BORDER_REFLECT),
            lambda: ndi.uniform_filter(img, (3, 3, 1), output=iout, mode="reflect"))

    for which in ("correlate 9x9", "gaussian", "uniform"):
        extra, data = peak_memory(n, which)
        print(f"# peak memory, {which} (cython, default threads): input + output "
              f"{data / 2**20:.0f} MiB, extra {extra / 2**20:.2f} MiB = {extra / data:.2%}")

    from pycompute.machine import copy_bandwidth, fma_peak

    peak = {t: max(fma_peak(t) for _ in range(3)) for t in threads}
    print("# FMA peak (12 zmm float32 FMA chains/thread, pycompute.machine.fma_peak): "
          + ", ".join(f"{t} thr {p:.0f} GFLOP/s" for t, p in peak.items()))
    bw = {t: copy_bandwidth(t) for t in threads}
    print("# memory floor of a float32 filter (read the image, write the output once, at "
          "pycompute.machine.copy_bandwidth, ordinary stores): "
          + ", ".join(f"{t} thr {2 * x.nbytes / (b * 1e9) * 1e3:.2f} ms ({b:.0f} GB/s)"
                      for t, b in bw.items()))
    print(f"{'filter':<28} {'backend':<7} {'thr':>3} {'ours ms':>9} {'cv2 ms':>9} "
          f"{'vs cv2':>7} {'vs scipy':>9} {'GFLOP/s':>7} {'of peak':>7}")
    for name, be, t, ms, cvms, r, sp, gf in rows:
        frac = f"{float(gf) / peak[t]:6.1%}" if gf.strip() != "-" else ""
        print(f"{name:<28} {be:<7} {t:>3} {ms:9.2f} {cvms:9.2f} {r:6.2f}x {sp} {gf} {frac}")


if __name__ == "__main__":
    main()
