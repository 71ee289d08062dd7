"""Arrays in the layouts NumPy allows and C kernels cannot read as they are.

`odd_layout(a, kind)` is a copy of `a` with the same values: "big-endian"
(bytes swapped, dtype '>f8' / '>f4') or "misaligned" (data one byte past an
item boundary, like np.frombuffer at an odd offset). `KERNEL_CALLS` builds
valid arguments for every kernel of the Backend; `IN_PLACE` gives the
positions of the arrays a kernel updates in place (those are refused in an
odd layout, never converted, so the tests keep them as they are).
"""

import numpy as np

from fastnet.backend import reference


def big_endian(a):
    return a.astype(a.dtype.newbyteorder(">"))


def misaligned(a):
    raw = np.zeros(a.nbytes + 1, np.uint8)
    out = raw[1:].view(a.dtype).reshape(a.shape)
    out[...] = a
    assert not out.flags.aligned
    return out


def odd_layout(a, kind):
    """a in layout `kind`; anything but a float array is returned as it is."""
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        return a
    return big_endian(a) if kind == "big-endian" else misaligned(a)


def _conv_pool(rng, dtype):
    img = rng.standard_normal((2, 3, 6, 6)).astype(dtype)
    W = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    pool = (2, 2, 2, 0)
    out, arg_max = reference.conv_pool_forward(img, W, b, 1, 1, "relu", pool)
    dout = rng.standard_normal(out.shape).astype(dtype)
    return dout, arg_max, out, img, W, 1, 1, "relu", pool, True


def _calls():
    """kernel -> (rng, dtype -> args)."""
    def n(rng, dtype, *shape):
        return rng.standard_normal(shape).astype(dtype)

    def p(rng, dtype, *shape):  # probabilities, rows summing to 1
        return reference.softmax(n(rng, dtype, *shape))

    onehot = np.eye(4)[[0, 3, 1, 2, 0]]
    labels = np.array([0, 3, 1, 2, 0])

    def conv_backward(rng, dtype):
        img, W, b = n(rng, dtype, 2, 3, 5, 5), n(rng, dtype, 4, 3, 3, 3), n(rng, dtype, 4)
        y = reference.conv_forward(img, W, b, 1, 1, "relu")
        return n(rng, dtype, *y.shape), img, W, 1, 1, True, y, "relu"

    def max_pool_backward(rng, dtype):
        img = n(rng, dtype, 2, 3, 5, 5)
        out, arg_max = reference.max_pool_forward(img, 2, 2, 2, 0)
        return n(rng, dtype, *out.shape), arg_max, img.shape, 2, 2, 2, 0

    def bn_backward(rng, dtype):
        _, xn, std = reference.batchnorm_forward_train(
            n(rng, dtype, 5, 6), np.ones(6, dtype), np.zeros(6, dtype), np.zeros(6, dtype),
            np.ones(6, dtype), 0.9)
        return n(rng, dtype, 5, 6), xn, std, n(rng, dtype, 6)

    def mask(rng):
        return rng.random((5, 6)) > 0.3

    def update(*scalars, states=1):
        def build(rng, dtype):
            arrays = [n(rng, dtype, 7), n(rng, dtype, 7)]
            return (*arrays, *(np.abs(n(rng, dtype, 7)) for _ in range(states)), *scalars)
        return build

    return {
        "gemm": lambda r, d: (n(r, d, 5, 4), n(r, d, 4, 3), n(r, d, 3), "tanh"),
        "add": lambda r, d: (n(r, d, 4, 3), n(r, d, 3)),
        "bias_add": lambda r, d: (n(r, d, 4, 3), n(r, d, 3)),
        "column_sum": lambda r, d: (n(r, d, 4, 3),),
        "activation_forward": lambda r, d: (n(r, d, 4, 3), "sigmoid"),
        "activation_backward": lambda r, d: (n(r, d, 4, 3), np.tanh(n(r, d, 4, 3)), "tanh"),
        "softmax": lambda r, d: (n(r, d, 5, 4),),
        "cross_entropy": lambda r, d: (p(r, d, 5, 4), onehot.astype(d)),
        "softmax_cross_entropy": lambda r, d: (n(r, d, 5, 4), onehot.astype(d)),
        "sigmoid_binary_cross_entropy": lambda r, d: (n(r, d, 5, 4), r.random((5, 4)).astype(d)),
        "mean_squared_error": lambda r, d: (n(r, d, 5, 4), n(r, d, 5, 4)),
        "im2col": lambda r, d: (n(r, d, 2, 3, 5, 5), 3, 3, 1, 1),
        "col2im": lambda r, d: (n(r, d, 50, 27), (2, 3, 5, 5), 3, 3, 1, 1),
        "conv_forward": lambda r, d: (n(r, d, 2, 3, 5, 5), n(r, d, 4, 3, 3, 3), n(r, d, 4),
                                      1, 1, "relu"),
        "conv_backward": conv_backward,
        "max_pool_forward": lambda r, d: (n(r, d, 2, 3, 5, 5), 2, 2, 2, 0),
        "max_pool_backward": max_pool_backward,
        "conv_pool_forward": lambda r, d: (n(r, d, 2, 3, 6, 6), n(r, d, 4, 3, 3, 3), n(r, d, 4),
                                           1, 1, "relu", (2, 2, 2, 0)),
        "conv_pool_backward": _conv_pool,
        "batchnorm_forward_infer": lambda r, d: (n(r, d, 5, 6), n(r, d, 6), n(r, d, 6),
                                                 n(r, d, 6), np.abs(n(r, d, 6)) + 0.5),
        "batchnorm_backward": bn_backward,
        "dropout_forward": lambda r, d: (n(r, d, 5, 6), mask(r)),
        "dropout_backward": lambda r, d: (n(r, d, 5, 6), mask(r)),
        "dropout_infer": lambda r, d: (n(r, d, 5, 6), 0.3),
        "cross_entropy (labels)": lambda r, d: (p(r, d, 5, 4), labels),
        "batchnorm_forward_train": lambda r, d: (n(r, d, 5, 6), n(r, d, 6), n(r, d, 6),
                                                 np.zeros(6, d), np.ones(6, d), 0.9),
        "sgd_update": update(0.1, states=0),
        "momentum_update": update(0.1, 0.9),
        "nesterov_update": update(0.1, 0.9),
        "adagrad_update": update(0.1),
        "rmsprop_update": update(0.1, 0.99),
        "adam_update": update(0.1, 0.9, 0.99, states=2),
        "rms_update": update(0.1, 0.9, 0.1, 1e-7),
    }


KERNEL_CALLS = _calls()
IN_PLACE = {"batchnorm_forward_train": {3, 4}, "sgd_update": {0},
            "adam_update": {0, 2, 3}}
IN_PLACE.update((rule, {0, 2}) for rule in ("momentum_update", "nesterov_update",
                                           "adagrad_update", "rmsprop_update",
                                           "rms_update"))


def kernel_name(call):
    """The Backend method a KERNEL_CALLS key calls ("cross_entropy (labels)" -> "cross_entropy")."""
    return call.split(" ")[0]
