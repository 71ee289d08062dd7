"""Sequential's files: save / load_model round trips without unpickling,
get_weights / set_weights in place, save_weights / load_weights."""

import numpy as np
import pytest
from _keras_cases import blobs, classifier

from fastnet.keras import layers, models, optimizers, regularizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path):
    x, labels = blobs()
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(6,),
                     kernel_regularizer=regularizers.l2(1e-3)),
        layers.Dropout(0.2),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizers.RMSprop(learning_rate=0.01), "sparse_categorical_crossentropy",
                  metrics=["acc"])
    model.fit(x, labels, epochs=2, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    assert path.exists()
    loaded = models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.optimizer.learning_rate == 0.01
    assert loaded.evaluate(x, labels, verbose=0) == pytest.approx(
        model.evaluate(x, labels, verbose=0))
    loaded.fit(x, labels, epochs=1, verbose=0)  # compiled again: trains


def test_load_model_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(f, config=np.array([{"format": "fastnet.keras"}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        models.load_model(path)


def test_get_set_weights_and_save_weights(tmp_path):
    a, b = classifier(), classifier()
    a.build()
    b.build()
    kernel = b.layers[0].kernel
    b.set_weights(a.get_weights())
    assert b.layers[0].kernel is kernel  # in place
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(ValueError, match="4 weights, got 1"):
        b.set_weights([np.zeros(3)])
    a.save_weights(tmp_path / "w.weights.h5")
    c = classifier()
    c.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(c.get_weights()[2], a.get_weights()[2])
