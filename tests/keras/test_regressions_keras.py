"""Regressions from issue 10 (items 9, 11, 14) and the audit of fastnet.keras:
fit, evaluate and predict (their arguments, data and callbacks) and the
unfused losses (arguments are test_regressions_keras_arguments.py, model
files test_regressions_keras_files.py).

Each test failed on the code before its fix: arguments that trained nothing
or read uninitialised memory, NaN that reached the weights.
"""

import numpy as np
import pytest
from _keras_cases import small_data, small_model

from fastnet.keras import callbacks, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def test_predict_refuses_a_negative_batch_size_instead_of_returning_uninitialised_rows():
    x, _ = small_data()
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got -1"):
        small_model().predict(x, batch_size=-1, verbose=0)


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": -1}, "batch_size must be a positive integer, got -1"),
    ({"steps_per_epoch": -1}, "steps_per_epoch must be a positive integer, got -1"),
    ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ({"epochs": -1}, "epochs must be an integer >= 0, got -1"),
    ({"initial_epoch": -2}, "initial_epoch must be an integer >= 0"),
])
def test_fit_refuses_batch_and_step_counts_that_train_nothing(kwargs, match):
    x, y = small_data()
    with pytest.raises(ValueError, match=match):
        small_model().fit(x, y, verbose=0, **kwargs)


def test_fit_refuses_a_fractional_batch_size_instead_of_truncating_it():
    x, y = small_data()
    with pytest.raises(TypeError, match="batch_size must be an integer, got 2.5"):
        small_model().fit(x, y, batch_size=2.5, verbose=0)


def test_evaluate_refuses_a_negative_batch_size_instead_of_reporting_loss_zero():
    x, y = small_data()
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        small_model().evaluate(x, y, batch_size=-1, verbose=0)


def test_evaluate_refuses_empty_data_instead_of_reporting_loss_zero():
    x, y = small_data()
    with pytest.raises(ValueError, match="no samples"):
        small_model().evaluate(x[:0], y[:0], verbose=0)


def test_empty_validation_data_is_refused_instead_of_val_loss_zero():
    x, y = small_data()
    with pytest.raises(ValueError, match="validation_data holds no samples"):
        small_model().fit(x, y, validation_data=(x[:0], y[:0]), verbose=0)


def test_a_validation_split_that_leaves_no_validation_sample_is_refused():
    x, y = small_data()
    with pytest.raises(ValueError, match="leaves 40 for training and 0 for validation"):
        small_model().fit(x, y, validation_split=1e-20, verbose=0)


def test_validation_data_of_the_wrong_length_is_a_clear_error():
    x, y = small_data()
    with pytest.raises(ValueError, match=r"validation_data must be \(x_val, y_val\)"):
        small_model().fit(x, y, validation_data=(x,), verbose=0)


def test_validation_sample_weights_are_used_not_ignored():
    # Once refused (issue 10); now weighted as Keras does (issue 14): zero weights, zero loss.
    x, y = small_data()
    history = small_model().fit(x, y, validation_data=(x, y, np.zeros(len(x))), verbose=0)
    assert history.history["val_loss"] == [0.0]


def test_steps_in_evaluate_and_predict_stop_after_that_many_batches():
    # Once refused (issue 10); now honoured as Keras does (issue 14).
    x, y = small_data()
    model = small_model()
    assert model.predict(x, batch_size=16, steps=1, verbose=0).shape == (16, 3)
    assert model.evaluate(x, y, batch_size=16, steps=2, verbose=0) == pytest.approx(
        model.evaluate(x[:32], y[:32], verbose=0), rel=1e-6)


def test_verbose_names_itself_when_wrong():
    x, y = small_data()
    with pytest.raises(ValueError, match="verbose must be 'auto', 0, 1 or 2, got 'x'"):
        small_model().fit(x, y, verbose="x")


def test_one_callback_is_accepted_and_other_objects_are_refused():
    x, y = small_data()
    model = small_model()
    stop = callbacks.EarlyStopping(monitor="loss", patience=0)
    model.fit(x, y, epochs=3, verbose=0, callbacks=stop)  # Keras takes a lone callback
    assert stop.model is model
    with pytest.raises(TypeError, match="callbacks must be a list"):
        model.fit(x, y, verbose=0, callbacks=[3])


def test_inputs_that_are_not_numbers_are_a_type_error():
    with pytest.raises(TypeError, match="inputs must be numbers, got an array of dtype <U1"):
        small_model().predict(np.array([["a"] * 4]), verbose=0)


@pytest.mark.parametrize("loss, last, units", [
    ("mae", "linear", 3),
    ("categorical_crossentropy", "linear", 3),  # unfused: on "probabilities"
    ("binary_crossentropy", "linear", 3),
    ("sparse_categorical_crossentropy", "linear", 3),
])
def test_unfused_losses_refuse_nan_like_the_loss_kernels(loss, last, units):
    x, y = small_data()
    x[3, 1] = np.nan
    if loss.startswith("sparse"):
        y = y.argmax(axis=1)
    model = small_model(loss, last, units)
    with pytest.raises(ValueError, match="NaN or inf"):
        model.fit(x, y, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_sparse_labels_that_are_infinite_are_refused():
    x, _ = small_data()
    y = np.zeros(len(x))
    y[0] = np.inf
    with pytest.raises(ValueError, match="whole numbers"):
        small_model("sparse_categorical_crossentropy").fit(x, y, verbose=0)


def test_sparse_labels_too_large_for_an_index_are_reported_as_given():
    # 2**63 as uint64 wrapped to -2**63 before the message was built.
    x, _ = small_data(n=2)
    y = np.array([2**63, 1], np.uint64)
    with pytest.raises(ValueError, match=f"got values from 1 to {2**63}$"):
        small_model("sparse_categorical_crossentropy").fit(x, y, verbose=0)
