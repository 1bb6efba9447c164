"""How far pycompute's float32 filters are from scipy.ndimage, element by element.

    python examples/float32_accuracy.py [--trials 200] [--seed 0] [--backend cython numba]

float32 input with float32 output runs in float32 with FMA; scipy accumulates
each output in float64 and rounds it once. Each output can therefore differ
from scipy's by a few float32 roundings of the terms it adds, so the bound that
holds for every element is relative to the sum of the magnitudes of those terms:

    |pycompute - scipy| <= c * eps32 * sum over the window of |w * x|

(eps32 = 2**-23; for a separable filter the window sum runs over the composed
weights, pass after pass). Measured in ulps of the output itself the
difference is unbounded: an output that cancels to nearly zero (a derivative
of smooth or offset data) has tiny ulps while its terms do not.

For random inputs (six value distributions, 1-D to 3-D shapes, every border
mode, three cvals, random weights up to 31 taps in 1-D and 13x13 dense, Gaussian
derivatives of order 0, 1 and 2 with sigma up to 6, sobel, prewitt, laplace and
uniform_filter), on both native backends at 1 and 2 threads, it prints per
filter: the outputs compared, the largest c seen ("max c") and the number of
taps of the largest pass of that call ("taps there"), the largest difference in
ulps of the output itself ("max ulps", nonzero outputs), and the tolerance
tests/test_convolution.py allows at that same element, (K + 2) * 4 * eps32 *
prod(sum|w|) * max|x|, in units of eps32 * sum|w * x| ("test tol there").
It stops with an AssertionError if an output whose terms are all zero differs.
"""
from __future__ import annotations

import argparse
import math

import numpy as np
import scipy.ndimage as ndi

import pycompute as pc

EPS32 = float(np.finfo(np.float32).eps)
MODES = ["reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror", "grid-constant",
         "grid-wrap"]


def data(rng, shape):
    """One of several float32 value distributions, chosen at random."""
    kind = rng.integers(6)
    if kind == 0:
        a = rng.standard_normal(shape) * 10
    elif kind == 1:
        a = rng.random(shape)
    elif kind == 2:  # large offset: derivatives cancel to near zero
        a = 1000 + rng.standard_normal(shape)
    elif kind == 3:  # smooth: derivatives small against the values
        a = ndi.gaussian_filter(rng.standard_normal(shape), 4) * 50 + 5
    elif kind == 4:  # magnitudes from 1e-3 to 1e3, either sign
        a = 10 ** rng.uniform(-3, 3, shape) * rng.choice([-1, 1], shape)
    else:  # an 8-bit image stored as float32
        a = rng.integers(0, 256, shape)
    return a.astype(np.float32)


def passes_abs(x, passes, mode, cval):
    """sum |w * x| over each output's window: the passes applied to |x| with |w|, in float64."""
    s = np.abs(x.astype(np.float64))
    for axis, w in passes:
        s = ndi.correlate1d(s, np.abs(np.asarray(w, np.float64)), axis=axis, mode=mode,
                            cval=abs(cval))
    return s


def gauss_weights(sigma, order, truncate=4.0):
    r = int(truncate * sigma + 0.5)
    delta = np.zeros(2 * r + 1)
    delta[r] = 1.0
    return ndi.gaussian_filter1d(delta, sigma, order=order, mode="constant", truncate=truncate)


def cases(rng, x, mode, cval):
    """(name, pycompute call, scipy call, sum|w*x|, taps per pass, norm) for one input."""
    nd = x.ndim
    kw = dict(mode=mode, cval=cval)
    out = []
    ax = int(rng.integers(nd))
    k = int(rng.integers(2, 32))
    w1 = rng.standard_normal(k).astype(np.float32)
    out.append(("correlate1d", lambda **b: pc.correlate1d(x, w1, axis=ax, **kw, **b),
                lambda: ndi.correlate1d(x, w1, axis=ax, **kw),
                passes_abs(x, [(ax, w1)], mode, cval), k, np.abs(w1).sum()))
    if nd <= 3:
        shape = tuple(int(rng.integers(1, {1: 32, 2: 14, 3: 6}[nd])) for _ in range(nd))
        wd = rng.standard_normal(shape).astype(np.float32)
        s = ndi.correlate(np.abs(x.astype(np.float64)), np.abs(wd.astype(np.float64)),
                          mode=mode, cval=abs(cval))
        out.append(("correlate", lambda **b: pc.correlate(x, wd, **kw, **b),
                    lambda: ndi.correlate(x, wd, **kw), s, wd.size, np.abs(wd).sum()))
        r = np.outer(rng.standard_normal(3), rng.standard_normal(5)).astype(np.float32)
        if nd == 2:
            s = ndi.correlate(np.abs(x.astype(np.float64)), np.abs(r.astype(np.float64)),
                              mode=mode, cval=abs(cval))
            out.append(("correlate rank-1", lambda **b: pc.correlate(x, r, **kw, **b),
                        lambda: ndi.correlate(x, r, **kw), s, 5, np.abs(r).sum()))
    size = int(rng.integers(2, 8))
    out.append(("uniform_filter", lambda **b: pc.uniform_filter(x, size, **kw, **b),
                lambda: ndi.uniform_filter(x, size, **kw),
                passes_abs(x, [(a, np.full(size, 1 / size)) for a in range(nd)], mode, cval),
                size, 1.0))
    for order in (0, 1, 2):
        sigma = float(rng.uniform(0.5, 6.0))
        w = gauss_weights(sigma, order)
        orders = [0] * nd
        orders[ax] = order
        ps = [(a, gauss_weights(sigma, orders[a])) for a in range(nd)]
        out.append((f"gaussian_filter order {order}",
                    lambda sigma=sigma, orders=orders, **b: pc.gaussian_filter(
                        x, sigma, order=orders, **kw, **b),
                    lambda sigma=sigma, orders=orders: ndi.gaussian_filter(
                        x, sigma, order=orders, **kw),
                    passes_abs(x, ps, mode, cval), w.size,
                    math.prod(float(np.abs(p[1]).sum()) for p in ps)))
    for name, smooth in (("sobel", [1, 2, 1]), ("prewitt", [1, 1, 1])):
        # scipy's order: the derivative along ``axis`` first, then the other axes
        ps = [(ax, [1, 0, 1])] + [(a, smooth) for a in range(nd) if a != ax]
        out.append((name, lambda name=name, **b: getattr(pc, name)(x, axis=ax, **kw, **b),
                    lambda name=name: getattr(ndi, name)(x, axis=ax, **kw),
                    passes_abs(x, ps, mode, cval), 3, 2.0 * sum(smooth) ** (nd - 1)))
    s = sum(passes_abs(x, [(a, [1, 2, 1])], mode, cval) for a in range(nd))
    out.append(("laplace", lambda **b: pc.laplace(x, **kw, **b), lambda: ndi.laplace(x, **kw),
                s, 3, 4.0 * nd))
    return out


def ulps(a, b):
    """|a - b| in units of the float32 spacing at |b|."""
    b32 = np.abs(b).astype(np.float32)
    u = np.abs(a.astype(np.float64) - b) / np.spacing(b32)
    return u[b32 >= np.finfo(np.float32).tiny]  # nonzero normal outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=200, help="random inputs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", nargs="+", default=["cython", "numba"])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    worst: dict[str, list] = {}
    for _ in range(args.trials):
        nd = int(rng.choice([1, 2, 2, 2, 3]))
        side = {1: (50, 5000), 2: (8, 300), 3: (4, 40)}[nd]
        shape = tuple(int(rng.integers(*side)) for _ in range(nd))
        x = data(rng, shape)
        mode = str(rng.choice(MODES))
        cval = float(rng.choice([0.0, 1.5, -300.0]))
        # the tests' scale, max|x| (their cvals never exceed it, so count |cval| too)
        scale = max(float(np.abs(x).max()), abs(cval) if "constant" in mode else 0.0, 1.0)
        for name, ours, theirs, s, taps, norm in cases(rng, x, mode, cval):
            ref = theirs()
            for be in args.backend:
                for n in args.threads:
                    got = ours(backend=be, num_threads=n)
                    diff = np.abs(got.astype(np.float64) - ref)
                    zero = s == 0
                    assert not diff[zero].any(), (name, "differs where sum|w*x| == 0")
                    c = np.zeros_like(diff)
                    c[~zero] = diff[~zero] / (EPS32 * s[~zero])
                    i = np.unravel_index(np.argmax(c), c.shape)
                    # tests/test_convolution.py: (taps + 2) * eps32 * norm * max|x| * 4
                    c_test = (taps + 2) * norm * scale * 4 / s[i] if s[i] else math.inf
                    w = worst.setdefault(name, [0.0, 0.0, math.inf, 0, 0])
                    w[3] += got.size
                    if c[i] > w[0]:
                        w[0], w[2], w[4] = float(c[i]), float(c_test), taps
                    u = ulps(got, ref)
                    w[1] = max(w[1], float(u.max()) if u.size else 0.0)
    print(f"{'filter':26s} {'outputs':>10s} {'max c':>7s} {'taps there':>10s} {'max ulps':>11s} "
          f"{'test tol there':>14s}")
    for name, (c, u, c_test, count, taps) in worst.items():
        tol = f"{c_test:14.1f}" if c > 0 else f"{'-':>14s}"
        print(f"{name:26s} {count:10d} {c:7.3f} {taps:10d} {u:11.0f} {tol}")
    print(f"overall max c = {max(w[0] for w in worst.values()):.3f}: "
          "|pycompute - scipy| <= c * eps32 * sum|w * x| held for every output")


if __name__ == "__main__":
    main()
