"""How a kernel scales with threads: speedup, efficiency, Amdahl fit, Karp-Flatt, plots.

>>> import numpy as np, pycompute as pc
>>> from pycompute.scaling import measure
>>> a = np.ones(1 << 16)
>>> r = measure(pc.sum, a, threads=[1], repeat=3, min_time=0.001)
>>> r.threads, r.speedup
([1], [1.0])
"""
from __future__ import annotations

import math
import statistics
import timeit
from dataclasses import dataclass, field

from . import _threads

__all__ = ["ScalingResult", "measure", "amdahl_fit", "karp_flatt", "time_call"]


@dataclass
class Timing:
    """Seconds per call: median of ``repeat`` rounds, with the rounds and outliers."""

    median: float
    rounds: list
    number: int
    outliers: int

    def to_dict(self):
        return {"median_s": self.median, "rounds_s": self.rounds, "loops_per_round": self.number,
                "outliers": self.outliers}


def time_call(fn, repeat: int = 5, min_time: float = 0.05) -> Timing:
    """Time ``fn()`` with :mod:`timeit`: one warm-up call, loops auto-ranged to at least
    ``min_time`` per round, ``repeat`` rounds, the median reported, and the rounds outside
    Tukey's fences (1.5 IQR beyond the quartiles) counted as outliers."""
    fn()
    timer = timeit.Timer(fn)
    number = 1
    while True:
        t = timer.timeit(number)
        if t >= min_time or number >= 1 << 20:
            break
        number *= 2 if t <= 0 else max(2, int(min_time / t * 1.2))
    rounds = [t / number] + [timer.timeit(number) / number for _ in range(repeat - 1)]
    med = statistics.median(rounds)
    outliers = 0
    if len(rounds) >= 4:
        q1, _, q3 = statistics.quantiles(rounds, n=4)
        lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        outliers = sum(1 for r in rounds if r < lo or r > hi)
    return Timing(med, rounds, number, outliers)


def amdahl_fit(threads, times) -> tuple[float, float]:
    """Least-squares fit of ``T(p) = T1 * (f + (1 - f) / p)``; returns ``(f, T1)``.

    Linear in ``a = T1 f`` and ``b = T1 (1 - f)``: ``T(p) = a + b / p``. The serial
    fraction ``f`` is clipped to [0, 1].
    """
    if len(threads) < 2 or len(set(threads)) < 2:
        return 0.0, float(times[0])
    xs = [1.0 / p for p in threads]
    n = len(xs)
    mx, my = sum(xs) / n, sum(times) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, times)) / sxx
    a = my - b * mx
    t1 = a + b
    if t1 <= 0:
        return 1.0, float(my)
    f = min(1.0, max(0.0, a / t1))
    return f, t1


def karp_flatt(speedup: float, p: int) -> float:
    """Experimentally determined serial fraction ``(1/S - 1/p) / (1 - 1/p)`` (p > 1)."""
    if p <= 1:
        return float("nan")
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)


@dataclass
class ScalingResult:
    """Timings of one kernel at several thread counts (and optionally its reference)."""

    name: str
    threads: list
    timings: list
    reference: Timing | None = None
    work: float | None = None  # bytes or flops per call, for rates
    unit: str | None = None  # "GB/s" or "GFLOP/s"
    extra: dict = field(default_factory=dict)

    @property
    def times(self):
        return [t.median for t in self.timings]

    @property
    def speedup(self):
        """Time at the first (smallest) thread count over time at each count."""
        return [self.times[0] / t for t in self.times]

    @property
    def speedup_vs_reference(self):
        if self.reference is None:
            return None
        return [self.reference.median / t for t in self.times]

    @property
    def efficiency(self):
        base = self.threads[0]
        return [s * base / p for s, p in zip(self.speedup, self.threads)]

    @property
    def serial_fraction(self) -> float:
        return amdahl_fit(self.threads, self.times)[0]

    @property
    def karp_flatt(self):
        return [karp_flatt(s, p) if p > 1 else None for s, p in zip(self.speedup, self.threads)]

    @property
    def rates(self):
        if not self.work:
            return None
        scale = 1e9
        return [self.work / t / scale for t in self.times]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "threads": list(self.threads),
            "time_s": self.times,
            "timings": [t.to_dict() for t in self.timings],
            "reference_time_s": None if self.reference is None else self.reference.median,
            "speedup": self.speedup,
            "speedup_vs_reference": self.speedup_vs_reference,
            "efficiency": self.efficiency,
            "serial_fraction": self.serial_fraction,
            "karp_flatt": self.karp_flatt,
            "rate": self.rates,
            "rate_unit": self.unit,
            **self.extra,
        }

    def plot(self, ax=None, path=None):
        """Speedup vs threads with the ideal line and the fitted Amdahl curve."""
        return plot_speedup([self], ax=ax, path=path)


def plot_speedup(results, ax=None, path=None, title="Speedup vs threads"):
    """One line per result, the ideal line, and each result's fitted Amdahl curve (dotted)."""
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9.0, 4.8), dpi=110)
    else:
        fig = ax.figure
    pmax = max(max(r.threads) for r in results)
    xs = [1 + i * (pmax - 1) / 100 for i in range(101)]
    ax.plot(xs, xs, "k--", lw=1, label="ideal")
    palette = matplotlib.colormaps["tab20" if len(results) > 10 else "tab10"].colors
    for i, r in enumerate(results):
        line, = ax.plot(r.threads, r.speedup, "o-", color=palette[i % len(palette)],
                        label=f"{r.name} (Amdahl f={r.serial_fraction:.3f})")
        f = r.serial_fraction
        ax.plot(xs, [1 / (f + (1 - f) / x) for x in xs], ":", color=line.get_color(), lw=1)
    ax.plot([], [], "k:", lw=1, label="dotted: Amdahl fit")
    # thread counts are whole numbers: ticks at the counts measured (or integer ticks if many)
    counts = sorted({p for r in results for p in r.threads})
    if len(counts) <= 12:
        ax.set_xticks(counts)
    else:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("threads")
    base = {r.threads[0] for r in results}
    b = min(base)
    ax.set_ylabel(f"speedup vs {b} thread{'s' if b > 1 else ''}" if len(base) == 1
                  else "speedup vs each line's smallest thread count")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    if path is not None:
        fig.tight_layout()
        fig.savefig(path, bbox_inches="tight")
    return ax


def measure(fn, *args, threads=None, repeat: int = 5, min_time: float = 0.05, reference=None,
            name=None, work=None, unit=None, progress=None, **kwargs) -> ScalingResult:
    """Time ``fn(*args, num_threads=p, **kwargs)`` for each ``p`` in ``threads``.

    ``reference`` (a callable taking ``*args, **kwargs``) is timed once as the
    serial baseline. ``work`` (bytes or flops per call) with ``unit`` gives rates.
    ``progress`` is called with a message after each timing (e.g. a progress bar).
    """
    if threads is None:
        mx = _threads.max_threads()
        threads = sorted({1, *[2 ** k for k in range(int(math.log2(mx)) + 1)], mx})
    threads = [int(_threads._check(p, "threads")) for p in threads]
    timings = []
    for p in threads:
        timings.append(time_call(lambda: fn(*args, num_threads=p, **kwargs), repeat, min_time))
        if progress:
            progress(f"{name or fn.__name__} x{p}")
    ref = None
    if reference is not None:
        ref = time_call(lambda: reference(*args, **kwargs), repeat, min_time)
        if progress:
            progress(f"{name or fn.__name__} reference")
    return ScalingResult(name or getattr(fn, "__name__", "kernel"), threads, timings, ref, work,
                         unit)
