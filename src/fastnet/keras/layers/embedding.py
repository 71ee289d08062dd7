"""Embedding: integer ids -> rows of a learned table (Keras 3's defaults).

(batch, ...) ids in [0, input_dim) become (batch, ..., output_dim) vectors:
output[..., :] = embeddings[id]. The table starts uniform in [-0.05, 0.05]
(Keras' "uniform"). The gradient of a row is the sum of the output
gradients of every position that looked it up; rows nobody used get 0, and
the optimizer still updates every row, as Keras' (dense) gradient does.

fit / predict hand every layer the model's float type, so the ids arrive as
floats (exact up to 2**24 in float32, 2**53 in float64); each is checked to be
a whole number in range before it indexes the table. Keras truncates
fractional ids and lets the backend fail on ids out of range; fastnet refuses
both with a ValueError. A table larger than the float type counts exactly is
refused when it is built: an id past 2**24 would reach a float32 model
rounded, to the id of another row, and nothing later could tell.
"""

import math
import warnings

import numpy as np

from ...backend import current
from .. import arguments, initializers
from .base import Layer


class Embedding(Layer):
    """A table of input_dim vectors of output_dim numbers, looked up by integer id."""

    passes_gradient = False  # ids have no gradient: the layers before it do not train

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 mask_zero=False, **kwargs):
        if kwargs.pop("input_length", None) is not None:
            # Keras 3 drops input_length with this warning; the shape comes from the data.
            warnings.warn("Argument `input_length` is deprecated. Just remove it.",
                          UserWarning, stacklevel=2)
        for key in ("embeddings_regularizer", "embeddings_constraint", "weights",
                    "lora_rank"):
            if kwargs.pop(key, None) is not None:
                raise NotImplementedError(f"Embedding: {key}= is not supported by fastnet.keras")
        if mask_zero:
            # A mask changes what later layers average over; fastnet.keras has no masks.
            raise NotImplementedError("Embedding: mask_zero=True is not supported by "
                                      "fastnet.keras (layers here do not carry masks)")
        super().__init__(**kwargs)
        self.input_dim = arguments.integer(input_dim, "Embedding: input_dim", minimum=1)
        self.output_dim = arguments.integer(output_dim, "Embedding: output_dim", minimum=1)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self._ids = None

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def weight_shapes(self, input_shape):
        return [(self.input_dim, self.output_dim)]

    def build(self, input_shape, dtype):
        exact = _largest_exact_id(dtype)
        if self.input_dim > exact:
            raise ValueError(
                f"Embedding {self.name!r}: input_dim {self.input_dim:,} is more ids than a "
                f"{np.dtype(dtype).name} model can pass exactly: its input rounds whole "
                f"numbers above {exact:,} (2**{exact.bit_length() - 1}), which would look up "
                f"another row; use input_dim <= {exact:,}, or a float64 model "
                f"(keras.config.set_floatx('float64') before building it)")
        out = super().build(input_shape, dtype)
        self.embeddings = self.embeddings_initializer(self.weight_shapes(input_shape)[0], dtype)
        self.weights = [self.embeddings]
        return out

    def _checked_ids(self, x):
        xp = current().xp
        ids = x.astype(xp.intp)
        if ids.size == 0:
            return ids
        if x.dtype.kind == "f" and not bool((ids == x).all()):
            raise ValueError(f"Embedding {self.name!r}: ids must be whole numbers, got "
                             f"{float(x[ids != x].ravel()[0])!r}")
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= self.input_dim:
            bad = low if low < 0 else high
            rounded = (x.dtype.kind == "f" and abs(bad) >= _largest_exact_id(x.dtype))
            raise ValueError(
                f"Embedding {self.name!r}: ids must be in [0, {self.input_dim}) (input_dim), "
                f"got {bad}" + (f" (as the model's {x.dtype.name} input holds it, which "
                                f"rounds ids this large)" if rounded else "")
            )
        return ids

    def forward(self, x, training=False):
        self._ids = self._checked_ids(x)
        return current().xp.take(self.embeddings, self._ids, axis=0)

    def backward(self, dout):
        rows, ids = self._gradient_rows(dout)
        grad = current().embedding_backward(rows, ids, self.input_dim)
        self.grads = [grad if grad.dtype == self.embeddings.dtype
                      else grad.astype(self.embeddings.dtype)]
        return None  # ids have no gradient

    def _gradient_rows(self, dout):
        """(rows, ids) for the kernel: row n of `rows` goes to the table at every id of ids[n]."""
        if dout.ndim > 2 and not any(dout.strides[1:-1]):
            # A broadcast from GlobalAveragePooling1D: one row per sample, shared
            # by all its positions. The kernel reads that row once per sample
            # instead of once per position of a full gradient.
            per_sample = dout[(slice(None),) + (0,) * (dout.ndim - 2)]
            return per_sample, self._ids.reshape(dout.shape[0], math.prod(dout.shape[1:-1]))
        return dout.reshape(-1, self.output_dim), self._ids.reshape(-1, 1)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer)}


def _largest_exact_id(dtype):
    """2**24 for float32, 2**53 for float64: every whole number up to it is exact."""
    return 2 ** (np.finfo(dtype).nmant + 1)
