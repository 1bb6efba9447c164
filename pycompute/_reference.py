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
