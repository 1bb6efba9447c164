# Derivative compositions, fused: the native side of pycompute.derivatives.
#
# One kernel, the same arguments as its Numba twin (pycompute/_numba/derivatives.py):
#
#     fused2(x, out, wc0, sc0, wr0, sr0, wc1, sc1, wr1, sr1, mode, cval, op, n_threads, t0, t1)
#
# It runs tasks ``t0 <= t < min(t1, T)`` of its T tasks (bands of DROWS output rows) and
# returns T (``t1 == 0``: no work): pycompute._cancel.run_tasks calls it in slices of
# about 50 ms so that Ctrl-C and aio cancellation can stop a long call between slices.
# A task writes only its own band and reads only the input, so any cut gives the same
# bits as one call (the ring rows a thread keeps from its previous task are copies of
# the input: kept or copied again, the same values).
#
# ``x`` (H, W) and ``out`` (H, W) are C-contiguous, both float32 or both float64,
# and do not overlap. Two separable terms of the 2-D image are formed, each as
# scipy's gaussian_filter forms it (the pass along axis 0 first, its result
# rounded to the pixel type, then the pass along axis 1):
#
#     t0 = rowpass(wr0, colpass(wc0, x))      e.g. the Gaussian derivative along axis 0
#     t1 = rowpass(wr1, colpass(wc1, x))      e.g. the Gaussian derivative along axis 1
#
# and combined per pixel as scipy.ndimage combines them in the output array:
#
#     op 0 (gaussian_gradient_magnitude):  out = sqrt(t0 * t0 + t1 * t1)
#     op 1 (gaussian_laplace):             out = t0 + t1
#
# Weights are scipy's (reversed, as correlate1d receives them), odd length,
# ``lo = K // 2`` taps before the centre; ``wc0``/``wc1`` share one length Kv and
# ``wr0``/``wr1`` one length Kh (derivatives of one Gaussian); s* are the
# symmetry codes of correlate1d (+1 symmetric, -1 antisymmetric, 0 neither).
# Borders: one scipy mode code for both axes (the caller fuses only then), the
# constant ``cval`` for rows/columns outside in 'constant' mode.
#
# Fusion: a task is DROWS output rows. Its source rows (border rows by a table)
# are copied once into a per-thread ring (rows 64 bytes longer than a multiple
# of 64 bytes, so image rows a power of two apart do not fall in the same L1
# sets); the rows the thread's previous task already copied are kept. The
# column pass then reads each source strip (STRIP_BYTES wide, L1-resident) once
# for BOTH column kernels (pyd_col2_*: each pair of rows loaded once, feeding
# both kernels), into two padded intermediate rows per output row. Each
# intermediate row is border-extended in place; then both row passes and the
# combine run in registers, 64 outputs at a time (pyd_row2_f32, AVX-512
# float32), or a segment (SEG_BYTES) at a time through two per-thread result
# rows (float64, other levels, remainders), and the output row is written once.
# Outputs of STREAM_MIN bytes and more are stored non-temporally (no
# read-for-ownership of lines nobody reads soon). The image is read from memory
# once and the output written once; the intermediates live in per-thread rows
# only (no image-sized temporary).
#
# Arithmetic: the per-pixel term order is correlate1d's (centre tap first,
# then the outermost pair inwards). float32: FMA (as the _fastconv.h line loops
# of kernels/convolution.pyx), so each term equals pycompute.gaussian_filter's
# float32 result bit for bit, on every SIMD level. float64: no FMA
# (contraction off, as the convolution family), scipy's order: equal to
# scipy.ndimage bit for bit. The combine is t0*t0 + t1*t1 rounded at each step
# then sqrt (correctly rounded), or t0 + t1: scipy's ``np.multiply``/``+=``/
# ``np.sqrt`` in the output dtype. Each output is computed by one task in a
# fixed order: bitwise identical at any thread count (NaN signs included: the
# same code runs whatever the count).
#
# Vectorization, checked in the GCC report (PYCOMPUTE_VEC_REPORT=1) and the
# avx512 level's objdump: float32 loops are intrinsics at the level's width
# (pyd_col2_f32: _fastconv.h's PV_* vectors, 4 x 2 FMA chains; pyd_row2_f32:
# each symmetric pair's left tap by valignd and right tap by an unaligned L1 load,
# so the shuffle and load ports share the shifts: 8% less CPU time than valignd
# for both, measured; vsqrtps zmm, vmovntps); the float64 loops (pyd_line_f64,
# pyd_col2_f64, pyd_combine_f64) are auto-vectorized, 8 x float64 per zmm
# (vmulpd/vaddpd, no vfmadd: contraction off), vsqrtpd zmm.
from cython.parallel cimport prange
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from _boundary cimport boundary_index
from _fused cimport float_t
from _openmp cimport pyc_thread_num

cdef extern from "_fastconv.h" nogil:
    void pyc_line_f32(const float** s, Py_ssize_t K, int sym, const float* w, Py_ssize_t n,
                      float* out)
    Py_ssize_t pyc_hline_f32(const float* x, Py_ssize_t K, int sym, const float* w,
                             Py_ssize_t n, float* out)

cdef extern from *:
    """
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("fp-contract=off")
    #endif
    #include "_fastconv.h"
    /* out[j] = 1-D correlation of K double taps, tap k reading s[k][j], j < n, in
     * NI_Correlate1D's term order (centre first, then the pairs from the outermost in),
     * tap-major: each loop is a stride-1 pass over out (8 x float64 per zmm). */
    static void pyd_line_f64(const double **s, ptrdiff_t K, int sym, const double *w,
                             ptrdiff_t n, double *restrict out)
    {
        ptrdiff_t j, k, c = K / 2;
        if (sym != 0) {
            const double *restrict sc = s[c];
            const double wc = w[c];
            for (j = 0; j < n; j++)
                out[j] = sc[j] * wc;
            for (k = 0; k < c; k++) {
                const double *restrict p = s[k], *restrict q = s[K - 1 - k];
                const double wk = w[k];
                if (sym > 0)
                    for (j = 0; j < n; j++)
                        out[j] += (p[j] + q[j]) * wk;
                else
                    for (j = 0; j < n; j++)
                        out[j] += (p[j] - q[j]) * wk;
            }
            return;
        }
        {
            const double *restrict sl = s[K - 1];
            const double wl = w[K - 1];
            for (j = 0; j < n; j++)
                out[j] = sl[j] * wl;
            for (k = 0; k < K - 1; k++) {
                const double *restrict p = s[k];
                const double wk = w[k];
                for (j = 0; j < n; j++)
                    out[j] += p[j] * wk;
            }
        }
    }
    /* The combine: op 0 sqrt(a*a + b*b) (each product and the sum rounded, sqrt correctly
     * rounded), op 1 a + b. ``stream``: non-temporal stores from the first 64-byte
     * boundary of ``out`` (AVX-512 levels; an output larger than the caches that nobody
     * reads right away: no read-for-ownership of its lines). The same values either way. */
    #include <stdint.h>
    static void pyd_combine_f32(const float *restrict a, const float *restrict b, ptrdiff_t n,
                                int op, float *restrict out, int stream)
    {
        ptrdiff_t j = 0;
    #if defined(__AVX512F__)
        if (stream && !((uintptr_t)out & 3)) {
            ptrdiff_t head = (ptrdiff_t)(((64 - ((uintptr_t)out & 63)) & 63) / 4);
            for (; j < head && j < n; j++)
                out[j] = op == 0 ? sqrtf(a[j] * a[j] + b[j] * b[j]) : a[j] + b[j];
            if (op == 0)
                for (; j + 16 <= n; j += 16) {
                    __m512 va = _mm512_loadu_ps(a + j), vb = _mm512_loadu_ps(b + j);
                    _mm512_stream_ps(out + j, _mm512_sqrt_ps(
                        _mm512_add_ps(_mm512_mul_ps(va, va), _mm512_mul_ps(vb, vb))));
                }
            else
                for (; j + 16 <= n; j += 16)
                    _mm512_stream_ps(out + j, _mm512_add_ps(_mm512_loadu_ps(a + j),
                                                            _mm512_loadu_ps(b + j)));
        }
    #else
        (void)stream;
    #endif
        if (op == 0)
            for (; j < n; j++) {
                float p = a[j] * a[j], q = b[j] * b[j];
                out[j] = sqrtf(p + q);
            }
        else
            for (; j < n; j++)
                out[j] = a[j] + b[j];
    }
    static void pyd_combine_f64(const double *restrict a, const double *restrict b,
                                ptrdiff_t n, int op, double *restrict out, int stream)
    {
        ptrdiff_t j = 0;
    #if defined(__AVX512F__)
        if (stream && !((uintptr_t)out & 7)) {
            ptrdiff_t head = (ptrdiff_t)(((64 - ((uintptr_t)out & 63)) & 63) / 8);
            for (; j < head && j < n; j++)
                out[j] = op == 0 ? sqrt(a[j] * a[j] + b[j] * b[j]) : a[j] + b[j];
            if (op == 0)
                for (; j + 8 <= n; j += 8) {
                    __m512d va = _mm512_loadu_pd(a + j), vb = _mm512_loadu_pd(b + j);
                    _mm512_stream_pd(out + j, _mm512_sqrt_pd(
                        _mm512_add_pd(_mm512_mul_pd(va, va), _mm512_mul_pd(vb, vb))));
                }
            else
                for (; j + 8 <= n; j += 8)
                    _mm512_stream_pd(out + j, _mm512_add_pd(_mm512_loadu_pd(a + j),
                                                            _mm512_loadu_pd(b + j)));
        }
    #else
        (void)stream;
    #endif
        if (op == 0)
            for (; j < n; j++) {
                double p = a[j] * a[j], q = b[j] * b[j];
                out[j] = sqrt(p + q);
            }
        else
            for (; j < n; j++)
                out[j] = a[j] + b[j];
    }
    /* Both column passes of a strip from one read of its source rows: oa = the
     * correlation with (sa, wa), ob = with (sb, wb), K odd, sa and sb nonzero (symmetric
     * or antisymmetric kernels: scipy's paired taps). Per pixel each output adds its
     * terms exactly as pyc_line_f32 / pyd_line_f64 (centre product first, then the
     * pairs from the outermost in, fma for float32): the same values as two calls.
     * Each pair p, q of rows is loaded once and feeds both kernels (when both are
     * symmetric the sum p + q too). float32: 4 vectors x 2 kernels = 8 FMA chains. */
    #define PYD_COL2_BODY(OPA, OPB)                                                       \
        for (; j + 4 * PV_W <= n; j += 4 * PV_W) {                                       \
            const float *sc = s[c] + j;                                                  \
            pyc_v x0 = PV_LOAD(sc), x1 = PV_LOAD(sc + PV_W);                             \
            pyc_v x2 = PV_LOAD(sc + 2 * PV_W), x3 = PV_LOAD(sc + 3 * PV_W);              \
            pyc_v wac = PV_SET1(wa[c]), wbc = PV_SET1(wb[c]);                            \
            pyc_v a0 = PV_MUL(x0, wac), a1 = PV_MUL(x1, wac);                            \
            pyc_v a2 = PV_MUL(x2, wac), a3 = PV_MUL(x3, wac);                            \
            pyc_v b0 = PV_MUL(x0, wbc), b1 = PV_MUL(x1, wbc);                            \
            pyc_v b2 = PV_MUL(x2, wbc), b3 = PV_MUL(x3, wbc);                            \
            for (k = 0; k < c; k++) {                                                    \
                const float *p = s[k] + j, *q = s[K - 1 - k] + j;                        \
                pyc_v wak = PV_SET1(wa[k]), wbk = PV_SET1(wb[k]);                        \
                pyc_v p0 = PV_LOAD(p), q0 = PV_LOAD(q);                                  \
                pyc_v p1 = PV_LOAD(p + PV_W), q1 = PV_LOAD(q + PV_W);                    \
                pyc_v p2 = PV_LOAD(p + 2 * PV_W), q2 = PV_LOAD(q + 2 * PV_W);            \
                pyc_v p3 = PV_LOAD(p + 3 * PV_W), q3 = PV_LOAD(q + 3 * PV_W);            \
                a0 = PV_FMA(OPA(p0, q0), wak, a0); b0 = PV_FMA(OPB(p0, q0), wbk, b0);    \
                a1 = PV_FMA(OPA(p1, q1), wak, a1); b1 = PV_FMA(OPB(p1, q1), wbk, b1);    \
                a2 = PV_FMA(OPA(p2, q2), wak, a2); b2 = PV_FMA(OPB(p2, q2), wbk, b2);    \
                a3 = PV_FMA(OPA(p3, q3), wak, a3); b3 = PV_FMA(OPB(p3, q3), wbk, b3);    \
            }                                                                            \
            PV_STORE(oa + j, a0); PV_STORE(oa + j + PV_W, a1);                           \
            PV_STORE(oa + j + 2 * PV_W, a2); PV_STORE(oa + j + 3 * PV_W, a3);            \
            PV_STORE(ob + j, b0); PV_STORE(ob + j + PV_W, b1);                           \
            PV_STORE(ob + j + 2 * PV_W, b2); PV_STORE(ob + j + 3 * PV_W, b3);            \
        }
    static void pyd_col2_f32(const float **s, ptrdiff_t K, int sa, const float *wa, int sb,
                             const float *wb, ptrdiff_t n, float *oa, float *ob)
    {
        ptrdiff_t j = 0, k, c = K / 2;
        if (sa > 0 && sb > 0) {
            PYD_COL2_BODY(PV_ADD, PV_ADD)
        } else if (sa > 0) {
            PYD_COL2_BODY(PV_ADD, PV_SUB)
        } else if (sb > 0) {
            PYD_COL2_BODY(PV_SUB, PV_ADD)
        } else {
            PYD_COL2_BODY(PV_SUB, PV_SUB)
        }
        for (; j < n; j++) {
            oa[j] = pyc_line_px_f32(s, K, sa, wa, j);
            ob[j] = pyc_line_px_f32(s, K, sb, wb, j);
        }
    }
    #define PYD_COL2_F64(OPA, OPB)                                                        \
        for (k = 0; k < c; k++) {                                                        \
            const double *restrict p = s[k], *restrict q = s[K - 1 - k];                 \
            const double wak = wa[k], wbk = wb[k];                                       \
            for (j = 0; j < n; j++) {                                                    \
                oa[j] += (p[j] OPA q[j]) * wak;                                          \
                ob[j] += (p[j] OPB q[j]) * wbk;                                          \
            }                                                                            \
        }
    static void pyd_col2_f64(const double **s, ptrdiff_t K, int sa, const double *wa, int sb,
                             const double *wb, ptrdiff_t n, double *restrict oa,
                             double *restrict ob)
    {
        ptrdiff_t j, k, c = K / 2;
        const double *restrict sc = s[c];
        const double wac = wa[c], wbc = wb[c];
        for (j = 0; j < n; j++) {
            oa[j] = sc[j] * wac;
            ob[j] = sc[j] * wbc;
        }
        if (sa > 0 && sb > 0) {
            PYD_COL2_F64(+, +)
        } else if (sa > 0) {
            PYD_COL2_F64(+, -)
        } else if (sb > 0) {
            PYD_COL2_F64(-, +)
        } else {
            PYD_COL2_F64(-, -)
        }
    }
    /* Both row passes and the combine in registers (AVX-512 float32, K <= 17): per 64
     * outputs, the row pass of xa (K taps, sa, wa) and of xb (sb, wb) in pyc_hline_f32's
     * order (the same fma order per pixel as pyc_line_f32: the same values), then
     * op 0 sqrt(a*a + b*b) / op 1 a + b, stored (non-temporally with ``stream``: out
     * must then be 64-byte aligned). Returns the outputs done (a multiple of 64). */
    #if defined(__AVX512F__)
    #define PYD_HBLOCK(x, sym, w, a0, a1, a2, a3)                                         \
        {                                                                                \
            const float *p_ = (x);                                                       \
            __m512 A0 = _mm512_loadu_ps(p_), A1 = _mm512_loadu_ps(p_ + 16);              \
            __m512 A2 = _mm512_loadu_ps(p_ + 32), A3 = _mm512_loadu_ps(p_ + 48);         \
            __m512 A4 = _mm512_maskz_loadu_ps(tail, p_ + 64);                            \
            const float *w_ = (w);                                                       \
            if ((sym) != 0) {                                                            \
                __m512 wc = _mm512_set1_ps(w_[c]);                                       \
                a0 = _mm512_mul_ps(PYC_SH(A0, A1, c), wc);                               \
                a1 = _mm512_mul_ps(PYC_SH(A1, A2, c), wc);                               \
                a2 = _mm512_mul_ps(PYC_SH(A2, A3, c), wc);                               \
                a3 = _mm512_mul_ps(PYC_SH(A3, A4, c), wc);                               \
                PYD_PAIRS(sym, w_)                                                       \
            } else {                                                                     \
                __m512 wl = _mm512_set1_ps(w_[K - 1]);                                   \
                a0 = _mm512_mul_ps(PYC_SH(A0, A1, K - 1), wl);                           \
                a1 = _mm512_mul_ps(PYC_SH(A1, A2, K - 1), wl);                           \
                a2 = _mm512_mul_ps(PYC_SH(A2, A3, K - 1), wl);                           \
                a3 = _mm512_mul_ps(PYC_SH(A3, A4, K - 1), wl);                           \
                PYD_TAPS(w_)                                                             \
            }                                                                            \
        }
    /* pair k of a symmetric / antisymmetric kernel: the left tap (shift k) by valignd of
     * the loaded vectors, the right tap (shift K - 1 - k) by an unaligned load from L1,
     * so the shuffle and load ports share the work (the same values either way) */
    #define PYD_PAIR_OP(OP, k)                                                            \
        a0 = _mm512_fmadd_ps(OP(PYC_SH(A0, A1, k), _mm512_loadu_ps(p_ + K - 1 - (k))),   \
                             wk, a0);                                                    \
        a1 = _mm512_fmadd_ps(OP(PYC_SH(A1, A2, k), _mm512_loadu_ps(p_ + 16 + K - 1 - (k))), \
                             wk, a1);                                                    \
        a2 = _mm512_fmadd_ps(OP(PYC_SH(A2, A3, k), _mm512_loadu_ps(p_ + 32 + K - 1 - (k))), \
                             wk, a2);                                                    \
        a3 = _mm512_fmadd_ps(OP(PYC_SH(A3, A4, k), _mm512_loadu_ps(p_ + 48 + K - 1 - (k))), \
                             wk, a3);
    #define PYD_PAIR1(k, sym, w_)                                                         \
        if ((k) < c) {                                                                   \
            __m512 wk = _mm512_set1_ps(w_[k]);                                           \
            if ((sym) > 0) {                                                             \
                PYD_PAIR_OP(_mm512_add_ps, k)                                            \
            } else {                                                                     \
                PYD_PAIR_OP(_mm512_sub_ps, k)                                            \
            }                                                                            \
        }
    #define PYD_PAIRS(sym, w_)                                                            \
        PYD_PAIR1(0, sym, w_) PYD_PAIR1(1, sym, w_) PYD_PAIR1(2, sym, w_)                \
        PYD_PAIR1(3, sym, w_) PYD_PAIR1(4, sym, w_) PYD_PAIR1(5, sym, w_)                \
        PYD_PAIR1(6, sym, w_) PYD_PAIR1(7, sym, w_)
    #define PYD_TAP1(k, w_)                                                               \
        if ((k) < K - 1) {                                                               \
            __m512 wk = _mm512_set1_ps(w_[k]);                                           \
            a0 = _mm512_fmadd_ps(PYC_SH(A0, A1, k), wk, a0);                             \
            a1 = _mm512_fmadd_ps(PYC_SH(A1, A2, k), wk, a1);                             \
            a2 = _mm512_fmadd_ps(PYC_SH(A2, A3, k), wk, a2);                             \
            a3 = _mm512_fmadd_ps(PYC_SH(A3, A4, k), wk, a3);                             \
        }
    #define PYD_TAPS(w_)                                                                  \
        PYD_TAP1(0, w_) PYD_TAP1(1, w_) PYD_TAP1(2, w_) PYD_TAP1(3, w_)                  \
        PYD_TAP1(4, w_) PYD_TAP1(5, w_) PYD_TAP1(6, w_) PYD_TAP1(7, w_)                  \
        PYD_TAP1(8, w_) PYD_TAP1(9, w_) PYD_TAP1(10, w_) PYD_TAP1(11, w_)                \
        PYD_TAP1(12, w_) PYD_TAP1(13, w_) PYD_TAP1(14, w_) PYD_TAP1(15, w_)
    static inline __attribute__((always_inline)) ptrdiff_t
    pyd_row2_k(const float *xa, const float *xb, const ptrdiff_t K, int sa, const float *wa,
               int sb, const float *wb, ptrdiff_t n, int op, float *out, int stream)
    {
        ptrdiff_t j = 0;
        const ptrdiff_t c = K / 2;
        const __mmask16 tail = (__mmask16)((1u << (K - 1)) - 1u);
        for (; j + 64 <= n; j += 64) {
            __m512 r0, r1, r2, r3, u0, u1, u2, u3;
            {
                __m512 a0, a1, a2, a3;
                PYD_HBLOCK(xa + j, sa, wa, a0, a1, a2, a3)
                r0 = a0; r1 = a1; r2 = a2; r3 = a3;
            }
            {
                __m512 a0, a1, a2, a3;
                PYD_HBLOCK(xb + j, sb, wb, a0, a1, a2, a3)
                u0 = a0; u1 = a1; u2 = a2; u3 = a3;
            }
            if (op == 0) {
                r0 = _mm512_sqrt_ps(_mm512_add_ps(_mm512_mul_ps(r0, r0), _mm512_mul_ps(u0, u0)));
                r1 = _mm512_sqrt_ps(_mm512_add_ps(_mm512_mul_ps(r1, r1), _mm512_mul_ps(u1, u1)));
                r2 = _mm512_sqrt_ps(_mm512_add_ps(_mm512_mul_ps(r2, r2), _mm512_mul_ps(u2, u2)));
                r3 = _mm512_sqrt_ps(_mm512_add_ps(_mm512_mul_ps(r3, r3), _mm512_mul_ps(u3, u3)));
            } else {
                r0 = _mm512_add_ps(r0, u0); r1 = _mm512_add_ps(r1, u1);
                r2 = _mm512_add_ps(r2, u2); r3 = _mm512_add_ps(r3, u3);
            }
            if (stream) {
                _mm512_stream_ps(out + j, r0); _mm512_stream_ps(out + j + 16, r1);
                _mm512_stream_ps(out + j + 32, r2); _mm512_stream_ps(out + j + 48, r3);
            } else {
                _mm512_storeu_ps(out + j, r0); _mm512_storeu_ps(out + j + 16, r1);
                _mm512_storeu_ps(out + j + 32, r2); _mm512_storeu_ps(out + j + 48, r3);
            }
        }
        return j;
    }
    static ptrdiff_t pyd_row2_f32(const float *xa, const float *xb, ptrdiff_t K, int sa,
                                  const float *wa, int sb, const float *wb, ptrdiff_t n,
                                  int op, float *out, int stream)
    {
        switch (K) {
    #define PYD_K(k) case k: return pyd_row2_k(xa, xb, k, sa, wa, sb, wb, n, op, out, stream);
        PYD_K(3) PYD_K(5) PYD_K(7) PYD_K(9) PYD_K(11) PYD_K(13) PYD_K(15) PYD_K(17)
    #undef PYD_K
        default: return 0;
        }
    }
    #else
    static ptrdiff_t pyd_row2_f32(const float *xa, const float *xb, ptrdiff_t K, int sa,
                                  const float *wa, int sb, const float *wb, ptrdiff_t n,
                                  int op, float *out, int stream)
    {
        (void)xa; (void)xb; (void)K; (void)sa; (void)wa; (void)sb; (void)wb; (void)n;
        (void)op; (void)out; (void)stream;
        return 0;
    }
    #endif
    static void pyd_sfence(void)
    {
    #if defined(__AVX512F__)
        _mm_sfence();
    #endif
    }
    """
    void pyd_col2_f32(const float** s, Py_ssize_t K, int sa, const float* wa, int sb,
                      const float* wb, Py_ssize_t n, float* oa, float* ob) nogil
    void pyd_col2_f64(const double** s, Py_ssize_t K, int sa, const double* wa, int sb,
                      const double* wb, Py_ssize_t n, double* oa, double* ob) nogil
    void pyd_line_f64(const double** s, Py_ssize_t K, int sym, const double* w, Py_ssize_t n,
                      double* out) nogil
    void pyd_combine_f32(const float* a, const float* b, Py_ssize_t n, int op,
                         float* out, int stream) nogil
    void pyd_combine_f64(const double* a, const double* b, Py_ssize_t n, int op,
                         double* out, int stream) nogil
    void pyd_sfence() nogil
    Py_ssize_t pyd_row2_f32(const float* xa, const float* xb, Py_ssize_t K, int sa,
                            const float* wa, int sb, const float* wb, Py_ssize_t n, int op,
                            float* out, int stream) nogil

cdef enum:
    DROWS = 16          # output rows per task
    STRIP_BYTES = 1024  # columns of one column-pass strip (source strips stay in L1)
    # bytes of ring per thread; above it source rows are read in place, and rows a power
    # of two apart then share L1/L2 sets (at 1 MiB, sigma >= 8 on a 4096-wide float32
    # image read in place and ran ~1.4x slower per tap than sigma 4; as separable2)
    RING_MAX = 1 << 24
    SEG_BYTES = 4096    # outputs per row-pass segment: the two result segments stay in L1
    STREAM_MIN = 1 << 24  # output bytes from which the combine stores non-temporally


cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline Py_ssize_t _r64(Py_ssize_t nbytes) noexcept nogil:
    return _cdiv(nbytes, 64) * 64


cdef inline void _line(const float_t** s, Py_ssize_t K, int sym, const float_t* w,
                       Py_ssize_t n, float_t* out) noexcept nogil:
    if float_t is float:
        pyc_line_f32(s, K, sym, w, n, out)
    else:
        pyd_line_f64(s, K, sym, w, n, out)


cdef inline void _extend(float_t* tpad, Py_ssize_t W, const Py_ssize_t* coltab,
                         Py_ssize_t Kh, float_t cv) noexcept nogil:
    """Border of the padded row whose W elements sit at ``tpad + Kh // 2``: the element
    ``coltab[j]`` of it, or the constant where -1 (scipy's second pass reads the
    intermediate with the mode and cval)."""
    cdef Py_ssize_t lo = Kh // 2, j, col
    cdef float_t* mid = tpad + lo
    for j in range(lo):
        col = coltab[j]
        tpad[j] = mid[col] if col >= 0 else cv
    for j in range(lo + W, W + Kh - 1):
        col = coltab[j]
        tpad[j] = mid[col] if col >= 0 else cv


cdef inline void _rowseg(const float_t* tp, Py_ssize_t Kh, int sym, const float_t* w,
                         Py_ssize_t n, const float_t** ptrs, float_t* dst) noexcept nogil:
    """dst[:n] = the pass along W of n outputs whose taps start at ``tp`` (valignd taps
    for float32 on AVX-512, then the generic line)."""
    cdef Py_ssize_t k, d = 0
    if float_t is float:
        d = pyc_hline_f32(tp, Kh, sym, w, n, dst)
    for k in range(Kh):
        ptrs[k] = tp + k + d
    _line(ptrs, Kh, sym, w, n - d, dst + d)


cdef void _task(Py_ssize_t t, const float_t* px, float_t* po, Py_ssize_t H, Py_ssize_t W,
                const Py_ssize_t* rowtab, const Py_ssize_t* coltab, Py_ssize_t Kv,
                Py_ssize_t Kh, const float_t* wc0, int sc0, const float_t* wr0, int sr0,
                const float_t* wc1, int sc1, const float_t* wr1, int sr1, float_t cv, int op,
                Py_ssize_t pad, Py_ssize_t Lp, int stream, char* tbuf,
                Py_ssize_t* last) noexcept nogil:
    """Output rows t*DROWS .. of one image (see the header). ``tbuf`` (one thread's):
    2*DROWS padded rows of ``pad`` elements, the row of the constant, two result
    rows, row pointers, then the ring (rows ``Lp`` apart; 0: no ring)."""
    cdef Py_ssize_t y0 = t * DROWS, y1, y, k, r, x0, n, j, lo = Kh // 2
    cdef Py_ssize_t strip = STRIP_BYTES // sizeof(float_t), seg = SEG_BYTES // sizeof(float_t)
    cdef Py_ssize_t rowb = _r64(W * sizeof(float_t) + 64)
    cdef float_t* P0 = <float_t*>tbuf
    cdef float_t* P1 = P0 + DROWS * pad
    cdef float_t* cvrow = P1 + DROWS * pad
    cdef float_t* T0 = <float_t*>(<char*>cvrow + rowb)
    cdef float_t* T1 = <float_t*>(<char*>T0 + rowb)
    cdef const float_t** ptrs = <const float_t**>(<char*>T1 + rowb)
    cdef const float_t** rows = ptrs + Kv + Kh
    cdef float_t* ring = <float_t*>(<char*>tbuf + 2 * DROWS * pad * sizeof(float_t) + 3 * rowb
                                    + _r64((Kv + Kh + DROWS + Kv) * sizeof(void*)))
    cdef Py_ssize_t NS = DROWS + Kv - 1
    cdef Py_ssize_t fresh = y0 + Kv - 1 if last[0] == t - 1 and y0 > 0 else y0
    y1 = H if H - y0 < DROWS else y0 + DROWS
    last[0] = t
    for y in range(y0, y1 + Kv - 1):
        r = rowtab[y]
        if r < 0:
            rows[y - y0] = cvrow
        elif Lp > 0:
            if y >= fresh:
                memcpy(ring + (y % NS) * Lp, px + r * W, W * sizeof(float_t))
            rows[y - y0] = ring + (y % NS) * Lp
        else:
            rows[y - y0] = px + r * W
    x0 = 0
    while x0 < W:  # both column passes, strip by strip: each source strip read once
        n = W - x0 if W - x0 < strip else strip
        for y in range(y0, y1):
            for k in range(Kv):
                ptrs[k] = rows[y - y0 + k] + x0
            if sc0 != 0 and sc1 != 0:
                if float_t is float:
                    pyd_col2_f32(ptrs, Kv, sc0, wc0, sc1, wc1, n, P0 + (y - y0) * pad + lo + x0,
                                 P1 + (y - y0) * pad + lo + x0)
                else:
                    pyd_col2_f64(ptrs, Kv, sc0, wc0, sc1, wc1, n, P0 + (y - y0) * pad + lo + x0,
                                 P1 + (y - y0) * pad + lo + x0)
            else:
                _line(ptrs, Kv, sc0, wc0, n, P0 + (y - y0) * pad + lo + x0)
                _line(ptrs, Kv, sc1, wc1, n, P1 + (y - y0) * pad + lo + x0)
        x0 += n
    for y in range(y0, y1):  # row passes and the combine, SEG_BYTES of outputs at a time
        _extend(P0 + (y - y0) * pad, W, coltab, Kh, cv)
        _extend(P1 + (y - y0) * pad, W, coltab, Kh, cv)
        x0 = 0
        if float_t is float:  # both row passes and the combine in registers where it applies
            j = 0
            if stream:  # from the first 64-byte boundary of the output row
                j = ((64 - (<size_t>(po + y * W) & 63)) & 63) // sizeof(float_t)
                if (<size_t>(po + y * W) & 3) or j > W:
                    j = W
            n = pyd_row2_f32(P0 + (y - y0) * pad + j, P1 + (y - y0) * pad + j, Kh, sr0, wr0,
                             sr1, wr1, W - j, op, po + y * W + j, stream)
            if n > 0:
                _rowsegs(P0 + (y - y0) * pad, P1 + (y - y0) * pad, 0, j, Kh, sr0, wr0, sr1,
                         wr1, op, seg, ptrs, T0, T1, po + y * W, stream)
                x0 = j + n
        _rowsegs(P0 + (y - y0) * pad, P1 + (y - y0) * pad, x0, W, Kh, sr0, wr0, sr1, wr1, op,
                 seg, ptrs, T0, T1, po + y * W, stream)
    if stream:
        pyd_sfence()


cdef inline void _rowsegs(float_t* p0, float_t* p1, Py_ssize_t x0, Py_ssize_t x1,
                          Py_ssize_t Kh, int sr0, const float_t* wr0, int sr1,
                          const float_t* wr1, int op, Py_ssize_t seg, const float_t** ptrs,
                          float_t* T0, float_t* T1, float_t* orow, int stream) noexcept nogil:
    """Outputs x0 .. x1 of one row: both row passes a segment at a time into T0 / T1, then
    the combine into ``orow``."""
    cdef Py_ssize_t n
    while x0 < x1:
        n = x1 - x0 if x1 - x0 < seg else seg
        _rowseg(p0 + x0, Kh, sr0, wr0, n, ptrs, T0)
        _rowseg(p1 + x0, Kh, sr1, wr1, n, ptrs, T1)
        if float_t is float:
            pyd_combine_f32(T0, T1, n, op, orow + x0, stream)
        else:
            pyd_combine_f64(T0, T1, n, op, orow + x0, stream)
        x0 += n


def fused2(const float_t[:, ::1] x, float_t[:, ::1] out, const float_t[::1] wc0, int sc0,
           const float_t[::1] wr0, int sr0, const float_t[::1] wc1, int sc1,
           const float_t[::1] wr1, int sr1, int mode, double cval, int op, int n_threads,
           Py_ssize_t t0, Py_ssize_t t1):
    """Two separable terms of ``x`` combined into ``out`` (see the module header):
    tasks ``t0 <= t < min(t1, T)`` (bands of DROWS rows); returns T."""
    cdef Py_ssize_t H = x.shape[0], W = x.shape[1], Kv = wc0.shape[0], Kh = wr0.shape[0]
    cdef Py_ssize_t i, t, T = _cdiv(H, DROWS) if W > 0 else 0, sz = sizeof(float_t)
    if wc1.shape[0] != Kv or wr1.shape[0] != Kh or not (Kv & 1) or not (Kh & 1):
        raise ValueError("fused2: column / row weights must share one odd length each")
    if out.shape[0] != H or out.shape[1] != W:
        raise ValueError("fused2: `out` must have the shape of `x`")
    if op != 0 and op != 1:
        raise ValueError(f"fused2: `op`={op} must be 0 (magnitude) or 1 (sum)")
    if t1 > T:
        t1 = T
    if t0 < 0:
        t0 = 0
    if t0 >= t1:
        return T
    # padded intermediate row: Kh - 1 border elements + whole vectors past the end
    cdef Py_ssize_t pad = _r64((W + Kh - 1) * sz + 128) // sz
    cdef Py_ssize_t rowb = _r64(W * sz + 64)
    cdef Py_ssize_t Lp = _r64(W * sz) // sz + 64 // sz
    cdef Py_ssize_t ring = (DROWS + Kv - 1) * Lp * sz
    if ring > RING_MAX:
        Lp = 0
        ring = 0
    cdef Py_ssize_t per = _r64(2 * DROWS * pad * sz + 3 * rowb
                               + _r64((Kv + Kh + DROWS + Kv) * sizeof(void*)) + ring)
    cdef float_t cv = <float_t>cval
    cdef int stream = H * W * sz >= STREAM_MIN
    cdef Py_ssize_t* rowtab = <Py_ssize_t*>malloc((H + Kv) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* coltab = <Py_ssize_t*>malloc((W + Kh) * sizeof(Py_ssize_t))
    cdef char* raw = <char*>malloc(n_threads * per + 64)
    cdef Py_ssize_t* lasts = <Py_ssize_t*>malloc(n_threads * sizeof(Py_ssize_t))
    cdef char* bufs
    cdef float_t* row
    if rowtab == NULL or coltab == NULL or raw == NULL or lasts == NULL:
        free(rowtab)
        free(coltab)
        free(raw)
        free(lasts)
        raise MemoryError()
    bufs = raw + (64 - (<size_t>raw & 63))  # 64-byte aligned per-thread buffers
    for i in range(H + Kv):
        rowtab[i] = boundary_index(i - Kv // 2, H, mode)
    for i in range(W + Kh):
        coltab[i] = boundary_index(i - Kh // 2, W, mode)
    for t in range(n_threads):
        lasts[t] = -2
        row = <float_t*>(bufs + t * per) + 2 * DROWS * pad
        for i in range(W):
            row[i] = cv
    cdef const float_t* px = &x[0, 0]
    cdef float_t* po = &out[0, 0]
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, schedule="guided", num_threads=n_threads):
                _task(t, px, po, H, W, rowtab, coltab, Kv, Kh, &wc0[0], sc0, &wr0[0], sr0,
                      &wc1[0], sc1, &wr1[0], sr1, cv, op, pad, Lp,
                      stream, bufs + pyc_thread_num() * per, lasts + pyc_thread_num())
        else:
            for t in range(t0, t1):
                _task(t, px, po, H, W, rowtab, coltab, Kv, Kh, &wc0[0], sc0, &wr0[0], sr0,
                      &wc1[0], sc1, &wr1[0], sr1, cv, op, pad, Lp, stream, bufs,
                      lasts)
    free(rowtab)
    free(coltab)
    free(raw)
    free(lasts)
    return T
