"""fastnet.layers: forward against the book's formulas, backward against
central differences, on every backend, float64, awkward shapes."""

import numpy as np
import pytest
from _gradcheck import check_close, check_layer

import fastnet
from fastnet.layers import Affine, BatchNormalization, Relu, Sigmoid, SoftmaxWithLoss, Tanh

ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
# (batch, input shape after the batch axis, output features): batch 1, primes,
# N-D input that Affine flattens.
AFFINE_SHAPES = [(1, (3,), 2), (4, (5,), 3), (7, (2, 3), 5), (2, (3, 2, 2), 1), (3, (1,), 7)]


def book_activation(x, activation):
    """The book's formulas, in NumPy, as the forward oracle."""
    if activation == "relu":
        return np.maximum(0, x)
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if activation == "tanh":
        return np.tanh(x)
    return x


def random(shape, seed):
    # Values away from 0 so a ReLU kink never lies within the difference step.
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("n, in_shape, m", AFFINE_SHAPES)
def test_affine_gradients(backend, activation, n, in_shape, m):
    x = random((n, *in_shape), 1)
    d = int(np.prod(in_shape))
    W = random((d, m), 2)
    b = random((m,), 3)

    def reference(x):
        return book_activation(x.reshape(n, -1) @ W + b, activation)

    with fastnet.using_backend(backend.name):
        layer = Affine(W, b, activation)
        dx = check_layer(layer, x, params={"W": "dW", "b": "db"}, reference=reference,
                         name=f"Affine[{activation}] on {backend.name}")
    assert dx.shape == x.shape, f"Affine.dx has shape {dx.shape}, x has {x.shape}"
    assert layer.original_x_shape == x.shape


def test_affine_keeps_references(backend):
    W = random((4, 3), 0)
    b = random((3,), 1)
    x = random((2, 4), 2)
    with fastnet.using_backend(backend.name):
        layer = Affine(W, b)
        assert layer.W is W and layer.b is b
        before = layer.forward(x)
        W *= 2.0
        b += 1.0
        after = layer.forward(x)
    check_close(after, x @ W + b, "Affine.forward after W, b changed in place", 1e-12, 1e-12)
    assert not np.allclose(before, after), "Affine.forward did not see the new W"


def test_affine_without_input_grad_returns_none(backend):
    W, b, x = random((5, 3), 0), random((3,), 1), random((4, 5), 2)
    with fastnet.using_backend(backend.name):
        layer = Affine(W, b, "relu")
        layer.need_input_grad = False
        check_layer(layer, x, params={"W": "dW", "b": "db"}, name="Affine(no dx)")
        layer.forward(x)
        assert layer.backward(np.ones((4, 3))) is None


@pytest.mark.parametrize("cls, activation", [(Relu, "relu"), (Sigmoid, "sigmoid"), (Tanh, "tanh")])
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (2, 3, 5), (11,)])
def test_activation_layers(backend, cls, activation, shape):
    x = random(shape, 4)
    with fastnet.using_backend(backend.name):
        layer = cls()
        check_layer(layer, x, reference=lambda x: book_activation(x, activation),
                    name=f"{cls.__name__} on {backend.name}")
        assert layer.out.shape == x.shape


def test_relu_mask_is_the_books(backend):
    x = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]])
    with fastnet.using_backend(backend.name):
        layer = Relu()
        layer.forward(x)
    np.testing.assert_array_equal(layer.mask, x <= 0)


def book_softmax_with_loss(x, t):
    """The book's SoftmaxWithLoss forward, as the oracle: (loss, y, dx)."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    n = x.shape[0]
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    loss = -np.sum(np.log(y[np.arange(n), labels] + 1e-7)) / n
    dx = (y - t) / n if t.ndim == 2 else (y - np.eye(x.shape[1])[t]) / n
    return loss, y, dx


@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one-hot"])
@pytest.mark.parametrize("n, c", [(1, 2), (4, 3), (7, 10), (5, 1)])
def test_softmax_with_loss(backend, n, c, one_hot):
    x = random((n, c), 5)
    labels = np.random.default_rng(6).integers(0, c, n)
    t = np.eye(c)[labels] if one_hot else labels
    loss, y, dx = book_softmax_with_loss(x, t)
    with fastnet.using_backend(backend.name):
        layer = SoftmaxWithLoss()
        # The book's loss has +1e-7 inside the log but its gradient (y - t)/N
        # ignores it: they differ by a factor ~1 - 1e-7/y[label], hence the
        # loose rtol here; the exact check is against the book's dx below.
        check_layer(layer, x, forward_args=(t,), reference=lambda x: loss,
                    name=f"SoftmaxWithLoss on {backend.name}", rtol=1e-3, atol=1e-7)
        layer.forward(x, t)
        check_close(layer.backward(), dx, "SoftmaxWithLoss.backward()", 1e-12, 1e-14)
        check_close(layer.backward(2.5), 2.5 * dx, "SoftmaxWithLoss.backward(2.5)", 1e-12, 1e-14)
        check_close(layer.y, y, "SoftmaxWithLoss.y", 1e-12, 1e-14)
    assert layer.loss == pytest.approx(loss, rel=1e-12)
    assert layer.t is t


def test_batch_normalization_refuses_inf_and_keeps_its_state(backend):
    # The auditor's case: an inf used to give a NaN column and running_mean
    # [inf, ...] for good, so every later inference was NaN in that column.
    good, bad = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), np.array([[np.inf, 1, 2], [0, 1, 2]])
    with fastnet.using_backend(backend.name):
        first = BatchNormalization(np.ones(3), np.zeros(3))
        with pytest.raises(ValueError, match="x contains NaN or inf"):
            first.forward(bad)
        assert first.running_mean is None and first.input_shape is None  # as before the call

        bn = BatchNormalization(np.ones(3), np.zeros(3))
        bn.forward(good)
        state = {k: np.copy(getattr(bn, k)) for k in ("running_mean", "running_var", "xn", "std")}
        with pytest.raises(ValueError, match="x contains NaN or inf"):
            bn.forward(bad[:, :, None, None].repeat(2, axis=0))  # (4, 3, 1, 1), also refused
        for name, value in state.items():
            np.testing.assert_array_equal(getattr(bn, name), value, err_msg=name)
        assert bn.input_shape == good.shape and bn.batch_size == 2
        assert np.isfinite(bn.forward(np.ones((2, 3)), train_flg=False)).all()
        assert bn.backward(np.ones((2, 3))).shape == (2, 3)  # the last good batch's backward


def test_layers_keep_float32(backend):
    x = random((3, 4), 0).astype(np.float32)
    W = random((4, 2), 1).astype(np.float32)
    b = np.zeros(2, np.float32)
    with fastnet.using_backend(backend.name):
        layer = Affine(W, b, "relu")
        out = layer.forward(x)
        dx = layer.backward(np.ones_like(out))
        assert out.dtype == dx.dtype == layer.dW.dtype == layer.db.dtype == np.float32
        relu = Relu()
        relu.forward(x)
        assert relu.backward(np.ones((3, 4), np.float32)).dtype == np.float32


class _WrongBiasGradient(Affine):
    """An Affine whose db is off by one element: the checker must catch it."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.db = self.db.copy()
        self.db[1] += 1e-3
        return dx


def test_gradcheck_catches_a_wrong_gradient_and_names_it():
    W, b, x = random((4, 3), 0), random((3,), 1), random((2, 4), 2)
    with pytest.raises(AssertionError, match=r"Broken\.db \(gradient of b\): at index \(1,\) "
                                             r"expected .*, got "):
        check_layer(_WrongBiasGradient(W, b), x, params={"W": "dW", "b": "db"}, name="Broken")


def test_gradcheck_catches_a_layer_that_overwrites_dout():
    class OverwritingRelu(Relu):
        def backward(self, dout):  # the book's Relu.backward
            dout[self.mask] = 0
            return dout

    with pytest.raises(AssertionError, match="must not modify dout"):
        check_layer(OverwritingRelu(), random((3, 4), 0), name="BookRelu")
