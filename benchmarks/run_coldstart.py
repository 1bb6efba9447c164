"""First-call time of the Numba backend, cold (empty on-disk cache) and warm.

Numba compiles a kernel the first time it is called with a new type signature
and keeps the machine code in an on-disk cache (``cache=True``), so the first
call of a process costs either a compile (cold: a fresh install, or after an
upgrade) or a cache load (warm). Each row runs one fresh interpreter per
state, with ``NUMBA_CACHE_DIR`` pointing at a directory of its own: empty for
"cold", filled by the cold run for "warm".

Columns: ``import`` = ``import pycompute`` (never imports Numba); ``1st call``
= the first call of the kernel with ``backend="numba"`` (imports Numba, then
compiles or loads); ``2nd call`` = the same call again (the steady state).

    python benchmarks/run_coldstart.py [--out benchmarks/results/coldstart.txt]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

# name -> (setup, call); the call gets backend= and num_threads= appended
CASES = {
    "sum f32": ("x = np.random.default_rng(0).random(1 << 20, np.float32)", "pc.sum(x"),
    "var f64": ("x = np.random.default_rng(0).random(1 << 20)", "pc.var(x"),
    "max f32": ("x = np.random.default_rng(0).random(1 << 20, np.float32)", "pc.max(x"),
    "argmin f32": ("x = np.random.default_rng(0).random(1 << 20, np.float32)", "pc.argmin(x"),
    "gaussian_filter f32": ("x = np.random.default_rng(0).random((512, 512), np.float32)",
                            "pc.gaussian_filter(x, 2.0"),
    "correlate 5x5 f32": ("x = np.random.default_rng(0).random((512, 512), np.float32); "
                          "w = np.ones((5, 5), np.float32)", "pc.correlate(x, w"),
    "gaussian_filter f64": ("x = np.random.default_rng(0).random((512, 512))",
                            "pc.gaussian_filter(x, 2.0"),
    "correlate 5x5 f64": ("x = np.random.default_rng(0).random((512, 512)); "
                          "w = np.ones((5, 5))", "pc.correlate(x, w"),
    "uniform_filter u8": ("x = np.random.default_rng(0).integers(0, 255, (512, 512, 3), np.uint8)",
                          "pc.uniform_filter(x, (5, 5, 1)"),
    "heat_step f64": ("x = np.random.default_rng(0).random((512, 512))",
                      "pc.heat_step(x, alpha=0.2, steps=2"),
    "life_step": ("x = np.random.default_rng(0).random((512, 512)) < 0.3", "pc.life_step(x, steps=2"),
    "gray_scott_step f32": ("u = np.ones((256, 256), np.float32); v = np.zeros_like(u)",
                            "pc.gray_scott_step(u, v, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=2"),
    "nbody f32": ("rng = np.random.default_rng(0); p = rng.random((1024, 3), np.float32); "
                  "m = rng.random(1024, np.float32)", "pc.nbody_accelerations(p, m, softening=0.01"),
}

CHILD = """
import time, json, sys
t0 = time.perf_counter()
import numpy as np, pycompute as pc
t1 = time.perf_counter()
{setup}
t2 = time.perf_counter()
{call}, backend="numba", num_threads=1)
t3 = time.perf_counter()
{call}, backend="numba", num_threads=1)
t4 = time.perf_counter()
print(json.dumps([t1 - t0, t3 - t2, t4 - t3]))
"""


def _child(code: str, cache: str) -> list[float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _demo(cache: str, out: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pycompute", "demo", "--out", out], env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--cases", nargs="*", default=list(CASES), help="rows to run")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo rows")
    args = ap.parse_args(argv)
    import numba
    import numpy as np

    lines = [f"# machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
             f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}",
             "# command: python benchmarks/run_coldstart.py " + " ".join(sys.argv[1:]),
             f"# load average at start: {open('/proc/loadavg').read().split()[0]}"
             if os.path.exists("/proc/loadavg") else "#",
             f"{'kernel (backend=numba, 1 thread)':34s} {'state':5s} {'import s':>9s} "
             f"{'1st call s':>11s} {'2nd call ms':>12s}"]
    print("\n".join(lines), flush=True)
    for name in args.cases:
        setup, call = CASES[name]
        code = CHILD.format(setup=setup, call=call)
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold", "warm"):
                imp, first, second = _child(code, cache)
                row = f"{name:34s} {state:5s} {imp:9.2f} {first:11.2f} {second * 1e3:12.2f}"
                print(row, flush=True)
                lines.append(row)
    if not args.no_demo:
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as tmp:
            for state in ("cold", "warm"):
                t = _demo(cache, os.path.join(tmp, "demo"))
                row = f"{'python -m pycompute demo (total)':34s} {state:5s} {'':9s} {t:11.2f}"
                print(row, flush=True)
                lines.append(row)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
