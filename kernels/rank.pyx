# Min/max and rank filter kernels: the native side of pycompute.rank.
#
# Every kernel takes the same arguments as its Numba twin (pycompute/_numba/rank.py),
# the thread count last:
#
#     minmax1d(x, out, size, lo, mode, cval, minimum, harter, n_threads, t0, t1)
#     minmax2d(x, out, ky, loy, modey, kx, lox, modex, cval, minimum, flag, n_threads, t0, t1)
#     minmax_fp(x, out, offs, mode, cval, minimum, n_threads, t0, t1)
#     rank_fp(x, out, offs, rank, mode, cval, n_threads, t0, t1)
#     rank_net(x, out, offs, net, sel, mode, cval, n_threads, t0, t1)
#     median_box(x, out, k, oz, oy, ox, mode, cval, n_threads, t0, t1)
#
# Each runs its tasks ``t0 <= t < min(t1, T)`` and returns T, its task count for the
# call (``t1 == 0``: no work): pycompute._cancel.run_tasks calls a long filter in
# slices of about 50 ms, so Ctrl-C and aio cancellation stop it between slices. A task
# writes its own outputs only (lines, row chunks, output row chunks) and reads only the
# input (and scratch it fills itself), so any cut gives the same bits as one call.
#
# ``x`` and ``out`` are C-contiguous arrays of the same dtype (the dispatcher only
# sends dtypes whose values scipy's float64 line buffers hold exactly: float32/64,
# (u)int8/16/32): (A, N, B) for minmax1d (filter axis N), (D, H, W) for the footprint
# kernels. ``offs`` (k, 3) int64: the footprint's True cells in C order (scipy's
# offset order), relative to the window's centre and origin. ``cval`` arrives as a
# double that the dispatcher checked is exactly a value of the dtype.
#
# Semantics (scipy.ndimage 1.17, ni_filters.c), bit for bit:
# * minmax1d, harter == 0 (no NaN anywhere): van Herk / Gil-Werman, three
#   comparisons per output whatever the window. scipy's sliding-window deque
#   (Harter) returns, of the window's minimal values, the LAST one (ties replace);
#   the blocks below combine as ``left < right ? left : right`` (min), which keeps
#   the rightmost on ties, so -0.0 / +0.0 come out as scipy's. Windows of at most
#   DIRECT_MAX run the direct left-to-right fold (same combine).
# * minmax1d, harter == 1 (the data or cval hold a NaN): scipy's deque, statement
#   for statement, per line (a NaN in it acts as the barrier scipy's comparisons make).
# * minmax_fp: NI_MinOrMaxFilter: res = first tap; ``if (tmp < res) res = tmp`` in
#   offset order (a NaN first tap stays; later NaNs are skipped).
# * rank_fp: NI_RankFilter: the taps gathered in offset order, then scipy's
#   NI_Select (Hoare quickselect, first element as pivot), iteratively; so NaN and
#   signed zeros give scipy's answers.
# * rank_net: a selection network (compare-exchange pairs, ``net`` (m, 3): i, j, op;
#   op 0 exchange, 1 only min to i, 2 only max to j), wire ``sel`` is the answer.
#   The dispatcher uses it only where every order statistic is one bit pattern
#   (integers; floats without NaN and without -0.0). The medians of 9 and 25 taps run
#   the same networks unrolled with every value in a register (_median9, _median25,
#   generated from pycompute.rank._network).
# * median_box (same condition): the median of a full 3 x 3 or 5 x 5 box in one
#   plane. The columns whose windows stay inside the rows read the image rows in
#   place: 3 x 3 four output rows a pass (pyc_med3x4; pairs, pyc_med3x2, for the last
#   rows of a band) from each row's three neighbours sorted in registers; 5 x 5 two
#   output rows a pass from each input row's five neighbours
#   sorted once (pyc_hsort5) and shared by the five outputs that read it, then the
#   circuit pyc_med5x2 (rank 6 of the 13 cells that can hold the median; written by
#   kernels/gen_median5.py from pycompute.rank._med5_circuits). The edge columns,
#   and bands with a row of cval, one row or fewer than PYC_VB such columns, go
#   through border-extended lines: the 3 x 3 sorts each column once and shares it
#   between neighbouring windows (_median3x3), the 5 x 5 runs the 25-tap network on
#   shifted copies (_median25).
# * rank_hist: element ``rank`` of a full box in one plane of uint8 or uint16 input
#   (any rank; the dispatcher uses it for boxes past the networks' NET_MAX cells):
#   Huang's sliding histogram along each output row, from lines border-extended once
#   a task; 16-bit values in two levels (the high byte, then the value).
#   Integers: the rank-th value is one bit pattern, scipy's answer.
#
# Vectorization (GCC report, PYCOMPUTE_VEC_REPORT=1, avx512 level): the row combines
# (pyc_comb, pyc_comb_to, pyc_comb3, pyc_comb4 in C, the footprint taps, the network's
# min/max rows) vectorize with 64-byte vectors (16 x float32 vminps/vmaxps, 64 x uint8
# vpminub ...); tests/test_rank_vectorized.py checks the C ones in each level's
# assembly. The row pass
# of minmax1d (B > 1, the filter along an outer axis) works on whole row chunks as
# vectors; the line pass (B == 1) combines by doubling along the line (log2(K) vector
# sweeps over one L1-resident line, faster than the scalar van Herk recurrences up
# to DOUBLING_MAX); longer windows transpose L lines (one 64-byte vector of lanes)
# into an (N, L) tile per thread, run the row pass on it, and transpose back.
#
# Parallelism: ``with nogil, parallel(num_threads=n)`` + ``prange`` over tasks cut from
# the shape alone (rank_fp: and the window's cell count, _sel_chunk); every output is
# computed by one task in a fixed order, so results are identical at any thread count
# and however a call's tasks are cut into slices.
from cython.parallel cimport parallel, prange
from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t,
                          uintptr_t)
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset

from _boundary cimport boundary_index

cdef extern from * nogil:
    """
    /* 3 x 3 box medians straight from three image rows (median_box's interior columns):
     * each row's three neighbours sorted in registers (lo, mid, hi), the median is
     * med3(max of the lows, med3 of the mids, min of the highs). Two output rows at a
     * time share rows 1 and 2: 44 min/max, 12 loads and 2 stores for 2 outputs, no
     * scratch lines (the shared-column _median3x3 stores and reloads three: 18 min/max,
     * 12 loads and 4 stores an output). C for ``restrict``: 6 row pointers are past
     * GCC's alias-check limit, and the loop ran scalar without it. A min/max circuit,
     * exact by the 0-1 principle; used where every order statistic is one bit pattern.
     * Not inlined: a call a row pair, and tests/test_rank_vectorized.py finds them by name. */
    #if defined(__GNUC__)
    #define PYC_NOINLINE __attribute__((noinline))
    #else
    #define PYC_NOINLINE
    #endif
    #define PYC_MN(a, b) ((b) < (a) ? (b) : (a))
    #define PYC_MX(a, b) ((a) < (b) ? (b) : (a))
    #define PYC_SORT3(T, r, j, lo, md, hi) do {                                   \
            T a_ = (r)[j], b_ = (r)[(j) + 1], c_ = (r)[(j) + 2];                   \
            T s_ = PYC_MN(a_, b_), t_ = PYC_MX(a_, b_), u_ = PYC_MX(s_, c_);       \
            lo = PYC_MN(s_, c_); md = PYC_MN(t_, u_); hi = PYC_MX(t_, u_);         \
        } while (0)
    #define PYC_MED3(T, p, q, r) PYC_MX(PYC_MN(p, q), PYC_MN(PYC_MX(p, q), r))
    #define PYC_MED3_PAIR(T, la, ma, ha, lb, mb, hb, lc, mc, hc, ld, md, hd, o0, o1, j) do { \
            T lo = PYC_MX(lb, lc), hi = PYC_MN(hb, hc);                            \
            T ml = PYC_MN(mb, mc), mh = PYC_MX(mb, mc);                            \
            T p = PYC_MX(lo, la), r = PYC_MN(hi, ha), q = PYC_MX(ml, PYC_MN(mh, ma)); \
            (o0)[j] = PYC_MED3(T, p, q, r);                                        \
            p = PYC_MX(lo, ld); r = PYC_MN(hi, hd); q = PYC_MX(ml, PYC_MN(mh, md)); \
            (o1)[j] = PYC_MED3(T, p, q, r);                                        \
        } while (0)
    #define PYC_MED3_ROWS(sfx, T)                                                  \
    static PYC_NOINLINE void pyc_med3x2_##sfx(const T *restrict r0,               \
                                 const T *restrict r1,                             \
                                 const T *restrict r2, const T *restrict r3,       \
                                 T *restrict o0, T *restrict o1, Py_ssize_t n) {   \
        for (Py_ssize_t j = 0; j < n; j++) {                                       \
            T l0, m0, h0, l1, m1, h1, l2, m2, h2, l3, m3, h3;                      \
            PYC_SORT3(T, r0, j, l0, m0, h0);                                       \
            PYC_SORT3(T, r1, j, l1, m1, h1);                                       \
            PYC_SORT3(T, r2, j, l2, m2, h2);                                       \
            PYC_SORT3(T, r3, j, l3, m3, h3);                                       \
            PYC_MED3_PAIR(T, l0, m0, h0, l1, m1, h1, l2, m2, h2, l3, m3, h3, o0, o1, j); \
        }                                                                          \
    }
    PYC_MED3_ROWS(f32, float)
    PYC_MED3_ROWS(f64, double)
    PYC_MED3_ROWS(i8, int8_t)
    PYC_MED3_ROWS(i16, int16_t)
    PYC_MED3_ROWS(i32, int32_t)
    PYC_MED3_ROWS(u8, uint8_t)
    PYC_MED3_ROWS(u16, uint16_t)
    PYC_MED3_ROWS(u32, uint32_t)
    /* Four output rows a step from six image rows: the pair above twice (rows 0-3, then
     * 2-5), each row's sort shared; 72 min/max, 18 loads, 4 stores for 4 outputs (the
     * pair: 84, 24, 4). Measured on Zen 5, 4096^2, 2 threads, against pairs alone:
     * uint8 -14%, float32 -24% at the AVX-512 level (32 vector registers); at AVX2
     * float32 -10%, uint8 within 3% (spills). */
    #define PYC_MED3_ROWS4(sfx, T)                                                 \
    static PYC_NOINLINE void pyc_med3x4_##sfx(const T *restrict r0,               \
            const T *restrict r1, const T *restrict r2, const T *restrict r3,      \
            const T *restrict r4, const T *restrict r5, T *restrict o0,            \
            T *restrict o1, T *restrict o2, T *restrict o3, Py_ssize_t n) {        \
        for (Py_ssize_t j = 0; j < n; j++) {                                       \
            T l0, m0, h0, l1, m1, h1, l2, m2, h2, l3, m3, h3, l4, m4, h4, l5, m5, h5; \
            PYC_SORT3(T, r0, j, l0, m0, h0);                                       \
            PYC_SORT3(T, r1, j, l1, m1, h1);                                       \
            PYC_SORT3(T, r2, j, l2, m2, h2);                                       \
            PYC_SORT3(T, r3, j, l3, m3, h3);                                       \
            PYC_SORT3(T, r4, j, l4, m4, h4);                                       \
            PYC_SORT3(T, r5, j, l5, m5, h5);                                       \
            PYC_MED3_PAIR(T, l0, m0, h0, l1, m1, h1, l2, m2, h2, l3, m3, h3, o0, o1, j); \
            PYC_MED3_PAIR(T, l2, m2, h2, l3, m3, h3, l4, m4, h4, l5, m5, h5, o2, o3, j); \
        }                                                                          \
    }
    PYC_MED3_ROWS4(f32, float)
    PYC_MED3_ROWS4(f64, double)
    PYC_MED3_ROWS4(i8, int8_t)
    PYC_MED3_ROWS4(i16, int16_t)
    PYC_MED3_ROWS4(i32, int32_t)
    PYC_MED3_ROWS4(u8, uint8_t)
    PYC_MED3_ROWS4(u16, uint16_t)
    PYC_MED3_ROWS4(u32, uint32_t)

    /* 5 x 5 box medians of the columns whose windows stay inside the rows (median_box,
     * both backends; written by kernels/gen_median5.py from pycompute.rank's
     * _med5_circuits). Each input row's five neighbours are sorted
     * once (pyc_hsort5: 18 min/max) into five lines PYC_M5LS apart, which the five
     * output rows that read the row share; a band's rows' lines follow each other, so
     * the 30 lines an output pair reads sit at constant offsets from one pointer (a
     * ring of six rows, at run-time offsets, kept 30 pointers live and spilled them).
     * Of the 5 x 5 matrix of sorted rows, sorted again by column, only 13 cells can be the median (rank 12 of 25 has 6 cells
     * below it and 6 above): the ranks 3-4 of the rows' minima, 2-4 of their second
     * values, 1-3 of their middles, 0-2 of their fourths, 0-1 of their maxima; the
     * median is rank 6 of those 13. pyc_med5x2 computes two output rows at a time: the
     * four rows they share are sorted once per column, and each output inserts its own
     * fifth (rank k of x and sorted w: max(w[k-1], min(x, w[k]))). The rank-6 network
     * on the 13 (_MED13: 22 comparators, 32 min/max) is Batcher's pruned to what the
     * 162 0/1 patterns these 13 cells can take need; tests/test_rank.py checks the
     * whole circuit on all 2^25 0/1 windows (the 0-1 principle: then on every input).
     * 76 min/max an output plus the shared row sorts, where the 25-tap network
     * (_median25) takes ~190. */
    #define PYC_M5LS 528
    /* BEGIN generated PYC_MED5_ROWS (kernels/gen_median5.py) */
    #define PYC_MED5_ROWS(sfx, T)                                                               \
    static PYC_NOINLINE void pyc_hsort5_##sfx(const T *restrict r, T *restrict s, Py_ssize_t n) {\
        for (Py_ssize_t j = 0; j < n; j++) {                                                    \
            T x0 = r[j + 0];                                                                    \
            T x1 = r[j + 1];                                                                    \
            T x2 = r[j + 2];                                                                    \
            T x3 = r[j + 3];                                                                    \
            T x4 = r[j + 4];                                                                    \
            T t0 = PYC_MN(x0, x1);                                                              \
            T t1 = PYC_MX(x0, x1);                                                              \
            T t2 = PYC_MN(x3, x4);                                                              \
            T t3 = PYC_MX(x3, x4);                                                              \
            T t4 = PYC_MN(x2, t3);                                                              \
            T t5 = PYC_MX(x2, t3);                                                              \
            T t6 = PYC_MN(t4, t2);                                                              \
            T t7 = PYC_MX(t4, t2);                                                              \
            T t8 = PYC_MN(t0, t7);                                                              \
            T t9 = PYC_MX(t0, t7);                                                              \
            T t10 = PYC_MN(t8, t6);                                                             \
            T t11 = PYC_MX(t8, t6);                                                             \
            T t12 = PYC_MN(t1, t5);                                                             \
            T t13 = PYC_MX(t1, t5);                                                             \
            T t14 = PYC_MN(t12, t9);                                                            \
            T t15 = PYC_MX(t12, t9);                                                            \
            T t16 = PYC_MN(t14, t11);                                                           \
            T t17 = PYC_MX(t14, t11);                                                           \
            s[0 * PYC_M5LS + j] = t10;                                                          \
            s[1 * PYC_M5LS + j] = t16;                                                          \
            s[2 * PYC_M5LS + j] = t17;                                                          \
            s[3 * PYC_M5LS + j] = t15;                                                          \
            s[4 * PYC_M5LS + j] = t13;                                                          \
        }                                                                                       \
    }                                                                                           \
    static PYC_NOINLINE void pyc_med5x2_##sfx(const T *restrict q, T *restrict o0, T *restrict o1, Py_ssize_t n) {\
        for (Py_ssize_t j = 0; j < n; j++) {                                                    \
            T s00 = q[0 * PYC_M5LS + j];                                                        \
            T s01 = q[1 * PYC_M5LS + j];                                                        \
            T s02 = q[2 * PYC_M5LS + j];                                                        \
            T s03 = q[3 * PYC_M5LS + j];                                                        \
            T s04 = q[4 * PYC_M5LS + j];                                                        \
            T s10 = q[5 * PYC_M5LS + j];                                                        \
            T s11 = q[6 * PYC_M5LS + j];                                                        \
            T s12 = q[7 * PYC_M5LS + j];                                                        \
            T s13 = q[8 * PYC_M5LS + j];                                                        \
            T s14 = q[9 * PYC_M5LS + j];                                                        \
            T s20 = q[10 * PYC_M5LS + j];                                                       \
            T s21 = q[11 * PYC_M5LS + j];                                                       \
            T s22 = q[12 * PYC_M5LS + j];                                                       \
            T s23 = q[13 * PYC_M5LS + j];                                                       \
            T s24 = q[14 * PYC_M5LS + j];                                                       \
            T s30 = q[15 * PYC_M5LS + j];                                                       \
            T s31 = q[16 * PYC_M5LS + j];                                                       \
            T s32 = q[17 * PYC_M5LS + j];                                                       \
            T s33 = q[18 * PYC_M5LS + j];                                                       \
            T s34 = q[19 * PYC_M5LS + j];                                                       \
            T s40 = q[20 * PYC_M5LS + j];                                                       \
            T s41 = q[21 * PYC_M5LS + j];                                                       \
            T s42 = q[22 * PYC_M5LS + j];                                                       \
            T s43 = q[23 * PYC_M5LS + j];                                                       \
            T s44 = q[24 * PYC_M5LS + j];                                                       \
            T s50 = q[25 * PYC_M5LS + j];                                                       \
            T s51 = q[26 * PYC_M5LS + j];                                                       \
            T s52 = q[27 * PYC_M5LS + j];                                                       \
            T s53 = q[28 * PYC_M5LS + j];                                                       \
            T s54 = q[29 * PYC_M5LS + j];                                                       \
            T t0 = PYC_MN(s10, s20);                                                            \
            T t1 = PYC_MX(s10, s20);                                                            \
            T t2 = PYC_MN(s30, s40);                                                            \
            T t3 = PYC_MX(s30, s40);                                                            \
            T t5 = PYC_MX(t0, t2);                                                              \
            T t6 = PYC_MN(t1, t3);                                                              \
            T t7 = PYC_MX(t1, t3);                                                              \
            T t9 = PYC_MX(t6, t5);                                                              \
            T t10 = PYC_MN(s00, t7);                                                            \
            T t11 = PYC_MX(t9, t10);                                                            \
            T t12 = PYC_MX(s00, t7);                                                            \
            T t13 = PYC_MN(s50, t7);                                                            \
            T t14 = PYC_MX(t9, t13);                                                            \
            T t15 = PYC_MX(s50, t7);                                                            \
            T t16 = PYC_MN(s11, s21);                                                           \
            T t17 = PYC_MX(s11, s21);                                                           \
            T t18 = PYC_MN(s31, s41);                                                           \
            T t19 = PYC_MX(s31, s41);                                                           \
            T t21 = PYC_MX(t16, t18);                                                           \
            T t22 = PYC_MN(t17, t19);                                                           \
            T t23 = PYC_MX(t17, t19);                                                           \
            T t24 = PYC_MN(t22, t21);                                                           \
            T t25 = PYC_MX(t22, t21);                                                           \
            T t26 = PYC_MN(s01, t25);                                                           \
            T t27 = PYC_MX(t24, t26);                                                           \
            T t28 = PYC_MN(s01, t23);                                                           \
            T t29 = PYC_MX(t25, t28);                                                           \
            T t30 = PYC_MX(s01, t23);                                                           \
            T t31 = PYC_MN(s51, t25);                                                           \
            T t32 = PYC_MX(t24, t31);                                                           \
            T t33 = PYC_MN(s51, t23);                                                           \
            T t34 = PYC_MX(t25, t33);                                                           \
            T t35 = PYC_MX(s51, t23);                                                           \
            T t36 = PYC_MN(s12, s22);                                                           \
            T t37 = PYC_MX(s12, s22);                                                           \
            T t38 = PYC_MN(s32, s42);                                                           \
            T t39 = PYC_MX(s32, s42);                                                           \
            T t40 = PYC_MN(t36, t38);                                                           \
            T t41 = PYC_MX(t36, t38);                                                           \
            T t42 = PYC_MN(t37, t39);                                                           \
            T t43 = PYC_MX(t37, t39);                                                           \
            T t44 = PYC_MN(t42, t41);                                                           \
            T t45 = PYC_MX(t42, t41);                                                           \
            T t46 = PYC_MN(s02, t44);                                                           \
            T t47 = PYC_MX(t40, t46);                                                           \
            T t48 = PYC_MN(s02, t45);                                                           \
            T t49 = PYC_MX(t44, t48);                                                           \
            T t50 = PYC_MN(s02, t43);                                                           \
            T t51 = PYC_MX(t45, t50);                                                           \
            T t52 = PYC_MN(s52, t44);                                                           \
            T t53 = PYC_MX(t40, t52);                                                           \
            T t54 = PYC_MN(s52, t45);                                                           \
            T t55 = PYC_MX(t44, t54);                                                           \
            T t56 = PYC_MN(s52, t43);                                                           \
            T t57 = PYC_MX(t45, t56);                                                           \
            T t58 = PYC_MN(s13, s23);                                                           \
            T t59 = PYC_MX(s13, s23);                                                           \
            T t60 = PYC_MN(s33, s43);                                                           \
            T t61 = PYC_MX(s33, s43);                                                           \
            T t62 = PYC_MN(t58, t60);                                                           \
            T t63 = PYC_MX(t58, t60);                                                           \
            T t64 = PYC_MN(t59, t61);                                                           \
            T t66 = PYC_MN(t64, t63);                                                           \
            T t67 = PYC_MX(t64, t63);                                                           \
            T t68 = PYC_MN(s03, t62);                                                           \
            T t69 = PYC_MN(s03, t66);                                                           \
            T t70 = PYC_MX(t62, t69);                                                           \
            T t71 = PYC_MN(s03, t67);                                                           \
            T t72 = PYC_MX(t66, t71);                                                           \
            T t73 = PYC_MN(s53, t62);                                                           \
            T t74 = PYC_MN(s53, t66);                                                           \
            T t75 = PYC_MX(t62, t74);                                                           \
            T t76 = PYC_MN(s53, t67);                                                           \
            T t77 = PYC_MX(t66, t76);                                                           \
            T t78 = PYC_MN(s14, s24);                                                           \
            T t79 = PYC_MX(s14, s24);                                                           \
            T t80 = PYC_MN(s34, s44);                                                           \
            T t81 = PYC_MX(s34, s44);                                                           \
            T t82 = PYC_MN(t78, t80);                                                           \
            T t83 = PYC_MX(t78, t80);                                                           \
            T t84 = PYC_MN(t79, t81);                                                           \
            T t86 = PYC_MN(t84, t83);                                                           \
            T t88 = PYC_MN(s04, t82);                                                           \
            T t89 = PYC_MN(s04, t86);                                                           \
            T t90 = PYC_MX(t82, t89);                                                           \
            T t91 = PYC_MN(s54, t82);                                                           \
            T t92 = PYC_MN(s54, t86);                                                           \
            T t93 = PYC_MX(t82, t92);                                                           \
            T t94 = PYC_MN(t30, t47);                                                           \
            T t95 = PYC_MX(t30, t47);                                                           \
            T t96 = PYC_MN(t72, t88);                                                           \
            T t97 = PYC_MX(t72, t88);                                                           \
            T t99 = PYC_MX(t11, t27);                                                           \
            T t100 = PYC_MN(t12, t29);                                                          \
            T t101 = PYC_MX(t12, t29);                                                          \
            T t102 = PYC_MN(t95, t51);                                                          \
            T t104 = PYC_MN(t100, t99);                                                         \
            T t105 = PYC_MX(t100, t99);                                                         \
            T t106 = PYC_MN(t102, t49);                                                         \
            T t107 = PYC_MX(t102, t49);                                                         \
            T t108 = PYC_MN(t104, t106);                                                        \
            T t109 = PYC_MX(t104, t106);                                                        \
            T t111 = PYC_MX(t105, t94);                                                         \
            T t112 = PYC_MN(t101, t109);                                                        \
            T t113 = PYC_MX(t101, t109);                                                        \
            T t114 = PYC_MN(t112, t111);                                                        \
            T t115 = PYC_MX(t112, t111);                                                        \
            T t116 = PYC_MN(t113, t107);                                                        \
            T t117 = PYC_MX(t113, t107);                                                        \
            T t118 = PYC_MN(t70, t96);                                                          \
            T t119 = PYC_MX(t70, t96);                                                          \
            T t120 = PYC_MN(t97, t90);                                                          \
            T t123 = PYC_MX(t108, t118);                                                        \
            T t124 = PYC_MN(t114, t120);                                                        \
            T t127 = PYC_MX(t115, t68);                                                         \
            T t128 = PYC_MN(t116, t123);                                                        \
            T t130 = PYC_MN(t117, t119);                                                        \
            T t133 = PYC_MX(t124, t128);                                                        \
            T t134 = PYC_MN(t130, t127);                                                        \
            T t137 = PYC_MX(t133, t134);                                                        \
            T t138 = PYC_MN(t35, t53);                                                          \
            T t139 = PYC_MX(t35, t53);                                                          \
            T t140 = PYC_MN(t77, t91);                                                          \
            T t141 = PYC_MX(t77, t91);                                                          \
            T t143 = PYC_MX(t14, t32);                                                          \
            T t144 = PYC_MN(t15, t34);                                                          \
            T t145 = PYC_MX(t15, t34);                                                          \
            T t146 = PYC_MN(t139, t57);                                                         \
            T t148 = PYC_MN(t144, t143);                                                        \
            T t149 = PYC_MX(t144, t143);                                                        \
            T t150 = PYC_MN(t146, t55);                                                         \
            T t151 = PYC_MX(t146, t55);                                                         \
            T t152 = PYC_MN(t148, t150);                                                        \
            T t153 = PYC_MX(t148, t150);                                                        \
            T t155 = PYC_MX(t149, t138);                                                        \
            T t156 = PYC_MN(t145, t153);                                                        \
            T t157 = PYC_MX(t145, t153);                                                        \
            T t158 = PYC_MN(t156, t155);                                                        \
            T t159 = PYC_MX(t156, t155);                                                        \
            T t160 = PYC_MN(t157, t151);                                                        \
            T t161 = PYC_MX(t157, t151);                                                        \
            T t162 = PYC_MN(t75, t140);                                                         \
            T t163 = PYC_MX(t75, t140);                                                         \
            T t164 = PYC_MN(t141, t93);                                                         \
            T t167 = PYC_MX(t152, t162);                                                        \
            T t168 = PYC_MN(t158, t164);                                                        \
            T t171 = PYC_MX(t159, t73);                                                         \
            T t172 = PYC_MN(t160, t167);                                                        \
            T t174 = PYC_MN(t161, t163);                                                        \
            T t177 = PYC_MX(t168, t172);                                                        \
            T t178 = PYC_MN(t174, t171);                                                        \
            T t181 = PYC_MX(t177, t178);                                                        \
            o0[j] = t137;                                                                       \
            o1[j] = t181;                                                                       \
        }                                                                                       \
    }
    /* END generated PYC_MED5_ROWS */
    PYC_MED5_ROWS(f32, float)
    PYC_MED5_ROWS(f64, double)
    PYC_MED5_ROWS(i8, int8_t)
    PYC_MED5_ROWS(i16, int16_t)
    PYC_MED5_ROWS(i32, int32_t)
    PYC_MED5_ROWS(u8, uint8_t)
    PYC_MED5_ROWS(u16, uint16_t)
    PYC_MED5_ROWS(u32, uint32_t)
    /* One entry per loop, the dtype by code (_tcode): f32 f64 i8 i16 i32 u8 u16 u32. */
    #define PYC_BY_TYPE(tc, CALL) switch (tc) {                                      \
        case 0: CALL(f32, float); break;     case 1: CALL(f64, double); break;       \
        case 2: CALL(i8, int8_t); break;     case 3: CALL(i16, int16_t); break;      \
        case 4: CALL(i32, int32_t); break;   case 5: CALL(u8, uint8_t); break;       \
        case 6: CALL(u16, uint16_t); break;  default: CALL(u32, uint32_t); break; }
    /* A loop over n >= PYC_VB columns: its last n % PYC_VB run as one more block of
     * PYC_VB ending at n, which overlaps the columns before it (each output a function
     * of the input alone: the same values written again). GCC's scalar remainder took
     * up to 63 columns of 100-150 scalar min/max each, as long as the whole vector
     * part of a 512-column chunk. PYC_VB: 64 elements, a whole number of vectors of
     * every dtype. */
    #define PYC_VB 64
    #define PYC_TAILED(n, ...) do {                                                   \
        Py_ssize_t a_ = 0, m_ = (n) - (n) % PYC_VB;                                  \
        __VA_ARGS__;                                                                 \
        if (m_ < (n)) { a_ = (n) - PYC_VB; m_ = PYC_VB; __VA_ARGS__; }               \
    } while (0)
    static void pyc_med3x2(int tc, const void *r0, const void *r1, const void *r2,
                           const void *r3, void *o0, void *o1, Py_ssize_t n) {
        #define PYC_CALL(sfx, T) PYC_TAILED(n, pyc_med3x2_##sfx((const T *)r0 + a_,  \
            (const T *)r1 + a_, (const T *)r2 + a_, (const T *)r3 + a_, (T *)o0 + a_,  \
            (T *)o1 + a_, m_))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_med3x4(int tc, const void *const *r, void *const *o, Py_ssize_t n) {
        #define PYC_CALL(sfx, T) PYC_TAILED(n, pyc_med3x4_##sfx((const T *)r[0] + a_, \
            (const T *)r[1] + a_, (const T *)r[2] + a_, (const T *)r[3] + a_,       \
            (const T *)r[4] + a_, (const T *)r[5] + a_, (T *)o[0] + a_, (T *)o[1] + a_, \
            (T *)o[2] + a_, (T *)o[3] + a_, m_))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_hsort5(int tc, const void *r, void *s, Py_ssize_t n) {
        #define PYC_CALL(sfx, T) PYC_TAILED(n, pyc_hsort5_##sfx((const T *)r + a_,   \
            (T *)s + a_, m_))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_med5x2(int tc, const void *q, void *o0, void *o1, Py_ssize_t n) {
        #define PYC_CALL(sfx, T) PYC_TAILED(n, pyc_med5x2_##sfx((const T *)q + a_,   \
            (T *)o0 + a_, (T *)o1 + a_, m_))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    /* The row combines of the min/max filters (_comb, _comb_to, _comb3), each run as
     * PYC_ALIGNED blocks: NumPy's large arrays start 16 bytes past a cache line, so a
     * loop from element 0 read every 64-byte vector of an image row across two lines
     * (measured on Zen 5, 4096^2 uint8 3 x 3, one thread: 1.45 ms, 1.05 at offset 0).
     * The first block, one vector long, reaches the first 64-byte boundary of ``ref``
     * (the row read from memory); the middle runs from there; the last block ends at n
     * and overlaps the one before. Recomputing an output is harmless: each is a
     * function of inputs the combine does not write (``r`` in place: combine(combine(r,
     * s), s) is combine(r, s)). Rows shorter than PYC_VB run as one loop. The typed
     * loops are not inlined: tests/test_rank_vectorized.py finds them by name. */
    #define PYC_ALIGNED(n, ref, T, CALL) do {                                         \
        Py_ssize_t n_ = (n), a_ = 0, m_ = n_, h_;                                    \
        if (n_ >= PYC_VB) {                                                          \
            h_ = (Py_ssize_t)((((uintptr_t)0 - (uintptr_t)(ref)) & 63) / sizeof(T)); \
            if (h_) { m_ = 64 / sizeof(T); CALL; }                                   \
            a_ = h_; m_ = (n_ - h_) - (n_ - h_) % PYC_VB;                            \
            if (m_) CALL;                                                            \
            if (a_ + m_ < n_) { a_ = n_ - PYC_VB; m_ = PYC_VB; CALL; }               \
        } else CALL;                                                                 \
    } while (0)
    #define PYC_MNT(a, b) ((a) < (b) ? (a) : (b))   /* ties and NaN: the later, b */
    #define PYC_MXT(a, b) ((a) > (b) ? (a) : (b))
    #define PYC_COMB_ROWS(sfx, T)                                                     \
    static PYC_NOINLINE void pyc_comb_##sfx(T *r, const T *s, Py_ssize_t n, int mn) { \
        if (mn) for (Py_ssize_t i = 0; i < n; i++) r[i] = PYC_MNT(r[i], s[i]);       \
        else for (Py_ssize_t i = 0; i < n; i++) r[i] = PYC_MXT(r[i], s[i]);          \
    }                                                                                \
    static PYC_NOINLINE void pyc_comb_to_##sfx(T *d, const T *a, const T *b,         \
                                               Py_ssize_t n, int mn) {               \
        if (mn) for (Py_ssize_t i = 0; i < n; i++) d[i] = PYC_MNT(a[i], b[i]);       \
        else for (Py_ssize_t i = 0; i < n; i++) d[i] = PYC_MXT(a[i], b[i]);          \
    }                                                                                \
    static PYC_NOINLINE void pyc_comb3_##sfx(T *d, const T *a, const T *b, const T *c, \
                                             Py_ssize_t n, int mn) {                 \
        if (mn) for (Py_ssize_t i = 0; i < n; i++) {                                 \
            T t = PYC_MNT(a[i], b[i]); d[i] = PYC_MNT(t, c[i]); }                    \
        else for (Py_ssize_t i = 0; i < n; i++) {                                    \
            T t = PYC_MXT(a[i], b[i]); d[i] = PYC_MXT(t, c[i]); }                    \
    }                                                                                \
    static PYC_NOINLINE void pyc_comb4_##sfx(T *d, const T *a, Py_ssize_t n, int mn) { \
        if (mn) for (Py_ssize_t i = 0; i < n; i++) {                                 \
            T t = PYC_MNT(a[i], a[i + 1]); t = PYC_MNT(t, a[i + 2]);                 \
            d[i] = PYC_MNT(t, a[i + 3]); }                                           \
        else for (Py_ssize_t i = 0; i < n; i++) {                                    \
            T t = PYC_MXT(a[i], a[i + 1]); t = PYC_MXT(t, a[i + 2]);                 \
            d[i] = PYC_MXT(t, a[i + 3]); }                                           \
    }
    PYC_COMB_ROWS(f32, float)
    PYC_COMB_ROWS(f64, double)
    PYC_COMB_ROWS(i8, int8_t)
    PYC_COMB_ROWS(i16, int16_t)
    PYC_COMB_ROWS(i32, int32_t)
    PYC_COMB_ROWS(u8, uint8_t)
    PYC_COMB_ROWS(u16, uint16_t)
    PYC_COMB_ROWS(u32, uint32_t)
    static void pyc_comb(int tc, void *r, const void *s, Py_ssize_t n, int mn) {
        #define PYC_CALL(sfx, T) PYC_ALIGNED(n, s, T, pyc_comb_##sfx((T *)r + a_,     \
            (const T *)s + a_, m_, mn))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_comb_to(int tc, void *d, const void *a, const void *b, Py_ssize_t n,
                            int mn) {
        #define PYC_CALL(sfx, T) PYC_ALIGNED(n, a, T, pyc_comb_to_##sfx((T *)d + a_,  \
            (const T *)a + a_, (const T *)b + a_, m_, mn))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_comb4(int tc, void *d, const void *a, Py_ssize_t n, int mn) {
        #define PYC_CALL(sfx, T) PYC_ALIGNED(n, a, T, pyc_comb4_##sfx((T *)d + a_,    \
            (const T *)a + a_, m_, mn))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    static void pyc_comb3(int tc, void *d, const void *a, const void *b, const void *c,
                          Py_ssize_t n, int mn) {
        #define PYC_CALL(sfx, T) PYC_ALIGNED(n, a, T, pyc_comb3_##sfx((T *)d + a_,    \
            (const T *)a + a_, (const T *)b + a_, (const T *)c + a_, m_, mn))
        PYC_BY_TYPE(tc, PYC_CALL)
        #undef PYC_CALL
    }
    """
    void pyc_med3x2(int tc, const void* r0, const void* r1, const void* r2, const void* r3,
                    void* o0, void* o1, Py_ssize_t n)
    void pyc_med3x4(int tc, const void* const* r, void* const* o, Py_ssize_t n)
    void pyc_hsort5(int tc, const void* r, void* s, Py_ssize_t n)
    void pyc_med5x2(int tc, const void* q, void* o0, void* o1, Py_ssize_t n)
    void pyc_comb(int tc, void* r, const void* s, Py_ssize_t n, int mn)
    void pyc_comb_to(int tc, void* d, const void* a, const void* b, Py_ssize_t n, int mn)
    void pyc_comb3(int tc, void* d, const void* a, const void* b, const void* c,
                   Py_ssize_t n, int mn)
    void pyc_comb4(int tc, void* d, const void* a, Py_ssize_t n, int mn)
    enum: PYC_M5LS
    enum: PYC_VB

ctypedef fused px_t:
    float
    double
    int8_t
    int16_t
    int32_t
    uint8_t
    uint16_t
    uint32_t

cdef enum:
    DIRECT_MAX = 4     # windows up to this length: direct fold (fewer operations than van Herk)
    ROW_CHUNK = 1024   # elements of a row per task in the row passes
    COL_CHUNK = 512    # output columns per task in the footprint kernels
    TILE_BYTES = 64    # lanes (bytes) of a transposed tile of lines: one 512-bit vector
    DOUBLING_MAX = 128  # line windows up to this: log2(K) doubling sweeps (vectorized)
    SEL_TAPS = 1 << 15  # rank_fp: taps per task at most (output columns x cells), ~1.5 ms
    FUSE_CHUNK_BYTES = 65536  # minmax2d: columns per task (whole rows of most images:
                              # a task's reads and writes stream through whole pages)
    FUSE_HBUF_BYTES = 1 << 18  # minmax2d: the van Herk suffix rows of a task, at most
    FUSE_ROWS = 128     # minmax2d: output rows per task, about (a multiple of the window)
    FUSE_KY_MAX = 256   # minmax2d: longest column window (its ky row buffers: L2-sized)
    BOX_ROWS = 16      # median_box 5 x 5: output rows per task (its input rows: + 4)
    BOX_LINE = COL_CHUNK + 64  # median_box: a border-extended line (COL_CHUNK + 4 at most)
    BOX3_ROWS = 16      # median_box 3 x 3: output rows per task
    BOX3_COLS = 4096    # median_box 3 x 3: columns per task (rows of most images, whole)
    BOX3_LINE = BOX3_COLS + 64  # median_box 3 x 3: a border-extended line, a sorted one
    HIST_ROWS = 8       # rank_hist: output rows per task
    HIST_COLS = 4096    # rank_hist: columns per task (rows of most images, whole)


cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline Py_ssize_t _band_rows(Py_ssize_t ky) noexcept nogil:
    """minmax2d's output rows per task: FUSE_ROWS, rounded up to whole van Herk blocks
    of ``ky`` rows (a band's last, partial block costs a whole block's suffix pass)."""
    if ky <= DIRECT_MAX:
        return FUSE_ROWS
    return ky * _cdiv(FUSE_ROWS, ky)


cdef inline Py_ssize_t _chunk_bytes(Py_ssize_t ky) noexcept nogil:
    """minmax2d's column chunk, in bytes: FUSE_CHUNK_BYTES (whole rows of most images),
    narrower for a van Herk column pass, whose ky suffix rows are read back once per
    output row: they stay within FUSE_HBUF_BYTES (in L2)."""
    cdef Py_ssize_t b
    if ky <= DIRECT_MAX:
        return FUSE_CHUNK_BYTES
    b = FUSE_HBUF_BYTES // ky
    return 4096 if b < 4096 else (FUSE_CHUNK_BYTES if b > FUSE_CHUNK_BYTES else b)


cdef struct Span2:
    Py_ssize_t z, i0, i1, c0, nc   # plane, rows i0 .. i1 - 1, columns c0 .. c0 + nc - 1


cdef inline Span2 _band_chunk(Py_ssize_t t, Py_ssize_t nbd, Py_ssize_t nch, Py_ssize_t R,
                              Py_ssize_t cw, Py_ssize_t H, Py_ssize_t W) noexcept nogil:
    """Task t of a (plane, band of R rows, chunk of cw columns) grid, chunks fastest
    (minmax2d, median_box). A struct, assigned in the prange body, so it is private
    there (an output through pointers would leave the locals shared)."""
    cdef Span2 g
    cdef Py_ssize_t r, b
    g.z = t // (nbd * nch)
    r = t - g.z * nbd * nch
    b = r // nch
    g.i0 = b * R
    g.i1 = g.i0 + R if g.i0 + R < H else H
    g.c0 = (r - b * nch) * cw
    g.nc = W - g.c0 if W - g.c0 < cw else cw
    return g


cdef inline bint _span(Py_ssize_t T, Py_ssize_t* t0, Py_ssize_t* t1) noexcept nogil:
    """Clamp a call's task range ``t0 <= t < t1`` to ``[0, T)``; False when it is empty."""
    if t1[0] > T:
        t1[0] = T
    if t0[0] < 0:
        t0[0] = 0
    return t0[0] < t1[0]


cdef inline Py_ssize_t _sel_chunk(Py_ssize_t k) noexcept nogil:
    """Output columns per rank_fp task: COL_CHUNK, fewer for windows of more than
    SEL_TAPS / COL_CHUNK (64) cells, so that a task (quickselect: 25-50 ns per cell and
    output) stays about 1.5 ms: a slice of a stoppable call (~50 ms) then holds many
    tasks, and the threads wait little for each other at its end (a task that is a
    large part of a slice would cost that part at every slice boundary)."""
    cdef Py_ssize_t c = SEL_TAPS // k
    return COL_CHUNK if c >= COL_CHUNK else (c if c > 0 else 1)


# ---------------------------------------------------------------- row combines

cdef inline int _tcode(const px_t* p) noexcept nogil:
    """The C loops' dtype code (PYC_BY_TYPE): f32 f64 i8 i16 i32 u8 u16 u32."""
    if px_t is float:
        return 0
    elif px_t is double:
        return 1
    elif px_t is int8_t:
        return 2
    elif px_t is int16_t:
        return 3
    elif px_t is int32_t:
        return 4
    elif px_t is uint8_t:
        return 5
    elif px_t is uint16_t:
        return 6
    else:
        return 7


cdef inline void _comb(px_t* r, const px_t* s, Py_ssize_t n, bint mn) noexcept nogil:
    """r = combine(r, s), ``r`` the earlier data: ties keep ``s`` (the later)."""
    pyc_comb(_tcode(r), r, s, n, mn)


cdef inline void _comb_to(px_t* d, const px_t* a, const px_t* b, Py_ssize_t n,
                          bint mn) noexcept nogil:
    """d = combine(a, b), ``a`` the earlier data."""
    pyc_comb_to(_tcode(d), d, a, b, n, mn)


cdef inline void _comb3(px_t* d, const px_t* a, const px_t* b, const px_t* c, Py_ssize_t n,
                        bint mn) noexcept nogil:
    """d = combine(combine(a, b), c) in one sweep (a window of 3 rows)."""
    pyc_comb3(_tcode(d), d, a, b, c, n, mn)


cdef inline void _fill(px_t* d, px_t v, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        d[i] = v


# ---------------------------------------------------------------- minmax1d

cdef inline const px_t* _row(const px_t* x, Py_ssize_t p, Py_ssize_t lo, Py_ssize_t N,
                             Py_ssize_t B, int mode, const px_t* crow) noexcept nogil:
    """Row at extended position ``p`` (source index p - lo), or the constant row."""
    cdef Py_ssize_t s = boundary_index(p - lo, N, mode)
    if s < 0:
        return crow
    return x + s * B


cdef void _rows_task(const px_t* x, px_t* o, Py_ssize_t N, Py_ssize_t B, Py_ssize_t nb,
                     Py_ssize_t K, Py_ssize_t lo, int mode, bint mn, px_t* hbuf, px_t* g,
                     const px_t* crow) noexcept nogil:
    """Filter along N of one (N, nb) column chunk (row stride B), whole rows as vectors.

    Van Herk: blocks of K extended positions; h = suffix combines within a block
    (K rows kept in ``hbuf``), g = running prefix combine of the next block;
    output i = combine(h[i], g[i + K - 1])."""
    cdef Py_ssize_t i, j, s, e, q
    if K == 3:
        for i in range(N):
            _comb3(o + i * B, _row(x, i, lo, N, B, mode, crow), _row(x, i + 1, lo, N, B, mode, crow),
                   _row(x, i + 2, lo, N, B, mode, crow), nb, mn)
        return
    if K <= DIRECT_MAX:
        for i in range(N):
            memcpy(o + i * B, _row(x, i, lo, N, B, mode, crow), nb * sizeof(px_t))
            for j in range(1, K):
                _comb(o + i * B, _row(x, i + j, lo, N, B, mode, crow), nb, mn)
        return
    s = 0
    while s < N:
        memcpy(hbuf + (K - 1) * nb, _row(x, s + K - 1, lo, N, B, mode, crow), nb * sizeof(px_t))
        for j in range(K - 2, -1, -1):
            _comb_to(hbuf + j * nb, _row(x, s + j, lo, N, B, mode, crow), hbuf + (j + 1) * nb,
                     nb, mn)
        memcpy(o + s * B, hbuf, nb * sizeof(px_t))
        e = s + K if s + K < N else N
        for i in range(s + 1, e):
            q = i + K - 1
            if i == s + 1:
                memcpy(g, _row(x, q, lo, N, B, mode, crow), nb * sizeof(px_t))
            else:
                _comb(g, _row(x, q, lo, N, B, mode, crow), nb, mn)
            _comb_to(o + i * B, hbuf + (i - s) * nb, g, nb, mn)
        s += K


cdef void _extend_line(const px_t* x, Py_ssize_t N, Py_ssize_t K, Py_ssize_t lo, int mode,
                       px_t cv, px_t* e) noexcept nogil:
    """e[p] = the border-extended line at p - lo, p < N + K - 1 (the interior copied)."""
    cdef Py_ssize_t P = N + K - 1, p, s, a, b
    a = lo if lo < P else P        # e[a:b] is x[0:N]
    b = lo + N if lo + N < P else P
    for p in range(a):
        s = boundary_index(p - lo, N, mode)
        e[p] = cv if s < 0 else x[s]
    if b > a:
        memcpy(e + a, x + (a - lo), (b - a) * sizeof(px_t))
    for p in range(b, P):
        s = boundary_index(p - lo, N, mode)
        e[p] = cv if s < 0 else x[s]


cdef void _lines_tile(const px_t* x, px_t* o, Py_ssize_t nl, Py_ssize_t N, Py_ssize_t K,
                      Py_ssize_t lo, int mode, bint mn, px_t* tin, px_t* tout, px_t* hbuf,
                      px_t* g, const px_t* crow, Py_ssize_t L) noexcept nogil:
    """``nl`` <= L contiguous lines filtered as the lanes of a transposed (N, L) tile, so the
    van Herk recurrences run on whole vectors (_rows_task); ``o`` may be ``x``."""
    cdef Py_ssize_t l, n
    cdef const px_t* src
    cdef px_t* dst
    for l in range(nl):
        src = x + l * N
        for n in range(N):
            tin[n * L + l] = src[n]
    _rows_task(tin, tout, N, L, nl, K, lo, mode, mn, hbuf, g, crow)
    for l in range(nl):
        dst = o + l * N
        for n in range(N):
            dst[n] = tout[n * L + l]


cdef void _line_task(const px_t* x, px_t* o, Py_ssize_t N, Py_ssize_t K, Py_ssize_t lo,
                     int mode, px_t cv, bint mn, px_t* e, px_t* h, px_t* g) noexcept nogil:
    """Filter one contiguous line (``o`` may be ``x``: the line is copied to ``e`` first)."""
    cdef Py_ssize_t P = N + K - 1, p, i, j
    _extend_line(x, N, K, lo, mode, cv, e)
    if K <= DOUBLING_MAX:
        _hline(e, h, g, o, N, K, mn)
        return
    # prefix combines g within blocks [mK, (m+1)K), suffix combines h
    for p in range(P):
        if p % K == 0:
            g[p] = e[p]
        elif mn:
            g[p] = g[p - 1] if g[p - 1] < e[p] else e[p]
        else:
            g[p] = g[p - 1] if g[p - 1] > e[p] else e[p]
    for p in range(P - 1, -1, -1):
        if p == P - 1 or (p + 1) % K == 0:
            h[p] = e[p]
        elif mn:
            h[p] = e[p] if e[p] < h[p + 1] else h[p + 1]
        else:
            h[p] = e[p] if e[p] > h[p + 1] else h[p + 1]
    _comb_to(o, h, g + K - 1, N, mn)


cdef void _harter_line(const px_t* x, px_t* o, Py_ssize_t N, Py_ssize_t B, Py_ssize_t K,
                       Py_ssize_t lo, int mode, px_t cv, bint mn, px_t* rv,
                       Py_ssize_t* rd) noexcept nogil:
    """scipy's NI_MinOrMaxFilter1D (Harter's deque) on one line of stride B."""
    cdef Py_ssize_t ll, s, minpair, last, P = N + K - 1
    cdef px_t val
    if K == 1:
        for ll in range(N):
            o[ll * B] = x[ll * B]
        return
    s = boundary_index(-lo, N, mode)
    minpair = 0
    rv[0] = cv if s < 0 else x[s * B]
    rd[0] = K
    last = 0
    for ll in range(1, P):
        s = boundary_index(ll - lo, N, mode)
        val = cv if s < 0 else x[s * B]
        if rd[minpair] == ll:
            minpair += 1
            if minpair >= K:
                minpair = 0
        if (mn and val <= rv[minpair]) or (not mn and val >= rv[minpair]):
            rv[minpair] = val
            rd[minpair] = ll + K
            last = minpair
        else:
            while (mn and rv[last] >= val) or (not mn and rv[last] <= val):
                if last == 0:
                    last = K
                last -= 1
            last += 1
            if last >= K:
                last = 0
            rv[last] = val
            rd[last] = ll + K
        if ll >= K - 1:
            o[(ll - K + 1) * B] = rv[minpair]


def minmax1d(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, Py_ssize_t size, Py_ssize_t lo,
             int mode, double cval, int minimum, int harter, int n_threads, Py_ssize_t t0,
             Py_ssize_t t1):
    """Minimum (``minimum``) or maximum filter of length ``size`` along axis 1 of (A, N, B):
    tasks ``t0 <= t < min(t1, T)``; returns T.

    Tasks: one line (Harter: of stride B; B == 1: contiguous), a tile of L lines, or an
    (N, ROW_CHUNK) row chunk. ``out`` may be ``x`` itself when B == 1 (lines are copied
    first)."""
    cdef Py_ssize_t A = x.shape[0], N = x.shape[1], B = x.shape[2]
    cdef Py_ssize_t K = size, nch, T, t, a, b0, nb, P = N + size - 1, cw, L
    cdef const px_t* px
    cdef px_t* po
    cdef px_t cv = <px_t>cval
    cdef bint mn = minimum != 0
    cdef px_t* buf
    cdef px_t* crow
    cdef Py_ssize_t* rd
    if A * N * B == 0:
        return 0
    cw = ROW_CHUNK if B > ROW_CHUNK else B
    L = TILE_BYTES // sizeof(px_t)
    if harter:
        T = A * B
    elif B == 1 and (K <= DOUBLING_MAX or A < 2):
        T = A
    elif B == 1:
        T = _cdiv(A, L)
    else:
        T = A * _cdiv(B, cw)
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    if harter:
        with nogil, parallel(num_threads=n_threads):
            buf = <px_t*>malloc(K * sizeof(px_t))
            rd = <Py_ssize_t*>malloc(K * sizeof(Py_ssize_t))
            for t in prange(t0, t1, schedule="guided"):
                a = t // B
                b0 = t - a * B
                _harter_line(px + a * N * B + b0, po + a * N * B + b0, N, B, K, lo, mode, cv,
                             mn, buf, rd)
            free(buf)
            free(rd)
        return T
    if B == 1 and (K <= DOUBLING_MAX or A < 2):
        with nogil, parallel(num_threads=n_threads):
            buf = <px_t*>malloc(3 * P * sizeof(px_t))
            for t in prange(t0, t1, schedule="guided"):
                _line_task(px + t * N, po + t * N, N, K, lo, mode, cv, mn, buf, buf + P,
                           buf + 2 * P)
            free(buf)
        return T
    if B == 1:  # lines in transposed tiles of L lanes: van Herk on whole vectors
        with nogil, parallel(num_threads=n_threads):
            buf = <px_t*>malloc((2 * N + K + 2) * L * sizeof(px_t))
            crow = buf + (2 * N + K + 1) * L
            _fill(crow, cv, L)
            for t in prange(t0, t1, schedule="guided"):
                a = t * L
                nb = A - a if A - a < L else L
                _lines_tile(px + a * N, po + a * N, nb, N, K, lo, mode, mn, buf, buf + N * L,
                            buf + 2 * N * L, buf + (2 * N + K) * L, crow, L)
            free(buf)
        return T
    nch = _cdiv(B, cw)
    with nogil, parallel(num_threads=n_threads):
        buf = <px_t*>malloc((K + 2) * cw * sizeof(px_t))
        crow = buf + (K + 1) * cw
        _fill(crow, cv, cw)
        for t in prange(t0, t1, schedule="guided"):
            a = t // nch
            b0 = (t - a * nch) * cw
            nb = B - b0 if B - b0 < cw else cw
            _rows_task(px + a * N * B + b0, po + a * N * B + b0, N, B, nb, K, lo, mode, mn,
                       buf, buf + K * cw, crow)
        free(buf)
    return T


# ---------------------------------------------------------------- minmax2d (fused)
#
# A separable 2-D min/max filter (rows, then columns: scipy's axis order) in one pass
# over memory. A task is a band of output rows x a column chunk (whole rows of most
# images). Per output row, the column pass (a direct fold of the ky rows, or van Herk
# over blocks of ky rows from the band's first: suffix rows ``hbuf`` + a running
# prefix ``g``, as _rows_task) fills the row pass's extended line ``e`` (in L1/L2),
# then the row pass (_hline: a direct fold, or doubling) writes the output row. Same
# combines in the same order as the two 1-D passes, so the same bits; the
# intermediate image never goes to memory. Float input: each task checks the rows it
# reads for NaN (as it first reads them) and sets ``flag[0]``; the caller then redoes
# the call with scipy's deque passes (NaN answers depend on that algorithm), and needs
# no separate pass over the input to know.
#
# Measured on Zen 4 (4096^2 float32, kernel alone): cutting rows into strips that
# alternate column and row passes, software prefetch of the next row, and
# non-temporal output stores were each slower (up to 15%) than whole rows. On Zen 5
# (4096^2 uint8 and float32, 2 threads) a prefetch of the next input and output rows
# gained 0-3%, and non-temporal stores nothing (a C model of the 3 x 3 pass): not kept.
# What did pay there: vectors aligned to the rows read from memory and scratch lines
# placed on the cache-line grid as those rows are (pyc_comb*, _band_task: 3 x 3 uint8
# one thread -16%, 9 x 9 -15% at 2 threads), and the line pass's fold of 4 and last
# sweep of three pieces (_hline: float32 9 x 9 -10%).

cdef inline const px_t* _rowc(const px_t* x, Py_ssize_t p, Py_ssize_t lo, Py_ssize_t H,
                              Py_ssize_t W, int mode, const px_t* crow,
                              Py_ssize_t ia) noexcept nogil:
    """Columns ia.. of the row at extended position ``p``, or the constant row."""
    cdef Py_ssize_t s = boundary_index(p - lo, H, mode)
    if s < 0:
        return crow
    return x + s * W + ia


cdef inline int _any_nan(const px_t* r, Py_ssize_t n) noexcept nogil:
    """1 if r[0:n] holds a NaN (integers: 0, no code)."""
    cdef Py_ssize_t i
    cdef int f = 0
    if px_t is float or px_t is double:
        for i in range(n):
            f |= r[i] != r[i]
    return f


cdef void _hline(const px_t* src, px_t* t2, px_t* t3, px_t* o, Py_ssize_t n, Py_ssize_t K,
                 bint mn) noexcept nogil:
    """o[j] = combine of src[j .. j + K - 1], j < n (src: n + K - 1 elements, not written).
    One sweep for K <= 4 (a direct fold); longer windows: m_4 (a fold of 4) into t2,
    doublings m_2w[i] = combine(m_w[i], m_w[i + w]) through t2 / t3 while 3w < K, and a
    last sweep into ``o`` covering the window with overlapping pieces of w:
    combine(m_w[i], m_w[i + K - w]) for K <= 2w, else combine(m_w[i], m_w[i + w],
    m_w[i + K - w]) (pieces left to right: the rightmost-on-ties combine still gives the
    rightmost minimum). Vector sweeps over a line in L1: 2 for K = 5 .. 12, 3 to 24, 4
    to 48 (plain doubling: 4 for K = 9, 5 for 31, and a copy for powers of 2)."""
    cdef Py_ssize_t w = 4, m = n + K - 1
    cdef const px_t* cur = t2
    cdef px_t* nxt = t3
    if K == 1:
        memcpy(o, src, n * sizeof(px_t))
        return
    if K == 2:
        _comb_to(o, src, src + 1, n, mn)
        return
    if K == 3:
        _comb3(o, src, src + 1, src + 2, n, mn)
        return
    if K == 4:
        pyc_comb4(_tcode(o), o, src, n, mn)
        return
    pyc_comb4(_tcode(o), t2, src, m - 3, mn)
    m -= 3
    while 3 * w < K:
        _comb_to(nxt, cur, cur + w, m - w, mn)
        m -= w
        w *= 2
        cur = nxt
        nxt = t3 if nxt == t2 else t2
    if K <= 2 * w:
        _comb_to(o, cur, cur + (K - w), n, mn)
    else:
        _comb3(o, cur, cur + w, cur + (K - w), n, mn)


cdef void _border(const px_t* x, px_t* e, Py_ssize_t p0, Py_ssize_t p1, Py_ssize_t i,
                  Py_ssize_t H, Py_ssize_t W, Py_ssize_t Ky, Py_ssize_t loy, int my,
                  Py_ssize_t ca, Py_ssize_t ia, Py_ssize_t ib, int mx, px_t cv, bint mn,
                  const px_t* crow) noexcept nogil:
    """e[p0:p1]: line positions outside the image, as mode ``mx`` maps their columns:
    cval, a column pass result already in e (columns ia .. ib - 1), or (a column this
    task does not fold: wrap, a chunk narrower than the window) the column's own fold."""
    cdef Py_ssize_t p, s, j
    cdef px_t acc, v
    for p in range(p0, p1):
        s = boundary_index(ca + p, W, mx)
        if s < 0:
            e[p] = cv
        elif ia <= s < ib:
            e[p] = e[s - ca]
        else:
            acc = _rowc(x, i, loy, H, W, my, crow, s)[0]
            for j in range(1, Ky):
                v = _rowc(x, i + j, loy, H, W, my, crow, s)[0]
                if mn:
                    acc = acc if acc < v else v
                else:
                    acc = acc if acc > v else v
            e[p] = acc


cdef int _row_out(const px_t* x, px_t* o, px_t* e, px_t* t2, px_t* t3, px_t* g, Py_ssize_t i,
                  Py_ssize_t H, Py_ssize_t W, Py_ssize_t Ky, Py_ssize_t loy, int my,
                  Py_ssize_t ca, Py_ssize_t ia, Py_ssize_t ib, Py_ssize_t nc, Py_ssize_t Kx,
                  int mx, px_t cv, bint mn, const px_t* crow, int kind, bint scan_all,
                  const px_t* hrow, const px_t* qrow) noexcept nogil:
    """Output row ``i`` (columns c0 .. c0 + nc - 1 at ``o``). The column pass into the
    line ``e`` (its image columns), ``kind``: 0 a direct fold of rows i .. i + Ky - 1;
    van Herk: 1 hrow (the block's first row), 2 g = qrow then comb(hrow, g), 3 g =
    comb(g, qrow) then comb(hrow, g); then the line's border positions, then the row
    pass. Returns 1 if a row it read for the first time (the newest row; all of them
    when ``scan_all``) holds a NaN: that scan is the row's first touch, so it is the
    read from memory, and the combines after it find the row in L1."""
    cdef Py_ssize_t P = nc + Kx - 1, pa = ia - ca, nv = ib - ia, j
    cdef px_t* ev = e + pa
    cdef int nan = 0
    if kind == 0:
        if px_t is float or px_t is double:
            for j in range(Ky if scan_all else 1):
                nan |= _any_nan(_rowc(x, i + (j if scan_all else Ky - 1), loy, H, W, my, crow,
                                      ia), nv)
        if Ky == 3:
            _comb3(ev, _rowc(x, i, loy, H, W, my, crow, ia),
                   _rowc(x, i + 1, loy, H, W, my, crow, ia),
                   _rowc(x, i + 2, loy, H, W, my, crow, ia), nv, mn)
        else:
            memcpy(ev, _rowc(x, i, loy, H, W, my, crow, ia), nv * sizeof(px_t))
            for j in range(1, Ky):
                _comb(ev, _rowc(x, i + j, loy, H, W, my, crow, ia), nv, mn)
    elif kind == 1:
        memcpy(ev, hrow, nv * sizeof(px_t))
    else:
        nan |= _any_nan(qrow, nv)
        if kind == 2:
            memcpy(g, qrow, nv * sizeof(px_t))
        else:
            _comb(g, qrow, nv, mn)
        _comb_to(ev, hrow, g, nv, mn)
    _border(x, e, 0, pa, i, H, W, Ky, loy, my, ca, ia, ib, mx, cv, mn, crow)
    _border(x, e, pa + nv, P, i, H, W, Ky, loy, my, ca, ia, ib, mx, cv, mn, crow)
    _hline(e, t2, t3, o, nc, Kx, mn)
    return nan


cdef int _band_task(const px_t* x, px_t* o, Py_ssize_t H, Py_ssize_t W, Py_ssize_t i0,
                    Py_ssize_t i1, Py_ssize_t c0, Py_ssize_t nc, Py_ssize_t Ky,
                    Py_ssize_t loy, int my, Py_ssize_t Kx, Py_ssize_t lox, int mx, px_t cv,
                    bint mn, px_t* lines, Py_ssize_t LS, const px_t* crow) noexcept nogil:
    """Output rows i0 .. i1 - 1, columns c0 .. c0 + nc - 1 (see the section's header),
    with the scratch ``lines`` (64-byte aligned, Ky + 4 of LS elements: hbuf's Ky rows,
    g, e, t2, t3). Returns 1 if an input row it read holds a NaN.

    Each line starts where its data sit on the cache-line grid as the image row's
    columns it holds do (the combines align their vectors to the row they read from
    memory, pyc_comb*: a scratch line off by some bytes would split every vector)."""
    cdef Py_ssize_t ca = c0 - lox, P = nc + Kx - 1
    cdef Py_ssize_t ia = ca if ca > 0 else 0
    cdef Py_ssize_t ib = ca + P if ca + P < W else W
    cdef Py_ssize_t nv = ib - ia, i, j, s, e_
    cdef Py_ssize_t VE = 64 // sizeof(px_t)
    cdef Py_ssize_t sa = <Py_ssize_t>((<uintptr_t>(x + i0 * W + ia) // sizeof(px_t)) % VE)
    cdef px_t* hbuf = lines + sa
    cdef px_t* g = lines + Ky * LS + sa
    cdef Py_ssize_t se = (sa - (ia - ca)) % VE
    if se < 0:
        se += VE
    cdef px_t* e = lines + (Ky + 1) * LS + se
    cdef px_t* t2 = lines + (Ky + 2) * LS + se
    cdef px_t* t3 = lines + (Ky + 3) * LS + se
    cdef const px_t* r
    cdef int nan = 0
    if Ky <= DIRECT_MAX:
        for i in range(i0, i1):
            nan |= _row_out(x, o + i * W + c0, e, t2, t3, g, i, H, W, Ky, loy, my, ca, ia, ib,
                            nc, Kx, mx, cv, mn, crow, 0, i == i0, NULL, NULL)
        return nan
    s = i0
    while s < i1:
        r = _rowc(x, s + Ky - 1, loy, H, W, my, crow, ia)
        nan |= _any_nan(r, nv)
        memcpy(hbuf + (Ky - 1) * LS, r, nv * sizeof(px_t))
        for j in range(Ky - 2, -1, -1):
            r = _rowc(x, s + j, loy, H, W, my, crow, ia)
            if s == i0:
                nan |= _any_nan(r, nv)
            _comb_to(hbuf + j * LS, r, hbuf + (j + 1) * LS, nv, mn)
        e_ = s + Ky if s + Ky < i1 else i1
        for i in range(s, e_):
            nan |= _row_out(x, o + i * W + c0, e, t2, t3, g, i, H, W, Ky, loy, my, ca, ia, ib,
                            nc, Kx, mx, cv, mn, crow, 1 if i == s else (2 if i == s + 1 else 3),
                            False, hbuf + (i - s) * LS,
                            _rowc(x, i + Ky - 1, loy, H, W, my, crow, ia))
        s += Ky
    return nan


def minmax2d(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, Py_ssize_t ky, Py_ssize_t loy,
             int modey, Py_ssize_t kx, Py_ssize_t lox, int modex, double cval, int minimum,
             uint8_t[::1] flag, int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """The two 1-D passes of a separable min/max filter over axes 1 then 2 of (A, H, W)
    in one: tasks (a band of output rows x a column chunk) ``t0 <= t < min(t1, T)``;
    returns T. ``out`` is not ``x``, ``kx <= DOUBLING_MAX``, ``ky <= FUSE_KY_MAX``, a
    constant-mode cval is not NaN. Sets ``flag[0] = 1`` if the input holds a NaN: the
    result is then not scipy's (its deque), and the caller redoes the call."""
    cdef Py_ssize_t A = x.shape[0], H = x.shape[1], W = x.shape[2]
    cdef Py_ssize_t R, cw, nbd, nch, T, t, P, LS
    cdef Span2 g
    cdef const px_t* px
    cdef px_t* po
    cdef px_t cv = <px_t>cval
    cdef bint mn = minimum != 0
    cdef void* raw
    cdef px_t* buf
    cdef px_t* crow
    cdef uint8_t* pf = &flag[0]
    if A * H * W == 0:
        return 0
    R = _band_rows(ky)
    cw = _chunk_bytes(ky) // sizeof(px_t)
    if cw > W:
        cw = W
    nbd = _cdiv(H, R)
    nch = _cdiv(W, cw)
    T = A * nbd * nch
    if not _span(T, &t0, &t1):
        return T
    P = cw + kx - 1
    LS = _cdiv(P, 64) * 64 + 64   # P elements, and room to start anywhere in a cache line
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        # hbuf (ky rows), g, e, t2, t3, crow: LS elements each, 64-byte aligned
        raw = malloc((ky + 5) * LS * sizeof(px_t) + 64)
        buf = <px_t*>((<uintptr_t>raw + 63) & ~(<uintptr_t>63))
        crow = buf + (ky + 4) * LS
        _fill(crow, cv, P)
        for t in prange(t0, t1, schedule="guided"):
            g = _band_chunk(t, nbd, nch, R, cw, H, W)
            if _band_task(px + g.z * H * W, po + g.z * H * W, H, W, g.i0, g.i1, g.c0, g.nc, ky,
                          loy, modey, kx, lox, modex, cv, mn, buf, LS, crow):
                pf[0] = 1
        free(raw)
    return T


# ---------------------------------------------------------------- footprint kernels

cdef void _ext_row(const px_t* r, Py_ssize_t W, Py_ssize_t c, Py_ssize_t n, int mode,
                   px_t cv, px_t* d) noexcept nogil:
    """d[j] = row ``r`` (W values; NULL: a row of cval) at column c + j, border-extended
    along the row, j < n."""
    cdef Py_ssize_t j, s, lo_j, hi_j
    if r == NULL:
        _fill(d, cv, n)
        return
    # columns inside the row: j with 0 <= c + j < W
    lo_j = -c if c < 0 else 0
    hi_j = W - c if W - c < n else n
    if lo_j > n:
        lo_j = n
    if hi_j < lo_j:
        hi_j = lo_j
    for j in range(lo_j):
        s = boundary_index(c + j, W, mode)
        d[j] = cv if s < 0 else r[s]
    if hi_j > lo_j:
        memcpy(d + lo_j, r + c + lo_j, (hi_j - lo_j) * sizeof(px_t))
    for j in range(hi_j, n):
        s = boundary_index(c + j, W, mode)
        d[j] = cv if s < 0 else r[s]


cdef inline const px_t* _plane_row(const px_t* x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                                   Py_ssize_t z, Py_ssize_t y, int mode) noexcept nogil:
    """Row (z, y) of the (D, H, W) input, border-extended along z and y; NULL: cval."""
    cdef Py_ssize_t zz = boundary_index(z, D, mode)
    cdef Py_ssize_t yy = boundary_index(y, H, mode)
    if zz < 0 or yy < 0:
        return NULL
    return x + (zz * H + yy) * W


cdef void _tap_row(const px_t* x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W, Py_ssize_t z,
                   Py_ssize_t y, Py_ssize_t c0, Py_ssize_t nc, const int64_t* off, int mode,
                   px_t cv, px_t* d) noexcept nogil:
    """d[j] = the border-extended input at (z + off[0], y + off[1], c0 + j + off[2])."""
    _ext_row(_plane_row(x, D, H, W, z + off[0], y + off[1], mode), W, c0 + off[2], nc, mode,
             cv, d)


def minmax_fp(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, const int64_t[:, ::1] offs,
              int mode, double cval, int minimum, int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """scipy's NI_MinOrMaxFilter over a footprint (taps ``offs``, in scipy's order):
    tasks (COL_CHUNK outputs of a row) ``t0 <= t < min(t1, T)``; returns T."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2], k = offs.shape[0]
    cdef Py_ssize_t nch, T, t, r, z, y, c0, nc, q, j
    cdef const px_t* px
    cdef px_t* po
    cdef px_t* acc
    cdef px_t* s
    cdef px_t cv = <px_t>cval
    cdef bint mn = minimum != 0
    cdef const int64_t* po_offs = &offs[0, 0]
    if D * H * W == 0:
        return 0
    nch = _cdiv(W, COL_CHUNK)
    T = D * H * nch
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        s = <px_t*>malloc(COL_CHUNK * sizeof(px_t))
        for t in prange(t0, t1, schedule="guided"):
            r = t // nch
            c0 = (t - r * nch) * COL_CHUNK
            nc = W - c0 if W - c0 < COL_CHUNK else COL_CHUNK
            z = r // H
            y = r - z * H
            acc = po + r * W + c0
            _tap_row(px, D, H, W, z, y, c0, nc, po_offs, mode, cv, acc)
            for q in range(1, k):
                _tap_row(px, D, H, W, z, y, c0, nc, po_offs + 3 * q, mode, cv, s)
                # ``if (tmp < res) res = tmp``: ties and NaN taps keep res
                if mn:
                    for j in range(nc):
                        acc[j] = s[j] if s[j] < acc[j] else acc[j]
                else:
                    for j in range(nc):
                        acc[j] = s[j] if s[j] > acc[j] else acc[j]
        free(s)
    return T


cdef px_t _select(px_t* buf, Py_ssize_t n, Py_ssize_t rank) noexcept nogil:
    """scipy's NI_Select(buffer, 0, n - 1, rank), its recursion as a loop."""
    cdef Py_ssize_t lo = 0, hi = n - 1, ii, jj
    cdef px_t xv, tv
    while lo != hi:
        xv = buf[lo]
        ii = lo - 1
        jj = hi + 1
        while True:
            jj -= 1
            while buf[jj] > xv:
                jj -= 1
            ii += 1
            while buf[ii] < xv:
                ii += 1
            if ii < jj:
                tv = buf[ii]
                buf[ii] = buf[jj]
                buf[jj] = tv
            else:
                break
        ii = jj - lo + 1
        if rank < ii:
            hi = jj
        else:
            lo = jj + 1
            rank -= ii
    return buf[lo]


def rank_fp(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, const int64_t[:, ::1] offs,
            Py_ssize_t rank, int mode, double cval, int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """scipy's NI_RankFilter: element ``rank`` (0-based) of the footprint's values:
    tasks (``_sel_chunk(k)`` outputs of a row) ``t0 <= t < min(t1, T)``; returns T."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2], k = offs.shape[0]
    cdef Py_ssize_t nch, T, t, r, z, y, c0, nc, q, j, cw = _sel_chunk(k)
    cdef const px_t* px
    cdef px_t* po
    cdef px_t* rows
    cdef px_t* sel
    cdef px_t cv = <px_t>cval
    cdef const int64_t* po_offs = &offs[0, 0]
    if D * H * W == 0:
        return 0
    nch = _cdiv(W, cw)
    T = D * H * nch
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        rows = <px_t*>malloc((cw + 1) * k * sizeof(px_t))
        sel = rows + k * cw  # k values
        for t in prange(t0, t1, schedule="guided"):
            r = t // nch
            c0 = (t - r * nch) * cw
            nc = W - c0 if W - c0 < cw else cw
            z = r // H
            y = r - z * H
            for q in range(k):
                _tap_row(px, D, H, W, z, y, c0, nc, po_offs + 3 * q, mode, cv, rows + q * cw)
            for j in range(nc):
                for q in range(k):
                    sel[q] = rows[q * cw + j]
                po[r * W + c0 + j] = _select(sel, k, rank)
        free(rows)
    return T


cdef inline void _cx(px_t* a, px_t* b, Py_ssize_t n, int op) noexcept nogil:
    """Compare-exchange of rows: a = min, b = max (op 1: only a; op 2: only b)."""
    cdef Py_ssize_t i
    cdef px_t u, v
    if op == 0:
        for i in range(n):
            u = a[i]
            v = b[i]
            a[i] = u if u < v else v
            b[i] = v if u < v else u
    elif op == 1:
        for i in range(n):
            a[i] = a[i] if a[i] < b[i] else b[i]
    else:
        for i in range(n):
            b[i] = a[i] if b[i] < a[i] else b[i]


cdef void _median9(const px_t* r, px_t* o, Py_ssize_t n) noexcept nogil:
    """Element 4 of the 9 tap rows ``r`` (stride COL_CHUNK): the network of
    ``pycompute.rank._network(9, 4)`` unrolled (generated from it), every value
    in a register, vectorized across the ``n`` pixels."""
    cdef Py_ssize_t i
    cdef px_t t, v0, v1, v2, v3, v4, v5, v6, v7, v8
    for i in range(n):
        v0 = r[0 * COL_CHUNK + i]
        v1 = r[1 * COL_CHUNK + i]
        v2 = r[2 * COL_CHUNK + i]
        v3 = r[3 * COL_CHUNK + i]
        v4 = r[4 * COL_CHUNK + i]
        v5 = r[5 * COL_CHUNK + i]
        v6 = r[6 * COL_CHUNK + i]
        v7 = r[7 * COL_CHUNK + i]
        v8 = r[8 * COL_CHUNK + i]
        t = v0 if v0 < v1 else v1
        v1 = v1 if v0 < v1 else v0
        v0 = t
        t = v2 if v2 < v3 else v3
        v3 = v3 if v2 < v3 else v2
        v2 = t
        t = v4 if v4 < v5 else v5
        v5 = v5 if v4 < v5 else v4
        v4 = t
        t = v6 if v6 < v7 else v7
        v7 = v7 if v6 < v7 else v6
        v6 = t
        t = v0 if v0 < v2 else v2
        v2 = v2 if v0 < v2 else v0
        v0 = t
        t = v1 if v1 < v3 else v3
        v3 = v3 if v1 < v3 else v1
        v1 = t
        t = v4 if v4 < v6 else v6
        v6 = v6 if v4 < v6 else v4
        v4 = t
        t = v5 if v5 < v7 else v7
        v7 = v7 if v5 < v7 else v5
        v5 = t
        t = v1 if v1 < v2 else v2
        v2 = v2 if v1 < v2 else v1
        v1 = t
        t = v5 if v5 < v6 else v6
        v6 = v6 if v5 < v6 else v5
        v5 = t
        t = v0 if v0 < v4 else v4
        v4 = v4 if v0 < v4 else v0
        v0 = t
        t = v1 if v1 < v5 else v5
        v5 = v5 if v1 < v5 else v1
        v1 = t
        t = v2 if v2 < v6 else v6
        v6 = v6 if v2 < v6 else v2
        v2 = t
        v3 = v3 if v3 < v7 else v7
        t = v2 if v2 < v4 else v4
        v4 = v4 if v2 < v4 else v2
        v2 = t
        t = v3 if v3 < v5 else v5
        v5 = v5 if v3 < v5 else v3
        v3 = t
        v2 = v1 if v2 < v1 else v2
        t = v3 if v3 < v4 else v4
        v4 = v4 if v3 < v4 else v3
        v3 = t
        v5 = v5 if v5 < v6 else v6
        v8 = v0 if v8 < v0 else v8
        v4 = v4 if v4 < v8 else v8
        v4 = v2 if v4 < v2 else v4
        v3 = v3 if v3 < v5 else v5
        v4 = v3 if v4 < v3 else v4
        o[i] = v4


cdef void _median25(const px_t* r, px_t* o, Py_ssize_t n) noexcept nogil:
    """Element 12 of the 25 tap rows ``r`` (stride COL_CHUNK): the network of
    ``pycompute.rank._network(25, 12)`` unrolled (generated from it), every value
    in a register, vectorized across the ``n`` pixels. (Reading a 5 x 5 box's taps
    from its 5 lines at column offsets instead spills: GCC keeps 25 pointers.)"""
    cdef Py_ssize_t i
    cdef px_t t, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24
    for i in range(n):
        v0 = r[0 * COL_CHUNK + i]
        v1 = r[1 * COL_CHUNK + i]
        v2 = r[2 * COL_CHUNK + i]
        v3 = r[3 * COL_CHUNK + i]
        v4 = r[4 * COL_CHUNK + i]
        v5 = r[5 * COL_CHUNK + i]
        v6 = r[6 * COL_CHUNK + i]
        v7 = r[7 * COL_CHUNK + i]
        v8 = r[8 * COL_CHUNK + i]
        v9 = r[9 * COL_CHUNK + i]
        v10 = r[10 * COL_CHUNK + i]
        v11 = r[11 * COL_CHUNK + i]
        v12 = r[12 * COL_CHUNK + i]
        v13 = r[13 * COL_CHUNK + i]
        v14 = r[14 * COL_CHUNK + i]
        v15 = r[15 * COL_CHUNK + i]
        v16 = r[16 * COL_CHUNK + i]
        v17 = r[17 * COL_CHUNK + i]
        v18 = r[18 * COL_CHUNK + i]
        v19 = r[19 * COL_CHUNK + i]
        v20 = r[20 * COL_CHUNK + i]
        v21 = r[21 * COL_CHUNK + i]
        v22 = r[22 * COL_CHUNK + i]
        v23 = r[23 * COL_CHUNK + i]
        v24 = r[24 * COL_CHUNK + i]
        t = v0 if v0 < v1 else v1
        v1 = v1 if v0 < v1 else v0
        v0 = t
        t = v2 if v2 < v3 else v3
        v3 = v3 if v2 < v3 else v2
        v2 = t
        t = v4 if v4 < v5 else v5
        v5 = v5 if v4 < v5 else v4
        v4 = t
        t = v6 if v6 < v7 else v7
        v7 = v7 if v6 < v7 else v6
        v6 = t
        t = v8 if v8 < v9 else v9
        v9 = v9 if v8 < v9 else v8
        v8 = t
        t = v10 if v10 < v11 else v11
        v11 = v11 if v10 < v11 else v10
        v10 = t
        t = v12 if v12 < v13 else v13
        v13 = v13 if v12 < v13 else v12
        v12 = t
        t = v14 if v14 < v15 else v15
        v15 = v15 if v14 < v15 else v14
        v14 = t
        t = v16 if v16 < v17 else v17
        v17 = v17 if v16 < v17 else v16
        v16 = t
        t = v18 if v18 < v19 else v19
        v19 = v19 if v18 < v19 else v18
        v18 = t
        t = v20 if v20 < v21 else v21
        v21 = v21 if v20 < v21 else v20
        v20 = t
        t = v22 if v22 < v23 else v23
        v23 = v23 if v22 < v23 else v22
        v22 = t
        t = v0 if v0 < v2 else v2
        v2 = v2 if v0 < v2 else v0
        v0 = t
        t = v1 if v1 < v3 else v3
        v3 = v3 if v1 < v3 else v1
        v1 = t
        t = v4 if v4 < v6 else v6
        v6 = v6 if v4 < v6 else v4
        v4 = t
        t = v5 if v5 < v7 else v7
        v7 = v7 if v5 < v7 else v5
        v5 = t
        t = v8 if v8 < v10 else v10
        v10 = v10 if v8 < v10 else v8
        v8 = t
        t = v9 if v9 < v11 else v11
        v11 = v11 if v9 < v11 else v9
        v9 = t
        t = v12 if v12 < v14 else v14
        v14 = v14 if v12 < v14 else v12
        v12 = t
        t = v13 if v13 < v15 else v15
        v15 = v15 if v13 < v15 else v13
        v13 = t
        t = v16 if v16 < v18 else v18
        v18 = v18 if v16 < v18 else v16
        v16 = t
        t = v17 if v17 < v19 else v19
        v19 = v19 if v17 < v19 else v17
        v17 = t
        t = v20 if v20 < v22 else v22
        v22 = v22 if v20 < v22 else v20
        v20 = t
        t = v21 if v21 < v23 else v23
        v23 = v23 if v21 < v23 else v21
        v21 = t
        t = v1 if v1 < v2 else v2
        v2 = v2 if v1 < v2 else v1
        v1 = t
        t = v5 if v5 < v6 else v6
        v6 = v6 if v5 < v6 else v5
        v5 = t
        t = v9 if v9 < v10 else v10
        v10 = v10 if v9 < v10 else v9
        v9 = t
        t = v13 if v13 < v14 else v14
        v14 = v14 if v13 < v14 else v13
        v13 = t
        t = v17 if v17 < v18 else v18
        v18 = v18 if v17 < v18 else v17
        v17 = t
        t = v21 if v21 < v22 else v22
        v22 = v22 if v21 < v22 else v21
        v21 = t
        t = v0 if v0 < v4 else v4
        v4 = v4 if v0 < v4 else v0
        v0 = t
        t = v1 if v1 < v5 else v5
        v5 = v5 if v1 < v5 else v1
        v1 = t
        t = v2 if v2 < v6 else v6
        v6 = v6 if v2 < v6 else v2
        v2 = t
        t = v3 if v3 < v7 else v7
        v7 = v7 if v3 < v7 else v3
        v3 = t
        t = v8 if v8 < v12 else v12
        v12 = v12 if v8 < v12 else v8
        v8 = t
        t = v9 if v9 < v13 else v13
        v13 = v13 if v9 < v13 else v9
        v9 = t
        t = v10 if v10 < v14 else v14
        v14 = v14 if v10 < v14 else v10
        v10 = t
        t = v11 if v11 < v15 else v15
        v15 = v15 if v11 < v15 else v11
        v11 = t
        t = v16 if v16 < v20 else v20
        v20 = v20 if v16 < v20 else v16
        v16 = t
        t = v17 if v17 < v21 else v21
        v21 = v21 if v17 < v21 else v17
        v17 = t
        t = v18 if v18 < v22 else v22
        v22 = v22 if v18 < v22 else v18
        v18 = t
        t = v19 if v19 < v23 else v23
        v23 = v23 if v19 < v23 else v19
        v19 = t
        t = v2 if v2 < v4 else v4
        v4 = v4 if v2 < v4 else v2
        v2 = t
        t = v3 if v3 < v5 else v5
        v5 = v5 if v3 < v5 else v3
        v3 = t
        t = v10 if v10 < v12 else v12
        v12 = v12 if v10 < v12 else v10
        v10 = t
        t = v11 if v11 < v13 else v13
        v13 = v13 if v11 < v13 else v11
        v11 = t
        t = v18 if v18 < v20 else v20
        v20 = v20 if v18 < v20 else v18
        v18 = t
        t = v19 if v19 < v21 else v21
        v21 = v21 if v19 < v21 else v19
        v19 = t
        t = v1 if v1 < v2 else v2
        v2 = v2 if v1 < v2 else v1
        v1 = t
        t = v3 if v3 < v4 else v4
        v4 = v4 if v3 < v4 else v3
        v3 = t
        t = v5 if v5 < v6 else v6
        v6 = v6 if v5 < v6 else v5
        v5 = t
        t = v9 if v9 < v10 else v10
        v10 = v10 if v9 < v10 else v9
        v9 = t
        t = v11 if v11 < v12 else v12
        v12 = v12 if v11 < v12 else v11
        v11 = t
        t = v13 if v13 < v14 else v14
        v14 = v14 if v13 < v14 else v13
        v13 = t
        t = v17 if v17 < v18 else v18
        v18 = v18 if v17 < v18 else v17
        v17 = t
        t = v19 if v19 < v20 else v20
        v20 = v20 if v19 < v20 else v19
        v19 = t
        t = v21 if v21 < v22 else v22
        v22 = v22 if v21 < v22 else v21
        v21 = t
        t = v0 if v0 < v8 else v8
        v8 = v8 if v0 < v8 else v0
        v0 = t
        t = v1 if v1 < v9 else v9
        v9 = v9 if v1 < v9 else v1
        v1 = t
        t = v2 if v2 < v10 else v10
        v10 = v10 if v2 < v10 else v2
        v2 = t
        t = v3 if v3 < v11 else v11
        v11 = v11 if v3 < v11 else v3
        v3 = t
        t = v4 if v4 < v12 else v12
        v12 = v12 if v4 < v12 else v4
        v4 = t
        t = v5 if v5 < v13 else v13
        v13 = v13 if v5 < v13 else v5
        v5 = t
        t = v6 if v6 < v14 else v14
        v14 = v14 if v6 < v14 else v6
        v6 = t
        v7 = v7 if v7 < v15 else v15
        t = v16 if v16 < v24 else v24
        v24 = v24 if v16 < v24 else v16
        v16 = t
        t = v4 if v4 < v8 else v8
        v8 = v8 if v4 < v8 else v4
        v4 = t
        t = v5 if v5 < v9 else v9
        v9 = v9 if v5 < v9 else v5
        v5 = t
        t = v6 if v6 < v10 else v10
        v10 = v10 if v6 < v10 else v6
        v6 = t
        t = v7 if v7 < v11 else v11
        v11 = v11 if v7 < v11 else v7
        v7 = t
        t = v20 if v20 < v24 else v24
        v24 = v24 if v20 < v24 else v20
        v20 = t
        t = v2 if v2 < v4 else v4
        v4 = v4 if v2 < v4 else v2
        v2 = t
        t = v3 if v3 < v5 else v5
        v5 = v5 if v3 < v5 else v3
        v3 = t
        t = v6 if v6 < v8 else v8
        v8 = v8 if v6 < v8 else v6
        v6 = t
        t = v7 if v7 < v9 else v9
        v9 = v9 if v7 < v9 else v7
        v7 = t
        t = v10 if v10 < v12 else v12
        v12 = v12 if v10 < v12 else v10
        v10 = t
        t = v11 if v11 < v13 else v13
        v13 = v13 if v11 < v13 else v11
        v11 = t
        t = v18 if v18 < v20 else v20
        v20 = v20 if v18 < v20 else v18
        v18 = t
        t = v19 if v19 < v21 else v21
        v21 = v21 if v19 < v21 else v19
        v19 = t
        t = v22 if v22 < v24 else v24
        v24 = v24 if v22 < v24 else v22
        v22 = t
        t = v1 if v1 < v2 else v2
        v2 = v2 if v1 < v2 else v1
        v1 = t
        t = v3 if v3 < v4 else v4
        v4 = v4 if v3 < v4 else v3
        v3 = t
        t = v5 if v5 < v6 else v6
        v6 = v6 if v5 < v6 else v5
        v5 = t
        t = v7 if v7 < v8 else v8
        v8 = v8 if v7 < v8 else v7
        v7 = t
        t = v9 if v9 < v10 else v10
        v10 = v10 if v9 < v10 else v9
        v9 = t
        t = v11 if v11 < v12 else v12
        v12 = v12 if v11 < v12 else v11
        v11 = t
        v13 = v13 if v13 < v14 else v14
        t = v17 if v17 < v18 else v18
        v18 = v18 if v17 < v18 else v17
        v17 = t
        t = v19 if v19 < v20 else v20
        v20 = v20 if v19 < v20 else v19
        v19 = t
        t = v21 if v21 < v22 else v22
        v22 = v22 if v21 < v22 else v21
        v21 = t
        t = v23 if v23 < v24 else v24
        v24 = v24 if v23 < v24 else v23
        v23 = t
        v16 = v0 if v16 < v0 else v16
        v17 = v1 if v17 < v1 else v17
        v18 = v2 if v18 < v2 else v18
        v19 = v3 if v19 < v3 else v19
        v20 = v4 if v20 < v4 else v20
        v21 = v5 if v21 < v5 else v21
        v6 = v6 if v6 < v22 else v22
        v7 = v7 if v7 < v23 else v23
        v8 = v8 if v8 < v24 else v24
        v16 = v8 if v16 < v8 else v16
        v17 = v9 if v17 < v9 else v17
        v10 = v10 if v10 < v18 else v18
        v11 = v11 if v11 < v19 else v19
        v12 = v12 if v12 < v20 else v20
        v13 = v13 if v13 < v21 else v21
        v10 = v6 if v10 < v6 else v10
        v11 = v7 if v11 < v7 else v11
        v12 = v12 if v12 < v16 else v16
        v13 = v13 if v13 < v17 else v17
        v12 = v10 if v12 < v10 else v12
        v11 = v11 if v11 < v13 else v13
        v12 = v11 if v12 < v11 else v12
        o[i] = v12


cdef void _median3x3(const px_t* a0, const px_t* b0, const px_t* c0, px_t* a, px_t* b,
                     px_t* c, px_t* o, Py_ssize_t n) noexcept nogil:
    """3 x 3 median from three border-extended rows a0, b0, c0 of n + 2 columns, each
    column sorted once (lo, mid, hi into a, b, c) and shared by the three windows that
    contain it: med3(max of 3 lo, med3 of 3 mid, min of 3 hi), 18 min/max per pixel. A
    min/max circuit, exact by the 0-1 principle (checked in tests/test_rank.py)."""
    cdef Py_ssize_t j
    cdef px_t u, v, w, t, p, q, r
    for j in range(n + 2):
        u = a0[j]
        v = b0[j]
        w = c0[j]
        t = u if u < v else v      # (u, v) sorted
        v = v if u < v else u
        u = t
        t = v if v < w else w      # (v, w) sorted
        w = w if v < w else v
        v = t
        t = u if u < v else v      # (u, v) sorted
        v = v if u < v else u
        a[j] = t
        b[j] = v
        c[j] = w
    for j in range(n):
        p = a[j] if a[j] > a[j + 1] else a[j + 1]        # max of the lows
        p = p if p > a[j + 2] else a[j + 2]
        r = c[j] if c[j] < c[j + 1] else c[j + 1]        # min of the highs
        r = r if r < c[j + 2] else c[j + 2]
        u = b[j] if b[j] < b[j + 1] else b[j + 1]        # med3 of the mids
        v = b[j] if b[j] > b[j + 1] else b[j + 1]
        v = v if v < b[j + 2] else b[j + 2]
        q = u if u > v else v
        u = p if p < q else q                            # med3(p, q, r)
        v = p if p > q else q
        v = v if v < r else r
        o[j] = u if u > v else v


cdef Span2 _box_span(const px_t* x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W, Span2 g,
                     Py_ssize_t k, Py_ssize_t oz, Py_ssize_t oy, Py_ssize_t ox, int mode,
                     const px_t** rp) noexcept nogil:
    """The columns c0 <= c < c0 + nc of band g's chunk that read the image rows in place
    (0 <= c + ox, c + ox + k - 1 < W), rp[p] the band's input row p; an empty span (the
    whole chunk through lines) where a row is cval (constant mode, past the top or
    bottom), the band has one row or the span is narrower than PYC_VB. A struct: private
    in the prange body."""
    cdef Span2 s = g
    cdef Py_ssize_t p, ci1
    s.c0 = -ox if -ox > g.c0 else g.c0
    s.c0 = s.c0 if s.c0 < g.c0 + g.nc else g.c0 + g.nc
    ci1 = W - k + 1 - ox if W - k + 1 - ox < g.c0 + g.nc else g.c0 + g.nc
    s.nc = ci1 - s.c0 if ci1 > s.c0 else 0
    for p in range(g.i1 - g.i0 + k - 1):
        rp[p] = _plane_row(x, D, H, W, g.z + oz, g.i0 + oy + p, mode)
        if rp[p] == NULL:
            s.nc = 0
    if g.i1 - g.i0 < 2 or s.nc < PYC_VB:
        s.nc = 0
    return s


cdef void _med3_inner(px_t* po, Py_ssize_t H, Py_ssize_t W, Span2 g, Py_ssize_t ca,
                      Py_ssize_t cb, Py_ssize_t ox, const px_t** rp) noexcept nogil:
    """Columns ca <= c < cb of band g (_box_span) straight from the image rows ``rp``,
    four output rows a step (pyc_med3x4), then pairs (pyc_med3x2), the last pair ending
    at the band's last row (an odd count: the row before it again)."""
    cdef Py_ssize_t n = cb - ca, p, y = g.i0, yy, q
    cdef px_t* o
    cdef const void* r6[6]
    cdef void* o4[4]
    while y < g.i1:
        p = y - g.i0
        o = po + (g.z * H + y) * W + ca
        if y + 4 <= g.i1:
            for q in range(6):
                r6[q] = rp[p + q] + ca + ox
            for q in range(4):
                o4[q] = o + q * W
            pyc_med3x4(_tcode(o), r6, o4, n)
            y += 4
            continue
        yy = y if y < g.i1 - 2 else g.i1 - 2
        p = yy - g.i0
        o = po + (g.z * H + yy) * W + ca
        pyc_med3x2(_tcode(o), rp[p] + ca + ox, rp[p + 1] + ca + ox, rp[p + 2] + ca + ox,
                   rp[p + 3] + ca + ox, o, o + W, n)
        y += 2


cdef void _med3_edge(const px_t* x, px_t* po, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                     Span2 g, Py_ssize_t ca, Py_ssize_t cb, Py_ssize_t oz, Py_ssize_t oy,
                     Py_ssize_t ox, int mode, px_t cv, px_t* buf, px_t* L) noexcept nogil:
    """Columns ca <= c < cb of band g (the image's edge columns: a window reaches past
    the row) from border-extended lines, by the shared-column _median3x3; each output
    row right after the last line it needs, so the lines it reads are in L1."""
    cdef Py_ssize_t n = cb - ca, p
    if n <= 0:
        return
    for p in range(g.i1 - g.i0 + 2):
        _ext_row(_plane_row(x, D, H, W, g.z + oz, g.i0 + oy + p, mode), W, ca + ox, n + 2,
                 mode, cv, buf + p * BOX3_LINE)
        if p >= 2:
            # (constant strides between the sorted lines: with a runtime stride GCC's
            # alias checks failed and the column sort ran scalar, 5x slower)
            _median3x3(buf + (p - 2) * BOX3_LINE, buf + (p - 1) * BOX3_LINE,
                       buf + p * BOX3_LINE, L, L + BOX3_LINE, L + 2 * BOX3_LINE,
                       po + (g.z * H + g.i0 + p - 2) * W + ca, n)


cdef void _med5_inner(px_t* po, Py_ssize_t H, Py_ssize_t W, Span2 g, Py_ssize_t ca,
                      Py_ssize_t cb, Py_ssize_t ox, const px_t** rp, px_t* srt) noexcept nogil:
    """Columns ca <= c < cb of band g (_box_span): each input row's neighbours sorted
    once into its five lines (pyc_hsort5; row p's at srt + 5 p PYC_M5LS), and output
    rows in pairs from the six rows they read as soon as the last is sorted (pyc_med5x2);
    an odd last row with the row before it, again."""
    cdef Py_ssize_t n = cb - ca, p, m, nr = g.i1 - g.i0
    cdef int tc = _tcode(po)
    cdef px_t* o
    for p in range(nr + 4):
        pyc_hsort5(tc, rp[p] + ca + ox, srt + p * 5 * PYC_M5LS, n)
        m = p - 5                    # output rows m, m + 1 (band-relative) read rows m .. p
        if m >= 0 and (m % 2 == 0 or m == nr - 2):
            o = po + (g.z * H + g.i0 + m) * W + ca
            pyc_med5x2(tc, srt + m * 5 * PYC_M5LS, o, o + W, n)


cdef void _med5_edge(const px_t* x, px_t* po, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                     Span2 g, Py_ssize_t ca, Py_ssize_t cb, Py_ssize_t oz, Py_ssize_t oy,
                     Py_ssize_t ox, int mode, px_t cv, px_t* buf, px_t* L) noexcept nogil:
    """Columns ca <= c < cb of band g (edge columns, or a band that reads a row of cval):
    each input row border-extended, then copied shifted by 0 to 4 columns into five tap
    rows, so output row y's 25 taps are the 25 rows from 5 (y - i0) on and the network
    (_median25) runs on them as on any footprint's tap rows; each output row right after
    its last input row (its tap rows still in L1)."""
    cdef Py_ssize_t n = cb - ca, p, dx
    cdef Py_ssize_t ls = 5 * COL_CHUNK
    if n <= 0:
        return
    for p in range(g.i1 - g.i0 + 4):
        _ext_row(_plane_row(x, D, H, W, g.z + oz, g.i0 + oy + p, mode), W, ca + ox, n + 4,
                 mode, cv, L)
        for dx in range(5):
            memcpy(buf + p * ls + dx * COL_CHUNK, L + dx, n * sizeof(px_t))
        if p >= 4:
            _median25(buf + (p - 4) * ls, po + (g.z * H + g.i0 + p - 4) * W + ca, n)


def rank_net(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, const int64_t[:, ::1] offs,
             const int64_t[:, ::1] net, Py_ssize_t sel, int mode, double cval, int n_threads,
             Py_ssize_t t0, Py_ssize_t t1):
    """Order statistic by a selection network applied to whole tap rows (vectorized
    across pixels); wire ``sel`` holds the answer: tasks (COL_CHUNK outputs of a row)
    ``t0 <= t < min(t1, T)``; returns T."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2], k = offs.shape[0]
    cdef Py_ssize_t m = net.shape[0], nch, T, t, r, z, y, c0, nc, q
    cdef const px_t* px
    cdef px_t* po
    cdef px_t* rows
    cdef px_t cv = <px_t>cval
    cdef const int64_t* po_offs = &offs[0, 0]
    cdef const int64_t* pn = &net[0, 0]
    if D * H * W == 0:
        return 0
    nch = _cdiv(W, COL_CHUNK)
    T = D * H * nch
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        rows = <px_t*>malloc(k * COL_CHUNK * sizeof(px_t))
        for t in prange(t0, t1, schedule="guided"):
            r = t // nch
            c0 = (t - r * nch) * COL_CHUNK
            nc = W - c0 if W - c0 < COL_CHUNK else COL_CHUNK
            z = r // H
            y = r - z * H
            for q in range(k):
                _tap_row(px, D, H, W, z, y, c0, nc, po_offs + 3 * q, mode, cv,
                         rows + q * COL_CHUNK)
            if k == 25 and sel == 12:  # 25-cell medians: the same network, in registers
                _median25(rows, po + r * W + c0, nc)
            elif k == 9 and sel == 4:  # 9-cell medians
                _median9(rows, po + r * W + c0, nc)
            else:
                for q in range(m):
                    _cx(rows + pn[3 * q] * COL_CHUNK, rows + pn[3 * q + 1] * COL_CHUNK,
                        nc, <int>pn[3 * q + 2])
                memcpy(po + r * W + c0, rows + sel * COL_CHUNK, nc * sizeof(px_t))
        free(rows)
    return T


def median_box(const px_t[:, :, ::1] x, px_t[:, :, ::1] out, Py_ssize_t k, Py_ssize_t oz,
               Py_ssize_t oy, Py_ssize_t ox, int mode, double cval, int n_threads,
               Py_ssize_t t0, Py_ssize_t t1):
    """Median of a full k x k box (k = 3 or 5) in one plane, taps at (z + oz, y + oy + dy,
    c + ox + dx): tasks (k = 5: BOX_ROWS output rows x COL_CHUNK columns; k = 3:
    BOX3_ROWS x BOX3_COLS) ``t0 <= t < min(t1, T)``; returns T. The columns whose
    windows stay inside the rows read the image rows in place (k = 3: _med3_inner, four
    output rows at a time, then pairs; k = 5: _med5_inner, rows sorted once, output rows
    in pairs);
    the at most k - 1 edge columns each side, and every column of a band without such a
    span (_box_span: a row of cval, one row, fewer than PYC_VB columns), go through
    border-extended lines (_med3_edge, _med5_edge). Only where
    every order statistic is one bit pattern (as rank_net)."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2]
    cdef Py_ssize_t cw = COL_CHUNK if k == 5 else BOX3_COLS, nbd, nch, T, t
    cdef Py_ssize_t R = BOX_ROWS if k == 5 else BOX3_ROWS, ci0, ci1
    cdef Span2 g, s
    cdef const px_t** rp
    cdef const px_t* px
    cdef px_t* po
    cdef px_t* buf
    cdef px_t* L
    cdef px_t* srt
    cdef px_t cv = <px_t>cval
    # the edge lines: k = 3 an extended line an input row; k = 5 five tap rows
    cdef Py_ssize_t ls = BOX3_LINE if k == 3 else 5 * COL_CHUNK
    if D * H * W == 0:
        return 0
    nbd = _cdiv(H, R)
    nch = _cdiv(W, cw)
    T = D * nbd * nch
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        # the edge lines, then (k = 3) 3 sorted-column lines or (k = 5) one extended line
        # and the band's input rows' sorted lines
        buf = <px_t*>malloc(((R + k - 1) * ls + (3 * BOX3_LINE if k == 3 else
                                                 BOX_LINE + (R + 4) * 5 * PYC_M5LS))
                            * sizeof(px_t))
        rp = <const px_t**>malloc((R + k - 1) * sizeof(px_t*))   # the image rows
        L = buf + (R + k - 1) * ls
        srt = L + BOX_LINE
        for t in prange(t0, t1, schedule="guided"):
            g = _band_chunk(t, nbd, nch, R, cw, H, W)
            s = _box_span(px, D, H, W, g, k, oz, oy, ox, mode, rp)
            ci0 = s.c0 if s.nc else g.c0 + g.nc     # no span: the chunk through lines
            ci1 = s.c0 + s.nc if s.nc else ci0
            if k == 3:
                _med3_edge(px, po, D, H, W, g, g.c0, ci0, oz, oy, ox, mode, cv, buf, L)
                if ci1 > ci0:
                    _med3_inner(po, H, W, g, ci0, ci1, ox, rp)
                _med3_edge(px, po, D, H, W, g, ci1, g.c0 + g.nc, oz, oy, ox, mode, cv, buf,
                           L)
            else:
                _med5_edge(px, po, D, H, W, g, g.c0, ci0, oz, oy, ox, mode, cv, buf, L)
                if ci1 > ci0:
                    _med5_inner(po, H, W, g, ci0, ci1, ox, rp, srt)
                _med5_edge(px, po, D, H, W, g, ci1, g.c0 + g.nc, oz, oy, ox, mode, cv, buf,
                           L)
        free(buf)
        free(rp)
    return T


# ---------------------------------------------------------------- uint8 box ranks: histograms

cdef void _hist_row(const uint8_t** lines, Py_ssize_t ky, Py_ssize_t kx, Py_ssize_t nc,
                    Py_ssize_t rank, int32_t* hist, uint8_t* o) noexcept nogil:
    """o[c] = element ``rank`` (0-based) of the ky x kx window whose rows are
    lines[j][c .. c + kx - 1], c < nc: Huang's sliding histogram. The window's
    histogram moves one column a step (a value leaves and one enters each of its
    rows; nothing to do where they are equal, as in flat regions), and the answer
    m moves from the last one, with lt = the window's count of values below m:
    lt <= rank < lt + hist[m]. Integers: the rank-th value is one bit pattern, so
    this is scipy's answer (its quickselect finds the same value)."""
    cdef Py_ssize_t j, i, c
    cdef int32_t lt = 0
    cdef int m = 0
    cdef int a, d
    cdef const uint8_t* L
    memset(hist, 0, 256 * sizeof(int32_t))
    for j in range(ky):
        L = lines[j]
        for i in range(kx):
            hist[L[i]] += 1
    while lt + hist[m] <= rank:
        lt += hist[m]
        m += 1
    o[0] = <uint8_t>m
    for c in range(1, nc):
        for j in range(ky):
            L = lines[j]
            d = L[c - 1]
            a = L[c + kx - 1]
            if a != d:
                hist[d] -= 1
                hist[a] += 1
                lt += (a < m) - (d < m)
        while lt > rank:
            m -= 1
            lt -= hist[m]
        while lt + hist[m] <= rank:
            lt += hist[m]
            m += 1
        o[c] = <uint8_t>m


cdef extern from * nogil:
    """
    /* h[0] + ... + h[15] (rank_hist's 16-bit walk): four 4-lane vectors, then a tree.
     * Written out in C: GCC turns the same sum written as scalars (a loop or a tree)
     * into one chain of 16 dependent adds, about a third of a 9 x 9 call. */
    #if defined(__GNUC__)
    typedef int32_t pyc_v4i_u __attribute__((vector_size(16), aligned(4)));
    static inline int32_t pyc_sum16_i32(const int32_t *h) {
        pyc_v4i_u a = *(const pyc_v4i_u *)h, b = *(const pyc_v4i_u *)(h + 4);
        pyc_v4i_u c = *(const pyc_v4i_u *)(h + 8), d = *(const pyc_v4i_u *)(h + 12);
        pyc_v4i_u s = (a + b) + (c + d);
        return (s[0] + s[1]) + (s[2] + s[3]);
    }
    #else
    static inline int32_t pyc_sum16_i32(const int32_t *h) {
        int32_t s = 0;
        for (int i = 0; i < 16; i++) s += h[i];
        return s;
    }
    #endif
    /* The bin of h[0..15] where a running count passes ``need`` (0 <= need < the sum):
     * the number of prefix sums <= need, without branches (a walk bin by bin ends on
     * a mispredicted branch); *below = the count before that bin. */
    static inline int pyc_select16_i32(const int32_t *h, int32_t need, int32_t *below) {
        int32_t p = 0, b = 0;
        int i = 0;
        for (int j = 0; j < 16; j++) {
            p += h[j];
            int le = p <= need;
            i += le;
            b = le ? p : b;
        }
        *below = b;
        return i;
    }
    """
    int32_t _sum16 "pyc_sum16_i32"(const int32_t* h)
    int _select16 "pyc_select16_i32"(const int32_t* h, int32_t need, int32_t* below)


cdef void _hist_row16(const uint16_t** lines, Py_ssize_t ky, Py_ssize_t kx, Py_ssize_t nc,
                      Py_ssize_t rank, int32_t* coarse, int32_t* fine,
                      uint16_t* o) noexcept nogil:
    """_hist_row for 16-bit values: two levels, ``coarse`` (256 bins: the high byte) and
    ``fine`` (65,536 bins: the value, between 16 zero bins each side; all zero on entry
    and on return). The answer's bin M moves from the last one on ``coarse`` (ltc = the
    window's count below bin M), then the answer m within it on ``fine`` (lt = the count
    below m), entering a new bin from its nearer end and walking 16 bins a step, then
    one: 16 + 15 steps at most within a bin, and few where the answer moves little."""
    cdef Py_ssize_t j, i, c
    cdef int32_t ltc = 0, lt = 0, r, s
    cdef int M = 0, m = 0, a, d
    cdef const uint16_t* L
    memset(coarse, 0, 256 * sizeof(int32_t))
    for j in range(ky):
        L = lines[j]
        for i in range(kx):
            coarse[L[i] >> 8] += 1
            fine[L[i]] += 1
    for c in range(nc):
        if c > 0:
            for j in range(ky):
                L = lines[j]
                d = L[c - 1]
                a = L[c + kx - 1]
                if a != d:
                    coarse[d >> 8] -= 1
                    coarse[a >> 8] += 1
                    fine[d] -= 1
                    fine[a] += 1
                    ltc += ((a >> 8) < M) - ((d >> 8) < M)
                    lt += (a < m) - (d < m)
        if c == 0 or ltc > rank or ltc + coarse[M] <= rank:
            while ltc > rank:
                M -= 1
                ltc -= coarse[M]
            while ltc + coarse[M] <= rank:
                ltc += coarse[M]
                M += 1
            r = <int32_t>rank - ltc   # 0 <= r < coarse[M]
            if 2 * r < coarse[M]:     # from the bin's bottom
                m = M << 8
                lt = ltc
            else:                     # from its top
                m = (M << 8) | 255
                lt = ltc + coarse[M] - fine[m]
        # 16 bins a step to the 16 that hold the answer (``fine`` has 16 zero bins each
        # side, so no bound checks), then the bin among them
        if lt > rank:
            while True:
                s = _sum16(fine + m - 16)
                m -= 16
                lt -= s
                if lt <= rank:
                    break
        else:
            while True:
                s = _sum16(fine + m)
                if lt + s > rank:
                    break
                lt += s
                m += 16
        m += _select16(fine + m, <int32_t>rank - lt, &s)
        lt += s
        o[c] = <uint16_t>m
    for j in range(ky):       # back to all zero: the last window's values out
        L = lines[j] + nc - 1
        for i in range(kx):
            fine[L[i]] -= 1


ctypedef fused hist_t:
    uint8_t
    uint16_t


def rank_hist(const hist_t[:, :, ::1] x, hist_t[:, :, ::1] out, Py_ssize_t ky,
              Py_ssize_t kx, Py_ssize_t oz, Py_ssize_t oy, Py_ssize_t ox, Py_ssize_t rank,
              int mode, double cval, int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """Element ``rank`` of a full ky x kx box in one plane of uint8 or uint16 input, taps
    at (z + oz, y + oy + dy, c + ox + dx): tasks (HIST_ROWS output rows x HIST_COLS
    columns) ``t0 <= t < min(t1, T)``; returns T. A task border-extends each input
    row it needs once (HIST_ROWS + ky - 1 lines), then runs _hist_row (_hist_row16)
    along each output row: 2 ky histogram updates an output, whatever kx (scipy's
    quickselect reads all ky kx values of every window)."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2]
    cdef Py_ssize_t nbd, nch, T, t, p, y, ls = HIST_COLS + kx - 1
    cdef Span2 g
    cdef const hist_t* px
    cdef hist_t* po
    cdef hist_t* buf
    cdef const hist_t** lp
    cdef int32_t* hist
    cdef int32_t* fine
    cdef hist_t cv = <hist_t>cval
    if D * H * W == 0:
        return 0
    nbd = _cdiv(H, HIST_ROWS)
    nch = _cdiv(W, HIST_COLS)
    T = D * nbd * nch
    if not _span(T, &t0, &t1):
        return T
    px = &x[0, 0, 0]
    po = &out[0, 0, 0]
    with nogil, parallel(num_threads=n_threads):
        buf = <hist_t*>malloc((HIST_ROWS + ky - 1) * ls * sizeof(hist_t))
        lp = <const hist_t**>malloc((HIST_ROWS + ky - 1) * sizeof(hist_t*))
        hist = <int32_t*>malloc(256 * sizeof(int32_t))
        fine = NULL
        if hist_t is uint16_t:
            fine = <int32_t*>calloc(65536 + 32, sizeof(int32_t))
        for t in prange(t0, t1, schedule="guided"):
            g = _band_chunk(t, nbd, nch, HIST_ROWS, HIST_COLS, H, W)
            for p in range(g.i1 - g.i0 + ky - 1):
                _ext_row(_plane_row(px, D, H, W, g.z + oz, g.i0 + oy + p, mode), W,
                         g.c0 + ox, g.nc + kx - 1, mode, cv, buf + p * ls)
                lp[p] = buf + p * ls
            for y in range(g.i0, g.i1):
                if hist_t is uint8_t:
                    _hist_row(lp + (y - g.i0), ky, kx, g.nc, rank, hist,
                              po + (g.z * H + y) * W + g.c0)
                else:
                    _hist_row16(lp + (y - g.i0), ky, kx, g.nc, rank, hist, fine + 16,
                                po + (g.z * H + y) * W + g.c0)
        free(buf)
        free(lp)
        free(hist)
        free(fine)
    return T
