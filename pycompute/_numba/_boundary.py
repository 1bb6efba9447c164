"""Border-mode index arithmetic for Numba kernels: the twin of kernels/_boundary.pxd.

A plain ``njit`` function: LLVM inlines it where it pays, and Numba-IR
inlining (``inline="always"``) at every call site made parallel passes take
seconds to compile.
"""
from numba import njit

MODE_REFLECT = 0
MODE_MIRROR = 1
MODE_NEAREST = 2
MODE_WRAP = 3
MODE_CONSTANT = 4


@njit(nogil=True, cache=True)
def boundary_index(i, n, mode):
    """Index into [0, n) that position ``i`` (any integer) reads, or -1 for the constant."""
    if 0 <= i < n:
        return i
    if mode == MODE_CONSTANT:
        return -1
    if mode == MODE_NEAREST:
        return 0 if i < 0 else n - 1
    if mode == MODE_WRAP:
        return i % n  # Python semantics: already non-negative
    if mode == MODE_REFLECT:
        p = i % (2 * n)
        return p if p < n else 2 * n - 1 - p
    if n == 1:
        return 0
    p = i % (2 * n - 2)
    return p if p < n else 2 * n - 2 - p
