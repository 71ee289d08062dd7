"""Sequential: fit / evaluate / predict, History keys, shapes and dtypes, the
summary (errors, gradients, saving, callbacks and the book's spellings are
test_keras_model_*.py)."""

import io

import numpy as np
import pytest
from _keras_cases import blobs, classifier, same_history

from fastnet.keras import Input, config, layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def test_fit_learns_and_history_uses_the_users_metric_names():
    x, labels = blobs()
    model = classifier(metrics=["acc", "mae"])
    h = model.fit(x, utils.to_categorical(labels), epochs=8, batch_size=32, verbose=0,
                  validation_split=0.2)
    assert set(h.history) == {"loss", "acc", "mae", "val_loss", "val_acc", "val_mae"}
    assert h.epoch == list(range(8))
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert h.history["acc"][-1] > 0.9 and h.history["val_acc"][-1] > 0.9
    assert model.history is h


def test_evaluate_returns_loss_or_list_and_matches_the_training_log():
    x, labels = blobs()
    y = utils.to_categorical(labels)
    model = classifier(metrics=[])
    model.fit(x, y, epochs=2, verbose=0)
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    probs = model.predict(x, verbose=0).astype(np.float64)
    expected = -np.mean(np.log(np.clip(probs[np.arange(len(x)), labels], 1e-7, 1)))
    assert loss == pytest.approx(expected, rel=1e-4)
    model = classifier(metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 2
    acc = np.mean(np.argmax(model.predict(x, verbose=0), 1) == labels)
    assert values[1] == pytest.approx(acc)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}


def test_accuracy_is_binary_for_binary_crossentropy_and_sparse_for_sparse():
    x, labels = blobs(classes=2)
    model = models.Sequential([layers.Dense(8, activation="tanh", input_dim=6),
                               layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, labels.astype("float32"), epochs=15, batch_size=16, verbose=0)
    acc = model.evaluate(x, labels, verbose=0)[1]
    assert acc == pytest.approx(np.mean((model.predict(x, verbose=0)[:, 0] > 0.5) == labels))
    assert acc > 0.9
    model = classifier(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, labels = blobs()
    model.fit(x, labels, epochs=5, verbose=0)
    assert model.evaluate(x, labels, verbose=0)[1] > 0.9
    # (N, 1) integer labels are accepted as Keras does
    assert model.evaluate(x, labels.reshape(-1, 1), verbose=0)[1] > 0.9


def test_shapes_and_float32_default():
    x, labels = blobs(n=37)
    model = classifier()
    assert model.input_shape == (None, 6)
    model.fit(x, utils.to_categorical(labels), epochs=1, batch_size=10, verbose=0)
    assert model.output_shape == (None, 3)
    p = model.predict(x, batch_size=8, verbose=0)
    assert p.shape == (37, 3) and p.dtype == np.float32
    assert [w.shape for w in model.get_weights()] == [(6, 16), (16,), (16, 3), (3,)]
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x[:0], verbose=0).shape == (0, 3)


def test_float64_models_with_set_floatx():
    config.set_floatx("float64")
    try:
        model = classifier()
        x, labels = blobs(n=10)
        assert model.predict(x, verbose=0).dtype == np.float64
    finally:
        config.set_floatx("float32")


def test_input_layer_and_building_from_the_data():
    model = models.Sequential([Input(shape=(6,)), layers.Dense(4)])
    assert model.input_shape == (None, 6)
    model = models.Sequential([layers.Dense(4), layers.Dense(2)])
    out = model.predict(np.ones((3, 5)), verbose=0)
    assert out.shape == (3, 2) and model.layers[0].kernel.shape == (5, 4)


def test_validation_split_takes_the_last_samples():
    x, labels = blobs(n=100)
    y = utils.to_categorical(labels)
    a, b = classifier(), classifier()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, epochs=1, validation_split=0.25, shuffle=False, verbose=0)
    hb = b.fit(x[:75], y[:75], epochs=1, validation_data=(x[75:], y[75:]), shuffle=False,
               verbose=0)
    same_history(ha, hb)


def test_steps_per_epoch_counts_batches_and_continues_through_the_data():
    x, labels = blobs(n=50)
    model = classifier()
    seen = []
    original = model._train_step

    def spy(xb, tb, wb):
        seen.append(xb.shape[0])
        return original(xb, tb, wb)

    model._train_step = spy
    model.fit(x, utils.to_categorical(labels), batch_size=16, steps_per_epoch=5, epochs=2,
              verbose=0)
    assert seen == [16, 16, 16, 2, 16, 16, 16, 2, 16, 16]


def test_batch_size_none_means_32_as_in_keras():
    x, labels = blobs(n=70)
    model = classifier(loss="sparse_categorical_crossentropy")
    model.fit(x, labels, batch_size=None, verbose=0)
    assert model.history.params["steps"] == 3  # ceil(70 / 32)


def test_summary_lists_layers_and_parameter_counts():
    model = classifier()
    out = io.StringIO()
    model.summary(print_fn=lambda s: out.write(s + "\n"))
    text = out.getvalue()
    assert "(None, 16)" in text and "(None, 3)" in text
    assert "Total params: 163" in text and "Trainable params: 163" in text
