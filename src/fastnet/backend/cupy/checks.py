"""`GpuBackend`: the checked entry point to the GPU kernels.

The same checks as every backend (`Backend`, backend/checks/), plus one rule:
data never crosses between host and device by itself. A NumPy array handed
to a GPU kernel is refused with a TypeError that says how to move it, instead
of being copied to the device on every call of a training loop (the classic
slowdown of GPU ports of the book's code). Move data once, before the loop,
with `fastnet.to_device`, and results back with `fastnet.to_numpy`.
"""

import numpy as np

from ..checks import Backend

# Numbers are not arrays: turning one into a 0-d device array is what CuPy
# does with scalars anyway, and it hides no array copy.
_SCALARS = (bool, int, float, np.number)


class GpuBackend(Backend):
    """A Backend whose arrays live on the GPU and never come from the host silently."""

    def _from_foreign(self, x, name, kernel):
        if isinstance(x, _SCALARS):
            return self.xp.asarray(x)
        kind = type(x)
        what = kind.__qualname__ if kind.__module__ == "builtins" else (
            f"{kind.__module__}.{kind.__qualname__}")
        raise TypeError(
            f"{kernel}: {name} is a {what} in host memory, "
            f"but the {self.name!r} backend computes on the GPU. Move it to the GPU once, "
            f"before the loop, with x = fastnet.to_device(x), and bring results back with "
            f"fastnet.to_numpy(y)."
        )

    @staticmethod
    def _writeable(x):
        # CuPy arrays have no read-only flag: every one can be updated in place.
        return True
