"""sample_weight and class_weight as Keras 3 defines them.

Keras' rule ("sum_over_batch_size"): a batch's loss is Σ w_i·loss_i / N (N
the batch size, not Σ w), its gradient the unweighted one with row i scaled
by w_i; metrics other than weighted_metrics ignore the weights; class_weight
gives each sample the weight of its class (argmax of a one-hot row), 1.0 for
classes it does not list, and cannot be combined with sample_weight.
"""

import numpy as np
import pytest

import fastnet
from fastnet.keras import layers, losses, models, optimizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _linear(weight, lr=0.1):
    model = models.Sequential([layers.Dense(1, input_shape=(1,))])
    model.set_weights([np.array([[weight]]), np.zeros(1)])
    model.compile(optimizer=optimizers.SGD(lr), loss="mse")
    return model


def test_weighted_mse_loss_and_step_by_hand():
    # p = 1·x: with x = [1, 2], t = [0, 0], w = [1, 3]: loss = (1·1 + 3·4) / 2 = 6.5;
    # dL/dW = Σ w_i·2(p_i - t_i)·x_i / 2 = (1·2·1 + 3·2·2·2) / 2 = 13, W = 1 - 0.1·13.
    model = _linear(1.0)
    x, t = np.array([1.0, 2.0]), np.zeros(2)
    history = model.fit(x, t, sample_weight=np.array([1.0, 3.0]), batch_size=2, shuffle=False,
                        verbose=0)
    assert history.history["loss"][0] == pytest.approx(6.5)
    assert model.get_weights()[0][0, 0] == pytest.approx(1 - 0.1 * 13, rel=1e-6)


def test_evaluate_weighs_the_loss_but_not_the_metrics():
    model = _linear(1.0)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, t = np.array([1.0, 2.0]), np.zeros(2)
    loss, mae = model.evaluate(x, t, sample_weight=np.array([1.0, 3.0]), verbose=0)
    assert loss == pytest.approx(6.5) and mae == pytest.approx(1.5)
    assert model.evaluate(x, t, sample_weight=np.zeros(2), verbose=0)[0] == 0.0


@pytest.mark.parametrize("loss, last, t", [
    ("categorical_crossentropy", "softmax", np.eye(3)[[0, 2, 1, 2]]),
    ("sparse_categorical_crossentropy", "softmax", np.array([0, 2, 1, 2])),
    ("binary_crossentropy", "sigmoid", np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 0]])),
    ("mean_absolute_error", None, np.eye(3)[[0, 2, 1, 2]]),
])
@pytest.mark.parametrize("logits", [True, False])
def test_weighted_loss_is_the_weighted_mean_of_per_sample_losses(loss, last, t, logits):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 3)).astype(np.float32)
    out = z if logits or last is None else (
        np.exp(z) / np.exp(z).sum(1, keepdims=True) if last == "softmax" else 1 / (1 + np.exp(-z)))
    fn = losses.get(loss)
    prepared = fn.prepare(t, 3, np.float32)
    w = np.array([0.5, 2.0, 0.0, 1.0], dtype=np.float32)
    plain, grad = fn.loss_and_grad(out, prepared, logits and last is not None)
    each = [fn.loss_and_grad(out[i:i + 1], prepared[i:i + 1], logits and last is not None)[0]
            for i in range(4)]
    weighted, wgrad = fn.weighted_loss_and_grad(out, prepared, logits and last is not None, w)
    assert plain == pytest.approx(np.mean(each), rel=1e-5)
    assert weighted == pytest.approx(np.dot(w, each) / 4, rel=1e-5)
    np.testing.assert_allclose(wgrad, grad * w[:, None], rtol=1e-6)


def _classifier():
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_class_weight_is_sample_weight_by_class():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 2))
    labels = np.arange(30) % 3
    y = np.eye(3)[labels]
    a, b = _classifier(), _classifier()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, class_weight={0: 2.0, 2: 0.5}, epochs=2, shuffle=False, verbose=0)
    hb = b.fit(x, y, sample_weight=np.array([2.0, 1.0, 0.5])[labels], epochs=2,
               shuffle=False, verbose=0)
    assert ha.history == hb.history
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_weights_from_generators_sequences_and_validation_data():
    x = np.arange(8, dtype=np.float64)
    w = np.array([1, 0, 2, 1, 0, 3, 1, 1], dtype=np.float64)
    plain = _linear(0.5).evaluate(x, 0 * x, sample_weight=w, batch_size=4, verbose=0)
    gen = ((x[i:i + 4], 0 * x[i:i + 4], w[i:i + 4]) for i in (0, 4))
    assert _linear(0.5).evaluate(gen, verbose=0) == pytest.approx(plain)
    history = _linear(0.5).fit(x, 0 * x, epochs=1, validation_data=(x, 0 * x, w), verbose=0)
    assert np.isfinite(history.history["val_loss"][0])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sample_weight": np.ones(3)}, ValueError, r"shape \(4,\)"),
    ({"sample_weight": np.ones((4, 2))}, ValueError, "one weight per sample"),
    ({"sample_weight": np.array([1, -1, 1, 1.0])}, ValueError, "finite and >= 0"),
    ({"sample_weight": np.array([1, np.nan, 1, 1.0])}, ValueError, "finite"),
    ({"class_weight": [1.0, 2.0]}, TypeError, "class_weight must be a dict"),
    ({"class_weight": {0: 1.0}, "sample_weight": np.ones(4)}, ValueError, "together"),
])
def test_bad_weights_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        _classifier().fit(np.ones((4, 2)), np.eye(3)[[0, 1, 2, 0]], verbose=0, **kwargs)


def test_class_weight_is_refused_for_a_generator_as_keras_does():
    batches = iter([(np.ones((4, 2)), np.eye(3)[[0, 1, 2, 0]])])
    with pytest.raises(ValueError, match="class_weight"):
        _classifier().fit(batches, class_weight={0: 1.0}, verbose=0)


@pytest.mark.parametrize("loss, last", [("mse", None), ("binary_crossentropy", "sigmoid"),
                                        ("sparse_categorical_crossentropy", "softmax")])
def test_weighted_training_is_the_same_on_every_backend(backend, loss, last):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((10, 3))
    y = rng.integers(0, 2, 10)
    w = rng.random(10) * 2
    start = [rng.standard_normal((3, 2)) * 0.5, np.zeros(2)]
    results = []
    for name in ("numpy", backend.name):
        fastnet.set_backend(name)
        model = models.Sequential([layers.Dense(2, activation=last, input_shape=(3,))])
        model.set_weights(start)
        model.compile(optimizer=optimizers.RMSprop(0.01, momentum=0.5, centered=True), loss=loss)
        t = y if loss.startswith("sparse") else np.eye(2)[y]
        history = model.fit(x, t, sample_weight=w, batch_size=4, shuffle=False, epochs=2,
                            verbose=0)
        results.append((history.history["loss"], model.get_weights()[0]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-4, atol=1e-6)
