"""Sequential: shapes, History keys, evaluate / predict, errors, save / load, callbacks."""

import io

import numpy as np
import pytest
from _gradcheck import central_difference, check_close

import fastnet
from fastnet.keras import (
    Input,
    callbacks,
    config,
    layers,
    losses,
    models,
    optimizers,
    regularizers,
    utils,
)


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _blobs(n=300, d=6, classes=3, seed=0):
    """Separable Gaussian blobs: (x float64 (n, d), labels (n,))."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    centers = rng.standard_normal((classes, d)) * 3
    return centers[labels] + rng.standard_normal((n, d)), labels


def _classifier(d=6, classes=3, metrics=("accuracy",), loss="categorical_crossentropy"):
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(d,)),
        layers.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.Adam(0.01), loss=loss, metrics=list(metrics))
    return model


def test_fit_learns_and_history_uses_the_users_metric_names():
    x, labels = _blobs()
    model = _classifier(metrics=["acc", "mae"])
    h = model.fit(x, utils.to_categorical(labels), epochs=8, batch_size=32, verbose=0,
                  validation_split=0.2)
    assert set(h.history) == {"loss", "acc", "mae", "val_loss", "val_acc", "val_mae"}
    assert h.epoch == list(range(8))
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert h.history["acc"][-1] > 0.9 and h.history["val_acc"][-1] > 0.9
    assert model.history is h


def test_evaluate_returns_loss_or_list_and_matches_the_training_log():
    x, labels = _blobs()
    y = utils.to_categorical(labels)
    model = _classifier(metrics=[])
    model.fit(x, y, epochs=2, verbose=0)
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    probs = model.predict(x, verbose=0).astype(np.float64)
    expected = -np.mean(np.log(np.clip(probs[np.arange(len(x)), labels], 1e-7, 1)))
    assert loss == pytest.approx(expected, rel=1e-4)
    model = _classifier(metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 2
    acc = np.mean(np.argmax(model.predict(x, verbose=0), 1) == labels)
    assert values[1] == pytest.approx(acc)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}


def test_accuracy_is_binary_for_binary_crossentropy_and_sparse_for_sparse():
    x, labels = _blobs(classes=2)
    model = models.Sequential([layers.Dense(8, activation="tanh", input_dim=6),
                               layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, labels.astype("float32"), epochs=15, batch_size=16, verbose=0)
    acc = model.evaluate(x, labels, verbose=0)[1]
    assert acc == pytest.approx(np.mean((model.predict(x, verbose=0)[:, 0] > 0.5) == labels))
    assert acc > 0.9
    model = _classifier(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, labels = _blobs()
    model.fit(x, labels, epochs=5, verbose=0)
    assert model.evaluate(x, labels, verbose=0)[1] > 0.9
    # (N, 1) integer labels are accepted as Keras does
    assert model.evaluate(x, labels.reshape(-1, 1), verbose=0)[1] > 0.9


def test_shapes_and_float32_default():
    x, labels = _blobs(n=37)
    model = _classifier()
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
        model = _classifier()
        x, labels = _blobs(n=10)
        assert model.predict(x, verbose=0).dtype == np.float64
    finally:
        config.set_floatx("float32")


def test_input_layer_and_building_from_the_data():
    model = models.Sequential([Input(shape=(6,)), layers.Dense(4)])
    assert model.input_shape == (None, 6)
    model = models.Sequential([layers.Dense(4), layers.Dense(2)])
    out = model.predict(np.ones((3, 5)), verbose=0)
    assert out.shape == (3, 2) and model.layers[0].kernel.shape == (5, 4)


@pytest.mark.parametrize("loss, y, match", [
    ("categorical_crossentropy", np.arange(6) % 3, "sparse_categorical_crossentropy"),
    ("sparse_categorical_crossentropy", np.eye(3)[np.arange(6) % 3], "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", np.array([0, 1, 2, 3, 0, 1]), r"lie in \[0, 3\)"),
    ("sparse_categorical_crossentropy", np.array([0, 1, -1, 2, 0, 1]), r"\[0, 3\)"),
    ("binary_crossentropy", np.zeros((6, 2)), "do not match the model's output"),
    ("mse", np.zeros(6), "do not match"),
    ("categorical_crossentropy", np.zeros((6, 4)), r"\(6, 4\) do not match"),
])
def test_wrong_loss_and_label_combinations_raise(loss, y, match):
    model = _classifier(loss=loss)
    with pytest.raises(ValueError, match=match):
        model.fit(np.zeros((6, 6)), y, verbose=0)


def test_other_input_errors():
    model = _classifier()
    with pytest.raises(ValueError, match="6 input samples but 5 targets"):
        model.fit(np.zeros((6, 6)), np.eye(3)[[0, 1, 2, 0, 1]], verbose=0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 6\)"):
        model.predict(np.zeros((2, 5)), verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        models.Sequential([layers.Dense(2, input_dim=3)]).fit(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="Flatten"):
        models.Sequential([layers.Dense(2, input_shape=(4, 4))]).build()
    with pytest.raises(ValueError, match="unknown loss"):
        _classifier(loss="hinge")
    with pytest.raises(ValueError, match="unknown metric"):
        _classifier(metrics=["mean_iou"])  # "auc" is known now
    with pytest.raises(ValueError, match="unknown activation"):
        layers.Dense(3, activation="gelu")
    with pytest.raises(TypeError, match="unexpected keyword"):
        layers.Dense(3, bogus=True)


def _same_history(a, b, rel=1e-6):
    assert a.history.keys() == b.history.keys()
    for key in a.history:
        assert a.history[key] == pytest.approx(b.history[key], rel=rel), key


def test_validation_split_takes_the_last_samples():
    x, labels = _blobs(n=100)
    y = utils.to_categorical(labels)
    a, b = _classifier(), _classifier()
    b.set_weights(a.get_weights())
    ha = a.fit(x, y, epochs=1, validation_split=0.25, shuffle=False, verbose=0)
    hb = b.fit(x[:75], y[:75], epochs=1, validation_data=(x[75:], y[75:]), shuffle=False,
               verbose=0)
    _same_history(ha, hb)


def test_steps_per_epoch_counts_batches_and_continues_through_the_data():
    x, labels = _blobs(n=50)
    model = _classifier()
    seen = []
    original = model._train_step

    def spy(xb, tb, wb):
        seen.append(xb.shape[0])
        return original(xb, tb, wb)

    model._train_step = spy
    model.fit(x, utils.to_categorical(labels), batch_size=16, steps_per_epoch=5, epochs=2,
              verbose=0)
    assert seen == [16, 16, 16, 2, 16, 16, 16, 2, 16, 16]


def _numerical_check(model, x, t):
    """Each weight's gradient from backward against central differences of the loss.

    x and t are arrays, or tuples of arrays (one per input / output).
    """
    model._ready(None if isinstance(x, tuple) else x.shape)
    xs = (tuple(np.asarray(a, dtype=np.float64) for a in x) if isinstance(x, tuple)
          else np.asarray(x, dtype=np.float64))
    tt = tuple(h.loss.prepare(ti, h.n_out, "float64")
               for h, ti in zip(model._heads, t if isinstance(t, tuple) else (t,)))
    tb = tt if len(tt) > 1 else tt[0]

    def loss():
        outs = model._forward_list(xs, True, model._fused)
        return sum(model._losses_of(outs, tb, None)[0]) + model._regularization()

    outs = model._forward_list(xs, True, model._fused)
    model._backward_list(model._losses_of(outs, tb, None)[1])
    for layer in model.layers:
        for i, (w, g) in enumerate(zip(layer.weights, layer.grads)):
            check_close(g, central_difference(loss, w), f"{layer.name} weight {i}",
                        rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("last, loss", [
    ("softmax", "categorical_crossentropy"), ("softmax", "sparse_categorical_crossentropy"),
    ("softmax", "mse"), ("sigmoid", "binary_crossentropy"), ("sigmoid", "mse"),
    ("linear", "mae"), ("tanh", "mse"),
    ("linear", losses.CategoricalCrossentropy(from_logits=True)),
    ("linear", losses.BinaryCrossentropy(from_logits=True)),
])
@pytest.mark.parametrize("in_dense", [True, False], ids=["Dense(act)", "Activation"])
def test_gradients_match_central_differences(backend, last, loss, in_dense):
    fastnet.set_backend(backend.name)
    config.set_floatx("float64")
    try:
        rng = np.random.default_rng(1)
        head = ([layers.Dense(3, activation=last)] if in_dense
                else [layers.Dense(3), layers.Activation(last)])
        model = models.Sequential([
            layers.Dense(5, activation="tanh", input_shape=(4,),
                         kernel_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02)),
            layers.Dropout(0.0),
            layers.Dense(3, activation="relu", bias_initializer="ones"),
            *head,
        ])
        model.compile("sgd", loss)
        x = rng.standard_normal((7, 4))
        labels = rng.integers(0, 3, 7)
        name = getattr(loss, "name", loss)
        t = {"categorical_crossentropy": np.eye(3)[labels],
             "sparse_categorical_crossentropy": labels}.get(name, rng.random((7, 3)))
        _numerical_check(model, x, t)
    finally:
        config.set_floatx("float32")


def test_fused_and_unfused_softmax_give_the_same_training(backend):
    """Dense(softmax) + CE (fused kernel) trains like Dense + Activation(softmax) + CE."""
    fastnet.set_backend(backend.name)
    x, labels = _blobs(n=64)
    y = utils.to_categorical(labels)
    fused = _classifier()
    unfused = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(6,)), layers.Dense(3),
        layers.Activation("softmax")])
    unfused.compile(optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    unfused.set_weights(fused.get_weights())
    h1 = fused.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    h2 = unfused.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    _same_history(h1, h2, rel=1e-4)


def test_first_layer_skips_its_input_gradient():
    model = models.Sequential([layers.Flatten(input_shape=(2, 3)), layers.Dense(4),
                               layers.Dense(2)])
    model.build()
    assert [layer.need_input_grad for layer in model.layers] == [False, False, True]


def test_dropout_training_and_inference():
    layer = layers.Dropout(0.25, seed=3)
    x = np.ones((400, 50), np.float32)
    y = layer.forward(x, training=True)
    zeros = np.mean(y == 0)
    assert 0.2 < zeros < 0.3
    np.testing.assert_allclose(y[y != 0], 1 / 0.75)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)
    assert layer.forward(x, training=False) is x
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.0)


def test_regularized_loss_includes_the_penalty():
    model = models.Sequential([layers.Dense(3, input_dim=2, kernel_regularizer=regularizers.l2(0.5),
                                            kernel_initializer="ones", use_bias=False)])
    model.compile("sgd", "mse")
    x = np.zeros((4, 2))
    assert model.evaluate(x, np.zeros((4, 3)), verbose=0) == pytest.approx(0.5 * 6)


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path):
    x, labels = _blobs()
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(6,),
                     kernel_regularizer=regularizers.l2(1e-3)),
        layers.Dropout(0.2),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizers.RMSprop(learning_rate=0.01), "sparse_categorical_crossentropy",
                  metrics=["acc"])
    model.fit(x, labels, epochs=2, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    assert path.exists()
    loaded = models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.optimizer.learning_rate == 0.01
    assert loaded.evaluate(x, labels, verbose=0) == pytest.approx(
        model.evaluate(x, labels, verbose=0))
    loaded.fit(x, labels, epochs=1, verbose=0)  # compiled again: trains


def test_load_model_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(f, config=np.array([{"format": "fastnet.keras"}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        models.load_model(path)


def test_get_set_weights_and_save_weights(tmp_path):
    a, b = _classifier(), _classifier()
    a.build()
    b.build()
    kernel = b.layers[0].kernel
    b.set_weights(a.get_weights())
    assert b.layers[0].kernel is kernel  # in place
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(ValueError, match="4 weights, got 1"):
        b.set_weights([np.zeros(3)])
    a.save_weights(tmp_path / "w.weights.h5")
    c = _classifier()
    c.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(c.get_weights()[2], a.get_weights()[2])


def test_summary_lists_layers_and_parameter_counts():
    model = _classifier()
    out = io.StringIO()
    model.summary(print_fn=lambda s: out.write(s + "\n"))
    text = out.getvalue()
    assert "(None, 16)" in text and "(None, 3)" in text
    assert "Total params: 163" in text and "Trainable params: 163" in text


def test_progress_bar_verbose_modes(capsys):
    x, labels = _blobs(n=40)
    y = utils.to_categorical(labels)
    _classifier().fit(x, y, epochs=2, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "4/4 [" in out and "loss:" in out
    _classifier().fit(x, y, epochs=2, batch_size=10, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("4/4 - ") and "accuracy:" in lines[0]
    _classifier().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_early_stopping_and_checkpoint(tmp_path):
    x, labels = _blobs(n=60)
    y = utils.to_categorical(labels)
    model = _classifier()
    model.compile(optimizers.SGD(learning_rate=0.0), "categorical_crossentropy")
    stop = callbacks.EarlyStopping(monitor="loss", patience=2)
    pattern = str(tmp_path / "ckpt-{epoch:02d}.keras")
    check = callbacks.ModelCheckpoint(pattern, monitor="loss", save_best_only=True)
    h = model.fit(x, y, epochs=20, verbose=0, callbacks=[stop, check], shuffle=False)
    assert len(h.history["loss"]) == 3 and stop.stopped_epoch == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01.keras"]
    with pytest.raises(KeyError, match="val_loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])


def test_losses_callable_like_keras():
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
    y_pred = np.array([[0.2, 0.8], [0.6, 0.4]])
    expected = -np.mean(np.log([0.8, 0.6]))
    assert losses.categorical_crossentropy(y_true, y_pred) == pytest.approx(expected, rel=1e-6)
    assert losses.get("mse")(y_true, y_pred) == pytest.approx(np.mean((y_true - y_pred) ** 2))


def test_keras_book_function_forms_of_loss_and_metric():
    """The Keras book's listing 3.6: losses.binary_crossentropy, metrics.binary_accuracy."""
    from fastnet.keras import metrics

    x, labels = _blobs(classes=2)
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(6,)),
                               layers.Dense(1, activation="sigmoid")])
    with pytest.warns(DeprecationWarning, match="learning_rate="):  # the book's Keras 2 lr=
        rmsprop = optimizers.RMSprop(lr=0.01)
    model.compile(optimizer=rmsprop, loss=losses.binary_crossentropy,
                  metrics=[metrics.binary_accuracy])
    h = model.fit(x, labels, epochs=3, verbose=0)
    assert set(h.history) == {"loss", "binary_accuracy"}
    assert model.optimizer.learning_rate == 0.01
    assert metrics.binary_accuracy(np.array([1, 0, 1]), np.array([0.9, 0.2, 0.4])) == (
        pytest.approx(2 / 3))
    assert metrics.categorical_accuracy(np.eye(3), np.eye(3)[[0, 1, 0]]) == pytest.approx(2 / 3)
    assert metrics.mae(np.zeros((2, 2)), np.ones((2, 2))) == pytest.approx(1.0)


def test_tensorflow_quickstart_style_from_logits_then_softmax(tmp_path):
    """Flatten(input_shape=(28, 28)) -> Dense -> Dense(10) logits, from_logits=True."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    x = rng.random((200, 28, 28)) * 0.1 + labels[:, None, None] / 10
    model = models.Sequential([layers.Flatten(input_shape=(28, 28)),
                               layers.Dense(32, activation="relu"), layers.Dropout(0.2),
                               layers.Dense(10)])
    loss_fn = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss_fn(labels[:3], model.predict(x[:3], verbose=0)) > 0
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    h = model.fit(x, labels, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    probability_model = models.Sequential([*model.layers, layers.Softmax()])
    p = probability_model.predict(x[:4], verbose=0)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(np.argmax(p, 1), np.argmax(model.predict(x[:4], verbose=0), 1))
    probability_model.save(tmp_path / "p.keras")
    loaded = models.load_model(tmp_path / "p.keras")
    np.testing.assert_array_equal(loaded.predict(x[:4], verbose=0), p)


def test_batch_size_none_means_32_as_in_keras():
    x, labels = _blobs(n=70)
    model = _classifier(loss="sparse_categorical_crossentropy")
    model.fit(x, labels, batch_size=None, verbose=0)
    assert model.history.params["steps"] == 3  # ceil(70 / 32)
