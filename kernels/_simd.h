/* Explicit SIMD for the hot contiguous row loops of kernels/reductions.pyx.
 *
 * Why not plain loops: GCC 12 does not vectorize the 16-lane accumulator loops
 * (TwoSum, NaN-sticky min/max) written in Cython ("couldn't vectorize loop" in
 * -fopt-info-vec-all); the same arithmetic written with GCC/Clang vector
 * extensions runs ~8x faster (3.97 -> 31.6 GB/s float32 sum from L2, one core,
 * AVX-512). Vector extensions compile to the widest ISA of the level being
 * compiled (setup.py: 512-bit zmm at avx512, two 256-bit ymm halves at avx2,
 * SSE at baseline); their lane counts are fixed here, not by the ISA, so every
 * level sums in the same order. Compilers without them get the scalar loops below.
 *
 * Contracts: n >= 0 elements at p, contiguous. The sums return a compensated
 * (s, c) pair in float64; min/max NaN-sticky (NumPy semantics) and need n >= 1.
 *
 * Signed zeros in min/max: -0.0 == 0.0, so which zero comes out is a tie rule.
 * NumPy's is "the last of the equal elements" (np.min reduces acc = minimum(acc, x)
 * and np.minimum returns its second argument on ties: [-0.0, 0.0] -> +0.0,
 * [0.0, -0.0] -> -0.0). Each lane here keeps the last zero it saw (x86 min/max
 * return the second operand on ties; the generic loops take x <= m), but lanes
 * interleave, so they cannot say which of them saw the row's last zero. A zero
 * result therefore takes the sign the zero lanes agree on, and only where they
 * disagree (the row holds both zeros) is the row scanned backwards for its last
 * zero. The answer depends on the data alone: equal at every level and width.
 * NumPy reads a reduced axis in its logical direction, negative strides too:
 * the *_rev_* variants serve rows read backwards (stride -1).
 */
#ifndef PYC_SIMD_H
#define PYC_SIMD_H
/* min/max rows prefetch PYC_MM_PF bytes ahead (PYC_MM_PREFETCH below; min/max gained
 * at every size from 10^4 elements). argmin/argmax rows do not prefetch
 * (kernels/reductions.pyx _argext_row). */
#define PYC_MM_PF 4096
#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

static inline void pyc_two_sum(double *s, double *c, double x) {
    double t = *s + x, bp = t - *s;
    *c += (*s - (t - bp)) + (x - bp);
    *s = t;
}
/* The blocked float64 sums' group (pyc_sum_f64 below): PYC_GRP values of a lane,
 * added as this tree; X(r) is the r-th. */
#define PYC_GRP 8
#define PYC_TREE8(X) ((((X(0)) + (X(1))) + ((X(2)) + (X(3)))) + \
                      (((X(4)) + (X(5))) + ((X(6)) + (X(7)))))

/* Zero lanes of a min/max fold: 0 and *val set to their common zero, or 1 where
 * lanes hold both signs (the caller then asks pyc_last_zero_* / pyc_first_zero_*). */
#define PYC_ZERO_HELPERS(SFX, T)                                                   \
static inline int pyc_lanes_zero_##SFX(const T *l, int k, T *val) {               \
    int neg = 0, pos = 0;                                                          \
    for (int j = 0; j < k; j++) {                                                  \
        if (l[j] == 0) { if (signbit(l[j])) { neg = 1; *val = l[j]; } else { pos = 1; *val = l[j]; } } \
    }                                                                              \
    return neg && pos;                                                             \
}                                                                                  \
static inline T pyc_last_zero_##SFX(const T *p, ptrdiff_t n) {                    \
    for (ptrdiff_t i = n - 1; i >= 0; i--) if (p[i] == 0) return p[i];            \
    return 0; /* not reached: called for rows whose extreme is a zero */           \
}                                                                                  \
static inline T pyc_first_zero_##SFX(const T *p, ptrdiff_t n) {                   \
    for (ptrdiff_t i = 0; i < n; i++) if (p[i] == 0) return p[i];                  \
    return 0;                                                                      \
}
PYC_ZERO_HELPERS(f32, float)
PYC_ZERO_HELPERS(f64, double)
/* The k-th element of a min/max row read forwards (REV = 0) or backwards (REV = 1)
 * from the n elements at p. */
#define PYC_AT(REV, k) ((REV) ? p[n - 1 - (k)] : p[k])

#if defined(__GNUC__) && (__GNUC__ >= 9 || defined(__clang__))
#define PYC_VEC 1
typedef double pyc_v8d __attribute__((vector_size(64)));
typedef float pyc_v16f __attribute__((vector_size(64)));
typedef int64_t pyc_v8l __attribute__((vector_size(64)));
typedef int32_t pyc_v16i __attribute__((vector_size(64)));

/* The float64 sums below run in 16 lanes at every SIMD level; only how the
 * lanes are held changes: two 8-lane (zmm) vectors at AVX-512, four 4-lane
 * (ymm) at AVX2, eight 2-lane (xmm) at baseline. Lane L is
 * S[L / PYC_VW][L % PYC_VW] and gets the same operations in the same order
 * either way, so results are bitwise identical across levels. (GCC lowers
 * 64-byte vectors badly without AVX-512: the AVX2 sum ran at 4.3 GB/s with two
 * 8-lane vectors and 11.9 GB/s with four 4-lane ones, from L2, one core.) */
#if defined(__AVX512F__)
#define PYC_VW 8
typedef double pyc_vd __attribute__((vector_size(64)));
typedef float pyc_vf __attribute__((vector_size(32)));
#elif defined(__AVX__) || !defined(__SSE2__)
#define PYC_VW 4
typedef double pyc_vd __attribute__((vector_size(32)));
typedef float pyc_vf __attribute__((vector_size(16)));
#else
/* x86 without AVX (the baseline level): one xmm a vector. GCC kept 32-byte
 * vectors in xmm pairs through the stack (a spill and a reload per add): the
 * float32 sum ran at 0.7x NumPy's SSE sum. */
#define PYC_VW 2
typedef double pyc_vd __attribute__((vector_size(16)));
typedef float pyc_vf __attribute__((vector_size(8)));
#endif
#define PYC_NV (16 / PYC_VW)
#define PYC_LANE(V, L) ((V)[(L) / PYC_VW][(L) % PYC_VW])

#if PYC_VW == 2
#include <emmintrin.h>
/* one 64-bit load and cvtps2pd (GCC converted a 2-float vector element by element) */
static inline pyc_vd pyc_loadf(const float *p) {
    return (pyc_vd)_mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i_u *)p)));
}
#else
static inline pyc_vd pyc_loadf(const float *p) {
    pyc_vf v; memcpy(&v, p, sizeof v); return __builtin_convertvector(v, pyc_vd);
}
#endif
static inline pyc_vd pyc_loadd(const double *p) { pyc_vd v; memcpy(&v, p, sizeof v); return v; }
/* pyc_two_sum lane by lane on whole vectors */
static inline void pyc_two_sum_v(pyc_vd *s, pyc_vd *c, pyc_vd x) {
    pyc_vd t = *s + x, b = t - *s;
    *c += (*s - (t - b)) + (x - b);
    *s = t;
}

/* Blocked TwoSum in 16 float64 lanes (issue 11), lane j taking elements
 * i % 16 == j of the full 16-element blocks. The blocks go in groups of
 * PYC_GRP = 8 (128 elements): a lane's 8 values of a group are added as the tree
 * PYC_TREE8, ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)), and that group sum
 * goes into the lane by TwoSum; the blocks after the last full group go in one at
 * a time by TwoSum, the tail (< 16 elements) into lane 0 by TwoSum, then the
 * lanes fold in order. The order of every other float64 row sum:
 * kernels/reductions.pyx's strided and integer rows, and the Numba twin's
 * _sum_lanes, so the backends agree bit for bit.
 * Why: TwoSum of every element is 7 additions; NumPy's pairwise sum 1. Here 1.75
 * (7 tree + 7 TwoSum per 8 values of a lane), so the sum of cached data keeps up
 * with NumPy's on CPUs with one or two vector adders too (Haswell: one). Error, to
 * first order: 3 roundings inside a group (<= 3 eps sum|x|; NumPy's pairwise bound
 * is ~(log2(n / 128) + 17) eps sum|x|), then the compensated accumulation
 * (eps |S| + n eps^2 sum|x|): a sum of same-signed values within 4 eps |S| at
 * worst (0-1 ulp in random tests), and cancellation costs at most the 3
 * roundings of each group. */
static inline void pyc_sum_f64(const double *p, ptrdiff_t n, double *out_s, double *out_c) {
    pyc_vd S[PYC_NV], C[PYC_NV];
    for (int k = 0; k < PYC_NV; k++) { S[k] = (pyc_vd){0}; C[k] = (pyc_vd){0}; }
    ptrdiff_t i = 0;
    for (; i + 16 * PYC_GRP <= n; i += 16 * PYC_GRP) {
        for (int k = 0; k < PYC_NV; k++) {
#define PYC_X(r) pyc_loadd(p + i + (r) * 16 + k * PYC_VW)
            pyc_two_sum_v(&S[k], &C[k], PYC_TREE8(PYC_X));
#undef PYC_X
        }
    }
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < PYC_NV; k++) pyc_two_sum_v(&S[k], &C[k], pyc_loadd(p + i + k * PYC_VW));
    double Sl[16], Cl[16];
    memcpy(Sl, S, sizeof Sl); memcpy(Cl, C, sizeof Cl); /* lane L at [L] */
    for (; i < n; i++) pyc_two_sum(&Sl[0], &Cl[0], p[i]);
    double s = 0.0, c = 0.0;
    for (int l = 0; l < 16; l++) { pyc_two_sum(&s, &c, Sl[l]); c += Cl[l]; }
    *out_s = s; *out_c = c;
}

/* Plain mean in 16 float64 lanes: the variance's pilot mean. Its rounding does
 * not matter: the corrected two-pass sum below removes it to first order. */
#define PYC_MEAN_BODY(LOAD)                                                        \
    pyc_vd S[PYC_NV];                                                              \
    for (int k = 0; k < PYC_NV; k++) S[k] = (pyc_vd){0};                           \
    ptrdiff_t i = 0;                                                               \
    for (; i + 16 <= n; i += 16)                                                   \
        for (int k = 0; k < PYC_NV; k++) S[k] += LOAD(p + i + k * PYC_VW);         \
    double s = 0.0;                                                                \
    for (int l = 0; l < 8; l++) s += PYC_LANE(S, l) + PYC_LANE(S, l + 8);          \
    for (; i < n; i++) s += (double)p[i];                                          \
    return s / (double)n;

static inline double pyc_mean_f32(const float *p, ptrdiff_t n) { PYC_MEAN_BODY(pyc_loadf) }
static inline double pyc_mean_f64(const double *p, ptrdiff_t n) { PYC_MEAN_BODY(pyc_loadd) }

/* sum((x - m)^2) and sum(x - m) in 16 float64 lanes. */
#define PYC_DEV_BODY(LOAD)                                                         \
    pyc_vd Q[PYC_NV], E[PYC_NV];                                                   \
    for (int k = 0; k < PYC_NV; k++) { Q[k] = (pyc_vd){0}; E[k] = (pyc_vd){0}; }  \
    ptrdiff_t i = 0;                                                               \
    for (; i + 16 <= n; i += 16) {                                                 \
        for (int k = 0; k < PYC_NV; k++) {                                         \
            pyc_vd d = LOAD(p + i + k * PYC_VW) - m;                               \
            Q[k] += d * d; E[k] += d;                                              \
        }                                                                          \
    }                                                                              \
    double q = 0.0, e = 0.0;                                                       \
    for (int l = 0; l < 8; l++) {                                                  \
        q += PYC_LANE(Q, l) + PYC_LANE(Q, l + 8);                                  \
        e += PYC_LANE(E, l) + PYC_LANE(E, l + 8);                                  \
    }                                                                              \
    for (; i < n; i++) { double d = (double)p[i] - m; q += d * d; e += d; }        \
    *out_q = q; *out_e = e;

static inline void pyc_dev_f32(const float *p, ptrdiff_t n, double m, double *out_q, double *out_e) {
    PYC_DEV_BODY(pyc_loadf)
}
static inline void pyc_dev_f64(const double *p, ptrdiff_t n, double m, double *out_q, double *out_e) {
    PYC_DEV_BODY(pyc_loadd)
}

/* NaN-sticky min and max: a lane takes x when x is at least as extreme (a tie:
 * the later element) or x is NaN; zero results as explained at the top.
 * REV = 1 reads the row backwards (pyc_minmax_rev_*: p is its lowest address,
 * its logical first element p[n - 1]): 2W-element blocks from the top down, the
 * rest from p[r - 1] down to p[0], with the same operations, so it runs as fast
 * as the forward read. */
#define PYC_BLOCK(REV, i, W) ((REV) ? p + (n - (i) - 2 * (W)) : p + (i))
#define PYC_MINMAX_BODY(SFX, T, VT, IT, W, REV)                                    \
    T x0 = PYC_AT(REV, 0);                                                         \
    VT MN0, MX0, MN1, MX1;                                                         \
    for (int j = 0; j < W; j++) { MN0[j] = x0; MX0[j] = x0; }                     \
    MN1 = MN0; MX1 = MX0;                                                          \
    ptrdiff_t i = 0;                                                               \
    for (; i + 2 * W <= n; i += 2 * W) {                                           \
        const T *q = PYC_BLOCK(REV, i, W);                                         \
        VT a, b; memcpy(&a, q, sizeof a); memcpy(&b, q + W, sizeof b);             \
        IT na = (IT)(a != a), nb = (IT)(b != b);                                   \
        IT ka = (IT)(a <= MN0) | na, kb = (IT)(b <= MN1) | nb;                     \
        MN0 = (VT)(((IT)a & ka) | ((IT)MN0 & ~ka));                                \
        MN1 = (VT)(((IT)b & kb) | ((IT)MN1 & ~kb));                                \
        ka = (IT)(a >= MX0) | na; kb = (IT)(b >= MX1) | nb;                        \
        MX0 = (VT)(((IT)a & ka) | ((IT)MX0 & ~ka));                                \
        MX1 = (VT)(((IT)b & kb) | ((IT)MX1 & ~kb));                                \
    }                                                                              \
    T lmn[2 * W], lmx[2 * W];                                                      \
    memcpy(lmn, &MN0, sizeof MN0); memcpy(lmn + W, &MN1, sizeof MN1);              \
    memcpy(lmx, &MX0, sizeof MX0); memcpy(lmx + W, &MX1, sizeof MX1);              \
    T mn = x0, mx = x0;                                                            \
    for (int j = 0; j < 2 * W; j++) {                                              \
        T v;                                                                       \
        v = lmn[j]; mn = (v < mn || v != v) ? v : mn;                              \
        v = lmx[j]; mx = (v > mx || v != v) ? v : mx;                              \
    }                                                                              \
    int amb_mn = mn == 0 && pyc_lanes_zero_##SFX(lmn, 2 * W, &mn);                 \
    int amb_mx = mx == 0 && pyc_lanes_zero_##SFX(lmx, 2 * W, &mx);                 \
    for (; i < n; i++) {                                                           \
        T v = PYC_AT(REV, i);                                                      \
        mn = (v <= mn || v != v) ? v : mn;                                         \
        mx = (v >= mx || v != v) ? v : mx;                                         \
    }                                                                              \
    if (mn != mn || mx != mx) { mn = mx = (T)NAN; }  /* the default NaN, as x86 */ \
    else {                                                                         \
        if (amb_mn && mn == 0) mn = (REV) ? pyc_first_zero_##SFX(p, n) : pyc_last_zero_##SFX(p, n); \
        if (amb_mx && mx == 0) mx = (REV) ? pyc_first_zero_##SFX(p, n) : pyc_last_zero_##SFX(p, n); \
    }                                                                              \
    *out_mn = mn; *out_mx = mx;

/* Rows prefetch PYC_MM_PF bytes ahead in the direction of the read: the hardware
 * prefetchers alone left contiguous float32 min/max at 0.8x NumPy's rate (issue 11:
 * out of cache, and 4-40 MB calls cut into tasks of 64-160 KB). */
#define PYC_MM_PREFETCH(REV, q, T, W) do {                                         \
        const char *f_ = (const char *)(q) + ((REV) ? -PYC_MM_PF : PYC_MM_PF);    \
        __builtin_prefetch(f_, 0, 3);                                              \
        __builtin_prefetch(f_ + (W) * sizeof(T), 0, 3);                            \
    } while (0)
#if defined(__AVX512F__) || defined(__AVX__) || defined(__SSE2__)
/* x86 min/max instructions (one op per vector instead of a compare-and-blend):
 * NaNs are tracked separately with an unordered compare, and win at the end.
 * ~1.7x the generic version on a 2^27 float32 array (AVX-512, one core); ~8x at
 * the baseline level (SSE4.2), where GCC compiled the generic 64-byte vectors'
 * compares lane by lane. 
 * MIN(acc, x) returns x on ties (the second operand): the later element. */
#include <immintrin.h>
/* The lane fold, tail and zero fix-up shared by both x86 widths. */
#define PYC_X86_FINISH(SFX, T, W, REV)                                             \
    T lmn[2 * W], lmx[2 * W];                                                      \
    memcpy(lmn, &mn0, sizeof mn0); memcpy(lmn + W, &mn1, sizeof mn1);              \
    memcpy(lmx, &mx0, sizeof mx0); memcpy(lmx + W, &mx1, sizeof mx1);              \
    T mn = x0, mx = x0;                                                            \
    for (int j = 0; j < 2 * W; j++) { mn = lmn[j] < mn ? lmn[j] : mn; mx = lmx[j] > mx ? lmx[j] : mx; } \
    int amb_mn = mn == 0 && pyc_lanes_zero_##SFX(lmn, 2 * W, &mn);                 \
    int amb_mx = mx == 0 && pyc_lanes_zero_##SFX(lmx, 2 * W, &mx);                 \
    for (; i < n; i++) {                                                           \
        T v = PYC_AT(REV, i);                                                      \
        has_nan |= v != v;                                                         \
        mn = v <= mn ? v : mn; mx = v >= mx ? v : mx;                              \
    }                                                                              \
    if (has_nan || x0 != x0) { mn = mx = (T)NAN; }                                 \
    else {                                                                         \
        if (amb_mn && mn == 0) mn = (REV) ? pyc_first_zero_##SFX(p, n) : pyc_last_zero_##SFX(p, n); \
        if (amb_mx && mx == 0) mx = (REV) ? pyc_first_zero_##SFX(p, n) : pyc_last_zero_##SFX(p, n); \
    }                                                                              \
    *out_mn = mn; *out_mx = mx;
#if defined(__AVX512F__)
#define PYC_X86_MINMAX(NAME, SFX, T, VT, W, LOADU, SET1, MIN, MAX, UNORD, MASKT, REV) \
static inline void NAME(const T *p, ptrdiff_t n, T *out_mn, T *out_mx) {          \
    T x0 = PYC_AT(REV, 0);                                                         \
    VT mn0 = SET1(x0), mx0 = mn0, mn1 = mn0, mx1 = mn0;                            \
    MASKT nan = 0;                                                                 \
    ptrdiff_t i = 0;                                                               \
    for (; i + 2 * W <= n; i += 2 * W) {                                           \
        const T *q = PYC_BLOCK(REV, i, W);                                         \
        PYC_MM_PREFETCH(REV, q, T, W);                                             \
        VT a = LOADU(q), b = LOADU(q + W);                                         \
        nan |= UNORD(a, b);                                                        \
        mn0 = MIN(mn0, a); mn1 = MIN(mn1, b);                                      \
        mx0 = MAX(mx0, a); mx1 = MAX(mx1, b);                                      \
    }                                                                              \
    int has_nan = nan != 0;                                                        \
    PYC_X86_FINISH(SFX, T, W, REV)                                                 \
}
#define PYC_UNORD_PS(a, b) _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q)
#define PYC_UNORD_PD(a, b) _mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q)
#define PYC_X86_F32(NAME, REV) PYC_X86_MINMAX(NAME, f32, float, __m512, 16, _mm512_loadu_ps, \
    _mm512_set1_ps, _mm512_min_ps, _mm512_max_ps, PYC_UNORD_PS, unsigned int, REV)
#define PYC_X86_F64(NAME, REV) PYC_X86_MINMAX(NAME, f64, double, __m512d, 8, _mm512_loadu_pd, \
    _mm512_set1_pd, _mm512_min_pd, _mm512_max_pd, PYC_UNORD_PD, unsigned int, REV)
#else  /* AVX / AVX2 (256-bit) and SSE (128-bit): NaN mask accumulated as a vector */
#define PYC_X86_MINMAX(NAME, SFX, T, VT, W, LOADU, SET1, MIN, MAX, CMP, OR, MOVEMASK, REV) \
static inline void NAME(const T *p, ptrdiff_t n, T *out_mn, T *out_mx) {          \
    T x0 = PYC_AT(REV, 0);                                                         \
    VT mn0 = SET1(x0), mx0 = mn0, mn1 = mn0, mx1 = mn0, nanv = SET1(0);            \
    ptrdiff_t i = 0;                                                               \
    for (; i + 2 * W <= n; i += 2 * W) {                                           \
        const T *q = PYC_BLOCK(REV, i, W);                                         \
        PYC_MM_PREFETCH(REV, q, T, W);                                             \
        VT a = LOADU(q), b = LOADU(q + W);                                         \
        nanv = OR(nanv, CMP(a, b, _CMP_UNORD_Q));                                  \
        mn0 = MIN(mn0, a); mn1 = MIN(mn1, b);                                      \
        mx0 = MAX(mx0, a); mx1 = MAX(mx1, b);                                      \
    }                                                                              \
    int has_nan = MOVEMASK(nanv) != 0;                                             \
    PYC_X86_FINISH(SFX, T, W, REV)                                                 \
}
#if defined(__AVX__)
#define PYC_X86_F32(NAME, REV) PYC_X86_MINMAX(NAME, f32, float, __m256, 8, _mm256_loadu_ps, \
    _mm256_set1_ps, _mm256_min_ps, _mm256_max_ps, _mm256_cmp_ps, _mm256_or_ps, _mm256_movemask_ps, REV)
#define PYC_X86_F64(NAME, REV) PYC_X86_MINMAX(NAME, f64, double, __m256d, 4, _mm256_loadu_pd, \
    _mm256_set1_pd, _mm256_min_pd, _mm256_max_pd, _mm256_cmp_pd, _mm256_or_pd, _mm256_movemask_pd, REV)
#else
#define PYC_SSE_CMP_PS(a, b, imm) _mm_cmpunord_ps(a, b)  /* imm: _CMP_UNORD_Q, the one used */
#define PYC_SSE_CMP_PD(a, b, imm) _mm_cmpunord_pd(a, b)
#define PYC_X86_F32(NAME, REV) PYC_X86_MINMAX(NAME, f32, float, __m128, 4, _mm_loadu_ps, \
    _mm_set1_ps, _mm_min_ps, _mm_max_ps, PYC_SSE_CMP_PS, _mm_or_ps, _mm_movemask_ps, REV)
#define PYC_X86_F64(NAME, REV) PYC_X86_MINMAX(NAME, f64, double, __m128d, 2, _mm_loadu_pd, \
    _mm_set1_pd, _mm_min_pd, _mm_max_pd, PYC_SSE_CMP_PD, _mm_or_pd, _mm_movemask_pd, REV)
#endif
#endif
PYC_X86_F32(pyc_minmax_f32, 0)
PYC_X86_F64(pyc_minmax_f64, 0)
PYC_X86_F32(pyc_minmax_rev_f32, 1)
PYC_X86_F64(pyc_minmax_rev_f64, 1)
#else
static inline void pyc_minmax_f32(const float *p, ptrdiff_t n, float *out_mn, float *out_mx) {
    PYC_MINMAX_BODY(f32, float, pyc_v16f, pyc_v16i, 16, 0)
}
static inline void pyc_minmax_f64(const double *p, ptrdiff_t n, double *out_mn, double *out_mx) {
    PYC_MINMAX_BODY(f64, double, pyc_v8d, pyc_v8l, 8, 0)
}
static inline void pyc_minmax_rev_f32(const float *p, ptrdiff_t n, float *out_mn, float *out_mx) {
    PYC_MINMAX_BODY(f32, float, pyc_v16f, pyc_v16i, 16, 1)
}
static inline void pyc_minmax_rev_f64(const double *p, ptrdiff_t n, double *out_mn, double *out_mx) {
    PYC_MINMAX_BODY(f64, double, pyc_v8d, pyc_v8l, 8, 1)
}
#endif

#else  /* no vector extensions: plain loops */
#define PYC_VEC 0
/* the 16 lanes of pyc_sum_f64, in plain loops: the same order, the same bits */
static inline void pyc_sum_f64(const double *p, ptrdiff_t n, double *out_s, double *out_c) {
    double S[16], C[16];
    for (int j = 0; j < 16; j++) { S[j] = 0.0; C[j] = 0.0; }
    ptrdiff_t i = 0;
    for (; i + 16 * PYC_GRP <= n; i += 16 * PYC_GRP)
        for (int j = 0; j < 16; j++) {
#define PYC_X(r) p[i + (r) * 16 + j]
            pyc_two_sum(&S[j], &C[j], PYC_TREE8(PYC_X));
#undef PYC_X
        }
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) pyc_two_sum(&S[j], &C[j], p[i + j]);
    for (; i < n; i++) pyc_two_sum(&S[0], &C[0], p[i]);
    double s = 0.0, c = 0.0;
    for (int j = 0; j < 16; j++) { pyc_two_sum(&s, &c, S[j]); c += C[j]; }
    *out_s = s; *out_c = c;
}
#define PYC_SCALAR_DEV                                                             \
    double q = 0.0, e = 0.0;                                                       \
    for (ptrdiff_t i = 0; i < n; i++) { double d = (double)p[i] - m; q += d * d; e += d; } \
    *out_q = q; *out_e = e;
static inline void pyc_dev_f32(const float *p, ptrdiff_t n, double m, double *out_q, double *out_e) { PYC_SCALAR_DEV }
static inline double pyc_mean_f32(const float *p, ptrdiff_t n) { double s = 0; for (ptrdiff_t i = 0; i < n; i++) s += p[i]; return s / n; }
static inline double pyc_mean_f64(const double *p, ptrdiff_t n) { double s = 0; for (ptrdiff_t i = 0; i < n; i++) s += p[i]; return s / n; }
static inline void pyc_dev_f64(const double *p, ptrdiff_t n, double m, double *out_q, double *out_e) { PYC_SCALAR_DEV }
#define PYC_SCALAR_MINMAX(T, REV)                                                  \
    T mn = PYC_AT(REV, 0), mx = mn;                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                            \
        T v = PYC_AT(REV, i);                                                      \
        mn = (v <= mn || v != v) ? v : mn;                                         \
        mx = (v >= mx || v != v) ? v : mx;                                         \
    }                                                                              \
    if (mn != mn || mx != mx) { mn = mx = (T)NAN; }  /* the default NaN, as x86 */ \
    *out_mn = mn; *out_mx = mx;
static inline void pyc_minmax_f32(const float *p, ptrdiff_t n, float *out_mn, float *out_mx) { PYC_SCALAR_MINMAX(float, 0) }
static inline void pyc_minmax_f64(const double *p, ptrdiff_t n, double *out_mn, double *out_mx) { PYC_SCALAR_MINMAX(double, 0) }
static inline void pyc_minmax_rev_f32(const float *p, ptrdiff_t n, float *out_mn, float *out_mx) { PYC_SCALAR_MINMAX(float, 1) }
static inline void pyc_minmax_rev_f64(const double *p, ptrdiff_t n, double *out_mn, double *out_mx) { PYC_SCALAR_MINMAX(double, 1) }
#endif
#endif
