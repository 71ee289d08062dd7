"""One fuzz case: a kernel's arguments drawn from a seed, and how to describe them.

`Draw` makes every random choice of a case from one seed, so building the
case twice gives two identical, independent sets of arguments (one for the
reference, one for the backend under test: in-place kernels then update
their own copies). `Case` holds the arguments and what the comparison needs
to know about them.
"""

import functools
import inspect
from dataclasses import dataclass, field

import numpy as np

from fastnet.backend.checks import Backend
from fastnet.backend.vocabulary import ACTIVATIONS
from fastnet.numgrad import kernels as numgrad_kernels

from .arrays import (
    DEVICE_STRUCTURES,
    STRUCTURES,
    VALUE_KINDS,
    describe_array,
    draw_size,
    draw_values,
    lay_out,
)

FLOATS = (np.float32, np.float64)


@functools.cache
def parameter_names(kernel):
    """The names of a kernel's arguments, from its checked entry point."""
    if not hasattr(Backend, kernel):  # a numgrad kernel: a plain function
        return list(inspect.signature(getattr(numgrad_kernels, kernel)).parameters)
    return list(inspect.signature(getattr(Backend, kernel)).parameters)[1:]


class Draw:
    """The random choices of one case, taken from its seed in a fixed order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.device = False  # True: only the layouts a device array can have
        self.dtype = FLOATS[int(self.rng.integers(2))]
        self.values = str(self.rng.choice(VALUE_KINDS))
        # A few cases are large enough for the kernels to start a second thread
        # (csrc/common/threads.h: 2**17 elements; GEMM: csrc/gemm/packed_impl.h's
        # PARALLEL_MIN_FLOPS, at most 2**24 flops).
        self.big = self.rng.random() < 0.03
        # Tight cases leave a kernel no slack to read or write past an array
        # unnoticed (by AddressSanitizer): every array in place, C order, sizes
        # under a vector's width, one output position, few filters.
        self.tight = not self.big and self.rng.random() < 0.25
        self.layouts = {}  # argument name -> layout, for the description

    def coin(self, p=0.5):
        return bool(self.rng.random() < p)

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    def size(self, high=49, allow_zero=True):
        if self.tight:
            return int(self.rng.integers(0 if allow_zero else 1, 8))
        return draw_size(self.rng, high, allow_zero)

    def activation(self):
        """An activation; identity in tight cases (the kernel then reads the
        caller's arrays, not its own buffers)."""
        return "identity" if self.tight else self.pick(ACTIVATIONS)

    def matrix_shape(self, high=49):
        """(rows, columns); past 2**17 elements when self.big."""
        if self.big:
            return (int(self.rng.integers(300, 520)), int(self.rng.integers(300, 520)))
        return (self.size(high), self.size(high))

    def any_shape(self):
        """0-D to 4-D with small dimensions (one big 2-D shape when self.big)."""
        if self.big:
            return self.matrix_shape()
        ndim = int(self.rng.integers(0, 5))
        return tuple(self.size(9 if ndim > 1 else 49) for _ in range(ndim))

    def uniform(self, low=0.0, high=1.0):
        return float(self.rng.uniform(low, high))

    def float_dtype(self):
        """The case's dtype, or now and then the other one (mixed dtypes)."""
        return self.dtype if self.coin(0.9) else FLOATS[1 - FLOATS.index(self.dtype)]

    def raw(self, shape, dtype=None, kind=None):
        """Values of the case's kind as a plain C-contiguous array."""
        return draw_values(self.rng, shape, dtype or self.float_dtype(), kind or self.values)

    def array(self, name, shape, dtype=None, kind=None, writable=False):
        """A new argument of the case's value kind, in a random layout."""
        return self.lay(name, self.raw(shape, dtype, kind), writable)

    def lay(self, name, values, writable=False):
        """`values` in a random memory layout (a writable one when the kernel writes it)."""
        structures = DEVICE_STRUCTURES if self.device else STRUCTURES
        structure = "c" if self.coin(0.4) else self.pick(structures)
        if (writable and structure == "broadcast") or self.tight:
            structure = "c"
        swapped = not self.device and not self.tight and self.coin(0.06)
        unaligned = not self.device and not self.tight and self.coin(0.06)
        self.layouts[name] = "+".join(
            [structure] + ["swapped"] * swapped + ["unaligned"] * unaligned)
        return lay_out(values, structure, swapped, unaligned, self.rng)


@dataclass
class Case:
    """A kernel call and what its comparison needs.

    length: the longest sum behind one output value; the tolerance grows with
    it. floor: a magnitude below which an output's values count as rounding
    noise, for kernels whose outputs can all be far smaller than the terms
    they sum (see compare.py); one number, or one per result.
    """

    kernel: str
    args: list
    kwargs: dict = field(default_factory=dict)
    length: int = 1
    floor: float = 0.0
    geometry: str = ""
    layouts: dict = field(default_factory=dict)
    values: str = ""  # the value kind drawn (arrays.VALUE_KINDS)
    windows: tuple = ()  # geometry.Window of a convolution, then of its pooling

    def describe(self):
        """One line per argument: name, shape, dtype, strides, layout; then the geometry."""
        names = parameter_names(self.kernel)
        lines = []
        for name, value in list(zip(names, self.args)) + list(self.kwargs.items()):
            layout = self.layouts.get(name)
            lines.append(f"  {name}: {describe_array(value)}"
                         + (f" layout={layout}" if layout else ""))
        if self.geometry:
            lines.append(f"  geometry: {self.geometry}")
        lines.append(f"  values: {self.values}")
        return "\n".join(lines)
