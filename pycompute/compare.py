"""Serial vs parallel: time kernels at 1..N threads against their reference, as a table.

Used by ``pycompute compare`` (``LEGEND`` below explains its table's columns) and
importable:

>>> from pycompute.compare import KERNELS
>>> "sum" in KERNELS
True

JSON output (``--json FILE``), schema ``pycompute.compare/1`` (see
``compare_schema.json`` beside this module)::

    {"schema": "pycompute.compare/1",
     "machine": {"cpus": int, "max_threads": int, "copy_bandwidth_gbs": float,
                 "fma_peak_gflops": float, "fma_peak_float64_gflops": float (when a
                 float64 kernel ran or --roofline), "info": {...pycompute info...}},
     "results": [{"kernel": str, "family": str, "backend": str, "size": str,
                  "threads": [int], "time_s": [float], "reference_time_s": float|null,
                  "speedup": [float], "speedup_vs_reference": [float]|null,
                  "efficiency": [float], "serial_fraction": float,
                  "karp_flatt": [float|null], "rate": [float]|null,
                  "rate_unit": "GB/s"|"GFLOP/s"|null, "limit": "copy"|"fma"|null,
                  "percent_of_limit": [float]|null, "op": str|null,
                  "ops_per_byte": float|null, "op_rate": [float]|null,
                  "roof": "mem"|"fma"|null, "flop_dtype": "float32"|"float64"|null,
                  "roof_gops": float|null, "percent_of_roof": [float]|null,
                  "limited_by": str, "timings": [...]}],
     "peers": [{"kernel": str, "peer": str, "time_s": float}]}

The roofline (``--roofline FILE``, the "% of roof" column): each kernel has a model of
what one call does, in operations (``op``: "flop", or "cell-update" / "element" for work
that is not floating point) and bytes, the bytes a step-by-step run must move to and from
memory (each input read once and each output written once per step; intermediates that
stay in cache are not counted). Their ratio is the arithmetic intensity
(``ops_per_byte``); the roof that binds is the lower of copy bandwidth x intensity
("mem") and the FMA peak of the dtype the kernel computes in ("fma"; none for operations
that are not flops). A kernel that keeps data in cache across steps, or an input small
enough to stay in cache between calls (``--quick``), can sit above the memory roof.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from . import _threads
from .scaling import (RooflinePoint, binding_roof, describe_scaling, measure, plot_roofline,
                      plot_speedup, time_call)

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
    peers: dict = field(default_factory=dict)  # "lib.name" -> (args, kwargs) -> result
    representative: bool = False
    # the roofline model (see the module docstring): what one operation is, the dtype its
    # flops run in, and the half of the model ``work`` does not give: ``ops`` for GB/s
    # kernels, ``nbytes`` for GFLOP/s kernels ((args, kwargs) -> per call)
    op: str = "flop"
    flop_dtype: str = "float32"
    ops: object = None
    nbytes: object = None

    def roofline_model(self, args, kw):
        """``(operations, bytes)`` per call, or None where the kernel has no model."""
        ops = self.ops(args, kw) if self.ops else (
            self.work(args, kw) if self.unit == "GFLOP/s" else None)
        nb = self.nbytes(args, kw) if self.nbytes else (
            self.work(args, kw) if self.unit == "GB/s" else None)
        if not ops or not nb:
            return None
        return float(ops), float(nb)


def _public(name):
    """Call ``pycompute.<name>(*args, backend=..., num_threads=..., **kw)``."""
    def call(args, kw, backend, n):
        import pycompute as pc

        return getattr(pc, name)(*args, backend=backend, num_threads=n, **kw)

    return call


def _reduction(name, ref, per_element, bins=None, op="flop", flop_dtype="float32"):
    """A reduction over 2^26 float32 (2^20 with --quick): ``per_element`` operations each."""
    def make(quick):
        n = 1 << (20 if quick else 26)
        a = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
        return (a,), ({"bins": bins} if bins else {}), f"{n} float32"

    return Kernel("reductions", make, _public(name), lambda args, kw: ref(*args, **kw),
                  lambda args, kw: args[0].nbytes, "GB/s", op=op, flop_dtype=flop_dtype,
                  ops=lambda args, kw: per_element * args[0].size)


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


#: peer libraries: import name -> (what users call it, how to install it)
PEER_LIBRARIES = {"cv2": ("OpenCV", "pip install opencv-python-headless")}


def _cv2():
    import cv2

    return cv2


def peer_status(names) -> dict:
    """``{import name: (found, text)}`` for the libraries behind the peers ``names``.

    A peer's library is the part of its name before the first dot (``cv2.blur``: cv2).
    """
    import importlib

    out = {}
    for lib in dict.fromkeys(n.split(".")[0] for n in names):
        label, hint = PEER_LIBRARIES.get(lib, (lib, f"pip install {lib}"))
        try:
            mod = importlib.import_module(lib)
        except ImportError:
            out[lib] = (False, f"{label}: not installed ({hint})")
        else:
            version = getattr(mod, "__version__", "")
            threads = ""
            if lib == "cv2" and hasattr(mod, "getNumThreads"):
                threads = f", its own {mod.getNumThreads()} threads"
            out[lib] = (True, f"{label} {version}: found{threads}".replace(" :", ":"))
    return out


def _in_out(args, kw) -> int:
    """Bytes of a filter: the image read once and a result of its size written once."""
    return 2 * args[0].nbytes


def _elements(args, kw) -> int:
    """Operations of a kernel whose work is not flops: one per element of its input."""
    return args[0].size


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

    def make_sobel(quick):
        a = _image(quick)
        return (a,), {"axis": 0}, f"{a.shape[0]}x{a.shape[1]} float32, axis 0"

    # OpenCV is imported when a peer runs (``--peers``), so a missing one is reported then
    peers_g = {"cv2.GaussianBlur": lambda args, kw: _cv2().GaussianBlur(
        args[0], (17, 17), 2.0, borderType=_cv2().BORDER_REFLECT)}
    peers_c = {"cv2.filter2D": lambda args, kw: _cv2().filter2D(
        args[0], -1, args[1], borderType=_cv2().BORDER_REFLECT)}
    peers_b = {"cv2.blur": lambda args, kw: _cv2().blur(
        args[0], (3, 3), borderType=_cv2().BORDER_REFLECT)}
    # flops: 2 per tap (multiply, add) per pass; bytes: the image read and the result written
    out["gaussian_filter"] = Kernel(
        "convolution", make_gauss, _public("gaussian_filter"), _reference_of("gaussian_filter"),
        lambda args, kw: 2 * 17 * 2 * args[0].size, "GFLOP/s", peers_g, representative=True,
        nbytes=_in_out)
    out["correlate"] = Kernel("convolution", make_corr, _public("correlate"),
                              _reference_of("correlate"),
                              lambda args, kw: 2 * args[1].size * args[0].size, "GFLOP/s",
                              peers_c, nbytes=_in_out)
    # uint8 running sums: integer work, counted in output elements
    out["uniform_filter"] = Kernel("convolution", make_box, _public("uniform_filter"),
                                   _reference_of("uniform_filter"),
                                   lambda args, kw: 2 * args[0].nbytes, "GB/s", peers_b,
                                   op="element", ops=_elements)
    def make_ggm(quick):
        a = _image(quick)
        return (a, 2.0), {}, f"{a.shape[0]}x{a.shape[1]} float32, sigma=2"

    # two 17-tap passes per term, two terms, and the combine
    out["gaussian_gradient_magnitude"] = Kernel(
        "derivatives", make_ggm, _public("gaussian_gradient_magnitude"),
        _reference_of("gaussian_gradient_magnitude"),
        lambda args, kw: 2 * 2 * 17 * 2 * args[0].size, "GFLOP/s", nbytes=_in_out)
    out["gaussian_laplace"] = Kernel(
        "derivatives", make_ggm, _public("gaussian_laplace"), _reference_of("gaussian_laplace"),
        lambda args, kw: 2 * 2 * 17 * 2 * args[0].size, "GFLOP/s", nbytes=_in_out)
    def make_u8(quick):
        a = _image(quick, np.uint8)
        return (a,), {"size": 5}, f"{a.shape[0]}x{a.shape[1]} uint8, 5x5"

    def make_f32_9(quick):
        a = _image(quick)
        return (a,), {"size": 9}, f"{a.shape[0]}x{a.shape[1]} float32, 9x9"

    peers_med = {"cv2.medianBlur": lambda args, kw: _cv2().medianBlur(args[0], kw["size"])}
    peers_min = {"cv2.erode": lambda args, kw: _cv2().erode(
        args[0], np.ones((kw["size"],) * 2, np.uint8), borderType=_cv2().BORDER_REFLECT)}
    # rank filters select (compares, sorting networks): counted in output elements
    out["median_filter"] = Kernel("rank", make_u8, _public("median_filter"),
                                  _reference_of("median_filter"),
                                  lambda args, kw: 2 * args[0].nbytes, "GB/s", peers_med,
                                  op="element", ops=_elements)
    out["minimum_filter"] = Kernel("rank", make_f32_9, _public("minimum_filter"),
                                   _reference_of("minimum_filter"),
                                   lambda args, kw: 2 * args[0].nbytes, "GB/s", peers_min,
                                   op="element", ops=_elements)
    # two 3-tap passes, 2 flops a tap
    out["sobel"] = Kernel("convolution", make_sobel, _public("sobel"), _reference_of("sobel"),
                          lambda args, kw: 2 * args[0].nbytes, "GB/s",
                          ops=lambda args, kw: 2 * 3 * 2 * args[0].size)
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

    # per cell and step: heat 2 x ndim + 2 flops (the neighbour pairs, their sum, the
    # weighted update), Gray-Scott 25 (two 5-point Laplacians, u v^2, both updates), Life
    # one cell update; bytes: each field read and written once a step
    out["heat_step"] = Kernel("simulation", make_heat, _public("heat_step"),
                              _reference_of("heat_step"),
                              lambda args, kw: 2 * args[0].nbytes * kw["steps"], "GB/s",
                              representative=True, flop_dtype="float64",
                              ops=lambda args, kw: (2 * args[0].ndim + 2) * args[0].size
                              * kw["steps"])
    out["life_step"] = Kernel("simulation", make_life, _public("life_step"),
                              _reference_of("life_step"),
                              lambda args, kw: 2 * args[0].nbytes * kw["steps"], "GB/s",
                              op="cell-update",
                              ops=lambda args, kw: args[0].size * kw["steps"])
    out["gray_scott_step"] = Kernel("simulation", make_gs, _public("gray_scott_step"),
                                    _reference_of("gray_scott_step"),
                                    lambda args, kw: 4 * args[0].nbytes * kw["steps"], "GB/s",
                                    ops=lambda args, kw: 25 * args[0].size * kw["steps"])
    # 20 flops a pair; bytes: positions and masses read, accelerations written
    out["nbody_accelerations"] = Kernel("simulation", make_nbody,
                                        _public("nbody_accelerations"),
                                        _reference_of("nbody_accelerations"),
                                        lambda args, kw: 20.0 * args[0].shape[0] ** 2, "GFLOP/s",
                                        nbytes=lambda args, kw: 2 * args[0].nbytes
                                        + args[1].nbytes)
    return out


KERNELS: dict[str, Kernel] = {
    # float32 sums and variances accumulate in float64 (kernels/reductions.pyx): one add a
    # value; var's two passes: the mean's add, then the deviation, its square-add and
    # its sum. max/argmin: one float32 compare a value. histogram: integer bin counts.
    "sum": _reduction("sum", np.sum, 1, flop_dtype="float64"),
    "var": _reduction("var", np.var, 5, flop_dtype="float64"),
    "max": _reduction("max", np.max, 1),
    "argmin": _reduction("argmin", np.argmin, 1),
    "histogram": _reduction("histogram", np.histogram, 1, bins=256, op="element"),
}
KERNELS["sum"].representative = True
KERNELS.update(_filter_kernels())
KERNELS.update(_sim_kernels())


def register(name: str, kernel: Kernel) -> None:
    """Add a kernel to ``pycompute compare`` (families call this at import)."""
    KERNELS[name] = kernel


def default_kernels() -> list[str]:
    return [k for k, v in KERNELS.items() if v.representative]


def describe_kernels() -> str:
    """The kernel names by family, one family a line; the defaults marked with ``*``."""
    fams: dict[str, list] = {}
    for name, k in KERNELS.items():
        fams.setdefault(k.family, []).append(name + ("*" if k.representative else ""))
    return "\n".join(f"  {fam}: {', '.join(names)}" for fam, names in fams.items())


#: what each column of the table means (printed under the table and in ``--help``)
LEGEND = """\
columns:
  thr         threads the kernel ran on
  time ms     median time of one call
  vs ref      speedup over the serial reference, the same call on backend="numpy"
              (plain NumPy/SciPy, one thread); above 1 = pycompute is faster
  vs N thr    speedup over the same backend at N threads, the smallest count in the run
  eff         parallel efficiency, (vs N thr) x N / thr: 1.00 = each added thread pays in full
  rate        work per second: GB/s of data read + written, or GFLOP/s
  % of limit  rate as a percentage of a limit of this machine measured at start-up:
              "copy" = the parallel copy bandwidth (GB/s rows), "FMA" = the float32
              fused multiply-add peak (GFLOP/s rows)
  % of roof   the rate as a percentage of the roofline roof that binds the kernel, the lower
              of "mem" = copy bandwidth x the kernel's operations per byte and "fma" = the
              FMA peak of the dtype it computes in (float32 or float64); kernels whose
              operations are not flops (Life, uint8 box and rank filters, histogram) have
              only the "mem" roof. --roofline draws it
  K-F         Karp-Flatt metric, the serial fraction that speedup S at p threads implies:
              (1/S - 1/p) / (1 - 1/p); 0 = perfect scaling, 1 = no gain, below 0 = superlinear
  Amdahl serial fraction: f in T(p) = T1 (f + (1 - f) / p), fitted to all thread counts
              by least squares; 0 = perfectly parallel, 1 = threads do not help. A kernel
              at 70% or more of its roof at the most threads says "bound by memory
              bandwidth (x% of the copy roof)" or "bound by the FMA peak (...)" instead
              ("above the ... roof" past 100%): its flat scaling is the roof's, not a
              serial part's"""

#: printed under the table when a rate passed its limit
ABOVE_LIMIT = """\
  * above 100% of the limit or roof. For "copy" and "mem": part of the data came from the
    CPU caches, which are faster than the memory the copy probe streams (2 x 256 MiB): an
    input of a few MiB (--quick sizes) can sit in cache between calls, and a kernel that
    does several steps per trip through memory reads less than the one-pass model counts.
    For any of them, a machine that was busier while the probe ran than while the kernel
    ran gives the same."""


def machine_limits(threads: int, float64: bool = False) -> dict:
    """Copy bandwidth and float32 FMA peak at ``threads``; ``float64``: the float64 peak too."""
    from . import machine

    out = {
        "copy_bandwidth_gbs": machine.copy_bandwidth(threads),
        "fma_peak_gflops": machine.fma_peak(threads),
    }
    if float64:
        out["fma_peak_float64_gflops"] = machine.fma_peak(threads, np.float64)
    return out


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


def _plot_formats() -> set:
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())


def check_request(kernels=None, threads=None, backends=("cython", "numba"), json_path=None,
                  plot_path=None, compare_backends=False, auto_table=None, roofline_path=None):
    """Validate what ``run_compare`` was asked for, before any timing.

    Returns ``(kernels, threads, backends, notes)``: the kernel names, the thread counts
    (sorted, negative counts resolved), the available backends, and a line for each
    requested backend that is not available. Raises ``ValueError`` naming the argument,
    the value and what is allowed.
    """
    from . import _backends

    kernels = list(kernels or default_kernels())
    unknown = [k for k in kernels if k not in KERNELS]
    if unknown:
        raise ValueError(f"argument KERNEL: unknown kernel(s) {', '.join(map(repr, unknown))};"
                         f" choose from {', '.join(KERNELS)}")
    mx = _threads.max_threads()
    if threads is None:
        threads = [1, *[2 ** k for k in range(mx.bit_length()) if 2 ** k <= mx], mx]
    threads = sorted({_threads._check(t, "--threads") for t in threads})
    ok, notes = [], []
    for b in backends:
        if b == "auto":  # the backend backend="auto" runs for each kernel (resolved per kernel)
            if any(_backends._probe(n)[0] for n in ("cython", "numba")):
                ok.append(b)
            else:
                notes.append("auto: no native backend is available")
            continue
        avail, why = _backends._probe(b)
        (ok if avail else notes).append(b if avail else f"{b}: not available ({why})")
    if not ok:
        raise ValueError(f"`--backend` {' '.join(backends)}: none is available here: "
                         + "; ".join(notes))
    if (compare_backends or auto_table) and set(ok) != {"cython", "numba"}:
        opt = "--auto-table" if auto_table else "--backends"
        raise ValueError(f"`{opt}` compares the cython and numba backends, so both must run: "
                         f"`--backend` is {' '.join(backends)}"
                         + (f" ({'; '.join(notes)})" if notes else ""))
    outputs = {}
    for opt, path in (("--json", json_path), ("--plot", plot_path), ("--auto-table", auto_table),
                      ("--roofline", roofline_path)):
        if path is None:
            continue
        d = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(path):
            raise ValueError(f"cannot write {path!r} (`{opt}`): it is a folder; give a file name")
        if not os.path.isdir(d) or not os.access(d, os.W_OK):
            raise ValueError(f"cannot write {path!r} (`{opt}`): {d!r} is not a writable folder")
        same = outputs.setdefault(os.path.realpath(path), opt)
        if same != opt:
            raise ValueError(f"cannot write {path!r} (`{opt}`): `{same}` writes that file; "
                             f"give each output its own file name")
    for opt, path in (("--plot", plot_path), ("--roofline", roofline_path)):
        if path is None:
            continue
        ext = os.path.splitext(path)[1].lstrip(".").lower()
        formats = _plot_formats()
        if ext not in formats:
            allowed = ", ".join(sorted("." + f for f in formats))
            raise ValueError(f"`{opt}` {path!r}: matplotlib cannot write "
                             f"{'.' + ext if ext else 'a file without an extension'}; "
                             f"end the name with one of {allowed}")
    return kernels, threads, ok, notes


def _mib(args) -> float:
    return sum(a.nbytes for a in args if isinstance(a, np.ndarray)) / 2 ** 20


def _auto_backend(kernel: str) -> str:
    """The native backend ``backend="auto"`` runs for ``kernel`` (its first available one)."""
    from . import _backends

    for b in _backends.auto_order(kernel):
        if _backends._probe(b)[0]:
            return b
    raise ValueError("no native backend is available")  # check_request saw one


#: the machine-limit key of each dtype's FMA peak
_PEAK_KEYS = {"float32": "fma_peak_gflops", "float64": "fma_peak_float64_gflops"}


def roofline_fields(k: Kernel, model, time_s, limits: dict) -> dict:
    """The roofline numbers of one result: what an operation is, operations per byte, the
    attained G operations/s at each time in ``time_s``, the roof that binds and the
    percentage of it attained (all None when ``model``, ``(ops, bytes)``, is None)."""
    f = dict.fromkeys(("op", "ops_per_byte", "op_rate", "roof", "flop_dtype", "roof_gops",
                       "percent_of_roof"))
    if model is None:
        return f
    ops, nbytes = model
    flops = k.op == "flop"
    peak = limits.get(_PEAK_KEYS[k.flop_dtype]) if flops else None
    if flops and peak is None:
        raise ValueError(f"{k.flop_dtype} FMA peak not measured")  # run_compare measures it
    roof_gops, roof = binding_roof(ops / nbytes, limits["copy_bandwidth_gbs"], peak)
    rates = [ops / t / 1e9 for t in time_s]
    f.update(op=k.op, ops_per_byte=ops / nbytes, op_rate=rates, roof=roof,
             flop_dtype=k.flop_dtype if flops else None, roof_gops=roof_gops,
             percent_of_roof=[100 * x / roof_gops for x in rates])
    return f


def limited_by(d: dict) -> str:
    """What limits the scaling of result ``d``, in words (``scaling.describe_scaling``): its
    roof where it ran at 70% or more of it at the most threads, else the Amdahl fraction."""
    pr = d.get("percent_of_roof")
    return describe_scaling(d["serial_fraction"], d.get("roof"), pr[-1] / 100 if pr else None,
                            d.get("flop_dtype"))


def plot_roofline_doc(doc: dict, path: str, quick: bool = False) -> list:
    """Draw the roofline of ``doc``'s results into ``path``: one point per kernel and
    backend at its most threads, hollow at its fewest. Returns the kernels left out (no
    roofline model)."""
    from . import machine

    m = doc["machine"]
    points, left_out = [], []
    for d in doc["results"]:
        if not d.get("op_rate"):
            left_out.append(d["kernel"])
            continue
        r = d["op_rate"]
        points.append(RooflinePoint(d["kernel"], d["backend"], d["ops_per_byte"], r[-1],
                                    r[0] if len(r) > 1 else None, d["op"]))
    most = max((d["threads"][-1] for d in doc["results"]), default=1)
    fewest = min((d["threads"][0] for d in doc["results"]), default=1)
    peaks = {"float32": m["fma_peak_gflops"], "float64": m.get("fma_peak_float64_gflops")}
    title = (f"Roofline: {machine.cpu_name()}, {most} thread{'s' if most > 1 else ''}"
             + (f" (hollow: {fewest})" if fewest != most else "")
             + f"\nroofs: copy bandwidth and FMA peaks measured at {most} "
               f"thread{'s' if most > 1 else ''} in the same run"
             + ("\n--quick sizes: inputs of a few MiB stay in cache, so points can pass "
                "the memory roof" if quick else ""))
    plot_roofline(points, m["copy_bandwidth_gbs"], peaks, path=path, title=title)
    return list(dict.fromkeys(left_out))


def run_compare(kernels=None, threads=None, quick=False, backends=("cython", "numba"),
                peers=False, json_path=None, plot_path=None, progress=True, out=None,
                compare_backends=False, auto_table=None, command=None, roofline_path=None):
    """Time ``kernels`` and print the table to ``out`` (default: sys.stdout at call time);
    return the JSON-able result dict.

    ``compare_backends``: also print Numba's time over Cython's per kernel and thread
    count, and what ``backend="auto"`` runs; ``auto_table``: write those ratios as the
    table ``auto`` reads (see :mod:`pycompute._backends`), with ``command`` in it;
    ``roofline_path``: draw the roofline there (``plot_roofline_doc``)."""
    out = sys.stdout if out is None else out
    kernels, threads, backends, notes = check_request(kernels, threads, backends, json_path,
                                                      plot_path, compare_backends, auto_table,
                                                      roofline_path)
    mx = _threads.max_threads()
    repeat, min_time = (3, 0.01) if quick else (7, 0.1)

    # the float64 peak: the roof of the kernels that compute in float64, and on the plot
    float64 = roofline_path is not None or any(
        KERNELS[k].op == "flop" and KERNELS[k].flop_dtype == "float64" for k in kernels)
    limits = machine_limits(max(threads), float64)
    from ._info import collect

    doc = {"schema": SCHEMA,
           "machine": {"cpus": os.cpu_count(), "max_threads": mx, **limits,
                       "info": collect(numba_layer=False)},
           "results": [], "peers": []}
    # every peer library is reported, found or not, even if the kernels chosen have no peer
    peer_libs = peer_status(n for k in KERNELS.values() for n in k.peers) if peers else {}
    total = len(kernels) * (len(backends) * len(threads) + 1)
    bar, step = _progress(total, progress)
    results = []
    try:
        for name in kernels:
            k = KERNELS[name]
            args, kw, size = k.make(quick)
            size = f"{size}, {_mib(args):.0f} MiB in"
            for i, be in enumerate(backends):
                first = i == 0
                if be == "auto":
                    be = _auto_backend(name)
                r = measure(lambda *a, num_threads: k.call(a, kw, be, num_threads), *args,
                            threads=threads, repeat=repeat, min_time=min_time,
                            reference=(lambda *a: k.reference(a, kw)) if first else None,
                            name=f"{name} [{be}]", work=k.work(args, kw), unit=k.unit,
                            progress=step)
                results.append((name, k, be, size, r, k.roofline_model(args, kw)))
            for peer, fn in k.peers.items():
                if peer_libs.get(peer.split(".")[0], (False,))[0]:
                    t = time_call(lambda: fn(args, kw), repeat, min_time).median
                    doc["peers"].append({"kernel": name, "peer": peer, "time_s": t})
    finally:
        if bar is not None:
            bar.close()

    ref_times = {}
    for name, k, be, size, r, model in results:
        if r.reference is not None:
            ref_times[name] = r.reference
    for name, k, be, size, r, model in results:
        r.reference = ref_times.get(name)
        roof = roofline_fields(k, model, r.times, limits)
        if roof["roof"]:  # the speedup plot's legend words the limit as the table does
            r.roof, r.flop_dtype = roof["roof"], roof["flop_dtype"]
            r.roof_fraction = [x / 100 for x in roof["percent_of_roof"]]
        d = r.to_dict()
        limit = "copy" if k.unit == "GB/s" else "fma"
        cap = limits["copy_bandwidth_gbs"] if limit == "copy" else limits["fma_peak_gflops"]
        d.update(kernel=name, family=k.family, backend=be, size=size, limit=limit,
                 percent_of_limit=[100 * x / cap for x in d["rate"]] if d["rate"] else None,
                 **roof)
        d["limited_by"] = limited_by(d)
        doc["results"].append(d)
    for line in notes:
        print(f"--backend {line}; skipped", file=out)
    print_table(doc, out, quick=quick)
    if peers:
        print_peers(doc, kernels, peer_libs, out)
    if compare_backends or auto_table:
        print_backends(doc, out)
    if auto_table:
        write_auto_table(doc, auto_table, command)
        print(f"wrote {auto_table}", file=out)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"wrote {json_path}", file=out)
    if plot_path:
        plot_speedup([res[4] for res in results], path=plot_path,
                     title=f"pycompute speedup ({os.cpu_count()} CPUs"
                           f"{', --quick sizes' if quick else ''})")
        print(f"wrote {plot_path}", file=out)
    if roofline_path:
        left_out = plot_roofline_doc(doc, roofline_path, quick)
        if left_out:
            print(f"roofline: no model of operations and bytes for {', '.join(left_out)}; "
                  f"left out", file=out)
        print(f"wrote {roofline_path}", file=out)
    return doc


def print_table(doc: dict, out=None, quick: bool = False, legend: bool = True) -> None:
    """The results of ``doc`` as a table, with the column legend under it."""
    out = sys.stdout if out is None else out
    m = doc["machine"]
    print(f"machine: {m['cpus']} CPUs, max threads {m['max_threads']}; limits measured now: "
          f"parallel copy {m['copy_bandwidth_gbs']:.1f} GB/s (read + write), float32 FMA "
          f"peak {m['fma_peak_gflops']:.0f} GFLOP/s"
          + (f", float64 {m['fma_peak_float64_gflops']:.0f}"
             if m.get("fma_peak_float64_gflops") else ""), file=out)
    if quick:
        print("sizes: --quick (small inputs, few repeats: a first look; inputs of a few MiB "
              "may stay in cache)", file=out)
    base = min((d["threads"][0] for d in doc["results"]), default=1)
    vs_base = f"vs {base} thr"
    kw_ = max([19] + [len(d["kernel"]) for d in doc["results"]])
    hdr = (f"{'kernel':{kw_}s} {'backend':7s} {'thr':>3s} {'time ms':>9s} {'vs ref':>7s} "
           f"{vs_base:>8s} {'eff':>5s} {'rate':>15s} {'% of limit':>11s} {'% of roof':>10s} "
           f"{'K-F':>6s}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    above = False
    for d in doc["results"]:
        for i, p in enumerate(d["threads"]):
            vs_ref = (f"{d['speedup_vs_reference'][i]:7.2f}" if d["speedup_vs_reference"]
                      else f"{'-':>7s}")
            rate = (f"{d['rate'][i]:8.2f} {d['rate_unit']:<6s}" if d["rate"]
                    else f"{'-':>15s}")
            pct = "-"
            if d["percent_of_limit"]:
                v = d["percent_of_limit"][i]
                mark = "*" if v > 100 else " "
                above |= v > 100
                pct = f"{v:4.0f}% {'copy' if d['limit'] == 'copy' else 'FMA'}{mark}"
            roof = "-"
            if d.get("percent_of_roof"):
                v = d["percent_of_roof"][i]
                above |= v > 100
                roof = f"{v:4.0f}% {d['roof']}{'*' if v > 100 else ' '}"
            kf = d["karp_flatt"][i]
            print(f"{d['kernel'] if i == 0 else '':{kw_}s} {d['backend'] if i == 0 else '':7s} "
                  f"{p:3d} {d['time_s'][i] * 1e3:9.3f} {vs_ref} {d['speedup'][i]:8.2f} "
                  f"{d['efficiency'][i]:5.2f} {rate} {pct:>11s} {roof:>10s} "
                  f"{'' if kf is None else f'{kf:6.3f}':>6s}", file=out)
        ref = (f"serial reference {d['reference_time_s'] * 1e3:.3f} ms; "
               if d["reference_time_s"]
               else "")
        print(f"{'':{kw_}s} {'':7s} {d['size']}; {ref}{limited_by(d)}", file=out)
    if above:
        print(ABOVE_LIMIT, file=out)
    if legend:
        print("\n" + LEGEND, file=out)


def print_peers(doc: dict, kernels, peer_libs: dict, out=None) -> None:
    """``--peers``: which peer libraries were found, and each peer's time against ours."""
    out = sys.stdout if out is None else out
    print("\npeers (the same call in another library, on the same input):", file=out)
    for found, text in peer_libs.values():
        print(f"  {text}{'' if found else '; its rows are left out'}", file=out)
    without = [k for k in kernels if not KERNELS[k].peers]
    if without:
        have = [k for k, v in KERNELS.items() if v.peers]
        print(f"  no peer for {', '.join(without)} (peers exist for {', '.join(have)})",
              file=out)
    if not doc["peers"]:
        return
    best = {}
    for d in doc["results"]:
        for t, p in zip(d["time_s"], d["threads"]):
            if d["kernel"] not in best or t < best[d["kernel"]][0]:
                best[d["kernel"]] = (t, d["backend"], p)
    kw_ = max([19] + [len(p["kernel"]) for p in doc["peers"]])
    print(f"  {'kernel':{kw_}s} {'peer':18s} {'time ms':>9s}   {'pycompute best':23s} "
          f"{'x peer':>6s}", file=out)
    for p in doc["peers"]:
        t, be, n = best[p["kernel"]]
        ours = f"{t * 1e3:.3f} ({be}, {n} thr)"
        print(f"  {p['kernel']:{kw_}s} {p['peer']:18s} {p['time_s'] * 1e3:9.3f}   {ours:23s} "
              f"{p['time_s'] / t:6.2f}", file=out)
    print("  x peer: the peer's time / pycompute's best time; above 1 = pycompute is faster",
          file=out)


def backend_ratios(doc: dict) -> dict:
    """``{kernel: {"threads", "cython_s", "numba_s", "numba_over_cython"}}`` for the kernels
    of ``doc`` timed on both native backends (at the thread counts both ran)."""
    by = {}
    for d in doc["results"]:
        by.setdefault(d["kernel"], {})[d["backend"]] = dict(zip(d["threads"], d["time_s"]))
    out = {}
    for name, b in by.items():
        if "cython" not in b or "numba" not in b:
            continue
        thr = sorted(set(b["cython"]) & set(b["numba"]))
        c = [b["cython"][p] for p in thr]
        n = [b["numba"][p] for p in thr]
        out[name] = {"threads": thr, "cython_s": c, "numba_s": n,
                     "numba_over_cython": [round(y / x, 4) for x, y in zip(c, n)]}
    return out


def print_backends(doc: dict, out=None) -> None:
    """``--backends``: Numba's time over Cython's, kernel by kernel, and what ``auto`` runs."""
    from . import _backends

    out = sys.stdout if out is None else out
    ratios = backend_ratios(doc)
    if not ratios:
        print("\nbackends: no kernel was timed on both cython and numba "
              "(--backend cython numba)", file=out)
        return
    print("\nbackends (numba / cython = Numba's time over Cython's; below 1 = Numba faster):",
          file=out)
    kw_ = max([19] + [len(k) for k in ratios])
    print(f"  {'kernel':{kw_}s} {'thr':>3s} {'cython ms':>10s} {'numba ms':>10s} "
          f"{'numba/cython':>12s}   auto would run", file=out)
    for name, r in ratios.items():
        pick = _backends.auto_decision(r["numba_over_cython"])[0]
        for i, p in enumerate(r["threads"]):
            print(f"  {name if i == 0 else '':{kw_}s} {p:3d} {r['cython_s'][i] * 1e3:10.3f} "
                  f"{r['numba_s'][i] * 1e3:10.3f} {r['numba_over_cython'][i]:12.2f}   "
                  f"{pick if i == 0 else ''}", file=out)
    print(f"  auto runs Numba for a kernel only where Numba was at least "
          f"{_backends.AUTO_MARGIN:.2f}x faster at every thread count (no JIT warm-up "
          f"otherwise); the table auto uses now: {_backends.auto_table()['source']}", file=out)


def write_auto_table(doc: dict, path: str, command: str | None = None) -> None:
    """Write the Numba/Cython ratios of ``doc`` as the table ``backend="auto"`` reads."""
    from . import _backends, machine

    m = doc["machine"]
    table = {"schema": _backends.AUTO_TABLE_SCHEMA,
             "machine": {"cpus": m["cpus"], "cpu": machine.cpu_name(),
                         "copy_bandwidth_gbs": m["copy_bandwidth_gbs"],
                         "fma_peak_gflops": m["fma_peak_gflops"],
                         "simd_level": m["info"]["simd"]["level"]},
             "command": command or "pycompute compare --backends --auto-table " + path,
             "margin": _backends.AUTO_MARGIN,
             "kernels": backend_ratios(doc)}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(table, f, indent=1)
        f.write("\n")
