"""The kernel surface as data: every kernel's name, by family.

A family has one name at every level: a module of the reference
(`fastnet.backend.numpy.<family>`), of the checks (`checks/<family>.py`),
of each backend (`cython/<family>.py`, `cupy/<family>.py`), and a test file
(`tests/kernels/test_<family>.py`). tests/kernels/test_kernel_table.py walks
this table: every backend provides every kernel, or the kernel is in
COMPOSABLE.
"""

FAMILIES = {
    "gemm": ("gemm",),
    "elementwise": (
        "add", "bias_add", "column_sum", "activation_forward", "activation_backward",
        "dropout_mask", "dropout_forward", "dropout_backward", "dropout_infer",
    ),
    "losses": (
        "softmax", "cross_entropy", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
        "mean_squared_error",
    ),
    "optimizers": (
        "sgd_update", "momentum_update", "nesterov_update", "adagrad_update", "rmsprop_update",
        "adam_update", "rms_update",
    ),
    "conv": (
        "im2col", "col2im", "conv_forward", "conv_backward", "conv_pool_forward",
        "conv_pool_backward", "max_pool_forward", "max_pool_backward",
    ),
    "norm": ("batchnorm_forward_train", "batchnorm_forward_infer", "batchnorm_backward"),
    "embedding": ("embedding_backward",),
}

# Every kernel name, family by family.
KERNELS = tuple(name for names in FAMILIES.values() for name in names)

# Kernels a backend may leave out: backend/composed.py builds them from the
# backend's own im2col, gemm, col2im, activation_backward and pooling.
COMPOSABLE = frozenset({"conv_forward", "conv_backward", "conv_pool_forward",
                        "conv_pool_backward"})

# Functions of the reference that are not kernels: shape arithmetic every
# backend shares.
HELPERS = ("conv_output_size",)
