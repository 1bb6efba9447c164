"""Simulation steps: time, speedups (vs 1 thread and vs the NumPy reference), GB/s or GFLOP/s."""
import numpy as np

import pycompute as pc

from .common import BACKENDS, THREADS, Scaling, data, skip_unless


class Heat(Scaling):
    params = ([1024, 4096], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def setup(self, n, backend, threads):
        skip_unless(threads, backend)
        self.u = data((n, n), "float64", kind="uniform")
        self.backend, self.threads = backend, threads
        self.work = 2.0 * self.u.nbytes * 10  # bytes read + written, 10 steps
        self.run(threads)

    def run(self, n):
        return pc.heat_step(self.u, steps=10, alpha=0.2, backend=self.backend, num_threads=n)

    def reference(self):
        return pc.heat_step(self.u, steps=10, alpha=0.2, backend="numpy")

    def time_heat(self, *params):
        self.run(self.threads)

    def peakmem_heat(self, *params):
        self.run(self.threads)


class Life(Scaling):
    params = ([1024, 4096], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def setup(self, n, backend, threads):
        skip_unless(threads, backend)
        self.b = data((n, n), "uint8", kind="bits")
        self.backend, self.threads = backend, threads
        self.work = 2.0 * self.b.nbytes * 10
        self.run(threads)

    def run(self, n):
        return pc.life_step(self.b, steps=10, backend=self.backend, num_threads=n)

    def reference(self):
        return pc.life_step(self.b, steps=10, backend="numpy")

    def time_life(self, *params):
        self.run(self.threads)

    def track_gcups(self, *params):
        return self.b.size * 10 / self._t(self.threads) / 1e9

    track_gcups.unit = "G cell-updates/s"


class GrayScott(Scaling):
    params = ([512, 2048], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def setup(self, n, backend, threads):
        skip_unless(threads, backend)
        self.u = np.ones((n, n), np.float32)
        self.v = data((n, n), "float32", kind="uniform") * np.float32(0.25)
        self.backend, self.threads = backend, threads
        self.work = 4.0 * self.u.nbytes * 10
        self.run(threads)

    def run(self, n):
        return pc.gray_scott_step(self.u, self.v, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=10,
                                  backend=self.backend, num_threads=n)

    def reference(self):
        return pc.gray_scott_step(self.u, self.v, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=10,
                                  backend="numpy")

    def time_gray_scott(self, *params):
        self.run(self.threads)


class NBody(Scaling):
    params = ([2048, 8192], BACKENDS, THREADS)
    param_names = ["n", "backend", "threads"]
    timeout = 600

    def setup(self, n, backend, threads):
        skip_unless(threads, backend)
        self.pos = data((n, 3), "float32")
        self.mass = data((n,), "float32", kind="uniform") + np.float32(0.5)
        self.backend, self.threads = backend, threads
        self.work = 20.0 * n * n  # flops per call (20 per pair)
        self.run(threads)

    def run(self, n):
        return pc.nbody_accelerations(self.pos, self.mass, softening=0.01, backend=self.backend,
                                      num_threads=n)

    def reference(self):
        return pc.nbody_accelerations(self.pos, self.mass, softening=0.01, backend="numpy")

    def time_nbody(self, *params):
        self.run(self.threads)
