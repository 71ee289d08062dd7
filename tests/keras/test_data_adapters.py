"""Every form of data fit / evaluate / predict accept or refuse (data_adapters).

_data_forms.py holds the table: each array form, what fastnet does with it,
and what a real Keras 3 did with it (KERAS_RECORDED, recorded by running
that file in the peer venv). fastnet must do what Keras 3 does, except for
the forms in DIFFERENCES, each with its reason.
"""

import numpy as np
import pytest
from _data_forms import ARRAY_FORMS, DIFFERENCES, KERAS_RECORDED, X2, Y1, N

from fastnet.keras import layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _dense(input_shape=(1,), units=1, activation=None, loss="mse"):
    model = models.Sequential([layers.Dense(units, activation=activation,
                                            input_shape=input_shape)])
    model.compile(optimizer="sgd", loss=loss)
    return model


def _outcome(call):
    try:
        call()
    except ValueError:  # DataFormError is a TypeError too: Keras' type wins
        return "ValueError"
    except TypeError:
        return "TypeError"
    return "accepts"


@pytest.mark.parametrize("name, shape, x, y, fastnet", ARRAY_FORMS,
                         ids=[f[0] for f in ARRAY_FORMS])
def test_array_forms(name, shape, x, y, fastnet):
    model = _dense(shape)
    assert _outcome(lambda: model.fit(x, y, epochs=1, batch_size=5, verbose=0)) == fastnet
    if fastnet == "accepts":
        assert model.predict(x, verbose=0).shape == (N, 1)
        assert np.isfinite(model.evaluate(x, y, verbose=0))


def test_fastnet_does_what_keras_3_did_except_where_a_reason_is_given():
    assert set(KERAS_RECORDED) == {form[0] for form in ARRAY_FORMS}
    differing = {name for name, *_, fastnet in ARRAY_FORMS if fastnet != KERAS_RECORDED[name]}
    assert differing == set(DIFFERENCES)


def test_data_that_is_not_numbers_raises_what_keras_and_numpy_users_catch():
    model = _dense((3,))
    for bad in ({"a": X2}, X2.astype(str), X2.astype(object)):
        with pytest.raises(ValueError, match="numbers|dict"):  # Keras 3's type
            model.fit(bad, Y1, verbose=0)
        with pytest.raises(TypeError):  # what fastnet raised before, still caught
            model.fit(bad, Y1, verbose=0)


def test_rank_one_inputs_give_the_same_model_as_a_feature_column():
    x = np.arange(0, 2, 0.1)
    a, b = _dense(), _dense()
    b.set_weights(a.get_weights())
    a.fit(x, 2 * x, epochs=3, shuffle=False, verbose=0)
    b.fit(x[:, None], (2 * x)[:, None], epochs=3, shuffle=False, verbose=0)
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x[:, None], verbose=0))


def test_an_unbuilt_model_refuses_rank_one_inputs_naming_the_fix():
    model = models.Sequential([layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"input_shape=\(1,\)"):
        model.fit(Y1, Y1, verbose=0)


def test_pandas_frames_and_series():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X2, columns=["a", "b", "c"])
    model = _dense((3,))
    model.fit(frame, pd.Series(Y1), epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(frame, verbose=0), model.predict(X2, verbose=0))
    single = _dense((1,))
    single.fit(pd.Series(Y1), pd.Series(Y1), verbose=0)  # a Series is rank 1: expanded


# ------------------------------------------------------------ generators


def _batches(k, size=4, extra=()):
    for i in range(k):
        rows = slice(i * size % N, i * size % N + size)
        yield (X2[rows], Y1[rows], *extra)


def test_a_generator_with_steps_per_epoch_trains_that_many_batches_an_epoch():
    model = _dense((3,))
    gen = _batches(6)
    history = model.fit(gen, steps_per_epoch=2, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert next(gen, None) is None  # 3 epochs x 2 steps used all six batches


def test_a_generator_without_steps_is_one_epoch_then_runs_out_with_keras_warning():
    model = _dense((3,))
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(_batches(3), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 1


def test_generators_in_evaluate_predict_and_validation():
    model = _dense((3,))
    model.fit(X2, Y1, verbose=0)
    whole = model.evaluate(X2, Y1, batch_size=4, verbose=0)
    assert model.evaluate(_batches(3), verbose=0) == pytest.approx(whole, rel=1e-6)
    assert model.evaluate(_batches(9), steps=3, verbose=0) == pytest.approx(whole, rel=1e-6)
    out = model.predict((x for x, _ in _batches(3)), verbose=0)
    np.testing.assert_allclose(out, model.predict(X2, verbose=0), rtol=1e-6)
    history = model.fit(X2, Y1, epochs=2, validation_data=_batches(10), validation_steps=3,
                        verbose=0)
    assert len(history.history["val_loss"]) == 2


GENERATOR_REFUSALS = [
    # (what, fit arguments, error, message) -- Keras 3 refuses each with a ValueError.
    ("y beside a generator", {"y": Y1}, ValueError, "y must not be passed"),
    ("sample_weight beside a generator", {"sample_weight": Y1}, ValueError,
     "sample_weight must not be passed"),
    ("validation_split", {"validation_split": 0.5}, ValueError, "validation_split"),
    ("steps_per_epoch=0", {"steps_per_epoch": 0}, ValueError, "steps_per_epoch"),
]


@pytest.mark.parametrize("what, kwargs, error, match", GENERATOR_REFUSALS,
                         ids=[r[0] for r in GENERATOR_REFUSALS])
def test_generator_refusals(what, kwargs, error, match):
    with pytest.raises(error, match=match):
        _dense((3,)).fit(_batches(3), verbose=0, **kwargs)


BAD_BATCHES = [
    ("a list batch", [X2, Y1], "got a list"),
    ("a 4-tuple batch", (X2, Y1, Y1, Y1), "tuple of 4"),
    ("no targets", (X2,), "needs targets"),
]


@pytest.mark.parametrize("what, batch, match", BAD_BATCHES, ids=[b[0] for b in BAD_BATCHES])
def test_malformed_generator_batches(what, batch, match):
    with pytest.raises(ValueError, match=match):
        _dense((3,)).fit(iter([batch]), verbose=0)


def test_an_empty_generator_is_refused():
    with pytest.raises(ValueError, match="no batches"):
        _dense((3,)).fit(iter([]), verbose=0)


# ------------------------------------------------------------ sequences (PyDataset)


class Sequence:
    """Keras' PyDataset protocol: __len__, __getitem__, on_epoch_end."""

    def __init__(self, size=4):
        self.size, self.calls, self.epochs = size, [], 0

    def __len__(self):
        return N // self.size

    def __getitem__(self, i):
        self.calls.append(i)
        rows = slice(i * self.size, (i + 1) * self.size)
        return X2[rows], Y1[rows]

    def on_epoch_end(self):
        self.epochs += 1


def test_a_sequence_is_shuffled_by_batch_and_told_each_epoch_end():
    seq = Sequence()
    _dense((3,)).fit(seq, epochs=4, verbose=0)
    per_epoch = [seq.calls[1 + 3 * e:1 + 3 * (e + 1)] for e in range(4)]  # [0] built the model
    assert all(sorted(order) == [0, 1, 2] for order in per_epoch)
    assert len({tuple(order) for order in per_epoch}) > 1  # a new order each epoch
    assert seq.epochs == 4


def test_a_sequence_in_order_without_shuffle_and_with_steps():
    seq = Sequence()
    _dense((3,)).fit(seq, epochs=2, shuffle=False, steps_per_epoch=2, verbose=0)
    assert seq.calls[1:] == [0, 1, 0, 1]
    with pytest.raises(ValueError, match="4 steps asked of a sequence of 3"):
        _dense((3,)).fit(Sequence(), steps_per_epoch=4, verbose=0)
    model = _dense((3,))
    assert model.evaluate(Sequence(), verbose=0) == pytest.approx(
        model.evaluate(X2, Y1, verbose=0), rel=1e-6)


def test_a_sequence_refuses_y_beside_it():
    with pytest.raises(ValueError, match="y must not be passed"):
        _dense((3,)).fit(Sequence(), Y1, verbose=0)

