"""Reductions: time, speedups (vs 1 thread and vs NumPy), efficiency, GB/s, peak memory."""
import numpy as np

import pycompute as pc

from .common import BACKENDS, THREADS, Scaling, data, skip_unless


class Reductions(Scaling):
    params = (["sum", "var", "max", "argmin"], ["float32", "float64"], [1 << 20, 1 << 24],
              BACKENDS, THREADS)
    param_names = ["kernel", "dtype", "size", "backend", "threads"]
    timeout = 300

    def setup(self, kernel, dtype, size, backend, threads):
        skip_unless(threads, backend)
        self.a = data((size,), dtype)
        self.fn = getattr(pc, kernel)
        self.ref = getattr(np, kernel)
        self.backend, self.threads = backend, threads
        self.work = self.a.nbytes
        self.fn(self.a, backend=backend, num_threads=threads)  # compile / warm up

    def run(self, n):
        return self.fn(self.a, backend=self.backend, num_threads=n)

    def reference(self):
        return self.ref(self.a)

    def time_reduction(self, *params):
        self.run(self.threads)


class Histogram(Scaling):
    params = ([1 << 24], BACKENDS, THREADS)
    param_names = ["size", "backend", "threads"]
    timeout = 300

    def setup(self, size, backend, threads):
        skip_unless(threads, backend)
        self.a = data((size,), "float32")
        self.backend, self.threads = backend, threads
        self.work = self.a.nbytes
        self.run(threads)

    def run(self, n):
        return pc.histogram(self.a, 256, backend=self.backend, num_threads=n)

    def reference(self):
        return np.histogram(self.a, 256)

    def time_histogram(self, *params):
        self.run(self.threads)


class PeakMemory:
    """Reductions allocate O(threads), never a copy of the input."""

    params = (["sum", "var"],)
    param_names = ["kernel"]

    def setup(self, kernel):
        self.a = data((1 << 24,), "float64")[::-2]  # strided: must not be copied

    def peakmem_strided_reduction(self, kernel):
        getattr(pc, kernel)(self.a)
