"""Shared pieces of the asv suite: the grid, seeded data, and the two benchmark shapes.

Every benchmarked kernel is described once, by a class with ``params`` ending in
(backend, threads) and ``make(*params_but_threads)`` returning a :class:`Case`.
Two asv classes use that description:

* ``<Kernel>`` (mixes in :class:`Timed`): ``time_*`` / ``peakmem_*`` of one call
  at each parameter combination, one process per combination (asv's way).
* ``<Kernel>Scaling`` (mixes in :class:`Scaling`): ``track_speedup_vs_1thread``,
  ``track_speedup_vs_reference``, ``track_efficiency``, ``track_rate``. Its
  ``setup_cache`` times every combination at every thread count once, in one
  process, back to back (``pycompute.scaling.time_call``), and the ``track_*``
  functions only read those numbers. A speedup is then a ratio of two timings
  taken minutes apart at most, and the suite does not pay a process start, the
  data and Numba's first call four times per combination.

Each ``<Kernel>Scaling`` must define ``setup_cache`` itself: asv names a setup
cache by the file and line of the function, so one inherited from here would
be shared by every class. ``Scaling`` declares it abstract so that forgetting
it fails at discovery (an abstract class is not a benchmark). The mixins are
abstract for a second reason: asv collects every public class a benchmark
module holds, imported ones included, and an abstract one it skips.

The grid: one size per kernel, large enough to leave the caches (what the
speedup-vs-cores graphs are about), both native backends, threads 1, 2, 4 ...
up to the CPU count. ``PYCOMPUTE_ASV_FULL=1`` (read at discovery, so set it
for ``asv run`` itself) adds the in-cache sizes, float64 reductions and more
filter widths. asv keys results by parameter values, so compare runs made with
the same setting.
"""
import abc
import functools
import itertools
import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

import pycompute as pc

FULL = os.environ.get("PYCOMPUTE_ASV_FULL", "0") not in ("", "0")


def grid(default, extra=()):
    """``default`` values, plus ``extra`` ones with ``PYCOMPUTE_ASV_FULL=1``."""
    return list(default) + (list(extra) if FULL else [])


def thread_counts():
    """1, 2, 4, ... up to the machine's CPU count (and the count itself)."""
    n = os.cpu_count() or 1
    return sorted({1, *[2 ** k for k in range(n.bit_length()) if 2 ** k <= n], n})


THREADS = thread_counts()
BACKENDS = ["cython", "numba"]

# Scaling.setup_cache: timeit rounds per thread count (median), and the least
# time one round takes (loops are added until it does).
REPEAT = 5
MIN_TIME = 0.02


@functools.lru_cache(maxsize=16)
def data(shape, dtype="float32", kind="normal", seed=0):
    """Seeded test data, built once per process and cached (benchmarks must not mutate it)."""
    rng = np.random.default_rng(seed)
    if kind == "normal":
        if np.dtype(dtype) in (np.float32, np.float64):
            a = rng.standard_normal(shape, dtype=dtype)
        else:
            a = rng.standard_normal(shape).astype(dtype)
    elif kind == "uniform":
        if np.dtype(dtype) in (np.float32, np.float64):
            a = rng.random(shape, dtype=dtype)
        else:
            a = rng.random(shape).astype(dtype)
    elif kind == "integers":  # 0..255, e.g. 8-bit images
        a = rng.integers(0, 256, shape).astype(dtype)
    elif kind == "bits":
        a = (rng.random(shape, dtype=np.float32) < 0.3).astype(dtype)
    else:
        raise ValueError(kind)
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=None)
def available(backend):
    return {b.name: b.available for b in pc.backends()}.get(backend, False)


def skip_unless(threads, backend):
    """asv convention: NotImplementedError in setup skips the combination."""
    if threads > pc.max_threads():
        raise NotImplementedError(f"{threads} threads > this machine's maximum")
    if not available(backend):
        raise NotImplementedError(f"backend {backend} unavailable")


@dataclass
class Case:
    """One benchmarked call: ``run(num_threads)``, its serial ``reference()`` and the
    ``work`` one call does (bytes moved or flops, for ``track_rate``)."""

    run: Callable[[int], object]
    reference: Callable[[], object]
    work: float


class Timed(abc.ABC):
    """Mixin for ``time_*`` / ``peakmem_*`` classes: ``setup`` builds the case and warms it
    up (Numba's compile or cache load), then ``self.run(self.threads)`` is the call."""

    @abc.abstractmethod
    def make(self, *params) -> Case:
        """The case for every parameter but the thread count."""

    def setup(self, *params):
        *case, backend, threads = params
        skip_unless(threads, backend)
        self.case = self.make(*case, backend)
        self.threads = threads
        self.run(threads)

    def run(self, n):
        return self.case.run(n)


class Scaling(abc.ABC):
    """Mixin for ``track_*`` classes fed by one ``setup_cache`` measurement (module docstring).

    A subclass defines ``make`` and::

        def setup_cache(self):
            return self.measure()

        setup_cache.timeout = 900
    """

    timeout = 900

    @abc.abstractmethod
    def make(self, *params) -> Case:
        """The case for every parameter but the thread count."""

    @abc.abstractmethod
    def setup_cache(self):
        """``return self.measure()``, written in the subclass (see the module docstring)."""

    def measure(self):
        """{case + (backend,): {"t": {threads: s}, "ref": s, "work": w}} for the whole grid."""
        from pycompute.scaling import time_call

        *case_params, backends, threads = self.params
        out, refs = {}, {}
        for case in itertools.product(*case_params):
            for backend in backends:
                if not available(backend):
                    continue
                c = self.make(*case, backend)
                times = {p: time_call(lambda: c.run(p), REPEAT, MIN_TIME).median
                         for p in threads if p <= pc.max_threads()}
                if case not in refs:
                    refs[case] = time_call(c.reference, 3, MIN_TIME).median
                out[(*case, backend)] = {"t": times, "ref": refs[case], "work": c.work}
        return out

    def setup(self, measured, *params):
        *key, threads = params
        m = measured.get(tuple(key))
        if m is None or threads not in m["t"]:
            skip_unless(threads, key[-1])
            raise NotImplementedError(f"{params} was not measured")
        self.threads = threads
        self.t1, self.tn = m["t"][1], m["t"][threads]
        self.ref, self.work = m["ref"], m["work"]

    def track_speedup_vs_1thread(self, measured, *params):
        return self.t1 / self.tn

    def track_speedup_vs_reference(self, measured, *params):
        return self.ref / self.tn

    def track_efficiency(self, measured, *params):
        return self.t1 / self.tn / self.threads

    def track_rate(self, measured, *params):
        return self.work / self.tn / 1e9

    track_speedup_vs_1thread.unit = "x"
    track_speedup_vs_reference.unit = "x"
    track_efficiency.unit = "fraction"
    track_rate.unit = "G/s"
