"""Simulation steps: time, speedups (vs 1 thread and vs the NumPy reference), GB/s moved or
GFLOP/s (N-body) in track_rate, cell updates per second (Life)."""
import numpy as np

import pycompute as pc

from .common import BACKENDS, THREADS, Case, Scaling, Timed, data, grid

STEPS = 10


class _Heat:
    params = (grid([2048], [1024, 4096]), BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def make(self, n, backend):
        u = data((n, n), "float64", kind="uniform")
        return Case(lambda p: pc.heat_step(u, steps=STEPS, alpha=0.2, backend=backend,
                                           num_threads=p),
                    lambda: pc.heat_step(u, steps=STEPS, alpha=0.2, backend="numpy"),
                    2.0 * u.nbytes * STEPS)  # bytes read + written


class Heat(_Heat, Timed):
    def time_heat(self, *params):
        self.run(self.threads)

    def peakmem_heat(self, *params):
        self.run(self.threads)


class HeatScaling(_Heat, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _Life:
    params = (grid([4096], [1024]), BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def make(self, n, backend):
        b = data((n, n), "uint8", kind="bits")
        return Case(lambda p: pc.life_step(b, steps=STEPS, backend=backend, num_threads=p),
                    lambda: pc.life_step(b, steps=STEPS, backend="numpy"),
                    2.0 * b.nbytes * STEPS)


class Life(_Life, Timed):
    def time_life(self, *params):
        self.run(self.threads)


class LifeScaling(_Life, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900

    def track_gcups(self, measured, n, *params):
        return n * n * STEPS / self.tn / 1e9

    track_gcups.unit = "G cell-updates/s"


class _GrayScott:
    params = (grid([1024], [512, 2048]), BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def make(self, n, backend):
        u = np.ones((n, n), np.float32)
        v = data((n, n), "float32", kind="uniform") * np.float32(0.25)
        kw = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=STEPS)
        return Case(lambda p: pc.gray_scott_step(u, v, **kw, backend=backend, num_threads=p),
                    lambda: pc.gray_scott_step(u, v, **kw, backend="numpy"),
                    4.0 * u.nbytes * STEPS)


class GrayScott(_GrayScott, Timed):
    def time_gray_scott(self, *params):
        self.run(self.threads)


class GrayScottScaling(_GrayScott, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900


class _NBody:
    params = (grid([4096], [2048, 8192]), BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def make(self, n, backend):
        pos = data((n, 3), "float32")
        mass = data((n,), "float32", kind="uniform") + np.float32(0.5)
        return Case(lambda p: pc.nbody_accelerations(pos, mass, softening=0.01, backend=backend,
                                                     num_threads=p),
                    lambda: pc.nbody_accelerations(pos, mass, softening=0.01, backend="numpy"),
                    20.0 * n * n)  # flops per call (20 per pair)


class NBody(_NBody, Timed):
    def time_nbody(self, *params):
        self.run(self.threads)


class NBodyScaling(_NBody, Scaling):
    def setup_cache(self):
        return self.measure()

    setup_cache.timeout = 900
