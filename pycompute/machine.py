"""What this machine can do, measured now: parallel copy bandwidth and peak FMA rate.

Kernel speeds are reported as a fraction of these (``pycompute compare``, the
benchmarks), measured in the same run so that the comparison is fair.

>>> import pycompute.machine as m
>>> m.fma_peak(num_threads=1, seconds=0.01) > 0
True
"""
from __future__ import annotations

import time

import numpy as np

from . import _threads


def cpu_name() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else the platform's processor string,
    for the machine line of benchmark tables."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _kern():
    from . import _backends

    return _backends.kernels("cython", "machine")


def copy_bandwidth(num_threads=None, nbytes: int = 1 << 28, repeat: int = 5) -> float:
    """Best-of-``repeat`` parallel copy rate in GB/s, counting bytes read + written."""
    n = _threads.resolve(num_threads, 1 << 30, 1)
    src = np.ones(nbytes, np.uint8)
    dst = np.empty_like(src)
    k = _kern()
    k.copy(src, dst, n)  # first touch of dst
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        k.copy(src, dst, n)
        best = min(best, time.perf_counter() - t)
    return 2 * nbytes / best / 1e9


def fma_peak(num_threads=None, dtype=np.float32, seconds: float = 0.2) -> float:
    """Peak fused multiply-add rate in GFLOP/s (12 independent vector FMA chains per thread)."""
    n = _threads.resolve(num_threads, 1 << 30, 1)
    dp = np.dtype(dtype) == np.float64
    k = _kern()
    iters = 1 << 16
    while True:
        t = time.perf_counter()
        flops = k.fma(iters, dp, n)
        dt = time.perf_counter() - t
        if dt >= seconds or iters >= 1 << 34:
            return flops / dt / 1e9
        iters *= 2 if dt <= 0 else max(2, int(seconds / dt * 1.1))
