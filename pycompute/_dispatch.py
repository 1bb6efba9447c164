"""Route calls whose first argument is a Dask array to :mod:`pycompute.dask`.

A NumPy array (exactly ``np.ndarray``) goes straight through after one type
comparison; other first arguments pay one attribute read on their type. Dask is
imported only when a Dask array arrives. (The check on every call took ~0.3 us,
half of a small reduction's time, before the ndarray test came first.)

The wrapper has the kernel's own signature (generated from it), so a call passes
its arguments on as they came, positionally and by name, with no ``*args`` tuple or
``**kwargs`` to unpack (only names the kernel does not take, a Dask twin's own,
arrive in ``**_extra``): a generic ``(*args, **kwargs)`` wrapper cost ~0.45 us a call,
a third of a small reduction's time against NumPy's 0.9-1.5 us (issue 11). A kernel
whose signature it cannot copy (``*args``, ``**kwargs``, positional-only
parameters) keeps the generic wrapper.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

_NDARRAY = np.ndarray
_PLAIN = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _route(name, args, kwargs, fn):
    """``fn(*args, **kwargs)``, or pycompute.dask's ``name`` where the first argument is a
    Dask array."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    return _to(name, first, args, kwargs, fn)


def _route_named(name, first, bound, defaults, extra, fn):
    """_route of a generated wrapper's call: ``first`` positionally, then the other
    arguments by name, those still at their default left out (what the caller gave,
    as a generic wrapper would have passed it on), and ``extra``: names the kernel
    does not take (its Dask twin's own, e.g. ``steps_per_exchange``; else ``fn``
    refuses them as before)."""
    kwargs = {k: v for k, v in bound.items() if v is not defaults.get(k, _NO)}
    kwargs.update(extra)
    return _to(name, first, (first,), kwargs, fn)


_NO = object()


def _to(name, first, args, kwargs, fn):
    if type(first).__module__.startswith("dask."):
        from . import dask as _dask

        return getattr(_dask, name)(*args, **kwargs)
    return fn(*args, **kwargs)


def _generic(fn):
    name = fn.__name__

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if args and type(args[0]) is _NDARRAY:
            return fn(*args, **kwargs)
        return _route(name, args, kwargs, fn)

    return call


def dask_aware(fn):
    """``fn`` behind the Dask check, with ``fn``'s signature (see the module docstring)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return _generic(fn)
    if not params or any(p.kind not in _PLAIN for p in params) \
            or params[0].kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD \
            or any(p.name.startswith("_") for p in params):  # would shadow the wrapper's names
        return _generic(fn)
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    ns = {"_fn": fn, "_NDARRAY": _NDARRAY, "_route": _route_named, "_name": fn.__name__,
          "_defaults": defaults}
    decl, pos, kw = [], [], []
    star = False
    for i, p in enumerate(params):
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            decl.append("*")
            star = True
        if p.default is inspect.Parameter.empty:
            decl.append(p.name)
        else:
            ns[f"_d{i}"] = p.default
            decl.append(f"{p.name}=_d{i}")
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            kw.append(f"{p.name}={p.name}")
        else:
            pos.append(p.name)
    fwd = ", ".join(pos + kw)
    first = params[0].name
    decl.append("**_extra")  # names the kernel does not take: the Dask twin's own
    src = (f"def {fn.__name__}({', '.join(decl)}):\n"
           f"    if type({first}) is _NDARRAY and not _extra:\n"
           f"        return _fn({fwd})\n"
           f"    return _route(_name, {first}, dict({', '.join(f'{p.name}={p.name}' for p in params[1:])}), "
           f"_defaults, _extra, _fn)\n")
    exec(compile(src, f"<pycompute dask_aware {fn.__name__}>", "exec"), ns)
    return functools.wraps(fn)(ns[fn.__name__])
