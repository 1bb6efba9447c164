"""The 3 x 3 box median's row-pair loops run packed SIMD on both backends (issue 15).

``median_box``'s interior (kernels/rank.pyx ``pyc_med3x2_*``/``pyc_med3x1_*``, Numba
``_med3x2``/``_med3x1``) reads six rows through separate pointers. Without
``restrict`` GCC needs more alias checks than it versions for, and that loop ran
scalar; the Numba twin relies on LLVM's runtime checks. Each is checked in its
assembly: packed unsigned-byte min/max for uint8, packed float min/max for float32,
on the register width of the level (zmm at x86-64-v4, ymm at v3, xmm at the
baseline; Numba: any vector register, whatever the host legalizes to). The Cython
functions are not inlined so that objdump finds them by name; Numba's cached kernels
are not disassembled, so the Numba functions are recompiled uncached.
"""
import glob
import os
import platform
import re
import shutil
import subprocess

import pytest

import pycompute as pc

X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
LEVEL_REG = {"x86_64_v4": "zmm", "x86_64_v3": "ymm", "x86_64_v2": "xmm"}
OPS = {"u8": r"v?p(min|max)ub", "f32": r"v?(min|max)ps"}


def _packed(body, op, reg):
    return len(re.findall(rf"\b{op}\b[^\n]*%{reg}", body))


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_med3_rows_are_packed():
    assert shutil.which("objdump"), "objdump (binutils) is needed to read the kernels"
    here = os.path.dirname(pc.__file__)
    sos = sorted(glob.glob(os.path.join(here, "_kernels", "*", "rank*.so")))
    assert sos, "no compiled rank extension"
    for so in sos:
        level = os.path.basename(os.path.dirname(so))
        reg = LEVEL_REG.get(level, "[xyz]mm")
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True,
                             text=True, check=True).stdout
        for fn in ("pyc_med3x2", "pyc_med3x1"):
            for sfx, op in OPS.items():
                m = re.search(rf"<{fn}_{sfx}>:\n(.*?)\n\n", out, re.S)
                assert m, f"{so}: {fn}_{sfx} not found"
                # a row pair: 4 rows sorted (6 each) + 20 combines; one row: 3 x 6 + 12
                want = 40 if fn == "pyc_med3x2" else 25
                assert _packed(m.group(1), op, reg) >= want, (level, fn, sfx)


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_numba_med3_rows_are_packed(dtype):
    numba = pytest.importorskip("numba")
    from numba import types

    from pycompute._numba import rank as nbr

    ro = types.Array(getattr(types, dtype), 1, "C", readonly=True)
    rw = types.Array(getattr(types, dtype), 1, "C")
    op = OPS["u8" if dtype == "uint8" else "f32"]
    for fn, sig in ((nbr._med3x2, (ro, ro, ro, ro, rw, rw, types.int64)),
                    (nbr._med3x1, (ro, ro, ro, rw, types.int64))):
        fresh = numba.njit(nogil=True)(fn.py_func)   # uncached: inspectable
        fresh.compile(sig)
        asm = fresh.inspect_asm(sig)
        want = 40 if fn is nbr._med3x2 else 25
        assert _packed(asm, op, "[xyz]mm") >= want, (fn.py_func.__name__, dtype)
