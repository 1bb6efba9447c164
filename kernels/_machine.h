/* Machine-limit probes for the benchmarks: a peak-FMA loop and a streaming copy.
 *
 * pyc_fma_f32/f64: 12 independent vector accumulators (enough to cover FMA
 * latency x issue width on current x86 and Arm cores), each updated
 * acc = acc * a + b; GCC emits one vfmadd per update at the avx2 and avx512
 * levels (512-bit at avx512) and a mul + add at baseline (no FMA there).
 * Returns a value so the loop is not removed.
 * Flops: iters * 12 * lanes * 2.
 */
#ifndef PYC_MACHINE_H
#define PYC_MACHINE_H
#include <stddef.h>
#include <string.h>

#if defined(__GNUC__) && (__GNUC__ >= 9 || defined(__clang__))
/* setup.py builds with -ffp-contract=off (same results at every SIMD level);
 * this probe measures the FMA rate, so it alone asks for contraction. */
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize ("fp-contract=fast")
#endif
typedef float pyc_m16f __attribute__((vector_size(64)));
typedef double pyc_m8d __attribute__((vector_size(64)));
#define PYC_FMA_LANES_F32 16
#define PYC_FMA_LANES_F64 8
#define PYC_FMA_BODY(VT, T, LANES)                                                   \
    VT a, b, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11;                      \
    for (int j = 0; j < LANES; j++) { a[j] = (T)0.999999; b[j] = (T)1e-7;           \
        x0[j] = seed; x1[j] = seed + 1; x2[j] = seed + 2; x3[j] = seed + 3;          \
        x4[j] = seed + 4; x5[j] = seed + 5; x6[j] = seed + 6; x7[j] = seed + 7;      \
        x8[j] = seed + 8; x9[j] = seed + 9; x10[j] = seed + 10; x11[j] = seed + 11; } \
    for (long long i = 0; i < iters; i++) {                                          \
        x0 = x0 * a + b; x1 = x1 * a + b; x2 = x2 * a + b; x3 = x3 * a + b;          \
        x4 = x4 * a + b; x5 = x5 * a + b; x6 = x6 * a + b; x7 = x7 * a + b;          \
        x8 = x8 * a + b; x9 = x9 * a + b; x10 = x10 * a + b; x11 = x11 * a + b;      \
    }                                                                                \
    VT s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;              \
    double r = 0; for (int j = 0; j < LANES; j++) r += s[j];                         \
    return r;
static inline double pyc_fma_f32(long long iters, float seed) { PYC_FMA_BODY(pyc_m16f, float, 16) }
static inline double pyc_fma_f64(long long iters, double seed) { PYC_FMA_BODY(pyc_m8d, double, 8) }
#if !defined(__clang__)
#pragma GCC pop_options
#endif
#else
#define PYC_FMA_LANES_F32 1
#define PYC_FMA_LANES_F64 1
static inline double pyc_fma_f32(long long iters, float seed) {
    float x[12]; for (int k = 0; k < 12; k++) x[k] = seed + k;
    for (long long i = 0; i < iters; i++) for (int k = 0; k < 12; k++) x[k] = x[k] * 0.999999f + 1e-7f;
    double r = 0; for (int k = 0; k < 12; k++) r += x[k]; return r;
}
static inline double pyc_fma_f64(long long iters, double seed) {
    double x[12]; for (int k = 0; k < 12; k++) x[k] = seed + k;
    for (long long i = 0; i < iters; i++) for (int k = 0; k < 12; k++) x[k] = x[k] * 0.999999 + 1e-7;
    double r = 0; for (int k = 0; k < 12; k++) r += x[k]; return r;
}
#endif

/* STREAM-style copy with ordinary vector loads and stores. Not memcpy: glibc's
 * memcpy uses `rep movsb` or non-temporal stores, which skip the
 * read-for-ownership that every kernel's ordinary stores pay, and so measures
 * a ceiling no kernel can reach. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static void pyc_stream_copy(const unsigned char *src, unsigned char *dst, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(__GNUC__) && (__GNUC__ >= 9 || defined(__clang__))
    /* the widest vector register the build targets (the asm barrier needs one) */
#if defined(__AVX512F__)
#define PYC_VB 64
#elif defined(__AVX__)
#define PYC_VB 32
#else
#define PYC_VB 16
#endif
    typedef double v8 __attribute__((vector_size(PYC_VB), aligned(1)));
    for (; i + 4 * PYC_VB <= n; i += 4 * PYC_VB) {
        v8 a, b, c, d;
        memcpy(&a, src + i, PYC_VB); memcpy(&b, src + i + PYC_VB, PYC_VB);
        memcpy(&c, src + i + 2 * PYC_VB, PYC_VB); memcpy(&d, src + i + 3 * PYC_VB, PYC_VB);
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("" : "+x"(a), "+x"(b), "+x"(c), "+x"(d));
#elif defined(__aarch64__)
        __asm__ volatile("" : "+w"(a), "+w"(b), "+w"(c), "+w"(d));
#endif
        memcpy(dst + i, &a, PYC_VB); memcpy(dst + i + PYC_VB, &b, PYC_VB);
        memcpy(dst + i + 2 * PYC_VB, &c, PYC_VB); memcpy(dst + i + 3 * PYC_VB, &d, PYC_VB);
    }
#undef PYC_VB
#endif
    for (; i < n; i++) dst[i] = src[i];
}
#endif
