"""The checks of the embedding gradient: (N, D) rows, (N, S) integer ids in range.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_from_foreign`) and the backend's
kernels `impl`. The ids index the table in C, so every one is checked to
lie in [0, input_dim) before the kernel runs. NaN in dout is no error: it
reaches the rows it is added to, as in the reference.
"""

import numpy as np

from .arrays import too_big_for_an_array


class EmbeddingChecks:
    """embedding_backward, checked."""

    def _table_rows(self, input_dim, dout, kernel):
        if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)):
            raise TypeError(f"{kernel}: input_dim must be an integer, got {input_dim!r}")
        input_dim = int(input_dim)  # a Python int: an np.uint64 would wrap in the product below
        if input_dim < 1:
            raise ValueError(f"{kernel}: input_dim must be >= 1, got {input_dim!r}")
        if too_big_for_an_array((input_dim, dout.shape[1]), dout.itemsize):  # the gradient
            raise ValueError(f"{kernel}: input_dim {input_dim} is too large: its "
                             f"({input_dim}, {dout.shape[1]}) table cannot be an array")
        return input_dim

    def _ids(self, ids, dout, input_dim, kernel):
        """ids as a native, aligned int64 (N, S) array in [0, input_dim), or a clear error."""
        if not isinstance(ids, self.xp.ndarray):
            ids = self._from_foreign(ids, "ids", kernel)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"{kernel}: ids must be integers, got dtype {ids.dtype}")
        if ids.ndim != 2 or ids.shape[0] != dout.shape[0]:
            raise ValueError(
                f"{kernel}: ids must have shape (N, S) with N = {dout.shape[0]}, the rows of "
                f"dout {dout.shape}, got shape {ids.shape} (one look-up per row: "
                f"ids.reshape(-1, 1))"
            )
        given = ids
        if ids.dtype != np.int64 or (self._host_memory and not ids.flags.aligned):
            ids = ids.astype(np.int64)  # native and aligned, as the C code indexes it
        # Viewed as unsigned, a negative id becomes huge, so one max finds ids
        # below 0 and ids >= input_dim alike. A uint64 id >= 2**63 wraps to a
        # negative int64: caught the same way.
        if ids.size and int(ids.view(np.uint64).max()) >= input_dim:
            raise ValueError(
                f"{kernel}: ids must lie in [0, {input_dim}) (input_dim), got values from "
                f"{int(given.min())} to {int(given.max())}"
            )
        return ids

    def embedding_backward(self, dout, ids, input_dim):
        """The (input_dim, D) gradient of a table from dout (N, D) and ids (N, S)."""
        kernel = "embedding_backward"
        dout = self._array(dout, "dout", kernel, ndim=2)
        input_dim = self._table_rows(input_dim, dout, kernel)
        ids = self._ids(ids, dout, input_dim, kernel)
        return self.impl.embedding_backward(dout, ids, input_dim)
