"""Sequential: layers, weights, summary, save / load_model (training: trainer.py)."""

from . import arguments, saving
from . import config as config_module
from .base_model import LayeredModel, shape_text
from .functional import Model
from .layers import InputLayer, KerasTensor, Layer

__all__ = ["Model", "Sequential", "load_model"]


class Sequential(LayeredModel):
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
        if isinstance(layer, KerasTensor) and isinstance(layer.layer, InputLayer):
            layer = layer.layer  # Keras' Sequential([Input(shape=...), ...])
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
        # No gradient reaches the layers before one whose input has none (an
        # Embedding's integer ids): as in Keras, their weights do not train.
        blocked = [i for i, layer in enumerate(self.layers) if not layer.passes_gradient]
        weighted = [i for i, layer in enumerate(self.layers)
                    if layer.weights and i >= (blocked[-1] if blocked else 0)]
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

    def __call__(self, x, training=False):
        """The outputs for x on the backend (no batching, no host copy)."""
        return self._forward(self._inputs(x), training)

    # ------------------------------------------------------------ what the Trainer asks

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

    def _forward(self, x, training, logits=False):
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            if logits and i == last:
                x = layer.forward(x, training, logits=True)
            else:
                x = layer.forward(x, training)
        return x

    def _forward_list(self, x, training, logits):
        return [self._forward(x, training, logits[0])]

    def _backward_list(self, douts):
        dout = douts[0]
        for layer in reversed(self.layers[self._first_weighted:]):
            dout = layer.backward(dout)

    def _gradient_layers(self):
        return self.layers[self._first_weighted:]

    def _output_layers(self):
        return [self.layers[-1]]

    def _output_names(self):
        return [self.layers[-1].name if self.layers else "output"]

    def _fusable(self):
        return [True]

    def _pack_outputs(self, outputs):
        return outputs[0]

    # ------------------------------------------------------------ summary

    def _summary_rows(self):
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 shape_text((None, *layer.output_shape)), f"{layer.count_params():,}")
                for layer in self.layers]
        return ("Layer (type)", "Output Shape", "Param #"), rows

    # ------------------------------------------------------------ saving

    def get_config(self):
        return {
            "name": self.name,
            "input_shape": None if self.input_shape_ is None else list(self.input_shape_),
            "dtype": self.dtype,
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }


def load_model(filepath, compile=True):
    """The model saved by `model.save(filepath)`, compiled again when it was compiled.

    The file is checked before anything is built (saving.read_model): a file
    that is malformed, or whose layers do not match the weights it holds,
    raises one ValueError naming the file and the problem.
    """
    parts = saving.read_model(filepath)
    try:
        model = _built(parts)
    except (TypeError, ValueError, NotImplementedError, RecursionError) as err:
        # read_model checked the file; whatever still fails while building names it too.
        raise ValueError(f"{filepath}: model: {err}") from err
    if compile and parts.compile_args is not None:
        try:
            model.compile(**parts.compile_args)
        except (TypeError, ValueError) as err:  # e.g. loss_weights that fit no output
            raise ValueError(f"{filepath}: compile: {err}") from err
        parts.restore_optimizer(model)
    return model


def _built(parts):
    """The model the checked ModelParts describe, its weights set."""
    with saving.floatx(parts.dtype):
        if parts.graph is not None:
            model = parts.graph.build(Model)
        else:
            model = Sequential(parts.layers, name=parts.name)
    if parts.graph is not None:
        model.set_weights(parts.weights)
    elif parts.input_shape is not None and parts.layers:
        model.build(parts.input_shape)
        model.set_weights(parts.weights)
    else:
        model.input_shape_ = parts.input_shape
    return model
