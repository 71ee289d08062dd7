"""Max pooling: every backend against the reference (C order, channels-last,
strided), the book's tie rule, and the compiled backward's overwrite of dx.
"""

import numpy as np
import pytest
from _conv_cases import GEOMETRIES, LAYOUTS, close, image

import fastnet


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("channels_last", [False, True])
def test_compiled_max_pool_backward_overwrites_dx(dtype, geom, channels_last):
    """The C max_pool_backward sets every pixel of dx (the tiled windows' pixels
    once, the rest to zero), so its caller may hand it uninitialised memory."""
    from fastnet import _conv

    n, c, h, w, ph, pw, stride, pad = geom
    reference = fastnet.backend.load("numpy")
    layout = "channels_last" if channels_last else "c"
    _, arg_max = reference.max_pool_forward(image((n, c, h, w), dtype, layout, seed=7),
                                            ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, seed=8)
    if channels_last:  # the route along the channels, and 2x2 windows set, not added
        arg_max = np.ascontiguousarray(arg_max.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        dx = np.full((n, h, w, c), np.nan, dtype).transpose(0, 3, 1, 2)
    else:
        dx = np.full((n, c, h, w), np.nan, dtype)
    _conv.max_pool_backward(dout, arg_max, dx, ph, pw, stride, pad)
    close(dx, reference.max_pool_backward(dout, arg_max, (n, c, h, w), ph, pw, stride, pad),
          dtype)


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_forward(backend, reference, dtype, geom, layout):
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout, seed=4)
    out, arg_max = backend.max_pool_forward(x, ph, pw, stride, pad)
    ref_out, ref_arg = reference.max_pool_forward(x, ph, pw, stride, pad)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(arg_max, ref_arg)
    assert out.dtype == dtype and arg_max.dtype == np.int32


def test_max_pool_ties_pick_the_first_maximum(backend, dtype):
    """The book's np.argmax rule: equal values -> the first in the window (row-major)."""
    x = np.zeros((1, 2, 4, 4), dtype)
    x[0, 1, 1, 0] = x[0, 1, 1, 1] = 5  # second row of the first window, twice
    out, arg_max = backend.max_pool_forward(x, 2, 2, 2, 0)
    assert arg_max[0, 0].tolist() == [[0, 0], [0, 0]]  # all zeros: first element
    assert arg_max[0, 1, 0, 0] == 2 and out[0, 1, 0, 0] == 5
    # padding is zeros that take part (the book pools zero-padded patches)
    neg = -np.ones((1, 1, 2, 2), dtype)
    out, arg_max = backend.max_pool_forward(neg, 2, 2, 2, 1)
    assert out[0, 0, 0, 0] == 0 and arg_max[0, 0, 0, 0] == 0


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_backward(backend, reference, dtype, geom, layout):
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, seed=5)
    _, arg_max = reference.max_pool_forward(x, ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, layout, seed=6)
    close(backend.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad),
          reference.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad), dtype)

@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_backward_channels_last(backend, reference, dtype, geom, layout):
    """x channels-last, as between a Convolution and its Pooling (the arg_max
    the backend's own forward made), dout in any layout: fastnet.backend.cython.conv's
    vectorized route."""
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, "channels_last", seed=5)
    _, arg_max = backend.max_pool_forward(x, ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, layout, seed=6)
    close(backend.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad),
          reference.max_pool_backward(dout, np.ascontiguousarray(arg_max), x.shape, ph, pw,
                                      stride, pad), dtype)
