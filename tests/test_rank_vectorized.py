"""The box medians' row loops, and the min/max filters' row combines (Cython), run
packed SIMD on both backends (issue 15).

``median_box``'s interior: the 3 x 3 row pair (kernels/rank.pyx ``pyc_med3x2_*``, Numba
``_med3x2_run``) reads four image rows and writes two through separate pointers, the
row quad (``pyc_med3x4_*``, ``_med3x4_run``) six and four; the
5 x 5 row sort (``pyc_hsort5_*``, ``_hsort5_run``) and row pair (``pyc_med5x2_*``,
``_med5x2_run``) are the generated circuit. Without ``restrict`` GCC needs more alias
checks than it versions for, and the 3 x 3 loop ran scalar; the Numba twins rely on
LLVM's runtime checks. Each is checked in its assembly: packed unsigned-byte min/max for uint8, packed float min/max for float32,
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
# packed min/max at least: the 3 x 3 pair 4 x 6 sorts + 20 combines (the quad: 6 x 6 +
# 2 x 18); the 5 x 5 row sort
# 18; the 5 x 5 pair 152, of which GCC folds a few (scalar code holds none)
WANT = {"pyc_med3x2": 40, "pyc_med3x4": 64, "pyc_hsort5": 18, "pyc_med5x2": 120}


def _packed(body, op, reg):
    return len(re.findall(rf"\b{op}\b[^\n]*%{reg}", body))


def _rank_functions(names):
    """(level, name, dtype suffix, packed-op pattern, vector register, disassembly) of
    each function ``name_u8`` / ``name_f32`` in each compiled rank extension."""
    assert shutil.which("objdump"), "objdump (binutils) is needed to read the kernels"
    here = os.path.dirname(pc.__file__)
    sos = sorted(glob.glob(os.path.join(here, "_kernels", "*", "rank*.so")))
    assert sos, "no compiled rank extension"
    for so in sos:
        level = os.path.basename(os.path.dirname(so))
        reg = LEVEL_REG.get(level, "[xyz]mm")
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True,
                             text=True, check=True).stdout
        for fn in names:
            for sfx, op in OPS.items():
                m = re.search(rf"<{fn}_{sfx}>:\n(.*?)\n\n", out, re.S)
                assert m, f"{so}: {fn}_{sfx} not found"
                yield level, fn, sfx, op, reg, m.group(1)


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_box_median_rows_are_packed():
    for level, fn, sfx, op, reg, body in _rank_functions(WANT):
        assert _packed(body, op, reg) >= WANT[fn], (level, fn, sfx)


# the min/max filters' row combines (kernels/rank.pyx pyc_comb*): one loop for min and
# one for max, each with this many combines an element
COMBINES = {"pyc_comb": 1, "pyc_comb_to": 1, "pyc_comb3": 2, "pyc_comb4": 3}


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_minmax_row_combines_are_packed():
    """The min/max filters' passes (van Herk's rows, the line pass's folds and doublings)
    are these four C loops: both the min and the max loop of each is packed on the level's
    register width, for uint8 and float32."""
    for level, fn, sfx, op, reg, body in _rank_functions(COMBINES):
        for kind in ("min", "max"):
            got = _packed(body, op.replace("(min|max)", kind), reg)
            assert got >= COMBINES[fn], (level, fn, sfx, kind, got)


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_numba_box_median_rows_are_packed(dtype):
    numba = pytest.importorskip("numba")
    from numba import types

    from pycompute._numba import rank as nbr

    ro = types.Array(getattr(types, dtype), 1, "C", readonly=True)
    rw = types.Array(getattr(types, dtype), 1, "C")
    op = OPS["u8" if dtype == "uint8" else "f32"]
    i64 = types.int64
    for fn, sig, want in ((nbr._med3x2_run, (ro, ro, ro, ro, rw, rw, i64), WANT["pyc_med3x2"]),
                          (nbr._med3x4_run, (ro,) * 6 + (rw,) * 4 + (i64,),
                           WANT["pyc_med3x4"]),
                          (nbr._hsort5_run, (ro, rw, i64), WANT["pyc_hsort5"]),
                          (nbr._med5x2_run, (ro, rw, rw, i64), WANT["pyc_med5x2"])):
        fresh = numba.njit(nogil=True)(fn.py_func)   # uncached: inspectable
        fresh.compile(sig)
        assert _packed(fresh.inspect_asm(sig), op, "[xyz]mm") >= want, (fn.py_func.__name__,
                                                                         dtype)
