"""KerasTensor: the symbolic tensor of the functional API.

`Input(shape=(784,))` gives one; calling a layer on it (or on a list of them,
for a merge layer) builds the layer for that shape and gives the layer's
output tensor. Nothing is computed: a KerasTensor only remembers its shape
and the layer that made it, and that layer remembers the tensors it was
called on. `Model(inputs, outputs)` walks these links back from the
outputs to find the graph (see functional_graph.py).
"""

__all__ = ["KerasTensor", "call_on_tensors"]


class KerasTensor:
    """A placeholder for a batch of data: its shape (None first) and its producer."""

    def __init__(self, shape, layer):
        self.shape = (None, *shape)
        self.layer = layer  # the layer whose output this is (an InputLayer for inputs)

    @property
    def dtype(self):
        return self.layer.dtype

    @property
    def name(self):
        return self.layer.name

    def __repr__(self):
        return f"<KerasTensor shape={self.shape} from {self.layer.name!r}>"


def _tensors(layer, inputs):
    """The input tensors as a list, checked against what the layer takes."""
    kind = type(layer).__name__
    several = getattr(layer, "takes_several_inputs", False)
    if several:
        if not isinstance(inputs, (list, tuple)) or not inputs or not all(
                isinstance(t, KerasTensor) for t in inputs):
            raise TypeError(f"{kind} {layer.name!r} is called on a list of tensors, e.g. "
                            f"{kind}()([a, b]); got {inputs!r:.200}")
        return list(inputs)
    if not isinstance(inputs, KerasTensor):
        raise TypeError(
            f"{kind} {layer.name!r} is called on one tensor from keras.Input or another "
            f"layer; got {type(inputs).__name__} (fastnet.keras computes on arrays only "
            f"through a model's fit / predict)"
        )
    return [inputs]


def call_on_tensors(layer, inputs, dtype):
    """Build `layer` for the shapes of `inputs`, link it to them, return its output tensor."""
    tensors = _tensors(layer, inputs)
    if layer.inbound is not None:
        # A shared layer would need one forward cache per call and its
        # gradients summed over the calls; the engine's layers keep one.
        raise NotImplementedError(
            f"layer {layer.name!r} is already used in a graph; calling one layer on several "
            f"tensors (shared layers) is not supported by fastnet.keras: make a second layer"
        )
    shapes = [t.shape[1:] for t in tensors]
    shape = shapes if getattr(layer, "takes_several_inputs", False) else shapes[0]
    if layer.built:
        if layer.input_shape != shape:
            raise ValueError(f"layer {layer.name!r} was built for inputs {layer.input_shape}, "
                             f"now called on {shape}")
        out = layer.output_shape
    else:
        out = layer.build(shape, dtype)
    layer.inbound = tensors
    layer.dtype = dtype
    return KerasTensor(out, layer)
