"""Model files hold the optimizer's state: load_model(path).fit continues exactly."""

import numpy as np
import pytest

from fastnet import keras
from fastnet.keras import layers, models, optimizers


def _sequential():
    return models.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                              layers.BatchNormalization(),
                              layers.Dense(3, activation="softmax")])


def _functional():
    inputs = keras.Input(shape=(5,))
    h = layers.Dense(8, activation="relu")(inputs)
    out = layers.Dense(3, activation="softmax")(layers.Add()([h, layers.Dense(8)(h)]))
    return keras.Model(inputs, out)


OPTIMIZERS = {
    "adam": lambda: optimizers.Adam(),
    "adam_amsgrad": lambda: optimizers.Adam(amsgrad=True),
    "rmsprop_centered_momentum": lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    "sgd_momentum": lambda: optimizers.SGD(0.05, momentum=0.9),
    "adagrad": lambda: optimizers.Adagrad(0.05),
}


@pytest.mark.parametrize("build", [_sequential, _functional])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_two_epochs_saved_loaded_and_one_more_equal_three_straight(tmp_path, build, optimizer):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
    keras.utils.set_random_seed(0)
    straight, resumed = build(), build()
    resumed.set_weights(straight.get_weights())
    for model in (straight, resumed):
        model.compile(OPTIMIZERS[optimizer](), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    fit = dict(batch_size=8, shuffle=False, verbose=0)
    expected = straight.fit(x, y, epochs=3, **fit).history["loss"][2]
    resumed.fit(x, y, epochs=2, **fit)
    resumed.save(tmp_path / "model.keras")
    loaded = models.load_model(tmp_path / "model.keras")
    assert loaded.optimizer.iterations == 10
    got = loaded.fit(x, y, epochs=1, **fit).history["loss"][0]
    assert got == pytest.approx(expected, rel=1e-6)
    for a, b in zip(loaded.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def _saved(tmp_path):
    model = _sequential()
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.ones((8, 5)), np.zeros(8), verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    return path


def test_a_model_compiled_with_another_optimizer_in_the_file_is_refused(tmp_path):
    import json
    path = _saved(tmp_path)
    arrays = dict(np.load(path))
    spec = json.loads(str(arrays["config"][()]))
    spec["compile"]["optimizer"] = {"class_name": "sgd", "config": {"learning_rate": 0.1}}
    arrays["config"] = np.array(json.dumps(spec))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="optimizer_state.*slots"):
        models.load_model(path)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(optimizer_003=np.zeros((2, 2), "float32")), "optimizer arrays"),
    (lambda a: a.pop("optimizer_011"), "optimizer arrays of shapes"),
    (lambda a: a.update(optimizer_000=np.array(["x"])), "must hold floats"),
])
def test_damaged_optimizer_arrays_are_refused(tmp_path, change, message):
    path = _saved(tmp_path)
    arrays = dict(np.load(path))
    change(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match=message):
        models.load_model(path)
