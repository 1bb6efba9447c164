# Build facts, the CPU's features, and the exported symbol by which
# threadpoolctl recognises pycompute's thread pool (see pycompute/_threads.py).
#
# This module is compiled once, for the compiler's default target (plain
# x86-64 on x86), never for a SIMD level: it must load on any CPU, so that
# pycompute/_simd.py can read the CPU's features and choose which compiled
# level of the kernels (pycompute._kernels.<level>) is safe to import.
from _openmp cimport PYC_HAVE_OPENMP, pyc_omp_version

cdef extern from *:
    """
    #ifndef PYCOMPUTE_COMPILE_ARGS
    #define PYCOMPUTE_COMPILE_ARGS ""
    #endif
    static const char *pyc_compiler(void) {
    #if defined(__clang__)
        return "clang " __clang_version__;
    #elif defined(__GNUC__)
        return "gcc " __VERSION__;
    #else
        return "unknown";
    #endif
    }

    /* CPUID and XCR0 (the register state the OS saves on a context switch).
     * A feature is usable only if the CPU has it and, for AVX and AVX-512, the
     * OS has enabled the wider registers (OSXSAVE, then XCR0 bits). */
    #if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    #include <cpuid.h>
    #define PYC_X86 1
    static void pyc_cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
        r[0] = r[1] = r[2] = r[3] = 0;
        __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
    }
    static unsigned pyc_max_leaf(unsigned base) { return __get_cpuid_max(base, 0); }
    static unsigned long long pyc_xcr0(void) {
        unsigned lo, hi;
        __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));  /* xgetbv */
        return ((unsigned long long)hi << 32) | lo;
    }
    #else
    #define PYC_X86 0
    static void pyc_cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
        (void)leaf; (void)sub; r[0] = r[1] = r[2] = r[3] = 0;
    }
    static unsigned pyc_max_leaf(unsigned base) { (void)base; return 0; }
    static unsigned long long pyc_xcr0(void) { return 0; }
    #endif
    """
    const char *PYCOMPUTE_COMPILE_ARGS
    const bint PYC_X86
    const char *pyc_compiler() noexcept nogil
    void pyc_cpuid(unsigned leaf, unsigned sub, unsigned* r) noexcept nogil
    unsigned pyc_max_leaf(unsigned base) noexcept nogil
    unsigned long long pyc_xcr0() noexcept nogil


cdef public int pycompute_threadpool_marker() noexcept nogil:
    """Exported so threadpoolctl can identify this library (check_symbols)."""
    return 1


# (name, leaf, register index: 0 eax 1 ebx 2 ecx 3 edx, bit)
_CPUID_BITS = (
    ("sse2", 1, 3, 26), ("sse3", 1, 2, 0), ("ssse3", 1, 2, 9), ("fma", 1, 2, 12),
    ("cx16", 1, 2, 13), ("sse4_1", 1, 2, 19), ("sse4_2", 1, 2, 20), ("movbe", 1, 2, 22),
    ("popcnt", 1, 2, 23), ("osxsave", 1, 2, 27), ("avx", 1, 2, 28), ("f16c", 1, 2, 29),
    ("bmi1", 7, 1, 3), ("avx2", 7, 1, 5), ("bmi2", 7, 1, 8), ("avx512f", 7, 1, 16),
    ("avx512dq", 7, 1, 17), ("avx512cd", 7, 1, 28), ("avx512bw", 7, 1, 30),
    ("avx512vl", 7, 1, 31),
    ("lahf", 0x80000001, 2, 0), ("lzcnt", 0x80000001, 2, 5),
)


def cpu_features():
    """The x86 features this CPU has and the OS lets programs use, as a set of names.

    Names follow Linux's /proc/cpuinfo (``sse4_2``, ``avx2``, ``avx512bw``...);
    two more say what the OS enabled: ``os_avx`` (XCR0 saves the SSE and AVX
    registers) and ``os_avx512`` (it also saves the opmask and upper ZMM
    registers). Empty on other architectures.
    """
    cdef unsigned regs[4]
    cdef unsigned max_std, max_ext
    if not PYC_X86:
        return frozenset()
    max_std = pyc_max_leaf(0)
    max_ext = pyc_max_leaf(0x80000000)
    leaves = {}
    for leaf in (1, 7, 0x80000001):
        if (leaf < 0x80000000 and leaf > max_std) or (leaf >= 0x80000000 and leaf > max_ext):
            leaves[leaf] = (0, 0, 0, 0)
            continue
        pyc_cpuid(leaf, 0, regs)
        leaves[leaf] = (regs[0], regs[1], regs[2], regs[3])
    found = {name for name, leaf, reg, bit in _CPUID_BITS if (leaves[leaf][reg] >> bit) & 1}
    if "osxsave" in found:
        xcr0 = pyc_xcr0()
        if xcr0 & 0x6 == 0x6:
            found.add("os_avx")
            if xcr0 & 0xE0 == 0xE0:
                found.add("os_avx512")
    return frozenset(found)


def build_info():
    """Facts fixed when this module was compiled (the kernels' levels report their own)."""
    return {
        "openmp": bool(PYC_HAVE_OPENMP),
        "openmp_version": int(pyc_omp_version()),
        "compiler": pyc_compiler().decode(),
    }
