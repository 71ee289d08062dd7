"""The functional API: Input, layers called on tensors, Model(inputs, outputs)."""

import json
import zipfile

import numpy as np
import pytest
from _keras_gradcheck import numerical_check

from fastnet import keras
from fastnet.keras import config, layers, models


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def _two_inputs():
    a, b = keras.Input(shape=(5,), name="a"), keras.Input(shape=(3,), name="b")
    hidden = layers.Dense(4, activation="relu", name="hidden")(a)
    joined = layers.Concatenate(name="joined")([hidden, b])
    return keras.Model([a, b], layers.Dense(2, activation="softmax", name="out")(joined))


def _data(n=12):
    rng = np.random.default_rng(1)
    return rng.standard_normal((n, 5)), rng.standard_normal((n, 3)), rng.integers(0, 2, n)


def test_summary_has_keras_columns_and_connections():
    lines = []
    _two_inputs().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Layer (type)" in lines[2] and "Connected to" in lines[2]
    row = next(i for i, line in enumerate(lines) if line.startswith("joined"))
    assert lines[row].split()[-1] == "hidden[0][0]," and lines[row + 1].split() == ["b[0][0]"]
    assert "a (InputLayer)" in text and "(None, 7)" in text and "Total params: 40" in text


def test_layers_are_listed_in_keras_3_order():
    # What Keras 3.15 lists for this graph (the parity test covers a graph
    # where Keras' deepest-first order differs from a depth-first walk).
    assert [la.name for la in _two_inputs().layers] == ["a", "hidden", "b", "joined", "out"]


@pytest.mark.parametrize("form", ["list", "tuple", "dict"])
def test_inputs_as_list_tuple_or_dict_give_the_same_predictions(form):
    model = _two_inputs()
    x1, x2, _ = _data()
    data = {"list": [x1, x2], "tuple": (x1, x2), "dict": {"b": x2, "a": x1}}[form]
    np.testing.assert_array_equal(model.predict(data, verbose=0),
                                  model.predict([x1, x2], verbose=0))


@pytest.mark.parametrize("data, message", [
    (lambda x1, x2: x1, "2 inputs"),
    (lambda x1, x2: [x1], "2 inputs"),
    (lambda x1, x2: {"a": x1}, "missing data for input 'b'"),
    (lambda x1, x2: {"a": x1, "b": x2, "c": x2}, "name none"),
    (lambda x1, x2: [x1, x2[:5]], "cardinality"),
    (lambda x1, x2: [x1, x2[:, :2]], r"input 'b' of shape \(None, 3\)"),
])
def test_wrong_input_structures_are_refused(data, message):
    x1, x2, _ = _data()
    with pytest.raises(ValueError, match=message):
        _two_inputs().predict(data(x1, x2), verbose=0)


def test_functional_mnist_dense_model_trains_exactly_like_sequential():
    rng = np.random.default_rng(2)
    x, y = rng.random((64, 20)), rng.integers(0, 4, 64)
    inputs = keras.Input(shape=(20,))
    functional = keras.Model(inputs, layers.Dense(4, activation="softmax")(
        layers.Dense(16, activation="relu")(inputs)))
    sequential = models.Sequential([layers.Dense(16, activation="relu", input_shape=(20,)),
                                    layers.Dense(4, activation="softmax")])
    sequential.set_weights(functional.get_weights())
    logs = []
    for model in (functional, sequential):
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        logs.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history)
    assert logs[0] == logs[1]


def _residual():
    inputs = keras.Input(shape=(4,))
    h = layers.Dense(4, activation="tanh")(inputs)
    # h feeds both the block and the Add: its gradient is the sum of both.
    block = layers.Dense(4, activation="relu", bias_initializer="ones")(h)
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.Add()([h, block])))


def _two_outputs():
    inputs = keras.Input(shape=(4,))
    trunk = layers.Dense(5, activation="tanh")(inputs)
    classes = layers.Dense(3, activation="softmax", name="classes")(trunk)
    value = layers.Dense(1, name="value")(layers.Concatenate()([trunk, classes]))
    return keras.Model(inputs, [classes, value])


@pytest.mark.parametrize("build, loss", [
    (_residual, "sparse_categorical_crossentropy"),
    (_two_inputs, "sparse_categorical_crossentropy"),
    (_two_outputs, ["sparse_categorical_crossentropy", "mse"]),
])
def test_gradients_through_the_graph_match_central_differences(build, loss):
    config.set_floatx("float64")
    try:
        model = build()
        model.compile("sgd", loss)
        rng = np.random.default_rng(3)
        labels = rng.integers(0, 2, 6)
        if build is _two_inputs:
            x = (rng.standard_normal((6, 5)), rng.standard_normal((6, 3)))
        else:
            x = rng.standard_normal((6, 4))
        t = (labels, rng.standard_normal((6, 1))) if build is _two_outputs else labels
        numerical_check(model, x, t)
    finally:
        config.set_floatx("float32")


def test_two_outputs_log_each_loss_and_metric_as_keras_names_them():
    model = _two_outputs()
    model.compile("adam", ["sparse_categorical_crossentropy", "mse"],
                  metrics=[["accuracy"], ["mae"]])
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((8, 4)), [rng.integers(0, 3, 8), rng.standard_normal(8)]
    history = model.fit(x, y, verbose=0).history
    assert set(history) == {"loss", "classes_loss", "value_loss", "classes_accuracy",
                            "value_mae"}
    assert history["loss"][0] == pytest.approx(history["classes_loss"][0]
                                               + history["value_loss"][0])
    values = model.evaluate(x, {"value": y[1], "classes": y[0]}, verbose=0)
    assert len(values) == 5
    predictions = model.predict(x, verbose=0)
    assert isinstance(predictions, list) and [p.shape for p in predictions] == [(8, 3), (8, 1)]
    with pytest.raises(ValueError, match="list of lists"):
        model.compile("adam", "mse", metrics=["mae"])


@pytest.mark.parametrize("call, error, message", [
    (lambda: layers.Dense(3)(np.zeros((2, 3))), TypeError, "one tensor"),
    (lambda: layers.Add()(keras.Input((3,))), TypeError, "list of tensors"),
    (lambda: layers.Add()([keras.Input((3,)), keras.Input((4,))]), ValueError, "incompatible"),
    (lambda: layers.Concatenate()([keras.Input((3,)), keras.Input((2, 2))]), ValueError,
     "matching shapes"),
    (lambda: layers.Concatenate(axis=0)([keras.Input((3,)), keras.Input((3,))]), ValueError,
     "axis 0"),
    (lambda: keras.Model(keras.Input((3,)), layers.Add()([keras.Input((3,)),
                                                          keras.Input((3,))])),
     ValueError, "disconnected"),
    (lambda: keras.Model(), TypeError, "give inputs and outputs .* or subclass Model"),
    (lambda: keras.Model(np.zeros(3), np.zeros(3)), TypeError, "must be a tensor"),
])
def test_bad_graphs_are_refused_with_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_save_and_load_rebuild_the_graph_from_json(tmp_path):
    model = _two_inputs()
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x1, x2, y = _data()
    model.fit([x1, x2], y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    loaded = models.load_model(path)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    np.testing.assert_array_equal(loaded.predict([x1, x2], verbose=0),
                                  model.predict([x1, x2], verbose=0))
    assert loaded.evaluate([x1, x2], y, verbose=0) == model.evaluate([x1, x2], y, verbose=0)


def _rewrite_config(path, change):
    config_text = np.load(path)["config"][()]
    spec = json.loads(str(config_text))
    change(spec["model"])
    arrays = dict(np.load(path))
    arrays["config"] = np.array(json.dumps(spec))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize("change, message", [
    (lambda m: m["layers"][1].update(inbound=["out"]), "no cycle"),
    (lambda m: m["layers"][0].update(inbound=["b"]), "Input with no inbound layers"),
    (lambda m: m["layers"][1].update(inbound=["nowhere"]), "named by the model's layers"),
    (lambda m: m["layers"][1].update(inbound=[["a", 1]]), "named by the model's layers"),
    (lambda m: m["layers"][3].update(inbound=["a"]), "at least 2 tensors"),
    (lambda m: m.update(outputs="nowhere"), "model.outputs"),
    (lambda m: m["layers"][1]["config"].update(units=5), "weights of shapes"),
    (lambda m: m.update(class_name="Subclassed"), "Sequential"),
])
def test_a_tampered_graph_is_refused_before_anything_is_built(tmp_path, change, message):
    path = tmp_path / "model.keras"
    _two_inputs().save(path)
    _rewrite_config(path, change)
    with pytest.raises(ValueError, match=message):
        models.load_model(path)
