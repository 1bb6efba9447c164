"""Temporally blocked heat and Gray-Scott steps: the same bits as one sweep of the grid per step.

``heat_step`` and ``gray_scott_step`` run several steps per band of rows (2-D)
or planes (3-D), or per tile of the row (1-D), while they are in cache
(kernels/simulation.pyx, "heat"); ``_block_depth`` chooses how many. Every cell
is computed with the same operations from the same neighbour values as in the
step-by-step kernel, so the results are compared byte for byte (no tolerance)
against depth 1 of the same backend: every border mode, both dtypes, odd sizes,
one row or column, grids smaller than a band, depths larger than the step
count, 1 and 2 threads, in place, and runs cut into slices. The grids are
small: the kernels cannot tell a small grid from a large one, apart from the
depth, which is forced here.
"""
import numpy as np
import pytest

import pycompute as pc
import pycompute.simulation as sim
from pycompute import _cancel

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
MODES = ["wrap", "constant", "nearest", "reflect", "mirror"]
SHAPES_1D = [(1,), (2,), (5,), (37,), (20001,)]  # 20001: 2 tiles of the row
SHAPES_2D = [(1, 1), (1, 9), (9, 1), (2, 3), (5, 4), (13, 17), (40, 7)]
SHAPES_3D = [(1, 1, 1), (1, 4, 1), (3, 1, 5), (2, 3, 4), (7, 5, 6), (12, 3, 9)]


@pytest.fixture(params=NATIVE)
def backend(request):
    return request.param


def _force(depth, monkeypatch):
    monkeypatch.setattr(sim, "_block_depth", lambda n_slabs, slab_bytes, steps, n: depth)


def _heat(u, depth, monkeypatch, **kw):
    """heat_step with the temporal block depth forced to ``depth``."""
    _force(depth, monkeypatch)
    return pc.heat_step(u, **kw)


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), f"max |diff| {np.max(np.abs(a - b))}"


@pytest.mark.parametrize("shape", SHAPES_1D + SHAPES_2D + SHAPES_3D, ids=str)
def test_blocked_equals_step_by_step_every_mode(backend, shape, monkeypatch):
    rng = np.random.default_rng(len(shape) * 100 + sum(shape))
    nd = len(shape)
    mixed = tuple(MODES[(i + sum(shape)) % len(MODES)] for i in range(nd))
    for dtype in (np.float32, np.float64):
        u = rng.random(shape).astype(dtype)
        for mode in MODES + ([mixed] if nd > 1 else []):
            kw = dict(alpha=0.9 / (2 * nd), mode=mode, cval=0.37, backend=backend)
            for steps in ((2, 7) if u.size > 5000 else (2, 3, 7)):
                ref = _heat(u, 1, monkeypatch, steps=steps, num_threads=1, **kw)
                for depth, nt in ((2, 1), (3, 2), (16, 2)):
                    _same(_heat(u, depth, monkeypatch, steps=steps, num_threads=nt, **kw), ref)


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (3, 4), (19, 10), (40, 9)], ids=str)
def test_gray_scott_blocked_equals_step_by_step(backend, shape, monkeypatch):
    rng = np.random.default_rng(sum(shape))
    p = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, dt=1.0, backend=backend)
    for dtype in (np.float32, np.float64):
        u = (1 - 0.3 * rng.random(shape)).astype(dtype)
        v = (0.25 * rng.random(shape)).astype(dtype)
        for mode in ["wrap", "nearest", "reflect", "mirror", ("mirror", "wrap")]:
            for steps in (2, 3, 7):
                _force(1, monkeypatch)
                ru, rv = pc.gray_scott_step(u, v, steps=steps, mode=mode, num_threads=1, **p)
                for depth, nt in ((2, 1), (3, 2), (16, 2)):
                    _force(depth, monkeypatch)
                    gu, gv = pc.gray_scott_step(u, v, steps=steps, mode=mode, num_threads=nt,
                                                **p)
                    _same(gu, ru)
                    _same(gv, rv)


def test_backends_agree_bit_for_bit(monkeypatch):
    """The twins do the same operations: every native backend, blocked or not, gives the
    first one's (Cython's) step-by-step bits (no FMA contraction in either)."""
    rng = np.random.default_rng(11)
    first = NATIVE[0]
    for shape, mode in (((300,), "wrap"), ((31, 20), "reflect"), ((30, 7), "constant"),
                        ((5, 6, 7), ("wrap", "mirror", "nearest"))):
        u = rng.random(shape)
        kw = dict(steps=9, alpha=0.1, mode=mode, cval=0.5)
        ref = _heat(u, 1, monkeypatch, backend=first, num_threads=1, **kw)
        for be in NATIVE:
            for depth in (1, 4):
                _same(_heat(u, depth, monkeypatch, backend=be, num_threads=2, **kw), ref)
    gu = 1 - 0.3 * rng.random((17, 12))
    gv = 0.25 * rng.random((17, 12))
    p = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=7, mode="nearest")
    _force(1, monkeypatch)
    ref = pc.gray_scott_step(gu, gv, backend=first, num_threads=1, **p)
    _force(3, monkeypatch)
    for be in NATIVE:
        got = pc.gray_scott_step(gu, gv, backend=be, num_threads=2, **p)
        _same(got[0], ref[0])
        _same(got[1], ref[1])


def test_blocked_against_the_reference(backend, monkeypatch):
    """Blocked native results stay within the step tolerance of NumPy's (test_simulation.py)."""
    rng = np.random.default_rng(3)
    for shape, mode in (((50,), "reflect"), ((33, 21), "wrap"),
                        ((6, 9, 11), ("reflect", "constant", "wrap"))):
        u = rng.random(shape)
        kw = dict(steps=9, alpha=0.1, mode=mode, cval=-0.5)
        got = _heat(u, 4, monkeypatch, backend=backend, num_threads=2, **kw)
        ref = pc.heat_step(u, backend="numpy", **kw)
        np.testing.assert_allclose(got, ref, rtol=0, atol=9 * 1e-14 * 2)


@pytest.mark.parametrize("steps", [2, 5, 8])
def test_blocked_in_place_odd_and_even_block_counts(backend, steps, monkeypatch):
    # depth 3: 2 steps are 1 block, 5 are 2 blocks, 8 are 3: the last block ends
    # in the scratch buffer or in ``out`` itself
    rng = np.random.default_rng(steps)
    u = rng.random((21, 10))
    ref = _heat(u, 1, monkeypatch, steps=steps, alpha=0.2, mode="nearest", backend=backend)
    x = u.copy()
    got = _heat(x, 3, monkeypatch, steps=steps, alpha=0.2, mode="nearest", out=x,
                backend=backend, num_threads=2)
    assert got is x
    _same(x, ref)


def test_blocked_run_cut_into_slices(backend, monkeypatch):
    """A long run cut into many native calls (as for Ctrl-C) gives the same bits."""
    rng = np.random.default_rng(5)
    u = rng.random((64, 48))
    ref = _heat(u, 1, monkeypatch, steps=61, alpha=0.24, backend=backend, num_threads=1)
    monkeypatch.setattr(_cancel, "FIRST_WORK", 3000)  # about one step a slice at first
    monkeypatch.setattr(_cancel, "SLICE", 1e-5)  # and no more than a few later
    calls = []
    real = sim._backends.choose

    def counting(*a, **k):
        kern = real(*a, **k)
        return None if kern is None else _Count(kern, calls)

    monkeypatch.setattr(sim._backends, "choose", counting)
    got = _heat(u, 8, monkeypatch, steps=61, alpha=0.24, backend=backend, num_threads=2)
    assert len(calls) >= 3  # really cut
    # into whole blocks, an even number of them (tests/test_interrupt.py cuts mid-block)
    assert all(c % 16 == 0 for c in calls[:-1]), calls
    _same(got, ref)


class _Count:
    def __init__(self, kern, calls):
        self._kern, self._calls = kern, calls

    def heat(self, *args):
        self._calls.append(args[7])  # steps of this slice
        return self._kern.heat(*args)


def test_depth_policy():
    d = sim._heat_depth
    assert d((4096, 4096), 8, 100, 2) > 4  # a 32 KiB row: many levels in a core's cache
    assert d((4096, 4096), 8, 3, 2) == 3  # never more than the steps of the call
    assert d((4096, 4096), 8, 1, 2) == 1
    assert d((1 << 20,), 8, 100, 2) == sim.MAX_DEPTH  # 1-D: tiles of the row
    assert d((64, 64), 8, 100, 1) == 1  # both buffers fit in the cache anyway
    assert d((64, 512, 512), 8, 100, 2) == 1  # a 2 MiB plane does not fit
    assert d((40, 128, 128), 8, 100, 2) == 3  # 128 KiB planes: 3 levels fit
    assert d((16, 8192), 8, 100, 1) == 5  # a band of 16 rows: 1 + 16 // 4
    assert d((4096, 4096), 4, 100, 1) == sim.MAX_DEPTH
    b = sim._block_depth
    assert b(2048, 2 * 2048 * 4, 100, 2) == sim.MAX_DEPTH  # Gray-Scott f32 2048^2 rows
    assert b(2048, 2 * 2048 * 4, 100, 2) > b(2048, 2 * 2048 * 4 * 8, 100, 2) > 1


def test_block_cache_zero_turns_blocking_off(monkeypatch):
    monkeypatch.setattr(sim, "BLOCK_CACHE", 0)
    assert sim._heat_depth((4096, 4096), 8, 100, 2) == 1
    assert sim._heat_depth((1 << 20,), 8, 100, 2) == 1
    assert sim._block_depth(2048, 2 * 2048 * 4, 100, 2) == 1


def test_bad_input_same_errors_before_any_work(monkeypatch):
    """Tiling changes nothing about bad input: the errors of the step-by-step path."""
    def boom(*a, **k):
        raise AssertionError("a kernel ran")

    monkeypatch.setattr(sim, "_block_depth", boom)
    u = np.zeros((64, 64))
    with pytest.raises(ValueError, match=r"`alpha`=0.3 is unstable for a 2-D grid"):
        pc.heat_step(u, steps=50, alpha=0.3)
    with pytest.raises(ValueError, match="`mode`='periodic' is not one of"):
        pc.heat_step(u, steps=50, alpha=0.1, mode="periodic")
    bad = u.copy()
    bad[40, 3] = np.nan
    with pytest.raises(ValueError, match="`u` contains NaN or infinite values"):
        pc.heat_step(bad, steps=50, alpha=0.1)
    with pytest.raises(ValueError, match="`steps`"):
        pc.heat_step(u, steps=-2, alpha=0.1)
    with pytest.raises(ValueError, match="`mode`='constant' is not one of"):
        pc.gray_scott_step(u, u, Du=0.1, Dv=0.05, F=0.03, k=0.06, steps=50, mode="constant")
    with pytest.raises(ValueError, match="`v` has shape"):
        pc.gray_scott_step(u, u[:3], Du=0.1, Dv=0.05, F=0.03, k=0.06, steps=50)
