"""Timing with the standard library's timeit: warm-up, auto-ranged loops, median of repeats."""
from __future__ import annotations

import statistics
import timeit


def median_time(fn, repeat: int = 5, min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn()`` over ``repeat`` timeit rounds (after one warm-up)."""
    fn()  # warm-up: JIT compile, page faults, caches
    timer = timeit.Timer(fn)
    number = 1
    while True:  # timeit's autorange, to a target of min_time per round
        t = timer.timeit(number)
        if t >= min_time or number >= 1 << 20:
            break
        number *= 2 if t == 0 else max(2, int(min_time / t * 1.2))
    runs = [t / number] + [timer.timeit(number) / number for _ in range(repeat - 1)]
    return statistics.median(runs)
