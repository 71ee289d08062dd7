"""The direct convolution of one input channel (csrc/conv/conv_direct.h) in
each instruction set's build and on two threads, against the reference.
"""

import numpy as np
import pytest
from _conv_cases import ATOL, LAYOUTS, RTOL, SINGLE_CHANNEL, image

import fastnet


@pytest.mark.parametrize("geom", SINGLE_CHANNEL)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_single_channel_conv_every_simd_build(simd_kernel, reference, dtype, geom, layout):
    """The direct convolution of one channel (forward; dW with and without an
    activation, dout channels-last as pooling gives it or in C order) in each
    instruction set's build, against the reference."""
    n, h, w, fn, fh, fw, stride, pad = geom
    backend = fastnet.backend.load("cython")
    x = image((n, 1, h, w), dtype, layout, seed=28)
    W = image((fn, 1, fh, fw), dtype, seed=29)
    b = np.random.default_rng(30).standard_normal(fn).astype(dtype)
    tol = np.sqrt(fh * fw)
    for activation in ("relu", "identity", "tanh"):
        y = backend.conv_forward(x, W, b, stride, pad, activation)
        want_y = reference.conv_forward(x, W, b, stride, pad, activation)
        np.testing.assert_allclose(y, want_y, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol,
                                   err_msg=f"{simd_kernel} {activation}")
    grad_tol = np.sqrt(max(want_y.size, 1))
    for activation, dout_layout, need_input_grad in [("relu", "channels_last", False),
                                                     ("identity", "channels_last", False),
                                                     ("identity", "c", True)]:
        want_y = reference.conv_forward(x, W, b, stride, pad, activation)
        dout = image(want_y.shape, dtype, dout_layout, seed=31)
        args = (stride, pad, need_input_grad, want_y, activation)
        got = backend.conv_backward(dout, x, W, *args)
        want = reference.conv_backward(dout, x, W, *args)
        for name, a, e in zip(("dx", "dW", "db"), got, want):
            if e is None:
                assert a is None, name
                continue
            np.testing.assert_allclose(a, e, rtol=RTOL[dtype] * grad_tol,
                                       atol=ATOL[dtype] * grad_tol,
                                       err_msg=f"{simd_kernel} {activation} {name}")


def test_single_channel_conv_on_two_threads_matches_one(backend, dtype):
    """The direct convolution splits images over threads (each its own dW sum)."""
    x = image((24, 1, 20, 20), dtype, seed=32)  # past 2^17 multiply-adds
    W = image((30, 1, 3, 3), dtype, seed=33)
    b = np.arange(30, dtype=dtype)

    def run():
        y = backend.conv_forward(x, W, b, 1, 1, "relu")
        return [y, *backend.conv_backward(y, x, W, 1, 1, False, y, "relu")[1:]]

    fastnet.set_num_threads(1)
    one = run()
    fastnet.set_num_threads(2)
    for a, b_ in zip(run(), one):
        np.testing.assert_allclose(a, b_, rtol=RTOL[dtype] * 10, atol=ATOL[dtype] * 100)
