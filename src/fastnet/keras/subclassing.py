"""Subclassed models: layers made in __init__, composed in call(), as Keras tutorials write.

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense1 = keras.layers.Dense(64, activation="relu")
            self.dropout = keras.layers.Dropout(0.5)
            self.dense2 = keras.layers.Dense(10, activation="softmax")

        def call(self, inputs, training=False):
            x = self.dense1(inputs)
            if training:
                x = self.dropout(x, training=training)
            return self.dense2(x)

When the model first sees data (fit / evaluate / predict, or
build(input_shape)), fastnet runs call() on a symbolic tensor
(keras.Input of one sample's shape), which records the graph of layer
calls it makes, as the functional API does; training then runs that graph
on the engine. A call() that takes `training` is traced twice, with True
(for fit) and with False (evaluate, predict), so Python branches on it
hold; the second trace's layer calls run on twins of the layers (the same
weights). So call() may do what a functional model does: call layers
(merge layers too) on tensors, with Python control flow that depends only
on `training` and on shapes. It may not compute on the tensors themselves
(`x + 1`, NumPy functions): there is nothing to compute on while tracing.

`layers` lists the layers in the order __init__ set them (Keras' order,
and so the order of get_weights), then any layer call() used that no
attribute holds.
"""

import inspect
import re

from . import losses as losses_module
from . import optimizers as optimizers_module
from .graph import Graph
from .layers import Input, Layer

__all__ = ["batch_shape", "checked_optimizer", "model_layers", "snake_case", "trace", "track"]


def snake_case(name):
    """MyModel -> my_model, Keras' default name for a subclassed model."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _layers_in(value):
    """The layers an attribute holds: a layer, or a list / tuple of layers (Keras tracks both)."""
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
        return list(value)
    return []


def track(model, value):
    """Remember the layers a subclass's __init__ sets as attributes, in order."""
    found = _layers_in(value)
    if not found:
        return
    if "_tracked" not in model.__dict__:
        raise RuntimeError(f"{type(model).__name__}: call super().__init__() at the start of "
                           f"__init__, before setting layers as attributes")
    tracked = model.__dict__["_tracked"]
    if tracked is not None:  # a functional model tracks nothing
        tracked.extend(layer for layer in found if layer not in tracked)


def model_layers(tracked, graphs):
    """The tracked layers, then those call() used that no attribute holds."""
    extra = [] if graphs is None else [
        layer for layer in graphs[True].layers + graphs[False].layers
        if layer not in tracked and type(layer).__name__ != "InputLayer"]
    return tracked + list(dict.fromkeys(extra))


def batch_shape(input_shape, model):
    """(None, *sample shape) from build()'s input_shape, Keras' (None, ...) or (batch, ...)."""
    if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
        raise ValueError(f"{model}.build: input_shape must be (batch, ...) such as (None, 784), "
                         f"got {input_shape!r}")
    return (None, *input_shape[1:])


def checked_optimizer(optimizer, loss):
    """compile()'s optimizer, once what can be checked before the outputs are known is.

    The model compiles for real when call() is traced; a loss per output (a
    list or dict) can only be matched to the outputs then.
    """
    if loss is None:
        raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy'")
    if not isinstance(loss, (list, tuple, dict)):
        losses_module.get(loss)
    return optimizers_module.get(optimizer)


def _takes_training(call):
    parameters = inspect.signature(call).parameters.values()
    return any(p.name == "training" or p.kind is p.VAR_KEYWORD for p in parameters)


def trace(model, x_shape):
    """{training: Graph}: model.call run on an Input of one sample's shape (x_shape[1:])."""
    kind = type(model).__name__
    if x_shape is None:
        raise ValueError(f"{kind} is not built yet: call fit / evaluate / predict with data, "
                         f"or build(input_shape) first")
    inputs = Input(shape=tuple(x_shape[1:]))
    flags = (True, False) if _takes_training(model.call) else (None,)
    graphs = {}
    for flag in flags:
        try:
            outputs = model.call(inputs) if flag is None else model.call(inputs, training=flag)
            graphs[flag] = Graph(inputs, outputs, trains=flag is not False)
        except (TypeError, AttributeError) as err:
            raise TypeError(
                f"{kind}.call: fastnet runs call() once on symbolic tensors (keras.Input), so it "
                f"may only call layers on them and return their outputs, not compute on them "
                f"(see fastnet/keras/subclassing.py): {err}") from err
    if None in graphs:
        return {True: graphs[None], False: graphs[None]}
    _same_outputs(kind, graphs[True], graphs[False])
    return graphs


def _same_outputs(kind, training, inference):
    """The two traces must give outputs of one structure and shapes: the heads serve both."""
    shapes = [[t.shape for t in g.outputs] for g in (training, inference)]
    if shapes[0] != shapes[1] or training.output_structure != inference.output_structure:
        raise ValueError(f"{kind}.call returns outputs of shapes {shapes[0]} with training=True "
                         f"but {shapes[1]} with training=False; they must be the same")
