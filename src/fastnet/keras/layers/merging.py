"""Add and Concatenate: the merge layers of the functional API (no weights).

A merge layer is called on a list of tensors, `Add()([x, y])`; its
`input_shape` is the list of their shapes, `forward` takes the list of
arrays and `backward` gives one gradient per input, in the same order.
"""

from ...backend import current
from .base import Layer


class _Merge(Layer):
    takes_several_inputs = True

    def build(self, input_shape, dtype):
        shapes = [tuple(s) for s in input_shape]
        self.input_shape = shapes
        self.output_shape = self.compute_output_shape(shapes)
        self.built = True
        return self.output_shape

    def _check_list(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} merges a list of at least "
                             f"2 tensors, got {input_shape!r}")


class Add(_Merge):
    """output = inputs[0] + inputs[1] + ..., all of one shape."""

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        if any(s != input_shape[0] for s in input_shape):
            raise ValueError(f"Add {self.name!r}: inputs have incompatible shapes "
                             f"{[(None, *s) for s in input_shape]}")
        return input_shape[0]

    def forward(self, xs, training=False):
        out = xs[0] + xs[1]  # a new array: the inputs stay untouched
        for x in xs[2:]:
            out += x
        return out

    def backward(self, dout):
        # Every input receives the whole gradient. The same array goes to
        # each; the model never adds to a gradient in place, so sharing is safe.
        return [dout] * len(self.input_shape)


class Concatenate(_Merge):
    """The inputs side by side along `axis` (default: the last); other sizes must agree."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Concatenate: axis must be an integer, got {axis!r}")
        self.axis = axis

    def _sample_axis(self, rank):
        """The axis within one sample (the batch axis cannot be concatenated)."""
        axis = self.axis + rank + 1 if self.axis < 0 else self.axis
        if not 1 <= axis <= rank:
            raise ValueError(f"Concatenate {self.name!r}: axis {self.axis} is not an axis of "
                             f"inputs (batch, ...) with {rank} axes after the batch")
        return axis - 1

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        rank = len(input_shape[0])
        axis = self._sample_axis(rank)
        others = {s[:axis] + s[axis + 1:] for s in input_shape if len(s) == rank}
        if any(len(s) != rank for s in input_shape) or len(others) != 1:
            raise ValueError(
                f"Concatenate {self.name!r}: inputs must have matching shapes except along "
                f"axis {self.axis}, got {[(None, *s) for s in input_shape]}")
        size = sum(s[axis] for s in input_shape)
        first = input_shape[0]
        return (*first[:axis], size, *first[axis + 1:])

    def forward(self, xs, training=False):
        return current().xp.concatenate(xs, axis=self._sample_axis(len(self.output_shape)) + 1)

    def backward(self, dout):
        xp, axis = current().xp, self._sample_axis(len(self.output_shape))
        grads, start = [], 0
        for shape in self.input_shape:
            index = [slice(None)] * dout.ndim
            index[axis + 1] = slice(start, start + shape[axis])
            # Contiguous: the next layer's kernels take contiguous arrays.
            grads.append(xp.ascontiguousarray(dout[tuple(index)]))
            start += shape[axis]
        return grads

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
