"""Regressions from the reliability audit of fastnet.keras: layers before an
Embedding, Constant initializers in model files, callbacks monitoring a
metric the logs lack, unknown activation names.

Each test failed on the code before its fix (a TypeError deep in a kernel's
checks, a value lost on re-build, a bare KeyError, a loosely matched name).
"""

import numpy as np
import pytest

from fastnet.keras import Input, Model, Sequential, layers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _ids_and_targets():
    rng = np.random.default_rng(0)
    return rng.integers(0, 5, (8, 3)).astype(np.float32), rng.random((8, 1)).astype(np.float32)


def _ids_through(dense, embedding):
    """Input -> dense -> embedding -> Flatten -> Dense(1), as Sequential and as Model."""
    tail = [layers.Flatten(), layers.Dense(1)]
    yield Sequential([Input(shape=(3,)), dense(), embedding(), *tail])
    x = Input(shape=(3,))
    y = embedding()(dense()(x))
    yield Model(x, tail[1](tail[0](y)))


def _zeros_dense(**kwargs):
    # A zero kernel keeps the ids whole numbers, so the Embedding accepts them.
    return lambda: layers.Dense(3, kernel_initializer="zeros", use_bias=False, **kwargs)


@pytest.mark.parametrize("which", [0, 1], ids=["Sequential", "Model"])
def test_a_layer_before_an_embedding_keeps_its_weights_as_in_keras(which):
    # Keras 3 trains the rest and warns "Gradients do not exist for
    # variables [...]"; fastnet handed the Dense a None gradient (a TypeError).
    model = list(_ids_through(_zeros_dense(), lambda: layers.Embedding(5, 2)))[which]
    model.compile("sgd", "mse")
    before = model.get_weights()
    with pytest.warns(UserWarning, match=r"Gradients do not exist .*\['dense"):
        model.fit(*_ids_and_targets(), epochs=2, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights())]
    assert changed == [False, True, True, True]


@pytest.mark.parametrize("which", [0, 1], ids=["Sequential", "Model"])
def test_a_frozen_layer_before_an_embedding_trains_without_a_warning(which):
    model = list(_ids_through(_zeros_dense(trainable=False),
                              lambda: layers.Embedding(5, 2)))[which]
    model.compile("sgd", "mse")
    model.fit(*_ids_and_targets(), epochs=1, verbose=0)


def test_a_layer_feeding_an_embedding_and_another_path_still_trains():
    x = Input(shape=(3,))
    h = _zeros_dense()()(x)
    both = layers.Concatenate()([layers.Flatten()(layers.Embedding(5, 2)(h)), h])
    model = Model(x, layers.Dense(1)(both))
    model.compile("sgd", "mse")
    before = model.get_weights()
    model.fit(*_ids_and_targets(), epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])
