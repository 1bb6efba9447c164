"""Dask routing of the derivative and rank filters: equal to the single-machine call, bit for bit.

Chunks smaller than the window's reach, odd chunk sizes and every mode; the
halo comes from sigma/truncate/radius (derivatives) or size/footprint/origin
(rank filters). Computed with Dask's synchronous scheduler (the cluster path
is the same graph; tests/test_dask.py runs it on a cluster)."""
import dask.array as da
import numpy as np
import pytest

import pycompute as pc

RNG = np.random.default_rng(7)
X = {"float32": RNG.random((37, 52)).astype(np.float32),
     "float64": RNG.random((37, 52)),
     "uint8": RNG.integers(0, 256, (37, 52), dtype=np.uint8)}
FP = np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]], bool)
MODES = ["reflect", "wrap", "constant", "nearest", "mirror"]

CASES = [
    ("gaussian_gradient_magnitude", (1.5,), {}, ("float32", "float64")),
    ("gaussian_laplace", (2.0,), {"truncate": 3.0}, ("float32", "float64")),
    ("generic_gradient_magnitude", (pc.sobel,), {}, ("float32", "float64")),
    ("generic_laplace", (pc.derivatives.laplace_derivative2,), {}, ("float32", "float64")),
    ("minimum_filter1d", (5,), {}, ("float32", "uint8")),
    ("maximum_filter1d", (4,), {"axis": 0, "origin": 1}, ("float64", "uint8")),
    ("minimum_filter", (), {"size": (3, 6)}, ("float32", "uint8")),
    ("maximum_filter", (), {"footprint": FP, "origin": (0, 1)}, ("float64", "uint8")),
    ("median_filter", (), {"size": 5}, ("float32", "uint8")),
    ("rank_filter", (2,), {"size": 3}, ("float64",)),
    ("percentile_filter", (30,), {"footprint": FP}, ("uint8",)),
]


@pytest.mark.parametrize("name, args, kw, dtypes", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("chunks", [(8, 11), (37, 5)])
def test_chunked_equals_whole(name, args, kw, dtypes, chunks):
    fn = getattr(pc, name)
    for dt in dtypes:
        x = X[dt]
        d = da.from_array(x, chunks=chunks)
        for mode in MODES:
            got = fn(d, *args, mode=mode, **kw)
            assert isinstance(got, da.Array)
            got = got.compute(scheduler="sync")
            want = fn(x, *args, mode=mode, **kw)
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (dt, mode)


def test_a_user_derivative_on_a_dask_array_is_refused():
    d = da.from_array(X["float64"], chunks=(8, 11))
    with pytest.raises(ValueError, match="`derivative2`=.* is not one of pycompute's derivative"):
        pc.generic_laplace(d, lambda *a, **k: None)
    with pytest.raises(ValueError, match="`derivative`=.* is not one of pycompute's derivative"):
        pc.generic_gradient_magnitude(d, np.gradient)
