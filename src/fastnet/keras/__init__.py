"""A Keras-style front end on fastnet's kernels.

A Keras tutorial runs on fastnet after changing one import line:

    from fastnet.keras import models, layers      # was: from keras import ...

    model = models.Sequential([
        layers.Dense(512, activation="relu", input_shape=(784,)),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, batch_size=128)

Arrays are float32 by default, like Keras. Every computation is a call to
the current fastnet backend (`fastnet.backend.current()`): a Dense layer is
one GEMM with its bias and activation fused, softmax + cross-entropy is one
kernel, each optimizer step is one kernel per weight.

Read in this order: layers/ (forward/backward of each layer), losses.py
(the loss "heads" and how fastnet fuses the last activation into the loss),
models.py (Sequential), functional.py (Model(inputs, outputs)) with graph.py
(its layer calls, forward and backward) and subclassing.py (Model subclasses
with call()), heads.py
(a loss and metrics per output) and trainer.py (compile / fit / evaluate / predict),
optimizers.py (Keras' update rules on fastnet's kernels), arguments.py (the
checks every argument goes through), saving.py and model_file.py (model
files, read without trusting them).
"""

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from .layers import Input
from .models import Model, Sequential, load_model

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "callbacks",
    "datasets",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]
