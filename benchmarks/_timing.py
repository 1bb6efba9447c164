"""Wall-clock helpers shared by the ``benchmarks/run_*.py`` scripts (imported from the
scripts' own folder, which Python puts first on ``sys.path``).

The scripts report the best of a few calls after a warm-up; ``pycompute.scaling.time_call``
(the median of auto-ranged rounds) serves ``pycompute compare`` instead.
"""
import time


def best(fn, repeat=3):
    """Fastest of ``repeat`` calls of ``fn()``, after one warm-up call (Numba JIT or cache
    load, first-touch page faults, thread pools)."""
    fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


def once(fn):
    """Time of one call of ``fn()`` (for the slow references)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
