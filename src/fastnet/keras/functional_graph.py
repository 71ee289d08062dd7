"""The graph of a functional model: its layers in Keras' order, found from the outputs.

Keras 3 orders a functional model's layers (`model.layers`, and so the order
of `get_weights`) this way, which fastnet follows so that weights copied
from a Keras model land in the same places:

1. a depth-first walk from each output back through the tensors each layer
   was called on numbers the layers in the order it first meets them;
2. a layer's depth is 0 for an output and otherwise one more than the
   deepest layer it feeds;
3. layers run deepest first, equal depths in the walk's order.

Deepest first is also an order in which every layer comes after the layers
it takes inputs from, so forward runs in this order and backward in reverse.
"""

from .layers import InputLayer, KerasTensor

__all__ = ["ordered_layers"]


def _walk(outputs):
    """(layers in post-order, {layer: first-visit index}), refusing cycles."""
    post, index, done, active = [], {}, set(), set()

    def visit(layer):
        if layer in done:
            return
        if layer in active:
            raise ValueError(f"layer {layer.name!r} is part of a cycle")
        index.setdefault(layer, len(index))
        active.add(layer)
        for tensor in layer.inbound or []:
            visit(tensor.layer)
        active.discard(layer)
        done.add(layer)
        post.append(layer)

    for tensor in outputs:
        visit(tensor.layer)
    return post, index


def ordered_layers(inputs, outputs):
    """Every layer between `inputs` and `outputs`, deepest first (Keras' order)."""
    for what, tensors in (("inputs", inputs), ("outputs", outputs)):
        for t in tensors:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model: {what} must be tensors from keras.Input and layer "
                                f"calls, got {type(t).__name__}")
    for t in inputs:
        if not isinstance(t.layer, InputLayer):
            raise ValueError(f"Model: inputs must come from keras.Input; {t!r} is the output "
                             f"of layer {t.layer.name!r}")
    post, index = _walk(outputs)
    reached = {t.layer for t in inputs}
    for layer in post:
        if isinstance(layer, InputLayer) and layer not in reached:
            raise ValueError(
                f"Model: the outputs depend on input {layer.name!r}, which is not among the "
                f"model's inputs {[t.layer.name for t in inputs]} (the graph is disconnected)")
    depth = {}
    for layer in reversed(post):  # outputs first: each layer before what feeds it
        d = depth.setdefault(layer, 0)
        for tensor in layer.inbound or []:
            depth[tensor.layer] = max(depth.get(tensor.layer, 0), d + 1)
    for t in inputs:  # an input no output uses (Keras keeps it, at depth 0)
        if t.layer not in depth:
            depth[t.layer], index[t.layer] = 0, -1
    if len({layer.name for layer in depth}) != len(depth):
        names = sorted(layer.name for layer in depth)
        raise ValueError(f"Model: layer names must be unique, got {names}")
    return sorted(depth, key=lambda layer: (-depth[layer], index[layer]))
