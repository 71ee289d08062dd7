"""MaxPooling2D with strides that differ per axis (WindowMax), against Keras 3.

The engine's pooling kernels take one stride for both axes; these layers
run on strided views instead. KERAS holds what Keras 3.15.1 (PyTorch 2.13.0
backend, CPU) printed for each program, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_keras_maxpool_strides.py

(the programs and the way they are run and logged are test_keras_layers_more's).
"""

import json
import pathlib
import sys

import numpy as np
import pytest
from _keras_peer_runs import check_against_keras, run

# (pool_size, strides, padding) on 6x6 images.
SETTINGS = {
    "pool_2_2_strides_1_2_valid": ((2, 2), (1, 2), "valid"),
    "pool_3_2_strides_2_1_valid": ((3, 2), (2, 1), "valid"),
    "pool_2_3_strides_1_2_same": ((2, 3), (1, 2), "same"),
    "pool_3_3_strides_2_3_same": ((3, 3), (2, 3), "same"),
}


def _programs(layers):
    """name: (layers, input key, loss, optimizer name); a conv first, so gradients pass through."""
    return {name: ([layers.Conv2D(3, (2, 2), activation="relu", input_shape=(6, 6, 2)),
                    layers.MaxPooling2D(pool, strides=strides, padding=padding),
                    layers.Flatten(), layers.Dense(3, activation="softmax")],
                   "images", "sparse_categorical_crossentropy", "adam")
            for name, (pool, strides, padding) in SETTINGS.items()}


KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_maxpool_strides.json").read_text())


@pytest.mark.parametrize("name", list(SETTINGS))
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], _programs)


def test_gradients_match_central_differences(backend):
    from _keras_gradcheck import check_gradients

    from fastnet.keras import layers

    check_gradients(backend, lambda: [
        layers.Conv2D(2, (2, 2), activation="tanh", input_shape=(7, 8, 2)),
        # Overlapping windows (stride 1 < pool 3 on the first axis): gradients add up.
        layers.MaxPooling2D((3, 2), strides=(1, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ], (7, 8, 2))


def test_ties_go_to_the_first_maximum_and_nan_propagates():
    from fastnet.keras import layers

    layer = layers.MaxPooling2D((2, 2), strides=(1, 2))
    x = np.zeros((1, 3, 4, 1), dtype=np.float32)  # every window a tie of zeros
    x[0, 2, 3, 0] = np.nan
    layer.build(x.shape[1:], np.float32)
    out = layer.forward(x)
    assert out.shape == (1, 2, 2, 1)
    assert np.isnan(out[0, 1, 1, 0]) and np.count_nonzero(np.isnan(out)) == 1
    dx = layer.backward(np.ones(out.shape, dtype=np.float32))
    expected = np.zeros_like(x)
    expected[0, 0, 0, 0] = expected[0, 0, 2, 0] = 1  # first cell of each tied window
    expected[0, 1, 0, 0] = expected[0, 1, 2, 0] = 1
    expected[0, 1, 2, 0] -= 1  # ... except the window the NaN won
    expected[0, 2, 3, 0] = 1
    np.testing.assert_array_equal(dx, expected)


def test_engine_kernels_still_serve_one_stride():
    from fastnet.keras import layers, models

    same, per_axis = layers.MaxPooling2D(2), layers.MaxPooling2D(2, strides=(1, 2))
    models.Sequential([layers.Input(shape=(6, 6, 1)), same])
    models.Sequential([layers.Input(shape=(6, 6, 1)), per_axis])
    assert type(same._pool).__name__ == "Pooling"
    assert type(per_axis._pool).__name__ == "WindowMax"
    assert per_axis.output_shape == (5, 3, 1)


def test_save_load_round_trip(tmp_path):
    from fastnet.keras import layers, models

    model = models.Sequential([layers.Input(shape=(6, 7, 1)),
                               layers.MaxPooling2D((2, 3), strides=(2, 1), padding="same"),
                               layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.save(tmp_path / "pool.keras")
    loaded = models.load_model(tmp_path / "pool.keras")
    assert loaded.layers[0].strides == (2, 1) and loaded.layers[0].pool_size == (2, 3)
    x = np.random.default_rng(0).random((5, 6, 7, 1)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras.layers, keras.models, name, _programs)
                      for name in SETTINGS}, indent=1))
