"""One bad-input table, run against both native backends (and the reference).

Every call below is refused before any kernel runs, so the Cython and Numba
backends must raise the same exception with the same message; each row also
pins the exception type and a part of the message, so a row that stopped
raising (or raised something vaguer) fails. Rows cover each public function's
arguments: dtypes, shapes, modes, sizes and counts outside what the kernels'
integer types hold.
"""
import numpy as np
import pytest

import pycompute as pc

F32 = np.zeros((6, 7), np.float32)
F64 = np.zeros((6, 7))
POS = np.zeros((5, 3))
M = np.ones(5)
GS = dict(Du=0.16, Dv=0.08, F=0.035, k=0.065)

# (id, call(backend) -> anything, exception type, regex the message must contain)
TABLE = [
    # reductions
    ("sum-axis", lambda b: pc.sum(F64, axis=2, backend=b), np.exceptions.AxisError,
     r"`axis`=2 is out of range \(allowed: -2\.\.1\)"),
    ("sum-axis-type", lambda b: pc.sum(F64, axis=1.5, backend=b), TypeError, r"`axis`"),
    ("mean-dup-axes", lambda b: pc.mean(F64, axis=(0, 0), backend=b), ValueError, r"axis"),
    ("std-ddof-type", lambda b: pc.std(F64, ddof="1", backend=b), TypeError,
     r"`ddof` must be a real number, got '1'"),
    ("min-empty", lambda b: pc.min(np.zeros(0), backend=b), ValueError,
     r"zero-size array"),
    ("argmax-empty", lambda b: pc.argmax(np.zeros((0, 3)), axis=0, backend=b), ValueError,
     r"empty"),
    ("histogram-bins0", lambda b: pc.histogram(F64, bins=0, backend=b), ValueError,
     r"`bins` must be positive"),
    ("histogram-bins-huge", lambda b: pc.histogram(F64, bins=2**63, backend=b),
     MemoryError, r"`bins`=9223372036854775808"),
    ("histogram-bins-2**40", lambda b: pc.histogram(F64, bins=2**40, backend=b),
     MemoryError, r"`bins`=1099511627776"),
    ("histogram-range", lambda b: pc.histogram(F64, bins=4, range=(1.0, 0.0), backend=b),
     ValueError, r"max must be larger than min in range parameter"),
    ("sum-threads0", lambda b: pc.sum(F64, num_threads=0, backend=b), ValueError,
     r"`num_threads`=0 is out of range"),
    # filters
    ("correlate-rank", lambda b: pc.correlate(F32, np.ones(3), backend=b), RuntimeError,
     r"weights.ndim \(1\) must match len\(axes\) \(2\)"),
    ("correlate1d-empty", lambda b: pc.correlate1d(F32, [], backend=b), RuntimeError,
     r"no filter weights given"),
    ("correlate1d-origin", lambda b: pc.correlate1d(F32, [1, 1, 1], origin=2, backend=b),
     ValueError, r"`origin`=2 must satisfy -1 <= origin <= 1"),
    ("convolve-mode", lambda b: pc.convolve(F32, np.ones((3, 3)), mode="edge", backend=b),
     RuntimeError, r"boundary mode not supported"),
    ("uniform1d-size0", lambda b: pc.uniform_filter1d(F32, 0, backend=b), RuntimeError,
     r"incorrect filter size: `size`=0 must be >= 1"),
    ("uniform1d-size-huge", lambda b: pc.uniform_filter1d(F32, 2**40, backend=b),
     MemoryError, r"`size`=1099511627776"),
    ("gaussian-sigma-len", lambda b: pc.gaussian_filter(F32, [1, 2, 3], backend=b),
     RuntimeError, r"sequence argument must have length equal to input rank"),
    ("gaussian-sigma-huge", lambda b: pc.gaussian_filter(F32, 1e8, backend=b), MemoryError,
     r"`sigma`"),
    ("gaussian-order", lambda b: pc.gaussian_filter1d(F32, 1.0, order=-1, backend=b),
     ValueError, r"order"),
    ("sobel-axis", lambda b: pc.sobel(F32, axis=3, backend=b), np.exceptions.AxisError,
     r"axis"),
    ("laplace-output-shape", lambda b: pc.laplace(F32, output=np.zeros((2, 2), np.float32),
                                                  backend=b), RuntimeError,
     r"output shape not correct"),
    ("prewitt-complex-native", lambda b: pc.prewitt(F32 + 0j, backend=b), TypeError,
     r"no native kernel"),
    # simulation
    ("heat-dtype", lambda b: pc.heat_step(np.zeros(4, np.int64), alpha=0.1, backend=b),
     TypeError, r"`u` must have dtype float32 or float64, got int64"),
    ("heat-nan", lambda b: pc.heat_step(np.array([1.0, np.nan]), alpha=0.1, backend=b),
     ValueError, r"`u` contains NaN or infinite values"),
    ("heat-steps-neg", lambda b: pc.heat_step(F64, alpha=0.1, steps=-1, backend=b),
     ValueError, r"`steps`=-1 must be >= 0"),
    ("heat-steps-2**63", lambda b: pc.heat_step(F64, alpha=0.1, steps=2**63, backend=b),
     OverflowError, r"`steps`=9223372036854775808 is too large"),
    ("heat-steps-float", lambda b: pc.heat_step(F64, alpha=0.1, steps=1.5, backend=b),
     TypeError, r"`steps` must be an int"),
    ("heat-mode", lambda b: pc.heat_step(F64, alpha=0.1, mode="periodic", backend=b),
     ValueError, r"`mode`='periodic' is not one of"),
    ("heat-out", lambda b: pc.heat_step(F64, alpha=0.1, out=np.zeros(4), backend=b),
     ValueError, r"`out` has shape \(4,\), but the result has shape \(6, 7\)"),
    ("life-dtype", lambda b: pc.life_step(F64, backend=b), TypeError,
     r"`board` must have dtype bool or uint8, got float64"),
    ("life-values", lambda b: pc.life_step(np.full((3, 3), 2, np.uint8), backend=b),
     ValueError, r"`board` of dtype uint8 must hold only 0 and 1, found 2"),
    ("life-rule", lambda b: pc.life_step(F64 > 0, rule="B9/S23", backend=b), ValueError,
     r"`rule`='B9/S23' is not a life-like rule"),
    ("life-steps-2**64-1", lambda b: pc.life_step(F64 > 0, steps=2**64 - 1, backend=b),
     OverflowError, r"`steps`=18446744073709551615 is too large"),
    ("life-mode", lambda b: pc.life_step(F64 > 0, mode="reflect", backend=b), ValueError,
     r"`mode`='reflect' is not one of 'wrap', 'constant'"),
    ("gs-shape", lambda b: pc.gray_scott_step(F64, np.zeros((6, 6)), backend=b, **GS),
     ValueError, r"`v` has shape \(6, 6\), but `u` has shape \(6, 7\)"),
    ("gs-F-nan", lambda b: pc.gray_scott_step(F64, F64, backend=b, **{**GS, "F": np.nan}),
     ValueError, r"`F`=nan must be finite"),
    ("gs-steps-2**64", lambda b: pc.gray_scott_step(F64, F64, steps=2**64, backend=b, **GS),
     OverflowError, r"`steps`=18446744073709551616 is too large"),
    ("nbody-mass", lambda b: pc.nbody_accelerations(POS, M[:4], softening=0.1, backend=b),
     ValueError, r"`mass` must have shape \(5,\) to match `pos`"),
    ("nbody-pos", lambda b: pc.nbody_accelerations(POS[:, :2], M, softening=0.1, backend=b),
     ValueError, r"`pos` must have shape \(N, 3\), got \(5, 2\)"),
    ("nbody-step-steps", lambda b: pc.nbody_step(POS, POS, M, dt=0.1, softening=0.1,
                                                 steps=2**63, backend=b), OverflowError,
     r"`steps`=9223372036854775808 is too large"),
    ("nbody-energy-vel", lambda b: pc.nbody_energy(POS, POS[:4], M, softening=0.1, backend=b),
     ValueError, r"`vel`"),
]


def _native():
    return [b.name for b in pc.backends() if b.available and b.name != "numpy"]


@pytest.mark.parametrize("name, call, exc, match", TABLE, ids=[t[0] for t in TABLE])
def test_both_native_backends_refuse_alike(name, call, exc, match):
    seen = {}
    for b in _native():
        with pytest.raises(exc, match=match) as info:
            call(b)
        # the same text, but for the backend's own name where the message names it
        seen[b] = (type(info.value), str(info.value).replace(repr(b), "<backend>"))
    assert len(set(seen.values())) == 1, seen
    assert len(seen) == 2, seen  # both native backends ran the row
