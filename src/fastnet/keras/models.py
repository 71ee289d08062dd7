"""Sequential: compile, fit, evaluate, predict, summary, save / load_model.

One training step, for the MNIST tutorial's Dense(512, relu) -> Dense(10,
softmax) with categorical cross-entropy and rmsprop, is these kernel calls:

    gemm(x, W1, b1, relu)                 forward, bias and relu fused
    gemm(h, W2, b2)                       the logits (softmax is left to the loss)
    softmax_cross_entropy(logits, t)      loss and d logits in one pass
    gemm(h.T, d) / column_sum(d)          dW2, db2
    gemm(d, W2.T); activation_backward    dh through relu
    gemm(x.T, dh) / column_sum(dh)        dW1, db1 (no dx: nobody needs it)
    keras_rms_update × 4                  one pass per weight

Data are moved to the backend and cast to float32 once per fit / evaluate /
predict, not per batch.
"""

import json
import math

import numpy as np

from ..backend import current
from . import config as config_module
from . import layers as layers_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import History
from .layers import InputLayer, Layer
from .progbar import Progbar

__all__ = ["Sequential", "load_model"]

# Marks files written by Sequential.save, checked by load_model.
FORMAT = "fastnet.keras"
FORMAT_VERSION = 1


def _to_numpy(a):
    # Keras returns NumPy arrays; a GPU array is copied to the host here, at
    # the API's edge, and nowhere else.
    return a if isinstance(a, np.ndarray) else a.get()


def _verbose(verbose):
    return 1 if verbose == "auto" else int(verbose)


class Sequential:
    """A stack of layers, each feeding the next: `Sequential([Dense(...), ...])`."""

    def __init__(self, layers=None, name=None):
        self.name = name or "sequential"
        self.layers = []
        self.input_shape_ = None  # one sample's shape, without the batch axis
        self.dtype = config_module.floatx()
        self.built = False
        self.optimizer = None
        self.loss = None
        self.metric_names = []
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------ building

    def add(self, layer):
        """Append a layer (an Input first declares the input shape)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a layer, got {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self.layers:
                raise ValueError("an Input must come before every other layer")
            self.input_shape_ = layer.declared_input_shape
            return
        if not self.layers and self.input_shape_ is None:
            self.input_shape_ = layer.declared_input_shape
        self.layers.append(layer)
        self.built = False
        if self.input_shape_ is not None:
            self.build()  # like Keras: weights exist as soon as the input shape is known

    def build(self, input_shape=None):
        """Create every weight; input_shape is Keras' (None, ...) or one sample's shape."""
        if input_shape is not None:
            shape = tuple(input_shape)
            self.input_shape_ = shape[1:] if shape and shape[0] is None else shape
        if self.input_shape_ is None:
            raise ValueError(
                "the model's input shape is unknown: give the first layer input_shape=... "
                "(or start with Input(shape=...)), or call fit / predict first"
            )
        if not self.layers:
            raise ValueError("the model has no layers")
        shape = self.input_shape_
        for layer in self.layers:
            if layer.built and layer.input_shape != shape:
                raise ValueError(
                    f"layer {layer.name!r} was built for inputs {layer.input_shape}, "
                    f"now receives {shape}"
                )
            shape = layer.output_shape if layer.built else layer.build(shape, self.dtype)
        weighted = [i for i, layer in enumerate(self.layers) if layer.weights]
        # Backward stops at the first layer with weights: the gradient with
        # respect to the data (and through Flatten / Dropout before it) is unused.
        self._first_weighted = weighted[0] if weighted else len(self.layers)
        for i, layer in enumerate(self.layers):
            layer.need_input_grad = i > self._first_weighted
        self.built = True

    @property
    def output_shape(self):
        return (None, *self.layers[-1].output_shape) if self.built else None

    @property
    def input_shape(self):
        return None if self.input_shape_ is None else (None, *self.input_shape_)

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        return [w for layer in self.layers if layer.trainable for w in layer.weights]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self):
        """Every weight as a NumPy array, layer by layer (kernel, bias, ...)."""
        return [_to_numpy(w).copy() for w in self.weights]

    def set_weights(self, values):
        """Copy `values` (as from get_weights) into the weights, in place."""
        values = list(values)
        if len(values) != len(self.weights):
            raise ValueError(f"the model has {len(self.weights)} weights, got {len(values)}")
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(values[:n])
            values = values[n:]

    # ------------------------------------------------------------ compiling

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs):
        """Choose the optimizer, the loss and the metrics reported by fit / evaluate."""
        for key in ("loss_weights", "weighted_metrics", "run_eagerly", "jit_compile",
                    "steps_per_execution"):
            kwargs.pop(key, None)  # accepted for compatibility; nothing to do here
        if kwargs:
            raise TypeError(f"compile: unexpected keyword argument(s) {sorted(kwargs)}")
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy'")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss)
        if isinstance(metrics, (str, metrics_module.Metric)):
            metrics = [metrics]
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
                self.input_shape_ = tuple(x_shape[1:])
            self.build()
        if x_shape is not None and tuple(x_shape[1:]) != self.input_shape_:
            raise ValueError(
                f"the model expects inputs of shape {self.input_shape}, got data of shape "
                f"{tuple(x_shape)}"
            )

    # ------------------------------------------------------------ data

    def _inputs(self, x):
        x = x if isinstance(x, current().xp.ndarray) else np.asarray(x)
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
            [w for layer in trainable for w in layer.weights],
            [g for layer in trainable for g in layer.grads],
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
        verbose = _verbose(verbose)
        batch_size = int(batch_size or 32)
        x, t = self._data(x, y)
        val = None
        if validation_data is not None:
            val = self._data(*validation_data[:2])
        elif validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
            # Keras takes the LAST samples, before any shuffling.
            split = int(x.shape[0] * (1.0 - validation_split))
            x, t, val = x[:split], t[:split], (x[split:], t[split:])
        n = x.shape[0]
        if n == 0:
            raise ValueError("fit: no training samples")
        steps = int(steps_per_epoch or math.ceil(n / batch_size))
        batches = _batches(n, batch_size, shuffle)

        history = History()
        callbacks = [history, *(callbacks or [])]
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
                values = self._evaluate(*val, validation_batch_size or batch_size)
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
        kwargs.pop("steps", None)
        if kwargs:
            raise TypeError(f"evaluate: unexpected keyword argument(s) {sorted(kwargs)}")
        x, t = self._data(x, y)
        batch_size = int(batch_size or 32)
        bar = Progbar(max(math.ceil(x.shape[0] / batch_size), 1), _verbose(verbose))
        values = self._evaluate(x, t, batch_size, bar)
        names = ["loss"] + [m.name for m in self._metrics]
        bar.finish(dict(zip(names, values)))
        if return_dict:
            return dict(zip(names, values))
        return values if self._metrics else values[0]

    def predict(self, x, batch_size=None, verbose="auto", **kwargs):
        """The model's outputs (probabilities after a softmax / sigmoid) as a NumPy array."""
        kwargs.pop("steps", None)
        if kwargs:
            raise TypeError(f"predict: unexpected keyword argument(s) {sorted(kwargs)}")
        x = self._inputs(x)
        batch_size = int(batch_size or 32)
        n = x.shape[0]
        out = current().xp.empty((n, *self.layers[-1].output_shape), dtype=self.dtype)
        bar = Progbar(max(math.ceil(n / batch_size), 1), _verbose(verbose))
        for step, start in enumerate(range(0, n, batch_size)):
            out[start:start + batch_size] = self._forward(x[start:start + batch_size], False)
            bar.update(step + 1)
        bar.finish()
        return _to_numpy(out)

    def __call__(self, x, training=False):
        """The outputs for x on the backend (no batching, no host copy)."""
        return self._forward(self._inputs(x), training)

    # ------------------------------------------------------------ summary

    def summary(self, print_fn=None):
        """Print each layer's output shape and parameter count, as Keras does."""
        if not self.built:
            self.build()
        print_fn = print_fn or print
        rows = [("Layer (type)", "Output Shape", "Param #")]
        for layer in self.layers:
            shape = str((None, *layer.output_shape)).replace(",)", ")")
            rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                         f"{layer.count_params():,}"))
        widths = (29, 26, 12)
        line = "".join(cell.ljust(w) for cell, w in zip(rows[0], widths))
        total = self.count_params()
        trainable = sum(layer.count_params() for layer in self.layers if layer.trainable)
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * sum(widths))
        print_fn(line)
        print_fn("=" * sum(widths))
        for row in rows[1:]:
            print_fn("".join(cell.ljust(w) for cell, w in zip(row, widths)))
        print_fn("=" * sum(widths))
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {total - trainable:,}")
        print_fn("_" * sum(widths))

    # ------------------------------------------------------------ saving

    def get_config(self):
        return {
            "name": self.name,
            "input_shape": None if self.input_shape_ is None else list(self.input_shape_),
            "dtype": self.dtype,
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }

    def save(self, filepath):
        """Write the architecture, weights and compile settings to one .npz file.

        The file is a NumPy .npz archive: "config" is JSON text, "weight_000",
        "weight_001", ... the weights. Any suffix is accepted (".keras" too),
        but the format is fastnet's, not Keras'. Optimizer state is not saved.
        """
        config = {"format": FORMAT, "version": FORMAT_VERSION, "model": self.get_config()}
        if self.optimizer is not None:
            config["compile"] = {
                "optimizer": {"class_name": type(self.optimizer).__name__.lower(),
                              "config": self.optimizer.get_config()},
                "loss": type(self.loss).__name__,
                "loss_config": self.loss.get_config(),
                "metrics": [m if isinstance(m, str) else getattr(m, "name", m.__name__)
                            for m in self.metric_names],
            }
        _write_npz(filepath, config, self.get_weights() if self.built else [])

    def save_weights(self, filepath):
        """Write only the weights (a .npz archive, see save)."""
        _write_npz(filepath, {"format": FORMAT, "version": FORMAT_VERSION, "weights_only": True},
                   self.get_weights())

    def load_weights(self, filepath):
        """Read weights written by save_weights or save into this (built) model."""
        _, weights = _read_npz(filepath)
        if not self.built:
            self.build()
        self.set_weights(weights)


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


def _write_npz(filepath, config, weights):
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(weights)}
    # Through a file object, so NumPy does not append ".npz" to the name.
    with open(filepath, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)


def _read_npz(filepath):
    # allow_pickle=False: a model file can hold only arrays and JSON text, so
    # loading one never runs code.
    with np.load(filepath, allow_pickle=False) as data:
        if "config" not in data.files:
            raise ValueError(f"{filepath} is not a model saved by fastnet.keras (no config)")
        config = json.loads(str(data["config"]))
        names = sorted(k for k in data.files if k.startswith("weight_"))
        weights = [data[k] for k in names]
    if config.get("format") != FORMAT:
        raise ValueError(f"{filepath} is not a model saved by fastnet.keras")
    return config, weights


def load_model(filepath, compile=True):
    """The model saved by `model.save(filepath)`, compiled again when it was compiled."""
    config, weights = _read_npz(filepath)
    if "model" not in config:
        raise ValueError(f"{filepath} holds only weights; use model.load_weights")
    spec = config["model"]
    layers = [layers_module.from_config(item["class_name"], item["config"])
              for item in spec["layers"]]
    previous = config_module.floatx()
    config_module.set_floatx(spec.get("dtype", "float32"))
    try:
        model = Sequential(layers, name=spec.get("name"))
    finally:
        config_module.set_floatx(previous)
    if spec.get("input_shape") is not None:
        model.build(tuple(spec["input_shape"]))
        model.set_weights(weights)
    if compile and "compile" in config:
        c = config["compile"]
        model.compile(
            optimizer=optimizers_module.from_config(c["optimizer"]["class_name"],
                                                    c["optimizer"]["config"]),
            loss=getattr(losses_module, c["loss"])(**c.get("loss_config", {})),
            metrics=c["metrics"],
        )
    return model
