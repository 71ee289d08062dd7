"""The MNIST tutorial's model through fastnet.keras (and Keras 3 when installed).

    pytest benchmarks/bench_keras.py --benchmark-group-by=group
    python benchmarks/keras_vs_fastnet.py   # Keras in its own venv, same run

Groups:
  keras_fit_epoch   Dense(512, relu) -> Dense(10, softmax), rmsprop, categorical
                    cross-entropy, metrics=["accuracy"]: one epoch over 60,000
                    MNIST-shaped float32 samples at batch 128
  keras_predict     predict on 10,000 samples (Keras' default batch, 32)
  keras_imdb_fit_epoch  the IMDB tutorial's Embedding(10000, 16) ->
                    GlobalAveragePooling1D -> Dense(16, relu) -> Dense(1, sigmoid),
                    rmsprop, binary cross-entropy: one epoch over 25,000 padded
                    reviews of 256 word ids at batch 512 (keras_vs_fastnet.py's data)

Implementations (`impl`): fastnet-keras (Sequential), fastnet-functional (the
same model written with Input / Model: within 5 % of Sequential is the
target), and keras-torch (Keras 3 on PyTorch,
1 thread) only when `keras` and `torch` import in this environment; it is
skipped otherwise. extra_info["flops"] counts the GEMM work (report.py gives GFLOP/s).
"""

import importlib.util
import os

import numpy as np
import pytest

N_TRAIN, N_PREDICT, FEATURES, HIDDEN, CLASSES, BATCH = 60_000, 10_000, 784, 512, 10, 128
IMPLS = ["fastnet-keras", "fastnet-functional", "keras-torch"]
# forward + backward (no input gradient for the first layer): 3 GEMMs of the
# first layer's size, 3 of the second's, per sample.
FIT_FLOPS = N_TRAIN * 2 * (3 * FEATURES * HIDDEN + 3 * HIDDEN * CLASSES)
PREDICT_FLOPS = N_PREDICT * 2 * (FEATURES * HIDDEN + HIDDEN * CLASSES)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.random((N_TRAIN, FEATURES), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, N_TRAIN)]
    return x, y


def _model(impl):
    if impl == "keras-torch":
        if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
            pytest.skip("Keras 3 with PyTorch is not installed here "
                        "(see benchmarks/keras_vs_fastnet.py for a separate venv)")
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras

        if keras.backend.backend() != "torch":
            pytest.skip(f"Keras runs on {keras.backend.backend()}, not torch")
        layers, models = keras.layers, keras.models
        first = [keras.Input((FEATURES,)), layers.Dense(HIDDEN, activation="relu")]
    elif impl == "fastnet-functional":
        from fastnet.keras import Input, Model, layers

        inputs = Input(shape=(FEATURES,))
        hidden = layers.Dense(HIDDEN, activation="relu")(inputs)
        model = Model(inputs, layers.Dense(CLASSES, activation="softmax")(hidden))
    else:
        from fastnet.keras import layers, models

        first = [layers.Dense(HIDDEN, activation="relu", input_shape=(FEATURES,))]
    if impl != "fastnet-functional":
        model = models.Sequential([*first, layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("impl", IMPLS)
def test_fit_one_epoch(benchmark, data, impl):
    x, y = data
    model = _model(impl)
    model.fit(x[:1280], y[:1280], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    benchmark.group = "keras_fit_epoch"
    benchmark.extra_info["flops"] = FIT_FLOPS
    history = benchmark.pedantic(
        model.fit, args=(x, y), kwargs=dict(batch_size=BATCH, epochs=1, verbose=0),
        rounds=3, iterations=1)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("impl", IMPLS)
def test_predict(benchmark, data, impl):
    x, _ = data
    model = _model(impl)
    model.predict(x[:320], verbose=0)  # warm-up
    benchmark.group = "keras_predict"
    benchmark.extra_info["flops"] = PREDICT_FLOPS
    out = benchmark.pedantic(model.predict, args=(x[:N_PREDICT],), kwargs=dict(verbose=0),
                             rounds=5, iterations=1)
    assert out.shape == (N_PREDICT, CLASSES)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-4)


@pytest.mark.parametrize("impl", ["fastnet-keras", "keras-torch"])
def test_imdb_fit_one_epoch(benchmark, impl):
    from keras_vs_fastnet import WORKLOADS, _imdb_data

    n, batch, *_ = WORKLOADS["imdb"]
    x, y = _imdb_data(n)
    if impl == "keras-torch":
        _model(impl)  # skips unless Keras 3 on PyTorch is here
        import keras as front
    else:
        import fastnet.keras as front
    layers = front.layers
    model = front.models.Sequential([
        front.Input((x.shape[1],)), layers.Embedding(10_000, 16),
        layers.GlobalAveragePooling1D(), layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:5 * batch], y[:5 * batch], batch_size=batch, epochs=1, verbose=0)  # warm-up
    benchmark.group = "keras_imdb_fit_epoch"
    history = benchmark.pedantic(
        model.fit, args=(x, y), kwargs=dict(batch_size=batch, epochs=1, verbose=0),
        rounds=3, iterations=1)
    assert np.isfinite(history.history["loss"][0])
