"""Random convolution and pooling geometries, awkward ones on purpose.

A `Window` is a filter (or pool) of fh x fw moved by `stride` over
(N, C, H, W) images zero-padded by `pad`. `draw_window` mixes the book's
geometries with the ones kernels get wrong: padding wider than the filter
(windows wholly in the padding), strides that jump past the image, windows
as big as the padded image, 1x1 filters, one channel (the direct
convolution) and few filters.
"""

from dataclasses import dataclass

# Kinds with one output position (a window as big as the padded image, a
# stride past it) come twice: with few filters and more than one image they
# leave a kernel the least room to read or write past its arrays.
WINDOW_KINDS = ("book", "random", "random", "pad_beyond_filter", "stride_past_image",
                "stride_past_image", "full", "full", "one_by_one")


def output_size(size, f, stride, pad):
    return (size + 2 * pad - f) // stride + 1


@dataclass(frozen=True)
class Window:
    n: int
    c: int
    h: int
    w: int
    fh: int
    fw: int
    stride: int
    pad: int

    @property
    def oh(self):
        return output_size(self.h, self.fh, self.stride, self.pad)

    @property
    def ow(self):
        return output_size(self.w, self.fw, self.stride, self.pad)

    @property
    def image(self):
        return (self.n, self.c, self.h, self.w)

    def has_padding_only_window(self):
        """True when some window position sees nothing but padding."""
        return (_padding_only(self.h, self.fh, self.stride, self.pad, self.oh)
                or _padding_only(self.w, self.fw, self.stride, self.pad, self.ow))

    def overlap(self):
        """How many windows can cover one pixel: the longest sum of col2im."""
        return -(-self.fh // self.stride) * -(-self.fw // self.stride)

    def __str__(self):
        return (f"N={self.n} C={self.c} H={self.h} W={self.w} window {self.fh}x{self.fw} "
                f"stride {self.stride} pad {self.pad} -> {self.oh}x{self.ow}"
                + (" (a window wholly in the padding)" if self.has_padding_only_window() else ""))


def _padding_only(size, f, stride, pad, out):
    # Position o covers padded rows [o·stride, o·stride + f): all padding when it
    # ends before the image starts or starts after the image ends.
    return any(o * stride + f <= pad or o * stride >= pad + size for o in range(out))


def draw_window(rng, big=False, tight=False, channels=None):
    """A random valid Window; `big` makes it large enough for a second thread,
    `tight` gives one output position over two or more images."""
    kind = str(rng.choice(("full", "stride_past_image") if tight else WINDOW_KINDS))
    if big:
        n, h, w = int(rng.integers(8, 17)), int(rng.integers(14, 21)), int(rng.integers(14, 21))
    else:
        n = int(rng.choice([2, 3, 5] if tight else [0, 1, 2, 2, 3, 5]))
        h, w = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    if channels is None:  # one channel: the direct convolution
        one = rng.random() < (0.5 if tight else 0.3)
        channels = 1 if one else int(rng.integers(2, 10 if not big else 5))
    if kind == "book":
        fh = fw = int(rng.choice([2, 3, 5]))
        pad, stride = ((fh - 1) // 2, 1) if fh > 2 else (0, 2)
    else:
        pad = int(rng.integers(0, 4))
        if kind == "pad_beyond_filter":
            fh, fw = (int(f) for f in rng.integers(1, 4, size=2))
            pad = max(fh, fw) + int(rng.integers(0, 3))
        elif kind == "one_by_one":
            fh = fw = 1
        elif kind == "full":
            fh, fw = h + 2 * pad, w + 2 * pad
        else:
            fh, fw = int(rng.integers(1, h + 2 * pad + 1)), int(rng.integers(1, w + 2 * pad + 1))
        stride = int(rng.integers(1, 5))
        if kind == "stride_past_image":  # one position per axis, the next far outside
            last = max(h + 2 * pad - fh, w + 2 * pad - fw, 0)
            # up to strides no image comes near: 2^61 once made a kernel's
            # buffer size overflow (csrc/conv/conv_direct_impl.h)
            stride = last + 1 + int(rng.choice([0, 1, 7, 5000, 2**31, 2**61]))
            if rng.random() < 0.1:
                stride = 2**63 - 1  # the largest stride a kernel takes
    fh, fw = min(fh, h + 2 * pad), min(fw, w + 2 * pad)
    return Window(n, channels, h, w, fh, fw, stride, pad)


def draw_pool(rng, conv_h, conv_w):
    """(pool_h, pool_w, stride, pad) that fits a conv output of conv_h x conv_w."""
    pad = int(rng.choice([0, 0, 0, 1, 2]))
    if rng.random() < 0.5:
        ph = pw = min(2, conv_h + 2 * pad, conv_w + 2 * pad)
        return ph, pw, int(rng.choice([1, 2, 2, 3])), pad
    ph = int(rng.integers(1, conv_h + 2 * pad + 1))
    pw = int(rng.integers(1, conv_w + 2 * pad + 1))
    return ph, pw, int(rng.integers(1, 5)), pad
