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
from . import heads as heads_module
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
        if kwargs.pop("weighted_metrics", None) is not None:  # ignoring it changes the logs
            raise NotImplementedError(
                "compile: weighted_metrics= is not supported by fastnet.keras")
        loss_weights = kwargs.pop("loss_weights", None)
        if kwargs:
            raise TypeError(f"compile: unexpected keyword argument(s) {sorted(kwargs)}")
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy'")
        names = self._output_names()
        self.optimizer = optimizers_module.get(optimizer)
        self._losses = heads_module.losses_per_output(loss, names)
        self._loss_weights = heads_module.loss_weights_per_output(loss_weights, names)
        # As given, for the model file (None: every weight 1).
        self.loss_weights = None if loss_weights is None else list(self._loss_weights)
        several = isinstance(loss, (list, tuple, dict))
        self.loss = self._losses if several else self._losses[0]
        if isinstance(metrics, (str, metrics_module.Metric)) or callable(metrics):
            metrics = [metrics]
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise TypeError(
                f"compile: metrics must be a list of metric names, e.g. ['accuracy'], got "
                f"{metrics!r}"
            )
        self._metric_ids = heads_module.metrics_per_output(metrics, names)
        self.metric_names = self._metric_ids[0] if len(names) == 1 else self._metric_ids
        for ids, each_loss in zip(self._metric_ids, self._losses):
            for name in ids:
                metrics_module.get(name, each_loss, 2)  # an unknown name fails here, not in fit
        self._heads = None  # resolved once the output widths are known

    def _ready(self, x_shape=None):
        """Build (from the data's shape if needed) and resolve each output's Head."""
        if self.optimizer is None:
            raise RuntimeError("call model.compile(optimizer, loss, metrics) before fit/evaluate")
        self._build_for(x_shape)
        outputs = self._output_layers()
        if self._heads is None or self._heads_for != outputs:
            for layer in outputs:
                if len(layer.output_shape) != 1:
                    raise ValueError(
                        f"the model's output {(None, *layer.output_shape)} (layer "
                        f"{layer.name!r}) must be (batch, units) for a loss; add Flatten() and "
                        f"Dense layers at the end"
                    )
            self._heads = [
                heads_module.Head(name, loss, ids, layer, fusable) for name, loss, ids, layer,
                fusable in zip(self._output_names(), self._losses, self._metric_ids, outputs,
                               self._fusable())]
            self._heads_for = outputs
            self._fused = tuple(h.fuse_last for h in self._heads)
            self._metrics = [m for h in self._heads for m in h.metrics]
        return self._heads

    # ------------------------------------------------------------ data

    def _inputs(self, x):
        return data_adapters.prepare_inputs(self, x)

    # ------------------------------------------------------------ one step

    def _regularization(self):
        return sum(layer.regularization_loss() for layer in self.layers)

    @property
    def _regularized(self):
        return any(getattr(layer, "kernel_regularizer", None) is not None
                   or getattr(layer, "bias_regularizer", None) is not None
                   for layer in self.layers)

    def _losses_of(self, outs, tb, wb):
        """(the total loss, the loss of each output, their gradients) for one batch.

        The total is Σ loss_weight · loss (Keras' rule); each output's
        gradient is its loss's times its weight, and its loss is logged unweighted.
        """
        targets = tb if isinstance(tb, tuple) else (tb,)
        total, values, douts = 0.0, [], []
        for head, out, t, weight in zip(self._heads, outs, targets, self._loss_weights):
            value, dout = head.loss.weighted_loss_and_grad(out, t, head.logits, wb)
            values.append(value)
            total += weight * value
            douts.append(dout if weight == 1.0 else dout * weight)
        return total, values, douts

    def _train_step(self, xb, tb, wb):
        outs = self._forward_list(xb, True, self._fused)
        loss, values, douts = self._losses_of(outs, tb, wb)
        if self._regularized:
            # As in Keras, the batch's loss includes the penalty of the
            # weights it was computed with (before this step's update).
            loss += self._regularization()
        self._backward_list(douts)
        trainable = [layer for layer in self._gradient_layers() if layer.trainable_weights]
        self.optimizer.apply(
            [g for layer in trainable for g in layer.grads],
            [w for layer in trainable for w in layer.trainable_weights],
        )
        return [loss, *values], outs

    def _warn_of_untrained_layers(self):
        reached = set(self._gradient_layers())
        missed = [layer.name for layer in self.layers
                  if layer.trainable_weights and layer not in reached]
        if missed:
            # Keras 3 trains the rest and warns the same way.
            warnings.warn(f"Gradients do not exist for the weights of layers {missed} when "
                          "minimizing the loss: they only feed a layer whose input has none "
                          "(an Embedding's integer ids), so they keep their values",
                          UserWarning, stacklevel=3)

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
        self._warn_of_untrained_layers()

        history = History()
        callbacks = [history, *callbacks]
        params = {"epochs": epochs, "steps": train.steps, "verbose": verbose}
        for cb in callbacks:
            cb.set_model(self)
            cb.set_params(params)
            cb.on_train_begin()
        self.stop_training = False
        names = heads_module.log_names(self._heads)
        for epoch in range(initial_epoch, epochs):
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            if verbose == 1:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            bar = Progbar(train.steps or 0, verbose)
            tally, step = _Tally(self._heads), 0
            for step, (xb, tb, wb) in enumerate(train.epoch(), 1):
                losses, outs = self._train_step(xb, tb, wb)
                tally.add(losses, outs, tb, data_adapters.rows(xb))
                if bar.interactive and verbose == 1:
                    bar.update(step, dict(zip(names, tally.values())))
            if not tally.seen:
                # Keras' words: a generator that ends stops training with a warning.
                warnings.warn("fit: your input ran out of data; interrupting training. Make "
                              "sure the generator can give steps_per_epoch * epochs batches",
                              UserWarning, stacklevel=2)
                break
            bar.target = step
            logs = dict(zip(names, tally.values()))
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
        if data_adapters.rows(val.x) == 0:
            # Keras skips validation then; a val_loss of 0.0 or a missing
            # one would mislead callbacks that monitor it.
            raise ValueError("fit: validation_data holds no samples")
        return val

    # ------------------------------------------------------------ evaluate / predict

    def _evaluate(self, data, where, bar=None):
        """[mean loss, *metrics] over the batches of `data`, no weight updates."""
        tally = _Tally(self._heads)
        for step, (xb, tb, wb) in enumerate(data.epoch(), 1):
            outs = self._forward_list(xb, False, self._fused)
            total, values, _ = self._losses_of(outs, tb, wb)
            tally.add([total, *values], outs, tb, data_adapters.rows(xb))
            if bar is not None:
                bar.update(step)
        if not tally.seen:
            raise ValueError(f"{where}: no samples to evaluate (the generator ran out of data)")
        return tally.values(self._regularization())

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
        if isinstance(data, data_adapters.ArrayData) and data_adapters.rows(data.x) == 0:
            raise ValueError("evaluate: no samples (x has 0 rows)")
        bar = Progbar(data.steps or 0, verbose)
        values = self._evaluate(data, "evaluate", bar)
        names = heads_module.log_names(self._heads)
        bar.finish(dict(zip(names, values)))
        if return_dict:
            return dict(zip(names, values))
        return values if len(values) > 1 else values[0]

    def predict(self, x, batch_size=None, verbose="auto", steps=None, **kwargs):
        """The model's outputs (probabilities after a softmax / sigmoid) as a NumPy array."""
        _no_extras("predict", kwargs)
        verbose = arguments.verbose(verbose)
        batch_size = arguments.batch_size(batch_size)
        steps = _steps(steps, "steps")
        data = data_adapters.for_predict(self, x, batch_size, steps)
        bar = Progbar(data.steps or 0, verbose)
        xp = current().xp
        layers = self._output_layers()
        outs = [[] for _ in layers]
        plain = (False,) * len(layers)
        for step, (xb, _, _) in enumerate(data.epoch(), 1):
            for kept, out in zip(outs, self._forward_list(xb, False, plain)):
                # A copy: a layer may hand back the same buffer for the next batch.
                kept.append(out.copy())
            bar.update(step)
        bar.finish()
        # Keras returns NumPy arrays; a GPU array is copied to the host here, at
        # the API's edge, and nowhere else.
        return self._pack_outputs([to_numpy(
            xp.empty((0, *layer.output_shape), dtype=self.dtype) if not kept else
            kept[0] if len(kept) == 1 else xp.concatenate(kept)) for kept, layer in zip(
                outs, layers)])


class _Tally:
    """Running sums over one pass: the loss (in all and per output) and the metrics."""

    def __init__(self, heads):
        self.heads, self.sums, self.seen = heads, [0.0] * (len(heads) + 1), 0
        for head in heads:
            for metric in head.metrics:
                metric.reset()

    def add(self, losses, outs, tb, m):
        """One batch of m samples: [loss, loss of each output], outputs, targets."""
        self.seen += m
        for k, value in enumerate(losses):
            self.sums[k] += value * m
        targets = tb if isinstance(tb, tuple) else (tb,)
        for head, out, t in zip(self.heads, outs, targets):
            for metric in head.metrics:
                metric.update(out, t, head.kind)

    def values(self, penalty=0.0):
        """The values heads.log_names names; penalty: the weights' regularization."""
        n = max(self.seen, 1)
        losses = [total / n for total in self.sums]
        losses[0] += penalty
        if len(self.heads) == 1:
            losses = losses[:1]  # one output: "loss" is its loss
        return losses + [m.result() for h in self.heads for m in h.metrics]


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
