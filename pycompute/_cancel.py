"""Stopping a long call: Ctrl-C and ``pycompute.aio`` cancellation.

Native code cannot be stopped from outside: a kernel that released the GIL runs
until it returns, and Python handles a SIGINT only when its main thread is back
in the interpreter. So a call that can run long is cut into native calls of
bounded time (``SLICE`` seconds, sized from the time the previous one took),
and between two of them:

* the interpreter runs its signal handlers: Ctrl-C raises ``KeyboardInterrupt``
  in the main thread within about one slice;
* ``check()`` reads the calling context's :class:`Token`: ``pycompute.aio``
  sets it when the awaiting task is cancelled, and the call stops with
  :class:`Cancelled` (which ``aio`` turns back into the task's cancellation).

The results do not depend on where a run is cut: every slice does the same
operations in the same order as one uninterrupted call would. An output given
as ``out=`` holds a state part-way through the run when the call is stopped.
"""
from __future__ import annotations

import contextvars
import time

#: seconds one native call of a long run aims to take: a stop request waits at most about this long
SLICE = 0.05
#: the first slice's work (cell or pair updates), before its speed is known: a few ms on any CPU
FIRST_WORK = 1 << 23
#: a slice grows at most this much over the previous one (one fast slice is not a measurement)
GROWTH = 8


class Cancelled(Exception):
    """A pycompute call stopped because its :class:`Token` was cancelled."""


class Token:
    """A stop request for the calls made in one context (one ``aio`` call)."""

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


_token: contextvars.ContextVar[Token | None] = contextvars.ContextVar(
    "pycompute_cancel_token", default=None)


def bind(token: Token) -> None:
    """Make ``token`` the current context's stop request (``aio`` runs this in a copied context)."""
    _token.set(token)


def check() -> None:
    """Raise :class:`Cancelled` if the current context's token was cancelled."""
    t = _token.get()
    if t is not None and t.cancelled:
        raise Cancelled("the pycompute call was cancelled")


def run_sliced(total: int, work_per_unit: int, run, multiple: int = 1) -> None:
    """``run(start, count)`` over ``range(total)`` units (steps) in slices of about ``SLICE`` s.

    Between slices, pending signals are handled (by the interpreter, on the
    return from native code) and :func:`check` runs. A run whose first slice
    covers it all is one call, as if it were not sliced. Every slice but the
    last takes a multiple of ``multiple`` units: the thread count where the
    units are parallel tasks (a slice of fewer tasks than threads leaves threads
    idle: one 26 ms task a slice ran a 2-thread call at its 1-thread speed), the
    temporal block depth where they are the steps of a blocked stencil (a slice
    that ends mid-block adds a block). Otherwise slices of more than one step are
    even: an in-place grid's steps then end in its own buffer, with no copy back.
    A remainder shorter than half a slice (or than ``multiple``) joins the slice
    before it.
    """
    check()
    m = max(1, int(multiple))
    done = 0
    count = max(1, min(total, FIRST_WORK // max(work_per_unit, 1)))
    if m > 1:
        count = max(m, count - count % m)
    while done < total:
        c = min(count, total - done)
        if total - done - c < max(m, count // 2):
            c = total - done  # the rest would be a short slice: an inefficient last block
        t0 = time.perf_counter()
        run(done, c)
        elapsed = time.perf_counter() - t0
        done += c
        if done < total:
            check()
            fit = int(c * SLICE / elapsed) if elapsed > 0 else c * GROWTH
            count = max(1, min(fit, c * GROWTH))
            if m > 1:
                count = max(m, count - count % m)
            elif count > 1:
                count &= ~1


#: ``t1`` meaning "to the last task": a kernel clamps its task range to its task count
ALL_TASKS = (1 << 62)


def run_tasks(call, work: int, threads: int = 1) -> None:
    """Run a task-parallel kernel in slices of about ``SLICE`` s.

    ``call(t0, t1)`` runs the kernel's tasks ``t0 <= t < min(t1, T)`` and returns
    its task count ``T`` (``call(0, 0)`` does no work and only returns ``T``).
    ``work`` is the call's total work (outputs × taps, elements...), in the units of
    :data:`FIRST_WORK`. A call whose work is at most :data:`FIRST_WORK` is one native
    call with no extra cost; a longer one asks the kernel for ``T`` and runs
    :func:`run_sliced` over its tasks, so Ctrl-C and ``aio`` cancellation stop it
    between slices. Tasks write disjoint parts of the output and each task's result
    does not depend on which call ran it, so results are the same bits either way
    (a kernel's tasks may skip on what earlier tasks left in ``parts``, argmin's past
    a stop: slices run in order, from task 0).
    ``threads``: the kernel's thread count (slices take a multiple of it, see
    :func:`run_sliced`).
    """
    check()
    if work <= FIRST_WORK:
        call(0, ALL_TASKS)
        return
    total = int(call(0, 0))
    if total <= 0:
        return
    run_sliced(total, max(1, work // total), lambda first, count: call(first, first + count),
               max(1, int(threads)))
