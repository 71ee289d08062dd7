"""Shared layers in the functional API: one layer object called on several tensors.

The programs below (a siamese encoder on two inputs, one layer applied
twice in a row with an l2 penalty, a shared layer whose second call lies
deeper than its first) train from the same weights as Keras 3.15.1
(PyTorch 2.13.0 backend, CPU), whose logs are in keras3_shared_layers.json,
recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_shared_layers.py

(run and compared as test_functional_parity.py does).
"""

import json
import pathlib
import sys

import numpy as np
import pytest
from _functional_programs import _data, check_against_keras, run


def _shared_data():
    data = _data()
    rng = np.random.default_rng(7)
    data["right"] = rng.standard_normal((64, 6)).astype("float32")
    data["same"] = (np.abs(data["x"][:, :1] - data["right"][:, :1]) < 0.7).astype("float32")
    return data


def _siamese(keras, L):
    left, right = keras.Input(shape=(6,), name="left"), keras.Input(shape=(6,), name="right")
    encoder = L.Dense(8, activation="relu", name="encoder")
    joined = L.Concatenate()([encoder(left), encoder(right)])
    return keras.Model([left, right], L.Dense(1, activation="sigmoid")(joined))


def _twice_in_a_row(keras, L):
    inputs = keras.Input(shape=(6,))
    shared = L.Dense(8, activation="tanh", name="shared",
                     kernel_regularizer=keras.regularizers.l2(0.01))
    first = shared(L.Dense(8, activation="relu")(inputs))
    second = shared(first)
    return keras.Model(inputs, L.Dense(1)(L.Add()([first, second])))


def _second_call_deeper(keras, L):
    # Keras gives "late" the depth of its deeper second call, and so the layer
    # feeding its first call comes deeper still: it is listed before "late".
    inputs = keras.Input(shape=(6,))
    late = L.Dense(6, activation="relu", name="late")
    early = late(L.Dense(6, name="before_first_call")(inputs))
    deep = L.Dense(5, activation="tanh")(L.Dense(7, activation="relu")(late(inputs)))
    return keras.Model(inputs, L.Dense(3, activation="softmax")(L.Concatenate()([early, deep])))


PROGRAMS = {
    "siamese": (_siamese, ["x", "right"], ["same"], ("Adam", {}), "binary_crossentropy",
                ["accuracy"]),
    "twice_in_a_row_l2": (_twice_in_a_row, ["x"], ["real"],
                          ("SGD", {"learning_rate": 0.05, "momentum": 0.9}), "mse", ["mae"]),
    "second_call_deeper": (_second_call_deeper, ["x"], ["labels"], ("RMSprop", {}),
                           "sparse_categorical_crossentropy", ["accuracy"]),
}

KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_shared_layers.json").read_text())


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], PROGRAMS, _shared_data())


def test_a_shared_layer_is_listed_once_with_its_weights_once():
    from fastnet import keras
    model = _siamese(keras, keras.layers)
    encoder = next(la for la in model.layers if la.name == "encoder")
    assert [la.name for la in model.layers].count("encoder") == 1
    assert len(model.weights) == 4 and model.count_params() == 6 * 8 + 8 + 16 + 1
    twin = model.outputs[0].layer.inbound[0].layer.inbound[1].layer
    assert twin is not encoder and twin.origin is encoder
    assert all(a is b for a, b in zip(twin.weights, encoder.weights))


def test_summary_shows_a_shared_layer_once_connected_to_each_call():
    from fastnet import keras
    lines = []
    _siamese(keras, keras.layers).summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert text.count("encoder (Dense)") == 1
    row = lines.index(next(line for line in lines if line.startswith("encoder (Dense)")))
    assert lines[row].split()[-2:] == ["56", "left[0][0],"]
    assert lines[row + 1].strip() == "right[0][0]"
    assert "encoder[0][0]," in text and "encoder[1][0]" in text
    assert "Total params: 73" in text


@pytest.mark.parametrize("build", [_siamese, _twice_in_a_row, _second_call_deeper])
def test_gradients_sum_over_the_calls_and_match_central_differences(build):
    from _keras_gradcheck import numerical_check

    from fastnet import keras
    keras.utils.set_random_seed(0)
    keras.config.set_floatx("float64")
    try:
        model = build(keras, keras.layers)
        loss = {_siamese: "binary_crossentropy", _twice_in_a_row: "mse"}.get(
            build, "sparse_categorical_crossentropy")
        model.compile("sgd", loss)
        rng = np.random.default_rng(3)
        x = (rng.standard_normal((6, 6)), rng.standard_normal((6, 6)))
        t = {_siamese: rng.integers(0, 2, 6).astype(float),
             _twice_in_a_row: rng.standard_normal((6, 1))}.get(build, rng.integers(0, 3, 6))
        numerical_check(model, x if build is _siamese else x[0], t)
    finally:
        keras.config.set_floatx("float32")


def test_shared_image_layers_on_every_backend(backend):
    """Shared Conv2D (on strided views), BatchNormalization and pooling: twins on each backend."""
    from _keras_gradcheck import numerical_check

    import fastnet
    from fastnet import keras

    L = keras.layers
    fastnet.set_backend(backend.name)
    keras.utils.set_random_seed(2)
    keras.config.set_floatx("float64")
    try:
        left, right = keras.Input((6, 7, 2)), keras.Input((6, 7, 2))
        conv = L.Conv2D(3, (3, 2), strides=(1, 2), padding="same", activation="tanh")
        # A large epsilon keeps the curvature low enough for central differences.
        norm = L.BatchNormalization(epsilon=0.5)
        pool = L.MaxPooling2D((2, 2), strides=(2, 1))
        flat = L.Flatten()
        a, b = (flat(pool(norm(conv(x)))) for x in (left, right))
        model = keras.Model([left, right], L.Dense(3, activation="softmax")(L.Add()([a, b])))
        assert [type(la).__name__ for la in model.layers].count("Conv2D") == 1
        model.compile("sgd", "sparse_categorical_crossentropy")
        rng = np.random.default_rng(3)
        numerical_check(model, (rng.standard_normal((4, 6, 7, 2)),
                                rng.standard_normal((4, 6, 7, 2))), rng.integers(0, 3, 4))
    finally:
        keras.config.set_floatx("float32")


def test_a_shared_dropout_draws_a_new_mask_for_each_call():
    from fastnet import keras
    x = keras.Input((200,))
    drop = keras.layers.Dropout(0.5, seed=1)
    model = keras.Model(x, [drop(x), drop(x)])
    ones = np.ones((1, 200), dtype="float32")
    first, second = model._forward_list(ones, True, (False, False))
    assert not np.array_equal(first, second)  # one stream for the layer, as in Keras


@pytest.mark.parametrize("build", [_siamese, _twice_in_a_row, _second_call_deeper])
def test_save_and_load_keep_the_sharing(tmp_path, build):
    from fastnet import keras
    keras.utils.set_random_seed(0)
    model = build(keras, keras.layers)
    model.compile("adam", "mse")
    data = _shared_data()
    x = [data["x"], data["right"]] if build is _siamese else data["x"]
    y = data["real"] if build is _twice_in_a_row else data["same"]
    if build is _second_call_deeper:
        y = np.eye(3, dtype="float32")[data["labels"]]
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "shared.keras")
    loaded = keras.models.load_model(tmp_path / "shared.keras")
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    assert len(loaded.weights) == len(model.weights)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    # Training on continues the same way: the twins hold the loaded weights.
    a = model.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
    b = loaded.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"]
    assert a == b


def _tampered(tmp_path, change):
    from fastnet import keras
    path = tmp_path / "model.keras"
    _twice_in_a_row(keras, keras.layers).save(path)
    with np.load(path) as archive:
        arrays = dict(archive)
    spec = json.loads(str(arrays["config"][()]))
    change(spec["model"])
    arrays["config"] = np.array(json.dumps(spec))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda m: m["layers"][2].update(shared_calls=[[["shared", 2]]]), "named by the model"),
    (lambda m: m["layers"][2].update(shared_calls=[[m["layers"][0]["config"]["name"]]]),
     "of one shape"),
    (lambda m: m["layers"][2].update(shared_calls=[[["shared", 1]]]), "no cycle"),
    (lambda m: m["layers"][2].update(shared_calls=[]), "later calls' inputs"),
    (lambda m: m.update(outputs=["dense", 1]), "model.outputs"),
])
def test_a_tampered_shared_call_is_refused_before_anything_is_built(tmp_path, change, message):
    from fastnet import keras
    path = _tampered(tmp_path, change)
    with pytest.raises(ValueError, match=message):
        keras.models.load_model(path)


def test_a_shared_layer_takes_one_input_shape():
    from fastnet import keras
    dense = keras.layers.Dense(3)
    dense(keras.Input((4,)))
    with pytest.raises(ValueError, match=r"called on inputs \(5,\); a shared layer takes"):
        dense(keras.Input((5,)))


def test_a_regularized_layer_whose_first_call_is_elsewhere_is_refused():
    from fastnet import keras
    L = keras.layers
    dense = L.Dense(3, kernel_regularizer="l2")
    dense(keras.Input((4,)))
    other = keras.Input((4,))
    with pytest.raises(NotImplementedError, match="first call is not part of this model"):
        keras.Model(other, dense(other))
    plain = L.Dense(3)
    plain(keras.Input((4,)))
    model = keras.Model(other, plain(other))  # without a penalty, the twin alone is enough
    assert model.layers[1] is plain and model.count_params() == 15


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras, name, PROGRAMS, _shared_data()) for name in PROGRAMS},
                     indent=1))
