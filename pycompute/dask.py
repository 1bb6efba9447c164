"""Dask arrays through pycompute's kernels: images and grids larger than one machine.

``pycompute.<function>(dask_array, ...)`` returns a Dask array (the public
functions dispatch here); the functions below can also be called directly.
Needs the ``[dask]`` extra (``dask[array,distributed]``).

* **Filters** (correlate, convolve, gaussian, uniform, sobel, ...) run per chunk
  with ``map_overlap``. The halo depth comes from the weights' size and origin,
  from sigma/truncate/radius for Gaussians, 1 for sobel/prewitt/laplace. At the
  true array edges the chunk kernel itself applies ``mode`` (Dask adds no
  boundary there); ``wrap`` axes get Dask's periodic halo. Results equal the
  single-machine call on the whole array bit for bit, every dtype: each output
  is a sum of the same terms in the same order whichever chunk computes it.
  The exception is scipy's running sum of the box filters (``uniform_filter``,
  ``uniform_filter1d``), reproduced bit for bit by pycompute: it carries its
  rounding along a line from where the line starts, so where the window sums
  are not exact in float64 (float, 64-bit integer or complex input, or a
  fractional ``cval``) each axis's pass runs on whole lines (that axis in one
  chunk, rechunked back after) to stay equal; exact sums (up to 32-bit integer
  input, integral ``cval``) run per chunk with a halo.
* **Simulation steps** (heat, Life, Gray-Scott) with periodic (``wrap``)
  boundaries advance ``steps_per_exchange`` steps per halo exchange; the halo
  is ``steps_per_exchange x stencil radius`` wide. Larger values mean fewer
  exchanges (less communication and scheduling) but wider halos (more
  redundant work and memory per chunk); see ``benchmarks/run_dask.py``.
* **Reductions** use pycompute's kernels on every chunk and combine partials
  with a tree fixed by the chunking (``split_every``), so the result does not
  depend on the scheduler or on which worker ran what.
* **N-body**: bodies in chunks; each chunk's accelerations are summed over the
  source chunks (a tree of small tasks), never gathering all bodies in one task.

Threads: Dask's nanny starts worker processes with ``OMP_NUM_THREADS=1``,
which pycompute honours, so each task uses its worker's share of the cores and
workers x threads never exceed the machine. To give each task more threads,
run fewer worker threads and set ``distributed.nanny.pre-spawn-environ``.

Pointing the same code at a real cluster::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    out = pycompute.gaussian_filter(dask_image, sigma=2).compute()
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError("pycompute.dask needs Dask: pip install 'pycompute[dask]'") from exc

__all__ = [
    "is_dask_array",
    "correlate", "convolve", "correlate1d", "convolve1d", "uniform_filter",
    "uniform_filter1d", "gaussian_filter", "gaussian_filter1d", "sobel", "prewitt", "laplace",
    "gaussian_gradient_magnitude", "gaussian_laplace", "generic_gradient_magnitude",
    "generic_laplace",
    "minimum_filter1d", "maximum_filter1d", "minimum_filter", "maximum_filter", "rank_filter",
    "median_filter", "percentile_filter",
    "heat_step", "life_step", "gray_scott_step",
    "sum", "mean", "min", "max", "var", "std", "argmin", "argmax", "histogram",
    "nbody_accelerations", "nbody_step", "nbody_energy",
]

_builtin_max = max


def is_dask_array(x) -> bool:
    return isinstance(x, da.Array)


def _pc():
    import pycompute

    return pycompute


def _check(x, name="input"):
    if not is_dask_array(x):
        raise TypeError(f"`{name}` must be a dask.array.Array, got {type(x).__name__}")
    if any(math.isnan(c) for cs in x.chunks for c in cs):
        raise ValueError(
            f"`{name}` has unknown chunk sizes {x.chunks}; call `.compute_chunk_sizes()` first")
    return x


def _no_output(kwargs):
    if kwargs.get("output") is not None or kwargs.get("out") is not None:
        raise TypeError("`output`/`out` arrays are not supported for Dask inputs: "
                        "the result is a new Dask array")


def _meta_dtype(fn, x, *args, **kwargs):
    """Output dtype of ``fn`` on ``x``'s dtype, from a tiny sample."""
    sample = np.zeros((3,) * x.ndim, dtype=x.dtype)
    return np.asarray(fn(sample, *args, **kwargs)).dtype


# ---------------------------------------------------------------- filters

def _per_axis(value, ndim):
    if isinstance(value, (numbers.Number, np.number, str)) or value is None:
        return [value] * ndim
    return list(value)


def _filter_axes(axes, ndim):
    if axes is None:
        return list(range(ndim))
    if isinstance(axes, numbers.Integral):
        axes = [axes]
    return [a % ndim for a in axes]


def _halo_from_extent(ndim, extents):
    """depth per axis from {axis: reach}."""
    return {ax: int(extents.get(ax, 0)) for ax in range(ndim)}


def _boundary(mode, ndim, axes=None):
    """Dask boundary per axis: periodic where the mode wraps, none elsewhere."""
    modes = _per_axis(mode, ndim) if axes is None else None
    out = {}
    if axes is None:
        for ax in range(ndim):
            out[ax] = "periodic" if modes[ax] in ("wrap", "grid-wrap") else "none"
    else:
        ms = _per_axis(mode, len(axes)) if not isinstance(mode, str) else [mode] * len(axes)
        for ax in range(ndim):
            out[ax] = "none"
        for ax, m in zip(axes, ms):
            out[ax] = "periodic" if m in ("wrap", "grid-wrap") else "none"
    return out


def _overlap(fn, x, depth, boundary, **kwargs):
    x = _check(x)
    _no_output(kwargs)
    dtype = _meta_dtype(fn, x, **kwargs)
    kernel = functools.partial(fn, **kwargs)
    return x.map_overlap(kernel, depth=depth, boundary=boundary, dtype=dtype,
                         meta=np.empty((0,) * x.ndim, dtype))


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
              **kw):
    w = np.asarray(weights)
    ax = _filter_axes(axes, input.ndim)
    origins = _per_axis(origin, len(ax))
    reach = {a: w.shape[i] // 2 + abs(int(origins[i])) for i, a in enumerate(ax)}
    return _overlap(_pc().correlate, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, ax), weights=w, output=output, mode=mode,
                    cval=cval, origin=origin, axes=axes, **kw)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
             **kw):
    w = np.asarray(weights)
    ax = _filter_axes(axes, input.ndim)
    origins = _per_axis(origin, len(ax))
    reach = {a: w.shape[i] // 2 + abs(int(origins[i])) + 1 for i, a in enumerate(ax)}
    return _overlap(_pc().convolve, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, ax), weights=w, output=output, mode=mode,
                    cval=cval, origin=origin, axes=axes, **kw)


def _oned(fn, input, length, axis, mode, origin, **kw):
    """A 1-D filter of ``length`` taps along ``axis``, with a halo along that axis only."""
    ax = axis % input.ndim
    reach = {ax: length // 2 + abs(int(origin)) + 1}
    return _overlap(fn, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, [ax]), axis=axis, mode=mode, origin=origin,
                    **kw)


def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, **kw):
    w = np.asarray(weights)
    return _oned(_pc().correlate1d, input, w.size, axis, mode, origin, weights=w,
                 output=output, cval=cval, **kw)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, **kw):
    w = np.asarray(weights)
    return _oned(_pc().convolve1d, input, w.size, axis, mode, origin, weights=w,
                 output=output, cval=cval, **kw)


def _box_exact(dtype, size, cval) -> bool:
    """Are a box filter's window sums exact in float64 for every input of ``dtype``?
    Then scipy's running sum, which pycompute reproduces bit for bit, gives the same
    result wherever a line starts (in a chunk with its halo, or in the whole array)."""
    dt = np.dtype(dtype)
    if dt.kind not in "biu" or dt.itemsize > 4 or isinstance(cval, (complex, np.complexfloating)):
        return False
    try:
        c = float(cval)
    except (TypeError, ValueError):
        return False
    if not c.is_integer():
        return False
    info = np.iinfo(np.uint8 if dt.kind == "b" else dt)
    bound = _builtin_max(abs(int(info.min)), int(info.max), abs(c))
    return bound * (int(size) + 1) < 2 ** 53


def _box_passes(x, passes, cval, kw):
    """Box-filter passes (axis, size, origin, mode), one after the other, as the
    single-machine call runs them (each result in the input dtype). A pass whose window
    sums round (float, 64-bit or complex input, a fractional cval) reads whole lines:
    scipy's running sum carries its rounding along the line from where the line starts,
    so a chunk (even with its halo) would start it elsewhere and round differently. The
    axis is rechunked into one chunk for that pass (memory: whole lines of the other
    axes' chunks); exact passes use a halo along their axis."""
    fn = _pc().uniform_filter1d
    for axis, size, origin, mode in passes:
        part = functools.partial(fn, size=size, axis=axis, mode=mode, cval=cval, origin=origin,
                                 **kw)
        if _box_exact(x.dtype, size, cval):
            reach = {axis: size // 2 + abs(int(origin)) + 1}
            x = x.map_overlap(part, depth=_halo_from_extent(x.ndim, reach),
                              boundary=_boundary(mode, x.ndim, [axis]), dtype=x.dtype,
                              meta=np.empty((0,) * x.ndim, x.dtype))
        else:
            x = x.rechunk({axis: -1}).map_blocks(part, dtype=x.dtype,
                                                 meta=np.empty((0,) * x.ndim, x.dtype))
    return x


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0,
                     **kw):
    x = _check(input)
    _no_output({"output": output})
    dtype = _meta_dtype(_pc().uniform_filter1d, x, size=size, axis=axis, mode=mode, cval=cval,
                        origin=origin, **kw)  # scipy's errors, at once
    if dtype != x.dtype:  # complex input keeps its dtype too: never here in practice
        x = x.astype(dtype)
    out = _box_passes(x, [(axis % x.ndim, int(size), origin, mode)], cval, kw)
    return out.rechunk(input.chunks)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *,
                   axes=None, **kw):
    x = _check(input)
    _no_output({"output": output})
    dtype = _meta_dtype(_pc().uniform_filter, x, size=size, mode=mode, cval=cval,
                        origin=origin, axes=axes, **kw)  # scipy's errors, at once
    ax = _filter_axes(axes, x.ndim)
    sizes = _per_axis(size, len(ax))
    origins = _per_axis(origin, len(ax))
    modes = _per_axis(mode, len(ax))
    passes = [(ax[i], int(sizes[i]), origins[i], modes[i]) for i in range(len(ax))
              if sizes[i] > 1]  # scipy's rule: axes of size <= 1 are not filtered
    if not passes or all(_box_exact(x.dtype, s, cval) for _, s, _, _ in passes):
        reach = {a: s // 2 + abs(int(o)) + 1 for a, s, o, _ in passes}
        return _overlap(_pc().uniform_filter, x, _halo_from_extent(x.ndim, reach),
                        _boundary(mode, x.ndim, ax), size=size, output=output, mode=mode,
                        cval=cval, origin=origin, axes=axes, **kw)
    if dtype != x.dtype:
        x = x.astype(dtype)
    return _box_passes(x, passes, cval, kw).rechunk(input.chunks)


def _gauss_radius(sigma, truncate, radius):
    if radius is not None:
        return int(radius)
    return int(float(truncate) * float(sigma) + 0.5)


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None, **kw):
    r = _gauss_radius(sigma, truncate, radius)
    ax = axis % input.ndim
    return _overlap(_pc().gaussian_filter1d, input, _halo_from_extent(input.ndim, {ax: r + 1}),
                    _boundary(mode, input.ndim, [ax]), sigma=sigma, axis=axis, order=order,
                    output=output, mode=mode, cval=cval, truncate=truncate, radius=radius, **kw)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0,
                    *, radius=None, axes=None, **kw):
    ax = _filter_axes(axes, input.ndim)
    sig = _per_axis(sigma, len(ax))
    rad = _per_axis(radius, len(ax)) if radius is not None else [None] * len(ax)
    reach = {a: _gauss_radius(sig[i], truncate, rad[i]) + 1 for i, a in enumerate(ax)}
    return _overlap(_pc().gaussian_filter, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, ax), sigma=sigma, order=order, output=output,
                    mode=mode, cval=cval, truncate=truncate, radius=radius, axes=axes, **kw)


def _stencil3(fn, input, mode, **kw):
    return _overlap(fn, input, {a: 1 for a in range(input.ndim)},
                    _boundary(mode, input.ndim), mode=mode, **kw)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0, **kw):
    return _stencil3(_pc().sobel, input, mode, axis=axis, output=output, cval=cval, **kw)


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0, **kw):
    return _stencil3(_pc().prewitt, input, mode, axis=axis, output=output, cval=cval, **kw)


def laplace(input, output=None, mode="reflect", cval=0.0, **kw):
    return _stencil3(_pc().laplace, input, mode, output=output, cval=cval, **kw)


def _gaussian_derivative_filter(fn, input, sigma, output, mode, cval, axes, kw):
    truncate, radius = kw.get("truncate", 4.0), kw.get("radius")
    ax = _filter_axes(axes, input.ndim)
    sig = _per_axis(sigma, len(ax))
    rad = _per_axis(radius, len(ax)) if radius is not None else [None] * len(ax)
    reach = {a: _gauss_radius(sig[i], truncate, rad[i]) + 1 for i, a in enumerate(ax)}
    if axes is not None:
        kw = {**kw, "axes": axes}
    return _overlap(fn, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, ax), sigma=sigma, output=output, mode=mode,
                    cval=cval, **kw)


def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *,
                                axes=None, **kw):
    return _gaussian_derivative_filter(_pc().gaussian_gradient_magnitude, input, sigma,
                                       output, mode, cval, axes, kw)


def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None, **kw):
    return _gaussian_derivative_filter(_pc().gaussian_laplace, input, sigma, output, mode,
                                       cval, axes, kw)


def _derivative_halo(derivative, name, extra_arguments, extra_keywords):
    """Halo of one of pycompute's own derivative callables; a user callable has none known."""
    from . import derivatives

    own = derivatives._own_derivative(derivative)
    if own is None:
        raise ValueError(
            f"`{name}`={derivative!r} is not one of pycompute's derivative functions "
            f"({', '.join(f.__name__ for f in derivatives.NATIVE_DERIVATIVES)}), so the halo "
            f"a chunk needs is unknown; compute on a NumPy array, or use "
            f"gaussian_gradient_magnitude / gaussian_laplace")
    if own.__name__ in ("gaussian_derivative", "gaussian_derivative2"):
        sigma = (list(extra_arguments) + [extra_keywords.get("sigma")])[0]
        return _gauss_radius(sigma, extra_keywords.get("truncate", 4.0),
                             extra_keywords.get("radius")) + 1
    return 1


def _generic_derivative_filter(fn, name, input, derivative, output, mode, cval,
                               extra_arguments, extra_keywords, kw):
    extra_keywords = dict(extra_keywords or {})
    h = _derivative_halo(derivative, name, extra_arguments, extra_keywords)
    ax = _filter_axes(kw.get("axes"), input.ndim)
    return _overlap(fn, input, _halo_from_extent(input.ndim, {a: h for a in ax}),
                    _boundary(mode, input.ndim, ax), output=output, mode=mode, cval=cval,
                    extra_arguments=tuple(extra_arguments), extra_keywords=extra_keywords,
                    **{name: derivative}, **kw)


def generic_gradient_magnitude(input, derivative, output=None, mode="reflect", cval=0.0,
                               extra_arguments=(), extra_keywords=None, **kw):
    return _generic_derivative_filter(_pc().generic_gradient_magnitude, "derivative", input,
                                      derivative, output, mode, cval, extra_arguments,
                                      extra_keywords, kw)


def generic_laplace(input, derivative2, output=None, mode="reflect", cval=0.0,
                    extra_arguments=(), extra_keywords=None, **kw):
    return _generic_derivative_filter(_pc().generic_laplace, "derivative2", input,
                                      derivative2, output, mode, cval, extra_arguments,
                                      extra_keywords, kw)


def _window_reach(ndim, ax, size, footprint, origin):
    """{axis: halo} of a size/footprint window with origins on axes ``ax`` (the reach of
    scipy's window: ``size // 2 + |origin|`` along each filtered axis)."""
    if footprint is not None:
        shape = np.shape(footprint)
        if len(shape) != len(ax):
            shape = shape[-len(ax):] if len(shape) > len(ax) else (1,) * len(ax)
    else:
        shape = _per_axis(size, len(ax))
    orig = _per_axis(origin, len(ax))
    reach = {}
    for i, a in enumerate(ax):
        n = int(shape[i]) if shape[i] is not None else 1
        reach[a] = _builtin_max(n, 1) // 2 + abs(int(orig[i] or 0)) + 1
    return reach


def _min_max_1d(fn, input, size, axis, output, mode, cval, origin, kw):
    ax = axis % input.ndim
    return _overlap(fn, input, _halo_from_extent(input.ndim, {ax: int(size) // 2 + abs(origin) + 1}),
                    _boundary(mode, input.ndim, [ax]), size=size, axis=axis, output=output,
                    mode=mode, cval=cval, origin=origin, **kw)


def minimum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, **kw):
    return _min_max_1d(_pc().minimum_filter1d, input, size, axis, output, mode, cval, origin, kw)


def maximum_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, **kw):
    return _min_max_1d(_pc().maximum_filter1d, input, size, axis, output, mode, cval, origin, kw)


def _windowed(fn, input, size, footprint, output, mode, cval, origin, axes, kw):
    ax = _filter_axes(axes, input.ndim)
    reach = _window_reach(input.ndim, ax, size, footprint, origin)
    if axes is not None:
        kw = {**kw, "axes": axes}
    return _overlap(fn, input, _halo_from_extent(input.ndim, reach),
                    _boundary(mode, input.ndim, ax), size=size, footprint=footprint,
                    output=output, mode=mode, cval=cval, origin=origin, **kw)


def minimum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None, **kw):
    return _windowed(_pc().minimum_filter, input, size, footprint, output, mode, cval, origin,
                     axes, kw)


def maximum_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                   origin=0, *, axes=None, **kw):
    return _windowed(_pc().maximum_filter, input, size, footprint, output, mode, cval, origin,
                     axes, kw)


def median_filter(input, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                  origin=0, *, axes=None, **kw):
    return _windowed(_pc().median_filter, input, size, footprint, output, mode, cval, origin,
                     axes, kw)


def rank_filter(input, rank, size=None, footprint=None, output=None, mode="reflect", cval=0.0,
                origin=0, *, axes=None, **kw):
    return _windowed(_rank_call(_pc().rank_filter, rank), input, size, footprint, output,
                     mode, cval, origin, axes, kw)


def percentile_filter(input, percentile, size=None, footprint=None, output=None,
                      mode="reflect", cval=0.0, origin=0, *, axes=None, **kw):
    return _windowed(_rank_call(_pc().percentile_filter, percentile), input, size, footprint,
                     output, mode, cval, origin, axes, kw)


def _rank_call(fn, value):
    """``fn`` with its second positional argument (rank or percentile) bound."""
    def call(x, **kw):
        return fn(x, value, **kw)

    call.__name__ = fn.__name__
    return call


# ---------------------------------------------------------------- simulation steps

def _steps_plan(steps, steps_per_exchange):
    steps = int(steps)
    k = int(steps_per_exchange)
    if k < 1:
        raise ValueError(f"`steps_per_exchange`={steps_per_exchange!r} must be >= 1")
    while steps > 0:
        yield k if k < steps else steps
        steps -= k


def _periodic_only(mode):
    if mode not in ("wrap", "grid-wrap"):
        raise ValueError(
            f"`mode`={mode!r} is not supported for Dask arrays: chunked simulations use "
            f"periodic boundaries ('wrap'); compute on a NumPy array for other modes")


def _stepper(fn, x, steps, steps_per_exchange, radius, **kw):
    x = _check(x, "u")
    for k in _steps_plan(steps, steps_per_exchange):
        x = x.map_overlap(functools.partial(fn, steps=k, **kw), depth=k * radius,
                          boundary="periodic", dtype=x.dtype)
    return x


def heat_step(u, *, steps=1, alpha, mode="wrap", steps_per_exchange=8, **kw):
    _periodic_only(mode)
    _no_output(kw)
    return _stepper(_pc().heat_step, u, steps, steps_per_exchange, 1, alpha=alpha, mode=mode,
                    **kw)


def life_step(board, *, steps=1, rule="B3/S23", mode="wrap", steps_per_exchange=8, **kw):
    _periodic_only(mode)
    _no_output(kw)
    return _stepper(_pc().life_step, board, steps, steps_per_exchange, 1, rule=rule, mode=mode,
                    **kw)


def _gs_block(uv, **kw):
    u, v = _pc().gray_scott_step(np.ascontiguousarray(uv[0]), np.ascontiguousarray(uv[1]), **kw)
    return np.stack([u, v])


def gray_scott_step(u, v, *, Du, Dv, F, k, dt=1.0, steps=1, mode="wrap",
                    steps_per_exchange=8, **kw):
    _periodic_only(mode)
    _check(u, "u")
    _check(v, "v")
    if u.shape != v.shape:
        raise ValueError(f"`u` and `v` must have the same shape, got {u.shape} and {v.shape}")
    uv = da.stack([u, v.rechunk(u.chunks)]).rechunk({0: 2})
    for kk in _steps_plan(steps, steps_per_exchange):
        uv = uv.map_overlap(functools.partial(_gs_block, Du=Du, Dv=Dv, F=F, k=k, dt=dt,
                                              steps=kk, mode=mode, **kw),
                            depth={0: 0, 1: kk, 2: kk},
                            boundary={0: "none", 1: "periodic", 2: "periodic"}, dtype=uv.dtype)
    return uv[0], uv[1]


# ---------------------------------------------------------------- reductions

def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, numbers.Integral):
        axis = (axis,)
    return tuple(sorted(a % ndim for a in axis))


def _res_dtype(op, dtype_in, dtype):
    probe = np.ones(2, dtype_in)
    return np.asarray(getattr(np, op)(probe, dtype=dtype)).dtype


def _chunk_sum(x, axis=None, keepdims=True, dtype=None, **_):
    return _pc().sum(x, axis=axis, keepdims=keepdims, dtype=dtype)


def _sum_acc(x, axis, keepdims, split_every, res_dt):
    acc = np.float64 if res_dt.kind == "f" else (np.uint64 if res_dt.kind == "u" else np.int64)
    return da.reduction(x, functools.partial(_chunk_sum, dtype=acc),
                        functools.partial(_chunk_sum, dtype=acc), axis=axis,
                        keepdims=keepdims, dtype=acc, split_every=split_every,
                        combine=functools.partial(_chunk_sum, dtype=acc))


def sum(a, axis=None, dtype=None, keepdims=False, split_every=None, **kw):
    a = _check(a, "a")
    _no_output(kw)
    res_dt = _res_dtype("sum", a.dtype, dtype)
    return _sum_acc(a, axis, keepdims, split_every, res_dt).astype(res_dt)


def mean(a, axis=None, dtype=None, keepdims=False, split_every=None, **kw):
    a = _check(a, "a")
    _no_output(kw)
    res_dt = _res_dtype("mean", a.dtype, dtype)
    n = math.prod(a.shape[i] for i in _axes(axis, a.ndim))
    s = _sum_acc(a, axis, keepdims, split_every, np.dtype(np.float64))
    return (s / n).astype(res_dt)


def _extreme(which, a, axis, keepdims, split_every, kw):
    a = _check(a, "a")
    _no_output(kw)
    if a.size == 0:
        raise ValueError(f"zero-size array to reduction operation {which} which has no identity")
    fn = getattr(_pc(), which)

    def chunk(x, axis=None, keepdims=True, **_):
        return fn(x, axis=axis, keepdims=keepdims)

    return da.reduction(a, chunk, chunk, axis=axis, keepdims=keepdims, dtype=a.dtype,
                        split_every=split_every, combine=chunk)


def min(a, axis=None, keepdims=False, split_every=None, **kw):
    return _extreme("min", a, axis, keepdims, split_every, kw)


def max(a, axis=None, keepdims=False, split_every=None, **kw):
    return _extreme("max", a, axis, keepdims, split_every, kw)


def var(a, axis=None, dtype=None, ddof=0, keepdims=False, split_every=None, **kw):
    """Two passes, both through pycompute's sum kernel: the mean, then the squared deviations."""
    a = _check(a, "a")
    _no_output(kw)
    res_dt = _res_dtype("var", a.dtype, dtype)
    axes = _axes(axis, a.ndim)
    n = math.prod(a.shape[i] for i in axes)
    m = _sum_acc(a, axes, True, split_every, np.dtype(np.float64)) / n
    d = a.astype(np.float64) - m
    ss = _sum_acc(d * d, axes, keepdims, split_every, np.dtype(np.float64))
    return (ss / _builtin_max(n - ddof, 0)).astype(res_dt)


def std(a, axis=None, dtype=None, ddof=0, keepdims=False, split_every=None, **kw):
    return da.sqrt(var(a, axis=axis, dtype=np.float64, ddof=ddof, keepdims=keepdims,
                       split_every=split_every, **kw)).astype(
        _res_dtype("std", _check(a, "a").dtype, dtype))


def _arg(which, a, axis, kw):
    a = _check(a, "a")
    _no_output(kw)
    if a.size == 0:
        raise ValueError(f"attempt to get {which} of an empty sequence")
    fn = getattr(_pc(), which)
    if axis is None:
        flat = a.reshape(-1) if a.ndim != 1 else a
        # per block: (first extreme's global index, its value); blocks combined in order
        offsets = np.cumsum((0,) + flat.chunks[0][:-1])
        parts = [dask.delayed(_block_arg)(fn, blk, int(off))
                 for blk, off in zip(flat.to_delayed().ravel(), offsets)]
        res = dask.delayed(_combine_arg)(parts, which == "argmax")
        return da.from_delayed(res, shape=(), dtype=np.intp)
    ax = axis % a.ndim
    whole = a.rechunk({ax: -1})
    return whole.map_blocks(fn, axis=ax, drop_axis=ax, dtype=np.intp)


def _block_arg(fn, blk, off):
    i = int(fn(blk))
    return off + i, blk[i]


def _combine_arg(parts, want_max):
    best_i, best_v = parts[0]
    for i, v in parts[1:]:
        if best_v != best_v:
            break
        if v != v or (v > best_v if want_max else v < best_v):
            best_i, best_v = i, v
    return np.intp(best_i)


def argmin(a, axis=None, **kw):
    return _arg("argmin", a, axis, kw)


def argmax(a, axis=None, **kw):
    return _arg("argmax", a, axis, kw)


def histogram(a, bins=10, range=None, density=None, weights=None):
    """Counts per block with pycompute's histogram, summed; edges as np.histogram's."""
    a = _check(a, "a")
    if weights is not None:
        raise TypeError("`weights` are not supported for Dask inputs")
    if isinstance(bins, numbers.Integral) and range is None:
        lo, hi = dask.compute(min(a), max(a))
        range = (lo, hi)
    # NumPy builds the same edges from the same (first, last) scalars and dtype
    _, edges = np.histogram(np.zeros(0, a.dtype), bins=bins, range=range)
    counts = a.reshape(-1).map_blocks(
        lambda b: _pc().histogram(b, bins=bins if isinstance(bins, numbers.Integral) else edges,
                                  range=range)[0][None, :],
        chunks=((1,) * a.reshape(-1).numblocks[0], (len(edges) - 1,)), new_axis=1,
        dtype=np.int64).sum(axis=0)
    if density:
        counts = counts / np.diff(edges) / counts.sum()
    return counts, edges


# ---------------------------------------------------------------- N-body

def _acc_block(pos_i, pos_j, mass_j, same, G, softening):
    """Accelerations on bodies ``pos_i`` from sources ``(pos_j, mass_j)``.

    Targets join the sources with zero mass, so they feel the sources but exert
    nothing; on the diagonal block the bodies are both.
    """
    pc = _pc()
    if same:
        return pc.nbody_accelerations(pos_i, mass_j, G=G, softening=softening)
    pos = np.concatenate([pos_i, pos_j])
    mass = np.concatenate([np.zeros(len(pos_i), mass_j.dtype), mass_j])
    return pc.nbody_accelerations(pos, mass, G=G, softening=softening)[: len(pos_i)]


def _tree_sum(parts):
    while len(parts) > 1:
        parts = [parts[i] + parts[i + 1] if i + 1 < len(parts) else parts[i]
                 for i in range(0, len(parts), 2)]
    return parts[0]



def _bodies(pos, mass):
    pos = _check(pos, "pos")
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError(f"`pos` must have shape (N, 3), got {pos.shape}")
    if not is_dask_array(mass):
        mass = da.from_array(np.asarray(mass), chunks=(pos.chunks[0],))
    if mass.shape != (pos.shape[0],):
        raise ValueError(f"`mass` must have shape ({pos.shape[0]},), got {mass.shape}")
    pos = pos.rechunk({1: 3})
    mass = mass.rechunk((pos.chunks[0],))
    return pos, mass


def nbody_accelerations(pos, mass, *, G=1.0, softening):
    pos, mass = _bodies(pos, mass)
    pb = pos.to_delayed().ravel()
    mb = mass.to_delayed().ravel()
    rows = []
    for i, pi in enumerate(pb):
        parts = [dask.delayed(_acc_block)(pi, pj, mj, i == j, G, softening)
                 for j, (pj, mj) in enumerate(zip(pb, mb))]
        blk = dask.delayed(_tree_sum)(parts)
        rows.append(da.from_delayed(blk, shape=(pos.chunks[0][i], 3), dtype=pos.dtype))
    return da.concatenate(rows)


def nbody_step(pos, vel, mass, *, dt, steps=1, G=1.0, softening):
    """Velocity Verlet (kick-drift-kick), one accelerations pass per step."""
    pos, mass = _bodies(pos, mass)
    vel = _check(vel, "vel").rechunk(pos.chunks)
    acc = nbody_accelerations(pos, mass, G=G, softening=softening)
    for _ in range(int(steps)):
        vel = vel + acc * (0.5 * dt)
        pos = pos + vel * dt
        acc = nbody_accelerations(pos, mass, G=G, softening=softening)
        vel = vel + acc * (0.5 * dt)
    return pos, vel


def nbody_energy(pos, vel, mass, *, G=1.0, softening):
    """Total energy as a float (computed: the pairwise potential needs every pair)."""
    p, v, m = dask.compute(pos, vel, mass)
    return _pc().nbody_energy(p, v, m, G=G, softening=softening)
