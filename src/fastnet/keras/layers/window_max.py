"""Max pooling from strided views, for strides the engine's pooling kernel cannot take.

The engine's max_pool kernels move the window by one stride on both axes.
MaxPooling2D with strides (1, 2) runs here instead: the window's maximum is
the running maximum over its kh·kw offsets (one strided view of the whole
batch each, windows.py), and the offset that won each window is kept for
backward, which sends every output's gradient to that one cell.
"""

from ...backend import current
from . import windows


class WindowMax:
    """max over each (kh, kw) window moved by (sh, sw), channels-last, no padding.

    Ties go to the first maximum in row-major window order, and a NaN wins
    (it propagates), as in the max pooling of Keras' PyTorch backend.
    """

    def __init__(self, window, strides):
        self.window, self.strides = window, strides
        self._winner = self._input_shape = None

    def forward(self, x):
        xp = current().xp
        out_hw = windows.output_size(x.shape[1:3], self.window, self.strides, "valid")
        views = windows.views(x, self.window, self.strides, out_hw)
        out = next(views)
        # Which offset (0 .. kh·kw-1) holds each window's maximum so far.
        winner = xp.zeros(out.shape, dtype=xp.int32)
        for slot, view in enumerate(views, 1):
            better = (view > out) | xp.isnan(view)
            out = xp.where(better, view, out)
            winner = xp.where(better, slot, winner)
        self._winner, self._input_shape = winner, x.shape
        return out

    def backward(self, dout):
        xp = current().xp
        dx = xp.zeros(self._input_shape, dtype=dout.dtype)
        zero = dout.dtype.type(0)
        for slot, view in enumerate(windows.views(dx, self.window, self.strides,
                                                  dout.shape[1:3])):
            view += xp.where(self._winner == slot, dout, zero)  # overlapping windows add up
        return dx
