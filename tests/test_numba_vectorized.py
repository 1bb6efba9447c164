"""The Numba float row kernels run packed SIMD, and stay compensated-sum accurate.

Issue 11: the lane loops of ``_sum_row`` and ``_var_row`` were written over small
local arrays, which LLVM left scalar (``vaddsd``), 10x behind NumPy. They now
run the 16 lanes as one ``<16 x double>`` (the ``_lanes`` intrinsics); this
checks the assembly holds packed double operations (``addpd``/``subpd``/
``mulpd`` on xmm, ymm or zmm, whichever width the host's ISA legalizes the
vector to), so a refactor that falls back to scalar code fails here rather than
in a benchmark. Kernels are cached on disk and Numba does not disassemble
cached code, so each is recompiled uncached from its Python source.

Accuracy: as tests/test_reductions.py (never worse than NumPy against
``math.fsum``), and also within one rounding of the result dtype plus the
compensated sum's second-order term ``n * eps64**2 * sum|x|``.
"""
import math
import platform
import re

import numpy as np
import pytest

import pycompute as pc

numba = pytest.importorskip("numba")
from numba import types  # noqa: E402

from pycompute._numba import reductions as R  # noqa: E402

X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")


def _asm(dispatcher, *argtypes):
    fresh = numba.njit(nogil=True)(dispatcher.py_func)  # uncached: inspectable
    sig = tuple(argtypes)
    fresh.compile(sig)
    return fresh.inspect_asm(sig)


def _packed(asm, op):
    """Count of packed-double ``op`` instructions on any vector register (AT&T syntax)."""
    return len(re.findall(rf"\bv?{op}pd\b[^\n]*%[xyz]mm", asm))


LANE_ARR = types.Array(types.float64, 1, "C")


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_sum_row_kernel_is_packed(dtype):
    asm = _asm(R._sum_lanes, types.Array(dtype, 1, "C"), types.intp, types.intp, types.intp,
               LANE_ARR, LANE_ARR)
    # TwoSum per lane: 3 adds, 3 subtractions on each vector register per block
    assert _packed(asm, "add") >= 3, "sum lanes fell back to scalar code"
    assert _packed(asm, "sub") >= 3, "sum lanes fell back to scalar code"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_var_row_kernel_is_packed(dtype):
    asm = _asm(R._var_row, types.Array(dtype, 1, "C"), types.intp, types.intp, types.intp)
    # the squared-deviation lanes: d = x - mean; Q += d*d; E += d
    assert _packed(asm, "mul") >= 1, "var lanes fell back to scalar code"
    assert _packed(asm, "sub") >= 1
    assert _packed(asm, "add") >= 2


def _cases(rng):
    for n in (1, 15, 17, 1000, 40_001, (1 << 16) + 5):
        yield rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
    big = rng.standard_normal(20_003) * 1e10
    yield np.concatenate([big, -big, rng.standard_normal(20_003)])  # cancellation
    yield np.full(70_001, 0.1)
    yield np.concatenate([[1e16], np.ones(50_000), [-1e16]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_numba_sum_accuracy_against_fsum(dtype, num_threads, rng):
    eps = float(np.finfo(dtype).eps)
    eps64 = float(np.finfo(np.float64).eps)
    for x in _cases(rng):
        x = x.astype(dtype)
        for v in (x, x[::3], x[::-1]):  # contiguous, strided, reversed (stride 1 after flip)
            x64 = v.astype(np.float64)
            exact = math.fsum(x64.tolist())
            ours = abs(float(pc.sum(v, backend="numba", num_threads=num_threads)) - exact)
            theirs = abs(float(np.sum(v)) - exact)
            assert ours <= theirs, (ours, theirs)
            bound = eps * abs(exact) + v.size * eps64 * eps64 * float(np.abs(x64).sum())
            assert ours <= bound, (v.size, ours, bound)
            mean = float(pc.mean(v, backend="numba", num_threads=num_threads))
            assert abs(mean - exact / v.size) <= 2 * eps * abs(exact / v.size) + bound / v.size
