"""scipy.ndimage's derivative compositions, fused and parallel.

``gaussian_gradient_magnitude, gaussian_laplace, generic_gradient_magnitude,
generic_laplace`` take scipy.ndimage's arguments, defaults and semantics, plus
keyword-only ``backend=``, ``num_threads=`` and ``precision=`` (as the
convolution family's filters).

What scipy does, and what runs here
-----------------------------------
scipy forms one term per axis in ``axes`` (``derivative(input, axis, ...)``: a
full ``gaussian_filter`` whose order is 1, or 2, along that axis and 0 along the
others, its per-axis passes rounded to the output dtype), the first into
``output`` and the others into temporaries of the output dtype, and combines
them in ``output``: ``output = t0*t0 + t1*t1 + ...; sqrt(output)`` for the
gradient magnitude (``np.sqrt(..., casting='unsafe')``: integer outputs wrap in
the squares and truncate the root), ``output = t0 + t1 + ...`` for the Laplace.

* **Fused** (2-D float32 -> float32 or float64 -> float64, both axes, one mode,
  sigma > 1e-15 on both axes): one kernel (``derivatives.fused2``, Cython and
  Numba twins) reads the image once: per band of rows, each source strip feeds
  both column kernels (the smoothing Gaussian and the derivative), the two
  intermediates live in per-thread rows, the two row passes and the combine
  write the output once. float64 results equal scipy's bit for bit (same terms
  in the same order, no FMA); float32 ones equal what the composition of
  ``pycompute.gaussian_filter`` calls gives (float32 FMA work: within the
  convolution family's float32 tolerance of scipy). Both backends give the
  same bits, at any thread count.
* **Composed** (everything else native: N-D, ``axes``, per-axis modes, integer
  or mixed dtypes, ``precision="scipy"``): scipy's loop, each term one
  ``pycompute.gaussian_filter`` call (parallel, native), the combine in NumPy
  in place, exactly as scipy.
* **Reference** (``backend="numpy"``, complex input): scipy.ndimage itself.

Stopping: the fused kernel runs as several calls of about 50 ms (bands of rows,
``_cancel.run_tasks``), the composed terms as the convolution family's calls; so
Ctrl-C raises ``KeyboardInterrupt`` and a cancelled ``pycompute.aio`` call stops
between two of them, leaving an ``output=`` array partly written. The cut never
changes a value.

One difference from scipy, on purpose: an ``output`` array that shares memory
with ``input`` gives the result of the out-of-place call (scipy's later terms
read the input it has partly overwritten), as ``pycompute.laplace``.

``generic_*``: which derivative callables run natively
-----------------------------------------------------
A callable is pycompute's own when it IS (object identity, not name) one of
:data:`NATIVE_DERIVATIVES` -- ``pycompute.sobel``, ``pycompute.prewitt`` (as
defined in :mod:`pycompute.convolution`, or the public object of that name in
the ``pycompute`` namespace, e.g. its Dask-routing wrapper), and this module's
:func:`laplace_derivative2` (``correlate1d`` with ``[1, -2, 1]``, scipy's
``laplace`` stencil), :func:`gaussian_derivative` and
:func:`gaussian_derivative2` (scipy's Gaussian partials). Those run scipy's
composition with every term a pycompute call given ``backend`` and
``num_threads``; a Gaussian partial with ``extra_arguments=(sigma,)`` runs the
fused kernel where it applies (the same computation as
``gaussian_gradient_magnitude`` / ``gaussian_laplace``). Any other callable --
including a wrapper or ``functools.partial`` of pycompute's functions, whose
behaviour cannot be known -- runs through ``scipy.ndimage.generic_*`` (the
reference), which calls it as scipy documents; naming a native backend for it
raises ``TypeError`` (the family rule for inputs no native kernel covers).
"""
from __future__ import annotations

import numpy as np

from . import _backends, _cancel, _reference, _threads
from . import convolution as _conv
from ._validation import MODE_CODES, as_array, ndi_axes, ndi_cval, ndi_output, ndi_sequence

__all__ = ["gaussian_gradient_magnitude", "gaussian_laplace", "generic_gradient_magnitude",
           "generic_laplace", "gaussian_derivative", "gaussian_derivative2",
           "laplace_derivative2"]

_FAMILY = "derivatives"
#: multiply-adds one thread must have before a second one is worth starting
GRAIN = 1 << 16
#: per-thread scratch (bytes) above which the fused kernel is not used (the composition
#: needs none): its rows grow with the kernel lengths
FUSED_SCRATCH_MAX = 1 << 26
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_FUSED_KWARGS = frozenset({"truncate", "radius"})
_MAGNITUDE, _SUM = 0, 1  # the `op` codes of derivatives.fused2
#: fused2's time per multiply-add (outputs x 2 (Kv + Kh)) in ``_cancel.FIRST_WORK`` units
#: (about 0.5 ns at one thread), rounded up from Zen 4: sizes the first slice of a long call
_W_FUSED = 1


_check_common = _conv._check_common  # backend, num_threads, precision: as the linear filters
_native = _conv._native_dtype


# ---------------------------------------------------------------- the fused 2-D kernel

def _fused_scratch(W, Kv, Kh, isz) -> int:
    """Bytes of one thread's scratch in fused2 (the larger twin's: Cython's 32 padded
    intermediate rows, three result rows and a ring of 16 + Kv - 1 source rows)."""
    return isz * (32 * (W + Kh + 32) + 3 * (W + 16) + (15 + Kv) * (W + 32)) + 16 * (Kv + Kh)


def _try_fused(backend, inp, out, odt, sigma2, orders, modes, cval, truncate, radius,
               op, exact, num_threads):
    """Run the fused kernel if it covers the call: returns the output, else None.

    ``sigma2``/``radius``: per axis (2); ``orders``: ((col, row) of term 0, of term 1)."""
    dt = inp.dtype
    if (inp.ndim != 2 or inp.size == 0 or dt.kind != "f" or _native(dt) not in (_F32, _F64)
            or np.dtype(odt.name) != np.dtype(dt.name) or (exact and dt.name == "float32")):
        return None
    codes = {MODE_CODES.get(m) if isinstance(m, str) else None for m in modes}
    if len(codes) != 1 or None in codes:
        return None  # per-axis modes (or bad ones: the composition reports them as scipy)
    for s in sigma2:
        try:
            if not s > 1e-15:
                return None
        except TypeError:
            return None
    work = np.dtype(dt.name)
    H, W = inp.shape
    w = {}
    for ax in (0, 1):
        for order in {orders[0][ax], orders[1][ax]}:
            wts = _conv._gaussian_weights(sigma2[ax], order, truncate, radius[ax],
                                          n=inp.shape[ax], num_threads=num_threads)
            w[ax, order] = (wts, _conv._symmetry(wts))
    Kv, Kh = len(w[0, orders[0][0]][0]), len(w[1, orders[0][1]][0])
    if _fused_scratch(W, Kv, Kh, work.itemsize) > max(FUSED_SCRATCH_MAX, inp.nbytes):
        return None
    kern = _backends.choose(backend, _FAMILY, True, f"{dt} input",
                            kernel="gaussian_gradient_magnitude" if op == _MAGNITUDE
                            else "gaussian_laplace")
    if kern is None:
        return None
    mode = codes.pop()
    cv = ndi_cval(cval)
    args = []
    for t in (0, 1):
        for ax in (0, 1):
            wts, sym = w[ax, orders[t][ax]]
            args += [np.ascontiguousarray(wts, dtype=work), sym]
    x = np.ascontiguousarray(inp, dtype=work)
    if out is None:
        out = np.empty(inp.shape, work)
    direct = out.flags.c_contiguous and out.dtype == work and out.flags.writeable
    final = out if direct else np.empty(inp.shape, work)
    if np.may_share_memory(x, final):
        x = x.copy()
    work = inp.size * 2 * (Kv + Kh)
    n = _threads.resolve(num_threads, work, GRAIN)
    with _threads.lease(n, num_threads is not None) as k:
        # slices of about 50 ms (bands of rows) so Ctrl-C / aio cancellation can stop it
        _cancel.run_tasks(lambda t0, t1: kern.fused2(x, final, *args, mode, cv, op, k, t0, t1),
                          work * _W_FUSED, k)
    if not direct:
        out[...] = final
    return out


# ---------------------------------------------------------------- scipy's compositions

def _compose(inp, out, odt, ax, terms, combine):
    """scipy's generic_* loop: ``terms[i](src, output)`` forms axis ``ax[i]``'s term
    (``output``: an array to fill, or a dtype for a new one)."""
    if out is None:
        out = np.empty(inp.shape, odt)  # scipy's zeros: every element is written below
    src = inp.copy() if np.may_share_memory(inp, out) else inp
    if not ax:
        out[...] = src[...]
        return out
    terms[0](src, out)
    if combine == _MAGNITUDE:
        np.multiply(out, out, out)
    for i in range(1, len(ax)):
        tmp = terms[i](src, out.dtype)
        if combine == _MAGNITUDE:
            np.multiply(tmp, tmp, tmp)
        out += tmp
    if combine == _MAGNITUDE:
        np.sqrt(out, out, casting="unsafe")  # scipy's: integer outputs truncate the root
    return out


def _gaussian_term(sigma, order, mode, cval, kwargs, backend, num_threads, precision):
    def term(src, output):
        return _conv.gaussian_filter(src, sigma, order, output, mode, cval, backend=backend,
                                     num_threads=num_threads, precision=precision, **kwargs)
    return term


def _gaussian(kind, input, sigma, output, mode, cval, axes, backend, num_threads, precision,
              kwargs):
    """gaussian_gradient_magnitude (kind 1) / gaussian_laplace (kind 2)."""
    exact = _check_common(backend, num_threads, precision)
    inp = as_array(input, "input")
    ref = (_reference.gaussian_gradient_magnitude if kind == 1 else
           _reference.gaussian_laplace)
    if backend == "numpy" or inp.dtype.kind == "c":
        if backend != "numpy":
            _backends.choose(backend, _FAMILY, False, f"input dtype {inp.dtype}")
        return ref(input, sigma, output, mode, cval, axes=axes, **kwargs)
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    modes = ndi_sequence(mode, len(ax), "mode") if ax else []
    if kind == 1:  # each term a gaussian_filter over every axis, sigma as given
        sig = sigma
    else:  # the axes' sigmas, zero (no pass) on the others
        sig = ndi_sequence(sigma, len(ax), "sigma")
        if len(ax) < inp.ndim:  # scipy's rule: with every axis, sigma stays in axis order
            sig = [0] * inp.ndim
            for s, a in zip(ndi_sequence(sigma, len(ax), "sigma"), ax):
                sig[a] = s
    if ax and set(kwargs) <= _FUSED_KWARGS and inp.ndim == 2 and len(ax) == 2:
        sig2 = ndi_sequence(sig, 2, "sigma")
        radius = ndi_sequence(kwargs.get("radius"), 2, "radius")
        # term i: order `kind` along ax[i], 0 along the other axis; (col, row) orders
        orders = tuple((kind if a == 0 else 0, kind if a == 1 else 0) for a in ax)
        res = _try_fused(backend, inp, out, odt, sig2, orders, modes, cval,
                         kwargs.get("truncate", 4.0), radius,
                         _MAGNITUDE if kind == 1 else _SUM, exact, num_threads)
        if res is not None:
            return res
    terms = []
    for i, a in enumerate(ax):
        order = [0] * inp.ndim
        order[a] = kind
        terms.append(_gaussian_term(sig, order, modes[i], cval, kwargs, backend, num_threads,
                                    precision))
    return _compose(inp, out, odt, ax, terms, _MAGNITUDE if kind == 1 else _SUM)


def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *,
                                axes=None, backend="auto", num_threads=None, precision=None,
                                **kwargs):
    """Gradient magnitude with Gaussian derivatives, like
    :func:`scipy.ndimage.gaussian_gradient_magnitude`.

    ``sqrt(sum over axes of gaussian_filter(input, sigma, order=1 along the axis)**2)``,
    each term in the output dtype as scipy. ``kwargs`` (``truncate``, ``radius``) go to
    the Gaussian filters. 2-D float input runs one fused pass over the image.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> x = np.zeros((5, 5)); x[2, 2] = 1.0
    >>> pc.derivatives.gaussian_gradient_magnitude(x, 1.0)[2]
    array([0.03777463, 0.09631936, 0.        , 0.09631936, 0.03777463])
    """
    return _gaussian(1, input, sigma, output, mode, cval, axes, backend, num_threads,
                     precision, kwargs)


def gaussian_laplace(input, sigma, output=None, mode="reflect", cval=0.0, *, axes=None,
                     backend="auto", num_threads=None, precision=None, **kwargs):
    """Laplace filter with Gaussian second derivatives, like
    :func:`scipy.ndimage.gaussian_laplace`.

    The sum over ``axes`` of ``gaussian_filter(input, sigma, order=2 along the axis)``
    (sigma 0 on the other axes), each term in the output dtype as scipy. ``kwargs``
    (``truncate``, ``radius``) go to the Gaussian filters. 2-D float input runs one
    fused pass over the image.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> x = np.zeros((5, 5)); x[2, 2] = 1.0
    >>> pc.derivatives.gaussian_laplace(x, 1.0)[2]
    array([ 0.05545525, -0.09578546, -0.31831178, -0.09578546,  0.05545525])
    """
    return _gaussian(2, input, sigma, output, mode, cval, axes, backend, num_threads,
                     precision, kwargs)


# ---------------------------------------------------------------- pycompute's derivative callables

def laplace_derivative2(input, axis, output=None, mode="reflect", cval=0.0, *,
                        backend="auto", num_threads=None, precision=None):
    """scipy's ``laplace`` second difference along ``axis``: ``correlate1d`` with
    ``[1, -2, 1]``; a ``derivative2`` for :func:`generic_laplace`.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.derivatives.laplace_derivative2([0.0, 0.0, 1.0, 0.0, 0.0], 0)
    array([ 0.,  1., -2.,  1.,  0.])
    """
    return _conv.correlate1d(input, [1, -2, 1], axis, output, mode, cval, 0, backend=backend,
                             num_threads=num_threads, precision=precision)


def _gaussian_partial(kind, input, axis, output, mode, cval, sigma, backend, num_threads,
                      precision, kwargs):
    inp = as_array(input, "input")
    order = [0] * inp.ndim
    order[axis] = kind  # scipy indexes the list with `axis` as given
    return _conv.gaussian_filter(inp, sigma, order, output, mode, cval, backend=backend,
                                 num_threads=num_threads, precision=precision, **kwargs)


def gaussian_derivative(input, axis, output, mode, cval, sigma, *, backend="auto",
                        num_threads=None, precision=None, **kwargs):
    """scipy's Gaussian partial of ``gaussian_gradient_magnitude``: ``gaussian_filter``
    with order 1 along ``axis`` (0 along the others); a ``derivative`` for
    :func:`generic_gradient_magnitude` (``extra_arguments=(sigma,)``).

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.derivatives.gaussian_derivative([0.0, 0.0, 1.0, 0.0, 0.0], 0, None, "reflect",
    ...                                    0.0, 1.0)
    array([ 0.09468667,  0.24143612,  0.        , -0.24143612, -0.09468667])
    """
    return _gaussian_partial(1, input, axis, output, mode, cval, sigma, backend, num_threads,
                             precision, kwargs)


def gaussian_derivative2(input, axis, output, mode, cval, sigma, *, backend="auto",
                         num_threads=None, precision=None, **kwargs):
    """scipy's Gaussian partial of ``gaussian_laplace``: ``gaussian_filter`` with order
    2 along ``axis``; a ``derivative2`` for :func:`generic_laplace`.

    Examples
    --------
    >>> import pycompute as pc
    >>> pc.derivatives.gaussian_derivative2([0.0, 0.0, 1.0, 0.0, 0.0], 0, None, "reflect",
    ...                                     0.0, 1.0)
    array([ 0.19742828,  0.00200746, -0.39894347,  0.00200746,  0.19742828])
    """
    return _gaussian_partial(2, input, axis, output, mode, cval, sigma, backend, num_threads,
                             precision, kwargs)


#: derivative callables that run natively (see the module docstring): object -> role
NATIVE_DERIVATIVES = {
    _conv.sobel: "sobel",
    _conv.prewitt: "prewitt",
    laplace_derivative2: "laplace_derivative2",
    gaussian_derivative: "gaussian_derivative",
    gaussian_derivative2: "gaussian_derivative2",
}
_PUBLIC = {"sobel": _conv.sobel, "prewitt": _conv.prewitt}


def _own_derivative(fn):
    """The pycompute function ``fn`` is, by identity, or None (a user callable)."""
    try:
        if fn in NATIVE_DERIVATIVES:  # dict lookup: identity for functions
            return fn
    except TypeError:  # unhashable: not one of ours
        return None
    import pycompute  # the public objects (e.g. Dask-routing wrappers) of the same names

    for name, f in _PUBLIC.items():
        if fn is getattr(pycompute, name, None):
            return f
    deriv = getattr(pycompute, "derivatives", None)
    for name in ("laplace_derivative2", "gaussian_derivative", "gaussian_derivative2"):
        if deriv is not None and fn is getattr(pycompute, name, None):
            return getattr(deriv, name)
    return None


def _generic(kind, input, derivative, output, mode, cval, extra_arguments, extra_keywords,
             axes, backend, num_threads, precision):
    _check_common(backend, num_threads, precision)
    ref = _reference.generic_gradient_magnitude if kind == 1 else _reference.generic_laplace
    own = _own_derivative(derivative)
    inp = as_array(input, "input")
    if backend == "numpy" or own is None or inp.dtype.kind == "c":
        if backend != "numpy":
            _backends.choose(backend, _FAMILY, False,
                             f"input dtype {inp.dtype}" if own is not None else
                             f"the derivative callable {derivative!r} (not one of "
                             f"pycompute's own, see pycompute.derivatives.NATIVE_DERIVATIVES)")
        return ref(input, derivative, output, mode, cval, extra_arguments, extra_keywords,
                   axes=axes)
    if extra_keywords is None:
        extra_keywords = {}
    extra = tuple(extra_arguments)
    gauss = gaussian_derivative if kind == 1 else gaussian_derivative2
    if own is gauss and len(extra) == 1 and (kind == 1 or axes is None):
        # the same computation as gaussian_gradient_magnitude / gaussian_laplace
        # (gaussian_laplace's sigma per axis equals the one given when axes is None)
        return _gaussian(kind, inp, extra[0], output, mode, cval, axes, backend,
                         num_threads, precision, dict(extra_keywords))
    out, odt = ndi_output(output, inp)
    ax = ndi_axes(axes, inp.ndim)
    modes = ndi_sequence(mode, len(ax), "mode") if ax else []
    kw = dict(extra_keywords, backend=backend, num_threads=num_threads, precision=precision)

    def term_of(i):
        def term(src, output):
            return own(src, ax[i], output, modes[i], cval, *extra, **kw)
        return term

    return _compose(inp, out, odt, ax, [term_of(i) for i in range(len(ax))],
                    _MAGNITUDE if kind == 1 else _SUM)


def generic_gradient_magnitude(input, derivative, output=None, mode="reflect", cval=0.0,
                               extra_arguments=(), extra_keywords=None, *, axes=None,
                               backend="auto", num_threads=None, precision=None):
    """Gradient magnitude from a derivative callable, like
    :func:`scipy.ndimage.generic_gradient_magnitude`.

    ``derivative(input, axis, output, mode, cval, *extra_arguments, **extra_keywords)``.
    pycompute's own derivatives (:data:`NATIVE_DERIVATIVES`) run natively (with
    ``backend``/``num_threads``); any other callable runs through scipy.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> x = np.array([[0, 0, 4], [0, 0, 4], [0, 0, 4]], dtype=float)
    >>> pc.derivatives.generic_gradient_magnitude(x, pc.sobel)
    array([[ 0., 16., 16.],
           [ 0., 16., 16.],
           [ 0., 16., 16.]])
    """
    return _generic(1, input, derivative, output, mode, cval, extra_arguments, extra_keywords,
                    axes, backend, num_threads, precision)


def generic_laplace(input, derivative2, output=None, mode="reflect", cval=0.0,
                    extra_arguments=(), extra_keywords=None, *, axes=None, backend="auto",
                    num_threads=None, precision=None):
    """N-D Laplace filter from a second-derivative callable, like
    :func:`scipy.ndimage.generic_laplace`.

    ``derivative2(input, axis, output, mode, cval, *extra_arguments, **extra_keywords)``.
    pycompute's own derivatives (:data:`NATIVE_DERIVATIVES`) run natively (with
    ``backend``/``num_threads``); any other callable runs through scipy.

    Examples
    --------
    >>> import numpy as np, pycompute as pc
    >>> x = np.zeros((3, 3)); x[1, 1] = 1.0
    >>> pc.derivatives.generic_laplace(x, pc.derivatives.laplace_derivative2)
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return _generic(2, input, derivative2, output, mode, cval, extra_arguments,
                    extra_keywords, axes, backend, num_threads, precision)
