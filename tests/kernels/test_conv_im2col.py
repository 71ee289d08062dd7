"""im2col and col2im: the reference against definitions written as plain loops
(col2im as the adjoint of im2col), then every backend against the reference
over odd sizes, stride 1-3, pad 0-2, non-square windows, both dtypes, empty
batches and non-contiguous inputs, and without AVX2.
"""

import itertools

import numpy as np
import pytest
from _conv_cases import GEOMETRIES, IM2COL_GEOMETRIES, LAYOUTS, close, image, out_size

import fastnet

# ------------------------------------------------------ the definitions


def loop_im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.zeros((n * oh * ow, c * fh * fw), x.dtype)
    for b, y, z, ch, i, j in itertools.product(range(n), range(oh), range(ow), range(c),
                                               range(fh), range(fw)):
        r, s = y * stride + i - pad, z * stride + j - pad
        if 0 <= r < h and 0 <= s < w:
            col[(b * oh + y) * ow + z, (ch * fh + i) * fw + j] = x[b, ch, r, s]
    return col


@pytest.mark.parametrize("geom", GEOMETRIES[:6])
def test_reference_im2col_is_the_loop_definition(reference, geom):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), np.float64)
    np.testing.assert_array_equal(reference.im2col(x, fh, fw, stride, pad),
                                  loop_im2col(x, fh, fw, stride, pad))


@pytest.mark.parametrize("geom", GEOMETRIES[:6])
def test_reference_col2im_is_the_loop_adjoint(reference, geom):
    n, c, h, w, fh, fw, stride, pad = geom
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.random.default_rng(1).standard_normal((n * oh * ow, c * fh * fw))
    expected = np.zeros((n, c, h, w))
    for b, y, z, ch, i, j in itertools.product(range(n), range(oh), range(ow), range(c),
                                               range(fh), range(fw)):
        r, s = y * stride + i - pad, z * stride + j - pad
        if 0 <= r < h and 0 <= s < w:
            expected[b, ch, r, s] += col[(b * oh + y) * ow + z, (ch * fh + i) * fw + j]
    np.testing.assert_allclose(reference.col2im(col, (n, c, h, w), fh, fw, stride, pad),
                               expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
def test_col2im_is_the_adjoint_of_im2col(backend, geom):
    """<im2col(x), c> == <x, col2im(c)> for random x and c."""
    n, c, h, w, fh, fw, stride, pad = geom
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, c, h, w))
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = rng.standard_normal((n * oh * ow, c * fh * fw))
    lhs = np.vdot(backend.im2col(x, fh, fw, stride, pad), col)
    rhs = np.vdot(x, backend.col2im(col, (n, c, h, w), fh, fw, stride, pad))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (lhs, rhs)

# ----------------------------------------------- every backend vs the reference


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_im2col(backend, reference, dtype, geom, layout):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout)
    col = backend.im2col(x, fh, fw, stride, pad)
    # a copy of values: exact on every backend
    np.testing.assert_array_equal(col, reference.im2col(x, fh, fw, stride, pad))
    assert col.dtype == dtype


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_col2im(backend, reference, dtype, geom, layout):
    n, c, h, w, fh, fw, stride, pad = geom
    rows = n * out_size(h, fh, stride, pad) * out_size(w, fw, stride, pad)
    col = np.random.default_rng(3).standard_normal((rows, c * fh * fw)).astype(dtype)
    if layout == "transposed":
        col = np.asfortranarray(col)
    close(backend.col2im(col, (n, c, h, w), fh, fw, stride, pad),
          reference.col2im(col, (n, c, h, w), fh, fw, stride, pad), dtype)


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("channels_last", [False, True])
def test_compiled_col2im_overwrites_dx(dtype, geom, channels_last):
    """The C col2im sets every pixel of dx (gather at stride 1, zeroing before the
    scatter otherwise), so its caller may hand it uninitialised memory."""
    from fastnet import _conv

    n, c, h, w, fh, fw, stride, pad = geom
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.random.default_rng(4).standard_normal((n * oh * ow, c * fh * fw)).astype(dtype)
    expected = fastnet.backend.load("numpy").col2im(col, (n, c, h, w), fh, fw, stride, pad)
    if channels_last:  # col's columns in (i, j, c) order, dx a channels-last view
        col = np.ascontiguousarray(col.reshape(-1, c, fh, fw).transpose(0, 2, 3, 1)
                                   .reshape(col.shape))
        dx = np.full((n, h, w, c), np.nan, dtype).transpose(0, 3, 1, 2)
    else:
        dx = np.full((n, c, h, w), np.nan, dtype)
    _conv.col2im(col, dx, fh, fw, stride, pad, oh, ow, channels_last)
    close(dx, expected, dtype)

_PORTABLE_IM2COL_CHECK = """
import numpy as np
from fastnet import _elementwise
from fastnet.backend import load
assert _elementwise.simd() == "portable", _elementwise.simd()
cy, ref = load("cython"), load("numpy")
rng = np.random.default_rng(0)
# the last two: windows wholly in the padding, strides past the image
for fh, fw, stride, pad in ((3, 3, 1, 1), (5, 5, 1, 2), (4, 3, 2, 1), (2, 5, 1, 0), (3, 7, 1, 3),
                            (1, 3, 4, 5), (5, 5, 7, 6)):
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((2, 3, 11, 13)).astype(dtype)
        np.testing.assert_array_equal(cy.im2col(x, fh, fw, stride, pad),
                                      ref.im2col(x, fh, fw, stride, pad))
        col = ref.im2col(x, fh, fw, stride, pad)
        np.testing.assert_allclose(cy.col2im(col, x.shape, fh, fw, stride, pad),
                                   ref.col2im(col, x.shape, fh, fw, stride, pad), rtol=1e-5,
                                   atol=1e-5)
# max pooling's NaN rule (a NaN anywhere wins its window), C order and channels-last
for pool in ((2, 2, 2, 0), (3, 3, 1, 0)):
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((2, 5, 6, 7)).astype(dtype)
        x[rng.random(x.shape) < 0.1] = np.nan
        for x in (x, np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)):
            for got, expected in zip(cy.max_pool_forward(x, *pool), ref.max_pool_forward(x, *pool)):
                np.testing.assert_array_equal(got, expected)
print("ok")
"""


def test_im2col_col2im_pool_portable():
    """FASTNET_SIMD=portable: im2col's copies without AVX2 (the
    16-byte overlapping runs), col2im's scalar gather instead of its 5x5
    vectors and max pooling's loops without AVX2 give the reference's values
    (new process: the choice is made once per process)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, FASTNET_SIMD="portable")
    proc = subprocess.run([sys.executable, "-c", _PORTABLE_IM2COL_CHECK], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ok"
