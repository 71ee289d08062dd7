"""Sliding windows over channels-last images, as strided views, and Keras' padding.

A kh×kw window moved by strides (sh, sw) sees, at its offset (i, j), the
cells x[:, i::sh, j::sw] cut to the output's size: one view of the whole
batch per offset, nothing copied. Layers the engine has no kernel for
(AveragePooling2D; Conv2D with strides or padding that differ per axis)
combine these kh·kw views, and in backward add gradients back through the
same views, where overlapping windows sum by themselves.
"""

from ...backend import current

# A padded image plane must have fewer pixels than this: the bound the engine's
# kernels keep (backend/checks/conv.py, _PADDED_PLANE_LIMIT). The layers here pad
# the input themselves, so they check it first: a pool_size of 2**31 in a small
# model file asked NumPy for 96 GiB of padding.
PADDED_PLANE_LIMIT = 2**31


def checked_window(window, name):
    """window (kh, kw), refused when it alone covers 2**31 pixels: no padded plane holds it."""
    pixels = window[0] * window[1]
    if pixels >= PADDED_PLANE_LIMIT:
        raise ValueError(f"{name} {window} covers {pixels} pixels; a window must cover fewer "
                         f"than 2**31, the most a padded image may have")
    return window


def check_padded_plane(layer, input_hw, pads, argument):
    """Refuse 'same' padding that makes each image 2**31 pixels or more (`argument`: its cause)."""
    (top, bottom), (left, right) = pads
    height, width = input_hw[0] + top + bottom, input_hw[1] + left + right
    if (top or bottom or left or right) and height * width >= PADDED_PLANE_LIMIT:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r}: {argument} with padding='same' pads each "
            f"{input_hw[0]}x{input_hw[1]} image to {height}x{width} = {height * width} "
            f"pixels; a padded image must stay under 2**31 pixels")


def padding_name(value, layer):
    """'valid' or 'same', in any case, as Keras accepts them."""
    if not isinstance(value, str) or value.lower() not in ("valid", "same"):
        raise ValueError(f"{layer}: padding must be 'valid' or 'same', got {value!r}")
    return value.lower()


def output_size(input_hw, window, strides, padding):
    """(height, width) of the output: ceil(n / s) for 'same', (n - k) // s + 1 for 'valid'."""
    if padding == "same":
        return tuple(-(-n // s) for n, s in zip(input_hw, strides))
    return tuple((n - k) // s + 1 for n, k, s in zip(input_hw, window, strides))


def same_pads(input_hw, window, strides):
    """Keras' 'same' padding, ((top, bottom), (left, right)): the odd cell at the bottom / right."""
    outputs = output_size(input_hw, window, strides, "same")
    totals = (max((o - 1) * s + k - n, 0)
              for n, o, k, s in zip(input_hw, outputs, window, strides))
    return tuple((t // 2, t - t // 2) for t in totals)


def padded(x, pads, value=0):
    """x with `pads` rows and columns of `value` around each image (x itself when none)."""
    if not any(map(any, pads)):
        return x
    return current().xp.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)


def cropped(x, pads):
    """The inside of a padded x: the rows and columns `padded` added, removed."""
    (top, bottom), (left, right) = pads
    return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right, :]


def views(x, window, strides, output_hw):
    """One strided view of x per offset inside the window, in row-major offset order.

    Each view is (batch, *output_hw, channels): the cells that offset of every
    window position sees.
    """
    (oh, ow), (sh, sw) = output_hw, strides
    for i in range(window[0]):
        for j in range(window[1]):
            yield x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
