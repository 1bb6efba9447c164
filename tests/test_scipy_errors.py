"""Bad arguments raise what scipy.ndimage raises, with scipy's wording in the message.

Code and test suites written against scipy.ndimage catch its exception types and
match on its messages ("sequence argument must have length equal to input rank",
"boundary mode not supported", "output shape not correct", ...). For each bad
call below, scipy runs first and its exception is the expectation, taken at test
time (a scipy that rewords a message shows up here): pycompute must raise an
instance of scipy's exception type, and for scipy's own validation messages
(``SCIPY``) the message must contain scipy's text, so that
``pytest.raises(type, match=re.escape(scipy_message))`` passes on pycompute too.
pycompute's message adds the argument in backticks, the value and what is allowed
(pycompute/_validation.py, "scipy.ndimage's arguments").

Cases marked ``TYPE`` are mistakes whose scipy message is Python's own, an accident
of the order scipy's code happens to touch the value in ("'<' not supported
between instances of 'str' and 'int'", "list assignment index out of range"):
there only the exception type is pinned (pycompute names the argument instead).
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.ndimage as ndi

import pycompute as pc

SCIPY, TYPE = "scipy message", "type only"

X = np.arange(42.0).reshape(6, 7)
W2 = np.ones((3, 3))
ZC = np.zeros((6, 7), np.complex128)

# (id, filter, args after the input, kwargs, what is pinned); the input is X unless
# the kwargs give "input"
CASES = [
    # correlate1d / convolve1d
    ("c1 no weights", "correlate1d", ([],), {}, SCIPY),
    ("c1 2-D weights", "correlate1d", (np.ones((2, 2)),), {}, SCIPY),
    ("c1 axis", "correlate1d", ([1, 2],), {"axis": 2}, SCIPY),
    ("c1 axis neg", "correlate1d", ([1, 2],), {"axis": -3}, SCIPY),
    ("c1 axis float", "correlate1d", ([1, 2],), {"axis": 1.5}, SCIPY),
    ("c1 axis str", "correlate1d", ([1, 2],), {"axis": "0"}, TYPE),
    ("c1 origin", "correlate1d", ([1, 2, 3],), {"origin": 2}, SCIPY),
    ("c1 origin neg", "correlate1d", ([1, 2, 3],), {"origin": -2}, SCIPY),
    ("c1 origin float out", "correlate1d", ([1, 2, 3],), {"origin": 1.5}, SCIPY),
    ("c1 origin float in", "correlate1d", ([1, 2, 3],), {"origin": 0.5}, SCIPY),
    ("c1 origin seq", "correlate1d", ([1, 2, 3],), {"origin": (0,)}, TYPE),
    ("c1 mode", "correlate1d", ([1, 2],), {"mode": "reflekt"}, SCIPY),
    ("c1 mode int", "correlate1d", ([1, 2],), {"mode": 3}, SCIPY),
    ("c1 mode seq", "correlate1d", ([1, 2],), {"mode": ["reflect", "wrap"]}, SCIPY),
    ("c1 output shape", "correlate1d", ([1, 2],), {"output": np.zeros((3, 3))}, SCIPY),
    ("c1 output scalar", "correlate1d", ([1, 2],), {"output": 5}, SCIPY),
    ("c1 output str dtype", "correlate1d", ([1, 2],), {"output": "U3"}, SCIPY),
    ("c1 output bad dtype", "correlate1d", ([1, 2],), {"output": "foo"}, SCIPY),
    ("c1 cval str", "correlate1d", ([1, 2],), {"cval": "a"}, SCIPY),
    ("c1 cval complex", "correlate1d", ([1, 2],), {"cval": 1j}, SCIPY),
    ("c1 cval None", "correlate1d", ([1, 2],), {"cval": None}, SCIPY),
    ("c1 weights str", "correlate1d", (["a"],), {}, SCIPY),
    ("c1 complex output", "correlate1d", ([1, 2],), {"input": ZC, "output": np.zeros((6, 7))},
     SCIPY),
    ("cv1 no weights", "convolve1d", ([],), {}, SCIPY),
    ("cv1 axis", "convolve1d", ([1, 2],), {"axis": 2}, SCIPY),
    ("cv1 origin", "convolve1d", ([1, 2, 3],), {"origin": 2}, SCIPY),
    ("cv1 origin even", "convolve1d", ([1, 2],), {"origin": 1}, SCIPY),
    ("cv1 origin seq", "convolve1d", ([1, 2, 3],), {"origin": (0,)}, TYPE),
    ("cv1 mode", "convolve1d", ([1, 2],), {"mode": "reflekt"}, SCIPY),
    ("cv1 output shape", "convolve1d", ([1, 2],), {"output": np.zeros((3, 3))}, SCIPY),
    ("cv1 cval", "convolve1d", ([1, 2],), {"cval": "a"}, SCIPY),
    # correlate / convolve
    *[(f"{p} {name}", fn, args, kw, pin) for p, fn in (("c", "correlate"), ("cv", "convolve"))
      for name, args, kw, pin in [
          ("weights rank", (np.ones(3),), {}, SCIPY),
          ("weights rank 3", (np.ones((2, 2, 2)),), {}, SCIPY),
          ("weights empty", (np.ones((0, 3)),), {}, SCIPY),
          ("axes unique", (W2,), {"axes": (0, 0)}, SCIPY),
          ("axes range", (W2,), {"axes": (0, 2)}, SCIPY),
          ("axes range neg", (W2,), {"axes": (0, -3)}, SCIPY),
          ("axes int vs rank", (W2,), {"axes": 5}, SCIPY),
          ("axes int range", (np.ones(3),), {"axes": 5}, TYPE),
          ("axes float", (W2,), {"axes": 1.5}, SCIPY),
          ("axes str", (W2,), {"axes": "a"}, SCIPY),
          ("weights rank vs axes", (np.ones(3),), {"axes": (0, 1)}, SCIPY),
          ("weights rank vs axis", (W2,), {"axes": (0,)}, SCIPY),
          ("origin length", (W2,), {"origin": (0, 0, 0)}, SCIPY),
          ("origin", (W2,), {"origin": (0, 2)}, SCIPY),
          ("origin scalar", (W2,), {"origin": 2}, SCIPY),
          ("origin float", (W2,), {"origin": 1.5}, SCIPY),
          ("origin float in range", (W2,), {"origin": (0, 0.5)}, SCIPY),
          ("mode", (W2,), {"mode": "reflekt"}, SCIPY),
          ("mode seq", (W2,), {"mode": ["reflect", "wrap"]}, SCIPY),
          ("mode int", (W2,), {"mode": 7}, SCIPY),
          ("output shape", (W2,), {"output": np.zeros((3, 3))}, SCIPY),
          ("output dtype", (W2,), {"output": "U3"}, SCIPY),
          ("cval str", (W2,), {"cval": "a"}, SCIPY),
          ("cval complex", (W2,), {"cval": 1j}, SCIPY),
          ("weights str", (["a"],), {}, SCIPY),
          ("complex cval, weights", (W2 * 1j,), {"cval": 1j}, SCIPY),
      ]],
    # uniform_filter1d / uniform_filter
    ("u1 size 0", "uniform_filter1d", (0,), {}, SCIPY),
    ("u1 size neg", "uniform_filter1d", (-1,), {}, SCIPY),
    ("u1 size float", "uniform_filter1d", (1.5,), {}, SCIPY),
    ("u1 size str", "uniform_filter1d", ("3",), {}, TYPE),
    ("u1 origin", "uniform_filter1d", (3,), {"origin": 2}, SCIPY),
    ("u1 origin neg", "uniform_filter1d", (3,), {"origin": -2}, SCIPY),
    ("u1 origin float", "uniform_filter1d", (3,), {"origin": 0.5}, SCIPY),
    ("u1 axis", "uniform_filter1d", (3,), {"axis": 2}, SCIPY),
    ("u1 axis float", "uniform_filter1d", (3,), {"axis": 1.5}, SCIPY),
    ("u1 mode", "uniform_filter1d", (3,), {"mode": "reflekt"}, SCIPY),
    ("u1 mode seq", "uniform_filter1d", (3,), {"mode": ["reflect"]}, SCIPY),
    ("u1 output shape", "uniform_filter1d", (3,), {"output": np.zeros((2, 2))}, SCIPY),
    ("u1 output dtype", "uniform_filter1d", (3,), {"output": "U3"}, SCIPY),
    ("u1 cval", "uniform_filter1d", (3,), {"cval": "a"}, SCIPY),
    ("u1 cval complex", "uniform_filter1d", (3,), {"cval": 1j}, SCIPY),
    ("u size length", "uniform_filter", ((3, 3, 3),), {}, SCIPY),
    ("u size str", "uniform_filter", ("3",), {}, SCIPY),
    ("u size None", "uniform_filter", (None,), {}, SCIPY),
    ("u origin length", "uniform_filter", (3,), {"origin": (0, 0, 0)}, SCIPY),
    ("u origin", "uniform_filter", (3,), {"origin": 2}, SCIPY),
    ("u origin float", "uniform_filter", (3,), {"origin": 0.5}, SCIPY),
    ("u mode", "uniform_filter", (3,), {"mode": "reflekt"}, SCIPY),
    ("u mode length", "uniform_filter", (3,), {"mode": ["reflect"]}, SCIPY),
    ("u mode entry", "uniform_filter", (3,), {"mode": ["reflect", "foo"]}, SCIPY),
    ("u mode int", "uniform_filter", (3,), {"mode": 5}, SCIPY),
    ("u axes unique", "uniform_filter", (3,), {"axes": (0, 0)}, SCIPY),
    ("u axes range", "uniform_filter", (3,), {"axes": (3,)}, SCIPY),
    ("u axes int", "uniform_filter", (3,), {"axes": 3}, SCIPY),
    ("u size vs axes", "uniform_filter", ((3, 3),), {"axes": (0,)}, SCIPY),
    ("u output shape", "uniform_filter", (3,), {"output": np.zeros((2, 2))}, SCIPY),
    ("u output dtype", "uniform_filter", (3,), {"output": "U3"}, SCIPY),
    ("u cval", "uniform_filter", (3,), {"cval": "a"}, SCIPY),
    ("u cval complex", "uniform_filter", (3,), {"cval": 1j}, SCIPY),
    # gaussian_filter1d / gaussian_filter
    *[(f"{p} {name}", fn, args, kw, pin) for p, fn in (("g1", "gaussian_filter1d"),
                                                       ("g", "gaussian_filter"))
      for name, args, kw, pin in [
          ("radius", (1.0,), {"radius": -1}, SCIPY),
          ("radius float", (1.0,), {"radius": 1.5}, SCIPY),
          ("radius str", (1.0,), {"radius": "a"}, SCIPY),
          ("order", (1.0,), {"order": -1}, SCIPY),
          ("order float", (1.0,), {"order": 1.5}, SCIPY),
          ("order str", (1.0,), {"order": "a"}, TYPE),
          ("sigma str", ("a",), {}, SCIPY),
          ("sigma None", (None,), {}, SCIPY),
          ("sigma inf", (np.inf,), {}, SCIPY),
          ("sigma complex", (1j,), {}, SCIPY),
          ("truncate str", (1.0,), {"truncate": "a"}, SCIPY),
          ("truncate inf", (1.0,), {"truncate": np.inf}, SCIPY),
          ("mode", (1.0,), {"mode": "reflekt"}, SCIPY),
          ("output shape", (1.0,), {"output": np.zeros((2, 2))}, SCIPY),
          ("output dtype", (1.0,), {"output": "U3"}, SCIPY),
          ("cval", (1.0,), {"cval": "a"}, SCIPY),
          ("cval complex", (1.0,), {"cval": 1j}, SCIPY),
      ]],
    ("g1 sigma negative", "gaussian_filter1d", (-1.0,), {}, SCIPY),
    ("g1 sigma nan", "gaussian_filter1d", (np.nan,), {}, SCIPY),
    ("g1 sigma zero", "gaussian_filter1d", (0.0,), {}, SCIPY),
    ("g1 sigma seq", "gaussian_filter1d", ((1.0, 2.0),), {}, SCIPY),
    ("g1 axis", "gaussian_filter1d", (1.0,), {"axis": 2}, SCIPY),
    ("g1 axis float", "gaussian_filter1d", (1.0,), {"axis": 1.5}, SCIPY),
    ("g sigma length", "gaussian_filter", ((1.0, 2.0, 3.0),), {}, SCIPY),
    ("g order length", "gaussian_filter", (1.0,), {"order": (0, 0, 0)}, SCIPY),
    ("g mode length", "gaussian_filter", (1.0,), {"mode": ["reflect"]}, SCIPY),
    ("g mode entry", "gaussian_filter", (1.0,), {"mode": ["reflect", "foo"]}, SCIPY),
    ("g radius length", "gaussian_filter", (1.0,), {"radius": (1, 2, 3)}, SCIPY),
    ("g axes unique", "gaussian_filter", (1.0,), {"axes": (0, 0)}, SCIPY),
    ("g axes range", "gaussian_filter", (1.0,), {"axes": (2,)}, SCIPY),
    ("g axes int", "gaussian_filter", (1.0,), {"axes": 2}, SCIPY),
    ("g axes float", "gaussian_filter", (1.0,), {"axes": 1.5}, SCIPY),
    ("g sigma vs axes", "gaussian_filter", ((1.0, 2.0),), {"axes": (0,)}, SCIPY),
    ("g sigma entry", "gaussian_filter", ((1.0, "a"),), {}, TYPE),
    # sobel / prewitt / laplace
    *[(f"{fn} {name}", fn, (), kw, pin) for fn in ("sobel", "prewitt")
      for name, kw, pin in [
          ("axis", {"axis": 2}, SCIPY),
          ("axis neg", {"axis": -3}, SCIPY),
          ("axis float", {"axis": 1.5}, TYPE),
          ("mode length", {"mode": ["reflect"]}, SCIPY),
          ("mode entry", {"mode": ["reflect", "foo"]}, SCIPY),
          ("mode", {"mode": "reflekt"}, SCIPY),
          ("mode int", {"mode": 5}, SCIPY),
          ("output shape", {"output": np.zeros((2, 2))}, SCIPY),
          ("output dtype", {"output": "U3"}, SCIPY),
          ("cval", {"cval": "a"}, SCIPY),
          ("cval complex", {"cval": 1j}, SCIPY),
          ("0-d", {"input": np.array(1.0)}, SCIPY),
      ]],
    ("laplace axes unique", "laplace", (), {"axes": (0, 0)}, SCIPY),
    ("laplace axes range", "laplace", (), {"axes": (3,)}, SCIPY),
    ("laplace axes int", "laplace", (), {"axes": 3}, SCIPY),
    ("laplace axes float", "laplace", (), {"axes": 1.5}, SCIPY),
    ("laplace mode length", "laplace", (), {"mode": ["reflect"]}, SCIPY),
    ("laplace mode entry", "laplace", (), {"mode": ["reflect", "foo"]}, SCIPY),
    ("laplace mode", "laplace", (), {"mode": "reflekt"}, SCIPY),
    ("laplace mode int", "laplace", (), {"mode": 5}, SCIPY),
    ("laplace mode vs axes", "laplace", (), {"mode": ["reflect"], "axes": (0, 1)}, SCIPY),
    ("laplace output shape", "laplace", (), {"output": np.zeros((2, 2))}, SCIPY),
    ("laplace output dtype", "laplace", (), {"output": "U3"}, SCIPY),
    ("laplace cval", "laplace", (), {"cval": "a"}, SCIPY),
    ("laplace cval complex", "laplace", (), {"cval": 1j}, SCIPY),
]
IDS = [c[0] for c in CASES]
#: cases whose input a native kernel does not take (complex): a named native backend
#: refuses them first (TypeError, "no native kernel"), "auto" hands them to scipy
AUTO_ONLY = {c[0] for c in CASES if c[3].get("input") is ZC or np.iscomplexobj(c[2][0]
                                                                                if c[2] else 0)}


def _scipy_error(fn, args, kw):
    kw = dict(kw)
    x = kw.pop("input", X)
    with pytest.raises(Exception) as info:
        getattr(ndi, fn)(x, *args, **kw)
    return info.value


def _check(fn, args, kw, pin, backend):
    want = _scipy_error(fn, args, kw)
    kw = dict(kw)
    x = kw.pop("input", X)
    with pytest.raises(type(want)) as info:
        getattr(pc, fn)(x, *args, backend=backend, **kw)
    got = info.value
    if type(want) is not type(got):
        # the one widening allowed: NumPy's AxisError (a ValueError and an IndexError)
        # where scipy raises a plain IndexError for an axis out of range
        assert type(got) is np.exceptions.AxisError and pin == TYPE, (type(want), type(got))
    if pin == SCIPY:
        assert re.search(re.escape(str(want)), str(got)), (str(want), str(got))


@pytest.mark.parametrize("name,fn,args,kw,pin", CASES, ids=IDS)
def test_native_backends_raise_scipys_errors(backend, name, fn, args, kw, pin):
    if name in AUTO_ONLY:
        # complex input or weights: a named native backend refuses the dtype before
        # scipy's checks (its own TypeError); anything else complex gets scipy's error
        want = _scipy_error(fn, args, kw)
        kw = dict(kw)
        x = kw.pop("input", X)
        with pytest.raises(TypeError) as info:
            getattr(pc, fn)(x, *args, backend=backend, **kw)
        assert (f"`backend`='{backend}'" in str(info.value)
                or str(want) in str(info.value)), (str(want), str(info.value))
        return
    _check(fn, args, kw, pin, backend)


@pytest.mark.parametrize("name,fn,args,kw,pin", CASES, ids=IDS)
def test_auto_raises_scipys_errors(name, fn, args, kw, pin):
    _check(fn, args, kw, pin, "auto")


def test_messages_keep_pycompute_detail():
    """scipy's text comes on top of the argument, the value and what is allowed."""
    with pytest.raises(RuntimeError) as info:
        pc.uniform_filter(X, (3, 3, 3))
    msg = str(info.value)
    assert "`size`=(3, 3, 3) has 3 entries" in msg
    assert "sequence argument must have length equal to input rank" in msg
    with pytest.raises(RuntimeError) as info:
        pc.gaussian_filter(X, 1.0, mode="reflekt")
    assert "`mode`='reflekt'" in str(info.value) and "'nearest'" in str(info.value)
    assert "boundary mode not supported" in str(info.value)
    with pytest.raises(ValueError) as info:
        pc.convolve1d(X, [1, 2, 3], origin=2)
    assert "`origin`=2" in str(info.value)  # the origin given, not the mirrored -2
    assert "-1 <= origin <= 1" in str(info.value)
    with pytest.raises(ValueError, match=r"got -3 from `sigma`=-1.0 and `truncate`=4.0"):
        pc.gaussian_filter1d(X, -1.0)
    with pytest.raises(np.exceptions.AxisError) as info:
        pc.sobel(X, axis=2)
    assert "`axis`=2 is out of range (allowed: -2..1)" in str(info.value)
    assert (info.value.axis, info.value.ndim) == (2, 2)
