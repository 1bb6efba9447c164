"""Dask arrays through pycompute, on a real LocalCluster of 2 worker processes.

Each Dask result is compared with the single-machine pycompute call on the
whole array. Filters and simulation steps are exact per element (the same
kernel on the same neighbourhoods), so they must agree bit for bit except where
stated; reductions combine chunk partials in a different order from the single
call, so they agree to the float64 rounding of a (blocked) compensated sum.

Where a test runs a matrix (modes x chunkings x steps per exchange), every case
computes its graph here with Dask's synchronous scheduler: the same graph, the
same kernels on the same chunks, without the cluster's ~2 ms of transport per
task (ten 1-step exchanges of a 40 x 64 heat run on 5 x 7 chunks are 16,000 tasks). One case
of each runs on the cluster, the others carry the `slow` mark there
(`pytest -m slow` runs them all on the cluster, as CI does).
"""
import itertools
import os

import dask
import dask.array as da
import distributed
import numpy as np
import pytest

import pycompute as pc


@pytest.fixture(scope="module", autouse=True)
def _restore_thread_env():
    """distributed's Nanny writes its pre-spawn environment (OMP_NUM_THREADS=1, ...) into
    os.environ of the process that starts a LocalCluster, and leaves it there: without
    this, every later test in the session would run pycompute on one thread."""
    keys = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    saved = {k: os.environ.get(k) for k in keys}
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


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


def where_cases(cases, on_cluster):
    """Each case (a tuple of parameters) here ("local"), and on the cluster ("cluster"):
    ``on_cluster`` in the default run, the others marked `slow`."""
    out = []
    for case in cases:
        out.append(pytest.param(*case, "local"))
        marks = () if case == on_cluster else pytest.mark.slow
        out.append(pytest.param(*case, "cluster", marks=marks))
    return out


@pytest.fixture
def compute(request, where):
    """``compute(*dask_arrays)``: on the cluster, or with the synchronous scheduler here."""
    if where == "cluster":
        client = request.getfixturevalue("client")
        return lambda *xs: client.compute(list(xs), sync=True)
    return lambda *xs: list(dask.compute(*xs, scheduler="synchronous"))


@pytest.fixture
def image():
    # 37 x 29: no chunking below divides it, so every chunk grid has a partial last chunk
    return np.random.default_rng(0).standard_normal((37, 29)).astype(np.float32)


# incl. chunks smaller than the halo (gaussian_filter's sigma=2 reaches 8 cells)
CHUNKINGS = [(16, 16), (7, 5), (1, 29), (37, 3)]


@pytest.mark.parametrize("mode, chunks, where", where_cases(
    list(itertools.product(["reflect", "wrap", "constant", "nearest", "mirror"], CHUNKINGS)),
    on_cluster=("reflect", (16, 16))))
def test_filters_equal_single_machine(compute, image, chunks, mode):
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
        np.testing.assert_array_equal(compute(got)[0], want, err_msg=f"{name} {mode} {chunks}")


@pytest.mark.parametrize("chunks, spe, where", where_cases(
    list(itertools.product([(16, 16), (5, 7), (1, 40)], [1, 3, 8])), on_cluster=((16, 16), 3)))
def test_simulations_equal_single_machine(compute, chunks, spe):
    # 24 x 40: partial last chunks; 8-step halos span two 5-row chunks or eight 1-row ones
    rng = np.random.default_rng(2)
    u = rng.random((24, 40))
    x = da.from_array(u, chunks=chunks)
    (got,) = compute(pc.heat_step(x, steps=10, alpha=0.2, steps_per_exchange=spe))
    np.testing.assert_array_equal(got, pc.heat_step(u, steps=10, alpha=0.2))
    board = (rng.random((24, 40)) < 0.35).astype(np.uint8)
    b = da.from_array(board, chunks=chunks)
    np.testing.assert_array_equal(compute(pc.life_step(b, steps=9, steps_per_exchange=spe))[0],
                                  pc.life_step(board, steps=9))
    gu, gv = rng.random((24, 40)).astype(np.float32), rng.random((24, 40)).astype(np.float32)
    du, dv = compute(*pc.gray_scott_step(da.from_array(gu, chunks=chunks),
                                         da.from_array(gv, chunks=chunks),
                                         Du=0.16, Dv=0.08, F=0.035, k=0.06, steps=5,
                                         steps_per_exchange=spe))
    wu, wv = pc.gray_scott_step(gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.06, steps=5)
    # float32: the kernel's vectorized interior and its scalar border cells round
    # differently (FMA contraction); chunk edges move cells from one path to the
    # other, so allow a few float32 ulps per step (5 steps, values in [0, 1]).
    np.testing.assert_allclose(du, wu, rtol=0, atol=5 * 4 * 2 ** -24)
    np.testing.assert_allclose(dv, wv, rtol=0, atol=5 * 4 * 2 ** -24)


def test_simulations_reject_non_periodic_modes(client):
    x = da.zeros((8, 8), chunks=4)
    with pytest.raises(ValueError, match="periodic"):
        pc.heat_step(x, alpha=0.1, mode="constant")


@pytest.mark.parametrize("chunks, where", where_cases([((16, 16),), ((7, 5),), ((1, 29),)],
                                                      on_cluster=((16, 16),)))
def test_reductions_equal_single_machine(compute, image, chunks):
    x = da.from_array(image, chunks=chunks)
    for name in ("sum", "mean", "var", "std", "min", "max"):
        for axis in (None, 0, 1):
            (got,) = compute(getattr(pc, name)(x, axis=axis))
            want = getattr(pc, name)(image, axis=axis)
            assert np.asarray(got).dtype == np.asarray(want).dtype
            # float32 results: both are float64 computations rounded once (or twice) to float32
            np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6, err_msg=f"{name} {axis}")
    for name in ("argmin", "argmax"):
        for axis in (None, 0, 1):
            np.testing.assert_array_equal(compute(getattr(pc, name)(x, axis=axis))[0],
                                          getattr(pc, name)(image, axis=axis))
    c1, e1 = pc.histogram(x, bins=12)
    c2, e2 = pc.histogram(image, bins=12)
    np.testing.assert_array_equal(compute(c1)[0], c2)
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


# ---------------------------------------------------------------- every filter, every dtype

def _all_filters():
    """(name, args, kwargs) covering the 11 filters; box filters with an integral and a
    fractional cval (exact window sums per chunk vs. whole-line passes)."""
    w = np.random.default_rng(1).standard_normal((5, 3))
    return [
        ("correlate", (w,), {"origin": (1, 0)}),
        ("convolve", (w,), {}),
        ("correlate1d", (np.array([1.0, -2.0, 3.0, 0.5]),), {"axis": 1}),
        ("convolve1d", (np.array([0.5, 2.0, -1.0]),), {"axis": 0, "origin": 1}),
        ("gaussian_filter", (2.0,), {}),
        ("gaussian_filter1d", (1.5,), {"axis": 0, "order": 1}),
        ("uniform_filter", (4,), {}),
        ("uniform_filter", ((3, 6),), {"cval": 1.5, "origin": (0, -2)}),
        ("uniform_filter1d", (5,), {"axis": 0}),
        ("uniform_filter1d", (6,), {"axis": 1, "cval": 2.5}),
        ("sobel", (), {"axis": 0}),
        ("prewitt", (), {"axis": 1}),
        ("laplace", (), {}),
    ]


@pytest.mark.parametrize("dtype, where", where_cases([("float64",), ("int16",), ("int64",)],
                                                    on_cluster=("float64",)))
def test_filters_equal_single_machine_every_dtype(compute, dtype):
    # float64: the box filters' running sums depend on where a line starts, so those
    # passes read whole lines; they must still equal the single call bit for bit (they
    # differed by up to 7.8e-16 per chunk). int16: window sums are exact, per chunk with
    # a halo; int64: not exact in float64 in general, whole lines again.
    rng = np.random.default_rng(4)
    img = (rng.standard_normal((37, 29)) * 1000).astype(dtype)
    if dtype == "int64":
        img[3, 4] = 2**60  # window sums beyond 2**53: float64 rounds them
    cases, lazy = [], []
    for chunks in [(16, 16), (5, 7), (37, 3)]:
        x = da.from_array(img, chunks=chunks)
        for mode in ["reflect", "wrap", "constant", "mirror"]:
            for name, args, kw in _all_filters():
                got = getattr(pc, name)(x, *args, mode=mode, **kw)
                assert isinstance(got, da.Array) and got.shape == x.shape, name
                cases.append((name, args, kw, mode, chunks))
                lazy.append(got)
    for (name, args, kw, mode, chunks), res in zip(cases, compute(*lazy)):
        want = getattr(pc, name)(img, *args, mode=mode, **kw)
        assert res.dtype == want.dtype, name
        np.testing.assert_array_equal(res, want, err_msg=f"{name} {kw} {mode} {chunks}")


@pytest.mark.parametrize("where", ["local", "cluster"])
def test_uniform_filter_float64_chunks_were_off_and_are_now_equal(compute):
    # the case: float64, chunks (16, 16) and (5, 7)
    img = np.random.default_rng(0).standard_normal((61, 47))
    for chunks in [(16, 16), (5, 7)]:
        x = da.from_array(img, chunks=chunks)
        got, got1 = compute(pc.uniform_filter(x, 4), pc.uniform_filter1d(x, 9, axis=0))
        assert got.tobytes() == pc.uniform_filter(img, 4).tobytes()
        assert got1.tobytes() == pc.uniform_filter1d(img, 9, axis=0).tobytes()


def test_dask_box_filters_raise_like_the_single_call():
    x = da.from_array(np.zeros((16, 16)), chunks=8)
    with pytest.raises(RuntimeError, match="sequence argument must have length equal"):
        pc.uniform_filter(x, (3, 3, 3))
    with pytest.raises(MemoryError, match="`size`=1099511627776"):
        pc.uniform_filter1d(x, 2**40)


def test_dask_aware_wrappers_keep_the_kernels_signatures_and_calls():
    """The Dask check wraps each kernel in a function with the kernel's own signature
    (pycompute/_dispatch.py): introspection sees the kernel's; ndarray calls pass
    their arguments on positionally and by name; other first arguments, names the
    kernel does not take and missing arguments behave as the kernel's own."""
    import inspect

    import pycompute

    for name in pycompute._KERNELS:
        f = getattr(pycompute, name)
        assert inspect.signature(f) == inspect.signature(f.__wrapped__), name
    for f in (pc.sum, pc.min, pc.argmin, pc.var, pc.correlate, pc.median_filter):
        assert not f.__code__.co_flags & inspect.CO_VARARGS, f  # no (*args, **kwargs)
    x = np.arange(12.0).reshape(3, 4)
    assert pc.sum(x, 1, None, None, False).tolist() == np.sum(x, 1).tolist()
    assert pc.sum(a=x, axis=0, backend="cython").tolist() == np.sum(x, axis=0).tolist()
    assert pc.argmax(x.tolist(), axis=1).tolist() == [3, 3, 3]
    assert pc.gaussian_filter(x, 1.0, mode="wrap").tobytes() == \
        pycompute.gaussian_filter.__wrapped__(x, 1.0, mode="wrap").tobytes()
    with pytest.raises(TypeError, match="bogus"):
        pc.sum(x, bogus=1)
    with pytest.raises(TypeError, match="bogus"):
        pc.sum([1.0, 2.0], bogus=1)
    with pytest.raises(TypeError):
        pc.sum()
