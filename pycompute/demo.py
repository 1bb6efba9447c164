"""``pycompute demo``: simulate, filter and time on every core, and write pictures.

Runs a Gray-Scott reaction-diffusion and a heat diffusion with pycompute's
parallel kernels, writes PNG images of them (titled, with colour bars) and an
animated GIF of the pattern growing, then times one representative kernel per
family at 1..N threads against its serial reference (``--quick`` sizes unless
``quick=False``), prints the table and writes the scaling plot and the roofline
(each kernel under the machine's measured bandwidth and FMA roofs). Under a
minute on two cores.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np


#: what the demo writes; a folder holding only these is one an earlier demo wrote
OUTPUTS = ("gray_scott.png", "gray_scott.gif", "heat.png", "scaling.png", "roofline.png",
           "compare.json")
_ALLOWED = ("allowed: a folder that does not exist yet, an empty folder, or one an earlier "
            "'pycompute demo' wrote")


def check_out(out: str | None) -> None:
    """Raise ``ValueError`` unless the demo may write into ``out`` (None: a new folder)."""
    if out is None:
        return
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"{out!r} is a file, not a folder; {_ALLOWED}")
    if os.path.isdir(out):
        others = sorted(set(os.listdir(out)) - set(OUTPUTS))
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise ValueError(f"{out!r} is a folder that holds other files ({shown}); "
                             f"{_ALLOWED} (its files are replaced)")
        if not os.access(out, os.W_OK | os.X_OK):
            raise ValueError(f"{out!r} is a folder this user cannot write into; {_ALLOWED}")
        return
    parent = os.path.dirname(os.path.abspath(out))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"cannot create {out!r}: {parent!r} is not a folder this user can "
                         f"write into; {_ALLOWED}")


def prepare_out(out: str | None) -> str:
    """Check ``out`` (see ``check_out``), create it, and return it (None: a new folder here).

    Raises ``ValueError`` with the reason when the folder cannot be used or made."""
    if out is None:
        out = os.path.join(os.getcwd(), time.strftime("pycompute-demo-%Y%m%d-%H%M%S"))
    check_out(out)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create {out!r} ({exc.strerror}); {_ALLOWED}") from None
    return out


#: the Gray-Scott run the demo shows: grid, steps and the 'coral' parameters
GS = {"n": 384, "steps": 20000, "F": 0.0545, "k": 0.062, "Du": 0.16, "Dv": 0.08}


def gray_scott_pattern(n: int = GS["n"], steps: int = GS["steps"], seed: int = 0,
                       frames: int = 0):
    """The 'coral' Gray-Scott pattern grown from a noisy square seed (wrap boundaries).

    Returns ``(u, v)``; with ``frames`` > 0, ``(u, v, snapshots)`` where ``snapshots`` holds
    ``(step, v)`` at the seed and after each of ``frames`` equal parts of the run (the run
    is the same: each part continues from the last).
    """
    import pycompute as pc

    rng = np.random.default_rng(seed)
    u = np.ones((n, n), np.float32)
    v = np.zeros((n, n), np.float32)
    c, r = n // 2, n // 10
    u[c - r:c + r, c - r:c + r] = 0.50
    v[c - r:c + r, c - r:c + r] = 0.25
    u += 0.02 * rng.random((n, n), dtype=np.float32)
    v += 0.02 * rng.random((n, n), dtype=np.float32)
    kw = {k: GS[k] for k in ("Du", "Dv", "F", "k")}
    if not frames:
        return pc.gray_scott_step(u, v, dt=1.0, steps=steps, **kw)
    snaps, done = [(0, v.copy())], 0
    for i in range(1, frames + 1):
        part = steps * i // frames - done
        u, v = pc.gray_scott_step(u, v, dt=1.0, steps=part, **kw)
        done += part
        snaps.append((done, v.copy()))
    return u, v, snaps


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


def _gray_scott_png(path, v, plt):
    fig, ax = plt.subplots(figsize=(5.6, 4.8), dpi=100)
    im = ax.imshow(v, cmap="magma", vmin=0.0)
    ax.set_title(f"Gray-Scott reaction-diffusion, {GS['n']}x{GS['n']}, {GS['steps']} steps\n"
                 f"F={GS['F']}, k={GS['k']}, Du={GS['Du']}, Dv={GS['Dv']}, from a square seed",
                 fontsize=9)
    ax.axis("off")
    fig.colorbar(im, ax=ax, shrink=0.85, label="v (concentration of the second species)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _gray_scott_gif(path, snaps, plt) -> bool:
    """An animated GIF of the snapshots (small: every third pixel, 6 frames a second)."""
    from matplotlib import animation

    if not animation.PillowWriter.isAvailable():
        return False
    vmax = max(float(v.max()) for _, v in snaps)
    fig, ax = plt.subplots(figsize=(1.8, 2.0), dpi=80)
    im = ax.imshow(snaps[0][1][::3, ::3], cmap="magma", vmin=0.0, vmax=vmax)
    title = ax.set_title(f"Gray-Scott, step {snaps[-1][0]}", fontsize=8)  # sized for layout
    ax.axis("off")
    fig.tight_layout(pad=0.2)

    def frame(i):
        step, v = snaps[i]
        im.set_data(v[::3, ::3])
        title.set_text(f"Gray-Scott, step {step}")
        return im, title

    anim = animation.FuncAnimation(fig, frame, frames=len(snaps), blit=False)
    anim.save(path, writer=animation.PillowWriter(fps=6))
    plt.close(fig)
    return True


def _heat_png(path, before, after, steps, plt):
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), dpi=100)
    for ax, img, title in ((axes[0], before, "t = 0: three spots at 100"),
                           (axes[1], after, f"after {steps} steps (alpha = 0.24)")):
        im = ax.imshow(img, cmap="inferno", vmin=0, vmax=max(1e-9, float(img.max())))
        ax.set_title(title, fontsize=10)
        ax.axis("off")
        fig.colorbar(im, ax=ax, shrink=0.85, label="temperature")
    fig.suptitle(f"Heat diffusion, {before.shape[0]}x{before.shape[1]}, edges held at 0")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(out: str | None = None, quick: bool = True, stream=None) -> dict:
    """Write the demo's pictures, table and JSON into ``out``; print to ``stream``
    (default: sys.stdout at call time). Returns the paths written."""
    stream = sys.stdout if stream is None else stream
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .compare import run_compare

    out = prepare_out(out)
    paths = {}
    t = time.perf_counter()
    u, v, snaps = gray_scott_pattern(frames=16)
    t_gs = time.perf_counter() - t
    paths["gray_scott"] = os.path.join(out, "gray_scott.png")
    _gray_scott_png(paths["gray_scott"], v, plt)
    gif = os.path.join(out, "gray_scott.gif")
    if _gray_scott_gif(gif, snaps, plt):
        paths["gray_scott_gif"] = gif
    else:
        print("no gray_scott.gif: matplotlib's PillowWriter needs pillow (pip install pillow)",
              file=stream)
    t = time.perf_counter()
    steps = 3000
    before, after = heat_diffusion(steps=steps)
    t_heat = time.perf_counter() - t
    paths["heat"] = os.path.join(out, "heat.png")
    _heat_png(paths["heat"], before, after, steps, plt)
    print(f"Gray-Scott {GS['n']}x{GS['n']}, {GS['steps']} steps: {t_gs:.2f} s; heat "
          f"384x384, {steps} steps: {t_heat:.2f} s", file=stream)
    paths["plot"] = os.path.join(out, "scaling.png")
    paths["roofline"] = os.path.join(out, "roofline.png")
    paths["json"] = os.path.join(out, "compare.json")
    print("\ntiming each kernel on the backend backend='auto' runs for it ('pycompute compare "
          "--backends' times Cython and Numba side by side)", file=stream)
    if quick:
        print("timing at --quick sizes (small inputs, few repeats; 'pycompute demo --full' "
              "or 'pycompute compare' for full sizes):", file=stream)
    # the backend backend="auto" runs for each kernel: what a user's calls get (both native
    # backends side by side: 'pycompute compare --backends')
    run_compare(["sum", "gaussian_filter", "heat_step"], quick=quick, backends=("auto",),
                json_path=paths["json"], plot_path=paths["plot"], out=stream,
                progress=stream is sys.stdout, roofline_path=paths["roofline"])
    print("\nwrote:", file=stream)
    for p in paths.values():
        print(f"  {p}", file=stream)
    return paths
