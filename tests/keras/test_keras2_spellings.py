"""Keras 2-era spellings: Keras 3 refuses them, fastnet runs them and warns once.

What Keras 3.15.1 does with each (torch backend, checked with
KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python):
  SGD(lr=0.1)                 ValueError: Argument(s) not recognized: {'lr': 0.1}
  fit(..., nb_epoch=2)        TypeError: fit() got an unexpected keyword argument 'nb_epoch'
  model.predict_classes(x)    AttributeError (no such method)
  model.fit_generator(...)    AttributeError (no such method)
  metrics=["acc"]             accepted, no warning (so fastnet does not warn either)
  Dense(3, input_dim=4)       accepted, with a UserWarning to prefer Input(shape)
                              (fastnet accepts it silently, as it does input_shape=)
"""

import warnings

import numpy as np
import pytest

from fastnet.keras import layers, models, optimizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _model(units=3, activation="softmax", loss="sparse_categorical_crossentropy"):
    model = models.Sequential([layers.Dense(units, activation=activation, input_dim=4)])
    model.compile(optimizer="sgd", loss=loss, metrics=["acc"])
    return model


X = np.random.default_rng(0).standard_normal((12, 4)).astype(np.float32)
LABELS = np.arange(12) % 3


@pytest.mark.parametrize("make", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam,
                                  optimizers.Adagrad])
def test_lr_is_learning_rate_with_one_warning(make):
    with pytest.warns(DeprecationWarning, match=r"lr=.*learning_rate="):
        first = make(lr=0.25)
    assert first.learning_rate == 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert make(lr=0.5).learning_rate == 0.5  # once per process, not per call


def test_nb_epoch_is_epochs():
    model = _model()
    with pytest.warns(DeprecationWarning, match=r"fit\(epochs=\.\.\.\)"):
        history = model.fit(X, LABELS, nb_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 3 and "acc" in history.history
    with pytest.raises(TypeError, match="give epochs= only"):
        model.fit(X, LABELS, epochs=2, nb_epoch=3, verbose=0)


def test_predict_classes_as_keras_2_defined_it():
    model = _model()
    with pytest.warns(DeprecationWarning, match="np.argmax"):
        classes = model.predict_classes(X)
    np.testing.assert_array_equal(classes, model.predict(X, verbose=0).argmax(axis=-1))
    binary = _model(1, "sigmoid", "binary_crossentropy")
    flags = binary.predict_classes(X)  # warned once already
    assert flags.dtype == np.int32 and flags.shape == (12, 1)
    np.testing.assert_array_equal(flags, binary.predict(X, verbose=0) > 0.5)


def test_generator_methods_are_fit_evaluate_predict():
    model = _model()

    def batches():
        while True:
            yield X[:6], LABELS[:6]

    with pytest.warns(DeprecationWarning, match=r"model\.fit\(\.\.\.\)"):
        history = model.fit_generator(batches(), steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.warns(DeprecationWarning, match=r"model\.evaluate\(\.\.\.\)"):
        loss, acc = model.evaluate_generator(batches(), steps=2, verbose=0)
    assert (loss, acc) == pytest.approx(model.evaluate(X[:6], LABELS[:6], verbose=0))
    with pytest.warns(DeprecationWarning, match=r"model\.predict\(\.\.\.\)"):
        out = model.predict_generator((x for x, _ in [(X, None)]), steps=1, verbose=0)
    np.testing.assert_allclose(out, model.predict(X, verbose=0))
