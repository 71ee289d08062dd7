"""ReduceLROnPlateau, LearningRateScheduler and CSVLogger, by Keras' rules on made-up logs."""

import types

import numpy as np
import pytest

from fastnet.keras import callbacks, layers, models, optimizers


def _driven(callback, lr=1.0):
    model = types.SimpleNamespace(optimizer=optimizers.SGD(lr), stop_training=False)
    callback.set_model(model)
    callback.on_train_begin()
    return model.optimizer


def test_reduce_on_plateau_waits_patience_then_cools_down():
    cb = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1,
                                     min_lr=0.2)
    opt = _driven(cb)
    rates = []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]):
        cb.on_epoch_end(epoch, {"loss": loss})
        rates.append(opt.learning_rate)
    # Keras' order each epoch: a cooldown counter > 0 is first decremented (and
    # resets wait); a stall counts when the counter is then 0. Epoch 0 sets best;
    # 1 stall; 2 stall -> 0.5 (counter 1); 3 counter 0, stall; 4 stall -> 0.25;
    # 5 stall; 6 stall -> max(0.125, min_lr) = 0.2; 7 improves; 8, 9 stall but
    # the rate is already min_lr.
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]


def test_reduce_on_plateau_min_delta_and_max_mode_and_refusals():
    cb = callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=0.1, patience=1,
                                     min_delta=0.05)
    opt = _driven(cb)
    cb.on_epoch_end(0, {"val_accuracy": 0.5})
    cb.on_epoch_end(1, {"val_accuracy": 0.52})  # within min_delta: a stall
    assert opt.learning_rate == pytest.approx(0.1)
    with pytest.raises(ValueError, match="factor"):
        callbacks.ReduceLROnPlateau(factor=1.0)
    cb = callbacks.ReduceLROnPlateau(patience=0)
    opt = _driven(cb)
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        cb.on_epoch_end(0, {"loss": 1.0})
    assert opt.learning_rate == pytest.approx(1.0)  # skipped, as in Keras


def test_learning_rate_scheduler_both_signatures_and_bad_values():
    two = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    opt = _driven(two)
    for epoch in range(3):
        two.on_epoch_begin(epoch)
    assert opt.learning_rate == 0.125
    one = callbacks.LearningRateScheduler(lambda epoch: 0.1 * (epoch + 1))
    opt = _driven(one)
    one.on_epoch_begin(4)
    assert opt.learning_rate == pytest.approx(0.5)
    bad = callbacks.LearningRateScheduler(lambda epoch: "fast")
    _driven(bad)
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        bad.on_epoch_begin(0)


def test_scheduler_in_fit_changes_the_steps():
    model = models.Sequential([layers.Dense(1, input_shape=(1,), use_bias=False)])
    model.set_weights([np.ones((1, 1))])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    # Learning rate 0 from the start: the weight never moves.
    model.fit(np.ones(4), np.zeros(4), epochs=2, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda epoch: 0.0)])
    assert model.get_weights()[0][0, 0] == 1.0


def test_csv_logger_header_rows_and_append(tmp_path):
    path = tmp_path / "log.csv"
    for append in (False, True):
        cb = callbacks.CSVLogger(path, append=append)
        _driven(cb)
        cb.on_epoch_end(0, {"loss": 0.5, "acc": 0.25})
        cb.on_epoch_end(1, {"loss": 0.25, "acc": 0.5})
        cb.on_train_end()
    assert path.read_text().splitlines() == [
        "epoch,acc,loss", "0,0.25,0.5", "1,0.5,0.25", "0,0.25,0.5", "1,0.5,0.25"]
