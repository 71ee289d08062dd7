"""compile(loss_weights=...): each output's loss scaled in the total, Keras 3's rule.

loss = Σ weight · (loss of the output), plus the penalties; each output's
loss is logged unweighted as "<output>_loss". The programs below train
two-output models from the same weights as Keras 3.15.1 (PyTorch 2.13.0
backend, CPU), whose logs are in keras3_loss_weights.json, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_loss_weights.py

(run and compared as test_functional_parity.py does).
"""

import json
import pathlib
import sys

import numpy as np
import pytest
from _functional_programs import _two_outputs, check_against_keras, run

_LOSSES = ["sparse_categorical_crossentropy", "mse"]
PROGRAMS = {
    "list_weights": (_two_outputs, ["x"], ["labels", "real"], ("Adam", {}), _LOSSES,
                     [["accuracy"], ["mae"]], {"loss_weights": [0.3, 2.0]}),
    "dict_weights_dict_losses": (
        _two_outputs, ["x"], ["labels", "real"], ("RMSprop", {}),
        {"classes": "sparse_categorical_crossentropy", "value": "mse"}, None,
        {"loss_weights": {"value": 0.25, "classes": 1.5}}),
    "zero_weight": (_two_outputs, ["x"], ["labels", "real"],
                    ("SGD", {"learning_rate": 0.05}), _LOSSES, None,
                    {"loss_weights": [1.0, 0.0]}),
}

KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_loss_weights.json").read_text())


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], PROGRAMS)


def _model():
    from fastnet import keras
    keras.utils.set_random_seed(0)
    return _two_outputs(keras, keras.layers)


def _data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((8, 6)).astype("float32"),
            [rng.integers(0, 3, 8), rng.standard_normal((8, 1)).astype("float32")])


def _evaluate(loss, loss_weights):
    model = _model()
    model.compile("sgd", loss, loss_weights=loss_weights)
    x, y = _data()
    if loss == "mse":  # mse on the class scores too: one-hot targets
        y[0] = np.eye(3, dtype="float32")[y[0]]
    return model.evaluate(x, y, verbose=0, return_dict=True)


@pytest.mark.parametrize("loss, loss_weights", [
    (_LOSSES, [0.3, 2.0]),
    (_LOSSES, (0.3, 2)),
    (_LOSSES, {"classes": 0.3, "value": 2.0}),
    ({"value": "mse", "classes": "sparse_categorical_crossentropy"}, [0.3, 2.0]),
    # Keras 3 refuses one loss for every output with a list of weights; the
    # meaning is plain (and Keras 2 took it), so fastnet takes it.
    ("mse", [0.3, 2.0]),
])
def test_every_form_weighs_the_same_outputs(loss, loss_weights):
    logs = _evaluate(loss, loss_weights)
    plain = _evaluate(loss, None)
    assert logs["classes_loss"] == plain["classes_loss"]  # logged unweighted, as Keras does
    assert logs["value_loss"] == plain["value_loss"]
    assert logs["loss"] == pytest.approx(0.3 * logs["classes_loss"] + 2.0 * logs["value_loss"],
                                         rel=1e-6)


def test_none_weighs_one_as_in_keras():
    logs = _evaluate(_LOSSES, [None, 2.0])
    assert logs["loss"] == pytest.approx(logs["classes_loss"] + 2.0 * logs["value_loss"],
                                         rel=1e-6)


# (loss_weights, error, words); Keras 3.15.1 refuses each of these too, except
# the unknown name, which it silently pairs with outputs by sorted key order.
@pytest.mark.parametrize("loss_weights, error, words", [
    ([0.3], ValueError, "1 entries for a model with 2 outputs"),
    (0.5, ValueError, "a list .one per output. or a dict"),
    ({"value": 2.0}, ValueError, r"no weight for output\(s\) \['classes'\]"),
    ({"classes": 0.3, "nope": 2.0}, ValueError, r"names outputs \['nope'\]"),
    ("a", ValueError, "a list .one per output. or a dict"),
    ([float("nan"), 1.0], ValueError, r"loss_weights\['classes'\] must be a finite number"),
    ([True, 1.0], TypeError, r"loss_weights\['classes'\] must be a number"),
])
def test_weights_that_fit_no_output_are_refused(loss_weights, error, words):
    with pytest.raises(error, match=words):
        _model().compile("sgd", _LOSSES, loss_weights=loss_weights)


@pytest.mark.parametrize("loss_weights", [0.5, [0.5], 2])
def test_one_output_takes_a_number_or_a_list_of_one(loss_weights):
    from fastnet import keras
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    x, y = _data()
    model.compile("sgd", "mse")
    plain = model.evaluate(x, y[1], verbose=0)
    model.compile("sgd", "mse", loss_weights=loss_weights)
    weight = loss_weights[0] if isinstance(loss_weights, list) else loss_weights
    assert model.evaluate(x, y[1], verbose=0) == pytest.approx(weight * plain, rel=1e-6)


def test_gradients_are_of_the_weighted_total():
    from _keras_gradcheck import numerical_check

    from fastnet import keras
    keras.config.set_floatx("float64")
    try:
        model = _model()
        model.compile("sgd", _LOSSES, loss_weights={"classes": 0.3, "value": 2.5})
        rng = np.random.default_rng(3)
        numerical_check(model, rng.standard_normal((6, 6)),
                        (rng.integers(0, 3, 6), rng.standard_normal((6, 1))))
    finally:
        keras.config.set_floatx("float32")


def test_load_model_restores_the_loss_weights(tmp_path):
    from fastnet import keras
    model = _model()
    model.compile("adam", _LOSSES, loss_weights={"value": 0.25, "classes": 1.5})
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "weighted.keras")
    loaded = keras.models.load_model(tmp_path / "weighted.keras")
    assert loaded.loss_weights == [1.5, 0.25]
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras, name, PROGRAMS) for name in PROGRAMS}, indent=1))
