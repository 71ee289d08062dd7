"""Case builders of the dense kernels: GEMM, broadcasting, activations, losses, the
embedding gradient, optimizers.

Each builder takes a `Draw` and returns a `Case` with valid arguments (bad
ones are made later, by spoil.py). Sizes come from `Draw.size` (0, 1,
primes, block edges); `Draw.big` asks for sizes that start a second thread.
"""

import numpy as np

from fastnet.backend.vocabulary import ACTIVATIONS

from .arrays import largest
from .case import Case

LABEL_DTYPES = (np.int64, np.int64, np.int32, np.intp, np.int16, np.uint8)


def _case(d, kernel, args, **kw):
    return Case(kernel, args, layouts=d.layouts, values=d.values, **kw)


# ------------------------------------------------------------------- GEMM


def gemm(d):
    if d.big:  # past FN_GEMM_PARALLEL_MIN_FLOPS
        m, k, n = (int(s) for s in d.rng.integers(200, 300, size=3))
    else:
        m, k, n = d.size(), d.size(), d.size()
        if d.coin(0.05):  # the packed GEMM's KC = 256 and MC = 72 / 144 block edges
            k = int(d.rng.choice([255, 256, 257]))
            m = int(d.rng.choice([71, 72, 73, 143, 144, 145]))
        elif d.coin(0.1):  # a lone row (its own kernel): several register passes, k-blocks
            m, n = 1, d.size(high=300, allow_zero=False)
            k = d.size(high=600, allow_zero=False)
    trans_a, trans_b = d.coin(), d.coin()
    # The book's mix, float32 images against float64 weights, which the
    # compiled GEMM widens while packing (and every other mix now and then,
    # through d.float_dtype).
    book_mix = d.coin(0.2)
    a_dtype, b_dtype = (np.float32, np.float64) if book_mix else (None, None)
    a = d.array("a", (k, m) if trans_a else (m, k), a_dtype)
    b = d.array("b", (n, k) if trans_b else (k, n), b_dtype)
    bias = d.array("bias", (n,), b_dtype) if d.coin() else None
    # A 1x1 output (or any one sum) may cancel far below its terms: the floor is a
    # term's size, as the rounding of a sum is.
    return _case(d, "gemm", [a, b, bias, d.activation(), trans_a, trans_b],
                 length=k + 1, floor=max(largest(a) * largest(b), largest(bias)))


# ----------------------------------------------------------- broadcasting


def add(d):
    shape = d.any_shape()
    operands = []
    for name in ("a", "b"):
        kept = shape[int(d.rng.integers(0, len(shape) + 1)):]
        operands.append(d.array(name, tuple(1 if d.coin(0.3) else s for s in kept)))
    return _case(d, "add", operands)


def bias_add(d):
    n, m = d.matrix_shape()
    return _case(d, "bias_add", [d.array("x", (n, m)), d.array("bias", (m,))])


def column_sum(d):
    n, m = d.matrix_shape()
    x = d.array("x", (n, m))
    # A column's sum may cancel far below its terms: the floor is their size.
    finite = np.asarray(x, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return _case(d, "column_sum", [x], length=n, floor=float(np.abs(finite).max(initial=0.0)))


def activation_forward(d):
    return _case(d, "activation_forward", [d.array("x", d.any_shape()), d.pick(ACTIVATIONS)])


def activation_backward(d):
    shape = d.any_shape()
    activation = d.pick(ACTIVATIONS)
    y = d.raw(shape)
    if activation == "sigmoid" and d.coin(0.7):
        y = (1 / (1 + np.exp(-y.astype(np.float64)))).astype(y.dtype)  # an output of sigmoid
    dout = d.array("dout", shape)
    # tanh's 1 - y² and sigmoid's y·(1 - y) cancel as y nears ±1 (the reference
    # in float32 keeps few digits of them): the floor is the size of the terms.
    floor = largest(dout) * max(1.0, largest(y)) ** 2 if activation in ("tanh",
                                                                         "sigmoid") else 0.0
    return _case(d, "activation_backward", [dout, d.lay("y", y), activation], floor=floor)


# ----------------------------------------------------------------- losses


def _labels(d, n, c, one_hot_dtype):
    """Integer labels (N,) in [0, C), or a one-hot / soft float target (N, C)."""
    if c and d.coin(0.6):
        labels = d.rng.integers(0, c, size=n).astype(d.pick(LABEL_DTYPES))
        return d.lay("t", labels)
    if d.coin(0.5):
        t = np.zeros((n, c), one_hot_dtype)
        if c:
            t[np.arange(n), d.rng.integers(0, c, size=n)] = 1
    else:
        t = d.rng.random((n, c)).astype(one_hot_dtype)
    if t.size and d.coin(0.08):  # NaN among targets, the logits finite or not
        t.reshape(-1)[d.rng.integers(t.size)] = np.nan
    return d.lay("t", t)


def _rows(d):
    n, c = d.matrix_shape()
    if d.coin(0.1):
        c = max(c, 1)
    return n, c


def softmax(d):
    n, c = _rows(d)
    return _case(d, "softmax", [d.array("x", (n, c))], length=c)


def cross_entropy(d):
    n, c = _rows(d)
    y = d.rng.random((n, c)).astype(d.float_dtype())  # probabilities, zeros among them
    y[y < 0.05] = 0
    return _case(d, "cross_entropy", [d.lay("y", y), _labels(d, n, c, y.dtype)], length=n)


def softmax_cross_entropy(d):
    n, c = _rows(d)
    x = d.array("x", (n, c))
    return _case(d, "softmax_cross_entropy", [x, _labels(d, n, c, x.dtype)], length=n * c)


def sigmoid_binary_cross_entropy(d):
    shape = d.any_shape()
    t = d.rng.random(shape).astype(d.float_dtype())
    if d.coin(0.5):
        t = np.round(t)
    size = int(np.prod(shape))
    x = d.array("x", shape)
    # The loss sums softplus(x) - t·x, terms as large as |x| that cancel to 0;
    # the gradient (sigmoid(x) - t) / size subtracts two numbers up to 1 that
    # may cancel too (sigmoid(-1) - 0.2681...: each rounding is an ulp of 0.27).
    finite = x[np.isfinite(x)].astype(np.float64)
    terms = np.abs(finite).max(initial=0.0)
    with np.errstate(over="ignore"):
        sigmoids = (1.0 / (1.0 + np.exp(-finite))).max(initial=0.0)
    difference = max(float(sigmoids), float(np.abs(t).max(initial=0.0))) / max(size, 1)
    return _case(d, "sigmoid_binary_cross_entropy", [x, d.lay("t", t)], length=size,
                 floor=(float(terms), difference))


def mean_squared_error(d):
    shape = d.any_shape()
    size = int(np.prod(shape))
    return _case(d, "mean_squared_error", [d.array("y", shape), d.array("t", shape)],
                 length=size)


# -------------------------------------------------------------- embedding


def embedding_backward(d):
    """dout (N, D) rows, each added at the S table rows of ids (N, S)."""
    n, width = d.matrix_shape()  # big: D past 64, where the columns go to threads
    steps, input_dim = d.size(), d.size(allow_zero=False)
    ids = d.rng.integers(0, input_dim, size=(n, steps))
    if d.coin(0.2):  # many look-ups of one row, as padding's id 0
        ids[:, : steps // 2] = 0
    return _case(d, "embedding_backward",
                 [d.array("dout", (n, width)), d.lay("ids", ids.astype(d.pick(LABEL_DTYPES))),
                  input_dim], length=n * steps)


# ------------------------------------------------------------- optimizers


def _update(d, kernel, states, scalars):
    """param, grad (maybe another dtype) and `states` optimizer arrays of param's dtype."""
    shape = d.any_shape()
    dtype = d.float_dtype()
    arrays = [d.array("param", shape, dtype, writable=True), d.array("grad", shape)]
    for name in states:
        values = d.raw(shape, dtype)
        if name in ("h", "v"):  # accumulated squares: never negative
            values = np.abs(values)
        arrays.append(d.lay(name, values, writable=True))
    return _case(d, kernel, arrays + [float(s) for s in scalars])


def sgd_update(d):
    return _update(d, "sgd_update", (), [d.uniform(0, 0.5)])


def momentum_update(d):
    return _update(d, "momentum_update", ("velocity",), [d.uniform(0, 0.5), d.uniform()])


def nesterov_update(d):
    return _update(d, "nesterov_update", ("velocity",), [d.uniform(0, 0.5), d.uniform()])


def adagrad_update(d):
    return _update(d, "adagrad_update", ("h",), [d.uniform(0, 0.5)])


def rmsprop_update(d):
    return _update(d, "rmsprop_update", ("h",), [d.uniform(0, 0.5), d.uniform()])


def adam_update(d):
    return _update(d, "adam_update", ("m", "v"), [d.uniform(0, 0.5), d.uniform(), d.uniform()])


def rms_update(d):
    return _update(d, "rms_update", ("h",),
                   [d.uniform(0, 0.5), d.uniform(), d.uniform(), d.uniform(1e-8, 1e-3)])


BUILDERS = {f.__name__: f for f in (
    gemm, add, bias_add, column_sum, activation_forward, activation_backward, softmax,
    cross_entropy, softmax_cross_entropy, sigmoid_binary_cross_entropy, mean_squared_error,
    embedding_backward, sgd_update, momentum_update, nesterov_update, adagrad_update,
    rmsprop_update, adam_update, rms_update)}
