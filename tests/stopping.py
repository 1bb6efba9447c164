"""Shared by the stopping tests (tests/test_interrupt*.py): Ctrl-C in a child process, and
cancelling an awaited ``pycompute.aio`` call.

Ctrl-C: a test writes the child's source, which builds its long calls and ends with

    from stopping import interrupt_each, report
    report(interrupt_each(calls, backend, warm, delay), usable)

and the parent runs it with :func:`run_child`, which checks that the process stayed usable
and holds no lease, and returns each call's latency (None: the call ran to its end).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- in the child


def interrupt_each(calls, backend, warm, delay):
    """SIGINT ``delay`` s into each of ``calls`` (name -> ``call(backend=, num_threads=)``)
    at 1 and 2 threads, ``warm()`` run before each (so nothing compiles in the timed call):
    ``{"name/threads": seconds from the signal to KeyboardInterrupt, or None}``."""
    # Python's handler even if SIGINT came in ignored (pytest started in the background by a
    # non-interactive shell): else the signal is dropped and each call runs to its end
    signal.signal(signal.SIGINT, signal.default_int_handler)
    out = {}
    for name, call in calls.items():
        for nt in (1, 2):
            warm()
            sent = []
            timer = threading.Timer(delay, lambda: (sent.append(time.perf_counter()),
                                                    os.kill(os.getpid(), signal.SIGINT)))
            timer.start()
            try:
                call(backend=backend, num_threads=nt)
                out[f"{name}/{nt}"] = None  # ran to its end: not interrupted
            except KeyboardInterrupt:
                out[f"{name}/{nt}"] = time.perf_counter() - sent[0]
            timer.join()
    return out


def report(latencies, usable):
    """Print what the parent reads: the latencies, whether the process still computed the
    right answers (``usable``), and the thread leases still held."""
    import pycompute as pc

    print(json.dumps(dict(latencies, usable=bool(usable), leases=pc._threads._in_use)))


# ---------------------------------------------------------------- in the test


def one_task_slices(monkeypatch):
    """Make every long-call driver (``_cancel.run_sliced`` / ``run_tasks``) cut a call into
    unit a slice from the first one on (one step, or one task per thread of a parallel
    kernel); return the list that each sliced run appends its unit count to."""
    from pycompute import _cancel

    seen = []
    real = _cancel.run_sliced
    monkeypatch.setattr(_cancel, "FIRST_WORK", 1)
    monkeypatch.setattr(_cancel, "SLICE", 0.0)
    monkeypatch.setattr(_cancel, "run_sliced",
                        lambda total, w, run, threads=1: (seen.append(total),
                                                          real(total, w, run, threads)))
    return seen



def run_child(source, *args, timeout=600):
    """Run ``source`` (see the module docstring) in a fresh interpreter with ``args`` as
    ``sys.argv[1:]``; assert it exited cleanly, stayed usable and released every lease;
    return its latencies."""
    env = dict(os.environ, PYCOMPUTE_FOLLOW_LOAD="0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH")) if p)
    p = subprocess.run([sys.executable, "-c", source, *map(str, args)], capture_output=True,
                       text=True, timeout=timeout, env=env)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout.strip().splitlines()[-1])
    assert res.pop("usable") is True
    assert res.pop("leases") == 0
    return res


def cancel_awaited(start, delay=0.3):
    """Start ``start()`` (an ``aio`` call) as a task, cancel it ``delay`` s in, and await it:
    ``(seconds from the cancel to the task's end, thread leases held after)``. The call
    must still be running when cancelled and must end cancelled."""
    from pycompute import _threads

    async def main():
        task = asyncio.create_task(start())
        await asyncio.sleep(delay)
        assert not task.done()  # it is running
        t = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the cancelled call ran to its end")
        return time.perf_counter() - t, _threads._in_use

    return asyncio.run(main())
