# Simulation steps: heat diffusion, Game of Life (life-like rules), Gray-Scott
# reaction-diffusion and all-pairs N-body gravity, many steps per call.
#
# Every kernel takes the same arguments in the same order as its Numba twin
# (pycompute/_numba/simulation.py), the thread count last. Arrays arrive flat,
# C-contiguous and in the kernel dtype; shapes, mode codes and the buffer plan
# come as plain integers from pycompute/simulation.py.
#
# Stepping: ``steps`` steps run inside one OpenMP parallel region (``with
# parallel()``, the step loop inside, one ``prange`` work-sharing loop per step
# and a barrier after it): no thread fork/join and no Python per step. Grids are double buffered: step ``s`` reads the result of
# step ``s - 1`` and writes the other buffer (``_plan``). With one thread the
# same loops run serially, outside any OpenMP region (a forked child must never
# enter one).
#
# Schedules: static for the stencils (a thread keeps its rows from step to step);
# dynamic (16 bodies a chunk) for the N-body accelerations, where each body
# costs the same but a thread the OS preempts on a shared machine can then hand
# its bodies to the other (2x faster under contention in our runs, equal when idle).
#
# Determinism: every output element is computed by one thread from the previous
# state alone, and N-body sums run over sources in a fixed order, so results are
# bitwise identical at any thread count.
#
# Borders: the interior of each row is a branch-free loop over contiguous
# memory; border rows and the first/last element of a row get their neighbours
# from boundary_index (kernels/_boundary.pxd), the one place for that arithmetic.
#
# SIMD (GCC, -O3, compiled per level by setup.py; at the avx512 level,
# -march=x86-64-v4 -mprefer-vector-width=512, checked with PYCOMPUTE_VEC_REPORT=1):
# the heat and Gray-Scott interior loops run 512-bit vectors (16 x float32 /
# 8 x float64); the Life interior loop sums neighbour counts in 64 x uint8 lanes
# (vpaddb zmm) and applies the rule as a variable shift in 16 x uint32 lanes
# (vpsrlvd zmm); the N-body source loop sums in 64 float32 / 32 float64 fixed
# lanes (four zmm per component), and the float64 potential loop keeps LANES =
# 16 accumulators (2 x 8 x float64 after SLP vectorization). No FMA contraction
# (-ffp-contract=off): every level computes the same operations, bit for bit.
from cython.parallel cimport parallel, prange
from libc.math cimport sqrt
from libc.stdint cimport uint8_t, uint32_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from _boundary cimport boundary_index
from _fused cimport float_t

# Cython's prange inside ``with parallel()`` is an ``omp for nowait``: steps need
# an explicit barrier (from the OpenMP shim).
from _openmp cimport pyc_barrier as _barrier

cdef enum:
    CHUNK = 16384  # most row elements per stencil task (long 1-D rows are cut into tasks)
    LANES = 16     # independent accumulators of the N-body potential (2 x 8 x float64)


cdef inline Py_ssize_t _cdiv(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline int _plan(Py_ssize_t s, Py_ssize_t steps, bint inplace) noexcept nogil:
    """Where step ``s`` reads and writes: 0 = input -> out, 1 = input -> tmp,
    2 = tmp -> out, 3 = out -> tmp.

    Not in place: step 0 reads the input; the buffers alternate so that the last
    step writes ``out``. In place (``out`` is the input): step 0 writes ``tmp``
    and, for an odd number of steps, the kernel copies ``tmp`` to ``out`` at the end.
    """
    cdef bint to_out
    if inplace:
        return 3 if s % 2 == 0 else 2
    to_out = (steps - 1 - s) % 2 == 0
    if s == 0:
        return 0 if to_out else 1
    return 2 if to_out else 3


# ================================================================ heat

cdef inline const float_t* _row(const float_t* a, const float_t* crow, Py_ssize_t k,
                                Py_ssize_t n2) noexcept nogil:
    return crow if k < 0 else a + k * n2


cdef inline float_t _at(const float_t* c, Py_ssize_t j, Py_ssize_t n, int mode,
                        float_t cval) noexcept nogil:
    cdef Py_ssize_t k = boundary_index(j, n, mode)
    return cval if k < 0 else c[k]


cdef void _heat_task(const float_t* a, float_t* b, const float_t* crow, Py_ssize_t t,
                     Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t n2, int nout, Py_ssize_t nch,
                     Py_ssize_t L, float_t c0, float_t al, int m0, int m1, int m2,
                     float_t cval) noexcept nogil:
    """Row segment ``t`` of one explicit diffusion step.

    The grid is (n0, n1, n2); ``nout`` outer axes take part (0: 1-D, 1: 2-D on
    axis 1, 2: 3-D). out = c0*u + al*(sum over axes of (u[-1] + u[+1])), the
    axis pairs added first to last, as the reference does.
    """
    cdef Py_ssize_t r = t // nch
    cdef Py_ssize_t lo = (t % nch) * L
    cdef Py_ssize_t hi = lo + L if lo + L < n2 else n2
    cdef Py_ssize_t i0 = r // n1, i1 = r % n1, j, ja, jb
    cdef const float_t* c = a + r * n2
    cdef const float_t* pm = c
    cdef const float_t* pp = c
    cdef const float_t* qm = c
    cdef const float_t* qp = c
    cdef float_t* o = b + r * n2
    cdef float_t lft, rgt, x
    cdef Py_ssize_t k, e
    if nout == 2:
        k = boundary_index(i0 - 1, n0, m0)
        pm = _row(a, crow, k * n1 + i1 if k >= 0 else -1, n2)
        k = boundary_index(i0 + 1, n0, m0)
        pp = _row(a, crow, k * n1 + i1 if k >= 0 else -1, n2)
        k = boundary_index(i1 - 1, n1, m1)
        qm = _row(a, crow, i0 * n1 + k if k >= 0 else -1, n2)
        k = boundary_index(i1 + 1, n1, m1)
        qp = _row(a, crow, i0 * n1 + k if k >= 0 else -1, n2)
    elif nout == 1:
        pm = _row(a, crow, boundary_index(i1 - 1, n1, m1), n2)
        pp = _row(a, crow, boundary_index(i1 + 1, n1, m1), n2)
    ja = lo if lo > 1 else 1
    jb = hi if hi < n2 - 1 else n2 - 1
    # interior: contiguous, branch free, vectorized
    if nout == 0:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * (c[j - 1] + c[j + 1])
    elif nout == 1:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * ((pm[j] + pp[j]) + (c[j - 1] + c[j + 1]))
    else:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * (((pm[j] + pp[j]) + (qm[j] + qp[j])) + (c[j - 1] + c[j + 1]))
    # first and last element of the row: neighbours through the border mode
    for e in range(2):
        j = 0 if e == 0 else n2 - 1
        if j < lo or j >= hi or (e == 1 and n2 == 1):
            continue
        lft = _at(c, j - 1, n2, m2, cval)
        rgt = _at(c, j + 1, n2, m2, cval)
        if nout == 0:
            x = lft + rgt
        elif nout == 1:
            x = (pm[j] + pp[j]) + (lft + rgt)
        else:
            x = ((pm[j] + pp[j]) + (qm[j] + qp[j])) + (lft + rgt)
        o[j] = c0 * c[j] + al * x


def heat(const float_t[::1] src, float_t[::1] dst, float_t[::1] tmp,
         Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t n2, int nout, Py_ssize_t steps,
         double alpha, int m0, int m1, int m2, double cval, bint inplace, int n_threads):
    """``steps`` explicit diffusion steps of the (n0, n1, n2) grid ``src`` into ``dst``.

    ``tmp`` is the second buffer (any size >= 1 when ``steps == 1`` and not in place);
    ``inplace``: ``src`` and ``dst`` are the same memory.
    """
    cdef Py_ssize_t nch = _cdiv(n2, CHUNK)
    cdef Py_ssize_t L = _cdiv(n2, nch)
    cdef Py_ssize_t ntask = n0 * n1 * nch
    cdef float_t c0 = <float_t>(1.0 - 2.0 * (nout + 1) * alpha)
    cdef float_t al = <float_t>alpha
    cdef float_t cv = <float_t>cval
    cdef const float_t* s0 = &src[0]
    cdef float_t* d = &dst[0]
    cdef float_t* tp = &tmp[0]
    cdef const float_t* rd
    cdef float_t* wr
    cdef Py_ssize_t s, t, j
    cdef int p
    cdef float_t* crow = <float_t*>malloc(n2 * sizeof(float_t))
    if crow == NULL:
        raise MemoryError()
    for j in range(n2):
        crow[j] = cv
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                for s in range(steps):
                    p = _plan(s, steps, inplace)
                    rd = s0 if p <= 1 else (<const float_t*>tp if p == 2 else <const float_t*>d)
                    wr = d if p % 2 == 0 else tp
                    for t in prange(ntask, schedule="static"):
                        _heat_task(rd, wr, crow, t, n0, n1, n2, nout, nch, L, c0, al,
                                   m0, m1, m2, cv)
                    _barrier()
        else:
            for s in range(steps):
                p = _plan(s, steps, inplace)
                rd = s0 if p <= 1 else (<const float_t*>tp if p == 2 else <const float_t*>d)
                wr = d if p % 2 == 0 else tp
                for t in range(ntask):
                    _heat_task(rd, wr, crow, t, n0, n1, n2, nout, nch, L, c0, al,
                               m0, m1, m2, cv)
        if inplace and steps % 2 == 1:
            memcpy(d, tp, n0 * n1 * n2 * sizeof(float_t))
    free(crow)


# ================================================================ Game of Life

cdef inline uint8_t _cell(const uint8_t* c, Py_ssize_t j, Py_ssize_t n, int mode) noexcept nogil:
    cdef Py_ssize_t k = boundary_index(j, n, mode)
    return 0 if k < 0 else c[k]


cdef void _life_row(const uint8_t* a, uint8_t* b, const uint8_t* zrow, Py_ssize_t i,
                    Py_ssize_t n0, Py_ssize_t n1, uint32_t rule, int m0, int m1) noexcept nogil:
    """Row ``i`` of one generation. ``rule`` holds the birth counts in bits 0-8
    and the survival counts in bits 9-17: new = (rule >> (count + 9*alive)) & 1."""
    cdef Py_ssize_t ku = boundary_index(i - 1, n0, m0)
    cdef Py_ssize_t kd = boundary_index(i + 1, n0, m0)
    cdef const uint8_t* up = zrow if ku < 0 else a + ku * n1
    cdef const uint8_t* dn = zrow if kd < 0 else a + kd * n1
    cdef const uint8_t* c = a + i * n1
    cdef uint8_t* o = b + i * n1
    cdef Py_ssize_t j, e
    cdef uint32_t cnt, idx
    # interior: neighbour counts as uint8 sums of 8 contiguous loads (64 lanes),
    # then the rule as a variable shift
    for j in range(1, n1 - 1):
        cnt = <uint8_t>(((up[j - 1] + up[j]) + (up[j + 1] + c[j - 1]))
                        + ((c[j + 1] + dn[j - 1]) + (dn[j] + dn[j + 1])))
        idx = cnt + 9 * c[j]
        o[j] = <uint8_t>((rule >> idx) & 1)
    for e in range(2 if n1 > 1 else 1):
        j = 0 if e == 0 else n1 - 1
        cnt = (_cell(up, j - 1, n1, m1) + up[j] + _cell(up, j + 1, n1, m1)
               + _cell(c, j - 1, n1, m1) + _cell(c, j + 1, n1, m1)
               + _cell(dn, j - 1, n1, m1) + dn[j] + _cell(dn, j + 1, n1, m1))
        o[j] = <uint8_t>((rule >> (cnt + 9 * c[j])) & 1)


def life(const uint8_t[::1] src, uint8_t[::1] dst, uint8_t[::1] tmp,
         Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t steps, uint32_t rule,
         int m0, int m1, bint inplace, int n_threads):
    """``steps`` generations of the (n0, n1) 0/1 board ``src`` into ``dst``."""
    cdef const uint8_t* s0 = &src[0]
    cdef uint8_t* d = &dst[0]
    cdef uint8_t* tp = &tmp[0]
    cdef const uint8_t* rd
    cdef uint8_t* wr
    cdef Py_ssize_t s, i, j
    cdef int p
    cdef uint8_t* zrow = <uint8_t*>malloc(n1)
    if zrow == NULL:
        raise MemoryError()
    for j in range(n1):
        zrow[j] = 0
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                for s in range(steps):
                    p = _plan(s, steps, inplace)
                    rd = s0 if p <= 1 else (<const uint8_t*>tp if p == 2 else <const uint8_t*>d)
                    wr = d if p % 2 == 0 else tp
                    for i in prange(n0, schedule="static"):
                        _life_row(rd, wr, zrow, i, n0, n1, rule, m0, m1)
                    _barrier()  # after the loop (prange is "omp for nowait"), not per row
        else:
            for s in range(steps):
                p = _plan(s, steps, inplace)
                rd = s0 if p <= 1 else (<const uint8_t*>tp if p == 2 else <const uint8_t*>d)
                wr = d if p % 2 == 0 else tp
                for i in range(n0):
                    _life_row(rd, wr, zrow, i, n0, n1, rule, m0, m1)
        if inplace and steps % 2 == 1:
            memcpy(d, tp, n0 * n1)
    free(zrow)


# ================================================================ Gray-Scott

# The interior of a Gray-Scott row, in C: ``restrict`` tells GCC the output rows
# never alias the inputs (true: the step is double buffered), so the loop
# vectorizes as one pass without the run-time alias checks that exceeded GCC's
# limit and left it scalar; the input rows may alias each other (read only).
cdef extern from *:
    """
    #define PYC_GS(T, NAME)                                                       \
    static void NAME(const T* restrict u, const T* restrict v,                    \
                     const T* restrict uu, const T* restrict ud,                  \
                     const T* restrict vu, const T* restrict vd,                  \
                     T* restrict uo, T* restrict vo, Py_ssize_t n1,               \
                     T Du, T Dv, T F, T Fk, T dt) {                               \
        for (Py_ssize_t j = 1; j < n1 - 1; j++) {                                 \
            const T x = u[j], y = v[j];                                           \
            const T lu = (uu[j] + ud[j]) + (u[j - 1] + u[j + 1]) - (T)4 * x;      \
            const T lv = (vu[j] + vd[j]) + (v[j - 1] + v[j + 1]) - (T)4 * y;      \
            const T uvv = x * y * y;                                              \
            uo[j] = x + dt * (Du * lu - uvv + F * ((T)1 - x));                    \
            vo[j] = y + dt * (Dv * lv + uvv - Fk * y);                            \
        }                                                                         \
    }
    PYC_GS(float, pyc_gs_f)
    PYC_GS(double, pyc_gs_d)
    """
    void pyc_gs_f(const float* u, const float* v, const float* uu, const float* ud,
                  const float* vu, const float* vd, float* uo, float* vo, Py_ssize_t n1,
                  float Du, float Dv, float F, float Fk, float dt) noexcept nogil
    void pyc_gs_d(const double* u, const double* v, const double* uu, const double* ud,
                  const double* vu, const double* vd, double* uo, double* vo, Py_ssize_t n1,
                  double Du, double Dv, double F, double Fk, double dt) noexcept nogil


cdef void _gs_row(const float_t* ua, const float_t* va, float_t* ub, float_t* vb,
                  Py_ssize_t i, Py_ssize_t n0, Py_ssize_t n1, float_t Du, float_t Dv,
                  float_t F, float_t Fk, float_t dt, int m0, int m1) noexcept nogil:
    """Row ``i`` of one Gray-Scott step (5-point Laplacian; modes never 'constant')."""
    cdef Py_ssize_t ku = boundary_index(i - 1, n0, m0) * n1
    cdef Py_ssize_t kd = boundary_index(i + 1, n0, m0) * n1
    cdef const float_t* u = ua + i * n1
    cdef const float_t* v = va + i * n1
    cdef const float_t* uu = ua + ku
    cdef const float_t* ud = ua + kd
    cdef const float_t* vu = va + ku
    cdef const float_t* vd = va + kd
    cdef float_t* uo = ub + i * n1
    cdef float_t* vo = vb + i * n1
    cdef Py_ssize_t j, e, jl, jr
    cdef float_t lu, lv, uvv, x, y
    cdef float_t four = 4, one = 1  # typed: a bare literal would promote float32 math to double
    if float_t is float:
        pyc_gs_f(u, v, uu, ud, vu, vd, uo, vo, n1, Du, Dv, F, Fk, dt)
    else:
        pyc_gs_d(u, v, uu, ud, vu, vd, uo, vo, n1, Du, Dv, F, Fk, dt)
    for e in range(2 if n1 > 1 else 1):
        j = 0 if e == 0 else n1 - 1
        jl = boundary_index(j - 1, n1, m1)
        jr = boundary_index(j + 1, n1, m1)
        x = u[j]
        y = v[j]
        lu = (uu[j] + ud[j]) + (u[jl] + u[jr]) - four * x
        lv = (vu[j] + vd[j]) + (v[jl] + v[jr]) - four * y
        uvv = x * y * y
        uo[j] = x + dt * (Du * lu - uvv + F * (one - x))
        vo[j] = y + dt * (Dv * lv + uvv - Fk * y)


def gray_scott(const float_t[::1] u_in, const float_t[::1] v_in, float_t[::1] u_out,
               float_t[::1] v_out, float_t[::1] u_tmp, float_t[::1] v_tmp,
               Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t steps, double Du, double Dv,
               double F, double k, double dt, int m0, int m1, int n_threads):
    """``steps`` Gray-Scott steps of (u_in, v_in) into (u_out, v_out); never in place."""
    cdef const float_t* us = &u_in[0]
    cdef const float_t* vs = &v_in[0]
    cdef float_t* ud = &u_out[0]
    cdef float_t* vd = &v_out[0]
    cdef float_t* ut = &u_tmp[0]
    cdef float_t* vt = &v_tmp[0]
    cdef const float_t* ur
    cdef const float_t* vr
    cdef float_t* uw
    cdef float_t* vw
    cdef float_t fDu = <float_t>Du, fDv = <float_t>Dv, fF = <float_t>F
    cdef float_t fFk = <float_t>(F + k), fdt = <float_t>dt
    cdef Py_ssize_t s, i
    cdef int p
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                for s in range(steps):
                    p = _plan(s, steps, False)
                    ur = us if p <= 1 else (<const float_t*>ut if p == 2 else <const float_t*>ud)
                    vr = vs if p <= 1 else (<const float_t*>vt if p == 2 else <const float_t*>vd)
                    uw = ud if p % 2 == 0 else ut
                    vw = vd if p % 2 == 0 else vt
                    for i in prange(n0, schedule="static"):
                        _gs_row(ur, vr, uw, vw, i, n0, n1, fDu, fDv, fF, fFk, fdt, m0, m1)
                    _barrier()  # after the loop (prange is "omp for nowait"), not per row
        else:
            for s in range(steps):
                p = _plan(s, steps, False)
                ur = us if p <= 1 else (<const float_t*>ut if p == 2 else <const float_t*>ud)
                vr = vs if p <= 1 else (<const float_t*>vt if p == 2 else <const float_t*>vd)
                uw = ud if p % 2 == 0 else ut
                vw = vd if p % 2 == 0 else vt
                for i in range(n0):
                    _gs_row(ur, vr, uw, vw, i, n0, n1, fDu, fDv, fF, fFk, fdt, m0, m1)


# ================================================================ N-body

# The source loop of one body's acceleration, in C. Sources are summed in NL
# fixed lanes (lane l takes sources j = l mod NL), the lanes folded by a fixed
# pairwise tree at the end. The order of every addition is written in the
# source, not chosen by the vectorizer, so the result is the same at every SIMD
# level (16 lanes are 1 zmm, 2 ymm or 4 xmm of float32) and at any thread count.
# NL = 64 float32 / 32 float64 lanes are four 512-bit accumulators per
# component: four independent add chains per iteration hide the add latency,
# so the loop runs at the sqrt/divide throughput (GCC vectorizes the lane loop
# at the level's width; checked with PYCOMPUTE_VEC_REPORT=1). Pairs at zero
# softened distance, the body itself included, contribute nothing.
cdef extern from *:
    """
    #include <math.h>
    #define PYC_PAIR(T, SQRT, J, SX, SY, SZ) {                                   \
            const T dx = px[J] - xi, dy = py[J] - yi, dz = pz[J] - zi;            \
            const T r2 = dx * dx + dy * dy + dz * dz + eps2;                      \
            const T w = r2 > 0 ? m[J] / (r2 * SQRT(r2)) : (T)0;                   \
            SX += w * dx;                                                         \
            SY += w * dy;                                                         \
            SZ += w * dz;                                                         \
        }
    #define PYC_ACCEL(T, SQRT, NAME, NL)                                          \
    static void NAME(const T* px, const T* py, const T* pz, const T* m,           \
                     Py_ssize_t n, Py_ssize_t i, T G, T eps2,                     \
                     T* ax, T* ay, T* az) {                                       \
        const T xi = px[i], yi = py[i], zi = pz[i];                               \
        T sx[NL], sy[NL], sz[NL];                                                 \
        for (int l = 0; l < NL; l++) sx[l] = sy[l] = sz[l] = 0;                   \
        Py_ssize_t j = 0;                                                         \
        for (; j + NL <= n; j += NL) {                                            \
            _Pragma("omp simd")                                                   \
            for (int l = 0; l < NL; l++)                                          \
                PYC_PAIR(T, SQRT, j + l, sx[l], sy[l], sz[l])                     \
        }                                                                         \
        for (int l = 0; j + l < n; l++)                                           \
            PYC_PAIR(T, SQRT, j + l, sx[l], sy[l], sz[l])                         \
        for (int w = NL / 2; w >= 1; w /= 2)                                      \
            for (int l = 0; l < w; l++) {                                         \
                sx[l] += sx[l + w]; sy[l] += sy[l + w]; sz[l] += sz[l + w];       \
            }                                                                     \
        ax[i] = G * sx[0];                                                        \
        ay[i] = G * sy[0];                                                        \
        az[i] = G * sz[0];                                                        \
    }
    PYC_ACCEL(float, sqrtf, pyc_accel_f, 64)
    PYC_ACCEL(double, sqrt, pyc_accel_d, 32)
    """
    void pyc_accel_f(const float* px, const float* py, const float* pz, const float* m,
                     Py_ssize_t n, Py_ssize_t i, float G, float eps2,
                     float* ax, float* ay, float* az) noexcept nogil
    void pyc_accel_d(const double* px, const double* py, const double* pz, const double* m,
                     Py_ssize_t n, Py_ssize_t i, double G, double eps2,
                     double* ax, double* ay, double* az) noexcept nogil


cdef inline void _accel(const float_t* px, const float_t* py, const float_t* pz,
                        const float_t* m, Py_ssize_t n, Py_ssize_t i, float_t G, float_t eps2,
                        float_t* ax, float_t* ay, float_t* az) noexcept nogil:
    """Acceleration of body ``i``: G * sum_j m_j d / (|d|^2 + eps2)^1.5, d = x_j - x_i."""
    if float_t is float:
        pyc_accel_f(px, py, pz, m, n, i, G, eps2, ax, ay, az)
    else:
        pyc_accel_d(px, py, pz, m, n, i, G, eps2, ax, ay, az)


def nbody_accelerations(const float_t[::1] px, const float_t[::1] py, const float_t[::1] pz,
                        const float_t[::1] m, float_t[::1] ax, float_t[::1] ay,
                        float_t[::1] az, double G, double eps2, int n_threads):
    """Accelerations of all bodies (SoA in, SoA out)."""
    cdef Py_ssize_t n = px.shape[0], i
    with nogil:
        if n_threads > 1:
            for i in prange(n, num_threads=n_threads, schedule="dynamic", chunksize=16):
                _accel(&px[0], &py[0], &pz[0], &m[0], n, i, <float_t>G, <float_t>eps2,
                       &ax[0], &ay[0], &az[0])
        else:
            for i in range(n):
                _accel(&px[0], &py[0], &pz[0], &m[0], n, i, <float_t>G, <float_t>eps2,
                       &ax[0], &ay[0], &az[0])


cdef void _potential(const float_t* px, const float_t* py, const float_t* pz, const float_t* m,
                     Py_ssize_t n, Py_ssize_t i, double eps2, double* out) noexcept nogil:
    """sum_j m_j / sqrt(|d|^2 + eps2) over j with a nonzero softened distance, in float64."""
    cdef double P[LANES]
    cdef double xi = px[i], yi = py[i], zi = pz[i]
    cdef double dx, dy, dz, r2, s = 0
    cdef Py_ssize_t j = 0
    cdef int l
    for l in range(LANES):
        P[l] = 0
    while j + LANES <= n:
        for l in range(LANES):
            dx = px[j + l] - xi
            dy = py[j + l] - yi
            dz = pz[j + l] - zi
            r2 = dx * dx + dy * dy + dz * dz + eps2
            P[l] += m[j + l] / sqrt(r2) if r2 > 0 else 0
        j += LANES
    while j < n:
        dx = px[j] - xi
        dy = py[j] - yi
        dz = pz[j] - zi
        r2 = dx * dx + dy * dy + dz * dz + eps2
        P[0] += m[j] / sqrt(r2) if r2 > 0 else 0
        j += 1
    for l in range(LANES):
        s += P[l]
    out[i] = s


def nbody_potentials(const float_t[::1] px, const float_t[::1] py, const float_t[::1] pz,
                     const float_t[::1] m, double eps2, double[::1] out, int n_threads):
    """out[i] = sum_j m_j / r_ij (softened, zero-distance pairs skipped), float64."""
    cdef Py_ssize_t n = px.shape[0], i
    with nogil:
        if n_threads > 1:
            for i in prange(n, num_threads=n_threads, schedule="static"):
                _potential(&px[0], &py[0], &pz[0], &m[0], n, i, eps2, &out[0])
        else:
            for i in range(n):
                _potential(&px[0], &py[0], &pz[0], &m[0], n, i, eps2, &out[0])


cdef inline void _kick_drift(float_t* px, float_t* py, float_t* pz, float_t* vx, float_t* vy,
                             float_t* vz, const float_t* ax, const float_t* ay,
                             const float_t* az, Py_ssize_t i, float_t h, float_t dt) noexcept nogil:
    vx[i] += h * ax[i]
    vy[i] += h * ay[i]
    vz[i] += h * az[i]
    px[i] += dt * vx[i]
    py[i] += dt * vy[i]
    pz[i] += dt * vz[i]


cdef inline void _kick(float_t* vx, float_t* vy, float_t* vz, const float_t* ax,
                       const float_t* ay, const float_t* az, Py_ssize_t i,
                       float_t h) noexcept nogil:
    vx[i] += h * ax[i]
    vy[i] += h * ay[i]
    vz[i] += h * az[i]


def nbody_step(float_t[::1] px, float_t[::1] py, float_t[::1] pz, float_t[::1] vx,
               float_t[::1] vy, float_t[::1] vz, const float_t[::1] m, float_t[::1] ax,
               float_t[::1] ay, float_t[::1] az, Py_ssize_t steps, double dt, double G,
               double eps2, bint acc_ready, int n_threads):
    """``steps`` velocity-Verlet steps, in place on the SoA state.

    kick (dt/2) + drift, accelerations at the new positions, kick (dt/2).
    ax/ay/az hold the accelerations at the current positions when
    ``acc_ready`` (the previous call's, when a long run is cut into calls),
    else they are scratch, computed first; on return they hold the
    accelerations at the final positions.
    """
    cdef Py_ssize_t n = px.shape[0], i, s
    cdef float_t fdt = <float_t>dt, h = <float_t>(0.5 * dt)
    cdef float_t fG = <float_t>G, fe = <float_t>eps2
    cdef float_t* x = &px[0]
    cdef float_t* y = &py[0]
    cdef float_t* z = &pz[0]
    cdef float_t* u = &vx[0]
    cdef float_t* v = &vy[0]
    cdef float_t* w = &vz[0]
    cdef const float_t* mm = &m[0]
    cdef float_t* a = &ax[0]
    cdef float_t* b = &ay[0]
    cdef float_t* c = &az[0]
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                if not acc_ready:
                    for i in prange(n, schedule="static"):
                        _accel(x, y, z, mm, n, i, fG, fe, a, b, c)
                    _barrier()
                for s in range(steps):
                    for i in prange(n, schedule="dynamic", chunksize=16):
                        _kick_drift(x, y, z, u, v, w, a, b, c, i, h, fdt)
                    _barrier()
                    for i in prange(n, schedule="static"):
                        _accel(x, y, z, mm, n, i, fG, fe, a, b, c)
                    _barrier()
                    for i in prange(n, schedule="static"):
                        _kick(u, v, w, a, b, c, i, h)
                    _barrier()
        else:
            if not acc_ready:
                for i in range(n):
                    _accel(x, y, z, mm, n, i, fG, fe, a, b, c)
            for s in range(steps):
                for i in range(n):
                    _kick_drift(x, y, z, u, v, w, a, b, c, i, h, fdt)
                for i in range(n):
                    _accel(x, y, z, mm, n, i, fG, fe, a, b, c)
                for i in range(n):
                    _kick(u, v, w, a, b, c, i, h)
