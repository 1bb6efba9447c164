"""Simulation steps: every native backend against the NumPy reference, physics checks, errors.

Tolerances, and why:

* Life: exact (bit-identical); there is no rounding.
* heat and Gray-Scott: ``rtol`` 2e-6 (float32) / 1e-14 (float64) per step,
  times the number of steps, relative to the field's scale. The native kernels
  may contract ``a*b + c`` into one FMA (GCC with -march=native, LLVM under
  Numba), rounding once where NumPy rounds twice, so each step may differ by a
  few ulp (eps32 = 1.2e-7, eps64 = 2.2e-16); the schemes are stable, so the
  differences add up at most linearly with the number of steps.
* N-body accelerations: ``rtol`` 1e-12 (float64, asked for by the issue) and
  2e-5 (float32) relative to the largest acceleration. Both sum N terms in a
  different order (16 lanes vs NumPy's pairwise einsum): float64 differences
  are a few ulp times the number of terms (N <= 200 here), float32 ones about
  sqrt(N) * 16 * eps32.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pycompute as pc

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
FLOATS = [np.float32, np.float64]
RTOL_STEP = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-14}
MODES = ["wrap", "constant", "nearest", "reflect", "mirror"]
# 25 examples, scaled with the profile (conftest.py: `--hypothesis-profile=long` runs 50x as many)
FEW = settings(max_examples=25 * settings.default.max_examples
               // settings.get_profile("pycompute").max_examples, deadline=None)


@pytest.fixture(params=NATIVE)
def backend(request):
    return request.param


def assert_close(got, ref, steps=1, scale=None):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    if scale is None:
        scale = max(float(np.max(np.abs(ref))), 1.0) if ref.size else 1.0
    tol = RTOL_STEP[ref.dtype] * max(steps, 1) * scale
    err = float(np.max(np.abs(got.astype(np.float64) - ref))) if ref.size else 0.0
    assert err <= tol, f"max error {err:.3g} > {tol:.3g}"


# ================================================================ heat

@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(41,), (13, 17), (5, 6, 7)])
@pytest.mark.parametrize("mode", MODES)
def test_heat_matches_reference_step_by_step_and_after_many(backend, dtype, shape, mode):
    rng = np.random.default_rng(1)
    u = rng.random(shape).astype(dtype)
    alpha = 0.9 / (2 * len(shape))
    kw = dict(alpha=alpha, mode=mode, cval=0.25)
    x = u
    for _ in range(4):  # step by step, each from the same state
        got = pc.heat_step(x, backend=backend, **kw)
        assert_close(got, pc.heat_step(x, backend="numpy", **kw))
        x = got
    got = pc.heat_step(u, steps=60, backend=backend, **kw)
    assert_close(got, pc.heat_step(u, steps=60, backend="numpy", **kw), steps=60)


@pytest.mark.parametrize("dtype", FLOATS)
def test_heat_conserves_total_on_torus(backend, dtype):
    rng = np.random.default_rng(2)
    u = rng.random((32, 24)).astype(dtype)
    got = pc.heat_step(u, steps=100, alpha=0.2, backend=backend)
    total0 = u.astype(np.float64).sum()
    # each step rounds every cell once (<= eps relative); the rounding errors
    # do not cancel systematically, so allow eps * cells * steps
    eps = np.finfo(dtype).eps
    assert abs(got.astype(np.float64).sum() - total0) <= eps * u.size * 100 * u.max()
    assert not np.allclose(got, u)  # it did diffuse


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_heat_sine_mode_decays_by_exact_discrete_factor(backend, dtype, ndim):
    # On a torus, sin(2 pi k x / n) per axis is an eigenvector of the discrete
    # Laplacian: each step multiplies it by 1 - 4 alpha sum_axes sin^2(pi k / n).
    shape = (16, 12, 8)[:ndim]
    ks = (1, 2, 1)[:ndim]
    grids = np.meshgrid(*[np.arange(n) for n in shape], indexing="ij")
    u = np.ones(shape)
    for g, n, k in zip(grids, shape, ks):
        u = u * np.sin(2 * np.pi * k * g / n + 0.3)
    alpha = 0.15 if ndim < 3 else 0.1
    factor = 1 - 4 * alpha * sum(np.sin(np.pi * k / n) ** 2 for n, k in zip(shape, ks))
    x = u.astype(dtype)
    for s in range(1, 6):
        x = pc.heat_step(x, alpha=alpha, backend=backend)
        tol = {np.float32: 3e-6, np.float64: 1e-14}[dtype] * s
        np.testing.assert_allclose(x, factor ** s * u, rtol=0, atol=tol)


@pytest.mark.parametrize("ndim, limit", [(1, "0.5"), (2, "0.25"), (3, "0.166667")])
def test_heat_unstable_alpha_rejected(backend, ndim, limit):
    u = np.zeros((4,) * ndim)
    with pytest.raises(ValueError, match=rf"`alpha`=0\.6 is unstable .* = {limit}"):
        pc.heat_step(u, alpha=0.6, backend=backend)
    with pytest.raises(ValueError, match="`alpha`=-0.1 is unstable"):
        pc.heat_step(u, alpha=-0.1, backend=backend)


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_heat_out_in_place_and_input_untouched(backend, steps):
    rng = np.random.default_rng(3)
    u = rng.random((9, 10))
    keep = u.copy()
    ref = pc.heat_step(u, steps=steps, alpha=0.2, backend="numpy")
    got = pc.heat_step(u, steps=steps, alpha=0.2, backend=backend)
    np.testing.assert_array_equal(u, keep)
    out = np.empty_like(u)
    assert pc.heat_step(u, steps=steps, alpha=0.2, out=out, backend=backend) is out
    np.testing.assert_array_equal(out, got)
    assert pc.heat_step(u, steps=steps, alpha=0.2, out=u, backend=backend) is u
    np.testing.assert_array_equal(u, got)
    assert_close(got, ref, steps)


def test_heat_non_contiguous_and_byteswapped_input(backend):
    rng = np.random.default_rng(4)
    u = rng.random((12, 20))
    view = u[::2, 1::3]
    swapped = u.astype(u.dtype.newbyteorder())
    assert_close(pc.heat_step(view, alpha=0.2, backend=backend),
                 pc.heat_step(np.ascontiguousarray(view), alpha=0.2, backend="numpy"))
    assert_close(pc.heat_step(swapped, alpha=0.2, backend=backend),
                 pc.heat_step(u, alpha=0.2, backend="numpy"))


def test_heat_zero_steps_and_tiny_grids(backend):
    u = np.arange(6.0).reshape(2, 3)
    got = pc.heat_step(u, steps=0, alpha=0.2, backend=backend)
    np.testing.assert_array_equal(got, u)
    assert got is not u
    for shape in [(1,), (2,), (1, 1), (1, 5), (2, 1, 3)]:
        x = np.arange(np.prod(shape), dtype=float).reshape(shape) + 1
        for mode in MODES:
            assert_close(pc.heat_step(x, steps=3, alpha=0.1, mode=mode, backend=backend),
                         pc.heat_step(x, steps=3, alpha=0.1, mode=mode, backend="numpy"), 3)


@FEW
@given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=3),
       modes=st.lists(st.sampled_from(MODES), min_size=3, max_size=3),
       steps=st.integers(0, 5), f=st.floats(0, 1), dtype=st.sampled_from(FLOATS),
       seed=st.integers(0, 2**31))
def test_heat_hypothesis(shape, modes, steps, f, dtype, seed):
    u = np.random.default_rng(seed).normal(size=shape).astype(dtype)
    kw = dict(steps=steps, alpha=f / (2 * len(shape)), mode=modes[:len(shape)], cval=-0.5)
    ref = pc.heat_step(u, backend="numpy", **kw)
    for be in NATIVE:
        assert_close(pc.heat_step(u, backend=be, **kw), ref, steps)


# ================================================================ Game of Life

def _board(n0, n1, cells, dtype=bool):
    b = np.zeros((n0, n1), dtype)
    for i, j in cells:
        b[i, j] = 1
    return b


GLIDER = [(0, 1), (1, 2), (2, 0), (2, 1), (2, 2)]


@pytest.mark.parametrize("dtype", [bool, np.uint8])
def test_life_glider_moves_one_cell_diagonally_every_4_generations(backend, dtype):
    b = _board(10, 12, GLIDER, dtype)
    x = b
    for k in range(1, 13):  # 48 generations: it crosses both edges of the torus
        x = pc.life_step(x, steps=4, backend=backend)
        np.testing.assert_array_equal(x, np.roll(b, (k, k), axis=(0, 1)))
        assert x.dtype == b.dtype
    np.testing.assert_array_equal(pc.life_step(b, steps=48, backend=backend), x)


def test_life_blinker_period_2_and_block_still(backend):
    blinker = _board(7, 7, [(3, 2), (3, 3), (3, 4)])
    one = pc.life_step(blinker, backend=backend)
    np.testing.assert_array_equal(one, _board(7, 7, [(2, 3), (3, 3), (4, 3)]))
    np.testing.assert_array_equal(pc.life_step(blinker, steps=2, backend=backend), blinker)
    np.testing.assert_array_equal(pc.life_step(blinker, steps=7, backend=backend), one)
    block = _board(6, 6, [(0, 0), (0, 5), (5, 0), (5, 5)])  # a block across the torus corner
    np.testing.assert_array_equal(pc.life_step(block, steps=5, backend=backend), block)
    edge = _board(4, 4, [(0, 0), (0, 1), (1, 0), (1, 1)])
    np.testing.assert_array_equal(pc.life_step(edge, steps=3, mode="constant", backend=backend),
                                  edge)


@pytest.mark.parametrize("rule", ["B3/S23", "B36/S23", "B2/S", "b3678/s34678", "B0/S8",
                                  "B/S012345678", "B1357/S1357"])
@pytest.mark.parametrize("mode", ["wrap", "constant", ("constant", "wrap")])
def test_life_rules_match_reference_bit_for_bit(backend, rule, mode):
    rng = np.random.default_rng(5)
    b = rng.random((23, 37)) < 0.35
    for steps in (1, 2, 9):
        np.testing.assert_array_equal(
            pc.life_step(b, steps=steps, rule=rule, mode=mode, backend=backend),
            pc.life_step(b, steps=steps, rule=rule, mode=mode, backend="numpy"))


def test_life_glider_dies_at_constant_border(backend):
    b = _board(8, 8, GLIDER)
    x = pc.life_step(b, steps=40, mode="constant", backend=backend)
    np.testing.assert_array_equal(x, pc.life_step(b, steps=40, mode="constant", backend="numpy"))
    assert x.sum() == 4  # it ends as a block in the corner


@pytest.mark.parametrize("steps", [1, 2, 5])
def test_life_out_in_place(backend, steps):
    rng = np.random.default_rng(6)
    b = (rng.random((16, 16)) < 0.4).astype(np.uint8)
    ref = pc.life_step(b, steps=steps, backend="numpy")
    keep = b.copy()
    np.testing.assert_array_equal(pc.life_step(b, steps=steps, backend=backend), ref)
    np.testing.assert_array_equal(b, keep)
    assert pc.life_step(b, steps=steps, out=b, backend=backend) is b
    np.testing.assert_array_equal(b, ref)


@FEW
@given(n0=st.integers(1, 12), n1=st.integers(1, 70), steps=st.integers(0, 6),
       birth=st.sets(st.integers(0, 8)), survive=st.sets(st.integers(0, 8)),
       modes=st.tuples(st.sampled_from(["wrap", "constant"]), st.sampled_from(["wrap", "constant"])),
       seed=st.integers(0, 2**31))
def test_life_hypothesis(n0, n1, steps, birth, survive, modes, seed):
    rule = "B" + "".join(map(str, sorted(birth))) + "/S" + "".join(map(str, sorted(survive)))
    b = np.random.default_rng(seed).random((n0, n1)) < 0.4
    ref = pc.life_step(b, steps=steps, rule=rule, mode=modes, backend="numpy")
    for be in NATIVE:
        np.testing.assert_array_equal(
            pc.life_step(b, steps=steps, rule=rule, mode=modes, backend=be), ref)


# ================================================================ Gray-Scott

GS = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065, dt=1.0)


def _gs_state(shape, dtype, seed=7):
    rng = np.random.default_rng(seed)
    u = np.ones(shape, dtype)
    v = np.zeros(shape, dtype)
    c0, c1 = shape[0] // 2, shape[1] // 2
    u[c0 - 3:c0 + 3, c1 - 3:c1 + 3] = 0.5
    v[c0 - 3:c0 + 3, c1 - 3:c1 + 3] = 0.25
    u += (0.02 * rng.random(shape)).astype(dtype)
    v += (0.02 * rng.random(shape)).astype(dtype)
    return u, v


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("mode", ["wrap", "nearest", "reflect", "mirror"])
def test_gray_scott_matches_reference(backend, dtype, mode):
    u, v = _gs_state((20, 27), dtype)
    keep = u.copy(), v.copy()
    x, y = u, v
    for _ in range(3):
        gu, gv = pc.gray_scott_step(x, y, mode=mode, backend=backend, **GS)
        ru, rv = pc.gray_scott_step(x, y, mode=mode, backend="numpy", **GS)
        assert_close(gu, ru)
        assert_close(gv, rv)
        x, y = gu, gv
    gu, gv = pc.gray_scott_step(u, v, steps=50, mode=mode, backend=backend, **GS)
    ru, rv = pc.gray_scott_step(u, v, steps=50, mode=mode, backend="numpy", **GS)
    assert_close(gu, ru, 50)
    assert_close(gv, rv, 50)
    np.testing.assert_array_equal(u, keep[0])
    np.testing.assert_array_equal(v, keep[1])


def test_gray_scott_uniform_steady_state_is_exact(backend):
    u, v = np.ones((8, 9)), np.zeros((8, 9))
    gu, gv = pc.gray_scott_step(u, v, steps=11, backend=backend, **GS)
    np.testing.assert_array_equal(gu, u)
    np.testing.assert_array_equal(gv, v)


@FEW
@given(n0=st.integers(1, 10), n1=st.integers(1, 40), steps=st.integers(0, 4),
       mode=st.sampled_from(["wrap", "nearest", "reflect", "mirror"]),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**31))
def test_gray_scott_hypothesis(n0, n1, steps, mode, dtype, seed):
    rng = np.random.default_rng(seed)
    u = rng.random((n0, n1)).astype(dtype)
    v = rng.random((n0, n1)).astype(dtype)
    ru, rv = pc.gray_scott_step(u, v, steps=steps, mode=mode, backend="numpy", **GS)
    for be in NATIVE:
        gu, gv = pc.gray_scott_step(u, v, steps=steps, mode=mode, backend=be, **GS)
        assert_close(gu, ru, steps)
        assert_close(gv, rv, steps)


# ================================================================ N-body

def _bodies(n, dtype, seed=8):
    rng = np.random.default_rng(seed)
    pos = rng.normal(size=(n, 3)).astype(dtype)
    vel = (0.1 * rng.normal(size=(n, 3))).astype(dtype)
    mass = rng.uniform(0.5, 1.5, n)
    return pos, vel, mass


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("softening", [0.0, 0.05])
def test_nbody_accelerations_and_energy_match_reference(backend, dtype, softening):
    pos, vel, mass = _bodies(131, dtype)
    pos[7] = pos[3]  # two bodies at one place: skipped when unsoftened, never NaN
    got = pc.nbody_accelerations(pos, mass, G=0.7, softening=softening, backend=backend)
    ref = pc.nbody_accelerations(pos, mass, G=0.7, softening=softening, backend="numpy")
    assert got.shape == (131, 3) and got.dtype == dtype and np.all(np.isfinite(got))
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(got, ref, rtol=0, atol=rtol * np.abs(ref).max())
    e = pc.nbody_energy(pos, vel, mass, G=0.7, softening=softening, backend=backend)
    er = pc.nbody_energy(pos, vel, mass, G=0.7, softening=softening, backend="numpy")
    assert isinstance(e, float) and abs(e - er) <= 1e-12 * abs(er)


def test_nbody_float64_steps_match_reference_to_1e12(backend):
    pos, vel, mass = _bodies(64, np.float64)
    keep = pos.copy(), vel.copy()
    p, v = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=10, softening=0.01, backend=backend)
    np.testing.assert_array_equal(pos, keep[0])  # inputs untouched
    np.testing.assert_array_equal(vel, keep[1])
    rp, rv = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=10, softening=0.01, backend="numpy")
    np.testing.assert_allclose(p, rp, rtol=0, atol=1e-12 * np.abs(rp).max())
    np.testing.assert_allclose(v, rv, rtol=0, atol=1e-12 * np.abs(rv).max())


def test_nbody_float32_steps_match_reference(backend):
    pos, vel, mass = _bodies(64, np.float32)
    p, v = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=10, softening=0.05, backend=backend)
    rp, rv = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=10, softening=0.05, backend="numpy")
    assert p.dtype == v.dtype == np.float32
    # accelerations agree to 2e-5 relative (see the module docstring); over 10
    # steps of dt=1e-3 the velocity differences stay below that times |a| * t
    np.testing.assert_allclose(p, rp, rtol=0, atol=1e-5 * np.abs(rp).max())
    np.testing.assert_allclose(v, rv, rtol=0, atol=1e-4 * np.abs(rv).max())


# The fast pair loops (kernels/simulation.pyx, "The fast float32 path" and the float64
# one after it): the CPU's reciprocal square root estimate and a correction, with
# softening. Stated accuracy of one pair's weight, relative to the exact value, by
# dtype and estimate (measured on Zen 4: float32 3.4e-7, 4.3e-7 and 2.6e-7, float64
# 5.0e-16 and 5.2e-16 (the exact path); the
# bounds leave room for the estimates' documented error, < 2^-14 for vrsqrt14ps/pd and
# < 1.5 * 2^-12 for vrsqrtps, whose first-order correction leaves 1.875 d^2 <= 1e-6;
# float64's cubic correction leaves 2.46 d^4 < 5.5e-16).
PAIR_RTOL = {("float32", "rsqrt14"): 1e-6, ("float32", "rsqrtps"): 2.5e-6,
             ("float32", ""): 5e-7, ("float64", "rsqrt14"): 2e-15, ("float64", ""): 1e-15}


def _estimate(backend, dtype="float32"):
    if backend == "numba":
        from pycompute._numba import simulation as nsim
        return nsim.NBODY_ESTIMATE if dtype == "float32" else nsim.NBODY_ESTIMATE_F64
    from pycompute import _simd
    return _simd.kernels("simulation").nbody_estimate(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [2, 64])
def test_nbody_pair_weight_within_the_stated_accuracy(backend, n, dtype):
    """One source at a time (every other body has mass 0, which adds exactly 0): body 0's
    acceleration is one pair's G m d / (d^2 + eps^2)^1.5, over distances 1e-9..1e9 and
    softenings from 1e-12 (the fast paths' smallest are 2^-40 and 2^-300) up, against
    the same formula in extended precision. n = 2 runs the masked / padded tail, n = 64
    full blocks of lanes."""
    rng = np.random.default_rng(3)
    ld = np.longdouble
    worst = 0.0
    for trial in range(400):
        pos = rng.normal(size=(n, 3)).astype(dtype)
        pos[0] = 0
        k = int(rng.integers(1, n))
        d = 10.0 ** rng.uniform(-9, 9)
        pos[k] = (rng.normal(size=3) * d).astype(dtype)
        mass = np.zeros(n, dtype)
        mass[k] = 10.0 ** rng.uniform(-3, 3)
        soft = float(10.0 ** rng.uniform(-12, 1)) * d
        got = pc.nbody_accelerations(pos, mass, G=0.7, softening=soft, backend=backend)[0]
        x = pos[k].astype(ld)
        e2 = ld(np.dtype(dtype).type(soft * soft))
        r2 = (x * x).sum() + e2
        if not (1e-30 < r2 < 1e30):  # keep G m d / r^3 within float32's range
            continue
        g = ld(np.dtype(dtype).type(0.7))
        want = g * ld(mass[k]) * x / (r2 * np.sqrt(r2))
        worst = max(worst, float(np.abs(got.astype(ld) - want).max() / np.abs(want).max()))
    assert 0 < worst <= PAIR_RTOL[(dtype, _estimate(backend, dtype))], worst


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_nbody_fast_path_same_bits_in_both_backends(num_threads, dtype):
    """The two backends run the same operations on the fast path: where they use the same
    estimate (the Cython level's and the CPU Numba compiles for), the same bits; at any
    thread count the same bits as one thread."""
    if len(NATIVE) < 2:
        pytest.fail("both native backends are needed")
    pos, vel, mass = _bodies(301, np.dtype(dtype))
    tol = 2e-6 if dtype == "float32" else 1e-13
    runs = {}
    for be in NATIVE:
        a = pc.nbody_accelerations(pos, mass, G=0.7, softening=0.05, backend=be,
                                   num_threads=num_threads)
        p, v = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=3, softening=0.05, backend=be,
                             num_threads=num_threads)
        one = pc.nbody_accelerations(pos, mass, G=0.7, softening=0.05, backend=be,
                                     num_threads=1)
        np.testing.assert_array_equal(a, one)
        runs[be] = (a, p, v)
    ref = pc.nbody_accelerations(pos, mass, G=0.7, softening=0.05, backend="numpy")
    for be, (a, _, _) in runs.items():
        np.testing.assert_allclose(a, ref, rtol=0, atol=tol * np.abs(ref).max())
    if _estimate("cython", dtype) == _estimate("numba", dtype):
        for x, y in zip(runs["cython"], runs["numba"]):
            np.testing.assert_array_equal(x, y)
    else:
        for x, y in zip(runs["cython"], runs["numba"]):
            np.testing.assert_allclose(x, y, rtol=0, atol=2 * tol * np.abs(x).max())


def test_nbody_fast_path_weighs_an_overflowing_pair_as_zero():
    """r2 is clamped to FLT_MAX on the fast path: a pair whose |d|^2 overflows float32
    weighs ~0, as in the exact loop and the float64 reference, instead of inf * 0 = NaN.
    (NaN and inf positions are refused before any kernel runs.)"""
    pos, _, mass = _bodies(40, np.float32)
    pos[5] = [3e19, 0, 0]  # |d|^2 overflows float32 for every other body
    r = pc.nbody_accelerations(pos.astype(np.float64), mass, softening=0.05, backend="numpy")
    for be in NATIVE:
        a = pc.nbody_accelerations(pos, mass, softening=0.05, backend=be)
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, r, rtol=0, atol=2e-6 * np.abs(r).max())


def test_nbody_fast_path_leaves_huge_masses_and_G_to_the_exact_loop():
    """The float32 fast path scales masses by 5/3 and G by 3/2; where that would
    overflow float32 (a mass above ~2e38, G above ~2.3e38) both backends take the exact
    loop, which stays finite where the reference is."""
    pos = np.array([[0, 0, 0], [1e3, 0, 0]], np.float32)
    cases = [(dict(mass=np.float32([3e38, 1]), softening=1e3), 1.0),
             (dict(mass=np.float32([1, 1]), softening=1.0), 3e38)]
    for kw, G in cases:
        p = pos if G == 1.0 else pos * np.float32(1e7)
        ref = pc.nbody_accelerations(p.astype(np.float64), kw["mass"].astype(np.float64),
                                     G=G, softening=kw["softening"], backend="numpy")
        for be in NATIVE:
            got = pc.nbody_accelerations(p, kw["mass"], G=G, softening=kw["softening"],
                                         backend=be)
            assert np.all(np.isfinite(got)), (be, got)
            np.testing.assert_allclose(got, ref, rtol=1e-5, atol=0)


def test_nbody_fast_path_nan_pairs_agree_across_backends():
    """A NaN distance (an inf coordinate reached mid-run: validation refuses them at
    input) poisons the pair's weight in both backends alike (r2 is clamped with
    vminps(FLT_MAX, r2), which keeps a NaN), as in the exact loop."""
    from pycompute import _simd
    from pycompute._numba import simulation as nsim
    x = np.float32([0, 1, np.inf, 2])
    y = np.float32([0, 2, 1, 0])
    z = np.float32([0, 3, 1, 1])
    m = np.float32([1, 1, 1, 1])
    outs = []
    for kern in (_simd.kernels("simulation").nbody_accelerations, nsim.nbody_accelerations):
        a = [np.zeros(4, np.float32) for _ in range(3)]
        kern(x, y, z, m, *a, 1.0, 1e-4, 1, 0, 4)
        outs.append(np.stack(a))
    np.testing.assert_array_equal(np.isnan(outs[0]), np.isnan(outs[1]))
    assert np.isnan(outs[0][1:, 2]).all()  # body 2: y and z weights from NaN pairs


@pytest.mark.parametrize("dtype", FLOATS)
def test_nbody_momentum_conserved_to_rounding(backend, dtype):
    pos, vel, mass = _bodies(80, dtype)
    p0 = (mass[:, None] * vel.astype(np.float64)).sum(axis=0)
    p, v = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=50, softening=0.05, backend=backend)
    p1 = (mass[:, None] * v.astype(np.float64)).sum(axis=0)
    # forces are exact pairs up to rounding: each body's acceleration has relative
    # error ~ eps * sqrt(N); summed over N bodies and 50 steps of dt
    acc = pc.nbody_accelerations(pos, mass, softening=0.05, backend="numpy").astype(np.float64)
    scale = float(np.sum(mass * np.linalg.norm(acc, axis=1))) * 50 * 1e-3
    scale += float(np.sum(mass * np.linalg.norm(vel, axis=1)))
    eps = np.finfo(dtype).eps
    assert np.max(np.abs(p1 - p0)) <= 64 * eps * scale
    assert np.max(np.abs(v - vel)) > 1000 * eps  # the bodies did accelerate


def test_nbody_two_body_circular_orbit_energy_over_1000_steps(backend):
    # equal masses 1 at distance 2, G = 1: circular speed 0.5, period 4 pi
    pos = np.array([[-1.0, 0, 0], [1.0, 0, 0]])
    vel = np.array([[0, -0.5, 0], [0, 0.5, 0]])
    m = [1.0, 1.0]
    e0 = pc.nbody_energy(pos, vel, m, softening=0.0, backend=backend)
    assert abs(e0 - (-0.25)) < 1e-15
    x, v = pos, vel
    worst = 0.0
    for _ in range(10):  # 10 calls x 100 steps, dt = 0.01: 0.8 orbits
        x, v = pc.nbody_step(x, v, m, dt=0.01, steps=100, softening=0.0, backend=backend)
        worst = max(worst, abs(pc.nbody_energy(x, v, m, softening=0.0) - e0) / abs(e0))
        assert abs(np.linalg.norm(x[0] - x[1]) - 2.0) < 1e-4
    # velocity Verlet is symplectic: the energy error oscillates with amplitude
    # O((omega dt)^2) = (0.5 * 0.01)^2 = 2.5e-5 and does not drift
    assert worst < 2.5e-5
    x2, v2 = pc.nbody_step(pos, vel, m, dt=0.01, steps=1000, softening=0.0, backend=backend)
    np.testing.assert_allclose(x2, x, rtol=0, atol=1e-12)  # one call == ten calls
    np.testing.assert_allclose(x2[0] + x2[1], 0.0, atol=1e-12)  # centre of mass stays


def test_nbody_single_body_and_coincident_bodies_never_nan(backend):
    a = pc.nbody_accelerations([[1.0, 2.0, 3.0]], [2.0], softening=0.0, backend=backend)
    np.testing.assert_array_equal(a, np.zeros((1, 3)))
    one = np.array([[1.0, 2.0, 3.0]])
    p, v = pc.nbody_step(one, [[1.0, 0, 0]], [1.0], dt=0.5, steps=2, softening=0.0,
                         backend=backend)
    np.testing.assert_array_equal(p, [[2.0, 2.0, 3.0]])  # a lone body drifts
    np.testing.assert_array_equal(one, [[1.0, 2.0, 3.0]])  # (N == 1: the input is not the state)
    pos = np.zeros((20, 3))
    p, v = pc.nbody_step(pos, np.zeros((20, 3)), np.ones(20), dt=0.1, steps=3, softening=0.0,
                         backend=backend)
    np.testing.assert_array_equal(p, pos)
    assert pc.nbody_energy(pos, np.zeros((20, 3)), np.ones(20), softening=0.0,
                           backend=backend) == 0.0


@FEW
@given(n=st.integers(1, 40), steps=st.integers(0, 3), softening=st.sampled_from([0.0, 0.1]),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**31))
def test_nbody_hypothesis(n, steps, softening, dtype, seed):
    pos, vel, mass = _bodies(n, dtype, seed)
    rp, rv = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=steps, softening=softening,
                           backend="numpy")
    for be in NATIVE:
        p, v = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=steps, softening=softening,
                             backend=be)
        tol = 1e-12 if dtype == np.float64 else 1e-4
        np.testing.assert_allclose(p, rp, rtol=0, atol=tol * max(np.abs(rp).max(), 1))
        np.testing.assert_allclose(v, rv, rtol=0, atol=tol * max(np.abs(rv).max(), 1))


# ================================================================ threads

def test_bitwise_equal_at_1_and_2_threads(backend):
    # work (cells x steps, or pairs x steps) is above 2 x GRAIN every time, so 2 threads run
    from pycompute.simulation import GRAIN

    assert 20 * 24 * 30 * 10 >= 2 * GRAIN and 400 * 400 >= 2 * GRAIN
    rng = np.random.default_rng(9)
    for dtype in FLOATS:
        u = rng.random((96, 130)).astype(dtype)
        a = pc.heat_step(u, steps=11, alpha=0.2, backend=backend, num_threads=1)
        b = pc.heat_step(u, steps=11, alpha=0.2, backend=backend, num_threads=2)
        assert a.tobytes() == b.tobytes()
        u3 = rng.random((20, 24, 30)).astype(dtype)
        a = pc.heat_step(u3, steps=10, alpha=0.1, mode="constant", backend=backend, num_threads=1)
        b = pc.heat_step(u3, steps=10, alpha=0.1, mode="constant", backend=backend, num_threads=2)
        assert a.tobytes() == b.tobytes()
        gu, gv = _gs_state((96, 130), dtype)
        a = pc.gray_scott_step(gu, gv, steps=12, backend=backend, num_threads=1, **GS)
        b = pc.gray_scott_step(gu, gv, steps=12, backend=backend, num_threads=2, **GS)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        pos, vel, mass = _bodies(300, dtype)
        a = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=3, softening=0.0, backend=backend,
                          num_threads=1)
        b = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=3, softening=0.0, backend=backend,
                          num_threads=2)
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
        pos, vel, mass = _bodies(400, dtype)
        assert (pc.nbody_energy(pos, vel, mass, softening=0.1, backend=backend, num_threads=1)
                == pc.nbody_energy(pos, vel, mass, softening=0.1, backend=backend, num_threads=2))
    board = rng.random((128, 200)) < 0.3
    a = pc.life_step(board, steps=9, backend=backend, num_threads=1)
    b = pc.life_step(board, steps=9, backend=backend, num_threads=2)
    assert a.tobytes() == b.tobytes()


def test_odd_row_counts_on_two_threads_finish_and_match(backend):
    # rows that do not split evenly between 2 threads: a barrier once inside the row loop
    # (instead of after it) left the threads' barrier counts unequal, and these calls hung
    # or raced. Run in a child process so a hang fails the test instead of the suite.
    import subprocess
    import sys
    code = f"""
import numpy as np, pycompute as pc
rng = np.random.default_rng(3)
board = rng.random((1001, 256)) < 0.3
ref = pc.life_step(board, steps=5, backend="numpy")
assert np.array_equal(pc.life_step(board, steps=5, backend={backend!r}, num_threads=2), ref)
u = np.ones((1001, 256), np.float32)
v = np.zeros((1001, 256), np.float32)
v[400:600, 100:150] = 0.5
gs = {GS!r}
a = pc.gray_scott_step(u, v, steps=4, backend={backend!r}, num_threads=1, **gs)
b = pc.gray_scott_step(u, v, steps=4, backend={backend!r}, num_threads=2, **gs)
assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr


# ================================================================ errors

def test_heat_bad_inputs():
    with pytest.raises(TypeError, match="`u` must have dtype float32 or float64, got int64"):
        pc.heat_step(np.zeros(4, np.int64), alpha=0.1)
    with pytest.raises(ValueError, match=r"`u` must have 1 or 2 or 3 dimensions, got shape \(\)"):
        pc.heat_step(np.float64(1.0), alpha=0.1)
    with pytest.raises(ValueError, match="`u` contains NaN or infinite values"):
        pc.heat_step(np.array([1.0, np.nan]), alpha=0.1)
    with pytest.raises(ValueError, match="`u` contains NaN or infinite values"):
        pc.heat_step(np.array([np.inf, -np.inf, 1.0], np.float32), alpha=0.1)
    big = np.full(4, 1e38, np.float32)  # finite, though its sum (4e38) overflows: accepted
    np.testing.assert_array_equal(pc.heat_step(big, alpha=0.1), big)
    with pytest.raises(ValueError, match="`alpha`=nan must be finite"):
        pc.heat_step(np.zeros(3), alpha=float("nan"))
    with pytest.raises(TypeError, match="`alpha` must be a real number"):
        pc.heat_step(np.zeros(3), alpha="x")
    with pytest.raises(ValueError, match="`mode`='periodic' is not one of"):
        pc.heat_step(np.zeros(3), alpha=0.1, mode="periodic")
    with pytest.raises(ValueError, match="`mode` has 1 entries but the input has 2 axes"):
        pc.heat_step(np.zeros((3, 3)), alpha=0.1, mode=["wrap"])
    with pytest.raises(ValueError, match="`steps`=-1 must be >= 0"):
        pc.heat_step(np.zeros(3), alpha=0.1, steps=-1)
    with pytest.raises(TypeError, match="`steps` must be an int"):
        pc.heat_step(np.zeros(3), alpha=0.1, steps=1.5)
    with pytest.raises(ValueError, match=r"`out` has shape \(4,\), but the result has shape \(3,\)"):
        pc.heat_step(np.zeros(3), alpha=0.1, out=np.zeros(4))
    with pytest.raises(TypeError, match="`out` has dtype float32, but the result has dtype float64"):
        pc.heat_step(np.zeros(3), alpha=0.1, out=np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="`out` must be a writeable, C-contiguous"):
        pc.heat_step(np.zeros(3), alpha=0.1, out=np.zeros(6)[::2])
    with pytest.raises(ValueError, match="`backend`='fortran' is not one of"):
        pc.heat_step(np.zeros(3), alpha=0.1, backend="fortran")
    with pytest.raises(ValueError, match="`num_threads`=0 is out of range"):
        pc.heat_step(np.zeros(3), alpha=0.1, num_threads=0)


def test_life_bad_inputs():
    with pytest.raises(TypeError, match="`board` must have dtype bool or uint8, got float64"):
        pc.life_step(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"`board` must have 2 dimensions, got shape \(3,\)"):
        pc.life_step(np.zeros(3, bool))
    with pytest.raises(ValueError, match="`board` of dtype uint8 must hold only 0 and 1, found 2"):
        pc.life_step(np.full((3, 3), 2, np.uint8))
    for rule in ["B3S23", "B9/S23", "S23/B3", "B3/S2x"]:
        with pytest.raises(ValueError, match=f"`rule`='{rule}' is not a life-like rule"):
            pc.life_step(np.zeros((3, 3), bool), rule=rule)
    with pytest.raises(TypeError, match="`rule` must be a string in B/S notation"):
        pc.life_step(np.zeros((3, 3), bool), rule=23)
    with pytest.raises(ValueError, match="`mode`='reflect' is not one of 'wrap', 'constant'"):
        pc.life_step(np.zeros((3, 3), bool), mode="reflect")
    with pytest.raises(TypeError, match="`out` has dtype uint8, but the result has dtype bool"):
        pc.life_step(np.zeros((3, 3), bool), out=np.zeros((3, 3), np.uint8))


def test_gray_scott_bad_inputs():
    u = np.ones((4, 5))
    with pytest.raises(ValueError, match=r"`v` has shape \(4, 4\), but `u` has shape \(4, 5\)"):
        pc.gray_scott_step(u, np.ones((4, 4)), **GS)
    with pytest.raises(TypeError, match="`v` has dtype float32, but `u` has dtype float64"):
        pc.gray_scott_step(u, u.astype(np.float32), **GS)
    with pytest.raises(ValueError, match="`u` must have 2 dimensions"):
        pc.gray_scott_step(np.ones(4), np.ones(4), **GS)
    with pytest.raises(ValueError, match="`v` contains NaN or infinite values"):
        pc.gray_scott_step(u, np.full((4, 5), np.inf), **GS)
    with pytest.raises(ValueError, match="`dt`=inf must be finite"):
        pc.gray_scott_step(u, u, **{**GS, "dt": np.inf})
    with pytest.raises(ValueError, match="`F`=nan must be finite"):
        pc.gray_scott_step(u, u, **{**GS, "F": np.nan})
    with pytest.raises(ValueError, match="`mode`='constant' is not one of"):
        pc.gray_scott_step(u, u, mode="constant", **GS)
    with pytest.raises(TypeError, match="`u` must have dtype float32 or float64, got complex128"):
        pc.gray_scott_step(u + 0j, u, **GS)


def test_nbody_bad_inputs():
    pos, vel, mass = _bodies(5, np.float64)
    with pytest.raises(ValueError, match=r"`mass` must have shape \(5,\) to match `pos`"):
        pc.nbody_accelerations(pos, mass[:4], softening=0.1)
    with pytest.raises(ValueError, match=r"`pos` must have shape \(N, 3\), got \(5, 2\)"):
        pc.nbody_accelerations(pos[:, :2], mass, softening=0.1)
    with pytest.raises(ValueError, match=r"`vel` has shape \(4, 3\), but `pos` has shape \(5, 3\)"):
        pc.nbody_step(pos, vel[:4], mass, dt=0.1, softening=0.1)
    with pytest.raises(TypeError, match="`vel` has dtype float32, but `pos` has dtype float64"):
        pc.nbody_step(pos, vel.astype(np.float32), mass, dt=0.1, softening=0.1)
    with pytest.raises(TypeError, match="`pos` must have dtype float32 or float64, got int64"):
        pc.nbody_accelerations(pos.astype(np.int64), mass, softening=0.1)
    bad = pos.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="`pos` contains NaN or infinite values"):
        pc.nbody_accelerations(bad, mass, softening=0.1)
    with pytest.raises(ValueError, match="`mass` contains NaN or infinite values"):
        pc.nbody_energy(pos, vel, np.full(5, np.nan), softening=0.1)
    for dt in (np.nan, np.inf):
        with pytest.raises(ValueError, match="`dt`=(nan|inf) must be finite"):
            pc.nbody_step(pos, vel, mass, dt=dt, softening=0.1)
    with pytest.raises(ValueError, match="`softening`=-0.1 must be >= 0"):
        pc.nbody_accelerations(pos, mass, softening=-0.1)
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'softening'"):
        pc.nbody_accelerations(pos, mass)
    with pytest.raises(TypeError, match="`mass` must hold real numbers"):
        pc.nbody_accelerations(pos, ["a"] * 5, softening=0.1)


@pytest.mark.parametrize("name", NATIVE)
def test_native_backend_named_explicitly_runs_native(name):
    # the numpy backend returns the reference twin; a named native backend must
    # give a result for every accepted dtype (no silent fallback, no TypeError)
    for dtype in FLOATS:
        u = np.zeros((4, 4), dtype)
        assert pc.heat_step(u, alpha=0.1, backend=name).dtype == dtype


def test_concurrent_calls_from_python_threads(backend):
    # each call double buffers in its own scratch buffer (equal sizes, so a
    # shared one would mix the grids); results equal the serial ones
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(10)
    grids = [rng.random((90, 100)) for _ in range(6)]
    serial = [pc.heat_step(g, steps=20, alpha=0.2, backend=backend) for g in grids]
    boards = [rng.random((90, 100)) < 0.4 for _ in range(6)]
    serial_life = [pc.life_step(b, steps=21, backend=backend) for b in boards]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda g: pc.heat_step(g, steps=20, alpha=0.2, backend=backend),
                          grids))
        got_life = list(ex.map(lambda b: pc.life_step(b, steps=21, backend=backend), boards))
    for a, b in zip(got, serial):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got_life, serial_life):
        np.testing.assert_array_equal(a, b)
