"""Thread-count resolution: priority order, validation, threadpoolctl, sharing, fork."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import pycompute as pc
from pycompute import _threads


@pytest.fixture(autouse=True)
def clean_state(monkeypatch):
    monkeypatch.delenv("PYCOMPUTE_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    pc.set_num_threads(None)
    yield
    _threads._global_threads = None  # env may hold a bad value here: don't resolve it


def test_default_is_effective_cpu_count():
    assert pc.get_num_threads() == _threads.max_threads() == _threads.effective_cpu_count()
    assert "effective CPU count" in _threads.thread_source()


def test_effective_cpu_count_respects_affinity():
    allowed = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count())
    assert 1 <= _threads.effective_cpu_count() <= allowed


def test_priority_order(monkeypatch):
    mx = _threads.max_threads()
    monkeypatch.setenv("PYCOMPUTE_NUM_THREADS", "1")
    assert pc.get_num_threads() == 1
    assert "PYCOMPUTE_NUM_THREADS" in _threads.thread_source()
    assert pc.set_num_threads(mx) == 1  # returns the previous value
    assert pc.get_num_threads() == mx  # setter beats env
    with pc.num_threads(1):
        assert pc.get_num_threads() == 1  # context beats setter
        assert "context manager" in _threads.thread_source()
        assert _threads.resolve(mx, work=10**9) == mx  # keyword beats context
    assert pc.get_num_threads() == mx


def test_omp_num_threads_is_honoured_below_pycompute_variable(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1,2")
    assert pc.get_num_threads() == 1
    assert "OMP_NUM_THREADS" in _threads.thread_source()
    monkeypatch.setenv("OMP_NUM_THREADS", "1000")
    assert pc.get_num_threads() == _threads.max_threads()  # capped, not an error
    monkeypatch.setenv("OMP_NUM_THREADS", "junk")
    assert pc.get_num_threads() == _threads.max_threads()  # ignored, as OpenMP does
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("PYCOMPUTE_NUM_THREADS", str(_threads.max_threads()))
    assert pc.get_num_threads() == _threads.max_threads()


def test_negative_counts_back_from_maximum():
    mx = _threads.max_threads()
    assert _threads.resolve(-1, work=10**9) == mx
    with pc.num_threads(-mx):
        assert pc.get_num_threads() == 1


@pytest.mark.parametrize("bad, exc, msg", [
    (0, ValueError, r"`num_threads`=0 is out of range: allowed are 1\.\."),
    (10**6, ValueError, "PYCOMPUTE_MAX_THREADS"),
    (-10**6, ValueError, "out of range"),
    (1.0, TypeError, "must be an int"),
    ("2", TypeError, "must be an int"),
    (True, TypeError, "must be an int"),
])
def test_invalid_counts(bad, exc, msg):
    with pytest.raises(exc, match=msg):
        pc.set_num_threads(bad)
    with pytest.raises(exc, match=msg):
        pc.num_threads(bad)
    with pytest.raises(exc, match=msg):
        pc.sum(np.ones(3), num_threads=bad)


def test_invalid_env(monkeypatch):
    monkeypatch.setenv("PYCOMPUTE_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="PYCOMPUTE_NUM_THREADS='many' is not an integer"):
        pc.get_num_threads()


def test_context_restored_on_exception():
    before = pc.get_num_threads()
    with pytest.raises(RuntimeError):
        with pc.num_threads(1):
            raise RuntimeError("boom")
    assert pc.get_num_threads() == before


def test_context_is_per_python_thread():
    mx = _threads.max_threads()
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def worker():
        with pc.num_threads(1):
            inside.set()
            release.wait(10)
            seen["worker"] = pc.get_num_threads()

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(10)
    seen["main"] = pc.get_num_threads()  # the worker's context must not leak here
    release.set()
    t.join()
    assert seen == {"worker": 1, "main": mx}


def test_small_work_runs_on_one_thread():
    assert _threads.resolve(None, work=1000, grain=1 << 15) == 1
    mx = _threads.max_threads()
    assert _threads.resolve(None, work=mx << 20, grain=1 << 15) == mx


def test_concurrent_calls_share_the_cores(monkeypatch):
    monkeypatch.setattr(_threads, "_FOLLOW_LOAD", False)  # other processes' load: test_contention
    mx = _threads.max_threads()
    with _threads.lease(mx, explicit=False) as first:
        assert first == mx
        with _threads.lease(mx, explicit=False) as second:
            assert second == 1  # nothing left: at least one, never oversubscribed
        with _threads.lease(mx, explicit=True) as third:
            assert third == mx  # an explicit keyword is honoured
    with _threads.lease(mx, explicit=False) as again:
        assert again == mx  # released


def test_threadpoolctl_lists_and_limits_pycompute():
    from threadpoolctl import threadpool_info, threadpool_limits

    entries = [i for i in threadpool_info() if i["user_api"] == "pycompute"]
    assert len(entries) == 1
    assert entries[0]["num_threads"] == _threads.max_threads()
    assert entries[0]["version"] == pc.__version__
    with threadpool_limits(1):
        assert pc.get_num_threads() == 1
        assert "threadpoolctl" in _threads.thread_source() or _threads.max_threads() == 1
    assert pc.get_num_threads() == _threads.max_threads()
    with threadpool_limits(limits=1, user_api="pycompute"):
        assert pc.get_num_threads() == 1


def test_pycompute_max_threads_env_in_subprocess():
    code = ("import pycompute as pc; print(pc.max_threads(), pc.get_num_threads());"
            "import pycompute._threads as t; print(t.thread_source())")
    env = dict(os.environ, PYCOMPUTE_MAX_THREADS="5")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first == "5 5"
    assert "PYCOMPUTE_MAX_THREADS" in second


FORK_SCRIPT = r"""
import os, sys, numpy as np, pycompute as pc
x = np.random.default_rng(0).standard_normal(1 << 22)
backends = [b.name for b in pc.backends() if b.available and b.name != 'numpy']
parent = {be: float(pc.sum(x, backend=be, num_threads=2)) for be in backends}
pid = os.fork()
if pid == 0:
    ok = all(float(pc.sum(x, backend=be)) == parent[be] for be in backends)
    ok = ok and pc.get_num_threads() == 1
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


def test_fork_after_parallel_run_is_safe():
    """A child forked after parallel kernels ran can still call them (serially), no hang."""
    out = subprocess.run([sys.executable, "-c", FORK_SCRIPT], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "child 0"
