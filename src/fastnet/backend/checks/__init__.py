"""`Backend`: the checked entry point to one backend's kernels.

Every kernel call goes through a method here. The method validates the
input once, in Python (ndim, dtype, shapes, label range, NaN where it
matters), casts mixed float32/float64 input to the common dtype like NumPy
does, and only then calls the backend's kernel, which trusts its input.
All backends therefore reject bad input with the same message, and a
compiled kernel never sees an array it could crash on.

The checks of each kernel family are in the module of its name (gemm.py,
elementwise.py, losses.py, optimizers.py, conv.py, norm.py, embedding.py,
the families of kernels.py); the helpers they share are in arrays.py.
"""

import numpy as np

from .arrays import ArrayChecks, finite_number, fraction
from .conv import ConvChecks
from .elementwise import ElementwiseChecks
from .embedding import EmbeddingChecks
from .gemm import GemmChecks
from .losses import LossChecks
from .norm import NonFiniteBatchError, NormChecks
from .optimizers import OptimizerChecks

__all__ = ["Backend", "NonFiniteBatchError", "finite_number", "fraction"]


class Backend(GemmChecks, ElementwiseChecks, LossChecks, OptimizerChecks, ConvChecks, NormChecks,
              EmbeddingChecks, ArrayChecks):
    """One backend: a name, an array module `xp` and a kernel module `impl`.

    `impl` holds the raw kernels, named and shaped like
    `fastnet.backend.numpy` (the reference, the specification).
    """

    def __init__(self, name, impl):
        self.name = name
        self.impl = impl
        self.xp = impl.xp
        self._ndarray = impl.xp.ndarray  # looked up on every call: keep it at hand
        # Host memory can be misaligned (np.frombuffer at an odd offset); CuPy
        # allocates aligned device memory and its arrays have no such flag.
        self._host_memory = impl.xp is np

    def __repr__(self):
        return f"<fastnet backend {self.name!r}>"
