"""Training: compile, fit, evaluate, predict, shared by every model (Keras' Trainer).

One training step, for the MNIST tutorial's Dense(512, relu) -> Dense(10,
softmax) with categorical cross-entropy and rmsprop, is these kernel calls:

    gemm(x, W1, b1, relu)                 forward, bias and relu fused
    gemm(h, W2, b2)                       the logits (softmax is left to the loss)
    softmax_cross_entropy(logits, t)      loss and d logits in one pass
    gemm(h.T, d) / column_sum(d)          dW2, db2
    gemm(d, W2.T); activation_backward    dh through relu
    gemm(x.T, dh) / column_sum(dh)        dW1, db1 (no dx: nobody needs it)
    rms_update × 4                        one pass per weight

Data are moved to the backend and cast to float32 once per fit / evaluate /
predict, not per batch.
"""

import math

import numpy as np

from ..backend import current
from ..device import to_numpy
from . import arguments
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import Callback, History
from .progbar import Progbar

__all__ = ["Trainer"]


class Trainer:
    """compile / fit / evaluate / predict over a model's layers and _forward."""

    # ------------------------------------------------------------ compiling

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs):
        """Choose the optimizer, the loss and the metrics reported by fit / evaluate."""
        for key in ("run_eagerly", "jit_compile", "steps_per_execution", "auto_scale_loss"):
            kwargs.pop(key, None)  # accepted for compatibility; nothing to do here
        for key in ("loss_weights", "weighted_metrics"):
            if kwargs.pop(key, None) is not None:  # ignoring them would change the loss
                raise NotImplementedError(f"compile: {key}= is not supported by fastnet.keras")
        if kwargs:
            raise TypeError(f"compile: unexpected keyword argument(s) {sorted(kwargs)}")
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy'")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        if isinstance(metrics, (str, metrics_module.Metric)) or callable(metrics):
            metrics = [metrics]
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(
                f"compile: metrics must be a list of metric names, e.g. ['accuracy'], got "
                f"{metrics!r}"
            )
        self.metric_names = list(metrics or [])
        for name in self.metric_names:
            metrics_module.get(name, self.loss, 2)  # an unknown name fails here, not in fit
        self._metrics = None  # resolved once the output width is known

    def _ready(self, x_shape=None):
        """Build (from the data's shape if needed) and resolve the loss head and metrics."""
        if self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer, loss, metrics) before fit/evaluate")
        self._build_for(x_shape)
        if len(self.layers[-1].output_shape) != 1:
            raise ValueError(
                f"the model's output {self.output_shape} must be (batch, units) for a loss; "
                f"add Flatten() and Dense layers at the end"
            )
        n_out = self.layers[-1].output_shape[0]
        loss = self.loss
        act = getattr(self.layers[-1], "output_activation", None)
        # Fuse the last softmax / sigmoid into the loss kernel when they match.
        self._fuse_last = not loss.from_logits and act is not None and act == loss.fused_activation
        self._logits = self._fuse_last or (loss.from_logits and loss.fused_activation is not None)
        self._kind = loss.fused_activation if self._logits else None
        if self._metrics is None:
            self._metrics = [metrics_module.get(m, loss, n_out) for m in self.metric_names]
        return n_out

    def _build_for(self, x_shape):
        if not self.built:
            if self.input_shape_ is None and x_shape is not None:
                self.input_shape_ = arguments.shape(tuple(x_shape[1:]), "the data's sample shape")
            self.build()
        if x_shape is not None and tuple(x_shape[1:]) != self.input_shape_:
            raise ValueError(
                f"the model expects inputs of shape {self.input_shape}, got data of shape "
                f"{tuple(x_shape)}"
            )

    # ------------------------------------------------------------ data

    def _inputs(self, x):
        if x is None:
            raise TypeError("no inputs: pass the input data x (datasets and generators are "
                            "not supported)")
        x = x if isinstance(x, current().xp.ndarray) else np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"inputs must be numbers, got an array of dtype {x.dtype}")
        if x.ndim == 0:
            raise ValueError("inputs must have a batch axis, got a scalar")
        self._build_for(x.shape)
        # Once per call, not per batch: to the backend, as the model's float type.
        return current().xp.asarray(x, dtype=self.dtype)

    def _data(self, x, y):
        x = self._inputs(x)
        n_out = self._ready(x.shape)
        t = self.loss.prepare(y, n_out, self.dtype)
        if t.shape[0] != x.shape[0]:
            raise ValueError(
                f"{x.shape[0]} input samples but {t.shape[0]} targets (x {tuple(x.shape)}, "
                f"y {tuple(t.shape)})"
            )
        return x, t

    # ------------------------------------------------------------ one step

    def _forward(self, x, training, logits=False):
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            if logits and i == last:
                x = layer.forward(x, training, logits=True)
            else:
                x = layer.forward(x, training)
        return x

    def _regularization(self):
        return sum(layer.regularization_loss() for layer in self.layers)

    @property
    def _regularized(self):
        return any(getattr(layer, "kernel_regularizer", None) is not None
                   or getattr(layer, "bias_regularizer", None) is not None
                   for layer in self.layers)

    def _train_step(self, xb, tb):
        out = self._forward(xb, True, self._fuse_last)
        loss, dout = self.loss.loss_and_grad(out, tb, self._logits)
        if self._regularized:
            # As in Keras, the batch's loss includes the penalty of the
            # weights it was computed with (before this step's update).
            loss += self._regularization()
        for layer in reversed(self.layers[self._first_weighted:]):
            dout = layer.backward(dout)
        trainable = [layer for layer in self.layers if layer.trainable and layer.weights]
        self.optimizer.apply(
            [g for layer in trainable for g in layer.grads],
            [w for layer in trainable for w in layer.weights],
        )
        return loss, out

    # ------------------------------------------------------------ fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0,
            steps_per_epoch=None, validation_batch_size=None, **kwargs):
        """Train; returns a History whose .history has 'loss', each metric and 'val_' ones."""
        for key in ("class_weight", "sample_weight", "validation_steps", "validation_freq"):
            if kwargs.pop(key, None) is not None:
                raise NotImplementedError(f"fit: {key}= is not supported by fastnet.keras")
        if kwargs:
            raise TypeError(f"fit: unexpected keyword argument(s) {sorted(kwargs)}")
        if y is None:
            raise ValueError("fit needs targets y (datasets and generators are not supported)")
        # Every argument is checked before the data are converted or anything trains.
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        validation_batch_size = (batch_size if validation_batch_size is None else
                                 arguments.batch_size(validation_batch_size,
                                                      "validation_batch_size"))
        epochs = arguments.integer(epochs, "epochs", minimum=0)
        initial_epoch = arguments.integer(initial_epoch, "initial_epoch", minimum=0)
        if steps_per_epoch is not None:
            steps_per_epoch = arguments.integer(steps_per_epoch, "steps_per_epoch", minimum=1)
        validation_split = arguments.real(validation_split, "validation_split", low=0.0,
                                          high=1.0, high_open=True)
        callbacks = _callback_list(callbacks)
        x, t = self._data(x, y)
        x, t, val = self._validation(x, t, validation_data, validation_split)
        n = x.shape[0]
        if n == 0:
            raise ValueError("fit: no training samples")
        steps = steps_per_epoch or math.ceil(n / batch_size)
        batches = _batches(n, batch_size, shuffle)

        history = History()
        callbacks = [history, *callbacks]
        params = {"epochs": epochs, "steps": steps, "verbose": verbose}
        for cb in callbacks:
            cb.set_model(self)
            cb.set_params(params)
            cb.on_train_begin()
        self.stop_training = False
        names = ["loss"] + [m.name for m in self._metrics]
        for epoch in range(initial_epoch, epochs):
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            if verbose == 1:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            bar = Progbar(steps, verbose)
            sums, seen = [0.0] * len(names), 0
            for step in range(steps):
                index = next(batches)
                xb, tb = _take(x, index), _take(t, index)
                loss, out = self._train_step(xb, tb)
                m = xb.shape[0]
                seen += m
                sums[0] += loss * m
                for k, metric in enumerate(self._metrics, 1):
                    sums[k] += metric.batch_sum(out, tb, self._kind)[0]
                if bar.interactive and verbose == 1:
                    bar.update(step + 1, self._logs(names, sums, seen))
            logs = self._logs(names, sums, seen)
            if val is not None:
                values = self._evaluate(*val, validation_batch_size)
                logs.update({"val_" + k: v for k, v in zip(names, values)})
            bar.finish(logs)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for cb in callbacks:
            cb.on_train_end()
        self.history = history
        return history

    def _validation(self, x, t, validation_data, validation_split):
        """(x, t, (x_val, t_val) or None): Keras' validation_data, or its last samples."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError(
                    "fit: validation_data must be (x_val, y_val) or (x_val, y_val, None), got "
                    f"{type(validation_data).__name__} of length {_length(validation_data)}"
                )
            if len(validation_data) == 3 and validation_data[2] is not None:
                raise NotImplementedError(
                    "fit: sample weights in validation_data are not supported by fastnet.keras"
                )
            val = self._data(*validation_data[:2])
            if val[0].shape[0] == 0:
                # Keras skips validation then; a val_loss of 0.0 or a missing
                # one would mislead callbacks that monitor it.
                raise ValueError("fit: validation_data holds no samples")
            return x, t, val
        if not validation_split:
            return x, t, None
        # Keras takes the LAST samples, before any shuffling.
        n = x.shape[0]
        split = math.floor(n * (1.0 - validation_split))
        if split in (0, n):
            raise ValueError(
                f"fit: validation_split={validation_split} of {n} samples leaves {split} for "
                f"training and {n - split} for validation; both need at least one"
            )
        return x[:split], t[:split], (x[split:], t[split:])

    def _logs(self, names, sums, seen):
        return dict(zip(names, (s / max(seen, 1) for s in sums)))

    # ------------------------------------------------------------ evaluate / predict

    def _evaluate(self, x, t, batch_size, bar=None):
        """[mean loss, *metrics] over (x, t), batch by batch, no weight updates."""
        sums, seen = [0.0] * (1 + len(self._metrics)), 0
        n = x.shape[0]
        for step, start in enumerate(range(0, n, batch_size)):
            xb, tb = x[start:start + batch_size], t[start:start + batch_size]
            out = self._forward(xb, False, self._fuse_last)
            loss = self.loss.loss_and_grad(out, tb, self._logits)[0]
            m = xb.shape[0]
            seen += m
            sums[0] += loss * m
            for k, metric in enumerate(self._metrics, 1):
                sums[k] += metric.batch_sum(out, tb, self._kind)[0]
            if bar is not None:
                bar.update(step + 1)
        values = [s / max(seen, 1) for s in sums]
        values[0] += self._regularization()
        return values

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False,
                 **kwargs):
        """The loss (and metrics) on (x, y): a float, or [loss, *metrics] with metrics."""
        if kwargs.pop("sample_weight", None) is not None:
            raise NotImplementedError("evaluate: sample_weight= is not supported by fastnet.keras")
        _no_steps("evaluate", kwargs)
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        x, t = self._data(x, y)
        if x.shape[0] == 0:
            raise ValueError("evaluate: no samples (x has 0 rows)")
        bar = Progbar(math.ceil(x.shape[0] / batch_size), verbose)
        values = self._evaluate(x, t, batch_size, bar)
        names = ["loss"] + [m.name for m in self._metrics]
        bar.finish(dict(zip(names, values)))
        if return_dict:
            return dict(zip(names, values))
        return values if self._metrics else values[0]

    def predict(self, x, batch_size=None, verbose="auto", **kwargs):
        """The model's outputs (probabilities after a softmax / sigmoid) as a NumPy array."""
        _no_steps("predict", kwargs)
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        x = self._inputs(x)
        n = x.shape[0]
        # Every row is written below: the batches cover 0..n because batch_size >= 1.
        out = current().xp.empty((n, *self.layers[-1].output_shape), dtype=self.dtype)
        bar = Progbar(max(math.ceil(n / batch_size), 1), verbose)
        for step, start in enumerate(range(0, n, batch_size)):
            out[start:start + batch_size] = self._forward(x[start:start + batch_size], False)
            bar.update(step + 1)
        bar.finish()
        # Keras returns NumPy arrays; a GPU array is copied to the host here, at
        # the API's edge, and nowhere else.
        return to_numpy(out)


def _length(value):
    return len(value) if hasattr(value, "__len__") else "unknown"


def _no_steps(method, kwargs):
    # Keras' steps= stops after that many batches; ignoring it would answer
    # for different data than asked.
    if kwargs.pop("steps", None) is not None:
        raise NotImplementedError(f"{method}: steps= is not supported by fastnet.keras")
    if kwargs:
        raise TypeError(f"{method}: unexpected keyword argument(s) {sorted(kwargs)}")


def _callback_list(callbacks):
    """A list of Callback objects from None, one callback or a list (as Keras takes)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)) or not all(
            isinstance(cb, Callback) for cb in callbacks):
        raise TypeError(
            "fit: callbacks must be a list of fastnet.keras.callbacks.Callback objects, got "
            f"{callbacks!r:.200}"
        )
    return list(callbacks)


def _batches(n, batch_size, shuffle):
    """Endless batches of sample indices, a fresh order for every pass over the data."""
    xp = current().xp
    from . import utils

    while True:
        if shuffle:
            order = xp.asarray(utils.rng().permutation(n))
            for start in range(0, n, batch_size):
                yield order[start:start + batch_size]
        else:
            for start in range(0, n, batch_size):
                yield slice(start, start + batch_size)


def _take(a, index):
    # A slice is a view (no copy); an index array gathers rows in one call.
    return a[index] if isinstance(index, slice) else current().xp.take(a, index, axis=0)
