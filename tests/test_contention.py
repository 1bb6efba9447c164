"""A busy machine: kernels stay correct with another process holding a core, and
pycompute's OpenMP runtime is loaded with a short spin (pycompute/_threads.py).

Correctness only: the times live in benchmarks/run_contention.py, never here.
"""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import pycompute as pc
from pycompute import _threads


@pytest.fixture
def busy_core():
    """One `while True: pass` process pinned to the last core, for the test's duration.

    It is yielded once it has started its loop (it says so on stdout): before that
    a starting interpreter waits on disk reads and is not yet runnable.
    """
    p = subprocess.Popen([sys.executable, "-c",
                          "import sys; print('spinning', flush=True)\nwhile True: pass"],
                         stdout=subprocess.PIPE)
    try:
        try:
            os.sched_setaffinity(p.pid, {(os.cpu_count() or 1) - 1})
        except (AttributeError, OSError):
            pass
        assert p.stdout.readline() == b"spinning\n"
        yield p
    finally:
        p.kill()
        p.wait()


def _calls():
    rng = np.random.default_rng(7)
    x = rng.random(1 << 20, dtype=np.float32)
    img = rng.random((600, 700), dtype=np.float32)
    u = rng.random((200, 230))
    board = rng.random((200, 230)) < 0.3
    gu = np.ones((150, 160), np.float32)
    gv = (rng.random((150, 160)) * 0.25).astype(np.float32)
    pos = rng.standard_normal((700, 3))
    mass = rng.random(700)
    return {
        "sum": lambda **k: pc.sum(x, **k),
        "var": lambda **k: pc.var(x, **k),
        "argmax": lambda **k: pc.argmax(x, **k),
        "gaussian_filter": lambda **k: pc.gaussian_filter(img, 2.0, **k),
        "correlate": lambda **k: pc.correlate(img, np.ones((5, 5), np.float32) / 25, **k),
        "heat_step": lambda **k: pc.heat_step(u, steps=200, alpha=0.2, **k),
        "life_step": lambda **k: pc.life_step(board, steps=200, **k),
        "gray_scott_step": lambda **k: np.stack(pc.gray_scott_step(
            gu, gv, Du=0.16, Dv=0.08, F=0.035, k=0.065, steps=200, **k)),
        "nbody_step": lambda **k: np.stack(pc.nbody_step(
            pos, np.zeros_like(pos), mass, dt=1e-3, steps=5, softening=0.01, **k)),
    }


@pytest.mark.parametrize("backend", ["cython", "numba"])
def test_results_under_load_equal_one_thread_results(backend, busy_core):
    for name, fn in _calls().items():
        one = np.asarray(fn(backend=backend, num_threads=1))
        for _ in range(2):
            got = np.asarray(fn(backend=backend))  # default threads, one core busy
            assert got.dtype == one.dtype and got.tobytes() == one.tobytes(), name
        assert busy_core.poll() is None  # the competitor really ran throughout


def test_default_threads_follow_the_load_of_other_processes(busy_core, monkeypatch):
    mx = _threads.max_threads()
    readings = []
    # two fresh readings in a row must both see the neighbour; a reading can miss it
    # while the scheduler has it off the run queue for an instant, so the pair is
    # tried for up to 10 s before the test gives up
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        for _ in range(2):
            monkeypatch.setattr(_threads, "_load_at", -1.0)
            busy = _threads.other_busy_cpus()
        readings.append(busy)
        if busy >= 1:
            break
        time.sleep(0.05)
    assert busy >= 1, readings  # the pinned busy loop is runnable
    with _threads.lease(mx, explicit=False) as n:
        assert n <= max(1, mx - 1)
    with _threads.lease(mx, explicit=True) as n:
        assert n == mx  # an explicit count is honoured whatever the load
    monkeypatch.setattr(_threads, "_FOLLOW_LOAD", False)
    assert _threads.other_busy_cpus() == 0


def test_openmp_runtime_loaded_with_a_short_spin():
    pc.sum(np.ones(10), backend="cython")  # loads the kernels, hence libgomp
    policy = _threads.wait_policy()
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        assert policy.startswith("the user's")
    else:
        assert policy.startswith(f"GOMP_SPINCOUNT={_threads.SPINCOUNT} ")
        assert "GOMP_SPINCOUNT" not in os.environ  # set only while libgomp loaded
    from pycompute._info import format_info

    assert "OpenMP waits" in format_info(pc.info())


@pytest.mark.parametrize("env, expect", [
    ({"OMP_WAIT_POLICY": "active"}, "the user's OMP_WAIT_POLICY=active"),
    ({"GOMP_SPINCOUNT": "50"}, "the user's GOMP_SPINCOUNT=50"),
    ({}, f"GOMP_SPINCOUNT={_threads.SPINCOUNT} for"),
])
def test_a_users_wait_policy_wins(env, expect):
    code = ("import numpy as np, pycompute as pc, os\n"
            "pc.sum(np.ones(10), backend='cython')\n"
            "from pycompute import _threads\n"
            "print(_threads.wait_policy())\n"
            "print(os.environ.get('GOMP_SPINCOUNT'))\n")
    full = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    full.update(env)
    res = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    policy, spin = res.stdout.splitlines()
    assert policy.startswith(expect)
    assert spin == env.get("GOMP_SPINCOUNT", "None")
