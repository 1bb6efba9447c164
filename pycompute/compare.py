"""Serial vs parallel: time kernels at 1..N threads against their reference, as a table.

Used by ``pycompute compare`` and importable:

>>> from pycompute.compare import KERNELS
>>> "sum" in KERNELS
True

JSON output (``--json FILE``), schema ``pycompute.compare/1`` (see
``compare_schema.json`` beside this module)::

    {"schema": "pycompute.compare/1",
     "machine": {"cpus": int, "max_threads": int, "copy_bandwidth_gbs": float,
                 "fma_peak_gflops": float, "info": {...pycompute info...}},
     "results": [{"kernel": str, "family": str, "backend": str, "size": str,
                  "threads": [int], "time_s": [float], "reference_time_s": float|null,
                  "speedup": [float], "speedup_vs_reference": [float]|null,
                  "efficiency": [float], "serial_fraction": float,
                  "karp_flatt": [float|null], "rate": [float]|null,
                  "rate_unit": "GB/s"|"GFLOP/s"|null, "limit": "copy"|"fma"|null,
                  "percent_of_limit": [float]|null, "timings": [...]}],
     "peers": [{"kernel": str, "peer": str, "time_s": float}]}
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from . import _threads
from .scaling import measure, plot_speedup, time_call

SCHEMA = "pycompute.compare/1"


@dataclass
class Kernel:
    """One benchmarkable kernel: how to build its data, call it, and what it costs."""

    family: str
    make: object  # quick(bool) -> (args tuple, kwargs dict, size label)
    call: object  # (args, kwargs, backend, num_threads) -> result
    reference: object  # (args, kwargs) -> result
    work: object  # (args, kwargs) -> amount per call (bytes or flops)
    unit: str  # "GB/s" or "GFLOP/s"
    peers: dict = field(default_factory=dict)  # name -> (args, kwargs) -> result, if importable
    representative: bool = False


def _public(name):
    """Call ``pycompute.<name>(*args, backend=..., num_threads=..., **kw)``."""
    def call(args, kw, backend, n):
        import pycompute as pc

        return getattr(pc, name)(*args, backend=backend, num_threads=n, **kw)

    return call


def _reduction(name, ref, bins=None):
    def make(quick):
        n = 1 << (20 if quick else 26)
        a = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
        return (a,), ({"bins": bins} if bins else {}), f"{n} float32"

    return Kernel("reductions", make, _public(name), lambda args, kw: ref(*args, **kw),
                  lambda args, kw: args[0].nbytes, "GB/s")


def _reference_of(name):
    """The serial baseline: the same public call on the NumPy/SciPy reference backend."""
    def ref(args, kw):
        import pycompute as pc

        return getattr(pc, name)(*args, backend="numpy", **kw)

    return ref


def _image(quick, dtype=np.float32, channels=None):
    n = 1024 if quick else 4096
    shape = (n, n) if channels is None else (n, n, channels)
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 256, shape, dtype=dtype)
    return rng.standard_normal(shape).astype(dtype)


def _cv2():
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def _filter_kernels():
    w9 = np.random.default_rng(1).standard_normal((9, 9)).astype(np.float32)
    out = {}

    def make_gauss(quick):
        a = _image(quick)
        return (a, 2.0), {}, f"{a.shape[0]}x{a.shape[1]} float32, sigma=2"

    def make_corr(quick):
        a = _image(quick)
        return (a, w9), {}, f"{a.shape[0]}x{a.shape[1]} float32, 9x9 weights"

    def make_box(quick):
        a = _image(quick, np.uint8, 3)
        return (a, (3, 3, 1)), {}, f"{a.shape[0]}x{a.shape[1]}x3 uint8"

    cv2 = _cv2()
    peers_g = {"cv2.GaussianBlur": lambda args, kw: cv2.GaussianBlur(
        args[0], (17, 17), 2.0, borderType=cv2.BORDER_REFLECT)} if cv2 else {}
    peers_c = {"cv2.filter2D": lambda args, kw: cv2.filter2D(
        args[0], -1, args[1], borderType=cv2.BORDER_REFLECT)} if cv2 else {}
    peers_b = {"cv2.blur": lambda args, kw: cv2.blur(
        args[0], (3, 3), borderType=cv2.BORDER_REFLECT)} if cv2 else {}
    out["gaussian_filter"] = Kernel(
        "convolution", make_gauss, _public("gaussian_filter"), _reference_of("gaussian_filter"),
        lambda args, kw: 2 * 17 * 2 * args[0].size, "GFLOP/s", peers_g, representative=True)
    out["correlate"] = Kernel("convolution", make_corr, _public("correlate"),
                              _reference_of("correlate"),
                              lambda args, kw: 2 * args[1].size * args[0].size, "GFLOP/s",
                              peers_c)
    out["uniform_filter"] = Kernel("convolution", make_box, _public("uniform_filter"),
                                   _reference_of("uniform_filter"),
                                   lambda args, kw: 2 * args[0].nbytes, "GB/s", peers_b)
    return out


def _sim_kernels():
    out = {}

    def make_heat(quick):
        n = 1024 if quick else 4096
        u = np.random.default_rng(0).random((n, n))
        return (u,), {"steps": 10, "alpha": 0.2}, f"{n}x{n} float64, 10 steps"

    def make_life(quick):
        n = 1024 if quick else 4096
        b = (np.random.default_rng(0).random((n, n)) < 0.3).astype(np.uint8)
        return (b,), {"steps": 10}, f"{n}x{n} uint8, 10 steps"

    def make_gs(quick):
        n = 512 if quick else 2048
        rng = np.random.default_rng(0)
        u = np.ones((n, n), np.float32)
        v = (rng.random((n, n)) * 0.25).astype(np.float32)
        return (u, v), {"Du": 0.16, "Dv": 0.08, "F": 0.035, "k": 0.065, "steps": 10}, \
            f"{n}x{n} float32, 10 steps"

    def make_nbody(quick):
        n = 2048 if quick else 8192
        rng = np.random.default_rng(0)
        pos = rng.standard_normal((n, 3)).astype(np.float32)
        mass = (rng.random(n) + 0.5).astype(np.float32)
        return (pos, mass), {"softening": 0.01}, f"N={n} float32"

    out["heat_step"] = Kernel("simulation", make_heat, _public("heat_step"),
                              _reference_of("heat_step"),
                              lambda args, kw: 2 * args[0].nbytes * kw["steps"], "GB/s",
                              representative=True)
    out["life_step"] = Kernel("simulation", make_life, _public("life_step"),
                              _reference_of("life_step"),
                              lambda args, kw: 2 * args[0].nbytes * kw["steps"], "GB/s")
    out["gray_scott_step"] = Kernel("simulation", make_gs, _public("gray_scott_step"),
                                    _reference_of("gray_scott_step"),
                                    lambda args, kw: 4 * args[0].nbytes * kw["steps"], "GB/s")
    out["nbody_accelerations"] = Kernel("simulation", make_nbody,
                                        _public("nbody_accelerations"),
                                        _reference_of("nbody_accelerations"),
                                        lambda args, kw: 20.0 * args[0].shape[0] ** 2, "GFLOP/s")
    return out


KERNELS: dict[str, Kernel] = {
    "sum": _reduction("sum", np.sum),
    "var": _reduction("var", np.var),
    "max": _reduction("max", np.max),
    "argmin": _reduction("argmin", np.argmin),
    "histogram": _reduction("histogram", np.histogram, bins=256),
}
KERNELS["sum"].representative = True
KERNELS.update(_filter_kernels())
KERNELS.update(_sim_kernels())


def register(name: str, kernel: Kernel) -> None:
    """Add a kernel to ``pycompute compare`` (families call this at import)."""
    KERNELS[name] = kernel


def default_kernels() -> list[str]:
    return [k for k, v in KERNELS.items() if v.representative]


def machine_limits(threads: int) -> dict:
    from . import machine

    return {
        "copy_bandwidth_gbs": machine.copy_bandwidth(threads),
        "fma_peak_gflops": machine.fma_peak(threads),
    }


def _progress(total: int, enabled: bool):
    if not enabled:
        return None, lambda msg: None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None, lambda msg: print(f"  {msg}", file=sys.stderr)
    bar = tqdm(total=total, file=sys.stderr, unit="timing", leave=False)

    def step(msg):
        bar.set_postfix_str(msg)
        bar.update(1)

    return bar, step


def run_compare(kernels=None, threads=None, quick=False, backends=("cython", "numba"),
                peers=False, json_path=None, plot_path=None, progress=True, out=sys.stdout):
    """Time ``kernels`` and print the table; return the JSON-able result dict."""
    from . import _backends

    kernels = list(kernels or default_kernels())
    unknown = [k for k in kernels if k not in KERNELS]
    if unknown:
        raise ValueError(f"unknown kernel(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(KERNELS)}")
    mx = _threads.max_threads()
    if threads is None:
        threads = sorted({1, *[2 ** k for k in range(mx.bit_length()) if 2 ** k <= mx], mx})
    for t in threads:
        _threads._check(t, "--threads")
    threads = sorted(set(threads))
    backends = [b for b in backends if _backends._probe(b)[0]]
    for path in (json_path, plot_path):
        if path is not None:
            d = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(d) or not os.access(d, os.W_OK):
                raise ValueError(f"cannot write {path!r}: {d!r} is not a writable folder")
    repeat, min_time = (3, 0.01) if quick else (7, 0.1)

    limits = machine_limits(max(threads))
    from ._info import collect

    doc = {"schema": SCHEMA,
           "machine": {"cpus": os.cpu_count(), "max_threads": mx, **limits,
                       "info": collect(numba_layer=False)},
           "results": [], "peers": []}
    total = len(kernels) * (len(backends) * len(threads) + 1)
    bar, step = _progress(total, progress)
    results = []
    try:
        for name in kernels:
            k = KERNELS[name]
            args, kw, size = k.make(quick)
            for be in backends:
                r = measure(lambda *a, num_threads: k.call(a, kw, be, num_threads), *args,
                            threads=threads, repeat=repeat, min_time=min_time,
                            reference=(lambda *a: k.reference(a, kw)) if be == backends[0] else None,
                            name=f"{name} [{be}]", work=k.work(args, kw), unit=k.unit,
                            progress=step)
                results.append((name, k, be, size, r))
            if peers:
                for peer, fn in k.peers.items():
                    t = time_call(lambda: fn(args, kw), repeat, min_time).median
                    doc["peers"].append({"kernel": name, "peer": peer, "time_s": t})
    finally:
        if bar is not None:
            bar.close()

    ref_times = {}
    for name, k, be, size, r in results:
        if r.reference is not None:
            ref_times[name] = r.reference
    for name, k, be, size, r in results:
        r.reference = ref_times.get(name)
        d = r.to_dict()
        limit = "copy" if k.unit == "GB/s" else "fma"
        cap = limits["copy_bandwidth_gbs"] if limit == "copy" else limits["fma_peak_gflops"]
        d.update(kernel=name, family=k.family, backend=be, size=size, limit=limit,
                 percent_of_limit=[100 * x / cap for x in d["rate"]] if d["rate"] else None)
        doc["results"].append(d)
    print_table(doc, out)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"wrote {json_path}", file=out)
    if plot_path:
        plot_speedup([r for *_, r in results], path=plot_path,
                     title=f"pycompute speedup ({os.cpu_count()} CPUs)")
        print(f"wrote {plot_path}", file=out)
    return doc


def print_table(doc: dict, out=sys.stdout) -> None:
    m = doc["machine"]
    print(f"machine: {m['cpus']} CPUs, max threads {m['max_threads']}; parallel copy "
          f"{m['copy_bandwidth_gbs']:.1f} GB/s, FMA peak {m['fma_peak_gflops']:.0f} GFLOP/s "
          f"(float32)", file=out)
    hdr = (f"{'kernel':19s} {'backend':7s} {'thr':>3s} {'time ms':>9s} {'x ref':>7s} "
           f"{'x 1thr':>7s} {'eff':>5s} {'rate':>8s} {'unit':7s} {'%limit':>6s} {'K-F':>6s}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for d in doc["results"]:
        for i, p in enumerate(d["threads"]):
            vs_ref = d["speedup_vs_reference"][i] if d["speedup_vs_reference"] else float("nan")
            rate = d["rate"][i] if d["rate"] else float("nan")
            pct = d["percent_of_limit"][i] if d["percent_of_limit"] else float("nan")
            kf = d["karp_flatt"][i]
            print(f"{d['kernel'] if i == 0 else '':19s} {d['backend'] if i == 0 else '':7s} "
                  f"{p:3d} {d['time_s'][i] * 1e3:9.3f} {vs_ref:7.2f} {d['speedup'][i]:7.2f} "
                  f"{d['efficiency'][i]:5.2f} {rate:8.2f} {d['rate_unit'] or '':7s} {pct:5.0f}% "
                  f"{'' if kf is None else f'{kf:6.3f}':>6s}", file=out)
        print(f"{'':19s} {'':7s} Amdahl serial fraction {d['serial_fraction']:.3f}; "
              f"reference {d['reference_time_s'] * 1e3:.3f} ms ({d['size']})"
              if d["reference_time_s"] else "", file=out)
    for p in doc["peers"]:
        print(f"peer: {p['kernel']} {p['peer']} {p['time_s'] * 1e3:.3f} ms", file=out)
