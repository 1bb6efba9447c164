# Reductions over a canonical strided view.
#
# Every kernel takes the same arguments as its Numba twin
# (pycompute/_numba/reductions.py):
#
#     buf, off, A, R, B, sa, sr, sb, <outputs...>, <parts...>, n_threads, t0, t1
#
# ``buf`` is a 1-D buffer covering the input; element (a, r, b) of the view
# ``(A, R, B)`` lives at ``buf[off + a*sa + r*sr + b*sb]`` (strides in elements,
# any sign). The reduction runs over ``r``; outputs are flat ``(A, B)`` arrays.
# ``buf`` may itself be a strided 1-D view (indices above are then logical): the
# one-thread fast path passes ``x[::2]`` as is, with off 0 and sr 1.
#
# Determinism: the work is cut into tasks from the shape alone (never from the
# thread count); each task writes its own partial, and partials are combined in
# task order. So results are bitwise identical at any thread count, and tasks
# can be handed out dynamically: a thread that the OS preempts (a busy or shared
# machine) does not hold the others up, as it would with a static split.
#
# Interruptible (issue 12): a call runs tasks t0 <= t < min(t1, T) and returns T,
# so pycompute/_cancel.py run_tasks can cut a long reduction into native calls of
# ~50 ms, with Ctrl-C and aio cancellation handled between them. Chunk partials
# live in ``parts`` (the caller's arrays, shared by the slices) and are folded by
# the call that runs the last task; see "Sliced calls" below. Every task is at
# most ~1/256 of the call's elements (the row plan aims at MAX_TASKS tasks), or
# ~1/64 for column tasks (COL_TASKS).
#
# SIMD: float32 sums run plain float64 lanes (pyc_psum_f32 below: 16 lanes, one
# convert and one add per element; issue 11: TwoSum cost more than NumPy's float32
# pairwise sum). Contiguous float rows (float64 sum, var, min/max, argmin's block
# scan) run the explicit-vector loops of _simd.h: 2 x 8 float64 TwoSum lanes and 2 x 16
# float32 / 2 x 8 float64 min/max lanes, 512-bit on AVX-512 hosts (GCC does not
# vectorize the same loops written here: "couldn't vectorize loop" in
# -fopt-info-vec-all). Integer rows keep LANES accumulators in plain loops, which
# GCC does vectorize; column tasks vectorize along the contiguous ``b`` axis, a
# row at a time (see "Column tasks" in the C block below).
from cython.parallel cimport prange, threadid
from libc.stdlib cimport malloc, free
from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
                          uint64_t, INT8_MIN, INT8_MAX, INT16_MIN, INT16_MAX, INT32_MIN,
                          INT32_MAX, INT64_MIN, INT64_MAX, UINT8_MAX, UINT16_MAX, UINT32_MAX,
                          UINT64_MAX)
from libc.string cimport memcpy, memset
from libc.math cimport INFINITY, NAN, fabs, isinf, sqrt

cimport numpy as cnp

from _fused cimport float_t, int_t, real_t

cdef extern from "_simd.h" nogil:
    # explicit-SIMD contiguous row loops (see the header for why)
    void pyc_sum_f64(const double* p, Py_ssize_t n, double* s, double* c)
    void pyc_dev_f32(const float* p, Py_ssize_t n, double m, double* q, double* e)
    void pyc_dev_f64(const double* p, Py_ssize_t n, double m, double* q, double* e)
    double pyc_mean_f32(const float* p, Py_ssize_t n)
    double pyc_mean_f64(const double* p, Py_ssize_t n)
    void pyc_minmax_f32(const float* p, Py_ssize_t n, float* mn, float* mx)
    void pyc_minmax_f64(const double* p, Py_ssize_t n, double* mn, double* mx)
    void pyc_minmax_rev_f32(const float* p, Py_ssize_t n, float* mn, float* mx)
    void pyc_minmax_rev_f64(const double* p, Py_ssize_t n, double* mn, double* mx)

cdef extern from *:
    """
    #include "_simd.h"
    /* Plain float64 sum of float32 (no compensation): 16 lanes, lane j takes the
     * elements i with i % 16 == j of the leading full blocks; the lanes fold as
     * (S[0] + S[8]) + (S[1] + S[9]) + ... in that order, then the tail elements
     * are added one by one. The same order at every SIMD level and at any stride
     * (the Numba twin, pycompute/_numba/reductions.py _psum_row, does the same, so
     * the backends agree bit for bit). Error <= (n + 15) eps64 sum|x|: far below
     * NumPy's float32 pairwise bound (~log2(n) eps32 sum|x|), at half the work of
     * TwoSum: one convert and one add per element (issue 11). */
    #if defined(__GNUC__)
    #define PYC_NOINLINE __attribute__((noinline))
    /* relaxed atomic int64 accesses: argext's row stops, shared by concurrent tasks */
    #define pyc_load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
    #define pyc_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
    #else
    #define PYC_NOINLINE
    #define pyc_load_relaxed(p) (*(volatile int64_t *)(p))
    #define pyc_store_relaxed(p, v) (*(volatile int64_t *)(p) = (v))
    #endif
    #if PYC_VEC
    /* one register of float32 / float64 at AVX-512 (two or four at lower levels) */
    typedef float pyc_vf16 __attribute__((vector_size(64)));
    typedef int32_t pyc_vi16 __attribute__((vector_size(64)));
    typedef double pyc_vd8 __attribute__((vector_size(64)));
    typedef int64_t pyc_vl8 __attribute__((vector_size(64)));
    #endif
    /* noinline (called once per row task): tests/test_numba_vectorized.py finds it by
     * name in the .so and checks its loop for packed converts and adds. */
    static PYC_NOINLINE double pyc_psum_f32(const float *p, Py_ssize_t n, Py_ssize_t s) {
        Py_ssize_t i = 0;
        double r = 0.0;
    #if PYC_VEC
        if (s == 1) {
            pyc_vd S[PYC_NV];
            for (int k = 0; k < PYC_NV; k++) S[k] = (pyc_vd){0};
            for (; i + 16 <= n; i += 16)
                for (int k = 0; k < PYC_NV; k++) S[k] += pyc_loadf(p + i + k * PYC_VW);
            for (int l = 0; l < 8; l++) r += PYC_LANE(S, l) + PYC_LANE(S, l + 8);
            for (; i < n; i++) r += (double)p[i];
            return r;
        }
    #endif
        double S[16];
        for (int j = 0; j < 16; j++) S[j] = 0.0;
        if (s == 2)  /* x[::2]: a constant stride, which GCC vectorizes (loads, shuffles) */
            for (; i + 16 <= n; i += 16)
                for (int j = 0; j < 16; j++) S[j] += (double)p[(i + j) * 2];
        for (; i + 16 <= n; i += 16)
            for (int j = 0; j < 16; j++) S[j] += (double)p[(i + j) * s];
        for (int l = 0; l < 8; l++) r += S[l] + S[l + 8];
        for (; i < n; i++) r += (double)p[i * s];
        return r;
    }
    /* NaN-sticky min and max of a strided row (stride other than +-1; those run in
     * _simd.h): 16 independent lanes (not one sequential chain), lane j takes
     * x where x <= mn or x != x (ties: the later element), folded as _simd.h
     * does; a zero result whose lanes hold both signs takes the row's last zero. */
    #define PYC_MINMAX_STRIDED(SFX, T)                                              \
    static void pyc_minmax_strided_##SFX(const T *p, Py_ssize_t n, Py_ssize_t s,   \
                                         T *out_mn, T *out_mx) {                   \
        T MN[16], MX[16], x0 = p[0];                                               \
        for (int j = 0; j < 16; j++) { MN[j] = x0; MX[j] = x0; }                   \
        Py_ssize_t i = 0;                                                          \
        for (; i + 16 <= n; i += 16)                                               \
            for (int j = 0; j < 16; j++) {                                         \
                T x = p[(i + j) * s];                                              \
                MN[j] = (x <= MN[j] || x != x) ? x : MN[j];                        \
                MX[j] = (x >= MX[j] || x != x) ? x : MX[j];                        \
            }                                                                      \
        T mn = MN[0], mx = MX[0];                                                  \
        for (int j = 1; j < 16; j++) {                                             \
            mn = (MN[j] < mn || MN[j] != MN[j]) ? MN[j] : mn;                      \
            mx = (MX[j] > mx || MX[j] != MX[j]) ? MX[j] : mx;                      \
        }                                                                          \
        int amb_mn = mn == 0 && pyc_lanes_zero_##SFX(MN, 16, &mn);                 \
        int amb_mx = mx == 0 && pyc_lanes_zero_##SFX(MX, 16, &mx);                 \
        for (; i < n; i++) {                                                       \
            T x = p[i * s];                                                        \
            mn = (x <= mn || x != x) ? x : mn;                                     \
            mx = (x >= mx || x != x) ? x : mx;                                     \
        }                                                                          \
        if ((amb_mn && mn == 0) || (amb_mx && mx == 0)) {                          \
            T z = 0;                                                               \
            for (Py_ssize_t k = n - 1; k >= 0; k--)                                \
                if (p[k * s] == 0) { z = p[k * s]; break; }                        \
            if (amb_mn && mn == 0) mn = z;                                         \
            if (amb_mx && mx == 0) mx = z;                                         \
        }                                                                          \
        if (mn != mn || mx != mx) { mn = mx = (T)NAN; }  /* as PYC_X86_FINISH */   \
        *out_mn = mn; *out_mx = mx;                                                \
    }
    PYC_MINMAX_STRIDED(f32, float)
    PYC_MINMAX_STRIDED(f64, double)
    /* The minimum (want_max: maximum) of a contiguous float row, n >= 1: NaN if the
     * row holds one. argmin/argmax's block scan needs only this value (it then looks
     * for its first position), so it skips min/max's second compare and its zero
     * sign rules: 4 vectors of independent lanes, one compare and one blend each
     * (on x86, below: one vminps/vmaxps each and an unordered compare for NaNs). */
    /* the elements after the vector blocks, and the NaN rule */
    #define PYC_EXT_TAIL(T)                                                          \
        for (; i < n; i++) {                                                       \
            T x = p[i];                                                            \
            nan |= x != x;                                                         \
            if (want_max ? x > m : x < m) m = x;                                   \
        }                                                                          \
        return (nan || m != m) ? (T)NAN : m;
    #if PYC_VEC
    #define PYC_EXT(SFX, T, VT, IT, W)                                              \
    static T pyc_ext_##SFX(const T *p, Py_ssize_t n, int want_max) {               \
        T m = p[0];                                                                \
        Py_ssize_t i = 0;                                                          \
        int nan = 0;                                                               \
        if (n >= 4 * W) {                                                          \
            VT a[4];                                                               \
            IT bad = {0};                                                          \
            for (int k = 0; k < 4; k++) memcpy(&a[k], p + k * W, sizeof a[k]);    \
            for (i = 4 * W; i + 4 * W <= n; i += 4 * W)                            \
                for (int k = 0; k < 4; k++) {                                      \
                    VT x; memcpy(&x, p + i + k * W, sizeof x);                     \
                    IT t = want_max ? (IT)(x > a[k]) : (IT)(x < a[k]);             \
                    a[k] = (VT)(((IT)x & t) | ((IT)a[k] & ~t));                    \
                    bad |= (IT)(x != x);                                           \
                }                                                                  \
            /* a NaN the first four vectors put in a lane stays there: noted,    \
             * then the four folded into one (a scalar pass over 4 * W lanes cost   \
             * more than the loop) */                                              \
            for (int k = 0; k < 4; k++) bad |= (IT)(a[k] != a[k]);                 \
            for (int k = 1; k < 4; k++) {                                          \
                IT t = want_max ? (IT)(a[k] > a[0]) : (IT)(a[k] < a[0]);           \
                a[0] = (VT)(((IT)a[k] & t) | ((IT)a[0] & ~t));                     \
            }                                                                      \
            T l[W]; IT bl = bad;                                                   \
            memcpy(l, &a[0], sizeof l);                                            \
            for (int j = 0; j < W; j++) {                                          \
                nan |= bl[j] != 0;                                                 \
                if (want_max ? l[j] > m : l[j] < m) m = l[j];                      \
            }                                                                      \
        }                                                                          \
        PYC_EXT_TAIL(T)                                                            \
    }
    #if defined(__AVX512F__) || defined(__AVX__) || defined(__SSE2__)
    /* x86: one vminps/vmaxps (acc, x) per vector, NaNs found apart by an unordered
     * compare (a NaN x passes into acc and the next x replaces it; the flag keeps it).
     * SSE too: the generic vectors above, built for SSE4.2, ran ~1 ns an element
     * (10-25x NumPy's time on 10^5 floats: lane by lane compares and spills). */
    #include <immintrin.h>
    #if defined(__AVX512F__)
    #define PYC_EXT_NANT unsigned
    #define PYC_EXT_NAN0 0u
    #define PYC_EXT_F32_OPS __m512, 16, _mm512_loadu_ps, _mm512_min_ps, _mm512_max_ps, PYC_UNORD_PS
    #define PYC_EXT_F64_OPS __m512d, 8, _mm512_loadu_pd, _mm512_min_pd, _mm512_max_pd, PYC_UNORD_PD
    #define PYC_EXT_ANY(b) ((b) != 0)
    #elif defined(__AVX__)
    #define PYC_EXT_NANT __m256
    #define PYC_EXT_NAN0 _mm256_setzero_ps()
    #define PYC_EXT_UNORD_PS(a, b) _mm256_cmp_ps(a, b, _CMP_UNORD_Q)
    #define PYC_EXT_UNORD_PD(a, b) _mm256_castpd_ps(_mm256_cmp_pd(a, b, _CMP_UNORD_Q))
    #define PYC_EXT_F32_OPS __m256, 8, _mm256_loadu_ps, _mm256_min_ps, _mm256_max_ps, PYC_EXT_UNORD_PS
    #define PYC_EXT_F64_OPS __m256d, 4, _mm256_loadu_pd, _mm256_min_pd, _mm256_max_pd, PYC_EXT_UNORD_PD
    #define PYC_EXT_ANY(b) (_mm256_movemask_ps(b) != 0)
    #else
    #define PYC_EXT_NANT __m128
    #define PYC_EXT_NAN0 _mm_setzero_ps()
    #define PYC_EXT_UNORD_PS(a, b) _mm_cmpunord_ps(a, b)
    #define PYC_EXT_UNORD_PD(a, b) _mm_castpd_ps(_mm_cmpunord_pd(a, b))
    #define PYC_EXT_F32_OPS __m128, 4, _mm_loadu_ps, _mm_min_ps, _mm_max_ps, PYC_EXT_UNORD_PS
    #define PYC_EXT_F64_OPS __m128d, 2, _mm_loadu_pd, _mm_min_pd, _mm_max_pd, PYC_EXT_UNORD_PD
    #define PYC_EXT_ANY(b) (_mm_movemask_ps(b) != 0)
    #endif
    #define PYC_EXT_OR(acc, v) PYC_EXT_OR_(acc, v)
    /* min (want_max: max) of a vector's lanes, NaN-free lanes assumed */
    #if defined(__AVX512F__)
    static inline float pyc_ext_hred_f32(__m512 v, int want_max) {
        return want_max ? _mm512_reduce_max_ps(v) : _mm512_reduce_min_ps(v);
    }
    static inline double pyc_ext_hred_f64(__m512d v, int want_max) {
        return want_max ? _mm512_reduce_max_pd(v) : _mm512_reduce_min_pd(v);
    }
    #else
    static inline float pyc_ext_hred4_f32(__m128 v, int want_max) {
        __m128 u = _mm_shuffle_ps(v, v, 0x4e);
        v = want_max ? _mm_max_ps(v, u) : _mm_min_ps(v, u);
        u = _mm_shuffle_ps(v, v, 0xb1);
        v = want_max ? _mm_max_ps(v, u) : _mm_min_ps(v, u);
        return _mm_cvtss_f32(v);
    }
    static inline double pyc_ext_hred2_f64(__m128d v, int want_max) {
        __m128d u = _mm_shuffle_pd(v, v, 1);
        v = want_max ? _mm_max_pd(v, u) : _mm_min_pd(v, u);
        return _mm_cvtsd_f64(v);
    }
    #if defined(__AVX__)  /* the two 128-bit halves folded, then as SSE */
    static inline float pyc_ext_hred_f32(__m256 v, int want_max) {
        __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
        return pyc_ext_hred4_f32(want_max ? _mm_max_ps(lo, hi) : _mm_min_ps(lo, hi), want_max);
    }
    static inline double pyc_ext_hred_f64(__m256d v, int want_max) {
        __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
        return pyc_ext_hred2_f64(want_max ? _mm_max_pd(lo, hi) : _mm_min_pd(lo, hi), want_max);
    }
    #else
    #define pyc_ext_hred_f32 pyc_ext_hred4_f32
    #define pyc_ext_hred_f64 pyc_ext_hred2_f64
    #endif
    #endif
    #if defined(__AVX512F__)
    #define PYC_EXT_OR_(acc, v) ((acc) | (v))
    #elif defined(__AVX__)
    #define PYC_EXT_OR_(acc, v) _mm256_or_ps(acc, v)
    #else
    #define PYC_EXT_OR_(acc, v) _mm_or_ps(acc, v)
    #endif
    #define PYC_EXT_LOOP(OP, VT, W, LOADU, UNORD)                                      \
            for (i = 4 * W; i + 4 * W <= n; i += 4 * W) {                            \
                VT x0 = LOADU(p + i), x1 = LOADU(p + i + W);                          \
                VT x2 = LOADU(p + i + 2 * W), x3 = LOADU(p + i + 3 * W);              \
                bad = PYC_EXT_OR(bad, PYC_EXT_OR(UNORD(x0, x1), UNORD(x2, x3)));      \
                a0 = OP(a0, x0); a1 = OP(a1, x1); a2 = OP(a2, x2); a3 = OP(a3, x3);   \
            }
    #define PYC_EXT_X86(SFX, T, VT, W, LOADU, MIN, MAX, UNORD)                       \
    static T pyc_ext_##SFX(const T *p, Py_ssize_t n, int want_max) {               \
        T m = p[0];                                                                \
        Py_ssize_t i = 0;                                                          \
        int nan = 0;                                                               \
        if (n >= W) {                                                              \
            VT a0 = LOADU(p), a1 = a0, a2 = a0, a3 = a0;                           \
            PYC_EXT_NANT bad = UNORD(a0, a0);                                      \
            i = W;                                                                 \
            if (n >= 4 * W) {                                                      \
                a1 = LOADU(p + W); a2 = LOADU(p + 2 * W); a3 = LOADU(p + 3 * W);   \
                bad = PYC_EXT_OR(bad, PYC_EXT_OR(UNORD(a1, a1), UNORD(a2, a3)));   \
                if (want_max) { PYC_EXT_LOOP(MAX, VT, W, LOADU, UNORD) }              \
                else { PYC_EXT_LOOP(MIN, VT, W, LOADU, UNORD) }                    \
            }                                                                      \
            /* the vectors left, then the last W elements again (a min or max      \
             * takes repeats): the scalar tail of up to 4 * W - 1 elements, a       \
             * compare chain of ~2.5 ns an element, cost a 1000-element float32    \
             * argmax row 100 ns, as much as the 960 before it */                  \
            for (; i + W <= n; i += W) {                                           \
                VT x = LOADU(p + i);                                               \
                bad = PYC_EXT_OR(bad, UNORD(x, x));                                \
                a1 = want_max ? MAX(a1, x) : MIN(a1, x);                           \
            }                                                                      \
            if (i < n) {                                                           \
                VT x = LOADU(p + n - W);                                           \
                bad = PYC_EXT_OR(bad, UNORD(x, x));                                \
                a2 = want_max ? MAX(a2, x) : MIN(a2, x);                           \
                i = n;                                                             \
            }                                                                      \
            /* the four vectors, then the lanes, folded in registers (a shuffle   \
             * tree): a scalar pass over the 4 * W lanes cost twice the loop on a   \
             * 2048-element block. a0 holds p[0]; a NaN lane only ever meets       \
             * `bad`, which decides the result then. */                           \
            if (want_max) a0 = MAX(MAX(a0, a1), MAX(a2, a3));                      \
            else a0 = MIN(MIN(a0, a1), MIN(a2, a3));                               \
            m = pyc_ext_hred_##SFX(a0, want_max);                                  \
            nan = PYC_EXT_ANY(bad);                                                \
        }                                                                          \
        PYC_EXT_TAIL(T)                                                            \
    }
    #define PYC_EXT_X86_(SFX, T, OPS) PYC_EXT_X86(SFX, T, OPS)
    PYC_EXT_X86_(f32, float, PYC_EXT_F32_OPS)
    PYC_EXT_X86_(f64, double, PYC_EXT_F64_OPS)
    #else
    PYC_EXT(f32, float, pyc_vf16, pyc_vi16, 16)
    PYC_EXT(f64, double, pyc_vd8, pyc_vl8, 8)
    #endif
    #else
    #define PYC_EXT(SFX, T)                                                         \
    static T pyc_ext_##SFX(const T *p, Py_ssize_t n, int want_max) {               \
        T m = p[0]; int nan = 0;                                                   \
        for (Py_ssize_t i = 0; i < n; i++) {                                       \
            T x = p[i]; nan |= x != x;                                             \
            if (want_max ? x > m : x < m) m = x;                                   \
        }                                                                          \
        return (nan || m != m) ? (T)NAN : m;                                       \
    }
    PYC_EXT(f32, float)
    PYC_EXT(f64, double)
    #endif
    /* Column tasks (unit column stride) read their rows one after the other, as
     * NumPy's axis-0 reductions do: one sequential stream through the task's
     * rows (whole rows where B <= COLS), the per-column accumulators in L1.
     * Register blocking over four rows (accumulators loaded once per four rows)
     * read four interleaved streams instead and ran at half the speed on data
     * from memory (the prefetchers restart on every 4 KB run; issue 11). The
     * float32 sums' wide rows are the exception: 32 streams side by side
     * (pyc_psum_cols_f32). */
    /* Column minimum (want_max: maximum) over rows 1..nr-1 (E holds row 0):
     * NaN-sticky, ties to the later row. The fast loop is e = e < x ? e : x (x86's
     * vminps, one op a vector: ties and a NaN x go to x) with NaNs only noted; a
     * block that holds a NaN (row 0 included) is redone by the exact rule,
     * ((x <= e) | (x != x)) ? x : e, which keeps a NaN once seen. Without NaNs
     * the two rules pick the same elements. */
    #define PYC_EXT_COLS(SFX, T)                                                    \
    static PYC_NOINLINE void pyc_ext_cols_##SFX(const T *p, Py_ssize_t nr,         \
                                   Py_ssize_t sr,                                  \
                                   Py_ssize_t nb, int want_max, T *restrict E) {   \
        int bad = 0;                                                               \
        for (Py_ssize_t b = 0; b < nb; b++) bad |= E[b] != E[b];                   \
        for (Py_ssize_t r = 1; r < nr; r++) {                                      \
            const T *restrict q = p + r * sr;                                      \
            if (want_max)                                                          \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T e = E[b], x = q[b];                                          \
                    E[b] = e > x ? e : x;                                          \
                    bad |= x != x;                                                 \
                }                                                                  \
            else                                                                   \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T e = E[b], x = q[b];                                          \
                    E[b] = e < x ? e : x;                                          \
                    bad |= x != x;                                                 \
                }                                                                  \
        }                                                                          \
        if (!bad) return;                                                          \
        for (Py_ssize_t b = 0; b < nb; b++) E[b] = p[b];                           \
        for (Py_ssize_t r = 1; r < nr; r++) {                                      \
            const T *restrict q = p + r * sr;                                      \
            for (Py_ssize_t b = 0; b < nb; b++) {                                  \
                T e = E[b], x = q[b];                                              \
                E[b] = ((want_max ? x >= e : x <= e) | (x != x)) ? x : e;          \
            }                                                                      \
        }                                                                          \
    }
    PYC_EXT_COLS(f32, float)
    PYC_EXT_COLS(f64, double)
    /* Column argmin (want_max: argmax) over rows 1..nr-1 (V, I hold row 0, I as
     * lo): the first extreme, the first NaN winning. The fast loop takes x where
     * x < v strictly (first occurrence; a NaN x never), value and row index by
     * select, with NaNs only noted; 1 if the block holds one (row 0 included),
     * and the caller then redoes it by the exact rule (_better). */
    #define PYC_ARGEXT_COLS(SFX, T)                                                 \
    static PYC_NOINLINE int pyc_argext_cols_##SFX(const T *p, Py_ssize_t nr,       \
            Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo,                \
            T *restrict V, int64_t *restrict IX) {                                 \
        int bad = 0;                                                               \
        for (Py_ssize_t b = 0; b < nb; b++) bad |= V[b] != V[b];                   \
        for (Py_ssize_t r = 1; r < nr; r++) {                                      \
            const T *restrict q = p + r * sr;                                      \
            const int64_t row = lo + r;                                            \
            if (want_max)                                                          \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b], v = V[b];                                          \
                    int t = x > v;                                                 \
                    V[b] = t ? x : v;                                              \
                    IX[b] = t ? row : IX[b];                                       \
                    bad |= x != x;                                                 \
                }                                                                  \
            else                                                                   \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b], v = V[b];                                          \
                    int t = x < v;                                                 \
                    V[b] = t ? x : v;                                              \
                    IX[b] = t ? row : IX[b];                                       \
                    bad |= x != x;                                                 \
                }                                                                  \
        }                                                                          \
        return bad;                                                                \
    }
    PYC_ARGEXT_COLS(f32, float)
    PYC_ARGEXT_COLS(f64, double)
    /* Column sums, a row at a time through a function that is not inlined: GCC's
     * unroll-and-jam (-O3) otherwise fuses two rows into one loop, two streams
     * instead of one, and the float32 sums ran at half the speed (issue 11). */
    static PYC_NOINLINE void pyc_psum_row_f32(const float *restrict q, Py_ssize_t nb,
                                              double *restrict S) {
        for (Py_ssize_t b = 0; b < nb; b++) S[b] += (double)q[b];
    }
    static PYC_NOINLINE void pyc_sum_row_f64(const double *restrict q, Py_ssize_t nb,
                                             double *restrict S, double *restrict C) {
        for (Py_ssize_t b = 0; b < nb; b++) {
            double s = S[b], x = q[b], t = s + x, bp = t - s;
            C[b] += (s - (t - bp)) + (x - bp);
            S[b] = t;
        }
    }
    /* Software prefetch, into L1, of the run of a row that a float32 column task reads
     * PYC_PF_BYTES later (whole rows ahead: the next rows' runs, one after the other).
     * The column loops read a run of each row, one row after the other: out of cache
     * the hardware prefetchers alone left float32 axis-0 sums at 0.66-0.78x NumPy's row
     * adds, 1.0x with this (issue 11; a (10^6, 1000) sum, Zen 5). Only where the call
     * reads more than PYC_PF_MIN bytes (``pf``): from cache the prefetches cost (0.84x
     * NumPy on (1000, 1000), 1.02x without). Not for float64: its groups of 8 rows
     * are 8 streams already, and measured slower with it. */
    #define PYC_PF_BYTES 16384
    #define PYC_PF_MIN (1 << 24)
    static inline void pyc_prefetch_run(const void *q, Py_ssize_t nbytes) {
    #if defined(__GNUC__)
        for (Py_ssize_t o = 0; o < nbytes; o += 64)
            __builtin_prefetch((const char *)q + o, 0, 3);
    #else
        (void)q; (void)nbytes;
    #endif
    }
    /* K rows of float32 added into the column sums in row order,
     * S[b] = ((S[b] + q[b]) + q[sr + b]) + ...: the bits of K one-row passes. The
     * loop runs over the columns, a vector of them reading all K rows (K streams
     * side by side); a loop over the rows inside a tile of columns, or short runs
     * of each row in turn, ran at 0.4x NumPy from memory. */
    #if defined(__GNUC__) && !defined(__clang__)
    #define PYC_UNROLL_ROWS _Pragma("GCC unroll 32")
    #else
    #define PYC_UNROLL_ROWS
    #endif
    #define PYC_PSUM_ROWS(K)                                                        \
    static PYC_NOINLINE void pyc_psum_rows##K##_f32(const float *restrict q,        \
                                                   Py_ssize_t sr, Py_ssize_t nb,   \
                                                   double *restrict S) {           \
        for (Py_ssize_t b = 0; b < nb; b++) {                                      \
            double s = S[b];                                                       \
            PYC_UNROLL_ROWS                                                        \
            for (int j = 0; j < K; j++) s += (double)q[j * sr + b];               \
            S[b] = s;                                                              \
        }                                                                          \
    }
    PYC_PSUM_ROWS(32)
    PYC_PSUM_ROWS(8)
    /* Rows a pass of the column sum reads side by side: 32, unless the rows' runs
     * fall on the same L1 sets (row strides near a multiple of 4 KB: more than two
     * of the 32 rows start in one 64-byte slot of a 4 KB page), then 8. */
    static inline Py_ssize_t pyc_rows_per_pass(Py_ssize_t sr_bytes) {
        unsigned char n[64] = {0};
        for (Py_ssize_t j = 0; j < 32; j++)
            if (++n[((j * sr_bytes) & 4095) >> 6] > 2) return 8;
        return 32;
    }
    /* Column sums of float32 in float64 (plain, as pyc_psum_f32) over rows 0..nr-1.
     * Whatever the schedule, each column adds its rows in row order: the same bits.
     * - From memory (``pf``), runs of at most PYC_PF_RUN bytes: one row at a time,
     *   the next rows' runs prefetched PYC_PF_BYTES ahead into L1.
     * - From memory, longer runs: passes of 32 rows read side by side (8 where the
     *   rows alias in L1: pyc_rows_per_pass), the chunk's last rows in 8s and ones.
     *   One row at a time, (5000, 2000) float32 ran at 0.6x NumPy's row adds (its
     *   sums in float32, half our L1 traffic), 1.0x with the passes (Zen 5, 1
     *   thread, issue 11); 4 rows a pass ran slower, as did tiles of columns with
     *   the rows inside.
     * - From cache: one row at a time (the passes measured no faster there).
     * Not inlined (once a task): the packed-loop test finds its prefetch by name. */
    #define PYC_PF_RUN 4096
    static PYC_NOINLINE void pyc_psum_cols_f32(const float *p, Py_ssize_t nr, Py_ssize_t sr,
                                               Py_ssize_t nb, double *restrict S, int pf) {
        Py_ssize_t run = nb * (Py_ssize_t)sizeof(float), r = 0;
        for (Py_ssize_t b = 0; b < nb; b++) S[b] = 0.0;
        if (pf && run <= PYC_PF_RUN) {
            Py_ssize_t d = (PYC_PF_BYTES + run - 1) / run;  /* rows ahead */
            for (; r < nr; r++) {
                if (r + d < nr)
                    pyc_prefetch_run(p + (r + d) * sr, run);
                pyc_psum_row_f32(p + r * sr, nb, S);
            }
            return;
        }
        if (pf && pyc_rows_per_pass(sr * (Py_ssize_t)sizeof(float)) == 32)
            for (; r + 32 <= nr; r += 32) pyc_psum_rows32_f32(p + r * sr, sr, nb, S);
        if (pf)
            for (; r + 8 <= nr; r += 8) pyc_psum_rows8_f32(p + r * sr, sr, nb, S);
        for (; r < nr; r++) pyc_psum_row_f32(p + r * sr, nb, S);
    }
    /* Eight rows' values of each column added as PYC_TREE8, then into the column by
     * TwoSum: a group of the blocked column sum (pyc_sum_cols_f64). Not inlined: the
     * packed-loop test finds it by name. */
    static PYC_NOINLINE void pyc_sum_rows8_f64(const double *restrict q, Py_ssize_t sr,
                                               Py_ssize_t nb, double *restrict S,
                                               double *restrict C) {
        for (Py_ssize_t b = 0; b < nb; b++) {
    #define PYC_X(r) q[(r) * sr + b]
            double s = S[b], x = PYC_TREE8(PYC_X), t = s + x, bp = t - s;
    #undef PYC_X
            C[b] += (s - (t - bp)) + (x - bp);
            S[b] = t;
        }
    }
    /* Blocked column TwoSum of float64 over rows 0..nr-1 (sums into S, compensations
     * into C): the rows in groups of PYC_GRP from row 0 (pyc_sum_rows8_f64), the rows
     * after the last full group one at a time; per column the order of the row sum
     * (kernels/_simd.h pyc_sum_f64), with rows for blocks. Axis-0 sums ran TwoSum on
     * every element: 0.5-0.85x NumPy's plain row-by-row adds (issue 11). */
    static void pyc_sum_cols_f64(const double *p, Py_ssize_t nr, Py_ssize_t sr,
                                 Py_ssize_t nb, double *restrict S, double *restrict C) {
        Py_ssize_t r = 0;
        for (Py_ssize_t b = 0; b < nb; b++) { S[b] = 0.0; C[b] = 0.0; }
        for (; r + PYC_GRP <= nr; r += PYC_GRP) pyc_sum_rows8_f64(p + r * sr, sr, nb, S, C);
        for (; r < nr; r++) pyc_sum_row_f64(p + r * sr, nb, S, C);
    }
    /* First i < n with p[i] == v, or p[i] a NaN where v is one (argmin/argmax's last
     * step: the position of the extreme already found); n if none. A vector compare
     * into a bit mask per step, the first set bit; the last W elements as one vector
     * (those before i, checked already, match none), not one by one. */
    #if defined(__AVX512F__)
    #define PYC_FIND_VEC(S, VT, W, LOADU, SET1, CMPMASK)                               \
        { const VT vv = SET1(v);                                                     \
          for (; i + W <= n; i += W) {                                               \
            VT x = LOADU(p + i);                                                     \
            unsigned m = nan ? CMPMASK(x, x, _CMP_UNORD_Q) : CMPMASK(x, vv, _CMP_EQ_OQ); \
            if (m) return i + __builtin_ctz(m); }                                    \
          if (i < n && n >= W) {                                                     \
            VT x = LOADU(p + n - W);                                                 \
            unsigned m = nan ? CMPMASK(x, x, _CMP_UNORD_Q) : CMPMASK(x, vv, _CMP_EQ_OQ); \
            return m ? n - W + __builtin_ctz(m) : n; } }
    #define PYC_FIND_F32 PYC_FIND_VEC(ps, __m512, 16, _mm512_loadu_ps, _mm512_set1_ps, _mm512_cmp_ps_mask)
    #define PYC_FIND_F64 PYC_FIND_VEC(pd, __m512d, 8, _mm512_loadu_pd, _mm512_set1_pd, _mm512_cmp_pd_mask)
    #elif defined(__AVX__)
    #define PYC_FIND_VEC(S, VT, W, LOADU, SET1, CMP, MOVEMASK)                         \
        { const VT vv = SET1(v);                                                     \
          for (; i + W <= n; i += W) {                                               \
            VT x = LOADU(p + i);                                                     \
            unsigned m = MOVEMASK(nan ? CMP(x, x, _CMP_UNORD_Q) : CMP(x, vv, _CMP_EQ_OQ)); \
            if (m) return i + __builtin_ctz(m); }                                    \
          if (i < n && n >= W) {                                                     \
            VT x = LOADU(p + n - W);                                                 \
            unsigned m = MOVEMASK(nan ? CMP(x, x, _CMP_UNORD_Q) : CMP(x, vv, _CMP_EQ_OQ)); \
            return m ? n - W + __builtin_ctz(m) : n; } }
    #define PYC_FIND_F32 PYC_FIND_VEC(ps, __m256, 8, _mm256_loadu_ps, _mm256_set1_ps, _mm256_cmp_ps, _mm256_movemask_ps)
    #define PYC_FIND_F64 PYC_FIND_VEC(pd, __m256d, 4, _mm256_loadu_pd, _mm256_set1_pd, _mm256_cmp_pd, _mm256_movemask_pd)
    #elif defined(__SSE2__)
    #include <emmintrin.h>
    #define PYC_FIND_VEC(VT, W, LOADU, SET1, CMPEQ, CMPUNORD, MOVEMASK)                \
        { const VT vv = SET1(v);                                                     \
          for (; i + W <= n; i += W) {                                               \
            VT x = LOADU(p + i);                                                     \
            unsigned m = MOVEMASK(nan ? CMPUNORD(x, x) : CMPEQ(x, vv));              \
            if (m) return i + __builtin_ctz(m); }                                    \
          if (i < n && n >= W) {                                                     \
            VT x = LOADU(p + n - W);                                                 \
            unsigned m = MOVEMASK(nan ? CMPUNORD(x, x) : CMPEQ(x, vv));              \
            return m ? n - W + __builtin_ctz(m) : n; } }
    #define PYC_FIND_F32 PYC_FIND_VEC(__m128, 4, _mm_loadu_ps, _mm_set1_ps, _mm_cmpeq_ps, _mm_cmpunord_ps, _mm_movemask_ps)
    #define PYC_FIND_F64 PYC_FIND_VEC(__m128d, 2, _mm_loadu_pd, _mm_set1_pd, _mm_cmpeq_pd, _mm_cmpunord_pd, _mm_movemask_pd)
    #else
    #define PYC_FIND_F32
    #define PYC_FIND_F64
    #endif
    #define PYC_FIND(SFX, T, VEC)                                                    \
    static Py_ssize_t pyc_find_##SFX(const T *p, Py_ssize_t n, T v) {               \
        Py_ssize_t i = 0;                                                            \
        const int nan = v != v;                                                      \
        VEC                                                                          \
        for (; i < n; i++)                                                           \
            if (nan ? p[i] != p[i] : p[i] == v) return i;                            \
        return n;                                                                    \
    }
    PYC_FIND(f32, float, PYC_FIND_F32)
    PYC_FIND(f64, double, PYC_FIND_F64)
    /* Extreme (want_max: maximum) of a contiguous integer row, n >= 1: 256 bytes of
     * lanes (four vectors at AVX-512, GCC packs the lane loop), then the tail.
     * Integer ties are one value, so any order gives the answer. The generic two-sided
     * row loop (_minmax_row: 16 lanes, min and max at once) ran at 0.2-0.6x NumPy's
     * min of uint8..int64 (a uint8 row took one xmm a step).
     * ``stop``: a value no element can pass (the dtype's limit, or 1 for bool read as
     * uint8): once a lane holds it, after each 4 KB of lanes, it is the answer. NumPy
     * stops bool reductions at the first True (False); ours read every byte (0.01-0.2x
     * NumPy on random masks), and a uint8 image's maximum is often 255 early on. */
    #define PYC_IEXT(SFX, T, U)                                                      \
    static PYC_NOINLINE T pyc_iext_##SFX(const T *p, Py_ssize_t n, int want_max,   \
                                         T stop) {                                  \
        enum { W = 256 / (int)sizeof(T), CH = 16 * W };                            \
        T m[W], r = p[0];                                                          \
        Py_ssize_t i = 0;                                                          \
        if (n >= 2 * W) {                                                          \
            for (int j = 0; j < W; j++) m[j] = p[j];                               \
            i = W;                                                                 \
            while (i + W <= n) {                                                   \
                Py_ssize_t e = n - i >= CH ? i + CH : i + (n - i) / W * W;         \
                int hit = 0;                                                       \
                if (want_max) {                                                    \
                    for (; i < e; i += W)                                          \
                        for (int j = 0; j < W; j++) {                              \
                            T x = p[i + j]; m[j] = x > m[j] ? x : m[j];           \
                        }                                                          \
                } else {                                                           \
                    for (; i < e; i += W)                                          \
                        for (int j = 0; j < W; j++) {                              \
                            T x = p[i + j]; m[j] = x < m[j] ? x : m[j];           \
                        }                                                          \
                }                                                                  \
                for (int j = 0; j < W; j++) hit |= m[j] == stop;                   \
                if (hit) return stop;                                              \
            }                                                                      \
            if (want_max) { for (int j = 0; j < W; j++) r = m[j] > r ? m[j] : r; } \
            else { for (int j = 0; j < W; j++) r = m[j] < r ? m[j] : r; }          \
        }                                                                          \
        if (want_max) { for (; i < n; i++) r = p[i] > r ? p[i] : r; }              \
        else { for (; i < n; i++) r = p[i] < r ? p[i] : r; }                       \
        return r;                                                                  \
    }                                                                              \
    /* First i < n with p[i] == v (n if none). One-byte rows: the C library's memchr  \
     * (glibc's ran at 70-150 bytes a ns in cache on Zen 4). Wider: blocks of 256     \
     * bytes, then 64, each tested by the unsigned minimum of p ^ v (zero where one   \
     * matches: a packed xor and min a vector), then the 64 that hold it one by one.  \
     * An int "any |= p[i] == v" widened each compare to 32-bit lanes: 14-24 bytes a  \
     * ns for uint8, a quarter of the minimum's speed. */                             \
    static PYC_NOINLINE Py_ssize_t pyc_ifind_##SFX(const T *p, Py_ssize_t n, T v) { \
        enum { W = 256 / (int)sizeof(T), W2 = 64 / (int)sizeof(T) };               \
        Py_ssize_t i = 0;                                                          \
        if (sizeof(T) == 1) {                                                      \
            const T *q = (const T *)memchr(p, (unsigned char)v, (size_t)n);        \
            return q ? q - p : n;                                                  \
        }                                                                          \
        const U u = (U)v;                                                          \
        for (; i + W <= n; i += W) {                                               \
            U m = (U)~(U)0;                                                        \
            for (int j = 0; j < W; j++) { U d = (U)p[i + j] ^ u; m = d < m ? d : m; } \
            if (!m) break;                                                         \
        }                                                                          \
        for (; i + W2 <= n; i += W2) {                                             \
            U m = (U)~(U)0;                                                        \
            for (int j = 0; j < W2; j++) { U d = (U)p[i + j] ^ u; m = d < m ? d : m; } \
            if (!m) break;                                                         \
        }                                                                          \
        for (; i < n; i++)                                                         \
            if (p[i] == v) return i;                                               \
        return n;                                                                  \
    }
    /* First i < n with p[i] != 0 (n if none): argmax of bool rows read as uint8,
     * NumPy's answer (the first truthy byte; argmin's is the first zero, memchr).
     * The first byte alone (half the rows of a random mask), the first 8 as one
     * word, then blocks of 256 and 64 bytes tested by their or, then the last 64
     * bytes at once (no hit: n), else one by one. Through the general rows (the
     * block's maximum, a find of it), bool argmin/argmax along axis 1 of a (1000,
     * 1000) mask took ~45 ns a row, NumPy's 5-8. */
    static PYC_NOINLINE Py_ssize_t pyc_find_nz_u8(const uint8_t *p, Py_ssize_t n) {
        Py_ssize_t i = 0;
        if (n == 0 || p[0]) return 0;
    #if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (n >= 8) {  /* the first 8 bytes as one word: its lowest set byte */
            uint64_t w;
            memcpy(&w, p, 8);
            if (w) return __builtin_ctzll(w) >> 3;
            i = 8;
        }
    #endif
        for (; i + 256 <= n; i += 256) {
            uint8_t m = 0;
            for (int j = 0; j < 256; j++) m |= p[i + j];
            if (m) break;
        }
        for (; i + 64 <= n; i += 64) {
            uint8_t m = 0;
            for (int j = 0; j < 64; j++) m |= p[i + j];
            if (m) break;
        }
        if (i < n && n >= 64 && i + 64 > n) {  /* the rest lies in the last 64 bytes */
            uint8_t m = 0;
            for (int j = 0; j < 64; j++) m |= p[n - 64 + j];
            if (!m) return n;
        }
        for (; i < n; i++)
            if (p[i]) return i;
        return n;
    }
    /* Integer column extremes over rows 1..nr-1 (E, V, I hold row 0): packed along
     * the columns, as pyc_ext_cols / pyc_argext_cols for floats. The generic loops
     * (a runtime column stride) stayed scalar: 0.1-0.4x NumPy's axis-0 min of uint8
     * to int32. argext: strictly better only, so the first row of a tie stays. */
    #define PYC_ICOLS(SFX, T)                                                       \
    static PYC_NOINLINE void pyc_iext_cols_##SFX(const T *p, Py_ssize_t nr,       \
                                    Py_ssize_t sr,                                  \
                                    Py_ssize_t nb, int want_max, T *restrict E) {   \
        for (Py_ssize_t r = 1; r < nr; r++) {                                      \
            const T *restrict q = p + r * sr;                                      \
            if (want_max)                                                          \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b]; E[b] = x > E[b] ? x : E[b];                        \
                }                                                                  \
            else                                                                   \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b]; E[b] = x < E[b] ? x : E[b];                        \
                }                                                                  \
        }                                                                          \
    }                                                                              \
    static PYC_NOINLINE void pyc_iargext_cols_##SFX(const T *p, Py_ssize_t nr,    \
                                       Py_ssize_t sr,                               \
                                       Py_ssize_t nb, int want_max, int64_t lo,    \
                                       T *restrict V, int64_t *restrict Ix) {       \
        for (Py_ssize_t r = 1; r < nr; r++) {                                      \
            const T *restrict q = p + r * sr;                                      \
            const int64_t at = lo + r;                                             \
            if (want_max)                                                          \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b]; int t = x > V[b];                                  \
                    V[b] = t ? x : V[b]; Ix[b] = t ? at : Ix[b];                     \
                }                                                                  \
            else                                                                   \
                for (Py_ssize_t b = 0; b < nb; b++) {                              \
                    T x = q[b]; int t = x < V[b];                                  \
                    V[b] = t ? x : V[b]; Ix[b] = t ? at : Ix[b];                     \
                }                                                                  \
        }                                                                          \
    }
    PYC_ICOLS(i8, int8_t)
    PYC_ICOLS(i16, int16_t)
    PYC_ICOLS(i32, int32_t)
    PYC_ICOLS(i64, int64_t)
    PYC_ICOLS(u8, uint8_t)
    PYC_ICOLS(u16, uint16_t)
    PYC_ICOLS(u32, uint32_t)
    PYC_ICOLS(u64, uint64_t)
    PYC_IEXT(i8, int8_t, uint8_t)
    PYC_IEXT(i16, int16_t, uint16_t)
    PYC_IEXT(i32, int32_t, uint32_t)
    PYC_IEXT(i64, int64_t, uint64_t)
    PYC_IEXT(u8, uint8_t, uint8_t)
    PYC_IEXT(u16, uint16_t, uint16_t)
    PYC_IEXT(u32, uint32_t, uint32_t)
    PYC_IEXT(u64, uint64_t, uint64_t)
    /* TwoSum of a strided float64 row (stride other than 1) in 16 lanes, lane j
     * taking elements i % 16 == j; the tail goes into lane 0, then the lanes fold
     * in order: the arithmetic of _sum_row's strided scalar lane loop, bit for bit,
     * with the lanes in vectors (gathered through a small buffer): ~2x the scalar
     * loop. Strided rows keep TwoSum on every element (not pyc_sum_f64's groups):
     * the gather, not the additions, bounds them, and every grouped variant tried
     * (a group through a buffer, vectors from initializers, eight gathered blocks in
     * registers) ran at 0.4-0.9x this loop's speed (issue 11). */
    static void pyc_sum_strided_f64(const double *p, Py_ssize_t n, Py_ssize_t s,
                                    double *out_s, double *out_c) {
        double Sl[16], Cl[16];
        Py_ssize_t i = 0;
    #if PYC_VEC
        pyc_vd S[PYC_NV], C[PYC_NV];
        for (int k = 0; k < PYC_NV; k++) { S[k] = (pyc_vd){0}; C[k] = (pyc_vd){0}; }
        for (; i + 16 <= n; i += 16) {
            double tmp[16];
            for (int j = 0; j < 16; j++) tmp[j] = p[(i + j) * s];
            for (int k = 0; k < PYC_NV; k++) {
                pyc_two_sum_v(&S[k], &C[k], pyc_loadd(tmp + k * PYC_VW));
            }
        }
        memcpy(Sl, S, sizeof Sl);
        memcpy(Cl, C, sizeof Cl);
    #else
        for (int j = 0; j < 16; j++) { Sl[j] = 0.0; Cl[j] = 0.0; }
        for (; i + 16 <= n; i += 16)
            for (int j = 0; j < 16; j++) pyc_two_sum(&Sl[j], &Cl[j], p[(i + j) * s]);
    #endif
        for (; i < n; i++) pyc_two_sum(&Sl[0], &Cl[0], p[i * s]);
        double rs = 0.0, rc = 0.0;
        for (int j = 0; j < 16; j++) { pyc_two_sum(&rs, &rc, Sl[j]); rc += Cl[j]; }
        *out_s = rs;
        *out_c = rc;
    }
    """
    double pyc_psum_f32(const float* p, Py_ssize_t n, Py_ssize_t s) nogil
    void pyc_minmax_strided_f32(const float* p, Py_ssize_t n, Py_ssize_t s, float* mn, float* mx) nogil
    void pyc_minmax_strided_f64(const double* p, Py_ssize_t n, Py_ssize_t s, double* mn, double* mx) nogil
    void pyc_sum_strided_f64(const double* p, Py_ssize_t n, Py_ssize_t s, double* out_s, double* out_c) nogil
    float pyc_ext_f32(const float* p, Py_ssize_t n, int want_max) nogil
    void pyc_ext_cols_f32(const float* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, float* E) nogil
    void pyc_ext_cols_f64(const double* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, double* E) nogil
    int pyc_argext_cols_f32(const float* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, float* V, int64_t* I) nogil
    int pyc_argext_cols_f64(const double* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, double* V, int64_t* I) nogil
    void pyc_psum_cols_f32(const float* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, double* S,
                           int pf) nogil
    enum: PYC_PF_MIN
    void pyc_prefetch_run(const void* q, Py_ssize_t nbytes) nogil
    void pyc_sum_cols_f64(const double* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, double* S, double* C) nogil
    double pyc_ext_f64(const double* p, Py_ssize_t n, int want_max) nogil
    Py_ssize_t pyc_find_f32(const float* p, Py_ssize_t n, float v) nogil
    Py_ssize_t pyc_find_f64(const double* p, Py_ssize_t n, double v) nogil
    int8_t pyc_iext_i8(const int8_t* p, Py_ssize_t n, int want_max, int8_t stop) nogil
    Py_ssize_t pyc_ifind_i8(const int8_t* p, Py_ssize_t n, int8_t v) nogil
    int16_t pyc_iext_i16(const int16_t* p, Py_ssize_t n, int want_max, int16_t stop) nogil
    Py_ssize_t pyc_ifind_i16(const int16_t* p, Py_ssize_t n, int16_t v) nogil
    int32_t pyc_iext_i32(const int32_t* p, Py_ssize_t n, int want_max, int32_t stop) nogil
    Py_ssize_t pyc_ifind_i32(const int32_t* p, Py_ssize_t n, int32_t v) nogil
    int64_t pyc_iext_i64(const int64_t* p, Py_ssize_t n, int want_max, int64_t stop) nogil
    Py_ssize_t pyc_ifind_i64(const int64_t* p, Py_ssize_t n, int64_t v) nogil
    uint8_t pyc_iext_u8(const uint8_t* p, Py_ssize_t n, int want_max, uint8_t stop) nogil
    Py_ssize_t pyc_ifind_u8(const uint8_t* p, Py_ssize_t n, uint8_t v) nogil
    uint16_t pyc_iext_u16(const uint16_t* p, Py_ssize_t n, int want_max, uint16_t stop) nogil
    Py_ssize_t pyc_ifind_u16(const uint16_t* p, Py_ssize_t n, uint16_t v) nogil
    uint32_t pyc_iext_u32(const uint32_t* p, Py_ssize_t n, int want_max, uint32_t stop) nogil
    Py_ssize_t pyc_ifind_u32(const uint32_t* p, Py_ssize_t n, uint32_t v) nogil
    uint64_t pyc_iext_u64(const uint64_t* p, Py_ssize_t n, int want_max, uint64_t stop) nogil
    Py_ssize_t pyc_ifind_u64(const uint64_t* p, Py_ssize_t n, uint64_t v) nogil
    Py_ssize_t pyc_find_nz_u8(const uint8_t* p, Py_ssize_t n) nogil
    int64_t pyc_load_relaxed(int64_t* p) nogil
    void pyc_store_relaxed(int64_t* p, int64_t v) nogil
    void pyc_iext_cols_i8(const int8_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int8_t* E) nogil
    void pyc_iargext_cols_i8(const int8_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, int8_t* V, int64_t* I) nogil
    void pyc_iext_cols_i16(const int16_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int16_t* E) nogil
    void pyc_iargext_cols_i16(const int16_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, int16_t* V, int64_t* I) nogil
    void pyc_iext_cols_i32(const int32_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int32_t* E) nogil
    void pyc_iargext_cols_i32(const int32_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, int32_t* V, int64_t* I) nogil
    void pyc_iext_cols_i64(const int64_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t* E) nogil
    void pyc_iargext_cols_i64(const int64_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, int64_t* V, int64_t* I) nogil
    void pyc_iext_cols_u8(const uint8_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, uint8_t* E) nogil
    void pyc_iargext_cols_u8(const uint8_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, uint8_t* V, int64_t* I) nogil
    void pyc_iext_cols_u16(const uint16_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, uint16_t* E) nogil
    void pyc_iargext_cols_u16(const uint16_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, uint16_t* V, int64_t* I) nogil
    void pyc_iext_cols_u32(const uint32_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, uint32_t* E) nogil
    void pyc_iargext_cols_u32(const uint32_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, uint32_t* V, int64_t* I) nogil
    void pyc_iext_cols_u64(const uint64_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, uint64_t* E) nogil
    void pyc_iargext_cols_u64(const uint64_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb, int want_max, int64_t lo, uint64_t* V, int64_t* I) nogil


ctypedef fused float_or_double:
    float
    double

cdef enum:
    LANES = 16        # independent accumulators per row task (one 512-bit vector of float32)
    GRP = 8           # blocks (rows) a float64 sum adds as a tree before its TwoSum (_tree8)
    ROW_CHUNK = 16384 # minimum elements per row task
    MAX_TASKS = 256   # tasks to aim for when rows are few
    COL_TASKS = 64    # column tasks to aim for (fewer chunks: a smaller fold of partials)
    COL_MIN = 65536   # minimum elements per column task (chunks of smaller calls cost a fold)
    FOLD = 256        # columns a chunk-partial fold runs side by side
    COLS = 4096       # output columns per column task (16-32 KB of each row it reads)
    COL_CHUNK = 64    # minimum rows per column task; also the var sub-block
    COL_PASS = 32     # column tasks' chunks are whole multiples of it (pyc_psum_cols_f32)
    SUB = 2048        # row sub-block (argmin scan, var two-pass) that stays in L1/L2
    ISUB_BYTES = 16384  # contiguous integer rows' argmin block (_argext_row), in bytes
    TASK_GROUP_BYTES = 65536  # input a thread takes at a time from short row tasks (_row_chunk)
    ISUM_BLOCK = 65536  # 8- and 16-bit elements a 32-bit lane of _isum_row adds exactly


# ---------------------------------------------------------------- task plans

cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline Py_ssize_t _row_chunks(Py_ssize_t A, Py_ssize_t R) noexcept nogil:
    """Chunks per row (B == 1): enough tasks to feed any thread count, from the shape alone."""
    if A >= MAX_TASKS or R <= ROW_CHUNK:
        return 1
    cdef Py_ssize_t c = _cdiv(R, ROW_CHUNK)
    cdef Py_ssize_t want = _cdiv(MAX_TASKS, A)
    return c if c < want else want


# Column tasks are numbered with the column block fastest, (a, row chunk, column
# block): one thread runs the blocks of a row chunk one after the other, over rows
# still in cache, instead of streaming the whole array once per column block.
# Blocks are COLS wide, so a task reads 16-32 KB runs of each row (whole rows
# where B <= COLS: one contiguous region per task), the hardware prefetchers'
# pattern; 256-column blocks (1 KB runs) ran at 0.3-0.5x NumPy's axis-0
# reductions (issue 11). Rows are cut into chunks of at least COL_CHUNK rows and
# COL_MIN elements, towards COL_TASKS tasks: enough for 16 threads, few partials
# to fold. Which task computes which partial, and the order partials combine
# in, do not depend on this numbering.
cdef inline Py_ssize_t _col_chunks(Py_ssize_t A, Py_ssize_t R, Py_ssize_t B) noexcept nogil:
    cdef Py_ssize_t nbb = _cdiv(B, COLS)
    if A * nbb >= COL_TASKS or R <= COL_CHUNK:
        return 1
    cdef Py_ssize_t c = _cdiv(R, COL_CHUNK)
    cdef Py_ssize_t want = _cdiv(COL_TASKS, A * nbb)
    cdef Py_ssize_t most = (R * (B if B < COLS else COLS)) // COL_MIN  # chunks of COL_MIN
    if want > most:
        want = most if most > 1 else 1
    return c if c < want else want


cdef struct Plan:
    Py_ssize_t ntask   # tasks: A * nch rows (B == 1), or A * nbb * nch column blocks
    Py_ssize_t nch     # chunks along R
    Py_ssize_t L       # rows of R per chunk
    Py_ssize_t nbb     # column blocks of COLS (1 for rows)
    Py_ssize_t nparts  # partials per partial array: A * nch * B, or 0 where nch == 1


cdef inline Plan _plan(Py_ssize_t A, Py_ssize_t R, Py_ssize_t B) noexcept nogil:
    cdef Plan pl
    if B == 1:
        pl.nbb = 1
        pl.nch = _row_chunks(A, R)
        pl.ntask = A * pl.nch
        pl.L = _cdiv(R, pl.nch)
    else:
        pl.nbb = _cdiv(B, COLS)
        pl.nch = _col_chunks(A, R, B)
        pl.L = _cdiv(R, pl.nch)
        if pl.nch > 1:  # chunks of whole passes (pyc_psum_cols_f32): (5000, 2000) float32
            # in chunks of 79 rows summed 32 + 32 + 8 + 7 x 1 at 0.66x NumPy, in 96 at 1.4x
            pl.L = _cdiv(pl.L, COL_PASS) * COL_PASS
            pl.nch = _cdiv(R, pl.L)
        pl.ntask = A * pl.nbb * pl.nch
    pl.nparts = 0 if pl.nch == 1 else A * pl.nch * B
    return pl


# _empty_chunks: with L = ceil(R / nch), the last chunks can start past R where
# (nch - 1) * L >= R (columns: R = 40000 gives nch = 256, L = 157, chunk 255 from
# 40035). Such a task reads nothing; sums and M2 give their empty partial (0), and
# min/max/argmin/argmax folds stop before the first of them (they used to read a
# row past the array and fold it in).

def plan(Py_ssize_t A, Py_ssize_t R, Py_ssize_t B):
    """(tasks, partials) of the (A, R, B) reductions: what a sliced call's ``parts`` hold."""
    cdef Plan pl = _plan(A, R, B)
    return pl.ntask, pl.nparts


# Sliced calls (issue 12, pycompute/_cancel.py run_tasks): every entry point takes
# ``..., parts, n_threads, t0, t1``, runs only tasks t0 <= t < min(t1, T) and returns
# T (t1 == 0: no work). Where a row or column block is cut into several chunks
# (nch > 1), each task writes its chunk's partial into ``parts`` (owned by the caller,
# so that the slices of one reduction share them) and the call that runs the last
# task folds them, in chunk order, into the outputs: the same operations in the same
# order as one uncut call, so the same bits. Where nch == 1 there is nothing to fold
# across tasks: each task writes its outputs (a one-partial fold where the fold is
# not the identity: float sums), and ``parts`` is unused. A whole call (t0 == 0,
# t1 >= T) may pass an empty ``parts``: it then uses its own scratch, as before.

cdef inline bint _clamp(Py_ssize_t T, Py_ssize_t* t0, Py_ssize_t* t1) noexcept nogil:
    """Clamp [t0, t1) to the T tasks; False where no task is left to run."""
    if t1[0] > T:
        t1[0] = T
    if t0[0] < 0:
        t0[0] = 0
    return t0[0] < t1[0]


cdef char* _per_thread(int n_threads, size_t nbytes) except NULL:
    """``nbytes`` of scratch for each of the call's threads (thread k's at k * nbytes, a
    multiple of 64), on a 64-byte boundary (free it with _free_per_thread): a column
    task's rows of COLS accumulators, too large for the stack of every thread an OpenMP
    runtime or a user starts (issue 11: 4096-column blocks). The rows of accumulators
    are read and written once per input row: off the 64-byte grid (malloc's 16), every
    vector of them split two cache lines, and float32 axis-0 sums ran at 0.6-0.8x NumPy
    out of cache (a 50% longer loop, measured alone)."""
    cdef char* p = <char*>malloc((n_threads if n_threads > 1 else 1) * nbytes + 64)
    if p == NULL:
        raise MemoryError()
    cdef size_t pad = 64 - (<size_t>p) % 64  # 1..64: the byte before holds it
    p[pad - 1] = <char>pad
    return p + pad


cdef void _free_per_thread(char* p) noexcept nogil:
    if p != NULL:
        free(p - <unsigned char>p[-1])


cdef inline Py_ssize_t _row_chunk(Py_ssize_t ntask, Py_ssize_t task_bytes,
                                  int n_threads) noexcept nogil:
    """Row tasks a thread takes at a time (prange's chunksize): ~TASK_GROUP_BYTES of
    input, at most a quarter of each thread's share (balance), at least 1. One row a
    grab cost each row a scheduling step, and neighbouring threads' one-element
    outputs shared cache lines: along axis 1 of (8192, 1024) arrays, two threads ran
    1.5-2.2x slower than one (uint8 and float32 max, float32 sum; Zen 4)."""
    cdef Py_ssize_t ck = TASK_GROUP_BYTES // (task_bytes if task_bytes > 0 else 1)
    cdef Py_ssize_t cap = ntask // (4 * n_threads)
    if ck > cap:
        ck = cap
    return ck if ck > 1 else 1


cdef void* _own_parts(Py_ssize_t have, Py_ssize_t need, size_t itemsize, bint whole) except NULL:
    """Scratch partials for a whole call that passed no ``parts`` (a slice cannot)."""
    if not whole:
        raise ValueError(f"a sliced call needs `parts` of {need} elements, got {have}")
    cdef void* p = malloc(need * itemsize)
    if p == NULL:
        raise MemoryError()
    return p


# ---------------------------------------------------------------- helpers

cdef inline void _two_sum(double* s, double* c, double x) noexcept nogil:
    """s + x, with the rounding error added to c (Knuth's TwoSum, branch free)."""
    cdef double t = s[0] + x
    cdef double bp = t - s[0]
    c[0] += (s[0] - (t - bp)) + (x - bp)
    s[0] = t


cdef inline double _tree8(const real_t* q, Py_ssize_t st) noexcept nogil:
    """The group of the blocked float64 sums (kernels/_simd.h PYC_TREE8): q[0], q[st],
    ..., q[7 st] in float64, added as ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))."""
    return (((<double>q[0] + <double>q[st]) + (<double>q[2 * st] + <double>q[3 * st]))
            + ((<double>q[4 * st] + <double>q[5 * st]) + (<double>q[6 * st] + <double>q[7 * st])))


cdef inline double _finish(double s, double c) noexcept nogil:
    # With inf/NaN inputs the compensation is NaN; the plain sum is then the answer.
    # A NaN sum is the default NaN (positive, quiet): which NaN sign survives an add
    # of two NaNs is the compiler's operand order, so the sign of a sum of NaNs of
    # both signs (or of inf + -inf, negative on x86, and a NaN) changed with the
    # inlining of the same loop (the small-call path against the general one).
    if s - s != 0.0:
        return s if s == s else NAN
    return s + c


cdef inline double _fold1(double s, double c) noexcept nogil:
    """The chunk-order fold of sum_float over a single partial (nch == 1), bit for bit
    (0.0 + s is not s for s = -0.0: the fold's arithmetic is kept, not skipped)."""
    cdef double rs = 0.0, rc = 0.0
    _two_sum(&rs, &rc, s)
    rc += c
    return _finish(rs, rc)


cdef void _fold_sums(const double* S, const double* C, Py_ssize_t nch, Py_ssize_t B,
                     double* out) noexcept nogil:
    """out[b] = the chunk-order TwoSum fold of the nch x B partials (S, C) of one
    ``a``: per column the arithmetic of ``_two_sum`` over chunks 0, 1, ... from
    (0, 0), then ``_finish``. Chunk-major over blocks of FOLD columns (each chunk's
    partials read in runs, not one column's chunks B apart), the running sums in
    locals: the partials are left as they are, so a fold can run again."""
    cdef Py_ssize_t c, b, b0, nb
    cdef double rs[FOLD]
    cdef double rc[FOLD]
    cdef const double* s
    cdef const double* e
    b0 = 0
    while b0 < B:
        nb = B - b0 if B - b0 < FOLD else FOLD
        for b in range(nb):
            rs[b] = 0.0
            rc[b] = 0.0
        for c in range(nch):
            s = S + c * B + b0
            e = C + c * B + b0
            for b in range(nb):
                _two_sum(&rs[b], &rc[b], s[b])
                rc[b] += e[b]
        for b in range(nb):
            out[b0 + b] = _finish(rs[b], rc[b])
        b0 += FOLD


# ================================================================ sum (float)

cdef void _sum_row(const real_t* p, Py_ssize_t n, Py_ssize_t s,
                   double* out_s, double* out_c) noexcept nogil:
    # float32: plain float64 lanes at any stride (pyc_psum_f32); the rest: TwoSum.
    if real_t is float:
        out_s[0] = pyc_psum_f32(p, n, s)
        out_c[0] = 0.0
        return
    if real_t is double:
        if s == 1:
            pyc_sum_f64(p, n, out_s, out_c)
        else:
            pyc_sum_strided_f64(p, n, s, out_s, out_c)
        return
    # integers: the order of the float64 rows, in plain loops: at stride 1
    # pyc_sum_f64's (blocked TwoSum), at other strides pyc_sum_strided_f64's
    cdef double S[LANES]
    cdef double C[LANES]
    cdef Py_ssize_t i = 0
    cdef int j
    for j in range(LANES):
        S[j] = 0.0
        C[j] = 0.0
    while s == 1 and i + GRP * LANES <= n:
        for j in range(LANES):
            _two_sum(&S[j], &C[j], _tree8(p + (i + j) * s, LANES * s))
        i += GRP * LANES
    while i + LANES <= n:
        for j in range(LANES):
            _two_sum(&S[j], &C[j], <double>p[(i + j) * s])
        i += LANES
    while i < n:
        _two_sum(&S[0], &C[0], <double>p[i * s])
        i += 1
    cdef double rs = 0.0, rc = 0.0
    for j in range(LANES):
        _two_sum(&rs, &rc, S[j])
        rc += C[j]
    out_s[0] = rs
    out_c[0] = rc


cdef void _sum_cols(const real_t* p, Py_ssize_t nr, Py_ssize_t sr,
                    Py_ssize_t nb, Py_ssize_t sb, double* S, double* C, bint pf) noexcept nogil:
    # ``pf``: the call reads enough to stream from memory (pyc_psum_cols_f32)
    cdef Py_ssize_t r, b
    if sb == 1:
        if real_t is float:
            pyc_psum_cols_f32(p, nr, sr, nb, S, pf)
            memset(C, 0, nb * sizeof(double))
            return
        elif real_t is double:
            pyc_sum_cols_f64(p, nr, sr, nb, S, C)
            return
    for b in range(nb):
        S[b] = 0.0
        C[b] = 0.0
    if real_t is float:  # plain float64 accumulation, as the rows (see pyc_psum_f32)
        for r in range(nr):
            if sb == 1:
                for b in range(nb):
                    S[b] += <double>p[r * sr + b]
            else:
                for b in range(nb):
                    S[b] += <double>p[r * sr + b * sb]
        return
    # strided columns and integers: the order of pyc_sum_cols_f64 (blocked TwoSum)
    r = 0
    while r + GRP <= nr:
        for b in range(nb):
            _two_sum(&S[b], &C[b], _tree8(p + r * sr + b * sb, sr))
        r += GRP
    while r < nr:
        for b in range(nb):
            _two_sum(&S[b], &C[b], <double>p[r * sr + b * sb])
        r += 1


def sum_float(const real_t[:] buf, Py_ssize_t off, Py_ssize_t A, Py_ssize_t R,
              Py_ssize_t B, Py_ssize_t sa, Py_ssize_t sr, Py_ssize_t sb,
              double[::1] out, double[::1] parts, int n_threads,
              Py_ssize_t t0, Py_ssize_t t1):
    """Sum in float64 of any real input (float32: plain float64 lanes, else TwoSum); out[a*B+b].
    ``parts``: 2 x nparts float64 (sums, then compensations); returns the task count."""
    # ``buf`` may be a strided 1-D view (the one-thread fast path of
    # pycompute/reductions.py): its element k is at k * es in memory
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t)
    cdef const real_t* p0 = &buf[0] + off * es
    sa *= es
    sr *= es
    sb *= es
    cdef Plan pl = _plan(A, R, B)
    if not _clamp(pl.ntask, &t0, &t1):
        return pl.ntask
    cdef Py_ssize_t nch = pl.nch, L = pl.L, nbb = pl.nbb, P = pl.nparts, t, a
    cdef double* ps = NULL
    cdef double* pc = NULL
    cdef char* scr = NULL  # column tasks' per-thread scratch (_per_thread)
    cdef void* own = NULL
    cdef bint pf
    if P:
        if parts.shape[0] >= 2 * P:
            ps = &parts[0]
        else:
            own = _own_parts(parts.shape[0], 2 * P, sizeof(double), t0 == 0 and t1 == pl.ntask)
            ps = <double*>own
        pc = ps + P
    try:
        if B > 1:
            scr = _per_thread(n_threads, 2 * COLS * sizeof(double))
        pf = A * R * B * <Py_ssize_t>sizeof(real_t) > PYC_PF_MIN
        with nogil:
            if B == 1:
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic",
                                    chunksize=_row_chunk(t1 - t0, (L if nch > 1 else R)
                                                         * <Py_ssize_t>sizeof(real_t), n_threads)):
                        _sum_row_task(p0, t, nch, L, R, sa, sr, ps, pc, &out[0])
                else:
                    for t in range(t0, t1):
                        _sum_row_task(p0, t, nch, L, R, sa, sr, ps, pc, &out[0])
            else:  # column tasks: (a, row chunk, column block)
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                        _sum_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, ps, pc, &out[0],
                                      <double*>(scr + threadid() * 2 * COLS * sizeof(double)),
                                      pf)
                else:
                    for t in range(t0, t1):
                        _sum_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, ps, pc, &out[0],
                                      <double*>scr, pf)
            if P and t1 == pl.ntask:  # the last task ran: fold the chunks in order
                for a in range(A):
                    _fold_sums(ps + a * nch * B, pc + a * nch * B, nch, B, &out[a * B])
    finally:
        free(own)
        _free_per_thread(scr)
    return pl.ntask


cdef inline void _sum_row_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nch, Py_ssize_t L,
                               Py_ssize_t R, Py_ssize_t sa, Py_ssize_t sr, double* ps,
                               double* pc, double* out) noexcept nogil:
    cdef Py_ssize_t lo = (t % nch) * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef double s, c
    _sum_row(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, &s, &c)
    if nch == 1:
        out[t] = _fold1(s, c)
    else:
        ps[t] = s
        pc[t] = c


cdef inline void _sum_col_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nbb, Py_ssize_t nch,
                               Py_ssize_t L, Py_ssize_t R, Py_ssize_t B, Py_ssize_t sa,
                               Py_ssize_t sr, Py_ssize_t sb, double* ps, double* pc,
                               double* out, double* W, bint pf) noexcept nogil:
    # the column sums in the thread's scratch ``W`` (sums, then compensations at COLS:
    # 64-byte aligned rows, see _per_thread), then into the outputs (nch == 1, a
    # one-partial fold) or the partials
    cdef Py_ssize_t bb = t % nbb  # column blocks fastest: see _col_chunks
    cdef Py_ssize_t c = (t // nbb) % nch
    cdef Py_ssize_t a = t // (nch * nbb)
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef Py_ssize_t b0 = bb * COLS
    cdef Py_ssize_t nb = B - b0 if B - b0 < COLS else COLS
    cdef Py_ssize_t k = (a * nch + c) * B + b0, b
    cdef const real_t* p = p0 + a * sa + lo * sr + b0 * sb
    _sum_cols(p, hi - lo, sr, nb, sb, W, W + COLS, pf)
    if nch == 1:  # k == a * B + b0: the outputs themselves
        for b in range(nb):
            out[k + b] = _fold1(W[b], W[COLS + b])
    else:
        memcpy(ps + k, W, nb * sizeof(double))
        memcpy(pc + k, W + COLS, nb * sizeof(double))


# ================================================================ sum (integer)

cdef void _isum_row(const int_t* p, Py_ssize_t n, Py_ssize_t s, uint64_t* out) noexcept nogil:
    # The wrapping uint64 sum of the sign-extended elements (exact mod 2^64: any order
    # gives its bits). Contiguous 8- and 16-bit rows add blocks of ISUM_BLOCK elements
    # in 32-bit lanes, exactly (2^16 * 65535 < 2^32), then widen each block's total:
    # four times the elements a vector of 64-bit lanes takes. 64-bit lanes ran uint8
    # sums at 1.5-5.5 bytes a ns (0.4-1.5x NumPy; Numba's plain loop 16), now 22-25.
    cdef uint64_t r = 0
    cdef int32_t a32
    cdef uint32_t u32
    cdef Py_ssize_t i, b = 0, e
    if s == 1 and (int_t is int8_t or int_t is int16_t):
        while b < n:
            e = b + ISUM_BLOCK if n - b > ISUM_BLOCK else n
            a32 = 0
            for i in range(b, e):
                a32 += p[i]
            r += <uint64_t><int64_t>a32
            b = e
    elif s == 1 and (int_t is uint8_t or int_t is uint16_t):
        while b < n:
            e = b + ISUM_BLOCK if n - b > ISUM_BLOCK else n
            u32 = 0
            for i in range(b, e):
                u32 += p[i]
            r += u32
            b = e
    elif s == 1:
        for i in range(n):
            r += <uint64_t><int64_t>p[i]
    else:
        for i in range(n):
            r += <uint64_t><int64_t>p[i * s]
    out[0] = r


cdef inline void _isum_col_task(const int_t* p0, Py_ssize_t t, Py_ssize_t nbb, Py_ssize_t nch,
                                Py_ssize_t L, Py_ssize_t R, Py_ssize_t B, Py_ssize_t sa,
                                Py_ssize_t sr, Py_ssize_t sb, uint64_t* ps) noexcept nogil:
    cdef Py_ssize_t bb = t % nbb  # column blocks fastest: see _col_chunks
    cdef Py_ssize_t c = (t // nbb) % nch
    cdef Py_ssize_t a = t // (nch * nbb)
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef Py_ssize_t b0 = bb * COLS
    cdef Py_ssize_t nb = B - b0 if B - b0 < COLS else COLS
    cdef uint64_t* S = &ps[(a * nch + c) * B + b0]
    cdef const int_t* p = p0 + a * sa + lo * sr + b0 * sb
    cdef Py_ssize_t r, b
    for b in range(nb):
        S[b] = 0
    for r in range(hi - lo):
        if sb == 1:
            for b in range(nb):
                S[b] += <uint64_t><int64_t>p[r * sr + b]
        else:
            for b in range(nb):
                S[b] += <uint64_t><int64_t>p[r * sr + b * sb]


def sum_int(const int_t[:] buf, Py_ssize_t off, Py_ssize_t A, Py_ssize_t R,
            Py_ssize_t B, Py_ssize_t sa, Py_ssize_t sr, Py_ssize_t sb,
            uint64_t[::1] out, uint64_t[::1] parts, int n_threads,
            Py_ssize_t t0, Py_ssize_t t1):
    """Exact integer sum modulo 2**64 (NumPy's wrap-around semantics); out[a*B+b].
    ``parts``: nparts uint64; returns the task count."""
    # ``buf`` may be a strided 1-D view (the one-thread fast path of
    # pycompute/reductions.py): its element k is at k * es in memory
    cdef Py_ssize_t es = buf.strides[0] // sizeof(int_t)
    cdef const int_t* p0 = &buf[0] + off * es
    sa *= es
    sr *= es
    sb *= es
    cdef Plan pl = _plan(A, R, B)
    if not _clamp(pl.ntask, &t0, &t1):
        return pl.ntask
    cdef Py_ssize_t nch = pl.nch, L = pl.L, nbb = pl.nbb, P = pl.nparts, t, a, c, b, lo, hi
    cdef uint64_t* ps = &out[0]  # nch == 1: a task's partial is its output
    cdef void* own = NULL
    if P:
        if parts.shape[0] >= P:
            ps = &parts[0]
        else:
            own = _own_parts(parts.shape[0], P, sizeof(uint64_t), t0 == 0 and t1 == pl.ntask)
            ps = <uint64_t*>own
    with nogil:
        if B == 1:
            if n_threads > 1:
                for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic",
                                chunksize=_row_chunk(t1 - t0, (L if nch > 1 else R)
                                                     * <Py_ssize_t>sizeof(int_t), n_threads)):
                    lo = (t % nch) * L
                    hi = lo + L if lo + L < R else R
                    _isum_row(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, &ps[t])
            else:
                for t in range(t0, t1):
                    lo = (t % nch) * L
                    hi = lo + L if lo + L < R else R
                    _isum_row(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, &ps[t])
        else:
            if n_threads > 1:
                for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                    _isum_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, ps)
            else:
                for t in range(t0, t1):
                    _isum_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, ps)
        if P and t1 == pl.ntask:  # the last task ran: fold the chunks in order
            for a in range(A):  # chunk-major (see _fold_sums); wrap-around: any order
                for b in range(B):
                    out[a * B + b] = ps[a * nch * B + b]
                for c in range(1, nch):
                    for b in range(B):
                        out[a * B + b] += ps[(a * nch + c) * B + b]
    free(own)
    return pl.ntask


# ================================================================ min / max

cdef inline real_t _ilimit(const real_t* p, bint want_max, bint vbool) noexcept nogil:
    """The value no element of the integer row at ``p`` (its type only) can pass in the wanted direction: the
    dtype's limit, or 1 for the maximum of bool input read as uint8 (``vbool``). An
    extreme that reaches it is final (pyc_iext, _argext_row stop there)."""
    if real_t is int8_t:
        return INT8_MAX if want_max else INT8_MIN
    elif real_t is int16_t:
        return INT16_MAX if want_max else INT16_MIN
    elif real_t is int32_t:
        return INT32_MAX if want_max else INT32_MIN
    elif real_t is int64_t:
        return INT64_MAX if want_max else INT64_MIN
    elif real_t is uint8_t:
        return (1 if vbool else UINT8_MAX) if want_max else 0
    elif real_t is uint16_t:
        return UINT16_MAX if want_max else 0
    elif real_t is uint32_t:
        return UINT32_MAX if want_max else 0
    elif real_t is uint64_t:
        return UINT64_MAX if want_max else 0
    else:
        return 0


cdef inline real_t _iext(const real_t* p, Py_ssize_t n, bint want_max,
                         bint vbool) noexcept nogil:
    """Extreme of a contiguous integer row (pyc_iext_*), stopping at _ilimit; floats do
    not come here. (A find of bool's limit, pyc_ifind, instead of the lanes read an
    all-False mask at 0.3-0.4x NumPy's rate, against 1.0-1.1x.)"""
    if real_t is int8_t:
        return pyc_iext_i8(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is int16_t:
        return pyc_iext_i16(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is int32_t:
        return pyc_iext_i32(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is int64_t:
        return pyc_iext_i64(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is uint8_t:
        return pyc_iext_u8(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is uint16_t:
        return pyc_iext_u16(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is uint32_t:
        return pyc_iext_u32(p, n, want_max, _ilimit(p, want_max, vbool))
    elif real_t is uint64_t:
        return pyc_iext_u64(p, n, want_max, _ilimit(p, want_max, vbool))
    else:
        return p[0]


cdef inline bint _stops(const real_t* p, real_t best, bint want_max, bint vbool) noexcept nogil:
    """True where no later element can replace the extreme ``best`` of the row at ``p``
    (its type only): an integer at its _ilimit, or a float NaN (the first NaN wins)."""
    if real_t is float or real_t is double:
        return best != best
    else:
        return best == _ilimit(p, want_max, vbool)


cdef inline Py_ssize_t _ifind(const real_t* p, Py_ssize_t n, real_t v) noexcept nogil:
    """First i < n with p[i] == v in a contiguous integer row (pyc_ifind_*), n if none."""
    if real_t is int8_t:
        return pyc_ifind_i8(p, n, v)
    elif real_t is int16_t:
        return pyc_ifind_i16(p, n, v)
    elif real_t is int32_t:
        return pyc_ifind_i32(p, n, v)
    elif real_t is int64_t:
        return pyc_ifind_i64(p, n, v)
    elif real_t is uint8_t:
        return pyc_ifind_u8(p, n, v)
    elif real_t is uint16_t:
        return pyc_ifind_u16(p, n, v)
    elif real_t is uint32_t:
        return pyc_ifind_u32(p, n, v)
    elif real_t is uint64_t:
        return pyc_ifind_u64(p, n, v)
    else:
        return n


cdef inline bint _icols(const real_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb,
                        bint want_max, real_t* E) noexcept nogil:
    """Integer column extremes (pyc_iext_cols_*) over rows 1..nr-1; False for floats."""
    if real_t is int8_t:
        pyc_iext_cols_i8(p, nr, sr, nb, want_max, E)
    elif real_t is int16_t:
        pyc_iext_cols_i16(p, nr, sr, nb, want_max, E)
    elif real_t is int32_t:
        pyc_iext_cols_i32(p, nr, sr, nb, want_max, E)
    elif real_t is int64_t:
        pyc_iext_cols_i64(p, nr, sr, nb, want_max, E)
    elif real_t is uint8_t:
        pyc_iext_cols_u8(p, nr, sr, nb, want_max, E)
    elif real_t is uint16_t:
        pyc_iext_cols_u16(p, nr, sr, nb, want_max, E)
    elif real_t is uint32_t:
        pyc_iext_cols_u32(p, nr, sr, nb, want_max, E)
    elif real_t is uint64_t:
        pyc_iext_cols_u64(p, nr, sr, nb, want_max, E)
    else:
        return False
    return True


cdef inline bint _iargcols(const real_t* p, Py_ssize_t nr, Py_ssize_t sr, Py_ssize_t nb,
                           bint want_max, int64_t lo, real_t* V, int64_t* I) noexcept nogil:
    """Integer column argmin/argmax (pyc_iargext_cols_*) over rows 1..nr-1; False for floats."""
    if real_t is int8_t:
        pyc_iargext_cols_i8(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is int16_t:
        pyc_iargext_cols_i16(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is int32_t:
        pyc_iargext_cols_i32(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is int64_t:
        pyc_iargext_cols_i64(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is uint8_t:
        pyc_iargext_cols_u8(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is uint16_t:
        pyc_iargext_cols_u16(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is uint32_t:
        pyc_iargext_cols_u32(p, nr, sr, nb, want_max, lo, V, I)
    elif real_t is uint64_t:
        pyc_iargext_cols_u64(p, nr, sr, nb, want_max, lo, V, I)
    else:
        return False
    return True


cdef void _minmax_row(const real_t* p, Py_ssize_t n, Py_ssize_t s,
                      real_t* out_mn, real_t* out_mx) noexcept nogil:
    # NaN is sticky: ``x != x`` picks a NaN up, and ``x <= NaN`` is false afterwards.
    # Ties go to the later element (``x <= m``), as in NumPy, whose np.min keeps the
    # last of equal elements: that decides the sign of a zero result (-0.0 == 0.0).
    # Floats: contiguous rows, forwards or backwards, run in _simd.h (which does the
    # same), other strides in 16 lanes (pyc_minmax_strided_*, same rules); the
    # loop below only sees integers (whose ties are indistinguishable).
    if s == 1:
        if real_t is float:
            pyc_minmax_f32(p, n, out_mn, out_mx)
            return
        elif real_t is double:
            pyc_minmax_f64(p, n, out_mn, out_mx)
            return
    elif s == -1:  # read backwards: from the lowest address, ties to the earlier element there
        if real_t is float:
            pyc_minmax_rev_f32(p - (n - 1), n, out_mn, out_mx)
            return
        elif real_t is double:
            pyc_minmax_rev_f64(p - (n - 1), n, out_mn, out_mx)
            return
    if real_t is float:
        pyc_minmax_strided_f32(p, n, s, out_mn, out_mx)
        return
    elif real_t is double:
        pyc_minmax_strided_f64(p, n, s, out_mn, out_mx)
        return
    cdef real_t MN[LANES]
    cdef real_t MX[LANES]
    cdef real_t x
    cdef Py_ssize_t i = 0
    cdef int j
    for j in range(LANES):
        MN[j] = p[0]
        MX[j] = p[0]
    if s == 1:
        while i + LANES <= n:
            for j in range(LANES):
                x = p[i + j]
                MN[j] = x if (x <= MN[j] or x != x) else MN[j]
                MX[j] = x if (x >= MX[j] or x != x) else MX[j]
            i += LANES
    while i < n:
        x = p[i * s]
        MN[0] = x if (x <= MN[0] or x != x) else MN[0]
        MX[0] = x if (x >= MX[0] or x != x) else MX[0]
        i += 1
    cdef real_t mn = MN[0], mx = MX[0]
    for j in range(1, LANES):
        mn = MN[j] if (MN[j] < mn or MN[j] != MN[j]) else mn
        mx = MX[j] if (MX[j] > mx or MX[j] != MX[j]) else mx
    out_mn[0] = mn
    out_mx[0] = mx


cdef void _fold_ext(const real_t* E, Py_ssize_t nch, Py_ssize_t L, Py_ssize_t R,
                    Py_ssize_t B, bint want_max, real_t* out) noexcept nogil:
    """out[b] = the fold of the nch x B chunk extremes E of one ``a`` in chunk order
    (NaN-sticky, ties to the later chunk), up to the empty trailing chunks;
    chunk-major over FOLD columns, the partials left as they are (see _fold_sums)."""
    cdef Py_ssize_t c, b, b0, nb
    cdef real_t m[FOLD]
    cdef real_t v, e
    cdef const real_t* q
    b0 = 0
    while b0 < B:
        nb = B - b0 if B - b0 < FOLD else FOLD
        for b in range(nb):
            m[b] = E[b0 + b]
        for c in range(1, nch):
            if c * L >= R:  # empty trailing chunks (see _empty_chunks)
                break
            q = E + c * B + b0
            if want_max:
                for b in range(nb):
                    v = q[b]
                    e = m[b]
                    m[b] = v if ((v >= e) | (v != v)) else e
            else:
                for b in range(nb):
                    v = q[b]
                    e = m[b]
                    m[b] = v if ((v <= e) | (v != v)) else e
        for b in range(nb):
            out[b0 + b] = m[b]
        b0 += FOLD


cdef inline void _ext_row2(const real_t* p, Py_ssize_t n, Py_ssize_t s, int want,
                           bint vbool, real_t* e, real_t* x) noexcept nogil:
    """_minmax_row's minimum (want 0) or maximum (1) into e, or both (2) into e and x:
    the same elements, zero signs too; ``vbool``: bool input read as uint8 (_ilimit)."""
    cdef real_t mn, mx
    if s == 1 and real_t is not float and real_t is not double:
        e[0] = _iext(p, n, want == 1, vbool)
        if want == 2:
            x[0] = _iext(p, n, True, vbool)
        return
    _minmax_row(p, n, s, &mn, &mx)
    if want == 1:
        e[0] = mx
        return
    e[0] = mn
    if want == 2:
        x[0] = mx


cdef inline void _ext_col_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nbb, Py_ssize_t nch,
                               Py_ssize_t L, Py_ssize_t R, Py_ssize_t B, Py_ssize_t sa,
                               Py_ssize_t sr, Py_ssize_t sb, bint want_max,
                               real_t* pe) noexcept nogil:
    cdef Py_ssize_t bb = t % nbb  # column blocks fastest: see _col_chunks
    cdef Py_ssize_t c = (t // nbb) % nch
    cdef Py_ssize_t a = t // (nch * nbb)
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef Py_ssize_t b0 = bb * COLS
    cdef Py_ssize_t nb = B - b0 if B - b0 < COLS else COLS
    cdef real_t* E = &pe[(a * nch + c) * B + b0]
    cdef const real_t* p = p0 + a * sa + lo * sr + b0 * sb
    cdef Py_ssize_t r, b
    cdef real_t x
    if hi <= lo:  # an empty trailing chunk: no partial (the fold stops before it)
        return
    for b in range(nb):
        E[b] = p[b * sb]
    if sb == 1:
        if real_t is float:
            pyc_ext_cols_f32(p, hi - lo, sr, nb, want_max, E)
            return
        elif real_t is double:
            pyc_ext_cols_f64(p, hi - lo, sr, nb, want_max, E)
            return
        elif _icols(p, hi - lo, sr, nb, want_max, E):
            return
    for r in range(1, hi - lo):  # ties go to the later row (see _minmax_row)
        if want_max:
            for b in range(nb):
                x = p[r * sr + b * sb]
                E[b] = x if ((x >= E[b]) | (x != x)) else E[b]
        else:
            for b in range(nb):
                x = p[r * sr + b * sb]
                E[b] = x if ((x <= E[b]) | (x != x)) else E[b]


def minmax(const real_t[:] buf, Py_ssize_t off, Py_ssize_t A, Py_ssize_t R,
           Py_ssize_t B, Py_ssize_t sa, Py_ssize_t sr, Py_ssize_t sb, int want,
           bint vbool, real_t[::1] out, real_t[::1] parts, int n_threads,
           Py_ssize_t t0, Py_ssize_t t1):
    """Minimum (want 0), maximum (1) or both (2: ``out`` holds A * B minima, then A * B
    maxima) along r (NaN propagates, as in NumPy); R >= 1. ``vbool``: uint8 ``buf``
    holds bool input (0 and 1: a row's maximum stops at its first 1). ``parts``: nparts
    (want 2: twice that) of the input's dtype; returns the task count."""
    # ``buf`` may be a strided 1-D view (the one-thread fast path of
    # pycompute/reductions.py): its element k is at k * es in memory
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t)
    cdef const real_t* p0 = &buf[0] + off * es
    sa *= es
    sr *= es
    sb *= es
    cdef Plan pl = _plan(A, R, B)
    if not _clamp(pl.ntask, &t0, &t1):
        return pl.ntask
    cdef Py_ssize_t nch = pl.nch, L = pl.L, nbb = pl.nbb, P = pl.nparts, t, a, lo, hi
    cdef Py_ssize_t sides = 2 if want == 2 else 1
    cdef bint want_max = want == 1
    cdef real_t* pe = &out[0]  # nch == 1: a task's partials are its outputs
    cdef real_t* px = pe + A * B  # want 2: the maxima
    cdef void* own = NULL
    if out.shape[0] < sides * A * B:
        raise ValueError(f"`out` needs {sides * A * B} elements, got {out.shape[0]}")
    if P:
        if parts.shape[0] >= sides * P:
            pe = &parts[0]
        else:
            own = _own_parts(parts.shape[0], sides * P, sizeof(real_t),
                             t0 == 0 and t1 == pl.ntask)
            pe = <real_t*>own
        px = pe + P
    with nogil:
        if B == 1:
            if n_threads > 1:
                for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic",
                                chunksize=_row_chunk(t1 - t0, (L if nch > 1 else R)
                                                     * <Py_ssize_t>sizeof(real_t), n_threads)):
                    lo = (t % nch) * L
                    hi = lo + L if lo + L < R else R
                    if hi > lo:  # see _empty_chunks
                        _ext_row2(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, want, vbool, pe + t,
                                  px + t)
            else:
                for t in range(t0, t1):
                    lo = (t % nch) * L
                    hi = lo + L if lo + L < R else R
                    if hi > lo:  # see _empty_chunks
                        _ext_row2(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, want, vbool, pe + t,
                                  px + t)
        else:
            if n_threads > 1:
                for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                    _ext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, want_max, pe)
                    if want == 2:
                        _ext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, True, px)
            else:
                for t in range(t0, t1):
                    _ext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, want_max, pe)
                    if want == 2:
                        _ext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, True, px)
        if P and t1 == pl.ntask:  # the last task ran: fold the chunks in order
            for a in range(A):  # chunk-major over FOLD columns (see _fold_sums)
                _fold_ext(pe + a * nch * B, nch, L, R, B, want_max, &out[a * B])
                if want == 2:
                    _fold_ext(px + a * nch * B, nch, L, R, B, True, &out[A * B + a * B])
    free(own)
    return pl.ntask


# ================================================================ argmin / argmax

cdef inline bint _better(real_t x, real_t best, bint want_max) noexcept nogil:
    """x replaces best: strictly more extreme, or the first NaN (NumPy's rule)."""
    if best != best:
        return False
    if x != x:
        return True
    return x > best if want_max else x < best


cdef void _argext_row(const real_t* p, Py_ssize_t n, Py_ssize_t s, bint want_max, bint vbool,
                      real_t* out_v, int64_t* out_i) noexcept nogil:
    # Sub-blocks of SUB elements: a vectorized min/max of each; the first block whose
    # extreme beats every earlier one's (the first NaN wins) holds the answer, found
    # with one scan of that block at the end (one scan a row, where scanning each new
    # best block as it came cost a row task of 16K elements as much as its min/max).
    # No software prefetch: each block prefetching the next one (rows past 144 KB, or
    # 12 MB where the row was the whole call) ran at 0.55-0.75x NumPy from 16 MiB to
    # 256 MiB on one Zen 5 host, against 0.87-1.4x without (1 thread, uint8, float32,
    # float64; 1.15-1.87x at 2 threads), though it had gained 20% at 32 MiB float32 on
    # another: the hardware prefetcher follows these streams alone, as it does NumPy's.
    # Integers stop at the first block whose extreme is _ilimit (``vbool``: bool input
    # read as uint8): no later block can beat it (NumPy's bool argmax stops so too).
    # Contiguous integer blocks are ISUB_BYTES long: blocks of SUB elements (2 KB of
    # uint8) spent more on each block's call and test than on its bytes (uint8 argmax
    # at 0.58x NumPy).
    # Contiguous bool rows are one find: argmax's answer is the first truthy byte,
    # argmin's the first zero (else 0), as NumPy's (pyc_find_nz_u8).
    # Floats stop at the first block holding a NaN (the first NaN wins).
    cdef real_t best = p[0]
    cdef real_t mn, mx, ext
    cdef Py_ssize_t i0 = 0, m, i = 0, b0 = 0, bm = 0
    cdef Py_ssize_t blk = SUB
    cdef bint first = True
    if real_t is uint8_t:
        if vbool and s == 1:
            i = pyc_find_nz_u8(p, n) if want_max else pyc_ifind_u8(p, n, 0)
            out_v[0] = (i < n) == want_max  # 1: a True found for argmax, or none for argmin
            out_i[0] = i if i < n else 0
            return
    if s == 1 and real_t is not float and real_t is not double:
        blk = ISUB_BYTES // <Py_ssize_t>sizeof(real_t)
    while i0 < n:
        m = n - i0 if n - i0 < blk else blk
        if real_t is float and s == 1:
            ext = pyc_ext_f32(p + i0, m, want_max)
        elif real_t is double and s == 1:
            ext = pyc_ext_f64(p + i0, m, want_max)
        elif s == 1:
            ext = _iext(p + i0, m, want_max, vbool)
        else:
            _minmax_row(p + i0 * s, m, s, &mn, &mx)
            ext = mx if want_max else mn
        if first or _better(ext, best, want_max):
            best = ext
            b0 = i0
            bm = m
            first = False
            if _stops(p, best, want_max, vbool):
                break
        i0 += m
    if real_t is float and s == 1:
        i = pyc_find_f32(p + b0, bm, best)
    elif real_t is double and s == 1:
        i = pyc_find_f64(p + b0, bm, best)
    elif s == 1:
        i = _ifind(p + b0, bm, best)
    else:
        for i in range(bm):
            if p[(b0 + i) * s] == best or (best != best and p[(b0 + i) * s] != p[(b0 + i) * s]):
                break
    out_v[0] = best
    out_i[0] = b0 + i


cdef inline void _argext_row_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nch, Py_ssize_t L,
                                  Py_ssize_t R, Py_ssize_t sa, Py_ssize_t sr, bint want_max,
                                  bint vbool, real_t* pv, int64_t* pi, int64_t* ph) noexcept nogil:
    # ph[a] (nch > 1): a chunk of row a whose extreme _stops, or nch. Chunks past it
    # cannot hold the answer; those not yet started when it is stored do not run (the
    # fold stops before them): a mask whose first True lies early is read little past
    # it (threads finish the chunks they hold). The chunks past it cost argmax of one
    # True in 10^7 bools 2.5x NumPy's time.
    # Relaxed atomics: a racing store may keep a later chunk than another thread's, so
    # fewer chunks skip; every chunk stored stops, so no needed one ever skips.
    cdef Py_ssize_t c = 0, a = t  # nch == 1: no divisions (~8 ns of a 1000-byte row)
    if nch > 1:
        c = t % nch
        a = t // nch
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef real_t v
    cdef int64_t i
    if hi <= lo:  # see _empty_chunks
        return
    if nch > 1 and c > pyc_load_relaxed(&ph[a]):
        return
    _argext_row(p0 + a * sa + lo * sr, hi - lo, sr, want_max, vbool, &v, &i)
    pi[t] = i + lo
    if nch > 1:  # nch == 1: the fold needs no value
        pv[t] = v
        if c < pyc_load_relaxed(&ph[a]) and _stops(p0, v, want_max, vbool):
            pyc_store_relaxed(&ph[a], c)


cdef inline void _argext_col_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nbb, Py_ssize_t nch,
                                  Py_ssize_t L, Py_ssize_t R, Py_ssize_t B, Py_ssize_t sa,
                                  Py_ssize_t sr, Py_ssize_t sb, bint want_max,
                                  real_t* pv, int64_t* pi, real_t* Vl) noexcept nogil:
    cdef Py_ssize_t bb = t % nbb  # column blocks fastest: see _col_chunks
    cdef Py_ssize_t c = (t // nbb) % nch
    cdef Py_ssize_t a = t // (nch * nbb)
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef Py_ssize_t b0 = bb * COLS
    cdef Py_ssize_t nb = B - b0 if B - b0 < COLS else COLS
    cdef Py_ssize_t k = (a * nch + c) * B + b0
    cdef real_t* V = &pv[k] if nch > 1 else Vl  # Vl: the thread's scratch
    cdef int64_t* I = &pi[k]
    cdef const real_t* p = p0 + a * sa + lo * sr + b0 * sb
    cdef Py_ssize_t r, b
    cdef real_t x
    if hi <= lo:  # an empty trailing chunk: no partial (the fold stops before it)
        return
    for b in range(nb):
        V[b] = p[b * sb]
        I[b] = lo
    if sb == 1:  # packed, NaNs noted (pyc_argext_cols); a block holding one: below
        if real_t is float:
            if not pyc_argext_cols_f32(p, hi - lo, sr, nb, want_max, lo, V, I):
                return
        elif real_t is double:
            if not pyc_argext_cols_f64(p, hi - lo, sr, nb, want_max, lo, V, I):
                return
        elif _iargcols(p, hi - lo, sr, nb, want_max, lo, V, I):
            return
        for b in range(nb):
            V[b] = p[b]
            I[b] = lo
    for r in range(1, hi - lo):
        for b in range(nb):
            x = p[r * sr + b * sb]
            if _better(x, V[b], want_max):
                V[b] = x
                I[b] = lo + r


def argext(const real_t[:] buf, Py_ssize_t off, Py_ssize_t A, Py_ssize_t R,
           Py_ssize_t B, Py_ssize_t sa, Py_ssize_t sr, Py_ssize_t sb, bint want_max,
           bint vbool, int64_t[::1] out_idx, real_t[::1] parts_v, int64_t[::1] parts_i,
           int64_t[::1] parts_h, int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """Index along r of the first minimum (or maximum); the first NaN wins; R >= 1.
    ``vbool``: uint8 ``buf`` holds bool input (rows stop at their first 1 for argmax).
    ``parts_v``, ``parts_i``, ``parts_h``: nparts values, indices and row stops (the
    first A: see _argext_row_task; set by the slice that starts at task 0); returns
    the task count."""
    # ``buf`` may be a strided 1-D view (the one-thread fast path of
    # pycompute/reductions.py): its element k is at k * es in memory
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t)
    cdef const real_t* p0 = &buf[0] + off * es
    sa *= es
    sr *= es
    sb *= es
    cdef Plan pl = _plan(A, R, B)
    if not _clamp(pl.ntask, &t0, &t1):
        return pl.ntask
    cdef Py_ssize_t nch = pl.nch, L = pl.L, nbb = pl.nbb, P = pl.nparts, t, a, c, b, k
    cdef real_t* pv = NULL
    cdef int64_t* pi = &out_idx[0]  # nch == 1: a task's indices are its outputs
    cdef int64_t* ph = NULL
    cdef char* scr = NULL  # column tasks' per-thread scratch (_per_thread)
    cdef void* own = NULL
    cdef real_t best
    cdef int64_t besti
    if P:
        if parts_v.shape[0] >= P and parts_i.shape[0] >= P and parts_h.shape[0] >= P:
            pv = &parts_v[0]
            pi = &parts_i[0]
            ph = &parts_h[0]
        else:
            own = _own_parts(min(parts_v.shape[0], parts_i.shape[0], parts_h.shape[0]), P,
                             sizeof(real_t) + 2 * sizeof(int64_t), t0 == 0 and t1 == pl.ntask)
            pi = <int64_t*>own  # int64 first: all stay aligned
            ph = pi + P
            pv = <real_t*>(ph + P)
        if t0 == 0:
            for a in range(A):
                ph[a] = nch
    try:
        if B > 1:
            scr = _per_thread(n_threads, COLS * sizeof(real_t))
        with nogil:
            if B == 1:
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic",
                                    chunksize=_row_chunk(t1 - t0, (L if nch > 1 else R)
                                                         * <Py_ssize_t>sizeof(real_t), n_threads)):
                        _argext_row_task(p0, t, nch, L, R, sa, sr, want_max, vbool, pv, pi, ph)
                else:
                    for t in range(t0, t1):
                        _argext_row_task(p0, t, nch, L, R, sa, sr, want_max, vbool, pv, pi, ph)
            else:
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                        _argext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, want_max, pv, pi,
                                         <real_t*>(scr + threadid() * COLS * sizeof(real_t)))
                else:
                    for t in range(t0, t1):
                        _argext_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, want_max, pv, pi,
                                         <real_t*>scr)
            if P and t1 == pl.ntask:  # the last task ran: fold the chunks in order
                for a in range(A):
                    for b in range(B):
                        k = a * nch * B + b
                        best = pv[k]
                        besti = pi[k]
                        for c in range(1, nch):
                            # empty trailing chunks (see _empty_chunks); past one that
                            # stops: skipped chunks (_argext_row_task), none better
                            if c * L >= R or _stops(p0, best, want_max, vbool):
                                break
                            if _better(pv[k + c * B], best, want_max):
                                best = pv[k + c * B]
                                besti = pi[k + c * B]
                        out_idx[a * B + b] = besti
    finally:
        free(own)
        _free_per_thread(scr)
    return pl.ntask


# ================================================================ variance

cdef inline double _m2_merge(double m2a, double m2b, double q) noexcept nogil:
    """m2a + m2b + q, where NaN only from NaN parts: a NaN ``q`` alone means the
    group means of finite input overflowed (their M2 is inf already), so inf."""
    cdef double r = m2a + m2b + q
    if r != r and m2a == m2a and m2b == m2b:
        return INFINITY
    return r


cdef inline void _chan(double* n, double* mean, double* m2,
                       double nb, double mb, double m2b) noexcept nogil:
    """Merge (nb, mb, m2b) into (n, mean, m2): Chan et al.'s parallel update."""
    cdef double na = n[0]
    cdef double tot = na + nb
    cdef double delta = mb - mean[0]
    if na == 0.0:
        n[0] = nb
        mean[0] = mb
        m2[0] = m2b
        return
    mean[0] = mean[0] + delta * (nb / tot)
    m2[0] = _m2_merge(m2[0], m2b, delta * delta * (na * nb / tot))
    n[0] = tot


cdef void _var_block_fix(const real_t* p, Py_ssize_t m, Py_ssize_t s,
                         double* mean, double* m2) noexcept nogil:
    """A block whose mean is not finite or whose M2 is NaN: non-finite input
    (NumPy's var is NaN), or finite input whose sums overflowed float64 (NumPy's
    overflows too: inf). Runs only for such blocks; the sums themselves never
    tell the two apart ([inf, 1] and [fmax, fmax] both give inf - inf there)."""
    cdef Py_ssize_t i
    cdef double x
    for i in range(m):
        x = <double>p[i * s]
        if x - x != 0.0:
            mean[0] = NAN
            m2[0] = NAN
            return
    mean[0] = 0.0  # any finite value: M2 = inf decides the result
    m2[0] = INFINITY


cdef void _var_row(const real_t* p, Py_ssize_t n, Py_ssize_t s,
                   double* out_mean, double* out_m2) noexcept nogil:
    # Two passes over each SUB-element block (the second from cache):
    # the block mean, then the corrected sum of squared deviations
    # sum(d^2) - sum(d)^2/m; blocks merged with Chan's update.
    cdef double Q[LANES]
    cdef double E[LANES]
    cdef double tot = 0.0, mean = 0.0, m2 = 0.0
    cdef double bs, bc, mb, q, e, d, bmean, bm2
    cdef bint simd
    cdef Py_ssize_t i0, m, i
    cdef int j
    i0 = 0
    while i0 < n:
        m = n - i0 if n - i0 < SUB else SUB
        simd = False
        if real_t is float:
            if s == 1:
                mb = pyc_mean_f32(p + i0, m)
                simd = True
        elif real_t is double:
            if s == 1:
                mb = pyc_mean_f64(p + i0, m)
                simd = True
        if not simd:
            _sum_row(p + i0 * s, m, s, &bs, &bc)
            mb = _finish(bs, bc) / m
        for j in range(LANES):
            Q[j] = 0.0
            E[j] = 0.0
        i = 0
        simd = False
        if real_t is float:
            if s == 1:
                pyc_dev_f32(p + i0, m, mb, &q, &e)
                simd = True
        elif real_t is double:
            if s == 1:
                pyc_dev_f64(p + i0, m, mb, &q, &e)
                simd = True
        if not simd:  # strided rows and integers: the same lanes as the Numba twin
            while i + LANES <= m:
                for j in range(LANES):
                    d = <double>p[(i0 + i + j) * s] - mb
                    Q[j] += d * d
                    E[j] += d
                i += LANES
            while i < m:
                d = <double>p[(i0 + i) * s] - mb
                Q[0] += d * d
                E[0] += d
                i += 1
            q = 0.0
            e = 0.0
            for j in range(LANES):
                q += Q[j]
                e += E[j]
        bmean = mb + e / m
        bm2 = q - e * e / m
        if bmean - bmean != 0.0 or bm2 != bm2:  # rare: non-finite input or overflow
            _var_block_fix(p + i0 * s, m, s, &bmean, &bm2)
        _chan(&tot, &mean, &m2, <double>m, bmean, bm2)
        i0 += m
    out_mean[0] = mean
    out_m2[0] = m2


cdef inline void _var_col_task(const real_t* p0, Py_ssize_t t, Py_ssize_t nbb, Py_ssize_t nch,
                               Py_ssize_t L, Py_ssize_t R, Py_ssize_t B, Py_ssize_t sa,
                               Py_ssize_t sr, Py_ssize_t sb, double* pm, double* pq,
                               double* W) noexcept nogil:
    cdef Py_ssize_t bb = t % nbb  # column blocks fastest: see _col_chunks
    cdef Py_ssize_t c = (t // nbb) % nch
    cdef Py_ssize_t a = t // (nch * nbb)
    cdef Py_ssize_t lo = c * L
    cdef Py_ssize_t hi = lo + L if lo + L < R else R
    cdef Py_ssize_t b0 = bb * COLS
    cdef Py_ssize_t nb = B - b0 if B - b0 < COLS else COLS
    cdef Py_ssize_t k = (a * nch + c) * B + b0
    cdef double* M = &pm[k]
    cdef double* Q = &pq[k]
    cdef const real_t* p = p0 + a * sa + lo * sr + b0 * sb
    cdef double* S = W  # the thread's scratch: four rows of COLS
    cdef double* Cc = W + COLS
    cdef double* D = W + 2 * COLS
    cdef double* E = W + 3 * COLS
    cdef double tot = 0.0, mb, d
    cdef Py_ssize_t r0, m, r, b, rows = hi - lo
    cdef bint bad
    for b in range(nb):
        M[b] = 0.0
        Q[b] = 0.0
    r0 = 0
    while r0 < rows:
        m = rows - r0 if rows - r0 < COL_CHUNK else COL_CHUNK
        _sum_cols(p + r0 * sr, m, sr, nb, sb, S, Cc, False)
        for b in range(nb):
            S[b] = _finish(S[b], Cc[b]) / m
            D[b] = 0.0
            E[b] = 0.0
        for r in range(r0, r0 + m):
            for b in range(nb):
                d = <double>p[r * sr + b * sb] - S[b]
                D[b] += d * d
                E[b] += d
        # block (mean, M2) per column into (S, D); then the rare fix-up (see _var_row)
        bad = False
        for b in range(nb):
            S[b] = S[b] + E[b] / m
            D[b] = D[b] - E[b] * E[b] / m
            bad = bad | (S[b] - S[b] != 0.0) | (D[b] != D[b])
        if bad:
            for b in range(nb):
                if S[b] - S[b] != 0.0 or D[b] != D[b]:
                    _var_block_fix(p + r0 * sr + b * sb, m, sr, &S[b], &D[b])
        for b in range(nb):
            mb = S[b]
            d = mb - M[b]
            if tot == 0.0:
                M[b] = mb
                Q[b] = D[b]
            else:
                M[b] = M[b] + d * (m / (tot + m))
                Q[b] = _m2_merge(Q[b], D[b], d * d * (tot * m / (tot + m)))
        tot += m
        r0 += m


def var(const real_t[:] buf, Py_ssize_t off, Py_ssize_t A, Py_ssize_t R,
        Py_ssize_t B, Py_ssize_t sa, Py_ssize_t sr, Py_ssize_t sb,
        double[::1] out_mean, double[::1] out_m2, double[::1] parts, int n_threads,
        Py_ssize_t t0, Py_ssize_t t1):
    """Mean and sum of squared deviations (M2) along r, in float64; R >= 1.
    ``parts``: 2 x nparts float64 (means, then M2s); returns the task count."""
    # ``buf`` may be a strided 1-D view (the one-thread fast path of
    # pycompute/reductions.py): its element k is at k * es in memory
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t)
    cdef const real_t* p0 = &buf[0] + off * es
    sa *= es
    sr *= es
    sb *= es
    cdef Plan pl = _plan(A, R, B)
    if not _clamp(pl.ntask, &t0, &t1):
        return pl.ntask
    cdef Py_ssize_t nch = pl.nch, L = pl.L, nbb = pl.nbb, P = pl.nparts, t, a, c, b, lo, hi, k
    # nch == 1: a task's (mean, M2) are its outputs (Chan's merge into an empty
    # accumulator copies them)
    cdef double* pm = &out_mean[0]
    cdef double* pq = &out_m2[0]
    cdef char* scr = NULL  # column tasks' per-thread scratch (_per_thread)
    cdef void* own = NULL
    cdef double n, mean, m2, cnt
    if P:
        if parts.shape[0] >= 2 * P:
            pm = &parts[0]
        else:
            own = _own_parts(parts.shape[0], 2 * P, sizeof(double), t0 == 0 and t1 == pl.ntask)
            pm = <double*>own
        pq = pm + P
    try:
        if B > 1:
            scr = _per_thread(n_threads, 4 * COLS * sizeof(double))
        with nogil:
            if B == 1:
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic",
                                    chunksize=_row_chunk(t1 - t0, (L if nch > 1 else R)
                                                         * <Py_ssize_t>sizeof(real_t), n_threads)):
                        lo = (t % nch) * L
                        hi = lo + L if lo + L < R else R
                        _var_row(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, &pm[t], &pq[t])
                else:
                    for t in range(t0, t1):
                        lo = (t % nch) * L
                        hi = lo + L if lo + L < R else R
                        _var_row(p0 + (t // nch) * sa + lo * sr, hi - lo, sr, &pm[t], &pq[t])
            else:
                if n_threads > 1:
                    for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                        _var_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, pm, pq,
                                      <double*>(scr + threadid() * 4 * COLS * sizeof(double)))
                else:
                    for t in range(t0, t1):
                        _var_col_task(p0, t, nbb, nch, L, R, B, sa, sr, sb, pm, pq, <double*>scr)
            if P and t1 == pl.ntask:  # the last task ran: fold the chunks in order
                for a in range(A):
                    for b in range(B):
                        k = a * nch * B + b
                        n = 0.0
                        mean = 0.0
                        m2 = 0.0
                        for c in range(nch):
                            lo = c * L
                            hi = lo + L if lo + L < R else R
                            cnt = <double>(hi - lo)
                            if cnt > 0:
                                _chan(&n, &mean, &m2, cnt, pm[k + c * B], pq[k + c * B])
                        out_mean[a * B + b] = mean
                        out_m2[a * B + b] = m2
    finally:
        free(own)
        _free_per_thread(scr)
    return pl.ntask


# ================================================================ histogram

cdef inline Py_ssize_t _hist_tasks(Py_ssize_t n) noexcept nogil:
    return MAX_TASKS if n > MAX_TASKS * SUB else _cdiv(n, SUB)


cdef int64_t* _hist_counts(Py_ssize_t nch, Py_ssize_t nbins, int64_t[::1] counts,
                           int64_t[::1] parts, bint whole, void** own) except NULL:
    """Where a histogram's tasks count: ``counts`` itself for one task, else one private
    histogram per task, in ``parts`` or (a whole call that passed none) in a scratch
    block returned in ``own`` for the caller to free."""
    if nch <= 1:
        return &counts[0]
    if parts.shape[0] >= nch * nbins:
        return &parts[0]
    own[0] = _own_parts(parts.shape[0], nch * nbins, sizeof(int64_t), whole)
    return <int64_t*>own[0]


cdef void _hist_fold(int64_t* counts, const int64_t* priv, Py_ssize_t nch,
                     Py_ssize_t nbins) noexcept nogil:
    """Add the tasks' private histograms into ``counts``, in task order."""
    cdef Py_ssize_t t, k
    for t in range(nch):
        for k in range(nbins):
            counts[k] += priv[t * nbins + k]


def hist_plan(Py_ssize_t n, Py_ssize_t nbins):
    """(tasks, partials) of a histogram of n values: a sliced call's ``parts`` hold one
    private histogram per task (none for a single task, which counts into ``counts``)."""
    cdef Py_ssize_t nch = _hist_tasks(n)
    return nch, (nch * nbins if nch > 1 else 0)


def histogram_uniform(const real_t[::1] buf, Py_ssize_t off, Py_ssize_t n, Py_ssize_t s,
                      const float_or_double[::1] edges, float_or_double first,
                      float_or_double last, float_or_double denom,
                      int64_t[::1] counts, int64_t[::1] parts, int n_threads,
                      Py_ssize_t t0, Py_ssize_t t1):
    """np.histogram's equal-bin algorithm, bit for bit: values are cast to the
    edges' dtype, binned by ``(x - first) / denom * nbins`` and corrected
    against the edges; values outside [first, last] (and NaN) are dropped.
    One private histogram per task (``parts``), added to ``counts`` in task
    order by the call that runs the last task; returns the task count."""
    cdef const real_t* p = &buf[0] + off
    cdef Py_ssize_t nbins = edges.shape[0] - 1
    cdef Py_ssize_t nch = _hist_tasks(n)
    cdef Py_ssize_t L = _cdiv(n, nch) if nch > 0 else 0
    cdef Py_ssize_t P = nch * nbins if nch > 1 else 0
    cdef Py_ssize_t t, lo, hi
    cdef int64_t* priv
    cdef void* own = NULL
    if not _clamp(nch, &t0, &t1):
        return nch
    priv = _hist_counts(nch, nbins, counts, parts, t0 == 0 and t1 == nch, &own)
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                lo = t * L
                hi = lo + L if lo + L < n else n
                _hist_chunk(p + lo * s, hi - lo, s, &edges[0], nbins, first, last, denom,
                            &priv[t * nbins] if P else priv, P != 0)
        else:
            for t in range(t0, t1):
                lo = t * L
                hi = lo + L if lo + L < n else n
                _hist_chunk(p + lo * s, hi - lo, s, &edges[0], nbins, first, last, denom,
                            &priv[t * nbins] if P else priv, P != 0)
        if P and t1 == nch:
            _hist_fold(&counts[0], priv, nch, nbins)
    free(own)
    return nch


cdef void _hist_chunk(const real_t* p, Py_ssize_t n, Py_ssize_t s,
                      const float_or_double* edges, Py_ssize_t nbins,
                      float_or_double first, float_or_double last, float_or_double denom,
                      int64_t* h, bint zero) noexcept nogil:
    cdef float_or_double x, f
    cdef float_or_double fn = <float_or_double>nbins
    cdef Py_ssize_t i, k
    if zero:  # a private histogram: this task's alone, whichever call runs it
        memset(h, 0, nbins * sizeof(int64_t))
    for i in range(n):
        x = <float_or_double>p[i * s]
        if not (x >= first and x <= last):
            continue
        f = ((x - first) / denom) * fn
        k = <Py_ssize_t>f
        if k == nbins:
            k -= 1
        if x < edges[k]:
            k -= 1
        elif k != nbins - 1 and x >= edges[k + 1]:
            k += 1
        h[k] += 1


def histogram_edges(const real_t[::1] buf, Py_ssize_t off, Py_ssize_t n, Py_ssize_t s,
                    const double[::1] edges, int64_t[::1] counts, int64_t[::1] parts,
                    int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """Counts for arbitrary monotonic edges (binary search; last bin closed); tasks
    and ``parts`` as histogram_uniform. Returns the task count."""
    cdef const real_t* p = &buf[0] + off
    cdef Py_ssize_t nbins = edges.shape[0] - 1
    cdef Py_ssize_t nch = _hist_tasks(n)
    cdef Py_ssize_t L = _cdiv(n, nch) if nch > 0 else 0
    cdef Py_ssize_t P = nch * nbins if nch > 1 else 0
    cdef Py_ssize_t t, lo, hi
    cdef int64_t* priv
    cdef void* own = NULL
    if not _clamp(nch, &t0, &t1):
        return nch
    priv = _hist_counts(nch, nbins, counts, parts, t0 == 0 and t1 == nch, &own)
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, num_threads=n_threads, schedule="dynamic"):
                lo = t * L
                hi = lo + L if lo + L < n else n
                _hist_edges_chunk(p + lo * s, hi - lo, s, &edges[0], nbins,
                                  &priv[t * nbins] if P else priv, P != 0)
        else:
            for t in range(t0, t1):
                lo = t * L
                hi = lo + L if lo + L < n else n
                _hist_edges_chunk(p + lo * s, hi - lo, s, &edges[0], nbins,
                                  &priv[t * nbins] if P else priv, P != 0)
        if P and t1 == nch:
            _hist_fold(&counts[0], priv, nch, nbins)
    free(own)
    return nch


cdef void _hist_edges_chunk(const real_t* p, Py_ssize_t n, Py_ssize_t s, const double* edges,
                            Py_ssize_t nbins, int64_t* h, bint zero) noexcept nogil:
    cdef double x
    cdef Py_ssize_t i, lo, hi, mid
    if zero:  # a private histogram (see _hist_chunk)
        memset(h, 0, nbins * sizeof(int64_t))
    for i in range(n):
        x = <double>p[i * s]
        if not (x >= edges[0] and x <= edges[nbins]):
            continue
        # first edge index > x (searchsorted side='right'), minus one
        lo = 0
        hi = nbins + 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if edges[mid] <= x:
                lo = mid + 1
            else:
                hi = mid
        lo -= 1
        if lo == nbins:
            lo = nbins - 1
        h[lo] += 1


# ================================================================ small-call entry points

def sum_flat(const real_t[:] buf):
    """The float64 sum of 1-D ``buf`` (n >= 1, any element stride), one thread: sum_float's
    (1, n, 1) tasks and fold, so the same bits, without its outputs, partials and
    arguments to pass (~0.5 us of a 2-3 us call on 10^3 elements; issue 11)."""
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t), n = buf.shape[0], t
    cdef const real_t* p = &buf[0]
    cdef Plan pl = _plan(1, n, 1)
    cdef double ps[MAX_TASKS]
    cdef double pc[MAX_TASKS]
    cdef double out = 0.0
    with nogil:
        for t in range(pl.ntask):
            _sum_row_task(p, t, pl.nch, pl.L, n, 0, es, ps, pc, &out)
        if pl.nch > 1:
            _fold_sums(ps, pc, pl.nch, 1, &out)
    return out


def ext_flat(const real_t[::1] buf, bint want_max):
    """min (max) of a contiguous float row ``buf`` (n >= 1), one thread, NaN if it holds
    one: the whole-array fast path of ``pc.min`` / ``pc.max``, one packed min or max
    per vector (``pyc_ext``) where ``minmax`` finds both. A zero result takes the sign
    of the row's last zero, NumPy's rule (ties go to the later element), as minmax."""
    cdef real_t v
    with nogil:
        v = _ext_flat_row(&buf[0], buf.shape[0], want_max)
    return v


cdef real_t _ext_flat_row(const real_t* p, Py_ssize_t n, bint want_max) noexcept nogil:
    """ext_flat's value for the contiguous row at ``p`` (also small()'s)."""
    cdef Py_ssize_t i
    cdef real_t v, mn, mx
    if real_t is float:
        v = pyc_ext_f32(p, n, want_max)
    elif real_t is double:
        v = pyc_ext_f64(p, n, want_max)
    else:  # integers (not called: pycompute.reductions uses minmax for them)
        _minmax_row(p, n, 1, &mn, &mx)
        v = mx if want_max else mn
    if v == 0:
        i = n - 1
        while p[i] != 0:
            i -= 1
        v = p[i]
    elif real_t is float or real_t is double:
        if v != v:  # the default NaN, as the minmax rows (kernels/_simd.h PYC_X86_FINISH)
            v = <real_t>NAN
    return v


def argext_flat(const real_t[:] buf, bint want_max, bint vbool):
    """Index of the first minimum (maximum) of a 1-D view ``buf`` (any stride, n >= 1),
    one thread: the whole-array fast path of pycompute.reductions, without output arrays
    (``vbool``: uint8 ``buf`` holds bool input)."""
    cdef real_t v
    cdef int64_t i
    cdef Py_ssize_t es = buf.strides[0] // sizeof(real_t)
    with nogil:
        _argext_row(&buf[0], buf.shape[0], es, want_max, vbool, &v, &i)
    return i


# ---------------------------------------------------------------- whole-array small calls

cnp.import_array()

cdef extern from "numpy/arrayobject.h":
    object _np_scalar "PyArray_Scalar"(void* data, cnp.dtype descr, object base)

cdef enum:
    SMALL_N = ROW_CHUNK  # one row task: every kernel's plan for (1, n, 1) has nch == 1

cpdef enum:
    PROBE_BYTES = 4096  # the head of a longer integer array that small() reads (_small_int_t)
    # integer min/max/argmin/argmax small() serves whole: no more than the one-thread
    # sizes of pycompute.reductions (2 * AUTO_GRAIN) and _cancel.FIRST_WORK (tested)
    SMALL_INT_N = 1 << 19

cpdef enum:  # small()'s operations
    SMALL_SUM = 0
    SMALL_MEAN = 1
    SMALL_MIN = 2
    SMALL_MAX = 3
    SMALL_ARGMIN = 4
    SMALL_ARGMAX = 5
    SMALL_VAR = 6
    SMALL_STD = 7

cdef cnp.dtype _DT_F32 = cnp.PyArray_DescrFromType(cnp.NPY_FLOAT)
cdef cnp.dtype _DT_F64 = cnp.PyArray_DescrFromType(cnp.NPY_DOUBLE)
cdef cnp.dtype _DT_INTP = cnp.PyArray_DescrFromType(cnp.NPY_INTP)
cdef cnp.dtype _DT_I64 = cnp.PyArray_DescrFromType(cnp.NPY_INT64)
cdef cnp.dtype _DT_U64 = cnp.PyArray_DescrFromType(cnp.NPY_UINT64)
cdef double _F32_MAX = 3.4028234663852886e38    # float32's largest finite value
cdef double _F32_INF = 3.4028236692093846e38    # 2**128 - 2**103: rounds to inf in float32


cdef object _real_scalar(double v, bint f32):
    """v as NumPy's float32 (one rounding) or float64 scalar."""
    cdef float f
    if f32:
        f = <float>v
        return _np_scalar(&f, _DT_F32, None)
    return _np_scalar(&v, _DT_F64, None)


cdef inline double _var_value(double mean, double m2, Py_ssize_t n, bint f32) noexcept nogil:
    """m2 / n, or inf where NumPy's own variance overflows (pycompute.reductions
    _fast_var / _var_overflow: its sum or its sum of squares leaves the result dtype;
    a value rounds to inf in float32 from _F32_INF up); NaN input keeps NaN."""
    cdef bint over
    if m2 != m2:
        return m2 / n
    if f32:
        over = fabs(mean) * n >= _F32_INF or m2 >= _F32_INF
    else:
        over = isinf(fabs(mean) * n)
    return INFINITY if over else m2 / n


cdef object _small_t(int op, const float_t* p, Py_ssize_t n, Py_ssize_t s):
    cdef double total, mean, m2, res
    cdef double ps[1]
    cdef double pc[1]
    cdef float_t v
    cdef int64_t i
    cdef bint f32 = float_t is float
    if op <= SMALL_MEAN or op >= SMALL_VAR:
        if s < 0:  # sums and variances read forwards in memory (as _canonical flips)
            p = p + (n - 1) * s
            s = -s
    if op <= SMALL_MEAN:
        with nogil:
            _sum_row_task(p, 0, 1, n, n, 0, s, ps, pc, &total)
        if op == SMALL_SUM:
            return _real_scalar(total, f32)
        if f32 and not fabs(total) < _F32_MAX:
            return None  # float32 overflow: the caller's rule (_mean_overflow)
        return _real_scalar(total / n, f32)
    if op <= SMALL_MAX:
        with nogil:
            if s == 1:  # ext_flat: one packed min or max a vector
                v = _ext_flat_row(p, n, op == SMALL_MAX)
            else:  # the minmax kernel's row (1, n, 1)
                _ext_row2(p, n, s, op == SMALL_MAX, False, &v, &v)
        return _real_scalar(<double>v, f32)
    if op <= SMALL_ARGMAX:
        with nogil:
            _argext_row(p, n, s, op == SMALL_ARGMAX, False, &v, &i)
        return _np_scalar(&i, _DT_INTP, None)
    with nogil:
        _var_row(p, n, s, &mean, &m2)
    res = _var_value(mean, m2, n, f32)
    if op == SMALL_STD:
        res = sqrt(res) if res >= 0 else NAN
    return _real_scalar(res, f32)


cdef object _small_int_t(int op, const int_t* p, Py_ssize_t n, Py_ssize_t s, cnp.dtype descr,
                         bint vbool, bint probe):
    """sum/min/max/argmin/argmax of the integer row at ``p`` (``n`` elements, stride
    ``s``) as NumPy's scalar: the sum wraps in int64 (uint64 for unsigned input), as
    NumPy's; the general path's row functions. mean/var/std: None (the general path).
    ``vbool``: uint8 ``p`` holds bool input (``descr`` bool; its sum is not served).
    ``probe``: the row is the head of a longer array (min/max/argmin/argmax only): the
    answer where its extreme is _ilimit (the first occurrence of a value nothing
    passes), else None.
    Through the general path, calls of 10^4 integers ran at 0.4-0.85x NumPy."""
    cdef uint64_t acc
    cdef int64_t i
    cdef int_t v
    if op == SMALL_SUM and not vbool:
        with nogil:
            _isum_row(p, n, s, &acc)
        if (int_t is uint8_t or int_t is uint16_t or int_t is uint32_t
                or int_t is uint64_t):
            return _np_scalar(&acc, _DT_U64, None)
        return _np_scalar(&acc, _DT_I64, None)  # (the same bits as int64)
    if op == SMALL_MIN or op == SMALL_MAX:
        with nogil:
            _ext_row2(p, n, s, op == SMALL_MAX, vbool, &v, &v)
        if probe and v != _ilimit(p, op == SMALL_MAX, vbool):
            return None
        return _np_scalar(&v, descr, None)
    if op == SMALL_ARGMIN or op == SMALL_ARGMAX:
        with nogil:
            _argext_row(p, n, s, op == SMALL_ARGMAX, vbool, &v, &i)
        if probe and v != _ilimit(p, op == SMALL_ARGMAX, vbool):
            return None
        return _np_scalar(&i, _DT_INTP, None)
    return None


cdef inline (Py_ssize_t, Py_ssize_t, Py_ssize_t, Py_ssize_t, Py_ssize_t, Py_ssize_t) _axis_view(
        Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t ax) noexcept nogil:
    """(A, R, B, sa, sr, m): the (A, R, B) view of a C-contiguous (n0, n1) array along
    ``ax`` (pycompute.reductions _fast_axis's), its A and R strides, its output length."""
    if ax == 0:
        return 1, n0, n1, 0, n1, n1
    return n0, n1, 1, n1, 1, n0


cdef object _small_ext_axis(int op, const real_t* p, Py_ssize_t n0, Py_ssize_t n1,
                            Py_ssize_t ax, int tn, bint vbool):
    """min/max (result type number ``tn``, native order) or argmin/argmax (intp) of the
    C-contiguous (n0, n1) array at ``p`` (``vbool``: bool read as uint8) along axis
    ``ax`` (0: columns, 1: rows): the kernels' task functions on the (A, R, B) view
    pycompute.reductions _fast_axis gives (one task a row, or one a column block:
    nch == 1 at these sizes). None for shapes the general path views otherwise."""
    cdef Py_ssize_t A, R, B, sa, sr, m, nbb, t
    cdef cnp.npy_intp dim
    cdef bint mx = op == SMALL_MAX or op == SMALL_ARGMAX
    cdef cnp.ndarray res
    cdef void* scr = NULL
    if n0 < (2 if ax == 1 else 1) or n1 < 2:
        return None  # another view in the general path: its bits are its own
    A, R, B, sa, sr, m = _axis_view(n0, n1, ax)
    nbb = _cdiv(B, COLS)
    dim = m
    if op == SMALL_MIN or op == SMALL_MAX:
        res = cnp.PyArray_EMPTY(1, &dim, tn, 0)
        with nogil:
            if B == 1:
                for t in range(A):
                    _ext_row2(p + t * sa, R, sr, mx, vbool, <real_t*>cnp.PyArray_DATA(res) + t,
                              NULL)
            else:
                for t in range(nbb):
                    _ext_col_task(p, t, nbb, 1, R, R, B, sa, sr, 1, mx,
                                  <real_t*>cnp.PyArray_DATA(res))
        return res
    res = cnp.PyArray_EMPTY(1, &dim, cnp.NPY_INTP, 0)
    if B > 1:
        scr = malloc(COLS * sizeof(real_t))
        if scr == NULL:
            raise MemoryError()
    with nogil:
        if B == 1:
            for t in range(A):
                _argext_row_task(p, t, 1, R, R, sa, sr, mx, vbool, <real_t*>NULL,
                                 <int64_t*>cnp.PyArray_DATA(res), <int64_t*>NULL)
        else:
            for t in range(nbb):
                _argext_col_task(p, t, nbb, 1, R, R, B, sa, sr, 1, mx, <real_t*>NULL,
                                 <int64_t*>cnp.PyArray_DATA(res), <real_t*>scr)
    free(scr)
    return res


cdef object _small_axis_t(int op, const float_t* p, Py_ssize_t n0, Py_ssize_t n1,
                         Py_ssize_t ax):
    """``op`` of the C-contiguous (n0, n1) array at ``p`` along axis ``ax`` (0: columns,
    1: rows): min/max/argmin/argmax by _small_ext_axis; sums and variances by the same
    views' task functions, then their result rules (_mean_overflow, _var_overflow)
    element by element."""
    cdef Py_ssize_t A, R, B, sa, sr, m, nbb, t, i
    cdef cnp.npy_intp dim
    cdef bint f32 = float_t is float
    cdef cnp.ndarray res, aux = None, aux2 = None
    cdef double* o
    cdef double* o2
    cdef void* scr = NULL
    cdef double v
    if SMALL_MIN <= op <= SMALL_ARGMAX:
        return _small_ext_axis(op, p, n0, n1, ax,
                               cnp.NPY_FLOAT if f32 else cnp.NPY_DOUBLE, False)
    if n0 < (2 if ax == 1 else 1) or n1 < 2:
        return None  # another view in the general path: its bits are its own
    A, R, B, sa, sr, m = _axis_view(n0, n1, ax)
    nbb = _cdiv(B, COLS)
    dim = m
    # sums and variances: float64 partials, then the result dtype
    aux = cnp.PyArray_EMPTY(1, &dim, cnp.NPY_DOUBLE, 0)
    o = <double*>cnp.PyArray_DATA(aux)
    o2 = NULL
    if op >= SMALL_VAR:
        aux2 = cnp.PyArray_EMPTY(1, &dim, cnp.NPY_DOUBLE, 0)
        o2 = <double*>cnp.PyArray_DATA(aux2)
    if B > 1:
        scr = malloc((4 if op >= SMALL_VAR else 2) * COLS * sizeof(double))
        if scr == NULL:
            raise MemoryError()
    with nogil:
        if op <= SMALL_MEAN:
            if B == 1:
                for t in range(A):
                    _sum_row_task(p, t, 1, R, R, sa, sr, NULL, NULL, o)
            else:
                for t in range(nbb):
                    _sum_col_task(p, t, nbb, 1, R, R, B, sa, sr, 1, NULL, NULL, o,
                                  <double*>scr, False)
        else:
            if B == 1:
                for t in range(A):
                    _var_row(p + t * sa, R, sr, &o[t], &o2[t])
            else:
                for t in range(nbb):
                    _var_col_task(p, t, nbb, 1, R, R, B, sa, sr, 1, o, o2, <double*>scr)
    free(scr)
    res = cnp.PyArray_EMPTY(1, &dim, cnp.NPY_FLOAT if f32 else cnp.NPY_DOUBLE, 0)
    with nogil:
        for i in range(m):
            if op == SMALL_SUM:
                v = o[i]
            elif op == SMALL_MEAN:
                v = o[i] / R
                if f32 and isinf(<float>o[i]):  # _mean_overflow: NumPy's float32 sum's inf
                    v = o[i]
            else:
                v = _var_value(o[i], o2[i], R, f32)
                if op == SMALL_STD:
                    v = sqrt(v)
            if f32:
                (<float*>cnp.PyArray_DATA(res))[i] = <float>v
            else:
                (<double*>cnp.PyArray_DATA(res))[i] = v
    return res


cdef object _small_int_axis_t(int op, const int_t* p, Py_ssize_t n0, Py_ssize_t n1,
                              Py_ssize_t ax, int tn, bint vbool):
    """min/max/argmin/argmax of the C-contiguous (n0, n1) integer (``vbool``: bool read
    as uint8) array at ``p`` along axis ``ax``: _small_ext_axis, NumPy's result dtype
    (type number ``tn``; or intp). Through the Python fast path (~4 us of checks, views
    and calls) bool argmax along axis 1 of (10, 1000) ran at 0.26x NumPy's time. None
    for sums and for shapes the general path views otherwise."""
    if not SMALL_MIN <= op <= SMALL_ARGMAX:
        return None
    return _small_ext_axis(op, p, n0, n1, ax, tn, vbool)


cdef inline object _small_int_any(int op, const int_t* p, Py_ssize_t n, Py_ssize_t s,
                                  cnp.ndarray arr, bint vbool, bint probe, Py_ssize_t ax):
    """_small_int_t of the whole array (``ax`` -1), else _small_int_axis_t along ``ax``."""
    if ax >= 0:
        return _small_int_axis_t(op, p, cnp.PyArray_DIM(arr, 0), cnp.PyArray_DIM(arr, 1), ax,
                                 cnp.PyArray_TYPE(arr), vbool)
    return _small_int_t(op, p, n, s, arr.descr, vbool, probe)


cdef object _small_int(int op, cnp.ndarray arr, Py_ssize_t n, Py_ssize_t s, Py_ssize_t isz,
                       bint probe, Py_ssize_t ax):
    """small() of an integer (or bool) array that small() checked, whole (``ax`` -1) or
    2-D along ``ax``: for its width and signedness (bool: uint8 with ``vbool``;
    ``probe``: see _small_int_t)."""
    cdef bint uns = cnp.PyTypeNum_ISUNSIGNED(cnp.PyArray_TYPE(arr))
    cdef void* d = cnp.PyArray_DATA(arr)
    if cnp.PyArray_TYPE(arr) == cnp.NPY_BOOL:
        return _small_int_any(op, <const uint8_t*>d, n, s, arr, True, probe, ax)
    if isz == 1:
        if uns:
            return _small_int_any(op, <const uint8_t*>d, n, s, arr, False, probe, ax)
        return _small_int_any(op, <const int8_t*>d, n, s, arr, False, probe, ax)
    if isz == 2:
        if uns:
            return _small_int_any(op, <const uint16_t*>d, n, s, arr, False, probe, ax)
        return _small_int_any(op, <const int16_t*>d, n, s, arr, False, probe, ax)
    if isz == 4:
        if uns:
            return _small_int_any(op, <const uint32_t*>d, n, s, arr, False, probe, ax)
        return _small_int_any(op, <const int32_t*>d, n, s, arr, False, probe, ax)
    if isz == 8:
        if uns:
            return _small_int_any(op, <const uint64_t*>d, n, s, arr, False, probe, ax)
        return _small_int_any(op, <const int64_t*>d, n, s, arr, False, probe, ax)
    return None


def small(int op, object a, object axis=None):
    """``op`` (SMALL_SUM ... SMALL_STD) of ``a`` on this thread, the general path's
    bits: a float32/float64 ndarray (integers: sum/min/max/argmin/argmax of the whole
    array, and min/max/argmin/argmax along an axis of a C-contiguous 2-D one; bool:
    min/max/argmin/argmax of either; _small_int) (exactly, not a subclass) of 1 to SMALL_N
    elements (integer min/max/argmin/argmax and float argmin/argmax: more, see below),
    aligned, in native byte order; ``axis`` None (or 0 / -1 of 1-D input):
    C-contiguous or 1-D at any element stride, NumPy's scalar returned; ``axis`` an
    int of a C-contiguous 2-D array (the Python fast path's shapes: both sides > 1,
    or one row along axis 0): NumPy's result array. Returns None for any other call
    (the caller's general path runs). The checks read the array struct (a few ns);
    the Python fast paths took ~0.8-5 us (memoryviews, NumPy calls on the outputs),
    which put calls of 10^3 elements at 0.4-0.99x NumPy's time (issue 11)."""
    cdef cnp.ndarray arr
    cdef int tn, fl, nd
    cdef Py_ssize_t n, s, isz, ax
    cdef bint integer = False, probe = False, wide = False
    cdef Py_ssize_t A, R, B, sa, sr, m
    if type(a) is not cnp.ndarray:
        return None
    arr = <cnp.ndarray>a
    tn = cnp.PyArray_TYPE(arr)
    fl = cnp.PyArray_FLAGS(arr)
    n = cnp.PyArray_SIZE(arr)
    nd = cnp.PyArray_NDIM(arr)
    if tn == cnp.NPY_FLOAT:
        isz = 4
    elif tn == cnp.NPY_DOUBLE:
        isz = 8
    elif cnp.PyTypeNum_ISINTEGER(tn) or (tn == cnp.NPY_BOOL and SMALL_MIN <= op <= SMALL_ARGMAX):
        # whole arrays only (sum/min/max/argmin/argmax; bool: min/max/argmin/argmax)
        isz = cnp.PyArray_ITEMSIZE(arr)
        integer = True
    else:
        return None
    if n < 1 or not (fl & cnp.NPY_ARRAY_ALIGNED) or not cnp.PyArray_ISNOTSWAPPED(arr):
        return None
    if n > SMALL_N:
        # integer min/max/argmin/argmax (any task plan gives their answer) up to
        # SMALL_INT_N elements: the Python fast path's ~1.2 us held uint8 argmax of 10^5
        # at 0.7x NumPy. Past it, the array's first 4 KB answer where their extreme is
        # the dtype's limit (bool: the first True or False), as NumPy's bool reductions
        # stop at the first True (False): through the general path a random mask of
        # 10^7 elements ran at 0.02x NumPy. A miss costs the 4 KB (~0.1 us), and the
        # general path then stops at the limit itself.
        # Float argmin/argmax too, below SMALL_INT_N elements (one thread by the default
        # count: AUTO_GRAIN's argext is 2^19): any plan gives the first extreme (or NaN).
        # Through the Python fast path (~4 us of checks, views and a 17-argument kernel
        # call) argmax along axis 1 of a (20, 1000) float32 array ran at 0.36x NumPy.
        # Float min/max along an axis too, where the general path's plan has one chunk a
        # row or column block (nch == 1: its task functions on the same spans, so its
        # bits, signed zeros included), and of whole C-contiguous arrays (the fast path's
        # one ext_flat pass): min/max along axis 1 of (20, 1000) float32 ran at 0.67x
        # NumPy through the Python fast path, whole ones of 10^5 at 0.70-0.75x.
        if integer and SMALL_MIN <= op <= SMALL_ARGMAX:
            probe = n > SMALL_INT_N
        elif integer or not SMALL_MIN <= op <= SMALL_ARGMAX or n >= SMALL_INT_N:
            return None
        elif op <= SMALL_MAX:
            wide = True
    if axis is not None:
        if type(axis) is not int or not -2 <= axis <= 1:  # (a huge int: no C overflow)
            return None
        ax = axis
        if nd == 2 and fl & cnp.NPY_ARRAY_C_CONTIGUOUS:
            ax = (ax + 2) % 2  # (cdivision: -1 % 2 is -1 in C)
            if integer:  # min/max/argmin/argmax: any plan's answer (see above), below
                # SMALL_INT_N 4-byte elements: a one-thread size for the default count
                # (pycompute.reductions._auto_grain scales 1- and 2-byte elements so too)
                if n >= SMALL_INT_N * (4 // isz if isz < 4 else 1):
                    return None
                return _small_int(op, arr, n, 1, isz, False, ax)
            if wide:  # float min/max past SMALL_N: the general path's plan only (above)
                A, R, B, sa, sr, m = _axis_view(cnp.PyArray_DIM(arr, 0), cnp.PyArray_DIM(arr, 1), ax)
                if _plan(A, R, B).nch != 1:
                    return None
            if isz == 4:
                return _small_axis_t(op, <const float*>cnp.PyArray_DATA(arr),
                                     cnp.PyArray_DIM(arr, 0), cnp.PyArray_DIM(arr, 1), ax)
            return _small_axis_t(op, <const double*>cnp.PyArray_DATA(arr),
                                 cnp.PyArray_DIM(arr, 0), cnp.PyArray_DIM(arr, 1), ax)
        if nd != 1 or not (ax == 0 or ax == -1):
            return None
        # 1-D along 0 / -1: the whole array (NumPy returns the same scalar)
    if wide and not fl & cnp.NPY_ARRAY_C_CONTIGUOUS:
        # whole float min/max past SMALL_N: contiguous only, whose general path (the
        # fast path's ext_flat) is this one pass; a strided view's is the chunked plan
        return None
    if fl & cnp.NPY_ARRAY_C_CONTIGUOUS:
        s = 1
    elif nd == 1 and cnp.PyArray_STRIDE(arr, 0) % isz == 0:
        s = cnp.PyArray_STRIDE(arr, 0) // isz
    else:
        return None
    if integer:
        return _small_int(op, arr, PROBE_BYTES // isz if probe else n, s, isz, probe, -1)
    if isz == 4:
        return _small_t(op, <const float*>cnp.PyArray_DATA(arr), n, s)
    return _small_t(op, <const double*>cnp.PyArray_DATA(arr), n, s)
