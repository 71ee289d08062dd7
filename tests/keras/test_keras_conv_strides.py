"""Conv2D with strides that differ per axis, and 'same' padding split unevenly, against Keras 3.

These layers run on PatchConvolution (strided views + the backend's gemm)
because the engine's convolution takes one stride and one symmetric pad.
KERAS holds what Keras 3.15.1 (PyTorch 2.13.0 backend, CPU) printed for each
program, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_keras_conv_strides.py

(the way the programs are run and logged is _keras_peer_runs.py's).
"""

import json
import pathlib
import sys

import numpy as np
import pytest
from _keras_peer_runs import check_against_keras, run

# On 6x6 images with a 3x3 kernel, 'same' pads 1 row at the bottom only for
# stride 2 and 1 column at the right only for stride 3: uneven and per axis.
STRIDES = [(1, 2), (2, 1), (2, 3)]


def _programs(layers):
    """name: (layers, input key, loss, optimizer name); 6x6x2 images, 3 classes."""
    programs = {}
    for padding in ("valid", "same"):
        for strides in STRIDES:
            programs[f"strides_{strides[0]}_{strides[1]}_{padding}"] = (
                [layers.Conv2D(4, (3, 3), strides=strides, padding=padding, activation="relu",
                               input_shape=(6, 6, 2)),
                 layers.Flatten(), layers.Dense(3, activation="softmax")],
                "images", "sparse_categorical_crossentropy", "adam")
    # One stride, but 'same' needs an odd row and column at the bottom and right.
    programs["strides_2_2_same"] = (
        [layers.Conv2D(4, (3, 3), strides=2, padding="same", activation="tanh",
                       input_shape=(6, 6, 2)),
         layers.Flatten(), layers.Dense(3, activation="softmax")],
        "images", "sparse_categorical_crossentropy", "sgd")
    # Two such layers: the second's input gradient trains the first.
    programs["two_layers_no_bias"] = (
        [layers.Conv2D(3, (2, 3), strides=(1, 2), padding="same", use_bias=False,
                       input_shape=(6, 6, 2)),
         layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", activation="relu"),
         layers.Flatten(), layers.Dense(3, activation="softmax")],
        "images", "sparse_categorical_crossentropy", "rmsprop")
    return programs


NAMES = [f"strides_{a}_{b}_{p}" for p in ("valid", "same") for a, b in STRIDES] + [
    "strides_2_2_same", "two_layers_no_bias"]

KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_conv_strides.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], _programs)


def test_gradients_match_central_differences(backend):
    from _keras_gradcheck import check_gradients

    from fastnet.keras import layers

    check_gradients(backend, lambda: [
        layers.Conv2D(3, (3, 2), strides=(2, 3), padding="same", activation="tanh",
                      bias_initializer="random_normal", input_shape=(7, 8, 2)),
        # Windows overlap here (stride 1 < kernel 3): their gradients add up.
        layers.Conv2D(2, (3, 2), strides=(1, 2), padding="same", activation="sigmoid",
                      bias_initializer="random_normal"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ], (7, 8, 2))


@pytest.mark.parametrize("strides, padding, engine", [
    (1, "valid", True), (2, "valid", True), (1, "same", True),
    ((1, 2), "valid", False), (2, "same", False)])
def test_only_what_the_engine_cannot_take_leaves_it(strides, padding, engine):
    from fastnet.keras import layers, models

    conv = layers.Conv2D(2, 3, strides=strides, padding=padding, input_shape=(6, 6, 1))
    models.Sequential([conv])
    assert (type(conv._conv).__name__ == "Convolution") is engine


def test_save_load_round_trip(tmp_path):
    from fastnet.keras import layers, models, utils

    utils.set_random_seed(0)
    model = models.Sequential([
        layers.Conv2D(4, 3, strides=(2, 3), padding="same", activation="relu",
                      input_shape=(7, 8, 1)),
        layers.Flatten(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((20, 7, 8, 1)).astype("float32")
    model.fit(x, np.arange(20) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "strided.keras")
    loaded = models.load_model(tmp_path / "strided.keras")
    assert loaded.layers[0].strides == (2, 3) and loaded.layers[0].padding == "same"
    assert loaded.output_shape == model.output_shape == (None, 2)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras.layers, keras.models, name, _programs)
                      for name in NAMES}))
