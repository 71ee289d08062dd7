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
        # The layer whose output this is (an InputLayer for inputs); for the
        # second and later calls of a shared layer, that layer's twin.
        self.layer = layer

    @property
    def node_index(self):
        """Which call of its layer made this tensor: 0 for the first (Keras' node index)."""
        return self.layer.origin.calls.index(self.layer)

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
    """Build `layer` for the shapes of `inputs`, link it to them, return its output tensor.

    A layer already called on tensors (a shared layer) runs this call on a
    twin (Layer.twin): its weights, its own forward caches and links.
    """
    tensors = _tensors(layer, inputs)
    shapes = [t.shape[1:] for t in tensors]
    shape = shapes if getattr(layer, "takes_several_inputs", False) else shapes[0]
    if layer.built:
        if layer.input_shape != shape:
            what = "a shared layer takes inputs" if layer.calls else "it was built for inputs"
            raise ValueError(f"layer {layer.name!r} is called on inputs {shape}; {what} "
                             f"{layer.input_shape}")
        out = layer.output_shape
    else:
        out = layer.build(shape, dtype)
    node = layer.twin() if layer.calls else layer
    layer.calls.append(node)
    node.inbound = tensors
    node.dtype = dtype
    return KerasTensor(out, node)
