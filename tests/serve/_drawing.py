"""Images for the serve tests, drawn with Pillow: strokes as a person draws them."""

import io

from PIL import Image, ImageDraw


def png(image):
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def vertical_stroke(size=280, ink="black", paper="white", mode="RGB", width=20):
    """A '1': one vertical line in the middle of a canvas, dark on light by default."""
    image = Image.new(mode, (size, size), paper)
    draw = ImageDraw.Draw(image)
    draw.line([(size // 2, size // 5), (size // 2, size * 4 // 5)], fill=ink, width=width)
    return image
