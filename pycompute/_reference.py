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
