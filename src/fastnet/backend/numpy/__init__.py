"""The "numpy" backend: every kernel in plain NumPy, the reference.

This package is the executable specification of fastnet. The compiled
("cython") and GPU ("cupy") backends implement the same names with the same
signatures, family by family in modules of the same names (gemm,
elementwise, losses, optimizers, conv, norm, embedding: backend/kernels.py),
and the tests check them against the functions here.

Kernels trust their input: `fastnet.backend.Backend` has validated shapes,
dtypes and labels before any of these functions runs. Every array of
numbers is float32 or float64 (labels and embedding ids are integers);
mixed inputs were already cast to their common dtype, except gemm's float32
a with float64 b (the book's float32 images times its float64 weights),
which gemm promotes itself as NumPy does.
"""

import numpy as np

from ..kernels import KERNELS
from ..vocabulary import ACTIVATIONS
from .conv import (  # noqa: F401  (re-exported: __all__)
    col2im,
    conv_backward,
    conv_forward,
    conv_output_size,
    conv_pool_backward,
    conv_pool_forward,
    im2col,
    max_pool_backward,
    max_pool_forward,
)
from .elementwise import (  # noqa: F401  (re-exported: __all__)
    activation_backward,
    activation_forward,
    add,
    bias_add,
    column_sum,
    dropout_backward,
    dropout_forward,
    dropout_infer,
    dropout_mask,
)
from .embedding import embedding_backward  # noqa: F401
from .gemm import gemm  # noqa: F401
from .losses import (  # noqa: F401  (re-exported: __all__)
    CROSS_ENTROPY_EPS,
    cross_entropy,
    mean_squared_error,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from .norm import (  # noqa: F401  (re-exported: __all__)
    BATCHNORM_EPS,
    batchnorm_backward,
    batchnorm_forward_infer,
    batchnorm_forward_train,
)
from .optimizers import (  # noqa: F401  (re-exported: __all__)
    OPTIMIZER_EPS,
    adagrad_update,
    adam_update,
    momentum_update,
    nesterov_update,
    rms_update,
    rmsprop_update,
    sgd_update,
)

xp = np

__all__ = [
    "ACTIVATIONS", "BATCHNORM_EPS", "CROSS_ENTROPY_EPS", "OPTIMIZER_EPS", "xp",
    "conv_output_size", *KERNELS,
]
