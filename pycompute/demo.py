"""``pycompute demo``: simulate, filter and time on every core, and write pictures.

Runs a Gray-Scott reaction-diffusion and a heat diffusion with pycompute's
parallel kernels, writes PNG images of them, then times one representative
kernel per family at 1..N threads against its serial reference, prints the
table and writes the scaling plot. Under a minute on two cores.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np


def _new_dir(base: str | None) -> str:
    if base is None:
        base = os.path.join(os.getcwd(), time.strftime("pycompute-demo-%Y%m%d-%H%M%S"))
    os.makedirs(base, exist_ok=True)
    if not os.access(base, os.W_OK):
        raise ValueError(f"cannot write into {base!r}")
    return base


def gray_scott_pattern(n: int = 384, steps: int = 20000, seed: int = 0):
    """The 'coral' Gray-Scott pattern grown from a noisy square seed (wrap boundaries)."""
    import pycompute as pc

    rng = np.random.default_rng(seed)
    u = np.ones((n, n), np.float32)
    v = np.zeros((n, n), np.float32)
    c, r = n // 2, n // 10
    u[c - r:c + r, c - r:c + r] = 0.50
    v[c - r:c + r, c - r:c + r] = 0.25
    u += 0.02 * rng.random((n, n), dtype=np.float32)
    v += 0.02 * rng.random((n, n), dtype=np.float32)
    u, v = pc.gray_scott_step(u, v, Du=0.16, Dv=0.08, F=0.0545, k=0.062, dt=1.0, steps=steps)
    return u, v


def heat_diffusion(n: int = 384, steps: int = 3000):
    """Hot spots on a cold plate, diffused with the explicit 5-point stencil."""
    import pycompute as pc

    y, x = np.mgrid[0:n, 0:n] / n
    u = np.zeros((n, n))
    for cy, cx in ((0.3, 0.3), (0.7, 0.6), (0.5, 0.85)):
        u[(y - cy) ** 2 + (x - cx) ** 2 < 0.004] = 100.0
    first = u.copy()
    u = pc.heat_step(u, steps=steps, alpha=0.24, mode="constant", cval=0.0)
    return first, u


def run(out: str | None = None, quick: bool = True, stream=sys.stdout) -> dict:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .compare import run_compare

    out = _new_dir(out)
    paths = {}
    t = time.perf_counter()
    u, v = gray_scott_pattern()
    t_gs = time.perf_counter() - t
    paths["gray_scott"] = os.path.join(out, "gray_scott.png")
    plt.imsave(paths["gray_scott"], v, cmap="magma")
    t = time.perf_counter()
    before, after = heat_diffusion()
    t_heat = time.perf_counter() - t
    fig, axes = plt.subplots(1, 2, figsize=(8, 4), dpi=100)
    for ax, img, title in ((axes[0], before, "t = 0"), (axes[1], after, "3000 steps")):
        ax.imshow(img, cmap="inferno", vmin=0, vmax=max(1e-9, float(after.max())))
        ax.set_title(f"heat diffusion, {title}")
        ax.axis("off")
    fig.tight_layout()
    paths["heat"] = os.path.join(out, "heat.png")
    fig.savefig(paths["heat"])
    plt.close(fig)
    print(f"Gray-Scott 384x384, 20000 steps: {t_gs:.2f} s; heat 384x384, 3000 steps: "
          f"{t_heat:.2f} s", file=stream)
    paths["plot"] = os.path.join(out, "scaling.png")
    paths["json"] = os.path.join(out, "compare.json")
    run_compare(["sum", "gaussian_filter", "heat_step"], quick=quick, json_path=paths["json"],
                plot_path=paths["plot"], out=stream, progress=stream is sys.stdout)
    print("\nwrote:", file=stream)
    for p in paths.values():
        print(f"  {p}", file=stream)
    return paths
