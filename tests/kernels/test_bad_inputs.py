"""Bad input gets a clear ValueError/TypeError on every backend, never a crash.

Each case calls one kernel through the validated Backend with something a
user could plausibly pass by mistake, and checks the exception type and that
the message names the problem (the shapes, the dtype, the label range).
"""

import numpy as np
import pytest

rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))
W = rng.standard_normal((3, 5))
LABELS = np.array([0, 2, 1, 2])

# (kernel, args, exception, regex the message must match)
CASES = [
    # gemm: ndim, inner dimension, bias, dtype, activation
    ("gemm", (X.ravel(), W), ValueError, r"a must be 2-D, got shape \(12,\)"),
    ("gemm", (X, W.T), ValueError, r"cannot multiply op\(a\) \(4, 3\) by op\(b\) \(5, 3\)"),
    ("gemm", (X, W, np.zeros(4)), ValueError, r"bias must have shape \(5,\), got \(4,\)"),
    ("gemm", (X.astype(np.int64), W), TypeError, r"a must be float32 or float64, got dtype int64"),
    ("gemm", (X, W.astype(np.complex128)), TypeError, r"b must be float32 or float64.*complex128"),
    ("gemm", (X, W, None, "softplus"), ValueError, r"activation must be one of"),
    ("gemm", (X.astype(np.float16), W), TypeError, r"float16"),
    # (the GPU backend refuses any host object, arrays or not: see test_gpu_arrays.py)
    ("gemm", ("not an array", W), TypeError,
     r"a must be an array of numbers, got str|a is a str in host"),
    # broadcasting
    ("add", (X, np.ones((2, 3))), ValueError, r"shapes \(4, 3\) and \(2, 3\) do not broadcast"),
    ("bias_add", (X, np.ones(4)), ValueError, r"bias must have shape \(3,\) for x \(4, 3\)"),
    ("bias_add", (X.ravel(), np.ones(3)), ValueError, r"x must be 2-D"),
    ("column_sum", (np.ones((2, 3, 4)),), ValueError, r"x must be 2-D, got shape \(2, 3, 4\)"),
    # activations
    ("activation_forward", (X, "gelu"), ValueError, r"activation must be one of"),
    ("activation_forward", (np.ones(3, dtype=bool), "relu"), TypeError, r"dtype bool"),
    ("activation_backward", (X, X[:2], "relu"), ValueError, r"y has shape \(2, 3\) but dout"),
    # softmax and losses
    ("softmax", (np.array([[1.0, np.nan]]),), ValueError, r"NaN or inf"),
    ("softmax", (np.ones(3),), ValueError, r"x must be 2-D"),
    ("softmax_cross_entropy", (np.array([[0.0, np.nan, 1.0]]), np.array([0])),
     ValueError, r"NaN or inf"),
    ("softmax_cross_entropy", (X, np.array([0, 1, 3, 2])), ValueError,
     r"labels must lie in \[0, 3\).*from 0 to 3"),
    ("softmax_cross_entropy", (X, np.array([0, -1, 1, 2])), ValueError, r"labels must lie in"),
    ("softmax_cross_entropy", (X, LABELS[:3]), ValueError, r"4 rows in x \(4, 3\) but 3 labels"),
    ("softmax_cross_entropy", (X, np.eye(4)), ValueError, r"one-hot t must have the shape of x"),
    ("softmax_cross_entropy", (X, LABELS.astype(np.complex64)), TypeError, r"integer labels"),
    ("cross_entropy", (np.full((2, 2), 0.5), np.array([0, 2])), ValueError, r"labels must lie"),
    ("cross_entropy", (np.array([[np.nan, 0.5]]), np.array([0])), ValueError, r"NaN"),
    ("sigmoid_binary_cross_entropy", (X, X[:, :2]), ValueError, r"t has shape \(4, 2\)"),
    ("sigmoid_binary_cross_entropy", (np.array([np.inf]), np.array([1.0])), ValueError,
     r"NaN or inf"),
    ("mean_squared_error", (X, X.T), ValueError, r"t has shape \(3, 4\) but y has shape \(4, 3\)"),
    ("mean_squared_error", (np.array([1.0, np.nan]), np.ones(2)), ValueError, r"NaN or inf"),
    # optimizers
    ("sgd_update", (np.ones(3), np.ones(4), 0.1), ValueError,
     r"grad has shape \(4,\) but param has shape \(3,\)"),
    ("sgd_update", (np.ones(3, dtype=np.int32), np.ones(3), 0.1), TypeError, r"int32"),
    ("momentum_update", (np.ones(3), np.ones(3), np.ones(2), 0.1, 0.9), ValueError,
     r"optimizer state velocity \(2,\)"),
    ("adam_update", (np.ones(3), np.ones(3), np.ones(3), np.ones(3, np.float32), 0.1, 0.9, 0.99),
     ValueError, r"optimizer state v \(3,\) float32 does not match param \(3,\) float64"),
    # in-place arguments are the caller's own arrays; hyperparameters are finite numbers
    ("sgd_update", ([1.0, 2.0, 3.0], np.ones(3), 0.1), TypeError,
     r"param is updated in place, so it must be a \S+, got list"),
    ("sgd_update", (np.ones(3), np.ones(3), None), TypeError, r"lr must be a number, got None"),
    ("sgd_update", (np.ones(3), np.ones(3), np.nan), ValueError, r"lr must be finite, got nan"),
    ("adam_update", (np.ones(3), np.ones(3), np.ones(3), np.ones(3), 0.1, "0.9", 0.99),
     TypeError, r"beta1 must be a number, got '0.9'"),
    ("momentum_update", (np.ones(3), np.ones(3), None, 0.1, 0.9), TypeError,
     r"velocity is updated in place, so it must be a \S+, got NoneType"),
    # None is no array (a NumPy object array before)
    ("gemm", (None, W), TypeError, r"a must be an array of numbers, got NoneType|a is a NoneType"),
    ("softmax", ([[1.0, "a"]],), TypeError, r"x must be an array of numbers, got list|x is a list"),
    # NaN or inf in a target
    ("softmax_cross_entropy", (X, np.where(np.eye(4, 3) == 1, np.nan, 0.0)), ValueError,
     r"the target t contains NaN or inf"),
    ("cross_entropy", (np.full((2, 2), 0.5), np.array([[1.0, 0.0], [-np.inf, 1.0]])),
     ValueError, r"the target t contains NaN or inf"),
    ("mean_squared_error", (np.ones(2), np.array([1.0, np.nan])), ValueError,
     r"y or t contains NaN or inf"),
    ("sigmoid_binary_cross_entropy", (np.ones(2), np.array([np.inf, 1.0])), ValueError,
     r"x or t contains NaN or inf"),
]


@pytest.mark.parametrize(
    "kernel, args, error, message", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_rejected_clearly(backend, kernel, args, error, message):
    with pytest.raises(error, match=message):
        getattr(backend, kernel)(*args)


def test_read_only_parameter_is_refused(backend):
    if backend.name.startswith("cupy"):
        pytest.skip("CuPy arrays have no read-only flag")
    param = np.ones(3)
    param.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        backend.sgd_update(param, np.ones(3), 0.1)


def test_labels_out_of_range_never_touch_memory(backend):
    # A label far out of range would index outside the row in C; it must be
    # rejected before any kernel runs, on every backend.
    with pytest.raises(ValueError, match="labels must lie"):
        backend.softmax_cross_entropy(X, np.array([0, 1, 2, 10**9]))
