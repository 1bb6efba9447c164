"""Backend registry: the one place that decides which implementation runs a call.

Backends:

``"numpy"``
    The reference (``pycompute._reference``): plain NumPy/SciPy, one thread.
``"cython"``
    ``pycompute._kernels.<level package>.<family>``: nogil kernels, OpenMP ``prange``;
    the SIMD level is bound once per process by :mod:`pycompute._simd`.
``"numba"``
    ``pycompute._numba.<family>``: ``@njit(parallel=True, nogil=True, cache=True)``.
``"auto"`` (default)
    The faster native backend for this kernel, from a table measured by
    ``pycompute compare --backends`` (``auto_backends.json`` beside this module,
    or the file ``PYCOMPUTE_AUTO_TABLE`` names): Numba first where it measured
    at least ``AUTO_MARGIN`` times faster than Cython at every thread count
    timed, Cython first everywhere else (compiled ahead of time: no JIT
    warm-up). If the first choice is not available, the other one runs; calls
    no native kernel covers go to the reference.

A family module passes ``native_ok`` (does a native kernel cover these inputs?)
and gets back either a kernel module or ``None`` (= run the reference).
Naming a native backend for inputs it does not cover raises ``TypeError``.
"""
from __future__ import annotations

import contextlib
import contextvars
import importlib
import importlib.util
import json
import os
from dataclasses import dataclass

BACKENDS = ("numpy", "cython", "numba")
_CHOICES = ("auto",) + BACKENDS
_NATIVE_ORDER = ("cython", "numba")
_PACKAGES = {"numba": "pycompute._numba"}  # cython: pycompute._simd.kernels

_available: dict[str, tuple[bool, str]] = {}
_modules: dict[tuple[str, str], object] = {}

#: ``auto`` puts Numba first for a kernel only when Numba measured at least this much faster
#: than Cython at every thread count timed: below it, run-to-run noise (a few %) decides, and
#: Cython has no first-call compile
AUTO_MARGIN = 1.10
AUTO_TABLE_ENV = "PYCOMPUTE_AUTO_TABLE"
AUTO_TABLE_SCHEMA = "pycompute.auto_backends/1"
#: kernel names the families pass that the table times under another name (same kernel
#: code); convolve, convolve1d, gaussian_filter1d and prewitt reach choose() through the
#: correlate, correlate1d and sobel paths and pass those names
AUTO_KEYS = {
    "mean": "sum", "std": "var", "min": "max", "argmax": "argmin",
    "correlate1d": "correlate", "uniform_filter1d": "uniform_filter",
    "nbody_step": "nbody_accelerations", "nbody_energy": "nbody_accelerations",
}
_auto_order: dict[str, tuple[str, ...]] | None = None
_auto_source = ""


def auto_table_path() -> str:
    """The table ``auto`` reads: ``$PYCOMPUTE_AUTO_TABLE``, else the one shipped with pycompute."""
    return os.environ.get(AUTO_TABLE_ENV) or os.path.join(os.path.dirname(__file__),
                                                          "auto_backends.json")


def auto_decision(ratios) -> tuple[str, ...]:
    """Native backends in the order ``auto`` tries them, from Numba time / Cython time
    measured at each thread count (``ratios``)."""
    ratios = [r for r in ratios if r is not None and r > 0]
    if ratios and max(ratios) * AUTO_MARGIN <= 1.0:
        return ("numba", "cython")
    return _NATIVE_ORDER


def _load_auto_table() -> dict[str, tuple[str, ...]]:
    """kernel -> backend order, from the table file (read once; a bad file is an error)."""
    global _auto_order, _auto_source
    if _auto_order is not None:
        return _auto_order
    path = auto_table_path()
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("schema") != AUTO_TABLE_SCHEMA:
            raise ValueError(f"schema {doc.get('schema')!r}, expected {AUTO_TABLE_SCHEMA!r}")
        order = {k: auto_decision(v["numba_over_cython"]) for k, v in doc["kernels"].items()}
    except FileNotFoundError:
        if os.environ.get(AUTO_TABLE_ENV):
            raise ValueError(f"{AUTO_TABLE_ENV}={path!r}: no such file") from None
        order, path = {}, "(no table: Cython first everywhere)"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the backend table {path!r} cannot be read ({exc}); write it with "
                         f"`pycompute compare --backends --auto-table FILE`") from None
    _auto_order, _auto_source = order, path
    return order


def auto_order(kernel: str | None) -> tuple[str, ...]:
    """The native backends ``auto`` tries for ``kernel`` (a public function name), in order."""
    if kernel is None:
        return _NATIVE_ORDER
    return _load_auto_table().get(AUTO_KEYS.get(kernel, kernel), _NATIVE_ORDER)


def auto_table() -> dict:
    """What ``auto`` prefers per kernel and where that came from (for ``pycompute info``)."""
    order = _load_auto_table()
    return {"source": _auto_source, "margin": AUTO_MARGIN,
            "numba_first": sorted(k for k, v in order.items() if v[0] == "numba")}


@dataclass(frozen=True)
class BackendInfo:
    name: str
    available: bool
    reason: str

    def __str__(self):
        state = "available" if self.available else "unavailable"
        return f"{self.name}: {state} ({self.reason})"


def _probe(name: str) -> tuple[bool, str]:
    hit = _available.get(name)
    if hit is not None:
        return hit
    if name == "numpy":
        res = (True, "reference implementation, single-threaded")
    elif name == "cython":
        try:
            rt = importlib.import_module("pycompute._kernels.pycompute_runtime")
        except ImportError as exc:
            res = (False, f"compiled kernels not importable ({exc}); build with `pip install .`")
        else:
            from . import _simd

            info = rt.build_info()
            sel = _simd.select()
            omp = "OpenMP" if info["openmp"] else "no OpenMP: single-threaded"
            if sel.level is None:
                res = (False, f"compiled kernels disabled: {sel.reason}")
            else:
                res = (True, f"compiled, {omp}, SIMD level {sel.level}")
    elif name == "numba":
        if importlib.util.find_spec("numba") is None:
            res = (False, "numba is not installed (pip install numba)")
        else:
            res = (True, "JIT-compiled on first call per dtype, cached on disk")
    else:  # pragma: no cover - guarded by check_backend
        res = (False, "unknown backend")
    _available[name] = res
    return res


def backends() -> list[BackendInfo]:
    """Every backend, whether it is available, and why (not).

    >>> import pycompute as pc
    >>> [b.name for b in pc.backends()]
    ['numpy', 'cython', 'numba']
    """
    return [BackendInfo(n, *_probe(n)) for n in BACKENDS]


def check_backend(backend) -> str:
    if not isinstance(backend, str) or backend not in _CHOICES:
        raise ValueError(
            f"`backend`={backend!r} is not one of {', '.join(map(repr, _CHOICES))}"
        )
    return backend


def kernels(name: str, family: str):
    """The kernel module of ``family`` for native backend ``name`` (imported once)."""
    if name == "cython":  # the SIMD level room imports (and keeps) the compiled modules
        from . import _simd

        return _simd.kernels(family)
    key = (name, family)
    mod = _modules.get(key)
    if mod is None:
        mod = importlib.import_module(f"{_PACKAGES[name]}.{family}")
        _modules[key] = mod
    return mod


def choose(backend, family: str, native_ok: bool, what: str = "these inputs",
           kernel: str | None = None):
    """Kernel module to run, or ``None`` for the reference.

    ``what`` describes the inputs for the error message (e.g. "dtype complex128");
    ``kernel`` (the public function's name) picks ``auto``'s order from the table.
    """
    if backend == "auto":
        if not native_ok:
            return None
        for name in auto_order(kernel):
            if _probe(name)[0]:
                try:
                    return kernels(name, family)
                except ImportError:  # no compiled level of this family loads: next backend
                    continue
        return None
    if backend == "numpy":
        return None
    check_backend(backend)
    ok, reason = _probe(backend)
    if not ok:
        raise ValueError(f"`backend`={backend!r} is not available: {reason}")
    if not native_ok:
        raise TypeError(
            f"`backend`={backend!r} has no native kernel for {what}; "
            f"use backend='auto' (falls back to the reference) or backend='numpy'"
        )
    return kernels(backend, family)


# ---------------------------------------------------------------- float32 filter arithmetic

#: how float32 filters with float32 output accumulate: "fast" (float32 lanes with FMA,
#: one rounding per tap) or "scipy" (float64, rounded once per pass, equal to scipy bit for bit)
PRECISIONS = ("fast", "scipy")
_precision: contextvars.ContextVar[str] = contextvars.ContextVar("pycompute_precision",
                                                                 default="fast")


def _check_precision(value) -> str:
    if not isinstance(value, str) or value not in PRECISIONS:
        raise ValueError(f"`precision`={value!r} is not one of "
                         f"{', '.join(map(repr, PRECISIONS))}")
    return value


@contextlib.contextmanager
def precision(value: str):
    """Within the block, float32 filters accumulate as ``value`` says ("fast" or "scipy").

    Per thread and per asyncio task (a context variable), like
    :func:`pycompute.num_threads`; a ``precision=`` argument wins.

    >>> import numpy as np, pycompute as pc, scipy.ndimage as ndi
    >>> x = np.random.default_rng(0).random((64, 64), dtype=np.float32)
    >>> with pc.precision("scipy"):
    ...     bool((pc.gaussian_filter(x, 2) == ndi.gaussian_filter(x, 2)).all())
    True
    """
    token = _precision.set(_check_precision(value))
    try:
        yield value
    finally:
        _precision.reset(token)


def resolve_precision(value=None) -> str:
    """A filter's ``precision=`` argument, or the context's (default "fast")."""
    return _precision.get() if value is None else _check_precision(value)
