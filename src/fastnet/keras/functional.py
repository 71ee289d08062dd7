"""The functional API's Model: `Model(inputs, outputs)` over a graph of layers.

    inputs = Input(shape=(784,))
    hidden = Dense(512, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(hidden)
    model = Model(inputs, outputs)

The layers run in Keras' order (functional_graph.py): each after the layers
it takes inputs from. Backward runs the same list in reverse; a tensor that
feeds several layers receives the sum of their gradients. As in
Sequential, a layer computes the gradient with respect to its input only
when some layer before it has weights. compile / fit / evaluate / predict
are the Trainer's; several inputs or outputs take lists or dicts of arrays
(data_adapters.py).
"""

from . import config as config_module
from .base_model import LayeredModel, shape_text
from .functional_graph import ordered_layers
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
        self.layers = ordered_layers(self.inputs, self.outputs)
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
        for layer in self.layers:
            if isinstance(layer, InputLayer):
                needs[layer] = False
                continue
            upstream = any(needs[t.layer] for t in layer.inbound)
            layer.need_input_grad = upstream and layer.passes_gradient
            needs[layer] = upstream or bool(layer.weights)
            self._steps.append(layer)
        self._needs_grad = needs
        reached = {t.layer for t in self.outputs}
        for layer in reversed(self._steps):
            if layer in reached and layer.need_input_grad:
                reached.update(t.layer for t in layer.inbound)
        self._reached = [layer for layer in self._steps if layer in reached]
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

    def _build_for(self, x_shape):
        """Nothing to build; data_adapters checked each input's shape."""

    def _gradient_layers(self):
        return self._reached

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
            connected = [f"{t.layer.name}[0][0]" for t in layer.inbound or []] or ["-"]
            connected = [c + "," for c in connected[:-1]] + connected[-1:]
            rows.append((f"{layer.name} ({type(layer).__name__})", shape,
                         f"{layer.count_params():,}", connected))
        return ("Layer (type)", "Output Shape", "Param #", "Connected to"), rows

    def get_config(self):
        """The graph as JSON: each layer with the names of the layers it was called on."""
        def names(tensors, structure):
            if structure == "one":
                return tensors[0].layer.name
            if structure == "list":
                return [t.layer.name for t in tensors]
            return {key: t.layer.name for key, t in zip(structure, tensors)}

        return {
            "class_name": "Functional",
            "name": self.name,
            "dtype": self.dtype,
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config(),
                        "inbound": [t.layer.name for t in layer.inbound or []]}
                       for layer in self.layers],
            "inputs": names(self.inputs, self._input_structure),
            "outputs": names(self.outputs, self._output_structure),
        }
