/* Register-blocked float32 and uint8 filter loops for kernels/convolution.pyx.
 *
 * These are the hot loops of three fast paths (the Cython side prepares row
 * pointers and border tables, cuts tasks and runs them in parallel):
 *
 *   pyc_dense4_f32 / pyc_dense1_f32   full kh x kw grid of float32 taps, 4 (or 1)
 *                                      output rows at once
 *   pyc_line_f32                      one 1-D correlation (scipy's NI_Correlate1D term
 *                                      order, symmetric pairing included) over a line
 *   pyc_box_u8                        a uint8 box-filter window sum, divided exactly
 *
 * Every float32 output adds its terms in the same order, with the same
 * fused multiply-adds, as the generic kernels of convolution.pyx (which use
 * fmaf), so a pixel's value does not depend on which loop computed it, on the
 * vector width or on the thread count: fma is exactly rounded everywhere.
 *
 * Vectors: AVX-512F (16 floats) or AVX+FMA (8 floats) intrinsics where the
 * level being compiled targets them (setup.py compiles this once per SIMD
 * level: avx512, avx2; pycompute/_simd.py loads the one the CPU runs), SSE (4
 * floats, fma emulated exactly: pyc_fma4) at the baseline level, else width 1
 * (scalar fmaf): the same results, only slower.
 */
#ifndef PYC_FASTCONV_H
#define PYC_FASTCONV_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define PV_W 16
typedef __m512 pyc_v;
#define PV_LOAD(p) _mm512_loadu_ps(p)
#define PV_STORE(p, v) _mm512_storeu_ps((p), (v))
#define PV_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define PV_MUL(a, b) _mm512_mul_ps((a), (b))
#define PV_ADD(a, b) _mm512_add_ps((a), (b))
#define PV_SUB(a, b) _mm512_sub_ps((a), (b))
#define PV_SET1(x) _mm512_set1_ps(x)
#define PV_ZERO() _mm512_setzero_ps()
#define PYC_SIMD_NAME "avx512f"
#elif defined(__AVX__) && defined(__FMA__)
#include <immintrin.h>
#define PV_W 8
typedef __m256 pyc_v;
#define PV_LOAD(p) _mm256_loadu_ps(p)
#define PV_STORE(p, v) _mm256_storeu_ps((p), (v))
#define PV_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define PV_MUL(a, b) _mm256_mul_ps((a), (b))
#define PV_ADD(a, b) _mm256_add_ps((a), (b))
#define PV_SUB(a, b) _mm256_sub_ps((a), (b))
#define PV_SET1(x) _mm256_set1_ps(x)
#define PV_ZERO() _mm256_setzero_ps()
#define PYC_SIMD_NAME "avx2+fma"
#elif defined(__SSE4_2__)
/* x86 without FMA (the baseline level, x86-64-v2): fmaf was a libm call per tap
 * (software on a CPU without FMA), 20-60x slower than the AVX levels and 0.3x
 * scipy's correlate. pyc_fma4 below gives fmaf's bits on 4 lanes from SSE
 * double arithmetic. */
#include <smmintrin.h>
#include <nmmintrin.h>
#define PV_W 4
typedef __m128 pyc_v;
/* fmaf(a, b, c) on two lanes of floats held as doubles, as float32:
 * p = a * b is exact in double; s = RN_double(p + c), then cvtpd2ps. Rounding twice
 * errs only where s lands on a float rounding boundary (a midpoint: bits 0-28 of s
 * are 1 << 28) that p + c was not on, or where the float result is subnormal (its
 * midpoints sit higher); there s is rounded to odd instead (moved one ulp towards
 * p + c when TwoSum says the sum was inexact and s is even), which rounds right to
 * float since 53 >= 24 + 2 bits (Boldo & Melquiond, "Emulation of FMA and correctly
 * rounded sums: proved algorithms using rounding to odd", IEEE TC 2008). NaN and
 * inf sums are left alone (their TwoSum error is a NaN): see pyc_fma_nan. */
static inline __m128 pyc_fma_round2(__m128d a, __m128d b, __m128d c)
{
    __m128d p = _mm_mul_pd(a, b);
    __m128d s = _mm_add_pd(p, c);
    __m128i si = _mm_castpd_si128(s);
    __m128i mid = _mm_cmpeq_epi64(_mm_and_si128(si, _mm_set1_epi64x(0x1FFFFFFF)),
                                  _mm_set1_epi64x(0x10000000));
    __m128d mag = _mm_andnot_pd(_mm_set1_pd(-0.0), s);
    __m128i tiny = _mm_castpd_si128(_mm_cmplt_pd(mag, _mm_set1_pd(0x1p-126)));
    __m128i rare = _mm_or_si128(mid, tiny);
    if (__builtin_expect(!_mm_testz_si128(rare, rare), 0)) {
        __m128d bp = _mm_sub_pd(s, p);
        __m128d e = _mm_add_pd(_mm_sub_pd(p, _mm_sub_pd(s, bp)), _mm_sub_pd(c, bp));
        __m128i inexact = _mm_castpd_si128(_mm_and_pd(_mm_cmpneq_pd(e, _mm_setzero_pd()),
                                                      _mm_cmpord_pd(e, e)));
        __m128i even = _mm_cmpeq_epi64(_mm_and_si128(si, _mm_set1_epi64x(1)),
                                       _mm_setzero_si128());
        /* towards e: +1 (bits, sign-magnitude) where e and s share a sign, else -1 */
        __m128i differ = _mm_cmpgt_epi64(_mm_setzero_si128(),
                                         _mm_xor_si128(_mm_castpd_si128(e), si));
        __m128i delta = _mm_or_si128(differ, _mm_set1_epi64x(1));
        si = _mm_add_epi64(si, _mm_and_si128(_mm_and_si128(rare, _mm_and_si128(inexact, even)),
                                             delta));
        s = _mm_castsi128_pd(si);
    }
    return _mm_cvtpd_ps(s);
}
/* NaN results as the instruction gives them: a NaN a, else a NaN b, else a NaN c
 * (quieted); pyc_fma_round2's mul then add agrees except for an invalid product
 * (inf * 0) with a NaN c, where it gives the product's default NaN and the
 * instruction c. A check on the result (a rare branch), not in the rounding. */
static inline __m128 pyc_fma_nan(__m128 r, __m128 a, __m128 b, __m128 c)
{
    if (__builtin_expect(_mm_movemask_ps(_mm_cmpunord_ps(r, r)) != 0, 0)) {
        __m128 take_c = _mm_andnot_ps(_mm_cmpunord_ps(a, b), _mm_cmpunord_ps(c, c));
        __m128 qc = _mm_or_ps(c, _mm_castsi128_ps(_mm_set1_epi32(0x00400000)));
        r = _mm_blendv_ps(r, qc, take_c);
    }
    return r;
}
static inline __m128 pyc_fma4(__m128 a, __m128 b, __m128 c)
{
    __m128 lo = pyc_fma_round2(_mm_cvtps_pd(a), _mm_cvtps_pd(b), _mm_cvtps_pd(c));
    __m128 hi = pyc_fma_round2(_mm_cvtps_pd(_mm_movehl_ps(a, a)), _mm_cvtps_pd(_mm_movehl_ps(b, b)),
                               _mm_cvtps_pd(_mm_movehl_ps(c, c)));
    return pyc_fma_nan(_mm_movelh_ps(lo, hi), a, b, c);
}
#define PV_LOAD(p) _mm_loadu_ps(p)
#define PV_STORE(p, v) _mm_storeu_ps((p), (v))
#define PV_FMA(a, b, c) pyc_fma4((a), (b), (c))
#define PV_MUL(a, b) _mm_mul_ps((a), (b))
#define PV_ADD(a, b) _mm_add_ps((a), (b))
#define PV_SUB(a, b) _mm_sub_ps((a), (b))
#define PV_SET1(x) _mm_set1_ps(x)
#define PV_ZERO() _mm_setzero_ps()
#define PYC_SIMD_NAME "sse4.2"
#else
#define PV_W 1
typedef float pyc_v;
#define PV_LOAD(p) (*(p))
#define PV_STORE(p, v) (*(p) = (v))
#define PV_FMA(a, b, c) fmaf((a), (b), (c))
#define PV_MUL(a, b) ((a) * (b))
#define PV_ADD(a, b) ((a) + (b))
#define PV_SUB(a, b) ((a) - (b))
#define PV_SET1(x) (x)
#define PV_ZERO() 0.0f
#define PYC_SIMD_NAME "scalar"
#endif

/* fmaf for one value: the instruction where the level has FMA; at the baseline
 * (SSE4.2, no FMA: fmaf would be a libm call, in software on such a CPU) one
 * lane of pyc_fma_round2, the same bits. The scalar edges of the loops
 * below and convolution.pyx's generic float32 kernels (_madd) use it. */
static inline float pyc_fmaf1(float a, float b, float c)
{
#if PV_W == 4
    __m128 a1 = _mm_set_ss(a), b1 = _mm_set_ss(b), c1 = _mm_set_ss(c);
    return _mm_cvtss_f32(pyc_fma_nan(pyc_fma_round2(_mm_set1_pd(a), _mm_set1_pd(b),
                                                    _mm_set1_pd(c)), a1, b1, c1));
#else
    return fmaf(a, b, c);
#endif
}

/* out[i] = fmaf(a[i], b[i], c[i]) through PV_FMA, the operation every float32
 * filter tap runs, or (scalar, and the tail) through pyc_fmaf1: tests compare
 * its bits with the hardware's at every level (convolution.pyx fma_lanes). */
static void pyc_fma_lanes(const float *a, const float *b, const float *c, float *out,
                          ptrdiff_t n, int scalar)
{
    ptrdiff_t i = 0;
    for (; !scalar && i + PV_W <= n; i += PV_W)
        PV_STORE(out + i, PV_FMA(PV_LOAD(a + i), PV_LOAD(b + i), PV_LOAD(c + i)));
    for (; i < n; i++)
        out[i] = pyc_fmaf1(a[i], b[i], c[i]);
}

/* Prefetch nbytes from p (read, or write intent) one cache line at a time: rows a
 * later task reads, so DRAM streams overlap this task's arithmetic. */
static inline void pyc_prefetch(const void *p, ptrdiff_t nbytes, int write)
{
    const char *c = (const char *)p;
    if (p == NULL)
        return;
    if (write)
        for (ptrdiff_t j = 0; j < nbytes; j += 64)
            __builtin_prefetch(c + j, 1, 3);
    else
        for (ptrdiff_t j = 0; j < nbytes; j += 64)
            __builtin_prefetch(c + j, 0, 3);
}

/* ------------------------------------------------------------ dense grid */

/* Scalar value of one output: taps in C order, fma chain from 0 (as _corr_task). */
static inline float pyc_dense_px_f32(const float **rp, ptrdiff_t kh, ptrdiff_t kw,
                                     const float *w, ptrdiff_t j)
{
    float a = 0.0f;
    for (ptrdiff_t p = 0; p < kh; p++)
        for (ptrdiff_t q = 0; q < kw; q++)
            a = pyc_fmaf1(rp[p][j + q], w[p * kw + q], a);
    return a;
}

/* op[r][j] for r < 4, j < n: output row r reads source rows rp[r] .. rp[r + kh - 1],
 * element j + q for tap column q. 4 rows x 2 vectors = 8 independent FMA chains. */
#if defined(__AVX512F__)
/* AVX-512, kw <= 17: source row s is loaded once per 32 columns (three vectors,
 * the third masked to the kw - 1 elements it needs, so nothing past them is read)
 * and each shifted vector x[j + q .. j + q + 15] is one vpermt2ps of those, feeding
 * every output row that uses source row s. Unaligned loads at each tap offset would
 * split cache lines and halve the FMA rate. Returns the columns done (a multiple of 32). */
#define PYC_SH(A, B, k) ((k) == 0 ? (A) : (k) == 16 ? (B) : \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(B), _mm512_castps_si512(A), (k) & 15)))
#define PYC_PERM_TAPS(U0, U1, U2, U3)                                                    \
    for (ptrdiff_t q = 0; q < kw; q++) {                                                 \
        __m512 v0 = A0, v1 = A1, b;                                                      \
        if (q && __builtin_constant_p(q)) { /* kw known at compile time: valignd */       \
            v0 = PYC_SH(A0, A1, q);                                                      \
            v1 = PYC_SH(A1, A2, q);                                                      \
        } else if (q) {                                                                  \
            __m512i iq = _mm512_add_epi32(lanes, _mm512_set1_epi32((int)q));             \
            v0 = _mm512_permutex2var_ps(A0, iq, A1);                                     \
            v1 = _mm512_permutex2var_ps(A1, iq, A2);                                     \
        }                                                                                \
        if (U0) { b = _mm512_set1_ps(w0[q]); a00 = _mm512_fmadd_ps(v0, b, a00);          \
                  a01 = _mm512_fmadd_ps(v1, b, a01); }                                   \
        if (U1) { b = _mm512_set1_ps(w1[q]); a10 = _mm512_fmadd_ps(v0, b, a10);          \
                  a11 = _mm512_fmadd_ps(v1, b, a11); }                                   \
        if (U2) { b = _mm512_set1_ps(w2[q]); a20 = _mm512_fmadd_ps(v0, b, a20);          \
                  a21 = _mm512_fmadd_ps(v1, b, a21); }                                   \
        if (U3) { b = _mm512_set1_ps(w3[q]); a30 = _mm512_fmadd_ps(v0, b, a30);          \
                  a31 = _mm512_fmadd_ps(v1, b, a31); }                                   \
    }

static inline __attribute__((always_inline)) ptrdiff_t
pyc_dense4_perm_k(const float **rp, const ptrdiff_t kh, const ptrdiff_t kw, const float *w,
                  ptrdiff_t n, float **op, const float **pf, int npf, int stream)
{
    const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __mmask16 tail = (__mmask16)((1u << (kw - 1)) - 1u);
    ptrdiff_t j = 0;
    for (; j + 32 <= n; j += 32) {
        __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
        __m512 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0; i < npf; i++) {  /* the same columns of a later task's rows */
            __builtin_prefetch(pf[i] + j, 0, 2);
            __builtin_prefetch(pf[i] + j + 16, 0, 2);
        }
        for (ptrdiff_t s = 0; s < kh + 3; s++) {
            const float *src = rp[s] + j;
            __m512 A0 = _mm512_loadu_ps(src), A1 = _mm512_loadu_ps(src + 16);
            __m512 A2 = _mm512_maskz_loadu_ps(tail, src + 32);
            /* output row r uses kernel row s - r: rows lo .. hi take this source row */
            const float *w0 = w + s * kw, *w1 = w0 - kw, *w2 = w1 - kw, *w3 = w2 - kw;
            int lo = s - kh + 1 > 0 ? (int)(s - kh + 1) : 0, hi = s < 3 ? (int)s : 3;
            switch (lo * 4 + hi) {
            case 0: PYC_PERM_TAPS(1, 0, 0, 0) break;
            case 1: PYC_PERM_TAPS(1, 1, 0, 0) break;
            case 2: PYC_PERM_TAPS(1, 1, 1, 0) break;
            case 3: PYC_PERM_TAPS(1, 1, 1, 1) break;
            case 5: PYC_PERM_TAPS(0, 1, 0, 0) break;
            case 6: PYC_PERM_TAPS(0, 1, 1, 0) break;
            case 7: PYC_PERM_TAPS(0, 1, 1, 1) break;
            case 10: PYC_PERM_TAPS(0, 0, 1, 0) break;
            case 11: PYC_PERM_TAPS(0, 0, 1, 1) break;
            default: PYC_PERM_TAPS(0, 0, 0, 1) break;
            }
        }
        if (stream) {  /* non-temporal stores: every op[r] + j is 64-byte aligned */
            _mm512_stream_ps(op[0] + j, a00); _mm512_stream_ps(op[0] + j + 16, a01);
            _mm512_stream_ps(op[1] + j, a10); _mm512_stream_ps(op[1] + j + 16, a11);
            _mm512_stream_ps(op[2] + j, a20); _mm512_stream_ps(op[2] + j + 16, a21);
            _mm512_stream_ps(op[3] + j, a30); _mm512_stream_ps(op[3] + j + 16, a31);
        } else {
            _mm512_storeu_ps(op[0] + j, a00); _mm512_storeu_ps(op[0] + j + 16, a01);
            _mm512_storeu_ps(op[1] + j, a10); _mm512_storeu_ps(op[1] + j + 16, a11);
            _mm512_storeu_ps(op[2] + j, a20); _mm512_storeu_ps(op[2] + j + 16, a21);
            _mm512_storeu_ps(op[3] + j, a30); _mm512_storeu_ps(op[3] + j + 16, a31);
        }
    }
    if (stream)
        _mm_sfence();
    return j;
}

/* kw as a compile-time constant for the common widths (the tap loop unrolls). */
static ptrdiff_t pyc_dense4_perm(const float **rp, ptrdiff_t kh, ptrdiff_t kw,
                                 const float *w, ptrdiff_t n, float **op,
                                 const float **pf, int npf, int stream)
{
    if (kh == 3 && kw == 3)
        return pyc_dense4_perm_k(rp, 3, 3, w, n, op, pf, npf, stream);
    if (kh == 5 && kw == 5)
        return pyc_dense4_perm_k(rp, 5, 5, w, n, op, pf, npf, stream);
    switch (kw) {
    case 3: return pyc_dense4_perm_k(rp, kh, 3, w, n, op, pf, npf, stream);
    case 5: return pyc_dense4_perm_k(rp, kh, 5, w, n, op, pf, npf, stream);
    case 7: return pyc_dense4_perm_k(rp, kh, 7, w, n, op, pf, npf, stream);
    case 9: return pyc_dense4_perm_k(rp, kh, 9, w, n, op, pf, npf, stream);
    default: return pyc_dense4_perm_k(rp, kh, kw, w, n, op, pf, npf, stream);
    }
}
#endif

/* stream: non-temporal stores where the output rows are 64-byte aligned (outputs larger
 * than the caches, that nobody reads right away: no read-for-ownership of each line).
 * pf[0 .. npf): rows (at this piece's columns) a later task will read or write, to be
 * prefetched as the loop goes, a couple of cache lines per step, so DRAM works while
 * this task computes (a burst of prefetches up front would stall on the miss buffers). */
static void pyc_dense4_f32(const float **rp, ptrdiff_t kh, ptrdiff_t kw,
                           const float *w, ptrdiff_t n, float **op,
                           const float **pf, int npf, int stream)
{
    ptrdiff_t j = 0;
#if defined(__AVX512F__)
    if (kw >= 2 && kw <= 17)
        j = pyc_dense4_perm(rp, kh, kw, w, n, op, pf, npf,
                            stream && !(((uintptr_t)op[0] | (uintptr_t)op[1] | (uintptr_t)op[2]
                                         | (uintptr_t)op[3]) & 63));
#else
    (void)stream;
    for (int i = 0; i < npf; i++)
        pyc_prefetch(pf[i], n * (ptrdiff_t)sizeof(float), 0);
#endif
    for (; j + 2 * PV_W <= n; j += 2 * PV_W) {
        pyc_v a00 = PV_ZERO(), a01 = PV_ZERO(), a10 = PV_ZERO(), a11 = PV_ZERO();
        pyc_v a20 = PV_ZERO(), a21 = PV_ZERO(), a30 = PV_ZERO(), a31 = PV_ZERO();
        for (ptrdiff_t p = 0; p < kh; p++) {
            const float *s0 = rp[p] + j, *s1 = rp[p + 1] + j;
            const float *s2 = rp[p + 2] + j, *s3 = rp[p + 3] + j;
            const float *wp = w + p * kw;
            for (ptrdiff_t q = 0; q < kw; q++) {
                pyc_v wv = PV_SET1(wp[q]);
                a00 = PV_FMA(PV_LOAD(s0 + q), wv, a00);
                a01 = PV_FMA(PV_LOAD(s0 + q + PV_W), wv, a01);
                a10 = PV_FMA(PV_LOAD(s1 + q), wv, a10);
                a11 = PV_FMA(PV_LOAD(s1 + q + PV_W), wv, a11);
                a20 = PV_FMA(PV_LOAD(s2 + q), wv, a20);
                a21 = PV_FMA(PV_LOAD(s2 + q + PV_W), wv, a21);
                a30 = PV_FMA(PV_LOAD(s3 + q), wv, a30);
                a31 = PV_FMA(PV_LOAD(s3 + q + PV_W), wv, a31);
            }
        }
        PV_STORE(op[0] + j, a00); PV_STORE(op[0] + j + PV_W, a01);
        PV_STORE(op[1] + j, a10); PV_STORE(op[1] + j + PV_W, a11);
        PV_STORE(op[2] + j, a20); PV_STORE(op[2] + j + PV_W, a21);
        PV_STORE(op[3] + j, a30); PV_STORE(op[3] + j + PV_W, a31);
    }
    for (; j + PV_W <= n; j += PV_W) {
        pyc_v a0 = PV_ZERO(), a1 = PV_ZERO(), a2 = PV_ZERO(), a3 = PV_ZERO();
        for (ptrdiff_t p = 0; p < kh; p++) {
            const float *wp = w + p * kw;
            for (ptrdiff_t q = 0; q < kw; q++) {
                pyc_v wv = PV_SET1(wp[q]);
                a0 = PV_FMA(PV_LOAD(rp[p] + j + q), wv, a0);
                a1 = PV_FMA(PV_LOAD(rp[p + 1] + j + q), wv, a1);
                a2 = PV_FMA(PV_LOAD(rp[p + 2] + j + q), wv, a2);
                a3 = PV_FMA(PV_LOAD(rp[p + 3] + j + q), wv, a3);
            }
        }
        PV_STORE(op[0] + j, a0); PV_STORE(op[1] + j, a1);
        PV_STORE(op[2] + j, a2); PV_STORE(op[3] + j, a3);
    }
    for (; j < n; j++)
        for (int r = 0; r < 4; r++)
            op[r][j] = pyc_dense_px_f32(rp + r, kh, kw, w, j);
}

/* One output row (the last rows of an image): 4 vectors = 4 chains. */
static void pyc_dense1_f32(const float **rp, ptrdiff_t kh, ptrdiff_t kw,
                           const float *w, ptrdiff_t n, float *out)
{
    ptrdiff_t j = 0;
    for (; j + 4 * PV_W <= n; j += 4 * PV_W) {
        pyc_v a0 = PV_ZERO(), a1 = PV_ZERO(), a2 = PV_ZERO(), a3 = PV_ZERO();
        for (ptrdiff_t p = 0; p < kh; p++) {
            const float *s = rp[p] + j;
            const float *wp = w + p * kw;
            for (ptrdiff_t q = 0; q < kw; q++) {
                pyc_v wv = PV_SET1(wp[q]);
                a0 = PV_FMA(PV_LOAD(s + q), wv, a0);
                a1 = PV_FMA(PV_LOAD(s + q + PV_W), wv, a1);
                a2 = PV_FMA(PV_LOAD(s + q + 2 * PV_W), wv, a2);
                a3 = PV_FMA(PV_LOAD(s + q + 3 * PV_W), wv, a3);
            }
        }
        PV_STORE(out + j, a0); PV_STORE(out + j + PV_W, a1);
        PV_STORE(out + j + 2 * PV_W, a2); PV_STORE(out + j + 3 * PV_W, a3);
    }
    for (; j + PV_W <= n; j += PV_W) {
        pyc_v a0 = PV_ZERO();
        for (ptrdiff_t p = 0; p < kh; p++)
            for (ptrdiff_t q = 0; q < kw; q++)
                a0 = PV_FMA(PV_LOAD(rp[p] + j + q), PV_SET1(w[p * kw + q]), a0);
        PV_STORE(out + j, a0);
    }
    for (; j < n; j++)
        out[j] = pyc_dense_px_f32(rp, kh, kw, w, j);
}

/* ------------------------------------------------------------ 1-D line */

/* out[j] = 1-D correlation of K taps, tap k reading s[k][j], for j < n, in
 * NI_Correlate1D's order as convolution.pyx's _corr1d_task computes it:
 *   sym != 0 (odd K, c = K/2): s[c]*w[c], then for k < c in order
 *            fma(s[k] +/- s[K-1-k], w[k], acc)
 *   sym == 0: s[K-1]*w[K-1], then for k < K-1 in order fma(s[k], w[k], acc). */
static inline float pyc_line_px_f32(const float **s, ptrdiff_t K, int sym, const float *w,
                                    ptrdiff_t j)
{
    ptrdiff_t k, c = K / 2;
    float a;
    if (sym != 0) {
        a = s[c][j] * w[c];
        for (k = 0; k < c; k++)
            a = pyc_fmaf1(sym > 0 ? s[k][j] + s[K - 1 - k][j] : s[k][j] - s[K - 1 - k][j], w[k], a);
        return a;
    }
    a = s[K - 1][j] * w[K - 1];
    for (k = 0; k < K - 1; k++)
        a = pyc_fmaf1(s[k][j], w[k], a);
    return a;
}

#if defined(__AVX512F__)
/* One contiguous line, taps on neighbouring elements (s[k] = s[0] + k), K <= 17:
 * x[j + k .. j + k + 15] = valignd of two loaded vectors (immediate shift k) instead
 * of a cache-line-splitting load per tap. Returns the elements done (64 per step). */
#define PYC_PAIR_OP(OP, k)                                                               \
    a0 = _mm512_fmadd_ps(OP(PYC_SH(A0, A1, k), PYC_SH(A0, A1, K - 1 - (k))), wk, a0);    \
    a1 = _mm512_fmadd_ps(OP(PYC_SH(A1, A2, k), PYC_SH(A1, A2, K - 1 - (k))), wk, a1);    \
    a2 = _mm512_fmadd_ps(OP(PYC_SH(A2, A3, k), PYC_SH(A2, A3, K - 1 - (k))), wk, a2);    \
    a3 = _mm512_fmadd_ps(OP(PYC_SH(A3, A4, k), PYC_SH(A3, A4, K - 1 - (k))), wk, a3);
#define PYC_PAIR(k)                                                                      \
    if ((k) < c) {                                                                       \
        __m512 wk = _mm512_set1_ps(w[k]);                                                \
        if (sym > 0) {                                                                   \
            PYC_PAIR_OP(_mm512_add_ps, k)                                                \
        } else {                                                                         \
            PYC_PAIR_OP(_mm512_sub_ps, k)                                                \
        }                                                                                \
    }
#define PYC_TAP(k)                                                                       \
    if ((k) < K - 1) {                                                                   \
        __m512 wk = _mm512_set1_ps(w[k]);                                                \
        a0 = _mm512_fmadd_ps(PYC_SH(A0, A1, k), wk, a0);                                 \
        a1 = _mm512_fmadd_ps(PYC_SH(A1, A2, k), wk, a1);                                 \
        a2 = _mm512_fmadd_ps(PYC_SH(A2, A3, k), wk, a2);                                 \
        a3 = _mm512_fmadd_ps(PYC_SH(A3, A4, k), wk, a3);                                 \
    }

static inline __attribute__((always_inline)) ptrdiff_t
pyc_hline_k(const float *x, const ptrdiff_t K, int sym, const float *w, ptrdiff_t n, float *out)
{
    ptrdiff_t j = 0, c = K / 2;
    const __mmask16 tail = (__mmask16)((1u << (K - 1)) - 1u);
    for (; j + 64 <= n; j += 64) {
        const float *p = x + j;
        __m512 A0 = _mm512_loadu_ps(p), A1 = _mm512_loadu_ps(p + 16);
        __m512 A2 = _mm512_loadu_ps(p + 32), A3 = _mm512_loadu_ps(p + 48);
        __m512 A4 = _mm512_maskz_loadu_ps(tail, p + 64);
        __m512 a0, a1, a2, a3;
        if (sym != 0) {
            __m512 wc = _mm512_set1_ps(w[c]);
            a0 = _mm512_mul_ps(PYC_SH(A0, A1, c), wc);  /* the centre tap first */
            a1 = _mm512_mul_ps(PYC_SH(A1, A2, c), wc);
            a2 = _mm512_mul_ps(PYC_SH(A2, A3, c), wc);
            a3 = _mm512_mul_ps(PYC_SH(A3, A4, c), wc);
            PYC_PAIR(0) PYC_PAIR(1) PYC_PAIR(2) PYC_PAIR(3)
            PYC_PAIR(4) PYC_PAIR(5) PYC_PAIR(6) PYC_PAIR(7)
        } else {
            __m512 wl = _mm512_set1_ps(w[K - 1]);
            a0 = _mm512_mul_ps(PYC_SH(A0, A1, K - 1), wl);  /* the last tap first */
            a1 = _mm512_mul_ps(PYC_SH(A1, A2, K - 1), wl);
            a2 = _mm512_mul_ps(PYC_SH(A2, A3, K - 1), wl);
            a3 = _mm512_mul_ps(PYC_SH(A3, A4, K - 1), wl);
            PYC_TAP(0) PYC_TAP(1) PYC_TAP(2) PYC_TAP(3) PYC_TAP(4) PYC_TAP(5)
            PYC_TAP(6) PYC_TAP(7) PYC_TAP(8) PYC_TAP(9) PYC_TAP(10) PYC_TAP(11)
            PYC_TAP(12) PYC_TAP(13) PYC_TAP(14) PYC_TAP(15)
        }
        _mm512_storeu_ps(out + j, a0); _mm512_storeu_ps(out + j + 16, a1);
        _mm512_storeu_ps(out + j + 32, a2); _mm512_storeu_ps(out + j + 48, a3);
    }
    return j;
}
/* K is a compile-time constant in each case, so every shift is an immediate. */
static ptrdiff_t pyc_hline_f32(const float *x, ptrdiff_t K, int sym, const float *w,
                               ptrdiff_t n, float *out)
{
    switch (K) {
#define PYC_K(k) case k: return pyc_hline_k(x, k, sym, w, n, out);
    PYC_K(2) PYC_K(3) PYC_K(4) PYC_K(5) PYC_K(6) PYC_K(7) PYC_K(8) PYC_K(9)
    PYC_K(10) PYC_K(11) PYC_K(12) PYC_K(13) PYC_K(14) PYC_K(15) PYC_K(16) PYC_K(17)
#undef PYC_K
    default: return 0;
    }
}
#else
static ptrdiff_t pyc_hline_f32(const float *x, ptrdiff_t K, int sym, const float *w,
                               ptrdiff_t n, float *out)
{
    (void)x; (void)K; (void)sym; (void)w; (void)n; (void)out;
    return 0;
}
#endif

static void pyc_line_f32(const float **s, ptrdiff_t K, int sym, const float *w,
                         ptrdiff_t n, float *out)
{
    ptrdiff_t j = 0, k, c = K / 2;
    /* scalar head up to a vector boundary of s[0] (PV_W floats: 64 bytes at avx512,
     * 32 at avx2, 16 at the baseline): every row's loads then stay within cache lines
     * when the rows share s[0]'s alignment (any row length a multiple of PV_W) */
    ptrdiff_t head = (ptrdiff_t)((PV_W - ((uintptr_t)s[0] / sizeof(float)) % PV_W) % PV_W);
    if (head > n)
        head = n;
    for (; j < head; j++)
        out[j] = pyc_line_px_f32(s, K, sym, w, j);
    if (sym != 0) {
        const float *sc = s[c];
        pyc_v wc = PV_SET1(w[c]);
        for (; j + 4 * PV_W <= n; j += 4 * PV_W) {
            pyc_v a0 = PV_MUL(PV_LOAD(sc + j), wc);
            pyc_v a1 = PV_MUL(PV_LOAD(sc + j + PV_W), wc);
            pyc_v a2 = PV_MUL(PV_LOAD(sc + j + 2 * PV_W), wc);
            pyc_v a3 = PV_MUL(PV_LOAD(sc + j + 3 * PV_W), wc);
            /* the pairs s[k] +/- s[K-1-k]: one loop per sign, so no sign test per pair */
#define PYC_PAIRS4(OP)                                                                    \
            for (k = 0; k < c; k++) {                                                     \
                const float *p = s[k] + j, *q = s[K - 1 - k] + j;                         \
                pyc_v wk = PV_SET1(w[k]);                                                 \
                a0 = PV_FMA(OP(PV_LOAD(p), PV_LOAD(q)), wk, a0);                          \
                a1 = PV_FMA(OP(PV_LOAD(p + PV_W), PV_LOAD(q + PV_W)), wk, a1);            \
                a2 = PV_FMA(OP(PV_LOAD(p + 2 * PV_W), PV_LOAD(q + 2 * PV_W)), wk, a2);    \
                a3 = PV_FMA(OP(PV_LOAD(p + 3 * PV_W), PV_LOAD(q + 3 * PV_W)), wk, a3);    \
            }
            if (sym > 0) {
                PYC_PAIRS4(PV_ADD)
            } else {
                PYC_PAIRS4(PV_SUB)
            }
#undef PYC_PAIRS4
            PV_STORE(out + j, a0); PV_STORE(out + j + PV_W, a1);
            PV_STORE(out + j + 2 * PV_W, a2); PV_STORE(out + j + 3 * PV_W, a3);
        }
        for (; j + PV_W <= n; j += PV_W) {
            pyc_v a0 = PV_MUL(PV_LOAD(sc + j), wc);
            for (k = 0; k < c; k++) {
                pyc_v t = sym > 0 ? PV_ADD(PV_LOAD(s[k] + j), PV_LOAD(s[K - 1 - k] + j))
                                  : PV_SUB(PV_LOAD(s[k] + j), PV_LOAD(s[K - 1 - k] + j));
                a0 = PV_FMA(t, PV_SET1(w[k]), a0);
            }
            PV_STORE(out + j, a0);
        }
        for (; j < n; j++)
            out[j] = pyc_line_px_f32(s, K, sym, w, j);
        return;
    }
    {
        const float *sl = s[K - 1];
        pyc_v wl = PV_SET1(w[K - 1]);
        for (; j + 4 * PV_W <= n; j += 4 * PV_W) {
            pyc_v a0 = PV_MUL(PV_LOAD(sl + j), wl);
            pyc_v a1 = PV_MUL(PV_LOAD(sl + j + PV_W), wl);
            pyc_v a2 = PV_MUL(PV_LOAD(sl + j + 2 * PV_W), wl);
            pyc_v a3 = PV_MUL(PV_LOAD(sl + j + 3 * PV_W), wl);
            for (k = 0; k < K - 1; k++) {
                const float *p = s[k] + j;
                pyc_v wk = PV_SET1(w[k]);
                a0 = PV_FMA(PV_LOAD(p), wk, a0);
                a1 = PV_FMA(PV_LOAD(p + PV_W), wk, a1);
                a2 = PV_FMA(PV_LOAD(p + 2 * PV_W), wk, a2);
                a3 = PV_FMA(PV_LOAD(p + 3 * PV_W), wk, a3);
            }
            PV_STORE(out + j, a0); PV_STORE(out + j + PV_W, a1);
            PV_STORE(out + j + 2 * PV_W, a2); PV_STORE(out + j + 3 * PV_W, a3);
        }
        for (; j + PV_W <= n; j += PV_W) {
            pyc_v a0 = PV_MUL(PV_LOAD(sl + j), wl);
            for (k = 0; k < K - 1; k++)
                a0 = PV_FMA(PV_LOAD(s[k] + j), PV_SET1(w[k]), a0);
            PV_STORE(out + j, a0);
        }
        for (; j < n; j++)
            out[j] = pyc_line_px_f32(s, K, sym, w, j);
    }
}

/* ------------------------------------------------------------ uint8 box */

#define PYC_BOX_CHUNK 1024

/* out[j] = (sum_k s[k][j]) // size for j < n, the quotient as (S * m) >> sh
 * (m, sh chosen and checked exhaustively by the caller for every possible S;
 * S * m < 2**32). Window sums of up to 257 uint8 fit uint16 lanes. */
static void pyc_box_u8(const uint8_t **s, ptrdiff_t K, uint32_t m, int sh,
                       ptrdiff_t n, uint8_t *out)
{
    if (K == 2) {
        const uint8_t *s0 = s[0], *s1 = s[1];
        for (ptrdiff_t j = 0; j < n; j++)
            out[j] = (uint8_t)(((uint32_t)(uint16_t)(s0[j] + s1[j]) * m) >> sh);
        return;
    }
    if (K == 3) {
        const uint8_t *s0 = s[0], *s1 = s[1], *s2 = s[2];
        for (ptrdiff_t j = 0; j < n; j++)
            out[j] = (uint8_t)(((uint32_t)(uint16_t)(s0[j] + s1[j] + s2[j]) * m) >> sh);
        return;
    }
    {
        uint16_t acc[PYC_BOX_CHUNK];
        for (ptrdiff_t j0 = 0; j0 < n; j0 += PYC_BOX_CHUNK) {
            ptrdiff_t nn = n - j0 < PYC_BOX_CHUNK ? n - j0 : PYC_BOX_CHUNK, j, k;
            const uint8_t *s0 = s[0] + j0;
            for (j = 0; j < nn; j++)
                acc[j] = s0[j];
            for (k = 1; k < K; k++) {
                const uint8_t *sk = s[k] + j0;
                for (j = 0; j < nn; j++)
                    acc[j] = (uint16_t)(acc[j] + sk[j]);
            }
            for (j = 0; j < nn; j++)
                out[j0 + j] = (uint8_t)(((uint32_t)acc[j] * m) >> sh);
        }
    }
}

#endif /* PYC_FASTCONV_H */
