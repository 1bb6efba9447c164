"""Dask overhead: the same image/grid through a 2-worker LocalCluster vs one process.

    python benchmarks/run_dask.py [--n 4096] [--chunk 1024]

Prints, in one run:
* gaussian_filter(sigma=2) on an n x n float32 image: one process with 2
  threads vs a LocalCluster of 2 worker processes (1 thread each), and the
  overhead ratio;
* heat_step (float64, wrap) for 40 steps with steps_per_exchange = 1, 4, 10,
  40: wall time and the cost per halo exchange, estimated as
  (time - one-process time) / exchanges.
"""
import argparse

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster

import pycompute as pc
from _timing import best  # benchmarks/_timing.py


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    n, c = args.n, args.chunk
    rng = np.random.default_rng(0)
    img = rng.standard_normal((n, n)).astype(np.float32)
    grid = rng.random((n, n))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, Client(cluster) as client:
        x = da.from_array(img, chunks=c).persist()
        g = da.from_array(grid, chunks=c).persist()
        t_local = best(lambda: pc.gaussian_filter(img, 2.0, num_threads=2))
        t_dask = best(lambda: pc.gaussian_filter(x, 2.0).compute())
        print(f"# {n}x{n}, chunks {c}x{c}, LocalCluster 2 workers x 1 thread vs 1 process x 2 threads")
        print(f"gaussian_filter sigma=2 float32: one process {t_local * 1e3:8.1f} ms, "
              f"dask {t_dask * 1e3:8.1f} ms, overhead x{t_dask / t_local:.2f}")
        steps = args.steps
        t_heat = best(lambda: pc.heat_step(grid, steps=steps, alpha=0.2, num_threads=2))
        print(f"heat_step float64 {steps} steps: one process {t_heat * 1e3:8.1f} ms")
        print(f"{'steps/exchange':>15} {'exchanges':>9} {'dask ms':>9} {'x local':>8} "
              f"{'ms/exchange':>12}")
        for k in (1, 4, 10, steps):
            t = best(lambda: pc.heat_step(g, steps=steps, alpha=0.2,
                                          steps_per_exchange=k).compute(), repeat=2)
            ex = -(-steps // k)
            print(f"{k:15d} {ex:9d} {t * 1e3:9.1f} {t / t_heat:8.2f} "
                  f"{(t - t_heat) / ex * 1e3:12.1f}")
        client.cancel([x, g])


if __name__ == "__main__":
    main()
