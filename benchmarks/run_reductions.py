"""Reductions vs NumPy and a parallel memory-copy roofline, side by side in one run.

    python benchmarks/run_reductions.py [--log2n 27] [--threads N]
    python benchmarks/run_reductions.py --sweep [--max-exp 9] [--mem-gb 12]
    python benchmarks/run_reductions.py --crossover [--threads N]
    python benchmarks/run_reductions.py --widths
    python benchmarks/run_reductions.py --integers
    python benchmarks/run_reductions.py --rows [--threads N]

Prints one table: time, GB/s of input read, ratio to NumPy, and the reduction's
read rate as a percentage of the parallel copy's read rate (half the bytes it
moves: pycompute.machine.copy_bandwidth, STREAM-copy style, on the same number
of threads, the same run; issue 11 asks for >= 90% for sum/min/max at 2
threads). Also the per-call cost on 1000 elements against NumPy's.

``--sweep`` (issue 11): sum/mean/min/max/argmin/argmax/var/std of float32 and
float64, contiguous (``x``), strided (``x[::2]``) and along axis 0 of a 2-D
array (``X.sum(axis=0)``, X of shape (n/1000, 1000)), n = 10^3 ... 10^9
elements, both backends at 1 thread against NumPy, NumPy and the two backends
timed in turn (median of the repeats). Prints the table of ratios (NumPy time /
pycompute time: above 1 = pycompute faster) and writes it to
``benchmarks/results/reductions_sweep.txt``, with a plot
``benchmarks/results/reductions_sweep.png``. Arrays are freed before the next
size; a layout whose data would exceed ``--mem-gb`` is skipped and listed.

``--widths``: axis-0 sums and means of float32 and float64 arrays of 10^6, 10^7 and
10^8 elements, (n/B, B) for widths B from 100 to 20,000 columns (the sweep's axis-0
layout has 1000), both backends at 1 thread against NumPy, timed in turn (best of
the repeats); writes ``benchmarks/results/reductions_widths.txt``.

``--integers``: sum/min/max/argmin/argmax of int8 ... uint64 and bool: whole arrays of
10^4, 10^6 and 10^7 elements and (1000, 1000) arrays along each axis, both backends
at 1 thread against NumPy, timed in turn (best of the repeats). Integers are drawn
without the dtype's limits (min/max/argmin/argmax stop at a limit: the "limit" rows
put one in the middle of uint8 data, as a saturated pixel); bool masks are random
(half True), all False (every byte read) or False with one True in the middle;
writes ``benchmarks/results/reductions_integers.txt``.

``--rows``: reductions along axis 1 of many short rows (one task a row) and of whole
arrays of 1-byte elements: max/argmax/sum of uint8, bool and float32, (n/1024, 1024)
arrays of 2^20 ... 2^23 elements, at 1 thread, at ``--threads`` and at the default
count, both backends, with NumPy's; writes ``benchmarks/results/reductions_rows.txt``.

``--crossover``: where a second thread starts to pay. sum/min/argmin/var of
contiguous float32 and float64, 2^16 ... 2^22 elements: time at 1 thread, at
``--threads`` (asked for explicitly) and at the default count (which
``pycompute.reductions.AUTO_GRAIN`` decides), both backends, with NumPy's.
"""
import argparse
import gc
import os
import platform
import sys
import time

import numpy as np

import pycompute as pc
from pycompute.scaling import time_call


def median_time(fn, repeat=5):
    return time_call(fn, repeat).median


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log2n", type=int, default=27)
    ap.add_argument("--threads", type=int, default=pc.max_threads())
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--calls-only", action="store_true", help="only the 1000-element call costs")
    ap.add_argument("--sweep", action="store_true", help="the 10^3..10^9 size sweep at 1 thread")
    ap.add_argument("--widths", action="store_true",
                    help="axis-0 sums and means across row widths at 1 thread")
    ap.add_argument("--integers", action="store_true",
                    help="integer and bool reductions at 1 thread")
    ap.add_argument("--rows", action="store_true",
                    help="short rows along axis 1 and 1-byte arrays: 1, N and default threads")
    ap.add_argument("--crossover", action="store_true",
                    help="1 thread vs N threads vs the default count, 2^16..2^22 elements")
    ap.add_argument("--max-exp", type=int, default=9, help="sweep up to 10^max-exp elements")
    ap.add_argument("--mem-gb", type=float, default=12.0, help="largest input the sweep builds")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results",
                                                  "reductions_sweep"))
    args = ap.parse_args()
    if args.sweep:
        return sweep(args)
    if args.widths:
        return widths()
    if args.integers:
        return integers()
    if args.crossover:
        return crossover(args)
    if args.rows:
        return row_tasks(args)
    if args.calls_only:
        return small_calls(1000)
    n, t = 1 << args.log2n, args.threads
    rng = np.random.default_rng(0)
    a = rng.standard_normal(n, dtype=np.float32)
    gb = a.nbytes / 1e9
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"threads {t}; n = 2^{args.log2n} float32 ({gb:.2f} GB)")
    from pycompute.machine import copy_bandwidth

    copy_bw = max(copy_bandwidth(t, nbytes=a.nbytes) for _ in range(3))
    print(f"parallel copy (pycompute.machine, {t} threads, ordinary vector stores): "
          f"{copy_bw:.1f} GB/s counted read + write, i.e. {copy_bw / 2:.1f} GB/s of reading\n")
    rows = [
        ("sum", lambda: np.sum(a), lambda be, k: pc.sum(a, backend=be, num_threads=k)),
        ("min", lambda: np.min(a), lambda be, k: pc.min(a, backend=be, num_threads=k)),
        ("max", lambda: np.max(a), lambda be, k: pc.max(a, backend=be, num_threads=k)),
        ("mean", lambda: np.mean(a), lambda be, k: pc.mean(a, backend=be, num_threads=k)),
        ("var", lambda: np.var(a), lambda be, k: pc.var(a, backend=be, num_threads=k)),
        ("argmax", lambda: np.argmax(a), lambda be, k: pc.argmax(a, backend=be, num_threads=k)),
        ("histogram", lambda: np.histogram(a, 256),
         lambda be, k: pc.histogram(a, 256, backend=be, num_threads=k)),
    ]
    # the measure: a kernel's read rate against the copy's read rate (half
    # the bytes it moves), the same run
    read_bw = copy_bw / 2
    print(f"{'kernel':10s} {'impl':14s} {'ms':>9s} {'GB/s':>7s} {'x numpy':>8s} {'% copy read':>11s}")
    for name, ref, ours in rows:
        tr = median_time(ref, 3 if name in ("var", "histogram") else args.repeat)
        print(f"{name:10s} {'numpy':14s} {tr * 1e3:9.2f} {gb / tr:7.1f} {1:8.2f} "
              f"{100 * gb / tr / read_bw:10.0f}%")
        for be in ("cython", "numba"):
            for k in sorted({1, t}):
                tt = median_time(lambda: ours(be, k), args.repeat)
                print(f"{'':10s} {be + ' x' + str(k):14s} {tt * 1e3:9.2f} {gb / tt:7.1f} "
                      f"{tr / tt:8.2f} {100 * gb / tt / read_bw:10.0f}%")
    small_calls(1000)


def crossover(args):
    from pycompute.reductions import AUTO_GRAIN
    t = args.threads
    rng = np.random.default_rng(0)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}; best of {args.repeat} x calls of about 20 ms; us a call")
    print(f"AUTO_GRAIN (elements a thread, default count): {AUTO_GRAIN}")
    print(f"{'func':7s}{'dtype':8s}{'n':>9s}{'numpy':>9s}  " + "  ".join(
        f"{be + ' 1T':>10s}{be + ' ' + str(t) + 'T':>10s}{be + ' dflt':>12s}"
        for be in ("cython", "numba")))
    for name in ("sum", "min", "argmin", "var"):
        for dt in (np.float32, np.float64):
            for e in range(16, 23):
                x = rng.random(1 << e).astype(dt)
                f = getattr(pc, name)
                number = max(5, int(0.02 / max(median_time(lambda: f(x), 3), 1e-7)))

                def best(fn):
                    fn()
                    return min(_timed(fn, number) for _ in range(args.repeat)) * 1e6
                cells = [best(lambda: getattr(np, name)(x))]
                for be in ("cython", "numba"):
                    cells += [best(lambda: f(x, backend=be, num_threads=1)),
                              best(lambda: f(x, backend=be, num_threads=t)),
                              best(lambda: f(x, backend=be))]
                print(f"{name:7s}{np.dtype(dt).name:8s}{1 << e:9d}{cells[0]:9.1f}  " + "  ".join(
                    f"{cells[1 + 3 * i]:10.1f}{cells[2 + 3 * i]:10.1f}{cells[3 + 3 * i]:12.1f}"
                    for i in range(2)), flush=True)


def row_tasks(args):
    """Row tasks and 1-byte scans at 1, N and the default thread count (see the module
    docstring): microseconds a call, best of the repeats, NumPy and both backends."""
    t = args.threads
    rng = np.random.default_rng(0)
    lines = _one_thread_head("best")[:2] + [
        f"threads: 1, {t} (asked for) and the default count; us a call, best of "
        f"{args.repeat} rounds, NumPy and the backends timed in turn", "",
        f"{'case':22s}{'n':>9s}{'numpy':>9s}  " + "  ".join(
            f"{be + ' 1T':>10s}{be + ' ' + str(t) + 'T':>10s}{be + ' dflt':>12s}"
            for be in ("cython", "numba"))]
    for line in lines:
        print(line, flush=True)
    for e in range(20, 24):
        n = 1 << e
        data = {"uint8": rng.integers(0, 255, n, dtype=np.uint8),
                "bool": rng.random(n) < 0.5,
                "float32": rng.random(n, dtype=np.float32)}
        cases = []
        for dt, x in data.items():
            X = x.reshape(-1, 1024)
            for name in ("max", "argmax", "sum"):
                if dt == "bool" and name == "sum":
                    continue
                cases.append((f"{name} {dt} axis 1", name, X, 1))
            if dt != "float32":
                cases.append((f"max {dt} whole", "max", x, None))
        for label, name, x, axis in cases:
            ref, f = getattr(np, name), getattr(pc, name)
            number = max(3, int(0.02 / max(median_time(lambda: ref(x, axis=axis), 3), 1e-7)))
            fns = [lambda: ref(x, axis=axis)]
            for be in ("cython", "numba"):
                fns += [lambda be=be: f(x, axis=axis, backend=be, num_threads=1),
                        lambda be=be: f(x, axis=axis, backend=be, num_threads=t),
                        lambda be=be: f(x, axis=axis, backend=be)]
            for fn in fns:
                fn()
            best = [float("inf")] * len(fns)
            for _ in range(args.repeat):
                for i, fn in enumerate(fns):
                    best[i] = min(best[i], _timed(fn, number))
            cells = [b * 1e6 for b in best]
            line = f"{label:22s}{n:9d}{cells[0]:9.1f}  " + "  ".join(
                f"{cells[1 + 3 * i]:10.1f}{cells[2 + 3 * i]:10.1f}{cells[3 + 3 * i]:12.1f}"
                for i in range(2))
            lines.append(line)
            print(line, flush=True)
        del data, cases
        gc.collect()
    _write_table(lines, "reductions_rows.txt")


def small_calls(n=1000):
    """Per-call cost of whole-array calls on ``n`` elements: NumPy's time over ours
    (best of 9 x 3000 calls), Cython / Numba, contiguous and stride-2 views."""
    rng = np.random.default_rng(0)
    names = ("sum", "mean", "min", "max", "argmin", "argmax", "var", "std")
    print(f"\nwhole-array calls on {n} elements, 1 thread: NumPy's time / ours, Cython/Numba "
          f"(above 1: pycompute faster)")
    for dt in (np.float32, np.float64):
        base = rng.random(2 * n).astype(dt)
        for lay, x in (("contig", base[:n]), ("stride2", base[::2])):
            cells = []
            for name in names:
                tn = _best(lambda: getattr(np, name)(x))
                tc = _best(lambda: getattr(pc, name)(x, backend="cython"))
                tb = _best(lambda: getattr(pc, name)(x, backend="numba"))
                cells.append(f"{name} {tn / tc:4.2f}/{tn / tb:4.2f}")
            print(f"  {np.dtype(dt).name:8s} {lay:8s} " + "  ".join(cells), flush=True)
    print("\ncalls along axis 1 of rows of 10-4000 elements and whole calls of 10^5, 1 thread "
          "(the default count): NumPy's time / ours, Cython/Numba")
    for dt in (np.float32, np.float64):
        for shape, axis in (((10, 1000), 1), ((20, 1000), 1), ((100, 1000), 1),
                            ((10, 4000), 1), ((1000, 10), 1), ((100_000,), None)):
            x = rng.random(shape).astype(dt)
            number = max(20, 3000 * 1000 // x.size)
            cells = []
            for name in ("min", "max", "argmin", "argmax"):
                tn = _best(lambda: getattr(np, name)(x, axis=axis), number)
                tc = _best(lambda: getattr(pc, name)(x, axis=axis, backend="cython"), number)
                tb = _best(lambda: getattr(pc, name)(x, axis=axis, backend="numba"), number)
                cells.append(f"{name} {tn / tc:4.2f}/{tn / tb:4.2f}")
            where = f"{shape} axis {axis}" if axis is not None else f"{shape[0]} whole"
            print(f"  {np.dtype(dt).name:8s} {where:20s} " + "  ".join(cells), flush=True)


def _best(fn, number=3000, repeat=9):
    import timeit

    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


SWEEP_FUNCS = ("sum", "mean", "min", "max", "argmin", "argmax", "var", "std")
SWEEP_LAYOUTS = ("contig", "stride2", "axis0")
COLS = 1000  # columns of the axis-0 layout


def _make(layout, n, dt, rng):
    """(input, axis) of ``n`` elements in ``layout``; the data: uniform in [-0.5, 0.5)."""
    x = rng.random(2 * n if layout == "stride2" else n, dtype=dt)
    x -= dt(0.5)  # in place: no second copy of a 8 GB array
    if layout == "stride2":
        return x[::2], None
    if layout == "axis0":
        return x.reshape(-1, min(COLS, n)), 0
    return x, None


def _alloc_bytes(layout, n, dt):
    return np.dtype(dt).itemsize * n * (2 if layout == "stride2" else 1)


def _timed(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def _mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 1 << 62


WIDTHS = (100, 1000, 2000, 3000, 4096, 5000, 8192, 20000)


def _cpu_name():
    """The CPU as /proc/cpuinfo names it, with its family and model (Linux; else the
    platform's processor string)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                k, _, v = line.partition(":")
                fields[k.strip()] = v.strip()
    except OSError:
        pass
    if "model name" not in fields:
        return platform.processor() or platform.machine()
    return f"{fields['model name']} (family {fields.get('cpu family')}, model {fields.get('model')})"


def _one_thread_head(stat):
    """Header lines of a one-thread table against NumPy: the command, the machine, what
    a ratio is (``stat``: the statistic of the repeats), then a blank line."""
    cmd = "python " + " ".join([os.path.relpath(__file__)] + sys.argv[1:])
    return [f"command: {cmd}",
            f"machine: {_cpu_name()}, {os.cpu_count()} CPUs, "
            f"load {open('/proc/loadavg').read().split()[0]} at start; "
            f"simd {pc.info()['simd']['level']}; numpy {np.__version__}; 1 thread",
            f"ratio = NumPy time / pycompute time (above 1: pycompute faster); {stat} of the "
            "repeats, NumPy and the backends timed in turn",
            ""]


def _best_ratios(fn, x, axis, number, repeat):
    """(NumPy's best time, its ratio to Cython's, to Numba's) for reduction ``fn`` of
    ``x`` along ``axis`` at 1 thread: each run once first, then ``repeat`` rounds of
    ``number`` calls each, the three in turn."""
    ref, ours = getattr(np, fn), getattr(pc, fn)
    fns = {"numpy": lambda: ref(x, axis=axis),
           "cython": lambda: ours(x, axis=axis, backend="cython", num_threads=1),
           "numba": lambda: ours(x, axis=axis, backend="numba", num_threads=1)}
    for f in fns.values():
        f()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for k, f in fns.items():
            best[k] = min(best[k], _timed(f, number))
    return best["numpy"], best["numpy"] / best["cython"], best["numpy"] / best["numba"]


def _write_table(lines, name):
    out = os.path.join(os.path.dirname(__file__), "results", name)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {out}")


INT_DTYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool")
INT_FUNCS = ("sum", "min", "max", "argmin", "argmax")


def integers():
    """Integer and bool reductions against NumPy (see the module docstring)."""
    rng = np.random.default_rng(0)
    lines = _one_thread_head("best") + [
        f"{'data':7s} {'dtype':7s} {'shape':>12s} {'axis':>4s} {'func':6s} {'numpy ms':>9s} "
        f"{'cython':>7s} {'numba':>7s}"]
    for line in lines:
        print(line, flush=True)
    cases = [(name, "inner") for name in INT_DTYPES if name != "bool"] + [
        ("uint8", "limit"), ("bool", "random"), ("bool", "false"), ("bool", "one")]
    for name, kind in cases:
        dt = np.dtype(name)
        for shape, axis in (((10 ** 4,), None), ((10 ** 6,), None), ((10 ** 7,), None),
                            ((1000, 1000), 0), ((1000, 1000), 1)):
            if kind == "random":
                x = rng.random(shape) < 0.5
            elif kind in ("false", "one"):
                x = np.zeros(shape, bool)  # (written: not the zero page calloc maps)
                x[...] = False
                if kind == "one":
                    x.reshape(-1)[x.size // 2] = True
            else:
                info = np.iinfo(dt)
                x = rng.integers(info.min + 1, info.max - 1, shape, dtype=dt, endpoint=True)
                if kind == "limit":
                    x.reshape(-1)[x.size // 2] = info.max
            # bool sums are not what these rows measure; the other data kinds
            # (limit, false, one) are about where a maximum stops
            funcs = {"inner": INT_FUNCS, "random": INT_FUNCS[1:]}.get(kind, ("max", "argmax"))
            for fn in funcs:
                t, cy, nb = _best_ratios(fn, x, axis, max(1, 10 ** 6 // x.size), 7)
                line = (f"{kind:7s} {name:7s} {str(shape):>12s} {str(axis):>4s} {fn:6s} "
                        f"{t * 1e3:9.4f} {cy:7.2f} {nb:7.2f}")
                lines.append(line)
                print(line, flush=True)
    _write_table(lines, "reductions_integers.txt")


def widths():
    """Axis-0 sums and means across row widths (see the module docstring)."""
    rng = np.random.default_rng(0)
    lines = _one_thread_head("best") + [
        f"{'n':>10s} {'width':>6s} {'dtype':8s} {'func':5s} {'numpy ms':>9s} "
        f"{'cython':>7s} {'numba':>7s}"]
    for line in lines:
        print(line, flush=True)
    for n in (10 ** 6, 10 ** 7, 10 ** 8):
        for dt in (np.float32, np.float64):
            for B in WIDTHS:
                x = rng.random(n // B * B, dtype=dt).reshape(-1, B)
                for name in ("sum", "mean"):
                    t, cy, nb = _best_ratios(name, x, 0, max(1, 10 ** 7 // n),
                                             7 if n < 10 ** 8 else 3)
                    line = (f"{n:>10d} {B:>6d} {np.dtype(dt).name:8s} {name:5s} "
                            f"{t * 1e3:9.3f} {cy:7.2f} {nb:7.2f}")
                    lines.append(line)
                    print(line, flush=True)
                del x
                gc.collect()
    _write_table(lines, "reductions_widths.txt")


def sweep(args):
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):  # compile every Numba specialization first
        for layout in SWEEP_LAYOUTS:
            x, axis = _make(layout, 4000, dt, rng)
            for name in SWEEP_FUNCS:
                for be in ("cython", "numba"):
                    getattr(pc, name)(x, axis=axis, backend=be, num_threads=1)
    sizes = [10 ** e for e in range(3, args.max_exp + 1)]
    head = _one_thread_head("median")
    for line in head:
        print(line, flush=True)
    hdr = f"{'n':>12s} {'dtype':8s} {'layout':8s} {'func':7s} {'numpy ms':>11s} {'cython':>7s} {'numba':>7s}"
    print(hdr, flush=True)
    rows, skipped = [], []
    impls = ("numpy", "cython", "numba")
    for n in sizes:
        repeat = 7 if n <= 10 ** 6 else 5 if n <= 10 ** 7 else 3 if n <= 10 ** 8 else 1
        for dt in (np.float32, np.float64):
            for layout in SWEEP_LAYOUTS:
                if _alloc_bytes(layout, n, dt) > args.mem_gb * 1e9:
                    skipped.append(f"n={n} {np.dtype(dt).name} {layout}: "
                                   f"{_alloc_bytes(layout, n, dt) / 1e9:.0f} GB > --mem-gb {args.mem_gb:g}")
                    continue
                x, axis = _make(layout, n, dt, rng)
                for name in SWEEP_FUNCS:
                    if name in ("var", "std") and 2 * x.nbytes > 0.8 * _mem_available():
                        # np.var holds a temporary as large as its input
                        skipped.append(f"n={n} {np.dtype(dt).name} {layout} {name}: NumPy's "
                                       f"temporary would not fit in the memory available")
                        continue
                    ref = getattr(np, name)
                    ours = getattr(pc, name)
                    fns = {"numpy": lambda: ref(x, axis=axis),
                           "cython": lambda: ours(x, axis=axis, backend="cython", num_threads=1),
                           "numba": lambda: ours(x, axis=axis, backend="numba", num_threads=1)}
                    if n <= 10 ** 7:  # warm caches and branch predictors (large: 1 run)
                        for f in fns.values():
                            f()
                    number = 1  # calls per timing: enough for ~2 ms of NumPy
                    while number < 10 ** 5 and _timed(fns["numpy"], number) * number < 2e-3:
                        number *= 4
                    times = {k: [] for k in impls}
                    for _ in range(repeat):
                        for k in impls:
                            times[k].append(_timed(fns[k], number))
                    med = {k: float(np.median(v)) for k, v in times.items()}
                    row = (n, np.dtype(dt).name, layout, name, med["numpy"],
                           med["numpy"] / med["cython"], med["numpy"] / med["numba"])
                    rows.append(row)
                    line = (f"{n:12d} {row[1]:8s} {layout:8s} {name:7s} {row[4] * 1e3:11.4f} "
                            f"{row[5]:7.2f} {row[6]:7.2f}")
                    print(line + ("   <1" if min(row[5], row[6]) < 1 else ""), flush=True)
                del x, fns
                gc.collect()
    below = [r for r in rows if min(r[5], r[6]) < 1.0]
    tail = ["", f"rows below 1.0 (NumPy faster): {len(below)} of {len(rows)}"]
    tail += [f"skipped (memory): {s}" for s in skipped] or ["skipped: none"]
    tail.append(f"load at end: {open('/proc/loadavg').read().split()[0]}")
    for line in tail:
        print(line)
    with open(args.out + ".txt", "w") as f:
        f.write("\n".join(head + [hdr] + [
            f"{r[0]:12d} {r[1]:8s} {r[2]:8s} {r[3]:7s} {r[4] * 1e3:11.4f} {r[5]:7.2f} {r[6]:7.2f}"
            + ("   <1" if min(r[5], r[6]) < 1 else "") for r in rows] + tail) + "\n")
    _plot(rows, args.out + ".png", cmd)


def _plot(rows, path, cmd):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dts = ("float32", "float64")
    fig, axes = plt.subplots(len(dts), len(SWEEP_LAYOUTS), figsize=(18, 10), sharey=True,
                             squeeze=False)
    colors = plt.get_cmap("tab10")
    for i, dt in enumerate(dts):
        for j, layout in enumerate(SWEEP_LAYOUTS):
            ax = axes[i][j]
            for k, name in enumerate(SWEEP_FUNCS):
                sel = [r for r in rows if r[1] == dt and r[2] == layout and r[3] == name]
                if not sel:
                    continue
                ns = [r[0] for r in sel]
                ax.plot(ns, [r[5] for r in sel], "-o", color=colors(k), ms=3,
                        label=f"{name} cython")
                ax.plot(ns, [r[6] for r in sel], "--s", color=colors(k), ms=3,
                        label=f"{name} numba")
            ax.axhline(1.0, color="k", lw=1)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{dt}, {layout}")
            ax.set_xlabel("elements")
            if j == 0:
                ax.set_ylabel("NumPy time / pycompute time")
    axes[0][-1].legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"pycompute reductions vs NumPy, 1 thread (solid: Cython, dashed: Numba)\n{cmd}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
