"""Regressions from the reliability audit of fastnet.keras: layers before an
Embedding, Constant initializers in model files, callbacks monitoring a
metric the logs lack, unknown activation names.

Each test failed on the code before its fix (a TypeError deep in a kernel's
checks, a value lost on re-build, a bare KeyError, a loosely matched name).
"""

import numpy as np
import pytest
from _keras_cases import small_data, small_model

from fastnet.keras import activations, callbacks, initializers, layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _ids_and_targets():
    rng = np.random.default_rng(0)
    return rng.integers(0, 5, (8, 3)).astype(np.float32), rng.random((8, 1)).astype(np.float32)


def _ids_through(dense, embedding):
    """Input -> dense -> embedding -> Flatten -> Dense(1), as Sequential and as Model."""
    tail = [layers.Flatten(), layers.Dense(1)]
    yield models.Sequential([layers.Input(shape=(3,)), dense(), embedding(), *tail])
    x = layers.Input(shape=(3,))
    y = embedding()(dense()(x))
    yield models.Model(x, tail[1](tail[0](y)))


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
    x = layers.Input(shape=(3,))
    h = _zeros_dense()()(x)
    both = layers.Concatenate()([layers.Flatten()(layers.Embedding(5, 2)(h)), h])
    model = models.Model(x, layers.Dense(1)(both))
    model.compile("sgd", "mse")
    before = model.get_weights()
    model.fit(*_ids_and_targets(), epochs=1, verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])


@pytest.mark.parametrize("make, first", [
    (lambda: initializers.Constant(0.3), 0.3),
    (lambda: initializers.RandomNormal(mean=5.0, stddev=0.0), 5.0),
    (lambda: initializers.RandomUniform(minval=2.0, maxval=2.0), 2.0),
], ids=["Constant", "RandomNormal", "RandomUniform"])
def test_an_initializer_with_arguments_keeps_them_in_a_model_file(tmp_path, make, first):
    # The config held the name only: a model saved before it was built came
    # back with Constant(0.0), RandomNormal(0, 0.05), ... and trained from there.
    model = models.Sequential([layers.Dense(2, kernel_initializer=make())])
    model.compile("sgd", "mse")
    model.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    loaded.build((None, 3))
    np.testing.assert_array_equal(loaded.get_weights()[0], np.full((3, 2), first, np.float32))


@pytest.mark.parametrize("initializer", [
    initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=1),
    initializers.GlorotNormal(seed=7),
    initializers.Constant(-1.5),
], ids=["VarianceScaling", "GlorotNormal", "Constant"])
def test_a_layer_config_rebuilds_the_same_initializer(initializer):
    # VarianceScaling was saved as the name 'VarianceScaling', which load_model refused.
    config = layers.Dense(2, bias_initializer=initializer).get_config()
    again = layers.from_config("Dense", config).bias_initializer
    assert type(again) is type(initializer)
    assert again.get_config() == initializer.get_config()


def test_an_initializer_with_its_defaults_is_still_saved_by_name():
    assert layers.Dense(2).get_config()["kernel_initializer"] == "glorot_uniform"
    assert layers.Embedding(3, 2).get_config()["embeddings_initializer"] == "random_uniform"


@pytest.mark.parametrize("config, match", [
    ({"class_name": "system", "config": {}}, "unknown initializer"),
    ({"class_name": "Constant", "config": {"value": "x"}}, "Constant: value"),
    ({"class_name": "Constant", "config": {"seed": 1}}, "seed"),
], ids=["unknown class", "bad value", "unknown argument"])
def test_an_initializer_config_goes_through_the_registry_and_the_constructor(config, match):
    with pytest.raises((TypeError, ValueError), match=match):
        layers.from_config("Dense", {"units": 2, "kernel_initializer": config})


@pytest.mark.parametrize("make, words", [
    (lambda tmp: callbacks.EarlyStopping(monitor="val_accuracy", patience=0),
     "Early stopping conditioned on metric `val_accuracy` which is not available"),
    (lambda tmp: callbacks.ReduceLROnPlateau(monitor="val_accuracy", patience=0),
     "Learning rate reduction is conditioned on metric `val_accuracy`"),
    (lambda tmp: callbacks.ModelCheckpoint(str(tmp / "m-{epoch}.keras"),
                                           monitor="val_accuracy", save_best_only=True),
     "Can save best model only with val_accuracy available"),
], ids=["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_a_callback_monitoring_a_missing_metric_warns_and_training_goes_on(tmp_path, make,
                                                                           words):
    # Keras 3 warns, listing what the logs hold, and skips; fastnet raised a bare KeyError.
    model = small_model()
    with pytest.warns(UserWarning, match=f"{words}.*Available metrics are: loss,accuracy"):
        history = model.fit(*small_data(), epochs=3, verbose=0, callbacks=[make(tmp_path)])
    assert len(history.history["loss"]) == 3
    assert model.optimizer.learning_rate == pytest.approx(0.1)


def test_a_checkpoint_without_its_metric_saves_every_epoch_as_keras_does(tmp_path):
    check = callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), monitor="val_loss",
                                      save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss"):
        small_model().fit(*small_data(), epochs=2, verbose=0, callbacks=[check])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.keras", "m-2.keras"]


@pytest.mark.parametrize("name", ["ReLU", "RELU", "Sigmoid", "relu ", "Linear"])
def test_an_activation_name_is_matched_exactly_as_in_keras(name):
    # Keras 3: "Could not interpret activation function identifier: ReLU";
    # fastnet lower-cased any name it was given.
    with pytest.raises(ValueError, match=rf"did you mean '{name.strip().lower()}'.*supports"):
        layers.Dense(2, activation=name)


@pytest.mark.parametrize("name", ["linear", "relu", "sigmoid", "tanh", "softmax", None])
def test_keras_activation_names_still_work(name):
    assert layers.Dense(2, activation=name).activation == (name or "linear")
    assert activations.get(name) == (name or "linear")


def test_a_function_of_the_users_own_is_refused_not_replaced_by_name():
    # A function named like a Keras activation but computing something else was
    # taken by its name, so the layer silently computed fastnet's relu instead.
    def relu(x):
        return 2 * x

    with pytest.raises(ValueError, match="cannot call a function of yours"):
        layers.Dense(2, activation=relu)
    with pytest.raises(ValueError, match="cannot call a function of yours"):
        layers.Dense(2, activation=np.tanh)
    for name in ("linear", "relu", "sigmoid", "tanh", "softmax"):
        assert layers.Dense(2, activation=getattr(activations, name)).activation == name
