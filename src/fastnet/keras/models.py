"""Sequential: layers, weights, summary, save / load_model (training: trainer.py)."""

from ..device import to_numpy
from . import arguments, saving
from . import config as config_module
from .layers import InputLayer, Layer
from .legacy import Keras2Methods
from .trainer import Trainer

__all__ = ["Sequential", "load_model"]


class Sequential(Keras2Methods, Trainer):
    """A stack of layers, each feeding the next: `Sequential([Dense(...), ...])`."""

    def __init__(self, layers=None, name=None):
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: layers must be a list of layers, got {layers!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Sequential: name must be a string, got {name!r}")
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
            shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else input_shape
            shape = shape[1:] if isinstance(shape, tuple) and shape[:1] == (None,) else shape
            self.input_shape_ = arguments.shape(shape, "build: input_shape")
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
        return [w for layer in self.layers for w in layer.trainable_weights]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self):
        """Every weight as a NumPy array, layer by layer (kernel, bias, ...)."""
        return [to_numpy(w).copy() for w in self.weights]

    def set_weights(self, values):
        """Copy `values` (as from get_weights) into the weights, in place."""
        values = list(values)
        if len(values) != len(self.weights):
            raise ValueError(f"the model has {len(self.weights)} weights, got {len(values)}")
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(values[:n])
            values = values[n:]

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
        trainable = sum(layer.count_trainable_params() for layer in self.layers)
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
        saving.write_model(self, filepath)

    def save_weights(self, filepath):
        """Write only the weights (a .npz archive, see save)."""
        saving.write_weights(self, filepath)

    def load_weights(self, filepath):
        """Read weights written by save_weights or save into this (built) model."""
        weights = saving.read_weights(filepath)
        if not self.built:
            self.build()
        try:
            self.set_weights(weights)
        except ValueError as err:
            raise ValueError(f"{filepath}: its weights do not fit this model: {err}") from err


def load_model(filepath, compile=True):
    """The model saved by `model.save(filepath)`, compiled again when it was compiled.

    The file is checked before anything is built (saving.read_model): a file
    that is malformed, or whose layers do not match the weights it holds,
    raises one ValueError naming the file and the problem.
    """
    parts = saving.read_model(filepath)
    with saving.floatx(parts.dtype):
        model = Sequential(parts.layers, name=parts.name)
    if parts.input_shape is not None and parts.layers:
        model.build(parts.input_shape)
        model.set_weights(parts.weights)
    else:
        model.input_shape_ = parts.input_shape
    if compile and parts.compile_args is not None:
        model.compile(**parts.compile_args)
    return model
