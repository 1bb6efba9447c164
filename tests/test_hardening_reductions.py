"""Reductions at the edges NumPy defines and the sweep in test_reductions.py misses (issue 12).

* dtypes no kernel covers (object with Python ints past int64, Fractions and
  Decimals; complex, datetime64, timedelta64, strings, float16, longdouble):
  ``backend="auto"`` returns exactly what NumPy returns, or raises NumPy's own
  error; a named native backend raises TypeError naming `a`, its dtype and the
  dtypes the kernels take.
* var/std of finite input whose sums overflow: NumPy accumulates in the
  result dtype and returns inf (also float32 with float32 accumulators), never
  NaN. NaN/inf input still gives NaN.
* 0-d input with ``axis=0``/``-1``/``(0,)``: NumPy's ufunc reductions (sum,
  min, max) take an integer 0 or -1 as "no axis", argmin/argmax read 0-d input
  as 1-d, mean/var/std raise AxisError; tuples raise.
* signed zeros in min/max: np.min reduces ``acc = np.minimum(acc, x)``, and
  np.minimum returns its second argument on ties, so the LAST of the equal
  elements comes out ([-0.0, 0.0] -> +0.0, [0.0, -0.0] -> -0.0). The oracle is
  ``np.minimum.accumulate`` (sequential by definition). NumPy's own contiguous
  SIMD loop breaks ties by lane order instead, which depends on the CPU
  dispatch target (AVX-512 vs AVX2), so np.min of a long contiguous row is not
  used as the oracle there.

Expected values always come from NumPy. Comparisons are exact: these are
inf/NaN/sign results, or NumPy's own fallback.
"""
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import pycompute as pc

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
FUNCS = ["sum", "mean", "min", "max", "argmin", "argmax", "var", "std"]
F64MAX = np.finfo(np.float64).max
F32MAX = np.finfo(np.float32).max


@pytest.fixture(params=[*NATIVE, "auto"])
def backend(request):
    """conftest's native backends, and "auto"."""
    return request.param


def _outcome(fn, *args, **kw):
    """(result, None) or (None, exception), NumPy's warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kw), None
        except Exception as exc:  # noqa: BLE001 - comparing failure modes is the point
            return None, exc


def _assert_identical(got, ref, msg=""):
    """Same type, dtype, shape and values (NaN equal to NaN; signed zeros told apart)."""
    assert type(got) is type(ref), (msg, type(got), type(ref))
    if isinstance(ref, tuple):
        assert len(got) == len(ref), msg
        for g, r in zip(got, ref):
            _assert_identical(g, r, msg)
        return
    if isinstance(ref, (np.ndarray, np.generic)):
        assert got.dtype == ref.dtype, (msg, got.dtype, ref.dtype)
        assert np.shape(got) == np.shape(ref), (msg, np.shape(got), np.shape(ref))
        if ref.dtype.kind in "fc":
            np.testing.assert_array_equal(got, ref, err_msg=str(msg))
            known = ~np.isnan(np.real(ref))  # a NaN's sign bit is not a result
            assert np.array_equal(np.signbit(np.real(got))[known],
                                  np.signbit(np.real(ref))[known]), msg
        elif ref.dtype.kind == "O":
            assert np.all(np.asarray(got) == np.asarray(ref)), (msg, got, ref)
        else:
            np.testing.assert_array_equal(got, ref, err_msg=str(msg))
    else:
        assert got == ref, (msg, got, ref)


def _check_like_numpy(name, a, **kw):
    """pc.<name> under backend="auto" returns exactly NumPy's result or raises NumPy's error."""
    ref, ref_exc = _outcome(getattr(np, name), a, **kw)
    got, got_exc = _outcome(getattr(pc, name), a, backend="auto", **kw)
    if ref_exc is not None:
        assert type(got_exc) is type(ref_exc), (name, a.dtype, kw, ref_exc, got_exc)
        assert str(got_exc) == str(ref_exc), (name, a.dtype, kw)
        return
    assert got_exc is None, (name, a.dtype, kw, got_exc)
    _assert_identical(got, ref, (name, a.dtype, kw))


def _label(v):
    return v if isinstance(v, str) else ""


# ================================================================ item 5: dtypes no kernel covers

def _object_arrays():
    yield "int", np.array([1, 2, 3, 4, 5, 6], dtype=object)
    yield "bigint", np.array([2**70, 3, -(2**65), 7, 2**64 + 1, -1], dtype=object)
    yield "fraction", np.array([Fraction(1, 3), Fraction(1, 6), Fraction(-5, 7),
                                Fraction(2), Fraction(9, 4), Fraction(1, 9)], dtype=object)
    yield "decimal", np.array([Decimal("1.1"), Decimal("2.2"), Decimal("-0.35"),
                               Decimal("10"), Decimal("3.3"), Decimal("0.01")], dtype=object)


def _uncovered_arrays():
    yield from _object_arrays()
    yield "complex128", np.array([1 + 2j, 3 - 1j, -2 + 0.5j, 4j, 1, -1 - 1j])
    yield "complex64", np.array([1 + 2j, 3 - 1j, -2 + 0.5j, 4j, 1, -1 - 1j], np.complex64)
    yield "datetime64", np.array(["2020-01-01", "2021-06-30", "1999-12-31", "2020-01-02",
                                  "2030-01-01", "2000-02-29"], dtype="datetime64[D]")
    yield "timedelta64", np.array([1, 5, -3, 7, 0, 2], dtype="timedelta64[s]")
    yield "str", np.array(["b", "a", "d", "c", "f", "e"])
    yield "bytes", np.array([b"b", b"a", b"d", b"c", b"f", b"e"])
    yield "float16", np.array([1.5, -2, 3.25, 0.5, 7, -1], np.float16)
    yield "longdouble", np.array([1.5, -2, 3.25, 0.5, 7, -1], np.longdouble)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("label, a", list(_uncovered_arrays()), ids=_label)
def test_uncovered_dtypes_auto_is_numpy(name, label, a):
    """backend="auto": NumPy's exact result (value, type, dtype) or NumPy's own error."""
    for x in (a, a.reshape(2, 3), a.reshape(2, 3).T):
        for axis in ((None,) if x.ndim == 1 else (None, 0, 1, -1)):
            _check_like_numpy(name, x, axis=axis)
            _check_like_numpy(name, x, axis=axis, keepdims=True)


def test_object_sum_of_python_ints_past_int64():
    """The report of issue 12: exact Python-int arithmetic, as NumPy."""
    a = np.array([2**70, 3, -1], dtype=object)
    got = pc.sum(a)
    assert type(got) is int and got == 2**70 + 2
    assert pc.sum(np.array([1, 2, 3], dtype=object)) == 6
    assert pc.sum(np.array([Fraction(1, 3), Fraction(1, 6)], dtype=object)) == Fraction(1, 2)
    assert pc.sum(np.array([Decimal("1.1"), Decimal("2.2")], dtype=object)) == Decimal("3.3")


@pytest.mark.parametrize("label, a", list(_uncovered_arrays()), ids=_label)
def test_uncovered_dtypes_histogram_auto_is_numpy(label, a):
    ref, ref_exc = _outcome(np.histogram, a, bins=3)
    got, got_exc = _outcome(pc.histogram, a, bins=3)
    if ref_exc is not None:
        assert type(got_exc) is type(ref_exc) and str(got_exc) == str(ref_exc)
    else:
        assert got_exc is None, got_exc
        _assert_identical(got, ref, label)


def test_object_dtype_argument_falls_back():
    """``dtype=object`` on covered input: NumPy's object result, not a crash."""
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    for name in ("sum", "mean", "var", "std"):
        for axis in (None, 0):
            _check_like_numpy(name, a, axis=axis, dtype=object)


@pytest.mark.parametrize("name", FUNCS + ["histogram"])
@pytest.mark.parametrize("label, a", list(_uncovered_arrays()), ids=_label)
def test_uncovered_dtypes_named_backend_raises(name, label, a):
    """A named native backend: TypeError naming the argument, the dtype and what is allowed."""
    for be in NATIVE:
        with pytest.raises(TypeError) as info:
            getattr(pc, name)(a, backend=be)
        msg = str(info.value)
        assert f"`backend`='{be}' has no native kernel for dtype {a.dtype} of `a`" in msg, msg
        allowed = "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64"
        assert allowed in msg, msg
        assert "backend='auto'" in msg


# ================================================================ item 6: var/std overflow

def _overflow_cases():
    yield "f64 [max, max, 0]", np.array([F64MAX, F64MAX, 0.0])
    yield "f64 [max, max]", np.array([F64MAX, F64MAX])
    yield "f64 [max, -max, -max]", np.array([F64MAX, -F64MAX, -F64MAX])
    yield "f64 [max, -max]", np.array([F64MAX, -F64MAX])
    yield "f64 -[max, max, 0]", -np.array([F64MAX, F64MAX, 0.0])
    yield "f32 [max, max, 0]", np.array([F32MAX, F32MAX, 0], np.float32)
    yield "f32 [max, max]", np.array([F32MAX, F32MAX], np.float32)
    # float32 sum of squares passes float32's range; the float64 one does not
    yield "f32 squares", np.array([1e19, -1e19] * 50, np.float32)
    # several blocks (2048), the overflowing one in the middle; finite mean elsewhere
    x = np.linspace(-1.0, 1.0, 5000)
    x[2500:2503] = F64MAX
    yield "f64 blocks", x
    # no block's sum overflows, the total does (NumPy's mean is inf): row chunks too
    yield "f64 total only", np.full(40_000, F64MAX / 30_000)
    # overflow and a NaN: NaN wins, as in NumPy
    y = np.array([F64MAX, F64MAX, 0.0, np.nan])
    yield "f64 overflow+nan", y
    yield "f64 overflow+inf", np.array([F64MAX, F64MAX, 0.0, np.inf])
    yield "f64 inf", np.array([1.0, np.inf, 2.0])


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("label, a", list(_overflow_cases()), ids=_label)
def test_var_overflow_is_numpys_inf(name, label, a, backend):
    for ddof in (0, 1):
        ref, _ = _outcome(getattr(np, name), a, ddof=ddof)
        got, exc = _outcome(getattr(pc, name), a, ddof=ddof, backend=backend)
        assert exc is None, exc
        _assert_identical(got, ref, (label, ddof))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_var_overflow_with_axis(dtype, backend):
    big = np.finfo(dtype).max
    a = np.array([[big, 1.0, -big, 5.0],
                  [big, 2.0, -big, np.nan],
                  [0.0, 3.0, 0.0, 6.0]], dtype=dtype)
    for x in (a, np.asfortranarray(a), a[::-1, ::-1]):
        for axis in (0, 1, -1, (0, 1), None):
            for name in ("var", "std"):
                ref, _ = _outcome(getattr(np, name), x, axis=axis, ddof=1)
                got, exc = _outcome(getattr(pc, name), x, axis=axis, ddof=1, backend=backend)
                assert exc is None, exc
                _assert_identical(got, ref, (name, dtype, axis))
    # column path with many columns and a multi-block row count, and the (A, R, B) row path
    wide = np.ones((300, 600), dtype)
    wide[100:103, 7] = big
    wide[5, 300] = np.nan
    for axis in (0, 1):
        ref, _ = _outcome(np.var, wide, axis=axis)
        got, _ = _outcome(pc.var, wide, axis=axis, backend=backend)
        _assert_identical(got, ref, ("wide", dtype, axis))


def test_var_overflow_same_bits_at_any_thread_count(backend):
    x = np.full((3, 70_001), F64MAX / 40_000)
    x[1] = np.linspace(-1, 1, 70_001)
    x[2, 50_000] = F64MAX
    for axis in (None, 1, 0):
        one = np.asarray(pc.var(x, axis=axis, backend=backend, num_threads=1))
        two = np.asarray(pc.var(x, axis=axis, backend=backend, num_threads=2))
        assert one.tobytes() == two.tobytes()


def test_float32_mean_overflow_is_numpys_inf(backend):
    """NumPy sums float32 in float32: its mean passes to inf with the sum."""
    for a in (np.array([F32MAX, F32MAX], np.float32), np.array([-F32MAX, -F32MAX, 0], np.float32),
              np.full(100_000, F32MAX / 50_000, np.float32)):
        ref, _ = _outcome(np.mean, a)
        got, _ = _outcome(pc.mean, a, backend=backend)
        _assert_identical(got, ref)
        ref, _ = _outcome(np.mean, a.reshape(-1, 1), axis=0)
        got, _ = _outcome(pc.mean, a.reshape(-1, 1), axis=0, backend=backend)
        _assert_identical(got, ref)


# ================================================================ item 7: 0-d input with an axis

ZERO_D = [np.float64(3.0), np.array(3.0), np.array(-2.5, np.float32), np.array(7, np.int32),
          np.array(True), np.array(np.nan)]


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,), 1, -2, (), np.int64(0)],
                         ids=lambda v: repr(v))
def test_zero_d_input_with_axis(name, axis, backend):
    for x in ZERO_D:
        for keepdims in (False, True):
            kw = dict(axis=axis, keepdims=keepdims)
            ref, ref_exc = _outcome(getattr(np, name), x, **kw)
            got, got_exc = _outcome(getattr(pc, name), x, backend=backend, **kw)
            if ref_exc is not None:
                assert type(got_exc) is type(ref_exc), (name, x, kw, ref_exc, got_exc)
            else:
                assert got_exc is None, (name, x, kw, got_exc)
                _assert_identical(got, ref, (name, x, kw))


def test_zero_d_with_axis_and_out(backend):
    x = np.array(4.0)
    out = np.empty(())
    assert pc.sum(x, axis=0, out=out, backend=backend) is out and out == 4.0
    outi = np.empty((), np.intp)
    assert pc.argmax(x, axis=-1, out=outi, backend=backend) is outi and outi == 0
    assert pc.max(x, axis=-1, keepdims=True, backend=backend).shape == ()
    if backend == "auto":  # initial= and where= run the reference
        assert pc.min(x, axis=0, initial=1.0) == np.min(x, axis=0, initial=1.0)
        assert pc.sum(x, axis=0, where=False) == np.sum(x, axis=0, where=False)


# ================================================================ item 11a: signed zeros in min/max

def _last_wins(a, want_max, axis=None):
    """NumPy's sequential reduction: minimum.accumulate's last element (ties -> later)."""
    ufunc = np.maximum if want_max else np.minimum
    if axis is None:
        return ufunc.accumulate(np.ravel(a))[-1]
    return np.take(ufunc.accumulate(a, axis=axis), -1, axis=axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_signed_zero_two_elements_is_numpys(dtype, backend):
    for vals in ([-0.0, 0.0], [0.0, -0.0], [-0.0, -0.0], [0.0, 0.0]):
        a = np.array(vals, dtype)
        for name in ("min", "max"):
            _assert_identical(getattr(pc, name)(a, backend=backend), getattr(np, name)(a),
                              (vals, name))
            _assert_identical(getattr(pc, name)(a, axis=0, backend=backend),
                              getattr(np, name)(a, axis=0), (vals, name))


SIZES = [3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 2047, 2048, 2049, 16_385, 70_001]


def _zero_patterns(n, dtype, rng):
    z = np.zeros(n, dtype)
    a = z.copy(); a[0] = -0.0; yield "first -0", a
    a = -z; a[0] = 0.0; yield "first +0", a
    a = z.copy(); a[-1] = -0.0; yield "last -0", a
    a = -z; a[-1] = 0.0; yield "last +0", a
    a = z.copy(); a[::2] = -0.0; yield "alternate", a
    a = z.copy(); a[n // 3] = -0.0; yield "middle -0", a
    a = z.copy(); a[rng.random(n) < 0.5] = -0.0; yield "random", a
    # zeros among other values: min is zero with positives around, max with negatives
    pos = rng.random(n).astype(dtype) + 1
    pos[rng.random(n) < 0.05] = 0.0
    pos[rng.random(n) < 0.05] = -0.0
    yield "zeros+positives", pos
    yield "zeros+negatives", -pos


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
def test_signed_zero_last_of_equal_wins(n, dtype, backend):
    rng = np.random.default_rng(n)
    for label, a in _zero_patterns(n, dtype, rng):
        for view_label, v in (("contiguous", a), ("strided", a[::3]), ("reversed", a[::-1])):
            for want_max, name in ((False, "min"), (True, "max")):
                got = getattr(pc, name)(v, backend=backend)
                _assert_identical(got, _last_wins(v, want_max), (label, view_label, name, n))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_signed_zero_with_axis(dtype, backend):
    rng = np.random.default_rng(7)
    for shape in ((5, 3), (40, 17), (17, 40), (3, 33_000), (2500, 3), (70, 300)):
        a = np.zeros(shape, dtype)
        a[rng.random(shape) < 0.5] = -0.0
        for v in (a, a[::2], a[:, ::-1]):
            for axis in (0, 1):
                for want_max, name in ((False, "min"), (True, "max")):
                    got = getattr(pc, name)(v, axis=axis, backend=backend)
                    ref = _last_wins(v, want_max, axis)
                    # the per-column/row sequential reduction is also NumPy's own np.min here
                    _assert_identical(got, ref, (shape, axis, name))


def test_signed_zero_same_bits_at_any_thread_count(backend):
    rng = np.random.default_rng(11)
    a = np.zeros((4, 100_003), np.float32)
    a[rng.random(a.shape) < 0.5] = -0.0
    for axis in (None, 0, 1):
        for name in ("min", "max"):
            one = np.asarray(getattr(pc, name)(a, axis=axis, backend=backend, num_threads=1))
            two = np.asarray(getattr(pc, name)(a, axis=axis, backend=backend, num_threads=2))
            assert one.tobytes() == two.tobytes(), (axis, name)
