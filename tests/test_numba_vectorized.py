"""The Numba float row kernels run packed SIMD, and stay as accurate as promised.

Issue 11: the lane loops of ``_sum_row`` and ``_var_row`` were written over small
local arrays, which LLVM left scalar (``vaddsd``), 10x behind NumPy. They now
run the 16 lanes as one ``<16 x double>`` (the ``_lanes`` intrinsics); this
checks the assembly holds packed double operations (``addpd``/``subpd``/
``mulpd`` on xmm, ymm or zmm, whichever width the host's ISA legalizes the
vector to), so a refactor that falls back to scalar code fails here rather than
in a benchmark. Kernels are cached on disk and Numba does not disassemble
cached code, so each is recompiled uncached from its Python source.

float32 sums (issue 11) run plain float64 lanes, one convert and one add per
element: ``_psum_lanes`` must hold packed converts (``cvtps2pd``) and adds, and so
must the Cython twin, ``pyc_psum_f32`` in kernels/reductions.pyx, found by name in
every compiled level of the extension (objdump). The min/max lanes
(``_minmax_row``) must hold packed compares.

Accuracy: as tests/test_reductions.py (float32 never worse than NumPy against
``math.fsum``), and also within one rounding of the result
dtype plus, for float64 (blocked TwoSum: 3 roundings inside each group of 8
values, then compensated) ``(3 + n eps64) * eps64 * sum|x|``, for float32 (plain
float64 accumulation) ``(n + 16) * eps64 * sum|x|``.
"""
import glob
import math
import os
import platform
import re
import shutil
import subprocess

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


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("layout", ["C", "A"])
def test_float32_sum_lanes_are_packed(layout):
    """Contiguous rows ('C') and the strided 1-D views of the fast path ('A')."""
    asm = _asm(R._psum_lanes, types.Array(types.float32, 1, layout), types.intp, types.intp,
               types.intp, LANE_ARR)
    assert _packed(asm, "add") >= 1, "float32 sum lanes fell back to scalar adds"
    if layout == "C":  # one vector load and convert per 16 elements
        assert re.search(r"\bv?cvtps2pd\b[^\n]*%[xyz]mm", asm), \
            "float32 sum lanes do not convert packed"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_minmax_lanes_are_packed(dtype):
    asm = _asm(R._minmax_row, types.Array(dtype, 1, "C"), types.intp, types.intp, types.intp)
    sfx = "ps" if dtype == types.float32 else "pd"
    cmps = re.findall(rf"\bv?cmp\w*{sfx}\b[^\n]*%[xyz]mm", asm)
    assert len(cmps) >= 2, "min/max lanes fell back to scalar compares"
    # float lanes: one packed min and one packed max per vector (NaNs counted apart),
    # not a compare-and-blend pair for each
    assert re.search(rf"\bv?min{sfx}\b[^\n]*%[xyz]mm", asm), "no packed min"
    assert re.search(rf"\bv?max{sfx}\b[^\n]*%[xyz]mm", asm), "no packed max"
    # out of cache the contiguous lanes prefetch ahead (MM_PF), as the Cython rows
    assert re.search(r"\bprefetcht0\b", asm), "the min/max lanes lost their prefetch"
    asm = _asm(R._argext_row, types.Array(dtype, 1, "C", readonly=True), types.intp,
               types.intp, types.intp, types.boolean, types.boolean)
    # the scan of the answer's block: packed equality compares (64 elements a step)
    assert re.search(rf"\bv?cmp\w*eq\w*{sfx}\b[^\n]*%[xyz]mm", asm), \
        "argmin/argmax's block scan fell back to scalar compares"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_argext_block_extreme_is_packed(dtype):
    """argmin/argmax's block extreme (``_ext_row``): packed min and max, no blend."""
    asm = _asm(R._ext_row, types.Array(dtype, 1, "C"), types.intp, types.intp, types.boolean)
    sfx = "ps" if dtype == types.float32 else "pd"
    assert re.search(rf"\bv?min{sfx}\b[^\n]*%[xyz]mm", asm), "no packed min"
    assert re.search(rf"\bv?max{sfx}\b[^\n]*%[xyz]mm", asm), "no packed max"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_column_loops_are_packed(dtype):
    """Axis-0 reductions (column tasks): the row-at-a-time loops of ``_ext_cols``
    (min/max), ``_argext_cols`` and ``_sum_cols`` run packed along the columns."""
    ro = types.Array(dtype, 1, "C", readonly=True)
    ix = types.intp
    sfx = "ps" if dtype == types.float32 else "pd"
    asm = _asm(R._ext_cols, ro, ix, ix, ix, ix, ix, types.boolean, types.Array(dtype, 1, "C"), ix)
    assert len(re.findall(rf"\bv?cmp\w*{sfx}\b[^\n]*%[xyz]mm", asm)) >= 2, \
        "column min/max fell back to scalar compares"
    asm = _asm(R._argext_cols, ro, ix, ix, ix, ix, ix, ix, types.boolean,
               types.Array(dtype, 1, "C"), types.Array(types.int64, 1, "C"), ix, ix)
    assert len(re.findall(rf"\bv?cmp\w*{sfx}\b[^\n]*%[xyz]mm", asm)) >= 2, \
        "column argmin/argmax fell back to scalar compares"
    asm = _asm(R._sum_cols, ro, ix, ix, ix, ix, ix, LANE_ARR, LANE_ARR, ix, types.boolean)
    assert _packed(asm, "add") >= 1, "column sums fell back to scalar adds"
    if dtype == types.float32:  # the rows ahead, into L1, out of cache (pf)
        assert re.search(r"\bprefetcht0\b", asm), "float32 column sums lost their prefetch"
    # var's column deviations: packed subtract and multiply-add along the columns
    # (indexed buf[q + b * sb] they stayed scalar: 0.44x NumPy for float32)
    vasm = _asm(R._dev_row, ro, LANE_ARR, LANE_ARR, LANE_ARR)
    assert _packed(vasm, "sub") >= 1 and _packed(vasm, "(mul|fmadd\\w*)") >= 1, \
        "column variance deviations fell back to scalar code"
    if dtype == types.float64:  # the 8-row group's tree: 7 adds of whole vectors
        asm = _asm(R._tree8_rows, *([ro] * 8), LANE_ARR)
        assert _packed(asm, "add") >= 7, "the 8-row column group fell back to scalar code"
    if dtype == types.float32:
        assert re.search(r"\bv?cvtps2pd\b[^\n]*%[xyz]mm", asm), "column sums convert scalar"
        # the passes of 32 and 8 rows (out of cache, long runs): a packed add a row
        for fn, k in ((R._psum_rows32, 32), (R._psum_rows8, 8)):
            pasm = _asm(fn, LANE_ARR, ro, ix, ix)
            assert _packed(pasm, "add") >= k, f"the {k}-row column pass fell back to scalar code"
            assert re.search(r"\bv?cvtps2pd\b[^\n]*%[xyz]mm", pasm), k


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_integer_row_extreme_is_packed():
    """Integer rows' min/max (_iext_row, the whole-array and row-task extreme and
    argmin's block extreme): packed integer min and max, not the scalar lanes (int64:
    vpminsq where AVX-512 has it, a packed compare and blend before it)."""
    for dt, sfx in ((types.uint8, "ub"), (types.int32, "sd"), (types.int64, "sq")):
        asm = _asm(R._iext_row, types.Array(dt, 1, "C", readonly=True), types.intp,
                   types.intp, types.boolean, types.boolean)
        for op in ("min", "max"):
            ops = rf"p{op}{sfx}|pcmpgtq" if sfx == "sq" else rf"p{op}{sfx}"
            assert re.search(rf"\bv?(?:{ops})\b[^\n]*%[xyz]mm", asm), (dt, op)


def _cython_levels():
    here = os.path.dirname(pc.__file__)
    return sorted(glob.glob(os.path.join(here, "_kernels", "*", "reductions*.so")))


def _level_regs():
    """(extension, level, the vector registers its loops use) for every compiled level
    of the reductions extension (zmm at x86-64-v4, ymm at v3, xmm at the baseline)."""
    assert shutil.which("objdump"), "objdump (binutils) is needed to read the kernels"
    sos = _cython_levels()
    assert sos, "no compiled reductions extension"
    want = {"x86_64_v4": "zmm", "x86_64_v3": "ymm", "x86_64_v2": "xmm"}
    for so in sos:
        level = os.path.basename(os.path.dirname(so))
        yield so, level, want.get(level, "[xyz]mm")


def _loops(body, fn):
    """The loops of objdump's listing ``body`` of function ``fn``: for each backward
    jump inside it, the instructions from its target to the jump."""
    lines = []
    for ln in body.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s*(.*)", ln)
        if m:
            lines.append((int(m.group(1), 16), m.group(2)))
    loops = []
    for k, (addr, ins) in enumerate(lines):
        m = re.match(rf"j\w+\s+([0-9a-f]+) <{fn}\+0x[0-9a-f]+>", ins)
        if m and int(m.group(1), 16) <= addr:
            start = int(m.group(1), 16)
            loops.append("\n".join(i for a, i in lines[:k + 1] if a >= start))
    return loops


def _packed_loop(so, fn, ops, reg):
    """True if one loop of ``fn`` in ``so`` holds every op of ``ops`` on ``reg``
    registers, with no stack access (a spill) and no scalar float convert in it."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(rf"<{fn}>:\n(.*?)\n\n", out, re.S)
    assert m, f"{so}: {fn} not found"
    return any(all(re.search(rf"\bv?{op}\b[^\n]*%{reg}", lp) for op in ops)
               and "(%rsp)" not in lp and not re.search(r"\bv?cvts[sd]2s[sd]\b", lp)
               for lp in _loops(m.group(1), fn))


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_float32_sum_is_packed():
    """pyc_psum_f32's loop, at every compiled level: packed float32 -> float64
    converts and packed adds (zmm at x86-64-v4, ymm at v3, xmm at the baseline), in
    registers. At the baseline GCC once held the 32-byte lane vectors in xmm pairs
    through the stack, then converted element by element (0.7x NumPy's SSE sum)."""
    for so, level, reg in _level_regs():
        assert _packed_loop(so, "pyc_psum_f32", ("cvtps2pd", "addpd"), reg), level


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_block_extreme_is_packed():
    """argmin/argmax's block extreme and the whole-array min/max (``pyc_ext``) at every
    level: one loop of packed min (max) and unordered compares in registers. At the
    baseline the generic 64-byte vectors compiled to lane-by-lane compares and spills:
    ~1 ns an element, 10-25x NumPy's time."""
    for so, level, reg in _level_regs():
        for fn, sfx in (("pyc_ext_f32", "ps"), ("pyc_ext_f64", "pd")):
            for op in ("min", "max"):
                assert _packed_loop(so, fn, (op + sfx, r"cmp\w*" + sfx), reg), (level, fn, op)


def _cases(rng):
    for n in (1, 15, 17, 1000, 40_001, (1 << 16) + 5):
        yield rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
    big = rng.standard_normal(20_003) * 1e10
    yield np.concatenate([big, -big, rng.standard_normal(20_003)])  # cancellation
    yield np.full(70_001, 0.1)
    yield np.concatenate([[1e16], np.ones(50_000), [-1e16]])


def _ending_at_a_guard_page(n, dtype):
    """A writable 1-D array of ``n`` elements whose last byte is the last one before
    a page that cannot be read (a read past the end is a segfault, not a quiet
    wrong value). Returns (array, the mapping that keeps it alive)."""
    import ctypes
    import mmap
    page = mmap.PAGESIZE
    nbytes = n * np.dtype(dtype).itemsize
    pages = -(-nbytes // page) + 1
    m = mmap.mmap(-1, pages * page)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    assert libc.mprotect(addr + (pages - 1) * page, page, 0) == 0, ctypes.get_errno()
    return np.frombuffer(m, dtype, count=n, offset=(pages - 1) * page - nbytes), m


@pytest.mark.skipif(platform.system() != "Linux", reason="mprotect via the C library")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_stride_two_sums_pair_loads_stay_inside_the_view(dtype):
    """Views of stride two (``x[::2]``) load a block's 2 * LANES elements as one vector
    and keep the even ones, except the last full block, whose pair load would read
    one element past it. Views ending at the last element before an unreadable page
    (a read past them crashes), of every length to 100 and past a few block counts:
    sum, mean and var equal Cython's bits."""
    rng = np.random.default_rng(4)
    for n in list(range(1, 101)) + [255, 256, 257, 4099]:
        base, keep = _ending_at_a_guard_page(2 * n - 1, dtype)
        base[:] = (rng.standard_normal(2 * n - 1) * 10.0 ** rng.integers(-6, 6, 2 * n - 1))
        v = base[::2]
        assert v.shape == (n,)
        for name in ("sum", "mean", "var"):
            got = getattr(pc, name)(v, backend="numba", num_threads=1)
            want = getattr(pc, name)(v, backend="cython", num_threads=1)
            assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), (n, name, got, want)
        del v, base
        keep.close()


#: a shuffle or permute that reads memory: the even elements of a pair load (LLVM for
#: Zen 4/5 shuffles two loads with vpermt2ps; for Sapphire Rapids it permutes one 64-byte
#: load with vpermps)
_PAIR_LOAD = r"\b(v?shufp[sd]|vperm(?:[ti]2)?p[sd]|v?unpcklp[sd])\b[^\n]*\("


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
@pytest.mark.parametrize("dtype", [types.float32, types.float64])
def test_numba_stride_two_rows_load_pairs(dtype):
    """A float view's contiguous-form lanes on an 'A' array keep the even elements of
    a pair load with a shuffle that reads memory, not LANES scalar loads (0.6x NumPy's
    strided float32 sum): ``_psum_lanes`` (float32 sums and means of ``x[::2]``) and
    ``_sq_dev_c`` through ``_var_row`` (the variances' deviations, both dtypes).
    float64 sums keep TwoSum's element loads (``_two_sum_s``)."""
    arr = types.Array(dtype, 1, "A", readonly=True)
    if dtype == types.float32:
        asm = _asm(R._psum_lanes, arr, types.intp, types.intp, types.intp, LANE_ARR)
        assert re.search(_PAIR_LOAD, asm), \
            "stride-two sum lanes lost their pair loads"
    asm = _asm(R._var_row, arr, types.intp, types.intp, types.intp)
    assert re.search(_PAIR_LOAD, asm), \
        "stride-two lanes lost their pair loads"


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
            # float64: blocked TwoSum, 3 roundings a group of 8 values, then compensated
            # (a bound below NumPy's pairwise one; closer than NumPy on average:
            # tests/test_reductions.py); float32: plain float64 accumulation, and never
            # further from exact than NumPy
            if dtype == np.float64:
                first = 3 * eps64 + v.size * eps64 * eps64
            else:
                first = v.size * eps64 * (1 + 16 / v.size)
                assert ours <= theirs, (ours, theirs)
            bound = eps * abs(exact) + first * float(np.abs(x64).sum())
            assert ours <= bound, (v.size, ours, bound)
            mean = float(pc.mean(v, backend="numba", num_threads=num_threads))
            assert abs(mean - exact / v.size) <= 2 * eps * abs(exact / v.size) + bound / v.size


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_cython_column_loops_are_packed():
    """The Cython column loops (kernels/reductions.pyx, not inlined so that they can be
    found by name): packed converts and adds in the float32 row sum, packed adds in the
    float64 TwoSum row and 8-row group, packed min and max in the column extremes, packed compares in
    the column argmin/argmax, and the same in the integer rows and columns, at every level."""
    assert shutil.which("objdump"), "objdump (binutils) is needed to read the kernels"
    want = {"x86_64_v4": "zmm", "x86_64_v3": "ymm", "x86_64_v2": "xmm"}
    checks = {"pyc_psum_row_f32": ("cvtps2pd", "addpd"), "pyc_sum_row_f64": ("addpd", "subpd"),
              "pyc_psum_rows32_f32": ("cvtps2pd", "addpd"), "pyc_psum_rows8_f32": ("cvtps2pd", "addpd"),
              "pyc_iext_u8": ("pminub", "pmaxub"), "pyc_iext_i32": ("pminsd", "pmaxsd"),
              "pyc_iext_cols_u8": ("pminub", "pmaxub"), "pyc_iext_cols_i32": ("pminsd", "pmaxsd"),
              "pyc_iargext_cols_i32": (r"pcmp\w*d",),
              # argmin's finds: a packed min of p ^ v (int32), a packed or (bool rows)
              "pyc_ifind_i32": ("pminud",), "pyc_find_nz_u8": (r"(?:por|pternlog[dq])",),
              "pyc_sum_rows8_f64": ("addpd", "subpd"),
              "pyc_ext_cols_f32": ("minps", "maxps"), "pyc_ext_cols_f64": ("minpd", "maxpd"),
              "pyc_argext_cols_f32": (r"cmp\w*ps",), "pyc_argext_cols_f64": (r"cmp\w*pd",)}
    sos = _cython_levels()
    assert sos, "no compiled reductions extension"
    for so in sos:
        level = os.path.basename(os.path.dirname(so))
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True,
                             text=True, check=True).stdout
        reg = want.get(level, "[xyz]mm")
        for fn, ops in checks.items():
            m = re.search(rf"<{fn}>:\n(.*?)\n\n", out, re.S)
            assert m, f"{so}: {fn} not found"
            for op in ops:
                assert re.search(rf"\bv?{op}\b[^\n]*%{reg}", m.group(1)), (level, fn, op)
        # float32 column sums prefetch the rows ahead into L1 (out of cache: pf)
        m = re.search(r"<pyc_psum_cols_f32>:\n(.*?)\n\n", out, re.S)
        assert m and re.search(r"\bprefetcht0\b", m.group(1)), (level, "pyc_psum_cols_f32")
