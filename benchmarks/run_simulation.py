"""Simulation benchmark: pycompute's kernels side by side with a straightforward
Numba ``prange`` version of each step (written below) and the NumPy reference,
plus the ceilings measured in the same run.

    python benchmarks/run_simulation.py [--threads 2] [--repeat 5] [--quick] [--only life,...]
                                        [--slice SECONDS]

* heat, float64 4096^2, 100 steps: G cell-updates/s, temporally blocked (the
  default: several steps per pass over memory) and with blocking off
  (``pycompute.simulation.BLOCK_CACHE = 0``: one sweep of the grid a step), in
  alternating rounds (median row; best round and the rate per CPU-second in
  the note), against the streaming roofline: the copy bandwidth measured here
  (a parallel copy of an equally large array, read + write) / 16 bytes per
  cell update. ``Nx roofline`` = cell updates/s x 16 bytes / copy bandwidth.
  The straightforward Numba version and the NumPy reference at 10 steps.
* Game of Life 4096^2, 100 steps (B3/S23, torus): G cell-updates/s of ``life_step`` and of
  a kept-packed ``LifeBoard`` at 1 and ``--threads`` threads, both backends, measured in
  alternating rounds (the median of ``--repeat`` rounds, the best in the note), the speedup
  from 1 thread, and single-generation calls (``life_step(steps=1)`` pays a pack and an
  unpack, ``LifeBoard.step(1)`` does not); the straightforward Numba version and the NumPy
  reference at 10 steps. The note gives the best round, the cell updates per CPU-second
  of the process (all its threads: on a machine shared with other work this is close to
  what an idle core would do, as long as the threads do not wait on each other), and the
  speedup over 1 thread.
* N-body N=8192 float32 and float64: GFLOP/s counting 20 flops per pair, against
  an FMA-peak kernel of the same dtype measured here (independent FMA chains, 2
  flops each).
* Gray-Scott 2048^2 float32, 100 steps: blocked and one sweep a step, as heat;
  speedup over the straightforward Numba version (10 steps).

Times are the best of ``--repeat`` calls after one warm-up call (the NumPy
reference runs once), the Life, heat and Gray-Scott rows excepted (medians of
alternating rounds, above).
A measurement, not a test: nothing here asserts a speed.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import pycompute as pc
import pycompute._numba  # noqa: F401 - picks Numba's threading layer (TBB) before any parallel run
import numba  # noqa: E402
from numba import njit, prange  # noqa: E402
from _timing import best, once  # noqa: E402 - benchmarks/_timing.py


# ---------------------------------------------------------------- straightforward Numba versions


@njit(parallel=True, cache=True)
def naive_heat(u, alpha, steps):
    """2-D 5-point diffusion on a torus, modulo indexing, a new array per step."""
    n0, n1 = u.shape
    a = u.copy()
    b = np.empty_like(u)
    for _ in range(steps):
        for i in prange(n0):
            for j in range(n1):
                b[i, j] = a[i, j] + alpha * (a[(i - 1) % n0, j] + a[(i + 1) % n0, j]
                                             + a[i, (j - 1) % n1] + a[i, (j + 1) % n1]
                                             - 4.0 * a[i, j])
        a, b = b, a
    return a


@njit(parallel=True, cache=True)
def naive_life(board, steps):
    """Conway's B3/S23 on a torus, 8 modulo-indexed neighbour reads per cell."""
    n0, n1 = board.shape
    a = board.copy()
    b = np.empty_like(a)
    for _ in range(steps):
        for i in prange(n0):
            for j in range(n1):
                cnt = 0
                for di in (-1, 0, 1):
                    for dj in (-1, 0, 1):
                        if di != 0 or dj != 0:
                            cnt += a[(i + di) % n0, (j + dj) % n1]
                b[i, j] = 1 if cnt == 3 or (cnt == 2 and a[i, j]) else 0
        a, b = b, a
    return a


@njit(parallel=True, cache=True)
def naive_gray_scott(u, v, Du, Dv, F, k, dt, steps):
    n0, n1 = u.shape
    a, c = u.copy(), v.copy()
    b, d = np.empty_like(u), np.empty_like(v)
    four = np.float32(4)
    one = np.float32(1)
    for _ in range(steps):
        for i in prange(n0):
            for j in range(n1):
                x = a[i, j]
                y = c[i, j]
                lu = (a[(i - 1) % n0, j] + a[(i + 1) % n0, j] + a[i, (j - 1) % n1]
                      + a[i, (j + 1) % n1] - four * x)
                lv = (c[(i - 1) % n0, j] + c[(i + 1) % n0, j] + c[i, (j - 1) % n1]
                      + c[i, (j + 1) % n1] - four * y)
                uvv = x * y * y
                b[i, j] = x + dt * (Du * lu - uvv + F * (one - x))
                d[i, j] = y + dt * (Dv * lv + uvv - (F + k) * y)
        a, b = b, a
        c, d = d, c
    return a, c


@njit(parallel=True, cache=True)
def naive_nbody(pos, m, eps2, G):
    """Accelerations: prange over targets, plain loop over sources (AoS input)."""
    n = pos.shape[0]
    acc = np.empty_like(pos)
    zero = np.float32(0)
    for i in prange(n):
        ax = zero
        ay = zero
        az = zero
        for j in range(n):
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            r2 = dx * dx + dy * dy + dz * dz + eps2
            if r2 > zero:
                w = m[j] / (r2 * np.sqrt(r2))
                ax += w * dx
                ay += w * dy
                az += w * dz
        acc[i, 0] = G * ax
        acc[i, 1] = G * ay
        acc[i, 2] = G * az
    return acc


# ---------------------------------------------------------------- ceilings
# pycompute.machine: a parallel streaming copy (read + write) and 12 independent
# vector FMA chains per thread, the same probes `pycompute compare` uses.


# ---------------------------------------------------------------- harness


ROWS = []


def row(kernel, impl, seconds, rate, unit, note=""):
    ROWS.append((kernel, impl, seconds * 1e3, rate, unit, note))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--slice", type=float, default=None, metavar="SECONDS",
                    help="native calls of about this long (default: pycompute's 0.05 s "
                         "Ctrl-C slices); on a busy machine a 50 ms slice holds few steps, "
                         "which caps the temporal blocking depth, so e.g. --slice 2 measures "
                         "the kernels themselves")
    ap.add_argument("--only", default="heat,life,nbody,gray-scott",
                    help="comma-separated sections to run (default: all; the ceilings always run)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.slice is not None:
        from pycompute import _cancel

        _cancel.SLICE = args.slice
        _cancel.FIRST_WORK = 1 << 62  # the first call covers as much as a slice can
    nt, rep = args.threads, args.repeat
    load0 = os.getloadavg()[0]
    numba.set_num_threads(nt)
    rng = np.random.default_rng(0)
    n_heat, n_life, n_gs, n_body, steps = (4096, 4096, 2048, 8192, 100)
    if args.quick:
        n_heat, n_life, n_gs, n_body = 512, 512, 256, 1024

    # ceilings
    from pycompute.machine import copy_bandwidth, fma_peak

    big_bytes = n_heat * n_heat * 8
    bw = max(copy_bandwidth(nt, nbytes=big_bytes) for _ in range(rep)) * 1e9
    row("copy (roofline)", f"memcpy blocks, {nt} threads", 2 * big_bytes / bw, bw / 1e9, "GB/s",
        "read+write")
    peak = max(fma_peak(nt) for _ in range(3)) * 1e9
    row("FMA peak", f"C vector FMA, {nt} threads", float("nan"), peak / 1e9, "GFLOP/s",
        "float32")

    # heat
    if "heat" in only:
        heat_rows(rng, n_heat, steps, nt, rep, bw)

    # Life
    if "life" in only:
        life_rows(rng, n_life, nt, rep)

    # N-body
    if "nbody" in only:
        nbody_rows(rng, n_body, nt, rep, peak)
        peak64 = max(fma_peak(nt, np.float64) for _ in range(3)) * 1e9
        row("FMA peak", f"C vector FMA, {nt} threads", float("nan"), peak64 / 1e9, "GFLOP/s",
            "float64")
        nbody_rows(rng, n_body, nt, rep, peak64, np.float64)

    # Gray-Scott
    if "gray-scott" in only:
        gray_scott_rows(rng, n_gs, steps, nt, rep)

    _print(nt, rep, load0)


def _blocking(on):
    """Temporal blocking of heat and Gray-Scott on (the default) or off (one sweep a step)."""
    pc.simulation.BLOCK_CACHE = _BLOCK_CACHE if on else 0


_BLOCK_CACHE = pc.simulation.BLOCK_CACHE


def _blocked_vs_sweep(name, call, cells, nt, rep, rate_note):
    """Rows of ``call(backend)``, temporally blocked and not (``_blocking``), both backends,
    in alternating rounds: the median row; the note has ``rate_note(seconds)``, the best
    round, the rate per ``nt`` CPU-seconds and the blocked speedup."""
    cases = {}
    for impl in ("cython", "numba"):
        for on in (True, False):
            cases[(impl, on)] = (lambda impl=impl, on=on: (_blocking(on), call(impl),
                                                           _blocking(True)))
    med, low, cpu = _rounds(cases, rep)
    for (impl, on), t in med.items():
        note = (f"{rate_note(t)}; best {cells / low[(impl, on)] / 1e9:.2f} "
                f"({rate_note(low[(impl, on)])}); "
                f"{cells / cpu[(impl, on)] * nt / 1e9:.2f} per {nt} CPU-seconds")
        if on:
            note += f"; {med[(impl, False)] / t:.2f}x 1 sweep/step"
        row(name, f"pycompute {impl} {'blocked' if on else '1 sweep/step'}", t, cells / t / 1e9,
            "Gcell/s", note)


def heat_rows(rng, n_heat, steps, nt, rep, bw):
    """heat f64 n^2 x ``steps``: temporally blocked (the default) and one sweep a step, both
    backends, in alternating rounds (median row, best in the note), against the copy roofline."""
    u = rng.random((n_heat, n_heat))
    out = np.empty_like(u)
    cells = u.size * steps
    name = f"heat f64 {n_heat}^2 x{steps}"
    _blocked_vs_sweep(
        name, lambda impl: pc.heat_step(u, steps=steps, alpha=0.2, out=out, backend=impl,
                                        num_threads=nt),
        cells, nt, rep, lambda t: f"{16 * cells / t / bw:.2f}x roofline")
    few = 10
    t = best(lambda: naive_heat(u, 0.2, few), rep)
    row(f"heat f64 {n_heat}^2 x{few}", "numba straightforward", t, u.size * few / t / 1e9,
        "Gcell/s", f"{16 * u.size * few / t / bw:.2f}x roofline")
    t = once(lambda: pc.heat_step(u, steps=few, alpha=0.2, backend="numpy"))
    row(f"heat f64 {n_heat}^2 x{few}", "numpy reference", t, u.size * few / t / 1e9, "Gcell/s",
        f"{16 * u.size * few / t / bw:.2f}x roofline")


def life_rows(rng, n, nt, rep, steps=100):
    """Life 4096^2 x 100: both backends, 1 and ``nt`` threads, ``life_step`` and LifeBoard.

    Every case runs once per round, the rounds alternate the cases (so a busy
    moment of a shared machine hits all of them alike); the median of ``rep``
    rounds is the row, the best round is in the note.
    """
    from pycompute.simulation import LifeBoard

    b = rng.random((n, n)) < 0.3
    ob = np.empty_like(b)
    cells = b.size * steps
    name = f"life {n}^2 x{steps}"
    cases = {}
    for impl in ("cython", "numba"):
        for k in sorted({1, nt}):
            cases[(impl, "life_step", k)] = (
                lambda impl=impl, k=k: pc.life_step(b, steps=steps, out=ob, backend=impl,
                                                    num_threads=k))
            lb = LifeBoard(b, backend=impl, num_threads=k)
            cases[(impl, "LifeBoard.step", k)] = lambda lb=lb: lb.step(steps)
    med, low, cpu = _rounds(cases, rep)
    for (impl, api, k), t in med.items():
        note = (f"best {cells / low[(impl, api, k)] / 1e9:.1f}; "
                f"{cells / cpu[(impl, api, k)] / 1e9:.1f} per CPU-second")
        if k != 1:
            note += f"; {med[(impl, api, 1)] / t:.2f}x 1 thread"
        row(name, f"{impl} {api} {k}T", t, cells / t / 1e9, "Gcell/s", note)
    # one generation a call: the cost of the packing, and what LifeBoard saves
    one = {}
    for impl in ("cython", "numba"):
        one[(impl, "life_step(steps=1)")] = (
            lambda impl=impl: pc.life_step(b, steps=1, out=ob, backend=impl, num_threads=nt))
        lb = LifeBoard(b, backend=impl, num_threads=nt)
        one[(impl, "LifeBoard.step(1)")] = lambda lb=lb: lb.step(1)
        one[(impl, "LifeBoard.to_array")] = lambda lb=lb: lb.to_array(out=ob)
    med1, low1, _ = _rounds(one, 3 * rep)
    for (impl, api), t in med1.items():
        rate = b.size / t / 1e9 if "step" in api else float("nan")
        row(f"life {n}^2 x1 call", f"{impl} {api} {nt}T", t, rate, "Gcell/s",
            f"best {low1[(impl, api)] * 1e3:.2f} ms")
    few = 10  # the slow ones at 10 steps (the rate is per cell update)
    b8 = b.view(np.uint8)
    t = best(lambda: naive_life(b8, few), rep)
    row(f"life {n}^2 x{few}", f"numba straightforward {nt}T", t, b.size * few / t / 1e9,
        "Gcell/s")
    t = once(lambda: pc.life_step(b, steps=few, backend="numpy"))
    row(f"life {n}^2 x{few}", "numpy reference", t, b.size * few / t / 1e9, "Gcell/s")


def _rounds(cases, rep):
    """(median, best, median CPU) seconds of each case over ``rep`` alternating rounds,
    after a warm-up. CPU: the process's CPU time (all threads) of the call."""
    for fn in cases.values():
        fn()
    ts = {key: [] for key in cases}
    cpu = {key: [] for key in cases}
    for _ in range(rep):
        for key, fn in cases.items():
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            ts[key].append(time.perf_counter() - t0)
            cpu[key].append(time.process_time() - c0)
    return ({k: float(np.median(v)) for k, v in ts.items()}, {k: min(v) for k, v in ts.items()},
            {k: float(np.median(v)) for k, v in cpu.items()})


def nbody_rows(rng, n_body, nt, rep, peak, dtype=np.float32):
    """Accelerations against the same-run FMA peak of ``dtype``; float32 also against a
    straightforward Numba loop and the NumPy reference."""
    pos = rng.normal(size=(n_body, 3)).astype(dtype)
    m = rng.uniform(0.5, 1.5, n_body).astype(dtype)
    flops = 20.0 * n_body * n_body
    label = f"nbody {'f32' if dtype == np.float32 else 'f64'} N={n_body}"
    cases = [(f"pycompute {impl}", best, lambda impl=impl: pc.nbody_accelerations(
        pos, m, softening=0.01, backend=impl, num_threads=nt)) for impl in ("cython", "numba")]
    if dtype == np.float32:
        cases += [("numba straightforward", best,
                   lambda: naive_nbody(pos, m, np.float32(1e-4), np.float32(1.0))),
                  ("numpy reference", lambda f, _: once(f), lambda: pc.nbody_accelerations(
                      pos, m, softening=0.01, backend="numpy"))]
    for impl, timer, fn in cases:
        t = timer(fn, rep)
        pct = 100 * flops / t / peak
        row(label, impl, t, flops / t / 1e9, "GFLOP/s",
            f"{pct:.1f}% of FMA peak" if pct < 2 else f"{pct:.0f}% of FMA peak")


def gray_scott_rows(rng, n_gs, steps, nt, rep):
    """Gray-Scott f32 n^2 x ``steps``: blocked and one sweep a step, as heat_rows."""
    gu = np.ones((n_gs, n_gs), np.float32)
    gv = np.zeros((n_gs, n_gs), np.float32)
    c = n_gs // 2
    gu[c - 10:c + 10, c - 10:c + 10] = 0.5
    gv[c - 10:c + 10, c - 10:c + 10] = 0.25
    gu += 0.02 * rng.random(gu.shape, np.float32)
    p = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, dt=1.0)
    cells = gu.size * steps
    name = f"gray-scott f32 {n_gs}^2 x{steps}"
    few = 10
    t_naive = best(lambda: naive_gray_scott(gu, gv, *(np.float32(p[q]) for q in
                                                     ("Du", "Dv", "F", "k", "dt")), few), rep)
    r_naive = gu.size * few / t_naive
    _blocked_vs_sweep(
        name, lambda impl: pc.gray_scott_step(gu, gv, steps=steps, backend=impl, num_threads=nt,
                                              **p),
        cells, nt, rep, lambda t: f"{cells / t / r_naive:.2f}x straightforward")
    row(f"gray-scott f32 {n_gs}^2 x{few}", "numba straightforward", t_naive, r_naive / 1e9,
        "Gcell/s", "1.00x straightforward")
    t = once(lambda: pc.gray_scott_step(gu, gv, steps=few, backend="numpy", **p))
    row(f"gray-scott f32 {n_gs}^2 x{few}", "numpy reference", t, gu.size * few / t / 1e9,
        "Gcell/s", f"{gu.size * few / t / r_naive:.2f}x straightforward")


def _print(nt, rep, load0):
    import platform

    cpu = platform.processor()
    if os.path.exists("/proc/cpuinfo"):
        info = {}
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                info.setdefault(key.strip(), val.strip())
        cpu = (f"{info.get('model name', cpu)}, family {info.get('cpu family')} "
               f"model {info.get('model')}")
    print(f"pycompute {pc.__version__}, {nt} threads, best of {rep} (Life: median of {rep} "
          f"alternating rounds), numba {numba.__version__} ({numba.threading_layer()}), "
          f"{os.cpu_count()} CPUs ({cpu}), load average {load0:.2f} at the start, "
          f"{os.getloadavg()[0]:.2f} at the end")
    if load0 > 0.5:  # (the end value includes this run itself)
        print("warning: other processes were running; OpenMP (cython) timings suffer most")
    print(f"| {'kernel':26s} | {'implementation':32s} | {'ms/call':>9s} | {'rate':>8s} | "
          f"{'unit':8s} | note")
    print(f"|{'-' * 28}|{'-' * 34}|{'-' * 11}|{'-' * 10}|{'-' * 10}|------")
    for k, impl, ms, rate, unit, note in ROWS:
        print(f"| {k:26s} | {impl:32s} | {ms:9.2f} | {rate:8.2f} | {unit:8s} | {note}")


if __name__ == "__main__":
    main()
