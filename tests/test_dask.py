"""Dask arrays through pycompute, on a real LocalCluster of 2 worker processes.

Each Dask result is compared with the single-machine pycompute call on the
whole array. Filters and simulation steps are exact per element (the same
kernel on the same neighbourhoods), so they must agree bit for bit except where
stated; reductions combine chunk partials in a different order from the single
call, so they agree to the float64 rounding of a compensated sum.
"""
import dask.array as da
import distributed
import numpy as np
import pytest

import pycompute as pc


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture
def image():
    return np.random.default_rng(0).standard_normal((61, 47)).astype(np.float32)


CHUNKINGS = [(16, 16), (7, 5), (1, 47), (61, 3)]  # incl. chunks smaller than the halo


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("mode", ["reflect", "wrap", "constant", "nearest", "mirror"])
def test_filters_equal_single_machine(client, image, chunks, mode):
    x = da.from_array(image, chunks=chunks)
    w = np.random.default_rng(1).standard_normal((5, 3))
    cases = [
        ("correlate", (w,), {"origin": (1, 0)}),
        ("convolve", (w,), {}),
        ("gaussian_filter", (2.0,), {}),
        ("uniform_filter", (4,), {}),
        ("sobel", (), {"axis": 0}),
        ("laplace", (), {}),
        ("correlate1d", (np.array([1.0, -2.0, 3.0, 0.5]),), {"axis": 1}),
    ]
    for name, args, kw in cases:
        fn = getattr(pc, name)
        got = fn(x, *args, mode=mode, **kw)
        assert isinstance(got, da.Array), name
        want = fn(image, *args, mode=mode, **kw)
        np.testing.assert_array_equal(got.compute(), want, err_msg=f"{name} {mode} {chunks}")


@pytest.mark.parametrize("chunks", [(16, 16), (5, 7), (1, 64)])
@pytest.mark.parametrize("spe", [1, 3, 8])
def test_simulations_equal_single_machine(client, chunks, spe):
    rng = np.random.default_rng(2)
    u = rng.random((40, 64))
    x = da.from_array(u, chunks=chunks)
    got = pc.heat_step(x, steps=10, alpha=0.2, steps_per_exchange=spe).compute()
    np.testing.assert_array_equal(got, pc.heat_step(u, steps=10, alpha=0.2))
    board = (rng.random((40, 64)) < 0.35).astype(np.uint8)
    b = da.from_array(board, chunks=chunks)
    np.testing.assert_array_equal(pc.life_step(b, steps=9, steps_per_exchange=spe).compute(),
                                  pc.life_step(board, steps=9))
    gu, gv = rng.random((40, 64)).astype(np.float32), rng.random((40, 64)).astype(np.float32)
    du, dv = pc.gray_scott_step(da.from_array(gu, chunks=chunks), da.from_array(gv, chunks=chunks),
                                Du=0.16, Dv=0.08, F=0.035, k=0.06, steps=5,
                                steps_per_exchange=spe)
    wu, wv = pc.gray_scott_step(gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.06, steps=5)
    # float32: the kernel's vectorized interior and its scalar border cells round
    # differently (FMA contraction); chunk edges move cells from one path to the
    # other, so allow a few float32 ulps per step (5 steps, values in [0, 1]).
    np.testing.assert_allclose(du.compute(), wu, rtol=0, atol=5 * 4 * 2 ** -24)
    np.testing.assert_allclose(dv.compute(), wv, rtol=0, atol=5 * 4 * 2 ** -24)


def test_simulations_reject_non_periodic_modes(client):
    x = da.zeros((8, 8), chunks=4)
    with pytest.raises(ValueError, match="periodic"):
        pc.heat_step(x, alpha=0.1, mode="constant")


@pytest.mark.parametrize("chunks", [(16, 16), (7, 5), (1, 47)])
def test_reductions_equal_single_machine(client, image, chunks):
    x = da.from_array(image, chunks=chunks)
    for name in ("sum", "mean", "var", "std", "min", "max"):
        for axis in (None, 0, 1):
            got = getattr(pc, name)(x, axis=axis).compute()
            want = getattr(pc, name)(image, axis=axis)
            assert np.asarray(got).dtype == np.asarray(want).dtype
            # float32 results: both are float64 computations rounded once (or twice) to float32
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6, err_msg=f"{name} {axis}")
    for name in ("argmin", "argmax"):
        for axis in (None, 0, 1):
            np.testing.assert_array_equal(getattr(pc, name)(x, axis=axis).compute(),
                                          getattr(pc, name)(image, axis=axis))
    c1, e1 = pc.histogram(x, bins=12)
    c2, e2 = pc.histogram(image, bins=12)
    np.testing.assert_array_equal(c1.compute(), c2)
    np.testing.assert_array_equal(e1, e2)


def test_reductions_do_not_depend_on_scheduler(client, image):
    x = da.from_array(image.astype(np.float64) * 1e8, chunks=(7, 9))
    a = pc.sum(x).compute()
    b = pc.sum(x).compute(scheduler="threads")
    c = pc.sum(x).compute(scheduler="synchronous")
    assert a.tobytes() == b.tobytes() == c.tobytes()


def test_nbody_equal_single_machine(client):
    rng = np.random.default_rng(3)
    pos, vel = rng.standard_normal((50, 3)), rng.standard_normal((50, 3)) * 0.1
    mass = rng.random(50) + 0.5
    p = da.from_array(pos, chunks=(13, 3))
    acc = pc.nbody_accelerations(p, mass, softening=0.05).compute()
    # float64: block sums in a different order than one kernel call; 1e-12 relative
    np.testing.assert_allclose(acc, pc.nbody_accelerations(pos, mass, softening=0.05),
                               rtol=1e-12, atol=1e-12)
    p2, v2 = pc.nbody_step(p, da.from_array(vel, chunks=(13, 3)), mass, dt=1e-3, steps=3,
                           softening=0.05)
    w2 = pc.nbody_step(pos, vel, mass, dt=1e-3, steps=3, softening=0.05)
    np.testing.assert_allclose(p2.compute(), w2[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v2.compute(), w2[1], rtol=1e-10, atol=1e-12)


def test_threads_inside_workers_stay_within_the_machine(client):
    """Dask's nanny sets OMP_NUM_THREADS=1; pycompute uses that share in each worker."""
    def probe():
        import pycompute

        return pycompute.get_num_threads(), pycompute._threads.thread_source()

    results = client.run(probe)
    assert len(results) == 2
    total = sum(n for n, _ in results.values())
    assert total <= pc.max_threads() * 1  # 2 workers x 1 thread each on this machine
    for n, src in results.values():
        assert n == 1 and "OMP_NUM_THREADS" in src


def test_bad_dask_inputs(client):
    x = da.from_array(np.arange(10.0), chunks=5)
    unknown = x[x > 3]  # unknown chunk sizes
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        pc.sum(unknown)
    with pytest.raises(TypeError, match="output"):
        pc.gaussian_filter(da.zeros((8, 8), chunks=4), 1.0, output=np.empty((8, 8)))
    with pytest.raises(TypeError):
        pc.gaussian_filter(da.zeros((8, 8), chunks=4, dtype=object), 1.0,
                           backend="cython").compute()


def test_cluster_going_away_raises_not_hangs():
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)
    c = distributed.Client(cluster, timeout=30)
    x = da.from_array(np.random.default_rng(0).random((64, 64)), chunks=16)
    cluster.close()
    with pytest.raises(Exception):
        c.compute(pc.sum(x)).result(timeout=30)
    c.close()
