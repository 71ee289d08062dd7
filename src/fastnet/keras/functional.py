"""Model: the functional API's `Model(inputs, outputs)`, or a subclass with call().

    inputs = Input(shape=(784,))
    hidden = Dense(512, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(hidden)
    model = Model(inputs, outputs)

A functional model runs one Graph (graph.py) of the layer calls between its
inputs and outputs; a subclass of Model that defines call() runs the graphs
its call() records when traced (subclassing.py). compile / fit / evaluate /
predict are the Trainer's; several inputs or outputs take lists or dicts of
arrays (data_adapters.py).
"""

from . import config as config_module
from . import subclassing
from .base_model import LayeredModel, shape_text
from .graph import Graph
from .trainer import Trainer

__all__ = ["Model"]


class Model(LayeredModel):
    """A model whose layers form a graph from `inputs` to `outputs` (Keras' functional API)."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        # Before anything else: a subclass's __init__ sets its layers after this.
        object.__setattr__(self, "_tracked", None)
        if kwargs:
            raise TypeError(f"Model: unexpected keyword argument(s) {sorted(kwargs)}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Model: name must be a string, got {name!r}")
        self.optimizer = self.loss = self.history = None
        self.metric_names = []
        self.stop_training = False
        if inputs is None and outputs is None and type(self).call is not Model.call:
            self._tracked = []  # the layers a subclass's __init__ sets, in order
            self._graphs = None  # traced when the model first sees data
            self._deferred_compile = None
            self.name = name or subclassing.snake_case(type(self).__name__)
            self.dtype = config_module.floatx()
            self.input_names = self.input_shape_ = None
            self.built = False
            return
        if inputs is None or outputs is None:
            raise TypeError("Model: give inputs and outputs (the functional API: "
                            "Model(inputs, outputs)), or subclass Model and define call()")
        graph = Graph(inputs, outputs)
        self._graphs = {True: graph, False: graph}
        self.name = name or "functional"
        dtypes = {layer.dtype for layer in graph.layers}
        self.dtype = dtypes.pop() if len(dtypes) == 1 else config_module.floatx()
        self._connect()

    def call(self, inputs, training=False):
        """A subclass's forward pass on tensors (see subclassing.py)."""
        raise NotImplementedError("a subclass of Model defines call(inputs)")

    def __setattr__(self, name, value):
        subclassing.track(self, value)
        object.__setattr__(self, name, value)

    def _connect(self):
        """The input names and shapes data_adapters checks data against."""
        graph = self._graphs[True]
        self.input_names = [t.layer.name for t in graph.inputs]
        self.input_shapes_ = [t.shape[1:] for t in graph.inputs]
        self.built = True

    def _graph(self, training=True):
        if self._graphs is None:
            raise ValueError(f"{type(self).__name__} is not built yet: call fit / evaluate / "
                             f"predict with data, or build(input_shape) first")
        return self._graphs[bool(training)]

    @property
    def layers(self):
        if self._tracked is None:
            return self._graph().layers
        return subclassing.model_layers(self._tracked, self._graphs)

    @property
    def inputs(self):
        return self._graph().inputs

    @property
    def outputs(self):
        return self._graph().outputs

    # ------------------------------------------------------------ shapes

    def build(self, input_shape=None):
        """A functional model is built by its Inputs; a subclass by tracing call() on this shape."""
        if self._graphs is None:
            self._build_for(None if input_shape is None else
                            subclassing.batch_shape(input_shape, type(self).__name__))

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
        x = self._inputs(x)
        plain = (False,) * len(self.outputs)
        return self._pack_outputs(self._forward_list(x, training, plain))

    def _forward_list(self, x, training, logits):
        return self._graph(training).forward(x, training, logits)

    def _backward_list(self, douts):
        self._graph(True).backward(douts)

    def _build_for(self, x_shape):
        """A subclass traces call() for the data's shape; data_adapters checks it after."""
        if self._graphs is None:
            self._graphs = subclassing.trace(self, x_shape)
            self._connect()
            if self._deferred_compile is not None:
                args, self._deferred_compile = self._deferred_compile, None
                Trainer.compile(self, *args[:3], **args[3])

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs):
        """Trainer.compile; a subclass not traced yet finishes it once its outputs are known."""
        if self._graphs is not None:
            return Trainer.compile(self, optimizer, loss, metrics, **kwargs)
        self._deferred_compile = (optimizer, loss, metrics, kwargs)
        self.optimizer = subclassing.checked_optimizer(optimizer, loss)
        return None

    def _gradient_layers(self):
        return self._graph(True).reached_layers

    def _output_layers(self):
        return [t.layer for t in self.outputs]

    def _output_names(self):
        return self._graph().output_names()

    def _fusable(self):
        # Both graphs of a subclass run with the same heads.
        return [a and b for a, b in zip(self._graph(True).fusable, self._graph(False).fusable)]

    def _pack_outputs(self, outputs):
        return self._graph().pack(outputs)

    # ------------------------------------------------------------ summary and saving

    def _summary_rows(self):
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 shape_text((None, *layer.output_shape)), f"{layer.count_params():,}")
                for layer in self.layers]
        if self._tracked is not None:  # Keras' subclassed summary: no connections
            return ("Layer (type)", "Output Shape", "Param #"), rows
        return (("Layer (type)", "Output Shape", "Param #", "Connected to"),
                [(*row, self._graph().connections(layer)) for row, layer in zip(rows, self.layers)])

    def get_config(self):
        """The graph as JSON (graph.py); a subclass's architecture is its Python code."""
        if self._tracked is not None:
            raise NotImplementedError(
                f"{type(self).__name__}: a subclassed model's architecture is its Python code, "
                f"which fastnet does not save; use save_weights / load_weights")
        return {"class_name": "Functional", "name": self.name, "dtype": self.dtype,
                **self._graph().config()}
