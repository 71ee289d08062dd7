"""The graph of a functional model: its calls and layers in Keras' order, found from the outputs.

A node is one call of a layer on tensors: the layer itself for its first
call, a twin (Layer.twin) for the later calls of a shared layer. Keras 3
orders a functional model's layers (`model.layers`, and so the order of
`get_weights`) this way, which fastnet follows so that weights copied from
a Keras model land in the same places:

1. a depth-first walk from each output back through the tensors each node
   was called on numbers the layers in the order it first meets them;
2. walking the nodes from the outputs back, a node's depth is 0 for an
   output and otherwise one more than the deepest node it feeds, raised to
   its layer's depth so far (a shared layer takes the deepest of its calls,
   and what feeds that call is deeper still); a layer's depth is its
   deepest node's;
3. layers are listed deepest first, equal depths in the walk's order, and
   the nodes run deepest first.

Deepest first is an order in which every node comes after the nodes it
takes inputs from, so forward runs in this order and backward in reverse.
"""

from .layers import InputLayer, KerasTensor

__all__ = ["ordered_graph"]


def _walk(outputs):
    """(nodes in post-order, {layer: first-visit index}), refusing cycles.

    A depth-first walk with a stack of its own rather than recursion, so a
    chain of thousands of layers does not reach Python's recursion limit.
    """
    post, index, done, active = [], {}, set(), set()
    path = []  # (node, iterator over the tensors it still has to visit)

    def enter(node):
        if node in done:
            return
        if node in active:
            raise ValueError(f"layer {node.name!r} is part of a cycle")
        index.setdefault(node.origin, len(index))
        active.add(node)
        path.append((node, iter(node.inbound or [])))

    for tensor in outputs:
        enter(tensor.layer)
        while path:
            node, inbound = path[-1]
            tensor = next(inbound, None)
            if tensor is not None:
                enter(tensor.layer)  # its inputs next, before node's other inputs
                continue
            path.pop()  # every input of node is done: node is done
            active.discard(node)
            done.add(node)
            post.append(node)
    return post, index


def _checked(inputs, outputs):
    for what, tensors in (("inputs", inputs), ("outputs", outputs)):
        for t in tensors:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model: {what} must be tensors from keras.Input and layer "
                                f"calls, got {type(t).__name__}")
    for t in inputs:
        if not isinstance(t.layer, InputLayer):
            raise ValueError(f"Model: inputs must come from keras.Input; {t!r} is the output "
                             f"of layer {t.layer.name!r}")


def ordered_graph(inputs, outputs):
    """(nodes in the order they run, layers in Keras' order) between `inputs` and `outputs`."""
    _checked(inputs, outputs)
    post, index = _walk(outputs)
    reached = {t.layer for t in inputs}
    for node in post:
        if isinstance(node, InputLayer) and node not in reached:
            raise ValueError(
                f"Model: the outputs depend on input {node.name!r}, which is not among the "
                f"model's inputs {[t.layer.name for t in inputs]} (the graph is disconnected)")
    node_depth, layer_depth = {}, {}
    for node in reversed(post):  # outputs first: each node before what feeds it
        d = max(node_depth.setdefault(node, 0), layer_depth.get(node.origin, 0))
        node_depth[node] = layer_depth[node.origin] = d
        for tensor in node.inbound or []:
            node_depth[tensor.layer] = max(node_depth.get(tensor.layer, 0), d + 1)
    for t in inputs:  # an input no output uses (Keras keeps it, at depth 0)
        if t.layer not in node_depth:
            node_depth[t.layer] = layer_depth[t.layer] = 0
            index[t.layer] = -1
    if len({layer.name for layer in layer_depth}) != len(layer_depth):
        names = sorted(layer.name for layer in layer_depth)
        raise ValueError(f"Model: layer names must be unique, got {names}")
    nodes = sorted(node_depth, key=lambda node: -node_depth[node])
    layers = sorted(layer_depth, key=lambda layer: (-layer_depth[layer], index[layer]))
    return nodes, layers
