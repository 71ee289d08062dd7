"""The model behind the server: a fastnet network or a fastnet.keras model, one interface.

`ServedModel.load(path)` reads a model file written by `net.save` (fastnet.nets)
or `model.save` (fastnet.keras); both formats are .npz + JSON read without
unpickling, and a file that is neither is one ValueError at start-up.
`forward(x)` maps a float batch shaped (n, *input_shape) to a host array:
probabilities for a classifier, values for a regression model. A model
whose weights hold NaN or inf is refused at start-up (it could answer
nothing), and inputs whose numbers overflow inside the model are the
request's error (a 422), never a NaN answer or a 500.
"""

import math
import os

import numpy as np

import fastnet

from ..backend import current
from ..device import to_numpy
from ..functions import softmax
from ..keras import models as keras_models
from ..nets.model import running_statistics
from .errors import RequestError

__all__ = ["ServedModel"]

OVERFLOW = ("the model's numbers overflow on these instances (NaN or infinite outputs): "
            "their values are too large for it; scale them as the training data was")


class ServedModel:
    """What the server needs to know about a model, and its forward pass."""

    def __init__(self, forward, *, input_shape, classes, dtype, parameters, kind, source):
        self._forward = forward
        self.input_shape = tuple(int(d) for d in input_shape)
        self.input_size = math.prod(self.input_shape)
        self.classes = classes  # None for a regression model
        self.dtype = np.dtype(dtype)
        self.parameters = parameters
        self.kind = kind
        self.source = source

    @classmethod
    def load(cls, path):
        path = os.fspath(path)
        try:
            return cls.from_net(fastnet.load(path), path)
        except ValueError as exc:
            if "fastnet.keras model" not in str(exc):
                raise
        return cls.from_keras(keras_models.load_model(path, compile=False), path)

    @classmethod
    def from_net(cls, net, source="<memory>"):
        arrays = {**net.params, **running_statistics(net)}  # named as in the file
        for name, values in arrays.items():
            _refuse_non_finite(values, f"{source}: the parameter {name}")

        def forward(x):
            scores = net.predict(x, train_flg=False)
            # Checked before the softmax kernel, which would raise a ValueError (a 500).
            if not _all_finite(scores):
                raise RequestError(OVERFLOW, status=422)
            return to_numpy(softmax(scores))

        return cls(forward, input_shape=net.input_shape, classes=list(net.classes),
                   dtype=net.params["W1"].dtype,
                   parameters=sum(int(p.size) for p in net.params.values()),
                   kind=type(net).__name__, source=source)

    @classmethod
    def from_keras(cls, model, source="<memory>"):
        input_shape, last = _keras_input_and_last_layer(model, source)
        if not model.built:
            model.build(input_shape)
        for layer in model.layers:
            for i, weight in enumerate(layer.weights):
                _refuse_non_finite(weight, f"{source}: weight {i} of layer {layer.name!r}")
        outputs = math.prod(last.output_shape)
        softmax_out = getattr(last, "activation", None) == "softmax"

        def forward(x):
            try:
                return to_numpy(model(x)).reshape(len(x), -1)
            except ValueError as exc:
                # With finite weights and inputs (both checked), the only ValueError of a
                # forward pass is the softmax kernel's refusal of the NaN or inf an
                # overflow made: these inputs' fault. Any other is a bug: a 500.
                if "NaN or inf" not in str(exc):
                    raise
                raise RequestError(OVERFLOW, status=422) from None

        return cls(forward, input_shape=input_shape,
                   classes=[str(i) for i in range(outputs)] if softmax_out else None,
                   dtype=model.dtype, parameters=int(model.count_params()),
                   kind=f"keras {model.name}", source=source)

    def forward(self, x):
        """Outputs for a host batch (n, *input_shape), computed on the current backend;
        a RequestError (422) when the inputs overflow the model's numbers."""
        # NumPy's overflow warnings are not errors here (the outputs are checked
        # below); where warnings are errors (the tests), they would be a 500.
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = self._forward(current().xp.asarray(x, dtype=self.dtype))
        if not np.isfinite(outputs).all():
            raise RequestError(OVERFLOW, status=422)
        return outputs

    def metadata(self):
        return {"model": self.kind, "file": os.path.basename(self.source),
                "input_shape": list(self.input_shape), "dtype": self.dtype.name,
                "task": "classification" if self.classes is not None else "regression",
                "classes": self.classes, "parameters": self.parameters,
                "backend": fastnet.get_backend()}


def _all_finite(values):
    return bool(current().xp.isfinite(values).all())


def _refuse_non_finite(values, what):
    """A ValueError naming `what` when `values` hold NaN or inf: a network that
    diverged in training answers every request with NaN, so it is not served."""
    values = to_numpy(values)
    bad = int(values.size - np.count_nonzero(np.isfinite(values)))
    if bad:
        raise ValueError(f"{what} holds {bad} NaN or infinite value(s) of {values.size}; "
                         "fastnet serve refuses a model that cannot answer (did its "
                         "training diverge?)")


def _keras_input_and_last_layer(model, source):
    """One sample's input shape and the output layer of a servable keras model:
    a built Sequential, or a functional Model with one input and one output."""
    if hasattr(model, "inputs"):  # the functional API
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            raise ValueError(f"{source}: fastnet serve takes a model with one input and one "
                             f"output; this one has {len(model.inputs)} inputs and "
                             f"{len(model.outputs)} outputs")
        return tuple(model.inputs[0].shape[1:]), model.outputs[0].layer
    if model.input_shape_ is None or not model.layers:
        raise ValueError(f"{source}: the keras model was saved before it was built "
                         "(no input shape); build or fit it, then save it")
    return model.input_shape_, model.layers[-1]
