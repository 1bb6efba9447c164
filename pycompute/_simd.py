"""The one place that decides which compiled SIMD level of the Cython kernels runs.

``setup.py`` compiles every kernel family once per instruction-set level into
``pycompute._kernels.<package>.<family>``:

=============  =============  ==============================================
level          package        instructions
=============  =============  ==============================================
``baseline``   ``x86_64_v2``  x86-64-v2: SSE4.2, POPCNT
               ``generic``    other architectures: the compiler's default
``avx2``       ``x86_64_v3``  x86-64-v3: AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE
``avx512``     ``x86_64_v4``  x86-64-v4: AVX-512 F, BW, CD, DQ, VL (512-bit)
``native``     ``native``     only in a ``PYCOMPUTE_MARCH=...`` build: that CPU
=============  =============  ==============================================

At import, :func:`select` reads the CPU's features (CPUID, and XCR0 for
whether the OS saves the AVX / AVX-512 registers:
``pycompute._kernels.pycompute_runtime.cpu_features``, compiled for plain
x86-64 so it loads anywhere) and binds, once for the process, the best level
that is compiled in and that the CPU supports. ``PYCOMPUTE_SIMD`` (read at
import) caps it:

* ``baseline``, ``avx2`` or ``avx512``: use at most this level. A level the
  CPU lacks falls back to the best it has, with a ``RuntimeWarning``.
* anything else: ``ValueError`` at import, naming the allowed values.

A CPU below the baseline never runs a compiled instruction it lacks: the
Cython backend is then unavailable (a ``RuntimeWarning`` at import names the
missing features and the way out, a source build for that CPU), and
``backend="auto"`` runs Numba, which compiles for the CPU it runs on. A level
whose module fails to load (missing, corrupt) falls back to the next lower
level, with a warning; :func:`info` (``pycompute info``) says which.

Every level computes the same operations in the same order (``-ffp-contract=off``;
FMA only where the source asks for it, as ``fmaf`` or intrinsics; fixed lane
counts in reductions), so results are bitwise identical at every level
(``tests/test_simd_levels.py``). The Numba backend is not affected by any of
this: LLVM compiles it for the host CPU.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import threading
import warnings
from dataclasses import dataclass, field

from . import _threads

ENV = "PYCOMPUTE_SIMD"
LEVELS = ("baseline", "avx2", "avx512")  # lowest first
# What each level needs beyond the one below it (Linux /proc/cpuinfo names;
# os_avx / os_avx512: the OS saves those registers, from XCR0).
NEEDS = {
    "baseline": ("sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "popcnt", "cx16", "lahf"),
    "avx2": ("avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "lzcnt", "movbe", "os_avx"),
    "avx512": ("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl", "os_avx512"),
}
_PKG = "pycompute._kernels"
_X86_PACKAGES = {"baseline": "x86_64_v2", "avx2": "x86_64_v3", "avx512": "x86_64_v4",
                 "native": "native"}
_OTHER_PACKAGES = {"baseline": "generic", "native": "native"}
WAY_OUT = ("build pycompute from source for this CPU: "
           "PYCOMPUTE_MARCH=native pip install --no-binary pycompute pycompute")


def is_x86(machine: str | None = None) -> bool:
    return (machine or platform.machine()).lower() in ("x86_64", "amd64", "x86-64", "i686", "i386")


def package(level: str) -> str:
    """The package under ``pycompute._kernels`` that holds ``level``'s modules."""
    return (_X86_PACKAGES if is_x86() else _OTHER_PACKAGES)[level]


def missing(level: str, features) -> list[str]:
    """Features ``level`` (and every level below it) needs that ``features`` lacks."""
    out = []
    for lv in LEVELS[: LEVELS.index(level) + 1]:
        out += [f for f in NEEDS[lv] if f not in features]
    return out


@dataclass
class Selection:
    level: str | None           # the level bound, None: no compiled level can run here
    reason: str                 # why this level (or why none)
    compiled: tuple = ()        # levels found compiled in, lowest first
    features: frozenset = frozenset()
    cap: str | None = None
    warnings: list = field(default_factory=list)


def choose(features, compiled, cap=None, x86=True) -> Selection:
    """Pure decision: the level to bind, given CPU ``features``, the ``compiled``
    levels and the ``cap`` (the value of ``PYCOMPUTE_SIMD`` or None)."""
    features = frozenset(features)
    compiled = tuple(compiled)
    sel = Selection(None, "", compiled, features)
    if cap is not None and cap.strip() != "":
        cap = cap.strip().lower()
        if cap not in LEVELS:
            raise ValueError(f"{ENV}={cap!r} is not a SIMD level; allowed values: "
                             f"{', '.join(LEVELS)} (or unset for the best the CPU supports)")
        sel.cap = cap
    else:
        cap = None
    if not compiled:
        sel.reason = "no compiled kernels found (build with `pip install .`)"
        return sel
    if "native" in compiled:
        sel.level = "native"
        sel.reason = "a PYCOMPUTE_MARCH build: one level, compiled for the building machine's CPU"
        if cap:
            sel.warnings.append(f"{ENV}={cap} is ignored: this build has only the `native` level")
        return sel
    if not x86:
        sel.level = "baseline" if "baseline" in compiled else None
        sel.reason = ("not x86: the compiler's default target" if sel.level
                      else "no baseline level compiled")
        return sel
    supported = [lv for lv in LEVELS if not missing(lv, features)]
    if not supported:
        sel.reason = (f"this CPU lacks {', '.join(missing('baseline', features))}, which "
                      f"pycompute's compiled kernels need (x86-64-v2); {WAY_OUT}")
        return sel
    best_cpu = supported[-1]
    usable = [lv for lv in compiled if lv in supported]
    if not usable:
        sel.reason = f"none of the compiled levels {list(compiled)} runs on this CPU; {WAY_OUT}"
        return sel
    if cap is None:
        sel.level = usable[-1]
        sel.reason = "detected: the best compiled level this CPU supports"
        return sel
    capped = [lv for lv in usable if LEVELS.index(lv) <= LEVELS.index(cap)]
    sel.level = capped[-1] if capped else usable[0]
    if LEVELS.index(cap) > LEVELS.index(best_cpu):
        sel.warnings.append(
            f"{ENV}={cap} asks for a level this CPU lacks "
            f"({', '.join(missing(cap, features))} missing); using {sel.level}")
        sel.reason = f"capped by {ENV}={cap}, which this CPU lacks: the best it supports"
    elif cap not in compiled:
        sel.warnings.append(f"{ENV}={cap}: that level is not compiled in; using {sel.level}")
        sel.reason = f"capped by {ENV}={cap} (not compiled in): the next level below"
    else:
        sel.reason = f"capped by {ENV}={cap}"
    return sel


def _compiled_levels() -> tuple:
    found = []
    for lv in LEVELS + ("native",):
        if lv not in (_X86_PACKAGES if is_x86() else _OTHER_PACKAGES):
            continue
        try:
            if importlib.util.find_spec(f"{_PKG}.{package(lv)}.machine") is not None:
                found.append(lv)
        except (ImportError, ValueError):
            pass
    return tuple(found)


def _cpu_features() -> frozenset:
    try:
        from ._kernels.pycompute_runtime import cpu_features
    except ImportError:
        return frozenset()
    return cpu_features()


_lock = threading.Lock()
_selection: Selection | None = None
_modules: dict = {}       # family -> loaded module
_loaded_level: dict = {}  # family -> level it was loaded from (differs after a fallback)
_failures: dict = {}      # "level.family" -> error text


def select() -> Selection:
    """Bind the level (once per process; called at ``import pycompute``)."""
    global _selection
    if _selection is None:
        sel = choose(_cpu_features(), _compiled_levels(), os.environ.get(ENV), is_x86())
        for w in sel.warnings:
            warnings.warn(w, RuntimeWarning, stacklevel=2)
        if sel.level is None and sel.compiled:
            warnings.warn(f"pycompute's compiled kernels are disabled: {sel.reason}; "
                          "the Numba backend runs instead", RuntimeWarning, stacklevel=2)
        _selection = sel
    return _selection


def kernels(family: str):
    """The compiled module of ``family`` at the bound level (imported once).

    A level whose module fails to load falls back to the next lower compiled
    level the CPU supports; ImportError when none loads.
    """
    mod = _modules.get(family)
    if mod is not None:
        return mod
    with _lock:
        mod = _modules.get(family)
        if mod is not None:
            return mod
        sel = select()
        if sel.level is None:
            raise ImportError(f"pycompute's compiled kernels cannot run here: {sel.reason}")
        order = [sel.level] if sel.level == "native" else \
            [lv for lv in reversed(sel.compiled) if LEVELS.index(lv) <= LEVELS.index(sel.level)]
        errors = []
        for lv in order:
            try:
                with _threads.openmp_wait_policy():  # the OpenMP runtime loads with the first
                    mod = importlib.import_module(f"{_PKG}.{package(lv)}.{family}")
            except (ImportError, OSError) as exc:
                _failures[f"{lv}.{family}"] = f"{type(exc).__name__}: {exc}"
                errors.append(f"{lv}: {exc}")
                warnings.warn(f"pycompute: the {lv} level of the {family} kernels failed to "
                              f"load ({exc}); trying the next lower level", RuntimeWarning,
                              stacklevel=3)
                continue
            _modules[family] = mod
            _loaded_level[family] = lv
            return mod
        raise ImportError(f"no compiled level of pycompute's {family} kernels loads: "
                          + "; ".join(errors))


def info() -> dict:
    """What ``pycompute info`` reports about SIMD levels."""
    sel = select()
    out = {
        "level": sel.level,
        "reason": sel.reason,
        "compiled": list(sel.compiled),
        "cap": sel.cap,
        "features": sorted(sel.features),
        "supported": [lv for lv in LEVELS if is_x86() and not missing(lv, sel.features)],
        "failed": dict(_failures),
        "family_levels": dict(_loaded_level),
    }
    if sel.level is not None:
        try:
            out["build"] = kernels("machine").build_info()
        except ImportError as exc:
            out["build"] = {"error": str(exc)}
    return out
