"""The Keras layer protocol on the book's contract: Layer, InputLayer, Input."""

import copy

from ...backend import current
from ...device import to_numpy
from .. import arguments
from .. import config as config_module
from .tensors import KerasTensor, call_on_tensors

_name_counts = {}


def _auto_name(prefix):
    # dense, dense_1, dense_2, ... as Keras names them.
    n = _name_counts.get(prefix, 0)
    _name_counts[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_").replace(
        "2_d", "2d"
    )


class Layer:
    """Base class: a name, an optional input shape, weights and their grads."""

    takes_several_inputs = False  # merge layers (Add, Concatenate) take a list
    passes_gradient = True  # False where the input has no gradient (integer ids)

    def __init__(self, name=None, input_shape=None, input_dim=None, trainable=True, **kwargs):
        kwargs.pop("dtype", None)  # the model's dtype (float32) is used
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}"
            )
        kind = type(self).__name__
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{kind}: name must be a string, got {name!r}")
        self.name = name or _auto_name(_snake(kind))
        if batch_input_shape is not None:
            if not isinstance(batch_input_shape, (list, tuple)) or not batch_input_shape:
                raise TypeError(
                    f"{kind}: batch_input_shape must be a tuple (batch, ...), got "
                    f"{batch_input_shape!r}"
                )
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None:
            input_shape = (arguments.integer(input_dim, f"{kind}: input_dim", minimum=1),)
        self.declared_input_shape = (
            None if input_shape is None else arguments.shape(input_shape, f"{kind}: input_shape")
        )
        if not isinstance(trainable, bool):
            raise TypeError(f"{kind}: trainable must be True or False, got {trainable!r}")
        self.trainable = trainable
        self.built = False
        self.input_shape = None  # without the batch axis
        self.output_shape = None
        self.weights = []
        self.grads = []
        self.need_input_grad = True
        self.inbound = None  # the KerasTensors this layer was called on (functional API)
        # A layer called on tensors again runs the later calls on twins (see twin()).
        self.calls = []  # this layer, then its twins, in the order of the calls
        self.twin_of = None  # a twin's layer
        self.dtype = config_module.floatx()

    def __call__(self, inputs, training=None):
        """The functional API: `Dense(10)(x)` for a KerasTensor x gives the output tensor.

        training= is accepted as Keras layers take it (a subclassed model's
        call passes it on); the model gives each layer `training` when it runs.
        """
        return call_on_tensors(self, inputs, config_module.floatx())

    # -- subclasses override these
    def build(self, input_shape, dtype):
        """Create the weights for inputs of shape (batch, *input_shape); return the output shape."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.built = True
        return self.output_shape

    def compute_output_shape(self, input_shape):
        return input_shape

    def _expect_axes(self, input_shape, axes, hint=""):
        """Refuse inputs (without the batch axis) that lack exactly these named axes."""
        if len(input_shape) != len(axes):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects inputs (batch, {', '.join(axes)}), "
                f"got {(None, *input_shape)}{hint}"
            )

    def weight_shapes(self, input_shape):
        """The shapes `build` gives `weights`, computed without allocating them.

        load_model compares them with the arrays a file holds before building.
        """
        return []

    def forward(self, x, training=False):
        return x

    def backward(self, dout):
        return dout

    def regularization_loss(self):
        return 0.0

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @property
    def trainable_weights(self):
        """The weights the optimizer updates, in the order of `grads` after backward."""
        return self.weights if self.trainable else []

    # -- shared layers
    def twin(self):
        """A copy of this layer for another call on tensors: the same weights, its own caches.

        The engine's layers keep what backward needs from the last forward, so
        each call of a shared layer runs on its own object. The copy holds the
        same weight arrays (they are in deepcopy's memo, so they are not
        copied): the optimizer's in-place updates and set_weights reach every
        call. Its regularizers are dropped, because Keras counts a layer's
        penalty once however often it is called; the model adds the twins'
        gradients to the layer's.
        """
        memo = {id(w): w for w in self.weights}
        memo.update({id(self.inbound): None, id(self.calls): []})  # links of its own
        twin = copy.deepcopy(self, memo)
        twin.twin_of = self
        for key in ("kernel_regularizer", "bias_regularizer"):
            if getattr(twin, key, None) is not None:
                setattr(twin, key, None)
        return twin

    @property
    def origin(self):
        """The layer a call ran on: this layer, or the layer this one is a twin of."""
        return self.twin_of or self

    def count_params(self):
        return sum(int(w.size) for w in self.weights)

    def count_trainable_params(self):
        return sum(int(w.size) for w in self.trainable_weights)

    def get_weights(self):
        return [to_numpy(w).copy() for w in self.weights]

    def set_weights(self, values):
        if len(values) != len(self.weights):
            raise ValueError(
                f"layer {self.name!r} has {len(self.weights)} weights, got {len(values)} arrays"
            )
        xp = current().xp
        for w, v in zip(self.weights, values):
            v = xp.asarray(v)
            if v.shape != w.shape:
                raise ValueError(
                    f"layer {self.name!r}: weight of shape {w.shape} cannot take shape {v.shape}"
                )
            w[...] = v  # in place: optimizers and views keep working

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class InputLayer(Layer):
    """Declares the shape of one sample; does nothing to the data."""

    def __init__(self, shape=None, batch_size=None, name=None, input_shape=None, **kwargs):
        if shape is not None:
            shape = arguments.shape(shape, "Input: shape")
        if batch_size is not None:  # Keras' fixed batch size; fastnet takes any batch
            arguments.integer(batch_size, "Input: batch_size", minimum=1)
        super().__init__(name=name, input_shape=shape if shape is not None else input_shape,
                         **kwargs)
        if self.declared_input_shape is None:
            raise ValueError("Input needs shape=, e.g. Input(shape=(784,))")
        self.build(self.declared_input_shape, self.dtype)
        self.output = KerasTensor(self.declared_input_shape, self)
        self.calls = [self]

    def __call__(self, inputs):
        raise TypeError(f"InputLayer {self.name!r} is not called; use its tensor: "
                        f"keras.Input(shape=...)")


def Input(shape=None, batch_size=None, name=None, **kwargs):  # noqa: N802 - Keras' name
    """A model's input tensor: `x = Input(shape=(784,))`, then `Dense(10)(x)`.

    `Sequential([Input(shape=(784,)), Dense(10)])` takes it as its input shape.
    """
    return InputLayer(shape=shape, batch_size=batch_size, name=name, **kwargs).output
