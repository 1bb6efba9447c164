"""``await pycompute.aio.<kernel>(...)``: kernels off the event loop, for asyncio services.

Every public kernel of pycompute has an awaitable twin here with the same
arguments. The call runs in a thread pool (the kernels release the GIL, so the
event loop keeps running); the pool has as many workers as pycompute may use
threads, and concurrent calls share the cores through pycompute's thread
leases (a call that did not pass ``num_threads=`` gets what the running calls
leave free, at least one), so concurrency x threads per call stays within the
cores.

Cancellation: cancelling the awaiting task returns control at once; native
code cannot be interrupted, so the kernel finishes in its worker, its result is
dropped and its threads are released. Nothing is left running afterwards.

>>> import asyncio, numpy as np
>>> import pycompute.aio as aio
>>> float(asyncio.run(aio.sum(np.arange(4.0))))
6.0
"""
from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from . import _threads

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _families():
    from . import reductions

    mods = [reductions]
    for name in ("convolution", "simulation"):
        try:
            mods.append(__import__(f"pycompute.{name}", fromlist=["__all__"]))
        except ImportError:  # family not part of this build
            pass
    return mods


def kernel_names() -> list[str]:
    """Names of the kernels that have an awaitable twin."""
    return [n for m in _families() for n in m.__all__]


def executor() -> ThreadPoolExecutor:
    """The shared pool: one worker per thread pycompute may use."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_threads.max_threads(),
                                           thread_name_prefix="pycompute-aio")
        return _executor


def _wrap(name: str, fn):
    @functools.wraps(fn)
    async def run(*args, **kwargs):
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs)
        return await loop.run_in_executor(executor(), call)

    run.__doc__ = f"Awaitable :func:`pycompute.{name}` (runs in pycompute's worker pool).\n\n" \
                  + (fn.__doc__ or "")
    run.__qualname__ = name
    return run


def __getattr__(name: str):
    for m in _families():
        if name in m.__all__:
            wrapped = _wrap(name, getattr(m, name))
            globals()[name] = wrapped
            return wrapped
    raise AttributeError(f"module 'pycompute.aio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(kernel_names()))
