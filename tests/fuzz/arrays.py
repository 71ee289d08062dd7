"""Random sizes, values and memory layouts: the arrays a NumPy user can hand fastnet.

A layout is (structure, swapped, unaligned):

- structure: how the values sit in a buffer. "c" (C order), "permuted" (the
  axes in a random memory order: Fortran order and channels-last among them),
  "outer_step" (every other row / image), "inner_slice" (a slice of the last
  axis: rows that are not adjacent), "inner_step" (every other column),
  "reversed" (a negative stride on one axis) and "broadcast" (a zero stride,
  read-only).
- swapped: the dtype in non-native byte order.
- unaligned: the data starts at an odd byte offset (np.frombuffer, offset).

Unused parts of every buffer hold NaN, so a kernel that reads past a view's
elements produces a NaN that the comparison sees.
"""

import numpy as np

# 0 and 1, primes, and the edges of the kernels' blocks: GEMM tiles of MR = 6
# (12 with AVX-512) rows and NR = 8 / 16 columns, vectors of 4 / 8 / 16 values.
EDGE_SIZES = (0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32,
              33, 47, 48, 49)

STRUCTURES = ("c", "permuted", "outer_step", "inner_slice", "inner_step", "reversed",
              "broadcast")
# Structures a device array can have: the GPU backends get arrays through
# tests/_host_bridge.py, which copies to device memory (native, aligned,
# writable; a non-contiguous array arrives as every other column).
DEVICE_STRUCTURES = ("c", "inner_step")

# Value kinds: "ties" gives equal values (pooling's first-maximum rule, relu at
# 0), "wide" large magnitudes (exp overflow), "special" sprinkles NaN and inf.
VALUE_KINDS = ("normal", "normal", "normal", "normal", "normal", "ties", "ties", "wide",
               "special")


def draw_size(rng, high=49, allow_zero=True):
    """One dimension: usually an edge size, sometimes any size in [1, high]."""
    if rng.random() < 0.25:
        return int(rng.integers(1, high + 1))
    size = int(rng.choice(EDGE_SIZES))
    if size == 0 and not allow_zero:
        return 1
    return min(size, high)


def draw_values(rng, shape, dtype, kind):
    """A C-contiguous native array of `shape` holding values of `kind`."""
    if kind == "ties":
        values = rng.integers(-2, 3, size=shape).astype(np.float64)
    elif kind == "wide":
        values = rng.standard_normal(shape) * 10.0 ** rng.integers(1, 4)
    else:
        values = rng.standard_normal(shape)
    if kind == "special" and values.size:
        flat = values.reshape(-1)
        picks = rng.random(flat.size) < 0.1
        picks[rng.integers(flat.size)] = True
        flat[picks] = rng.choice([np.nan, np.inf, -np.inf], size=int(picks.sum()))
    return values.astype(dtype)


def _poisoned(shape, dtype, unaligned, rng):
    """A new array of `shape` and `dtype` full of NaN (or 0 for integers), maybe misaligned."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    if unaligned and dtype.itemsize > 1:
        offset = int(rng.integers(1, dtype.itemsize))
        raw = bytearray(count * dtype.itemsize + offset)
        buffer = np.frombuffer(raw, dtype, count=count, offset=offset).reshape(shape)
    else:
        buffer = np.empty(shape, dtype)
    buffer[...] = np.nan if dtype.kind == "f" else 0
    return buffer


def lay_out(values, structure, swapped=False, unaligned=False, rng=None):
    """An array equal to `values` (C-contiguous, native) in the given memory layout.

    "broadcast" changes the values: they repeat along the zero-stride axis.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    dtype = values.dtype.newbyteorder() if swapped else values.dtype
    shape = values.shape
    ndim = values.ndim
    if structure == "broadcast" and ndim:
        axis = int(rng.integers(ndim))
        row = np.take(values, [0], axis=axis) if shape[axis] else values
        buffer = _poisoned(row.shape, dtype, unaligned, rng)
        buffer[...] = row
        return np.broadcast_to(buffer, shape)
    if structure == "permuted" and ndim > 1:
        order = rng.permutation(ndim)
        buffer = _poisoned(tuple(shape[i] for i in order), dtype, unaligned, rng)
        view = buffer.transpose(np.argsort(order))
    elif structure == "outer_step" and ndim:
        buffer = _poisoned((2 * shape[0],) + shape[1:], dtype, unaligned, rng)
        view = buffer[::2]
    elif structure == "inner_slice" and ndim:
        extra = int(rng.integers(1, 4))
        buffer = _poisoned(shape[:-1] + (shape[-1] + extra,), dtype, unaligned, rng)
        start = int(rng.integers(0, extra + 1))
        view = buffer[..., start:start + shape[-1]]
    elif structure == "inner_step" and ndim:
        buffer = _poisoned(shape[:-1] + (2 * shape[-1],), dtype, unaligned, rng)
        view = buffer[..., ::2]
    elif structure == "reversed" and ndim:
        axis = int(rng.integers(ndim))
        buffer = _poisoned(shape, dtype, unaligned, rng)
        view = np.flip(buffer, axis)
    else:
        view = _poisoned(shape, dtype, unaligned, rng)
    view[...] = values
    return view


def describe_array(a):
    """shape, dtype (with byte order), strides and alignment of one argument."""
    if not isinstance(a, np.ndarray):
        return repr(a)
    flags = a.flags
    extras = [flag for flag, on in (("unaligned", not flags.aligned),
                                    ("read-only", not flags.writeable),
                                    ("C", flags.c_contiguous)) if on]
    return (f"shape={a.shape} dtype={a.dtype.str} strides={a.strides}"
            + (f" [{', '.join(extras)}]" if extras else ""))


def largest(array):
    """The largest finite |value| of an array: the size of the terms its sums add."""
    values = np.asarray(array, dtype=np.float64)
    return float(np.abs(values[np.isfinite(values)]).max(initial=0.0))
