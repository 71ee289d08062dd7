"""The "cython" backend: the reference kernels' names, compiled.

Each function here allocates the output with NumPy and hands raw, validated
arrays to a Cython module (src/fastnet/_*.pyx) that releases the GIL and
calls the C kernels in csrc/. Names and signatures match
`fastnet.backend.reference` exactly.
"""

from .. import _build_check

_build_check.require_compiled()

import numpy as np  # noqa: E402

from . import reference  # noqa: E402

xp = np

# Kernels not compiled yet run the reference; tests/test_backend_registry.py
# lists which, so none can hide here.
from .reference import (  # noqa: E402,F401
    activation_backward,
    activation_forward,
    adagrad_update,
    adam_update,
    add,
    bias_add,
    column_sum,
    cross_entropy,
    gemm,
    mean_squared_error,
    momentum_update,
    nesterov_update,
    rmsprop_update,
    sgd_update,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
)

ACTIVATIONS = reference.ACTIVATIONS
