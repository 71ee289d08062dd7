"""A keras model's weight gradients against central differences of its loss
(test_keras_model_gradients.py, test_keras_conv*.py, test_functional.py), and
one layer's input gradient (test_keras_reshaping.py, test_keras_new_layers.py)."""

import numpy as np
import pytest
from _gradcheck import central_difference, check_close


def numerical_check(model, x, t):
    """Each weight's gradient from backward against central differences of the loss.

    x and t are arrays, or tuples of arrays (one per input / output).
    """
    model._ready(None if isinstance(x, tuple) else x.shape)
    xs = (tuple(np.asarray(a, dtype=np.float64) for a in x) if isinstance(x, tuple)
          else np.asarray(x, dtype=np.float64))
    tt = tuple(h.loss.prepare(ti, h.n_out, "float64")
               for h, ti in zip(model._heads, t if isinstance(t, tuple) else (t,)))
    tb = tt if len(tt) > 1 else tt[0]

    def loss():
        outs = model._forward_list(xs, True, model._fused)
        return model._losses_of(outs, tb, None)[0] + model._regularization()

    outs = model._forward_list(xs, True, model._fused)
    model._backward_list(model._losses_of(outs, tb, None)[2])
    for layer in model.layers:
        for i, (w, g) in enumerate(zip(layer.weights, layer.grads)):
            check_close(g, central_difference(loss, w), f"{layer.name} weight {i}",
                        rtol=1e-5, atol=1e-7)


def check_gradients(backend, make_layers, image_shape):
    """Each weight's gradient against central differences, in float64, on `backend`.

    make_layers() builds the stack once float64 is set (layers take the dtype
    when made); it ends in a 3-class softmax.
    """
    import fastnet
    from fastnet.keras import config, models, utils

    fastnet.set_backend(backend.name)
    utils.set_random_seed(2)
    config.set_floatx("float64")
    try:
        model = models.Sequential(make_layers())
        model.compile("sgd", "sparse_categorical_crossentropy")
        rng = np.random.default_rng(3)
        numerical_check(model, rng.standard_normal((4, *image_shape)), rng.integers(0, 3, 4))
    finally:
        config.set_floatx("float32")


def vjp_check(layer, x, training=False):
    """backward(dout) is the gradient of Σ forward(x)·dout (central differences)."""
    dout = np.random.default_rng(1).random(layer.forward(x, training).shape)
    dx = np.asarray(layer.backward(dout))
    eps = 1e-3
    for k in [(0,) * x.ndim, tuple(s - 1 for s in x.shape)]:
        up, down = x.copy(), x.copy()
        up[k] += eps
        down[k] -= eps
        numeric = ((layer.forward(up, training) - layer.forward(down, training)) * dout).sum() / (
            2 * eps)
        assert dx[k] == pytest.approx(numeric, rel=1e-4), (type(layer).__name__, k)
