"""Bad input to the convolution-era kernels and layers: a clear error on every backend."""

import numpy as np
import pytest

import fastnet
from fastnet.layers import BatchNormalization, Convolution

IMG = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
OUT, ARG = fastnet.backend.load("numpy").max_pool_forward(IMG, 2, 2, 2, 0)
F = np.ones(4)

# (kernel, args, exception, regex the message must match)
CASES = [
    ("im2col", (IMG[0], 3, 3), ValueError, r"x must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
    ("im2col", (IMG, 6, 3), ValueError, r"filter 6x3 is bigger than the input \(2, 3, 5, 5\) "
                                        r"padded by 0 \(5x5\)"),
    ("im2col", (IMG, 8, 8, 1, 1), ValueError, r"padded by 1 \(7x7\)"),
    ("im2col", (IMG, 3, 3, 0), ValueError, r"stride must be an integer >= 1, got 0"),
    ("im2col", (IMG, 3, 3, 1.5), ValueError, r"stride must be an integer >= 1, got 1.5"),
    ("im2col", (IMG, 3, 3, 1, -1), ValueError, r"pad must be an integer >= 0, got -1"),
    ("im2col", (IMG, 0, 3), ValueError, r"filter_h must be an integer >= 1"),
    ("im2col", (IMG.astype(np.int64), 3, 3), TypeError, r"x must be float32 or float64"),
    ("col2im", (np.ones((17, 27)), (2, 3, 5, 5), 3, 3), ValueError,
     r"col must have shape \(18, 27\) for input_shape \(2, 3, 5, 5\).*got \(17, 27\)"),
    ("col2im", (np.ones((18, 27)), (2, 3, 5), 3, 3), ValueError, r"input_shape must be"),
    ("col2im", (np.ones(18), (2, 3, 5, 5), 3, 3), ValueError, r"col must be 2-D"),
    ("max_pool_forward", (IMG, 6, 2, 2, 0), ValueError, r"pool 6x2 is bigger than the input"),
    ("max_pool_forward", (IMG, 2, 2, -2, 0), ValueError, r"stride must be an integer >= 1"),
    ("max_pool_forward", (IMG[0, 0], 2, 2, 2, 0), ValueError, r"x must be 4-D"),
    ("max_pool_backward", (OUT[:1], ARG, IMG.shape, 2, 2, 2, 0), ValueError,
     r"dout must have shape \(2, 3, 2, 2\) for input_shape \(2, 3, 5, 5\)"),
    ("max_pool_backward", (OUT, ARG.astype(np.int64), IMG.shape, 2, 2, 2, 0), ValueError,
     r"arg_max must be the int32 array of shape \(2, 3, 2, 2\)"),
    ("max_pool_backward", (OUT, ARG + 4, IMG.shape, 2, 2, 2, 0), ValueError,
     r"arg_max values must lie in \[0, 4\)"),
    ("max_pool_backward", (OUT, ARG - 1, IMG.shape, 2, 2, 2, 0), ValueError,
     r"arg_max values must lie in \[0, 4\)"),
    ("conv_forward", (IMG, np.ones((4, 2, 3, 3)), np.zeros(4)), ValueError,
     r"x \(2, 3, 5, 5\) has 3 channels but W \(4, 2, 3, 3\) expects 2"),
    ("conv_forward", (IMG, np.ones((4, 3, 3, 3)), np.zeros(5)), ValueError,
     r"b must have shape \(4,\) for W \(4, 3, 3, 3\), got \(5,\)"),
    ("conv_forward", (IMG, np.ones((4, 3, 6, 3)), np.zeros(4)), ValueError,
     r"filter 6x3 is bigger than the input \(2, 3, 5, 5\)"),
    ("conv_forward", (IMG, np.ones((4, 3, 3)), np.zeros(4)), ValueError, r"W must be 4-D"),
    ("conv_forward", (IMG, np.ones((4, 3, 3, 3)), np.zeros(4), 1, 0, "gelu"), ValueError,
     r"activation must be one of"),
    ("conv_backward", (np.ones((2, 4, 2, 2)), IMG, np.ones((4, 3, 3, 3))), ValueError,
     r"dout must have shape \(2, 4, 3, 3\) for x \(2, 3, 5, 5\) and W \(4, 3, 3, 3\)"),
    ("conv_backward", (np.ones((2, 4, 3, 3)), IMG, np.ones((4, 3, 3, 3)), 1, 0, True, None,
                       "relu"), ValueError, r"activation 'relu' needs y"),
    ("conv_backward", (np.ones((2, 4, 3, 3)), IMG, np.ones((4, 3, 3, 3)), 1, 0, True,
                       np.ones((2, 4, 3, 2)), "relu"), ValueError,
     r"y has shape \(2, 4, 3, 2\) but dout has shape \(2, 4, 3, 3\)"),
    ("batchnorm_forward_train", (np.ones((3, 4)), np.ones(5), F, F.copy(), F.copy(), 0.9),
     ValueError, r"gamma must have shape \(4,\), got \(5,\)"),
    ("batchnorm_forward_train", (np.ones((0, 4)), F, F, F.copy(), F.copy(), 0.9), ValueError,
     r"x \(0, 4\) has no sample"),
    ("batchnorm_forward_train", (np.ones((3, 4)), F, F, np.ones(4, np.float32), F.copy(), 0.9),
     ValueError, r"running_mean must be a float64 array of shape \(4,\) for x \(3, 4\)"),
    ("batchnorm_forward_train", (np.ones((3, 4, 1)), F, F, F.copy(), F.copy(), 0.9),
     ValueError, r"x must be 2-D"),
    ("batchnorm_forward_infer", (np.ones((3, 4)), F, F, np.ones(3), F), ValueError,
     r"running_mean must be a float64 array of shape \(4,\)"),
    ("batchnorm_backward", (np.ones((3, 4)), np.ones((3, 5)), F, F), ValueError,
     r"dout has shape \(3, 4\) but xn has shape \(3, 5\)"),
    ("dropout_forward", (np.ones((3, 4)), np.ones((3, 4))), ValueError,
     r"mask must be a boolean array of x's shape \(3, 4\)"),
    ("dropout_backward", (np.ones((3, 4)), np.ones((4, 3), bool)), ValueError,
     r"mask must be a boolean array of dout's shape \(3, 4\), got bool \(4, 3\)"),
    ("dropout_mask", ((3, 4), 1.0), ValueError, r"dropout_ratio must lie in \[0, 1\)"),
    ("dropout_infer", (np.ones(3), -0.1), ValueError, r"dropout_ratio must lie in \[0, 1\)"),
    ("conv_forward", (IMG, np.ones((0, 3, 3, 3)), np.zeros(0)), ValueError,
     r"W \(0, 3, 3, 3\) must have at least one filter \(FN\) and one channel \(C\)"),
    ("conv_pool_backward", (OUT, ARG, OUT, IMG, np.ones((3, 0, 1, 1)), 1, 0, "relu",
                            (2, 2, 2, 0)), ValueError, r"at least one filter"),
    ("batchnorm_forward_train", (np.ones((3, 4)), F, F, F.copy(), F.copy(), None), TypeError,
     r"momentum must be a number, got None"),
    ("batchnorm_forward_train", (np.ones((3, 4)), F, F, [0.0] * 4, F.copy(), 0.9), TypeError,
     r"running_mean is updated in place, so it must be a \S+, got list"),
]


@pytest.mark.parametrize(
    "kernel, args, error, message", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_rejected_clearly(backend, kernel, args, error, message):
    with pytest.raises(error, match=message):
        getattr(backend, kernel)(*args)


def test_running_statistics_must_be_writable(backend):
    if backend.name.startswith("cupy"):
        pytest.skip("CuPy arrays have no read-only flag")
    rm = np.zeros(4)
    rm.flags.writeable = False
    with pytest.raises(ValueError, match="running_mean is read-only"):
        backend.batchnorm_forward_train(np.ones((3, 4)), F, F, rm, np.zeros(4), 0.9)


def test_convolution_channel_mismatch(backend):
    with fastnet.using_backend(backend.name):
        conv = Convolution(np.ones((4, 2, 3, 3)), np.zeros(4))
        with pytest.raises(ValueError, match=r"x \(2, 3, 5, 5\) has 3 channels but W "
                                             r"\(4, 2, 3, 3\) expects 2"):
            conv.forward(IMG)
        with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\), got shape \(3, 5"):
            conv.forward(IMG[0])
        with pytest.raises(ValueError, match=r"filter 3x3 is bigger than the input"):
            conv.forward(np.ones((1, 2, 2, 2)))


def test_batchnorm_layer_feature_mismatch(backend):
    with fastnet.using_backend(backend.name):
        bn = BatchNormalization(np.ones(5), np.zeros(5))
        with pytest.raises(ValueError, match=r"gamma must have shape \(75,\), got \(5,\)"):
            bn.forward(IMG)
