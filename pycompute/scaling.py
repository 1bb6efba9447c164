"""How a kernel scales with threads: speedup, efficiency, Amdahl fit, Karp-Flatt, the
roofline (which of the machine's roofs binds a kernel), plots.

A kernel whose time stops falling with more threads is either serial in part (Amdahl's
``f``) or already at one of the machine's roofs: the memory bandwidth, for a kernel that
does few operations per byte, or the FMA peak. ``describe_scaling`` is the one place
that words this, so that a memory-bound kernel's flat scaling is never reported as a
serial fraction.

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

__all__ = ["ScalingResult", "measure", "amdahl_fit", "karp_flatt", "time_call",
           "binding_roof", "describe_scaling", "RooflinePoint", "plot_roofline", "BOUND_AT"]

#: a kernel at or above this fraction of the roof that binds it (at the most threads
#: measured) is reported as bound by that roof: its flat scaling is the roof's, and an
#: Amdahl serial fraction fitted to it would blame code that is not serial
BOUND_AT = 0.70


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


def binding_roof(intensity: float, bandwidth: float, peak: float | None = None):
    """The roofline roof that binds a kernel of arithmetic ``intensity`` (operations per
    byte): ``(roof, "mem" | "fma")``, the roof in G operations/s.

    The roof is the lower of ``bandwidth`` (GB/s) x ``intensity`` and ``peak`` (GFLOP/s;
    None: the kernel's operations are not flops, so only the memory roof applies). At the
    ridge point, ``intensity == peak / bandwidth``, the two are equal and the kernel counts
    as compute-bound ("fma"), as in Williams, Waterman and Patterson's roofline paper.

    >>> binding_roof(0.25, 40.0, 200.0)
    (10.0, 'mem')
    >>> binding_roof(20.0, 40.0, 200.0)
    (200.0, 'fma')
    """
    mem = bandwidth * intensity
    if peak is None or mem < peak:
        return mem, "mem"
    return float(peak), "fma"


def describe_scaling(serial_fraction: float, roof: str | None = None,
                     fraction: float | None = None, flop_dtype: str | None = None) -> str:
    """What limits a kernel's scaling, in words: its binding ``roof`` ("mem"/"fma") when it
    ran at ``fraction`` >= ``BOUND_AT`` of it (at the most threads), else the Amdahl serial
    fraction. ``flop_dtype`` names the FMA peak ("float32", "float64"). Past the roof
    (over 100%: data from cache, or a busy machine while the roof was measured) it says
    so, rather than that the roof binds.

    >>> describe_scaling(0.74, "mem", 0.99)
    'bound by memory bandwidth (99% of the copy roof)'
    >>> describe_scaling(0.75, "mem", 2.06)
    'above the copy roof (206% of it)'
    >>> describe_scaling(0.05, "fma", 0.5)
    'Amdahl serial fraction 0.050'
    """
    if roof is not None and fraction is not None and fraction >= BOUND_AT:
        pct = round(100 * fraction)
        name = "copy" if roof == "mem" else f"{flop_dtype or 'float32'} FMA"
        if pct > 100:
            return f"above the {name} roof ({pct}% of it)"
        if roof == "mem":
            return f"bound by memory bandwidth ({pct}% of the copy roof)"
        return f"bound by the FMA peak ({pct}% of the {name} roof)"
    return f"Amdahl serial fraction {serial_fraction:.3f}"


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
    # the roofline, where the caller knows it (pycompute compare): the roof that binds the
    # kernel ("mem"/"fma"), the attained fraction of it at each thread count, and the
    # dtype of the FMA peak
    roof: str | None = None
    roof_fraction: list | None = None
    flop_dtype: str | None = None

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
    def limited_by(self) -> str:
        """What limits the scaling, in words (see ``describe_scaling``)."""
        return describe_scaling(self.serial_fraction, self.roof,
                                self.roof_fraction[-1] if self.roof_fraction else None,
                                self.flop_dtype)

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
        why = r.limited_by
        why = f"Amdahl f={r.serial_fraction:.3f}" if why.startswith("Amdahl") else why
        line, = ax.plot(r.threads, r.speedup, "o-", color=palette[i % len(palette)],
                        label=f"{r.name} ({why})")
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


@dataclass
class RooflinePoint:
    """One kernel on one backend on the roofline: ``intensity`` operations per byte,
    ``rate`` G operations/s at the most threads measured, ``base_rate`` at the fewest
    (None: one thread count only). ``op`` is what an operation is: "flop", or a word
    such as "cell-update" for work that is not floating point (only the memory roof
    applies to it)."""

    kernel: str
    backend: str
    intensity: float
    rate: float
    base_rate: float | None = None
    op: str = "flop"


def _place_labels(ax, labels, obstacles, fontsize):
    """Write each ``(text, x, y)`` beside its point: to the right, else to the left, at
    the first height (the point's, then a line up or down, ...) where it stays inside the
    axes and covers no text already there and none of the ``obstacles`` (data points
    ``(x, y)``); measured on the rendered text, so the layout should be final. Texts
    already on ``ax`` must be annotations."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    px_pt = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    r = 4 * px_pt  # a marker's half-width
    taken = [Bbox.from_extents(u - r, v - r, u + r, v + r)
             for u, v in ax.transData.transform(obstacles)] if len(obstacles) else []
    for t in ax.texts:  # what is written already (the ridge notes)
        t.update_positions(renderer)
        taken.append(Text.get_window_extent(t, renderer))
    line = fontsize * 1.3
    for text, x, y in sorted(labels, key=lambda t: (t[2], t[1])):
        fallback, done = None, False  # fallback: right beside the point, drawn if nothing fits
        for k in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, 6, 7):
            for side in (1, -1):
                ann = ax.annotate(
                    text, (x, y), xytext=(7 * side, k * line), textcoords="offset points",
                    ha="left" if side > 0 else "right", va="center", fontsize=fontsize,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                          "alpha": 0.75},
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.5"} if k else None)
                ann.update_positions(renderer)  # else the text sits at its offset from 0, 0
                bb = Text.get_window_extent(ann, renderer)  # the text alone, not the leader
                done = (frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0
                        and bb.y1 <= frame.y1 and not any(bb.overlaps(o) for o in taken))
                if done:
                    taken.append(bb)
                    break
                if fallback is None:
                    fallback = (ann, bb)
                else:
                    ann.remove()
            if done:
                break
        if done and fallback is not None:
            fallback[0].remove()
        elif not done:
            taken.append(fallback[1])


def plot_roofline(points, bandwidth: float, peaks: dict, ax=None, path=None,
                  title: str = "Roofline"):
    """The roofline: each of ``points`` (``RooflinePoint``) under the memory roof
    (``bandwidth`` GB/s x intensity, sloped) and the FMA roofs (``peaks``: ``{"float32":
    GFLOP/s, "float64": GFLOP/s}``, flat; a None peak is left out), log-log, the ridge
    points marked. Filled markers: the most threads; hollow: the fewest, joined by a line.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(9.5, 5.6), dpi=110)
    else:
        fig = ax.figure
    peaks = {d: float(v) for d, v in peaks.items() if v}
    ridges = {d: v / bandwidth for d, v in peaks.items()}
    xs = [p.intensity for p in points] + list(ridges.values())
    lo, hi = min(xs, default=0.1) / 3, max(xs, default=10.0) * 4
    ys = ([p.rate for p in points] + [p.base_rate for p in points if p.base_rate]
          + list(peaks.values()) + [bandwidth * lo])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(min(ys) / 3, max(ys) * 3)
    # the memory roof up to the highest ridge (past it a flop kernel meets the FMA roof;
    # kernels whose operations are not flops sit far to the left of it)
    x_top = max(ridges.values(), default=hi)
    ax.plot([lo, x_top], [bandwidth * lo, bandwidth * x_top], "k-", lw=1.6,
            label=f"memory roof: copy {bandwidth:.1f} GB/s x intensity")
    for i, (d, v) in enumerate(sorted(peaks.items(), key=lambda kv: -kv[1])):
        ax.plot([ridges[d], hi], [v, v], "k-" if i == 0 else "k--", lw=1.6 if i == 0 else 1.0,
                label=f"FMA roof: {d} peak {v:.0f} GFLOP/s")
        ax.plot([ridges[d]], [v], "kD", ms=5)
        ax.annotate(f"ridge ({d}): {ridges[d]:.3g} flop/B", (ridges[d], v),
                    xytext=(-6, 5), textcoords="offset points", ha="right", fontsize=7)
    kernels = list(dict.fromkeys(p.kernel for p in points))
    palette = matplotlib.colormaps["tab10"].colors
    if len(kernels) > 10:  # tab20's dark shades first, then the light ones
        palette = matplotlib.colormaps["tab20"].colors[::2] + matplotlib.colormaps[
            "tab20"].colors[1::2]
    markers = {"cython": "o", "numba": "^"}
    best = {}
    for p in points:
        c = palette[kernels.index(p.kernel) % len(palette)]
        m = markers.get(p.backend, "s")
        if p.base_rate is not None:
            ax.plot([p.intensity] * 2, [p.base_rate, p.rate], "-", color=c, lw=0.8, alpha=0.7)
            ax.plot([p.intensity], [p.base_rate], m, mfc="white", mec=c, mew=1.2, ms=6)
        ax.plot([p.intensity], [p.rate], m, color=c, mec="k", mew=0.5, ms=7)
        if p.kernel not in best or p.rate > best[p.kernel][2]:
            name = p.kernel if p.op == "flop" else f"{p.kernel} ({p.op}s)"
            best[p.kernel] = (name, p.intensity, p.rate)
    for be in dict.fromkeys(p.backend for p in points):
        ax.plot([], [], markers.get(be, "s"), color="0.4", label=be)
    if any(p.base_rate is not None for p in points):
        ax.plot([], [], "o", mfc="white", mec="0.4", label="hollow: fewest threads")
    others = [f"{op}s" for op in dict.fromkeys(p.op for p in points) if op != "flop"]
    marked = ", ".join(f"({o})" for o in others)
    ax.set_xlabel("arithmetic intensity: operations per byte read + written\n(flop/byte"
                  + (f"; for the kernels marked {marked}: those per byte)" if others else ")"))
    ax.set_ylabel("attained G operations/s\n(GFLOP/s"
                  + "".join(f", G {o}/s" for o in others) + ")")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    if path is not None:
        fig.tight_layout()  # before the labels: they are placed where the points end up
    dots = [(p.intensity, v) for p in points for v in (p.rate, p.base_rate) if v is not None]
    dots += [(ridges[d], v) for d, v in peaks.items()]
    _place_labels(ax, list(best.values()), dots, 7)
    if path is not None:
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
