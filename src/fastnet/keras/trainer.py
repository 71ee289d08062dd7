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

import warnings

from ..backend import current
from ..device import to_numpy
from . import arguments, data_adapters, legacy
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
        return data_adapters.prepare_inputs(self, x)

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

    def _train_step(self, xb, tb, wb):
        out = self._forward(xb, True, self._fuse_last)
        loss, dout = self.loss.weighted_loss_and_grad(out, tb, self._logits, wb)
        if self._regularized:
            # As in Keras, the batch's loss includes the penalty of the
            # weights it was computed with (before this step's update).
            loss += self._regularization()
        for layer in reversed(self.layers[self._first_weighted:]):
            dout = layer.backward(dout)
        trainable = [layer for layer in self.layers if layer.trainable_weights]
        self.optimizer.apply(
            [g for layer in trainable for g in layer.grads],
            [w for layer in trainable for w in layer.trainable_weights],
        )
        return loss, out

    # ------------------------------------------------------------ fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, **kwargs):
        """Train; returns a History whose .history has 'loss', each metric and 'val_' ones.

        x is arrays (with y), a generator of (x, y) batches or a PyDataset-style
        sequence; see data_adapters for Keras' rules on each form.
        """
        epochs = legacy.renamed_argument(kwargs, "nb_epoch", "epochs", epochs, "fit", default=1)
        if kwargs.pop("validation_freq", None) not in (None, 1):
            raise NotImplementedError("fit: validation_freq= is not supported by fastnet.keras")
        if kwargs:
            raise TypeError(f"fit: unexpected keyword argument(s) {sorted(kwargs)}")
        # Every argument is checked before the data are converted or anything trains.
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        validation_batch_size = (batch_size if validation_batch_size is None else
                                 arguments.batch_size(validation_batch_size,
                                                      "validation_batch_size"))
        epochs = arguments.integer(epochs, "epochs", minimum=0)
        initial_epoch = arguments.integer(initial_epoch, "initial_epoch", minimum=0)
        steps_per_epoch = _steps(steps_per_epoch, "steps_per_epoch")
        validation_steps = _steps(validation_steps, "validation_steps")
        validation_split = arguments.real(validation_split, "validation_split", low=0.0,
                                          high=1.0, high_open=True)
        callbacks = _callback_list(callbacks)
        if self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer, loss, metrics) before fit/evaluate")
        train, held_back = data_adapters.for_fit(
            self, x, y, sample_weight, class_weight, batch_size, bool(shuffle),
            steps_per_epoch, validation_split)
        val = self._validation(validation_data, held_back, validation_batch_size,
                               validation_steps)

        history = History()
        callbacks = [history, *callbacks]
        params = {"epochs": epochs, "steps": train.steps, "verbose": verbose}
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
            bar = Progbar(train.steps or 0, verbose)
            loss_sum, seen, step = 0.0, 0, 0
            for metric in self._metrics:
                metric.reset()
            for step, (xb, tb, wb) in enumerate(train.epoch(), 1):
                loss, out = self._train_step(xb, tb, wb)
                m = xb.shape[0]
                seen += m
                loss_sum += loss * m
                for metric in self._metrics:
                    metric.update(out, tb, self._kind)
                if bar.interactive and verbose == 1:
                    bar.update(step, self._logs(loss_sum, seen))
            if not seen:
                # Keras' words: a generator that ends stops training with a warning.
                warnings.warn("fit: your input ran out of data; interrupting training. Make "
                              "sure the generator can give steps_per_epoch * epochs batches",
                              UserWarning, stacklevel=2)
                break
            bar.target = step
            logs = self._logs(loss_sum, seen)
            if val is not None:
                values = self._evaluate(val, "fit: validation_data")
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

    def _validation(self, validation_data, held_back, batch_size, steps):
        """The validation batches: validation_data, or the samples validation_split held back."""
        if validation_data is None:
            return None if held_back is None else data_adapters.ArrayData(
                *held_back, batch_size, steps=steps)
        where = "fit: validation_data"
        if not isinstance(validation_data, (tuple, list)):
            return data_adapters.for_evaluate(self, validation_data, None, None, batch_size,
                                              steps, where)
        if len(validation_data) not in (2, 3):
            raise ValueError(
                "fit: validation_data must be (x_val, y_val) or (x_val, y_val, "
                f"sample_weight_val), got {type(validation_data).__name__} of length "
                f"{len(validation_data)}"
            )
        val = data_adapters.for_evaluate(self, *validation_data[:2], (*validation_data, None)[2],
                                         batch_size, steps, where)
        if val.x.shape[0] == 0:
            # Keras skips validation then; a val_loss of 0.0 or a missing
            # one would mislead callbacks that monitor it.
            raise ValueError("fit: validation_data holds no samples")
        return val

    def _logs(self, loss_sum, seen):
        return {"loss": loss_sum / max(seen, 1), **{m.name: m.result() for m in self._metrics}}

    # ------------------------------------------------------------ evaluate / predict

    def _evaluate(self, data, where, bar=None):
        """[mean loss, *metrics] over the batches of `data`, no weight updates."""
        loss_sum, seen = 0.0, 0
        for metric in self._metrics:
            metric.reset()
        for step, (xb, tb, wb) in enumerate(data.epoch(), 1):
            out = self._forward(xb, False, self._fuse_last)
            loss = self.loss.weighted_loss_and_grad(out, tb, self._logits, wb)[0]
            m = xb.shape[0]
            seen += m
            loss_sum += loss * m
            for metric in self._metrics:
                metric.update(out, tb, self._kind)
            if bar is not None:
                bar.update(step)
        if not seen:
            raise ValueError(f"{where}: no samples to evaluate (the generator ran out of data)")
        return [loss_sum / seen + self._regularization(), *(m.result() for m in self._metrics)]

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, return_dict=False, **kwargs):
        """The loss (and metrics) on (x, y): a float, or [loss, *metrics] with metrics."""
        _no_extras("evaluate", kwargs)
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        steps = _steps(steps, "steps")
        if self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer, loss, metrics) before fit/evaluate")
        data = data_adapters.for_evaluate(self, x, y, sample_weight, batch_size, steps)
        if isinstance(data, data_adapters.ArrayData) and data.x.shape[0] == 0:
            raise ValueError("evaluate: no samples (x has 0 rows)")
        bar = Progbar(data.steps or 0, verbose)
        values = self._evaluate(data, "evaluate", bar)
        names = ["loss"] + [m.name for m in self._metrics]
        bar.finish(dict(zip(names, values)))
        if return_dict:
            return dict(zip(names, values))
        return values if self._metrics else values[0]

    def predict(self, x, batch_size=None, verbose="auto", steps=None, **kwargs):
        """The model's outputs (probabilities after a softmax / sigmoid) as a NumPy array."""
        _no_extras("predict", kwargs)
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        steps = _steps(steps, "steps")
        data = data_adapters.for_predict(self, x, batch_size, steps)
        bar = Progbar(data.steps or 0, verbose)
        xp = current().xp
        outs = []
        for step, (xb, _, _) in enumerate(data.epoch(), 1):
            # A copy: a layer may hand back the same buffer for the next batch.
            outs.append(self._forward(xb, False).copy())
            bar.update(step)
        bar.finish()
        if not outs:
            outs = [xp.empty((0, *self.layers[-1].output_shape), dtype=self.dtype)]
        # Keras returns NumPy arrays; a GPU array is copied to the host here, at
        # the API's edge, and nowhere else.
        return to_numpy(outs[0] if len(outs) == 1 else xp.concatenate(outs))


def _steps(value, name):
    return None if value is None else arguments.integer(value, name, minimum=1)


def _no_extras(method, kwargs):
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
