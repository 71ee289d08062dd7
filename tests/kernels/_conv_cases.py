"""What the convolution family's tests share: tolerances, geometries, layouts
and the random images they run on (test_conv*.py)."""

import numpy as np

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}

# (N, C, H, W, FH, FW, stride, pad): odd, prime, non-square, windows that do not
# tile the input (stride not dividing H + 2·pad - FH), a window as big as the
# padded image, an empty batch.
GEOMETRIES = [
    (2, 3, 7, 5, 3, 3, 1, 0),
    (1, 1, 5, 5, 5, 5, 1, 0),
    (3, 2, 9, 8, 2, 3, 2, 1),
    (2, 5, 11, 7, 3, 2, 3, 2),
    (1, 2, 6, 13, 4, 1, 2, 2),
    (2, 1, 4, 4, 8, 8, 1, 2),
    (0, 3, 6, 6, 3, 3, 1, 1),
    (4, 7, 13, 11, 5, 3, 3, 0),
    (2, 3, 28, 28, 5, 5, 1, 0),
    (2, 9, 6, 7, 3, 3, 1, 1),  # 8+ channels: dx by the flipped filters (cython/layout.py)
    (2, 17, 9, 8, 2, 2, 2, 0),  # the book's 2x2 pooling (compiled 2x2 kernels), odd h
    (2, 3, 6, 7, 2, 2, 2, 1),  # 2x2 windows over the edge
    # one image whose output is one column wide: NumPy may export any stride
    # for the length-1 axes, and a channels-last view of it is F-contiguous
    (1, 3, 8, 5, 3, 5, 1, 0),
]
LAYOUTS = ("c", "channels_last", "strided")

# im2col / col2im specialise the usual filter sizes (csrc/conv/im2col_impl.h): these
# add each special case (3x3 and 5x5 with padding, 1, 7 and other widths,
# fh != fw) next to the general code, at stride 1 (col2im's gather) and 2.
IM2COL_GEOMETRIES = GEOMETRIES + [
    (3, 4, 10, 12, 7, 7, 1, 3),
    (2, 3, 9, 11, 3, 3, 2, 1),
    (2, 2, 8, 9, 5, 5, 1, 2),
    (2, 3, 7, 9, 1, 1, 1, 0),
    (1, 2, 8, 10, 4, 6, 1, 1),
    (2, 3, 5, 6, 3, 5, 1, 0),
    (2, 2, 9, 5, 5, 3, 1, 2),
    (1, 3, 7, 8, 3, 7, 2, 1),
    (1, 2, 9, 10, 2, 3, 1, 3),  # windows wholly in the padding
    (2, 3, 6, 12, 3, 3, 1, 2),
]


def image(shape, dtype, layout="c", seed=0):
    """Random (N, C, H, W) values in the given memory layout."""
    rng = np.random.default_rng(seed)
    n, c, h, w = shape
    if layout == "c":
        return rng.standard_normal(shape).astype(dtype)
    if layout == "channels_last":  # a transposed view, like Convolution's output
        return rng.standard_normal((n, h, w, c)).astype(dtype).transpose(0, 3, 1, 2)
    return rng.standard_normal((n, c, h, 2 * w)).astype(dtype)[..., ::2]


def out_size(size, f, stride, pad):
    return (size + 2 * pad - f) // stride + 1


def close(actual, expected, dtype):
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


# (N, H, W, FN, FH, FW, stride, pad) on one input channel: csrc/conv/conv_direct.h's
# kernels, whose lanes are the filters (1, 7, 16, 30, 33: partial vectors
# and several groups of vectors at every width) and whose blocks of pixels or
# taps run past a row's end or the filter's last tap.
SINGLE_CHANNEL = [
    (3, 9, 8, 1, 3, 3, 1, 1),
    (1, 7, 11, 7, 1, 1, 1, 0),
    (3, 12, 10, 16, 5, 5, 1, 2),
    (1, 28, 28, 30, 5, 5, 1, 0),
    (3, 10, 13, 33, 3, 5, 2, 1),
    (0, 6, 6, 7, 3, 3, 1, 0),
    (1, 8, 9, 30, 5, 3, 2, 0),
    (3, 5, 6, 33, 1, 3, 2, 2),
    (2, 28, 28, 16, 3, 3, 1, 1),
    # A stride past the image, up to the largest an int64 holds: one output
    # position, which the direct kernel computed in blocks a stride apart.
    (2, 6, 7, 3, 3, 2, 2**61, 1),
    (3, 6, 7, 9, 3, 2, 2**63 - 1, 0),
    (2, 5, 9, 17, 2, 3, 100_000, 2),
]
