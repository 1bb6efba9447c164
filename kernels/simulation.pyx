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
# and a barrier after it): no thread fork/join and no Python per step. Grids are
# double buffered: step ``s`` reads the result of step ``s - 1`` and writes the
# other buffer (``_plan``). Heat and Gray-Scott are temporally blocked when the
# wrapper asks for it (``depth`` > 1): a block of ``depth`` steps is one pass
# over the grid (see "heat"), and ``_plan`` runs over blocks instead of steps.
# With one thread the same loops run serially, outside any OpenMP region (a
# forked child must never enter one).
#
# Schedules: static for the stencils (a thread keeps its rows from step to step);
# dynamic (16 bodies a chunk) for the N-body accelerations, where each body
# costs the same but a thread the OS preempts on a shared machine can then hand
# its bodies to the other (2x faster under contention in our runs, equal when idle).
#
# Determinism: every output element is computed from the previous state alone
# (temporally blocked: by the same operations, perhaps more than once), and
# N-body sums run over sources in a fixed order, so results are bitwise
# identical at any thread count.
#
# Borders: the interior of each row is a branch-free loop over contiguous
# memory; border rows and the first/last element of a row get their neighbours
# from boundary_index (kernels/_boundary.pxd), the one place for that arithmetic.
#
# SIMD (GCC, -O3, compiled per level by setup.py; at the avx512 level,
# -march=x86-64-v4 -mprefer-vector-width=512, checked with PYCOMPUTE_VEC_REPORT=1):
# the heat and Gray-Scott interior loops run 512-bit vectors (16 x float32 /
# 8 x float64); Life runs bit sliced, 512 cells a zmm (see its section); the
# N-body source loop sums in 64 float32 / 32 float64 fixed
# lanes (four zmm per component), and the float64 potential loop keeps LANES =
# 16 accumulators (2 x 8 x float64 after SLP vectorization). No FMA contraction
# (-ffp-contract=off): every level computes the same operations, bit for bit.
from cython.parallel cimport parallel, prange
from libc.math cimport isinf, sqrt
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from _boundary cimport MODE_WRAP, boundary_index
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
#
# Temporal blocking (``depth`` > 1, chosen by pycompute/simulation.py): the
# steps run ``depth`` at a time while the rows are in cache, instead of one
# sweep of the whole grid per step. The grid is a sequence of slabs along the
# blocking axis (2-D: the rows, 3-D: the planes of axis 0); each thread takes a
# band of slabs and walks it downwards as a wavefront: iteration ``i`` computes
# slab ``i`` of level 1 (one step on), slab ``i - 1`` of level 2, ..., slab
# ``i - depth + 1`` of level ``depth``, which goes to the output grid. Levels 1
# to depth - 1 live in a ring of 3 slabs each (``_heat_band``); a slab of level
# t needs slabs r - 1, r, r + 1 of level t - 1, and the ring still holds them.
# Slabs beyond the band are computed too (overlapped trapezoids: level t
# extends depth - t slabs past either end), so the bands are independent and a
# block of ``depth`` steps reads one grid and writes the other (``_plan`` over
# blocks), one barrier per block. Along a 'wrap' axis the slabs beyond the grid
# are the slabs of the periodic extension (slab v is slab v mod n), computed
# from the same values with the same operations; along any other mode the band
# stops at the grid's edge and the border slab reads its neighbours through
# boundary_index, as the step-by-step kernel does. A 1-D grid (one row) is
# blocked along the row instead, in trapezoids over tiles (``_heat_tiles``).
#
# Bitwise: every cell of every level is computed by _heat_row, the function the
# step-by-step kernel uses, from the same neighbour values, so the result is
# the same bits for any depth, band cut, thread count and slice cut
# (tests/test_temporal_blocking.py). A recomputed halo slab holds the same bits
# as the one its own band computes.
#
# Depth and cache: pycompute/simulation.py (``_block_depth``) sizes the ring to
# about one core's L2 (``BLOCK_CACHE``). Measured on the Zen 4 VM (1 MiB L2 a
# core), heat float64 4096^2 x 100 at 2 threads: 2.1x the cell updates per
# CPU-second of one sweep a step at depth 8-15 (CPU time: the machine was
# shared; benchmarks/run_simulation.py).
# Narrower slabs (column strips that keep a level in L1) measured no faster:
# the loop runs at the add throughput from L2. The output vector of the
# interior loop is 64-byte aligned (``_heat_interior``): a store that crosses a
# cache line costs two (+10%).

cdef inline const float_t* _row(const float_t* a, const float_t* crow, Py_ssize_t k,
                                Py_ssize_t n2) noexcept nogil:
    return crow if k < 0 else a + k * n2


cdef inline float_t _at(const float_t* c, Py_ssize_t j, Py_ssize_t n, int mode,
                        float_t cval) noexcept nogil:
    cdef Py_ssize_t k = boundary_index(j, n, mode)
    return cval if k < 0 else c[k]


cdef inline void _heat_span(const float_t* c, const float_t* pm, const float_t* pp,
                            const float_t* qm, const float_t* qp, float_t* o, Py_ssize_t ja,
                            Py_ssize_t jb, int nout, float_t c0, float_t al) noexcept nogil:
    """Interior elements [ja, jb) of a row (see _heat_row): contiguous, branch free, vectorized."""
    cdef Py_ssize_t j
    if nout == 0:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * (c[j - 1] + c[j + 1])
    elif nout == 1:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * ((pm[j] + pp[j]) + (c[j - 1] + c[j + 1]))
    else:
        for j in range(ja, jb):
            o[j] = c0 * c[j] + al * (((pm[j] + pp[j]) + (qm[j] + qp[j])) + (c[j - 1] + c[j + 1]))


cdef inline void _heat_interior(const float_t* c, const float_t* pm, const float_t* pp,
                                const float_t* qm, const float_t* qp, float_t* o,
                                Py_ssize_t ja, Py_ssize_t jb, int nout, float_t c0,
                                float_t al) noexcept nogil:
    """_heat_span over [ja, jb): the few elements before the first 64-byte aligned
    output vector, then the rest (a vector store that crosses a cache line costs two)."""
    cdef Py_ssize_t jh = ja + ((-<size_t>(o + ja)) & 63) // sizeof(float_t)
    jh = jh if jh < jb else (jb if jb > ja else ja)
    _heat_span(c, pm, pp, qm, qp, o, ja, jh, nout, c0, al)
    _heat_span(c, pm, pp, qm, qp, o, jh, jb, nout, c0, al)


cdef void _heat_row(const float_t* c, const float_t* pm, const float_t* pp, const float_t* qm,
                    const float_t* qp, float_t* o, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t n2,
                    int nout, float_t c0, float_t al, int m2, float_t cval) noexcept nogil:
    """Elements [lo, hi) of one row of one explicit diffusion step.

    ``c`` is the row, ``pm``/``pp`` its neighbour rows along the first outer
    axis and ``qm``/``qp`` along the second (used when ``nout`` is 1 / 2;
    0: 1-D). out = c0*u + al*(sum over axes of (u[-1] + u[+1])), the axis pairs
    added first to last, as the reference does.
    """
    cdef Py_ssize_t j, e
    cdef float_t lft, rgt, x
    _heat_interior(c, pm, pp, qm, qp, o, lo if lo > 1 else 1, hi if hi < n2 - 1 else n2 - 1,
                   nout, c0, al)
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


cdef void _heat_task(const float_t* a, float_t* b, const float_t* crow, Py_ssize_t t,
                     Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t n2, int nout, Py_ssize_t nch,
                     Py_ssize_t L, float_t c0, float_t al, int m0, int m1, int m2,
                     float_t cval) noexcept nogil:
    """Row segment ``t`` of one step of the whole (n0, n1, n2) grid ``a`` into ``b``;
    ``nout`` outer axes take part (0: 1-D, 1: 2-D on axis 1, 2: 3-D)."""
    cdef Py_ssize_t r = t // nch
    cdef Py_ssize_t lo = (t % nch) * L
    cdef Py_ssize_t hi = lo + L if lo + L < n2 else n2
    cdef Py_ssize_t i0 = r // n1, i1 = r % n1
    cdef const float_t* c = a + r * n2
    cdef const float_t* pm = c
    cdef const float_t* pp = c
    cdef const float_t* qm = c
    cdef const float_t* qp = c
    cdef Py_ssize_t k
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
    _heat_row(c, pm, pp, qm, qp, b + r * n2, lo, hi, n2, nout, c0, al, m2, cval)


cdef inline Py_ssize_t _mod(Py_ssize_t v, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t p = v % n
    return p + n if p < 0 else p


cdef inline const float_t* _slab(const float_t* X, const float_t* ring, Py_ssize_t t,
                                 Py_ssize_t v, Py_ssize_t ns, Py_ssize_t S,
                                 Py_ssize_t Sp) noexcept nogil:
    """Slab ``v`` (a position in the band's extended range) of level ``t``: the input
    grid for t = 0 (along 'wrap', slab v mod ns), else its ring slot (``Sp`` apart)."""
    if t == 0:
        return X + _mod(v, ns) * S
    return ring + ((t - 1) * 3 + _mod(v, 3)) * Sp


cdef inline Py_ssize_t _ring_stride(Py_ssize_t S, Py_ssize_t size) noexcept nogil:
    """Elements from one ring slab to the next: S rounded up to whole 64-byte lines."""
    cdef Py_ssize_t per = 64 // size
    return _cdiv(S, per) * per


cdef inline bint _in_level(Py_ssize_t r, Py_ssize_t t, Py_ssize_t lo, Py_ssize_t hi,
                           Py_ssize_t T, Py_ssize_t ns, bint wrap) noexcept nogil:
    """Whether a band [lo, hi) of a T-step block computes slab ``r`` of level ``t``:
    level t spans T - t slabs past either end of the band (not past the grid's
    ends, unless the blocking axis wraps)."""
    cdef Py_ssize_t a = lo - (T - t), b = hi + (T - t)
    if not wrap:
        a = a if a > 0 else 0
        b = b if b < ns else ns
    return a <= r < b


cdef void _heat_band(const float_t* X, float_t* Y, float_t* ring, const float_t* crow,
                     Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T, Py_ssize_t n0, Py_ssize_t n1,
                     Py_ssize_t n2, int nout, float_t c0, float_t al, int m0, int m1, int m2,
                     float_t cval) noexcept nogil:
    """``T`` steps of the slabs [lo, hi) of grid ``X`` into ``Y`` (a wavefront; see above).

    2-D (nout 1): a slab is a row, the blocking axis is axis 1; 3-D (nout 2): a
    slab is a plane of n1 rows, the blocking axis is axis 0. ``ring``: 3 * (T - 1)
    slabs of scratch, 64-byte aligned, ``_ring_stride`` elements apart.
    """
    cdef Py_ssize_t ns = n1 if nout == 1 else n0
    cdef Py_ssize_t nr = 1 if nout == 1 else n1
    cdef Py_ssize_t S = nr * n2
    cdef Py_ssize_t Sp = _ring_stride(S, sizeof(float_t))
    cdef int mb = m1 if nout == 1 else m0
    cdef bint wrap = mb == MODE_WRAP
    cdef Py_ssize_t i, t, r, k, i1
    cdef const float_t* cen
    cdef const float_t* up
    cdef const float_t* dn
    cdef const float_t* qm
    cdef const float_t* qp
    cdef float_t* o
    for i in range(lo - (T - 1), hi + T - 1):
        for t in range(1, T + 1):
            r = i - (t - 1)
            if not _in_level(r, t, lo, hi, T, ns, wrap):
                continue
            cen = _slab(X, ring, t - 1, r, ns, S, Sp)
            if wrap:
                up = _slab(X, ring, t - 1, r - 1, ns, S, Sp)
                dn = _slab(X, ring, t - 1, r + 1, ns, S, Sp)
            else:
                k = boundary_index(r - 1, ns, mb)
                up = NULL if k < 0 else _slab(X, ring, t - 1, k, ns, S, Sp)
                k = boundary_index(r + 1, ns, mb)
                dn = NULL if k < 0 else _slab(X, ring, t - 1, k, ns, S, Sp)
            if t == T:
                o = Y + _mod(r, ns) * S
            else:
                o = ring + ((t - 1) * 3 + _mod(r, 3)) * Sp
            if nout == 1:
                _heat_row(cen, crow if up == NULL else up, crow if dn == NULL else dn,
                          crow, crow, o, 0, n2, n2, 1, c0, al, m2, cval)
            else:
                for i1 in range(n1):
                    k = boundary_index(i1 - 1, n1, m1)
                    qm = crow if k < 0 else cen + k * n2
                    k = boundary_index(i1 + 1, n1, m1)
                    qp = crow if k < 0 else cen + k * n2
                    _heat_row(cen + i1 * n2, crow if up == NULL else up + i1 * n2,
                              crow if dn == NULL else dn + i1 * n2, qm, qp, o + i1 * n2,
                              0, n2, n2, 2, c0, al, m2, cval)


cdef void _heat_tiles(const float_t* X, float_t* Y, float_t* buf, Py_ssize_t k0, Py_ssize_t k1,
                      Py_ssize_t L, Py_ssize_t T, Py_ssize_t n2, float_t c0, float_t al, int m2,
                      float_t cval) noexcept nogil:
    """``T`` steps of the 1-D grid ``X`` into ``Y`` over tiles k0..k1-1 of ``L`` elements.

    A 1-D grid is one row: it is blocked along the row, in trapezoids. Tile
    [lo, hi) copies elements lo - T .. hi + T of ``X`` (along 'wrap', element v
    is v mod n2; otherwise the range stops at the grid's ends) into one half of
    ``buf``; level t, computed from the other half, spans T - t elements past
    either end, so level T is exactly the tile, written to ``Y``. Along 'wrap'
    every element uses the interior formula (for 'wrap' the border elements'
    formula is the same operations on the same neighbours); otherwise
    _heat_row's border elements. ``buf``: 2 * _ring_stride(L + 2 T) elements.
    """
    cdef Py_ssize_t Wp = _ring_stride(L + 2 * T, sizeof(float_t))
    cdef bint wrap = m2 == MODE_WRAP
    cdef Py_ssize_t k, lo, hi, base, a, b, t, j
    cdef float_t* cur
    cdef float_t* nxt
    cdef float_t* sw
    for k in range(k0, k1):
        lo = k * L
        hi = lo + L if lo + L < n2 else n2
        base = lo - T  # the element at the start of each half of ``buf``
        cur = buf
        nxt = buf + Wp
        a = lo - T
        b = hi + T
        if not wrap:
            a = a if a > 0 else 0
            b = b if b < n2 else n2
        if wrap:
            for j in range(a, b):
                cur[j - base] = X[_mod(j, n2)]
        else:
            memcpy(cur + (a - base), X + a, (b - a) * sizeof(float_t))
        for t in range(1, T + 1):
            a = lo - (T - t)
            b = hi + (T - t)
            if not wrap:
                a = a if a > 0 else 0
                b = b if b < n2 else n2
            # (pointers offset by -base: element j of the level at index j)
            if wrap:
                _heat_interior(cur - base, NULL, NULL, NULL, NULL,
                               Y if t == T else nxt - base, a, b, 0, c0, al)
            else:
                _heat_row(cur - base, NULL, NULL, NULL, NULL, Y if t == T else nxt - base,
                          a, b, n2, 0, c0, al, m2, cval)
            sw = cur
            cur = nxt
            nxt = sw


def heat(const float_t[::1] src, float_t[::1] dst, float_t[::1] tmp,
         Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t n2, int nout, Py_ssize_t steps,
         double alpha, int m0, int m1, int m2, double cval, bint inplace, Py_ssize_t depth,
         int n_threads):
    """``steps`` explicit diffusion steps of the (n0, n1, n2) grid ``src`` into ``dst``.

    ``tmp`` is the second buffer (any size >= 1 when ``steps == 1`` and not in place);
    ``inplace``: ``src`` and ``dst`` are the same memory. ``depth``: steps per
    temporal block (1 = one sweep of the grid per step).
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
    cdef Py_ssize_t s, t, j, nblk, nband, ns, R, Tk
    cdef int p
    cdef bint blocked = depth > 1 and steps > 1
    cdef float_t* ring = NULL
    cdef char* ring_mem = NULL
    cdef float_t* crow = <float_t*>malloc(n2 * sizeof(float_t))
    if crow == NULL:
        raise MemoryError()
    for j in range(n2):
        crow[j] = cv
    # blocks of about ``depth`` steps (equal sizes: 10 steps at depth 8 are 5 + 5);
    # bands of slabs, one a thread
    nblk = _cdiv(steps, depth) if blocked else steps
    # 2-D, 3-D: bands of slabs; 1-D: bands of tiles (the tasks of one row)
    ns = n1 if nout == 1 else (n0 if nout == 2 else nch)
    nband = n_threads if n_threads < ns else ns
    if nout == 0:
        R = 2 * _ring_stride(L + 2 * depth, sizeof(float_t))
    else:
        R = 3 * (depth - 1) * _ring_stride(n0 * n1 * n2 // ns, sizeof(float_t))  # per band
    if blocked:
        ring_mem = <char*>malloc(nband * R * sizeof(float_t) + 64)
        if ring_mem == NULL:
            free(crow)
            raise MemoryError()
        ring = <float_t*>(ring_mem + ((-<size_t>ring_mem) & 63))
    with nogil:
        if blocked and n_threads > 1:
            with parallel(num_threads=n_threads):
                for s in range(nblk):
                    p = _plan(s, nblk, inplace)
                    rd = s0 if p <= 1 else (<const float_t*>tp if p == 2 else <const float_t*>d)
                    wr = d if p % 2 == 0 else tp
                    Tk = steps * (s + 1) // nblk - steps * s // nblk
                    for t in prange(nband, schedule="static"):
                        if nout == 0:
                            _heat_tiles(rd, wr, ring + t * R, t * ns // nband,
                                        (t + 1) * ns // nband, L, Tk, n2, c0, al, m2, cv)
                        else:
                            _heat_band(rd, wr, ring + t * R, crow, t * ns // nband,
                                       (t + 1) * ns // nband, Tk, n0, n1, n2, nout, c0, al,
                                       m0, m1, m2, cv)
                    _barrier()
        elif blocked:
            for s in range(nblk):
                p = _plan(s, nblk, inplace)
                rd = s0 if p <= 1 else (<const float_t*>tp if p == 2 else <const float_t*>d)
                wr = d if p % 2 == 0 else tp
                Tk = steps * (s + 1) // nblk - steps * s // nblk
                if nout == 0:
                    _heat_tiles(rd, wr, ring, 0, ns, L, Tk, n2, c0, al, m2, cv)
                else:
                    _heat_band(rd, wr, ring, crow, 0, ns, Tk, n0, n1, n2, nout, c0, al,
                               m0, m1, m2, cv)
        elif n_threads > 1:
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
        if inplace and nblk % 2 == 1:
            memcpy(d, tp, n0 * n1 * n2 * sizeof(float_t))
    free(ring_mem)
    free(crow)


# ================================================================ Game of Life
#
# Bit sliced: the board is stepped as one bit a cell, 64 cells a uint64 word.
#
# Packed layout (``life_pack`` writes it, ``life_unpack`` reads it back): row i
# of the (n0, n1) board is the ``S = W + 2`` words at ``i * S`` (W = ceil(n1 /
# 64)): a left guard word, the W data words (cell j is bit j % 64 of data word
# j // 64) and a right guard word. A buffer holds n0 + 1 rows: row n0 is all
# zeros, the dead row outside a 'constant' border (written by ``life_bits``).
# After every generation the thread that wrote a row fixes its border bits
# (``pyc_life_fix``), so that the next generation's shifts read the right
# neighbours with no special case in the word loop:
#   'constant' columns: guards 0, the padding bits of the last word 0 (also
#                       under a B0 rule: cells outside stay dead, as in the reference);
#   'wrap' columns:     left guard bit 63 = cell n1-1; right guard bit 0 = cell 0;
#                       a partial last word (n1 % 64 = t > 0) also carries cell 0
#                       in its padding bit t; the other padding bits are 0.
#
# A generation, per word: the neighbour count of a cell is H(up) + H(own) -
# alive + H(down), where H of a row is its horizontal 3-cell sum as two bit
# planes (full adder of the row and the row shifted one bit either way; the bit
# that crosses a word boundary comes from the next word). Each thread walks a
# block of rows downwards keeping the H of the last two rows (a ring of 3 rows),
# so each row's H is computed once, not three times. Full/half adders sum the
# three 2-bit counts into the count's bit planes (s0, s1, and k1 + k2 for the
# 4s). The rule is a boolean function of (count, alive): B3/S23 (the default)
# as s1 & (s0 | alive) & ~(s2 | s3); any other rule as, for each count k, a
# "leaf" alive ? S_k : B_k (S_k, B_k all-ones or zero masks from the rule) and a
# multiplexer tree on the count bits. Per 8 words (512 cells) at the avx512
# level: 4 shifts and 14 boolean instructions (9 of them vpternlogq) for
# B3/S23, 17 more for a generic rule; no tables, any rule.
#
# Parallel: the rows are cut into one block per thread (static: a thread keeps
# its rows from generation to generation), double buffered, one barrier per
# generation. Exact boolean arithmetic: every SIMD level and thread count gives
# the same bits (tests/test_life_bitsliced.py, tests/simd_battery.py).
#
# SIMD (objdump of each level's .so): at the avx512 level the word loop is
# written with intrinsics, 8 words (512 cells) a zmm, every xor-of-3, majority
# and multiplexer one vpternlogq (GCC 12 builds a majority from C operators as
# two), masked loads/stores for a row's last partial vector: 43 instructions per
# 512 cells for B3/S23. The avx2 and baseline levels compile the portable C loop,
# which GCC vectorizes on ymm / xmm (and/or/xor/andn). Packing and unpacking run
# vptestmb / masked vmovdqu8 at the avx512 level (64 cells an instruction) and a
# multiply trick, 8 cells at a time, elsewhere.
cdef extern from *:
    """
    #include <stdint.h>
    #define PYC_MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
    #define PYC_MUX(s, x1, x0) (((s) & (x1)) | (~(s) & (x0)))

    /* One generation of one packed row, with the rows' horizontal sums shared.

       H(r), the horizontal sum of row r's cells j-1, j, j+1 for each cell j,
       is 2 bit planes (h0 = l ^ x ^ r, h1 = majority(l, x, r), x the row's
       word, l and r it shifted by one cell, the crossing bit from the next
       word). Row i's neighbour count is H(i-1) + H(i) - x + H(i+1); H(i) - x
       is m0 = h0 ^ x, m1 = h1 & (h0 | ~x). A thread walks its rows downwards
       keeping H of the last two rows (the ring buffer hu, hm); one pass per
       row computes H(i+1) (stored in hd for the next two rows) and the new row
       i: per word, 4 shifts and 14 to 20 boolean operations (B3/S23).

       p: row i+1, c: row i (guard word first); o: the output row (guard word
       first; writes its W data words); rule bits 0-8 = birth counts, 9-17 =
       survival counts. The word loop is written once and instantiated twice:
       Conway's B3/S23 as a 2-operation rule, any other rule through the
       multiplexer tree. */
    #define PYC_LIFE_LOOP(RULE_EXPR)                                                   \
        for (Py_ssize_t k = 0; k < W; k++) {                                           \
            const uint64_t x = p[k + 1];                                               \
            const uint64_t l = (x << 1) | (p[k] >> 63), r = (x >> 1) | (p[k + 2] << 63); \
            const uint64_t d0 = l ^ x ^ r, d1 = PYC_MAJ(l, x, r);                      \
            hd0[k] = d0;                                                               \
            hd1[k] = d1;                                                               \
            const uint64_t cc = c[k + 1], a0 = hu0[k], a1 = hu1[k];                    \
            const uint64_t m0 = hm0[k] ^ cc, m1 = hm1[k] & (hm0[k] | ~cc);             \
            /* the sum: s0 + 2 s1 + 4 (k1 + k2), so s2 = k1 ^ k2, s3 = k1 & k2 */       \
            const uint64_t s0 = a0 ^ m0 ^ d0, k0 = PYC_MAJ(a0, m0, d0);                \
            const uint64_t t1 = a1 ^ m1 ^ d1, k1 = PYC_MAJ(a1, m1, d1);                \
            const uint64_t s1 = t1 ^ k0, k2 = t1 & k0;                                 \
            o[k + 1] = RULE_EXPR;                                                      \
        }
    /* B3/S23: count 3, or count 2 and alive: s1 & (s0 | alive) & !(s2 | s3) */
    #define PYC_LIFE_CONWAY (s1 & (s0 | cc) & ~(k1 | k2))
    /* any rule: leaf k = alive ? S_k : B_k, selected by the count bits */
    #define PYC_LIFE_ANY (PYC_MUX(k1 & k2, PYC_MUX(cc, S8, B8),                         \
        PYC_MUX(k1 ^ k2,                                                               \
                PYC_MUX(s1, PYC_MUX(s0, PYC_MUX(cc, S7, B7), PYC_MUX(cc, S6, B6)),     \
                            PYC_MUX(s0, PYC_MUX(cc, S5, B5), PYC_MUX(cc, S4, B4))),    \
                PYC_MUX(s1, PYC_MUX(s0, PYC_MUX(cc, S3, B3), PYC_MUX(cc, S2, B2)),     \
                            PYC_MUX(s0, PYC_MUX(cc, S1, B1), PYC_MUX(cc, S0, B0))))))
    #define PYC_RULE_CONWAY ((1u << 3) | (1u << (9 + 2)) | (1u << (9 + 3)))
    #define PYC_LIFE_ROW_ARGS const uint64_t* restrict p, const uint64_t* restrict c,    \
        const uint64_t* restrict hu0, const uint64_t* restrict hu1,                    \
        const uint64_t* restrict hm0, const uint64_t* restrict hm1,                    \
        uint64_t* restrict hd0, uint64_t* restrict hd1, uint64_t* restrict o,          \
        Py_ssize_t W, uint32_t rule

    #if defined(__AVX512F__) && defined(__AVX512BW__)
    /* The avx512 level: the same operations on 8 words (512 cells) a zmm,
       written with intrinsics because GCC 12 builds a majority from two
       vpternlogq where one does (0xe8); masked loads and stores take the row's
       last partial vector, so there is no scalar tail. Immediates: A = 0xf0,
       B = 0xcc, C = 0xaa; xor3 0x96, majority 0xe8, A ? B : C 0xca,
       A & (B | ~C) 0xd0. */
    #include <immintrin.h>
    #define PYC_T3(a, b, c, imm) _mm512_ternarylogic_epi64((a), (b), (c), (imm))
    #define PYC_VH(m)                                                                  \
            const __m512i x = _mm512_maskz_loadu_epi64(m, p + k + 1);                   \
            const __m512i l = _mm512_or_si512(_mm512_slli_epi64(x, 1),                  \
                _mm512_srli_epi64(_mm512_maskz_loadu_epi64(m, p + k), 63));             \
            const __m512i r = _mm512_or_si512(_mm512_srli_epi64(x, 1),                  \
                _mm512_slli_epi64(_mm512_maskz_loadu_epi64(m, p + k + 2), 63));         \
            const __m512i d0 = PYC_T3(l, x, r, 0x96), d1 = PYC_T3(l, x, r, 0xe8);       \
            _mm512_mask_storeu_epi64(hd0 + k, m, d0);                                   \
            _mm512_mask_storeu_epi64(hd1 + k, m, d1);
    #define PYC_VBODY(RULE_EXPR)                                                       \
            PYC_VH(m)                                                                  \
            const __m512i cc = _mm512_maskz_loadu_epi64(m, c + k + 1);                  \
            const __m512i a0 = _mm512_maskz_loadu_epi64(m, hu0 + k);                    \
            const __m512i a1 = _mm512_maskz_loadu_epi64(m, hu1 + k);                    \
            const __m512i h0 = _mm512_maskz_loadu_epi64(m, hm0 + k);                    \
            const __m512i m0 = _mm512_xor_si512(h0, cc);                                \
            const __m512i m1 = PYC_T3(_mm512_maskz_loadu_epi64(m, hm1 + k), h0, cc, 0xd0); \
            const __m512i s0 = PYC_T3(a0, m0, d0, 0x96), k0 = PYC_T3(a0, m0, d0, 0xe8); \
            const __m512i t1 = PYC_T3(a1, m1, d1, 0x96), k1 = PYC_T3(a1, m1, d1, 0xe8); \
            const __m512i s1 = _mm512_xor_si512(t1, k0), k2 = _mm512_and_si512(t1, k0); \
            _mm512_mask_storeu_epi64(o + k + 1, m, RULE_EXPR);
    /* whole vectors (an all-ones mask: plain loads and stores), then the last partial one */
    #define PYC_VLOOP(BODY, RULE_EXPR) {                                               \
            Py_ssize_t k = 0;                                                          \
            for (; k + 8 <= W; k += 8) {                                               \
                const __mmask8 m = (__mmask8)0xff;                                     \
                BODY(RULE_EXPR)                                                        \
            }                                                                          \
            if (k < W) {                                                               \
                const __mmask8 m = (__mmask8)((1u << (W - k)) - 1u);                   \
                BODY(RULE_EXPR)                                                        \
            }                                                                          \
        }
    /* s1 & (s0 | alive) = 0xe0, then & ~(k1 | k2) = 0x10 */
    #define PYC_VCONWAY PYC_T3(PYC_T3(s1, s0, cc, 0xe0), k1, k2, 0x10)
    #define PYC_VLEAF(k) PYC_T3(cc, vS[k], vB[k], 0xca)
    #define PYC_VMUX(s, x1, x0) PYC_T3((s), (x1), (x0), 0xca)
    #define PYC_VANY PYC_VMUX(_mm512_and_si512(k1, k2), PYC_VLEAF(8),                   \
        PYC_VMUX(_mm512_xor_si512(k1, k2),                                             \
                 PYC_VMUX(s1, PYC_VMUX(s0, PYC_VLEAF(7), PYC_VLEAF(6)),                \
                              PYC_VMUX(s0, PYC_VLEAF(5), PYC_VLEAF(4))),               \
                 PYC_VMUX(s1, PYC_VMUX(s0, PYC_VLEAF(3), PYC_VLEAF(2)),                \
                              PYC_VMUX(s0, PYC_VLEAF(1), PYC_VLEAF(0)))))

    static void pyc_life_hrow(const uint64_t* restrict p, uint64_t* restrict hd0,
                              uint64_t* restrict hd1, Py_ssize_t W) {
        #define PYC_VHBODY(unused) PYC_VH(m)
        PYC_VLOOP(PYC_VHBODY, 0)
    }

    static void pyc_life_row(PYC_LIFE_ROW_ARGS) {
        if (rule == PYC_RULE_CONWAY) {
            PYC_VLOOP(PYC_VBODY, PYC_VCONWAY)
            return;
        }
        __m512i vB[9], vS[9];
        for (int k = 0; k < 9; k++) {
            vB[k] = _mm512_set1_epi64(((rule >> k) & 1u) ? -1 : 0);
            vS[k] = _mm512_set1_epi64(((rule >> (9 + k)) & 1u) ? -1 : 0);
        }
        PYC_VLOOP(PYC_VBODY, PYC_VANY)
    }
    #else
    static void pyc_life_hrow(const uint64_t* restrict p, uint64_t* restrict hd0,
                              uint64_t* restrict hd1, Py_ssize_t W) {
        for (Py_ssize_t k = 0; k < W; k++) {
            const uint64_t x = p[k + 1];
            const uint64_t l = (x << 1) | (p[k] >> 63), r = (x >> 1) | (p[k + 2] << 63);
            hd0[k] = l ^ x ^ r;
            hd1[k] = PYC_MAJ(l, x, r);
        }
    }

    static void pyc_life_row(PYC_LIFE_ROW_ARGS) {
        if (rule == PYC_RULE_CONWAY) {
            PYC_LIFE_LOOP(PYC_LIFE_CONWAY)
            return;
        }
        uint64_t B[9], S[9];
        for (int k = 0; k < 9; k++) {
            B[k] = ((rule >> k) & 1u) ? ~(uint64_t)0 : 0;
            S[k] = ((rule >> (9 + k)) & 1u) ? ~(uint64_t)0 : 0;
        }
        const uint64_t B0 = B[0], B1 = B[1], B2 = B[2], B3 = B[3], B4 = B[4], B5 = B[5],
                       B6 = B[6], B7 = B[7], B8 = B[8];
        const uint64_t S0 = S[0], S1 = S[1], S2 = S[2], S3 = S[3], S4 = S[4], S5 = S[5],
                       S6 = S[6], S7 = S[7], S8 = S[8];
        PYC_LIFE_LOOP(PYC_LIFE_ANY)
    }
    #endif

    /* The border bits of a packed row whose data words are written (see the
       layout above): guards and padding for 'wrap' (wrap != 0) or 'constant'. */
    static void pyc_life_fix(uint64_t* o, Py_ssize_t W, Py_ssize_t n1, int wrap) {
        const int t = (int)(n1 - 64 * (W - 1));              /* cells in the last word, 1..64 */
        const uint64_t last = o[W] & (~(uint64_t)0 >> (64 - t));
        if (wrap) {
            const uint64_t first = (W == 1 ? last : o[1]) & 1u;   /* cell 0 */
            o[0] = ((last >> (t - 1)) & 1u) << 63;                /* cell n1 - 1 */
            o[W + 1] = first;
            o[W] = t < 64 ? last | (first << t) : last;
        } else {
            o[0] = 0;
            o[W + 1] = 0;
            o[W] = last;
        }
    }

    /* Pack one row of n1 0/1 bytes into its W data words and fix its borders,
       and unpack the W data words of a row into n1 bytes 0/1. The avx512 level
       takes 64 cells an instruction (vptestmb: a byte's "nonzero" bit into a
       mask register; vmovdqu8 under a mask: a mask bit into a byte), masked for
       a partial last word. The other levels take 8 cells at a time: the 8 bytes
       as one little-endian integer x (GCC merges the byte loads into one load),
       times 0x0102040810204080, gathers byte j's bit into bit 56 + j (the partial
       products never overlap: no carries); and back, a byte b of bits times
       0x0101010101010101 masked by 0x8040201008040201 keeps bit j in byte j,
       and + 0x7f turns each nonzero byte's top bit on. */
    static void pyc_life_pack_row(const uint8_t* restrict a, uint64_t* restrict o,
                                  Py_ssize_t n1, Py_ssize_t W, int wrap) {
        for (Py_ssize_t k = 0; k < W; k++) {
            const uint8_t* p = a + 64 * k;
            const Py_ssize_t m = n1 - 64 * k < 64 ? n1 - 64 * k : 64;
    #if defined(__AVX512F__) && defined(__AVX512BW__)
            const __mmask64 mk = m == 64 ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1);
            const __m512i v = _mm512_maskz_loadu_epi8(mk, p);
            o[k + 1] = (uint64_t)_mm512_test_epi8_mask(v, v);
    #else
            uint64_t w = 0;
            if (m == 64) {
                for (int q = 0; q < 8; q++) {
                    uint64_t x = 0;
                    for (int j = 0; j < 8; j++)
                        x |= (uint64_t)p[8 * q + j] << (8 * j);
                    w |= ((x * 0x0102040810204080ull) >> 56) << (8 * q);
                }
            } else {
                for (Py_ssize_t j = 0; j < m; j++)
                    w |= (uint64_t)(p[j] != 0) << j;
            }
            o[k + 1] = w;
    #endif
        }
        pyc_life_fix(o, W, n1, wrap);
    }

    static void pyc_life_unpack_row(const uint64_t* restrict o, uint8_t* restrict a,
                                    Py_ssize_t n1, Py_ssize_t W) {
        for (Py_ssize_t k = 0; k < W; k++) {
            uint8_t* p = a + 64 * k;
            const Py_ssize_t m = n1 - 64 * k < 64 ? n1 - 64 * k : 64;
            const uint64_t w = o[k + 1];
    #if defined(__AVX512F__) && defined(__AVX512BW__)
            const __mmask64 mk = m == 64 ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1);
            _mm512_mask_storeu_epi8(p, mk, _mm512_maskz_mov_epi8((__mmask64)w,
                                                                 _mm512_set1_epi8(1)));
    #else
            if (m == 64) {
                for (int q = 0; q < 8; q++) {
                    uint64_t y = (((w >> (8 * q)) & 0xffu) * 0x0101010101010101ull)
                                 & 0x8040201008040201ull;
                    y = ((y + 0x7f7f7f7f7f7f7f7full) >> 7) & 0x0101010101010101ull;
                    for (int j = 0; j < 8; j++)
                        p[8 * q + j] = (uint8_t)(y >> (8 * j));
                }
            } else {
                for (Py_ssize_t j = 0; j < m; j++)
                    p[j] = (uint8_t)((w >> j) & 1u);
            }
    #endif
        }
    }
    """
    void pyc_life_hrow(const uint64_t* p, uint64_t* hd0, uint64_t* hd1,
                       Py_ssize_t W) noexcept nogil
    void pyc_life_row(const uint64_t* p, const uint64_t* c, const uint64_t* hu0,
                      const uint64_t* hu1, const uint64_t* hm0, const uint64_t* hm1,
                      uint64_t* hd0, uint64_t* hd1, uint64_t* o, Py_ssize_t W,
                      uint32_t rule) noexcept nogil
    void pyc_life_fix(uint64_t* o, Py_ssize_t W, Py_ssize_t n1, int wrap) noexcept nogil
    void pyc_life_pack_row(const uint8_t* a, uint64_t* o, Py_ssize_t n1, Py_ssize_t W,
                           int wrap) noexcept nogil
    void pyc_life_unpack_row(const uint64_t* o, uint8_t* a, Py_ssize_t n1,
                             Py_ssize_t W) noexcept nogil


cdef inline Py_ssize_t _life_src(Py_ssize_t r, Py_ssize_t n0, int m0) noexcept nogil:
    """The packed row that row position ``r`` reads: its border image, or n0 (the dead row)."""
    cdef Py_ssize_t k = boundary_index(r, n0, m0)
    return n0 if k < 0 else k


cdef void _life_block(const uint64_t* a, uint64_t* b, uint64_t* ring, Py_ssize_t t,
                      Py_ssize_t nblk, Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t S,
                      uint32_t rule, int m0, int m1) noexcept nogil:
    """Rows of block ``t`` (of ``nblk`` equal blocks) of one generation, ``a`` -> ``b``.

    ``ring``: 6 W words of this block's own (H of the last two rows, and the next).
    """
    cdef Py_ssize_t W = S - 2
    cdef Py_ssize_t r0 = t * n0 // nblk
    cdef Py_ssize_t r1 = (t + 1) * n0 // nblk
    cdef Py_ssize_t i
    cdef uint64_t* hu = ring
    cdef uint64_t* hm = ring + 2 * W
    cdef uint64_t* hd = ring + 4 * W
    cdef uint64_t* tmp
    if r0 >= r1:
        return
    pyc_life_hrow(a + _life_src(r0 - 1, n0, m0) * S, hu, hu + W, W)
    pyc_life_hrow(a + r0 * S, hm, hm + W, W)
    for i in range(r0, r1):
        pyc_life_row(a + _life_src(i + 1, n0, m0) * S, a + i * S, hu, hu + W, hm, hm + W,
                     hd, hd + W, b + i * S, W, rule)
        pyc_life_fix(b + i * S, W, n1, m1 == MODE_WRAP)
        tmp = hu
        hu = hm
        hm = hd
        hd = tmp


def life_pack(const uint8_t[::1] src, uint64_t[::1] pk, Py_ssize_t n0, Py_ssize_t n1,
              Py_ssize_t S, int m1, int n_threads):
    """Pack the (n0, n1) 0/1 board ``src`` into rows 0..n0-1 of ``pk`` (row stride ``S`` words)."""
    cdef const uint8_t* a = &src[0]
    cdef uint64_t* p = &pk[0]
    cdef Py_ssize_t i
    cdef int wrap = m1 == MODE_WRAP
    with nogil:
        if n_threads > 1:
            for i in prange(n0, num_threads=n_threads, schedule="static"):
                pyc_life_pack_row(a + i * n1, p + i * S, n1, S - 2, wrap)
        else:
            for i in range(n0):
                pyc_life_pack_row(a + i * n1, p + i * S, n1, S - 2, wrap)


def life_unpack(const uint64_t[::1] pk, uint8_t[::1] dst, Py_ssize_t n0, Py_ssize_t n1,
                Py_ssize_t S, int n_threads):
    """Unpack rows 0..n0-1 of ``pk`` into the (n0, n1) 0/1 board ``dst``."""
    cdef const uint64_t* p = &pk[0]
    cdef uint8_t* a = &dst[0]
    cdef Py_ssize_t i
    with nogil:
        if n_threads > 1:
            for i in prange(n0, num_threads=n_threads, schedule="static"):
                pyc_life_unpack_row(p + i * S, a + i * n1, n1, S - 2)
        else:
            for i in range(n0):
                pyc_life_unpack_row(p + i * S, a + i * n1, n1, S - 2)


def life_bits(uint64_t[::1] a, uint64_t[::1] b, int64_t[::1] state, Py_ssize_t n0,
              Py_ssize_t n1, Py_ssize_t S, Py_ssize_t steps, uint32_t rule, int m0, int m1,
              int n_threads):
    """``steps`` generations of a packed (n0, n1) board, double buffered in ``a`` and ``b``.

    ``state`` = [which buffer holds the board (0: ``a``, 1: ``b``), generation]:
    read at the start, updated before returning (so a Ctrl-C raised as the call
    returns never finds the board and its bookkeeping apart). Both buffers hold
    n0 + 1 rows of ``S`` words (the last row is made the dead row here). The
    rows are cut into one block per thread (static: a thread keeps its rows from
    step to step), each walked top to bottom.
    """
    cdef uint64_t* pa = &a[0] if state[0] == 0 else &b[0]
    cdef uint64_t* pb = &b[0] if state[0] == 0 else &a[0]
    cdef const uint64_t* rd
    cdef uint64_t* wr
    cdef Py_ssize_t s, t, j
    cdef Py_ssize_t W = S - 2
    cdef Py_ssize_t nblk = n_threads if n_threads < n0 else n0
    cdef uint64_t* ring
    if nblk < 1:
        nblk = 1
    ring = <uint64_t*>malloc(nblk * 6 * W * sizeof(uint64_t))
    if ring == NULL:
        raise MemoryError()
    for j in range(S):
        pa[n0 * S + j] = 0
        pb[n0 * S + j] = 0
    with nogil:
        if n_threads > 1 and nblk > 1:
            with parallel(num_threads=n_threads):
                for s in range(steps):
                    rd = pa if s % 2 == 0 else pb
                    wr = pb if s % 2 == 0 else pa
                    for t in prange(nblk, schedule="static"):
                        _life_block(rd, wr, ring + t * 6 * W, t, nblk, n0, n1, S, rule, m0, m1)
                    _barrier()  # after the loop (prange is "omp for nowait")
        else:
            for s in range(steps):
                rd = pa if s % 2 == 0 else pb
                wr = pb if s % 2 == 0 else pa
                _life_block(rd, wr, ring, 0, 1, n0, n1, S, rule, m0, m1)
    free(ring)
    state[0] ^= steps & 1
    state[1] += steps


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


cdef void _gs_rowp(const float_t* u, const float_t* v, const float_t* uu, const float_t* ud,
                   const float_t* vu, const float_t* vd, float_t* uo, float_t* vo,
                   Py_ssize_t n1, float_t Du, float_t Dv, float_t F, float_t Fk, float_t dt,
                   int m1) noexcept nogil:
    """One row of one Gray-Scott step: rows u, v, their neighbour rows uu/ud and
    vu/vd (5-point Laplacian; modes never 'constant'), into uo, vo."""
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


cdef void _gs_row(const float_t* ua, const float_t* va, float_t* ub, float_t* vb,
                  Py_ssize_t i, Py_ssize_t n0, Py_ssize_t n1, float_t Du, float_t Dv,
                  float_t F, float_t Fk, float_t dt, int m0, int m1) noexcept nogil:
    """Row ``i`` of one Gray-Scott step of the whole grid."""
    cdef Py_ssize_t ku = boundary_index(i - 1, n0, m0) * n1
    cdef Py_ssize_t kd = boundary_index(i + 1, n0, m0) * n1
    _gs_rowp(ua + i * n1, va + i * n1, ua + ku, ua + kd, va + ku, va + kd, ub + i * n1,
             vb + i * n1, n1, Du, Dv, F, Fk, dt, m1)


cdef void _gs_band(const float_t* U, const float_t* V, float_t* UY, float_t* VY, float_t* ring,
                   Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t T, Py_ssize_t n0, Py_ssize_t n1,
                   float_t Du, float_t Dv, float_t F, float_t Fk, float_t dt, int m0,
                   int m1) noexcept nogil:
    """``T`` Gray-Scott steps of the rows [lo, hi) of (U, V) into (UY, VY): the
    wavefront of _heat_band (see "heat"), with a u row and a v row in each ring
    slot (``ring``: 6 * (T - 1) rows, 64-byte aligned, ``_ring_stride`` apart)."""
    cdef Py_ssize_t Sp = _ring_stride(n1, sizeof(float_t))
    cdef bint wrap = m0 == MODE_WRAP
    cdef Py_ssize_t i, t, r, kc, ku, kd, q
    cdef const float_t* su
    cdef const float_t* sv
    cdef float_t* ou
    cdef float_t* ov
    for i in range(lo - (T - 1), hi + T - 1):
        for t in range(1, T + 1):
            r = i - (t - 1)
            if not _in_level(r, t, lo, hi, T, n0, wrap):
                continue
            if wrap:
                ku = r - 1
                kd = r + 1
            else:
                ku = boundary_index(r - 1, n0, m0)
                kd = boundary_index(r + 1, n0, m0)
            if t == 1:  # level 0: the input grids (along 'wrap', row v mod n0)
                kc = _mod(r, n0) * n1
                ku = _mod(ku, n0) * n1
                kd = _mod(kd, n0) * n1
                su = U
                sv = V
            else:       # level t - 1: ring slots, v row right after the u row
                q = (t - 2) * 3
                kc = (q + _mod(r, 3)) * 2 * Sp
                ku = (q + _mod(ku, 3)) * 2 * Sp
                kd = (q + _mod(kd, 3)) * 2 * Sp
                su = ring
                sv = ring + Sp
            if t == T:
                ou = UY + _mod(r, n0) * n1
                ov = VY + _mod(r, n0) * n1
            else:
                ou = ring + ((t - 1) * 3 + _mod(r, 3)) * 2 * Sp
                ov = ou + Sp
            _gs_rowp(su + kc, sv + kc, su + ku, su + kd, sv + ku, sv + kd, ou, ov, n1,
                     Du, Dv, F, Fk, dt, m1)


def gray_scott(const float_t[::1] u_in, const float_t[::1] v_in, float_t[::1] u_out,
               float_t[::1] v_out, float_t[::1] u_tmp, float_t[::1] v_tmp,
               Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t steps, double Du, double Dv,
               double F, double k, double dt, int m0, int m1, Py_ssize_t depth,
               int n_threads):
    """``steps`` Gray-Scott steps of (u_in, v_in) into (u_out, v_out); never in place.

    ``depth``: steps per temporal block (1 = one sweep of the grid per step;
    blocked as heat, see there).
    """
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
    cdef Py_ssize_t s, i, nblk, nband, R, Tk
    cdef int p
    cdef bint blocked = depth > 1 and steps > 1
    cdef float_t* ring = NULL
    cdef char* ring_mem = NULL
    nblk = _cdiv(steps, depth) if blocked else steps
    nband = n_threads if n_threads < n0 else n0
    R = 6 * (depth - 1) * _ring_stride(n1, sizeof(float_t))  # ring elements per band
    if blocked:
        ring_mem = <char*>malloc(nband * R * sizeof(float_t) + 64)
        if ring_mem == NULL:
            raise MemoryError()
        ring = <float_t*>(ring_mem + ((-<size_t>ring_mem) & 63))
    with nogil:
        if blocked and n_threads > 1:
            with parallel(num_threads=n_threads):
                for s in range(nblk):
                    p = _plan(s, nblk, False)
                    ur = us if p <= 1 else (<const float_t*>ut if p == 2 else <const float_t*>ud)
                    vr = vs if p <= 1 else (<const float_t*>vt if p == 2 else <const float_t*>vd)
                    uw = ud if p % 2 == 0 else ut
                    vw = vd if p % 2 == 0 else vt
                    Tk = steps * (s + 1) // nblk - steps * s // nblk
                    for i in prange(nband, schedule="static"):
                        _gs_band(ur, vr, uw, vw, ring + i * R, i * n0 // nband,
                                 (i + 1) * n0 // nband, Tk, n0, n1, fDu, fDv, fF, fFk, fdt,
                                 m0, m1)
                    _barrier()
        elif blocked:
            for s in range(nblk):
                p = _plan(s, nblk, False)
                ur = us if p <= 1 else (<const float_t*>ut if p == 2 else <const float_t*>ud)
                vr = vs if p <= 1 else (<const float_t*>vt if p == 2 else <const float_t*>vd)
                uw = ud if p % 2 == 0 else ut
                vw = vd if p % 2 == 0 else vt
                Tk = steps * (s + 1) // nblk - steps * s // nblk
                _gs_band(ur, vr, uw, vw, ring, 0, n0, Tk, n0, n1, fDu, fDv, fF, fFk, fdt,
                         m0, m1)
        elif n_threads > 1:
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
    free(ring_mem)


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
#
# The fast float32 path (issue 14 item 3). With softening (eps2 >= 2^-80 in
# float32) every r2 is at least eps2, so the pair weight can come from the
# hardware reciprocal square root estimate and a first-order correction instead
# of the divider: on Zen 4 the exact loop spends ~9.8 (vsqrtps zmm) + ~5.9
# (vdivps zmm) cycles per 16 pairs and runs at ~51-57% of the FMA peak; this one
# issues 11 multiplies/FMAs + one estimate per 16 pairs.
#   y  = estimate(r2)               vrsqrt14ps (avx512, rel. error < 2^-14) or
#                                   vrsqrtps (avx2, < 1.5 * 2^-12)
#   q  = r2 * (y * y)               = 1 + d, d from the estimate's error (|d| < 2^-13
#                                     for vrsqrt14ps, < 7.4e-4 for vrsqrtps)
#   c  = m53 - m * q                = (2/3) m (2.5 - 1.5 q): r2^-1.5 = y^3 (1 + d)^-1.5
#                                     = y^3 (1 - 1.5 d + 1.875 d^2 ...); m53 = fl(m * 5/3)
#   w  = c * (y * y^2)              = (2/3) m r2^-1.5; the 3/2 goes into G * 1.5
# The correction's truncation is 1.875 d^2 (3e-8 at avx512, 1e-6 at avx2).
# NL = 32 lanes (2 zmm or 4 ymm a component), the same pairwise fold as the
# exact loop. r2 is clamped to FLT_MAX (a pair at an overflowing distance weighs
# ~0, as in the exact loop, instead of inf * 0 = NaN); the last n % 32 sources
# are read with masked loads, the masked lanes as bodies of mass 0 at the origin,
# which add exactly 0 (y^3 <= 2^120 is finite because r2 >= eps2 >= 2^-80). The
# estimate's bits are the CPU's, so this path's results differ between the avx512
# and avx2 levels (and from the exact path); each is the same at any thread
# count, and pycompute/_numba/simulation.py's _vaccel emits the same operations
# (the same bits as the Cython kernel on the same CPU and level). Accuracy: one
# pair's weight within 1e-6 (avx512) / 2.5e-6 (avx2) relative of the float64
# value (tests/test_simulation.py measures it).
#
# The exact path (softening 0 or below the fast paths' thresholds, the baseline level,
# float64 below avx512): the divider.
# A bit-trick estimate + Newton steps in explicit fmaf (the same bits at every
# level) needs 13 or more multiplies/FMAs per 16 pairs for 1e-6 accuracy, and on
# Zen 4 the integer, compare and divide ops of that path take FMA-pipe slots too:
# the best variants ran 19-22 cycles, slower than the exact loop. float64 is
# divider bound the same way (~15.7 + ~8.9 cycles per 8 pairs, ~40% of its peak;
# the float64 fast path below runs at ~61%).
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
    /* One block of NL pairs, lane l taking pair j + l. GCC vectorizes the omp simd
     * loop at the AVX levels; at the baseline (SSE4.2) it left it scalar (sqrtss,
     * divss: 18x the avx512 time), so there the lanes run 4 (float) or 2 (double)
     * at a time in SSE intrinsics: the same operations in the same order, lane by
     * lane (sqrtps/divps round as sqrtss/divss do), the same bits. */
    #if defined(__SSE2__) && !defined(__AVX__)
    #include <emmintrin.h>
    #define PYC_SSE_PAIRS(NL, VT, W, LD, SET1, SUB, MUL, ADD, DIV, SQ, GT, AND, ST)       \
            for (int l = 0; l < NL; l += W) {                                     \
                VT dx = SUB(LD(px + j + l), SET1(xi));                            \
                VT dy = SUB(LD(py + j + l), SET1(yi));                            \
                VT dz = SUB(LD(pz + j + l), SET1(zi));                            \
                VT r2 = ADD(ADD(ADD(MUL(dx, dx), MUL(dy, dy)), MUL(dz, dz)), SET1(eps2)); \
                VT w = AND(GT(r2, SET1(0)), DIV(LD(m + j + l), MUL(r2, SQ(r2))));  \
                ST(sx + l, ADD(LD(sx + l), MUL(w, dx)));                          \
                ST(sy + l, ADD(LD(sy + l), MUL(w, dy)));                          \
                ST(sz + l, ADD(LD(sz + l), MUL(w, dz)));                          \
            }
    #define PYC_EXACT_BLOCK_float(SQRT, NL)                                       \
            PYC_SSE_PAIRS(NL, __m128, 4, _mm_loadu_ps, _mm_set1_ps, _mm_sub_ps,       \
                _mm_mul_ps, _mm_add_ps, _mm_div_ps, _mm_sqrt_ps, _mm_cmpgt_ps,    \
                _mm_and_ps, _mm_storeu_ps)
    #define PYC_EXACT_BLOCK_double(SQRT, NL)                                      \
            PYC_SSE_PAIRS(NL, __m128d, 2, _mm_loadu_pd, _mm_set1_pd, _mm_sub_pd,      \
                _mm_mul_pd, _mm_add_pd, _mm_div_pd, _mm_sqrt_pd, _mm_cmpgt_pd,    \
                _mm_and_pd, _mm_storeu_pd)
    #else
    #define PYC_EXACT_OMP(T, SQRT, NL)                                            \
            _Pragma("omp simd")                                                   \
            for (int l = 0; l < NL; l++)                                          \
                PYC_PAIR(T, SQRT, j + l, sx[l], sy[l], sz[l])
    #define PYC_EXACT_BLOCK_float(SQRT, NL) PYC_EXACT_OMP(float, SQRT, NL)
    #define PYC_EXACT_BLOCK_double(SQRT, NL) PYC_EXACT_OMP(double, SQRT, NL)
    #endif
    #define PYC_ACCEL(T, SQRT, NAME, NL)                                          \
    static void NAME(const T* px, const T* py, const T* pz, const T* m,           \
                     Py_ssize_t n, Py_ssize_t i, T G, T eps2,                     \
                     T* ax, T* ay, T* az) {                                       \
        const T xi = px[i], yi = py[i], zi = pz[i];                               \
        T sx[NL], sy[NL], sz[NL];                                                 \
        for (int l = 0; l < NL; l++) sx[l] = sy[l] = sz[l] = 0;                   \
        Py_ssize_t j = 0;                                                         \
        for (; j + NL <= n; j += NL) {                                            \
            PYC_EXACT_BLOCK_##T(SQRT, NL)                                         \
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

    #include <float.h>
    #if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
    #include <immintrin.h>
    #define PYC_NB_FAST 1
    #if defined(__AVX512F__)
    #define NBW 16
    typedef __m512 nbv;
    #define NB_LD(p) _mm512_loadu_ps(p)
    #define NB_LDN(p, k) _mm512_maskz_loadu_ps((__mmask16)((1u << (k)) - 1u), (p))
    #define NB_SET1 _mm512_set1_ps
    #define NB_ZERO _mm512_setzero_ps
    #define NB_SUB _mm512_sub_ps
    #define NB_MUL _mm512_mul_ps
    #define NB_MIN _mm512_min_ps
    #define NB_FMA _mm512_fmadd_ps
    #define NB_FNMA _mm512_fnmadd_ps
    #define NB_RSQRT _mm512_rsqrt14_ps
    #define PYC_NB_EST "rsqrt14"
    #define NB_ST _mm512_storeu_ps
    #else
    #define NBW 8
    typedef __m256 nbv;
    #define NB_LD(p) _mm256_loadu_ps(p)
    #define NB_LDN(p, k) _mm256_maskload_ps((p), _mm256_cmpgt_epi32(_mm256_set1_epi32(k), \
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)))
    #define NB_SET1 _mm256_set1_ps
    #define NB_ZERO _mm256_setzero_ps
    #define NB_SUB _mm256_sub_ps
    #define NB_MUL _mm256_mul_ps
    #define NB_MIN _mm256_min_ps
    #define NB_FMA _mm256_fmadd_ps
    #define NB_FNMA _mm256_fnmadd_ps
    #define NB_RSQRT _mm256_rsqrt_ps
    #define PYC_NB_EST "rsqrtps"
    #define NB_ST _mm256_storeu_ps
    #endif
    #define NBL 32
    #define NBV (NBL / NBW)
    #define NB_PAIR(X, Y, Z, M, MA, V) {                                             \
            const nbv dx = NB_SUB(X, xi), dy = NB_SUB(Y, yi), dz = NB_SUB(Z, zi);     \
            nbv r2 = NB_FMA(dz, dz, NB_FMA(dy, dy, NB_FMA(dx, dx, e)));              \
            r2 = NB_MIN(big, r2);  /* vminps(big, r2): a NaN r2 stays NaN */          \
            const nbv y = NB_RSQRT(r2);                                              \
            const nbv y2 = NB_MUL(y, y);                                             \
            const nbv c = NB_FNMA(M, NB_MUL(r2, y2), MA);                            \
            const nbv w = NB_MUL(c, NB_MUL(y, y2));                                  \
            sx[V] = NB_FMA(w, dx, sx[V]);                                            \
            sy[V] = NB_FMA(w, dy, sy[V]);                                            \
            sz[V] = NB_FMA(w, dz, sz[V]);                                            \
        }
    static void pyc_accel_fast_f(const float* px, const float* py, const float* pz,
                                 const float* m, const float* m53, Py_ssize_t n,
                                 Py_ssize_t i, float G, float eps2, float* ax, float* ay,
                                 float* az) {
        const nbv xi = NB_SET1(px[i]), yi = NB_SET1(py[i]), zi = NB_SET1(pz[i]);
        const nbv e = NB_SET1(eps2), big = NB_SET1(FLT_MAX);
        nbv sx[NBV], sy[NBV], sz[NBV];
        for (int v = 0; v < NBV; v++) sx[v] = sy[v] = sz[v] = NB_ZERO();
        Py_ssize_t j = 0;
        for (; j + NBL <= n; j += NBL) {
            _Pragma("GCC unroll 4")
            for (int v = 0; v < NBV; v++) {
                const Py_ssize_t k = j + v * NBW;
                NB_PAIR(NB_LD(px + k), NB_LD(py + k), NB_LD(pz + k), NB_LD(m + k),
                        NB_LD(m53 + k), v)
            }
        }
        if (j < n) {  /* the last n % 32 sources; masked lanes load 0 */
            for (int v = 0; v < NBV; v++) {
                const Py_ssize_t k = j + v * NBW;
                Py_ssize_t c = n - k;
                const int kv = c <= 0 ? 0 : (c >= NBW ? NBW : (int)c);
                NB_PAIR(NB_LDN(px + k, kv), NB_LDN(py + k, kv), NB_LDN(pz + k, kv),
                        NB_LDN(m + k, kv), NB_LDN(m53 + k, kv), v)
            }
        }
        float tx[NBL], ty[NBL], tz[NBL];
        for (int v = 0; v < NBV; v++) {
            NB_ST(tx + v * NBW, sx[v]);
            NB_ST(ty + v * NBW, sy[v]);
            NB_ST(tz + v * NBW, sz[v]);
        }
        for (int w = NBL / 2; w >= 1; w /= 2)
            for (int l = 0; l < w; l++) {
                tx[l] += tx[l + w]; ty[l] += ty[l + w]; tz[l] += tz[l + w];
            }
        const float g = G * 1.5f;
        ax[i] = g * tx[0];
        ay[i] = g * ty[0];
        az[i] = g * tz[0];
    }
    #else
    #define PYC_NB_FAST 0
    #define PYC_NB_EST ""
    static void pyc_accel_fast_f(const float* px, const float* py, const float* pz,
                                 const float* m, const float* m53, Py_ssize_t n,
                                 Py_ssize_t i, float G, float eps2, float* ax, float* ay,
                                 float* az) {
        pyc_accel_f(px, py, pz, m, n, i, G, eps2, ax, ay, az);
    }
    #endif
    /* the fast path applies: a level with a vector estimate, and softening */
    static inline int pyc_nbody_fast(float eps2) { return PYC_NB_FAST && eps2 >= 0x1p-80f; }

    /* float64 (avx512 only: AVX2 has no float64 estimate): vrsqrt14pd, then
     *   d = r2 * y^2 - 1 (one rounding, |d| < 2^-13), r2^-1.5 = y^3 (1 + d)^-1.5 ~
     *   y^3 p(d), p(d) = 1 - 1.5 d + 1.875 d^2 - 2.1875 d^3 (Horner, 3 FMAs),
     *   w = (m * p) * (y * y^2);
     * truncation 2.46 d^4 < 5.5e-16; 14 multiplies/FMAs + 1 estimate per 8 pairs
     * (the divider took ~15.7 + ~8.9 cycles). 16 lanes (2 zmm a component), the
     * pairwise fold, masked loads for the last n % 16 sources; eps2 >= 2^-600
     * keeps y^3 finite so masked lanes add exactly 0. */
    #if defined(__AVX512F__)
    #define PYC_NB_FAST_D 1
    #define NBL_D 16
    #define NB_PAIR_D(X, Y, Z, M, V) {                                               \
            const __m512d dx = _mm512_sub_pd(X, xi), dy = _mm512_sub_pd(Y, yi),      \
                          dz = _mm512_sub_pd(Z, zi);                                 \
            __m512d r2 = _mm512_fmadd_pd(dz, dz, _mm512_fmadd_pd(dy, dy,             \
                                         _mm512_fmadd_pd(dx, dx, e)));               \
            r2 = _mm512_min_pd(big, r2);                                             \
            const __m512d y = _mm512_rsqrt14_pd(r2);                                 \
            const __m512d y2 = _mm512_mul_pd(y, y);                                  \
            const __m512d d = _mm512_fmsub_pd(r2, y2, one);                          \
            __m512d q = _mm512_fmadd_pd(c3, d, c2);                                  \
            q = _mm512_fmadd_pd(q, d, c1);                                           \
            q = _mm512_fmadd_pd(q, d, one);                                          \
            const __m512d w = _mm512_mul_pd(_mm512_mul_pd(M, q), _mm512_mul_pd(y, y2)); \
            sx[V] = _mm512_fmadd_pd(w, dx, sx[V]);                                   \
            sy[V] = _mm512_fmadd_pd(w, dy, sy[V]);                                   \
            sz[V] = _mm512_fmadd_pd(w, dz, sz[V]);                                   \
        }
    static void pyc_accel_fast_d(const double* px, const double* py, const double* pz,
                                 const double* m, Py_ssize_t n, Py_ssize_t i, double G,
                                 double eps2, double* ax, double* ay, double* az) {
        const __m512d xi = _mm512_set1_pd(px[i]), yi = _mm512_set1_pd(py[i]),
                      zi = _mm512_set1_pd(pz[i]), e = _mm512_set1_pd(eps2),
                      big = _mm512_set1_pd(DBL_MAX), one = _mm512_set1_pd(1.0),
                      c1 = _mm512_set1_pd(-1.5), c2 = _mm512_set1_pd(1.875),
                      c3 = _mm512_set1_pd(-2.1875);
        __m512d sx[2], sy[2], sz[2];
        for (int v = 0; v < 2; v++) sx[v] = sy[v] = sz[v] = _mm512_setzero_pd();
        Py_ssize_t j = 0;
        for (; j + NBL_D <= n; j += NBL_D) {
            for (int v = 0; v < 2; v++) {
                const Py_ssize_t k = j + v * 8;
                NB_PAIR_D(_mm512_loadu_pd(px + k), _mm512_loadu_pd(py + k),
                          _mm512_loadu_pd(pz + k), _mm512_loadu_pd(m + k), v)
            }
        }
        if (j < n) {
            for (int v = 0; v < 2; v++) {
                const Py_ssize_t k = j + v * 8;
                Py_ssize_t c = n - k;
                const int kv = c <= 0 ? 0 : (c >= 8 ? 8 : (int)c);
                const __mmask8 mk = (__mmask8)((1u << kv) - 1u);
                NB_PAIR_D(_mm512_maskz_loadu_pd(mk, px + k), _mm512_maskz_loadu_pd(mk, py + k),
                          _mm512_maskz_loadu_pd(mk, pz + k), _mm512_maskz_loadu_pd(mk, m + k), v)
            }
        }
        double tx[NBL_D], ty[NBL_D], tz[NBL_D];
        for (int v = 0; v < 2; v++) {
            _mm512_storeu_pd(tx + v * 8, sx[v]);
            _mm512_storeu_pd(ty + v * 8, sy[v]);
            _mm512_storeu_pd(tz + v * 8, sz[v]);
        }
        for (int w = NBL_D / 2; w >= 1; w /= 2)
            for (int l = 0; l < w; l++) {
                tx[l] += tx[l + w]; ty[l] += ty[l + w]; tz[l] += tz[l + w];
            }
        ax[i] = G * tx[0];
        ay[i] = G * ty[0];
        az[i] = G * tz[0];
    }
    #else
    #define PYC_NB_FAST_D 0
    static void pyc_accel_fast_d(const double* px, const double* py, const double* pz,
                                 const double* m, Py_ssize_t n, Py_ssize_t i, double G,
                                 double eps2, double* ax, double* ay, double* az) {
        pyc_accel_d(px, py, pz, m, n, i, G, eps2, ax, ay, az);
    }
    #endif
    static inline int pyc_nbody_fast_d(double eps2) { return PYC_NB_FAST_D && eps2 >= 0x1p-600; }
    """
    void pyc_accel_f(const float* px, const float* py, const float* pz, const float* m,
                     Py_ssize_t n, Py_ssize_t i, float G, float eps2,
                     float* ax, float* ay, float* az) noexcept nogil
    void pyc_accel_d(const double* px, const double* py, const double* pz, const double* m,
                     Py_ssize_t n, Py_ssize_t i, double G, double eps2,
                     double* ax, double* ay, double* az) noexcept nogil
    void pyc_accel_fast_f(const float* px, const float* py, const float* pz, const float* m,
                          const float* m53, Py_ssize_t n, Py_ssize_t i, float G, float eps2,
                          float* ax, float* ay, float* az) noexcept nogil
    int pyc_nbody_fast(float eps2) noexcept nogil
    void pyc_accel_fast_d(const double* px, const double* py, const double* pz, const double* m,
                          Py_ssize_t n, Py_ssize_t i, double G, double eps2,
                          double* ax, double* ay, double* az) noexcept nogil
    int pyc_nbody_fast_d(double eps2) noexcept nogil
    int PYC_NB_FAST_D
    int PYC_NB_FAST
    const char* PYC_NB_EST


def nbody_estimate(dtype="float32"):
    """The reciprocal square root estimate of this level's fast pair loop for
    ``dtype`` ("float32" or "float64"): "rsqrt14", "rsqrtps", or "" where every pair
    takes the exact path."""
    if dtype == "float64":
        return "rsqrt14" if PYC_NB_FAST_D else ""
    return PYC_NB_EST.decode()


cdef float_t* _m53(const float_t* m, Py_ssize_t n, double eps2, double G) except *:
    """The fast float32 path's second mass array, fl(m * 5/3) (malloc'd; the caller frees),
    or NULL where the exact path runs: no estimate at this level, too little softening,
    or a mass or G whose 5/3 or 3/2 would overflow float32 (the exact loop's range is
    wider: pycompute/_numba/simulation.py decides the same way). MemoryError when the
    array cannot be allocated."""
    cdef Py_ssize_t j
    cdef float_t* out
    cdef float fG = <float>G
    if float_t is double:
        return NULL
    else:
        if not pyc_nbody_fast(<float>eps2) or isinf(fG * <float>1.5):
            return NULL
        out = <float_t*>malloc(max(n, 1) * sizeof(float_t))
        if out == NULL:
            raise MemoryError("nbody: no memory for the masses' scratch array")
        for j in range(n):
            out[j] = <float_t>(<double>m[j] * (5.0 / 3.0))
            if isinf(out[j]):
                free(out)
                return NULL
        return out


cdef inline void _accel(const float_t* px, const float_t* py, const float_t* pz,
                        const float_t* m, const float_t* m53, Py_ssize_t n, Py_ssize_t i,
                        float_t G, float_t eps2, float_t* ax, float_t* ay,
                        float_t* az) noexcept nogil:
    """Acceleration of body ``i``: G * sum_j m_j d / (|d|^2 + eps2)^1.5, d = x_j - x_i
    (the fast float32 path where ``m53`` is not NULL, see above)."""
    if float_t is float:
        if m53 != NULL:
            pyc_accel_fast_f(px, py, pz, m, m53, n, i, G, eps2, ax, ay, az)
        else:
            pyc_accel_f(px, py, pz, m, n, i, G, eps2, ax, ay, az)
    else:
        if pyc_nbody_fast_d(eps2):
            pyc_accel_fast_d(px, py, pz, m, n, i, G, eps2, ax, ay, az)
        else:
            pyc_accel_d(px, py, pz, m, n, i, G, eps2, ax, ay, az)


def nbody_accelerations(const float_t[::1] px, const float_t[::1] py, const float_t[::1] pz,
                        const float_t[::1] m, float_t[::1] ax, float_t[::1] ay,
                        float_t[::1] az, double G, double eps2, int n_threads,
                        Py_ssize_t t0, Py_ssize_t t1):
    """Accelerations of bodies ``t0 <= i < min(t1, n)`` (SoA in, SoA out); returns ``n``.

    One task is one target body (``_cancel.run_tasks`` cuts a long call into
    ranges of them); a body's sum does not depend on the range it ran in.
    """
    cdef Py_ssize_t n = px.shape[0], i
    cdef Py_ssize_t lo = t0 if t0 > 0 else 0, hi = t1 if t1 < n else n
    if lo >= hi:
        return n
    cdef float_t* m53 = _m53(&m[0], n, eps2, G)
    with nogil:
        if n_threads > 1:
            for i in prange(lo, hi, num_threads=n_threads, schedule="dynamic", chunksize=16):
                _accel(&px[0], &py[0], &pz[0], &m[0], m53, n, i, <float_t>G, <float_t>eps2,
                       &ax[0], &ay[0], &az[0])
        else:
            for i in range(lo, hi):
                _accel(&px[0], &py[0], &pz[0], &m[0], m53, n, i, <float_t>G, <float_t>eps2,
                       &ax[0], &ay[0], &az[0])
    free(m53)
    return n


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
                     const float_t[::1] m, double eps2, double[::1] out, int n_threads,
                     Py_ssize_t t0, Py_ssize_t t1):
    """out[i] = sum_j m_j / r_ij (softened, zero-distance pairs skipped), float64, for bodies
    ``t0 <= i < min(t1, n)``; returns ``n`` (one task a body, as nbody_accelerations)."""
    cdef Py_ssize_t n = px.shape[0], i
    cdef Py_ssize_t lo = t0 if t0 > 0 else 0, hi = t1 if t1 < n else n
    with nogil:
        if n_threads > 1:
            for i in prange(lo, hi, num_threads=n_threads, schedule="static"):
                _potential(&px[0], &py[0], &pz[0], &m[0], n, i, eps2, &out[0])
        else:
            for i in range(lo, hi):
                _potential(&px[0], &py[0], &pz[0], &m[0], n, i, eps2, &out[0])
    return n


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
    cdef float_t* m5 = _m53(mm, n, eps2, G)  # masses do not change: once a call
    with nogil:
        if n_threads > 1:
            with parallel(num_threads=n_threads):
                if not acc_ready:
                    for i in prange(n, schedule="static"):
                        _accel(x, y, z, mm, m5, n, i, fG, fe, a, b, c)
                    _barrier()
                for s in range(steps):
                    for i in prange(n, schedule="dynamic", chunksize=16):
                        _kick_drift(x, y, z, u, v, w, a, b, c, i, h, fdt)
                    _barrier()
                    for i in prange(n, schedule="static"):
                        _accel(x, y, z, mm, m5, n, i, fG, fe, a, b, c)
                    _barrier()
                    for i in prange(n, schedule="static"):
                        _kick(u, v, w, a, b, c, i, h)
                    _barrier()
        else:
            if not acc_ready:
                for i in range(n):
                    _accel(x, y, z, mm, m5, n, i, fG, fe, a, b, c)
            for s in range(steps):
                for i in range(n):
                    _kick_drift(x, y, z, u, v, w, a, b, c, i, h, fdt)
                for i in range(n):
                    _accel(x, y, z, mm, m5, n, i, fG, fe, a, b, c)
                for i in range(n):
                    _kick(u, v, w, a, b, c, i, h)
    free(m5)


# One step cut in three (a long run with many bodies, where one step's pair pass must be
# sliced for Ctrl-C): nbody_kick_drift, nbody_accelerations over ranges of bodies,
# nbody_kick. The same per-element operations as nbody_step's, so the same bits.

def nbody_kick_drift(float_t[::1] px, float_t[::1] py, float_t[::1] pz, float_t[::1] vx,
                     float_t[::1] vy, float_t[::1] vz, const float_t[::1] ax,
                     const float_t[::1] ay, const float_t[::1] az, double dt, int n_threads):
    """v += a*dt/2; x += v*dt (the first half of a velocity-Verlet step), in place."""
    cdef Py_ssize_t n = px.shape[0], i
    cdef float_t fdt = <float_t>dt, h = <float_t>(0.5 * dt)
    with nogil:
        for i in prange(n, num_threads=n_threads, schedule="static"):
            _kick_drift(&px[0], &py[0], &pz[0], &vx[0], &vy[0], &vz[0], &ax[0], &ay[0], &az[0],
                        i, h, fdt)


def nbody_kick(float_t[::1] vx, float_t[::1] vy, float_t[::1] vz, const float_t[::1] ax,
               const float_t[::1] ay, const float_t[::1] az, double dt, int n_threads):
    """v += a*dt/2 (the last part of a velocity-Verlet step), in place."""
    cdef Py_ssize_t n = vx.shape[0], i
    cdef float_t h = <float_t>(0.5 * dt)
    with nogil:
        for i in prange(n, num_threads=n_threads, schedule="static"):
            _kick(&vx[0], &vy[0], &vz[0], &ax[0], &ay[0], &az[0], i, h)
