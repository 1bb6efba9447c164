"""The adversarial harness (issue 12): every public kernel, every native backend, 1 and 2 threads,
against the reference, over inputs chosen to break things.

The rule (bottleneck's): for one input, pycompute and the reference (NumPy or
scipy.ndimage called directly; ``backend="numpy"`` for the simulation steps,
which have no outside twin) either both raise, with the same exception type,
or both return equal results: same dtype (byte order included), same shape,
values within the tolerance below. Results at ``num_threads=1`` and
``num_threads=2`` are identical byte for byte (README: bitwise identical at any
thread count). A named native backend raises ``TypeError`` ("... has no native
kernel ...") for what it does not cover, by design (README: inputs no native
kernel covers); ``backend="auto"`` is then held to the rule instead. The
default call (``backend="auto"``, no thread count) is held to it too, for the
first native backend only (it runs the same kernels).

What varies: dtypes (every real dtype and bool; float16 and complex128, which
only the reference runs), layouts (``store``: C or Fortran order, negative
strides, steps, byte-swapped, read-only, unaligned, and any mix of these, all
holding the same values), border modes (single or per axis), axes (negative,
tuples, None, ``()``, out of range), ``out=``/``output=`` (None, a dtype given
as a dtype, a type or a string, arrays of the result dtype or another one,
strided, byte-swapped, unaligned, read-only or misshapen arrays, the input
itself), NaN and infinities, empty and size-1 shapes, and shapes large enough
that two threads really run (``work >= 2 * GRAIN`` of each family). Arguments
are occasionally bad (a mode, an origin, an axis, a size), to compare errors.

Tolerances, per result dtype, and why (the rules of tests/test_reductions.py,
tests/test_convolution.py and tests/test_simulation.py, which derive them):

* integers and bool, min/max, argmin/argmax, histograms: exact. No rounding is
  involved; filters with integer results compute in float64 exactly as scipy
  and cast as scipy casts (README).
* results only the reference computes (float16, complex, a ``dtype=`` no
  kernel covers): exact, since ``backend="auto"`` runs NumPy/scipy itself.
* float sums and means: ``(n + 32) * eps(result) * sum|x|`` per output
  element, n the elements reduced into it: NumPy sums a leading axis row by row
  (error up to ``n eps sum|x|``), pairwise elsewhere; ours is a float64 sum
  (blocked TwoSum: <= 3 eps64 sum|x| + eps64 |sum|) rounded once.
* var: ``rtol`` 1e-4 (float32) / 1e-10 (float64) plus ``atol`` of that times
  ``max x**2`` (NumPy accumulates float32 variances in float32). std: the same
  ``rtol``; its ``atol`` is what the var ``atol`` becomes through the square
  root, ``min(sqrt(atol), atol / std)`` (as ``|sqrt(a) - sqrt(b)| <= |a - b| /
  sqrt(b)`` and ``<= sqrt(|a - b|)``).
* filters, float32 input to float32 output: ``(taps + 2) * eps32 * norm *
  scale * 4``, with ``taps`` the longest pass, ``norm`` the product of the
  passes' ``sum|w|`` and ``scale`` the largest finite ``|x|`` or ``|cval|``
  (at least 1); NaN and infinite positions equal. pycompute accumulates in
  float32 with FMA where scipy rounds a float64 sum once. Every other filter
  (all float64 work, all integer outputs, all box filters): bit for bit.
* heat and Gray-Scott: ``2e-6`` (float32) / ``1e-14`` (float64) per step,
  times the steps, times the field's scale: FMA contraction changes the last
  ulp of a step; the schemes are stable, so differences add up linearly.
* Life: exact. N-body accelerations: ``1e-12`` (float64) / ``2e-5`` (float32)
  of the largest one (sums of N terms in another order); energy (float64 for
  both dtypes): ``1e-12`` of ``kinetic + |potential|``; steps: ``1e-12`` /
  ``1e-4`` of ``max(|result|, 1)``.

Known issues other work items fix now, left out here (each exclusion says
which): object arrays (no object dtype is drawn), var/std overflow to inf
(finite floats stay within +-1e6, where ``n * x**2`` cannot overflow),
0-d input with an integer axis (0-d arrays get ``axis`` None or ``()`` only),
min/max of signed zeros (min/max compare with ``==``, so -0.0 equals 0.0),
scipy's error-message wording (only exception types are compared), huge
windows (filter windows stay at most 9 wide). Also left out: scipy's own bug
(a bad ``cval`` with a byte-swapped or unaligned ``output`` returns that output
untouched), and ``out`` dtypes for which NumPy's answer is an artifact of its
8192-element buffers (``_other_out_dtypes``).

Differences from the reference that this harness found are pinned, each by its
smallest case, in the tests at the end (``test_divergence_*``); the property
tests leave out exactly those cases (comments "divergence N").
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nasty import DTYPES, EPS32, FILTER_MODES

import pycompute as pc
from pycompute import convolution, reductions, simulation

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
THREADS = (1, 2) if pc.max_threads() >= 2 else (1,)
NO_NATIVE = "has no native kernel"
MODES = FILTER_MODES
OTHER_DTYPES = ["float16", "complex128"]  # only the reference runs these
# Finite floats stay within +-1e6: the known issue "var/std overflow to inf" is left out.
FLOAT_LIMIT = 1e6
# The `backend` fixture only names a backend (a string), so it may serve every example.
HARNESS = settings(suppress_health_check=list(settings.default.suppress_health_check)
                   + [HealthCheck.function_scoped_fixture])




@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.slow) if b == "numba" else b
                        for b in NATIVE])
def backend(request):
    """Every native backend; the Numba half (about two minutes of JIT compiles per dtype and
    layout on a cold cache) runs in the `slow` step, which CI runs too (.ci/run)."""
    return request.param


# ================================================================ layouts

@dataclass(frozen=True)
class Layout:
    """How ``store`` lays out an array's values in memory (the values never change)."""

    order: str = "C"
    flip: tuple = ()  # per axis: negative stride
    step: tuple = ()  # per axis: every step-th element of a larger buffer
    swap: bool = False  # non-native byte order
    unaligned: bool = False  # data pointer one byte past an aligned address
    readonly: bool = False


def layouts(ndim, big=False):
    steps = st.sampled_from([1, 2]) if big else st.sampled_from([1, 1, 2, 3])
    return st.builds(Layout, order=st.sampled_from("CF"),
                     flip=st.tuples(*[st.booleans()] * ndim),
                     step=st.tuples(*[steps] * ndim), swap=st.booleans(),
                     unaligned=st.booleans(), readonly=st.booleans())


def store(a, lay: Layout) -> np.ndarray:
    """A new array holding ``a``'s values (and dtype, byte order aside) laid out as ``lay`` says.

    Unaligned arrays are views of a uint8 buffer at an odd offset (``.view(dtype)``).
    """
    a = np.asarray(a)
    dt = a.dtype.newbyteorder() if lay.swap else a.dtype
    step = lay.step or (1,) * a.ndim
    flip = lay.flip or (False,) * a.ndim
    full = tuple(n * s for n, s in zip(a.shape, step))
    nbytes = math.prod(full) * dt.itemsize
    raw = np.zeros(nbytes + 64, np.uint8)
    start = (-raw.ctypes.data) % 64 + (1 if lay.unaligned else 0)
    base = raw[start:start + nbytes].view(dt).reshape(full, order=lay.order)
    view = base[tuple(slice(None, None, -s if f else s) for f, s in zip(flip, step))]
    view[...] = a
    if lay.unaligned and dt.itemsize > 1 and view.size:
        assert not view.flags.aligned
    view.flags.writeable = not lay.readonly
    return view


# ================================================================ values

def _seeded(dt, shape, seed, lo=None, hi=None):
    """Values for shapes too large for hypothesis to draw element by element."""
    rng = np.random.default_rng(seed)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = (info.min, info.max) if lo is None else (int(lo), int(hi))
        return rng.integers(lo, hi, shape, dtype=dt, endpoint=True)
    if lo is not None:
        return rng.uniform(lo, hi, shape).astype(dt)
    x = rng.standard_normal(shape) * 1000
    if dt.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dt)


def finite(dt):
    """Finite elements of float dtype ``dt`` within the known-issue limit (see FLOAT_LIMIT)."""
    lim = 6e4 if dt.itemsize == 2 else FLOAT_LIMIT
    return st.floats(-lim, lim, width=8 * dt.itemsize)


@st.composite
def values(draw, dtype, shape, lo=None, hi=None, special_one_in=2):
    """An array of ``shape``: drawn element by element when small, seeded when large.

    Floats: finite, or (one time in ``special_one_in``) mixed with NaN and +-inf.
    Integers: the dtype's full range unless ``lo``/``hi`` bound them (as they
    bound floats).
    """
    dt = np.dtype(dtype)
    size = math.prod(shape)
    special = dt.kind in "fc" and _maybe(draw, special_one_in)
    if size > 2000:
        a = _seeded(dt, shape, draw(st.integers(0, 2**32 - 1)), lo, hi)
        if special:
            flat = a.reshape(-1)
            for _ in range(draw(st.integers(1, 3))):
                flat[draw(st.integers(0, size - 1))] = draw(st.sampled_from([np.nan, np.inf,
                                                                             -np.inf]))
        return a
    if dt.kind == "f":
        elements = finite(dt) if lo is None else st.floats(lo, hi, width=8 * dt.itemsize)
        if special:
            elements = st.one_of(elements, st.sampled_from([np.nan, np.inf, -np.inf]))
    elif dt.kind == "c":
        elements = st.complex_numbers(max_magnitude=FLOAT_LIMIT, allow_nan=False,
                                      allow_infinity=False, width=8 * dt.itemsize)
        if special:
            elements = st.one_of(elements, st.sampled_from([complex(np.nan, 0),
                                                            complex(0, np.inf)]))
    elif lo is not None and dt.kind in "iu":
        elements = st.integers(int(lo), int(hi))
    else:
        elements = None
    return draw(hnp.arrays(dt, shape, elements=elements))


def small_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def draw_input(data, dtypes, big_shapes, small):
    """(values, layout, big) of an input: one time in 8 of a big shape (two threads run)."""
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    big = _maybe(data.draw, 8)
    shape = data.draw(st.sampled_from(big_shapes) if big else small, label="shape")
    a = data.draw(values(dtype, shape), label="values")
    return a, data.draw(layouts(a.ndim, big), label="layout"), big


# ================================================================ the rule

@dataclass
class Raised:
    exc: Exception

    def __repr__(self):
        return f"raised {type(self.exc).__name__}: {str(self.exc)[:200]}"


def outcome(fn):
    """``fn()``, or the exception it raised (warnings silenced: NumPy warns, we compare)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - comparing failure modes is the point
                return Raised(exc)


def _exc_type(exc):
    """The exception's type; NumPy's private casting errors (``numpy._core._exceptions``,
    subclasses of TypeError) count as the TypeError they document themselves as."""
    t = type(exc)
    return TypeError if t.__module__.startswith("numpy._core") and issubclass(t, TypeError) else t


def _same_failure(a, b) -> bool:
    return (type(a) is type(b) is Raised and _exc_type(a.exc) is _exc_type(b.exc))


def _parts(res):
    return [np.asarray(r) for r in res] if isinstance(res, tuple) else [np.asarray(res)]


def assert_identical(got, first, what):
    """Same exception type, or the same dtype, shape and bytes."""
    if isinstance(got, Raised) or isinstance(first, Raised):
        assert _same_failure(got, first), (what, got, first)
        return
    for g, f in zip(_parts(got), _parts(first), strict=True):
        assert g.dtype == f.dtype and g.shape == f.shape, (what, g.dtype, f.dtype, g.shape)
        assert g.tobytes() == f.tobytes(), (what, g, f, "they differ at",
                                             np.argwhere(g != f)[:5].tolist())


def _no_native(res) -> bool:
    return (isinstance(res, Raised) and isinstance(res.exc, TypeError)
            and NO_NATIVE in str(res.exc))


def against_reference(call, reference, compare, backend):
    """The module's rule for one input.

    ``call(backend, num_threads)`` runs pycompute on fresh inputs, ``reference()``
    the oracle; ``compare(got, expected)`` asserts the results equal within the
    tolerance.
    """
    expected = outcome(reference)
    note(f"reference: {expected!r}"[:2000])
    runs = [(backend, k) for k in THREADS]
    got = {k: outcome(lambda: call(backend, k)) for k in THREADS}
    if _no_native(got[1]):
        runs = [("auto", k) for k in THREADS]
        got = {k: outcome(lambda: call("auto", k)) for k in THREADS}
    if backend == NATIVE[0]:
        runs.append(("auto", None))
        got[None] = outcome(lambda: call("auto", None))
    for be, k in runs:
        res = got[k]
        what = f"backend={be!r} num_threads={k}"
        note(f"{what}: {res!r}"[:2000])
        if isinstance(res, Raised) or isinstance(expected, Raised):
            assert _same_failure(res, expected), (
                f"{what} and the reference differ: pycompute {res!r}, reference {expected!r}")
        else:
            compare(res, expected)
    for k in THREADS[1:]:
        assert_identical(got[k], got[1], f"num_threads={k} against num_threads=1")


def assert_same_kind(got, ref):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype, (got.dtype, ref.dtype)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    return got, ref


def assert_close(got, ref, rtol, atol):
    """Equal where NaN meets NaN, else within ``atol + rtol * |ref|`` (inf must meet inf)."""
    got, ref = assert_same_kind(got, ref)
    if ref.dtype.kind not in "fc" or (np.all(rtol == 0) and np.all(atol == 0)):
        np.testing.assert_array_equal(got, ref)  # NaN == NaN, -0.0 == 0.0
        return
    g = got.astype(np.complex128 if ref.dtype.kind == "c" else np.float64)
    r = ref.astype(g.dtype)
    same = (g == r) | (np.isnan(g) & np.isnan(r))
    with np.errstate(invalid="ignore"):
        ok = same | (np.abs(g - r) <= atol + rtol * np.abs(r))
    assert np.all(ok), ("beyond tolerance", g[~ok][:5], r[~ok][:5],
                        np.broadcast_to(atol, ok.shape)[~ok][:5])


def _maybe(draw, one_in):
    return draw(st.integers(0, one_in - 1)) == 0


# ================================================================ reductions

REDUCTIONS = ["sum", "mean", "min", "max", "argmin", "argmax", "var", "std"]
# at least 2 * reductions.GRAIN elements: two threads run
BIG_REDUCE = [(70_000,), (300, 260), (3, 160, 150), (2, 35_000)]
SUM_DTYPES = [None] * 6 + ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"]


def _reduction_tolerance(name, a, ref, axis, keepdims, work):
    """(rtol, atol) for ``name`` over logical values ``a`` (module docstring).

    ``work`` is the result dtype without ``out``: the precision NumPy computes in;
    the less precise of it and the dtype of ``ref`` (``out``'s) sets the tolerance."""
    floats = ("float32", "float64")
    if name == "sum" and ref.dtype.name in floats and work.kind in "iub":
        # numpy.ufunc.reduce: with a float ``out`` and no ``dtype``, NumPy adds in out's
        # dtype (an int64 sum into float64 rounds each partial sum: 2^53 + 1 + 1 stays
        # 2^53), while pycompute sums the integers exactly and rounds once: both within
        # the float tolerance of the exact sum, not equal
        work = ref.dtype
    if name in ("min", "max") or ref.dtype.name not in floats or work.name not in floats:
        return 0.0, 0.0
    if a.dtype.kind == "c" or a.dtype == np.float16:
        return 0.0, 0.0  # complex or float16 input: the reference runs
    single = "float32" in (ref.dtype.name, work.name)
    eps = float(np.finfo(np.float32 if single else np.float64).eps)
    x = np.abs(a.astype(np.float64))
    x = np.where(np.isfinite(x), x, 0.0)
    if name in ("sum", "mean"):
        count = max(1, a.size // max(1, ref.size))
        scale = np.sum(x, axis=axis, keepdims=keepdims)
        if name == "mean":
            scale = scale / count
        return 0.0, (count + 32) * eps * scale + 1e-300
    rtol = 1e-4 if single else 1e-10
    atol = rtol * (float(np.max(x)) ** 2 if x.size else 0.0) + 1e-300
    if name == "std":
        r = np.abs(ref.astype(np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            atol = np.minimum(np.sqrt(atol), np.where(r > 0, atol / r, np.inf))
    return rtol, atol


@st.composite
def reduce_axis(draw, ndim, name):
    if ndim == 0:
        # known issue "0-d input with axis=0" (another work item): 0-d arrays get None or ()
        return draw(st.sampled_from([None, ()]))
    if _maybe(draw, 16):  # out of range, or a repeated axis
        return draw(st.sampled_from([ndim, -ndim - 1, (0, -ndim)]))
    ints = st.integers(-ndim, ndim - 1)
    if name.startswith("arg"):
        return draw(st.one_of(st.none(), ints))
    tuples = st.lists(ints, max_size=ndim, unique_by=lambda i: i % ndim).map(tuple)
    return draw(st.one_of(st.none(), ints, tuples))


def out_array(kind, shape, dtype):
    """A fresh ``out``/``output`` array of ``kind`` (None for kinds that are not arrays)."""
    dt = np.dtype(dtype)
    zeros = np.zeros(shape, dt)
    if kind in ("array", "array-other"):
        return zeros
    if kind == "strided":
        return store(zeros, Layout(step=(1,) * (len(shape) - 1) + (2,) if shape else ()))
    if kind == "swapped":
        return store(zeros, Layout(swap=True))
    if kind == "unaligned":
        return store(zeros, Layout(unaligned=True, order="F"))
    if kind == "readonly":
        return store(zeros, Layout(readonly=True))
    if kind == "wrong-shape":
        return np.zeros(tuple(n + 1 for n in shape) or (2,), dt)
    return None


def _other_out_dtypes(name, a, work):
    """``out`` dtypes other than the result's (``work``, the dtype NumPy computes in) for
    which NumPy's result is pycompute's."""
    if name.startswith("arg"):
        return ["int32"]  # divergence 2 (test_divergence_argmin_into_float_out)
    floats = ["float64", "float32"]
    ints = ["int64", "int32", "int16"]
    if name == "sum" and work.kind in "iu":
        return floats + ints  # integer sums wrap the same way in any integer dtype
    if name in ("min", "max"):
        # divergence 1 (test_divergence_min_max_into_narrow_out): NumPy starts from the first
        # value cast to `out`'s dtype, so a value `out` cannot hold changes its answer
        return floats + [d for d in ints if _holds(d, a)]
    # a float running sum (mean, var, std, float sums) into an integer `out`: NumPy truncates
    # it to `out`'s dtype at every 8192-element buffer, so its result depends on its buffer
    # size; there is no reference answer to hold pycompute to
    return floats


def _holds(dtype, a) -> bool:
    """Does every value of ``a`` fit ``dtype`` (a float dtype holds them all here)?"""
    dt = np.dtype(dtype)
    if dt.kind == "f" or a.size == 0:
        return True
    if a.dtype.kind == "c" or not np.all(np.isfinite(a)):
        return False
    info = np.iinfo(dt)
    return bool(info.min <= a.min().item() and a.max().item() <= info.max)


@pytest.mark.parametrize("name", REDUCTIONS)
@HARNESS
@given(data=st.data())
def test_reductions_against_numpy(backend, name, data):
    a, lay, big = draw_input(data, DTYPES * 3 + OTHER_DTYPES, BIG_REDUCE,
                             small_shapes(max_dims=4))
    axis = data.draw(reduce_axis(a.ndim, name), label="axis")
    kw = {"keepdims": data.draw(st.booleans(), label="keepdims")}
    if name in ("sum", "mean", "var", "std"):
        kw["dtype"] = data.draw(st.sampled_from(SUM_DTYPES), label="dtype=")
    if name in ("var", "std"):
        kw["ddof"] = data.draw(st.sampled_from([0, 0, 1, 2]), label="ddof")
    if name.startswith("arg") and isinstance(axis, tuple):
        axis = None
    fn = getattr(np, name)
    plain = outcome(lambda: fn(store(a, lay), axis=axis, **kw))
    out_kind = data.draw(st.sampled_from(["none"] * 4 + ["array", "array-other", "strided",
                                                         "swapped", "alias"]), label="out")
    out_dt = None
    if isinstance(plain, Raised) or np.ndim(plain) == 0 and out_kind in ("strided", "alias"):
        out_kind = "none"
    elif out_kind == "alias":  # the input itself, where the result has its shape
        if np.shape(plain) != a.shape or lay.readonly:
            out_kind = "none"
        elif name == "std" and a.dtype.kind in "iub":
            out_kind = "none"  # divergence 8 (test_divergence_std_into_integer_out)
        elif name.startswith("arg") and not np.can_cast(a.dtype, np.intp):
            out_kind = "none"  # divergence 2 (test_divergence_argmin_into_float_out)
    elif out_kind != "none":
        res_dt = np.asarray(plain).dtype
        out_dt = res_dt
        if out_kind == "array-other":
            out_dt = data.draw(st.sampled_from(_other_out_dtypes(name, a, res_dt)),
                               label="out dtype")

    def make():
        x = store(a, lay)
        if out_kind == "alias":
            return x, x
        out = None if out_kind == "none" else out_array(out_kind, np.shape(plain), out_dt)
        return x, out

    def run(f, **extra):
        x, out = make()
        res = f(x, axis=axis, **kw, **extra) if out is None else f(x, axis=axis, out=out,
                                                                   **kw, **extra)
        if out is not None and res is not out:
            raise AssertionError("the result is not `out`")
        return res

    def compare(got, ref):
        rtol, atol = _reduction_tolerance(name, a, np.asarray(ref), axis, kw["keepdims"],
                                          np.asarray(plain).dtype)
        assert_close(got, ref, rtol, atol)

    against_reference(
        lambda be, k: run(getattr(pc, name), backend=be, num_threads=k),
        lambda: run(fn), compare, backend)


@HARNESS
@given(data=st.data())
def test_histogram_against_numpy(backend, data):
    a, lay, big = draw_input(data, DTYPES * 2 + ["float16"], BIG_REDUCE, small_shapes())
    kind = data.draw(st.sampled_from(["int"] * 4 + ["edges"] * 2 + ["unsorted", "zero",
                                                                     "auto"]), label="bins")
    if kind == "int":
        bins = data.draw(st.integers(1, 40))
    elif kind in ("edges", "unsorted"):
        edges = data.draw(st.lists(st.floats(-2e3, 2e3) | st.integers(-300, 300), min_size=1,
                                   max_size=8))
        bins = np.array(sorted(edges) if kind == "edges" else edges)
    else:
        bins = 0 if kind == "zero" else "auto"
    kw = {"bins": bins, "density": data.draw(st.sampled_from([None, False, True]))}
    rng_kind = data.draw(st.sampled_from(["none"] * 3 + ["ok", "reversed", "nan", "ints"]))
    if rng_kind != "none":
        lo, hi = sorted(data.draw(st.tuples(st.floats(-2e3, 2e3), st.floats(-2e3, 2e3))))
        kw["range"] = {"ok": (lo, hi), "reversed": (hi + 1, lo), "nan": (np.nan, hi),
                       "ints": (int(lo), int(hi) + 1)}[rng_kind]
    if _maybe(data.draw, 8):
        kw["weights"] = np.arange(a.size, dtype=np.float64).reshape(a.shape)

    def compare(got, ref):
        for g, r in zip(got, ref, strict=True):
            assert_close(g, r, 0.0, 0.0)

    against_reference(
        lambda be, k: pc.histogram(store(a, lay), **kw, backend=be, num_threads=k),
        lambda: np.histogram(store(a, lay), **kw), compare, backend)


# ================================================================ filters

FILTERS = ["correlate", "convolve", "correlate1d", "convolve1d", "uniform_filter",
           "uniform_filter1d", "gaussian_filter", "gaussian_filter1d", "sobel", "prewitt",
           "laplace"]
# output size x taps >= 2 * convolution.GRAIN: two threads run
BIG_FILTER = [(300, 257), (2, 130, 260), (70_000,)]
# 1-3 dimensions mostly (0-d and 4-d run scipy, or raise), sides from 1 (at times 0) to 7
FILTER_SHAPES = st.sampled_from([1, 1, 2, 2, 2, 3, 3, 3, 0, 4]).flatmap(
    lambda n: small_shapes(n, n, min_side=1) | small_shapes(n, n, min_side=0))
OUTPUT_KINDS = (["none"] * 4 + ["dtype", "type", "str", "dtype-other", "array", "array-other",
                                "strided", "swapped", "unaligned", "alias", "readonly",
                                "wrong-shape"])
OUTPUT_DTYPES = ["float64", "float32", "int32", "uint8", "int16", "int64", "uint16", "int8",
                 "uint64"]


def _weights(draw, shape):
    """Weights in [-10, 10] with zeros (skipped by scipy's dense filter), rarely NaN/inf.

    None below 1e-30 in magnitude: float32 work (float32 input and output) rounds the
    weights to float32, where those are 0, and 0 * inf is NaN where scipy's tiny * inf is
    inf (the float32 tolerance cannot cover a NaN)."""
    el = st.floats(-10, 10).map(lambda v: v if abs(v) >= 1e-30 else 0.0)
    if _maybe(draw, 10):
        el = el | st.sampled_from([np.nan, np.inf])
    w = draw(hnp.arrays(np.float64, shape, elements=el))
    if w.ndim == 1 and _maybe(draw, 3):  # symmetric / antisymmetric: scipy's paired taps
        with np.errstate(invalid="ignore"):
            w = (w + w[::-1]) / 2 if draw(st.booleans()) else (w - w[::-1]) / 2
    if w.ndim == 1 and _paired_by_nan(w):
        w = np.nan_to_num(w, nan=1.0, posinf=2.0, neginf=-2.0)  # divergence 7
    if np.all(np.isfinite(w)) and _maybe(draw, 8):
        w = np.round(w).astype(np.int64)
    return w


def _paired_by_nan(w) -> bool:
    """Divergence 7 (test_divergence_symmetry_test_with_infinite_weights): do NaN or inf
    weights make scipy's (anti)symmetry test pass where a NaN-aware test fails? scipy
    tests ``fabs(w[c + j] -+ w[c - j]) > DBL_EPSILON`` for a break, false for NaN."""
    k = w.shape[0]
    if not k & 1 or np.all(np.isfinite(w)):
        return False
    c = k // 2
    right, left = w[c + 1:], w[:c][::-1]
    eps = float(np.finfo(np.float64).eps)
    with np.errstate(invalid="ignore"):
        for d in (right - left, right + left):
            if not np.any(np.abs(d) > eps) and not np.all(np.abs(d) <= eps):
                return True
    return False


def _sum_abs(w):
    w = np.abs(np.asarray(w, np.float64))
    return float(np.sum(w[np.isfinite(w)]))


def _gauss_taps_norm(sigma, order, truncate, radius):
    """(taps, sum|w|) of scipy's 1-D Gaussian kernel: the filter of a unit impulse."""
    r = radius if radius is not None else int(truncate * float(sigma) + 0.5)
    impulse = np.zeros(2 * r + 1)
    impulse[r] = 1.0
    w = ndi.gaussian_filter1d(impulse, sigma, order=order, truncate=truncate, radius=radius,
                              mode="constant")
    return 2 * r + 1, _sum_abs(w)


def _per_axis(draw, n, scalar, prefer_scalar=2):
    """``scalar`` drawn once, or one draw per axis."""
    if n == 0 or draw(st.integers(0, prefer_scalar)):
        return draw(scalar)
    return [draw(scalar) for _ in range(n)]


@st.composite
def filter_call(draw, name, ndim):
    """(args, kwargs, taps, norm, chained, bad) for filter ``name`` on an ``ndim``-D input.

    ``taps`` is None where the result is exact for every dtype (box filters: their
    float32 sums are exact or run in float64, see tests/test_convolution.py);
    ``chained``: a 1-D pass reads another pass's result (in the output dtype); ``bad``:
    one argument is bad on purpose."""
    ax1 = st.integers(-ndim, ndim - 1) if ndim else st.just(0)
    chained = False
    modes = st.sampled_from(MODES)
    kw = {"cval": draw(st.sampled_from([0.0, 0.0, 1.5, -3.0, 255.0, np.nan]))}
    axes = None
    if name in ("correlate", "convolve", "uniform_filter", "gaussian_filter", "laplace") \
            and ndim and _maybe(draw, 3):
        axes = tuple(draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                                   unique_by=lambda i: i % ndim)))
        kw["axes"] = axes
    nax = ndim if axes is None else len(axes)
    if name in ("correlate1d", "convolve1d"):
        k = draw(st.integers(1, 7))
        w = _weights(draw, (k,))
        args = (w,)
        kw.update(axis=draw(ax1), mode=draw(modes),
                  origin=draw(st.integers(-(k // 2), (k - 1) // 2)))
        taps, norm = k, _sum_abs(w)
    elif name in ("correlate", "convolve"):
        wshape = tuple(draw(st.integers(1, 4)) for _ in range(nax))
        w = _weights(draw, wshape)
        args = (w,)
        kw.update(mode=draw(modes), origin=_per_axis(draw, nax, st.integers(-1, 0)))
        taps, norm = max(w.size, 1), _sum_abs(w)
    elif name == "uniform_filter1d":
        size = draw(st.integers(1, 9))
        args = (size,)
        kw.update(axis=draw(ax1), mode=draw(modes),
                  origin=draw(st.integers(-(size // 2), (size - 1) // 2)))
        taps, norm = None, 1.0  # box filters: exact for every dtype
    elif name == "uniform_filter":
        kw.update(size=_per_axis(draw, nax, st.integers(1, 9)),
                  mode=_per_axis(draw, nax, modes), origin=_per_axis(draw, nax,
                                                                     st.integers(-1, 0)))
        args, taps, norm = (), None, 1.0  # box filters: exact for every dtype
    elif name == "gaussian_filter1d":
        sigma = draw(st.sampled_from([0.5, 1.0, 1.7]))
        order = draw(st.integers(0, 2))
        truncate = draw(st.sampled_from([4.0, 2.0, 0.5]))
        radius = draw(st.sampled_from([None, None, 0, 1, 4]))
        args = (sigma,)
        kw.update(axis=draw(ax1), order=order, mode=draw(modes), truncate=truncate,
                  radius=radius)
        taps, norm = _gauss_taps_norm(sigma, order, truncate, radius)
    elif name == "gaussian_filter":
        sigma = _per_axis(draw, nax, st.sampled_from([0.0, 0.5, 1.0, 1.7]))
        order = _per_axis(draw, nax, st.integers(0, 2))
        truncate = draw(st.sampled_from([4.0, 2.0, 0.5]))
        radius = _per_axis(draw, nax, st.sampled_from([None, None, 0, 3]))
        args = (sigma,)
        kw.update(order=order, mode=_per_axis(draw, nax, modes), truncate=truncate,
                  radius=radius)
        taps, norm = 1, 1.0
        sigmas = sigma if isinstance(sigma, list) else [sigma] * nax
        chained = sum(s > 1e-15 for s in sigmas) > 1
        for i in range(nax):
            s, o, r = (v[i] if isinstance(v, list) else v for v in (sigma, order, radius))
            if s > 1e-15:
                t, n = _gauss_taps_norm(s, o, truncate, r)
                taps, norm = max(taps, t), norm * n
    elif name in ("sobel", "prewitt"):
        kw.update(axis=draw(ax1), mode=_per_axis(draw, ndim, modes))
        args, taps, norm = (), 3, 2.0 * 4.0 ** max(ndim - 1, 0)
        chained = ndim >= 2
    else:  # laplace: each axis [1, -2, 1], summed in the output dtype
        kw.update(mode=_per_axis(draw, nax, modes))
        args, taps, norm = (), 3 * max(nax, 1), 4.0 * max(nax, 1)
    bad_arg = _maybe(draw, 20)
    if bad_arg:  # a bad argument: both must raise the same exception type
        bad = {"mode": "reflekt", "origin": 5, "axis": ndim + 1, "size": 0, "axes": (0, 0),
               "cval": "x", "order": -1, "radius": -1}
        keys = set(bad) & set(kw)
        if name in ("uniform_filter", "gaussian_filter"):
            keys.discard("cval")  # divergence 5 (test_divergence_cval_checked_when_unused)
        key = draw(st.sampled_from(sorted(keys)))
        kw[key] = bad[key]
    return args, kw, taps, norm, chained, bad_arg


def _filter_compare(a, cval, taps, norm, chained, undefined=None):
    """compare(got, ref) for a filter of ``a`` (module docstring: float32 -> float32 rule).

    ``undefined()``, if given, marks the elements whose cast to the output dtype C leaves
    undefined and scipy does one way in one filter and another in another (divergence 6)."""
    # divergence 3 (test_divergence_chained_passes_into_float32_output): chained passes into a
    # float32 output run the later passes in float32 for every input dtype
    f32_work = np.dtype(a.dtype.name) == np.float32 or chained
    cval = cval if isinstance(cval, float) else 0.0

    def compare(got, ref):
        got, ref = assert_same_kind(got, ref)
        if undefined is not None:
            keep = ~undefined()
            got, ref = got[keep], ref[keep]
        if taps is None or not (f32_work and ref.dtype.name == "float32"):
            np.testing.assert_array_equal(got, ref)  # float64 work, integer outputs: exact
            return
        fin = np.abs(a[np.isfinite(a)]).astype(np.float64)
        scale = max(float(fin.max()) if fin.size else 1.0, 1.0,
                    abs(cval) if np.isfinite(cval) else 1.0)
        assert_close(got, ref, 0.0, (taps + 2) * EPS32 * norm * scale * 4)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        inf = np.isinf(ref)
        np.testing.assert_array_equal(got[inf], ref[inf])

    return compare


@pytest.mark.parametrize("name", FILTERS)
@HARNESS
@given(data=st.data())
def test_filters_against_scipy(backend, name, data):
    a, lay, big = draw_input(data, DTYPES * 3 + OTHER_DTYPES, BIG_FILTER, FILTER_SHAPES)
    dtype = a.dtype.name
    args, kw, taps, norm, chained, bad = data.draw(filter_call(name, a.ndim),
                                                   label="arguments")
    out_kind = data.draw(st.sampled_from(OUTPUT_KINDS), label="output")
    if bad and out_kind in ("readonly", "wrong-shape"):
        out_kind = "none"  # one mistake at a time: with two, which one is reported is arbitrary
    res_dt = np.dtype(dtype)  # scipy's default output dtype: the input's, in native order
    if out_kind in ("dtype-other", "array-other"):
        res_dt = np.dtype(data.draw(st.sampled_from(OUTPUT_DTYPES + ["bool", "float16"]),
                                    label="output dtype"))
    if out_kind == "alias" and lay.readonly:
        out_kind = "none"
    if out_kind == "alias" and name == "laplace" and dtype in ("bool", "float16", "complex128"):
        out_kind = "none"  # divergence 9 (test_divergence_laplace_in_place_outside_kernels)
    if out_kind == "readonly" and a.size == 0:
        out_kind = "none"  # divergence 4 (test_divergence_readonly_output_of_empty_input)
    if kw.get("cval") == "x" and a.size == 0:
        kw["cval"] = 0.0  # divergence 5 (test_divergence_cval_checked_when_unused)
    copied_back = out_kind in ("swapped", "unaligned") or (
        out_kind == "alias" and (lay.swap or lay.unaligned))
    if kw.get("cval") == "x" and copied_back:
        # scipy's own bug: with an output it must copy back, it swallows the TypeError
        # (an unraisable exception in array_dealloc) and returns the untouched output
        kw["cval"] = 0.0
    undefined = None
    if name in ("correlate", "convolve") and res_dt == np.uint64:
        def undefined():  # divergence 6 (test_divergence_dense_filter_casts_below_int64_min)
            twin = getattr(ndi, name)(a, *args, **kw, output=np.float64)
            return twin < -2.0**63

    def make():
        """(input, output argument) built fresh for each call; ``alias`` is out of place for
        the reference (README: in place gives the out-of-place result; scipy's laplace
        would read its own partial output)."""
        x = store(a, lay)
        if out_kind in ("dtype", "dtype-other"):
            return x, res_dt
        if out_kind == "type":
            return x, res_dt.type
        if out_kind == "str":
            return x, res_dt.name
        if out_kind == "alias":
            return x, x
        return x, out_array(out_kind, a.shape, res_dt)

    def run(f, reference=False, **extra):
        x, output = make()
        if out_kind == "alias" and reference:
            output = store(a, replace(lay, readonly=False))
        res = f(x, *args, **kw, **extra) if output is None else f(x, *args, output=output,
                                                                  **kw, **extra)
        if isinstance(output, np.ndarray) and res is not output:
            raise AssertionError("the result is not `output`")
        return res

    against_reference(
        lambda be, k: run(getattr(pc, name), backend=be, num_threads=k),
        lambda: run(getattr(ndi, name), reference=True),
        _filter_compare(a, kw["cval"], taps, norm, chained, undefined),
        backend)


# ================================================================ simulation steps

RTOL_STEP = {"float32": 2e-6, "float64": 1e-14}
SIM_DTYPES = ["float64", "float32"] * 4 + ["int32", "float16"]  # the others raise TypeError
HEAT_MODES = ["wrap", "constant", "nearest", "reflect", "mirror", "grid-wrap", "grid-mirror",
              "grid-constant"]
SIM_OUT = ["none"] * 3 + ["array", "alias", "array-other", "strided", "overlap"]


def _scaled_close(steps):
    """compare for heat/Gray-Scott: RTOL_STEP x steps x the field's scale."""

    def compare(got, ref):
        for g, r in zip(_parts(got), _parts(ref), strict=True):
            g, r = assert_same_kind(g, r)
            scale = max(float(np.max(np.abs(r))), 1.0) if r.size else 1.0
            assert_close(g, r, 0.0, RTOL_STEP[r.dtype.name] * max(steps, 1) * scale)

    return compare


def _grid_out(kind, a, lay):
    """(grid, out) for a simulation step with ``out=`` of ``kind``; fresh arrays every call."""
    if a.ndim == 0:
        return store(a, lay), None
    if kind == "overlap":  # out and the grid overlap, one row apart
        base = np.zeros((a.shape[0] + 1,) + a.shape[1:], a.dtype)
        base[1:] = a
        return base[1:], base[:-1]
    x = store(a, lay)
    if kind == "alias":
        return x, x
    if kind == "array-other":
        return x, np.zeros(a.shape, np.float32 if a.dtype != np.float32 else np.float64)
    return x, out_array(kind, a.shape, np.dtype(a.dtype.name))


def _grid(data, dtype, big_shape, ndims, big, lo=None, hi=None):
    if big:
        shape = big_shape
    else:
        ndim = data.draw(st.sampled_from(ndims), label="ndim")
        shape = data.draw(small_shapes(ndim, ndim, min_side=int(not _maybe(data.draw, 10)),
                                       max_side=12), label="shape")
    # NaN/inf one time in 10: they make every call raise ValueError
    a = data.draw(values(dtype, shape, lo, hi, special_one_in=10), label="values")
    return a, data.draw(layouts(a.ndim, big), label="layout")


@HARNESS
@given(data=st.data())
def test_heat_step_against_reference(backend, data):
    dtype = data.draw(st.sampled_from(SIM_DTYPES), label="dtype")
    big = _maybe(data.draw, 8)
    # cells x steps >= 2 * simulation.GRAIN when big: two threads run
    a, lay = _grid(data, dtype, (160, 200), [1, 2, 2, 3] + [0, 4] * _maybe(data.draw, 8), big)
    steps = data.draw(st.integers(5, 6) if big else st.integers(0, 6), label="steps")
    limit = 1.0 / (2 * max(a.ndim, 1))
    alpha = data.draw(st.floats(0, 1) | st.sampled_from([1.0001, -0.1]), label="f") * limit
    kw = dict(steps=steps, alpha=alpha, cval=data.draw(st.sampled_from([0.0, -0.5, 2.0])),
              mode=_per_axis(data.draw, a.ndim, st.sampled_from(HEAT_MODES + ["periodic"]
                                                                * _maybe(data.draw, 10))))
    out_kind = data.draw(st.sampled_from(SIM_OUT), label="out")

    def run(be, k):
        x, out = _grid_out(out_kind, a, lay)
        res = pc.heat_step(x, out=out, **kw, backend=be, num_threads=k)
        if out is not None and res is not out:
            raise AssertionError("the result is not `out`")
        return res

    against_reference(run, lambda: run("numpy", None), _scaled_close(steps), backend)


@HARNESS
@given(data=st.data())
def test_life_step_against_reference(backend, data):
    dtype = data.draw(st.sampled_from(["bool", "uint8"] * 4 + ["int8", "float64"]),
                      label="dtype")
    big = _maybe(data.draw, 8)
    top = 2 if _maybe(data.draw, 12) else 1  # a uint8 board holding 2: ValueError
    a, lay = _grid(data, "uint8" if dtype == "bool" else dtype, (128, 256), [2] * 8 + [1, 3],
                   big, lo=0, hi=top)
    if dtype == "bool":
        a = a.astype(bool)
    steps = data.draw(st.integers(4, 5) if big else st.integers(0, 6), label="steps")
    birth, survive = (data.draw(st.sets(st.integers(0, 8)), label=s) for s in "BS")
    rule = "B" + "".join(map(str, sorted(birth))) + "/S" + "".join(map(str, sorted(survive)))
    if _maybe(data.draw, 16):
        rule = data.draw(st.sampled_from(["B3S23", "B9/S23", "", 23]))
    mode = _per_axis(data.draw, a.ndim, st.sampled_from(["wrap", "constant"]
                                                        + ["reflect"] * _maybe(data.draw, 10)))
    out_kind = data.draw(st.sampled_from(SIM_OUT), label="out")

    def run(be, k):
        x, out = _grid_out(out_kind, a, lay)
        res = pc.life_step(x, steps=steps, rule=rule, mode=mode, out=out, backend=be,
                           num_threads=k)
        if out is not None and res is not out:
            raise AssertionError("the result is not `out`")
        return res

    against_reference(run, lambda: run("numpy", None), lambda g, r: assert_close(g, r, 0, 0),
                      backend)


@HARNESS
@given(data=st.data())
def test_gray_scott_step_against_reference(backend, data):
    dtype = data.draw(st.sampled_from(SIM_DTYPES), label="dtype")
    big = _maybe(data.draw, 8)
    # cells x steps >= 2 * simulation.GRAIN when big
    u, lay_u = _grid(data, dtype, (128, 130), [2] * 8 + [1, 3], big, lo=0.0, hi=1.0)
    v_dtype = dtype if not _maybe(data.draw, 12) else "float32"
    v_shape = u.shape if not _maybe(data.draw, 12) else u.shape[::-1] + (1,)
    v = data.draw(values(v_dtype, v_shape, 0.0, 1.0, special_one_in=10), label="v")
    lay_v = data.draw(layouts(v.ndim, big), label="v layout")
    steps = data.draw(st.integers(8, 9) if big else st.integers(0, 5), label="steps")
    kw = dict(Du=data.draw(st.floats(0, 0.2)), Dv=data.draw(st.floats(0, 0.1)),
              F=data.draw(st.floats(0, 0.07)), k=data.draw(st.floats(0, 0.07)),
              dt=data.draw(st.sampled_from([1.0, 0.5, 0.1])), steps=steps,
              mode=_per_axis(data.draw, 2, st.sampled_from(
                  ["wrap", "nearest", "reflect", "mirror", "grid-wrap", "grid-mirror"]
                  + ["constant"] * _maybe(data.draw, 10))))

    def run(be, k):
        return pc.gray_scott_step(store(u, lay_u), store(v, lay_v), **kw, backend=be,
                                  num_threads=k)

    against_reference(run, lambda: run("numpy", None), _scaled_close(steps), backend)


@pytest.mark.parametrize("which", ["nbody_accelerations", "nbody_energy", "nbody_step"])
@HARNESS
@given(data=st.data())
def test_nbody_against_reference(backend, which, data):
    dtype = data.draw(st.sampled_from(SIM_DTYPES), label="dtype")
    big = _maybe(data.draw, 8)
    n = data.draw(st.just(370) if big else st.integers(0, 40), label="N")  # N^2 >= 2 * GRAIN
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    pos = rng.standard_normal((n, 3)).astype(dtype)
    vel = (0.1 * rng.standard_normal((n, 3))).astype(dtype)
    mass = rng.uniform(0.5, 1.5, n).astype(data.draw(st.sampled_from(
        ["float64", "float32", "int64"]), label="mass dtype"))
    if n > 1 and _maybe(data.draw, 3):  # coincident bodies: skipped, never NaN
        pos[data.draw(st.integers(1, n - 1))] = pos[0]
    if n and pos.dtype.kind == "f" and _maybe(data.draw, 12):
        pos[-1, 1] = data.draw(st.sampled_from([np.nan, np.inf]))
    if _maybe(data.draw, 16):
        pos = pos[:, :2]  # not (N, 3): ValueError
    lays = [data.draw(layouts(2, big), label=f"{s} layout") for s in ("pos", "vel")]
    lay_m = data.draw(layouts(1, big), label="mass layout")
    kw = dict(G=data.draw(st.sampled_from([1.0, 0.7])),
              softening=data.draw(st.sampled_from([0.0, 0.05, 0.1] + [-0.1]
                                                  * _maybe(data.draw, 10))))

    def args():
        if which == "nbody_accelerations":
            return store(pos, lays[0]), store(mass, lay_m)
        return store(pos, lays[0]), store(vel, lays[1]), store(mass, lay_m)

    steps = 0
    if which == "nbody_step":
        steps = data.draw(st.integers(1, 1) if big else st.integers(0, 3), label="steps")
        kw.update(dt=1e-3, steps=steps)
    f64 = np.dtype(dtype) == np.float64

    def compare(got, ref):
        if which == "nbody_energy":
            assert type(got) is float, type(got)
            m = mass.astype(np.float64)
            kinetic = 0.5 * float(np.sum(m * np.sum(vel.astype(np.float64) ** 2, axis=1)))
            assert abs(got - ref) <= 1e-12 * (kinetic + abs(ref - kinetic)) + 1e-300, (got, ref)
            return
        for g, r in zip(_parts(got), _parts(ref), strict=True):
            g, r = assert_same_kind(g, r)
            top = float(np.max(np.abs(r))) if r.size else 0.0
            if which == "nbody_accelerations":
                atol = (1e-12 if f64 else 2e-5) * top
            else:
                atol = (1e-12 if f64 else 1e-4) * max(top, 1.0)
            assert_close(g, r, 0.0, atol)

    fn = getattr(pc, which)
    against_reference(lambda be, k: fn(*args(), **kw, backend=be, num_threads=k),
                      lambda: fn(*args(), **kw, backend="numpy"), compare, backend)


# ================================================================ the big shapes

def test_big_shapes_run_on_two_threads():
    """The big shapes above reach two threads: work >= 2 * GRAIN in each family."""
    assert min(math.prod(s) for s in BIG_REDUCE) >= 2 * reductions.GRAIN
    assert min(math.prod(s) for s in BIG_FILTER) * 2 >= 2 * convolution.GRAIN  # >= 2 taps
    grain2 = 2 * simulation.GRAIN
    assert 160 * 200 * 5 >= grain2 and 128 * 256 * 4 >= grain2  # heat, Life: cells x steps
    assert 128 * 130 * 8 >= grain2 and 370 * 370 >= grain2  # Gray-Scott; N-body: pairs


def test_box_filter_of_non_finite_into_integers(backend):
    """Found by the harness (work in progress on huge windows, since fixed): a float input
    holding NaN or inf, an integer output and a box longer than an axis after the first
    pass raised (int() of the input's min/max) where scipy returns its integer casts."""
    for x, ref in ((np.array([[np.nan]]), [[-2**31]]), (np.array([[np.inf, 1.0]]), None)):
        expected = ndi.uniform_filter(x, 3, output=np.int32)
        if ref is not None:
            np.testing.assert_array_equal(expected, ref)
        np.testing.assert_array_equal(pc.uniform_filter(x, 3, output=np.int32, backend=backend),
                                      expected)


# ================================================================ divergences the harness found
# Each is the smallest case of a difference from the reference that the property tests
# above found; they leave out exactly that case (comments "divergence N") so that they
# keep searching for others while these tests fail.

def test_divergence_min_max_into_narrow_out(backend):
    """1: NumPy's min/max start from the first value cast to ``out``'s dtype; pycompute casts
    the answer once, so a value ``out`` cannot hold changes NumPy's answer but not ours."""
    a = np.array([40000.0, 30000.0])
    for name in ("max", "min"):
        ref = getattr(np, name)(a, out=np.zeros((), np.int16))  # max: 30000, min: -25536
        got = getattr(pc, name)(a, out=np.zeros((), np.int16), backend=backend)
        assert got == ref, (name, got, ref)


def test_divergence_argmin_into_float_out(backend):
    """2: NumPy refuses an argmin/argmax ``out`` whose dtype does not cast safely to intp
    (float64, uint64: TypeError); pycompute writes into it."""
    a = np.array([3.0, 1.0, 2.0])
    for name in ("argmin", "argmax"):
        for dt in (np.float64, np.uint64):
            with pytest.raises(TypeError):
                getattr(np, name)(a, out=np.zeros((), dt))
            with pytest.raises(TypeError):
                getattr(pc, name)(a, out=np.zeros((), dt), backend=backend)


def test_divergence_chained_passes_into_float32_output(backend):
    """3: README: integer and float64 input give scipy's bits. Into a float32 output, the
    passes after the first (gaussian_filter, sobel, prewitt) run in float32 instead."""
    x = np.array([[1, 2, 0], [4, 0, 7], [3, 9, 5]], np.int16)
    for call in (lambda m, **k: m.gaussian_filter(x, 1.0, output=np.float32, **k),
                 lambda m, **k: m.gaussian_filter(x.astype(np.float64), 1.0,
                                                  output=np.float32, **k)):
        np.testing.assert_array_equal(call(pc, backend=backend), call(ndi))


def test_divergence_readonly_output_of_empty_input(backend):
    """4: scipy refuses a read-only ``output`` even when there is nothing to write."""
    out = np.zeros(0)
    out.flags.writeable = False
    with pytest.raises(ValueError):
        ndi.correlate1d(np.zeros(0), [1.0], output=out)
    with pytest.raises(ValueError):
        pc.correlate1d(np.zeros(0), [1.0], output=out, backend=backend)


def test_divergence_cval_checked_when_unused(backend):
    """5: where nothing is filtered (sizes 1, sigmas 0) scipy never reads ``cval``; nor does
    pycompute. (An empty input still has its cval checked, by both: scipy's C layer.)"""
    x = np.arange(6.0).reshape(2, 3)
    for call in (lambda m, **k: m.uniform_filter(x, 1, cval="x", **k),
                 lambda m, **k: m.gaussian_filter(x, 0.0, cval="x", **k)):
        np.testing.assert_array_equal(call(pc, backend=backend), call(ndi))
    for m, k in ((ndi, {}), (pc, {"backend": backend})):
        with pytest.raises(TypeError):
            m.prewitt(np.zeros(0), cval="x", **k)


def test_dense_filter_casts_below_int64_min_as_scipys_1d_filters(backend):
    """6: a float64 result below -2**63 into uint64 is a cast C leaves undefined, and scipy
    disagrees with itself: its dense correlate wraps modulo 2**64 (-1e19 -> 2**64 - 1e19),
    its 1-D filters give 2**63. pycompute gives its 1-D filters' answer in both, on every
    backend (no oracle for the dense case: scipy's answer there is the compiler's)."""
    x = np.array([-1e19, -2e19, -9.3e18])
    want = ndi.correlate1d(x, [1.0], output=np.uint64)
    np.testing.assert_array_equal(pc.correlate1d(x, [1.0], output=np.uint64, backend=backend),
                                  want)
    np.testing.assert_array_equal(pc.correlate(x, [1.0], output=np.uint64, backend=backend),
                                  want)


def test_divergence_symmetry_test_with_infinite_weights(backend):
    """7: scipy's 1-D filter takes weights as (anti)symmetric unless some
    ``fabs(w[c + j] -+ w[c - j]) > DBL_EPSILON``, false for NaN: [-inf, 0, inf] runs its
    paired path, inf * (x[i + 1] - x[i - 1]) = inf; pycompute's test (``<=``, false for
    NaN) takes the general path, -inf * x[i - 1] + inf * x[i + 1] = NaN."""
    x = np.array([1.0, 3.0, 2.0, 5.0])
    for w in ([-np.inf, 0.0, np.inf], [np.inf, 0.0, np.inf]):
        for xs in (x, x - 2.5):
            with np.errstate(invalid="ignore"):
                np.testing.assert_array_equal(pc.correlate1d(xs, w, backend=backend),
                                              ndi.correlate1d(xs, w))


def test_divergence_std_into_integer_out(backend):
    """8: NumPy's std refuses an integer ``out`` (its sqrt cannot cast float64 to int64
    under 'same_kind': a TypeError); pycompute writes the truncated value."""
    a = np.array([1.0, 4.0])
    with pytest.raises(TypeError):
        np.std(a, out=np.zeros((), np.int64))
    with pytest.raises(TypeError):
        pc.std(a, out=np.zeros((), np.int64), backend=backend)


def test_divergence_laplace_in_place_outside_kernels():
    """9: laplace's docstring: with ``output`` the input itself the result is the
    out-of-place one. Where no native kernel runs (complex input, bool output) the
    scipy fallback is called in place and reads its own partial output."""
    for x in (np.array([[True, False]]), np.array([[1 + 1j, 2], [0, 5j]])):
        expected = ndi.laplace(x.copy())
        np.testing.assert_array_equal(pc.laplace(x, output=x), expected)
