# Build facts of the compiled kernels, and the exported symbol by which
# threadpoolctl recognises pycompute's thread pool (see pycompute/_threads.py).
from _openmp cimport PYC_HAVE_OPENMP, pyc_omp_version

cdef extern from *:
    """
    #ifndef PYCOMPUTE_COMPILE_ARGS
    #define PYCOMPUTE_COMPILE_ARGS ""
    #endif
    static const char *pyc_simd_target(void) {
    #if defined(__AVX512F__)
        return "AVX-512 (512-bit)";
    #elif defined(__AVX2__)
        return "AVX2 (256-bit)";
    #elif defined(__AVX__)
        return "AVX (256-bit)";
    #elif defined(__SSE2__)
        return "SSE2 (128-bit)";
    #elif defined(__ARM_NEON)
        return "NEON (128-bit)";
    #else
        return "scalar";
    #endif
    }
    static const char *pyc_compiler(void) {
    #if defined(__clang__)
        return "clang " __clang_version__;
    #elif defined(__GNUC__)
        return "gcc " __VERSION__;
    #else
        return "unknown";
    #endif
    }
    """
    const char *PYCOMPUTE_COMPILE_ARGS
    const char *pyc_simd_target() noexcept nogil
    const char *pyc_compiler() noexcept nogil


cdef public int pycompute_threadpool_marker() noexcept nogil:
    """Exported so threadpoolctl can identify this library (check_symbols)."""
    return 1


def build_info():
    """Facts fixed when the kernels were compiled."""
    return {
        "openmp": bool(PYC_HAVE_OPENMP),
        "openmp_version": int(pyc_omp_version()),
        "compile_args": PYCOMPUTE_COMPILE_ARGS.decode(),
        "simd": pyc_simd_target().decode(),
        "compiler": pyc_compiler().decode(),
    }
