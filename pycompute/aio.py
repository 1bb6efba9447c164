"""``await pycompute.aio.<kernel>(...)``: kernels off the event loop, for asyncio services.

Every public kernel of pycompute has an awaitable twin here with the same
arguments. The call runs in a thread pool (the kernels release the GIL, so the
event loop keeps running); the pool has as many workers as pycompute may use
threads, and concurrent calls share the cores through pycompute's thread
leases (a call that did not pass ``num_threads=`` gets what the running calls
leave free, at least one), so concurrency x threads per call stays within the
cores.

Context: each call runs in a copy of the awaiting task's context
(``contextvars.copy_context()``), so ``with pycompute.num_threads(n):`` around
an ``await`` applies to that call, per task.

Cancellation: cancelling the awaiting task stops the call. Every long call
(simulation runs, filters, reductions) is cut into native calls of about 50 ms
(``pycompute._cancel``) and stops at the next cut; only work pycompute hands to
scipy/NumPy (dtypes or options no native kernel covers) runs to its end. The
cancelled task ends once the worker has stopped, so its lease and threads are
back by then; nothing is left running.

>>> import asyncio, numpy as np
>>> import pycompute.aio as aio
>>> float(asyncio.run(aio.sum(np.arange(4.0))))
6.0
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from . import _cancel, _threads

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _families():
    from . import reductions

    mods = [reductions]
    for name in ("convolution", "derivatives", "rank", "simulation"):
        try:
            mods.append(__import__(f"pycompute.{name}", fromlist=["__all__"]))
        except ImportError:  # family not part of this build
            pass
    return mods


def kernel_names() -> list[str]:
    """Names of the kernels that have an awaitable twin."""
    return [n for m in _families() for n in m.__all__
            if not isinstance(getattr(m, n), type)]  # functions; not classes such as LifeBoard


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
        token = _cancel.Token()
        ctx = contextvars.copy_context()  # the task's num_threads() context travels along
        ctx.run(_cancel.bind, token)
        work = loop.run_in_executor(executor(), functools.partial(
            ctx.run, fn, *args, **kwargs))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            # stop the kernel and wait for its worker: when the cancellation
            # completes, the call's lease and threads are free again
            token.cancel()
            await asyncio.wait([work])
            if not work.cancelled():
                work.exception()  # retrieved (a Cancelled, as asked): nobody awaits it now
            raise

    run.__doc__ = f"Awaitable :func:`pycompute.{name}` (runs in pycompute's worker pool).\n\n" \
                  + (fn.__doc__ or "")
    run.__qualname__ = name
    return run


def __getattr__(name: str):
    for m in _families():
        if name in m.__all__ and not isinstance(getattr(m, name), type):
            wrapped = _wrap(name, getattr(m, name))
            globals()[name] = wrapped
            return wrapped
    raise AttributeError(f"module 'pycompute.aio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(kernel_names()))
