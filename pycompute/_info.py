"""What ``pycompute info`` reports: version, backends, SIMD levels, build, OpenMP, Numba, threads."""
from __future__ import annotations

import platform


def _openmp_runtime() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return "unknown (threadpoolctl missing)"
    libs = [i for i in threadpool_info() if i.get("user_api") == "openmp"]
    if not libs:
        return "none loaded"
    return ", ".join(f"{i['internal_api']} {i.get('version') or ''} ({i['filepath']})".strip()
                     for i in libs)


def collect(numba_layer: bool = True) -> dict:
    from . import __version__, _backends, _threads

    out = {
        "version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "backends": {b.name: {"available": b.available, "reason": b.reason}
                     for b in _backends.backends()},
    }
    try:
        out["auto"] = _backends.auto_table()
    except ValueError as exc:  # a bad PYCOMPUTE_AUTO_TABLE: info still reports the rest
        out["auto"] = {"error": str(exc)}
    from . import _simd

    out["simd"] = _simd.info()
    try:
        from ._kernels.pycompute_runtime import build_info

        _simd.kernels("reductions")  # loads the OpenMP runtime
    except ImportError:
        out["build"] = None
    else:
        out["build"] = {**build_info(), **out["simd"].get("build", {})}
    out["openmp_runtime"] = _openmp_runtime()
    if numba_layer and out["backends"]["numba"]["available"]:
        from ._numba._layer import layer

        import numba

        out["numba"] = {"version": numba.__version__, "threading_layer": layer(),
                        "pool_size": numba.config.NUMBA_NUM_THREADS}
    out["threads"] = {
        "num_threads": _threads.get_num_threads(),
        "source": _threads.thread_source(),
        "max_threads": _threads.max_threads(),
        "effective_cpu_count": _threads.effective_cpu_count(),
        "openmp_wait": _threads.wait_policy(),
        "follow_load": _threads.follows_load(),
        "other_busy_cpus": _threads.other_busy_cpus(),
    }
    return out


def format_info(d: dict) -> str:
    lines = [f"pycompute {d['version']} (Python {d['python']}, {d['machine']})", "backends:"]
    for name, b in d["backends"].items():
        lines.append(f"  {name:7s} {'yes' if b['available'] else 'no ':3s}  {b['reason']}")
    a = d.get("auto")
    if a:
        lines.append("  auto       " + (a["error"] if "error" in a else
                     f"numba first for {', '.join(a['numba_first']) or 'no kernel'}, cython "
                     f"first elsewhere (table: {a['source']})"))
    s = d.get("simd")
    if s:
        lines += [
            "SIMD:",
            f"  level in use  {s['level'] or 'none'} ({s['reason']})",
            f"  compiled      {', '.join(s['compiled']) or 'none'}",
            f"  CPU supports  {', '.join(s['supported']) or 'none of them'}",
            f"  CPU features  {' '.join(s['features']) or 'none detected'}",
            f"  cap           {s['cap'] or 'none'} (PYCOMPUTE_SIMD=baseline|avx2|avx512)",
        ]
        for k, v in s["failed"].items():
            lines.append(f"  failed to load {k}: {v}")
        if len(set(s["family_levels"].values())) > 1:
            lines.append(f"  per family    {s['family_levels']}")
    b = d.get("build")
    if b:
        lines += [
            "build:",
            f"  compiler      {b['compiler']}",
            f"  flags         {b['compile_args']}",
            f"  SIMD target   {b['simd']}",
            f"  OpenMP        {'yes (' + str(b['openmp_version']) + ')' if b['openmp'] else 'no: kernels run single-threaded'}",
        ]
    lines.append(f"OpenMP runtime  {d['openmp_runtime']}")
    if "numba" in d:
        n = d["numba"]
        lines.append(f"numba           {n['version']}, threading layer {n['threading_layer']},"
                     f" pool of {n['pool_size']}")
    t = d["threads"]
    lines.append(f"threads         {t['num_threads']} (from {t['source']});"
                 f" maximum {t['max_threads']}, effective CPUs {t['effective_cpu_count']}")
    lines.append(f"OpenMP waits    {t['openmp_wait']}")
    lines.append("busy machine    " + (
        f"default counts follow the load: CPUs busy with other processes now "
        f"{t['other_busy_cpus']} (PYCOMPUTE_FOLLOW_LOAD=0 turns this off)"
        if t["follow_load"] else "load following off (PYCOMPUTE_FOLLOW_LOAD=0)"))
    return "\n".join(lines)
