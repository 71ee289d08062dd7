"""Array helpers every family of the "cython" backend shares.

The C kernels index whole elements of plain memory; these decide when an
array can be handed to them as it is.
"""


def readable(x):
    """x, or a copy of it when it is a (rare) misaligned view: the kernels index whole elements."""
    return x if x.flags.aligned else x.copy()


def contiguous(*arrays):
    """True when every array is C-contiguous."""
    return all(a.flags.c_contiguous for a in arrays)
