"""The fast N-body pair loops run the CPU's vector estimate, in both backends.

Issue 14 item 3: the pair loop ran at the vector divider's speed (vsqrtps +
vdivps, ~51-57% of the FMA peak on Zen 4). With softening it now takes the
reciprocal square root estimate and a first-order correction
(kernels/simulation.pyx, "The fast float32 path"; ``_vaccel`` in
pycompute/_numba/simulation.py). This checks the machine code holds that loop:
``vrsqrt14ps`` on zmm at the avx512 level, ``vrsqrtps`` on ymm at avx2, packed
FMAs next to it, and no estimate at the baseline level (the exact path), so a
refactor that falls back to the divider or to scalar code fails here rather than
in a benchmark. float64 (AVX-512 only): ``vrsqrt14pd`` and the cubic correction. Numba does not disassemble cached code, so the intrinsic is
compiled fresh in a small uncached wrapper.
"""
import glob
import os
import platform
import re
import shutil
import subprocess

import pytest

import pycompute as pc

X86 = platform.machine().lower() in ("x86_64", "amd64")
pytestmark = pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")

WANT = {"rsqrt14": ("vrsqrt14ps", "zmm"), "rsqrtps": ("vrsqrtps", "ymm")}


def _count(asm, op, reg):
    return len(re.findall(rf"\b{op}\b[^\n]*%{reg}", asm))


def test_numba_fast_pair_loop_is_the_vector_estimate():
    numba = pytest.importorskip("numba")
    from numba import types

    from pycompute._numba import simulation as S

    if not S.NBODY_ESTIMATE:  # a CPU without AVX2 + FMA: the exact loop, never the intrinsic
        assert S._nbody_estimate() == ""
        return
    op, reg = WANT[S.NBODY_ESTIMATE]
    vaccel = S._vaccel

    def one(px, py, pz, m, m53, tail, i, e):
        return vaccel(px, py, pz, m, m53, tail, i, e)

    fresh = numba.njit(nogil=True)(one)
    a = types.Array(types.float32, 1, "C")
    sig = (a, a, a, a, a, a, types.intp, types.float32)
    fresh.compile(sig)
    asm = fresh.inspect_asm(sig)
    assert _count(asm, op, reg) >= 2, f"no {op} on {reg} in the pair loop"
    # per 16 pairs: 3 FMAs for r2, 1 for the correction, 3 to accumulate
    assert len(re.findall(rf"\bvfn?madd\d+ps\b[^\n]*%{reg}", asm)) >= 14
    assert not re.search(r"\bv(sqrt|div)ps\b", asm), "the divider is back in the fast loop"
    if S.NBODY_ESTIMATE_F64:  # float64: vrsqrt14pd and the cubic correction's FMAs
        vaccel64 = S._vaccel64

        def one64(px, py, pz, m, tail, i, e):
            return vaccel64(px, py, pz, m, tail, i, e)

        d = types.Array(types.float64, 1, "C")
        sig = (d, d, d, d, d, types.intp, types.float64)
        fresh = numba.njit(nogil=True)(one64)
        fresh.compile(sig)
        asm = fresh.inspect_asm(sig)
        assert _count(asm, "vrsqrt14pd", "zmm") >= 2
        assert len(re.findall(r"\bvfn?m(add|sub)\d+pd\b[^\n]*%zmm", asm)) >= 20
        assert not re.search(r"\bv(sqrt|div)pd\b", asm)


def test_cython_levels_carry_their_estimate():
    assert shutil.which("objdump"), "objdump (binutils) is needed to read the kernels"
    here = os.path.dirname(pc.__file__)
    sos = sorted(glob.glob(os.path.join(here, "_kernels", "*", "simulation*.so")))
    assert sos, "no compiled simulation extension"
    levels = {"x86_64_v4": "rsqrt14", "x86_64_v3": "rsqrtps", "x86_64_v2": ""}
    seen = 0
    for so in sos:
        level = os.path.basename(os.path.dirname(so))
        if level not in levels:
            continue  # a native build: whatever its -march holds
        seen += 1
        asm = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True,
                             text=True, check=True).stdout
        est = levels[level]
        if est:
            op, reg = WANT[est]
            assert _count(asm, op, reg) >= 2, (level, f"no {op} on {reg}")
        else:
            assert not re.search(r"\bv?rsqrt(14)?ps\b", asm), (level, "an estimate at baseline")
        # float64's estimate: avx512 only
        assert bool(_count(asm, "vrsqrt14pd", "zmm")) == (est == "rsqrt14"), level
    assert seen == 3
