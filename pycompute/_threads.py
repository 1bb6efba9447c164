"""The one place that decides how many threads a kernel call runs on.

Priority, highest first:

1. the ``num_threads=`` keyword of the call;
2. ``with pycompute.num_threads(n):`` (per Python thread / asyncio task: a
   :class:`contextvars.ContextVar`), restored on exit, also on exceptions;
3. ``pycompute.set_num_threads(n)`` (process-wide; returns the previous value);
4. the ``PYCOMPUTE_NUM_THREADS`` environment variable, then ``OMP_NUM_THREADS``
   (its first entry; capped at the maximum). Dask's nanny sets
   ``OMP_NUM_THREADS=1`` in worker processes, so inside a Dask worker each task
   runs on its worker's share of the cores and workers x threads never exceed
   the machine;
5. the effective CPU count: CPU affinity and cgroup CPU quota, read by loky
   (the implementation joblib and scikit-learn use).

Values: a positive int is a count; a negative int counts back from the maximum
(``-1`` = all, ``-2`` = all but one); ``0``, non-integers and counts above the
maximum are errors. The maximum is the effective CPU count unless
``PYCOMPUTE_MAX_THREADS`` (read once, at import) raises or lowers it.

On top of the priority order three rules keep calls fast and safe:

* ``threadpoolctl.threadpool_limits(n)`` caps every source except the explicit
  keyword (pycompute registers a threadpoolctl controller, see
  :func:`_register_threadpoolctl`).
* Small work runs on fewer threads: :func:`resolve` takes the amount of work and
  a grain, so a parallel call is never slower than the same call at one thread.
* Calls that run at the same time share the machine: a count that did not come
  from the keyword is cut to the cores other running calls leave free (at least
  one), so 8 Python threads each calling a kernel do not start 8 x N threads.
* The same count follows the load other processes put on the machine (Linux):
  it is cut to the CPUs not running another process's runnable task (the
  machine's runnable tasks from ``/proc/loadavg`` less this process's own, read
  at most every 20 ms; the smaller of the last two readings, so a blip does not
  count). ``PYCOMPUTE_FOLLOW_LOAD=0`` turns this off.
* After ``fork()`` in a process that had run parallel OpenMP regions, the child
  runs serially (GNU OpenMP's pool does not survive fork).

On a busy machine (another process holding a core), a thread that waits at an
OpenMP barrier must not spin: the thread it waits for may be the one that needs
its core. GNU OpenMP spins 300,000 ``pause`` iterations (milliseconds) before it
sleeps, so a many-step kernel waited one scheduler time slice per step (10-20x
slower than one thread). pycompute loads its OpenMP runtime with a short spin
(:func:`openmp_wait_policy`): waits sleep after a few microseconds, and the
waited-for thread gets the core.
"""
from __future__ import annotations

import contextlib
import contextvars
import operator
import os
import threading
import time

__all__ = [
    "max_threads",
    "effective_cpu_count",
    "get_num_threads",
    "set_num_threads",
    "num_threads",
    "resolve",
    "thread_source",
]

_ENV_THREADS = "PYCOMPUTE_NUM_THREADS"
_ENV_MAX = "PYCOMPUTE_MAX_THREADS"
# Spin iterations of a waiting OpenMP thread before it sleeps (benchmarks/run_contention.py)
SPINCOUNT = 1000
_NOT_LOADED = "not set: the compiled kernels were not loaded"
_wait_policy = _NOT_LOADED
_FOLLOW_LOAD = os.environ.get("PYCOMPUTE_FOLLOW_LOAD", "1") not in ("0", "")
_LOAD_EVERY = 0.02  # seconds between two readings of the machine's load
_load_at = -1.0
_load_busy = 0
_load_raw = 0

_cpu_count: int | None = None
_max_threads: int | None = None
_global_threads: int | None = None  # set_num_threads()
_tpc_limit: int | None = None  # threadpoolctl.threadpool_limits()
_context: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "pycompute_num_threads", default=None
)
_lock = threading.Lock()
_in_use = 0  # threads held by running calls whose count was not explicit
_forked_child = False
_parallel_ran = False


def effective_cpu_count() -> int:
    """CPUs this process may use: affinity mask and cgroup quota taken into account."""
    global _cpu_count
    if _cpu_count is None:
        try:
            from joblib.externals.loky import cpu_count
        except ImportError:  # pragma: no cover - joblib is a dependency
            try:
                n = len(os.sched_getaffinity(0))
            except AttributeError:
                n = os.cpu_count() or 1
        else:
            n = cpu_count(only_physical_cores=False)
        _cpu_count = max(1, int(n))
    return _cpu_count


def max_threads() -> int:
    """The most threads one call may use (``PYCOMPUTE_MAX_THREADS`` or the CPU count)."""
    global _max_threads
    if _max_threads is None:
        raw = os.environ.get(_ENV_MAX)
        if raw:
            _max_threads = _parse_env_positive(_ENV_MAX, raw)
        else:
            _max_threads = effective_cpu_count()
    return _max_threads


def _parse_env_positive(name: str, raw: str) -> int:
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"environment variable {name}={raw!r} is not an integer; "
            f"expected a positive thread count"
        ) from None
    if n < 1:
        raise ValueError(f"environment variable {name}={raw!r} must be >= 1")
    return n


def _check(n, what: str = "num_threads") -> int:
    """Validate a requested count and turn negative counts into positive ones."""
    if isinstance(n, bool) or not isinstance(n, (int,)) and not hasattr(n, "__index__"):
        raise TypeError(
            f"`{what}` must be an int (a count, or negative to count back from "
            f"the maximum), got {n!r} of type {type(n).__name__}"
        )
    n = operator.index(n)
    mx = max_threads()
    if n == 0 or n > mx or n < -mx:
        raise ValueError(
            f"`{what}`={n} is out of range: allowed are 1..{mx} or -1..-{mx} "
            f"(-1 = all {mx}); the maximum is the effective CPU count, raise it "
            f"by setting {_ENV_MAX} before importing pycompute"
        )
    return n if n > 0 else mx + 1 + n


def _env_threads() -> int | None:
    raw = os.environ.get(_ENV_THREADS)
    if not raw:
        return None
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"environment variable {_ENV_THREADS}={raw!r} is not an integer; "
            f"allowed are 1..{max_threads()} or negative counts back from it"
        ) from None
    return _check(n, _ENV_THREADS)


def _omp_threads() -> int | None:
    """``OMP_NUM_THREADS`` (first entry of a nested list), capped at the maximum; None if unset
    or not a positive integer (OpenMP itself ignores such values)."""
    raw = os.environ.get("OMP_NUM_THREADS")
    if not raw:
        return None
    try:
        n = int(raw.split(",")[0])
    except ValueError:
        return None
    return min(n, max_threads()) if n >= 1 else None


def _default() -> tuple[int, str]:
    """The count and where it came from, before the keyword, caps and budgets."""
    n = _context.get()
    if n is not None:
        return n, "context manager (pycompute.num_threads)"
    if _global_threads is not None:
        return _global_threads, "pycompute.set_num_threads"
    n = _env_threads()
    if n is not None:
        return n, f"environment variable {_ENV_THREADS}"
    n = _omp_threads()
    if n is not None:
        return n, "environment variable OMP_NUM_THREADS"
    if _ENV_MAX in os.environ:
        return max_threads(), f"environment variable {_ENV_MAX}"
    return max_threads(), "effective CPU count (affinity and cgroup quota)"


def get_num_threads() -> int:
    """Threads a call without ``num_threads=`` would use (before size and sharing rules)."""
    n, _ = _default()
    if _tpc_limit is not None:
        n = min(n, _tpc_limit)
    return 1 if _forked_child else n


def thread_source() -> str:
    """Where :func:`get_num_threads`'s value comes from, in words."""
    if _forked_child:
        return "1: forked child of a process that ran OpenMP in parallel"
    n, src = _default()
    if _tpc_limit is not None and _tpc_limit < n:
        return f"threadpoolctl limit ({_tpc_limit}), below {src}"
    return src


def set_num_threads(n) -> int:
    """Set the process-wide default thread count; return the previous one.

    ``None`` removes the setting (back to the environment / CPU count).
    """
    global _global_threads
    previous = get_num_threads()
    _global_threads = None if n is None else _check(n)
    return previous


class num_threads:
    """Context manager: calls from this Python thread (or task) use ``n`` threads.

    >>> import pycompute as pc
    >>> with pc.num_threads(1):
    ...     pc.get_num_threads()
    1
    """

    __slots__ = ("_n", "_token")

    def __init__(self, n):
        self._n = _check(n)
        self._token = None

    def __enter__(self):
        self._token = _context.set(self._n)
        return self._n

    def __exit__(self, *exc):
        _context.reset(self._token)
        self._token = None
        return False


def resolve(num_threads=None, work: int = 0, grain: int = 1) -> int:
    """Threads to use for a call with ``work`` units, each thread needing ``grain`` of them.

    ``num_threads`` is the call's keyword (None when not given). The result is in
    ``1..max_threads()`` and never more than ``work // grain`` (at least 1).
    """
    if num_threads is not None:
        n = _check(num_threads)
    elif grain > 0 and work < 2 * grain:
        return 1  # one thread's worth of work: nothing else to resolve
    else:
        n = get_num_threads()
    if _forked_child:
        return 1
    by_size = work // grain if grain > 0 else n
    if by_size < n:
        n = by_size if by_size > 1 else 1
    return n


class lease:
    """Hold ``n`` threads for one kernel call; ``explicit`` counts are honoured as given.

    ``with lease(n, explicit) as k:`` yields the count to run with: for a count
    that was not asked for explicitly, at most the threads that other running
    calls leave free (at least 1), so concurrent calls never oversubscribe.
    """

    __slots__ = ("n", "held")

    def __init__(self, n: int, explicit: bool):
        self.held = 0
        if explicit or n == 1:
            self.n = n
            return
        global _in_use
        busy = other_busy_cpus()
        with _lock:
            free = max_threads() - max(_in_use, busy)
            self.n = n if n <= free else (free if free > 1 else 1)
            self.held = self.n
            _in_use += self.held

    def __enter__(self) -> int:
        global _parallel_ran
        if self.n > 1:
            _parallel_ran = True
        return self.n

    def __exit__(self, *exc):
        global _in_use
        if self.held:
            with _lock:
                _in_use -= self.held
            self.held = 0
        return False


def _running_here() -> int:
    """Threads of this process that are running or runnable now (Linux)."""
    n = 0
    try:
        with os.scandir("/proc/self/task") as it:
            for e in it:
                try:
                    with open(f"/proc/self/task/{e.name}/stat", "rb") as f:
                        st = f.read()
                except OSError:
                    continue
                state = st.rfind(b")") + 2  # "pid (comm) S ...": comm may hold ")"
                if st[state:state + 1] == b"R":
                    n += 1
    except OSError:
        return 1
    return max(n, 1)


def other_busy_cpus() -> int:
    """CPUs busy with other processes' runnable tasks (0 when unknown or turned off).

    The machine's runnable tasks (``/proc/loadavg``) less this process's own,
    read at most every 20 ms, the smaller of the last two readings: a kernel
    call's default thread count is cut to what is left, so OpenMP threads never
    wait at a barrier for a core that a busy neighbour holds.
    """
    global _load_at, _load_busy, _load_raw
    if not _FOLLOW_LOAD:
        return 0
    now = time.monotonic()
    if now - _load_at < _LOAD_EVERY:
        return _load_busy
    try:
        with open("/proc/loadavg", "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        running = 0
    raw = max(0, running - _running_here()) if running else 0
    # a neighbour that keeps a core busy shows in two readings in a row; a kernel
    # worker waking for a few microseconds does not
    busy = min(raw, _load_raw)
    _load_at, _load_busy, _load_raw = now, busy, raw
    return busy


def _libgomp_loaded() -> bool:
    try:
        with open("/proc/self/maps") as f:
            return "libgomp" in f.read()
    except OSError:
        return False


@contextlib.contextmanager
def openmp_wait_policy():
    """Load pycompute's OpenMP runtime inside this block: it spins briefly, then sleeps.

    Only the first use does anything (the runtime loads with the first kernel module).

    GNU OpenMP reads ``GOMP_SPINCOUNT`` once, when it loads; the variable is set
    for that moment only, so OpenMP runtimes other libraries load later keep
    their own behaviour. A user's ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` wins;
    a libgomp some other library loaded first is left as it is.
    """
    global _wait_policy
    if _wait_policy != _NOT_LOADED:
        yield
        return
    user = [v for v in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if v in os.environ]
    if user:
        _wait_policy = f"the user's {user[0]}={os.environ[user[0]]}"
    elif _libgomp_loaded():
        _wait_policy = ("GNU OpenMP's default (its library was loaded before pycompute; "
                        "set GOMP_SPINCOUNT=%d to change it)" % SPINCOUNT)
    else:
        _wait_policy = (f"GOMP_SPINCOUNT={SPINCOUNT} for pycompute's OpenMP runtime: waiting "
                        "threads sleep after a short spin")
        os.environ["GOMP_SPINCOUNT"] = str(SPINCOUNT)
        try:
            yield
        finally:
            os.environ.pop("GOMP_SPINCOUNT", None)
        return
    yield


def follows_load() -> bool:
    """Whether default thread counts follow other processes' load (``PYCOMPUTE_FOLLOW_LOAD``)."""
    return _FOLLOW_LOAD


def wait_policy() -> str:
    """How pycompute's OpenMP threads wait, in words (``pycompute info``)."""
    return _wait_policy


def _after_fork_in_child():
    global _forked_child, _in_use, _lock
    _lock = threading.Lock()
    _in_use = 0
    if _parallel_ran:
        _forked_child = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _set_threadpoolctl_limit(n: int | None) -> None:
    global _tpc_limit
    _tpc_limit = None if n is None or n >= max_threads() else max(1, int(n))


def _register_threadpoolctl() -> None:
    """Teach threadpoolctl about pycompute's pool.

    ``threadpoolctl.threadpool_info()`` then lists an entry with
    ``user_api='pycompute'`` and ``threadpool_limits(n)`` caps pycompute's default.
    It recognises the loaded ``pycompute_runtime`` extension by its exported
    ``pycompute_threadpool_marker`` symbol.
    """
    try:
        import threadpoolctl
    except ImportError:  # pragma: no cover - dependency
        return
    if getattr(threadpoolctl, "_pycompute_registered", False):
        return

    class PycomputeController(threadpoolctl.LibController):
        user_api = "pycompute"
        internal_api = "pycompute"
        filename_prefixes = ("pycompute_runtime",)
        check_symbols = ("pycompute_threadpool_marker",)

        def get_num_threads(self):
            return _tpc_limit if _tpc_limit is not None else max_threads()

        def set_num_threads(self, num_threads):
            _set_threadpoolctl_limit(num_threads)

        def get_version(self):
            from . import __version__

            return __version__

    threadpoolctl.register(PycomputeController)
    threadpoolctl._pycompute_registered = True
