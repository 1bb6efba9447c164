# Convolution kernels: the native side of pycompute.convolution.
#
# Every kernel takes the same arguments as its Numba twin
# (pycompute/_numba/convolution.py), the thread count and a task range last:
#
#     correlate1d(x, out, ocode, w, lo, sym, mode, cval, n_threads, t0, t1)
#     correlate(x, out, ocode, w, offs, mode, cval, n_threads, t0, t1)
#     uniform1d(x, out, ocode, size, lo, exact, mode, cval, state, steps, n_threads, t0, t1)
#     separable2(x, out, ..., cval, hfirst, n_threads, t0, t1)
#
# ``x`` is the C-contiguous input seen as 3-D: ``(A, N, B)`` for the 1-D
# filters (filter axis N, A lines before it, B elements after it) and
# ``(D, H, W)`` for the dense one. ``out`` is the C-contiguous output as flat
# bytes and ``ocode`` its dtype (OUT_* below). The dtype of ``w`` is the
# working precision: float64, or float32 for float32 -> float32 calls. Input
# and output never partly overlap (the dispatcher copies); the 1-D kernels
# also accept ``out`` being ``x`` itself (in place: each task copies its
# whole (N, B) slab to a per-thread buffer first).
#
# Results match scipy.ndimage bit for bit in float64 work: the same terms are
# summed per pixel in the same order as ni_filters.c (symmetric / antisymmetric
# pairing in correlate1d, zero-weight taps dropped and C-order taps in correlate,
# scipy's running-sum recurrence in uniform1d) with floating-point contraction
# off (the pragma below; scipy's x86-64 wheels have no FMA), and the final
# double -> integer conversion reproduces what scipy's compiled C cast does on
# x86-64 (truncation; out-of-range values wrap through int32/int64 as
# cvttsd2si does). float32 work uses explicit fmaf. Integer box filters whose
# partial sums are exact integers use direct window sums (equal to scipy's
# recurrence in that case, see uniform1d).
#
# Vectorization: taps run tap-major over a chunk of CHUNK outputs kept in a
# thread-local accumulator (L1-resident), up to four taps (or four symmetric
# tap pairs) fused per stride-1 pass over it, and for full dense grids two
# output rows per task so each source load feeds two FMAs (_corr_pair).
# GCC's report (PYCOMPUTE_VEC_REPORT=1; the avx512 level's -march=x86-64-v4
# -mprefer-vector-width=512) shows every such loop
# vectorized with 64-byte vectors: 16 x float32 (vfmadd231ps on zmm) or
# 8 x float64, including the int -> float conversions of the input; the stores
# to the output dtype vectorize the same way (32-byte vectors for remainders).
# uniform1d's running sums vectorize across the B lanes of a row.
#
# Fast paths (hot loops in _fastconv.h, explicit AVX-512 / AVX2+FMA intrinsics):
# * float32 -> float32 dense full grids (correlate): per task RING_ROWS output
#   rows; their source rows are copied border-extended into a per-thread ring
#   (rows shared with the thread's previous task are kept), then 4 output rows x
#   32 columns per register block, shifted vectors by valignd/vpermt2ps. Large
#   outputs of small kernels use non-temporal stores. Same fma order per pixel
#   as _corr_task, so the values are those of the generic kernel.
# * separable2: two 1-D passes along neighbouring axes fused (float32
#   correlations: Gaussian, sobel-like pairs, rank-1 kernels; uint8 box
#   filters), the intermediate in per-thread rows, bit-identical to the passes
#   run one after the other.
#
# Parallelism: ``with nogil, parallel(num_threads=n)`` + ``prange`` over tasks cut
# from the shape alone; each output element is computed by one task in a fixed
# order, so results are identical at any thread count and under any schedule.
# The schedule is "guided" rather than static: there is no cross-task reduction
# to keep ordered, and on a shared machine a static half-split waits for
# whichever thread the OS preempted.
#
# Stopping (Ctrl-C, aio cancel; pycompute/_cancel.py run_tasks): every kernel runs
# only its tasks t0 <= t < min(t1, T) and returns its task count T (t1 = 0: no work,
# nothing allocated), so the dispatcher can cut a long call into native calls of
# about 50 ms. Tasks write disjoint outputs and read only the input (in place: their
# own slab, copied first), so no task depends on another having run, and an output
# is the same bits whichever call computes it. Per-call setup (border tables,
# per-thread buffers) is O(H + W) or O(N + K), below one slice's work; one task is
# at most CHUNK outputs x taps, RING_ROWS rows x W x taps (W bounded by the ring),
# DENSE_ROWS rows x a column block (TASK_WORK), one slab in place or SEP_ROWS rows of
# a fused pair (the dispatcher bounds them), or a segment of uniform1d's running sums
# (the one exception to independent tasks: a segment continues the sums the previous
# segment of its lanes left in ``state``; a call runs its segments in order).
from cython.parallel cimport parallel, prange
from libc.stdint cimport (int8_t, int16_t, int32_t, int64_t,
                          uint8_t, uint16_t, uint32_t, uint64_t)
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from _boundary cimport MODE_CONSTANT, boundary_index
from _fused cimport real_t
from _openmp cimport pyc_thread_num

cdef extern from *:
    """
    /* scipy sums in plain double arithmetic: no a*b+c contraction into FMA here. */
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC optimize ("fp-contract=off")
    #endif
    """

ctypedef fused work_t:
    float
    double

ctypedef fused pix_t:
    float
    uint8_t

cdef extern from "_fastconv.h" nogil:
    const char* PYC_SIMD_NAME
    void pyc_dense4_f32(const float** rp, Py_ssize_t kh, Py_ssize_t kw, const float* w,
                        Py_ssize_t n, float** op, const float** pf, int npf, int stream)
    void pyc_dense1_f32(const float** rp, Py_ssize_t kh, Py_ssize_t kw, const float* w,
                        Py_ssize_t n, float* out)
    void pyc_line_f32(const float** s, Py_ssize_t K, int sym, const float* w, Py_ssize_t n,
                      float* out)
    void pyc_box_u8(const uint8_t** s, Py_ssize_t K, uint32_t m, int sh, Py_ssize_t n,
                    uint8_t* out)
    void pyc_prefetch(const void* p, Py_ssize_t nbytes, int write)
    void pyc_fma_lanes(const float* a, const float* b, const float* c, float* out, Py_ssize_t n,
                       int scalar)
    float pyc_fmaf1(float a, float b, float c)
    Py_ssize_t pyc_hline_f32(const float* x, Py_ssize_t K, int sym, const float* w,
                             Py_ssize_t n, float* out)

cdef enum:
    CHUNK = 512      # outputs per task: acc + a 9x9 kernel's source rows stay in L1 (2 KB each)
    # multiply-adds above which the float32 dense path cuts a task's rows into column
    # blocks (~10-40 ms on one core; pycompute.convolution.TASK_WORK): a stop request
    # waits for the running tasks
    TASK_WORK = 1 << 27
    OUT_F32 = 0
    OUT_F64 = 1
    OUT_I8 = 2
    OUT_I16 = 3
    OUT_I32 = 4
    OUT_I64 = 5
    OUT_U8 = 6
    OUT_U16 = 7
    OUT_U32 = 8
    OUT_U64 = 9


#: bytes per element of each OUT_* code
cdef int[10] _OUT_SIZE
_OUT_SIZE[:] = [4, 8, 1, 2, 4, 8, 1, 2, 4, 8]


cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline Py_ssize_t _clip(Py_ssize_t v, Py_ssize_t n) noexcept nogil:
    return 0 if v < 0 else (n if v > n else v)


cdef inline work_t _madd(work_t acc, work_t a, work_t b) noexcept nogil:
    if work_t is float:
        return pyc_fmaf1(a, b, acc)  # fmaf's bits at every level (kernels/_fastconv.h)
    else:
        return acc + a * b


# ---------------------------------------------------------------- store (scipy's casts)

cdef inline uint64_t _to_u64(double v) noexcept nogil:
    # x86-64 gcc without AVX-512: below 2**63 (or NaN) cvttsd2si, else subtract and flip the top bit
    if not (v >= 9223372036854775808.0):
        return <uint64_t><int64_t>v
    return (<uint64_t><int64_t>(v - 9223372036854775808.0)) ^ (<uint64_t>1 << 63)


cdef void _store(const work_t* acc, Py_ssize_t n, char* dst, int code) noexcept nogil:
    """``dst[0:n] = acc[0:n]`` converted to output dtype ``code`` the way scipy's C casts do."""
    cdef Py_ssize_t i
    if code == OUT_F32:
        for i in range(n):
            (<float*>dst)[i] = <float>acc[i]
    elif code == OUT_F64:
        for i in range(n):
            (<double*>dst)[i] = <double>acc[i]
    elif code == OUT_I8:
        for i in range(n):
            (<int8_t*>dst)[i] = <int8_t><int32_t>acc[i]
    elif code == OUT_I16:
        for i in range(n):
            (<int16_t*>dst)[i] = <int16_t><int32_t>acc[i]
    elif code == OUT_I32:
        for i in range(n):
            (<int32_t*>dst)[i] = <int32_t>acc[i]
    elif code == OUT_I64:
        for i in range(n):
            (<int64_t*>dst)[i] = <int64_t>acc[i]
    elif code == OUT_U8:
        for i in range(n):
            (<uint8_t*>dst)[i] = <uint8_t><int32_t>acc[i]
    elif code == OUT_U16:
        for i in range(n):
            (<uint16_t*>dst)[i] = <uint16_t><int32_t>acc[i]
    elif code == OUT_U32:
        for i in range(n):
            (<uint32_t*>dst)[i] = <uint32_t><int64_t>acc[i]
    else:
        for i in range(n):
            (<uint64_t*>dst)[i] = _to_u64(<double>acc[i])


cdef inline char* _out_ptr(out):
    cdef unsigned char[::1] ob = out
    return <char*>&ob[0]


# ---------------------------------------------------------------- correlate1d

cdef inline Py_ssize_t _row_src(Py_ssize_t i, Py_ssize_t sh, Py_ssize_t lane, Py_ssize_t N,
                                Py_ssize_t B, int mode) noexcept nogil:
    """Offset in one (N, B) slab of the element ``sh`` rows after row ``i``, lane ``lane``,
    border-extended; -1 where it is the constant ``cv``."""
    cdef Py_ssize_t r = boundary_index(i + sh, N, mode)
    return -1 if r < 0 else r * B + lane


cdef inline Py_ssize_t _row_seg(Py_ssize_t m0, Py_ssize_t j, Py_ssize_t j1, Py_ssize_t B,
                                Py_ssize_t* i, Py_ssize_t* lane) noexcept nogil:
    """Output m0 + j is row ``i``, lane ``lane``; returns the end (<= j1) of that row's run."""
    i[0] = (m0 + j) // B
    lane[0] = m0 + j - i[0] * B
    return min(j1, j + B - lane[0])


# Border outputs (a tap leaves the slab) go row by row: the source row of every tap is
# found once per output row, then the row's outputs run as plain loops. (Per output, a
# division and boundary_index per tap made a border row ~11x slower than an inner one:
# 16 border rows cost a third of a 256^3 float32 pass along axis 0.) Each output adds its
# terms in the same order as before, so the values are the same.

cdef void _edge1(work_t* acc, const real_t* x, Py_ssize_t m0, Py_ssize_t j0, Py_ssize_t j1,
                 Py_ssize_t sh, work_t wk, bint init, Py_ssize_t N, Py_ssize_t B, int mode,
                 work_t cv) noexcept nogil:
    """acc[j] (=|+=) (padded x, ``sh`` rows after output m0 + j) * wk for j0 <= j < j1."""
    cdef Py_ssize_t j = j0, e, i, lane, o, k
    while j < j1:
        e = _row_seg(m0, j, j1, B, &i, &lane)
        o = _row_src(i, sh, lane, N, B, mode)
        for k in range(e - j):
            if init:
                acc[j + k] = (cv if o < 0 else <work_t>x[o + k]) * wk
            else:
                acc[j + k] = _madd(acc[j + k], cv if o < 0 else <work_t>x[o + k], wk)
        j = e


cdef void _term1(work_t* acc, const real_t* x, Py_ssize_t m0, Py_ssize_t n, Py_ssize_t sh,
                 work_t wk, bint init, Py_ssize_t N, Py_ssize_t B, int mode,
                 work_t cv) noexcept nogil:
    """acc[j] (=|+=) x[row + sh][m0 + j] * wk for j < n."""
    cdef Py_ssize_t M = N * B, s = sh * B, j
    cdef Py_ssize_t jlo = _clip(-s - m0, n), jhi = _clip(M - s - m0, n)
    cdef const real_t* p = x + m0 + s
    if jhi < jlo:
        jhi = jlo
    _edge1(acc, x, m0, 0, jlo, sh, wk, init, N, B, mode, cv)
    if init:
        for j in range(jlo, jhi):
            acc[j] = <work_t>p[j] * wk
    else:
        for j in range(jlo, jhi):
            acc[j] = _madd(acc[j], <work_t>p[j], wk)
    _edge1(acc, x, m0, jhi, n, sh, wk, init, N, B, mode, cv)


cdef void _border1d(work_t* acc, const real_t* x, Py_ssize_t m0, Py_ssize_t j0,
                    Py_ssize_t j1, const Py_ssize_t* sa, const Py_ssize_t* sb,
                    const work_t* wg, Py_ssize_t g, int sym, Py_ssize_t N, Py_ssize_t B,
                    int mode, work_t cv) noexcept nogil:
    """The terms of one group (g <= 4) for the border outputs j0 <= j < j1, each output
    adding them in order, as _group1d's inner loops."""
    cdef Py_ssize_t j = j0, e, i, lane, q, k
    cdef Py_ssize_t oa[4]
    cdef Py_ssize_t ob[4]
    cdef work_t va, vb, sacc
    while j < j1:
        e = _row_seg(m0, j, j1, B, &i, &lane)
        for q in range(g):
            oa[q] = _row_src(i, sa[q], lane, N, B, mode)
            if sym != 0:
                ob[q] = _row_src(i, sb[q], lane, N, B, mode)
        for k in range(e - j):
            sacc = acc[j + k]
            for q in range(g):
                va = cv if oa[q] < 0 else <work_t>x[oa[q] + k]
                if sym != 0:
                    vb = cv if ob[q] < 0 else <work_t>x[ob[q] + k]
                    va = va + vb if sym > 0 else va - vb
                sacc = _madd(sacc, va, wg[q])
            acc[j + k] = sacc
        j = e


cdef void _group1d(work_t* acc, const real_t* x, Py_ssize_t m0, Py_ssize_t n,
                   const Py_ssize_t* sa, const Py_ssize_t* sb, const work_t* wg, Py_ssize_t g,
                   int sym, Py_ssize_t N, Py_ssize_t B, int mode, work_t cv) noexcept nogil:
    """Up to four terms fused into one pass over acc, each output adding them in order.
    sym == 0: term q is x[row + sa[q]] * wg[q]; sym = +1 / -1: term q is
    (x[row + sa[q]] +/- x[row + sb[q]]) * wg[q] (scipy's paired taps; ``a + (-1)*b``
    is exactly ``a - b``)."""
    cdef Py_ssize_t M = N * B, j, q, jlo = 0, jhi = n, lo_q, hi_q
    cdef const real_t* a0
    cdef const real_t* a1
    cdef const real_t* a2
    cdef const real_t* a3
    cdef const real_t* b0
    cdef const real_t* b1
    cdef const real_t* b2
    cdef const real_t* b3
    cdef work_t w0 = wg[0], w1 = 0, w2 = 0, w3 = 0
    cdef work_t sg = <work_t>sym
    for q in range(g):
        lo_q = _clip(-sa[q] * B - m0, n)
        hi_q = _clip(M - sa[q] * B - m0, n)
        jlo = lo_q if lo_q > jlo else jlo
        jhi = hi_q if hi_q < jhi else jhi
        if sym != 0:
            lo_q = _clip(-sb[q] * B - m0, n)
            hi_q = _clip(M - sb[q] * B - m0, n)
            jlo = lo_q if lo_q > jlo else jlo
            jhi = hi_q if hi_q < jhi else jhi
    if jhi < jlo:
        jhi = jlo
    _border1d(acc, x, m0, 0, jlo, sa, sb, wg, g, sym, N, B, mode, cv)
    _border1d(acc, x, m0, jhi, n, sa, sb, wg, g, sym, N, B, mode, cv)
    a0 = x + m0 + sa[0] * B
    if g > 1:
        a1 = x + m0 + sa[1] * B
        w1 = wg[1]
    if g > 2:
        a2 = x + m0 + sa[2] * B
        w2 = wg[2]
    if g > 3:
        a3 = x + m0 + sa[3] * B
        w3 = wg[3]
    if sym == 0:
        if g == 1:
            for j in range(jlo, jhi):
                acc[j] = _madd(acc[j], <work_t>a0[j], w0)
        elif g == 2:
            for j in range(jlo, jhi):
                acc[j] = _madd(_madd(acc[j], <work_t>a0[j], w0), <work_t>a1[j], w1)
        elif g == 3:
            for j in range(jlo, jhi):
                acc[j] = _madd(_madd(_madd(acc[j], <work_t>a0[j], w0), <work_t>a1[j], w1),
                               <work_t>a2[j], w2)
        else:
            for j in range(jlo, jhi):
                acc[j] = _madd(_madd(_madd(_madd(acc[j], <work_t>a0[j], w0), <work_t>a1[j], w1),
                                     <work_t>a2[j], w2), <work_t>a3[j], w3)
        return
    b0 = x + m0 + sb[0] * B
    if g > 1:
        b1 = x + m0 + sb[1] * B
    if g > 2:
        b2 = x + m0 + sb[2] * B
    if g > 3:
        b3 = x + m0 + sb[3] * B
    if g == 1:
        for j in range(jlo, jhi):
            acc[j] = _madd(acc[j], <work_t>a0[j] + sg * <work_t>b0[j], w0)
    elif g == 2:
        for j in range(jlo, jhi):
            acc[j] = _madd(_madd(acc[j], <work_t>a0[j] + sg * <work_t>b0[j], w0),
                           <work_t>a1[j] + sg * <work_t>b1[j], w1)
    elif g == 3:
        for j in range(jlo, jhi):
            acc[j] = _madd(_madd(_madd(acc[j], <work_t>a0[j] + sg * <work_t>b0[j], w0),
                                 <work_t>a1[j] + sg * <work_t>b1[j], w1),
                           <work_t>a2[j] + sg * <work_t>b2[j], w2)
    else:
        for j in range(jlo, jhi):
            acc[j] = _madd(_madd(_madd(_madd(acc[j], <work_t>a0[j] + sg * <work_t>b0[j], w0),
                                       <work_t>a1[j] + sg * <work_t>b1[j], w1),
                                 <work_t>a2[j] + sg * <work_t>b2[j], w2),
                           <work_t>a3[j] + sg * <work_t>b3[j], w3)


cdef void _corr1d_task(const real_t* x, Py_ssize_t N, Py_ssize_t B, Py_ssize_t m0,
                       Py_ssize_t n, const work_t* w, Py_ssize_t K, Py_ssize_t lo, int sym,
                       int mode, work_t cv, work_t div, work_t* acc, char* dst,
                       int code) noexcept nogil:
    """Outputs m0 .. m0+n of one (N, B) slab; per-pixel term order as NI_Correlate1D
    (first term, then the rest in order, four per pass over acc).
    ``div`` != 1 divides the sums (the exact-integer box filter)."""
    cdef Py_ssize_t c = K // 2, k, j, g, q
    cdef Py_ssize_t sa[4]
    cdef Py_ssize_t sb[4]
    if sym != 0:
        _term1(acc, x, m0, n, c - lo, w[c], True, N, B, mode, cv)
        k = 0
        while k < c:
            g = c - k if c - k < 4 else 4
            for q in range(g):
                sa[q] = k + q - lo
                sb[q] = 2 * c - (k + q) - lo
            _group1d(acc, x, m0, n, sa, sb, w + k, g, sym, N, B, mode, cv)
            k += g
    else:
        _term1(acc, x, m0, n, K - 1 - lo, w[K - 1], True, N, B, mode, cv)
        k = 0
        while k < K - 1:
            g = K - 1 - k if K - 1 - k < 4 else 4
            for q in range(g):
                sa[q] = k + q - lo
            _group1d(acc, x, m0, n, sa, sb, w + k, g, 0, N, B, mode, cv)
            k += g
    if div != 1:
        for j in range(n):
            acc[j] = acc[j] / div
    _store(acc, n, dst, code)


cdef inline Py_ssize_t _corr1d_ntasks(Py_ssize_t A, Py_ssize_t N, Py_ssize_t B,
                                      bint inplace) noexcept nogil:
    """Tasks of _corr1d_run: one per slab in place, else one per CHUNK outputs."""
    return A if inplace else A * _cdiv(N * B, CHUNK)


cdef void _corr1d_run(const real_t* px, Py_ssize_t A, Py_ssize_t N, Py_ssize_t B,
                      const work_t* pw, Py_ssize_t K, Py_ssize_t lo, int sym, int mode,
                      work_t cv, work_t div, char* po, int osz, int ocode, real_t* slabs,
                      int n_threads, Py_ssize_t t0, Py_ssize_t t1) noexcept nogil:
    """Tasks t0 <= t < t1 (of _corr1d_ntasks; CHUNK outputs each, cut from the shape
    alone) over every (N, B) slab.

    In place (``slabs`` != NULL: the output is the input, ``n_threads`` slab buffers of
    N*B elements): one task per slab, which first copies its slab, so no task reads
    what another has written. Each output is computed from the same values either way."""
    cdef Py_ssize_t M = N * B
    cdef Py_ssize_t nch = _cdiv(M, CHUNK), t, a, m0, n
    cdef work_t* acc
    cdef real_t* buf
    if slabs != NULL:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                acc = <work_t*>malloc(CHUNK * sizeof(work_t))
                for a in prange(t0, t1, schedule="guided"):
                    buf = slabs + pyc_thread_num() * M
                    _corr1d_slab(px + a * M, buf, N, B, pw, K, lo, sym, mode, cv, div, acc,
                                 po + a * M * osz, osz, ocode)
                free(acc)
        else:
            acc = <work_t*>malloc(CHUNK * sizeof(work_t))
            for a in range(t0, t1):
                _corr1d_slab(px + a * M, slabs, N, B, pw, K, lo, sym, mode, cv, div, acc,
                             po + a * M * osz, osz, ocode)
            free(acc)
        return
    if n_threads > 1:
        with parallel(num_threads=n_threads):
            acc = <work_t*>malloc(CHUNK * sizeof(work_t))
            for t in prange(t0, t1, schedule="guided"):
                a = t // nch
                m0 = (t - a * nch) * CHUNK
                n = M - m0 if M - m0 < CHUNK else CHUNK
                _corr1d_task(px + a * M, N, B, m0, n, pw, K, lo, sym, mode, cv, div, acc,
                             po + (a * M + m0) * osz, ocode)
            free(acc)
    else:
        acc = <work_t*>malloc(CHUNK * sizeof(work_t))
        for t in range(t0, t1):
            a = t // nch
            m0 = (t - a * nch) * CHUNK
            n = M - m0 if M - m0 < CHUNK else CHUNK
            _corr1d_task(px + a * M, N, B, m0, n, pw, K, lo, sym, mode, cv, div, acc,
                         po + (a * M + m0) * osz, ocode)
        free(acc)


cdef void _corr1d_slab(const real_t* src, real_t* buf, Py_ssize_t N, Py_ssize_t B,
                       const work_t* pw, Py_ssize_t K, Py_ssize_t lo, int sym, int mode,
                       work_t cv, work_t div, work_t* acc, char* dst, int osz,
                       int ocode) noexcept nogil:
    """One whole (N, B) slab in place: copy it, then its chunks from the copy."""
    cdef Py_ssize_t M = N * B, m0, n
    memcpy(buf, src, M * sizeof(real_t))
    m0 = 0
    while m0 < M:
        n = M - m0 if M - m0 < CHUNK else CHUNK
        _corr1d_task(buf, N, B, m0, n, pw, K, lo, sym, mode, cv, div, acc, dst + m0 * osz,
                     ocode)
        m0 += n


cdef real_t* _slab_buffers(const real_t* px, char* po, Py_ssize_t M, int n_threads) except? NULL:
    """Per-thread slab copies when the call is in place (output is the input), else NULL."""
    cdef real_t* slabs
    if <const char*>px != <const char*>po:
        return NULL
    slabs = <real_t*>malloc(n_threads * M * sizeof(real_t))
    if slabs == NULL:
        raise MemoryError()
    return slabs


# ---------------------------------------------------------------- correlate1d: long kernels
# A kernel longer than the axis reads mostly border-extended values, which the
# tasks above fetch one element at a time through boundary_index (a division and
# a modulo per term). Here the border is resolved once per call into a table of
# N + K - 1 source rows (scipy's line buffer has that length), and per line into
# a padded copy for contiguous lines (B == 1): the taps then run over contiguous
# values, vectorized, whatever K. Per pixel the terms and their order are those
# of _corr1d_task (first term, then the rest in order, paired for symmetric
# kernels), so the results are the same. Memory: the table, plus one padded line
# per thread for B == 1, O(N + K) like scipy's, not O(K) per output row.

cdef void _long_outs(const work_t* line, Py_ssize_t n, const work_t* w, Py_ssize_t K,
                    int sym, work_t div, work_t* acc, char* dst, int code) noexcept nogil:
    """n (<= CHUNK) outputs of a contiguous line from its padded values ``line`` (output j
    reads line[j .. j + K - 1]), tap-major over the chunk."""
    cdef Py_ssize_t j, k, c = K // 2
    cdef const work_t* pa
    cdef const work_t* pb
    cdef work_t wk
    if sym != 0:
        pa = line + c
        wk = w[c]
        for j in range(n):
            acc[j] = pa[j] * wk
        for k in range(c):
            pa = line + k
            pb = line + 2 * c - k
            wk = w[k]
            if sym > 0:
                for j in range(n):
                    acc[j] = _madd(acc[j], pa[j] + pb[j], wk)
            else:
                for j in range(n):
                    acc[j] = _madd(acc[j], pa[j] - pb[j], wk)
    else:
        pa = line + K - 1
        wk = w[K - 1]
        for j in range(n):
            acc[j] = pa[j] * wk
        for k in range(K - 1):
            pa = line + k
            wk = w[k]
            for j in range(n):
                acc[j] = _madd(acc[j], pa[j], wk)
    if div != 1:
        for j in range(n):
            acc[j] = acc[j] / div
    _store(acc, n, dst, code)


cdef inline void _long_fill(const real_t* x, const Py_ssize_t* tab, Py_ssize_t m,
                            work_t cv, work_t* line) noexcept nogil:
    """line[t] = x[tab[t]] (tab[t] < 0: cv) for t < m."""
    cdef Py_ssize_t t, r
    for t in range(m):
        r = tab[t]
        line[t] = cv if r < 0 else <work_t>x[r]


cdef void _long_line(const real_t* x, Py_ssize_t N, const Py_ssize_t* tab, const work_t* w,
                     Py_ssize_t K, int sym, work_t cv, work_t div, work_t* acc, work_t* line,
                     char* dst, int osz, int code) noexcept nogil:
    """One whole contiguous line: padded into ``line`` (N + K - 1 values) before any of it
    is written (in place is safe), then CHUNK outputs at a time."""
    cdef Py_ssize_t i0, n
    _long_fill(x, tab, N + K - 1, cv, line)
    i0 = 0
    while i0 < N:
        n = N - i0 if N - i0 < CHUNK else CHUNK
        _long_outs(line + i0, n, w, K, sym, div, acc, dst + i0 * osz, code)
        i0 += n


cdef inline void _lanes1(work_t* acc, const real_t* slab, Py_ssize_t r, Py_ssize_t B,
                         Py_ssize_t nb, work_t wk, bint init, work_t cv) noexcept nogil:
    """acc[b] (=|+=) row r's lane b * wk (row -1: cv), b < nb (lanes from the slab's b0)."""
    cdef Py_ssize_t b
    cdef const real_t* p = slab + r * B
    if r < 0:
        for b in range(nb):
            acc[b] = cv * wk if init else _madd(acc[b], cv, wk)
    elif init:
        for b in range(nb):
            acc[b] = <work_t>p[b] * wk
    else:
        for b in range(nb):
            acc[b] = _madd(acc[b], <work_t>p[b], wk)


cdef inline void _lanes2(work_t* acc, const real_t* slab, Py_ssize_t ra, Py_ssize_t rb,
                         Py_ssize_t B, Py_ssize_t nb, work_t wk, int sym,
                         work_t cv) noexcept nogil:
    """acc[b] += (row ra +/- row rb, lane b) * wk (rows -1: cv), as _border1d pairs them."""
    cdef Py_ssize_t b
    cdef const real_t* pa = slab + ra * B
    cdef const real_t* pb = slab + rb * B
    cdef work_t t
    if ra >= 0 and rb >= 0:
        if sym > 0:
            for b in range(nb):
                acc[b] = _madd(acc[b], <work_t>pa[b] + <work_t>pb[b], wk)
        else:
            for b in range(nb):
                acc[b] = _madd(acc[b], <work_t>pa[b] - <work_t>pb[b], wk)
    elif ra >= 0:
        if sym > 0:
            for b in range(nb):
                acc[b] = _madd(acc[b], <work_t>pa[b] + cv, wk)
        else:
            for b in range(nb):
                acc[b] = _madd(acc[b], <work_t>pa[b] - cv, wk)
    elif rb >= 0:
        if sym > 0:
            for b in range(nb):
                acc[b] = _madd(acc[b], cv + <work_t>pb[b], wk)
        else:
            for b in range(nb):
                acc[b] = _madd(acc[b], cv - <work_t>pb[b], wk)
    else:
        t = cv + cv if sym > 0 else cv - cv
        for b in range(nb):
            acc[b] = _madd(acc[b], t, wk)


cdef void _long_row(const real_t* slab, Py_ssize_t B, Py_ssize_t i, Py_ssize_t b0,
                    Py_ssize_t nb, const Py_ssize_t* tab, const work_t* w, Py_ssize_t K,
                    int sym, work_t cv, work_t div, work_t* acc, char* dst,
                    int code) noexcept nogil:
    """Output row i, lanes b0 .. b0+nb, of one (N, B) slab (B > 1), source rows by ``tab``;
    ``dst``: the slab's output."""
    cdef Py_ssize_t k, b, c = K // 2
    cdef const real_t* s = slab + b0
    if sym != 0:
        _lanes1(acc, s, tab[i + c], B, nb, w[c], True, cv)
        for k in range(c):
            _lanes2(acc, s, tab[i + k], tab[i + 2 * c - k], B, nb, w[k], sym, cv)
    else:
        _lanes1(acc, s, tab[i + K - 1], B, nb, w[K - 1], True, cv)
        for k in range(K - 1):
            _lanes1(acc, s, tab[i + k], B, nb, w[k], False, cv)
    if div != 1:
        for b in range(nb):
            acc[b] = acc[b] / div
    _store(acc, nb, dst + (i * B + b0) * _OUT_SIZE[code], code)


cdef void _long_task(Py_ssize_t t, const real_t* px, Py_ssize_t N, Py_ssize_t B,
                     Py_ssize_t nch, const Py_ssize_t* tab, const work_t* w, Py_ssize_t K,
                     int sym, work_t cv, work_t div, work_t* acc, work_t* line, real_t* slab,
                     bint inplace, char* po, int osz, int code) noexcept nogil:
    """Task t: in place, a whole line (B == 1; padded before it is written) or a whole slab
    (``slab``: a per-thread copy of it, read while its outputs are written); else CHUNK
    outputs of a line (B == 1; only the n + K - 1 padded values they read), or one row's
    lanes of a slab (``nch``: CHUNK pieces per line or per row)."""
    cdef Py_ssize_t M = N * B, a, r, i, b0, i0, n
    if B == 1:
        if inplace:
            _long_line(px + t * N, N, tab, w, K, sym, cv, div, acc, line, po + t * N * osz,
                       osz, code)
            return
        a = t // nch
        i0 = (t - a * nch) * CHUNK
        n = N - i0 if N - i0 < CHUNK else CHUNK
        _long_fill(px + a * N, tab + i0, n + K - 1, cv, line)
        _long_outs(line, n, w, K, sym, div, acc, po + (a * N + i0) * osz, code)
        return
    if slab != NULL:
        memcpy(slab, px + t * M, M * sizeof(real_t))
        for i in range(N):
            b0 = 0
            while b0 < B:
                _long_row(slab, B, i, b0, B - b0 if B - b0 < CHUNK else CHUNK, tab, w, K, sym,
                          cv, div, acc, po + t * M * osz, code)
                b0 += CHUNK
        return
    a = t // (N * nch)
    r = t - a * N * nch
    i = r // nch
    b0 = (r - i * nch) * CHUNK
    _long_row(px + a * M, B, i, b0, B - b0 if B - b0 < CHUNK else CHUNK, tab, w, K, sym, cv,
              div, acc, po + a * M * osz, code)


cdef inline Py_ssize_t _long_ntasks(Py_ssize_t A, Py_ssize_t N, Py_ssize_t B,
                                    bint inplace) noexcept nogil:
    """Tasks of _corr1d_long: lines or slabs in place, else CHUNK outputs of a line (B == 1)
    or (slab, row, CHUNK lanes)."""
    if inplace:
        return A
    return A * _cdiv(N, CHUNK) if B == 1 else A * N * _cdiv(B, CHUNK)


cdef Py_ssize_t _corr1d_long(const real_t* px, Py_ssize_t A, Py_ssize_t N, Py_ssize_t B,
                             const work_t* pw, Py_ssize_t K, Py_ssize_t lo, int sym, int mode,
                             work_t cv, work_t div, char* po, int osz, int ocode,
                             int n_threads, Py_ssize_t t0, Py_ssize_t t1) except -1:
    """_corr1d_run for a kernel longer than the axis (K > N), tasks t0 <= t < t1 of
    _long_ntasks (see there; the caller clamps t1); see the section comment. The border
    table is rebuilt by every call: O(N + K), under one task's O(K * min(N, CHUNK))."""
    cdef bint inplace = <const char*>px == <const char*>po
    cdef Py_ssize_t L = N + K - 1, t, i
    cdef Py_ssize_t nch = _cdiv(N, CHUNK) if B == 1 else _cdiv(B, CHUNK)
    # work_t per thread: acc, and the padded line (in place) or a chunk's padded values
    cdef Py_ssize_t per = CHUNK + ((L if inplace else (N if N < CHUNK else CHUNK) + K - 1)
                                   if B == 1 else 0)
    cdef Py_ssize_t slabn = N * B if (inplace and B > 1) else 0  # real_t per thread
    cdef Py_ssize_t* tab
    cdef work_t* bufs
    cdef real_t* slabs
    cdef int tid
    if t1 <= t0:
        return 0
    tab = <Py_ssize_t*>malloc(L * sizeof(Py_ssize_t))
    bufs = <work_t*>malloc(n_threads * per * sizeof(work_t))
    slabs = <real_t*>malloc(n_threads * slabn * sizeof(real_t) + 1)
    if tab == NULL or bufs == NULL or slabs == NULL:
        free(tab)
        free(bufs)
        free(slabs)
        raise MemoryError(
            f"correlate1d: {K} taps on an axis of length {N} need a border table of {L} "
            f"entries and {n_threads} line buffers of {per} values: "
            f"{L * 8 + n_threads * (per * sizeof(work_t) + slabn * sizeof(real_t))} bytes")
    for i in range(L):
        tab[i] = boundary_index(i - lo, N, mode)
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, schedule="guided", num_threads=n_threads):
                tid = pyc_thread_num()
                _long_task(t, px, N, B, nch, tab, pw, K, sym, cv, div, bufs + tid * per,
                           bufs + tid * per + CHUNK, slabs + tid * slabn if slabn else NULL,
                           inplace, po, osz, ocode)
        else:
            for t in range(t0, t1):
                _long_task(t, px, N, B, nch, tab, pw, K, sym, cv, div, bufs, bufs + CHUNK,
                           slabs if slabn else NULL, inplace, po, osz, ocode)
    free(tab)
    free(bufs)
    free(slabs)
    return 0


cdef inline Py_ssize_t _tend(Py_ssize_t t1, Py_ssize_t T) noexcept nogil:
    """min(t1, T): where a call's task range ends."""
    return t1 if t1 < T else T


READS_WORK_DTYPE = False  # reads every real dtype directly (fused types)
#: the kernels may be called with ``out`` being ``x`` itself (1-D kernels: per-slab copies)
IN_PLACE = True


def fma_lanes(const float[::1] a, const float[::1] b, const float[::1] c, float[::1] out,
              bint scalar=False):
    """out = fmaf(a, b, c) elementwise, through the fused multiply-add of this level's
    float32 filter loops (hardware at the AVX levels, emulated exactly at the
    baseline: kernels/_fastconv.h pyc_fma4), or (``scalar``) of their scalar edges
    and generic kernels (pyc_fmaf1): for tests of its bits."""
    cdef Py_ssize_t n = a.shape[0]
    if b.shape[0] != n or c.shape[0] != n or out.shape[0] != n:
        raise ValueError(f"fma_lanes: a, b, c and out must have one length, got "
                         f"{n}, {b.shape[0]}, {c.shape[0]}, {out.shape[0]}")
    if n:
        with nogil:
            pyc_fma_lanes(&a[0], &b[0], &c[0], &out[0], n, scalar)


def correlate1d(const real_t[:, :, ::1] x, out, int ocode, const work_t[::1] w,
                Py_ssize_t lo, int sym, int mode, double cval, int n_threads, Py_ssize_t t0,
                Py_ssize_t t1):
    """1-D correlation along axis 1 of ``x`` (A, N, B) into ``out`` (flat bytes); ``out``
    may be ``x`` itself (per-thread copies of one (N, B) slab at a time). Runs tasks
    t0 <= t < min(t1, T) and returns T, the call's task count (``t1`` = 0: no work)."""
    cdef Py_ssize_t A = x.shape[0], N = x.shape[1], B = x.shape[2], T
    cdef char* po
    cdef real_t* slabs
    cdef bint inplace
    if A * N * B == 0:
        return 0
    po = _out_ptr(out)
    inplace = <const char*>&x[0, 0, 0] == <const char*>po
    if w.shape[0] > N:
        T = _long_ntasks(A, N, B, inplace)
        _corr1d_long(&x[0, 0, 0], A, N, B, &w[0], w.shape[0], lo, sym, mode, <work_t>cval,
                     <work_t>1, po, _OUT_SIZE[ocode], ocode, n_threads, t0, _tend(t1, T))
        return T
    T = _corr1d_ntasks(A, N, B, inplace)
    t1 = _tend(t1, T)
    if t1 <= t0:
        return T
    slabs = _slab_buffers(&x[0, 0, 0], po, N * B, n_threads)
    with nogil:
        _corr1d_run(&x[0, 0, 0], A, N, B, &w[0], w.shape[0], lo, sym, mode, <work_t>cval,
                    <work_t>1, po, _OUT_SIZE[ocode], ocode, slabs, n_threads, t0, t1)
    free(slabs)
    return T


# ---------------------------------------------------------------- dense correlate

cdef inline work_t _fetch_x(const real_t* src, Py_ssize_t xi, Py_ssize_t W, int mode,
                            work_t cv) noexcept nogil:
    cdef Py_ssize_t xx = boundary_index(xi, W, mode)
    return cv if xx < 0 else <work_t>src[xx]


cdef void _taps4(work_t* acc, const real_t** srcs, Py_ssize_t x0, Py_ssize_t n, Py_ssize_t W,
                 const work_t* w, const int64_t* offs, Py_ssize_t g, int mode,
                 work_t cv) noexcept nogil:
    """Taps 0..g-1 (g <= 4, C order), tap q reading source row ``srcs[q]``, fused: one
    pass over acc for up to four taps (1 load + 1 store of acc instead of four);
    every output still adds its terms in tap order."""
    cdef Py_ssize_t j, q, jlo = 0, jhi = n, lo_q, hi_q
    cdef const real_t* p0
    cdef const real_t* p1
    cdef const real_t* p2
    cdef const real_t* p3
    cdef work_t w0 = w[0], w1 = 0, w2 = 0, w3 = 0, sacc
    for q in range(g):
        lo_q = _clip(-offs[3 * q + 2] - x0, n)
        hi_q = _clip(W - offs[3 * q + 2] - x0, n)
        if lo_q > jlo:
            jlo = lo_q
        if hi_q < jhi:
            jhi = hi_q
    if jhi < jlo:
        jhi = jlo
    # border outputs: every tap of the group in order, through boundary_index
    for j in range(jlo):
        sacc = acc[j]
        for q in range(g):
            sacc = _madd(sacc, _fetch_x(srcs[q], x0 + j + offs[3 * q + 2], W, mode, cv), w[q])
        acc[j] = sacc
    for j in range(jhi, n):
        sacc = acc[j]
        for q in range(g):
            sacc = _madd(sacc, _fetch_x(srcs[q], x0 + j + offs[3 * q + 2], W, mode, cv), w[q])
        acc[j] = sacc
    p0 = srcs[0] + x0 + offs[2]
    if g == 1:
        for j in range(jlo, jhi):
            acc[j] = _madd(acc[j], <work_t>p0[j], w0)
        return
    p1 = srcs[1] + x0 + offs[5]
    w1 = w[1]
    if g == 2:
        for j in range(jlo, jhi):
            acc[j] = _madd(_madd(acc[j], <work_t>p0[j], w0), <work_t>p1[j], w1)
        return
    p2 = srcs[2] + x0 + offs[8]
    w2 = w[2]
    if g == 3:
        for j in range(jlo, jhi):
            acc[j] = _madd(_madd(_madd(acc[j], <work_t>p0[j], w0), <work_t>p1[j], w1),
                           <work_t>p2[j], w2)
        return
    p3 = srcs[3] + x0 + offs[11]
    w3 = w[3]
    for j in range(jlo, jhi):
        acc[j] = _madd(_madd(_madd(_madd(acc[j], <work_t>p0[j], w0), <work_t>p1[j], w1),
                             <work_t>p2[j], w2), <work_t>p3[j], w3)


cdef void _corr_task(const real_t* x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                     Py_ssize_t row, Py_ssize_t x0, Py_ssize_t n, const work_t* w,
                     const int64_t* offs, Py_ssize_t ntap, int mode, work_t cv,
                     work_t* acc, char* dst, int code) noexcept nogil:
    """Outputs x0 .. x0+n of output row ``row`` (= z*H + y): sum over taps in C order.
    Runs of taps whose source rows exist are fused four at a time (_taps4)."""
    cdef Py_ssize_t z = row // H, y = row - (row // H) * H
    cdef Py_ssize_t t, j, g, zz, yy
    cdef const real_t* srcs[4]
    for j in range(n):
        acc[j] = 0
    t = 0
    while t < ntap:
        g = 0
        while g < 4 and t + g < ntap:
            zz = boundary_index(z + offs[3 * (t + g)], D, mode)
            yy = boundary_index(y + offs[3 * (t + g) + 1], H, mode)
            if zz < 0 or yy < 0:
                break
            srcs[g] = x + (zz * H + yy) * W
            g += 1
        if g == 0:  # constant-mode tap outside the rows: cval for the whole chunk
            for j in range(n):
                acc[j] = _madd(acc[j], cv, w[t])
            t += 1
            continue
        _taps4(acc, srcs, x0, n, W, w + t, offs + 3 * t, g, mode, cv)
        t += g
    _store(acc, n, dst, code)


cdef void _taps4x2(work_t* acc0, work_t* acc1, const real_t* src, Py_ssize_t x0,
                   Py_ssize_t n, Py_ssize_t W, const work_t* wa, const work_t* wb,
                   const int64_t* offs, Py_ssize_t g, int mode, work_t cv) noexcept nogil:
    """Register blocking over two output rows: taps q < g (g <= 4) of one source row,
    each loaded value feeding acc0 (weights ``wa``) and acc1 (weights ``wb``): half
    the loads per FMA of _taps4. Each accumulator still adds its taps in order."""
    cdef Py_ssize_t j, q, jlo = 0, jhi = n, lo_q, hi_q
    cdef const real_t* p0
    cdef const real_t* p1
    cdef const real_t* p2
    cdef const real_t* p3
    cdef work_t v0, v1, v2, v3, s0, s1
    # weights in locals: through the pointers GCC must assume acc stores change them
    cdef work_t a0 = wa[0], b0 = wb[0], a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0
    if g > 1:
        a1 = wa[1]
        b1 = wb[1]
    if g > 2:
        a2 = wa[2]
        b2 = wb[2]
    if g > 3:
        a3 = wa[3]
        b3 = wb[3]
    for q in range(g):
        lo_q = _clip(-offs[3 * q + 2] - x0, n)
        hi_q = _clip(W - offs[3 * q + 2] - x0, n)
        jlo = lo_q if lo_q > jlo else jlo
        jhi = hi_q if hi_q < jhi else jhi
    if jhi < jlo:
        jhi = jlo
    for j in range(jlo):
        s0 = acc0[j]
        s1 = acc1[j]
        for q in range(g):
            v0 = _fetch_x(src, x0 + j + offs[3 * q + 2], W, mode, cv)
            s0 = _madd(s0, v0, wa[q])
            s1 = _madd(s1, v0, wb[q])
        acc0[j] = s0
        acc1[j] = s1
    for j in range(jhi, n):
        s0 = acc0[j]
        s1 = acc1[j]
        for q in range(g):
            v0 = _fetch_x(src, x0 + j + offs[3 * q + 2], W, mode, cv)
            s0 = _madd(s0, v0, wa[q])
            s1 = _madd(s1, v0, wb[q])
        acc0[j] = s0
        acc1[j] = s1
    p0 = src + x0 + offs[2]
    if g == 1:
        for j in range(jlo, jhi):
            v0 = <work_t>p0[j]
            acc0[j] = _madd(acc0[j], v0, a0)
            acc1[j] = _madd(acc1[j], v0, b0)
        return
    p1 = src + x0 + offs[5]
    if g == 2:
        for j in range(jlo, jhi):
            v0 = <work_t>p0[j]
            v1 = <work_t>p1[j]
            acc0[j] = _madd(_madd(acc0[j], v0, a0), v1, a1)
            acc1[j] = _madd(_madd(acc1[j], v0, b0), v1, b1)
        return
    p2 = src + x0 + offs[8]
    if g == 3:
        for j in range(jlo, jhi):
            v0 = <work_t>p0[j]
            v1 = <work_t>p1[j]
            v2 = <work_t>p2[j]
            acc0[j] = _madd(_madd(_madd(acc0[j], v0, a0), v1, a1), v2, a2)
            acc1[j] = _madd(_madd(_madd(acc1[j], v0, b0), v1, b1), v2, b2)
        return
    p3 = src + x0 + offs[11]
    for j in range(jlo, jhi):
        v0 = <work_t>p0[j]
        v1 = <work_t>p1[j]
        v2 = <work_t>p2[j]
        v3 = <work_t>p3[j]
        acc0[j] = _madd(_madd(_madd(_madd(acc0[j], v0, a0), v1, a1), v2, a2),
                        v3, a3)
        acc1[j] = _madd(_madd(_madd(_madd(acc1[j], v0, b0), v1, b1), v2, b2),
                        v3, b3)


cdef void _corr_pair(const real_t* x, Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                     Py_ssize_t z, Py_ssize_t y, Py_ssize_t x0, Py_ssize_t n, const work_t* w,
                     const int64_t* offs, Py_ssize_t kh, Py_ssize_t kw, int mode, work_t cv,
                     work_t* acc0, work_t* acc1, char* dst0, char* dst1,
                     int code) noexcept nogil:
    """Output rows y and y+1 (plane z) of a full kh x kw grid of taps (one dz), skewed:
    phase p loads source row y + dy(p) once for kernel row p of output y and kernel
    row p-1 of output y+1 (the same source row)."""
    cdef Py_ssize_t p, q, g, j, zz, yy, ra, rb
    cdef const real_t* srcs[4]
    cdef const real_t* src
    for j in range(n):
        acc0[j] = 0
        acc1[j] = 0
    zz = boundary_index(z + offs[0], D, mode)
    for p in range(kh + 1):
        ra = p * kw          # first tap of kernel row p (output y), if p < kh
        rb = (p - 1) * kw    # first tap of kernel row p - 1 (output y + 1), if p >= 1
        if p < kh:
            yy = boundary_index(y + offs[3 * ra + 1], H, mode)
        else:
            yy = boundary_index(y + 1 + offs[3 * rb + 1], H, mode)
        if zz < 0 or yy < 0:
            if p < kh:
                for q in range(kw):
                    for j in range(n):
                        acc0[j] = _madd(acc0[j], cv, w[ra + q])
            if p >= 1:
                for q in range(kw):
                    for j in range(n):
                        acc1[j] = _madd(acc1[j], cv, w[rb + q])
            continue
        src = x + (zz * H + yy) * W
        srcs[0] = src
        srcs[1] = src
        srcs[2] = src
        srcs[3] = src
        q = 0
        while q < kw:
            g = kw - q if kw - q < 4 else 4
            if p < kh and p >= 1:
                _taps4x2(acc0, acc1, src, x0, n, W, w + ra + q, w + rb + q,
                         offs + 3 * (ra + q), g, mode, cv)
            elif p < kh:
                _taps4(acc0, srcs, x0, n, W, w + ra + q, offs + 3 * (ra + q), g, mode, cv)
            else:
                _taps4(acc1, srcs, x0, n, W, w + rb + q, offs + 3 * (rb + q), g, mode, cv)
            q += g
    _store(acc0, n, dst0, code)
    _store(acc1, n, dst1, code)


cdef Py_ssize_t _grid_width(const int64_t[:, ::1] offs):
    """kw if the taps form a full kh x kw grid in C order with one dz, consecutive dy and
    the same dx sequence in every row (no zero-skipped taps), else 0."""
    cdef Py_ssize_t ntap = offs.shape[0], kw = 0, t, r, q
    if ntap == 0:
        return 0
    while kw < ntap and offs[kw, 1] == offs[0, 1]:
        kw += 1
    if ntap % kw != 0:
        return 0
    for t in range(ntap):
        r = t // kw
        q = t - r * kw
        if (offs[t, 0] != offs[0, 0] or offs[t, 1] != offs[0, 1] + r
                or offs[t, 2] != offs[q, 2]):
            return 0
    return kw


# ---------------------------------------------------------------- dense float32 fast path

cdef enum:
    DENSE_ROWS = 4     # output rows per task (pyc_dense4_f32's register block)
    PF_AHEAD = 2        # prefetch the rows of the task two ahead (same thread under guided)
    PIECE = 512        # columns per pass: the task's source rows stay in L1


cdef inline Py_ssize_t _round16(Py_ssize_t n) noexcept nogil:
    return (n + 15) // 16 * 16


cdef inline Py_ssize_t _row_floats(Py_ssize_t kw) noexcept nogil:
    """Floats per border-row buffer of a PIECE-column pass (keeps pointers 8-byte aligned)."""
    return _round16(PIECE + kw - 1)


cdef void _dense_fill(const float* row, float* b, Py_ssize_t x_from, Py_ssize_t m,
                      Py_ssize_t W, Py_ssize_t dx0, const Py_ssize_t* coltab,
                      float cv) noexcept nogil:
    """b[jj] = source column x_from + jj + dx0 of ``row`` (NULL: the constant row),
    border-extended through ``coltab``, for jj < m; the in-range part by memcpy."""
    cdef Py_ssize_t lo_j, hi_j, jj, c
    if row == NULL:
        for jj in range(m):
            b[jj] = cv
        return
    lo_j = _clip(-(x_from + dx0), m)
    hi_j = _clip(W - (x_from + dx0), m)
    if hi_j < lo_j:
        hi_j = lo_j
    for jj in range(lo_j):
        c = coltab[x_from + jj]
        b[jj] = cv if c < 0 else row[c]
    if hi_j > lo_j:
        memcpy(b + lo_j, row + x_from + dx0 + lo_j, (hi_j - lo_j) * sizeof(float))
    for jj in range(hi_j, m):
        c = coltab[x_from + jj]
        b[jj] = cv if c < 0 else row[c]


cdef void _dense_f32_task(const float* plane, Py_ssize_t W, Py_ssize_t nrows, Py_ssize_t y0,
                          Py_ssize_t R,
                          const Py_ssize_t* rowtab, const Py_ssize_t* coltab, Py_ssize_t kh,
                          Py_ssize_t kw, Py_ssize_t dx0, const float* w, float cv,
                          float* buf, const float* cvrow, const float** rows,
                          const float** pp, float* outp, Py_ssize_t xa,
                          Py_ssize_t xb) noexcept nogil:
    """Output rows y0 .. y0+R (R <= DENSE_ROWS) of one plane, columns xa .. xb (xa a
    multiple of PIECE), PIECE columns at a time.

    Source row s (s < R + kh - 1) is row ``rowtab[y0 + s]`` of ``plane`` (NULL plane or
    -1: the constant). Interior pieces read the rows in place; the two border pieces
    read copies extended by ``coltab`` (the row's in-range part by memcpy)."""
    cdef Py_ssize_t S = R + kh - 1, s, r, x0, n, m, bw = _row_floats(kw)
    cdef bint interior
    cdef float* b
    cdef float* op[4]
    cdef const float* pf[2 * DENSE_ROWS]
    cdef int npf
    for s in range(S):
        r = rowtab[y0 + s] if plane != NULL else -1
        rows[s] = plane + r * W if r >= 0 else NULL
    x0 = xa
    while x0 < xb:
        n = xb - x0 if xb - x0 < PIECE else PIECE
        m = n + kw - 1
        interior = x0 + dx0 >= 0 and x0 + dx0 + m <= W
        for s in range(S):
            if rows[s] == NULL:
                pp[s] = cvrow
            elif interior:
                pp[s] = rows[s] + x0 + dx0
            else:
                b = buf + s * bw
                _dense_fill(rows[s], b, x0, m, W, dx0, coltab, cv)
                pp[s] = b
        # a later task's new source rows and its output rows, at this piece's columns
        npf = 0
        if interior:
            for s in range(S + PF_AHEAD * DENSE_ROWS - DENSE_ROWS, S + PF_AHEAD * DENSE_ROWS):
                r = rowtab[y0 + s] if plane != NULL else -1
                if r >= 0:
                    pf[npf] = plane + r * W + x0 + dx0
                    npf += 1
                r = y0 + s - S + R
                if r < nrows:
                    pf[npf] = outp + r * W + x0
                    npf += 1
        if R == DENSE_ROWS:
            for r in range(DENSE_ROWS):
                op[r] = outp + (y0 + r) * W + x0
            pyc_dense4_f32(pp, kh, kw, w, n, op, pf, npf, 0)
        else:
            for r in range(R):
                pyc_dense1_f32(pp + r, kh, kw, w, n, outp + (y0 + r) * W + x0)
        x0 += n


cdef inline void _dense_f32_one(Py_ssize_t t, const float* px, float* po, Py_ssize_t D,
                                Py_ssize_t H, Py_ssize_t W, const float* w, Py_ssize_t kh,
                                Py_ssize_t kw, Py_ssize_t dz, const Py_ssize_t* rowtab,
                                const Py_ssize_t* coltab, Py_ssize_t dx0, int mode, float cv,
                                float* tbuf, Py_ssize_t cols) noexcept nogil:
    """Task t (plane z, rows y0 .. y0+DENSE_ROWS, a block of ``cols`` columns) with one
    thread's buffer ``tbuf``: S border rows, one constant row, then 2 * S row pointers."""
    cdef Py_ssize_t ncb = _cdiv(W, cols), cb = t % ncb
    cdef Py_ssize_t nb = _cdiv(H, DENSE_ROWS), z, y0, R, zz
    cdef Py_ssize_t xa = cb * cols, xb = W if W - cb * cols < cols else (cb + 1) * cols
    cdef Py_ssize_t S = DENSE_ROWS + kh - 1, bw = _row_floats(kw)
    cdef const float** rows = <const float**>(tbuf + (S + 1) * bw)
    cdef const float* plane
    t = t // ncb
    z = t // nb
    y0 = (t - z * nb) * DENSE_ROWS
    R = H - y0 if H - y0 < DENSE_ROWS else DENSE_ROWS
    zz = boundary_index(z + dz, D, mode)
    plane = px + zz * H * W if zz >= 0 else NULL
    _dense_f32_task(plane, W, H, y0, R, rowtab, coltab, kh, kw, dx0, w, cv, tbuf,
                    tbuf + S * bw, rows, rows + S, po + z * H * W, xa, xb)


cdef enum:
    RING_ROWS = 16     # output rows per task of the ring path
    STREAM_MIN = 1 << 23  # floats of output (32 MiB) from which the ring path streams its stores
    STREAM_TAPS = 16      # ... for kernels of at most this many taps


cdef void _dense_rows(const float** rp, const float** rq, Py_ssize_t R, Py_ssize_t kh,
                      Py_ssize_t kw, const float* w, Py_ssize_t n, float* outp,
                      Py_ssize_t W, int stream, const float** nxt, int nnxt) noexcept nogil:
    """Output rows r < R (row r at outp + r * W), columns j < n, from source rows rp[r ..
    r + kh - 1] (element j + q for tap column q), DENSE_ROWS rows at a time. ``stream``:
    columns from the first 64-byte boundary of the output rows on use non-temporal
    stores (when W % 16 == 0 the rows share that boundary). ``rq``: scratch pointers."""
    cdef Py_ssize_t r = 0, s, a
    cdef float* op[4]
    cdef const float* pf[DENSE_ROWS]
    cdef int npf
    while r + DENSE_ROWS <= R:
        for s in range(DENSE_ROWS):
            op[s] = outp + (r + s) * W
        # spread the prefetch of the rows ``nxt`` (the next task's) over the row blocks
        npf = 0
        for s in range(r, r + DENSE_ROWS):
            if s < nnxt and nxt[s] != NULL:
                pf[npf] = nxt[s]
                npf += 1
        a = ((64 - (<size_t>op[0] & 63)) & 63) // sizeof(float)
        if stream and W % 16 == 0 and n >= a + 64:
            pyc_dense4_f32(rp + r, kh, kw, w, a, op, NULL, 0, 0)
            for s in range(DENSE_ROWS):
                op[s] = op[s] + a
            for s in range(DENSE_ROWS + kh - 1):
                rq[s] = rp[r + s] + a
            for s in range(npf):
                pf[s] = pf[s] + a
            pyc_dense4_f32(rq, kh, kw, w, n - a, op, pf, npf, 1)
        else:
            pyc_dense4_f32(rp + r, kh, kw, w, n, op, pf, npf, 0)
        r += DENSE_ROWS
    while r < R:
        pyc_dense1_f32(rp + r, kh, kw, w, n, outp + r * W)
        r += 1


cdef void _dense_ring_task(Py_ssize_t t, const float* px, float* po, Py_ssize_t D,
                           Py_ssize_t H, Py_ssize_t W, const float* w, Py_ssize_t kh,
                           Py_ssize_t kw, Py_ssize_t dz, const Py_ssize_t* rowtab,
                           const Py_ssize_t* coltab, Py_ssize_t dx0, int mode, float cv,
                           Py_ssize_t Wp, float* ring, const float** rp,
                           int stream, int prefetch, Py_ssize_t* last) noexcept nogil:
    """Task t: RING_ROWS output rows of one plane. The R + kh - 1 source rows they read
    are first copied, border-extended (``coltab``; the constant for missing rows), into
    a ring of rows ``Wp`` floats apart; the kernel then needs no border cases. Measured
    against reading the image rows in place (with copies only for the border columns):
    the copy is faster at every kernel size, at 256 rows (in L3) as at 4096 (in DRAM):
    the copies are sequential streams, and image rows a power of two apart share L1
    sets and evict each other. ``last``: the thread's previous task."""
    cdef Py_ssize_t nb = _cdiv(H, RING_ROWS), z = t // nb, y0, R, zz, s, r, S, fresh
    cdef Py_ssize_t NS = RING_ROWS + kh - 1
    cdef const float* plane
    cdef float* outp
    cdef const float** rows = rp + 2 * (RING_ROWS + kh)
    cdef const float** rq = rp + RING_ROWS + kh
    y0 = (t - z * nb) * RING_ROWS
    R = H - y0 if H - y0 < RING_ROWS else RING_ROWS
    S = R + kh - 1
    zz = boundary_index(z + dz, D, mode)
    plane = px + zz * H * W if zz >= 0 else NULL
    outp = po + (z * H + y0) * W
    for s in range(S):
        r = rowtab[y0 + s] if plane != NULL else -1
        rows[s] = plane + r * W if r >= 0 else NULL
    # ring slot of row index y0 + s: (y0 + s) % NS; when this thread's previous task was
    # t - 1 (same plane), its last kh - 1 rows are this task's first, already filled
    fresh = kh - 1 if last[0] == t - 1 and y0 > 0 else 0
    last[0] = t
    for s in range(S):
        rp[s] = ring + ((y0 + s) % NS) * Wp
        if s >= fresh:
            _dense_fill(rows[s], <float*>rp[s], 0, W + kw - 1, W, dx0, coltab, cv)
    # the source rows the next task (t + 1, usually this thread's next) copies first,
    # prefetched while this one computes, unless ``prefetch`` is 0
    for s in range(RING_ROWS):
        r = y0 + RING_ROWS + kh - 1 + s
        rows[s] = (plane + rowtab[r] * W
                   if prefetch and plane != NULL and r < H + kh - 1 and rowtab[r] >= 0
                   else NULL)
    _dense_rows(rp, rq, R, kh, kw, w, W, outp, W, stream, rows, RING_ROWS)


cdef Py_ssize_t _dense_f32_run(const float* px, float* po, Py_ssize_t D, Py_ssize_t H,
                               Py_ssize_t W, const float* w, const int64_t* offs,
                               Py_ssize_t kh, Py_ssize_t kw, int mode, float cv,
                               int n_threads, Py_ssize_t t0, Py_ssize_t t1) except -1:
    """A full kh x kw float32 grid of taps (one dz): border tables and per-thread
    buffers (allocated here, so a failure is a MemoryError, not a skipped task),
    then tasks t0 <= t < min(t1, T) of RING_ROWS output rows (the ring path) or of
    DENSE_ROWS rows by at most ``cols`` columns; returns T. Each call rebuilds the tables
    and buffers, O(H + W + threads * scratch): a slice of tasks costs more than that."""
    cdef Py_ssize_t dz = offs[0], dy0 = offs[1], dx0 = offs[2], i, t
    cdef Py_ssize_t S = DENSE_ROWS + kh - 1, bw = _row_floats(kw)
    # floats per thread: S border rows + the constant row + 2 * S pointers, 64-byte multiple
    cdef Py_ssize_t per = _round16((S + 1) * bw + 2 * S * <Py_ssize_t>sizeof(void*) // 4)
    # without the ring, a task's DENSE_ROWS rows are cut into blocks of ``cols`` columns
    # (whole PIECEs) so that one task stays below TASK_WORK multiply-adds on wide images:
    # one task is what a stop request may have to wait for
    cdef Py_ssize_t cols = TASK_WORK // (DENSE_ROWS * kh * kw * PIECE) * PIECE
    cdef Py_ssize_t T
    # outputs beyond the last-level cache, of kernels too small to hide the memory
    # traffic behind arithmetic, are streamed (non-temporal stores: measured, 3x3 gains
    # 20-25% at 4096^2; 5x5 and 9x9 lose)
    cdef int stream = D * H * W >= STREAM_MIN and kh * kw <= STREAM_TAPS
    # prefetching the next task's rows (A/B in one process, 4096^2): 5x5 and 9x9 gain
    # 3-6% at 1 and 2 threads, a streamed 3x3 gains ~10% on 1 thread but loses up to 8%
    # on 2, where the memory bus rather than one core's outstanding misses is the limit
    cdef int prefetch = not stream or n_threads == 1
    # the ring path: RING_ROWS + kh - 1 copied rows, 64 bytes past a multiple of 64 apart
    cdef Py_ssize_t Wp = _round16(W + kw - 1) + 16
    cdef Py_ssize_t ringf = (RING_ROWS + kh - 1) * Wp
    cdef Py_ssize_t ringp = ringf + _round16(3 * (RING_ROWS + kh) * <Py_ssize_t>sizeof(void*) // 4) + 16
    cdef bint ring = ringf * sizeof(float) <= RING_MAX
    cdef Py_ssize_t* rowtab
    cdef Py_ssize_t* coltab
    cdef float* bufs
    if cols < PIECE:
        cols = PIECE
    T = D * _cdiv(H, RING_ROWS) if ring else D * _cdiv(H, DENSE_ROWS) * _cdiv(W, cols)
    t1 = _tend(t1, T)
    if t1 <= t0:
        return T
    rowtab = <Py_ssize_t*>malloc((H + kh + (PF_AHEAD + 1) * DENSE_ROWS) * sizeof(Py_ssize_t))
    coltab = <Py_ssize_t*>malloc((W + kw) * sizeof(Py_ssize_t))
    bufs = <float*>malloc(n_threads * per * sizeof(float))
    if rowtab == NULL or coltab == NULL or bufs == NULL:
        free(rowtab)
        free(coltab)
        free(bufs)
        raise MemoryError()
    for i in range(H + kh + (PF_AHEAD + 1) * DENSE_ROWS):
        rowtab[i] = boundary_index(i + dy0, H, mode)
    for i in range(W + kw):
        coltab[i] = boundary_index(i + dx0, W, mode)
    if ring:
        free(bufs)
        bufs = <float*>malloc(n_threads * ringp * sizeof(float))
        if bufs == NULL:
            free(rowtab)
            free(coltab)
            raise MemoryError()
        for t in range(n_threads):  # each thread's "previous task" slot: none yet
            (<Py_ssize_t*>(bufs + t * ringp + ringp - 16))[0] = -2
        with nogil:
            if n_threads > 1:
                for t in prange(t0, t1, schedule="guided", num_threads=n_threads):
                    _dense_ring_task(t, px, po, D, H, W, w, kh, kw, dz, rowtab, coltab, dx0,
                                     mode, cv, Wp, bufs + pyc_thread_num() * ringp,
                                     <const float**>(bufs + pyc_thread_num() * ringp + ringf),
                                     stream, prefetch,
                                     <Py_ssize_t*>(bufs + pyc_thread_num() * ringp + ringp - 16))
            else:
                for t in range(t0, t1):
                    _dense_ring_task(t, px, po, D, H, W, w, kh, kw, dz, rowtab, coltab, dx0,
                                     mode, cv, Wp, bufs, <const float**>(bufs + ringf), stream,
                                     prefetch, <Py_ssize_t*>(bufs + ringp - 16))
        free(rowtab)
        free(coltab)
        free(bufs)
        return T
    for t in range(n_threads):
        for i in range(bw):
            bufs[t * per + S * bw + i] = cv
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, schedule="guided", num_threads=n_threads):
                _dense_f32_one(t, px, po, D, H, W, w, kh, kw, dz, rowtab, coltab, dx0, mode,
                               cv, bufs + pyc_thread_num() * per, cols)
        else:
            for t in range(t0, t1):
                _dense_f32_one(t, px, po, D, H, W, w, kh, kw, dz, rowtab, coltab, dx0, mode,
                               cv, bufs, cols)
    free(rowtab)
    free(coltab)
    free(bufs)
    return T


cdef enum:
    DENSE_SCRATCH_MAX = 1 << 26  # bytes per thread the float32 fast path may take


cdef Py_ssize_t _dense_scratch(Py_ssize_t W, Py_ssize_t kh, Py_ssize_t kw) noexcept:
    """Bytes per thread of _dense_f32_run's buffers (the ring when it fits RING_MAX, else
    the border rows): they grow with kh * (W + kw); above DENSE_SCRATCH_MAX (kernels of
    millions of taps) the generic kernel runs instead, with O(CHUNK) scratch and the
    same values (the same fma order per pixel)."""
    cdef Py_ssize_t ring = (RING_ROWS + kh - 1) * (_round16(W + kw - 1) + 16) * 4
    cdef Py_ssize_t S = DENSE_ROWS + kh - 1
    if ring <= RING_MAX:
        return ring
    return ((S + 1) * _row_floats(kw) + 4 * S) * 4


cdef bint _consecutive_dx(const int64_t* offs, Py_ssize_t kw) noexcept:
    """The dx of a grid row run dx0, dx0 + 1, ... (no zero-skipped tap in between):
    what the float32 fast path assumes; _corr_pair reads each tap's own dx."""
    cdef Py_ssize_t q
    for q in range(kw):
        if offs[3 * q + 2] != offs[2] + q:
            return False
    return True


def correlate(const real_t[:, :, ::1] x, out, int ocode, const work_t[::1] w,
              const int64_t[:, ::1] offs, int mode, double cval, int n_threads, Py_ssize_t t0,
              Py_ssize_t t1):
    """Dense correlation of ``x`` (D, H, W); tap ``t`` reads ``x[z+dz, y+dy, x+dx]`` with
    ``offs[t] = (dz, dy, dx)`` and weight ``w[t]`` (zero taps already dropped). Runs
    tasks t0 <= t < min(t1, T), returns T (``t1`` = 0: no work).

    A full 2-D grid of taps (the usual dense kernel) runs two output rows per task
    (_corr_pair, each source load feeding both); other tap sets one row per task."""
    cdef Py_ssize_t D = x.shape[0], H = x.shape[1], W = x.shape[2], ntap = w.shape[0]
    cdef Py_ssize_t kw = _grid_width(offs) if ntap > 1 else 0
    cdef Py_ssize_t kh = ntap // kw if kw > 0 else 0
    cdef Py_ssize_t rows = D * _cdiv(H, 2) if kw > 0 else D * H
    cdef Py_ssize_t nch = _cdiv(W, CHUNK), T = rows * nch
    cdef char* po
    cdef int osz = _OUT_SIZE[ocode]
    cdef const real_t* px = &x[0, 0, 0]
    cdef const work_t* pw = &w[0] if ntap > 0 else NULL
    cdef const int64_t* po_ = &offs[0, 0] if ntap > 0 else NULL
    cdef work_t cv = <work_t>cval
    cdef work_t* acc
    cdef Py_ssize_t t
    if T == 0:
        return 0
    po = _out_ptr(out)
    if (real_t is float and work_t is float and ocode == OUT_F32 and kw > 0
            and _consecutive_dx(po_, kw) and _dense_scratch(W, kh, kw) <= DENSE_SCRATCH_MAX):
        return _dense_f32_run(px, <float*>po, D, H, W, pw, po_, kh, kw, mode, cv, n_threads,
                              t0, t1)
    t1 = _tend(t1, T)
    if t1 <= t0:
        return T
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                acc = <work_t*>malloc(2 * CHUNK * sizeof(work_t))
                for t in prange(t0, t1, schedule="guided"):
                    _corr_dispatch(t, px, D, H, W, nch, pw, po_, ntap, kh, kw, mode, cv, acc,
                                   po, osz, ocode)
                free(acc)
        else:
            acc = <work_t*>malloc(2 * CHUNK * sizeof(work_t))
            for t in range(t0, t1):
                _corr_dispatch(t, px, D, H, W, nch, pw, po_, ntap, kh, kw, mode, cv, acc,
                               po, osz, ocode)
            free(acc)
    return T


cdef inline void _corr_dispatch(Py_ssize_t t, const real_t* px, Py_ssize_t D, Py_ssize_t H,
                                Py_ssize_t W, Py_ssize_t nch, const work_t* pw,
                                const int64_t* offs, Py_ssize_t ntap, Py_ssize_t kh,
                                Py_ssize_t kw, int mode, work_t cv, work_t* acc, char* po,
                                int osz, int ocode) noexcept nogil:
    """Task ``t``: a chunk of one output row, or of a pair of rows for grid kernels."""
    cdef Py_ssize_t r = t // nch, x0 = (t - (t // nch) * nch) * CHUNK, n, z, y, hp
    n = W - x0 if W - x0 < CHUNK else CHUNK
    if kw == 0:
        _corr_task(px, D, H, W, r, x0, n, pw, offs, ntap, mode, cv, acc,
                   po + (r * W + x0) * osz, ocode)
        return
    hp = _cdiv(H, 2)
    z = r // hp
    y = 2 * (r - z * hp)
    if y + 1 < H:
        _corr_pair(px, D, H, W, z, y, x0, n, pw, offs, kh, kw, mode, cv, acc, acc + CHUNK,
                   po + ((z * H + y) * W + x0) * osz, po + ((z * H + y + 1) * W + x0) * osz,
                   ocode)
    else:
        _corr_task(px, D, H, W, z * H + y, x0, n, pw, offs, ntap, mode, cv, acc,
                   po + ((z * H + y) * W + x0) * osz, ocode)


# ---------------------------------------------------------------- uniform1d

cdef inline double _val(const real_t* slab, Py_ssize_t r, Py_ssize_t N, Py_ssize_t B,
                        Py_ssize_t b, int mode, double cv) noexcept nogil:
    cdef Py_ssize_t rr = boundary_index(r, N, mode)
    return cv if rr < 0 else <double>slab[rr * B + b]


cdef void _uniform_task(const real_t* slab, Py_ssize_t N, Py_ssize_t B, Py_ssize_t b0,
                        Py_ssize_t nb, Py_ssize_t size, Py_ssize_t lo, int mode, double cv,
                        double* acc, char* dst, int osz, int code, Py_ssize_t s0,
                        Py_ssize_t s1, double* st) noexcept nogil:
    """Lanes b0 .. b0+nb of one (N, B) slab: NI_UniformFilter1D's running sum per lane
    (``out = sum / size; sum += entering - leaving``), vectorized across the lanes.
    ``acc`` holds 2 * CHUNK doubles: the sums, then the quotients. Only steps s0 .. s1
    of the size + N (the window's first sum, then one per output): the sums start from
    ``st`` (the lanes' sums after step s0 - 1) unless s0 == 0 and are left there."""
    cdef Py_ssize_t i, j, b, ra, raa, rss
    cdef double fs = <double>size
    cdef double* q = acc + CHUNK
    cdef const real_t* pa
    cdef const real_t* ps
    for b in range(nb):
        acc[b] = 0.0 if s0 == 0 else st[b]
    for j in range(s0, size if s1 > size else s1):
        ra = boundary_index(j - lo, N, mode)
        if ra < 0:
            for b in range(nb):
                acc[b] = acc[b] + cv
        else:
            pa = slab + ra * B + b0
            for b in range(nb):
                acc[b] = acc[b] + <double>pa[b]
    for i in range(s0 - size if s0 > size else 0, s1 - size):
        if i > 0:
            raa = boundary_index(i - 1 + size - lo, N, mode)
            rss = boundary_index(i - 1 - lo, N, mode)
            if raa >= 0 and rss >= 0:
                pa = slab + raa * B + b0
                ps = slab + rss * B + b0
                for b in range(nb):
                    acc[b] = acc[b] + (<double>pa[b] - <double>ps[b])
            elif raa >= 0:
                pa = slab + raa * B + b0
                for b in range(nb):
                    acc[b] = acc[b] + (<double>pa[b] - cv)
            elif rss >= 0:
                ps = slab + rss * B + b0
                for b in range(nb):
                    acc[b] = acc[b] + (cv - <double>ps[b])
            else:
                for b in range(nb):
                    acc[b] = acc[b] + (cv - cv)
        for b in range(nb):
            q[b] = acc[b] / fs
        _store(q, nb, dst + (i * B + b0) * osz, code)
    if s1 < size + N:
        for b in range(nb):
            st[b] = acc[b]


cdef void _uniform_line(const real_t* line, Py_ssize_t N, Py_ssize_t size, Py_ssize_t lo,
                        int mode, double cv, double* acc, char* dst, int osz,
                        int code, Py_ssize_t s0, Py_ssize_t s1, double* st) noexcept nogil:
    """One contiguous line (B == 1): the running sum runs along it, stored CHUNK at a time;
    steps s0 .. s1 only, from and to ``st`` as _uniform_task."""
    cdef Py_ssize_t i, j, i0, n, i1 = s1 - size
    cdef double fs = <double>size
    cdef double tmp = 0.0 if s0 == 0 else st[0]
    cdef double a, s
    for j in range(s0, size if s1 > size else s1):
        tmp = tmp + _val(line, j - lo, N, 1, 0, mode, cv)
    i0 = s0 - size if s0 > size else 0
    while i0 < i1:
        n = i1 - i0 if i1 - i0 < CHUNK else CHUNK
        for i in range(i0, i0 + n):
            if i > 0:
                if i - 1 - lo >= 0 and i - 1 + size - lo < N:
                    a = <double>line[i - 1 + size - lo]
                    s = <double>line[i - 1 - lo]
                else:
                    a = _val(line, i - 1 + size - lo, N, 1, 0, mode, cv)
                    s = _val(line, i - 1 - lo, N, 1, 0, mode, cv)
                tmp = tmp + (a - s)
            acc[i - i0] = tmp / fs
        _store(acc, n, dst + i0 * osz, code)
        i0 += n
    if s1 < size + N:
        st[0] = tmp


def uniform1d(const real_t[:, :, ::1] x, out, int ocode, Py_ssize_t size, Py_ssize_t lo,
              int exact, int mode, double cval, double[::1] state, Py_ssize_t steps,
              int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """Uniform (box) filter of length ``size`` along axis 1 of ``x`` (A, N, B).

    Default: O(1) per output, a float64 running sum per lane divided by ``size``,
    exactly scipy's recurrence. ``exact`` (the caller guarantees integer inputs
    and cval whose window sums are exact in float64, e.g. up to 32-bit integers):
    every partial sum is an exact integer, so scipy's recurrence and a direct
    window sum give the same double, bit for bit, and the window sum runs
    tap-major along flat rows, vectorized whatever B is. ``exact == 2`` (sums
    below 2**24, integer output): the same in float32 lanes (twice as wide, and
    a float32 divide is far cheaper): a float32 quotient of exact integers
    truncates to the same integer as the float64 one, because the quotient is
    at least 1/size away from any integer it does not equal while half an ulp
    is below that for sums under 2**24.

    Runs tasks t0 <= t < min(t1, T) and returns T (``t1`` = 0: no work): those of
    correlate1d for ``exact``; else the size + N steps of each line's sums are cut into
    segments of ``steps`` (a task is O(steps) per lane, however long the line), and task
    ``g * L + l`` runs segment g of lane group l (a line for B == 1, else CHUNK lanes of
    one): it starts from the sums segment g - 1 left in ``state`` (A * B doubles, read
    only when a line has several segments). So a task depends on the one L before it;
    a call runs its segments in order, one parallel loop each, and the dispatcher
    calls task ranges in order."""
    cdef double* ones
    cdef float* ones32
    cdef real_t* slabs
    cdef Py_ssize_t A = x.shape[0], N = x.shape[1], B = x.shape[2]
    cdef Py_ssize_t M = N * B, nch, T, t, a, b0, nb, L, S, nseg, g, la, lb, s0, s1
    cdef double* pst
    cdef char* po
    cdef int osz = _OUT_SIZE[ocode]
    cdef const real_t* px = &x[0, 0, 0]
    cdef double* acc
    cdef bint inplace
    if A * M == 0:
        return 0
    po = _out_ptr(out)
    if exact:
        inplace = <const char*>px == <const char*>po
        T = _long_ntasks(A, N, B, inplace) if size > N else _corr1d_ntasks(A, N, B, inplace)
        t1 = _tend(t1, T)
        if t1 <= t0:
            return T
    if exact == 2:
        ones32 = <float*>malloc(size * sizeof(float))
        if ones32 == NULL:
            raise MemoryError()
        for t in range(size):
            ones32[t] = 1.0
        if size > N:
            try:
                _corr1d_long(px, A, N, B, ones32, size, lo, 0, mode, <float>cval, <float>size,
                             po, osz, ocode, n_threads, t0, t1)
            finally:
                free(ones32)
            return T
        slabs = _slab_buffers(px, po, M, n_threads)
        with nogil:
            _corr1d_run(px, A, N, B, ones32, size, lo, 0, mode, <float>cval, <float>size, po,
                        osz, ocode, slabs, n_threads, t0, t1)
        free(ones32)
        free(slabs)
        return T
    if exact:
        ones = <double*>malloc(size * sizeof(double))
        if ones == NULL:
            raise MemoryError()
        for t in range(size):
            ones[t] = 1.0
        if size > N:
            try:
                _corr1d_long(px, A, N, B, ones, size, lo, 0, mode, cval, <double>size, po, osz,
                             ocode, n_threads, t0, t1)
            finally:
                free(ones)
            return T
        slabs = _slab_buffers(px, po, M, n_threads)
        with nogil:
            _corr1d_run(px, A, N, B, ones, size, lo, 0, mode, cval, <double>size, po, osz,
                        ocode, slabs, n_threads, t0, t1)
        free(ones)
        free(slabs)
        return T
    if B == 1:
        nch = 1
    else:
        nch = _cdiv(B, CHUNK)
    if steps < 1:
        steps = 1
    L = A * nch
    S = size + N
    nseg = _cdiv(S, steps)
    T = nseg * L
    t1 = _tend(t1, T)
    if t1 <= t0:
        return T
    if nseg > 1 and state.shape[0] < A * B:
        raise ValueError(f"uniform1d: `state` needs {A * B} values, got {state.shape[0]}")
    pst = &state[0] if state.shape[0] > 0 else NULL
    for g in range(t0 // L, (t1 - 1) // L + 1):
        la = t0 - g * L if t0 > g * L else 0
        lb = t1 - g * L if t1 - g * L < L else L
        s0 = g * steps
        s1 = S if S - s0 < steps else s0 + steps
        with nogil:
            if n_threads > 1:
                with parallel(num_threads=n_threads):
                    acc = <double*>malloc(2 * CHUNK * sizeof(double))
                    for t in prange(la, lb, schedule="guided"):
                        _uniform_run(t, px, N, B, M, nch, size, lo, mode, cval, acc, po, osz,
                                     ocode, s0, s1, pst)
                    free(acc)
            else:
                acc = <double*>malloc(2 * CHUNK * sizeof(double))
                for t in range(la, lb):
                    _uniform_run(t, px, N, B, M, nch, size, lo, mode, cval, acc, po, osz,
                                 ocode, s0, s1, pst)
                free(acc)
    return T


cdef inline void _uniform_run(Py_ssize_t t, const real_t* px, Py_ssize_t N, Py_ssize_t B,
                              Py_ssize_t M, Py_ssize_t nch, Py_ssize_t size, Py_ssize_t lo,
                              int mode, double cv, double* acc, char* po, int osz, int ocode,
                              Py_ssize_t s0, Py_ssize_t s1, double* st) noexcept nogil:
    """Lane group t (a line, or CHUNK lanes of one slab), steps s0 .. s1."""
    cdef Py_ssize_t a = t // nch, b0, nb
    if B == 1:
        _uniform_line(px + a * N, N, size, lo, mode, cv, acc, po + a * N * osz, osz, ocode,
                      s0, s1, st + a if st != NULL else NULL)
    else:
        b0 = (t - a * nch) * CHUNK
        nb = B - b0 if B - b0 < CHUNK else CHUNK
        _uniform_task(px + a * M, N, B, b0, nb, size, lo, mode, cv, acc, po + a * M * osz,
                      osz, ocode, s0, s1, st + a * B + b0 if st != NULL else NULL)


# ---------------------------------------------------------------- two 1-D passes, fused

cdef enum:
    SEP_ROWS = 16      # output rows per task of separable2
    RING_MAX = 1 << 20  # bytes of copied source rows per thread (dense float32 rings)
    # separable2's ring per thread: above it the H pass read the image rows in place, and
    # rows a power of two apart (a 4096-wide float32 image: 16 KiB) then share L1 and L2
    # sets: a Gaussian of sigma >= 8 on 4096^2 ran 3x slower than at sigma 4 (Zen 4).
    # 16 MiB: a 4096-wide float32 ring of ~1000 rows (Kv up to ~1000, sigma ~120)
    SEP_RING_MAX = 1 << 24


cdef inline void _sep_line(const pix_t** s, Py_ssize_t K, int sym, const float* w,
                           uint32_t m, int sh, Py_ssize_t n, pix_t* out) noexcept nogil:
    if pix_t is float:
        pyc_line_f32(s, K, sym, w, n, out)
    else:
        pyc_box_u8(s, K, m, sh, n, out)


cdef inline Py_ssize_t _sep_pad(Py_ssize_t W, Py_ssize_t Kh, Py_ssize_t C,
                                Py_ssize_t size) noexcept nogil:
    """Bytes of one padded row buffer of separable2, a multiple of 64."""
    return _round16((W + Kh - 1) * C * size + 48)  # + 48: whole vectors may run past the end


cdef inline void _row_wpass(pix_t* tpad, Py_ssize_t W, Py_ssize_t C,
                            const Py_ssize_t* coltab, Py_ssize_t Kh, Py_ssize_t loh, int symh,
                            const float* wh, uint32_t mh, int shh, pix_t cv, const pix_t** ptrs,
                            pix_t* dst) noexcept nogil:
    """The pass along W of one row whose W * C elements sit at ``tpad + loh * C``: its
    border extended through ``coltab`` (the constant where -1), then the 1-D pass into
    ``dst`` (taps C elements apart; valignd taps for float32 with C == 1). Inline: as a
    call it measured 10% slower at 2 threads (the Gaussian, 4096^2)."""
    cdef Py_ssize_t L = W * C, j, ch, col, k, d = 0
    cdef pix_t* mid = tpad + loh * C
    for j in range(loh):
        col = coltab[j]
        for ch in range(C):
            tpad[j * C + ch] = mid[col * C + ch] if col >= 0 else cv
    for j in range(loh + W, W + Kh - 1):
        col = coltab[j]
        for ch in range(C):
            tpad[j * C + ch] = mid[col * C + ch] if col >= 0 else cv
    if pix_t is float:
        if C == 1:
            d = pyc_hline_f32(tpad, Kh, symh, wh, L, dst)
    for k in range(Kh):
        ptrs[k] = tpad + k * C + d
    _sep_line(ptrs, Kh, symh, wh, mh, shh, L - d, dst + d)


cdef void _sep2_task(Py_ssize_t t, const pix_t* px, pix_t* po, Py_ssize_t H, Py_ssize_t W,
                     Py_ssize_t C, const Py_ssize_t* rowtab, const Py_ssize_t* coltab,
                     Py_ssize_t Kv, int symv, const float* wv, uint32_t mv, int shv,
                     Py_ssize_t Kh, Py_ssize_t loh, int symh, const float* wh, uint32_t mh,
                     int shh, pix_t cv, Py_ssize_t Lp, int hfirst, char* tbuf,
                     Py_ssize_t* last) noexcept nogil:
    """Rows y0 .. y0+SEP_ROWS of plane ``a`` (task t).

    First pass (along H, source rows by ``rowtab``) for all the task's rows into padded
    row buffers, STRIP elements at a time so the source rows of a strip are reused from
    L1 by every output row; then per row: the border extended by ``coltab``, and the
    second pass (along W, taps C elements apart) from the buffer to the output.
    With ``Lp`` > 0 the task first copies the source rows it reads into a ring of rows
    ``Lp`` elements apart: image rows a power of two apart would all map to the same L1
    sets and evict each other during the Kv-row first pass.
    ``tbuf`` (one thread's): SEP_ROWS padded rows, a row of the constant, row pointers
    (Kv + SEP_ROWS of them), then the ring; ``last``: the thread's previous task."""
    cdef Py_ssize_t nb = _cdiv(H, SEP_ROWS), a = t // nb, L = W * C, y, k, r, j, ch, col
    cdef Py_ssize_t y0 = (t - a * nb) * SEP_ROWS, x0, n, d
    cdef Py_ssize_t y1 = H if H - y0 < SEP_ROWS else y0 + SEP_ROWS
    cdef Py_ssize_t pad = _sep_pad(W, Kh, C, sizeof(pix_t))
    cdef Py_ssize_t strip = 256 if pix_t is float else 1024
    cdef const pix_t* cvrow = <pix_t*>(tbuf + SEP_ROWS * pad)
    cdef const pix_t** ptrs = <const pix_t**>(tbuf + SEP_ROWS * pad + _round16(L * sizeof(pix_t)))
    cdef const pix_t** rows = ptrs + Kv + Kh
    cdef pix_t* ring = <pix_t*>(<char*>(rows + SEP_ROWS + Kv) + 64
                                - (<size_t>(rows + SEP_ROWS + Kv) & 63))
    cdef const pix_t* src = px + a * H * L
    cdef pix_t* tpad
    cdef pix_t* hdst
    cdef Py_ssize_t hstride
    # ring slot of row index i: i % NS; when this thread's previous task was t - 1 (same
    # plane), its last Kv - 1 rows are this task's first ones, already in their slots
    cdef Py_ssize_t NS = SEP_ROWS + Kv - 1
    cdef Py_ssize_t fresh = y0 + Kv - 1 if last[0] == t - 1 and y0 > 0 else y0
    last[0] = t
    if hfirst:
        # the pass along W first: each source row once into its ring slot (rows of the
        # constant stay the constant: the H pass extends the intermediate with cval),
        # then the pass along H from the ring straight to the output, in strips
        tpad = <pix_t*>tbuf
        for y in range(y0, y1 + Kv - 1):
            r = rowtab[y]
            if r < 0:
                rows[y - y0] = cvrow
                continue
            rows[y - y0] = ring + (y % NS) * Lp
            if y >= fresh:
                memcpy(tpad + loh * C, src + r * L, L * sizeof(pix_t))
                _row_wpass(tpad, W, C, coltab, Kh, loh, symh, wh, mh, shh, cv, ptrs,
                           ring + (y % NS) * Lp)
        hdst = po + (a * H + y0) * L
        hstride = L
    else:
        for y in range(y0, y1 + Kv - 1):
            r = rowtab[y]
            if r < 0:
                rows[y - y0] = cvrow
            elif Lp > 0:
                if y >= fresh:
                    memcpy(ring + (y % NS) * Lp, src + r * L, L * sizeof(pix_t))
                rows[y - y0] = ring + (y % NS) * Lp
            else:
                rows[y - y0] = src + r * L
        hdst = <pix_t*>tbuf + loh * C  # into the padded rows, for the W pass after
        hstride = pad // sizeof(pix_t)
    x0 = 0
    while x0 < L:
        n = L - x0 if L - x0 < strip else strip
        for y in range(y0, y1):
            for k in range(Kv):
                ptrs[k] = rows[y - y0 + k] + x0
            _sep_line(ptrs, Kv, symv, wv, mv, shv, n, hdst + (y - y0) * hstride + x0)
        x0 += n
    if not hfirst:
        for y in range(y0, y1):
            _row_wpass(<pix_t*>(tbuf + (y - y0) * pad), W, C, coltab, Kh, loh, symh, wh, mh,
                       shh, cv, ptrs, po + a * H * L + y * L)


def separable2(const pix_t[:, :, :, ::1] x, pix_t[:, :, :, ::1] out,
               const float[::1] wv, Py_ssize_t Kv, Py_ssize_t lov, int symv, int modev,
               uint32_t mv, int shv, const float[::1] wh, Py_ssize_t Kh, Py_ssize_t loh,
               int symh, int modeh, uint32_t mh, int shh, double cval, int hfirst,
               int n_threads, Py_ssize_t t0, Py_ssize_t t1):
    """Two 1-D passes fused, along axis 1 (H; ``wv``...) and axis 2 (W; ``wh``...) of ``x``
    (A, H, W, C), into ``out`` (which must not overlap ``x``): the H pass first, or with
    ``hfirst`` the W pass first. The intermediate is rounded to the pixel type between
    the passes exactly as scipy's two calls do, but lives in per-thread rows. Runs tasks
    t0 <= t < min(t1, T) (SEP_ROWS output rows of one plane each) and returns T
    (``t1`` = 0: no work); returns -1 (nothing done) for ``hfirst`` when the rows of a
    task do not fit SEP_RING_MAX.

    float32: correlations with weights ``wv`` / ``wh`` (symmetry codes as correlate1d,
    float32 FMA work, the per-pixel term order of correlate1d). uint8: box filters of
    Kv / Kh taps, each window sum divided exactly by ``(S * m) >> sh`` (the caller checks
    the multiplier for every possible sum; cval must be a uint8 value).
    ``lov`` / ``loh``: taps before the centre (size // 2 + origin)."""
    cdef Py_ssize_t A = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3], i, t
    cdef Py_ssize_t L = W * C, T = A * _cdiv(H, SEP_ROWS)
    # ring rows 64 bytes longer than a multiple of 64: consecutive rows in different L1 sets
    cdef Py_ssize_t Lp = (_cdiv(L * sizeof(pix_t), 64) * 64 + 64) // sizeof(pix_t)
    cdef Py_ssize_t ring = (SEP_ROWS + Kv - 1) * Lp * sizeof(pix_t)
    if ring > SEP_RING_MAX:
        if hfirst:
            return -1  # the intermediate rows need the ring: the caller runs the passes
        Lp = 0
        ring = 0
    cdef Py_ssize_t per = (SEP_ROWS * _sep_pad(W, Kh, C, sizeof(pix_t))
                           + _round16(L * sizeof(pix_t))
                           + _round16((Kv + Kh + SEP_ROWS + Kv) * sizeof(void*)) + 64 + ring)
    cdef pix_t cv = <pix_t>cval
    cdef Py_ssize_t* rowtab
    cdef Py_ssize_t* coltab
    cdef char* bufs
    cdef Py_ssize_t* lasts
    cdef pix_t* row
    if T == 0 or L == 0:
        return 0
    t1 = _tend(t1, T)
    if t1 <= t0:
        return T
    rowtab = <Py_ssize_t*>malloc((H + Kv) * sizeof(Py_ssize_t))
    coltab = <Py_ssize_t*>malloc((W + Kh) * sizeof(Py_ssize_t))
    bufs = <char*>malloc(n_threads * per)
    lasts = <Py_ssize_t*>malloc(n_threads * sizeof(Py_ssize_t))
    if rowtab == NULL or coltab == NULL or bufs == NULL or lasts == NULL:
        free(rowtab)
        free(coltab)
        free(bufs)
        free(lasts)
        raise MemoryError()
    for i in range(H + Kv):
        rowtab[i] = boundary_index(i - lov, H, modev)
    for i in range(W + Kh):
        coltab[i] = boundary_index(i - loh, W, modeh)
    for t in range(n_threads):
        lasts[t] = -2
        row = <pix_t*>(bufs + t * per + SEP_ROWS * _sep_pad(W, Kh, C, sizeof(pix_t)))
        for i in range(L):
            row[i] = cv
    cdef const pix_t* px = &x[0, 0, 0, 0]
    cdef pix_t* po = &out[0, 0, 0, 0]
    with nogil:
        if n_threads > 1:
            for t in prange(t0, t1, schedule="guided", num_threads=n_threads):
                _sep2_task(t, px, po, H, W, C, rowtab, coltab, Kv, symv, &wv[0], mv, shv,
                           Kh, loh, symh, &wh[0], mh, shh, cv, Lp, hfirst,
                           bufs + pyc_thread_num() * per, lasts + pyc_thread_num())
        else:
            for t in range(t0, t1):
                _sep2_task(t, px, po, H, W, C, rowtab, coltab, Kv, symv, &wv[0], mv, shv,
                           Kh, loh, symh, &wh[0], mh, shh, cv, Lp, hfirst, bufs, lasts)
    free(rowtab)
    free(coltab)
    free(bufs)
    free(lasts)
    return T


# ---------------------------------------------------------------- FMA peak (benchmark yardstick)
