"""Regressions from issue 10 (items 9, 11, 14) and the audit of fastnet.keras.

Each test failed on the code before its fix: arguments that trained nothing
or read uninitialised memory, model files that allocated what they declared
or raised raw KeyError / TypeError, names resolved with getattr.
"""

import io
import json
import os
import pathlib
import tracemalloc
import zipfile

import numpy as np
import pytest

from fastnet.keras import (
    Input,
    callbacks,
    initializers,
    layers,
    models,
    optimizers,
    regularizers,
    utils,
)


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _data(n=40, d=4, classes=3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, d)).astype(np.float32), np.eye(classes)[np.arange(n) % classes]


def _model(loss="categorical_crossentropy", last="softmax", units=3):
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                               layers.Dense(units, activation=last)])
    model.compile(optimizers.SGD(0.1), loss, metrics=["accuracy"])
    return model


# ---------------------------------------------------------------- fit / evaluate / predict

def test_predict_refuses_a_negative_batch_size_instead_of_returning_uninitialised_rows():
    x, _ = _data()
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got -1"):
        _model().predict(x, batch_size=-1, verbose=0)


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": -1}, "batch_size must be a positive integer, got -1"),
    ({"steps_per_epoch": -1}, "steps_per_epoch must be a positive integer, got -1"),
    ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ({"epochs": -1}, "epochs must be an integer >= 0, got -1"),
    ({"initial_epoch": -2}, "initial_epoch must be an integer >= 0"),
])
def test_fit_refuses_batch_and_step_counts_that_train_nothing(kwargs, match):
    x, y = _data()
    with pytest.raises(ValueError, match=match):
        _model().fit(x, y, verbose=0, **kwargs)


def test_fit_refuses_a_fractional_batch_size_instead_of_truncating_it():
    x, y = _data()
    with pytest.raises(TypeError, match="batch_size must be an integer, got 2.5"):
        _model().fit(x, y, batch_size=2.5, verbose=0)


def test_evaluate_refuses_a_negative_batch_size_instead_of_reporting_loss_zero():
    x, y = _data()
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        _model().evaluate(x, y, batch_size=-1, verbose=0)


def test_evaluate_refuses_empty_data_instead_of_reporting_loss_zero():
    x, y = _data()
    with pytest.raises(ValueError, match="no samples"):
        _model().evaluate(x[:0], y[:0], verbose=0)


def test_empty_validation_data_is_refused_instead_of_val_loss_zero():
    x, y = _data()
    with pytest.raises(ValueError, match="validation_data holds no samples"):
        _model().fit(x, y, validation_data=(x[:0], y[:0]), verbose=0)


def test_a_validation_split_that_leaves_no_validation_sample_is_refused():
    x, y = _data()
    with pytest.raises(ValueError, match="leaves 40 for training and 0 for validation"):
        _model().fit(x, y, validation_split=1e-20, verbose=0)


def test_validation_data_of_the_wrong_length_is_a_clear_error():
    x, y = _data()
    with pytest.raises(ValueError, match=r"validation_data must be \(x_val, y_val\)"):
        _model().fit(x, y, validation_data=(x,), verbose=0)


def test_validation_sample_weights_are_used_not_ignored():
    # Once refused (issue 10); now weighted as Keras does (issue 14): zero weights, zero loss.
    x, y = _data()
    history = _model().fit(x, y, validation_data=(x, y, np.zeros(len(x))), verbose=0)
    assert history.history["val_loss"] == [0.0]


def test_steps_in_evaluate_and_predict_stop_after_that_many_batches():
    # Once refused (issue 10); now honoured as Keras does (issue 14).
    x, y = _data()
    model = _model()
    assert model.predict(x, batch_size=16, steps=1, verbose=0).shape == (16, 3)
    assert model.evaluate(x, y, batch_size=16, steps=2, verbose=0) == pytest.approx(
        model.evaluate(x[:32], y[:32], verbose=0), rel=1e-6)


def test_verbose_names_itself_when_wrong():
    x, y = _data()
    with pytest.raises(ValueError, match="verbose must be 'auto', 0, 1 or 2, got 'x'"):
        _model().fit(x, y, verbose="x")


def test_one_callback_is_accepted_and_other_objects_are_refused():
    x, y = _data()
    model = _model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=stop)  # Keras takes a lone callback
    assert stop.model is model
    with pytest.raises(TypeError, match="callbacks must be a list"):
        model.fit(x, y, verbose=0, callbacks=[3])


def test_inputs_that_are_not_numbers_are_a_type_error():
    with pytest.raises(TypeError, match="inputs must be numbers, got an array of dtype <U1"):
        _model().predict(np.array([["a"] * 4]), verbose=0)


# ---------------------------------------------------------------- losses

@pytest.mark.parametrize("loss, last, units", [
    ("mae", "linear", 3),
    ("categorical_crossentropy", "linear", 3),  # unfused: on "probabilities"
    ("binary_crossentropy", "linear", 3),
    ("sparse_categorical_crossentropy", "linear", 3),
])
def test_unfused_losses_refuse_nan_like_the_loss_kernels(loss, last, units):
    x, y = _data()
    x[3, 1] = np.nan
    if loss.startswith("sparse"):
        y = y.argmax(axis=1)
    model = _model(loss, last, units)
    with pytest.raises(ValueError, match="NaN or inf"):
        model.fit(x, y, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_sparse_labels_that_are_infinite_are_refused():
    x, _ = _data()
    y = np.zeros(len(x))
    y[0] = np.inf
    with pytest.raises(ValueError, match="whole numbers"):
        _model("sparse_categorical_crossentropy").fit(x, y, verbose=0)


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Conv2D(0, 3), ValueError, "filters must be a positive integer, got 0"),
    (lambda: layers.Conv2D(2, 0), ValueError, "kernel_size must be a positive integer"),
    (lambda: layers.Conv2D(2, 3, strides=0), ValueError, "strides must be a positive integer"),
    (lambda: layers.MaxPooling2D(0), ValueError, "pool_size must be a positive integer"),
    (lambda: layers.MaxPooling2D(2, strides=0), ValueError, "strides must be a positive"),
    (lambda: layers.Dense(2.5), TypeError, "units must be an integer, got 2.5"),
    (lambda: layers.Dense(True), TypeError, "units must be an integer, got True"),
    (lambda: layers.Dropout("a"), TypeError, "rate must be a number"),
    (lambda: layers.Dense(2, input_shape=4), TypeError, "input_shape must be a tuple"),
    (lambda: layers.Dense(2, input_shape=(0,)), ValueError, "must be a positive integer, got 0"),
    (lambda: layers.Dense(2, input_shape=(-1,)), ValueError, "positive integer, got -1"),
    (lambda: Input(shape=(None, 3)), ValueError, "None"),
    (lambda: layers.Dense(2, trainable="no"), TypeError, "trainable must be True or False"),
])
def test_layer_arguments_are_checked_in_the_constructor(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_pool_larger_than_the_image_is_refused_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"pool_size \(16, 16\) is larger than the input"):
        models.Sequential([layers.MaxPooling2D(16, input_shape=(8, 8, 1))])


# ---------------------------------------------------------------- optimizers

@pytest.mark.parametrize("make, match", [
    (lambda: optimizers.SGD(float("nan")), "learning_rate must be a finite number"),
    (lambda: optimizers.Adam(learning_rate=float("inf")), "learning_rate must be a finite"),
    (lambda: optimizers.RMSprop(-0.1), "learning_rate must be a finite number >= 0"),
    (lambda: optimizers.RMSprop(rho=2), r"rho must be in \[0.0, 1.0\]"),
    (lambda: optimizers.RMSprop(epsilon=0), "epsilon must be a finite number > 0"),
    (lambda: optimizers.Adam(beta_1=1.0), r"beta_1 must be in \[0.0, 1.0\)"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
])
def test_optimizer_hyperparameters_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_learning_rate_set_later_is_checked_too():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = float("nan")


def test_apply_takes_keras_argument_order_gradients_first():
    w, g = np.ones(3), np.full(3, 2.0)
    optimizers.SGD(0.5).apply([g], [w])
    np.testing.assert_array_equal(w, 0.0)
    np.testing.assert_array_equal(g, 2.0)


@pytest.mark.parametrize("grads, variables", [
    ([[1.0, 1.0]], [[1.0, 2.0]]),              # a list is copied: the update would be lost
    (np.ones(2), np.ones(2)),                  # iterated number by number
])
def test_optimizer_refuses_variables_it_cannot_update_in_place(grads, variables):
    with pytest.raises(TypeError, match="must be a list of arrays|float array"):
        optimizers.SGD(0.1).apply(grads, variables)


def test_optimizer_refuses_other_variables_than_its_state_was_made_for():
    opt = optimizers.RMSprop()
    w1, w2 = np.ones(3), np.ones((2, 2))
    opt.apply([np.ones(3), np.ones((2, 2))], [w1, w2])
    with pytest.raises(ValueError, match="first applied to variables of shapes"):
        opt.apply([np.ones(3)], [w1])


# ---------------------------------------------------------------- small classes

@pytest.mark.parametrize("make, error, match", [
    (lambda: regularizers.l2(-0.1), ValueError, "l2 must be a finite number >= 0"),
    (lambda: regularizers.get({"l3": 1}), ValueError, "'l1' and 'l2' only"),
    (lambda: initializers.RandomNormal(stddev=-1), ValueError, "stddev"),
    (lambda: initializers.VarianceScaling(scale=0), ValueError, "scale"),
    (lambda: callbacks.EarlyStopping(patience=-1), ValueError, "patience"),
    (lambda: utils.to_categorical([], num_classes=-1), ValueError, "num_classes must be"),
    (lambda: utils.to_categorical([0, 1], num_classes=2.5), TypeError, "num_classes"),
    (lambda: utils.to_categorical([0, 1], num_classes=True), TypeError, "num_classes"),
    (lambda: utils.to_categorical([0.0, 1e30]), ValueError, "too large"),
])
def test_other_keras_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_compile_refuses_what_it_would_silently_ignore():
    model = _model()
    with pytest.raises(NotImplementedError, match="loss_weights"):
        model.compile("sgd", "mse", loss_weights=[0.5])
    with pytest.raises(TypeError, match="metrics must be a list"):
        model.compile("sgd", "mse", metrics=3)


# ---------------------------------------------------------------- model files

def _saved(tmp_path):
    """(config, weights) of a small compiled model, as fastnet saved them."""
    path = tmp_path / "good.keras"
    _model().save(path)
    with np.load(path, allow_pickle=False) as f:
        return json.loads(str(f["config"])), [f[f"weight_{i:03d}"] for i in range(4)]


def _write(path, config, weights, extra=None):
    """A model file built by hand: np.savez, as fastnet writes one."""
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(weights)}
    text = config if isinstance(config, np.ndarray) else np.array(json.dumps(config))
    with open(path, "wb") as f:
        np.savez(f, config=text, **arrays, **(extra or {}))
    return path


def _load_refused(path, *fields):
    with pytest.raises(ValueError) as caught:
        models.load_model(path)
    assert type(caught.value) is ValueError
    for text in (str(path), *fields):
        assert text in str(caught.value), (text, str(caught.value))


@pytest.mark.parametrize("name", ["np", "__loader__", "current", "mse"])
def test_load_model_resolves_the_loss_through_a_registry_only(tmp_path, name):
    config, weights = _saved(tmp_path)
    config["compile"]["loss"] = name
    _load_refused(_write(tmp_path / "m.keras", config, weights), "compile.loss",
                  "allowed", "MeanSquaredError")


def test_load_model_refuses_an_unknown_optimizer_with_a_value_error(tmp_path):
    config, weights = _saved(tmp_path)
    config["compile"]["optimizer"]["class_name"] = "os"
    _load_refused(_write(tmp_path / "m.keras", config, weights), "compile.optimizer",
                  "allowed", "rmsprop")


@pytest.mark.parametrize("field, value, where", [
    ("class_name", "Sequential", "model.layers[0]"),
    ("activation", "eval", "model.layers[0]"),
    ("kernel_initializer", "np", "model.layers[0]"),
    ("kernel_regularizer", "os", "model.layers[0]"),
    ("metrics", ["__loader__"], "compile.metrics"),
])
def test_every_name_in_a_model_file_goes_through_a_registry(tmp_path, field, value, where):
    config, weights = _saved(tmp_path)
    layer = config["model"]["layers"][0]
    if field == "class_name":
        layer["class_name"] = value
    elif field == "metrics":
        config["compile"]["metrics"] = value
    else:
        layer["config"][field] = value
    _load_refused(_write(tmp_path / "m.keras", config, weights), where, repr(value[0]
                  if isinstance(value, list) else value))


def test_a_small_file_cannot_make_a_large_model(tmp_path):
    config, _ = _saved(tmp_path)
    config["model"]["input_shape"] = [3000]
    config["model"]["layers"] = [{"class_name": "Dense", "config": {"units": 3000}}]
    path = _write(tmp_path / "big.keras", config, [])
    assert path.stat().st_size < 4096
    tracemalloc.start()
    try:
        _load_refused(path, "need weights of shapes [(3000, 3000), (3000,)]")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000  # the 3000 x 3000 kernel (36 MB) was never allocated


def test_an_array_header_cannot_declare_more_than_the_file_holds(tmp_path):
    config, weights = _saved(tmp_path)
    path = _write(tmp_path / "m.keras", config, weights)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (2**40,)})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("weight_004.npy", header.getvalue())
    _load_refused(path, "weight_004.npy", "declares shape (1099511627776,)")


def _malformed(tmp_path, case):
    config, weights = _saved(tmp_path)
    path = tmp_path / "bad.keras"
    layer = config["model"]["layers"][0]
    if case in ("not a zip", "empty", "truncated"):
        good = (tmp_path / "good.keras").read_bytes()
        path.write_bytes({"not a zip": b"hello", "empty": b"", "truncated": good[:300]}[case])
        return path
    edits = {
        "bad json": lambda: np.array("{"),
        "config is a list": lambda: np.array("[1, 2]"),
        "config is a number": lambda: np.array(3.0),
        "no layers": lambda: config["model"].pop("layers"),
        "layer without config": lambda: layer.pop("config"),
        "units of the wrong type": lambda: layer["config"].update(units="abc"),
        "unknown layer argument": lambda: layer["config"].update(bogus=1),
        "version as text": lambda: config.update(version="1"),
        "no optimizer config": lambda: config["compile"]["optimizer"].pop("config"),
        "metrics as text": lambda: config["compile"].update(metrics="acc"),
        "bad loss config": lambda: config["compile"].update(loss_config={"bogus": 1}),
        "negative input shape": lambda: config["model"].update(input_shape=[-1]),
        "float16 model": lambda: config["model"].update(dtype="float16"),
        "integer weights": lambda: weights.__setitem__(0, weights[0].astype(np.int64)),
        "wrong weight shape": lambda: weights.__setitem__(0, np.zeros((5, 8), np.float32)),
        "missing weight": lambda: weights.pop(),
        "pickled weight": lambda: weights.__setitem__(0, np.array([{}], dtype=object)),
        "compressed": lambda: None,
    }
    edited = edits[case]()
    text = edited if isinstance(edited, np.ndarray) else config
    if case in ("pickled weight", "compressed"):  # fastnet must neither unpickle nor inflate
        with open(path, "wb") as f:
            save = np.savez_compressed if case == "compressed" else np.savez
            save(f, config=np.array(json.dumps(config)), weight_000=weights[0])
        return path
    return _write(path, text, weights)


@pytest.mark.parametrize("case", [
    "not a zip", "empty", "truncated", "bad json", "config is a list", "config is a number",
    "no layers", "layer without config", "units of the wrong type", "unknown layer argument",
    "version as text", "no optimizer config", "metrics as text", "bad loss config",
    "negative input shape", "float16 model", "integer weights", "wrong weight shape",
    "missing weight", "pickled weight", "compressed",
])
def test_a_malformed_model_file_is_one_value_error_naming_it(tmp_path, case):
    _load_refused(_malformed(tmp_path, case))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_file_is_refused_before_it_is_read():
    _load_refused(pathlib.Path("/dev/zero"), "not a regular file")  # zipfile reads it forever


def test_more_than_a_thousand_weights_load_in_their_order(tmp_path):
    model = models.Sequential([layers.Dense(1, use_bias=False, input_shape=(1,))]
                              + [layers.Dense(1, use_bias=False) for _ in range(1000)])
    model.set_weights([np.full((1, 1), i, np.float32) for i in range(1001)])
    model.save(tmp_path / "deep.keras")
    loaded = models.load_model(tmp_path / "deep.keras")
    assert [float(w[0, 0]) for w in loaded.get_weights()] == list(range(1001))


def test_load_weights_names_the_file_when_the_weights_do_not_fit(tmp_path):
    _model().save_weights(tmp_path / "w.keras")
    other = models.Sequential([layers.Dense(5, input_shape=(4,))])
    with pytest.raises(ValueError, match="w.keras"):
        other.load_weights(tmp_path / "w.keras")
