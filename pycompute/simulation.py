"""Simulation steps: heat diffusion, Game of Life, Gray-Scott, N-body gravity.

Each function advances ``steps`` steps in one native call (no Python per step),
on every core, for the Cython and Numba backends, with a NumPy reference twin
(``backend="numpy"``). Heat and Gray-Scott run many steps temporally blocked
(several steps per trip of the grid through memory; see "heat" below). Inputs are never modified unless passed as ``out=``;
grids are double buffered inside (peak memory: the result, one scratch buffer
and the input; the scratch buffer is kept for the next call, see
``_scratch``). Results are bitwise identical at any thread count.

How a call runs: validate -> C-contiguous native-endian array in the kernel
dtype (copied only where needed) -> resolve threads (work = cells x steps) ->
kernel(inputs, outputs, scratch, shape, parameters, n_threads).

A long run is several kernel calls of about 50 ms each (``_cancel.run_sliced``),
so Ctrl-C raises ``KeyboardInterrupt`` and a cancelled ``pycompute.aio`` call
stops within about that time; the result does not depend on where the run is
cut. A single step is not cut: an N-body step of N bodies costs N**2 pair
interactions (about 0.1 s at N = 20,000 on two cores).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

from . import _backends, _cancel, _reference, _threads
from ._validation import (
    as_array,
    check_all_finite,
    check_finite_scalar,
    check_int,
    check_out,
    float_array,
    life_rule_bits,
    normalize_mode,
)

__all__ = ["heat_step", "life_step", "LifeBoard", "gray_scott_step", "nbody_accelerations",
           "nbody_energy", "nbody_step"]

_FAMILY = "simulation"
#: cell (or body-pair) updates one thread must have before a second one is worth starting
GRAIN = 1 << 16
_STENCIL_MODES = ("reflect", "grid-mirror", "mirror", "nearest", "wrap", "grid-wrap")
_HEAT_MODES = _STENCIL_MODES + ("constant", "grid-constant")
_LIFE_MODES = ("wrap", "constant")


#: the most steps a call takes (the kernels count steps in a signed 64-bit integer)
MAX_STEPS = 2**63 - 1


def _common(backend, num_threads, steps):
    _backends.check_backend(backend)
    if num_threads is not None:
        _threads._check(num_threads)
    n = check_int(steps, "steps", minimum=0)
    if n > MAX_STEPS:
        raise OverflowError(f"`steps`={n} is too large: at most 2**63 - 1 = {MAX_STEPS} "
                            "(the step counter is a signed 64-bit integer)")
    return n


def _choose(backend, what, kernel):
    # every dtype and shape these functions accept has a native kernel
    return _backends.choose(backend, _FAMILY, True, what, kernel=kernel)


def _run(kern_fn, work, num_threads, *args):
    n = _threads.resolve(num_threads, work, GRAIN)
    with _threads.lease(n, num_threads is not None) as k:
        kern_fn(*args, k)


def _run_steps(work_per_step, steps, num_threads, chunk, depth=None):
    """``chunk(first_step, count, n_threads)`` over ``steps`` steps, in interruptible slices.

    The thread count is resolved once, for the whole run (work = cells x steps).

    ``depth(n_threads)``: the run's temporal block depth. The run's blocks are then
    ``d`` steps, that depth or less where ``BLOCK_SLICE_WORK`` asks, every slice but
    the last is a whole, even number of them, and ``chunk`` gets ``d`` as a fourth
    argument. Sized by time alone, a large grid's slices stayed at the one step the
    first slice measured (a step of 4096^2 float64 takes ~28 ms unblocked at one
    thread), so temporal blocking never ran; a slice of an odd number of blocks
    continuing in place ends in the scratch grid and copies it back (~9 ms a slice).
    Heat 4096^2 float64 x 100 steps at 2 threads ran at 2.8 G cell-updates/s in
    slices of 8 steps, 4.6 G/s as one call.
    """
    n = _threads.resolve(num_threads, work_per_step * steps, GRAIN)
    with _threads.lease(n, num_threads is not None) as k:
        if depth is None:
            _cancel.run_sliced(steps, work_per_step, lambda first, count: chunk(first, count, k))
            return
        d = max(1, min(depth(k), BLOCK_SLICE_WORK * k // max(2 * work_per_step, 1)))
        _cancel.run_sliced(steps, work_per_step, lambda first, count: chunk(first, count, k, d),
                           2 * d if d >= 2 else 1)


#: cell updates per thread that one slice of two temporal blocks may take: 16 steps
#: of 4096^2 per thread (~60 ms at 2 threads and at one on the Zen 4 VM, blocked);
#: past it the blocks get shallower, then the run is not blocked
BLOCK_SLICE_WORK = 1 << 28


# ---------------------------------------------------------------- scratch buffer

_scratch_lock = threading.Lock()
_scratch_keep: list = []  # at most one idle buffer, kept between calls


@contextmanager
def _scratch(nbytes: int):
    """A byte buffer of ``nbytes`` for one call's second grid (double buffering).

    The last idle buffer is kept for the next call: stepping a large grid in a
    loop would otherwise pay the first-touch page faults of a fresh buffer on
    every call (measured: ~20% of a 10-step heat call on a 4096^2 grid).
    Concurrent calls each get their own buffer; one idle buffer at most is
    kept. ``_release_scratch()`` frees it.
    """
    buf = None
    with _scratch_lock:
        if _scratch_keep and _scratch_keep[0].nbytes == nbytes:
            buf = _scratch_keep.pop()
    if buf is None:
        buf = np.empty(max(nbytes, 1), np.uint8)
    try:
        yield buf
    finally:
        with _scratch_lock:
            _scratch_keep[:] = [buf]


def _release_scratch() -> None:
    """Free the scratch buffer kept between calls."""
    with _scratch_lock:
        _scratch_keep.clear()


#: bytes of a new buffer faulted in per Python-level step before a long run
_TOUCH_BYTES = 1 << 24


def _prefault(*arrays):
    """Fault in the pages of buffers this call allocated (one byte a 4 KiB page), 16 MiB
    at a time, so a pending Ctrl-C is handled between pieces: left to the kernels, the
    first touch of a new 4096^2 Gray-Scott run's buffers (256 MiB) made its first
    slices take up to 0.4 s in a fresh process. Contents are left undefined (as
    ``np.empty``'s); small buffers are left alone."""
    for a in arrays:
        if a.nbytes > _TOUCH_BYTES:
            b = a.reshape(-1).view(np.uint8)
            for i in range(0, b.size, _TOUCH_BYTES):
                b[i:i + _TOUCH_BYTES:4096] = 0


def _target(src, out, dtype):
    """(dst, inplace, src): the buffer the kernel writes, and whether it is ``src`` itself.

    An ``out`` that overlaps the input without being exactly it gets a private copy of the input.
    """
    if out is None:
        return np.empty(src.shape, dtype), False, src
    if np.shares_memory(out, src):
        if out.__array_interface__["data"][0] == src.__array_interface__["data"][0]:
            return out, True, src
        return out, False, src.copy()
    return out, False, src


# ---------------------------------------------------------------- heat
#
# Temporal blocking (heat and Gray-Scott): a call of many steps runs them
# ``depth`` at a time over bands of rows (2-D) or planes (3-D), or tiles of the
# row (1-D), that stay in one core's cache, instead of streaming the whole grid
# through memory once a step (kernels/simulation.pyx, "heat"). The results are
# the same bits at any depth.
# A long run is still cut into ~50 ms native calls (``_run_steps``); a block
# never spans two calls, so the depth is at most the steps of one call.

#: cache bytes one thread's temporal block may fill: its ring of 3 * (depth - 1) slabs
#: and the 4 slabs it reads and writes. About one core's L2 and a little of the shared
#: L3: on the Zen 4 we measure on (1 MiB L2 a core), heat on 4096-wide float64 rows ran
#: as fast at depth 12-16 (a ring of 1-1.4 MiB) as at 8, and more steps a pass cut the
#: memory traffic. 0 turns temporal blocking off (one sweep of the grid per step).
BLOCK_CACHE = 3 << 19
#: the most steps a temporal block takes (more saves little memory traffic)
MAX_DEPTH = 16


def _block_depth(n_slabs, slab_bytes, steps, n_threads):
    """Steps per temporal block (1: one sweep of the grid per step).

    A slab is a row (2-D; Gray-Scott: a row of u and one of v) or a plane (3-D)
    of ``slab_bytes``; slabs too large for two levels in ``BLOCK_CACHE`` are not
    blocked, nor grids whose two buffers fit in the threads' ``BLOCK_CACHE``
    anyway (there the wavefront only adds work: 10% at 512^2 float64, 1 thread).
    A thread's band of slabs is at least 4 * (depth - 1) slabs, so the slabs
    recomputed past its ends (the overlapped halo, depth - 1 either side) stay
    a small part of its work.
    """
    if steps < 2 or slab_bytes <= 0 or 2 * n_slabs * slab_bytes <= BLOCK_CACHE * n_threads:
        return 1
    depth = 1 + (BLOCK_CACHE - 4 * slab_bytes) // (3 * slab_bytes)
    band = n_slabs // max(1, n_threads)
    return int(max(1, min(depth, MAX_DEPTH, steps, 1 + band // 4)))


def _heat_depth(shape, itemsize, steps, n_threads):
    """Temporal block depth of a heat call. A 1-D grid is blocked in tiles of
    the row (the kernel's), as if each element were a slab."""
    return _block_depth(shape[0], int(np.prod(shape[1:])) * itemsize, steps, n_threads)


def heat_step(u, *, steps=1, alpha, mode="wrap", cval=0.0, out=None, backend="auto",
              num_threads=None):
    """Explicit diffusion steps ``u <- u + alpha * laplacian(u)`` on a 1-, 2- or 3-D grid.

    3-point (1-D), 5-point (2-D) or 7-point (3-D) stencil; each step computes
    ``(1 - 2*ndim*alpha) * u + alpha * (sum of the 2*ndim neighbours)``.

    Many steps run several at a time on bands of rows that stay in cache
    (temporal blocking): a grid larger than the cache is read and written once
    every ~15 steps instead of every step (measured: about 2x on a 4096**2
    float64 grid). The results are bit for bit those of one step at a time,
    at any thread count.

    Parameters
    ----------
    u : array_like, float32 or float64, 1-3 dimensions
        The grid; not modified unless it is ``out``.
    steps : int, keyword-only
        Steps to advance (0 returns a copy).
    alpha : float, keyword-only
        The diffusion number D*dt/dx**2; stable for ``0 <= alpha <= 1/(2*ndim)``.
    mode : str or sequence of str, keyword-only
        Border mode per axis, scipy.ndimage names: 'wrap' (torus), 'constant'
        (``cval`` outside), 'nearest', 'reflect', 'mirror'.
    cval : float, keyword-only
        The value outside the grid for mode 'constant'.
    out : ndarray, optional, keyword-only
        C-contiguous array of ``u``'s shape and dtype for the result (may be ``u``).
    backend : {"auto", "numpy", "cython", "numba"}, keyword-only
    num_threads : int, optional, keyword-only

    Returns
    -------
    ndarray
        The grid after ``steps`` steps (``out`` if given).

    Raises
    ------
    ValueError
        For an unstable or negative ``alpha``, non-finite values, a bad ``mode``.
    TypeError
        For a dtype other than float32/float64.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> u = np.zeros(5); u[2] = 1.0
    >>> pc.heat_step(u, alpha=0.25)
    array([0.  , 0.25, 0.5 , 0.25, 0.  ])
    """
    steps = _common(backend, num_threads, steps)
    src = float_array(u, "u", (1, 2, 3))
    check_all_finite(src, "u")
    a = check_finite_scalar(alpha, "alpha")
    limit = 1.0 / (2 * src.ndim)
    if not 0.0 <= a <= limit:
        raise ValueError(
            f"`alpha`={alpha!r} is unstable for a {src.ndim}-D grid: the explicit scheme "
            f"needs 0 <= alpha <= 1/(2*ndim) = {limit:g}")
    modes = normalize_mode(mode, src.ndim, allowed=_HEAT_MODES)
    cv = check_finite_scalar(cval, "cval")
    if out is not None:
        check_out(out, src.shape, src.dtype)
    kern = _choose(backend, f"dtype {src.dtype}", "heat_step")
    if kern is None:
        return _reference.heat_step(src, steps=steps, alpha=a, mode=mode, cval=cv, out=out)
    dst, inplace, src = _target(src, out, src.dtype)
    if steps == 0 or src.size == 0:
        if not inplace:
            dst[...] = src
        return dst
    shape = (1,) * (3 - src.ndim) + src.shape
    m = (3,) * (3 - src.ndim) + modes
    s1, d1 = src.reshape(-1), dst.reshape(-1)
    nb = src.nbytes if steps > 1 or inplace else src.itemsize
    with _scratch(nb) as buf:
        tmp = buf[:nb].view(src.dtype)
        _prefault(tmp, *([dst] if out is None else []))

        def chunk(first, count, k, depth):  # later slices continue in dst, in place
            kern.heat(d1 if first else s1, d1, tmp, *shape, src.ndim - 1, count, a, *m, cv,
                      inplace or first > 0, min(depth, count), k)

        _run_steps(src.size, steps, num_threads, chunk,
                   lambda k: _heat_depth(src.shape, src.itemsize, steps, k))
    return dst


# ---------------------------------------------------------------- Game of Life
#
# Native kernels step the board bit sliced, one bit a cell (kernels/simulation.pyx,
# "Game of Life"): a call packs the board once (``life_pack``), runs its steps on
# the packed pair of buffers in interruptible slices (``life_bits``; the packed
# state stays packed from slice to slice) and unpacks once at the end
# (``life_unpack``). ``LifeBoard`` keeps the packed state between calls.

def _life_args(board, rule, mode, name="board"):
    """(validated board, rule bits, mode codes) for ``life_step`` and ``LifeBoard``."""
    b = as_array(board, name)
    if b.dtype != np.bool_ and b.dtype != np.uint8:
        raise TypeError(f"`{name}` must have dtype bool or uint8, got {b.dtype}")
    if b.ndim != 2:
        raise ValueError(f"`{name}` must have 2 dimensions, got shape {b.shape}")
    if b.dtype == np.uint8 and b.size and b.max() > 1:
        raise ValueError(f"`{name}` of dtype uint8 must hold only 0 and 1, found {b.max()}")
    bits = life_rule_bits(rule)
    modes = normalize_mode(mode, 2, allowed=_LIFE_MODES)
    return b, bits, modes


def _life_stride(n1):
    """Words per packed row: the ceil(n1 / 64) data words and a guard word either side."""
    return (n1 + 63) // 64 + 2


class _Packed:
    """A board's packed state: two buffers of (n0 + 1) x S words and ``state`` =
    [the buffer that holds the board, generations stepped], which the kernel
    updates itself (a Ctrl-C raised as a kernel call returns finds them agreeing)."""

    __slots__ = ("kern", "n0", "n1", "S", "bufs", "state")

    def __init__(self, kern, n0, n1, buf=None):
        self.kern, self.n0, self.n1 = kern, n0, n1
        self.S = _life_stride(n1)
        nw = (n0 + 1) * self.S
        if buf is None:
            buf = np.empty(2 * nw, np.uint64)
        self.bufs = (buf[:nw], buf[nw:2 * nw])
        self.state = np.zeros(2, np.int64)

    def pack(self, src8, m1, k):
        self.kern.life_pack(src8, self.bufs[self.state[0]], self.n0, self.n1, self.S, m1, k)

    def unpack(self, dst8, k):
        self.kern.life_unpack(self.bufs[self.state[0]], dst8, self.n0, self.n1, self.S, k)

    def run(self, count, bits, m0, m1, k):
        self.kern.life_bits(*self.bufs, self.state, self.n0, self.n1, self.S, count, bits,
                            m0, m1, k)


def _life_threads(num_threads, cells, steps):
    return _threads.resolve(num_threads, cells * steps, GRAIN)


def life_step(board, *, steps=1, rule="B3/S23", mode="wrap", out=None, backend="auto",
              num_threads=None):
    """Generations of a life-like cellular automaton on a 2-D board.

    A dead cell is born when its number of live neighbours (of 8) is in the
    rule's B set, a live cell survives when it is in the S set. Results are
    bit-identical to the reference.

    The native backends pack the board to one bit a cell, run the generations
    on the packed board (64 cells a machine word, neighbour counts by bit-sliced
    adders) and unpack the result: a call pays one pack and one unpack, about
    as much as two generations of a large board. A board stepped again and
    again, a few generations at a time, is faster as a :class:`LifeBoard`,
    which stays packed between calls.

    Parameters
    ----------
    board : array_like of bool or uint8 (0/1 only), 2-D
    steps : int, keyword-only
    rule : str, keyword-only
        B/S notation: 'B3/S23' (Conway), 'B36/S23' (HighLife), 'B2/S' (Seeds), ...
        B0 rules are allowed: with 'constant', the cells outside stay dead.
    mode : {'wrap', 'constant'} or a pair of them, keyword-only
        'wrap' is a torus; 'constant' has dead cells outside.
    out : ndarray, optional, keyword-only
        C-contiguous array of the board's shape and dtype (may be ``board``).
    backend, num_threads : keyword-only

    Returns
    -------
    ndarray of the board's dtype

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> blinker = np.zeros((5, 5), bool); blinker[2, 1:4] = True
    >>> pc.life_step(blinker).astype(int)[1:4, 2]
    array([1, 1, 1])
    """
    steps = _common(backend, num_threads, steps)
    b, bits, modes = _life_args(board, rule, mode)
    if out is not None:
        check_out(out, b.shape, b.dtype)
    kern = _choose(backend, f"dtype {b.dtype}", "life_step")
    if kern is None:
        return _reference.life_step(b, steps=steps, rule=rule, mode=mode, out=out)
    src = np.ascontiguousarray(b)
    dst, inplace, src = _target(src, out, b.dtype)
    if steps == 0 or src.size == 0:
        if not inplace:
            dst[...] = src
        return dst
    n0, n1 = src.shape
    src8 = src.view(np.uint8).reshape(-1)
    dst8 = dst.view(np.uint8).reshape(-1)
    S = _life_stride(n1)
    nb = 16 * (n0 + 1) * S
    n = _life_threads(num_threads, src.size, steps)
    with _scratch(nb + 8) as raw, _threads.lease(n, num_threads is not None) as k:
        off = -raw.ctypes.data % 8  # whole words
        pk = _Packed(kern, n0, n1, raw[off:off + nb].view(np.uint64))
        pk.pack(src8, modes[1], k)
        try:
            _cancel.run_sliced(steps, src.size,
                               lambda first, count: pk.run(count, bits, *modes, k))
        except BaseException:  # stopped: ``out`` holds the generation reached
            if out is not None:
                pk.unpack(dst8, k)
            raise
        pk.unpack(dst8, k)
    return dst


class LifeBoard:
    """A Life board kept packed (one bit a cell) between calls.

    ``life_step(board, steps=n)`` packs the board, steps it and unpacks it on
    every call. A board that is stepped again and again (an animation, a search
    that looks at every generation) pays that conversion only when it is read:
    ``LifeBoard`` holds the packed state, :meth:`step` advances it in place and
    :meth:`to_array` unpacks a copy. The results are those of ``life_step``, bit
    for bit, however the generations are split into calls.

    Parameters
    ----------
    board : array_like of bool or uint8 (0/1 only), 2-D
        The initial state (copied; later changes to ``board`` are not seen).
    rule, mode, backend, num_threads : keyword-only
        As in :func:`life_step`; ``num_threads`` is the default of :meth:`step`.

    Attributes
    ----------
    shape, dtype : the board's shape and dtype (``to_array`` returns this dtype)
    rule, mode : as given
    generation : int, the generations stepped since construction

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> glider = np.zeros((8, 8), bool)
    >>> glider[0, 1] = glider[1, 2] = glider[2, 0] = glider[2, 1] = glider[2, 2] = True
    >>> lb = pc.simulation.LifeBoard(glider)
    >>> for _ in range(4):
    ...     _ = lb.step()          # one generation a call, no packing
    >>> lb.generation, bool(np.array_equal(lb.to_array(), np.roll(glider, (1, 1), (0, 1))))
    (4, True)
    """

    def __init__(self, board, *, rule="B3/S23", mode="wrap", backend="auto", num_threads=None):
        _common(backend, num_threads, 0)
        b, self._bits, self._modes = _life_args(board, rule, mode)
        self.rule, self.mode, self.shape, self.dtype = rule, mode, b.shape, b.dtype
        self._gen = 0  # generations of the reference-stepped board (packed: in _pk.state)
        self._num_threads = num_threads
        self._lock = threading.Lock()
        self._kern = _choose(backend, f"dtype {b.dtype}", "life_step")
        if self._kern is None or b.size == 0:
            self._state = np.array(b, order="C", copy=True)  # stepped by the reference
            self._pk = None
            return
        self._state = None
        self._pk = _Packed(self._kern, *b.shape)
        src8 = np.ascontiguousarray(b).view(np.uint8).reshape(-1)
        n = _life_threads(num_threads, b.size, 1)
        with _threads.lease(n, num_threads is not None) as k:
            self._pk.pack(src8, self._modes[1], k)

    def step(self, steps=1, *, num_threads=None):
        """Advance ``steps`` generations in place; returns ``self``.

        ``num_threads`` defaults to the one given to the constructor. A long run
        is cut into interruptible native calls as in :func:`life_step`; when
        stopped, the board holds the generation reached (see ``generation``).
        """
        nt = self._num_threads if num_threads is None else num_threads
        steps = _common("auto", nt, steps)
        with self._lock:
            if self._pk is None:
                new = self._state
                if steps and self._state.size:
                    new = _reference.life_step(self._state, steps=steps, rule=self.rule,
                                               mode=self.mode)
                self._state, self._gen = new, self._gen + steps
                return self
            if steps == 0:
                return self
            cells = self.shape[0] * self.shape[1]
            n = _life_threads(nt, cells, steps)
            with _threads.lease(n, nt is not None) as k:
                _cancel.run_sliced(steps, cells,
                                   lambda first, count: self._pk.run(count, self._bits,
                                                                     *self._modes, k))
        return self

    @property
    def generation(self):
        """Generations stepped since construction."""
        return self._gen if self._pk is None else int(self._pk.state[1])

    def to_array(self, out=None):
        """The current board as a new array (or in ``out``, C-contiguous, same shape and dtype)."""
        if out is not None:
            check_out(out, self.shape, self.dtype)
        with self._lock:
            if self._pk is None:
                res = self._state.copy() if out is None else out
                if out is not None:
                    out[...] = self._state
                return res
            res = np.empty(self.shape, self.dtype) if out is None else out
            n = _life_threads(self._num_threads, res.size, 1)
            with _threads.lease(n, self._num_threads is not None) as k:
                self._pk.unpack(res.view(np.uint8).reshape(-1), k)
            return res

    def __array__(self, dtype=None, copy=None):
        a = self.to_array()
        return a if dtype is None else a.astype(dtype)

    def __repr__(self):
        return (f"LifeBoard(shape={self.shape}, dtype={self.dtype}, rule={self.rule!r}, "
                f"mode={self.mode!r}, generation={self.generation})")


# ---------------------------------------------------------------- Gray-Scott

def gray_scott_step(u, v, *, Du, Dv, F, k, dt=1.0, steps=1, mode="wrap", backend="auto",
                    num_threads=None):
    """Gray-Scott reaction-diffusion steps on a 2-D grid.

    ``u' = u + dt*(Du*lap(u) - u*v**2 + F*(1 - u))`` and
    ``v' = v + dt*(Dv*lap(v) + u*v**2 - (F + k)*v)``, 5-point Laplacian
    (grid spacing 1), both fields updated from the same previous state.
    Many steps are temporally blocked, as in :func:`heat_step` (same bits).

    Parameters
    ----------
    u, v : array_like, 2-D, float32 or float64, same shape and dtype
    Du, Dv, F, k, dt : float, keyword-only
    steps : int, keyword-only
    mode : str or pair of str, keyword-only
        'wrap', 'nearest', 'reflect' or 'mirror' (no 'constant': the fields
        have no single outside value).
    backend, num_threads : keyword-only

    Returns
    -------
    (u, v) : tuple of ndarray
        New arrays; the inputs are not modified.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> u, v = np.ones((4, 4)), np.zeros((4, 4))
    >>> u2, v2 = pc.gray_scott_step(u, v, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=10)
    >>> bool(np.all(u2 == 1.0) and np.all(v2 == 0.0))
    True
    """
    steps = _common(backend, num_threads, steps)
    us = float_array(u, "u", (2,))
    vs = float_array(v, "v", (2,))
    if vs.shape != us.shape:
        raise ValueError(f"`v` has shape {vs.shape}, but `u` has shape {us.shape}; they must agree")
    if vs.dtype != us.dtype:
        raise TypeError(f"`v` has dtype {vs.dtype}, but `u` has dtype {us.dtype}; they must agree")
    check_all_finite(us, "u")
    check_all_finite(vs, "v")
    p = {name: check_finite_scalar(val, name)
         for name, val in (("Du", Du), ("Dv", Dv), ("F", F), ("k", k), ("dt", dt))}
    modes = normalize_mode(mode, 2, allowed=_STENCIL_MODES)
    kern = _choose(backend, f"dtype {us.dtype}", "gray_scott_step")
    if kern is None:
        return _reference.gray_scott_step(us, vs, steps=steps, mode=mode, **p)
    if steps == 0 or us.size == 0:
        return us.copy(), vs.copy()
    # the state moves between two pairs of result arrays, slice by slice (the
    # kernel reads its input pair only in its first step, so a pair it reads is
    # never the pair it writes); the second pair exists only if the run is cut
    pairs = [(us.reshape(-1), vs.reshape(-1)), None, None]
    at = [0]  # index in ``pairs`` of the current state
    nb = us.nbytes if steps > 1 else us.itemsize
    with _scratch(2 * nb) as buf:
        ut = buf[:nb].view(us.dtype)
        vt = buf[nb:2 * nb].view(us.dtype)
        _prefault(ut, vt)

        def chunk(first, count, k, depth):
            to = 1 if at[0] != 1 else 2
            if pairs[to] is None:
                pairs[to] = (np.empty(us.size, us.dtype), np.empty(us.size, us.dtype))
                _prefault(*pairs[to])
            kern.gray_scott(*pairs[at[0]], *pairs[to], ut, vt, *us.shape, count,
                            p["Du"], p["Dv"], p["F"], p["k"], p["dt"], *modes,
                            min(depth, count), k)
            at[0] = to

        # work: two fields a cell (a Gray-Scott step costs about two heat steps)
        _run_steps(2 * us.size, steps, num_threads, chunk,
                   lambda k: _block_depth(us.shape[0], 2 * us.shape[1] * us.itemsize, steps, k))
    uo, vo = pairs[at[0]]
    return uo.reshape(us.shape), vo.reshape(us.shape)


# ---------------------------------------------------------------- N-body

def _bodies(pos, mass, G, softening, vel=None):
    """Validated (pos, mass, vel, G, softening**2) for the N-body functions."""
    p = float_array(pos, "pos", (2,))
    if p.shape[1:] != (3,):
        raise ValueError(f"`pos` must have shape (N, 3), got {p.shape}")
    m = as_array(mass, "mass")
    if m.dtype.kind not in "fiu":
        raise TypeError(f"`mass` must hold real numbers, got dtype {m.dtype}")
    if m.shape != (p.shape[0],):
        raise ValueError(f"`mass` must have shape ({p.shape[0]},) to match `pos` {p.shape}, "
                         f"got {m.shape}")
    m = np.ascontiguousarray(m, p.dtype)
    check_all_finite(p, "pos")
    check_all_finite(m, "mass")
    v = None
    if vel is not None:
        v = float_array(vel, "vel", (2,))
        if v.shape != p.shape:
            raise ValueError(f"`vel` has shape {v.shape}, but `pos` has shape {p.shape}; "
                             f"they must agree")
        if v.dtype != p.dtype:
            raise TypeError(f"`vel` has dtype {v.dtype}, but `pos` has dtype {p.dtype}; "
                            f"they must agree")
        check_all_finite(v, "vel")
    g = check_finite_scalar(G, "G")
    eps = check_finite_scalar(softening, "softening")
    if eps < 0:
        raise ValueError(f"`softening`={softening!r} must be >= 0")
    return p, m, v, g, eps * eps


def _soa(a):
    """(3, N) C-contiguous copy of an (N, 3) array: one contiguous row per coordinate.

    Always a copy (``ascontiguousarray`` would return a view for N == 1, and the
    step kernel writes into it).
    """
    return np.array(a.T, order="C", copy=True)


def nbody_accelerations(pos, mass, *, G=1.0, softening, backend="auto", num_threads=None):
    """Gravitational accelerations of N bodies by direct summation over all pairs.

    ``a_i = G * sum_j m_j (x_j - x_i) / (|x_j - x_i|**2 + softening**2)**1.5``;
    pairs at zero (softened) distance, the body itself included, contribute
    nothing, so ``softening=0`` never gives a NaN.

    Parameters
    ----------
    pos : array_like (N, 3), float32 or float64
    mass : array_like (N,)
        Cast to ``pos``'s dtype.
    G : float, keyword-only
    softening : float >= 0, keyword-only (required)
    backend, num_threads : keyword-only

    Returns
    -------
    ndarray (N, 3) of ``pos``'s dtype

    Notes
    -----
    With softening, both native backends compute each pair's ``r**-3`` from the
    CPU's reciprocal square root estimate and a correction: float32 with
    ``softening >= 2**-40`` on AVX2 or AVX-512 (within 1e-6 on AVX-512, 2.5e-6 on
    AVX2, of the exact value per pair; ~75% of the FMA peak instead of ~55%),
    float64 with ``softening >= 2**-300`` on AVX-512 (within 2e-15; ~61% instead
    of ~40%). The bits then depend on the CPU and SIMD level (never on the thread
    count); ``softening=0``, the baseline level and float64 without AVX-512 use
    the exact square root and divide.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pos = np.array([[0.0, 0, 0], [2.0, 0, 0]])
    >>> pc.nbody_accelerations(pos, [1.0, 1.0], softening=0.0)
    array([[ 0.25,  0.  ,  0.  ],
           [-0.25,  0.  ,  0.  ]])
    """
    _common(backend, num_threads, 1)
    p, m, _, g, eps2 = _bodies(pos, mass, G, softening)
    kern = _choose(backend, f"dtype {p.dtype}", "nbody_accelerations")
    if kern is None:
        return _reference.nbody_accelerations(p, m, G=g, softening=float(softening))
    n = p.shape[0]
    if n == 0:
        return np.empty_like(p)
    x = _soa(p)
    acc = np.empty((3, n), p.dtype)
    _run(lambda k: _accelerations(kern, x, m, acc, g, eps2, k), n * n, num_threads)
    return acc.T.copy()


def _accelerations(kern, x, m, acc, g, eps2, k):
    """acc = accelerations at x, in slices of target bodies (``_cancel.run_tasks``)."""
    n = x.shape[1]
    _cancel.run_tasks(lambda t0, t1: kern.nbody_accelerations(
        x[0], x[1], x[2], m, acc[0], acc[1], acc[2], g, eps2, k, t0, t1), n * n, k)


def nbody_energy(pos, vel, mass, *, G=1.0, softening, backend="auto", num_threads=None):
    """Total energy: kinetic ``sum m v**2 / 2`` plus potential ``-G sum_{i<j} m_i m_j / r_ij``.

    ``r_ij`` is the softened distance ``sqrt(|x_j - x_i|**2 + softening**2)``;
    pairs at zero distance are skipped. Computed in float64 for either dtype.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pos = np.array([[0.0, 0, 0], [2.0, 0, 0]]); vel = np.zeros((2, 3))
    >>> pc.nbody_energy(pos, vel, [1.0, 1.0], softening=0.0)
    -0.5
    """
    _common(backend, num_threads, 1)
    p, m, v, g, eps2 = _bodies(pos, mass, G, softening, vel)
    kern = _choose(backend, f"dtype {p.dtype}", "nbody_energy")
    if kern is None:
        return _reference.nbody_energy(p, v, m, G=g, softening=float(softening))
    n = p.shape[0]
    if n == 0:
        return 0.0
    x = _soa(p)
    phi = np.empty(n, np.float64)
    _run(lambda k: _cancel.run_tasks(lambda t0, t1: kern.nbody_potentials(
        x[0], x[1], x[2], m, eps2, phi, k, t0, t1), n * n, k), n * n, num_threads)
    m64 = m.astype(np.float64)
    v64 = v.astype(np.float64)
    kinetic = 0.5 * float(np.sum(m64 * np.sum(v64 * v64, axis=1)))
    return kinetic - 0.5 * g * float(np.sum(m64 * phi))


def nbody_step(pos, vel, mass, *, dt, steps=1, G=1.0, softening, backend="auto",
               num_threads=None):
    """Velocity-Verlet steps of N bodies under mutual gravity (all pairs).

    Each step: ``v += a*dt/2; x += v*dt; a = accelerations(x); v += a*dt/2``
    (time-reversible, symplectic: energy errors stay bounded).

    Parameters
    ----------
    pos, vel : array_like (N, 3), float32 or float64, same dtype
    mass : array_like (N,)
    dt : float, keyword-only
    steps : int, keyword-only
    G : float, keyword-only
    softening : float >= 0, keyword-only (required)
    backend, num_threads : keyword-only

    Returns
    -------
    (pos, vel) : tuple of ndarray (N, 3)
        New arrays; the inputs are not modified.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> pos = np.array([[-1.0, 0, 0], [1.0, 0, 0]])
    >>> vel = np.array([[0, -0.5, 0], [0, 0.5, 0]])
    >>> p, v = pc.nbody_step(pos, vel, [1.0, 1.0], dt=0.01, steps=100, softening=0.0)
    >>> round(float(np.linalg.norm(p[0] - p[1])), 3)
    2.0
    """
    steps = _common(backend, num_threads, steps)
    p, m, v, g, eps2 = _bodies(pos, mass, G, softening, vel)
    h = check_finite_scalar(dt, "dt")
    kern = _choose(backend, f"dtype {p.dtype}", "nbody_step")
    if kern is None:
        return _reference.nbody_step(p, v, m, dt=h, steps=steps, G=g, softening=float(softening))
    n = p.shape[0]
    if steps == 0 or n == 0:
        return p.copy(), v.copy()
    x = _soa(p)
    u = _soa(v)
    acc = np.empty((3, n), p.dtype)

    if n * n <= _cancel.FIRST_WORK:
        def chunk(first, count, k):  # later slices start from the accelerations left in acc
            kern.nbody_step(x[0], x[1], x[2], u[0], u[1], u[2], m, acc[0], acc[1], acc[2],
                            count, h, g, eps2, first > 0, k)

        _run_steps(n * n, steps, num_threads, chunk)
        return x.T.copy(), u.T.copy()
    # Many bodies: one step's pair pass is itself long, so each step runs as its three
    # parts, the pair pass in slices of target bodies (the same element operations as
    # the fused kernel's, so the same bits); Ctrl-C and aio cancel stop it between slices.
    def split_steps(k):
        _accelerations(kern, x, m, acc, g, eps2, k)
        for _ in range(steps):
            kern.nbody_kick_drift(x[0], x[1], x[2], u[0], u[1], u[2], acc[0], acc[1], acc[2],
                                  h, k)
            _accelerations(kern, x, m, acc, g, eps2, k)
            kern.nbody_kick(u[0], u[1], u[2], acc[0], acc[1], acc[2], h, k)

    _run(split_steps, n * n * steps, num_threads)
    return x.T.copy(), u.T.copy()
