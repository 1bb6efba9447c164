"""Choose Numba's threading layer deliberately.

* TBB is the one layer that is both thread-safe (several Python threads calling
  parallel kernels at once) and fork-safe. The ``tbb`` wheel installs
  ``libtbb.so.12`` under ``<prefix>/lib``, which is not on the loader path, so it
  is preloaded here before Numba looks for it.
* Cython kernels use the compiler's OpenMP (libgomp); Numba on TBB keeps the two
  runtimes apart instead of sharing (and fighting over) one OpenMP pool.
* ``NUMBA_THREADING_LAYER`` set by the user is respected. Without TBB the
  layer is chosen from the thread-safe ones ('threadsafe': TBB or OpenMP),
  never ``workqueue``, which aborts when two Python threads call in at once.
"""
from __future__ import annotations

import ctypes
import os
import site
import sys

_configured = False
_tbb_path: str | None = None


def _preload_tbb() -> str | None:
    names = ("libtbb.so.12", "libtbb.12.dylib", "tbb12.dll")
    dirs = []
    for prefix in (sys.prefix, sys.base_prefix, getattr(site, "USER_BASE", None)):
        if prefix:
            dirs += [os.path.join(prefix, "lib"), os.path.join(prefix, "Library", "bin")]
    for d in dirs:
        for name in names:
            path = os.path.join(d, name)
            if os.path.exists(path):
                try:
                    ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
                except OSError:
                    continue
                return path
    return None


def configure() -> None:
    global _configured, _tbb_path
    if _configured:
        return
    _tbb_path = _preload_tbb()
    if "numba" not in sys.modules and "NUMBA_NUM_THREADS" not in os.environ:
        # Numba's pool is sized once, at launch: make it as large as pycompute's maximum.
        from .._threads import effective_cpu_count, max_threads

        os.environ["NUMBA_NUM_THREADS"] = str(max(max_threads(), os.cpu_count() or 1,
                                                  effective_cpu_count()))
    import numba

    if not os.environ.get("NUMBA_THREADING_LAYER"):
        # 'safe' = thread- and fork-safe = TBB; without TBB prefer OpenMP, which is thread-safe.
        numba.config.THREADING_LAYER = "safe" if _tbb_path else "threadsafe"
    _configured = True


def prange_only() -> dict:
    """``parallel=`` for kernels that parallelize by hand: explicit ``prange`` loops, and
    none of Numba's automatic conversions (array expressions, ``np.zeros``-like calls,
    slice assignments and reductions into parfors, fusion). Those passes only cost
    compile time there (each parfor they make is one more gufunc to compile). A new
    dict per call: Numba empties the one it gets."""
    return dict(prange=True, comprehension=False, reduction=False, inplace_binop=False,
                setitem=False, numpy=False, stencil=False, fusion=False)


def readonly(a):
    """``a`` as a read-only view.

    Numba types a read-only array apart from a writeable one of the same dtype, so a
    kernel fed both compiles (and caches) twice per dtype; inputs that a kernel only
    reads go in read-only always (an accidental write is then a typing error)."""
    v = a.view()  # with setflags: 0.23 us, against 0.38 us to test ``a.flags`` first
    v.setflags(write=False)
    return v


#: (the caller's key) -> a jitted kernel's compiled entry point (see :func:`direct`)
_ENTRIES: dict = {}


def direct(key, disp, *args, out=None):
    """``disp(*args)`` through the compiled entry point of jitted ``disp`` for the types
    of ``args``, cached under ``key``: the call site's name for those types (``disp``,
    and the dtype, ndim and layout of each array argument; the site fixes its scalars'
    types). Every array but ``out`` is typed read-only, as :func:`readonly` would.

    The entry point skips the dispatcher's typing of every argument and the read-only
    views: ~0.6 us of a small reduction's ~1.6 us, where NumPy's takes 0.8-1.5 (issue
    11). Numba's unboxing checks only an array's itemsize: a key that does not pin each
    array's dtype, ndim and layout ('C' contiguous or not) would run a kernel on an
    array it was not compiled for; read-only typing is not checked, so writeable inputs
    reach the read-only specialization the dispatcher would give their views."""
    fn = _ENTRIES.get(key)
    if fn is None:
        from numba import types

        sig = []
        for a in args:
            t = disp.typeof_pyval(a)
            if isinstance(t, types.Array) and a is not out:
                t = t.copy(readonly=True)
            sig.append(t)
        fn = _ENTRIES[key] = disp.compile(tuple(sig))  # compiles, or loads the cache
    return fn(*args)


def layer() -> str:
    """The threading layer Numba runs (launching its pool if not yet launched)."""
    import numba
    from numba.np.ufunc import parallel

    try:
        parallel._launch_threads()
        return numba.threading_layer()
    except (ValueError, RuntimeError) as exc:  # no usable layer
        return f"none ({exc})"


def call_with_threads(n_threads: int, fn, *args):
    """``fn(*args)`` on ``n_threads`` Numba threads, then the previous count restored.

    The count is applied around the call with ``numba.set_num_threads`` (per
    Python thread in Numba, so concurrent callers do not disturb each other)
    rather than inside the kernel: a jitted function that calls
    ``set_num_threads`` cannot be cached on disk ("uses dynamic globals"), and
    every process would pay the full compile. Counts above Numba's pool (sized
    when Numba started, see :func:`configure`) run on the whole pool; results
    do not depend on the count.
    """
    import numba

    n = min(int(n_threads), numba.config.NUMBA_NUM_THREADS)
    prev = numba.get_num_threads()
    if prev != n:
        numba.set_num_threads(n)
    try:
        return fn(*args)
    finally:
        if prev != n:
            numba.set_num_threads(prev)


def threaded(kernel, at=-1):
    """``kernel`` callable as ``kernel(*args)`` with the thread count ``args[at]`` (the last
    argument, or third from last before a sliced call's ``t0, t1``) applied around it."""

    def call(*args):
        return call_with_threads(args[at], kernel, *args)

    call.__name__ = getattr(kernel, "__name__", "kernel")
    call.__doc__ = getattr(kernel, "__doc__", None)
    call.kernel = kernel
    return call
