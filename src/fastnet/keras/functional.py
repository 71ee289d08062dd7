"""The functional API's Model: `Model(inputs, outputs)` over a graph of layers.

    inputs = Input(shape=(784,))
    hidden = Dense(512, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(hidden)
    model = Model(inputs, outputs)

The calls run in Keras' order (functional_graph.py): each after the calls
it takes inputs from. Backward runs the same list in reverse; a tensor that
feeds several layers receives the sum of their gradients. A layer called
more than once (a shared layer, as in a siamese network) is listed once in
`layers`; its later calls run on twins that hold the same weights, and its
weights' gradient is the sum over its calls. As in Sequential, a layer
computes the gradient with respect to its input only when some layer
before it has weights. compile / fit / evaluate / predict are the
Trainer's; several inputs or outputs take lists or dicts of arrays
(data_adapters.py).
"""

from . import config as config_module
from .base_model import LayeredModel, shape_text
from .functional_graph import ordered_graph
from .layers import InputLayer, KerasTensor

__all__ = ["Model"]


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


def _calls_by_layer(nodes):
    """{layer: its calls in this model}, for the layers not called here just once, as themselves."""
    calls = {}
    for node in nodes:
        calls.setdefault(node.origin, []).append(node)
    shared = {layer: each for layer, each in calls.items() if each != [layer]}
    for layer, each in shared.items():
        if layer not in each and any(getattr(layer, key, None) is not None
                                     for key in ("kernel_regularizer", "bias_regularizer")):
            # Its twins add no penalty (Keras counts it once, on the layer).
            raise NotImplementedError(
                f"Model: layer {layer.name!r} has a regularizer and is shared, but its first "
                f"call is not part of this model; make the model from its first call")
    return shared


class Model(LayeredModel):
    """A model whose layers form a graph from `inputs` to `outputs` (Keras' functional API)."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"Model: unexpected keyword argument(s) {sorted(kwargs)}")
        if inputs is None or outputs is None:
            raise NotImplementedError(
                "Model: fastnet.keras builds models as Model(inputs, outputs) or Sequential; "
                "subclassing Model with a call() method is not supported")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Model: name must be a string, got {name!r}")
        self.inputs, self._input_structure = _flatten(inputs, "inputs")
        self.outputs, self._output_structure = _flatten(outputs, "outputs")
        if isinstance(self._input_structure, list) and self._input_structure != [
                t.layer.name for t in self.inputs]:
            raise ValueError(f"Model: a dict of inputs must use the Inputs' names as keys: "
                             f"{[t.layer.name for t in self.inputs]}")
        self._nodes, self.layers = ordered_graph(self.inputs, self.outputs)
        self._calls = _calls_by_layer(self._nodes)
        self.name = name or "functional"
        dtypes = {layer.dtype for layer in self.layers}
        self.dtype = dtypes.pop() if len(dtypes) == 1 else config_module.floatx()
        self.input_names = [t.layer.name for t in self.inputs]
        self.input_shapes_ = [t.shape[1:] for t in self.inputs]
        self._plan()
        self.built = True
        self.optimizer = self.loss = self.history = None
        self.metric_names = []
        self.stop_training = False

    def _plan(self):
        """Which layers run backward, and which need their input's gradient."""
        needs = {}  # layer -> does backward reach its output?
        self._steps = []
        for layer in self._nodes:
            if isinstance(layer, InputLayer):
                needs[layer] = False
                continue
            upstream = any(needs[t.layer] for t in layer.inbound)
            layer.need_input_grad = upstream
            needs[layer] = upstream or bool(layer.weights)
            self._steps.append(layer)
        self._needs_grad = needs
        readers = {}
        for layer in self._steps:
            for t in layer.inbound:
                readers[t.layer] = readers.get(t.layer, 0) + 1
        for t in self.outputs:
            readers[t.layer] = readers.get(t.layer, 0) + 1
        # A loss may take logits only from a layer nothing else reads.
        self._fusable_outputs = [readers[t.layer] == 1 for t in self.outputs]

    # ------------------------------------------------------------ shapes

    def build(self, input_shape=None):
        """Already built: a functional model's shapes come from its Inputs."""

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    # ------------------------------------------------------------ running

    def __call__(self, x, training=False):
        """The outputs for x on the backend (no batching, no host copy)."""
        plain = (False,) * len(self.outputs)
        return self._pack_outputs(self._forward_list(self._inputs(x), training, plain))

    def _forward_list(self, x, training, logits):
        values = dict(zip((t.layer for t in self.inputs), x if isinstance(x, tuple) else (x,)))
        last = {t.layer: flag for t, flag in zip(self.outputs, logits) if flag}
        for layer in self._steps:
            if layer.takes_several_inputs:
                arg = [values[t.layer] for t in layer.inbound]
            else:
                arg = values[layer.inbound[0].layer]
            if layer in last:
                values[layer] = layer.forward(arg, training, logits=True)
            else:
                values[layer] = layer.forward(arg, training)
        return [values[t.layer] for t in self.outputs]

    def _backward_list(self, douts):
        grads = {}

        def receive(layer, g):
            # Never in place: the same array may have gone to several layers.
            grads[layer] = g if layer not in grads else grads[layer] + g

        for t, dout in zip(self.outputs, douts):
            receive(t.layer, dout)
        for layer in reversed(self._steps):
            if not self._needs_grad[layer] or layer not in grads:
                continue
            dx = layer.backward(grads.pop(layer))
            if not layer.need_input_grad:
                continue
            parts = dx if layer.takes_several_inputs else [dx]
            for t, g in zip(layer.inbound, parts):
                if self._needs_grad[t.layer]:
                    receive(t.layer, g)
        for layer, calls in self._calls.items():
            # A shared layer's weights get the sum of their gradients from every call.
            if layer.weights:
                layer.grads = [sum(each[1:], each[0]) for each in zip(*(c.grads for c in calls))]

    def _build_for(self, x_shape):
        """Nothing to build; data_adapters checked each input's shape."""

    def _output_layers(self):
        return [t.layer for t in self.outputs]

    def _output_names(self):
        if isinstance(self._output_structure, list):
            return list(self._output_structure)
        return [t.layer.name for t in self.outputs]

    def _fusable(self):
        return self._fusable_outputs

    def _pack_outputs(self, outputs):
        if self._output_structure == "one":
            return outputs[0]
        if self._output_structure == "list":
            return list(outputs)
        return dict(zip(self._output_structure, outputs))

    # ------------------------------------------------------------ summary and saving

    def _summary_rows(self):
        rows = []
        for layer in self.layers:
            shape = shape_text((None, *layer.output_shape))
            inbound = [t for call in self._calls.get(layer, [layer]) for t in call.inbound or []]
            connected = [f"{t.layer.name}[{t.node_index}][0]" for t in inbound] or ["-"]
            connected = [c + "," for c in connected[:-1]] + connected[-1:]
            rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                         f"{layer.count_params():,}", connected))
        return ("Layer (type)", "Output Shape", "Param #", "Connected to"), rows

    def _calls_of(self, layer):
        return self._calls.get(layer, [layer])

    def _ref(self, tensor):
        """A tensor in the config: its layer's name, or [name, k] for the layer's call k >= 1."""
        node = tensor.layer
        k = self._calls_of(node.origin).index(node)
        return node.name if k == 0 else [node.name, k]

    def get_config(self):
        """The graph as JSON: each layer with what it was called on ("inbound").

        A shared layer lists its later calls' inputs under "shared_calls"; a
        tensor is named by its layer ("dense"), or [name, k] for the output of
        the layer's call k (1, 2, ... in this model).
        """
        def refs(tensors, structure):
            if structure == "one":
                return self._ref(tensors[0])
            if structure == "list":
                return [self._ref(t) for t in tensors]
            return {key: self._ref(t) for key, t in zip(structure, tensors)}

        items = []
        for layer in self.layers:
            first, *later = self._calls_of(layer)
            item = {"class_name": type(layer).__name__, "config": layer.get_config(),
                    "inbound": [self._ref(t) for t in first.inbound or []]}
            if later:
                item["shared_calls"] = [[self._ref(t) for t in call.inbound] for call in later]
            items.append(item)
        return {"class_name": "Functional", "name": self.name, "dtype": self.dtype,
                "layers": items, "inputs": refs(self.inputs, self._input_structure),
                "outputs": refs(self.outputs, self._output_structure)}
