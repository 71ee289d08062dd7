"""The bad-input catalogue, kernels: each kernel of fastnet.backend.load(name), called directly.

Rows as in test_bad_input_catalogue.py (tests/_bad_input.py says what a row
is), but each call takes the backend, B: the checks of validated.py /
validated_conv.py / validated_optimizers.py are the only thing between a
user's array and the compiled code, so every kind of bad input reaches them
here without a layer in front: ndim (0-d included), shape, dtype, labels,
NaN / inf where a kernel refuses them, geometry, in-place state. Rows run
on the "numpy" and "cython" backends.

FOUND_AND_FIXED holds the rows this catalogue found failing, each with the
defect it was: every one is fixed and the row is its regression test. The
loss of an empty batch is not refused: it is 0 with an empty gradient, by
design (tests/kernels/test_losses.py::test_softmax_cross_entropy_empty_batch).
"""

import numpy as np
import pytest
from _bad_input import assert_refused, rows

import fastnet

A, M = np.ones((2, 3)), np.ones((3, 4))
IMG, W = np.ones((2, 3, 5, 5)), np.ones((2, 3, 3, 3))
LOGITS = np.ones((2, 3))


def pool_back(arg_max):
    return lambda B: B.max_pool_backward(np.ones((2, 3, 2, 2)), arg_max, (2, 3, 5, 5), 2, 2, 2, 0)


def bn_train(momentum=0.9, features=3, batch=4):
    """batchnorm_forward_train on x (batch, 3) with gamma of `features` elements."""
    return lambda B: B.batchnorm_forward_train(np.ones((batch, 3)), np.ones(features), np.zeros(3),
                                               np.zeros(3), np.ones(3), momentum)


CASES = [
    # -- gemm, add, bias_add, column_sum
    ("gemm/a 1-D", lambda B: B.gemm(np.ones(3), M),
     ValueError, r"gemm: a must be 2-D, got shape \(3,\)"),
    ("gemm/a 0-d", lambda B: B.gemm(np.float64(1), M),
     ValueError, r"a must be 2-D, got shape \(\)"),
    ("gemm/b 3-D", lambda B: B.gemm(A, np.ones((3, 4, 1))),
     ValueError, r"b must be 2-D, got shape \(3, 4, 1\)"),
    ("gemm/inner sizes", lambda B: B.gemm(A, np.ones((4, 4))), ValueError,
     r"cannot multiply op\(a\) \(2, 3\) by op\(b\) \(4, 4\)"),
    ("gemm/trans_b", lambda B: B.gemm(A, M, trans_b=True),
     ValueError, r"cannot multiply .*trans_b=True"),
    ("gemm/a int", lambda B: B.gemm(np.ones((2, 3), int), M), TypeError,
     r"a must be float32 or float64, got dtype int64"),
    ("gemm/b complex", lambda B: B.gemm(A, M.astype(complex)),
     TypeError, r"b must be float32 or float64, got dtype complex128"),
    ("gemm/a None", lambda B: B.gemm(None, M), TypeError, r"gemm: a must be an array .*NoneType"),
    ("gemm/a str", lambda B: B.gemm("ab", M), TypeError, r"gemm: a must be an array .*str"),
    ("gemm/bias 2-D", lambda B: B.gemm(A, M, np.ones((1, 4))),
     ValueError, r"bias must be 1-D, got shape \(1, 4\)"),
    ("gemm/bias length", lambda B: B.gemm(A, M, np.ones(3)),
     ValueError, r"bias must have shape \(4,\), got \(3,\)"),
    ("gemm/activation", lambda B: B.gemm(A, M, activation="softplus"), ValueError,
     r"activation must be one of .*got 'softplus'"),
    ("add/shapes", lambda B: B.add(A, np.ones((3, 2))),
     ValueError, r"add: shapes \(2, 3\) and \(3, 2\) do not broadcast"),
    ("add/object", lambda B: B.add(A, np.full((2, 3), None)), TypeError, r"dtype object"),
    ("bias_add/bias 2-D", lambda B: B.bias_add(A, np.ones((1, 3))),
     ValueError, r"bias must be 1-D, got shape \(1, 3\)"),
    ("bias_add/bias length", lambda B: B.bias_add(A, np.ones(4)), ValueError,
     r"bias must have shape \(3,\) for x \(2, 3\), got \(4,\)"),
    ("column_sum/1-D", lambda B: B.column_sum(np.ones(3)),
     ValueError, r"column_sum: x must be 2-D, got shape \(3,\)"),
    ("column_sum/0-d", lambda B: B.column_sum(np.float64(3)),
     ValueError, r"x must be 2-D, got shape \(\) \(0-D\)"),
    # -- activations
    ("activation_forward/unknown", lambda B: B.activation_forward(A, "gelu"), ValueError,
     r"activation must be one of \('identity', 'relu', 'sigmoid', 'tanh'\), got 'gelu'"),
    ("activation_forward/None", lambda B: B.activation_forward(A, None),
     ValueError, r"activation must be one of .*got None"),
    ("activation_forward/int", lambda B: B.activation_forward(np.ones(3, int), "relu"), TypeError,
     r"x must be float32 or float64, got dtype int64"),
    ("activation_forward/float16", lambda B: B.activation_forward(np.ones(3, np.float16), "tanh"),
     TypeError,
     r"got dtype float16"),
    ("activation_backward/shape", lambda B: B.activation_backward(A, np.ones((3, 2)), "relu"),
     ValueError,
     r"y has shape \(3, 2\) but dout has shape \(2, 3\)"),
    # -- softmax and the losses
    ("softmax/0-d", lambda B: B.softmax(np.float64(1)),
     ValueError, r"softmax: x must be 2-D, got shape \(\)"),
    ("softmax/3-D", lambda B: B.softmax(np.ones((2, 2, 2))),
     ValueError, r"x must be 2-D, got shape \(2, 2, 2\)"),
    ("softmax/inf", lambda B: B.softmax(np.array([[1, np.inf]])),
     ValueError, r"softmax: the input contains NaN or inf"),
    ("softmax/NaN", lambda B: B.softmax(np.array([[np.nan, 1]])),
     ValueError, r"the input contains NaN or inf"),
    ("cross_entropy/label>=C", lambda B: B.cross_entropy(np.full((2, 3), .3), np.array([0, 3])),
     ValueError,
     r"labels must lie in \[0, 3\) for x of shape \(2, 3\), got values from 0 to 3"),
    ("cross_entropy/label<0", lambda B: B.cross_entropy(np.full((2, 3), .3), np.array([0, -1])),
     ValueError,
     r"labels must lie in \[0, 3\) .*from -1 to 0"),
    ("cross_entropy/float labels",
     lambda B: B.cross_entropy(np.full((2, 3), .3), np.array([0.5, 1.0])),
     ValueError, r"one-hot t must have the shape of x \(2, 3\), got \(2,\)"),
    ("cross_entropy/label count",
     lambda B: B.cross_entropy(np.full((2, 3), .3), np.array([0, 1, 2])),
     ValueError, r"2 rows in x \(2, 3\) but 3 labels in t \(3,\)"),
    ("cross_entropy/labels 2-D",
     lambda B: B.cross_entropy(np.full((2, 3), .3), np.array([[0], [1]])),
     TypeError,
     r"t must be integer labels of shape \(2,\) or .* got dtype int64 and shape \(2, 1\)"),
    ("softmax_cross_entropy/bool labels",
     lambda B: B.softmax_cross_entropy(LOGITS, np.array([True, False])),
     TypeError, r"got dtype bool"),
    ("softmax_cross_entropy/NaN one-hot",
     lambda B: B.softmax_cross_entropy(LOGITS, np.full((2, 3), np.nan)),
     ValueError, r"the target t contains NaN or inf"),
    ("softmax_cross_entropy/one-hot width",
     lambda B: B.softmax_cross_entropy(LOGITS, np.ones((2, 4))),
     ValueError, r"one-hot t must have the shape of x \(2, 3\), got \(2, 4\)"),
    ("softmax_cross_entropy/NaN x",
     lambda B: B.softmax_cross_entropy(LOGITS * np.nan, np.array([0, 1])),
     ValueError, r"the input contains NaN or inf"),
    ("sigmoid_binary_cross_entropy/shape",
     lambda B: B.sigmoid_binary_cross_entropy(A, np.ones((2, 4))),
     ValueError, r"t has shape \(2, 4\) but x has shape \(2, 3\)"),
    ("sigmoid_binary_cross_entropy/NaN t", lambda B: B.sigmoid_binary_cross_entropy(A, A * np.nan),
     ValueError, r"x or t contains NaN or inf"),
    ("mean_squared_error/inf", lambda B: B.mean_squared_error(A, A * np.inf), ValueError,
     r"mean_squared_error: y or t contains NaN or inf"),
    ("mean_squared_error/shape", lambda B: B.mean_squared_error(A, np.ones(6)), ValueError,
     r"t has shape \(6,\) but y has shape \(2, 3\)"),
    # -- im2col, col2im, convolution, pooling
    ("im2col/3-D", lambda B: B.im2col(IMG[0], 3, 3),
     ValueError, r"im2col: x must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
    ("im2col/filter too big", lambda B: B.im2col(IMG, 6, 6),
     ValueError, r"filter 6x6 is bigger than the input \(2, 3, 5, 5\)"),
    ("im2col/stride 0", lambda B: B.im2col(IMG, 3, 3, 0),
     ValueError, r"stride must be an integer >= 1, got 0"),
    ("im2col/pad<0", lambda B: B.im2col(IMG, 3, 3, 1, -1),
     ValueError, r"pad must be an integer >= 0, got -1"),
    ("im2col/filter float", lambda B: B.im2col(IMG, 2.5, 3),
     ValueError, r"filter_h must be an integer >= 1, got 2.5"),
    ("col2im/col shape", lambda B: B.col2im(np.ones((5, 27)), (2, 3, 5, 5), 3, 3), ValueError,
     r"col must have shape \(18, 27\) for input_shape \(2, 3, 5, 5\).*got \(5, 27\)"),
    ("col2im/input_shape 3-D", lambda B: B.col2im(np.ones((18, 27)), (3, 5, 5), 3, 3), ValueError,
     r"input_shape must be \(N, C, H, W\), got \(3, 5, 5\)"),
    ("conv_forward/channels", lambda B: B.conv_forward(np.ones((2, 4, 5, 5)), W, np.zeros(2)),
     ValueError,
     r"x \(2, 4, 5, 5\) has 4 channels but W \(2, 3, 3, 3\) expects 3"),
    ("conv_forward/W 3-D", lambda B: B.conv_forward(IMG, W[0], np.zeros(2)), ValueError,
     r"W must be 4-D \(FN, C, FH, FW\), got shape \(3, 3, 3\)"),
    ("conv_forward/b length", lambda B: B.conv_forward(IMG, W, np.zeros(3)), ValueError,
     r"b must have shape \(2,\) for W \(2, 3, 3, 3\), got \(3,\)"),
    ("conv_forward/no filters", lambda B: B.conv_forward(IMG, np.ones((0, 3, 3, 3)), np.zeros(0)),
     ValueError,
     r"W \(0, 3, 3, 3\) must have at least one filter"),
    ("conv_backward/dout shape", lambda B: B.conv_backward(np.ones((2, 2, 2, 2)), IMG, W),
     ValueError,
     r"dout must have shape \(2, 2, 3, 3\) .*got \(2, 2, 2, 2\)"),
    ("max_pool_forward/pool 0", lambda B: B.max_pool_forward(IMG, 0, 2, 2, 0), ValueError,
     r"filter_h must be an integer >= 1, got 0"),
    ("max_pool_forward/pool too big", lambda B: B.max_pool_forward(IMG, 6, 6, 1, 0), ValueError,
     r"pool 6x6 is bigger than the input \(2, 3, 5, 5\)"),
    ("max_pool_forward/3-D", lambda B: B.max_pool_forward(IMG[0], 2, 2, 2, 0),
     ValueError, r"x must be 4-D"),
    ("max_pool_backward/arg_max shape", pool_back(np.zeros(3, np.int32)), ValueError,
     r"arg_max must be the int32 array of shape \(2, 3, 2, 2\) .*got \(3,\)"),
    ("max_pool_backward/arg_max float", pool_back(np.zeros((2, 3, 2, 2))), ValueError,
     r"arg_max must be the int32 array .*got \(2, 3, 2, 2\) float64"),
    ("max_pool_backward/arg_max>=window", pool_back(np.full((2, 3, 2, 2), 99, np.int32)),
     ValueError,
     r"arg_max values must lie in \[0, 4\)"),
    ("max_pool_backward/arg_max<0", pool_back(np.full((2, 3, 2, 2), -1, np.int32)), ValueError,
     r"arg_max values must lie in \[0, 4\)"),
    # -- batch norm and dropout
    ("batchnorm_forward_train/gamma length", bn_train(features=2), ValueError,
     r"gamma must have shape \(3,\), got \(2,\)"),
    ("batchnorm_forward_train/empty batch", bn_train(batch=0), ValueError,
     r"a batch of x \(0, 3\) has no sample to average"),
    ("batchnorm_forward_train/momentum str", bn_train("0.9"),
     TypeError, r"momentum must be a number, got '0.9'"),
    ("batchnorm_backward/shape",
     lambda B: B.batchnorm_backward(np.ones((4, 3)), np.ones((4, 2)), np.ones(2),
                                                                np.ones(2)), ValueError,
     r"dout has shape \(4, 3\) but xn has shape \(4, 2\)"),
    ("dropout_mask/ratio 1", lambda B: B.dropout_mask((2, 3), 1.0), ValueError,
     r"dropout_ratio must lie in \[0, 1\), got 1.0"),
    ("dropout_forward/mask int", lambda B: B.dropout_forward(A, np.ones((2, 3), int)), ValueError,
     r"mask must be a boolean array of x's shape \(2, 3\), got int64 \(2, 3\)"),
    ("dropout_backward/mask shape", lambda B: B.dropout_backward(A, np.ones((3, 2), bool)),
     ValueError,
     r"mask must be a boolean array of dout's shape \(2, 3\), got bool \(3, 2\)"),
    # -- optimizer updates (param and state are updated in place)
    ("sgd_update/lr NaN", lambda B: B.sgd_update(np.ones(3), np.ones(3), np.nan),
     ValueError, r"lr must be finite, got nan"),
    ("sgd_update/lr str", lambda B: B.sgd_update(np.ones(3), np.ones(3), "0.1"), TypeError,
     r"lr must be a number, got '0.1'"),
    ("sgd_update/grad shape", lambda B: B.sgd_update(np.ones(3), np.ones(4), 0.1), ValueError,
     r"grad has shape \(4,\) but param has shape \(3,\)"),
    ("sgd_update/param 0-d", lambda B: B.sgd_update(np.float64(1), np.float64(1), 0.1), TypeError,
     r"param is updated in place, so it must be a numpy.ndarray, got float64"),
    ("momentum_update/velocity dtype", lambda B: B.momentum_update(
        np.ones(3), np.ones(3), np.ones(3, np.float32), 0.1, 0.9), ValueError,
     r"optimizer state velocity \(3,\) float32 does not match param \(3,\) float64"),
    ("adagrad_update/h list", lambda B: B.adagrad_update(np.ones(3), np.ones(3), [0.0] * 3, 0.1),
     TypeError,
     r"h is updated in place, so it must be a numpy.ndarray, got list"),
    ("adam_update/m shape",
     lambda B: B.adam_update(np.ones(3), np.ones(3), np.zeros(2), np.zeros(3),
                                                    0.1, 0.9, 0.999), ValueError,
     r"optimizer state m \(2,\) float64 does not match param \(3,\)"),
]

# Rows the kernels fail today; each fix belongs in src/fastnet/backend/ (validated*.py).
# (id, call, error, regex, the defect it was before its fix).
FOUND_AND_FIXED = [
    ("softmax/no classes", lambda B: B.softmax(np.ones((2, 0))),
     ValueError, r"softmax: .*(no|0) classes",
     "softmax of x (2, 0): NumPy's 'zero-size array to reduction' (numpy), an empty result "
     "(cython)"),
    ("softmax_cross_entropy/no classes",
     lambda B: B.softmax_cross_entropy(np.ones((2, 0)), np.zeros(2, int)),
     ValueError,
     r"(no|0) classes", "x (2, 0) is refused as 'labels must lie in [0, 0)', not as no classes"),
    ("cross_entropy/negative y",
     lambda B: B.cross_entropy(np.full((2, 3), -0.3), np.array([0, 1])), ValueError,
     r"cross_entropy: y .*probabilit",
     "y < 0: numpy's RuntimeWarning from log, cython blames 'NaN or inf' in finite input"),
    ("softmax_cross_entropy/uint64 label", lambda B: B.softmax_cross_entropy(
        LOGITS, np.array([0, 2**63], np.uint64)),
     ValueError, r"got values from 0 to 9223372036854775808",
     "a uint64 label 2**63 is reported as -9223372036854775808 (cast to int64 before the range "
     "check)"),
    ("gemm/trans_a str", lambda B: B.gemm(A, M, trans_a="yes"),
     TypeError, r"trans_a must be True or False",
     "gemm(trans_a='yes') is taken as True; a flag that is not a bool is not refused"),
    ("batchnorm_forward_train/momentum -1", bn_train(-1.0),
     ValueError, r"momentum must lie in \[0, 1\]",
     "momentum=-1 is accepted: the running statistics are extrapolated"),
    ("batchnorm_forward_train/momentum 1.5", bn_train(1.5),
     ValueError, r"momentum must lie in \[0, 1\]",
     "momentum=1.5 is accepted: the running statistics diverge"),
    ("batchnorm_forward_infer/running_var<0", lambda B: B.batchnorm_forward_infer(
        np.ones((4, 3)), np.ones(3), np.zeros(3), np.zeros(3), -np.ones(3)),
     ValueError, r"running_var.*negative",
     "a negative running_var gives NaN silently (cython) or sqrt's RuntimeWarning (numpy)"),
    ("dropout_mask/shape<0", lambda B: B.dropout_mask((2, -3), 0.5),
     ValueError, r"dropout_mask: shape",
     "dropout_mask((2, -3)) raises NumPy's 'negative dimensions are not allowed', naming no "
     "argument"),
    ("dropout_infer/ratio None", lambda B: B.dropout_infer(A, None),
     TypeError, r"dropout_infer: dropout_ratio must be a number, got None",
     "dropout_infer(x, None) raises float()'s 'argument must be a string or a real number', "
     "naming no argument"),
    ("dropout_mask/ratio str", lambda B: B.dropout_mask((2, 3), "0.5"),
     TypeError, r"dropout_mask: dropout_ratio must be a number, got '0.5'",
     "dropout_mask(shape, '0.5') is accepted, while Dropout('0.5') is refused"),
    ("dropout_mask/shape uint64 max", lambda B: B.dropout_mask((np.uint64(2**64 - 1),), 0.5),
     ValueError, r"dropout_mask: shape \(18446744073709551615,\) has more elements",
     "NumPy's 'Maximum allowed dimension exceeded', naming no argument"),
    ("dropout_mask/shape too big", lambda B: B.dropout_mask((0, 2**63 - 1), 0.5),
     ValueError, r"dropout_mask: shape .* has more elements",
     "NumPy's 'array is too big', naming no argument"),
    ("embedding_backward/input_dim uint64 max", lambda B: B.embedding_backward(
        A, np.zeros((2, 1), np.int64), np.uint64(2**64 - 1)),
     ValueError, r"embedding_backward: input_dim 18446744073709551615 is too large",
     "NumPy's 'Maximum allowed dimension exceeded', naming no argument"),
    ("embedding_backward/input_dim 2**62", lambda B: B.embedding_backward(
        A, np.zeros((2, 1), np.int64), 2**62),
     ValueError, r"embedding_backward: input_dim 4611686018427387904 is too large",
     "NumPy's 'array is too big', naming no argument"),
    ("rmsprop_update/decay_rate 1.5",
     lambda B: B.rmsprop_update(np.ones(3), np.ones(3), np.zeros(3), 0.1, 1.5),
     ValueError, r"decay_rate must lie in \[0, 1\]",
     "decay_rate=1.5 makes the params NaN (cython silently, numpy with sqrt's RuntimeWarning)"),
]


@pytest.mark.parametrize("backend_name, name, call, error, match", rows(
    CASES + [row[:4] for row in FOUND_AND_FIXED]))
def test_bad_input_to_a_kernel_is_refused_clearly(backend_name, name, call, error, match):
    assert_refused(backend_name, call, error, match, fastnet.backend.load(backend_name))
