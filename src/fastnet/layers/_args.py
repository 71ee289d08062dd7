"""The checks a layer makes before its kernels check the arrays.

The backend's kernels check dtype, shape and layout. A layer first needs
an array whose first axis is the batch (it reads x.shape[0] to flatten),
and a backward needs the forward that stored what it reads.
"""


def batch(B, x, name, where):
    """x as an array of backend B with a batch axis first, or a clear error.

    Lists and scalars are converted like every kernel argument (refused by
    the GPU backend, which never copies host data silently); arrays go on to
    the kernel's own checks as they are.
    """
    if getattr(x, "ndim", None) is None:
        x = B.asarray(x, name, where)
    if x.ndim == 0:
        raise ValueError(f"{where}: {name} must be an array with the batch axis first, "
                         f"got a scalar")
    return x


def forward_done(stored, layer, forward="forward"):
    """Refuse a backward of `layer` that has no forward before it to read from."""
    if stored is None:
        raise ValueError(f"{type(layer).__name__}.backward: call {forward} before backward "
                         f"(nothing is stored yet)")
