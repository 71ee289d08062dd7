"""The "numpy" backend: every kernel in plain NumPy.

This file is the executable specification of fastnet. The compiled
("cython") and GPU ("cupy") backends implement the same names with the same
signatures, and the tests check them against the functions here.

Kernels trust their input: `fastnet.backend.Backend` has validated shapes,
dtypes and labels before any of these functions runs. Every array is
float32 or float64; mixed inputs were already cast to their common dtype.
"""

import numpy as np

from .vocabulary import ACTIVATIONS  # noqa: F401  (the names activation_forward takes)

xp = np

# Added inside the log of the cross-entropy, as in the book, so that a
# probability of exactly 0 gives a large finite loss instead of inf.
CROSS_ENTROPY_EPS = 1e-7

# Added to the denominator of AdaGrad, RMSprop and Adam (the book's value).
OPTIMIZER_EPS = 1e-7

# --------------------------------------------------------------------- GEMM


def gemm(a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
    """C := act(op(A)·op(B) + bias), op(X) = X.T when trans_x.

    a: (M, K) or (K, M) when trans_a; b: (K, N) or (N, K) when trans_b;
    bias: (N,) or None. Returns a new (M, N) array.
    """
    a = a.T if trans_a else a
    b = b.T if trans_b else b
    c = a @ b
    if bias is not None:
        c += bias
    return activation_forward(c, activation)


# ------------------------------------------------------------ broadcasting


def add(a, b):
    """C := A + B with NumPy's broadcasting rules."""
    return a + b


def bias_add(x, bias):
    """Y := X + bias, x (N, M), bias (M,) added to every row."""
    return x + bias


def column_sum(x):
    """s := Σ_i X[i, :], x (N, M) -> (M,): the gradient of a bias."""
    return x.sum(axis=0)


# ------------------------------------------------------------- activations


def activation_forward(x, activation):
    """Y := act(X) elementwise, act in ACTIVATIONS. Returns a new array."""
    if activation == "identity":
        return x.copy()
    if activation == "relu":
        return np.maximum(x, 0)
    if activation == "sigmoid":
        return _sigmoid(x)
    if activation == "tanh":
        return np.tanh(x)
    raise ValueError(f"unknown activation {activation!r}")


def activation_backward(dout, y, activation):
    """dX := dout · act'(X), computed from the forward output Y = act(X).

    relu: dout·[y > 0]; sigmoid: dout·y·(1 - y); tanh: dout·(1 - y²).
    """
    if activation == "identity":
        return dout.copy()
    if activation == "relu":
        return np.where(y > 0, dout, 0).astype(dout.dtype, copy=False)
    if activation == "sigmoid":
        return dout * y * (1 - y)
    if activation == "tanh":
        return dout * (1 - y * y)
    raise ValueError(f"unknown activation {activation!r}")


def _sigmoid(x):
    # exp of a large negative argument overflows to inf; computing it as
    # exp(-|x|) keeps every intermediate in range on both branches.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


# ---------------------------------------------------------------- losses


def softmax(x):
    """Y[i] := exp(X[i] - max X[i]) / Σ exp(X[i] - max X[i]) for each row.

    x: (N, C). Subtracting the row max keeps exp from overflowing.
    """
    # An inf in a row gives inf - inf = NaN; the Backend turns that into a
    # ValueError, so NumPy's warning is silenced here.
    with np.errstate(invalid="ignore"):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def cross_entropy(y, t):
    """L := -Σ_i log(Y[i, t_i] + 1e-7) / N (the book's cross_entropy_error).

    y: (N, C) probabilities; t: (N,) integer labels or (N, C) one-hot
    (converted with argmax, as the book does). Returns a Python float.
    """
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    n = y.shape[0]
    if n == 0:
        return 0.0
    picked = y[np.arange(n), labels]
    return float(-np.sum(np.log(picked + CROSS_ENTROPY_EPS)) / n)


def softmax_cross_entropy(x, t):
    """(L, dX) := (cross_entropy(softmax(X), t), (softmax(X) - T) / N).

    x: (N, C) logits; t: (N,) integer labels or (N, C) one-hot (or soft)
    targets T. The loss follows the book (argmax of one-hot t, 1e-7 in the
    log); the gradient is the book's SoftmaxWithLoss.backward(1).
    """
    y = softmax(x)
    loss = cross_entropy(y, t)
    n = x.shape[0]
    dx = y.copy()
    if t.ndim == 2:
        dx -= t
    else:
        dx[np.arange(n), t] -= 1
    if n:
        dx /= n
    return loss, dx


def sigmoid_binary_cross_entropy(x, t):
    """(L, dX) := (mean(softplus(X) - T·X), (sigmoid(X) - T) / X.size).

    x: logits, t: targets in [0, 1], same shape. softplus(x) - t·x equals
    -(t·log σ(x) + (1-t)·log(1-σ(x))) but never takes the log of 0.
    """
    if x.size == 0:
        return 0.0, x.copy()
    # inf logits give inf - inf = NaN here; the Backend reports that as a
    # ValueError, so NumPy's own warning would only be noise.
    with np.errstate(invalid="ignore"):
        loss = float(np.mean(_log1pexp(x) - t * x))
    dx = (_sigmoid(x) - t) / x.size
    return loss, dx.astype(x.dtype, copy=False)


def _log1pexp(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^x alone overflows for x > 88
    # in float32, e^-|x| never does.
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def mean_squared_error(y, t):
    """(L, dY) := (mean((Y - T)²), 2·(Y - T) / Y.size), y and t same shape."""
    if y.size == 0:
        return 0.0, y.copy()
    diff = y - t
    return float(np.mean(diff * diff)), (2 / y.size) * diff


# ------------------------------------------------------------- optimizers
# Every update changes `param` (and the state arrays) in place and returns
# None: the book's layers hold references to the parameter arrays.


def sgd_update(param, grad, lr):
    """p -= lr·g"""
    param -= lr * grad


def momentum_update(param, grad, velocity, lr, momentum):
    """v = momentum·v - lr·g; p += v"""
    velocity *= momentum
    velocity -= lr * grad
    param += velocity


def nesterov_update(param, grad, velocity, lr, momentum):
    """p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g"""
    param += momentum * momentum * velocity
    param -= (1 + momentum) * lr * grad
    velocity *= momentum
    velocity -= lr * grad


def adagrad_update(param, grad, h, lr):
    """h += g²; p -= lr·g / (√h + 1e-7)"""
    h += grad * grad
    param -= lr * grad / (np.sqrt(h) + OPTIMIZER_EPS)


def rmsprop_update(param, grad, h, lr, decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7)"""
    h *= decay_rate
    h += (1 - decay_rate) * grad * grad
    param -= lr * grad / (np.sqrt(h) + OPTIMIZER_EPS)


def adam_update(param, grad, m, v, lr_t, beta1, beta2):
    """m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7)

    lr_t is the bias-corrected rate lr·√(1-β2^t)/(1-β1^t) the caller computed.
    """
    m += (1 - beta1) * (grad - m)
    v += (1 - beta2) * (grad * grad - v)
    param -= lr_t * m / (np.sqrt(v) + OPTIMIZER_EPS)


def rms_update(param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps), or lr·g / (√h + eps)

    The running mean of squared gradients behind RMSprop and AdaGrad, with
    every constant a parameter. Keras puts eps INSIDE the square root
    (eps_inside_sqrt=True): its RMSprop is decay=rho, gain=1-rho, its Adagrad
    decay=1, gain=1 with h starting at initial_accumulator_value. The book
    adds it outside (rmsprop_update, adagrad_update).
    """
    h *= decay
    h += gain * grad * grad
    if eps_inside_sqrt:
        param -= lr * grad / np.sqrt(h + eps)
    else:
        param -= lr * grad / (np.sqrt(h) + eps)


# ----------------------------------------------------------- convolution
# Images are (N, C, H, W). A filter of FH x FW moved by `stride` over the
# image zero-padded by `pad` on every side gives OH x OW positions:
#   OH = (H + 2·pad - FH) // stride + 1,  OW = (W + 2·pad - FW) // stride + 1.

# Added to the variance inside the square root of batch normalization (the
# book's value, written 10e-7 there): keeps 1/std finite for a constant feature.
BATCHNORM_EPS = 10e-7


def conv_output_size(size, filter_size, stride, pad):
    """(size + 2·pad - filter_size) // stride + 1: positions along one axis."""
    return (size + 2 * pad - filter_size) // stride + 1


def im2col(x, filter_h, filter_w, stride=1, pad=0):
    """col[(n, oh, ow), (c, i, j)] := x_pad[n, c, oh·stride + i, ow·stride + j].

    x: (N, C, H, W) -> col (N·OH·OW, C·FH·FW): one row per output position,
    holding the patch the filter sees there (zeros where it hangs over the
    edge). A convolution is then one matrix product col · W.reshape(FN, -1).T.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, filter_h, filter_w, oh, ow), x.dtype)
    # One strided slice per filter offset (i, j) copies that offset for every
    # output position at once: FH·FW slices instead of OH·OW patches.
    for i in range(filter_h):
        for j in range(filter_w):
            col[:, :, i, j] = img[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """dx[n, c, y, x] := Σ col[(n, oh, ow), (c, i, j)] over oh·s + i - pad = y, ow·s + j - pad = x.

    The adjoint of im2col: every patch entry is added back to the pixel it
    was copied from (overlapping patches add up; padding is dropped).
    col: (N·OH·OW, C·FH·FW) -> a new (N, C, H, W) array, input_shape = (N, C, H, W).
    """
    n, c, h, w = input_shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    patches = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), col.dtype)
    for i in range(filter_h):
        for j in range(filter_w):
            img[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += patches[:, :, i, j]
    return np.ascontiguousarray(img[:, :, pad:pad + h, pad:pad + w])


def conv_forward(x, W, b, stride=1, pad=0, activation="identity"):
    """out[n, f] := act(Σ_c x_pad[n, c] ⋆ W[f, c] + b[f]), the book's Convolution.forward.

    x: (N, C, H, W), W: (FN, C, FH, FW), b: (FN,) -> (N, FN, OH, OW), computed
    as im2col(x) · W.reshape(FN, -1).T, whose rows are in (n, oh, ow) order:
    the result is the book's transposed view of that product, not a copy.
    """
    fn, _, fh, fw = W.shape
    n, _, h, w = x.shape
    oh = conv_output_size(h, fh, stride, pad)
    ow = conv_output_size(w, fw, stride, pad)
    out = gemm(im2col(x, fh, fw, stride, pad), W.reshape(fn, -1), b, activation, trans_b=True)
    return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)


def conv_backward(dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                  activation="identity"):
    """(dx, dW, db) of y = act(x ⊛ W + b): with d := dout·act'(y) (see activation_backward),
    dW := dᵀ·col, db := Σ d, dx := col2im(d·W).

    dout: (N, FN, OH, OW), the gradient of y; y: conv_forward's output (read
    unless activation is "identity"); x and W as in conv_forward. dx is None
    when need_input_grad is False. The patches col = im2col(x) are rebuilt
    here rather than kept from forward.
    """
    fn, c, fh, fw = W.shape
    if activation != "identity":
        dout = activation_backward(dout, y, activation)
    d = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # rows (n, oh, ow), like col's
    col = im2col(x, fh, fw, stride, pad)
    dW = gemm(d, col, trans_a=True).reshape(fn, c, fh, fw)
    db = column_sum(d)
    if not need_input_grad:
        return None, dW, db
    dx = col2im(gemm(d, W.reshape(fn, -1)), x.shape, fh, fw, stride, pad)
    return dx, dW, db


def max_pool_forward(x, pool_h, pool_w, stride, pad):
    """out[n, c, oh, ow] := max over the window of x_pad; arg_max := its first position.

    x: (N, C, H, W) -> (out (N, C, OH, OW), arg_max (N, C, OH, OW) int32),
    arg_max holding i·pool_w + j of the window's first maximum (the book's
    np.argmax tie rule). Padding is zeros that take part in the max, as in
    the book, whose pooling runs on im2col's zero-padded patches.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, pool_h, stride, pad)
    ow = conv_output_size(w, pool_w, stride, pad)
    windows = im2col(x, pool_h, pool_w, stride, pad).reshape(n, oh, ow, c, pool_h * pool_w)
    arg_max = windows.argmax(axis=4)
    out = np.take_along_axis(windows, arg_max[..., None], axis=4)[..., 0]
    return (np.ascontiguousarray(out.transpose(0, 3, 1, 2)),
            np.ascontiguousarray(arg_max.transpose(0, 3, 1, 2), dtype=np.int32))


def max_pool_backward(dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
    """dx[n, c, y, x] := Σ dout[n, c, oh, ow] over windows whose arg_max is (y, x).

    dout, arg_max: (N, C, OH, OW) -> a new dx of input_shape (N, C, H, W).
    Each output's gradient goes to the one input that won its window;
    overlapping windows add up, gradients routed into the padding vanish.
    """
    n, c, oh, ow = dout.shape
    dwin = np.zeros((n, oh, ow, c, pool_h * pool_w), dout.dtype)
    np.put_along_axis(dwin, arg_max.transpose(0, 2, 3, 1)[..., None].astype(np.intp),
                      dout.transpose(0, 2, 3, 1)[..., None], axis=4)
    return col2im(dwin.reshape(n * oh * ow, c * pool_h * pool_w), input_shape,
                  pool_h, pool_w, stride, pad)


def conv_pool_forward(x, W, b, stride, pad, activation, pool):
    """(out, arg_max) := max_pool_forward(conv_forward(x, W, b, stride, pad, activation), *pool).

    The layers Convolution, activation and Pooling as one kernel; pool is
    (pool_h, pool_w, stride, pad) of the pooling. Only the pooled output and
    its arg_max are returned: backward does not need the convolution's.
    """
    return max_pool_forward(conv_forward(x, W, b, stride, pad, activation), *pool)


def conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool,
                       need_input_grad=True):
    """(dx, dW, db) of out = maxpool(act(x ⊛ W + b)), from conv_pool_forward's out and arg_max.

    A window's max is the value of the input that won it, so act' at that
    input equals act' at out: d := max_pool_backward(dout·act'(out)) is the
    gradient before the activation, and conv_backward does the rest.
    """
    fn, _, fh, fw = W.shape
    conv_shape = (x.shape[0], fn, conv_output_size(x.shape[2], fh, stride, pad),
                  conv_output_size(x.shape[3], fw, stride, pad))
    d = max_pool_backward(activation_backward(dout, out, activation), arg_max, conv_shape,
                          *pool)
    return conv_backward(d, x, W, stride, pad, need_input_grad)


# ------------------------------------------------------ batch normalization
# x is (N, D): statistics are per feature (column), over the batch (rows).


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, momentum):
    """out := γ·x̂ + β, x̂ := (x - μ) / √(σ² + eps), μ, σ² the batch mean and variance.

    x: (N, D), N >= 1; gamma, beta, running_mean, running_var: (D,).
    running_mean := momentum·running_mean + (1 - momentum)·μ, and the same
    for running_var with σ², IN PLACE (the book's rule). Returns
    (out, xn, std): x̂ and std = √(σ² + eps) are what backward needs.
    """
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc * xc, axis=0)
    std = np.sqrt(var + BATCHNORM_EPS)
    xn = xc / std
    running_mean[...] = momentum * running_mean + (1 - momentum) * mu
    running_var[...] = momentum * running_var + (1 - momentum) * var
    return gamma * xn + beta, xn, std


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var):
    """out := γ·(x - running_mean) / √(running_var + eps) + β, x (N, D)."""
    return gamma * ((x - running_mean) / np.sqrt(running_var + BATCHNORM_EPS)) + beta


def batchnorm_backward(dout, xn, std, gamma):
    """(dx, dγ, dβ) := (γ/std·(dout - dβ/N - x̂·dγ/N), Σ_n dout·x̂, Σ_n dout).

    dout, xn: (N, D); std, gamma: (D,). The book's chain through x̂, σ² and μ,
    simplified (Σ_n x̂ = 0), so one pass over the batch gives all three.
    """
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xn).sum(axis=0)
    dx = (gamma / std) * (dout - dbeta / n - xn * (dgamma / n))
    return dx, dgamma, dbeta


# ---------------------------------------------------------------- dropout


def dropout_mask(shape, dropout_ratio):
    """M := U(0, 1) > ratio, drawn with np.random.rand so np.random.seed reproduces the book."""
    return np.random.rand(*shape) > dropout_ratio


def dropout_forward(x, mask):
    """Y := X·M (M boolean, X's shape): training keeps the units whose draw passed."""
    return x * mask


def dropout_backward(dout, mask):
    """dX := dout·M: dropped units pass no gradient."""
    return dout * mask


def dropout_infer(x, dropout_ratio):
    """Y := X·(1 - ratio): at inference every unit is kept, scaled to the training mean."""
    return x * (1.0 - dropout_ratio)
