"""pycompute.aio: kernels off the event loop, bounded threads, clean cancellation."""
import asyncio
import threading
import time

import numpy as np
import pytest

import pycompute as pc
import pycompute.aio as aio


def _long_call_args():
    """A histogram with a binary search per element over many edges: about a second."""
    rng = np.random.default_rng(0)
    a = rng.random(1 << 22)
    edges = np.sort(rng.random(1 << 14))
    pc.histogram(a[:1000], bins=edges)  # warm up (compile) outside the measured loop
    t = time.perf_counter()
    pc.histogram(a, bins=edges, num_threads=1)
    per = time.perf_counter() - t
    reps = max(1, int(1.0 / max(per, 1e-3)))
    return np.tile(a, reps), edges


def test_every_kernel_has_an_awaitable_twin():
    names = aio.kernel_names()
    assert {"sum", "var", "histogram"} <= set(names)
    for n in names:
        assert asyncio.iscoroutinefunction(getattr(aio, n)), n
    with pytest.raises(AttributeError):
        aio.not_a_kernel


def test_event_loop_stays_responsive_during_a_long_kernel():
    a, edges = _long_call_args()

    async def main():
        late = []
        stop = asyncio.Event()

        async def heartbeat():
            loop = asyncio.get_running_loop()
            expected = loop.time()
            while not stop.is_set():
                expected += 0.001
                await asyncio.sleep(max(0.0, expected - loop.time()))
                late.append(loop.time() - expected)

        hb = asyncio.create_task(heartbeat())
        await asyncio.sleep(0.02)
        t = time.perf_counter()
        counts, _ = await aio.histogram(a, bins=edges, num_threads=1)
        took = time.perf_counter() - t
        stop.set()
        await hb
        return late, took, counts

    late, took, counts = asyncio.run(main())
    assert took > 0.3  # the kernel really ran long enough to matter
    assert counts.sum() == np.histogram(a, bins=edges)[0].sum()
    assert len(late) > 100
    # A kernel holding the GIL would stall every beat for the whole call (>= 0.3 s). The bounds
    # leave room for the OS scheduler on a loaded machine (a beat can wait a time slice or two
    # behind other processes) but not for a blocked loop.
    assert np.percentile(late, 90) < 0.010, np.percentile(late, 90)
    assert max(late) < min(0.1, took / 3), (max(late), took)


def test_many_concurrent_awaits_are_correct_and_bounded():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(20_000) for _ in range(100)]
    peak = []

    async def main():
        async def one(x):
            r = await aio.sum(x)
            peak.append(sum(1 for t in threading.enumerate() if t.name.startswith("pycompute-aio")))
            return r
        return await asyncio.gather(*(one(x) for x in arrays))

    results = asyncio.run(main())
    for x, r in zip(arrays, results):
        assert r == pc.sum(x)
    assert max(peak) <= pc.max_threads()


def test_cancellation_drops_the_result_and_releases_threads():
    a, edges = _long_call_args()

    async def main():
        task = asyncio.create_task(aio.histogram(a, bins=edges))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # the worker finishes the kernel on its own; afterwards every lease is released
        for _ in range(600):
            if pc._threads._in_use == 0 and aio.executor()._work_queue.empty():
                break
            await asyncio.sleep(0.01)
        return pc._threads._in_use

    assert asyncio.run(main()) == 0
    assert pc.get_num_threads() == pc.max_threads()


def test_async_example_runs_and_matches_sequential():
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, os.path.join(root, "examples", "async_filter_images.py"),
                          "--count", "4", "--size", "256"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "identical results: True" in out.stdout and "asyncio pipeline" in out.stdout
