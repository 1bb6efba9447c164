"""Filters: time, speedups (vs 1 thread and vs scipy.ndimage), efficiency, GFLOP/s, peak memory."""
import numpy as np
from scipy import ndimage

import pycompute as pc

from .common import BACKENDS, THREADS, Scaling, data, skip_unless


class Correlate(Scaling):
    params = ([3, 5, 9], [1024, 4096], BACKENDS, THREADS)
    param_names = ["ksize", "n", "backend", "threads"]
    timeout = 600

    def setup(self, ksize, n, backend, threads):
        skip_unless(threads, backend)
        self.a = data((n, n), "float32")
        self.w = data((ksize, ksize), "float32", seed=1)
        self.out = np.empty_like(self.a)
        self.backend, self.threads = backend, threads
        self.work = 2.0 * self.w.size * self.a.size  # flops per call
        self.run(threads)

    def run(self, n):
        return pc.correlate(self.a, self.w, output=self.out, backend=self.backend, num_threads=n)

    def reference(self):
        return ndimage.correlate(self.a, self.w, output=self.out)

    def time_correlate(self, *params):
        self.run(self.threads)


class Gaussian(Scaling):
    params = ([1.0, 2.0, 4.0], [2048], BACKENDS, THREADS)
    param_names = ["sigma", "n", "backend", "threads"]
    timeout = 600

    def setup(self, sigma, n, backend, threads):
        skip_unless(threads, backend)
        self.a = data((n, n), "float32")
        self.out = np.empty_like(self.a)
        self.sigma, self.backend, self.threads = sigma, backend, threads
        taps = 2 * int(4.0 * sigma + 0.5) + 1
        self.work = 2.0 * 2 * taps * self.a.size
        self.run(threads)

    def run(self, n):
        return pc.gaussian_filter(self.a, self.sigma, output=self.out, backend=self.backend,
                                  num_threads=n)

    def reference(self):
        return ndimage.gaussian_filter(self.a, self.sigma, output=self.out)

    def time_gaussian(self, *params):
        self.run(self.threads)


class Uniform(Scaling):
    params = ([2048], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def setup(self, n, backend, threads):
        skip_unless(threads, backend)
        self.a = data((n, n, 3), "float32")
        self.backend, self.threads = backend, threads
        self.work = 2.0 * self.a.nbytes
        self.run(threads)

    def run(self, n):
        return pc.uniform_filter(self.a, (3, 3, 1), backend=self.backend, num_threads=n)

    def reference(self):
        return ndimage.uniform_filter(self.a, (3, 3, 1))

    def time_uniform(self, *params):
        self.run(self.threads)


class FilterMemory:
    """Peak memory of a filter: input + output (+ one pass buffer), no padded copy."""

    def setup(self):
        self.a = data((4096, 4096), "float32")

    def peakmem_gaussian_filter(self):
        pc.gaussian_filter(self.a, 2.0)
