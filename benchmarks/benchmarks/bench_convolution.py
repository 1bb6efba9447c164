"""Filters: time, speedups (vs 1 thread and vs scipy.ndimage), efficiency, GFLOP/s (track_rate)
or GB/s moved (Uniform), peak memory."""
import numpy as np
from scipy import ndimage

import pycompute as pc

from .common import BACKENDS, THREADS, Case, Scaling, Timed, data, grid


class _Correlate:
    params = (grid([3, 9], [5]), grid([2048], [1024, 4096]), BACKENDS, THREADS)
    param_names = ["ksize", "n", "backend", "threads"]
    timeout = 600

    def make(self, ksize, n, backend):
        a = data((n, n), "float32")
        w = data((ksize, ksize), "float32", seed=1)
        out = np.empty_like(a)
        return Case(lambda p: pc.correlate(a, w, output=out, backend=backend, num_threads=p),
                    lambda: ndimage.correlate(a, w, output=out),
                    2.0 * w.size * a.size)  # flops per call


class Correlate(_Correlate, Timed):
    def time_correlate(self, *params):
        self.run(self.threads)


class CorrelateScaling(_Correlate, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _Gaussian:
    params = (grid([2.0], [1.0, 4.0]), [2048], BACKENDS, THREADS)
    param_names = ["sigma", "n", "backend", "threads"]
    timeout = 600

    def make(self, sigma, n, backend):
        a = data((n, n), "float32")
        out = np.empty_like(a)
        taps = 2 * int(4.0 * sigma + 0.5) + 1
        return Case(lambda p: pc.gaussian_filter(a, sigma, output=out, backend=backend,
                                                 num_threads=p),
                    lambda: ndimage.gaussian_filter(a, sigma, output=out),
                    2.0 * 2 * taps * a.size)


class Gaussian(_Gaussian, Timed):
    def time_gaussian(self, *params):
        self.run(self.threads)


class GaussianScaling(_Gaussian, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _Uniform:
    params = ([2048], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def make(self, n, backend):
        a = data((n, n, 3), "float32")
        return Case(lambda p: pc.uniform_filter(a, (3, 3, 1), backend=backend, num_threads=p),
                    lambda: ndimage.uniform_filter(a, (3, 3, 1)),
                    2.0 * a.nbytes)  # bytes read + written


class Uniform(_Uniform, Timed):
    def time_uniform(self, *params):
        self.run(self.threads)


class UniformScaling(_Uniform, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class FilterMemory:
    """Peak memory of a filter: input + output (+ one pass buffer), no padded copy."""

    def setup(self):
        self.a = data((4096, 4096), "float32")

    def peakmem_gaussian_filter(self):
        pc.gaussian_filter(self.a, 2.0)
