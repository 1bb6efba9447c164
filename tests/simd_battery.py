"""Every public kernel across dtypes, modes, layouts and fast paths, on the Cython backend.

Run by ``tests/test_simd_levels.py`` once per SIMD level, in a child process
with ``PYCOMPUTE_SIMD=<level>``::

    PYCOMPUTE_SIMD=avx2 python tests/simd_battery.py OUT.npz

It saves every result under a stable key; the test then checks that the files
of all levels are bitwise identical. Inputs are drawn with ``rng.random`` /
``rng.integers`` / ``standard_normal`` at the top, in the parent's NumPy, so
they are the same bits in every child. Sizes are chosen to reach the vector
loops, their tails and the fast paths (register-blocked dense float32 grid,
ring-copied rows, fused separable pairs, uint8 box, multi-block reductions)
while a baseline child (scalar ``fmaf``) still finishes in seconds.
"""
from __future__ import annotations

import sys

import numpy as np

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")


def cases(pc):
    """Yield (key, thunk) pairs; each thunk returns an array or a tuple of arrays."""
    rng = np.random.default_rng(20261129)
    f64 = rng.random((37, 133)) * 4 - 2
    f64[3, 5] = np.inf
    f64[7, 100] = np.nan
    base = {
        "u8": rng.integers(0, 256, (37, 133), dtype=np.uint8),
        "i16": rng.integers(-3000, 3000, (37, 133), dtype=np.int16),
        "i32": rng.integers(-10**6, 10**6, (37, 133), dtype=np.int32),
        "f32": (rng.random((37, 133), dtype=np.float32) * 4 - 2),
        "f64": f64,
    }
    cy = dict(backend="cython")
    w5 = rng.random(5) - 0.3
    w33 = rng.random((3, 3)) - 0.5
    for dn, x in base.items():
        for mode in MODES:
            k = f"{dn}.{mode}"
            yield f"correlate1d.{k}", lambda x=x, mode=mode: pc.correlate1d(x, w5, axis=0, mode=mode, cval=0.5, **cy)
            yield f"convolve1d.{k}", lambda x=x, mode=mode: pc.convolve1d(x, w5, axis=1, mode=mode, origin=1, **cy)
            yield f"correlate.{k}", lambda x=x, mode=mode: pc.correlate(x, w33, mode=mode, cval=1.5, **cy)
            yield f"convolve.{k}", lambda x=x, mode=mode: pc.convolve(x, w33, mode=mode, **cy)
            yield f"uniform_filter1d.{k}", lambda x=x, mode=mode: pc.uniform_filter1d(x, 4, axis=0, mode=mode, **cy)
            yield f"uniform_filter.{k}", lambda x=x, mode=mode: pc.uniform_filter(x, 3, mode=mode, **cy)
            yield f"gaussian_filter1d.{k}", lambda x=x, mode=mode: pc.gaussian_filter1d(x, 1.5, order=1, mode=mode, **cy)
            yield f"gaussian_filter.{k}", lambda x=x, mode=mode: pc.gaussian_filter(x, 1.5, mode=mode, **cy)
            yield f"sobel.{k}", lambda x=x, mode=mode: pc.sobel(x, axis=0, mode=mode, **cy)
            yield f"prewitt.{k}", lambda x=x, mode=mode: pc.prewitt(x, axis=-1, mode=mode, **cy)
            yield f"laplace.{k}", lambda x=x, mode=mode: pc.laplace(x, mode=mode, **cy)

    # rank filters: separable and fused min/max, footprints, the box medians' row-pair
    # loops (and their edge lines, overlapping last blocks, odd last bands), selection
    # networks, quickselect (the f64 image holds NaN and inf), uint8 histograms
    ring = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    for dn, x in base.items():
        for mode in ("reflect", "constant", "wrap"):
            k = f"{dn}.{mode}"
            yield f"minimum_filter.{k}", lambda x=x, mode=mode: pc.minimum_filter(x, 3, mode=mode, cval=2, **cy)
            yield f"maximum_filter.{k}", lambda x=x, mode=mode: pc.maximum_filter(x, (5, 9), mode=mode, **cy)
            yield f"maximum_fp.{k}", lambda x=x, mode=mode: pc.maximum_filter(x, footprint=ring, mode=mode, **cy)
            yield f"median3.{k}", lambda x=x, mode=mode: pc.median_filter(x, 3, mode=mode, cval=1, **cy)
            yield f"median5.{k}", lambda x=x, mode=mode: pc.median_filter(x, 5, mode=mode, **cy)
            yield f"percentile.{k}", lambda x=x, mode=mode: pc.percentile_filter(x, 30, (3, 4), mode=mode, **cy)
            yield f"rank_fp.{k}", lambda x=x, mode=mode: pc.rank_filter(x, 2, footprint=ring, mode=mode, **cy)
    yield "median15.u8", lambda: pc.median_filter(base["u8"], 15, **cy)
    u16 = rng.integers(0, 65536, (37, 133)).astype(np.uint16)  # the two-level histogram
    yield "median9.u16", lambda: pc.median_filter(u16, 9, **cy)
    yield "percentile15.i16", lambda: pc.percentile_filter(base["i16"], 70, 15, mode="wrap", **cy)
    yield "median5.u8.origin", lambda: pc.median_filter(base["u8"], 5, origin=(1, -2), mode="mirror", **cy)

    # float32 fast paths: dense register-blocked grids (ring rows), fused pairs, 3-D
    img = rng.random((150, 300), dtype=np.float32)
    for kw in (3, 5, 9, 17, 18):
        w = rng.random((kw, kw), dtype=np.float32) - np.float32(0.25)
        for mode in ("reflect", "wrap", "constant"):
            yield f"dense{kw}.{mode}", lambda w=w, mode=mode: pc.correlate(img, w, mode=mode, **cy)
    yield "gauss2d.f32", lambda: pc.gaussian_filter(img, 2.0, **cy)
    yield "gauss2d.f32.order", lambda: pc.gaussian_filter(img, (1.0, 3.0), order=(0, 2), mode="mirror", **cy)
    yield "sobel.last.f32", lambda: pc.sobel(img, axis=-1, mode="nearest", **cy)
    yield "rank1.f32", lambda: pc.correlate(img, np.outer(rng.random(4), rng.random(6)).astype(np.float32), **cy)
    vol = rng.random((6, 40, 50), dtype=np.float32)
    yield "dense3d.f32", lambda: pc.correlate(vol, rng.random((3, 3, 3), dtype=np.float32), mode="wrap", **cy)
    yield "gauss3d.f64", lambda: pc.gaussian_filter(vol.astype(np.float64), 1.0, **cy)
    rgb = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    yield "box.u8", lambda: pc.uniform_filter(rgb, (3, 3, 1), **cy)
    yield "box5.u8", lambda: pc.uniform_filter(rgb, (5, 5, 1), mode="constant", cval=17, **cy)

    # reductions: dtypes, axes, layouts, NaN
    r32 = rng.random((301, 517), dtype=np.float32) * 8 - 4
    r64 = rng.standard_normal((301, 517)) * 1e3
    rn = r32.copy()
    rn[100, 200] = np.nan
    ri = rng.integers(-1000, 1000, (301, 517), dtype=np.int32)
    rb = rng.integers(0, 200, (301, 517), dtype=np.uint8)
    zeros = np.where(rng.random((301, 517)) < 0.5, np.float32(0.0), np.float32(-0.0))
    arrays = {"f32": r32, "f64": r64, "nan": rn, "i32": ri, "u8": rb, "zeros": zeros,
              "f32T": r32.T, "f64neg": r64[::-1, ::-2]}
    for an, a in arrays.items():
        for ax in (None, 0, 1):
            for op in ("sum", "mean", "min", "max", "argmin", "argmax", "var", "std"):
                yield f"{op}.{an}.{ax}", lambda op=op, a=a, ax=ax: np.asarray(getattr(pc, op)(a, axis=ax, **cy))
    big = rng.random(3_000_017, dtype=np.float32)
    for op in ("sum", "mean", "min", "max", "argmin", "argmax", "var", "std"):
        yield f"{op}.big", lambda op=op: np.asarray(getattr(pc, op)(big, **cy))
    yield "histogram.f32", lambda: pc.histogram(big, bins=256, **cy)
    yield "histogram.f64", lambda: pc.histogram(r64, bins=37, range=(-2000, 2500), **cy)

    # simulation
    for dn, dt in (("f32", np.float32), ("f64", np.float64)):
        for nd, shape in ((1, (997,)), (2, (61, 130)), (3, (9, 20, 33))):
            u = rng.random(shape).astype(dt)
            for mode in ("wrap", "reflect", "nearest", "constant"):
                yield f"heat{nd}d.{dn}.{mode}", lambda u=u, mode=mode: pc.heat_step(
                    u, steps=5, alpha=0.1, mode=mode, cval=0.25, **cy)
        us = np.ones((64, 70), dt)
        vs = (rng.random((64, 70)) * 0.25).astype(dt)
        for mode in ("wrap", "reflect"):
            yield f"gray_scott.{dn}.{mode}", lambda us=us, vs=vs, mode=mode: pc.gray_scott_step(
                us, vs, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=6, mode=mode, **cy)
        for n in (1, 2, 63, 301):
            p = rng.standard_normal((n, 3)).astype(dt)
            v = rng.standard_normal((n, 3)).astype(dt)
            m = rng.random(n).astype(dt)
            yield f"nbody_acc.{dn}.{n}", lambda p=p, m=m: pc.nbody_accelerations(p, m, softening=0.01, **cy)
            # softening 0: the exact pair loop at every level (SSE intrinsics at the
            # baseline), compared bit for bit
            yield f"nbody_exact.{dn}.{n}", lambda p=p, m=m: pc.nbody_accelerations(p, m, softening=0.0, **cy)
            yield f"nbody_energy.{dn}.{n}", lambda p=p, v=v, m=m: np.asarray(
                pc.nbody_energy(p, v, m, softening=0.01, **cy))
            yield f"nbody_step.{dn}.{n}", lambda p=p, v=v, m=m: pc.nbody_step(
                p, v, m, dt=1e-3, steps=3, softening=0.01, **cy)
    board = rng.random((65, 130)) < 0.35
    for rule in ("B3/S23", "B36/S23", "B2/S"):
        for mode in ("wrap", "constant"):
            yield f"life.{rule}.{mode}", lambda rule=rule, mode=mode: pc.life_step(
                board, steps=7, rule=rule, mode=mode, **cy)


def run(path):
    import pycompute as pc

    out = {}
    for key, thunk in cases(pc):
        res = thunk()
        parts = res if isinstance(res, tuple) else (res,)
        for i, part in enumerate(parts):
            out[f"{key}#{i}"] = np.ascontiguousarray(part)
    out["__level__"] = np.array(pc.info()["simd"]["level"])
    from pycompute import _simd
    for dn in ("float32", "float64"):
        out[f"__nbody_estimate_{dn}__"] = np.array(
            _simd.kernels("simulation").nbody_estimate(dn))
    np.savez(path, **out)
    print(f"{len(out) - 3} results at level {out['__level__']}")


if __name__ == "__main__":
    run(sys.argv[1])
