"""One Numba typing per dtype for the reduction kernels (issue 13).

Numba compiles (and caches on disk) one specialization per argument typing: a
read-only and a writeable input, a 'C' and an 'A' array, or a Literal[int] constant
passed from jitted code each cost a full compile of every kernel they reach. The
entry points in pycompute/_numba/reductions.py hand every input to Numba as a
read-only array (a strided 1-D view stays an 'A' array, for speed); these tests
fail if a read-only and a writeable input of one dtype make two specializations.
"""
import numpy as np
import pytest

import pycompute as pc

from pycompute._numba import reductions as nbr


def _typings(dispatcher, dtype):
    """The signatures of ``dispatcher`` whose first argument is an array of ``dtype``."""
    return [sig for sig in dispatcher.signatures
            if str(getattr(sig[0], "dtype", "")) == np.dtype(dtype).name]


def _variants(dtype):
    x = np.arange(1, 202, dtype=dtype)  # odd length: lanes and a tail
    ro = x.copy()
    ro.flags.writeable = False
    return x, ro, x[::2], ro[1::3]


# Entry points only: a kernel loaded from the disk cache brings its helpers' code
# along, so helpers (``_minmax_row``...) list no signatures in a warm process.
@pytest.mark.parametrize("op, kernel", [
    ("min", "_small_iext"), ("argmax", "_small_iarg"), ("sum", "_small_isum"), ("var", "var"),
    ("min", "minmax"), ("argmax", "argext"), ("sum", "sum_int"),
])
def test_one_specialization_per_dtype(op, kernel):
    # int16: a dtype the rest of the suite rarely reduces, so other tests' calls in
    # this process do not hide a second typing made here. Whole integer arrays run the
    # small-call kernels (var: the serial twin); one row along axis 1 the general path
    for v in _variants(np.int16):
        getattr(pc, op)(v, backend="numba", num_threads=1)
        getattr(pc, op)(v, axis=0, backend="numba", num_threads=1)
        getattr(pc, op)(v[None], axis=1, backend="numba", num_threads=1)
    entry = getattr(nbr, kernel)
    sigs = _typings(getattr(entry, "serial", entry), np.int16)
    # read-only always; one typing per layout ('C', and 'A' for the strided views the
    # small-call kernels take as they are; the general path hands in the C buffer)
    want = ["A", "C"] if kernel.startswith("_small") or kernel == "var" else ["C"]
    assert sorted(sig[0].layout for sig in sigs) == want, (kernel, sigs)
    assert not any(sig[0].mutable for sig in sigs), (kernel, sigs)


def test_readonly_and_writeable_share_one_kernel():
    x = np.linspace(-1.0, 1.0, 99, dtype=np.float32)
    ro = x.copy()
    ro.flags.writeable = False
    assert pc.sum(x, backend="numba", num_threads=1) == pc.sum(ro, backend="numba",
                                                               num_threads=1)
    pc.histogram(x, bins=5, backend="numba", num_threads=1)
    pc.histogram(ro, bins=5, backend="numba", num_threads=1)
    # a one-thread whole-array sum runs _sum_flat (the small-call entry), not
    # sum_float.serial: checking the latter passed only where another test had compiled it
    for fn in (nbr._sum_flat, nbr.histogram_uniform.kernel):
        # other tests in this process may have added an 'A' typing (strided float32
        # input); what must not exist is a writeable twin of any typing
        sigs = _typings(fn, np.float32)
        layouts = [sig[0].layout for sig in sigs]
        assert sigs and len(layouts) == len(set(layouts)), (fn, sigs)
        assert not any(sig[0].mutable for sig in sigs), (fn, sigs)
