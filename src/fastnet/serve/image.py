"""One uploaded PNG or JPEG → a 28×28 digit prepared the way MNIST's were.

MNIST's digits are white on black, fitted into a 20×20 box keeping their
aspect ratio, and placed in a 28×28 image so that their centre of mass is
at its centre. A photo or a canvas drawing is usually dark on light, of any
size and anywhere in the frame: this does the same steps, so the network
sees what it was trained on. Pillow decodes; only PNG and JPEG are
accepted, and the pixel count is checked from the header before any
decoding (a small file can declare a huge image: a decompression bomb).
"""

import io

import numpy as np

from .errors import RequestError

__all__ = ["MAX_PIXELS", "mnist_digit"]

MAX_PIXELS = 4096 * 4096
_FORMATS = ("PNG", "JPEG")
_BOX = 20  # the digit's bounding box, as MNIST's
_SIDE = 28
_INK = 0.1  # pixels brighter than this (of 1) belong to the digit


def _decode(data, max_pixels):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=_FORMATS)
        width, height = image.size
        if width * height > max_pixels:
            raise RequestError(f"the image is {width}×{height} pixels, more than the "
                               f"{max_pixels} this server decodes", status=413)
        if image.mode.startswith("I"):
            return _wide_gray(image)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            # A transparent background is paper: put it on white before dropping colour.
            canvas = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(canvas, image.convert("RGBA"))
        return np.asarray(image.convert("L"), dtype=np.float64) / 255.0
    except RequestError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        # Pillow's own, higher limit (its warning is an exception where warnings are errors)
        raise RequestError("the image declares too many pixels", status=413) from None
    except UnidentifiedImageError:
        raise RequestError("the body is not a PNG or JPEG image", status=415) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise RequestError(f"the image cannot be decoded ({exc})") from None


def _wide_gray(image):
    """A 16-bit grayscale PNG (Pillow's mode I;16, or I in older Pillows) as floats in
    [0, 1]. Pillow's convert("L") clips such pixels at 255 instead of scaling them,
    which turns any ink lighter than 0.4 % into white: a blank image."""
    pixels = np.asarray(image, dtype=np.float64)
    # A PNG's samples have at most 16 bits, whatever width Pillow stores them in.
    gray = np.clip(pixels / 65535.0, 0.0, 1.0)
    key = image.info.get("transparency")
    if isinstance(key, int):  # the one gray value a PNG marks transparent: paper
        gray[pixels == key] = 1.0
    return gray


def _fit(digit):
    """The digit scaled so its longer side is 20 pixels (Pillow's antialiasing filter)."""
    from PIL import Image

    height, width = digit.shape
    scale = _BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray((digit * 255).astype(np.uint8)).resize(size, Image.LANCZOS)
    return np.asarray(image, dtype=np.float64) / 255.0


def mnist_digit(data, max_pixels=MAX_PIXELS):
    """(28, 28) floats in [0, 1], white digit on black, from PNG/JPEG bytes."""
    gray = _decode(data, max_pixels)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if border.mean() > 0.5:  # dark ink on light paper: MNIST's is the other way
        gray = 1.0 - gray
    rows = np.flatnonzero((gray > _INK).any(axis=1))
    cols = np.flatnonzero((gray > _INK).any(axis=0))
    if rows.size == 0:
        raise RequestError("the image is blank: no digit found", status=422)
    digit = _fit(gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    height, width = digit.shape
    mass = digit.sum()
    if mass == 0:
        raise RequestError("the image is blank: no digit found", status=422)
    cy = (digit.sum(axis=1) * np.arange(height)).sum() / mass
    cx = (digit.sum(axis=0) * np.arange(width)).sum() / mass
    # The centre of mass at the centre, as far as the image stays inside the frame.
    top = int(np.clip(round(_SIDE / 2 - 0.5 - cy), 0, _SIDE - height))
    left = int(np.clip(round(_SIDE / 2 - 0.5 - cx), 0, _SIDE - width))
    out = np.zeros((_SIDE, _SIDE))
    out[top:top + height, left:left + width] = digit
    return np.clip(out, 0.0, 1.0)
