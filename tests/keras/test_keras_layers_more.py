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

import numpy as np
import pytest

RTOL = 1e-5


def _data():
    rng = np.random.default_rng(0)
    return {
        "x": rng.standard_normal((48, 5)).astype("float32"),
        "images": rng.standard_normal((48, 6, 6, 2)).astype("float32"),
        "ids": rng.integers(0, 30, (48, 7)),
        "labels": rng.integers(0, 3, 48),
    }


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


def run(layers, models, name, programs=_programs):
    """What one program logs: predictions before and after training, losses, evaluate."""
    data = _data()
    stack, key, loss, optimizer = programs(layers)[name]
    model = models.Sequential(stack)
    draw = np.random.default_rng(5)
    weights = [(draw.standard_normal(w.shape) * 0.3).astype("float32")
               for w in model.get_weights()]
    # Variances must stay positive: BatchNormalization's 4th weight of each layer.
    model.set_weights([abs(w) + 0.5 if "variance" in path else w
                       for w, path in zip(weights, _weight_kinds(model))])
    x, y = data[key], data["labels"]
    before = model.predict(x[:4], verbose=0)
    model.compile(optimizer=optimizer, loss=loss)
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    return {"before": before.tolist(), "loss": [float(v) for v in history.history["loss"]],
            "after": model.predict(x[:4], verbose=0).tolist(),
            "evaluate": float(model.evaluate(x, y, verbose=0))}


def _weight_kinds(model):
    """'variance' for each moving variance, '' for other weights (both implementations)."""
    kinds = []
    for layer in model.layers:
        n = len(layer.get_weights())
        is_bn = type(layer).__name__ == "BatchNormalization"
        kinds += ["variance" if is_bn and i == n - 1 else "" for i in range(n)]
    return kinds


KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_layers_more.json").read_text())


NAMES = ["dense_batchnorm", "batchnorm_options", "conv_batchnorm_avgpool", "avgpool_valid",
         "embedding_gap1d"]


def check_against_keras(name, recorded, programs=_programs):
    """Run program `name` on fastnet and compare everything it logs with Keras' record."""
    from fastnet.keras import layers, models, utils
    utils.set_random_seed(0)
    ours = run(layers, models, name, programs)
    for key in recorded:
        np.testing.assert_allclose(ours[key], recorded[key], rtol=RTOL, atol=1e-7,
                                   err_msg=f"{name}: {key}")


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name])


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras.layers, keras.models, name) for name in NAMES}))
