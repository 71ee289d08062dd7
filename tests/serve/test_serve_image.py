"""MNIST's preprocessing of an uploaded image: invert, fit into 20×20, centre by mass."""

import io

import numpy as np
import pytest
from _drawing import png, vertical_stroke
from PIL import Image, ImageDraw

from fastnet.serve.errors import RequestError
from fastnet.serve.image import mnist_digit


def ink_box(digit):
    rows = np.flatnonzero(digit.max(axis=1) > 0.05)
    cols = np.flatnonzero(digit.max(axis=0) > 0.05)
    return rows[0], rows[-1], cols[0], cols[-1]


def centre_of_mass(digit):
    ys, xs = np.indices(digit.shape)
    return (ys * digit).sum() / digit.sum(), (xs * digit).sum() / digit.sum()


def test_a_stroke_off_centre_lands_in_the_middle_at_mnist_size():
    image = Image.new("L", (500, 300), 255)
    ImageDraw.Draw(image).rectangle([20, 30, 120, 90], fill=0)  # dark ink, top left
    digit = mnist_digit(png(image))
    assert digit.shape == (28, 28) and digit.min() >= 0 and digit.max() <= 1
    top, bottom, left, right = ink_box(digit)
    assert max(bottom - top + 1, right - left + 1) == 20  # the longer side fits 20 pixels
    assert 10 <= bottom - top + 1 <= 14  # the aspect ratio kept (61 × 101 → 12 × 20)
    cy, cx = centre_of_mass(digit)
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1
    assert digit[0].max() == 0 and digit[:, 0].max() == 0  # the background is black


def test_light_on_dark_is_not_inverted():
    dark = mnist_digit(png(vertical_stroke(ink="white", paper="black")))
    light = mnist_digit(png(vertical_stroke()))
    np.testing.assert_allclose(dark, light, atol=1e-12)


def test_a_thin_line_keeps_one_pixel():
    image = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(image).line([(150, 10), (150, 290)], fill=0, width=1)
    digit = mnist_digit(png(image))
    assert ink_box(digit)[1] - ink_box(digit)[0] + 1 == 20


def test_pixel_limit():
    with pytest.raises(RequestError, match="more than the 100 this server decodes"):
        mnist_digit(png(Image.new("L", (11, 10))), max_pixels=100)


def test_a_16_bit_png_is_scaled_not_clipped():
    # Regression: Pillow's convert("L") clips 16-bit pixels at 255 instead of scaling
    # them, so this 30 %-gray digit on white was read as blank (an HTTP 422).
    pixels = np.full((40, 40), 65535, np.uint16)
    pixels[5:35, 18:22] = 20000
    eight_bit = mnist_digit(png(Image.fromarray((pixels // 257).astype(np.uint8))))
    wide = Image.fromarray(pixels)
    assert wide.mode.startswith("I")  # Pillow's 16-bit grayscale: I;16 (I in old versions)
    np.testing.assert_allclose(mnist_digit(png(wide)), eight_bit, atol=2 / 255)
    # The same image with its white marked transparent: paper all the same.
    buf = io.BytesIO()
    wide.save(buf, "PNG", transparency=65535)
    np.testing.assert_allclose(mnist_digit(buf.getvalue()), eight_bit, atol=2 / 255)
