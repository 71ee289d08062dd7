"""Case builders of the chapter 6-7 kernels: im2col / col2im, convolution,
pooling, batch normalization and dropout.

Geometries come from geometry.py (windows wholly in the padding, strides
past the image, one channel, few filters); `Draw.big` asks for sizes that
start a second thread.
"""

import numpy as np

from .arrays import largest as _largest
from .case import Case
from .geometry import Window, draw_pool, draw_window


def _window(d):
    return draw_window(d.rng, big=d.big, tight=d.tight)


def _filters(d):
    """Few filters (1-3) as often as more: the direct convolution's edge cases."""
    few = d.tight or d.coin()
    return int(d.rng.integers(1, 4)) if few else int(d.rng.integers(4, 21))


def _case(d, kernel, args, geometry="", windows=(), **kw):
    if isinstance(geometry, Window):
        windows = (geometry,)
    return Case(kernel, args, layouts=d.layouts, values=d.values, geometry=str(geometry),
                windows=windows, **kw)


def im2col(d):
    g = _window(d)
    return _case(d, "im2col", [d.array("x", g.image), g.fh, g.fw, g.stride, g.pad], g)


def col2im(d):
    g = _window(d)
    col = d.array("col", (g.n * g.oh * g.ow, g.c * g.fh * g.fw))
    return _case(d, "col2im", [col, g.image, g.fh, g.fw, g.stride, g.pad], g,
                 length=g.overlap())


def _conv_args(d, g, fn):
    """x and W of a convolution with `fn` filters over the window g."""
    return d.array("x", g.image), d.array("W", (fn, g.c, g.fh, g.fw))


def _backward_floors(dout, x, W):
    """Noise floors of (dx, dW, db): their sums add terms up to |dout|·|W|,
    |dout|·|x| and |dout| (the activations' derivatives are at most 1), which
    may cancel to a result far smaller than the terms."""
    top = _largest(dout)
    return (top * _largest(W), top * _largest(x), top)


def _term_size(x, W, b):
    """The size of a forward sum's terms: a sum (one output channel, identity) may
    cancel far below them, and rounds as they do."""
    return max(_largest(x) * _largest(W), _largest(b))


def _conv_length(g, fn):
    """The longest sum of a convolution's forward or backward pass."""
    return max(g.c * g.fh * g.fw + 1, g.n * g.oh * g.ow, fn * g.overlap())


def conv_forward(d):
    g, fn = _window(d), _filters(d)
    x, W = _conv_args(d, g, fn)
    # A sum may cancel far below its terms (one output channel, identity): the floor
    # is a term's size.
    b = d.array("b", (fn,))
    return _case(d, "conv_forward", [x, W, b, g.stride, g.pad, d.activation()], g,
                 length=_conv_length(g, fn), floor=_term_size(x, W, b))


def _forward_output(d, name, shape, activation):
    """A stand-in for a forward output y = act(...): relu's >= 0, sigmoid's in (0, 1)."""
    y = d.raw(shape)
    if activation == "relu":
        y = np.maximum(y, 0)
    elif activation == "sigmoid":
        y = (1 / (1 + np.exp(-y.astype(np.float64)))).astype(y.dtype)
    return d.lay(name, y)


def conv_backward(d):
    g, fn = _window(d), _filters(d)
    x, W = _conv_args(d, g, fn)
    out_shape = (g.n, fn, g.oh, g.ow)
    dout = d.array("dout", out_shape)
    activation = d.activation()
    y = _forward_output(d, "y", out_shape, activation) if activation != "identity" else None
    return _case(d, "conv_backward", [dout, x, W, g.stride, g.pad, d.coin(0.7), y, activation],
                 g, length=_conv_length(g, fn), floor=_backward_floors(dout, x, W))


def _conv_pool(d):
    g, fn = _window(d), _filters(d)
    pool = draw_pool(d.rng, g.oh, g.ow)
    pool_g = Window(g.n, fn, g.oh, g.ow, *pool)
    return g, fn, pool, pool_g, f"{g}; pool {pool} -> {pool_g.oh}x{pool_g.ow}"


def conv_pool_forward(d):
    g, fn, pool, pool_g, geometry = _conv_pool(d)
    x, W = _conv_args(d, g, fn)
    b = d.array("b", (fn,))
    return _case(d, "conv_pool_forward", [x, W, b, g.stride, g.pad, d.activation(), pool],
                 geometry, length=_conv_length(g, fn), windows=(g, pool_g),
                 floor=(_term_size(x, W, b), 0.0))


def _arg_max(d, shape, ph, pw):
    """Any valid winners: int32 positions inside each pool window."""
    return d.lay("arg_max", d.rng.integers(0, ph * pw, size=shape).astype(np.int32))


def conv_pool_backward(d):
    g, fn, pool, pool_g, geometry = _conv_pool(d)
    x, W = _conv_args(d, g, fn)
    pooled = (g.n, fn, pool_g.oh, pool_g.ow)
    activation = d.activation()
    args = [d.array("dout", pooled), _arg_max(d, pooled, pool[0], pool[1]),
            _forward_output(d, "out", pooled, activation), x, W, g.stride, g.pad,
            activation, pool, d.coin(0.7)]
    return _case(d, "conv_pool_backward", args, geometry,
                 length=_conv_length(g, fn) * pool_g.overlap(), windows=(g, pool_g),
                 floor=_backward_floors(args[0], x, W))


def _pool_window(d):
    g = _window(d)
    if d.coin(0.4):  # the book's 2x2 pooling (compiled 2x2 kernels)
        pad = g.pad if g.h + 2 * g.pad >= 2 and g.w + 2 * g.pad >= 2 else 1
        g = Window(g.n, g.c, g.h, g.w, 2, 2, 2, pad)
    return g


def max_pool_forward(d):
    g = _pool_window(d)
    return _case(d, "max_pool_forward", [d.array("x", g.image), g.fh, g.fw, g.stride, g.pad],
                 g)


def max_pool_backward(d):
    g = _pool_window(d)
    pooled = (g.n, g.c, g.oh, g.ow)
    args = [d.array("dout", pooled), _arg_max(d, pooled, g.fh, g.fw), g.image, g.fh, g.fw,
            g.stride, g.pad]
    return _case(d, "max_pool_backward", args, g, length=g.overlap())


# ------------------------------------------------------ batch normalization


def _batch(d, allow_empty=False):
    n, dim = d.matrix_shape()
    return (n if allow_empty else max(n, 1)), dim


def _running(d, dim, dtype):
    return (d.lay("running_mean", d.raw((dim,), dtype), writable=True),
            d.lay("running_var", np.abs(d.raw((dim,), dtype)), writable=True))


def _noise_floor(x, eps=1e-6):
    """The largest value of x's centring error once divided by the smallest std,
    over the columns that are finite (a column with inf or NaN gives NaN there,
    which the comparison matches as such; the others still round)."""
    values = np.asarray(x, np.float64)
    if values.ndim != 2 or not values.size:
        return 0.0
    values = values[:, np.isfinite(values).all(axis=0)]
    if not values.size:
        return 0.0
    return float(np.abs(values).max()) / np.sqrt(values.var(axis=0).min() + eps)


def batchnorm_forward_train(d):
    n, dim = _batch(d)
    x = d.array("x", (n, dim))
    gamma, beta = d.array("gamma", (dim,)), d.array("beta", (dim,))
    if not np.isfinite(np.asarray(gamma, np.float64)).all():
        # An infinite γ times xn of a constant column is inf·0 = NaN or, after
        # the mean's last rounding, inf·(±tiny) = ±inf: either answer is right,
        # so γ stays finite here (x and β still carry the special values).
        values = np.asarray(gamma)
        gamma = d.lay("gamma", np.where(np.isfinite(values), values, 1.0).astype(values.dtype))
    dtype = np.result_type(x, gamma, beta)
    mean, var = _running(d, dim, dtype)
    # out = γ·xn + β: xn's rounding noise comes out scaled by γ
    finite_gamma = np.asarray(gamma, np.float64)[np.isfinite(np.asarray(gamma, np.float64))]
    gain = max(1.0, float(np.abs(finite_gamma).max(initial=0.0)))
    return _case(d, "batchnorm_forward_train", [x, gamma, beta, mean, var, d.uniform()],
                 length=n, floor=_noise_floor(x) * gain)


def batchnorm_forward_infer(d):
    n, dim = _batch(d, allow_empty=True)
    x = d.array("x", (n, dim))
    gamma, beta = d.array("gamma", (dim,)), d.array("beta", (dim,))
    mean, var = _running(d, dim, np.result_type(x, gamma, beta))
    return _case(d, "batchnorm_forward_infer", [x, gamma, beta, mean, var])


def _backward_norm_floors(dout, xn, std, gamma):
    """Noise floors of batch norm's (dx, dγ, dβ). dβ = Σ dout and dγ = Σ dout·x̂ may
    cancel far below their terms (wide values in float32: terms of 5e5 summing to
    -45), so their floors are the terms' size; dx = γ/std·(dout - dβ/N - x̂·dγ/N)
    carries x̂ times dγ's rounding, averaged over the batch."""
    n = max(dout.shape[0], 1)
    with np.errstate(invalid="ignore", over="ignore"):
        terms = _largest(np.asarray(dout, np.float64) * np.asarray(xn, np.float64))
        gain = _largest(np.asarray(gamma, np.float64) / np.asarray(std, np.float64))
    centring = _noise_floor(dout) / float(std.min(initial=1.0))
    dx = gain * (_largest(dout) + _largest(xn) * terms / n)
    return max(centring, dx), max(centring, terms), max(centring, _largest(dout))


def batchnorm_backward(d):
    n, dim = _batch(d, allow_empty=True)
    std = np.abs(d.raw((dim,))) + 1e-3  # never below √eps, like forward's
    args = [d.array("dout", (n, dim)), d.array("xn", (n, dim)), d.lay("std", std),
            d.array("gamma", (dim,))]
    return _case(d, "batchnorm_backward", args, length=n, floor=_backward_norm_floors(*args))


# ----------------------------------------------------------------- dropout


def dropout_mask(d):
    shape = tuple(d.size(9) for _ in range(int(d.rng.integers(0, 4))))
    return _case(d, "dropout_mask", [shape, d.uniform(0, 0.99)], "")


def _masked(d, kernel, name):
    shape = d.any_shape()
    mask = d.lay("mask", d.rng.random(shape) > d.uniform())
    return _case(d, kernel, [d.array(name, shape), mask], "")


def dropout_forward(d):
    return _masked(d, "dropout_forward", "x")


def dropout_backward(d):
    return _masked(d, "dropout_backward", "dout")


def dropout_infer(d):
    return _case(d, "dropout_infer", [d.array("x", d.any_shape()), d.uniform(0, 0.99)], "")


BUILDERS = {f.__name__: f for f in (
    im2col, col2im, conv_forward, conv_backward, conv_pool_forward, conv_pool_backward,
    max_pool_forward, max_pool_backward, batchnorm_forward_train, batchnorm_forward_infer,
    batchnorm_backward, dropout_mask, dropout_forward, dropout_backward, dropout_infer)}
