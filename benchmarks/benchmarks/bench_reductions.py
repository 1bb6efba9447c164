"""Reductions: time, speedups (vs 1 thread and vs NumPy), efficiency, GB/s read, peak memory."""
import numpy as np

import pycompute as pc

from .common import BACKENDS, THREADS, Case, Scaling, Timed, data, grid


class _Reductions:
    params = (["sum", "var", "max", "argmin"], grid(["float32"], ["float64"]),
              grid([1 << 24], [1 << 20]), BACKENDS, THREADS)
    param_names = ["kernel", "dtype", "size", "backend", "threads"]
    timeout = 300

    def make(self, kernel, dtype, size, backend):
        a = data((size,), dtype)
        fn, ref = getattr(pc, kernel), getattr(np, kernel)
        return Case(lambda n: fn(a, backend=backend, num_threads=n), lambda: ref(a), a.nbytes)


class Reductions(_Reductions, Timed):
    def time_reduction(self, *params):
        self.run(self.threads)


class ReductionsScaling(_Reductions, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _Histogram:
    params = ([1 << 24], BACKENDS, THREADS)
    param_names = ["size", "backend", "threads"]
    timeout = 300

    def make(self, size, backend):
        a = data((size,), "float32")
        return Case(lambda n: pc.histogram(a, 256, backend=backend, num_threads=n),
                    lambda: np.histogram(a, 256), a.nbytes)


class Histogram(_Histogram, Timed):
    def time_histogram(self, *params):
        self.run(self.threads)


class HistogramScaling(_Histogram, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class PeakMemory:
    """Reductions allocate O(threads), never a copy of the input."""

    params = (["sum", "var"],)
    param_names = ["kernel"]

    def setup(self, kernel):
        self.a = data((1 << 24,), "float64")[::-2]  # strided: must not be copied

    def peakmem_strided_reduction(self, kernel):
        getattr(pc, kernel)(self.a)
