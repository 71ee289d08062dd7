"""The "numpy" backend: every kernel in plain NumPy.

This file is the executable specification of fastnet. The compiled
("cython") and GPU ("cupy") backends implement the same names with the same
signatures, and the tests check them against the functions here.

Kernels trust their input: `fastnet.backend.Backend` has validated shapes,
dtypes and labels before any of these functions runs. Every array is
float32 or float64; mixed inputs were already cast to their common dtype.
"""

import numpy as np

xp = np

# Added inside the log of the cross-entropy, as in the book, so that a
# probability of exactly 0 gives a large finite loss instead of inf.
CROSS_ENTROPY_EPS = 1e-7

# Added to the denominator of AdaGrad, RMSprop and Adam (the book's value).
OPTIMIZER_EPS = 1e-7

ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")


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


def keras_rms_update(param, grad, h, lr, decay, gain, eps):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps)

    The rule Keras uses (epsilon INSIDE the square root, unlike the book's
    √h + 1e-7): RMSprop is decay=rho, gain=1-rho; Adagrad is decay=1, gain=1
    with h starting at Keras' initial_accumulator_value.
    """
    h *= decay
    h += gain * grad * grad
    param -= lr * grad / np.sqrt(h + eps)
