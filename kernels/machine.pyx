# Machine-limit probes: peak FMA throughput and parallel streaming copy.
# Used by pycompute.machine (and the benchmarks) to express kernel speed as a
# fraction of what the machine can do, measured in the same run.
#
# Compiled once per SIMD level like every kernel family (setup.py), so the FMA
# probe measures the vectors of the level in use; build_info() says which.
from cython.parallel cimport prange
from libc.string cimport memcpy
from libc.stdint cimport uint8_t

cdef extern from *:
    """
    #ifndef PYCOMPUTE_COMPILE_ARGS
    #define PYCOMPUTE_COMPILE_ARGS ""
    #endif
    #ifndef PYCOMPUTE_LEVEL
    #define PYCOMPUTE_LEVEL "unknown"
    #endif
    static const char *pyc_simd_target(void) {
    #if defined(__AVX512F__)
        return "AVX-512 (512-bit)";
    #elif defined(__AVX2__)
        return "AVX2 (256-bit)";
    #elif defined(__AVX__)
        return "AVX (256-bit)";
    #elif defined(__SSE4_2__)
        return "SSE4.2 (128-bit)";
    #elif defined(__SSE2__)
        return "SSE2 (128-bit)";
    #elif defined(__ARM_NEON)
        return "NEON (128-bit)";
    #else
        return "scalar";
    #endif
    }
    """
    const char *PYCOMPUTE_COMPILE_ARGS
    const char *PYCOMPUTE_LEVEL
    const char *pyc_simd_target() noexcept nogil


def build_info():
    """The SIMD level this copy of the kernels was compiled for, its vectors and flags."""
    return {
        "level": PYCOMPUTE_LEVEL.decode(),
        "simd": pyc_simd_target().decode(),
        "compile_args": PYCOMPUTE_COMPILE_ARGS.decode(),
    }


cdef extern from "_machine.h" nogil:
    double pyc_fma_f32(long long iters, float seed)
    double pyc_fma_f64(long long iters, double seed)
    const int PYC_FMA_LANES_F32
    const int PYC_FMA_LANES_F64
    void pyc_stream_copy(const uint8_t* src, uint8_t* dst, Py_ssize_t n)


def fma(long long iters, bint double_precision, int n_threads):
    """Run the FMA loop ``iters`` times on each of ``n_threads`` threads.

    Returns flops performed (the caller times the call).
    """
    cdef int t
    cdef double sink = 0.0
    cdef int lanes = PYC_FMA_LANES_F64 if double_precision else PYC_FMA_LANES_F32
    with nogil:
        if n_threads > 1:
            for t in prange(n_threads, num_threads=n_threads, schedule="static"):
                if double_precision:
                    sink += pyc_fma_f64(iters, 1.0 + t)
                else:
                    sink += pyc_fma_f32(iters, 1.0 + t)
        else:
            sink = pyc_fma_f64(iters, 1.0) if double_precision else pyc_fma_f32(iters, 1.0)
    if sink == 12345.678:  # keeps the result alive
        print(sink)
    return float(iters) * 12 * lanes * 2 * n_threads


def copy(const uint8_t[::1] src, uint8_t[::1] dst, int n_threads):
    """dst[:] = src[:], STREAM-copy style: ordinary stores, counted as bytes read + written.

    Vector loads and ordinary stores in 1 MiB blocks (kernels/_machine.h); not
    memcpy, whose `rep movsb` / non-temporal stores skip the read-for-ownership
    that a kernel's stores pay."""
    cdef Py_ssize_t n = src.shape[0]
    cdef Py_ssize_t block = 1 << 20
    cdef Py_ssize_t nb = (n + block - 1) // block
    cdef Py_ssize_t b, lo, m
    if dst.shape[0] < n:
        raise ValueError("`dst` is smaller than `src`")
    if n == 0:
        return
    with nogil:
        if n_threads > 1:
            for b in prange(nb, num_threads=n_threads, schedule="static"):
                lo = b * block
                m = n - lo if n - lo < block else block
                pyc_stream_copy(&src[lo], &dst[lo], m)
        else:
            for b in range(nb):
                lo = b * block
                m = n - lo if n - lo < block else block
                pyc_stream_copy(&src[lo], &dst[lo], m)
