"""Callbacks with Keras' arguments: History (always), EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau, LearningRateScheduler, CSVLogger.

fit calls on_train_begin, then on_epoch_begin / on_epoch_end(epoch, logs)
for each epoch, then on_train_end; `logs` holds the epoch's values keyed like
History ('loss', 'acc', 'val_loss', ...). A callback stops training by
setting `model.stop_training = True`.
"""

import math
import os
import warnings

from . import arguments

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau"]


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass


class History(Callback):
    """What fit returns: `history.history['loss']` is the loss of every epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _improvement(monitor, mode):
    """A function (new, best) -> bool, minimising or maximising like Keras' mode='auto'."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
    return mode


class _Monitor(Callback):
    # Each callback's Keras warning when the logs lack the monitored value; it
    # then skips the epoch (ModelCheckpoint saves, as if save_best_only were off).
    _missing = "{monitor} is not available."

    def __init__(self, monitor, mode, min_delta=0.0):
        super().__init__()
        kind = type(self).__name__
        if not isinstance(monitor, str):
            raise TypeError(f"{kind}: monitor must be a name such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.mode = _improvement(monitor, mode)
        self.min_delta = abs(arguments.real(min_delta, f"{kind}: min_delta"))
        self.best = math.inf if self.mode == "min" else -math.inf

    def _better(self, value, best):
        if self.mode == "min":
            return value < best - self.min_delta
        return value > best + self.min_delta

    def _value(self, logs):
        """The monitored value, or None (with Keras' warning) when the logs lack it."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{self._missing.format(monitor=self.monitor)} "
                f"Available metrics are: {','.join(logs or {})} (val_ values need "
                "validation data)", UserWarning, stacklevel=3)
        return value


class EarlyStopping(_Monitor):
    """Stop when `monitor` has not improved for `patience` epochs."""

    _missing = "Early stopping conditioned on metric `{monitor}` which is not available."

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = arguments.integer(patience, "EarlyStopping: patience", minimum=0)
        self.verbose = verbose
        self.baseline = None if baseline is None else arguments.real(
            baseline, "EarlyStopping: baseline")
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = arguments.integer(
            start_from_epoch, "EarlyStopping: start_from_epoch", minimum=0)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        if self.baseline is not None:
            self.best = self.baseline
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self._better(value, self.best):
            self.best = value
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience and epoch > 0:  # never after the first epoch
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class ModelCheckpoint(_Monitor):
    """Save the model (or its weights) after each epoch, or only when `monitor` improves.

    filepath may contain Keras' placeholders, e.g. "model-{epoch:02d}-{val_loss:.2f}.keras".
    """

    _missing = "Can save best model only with {monitor} available."

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch"):
        super().__init__(monitor, mode)
        if save_freq != "epoch":
            raise NotImplementedError("ModelCheckpoint: only save_freq='epoch' is supported")
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a path, got {filepath!r}")
        self.filepath = str(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        value = self._value(logs) if self.save_best_only else None
        if value is not None:
            if not self._better(value, self.best):
                return
            self.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs.

    Keras' rule: after a reduction, `cooldown` epochs pass before stalling is
    counted again; the rate never goes below `min_lr`.
    """

    _missing = ("Learning rate reduction is conditioned on metric `{monitor}` which is not "
                "available.")

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        # A factor >= 1 would never reduce (Keras refuses it too).
        self.factor = arguments.real(factor, "ReduceLROnPlateau: factor", low=0.0,
                                     high=1.0, high_open=True)
        self.patience = arguments.integer(patience, "ReduceLROnPlateau: patience", minimum=0)
        self.cooldown = arguments.integer(cooldown, "ReduceLROnPlateau: cooldown", minimum=0)
        self.min_lr = arguments.real(min_lr, "ReduceLROnPlateau: min_lr", low=0.0)
        self.verbose = verbose

    def on_train_begin(self, logs=None):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        value = self._value(logs)
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(value, self.best):
            self.best, self.wait = value, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        optimizer = self.model.optimizer
        if self.wait >= self.patience and optimizer.learning_rate > self.min_lr:
            optimizer.learning_rate = max(optimizer.learning_rate * self.factor, self.min_lr)
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                      f"{optimizer.learning_rate}.")
            self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Set the learning rate to schedule(epoch, lr) at the start of every epoch.

    As in Keras, a schedule taking only the epoch is called as schedule(epoch).
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable, got {schedule!r}")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            lr = self.schedule(epoch, optimizer.learning_rate)
        except TypeError:  # the one-argument form, schedule(epoch)
            lr = self.schedule(epoch)
        # The optimizer's setter refuses what is not a finite number >= 0.
        optimizer.learning_rate = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")


class CSVLogger(Callback):
    """Write each epoch's logs to a CSV file: a header `epoch,<names>`, then one row an epoch."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: filename must be a path, got {filename!r}")
        if not isinstance(separator, str) or not separator:
            raise TypeError(f"CSVLogger: separator must be a string, got {separator!r}")
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file, self._keys = None, None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(
            self.filename) > 0
        self._keys = None
        self._write_header = not has_rows
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            if self._write_header:
                self._file.write(self.separator.join(["epoch", *self._keys]) + "\n")
        values = [str(epoch)] + [str(logs.get(key, "NA")) for key in self._keys]
        self._file.write(self.separator.join(values) + "\n")
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
