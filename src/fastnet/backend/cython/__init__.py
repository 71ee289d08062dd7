"""The "cython" backend: the reference kernels' names, compiled.

One module per kernel family, named as in fastnet.backend.numpy (gemm,
elementwise, losses, optimizers, conv with conv_pool and conv_blas, norm,
embedding):
the functions there allocate outputs with NumPy and hand validated arrays to
a Cython module (src/fastnet/_*.pyx) that releases the GIL and calls the C
kernels in csrc/. Names and signatures match the reference exactly.
"""

from ... import _build_check

_build_check.require_compiled()

import numpy as np  # noqa: E402

from .conv import (  # noqa: E402,F401
    col2im,
    conv_backward,
    conv_forward,
    im2col,
    max_pool_backward,
    max_pool_forward,
)
from .conv_pool import conv_pool_backward, conv_pool_forward  # noqa: E402,F401
from .elementwise import (  # noqa: E402,F401
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
from .embedding import embedding_backward  # noqa: E402,F401
from .gemm import gemm  # noqa: E402,F401
from .losses import (  # noqa: E402,F401
    cross_entropy,
    mean_squared_error,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from .norm import (  # noqa: E402,F401
    batchnorm_backward,
    batchnorm_forward_infer,
    batchnorm_forward_train,
)
from .optimizers import (  # noqa: E402,F401
    adagrad_update,
    adam_update,
    momentum_update,
    nesterov_update,
    rms_update,
    rmsprop_update,
    sgd_update,
)

xp = np
