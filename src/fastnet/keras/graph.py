"""A graph of layer calls from input tensors to output tensors, run forward and backward.

The calls run in Keras' order (functional_graph.py): each after the calls
it takes inputs from. Backward runs the same list in reverse; a tensor that
feeds several layers receives the sum of their gradients. A layer called
more than once (a shared layer, as in a siamese network) is listed once in
`layers`; its later calls run on twins that hold the same weights, and its
weights' gradient is the sum over its calls. As in Sequential, a layer
computes the gradient with respect to its input only when some layer
before it has weights.

The functional Model runs one Graph; a subclassed Model one per value of
`training` its call() was traced with (subclassing.py).
"""

from .functional_graph import ordered_graph
from .layers import InputLayer, KerasTensor

__all__ = ["Graph"]


def _flatten(value, what):
    """(list of tensors, structure): one tensor, a list / tuple of them, or a dict."""
    if isinstance(value, KerasTensor):
        return [value], "one"
    if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
        return list(value.values()), list(value)
    if isinstance(value, (list, tuple)) and value:
        return list(value), "list"
    raise TypeError(f"Model: {what} must be a tensor (from keras.Input or a layer call), a "
                    f"list of them or a dict by name; got {value!r:.200}")


def _calls_by_layer(nodes, trains):
    """{layer: its calls in this graph}, for the layers not called here just once, as themselves."""
    calls = {}
    for node in nodes:
        calls.setdefault(node.origin, []).append(node)
    shared = {layer: each for layer, each in calls.items() if each != [layer]}
    for layer, each in shared.items():
        if trains and layer not in each and any(getattr(layer, key, None) is not None
                                     for key in ("kernel_regularizer", "bias_regularizer")):
            # Its twins add no penalty (Keras counts it once, on the layer).
            raise NotImplementedError(
                f"Model: layer {layer.name!r} has a regularizer and is shared, but its first "
                f"call is not part of this model; make the model from its first call")
    return shared


class Graph:
    """The calls between `inputs` and `outputs` (tensors; each one, a list or a dict).

    trains=False: a graph only run forward (a subclass's inference trace).
    """

    def __init__(self, inputs, outputs, trains=True):
        self.inputs, self.input_structure = _flatten(inputs, "inputs")
        self.outputs, self.output_structure = _flatten(outputs, "outputs")
        if isinstance(self.input_structure, list) and self.input_structure != [
                t.layer.name for t in self.inputs]:
            raise ValueError(f"Model: a dict of inputs must use the Inputs' names as keys: "
                             f"{[t.layer.name for t in self.inputs]}")
        self.nodes, self.layers = ordered_graph(self.inputs, self.outputs)
        self.calls = _calls_by_layer(self.nodes, trains)
        self._plan()

    def _plan(self):
        """Which calls run backward, and which need their input's gradient."""
        needs = {}  # node -> does backward reach its output?
        self.steps = []
        for node in self.nodes:
            if isinstance(node, InputLayer):
                needs[node] = False
                continue
            upstream = any(needs[t.layer] for t in node.inbound)
            # An Embedding's integer ids have no gradient: backward stops there.
            node.need_input_grad = upstream and node.passes_gradient
            needs[node] = upstream or bool(node.weights)
            self.steps.append(node)
        self.needs_grad = needs
        reached = {t.layer for t in self.outputs}
        for node in reversed(self.steps):
            if node in reached and node.need_input_grad:
                reached.update(t.layer for t in node.inbound)
        # The layers backward gives gradients to (a shared one when any call is reached).
        self.reached_layers = [layer for layer in self.layers
                               if any(call in reached for call in self.calls_of(layer))]
        readers = {}
        for node in self.steps:
            for t in node.inbound:
                readers[t.layer] = readers.get(t.layer, 0) + 1
        for t in self.outputs:
            readers[t.layer] = readers.get(t.layer, 0) + 1
        # A loss may take logits only from a layer nothing else reads.
        self.fusable = [readers[t.layer] == 1 for t in self.outputs]

    def calls_of(self, layer):
        """The calls of `layer` in this graph, in the order they were made."""
        return self.calls.get(layer, [layer])

    # ------------------------------------------------------------ running

    def forward(self, x, training, logits):
        """The output arrays for x (one array, or a tuple, one per input)."""
        values = dict(zip((t.layer for t in self.inputs), x if isinstance(x, tuple) else (x,)))
        last = {t.layer: flag for t, flag in zip(self.outputs, logits) if flag}
        for node in self.steps:
            if node.takes_several_inputs:
                arg = [values[t.layer] for t in node.inbound]
            else:
                arg = values[node.inbound[0].layer]
            if node in last:
                values[node] = node.forward(arg, training, logits=True)
            else:
                values[node] = node.forward(arg, training)
        return [values[t.layer] for t in self.outputs]

    def backward(self, douts):
        """Each layer's grads from the outputs' gradients (after forward with training)."""
        grads = {}

        def receive(node, g):
            # Never in place: the same array may have gone to several layers.
            grads[node] = g if node not in grads else grads[node] + g

        for t, dout in zip(self.outputs, douts):
            receive(t.layer, dout)
        for node in reversed(self.steps):
            if not self.needs_grad[node] or node not in grads:
                continue
            dx = node.backward(grads.pop(node))
            if not node.need_input_grad:
                continue
            parts = dx if node.takes_several_inputs else [dx]
            for t, g in zip(node.inbound, parts):
                if self.needs_grad[t.layer]:
                    receive(t.layer, g)
        for layer, calls in self.calls.items():
            # A shared layer's weights get the sum of their gradients from every call.
            if layer.weights and layer in self.reached_layers:
                layer.grads = [sum(each[1:], each[0]) for each in zip(*(c.grads for c in calls))]

    def output_names(self):
        if isinstance(self.output_structure, list):
            return list(self.output_structure)
        return [t.layer.name for t in self.outputs]

    def pack(self, outputs):
        """The output arrays in the structure the outputs were given in."""
        if self.output_structure == "one":
            return outputs[0]
        if self.output_structure == "list":
            return list(outputs)
        return dict(zip(self.output_structure, outputs))

    # ------------------------------------------------------------ describing

    def connections(self, layer):
        """Keras' "Connected to" cells of a layer: each input of each call, "name[call][0]"."""
        inbound = [t for call in self.calls_of(layer) for t in call.inbound or []]
        connected = [f"{t.layer.name}[{t.node_index}][0]" for t in inbound] or ["-"]
        return [c + "," for c in connected[:-1]] + connected[-1:]

    def ref(self, tensor):
        """A tensor in the config: its layer's name, or [name, k] for the layer's call k >= 1."""
        node = tensor.layer
        k = self.calls_of(node.origin).index(node)
        return node.name if k == 0 else [node.name, k]

    def config(self):
        """The graph as JSON: each layer with what it was called on ("inbound").

        A shared layer lists its later calls' inputs under "shared_calls"; a
        tensor is named by its layer ("dense"), or [name, k] for the output of
        the layer's call k (1, 2, ... in this graph).
        """
        def refs(tensors, structure):
            if structure == "one":
                return self.ref(tensors[0])
            if structure == "list":
                return [self.ref(t) for t in tensors]
            return {key: self.ref(t) for key, t in zip(structure, tensors)}

        items = []
        for layer in self.layers:
            first, *later = self.calls_of(layer)
            item = {"class_name": type(layer).__name__, "config": layer.get_config(),
                    "inbound": [self.ref(t) for t in first.inbound or []]}
            if later:
                item["shared_calls"] = [[self.ref(t) for t in call.inbound] for call in later]
            items.append(item)
        return {"layers": items, "inputs": refs(self.inputs, self.input_structure),
                "outputs": refs(self.outputs, self.output_structure)}
