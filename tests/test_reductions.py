"""Every native backend against NumPy (the oracle) for the reductions.

Tolerances, and why:

* integer results, min/max/argmin/argmax, histograms: exact. They involve no
  rounding.
* float sums and means: ``|ours - numpy| <= (n + 32) * eps(result) * sum(|x|)``
  per output element, n the number of elements reduced into it. NumPy sums
  along a leading axis one row at a time (error up to ``n eps sum|x|``) and
  pairwise otherwise (``log2(n) eps sum|x|``); ours is a float64 sum (blocked
  TwoSum for float64 input, error <= 3 eps sum|x| + eps |sum| to first order;
  plain float64 lanes for float32 input, error <= (n + 16) eps64 sum|x|) rounded
  once to the result dtype (<= 1 eps). Their
  difference is bounded by the sum of the two.
* var/std: ``rtol`` 1e-4 (float32) / 1e-10 (float64) plus ``atol`` of the same
  order times ``max(x^2)``. NumPy's float32 variance accumulates in float32
  (errors ~sqrt(n) * eps32 relative), ours in float64.
"""
import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nasty import DTYPES, arrays, axes_for
from stopping import one_task_slices

import pycompute as pc

FUNCS = ["sum", "mean", "min", "max", "argmin", "argmax", "var", "std"]


def _call(fn, a, axis, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return getattr(fn, "__call__")(a, axis=axis, **kw), None
        except Exception as exc:  # noqa: BLE001 - comparing failure modes is the point
            return None, exc


def _tolerance(name, a, ref, axis=None):
    """(rtol, atol) for comparing with NumPy; atol may be per output element."""
    ref = np.asarray(ref)
    if ref.dtype.kind not in "fc" or name in ("min", "max"):
        return 0.0, 0.0
    eps = np.finfo(ref.dtype).eps
    x = np.abs(np.asarray(a, dtype=np.float64))
    x = np.where(np.isfinite(x), x, 0.0)
    if name in ("sum", "mean"):
        # NumPy sums along an axis of a C array one row at a time (error ~ n eps sum|x|),
        # pairwise otherwise (~ log2(n) eps sum|x|); ours is ~ eps sum|x|.
        count = max(1, a.size // max(1, ref.size))
        scale = np.sum(x, axis=axis) if x.ndim else x
        if name == "mean":
            scale = scale / count
        return 0.0, (count + 32) * eps * np.asarray(scale) + 1e-300
    big = float(np.max(x)) ** 2 if x.size else 0.0
    rtol = 1e-4 if ref.dtype == np.float32 else 1e-10
    if name == "std":
        # |sqrt(u) - sqrt(v)| <= sqrt(|u - v|): a variance off by ~(n + 32) eps max|x|^2
        # (NumPy's two passes; ours) puts a near-zero std off by the root of that
        # (three equal values 7.3e-16: NumPy's std 9.9e-32, the exact and ours 0)
        count = max(1, a.size // max(1, ref.size))
        return rtol, np.sqrt((count + 32) * eps * big) + 1e-300
    return rtol, rtol * big + 1e-300


def _assert_close(got, ref, rtol, atol, msg):
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))
    with np.errstate(invalid="ignore"):
        ok = same | (np.abs(got - ref) <= atol + rtol * np.abs(ref))
    assert np.all(ok), (msg, got[~ok][:5], ref[~ok][:5])


def check_same(name, a, axis, backend, **kw):
    """Both raise the same exception type, or both return equal results."""
    ref, ref_exc = _call(getattr(np, name), a, axis, **kw)
    got, got_exc = _call(getattr(pc, name), a, axis, backend=backend, **kw)
    if ref_exc is not None or got_exc is not None:
        assert type(got_exc) is type(ref_exc), (name, a.dtype, a.shape, axis, ref_exc, got_exc)
        return
    got = np.asarray(got)
    ref = np.asarray(ref)
    assert got.dtype == ref.dtype, (name, a.dtype, axis, got.dtype, ref.dtype)
    assert got.shape == ref.shape, (name, a.shape, axis)
    rtol, atol = _tolerance(name, a, ref, axis if not kw.get("keepdims") else None)
    if rtol == 0 and np.all(np.asarray(atol) == 0):
        np.testing.assert_array_equal(got, ref, err_msg=f"{name} {a.dtype} {a.shape} axis={axis}")
    else:
        if kw.get("keepdims"):
            atol = np.max(atol)
        _assert_close(got, ref, rtol, atol, f"{name} {a.dtype} {a.shape} axis={axis}")


# Numba compiles each input dtype (and read-only-ness) of each kernel separately, about a
# second a signature on a cold cache: the default run sweeps every dtype on Cython and one of
# each kind and width class on Numba; the other dtypes on Numba are `slow` (CI runs them).
NUMBA_DEFAULT_DTYPES = ["float64", "float32", "int64", "uint8", "bool"]


def _nasty_sweep(name, backend, dtypes):
    count = 0
    for label, a in arrays(dtypes):
        for axis in axes_for(a):
            if name.startswith("arg") and isinstance(axis, tuple):
                continue
            check_same(name, a, axis, backend)
            count += 1
    assert count > 1000


@pytest.mark.parametrize("name", FUNCS)
def test_nasty_arrays_every_axis(name, backend):
    """The bottleneck-style sweep: dtypes x shapes x layouts x NaN/inf x axes."""
    _nasty_sweep(name, backend, NUMBA_DEFAULT_DTYPES if backend == "numba" else DTYPES)


@pytest.mark.slow
@pytest.mark.parametrize("backend", [b.name for b in pc.backends()
                                     if b.name == "numba" and b.available])
@pytest.mark.parametrize("name", FUNCS)
def test_nasty_arrays_every_axis_other_dtypes(name, backend):
    """The sweep on Numba for the dtypes the default run leaves to Cython."""
    _nasty_sweep(name, backend, [d for d in DTYPES if d not in NUMBA_DEFAULT_DTYPES])


@pytest.mark.parametrize("name", ["sum", "mean", "min", "max", "var"])
def test_keepdims_and_out(name, backend, rng):
    a = rng.standard_normal((6, 7, 8)).astype(np.float32)
    for axis in (None, 1, (0, 2)):
        check_same(name, a, axis, backend, keepdims=True)
        ref = getattr(np, name)(a, axis=axis, keepdims=True)
        out = np.empty_like(ref)
        res = getattr(pc, name)(a, axis=axis, keepdims=True, out=out, backend=backend)
        assert res is out
        rtol, atol = _tolerance(name, a, ref)
        _assert_close(out, ref, rtol, np.max(atol), name)


def test_dtype_argument(backend, rng):
    a = rng.integers(-100, 100, (50, 3)).astype(np.int16)
    for dtype in (np.float32, np.float64, np.int32, np.uint8, np.int64):
        check_same("sum", a, 0, backend, dtype=dtype)
        check_same("sum", a, None, backend, dtype=dtype)
    for dtype in (np.float32, np.float64):
        check_same("mean", a, 1, backend, dtype=dtype)
        check_same("var", a, None, backend, dtype=dtype)


def test_ddof(backend, rng):
    a = rng.standard_normal((9, 4))
    for ddof in (0, 1, 3, 9, 12):
        check_same("var", a, 0, backend, ddof=ddof)
        check_same("std", a, None, backend, ddof=ddof)


def test_integer_sum_wraps_like_numpy(backend):
    a = np.full(1000, np.iinfo(np.int64).max // 3, dtype=np.int64)
    assert pc.sum(a, backend=backend) == np.sum(a)
    b = np.full(300, 200, dtype=np.uint8)
    assert pc.sum(b, backend=backend, dtype=np.uint8) == np.sum(b, dtype=np.uint8)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_integer_sum_into_out_of_another_dtype(backend):
    """NumPy reduces in ``out``'s dtype when no ``dtype=`` is given: uint64 into int32
    runs float64 and saturates (a hypothesis find), int64 into float64 does not wrap."""
    cases = [(np.array([2147483649], np.uint64), np.int32),
             (np.full(3, 2 ** 62, np.int64), np.float64),
             (np.full((4, 3), 100, np.int16), np.int8)]
    for x, out_dt in cases:
        for axis in (None, 0):
            want = np.sum(x, axis=axis, out=np.zeros(np.sum(x, axis=axis).shape, out_dt))
            out = np.zeros(want.shape, out_dt)
            got = pc.sum(x, axis=axis, out=out, backend=backend)
            assert got is out
            np.testing.assert_array_equal(got, want, err_msg=f"{x.dtype} -> {out_dt}")


@given(data=st.data())
def test_hypothesis_against_numpy(data):
    dtype = data.draw(st.sampled_from(DTYPES[:-1]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=40))
    elements = None
    if np.dtype(dtype).kind == "f":
        elements = st.one_of(
            st.floats(-1e6, 1e6, width=np.dtype(dtype).itemsize * 8),
            st.sampled_from([np.nan, np.inf, -np.inf]))
    a = data.draw(hnp.arrays(dtype, shape, elements=elements))
    if data.draw(st.booleans()) and a.ndim >= 2:
        a = a.T
    if data.draw(st.booleans()) and a.shape[0] > 1:
        a = a[::-2]
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    name = data.draw(st.sampled_from(FUNCS))
    backend = data.draw(st.sampled_from(["cython", "numba"]))
    check_same(name, a, axis, backend)


# ---------------------------------------------------------------- accuracy

def _adversarial(rng):
    n = 1 << 16
    yield rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
    big = rng.standard_normal(n) * 1e10
    yield np.concatenate([big, -big, rng.standard_normal(n)])  # cancellation
    yield np.full(n, 0.1)
    yield np.concatenate([[1e16], np.ones(n), [-1e16]])


def float64_sum_bound(x, exact):
    """Our float64 sum's error bound (blocked TwoSum, kernels/_simd.h pyc_sum_f64): 3
    roundings in each group of 8 values a lane, the compensated accumulation of the
    groups (one rounding of the result, a second-order term). NumPy's pairwise sum
    is bounded by ~(log2(n / 128) + 18) eps sum|x| from n = 128 (below that our sum
    is TwoSum on every element)."""
    eps = float(np.finfo(np.float64).eps)
    return eps * abs(exact) + (3 + x.size * eps) * eps * float(np.abs(x).sum())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_at_least_as_accurate_as_numpy(dtype, backend, rng):
    """Against math.fsum (exact): our error is never larger than NumPy's, case by case;
    for float64 it may be where it is within our bound (float64_sum_bound, below
    NumPy's): the blocked sum is faithful, not correctly rounded, and on one array
    NumPy's rounding can land closer by chance. On average it is closer than
    NumPy's (the next test)."""
    for x in _adversarial(rng):
        x = x.astype(dtype)
        x64 = x.astype(np.float64)
        exact = math.fsum(x64.tolist())
        ours = abs(float(pc.sum(x, backend=backend)) - exact)
        theirs = abs(float(np.sum(x)) - exact)
        if dtype == np.float64:
            assert ours <= max(theirs, float64_sum_bound(x64, exact)), (ours, theirs)
        else:
            assert ours <= theirs, (ours, theirs)


def test_float64_sum_error_below_numpys_over_random_arrays(backend, rng):
    """At least as accurate as NumPy, as a measure: over batches of random float64
    arrays (zero-mean, positive, values over 16 decades), contiguous and strided, the
    total distance from math.fsum is at most NumPy's (the README's averages: ours
    0-2 ulp, NumPy's 0.3-6)."""
    gens = {"normal": lambda n: rng.standard_normal(n),
            "positive": lambda n: rng.random(n),
            "wide": lambda n: rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)}
    for name, gen in gens.items():
        for n in (1000, 30_000):
            ours = theirs = 0.0
            for _ in range(20):
                x = gen(2 * n)
                for v in (x[:n], x[::2]):
                    exact = math.fsum(v.tolist())
                    ours += abs(float(pc.sum(v, backend=backend)) - exact)
                    theirs += abs(float(np.sum(v)) - exact)
            assert ours <= theirs, (name, n, ours, theirs)


@pytest.mark.parametrize("num_threads", [1, 2])
def test_float32_sum_within_the_float64_accumulation_bound(backend, num_threads, rng):
    """float32 sums accumulate plainly in float64 lanes (issue 11), not TwoSum.

    Bound, against math.fsum (exact): the float64 accumulation errs by at most
    ``(n + 16) * eps64 * sum|x|`` (a chain of at most n/16 + 16 + tail additions
    per lane and fold; the chunk partials are combined with TwoSum), and the
    final rounding to float32 adds half an ulp: ``eps32 / 2 * |exact|``. For any
    n below 2**29 the first term is below ``eps32 / 4 * sum|x|``, NumPy's pairwise
    float32 sum is bounded by ``log2(n) * eps32 * sum|x|``. Also, case by case,
    never further from the exact sum than np.sum. Contiguous, strided, reversed,
    and along each axis of a 2-D array.
    """
    eps32 = float(np.finfo(np.float32).eps)
    eps64 = float(np.finfo(np.float64).eps)
    cases = list(_adversarial(rng)) + [rng.standard_normal(n) for n in (1, 15, 16, 17, 40_001)]
    for x in cases:
        x = x.astype(np.float32)
        for v in (x, x[::3], x[::-1]):
            x64 = v.astype(np.float64)
            exact = math.fsum(x64.tolist())
            got = pc.sum(v, backend=backend, num_threads=num_threads)
            assert got.dtype == np.float32
            err = abs(float(got) - exact)
            bound = eps32 / 2 * abs(exact) + (v.size + 16) * eps64 * float(np.abs(x64).sum())
            assert err <= bound, (v.size, err, bound)
            assert err <= abs(float(np.sum(v)) - exact), (v.size, err)
    x = rng.standard_normal((300, 517)).astype(np.float32) * np.float32(1e3)
    for axis in (0, 1):
        got = pc.sum(x, axis=axis, backend=backend, num_threads=num_threads).astype(np.float64)
        x64 = np.moveaxis(x.astype(np.float64), axis, -1)
        exact = np.array([math.fsum(r) for r in x64.reshape(-1, x64.shape[-1]).tolist()])
        bound = (eps32 / 2 * np.abs(exact)
                 + (x64.shape[-1] + 16) * eps64 * np.abs(x64).sum(axis=-1).ravel())
        assert np.all(np.abs(got - exact) <= bound), axis


def test_float32_sum_and_mean_bitwise_equal_across_backends(rng):
    """Cython and Numba run the same float32 sum (16 float64 lanes, the same fold
    and tail order, chunk partials in chunk order): equal bit for bit, at any
    thread count, on every layout and on the one-thread fast path."""
    native = {b.name for b in pc.backends() if b.available}
    assert {"cython", "numba"} <= native, native
    arrays = [rng.standard_normal(n).astype(np.float32) for n in (1, 15, 16, 17, 1000, 70_001)]
    x2 = rng.standard_normal((37, 1029)).astype(np.float32)
    cases = [(a, None) for a in arrays] + [(a[::3], None) for a in arrays] + [
        (a[::-2], None) for a in arrays] + [(x2, 0), (x2, 1), (x2.T, 0), (x2[:, ::2], 1),
                                            (x2, None), (x2[::-1, ::3], None)]
    for fn in (pc.sum, pc.mean):
        for a, axis in cases:
            res = {np.asarray(fn(a, axis=axis, backend=be, num_threads=k)).tobytes()
                   for be in ("cython", "numba") for k in (None, 1, 2)}
            assert len(res) == 1, (fn.__name__, a.shape, a.strides, axis)


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int16])
def test_var_and_std_bitwise_equal_across_backends(dt, rng):
    """Cython and Numba run the same two-pass variance (pilot mean and deviation lanes,
    fold and tail order per layout, blocks merged in order): equal bit for bit on every
    layout, at any thread count and on the one-thread fast path."""
    native = {b.name for b in pc.backends() if b.available}
    assert {"cython", "numba"} <= native, native
    arrays = [(rng.standard_normal(n) * 3 + 7).astype(dt)
              for n in (5, 15, 16, 17, 2047, 2049, 5000, 70_001)]
    x2 = (rng.standard_normal((37, 1029)) + 5).astype(dt)
    cases = [(a, None) for a in arrays] + [(a[::3], None) for a in arrays] + [
        (a[::-1], None) for a in arrays] + [(x2, 0), (x2, 1), (x2.T, 0), (x2[:, ::2], 1),
                                            (x2, None), (x2[::-1, ::3], None)]
    for fn, kw in ((pc.var, {}), (pc.std, {"ddof": 1})):
        for a, axis in cases:
            res = {np.asarray(fn(a, axis=axis, backend=be, num_threads=k, **kw)).tobytes()
                   for be in ("cython", "numba") for k in (None, 1, 2)}
            assert len(res) == 1, (fn.__name__, a.shape, a.strides, axis)


def test_var_is_stable_with_large_offset(backend, rng):
    """Naive sum-of-squares would lose every digit here; two-pass keeps them."""
    x = 1e9 + rng.standard_normal(100_000)
    exact = np.var(x - 1e9)
    assert abs(pc.var(x, backend=backend) - exact) <= 1e-6 * exact


# ---------------------------------------------------------------- determinism

def test_bitwise_identical_across_threads(backend, rng):
    x = rng.standard_normal((3, 300_001)).astype(np.float32)
    cases = [
        ("sum", x, None), ("sum", x, 1), ("sum", x.T, 1), ("mean", x, 0),
        ("var", x, None), ("var", x, 1), ("std", x.T, 0),
        ("min", x, None), ("argmax", x, 1), ("sum", x[:, ::-3], None),
        ("sum", x.astype(np.float64), None), ("mean", x.astype(np.float64).ravel()[::2], None),
    ]
    for name, a, axis in cases:
        fn = getattr(pc, name)
        one = np.asarray(fn(a, axis=axis, backend=backend, num_threads=1))
        two = np.asarray(fn(a, axis=axis, backend=backend, num_threads=2))
        assert one.tobytes() == two.tobytes(), (name, axis)


def test_bitwise_identical_at_many_threads(tmp_path):
    """More threads than cores (raised maximum), in a fresh process."""
    import subprocess
    import sys
    code = (
        "import numpy as np, pycompute as pc\n"
        "x = np.random.default_rng(1).standard_normal((5, 400_003))\n"
        "for be in [b.name for b in pc.backends() if b.available and b.name != 'numpy']:\n"
        "    for fn in (pc.sum, pc.var, pc.mean):\n"
        "        for ax in (None, 0, 1):\n"
        "            r = {np.asarray(fn(x, axis=ax, backend=be, num_threads=n)).tobytes()"
        " for n in (1, 2, 3, 5, 8)}\n"
        "            assert len(r) == 1, (be, fn, ax)\n"
        "print('ok')\n"
    )
    env = dict(__import__("os").environ, PYCOMPUTE_MAX_THREADS="8")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


# ---------------------------------------------------------------- histogram

@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "int64"])
def test_histogram_matches_numpy(dtype, backend, rng):
    a = (rng.standard_normal(50_000) * 50).astype(dtype)
    for bins, rng_ in [(10, None), (1, None), (37, (-20, 20.5)), (256, (0, 255)),
                       ([-100, -3, 0, 0.5, 7, 200], None)]:
        for v in (a, a[::-3]):
            c1, e1 = np.histogram(v, bins=bins, range=rng_)
            c2, e2 = pc.histogram(v, bins=bins, range=rng_, backend=backend)
            np.testing.assert_array_equal(c2, c1)
            np.testing.assert_array_equal(e2, e1)
            assert e2.dtype == e1.dtype


def test_histogram_edges_on_bin_boundaries(backend):
    """Values exactly on edges, where the float index needs NumPy's +-1 correction."""
    a = np.linspace(0, 1, 1001).astype(np.float32)
    for bins in (3, 7, 10, 100):
        np.testing.assert_array_equal(pc.histogram(a, bins, backend=backend)[0],
                                      np.histogram(a, bins)[0])


def test_histogram_density_nan_and_errors(backend):
    a = np.array([0.0, 1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="not finite"):
        pc.histogram(a, backend=backend)
    np.testing.assert_array_equal(pc.histogram(a, 4, range=(0, 2), backend=backend)[0],
                                  np.histogram(a, 4, range=(0, 2))[0])
    d1 = pc.histogram(a[[0, 1, 3]], 4, density=True, backend=backend)[0]
    np.testing.assert_allclose(d1, np.histogram(a[[0, 1, 3]], 4, density=True)[0])
    with pytest.raises(ValueError, match="must be positive"):
        pc.histogram(a, 0, backend=backend)
    with pytest.raises(ValueError, match="monotonically"):
        pc.histogram(a, [0, 2, 1], backend=backend)
    with pytest.raises(ValueError, match="max must be larger"):
        pc.histogram(a, 3, range=(2, 1), backend=backend)


# ---------------------------------------------------------------- backends and errors

def test_uncovered_dtypes_go_to_reference_or_raise():
    z = np.arange(6, dtype=np.complex128).reshape(2, 3)
    np.testing.assert_array_equal(pc.sum(z, axis=0), np.sum(z, axis=0))
    h = np.arange(5, dtype=np.float16)
    assert pc.max(h) == np.max(h) and pc.max(h).dtype == np.float16
    for be in ("cython", "numba"):
        with pytest.raises(TypeError, match="no native kernel for dtype complex128"):
            pc.sum(z, backend=be)
        with pytest.raises(TypeError, match="float16"):
            pc.mean(h, backend=be)
    np.testing.assert_array_equal(pc.sum(z, backend="numpy"), np.sum(z))


def test_bad_arguments():
    a = np.ones((3, 4))
    with pytest.raises(np.exceptions.AxisError):
        pc.sum(a, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        pc.argmin(a, axis=-3)
    with pytest.raises(TypeError, match="`axis`"):
        pc.mean(a, axis=1.5)
    with pytest.raises(ValueError, match="zero-size array"):
        pc.min(np.ones((0, 3)))
    with pytest.raises(ValueError, match="empty sequence"):
        pc.argmax(np.ones(0))
    with pytest.raises(ValueError, match="`backend`='gpu' is not one of"):
        pc.sum(a, backend="gpu")
    with pytest.raises(ValueError, match="`num_threads`=0 is out of range"):
        pc.sum(a, num_threads=0)
    with pytest.raises(TypeError, match="`num_threads` must be an int"):
        pc.sum(a, num_threads=1.5)
    with pytest.raises(ValueError, match="`out` has shape"):
        pc.sum(a, axis=0, out=np.empty(3))
    with pytest.raises(TypeError):
        pc.sum(a, dtype="not-a-dtype")


def test_where_and_initial_use_reference():
    a = np.arange(12.0).reshape(3, 4)
    mask = a > 3
    assert pc.sum(a, where=mask) == np.sum(a, where=mask)
    assert pc.min(a, initial=-5.0) == -5.0
    with pytest.raises(TypeError, match="no native kernel"):
        pc.sum(a, where=mask, backend="cython")


def test_no_copy_of_strided_input(backend):
    """The kernels read the caller's memory: a strided view is not copied."""
    import tracemalloc
    base = np.random.default_rng(0).standard_normal((2000, 2000))
    view = base[::-2, 1::3]
    pc.sum(view, backend=backend)  # warm up (Numba compiles outside the window)
    pc.var(view, axis=0, backend=backend)
    tracemalloc.start()
    pc.sum(view, backend=backend)
    pc.var(view, axis=0, backend=backend)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < view.nbytes // 20, peak


@pytest.mark.parametrize("name", ["sum", "mean", "min", "max", "argmin", "argmax"])
def test_default_call_small_arrays(name):
    """The default call (backend='auto', whole array) on small arrays of every dtype."""
    rng = np.random.default_rng(3)
    for dtype in DTYPES:
        for n in (1, 2, 17, 1000, 65536):
            a = np.asarray(rng.standard_normal(n) * 50).astype(dtype)
            if dtype.startswith("float") and n > 2:
                a[n // 2] = np.nan if n % 2 else a[n // 2]
            got, ref = getattr(pc, name)(a), getattr(np, name)(a)
            assert np.asarray(got).dtype == np.asarray(ref).dtype, (name, dtype)
            rtol, atol = _tolerance(name, a, ref)
            _assert_close(got, ref, rtol, atol, f"{name} {dtype}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_threads", [1, 2])
@pytest.mark.parametrize("want", ["argmin", "argmax"])
def test_arg_extreme_position_across_blocks_and_tasks(backend, dtype, want, num_threads):
    """argmin/argmax find the extreme's block by its SUB-block (2048) extremes and scan
    only that block at the end: the first occurrence must still win when equal
    extremes sit in several blocks and row tasks (16K elements), a NaN anywhere wins
    from its first position, and -0.0 / 0.0 tie as NumPy's do."""
    rng = np.random.default_rng(11)
    n = 5 * 16384 + 3 * 2048 + 37  # several row tasks, blocks and a tail
    sign = -1 if want == "argmin" else 1
    f, ref = getattr(pc, want), getattr(np, want)
    for trial in range(12):
        x = rng.random(n).astype(dtype) - dtype(0.5)
        spots = np.sort(rng.choice(n, size=int(rng.integers(1, 5)), replace=False))
        x[spots] = sign * 2.0  # equal extremes in several places: the first wins
        if trial % 3 == 1:
            x[rng.integers(0, n, 2)] = np.nan
        if trial % 3 == 2:
            x[:] = 0.0
            x[rng.choice(n, 50, replace=False)] = -0.0
        for arr in (x, x[::-1], x[::3]):
            assert f(arr, backend=backend, num_threads=num_threads) == ref(arr), (trial, spots)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arg_extreme_at_every_position_of_short_rows(backend, dtype):
    """A block's extreme runs packed vectors (Numba: 256 bytes a step, the last one
    overlapping the one before where they do not divide the row; Cython: four vectors
    folded, then their lanes in registers) and the scan for its position runs 64
    elements a step: the extreme, a tie of it or a NaN at every position of rows
    around those widths gives NumPy's index."""
    rng = np.random.default_rng(7)
    lengths = list(range(1, 70)) + [127, 128, 129, 191, 192, 193, 255, 256, 257, 300]
    for n in lengths:
        x = (rng.random(n) + 1).astype(dtype)
        for pos in range(n):
            for val, tie in ((0.0, False), (3.0, True), (np.nan, False)):
                y = x.copy()
                y[pos] = val
                if tie and pos + 1 < n:
                    y[rng.integers(pos + 1, n)] = val  # a later equal extreme: the first wins
                for name in ("argmin", "argmax"):
                    got = getattr(pc, name)(y, backend=backend, num_threads=1)
                    assert got == getattr(np, name)(y), (n, pos, val, name)


_INTS = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]


@pytest.mark.parametrize("backend, dtype", [("cython", d) for d in _INTS] + [
    ("numba", d) if d in NUMBA_DEFAULT_DTYPES else pytest.param("numba", d, marks=pytest.mark.slow)
    for d in _INTS])
def test_integer_extremes_at_every_position(backend, dtype):
    """Contiguous integer rows run packed (Cython: 256 bytes of lanes once a row holds
    two blocks of them, the position found in blocks of 256, then 64 bytes; Numba: a plain
    reduction LLVM packs) and integer columns packed along the row: the dtype's
    extremes, a tie of them (the first row or element wins) and values in between at
    positions around those widths, rows and columns, 1 and 2 threads, as NumPy.
    Numba's int64 and uint8 run by default, its other integer dtypes in the slow set
    (a compile each)."""
    dt = np.dtype(dtype)
    info = np.iinfo(dt)
    rng = np.random.default_rng(5)
    w = 256 // dt.itemsize
    for n in (1, 2, w - 1, 2 * w - 1, 2 * w, 2 * w + 1, 3 * w + 7, 2048 + 5):
        x = rng.integers(info.min // 2, info.max // 2, n, dtype=dt, endpoint=True)
        for pos in sorted({0, n // 3, n - 1, max(0, n - 2 * w), min(n - 1, 2 * w)}):
            for val in (info.min, info.max):
                y = x.copy()
                y[pos] = val
                if pos + 1 < n:
                    y[rng.integers(pos + 1, n)] = val  # a later equal extreme
                for name in ("min", "max", "argmin", "argmax"):
                    got = getattr(pc, name)(y, backend=backend, num_threads=1)
                    assert got == getattr(np, name)(y), (n, pos, val, name)
    X = rng.integers(info.min // 2, info.max // 2, (300, 257), dtype=dt, endpoint=True)
    X[7, ::2] = info.max
    X[200, ::2] = info.max  # a later tie in the same columns
    X[150, 1::2] = info.min
    X[299, 1::3] = info.min
    for name in ("min", "max", "argmin", "argmax"):
        for k in (1, 2):
            for axis in (0, 1):
                got = getattr(pc, name)(X, axis=axis, backend=backend, num_threads=k)
                np.testing.assert_array_equal(got, getattr(np, name)(X, axis=axis),
                                              err_msg=f"{name} axis {axis} {k} threads")


def test_axis0_column_tasks_match_numpy_and_agree_bitwise():
    """Axis-0 reductions run column tasks: blocks of up to 4096 columns x chunks of rows,
    the chunk partials folded chunk by chunk. Wide arrays (several blocks), tall ones
    (many chunks), one row (one task, not a task an element), a NaN in one chunk of a
    column (min/max's fast loop redoes that block by the NaN-sticky rule), a column of
    zeros of both signs (the result takes the last zero's sign), integers: NumPy's
    values, and the same bits on both
    native backends at 1 and 2 threads."""
    native = {b.name for b in pc.backends() if b.available}
    assert {"cython", "numba"} <= native, native
    rng = np.random.default_rng(3)
    shapes = [(300, 4096 + 37), (5000, 5), (70, 9000), (2, 5000), (1, 5000), (1000, 1000)]
    for (R, B), dt in itertools.product(shapes, (np.float32, np.float64, np.int16)):
        x = (rng.standard_normal((R, B)) * 100).astype(dt)
        if dt != np.int16:
            x[rng.integers(0, R), 1] = np.nan
            x[:, 2] = 0.0
            x[rng.choice(R, min(R, 7), replace=False), 2] = -0.0
            x[:, -1] = np.abs(x[:, -1]) + 1
            x[rng.integers(R // 2, R), -1] = np.nan  # a later chunk
        for name in ("sum", "min", "max", "var", "argmin", "argmax"):
            outs = {(b, k): np.asarray(getattr(pc, name)(x, axis=0, backend=b, num_threads=k))
                    for b in ("cython", "numba") for k in (1, 2)}
            first = outs["cython", 1]
            for key, got in outs.items():
                assert got.tobytes() == first.tobytes(), (R, B, dt, name, key)
            if name in ("sum", "var"):  # against float64 NumPy, within the float32 result's rounding
                ref = getattr(np, name)(x.astype(np.float64), axis=0)
                tol = 1e-5 if dt == np.float32 else 1e-12
                np.testing.assert_allclose(first, ref, rtol=tol, atol=tol * np.nanmax(np.abs(ref)),
                                           err_msg=f"{R}x{B} {dt} {name}")
                continue
            np.testing.assert_array_equal(first, getattr(np, name)(x, axis=0),
                                          err_msg=f"{R}x{B} {dt} {name}")
            if name in ("min", "max") and dt != np.int16:
                last_zero = x[np.flatnonzero(x[:, 2] == 0)[-1], 2]
                assert np.signbit(first[2]) == np.signbit(last_zero), (R, B, dt, name)


def test_streamed_float32_column_sums_add_every_row_once():
    """float32 axis-0 sums past PYC_PF_MIN (16 MiB) with runs over 4 KB go in passes of
    32 rows side by side (8 where the row stride aliases 4 KB: 4096 columns), the
    remainder of a chunk in 8s and ones. Integers below 2^10 in float32: every partial
    is exact in float64, so a row skipped or added twice shows. Widths: passes of 32;
    aliased (8); two column blocks; a run of 4 KB (one row at a time, prefetched). A
    NaN in a pass row and an inf in a remainder row propagate. Both backends, 1 and 2
    threads: the same bits as float64 NumPy."""
    rng = np.random.default_rng(11)
    for B in (2000, 4096, 4096 + 1500, 1024):
        R = (1 << 24) // (4 * B) + 77  # past 16 MiB, chunks with remainders
        x = rng.integers(-1000, 1000, (R, B)).astype(np.float32)
        x[40, 7] = np.nan
        x[R - 3, 9] = np.inf
        ref = np.sum(x.astype(np.float64), axis=0).astype(np.float32)
        for backend in ("cython", "numba"):
            for k in (1, 2):
                got = pc.sum(x, axis=0, backend=backend, num_threads=k)
                assert got.tobytes() == ref.tobytes(), (B, backend, k)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("want", ["min", "max"])
def test_min_max_fast_path_zero_sign_and_nan(backend, dtype, want):
    """Whole contiguous float arrays on one thread take one packed min (or max) a vector
    (``ext_flat``): the value must be NumPy's, a zero result must take the sign of the
    last zero whatever lanes the zeros fell in (pycompute's rule, that of the minmax
    kernel on every other path; NumPy's own sign follows its SIMD lane layout: for 64
    float32 it keeps the first zero, for 200 the last), and any NaN must win."""
    rng = np.random.default_rng(5)
    f, ref = getattr(pc, want), getattr(np, want)
    for n in (1, 7, 64, 65, 2047, 5000, 70001):
        for trial in range(6):
            x = (rng.random(n) + 0.5).astype(dtype) * (1 if want == "min" else -1)
            zeros = rng.choice(n, size=min(n, int(rng.integers(1, 6))), replace=False)
            x[zeros] = rng.choice([0.0, -0.0], size=zeros.size)
            if trial == 5:
                x[rng.integers(0, n)] = np.nan
            got = f(x, backend=backend, num_threads=1)
            want_v = ref(x)
            assert type(got) is type(want_v)
            if np.isnan(want_v):
                assert np.isnan(got)
                continue
            assert got == want_v, (n, trial)
            if got == 0:
                last = x[np.flatnonzero(x == 0)[-1]]
                assert np.signbit(got) == np.signbit(last), (n, trial, zeros)
                general = f(x, backend=backend, num_threads=2)  # the minmax kernel
                assert np.signbit(general) == np.signbit(got)


class _Sub(np.ndarray):
    pass


def _misaligned(x):
    buf = np.empty(x.nbytes + 1, np.uint8)
    y = buf[1:].view(x.dtype)
    y[...] = x
    return y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_calls_equal_the_general_path(backend, dtype):
    """Whole-array calls of up to 16,384 float elements with NumPy's defaults run one
    native call (the kernels' ``small``; Numba's for 1-D input; also with
    ``num_threads=1``): the same bits and result type as the general path (two
    threads asked for) and as the one-thread call, for
    every operation, on contiguous, 2-D, strided and reversed inputs, at the lane and
    size boundaries, with NaN, infinities, signed zeros and float32 overflow; it
    declines (None) what it does not cover, and those calls still give the right
    answer."""
    from pycompute import reductions as R
    rng = np.random.default_rng(11)
    ops = R._SMALL_OPS
    cases = []
    for n in (1, 2, 15, 16, 17, 1000, 2049, 16384):
        base = (rng.standard_normal(3 * n) * 4).astype(dtype)
        cases += [base[:n], base[::3], base[::-1][:n], base[n:2 * n][::-2]]
    x = rng.standard_normal(600).astype(dtype)
    specials = [x.reshape(20, 30), x.copy(), x.copy(), x.copy(), x.copy(), x.copy()]
    specials[1][[3, 500]] = np.nan
    # NaNs of both signs (inf + -inf is a negative NaN on x86): a NaN sum is the
    # default NaN on every path, whichever NaN an add kept
    specials[5][[1, 2, 40, 41, 300]] = [np.inf, -np.inf, np.nan, -np.nan, 1.0]
    specials[2][[7, 8]] = [np.inf, -np.inf]
    specials[3][:] = np.where(rng.random(600) < 0.5, 0.0, -0.0)
    big = np.finfo(dtype).max
    specials[4][:] = big / 2  # float32: the sum overflows float32, var's mean * n too
    cases += specials
    for a in cases:
        for op in ops:
            fn = getattr(pc, op)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                small = R._small_call(op, a, backend, None, None)
                got = fn(a, backend=backend)
                one = fn(a, backend=backend, num_threads=1)
                two = fn(a, backend=backend, num_threads=2)
                # a float32 mean whose float64 total is not below float32's max (NaN,
                # inf, overflow) is left to the general path's overflow rule
                hard = (op == "mean" and dtype == np.float32
                        and not abs(np.sum(a, dtype=np.float64)) < np.finfo(dtype).max)
            served = not hard and (backend == "cython" or a.ndim == 1)
            assert (small is not None) == served, (op, a.shape, a.strides)
            for other in (one, two):
                assert type(got) is type(other), (op, type(got), type(other))
                assert np.asarray(got).tobytes() == np.asarray(other).tobytes(), (
                    op, a.shape, a.strides, got, other)
    declined = [np.zeros(1 << 19, dtype), np.zeros(0, dtype), x.astype(x.dtype.newbyteorder()),
                _misaligned(x), x.reshape(20, 30)[:, ::2], x.view(_Sub)]
    for a in declined:
        for op in ops:
            assert R._small_call(op, a, backend, None, None) is None, (op, a.dtype, a.shape)
    for op in ops:  # past 16,384 elements only argmin/argmax, and contiguous min/max
        # (the tests below)
        served = R._small_call(op, np.zeros(16385, dtype), backend, None, None) is not None
        assert served == (op in ("min", "max", "argmin", "argmax")), op
        strided = np.zeros(2 * 16385, dtype)[::2]
        served = R._small_call(op, strided, backend, None, None) is not None
        assert served == (op in ("argmin", "argmax")), op
    for a in declined[2:4]:
        for op in ops:
            ref = getattr(np, op)(a)
            got = getattr(pc, op)(a, backend=backend)
            assert np.asarray(got).tobytes() == np.asarray(
                getattr(pc, op)(a, backend=backend, num_threads=2)).tobytes()
            np.testing.assert_allclose(got, ref, rtol=1e-5)
    assert R._small_call("sum", x, "numpy", None, None) is None
    # one thread asked for: served (its sizes run on one thread anyway); others not
    assert R._small_call("sum", x, backend, None, 1) is not None
    for k in (2, -1, True, 1.0):
        assert R._small_call("sum", x, backend, None, k) is None
    assert R._small_call("sum", x, ["cython"], None, None) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_float_argmin_argmax_past_small_n(backend, dtype):
    """Float argmin/argmax of up to 2^19 - 1 elements (whole 1-D arrays at any stride,
    and along either axis of C-contiguous 2-D ones) are one native call (the kernels'
    ``small``; any task plan gives the first extreme, or the first NaN): NumPy's index
    and type, and the general path's (two threads asked for), with NaNs and ties at
    the start, inside and at the end. 2^19 elements are not served."""
    from pycompute import reductions as R
    rng = np.random.default_rng(19)
    for n in (16385, 100_003, (1 << 19) - 1):
        base = rng.standard_normal(n).astype(dtype)
        xs = [base]
        for pos in (0, n // 3, n - 1):
            x = base.copy()
            x[pos] = np.nan
            xs.append(x)
            for v in (50.0, -50.0):  # ties with the last element: the first wins
                x = base.copy()
                x[[pos, -1]] = v
                xs.append(x)
        for x in xs:
            m = n // 1024 * 1024
            calls = [(x, None), (x[::2], None), (x[::-1], None),
                     (x[:m].reshape(-1, 1024), 0), (x[:m].reshape(-1, 1024), 1),
                     (x[:m].reshape(1024, -1), 0), (x[:m].reshape(1024, -1), 1)]
            for a, axis in calls:
                for op in ("argmin", "argmax"):
                    small = R._small_call(op, a, backend, axis, None)
                    assert small is not None, (op, a.shape, a.strides, axis)
                    want = getattr(np, op)(a, axis=axis)
                    two = getattr(pc, op)(a, axis=axis, backend=backend, num_threads=2)
                    for other in (want, two):
                        assert type(small) is type(other)
                        assert np.asarray(small).tobytes() == np.asarray(other).tobytes(), (
                            op, a.shape, a.strides, axis)
    big = np.zeros(1 << 19, dtype)
    for a, axis in ((big, None), (big.reshape(512, -1), 1)):
        assert R._small_call("argmax", a, backend, axis, None) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_float_min_max_past_small_n(backend, dtype):
    """Float min/max along an axis of C-contiguous 2-D arrays of up to 2^19 - 1
    elements are one native call where the general path's plan has one chunk a row or
    column block, and of whole C-contiguous ones: their bits (zeros of both signs,
    NaNs) and NumPy's values. Strided whole arrays past 16,384 elements, and shapes
    whose plan cuts rows into chunks (long rows, tall columns), are not served."""
    from pycompute import reductions as R
    rng = np.random.default_rng(23)
    # (shape, axes served): columns of more than a few hundred rows are cut into chunks
    shapes = (((20, 1000), (0, 1, -1)), ((1000, 20), (0, 1, -1)), ((100, 1000), (0, 1, -1)),
              ((512, 1023), (1, -1)), ((1023, 512), (1, -1)))
    for shape, axes in shapes:
        base = rng.standard_normal(shape).astype(dtype)
        zeros = np.where(rng.random(shape) < 0.5, 0.0, -0.0).astype(dtype)
        nans = base.copy()
        nans[::7, ::5] = np.nan
        mixed = base.copy()
        mixed[:, -1] = 0.0
        mixed[1::2, 0] = -0.0
        for x in (base, zeros, nans, mixed):
            for axis in axes:
                for op in ("min", "max"):
                    small = R._small_call(op, x, backend, axis, None)
                    assert small is not None, (op, shape, axis)
                    two = getattr(pc, op)(x, axis=axis, backend=backend, num_threads=2)
                    assert type(small) is type(two) and small.dtype == two.dtype
                    assert small.tobytes() == two.tobytes(), (op, shape, axis)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        np.testing.assert_array_equal(small, getattr(np, op)(x, axis=axis))
    # whole C-contiguous arrays: served (the fast path's one pass); strided ones not
    x = rng.standard_normal(2 * ((1 << 19) - 1)).astype(dtype)
    x[[5, 300_000]] = [-0.0, 0.0]
    for v in (x[:(1 << 19) - 1], x[:200_000], np.where(x < 0, -0.0, 0.0).astype(dtype)[:70_000]):
        for op in ("min", "max"):
            small = R._small_call(op, v, backend, None, None)
            two = getattr(pc, op)(v, backend=backend, num_threads=2)
            assert small is not None and type(small) is type(two), (op, v.size)
            assert np.asarray(small).tobytes() == np.asarray(two).tobytes(), (op, v.size)
            assert small == getattr(np, op)(v)
    y = rng.standard_normal((512, 1023)).astype(dtype)
    for a, axis in ((x[: 1 << 19], None), (x[:400_000:2], None), (x[:200_000].reshape(2, -1), 1),
                    (x[:200_000].reshape(-1, 2), 0), (y, 0)):
        assert R._small_call("max", a, backend, axis, None) is None, (a.shape, axis)


@pytest.mark.parametrize("backend, dtype", [("cython", d) for d in _INTS] + [
    ("numba", d) if d in NUMBA_DEFAULT_DTYPES else pytest.param("numba", d, marks=pytest.mark.slow)
    for d in _INTS])
def test_small_integer_calls_equal_the_general_path(backend, dtype):
    """Both backends' ``small`` serve whole integer arrays of up to 16,384 elements
    (contiguous, 2-D C-contiguous, strided, reversed) for sum/min/max/argmin/argmax:
    NumPy's values and scalar types (the sum in int64, uint64 for unsigned input,
    wrapping as NumPy's), the general path's answers (two threads asked for), and
    min/max/argmin/argmax along either axis of 2-D C-contiguous arrays; it declines
    mean/var/std, sums along an axis and other layouts, which still answer right."""
    from pycompute import reductions as R
    dt = np.dtype(dtype)
    info = np.iinfo(dt)
    rng = np.random.default_rng(13)
    cases = []
    for n in (1, 2, 63, 64, 65, 1000, 2049, 16384):
        base = rng.integers(info.min, info.max, 3 * n, dtype=dt, endpoint=True)
        cases += [base[:n], base[::3], base[::-1][:n], base[n:2 * n][::-2]]
    grid = rng.integers(info.min, info.max, 600, dtype=dt, endpoint=True)
    cases += [grid.reshape(20, 30), grid.reshape(20, 30)[:, ::2], np.full(5000, info.max, dt)]
    for a in cases:
        for op in R._SMALL_OPS:
            small = R._small_call(op, a, backend, None, None)
            covered = op in ("sum", "min", "max", "argmin", "argmax")
            served = covered and (a.flags.c_contiguous or a.ndim == 1)
            assert (small is not None) == served, (op, a.shape, a.strides)
            got = getattr(pc, op)(a, backend=backend)
            two = getattr(pc, op)(a, backend=backend, num_threads=2)
            assert type(got) is type(two) and np.asarray(got).tobytes() == np.asarray(two).tobytes()
            if served:
                ref = getattr(np, op)(a)
                assert type(small) is type(ref) and small == ref, (op, a.shape, small, ref)
                assert type(got) is type(ref) and got == ref, (op, a.shape, got, ref)
        for op in ("sum", "min", "max", "argmin", "argmax"):
            for axis in (0, -1) if a.ndim == 1 else (0, 1, -1, -2):
                # along an axis: 1-D is the whole array; 2-D C-contiguous is served for
                # all but the sum, with NumPy's dtype and the general path's answer
                along = R._small_call(op, a, backend, axis, None)
                ref = getattr(np, op)(a, axis=axis)
                if a.ndim == 2 and (op == "sum" or not a.flags.c_contiguous):
                    assert along is None, (op, a.shape, axis)
                    continue
                assert along is not None, (op, a.shape, axis)
                two = getattr(pc, op)(a, axis=axis, backend=backend, num_threads=2)
                assert type(along) is type(ref) and np.array_equal(along, ref), (op, axis)
                assert np.asarray(along).dtype == np.asarray(ref).dtype
                assert np.asarray(along).tobytes() == np.asarray(two).tobytes()
    # along an axis below 2^19 4-byte elements (2^21 of uint8, 2^20 of int16), where
    # the default count may take two threads
    limit = (1 << 19) * (4 // dt.itemsize if dt.itemsize < 4 else 1)
    for rows, served in ((limit // 512 - 1, True), (limit // 512, False)):
        a = rng.integers(info.min, info.max, (rows, 512), dtype=dt, endpoint=True)
        for axis in (0, 1):
            along = R._small_call("argmax", a, backend, axis, None)
            assert (along is not None) == served, (a.shape, axis)
            if served:
                np.testing.assert_array_equal(along, np.argmax(a, axis=axis))


def _bool_cases(rng):
    """Masks around the thresholds of the bool paths: the kernels' ``small`` (16,384
    elements whole, 2^19 for min/max/argmin/argmax), its 4 KB probe of longer arrays,
    the 16 KB blocks of argmin's rows and the 4 KB pieces of pyc_iext / _iext_row,
    with the first True (False) before, at and past each, or nowhere."""
    for n in (1, 7, 4095, 4097, 16385, 40000, (1 << 19) + 3):
        for first in sorted({0, 1, 4095, 4096, 4097, 16383, 16384, 16385, 20000, n - 1}):
            if first >= n:
                continue
            m = np.zeros(n, bool)
            m[first] = True
            m[first + 1::7] = rng.random(len(m[first + 1::7])) < 0.5
            yield m
            yield ~m
        yield np.zeros(n, bool)
        yield np.ones(n, bool)


def test_bool_reductions_stop_at_the_first_true_with_numpys_answers(backend):
    """bool min/max/argmin/argmax read the mask as uint8 whose values are 0 and 1, so
    a maximum stops at the first True and a minimum at the first False, as NumPy's
    (they read every byte: 0.01-0.2x NumPy on random masks): NumPy's values and
    scalar types, whole (contiguous, reversed, strided, 2-D) and along each axis, on
    one and two threads. The kernels' ``small`` answers arrays past 2^19 elements only
    where their first 4 KB hold the answer."""
    from pycompute import reductions as R
    rng = np.random.default_rng(21)
    for m in _bool_cases(rng):
        views = [m, m[::-1], m[::3]]
        if m.size % 7 == 0:
            views.append(m.reshape(7, -1))
        for v in views:
            for name in ("min", "max", "argmin", "argmax"):
                ref = getattr(np, name)(v)
                for k in (None, 1, 2):
                    got = getattr(pc, name)(v, backend=backend, num_threads=k)
                    assert type(got) is type(ref) and got == ref, (m.size, name, k, got, ref)
        if m.size > (1 << 19):
            head = m[:4096]
            for name, hit in (("max", head.any()), ("argmax", head.any()),
                              ("min", not head.all()), ("argmin", not head.all())):
                small = R._small_call(name, m, backend, None, None)
                assert (small is not None) == hit, (name, m.size)
                if hit:
                    ref = getattr(np, name)(m)
                    assert type(small) is type(ref) and small == ref, (name, small, ref)
    X = rng.random((300, 5000)) < 0.002
    X[:, 4999] = False
    X[17] = False
    for name in ("min", "max", "argmin", "argmax"):
        for axis in (0, 1):
            for k in (1, 2):
                got = getattr(pc, name)(X, axis=axis, backend=backend, num_threads=k)
                ref = getattr(np, name)(X, axis=axis)
                assert got.dtype == ref.dtype, (name, axis)
                np.testing.assert_array_equal(got, ref, err_msg=f"{name} axis {axis} {k}")


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "uint16"])
def test_narrow_integer_sums_are_exact_past_their_blocks(backend, dtype):
    """8- and 16-bit rows add blocks of 2^16 elements in 32-bit lanes (Cython): rows of
    the dtype's extremes, long enough for row tasks of more than one block (the plan
    cuts a row into at most 256 chunks), whole, along axis 1 and strided, sum to the
    exact total (NumPy's int64 / uint64), on one and two threads; a longer block
    would overflow a 16-bit type's lane (2^17 of uint16's maximum pass 2^32; 8-bit
    blocks would need 2^24 elements to)."""
    info = np.iinfo(dtype)
    n = 256 * (65536 + 4096) + 7
    rows = np.empty((3, n), dtype)
    rows[0] = info.max
    rows[1] = info.min
    rows[2, ::2] = info.max
    rows[2, 1::2] = info.min + 1
    for k in (1, 2):
        got = pc.sum(rows, axis=1, backend=backend, num_threads=k)
        exact = [int(r.astype(np.int64).sum()) for r in rows]  # (no overflow in int64)
        assert got.tolist() == exact, (dtype, k)
        # (no strided int16: tests/test_numba_signatures.py counts int16's typings)
        for r in (rows[0], rows[1], rows[2]) + ((rows[0, ::3],) if dtype != "int16" else ()):
            ref = np.sum(r)
            got = pc.sum(r, backend=backend, num_threads=k)
            assert type(got) is type(ref) and got == ref, (dtype, k)


def test_argmin_argmax_skip_only_the_chunks_past_a_stop(backend, monkeypatch):
    """Row chunks past one whose extreme nothing can replace (a bool True or False, an
    integer at its dtype's limit, a float NaN) do not run, and the fold stops there:
    answers equal NumPy's whatever chunk holds the first stop, or none does, in long
    rows cut into many chunks (one row along axis 1 on one thread, whole arrays on
    two, calls cut into one-task slices, and 2-D rows of different stops). Chunks
    before the stop must run: a value next to the limit, or a float far below the
    rest, comes before it and is not the answer."""
    n = (1 << 22) + 5
    rng = np.random.default_rng(31)
    mask = np.zeros(n, bool)
    ints = rng.integers(-100, 100, n).astype(np.int16)
    flts = rng.standard_normal(n)
    cases = []
    for pos in (None, 0, 1, 16383, 16384, n // 3, n // 2 + 1, n - 1):
        m = mask.copy()
        i = ints.copy()
        f = flts.copy()
        if pos is not None:
            m[pos] = True
            m[pos + 1::5] = True
            i[pos] = np.iinfo(np.int16).min
            i[pos + 1::9] = np.iinfo(np.int16).min
            i[:pos] = np.iinfo(np.int16).min + 1  # next to the limit: no stop before
            f[pos] = np.nan
            f[pos + 7::11] = np.nan
            f[:pos:13] = -1e300  # far below the rest: the minimum but for the NaN
        cases += [(pos, m), (pos, ~m), (pos, i), (pos, f)]

    def check(a, pos):
        for name in ("argmin", "argmax"):
            ref = getattr(np, name)(a)
            # one row along axis 1 on one thread: the chunked kernel (a whole array
            # there is one row, argext_flat); whole arrays on two threads
            got = getattr(pc, name)(a[None], axis=1, backend=backend, num_threads=1)
            assert got.tolist() == [ref], (a.dtype, pos, name, got, ref)
            got = getattr(pc, name)(a, backend=backend, num_threads=2)
            assert got == ref, (a.dtype, pos, name, got, ref)

    for pos, a in cases:
        check(a, pos)
    # cut into one-task slices: the row stops live in parts set by the first slice
    seen = one_task_slices(monkeypatch)
    for pos, a in cases[12:28]:  # stops at 16383, 16384, n // 3, n // 2 + 1
        check(a, pos)
    assert max(seen) > 100
    monkeypatch.undo()
    # rows of one array, each with its own stop (or none)
    X = np.zeros((4, 1 << 21), bool)
    X[0, 3] = True
    X[1, (1 << 20) + 3] = True
    X[3, -1] = True
    X[3, -3000::7] = True
    for k in (1, 2):
        for name in ("argmin", "argmax"):
            for Y in (X, ~X):
                got = getattr(pc, name)(Y, axis=1, backend=backend, num_threads=k)
                np.testing.assert_array_equal(got, getattr(np, name)(Y, axis=1))


def test_bool_row_finds_at_every_position(backend):
    """The bool rows' finds (pyc_find_nz_u8 and memchr; Numba _find_bool): rows of 1 to
    300 bytes with their first True (False) at every position, or none, past each
    branch (the first byte, the first 8 or 16, blocks of 256 and 64, the last 64),
    along axis 1 on one and two threads, NumPy's answers."""
    for n in range(1, 301):
        m = np.zeros((n + 1, n), bool)
        m[np.arange(n), np.arange(n)] = True  # row r: its first True at r; the last row none
        m[np.arange(n), -1] = True  # and one at the end of each
        for Y in (m, ~m):
            for name in ("argmin", "argmax"):
                ref = getattr(np, name)(Y, axis=1)
                for k in (1, 2):
                    got = getattr(pc, name)(Y, axis=1, backend=backend, num_threads=k)
                    np.testing.assert_array_equal(got, ref, err_msg=f"{n} {name} {k}")


@pytest.mark.parametrize("backend, dtype", [("cython", d) for d in _INTS] + [
    ("numba", d) if d in NUMBA_DEFAULT_DTYPES else pytest.param("numba", d, marks=pytest.mark.slow)
    for d in _INTS])
def test_integer_extremes_stop_only_at_the_dtype_limit(backend, dtype):
    """Integer min/max/argmin/argmax stop at the first element equal to the dtype's
    limit (nothing passes it), never at a lesser extreme: 1 in a uint8 array (bool's
    limit) or limit - 1 before the limit itself, the limit before, in and after the
    4 KB probe of the kernels' ``small``, at 4 KB piece and 16 KB block edges, in
    arrays served whole by ``small`` and longer ones (the general path, 1 and 2 threads)."""
    dt = np.dtype(dtype)
    info = np.iinfo(dt)
    rng = np.random.default_rng(8)
    isz = dt.itemsize
    for n in (5000, 16384 + 9, (1 << 19) + 11):
        base = rng.integers(info.min // 2, info.max // 2, n, dtype=dt, endpoint=True)
        for pos in sorted({3, 4096 // isz - 1, 4096 // isz, 16384 // isz + 1, n // 2, n - 1}
                          & set(range(3, n))):
            for val in (info.min, info.max):
                near = val - 1 if val == info.max else val + 1
                # before the limit: the value next to it only, or (uint8) 0s and 1s,
                # bool's values, whose limit 1 means nothing in a uint8 array
                heads = [np.full(pos, near, dt)]
                if dt == np.uint8 and val == info.max:
                    heads.append(rng.integers(0, 2, pos, dtype=dt))
                for head in heads:
                    y = base.copy()
                    y[:pos] = head
                    y[pos] = val
                    y[pos + 1:] = np.where(rng.random(n - pos - 1) < 0.01, val, y[pos + 1:])
                    for name in ("min", "max", "argmin", "argmax"):
                        ref = getattr(np, name)(y)
                        for k in (None, 1, 2):
                            got = getattr(pc, name)(y, backend=backend, num_threads=k)
                            assert type(got) is type(ref) and got == ref, (n, pos, val, name, k)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_axis_calls_equal_the_general_path(backend, dtype):
    """2-D C-contiguous calls of up to 16,384 elements along one axis run the kernels'
    ``small`` too (the row or column tasks of the general path's view, then
    its result rules): the same bits, dtypes and shapes as the general path (two
    threads asked for) and the one-thread call, every operation, both axes (negative too), column blocks past 4,096,
    with NaN, infinities, signed zeros and float32 overflow of sums and variances;
    shapes the fast path views differently, and 1-D input along axis 0, as before."""
    from pycompute import reductions as R
    rng = np.random.default_rng(12)
    shapes = [(1, 1000), (10, 1000), (20, 50), (50, 20), (3, 5000), (2, 2), (1, 2), (5, 1),
              (4096, 4)]
    cases = [(rng.standard_normal(s) * 3).astype(dtype) for s in shapes]
    x = rng.standard_normal((30, 40)).astype(dtype)
    nan, zeros, huge = x.copy(), np.where(x < 0, -0.0, 0.0).astype(dtype), x.copy()
    nan[[3, 7, 7, 9], [5, 5, 30, 5]] = [np.nan, np.inf, -np.inf, -np.nan]
    huge[:, :20] = np.finfo(dtype).max / 4
    cases += [nan, zeros, huge]
    for a in cases:
        for axis in (0, 1, -1, -2):
            served = (a.shape[1] >= 2 and a.shape[0] >= (2 if axis % 2 else 1))
            for op in R._SMALL_OPS:
                fn = getattr(pc, op)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    small = R._small_call(op, a, backend, axis, None)
                    got = fn(a, axis=axis, backend=backend)
                    one = fn(a, axis=axis, backend=backend, num_threads=1)
                    two = fn(a, axis=axis, backend=backend, num_threads=2)
                    ref = getattr(np, op)(a, axis=axis)
                assert (small is not None) == served, (op, a.shape, axis)
                for other in (one, two):
                    assert type(got) is type(other) is np.ndarray, (op, a.shape, axis)
                    assert got.dtype == other.dtype == ref.dtype, (op, a.shape, axis)
                    assert got.shape == other.shape == ref.shape, (op, a.shape, axis)
                    assert got.tobytes() == other.tobytes(), (op, a.shape, axis)
    v = rng.standard_normal(100).astype(dtype)
    for axis in (0, -1):
        assert R._small_call("sum", v, backend, axis, None) == pc.sum(v, num_threads=2)
    for axis in (1, np.int64(0), (0,), True, 2 ** 63, -2 ** 70):
        assert R._small_call("sum", v, backend, axis, None) is None
        if axis != 1:
            assert R._small_call("sum", x, backend, axis, None) is None
    with pytest.raises(np.exceptions.AxisError):
        pc.sum(v, axis=2 ** 63)
    assert R._small_call("sum", x.T, backend, 0, None) is None  # not C-contiguous
    assert R._small_call("sum", x[None], backend, 0, None) is None  # 3-D


def test_min_max_of_rows_holding_nan_give_the_same_bits_everywhere():
    """A row holding NaNs of either sign reduces to the default NaN (positive, quiet)
    on both backends at any thread count, whatever lane or tail met which NaN first
    (the Cython rows on x86 track NaNs apart and return it; Numba's rows kept the
    tail's last NaN: +nan at one thread, -nan at two for [1, nan, -nan, 2])."""
    import platform

    x86 = platform.machine().lower() in ("x86_64", "amd64")
    rng = np.random.default_rng(13)
    for dt in (np.float32, np.float64):
        nan = np.array(np.nan, dt).tobytes()
        for n in (1, 3, 4, 31, 32, 33, 100, 2049):
            base = rng.standard_normal(2 * n).astype(dt)
            for k in range(3):
                pos = rng.choice(2 * n, size=min(2 * n, k + 1), replace=False)
                base[pos] = rng.choice(np.array([np.nan, -np.nan], dt), size=pos.size)
                for a in (base[:n], base[::-1][:n], base[::2]):
                    if not np.isnan(a).any():
                        continue
                    for op in (pc.min, pc.max):
                        got = {be: {np.asarray(op(a, backend=be, num_threads=t)).tobytes()
                                    for t in (None, 1, 2)} for be in ("cython", "numba")}
                        assert got["numba"] == {nan}, (op.__name__, n, a.strides, got)
                        if x86:
                            assert got["cython"] == {nan}, (op.__name__, n, a.strides, got)


def test_integer_min_max_stay_exact_next_to_the_float_nan_rule(backend):
    """The default-NaN rule of float rows must not reach integer kernels: int64 values
    past 2^53 (which a float64 result would round) keep every bit in min, max, argmin,
    argmax and histogram's range, at one and two threads (a first Numba version typed
    the rows' results float64 for every dtype: histogram then raised)."""
    big = np.array([[2 ** 63 - 512, 0, 2 ** 53 + 1, -(2 ** 63)]], np.int64)
    for a in (big, big[:, ::-1], big.ravel()[::2]):
        for k in (1, 2):
            for op in ("min", "max", "argmin", "argmax"):
                got = getattr(pc, op)(a, backend=backend, num_threads=k)
                assert got == getattr(np, op)(a) and type(got) is np.int64, (op, a, k)
    got = pc.histogram(big[:, :2], bins=1, backend=backend, num_threads=1)
    want = np.histogram(big[:, :2], bins=1)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
