"""Plain NumPy/SciPy versions of every kernel: test oracle, serial baseline, fallback.

Each function has the signature of its public twin minus ``backend`` and
``num_threads``. Later families (convolution, simulation) add theirs here.
"""
from __future__ import annotations

import numpy as np

_NoValue = np._NoValue


def _kw(**kwargs):
    """Drop arguments left at NumPy's 'not given' sentinel."""
    return {k: v for k, v in kwargs.items() if v is not _NoValue}


# ---------------------------------------------------------------- reductions

def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    return np.sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                  **_kw(initial=initial, where=where))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=_NoValue):
    return np.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **_kw(where=where))


def min(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    return np.min(a, axis=axis, out=out, keepdims=keepdims, **_kw(initial=initial, where=where))


def max(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=_NoValue):
    return np.max(a, axis=axis, out=out, keepdims=keepdims, **_kw(initial=initial, where=where))


def argmin(a, axis=None, out=None, keepdims=False):
    return np.argmin(a, axis=axis, out=out, keepdims=keepdims)


def argmax(a, axis=None, out=None, keepdims=False):
    return np.argmax(a, axis=axis, out=out, keepdims=keepdims)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NoValue):
    return np.var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                  **_kw(where=where))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=_NoValue):
    return np.std(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                  **_kw(where=where))


def histogram(a, bins=10, range=None, density=None, weights=None):
    return np.histogram(a, bins=bins, range=range, density=density, weights=weights)


# ---------------------------------------------------------------- convolution
# Thin wrappers of scipy.ndimage (imported on first use: `import pycompute` stays fast).

def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    from scipy import ndimage

    return ndimage.correlate1d(input, weights, axis, output, mode, cval, origin)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    from scipy import ndimage

    return ndimage.convolve1d(input, weights, axis, output, mode, cval, origin)


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.correlate(input, weights, output, mode, cval, origin, axes=axes)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.convolve(input, weights, output, mode, cval, origin, axes=axes)


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    from scipy import ndimage

    return ndimage.uniform_filter1d(input, size, axis, output, mode, cval, origin)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *,
                   axes=None):
    from scipy import ndimage

    return ndimage.uniform_filter(input, size, output, mode, cval, origin, axes=axes)


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None):
    from scipy import ndimage

    return ndimage.gaussian_filter1d(input, sigma, axis, order, output, mode, cval, truncate,
                                     radius=radius)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0,
                    truncate=4.0, *, radius=None, axes=None):
    from scipy import ndimage

    return ndimage.gaussian_filter(input, sigma, order, output, mode, cval, truncate,
                                   radius=radius, axes=axes)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0):
    from scipy import ndimage

    return ndimage.sobel(input, axis, output, mode, cval)


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0):
    from scipy import ndimage

    return ndimage.prewitt(input, axis, output, mode, cval)


def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None):
    from scipy import ndimage

    return ndimage.laplace(input, output, mode, cval, axes=axes)


# ---------------------------------------------------------------- simulation
#
# Arguments arrive validated (pycompute/simulation.py). Each step pads the state
# by one cell per axis with np.pad (scipy.ndimage mode names mapped to np.pad's)
# and adds the neighbour pairs axis by axis, in the order the kernels use.

_PAD_MODES = {"reflect": "symmetric", "grid-mirror": "symmetric", "mirror": "reflect",
              "nearest": "edge", "wrap": "wrap", "grid-wrap": "wrap",
              "constant": "constant", "grid-constant": "constant"}


def _modes(mode, ndim):
    return (mode,) * ndim if isinstance(mode, str) else tuple(mode)


def _pad1(x, modes, cval):
    """``x`` padded by one cell on each side of every axis."""
    for ax, m in enumerate(modes):
        width = [(0, 0)] * x.ndim
        width[ax] = (1, 1)
        pm = _PAD_MODES[m]
        kw = {"constant_values": cval} if pm == "constant" else {}
        x = np.pad(x, width, mode=pm, **kw)
    return x


def _shift(p, ax, d):
    """The interior of padded ``p`` moved by ``d`` (-1 or +1) along ``ax``."""
    n = p.shape[ax]
    return p[tuple(slice(1 + d, n - 1 + d) if i == ax else slice(1, -1) for i in range(p.ndim))]


def _finish_out(x, out):
    if out is None:
        return x
    out[...] = x
    return out


def heat_step(u, *, steps=1, alpha, mode="wrap", cval=0.0, out=None):
    u = np.asarray(u)
    t = u.dtype.type
    modes = _modes(mode, u.ndim)
    c0 = t(1.0 - 2.0 * u.ndim * alpha)
    al = t(alpha)
    x = u.copy()
    for _ in range(steps if x.size else 0):  # an empty grid stays empty
        p = _pad1(x, modes, t(cval))
        acc = None
        for ax in range(u.ndim):
            pair = _shift(p, ax, -1) + _shift(p, ax, 1)
            acc = pair if acc is None else acc + pair
        x = c0 * x + al * acc
    return _finish_out(x, out)


def life_step(board, *, steps=1, rule="B3/S23", mode="wrap", out=None):
    from ._validation import life_rule_bits

    board = np.asarray(board)
    bits = life_rule_bits(rule)
    table = np.array([(bits >> k) & 1 for k in range(18)], np.uint8)  # index count + 9*alive
    modes = _modes(mode, 2)
    x = board.astype(np.uint8)
    for _ in range(steps if x.size else 0):  # an empty board stays empty
        p = _pad1(x, modes, 0)
        n0, n1 = x.shape
        cnt = np.zeros(x.shape, np.uint8)
        for di in (0, 1, 2):
            for dj in (0, 1, 2):
                if di != 1 or dj != 1:
                    cnt += p[di:di + n0, dj:dj + n1]
        x = table[cnt + 9 * x]
    return _finish_out(x.astype(board.dtype), out)


def gray_scott_step(u, v, *, Du, Dv, F, k, dt=1.0, steps=1, mode="wrap"):
    u = np.asarray(u)
    v = np.asarray(v)
    t = u.dtype.type
    modes = _modes(mode, 2)
    Du, Dv, F, Fk, dt = t(Du), t(Dv), t(F), t(F + k), t(dt)
    x, y = u.copy(), v.copy()
    for _ in range(steps if x.size else 0):  # empty fields stay empty
        pu = _pad1(x, modes, 0)
        pv = _pad1(y, modes, 0)
        lu = (_shift(pu, 0, -1) + _shift(pu, 0, 1)) + (_shift(pu, 1, -1) + _shift(pu, 1, 1)) - 4 * x
        lv = (_shift(pv, 0, -1) + _shift(pv, 0, 1)) + (_shift(pv, 1, -1) + _shift(pv, 1, 1)) - 4 * y
        uvv = x * y * y
        x, y = (x + dt * (Du * lu - uvv + F * (1 - x)),
                y + dt * (Dv * lv + uvv - Fk * y))
    return x, y


def _pairs(pos, i0, i1, eps2):
    """Separations d = x_j - x_i (block of targets i0:i1 against all j) and |d|^2 + eps2."""
    d = pos[None, :, :] - pos[i0:i1, None, :]
    r2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1] + d[..., 2] * d[..., 2] + eps2
    return d, r2


def nbody_accelerations(pos, mass, *, G=1.0, softening):
    pos = np.asarray(pos)
    t = pos.dtype.type
    m = np.asarray(mass, pos.dtype)
    eps2 = t(float(softening) ** 2)
    acc = np.empty_like(pos)
    for i0 in range(0, pos.shape[0], 256):
        d, r2 = _pairs(pos, i0, i0 + 256, eps2)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(r2 > 0, m[None, :] / (r2 * np.sqrt(r2)), t(0))
        acc[i0:i0 + 256] = t(G) * np.einsum("ij,ijk->ik", w, d)
    return acc


def nbody_energy(pos, vel, mass, *, G=1.0, softening):
    pos = np.asarray(pos, np.float64)
    vel = np.asarray(vel, np.float64)
    m = np.asarray(mass, np.float64)
    eps2 = float(softening) ** 2
    kinetic = 0.5 * float(np.sum(m * np.sum(vel * vel, axis=1)))
    pot = 0.0
    for i0 in range(0, pos.shape[0], 256):
        _, r2 = _pairs(pos, i0, i0 + 256, eps2)
        with np.errstate(divide="ignore"):
            phi = np.where(r2 > 0, m[None, :] / np.sqrt(r2), 0.0).sum(axis=1)
        pot += float(np.sum(m[i0:i0 + 256] * phi))
    return kinetic - 0.5 * G * pot


def nbody_step(pos, vel, mass, *, dt, steps=1, G=1.0, softening):
    pos = np.array(pos)
    vel = np.array(vel)
    t = pos.dtype.type
    h, fdt = t(0.5 * dt), t(dt)
    acc = nbody_accelerations(pos, mass, G=G, softening=softening)
    for _ in range(steps):
        vel += h * acc
        pos += fdt * vel
        acc = nbody_accelerations(pos, mass, G=G, softening=softening)
        vel += h * acc
    return pos, vel


# ---------------------------------------------------------------- derivatives (pycompute.derivatives)
# scipy's functions from their defining module, not the scipy.ndimage namespace: code that
# swaps pycompute's functions into that namespace (to run scipy's tests, or as a shim)
# must not make the fallback call itself.

def _ndi_filters():
    from scipy import ndimage

    return getattr(ndimage, "_filters", ndimage)


def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *,
                                axes=None, **kwargs):
    return _ndi_filters().gaussian_gradient_magnitude(input, sigma, output, mode, cval,
                                                      axes=axes, **kwargs)


def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None,
                     **kwargs):
    return _ndi_filters().gaussian_laplace(input, sigma, output, mode, cval, axes=axes,
                                           **kwargs)


def generic_gradient_magnitude(input, derivative, output=None, mode="reflect", cval=0.0,
                               extra_arguments=(), extra_keywords=None, *, axes=None):
    return _ndi_filters().generic_gradient_magnitude(input, derivative, output, mode, cval,
                                                     extra_arguments, extra_keywords,
                                                     axes=axes)


def generic_laplace(input, derivative2, output=None, mode="reflect", cval=0.0,
                    extra_arguments=(), extra_keywords=None, *, axes=None):
    return _ndi_filters().generic_laplace(input, derivative2, output, mode, cval,
                                          extra_arguments, extra_keywords, axes=axes)


# ---------------------------------------------------------------- rank (min/max, rank filters)
# scipy.ndimage itself (imported on first use), the oracle and fallback of pycompute.rank.

def minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    from scipy import ndimage

    return ndimage.minimum_filter1d(input, size, axis, output, mode, cval, origin)


def maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    from scipy import ndimage

    return ndimage.maximum_filter1d(input, size, axis, output, mode, cval, origin)


def minimum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.minimum_filter(input, size, footprint, output, mode, cval, origin, axes=axes)


def maximum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.maximum_filter(input, size, footprint, output, mode, cval, origin, axes=axes)


def rank_filter(input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.rank_filter(input, rank, size, footprint, output, mode, cval, origin,
                               axes=axes)


def median_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                  origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.median_filter(input, size, footprint, output, mode, cval, origin, axes=axes)


def percentile_filter(input, percentile, size=None, footprint=None, output=None,
                      mode="reflect", cval=0.0, origin=0, *, axes=None):
    from scipy import ndimage

    return ndimage.percentile_filter(input, percentile, size, footprint, output, mode, cval,
                                     origin, axes=axes)
