"""The compiled SIMD levels side by side, and against other builds, in one run.

    python benchmarks/run_levels.py [--threads 1 2] [--rounds 3] [--repeat 3]
        [--build NAME=PATH ...] [--env NAME=VAR=VALUE ...] [--levels baseline avx2 avx512]
        [--pair A:B ...] [--json OUT]

Each configuration runs in its own child process: the levels of the installed
build (``PYCOMPUTE_SIMD=<level>``), and every ``--build NAME=PATH``, a tree
whose ``pycompute`` package was built some other way (``PATH`` goes first on
``PYTHONPATH``), e.g. ``PYCOMPUTE_MARCH=native python setup.py build_ext
--inplace`` in a copy of the repository, or an older commit built in place.
Configurations take turns, ``--rounds`` times, and each kernel keeps its best
time over all rounds, so a slow moment of the machine hits every configuration
alike. The table gives times and, per configuration, the ratio to the first
one. The kernels are the headline rows of run_reductions.py,
run_convolution.py and run_simulation.py (sizes a little smaller for
reductions: 2^26 float32), Cython backend. A measurement, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def kernels(pc, np, rng):
    """(name, thunk) pairs; data made once per child."""
    cy = dict(backend="cython")
    x = rng.random(1 << 26, dtype=np.float32)
    img = rng.random((4096, 4096), dtype=np.float32)
    out = np.empty_like(img)
    rgb = rng.integers(0, 256, (4096, 4096, 3), dtype=np.uint8)
    rgb_out = np.empty_like(rgb)
    w = {k: (rng.random((k, k), dtype=np.float32) / (k * k)) for k in (3, 5, 9)}
    heat = rng.random((4096, 4096))
    life = rng.random((4096, 4096)) < 0.3
    pos = rng.standard_normal((8192, 3)).astype(np.float32)
    mass = rng.random(8192).astype(np.float32)
    gu = np.ones((2048, 2048), np.float32)
    gv = (rng.random((2048, 2048)) * 0.25).astype(np.float32)
    return [
        ("sum f32 2^26", lambda n: pc.sum(x, num_threads=n, **cy)),
        ("min f32 2^26", lambda n: pc.min(x, num_threads=n, **cy)),
        ("max f32 2^26", lambda n: pc.max(x, num_threads=n, **cy)),
        ("var f32 2^26", lambda n: pc.var(x, num_threads=n, **cy)),
        ("argmax f32 2^26", lambda n: pc.argmax(x, num_threads=n, **cy)),
        ("histogram 256 bins", lambda n: pc.histogram(x, bins=256, num_threads=n, **cy)),
        ("correlate 3x3", lambda n: pc.correlate(img, w[3], output=out, num_threads=n, **cy)),
        ("correlate 5x5", lambda n: pc.correlate(img, w[5], output=out, num_threads=n, **cy)),
        ("correlate 9x9", lambda n: pc.correlate(img, w[9], output=out, num_threads=n, **cy)),
        ("gaussian_filter s=2", lambda n: pc.gaussian_filter(img, 2.0, output=out, num_threads=n, **cy)),
        ("sobel axis=-1", lambda n: pc.sobel(img, axis=-1, output=out, num_threads=n, **cy)),
        ("uniform (3,3,1) u8", lambda n: pc.uniform_filter(rgb, (3, 3, 1), output=rgb_out,
                                                           num_threads=n, **cy)),
        ("heat f64 4096^2 x10", lambda n: pc.heat_step(heat, steps=10, alpha=0.2, num_threads=n, **cy)),
        ("life 4096^2 x10", lambda n: pc.life_step(life, steps=10, num_threads=n, **cy)),
        ("nbody f32 N=8192", lambda n: pc.nbody_accelerations(pos, mass, softening=0.01,
                                                              num_threads=n, **cy)),
        ("gray_scott f32 2048^2 x10", lambda n: pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=10, num_threads=n, **cy)),
    ]


def child(threads, repeat):
    """Time every kernel at every thread count; print one JSON line."""
    import numpy as np

    import pycompute as pc

    sys.path.insert(0, HERE)
    from _timing import best  # benchmarks/_timing.py

    rng = np.random.default_rng(0)
    info = pc.info()
    simd = info.get("simd") or {"level": "(no levels)", "build": info["build"]}  # older builds
    res = {"level": simd["level"], "flags": simd["build"]["compile_args"],
           "file": pc.__file__, "times": {}}
    for name, fn in kernels(pc, np, rng):
        for n in threads:
            res["times"][f"{name}|{n}"] = best(lambda: fn(n), repeat)
    print(json.dumps(res))


def run_config(env_extra, pythonpath, threads, repeat):
    env = dict(os.environ)
    env.pop("PYCOMPUTE_SIMD", None)
    env.update(env_extra)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([pythonpath, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cmd = [sys.executable, os.path.abspath(__file__), "--child",
           "--threads", *map(str, threads), "--repeat", str(repeat)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True,
                         cwd=pythonpath or os.getcwd())
    if res.returncode != 0:
        raise SystemExit(f"child failed ({env_extra}, {pythonpath}):\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--levels", nargs="+", default=["avx512", "avx2", "baseline"])
    ap.add_argument("--build", action="append", default=[], metavar="NAME=PATH",
                    help="another build: a folder holding a built pycompute package")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VAR=VALUE",
                    help="another configuration: the installed build with VAR=VALUE set "
                         "(e.g. spin300k=GOMP_SPINCOUNT=300000)")
    ap.add_argument("--pair", action="append", default=[], metavar="A:B",
                    help="a ratio column: time of config B / time of config A (labels as "
                         "printed, e.g. 'level avx512:build today'); default: each vs the first")
    ap.add_argument("--json", help="write all figures here")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.threads, a.repeat)
        return
    configs = [(f"build {n}", {}, p) for n, p in (b.split("=", 1) for b in a.build)]
    for spec in a.env:
        name, var, value = spec.split("=", 2)
        configs.append((f"env {name}", {var: value}, None))
    configs += [(f"level {lv}", {"PYCOMPUTE_SIMD": lv}, None) for lv in a.levels]
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}; best of {a.repeat} calls x {a.rounds} rounds")
    best = {}
    meta = {}
    for r in range(a.rounds):
        for label, env, path in configs:
            t0 = time.perf_counter()
            res = run_config(env, path, a.threads, a.repeat)
            meta[label] = {k: res[k] for k in ("level", "flags", "file")}
            for key, t in res["times"].items():
                best.setdefault(label, {})[key] = min(t, best.get(label, {}).get(key, float("inf")))
            print(f"# round {r + 1}: {label} done in {time.perf_counter() - t0:.0f} s", flush=True)
    for label in best:
        print(f"# {label}: level {meta[label]['level']}, {meta[label]['flags']}")
    labels = list(best)
    pairs = [tuple(p.split(":", 1)) for p in a.pair] or [(lb, labels[0]) for lb in labels[1:]]
    for num, den in pairs:
        if num not in best or den not in best:
            raise SystemExit(f"--pair {num}:{den}: labels are {labels}")
    keys = list(best[labels[0]])
    short = {lb: lb.split(" ", 1)[1] for lb in labels}
    head = f"{'kernel':26s} {'thr':>3s} " + " ".join(f"{short[lb][:9]:>9s}" for lb in labels)
    head += "  " + " ".join(f"{(short[n][:6] + '/' + short[d][:6]):>14s}" for n, d in pairs)
    print(head)
    for key in keys:
        name, n = key.split("|")
        row = f"{name:26s} {n:>3s} " + " ".join(f"{best[lb][key] * 1e3:9.2f}" for lb in labels)
        row += "  " + " ".join(f"{best[d][key] / best[n_][key]:14.3f}" for n_, d in pairs)
        print(row)
    print("# times in ms (best over all rounds); A/B columns: time of B / time of A, "
          "so above 1 means A is faster")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"best_s": best, "configs": meta}, f, indent=1)


if __name__ == "__main__":
    main()
