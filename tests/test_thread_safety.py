"""Kernels release the GIL and give correct results when called from many Python threads."""
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import pycompute as pc


def test_eight_python_threads_at_once(backend):
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((64, 5000)).astype(np.float32) for _ in range(8)]
    expected = [(pc.sum(a, axis=1, backend=backend, num_threads=1),
                 pc.var(a, backend=backend, num_threads=1),
                 pc.argmax(a, axis=0, backend=backend, num_threads=1)) for a in arrays]

    def job(i):
        out = []
        for _ in range(20):
            a = arrays[i]
            out.append((pc.sum(a, axis=1, backend=backend), pc.var(a, backend=backend),
                        pc.argmax(a, axis=0, backend=backend)))
        return out

    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(job, range(8)))
    for i, runs in enumerate(results):
        for s, v, am in runs:
            # bitwise: results never depend on how many threads a call got
            assert s.tobytes() == expected[i][0].tobytes()
            assert v == expected[i][1]
            np.testing.assert_array_equal(am, expected[i][2])


def test_kernels_release_the_gil(backend):
    """A Python thread keeps running while another thread is inside a long kernel."""
    import threading

    a = np.random.default_rng(0).standard_normal(1 << 24)
    pc.sum(a[:1000], backend=backend)  # compile outside the measurement
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    start = len(ticks)
    for _ in range(5):
        pc.var(a, backend=backend, num_threads=1)
    done.set()
    t.join()
    assert len(ticks) - start >= 5  # the ticker ran during the kernels
