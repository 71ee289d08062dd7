"""BatchNormalization, Embedding, GlobalAveragePooling1D, AveragePooling2D against Keras 3.

Each program below builds a small model, sets the same weights (drawn from a
fixed NumPy generator in the shapes the model reports), predicts, trains 3
epochs of 3 batches with shuffle=False, predicts again and evaluates. KERAS
holds what Keras 3.15.1 (PyTorch 2.13.0 backend, CPU) printed for each,
recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_keras_layers_more.py

(a venv with keras, torch and numpy only; the script part at the bottom runs
the same programs on Keras). fastnet must match within 1e-5 relative.
"""

import json
import pathlib
import sys

import pytest
from _keras_peer_runs import check_against_keras, run


def _programs(layers):
    """name: (layers, input key, loss, optimizer name)."""
    return {
        "dense_batchnorm": (
            [layers.Dense(8, activation="relu", input_shape=(5,)),
             layers.BatchNormalization(), layers.Dense(3, activation="softmax")],
            "x", "sparse_categorical_crossentropy", "adam"),
        "batchnorm_options": (
            [layers.BatchNormalization(momentum=0.5, epsilon=0.01, center=False,
                                       input_shape=(5,)),
             layers.Dense(3, activation="softmax")],
            "x", "sparse_categorical_crossentropy", "sgd"),
        "conv_batchnorm_avgpool": (
            [layers.Conv2D(4, (3, 3), activation="relu", input_shape=(6, 6, 2)),
             layers.BatchNormalization(), layers.AveragePooling2D((3, 3), (1, 1), "same"),
             layers.Flatten(), layers.Dense(3, activation="softmax")],
            "images", "sparse_categorical_crossentropy", "adam"),
        "avgpool_valid": (
            [layers.AveragePooling2D((2, 3), strides=(1, 2), input_shape=(6, 6, 2)),
             layers.Flatten(), layers.Dense(3, activation="softmax")],
            "images", "sparse_categorical_crossentropy", "rmsprop"),
        # The IMDB tutorial's model, small.
        "embedding_gap1d": (
            [layers.Embedding(30, 4, input_shape=(7,)), layers.GlobalAveragePooling1D(),
             layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")],
            "ids", "sparse_categorical_crossentropy", "rmsprop"),
    }


KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_layers_more.json").read_text())


NAMES = ["dense_batchnorm", "batchnorm_options", "conv_batchnorm_avgpool", "avgpool_valid",
         "embedding_gap1d"]


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], _programs)


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras.layers, keras.models, name, _programs)
                      for name in NAMES}))
