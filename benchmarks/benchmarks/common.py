"""Shared pieces of the asv suite: seeded cached data, thread counts, in-benchmark timing."""
import functools
import os

import numpy as np


def thread_counts():
    """1, 2, 4, ... up to the machine's CPU count (and the count itself)."""
    n = os.cpu_count() or 1
    return sorted({1, *[2 ** k for k in range(n.bit_length()) if 2 ** k <= n], n})


THREADS = thread_counts()
BACKENDS = ["cython", "numba"]


@functools.lru_cache(maxsize=16)
def data(shape, dtype="float32", kind="normal", seed=0):
    """Seeded test data, built once per process and cached (benchmarks must not mutate it)."""
    rng = np.random.default_rng(seed)
    if kind == "normal":
        a = rng.standard_normal(shape).astype(dtype)
    elif kind == "uniform":
        a = rng.random(shape).astype(dtype)
    elif kind == "bits":
        a = (rng.random(shape) < 0.3).astype(dtype)
    else:
        raise ValueError(kind)
    a.flags.writeable = False
    return a


def skip_unless(threads, backend):
    """asv convention: NotImplementedError in setup skips the combination."""
    import pycompute as pc

    if threads > pc.max_threads():
        raise NotImplementedError(f"{threads} threads > this machine's maximum")
    avail = {b.name: b.available for b in pc.backends()}
    if not avail.get(backend, False):
        raise NotImplementedError(f"backend {backend} unavailable")


def timed(fn, repeat=5):
    """Median seconds per call, measured inside a benchmark (for track_* speedups)."""
    from pycompute.scaling import time_call

    return time_call(fn, repeat=repeat, min_time=0.02).median


class Scaling:
    """Mixin: track_* speedups of ``self.run(threads)`` against 1 thread and the reference.

    Subclasses set ``params``/``param_names`` ending in (backend, threads), define
    ``setup`` (storing ``self.backend``, ``self.threads``), ``run(num_threads)``,
    ``reference()`` and ``work`` (bytes or flops per call).
    """

    unit_rate = "GB/s"

    def _t(self, n):
        key = ("t", n)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = timed(lambda: self.run(n))
        return cache[key]

    def track_speedup_vs_1thread(self, *params):
        return self._t(1) / self._t(self.threads)

    def track_speedup_vs_reference(self, *params):
        return timed(self.reference, repeat=3) / self._t(self.threads)

    def track_efficiency(self, *params):
        return self._t(1) / self._t(self.threads) / self.threads

    def track_rate(self, *params):
        return self.work / self._t(self.threads) / 1e9


for _name, _unit in [("track_speedup_vs_1thread", "x"), ("track_speedup_vs_reference", "x"),
                     ("track_efficiency", "fraction"), ("track_rate", "G/s")]:
    getattr(Scaling, _name).unit = _unit
