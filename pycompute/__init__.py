"""pycompute: CPU-bound array kernels on every core, with SIMD, from one Python call.

Families: reductions (NumPy drop-ins), convolution, derivatives and rank
filters (scipy.ndimage drop-ins) and simulation steps (heat, Life, Gray-Scott, N-body). Each public function
validates its arguments, resolves the thread count (:mod:`pycompute._threads`),
picks a backend (:mod:`pycompute._backends`) and runs a native kernel or the
NumPy/SciPy reference. Dask arrays are routed to :mod:`pycompute.dask`;
:mod:`pycompute.aio` has awaitable twins for asyncio programs.
"""
__version__ = "0.1.0"

from . import _threads
from ._backends import backends, precision
from ._threads import get_num_threads, max_threads, num_threads, set_num_threads
from .convolution import (convolve, convolve1d, correlate, correlate1d, gaussian_filter,
                          gaussian_filter1d, laplace, prewitt, sobel, uniform_filter,
                          uniform_filter1d)
from .derivatives import (gaussian_gradient_magnitude, gaussian_laplace,
                          generic_gradient_magnitude, generic_laplace)
from .rank import (maximum_filter, maximum_filter1d, median_filter, minimum_filter,
                   minimum_filter1d, percentile_filter, rank_filter)
from .reductions import argmax, argmin, histogram, max, mean, min, std, sum, var
from .simulation import (LifeBoard, gray_scott_step, heat_step, life_step, nbody_accelerations,
                         nbody_energy, nbody_step)

__all__ = [
    "__version__",
    "backends",
    "get_num_threads",
    "set_num_threads",
    "num_threads",
    "max_threads",
    "precision",
    "info",
    # reductions
    "sum", "mean", "min", "max", "argmin", "argmax", "var", "std", "histogram",
    # convolution
    "correlate1d", "convolve1d", "correlate", "convolve", "uniform_filter1d", "uniform_filter",
    "gaussian_filter1d", "gaussian_filter", "sobel", "prewitt", "laplace",
    "gaussian_gradient_magnitude", "gaussian_laplace", "generic_gradient_magnitude",
    "generic_laplace",
    # rank filters (min/max, median, rank, percentile)
    "minimum_filter1d", "maximum_filter1d", "minimum_filter", "maximum_filter", "rank_filter",
    "median_filter", "percentile_filter",
    # simulation
    "heat_step", "life_step", "LifeBoard", "gray_scott_step", "nbody_accelerations",
    "nbody_energy", "nbody_step",
]


def info() -> dict:
    """Version, backends, SIMD levels, build flags, OpenMP runtime, Numba threading layer, threads."""
    from ._info import collect

    return collect()


def _load_runtime():
    """Load the compiled runtime (so threadpoolctl can see it) and register the controller."""
    try:
        from ._kernels import pycompute_runtime  # noqa: F401
    except ImportError:
        return
    _threads._register_threadpoolctl()


_load_runtime()
# Bind the SIMD level of the compiled kernels now: PYCOMPUTE_SIMD is read at import.
from . import _simd  # noqa: E402

_simd.select()


def _route_dask_arrays():
    """Every kernel accepts Dask arrays and returns Dask arrays (see pycompute.dask)."""
    from ._dispatch import dask_aware

    g = globals()
    for name in _KERNELS:
        g[name] = dask_aware(g[name])


_KERNELS = [n for n in __all__ if n not in (
    "__version__", "backends", "get_num_threads", "set_num_threads", "num_threads",
    "max_threads", "precision", "info", "LifeBoard")]
_route_dask_arrays()
