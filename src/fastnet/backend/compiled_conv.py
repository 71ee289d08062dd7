"""Convolution, pooling, batch norm and dropout for the "cython" backend.

Same names and signatures as `fastnet.backend.reference`.
"""

from .reference import (  # noqa: F401  (compiled versions to come)
    batchnorm_backward,
    batchnorm_forward_infer,
    batchnorm_forward_train,
    col2im,
    dropout_backward,
    dropout_forward,
    dropout_infer,
    dropout_mask,
    im2col,
    max_pool_backward,
    max_pool_forward,
)
