"""``pycompute warmup``: compile the Numba kernels ahead of the first real call.

The Numba backend compiles a kernel the first time it meets a new type
signature (seconds) and keeps the machine code in Numba's on-disk cache, so a
later process loads it in well under a second. ``warmup`` makes those first
calls now, on tiny arrays of the dtypes named, for the families named, one
child process per family running side by side (``--jobs``), so that a notebook
or a job started afterwards finds everything compiled. It compiles nothing the
Cython backend needs (that is compiled at install time).

Run it again after upgrading pycompute or Numba (the cache is keyed by their
source) or after changing ``NUMBA_CACHE_DIR``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

FAMILIES = ("reductions", "convolution", "simulation")
#: dtypes each family's native kernels cover (the defaults are marked in DEFAULT_DTYPES)
DTYPES = {
    "reductions": ("float32", "float64", "int32", "int64", "uint8"),
    "convolution": ("float32", "float64", "uint8", "uint16", "int16", "int32"),
    "simulation": ("float32", "float64", "uint8", "bool"),
}
DEFAULT_DTYPES = ("float32", "float64", "uint8")


def _reductions(dt):
    import numpy as np

    import pycompute as pc

    x = (np.arange(64 * 48) % 7).astype(dt)
    calls = []
    for a in (x, x.reshape(64, 48)):
        for axis in ((None,) if a.ndim == 1 else (None, 0, 1)):
            for fn in ("sum", "mean", "min", "max", "argmin", "argmax"):
                if fn in ("argmin", "argmax") and axis is None and a.ndim > 1:
                    continue
                calls.append((getattr(pc, fn), (a,), {"axis": axis}))
            if np.dtype(dt).kind == "f":
                calls += [(pc.var, (a,), {"axis": axis}), (pc.std, (a,), {"axis": axis})]
    calls.append((pc.histogram, (x,), {"bins": 16}))
    return calls


def _convolution(dt):
    import numpy as np

    import pycompute as pc

    img = (np.arange(64 * 48) % 251).astype(dt).reshape(64, 48)
    w3 = np.ones((3, 3)) / 9
    w5 = np.arange(25, dtype=float).reshape(5, 5)
    calls = [(pc.correlate, (img, w3), {}), (pc.correlate, (img, w5), {}),
             (pc.convolve, (img, w3), {}), (pc.correlate1d, (img, [1.0, 2.0, 1.0]), {}),
             (pc.uniform_filter, (img, 3), {}), (pc.sobel, (img,), {}),
             (pc.laplace, (img,), {}), (pc.prewitt, (img,), {})]
    if np.dtype(dt).kind == "f":
        calls += [(pc.gaussian_filter, (img, 2.0), {}), (pc.gaussian_filter1d, (img, 1.5), {})]
    if dt == "uint8":
        calls.append((pc.uniform_filter, (np.zeros((64, 48, 3), dt), (3, 3, 1)), {}))
    return calls


def _simulation(dt):
    import numpy as np

    import pycompute as pc

    calls = []
    if dt in ("float32", "float64"):
        u = np.zeros((32, 40), dt)
        calls += [(pc.heat_step, (u,), {"alpha": 0.2, "steps": 2}),
                  (pc.heat_step, (u,), {"alpha": 0.2, "steps": 2, "mode": "constant"}),
                  (pc.gray_scott_step, (np.ones_like(u), u),
                   {"Du": 0.16, "Dv": 0.08, "F": 0.035, "k": 0.065, "steps": 2})]
        pos = np.zeros((16, 3), dt)
        pos[:, 0] = np.arange(16)
        calls += [(pc.nbody_accelerations, (pos, np.ones(16, dt)), {"softening": 0.1}),
                  (pc.nbody_step, (pos, np.zeros_like(pos), np.ones(16, dt)),
                   {"dt": 0.01, "softening": 0.1, "steps": 2})]
    if dt in ("uint8", "bool"):
        calls.append((pc.life_step, (np.zeros((32, 40), dt),), {"steps": 2}))
    return calls


_CALLS = {"reductions": _reductions, "convolution": _convolution, "simulation": _simulation}


def check(families=None, dtypes=None) -> tuple[list[str], list[str]]:
    """Validate the request; returns ``(families, dtypes)``. Raises ``ValueError`` naming the
    argument, the value and what is allowed."""
    families = list(families or FAMILIES)
    bad = [f for f in families if f not in FAMILIES]
    if bad:
        raise ValueError(f"`--family` {', '.join(map(repr, bad))}: not a kernel family; "
                         f"choose from {', '.join(FAMILIES)}")
    dtypes = list(dtypes or DEFAULT_DTYPES)
    known = sorted({d for v in DTYPES.values() for d in v})
    bad = [d for d in dtypes if d not in known]
    if bad:
        raise ValueError(f"`--dtype` {', '.join(map(repr, bad))}: no native kernel takes it; "
                         f"choose from {', '.join(known)}")
    return families, dtypes


def warm_family(family: str, dtypes) -> tuple[int, float]:
    """Compile ``family``'s Numba kernels for ``dtypes`` in this process.

    Returns ``(calls made, seconds)``."""
    t = time.perf_counter()
    n = 0
    for dt in dtypes:
        if dt not in DTYPES[family]:
            continue
        for fn, args, kw in _CALLS[family](dt):
            fn(*args, backend="numba", num_threads=1, **kw)
            n += 1
    return n, time.perf_counter() - t


def run(families=None, dtypes=None, jobs=None, out=None) -> dict:
    """Compile ``families`` for ``dtypes``, one child process per family, ``jobs`` at a time
    (default: the CPU count). Prints one line per family; returns ``{family: seconds}``."""
    out = sys.stdout if out is None else out
    families, dtypes = check(families, dtypes)
    from . import _backends

    ok, why = _backends._probe("numba")
    if not ok:
        raise ValueError(f"nothing to warm up: the numba backend is not available ({why})")
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(families)))
    t0 = time.perf_counter()
    pending = list(families)
    running: dict[str, subprocess.Popen] = {}
    times: dict[str, float] = {}
    failed = []
    while pending or running:
        while pending and len(running) < jobs:
            fam = pending.pop(0)
            running[fam] = subprocess.Popen(
                [sys.executable, "-c", "import sys; from pycompute.warmup import _child; "
                 "_child(sys.argv[1], sys.argv[2:])", fam, *dtypes],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for fam, proc in list(running.items()):
            if proc.poll() is None:
                continue
            del running[fam]
            so, se = proc.communicate()
            if proc.returncode:
                failed.append(f"{fam}: {se.strip().splitlines()[-1] if se.strip() else proc.returncode}")
                continue
            n, secs = so.split()
            times[fam] = float(secs)
            print(f"  {fam:12s} {int(n):3d} calls compiled or loaded in {float(secs):6.2f} s",
                  file=out)
        time.sleep(0.02)
    print(f"warmup: {time.perf_counter() - t0:.2f} s for {', '.join(families)} "
          f"({', '.join(dtypes)}), {jobs} at a time", file=out)
    if failed:
        raise RuntimeError("warmup failed for " + "; ".join(failed))
    return times


def _child(family: str, dtypes) -> None:  # runs in the child process
    n, secs = warm_family(family, dtypes)
    print(n, secs)
