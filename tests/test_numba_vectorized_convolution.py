"""The hot loops of the Numba convolution kernels run packed SIMD.

Issue 11: the Numba correlate / separable kernels kept their accumulators in
memory and ran 2-3x behind Cython. Their hot loops are now explicit vector
code (the ``_vline``, ``_vdense4``/``_vdense1`` and ``_vbox`` intrinsics of
``pycompute/_numba/convolution.py``: 64-byte vectors, legalized by LLVM to
zmm on AVX-512, ymm on AVX2, xmm on SSE). This checks the assembly of one
small specialization of each: packed float32 multiply-adds (``vfmadd...ps`` on
AVX2/AVX-512 hosts, which have FMA; ``mulps``/``addps`` otherwise) and
float64 multiply then add (``mulpd`` + ``addpd``: scipy's arithmetic, no FMA)
on vector registers, and packed byte / word arithmetic for the uint8 box
filter. A refactor that falls back to scalar code fails here rather than in a
benchmark. Kernels are cached on disk and Numba does not disassemble cached
code, so each is recompiled uncached from its Python source.

The values: float32 work is the Cython kernels' (fma per tap in the same
order), so the two backends agree bit for bit on the fast paths; checked on
shapes that run the vector loops and their scalar tails.
"""
import platform
import re

import numpy as np
import pytest

import pycompute as pc

numba = pytest.importorskip("numba")
from numba import types  # noqa: E402

from pycompute._numba import convolution as C  # noqa: E402

X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
F32 = types.Array(types.float32, 1, "C")
F64 = types.Array(types.float64, 1, "C")
U8 = types.Array(types.uint8, 1, "C")
I64 = types.Array(types.int64, 1, "C")
ip = types.intp


def _asm(dispatcher, *argtypes):
    fresh = numba.njit(nogil=True)(dispatcher.py_func)  # uncached: inspectable
    sig = tuple(argtypes)
    fresh.compile(sig)
    return fresh.inspect_asm(sig)


def _count(asm, pattern):
    """Instructions matching ``pattern`` with a vector register operand (AT&T syntax)."""
    return len(re.findall(rf"\b{pattern}\b[^\n]*%[xyz]mm", asm))


def _has_fma():
    try:
        return "fma" in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


def _packed_f32_madds(asm):
    if _has_fma():
        return _count(asm, r"vfmadd\d+ps")
    return min(_count(asm, r"v?mulps"), _count(asm, r"v?addps"))


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_line_kernel_is_packed():
    # the 1-D pass of the fused separable filters and of the long-kernel path
    asm = _asm(C._line, F32, I64, ip, ip, F32, F32, ip, ip)
    # 4 accumulators per step, in each of the pair (+ / -) and plain tap loops
    assert _packed_f32_madds(asm) >= 12, "the float32 line pass fell back to scalar code"
    # the pairs u + v / u - v as packed adds and subtracts (a loop per sign), not as
    # fma(v, +-1, u): on the add pipes, not the FMA pipes the taps need
    assert _count(asm, r"v?addps") >= 4 and _count(asm, r"v?subps") >= 4
    asm = _asm(C._line, F64, I64, ip, ip, F64, F64, ip, ip)
    assert _count(asm, r"v?mulpd") >= 8, "the float64 line pass fell back to scalar code"
    assert _count(asm, r"v?addpd") >= 8
    assert _count(asm, r"vfmadd\d+pd") == 0, "float64 work must not contract into FMA"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_dense_kernel_is_packed():
    asm = _asm(C._dense_rows, F32, I64, ip, ip, ip, ip, F32, ip, F32, ip)
    # 4 rows x 2 vectors (8 chains) and 1 row x 4 vectors (4 chains)
    assert _packed_f32_madds(asm) >= 12, "the dense float32 kernel fell back to scalar code"


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_uint8_box_kernel_is_packed():
    asm = _asm(C._box, U8, I64, ip, ip, ip, ip, U8, ip)
    # window sums in 16-bit lanes, the exact division as a 32-bit multiply and shift
    assert _count(asm, r"v?paddw") >= 1, "the uint8 box sums fell back to scalar code"
    assert _count(asm, r"v?pmulld") >= 1, "the uint8 box division fell back to scalar code"


@pytest.mark.parametrize("shape", [(37, 300), (9, 64), (21, 1100), (6, 70)], ids=str)
def test_fast_paths_equal_cython_bit_for_bit(shape):
    # fma per tap in the same order on both backends: the float32 fast paths agree exactly
    # (the vector loops and the scalar tails: widths not multiples of 32 / 64)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape).astype(np.float32)
    for k in (3, 5, 9):
        w = rng.standard_normal((k, k)).astype(np.float32)
        for mode in ("reflect", "constant", "wrap"):
            kw = dict(mode=mode, cval=0.5)
            assert (pc.correlate(x, w, backend="numba", **kw).tobytes()
                    == pc.correlate(x, w, backend="cython", **kw).tobytes()), (k, mode)
    for sigma in (1.0, 2.0, 4.0):
        assert (pc.gaussian_filter(x, sigma, backend="numba").tobytes()
                == pc.gaussian_filter(x, sigma, backend="cython").tobytes()), sigma
    for axis in (0, 1):
        assert (pc.sobel(x, axis, backend="numba").tobytes()
                == pc.sobel(x, axis, backend="cython").tobytes()), axis
    img = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    for size in ((3, 3, 1), (5, 2, 1), (2, 9, 1)):
        assert (pc.uniform_filter(img, size, backend="numba").tobytes()
                == pc.uniform_filter(img, size, backend="cython").tobytes()), size


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", ["reflect", "constant", "nearest", "mirror", "wrap"])
def test_kernel_longer_than_axis(dtype, mode):
    # a 1-D kernel longer than the (last) axis runs the long path (_correlate1d_long ->
    # _long_line -> _line); it once raised a TypingError (a call with a wrong arity).
    # scipy.ndimage is the reference; float64 work is its arithmetic (bit for bit), float32
    # work rounds each fma in float32: 1e-5 relative covers the 9-tap sums of values <= 7.
    ndimage = pytest.importorskip("scipy.ndimage")
    x = np.arange(5.0).astype(dtype)
    for w in (np.ones(9), np.linspace(-1.0, 2.0, 11)):
        got = pc.correlate1d(x, w, mode=mode, cval=1.5, backend="numba")
        want = ndimage.correlate1d(x, w, mode=mode, cval=1.5)
        assert got.dtype == dtype
        if dtype == np.float64:
            assert got.tobytes() == want.tobytes(), (w.size, mode)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    x2 = np.arange(12.0).reshape(3, 4).astype(dtype)  # each row a long line; and axis 0
    for axis in (-1, 0):
        got = pc.correlate1d(x2, np.ones(9), axis=axis, mode=mode, backend="numba")
        want = ndimage.correlate1d(x2, np.ones(9), axis=axis, mode=mode)
        np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 0)


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_derivative_column_pair_is_packed():
    """The derivative compositions' column pass (pycompute/_numba/derivatives.py _col2:
    both kernels from one load of each row pair, _vcol2) holds both kernels'
    accumulators in vector registers: packed FMAs for float32 (one per pair and kernel
    per accumulator: 4 x 2 for the pair loop), packed multiplies and adds and no FMA
    for float64."""
    from pycompute._numba import derivatives as Dv

    asm = _asm(Dv._col2, F32, I64, ip, ip, F32, ip, F32, F32, F32, ip)
    assert _packed_f32_madds(asm) >= 16, "the float32 column pair fell back to scalar code"
    asm = _asm(Dv._col2, F64, I64, ip, ip, F64, ip, F64, F64, F64, ip)
    assert _count(asm, r"v?mulpd") >= 8 and _count(asm, r"v?addpd") >= 8
    assert _count(asm, r"vfmadd\d+pd") == 0, "float64 work must not contract into FMA"


def _avx512f():
    try:
        return "avx512f" in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_generic_correlate_taps_are_packed():
    """The generic correlation (footprints the float32 dense path does not take, and all
    float64 work): four taps fused a pass over the accumulators (_taps4), two output rows
    fed by each loaded value on full grids (_taps4x2): float64 multiply then add, packed."""
    i64 = types.int64
    offs = types.Array(types.int64, 2, "C")
    asm = _asm(C._taps4, F64, F64, I64, i64, i64, i64, F64, offs, i64, i64, i64,
               types.float64)
    assert _count(asm, r"v?mulpd") >= 4 and _count(asm, r"v?addpd") >= 4
    asm = _asm(C._taps4x2, F64, F64, F64, i64, i64, i64, i64, F64, i64, i64, offs, i64, i64,
               types.float64)
    assert _count(asm, r"v?mulpd") >= 8 and _count(asm, r"v?addpd") >= 8


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_correlate1d_four_terms_are_packed():
    """The 1-D correlation (float64 work: the Gaussian of float64 images, any dtype's
    correlate1d) adds four terms a pass over the accumulators (_terms4): plain and paired
    (a +/- b) terms, float64 multiply then add, packed."""
    i64 = types.int64
    asm = _asm(C._terms4, F64, F64, i64, i64, i64, I64, F64, i64, i64, i64, i64, i64,
               types.float64)
    assert _count(asm, r"v?mulpd") >= 8 and _count(asm, r"v?addpd") >= 8


@pytest.mark.parametrize("dtype", ["float64", "int16", "float32"])
def test_generic_correlate_equals_cython_bit_for_bit(dtype):
    """The generic path's row pairs (odd heights: the last row alone), grids 1 to 6 wide
    (groups of four taps and single taps), a grid with a gap in every row (the same dx
    sequence: still a grid), a footprint that is no grid, every mode, 2 threads: Numba
    gives Cython's bytes (float64 work is scipy's arithmetic in both; float32 through a
    footprint with holes runs the generic path in both, fma per tap)."""
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((3, 37, 700)) * 100).astype(dtype)
    for kh, kw in ((1, 1), (2, 3), (3, 5), (5, 6), (4, 1)):
        w = rng.standard_normal((1, kh, kw))
        for wv in (w, np.where(np.arange(kw) % 3 == 1, 0.0, w)):   # a gap: still a grid
            for mode in ("reflect", "constant", "wrap", "nearest", "mirror"):
                kwargs = dict(mode=mode, cval=1.25, num_threads=2)
                a = pc.correlate(x, wv, backend="numba", **kwargs)
                b = pc.correlate(x, wv, backend="cython", **kwargs)
                assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), (kh, kw, mode)
    fp = rng.random((1, 3, 4)) < 0.6                            # no grid: one row a task
    w = np.where(fp, rng.standard_normal(fp.shape), 0.0)
    a = pc.correlate(x, w, backend="numba", mode="reflect")
    b = pc.correlate(x, w, backend="cython", mode="reflect")
    assert a.tobytes() == b.tobytes()


@pytest.mark.skipif(not X86, reason="instruction names checked are x86 ones")
def test_row_pass_takes_shifted_vectors_on_avx512():
    """The float32 row pass (_hline -> _vhline) takes each tap's vector as a shuffle of
    two loaded ones where Numba compiles for AVX-512, as pyc_hline_f32 does (GCC:
    valignd; LLVM: two-source permutes), instead of a cache-line-splitting load per
    tap; elsewhere it is _line's loop."""
    assert C.HLINE_SHIFTS == _avx512f(), "HLINE_SHIFTS does not follow the CPU's AVX-512F"
    asm = _asm(C._hline, F32, ip, ip, F32, F32, ip, ip, I64)
    if C.HLINE_SHIFTS:
        # 8 pair steps x 4 vectors x 2 shifted operands, once per sign (LLVM shares a
        # few between steps): well over 64 two-source shuffles on zmm registers
        shifts = _count(asm, r"(valign[dq]|vperm[it]2p[sd]|vshuff(32x4|64x2))")
        assert shifts >= 64, f"{shifts} shifted vectors in the row pass"
    assert _packed_f32_madds(asm) >= 12, "the float32 row pass fell back to scalar code"


@pytest.mark.parametrize("width", [1, 7, 63, 64, 71, 200, 333], ids=str)
def test_row_pass_equals_cython_for_every_window(width):
    # every odd window of the shifted-vector row pass (3 .. 17 taps: sigma 0.25 .. 2),
    # symmetric and antisymmetric (order 1), then one past it (19 taps: _line only);
    # widths around its 64-output blocks, its head (8 - K // 2 outputs) and its tail
    rng = np.random.default_rng(width)
    x = rng.standard_normal((5, width)).astype(np.float32)
    for sigma in (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.2):
        for order in (0, 1):
            for mode in ("reflect", "constant"):
                got = pc.gaussian_filter(x, sigma, order=(0, order), mode=mode, cval=0.5,
                                         backend="numba")
                want = pc.gaussian_filter(x, sigma, order=(0, order), mode=mode, cval=0.5,
                                          backend="cython")
                assert got.tobytes() == want.tobytes(), (sigma, order, mode)


def _fma_kernel(emulate):
    """njit f(a, b, c, out): out = fma(a, b, c) through _madd_ir, 16 lanes a vector
    (the kernels' width), the tail one element at a time."""
    from llvmlite import ir
    from numba import njit
    from numba.core import cgutils
    from numba.extending import intrinsic
    from pycompute._numba._vec import _madd_ir

    @intrinsic
    def one(typingctx, a, b, c):
        def codegen(context, builder, signature, args):
            return _madd_ir(builder, args[2], args[0], args[1], True, emulate=emulate)
        return types.float32(types.float32, types.float32, types.float32), codegen

    @intrinsic
    def sixteen(typingctx, a, b, c, out, i):
        def codegen(context, builder, signature, args):
            vt = ir.VectorType(ir.FloatType(), 16)
            ptrs = []
            for ty, v in zip(signature.args[:4], args[:4]):
                arr = context.make_array(ty)(context, builder, v)
                ptrs.append(builder.bitcast(builder.gep(arr.data, [args[4]]), vt.as_pointer()))
            va, vb, vc = (builder.load(p, align=4) for p in ptrs[:3])
            builder.store(_madd_ir(builder, vc, va, vb, True, emulate=emulate), ptrs[3], align=4)
            return context.get_dummy_value()
        return types.void(a, b, c, out, types.intp), codegen

    @njit
    def run(a, b, c, out):
        n = a.shape[0]
        i = 0
        while i + 16 <= n:
            sixteen(a, b, c, out, i)
            i += 16
        while i < n:
            out[i] = one(a[i], b[i], c[i])
            i += 1
    return run


def test_emulated_fma_gives_the_fma_bits():
    """On a CPU without FMA, LLVM makes ``llvm.fma`` a libm call per lane (glibc's
    software fmaf, ~19 ns); the float32 multiply-adds are then built from double
    arithmetic (``_vec._fma_f32_emulated``, the Cython baseline's rounding to odd).
    Both forms, forced, on random triples with specials and on triples that land on
    float32 midpoints (normal and subnormal): the emulation equals the hardware FMA
    (where the host has one) and exact rational arithmetic."""
    from fractions import Fraction
    from test_simd_levels import _FMA_TRIPLES, _round_f32
    ns = {}
    exec(_FMA_TRIPLES, ns)
    a, b, c = ns["triples"]()
    emu = np.empty_like(a)
    _fma_kernel(True)(a, b, c, emu)
    from pycompute._numba._vec import _has_fma
    if _has_fma():
        hw = np.empty_like(a)
        _fma_kernel(False)(a, b, c, hw)
        bad = np.flatnonzero(emu.view(np.uint32) != hw.view(np.uint32))
        assert bad.size == 0, (bad[:10], a[bad[:3]], b[bad[:3]], c[bad[:3]])
    for i in range(a.size - 25_000, a.size, 7):  # the midpoint families
        exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        assert emu[i] == _round_f32(exact), (i, a[i], b[i], c[i], emu[i])
    assert np.isnan(emu).sum() > 0  # the specials reached it


# float32 filters of wide-ranged data with a NaN, one backend, concatenated: run by
# the test below in a child process (Numba compiled for another CPU) and in itself
_FILTERS = r'''
import numpy as np, pycompute as pc
def filters(backend):
    rng = np.random.default_rng(5)
    img = (rng.standard_normal((61, 83)) * 10.0 ** rng.integers(-20, 20, (61, 83))).astype(np.float32)
    img[3, 4] = np.nan
    w = rng.standard_normal((5, 5)).astype(np.float32)
    outs = [pc.correlate(img, w, mode=m, backend=backend) for m in ("reflect", "constant")]
    outs.append(pc.gaussian_filter(img, 1.5, backend=backend))
    outs.append(pc.correlate1d(img, w[0], axis=0, backend=backend))
    outs.append(pc.sobel(img, backend=backend))
    return np.concatenate([o.ravel() for o in outs])
'''


@pytest.mark.skipif(not X86, reason="an x86 CPU without FMA, named to Numba")
def test_numba_filters_compiled_for_a_cpu_without_fma_keep_the_bits(tmp_path):
    """Numba compiled for Nehalem (SSE4.2, no FMA; NUMBA_CPU_NAME/FEATURES, a fresh
    cache): the float32 filters take the emulated FMA and give the Cython kernels'
    bits (which are the same at every SIMD level)."""
    import os
    import subprocess
    import sys
    code = _FILTERS + (
        "import sys\n"
        "from pycompute._numba._vec import _has_fma\n"
        "assert not _has_fma()\n"
        "np.save(sys.argv[1], filters('numba'))\n")
    env = dict(os.environ, NUMBA_CPU_NAME="nehalem",
               NUMBA_CPU_FEATURES="+sse,+sse2,+sse3,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16",
               NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    path = tmp_path / "numba.npy"
    res = subprocess.run([sys.executable, "-c", code, str(path)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    ns = {}
    exec(_FILTERS, ns)
    want = ns["filters"]("cython")
    got = np.load(path)
    assert got.tobytes() == want.tobytes(), np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))[:10]
