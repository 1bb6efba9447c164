"""Numba backend: ``@njit(parallel=True, nogil=True, cache=True)`` kernels.

Each module here mirrors ``kernels/<family>.pyx``: same function names, same
arguments in the same order, the thread count last. Importing this package
imports Numba (slow, so it happens on the first Numba call, never at
``import pycompute``) and picks the threading layer (:mod:`._layer`).
"""
from ._layer import configure as _configure

_configure()
