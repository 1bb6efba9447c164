"""Run every public kernel once on the Cython backend and check it against NumPy.

A standalone script, not a pytest module (no ``test_`` prefix, no test functions).
``tests/test_cpu_emulation.py`` runs it under ``qemu-x86_64 -cpu MODEL``, to
check that the kernels picked for an older CPU run there (no SIGILL) and give
the results they give natively at the same SIMD level::

    python tests/cpu_check.py --expect-level avx2 --out q_avx2.npz
    PYCOMPUTE_SIMD=avx2 python tests/cpu_check.py --expect-level avx2 --out n_avx2.npz
    python tests/cpu_check.py --compare q_avx2.npz n_avx2.npz

The first form imports pycompute, checks that ``pycompute.info()["simd"]["level"]``
is LEVEL (``--no-level-check`` skips that), calls each kernel of the list below
with ``backend="cython"`` and ``backend="numpy"`` (the reference), compares
them with the tolerances that tests/test_*.py state (exact for integer results,
float64 filters, Life, min/max/arg*, histograms; the float32 filter bound of
tests/test_convolution.py; the reduction and simulation bounds of
tests/test_reductions.py and tests/test_simulation.py), prints ``ok NAME`` per
kernel and saves every Cython result into the ``.npz`` under a stable key
``NAME.CASE``. It exits 1 at the first mismatch, naming the kernel, the case
and the largest difference. ``--compare`` exits 0 iff both files hold the same
keys and every array has the same dtype, shape and bytes.

Inputs are small (a few seconds under qemu) but wide enough to run the vector
loops and their tails. They are drawn with ``rng.random``/``rng.integers`` only,
which do no libm calls, so they are the same bits on every CPU. Numba is never
imported: under qemu its LLVM would take most of the time.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

LEVELS = ("baseline", "avx2", "avx512")
EPS32 = float(np.finfo(np.float32).eps)
#: heat / Gray-Scott tolerance per step, relative to the field's scale (tests/test_simulation.py)
RTOL_STEP = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-14}
GS = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, dt=1.0)


class Mismatch(Exception):
    pass


# ---------------------------------------------------------------- tolerances
# Each takes (got, ref) as float64-comparable arrays of equal dtype and shape and
# returns the allowed absolute difference (0: values must be equal).

def exact(got, ref):
    return 0.0


def conv(x, taps=1, norm=1.0):
    """tests/test_convolution.py ``assert_matches``: exact unless float32 -> float32, where
    |ours - scipy| <= (taps + 2) * eps32 * norm * max(max|x|, 1) * 4."""
    def tol(got, ref):
        if got.dtype == np.float32 and x.dtype == np.float32:
            scale = max(float(np.max(np.abs(x))), 1.0)
            return (taps + 2) * EPS32 * norm * scale * 4
        return 0.0
    return tol


def red_sum(x, axis=None, mean=False):
    """tests/test_reductions.py: (n + 32) * eps(result) * sum|x| per output element."""
    def tol(got, ref):
        if ref.dtype.kind not in "fc":
            return 0.0
        ax = np.abs(np.asarray(x, np.float64))
        count = max(1, x.size // max(1, ref.size))
        scale = np.sum(ax, axis=axis)
        if mean:
            scale = scale / count
        return (count + 32) * float(np.finfo(ref.dtype).eps) * scale + 1e-300
    return tol


def red_var(x):
    """tests/test_reductions.py: rtol 1e-4 (float32) / 1e-10 (float64), atol rtol * max(x^2)."""
    def tol(got, ref):
        rtol = 1e-4 if ref.dtype == np.float32 else 1e-10
        big = float(np.max(np.abs(np.asarray(x, np.float64)))) ** 2
        return rtol * big + rtol * np.abs(np.asarray(ref, np.float64)) + 1e-300
    return tol


def per_step(steps):
    """tests/test_simulation.py ``assert_close``: RTOL_STEP * steps * max(max|ref|, 1)."""
    def tol(got, ref):
        scale = max(float(np.max(np.abs(ref))), 1.0) if ref.size else 1.0
        return RTOL_STEP[ref.dtype] * max(steps, 1) * scale
    return tol


def rel_max(rtol, floor=0.0):
    """rtol * max|ref| (N-body accelerations and steps, tests/test_simulation.py)."""
    def tol(got, ref):
        return rtol * max(float(np.max(np.abs(ref))), floor)
    return tol


# ---------------------------------------------------------------- the cases

def cases():
    """[(kernel name, case label, call(backend) -> array | tuple, tolerance or tuple of them)]"""
    import pycompute as pc

    rng = np.random.default_rng(20240501)

    def uni(shape, dtype, lo=-1.0, hi=1.0):
        return (lo + (hi - lo) * rng.random(shape)).astype(dtype)

    out = []

    def add(name, label, fn, tol):
        out.append((name, label, fn, tol))

    # ------------------------------------------------ reductions (>= 1000 elements, odd sizes)
    r64 = uni(1003, np.float64)
    r32 = uni((37, 101), np.float32)
    r32b = uni(1000, np.float32)
    ri32 = rng.integers(-1000, 1000, 1003, dtype=np.int32)
    ri16 = rng.integers(-3000, 3000, (37, 41), dtype=np.int16)
    ru8 = rng.integers(0, 256, (37, 41), dtype=np.uint8)

    for label, a, axis in [("f64", r64, None), ("f32", r32b, None), ("f32_axis0", r32, 0),
                           ("f32_axis1", r32, 1), ("i32", ri32, None), ("u8_axis1", ru8, 1)]:
        add("sum", label, lambda b, a=a, axis=axis: pc.sum(a, axis=axis, backend=b),
            red_sum(a, axis))
    for label, a, axis in [("f64", r64, None), ("f32_axis1", r32, 1), ("i16_axis0", ri16, 0)]:
        add("mean", label, lambda b, a=a, axis=axis: pc.mean(a, axis=axis, backend=b),
            red_sum(a, axis, mean=True))
    for fname in ("min", "max", "argmin", "argmax"):
        fn = getattr(pc, fname)
        for label, a, axis in [("f64", r64, None), ("f32_axis0", r32, 0), ("f32_axis1", r32, 1),
                               ("i32", ri32, None), ("i16_axis1", ri16, 1), ("u8", ru8, None)]:
            add(fname, label, lambda b, fn=fn, a=a, axis=axis: fn(a, axis=axis, backend=b), exact)
    for fname in ("var", "std"):
        fn = getattr(pc, fname)
        for label, a, axis, ddof in [("f64", r64, None, 0), ("f32_axis0_ddof1", r32, 0, 1),
                                     ("f32_axis1", r32, 1, 0), ("i32", ri32, None, 1)]:
            add(fname, label,
                lambda b, fn=fn, a=a, axis=axis, ddof=ddof: fn(a, axis=axis, ddof=ddof,
                                                               backend=b),
                red_var(a))
    for label, a, kw in [("f64_bins16", r64, dict(bins=16)),
                         ("f32_bins32_range", r32, dict(bins=32, range=(-0.5, 0.5))),
                         ("i16_bins10", ri16, dict(bins=10)),
                         ("f64_edges", r64, dict(bins=np.array([-1, -0.3, 0, 0.1, 0.7, 1.0])))]:
        add("histogram", label, lambda b, a=a, kw=kw: pc.histogram(a, backend=b, **kw),
            (exact, exact))

    # ------------------------------------------------ convolution
    # float32 images >= 40 columns (75: two 32-column blocks of the AVX-512 kernel + a tail)
    x32 = uni((37, 75), np.float32)
    x64 = uni((37, 41), np.float64)
    xi16 = rng.integers(-60, 60, (37, 41), dtype=np.int16)
    xu8 = rng.integers(0, 256, (37, 41), dtype=np.uint8)
    xu8c = rng.integers(0, 256, (37, 41, 3), dtype=np.uint8)
    x32_3d = uni((5, 9, 43), np.float32)
    w3 = rng.random(3) * 2 - 1
    w4 = rng.random(4) * 2 - 1
    w5 = rng.random(5) * 2 - 1
    w7s = rng.random(7)
    w7s = (w7s + w7s[::-1]) / 2  # symmetric: scipy's paired path
    w5a = rng.random(5)
    w5a = (w5a - w5a[::-1]) / 2  # antisymmetric
    k33 = rng.random((3, 3)) * 2 - 1
    k55 = rng.random((5, 5)) * 2 - 1
    k55r1 = np.outer(rng.random(5), rng.random(5))  # rank 1: the separable float32 path
    k333 = rng.random((3, 3, 3)) * 2 - 1

    def n1(w):
        return float(np.abs(w).sum())

    for label, x, w, kw in [("f64_w5", x64, w5, dict()),
                            ("f32_w7sym_axis0", x32, w7s, dict(axis=0)),
                            ("f32_w5_wrap", x32, w5, dict(mode="wrap")),
                            ("f32_w5anti_constant", x32, w5a, dict(mode="constant", cval=0.5)),
                            ("i16_w3", xi16, w3, dict(mode="nearest")),
                            ("u8_w3_to_f32", xu8, w3, dict(output=np.float32))]:
        add("correlate1d", label, lambda b, x=x, w=w, kw=kw: pc.correlate1d(x, w, backend=b, **kw),
            conv(x, len(w), n1(w)))
    for label, x, w, kw in [("f32_w4_nearest", x32, w4, dict(mode="nearest")),
                            ("f64_w5anti_axis0", x64, w5a, dict(axis=0)),
                            ("f32_w7sym_mirror", x32, w7s, dict(mode="mirror", origin=1))]:
        add("convolve1d", label, lambda b, x=x, w=w, kw=kw: pc.convolve1d(x, w, backend=b, **kw),
            conv(x, len(w), n1(w)))
    for label, x, w, kw in [("f32_3x3", x32, k33, dict()),
                            ("f32_5x5", x32, k55, dict()),
                            ("f32_5x5_wrap", x32, k55, dict(mode="wrap")),
                            ("f32_5x5_rank1", x32, k55r1, dict(mode="nearest")),
                            ("f32_3x3x3", x32_3d, k333, dict(mode="reflect")),
                            ("f64_3x3_constant", x64, k33, dict(mode="constant", cval=0.25)),
                            ("f64_5x5", x64, k55, dict(mode="mirror")),
                            ("u8_3x3", xu8, np.abs(k33) * 0.3, dict()),
                            ("i16_3x3_to_f64", xi16, k33, dict(output=np.float64))]:
        add("correlate", label, lambda b, x=x, w=w, kw=kw: pc.correlate(x, w, backend=b, **kw),
            conv(x, w.size, n1(w)))
    for label, x, w, kw in [("f32_5x5_mirror", x32, k55, dict(mode="mirror")),
                            ("f32_3x3", x32, k33, dict()),
                            ("f64_3x3", x64, k33, dict(mode="nearest"))]:
        add("convolve", label, lambda b, x=x, w=w, kw=kw: pc.convolve(x, w, backend=b, **kw),
            conv(x, w.size, n1(w)))
    for label, x, size, kw in [("f64_5", x64, 5, dict()),
                               ("f32_4_axis0", x32, 4, dict(axis=0)),
                               ("u8_3", xu8, 3, dict()),
                               ("i16_6_wrap", xi16, 6, dict(mode="wrap"))]:
        add("uniform_filter1d", label,
            lambda b, x=x, size=size, kw=kw: pc.uniform_filter1d(x, size, backend=b, **kw), exact)
    for label, x, size, kw in [("u8_3_37x41x3", xu8c, 3, dict()),
                               ("u8_5", xu8, 5, dict()),
                               ("u8_3_constant", xu8, 3, dict(mode="constant", cval=7)),
                               ("f32_5", x32, 5, dict()),
                               ("f64_3x5", x64, [3, 5], dict(mode="nearest")),
                               ("i16_3", xi16, 3, dict())]:
        add("uniform_filter", label,
            lambda b, x=x, size=size, kw=kw: pc.uniform_filter(x, size, backend=b, **kw), exact)
    for label, x, sigma, kw, taps, norm in [
            ("f64_s1.5", x64, 1.5, dict(), 13, 1.0),
            ("f32_s2_axis0_order1", x32, 2.0, dict(axis=0, order=1), 17, 4.0),
            ("f32_s2", x32, 2.0, dict(), 17, 1.0)]:
        add("gaussian_filter1d", label,
            lambda b, x=x, sigma=sigma, kw=kw: pc.gaussian_filter1d(x, sigma, backend=b, **kw),
            conv(x, taps, norm))
    for label, x, sigma, kw, taps, norm in [
            ("f32_s2", x32, 2.0, dict(), 17, 1.0),
            ("f32_s1_wrap", x32, 1.0, dict(mode="wrap"), 9, 1.0),
            ("f64_s2", x64, 2.0, dict(), 17, 1.0),
            ("u8_s1", xu8, 1.0, dict(), 9, 1.0),
            ("f32_s2_3d", x32_3d, 2.0, dict(), 17, 1.0)]:
        add("gaussian_filter", label,
            lambda b, x=x, sigma=sigma, kw=kw: pc.gaussian_filter(x, sigma, backend=b, **kw),
            conv(x, taps, norm))
    for fname in ("sobel", "prewitt"):
        fn = getattr(pc, fname)
        for label, x, kw in [("f32_axis0", x32, dict(axis=0)), ("f32_axis1", x32, dict(axis=1)),
                             ("f64_axis0", x64, dict(axis=0)), ("i16_axis1", xi16, dict(axis=1)),
                             ("u8_axis0", xu8, dict(axis=0))]:
            add(fname, label, lambda b, fn=fn, x=x, kw=kw: fn(x, backend=b, **kw),
                conv(x, 3 * x.ndim, 2.0 * 4.0 ** (x.ndim - 1)))
    for label, x, kw in [("f32", x32, dict()), ("f64", x64, dict(mode="wrap")),
                         ("i16", xi16, dict()), ("f32_3d", x32_3d, dict(mode="nearest"))]:
        add("laplace", label, lambda b, x=x, kw=kw: pc.laplace(x, backend=b, **kw),
            conv(x, 3 * x.ndim, 4.0 * x.ndim))

    # ------------------------------------------------ rank filters (exact: values kept)
    # 37 x 133: the box medians' row-pair loops (129 interior columns: two 64-column
    # blocks and an overlapping last one), their edge lines and an odd last band
    yu8 = rng.integers(0, 256, (37, 133), dtype=np.uint8)
    y32 = uni((37, 133), np.float32)
    yi16 = rng.integers(-3000, 3000, (37, 133), dtype=np.int16)
    for label, x in [("u8", yu8), ("f32", y32), ("i16", yi16)]:
        for fname, args, kw in [("median_filter", (3,), dict()),
                                ("median_filter", (5,), dict(mode="wrap")),
                                ("minimum_filter", ((3, 5),), dict(mode="constant", cval=0)),
                                ("maximum_filter", (9,), dict(mode="nearest")),
                                ("percentile_filter", (30, (3, 4)), dict())]:
            fn = getattr(pc, fname)
            add(fname, f"{label}_{'x'.join(map(str, np.atleast_1d(args[-1])))}",
                lambda b, fn=fn, x=x, args=args, kw=kw: fn(x, *args, backend=b, **kw), exact)
    add("median_filter", "u8_15x15", lambda b: pc.median_filter(yu8, 15, backend=b), exact)
    yu16 = rng.integers(0, 65536, (37, 133)).astype(np.uint16)
    add("median_filter", "u16_9x9", lambda b: pc.median_filter(yu16, 9, backend=b), exact)

    # ------------------------------------------------ simulation (24x24-ish grids, a few steps)
    for label, u, steps, kw in [
            ("f64_24x24_wrap", uni((24, 24), np.float64, 0, 1), 5, dict(alpha=0.2)),
            ("f32_24x40_constant", uni((24, 40), np.float32, 0, 1), 5,
             dict(alpha=0.2, mode="constant", cval=0.25)),
            ("f64_1d_reflect", uni(67, np.float64, 0, 1), 3, dict(alpha=0.4, mode="reflect")),
            ("f32_3d_nearest", uni((5, 6, 35), np.float32, 0, 1), 2,
             dict(alpha=0.15, mode="nearest"))]:
        add("heat_step", label,
            lambda b, u=u, steps=steps, kw=kw: pc.heat_step(u, steps=steps, backend=b, **kw),
            per_step(steps))
    for label, board, kw in [("bool_24x40_B3S23_wrap", rng.random((24, 40)) < 0.35,
                              dict(steps=4)),
                             ("u8_24x24_B36S23_constant",
                              (rng.random((24, 24)) < 0.4).astype(np.uint8),
                              dict(steps=3, rule="B36/S23", mode="constant"))]:
        add("life_step", label, lambda b, x=board, kw=kw: pc.life_step(x, backend=b, **kw), exact)
    for label, dt, shape, steps, mode in [("f64_24x24_wrap", np.float64, (24, 24), 5, "wrap"),
                                          ("f32_24x40_reflect", np.float32, (24, 40), 5,
                                           "reflect")]:
        u = uni(shape, dt, 0.5, 1.0)
        v = uni(shape, dt, 0.0, 0.25)
        add("gray_scott_step", label,
            lambda b, u=u, v=v, steps=steps, mode=mode: pc.gray_scott_step(
                u, v, steps=steps, mode=mode, backend=b, **GS),
            (per_step(steps), per_step(steps)))
    bodies = {}
    for dt in (np.float64, np.float32):
        pos = uni((64, 3), dt, -1.0, 1.0)
        vel = uni((64, 3), dt, -0.1, 0.1)
        mass = 0.5 + rng.random(64)
        bodies[np.dtype(dt).name] = (pos, vel, mass)
    for name, (pos, vel, mass) in bodies.items():
        f64 = name == "float64"
        soft = 0.01 if f64 else 0.05
        add("nbody_accelerations", f"{name[0]}{name[-2:]}_64",
            lambda b, pos=pos, mass=mass, soft=soft: pc.nbody_accelerations(
                pos, mass, G=0.7, softening=soft, backend=b),
            rel_max(1e-12 if f64 else 2e-5))
        add("nbody_energy", f"{name[0]}{name[-2:]}_64",
            lambda b, pos=pos, vel=vel, mass=mass, soft=soft: np.float64(pc.nbody_energy(
                pos, vel, mass, G=0.7, softening=soft, backend=b)),
            lambda got, ref: 1e-12 * abs(float(ref)))
        add("nbody_step", f"{name[0]}{name[-2:]}_64_5steps",
            lambda b, pos=pos, vel=vel, mass=mass, soft=soft: pc.nbody_step(
                pos, vel, mass, dt=1e-3, steps=5, softening=soft, backend=b),
            (rel_max(1e-12), rel_max(1e-12)) if f64 else (rel_max(1e-5), rel_max(1e-4)))
    return out


KERNELS = ["sum", "mean", "min", "max", "argmin", "argmax", "var", "std", "histogram",
           "correlate1d", "convolve1d", "correlate", "convolve", "uniform_filter1d",
           "uniform_filter", "gaussian_filter1d", "gaussian_filter", "sobel", "prewitt",
           "laplace", "heat_step", "life_step", "gray_scott_step", "nbody_accelerations",
           "nbody_energy", "nbody_step"]


# ---------------------------------------------------------------- running and comparing

def _check(name, label, got, ref, tol):
    got, ref = np.asarray(got), np.asarray(ref)
    where = f"{name} [{label}]"
    if got.dtype != ref.dtype or got.shape != ref.shape:
        raise Mismatch(f"{where}: cython gives {got.dtype}{got.shape}, "
                       f"numpy {ref.dtype}{ref.shape}")
    if got.size == 0:
        return
    if got.dtype.kind == "b":
        got, ref = got.view(np.uint8), ref.view(np.uint8)
    g = got.astype(np.float64) if got.dtype.kind != "f" or got.dtype.itemsize < 8 else got
    r = ref.astype(np.float64) if ref.dtype.kind != "f" or ref.dtype.itemsize < 8 else ref
    if got.dtype.kind in "iu":  # exact, and without float64 rounding of int64
        bad = got != ref
        diff = np.abs(g - r)
        allowed = 0.0
    else:
        nan_g, nan_r = np.isnan(g), np.isnan(r)
        if not np.array_equal(nan_g, nan_r):
            raise Mismatch(f"{where}: NaN positions differ ({int(nan_g.sum())} vs "
                           f"{int(nan_r.sum())} NaNs)")
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(nan_r, 0.0, np.abs(g - r))
            diff = np.where((g == r), 0.0, diff)  # equal infinities
        allowed = tol(got, ref)
        bad = diff > allowed
    if np.any(bad):
        i = int(np.argmax(np.where(bad, diff, -1.0)))
        a = float(np.broadcast_to(allowed, diff.shape).reshape(-1)[i])
        gi, ri = float(g.reshape(-1)[i]), float(r.reshape(-1)[i])
        raise Mismatch(f"{where}: max difference {float(np.max(diff)):.6g} "
                       f"(allowed {a:.3g}) at flat index {i}: cython {gi!r}, numpy {ri!r}; "
                       f"{int(np.sum(bad))} of {got.size} elements differ")


def _as_tuple(res):
    return tuple(res) if isinstance(res, tuple) else (res,)


def run_kernels(out_path):
    import pycompute as pc  # noqa: F401

    results = {}
    todo = cases()
    seen = {}
    for name, _, _, _ in todo:
        seen[name] = seen.get(name, 0) + 1
    missing = [k for k in KERNELS if k not in seen]
    assert not missing, f"cpu_check.py calls no case of {missing}"
    t0 = time.perf_counter()
    done = {}
    for name, label, fn, tol in todo:
        try:
            got = _as_tuple(fn("cython"))
            ref = _as_tuple(fn("numpy"))
        except Exception as exc:  # noqa: BLE001 - report which kernel and case raised
            raise Mismatch(f"{name} [{label}]: {type(exc).__name__}: {exc}") from exc
        tols = tol if isinstance(tol, tuple) else (tol,)
        if len(got) != len(ref) or len(got) != len(tols):
            raise Mismatch(f"{name} [{label}]: cython returns {len(got)} values, numpy "
                           f"{len(ref)}, expected {len(tols)}")
        for j, (g, r, t) in enumerate(zip(got, ref, tols)):
            _check(name, label if len(got) == 1 else f"{label} result {j}", g, r, t)
            key = f"{name}.{label}" + (f".{j}" if len(got) > 1 else "")
            assert key not in results, key
            results[key] = np.array(g)  # a copy, whatever the kernel returned
        done[name] = done.get(name, 0) + 1
        if done[name] == seen[name]:
            print(f"ok {name}", flush=True)
    # Python-side inputs the kernels get that come from libm / NumPy's SIMD math (Gaussian
    # weights: np.exp): saved too, so a --compare difference there points at NumPy, not us.
    try:
        from pycompute.convolution import _gaussian_weights
        for sigma, order in ((1.0, 0), (1.5, 0), (2.0, 0), (2.0, 1)):
            results[f"_aux.gaussian_weights_s{sigma}_o{order}"] = np.asarray(
                _gaussian_weights(sigma, order, 4.0, None))
    except Exception as exc:  # noqa: BLE001 - private helper; diagnostics only
        print(f"note: gaussian weights not saved ({type(exc).__name__}: {exc})")
    if out_path:
        np.savez(out_path, **results)
    print(f"all {len(seen)} kernels ok ({len(todo)} cases, {len(results)} arrays) in "
          f"{time.perf_counter() - t0:.1f} s" + (f"; wrote {out_path}" if out_path else ""),
          flush=True)


def numpy_dispatch() -> list:
    """NumPy's runtime-dispatch targets enabled in this process (numpy >= 1.22).

    Printed as ``numpy dispatch: ...``: NumPy's own SIMD paths (e.g. ``np.exp`` with
    AVX-512, which pycompute uses for Gaussian weights) round differently from the
    libm ones, so a bitwise comparison with an emulated CPU needs the native run to
    disable those NumPy lacks there (``NPY_DISABLE_CPU_FEATURES``, see
    tests/test_cpu_emulation.py)."""
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as mu
    feats = getattr(mu, "__cpu_features__", {})
    return [f for f in getattr(mu, "__cpu_dispatch__", ()) if feats.get(f)]


def simd_info():
    """``pycompute.info()["simd"]`` without importing Numba where that can be avoided."""
    import pycompute as pc

    try:
        from pycompute._info import collect
        info = collect(numba_layer=False)
    except (ImportError, TypeError):
        info = None
    if info is None or "simd" not in info:
        info = pc.info()  # may import numba (for its threading layer)
    return info.get("simd"), info


def check_level(expect):
    simd, info = simd_info()
    level = simd.get("level") if isinstance(simd, dict) else None
    print(f"simd: {simd}", flush=True)
    if level != expect:
        import pprint
        print(f"LEVEL MISMATCH: expected SIMD level {expect!r}, pycompute uses {level!r}")
        pprint.pprint(info)
        return False
    return True


# keys whose float32 results come from the CPU's reciprocal square root estimate
# (softened N-body, kernels/simulation.pyx "The fast float32 path")
ESTIMATED = ("nbody_accelerations.f32", "nbody_step.f32")


def compare(a_path, b_path):
    with np.load(a_path, allow_pickle=False) as fa, np.load(b_path, allow_pickle=False) as fb:
        a = {k: fa[k] for k in fa.files}
        b = {k: fb[k] for k in fb.files}
    bad = []
    for k in sorted(set(a) - set(b)):
        bad.append(f"{k}: only in {a_path}")
    for k in sorted(set(b) - set(a)):
        bad.append(f"{k}: only in {b_path}")
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if x.dtype != y.dtype or x.shape != y.shape:
            bad.append(f"{k}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
        elif x.tobytes() != y.tobytes() and k.startswith(ESTIMATED) and x.dtype == np.float32:
            # vrsqrtps's bits are the implementation's (Intel, AMD and QEMU differ): the
            # fast float32 N-body loop agrees to its stated accuracy, not bit for bit
            d = float(np.abs(x.astype(np.float64) - y).max())
            if d > 4e-6 * float(np.abs(y).max()):
                bad.append(f"{k}: max difference {d:.6g} beyond 4e-6 of the largest value")
            else:
                print(f"ESTIMATE {k}: max difference {d:.6g} (the CPU's rsqrt estimate)")
        elif x.tobytes() != y.tobytes():
            xb = np.ascontiguousarray(x).reshape(-1).view(np.uint8).reshape(x.size, -1)
            yb = np.ascontiguousarray(y).reshape(-1).view(np.uint8).reshape(y.size, -1)
            n = int(np.any(xb != yb, axis=1).sum())
            with np.errstate(invalid="ignore", over="ignore"):
                d = (float(np.nanmax(np.abs(x.astype(np.float64) - y.astype(np.float64))))
                     if x.dtype.kind in "fiub" and x.size else float("nan"))
            bad.append(f"{k}: {n} of {x.size} elements differ, max difference {d:.6g}")
    for line in bad:
        print("DIFFERS " + line)
    if bad:
        print(f"{len(bad)} of {len(set(a) | set(b))} keys differ between {a_path} and {b_path}")
        return False
    print(f"identical: {len(a)} arrays in {a_path} and {b_path}")
    return True


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--expect-level", choices=LEVELS,
                   help="the SIMD level pycompute.info()['simd']['level'] must report")
    p.add_argument("--no-level-check", action="store_true",
                   help="skip the SIMD level check (builds without pycompute.info()['simd'])")
    p.add_argument("--out", help="write the Cython results to this .npz")
    p.add_argument("--compare", nargs=2, metavar=("A.npz", "B.npz"),
                   help="exit 0 iff both files hold bitwise identical arrays under the same keys")
    args = p.parse_args(argv)
    if args.compare:
        return 0 if compare(*args.compare) else 1
    if not args.no_level_check and args.expect_level is None:
        p.error("give --expect-level LEVEL (or --no-level-check)")

    t0 = time.perf_counter()
    import pycompute as pc
    print(f"python {sys.version.split()[0]}: {sys.executable} (prefix {sys.prefix})")
    print(f"pycompute {pc.__version__}: {pc.__file__}")
    print(f"import pycompute: {time.perf_counter() - t0:.2f} s")
    print(f"numpy {np.__version__} dispatch: {' '.join(numpy_dispatch()) or '-'}", flush=True)
    if "numba" in sys.modules:
        print("FAIL: `import pycompute` imported numba")
        return 1
    cy = {b.name: b for b in pc.backends()}["cython"]
    if not cy.available:
        print(f"FAIL: the cython backend is not available: {cy.reason}")
        return 1
    print(f"cython backend: {cy.reason}", flush=True)
    if not args.no_level_check and not check_level(args.expect_level):
        return 1
    try:
        run_kernels(args.out)
    except Mismatch as exc:
        print(f"MISMATCH {exc}", flush=True)
        return 1
    if "numba" in sys.modules:
        print("note: numba was imported while running the checks")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
