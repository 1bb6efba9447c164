"""The rest of scipy.ndimage's filters: derivative compositions and rank filters.

Time, speedups (vs 1 thread and vs scipy.ndimage), efficiency and rate, as in
bench_convolution; `MedianScaling` etc. time every thread count back to back."""
import numpy as np
from scipy import ndimage

import pycompute as pc

from .common import BACKENDS, THREADS, Case, Scaling, Timed, data, grid


class _GradientMagnitude:
    params = ([2.0], [2048], BACKENDS, THREADS)
    param_names = ["sigma", "n", "backend", "threads"]
    timeout = 600

    def make(self, sigma, n, backend):
        a = data((n, n), "float32")
        out = np.empty_like(a)
        taps = 2 * int(4.0 * sigma + 0.5) + 1
        return Case(lambda p: pc.gaussian_gradient_magnitude(a, sigma, output=out,
                                                             backend=backend, num_threads=p),
                    lambda: ndimage.gaussian_gradient_magnitude(a, sigma, output=out),
                    2.0 * 2 * 2 * taps * a.size)  # two terms of two passes


class GradientMagnitude(_GradientMagnitude, Timed):
    def time_gaussian_gradient_magnitude(self, *params):
        self.run(self.threads)


class GradientMagnitudeScaling(_GradientMagnitude, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _Median:
    params = (grid([5], [3, 15]), ["uint8"], [2048], BACKENDS, THREADS)
    param_names = ["size", "dtype", "n", "backend", "threads"]
    timeout = 600

    def make(self, size, dtype, n, backend):
        a = data((n, n), dtype, kind="integers")
        out = np.empty_like(a)
        return Case(lambda p: pc.median_filter(a, size, output=out, backend=backend,
                                               num_threads=p),
                    lambda: ndimage.median_filter(a, size, output=out),
                    2.0 * a.nbytes)  # bytes read + written


class Median(_Median, Timed):
    def time_median(self, *params):
        self.run(self.threads)


class MedianScaling(_Median, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _MinMax:
    params = (grid([9], [3, 31]), grid(["float32"], ["uint8"]), [2048], BACKENDS, THREADS)
    param_names = ["size", "dtype", "n", "backend", "threads"]
    timeout = 600

    def make(self, size, dtype, n, backend):
        a = data((n, n), dtype, kind="integers" if dtype == "uint8" else "normal")
        out = np.empty_like(a)
        return Case(lambda p: pc.minimum_filter(a, size, output=out, backend=backend,
                                                num_threads=p),
                    lambda: ndimage.minimum_filter(a, size, output=out),
                    2.0 * a.nbytes)


class MinMax(_MinMax, Timed):
    def time_minimum_filter(self, *params):
        self.run(self.threads)


class MinMaxScaling(_MinMax, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900
